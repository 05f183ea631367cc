"""TensorFlow's names: ``cg.math`` (``tf.math``) and the top-level ``reduce_*``, ``cast``,
``norm``, ``clip_by_norm`` ... with TensorFlow's signatures.

Where ``tf.math`` and NumPy spell the same function alike, ``cg.math.<name>`` is the
``cg`` function itself (the same object).  Where TensorFlow's signature or default
differs from NumPy's (``argmax`` defaults to axis 0, ``cumsum`` to axis 0 with
``exclusive``/``reverse``, ``transpose(perm=)``, ``identity(x)``), NumPy's version keeps
the top-level name and TensorFlow's is ``cg.math.<name>``.  Results are Tensors, and
everything here is differentiable where the math is (written with ``cg`` functions).

The package's modules: this one (reductions, casts, norms, clipping, ``gather`` ...),
``segment`` (``segment_*``, ``unsorted_segment_*``, ``bincount``), ``indexing``
(``gather_nd``, ``scatter_nd``, ``tensor_scatter_nd_*``, ``sequence_mask``,
``reverse``), ``control`` (``cond``, ``case``, ``switch_case``, ``while_loop``,
``map_fn``, ``foldl``, ``foldr``, ``scan``: what they do inside ``cg.function`` is in its
docstring), ``mathops`` (more of ``tf.math`` with TensorFlow's special-point semantics)
and ``arrays`` (``unique_with_counts``, ``dynamic_partition``/``stitch``,
``reverse_sequence``, ``saturate_cast``, ``slice`` ...).  Index-like arguments (ids,
indices, lengths) must be known when a function is traced: a NumPy array, list or a
Tensor made inside it, not a traced argument (``TypeError`` says so).
"""

from __future__ import annotations

import builtins
import sys
import types
from collections.abc import Callable, Sequence
from typing import Any, NamedTuple

import numpy as np

from .. import linalg, special
from ..functions import cg
from ..ops.namespace import lookup
from ._args import _ints, _shape, _tensor
from .arrays import (
    UniqueWithCounts,
    broadcast_dynamic_shape,
    broadcast_static_shape,
    dynamic_partition,
    dynamic_stitch,
    ensure_shape,
    get_static_value,
    group,
    identity_n,
    no_op,
    parallel_stack,
    reverse_sequence,
    saturate_cast,
    shape_n,
    slice,  # noqa: A004
    strided_slice,
    tensor_scatter_nd_max,
    tensor_scatter_nd_min,
    unique_with_counts,
    unravel_index,
    vectorized_map,
)
from .control import (
    case,
    cond,
    foldl,
    foldr,
    map_fn,
    scan,
    switch_case,
    while_loop,
)
from .eager import executing_eagerly
from .eager import print as print  # noqa: A004
from .indexing import (
    gather_nd,
    reverse,
    scatter_nd,
    sequence_mask,
    tensor_scatter_nd_add,
    tensor_scatter_nd_sub,
    tensor_scatter_nd_update,
)
from .mathops import (
    accumulate_n,
    bessel_i0,
    bessel_i0e,
    bessel_i1,
    bessel_i1e,
    betainc,
    confusion_matrix,
    count_nonzero,
    cumulative_logsumexp,
    erfcinv,
    erfinv,
    igamma,
    igammac,
    in_top_k,
    invert_permutation,
    is_non_decreasing,
    is_strictly_increasing,
    lbeta,
    multiply_no_nan,
    ndtri,
    polygamma,
    realdiv,
    scalar_mul,
    truediv,
    truncatediv,
    truncatemod,
    xlog1py,
    xlogy,
    zero_fraction,
    zeta,
)
from .segment import (
    bincount,
    segment_max,
    segment_mean,
    segment_min,
    segment_prod,
    segment_sum,
    unsorted_segment_max,
    unsorted_segment_mean,
    unsorted_segment_min,
    unsorted_segment_prod,
    unsorted_segment_sqrt_n,
    unsorted_segment_sum,
)


def _axis(axis: Any) -> Any:
    """TensorFlow takes lists (and tensors) of axes where NumPy wants tuples."""
    if axis is None or isinstance(axis, (int, np.integer)):
        return axis
    a = np.asarray(getattr(axis, "_data", axis))
    return int(a) if a.ndim == 0 else tuple(int(i) for i in a.ravel())


def _reducer(np_name: str, doc: str) -> Callable:
    fn = getattr(cg, np_name)

    def reduce(input_tensor: Any, axis: Any = None, keepdims: bool = False, name: Any = None):
        return fn(input_tensor, axis=_axis(axis), keepdims=keepdims)

    reduce.__doc__ = f"TensorFlow's ``{doc}(input_tensor, axis=None, keepdims=False)``."
    reduce.__name__ = reduce.__qualname__ = doc
    return reduce


_REDUCE = {
    "reduce_sum": "sum",
    "reduce_mean": "mean",
    "reduce_max": "max",
    "reduce_min": "min",
    "reduce_prod": "prod",
    "reduce_all": "all",
    "reduce_any": "any",
    "reduce_logsumexp": "logsumexp",
    "reduce_std": "std",
    "reduce_variance": "var",
    "reduce_euclidean_norm": None,
}


def reduce_euclidean_norm(
    input_tensor: Any, axis: Any = None, keepdims: bool = False, name: Any = None
) -> Any:
    """TensorFlow's ``reduce_euclidean_norm``: sqrt of the sum of squares over ``axis``."""
    return cg.sqrt(cg.sum(cg.square(input_tensor), axis=_axis(axis), keepdims=keepdims))


_reducers = {k: _reducer(v, k) for k, v in _REDUCE.items() if v is not None}
reduce_sum = _reducers["reduce_sum"]
reduce_mean = _reducers["reduce_mean"]
reduce_max = _reducers["reduce_max"]
reduce_min = _reducers["reduce_min"]
reduce_prod = _reducers["reduce_prod"]
reduce_all = _reducers["reduce_all"]
reduce_any = _reducers["reduce_any"]
reduce_logsumexp = _reducers["reduce_logsumexp"]
reduce_std = _reducers["reduce_std"]
reduce_variance = _reducers["reduce_variance"]


def cast(x: Any, dtype: Any, name: Any = None) -> Any:
    """TensorFlow's ``cast``: ``x`` as ``dtype`` (floats to integers truncate toward zero)."""
    return cg.astype(x, dtype)


def rsqrt(x: Any, name: Any = None) -> Any:
    """``1 / sqrt(x)``."""
    return cg.reciprocal(cg.sqrt(x))


def squared_difference(x: Any, y: Any, name: Any = None) -> Any:
    """``(x - y) ** 2``."""
    return cg.square(cg.subtract(x, y))


def reciprocal_no_nan(x: Any, name: Any = None) -> Any:
    """``1 / x``, and 0 where ``x`` is 0."""
    x = cg.asarray(x)
    zero = x == 0
    return cg.where(zero, 0.0, cg.reciprocal(cg.where(zero, 1.0, x)))


def divide_no_nan(x: Any, y: Any, name: Any = None) -> Any:
    """``x / y``, and 0 where ``y`` is 0."""
    y = cg.asarray(y)
    zero = y == 0
    return cg.where(zero, 0.0, cg.divide(x, cg.where(zero, 1.0, y)))


def xdivy(x: Any, y: Any, name: Any = None) -> Any:
    """``x / y``, and 0 where ``x`` is 0."""
    x = cg.asarray(x)
    return cg.where(x == 0, 0.0, cg.divide(x, y))


def log_sigmoid(x: Any, name: Any = None) -> Any:
    """``log(sigmoid(x)) = -softplus(-x)``, stable for large ``|x|``."""
    return -cg.softplus(-cg.asarray(x))


def softsign(features: Any, name: Any = None) -> Any:
    """``x / (1 + |x|)``."""
    features = cg.asarray(features)
    return features / (1 + cg.abs(features))


def polyval(coeffs: Sequence[Any], x: Any, name: Any = None) -> Any:
    """``coeffs[0] * x**(n-1) + ... + coeffs[-1]`` by Horner's rule (TensorFlow's order)."""
    out: Any = cg.zeros_like(cg.asarray(x, dtype=float)) if not coeffs else coeffs[0]
    for c in coeffs[1:]:
        out = out * x + c
    return cg.asarray(out)


def l2_normalize(x: Any, axis: Any = None, epsilon: float = 1e-12, name: Any = None) -> Any:
    """TensorFlow's ``l2_normalize``: ``x / sqrt(max(sum(x**2, axis), epsilon))``."""
    x = cg.asarray(x)
    sq = cg.sum(cg.square(x), axis=_axis(axis), keepdims=True)
    return x * rsqrt(cg.maximum(sq, epsilon))


def argmax(input: Any, axis: Any = None, output_type: Any = np.int64, name: Any = None) -> Any:
    """TensorFlow's ``argmax``: ``axis=None`` means axis 0 (NumPy's flattens)."""
    return cg.astype(cg.argmax(input, axis=0 if axis is None else _axis(axis)), output_type)


def argmin(input: Any, axis: Any = None, output_type: Any = np.int64, name: Any = None) -> Any:
    """TensorFlow's ``argmin``: ``axis=None`` means axis 0 (NumPy's flattens)."""
    return cg.astype(cg.argmin(input, axis=0 if axis is None else _axis(axis)), output_type)


def _scan(fn: Callable, x: Any, axis: Any, exclusive: bool, reverse: bool, init: float) -> Any:
    x = cg.asarray(x)
    axis = _axis(axis) % max(1, x.ndim)
    if reverse:
        x = cg.flip(x, axis=axis)
    y = fn(x, axis=axis)
    if exclusive:  # shift by one along the axis, the identity first
        idx = [builtins.slice(None)] * x.ndim
        idx[axis] = builtins.slice(0, -1)
        first = [(0, 0)] * x.ndim
        first[axis] = (1, 0)
        y = cg.pad(y[tuple(idx)], first, constant_values=init)
    return cg.flip(y, axis=axis) if reverse else y


def cumsum(x: Any, axis: Any = 0, exclusive: bool = False, reverse: bool = False, name=None):
    """TensorFlow's ``cumsum`` (axis 0 by default; ``exclusive``, ``reverse``)."""
    return _scan(cg.cumsum, x, axis, exclusive, reverse, 0.0)


def cumprod(x: Any, axis: Any = 0, exclusive: bool = False, reverse: bool = False, name=None):
    """TensorFlow's ``cumprod`` (axis 0 by default; ``exclusive``, ``reverse``)."""
    return _scan(cg.cumprod, x, axis, exclusive, reverse, 1.0)


class TopKV2(NamedTuple):
    """``top_k``'s result: ``values`` and ``indices``."""

    values: Any
    indices: Any


def top_k(
    input: Any, k: int = 1, sorted: bool = True, index_type: Any = np.int32, name: Any = None
) -> TopKV2:
    """TensorFlow's ``top_k``: the ``k`` largest entries along the last axis, largest
    first (ties: lower index first), as ``(values, indices)`` (``indices`` of
    ``index_type``); the values are differentiable (the gradient goes to the entries
    chosen).  ``sorted=False`` still returns them sorted (TensorFlow leaves the order
    unspecified then)."""
    x = cg.asarray(input)
    k = int(getattr(k, "_data", k))
    if x.ndim < 1:
        raise ValueError(f"top_k: input must have at least one axis, got shape {x.shape}")
    if not 0 <= k <= x.shape[-1]:
        raise ValueError(f"top_k: k={k} is not in [0, {x.shape[-1]}] for input of shape {x.shape}")
    if x.dtype.kind not in "fiu":
        raise TypeError(f"top_k: input of dtype {x.dtype} is not supported (real numbers only)")
    key = cg.astype(x, np.int64) if x.dtype.kind == "u" else x
    idx = cg.argsort(-key, axis=-1, stable=True)[..., :k]
    return TopKV2(cg.take_along_axis(x, idx, axis=-1), cg.astype(idx, index_type))


def add_n(inputs: Sequence[Any], name: Any = None) -> Any:
    """TensorFlow's ``add_n``: the sum of a list of same-shaped tensors."""
    if not inputs:
        raise ValueError("add_n: inputs must be a non-empty list of tensors")
    total = inputs[0]
    for t in inputs[1:]:
        total = total + t
    return cg.asarray(total) if not hasattr(total, "shape") else total


def norm(
    tensor: Any, ord: Any = "euclidean", axis: Any = None, keepdims: bool = False, name=None
) -> Any:
    """TensorFlow's ``norm``: ``ord='euclidean'`` is the 2-norm of all entries (axis None),
    of vectors along an int ``axis``, the Frobenius norm over a pair of axes; other
    ``ord`` values (1, 2, ``np.inf``, ``'fro'``) as ``cg.linalg.norm``."""
    axis = _axis(axis)
    if ord == "euclidean":
        if axis is None or isinstance(axis, tuple):
            return cg.sqrt(cg.sum(cg.square(cg.abs(tensor)), axis=axis, keepdims=keepdims))
        ord = 2
    if axis is None:
        tensor, axis = cg.reshape(tensor, (-1,)), 0
    return linalg.norm(tensor, ord=ord, axis=axis, keepdims=keepdims)


def clip_by_value(t: Any, clip_value_min: Any, clip_value_max: Any, name: Any = None) -> Any:
    """TensorFlow's ``clip_by_value``: ``t`` limited to ``[clip_value_min, clip_value_max]``."""
    return cg.minimum(cg.maximum(t, clip_value_min), clip_value_max)


def clip_by_norm(t: Any, clip_norm: Any, axes: Any = None, name: Any = None) -> Any:
    """TensorFlow's ``clip_by_norm``: ``t * clip_norm / max(l2norm(t, axes), clip_norm)``."""
    t = cg.asarray(t)
    l2sum = cg.sum(cg.square(t), axis=_axis(axes), keepdims=True)
    # where() keeps the gradient finite at t == 0 (as TensorFlow's implementation)
    pos = l2sum > 0
    l2norm = cg.where(pos, cg.sqrt(cg.where(pos, l2sum, 1.0)), l2sum)
    return t * clip_norm / cg.maximum(l2norm, clip_norm)


def clip_by_global_norm(t_list: Sequence[Any], clip_norm: Any, use_norm: Any = None, name=None):
    """TensorFlow's ``clip_by_global_norm``: ``(clipped list, global norm)``."""
    if use_norm is None:
        use_norm = cg.sqrt(add_n([cg.sum(cg.square(t)) for t in t_list if t is not None]))
    scale = clip_norm / cg.maximum(use_norm, clip_norm)
    return [None if t is None else t * scale for t in t_list], use_norm


def gather(
    params: Any,
    indices: Any,
    validate_indices: Any = None,
    axis: Any = None,
    batch_dims: int = 0,
    name: Any = None,
) -> Any:
    """TensorFlow's ``gather``: slices of ``params`` along ``axis`` (by default
    ``batch_dims``, which is 0 by default).  With ``batch_dims = b`` the first ``b`` axes
    of ``params`` and ``indices`` are batch axes, each batch gathering from its own
    slice: the result has shape ``params.shape[:axis] + indices.shape[b:] +
    params.shape[axis + 1:]``.  Indices outside ``[0, params.shape[axis])`` raise
    ``ValueError`` (TensorFlow's CPU kernel raises too)."""
    f = "gather"
    x = _tensor(params)
    shape = _shape(x, f)
    idx = _ints(indices, f, "indices")
    nb = int(batch_dims)
    if nb < 0:
        nb += idx.ndim
    ax = nb if axis is None else int(_axis(axis))
    if ax < 0:
        ax += len(shape)
    if not 0 <= nb <= idx.ndim or not nb <= ax < len(shape):
        raise ValueError(
            f"{f}: need 0 <= batch_dims ({batch_dims}) <= rank(indices) ({idx.ndim}) and "
            f"batch_dims <= axis ({axis}) < rank(params) ({len(shape)})"
        )
    if idx.shape[:nb] != shape[:nb]:
        raise ValueError(
            f"{f}: the batch axes of params {shape[:nb]} and indices {idx.shape[:nb]} differ"
        )
    if idx.size and (idx.min() < 0 or idx.max() >= shape[ax]):
        bad = idx[(idx < 0) | (idx >= shape[ax])].ravel()[0]
        raise ValueError(f"{f}: index {int(bad)} is out of range [0, {shape[ax]}) along axis {ax}")
    if nb == 0:
        return cg.take(x, idx, axis=ax)
    # batch axes, then the gathered axis, as adjacent advanced indices
    moved = cg.moveaxis(x, ax, nb)
    items = tuple(
        np.arange(shape[j]).reshape((-1,) + (1,) * (idx.ndim - j - 1)) for j in builtins.range(nb)
    )
    out = moved[(*items, idx)]  # batch + indices.shape[nb:] + between + after
    k = idx.ndim - nb  # the gathered block's axes, moved behind the axes between
    between = ax - nb
    order = [
        *builtins.range(nb),
        *builtins.range(nb + k, nb + k + between),
        *builtins.range(nb, nb + k),
        *builtins.range(nb + k + between, out.ndim),
    ]
    return cg.transpose(out, tuple(order))


def boolean_mask(tensor: Any, mask: Any, axis: Any = None, name: Any = None) -> Any:
    """TensorFlow's ``boolean_mask``: the entries of ``tensor`` where ``mask`` is true."""
    m = np.asarray(getattr(mask, "_data", mask), dtype=bool)
    a = 0 if axis is None else int(axis)
    return cg.asarray(tensor)[(builtins.slice(None),) * a + (m,)]


def one_hot(
    indices: Any,
    depth: int,
    on_value: Any = None,
    off_value: Any = None,
    axis: Any = None,
    dtype: Any = None,
    name: Any = None,
) -> Any:
    """TensorFlow's ``one_hot``: a new axis of length ``depth`` (last by default), float32
    unless ``dtype`` or the on/off values say otherwise; out-of-range indices give rows
    of ``off_value``."""
    idx = np.asarray(getattr(indices, "_data", indices))
    if dtype is None:
        given = [v for v in (on_value, off_value) if v is not None]
        dtype = np.result_type(*given) if given else np.float32
    on = 1 if on_value is None else on_value
    off = 0 if off_value is None else off_value
    hot = idx[..., None] == np.arange(depth)
    out = np.where(hot, on, off).astype(dtype)
    if axis is not None and axis != -1:
        out = np.moveaxis(out, -1, axis)
    return cg.asarray(out)


def range(start: Any, limit: Any = None, delta: Any = 1, dtype: Any = None, name=None) -> Any:
    """TensorFlow's ``range``: ``range(limit)`` or ``range(start, limit, delta)``."""
    if limit is None:
        start, limit = 0, start
    return cg.arange(start, limit, delta, dtype=dtype)


def fill(dims: Any, value: Any, name: Any = None) -> Any:
    """TensorFlow's ``fill``: a tensor of shape ``dims`` filled with ``value``."""
    return cg.full(tuple(np.asarray(getattr(dims, "_data", dims), dtype=np.int64).ravel()), value)


def convert_to_tensor(value: Any, dtype: Any = None, dtype_hint: Any = None, name=None) -> Any:
    """TensorFlow's ``convert_to_tensor``: a Tensor (a Tensor given is returned as it is)."""
    if dtype is None and dtype_hint is not None and not hasattr(value, "dtype"):
        dtype = dtype_hint
    t = cg.asarray(value)
    return t if dtype is None or t.dtype == np.dtype(dtype) else cg.astype(t, dtype)


def shape(input: Any, out_type: Any = None, name: Any = None) -> tuple:
    """The shape as a tuple (NumPy's ``shape``; TensorFlow returns an int32 tensor)."""
    return tuple(np.shape(getattr(input, "_data", input)))


def size(input: Any, axis: Any = None) -> int:
    """The number of elements (along ``axis``), NumPy's ``size``."""
    return int(np.size(getattr(input, "_data", input), axis))


def rank(input: Any, name: Any = None) -> int:
    """The number of dimensions (TensorFlow's ``rank``; an int, not a tensor)."""
    return int(np.ndim(getattr(input, "_data", input)))


def transpose(a: Any, perm: Any = None, conjugate: bool = False, name: Any = None) -> Any:
    """TensorFlow's ``transpose(a, perm=None, conjugate=False)``."""
    out = cg.transpose(a, None if perm is None else _axis(perm))
    return cg.conj(out) if conjugate else out


def identity(input: Any, name: Any = None) -> Any:
    """TensorFlow's ``identity``: the same values, a new Tensor (NumPy's ``cg.identity(n)``
    is the identity matrix); booleans and strings keep their dtype."""
    x = _tensor(input)
    if np.dtype(x.dtype).kind in "fciu":
        return x * 1
    return cg.asarray(np.array(getattr(x, "_data", x)))


def moments(x: Any, axes: Any, shift: Any = None, keepdims: bool = False, name=None) -> tuple:
    """TensorFlow's ``nn.moments``: ``(mean, variance)`` over ``axes``.  As TensorFlow,
    the variance is ``mean(square(x - stop_gradient(mean)))`` (first derivatives are
    the usual ones; second derivatives those of TensorFlow's graph) and float16 is
    computed in float32; ``shift`` is accepted and unused (TensorFlow ignores it too)."""
    x = cg.asarray(x)
    axes = _axis(axes)
    half = x.dtype == np.float16
    y = cg.astype(x, np.float32) if half else x
    mean = cg.mean(y, axis=axes, keepdims=True)
    var = cg.mean(cg.square(y - cg.stop_gradient(mean)), axis=axes, keepdims=True)
    if not keepdims:
        mean, var = cg.squeeze(mean, axis=axes), cg.squeeze(var, axis=axes)
    if half:
        return cg.astype(mean, np.float16), cg.astype(var, np.float16)
    return mean, var


# tf.math's spellings of cg functions (the same objects).
_special: Any = special  # (its functions come from a module __getattr__)
is_nan = cg.isnan
is_inf = cg.isinf
is_finite = cg.isfinite
floordiv = cg.floor_divide
floormod = cg.mod
lgamma = _special.gammaln
digamma = _special.digamma
erfc = _special.erfc

# What this module exports: TensorFlow's functions by TensorFlow's names (their own
# signatures, defined above), so the op names among them are not compgraph ops' table.
__all__ = [  # TensorFlow's functions defined here, not compgraph ops
    "reduce_sum",
    "reduce_mean",
    "reduce_max",
    "reduce_min",
    "reduce_prod",
    "reduce_all",
    "reduce_any",
    "reduce_logsumexp",
    "reduce_std",
    "reduce_variance",
    "reduce_euclidean_norm",
    "cast",
    "rsqrt",
    "squared_difference",
    "reciprocal_no_nan",
    "divide_no_nan",
    "xdivy",
    "l2_normalize",
    "log_sigmoid",
    "softsign",
    "polyval",
    "argmax",
    "argmin",
    "cumsum",
    "cumprod",
    "top_k",
    "TopKV2",
    "add_n",
    "norm",
    "clip_by_value",
    "clip_by_norm",
    "clip_by_global_norm",
    "gather",
    "boolean_mask",
    "one_hot",
    "range",
    "executing_eagerly",
    "fill",
    "convert_to_tensor",
    "shape",
    "size",
    "rank",
    "transpose",
    "identity",
    "moments",
    "is_nan",
    "is_inf",
    "is_finite",
    "truediv",
    "floordiv",
    "floormod",
    "lgamma",
    "digamma",
    "erfc",
    "xlogy",
    "segment_sum",
    "segment_mean",
    "segment_max",
    "segment_min",
    "segment_prod",
    "unsorted_segment_sum",
    "unsorted_segment_mean",
    "unsorted_segment_max",
    "unsorted_segment_min",
    "unsorted_segment_prod",
    "unsorted_segment_sqrt_n",
    "bincount",
    "gather_nd",
    "scatter_nd",
    "tensor_scatter_nd_update",
    "tensor_scatter_nd_add",
    "tensor_scatter_nd_sub",
    "sequence_mask",
    "reverse",
    "cond",
    "while_loop",
    "map_fn",
    "foldl",
    "foldr",
    "scan",
    "case",
    "switch_case",
    "UniqueWithCounts",
    "unique_with_counts",
    "dynamic_partition",
    "dynamic_stitch",
    "reverse_sequence",
    "tensor_scatter_nd_max",
    "tensor_scatter_nd_min",
    "saturate_cast",
    "slice",
    "strided_slice",
    "unravel_index",
    "ensure_shape",
    "identity_n",
    "shape_n",
    "parallel_stack",
    "vectorized_map",
    "get_static_value",
    "broadcast_static_shape",
    "broadcast_dynamic_shape",
    "no_op",
    "group",
    "xlog1py",
    "multiply_no_nan",
    "realdiv",
    "truncatediv",
    "truncatemod",
    "scalar_mul",
    "accumulate_n",
    "in_top_k",
    "zero_fraction",
    "is_non_decreasing",
    "is_strictly_increasing",
    "invert_permutation",
    "confusion_matrix",
    "cumulative_logsumexp",
    "lbeta",
    "bessel_i0",
    "bessel_i0e",
    "bessel_i1",
    "bessel_i1e",
    "erfinv",
    "erfcinv",
    "ndtri",
    "polygamma",
    "zeta",
    "betainc",
    "igamma",
    "igammac",
    "count_nonzero",
    "math",
]

_here = sys.modules[__name__]


class _Math(types.ModuleType):
    """``cg.math``: TensorFlow's functions above, and otherwise the ``cg`` function of the
    same name (``cg.math.sin is cg.sin``) or one declared as ``math.<name>``."""

    def __getattr__(self, name: str) -> Any:
        if name in __all__ and name != "math":
            return getattr(_here, name)
        if not name.startswith("_"):
            try:
                return lookup("math", name)
            except AttributeError:
                pass
            try:
                return getattr(cg, name)
            except AttributeError:
                pass
        raise AttributeError(f"module 'compgraph.math' has no attribute {name!r}")

    def __dir__(self) -> list:
        return sorted(set(__all__) - {"math"})


#: ``cg.math``: TensorFlow's ``tf.math`` (and TensorFlow's ``transpose`` and ``identity``,
#: whose top-level ``cg`` names are NumPy's).
math = _Math("compgraph.math", "TensorFlow's tf.math names (see compgraph.tfmath).")
