"""Output shape and dtype rules ("abstract evaluation") for op declarations.

Static graphs infer each node's shape and dtype without running anything.  An op
declares ``shape=`` and ``dtype=`` rules taken from the families below (or its own
function).  Inputs reach a rule as *metas*: objects with ``.shape`` and ``.dtype``
(either may be None when unknown) or plain Python numbers, which stay "weak" for
dtype promotion as in NumPy 2.  A rule returns None where the answer is unknown.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

__all__ = [
    "Meta",
    "meta_of",
    "infer",
    "broadcast",
    "same_shape",
    "reduced",
    "promote",
    "floating",
    "boolean",
    "same_dtype",
    "shape_attr",
    "dtype_attr",
    "broadcast_partial",
    "by_example",
]


class Meta:
    """Shape and dtype of a value that is not computed yet (None where unknown)."""

    __slots__ = ("shape", "dtype")

    def __init__(self, shape: tuple | None, dtype: Any):
        self.shape = None if shape is None else tuple(shape)
        self.dtype = None if dtype is None else np.dtype(dtype)

    @property
    def ndim(self) -> int | None:
        """Number of dimensions, or None when the shape is unknown."""
        return None if self.shape is None else len(self.shape)

    def __repr__(self) -> str:
        return f"Meta(shape={self.shape}, dtype={self.dtype})"


def meta_of(v: Any) -> Any:
    """A Meta for arrays/Tensors/symbols, the value itself for Python numbers."""
    if isinstance(v, (bool, int, float, complex)):
        return v
    return Meta(getattr(v, "shape", None), getattr(v, "dtype", None))


def _shapes(metas):
    return [m.shape if isinstance(m, Meta) else () for m in metas]


# ---------------------------------------------------------------- shape families
def broadcast_partial(*shapes):
    """NumPy broadcasting where a dimension may be None (unknown)."""
    if all(None not in s for s in shapes):
        return tuple(np.broadcast_shapes(*shapes))
    n = max(len(s) for s in shapes)
    out = []
    for k in range(n):
        dims = [s[len(s) - n + k] for s in shapes if len(s) - n + k >= 0]
        known = {d for d in dims if d is not None and d != 1}
        if len(known) > 1:
            raise ValueError(f"shapes {shapes} cannot be broadcast together")
        if known:
            out.append(known.pop())
        elif None in dims:
            out.append(None)
        else:
            out.append(1)
    return tuple(out)


def broadcast(metas, **attrs):
    """NumPy broadcasting of every input's shape (unknown dimensions stay None)."""
    shapes = _shapes(metas)
    if any(s is None for s in shapes):
        return None
    return broadcast_partial(*shapes)


def same_shape(metas, **attrs):
    """The first input's shape."""
    return _shapes(metas)[0]


def reduced(metas, axis=None, keepdims=False, **attrs):
    """Shape after reducing ``axis`` (normalised tuple or None)."""
    s = _shapes(metas)[0]
    if s is None:
        return None
    if axis is None:
        return (1,) * len(s) if keepdims else ()
    if keepdims:
        return tuple(1 if i in axis else d for i, d in enumerate(s))
    return tuple(d for i, d in enumerate(s) if i not in axis)


def shape_attr(metas, shape, **attrs):
    """The ``shape`` attribute (reshape resolves a -1 when the size is known)."""
    shape = tuple(shape)
    if -1 in shape:
        s = _shapes(metas)[0]
        if s is None:
            return None
        if None in s:  # the inferred dimension depends on an unknown one
            return tuple(None if d == -1 else d for d in shape)
        known = int(np.prod([d for d in shape if d != -1]))
        total = int(np.prod(s))
        shape = tuple(total // known if d == -1 and known else d for d in shape)
    return shape


def by_example(forward: Callable) -> Callable:
    """Shape found by running ``forward`` on zero-stride dummies (no data is copied)."""

    def rule(metas, **attrs):
        dummies = []
        for m in metas:
            if isinstance(m, Meta):
                if m.shape is None or None in m.shape:
                    return None
                dummies.append(np.broadcast_to(np.zeros((), m.dtype or np.float64), m.shape))
            else:
                dummies.append(m)
        with np.errstate(all="ignore"):
            return tuple(np.shape(forward(*dummies, **attrs)))

    return rule


# ---------------------------------------------------------------- dtype families
def _dtypes(metas):
    return [m.dtype if isinstance(m, Meta) else m for m in metas]


def promote(metas, **attrs):
    """NumPy 2 promotion; Python numbers are weak (float32 * 2.0 stays float32)."""
    ds = _dtypes(metas)
    if any(d is None for d in ds):
        return None
    return np.result_type(*ds)


def floating(metas, **attrs):
    """Promotion, then integers and bools become float64 (exp, log, sin, division ...)."""
    d = promote(metas)
    if d is None:
        return None
    return d if d.kind in "fc" else np.dtype(np.float64)


def boolean(metas, **attrs):
    """Comparisons give bool."""
    return np.dtype(bool)


def same_dtype(metas, **attrs):
    """The first input's dtype."""
    d = _dtypes(metas)[0]
    return d if d is None or isinstance(d, np.dtype) else np.result_type(d)


def dtype_attr(metas, dtype, **attrs):
    """The ``dtype`` attribute."""
    return np.dtype(dtype)


def infer(op: Any, args: Any, attrs: dict) -> tuple[tuple | None, np.dtype | None]:
    """Shape and dtype of ``op`` applied to ``args`` (values or metas), None where unknown."""
    metas = [a if isinstance(a, Meta) else meta_of(a) for a in args]
    shape = op.shape_rule(metas, **attrs) if op.shape_rule is not None else None
    dtype = op.dtype_rule(metas, **attrs) if op.dtype_rule is not None else None
    return shape, dtype
