"""Shape functions (ops/manip.py) and creation functions beyond their op samples:
gradients against PyTorch, NumPy dispatch and methods, lists of tensors, errors."""
from __future__ import annotations

import warnings

import numpy as np
import pytest
from helpers import optional_torch, skip_if_missing

import compgraph as cg

torch = optional_torch()
needs_torch = skip_if_missing(torch)


def _grads(f_cg, f_torch, *arrays, rng=None):
    """Gradients of sum(f(x) * w) for a random w, by compgraph and by torch."""
    rng = rng or np.random.default_rng(0)
    out = f_cg(*[cg.tensor(a) for a in arrays])
    w = rng.standard_normal(out.shape)
    got = cg.grad(lambda *xs: cg.sum(f_cg(*xs) * w), argnums=tuple(range(len(arrays))))(*arrays)
    ts = [torch.tensor(a, requires_grad=True) for a in arrays]
    (f_torch(*ts) * torch.tensor(w)).sum().backward()
    for g, t in zip(got, ts):
        np.testing.assert_allclose(g.numpy(), t.grad.numpy(), rtol=1e-12, atol=1e-12)
    return out


X = np.random.default_rng(1).standard_normal((3, 4, 5))

TORCH_CASES = {
    "roll": (lambda x: cg.roll(x, (2, -1), (0, 2)), lambda x: torch.roll(x, (2, -1), (0, 2))),
    "roll_flat": (lambda x: cg.roll(x, 7), lambda x: torch.roll(x, 7)),
    "flip": (lambda x: cg.flip(x, (0, 2)), lambda x: torch.flip(x, (0, 2))),
    "tril": (lambda x: cg.tril(x, -1), lambda x: torch.tril(x, -1)),
    "triu": (lambda x: cg.triu(x, 2), lambda x: torch.triu(x, 2)),
    "diagonal": (lambda x: cg.diagonal(x, 1, 2, 1), lambda x: torch.diagonal(x, 1, 2, 1)),
    "diag_embed": (lambda x: cg.diag_embed(x, -1), lambda x: torch.diag_embed(x, -1)),
    "trace": (lambda x: cg.trace(x[0]), lambda x: torch.trace(x[0])),
    "tile": (lambda x: cg.tile(x, (2, 1, 1, 3)), lambda x: torch.tile(x, (2, 1, 1, 3))),
    "repeat": (lambda x: cg.repeat(x, 3, axis=1), lambda x: torch.repeat_interleave(x, 3, 1)),
    "repeat_counts": (lambda x: cg.repeat(x, [1, 0, 3, 2], axis=1),
                      lambda x: torch.repeat_interleave(x, torch.tensor([1, 0, 3, 2]), 1)),
    "take_along_axis": (lambda x: cg.take_along_axis(x, np.argsort(X, 2)[..., :3], 2),
                        lambda x: torch.take_along_dim(x, torch.tensor(np.argsort(X, 2)[..., :3]), 2)),
    "take": (lambda x: cg.take(x, [[0, 59], [59, 3]]),
             lambda x: torch.take(x, torch.tensor([[0, 59], [59, 3]]))),
    "pad_constant": (lambda x: cg.pad(x, ((0, 0), (1, 2), (3, 0)), constant_values=2.0),
                     lambda x: torch.nn.functional.pad(x, (3, 0, 1, 2), value=2.0)),
    "pad_edge": (lambda x: cg.pad(x, ((0, 0), (1, 2), (3, 0)), "edge"),
                 lambda x: torch.nn.functional.pad(x, (3, 0, 1, 2), mode="replicate")),
    "pad_reflect": (lambda x: cg.pad(x, ((0, 0), (3, 2), (1, 4)), "reflect"),
                    lambda x: torch.nn.functional.pad(x, (1, 4, 3, 2), mode="reflect")),
    "pad_wrap": (lambda x: cg.pad(x, ((0, 0), (3, 2), (1, 4)), "wrap"),
                 lambda x: torch.nn.functional.pad(x, (1, 4, 3, 2), mode="circular")),
    "moveaxis": (lambda x: cg.moveaxis(x, 0, -1), lambda x: torch.movedim(x, 0, -1)),
    "unstack": (lambda x: cg.unstack(x, axis=1)[2], lambda x: torch.unbind(x, 1)[2]),
    "split": (lambda x: cg.array_split(x, 3, axis=2)[1], lambda x: torch.tensor_split(x, 3, 2)[1]),
    "hstack": (lambda x: cg.hstack([x, 2 * x]), lambda x: torch.hstack([x, 2 * x])),
    "vstack": (lambda x: cg.vstack([x[0], x[1, 0]]), lambda x: torch.vstack([x[0], x[1, 0]])),
    "column_stack": (lambda x: cg.column_stack([x[0, 0], x[1].T]),
                     lambda x: torch.column_stack([x[0, 0], x[1].T])),
    "meshgrid": (lambda x: cg.meshgrid(x[0, 0], x[1, 1, :3])[0],
                 lambda x: torch.meshgrid(x[0, 0], x[1, 1, :3], indexing="xy")[0]),
    "atleast_3d": (lambda x: cg.atleast_3d(x[0, 0]), lambda x: torch.atleast_3d(x[0, 0])),
    "rot90": (lambda x: cg.rot90(x, 1, (1, 2)), lambda x: torch.rot90(x, 1, (1, 2))),
}


@needs_torch
@pytest.mark.parametrize("name", sorted(TORCH_CASES))
def test_gradients_equal_torch(name):
    f_cg, f_torch = TORCH_CASES[name]
    _grads(f_cg, f_torch, X)


def test_pad_modes_equal_numpy_with_wide_padding():
    x = np.arange(6.0).reshape(2, 3)
    for mode in ("edge", "reflect", "symmetric", "wrap"):
        want = np.pad(x, ((5, 4), (7, 2)), mode)
        np.testing.assert_array_equal(cg.pad(x, ((5, 4), (7, 2)), mode).numpy(), want)
        # each input element's gradient counts the places it was copied to
        g = cg.grad(lambda t, m=mode: cg.sum(cg.pad(t, ((5, 4), (7, 2)), m)))(x)
        idx = np.pad(np.arange(6).reshape(2, 3), ((5, 4), (7, 2)), mode)
        np.testing.assert_array_equal(g.numpy(), np.bincount(idx.ravel(), minlength=6).reshape(2, 3))


def test_pad_errors_and_empty_mode():
    x = cg.ones((2, 2))
    with pytest.raises(NotImplementedError, match="mode 'median'"):
        cg.pad(x, 1, "median")
    with pytest.raises(NotImplementedError, match="reflect_type"):
        cg.pad(x, 1, "reflect", reflect_type="odd")
    with pytest.raises(ValueError, match="negative"):
        cg.pad(x, -1)
    with pytest.raises(TypeError, match="unexpected"):
        cg.pad(x, 1, "edge", constant_values=3)
    np.testing.assert_array_equal(cg.pad(x, 1, "empty").numpy(), np.pad(np.ones((2, 2)), 1))


def test_pad_is_affine_in_forward_mode():
    # constant padding with a value: the tangent is padded with zeros
    x = np.ones(3)
    _, t = cg.jvp(lambda v: cg.pad(v, 2, constant_values=5.0), (x,), (np.ones(3),))
    np.testing.assert_array_equal(t.numpy(), [0, 0, 1, 1, 1, 0, 0])


def test_numpy_functions_and_methods_dispatch():
    x = cg.tensor(X, requires_grad=True)
    for r in (np.ravel(x), x.ravel(), np.flip(x), np.roll(x, 1), np.tril(x), np.pad(x, 1),
              np.repeat(x, 2), x.repeat(2, 0), x.take([1, 2]), np.take(x, [1], 1),
              x.diagonal(), np.diagonal(x, 0, 1, 2), x.trace(), np.trace(x), x.mT,
              np.matrix_transpose(x), np.moveaxis(x, 0, 1), np.tile(x, 2),
              np.concatenate(np.split(x, 2, 1)), np.vstack([x, x]), np.meshgrid(x[0, 0])[0],
              np.broadcast_arrays(x, x[0])[1], np.atleast_3d(x[0, 0]), np.diag(x[0]),
              np.take_along_axis(x, np.zeros((1, 1, 1), int), 2), np.unstack(x)[0]):
        assert isinstance(r, cg.Tensor) and r.requires_grad, r


def test_lists_holding_tensors_keep_the_graph():
    x = cg.tensor(2.0, requires_grad=True)
    y = cg.array([[x, 2 * x], [3 * x, x * x]])
    assert y.shape == (2, 2) and y.requires_grad
    cg.sum(y).backward()
    assert float(x.grad) == 1 + 2 + 3 + 4
    for f in (cg.asarray, cg.ravel, cg.flip, cg.atleast_2d, lambda v: cg.tile(v, 2),
              lambda v: cg.pad(v, 1), lambda v: cg.repeat(v, 2)):
        assert f([x, 3 * x]).requires_grad
    assert cg.vstack([[x, x], [x, x]]).requires_grad
    assert cg.einsum("i,i", [x, x], [x, 1.0]).requires_grad
    with pytest.warns(UserWarning, match="new leaf"):
        t = cg.tensor([x, 2 * x])
    assert not t.requires_grad


def test_array_and_asarray_copy_and_dtype():
    a = np.arange(3.0)
    t = cg.asarray(a)
    assert np.shares_memory(t.numpy(), a) and t.dtype == np.float64
    assert cg.asarray(t) is t
    c = cg.array(a)
    assert not np.shares_memory(c.numpy(), a)
    x = cg.tensor([1.0, 2.0], requires_grad=True)
    y = cg.array(x)
    assert y is not x and y.requires_grad and not np.shares_memory(y.numpy(), x.numpy())
    z = cg.asarray(x, dtype="float32")
    assert z.dtype == np.float32 and z.requires_grad
    with pytest.raises(ValueError, match="copy"):
        cg.asarray(x, dtype="float32", copy=False)
    assert cg.array(3, ndmin=2).shape == (1, 1)
    assert cg.array([1, 2], dtype="float32", requires_grad=True).requires_grad
    with pytest.raises(TypeError, match="numbers"):
        cg.asarray(["a"])
    assert cg.asarray([[1, 2]]).dtype == np.int64


def test_creation_functions_equal_numpy():
    cases = [
        (cg.linspace(2, 3, 5, endpoint=False), np.linspace(2, 3, 5, endpoint=False)),
        (cg.linspace([0, 1], 4, 3, axis=1, dtype=int), np.linspace([0, 1], 4, 3, axis=1, dtype=int)),
        (cg.logspace(0, 3, 4, base=2.0), np.logspace(0, 3, 4, base=2.0)),
        (cg.full((2, 3), 7), np.full((2, 3), 7)),
        (cg.full_like(np.ones(3, np.int32), 2.5), np.full_like(np.ones(3, np.int32), 2.5)),
        (cg.empty((2,)), np.zeros(2)),
        (cg.empty_like(np.ones(2, np.float32)), np.zeros(2, np.float32)),
        (cg.zeros_like(np.ones(2), shape=(3, 1)), np.zeros((3, 1))),
        (cg.identity(3, dtype=int), np.identity(3, dtype=int)),
        (cg.eye(3, 4, k=1), np.eye(3, 4, k=1)),
        (cg.arange(5, dtype="float32"), np.arange(5, dtype="float32")),
    ]
    for got, want in cases:
        assert got.dtype == want.dtype and got.shape == want.shape
        np.testing.assert_array_equal(got.numpy(), want)
    y, step = cg.linspace(0, 1, 5, retstep=True)
    assert step == 0.25 and y.shape == (5,)
    assert cg.zeros(3, device="cpu").shape == (3,)
    with pytest.raises(ValueError, match="CPU"):
        cg.ones(3, device="cuda")


def test_linspace_and_full_are_differentiable_in_tensor_values():
    start, stop = cg.tensor(1.0, requires_grad=True), cg.tensor([2.0, 4.0], requires_grad=True)
    y = cg.linspace(start, stop, 5)
    np.testing.assert_allclose(y.numpy(), np.linspace(1.0, [2.0, 4.0], 5), rtol=1e-15)
    w = np.arange(10.0).reshape(5, 2)
    cg.sum(y * w).backward()
    frac = np.linspace(0, 1, 5)[:, None]
    np.testing.assert_allclose(start.grad.numpy(), np.sum((1 - frac) * w))
    np.testing.assert_allclose(stop.grad.numpy(), np.sum(frac * w, 0))
    v = cg.tensor(3.0, requires_grad=True)
    cg.sum(cg.full((2, 3), v)).backward()
    assert float(v.grad) == 6
    assert cg.full_like(np.ones((2, 2)), v).requires_grad
    assert cg.logspace(0.0, v, 3).requires_grad


def test_put_along_axis_writes_in_place_and_records():
    x = cg.tensor(np.zeros((2, 3)))
    v = cg.tensor([[1.0], [2.0]], requires_grad=True)
    y = x * 1
    assert cg.put_along_axis(y, np.array([[2], [0]]), v, axis=1) is None
    np.testing.assert_array_equal(y.numpy(), [[0, 0, 1], [2, 0, 0]])
    cg.sum(y * 3).backward()
    np.testing.assert_array_equal(v.grad.numpy(), [[3], [3]])


def test_errors_name_the_function():
    x = cg.ones((2, 3))
    with pytest.raises(ValueError, match="equal division"):
        cg.split(x, 2, axis=1)
    with pytest.raises(ValueError, match="repeat"):
        cg.repeat(x, -1)
    with pytest.raises(ValueError, match="diagonal"):
        cg.diagonal(x, 0, 1, 1)
    with pytest.raises(ValueError, match="1- or 2-d"):
        cg.diag(cg.ones((2, 2, 2)))
    with pytest.raises(ValueError, match="same number"):
        cg.moveaxis(x, (0, 1), 0)
    with pytest.raises(TypeError, match="integers"):
        cg.take(x, [0.5])
    with pytest.raises(IndexError):
        cg.take(x, [9])
    with pytest.raises(ValueError, match="dimensions"):
        cg.take_along_axis(x, np.zeros(2, int), 1)
    g = cg.Graph()
    s = g.input("s")  # shape unknown
    with pytest.raises(ValueError, match="tile: needs the shape"):
        cg.tile(s, 2)


def test_static_graph_values_and_unknown_sizes():
    g = cg.Graph()
    x = g.input("x", shape=(3, 4), dtype="float64")
    y = cg.sum(cg.pad(cg.roll(x, 1, 0), 1, "reflect") * 2) + cg.trace(x) + cg.sum(cg.diag(x[0]))
    a = np.arange(12.0).reshape(3, 4)
    want = np.sum(np.pad(np.roll(a, 1, 0), 1, "reflect") * 2) + np.trace(a) + np.sum(np.diag(a[0]))
    np.testing.assert_allclose(g.run(y, {x: a}), want)
    (gx,) = g.run(g.gradients(y, [x]), {x: a})
    want_g = cg.grad(lambda t: cg.sum(cg.pad(cg.roll(t, 1, 0), 1, "reflect") * 2) + cg.trace(t)
                     + cg.sum(cg.diag(t[0])))(a)
    np.testing.assert_allclose(gx, want_g.numpy())


def test_tensor_methods_follow_ndarray():
    a = X[0]
    t = cg.tensor(a)
    np.testing.assert_array_equal(t.ravel().numpy(), a.ravel())
    np.testing.assert_array_equal(t.repeat(2, axis=0).numpy(), a.repeat(2, axis=0))
    np.testing.assert_array_equal(t.take([3, 1]).numpy(), a.take([3, 1]))
    np.testing.assert_array_equal(t.diagonal(1).numpy(), a.diagonal(1))
    np.testing.assert_allclose(t.trace(-1).numpy(), a.trace(-1))
    np.testing.assert_array_equal(t.mT.numpy(), a.mT)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert cg.tril(cg.tensor(np.ones((2, 2), bool))).dtype == np.bool_


def test_onnx_export_matches_onnxruntime(tmp_path):
    onnx = pytest.importorskip("onnx")
    ort = pytest.importorskip("onnxruntime")
    g = cg.Graph()
    x = g.input("x", shape=(3, 4), dtype="float32")
    outs = [cg.pad(x, ((1, 2), (0, 3)), constant_values=1.5), cg.pad(x, 2, "edge"),
            cg.pad(x, ((2, 1), (3, 2)), "reflect"), cg.einsum("ij,kj->ik", x, x),
            cg.einsum("ii->i", x[:, :3]), cg.tile(x, (2, 1)), cg.flip(x), cg.tril(x, 1),
            cg.moveaxis(cg.expand_dims(x, 0), 0, 2), cg.tensordot(x, x, ([1], [1])), cg.kron(x, x[:2, :2]),
            cg.vstack([x, x[0]]), cg.outer(x[0], x[1])]
    path = str(tmp_path / "m.onnx")
    g.to_onnx(path, outputs=outs)
    sess = ort.InferenceSession(path, providers=["CPUExecutionProvider"])
    feeds = {"x": np.random.default_rng(2).standard_normal((3, 4)).astype(np.float32)}
    got = sess.run([o.name for o in onnx.load(path).graph.output], feeds)
    for r, e in zip(got, g.run(outs, feeds)):
        assert r.dtype == e.dtype and r.shape == e.shape
        np.testing.assert_allclose(r, e, rtol=1e-5, atol=1e-5)


def test_numpy_linspace_of_tensors_keeps_the_graph():
    a = cg.tensor(1.0, requires_grad=True)
    y = np.linspace(a, 3.0, 5)
    assert isinstance(y, cg.Tensor) and y.requires_grad
    np.testing.assert_allclose(y.numpy(), np.linspace(1.0, 3.0, 5))
    assert np.logspace(a, 2.0, 3).requires_grad
    assert isinstance(np.full_like(a, 2.0), cg.Tensor)
