"""NumPy's functions that cg gained in ops/numpy_more.py, numpy_math.py, numpy_poly.py:
values and dtypes against NumPy, NumPy dispatch on Tensors, gradients (gradcheck, and
jax.grad in float64 where jax has the function), in-place semantics, errors."""

from __future__ import annotations

import doctest

import numpy as np
import pytest

import compgraph as cg

RNG = np.random.default_rng(0)
A = RNG.standard_normal((3, 4))
V = RNG.standard_normal(5)
W = RNG.standard_normal(3)


def _np(x):
    if isinstance(x, tuple):
        return tuple(_np(e) for e in x)
    if isinstance(x, cg.Tensor):
        return x.numpy()
    return x


def _same(got, want):
    if isinstance(want, (tuple, list)):
        assert isinstance(got, (tuple, list)) and len(got) == len(want)
        for g, w in zip(got, want):
            _same(g, w)
        return
    if isinstance(want, (bool, np.bool_, int, type, np.dtype)) or want is None:
        assert type(got) is type(want) and got == want
        return
    g, w = _np(got), np.asarray(want)
    assert isinstance(got, cg.Tensor), type(got)
    assert g.shape == w.shape, (g.shape, w.shape)
    assert g.dtype == w.dtype, (g.dtype, w.dtype)
    np.testing.assert_allclose(g, w, rtol=1e-10, atol=1e-12, equal_nan=True)


# (name, args, kwargs): cg.<name>(*args) == np.<name>(*args) on ndarrays and on Tensors
CASES = [
    ("append", (A, A), {"axis": 0}),
    ("append", (A, V), {}),
    ("insert", (A, 1, W), {"axis": 1}),
    ("insert", (A, [0, 2, 2], 7.5), {"axis": 1}),
    ("insert", (V, slice(1, 3), [1.0, 2.0]), {}),
    ("insert", (A, 2, 1.0), {}),
    ("delete", (A, [0, 2], 1), {}),
    ("delete", (A, slice(0, 5, 2)), {}),
    ("delete", (A, np.array([True, False, True])), {"axis": 0}),
    ("resize", (A, (5, 3)), {}),
    ("resize", (V, (2, 4)), {}),
    ("rollaxis", (np.zeros((2, 3, 4)) + np.arange(4), 2), {}),
    ("rollaxis", (np.zeros((2, 3, 4)) + np.arange(4), 0, 3), {}),
    ("choose", (np.array([[0, 1, 2, 1]] * 3), [A, A * 2, np.ones(4)]), {}),
    ("choose", (np.array([0, 4, -1]), [W, W + 1]), {"mode": "clip"}),
    ("choose", (np.array([0, 3, -1]), [W, W + 1]), {"mode": "wrap"}),
    ("compress", ([True, False, True], A), {"axis": 0}),
    ("compress", ([0, 1, 1, 0, 1], A), {}),
    ("extract", (A > 0, A), {}),
    ("trim_zeros", (np.array([0.0, 0, 1, 2, 0, 3, 0]),), {}),
    ("trim_zeros", (np.array([0.0, 0, 1, 2, 0, 3, 0]), "b"), {}),
    ("trim_zeros", (np.pad(A, 1),), {}),
    ("trim_zeros", (np.pad(A, 1), "f"), {"axis": 1}),
    ("trim_zeros", (np.zeros(3),), {}),
    ("copy", (A,), {}),
    ("flatnonzero", (A > 0,), {}),
    ("argpartition", (V, 2), {}),
    ("lexsort", ([V, V > 0],), {}),
    ("sort_complex", (V,), {}),
    ("sort_complex", (np.array([1 + 2j, 1 - 1j, -3j]),), {}),
    ("sort_complex", (np.array([3, 1, 2], np.int16),), {}),
    ("geomspace", (1.0, 1000.0, 4), {}),
    ("geomspace", (-1.0, -1000.0, 5), {"endpoint": False}),
    ("geomspace", (np.array([1.0, 2.0]), 16.0, 3), {"axis": 1}),
    ("geomspace", (1, 256, 9), {"dtype": np.float32}),
    ("asanyarray", (A,), {}),
    ("ascontiguousarray", (A, np.float32), {}),
    ("asfortranarray", (A,), {}),
    ("asarray_chkfinite", (A,), {}),
    ("require", (A, np.float32, "CA"), {}),
    ("ndim", (A,), {}),
    ("modf", (np.array([-2.5, 0.25, 3.75]),), {}),
    ("modf", (np.array([3, -2]),), {}),
    ("divmod", (np.array([7.0, -7.0, 5.5]), np.array([2.0, 2.0, -1.5])), {}),
    ("divmod", (np.array([7, -7]), 3), {}),
    ("spacing", (np.array([1.0, -1e10, 0.0], np.float32),), {}),
    ("unwrap", (np.array([0.0, 3.0, 6.5, 0.5, 7.0, -6.0]),), {}),
    ("unwrap", (np.cumsum(A, 1) * 3, 2.0, 0), {}),
    ("unwrap", (np.array([0, 7, 14, 2]),), {"period": 8}),
    ("interp", (np.linspace(-1, 4, 11), [0.0, 1.0, 2.5, 3.0], [1.0, -1.0, 2.0, 0.5]), {}),
    ("interp", (np.linspace(-1, 4, 11), [0.0, 1.0, 3.0], [1.0, -1.0, 2.0], -5.0, 9.0), {}),
    (
        "interp",
        (
            np.array([-180.0, -170, -185, 185, -10, -5, 0, 365]),
            [190.0, -190, 350, -350],
            [5.0, 10, 3, 4],
        ),
        {"period": 360},
    ),
    ("interp", (np.float32(1.5), [1, 2], [1j, 2.0]), {}),
    ("interp", (np.array([0.0, 1.0, 2.0]), [1.0], [3.0]), {}),
    ("convolve", (V, W), {}),
    ("convolve", (W, V, "same"), {}),
    ("convolve", (V, W, "same"), {}),
    ("convolve", (V, W, "valid"), {}),
    ("convolve", (np.array([1, 2, 3]), np.array([0, 1])), {}),
    ("correlate", (V, W), {}),
    ("correlate", (V, W, "full"), {}),
    ("correlate", (W, V, "full"), {}),
    ("correlate", (V, W, "same"), {}),
    ("correlate", (W, V, "same"), {}),
    ("correlate", (W, V, "valid"), {}),
    ("correlate", (V[:4], V[:4] * 1j + 1, "same"), {}),
    ("correlate", (np.arange(4.0), np.arange(6.0) * 1j, "same"), {}),
    ("ediff1d", (A,), {}),
    ("ediff1d", (V, [9.0, 8.0], -1.0), {}),
    ("digitize", (V, [-1.0, 0.0, 1.0]), {}),
    ("digitize", (V, [1.0, 0.0, -1.0], True), {}),
    ("nanargmax", (np.where(A > 1, np.nan, A),), {"axis": 1}),
    ("nanargmin", (np.where(A > 1, np.nan, A),), {}),
    ("nancumsum", (np.where(A > 1, np.nan, A),), {"axis": 1}),
    ("nancumsum", (np.where(A > 1, np.nan, A),), {}),
    ("nancumprod", (np.where(A > 1, np.nan, A), 0), {}),
    ("nancumsum", (np.arange(5),), {}),
    ("nanpercentile", (np.where(A > 1, np.nan, A), 40), {}),
    ("nanpercentile", (np.where(A > 0.5, np.nan, A), [10, 50], 1), {}),
    (
        "nanpercentile",
        (np.where(A > 0.5, np.nan, A), 75),
        {"axis": 0, "keepdims": True, "method": "nearest"},
    ),
    ("nanpercentile", (np.array([[np.nan, np.nan], [1.0, 2.0]]), 50, 1), {}),
    ("histogram2d", (V, V**2), {"bins": 3}),
    ("histogram2d", (V, V**2), {"bins": [2, 4], "density": True}),
    ("histogram_bin_edges", (V,), {"bins": 4}),
    ("histogram_bin_edges", (V,), {"bins": "auto"}),
    ("bitwise_count", (np.array([0, 7, -3, 255], np.int16),), {}),
    ("packbits", (np.array([[1, 0, 1], [0, 1, 1]], np.uint8),), {"axis": 1}),
    ("packbits", (np.array([1, 0, 1, 1, 0, 0, 0, 1, 1], bool),), {"bitorder": "little"}),
    ("unpackbits", (np.array([[2], [7]], np.uint8),), {"axis": 1}),
    ("unpackbits", (np.array([2, 7], np.uint8),), {"count": 11, "bitorder": "little"}),
    ("matvec", (RNG.standard_normal((2, 3, 4)), RNG.standard_normal(4)), {}),
    ("vecmat", (RNG.standard_normal(3) + 1j, RNG.standard_normal((2, 3, 4))), {}),
    ("intersect1d", ([1.0, 3.0, 4.0, 3.0], [3.0, 1.0, 2.0, 1.0]), {}),
    ("intersect1d", ([1.0, 3.0, 4.0, 3.0], [3.0, 1.0, 2.0, 1.0]), {"return_indices": True}),
    ("intersect1d", ([1, 3, 4], [3.0, 1.5]), {"assume_unique": True}),
    ("union1d", ([-1.0, 0.0, 1.0], [-2.0, 0.0, 2.0]), {}),
    ("union1d", (A, [[0.5]]), {}),
    ("setdiff1d", ([1.0, 2.0, 3.0, 2.0, 4.0, 1.0], [3.0, 4.0, 5.0, 6.0]), {}),
    ("setdiff1d", ([5.0, 2.0, 3.0], [3.0]), {"assume_unique": True}),
    ("setxor1d", ([1.0, 2.0, 3.0, 2.0, 4.0], [2.0, 3.0, 5.0, 7.0, 5.0]), {}),
    ("poly", ([1.0, 2.0, 3.0],), {}),
    ("poly", ([1j, -1j, 2.0],), {}),
    ("poly", (np.array([[1.0, 2.0], [3.0, 4.0]]),), {}),
    ("poly", ([1, 2],), {}),
    ("polyadd", ([1.0, 2.0], [9.0, 5.0, 4.0]), {}),
    ("polysub", ([1.0, 2.0], [9.0, 5.0, 4.0]), {}),
    ("polymul", ([1.0, 2.0, 3.0], [9.0, 5.0, 1.0]), {}),
    ("polydiv", ([3.0, 5.0, 2.0], [2.0, 1.0]), {}),
    ("polydiv", ([1.0, 2.0], [3.0, 4.0, 5.0]), {}),
    ("polydiv", (V, W), {}),
    ("polyder", ([1.0, 1.0, 1.0, 1.0],), {}),
    ("polyder", ([1.0, 1.0, 1.0, 1.0], 2), {}),
    ("polyder", ([3, 2, 1], 3), {}),
    ("polyint", ([1.0, 1.0, 1.0],), {}),
    ("polyint", ([1.0, 1.0, 1.0], 3, [6.0, 5.0, 3.0]), {}),
    ("polyint", ([1, 2], 2, 7.0), {}),
    ("polyval", ([3.0, 0.0, 1.0], 5.0), {}),
    ("polyval", ([3.0, 0.0, 1.0], A), {}),
    ("polyval", ([3, 0, 1], np.array([1, 2])), {}),
    ("polyfit", (np.arange(5.0), np.arange(5.0) ** 2 + V), {"deg": 2}),
    (
        "polyfit",
        (np.arange(5.0), np.stack([V + np.arange(5.0), V], 1), 1),
        {"w": np.linspace(1.0, 2.0, 5)},
    ),
    ("roots", ([1.0, -6.0, 11.0, -6.0],), {}),
    ("roots", ([0.0, 1.0, 0.0, 1.0, 0.0],), {}),
    ("roots", ([3.0, 2.0],), {}),
    ("bartlett", (7,), {}),
    ("blackman", (6,), {}),
    ("hamming", (5,), {}),
    ("hanning", (1,), {}),
    ("kaiser", (8, 14.0), {}),
    ("kaiser", (1, 3.0), {}),
    ("tri", (3, 4, 1), {}),
    ("tri", (3,), {"dtype": int}),
    ("indices", ((2, 3),), {}),
    ("indices", ((2, 3),), {"sparse": True}),
    ("ix_", ([0, 1], [True, False, True]), {}),
    ("diag_indices", (3, 3), {}),
    ("diag_indices_from", (np.zeros((3, 3)),), {}),
    ("tril_indices_from", (A, -1), {}),
    ("triu_indices_from", (A, 1), {}),
    ("mask_indices", (3, np.triu, 1), {}),
    ("block", ([[A, A[:, :1]], [V[None, :]]],), {}),
    ("block", ([1.0, V, np.arange(2)],), {}),
]


def _tensorize(x):
    if isinstance(x, np.ndarray) and x.dtype.kind in "biufc" and x.ndim:
        return cg.asarray(x)
    if isinstance(x, list):
        return [_tensorize(e) for e in x]
    return x


@pytest.mark.parametrize("name,args,kwargs", CASES, ids=[f"{c[0]}{i}" for i, c in enumerate(CASES)])
def test_values_and_dtypes_equal_numpys(name, args, kwargs):
    want = getattr(np, name)(*args, **kwargs)
    _same(getattr(cg, name)(*args, **kwargs), want)
    targs = [_tensorize(a) for a in args]
    _same(getattr(cg, name)(*targs, **kwargs), want)


NO_DISPATCH = {
    "asanyarray",
    "ascontiguousarray",
    "asfortranarray",
    "asarray_chkfinite",
    "require",
    "ix_",
    "mask_indices",
    "lexsort",
    "block",
    "choose",
    "diag_indices_from",
}
DISPATCHED = [
    c
    for c in CASES
    if any(isinstance(a, np.ndarray) and a.ndim for a in c[1]) and c[0] not in NO_DISPATCH
]


@pytest.mark.parametrize(
    "name,args,kwargs", DISPATCHED, ids=[f"{c[0]}{i}" for i, c in enumerate(DISPATCHED)]
)
def test_numpy_dispatch_returns_tensors(name, args, kwargs):
    targs = [cg.asarray(a) if isinstance(a, np.ndarray) and a.ndim else a for a in args]
    got = getattr(np, name)(*targs, **kwargs)
    want = getattr(np, name)(*args, **kwargs)
    _same(got, want)


def test_dispatch_of_list_arguments():
    t = cg.asarray(A)
    _same(np.block([[t, t]]), np.block([[A, A]]))
    _same(
        np.choose(np.array([0, 1, 0]), [cg.asarray(W), cg.asarray(W * 2)]),
        np.choose(np.array([0, 1, 0]), [W, W * 2]),
    )
    _same(np.lexsort((cg.asarray(V), cg.asarray(-V))), np.lexsort((V, -V)))


def test_queries():
    t = cg.asarray(A)
    assert cg.array_equal(t, A) and np.array_equal(t, A) is True
    assert not cg.array_equal(t, A[:2])
    assert cg.array_equal(cg.asarray([np.nan]), [np.nan], equal_nan=True)
    assert cg.array_equiv(cg.asarray([1, 2]), [[1, 2], [1, 2]])
    assert not cg.array_equiv([1, 2], [3, 4, 5])
    assert cg.isscalar(3.0) and not cg.isscalar(cg.asarray(3.0)) and not cg.isscalar([1])
    assert cg.iterable(t) and not cg.iterable(cg.asarray(1.0)) and not cg.iterable(2)
    assert cg.ndim(t) == 2 and cg.ndim(3.0) == 0 and np.ndim(t) == 2
    assert cg.issubdtype(t, np.floating) and not cg.issubdtype(np.int32, np.floating)
    assert cg.min_scalar_type(cg.asarray(10)) == np.min_scalar_type(10) == np.uint8
    assert cg.min_scalar_type(cg.asarray(np.ones(3, np.int32))) == np.int32
    assert cg.common_type(cg.asarray(np.ones(2, np.float32)), np.ones(2, np.int8)) is np.float64
    assert cg.common_type(cg.asarray(np.ones(2, np.float32))) is np.float32
    assert cg.mintypecode(["d", "f", "S"]) == np.mintypecode(["d", "f", "S"]) == "d"
    assert cg.mintypecode([cg.asarray(np.ones(1, np.float32))]) == "f"
    a = np.arange(4.0)
    assert cg.shares_memory(a, a[1:]) and not cg.shares_memory(a, a.copy())
    assert cg.may_share_memory(a, a[::2])
    t = cg.asarray(a)
    assert not cg.shares_memory(t, cg.copy(t))


def test_asarray_chkfinite_require_and_errors():
    with pytest.raises(ValueError, match="infs or NaNs"):
        cg.asarray_chkfinite(cg.asarray([1.0, np.inf]))
    t = cg.asarray(A)
    assert cg.require(t, None, "O") is not t and cg.require(t) is t
    with pytest.raises(ValueError, match="both C and Fortran"):
        cg.require(t, None, ["C", "F"])
    with pytest.raises(ValueError, match="at least 2-d"):
        cg.fill_diagonal(cg.zeros(3), 1.0)
    with pytest.raises(ValueError, match="cannot be empty"):
        cg.convolve(cg.zeros(0), V)
    with pytest.raises(ValueError, match="mode"):
        cg.convolve(V, W, "middle")
    with pytest.raises(ValueError, match="same length"):
        cg.interp(V, [1.0, 2.0], [1.0])
    with pytest.raises(TypeError, match="polyfit"):
        cg.polyfit(np.arange(3.0), np.arange(4.0), 1)
    with pytest.raises(ValueError, match="piecewise"):
        cg.piecewise(cg.asarray(V), [V > 0], [1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match="size 0"):
        cg.vectorize(lambda x: x)(cg.zeros(0))
    with pytest.raises(ValueError, match="All-NaN|NaN"):
        cg.nanargmax(cg.asarray([np.nan]))


# ------------------------------------------------------------------ in place
def test_fill_diagonal_in_place():
    for shape, wrap in (((3, 3), False), ((5, 3), True), ((5, 3), False), ((3, 3, 3), False)):
        a = np.zeros(shape)
        np.fill_diagonal(a, [1.0, 2.0], wrap)
        t = cg.zeros(shape, "float64")
        assert cg.fill_diagonal(t, cg.asarray([1.0, 2.0]), wrap) is None
        np.testing.assert_array_equal(t.numpy(), a)
    b = np.zeros((2, 2))
    assert np.fill_diagonal(cg.asarray(b) if False else b, 3.0) is None
    t = cg.zeros((2, 2), "float64")
    assert np.fill_diagonal(t, 5.0) is None  # NumPy dispatch changes the Tensor
    np.testing.assert_array_equal(t.numpy(), np.eye(2) * 5)


def test_in_place_gradients_and_leaf_refusal():
    x = cg.tensor(A, requires_grad=True)
    d = cg.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = x * 2.0
    cg.fill_diagonal(y, d)
    y.sum().backward()
    want = np.full(A.shape, 2.0)
    want[[0, 1, 2], [0, 1, 2]] = 0.0
    np.testing.assert_allclose(x.grad.numpy(), want)
    np.testing.assert_allclose(d.grad.numpy(), np.ones(3))
    with pytest.raises(RuntimeError, match="leaf"):
        cg.fill_diagonal(x, 0.0)
    with pytest.raises(RuntimeError, match="leaf"):
        cg.putmask(x, A > 0, 0.0)
    with pytest.raises(RuntimeError, match="leaf"):
        cg.place(x, A > 0, [0.0])


def test_place_and_putmask_equal_numpys():
    for fn in (np.place, np.putmask):
        a = A.copy()
        fn(a, A > 0, [10.0, 20.0, 30.0])
        t = cg.asarray(A.copy())
        assert getattr(cg, fn.__name__)(t, A > 0, cg.asarray([10.0, 20.0, 30.0])) is None
        np.testing.assert_array_equal(t.numpy(), a)
        t2 = cg.asarray(A.copy())
        assert fn(t2, A > 0, [10.0, 20.0, 30.0]) is None
        np.testing.assert_array_equal(t2.numpy(), a)
        n = A.copy()
        assert getattr(cg, fn.__name__)(n, A > 0, [10.0, 20.0, 30.0]) is None
        np.testing.assert_array_equal(n, a)
    with pytest.raises(ValueError, match="empty"):
        cg.place(cg.asarray(A.copy()), A > 0, [])


# ------------------------------------------------------------------ functions of functions
def test_piecewise_vectorize_apply():
    x = np.linspace(-2.5, 2.5, 6)
    funcs = [lambda v: -v, lambda v: v**2, 7.0]
    conds = [x < -1, x > 1]
    want = np.piecewise(x, conds, funcs)
    _same(cg.piecewise(cg.asarray(x), conds, funcs), want)
    _same(np.piecewise(cg.asarray(x), conds, funcs), want)
    _same(
        cg.piecewise(cg.asarray(3.0), [True], [lambda v: v + 1]),
        np.piecewise(3.0, [True], [lambda v: v + 1]),
    )

    f = lambda a, b: a - b if a > b else a + b  # noqa: E731
    _same(cg.vectorize(f)(cg.asarray(A), cg.asarray(W[:, None])), np.vectorize(f)(A, W[:, None]))
    two = lambda a: (a, a * 2)  # noqa: E731
    _same(cg.vectorize(two)(cg.asarray(V)), np.vectorize(two)(V))
    sig = cg.vectorize(lambda a, b: cg.sum(a * b), signature="(n),(n)->()")
    _same(
        sig(cg.asarray(A), cg.asarray(A[0])),
        np.vectorize(lambda a, b: np.sum(a * b), signature="(n),(n)->()")(A, A[0]),
    )
    _same(cg.vectorize(lambda a, k: a * k, excluded={1})(cg.asarray(V), 3.0), V * 3.0)
    _same(
        cg.vectorize(f, otypes=[np.float32])(cg.asarray(V), 0.5),
        np.vectorize(f, otypes=[np.float32])(V, 0.5),
    )

    _same(
        cg.apply_along_axis(lambda r: r[::-1] * 2, 0, cg.asarray(A)),
        np.apply_along_axis(lambda r: r[::-1] * 2, 0, A),
    )
    _same(
        cg.apply_along_axis(lambda r: cg.outer(r, r), 1, cg.asarray(A)),
        np.apply_along_axis(lambda r: np.outer(r, r), 1, A),
    )
    _same(
        cg.apply_along_axis(lambda r: cg.sum(r), -1, cg.asarray(A)),
        np.apply_along_axis(np.sum, -1, A),
    )
    _same(cg.apply_over_axes(cg.sum, cg.asarray(A), [0, 1]), np.apply_over_axes(np.sum, A, [0, 1]))

    u = cg.frompyfunc(lambda a, b: a * b + 1, 2, 1)
    _same(u(cg.asarray(np.arange(3.0)), 2.0), np.arange(3.0) * 2 + 1)
    _same(cg.fromfunction(lambda i, j: i + j, (2, 3)), np.fromfunction(lambda i, j: i + j, (2, 3)))
    _same(
        cg.fromiter((i * i for i in range(4)), float), np.fromiter((i * i for i in range(4)), float)
    )


def test_partition_values():
    got = cg.partition(cg.asarray(A), 2, axis=1).numpy()
    np.testing.assert_array_equal(got[:, 2], np.partition(A, 2, axis=1)[:, 2])
    assert (got[:, :2] <= got[:, 2:3]).all() and (got[:, 3:] >= got[:, 2:3]).all()
    assert isinstance(np.partition(cg.asarray(V), 1), cg.Tensor)
    np.testing.assert_array_equal(
        cg.partition(cg.asarray(A), 5, axis=None).numpy()[5], np.sort(A, None)[5]
    )


# ------------------------------------------------------------------ gradients
def _check(fn, *inputs):
    assert cg.gradcheck(fn, *[np.asarray(x, np.float64) for x in inputs])


GRADS = [
    ("append", lambda a, b: cg.append(a, b, axis=1), (A, A[:, :2])),
    ("insert", lambda a, b: cg.insert(a, [0, 2, 2], b, axis=1), (A, W[:, None])),
    ("delete", lambda a: cg.delete(a, [1], 0), (A,)),
    ("block", lambda a, b: cg.block([[a, a], [b, b]]), (A, A[:1])),
    ("copy", lambda a: cg.copy(a), (A,)),
    ("resize", lambda a: cg.resize(a, (4, 5)), (A,)),
    ("rollaxis", lambda a: cg.rollaxis(a, 1), (A,)),
    ("choose", lambda a, b: cg.choose(np.array([0, 1, 1, 0]), [a, b]), (A, V[:4])),
    ("compress", lambda a: cg.compress([1, 0, 1], a, 0), (A,)),
    ("extract", lambda a: cg.extract(A > 0, a), (A,)),
    ("partition", lambda a: cg.partition(a, 2), (V,)),
    ("sort_complex", lambda a: cg.real(cg.sort_complex(a)), (V,)),
    ("geomspace", lambda a, b: cg.geomspace(a, b, 5), (np.array(2.0), np.array(30.0))),
    (
        "geomspace_neg",
        lambda a, b: cg.geomspace(a, b, 4, endpoint=False),
        (-np.ones(2), -5 * np.ones(2)),
    ),
    ("modf", lambda a: cg.modf(a)[0] * 2 + cg.modf(a)[1], (V + 0.1,)),
    ("unwrap", lambda a: cg.unwrap(a * 3), (V,)),
    (
        "interp",
        lambda x, xp, fp: cg.interp(x, xp, fp),
        (np.linspace(-0.9, 3.9, 7), [0.0, 1.0, 2.5, 3.3], [1.0, -1.0, 2.0, 0.5]),
    ),
    (
        "interp_period",
        lambda x, fp: cg.interp(x, [0.0, 1.0, 2.5], fp, period=3.0),
        (np.linspace(-4.1, 4.1, 7), [1.0, -1.0, 2.0]),
    ),
    ("convolve", lambda a, b: cg.convolve(a, b), (V, W)),
    ("convolve_same", lambda a, b: cg.convolve(a, b, "same"), (W, V)),
    ("correlate", lambda a, b: cg.correlate(a, b, "full"), (V, W)),
    ("ediff1d", lambda a, b: cg.ediff1d(a, to_begin=b), (A, W)),
    ("piecewise", lambda a: cg.piecewise(a, [V < 0], [lambda v: v**2, lambda v: cg.sin(v)]), (V,)),
    (
        "vectorize",
        lambda a, b: cg.vectorize(lambda p, q: p * q if p > 0 else p - q)(a, b),
        (A, W[:, None]),
    ),
    ("apply_along_axis", lambda a: cg.apply_along_axis(lambda r: cg.cumsum(r) * r[0], 1, a), (A,)),
    ("apply_over_axes", lambda a: cg.apply_over_axes(cg.prod, a, [1]), (A,)),
    ("nancumsum", lambda a: cg.nancumsum(cg.where(A > 1, np.nan, a), axis=1), (A,)),
    ("nancumprod", lambda a: cg.nancumprod(cg.where(A > 1, np.nan, a)), (A,)),
    (
        "nanpercentile",
        lambda a: cg.nanpercentile(cg.where(A > 1, np.nan, a), [30, 60], axis=1),
        (A,),
    ),
    ("matvec", lambda a, b: cg.matvec(a, b), (A, V[:4])),
    ("vecmat", lambda a, b: cg.vecmat(a, b), (W, A)),
    ("union1d", lambda a, b: cg.union1d(a, b), (V, W)),
    ("setxor1d", lambda a, b: cg.setxor1d(a, b), (V, W)),
    ("poly", lambda a: cg.poly(a), (V,)),
    ("poly_matrix", lambda a: cg.poly(a), (A[:, :3] + np.eye(3) * 4,)),
    ("polyadd", lambda a, b: cg.polyadd(a, b), (V, W)),
    ("polysub", lambda a, b: cg.polysub(a, b), (W, V)),
    ("polymul", lambda a, b: cg.polymul(a, b), (V, W)),
    (
        "polydiv",
        lambda a, b: cg.polydiv(a, b)[0] + cg.sum(cg.polydiv(a, b)[1]),
        (V, W + [3.0, 0, 0]),
    ),
    ("polyder", lambda a: cg.polyder(a, 2), (V,)),
    ("polyint", lambda a, k: cg.polyint(a, 2, k), (V, W[:2])),
    ("polyval", lambda p, x: cg.polyval(p, x), (V, A)),
    ("polyfit", lambda y, w: cg.polyfit(np.arange(5.0), y, 2, w=w), (V, V**2 + 1)),
    ("polyfit_cov", lambda y: cg.polyfit(np.arange(5.0), y, 2, cov=True)[1], (V,)),
    ("roots", lambda p: cg.roots(p), ([1.0, -6.0, 11.0, -5.9],)),
    ("roots_complex", lambda p: cg.real(cg.roots(p)) + cg.imag(cg.roots(p)), ([1.0, 0.5, 2.0],)),
    ("kaiser", lambda b: cg.kaiser(6, b), (np.array(3.0),)),
]


@pytest.mark.parametrize("name,fn,inputs", GRADS, ids=[g[0] for g in GRADS])
def test_gradcheck(name, fn, inputs):
    _check(fn, *inputs)


def _grad_of(fn, x, weights):
    t = cg.tensor(np.asarray(x, np.float64), requires_grad=True)
    out = fn(t)
    cg.sum(out * weights).backward()
    return t.grad.numpy()


def test_gradients_of_value_dependent_selections():
    # The selection depends on the values (gradcheck's perturbations would change it).
    np.testing.assert_array_equal(
        _grad_of(cg.trim_zeros, [0.0, 1.0, 0.0, 2.0, 0.0], np.array([5.0, 6.0, 7.0])),
        [0.0, 5.0, 6.0, 7.0, 0.0],
    )
    x = np.array([3.0, 1.0, 2.0, 3.0, 5.0])
    np.testing.assert_array_equal(
        _grad_of(lambda t: cg.intersect1d(t, [3.0, 5.0, 9.0]), x, np.array([10.0, 20.0])),
        [10.0, 0.0, 0.0, 0.0, 20.0],
    )
    np.testing.assert_array_equal(
        _grad_of(lambda t: cg.setdiff1d(t, [2.0]), x, np.array([10.0, 20.0, 30.0])),
        [20.0, 10.0, 0.0, 0.0, 30.0],
    )
    np.testing.assert_array_equal(
        _grad_of(lambda t: cg.union1d(t, [2.5]), x, np.array([1.0, 2.0, 3.0, 4.0, 5.0])),
        [4.0, 1.0, 2.0, 0.0, 5.0],
    )


JAX_GRADS = [
    ("append", lambda m, a, b: m.append(a, b)),
    ("convolve", lambda m, a, b: m.convolve(a, b)),
    ("convolve_valid", lambda m, a, b: m.convolve(a, b, mode="valid")),
    ("correlate", lambda m, a, b: m.correlate(a, b, mode="full")),
    ("polyval", lambda m, a, b: m.polyval(a, b)),
    ("interp", lambda m, a, b: m.interp(a * 2.0, m.asarray([-1.0, 0.0, 0.5, 2.0]), b[:4] * 1.0)),
    ("ediff1d", lambda m, a, b: m.ediff1d(a, to_end=b)),
    ("unwrap", lambda m, a, b: m.unwrap(a * 4.0) * b[0]),
    ("nancumsum", lambda m, a, b: m.nancumsum(a * b[0])),
    ("modf", lambda m, a, b: m.modf(a * 3.0)[0] * b[1]),
]


@pytest.mark.parametrize("name,fn", JAX_GRADS, ids=[g[0] for g in JAX_GRADS])
def test_gradients_equal_jax(name, fn):
    jax = pytest.importorskip("jax")
    jnp = pytest.importorskip("jax.numpy")
    jax.config.update("jax_enable_x64", True)
    a, b = RNG.standard_normal(5), RNG.standard_normal(4)
    ga, gb = jax.grad(lambda x, y: jnp.sum(jnp.sin(fn(jnp, x, y))), argnums=(0, 1))(a, b)
    ta, tb = cg.tensor(a, requires_grad=True), cg.tensor(b, requires_grad=True)
    out = cg.sum(cg.sin(fn(cg, ta, tb)))
    out.backward()
    np.testing.assert_allclose(
        ta.grad.numpy() if ta.grad is not None else 0 * a, ga, rtol=1e-9, atol=1e-12
    )
    np.testing.assert_allclose(
        tb.grad.numpy() if tb.grad is not None else 0 * b, gb, rtol=1e-9, atol=1e-12
    )


def test_no_existing_name_changed():
    # shape/size are TensorFlow's, frombuffer is PyTorch's: untouched.
    for name in ("shape", "size", "frombuffer", "gradient", "histogram", "tril_indices"):
        assert not getattr(cg, name).__module__.startswith("compgraph.ops.numpy_")


def test_poly1d_equals_numpys():
    p, q = cg.poly1d([0.0, 1.0, 2.0, 3.0]), np.poly1d([0.0, 1.0, 2.0, 3.0])
    assert p.order == q.order == len(p) == 2 and p.variable == "x"
    _same(p.coeffs, q.coeffs)
    _same(p(2.5), q(2.5))
    _same((p * p - 1).coeffs, (q * q - 1).coeffs)
    _same((3 - p).coeffs, (3 - q).coeffs)
    _same((p**3).coeffs, (q**3).coeffs)
    _same((p * 2.0 + [1.0, 1.0]).coeffs, (q * 2.0 + [1.0, 1.0]).coeffs)
    _same(p.deriv().coeffs, q.deriv().coeffs)
    _same(p.integ(2, 1.0).coeffs, q.integ(2, 1.0).coeffs)
    _same(p.roots, q.roots)
    np.testing.assert_equal(p[0].numpy(), q[0])
    np.testing.assert_equal(p[7].numpy(), q[7])
    d, r = p / cg.poly1d([1.0, 1.0])
    dq, rq = q / np.poly1d([1.0, 1.0])
    _same(d.coeffs, dq.coeffs)
    _same(r.coeffs, rq.coeffs)
    _same(p(cg.poly1d([1.0, 1.0])).coeffs, q(np.poly1d([1.0, 1.0])).coeffs)
    _same(cg.poly1d([1, 2], r=True).coeffs, np.poly1d([1, 2], r=True).coeffs)
    assert isinstance(cg.polyadd(p, [1.0]), cg.poly1d) and isinstance(cg.polyder(p), cg.poly1d)
    assert p == cg.poly1d([1.0, 2.0, 3.0]) and p != cg.poly1d([1.0])
    c = cg.tensor([1.0, -2.0, 0.5], requires_grad=True)
    cg.poly1d(c)(3.0).backward()
    np.testing.assert_allclose(c.grad.numpy(), [9.0, 3.0, 1.0])


@pytest.mark.parametrize(
    "x,condlist",
    [
        (np.linspace(-2.0, 2.0, 5), [np.linspace(-2.0, 2.0, 5) > 0]),
        (np.linspace(-2.0, 2.0, 5), np.linspace(-2.0, 2.0, 5) > 0),
        (np.linspace(-2.0, 2.0, 5), [True, False, True, False, True]),
        (np.arange(6.0).reshape(2, 3), [[[True, False, True], [False, True, False]]]),
        (np.array(2.0), [True]),
        (np.array(2.0), True),
    ],
)
def test_piecewise_condition_forms(x, condlist):
    funcs = [lambda v: v * 10.0, lambda v: v - 1.0]
    want = np.piecewise(x, condlist, funcs)
    _same(cg.piecewise(cg.asarray(x), condlist, funcs), want)
    tc = cg.asarray(condlist) if isinstance(condlist, np.ndarray) else condlist
    _same(cg.piecewise(cg.asarray(x), tc, funcs), want)


JAX_GRADS_1 = [
    ("polyfit", lambda m, y: m.polyfit(m.arange(6.0), y, 2)),
    ("polyfit_w", lambda m, y: m.polyfit(m.arange(6.0), y * 1.0, 1, w=y * y + 1.0)),
    ("nanpercentile", lambda m, y: m.nanpercentile(m.where(y > 1.0, m.nan, y), 30.0)),
    ("geomspace", lambda m, y: m.geomspace(y[0] ** 2 + 1.0, y[1] ** 2 + 2.0, 5)),
    ("poly", lambda m, y: m.poly(y)),
    ("interp_xp", lambda m, y: m.interp(m.asarray([0.3, 1.7, 2.2]), m.cumsum(m.abs(y)), y)),
    ("piecewise", lambda m, y: m.piecewise(y, [y < 0], [lambda v: v ** 2, lambda v: m.sin(v)])),
    ("vectorize", lambda m, y: m.vectorize(lambda v: v * v + 1.0)(y)),
    ("apply_along_axis", lambda m, y: m.apply_along_axis(lambda r: r * r[0], 0, y)),
    ("kaiser", lambda m, y: m.kaiser(5, y[0] ** 2 + 1.0)),
    ("sort_complex", lambda m, y: m.real(m.sort_complex(y))),
    ("polyint", lambda m, y: m.polyint(y, 1, k=y[0])),
    ("polydiv", lambda m, y: m.polydiv(y, y[:3] + 2.0)[0]),
    ("trim_zeros", lambda m, y: m.trim_zeros(y)),
]


@pytest.mark.parametrize("name,fn", JAX_GRADS_1, ids=[g[0] for g in JAX_GRADS_1])
def test_one_input_gradients_equal_jax(name, fn):
    jax = pytest.importorskip("jax")
    jnp = pytest.importorskip("jax.numpy")
    jax.config.update("jax_enable_x64", True)
    y = np.array([0.7, -1.3, 2.1, 0.4, -0.2, 1.6])
    g = jax.grad(lambda v: jnp.sum(jnp.sin(fn(jnp, v))))(y)
    t = cg.tensor(y, requires_grad=True)
    cg.sum(cg.sin(fn(cg, t))).backward()
    np.testing.assert_allclose(t.grad.numpy(), g, rtol=1e-8, atol=1e-10)


def test_copyto_in_place():
    mask = np.array([[True, False, True], [False, True, False]])
    for src, where in (([1.0, 2.0, 3.0], True), (5, mask), (np.arange(6.0).reshape(2, 3), mask)):
        a = np.zeros((2, 3))
        np.copyto(a, src, where=where)
        t = cg.zeros((2, 3), "float64")
        assert cg.copyto(t, src, where=where) is None
        np.testing.assert_array_equal(t.numpy(), a)
        t2 = cg.zeros((2, 3), "float64")
        assert np.copyto(t2, cg.asarray(src), where=where) is None  # NumPy dispatch
        np.testing.assert_array_equal(t2.numpy(), a)
    with pytest.raises(TypeError, match="same_kind"):
        cg.copyto(cg.zeros((2,), "int64"), 1.5)
    with pytest.raises(TypeError, match="same_kind"):
        cg.copyto(cg.zeros((2,), "int64"), cg.asarray([1.5, 2.0]))
    with pytest.raises(ValueError):
        cg.copyto(cg.zeros((2,), "float64"), cg.asarray([1.0, 2.0, 3.0]))
    x = cg.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = cg.zeros((2, 3), "float64")
    cg.copyto(y, x * 2.0, where=mask)
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [2.0, 2.0, 2.0])
    with pytest.raises(RuntimeError, match="leaf"):
        cg.copyto(x, 0.0)


def test_index_helpers_and_formatting():
    _same(cg.ravel_multi_index([[1, 0], [2, 1]], (2, 3)), np.ravel_multi_index([[1, 0], [2, 1]], (2, 3)))
    _same(np.ravel_multi_index((cg.asarray([1, 0]), cg.asarray([5, 1])), (2, 3), mode="clip"),
          np.ravel_multi_index(([1, 0], [5, 1]), (2, 3), mode="clip"))
    ops = [np.zeros((2, 3)), np.zeros((3, 4)), np.zeros((4, 5))]
    want = np.einsum_path("ij,jk,kl->il", *ops, optimize="optimal")
    assert cg.einsum_path("ij,jk,kl->il", *[cg.asarray(o) for o in ops], optimize="optimal") == want
    assert np.einsum_path("ij,jk,kl->il", *[cg.asarray(o) for o in ops], optimize="optimal") == want
    assert cg.base_repr(cg.asarray(10), 3, 2) == np.base_repr(10, 3, 2)
    assert cg.binary_repr(-3, 5) == np.binary_repr(-3, 5) == "11101"
    assert list(cg.ndindex(2, 3)) == list(np.ndindex(2, 3))
    pairs = list(cg.ndenumerate(cg.asarray(A)))
    assert [p[0] for p in pairs] == [p[0] for p in np.ndenumerate(A)]
    assert all(float(p[1].numpy()) == v for p, (_, v) in zip(pairs, np.ndenumerate(A)))
    assert cg.isfortran(np.asfortranarray(np.ones((2, 2)))) and not cg.isfortran(cg.asarray(A))


@pytest.mark.parametrize("name", ["insert", "fill_diagonal", "interp", "convolve", "vectorize",
                                  "roots", "polyval", "union1d"])
def test_docstring_examples_run(name):
    # (pytest's doctest collection skips them: their __module__ is "compgraph")
    tests = doctest.DocTestFinder().find(getattr(cg, name), name, globs={})
    assert tests and tests[0].examples
    runner = doctest.DocTestRunner()
    for t in tests:
        runner.run(t)
    assert runner.failures == 0
