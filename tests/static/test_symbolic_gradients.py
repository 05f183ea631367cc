"""Graph.gradients: symbolic reverse mode, checked against the dynamic engine and torch.

``EXPRS`` holds scalar expressions written once for compgraph values (Tensors
or Symbols) and once for torch.  For each, the symbolic gradients (new nodes of
the same graph) are run and compiled, and compared with
``cg.autodiff.grad`` on Tensors and with ``torch.autograd.grad``.  The
second-order tests differentiate the symbolic gradients again and compare with
torch's double backward.
"""
from __future__ import annotations

import numpy as np
import pytest

import compgraph as cg
from compgraph.static import Symbol
from helpers import case_inputs, make_input, stable_seed

torch = pytest.importorskip("torch")


@pytest.fixture(autouse=True)
def _torch_float64():
    """torch's default dtype float64 for these tests only (not for every later test)."""
    old = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    yield
    torch.set_default_dtype(old)


ONEHOT = np.eye(4)[[1, 3, 0]]

# (id, compgraph fn, torch fn, ((kind, shape), ...)); every fn returns a scalar.
EXPRS = [
    ("broadcast_mul_add", lambda a, b, c: (a * b + c).sum(),
     lambda a, b, c: (a * b + c).sum(), (("any", (3, 4)), ("any", (4,)), ("any", (3, 1)))),
    ("broadcast_div_sub", lambda a, b: ((a - b) / b).sum(),
     lambda a, b: ((a - b) / b).sum(), (("any", (2, 3, 4)), ("nz", (1, 4)))),
    ("power_both_broadcast", lambda a, b: (a ** b).sum(),
     lambda a, b: (a ** b).sum(), (("pos", (3,)), ("any", (2, 3)))),
    ("power_scalar_exponents", lambda a: (a ** 3 - 2.0 ** a + a ** 0.5).sum(),
     lambda a: (a ** 3 - 2.0 ** a + a ** 0.5).sum(), (("pos", (4,)),)),
    ("sum_axis", lambda a: (a.sum(axis=1) ** 2).sum(),
     lambda a: (a.sum(dim=1) ** 2).sum(), (("any", (2, 3, 4)),)),
    ("sum_neg_axis_keepdims", lambda a: (a * cg.sum(a, axis=-1, keepdims=True)).sum(),
     lambda a: (a * a.sum(dim=-1, keepdim=True)).sum(), (("any", (3, 4)),)),
    ("mean_axes_keepdims", lambda a: (a * a.mean(axis=(0, 2), keepdims=True)).sum(),
     lambda a: (a * a.mean(dim=(0, 2), keepdim=True)).sum(), (("any", (2, 3, 4)),)),
    ("max_axis", lambda a, w: (a.max(axis=1) * w).sum(),
     lambda a, w: (a.amax(dim=1) * w).sum(), (("distinct", (3, 4)), ("any", (3,)))),
    ("min_all", lambda a: a.min() * 3.0,
     lambda a: a.amin() * 3.0, (("distinct", (2, 3)),)),
    ("matmul_2d", lambda x, w: cg.tanh(x @ w).sum(),
     lambda x, w: torch.tanh(x @ w).sum(), (("any", (5, 4)), ("any", (4, 3)))),
    ("matmul_batched", lambda a, b: cg.sin(a @ b).sum(),
     lambda a, b: torch.sin(a @ b).sum(), (("any", (2, 3, 4)), ("any", (4, 5)))),
    ("matmul_batched_both", lambda a, b: (cg.matmul(a, b) ** 2).sum(),
     lambda a, b: (a @ b).pow(2).sum(), (("any", (2, 3, 4)), ("any", (1, 4, 2)))),
    ("matmul_vec", lambda v, m: v @ m @ v,
     lambda v, m: v @ m @ v, (("any", (3,)), ("any", (3, 3)))),
    ("dot_vec_mat", lambda v, m: cg.dot(v, m).sum(),
     lambda v, m: (v @ m).sum(), (("any", (3,)), ("any", (3, 2)))),
    ("index_basic", lambda a: (a[1:, ::2] ** 2).sum() + a[0, -1],
     lambda a: (a[1:, ::2] ** 2).sum() + a[0, -1], (("any", (3, 4)),)),
    ("index_int_array_repeats", lambda a, w: (a[[0, 2, 2, 1]] * w).sum(),
     lambda a, w: (a[[0, 2, 2, 1]] * w).sum(), (("any", (3, 4)), ("any", (4, 4)))),
    ("index_mixed", lambda a: cg.exp(a[:, [1, 1, 3]]).sum(),
     lambda a: torch.exp(a[:, [1, 1, 3]]).sum(), (("any", (3, 4)),)),
    ("index_newaxis_negstep", lambda a, b: (a[::-1, None] * b).sum(),
     lambda a, b: (torch.flip(a, [0])[:, None] * b).sum(), (("any", (4,)), ("any", (2,)))),
    ("cross_entropy", lambda z: -(cg.log_softmax(z, axis=1) * ONEHOT).sum() / 3,
     lambda z: -(torch.log_softmax(z, dim=1) * torch.tensor(ONEHOT)).sum() / 3,
     (("any", (3, 4)),)),
    ("softmax_weighted", lambda z, w: (cg.softmax(z, axis=0) * w).sum(),
     lambda z, w: (torch.softmax(z, dim=0) * w).sum(), (("any", (3, 4)), ("any", (3, 4)))),
    ("logsumexp_axis0", lambda z: cg.logsumexp(z, axis=0).sum(),
     lambda z: torch.logsumexp(z, dim=0).sum(), (("any", (3, 4)),)),
    ("where", lambda a, b: cg.where(a > 0, a * b, b ** 2).sum(),
     lambda a, b: torch.where(a > 0, a * b, b ** 2).sum(), (("nz", (3, 4)), ("any", (4,)))),
    ("maximum_minimum", lambda a, b: (cg.maximum(a, b) * cg.minimum(a, 0.0)).sum(),
     lambda a, b: (torch.maximum(a, b) * torch.minimum(a, torch.tensor(0.0))).sum(),
     (("grid1", (3, 4)), ("grid0", (4,)))),
    ("concat_stack", lambda a, b: (cg.concatenate([a, b], axis=1) ** 2).sum()
     + (cg.stack([a, a * 2], axis=0) * a).sum(),
     lambda a, b: (torch.cat([a, b], dim=1) ** 2).sum() + (torch.stack([a, a * 2], 0) * a).sum(),
     (("any", (3, 2)), ("any", (3, 4)))),
    ("reshape_transpose", lambda a, m: (a.reshape(4, 3).T @ m).sum(),
     lambda a, m: (a.reshape(4, 3).T @ m).sum(), (("any", (3, 4)), ("any", (4, 2)))),
    ("shape_ops", lambda a: (cg.swapaxes(cg.expand_dims(a, 2), 0, 1) * cg.broadcast_to(
        cg.squeeze(a[None], 0).T[:, :, None], (4, 3, 5)) ** 2).sum(),
     lambda a: (a.unsqueeze(2).transpose(0, 1) * a.T[:, :, None].expand(4, 3, 5) ** 2).sum(),
     (("any", (3, 4)),)),
    ("unary_mix", lambda a, b, c: (cg.sigmoid(a) * cg.relu(b) + abs(b) * cg.log(c)
                                   + cg.sqrt(c) * cg.cos(a) - cg.tan(a * 0.3)).sum(),
     lambda a, b, c: (torch.sigmoid(a) * torch.relu(b) + b.abs() * c.log() + c.sqrt() * a.cos()
                      - torch.tan(a * 0.3)).sum(),
     (("any", (3,)), ("nz", (3,)), ("pos", (3,)))),
    ("clip", lambda a, b: (cg.clip(a, -0.5, 0.5) * b).sum(),
     lambda a, b: (torch.clamp(a, -0.5, 0.5) * b).sum(), (("clip", (3, 4)), ("any", (3, 4)))),
    ("stop_gradient", lambda a: (a * cg.stop_gradient(a) ** 2).sum(),
     lambda a: (a * a.detach() ** 2).sum(), (("any", (4,)),)),
    ("mlp", lambda x, w1, b1, w2: (cg.relu(x @ w1 + b1) @ w2).mean(),
     lambda x, w1, b1, w2: (torch.relu(x @ w1 + b1) @ w2).mean(),
     (("any", (6, 4)), ("any", (4, 5)), ("any", (5,)), ("any", (5, 2)))),
]
IDS = [e[0] for e in EXPRS]


def _static(fn, arrays, declare=True):
    g = cg.Graph()
    xs = [g.input(f"x{i}", a.shape if declare else None, a.dtype if declare else None)
          for i, a in enumerate(arrays)]
    y = fn(*xs)
    return g, xs, y


def _dynamic_grads(fn, arrays):
    ts = [cg.tensor(a, requires_grad=True) for a in arrays]
    y = fn(*ts)
    return y.data, [g.data for g in cg.autodiff.grad(y, ts)]


def _torch_grads(fn, arrays):
    ts = [torch.tensor(a, requires_grad=True) for a in arrays]
    y = fn(*ts)
    return y.detach().numpy(), [g.numpy() for g in torch.autograd.grad(y, ts)]


@pytest.mark.parametrize("case_id,fn,th,specs", EXPRS, ids=IDS)
def test_gradients_match_dynamic_engine_and_torch(case_id, fn, th, specs):
    arrays = case_inputs(case_id, specs)
    g, xs, y = _static(fn, arrays)
    n_before = len(g)
    grads = g.gradients(y, xs)
    assert isinstance(grads, list) and len(grads) == len(xs)
    assert all(isinstance(d, Symbol) and d.graph is g for d in grads)
    assert len(g) > n_before  # new nodes of the same graph
    feeds = {x: a for x, a in zip(xs, arrays)}
    got = g.run([y, *grads], feeds)
    dyn_y, dyn = _dynamic_grads(fn, arrays)
    th_y, th_g = _torch_grads(th, arrays)
    np.testing.assert_allclose(got[0], dyn_y, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(got[0], th_y, rtol=1e-9, atol=1e-12)
    for i, (d, x, a) in enumerate(zip(got[1:], xs, arrays)):
        assert d.shape == a.shape, (i, d.shape, a.shape)
        assert d.dtype == a.dtype
        assert grads[i].shape in (None, a.shape)
        np.testing.assert_allclose(d, dyn[i], rtol=1e-10, atol=1e-12, err_msg=f"input {i} vs cg")
        np.testing.assert_allclose(d, th_g[i], rtol=1e-8, atol=1e-10, err_msg=f"input {i} vs torch")
    # Compiled (optimised) gradients give the same values.
    fn_c = g.compile([y, *grads])
    for c, r in zip(fn_c(*arrays), got):
        np.testing.assert_allclose(c, r, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("case_id,fn,th,specs",
                         [e for e in EXPRS if e[0] in (
                             "broadcast_mul_add", "broadcast_div_sub", "power_both_broadcast",
                             "matmul_2d", "where", "maximum_minimum", "unary_mix",
                             "index_int_array_repeats")],
                         ids=lambda v: v if isinstance(v, str) else "")
def test_gradients_with_open_shapes(case_id, fn, th, specs):
    """Inputs declared with no shape/dtype: broadcast gradients are still summed back."""
    arrays = case_inputs(case_id, specs)
    g, xs, y = _static(fn, arrays, declare=False)
    grads = g.gradients(y, xs)
    got = g.run(grads, dict(zip(xs, arrays)))
    _, dyn = _dynamic_grads(fn, arrays)
    for d, e, a in zip(got, dyn, arrays):
        assert d.shape == a.shape
        np.testing.assert_allclose(d, e, rtol=1e-10, atol=1e-12)
    for c, e in zip(g.compile(grads)(*arrays), dyn):
        np.testing.assert_allclose(c, e, rtol=1e-10, atol=1e-12)


def test_open_shape_broadcast_gradients_are_summed_back():
    """No reduction in y (the default grad_ys are ones): only broadcasting to undo."""
    rng = np.random.default_rng(4)
    a, b, c = rng.standard_normal((3, 4)), rng.standard_normal((4,)), rng.standard_normal((3, 1))
    g = cg.Graph()
    x, w, v = g.input("x"), g.input("w"), g.input("v")
    y = cg.sin(x * w) / (2.0 + cg.exp(v))
    grads = g.gradients(y, [x, w, v])
    got = g.run(grads, {"x": a, "w": b, "v": c})
    ts = [torch.tensor(t, requires_grad=True) for t in (a, b, c)]
    ty = torch.sin(ts[0] * ts[1]) / (2.0 + torch.exp(ts[2]))
    ref = torch.autograd.grad(ty, ts, torch.ones_like(ty))
    for d, r in zip(got, ref):
        assert d.shape == r.shape
        np.testing.assert_allclose(d, r.numpy(), rtol=1e-12, atol=1e-14)
    for d, r in zip(g.compile(grads)(a, b, c), ref):
        np.testing.assert_allclose(d, r.numpy(), rtol=1e-12, atol=1e-14)


LOSSES = [
    ("sum", lambda h: (h ** 2).sum(), lambda h: (h ** 2).sum()),
    ("mean", lambda h: (h ** 2).mean(), lambda h: (h ** 2).mean()),
    ("mean_axis0", lambda h: (h ** 2).mean(axis=0).sum(), lambda h: (h ** 2).mean(0).sum()),
    ("reshape", lambda h: (h.reshape(-1) ** 2).sum(), lambda h: (h.reshape(-1) ** 2).sum()),
    ("log_softmax_pick", lambda h: -cg.log_softmax(h, axis=1)[:, 0].sum(),
     lambda h: -torch.log_softmax(h, 1)[:, 0].sum()),
    ("concatenate", lambda h: (cg.concatenate([h, h * 2], axis=0) ** 2).sum(),
     lambda h: (torch.cat([h, h * 2], 0) ** 2).sum()),
]


@pytest.mark.parametrize("name,loss,th_loss", LOSSES, ids=[l[0] for l in LOSSES])
def test_open_batch_dimension_gradients_match_torch(name, loss, th_loss):
    """The usual TF declaration: x of shape (None, 4), parameters of known shape."""
    rng = np.random.default_rng(6)
    g = cg.Graph()
    x = g.input("x", (None, 4), "float64")
    w = g.input("w", (4, 3), "float64")
    b = g.input("b", (3,), "float64")
    y = loss(cg.tanh(x @ w + b))
    grads = g.gradients(y, [x, w, b])
    fn = g.compile(grads)
    for rows in (1, 5):
        feeds = {"x": rng.standard_normal((rows, 4)), "w": rng.standard_normal((4, 3)),
                 "b": rng.standard_normal(3)}
        ts = [torch.tensor(v, requires_grad=True) for v in feeds.values()]
        ref = torch.autograd.grad(th_loss(torch.tanh(ts[0] @ ts[1] + ts[2])), ts)
        for got in (g.run(grads, feeds), fn(**feeds)):
            for d, r in zip(got, ref):
                assert d.shape == r.shape
                np.testing.assert_allclose(d, r.numpy(), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("case_id", ["broadcast_mul_add", "matmul_2d", "cross_entropy",
                                     "index_int_array_repeats", "mean_axes_keepdims"])
def test_float32_gradients_stay_float32(case_id):
    _, fn, th, specs = EXPRS[IDS.index(case_id)]
    a64 = case_inputs(case_id, specs)
    a32 = [a.astype(np.float32) for a in a64]
    g, xs, y = _static(fn, a32)
    grads = g.gradients(y, xs)
    assert all(d.dtype in (None, np.float32) for d in grads)
    got = g.run(grads, dict(zip(xs, a32)))
    comp = g.compile(grads)(*a32)
    _, ref = _dynamic_grads(fn, a64)
    for d, c, r in zip(got, comp, ref):
        assert d.dtype == np.float32 and c.dtype == np.float32
        np.testing.assert_allclose(d, r, rtol=2e-4, atol=1e-5)
        np.testing.assert_allclose(c, r, rtol=2e-4, atol=1e-5)


def test_mixed_precision_gradient_has_each_inputs_dtype():
    rng = np.random.default_rng(1)
    a = rng.standard_normal((3,)).astype(np.float32)
    b = rng.standard_normal((3,))
    g = cg.Graph()
    x, w = g.input("x", (3,), "float32"), g.input("w", (3,), "float64")
    y = (x * w).sum()
    assert y.dtype == np.float64
    dx, dw = g.gradients(y, [x, w])
    rx, rw = g.run([dx, dw], {"x": a, "w": b})
    assert rx.dtype == np.float32 and rw.dtype == np.float64
    np.testing.assert_allclose(rx, b.astype(np.float32), rtol=1e-6)
    np.testing.assert_allclose(rw, a.astype(np.float64), rtol=1e-12)


def test_non_scalar_ys_with_and_without_grad_ys():
    rng = np.random.default_rng(2)
    a, b = rng.standard_normal((3, 4)), rng.standard_normal((4,))
    gy = rng.standard_normal((3, 4))
    g = cg.Graph()
    x, w = g.input("x", (3, 4), "float64"), g.input("w", (4,), "float64")
    y = cg.sin(x) * w
    # Default: the gradient of the sum of y (TF semantics).
    dx, dw = g.run(g.gradients(y, [x, w]), {"x": a, "w": b})
    np.testing.assert_allclose(dx, np.cos(a) * b, rtol=1e-12)
    np.testing.assert_allclose(dw, np.sin(a).sum(0), rtol=1e-12)
    # With grad_ys: a vector-Jacobian product (ndarray, or a node of the graph).
    for seed in (gy, g.constant(gy)):
        dx, dw = g.run(g.gradients(y, [x, w], grad_ys=seed), {"x": a, "w": b})
        tx, tw = torch.tensor(a, requires_grad=True), torch.tensor(b, requires_grad=True)
        ex, ew = torch.autograd.grad(torch.sin(tx) * tw, [tx, tw], torch.tensor(gy))
        np.testing.assert_allclose(dx, ex.numpy(), rtol=1e-12)
        np.testing.assert_allclose(dw, ew.numpy(), rtol=1e-12)


def test_several_ys_are_summed():
    g = cg.Graph()
    x = g.input("x", (2,), "float64")
    y1 = (x ** 2).sum()
    y2 = cg.exp(x).sum()
    d = g.gradients([y1, y2], x)
    assert isinstance(d, Symbol)
    a = np.array([0.5, -1.0])
    np.testing.assert_allclose(g.run(d, {"x": a}), 2 * a + np.exp(a), rtol=1e-12)
    gy1 = np.float64(2.0)
    d2 = g.gradients([y1, y2], [x], grad_ys=[gy1, 3.0])
    np.testing.assert_allclose(g.run(d2, {"x": a})[0], 2 * 2 * a + 3 * np.exp(a), rtol=1e-12)


def test_unconnected_input_gets_zeros_of_its_shape():
    g = cg.Graph()
    x = g.input("x", (2, 3), "float32")
    z = g.input("z", (4,), "float32")
    y = (x * 2).sum()
    dz, dx = g.gradients(y, [z, x])
    rz, rx = g.run([dz, dx], {"x": np.ones((2, 3), np.float32), "z": np.ones(4, np.float32)})
    np.testing.assert_array_equal(rz, np.zeros(4, np.float32))
    assert rz.dtype == np.float32
    np.testing.assert_array_equal(rx, np.full((2, 3), 2.0, np.float32))


def test_gradient_with_respect_to_an_intermediate_node():
    rng = np.random.default_rng(3)
    a = rng.standard_normal((3,))
    g = cg.Graph()
    x = g.input("x", (3,), "float64")
    u = cg.sin(x)
    y = (u * u * x).sum()
    du = g.gradients(y, u)
    np.testing.assert_allclose(g.run(du, {"x": a}), 2 * np.sin(a) * a, rtol=1e-12)
    t = cg.tensor(a, requires_grad=True)
    tu = cg.sin(t)
    (ref,) = cg.autodiff.grad((tu * tu * t).sum(), [tu])
    np.testing.assert_allclose(g.run(du, {"x": a}), ref.data, rtol=1e-12)


def test_gradient_of_y_with_respect_to_itself_is_ones():
    g = cg.Graph()
    x = g.input("x", (2,), "float64")
    y = x * 3
    np.testing.assert_array_equal(g.run(g.gradients(y, y), {"x": np.ones(2)}), np.ones(2))


def test_gradient_of_integer_input_is_a_type_error():
    g = cg.Graph()
    i = g.input("i", (3,), "int64")
    x = g.input("x", (3,), "float64")
    y = (x * i).sum()
    with pytest.raises(TypeError, match="'i'"):
        g.gradients(y, [x, i])


def test_comparison_and_sign_block_gradients():
    g = cg.Graph()
    x = g.input("x", (3,), "float64")
    y = (cg.where(x > 0, x, -x) + cg.sign(x) * 5.0).sum()
    d = g.gradients(y, x)
    a = np.array([-1.5, 0.5, 2.0])
    np.testing.assert_allclose(g.run(d, {"x": a}), np.sign(a))


@pytest.mark.parametrize("declare", [True, False], ids=["declared", "open"])
def test_gradients_are_ordinary_nodes_that_optimise_and_compile(declare):
    g = cg.Graph()
    kw = {"shape": (), "dtype": "float64"} if declare else {}
    a, b = g.input("a", **kw), g.input("b", **kw)
    y = (a - b) * (a + b)
    da, db = g.gradients(y, [a, b])
    opt = g.optimize(keep=[y, da, db])
    if declare:  # ones_like folds, x*1 and no-op sum_to go: the graph shrinks
        assert len(opt) < len(g)
    else:
        assert len(opt) <= len(g)
    out = opt.run([opt[y.name], opt[da.name], opt[db.name]], {"a": 3.0, "b": 1.0})
    assert [float(v) for v in out] == [8.0, 6.0, -2.0]
    # and the gradients can be differentiated again (d2y/da2 = 2, d2y/db2 = -2)
    dda = g.gradients(da, a)
    ddb = g.gradients(db, b)
    assert [float(v) for v in g.compile([dda, ddb])(a=3.0, b=1.0)] == [2.0, -2.0]


# ============================================================ second order

def _torch_hvp(th, arrays, wrt, vs):
    ts = [torch.tensor(a, requires_grad=True) for a in arrays]
    y = th(*ts)
    gs = torch.autograd.grad(y, [ts[i] for i in wrt], create_graph=True)
    s = sum((gi * torch.tensor(v)).sum() for gi, v in zip(gs, vs))
    return [t.numpy() for t in torch.autograd.grad(s, ts, allow_unused=True, materialize_grads=True)]


SECOND = [
    ("tanh_sq", lambda x, w: (cg.tanh(x) ** 2 * w).sum(),
     lambda x, w: (torch.tanh(x) ** 2 * w).sum(), (("any", (4,)), ("any", (4,)))),
    ("sin_matmul", lambda x, m: cg.sin(x @ m).sum(),
     lambda x, m: torch.sin(x @ m).sum(), (("any", (2, 3)), ("any", (3, 4)))),
    ("broadcast_exp", lambda a, b: cg.exp(a * b).sum(),
     lambda a, b: torch.exp(a * b).sum(), (("small_any", (3, 4)), ("small_any", (4,)))),
    ("logsumexp_axis", lambda z: cg.logsumexp(z, axis=1).sum(),
     lambda z: torch.logsumexp(z, dim=1).sum(), (("any", (3, 4)),)),
    ("softmax_ce", lambda z: -(cg.log_softmax(z, axis=1) * ONEHOT).sum(),
     lambda z: -(torch.log_softmax(z, dim=1) * torch.tensor(ONEHOT)).sum(), (("any", (3, 4)),)),
    ("indexing_cubed", lambda x: (x[[0, 0, 2]] ** 3).sum() + (x[1:] * x[:-1]).sum(),
     lambda x: (x[[0, 0, 2]] ** 3).sum() + (x[1:] * x[:-1]).sum(), (("any", (4,)),)),
    ("reductions", lambda a: (a.sum(axis=0) ** 2).sum() * a.mean(),
     lambda a: (a.sum(dim=0) ** 2).sum() * a.mean(), (("any", (3, 2)),)),
    ("div_pow", lambda a, b: (a / b + b ** a).sum(),
     lambda a, b: (a / b + b ** a).sum(), (("any", (3,)), ("pos", (3,)))),
    ("sigmoid_mlp", lambda x, w, v: (cg.sigmoid(x @ w) @ v).sum(),
     lambda x, w, v: (torch.sigmoid(x @ w) @ v).sum(),
     (("any", (3, 2)), ("any", (2, 4)), ("any", (4,)))),
]


def _second_arrays(case_id, specs):
    rng = np.random.default_rng(stable_seed("2" + case_id))
    out = []
    for kind, shape in specs:
        if kind == "small_any":
            out.append(rng.uniform(-0.7, 0.7, shape))
        else:
            out.append(make_input(kind, shape, rng))
    return out


@pytest.mark.parametrize("case_id,fn,th,specs", SECOND, ids=[s[0] for s in SECOND])
def test_second_order_hessian_vector_products_match_torch(case_id, fn, th, specs):
    arrays = _second_arrays(case_id, specs)
    rng = np.random.default_rng(7)
    vs = [rng.standard_normal(a.shape) for a in arrays]
    g, xs, y = _static(fn, arrays)
    first = g.gradients(y, xs)
    s = None
    for d, v in zip(first, vs):
        term = (d * v).sum()
        s = term if s is None else s + term
    second = g.gradients(s, xs)
    assert all(isinstance(d, Symbol) and d.graph is g for d in second)
    got = g.run(second, dict(zip(xs, arrays)))
    ref = _torch_hvp(th, arrays, range(len(arrays)), vs)
    for i, (d, r) in enumerate(zip(got, ref)):
        assert d.shape == arrays[i].shape
        np.testing.assert_allclose(d, r, rtol=1e-8, atol=1e-10, err_msg=f"input {i}")
    comp = g.compile(second)(*arrays)
    for c, r in zip(comp, ref):
        np.testing.assert_allclose(c, r, rtol=1e-8, atol=1e-10)


def test_second_order_with_open_shapes_matches_torch():
    rng = np.random.default_rng(11)
    a, b = rng.uniform(-0.7, 0.7, (3, 4)), rng.uniform(-0.7, 0.7, (4,))
    v = rng.standard_normal((3, 4))
    g = cg.Graph()
    x, w = g.input("x"), g.input("w")
    y = cg.exp(x * w).sum()
    dx = g.gradients(y, x)
    hx, hw = g.gradients((dx * v).sum(), [x, w])
    got = g.run([hx, hw], {"x": a, "w": b})
    ref = _torch_hvp(lambda x, w: torch.exp(x * w).sum(), [a, b], [0], [v])
    for d, r in zip(got, ref):
        np.testing.assert_allclose(d, r, rtol=1e-10, atol=1e-12)


def test_full_hessian_matches_torch():
    rng = np.random.default_rng(5)
    a = rng.standard_normal(3)
    m = rng.standard_normal((3, 3))
    g = cg.Graph()
    x = g.input("x", (3,), "float64")
    y = cg.tanh((x[:, None] * m * x[None, :]).sum()) + (x ** 4).sum()
    d = g.gradients(y, x)
    rows = [g.gradients(d[i], x) for i in range(3)]
    hess = np.stack(g.compile(rows)(a))
    ref = torch.autograd.functional.hessian(
        lambda t: torch.tanh((t[:, None] * torch.tensor(m) * t[None, :]).sum()) + (t ** 4).sum(),
        torch.tensor(a))
    np.testing.assert_allclose(hess, ref.numpy(), rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(hess, hess.T, rtol=1e-9, atol=1e-12)


def test_third_order_scalar():
    g = cg.Graph()
    x = g.input("x", (), "float64")
    y = x ** 4 + cg.sin(x)
    d1 = g.gradients(y, x)
    d2 = g.gradients(d1, x)
    d3 = g.gradients(d2, x)
    out = g.compile([d1, d2, d3])(1.5)
    exp = [4 * 1.5 ** 3 + np.cos(1.5), 12 * 1.5 ** 2 - np.sin(1.5), 24 * 1.5 - np.cos(1.5)]
    np.testing.assert_allclose([float(o) for o in out], exp, rtol=1e-12)


def test_mixed_partials_match_torch():
    rng = np.random.default_rng(9)
    a, b = rng.standard_normal((2, 3)), rng.standard_normal((3,))
    v = rng.standard_normal((2, 3))
    g = cg.Graph()
    x, w = g.input("x", (2, 3), "float64"), g.input("w", (3,), "float64")
    y = (cg.sin(x * w) * w).sum()
    dx = g.gradients(y, x)
    dw_of_dx = g.gradients((dx * v).sum(), w)
    got = g.run(dw_of_dx, {"x": a, "w": b})
    tx, tw = torch.tensor(a, requires_grad=True), torch.tensor(b, requires_grad=True)
    (tdx,) = torch.autograd.grad((torch.sin(tx * tw) * tw).sum(), tx, create_graph=True)
    (ref,) = torch.autograd.grad((tdx * torch.tensor(v)).sum(), tw)
    np.testing.assert_allclose(got, ref.numpy(), rtol=1e-10, atol=1e-12)


def test_second_order_matches_dynamic_create_graph():
    rng = np.random.default_rng(13)
    a = rng.standard_normal((3, 2))
    fn = lambda x: (cg.softmax(x, axis=0) * cg.tanh(x)).sum()  # noqa: E731
    g = cg.Graph()
    x = g.input("x", (3, 2), "float64")
    d = g.gradients(fn(x), x)
    h = g.gradients(d.sum(), x)
    t = cg.tensor(a, requires_grad=True)
    (dt,) = cg.autodiff.grad(fn(t), [t], create_graph=True)
    (ht,) = cg.autodiff.grad(dt.sum(), [t])
    np.testing.assert_allclose(g.run(h, {"x": a}), ht.data, rtol=1e-10, atol=1e-12)
