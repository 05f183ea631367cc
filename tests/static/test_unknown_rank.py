"""Axis functions of a static input declared without a shape (``g.input("x")``, "any
shape"): the axis is kept as given (negative ones too) and resolved when the array is
there, as TensorFlow 1's unknown-rank placeholders did.  The graph must run,
differentiate, optimise and compile (once per input signature) for inputs of different
ranks, with the values and gradients of the same computation on known shapes.
"""

from __future__ import annotations

import numpy as np
import pytest

import compgraph as cg

# name -> a function of one value using an axis argument (int, negative, tuple)
FUNCS = {
    "mean-neg": lambda x: cg.mean(x, axis=-1),
    "mean-tuple-keepdims": lambda x: cg.mean(x, axis=(0, -1), keepdims=True),
    "method-mean": lambda x: x.mean(axis=-2),
    "sum-neg": lambda x: cg.sum(x, axis=-1),
    "sum-tuple": lambda x: cg.sum(x, axis=(-1, 0)),
    "max-neg": lambda x: cg.max(x, axis=-1),
    "max-keepdims": lambda x: cg.max(x, axis=0, keepdims=True),
    "min-tuple": lambda x: cg.min(x, axis=(0, -1)),
    "logsumexp-neg": lambda x: cg.logsumexp(x, axis=-1),
    "logsumexp-tuple-keepdims": lambda x: cg.logsumexp(x, axis=(-1, 0), keepdims=True),
    "softmax-neg": lambda x: cg.softmax(x, axis=-1),
    "softmax-0": lambda x: cg.softmax(x, axis=0),
    "log_softmax-neg": lambda x: cg.log_softmax(x, axis=-1),
    "log_softmax-tuple": lambda x: cg.log_softmax(x, axis=(0, -1)),
    "concatenate-neg": lambda x: cg.concatenate([x, 2 * x], axis=-1),
    "concatenate-0": lambda x: cg.concatenate([x, cg.sin(x)], axis=0),
    "stack-neg": lambda x: cg.stack([x, 2 * x], axis=-1),
    "stack-neg2": lambda x: cg.stack([x, cg.cos(x)], axis=-2),
    "stack-1": lambda x: cg.stack([x, 2 * x], axis=1),
    "expand_dims-neg": lambda x: cg.expand_dims(x, -1) * cg.expand_dims(x, -2),
    "expand_dims-tuple": lambda x: cg.expand_dims(x, (0, -1)),
    "squeeze-neg": lambda x: cg.squeeze(cg.expand_dims(cg.sin(x), -1), -1),
    "squeeze-tuple": lambda x: cg.squeeze(cg.expand_dims(x, (0, -1)), (0, -1)),
    "swapaxes-neg": lambda x: cg.swapaxes(x, 0, -1),
    "argmax-neg": lambda x: cg.argmax(x, axis=-1),
    "argmax-keepdims": lambda x: cg.argmax(x, axis=-2, keepdims=True),
}
NON_DIFFERENTIABLE = {"argmax-neg", "argmax-keepdims"}
SHAPES = [(3, 4), (2, 3, 4), (3, 4)]  # two ranks, then the first signature again


def _loss(y):
    return cg.sum(cg.sin(y))  # non-linear, so the gradient depends on y's values


def _reference(fn, v):
    """Value and gradient of the same computation on a Tensor (shape known)."""
    t = cg.tensor(v, requires_grad=True)
    y = fn(t)
    if y.dtype.kind != "f":
        return [y.numpy()]
    _loss(y).backward()
    return [y.numpy(), t.grad.numpy()]


def _build(fn, shape=None, dtype=None):
    g = cg.Graph()
    x = g.input("x", shape, dtype)
    y = fn(x)
    outs = [y]
    if y.dtype is None or y.dtype.kind == "f":
        outs += g.gradients(_loss(y), [x])
    return g, outs


def _close(got, ref, what):
    got, ref = np.asarray(got), np.asarray(ref)
    assert got.shape == ref.shape, f"{what}: shape {got.shape} != {ref.shape}"
    assert got.dtype == ref.dtype, f"{what}: dtype {got.dtype} != {ref.dtype}"
    np.testing.assert_allclose(got, ref, rtol=1e-13, atol=1e-15, err_msg=what)


@pytest.mark.parametrize("dtype", [None, "float64"], ids=["any-dtype", "float64"])
@pytest.mark.parametrize("name", list(FUNCS))
def test_unknown_rank_runs_differentiates_optimises_and_compiles(name, dtype, rng):
    fn = FUNCS[name]
    g, outs = _build(fn, None, dtype)
    assert outs[0].shape is None  # nothing about the rank was guessed
    if name not in NON_DIFFERENTIABLE:
        assert len(outs) == 2
    optimised = g.optimize(keep=outs)
    names = [o.name for o in outs]
    compiled = g.compile(outs)
    for shape in SHAPES:
        v = rng.standard_normal(shape)
        ref = _reference(fn, v)
        for what, got in (
            ("run", g.run(outs, {"x": v})),
            ("optimised", optimised.run(names, {"x": v})),
            ("compiled", compiled(v)),
            ("compiled by name", compiled(x=v)),
        ):
            assert len(got) == len(ref)
            for k, (a, b) in enumerate(zip(got, ref)):
                _close(a, b, f"{name} {shape} {what} output {k}")


@pytest.mark.parametrize("name", sorted(set(FUNCS) - NON_DIFFERENTIABLE))
def test_second_order_gradients_equal_known_shapes(name, rng):
    fn = FUNCS[name]

    def second(shape):
        g = cg.Graph()
        x = g.input("x", shape)
        (dx,) = g.gradients(_loss(fn(x)), [x])
        (ddx,) = g.gradients(cg.sum(dx * dx), [x])
        return g, ddx

    g, ddx = second(None)
    compiled = g.compile(ddx)
    for shape in SHAPES[:2]:
        v = rng.standard_normal(shape)
        known, ref = second(shape)
        want = known.run(ref, {"x": v})
        _close(g.run(ddx, {"x": v}), want, f"{name} {shape} run")
        _close(compiled(v), want, f"{name} {shape} compiled")


def test_the_axis_is_kept_as_given():
    g = cg.Graph()
    x = g.input("x")
    assert cg.sum(x, axis=-1).attrs["axis"] == (-1,)
    assert cg.max(x, axis=(0, -1)).attrs["axis"] == (0, -1)
    assert cg.log_softmax(x, axis=-2).attrs["axis"] == (-2,)
    assert cg.concatenate([x, x], axis=-1).attrs["axis"] == -1
    assert cg.stack([x, x], axis=-1).attrs["axis"] == -1
    assert cg.expand_dims(x, -1).attrs["axis"] == (-1,)
    # a known rank still normalises when the node is built
    y = g.input("y", (2, 3))
    assert cg.sum(y, axis=-1).attrs["axis"] == (1,)


BAD_AT_RUN = [
    ("sum-out-of-range", lambda x: cg.sum(x, axis=2)),
    ("mean-out-of-range", lambda x: cg.mean(x, axis=-3)),
    ("sum-repeated", lambda x: cg.sum(x, axis=(0, -2))),
    ("mean-repeated", lambda x: cg.mean(x, axis=(1, -1))),
    ("max-out-of-range", lambda x: cg.max(x, axis=-3)),
    ("logsumexp-out-of-range", lambda x: cg.logsumexp(x, axis=2)),
    ("log_softmax-out-of-range", lambda x: cg.log_softmax(x, axis=2)),
    ("concatenate-out-of-range", lambda x: cg.concatenate([x, x], axis=-3)),
    ("stack-out-of-range", lambda x: cg.stack([x, x], axis=4)),
    ("squeeze-not-length-1", lambda x: cg.squeeze(x, -1)),
    ("argmax-out-of-range", lambda x: cg.argmax(x, axis=2)),
]


@pytest.mark.parametrize("name,fn", BAD_AT_RUN, ids=[b[0] for b in BAD_AT_RUN])
def test_an_axis_that_does_not_fit_the_fed_rank_raises(name, fn):
    # Never a silent wrong number: the axis is checked against the array that arrives.
    g = cg.Graph()
    x = g.input("x")
    y = fn(x)
    v = np.ones((2, 3))
    with pytest.raises((ValueError, IndexError)):
        g.run(y, {"x": v})
    with pytest.raises((ValueError, IndexError)):
        g.compile(y)(v)


def test_a_literally_repeated_axis_is_refused_when_built():
    g = cg.Graph()
    x = g.input("x")
    for fn in (
        lambda: cg.sum(x, axis=(1, 1)),
        lambda: cg.expand_dims(x, (-1, -1)),
        lambda: cg.mean(x, axis=(0, 0)),
    ):
        with pytest.raises(ValueError, match="repeated axis"):
            fn()
    with pytest.raises(TypeError):
        cg.sum(x, axis=(0, True))


def test_squeeze_of_a_dimension_of_unknown_size_is_checked_when_it_runs():
    g = cg.Graph()
    x = g.input("x", (None, 3))
    y = cg.squeeze(x, 0)
    assert y.shape == (3,)
    np.testing.assert_array_equal(g.run(y, {"x": np.ones((1, 3))}), np.ones(3))
    with pytest.raises(ValueError):
        g.run(y, {"x": np.ones((2, 3))})
    with pytest.raises(ValueError, match="not 1"):
        cg.squeeze(x, 1)  # known to have length 3


def test_saved_graph_keeps_the_axes(tmp_path, rng):
    fn = FUNCS["logsumexp-tuple-keepdims"]
    g, outs = _build(fn)
    path = str(tmp_path / "g")
    g.save(path)
    h = cg.Graph.load(path)
    for shape in SHAPES[:2]:
        v = rng.standard_normal(shape)
        for got, want in zip(h.run([o.name for o in outs], {"x": v}), _reference(fn, v)):
            _close(got, want, f"loaded {shape}")
