"""TensorFlow's top-level names that compgraph did not publish yet (``tf.gradients``,
``tf.TensorShape``, ``tf.name_scope``, ``tf.py_function`` ...), by name in ``TF_TOP``: the
package publishes each as ``cg.<name>`` unless that name is already taken.

compgraph runs eagerly: ``gradients`` / ``hessians`` work on Tensors recorded with
``requires_grad`` (TensorFlow's need graph mode); ``control_dependencies`` and
``init_scope`` are no-op contexts; ``recompute_grad`` returns exact values and gradients
without recomputation.  compgraph has no ``tf.errors`` namespace, so the asserts raise
``ValueError``.
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import numpy as np

from . import autograd, fft, linalg
from . import functions as F
from .grad_mode import STATE
from .nn.tf_ops_more import (
    approx_max_k,
    approx_min_k,
    batch_to_space,
    space_to_batch,
    space_to_batch_nd,
)
from .random import default_generator
from .static import Symbol

__all__ = [
    "TF_TOP",
    "TensorShape",
    "TensorSpec",
    "as_dtype",
    "gradients",
    "hessians",
    "name_scope",
    "get_current_name_scope",
    "control_dependencies",
    "init_scope",
    "inside_function",
    "py_function",
    "numpy_function",
    "recompute_grad",
    "grad_pass_through",
    "no_gradient",
    "guarantee_const",
    "tuple_",
    "Assert",
    "assert_equal",
    "assert_greater",
    "assert_less",
    "assert_rank",
    "histogram_fixed_width",
    "histogram_fixed_width_bins",
    "required_space_to_batch_paddings",
    "bitcast",
    "eig",
    "eigvals",
    "matrix_square_root",
    "fftnd",
    "ifftnd",
    "rfftnd",
    "irfftnd",
    "zeros_initializer",
    "ones_initializer",
    "constant_initializer",
    "random_normal_initializer",
    "random_uniform_initializer",
    "timestamp",
    "make_ndarray",
    "is_symbolic_tensor",
    "get_logger",
    "approx_top_k",
    "extract_volume_patches",
]


def _np(v: Any) -> np.ndarray:
    return np.asarray(v.numpy() if hasattr(v, "numpy") else v)


class TensorShape:
    """TensorFlow's ``TensorShape``: a tuple of dimensions, each an int or ``None``
    (unknown); ``TensorShape(None)`` has unknown rank."""

    _dims: tuple | None

    def __init__(self, dims: Any) -> None:
        if isinstance(dims, TensorShape):
            self._dims = dims._dims
        elif dims is None:
            self._dims = None
        elif isinstance(dims, (int, np.integer)):
            self._dims = (int(dims),)
        else:
            self._dims = tuple(None if d is None else int(d) for d in dims)

    @property
    def dims(self) -> list | None:
        """The dimensions (ints or None), or None for unknown rank."""
        return None if self._dims is None else list(self._dims)

    @property
    def rank(self) -> int | None:
        """The number of dimensions, or None."""
        return None if self._dims is None else len(self._dims)

    ndims = rank

    def as_list(self) -> list:
        """The dimensions as a list; ValueError for unknown rank."""
        if self._dims is None:
            raise ValueError("TensorShape.as_list: the rank is unknown")
        return list(self._dims)

    def is_fully_defined(self) -> bool:
        """Whether the rank and every dimension are known."""
        return self._dims is not None and all(d is not None for d in self._dims)

    def num_elements(self) -> int | None:
        """The product of the dimensions, or None when not fully defined."""
        return int(np.prod(self.as_list())) if self.is_fully_defined() else None

    def is_compatible_with(self, other: Any) -> bool:
        """Whether the two shapes could be the same shape."""
        o = TensorShape(other)
        if self._dims is None or o._dims is None:
            return True
        return len(self._dims) == len(o._dims) and all(
            a is None or b is None or a == b for a, b in zip(self._dims, o._dims)
        )

    def merge_with(self, other: Any) -> TensorShape:
        """The most specific shape compatible with both; ValueError when incompatible."""
        o = TensorShape(other)
        if not self.is_compatible_with(o):
            raise ValueError(f"TensorShape.merge_with: shapes {self} and {o} are not compatible")
        if self._dims is None:
            return o
        if o._dims is None:
            return self
        return TensorShape([a if a is not None else b for a, b in zip(self._dims, o._dims)])

    def concatenate(self, other: Any) -> TensorShape:
        """The dimensions of both, one after the other."""
        o = TensorShape(other)
        if self._dims is None or o._dims is None:
            return TensorShape(None)
        return TensorShape(self._dims + o._dims)

    def __getitem__(self, key: Any) -> Any:
        if self._dims is None:
            return TensorShape(None) if isinstance(key, slice) else None
        if isinstance(key, slice):
            return TensorShape(self._dims[key])
        return self._dims[key]

    def __len__(self) -> int:
        if self._dims is None:
            raise ValueError("TensorShape: len of a shape of unknown rank")
        return len(self._dims)

    def __iter__(self) -> Iterator:
        return iter(self.as_list())

    def __eq__(self, other: Any) -> bool:
        try:
            return self._dims == TensorShape(other)._dims
        except TypeError:
            return NotImplemented

    def __hash__(self) -> int:
        return hash(self._dims)

    def __repr__(self) -> str:
        return f"TensorShape({self.dims})"


def as_dtype(type_value: Any) -> np.dtype:
    """TensorFlow's ``as_dtype``: here a NumPy dtype (compgraph's dtypes are NumPy's);
    ``'bfloat16'`` and other types NumPy lacks raise TypeError."""
    try:
        return np.dtype(getattr(type_value, "as_numpy_dtype", type_value))
    except TypeError as e:
        raise TypeError(f"as_dtype: {type_value!r} is not a dtype compgraph supports") from e


class TensorSpec:
    """TensorFlow's ``TensorSpec``: a ``shape`` (TensorShape), ``dtype`` and ``name``."""

    def __init__(self, shape: Any, dtype: Any = "float32", name: Any = None) -> None:
        self.shape = TensorShape(shape)
        self.dtype = as_dtype(dtype)
        self.name = name

    @classmethod
    def from_tensor(cls, tensor: Any, name: Any = None) -> TensorSpec:
        """The spec of a value's shape and dtype."""
        t = F.asarray(tensor)
        return cls(tuple(t.shape), t.dtype, name)

    def is_compatible_with(self, spec_or_value: Any) -> bool:
        """Same dtype and compatible shape."""
        o = spec_or_value
        if not isinstance(o, TensorSpec):
            o = TensorSpec.from_tensor(o)
        return self.dtype == o.dtype and self.shape.is_compatible_with(o.shape)

    def __eq__(self, other: Any) -> bool:
        return isinstance(other, TensorSpec) and (self.shape, self.dtype, self.name) == (
            other.shape,
            other.dtype,
            other.name,
        )

    def __hash__(self) -> int:
        return hash((self.shape, self.dtype, self.name))

    def __repr__(self) -> str:
        return f"TensorSpec(shape={self.shape.dims}, dtype={self.dtype}, name={self.name!r})"


def gradients(
    ys: Any,
    xs: Any,
    grad_ys: Any = None,
    name: str = "gradients",
    gate_gradients: bool = False,
    aggregation_method: Any = None,
    stop_gradients: Any = None,
    unconnected_gradients: Any = "none",
) -> list:
    """TensorFlow's ``gradients``: the gradients of ``sum(ys)`` (weighted by ``grad_ys``)
    for each of ``xs``.  TensorFlow's works only in graph mode; here ``ys`` must be
    Tensors recorded from ``xs`` (``requires_grad=True``); the results are differentiable
    again (``hessians``).  ``unconnected_gradients``: ``'none'`` or ``'zero'``."""
    if stop_gradients is not None:
        raise NotImplementedError("gradients: stop_gradients is not supported; use stop_gradient")
    mode = str(getattr(unconnected_gradients, "value", unconnected_gradients)).lower()
    if mode not in ("none", "zero"):
        raise ValueError(f"gradients: unconnected_gradients must be 'none' or 'zero', got {mode!r}")
    ys_l = list(ys) if isinstance(ys, (list, tuple)) else [ys]
    xs_l = list(xs) if isinstance(xs, (list, tuple)) else [xs]
    if grad_ys is not None:
        gy = list(grad_ys) if isinstance(grad_ys, (list, tuple)) else [grad_ys]
    else:
        gy = [F.ones_like(y) for y in ys_l]
    pairs = [(y, g) for y, g in zip(ys_l, gy) if getattr(y, "requires_grad", False)]
    if pairs:
        got = autograd.grad(
            [p[0] for p in pairs], xs_l, grad_outputs=[p[1] for p in pairs],
            retain_graph=True, create_graph=True, allow_unused=True,
        )  # fmt: skip
    else:
        got = [None] * len(xs_l)
    if mode == "zero":
        got = [F.zeros_like(x) if g is None else g for g, x in zip(got, xs_l)]
    return list(got)


def hessians(ys: Any, xs: Any, name: str = "hessians", **kwargs: Any) -> list:
    """TensorFlow's ``hessians``: for each ``x``, the Hessian of ``sum(ys)``, shape
    ``x.shape + x.shape`` (recorded Tensors, as :func:`gradients`)."""
    xs_l = list(xs) if isinstance(xs, (list, tuple)) else [xs]
    out = []
    for x in xs_l:
        (g,) = gradients(ys, [x], unconnected_gradients="zero")
        flat = F.reshape(g, (-1,))
        rows = []
        for i in range(int(flat.shape[0])):
            (h,) = gradients(flat[i], [x], unconnected_gradients="zero")
            rows.append(h)
        out.append(F.reshape(F.stack(rows), tuple(x.shape) + tuple(x.shape)))
    return out


_SCOPES: list[str] = []


@contextlib.contextmanager
def name_scope(name: str) -> Iterator[str]:
    """TensorFlow's ``name_scope``: names nest (``'a/b/'``); compgraph ops ignore them."""
    if not isinstance(name, str):
        raise TypeError(f"name_scope: name must be a string, got {type(name).__name__}")
    _SCOPES.append(name.rstrip("/"))
    try:
        yield "/".join(_SCOPES) + "/"
    finally:
        _SCOPES.pop()


def get_current_name_scope() -> str:
    """The names of the open :func:`name_scope` contexts joined by ``'/'``."""
    return "/".join(_SCOPES)


@contextlib.contextmanager
def control_dependencies(control_inputs: Any) -> Iterator[None]:
    """TensorFlow's ``control_dependencies``: compgraph runs eagerly, in program order,
    so this context does nothing."""
    yield None


@contextlib.contextmanager
def init_scope() -> Iterator[None]:
    """TensorFlow's ``init_scope``: compgraph is already eager outside traces; a no-op."""
    yield None


def inside_function() -> bool:
    """True while ``cg.function`` (or ``jit``) traces a function."""
    return STATE.tracing_depth > 0


def py_function(func: Callable, inp: Any, Tout: Any, name: Any = None) -> Any:
    """TensorFlow's ``py_function``: ``func(*inp)`` on the (eager) values; differentiable
    when ``func`` computes with cg ops.  Results are cast to ``Tout`` (a dtype or a list)."""
    out = func(*inp)
    if isinstance(Tout, (list, tuple)):
        outs = list(out) if isinstance(out, (list, tuple)) else [out]
        return [F.asarray(o, dtype=as_dtype(t)) for o, t in zip(outs, Tout)]
    return F.asarray(out, dtype=as_dtype(Tout)) if Tout is not None else out


def numpy_function(
    func: Callable, inp: Any, Tout: Any, stateful: bool = True, name: Any = None
) -> Any:
    """TensorFlow's ``numpy_function``: ``func`` on NumPy arrays, not differentiable (as
    TensorFlow's).  Not traceable by ``cg.function``."""
    if any(isinstance(v, Symbol) for v in inp):
        raise TypeError("numpy_function: cannot run on symbolic values inside cg.function")
    out = func(*[_np(F.stop_gradient(F.asarray(v))) for v in inp])
    if isinstance(Tout, (list, tuple)):
        return [F.asarray(np.asarray(o, dtype=as_dtype(t))) for o, t in zip(out, Tout)]
    return F.asarray(np.asarray(out, dtype=as_dtype(Tout)))


def recompute_grad(f: Callable) -> Callable:
    """TensorFlow's ``recompute_grad``: ``f`` itself; values and gradients are exact,
    nothing is recomputed (compgraph keeps the forward values)."""
    return f


def grad_pass_through(f: Callable) -> Callable:
    """TensorFlow's ``grad_pass_through``: ``f`` in the forward pass, the identity for
    gradients (``x + stop_gradient(f(x) - x)``)."""

    def wrapped(x: Any) -> Any:
        x = F.asarray(x)
        return x + F.stop_gradient(f(x) - x)

    return wrapped


def no_gradient(op_type: Any) -> None:
    """TensorFlow's ``no_gradient`` registers an op type as non-differentiable; compgraph
    has no op-type registry of that kind, so this does nothing."""
    return None


def guarantee_const(input: Any, name: Any = None) -> Any:
    """TensorFlow's ``guarantee_const``: the identity."""
    return F.asarray(input)


def tuple_(tensors: Sequence, control_inputs: Any = None, name: Any = None) -> list:
    """TensorFlow's ``tuple`` (published as ``cg.tuple``): the tensors, as a list."""
    return list(tensors)


def Assert(condition: Any, data: Any, summarize: Any = None, name: Any = None) -> None:
    """TensorFlow's ``Assert``: ValueError listing ``data`` when ``condition`` is false."""
    if not bool(np.all(_np(condition))):
        shown = [_np(d).tolist() if hasattr(d, "shape") else d for d in data]
        raise ValueError(f"Assert: assertion failed: {shown}")


def _assert(fn: str, x: Any, y: Any, ok: Any, message: Any) -> None:
    if not bool(np.all(ok)):
        msg = f"{message}: " if message else ""
        raise ValueError(f"{fn}: {msg}condition failed for x = {_np(x)} and y = {_np(y)}")


def assert_equal(x: Any, y: Any, message: Any = None, summarize: Any = None, name=None):
    """TensorFlow's ``assert_equal``: ValueError unless ``x == y`` everywhere."""
    _assert("assert_equal", x, y, _np(x) == _np(y), message)


def assert_greater(x: Any, y: Any, message: Any = None, summarize: Any = None, name=None):
    """TensorFlow's ``assert_greater``: ValueError unless ``x > y`` everywhere."""
    _assert("assert_greater", x, y, _np(x) > _np(y), message)


def assert_less(x: Any, y: Any, message: Any = None, summarize: Any = None, name=None):
    """TensorFlow's ``assert_less``: ValueError unless ``x < y`` everywhere."""
    _assert("assert_less", x, y, _np(x) < _np(y), message)


def assert_rank(x: Any, rank: Any, message: Any = None, name: Any = None) -> None:
    """TensorFlow's ``assert_rank``: ValueError unless ``x`` has rank ``rank``."""
    got, want = np.ndim(_np(x)), int(_np(rank))
    if got != want:
        msg = f"{message}: " if message else ""
        raise ValueError(f"assert_rank: {msg}expected rank {want}, got rank {got}")


def histogram_fixed_width_bins(
    values: Any, value_range: Any, nbins: int = 100, dtype: Any = "int32", name: Any = None
) -> Any:
    """TensorFlow's ``histogram_fixed_width_bins``: each value's bin among ``nbins`` equal
    bins over ``value_range``; values outside go to the first or last bin."""
    v = _np(values).astype(np.float64)
    lo, hi = (float(q) for q in _np(value_range))
    if int(nbins) < 1 or not hi > lo:
        raise ValueError(
            f"histogram_fixed_width_bins: need nbins >= 1 and value_range[0] < "
            f"value_range[1], got {nbins} and {(lo, hi)}"
        )
    idx = np.clip(np.floor((v - lo) / (hi - lo) * int(nbins)), 0, int(nbins) - 1)
    return F.asarray(idx.astype(as_dtype(dtype)))


def histogram_fixed_width(
    values: Any, value_range: Any, nbins: int = 100, dtype: Any = "int32", name: Any = None
) -> Any:
    """TensorFlow's ``histogram_fixed_width``: the counts of
    :func:`histogram_fixed_width_bins`."""
    idx = _np(histogram_fixed_width_bins(values, value_range, nbins)).ravel()
    return F.asarray(np.bincount(idx, minlength=int(nbins)).astype(as_dtype(dtype)))


def required_space_to_batch_paddings(
    input_shape: Any, block_shape: Any, base_paddings: Any = None, name: Any = None
) -> tuple:
    """TensorFlow's ``required_space_to_batch_paddings``: ``(paddings, crops)`` making
    each padded spatial size a multiple of its block."""
    shape = _np(input_shape).astype(np.int64).ravel()
    bs = _np(block_shape).astype(np.int64).ravel()
    base = np.zeros((len(bs), 2), np.int64) if base_paddings is None else _np(base_paddings)
    base = np.asarray(base, dtype=np.int64).reshape(len(bs), 2)
    full = shape + base[:, 0] + base[:, 1]
    extra = (bs - full % bs) % bs
    paddings = np.stack([base[:, 0], base[:, 1] + extra], axis=1).astype(np.int32)
    crops = np.stack([np.zeros_like(extra), extra], axis=1).astype(np.int32)
    return F.asarray(paddings), F.asarray(crops)


def bitcast(input: Any, type: Any, name: Any = None) -> Any:
    """TensorFlow's ``bitcast``: the same bytes read as ``type``; a narrower type adds a
    last axis, a wider one consumes it (not differentiable)."""
    a = np.ascontiguousarray(_np(input))
    dt = as_dtype(type)
    if dt.itemsize == a.itemsize:
        return F.asarray(a.view(dt))
    if dt.itemsize < a.itemsize:
        return F.asarray(a.view(dt).reshape(a.shape + (a.itemsize // dt.itemsize,)))
    ratio = dt.itemsize // a.itemsize
    if a.ndim == 0 or a.shape[-1] != ratio:
        raise ValueError(
            f"bitcast: casting {a.dtype} of shape {a.shape} to {dt} needs a last axis of {ratio}"
        )
    return F.asarray(a.view(dt).reshape(a.shape[:-1]))


def eig(tensor: Any, name: Any = None) -> tuple:
    """TensorFlow's ``eig`` of a general square matrix: complex ``(e, v)``."""
    return tuple(linalg.eig(tensor))


def eigvals(tensor: Any, name: Any = None) -> Any:
    """TensorFlow's ``eigvals`` of a general square matrix: complex eigenvalues."""
    return linalg.eigvals(tensor)


def matrix_square_root(input: Any, name: Any = None) -> Any:
    """TensorFlow's ``matrix_square_root``: the principal square root."""
    return linalg.sqrtm(input)


def _fft_args(x: Any, fft_length: Any, axes: Any) -> tuple:
    ax = None if axes is None else [int(a) for a in _np(axes).ravel()]
    s = None if fft_length is None else [int(a) for a in _np(fft_length).ravel()]
    if s is not None and ax is None:
        ax = list(range(-len(s), 0))
    return s, ax


def fftnd(input: Any, fft_length: Any = None, axes: Any = None, norm: Any = None, name=None):
    """TensorFlow's ``fftnd``: the n-D FFT over ``axes`` (default all)."""
    s, ax = _fft_args(input, fft_length, axes)
    return fft.fftn(input, s=s, axes=ax)


def ifftnd(input: Any, fft_length: Any = None, axes: Any = None, norm: Any = None, name=None):
    """TensorFlow's ``ifftnd``."""
    s, ax = _fft_args(input, fft_length, axes)
    return fft.ifftn(input, s=s, axes=ax)


def rfftnd(input: Any, fft_length: Any = None, axes: Any = None, norm: Any = None, name=None):
    """TensorFlow's ``rfftnd``."""
    s, ax = _fft_args(input, fft_length, axes)
    return fft.rfftn(input, s=s, axes=ax)


def irfftnd(input: Any, fft_length: Any = None, axes: Any = None, norm: Any = None, name=None):
    """TensorFlow's ``irfftnd``."""
    s, ax = _fft_args(input, fft_length, axes)
    return fft.irfftn(input, s=s, axes=ax)


class _Initializer:
    """Base of TensorFlow's initializer objects: ``init(shape, dtype=float32)``."""

    def __call__(self, shape: Any, dtype: Any = "float32", **kwargs: Any) -> Any:
        shape = tuple(int(v) for v in shape)
        return F.asarray(np.asarray(self._make(shape, as_dtype(dtype)), dtype=as_dtype(dtype)))

    def _make(self, shape: tuple, dtype: np.dtype) -> Any:
        raise NotImplementedError

    def get_config(self) -> dict:
        """The constructor's arguments."""
        return dict(vars(self))


class zeros_initializer(_Initializer):
    """TensorFlow's ``zeros_initializer``."""

    def _make(self, shape: tuple, dtype: np.dtype) -> Any:
        return np.zeros(shape)


class ones_initializer(_Initializer):
    """TensorFlow's ``ones_initializer``."""

    def _make(self, shape: tuple, dtype: np.dtype) -> Any:
        return np.ones(shape)


class constant_initializer(_Initializer):
    """TensorFlow's ``constant_initializer(value)``: a scalar broadcast, or exactly as
    many values as the shape has elements."""

    def __init__(self, value: Any = 0) -> None:
        self.value = value

    def _make(self, shape: tuple, dtype: np.dtype) -> Any:
        v = _np(self.value)
        if v.size == 1:
            return np.full(shape, v.ravel()[0])
        if v.size != int(np.prod(shape)):
            raise TypeError(f"constant_initializer: {v.size} values cannot fill shape {shape}")
        return v.reshape(shape)


def _rng(seed: Any) -> np.random.Generator:
    if seed is None:
        return default_generator.rng
    return np.random.default_rng([default_generator.initial_seed(), int(seed)])


class random_normal_initializer(_Initializer):
    """TensorFlow's ``random_normal_initializer`` (compgraph's generator; ``seed`` gives
    a generator of its own, not TensorFlow's stream)."""

    def __init__(self, mean: float = 0.0, stddev: float = 0.05, seed: Any = None) -> None:
        self.mean, self.stddev, self.seed = mean, stddev, seed

    def _make(self, shape: tuple, dtype: np.dtype) -> Any:
        return _rng(self.seed).normal(self.mean, self.stddev, shape)


class random_uniform_initializer(_Initializer):
    """TensorFlow's ``random_uniform_initializer`` over ``[minval, maxval)``."""

    def __init__(self, minval: float = -0.05, maxval: float = 0.05, seed: Any = None) -> None:
        self.minval, self.maxval, self.seed = minval, maxval, seed

    def _make(self, shape: tuple, dtype: np.dtype) -> Any:
        return self.minval + (self.maxval - self.minval) * _rng(self.seed).random(shape)


def timestamp(name: Any = None) -> Any:
    """TensorFlow's ``timestamp``: seconds since the epoch, float64."""
    return F.asarray(np.float64(time.time()))


def make_ndarray(tensor: Any) -> np.ndarray:
    """TensorFlow's ``make_ndarray`` (of a TensorProto); here of a Tensor or array."""
    return np.array(_np(tensor))


def is_symbolic_tensor(tensor: Any) -> bool:
    """Whether ``tensor`` is a symbolic value of a ``cg.function`` trace."""
    return isinstance(tensor, Symbol)


def get_logger() -> logging.Logger:
    """TensorFlow's ``get_logger``: here the ``'compgraph'`` logger."""
    return logging.getLogger("compgraph")


def approx_top_k(
    input: Any,
    k: int,
    reduction_dimension: int = -1,
    recall_target: float = 0.95,
    is_max_k: bool = True,
    reduction_input_size_override: int = -1,
    aggregate_to_topk: bool = True,
    name: Any = None,
) -> tuple:
    """TensorFlow's ``approx_top_k``: ``(values, int32 indices)``, exact here."""
    fn = approx_max_k if is_max_k else approx_min_k
    return fn(input, k, reduction_dimension)


def extract_volume_patches(
    input: Any, ksizes: Any, strides: Any, padding: str, name: Any = None
) -> Any:
    """TensorFlow's ``extract_volume_patches`` of an NDHWC input: ``(n, od, oh, ow,
    kd * kh * kw * c)``, each patch in (depth, row, column, channel) order."""
    x = F.asarray(input)
    if x.ndim != 5:
        raise ValueError(f"extract_volume_patches: input must be 5-D, got {tuple(x.shape)}")
    k, s = ([int(v) for v in list(q)[1:4]] for q in (ksizes, strides))
    size = [int(v) for v in x.shape[1:4]]
    if padding == "SAME":
        tot = [max((-(-n // ss) - 1) * ss + kk - n, 0) for n, kk, ss in zip(size, k, s)]
        x = F.pad(x, [(0, 0), *[(t // 2, t - t // 2) for t in tot], (0, 0)])
    elif padding != "VALID":
        raise ValueError(f"extract_volume_patches: padding must be 'SAME' or 'VALID': {padding!r}")
    size = [int(v) for v in x.shape[1:4]]
    out = [(n - kk) // ss + 1 for n, kk, ss in zip(size, k, s)]
    parts = []
    for a in range(k[0]):
        for b in range(k[1]):
            for c in range(k[2]):
                idx = tuple(
                    slice(o, o + (m - 1) * ss + 1, ss) for o, m, ss in zip((a, b, c), out, s)
                )
                parts.append(x[(slice(None), *idx, slice(None))])
    return F.concatenate(parts, axis=-1)


#: TensorFlow's top-level names written or collected here.
TF_TOP: dict[str, Callable | Any] = {
    **{n: globals()[n] for n in __all__ if n not in ("TF_TOP", "tuple_")},
    "tuple": tuple_,
    "DType": np.dtype,
    "space_to_batch": space_to_batch,
    "space_to_batch_nd": space_to_batch_nd,
    "batch_to_space": batch_to_space,
}
