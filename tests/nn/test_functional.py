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
    bm4 = RNG.random((2, 1, 5, 6)) > 0.3
    bm4[..., 0] = True
    compare(lambda q, k, v: sdpa(q, k, v, attn_mask=bm4),
            lambda q, k, v: tsdpa(q, k, v, attn_mask=torch.tensor(bm4)), [q, k, v], dtype)
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


# ------------------------------------------------------------------ activations
ACTS = [
    ("relu", {}), ("relu6", {}), ("hardtanh", {"min_val": -0.5, "max_val": 2.0}),
    ("leaky_relu", {"negative_slope": 0.2}), ("elu", {"alpha": 0.7}), ("selu", {}),
    ("celu", {"alpha": 1.5}), ("gelu", {}), ("gelu", {"approximate": "tanh"}), ("silu", {}),
    ("mish", {}), ("softplus", {}), ("softplus", {"beta": 2.0, "threshold": 3.0}),
    ("softsign", {}), ("hardswish", {}), ("hardsigmoid", {}), ("sigmoid", {}), ("tanh", {}),
    ("logsigmoid", {}), ("tanhshrink", {}), ("hardshrink", {"lambd": 0.3}),
    ("softshrink", {"lambd": 0.3}), ("threshold", {"threshold": 0.1, "value": -2.0}),
    ("softmax", {"dim": 1}), ("softmax", {"dim": -1, "dtype": torch.float64}),
    ("log_softmax", {"dim": 0}), ("softmin", {"dim": 1}), ("glu", {}), ("glu", {"dim": 0}),
]


@pytest.mark.parametrize("dtype", DT)
@pytest.mark.parametrize("name,kw", ACTS, ids=[f"{n}{i}" for i, (n, _) in enumerate(ACTS)])
def test_activation(dtype, name, kw):
    x = r(4, 6) * 3
    x[np.abs(np.abs(x) - 3) < 0.05] += 0.2  # away from hardswish/relu6 kinks
    compare(getattr(F, name), getattr(TF, name), [x], dtype, kw=kw)


def test_softmax_implicit_dim():
    for shape in [(5,), (3, 4), (2, 3, 4), (2, 3, 4, 5)]:
        x = r(*shape)
        with pytest.warns(UserWarning):
            want = TF.softmax(torch.tensor(x)).numpy()
        np.testing.assert_allclose(F.softmax(cg.tensor(x)).data, want, rtol=1e-12)


# ------------------------------------------------------------------ pooling
POOLS = [
    {"kernel_size": 2},
    {"kernel_size": 3, "stride": 2, "padding": 1},
    {"kernel_size": (3, 2), "stride": (2, 1), "ceil_mode": True},
    {"kernel_size": 3, "stride": 2, "padding": 1, "ceil_mode": True},
]


@pytest.mark.parametrize("dtype", DT)
@pytest.mark.parametrize("kw", POOLS + [{"kernel_size": 2, "dilation": 2, "stride": 1},
                                        {"kernel_size": 3, "dilation": (1, 2), "padding": 1,
                                         "ceil_mode": True, "stride": 2}])
def test_max_pool2d(dtype, kw):
    compare(F.max_pool2d, TF.max_pool2d, [r(2, 3, 7, 8)], dtype, kw=kw)
    compare(F.max_pool2d, TF.max_pool2d, [r(3, 7, 8)], dtype, kw=kw)


def test_max_pool_indices_and_1d():
    x = r(2, 3, 7, 8)
    y, i = F.max_pool2d(cg.tensor(x), 3, 2, 1, return_indices=True)
    ty, ti = TF.max_pool2d(torch.tensor(x), 3, 2, 1, return_indices=True)
    np.testing.assert_array_equal(i.data, ti.numpy())
    compare(F.max_pool1d, TF.max_pool1d, [r(2, 3, 9)],
            kw={"kernel_size": 3, "stride": 2, "padding": 1, "ceil_mode": True})
    compare(F.max_pool1d, TF.max_pool1d, [r(3, 9)], kw={"kernel_size": 2, "dilation": 2})
    with pytest.raises(ValueError, match="half"):
        F.max_pool2d(cg.tensor(x), 2, padding=2)


@pytest.mark.parametrize("dtype", DT)
@pytest.mark.parametrize("kw", POOLS + [{"kernel_size": 3, "padding": 1, "stride": 2,
                                         "count_include_pad": False},
                                        {"kernel_size": 3, "padding": 1, "stride": 2,
                                         "count_include_pad": False, "ceil_mode": True},
                                        {"kernel_size": 2, "divisor_override": 3}])
def test_avg_pool2d(dtype, kw):
    compare(F.avg_pool2d, TF.avg_pool2d, [r(2, 3, 7, 8)], dtype, kw=kw)


def test_avg_pool1d_adaptive():
    compare(F.avg_pool1d, TF.avg_pool1d, [r(2, 3, 9)],
            kw={"kernel_size": 3, "stride": 2, "padding": 1, "ceil_mode": True,
                "count_include_pad": False})
    for size in [(2, 4), (3, 5), 1, (None, 3)]:
        compare(F.adaptive_avg_pool2d, TF.adaptive_avg_pool2d, [r(2, 3, 6, 8)],
                kw={"output_size": size})
        compare(F.adaptive_max_pool2d, TF.adaptive_max_pool2d, [r(2, 3, 6, 8)],
                kw={"output_size": size})
    compare(F.adaptive_avg_pool1d, TF.adaptive_avg_pool1d, [r(2, 3, 7)], kw={"output_size": 3})
    compare(F.adaptive_max_pool1d, TF.adaptive_max_pool1d, [r(2, 3, 7)], kw={"output_size": 3})


# ------------------------------------------------------------------ padding, resizing
@pytest.mark.parametrize("dtype", DT)
@pytest.mark.parametrize("mode,amounts", [("constant", (1, 2)), ("constant", (1, -1, 2, 0)),
                                          ("reflect", (2, 1, 1, 2)), ("replicate", (3, 1, 0, 2)),
                                          ("circular", (2, 1, 1, 3))])
def test_pad(dtype, mode, amounts):
    kw = {"value": 1.5} if mode == "constant" else {}
    compare(lambda x: F.pad(x, amounts, mode, **kw), lambda x: TF.pad(x, amounts, mode, **kw),
            [r(2, 3, 4, 5)], dtype)


@pytest.mark.parametrize("dtype", DT)
@pytest.mark.parametrize("kw", [
    {"size": (7, 5)}, {"scale_factor": 2}, {"scale_factor": (1.5, 0.5)},
    {"size": (7, 5), "mode": "nearest-exact"},
    {"size": (7, 5), "mode": "bilinear"}, {"size": (3, 9), "mode": "bilinear", "align_corners": True},
    {"scale_factor": 1.7, "mode": "bilinear"}, {"scale_factor": 0.6, "mode": "bilinear",
                                                "recompute_scale_factor": True},
])
def test_interpolate(dtype, kw):
    compare(F.interpolate, TF.interpolate, [r(2, 3, 4, 6)], dtype, kw=kw)


def test_interpolate_1d_3d_errors():
    compare(F.interpolate, TF.interpolate, [r(2, 3, 5)], kw={"size": 8, "mode": "linear"})
    compare(F.interpolate, TF.interpolate, [r(1, 2, 3, 4, 5)],
            kw={"scale_factor": 2, "mode": "trilinear", "align_corners": True})
    with pytest.raises(NotImplementedError):
        F.interpolate(cg.ones((1, 2, 3)), size=4, mode="bilinear")
    with pytest.raises(ValueError):
        F.interpolate(cg.ones((1, 2, 3)))


def test_one_hot_shuffle_fold():
    idx = np.array([[0, 3], [2, 1]])
    oh = F.one_hot(idx)
    assert oh.dtype == np.int64
    np.testing.assert_array_equal(oh.data, TF.one_hot(torch.tensor(idx)).numpy())
    assert F.one_hot(cg.tensor(idx), num_classes=6).shape == (2, 2, 6)
    with pytest.raises(ValueError):
        F.one_hot(idx, 2)
    compare(F.pixel_shuffle, TF.pixel_shuffle, [r(2, 8, 3, 4)], kw={"upscale_factor": 2})
    compare(F.pixel_unshuffle, TF.pixel_unshuffle, [r(2, 2, 6, 4)], kw={"downscale_factor": 2})
    kw = {"kernel_size": (2, 3), "dilation": (1, 2), "padding": 1, "stride": (2, 1)}
    compare(F.unfold, TF.unfold, [r(2, 3, 6, 7)], kw=kw)
    L = TF.unfold(torch.zeros(2, 3, 6, 7), **kw).shape[-1]
    compare(F.fold, TF.fold, [r(2, 18, L)], kw={"output_size": (6, 7), **kw})


# ------------------------------------------------------------------ normalisation, distances
@pytest.mark.parametrize("shape", [(6, 3), (4, 3, 5), (3, 3, 4, 2)])
def test_batch_norm(shape):
    x, w, b = r(*shape), r(3), r(3)
    rm, rv = r(3), RNG.random(3) + 0.5
    for training in (True, False):
        m1, v1, m2, v2 = rm.copy(), rv.copy(), torch.tensor(rm), torch.tensor(rv)
        compare(lambda x, w, b: F.batch_norm(x, m1, v1, w, b, training, 0.3, 1e-3),
                lambda x, w, b: TF.batch_norm(x, m2, v2, w, b, training, 0.3, 1e-3),
                [x, w, b])
        np.testing.assert_allclose(m1, m2.numpy(), rtol=1e-10)
        np.testing.assert_allclose(v1, v2.numpy(), rtol=1e-10)
    with pytest.raises(ValueError, match="more than 1 value"):
        F.batch_norm(cg.ones((1, 3)), None, None, training=True)


def test_instance_norm_normalize_distances():
    x, w, b = r(2, 3, 5, 4), r(3), r(3)
    compare(lambda x, w, b: F.instance_norm(x, weight=w, bias=b),
            lambda x, w, b: TF.instance_norm(x, weight=w, bias=b), [x, w, b])
    m1, v1, m2, v2 = np.zeros(3), np.ones(3), torch.zeros(3, dtype=torch.float64), \
        torch.ones(3, dtype=torch.float64)
    compare(lambda x: F.instance_norm(x, m1, v1), lambda x: TF.instance_norm(x, m2, v2), [x])
    np.testing.assert_allclose(v1, v2.numpy(), rtol=1e-10)
    for kw in ({}, {"p": 1.0, "dim": 0}, {"p": 3.0, "dim": -1}):
        compare(F.normalize, TF.normalize, [r(4, 5)], kw=kw)
    compare(F.cosine_similarity, TF.cosine_similarity, [r(4, 5), r(4, 5)])
    compare(F.cosine_similarity, TF.cosine_similarity, [r(4, 5, 2), r(1, 5, 2)])
    compare(F.pairwise_distance, TF.pairwise_distance, [r(4, 5), r(4, 5)])
    compare(F.pairwise_distance, TF.pairwise_distance, [r(4, 5), r(4, 5)],
            kw={"p": 1.0, "keepdim": True})


# ------------------------------------------------------------------ losses
@pytest.mark.parametrize("dtype", DT)
@pytest.mark.parametrize("red", ["mean", "sum", "none"])
@pytest.mark.parametrize("kw", [{}, {"ignore_index": 1}, {"label_smoothing": 0.2},
                                {"weight": "w", "ignore_index": 2, "label_smoothing": 0.1}])
def test_cross_entropy_nll(dtype, red, kw):
    for shape, tshape in [((6, 4), (6,)), ((3, 4, 5, 2), (3, 5, 2)), ((4,), ())]:
        x = r(*shape)
        y = RNG.integers(0, 4, tshape)
        kw2 = dict(kw, reduction=red)
        args = [x, y]
        if "weight" in kw:
            args.append(RNG.random(4) + 0.5)
            kw2.pop("weight")
        compare(F.cross_entropy, TF.cross_entropy, args, dtype, grad=[0], kw=kw2)
        if "label_smoothing" not in kw:
            compare(F.nll_loss, TF.nll_loss, args, dtype, grad=[0], kw=kw2)


@pytest.mark.parametrize("kw", [{}, {"label_smoothing": 0.3}, {"reduction": "none"},
                                {"reduction": "sum", "weight": True}])
def test_cross_entropy_probabilities(kw):
    x, p = r(3, 4, 5), RNG.random((3, 4, 5))
    p /= p.sum(1, keepdims=True)
    args = [x, p]
    if kw.pop("weight", None):
        args.append(RNG.random(4))
    compare(F.cross_entropy, TF.cross_entropy, args, kw=kw)


@pytest.mark.parametrize("dtype", DT)
@pytest.mark.parametrize("red", ["mean", "sum", "none"])
def test_pointwise_losses(dtype, red):
    x, t = r(4, 3), r(4, 3)
    pr, pt = RNG.random((4, 3)) * 0.9 + 0.05, RNG.random((4, 3))
    sign = np.sign(r(4))
    kw = {"reduction": red}
    for name in ("mse_loss", "l1_loss", "smooth_l1_loss", "huber_loss"):
        compare(getattr(F, name), getattr(TF, name), [x, t], dtype, kw=kw)
    compare(F.soft_margin_loss, TF.soft_margin_loss, [x, np.sign(t)], dtype, grad=[0], kw=kw)
    compare(F.smooth_l1_loss, TF.smooth_l1_loss, [x, t], dtype, kw=dict(kw, beta=0.5))
    compare(F.huber_loss, TF.huber_loss, [x, t], dtype, kw=dict(kw, delta=0.5))
    compare(lambda a, b, w: F.mse_loss(a, b, reduction=red, weight=w),
            lambda a, b, w: TF.mse_loss(a, b, reduction=red, weight=w),
            [x, t, RNG.random((4, 3))], dtype, grad=[0, 1])
    compare(F.binary_cross_entropy, TF.binary_cross_entropy, [pr, pt, RNG.random(3)], dtype,
            grad=[0, 1], kw=kw)
    for name in ("l1_loss", "huber_loss"):
        compare(lambda a, b, w: getattr(F, name)(a, b, reduction=red, weight=w),
                lambda a, b, w: getattr(TF, name)(a, b, reduction=red, weight=w),
                [x, t, RNG.random((4, 3))], dtype, grad=[0, 1])
    compare(F.binary_cross_entropy_with_logits, TF.binary_cross_entropy_with_logits,
            [x, pt, RNG.random(3)], dtype, grad=[0, 1], kw=dict(kw, pos_weight=None))
    compare(lambda a, b, w, pw: F.binary_cross_entropy_with_logits(a, b, w, reduction=red,
                                                                   pos_weight=pw),
            lambda a, b, w, pw: TF.binary_cross_entropy_with_logits(a, b, w, reduction=red,
                                                                    pos_weight=pw),
            [x, pt, RNG.random(3), RNG.random(3) * 2], dtype, grad=[0, 1])
    lp, lq = TF.log_softmax(torch.tensor(x), 1).numpy(), TF.log_softmax(torch.tensor(t), 1).numpy()
    for k in ({"reduction": red}, {"reduction": "batchmean"}, {"log_target": True}):
        compare(F.kl_div, TF.kl_div, [lp, np.exp(lq)] if "log_target" not in k else [lp, lq],
                dtype, kw=k)
    compare(F.margin_ranking_loss, TF.margin_ranking_loss, [r(4), r(4), sign], dtype,
            grad=[0, 1], kw=dict(kw, margin=0.3))
    compare(F.hinge_embedding_loss, TF.hinge_embedding_loss, [x, np.sign(t)], dtype, grad=[0],
            kw=kw)
    compare(F.cosine_embedding_loss, TF.cosine_embedding_loss, [r(4, 3), r(4, 3), sign], dtype,
            grad=[0, 1], kw=dict(kw, margin=0.1))
    compare(F.triplet_margin_loss, TF.triplet_margin_loss, [r(4, 3), r(4, 3), r(4, 3)], dtype,
            kw=dict(kw, swap=True))
    compare(F.poisson_nll_loss, TF.poisson_nll_loss, [x, pt * 3], dtype, grad=[0],
            kw=dict(kw, full=True))
    compare(F.poisson_nll_loss, TF.poisson_nll_loss, [pr, pt], dtype, grad=[0],
            kw=dict(kw, log_input=False))
    compare(F.gaussian_nll_loss, TF.gaussian_nll_loss, [x, t, RNG.random((4, 3))], dtype,
            kw=dict(kw, full=True))
    compare(F.gaussian_nll_loss, TF.gaussian_nll_loss, [x, t, RNG.random(4)], dtype, kw=kw)


def test_loss_errors_and_legacy():
    x = cg.tensor(r(4, 3))
    with pytest.raises(ValueError, match="reduction"):
        F.mse_loss(x, x, reduction="avg")
    with pytest.raises(IndexError):
        F.cross_entropy(x, np.array([0, 1, 2, 3]))
    with pytest.raises(ValueError):
        F.binary_cross_entropy(cg.sigmoid(x), np.ones(4))
    got = F.mse_loss(x, cg.zeros((4, 3)), reduce=False)
    assert got.shape == (4, 3)
    assert np.isnan(F.cross_entropy(x, np.full(4, -100)).data)


# ------------------------------------------------------------------ LeNet
def test_lenet_matches_torch():
    """A LeNet-5 written with F, forward and backward, equal to torch's with the same weights."""
    shapes = {"c1": (6, 1, 5, 5), "b1": (6,), "c2": (16, 6, 5, 5), "b2": (16,),
              "f1": (120, 256), "g1": (120,), "f2": (84, 120), "g2": (84,),
              "f3": (10, 84), "g3": (10,)}
    ws = {k: r(*s) * 0.2 for k, s in shapes.items()}
    x, y = r(8, 1, 28, 28), RNG.integers(0, 10, 8)

    def net(Fm, x, p):
        h = Fm.max_pool2d(Fm.relu(Fm.conv2d(x, p["c1"], p["b1"])), 2)
        h = Fm.max_pool2d(Fm.relu(Fm.conv2d(h, p["c2"], p["b2"])), 2)
        h = h.reshape(h.shape[0], -1)
        h = Fm.relu(Fm.linear(h, p["f1"], p["g1"]))
        h = Fm.relu(Fm.linear(h, p["f2"], p["g2"]))
        return Fm.cross_entropy(Fm.linear(h, p["f3"], p["g3"]), y if Fm is F else torch.tensor(y))

    cp = {k: cg.tensor(v, requires_grad=True) for k, v in ws.items()}
    tp = {k: torch.tensor(v, requires_grad=True) for k, v in ws.items()}
    loss, tloss = net(F, cg.tensor(x), cp), net(TF, torch.tensor(x), tp)
    loss.backward()
    tloss.backward()
    np.testing.assert_allclose(loss.data, tloss.item(), rtol=1e-10)
    for k in ws:
        np.testing.assert_allclose(cp[k].grad, tp[k].grad.numpy(), rtol=1e-8, atol=1e-10)


@pytest.mark.skipif(torch is None, reason="needs torch")
def test_unfold_fold_accept_unbatched_inputs_as_torch():
    x = np.random.default_rng(5).standard_normal((3, 7, 6))
    tf = torch.nn.functional
    a = F.unfold(cg.tensor(x), (2, 3), padding=1, stride=2)
    b = tf.unfold(torch.tensor(x), (2, 3), padding=1, stride=2)
    np.testing.assert_allclose(a.numpy(), b.numpy())
    c = F.fold(a, (7, 6), (2, 3), padding=1, stride=2)
    np.testing.assert_allclose(c.numpy(), tf.fold(b, (7, 6), (2, 3), padding=1, stride=2).numpy())
    assert cg.gradcheck(lambda t: F.fold(F.unfold(t, 2), (7, 6), 2), x)
    with pytest.raises(ValueError, match="unfold: expected a 3-D or 4-D"):
        F.unfold(cg.ones((7, 6)), 2)
    with pytest.raises(ValueError, match="fold: expected a 2-D or 3-D"):
        F.fold(cg.ones((1, 2, 3, 4)), (3, 4), 2)


@pytest.mark.parametrize("name", ["hardtanh", "relu6", "hardsigmoid", "hardswish"])
def test_gradients_at_the_kinks_equal_torch(name):
    # torch passes the gradient only strictly inside the clipped range
    x = np.array([-3.0, -1.0, 0.0, 1.0, 3.0, 6.0, 7.0, -4.0, 0.5])
    a = torch.tensor(x, requires_grad=True)
    getattr(TF, name)(a).sum().backward()
    b = cg.tensor(x, requires_grad=True)
    cg.sum(getattr(F, name)(b)).backward()
    np.testing.assert_allclose(b.grad.numpy(), a.grad.numpy(), atol=1e-7)  # (torch: 1/6 in f32)
    assert cg.gradcheck(lambda t: getattr(F, name)(t), np.array([-2.5, -0.5, 0.3, 2.9, 4.0]))


@pytest.mark.parametrize("offsets", [[0, 2, 4], [0, 2, 6], [0, 3]])
@pytest.mark.parametrize("mode", ["sum", "mean", "max"])
def test_embedding_bag_include_last_offset_bags_as_torch(offsets, mode):
    # the last bag runs to the end of the input even when the final offset stops short
    w = np.arange(12.0).reshape(6, 2)
    idx, off = np.arange(6), np.array(offsets)
    want = TF.embedding_bag(torch.tensor(idx), torch.tensor(w), torch.tensor(off), mode=mode,
                            include_last_offset=True).numpy()
    got = F.embedding_bag(cg.tensor(idx), cg.tensor(w), cg.tensor(off), mode=mode,
                          include_last_offset=True).numpy()
    np.testing.assert_allclose(got, want, rtol=1e-12)
