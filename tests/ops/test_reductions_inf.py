"""logsumexp, log_softmax and softmax of slices holding infinities, against PyTorch.

A slice of -inf has logsumexp -inf (not NaN: the shift by the maximum must not compute
-inf - -inf), a slice holding +inf has logsumexp +inf, and the gradients are torch's:
0 for the finite entries of a slice holding +inf, NaN where torch gives NaN.
log_softmax and softmax follow torch too (NaN throughout a slice whose maximum is not
finite).  The values are compared as they come, NaN equal to NaN.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from helpers import optional_torch, skip_if_missing

import compgraph as cg

torch = optional_torch()
needs_torch = skip_if_missing(torch)
INF = np.inf

# Rows: finite, all -inf, +inf among finite, +inf and -inf, two +inf, -inf with one finite.
ROWS = np.array(
    [
        [1.0, 2.0, 3.0],
        [-INF, -INF, -INF],
        [1.0, INF, 2.0],
        [-INF, INF, 0.0],
        [INF, INF, 1.0],
        [-INF, 1.0, -INF],
    ]
)


def _inputs():
    """A 2-D and a 3-D input whose slices along every axis mix the cases of ROWS."""
    cube = np.stack([ROWS, ROWS[::-1] * 0.5])  # (2, 6, 3)
    cube[1, :, 0] = -INF  # a whole (6,)-slice of -inf along axis 1
    cube[:, 1, :] = -INF  # a whole (2, 3)-slab of -inf
    return {"2d": ROWS, "3d": cube}


INPUTS = _inputs()
AXES = {
    "2d": [None, 0, 1, -1, (0, 1)],
    "3d": [None, 0, 1, -1, (0, 2), (-1, 1)],
}
LSE_CASES = [
    pytest.param(name, axis, keep, id=f"{name}-axis{axis}-keep{keep}")
    for name in INPUTS
    for axis, keep in itertools.product(AXES[name], (False, True))
]


def _upstream(shape, seed=0):
    return np.random.default_rng(seed).uniform(0.5, 1.5, shape)


def _close(actual, expected, what):
    actual, expected = np.asarray(actual), np.asarray(expected)
    assert actual.shape == expected.shape, f"{what}: shape {actual.shape} != {expected.shape}"
    np.testing.assert_allclose(
        actual, expected, rtol=1e-12, atol=1e-14, equal_nan=True, err_msg=what
    )


def _torch_dims(axis, ndim):
    return tuple(range(ndim)) if axis is None else axis


def _cg_value_and_grad(fn, x, w):
    t = cg.tensor(x, requires_grad=True)
    with np.errstate(divide="ignore", invalid="ignore"):  # log(0), 0 * inf: NumPy's warnings
        y = fn(t)
        y.backward(w)
    return y.numpy(), t.grad.numpy()


def _torch_value_and_grad(fn, x, w):
    t = torch.tensor(x, dtype=torch.float64, requires_grad=True)
    y = fn(t)
    y.backward(torch.tensor(w, dtype=torch.float64))
    return y.detach().numpy(), t.grad.numpy()


@needs_torch
@pytest.mark.parametrize("name,axis,keep", LSE_CASES)
def test_logsumexp_matches_torch_on_infinite_slices(name, axis, keep):
    x = INPUTS[name]
    dims = _torch_dims(axis, x.ndim)
    w = _upstream(np.zeros(x.shape).sum(axis=axis, keepdims=keep).shape)
    ref_y, ref_g = _torch_value_and_grad(lambda t: torch.logsumexp(t, dims, keepdim=keep), x, w)
    y, g = _cg_value_and_grad(lambda t: cg.logsumexp(t, axis=axis, keepdims=keep), x, w)
    _close(y, ref_y, "value")
    _close(g, ref_g, "gradient")


def test_logsumexp_of_infinite_slices_explicitly():
    # Independent of torch: -inf for a slice of -inf, +inf where a +inf is, and the
    # finite entries of those slices get no gradient.
    y, g = _cg_value_and_grad(lambda t: cg.logsumexp(t, axis=1), ROWS, np.ones(6))
    assert y[1] == -INF and np.all(y[2:5] == INF)
    np.testing.assert_allclose(y[[0, 5]], [np.log(np.exp([1.0, 2, 3]).sum()), 1.0], rtol=1e-15)
    finite = np.isfinite(ROWS)
    assert np.all(g[2:5][finite[2:5]] == 0.0)
    assert g[5, 1] == 1.0 and g[5, 0] == 0.0 and g[5, 2] == 0.0


def _moved(t, axis, ndim, lib):
    """``t`` with the axes ``axis`` moved to the end and flattened into one (so that the
    one-dimension torch functions reduce several axes at once), and the way back."""
    axes = (
        tuple(range(ndim))
        if axis is None
        else tuple(a % ndim for a in ((axis,) if isinstance(axis, int) else axis))
    )
    rest = tuple(a for a in range(ndim) if a not in axes)
    perm = rest + axes
    moved = t.permute(perm) if lib == "torch" else np.transpose(t, perm)
    flat = moved.reshape(tuple(moved.shape[: len(rest)]) + (-1,))
    inverse = tuple(int(i) for i in np.argsort(perm))

    def back(r):
        r = r.reshape(moved.shape)
        return r.permute(inverse) if lib == "torch" else np.transpose(r, inverse)

    return flat, back


NORM_CASES = [
    pytest.param(name, axis, id=f"{name}-axis{axis}")
    for name in INPUTS
    for axis in AXES[name]
    if axis is not None
]


@needs_torch
@pytest.mark.parametrize("fname", ["log_softmax", "softmax"])
@pytest.mark.parametrize("name,axis", NORM_CASES)
def test_normalisations_match_torch_on_infinite_slices(fname, name, axis):
    x = INPUTS[name]
    w = _upstream(x.shape, 1)
    tfn = getattr(torch, fname)

    def reference(t):
        flat, back = _moved(t, axis, x.ndim, "torch")
        return back(tfn(flat, -1))

    ref_y, ref_g = _torch_value_and_grad(reference, x, w)
    if fname == "log_softmax":
        # A deliberate difference: a slice of all -inf is -inf (torch: NaN), as its
        # logsumexp is; its gradient is the upstream one (out = x - (-inf), read as 1).
        dead = np.isneginf(np.max(x, axis=axis, keepdims=True)) & np.ones_like(x, bool)
        ref_y = np.where(dead, -INF, ref_y)
        ref_g = np.where(dead, w, ref_g)
    y, g = _cg_value_and_grad(lambda t: getattr(cg, fname)(t, axis=axis), x, w)
    _close(y, ref_y, "value")
    _close(g, ref_g, "gradient")


@needs_torch
@pytest.mark.parametrize("axis", [0, 1, -1, (0, 1)])
def test_logsumexp_forward_mode_matches_torch(axis):
    tangent = _upstream(ROWS.shape, 2)
    dims = _torch_dims(axis, 2)
    ref_y, ref_t = torch.func.jvp(
        lambda t: torch.logsumexp(t, dims), (torch.tensor(ROWS),), (torch.tensor(tangent),)
    )
    with np.errstate(divide="ignore", invalid="ignore"):
        y, t = cg.jvp(lambda v: cg.logsumexp(v, axis=axis), (ROWS,), (tangent,))
    _close(np.asarray(y), ref_y.numpy(), "value")
    _close(np.asarray(t), ref_t.numpy(), "tangent")


@needs_torch
@pytest.mark.parametrize(
    "shape,dtype",
    [((6, 3), "float64"), ((6, 3), None), (None, None)],
    ids=["known", "unknown-dtype", "unknown-rank"],
)
def test_static_graph_logsumexp_of_infinite_slices(shape, dtype):
    # The shift is made finite with a clip when the dtype is known, a where otherwise.
    g = cg.Graph()
    x = g.input("x", shape, dtype)
    w = g.input("w")
    y = cg.logsumexp(x, axis=1)
    (dx,) = g.gradients(cg.sum(y * w), [x])
    wv = _upstream((6,), 3)
    ref_y, ref_g = _torch_value_and_grad(lambda t: torch.logsumexp(t, 1), ROWS, wv)
    with np.errstate(divide="ignore", invalid="ignore"):
        run = g.run([y, dx], {"x": ROWS, "w": wv})
        compiled = g.compile([y, dx])(x=ROWS, w=wv)
    for got, what in ((run, "run"), (compiled, "compiled")):
        _close(got[0], ref_y, f"{what} value")
        _close(got[1], ref_g, f"{what} gradient")


def test_log_softmax_fast_path_rows_of_infinities():
    # The (batch, few classes) fast path falls back to the general one on such rows.
    x = np.tile(ROWS, (4, 1))  # (24, 3): the transposed fast path's shape
    with np.errstate(invalid="ignore"):
        y = cg.log_softmax(cg.tensor(x), axis=1).numpy()
    assert np.isneginf(y[1]).all()  # all -inf: -inf (torch: NaN; see log_softmax's doc)
    assert np.isnan(y[2]).all()  # holding +inf: NaN throughout, as torch
    np.testing.assert_array_equal(y[5], [-INF, 0.0, -INF])
    np.testing.assert_allclose(np.exp(y[0]).sum(), 1.0, rtol=1e-15)
