"""Indexing follows NumPy exactly: basic and advanced indices (integer arrays split by
slices, whose broadcast dimensions NumPy moves to the front; boolean masks among
slices and ints; None, Ellipsis, negative indices), in the forward, the backward
(scatter-add, repeats accumulating), forward mode (jvp, jacfwd's batched rule) and
static graphs (the scatter_add gradient and its own VJP).  Out-of-range indices and
masks of the wrong shape raise IndexError; nothing wraps or is dropped silently.
NumPy is the oracle for values; torch for gradients where it reads the index alike.
"""

from __future__ import annotations

import numpy as np
import pytest
from helpers import optional_torch

import compgraph as cg
from compgraph.ops.registry import NUMPY
from compgraph.ops.shape import GETITEM

torch = optional_torch()

X = np.random.default_rng(7).standard_normal((3, 4, 5))
I2 = np.array([[0, 2], [1, 1]])
J = np.array([3, -1])
M3 = np.array([True, False, True])
M4 = np.array([True, False, True, True])
M34 = np.zeros((3, 4), bool)
M34[0, 1] = M34[2, 3] = M34[1, 0] = True

CASES = {
    "arrays-split-by-slice": (I2, slice(None), J),
    "arrays-adjacent": (slice(None), I2, J),
    "arrays-split-by-ellipsis": (I2, Ellipsis, J),
    "arrays-split-by-none": (I2, None, slice(1, 3), J),
    "int-and-array-split": (0, slice(None), J),  # the int counts as advanced (NumPy)
    "int-and-array-adjacent": (slice(None), 1, J),
    "negative-ints": (-1, -2),
    "negative-arrays-repeated-neg-step": (np.array([-1, 2, -1]), slice(None, None, -2)),
    "repeated-rows": (np.array([[0, 0], [2, 0]]),),
    "mask-and-slice": (slice(None), M4),
    "mask-and-int": (1, M4),
    "mask-split-by-slice": (M3, slice(None), 2),
    "mask-2d": (M34,),
    "mask-2d-after-none": (None, M34, slice(None, None, -1)),
    "mask-after-ellipsis": (Ellipsis, np.array([True, False, True, False, True])),
    "mask-and-array-split": (M3, slice(None), np.array([0, 4])),
    "two-masks": (M3, np.array([True, False, False, True])),
    "bool-true": (True,),
    "bool-false": (False, slice(None)),
    "numpy-bool-and-int": (np.True_, 0),
    "bool-0d-array": (np.array(True),),
    "int-0d-arrays": (np.array(1), slice(None), np.array(2)),
    "list": [0, 2, 2],
    "list-of-bools": [True, False, True],
    "nested-tuple-repeats": ((0, 0),),
    "empty-list": [],
    "tensor-index": cg.tensor([2, 0, 2]),
    "ellipsis-none": (Ellipsis, None),
    "all-basic": (slice(1, None), None, -1, slice(None, None, 2)),
}
IDS = list(CASES)


def _np_index(idx):
    """The index as NumPy takes it (a Tensor item as its array)."""
    return idx.numpy() if isinstance(idx, cg.Tensor) else idx


def _numpy_reference(idx, w):
    """``X[idx]`` and the gradient of ``sum(X[idx] * w)``: ``np.add.at`` (repeats add)."""
    idx = _np_index(idx)
    grad = np.zeros_like(X)
    np.add.at(grad, idx, w)
    return X[idx], grad


def _upstream(shape, seed=1):
    return np.random.default_rng(seed).standard_normal(shape)


@pytest.mark.parametrize("name", IDS)
def test_forward_and_backward_follow_numpy(name):
    idx = CASES[name]
    y_ref = X[_np_index(idx)]
    w = _upstream(y_ref.shape)
    _, g_ref = _numpy_reference(idx, w)
    x = cg.tensor(X, requires_grad=True)
    y = x[idx]
    assert y.shape == y_ref.shape
    np.testing.assert_array_equal(y.numpy(), y_ref)
    y.backward(w)
    np.testing.assert_allclose(x.grad.numpy(), g_ref, rtol=1e-15, atol=0)


def _torch_index(idx):
    items = idx if isinstance(idx, tuple) else (idx,)
    out = []
    for i in items:
        if isinstance(i, cg.Tensor):
            i = i.numpy()
        if isinstance(i, (list, tuple, np.ndarray)):
            i = torch.from_numpy(np.array(i))
        elif isinstance(i, np.generic):
            i = i.item()
        out.append(i)
    return tuple(out) if isinstance(idx, tuple) else out[0]


@pytest.mark.parametrize("name", IDS)
def test_gradient_equals_torch(name):
    if torch is None:
        pytest.skip("torch is not installed")
    idx = CASES[name]
    y_ref = X[_np_index(idx)]
    tx = torch.tensor(X, requires_grad=True)
    try:
        ty = tx[_torch_index(idx)]
    except (IndexError, ValueError, TypeError, RuntimeError) as err:
        pytest.skip(f"torch does not take this index: {err}")
    if tuple(ty.shape) != y_ref.shape:
        pytest.skip(f"torch reads this index differently from NumPy: {tuple(ty.shape)}")
    w = _upstream(y_ref.shape)
    ty.backward(torch.tensor(w))
    x = cg.tensor(X, requires_grad=True)
    x[idx].backward(w)
    np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy(), rtol=1e-15, atol=0)


@pytest.mark.parametrize(
    "name",
    [
        "int-and-array-split",
        "negative-arrays-repeated-neg-step",
        "mask-and-array-split",
        "arrays-split-by-none",
    ],
)
def test_gradcheck_where_torch_differs_or_refuses(name):
    idx = CASES[name]
    w = _upstream(X[_np_index(idx)].shape)
    cg.gradcheck(lambda x: cg.sum(cg.sin(x[idx]) * w), X)


def _jacobian_reference(idx):
    """d X[idx] / d X, of shape X[idx].shape + X.shape (each input element's one-hot,
    indexed)."""
    n = X.size
    onehots = np.eye(n).reshape((n,) + X.shape)
    idx = _np_index(idx)
    cols = np.stack([e[idx] for e in onehots], axis=-1)
    return cols.reshape(X[idx].shape + X.shape)


@pytest.mark.parametrize("name", IDS)
def test_forward_mode(name):
    idx = CASES[name]
    t = _upstream(X.shape, 2)
    y, ty = cg.jvp(lambda x: x[idx], (X,), (t,))
    np.testing.assert_array_equal(np.asarray(y), X[_np_index(idx)])
    np.testing.assert_array_equal(np.asarray(ty), t[_np_index(idx)])
    jac = cg.jacfwd(lambda x: x[idx])(cg.tensor(X))
    np.testing.assert_array_equal(np.asarray(jac), _jacobian_reference(idx))


@pytest.mark.parametrize("name", IDS)
def test_batch_rule_equals_one_direction_at_a_time(name):
    # jacfwd's batched form of getitem: the batch axis must come first even where
    # NumPy moves split integer arrays' dimensions to the front.
    idx = CASES[name]
    attrs = GETITEM.front.prepare(X, idx)[1]
    tangents = _upstream((6,) + X.shape, 3)
    out = GETITEM.forward(X, **attrs)
    batched = GETITEM.batch(GETITEM, [X], [tangents], out, attrs, 6)
    if batched is None:  # the rule leaves it to the per-direction loop
        return
    want = np.stack([GETITEM.forward(t, **attrs) for t in tangents])
    assert batched.shape == want.shape
    np.testing.assert_array_equal(batched, want)


SHAPES = {"known": X.shape, "unknown-rank": None, "unknown-dims": (None, 4, None)}


@pytest.mark.parametrize("kind", list(SHAPES))
@pytest.mark.parametrize("name", IDS)
def test_static_graph(name, kind):
    idx = CASES[name]
    y_ref = X[_np_index(idx)]
    wv = _upstream(y_ref.shape)
    vv = _upstream(X.shape, 4)
    _, g_ref = _numpy_reference(idx, wv)
    g = cg.Graph()
    x, w, v = g.input("x", SHAPES[kind]), g.input("w"), g.input("v")
    y = x[idx]
    if kind == "known":
        assert y.shape == y_ref.shape
    (dx,) = g.gradients(cg.sum(y * w), [x])  # a scatter-add of w
    (dw,) = g.gradients(cg.sum(dx * v), [w])  # the scatter's VJP: v[idx]
    want = [y_ref, g_ref, vv[_np_index(idx)]]
    feeds = {"x": X, "w": wv, "v": vv}
    for what, got in (
        ("run", g.run([y, dx, dw], feeds)),
        ("compiled", g.compile([y, dx, dw])(**feeds)),
    ):
        for k, (a, b) in enumerate(zip(got, want)):
            assert np.shape(a) == b.shape, (what, k)
            np.testing.assert_allclose(a, b, rtol=1e-15, atol=0, err_msg=f"{what} {k}")


# ------------------------------------------------------------------ errors
BAD = {
    "int-out-of-range": (3,),
    "negative-int-out-of-range": (slice(None), -5),
    "array-out-of-range": (np.array([0, 3]),),
    "negative-array-out-of-range": (np.array([-4, 0]),),
    "mask-too-short": (np.array([True, False]),),
    "mask-too-long-false-tail": (np.array([True, False, True, False]),),  # its Trues fit
    "mask-wrong-inner-axis": (slice(None), np.array([True, True, True])),
    "mask-2d-wrong": (np.ones((3, 5), bool),),
    "mask-after-ellipsis-wrong": (Ellipsis, np.array([True, False, True, False])),
    "too-many-indices": (0, 0, 0, 0),
}
BAD_IDS = list(BAD)


@pytest.mark.parametrize("name", BAD_IDS)
def test_bad_index_raises_in_the_forward(name):
    with pytest.raises(IndexError):
        X[BAD[name]]  # NumPy refuses it too
    with pytest.raises(IndexError):
        cg.tensor(X, requires_grad=True)[BAD[name]]
    with pytest.raises(IndexError):
        cg.jvp(lambda x: x[BAD[name]], (X,), (X,))


@pytest.mark.parametrize("name", BAD_IDS)
def test_bad_index_raises_in_static_graphs(name):
    g = cg.Graph()
    with pytest.raises(IndexError):  # the shape is known: when the node is built
        g.input("x", X.shape)[BAD[name]]
    for shape in (None, (None, 4, None)):
        g = cg.Graph()
        x, w = g.input("x", shape), g.input("w")
        y = x[BAD[name]]
        (dx,) = g.gradients(cg.sum(y * w), [x])
        for out in (y, dx):
            with pytest.raises(IndexError):  # when the array is there
                g.run(out, {"x": X, "w": 1.0})
            with pytest.raises(IndexError):
                g.compile(out)(x=X, w=1.0)


@pytest.mark.parametrize(
    "index",
    [
        np.array([3]),
        np.array([-4]),
        np.array([True, False]),
        np.array([True, False, True, False]),
        (0, 0),
    ],
    ids=["past-the-end", "negative", "short-mask", "long-mask", "too-many"],
)
def test_the_scatter_never_wraps_or_drops(index):
    # The gradient of indexing raises on its own, even where the forward is not run.
    with pytest.raises(IndexError):
        NUMPY.scatter_add(np.ones(1), shape=(3,), index=index)
    with pytest.raises(IndexError):
        NUMPY.scatter_add_like(np.ones(1), np.zeros(3), index=index)


def test_repeats_in_a_nested_tuple_accumulate():
    # x[((0, 0),)] is x[[0, 0]]: both picks of element 0 reach its gradient.
    x = cg.tensor(np.arange(3.0), requires_grad=True)
    x[((0, 0),)].sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [2.0, 0.0, 0.0])


def test_a_bool_index_is_not_exported_to_onnx_as_an_integer(tmp_path):
    pytest.importorskip("onnx")
    g = cg.Graph()
    x = g.input("x", (3,), "float64")
    g.run(x[True], {"x": np.arange(3.0)})
    with pytest.raises(ValueError, match="bool"):
        g.to_onnx(str(tmp_path / "m.onnx"), [x[True]])


def test_integer_form_of_masks_is_checked():
    # Where an integer index is needed (ONNX, jacfwd's batched rule), a mask is turned
    # into np.nonzero's arrays only once its shape fits the array's.
    from compgraph.ops.args import masks_as_integers

    index = (slice(None), M4)
    converted = masks_as_integers(index, X.shape)
    np.testing.assert_array_equal(X[converted], X[index])
    for bad in [(np.array([True, False]),), (Ellipsis, M4), (slice(None), M3)]:
        with pytest.raises(IndexError):
            masks_as_integers(bad, X.shape)


def test_a_mask_exports_to_onnx_as_its_integer_form(tmp_path):
    pytest.importorskip("onnx")
    ort = pytest.importorskip("onnxruntime")
    g = cg.Graph()
    x = g.input("x", (3, 4, 5), "float64")
    y = x[M3]
    path = str(tmp_path / "m.onnx")
    g.to_onnx(path, [y])
    sess = ort.InferenceSession(path, providers=["CPUExecutionProvider"])
    (got,) = sess.run(None, {"x": X})
    np.testing.assert_array_equal(got, X[M3])
