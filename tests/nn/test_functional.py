"""compgraph.nn.functional against torch.nn.functional: values and the gradients of every
floating input (float64 tight, float32 loose)."""
import numpy as np
import pytest
import torch
import torch.nn.functional as TF

import compgraph as cg
import compgraph.nn.functional as F

RNG = np.random.default_rng(0)
TOL = {np.float64: 1e-8, np.float32: 2e-4}


def compare(f, tf, arrays, dtype=np.float64, grad=None, kw=None, tkw=None, tol=None):
    """f(*cg tensors, **kw) vs tf(*torch tensors, **tkw): values, and the gradients of
    the floating inputs (those with index in ``grad``, default all floating) for a
    random cotangent."""
    kw = kw or {}
    tkw = kw if tkw is None else tkw
    tol = tol or TOL[dtype]
    arrs = [a.astype(dtype) if a.dtype.kind == "f" else a for a in arrays]
    grad = [i for i, a in enumerate(arrs) if a.dtype.kind == "f"] if grad is None else grad
    xs = [cg.tensor(a, requires_grad=i in grad) for i, a in enumerate(arrs)]
    ts = [torch.tensor(a, requires_grad=i in grad) for i, a in enumerate(arrs)]
    y, ty = f(*xs, **kw), tf(*ts, **tkw)
    assert tuple(y.shape) == tuple(ty.shape), (y.shape, ty.shape)
    assert y.dtype == np.dtype(str(ty.dtype).replace("torch.", "")), (y.dtype, ty.dtype)
    yv, tv = y.data, ty.detach().numpy()
    np.testing.assert_allclose(yv, tv, rtol=tol, atol=tol)
    if not grad:
        return
    g = RNG.normal(size=tv.shape).astype(dtype)
    cg.sum(y * g).backward()
    (ty * torch.tensor(g)).sum().backward()
    for i in grad:
        np.testing.assert_allclose(xs[i].grad, ts[i].grad.numpy(), rtol=tol, atol=tol,
                                   err_msg=f"gradient of input {i}")


def r(*shape):
    return RNG.normal(size=shape)


DT = [np.float64, np.float32]


# ------------------------------------------------------------------ first batch
@pytest.mark.parametrize("dtype", DT)
def test_linear_bilinear(dtype):
    compare(F.linear, TF.linear, [r(4, 5), r(3, 5), r(3)], dtype)
    compare(F.linear, TF.linear, [r(2, 4, 5), r(3, 5)], dtype)
    compare(F.bilinear, TF.bilinear, [r(4, 5), r(4, 2), r(3, 5, 2), r(3)], dtype)


def test_dropout():
    x = cg.ones((200, 50), requires_grad=True)
    y = F.dropout(x, 0.3, generator=np.random.default_rng(1))
    kept = y.data != 0
    assert 0.6 < kept.mean() < 0.8 and np.allclose(y.data[kept], 1 / 0.7)
    cg.sum(y).backward()
    np.testing.assert_allclose(x.grad, y.data)
    assert F.dropout(x, 0.3, training=False) is x
    assert (F.dropout(x, 1.0).data == 0).all()
    with pytest.raises(ValueError, match="between 0 and 1"):
        F.dropout(x, 1.5)
    z = F.dropout2d(cg.ones((4, 30, 3, 3)), 0.5, generator=np.random.default_rng(2)).data
    assert (z.std(axis=(2, 3)) == 0).all() and 0 < (z == 0).mean() < 1


@pytest.mark.parametrize("dtype", DT)
def test_embedding(dtype):
    idx = np.array([[0, 2, 4], [4, 3, 0]])
    compare(F.embedding, TF.embedding, [idx, r(5, 3)], dtype)
    for kw in ({"padding_idx": 4}, {"padding_idx": -1}, {"scale_grad_by_freq": True},
               {"padding_idx": 0, "scale_grad_by_freq": True}):
        compare(F.embedding, TF.embedding, [idx, r(5, 3)], dtype, kw=kw)
    w = r(5, 3) * 3
    tw = torch.tensor(w)
    wc = cg.tensor(w.copy())
    np.testing.assert_allclose(F.embedding(idx, wc, max_norm=1.0).data,
                               TF.embedding(torch.tensor(idx), tw, max_norm=1.0).numpy(),
                               rtol=1e-6)
    np.testing.assert_allclose(wc.data, tw.numpy(), rtol=1e-6)  # renormalised in place
    with pytest.raises(TypeError):
        F.embedding(np.array([0.5]), cg.tensor(r(5, 3)))
    with pytest.raises(IndexError):
        F.embedding(np.array([5]), cg.tensor(r(5, 3)))


@pytest.mark.parametrize("dtype", DT)
def test_norms(dtype):
    compare(lambda x, w, b: F.layer_norm(x, (5,), w, b),
            lambda x, w, b: TF.layer_norm(x, (5,), w, b), [r(3, 4, 5), r(5), r(5)], dtype)
    compare(lambda x, w, b: F.layer_norm(x, (4, 5), w, b, eps=1e-3),
            lambda x, w, b: TF.layer_norm(x, (4, 5), w, b, eps=1e-3),
            [r(3, 4, 5), r(4, 5), r(4, 5)], dtype)
    compare(lambda x: F.layer_norm(x, 5), lambda x: TF.layer_norm(x, (5,)), [r(2, 5)], dtype)
    compare(lambda x, w: F.rms_norm(x, (5,), w), lambda x, w: TF.rms_norm(x, (5,), w),
            [r(3, 4, 5), r(5)], dtype)
    compare(lambda x: F.rms_norm(x, [4, 5], eps=1e-3),
            lambda x: TF.rms_norm(x, [4, 5], eps=1e-3), [r(3, 4, 5)], dtype)
    compare(lambda x, w, b: F.group_norm(x, 3, w, b),
            lambda x, w, b: TF.group_norm(x, 3, w, b), [r(2, 6, 4, 3), r(6), r(6)], dtype)
    compare(lambda x: F.group_norm(x, 2), lambda x: TF.group_norm(x, 2), [r(2, 4, 5)], dtype)
    with pytest.raises(ValueError, match="normalized_shape"):
        F.layer_norm(cg.ones((2, 3)), (4,))


@pytest.mark.parametrize("dtype", DT)
def test_sdpa(dtype):
    q, k, v = r(2, 3, 5, 4), r(2, 3, 6, 4), r(2, 3, 6, 7)
    sdpa, tsdpa = F.scaled_dot_product_attention, TF.scaled_dot_product_attention
    compare(sdpa, tsdpa, [q, k, v], dtype)
    compare(sdpa, tsdpa, [q, k, v], dtype, kw={"scale": 0.3})
    compare(sdpa, tsdpa, [q, r(2, 3, 5, 4), r(2, 3, 5, 7)], dtype, kw={"is_causal": True})
    bmask = RNG.random((5, 6)) > 0.3
    bmask[:, 0] = True  # no fully masked row (NaN in both)
    compare(lambda q, k, v: sdpa(q, k, v, attn_mask=bmask),
            lambda q, k, v: tsdpa(q, k, v, attn_mask=torch.tensor(bmask)), [q, k, v], dtype)
    compare(sdpa, tsdpa, [q, k, v, r(3, 5, 6)], dtype)  # float mask, with its gradient
    # grouped-query attention: 6 query heads over 2 key/value heads
    compare(sdpa, tsdpa, [r(2, 6, 5, 4), r(2, 2, 6, 4), r(2, 2, 6, 3)], dtype,
            kw={"enable_gqa": True})
    y = sdpa(cg.ones((1, 4, 3)), cg.ones((1, 5, 3)), cg.ones((1, 5, 2)), dropout_p=0.5,
             generator=np.random.default_rng(0))
    assert y.shape == (1, 4, 2)
    with pytest.raises(ValueError):
        sdpa(cg.ones((4, 3)), cg.ones((5, 2)), cg.ones((5, 2)))


@pytest.mark.parametrize("dtype", DT)
@pytest.mark.parametrize("kw", [{}, {"stride": 2, "padding": 1}, {"dilation": 2, "padding": 2},
                                {"groups": 2, "stride": (2, 1)}, {"padding": "same"},
                                {"padding": "same", "dilation": (1, 2)}, {"padding": "valid"}])
def test_conv2d(dtype, kw):
    cin = 4
    w = r(6, cin // kw.get("groups", 1), 3, 2)
    compare(F.conv2d, TF.conv2d, [r(2, cin, 7, 6), w, r(6)], dtype, kw=kw)


@pytest.mark.parametrize("dtype", DT)
def test_conv1d_and_unbatched(dtype):
    compare(F.conv1d, TF.conv1d, [r(2, 4, 9), r(6, 2, 3), r(6)], dtype,
            kw={"stride": 2, "padding": 1, "groups": 2, "dilation": 2})
    compare(F.conv1d, TF.conv1d, [r(4, 9), r(6, 4, 4)], dtype, kw={"padding": "same"})
    compare(F.conv2d, TF.conv2d, [r(3, 5, 5), r(2, 3, 3, 3)], dtype)


@pytest.mark.parametrize("dtype", DT)
@pytest.mark.parametrize("kw", [{}, {"stride": 2}, {"stride": 2, "padding": 1, "output_padding": 1},
                                {"stride": (3, 2), "padding": (2, 0), "output_padding": (2, 1)},
                                {"groups": 2, "dilation": 2, "stride": 2},
                                {"dilation": 3, "output_padding": 2, "padding": 1}])
def test_conv_transpose2d(dtype, kw):
    w = r(4, 6 // kw.get("groups", 1), 3, 2)
    compare(F.conv_transpose2d, TF.conv_transpose2d, [r(2, 4, 5, 4), w, r(6)], dtype, kw=kw)


def test_conv_transpose1d():
    compare(F.conv_transpose1d, TF.conv_transpose1d, [r(2, 4, 5), r(4, 3, 3), r(3)],
            kw={"stride": 2, "padding": 1, "output_padding": 1})
    compare(F.conv_transpose1d, TF.conv_transpose1d, [r(4, 5), r(4, 3, 3)])


def test_namespace():
    assert cg.nn.functional is F
    assert F.linear is cg.linear
