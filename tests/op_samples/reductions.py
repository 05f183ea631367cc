"""Samples of the reductions, scans and sorting (src/compgraph/ops/reduce.py, scan.py and
mean in functions.py); zeros, ties, NaN, PyTorch comparisons and errors are in
tests/ops/test_reductions.py."""
import numpy as np
from helpers import Sample

import compgraph as cg
from compgraph.functions import dispatch
from compgraph.ops import get_op

A = (("any", (3, 4)),)
NZ = (("nz", (3, 4)),)
D = (("distinct", (3, 4)),)
D5 = (("distinct", (2, 5)),)
NZ3 = (("nz", (2, 3, 2)),)
PERM = np.array([[2, 0, 3, 1], [0, 1, 2, 3], [3, 2, 1, 0]])
MASK = np.array([[True, False, True, True], [False, True, True, True], [True, True, True, False]])
NANS = np.where(MASK, 0.0, np.nan)  # one NaN in each row


def _nan(a):
    """a with NaN where MASK is false (no gradient reaches those entries)."""
    return cg.where(MASK, a, np.nan)


def _npnan(a):
    return np.where(MASK, a, np.nan)


def _s(id, fn, ref, inputs=A, **kw):  # noqa: A002
    return Sample(id, fn, ref, inputs, **kw)


def _nodiff(id, fn, ref, inputs=A, **kw):  # noqa: A002
    return Sample(id, fn, ref, inputs, grad=False, **kw)


SAMPLES = [
    # sum and mean: dtype= and where=
    _nodiff("sum_dtype", lambda a: cg.sum(a, 1, "float32"), lambda a: np.sum(a, 1, "float32")),
    _nodiff("sum_int_dtype", lambda a: cg.sum((a * 4).astype("int64"), 0, np.int8),
            lambda a: np.sum((a * 4).astype("int64"), 0, np.int8)),
    _s("sum_where", lambda a: cg.sum(a, axis=1, where=MASK),
       lambda a: np.sum(a, axis=1, where=MASK)),
    _nodiff("mean_dtype", lambda a: cg.mean(a, 0, "float32"), lambda a: np.mean(a, 0, "float32")),
    _nodiff("mean_int", lambda a: cg.mean((a * 4).astype("int64"), axis=1),
            lambda a: np.mean((a * 4).astype("int64"), axis=1)),
    _s("mean_where", lambda a: cg.mean(a, axis=0, where=MASK, keepdims=True),
       lambda a: np.mean(a, axis=0, where=MASK, keepdims=True)),
    # prod
    _s("prod", lambda a: cg.prod(a, axis=1), lambda a: np.prod(a, axis=1), NZ, order2=True,
       complex=True),
    _s("prod_all", lambda a: cg.prod(a), np.prod, (("nz", (2, 3)),), order2=True),
    _s("prod_axes_keepdims", lambda a: cg.prod(a, axis=(0, 2), keepdims=True),
       lambda a: np.prod(a, axis=(0, 2), keepdims=True), NZ3),
    _s("prod_method", lambda a: a.prod(0), lambda a: a.prod(0), NZ),
    _s("prod_where", lambda a: cg.prod(a, axis=1, where=MASK),
       lambda a: np.prod(a, axis=1, where=MASK), NZ),
    # scans
    _s("cumsum", lambda a: cg.cumsum(a, axis=1), lambda a: np.cumsum(a, axis=1), A,
       complex=True),
    _s("cumsum_flat", lambda a: cg.cumsum(a), np.cumsum, A),
    _s("cumsum_method", lambda a: a.cumsum(0), lambda a: a.cumsum(0), A),
    _nodiff("cumsum_dtype", lambda a: cg.cumsum(a, 0, np.float32),
            lambda a: np.cumsum(a, 0, np.float32)),
    _s("cumprod", lambda a: cg.cumprod(a, axis=1), lambda a: np.cumprod(a, axis=1), NZ,
       order2=True, complex=True),
    _s("cumprod_flat", lambda a: cg.cumprod(a), np.cumprod, (("nz", (2, 3)),), order2=True),
    _s("cumprod_method", lambda a: a.cumprod(0), lambda a: a.cumprod(0), NZ3),
    _s("cumulative_sum", lambda a: cg.cumulative_sum(a, axis=1, include_initial=True),
       lambda a: np.cumulative_sum(a, axis=1, include_initial=True)),
    _s("cumulative_prod", lambda a: cg.cumulative_prod(a, axis=0, include_initial=True),
       lambda a: np.cumulative_prod(a, axis=0, include_initial=True), NZ),
    _s("cumulative_sum_1d", lambda a: cg.cumulative_sum(a), np.cumulative_sum,
       (("any", (5,)),)),
    # moments
    _s("var", lambda a: cg.var(a, axis=1), lambda a: np.var(a, axis=1), A, order2=True,
       complex=True),
    _s("var_ddof", lambda a: cg.var(a, 0, ddof=1, keepdims=True),
       lambda a: np.var(a, 0, ddof=1, keepdims=True)),
    _s("var_correction", lambda a: cg.var(a, correction=1), lambda a: np.var(a, ddof=1)),
    _s("var_method", lambda a: a.var(axis=(0, 2)), lambda a: a.var(axis=(0, 2)), NZ3),
    _s("var_where", lambda a: cg.var(a, axis=1, where=MASK),
       lambda a: np.var(a, axis=1, where=MASK)),
    _s("std", lambda a: cg.std(a, axis=0), lambda a: np.std(a, axis=0), A, order2=True),
    _s("std_method", lambda a: a.std(ddof=1), lambda a: a.std(ddof=1)),
    _nodiff("var_int", lambda a: cg.var((a * 4).astype("int64"), axis=1),
            lambda a: np.var((a * 4).astype("int64"), axis=1)),
    # nan-reductions
    _s("nansum", lambda a: cg.nansum(_nan(a), axis=1), lambda a: np.nansum(_npnan(a), axis=1)),
    _s("nanprod", lambda a: cg.nanprod(_nan(a), axis=0), lambda a: np.nanprod(_npnan(a), 0), NZ),
    _s("nanmean", lambda a: cg.nanmean(_nan(a), axis=1),
       lambda a: np.nanmean(_npnan(a), axis=1)),
    _s("nanmean_all", lambda a: cg.nanmean(_nan(a)), lambda a: np.nanmean(_npnan(a))),
    _s("nanmax", lambda a: cg.nanmax(_nan(a), axis=1), lambda a: np.nanmax(_npnan(a), 1), D),
    _s("nanmin", lambda a: cg.nanmin(_nan(a), axis=0, keepdims=True),
       lambda a: np.nanmin(_npnan(a), axis=0, keepdims=True), D),
    _s("nanvar", lambda a: cg.nanvar(_nan(a), axis=1), lambda a: np.nanvar(_npnan(a), axis=1)),
    _s("nanstd", lambda a: cg.nanstd(_nan(a), axis=1, ddof=1),
       lambda a: np.nanstd(_npnan(a), axis=1, ddof=1)),
    # sorting, order statistics
    _s("sort", lambda a: cg.sort(a, axis=1), lambda a: np.sort(a, axis=1), D),
    _s("sort_axis0", lambda a: cg.sort(a, axis=0), lambda a: np.sort(a, axis=0), D),
    _s("sort_flat", lambda a: cg.sort(a, axis=None), lambda a: np.sort(a, axis=None), D),
    _s("sort_descending", lambda a: cg.sort(a, axis=0, descending=True),
       lambda a: np.flip(np.sort(a, axis=0), 0), D),
    _s("sort_method", lambda a: a.sort(), lambda a: np.sort(a), D),
    _nodiff("argsort", lambda a: cg.argsort(a, axis=0), lambda a: np.argsort(a, axis=0), D),
    _nodiff("argsort_descending", lambda a: cg.argsort(a, descending=True, stable=True),
            lambda a: np.argsort(-a, kind="stable"), D),
    _nodiff("argsort_method", lambda a: a.argsort(None), lambda a: a.argsort(None), D),
    _s("permute_along", lambda a: dispatch(get_op("permute_along"), (a, PERM), {"axis": 1}),
       lambda a: np.take_along_axis(a, PERM, 1)),  # (sort's gradient)
    _s("median", lambda a: cg.median(a, axis=1), lambda a: np.median(a, axis=1), D),
    _s("median_odd", lambda a: cg.median(a, axis=0, keepdims=True),
       lambda a: np.median(a, axis=0, keepdims=True), D),
    _s("median_all", lambda a: cg.median(a), np.median, D5),
    _s("median_axes", lambda a: cg.median(a, axis=(0, 2)), lambda a: np.median(a, axis=(0, 2)),
       (("distinct", (2, 3, 3)),)),
    _s("quantile", lambda a: cg.quantile(a, [0.1, 0.5, 0.77], axis=1),
       lambda a: np.quantile(a, [0.1, 0.5, 0.77], axis=1), D),
    _s("quantile_keepdims", lambda a: cg.quantile(a, 0.3, axis=0, keepdims=True),
       lambda a: np.quantile(a, 0.3, axis=0, keepdims=True), D),
    *[_s(f"quantile_{m}", lambda a, m=m: cg.quantile(a, [0.3, 0.5, 0.9], axis=1, method=m),
         lambda a, m=m: np.quantile(a, [0.3, 0.5, 0.9], axis=1, method=m), D5)
      for m in ("lower", "higher", "midpoint", "nearest")],
    _s("percentile", lambda a: cg.percentile(a, [[25, 50], [75, 100]]),
       lambda a: np.percentile(a, [[25, 50], [75, 100]]), D5),
    # extremes and counts
    _nodiff("argmin", lambda a: cg.argmin(a, axis=1), lambda a: np.argmin(a, axis=1), D),
    _nodiff("argmin_flat_keepdims", lambda a: cg.argmin(a, keepdims=True),
            lambda a: np.argmin(a, keepdims=True), D),
    _nodiff("argmin_method", lambda a: a.argmin(0), lambda a: a.argmin(0), D),
    _nodiff("any", lambda a: cg.any(a > 1, axis=1), lambda a: np.any(a > 1, axis=1)),
    _nodiff("all", lambda a: cg.all(a > -1, axis=0, keepdims=True),
            lambda a: np.all(a > -1, axis=0, keepdims=True)),
    _nodiff("any_all_methods", lambda a: (a > 0).any() | a.all(), lambda a: (a > 0).any()
            | a.all()),
    _nodiff("count_nonzero", lambda a: cg.count_nonzero(cg.floor(a), axis=0),
            lambda a: np.count_nonzero(np.floor(a), axis=0)),
    _nodiff("count_nonzero_all", lambda a: cg.count_nonzero(cg.floor(a)),
            lambda a: np.count_nonzero(np.floor(a))),
    _s("ptp", lambda a: cg.ptp(a, axis=1), lambda a: np.ptp(a, axis=1), D),
    _s("ptp_method", lambda a: a.ptp(), lambda a: np.ptp(a), D),
    _s("average", lambda a: cg.average(a, axis=0), lambda a: np.average(a, axis=0)),
    _s("average_weights", lambda a, w: cg.average(a, axis=1, weights=w),
       lambda a, w: np.average(a, axis=1, weights=w), (("any", (3, 4)), ("pos", (4,))),
       order2=True),
    _s("average_full_weights", lambda a, w: cg.average(a, weights=w, keepdims=True),
       lambda a, w: np.average(a, weights=w, keepdims=True), (("any", (3, 4)), ("pos", (3, 4)))),
    _nodiff("searchsorted", lambda a, v: cg.searchsorted(cg.sort(a), v, side="right"),
            lambda a, v: np.searchsorted(np.sort(a), v, side="right"),
            (("any", (6,)), ("any", (2, 3)))),
]
