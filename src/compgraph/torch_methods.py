"""PyTorch's Tensor methods, installed on :class:`~compgraph.Tensor`.

Every method of a declared function that takes ``axis`` also takes PyTorch's ``dim=``
and ``keepdim=`` (``t.sum(dim=1, keepdim=True)``); the methods below add PyTorch's
names (``view unsqueeze permute t expand repeat to double ...``) and the in-place
methods (``add_ mul_ zero_ fill_ clamp_ copy_ exp_ uniform_ ...``) with PyTorch's rules
on leaves: refused on a leaf that requires grad while recording, done in place under
``cg.no_grad()``, recorded (the tensor then stands for its new value) on other tensors.

Where NumPy's method of the same name means something else, PyTorch's keywords choose
PyTorch's meaning and positional calls keep NumPy's:

* ``t.max(dim=1)`` / ``t.min(dim=1)`` / ``t.sort(dim=1)`` return ``(values, indices)``
  as PyTorch; ``t.max(1)`` returns NumPy's values (PyTorch would return the pair);
* ``t.std(dim=...)``/``t.var(dim=...)`` (or ``unbiased=``/``correction=``) use
  PyTorch's unbiased estimate; ``t.std()`` is NumPy's (``ddof=0``);
* ``t.size`` is NumPy's element count and, called, PyTorch's ``t.size()`` (a
  :class:`Size`, the tuple subclass ``cg.Size`` that compares equal to tuples) /
  ``t.size(d)``; ``len(t)`` and ``t.shape`` are NumPy's;
* ``t.repeat(2, 3)`` tiles as PyTorch when given a count for every dimension (so
  ``t.repeat(2)`` of a 1-D tensor tiles); fewer counts (where PyTorch raises) or
  ``axis=`` give NumPy's repeat (``t.repeat(2, 0)`` of a 3-D tensor);
* ``t.transpose(d0, d1)`` with two dims swaps them, as PyTorch (NumPy would read them
  as a full permutation, the same thing for 1-0 and a no-op for 0-1 on 2-D);
* ``t.flatten(start_dim, end_dim)`` is PyTorch's; ``t.flatten()`` is the same in both;
* ``t.squeeze(d)`` leaves a dimension that is not of size 1 alone, as PyTorch.

>>> import compgraph as cg
>>> x = cg.ones(2, 3, requires_grad=True)
>>> x.size(), x.size(1), x.view(-1).shape, x.unsqueeze(0).size() == (1, 2, 3)
(cg.Size([2, 3]), 3, (6,), True)
"""

from __future__ import annotations

import functools
import inspect
import math
import threading
from collections import namedtuple
from collections.abc import Callable
from typing import Any

import numpy as np

from .autodiff.recording import Node, mark_mutated
from .functions import _check_device as check_device
from .functions import _new as new_tensor
from .grad_mode import STATE as GRAD_STATE
from .grad_mode import no_grad
from .ops.defaults import get_default_dtype, set_default_dtype
from .ops.namespace import cg, lookup
from .ops.registry import PUBLIC, Front, subscribe
from .ops.torch_math import TORCH_ALIASES
from .random import default_generator
from .tensor import Tensor, _must_record, _rebind

__all__ = [
    "OpName",
    "AccumulateGrad",
    "SizeInt",
    "Size",
    "inference_mode",
    "is_inference_mode_enabled",
    "is_floating_point",
    "is_complex",
    "get_default_dtype",
    "set_default_dtype",
    "SPECIAL_ALIASES",
    "from_numpy",
    "numel",
    "is_tensor",
    "cat",
    "FUNCTIONS",
    "DIM_FUNCTIONS",
    "ValuesIndices",
]

#: The methods written here, by PyTorch's name (collected by :func:`_method`).
_METHODS: dict[str, Callable] = {}
#: (values, indices) as PyTorch's ``torch.return_types.max`` and the like.
ValuesIndices = namedtuple("ValuesIndices", ["values", "indices"])


def _method(name: str) -> Callable:
    def register(fn: Callable) -> Callable:
        fn.__name__ = fn.__qualname__ = name
        _METHODS[name] = fn
        return fn

    return register


def _dims(args: tuple) -> tuple:
    """``f(2, 3)``, ``f((2, 3))`` or ``f([2, 3])`` as a tuple of ints."""
    if len(args) == 1 and isinstance(args[0], (tuple, list)):
        args = tuple(args[0])
    return tuple(int(a) for a in args)


def _torch_axes(kw: dict) -> dict:
    """PyTorch's ``dim=``/``keepdim=`` as NumPy's ``axis=``/``keepdims=``."""
    if "dim" in kw:
        d = kw.pop("dim")
        kw["axis"] = tuple(d) if isinstance(d, list) else d
    if "keepdim" in kw:
        kw["keepdims"] = kw.pop("keepdim")
    return kw


# ------------------------------------------------------------------ dim= for every axis method
def _with_dim(front: Front, name: str) -> Callable:
    def method(self, *args, **kw):
        fn = front.function
        assert fn is not None
        return fn(self, *args, **_torch_axes(kw)) if kw else fn(self, *args)

    method.__name__ = method.__qualname__ = name
    method.__doc__ = f"``{name}`` as a method (also PyTorch's ``dim=``/``keepdim=``)."
    return method


def _install_dims(front: Front, removed: bool) -> None:
    fn = front.function
    if fn is None:
        return
    try:
        takes_axis = "axis" in inspect.signature(fn).parameters
    except (TypeError, ValueError):
        return
    for m in front.methods:
        if m.prop or m.adapt is not None or m.name in _METHODS or not takes_axis:
            continue
        if removed:
            if m.name in Tensor.__dict__:
                delattr(Tensor, m.name)
        else:
            setattr(Tensor, m.name, _with_dim(front, m.name))


# ------------------------------------------------------------------ size and shape
class Size(tuple):
    """PyTorch's ``torch.Size``: the shape ``t.size()`` gives, a tuple of ints (equal to
    the tuple of the same ints; slices and sums with tuples stay Sizes).

    >>> import compgraph as cg
    >>> s = cg.zeros(2, 3).size()
    >>> s, s == (2, 3), s[1:], s.numel()
    (cg.Size([2, 3]), True, cg.Size([3]), 6)
    """

    __slots__ = ()

    def __new__(cls, sizes: Any = ()) -> Size:
        items = tuple(sizes)
        for n in items:
            if not isinstance(n, (int, np.integer)) or isinstance(n, bool):
                raise TypeError(
                    f"Size: expected a sequence of ints, got an element of type "
                    f"{type(n).__name__} in {items!r}"
                )
        return super().__new__(cls, (int(n) for n in items))

    def numel(self) -> int:
        """The number of elements of a tensor of this shape."""
        return math.prod(self)

    def __getitem__(self, i: Any) -> Any:
        r = super().__getitem__(i)
        return Size(r) if isinstance(i, slice) else r

    def __add__(self, other: Any) -> Any:
        if not isinstance(other, tuple):
            return NotImplemented
        return Size(tuple(self) + other)

    def __radd__(self, other: Any) -> Any:
        if not isinstance(other, tuple):
            return NotImplemented
        return Size(other + tuple(self))

    def __repr__(self) -> str:
        return f"cg.Size({list(self)})"


class SizeInt(int):
    """``t.size``: NumPy's element count, and called, PyTorch's ``t.size()`` (the shape,
    a :class:`Size`) or ``t.size(d)`` (``d`` may be negative; out of range: IndexError)."""

    def __call__(self, dim: int | None = None) -> Any:
        shape = self.shape  # type: ignore[attr-defined]
        if dim is None:
            return Size(shape)
        nd = len(shape)
        if not nd:
            raise IndexError(f"size: Dimension specified as {dim} but tensor has no dimensions")
        if not isinstance(dim, (int, np.integer)) or not -nd <= dim < nd:
            raise IndexError(
                f"size: Dimension out of range (expected to be in range of [{-nd}, {nd - 1}], "
                f"but got {dim})"
            )
        return shape[dim]


@_method("dim")
def _dim(self) -> int:
    """The number of dimensions (PyTorch's ``t.dim()``)."""
    return self.ndim


_METHODS["ndimension"] = _dim


@_method("numel")
def _numel(self) -> int:
    """The number of elements (PyTorch's ``t.numel()``)."""
    return int(np.size(self._data))


_METHODS["nelement"] = _numel


@_method("view")
def _view(self, *shape: Any) -> Any:
    """``reshape`` (PyTorch's ``view``; compgraph shares memory where NumPy can)."""
    if len(shape) == 1 and not isinstance(shape[0], (int, np.integer, tuple, list)):
        return cg.astype(self, shape[0])  # view(dtype): a converted copy, not a bit view
    return cg.reshape(self, _dims(shape))


@_method("view_as")
def _view_as(self, other: Any) -> Any:
    """``reshape`` to ``other``'s shape."""
    return cg.reshape(self, tuple(other.shape))


@_method("reshape_as")
def _reshape_as(self, other: Any) -> Any:
    """``reshape`` to ``other``'s shape."""
    return cg.reshape(self, tuple(other.shape))


@_method("unsqueeze")
def _unsqueeze(self, dim: int) -> Any:
    """A new axis of length 1 at ``dim`` (negative counts from the new end)."""
    return cg.expand_dims(self, dim)


@_method("squeeze")
def _squeeze(self, dim: Any = None, axis: Any = None) -> Any:
    """Drop axes of length 1 (all, or ``dim``'s; one not of length 1 stays, as PyTorch)."""
    d = axis if dim is None else dim
    if d is None:
        return cg.squeeze(self)
    nd = self.ndim
    dims = tuple(d) if isinstance(d, (tuple, list)) else (d,)
    keep = tuple(a % nd for a in dims if self.shape[a] == 1) if nd else ()
    return cg.squeeze(self, keep) if keep else self


@_method("permute")
def _permute(self, *dims: Any) -> Any:
    """Reorder the axes (PyTorch's ``permute(*dims)``)."""
    return cg.transpose(self, _dims(dims))


@_method("transpose")
def _transpose(self, *axes: Any) -> Any:
    """``transpose(d0, d1)`` swaps two axes (PyTorch); other calls are NumPy's."""
    if len(axes) == 2 and all(isinstance(a, (int, np.integer)) for a in axes):
        return cg.swapaxes(self, int(axes[0]), int(axes[1]))
    return cg.transpose(self, _dims(axes) if axes else None)


@_method("t")
def _t(self) -> Any:
    """The transpose of a tensor of at most 2 dimensions (PyTorch's ``t()``)."""
    if self.ndim > 2:
        raise ValueError(f"t: expects a tensor with <= 2 dimensions, got shape {self.shape}")
    return cg.transpose(self)


@_method("flatten")
def _flatten(self, start_dim: int = 0, end_dim: int = -1) -> Any:
    """Merge dims ``start_dim..end_dim`` into one (PyTorch's ``flatten``)."""
    shape = tuple(self.shape)
    nd = max(len(shape), 1)
    for d in (start_dim, end_dim):
        if not -nd <= d < nd:
            raise IndexError(
                f"flatten: Dimension out of range (expected to be in range of [{-nd}, "
                f"{nd - 1}], but got {d})"
            )
    if not shape:
        return cg.reshape(self, (1,))
    s, e = start_dim % len(shape), end_dim % len(shape)
    if s > e:
        raise ValueError(
            f"flatten() has invalid args: start_dim ({start_dim}) cannot come after end_dim "
            f"({end_dim}) for shape {shape}"
        )
    return cg.reshape(self, shape[:s] + (math.prod(shape[s : e + 1]),) + shape[e + 1 :])


@_method("unflatten")
def _unflatten(self, dim: int, sizes: Any) -> Any:
    """Split dim ``dim`` into ``sizes`` (PyTorch's ``unflatten``)."""
    shape = tuple(self.shape)
    if not shape:
        raise ValueError("unflatten: cannot be applied to a 0-dim tensor")
    if not -len(shape) <= dim < len(shape):
        raise IndexError(f"unflatten: dim {dim} is out of range for shape {shape}")
    d = dim % len(shape)
    sizes = _dims((sizes,))
    if not sizes:
        raise ValueError("unflatten: sizes must be non-empty")
    known = math.prod(n for n in sizes if n != -1)
    if list(sizes).count(-1) > 1 or (
        -1 not in sizes and known != shape[d] or -1 in sizes and (known == 0 or shape[d] % known)
    ):
        raise ValueError(
            f"unflatten: Provided sizes {list(sizes)} don't multiply up to the size of dim "
            f"{dim} ({shape[d]}) in the input tensor of shape {shape}"
        )
    return cg.reshape(self, shape[:d] + sizes + shape[d + 1 :])


@_method("expand")
def _expand(self, *sizes: Any) -> Any:
    """Broadcast to ``sizes`` (-1 keeps a dimension), as PyTorch's ``expand``."""
    sizes = _dims(sizes)
    lead = len(sizes) - self.ndim
    if lead < 0:
        raise ValueError(
            f"expand: the number of sizes provided ({len(sizes)}) must be greater or equal to "
            f"the number of dimensions in the tensor ({self.ndim}, shape {self.shape})"
        )
    for i, n in enumerate(sizes):
        if n == -1 and i < lead:
            raise ValueError(
                f"expand: the expanded size of the tensor (-1) isn't allowed in a leading, "
                f"non-existing dimension {i} (shape {self.shape} to {sizes})"
            )
        if n < -1:
            raise ValueError(f"expand: invalid size {n} in {sizes}")
    full = tuple(self.shape[i - lead] if n == -1 else n for i, n in enumerate(sizes))
    return cg.broadcast_to(self, full)


@_method("expand_as")
def _expand_as(self, other: Any) -> Any:
    """Broadcast to ``other``'s shape."""
    return cg.broadcast_to(self, tuple(other.shape))


@_method("repeat")
def _repeat(self, *sizes: Any, **kw: Any) -> Any:
    """PyTorch's ``repeat(*sizes)``: tile, given a count for every dimension; with fewer
    counts than dimensions (where PyTorch raises) or with ``axis=``, NumPy's repeat."""
    if kw or (len(sizes) == 2 and not isinstance(sizes[1], (int, np.integer))):
        return cg.repeat(self, *sizes, **kw)
    reps = _dims(sizes)
    if len(reps) < self.ndim:
        return cg.repeat(self, *sizes)
    return cg.tile(self, reps)


@_method("contiguous")
def _contiguous(self, memory_format: Any = None) -> Any:
    """The tensor itself (compgraph's tensors need no contiguous copy)."""
    return self


@_method("is_contiguous")
def _is_contiguous(self, memory_format: Any = None) -> bool:
    """Whether the data is C-contiguous."""
    return bool(np.asarray(self._data).flags.c_contiguous)


@_method("clone")
def _clone(self, memory_format: Any = None) -> Any:
    """A copy that stays in the graph (gradients flow back through it)."""
    return cg.array(self, copy=True)


# ------------------------------------------------------------------ dtype and device
@_method("to")
def _to(self, *args: Any, **kw: Any) -> Any:
    """``to(dtype)``, ``to(device)``, ``to(device, dtype)``, ``to(other)`` or the keywords
    ``dtype=``/``device=``/``copy=``: the tensor itself when nothing changes."""
    dtype, device = kw.pop("dtype", None), kw.pop("device", None)
    copy = kw.pop("copy", False)
    kw.pop("non_blocking", None)
    if kw:
        raise TypeError(f"to() got unexpected keyword arguments {sorted(kw)}")
    for a in args:
        if isinstance(a, Tensor):
            dtype = a.dtype
        elif isinstance(a, str) and a.partition(":")[0] in ("cpu", "cuda", "mps", "meta"):
            device = a
        elif getattr(a, "type", None) is not None and not isinstance(a, (type, np.dtype)):
            device = a
        else:
            dtype = a
    check_device(device, "to")
    if dtype is None or np.dtype(dtype) == self.dtype:
        return cg.array(self, copy=True) if copy else self
    return cg.astype(self, dtype)


@_method("type_as")
def _type_as(self, other: Any) -> Any:
    """Converted to ``other``'s dtype."""
    return _to(self, np.dtype(other.dtype))


def _caster(name: str, dtype: str) -> None:
    def cast(self, memory_format: Any = None) -> Any:
        return self if self.dtype == dtype else cg.astype(self, dtype)

    cast.__doc__ = f"Converted to {dtype} (PyTorch's ``t.{name}()``)."
    _method(name)(cast)


# PyTorch's conversion methods and the dtype each gives (float is float32, as PyTorch)
for _name, _dt in dict(
    double="float64", float="float32", half="float16", long="int64", int="int32",
    short="int16", char="int8", byte="uint8", bool="bool", cfloat="complex64",
    cdouble="complex128",
).items():  # fmt: skip
    _caster(_name, _dt)


@_method("cpu")
def _cpu(self, memory_format: Any = None) -> Any:
    """The tensor itself (compgraph computes on the CPU)."""
    return self


@_method("cuda")
def _cuda(self, *args: Any, **kw: Any) -> Any:
    """Refused: compgraph computes on the CPU."""
    check_device("cuda", "cuda")


@_method("numpy")
def _numpy(self, force: bool = False) -> np.ndarray:
    """The underlying ndarray (not a copy)."""
    return self.data


@_method("element_size")
def _element_size(self) -> int:
    """Bytes per element."""
    return int(np.dtype(self.dtype).itemsize)


# ------------------------------------------------------------------ arithmetic by name
@_method("add")
def _add(self, other: Any, *, alpha: Any = 1) -> Any:
    """``self + alpha * other`` (PyTorch's ``add``)."""
    return cg.add(self, other if alpha == 1 else cg.multiply(other, alpha))


@_method("sub")
def _sub(self, other: Any, *, alpha: Any = 1) -> Any:
    """``self - alpha * other`` (PyTorch's ``sub``)."""
    return cg.subtract(self, other if alpha == 1 else cg.multiply(other, alpha))


_METHODS["subtract"] = _sub


@_method("div")
def _div(self, other: Any, *, rounding_mode: str | None = None) -> Any:
    """``self / other``; ``rounding_mode="trunc"`` or ``"floor"`` rounds the quotient."""
    q = cg.divide(self, other)
    if rounding_mode is None:
        return q
    if rounding_mode not in ("trunc", "floor"):
        raise ValueError(
            f"div: rounding_mode must be None, 'trunc' or 'floor', got {rounding_mode!r}"
        )
    q = cg.trunc(q) if rounding_mode == "trunc" else cg.floor(q)
    return (
        q
        if self.dtype.kind == "f"
        else cg.astype(q, np.result_type(self.dtype, np.asarray(other).dtype))
    )


_METHODS["divide"] = _div


def _alias(name: str, fn: Callable, doc: str) -> None:
    def method(self, *args: Any, **kw: Any) -> Any:
        return fn(self, *args, **kw)

    method.__doc__ = doc
    _method(name)(method)


for _name, _fn in dict(
    mul=cg.multiply, multiply=cg.multiply, true_divide=cg.divide, pow=cg.power,
    neg=cg.negative, negative=cg.negative, eq=cg.equal, ne=cg.not_equal, lt=cg.less,
    le=cg.less_equal, gt=cg.greater, ge=cg.greater_equal, rsqrt=lambda x: 1 / cg.sqrt(x),
    mm=cg.matmul, bmm=cg.matmul, mv=cg.matmul, fmod=cg.fmod, remainder=cg.remainder,
    logical_not=cg.logical_not, logical_and=cg.logical_and, logical_or=cg.logical_or,
    maximum=cg.maximum, minimum=cg.minimum, atan2=cg.arctan2, arctan2=cg.arctan2,
    erf=cg.erf, exp2=cg.exp2, expm1=cg.expm1, log1p=cg.log1p, log2=cg.log2,
    log10=cg.log10, sinh=cg.sinh, cosh=cg.cosh, asin=cg.arcsin, acos=cg.arccos,
    atan=cg.arctan, isnan=cg.isnan, isinf=cg.isinf,
    isfinite=cg.isfinite, outer=cg.outer, inner=cg.inner, kron=cg.kron, flip=cg.flip,
    roll=cg.roll, tril=cg.tril, triu=cg.triu, square=cg.square,
).items():  # fmt: skip
    _alias(_name, _fn, f"PyTorch's ``t.{_name}(...)``.")


@_method("clamp")
def _clamp(self, min: Any = None, max: Any = None) -> Any:
    """Limit to ``[min, max]`` (either may be None)."""
    if min is None and max is None:
        raise ValueError("clamp: at least one of min and max must be given")
    return cg.clip(self, min=min, max=max)


@_method("clamp_min")
def _clamp_min(self, min: Any) -> Any:
    """``clamp(min=min)``."""
    return cg.clip(self, min=min)


@_method("clamp_max")
def _clamp_max(self, max: Any) -> Any:
    """``clamp(max=max)``."""
    return cg.clip(self, max=max)


@_method("masked_fill")
def _masked_fill(self, mask: Any, value: Any) -> Any:
    """``value`` where ``mask`` is true, else ``self``."""
    return cg.where(mask, cg.astype(cg.asarray(value), self.dtype), self)


@_method("where")
def _where(self, condition: Any, other: Any) -> Any:
    """``self`` where ``condition``, else ``other`` (PyTorch's ``t.where(cond, y)``)."""
    return cg.where(condition, self, other)


@_method("gather")
def _gather(self, dim: int, index: Any) -> Any:
    """Values along ``dim`` at ``index`` (``take_along_axis``; as PyTorch, ``index`` may be
    shorter than the tensor in the other dimensions)."""
    ishape, nd = np.shape(index), self.ndim
    d = dim % nd
    if len(ishape) == nd and any(ishape[i] < self.shape[i] for i in range(nd) if i != d):
        self = self[tuple(slice(None) if i == d else slice(ishape[i]) for i in range(nd))]
    return cg.take_along_axis(self, index, axis=d)


@_method("index_select")
def _index_select(self, dim: int, index: Any) -> Any:
    """The slices at ``index`` along ``dim``."""
    return cg.take(self, index, axis=dim)


@_method("chunk")
def _chunk(self, chunks: int, dim: int = 0) -> tuple:
    """Up to ``chunks`` pieces along ``dim``, each ``ceil(n / chunks)`` long (PyTorch)."""
    n = self.shape[dim]
    step = -(-n // chunks) if n else 1
    return _split(self, step, dim)


@_method("split")
def _split(self, split_size_or_sections: Any, dim: int = 0) -> tuple:
    """Pieces of ``split_size`` along ``dim`` (the last may be shorter), or of the
    listed sizes."""
    n = self.shape[dim]
    if isinstance(split_size_or_sections, (int, np.integer)):
        cuts = list(range(int(split_size_or_sections), n, int(split_size_or_sections)))
    else:
        sizes = list(split_size_or_sections)
        if sum(sizes) != n:
            raise ValueError(f"split: sizes {sizes} do not add up to {n} along dim {dim}")
        cuts = list(np.cumsum(sizes)[:-1])
    return tuple(cg.split(self, cuts, axis=dim))


@_method("unbind")
def _unbind(self, dim: int = 0) -> tuple:
    """The slices along ``dim``, that dimension removed."""
    return tuple(cg.take(self, i, axis=dim) for i in range(self.shape[dim]))


@_method("norm")
def _norm(self, p: Any = "fro", dim: Any = None, keepdim: bool = False, dtype: Any = None) -> Any:
    """PyTorch's ``norm``: the 2-norm (``"fro"``) or ``p``-norm over ``dim`` (all)."""
    x = self if dtype is None else cg.astype(self, dtype)
    ord_ = 2 if p in ("fro", None) else p
    if p == "nuc":
        return lookup("linalg", "matrix_norm")(x, ord="nuc", axis=dim or (-2, -1), keepdims=keepdim)
    axis = tuple(dim) if isinstance(dim, list) else dim
    return lookup("linalg", "vector_norm")(x, ord=ord_, axis=axis, keepdims=keepdim)


# ------------------------------------------------------------------ (values, indices)
def _extreme(pick: Callable, arg: Callable, each: Callable, name: str) -> Callable:
    def method(self, *args: Any, **kw: Any) -> Any:
        if "dim" not in kw:
            if args and isinstance(args[0], Tensor):  # t.max(other): elementwise
                return each(self, args[0])
            return pick(self, *args, **_torch_axes(kw))
        dim, keep = kw.pop("dim"), kw.pop("keepdim", False)
        if args or kw:
            raise TypeError(f"{name}: with dim= takes only keepdim=, got {args} {kw}")
        values = pick(self, axis=dim, keepdims=keep)
        return ValuesIndices(values, arg(self, axis=dim, keepdims=keep))

    method.__doc__ = f"NumPy's ``{name}``; with ``dim=``, PyTorch's ``(values, indices)`` along it."
    return _method(name)(method)


_extreme(cg.max, cg.argmax, cg.maximum, "max")
_extreme(cg.min, cg.argmin, cg.minimum, "min")


@_method("sort")
def _sort(self, *args: Any, **kw: Any) -> Any:
    """NumPy's ``sort``; with ``dim=`` PyTorch's ``(values, indices)``."""
    if "dim" not in kw:
        return cg.sort(self, *args, **kw)
    dim, desc = kw.pop("dim"), kw.pop("descending", False)
    idx = cg.argsort(self, axis=dim, descending=desc, stable=kw.pop("stable", None) or False)
    return ValuesIndices(cg.take_along_axis(self, idx, axis=dim), idx)


@_method("median")
def _median(self, *args: Any, **kw: Any) -> Any:
    """NumPy's ``median``; with ``dim=`` PyTorch's ``(values, indices)``: the lower of
    the two middle values for an even count (PyTorch's, not NumPy's mean of the two)."""
    if "dim" not in kw:
        return cg.median(self, *args, **_torch_axes(kw))
    dim, keep = kw.pop("dim"), kw.pop("keepdim", False)
    if args or kw:
        raise TypeError(f"median: with dim= takes only keepdim=, got {args} {kw}")
    idx = cg.argsort(self, axis=dim, stable=True)
    k = (self.shape[dim] - 1) // 2
    idx = cg.take(idx, np.array([k]), axis=dim)
    values = cg.take_along_axis(self, idx, axis=dim)
    if not keep:
        values, idx = cg.squeeze(values, axis=dim), cg.squeeze(idx, axis=dim)
    return ValuesIndices(values, idx)


@_method("topk")
def _topk(self, k: int, dim: int = -1, largest: bool = True, sorted: bool = True) -> Any:
    """The ``k`` largest (or smallest) values along ``dim`` and their indices."""
    idx = cg.argsort(self, axis=dim, descending=largest, stable=True)
    idx = cg.take(idx, np.arange(k), axis=dim)
    return ValuesIndices(cg.take_along_axis(self, idx, axis=dim), idx)


def _moments(pick: Callable, name: str) -> Callable:
    def method(self, *args: Any, **kw: Any) -> Any:
        torch_style = {"dim", "unbiased", "correction", "keepdim"} & set(kw)
        if not torch_style:
            return pick(self, *args, **kw)
        unbiased = kw.pop("unbiased", True)
        corr = kw.pop("correction", 1 if unbiased else 0)
        return pick(self, *args, correction=corr, **_torch_axes(kw))

    method.__doc__ = f"NumPy's ``{name}``; with PyTorch's keywords, its unbiased estimate."
    return _method(name)(method)


_moments(cg.std, "std")
_moments(cg.var, "var")


# ------------------------------------------------------------------ in place
class _Named:
    """What ``_rebind`` reports as the op (an in-place method's name)."""

    def __init__(self, name: str) -> None:
        self.name = name


def _update(t: Tensor, compute: Callable, name: str, other: Any = None) -> Tensor:
    """Replace ``t``'s value by ``compute(t)`` in place, with PyTorch's rules: refused on a
    leaf that requires grad while recording; recorded on other tensors that take part in
    gradients; otherwise written into the buffer (version counter bumped)."""
    if _must_record(t, other):
        _rebind(t, compute(t), _Named(name))  # type: ignore[arg-type]
        return t
    with no_grad():
        r = compute(t)
    d = t._data
    res = np.asarray(r._data if isinstance(r, Tensor) else r)
    if res.shape != np.shape(d):
        res = np.broadcast_to(res, np.shape(d))
    if type(d) is np.ndarray and d.flags.writeable:
        np.copyto(d, res, casting="unsafe" if res.dtype.kind == d.dtype.kind else "same_kind")
        mark_mutated(d)
    else:
        t._data = np.array(res, dtype=np.result_type(d))[()]
    return t


def _fill_with(t: Tensor, value: Any) -> Any:
    """``value`` broadcast to ``t``'s shape and dtype, in the graph (grad 0 to ``t``)."""
    v = value if isinstance(value, Tensor) else np.asarray(value, t.dtype)
    return cg.where(np.zeros(t.shape, bool), t, v)


@_method("zero_")
def _zero_(self) -> Tensor:
    """Fill with zeros in place."""
    return _update(self, lambda t: _fill_with(t, 0), "zero_")


@_method("fill_")
def _fill_(self, value: Any) -> Tensor:
    """Fill with ``value`` in place."""
    return _update(self, lambda t: _fill_with(t, value), "fill_", value)


@_method("copy_")
def _copy_(self, src: Any, non_blocking: bool = False) -> Tensor:
    """Copy ``src`` (broadcast, converted) into this tensor in place."""
    src = src if isinstance(src, Tensor) else np.asarray(src)
    if np.dtype(src.dtype) != self.dtype:
        src = cg.astype(src, self.dtype) if isinstance(src, Tensor) else src.astype(self.dtype)
    return _update(self, lambda t: _fill_with(t, src), "copy_", src)


@_method("masked_fill_")
def _masked_fill_(self, mask: Any, value: Any) -> Tensor:
    """``masked_fill`` in place."""
    return _update(self, lambda t: _masked_fill(t, mask, value), "masked_fill_", value)


@_method("clamp_")
def _clamp_(self, min: Any = None, max: Any = None) -> Tensor:
    """``clamp`` in place."""
    return _update(self, lambda t: _clamp(t, min, max), "clamp_")


_METHODS["clip_"] = _clamp_


def _binary_inplace(name: str, dunder: str) -> None:
    def method(self, other: Any, *, alpha: Any = 1) -> Tensor:
        if alpha != 1:
            other = cg.multiply(other, alpha)
        r = getattr(self, dunder)(other)
        if r is NotImplemented:
            raise TypeError(f"{name}: unsupported operand of type {type(other).__name__}")
        return r

    method.__doc__ = f"PyTorch's in-place ``t.{name}(other)``."
    _method(name)(method)


for _name, _dunder in dict(
    add_="__iadd__", sub_="__isub__", mul_="__imul__", div_="__itruediv__",
    pow_="__ipow__",
).items():  # fmt: skip
    _binary_inplace(_name, _dunder)


def _unary_inplace(name: str) -> None:
    def method(self, *args: Any, **kw: Any) -> Tensor:
        return _update(self, lambda t: getattr(t, name[:-1])(*args, **kw), name)

    method.__doc__ = f"``t.{name[:-1]}()`` in place."
    _method(name)(method)


# PyTorch's in-place forms of the methods above (each the method without its "_")
for _name in (
    "neg_ abs_ exp_ log_ sqrt_ rsqrt_ sin_ cos_ tan_ tanh_ sigmoid_ relu_ floor_ ceil_ "
    "round_ trunc_ sign_ square_ reciprocal_ log1p_ expm1_ t_ squeeze_ unsqueeze_ "
    "transpose_ fmod_ remainder_ clamp_min_ clamp_max_ lerp_"
).split():
    _unary_inplace(_name)


@_method("lerp")
def _lerp(self, end: Any, weight: Any) -> Any:
    """``self + weight * (end - self)``."""
    return cg.add(self, cg.multiply(weight, cg.subtract(end, self)))


@_method("uniform_")
def _uniform_(self, a: float = 0.0, b: float = 1.0, *, generator: Any = None) -> Tensor:
    """Fill with uniform samples from [a, b) in place."""
    rng = (generator or default_generator).rng
    v = rng.uniform(a, b, self.shape).astype(self.dtype)
    return _update(self, lambda t: _fill_with(t, v), "uniform_")


@_method("normal_")
def _normal_(self, mean: float = 0.0, std: float = 1.0, *, generator: Any = None) -> Tensor:
    """Fill with normal samples in place."""
    rng = (generator or default_generator).rng
    v = rng.normal(mean, std, self.shape).astype(self.dtype)
    return _update(self, lambda t: _fill_with(t, v), "normal_")


@_method("bernoulli_")
def _bernoulli_(self, p: float = 0.5, *, generator: Any = None) -> Tensor:
    """Fill with 0/1 samples (1 with probability ``p``) in place."""
    rng = (generator or default_generator).rng
    v = (rng.random(self.shape) < p).astype(self.dtype)
    return _update(self, lambda t: _fill_with(t, v), "bernoulli_")


@_method("detach_")
def _detach_(self) -> Tensor:
    """Cut this tensor from the graph in place (it becomes a leaf)."""
    self._node, self._rg, self._tan = None, False, None
    return self


# ------------------------------------------------------------------ new_* creation
def _new_like(name: str, fill: Callable) -> None:
    def method(self, *size: Any, dtype: Any = None, device: Any = None,
               requires_grad: bool = False) -> Tensor:  # fmt: skip
        shape = _dims(size)
        arr = fill(shape, self.dtype if dtype is None else dtype)
        return new_tensor(arr, requires_grad, device, None, name)

    method.__doc__ = f"PyTorch's ``t.{name}(*size)``: this tensor's dtype unless given."
    _method(name)(method)


_new_like("new_zeros", np.zeros)
_new_like("new_ones", np.ones)
_new_like("new_empty", np.zeros)


@_method("new_full")
def _new_full(self, size: Any, fill_value: Any, *, dtype: Any = None, device: Any = None,
              requires_grad: bool = False) -> Tensor:  # fmt: skip
    """A tensor of ``size`` filled with ``fill_value`` (this tensor's dtype unless given)."""
    arr = np.full(_dims((size,)), fill_value, self.dtype if dtype is None else dtype)
    return new_tensor(arr, requires_grad, device, None, "new_full")


@_method("new_tensor")
def _new_tensor(self, data: Any, *, dtype: Any = None, device: Any = None,
                requires_grad: bool = False) -> Tensor:  # fmt: skip
    """A new leaf from ``data`` (this tensor's dtype unless given)."""
    arr = np.array(data, self.dtype if dtype is None else dtype)
    return new_tensor(arr, requires_grad, device, None, "new_tensor")


# ------------------------------------------------------------------ more in-place forms
def _src_inplace(name: str, fn: Callable, src_arg: int | None) -> None:
    """PyTorch's in-place ``t.<name>(...)``: ``fn(t, ...)`` written into ``t`` with the
    rules of :func:`_update` (argument ``src_arg``, a tensor, takes part in gradients)."""

    def method(self, *args: Any, **kw: Any) -> Tensor:
        other = args[src_arg] if src_arg is not None and len(args) > src_arg else None
        return _update(self, lambda t: fn(t, *args, **kw), name, other)

    method.__doc__ = f"``{fn.__name__}`` in place (PyTorch's ``t.{name}(...)``)."
    _method(name)(method)


for _name, _fn, _src in (
    ("scatter_", cg.scatter, 2), ("scatter_add_", cg.scatter_add, 2),
    ("scatter_reduce_", cg.scatter_reduce, 2), ("index_add_", cg.index_add, 2),
    ("index_copy_", cg.index_copy, 2), ("index_fill_", cg.index_fill, 2),
    ("index_put_", cg.index_put, 1), ("masked_scatter_", cg.masked_scatter, 1),
    ("nan_to_num_", cg.nan_to_num, None), ("addcmul_", cg.addcmul, 0),
    ("addcdiv_", cg.addcdiv, 0), ("renorm_", cg.renorm, None), ("frac_", cg.frac, None),
):  # fmt: skip
    _src_inplace(_name, _fn, _src)


# ------------------------------------------------------------------ dtypes
@_method("is_floating_point")
def _is_floating_point(self) -> bool:
    """Whether the dtype is a floating one (PyTorch's ``t.is_floating_point()``)."""
    return np.dtype(self.dtype).kind == "f"


@_method("is_complex")
def _is_complex(self) -> bool:
    """Whether the dtype is a complex one (PyTorch's ``t.is_complex()``)."""
    return np.dtype(self.dtype).kind == "c"


def is_floating_point(input: Any) -> bool:
    """Whether ``input``'s dtype is a floating one (PyTorch's ``torch.is_floating_point``)."""
    return np.dtype(input.dtype).kind == "f"


def is_complex(input: Any) -> bool:
    """Whether ``input``'s dtype is a complex one (PyTorch's ``torch.is_complex``)."""
    return np.dtype(input.dtype).kind == "c"


# ------------------------------------------------------------------ other names, as torch
def _special(name: str) -> Callable:
    front = PUBLIC[name]
    assert front.function is not None
    return front.function


def _special_method(name: str, fn: Callable, n_first: bool = False) -> None:
    def method(self, *args: Any) -> Any:
        return fn(args[0], self) if n_first else fn(self, *args)

    method.__doc__ = f"``{fn.__name__}`` as PyTorch's ``t.{name}(...)``."
    _method(name)(method)


#: PyTorch's top-level names of functions declared under other names (``cg.lgamma`` is
#: ``cg.special.gammaln``, ``cg.inverse`` is ``cg.linalg.inv``: the same objects).
SPECIAL_ALIASES: dict[str, Callable] = {n: _special(d) for n, d in TORCH_ALIASES.items()}
for _name, _fn in SPECIAL_ALIASES.items():
    # (torch has no Tensor.broadcast_tensors or Tensor.row_stack: functions of several)
    if not hasattr(Tensor, _name) and _name not in ("broadcast_tensors", "row_stack"):
        _special_method(_name, _fn, n_first=_name == "polygamma")


# ------------------------------------------------------------------ inference mode
class _Inference(threading.local):
    depth = 0  # how many inference_mode(True) blocks are open in this thread


_INFERENCE = _Inference()


class inference_mode:
    """PyTorch's ``torch.inference_mode(mode=True)``: a context manager or decorator
    (``@cg.inference_mode`` or ``@cg.inference_mode()``) in which nothing is recorded,
    as :class:`~compgraph.no_grad` (compgraph has no separate inference tensors);
    ``mode=False`` changes nothing.

    >>> import compgraph as cg
    >>> x = cg.ones(2, requires_grad=True)
    >>> with cg.inference_mode():
    ...     y = x * 2
    >>> y.requires_grad, cg.is_inference_mode_enabled()
    (False, False)
    """

    def __new__(cls, mode: Any = True) -> Any:
        if callable(mode) and not isinstance(mode, bool):  # @cg.inference_mode
            return cls()(mode)
        return super().__new__(cls)

    def __init__(self, mode: bool = True) -> None:
        self.mode = bool(mode)
        self._prev: list = []

    def __enter__(self) -> None:
        self._prev.append(GRAD_STATE.enabled)
        if self.mode:
            GRAD_STATE.enabled = False
            _INFERENCE.depth += 1

    def __exit__(self, *exc: Any) -> None:
        GRAD_STATE.enabled = self._prev.pop()
        if self.mode:
            _INFERENCE.depth -= 1

    def __call__(self, fn: Callable) -> Callable:
        mode = self.mode

        @functools.wraps(fn)
        def wrapper(*args: Any, **kw: Any) -> Any:
            with inference_mode(mode):
                return fn(*args, **kw)

        return wrapper

    def clone(self) -> inference_mode:
        """A new context manager with the same mode (as PyTorch's)."""
        return inference_mode(self.mode)


def is_inference_mode_enabled() -> bool:
    """Whether an ``inference_mode(True)`` block is open (PyTorch's
    ``torch.is_inference_mode_enabled``)."""
    return _INFERENCE.depth > 0


# ------------------------------------------------------------------ grad_fn
class AccumulateGrad:
    """PyTorch's node for a leaf in ``grad_fn.next_functions``: ``.variable`` is the leaf."""

    __slots__ = ("variable",)

    def __init__(self, variable: Any) -> None:
        self.variable = variable

    def name(self) -> str:
        """``"AccumulateGrad"``, as PyTorch."""
        return "AccumulateGrad"

    @property
    def next_functions(self) -> tuple:
        """Nothing: a leaf has no inputs."""
        return ()

    def __repr__(self) -> str:
        return "<AccumulateGrad>"


class OpName(str):
    """``grad_fn.name``: the op's name, callable as PyTorch's ``grad_fn.name()``."""

    __slots__ = ()

    def __call__(self) -> str:
        return str(self)


def _node_name(node: Node) -> OpName:
    """The op's name (PyTorch shows ``MulBackward0``; compgraph shows ``multiply``);
    ``grad_fn.name()`` works too."""
    return OpName(node.op.label)


def _next_functions(node: Node) -> tuple:
    """PyTorch's ``((node, 0), ...)``, one pair per input: the node that made it, an
    :class:`AccumulateGrad` for a leaf, or None for an input needing no gradient."""
    return tuple((AccumulateGrad(p) if isinstance(p, Tensor) else p, 0) for p in node.parents)


def _size(self) -> SizeInt:
    """The number of elements (NumPy); called, the shape (PyTorch's ``t.size()``, or
    ``t.size(d)``)."""
    s = SizeInt(np.size(self._data))
    s.shape = np.shape(self._data)  # type: ignore[attr-defined]
    return s


def _label(self) -> str | None:
    """micrograd's ``label``: the tensor's ``name``."""
    return self.name


def _set_label(self, value: str | None) -> None:
    self.name = value


# ------------------------------------------------------------------ functions
def from_numpy(ndarray: np.ndarray) -> Tensor:
    """A Tensor sharing ``ndarray``'s memory (PyTorch's ``torch.from_numpy``)."""
    if not isinstance(ndarray, np.ndarray):
        raise TypeError(f"from_numpy: expected np.ndarray, got {type(ndarray).__name__}")
    return cg.asarray(ndarray)


def numel(input: Any) -> int:
    """The number of elements (PyTorch's ``torch.numel``)."""
    return int(np.size(input._data if isinstance(input, Tensor) else input))


def is_tensor(obj: Any) -> bool:
    """Whether ``obj`` is a compgraph Tensor (PyTorch's ``torch.is_tensor``)."""
    return isinstance(obj, Tensor)


def cat(tensors: Any, dim: int = 0, *, axis: int | None = None, out: Any = None) -> Any:
    """PyTorch's ``torch.cat``: ``concatenate`` along ``dim``."""
    r = cg.concatenate(tuple(tensors), axis=dim if axis is None else axis)
    if out is not None:
        return _copy_(out, r)
    return r


def _function_of(name: str) -> Callable:
    method = _METHODS[name]

    def fn(input: Any, *args: Any, **kw: Any) -> Any:
        return method(input if isinstance(input, Tensor) else cg.asarray(input), *args, **kw)

    fn.__name__ = fn.__qualname__ = name
    fn.__module__ = "compgraph"
    fn.__doc__ = f"PyTorch's ``torch.{name}(input, ...)``: ``input.{name}(...)``."
    return fn


#: PyTorch's functions that are its Tensor methods with the tensor first
#: (``cg.unsqueeze(x, 0)``), for the names compgraph does not otherwise have.
FUNCTIONS: dict[str, Callable] = {
    n: _function_of(n)
    for n in (
        "unsqueeze permute clamp clamp_min clamp_max mm bmm mv chunk topk masked_fill t "
        "clone lerp index_select unbind rsqrt flatten unflatten mul sub div neg eq ne lt le "
        "gt ge"
    ).split()
    if n not in PUBLIC  # (a declared function of that name stays: cg.true_divide ...)
}
FUNCTIONS["cat"] = cat
FUNCTIONS.update(
    Size=Size,
    inference_mode=inference_mode,
    is_inference_mode_enabled=is_inference_mode_enabled,
    is_floating_point=is_floating_point,
    is_complex=is_complex,
    get_default_dtype=get_default_dtype,
    set_default_dtype=set_default_dtype,
    **SPECIAL_ALIASES,
)


def _with_torch_dims(name: str, fn: Callable) -> Callable:
    """``cg.<name>`` also taking PyTorch's ``dim=``/``keepdim=`` (``cg.sum(x, dim=1)``).

    With ``dim=``, a function whose Tensor method here has PyTorch's meaning runs that
    method (``cg.max(x, dim=1)`` gives ``(values, indices)``, ``cg.std(x, dim=0)`` the
    unbiased estimate, as PyTorch); without it, the NumPy function itself runs."""
    special = _METHODS.get(name)

    def f(*args: Any, **kw: Any) -> Any:
        if kw and ("dim" in kw or "keepdim" in kw):
            if special is not None and args:
                x = args[0]
                x = x if isinstance(x, Tensor) else cg.asarray(x)
                return special(x, *args[1:], **kw)
            return fn(*args, **_torch_axes(kw))
        return fn(*args, **kw)

    f.__name__ = f.__qualname__ = name
    f.__module__ = "compgraph"
    f.__doc__ = fn.__doc__
    f.__wrapped__ = fn  # type: ignore[attr-defined]
    return f


def _axis_functions() -> dict[str, Callable]:
    out = {}
    for name, front in PUBLIC.items():
        fn = front.function
        if "." in name or fn is None:
            continue
        try:
            takes_axis = "axis" in inspect.signature(fn).parameters
        except (TypeError, ValueError):
            continue
        if takes_axis:
            out[name] = _with_torch_dims(name, fn)
    return out


#: The public functions that take ``axis``, as ``cg.<name>`` also taking PyTorch's
#: ``dim=``/``keepdim=`` (compgraph's namespace holds these; the declarations keep theirs).
DIM_FUNCTIONS: dict[str, Callable] = _axis_functions()


def _install() -> None:
    subscribe(_install_dims)
    for name, fn in _METHODS.items():
        setattr(Tensor, name, fn)
    # grad_fn is the graph's Node itself; these two read as PyTorch's.
    Node.name = property(_node_name)  # type: ignore[assignment,method-assign]
    Node.next_functions = property(_next_functions)  # type: ignore[assignment,method-assign]
    Tensor.size = property(_size)  # type: ignore[assignment,method-assign]
    Tensor.label = property(_label, _set_label)  # type: ignore[attr-defined]


_install()
