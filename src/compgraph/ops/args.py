"""Checking and normalising the arguments of public functions (axes, shapes, indices).

Declarations use these in their ``prepare`` functions, which turn a public call
(``cg.sum(x, axis=-1)``) into the op's inputs and attributes (``axis=(1,)``).  They
read shapes from anything with ``.shape`` (Tensors, arrays, static-graph values whose
shape may be unknown, None) and never compute.
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = [
    "ndim_of",
    "shape_of",
    "normalize_axis",
    "one_axis",
    "normalize_index",
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
    """``None`` stays None; an int or a tuple becomes a sorted tuple of non-negative axes."""
    if axis is None:
        return None
    if ndim is None:
        raise ValueError(
            f"{where}: axis={axis!r} needs the number of dimensions of the input, "
            f"which is unknown here (a static-graph value of unknown shape); "
            f"declare shapes with g.input(name, shape=...)"
        )
    axes = (axis,) if isinstance(axis, (int, np.integer)) else tuple(axis)
    out = []
    for a in axes:
        if not isinstance(a, (int, np.integer)) or isinstance(a, bool):
            raise TypeError(f"{where}: axis must be an int or a tuple of ints, got {axis!r}")
        if not -ndim <= a < ndim:
            raise ValueError(
                f"{where}: axis {a} is out of range for an input of shape "
                f"{shape if shape is not None else ndim} ({ndim} dimensions)"
            )
        out.append(int(a) % ndim if ndim else 0)
    if len(set(out)) != len(out):
        raise ValueError(f"{where}: repeated axis in {axis!r}")
    return tuple(sorted(out))


def one_axis(axis: Any, ndim: int | None, where: str, shape: Any = None) -> int:
    """One axis as a non-negative int."""
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


def normalize_index(index: Any) -> Any:
    """Turn Tensors and lists in an index into ndarrays and boolean masks into integer arrays."""
    items = index if isinstance(index, tuple) else (index,)
    out: list = []
    for i in items:
        if is_symbolic(i):
            raise TypeError(
                f"getitem: a static-graph value cannot be used as an index ({i!r}); "
                f"use cg.take or cg.where"
            )
        if (
            not isinstance(i, (np.ndarray, np.generic, int, slice, list))
            and i is not None
            and i is not Ellipsis
            and hasattr(i, "__array__")
        ):
            i = np.asarray(i)
        if isinstance(i, list):
            i = np.asarray(i)
        if isinstance(i, np.generic):
            i = i.item()
        if isinstance(i, np.ndarray):
            if i.dtype == np.bool_:
                out.extend(np.nonzero(i))
                continue
            if i.dtype.kind not in "iu":
                raise IndexError(
                    f"getitem: index arrays must be integers or booleans, got {i.dtype}"
                )
        out.append(i)
    return tuple(out) if isinstance(index, tuple) or len(out) != 1 else out[0]
