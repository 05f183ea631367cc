"""Checking and normalising the arguments of public functions (axes, shapes, indices).

Declarations use these in their ``prepare`` functions, which turn a public call
(``cg.sum(x, axis=-1)``) into the op's inputs and attributes (``axis=(1,)``).  They
read shapes from anything with ``.shape`` (Tensors, arrays, static-graph values whose
shape may be unknown, None) and never compute.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

__all__ = [
    "ndim_of",
    "shape_of",
    "normalize_axis",
    "resolve_axis",
    "one_axis",
    "normalize_index",
    "masks_as_integers",
    "is_mask",
    "is_symbolic",
    "SYMBOLIC_TYPES",
    "plain",
    "empty_axis",
]

#: Types of symbolic (static-graph) values: they build graph nodes instead of computing
#: (their class registers itself here and defines ``__cg_apply__(op, args, attrs)``).
SYMBOLIC_TYPES: set = set()


def is_symbolic(v: Any) -> bool:
    """True for a static-graph value."""
    return type(v) in SYMBOLIC_TYPES


def ndim_of(x: Any) -> int | None:
    """Number of dimensions (None: a static-graph value of unknown shape)."""
    if isinstance(x, (list, tuple)):
        s = shape_of(x)
        return None if s is None else len(s)
    nd = getattr(x, "ndim", None)
    return nd if nd is not None or hasattr(x, "ndim") else np.ndim(x)


def shape_of(x: Any) -> tuple | None:
    """The shape, None when unknown (a static-graph value of unknown shape).  A list of
    values (which the functions stack) has the shape of its stack."""
    if hasattr(x, "shape"):
        s = x.shape
        return None if s is None else tuple(s)
    if (
        isinstance(x, (list, tuple))
        and x
        and any(hasattr(e, "shape") or isinstance(e, (list, tuple)) for e in x)
    ):
        inner = shape_of(x[0])
        return None if inner is None else (len(x), *inner)
    return np.shape(x)


def normalize_axis(axis: Any, ndim: int | None, where: str, shape: Any = None) -> tuple | None:
    """``None`` stays None; an int or a tuple becomes a sorted tuple of non-negative axes.

    When ``ndim`` is None (a static-graph value of unknown rank, ``g.input("x")``) the
    axes are kept as given, possibly negative, as TensorFlow's unknown-rank
    placeholders did: the op's forward (NumPy) and its rules resolve them once the
    array, and so its rank, is there (:func:`resolve_axis`).
    """
    if axis is None:
        return None
    axes = (axis,) if isinstance(axis, (int, np.integer)) else tuple(axis)
    out = []
    for a in axes:
        if not isinstance(a, (int, np.integer)) or isinstance(a, bool):
            raise TypeError(f"{where}: axis must be an int or a tuple of ints, got {axis!r}")
        if ndim is None:
            out.append(int(a))
        elif -ndim <= a < ndim:
            out.append(int(a) % ndim if ndim else 0)
        else:
            # AxisError is both a ValueError and an IndexError (NumPy's; the array API's)
            raise np.exceptions.AxisError(
                f"{where}: axis {a} is out of range for an input of shape "
                f"{shape if shape is not None else ndim} ({ndim} dimensions)"
            )
    if len(set(out)) != len(out):
        raise ValueError(f"{where}: repeated axis in {axis!r}")
    return tuple(out) if ndim is None else tuple(sorted(out))


def resolve_axis(axis: Any, ndim: int | None, where: str) -> Any:
    """An axis attribute made non-negative for an input of ``ndim`` dimensions.

    Attributes built on a value of unknown rank keep the axes as the user gave them
    (see :func:`normalize_axis`); rules and shape rules call this where they need
    them non-negative.  Normalised attributes (the common case) pass through
    untouched; ``ndim`` None (still unknown) returns ``axis`` as it is.
    """
    if axis is None or ndim is None:
        return axis
    if isinstance(axis, (int, np.integer)):
        return one_axis(axis, ndim, where)
    if not axis or (min(axis) >= 0 and max(axis) < ndim):
        return axis  # already non-negative (the common case: normalised when built)
    return normalize_axis(axis, ndim, where)


def one_axis(axis: Any, ndim: int | None, where: str, shape: Any = None) -> int:
    """One axis as a non-negative int (kept as given when ``ndim`` is None)."""
    if not isinstance(axis, (int, np.integer)) or isinstance(axis, bool):
        raise TypeError(f"{where}: axis must be an int, got {axis!r}")
    axes = normalize_axis(int(axis), ndim, where, shape)
    assert axes is not None  # an int axis: never None
    return axes[0]


def empty_axis(x: Any, axes: tuple | None) -> bool:
    """Whether reducing ``x`` over ``axes`` reduces an empty axis."""
    shape = shape_of(x)
    if shape is None:
        return False
    return (0 in shape) if axes is None else any(shape[a] == 0 for a in axes)


def plain(v: Any) -> Any:
    """A number or array attribute given as a Tensor becomes its array."""
    if v is None or isinstance(v, (bool, int, float, complex, np.generic, np.ndarray)):
        return v
    if is_symbolic(v):
        raise TypeError(f"expected a number or an array, got the static-graph value {v!r}")
    return np.asarray(v)


def _index_item(i: Any) -> Any:
    """One item of an index as NumPy reads it: sequences and array-likes (Tensors)
    become ndarrays, NumPy scalars Python ones (``np.True_`` stays a bool: NumPy reads
    a bool as a mask, never as the integer 1)."""
    if type(i) is not np.ndarray:
        if is_symbolic(i):
            raise TypeError(
                f"getitem: a static-graph value cannot be used as an index ({i!r}); "
                f"use cg.take or cg.where"
            )
        if isinstance(i, np.generic):
            return i.item()
        if not isinstance(i, (list, tuple, range, np.ndarray)) and not hasattr(i, "__array__"):
            return i  # NumPy itself refuses what is no index (a float, a string)
        i = np.asarray(i)
        if i.size == 0 and i.dtype.kind == "f":
            i = i.astype(np.intp)  # [] selects nothing, as in NumPy (not a float index)
    kind = i.dtype.kind
    if kind not in "biu":
        raise IndexError(f"getitem: index arrays must be integers or booleans, got {i.dtype}")
    if kind == "b" and i.ndim == 0:
        return bool(i)  # a 0-d mask is NumPy's bool scalar index (a new axis)
    return i


def is_mask(i: Any) -> bool:
    """True for a boolean array index (a mask)."""
    return isinstance(i, np.ndarray) and i.dtype == np.bool_


def _check_masks(items: Sequence, shape: tuple) -> None:
    """IndexError, as NumPy's, when a boolean mask's shape differs from the dimensions it
    indexes (which its integer form, ``np.nonzero``, would no longer tell)."""
    consumed = 0
    for i in items:
        if is_mask(i):
            consumed += i.ndim
        elif not (i is None or i is Ellipsis or isinstance(i, bool)):
            consumed += 1
    if consumed > len(shape) or sum(i is Ellipsis for i in items) > 1:
        raise IndexError(
            f"getitem: too many indices (or more than one Ellipsis) for an array of shape "
            f"{shape}: {consumed} dimensions indexed"
        )
    dim = 0
    for i in items:
        if i is Ellipsis:
            dim += len(shape) - consumed
        elif is_mask(i):
            for k, (n, m) in enumerate(zip(shape[dim : dim + i.ndim], i.shape)):
                if n != m:
                    raise IndexError(
                        f"getitem: boolean index did not match indexed array along axis "
                        f"{dim + k}; size of axis is {n} but size of corresponding "
                        f"boolean axis is {m}"
                    )
            dim += i.ndim
        elif not (i is None or isinstance(i, bool)):
            dim += 1


def masks_as_integers(index: Any, shape: tuple | None) -> Any:
    """``index`` with its boolean masks as integer arrays (``np.nonzero``), for consumers
    that take integer indices only (ONNX, the batched forward-mode rule, assignment's
    declaration).  With ``shape``, the array's, each mask is first checked against the
    dimensions it indexes (IndexError otherwise), so that the integer form selects
    exactly what the mask does; without it (None, or a dimension unknown) it is not."""
    items = index if isinstance(index, tuple) else (index,)
    if not any(is_mask(i) for i in items):
        return index
    if shape is not None and None not in shape:
        _check_masks(items, tuple(shape))
    out: list = []
    for i in items:
        if is_mask(i):
            out.extend(np.nonzero(i))
        else:
            out.append(i)
    return tuple(out) if isinstance(index, tuple) or len(out) != 1 else out[0]


def _normalize_items(index: Any) -> Any:
    if not isinstance(index, tuple):
        if isinstance(index, (int, slice)) or index is None or index is Ellipsis:
            return index
        return _index_item(index)
    return tuple(
        i if isinstance(i, (int, slice)) or i is None or i is Ellipsis else _index_item(i)
        for i in index
    )


def normalize_index(index: Any, x: Any = None, keep_masks: bool = False) -> Any:
    """An index as NumPy reads it, for an op's attribute: Tensors, lists and tuples
    nested in it become ndarrays, NumPy scalars Python ones (a bool stays a bool).

    ``keep_masks``: boolean masks stay masks, so that NumPy checks their shape against
    the array's wherever they are used (getitem's forward and its gradient's scatter),
    also for an array whose shape is unknown when the index is given.  Otherwise they
    become integer arrays (:func:`masks_as_integers`), checked against ``x``'s shape
    when ``x``, the indexed value, is given.
    """
    index = _normalize_items(index)
    if keep_masks:
        return index
    return masks_as_integers(index, None if x is None else shape_of(x))
