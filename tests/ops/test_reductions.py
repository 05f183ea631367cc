"""Reductions, scans and sorting beyond the generic samples (tests/op_samples/reductions.py):
gradients at zeros and ties against PyTorch (first and second order), NaN, NumPy's
result dtypes, dispatch of NumPy's functions, ONNX, saved graphs and errors."""
from __future__ import annotations

import numpy as np
import pytest
from helpers import optional_torch, skip_if_missing

import compgraph as cg

torch = optional_torch()
needs_torch = skip_if_missing(torch)
TOL = dict(rtol=1e-10, atol=1e-12)

ZEROS = [[2.0, 0.0, 3.0, 5.0], [2.0, 0.0, 3.0, 0.0], [0.0, 0.0, 0.0, 5.0], [0.0, 1.5, -2.0, 0.5],
         [1.5, -2.0, 0.5, 3.0]]
W4 = np.array([1.0, -2.0, 3.0, 0.5])


def _np(v):
    return np.asarray(v.numpy() if isinstance(v, cg.Tensor) else v)


def _both(cgf, thf, x, w):
    """Gradient and Hessian of sum(f(x) * w), compgraph's and torch's, in float64."""
    loss = lambda v: cg.sum(cgf(v) * w)  # noqa: E731
    tw = torch.tensor(w)
    tloss = lambda v: (thf(v) * tw).sum()  # noqa: E731
    xt = torch.tensor(x, requires_grad=True)
    tloss(xt).backward()
    th = torch.autograd.functional.hessian(tloss, torch.tensor(x))
    return (_np(cg.grad(loss)(x)), xt.grad.numpy()), (_np(cg.hessian(loss)(x)), th.numpy())


def _check(cgf, thf, x, w):
    (g, tg), (h, th) = _both(cgf, thf, np.asarray(x, float), np.asarray(w, float))
    np.testing.assert_allclose(g, tg, **TOL)
    np.testing.assert_allclose(h, th, **TOL)


# ------------------------------------------------------------------ prod and cumprod at zeros
@needs_torch
@pytest.mark.parametrize("x", ZEROS)
def test_prod_at_zeros_matches_torch_to_second_order(x):
    _check(lambda v: cg.prod(v), lambda v: v.prod(), x, 1.0)


@needs_torch
@pytest.mark.parametrize("x", ZEROS)
def test_cumprod_at_zeros_matches_torch_to_second_order(x):
    _check(lambda v: cg.cumprod(v), lambda v: v.cumprod(0), x, W4)


@needs_torch
@pytest.mark.parametrize("axis", [0, 1])
def test_prod_and_cumprod_along_an_axis_with_zeros(axis):
    x = np.array([[2.0, 0.0, 3.0], [0.0, 0.0, 1.0], [1.0, 2.0, 3.0]])
    w = np.array([1.0, 2.0, -3.0])
    _check(lambda v: cg.prod(v, axis=axis), lambda v: v.prod(axis), x, w)
    w2 = np.arange(9.0).reshape(3, 3)
    _check(lambda v: cg.cumprod(v, axis=axis), lambda v: v.cumprod(axis), x, w2)


@needs_torch
@pytest.mark.parametrize("x", ZEROS)
def test_forward_mode_at_zeros_matches_torch(x):
    x = np.asarray(x)
    for cgf, thf in ((cg.cumprod, lambda v: v.cumprod(0)), (cg.prod, lambda v: v.prod())):
        want = torch.autograd.functional.jacobian(thf, torch.tensor(x)).numpy()
        np.testing.assert_allclose(_np(cg.jacfwd(cgf)(x)), want, **TOL)
        np.testing.assert_allclose(_np(cg.jacrev(cgf)(x)), want, **TOL)
    # forward over reverse: the rules' own derivatives at zeros
    loss = lambda v: cg.sum(cg.cumprod(v) * W4)  # noqa: E731
    h = torch.autograd.functional.hessian(lambda v: (v.cumprod(0) * torch.tensor(W4)).sum(),
                                          torch.tensor(x)).numpy()
    np.testing.assert_allclose(_np(cg.jacfwd(cg.grad(loss))(x)), h, **TOL)


def test_prod_keeps_numpy_dtypes_and_values():
    a = np.arange(1, 7, dtype=np.int8).reshape(2, 3)
    for kw in ({}, {"axis": 0}, {"dtype": np.int8}, {"dtype": "float32", "axis": 1}):
        got, want = _np(cg.prod(a, **kw)), np.prod(a, **kw)
        assert got.dtype == want.dtype and np.array_equal(got, want), kw
    assert _np(cg.prod(np.zeros((0, 3)), axis=0)).tolist() == [1.0, 1.0, 1.0]


# ------------------------------------------------------------------ moments
@needs_torch
def test_var_std_match_torch():
    x = np.random.default_rng(0).standard_normal((3, 5))
    _check(lambda v: cg.var(v, axis=1, ddof=1), lambda v: v.var(1, correction=1), x,
           [1.0, 2.0, 3.0])
    _check(lambda v: cg.std(v, axis=0), lambda v: v.std(0, correction=0), x, np.arange(5.0))
    _check(lambda v: cg.std(v, correction=1), lambda v: v.std(), x, 1.0)


@needs_torch
def test_std_of_a_constant_slice_has_gradient_zero_as_torch():
    x = np.ones((2, 3))
    x[1] = [1.0, 2.0, 4.0]
    xt = torch.tensor(x, requires_grad=True)
    xt.std(1).sum().backward()
    g = _np(cg.grad(lambda v: cg.sum(cg.std(v, axis=1, ddof=1)))(x))
    np.testing.assert_allclose(g, xt.grad.numpy(), **TOL)
    assert (g[0] == 0).all()


def test_var_of_complex_is_real_and_ddof_correction_exclusive():
    z = np.array([1 + 2j, -1j, 3.0, 0.5 - 1j])
    got = _np(cg.var(z))
    assert got.dtype == np.float64 and np.isclose(got, np.var(z))
    assert np.isclose(_np(cg.std(z, correction=1)), np.std(z, ddof=1))
    with pytest.raises(ValueError, match="ddof and correction"):
        cg.var(z, ddof=1, correction=1)
    with np.errstate(all="ignore"):
        assert np.isinf(_np(cg.var([0.0, 1.0, 2.0], ddof=3)))  # NumPy: N - ddof <= 0


def test_var_takes_numpys_mean_and_where():
    x = np.random.default_rng(1).standard_normal((3, 4))
    m = np.mean(x, axis=1, keepdims=True)
    np.testing.assert_allclose(_np(cg.var(x, axis=1, mean=m)), np.var(x, axis=1, mean=m))
    w = x > -0.5
    np.testing.assert_allclose(_np(cg.std(x, 0, where=w)), np.std(x, 0, where=w))


# ------------------------------------------------------------------ sorting and order statistics
@needs_torch
@pytest.mark.parametrize("descending", [False, True])
def test_sort_gradients_with_ties_follow_torchs_stable_sort(descending):
    x = np.array([[3.0, 1.0, 2.0, 2.0, 2.0, 0.0], [1.0, 1.0, np.nan, 0.0, 5.0, 1.0]])
    w = np.arange(12.0).reshape(2, 6)
    xt = torch.tensor(x, requires_grad=True)
    vals = torch.sort(xt, dim=1, descending=descending, stable=True).values
    (vals * torch.tensor(w)).sum().backward()
    got = cg.sort(x, axis=1, descending=descending)
    np.testing.assert_array_equal(_np(got), vals.detach().numpy())
    g = cg.grad(lambda v: cg.sum(cg.sort(v, axis=1, descending=descending) * w))(x)
    np.testing.assert_array_equal(_np(g), xt.grad.numpy())


def test_argsort_is_numpys_and_stable_on_request():
    x = np.array([2.0, 1.0, 2.0, np.nan, 1.0, 0.0, 2.0])
    assert np.array_equal(_np(cg.argsort(x)), np.argsort(x))
    assert np.array_equal(_np(cg.argsort(x, kind="stable")), np.argsort(x, kind="stable"))
    assert np.array_equal(_np(cg.argsort(x, stable=True)), np.argsort(x, stable=True))
    # descending keeps ties in order and puts NaN first (the array API's)
    assert _np(cg.argsort(x, descending=True)).tolist() == [3, 0, 2, 6, 1, 4, 5]
    u = np.array([3, 250, 7], np.uint8)  # no negation: unsigned values sort right
    assert _np(cg.sort(u, descending=True)).tolist() == [250, 7, 3]
    assert _np(cg.argsort(np.arange(6.0).reshape(2, 3), axis=None)).tolist() == list(range(6))


def test_sort_method_returns_a_sorted_tensor_and_leaves_the_tensor_alone():
    t = cg.tensor([3.0, 1.0, 2.0])
    s = t.sort()
    assert isinstance(s, cg.Tensor) and _np(s).tolist() == [1.0, 2.0, 3.0]
    assert _np(t).tolist() == [3.0, 1.0, 2.0]


@needs_torch
def test_median_ties_share_the_gradient_as_torch_median():
    for v in ([1.0, 2, 2, 3, 4], [2.0, 2, 2], [3.0, 1, 2, 2, 2], [2.0, 1, 2, 3, 2], [5.0, 1, 4]):
        xt = torch.tensor(v, dtype=torch.float64, requires_grad=True)
        torch.median(xt).backward()
        x = np.array(v)
        assert float(_np(cg.median(x))) == np.median(x)
        np.testing.assert_allclose(_np(cg.grad(cg.median)(x)), xt.grad.numpy(), **TOL)


@needs_torch
def test_even_median_and_quantiles_match_torch_quantile():
    x = np.array([[4.0, 1.0, 3.0, 2.0, 2.0, 7.0], [0.5, -1.0, 2.0, 9.0, 3.0, 3.0]])
    q = [0.1, 0.5, 0.77, 1.0]
    w = np.arange(8.0).reshape(4, 2)
    _check(lambda v: cg.quantile(v, q, axis=1), lambda v: torch.quantile(v, torch.tensor(q, dtype=torch.float64),
           dim=1), x, w)
    _check(lambda v: cg.median(v[:, :4], axis=1), lambda v: torch.quantile(v[:, :4], 0.5,
           dim=1), x, [1.0, -2.0])
    for m in ("lower", "higher", "midpoint", "nearest"):
        xt = torch.tensor(x, requires_grad=True)
        r = torch.quantile(xt, torch.tensor(q, dtype=torch.float64), dim=1, interpolation=m)
        (r * torch.tensor(w)).sum().backward()
        got = cg.quantile(x, q, axis=1, method=m)
        np.testing.assert_allclose(_np(got), r.detach().numpy(), **TOL)
        np.testing.assert_allclose(_np(cg.grad(lambda v: cg.sum(
            cg.quantile(v, q, axis=1, method=m) * w))(x)), xt.grad.numpy(), **TOL)


@pytest.mark.parametrize("q", [0.3, np.float64(0.3), np.array(0.3), [0.3], [[0.2, 0.9]], 1, [1],
                               np.array([0.3], np.float32)], ids=repr)
@pytest.mark.parametrize("dtype", ["float32", "float64", "int64"])
def test_quantile_and_percentile_dtypes_and_shapes_are_numpys(q, dtype):
    x = (np.random.default_rng(2).standard_normal((3, 5)) * 4).astype(dtype)
    for method in ("linear", "lower", "nearest", "midpoint"):
        for cgf, npf, scale in ((cg.quantile, np.quantile, 1), (cg.percentile, np.percentile,
                                                                100)):
            qq = q * scale if not isinstance(q, list) else (np.asarray(q) * scale).tolist()
            got, want = _np(cgf(x, qq, axis=1, method=method)), npf(x, qq, axis=1, method=method)
            assert got.dtype == want.dtype and got.shape == want.shape, (method, cgf)
            np.testing.assert_allclose(got, want, rtol=1e-6)


def test_quantile_nan_and_axes():
    x = np.array([[1.0, np.nan, 3.0], [1.0, 2.0, 3.0]])
    assert np.array_equal(_np(cg.median(x, axis=1)), np.median(x, axis=1), equal_nan=True)
    y = np.random.default_rng(3).standard_normal((2, 3, 4))
    for axis in ((0, 2), (2, 0), (1, 2), None, -1):
        for keepdims in (False, True):
            np.testing.assert_allclose(_np(cg.quantile(y, [0.25, 0.5], axis=axis,
                                                       keepdims=keepdims)),
                                       np.quantile(y, [0.25, 0.5], axis=axis, keepdims=keepdims))
    assert np.isnan(_np(cg.quantile([1.0, 2.0, np.inf], 0.5)))  # NumPy's own lerp of inf


def test_searchsorted_and_the_method():
    a = cg.tensor([1.0, 2.0, 2.0, 5.0])
    v = np.array([[2.0, 0.0], [6.0, 2.5]])
    for side in ("left", "right"):
        assert np.array_equal(_np(cg.searchsorted(a, v, side=side)),
                              np.searchsorted(_np(a), v, side=side))
    assert int(_np(a.searchsorted(2.0, "right"))) == 3
    sorter = np.array([2, 0, 1])
    assert np.array_equal(_np(cg.searchsorted([3.0, 1.0, 2.0], [2.5], sorter=sorter)),
                          np.searchsorted([3.0, 1.0, 2.0], [2.5], sorter=sorter))


# ------------------------------------------------------------------ nan-reductions
@needs_torch
def test_nansum_nanmean_match_torch_and_nanmean_of_all_nan_is_nan_with_zero_gradient():
    x = np.random.default_rng(4).standard_normal((3, 5))
    x[0, 1] = x[1, 3] = np.nan
    w = np.array([1.0, -2.0, 3.0])
    _check(lambda v: cg.nansum(v, axis=1), lambda v: torch.nansum(v, 1), x, w)
    _check(lambda v: cg.nanmean(v, axis=1), lambda v: torch.nanmean(v, 1), x, w)
    x[2] = np.nan
    with np.errstate(all="ignore"):
        assert np.isnan(_np(cg.nanmean(x, axis=1))[2]) and np.isnan(np.nanmean(x, 1)[2])
        g = _np(cg.grad(lambda v: cg.sum(cg.nanmean(v, axis=1)[:2]))(x))
    assert np.isfinite(g).all() and (g[2] == 0).all() and g[0, 1] == 0


def test_nanmax_nanmin_skip_nan_and_give_nan_for_all_nan_slices():
    x = np.array([[1.0, np.nan, 3.0, 3.0], [np.nan] * 4])
    with np.errstate(all="ignore"), pytest.warns(RuntimeWarning):
        want = np.nanmax(x, axis=1)
    got = _np(cg.nanmax(x, axis=1))
    assert np.array_equal(got, want, equal_nan=True)
    g = _np(cg.grad(lambda v: cg.nanmax(v, axis=1)[0])(x))
    assert g[0].tolist() == [0.0, 0.0, 0.5, 0.5] and (g[1] == 0).all()  # ties share
    assert _np(cg.nanmin(x[:1])) == 1.0
    i = np.arange(6).reshape(2, 3)
    assert _np(cg.nanmax(i, axis=0)).dtype == np.int64  # integers have no NaN


def test_nanvar_nanstd_nanprod():
    x = np.random.default_rng(5).standard_normal((3, 4))
    x[1, 2] = np.nan
    for f in ("nanvar", "nanstd"):
        for ddof in (0, 1):
            np.testing.assert_allclose(_np(getattr(cg, f)(x, axis=1, ddof=ddof)),
                                       getattr(np, f)(x, axis=1, ddof=ddof), **TOL)
    np.testing.assert_allclose(_np(cg.nanprod(x)), np.nanprod(x), **TOL)
    g = _np(cg.grad(lambda v: cg.nanstd(v))(x))
    assert g[1, 2] == 0 and np.isfinite(g).all()


# ------------------------------------------------------------------ sum, mean, extremes
def test_sum_and_mean_take_numpys_dtype_and_where():
    i8 = np.array([100, 100, 100], np.int8)
    for kw in ({}, {"dtype": np.int8}, {"dtype": "float32"}, {"dtype": bool}):
        got, want = _np(cg.sum(i8, **kw)), np.sum(i8, **kw)
        assert got.dtype == want.dtype and got == want, kw
    for kw in ({}, {"dtype": np.int8}, {"dtype": "float32"}, {"dtype": int}):
        got, want = _np(cg.mean(np.array([1, 2, 4]), **kw)), np.mean(np.array([1, 2, 4]), **kw)
        assert got.dtype == want.dtype and got == want, kw
    x = np.arange(6.0).reshape(2, 3)
    w = np.array([True, False, True])
    assert np.array_equal(_np(cg.sum(x, 1, where=w)), np.sum(x, 1, where=w))
    assert np.array_equal(_np(cg.prod(x + 1, 0, where=w)), np.prod(x + 1, 0, where=w))
    assert np.array_equal(_np(cg.any(x > 4, 1, where=w)), np.any(x > 4, 1, where=w))
    assert np.array_equal(_np(cg.all(x > 0, 0, where=w)), np.all(x > 0, 0, where=w))
    g = _np(cg.grad(lambda v: cg.mean(v, where=w))(x))
    np.testing.assert_allclose(g, np.where(w, 0.25, 0.0) + 0 * x)
    # a float input summed as an integer is cut from the graph, as astype's
    t = cg.tensor(x, requires_grad=True)
    assert not cg.sum(t, dtype=np.int64).requires_grad


def test_torch_style_positional_keepdims_still_works():
    t = cg.tensor(np.arange(6.0).reshape(2, 3))
    assert t.sum(-1, True).shape == (2, 1) and t.mean(0, True).shape == (1, 3)
    assert t.max(1, True).shape == (2, 1) and t.argmin(1, True).shape == (2, 1)


@needs_torch
def test_max_ties_still_share_the_gradient_as_amax():
    x = np.array([[1.0, 3.0, 3.0], [2.0, 2.0, 2.0]])
    _check(lambda v: cg.max(v, axis=1), lambda v: v.amax(1), x, [1.0, 2.0])
    _check(lambda v: cg.amin(v), lambda v: v.amin(), x, 1.0)
    _check(lambda v: cg.ptp(v, axis=1), lambda v: v.amax(1) - v.amin(1), x, [1.0, 2.0])


def test_argmin_any_all_count_nonzero_are_numpys():
    x = np.array([[2.0, np.nan, -1.0, -1.0], [0.0, 3.0, 0.0, 3.0]])
    for axis in (None, 0, 1, -1):
        assert np.array_equal(_np(cg.argmin(x, axis)), np.argmin(x, axis))
        assert np.array_equal(_np(cg.any(x, axis)), np.any(x, axis))
        assert np.array_equal(_np(cg.all(x, axis)), np.all(x, axis))
        got, want = _np(cg.count_nonzero(x, axis)), np.count_nonzero(x, axis)
        assert np.array_equal(got, want) and got.dtype == np.asarray(want).dtype
    assert bool(_np(cg.all(np.zeros((0,))))) and not bool(_np(cg.any(np.zeros((0,)))))
    with pytest.raises(ValueError, match="empty"):
        cg.argmin(np.zeros((2, 0)), axis=1)


def test_average_weights_errors_and_returned():
    x = np.arange(6.0).reshape(2, 3)
    w = np.array([1.0, 2.0, 3.0])
    got = cg.average(x, axis=1, weights=w, returned=True)
    want = np.average(x, axis=1, weights=w, returned=True)
    for a, b in zip(got, want):
        np.testing.assert_allclose(_np(a), b)
    np.testing.assert_allclose(_np(cg.average(x, returned=True)[1]), 6.0)
    assert _np(cg.average(np.arange(4), weights=[1, 1, 1, 1])).dtype == np.float64
    gw = _np(cg.grad(lambda v: cg.average(x, axis=1, weights=v)[0])(w))
    np.testing.assert_allclose(gw, (x[0] - np.average(x[0], weights=w)) / w.sum())
    with pytest.raises(ZeroDivisionError):
        cg.average(x, axis=1, weights=[1.0, -1.0, 0.0])
    with pytest.raises(TypeError, match="Axis must be specified"):
        cg.average(x, weights=w)
    with pytest.raises(ValueError, match="Length of weights"):
        cg.average(x, axis=0, weights=w)


def test_cumulative_sum_prod_of_the_array_api():
    x = np.arange(1.0, 7.0).reshape(2, 3)
    for f in ("cumulative_sum", "cumulative_prod"):
        for kw in ({"axis": 0}, {"axis": 1, "include_initial": True}, {"axis": -1}):
            np.testing.assert_array_equal(_np(getattr(cg, f)(x, **kw)), getattr(np, f)(x, **kw))
        with pytest.raises(ValueError, match="axis"):
            getattr(cg, f)(x)
    np.testing.assert_array_equal(_np(cg.cumulative_sum(np.arange(3), include_initial=True)),
                                  [0, 0, 1, 3])


# ------------------------------------------------------------------ front ends
def test_numpys_functions_on_tensors_return_tensors_with_their_graph():
    x = cg.tensor(np.array([[3.0, 1.0, 2.0], [0.5, 4.0, -1.0]]), requires_grad=True)
    calls = [np.prod(x, axis=1), np.cumsum(x), np.cumprod(x, axis=0), np.var(x), np.std(x, 0),
             np.median(x), np.quantile(x, 0.3, axis=1), np.percentile(x, 40), np.sort(x),
             np.nansum(x), np.nanmean(x, 0), np.nanmax(x), np.nanmin(x), np.nanprod(x),
             np.nanvar(x), np.nanstd(x), np.ptp(x, axis=1), np.average(x, axis=0, weights=[1, 2]),
             np.cumulative_sum(x, axis=1), np.cumulative_prod(x, axis=0), np.mean(x, dtype=None)]
    for r in calls:
        assert isinstance(r, cg.Tensor) and r.requires_grad
    for r in (np.argsort(x), np.argmin(x), np.any(x), np.all(x), np.count_nonzero(x),
              np.searchsorted(np.array([1.0, 2.0]), x)):
        assert isinstance(r, cg.Tensor) and not r.requires_grad


def test_methods():
    a = np.array([[3.0, 1.0, 2.0], [0.5, 4.0, -1.0]])
    t = cg.tensor(a)
    for name, args in (("prod", (1,)), ("var", ()), ("std", (0,)), ("cumsum", (1,)),
                       ("cumprod", ()), ("argmin", (1,)), ("argsort", (0,)), ("any", ()),
                       ("all", (1,))):
        np.testing.assert_array_equal(_np(getattr(t, name)(*args)), getattr(a, name)(*args))
    np.testing.assert_array_equal(_np(t.ptp(0)), np.ptp(a, 0))
    np.testing.assert_array_equal(_np(t.sort(0)), np.sort(a, 0))


def test_errors():
    x = np.arange(6.0).reshape(2, 3)
    with pytest.raises(TypeError, match="out="):
        cg.sum(x, out=np.zeros(()))
    with pytest.raises(TypeError, match="out="):
        cg.cumsum(x, 0, None, np.zeros(6))
    with pytest.raises(ValueError, match="order="):
        cg.sort(x, order="f")
    with pytest.raises(ValueError, match="kind"):
        cg.argsort(x, kind="bogus")
    with pytest.raises(ValueError, match="can't be provided at the same time"):
        cg.sort(x, kind="stable", stable=True)
    with pytest.raises(ValueError, match=r"range \[0, 1\]"):
        cg.quantile(x, 1.5)
    with pytest.raises(ValueError, match=r"range \[0, 100\]"):
        cg.percentile(x, -1)
    with pytest.raises(NotImplementedError, match="method"):
        cg.quantile(x, 0.5, method="weibull")
    with pytest.raises(ValueError, match="side"):
        cg.searchsorted([1.0, 2.0], 1.0, side="middle")
    with pytest.raises(ValueError):
        cg.sort(np.float64(1.0))  # no axis -1 in a 0-d array, as NumPy


# ------------------------------------------------------------------ static graphs
def test_static_graph_gradients_save_load_and_unknown_shapes(tmp_path):
    a = np.array([[3.0, 0.0, 2.0, 5.0], [0.5, 4.0, -1.0, 2.0]])
    g = cg.Graph()
    x = g.input("x", shape=(2, 4), dtype="float64")
    y = cg.sum(cg.prod(x, axis=1, dtype="float32")) + cg.sum(cg.cumprod(x, 1) * W4) \
        + cg.sum(cg.sort(x, axis=1) * W4) + cg.median(x)
    (dx,) = g.gradients(y, [x])
    dyn = cg.grad(lambda v: cg.sum(cg.prod(v, axis=1, dtype="float32"))
                  + cg.sum(cg.cumprod(v, 1) * W4) + cg.sum(cg.sort(v, axis=1) * W4)
                  + cg.median(v))(a)
    np.testing.assert_allclose(g.run(dx, {"x": a}), _np(dyn), rtol=1e-6)
    p = str(tmp_path / "g.npz")
    g.save(p)
    h = cg.Graph.load(p)
    np.testing.assert_allclose(h.run(h[y.name], {"x": a}), g.run(y, {"x": a}))
    # a shape unknown when built: sort's gradient needs none
    g2 = cg.Graph()
    u = g2.input("u")
    (du,) = g2.gradients(cg.sum(cg.sort(u, axis=-1) * W4), [u])
    np.testing.assert_allclose(g2.run(du, {"u": a}),
                               _np(cg.grad(lambda v: cg.sum(cg.sort(v) * W4))(a)))


def test_onnx_export_of_prod_cumsum_argmin(tmp_path):
    onnx = pytest.importorskip("onnx")
    ort = pytest.importorskip("onnxruntime")
    g = cg.Graph()
    x = g.input("x", shape=(3, 4), dtype="float32")
    outs = [cg.prod(x, axis=1), cg.cumsum(x, axis=0), cg.argmin(x, axis=1), cg.argmin(x),
            cg.sum(x, 0, "float64")]
    path = str(tmp_path / "m.onnx")
    g.to_onnx(path, outputs=outs)
    onnx.checker.check_model(onnx.load(path))
    a = np.random.default_rng(6).standard_normal((3, 4)).astype(np.float32)
    sess = ort.InferenceSession(path, providers=["CPUExecutionProvider"])
    got = sess.run(None, {"x": a})
    for r, e in zip(got, g.run(outs, {"x": a})):
        assert r.dtype == np.asarray(e).dtype
        np.testing.assert_allclose(r, e, rtol=1e-5)
