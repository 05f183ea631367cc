"""More of PyTorch's in-place Tensor methods (``t.exp2_()``, ``t.tril_()``, ``t.eq_(y)``
...) with the rules of :mod:`.inplace` (refused on a leaf that requires grad while
recording, written into the buffer under ``cg.no_grad()`` or when nothing needs
gradients, recorded on other tensors so gradients and tangents see the new value), and
the top-level in-place functions (``INPLACE_FUNCTIONS``: ``torch.exp_(t)`` ...,
published by :mod:`.install` where compgraph has no such name).

As PyTorch, an in-place op cannot change the tensor's dtype: the result is cast to it,
and where PyTorch refuses the cast (a floating result into an integer tensor, a complex
one into a real tensor, a non-boolean one into a boolean tensor) a TypeError is raised
(PyTorch raises RuntimeError; compgraph's in-place operators raise TypeError).
Comparisons and logical ops (``eq_ lt_ logical_and_ ...``) write their boolean result
as 0/1 in the tensor's dtype, with zero gradient, as PyTorch.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from ..autodiff.recording import mark_mutated
from ..grad_mode import no_grad
from ..ops.namespace import cg
from ..ops.registry import PUBLIC
from ..random import default_generator
from ..tensor import Tensor, must_record
from .base import _METHODS, _dims, _method
from .inplace import _fill_with, _update, _view_update

__all__ = ["INPLACE_FUNCTIONS"]


# ------------------------------------------------------------------ the shared rules
def _torch_can_cast(frm: np.dtype, to: np.dtype) -> bool:
    """PyTorch's ``can_cast`` for in-place results: no complex into real, no floating
    into integral, no non-boolean into boolean."""
    if frm.kind == "c" and to.kind != "c":
        return False
    if frm.kind in "fc" and to.kind in "iub":
        return False
    return not (frm.kind != "b" and to.kind == "b")


def _first_tensor(others: tuple) -> Any:
    """The operand that decides recording: one that takes part in gradients or tangents,
    else the first tensor (None when there is none)."""
    tensors = [o for o in others if isinstance(o, Tensor)]
    for o in tensors:
        if o._rg or o._tan is not None:
            return o
    return tensors[0] if tensors else None


def _check(name: str, t: Tensor, r: Any) -> Any:
    """``r``, after PyTorch's checks of an in-place result against the tensor ``t``: the
    same shape, a dtype that may be cast to ``t``'s."""
    shape, dtype = np.shape(r), np.result_type(r.dtype if hasattr(r, "dtype") else r)
    if shape != t.shape:
        raise ValueError(
            f"{name}: the result's shape {tuple(shape)} does not match the tensor's "
            f"shape {tuple(t.shape)} (an in-place op cannot change it)"
        )
    if dtype != t.dtype and not _torch_can_cast(dtype, t.dtype):
        raise TypeError(
            f"{name}: result type {dtype} can't be cast to the tensor's dtype "
            f"{t.dtype} in place (as PyTorch)"
        )
    if dtype != t.dtype:  # (cast here: NumPy's same_kind would refuse int64 into uint8)
        return cg.astype(r, t.dtype) if isinstance(r, Tensor) else np.asarray(r, t.dtype)
    return r


def _apply(self: Tensor, name: str, compute: Callable, *others: Any) -> Tensor:
    """``compute(self)`` written into ``self`` with the rules of :mod:`.inplace`, after
    PyTorch's checks of the result's shape and dtype against ``self``'s."""
    if not isinstance(self, Tensor):
        raise TypeError(f"{name}: expected a Tensor, got {type(self).__name__}")

    def checked(t: Tensor) -> Any:
        return _check(name, t, compute(t))

    return _update(self, checked, name, _first_tensor(others))


def _constant(t: Tensor, value: Any) -> Any:
    """``value`` (computed without gradients) as ``t``'s new value in ``t``'s dtype, in the
    graph with zero gradient to ``t`` (as PyTorch's comparisons in place)."""
    v = np.asarray(value._data if isinstance(value, Tensor) else value)
    return _fill_with(t, v.astype(t.dtype))


# ------------------------------------------------------------------ elementwise math
def _via(name: str, fn: Callable, n_tensor_args: int = 0, constant: bool = False) -> None:
    """Register ``t.<name>(*args)`` as ``fn(t, *args)`` in place; the first
    ``n_tensor_args`` arguments may take part in gradients.  ``constant``: the result
    has zero gradient (comparisons, logical and bitwise ops)."""

    def method(self, *args: Any, **kw: Any) -> Tensor:
        if constant:

            def compute(t: Tensor) -> Any:
                with no_grad():
                    r = fn(t, *args, **kw)
                return _constant(t, _check(name, t, r))
        else:

            def compute(t: Tensor) -> Any:
                return fn(t, *args, **kw)

        if name.startswith("logical_") and self._rg and self._node is None:
            # PyTorch's logical ops are not differentiable: a leaf that requires grad is
            # written in place (not refused), and keeps requiring grad
            with no_grad():
                return _apply(self, name, compute, *args[:n_tensor_args], *kw.values())
        return _apply(self, name, compute, *args[:n_tensor_args], *kw.values())

    method.__doc__ = f"PyTorch's in-place ``t.{name}(...)``: ``t.{name[:-1]}(...)`` in place."
    _method(name)(method)


def _method_of(base: str) -> Callable:
    def call(t: Tensor, *args: Any, **kw: Any) -> Any:
        return getattr(t, base)(*args, **kw)

    call.__name__ = base
    return call


_UNARY = (
    "acos arccos acosh arccosh asin arcsin asinh arcsinh atan arctan atanh arctanh cosh "
    "sinh sinc deg2rad rad2deg digamma erf erfc erfinv exp2 fix i0 lgamma log10 log2 "
    "logit polygamma sgn negative conj_physical"
).split()
_BINARY = (
    "atan2 arctan2 floor_divide gcd lcm heaviside hypot igamma igammac ldexp nextafter "
    "copysign xlogy divide true_divide multiply subtract"
).split()
_CONSTANT = (
    "eq ne lt le gt ge logical_and logical_or logical_xor bitwise_and bitwise_or "
    "bitwise_xor bitwise_left_shift bitwise_right_shift"
).split()

for _base in _UNARY:
    _via(_base + "_", _method_of(_base))
for _base in _BINARY:
    _via(_base + "_", _method_of(_base), 1)
for _base in _CONSTANT:
    _via(_base + "_", _method_of(_base), 1, constant=True)
for _base in ("logical_not", "bitwise_not"):
    _via(_base + "_", _method_of(_base), constant=True)
# PyTorch's aliases (torch.absolute is abs, torch.less is lt ...)
for _alias, _base in dict(
    absolute="abs", not_equal="ne", less="lt", less_equal="le", greater="gt",
    greater_equal="ge",
).items():  # fmt: skip
    _via(_alias + "_", _method_of(_base), 1, constant=_base != "abs")
for _base in ("addbmm", "addmv", "addr", "baddbmm", "addmm"):
    _via(_base + "_", getattr(cg, _base), 2)


@_method("mvlgamma_")
def _mvlgamma_(self, p: int) -> Tensor:
    """The multivariate log-gamma function of dimension ``p`` in place."""
    return _apply(self, "mvlgamma_", lambda t: t.mvlgamma(p))


@_method("tril_")
def _tril_(self, diagonal: int = 0) -> Tensor:
    """The lower triangle (below ``diagonal``) kept, the rest zeroed, in place."""
    return _apply(self, "tril_", lambda t: t.tril(diagonal))


@_method("triu_")
def _triu_(self, diagonal: int = 0) -> Tensor:
    """The upper triangle (above ``diagonal``) kept, the rest zeroed, in place."""
    return _apply(self, "triu_", lambda t: t.triu(diagonal))


def _cumulative(name: str) -> None:
    def method(self, dim: int, *, dtype: Any = None) -> Tensor:
        if dtype is not None and np.dtype(dtype) != self.dtype:
            raise TypeError(
                f"{name}: dtype={np.dtype(dtype)} must be the tensor's dtype {self.dtype} "
                f"in place (as PyTorch)"
            )
        return _apply(self, name, lambda t: getattr(t, name[:-1])(dim))

    method.__doc__ = f"``t.{name[:-1]}(dim)`` in place (``dtype=``, if given, self's)."
    _method(name)(method)


_cumulative("cumsum_")
_cumulative("cumprod_")


@_method("float_power_")
def _float_power_(self, exponent: Any) -> Tensor:
    """``t.float_power(exponent)`` in place; as PyTorch, the tensor must be float64 (or
    complex128), the dtype ``float_power`` computes in."""
    want = np.complex128 if self.dtype.kind == "c" or np.iscomplexobj(exponent) else np.float64
    if self.dtype != want:
        raise TypeError(
            f"float_power_: the base has dtype {self.dtype} but the operation's result "
            f"requires dtype {np.dtype(want)} (as PyTorch)"
        )
    return _apply(self, "float_power_", lambda t: cg.float_power(t, exponent), exponent)


# ------------------------------------------------------------------ views that change shape
def _swapaxes_(self, axis0: int, axis1: int) -> Tensor:
    """Swap two dimensions of this tensor in place (PyTorch's ``t.swapaxes_``)."""
    return _view_update(self, lambda t: cg.swapaxes(t, axis0, axis1))


_method("swapaxes_")(_swapaxes_)
_METHODS["swapdims_"] = _swapaxes_


# ------------------------------------------------------------------ indexed writes
@_method("fill_diagonal_")
def _fill_diagonal_(self, fill_value: Any, wrap: bool = False) -> Tensor:
    """Fill the main diagonal with ``fill_value`` in place (all dimensions equal when
    there are more than two; ``wrap`` restarts the diagonal of a tall matrix after
    every ``cols + 1`` rows, as PyTorch)."""
    shape = self.shape
    if len(shape) < 2:
        raise ValueError(f"fill_diagonal_: the tensor needs at least 2 dimensions, got {shape}")
    if len(shape) > 2 and len(set(shape)) != 1:
        raise ValueError(
            f"fill_diagonal_: all dimensions of the input must be of equal length, got {shape}"
        )
    mask = np.zeros(shape, bool)
    np.fill_diagonal(mask, True, wrap=bool(wrap))
    value = np.asarray(fill_value).astype(self.dtype)
    return _apply(self, "fill_diagonal_", lambda t: cg.where(mask, value, t))


@_method("put_")
def _put_(self, index: Any, source: Any, accumulate: bool = False) -> Tensor:
    """Write ``source`` at the flat positions ``index`` (as if the tensor were 1-D;
    negative counts from the end) in place; ``accumulate`` adds instead."""
    idx = np.asarray(index._data if isinstance(index, Tensor) else index)
    if idx.dtype.kind not in "iu":
        raise TypeError(f"put_: index must be an integer tensor, got dtype {idx.dtype}")
    if isinstance(source, Tensor) and source.dtype != self.dtype:
        raise TypeError(
            f"put_: self and source must have the same dtype, got {self.dtype} and {source.dtype}"
        )
    n = int(np.prod(self.shape, dtype=np.int64))
    if np.size(source) != idx.size:
        raise ValueError(f"put_: source has {np.size(source)} elements but index has {idx.size}")
    if idx.size and (idx.min() < -n or idx.max() >= n):
        raise IndexError(f"put_: an index is out of range for a tensor of {n} elements")
    flat_idx = np.where(idx < 0, idx + n, idx).reshape(-1)

    def compute(t: Tensor) -> Any:
        src = cg.reshape(cg.astype(source, t.dtype) if isinstance(source, Tensor) else
                         np.asarray(source, t.dtype), (-1,))  # fmt: skip
        flat = cg.reshape(t, (-1,))
        out = (cg.index_add if accumulate else cg.index_copy)(flat, 0, flat_idx, src)
        return cg.reshape(out, t.shape)

    return _apply(self, "put_", compute, source)


@_method("index_reduce_")
def _index_reduce_(
    self, dim: int, index: Any, source: Any, reduce: str, *, include_self: bool = True
) -> Tensor:
    """``index_reduce`` in place (``reduce`` one of ``prod mean amax amin``)."""
    return _apply(
        self,
        "index_reduce_",
        lambda t: cg.index_reduce(t, dim, index, source, reduce, include_self=include_self),
        source,
    )


# ------------------------------------------------------------------ Python callables
def _no_grad_tensor(name: str, *tensors: Any) -> None:
    if any(isinstance(t, Tensor) and t._rg for t in tensors):
        raise RuntimeError(
            f"{name}: can't call {name}() with a tensor that requires grad; use "
            f"t.detach().{name}(...) instead (as PyTorch)"
        )


def _elementwise(self: Tensor, name: str, fn: Callable, *others: Any) -> Tensor:
    _no_grad_tensor(name, self, *others)
    arrays = [np.broadcast_to(np.asarray(getattr(o, "_data", o)), self.shape) for o in others]
    out = np.empty(self.shape, self.dtype)
    for i in np.ndindex(*self.shape):
        out[i] = fn(self._data[i].item(), *(a[i].item() for a in arrays))
    return _apply(self, name, lambda t: _fill_with(t, out))


@_method("apply_")
def _apply_(self, callable: Callable) -> Tensor:
    """Replace every element ``x`` by ``callable(x)`` in place (not differentiable; refused
    on a tensor that requires grad, as PyTorch)."""
    return _elementwise(self, "apply_", callable)


@_method("map_")
def _map_(self, tensor: Any, callable: Callable) -> Tensor:
    """Replace every element ``x`` by ``callable(x, y)`` (``y`` of ``tensor`` broadcast) in
    place (not differentiable; refused on a tensor that requires grad)."""
    return _elementwise(self, "map_", callable, tensor)


@_method("map2_")
def _map2_(self, x: Any, y: Any, callable: Callable) -> Tensor:
    """Replace every element ``s`` by ``callable(s, a, b)`` (``a``, ``b`` of ``x``, ``y``
    broadcast) in place (not differentiable; refused on a tensor that requires grad)."""
    return _elementwise(self, "map2_", callable, x, y)


# ------------------------------------------------------------------ random fills
def _fill_random(self: Tensor, name: str, values: np.ndarray) -> Tensor:
    return _apply(self, name, lambda t: _fill_with(t, values.astype(t.dtype)))


def _floating(self: Tensor, name: str) -> None:
    if self.dtype.kind not in "fc":
        raise TypeError(f"{name}: expected a floating tensor, got dtype {self.dtype}")


@_method("random_")
def _random_(self, *args: Any, generator: Any = None, **kw: Any) -> Tensor:
    """Fill with integers drawn uniformly from ``[from, to)`` in place: ``random_(to)``,
    ``random_(from, to)``; without ``to`` up to ``2**mantissa`` for floating dtypes and
    the dtype's largest value for integer ones (both included), as PyTorch."""
    bounds = list(args) + [kw.pop(k) for k in ("from", "to") if k in kw]
    if kw or len(bounds) > 2:
        raise TypeError(f"random_: expected random_([from,] to, *, generator=), got {args} {kw}")
    dt = self.dtype
    if dt.kind == "b":
        top = 1  # (the largest value drawn by default, included)
    elif dt.kind in "fc":
        top = 2 ** (np.finfo(dt).nmant + 1)
    else:
        top = int(np.iinfo(dt).max)
    lo, hi = (0, None) if not bounds else (0, bounds[0]) if len(bounds) == 1 else bounds
    lo, last = int(lo), top if hi is None else int(hi) - 1
    if lo > last:
        raise ValueError(f"random_: expects 'from' < 'to', got from={lo} >= to={hi}")
    if dt.kind in "iub":
        least = 0 if dt.kind == "b" else int(np.iinfo(dt).min)
        if lo < least or last > top:
            raise ValueError(f"random_: [from, to) = [{lo}, {last + 1}) is out of bounds for {dt}")
    rng = (generator or default_generator).rng
    values = rng.integers(lo, last, self.shape, dtype=np.int64, endpoint=True)
    return _fill_random(self, "random_", values)


@_method("exponential_")
def _exponential_(self, lambd: float = 1.0, *, generator: Any = None) -> Tensor:
    """Fill with samples of the exponential distribution of rate ``lambd`` in place."""
    _floating(self, "exponential_")
    if not lambd > 0:
        raise ValueError(f"exponential_: expects lambda > 0.0, got {lambd}")
    rng = (generator or default_generator).rng
    return _fill_random(self, "exponential_", rng.exponential(1.0 / lambd, self.shape))


@_method("geometric_")
def _geometric_(self, p: float, *, generator: Any = None) -> Tensor:
    """Fill with samples of the geometric distribution (trials to the first success,
    1, 2, ...) of success probability ``p`` in place."""
    if not 0 < p < 1:
        raise ValueError(f"geometric_: expects p to be in (0, 1), got p={p}")
    rng = (generator or default_generator).rng
    return _fill_random(self, "geometric_", rng.geometric(p, self.shape))


@_method("log_normal_")
def _log_normal_(self, mean: float = 1.0, std: float = 2.0, *, generator: Any = None) -> Tensor:
    """Fill with samples of the log-normal distribution (``exp`` of a normal of ``mean``,
    ``std``) in place."""
    _floating(self, "log_normal_")
    if not std > 0:
        raise ValueError(f"log_normal_: expects std > 0.0, got {std}")
    rng = (generator or default_generator).rng
    return _fill_random(self, "log_normal_", rng.lognormal(mean, std, self.shape))


@_method("cauchy_")
def _cauchy_(self, median: float = 0.0, sigma: float = 1.0, *, generator: Any = None) -> Tensor:
    """Fill with samples of the Cauchy distribution of ``median``, ``sigma`` in place."""
    _floating(self, "cauchy_")
    if not sigma > 0:
        raise ValueError(f"cauchy_: expects sigma > 0.0, got {sigma}")
    rng = (generator or default_generator).rng
    values = median + sigma * rng.standard_cauchy(self.shape)
    return _fill_random(self, "cauchy_", values)


# ------------------------------------------------------------------ storage and shape
def _no_grad_resize(self: Tensor, name: str) -> None:
    if self._rg:  # (even under no_grad, as PyTorch)
        raise RuntimeError(f"{name}: cannot resize a tensor that requires grad (as PyTorch)")


@_method("resize_")
def _resize_(self, *sizes: Any, memory_format: Any = None) -> Tensor:
    """Give this tensor the shape ``sizes`` in place, its elements read in order. Where
    the element count grows the new elements are zeros (PyTorch leaves them
    uninitialised); where it shrinks the first elements stay. Refused on a tensor that
    requires grad, as PyTorch."""
    shape = _dims(sizes)
    if any(s < 0 for s in shape):
        raise ValueError(f"resize_: sizes must be non-negative, got {shape}")
    _no_grad_resize(self, "resize_")
    d = np.asarray(self._data)
    n = int(np.prod(shape, dtype=np.int64))
    if n == d.size and d.flags.c_contiguous:
        self._data = d.reshape(shape)  # the same buffer, seen in the new shape
    else:
        flat = np.zeros(n, d.dtype)
        m = min(n, d.size)
        flat[:m] = d.reshape(-1)[:m]
        self._data = flat.reshape(shape)
    mark_mutated(self._data)
    return self


@_method("resize_as_")
def _resize_as_(self, the_template: Any, memory_format: Any = None) -> Tensor:
    """``t.resize_(the_template.shape)`` (PyTorch's ``t.resize_as_``)."""
    return _resize_(self, tuple(np.shape(the_template)))


@_method("set_")
def _set_(self, source: Any = None, *args: Any, **kw: Any) -> Tensor:
    """Make this tensor share ``source``'s data (its shape and values; later in-place
    changes of either are seen by both); ``t.set_()`` makes it an empty constant. Where
    the change is recorded the tensor then stands for ``source`` in gradients (PyTorch
    has no derivative for ``set_`` and raises in backward). The storage, offset and
    stride form of PyTorch is not supported (compgraph has no storages)."""
    if args or kw:
        raise NotImplementedError(
            "set_: the (storage, storage_offset, size, stride) form is not supported; "
            "compgraph tensors have no separate storage (pass a source tensor)"
        )
    if source is None:
        if must_record(self, None):
            self._node, self._rg, self._tan = None, False, None
        self._data = np.zeros((0,), self.dtype)
        return self
    if not isinstance(source, Tensor):
        raise TypeError(f"set_: source must be a Tensor, got {type(source).__name__}")
    if source.dtype != self.dtype:
        raise TypeError(
            f"set_: could not set a tensor of dtype {self.dtype} to a tensor of dtype "
            f"{source.dtype}"
        )
    if must_record(self, source):
        self._node, self._rg, self._tan = source._node, source._rg, source._tan
    self._data = source._data
    return self


@_method("as_strided_")
def _as_strided_(self, size: Any, stride: Any, storage_offset: int = 0) -> Tensor:
    """PyTorch's ``t.as_strided_(size, stride, storage_offset)``, reading the tensor's
    elements in row-major order as its storage. The result is a copy (compgraph has no
    shared storage object); not recorded: refused where gradients or tangents would
    have to see it."""
    size, stride = tuple(int(s) for s in size), tuple(int(s) for s in stride)
    if len(size) != len(stride):
        raise ValueError(f"as_strided_: size {size} and stride {stride} must have the same length")
    if any(s < 0 for s in size) or any(s < 0 for s in stride) or storage_offset < 0:
        raise ValueError("as_strided_: sizes, strides and storage_offset must be >= 0")
    if must_record(self, None):
        raise NotImplementedError(
            "as_strided_: not recorded for gradients or tangents in compgraph; call it "
            "under cg.no_grad() or on a tensor that does not require grad"
        )
    storage = np.ascontiguousarray(self._data).reshape(-1)
    last = storage_offset + sum((n - 1) * s for n, s in zip(size, stride) if n > 0)
    if 0 not in size and last >= storage.size:
        raise ValueError(
            f"as_strided_: size {size}, stride {stride} and offset {storage_offset} "
            f"read element {last} of a storage of {storage.size} elements"
        )
    item = storage.itemsize
    view = np.lib.stride_tricks.as_strided(
        storage[storage_offset:] if storage.size else storage,
        size,
        tuple(s * item for s in stride),
        writeable=False,
    )
    self._data = np.array(view)
    return self


@_method("share_memory_")
def _share_memory_(self) -> Tensor:
    """A no-op returning the tensor (compgraph's tensors are NumPy arrays in this
    process; there is no shared-memory storage to move them to)."""
    return self


def _sparse_only(name: str) -> None:
    def method(self, *args: Any, **kw: Any) -> Tensor:
        raise NotImplementedError(f"{name}: compgraph has no sparse tensors")

    method.__doc__ = f"PyTorch's sparse ``t.{name}``: not supported (no sparse tensors)."
    _method(name)(method)


for _name in ("resize_as_sparse_", "sparse_resize_", "sparse_resize_and_clear_"):
    _sparse_only(_name)


# ------------------------------------------------------------------ top-level functions
def _function(name: str) -> Callable:
    def fn(input: Any, *args: Any, **kw: Any) -> Any:
        if not isinstance(input, Tensor):
            raise TypeError(
                f"{name}: an in-place function needs a Tensor, got {type(input).__name__}"
            )
        return getattr(input, name)(*args, **kw)

    fn.__name__ = fn.__qualname__ = name
    fn.__module__ = "compgraph"
    fn.__doc__ = f"PyTorch's ``torch.{name}(input, ...)``: ``input.{name}(...)`` in place."
    return fn


_TOP_LEVEL = (
    "abs_ acos_ acosh_ addmv_ arccos_ arccosh_ arcsin_ arcsinh_ arctan_ arctanh_ "
    "as_strided_ asin_ asinh_ atan_ atanh_ ceil_ clamp_ clamp_max_ clamp_min_ clip_ "
    "conj_physical_ cos_ cosh_ deg2rad_ detach_ erf_ erfc_ exp2_ exp_ expm1_ fill_ fix_ "
    "floor_ frac_ gcd_ i0_ index_put_ lcm_ ldexp_ log10_ log1p_ log2_ log_ logit_ "
    "nan_to_num_ neg_ negative_ rad2deg_ reciprocal_ relu_ resize_as_ "
    "resize_as_sparse_ round_ rsqrt_ sigmoid_ sin_ sinc_ sinh_ sqrt_ square_ tan_ tanh_ "
    "trunc_ xlogy_ zero_"
).split()

#: PyTorch's top-level in-place functions written here, by name.
INPLACE_FUNCTIONS: dict[str, Callable] = {
    n: _function(n) for n in _TOP_LEVEL if n in _METHODS and n not in PUBLIC and not hasattr(cg, n)
}
