"""Shape primitives: reshape, transpose, axes, indexing, concatenation and stacking.

All of them are linear, so their JVP is the op itself applied to the tangent.
"""
from __future__ import annotations

import numpy as np

from .meta import Meta, by_example, same_dtype, shape_attr
from .registry import defop


def _known(metas):
    return [m.shape if isinstance(m, Meta) else () for m in metas]


def _transpose_shape(metas, axes):
    s = _known(metas)[0]
    if s is None:
        return None
    return tuple(reversed(s)) if axes is None else tuple(s[a] for a in axes)


def _axes(axis, ndim):
    """Non-negative axes (forwards accept an int or a tuple, negative allowed)."""
    axes = (axis,) if isinstance(axis, (int, np.integer)) else tuple(axis)
    return {int(a) % ndim for a in axes} if ndim else set()


def _swap_shape(metas, axis1, axis2):
    s = _known(metas)[0]
    if s is None:
        return None
    s = list(s)
    a1, a2 = axis1 % len(s), axis2 % len(s)
    s[a1], s[a2] = s[a2], s[a1]
    return tuple(s)


def _expand_shape(metas, axis):
    s = _known(metas)[0]
    if s is None:
        return None
    n = len(s) + (1 if isinstance(axis, (int, np.integer)) else len(axis))
    axes = _axes(axis, n)
    out, it = [], iter(s)
    for i in range(n):
        out.append(1 if i in axes else next(it))
    return tuple(out)


def _squeeze_shape(metas, axis):
    s = _known(metas)[0]
    if s is None:
        return None
    axes = _axes(axis, len(s)) if axis is not None else {i for i, d in enumerate(s) if d == 1}
    return tuple(d for i, d in enumerate(s) if i not in axes)


def _concat_shape(metas, axis):
    shapes = _known(metas)
    if any(s is None for s in shapes):
        return None
    first = list(shapes[0])
    parts = [s[axis] for s in shapes]
    first[axis] = None if None in parts else sum(parts)
    return tuple(first)


def _stack_shape(metas, axis):
    s = _known(metas)[0]
    if s is None:
        return None
    return tuple(s[:axis]) + (len(metas),) + tuple(s[axis:])


def _promote_all(metas, **attrs):
    ds = [m.dtype if isinstance(m, Meta) else m for m in metas]
    return None if any(d is None for d in ds) else np.result_type(*ds)

def _reshape_vjp(ns, g, out, x, shape):
    if x.shape is None or None in x.shape:  # static graphs of unknown shape
        return ns.reshape_like(g, x)
    return ns.reshape(g, shape=x.shape)


RESHAPE = defop(
    "reshape", lambda x, shape: np.reshape(x, shape), linear=True,
    shape=shape_attr, dtype=same_dtype,
    vjp=(_reshape_vjp,),
    saves=((),), meta=True, deriv=("1",), doc="same values, new shape")


def _inverse_perm(axes):
    return None if axes is None else tuple(int(i) for i in np.argsort(axes))


TRANSPOSE = defop(
    "transpose", lambda x, axes: np.transpose(x, axes), linear=True,
    shape=_transpose_shape, dtype=same_dtype,
    vjp=(lambda ns, g, out, x, axes: ns.transpose(g, axes=_inverse_perm(axes)),),
    saves=((),), deriv=("1",), doc="permute axes")

SWAPAXES = defop(
    "swapaxes", lambda x, axis1, axis2: np.swapaxes(x, axis1, axis2), linear=True,
    shape=_swap_shape, dtype=same_dtype,
    vjp=(lambda ns, g, out, x, axis1, axis2: ns.swapaxes(g, axis1=axis1, axis2=axis2),),
    saves=((),), deriv=("1",), doc="exchange two axes")

EXPAND_DIMS = defop(
    "expand_dims", lambda x, axis: np.expand_dims(x, axis), linear=True,
    shape=_expand_shape, dtype=same_dtype,
    vjp=(lambda ns, g, out, x, axis: ns.squeeze(g, axis=axis),),
    saves=((),), deriv=("1",), doc="insert length-1 axes")

SQUEEZE = defop(
    "squeeze", lambda x, axis: np.squeeze(x, axis), linear=True,
    shape=_squeeze_shape, dtype=same_dtype,
    vjp=(lambda ns, g, out, x, axis: ns.expand_dims(g, axis=axis) if axis is not None
         else ns.reshape_like(g, x),),
    saves=((),), meta=True, deriv=("1",), doc="remove length-1 axes")

RESHAPE_LIKE = defop(
    "reshape_like", lambda x, ref: np.reshape(x, np.shape(ref)),
    shape=lambda m, **a: getattr(m[1], "shape", ()), dtype=same_dtype,
    vjp=(lambda ns, g, out, x, ref: ns.reshape_like(g, x), None), saves=((0,), ()),
    meta=True, jvp=(lambda ns, t, out, x, ref: ns.reshape_like(t, ref), None),
    deriv=("1", ""), doc="x in ref's shape (static graphs of unknown shape)")


def is_basic_index(index) -> bool:
    """True when ``index`` selects without integer or boolean arrays (no repeats possible)."""
    items = index if isinstance(index, tuple) else (index,)
    return not any(isinstance(i, (np.ndarray, list)) for i in items)


def _scatter_add(g, shape, index):
    z = np.zeros(shape, dtype=np.result_type(g))
    if is_basic_index(index):
        z[index] = g
    else:
        # add.at accumulates where an index repeats; plain assignment would not.
        np.add.at(z, index, g)
    return z


def _getitem_vjp(ns, g, out, x, index):
    if x.shape is None or None in x.shape:  # static graphs of unknown shape
        return ns.scatter_add_like(g, x, index=index)
    return ns.scatter_add(g, shape=x.shape, index=index)


GETITEM = defop(
    "getitem", lambda x, index: x[index], shape=by_example(lambda x, index: x[index]),
    dtype=same_dtype, linear=True,
    vjp=(_getitem_vjp,),
    saves=((),), meta=True, deriv=("1 at the selected elements",), doc="x[index]")

SCATTER_ADD = defop(
    "scatter_add", _scatter_add, linear=True, shape=shape_attr, dtype=same_dtype,
    vjp=(lambda ns, g, out, x, shape, index: ns.getitem(g, index=index),),
    saves=((),), deriv=("1",), doc="zeros(shape) with x added at index (repeats accumulate)")


SCATTER_ADD_LIKE = defop(
    "scatter_add_like", lambda x, ref, index: _scatter_add(x, np.shape(ref), index),
    shape=lambda m, **a: getattr(m[1], "shape", ()), dtype=same_dtype,
    vjp=(lambda ns, g, out, x, ref, index: ns.getitem(g, index=index), None),
    jvp=(lambda ns, t, out, x, ref, index: ns.scatter_add_like(t, ref, index=index), None),
    saves=((), ()), deriv=("1", ""),
    doc="zeros shaped like ref with x added at index (static graphs of unknown shape)")


def _concat_part(g, *xs, index, axis):
    start = sum(x.shape[axis] for x in xs[:index])
    return g[(slice(None),) * axis + (slice(start, start + xs[index].shape[axis]),)]


def _concat_part_vjp(ns, g, out, inputs, needs, index, axis):
    # Linear in its first input: put g back in place, zeros elsewhere.
    parts = [g if j == index else ns.zeros_like(x) for j, x in enumerate(inputs[1:])]
    return [ns.concatenate(*parts, axis=axis) if needs[0] else None] + [None] * (len(inputs) - 1)


CONCAT_PART = defop(
    "concat_part", _concat_part, shape=lambda m, index, axis: getattr(m[index + 1], "shape", None),
    dtype=same_dtype, vjp=_concat_part_vjp, linear=True, deriv=("1",),
    doc="the slice of g that input `index` of a concatenation came from (unknown sizes)")


def _concat_vjp(ns, g, out, inputs, needs, axis):
    if any(x.shape is None or x.shape[axis] is None for x in inputs):
        # Static graphs of unknown size along the axis: offsets are found when it runs.
        return [ns.concat_part(g, *inputs, index=i, axis=axis) if need else None
                for i, need in enumerate(needs)]
    grads, start = [], 0
    for x, need in zip(inputs, needs):
        stop = start + x.shape[axis]
        if need:
            sl = (slice(None),) * axis + (slice(start, stop),)
            grads.append(ns.getitem(g, index=sl))
        else:
            grads.append(None)
        start = stop
    return grads


CONCATENATE = defop(
    "concatenate", lambda *xs, axis: np.concatenate(xs, axis=axis), linear=True,
    shape=_concat_shape, dtype=_promote_all,
    vjp=_concat_vjp, deriv=("1",), doc="join arrays along an existing axis")


def _stack_vjp(ns, g, out, inputs, needs, axis):
    return [ns.getitem(g, index=(slice(None),) * axis + (i,)) if need else None
            for i, need in enumerate(needs)]


STACK = defop(
    "stack", lambda *xs, axis: np.stack(xs, axis=axis), linear=True,
    shape=_stack_shape, dtype=_promote_all,
    vjp=_stack_vjp, deriv=("1",), doc="join arrays along a new axis")
