"""PyTorch's size and shape methods: ``cg.Size``, ``t.size()``/``t.size(d)``, ``dim
numel view view_as reshape_as unsqueeze squeeze permute transpose t flatten unflatten
expand expand_as repeat contiguous is_contiguous clone``."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..ops.namespace import cg
from .base import _METHODS, _dims, _method

__all__ = ["Size", "SizeInt"]


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


def _size(self) -> SizeInt:
    """The number of elements (NumPy); called, the shape (PyTorch's ``t.size()``, or
    ``t.size(d)``)."""
    s = SizeInt(np.size(self._data))
    s.shape = np.shape(self._data)  # type: ignore[attr-defined]
    return s
