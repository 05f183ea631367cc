"""compgraph.numpy, compgraph.scipy and compgraph.tree_util against NumPy, SciPy and
jax: values, dtypes, shapes, gradients (cg.grad vs jax.grad) and pytree round trips."""

from __future__ import annotations

import collections
import dataclasses
import warnings

import numpy as np
import pytest

import compgraph as cg
import compgraph.numpy as cnp
import compgraph.scipy.linalg as csl
import compgraph.scipy.special as csp
import compgraph.scipy.stats as css
from compgraph import tree_util as tu

# ---------------------------------------------------------------- compgraph.numpy

rng = np.random.default_rng(0)  # the inputs every case uses
A = rng.standard_normal((3, 4))
B = rng.standard_normal((4, 3))
V = rng.standard_normal(5)
P = np.abs(rng.standard_normal((3, 4))) + 0.5
IM = np.array([[3, 1, 2], [0, 5, 4]])
Q = rng.standard_normal((3, 3))
S = Q @ Q.T + 3 * np.eye(3)
U = np.array([0.2, 0.5, 0.7])
BO = np.array([True, False, True])
CASES = [
    ("abs", (A,), {}),
    ("absolute", (A,), {}),
    ("negative", (A,), {}),
    ("positive", (A,), {}),
    ("exp", (A,), {}),
    ("exp2", (A,), {}),
    ("expm1", (A,), {}),
    ("log", (P,), {}),
    ("log2", (P,), {}),
    ("log10", (P,), {}),
    ("log1p", (P,), {}),
    ("sqrt", (P,), {}),
    ("cbrt", (A,), {}),
    ("square", (A,), {}),
    ("reciprocal", (P,), {}),
    ("sin", (A,), {}),
    ("cos", (A,), {}),
    ("tan", (A,), {}),
    ("arcsin", (U,), {}),
    ("arccos", (U,), {}),
    ("arctan", (A,), {}),
    ("sinh", (A,), {}),
    ("cosh", (A,), {}),
    ("tanh", (A,), {}),
    ("arcsinh", (A,), {}),
    ("arccosh", (P + 1,), {}),
    ("arctanh", (U,), {}),
    ("arctan2", (A, P), {}),
    ("hypot", (A, P), {}),
    ("sign", (A,), {}),
    ("floor", (A,), {}),
    ("ceil", (A,), {}),
    ("trunc", (A,), {}),
    ("rint", (A,), {}),
    ("round", (A,), {}),
    ("round", (A, 2), {}),
    ("around", (A, 1), {}),
    ("fix", (A,), {}),
    ("add", (A, P), {}),
    ("subtract", (A, P), {}),
    ("multiply", (A, P), {}),
    ("divide", (A, P), {}),
    ("true_divide", (A, P), {}),
    ("floor_divide", (A, P), {}),
    ("power", (P, A), {}),
    ("float_power", (P, 2), {}),
    ("mod", (A, P), {}),
    ("fmod", (A, P), {}),
    ("remainder", (A, P), {}),
    ("maximum", (A, P), {}),
    ("minimum", (A, P), {}),
    ("fmax", (A, P), {}),
    ("fmin", (A, P), {}),
    ("logaddexp", (A, P), {}),
    ("logaddexp2", (A, P), {}),
    ("sinc", (A,), {}),
    ("deg2rad", (A,), {}),
    ("rad2deg", (A,), {}),
    ("degrees", (A,), {}),
    ("radians", (A,), {}),
    ("heaviside", (A, 0.5), {}),
    ("copysign", (A, P), {}),
    ("clip", (A, -0.5, 0.5), {}),
    ("nan_to_num", (np.array([np.nan, np.inf, 1.0]),), {}),
    ("isnan", (A,), {}),
    ("isinf", (A,), {}),
    ("isfinite", (A,), {}),
    ("signbit", (A,), {}),
    ("greater", (A, P), {}),
    ("less_equal", (A, P), {}),
    ("equal", (A, A), {}),
    ("not_equal", (A, P), {}),
    ("logical_and", (BO, ~BO), {}),
    ("logical_or", (BO, ~BO), {}),
    ("logical_not", (BO,), {}),
    ("logical_xor", (BO, BO), {}),
    ("sum", (A,), {}),
    ("sum", (A, 0), {}),
    ("sum", (A,), {"axis": 1, "keepdims": True}),
    ("sum", (IM,), {}),
    ("prod", (A, 1), {}),
    ("mean", (A,), {}),
    ("mean", (A, 0), {}),
    ("mean", (IM,), {}),
    ("mean", (IM, 1), {}),
    ("std", (A,), {}),
    ("std", (A, 0), {}),
    ("std", (A,), {"ddof": 1}),
    ("var", (A,), {}),
    ("var", (A, 1), {}),
    ("var", (IM,), {}),
    ("max", (A,), {}),
    ("max", (A, 0), {}),
    ("max", (A,), {"axis": 1}),
    ("min", (A, 1), {}),
    ("min", (A,), {}),
    ("amax", (A, 0), {}),
    ("amin", (A, 1), {}),
    ("ptp", (A, 1), {}),
    ("argmax", (A,), {}),
    ("argmax", (A, 1), {}),
    ("argmin", (A,), {}),
    ("argmin", (A, 0), {}),
    ("cumsum", (A,), {}),
    ("cumsum", (A, 1), {}),
    ("cumprod", (A,), {}),
    ("cumprod", (A, 0), {}),
    ("any", (BO,), {}),
    ("all", (BO,), {}),
    ("any", (A > 0, 0), {}),
    ("all", (A > 0, 1), {}),
    ("median", (A,), {}),
    ("median", (A, 0), {}),
    ("average", (A,), {}),
    ("average", (A, 0, P[:, 0]), {}),
    ("percentile", (A, 30), {}),
    ("quantile", (A, 0.3), {}),
    ("nansum", (A,), {}),
    ("nanmean", (A, 0), {}),
    ("nanmax", (A,), {}),
    ("count_nonzero", (A > 0,), {}),
    ("sort", (A,), {}),
    ("sort", (A, 0), {}),
    ("sort", (A,), {"axis": None}),
    ("argsort", (A,), {}),
    ("argsort", (A, 0), {}),
    ("unique", (IM,), {}),
    ("unique", (np.array([3, 1, 3, 2]),), {"return_counts": True}),
    ("reshape", (A, (4, 3)), {}),
    ("reshape", (A, -1), {}),
    ("ravel", (A,), {}),
    ("transpose", (A,), {}),
    ("transpose", (np.ones((2, 3, 4)), (1, 0, 2)), {}),
    ("swapaxes", (A, 0, 1), {}),
    ("moveaxis", (np.ones((2, 3, 4)), 0, -1), {}),
    ("squeeze", (np.ones((1, 3, 1)),), {}),
    ("expand_dims", (A, 0), {}),
    ("flip", (A,), {}),
    ("flip", (A, 1), {}),
    ("fliplr", (A,), {}),
    ("flipud", (A,), {}),
    ("roll", (A, 1), {}),
    ("roll", (A, 1, 1), {}),
    ("rot90", (A,), {}),
    ("tile", (A, 2), {}),
    ("tile", (A, (2, 1)), {}),
    ("repeat", (A, 2), {}),
    ("repeat", (A, 2, 0), {}),
    ("repeat", (V, [1, 2, 0, 1, 2]), {}),
    ("concatenate", ([A, P],), {}),
    ("concatenate", ([A, P], 1), {}),
    ("concatenate", ([A, P],), {"axis": None}),
    ("stack", ([A, P],), {}),
    ("stack", ([A, P], 1), {}),
    ("vstack", ([A, P],), {}),
    ("hstack", ([A, P],), {}),
    ("dstack", ([A, P],), {}),
    ("column_stack", ([V, V],), {}),
    ("row_stack", ([V, V],), {}),
    ("split", (V[:4], 2), {}),
    ("split", (A, [1, 3], 1), {}),
    ("split", (A, 3), {}),
    ("array_split", (V, 3), {}),
    ("hsplit", (A, 2), {}),
    ("vsplit", (A, 3), {}),
    ("diag", (V,), {}),
    ("diag", (A,), {}),
    ("diag", (V, 1), {}),
    ("diagonal", (A,), {}),
    ("diagflat", (V,), {}),
    ("trace", (A,), {}),
    ("tril", (A,), {}),
    ("triu", (A, 1), {}),
    ("take", (A, [0, 2]), {}),
    ("take", (A, [0, 2], 1), {}),
    ("take_along_axis", (A, np.argsort(A, 1), 1), {}),
    ("where", (A > 0, A, P), {}),
    ("where", (A > 0,), {}),
    ("nonzero", (A > 0,), {}),
    ("argwhere", (A > 0,), {}),
    ("pad", (A, 1), {}),
    ("pad", (A, ((1, 0), (0, 2))), {}),
    ("pad", (A, 1), {"mode": "reflect"}),
    ("atleast_1d", (3.0,), {}),
    ("atleast_2d", (V,), {}),
    ("atleast_3d", (A,), {}),
    ("broadcast_to", (V, (2, 5)), {}),
    ("broadcast_arrays", (V, A[:, :1]), {}),
    ("meshgrid", (V, U), {}),
    ("meshgrid", (V, U), {"indexing": "ij"}),
    ("dot", (A, B), {}),
    ("dot", (V, V), {}),
    ("matmul", (A, B), {}),
    ("inner", (V, V), {}),
    ("outer", (V, U), {}),
    ("vdot", (V, V), {}),
    ("kron", (A, B), {}),
    ("tensordot", (A, B, 1), {}),
    ("tensordot", (A, B), {"axes": ([0], [1])}),
    ("einsum", ("ij,jk->ik", A, B), {}),
    ("cross", (np.ones(3), U), {}),
    ("zeros", ((2, 3),), {}),
    ("ones", (3,), {}),
    ("zeros", (3,), {"dtype": np.int32}),
    ("empty", ((2,),), {}),
    ("full", ((2, 3), 7), {}),
    ("full", ((2,), 1.5), {}),
    ("zeros_like", (A,), {}),
    ("ones_like", (IM,), {}),
    ("full_like", (A, 2), {}),
    ("eye", (3,), {}),
    ("eye", (3, 4, 1), {}),
    ("identity", (3,), {}),
    ("arange", (5,), {}),
    ("arange", (1, 7, 2), {}),
    ("arange", (0.0, 1.0, 0.25), {}),
    ("linspace", (0, 1, 5), {}),
    ("linspace", (0, 1, 5), {"endpoint": False}),
    ("logspace", (0, 2, 3), {}),
    ("array", ([1, 2, 3],), {}),
    ("array", ([[1.0, 2.0]],), {}),
    ("asarray", (A,), {}),
    ("tri", (3,), {}),
    ("diff", (V,), {}),
    ("diff", (A, 1, 0), {}),
    ("gradient", (V,), {}),
    ("gradient", (V, 2.0), {}),
    ("cov", (A,), {}),
    ("corrcoef", (A,), {}),
    ("histogram", (V,), {"bins": 3}),
    ("bincount", (np.array([0, 1, 1, 3]),), {}),
    ("searchsorted", (np.sort(V), 0.1), {}),
    ("interp", (U, np.sort(V), V), {}),
    ("convolve", (V, U), {}),
    ("polyval", (U, V), {}),
    ("flatnonzero", (A > 0,), {}),
    ("count_nonzero", (A > 0, 0), {}),
    ("allclose", (A, A), {}),
    ("isclose", (A, P), {}),
    ("array_equal", (A, A), {}),
    ("shape", (A,), {}),
    ("ndim", (A,), {}),
    ("size", (A,), {}),
    ("size", (A, 1), {}),
    ("iscomplexobj", (A,), {}),
    ("real", (A,), {}),
    ("imag", (A,), {}),
    ("conj", (A,), {}),
    ("angle", (A,), {}),
    ("logical_not", (A > 0,), {}),
    ("append", (V, U), {}),
    ("insert", (V, 1, 9.0), {}),
    ("delete", (V, 1), {}),
    ("resize", (V, (2, 3)), {}),
    ("cumulative_sum", (V,), {}),
    ("trapezoid", (V,), {}),
    ("nanmin", (A, 0), {}),
    ("nanstd", (A,), {}),
    ("sort", (IM,), {"kind": "stable"}),
    ("flatten", (A,), {}),
    ("max", (IM,), {}),
    ("argmax", (IM, 0), {}),
    ("triu_indices", (3,), {}),
    ("tril_indices", (3, 1), {}),
    ("indices", ((2, 3),), {}),
    ("unravel_index", (5, (2, 3)), {}),
    ("ravel_multi_index", (([0, 1], [2, 1]), (2, 3)), {}),
]
CASES += [
    ("cumsum", (IM,), {}),
    ("cumsum", (BO,), {}),
    ("sum", (BO,), {}),
    ("prod", (IM,), {}),
    ("round", (IM,), {}),
    ("std", (IM,), {}),
    ("argmax", (IM,), {}),
    ("unique", (np.array([3, 1, 3, 2]),), {"return_index": True, "return_inverse": True}),
    ("unique", (IM, False, False, False, 0), {}),
    ("squeeze", (np.ones((1, 3, 1)), 0), {}),
    ("squeeze", (np.ones((1, 3, 1)),), {"axis": (0, 2)}),
    ("max", (A,), {"axis": (0, 1)}),
    ("sum", (A,), {"axis": (0, 1)}),
    ("mean", (A,), {"axis": (0, 1)}),
    ("min", (A, 0, None, True), {}),
    ("sort", (V,), {"axis": -1}),
    ("cumsum", (A,), {"axis": None}),
    ("concatenate", ((A, P), 0), {}),
    ("split", (V[:4], [1]), {}),
    ("clip", (A, None, 0.3), {}),
    ("clip", (IM, 1, 3), {}),
    ("diff", (V, 2), {}),
    ("diff", (A,), {"axis": 0}),
    ("roll", (A, (1, 2), (0, 1)), {}),
    ("expand_dims", (A, (0, 2)), {}),
    ("linspace", (0, 1), {}),
    ("arange", (5.0,), {}),
    ("abs", (IM,), {}),
    ("sqrt", (IM,), {}),
    ("exp", (IM,), {}),
    ("divide", (IM, 2), {}),
    ("floor", (IM,), {}),
    ("sign", (IM,), {}),
    ("square", (IM,), {}),
    ("maximum", (IM, 2.5), {}),
    ("power", (IM, 2), {}),
    ("mean", (BO,), {}),
    ("var", (A,), {"ddof": 1}),
    ("nonzero", (V,), {}),
    ("flip", (A, (0, 1)), {}),
    ("eye", (2,), {"dtype": int}),
    ("full", ((2,), 3), {}),
    ("ones", ((2, 2),), {"dtype": "float32"}),
    ("transpose", (A, [1, 0]), {}),
    ("swapaxes", (np.ones((2, 3, 4)), 2, 0), {}),
    ("take", (A, 5), {}),
    ("tensordot", (np.ones((2, 3, 4)), np.ones((3, 4, 5))), {}),
    ("dot", (np.ones((2, 3, 4)), np.ones((4, 2))), {}),
    ("amax", (A,), {}),
    ("stack", ((V, V), -1), {}),
    ("var", (A,), {"axis": 0, "keepdims": True}),
    ("median", (IM,), {}),
    ("percentile", (A, [10, 90], 1), {}),
    ("all", (A,), {}),
    ("any", (IM, 1), {}),
    ("argsort", (V,), {"kind": "stable"}),
    ("searchsorted", (np.sort(V), U, "right"), {}),
]
LINALG = [
    ("norm", (A,), {}),
    ("norm", (V,), {}),
    ("norm", (A, 2), {}),
    ("norm", (A,), {"axis": 1}),
    ("norm", (V, 1), {}),
    ("norm", (A, "fro"), {}),
    ("norm", (A, np.inf), {}),
    ("det", (S,), {}),
    ("slogdet", (S,), {}),
    ("inv", (S,), {}),
    ("solve", (S, U), {}),
    ("solve", (S, Q), {}),
    ("cholesky", (S,), {}),
    ("eigh", (S,), {}),
    ("eigvalsh", (S,), {}),
    ("svd", (A,), {}),
    ("svd", (A,), {"full_matrices": False}),
    ("svd", (A,), {"compute_uv": False}),
    ("qr", (A.T,), {}),
    ("qr", (A.T,), {"mode": "complete"}),
    ("pinv", (A,), {}),
    ("matrix_power", (S, 3), {}),
    ("matrix_rank", (A,), {}),
    ("lstsq", (A.T, V[:4]), {"rcond": None}),
    ("multi_dot", ([A, B, A],), {}),
    ("eigvals", (S,), {}),
    ("cond", (S,), {}),
    ("trace", (S,), {}),
    ("tensorsolve", (S, U), {}),
]
FFT = [
    ("fft", (V,), {}),
    ("ifft", (V,), {}),
    ("rfft", (V,), {}),
    ("irfft", (np.fft.rfft(V),), {}),
    ("fft2", (A,), {}),
    ("fftn", (A,), {}),
    ("fftfreq", (5,), {}),
    ("rfftfreq", (5, 0.1), {}),
    ("fftshift", (V,), {}),
    ("fft", (V, 8), {}),
    ("rfftn", (A,), {}),
    ("hfft", (V,), {}),
    ("ifftshift", (A,), {}),
]


def _plain(r):
    """A result as NumPy values (tuples and lists kept)."""
    if isinstance(r, (tuple, list)):
        return tuple(_plain(x) for x in r)
    return r.numpy() if isinstance(r, cg.Tensor) else r


def _check_same(got, want, where):
    if isinstance(want, (tuple, list)):
        assert isinstance(got, (tuple, list)), (
            f"{where}: {type(got).__name__}, NumPy gives a {type(want).__name__}"
        )
        assert len(got) == len(want), where
        for g, w in zip(got, want):
            _check_same(g, w, where)
        return
    g, w = np.asarray(got), np.asarray(want)
    assert g.shape == w.shape, f"{where}: shape {g.shape}, NumPy {w.shape}"
    assert g.dtype == w.dtype, f"{where}: dtype {g.dtype}, NumPy {w.dtype}"
    np.testing.assert_allclose(g, w, rtol=1e-10, atol=1e-12, equal_nan=True, err_msg=where)


def _run(module, ref, name, args, kw):
    if not hasattr(ref, name):
        pytest.skip(f"this NumPy has no {name}")
    if not hasattr(module, name):
        pytest.skip(f"cg has no {name} yet")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        want = getattr(ref, name)(*args, **kw)
        got = _plain(getattr(module, name)(*args, **kw))
    _check_same(got, want, f"{name}{tuple(type(a).__name__ for a in args)} {kw}")


@pytest.mark.parametrize(
    ("name", "args", "kw"), CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)]
)
def test_numpy_call_matches_numpy(name, args, kw):
    if name == "empty":
        pytest.skip("values unspecified")
    _run(cnp, np, name, args, kw)


@pytest.mark.parametrize(("name", "args", "kw"), LINALG, ids=[c[0] for c in LINALG])
def test_numpy_linalg_matches_numpy(name, args, kw):
    if name == "eigvals":  # always complex here (as jax.numpy): values compared
        np.testing.assert_allclose(
            np.sort(cnp.linalg.eigvals(*args).numpy().real), np.sort(np.linalg.eigvals(*args))
        )
        return
    if name in ("eigh", "svd", "qr") and kw.get("compute_uv", True):
        got, want = (
            _plain(getattr(cnp.linalg, name)(*args, **kw)),
            getattr(np.linalg, name)(*args, **kw),
        )
        _check_same(
            got[0] if name != "svd" else got[1], want[0] if name != "svd" else want[1], name
        )
        return
    _run(cnp.linalg, np.linalg, name, args, kw)


@pytest.mark.parametrize(("name", "args", "kw"), FFT, ids=[c[0] for c in FFT])
def test_numpy_fft_matches_numpy(name, args, kw):
    _run(cnp.fft, np.fft, name, args, kw)


def test_numpy_names_are_cg_objects_where_cg_has_numpy_meaning():
    for name in [
        "sum",
        "exp",
        "mean",
        "reshape",
        "concatenate",
        "argmax",
        "sort",
        "split",
        "einsum",
        "array",
        "asarray",
    ]:
        assert getattr(cnp, name) is getattr(cg, name), name
    assert cnp.linalg is cg.linalg and cnp.fft is cg.fft
    assert cnp.random is np.random
    assert "sum" in dir(cnp) and "where" in dir(cnp) and "float32" in dir(cnp)
    # written here, since cg's spelling is another library's
    for name in [
        "where",
        "diff",
        "gradient",
        "histogram",
        "unique",
        "dot",
        "triu_indices",
        "unravel_index",
    ]:
        assert getattr(cnp, name) is not getattr(cg, name), name


def test_numpy_names_numpy_lacks_are_absent():
    for name in ["float", "int", "reduce_sum", "grad", "cond", "math", "range"]:
        assert not hasattr(cnp, name), name
    with pytest.raises(AttributeError, match="compgraph.numpy"):
        cnp.no_such_function  # noqa: B018


def test_numpy_dtypes_and_constants():
    assert cnp.float32 is np.float32 and cnp.int64 is np.int64 and cnp.bool_ is np.bool_
    assert cnp.float32(0.5) == np.float32(0.5) and cnp.float_ is np.float64
    x = cnp.zeros(3, dtype=cnp.float32)
    assert x.dtype == cnp.float32 and cnp.asarray([1, 2], dtype=cnp.int32).dtype == np.int32
    assert (
        cnp.issubdtype(x.dtype, cnp.floating)
        and cnp.finfo(cnp.float32).eps == np.finfo(np.float32).eps
    )
    assert (cnp.pi, cnp.e, cnp.inf, cnp.newaxis) == (np.pi, np.e, np.inf, None) and np.isnan(
        cnp.nan
    )
    assert isinstance(cnp.ones(2), cnp.ndarray) and cnp.ndarray is cg.Tensor
    assert cnp.ones((2, 3))[:, cnp.newaxis].shape == (2, 1, 3)


def test_numpy_where_needs_both_or_neither():
    with pytest.raises(ValueError, match="where"):
        cnp.where(A > 0, A)


@pytest.fixture
def jax64():
    jax = pytest.importorskip("jax")
    jax.config.update("jax_enable_x64", True)
    yield jax
    jax.config.update("jax_enable_x64", False)


GRAD_CASES = [
    ("where", lambda m, x: m.sum(m.where(x > 0, x**2, m.sin(x)))),
    (
        "take_tri",
        lambda m, x: (
            m.sum(m.take(x, m.triu_indices(3)[1]) * x[:6]) + m.sum(m.tril(m.reshape(x[:9], (3, 3))))
        ),
    ),
    ("dot", lambda m, x: m.sum(m.dot(m.reshape(x, (2, 3, 2)), m.reshape(x[:4], (2, 2)) * 2))),
    ("diff", lambda m, x: m.sum(m.diff(x, 2, 0) ** 2)),
    ("gradient", lambda m, x: m.sum(m.gradient(x) ** 2)),
    ("mean_std", lambda m, x: m.mean(x) * m.std(x) + m.var(m.reshape(x, (3, 4)), 0).sum()),
    (
        "linalg",
        lambda m, x: m.linalg.norm(m.reshape(x, (3, 4))) + m.linalg.det(m.reshape(x[:9], (3, 3))),
    ),
    ("cumsum_sort", lambda m, x: m.sum(m.cumsum(m.sort(x)) * m.arange(12.0))),
    ("split_concat", lambda m, x: m.sum(m.concatenate(m.split(x, [2, 5])[::-1]) * m.arange(12.0))),
    ("logsumexp_max", lambda m, x: m.max(m.reshape(x, (3, 4)), 1).sum() + m.log(m.sum(m.exp(x)))),
]


@pytest.mark.parametrize(("name", "fn"), GRAD_CASES, ids=[c[0] for c in GRAD_CASES])
def test_numpy_gradients_match_jax(jax64, name, fn):
    jnp = jax64.numpy
    x = np.random.default_rng(1).standard_normal(12)
    want = np.asarray(jax64.grad(lambda v: fn(jnp, v))(x))
    got = cg.grad(lambda v: fn(cnp, v))(cg.tensor(x)).numpy()
    np.testing.assert_allclose(got, want, rtol=1e-9, atol=1e-12)


def test_numpy_unique_gradient_reaches_first_occurrences():
    x = cg.tensor([3.0, 1.0, 3.0, 2.0])
    g = cg.grad(lambda v: cnp.sum(cnp.unique(v) * cnp.array([1.0, 10.0, 100.0])))(x)
    np.testing.assert_allclose(g.numpy(), [100.0, 1.0, 0.0, 10.0])
    values, index, inverse, counts = cnp.unique(x, True, True, True)
    _check_same(
        tuple(_plain(r) for r in (values, index, inverse, counts)),
        np.unique(x.numpy(), True, True, True),
        "unique",
    )


def test_numpy_functions_added_to_cg_later_appear(monkeypatch):
    monkeypatch.setattr(cg, "nanargmax", lambda a: "from cg", raising=False)
    assert cnp.nanargmax(A) == "from cg"


# ---------------------------------------------------------------- compgraph.scipy


def _v(r):
    return np.asarray(r.numpy() if isinstance(r, cg.Tensor) else r)


def test_scipy_special_same_objects_and_extras():
    sp = pytest.importorskip("scipy.special")
    for name in [
        "logsumexp",
        "expit",
        "logit",
        "gammaln",
        "digamma",
        "erf",
        "erfinv",
        "xlogy",
        "xlog1py",
        "entr",
        "betaln",
        "i0e",
        "i1",
        "ndtr",
        "ndtri",
        "log_ndtr",
        "multigammaln",
        "polygamma",
        "zeta",
        "softmax",
        "log_softmax",
    ]:
        assert getattr(csp, name) is getattr(cg.special, name), name
    x, y = np.array([0.0, 1, 2, -1, 2]), np.array([1.0, 0, 3, 1, 0.5])
    np.testing.assert_allclose(_v(csp.rel_entr(x, y)), sp.rel_entr(x, y))
    np.testing.assert_allclose(_v(csp.kl_div(x, y)), sp.kl_div(x, y))
    n = np.array([0, 3, -1.5, 4.5])
    np.testing.assert_allclose(_v(csp.factorial(n)), sp.factorial(n))
    with pytest.raises(NotImplementedError, match="exact"):
        csp.factorial(3, exact=True)


STAT_X = np.array([-1.5, -0.2, 0.0, 0.3, 1.0, 2.5])
STAT_Q = np.array([0.05, 0.5, 0.9])


@pytest.mark.parametrize("name", ["norm", "cauchy", "logistic", "laplace", "expon", "uniform"])
def test_scipy_stats_match_scipy(name):
    ss = pytest.importorskip("scipy.stats")
    ours, ref = getattr(css, name), getattr(ss, name)
    with np.errstate(divide="ignore"):
        for f in ["logpdf", "pdf", "cdf", "sf", "logcdf", "logsf"]:
            np.testing.assert_allclose(
                _v(getattr(ours, f)(STAT_X, 0.2, 1.3)),
                getattr(ref, f)(STAT_X, 0.2, 1.3),
                rtol=1e-10,
                err_msg=f"{name}.{f}",
            )
        for f in ["ppf", "isf"]:
            np.testing.assert_allclose(
                _v(getattr(ours, f)(STAT_Q, 0.2, 1.3)),
                getattr(ref, f)(STAT_Q, 0.2, 1.3),
                rtol=1e-10,
                err_msg=f"{name}.{f}",
            )


def test_scipy_stats_bernoulli_and_reused():
    ss = pytest.importorskip("scipy.stats")
    k = np.array([-1.0, 0, 1, 2])
    np.testing.assert_allclose(_v(css.bernoulli.logpmf(k, 0.3)), ss.bernoulli.logpmf(k, 0.3))
    np.testing.assert_allclose(_v(css.bernoulli.pmf(k, 0.3)), ss.bernoulli.pmf(k, 0.3))
    np.testing.assert_allclose(_v(css.bernoulli.cdf(k, 0.3)), ss.bernoulli.cdf(k, 0.3))
    for name in ["t", "gamma", "beta", "chi2", "poisson", "dirichlet", "multivariate_normal"]:
        assert getattr(css, name) is getattr(cg.stats, name), name


@pytest.mark.parametrize("name", ["norm", "cauchy", "logistic", "laplace", "expon"])
def test_scipy_stats_gradients_match_jax(jax64, name):
    jst = pytest.importorskip("jax.scipy.stats")
    x = np.array([0.3, 1.0, 2.5])

    def f(m, v):
        return (m.logpdf(v, 0.2, 1.3) + m.cdf(v * 0.5, 0.1, 2.0)).sum()

    want = np.asarray(jax64.grad(lambda v: f(getattr(jst, name), v))(x))
    got = cg.grad(lambda v: f(getattr(css, name), v))(cg.tensor(x)).numpy()
    np.testing.assert_allclose(got, want, rtol=1e-9)


def test_scipy_linalg_matches_scipy():
    sl = pytest.importorskip("scipy.linalg")
    rng = np.random.default_rng(2)
    q = rng.standard_normal((3, 3))
    a = q @ q.T + 3 * np.eye(3)
    b, bm = rng.standard_normal(3), rng.standard_normal((3, 2))

    def close(x, y):
        np.testing.assert_allclose(_v(x), y, rtol=1e-9, atol=1e-12)

    close(csl.solve_triangular(np.triu(q), b), sl.solve_triangular(np.triu(q), b))
    close(
        csl.solve_triangular(np.tril(q), bm, lower=True, trans=1),
        sl.solve_triangular(np.tril(q), bm, lower=True, trans=1),
    )
    close(csl.cholesky(a), sl.cholesky(a))
    close(csl.cho_solve(csl.cho_factor(a), b), sl.cho_solve(sl.cho_factor(a), b))
    close(
        csl.cho_solve(csl.cho_factor(a, lower=True), bm),
        sl.cho_solve(sl.cho_factor(a, lower=True), bm),
    )
    for x, y in zip(csl.lu(q), sl.lu(q)):
        close(x, y)
    for x, y in zip(csl.lu_factor(q), sl.lu_factor(q)):
        close(x, y)
    close(csl.lu_solve(csl.lu_factor(q), b), sl.lu_solve(sl.lu_factor(q), b))
    close(csl.lu_solve(csl.lu_factor(q), bm, trans=1), sl.lu_solve(sl.lu_factor(q), bm, trans=1))
    close(csl.expm(q), sl.expm(q))
    close(csl.block_diag(q, b, [[1.0]]), sl.block_diag(q, b, [[1.0]]))
    close(csl.eigh(a, eigvals_only=True), sl.eigh(a, eigvals_only=True))
    close(np.abs(_v(csl.qr(bm, mode="economic")[1])), np.abs(sl.qr(bm, mode="economic")[1]))
    close(np.abs(_v(csl.qr(q, mode="r"))), np.abs(sl.qr(q, mode="r")[0]))
    close(csl.svd(q, compute_uv=False), sl.svd(q, compute_uv=False))
    close(csl.det(a), sl.det(a))
    close(csl.inv(a), sl.inv(a))
    close(csl.solve(a, b), sl.solve(a, b))
    with pytest.raises(ValueError, match="trans"):
        csl.solve_triangular(a, b, trans="X")


def test_scipy_linalg_gradients_match_jax(jax64):
    jsl = pytest.importorskip("jax.scipy.linalg")
    rng = np.random.default_rng(3)
    q = rng.standard_normal((3, 3)) + 3 * np.eye(3)
    b = rng.standard_normal(3)

    def f(m, a):
        spd = a @ a.T + np.eye(3)
        return (
            m.cho_solve(m.cho_factor(spd), b).sum()
            + m.lu_solve(m.lu_factor(a), b).sum()
            + m.solve_triangular(a, b, lower=True).sum()
            + m.expm(a * 0.3).sum()
        )

    want = np.asarray(jax64.grad(lambda a: f(jsl, jax64.numpy.tril(a) + jax64.numpy.triu(a, 1)))(q))
    got = cg.grad(lambda a: f(csl, cg.tril(a) + cg.triu(a, 1)))(cg.tensor(q)).numpy()
    np.testing.assert_allclose(got, want, rtol=1e-7, atol=1e-9)


# ---------------------------------------------------------------- compgraph.tree_util

Pair = collections.namedtuple("Pair", "x y")
TREES = [
    {"b": (1, 2), "a": [3, None, {"c": 4}]},
    Pair(1, [2, 3]),
    None,
    5,
    (),
    [(), [None]],
    collections.OrderedDict([("z", 1), ("a", 2)]),
    {"k": Pair(None, (7,))},
]


@pytest.mark.parametrize("tree", TREES, ids=range(len(TREES)))
def test_tree_flatten_matches_jax(tree):
    jtu = pytest.importorskip("jax.tree_util")
    leaves, treedef = tu.tree_flatten(tree)
    jleaves, jdef = jtu.tree_flatten(tree)
    assert leaves == jleaves
    assert repr(treedef) == repr(jdef)
    assert (treedef.num_leaves, treedef.num_nodes) == (jdef.num_leaves, jdef.num_nodes)
    assert tu.tree_unflatten(treedef, leaves) == tree
    assert tu.treedef_is_leaf(treedef) == jtu.treedef_is_leaf(jdef)
    assert tu.all_leaves([tree]) == jtu.all_leaves([tree])
    paths = [tu.keystr(p) for p, _ in tu.tree_flatten_with_path(tree)[0]]
    assert paths == [jtu.keystr(p) for p, _ in jtu.tree_flatten_with_path(tree)[0]]
    assert tu.tree_structure(tree) == tu.tree_structure(tu.tree_map(lambda v: v, tree))


def test_tree_functions_match_jax():
    jtu = pytest.importorskip("jax.tree_util")
    t = {"a": 1, "b": (2, 3)}
    assert tu.tree_map(lambda a, b: a + b, t, {"a": 10, "b": (20, 30)}) == {"a": 11, "b": (22, 33)}
    assert tu.tree_map(lambda a, b: (a, b), [1, 2], [[5, 6], {"q": 7}]) == [
        (1, [5, 6]),
        (2, {"q": 7}),
    ]
    assert tu.tree_leaves(t, is_leaf=lambda v: isinstance(v, tuple)) == [1, (2, 3)]
    assert (
        tu.tree_reduce(lambda a, b: a + b, t) == 6
        and tu.tree_reduce(lambda a, b: a * b, t, 10) == 60
    )
    assert tu.tree_all([True, (1, {"x": True})]) and not tu.tree_all([True, (0,)])
    outer, inner = tu.tree_structure([0, 0]), tu.tree_structure((0, 0))
    assert tu.tree_transpose(outer, inner, [(1, 2), (3, 4)]) == jtu.tree_transpose(
        jtu.tree_structure([0, 0]), jtu.tree_structure((0, 0)), [(1, 2), (3, 4)]
    )
    got = tu.tree_map_with_path(lambda p, v: tu.keystr(p) + str(v), {"a": [1, 2]})
    assert got == jtu.tree_map_with_path(lambda p, v: jtu.keystr(p) + str(v), {"a": [1, 2]})
    path = tu.tree_flatten_with_path({"a": [1]})[0][0][0]
    assert tu.keystr(path, simple=True, separator="/") == "a/0"
    assert hash(tu.tree_structure({"a": 1})) == hash(tu.tree_structure({"a": 9}))
    assert tu.tree_structure({"a": 1}) != tu.tree_structure({"b": 1})
    assert tu.treedef_tuple([outer, inner]) == tu.tree_structure(([0, 0], (0, 0)))
    assert tu.treedef_children(outer) == [tu.tree_structure(0)] * 2
    with pytest.raises(ValueError, match="structure"):
        tu.tree_map(lambda a, b: a, {"a": 1}, {"b": 1})
    with pytest.raises(ValueError, match="leaves"):
        tu.tree_unflatten(outer, [1])


def test_partial_is_a_pytree():
    jtu = pytest.importorskip("jax.tree_util")
    p = tu.Partial(lambda a, b, c=0: a * b + c, 2, c=1)
    assert p(5) == 11 and tu.Partial(p, 3)() == 7
    assert tu.tree_leaves(p) == jtu.tree_leaves(jtu.Partial(p.func, 2, c=1)) == [2, 1]
    q = tu.tree_map(lambda v: v * 10, p)
    assert isinstance(q, tu.Partial) and q(1) == 30


class Point:
    def __init__(self, x, y):
        self.x, self.y = x, y


def _register_point():
    if Point not in tu._REGISTRY:  # noqa: SLF001  (the test module registers once)
        tu.register_pytree_node(Point, lambda p: ((p.x, p.y), "meta"), lambda aux, c: Point(*c))


def test_register_pytree_node_round_trip():
    _register_point()
    leaves, treedef = tu.tree_flatten({"p": Point(1.0, [2.0, 3.0])})
    assert leaves == [1.0, 2.0, 3.0]
    back = tu.tree_unflatten(treedef, [4.0, 5.0, 6.0])["p"]
    assert isinstance(back, Point) and (back.x, back.y) == (4.0, [5.0, 6.0])
    with pytest.raises(ValueError, match="already registered"):
        tu.register_pytree_node(Point, lambda p: ((), None), lambda a, c: Point(0, 0))
    with pytest.raises(TypeError, match="type"):
        tu.register_pytree_node("Point", lambda p: ((), None), lambda a, c: None)


@tu.register_pytree_node_class
class Box:
    def __init__(self, value, label):
        self.value, self.label = value, label

    def tree_flatten(self):
        return (self.value,), self.label

    @classmethod
    def tree_unflatten(cls, label, children):
        return cls(children[0], label)


@tu.register_dataclass
@dataclasses.dataclass
class Params:
    w: object
    b: object
    name: str = dataclasses.field(default="p", metadata={"static": True})


def test_registered_classes_and_dataclasses():
    jtu = pytest.importorskip("jax.tree_util")
    box = tu.tree_map(lambda v: v + 1, Box(1, "lab"))
    assert (box.value, box.label) == (2, "lab")
    p = Params(w=1.0, b=(2.0, 3.0), name="layer")
    leaves, treedef = tu.tree_flatten(p)
    assert leaves == [1.0, 2.0, 3.0]
    q = tu.tree_unflatten(treedef, [0.0, 0.0, 0.0])
    assert q == Params(0.0, (0.0, 0.0), "layer")
    assert [tu.keystr(k) for k, _ in tu.tree_flatten_with_path(p)[0]] == [".w", ".b[0]", ".b[1]"]

    @dataclasses.dataclass
    class J:
        w: object
        b: object
        name: str = "p"

    jtu.register_dataclass(J, data_fields=["w", "b"], meta_fields=["name"])
    assert [
        jtu.keystr(k) for k, _ in jtu.tree_flatten_with_path(J(1.0, (2.0, 3.0), "layer"))[0]
    ] == [".w", ".b[0]", ".b[1]"]
    with pytest.raises(TypeError, match="dataclass"):
        tu.register_dataclass(Point)


def test_tree_util_agrees_with_cg_grad_and_function():
    params = {"w": cg.tensor([1.0, 2.0]), "b": (cg.tensor(0.5), [cg.tensor(3.0)])}

    def loss(p):
        return cg.sum(p["w"] ** 2) + p["b"][0] * p["b"][1][0]

    grads = cg.grad(loss)(params)
    assert tu.tree_structure(grads) == tu.tree_structure(params)
    flat = [g.numpy() for g in tu.tree_leaves(grads)]
    np.testing.assert_allclose(
        np.concatenate([np.ravel(f) for f in flat]), [3.0, 0.5, 2.0, 4.0]
    )  # b before w, as JAX
    new = tu.tree_map(lambda p, g: p - 0.1 * g, params, grads)
    out = cg.function(loss)(new)
    np.testing.assert_allclose(float(out), float(loss(new)))


def test_registered_node_through_cg_grad():
    _register_point()
    g = cg.grad(lambda p: p.x * p.y)(Point(cg.tensor(2.0), cg.tensor(3.0)))
    assert isinstance(g, Point) and float(g.x) == 3.0 and float(g.y) == 2.0
    # cg.function traces it as a pytree too (a new trace per aux, the same one reused)
    f = cg.function(lambda p: p.x * p.y + 1.0)
    assert float(f(Point(cg.tensor(2.0), cg.tensor(3.0)))) == 7.0
    assert float(f(Point(cg.tensor(1.0), cg.tensor(5.0)))) == 6.0


def test_namedtuples_are_nodes_in_transforms():
    import collections

    Pair = collections.namedtuple("Pair", "a b")
    g = cg.grad(lambda p: p.a * p.b ** 2)(Pair(cg.tensor(3.0), cg.tensor(2.0)))
    assert isinstance(g, Pair) and float(g.a) == 4.0 and float(g.b) == 12.0


@pytest.mark.parametrize("name,args,kw", [
    ("cov", "x", {}), ("cov", "x", {"rowvar": False}), ("cov", "x", {"ddof": 0}),
    ("cov", "xy", {"bias": True}), ("cov", "v", {}), ("corrcoef", "x", {}),
    ("corrcoef", "x", {"rowvar": False}), ("select", "sel", {}),
    ("select", "sel1", {"default": 5.0}), ("trapezoid", "v", {}),
    ("trapezoid", "x", {"axis": 0}), ("trapezoid", "v", {"dx": 0.5}),
    ("trapezoid", "vx", {}), ("nanquantile", "xnq", {}), ("nanquantile", "xnq", {"axis": 1}),
    ("nanquantile", "xnq2", {"axis": 1, "keepdims": True}), ("nanmedian", "xn", {}),
    ("nanmedian", "even", {}), ("nanmedian", "xn", {"axis": 0}),
])
def test_numpy_meanings_where_cg_has_torchs(name, args, kw):
    rng = np.random.default_rng(0)
    x, v = rng.standard_normal((3, 5)), rng.standard_normal(6)
    xn = x.copy()
    xn[0, 1] = np.nan
    a = {"x": (x,), "xy": (x, x[:2]), "v": (v,), "sel": ([x > 0, x < -1], [x, -x]),
         "sel1": ([x > 0], [x]), "vx": (v, np.arange(6.0) ** 2), "xnq": (xn, 0.3),
         "xnq2": (xn, [0.3, 0.7]), "xn": (xn,), "even": (np.arange(4.0),)}[args]
    want = getattr(np, name)(*a, **kw)
    got = getattr(cnp, name)(*a, **kw)
    np.testing.assert_allclose(got.numpy(), want, rtol=1e-12, atol=1e-12)
    assert got.shape == np.shape(want)


def test_numpy_cov_and_select_are_differentiable():
    x = np.random.default_rng(1).standard_normal((3, 6))
    assert cg.gradcheck(lambda t: cnp.cov(t, rowvar=False, ddof=0), x)
    assert cg.gradcheck(lambda t: cnp.select([x > 0], [t * 2], default=t), x)
