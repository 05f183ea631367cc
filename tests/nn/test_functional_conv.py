"""The convolution ops behind F.conv2d and F.conv_transpose2d (ops/conv.py:
convolution2d, convolution2d_input, convolution2d_weight): values and gradients against
torch, float64 gradients against finite differences, second order, forward mode, static
graphs, float32 kept float32, batches split into several chunks, and errors."""

import numpy as np
import pytest

import compgraph as cg
import compgraph.nn.functional as F
from compgraph.functions import dispatch
from compgraph.ops import conv as conv_ops
from compgraph.ops import get_op

RNG = np.random.default_rng(3)

GEOMETRIES = [  # (N, C, H, W), (O, kh, kw), stride, pad, dilation
    ((2, 3, 7, 6), (4, 3, 2), (2, 1), (1, 0), (1, 2)),
    ((3, 2, 9, 9), (3, 3, 3), 1, 1, 1),
    ((2, 1, 8, 5), (2, 2, 3), (1, 2), (0, 2), (2, 1)),
    ((1, 2, 5, 5), (2, 5, 5), 1, 0, 1),
]


def _attrs(s, p, d):
    return {"stride": s, "pad": p, "dilation": d}


def conv(x, w, b, s=1, p=0, d=1):
    return dispatch(get_op("convolution2d"), (x, w, b), _attrs(s, p, d))


def conv_input(g, w, shape, s=1, p=0, d=1):
    return dispatch(get_op("convolution2d_input"), (g, w), {"shape": shape, **_attrs(s, p, d)})


def conv_weight(x, g, kh, kw, s=1, p=0, d=1):
    return dispatch(get_op("convolution2d_weight"), (x, g), {"kh": kh, "kw": kw, **_attrs(s, p, d)})


def _case(geo):
    (n, c, h, w), (o, kh, kw), s, p, d = geo
    return RNG.normal(size=(n, c, h, w)), RNG.normal(size=(o, c, kh, kw)), RNG.normal(size=o)


@pytest.mark.parametrize("geo", GEOMETRIES)
def test_values_and_gradients_match_torch(geo):
    torch = pytest.importorskip("torch")
    x, w, b = _case(geo)
    _, _, s, p, d = geo
    tx, tw, tb = (torch.tensor(a, requires_grad=True) for a in (x, w, b))
    ty = torch.nn.functional.conv2d(tx, tw, tb, stride=s, padding=p, dilation=d)
    cx, cw, cb = (cg.tensor(a, requires_grad=True) for a in (x, w, b))
    y = conv(cx, cw, cb, s, p, d)
    np.testing.assert_allclose(y.numpy(), ty.detach().numpy(), rtol=1e-12, atol=1e-12)
    g = RNG.normal(size=ty.shape)
    ty.backward(torch.tensor(g))
    y.backward(g)
    for a, t in ((cx, tx), (cw, tw), (cb, tb)):
        np.testing.assert_allclose(a.grad.numpy(), t.grad.numpy(), rtol=1e-11, atol=1e-11)
    # the two gradient ops on their own are torch's gradients too
    np.testing.assert_allclose(
        conv_input(g, w, x.shape, s, p, d).numpy(), tx.grad.numpy(), rtol=1e-11, atol=1e-11
    )
    np.testing.assert_allclose(
        conv_weight(x, g, w.shape[2], w.shape[3], s, p, d).numpy(),
        tw.grad.numpy(),
        rtol=1e-11,
        atol=1e-11,
    )


@pytest.mark.parametrize("geo", GEOMETRIES[:3])
def test_gradcheck_first_and_second_order(geo):
    x, w, b = _case(geo)
    _, _, s, p, d = geo
    g = RNG.normal(size=conv(x, w, b, s, p, d).shape)
    assert cg.gradcheck(lambda x, w, b: conv(x, w, b, s, p, d), x, w, b)
    assert cg.gradcheck(lambda g, w: conv_input(g, w, x.shape, s, p, d), g, w)
    assert cg.gradcheck(lambda x, g: conv_weight(x, g, w.shape[2], w.shape[3], s, p, d), x, g)

    def first(x, w, b):  # gradients of a nonlinear loss, differentiated again
        gx, gw = cg.grad(lambda x, w: cg.sum(cg.sin(conv(x, w, b, s, p, d))), argnums=(0, 1))(x, w)
        return cg.sum(gx**2) + cg.sum(gw**3)

    assert cg.gradcheck(first, x, w, b, rtol=1e-3, atol=1e-5)


def test_forward_mode_equals_reverse_mode():
    x, w, b = _case(GEOMETRIES[0])
    _, _, s, p, d = GEOMETRIES[0]
    for k in range(3):
        fwd = cg.jacfwd(lambda *a: conv(*a, s, p, d), argnums=k)(x, w, b)
        rev = cg.jacrev(lambda *a: conv(*a, s, p, d), argnums=k)(x, w, b)
        np.testing.assert_allclose(np.asarray(fwd), np.asarray(rev), rtol=1e-10, atol=1e-12)


def test_static_graph_runs_compiles_and_differentiates():
    x, w, b = _case(GEOMETRIES[0])
    _, _, s, p, d = GEOMETRIES[0]
    want = conv(x, w, b, s, p, d).numpy()
    g = cg.Graph()
    sx, sw, sb = (
        g.input(n, shape=a.shape, dtype=a.dtype) for n, a in (("x", x), ("w", w), ("b", b))
    )
    y = conv(sx, sw, sb, s, p, d)
    assert y.shape == want.shape and y.dtype == want.dtype
    feed = {"x": x, "w": w, "b": b}
    np.testing.assert_allclose(g.run(y, feed), want, rtol=1e-12)
    np.testing.assert_allclose(g.compile(y)(**feed), want, rtol=1e-12)
    grads = g.gradients(cg.sum(cg.sin(y)), [sx, sw, sb])
    dyn = cg.grad(lambda *a: cg.sum(cg.sin(conv(*a, s, p, d))), argnums=(0, 1, 2))(x, w, b)
    for got, exp in zip(g.run(grads, feed), dyn):
        np.testing.assert_allclose(got, np.asarray(exp), rtol=1e-10, atol=1e-12)


def test_float32_stays_float32_and_int_bias_scalar():
    x, w, b = (a.astype(np.float32) for a in _case(GEOMETRIES[1]))
    cx, cw, cb = (cg.tensor(a, requires_grad=True) for a in (x, w, b))
    y = F.conv2d(cx, cw, cb, padding=1)
    assert y.dtype == np.float32
    cg.sum(y * y).backward()
    assert cx.grad.dtype == cw.grad.dtype == cb.grad.dtype == np.float32
    assert F.conv2d(cx, cw).dtype == np.float32  # no bias: a Python 0.0, weak


@pytest.mark.parametrize("geo", GEOMETRIES)
def test_batches_in_several_chunks_give_the_same_numbers(geo, monkeypatch):
    x, w, b = _case(geo)
    _, _, s, p, d = geo
    x = np.concatenate([x] * 3)  # more images, then chunks of one image each
    g = RNG.normal(size=conv(x, w, b, s, p, d).shape)
    whole = (
        conv(x, w, b, s, p, d).numpy(),
        conv_input(g, w, x.shape, s, p, d).numpy(),
        conv_weight(x, g, w.shape[2], w.shape[3], s, p, d).numpy(),
    )
    monkeypatch.setattr(conv_ops, "_CHUNK", 1)
    assert len(list(conv_ops._chunks(x.shape[0], 10))) == x.shape[0]
    split = (
        conv(x, w, b, s, p, d).numpy(),
        conv_input(g, w, x.shape, s, p, d).numpy(),
        conv_weight(x, g, w.shape[2], w.shape[3], s, p, d).numpy(),
    )
    for a, c in zip(whole, split):
        np.testing.assert_allclose(a, c, rtol=1e-12, atol=1e-12)


def test_lenet_shapes_match_torch_in_float32():
    torch = pytest.importorskip("torch")
    x = RNG.normal(size=(64, 1, 28, 28)).astype(np.float32)
    w1, w2 = (RNG.normal(size=s).astype(np.float32) * 0.2 for s in ((6, 1, 5, 5), (16, 6, 5, 5)))
    cx, c1, c2 = (
        cg.tensor(x, requires_grad=True),
        cg.tensor(w1, requires_grad=True),
        cg.tensor(w2, requires_grad=True),
    )
    tx, t1, t2 = (torch.tensor(a, requires_grad=True) for a in (x, w1, w2))
    y = F.conv2d(F.max_pool2d(F.relu(F.conv2d(cx, c1)), 2), c2)
    ty = torch.nn.functional.conv2d(
        torch.nn.functional.max_pool2d(torch.relu(torch.nn.functional.conv2d(tx, t1)), 2), t2
    )
    np.testing.assert_allclose(y.numpy(), ty.detach().numpy(), rtol=1e-4, atol=1e-4)
    cg.sum(y * y).backward()
    (ty * ty).sum().backward()
    for a, t in ((cx, tx), (c1, t1), (c2, t2)):
        np.testing.assert_allclose(a.grad.numpy(), t.grad.numpy(), rtol=2e-3, atol=2e-3)


def test_errors_name_the_op_and_shapes():
    x, w, b = _case(GEOMETRIES[1])
    with pytest.raises(ValueError, match="convolution2d.*weight"):
        conv(x, w[:, :1], b)
    with pytest.raises(ValueError, match="convolution2d.*does not fit"):
        conv(x[:, :, :2, :2], w, b)
    with pytest.raises(ValueError, match="bias"):
        conv(x, w, np.ones(5))
    with pytest.raises(ValueError, match="convolution2d_input.*gradient"):
        conv_input(np.ones((3, 3, 4, 4)), w, x.shape, 1, 1, 1)
    with pytest.raises(ValueError, match="convolution2d_weight.*gradient"):
        conv_weight(x, np.ones((3, 3, 4, 4)), 3, 3, 1, 1, 1)
    with pytest.raises(ValueError, match=">= 1"):
        conv(x, w, b, s=0)


# ------------------------------------------------------------------ tiled max pooling
def window_max(x, kh, kw):
    return dispatch(get_op("window_max"), (x,), {"kh": kh, "kw": kw})


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("k", [2, (2, 3), 1])
def test_tiled_max_pool_with_ties_matches_torch(dtype, k):
    torch = pytest.importorskip("torch")
    x = np.maximum(RNG.normal(size=(3, 2, 6, 6)), 0).astype(dtype)  # many tied zeros
    x[0, 0, :2, :2] = 1.5  # a window of four equal maxima
    cx, tx = cg.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    y, ty = F.max_pool2d(cx, k), torch.nn.functional.max_pool2d(tx, k)
    assert y.dtype == dtype
    np.testing.assert_array_equal(y.numpy(), ty.detach().numpy())
    g = RNG.normal(size=ty.shape).astype(dtype)
    cg.sum(y * g).backward()
    (ty * torch.tensor(g)).sum().backward()
    np.testing.assert_array_equal(cx.grad.numpy(), tx.grad.numpy())


def test_tiled_max_pool_nan_is_the_maximum_and_takes_the_gradient():
    torch = pytest.importorskip("torch")
    x = RNG.normal(size=(1, 1, 4, 4))
    x[0, 0, 1, 0] = np.nan
    cx, tx = cg.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    y, ty = F.max_pool2d(cx, 2), torch.nn.functional.max_pool2d(tx, 2)
    np.testing.assert_array_equal(y.numpy(), ty.detach().numpy())
    cg.sum(y).backward()
    ty.sum().backward()
    np.testing.assert_array_equal(cx.grad.numpy(), tx.grad.numpy())
    g = np.full((1, 1, 2, 2), np.inf)  # an infinite gradient stays where it belongs
    spread = dispatch(get_op("window_spread"), (g, x, y.numpy()), {"kh": 2, "kw": 2}).numpy()
    assert np.isinf(spread).sum() == 4 and (spread[~np.isinf(spread)] == 0).all()


def test_tiled_max_pool_derivatives_of_every_order():
    x = RNG.permutation(96).reshape(2, 3, 4, 4) / 7.0  # distinct: differentiable
    assert cg.gradcheck(lambda x: window_max(x, 2, 2), x)

    def first(x):
        return cg.sum(cg.grad(lambda x: cg.sum(window_max(x, 2, 2) ** 3))(x) ** 2)

    assert cg.gradcheck(first, x, rtol=1e-3, atol=1e-5)
    fwd = cg.jacfwd(lambda x: window_max(x, 2, 2))(x)
    rev = cg.jacrev(lambda x: window_max(x, 2, 2))(x)
    np.testing.assert_array_equal(np.asarray(fwd), np.asarray(rev))
    g = cg.Graph()
    s = g.input("x", shape=x.shape, dtype=x.dtype)
    y = window_max(s, 2, 2)
    (gx,) = g.gradients(cg.sum(y * y), [s])
    want = cg.grad(lambda x: cg.sum(window_max(x, 2, 2) ** 2))(x)
    np.testing.assert_allclose(g.compile([y, gx])(x)[1], np.asarray(want), rtol=1e-12)


def test_window_max_errors():
    with pytest.raises(ValueError, match="window_max.*tile"):
        window_max(np.ones((1, 1, 5, 4)), 2, 2)


def test_traced_and_saved_graphs_of_a_small_cnn(tmp_path):
    """cg.function traces forward and gradients through the conv and pool ops, and a
    static graph holding them saves and loads (attributes checked on load)."""
    x = RNG.normal(size=(3, 2, 8, 8))
    w1, b1, w2 = RNG.normal(size=(4, 2, 3, 3)), RNG.normal(size=4), RNG.normal(size=(3, 4, 3, 3))

    def loss(x, w1, b1, w2):
        h = F.max_pool2d(F.relu(F.conv2d(x, w1, b1, padding=1)), 2)
        return cg.sum(F.conv2d(h, w2, stride=2) ** 2)

    want = cg.value_and_grad(loss, argnums=(1, 2, 3))(x, w1, b1, w2)
    got = cg.function(cg.value_and_grad(loss, argnums=(1, 2, 3)))(x, w1, b1, w2)
    np.testing.assert_allclose(np.asarray(got[0]), np.asarray(want[0]), rtol=1e-12)
    for a, b in zip(got[1], want[1]):
        np.testing.assert_allclose(np.asarray(a), np.asarray(b), rtol=1e-10, atol=1e-12)
    g = cg.Graph()
    syms = [
        g.input(n, shape=a.shape, dtype=a.dtype)
        for n, a in (("x", x), ("w1", w1), ("b1", b1), ("w2", w2))
    ]
    y = loss(*syms)
    dw = g.gradients(y, syms[1:])
    path = str(tmp_path / "cnn.npz")
    g.save(path)
    g2 = cg.Graph.load(path)
    feed = {"x": x, "w1": w1, "b1": b1, "w2": w2}
    outs = g2.run([y.name] + [d.name for d in dw], feed)
    np.testing.assert_allclose(outs[0], np.asarray(want[0]), rtol=1e-12)
    for a, b in zip(outs[1:], want[1]):
        np.testing.assert_allclose(a, np.asarray(b), rtol=1e-10, atol=1e-12)
