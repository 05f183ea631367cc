"""Shape primitives: reshape, transpose, axes, indexing, concatenation and stacking.

All of them are linear, so their JVP is the op itself applied to the tangent.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from .args import (
    is_mask,
    masks_as_integers,
    ndim_of,
    normalize_axis,
    normalize_index,
    one_axis,
    resolve_axis,
    shape_of,
)
from .batch import shift_axes, shifted
from .meta import Meta, by_example, same_dtype, shape_attr
from .namespace import cg
from .registry import defop
from .spec import Codegen, Facts, Method, Onnx, no, same_meta

__all__ = [
    "RESHAPE",
    "TRANSPOSE",
    "SWAPAXES",
    "EXPAND_DIMS",
    "SQUEEZE",
    "RESHAPE_LIKE",
    "GETITEM",
    "SCATTER_ADD",
    "SCATTER_ADD_LIKE",
    "CONCAT_PART",
    "CONCATENATE",
    "STACK",
    "is_basic_index",
]


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
    axis = resolve_axis(axis, len(s) + 1, "stack")
    return tuple(s[:axis]) + (len(metas),) + tuple(s[axis:])


def _promote_all(metas, **attrs):
    ds = [m.dtype if isinstance(m, Meta) else m for m in metas]
    return None if any(d is None for d in ds) else np.result_type(*ds)


_INTERNAL: dict[str, Any] = dict(
    names=no("internal: gradients of static graphs of unknown shape"),
    method=no("internal"),
    numpy=no("internal"),
    cli=no("internal"),
)
_NO_CLI = no("takes a shape or axes; the command line calls one-argument functions")
_LOOP = no("the rule runs once per direction")


def _no_axis(n: Any, same: bool) -> bool:
    return same and not n.attrs.get("axis")


def _method_expr(method: str, *attrs: str):
    """``x.method(attrs)`` in compiled code, when x's shape is known (so x is an array)."""

    def expr(n: Any) -> str | None:
        if not n.inputs[0].shape:
            return None
        return f"{{0}}.{method}({', '.join('{' + a + '}' for a in attrs)})"

    return expr


# --------------------------------------------------------------------------- reshape
def _reshape_vjp(ns, g, out, x, shape):
    if x.shape is None or None in x.shape:  # static graphs of unknown shape
        return ns.reshape_like(g, x)
    return ns.reshape(g, shape=x.shape)


def _reshape_prepare(x: Any, shape: Any, *, copy: bool | None = None) -> tuple:
    """Same values in a new shape (one entry may be -1); ``copy`` is accepted (the
    array API's) and ignored: the result shares memory where NumPy's reshape does."""
    shape = (int(shape),) if isinstance(shape, (int, np.integer)) else tuple(int(s) for s in shape)
    return (x,), {"shape": shape}


def _reshape_method(self: Any, *shape: Any) -> tuple:
    # t.reshape(2, 3) or t.reshape((2, 3))
    return (self, shape[0] if len(shape) == 1 else shape), {}


RESHAPE = defop(
    "reshape",
    lambda x, shape: np.reshape(x, shape),
    linear=True,
    shape=shape_attr,
    dtype=same_dtype,
    vjp=(_reshape_vjp,),
    saves=((),),
    meta=True,
    deriv=("1",),
    doc=_reshape_prepare.__doc__,
    prepare=_reshape_prepare,
    method=(
        Method("reshape", _reshape_method),
        Method("flatten", lambda self: ((self, (-1,)), {})),
    ),
    numpy=np.reshape,
    cli=_NO_CLI,
    codegen=Codegen(_method_expr("reshape", "shape")),
    onnx=Onnx(lambda b, n, ins, out: b.add("Reshape", [ins[0], b.ints(n.attrs["shape"])], out)),
    facts=Facts(noop=same_meta),
    batch=lambda op, prims, tins, out, attrs, k: shifted(
        op, tins[0], attrs, shape=(k,) + tuple(attrs["shape"])
    ),
)


# --------------------------------------------------------------------------- transpose
def _inverse_perm(axes):
    return None if axes is None else tuple(int(i) for i in np.argsort(axes))


def _transpose_prepare(
    x: Any, axes: Any = None, *, perm: Any = None, conjugate: bool = False, name: Any = None
) -> tuple:
    """Permute axes (default: reverse them), like ``np.transpose``; also TensorFlow's
    keywords ``perm`` (``axes``) and ``conjugate=True`` (conjugates complex values)."""
    if perm is not None:
        if axes is not None:
            raise TypeError("transpose: give axes (NumPy's) or perm (TensorFlow's), not both")
        axes = perm
    if not isinstance(conjugate, (bool, np.bool_)):
        raise TypeError(f"transpose: conjugate must be True or False, got {conjugate!r}")
    if conjugate:
        x = cg.conj(x)
    nd = ndim_of(x)
    if axes is None:
        perm = None if nd is None else tuple(range(nd - 1, -1, -1))
    elif nd is None:
        raise ValueError(
            f"transpose: axes={tuple(axes)} needs the number of dimensions of the "
            f"input, which is unknown here; declare shapes with g.input(..., shape=)"
        )
    else:
        if any(not -nd <= int(a) < nd for a in axes):
            raise ValueError(
                f"transpose: axes {tuple(axes)} are out of range for shape "
                f"{shape_of(x)} ({nd} dimensions)"
            )
        perm = tuple(int(a) % nd if nd else 0 for a in axes)
        if sorted(perm) != list(range(nd)):
            raise ValueError(
                f"transpose: axes {tuple(axes)} are not a permutation of the "
                f"{nd} axes of shape {shape_of(x)}"
            )
    return (x,), {"axes": perm}


def _transpose_method(self: Any, *axes: Any) -> tuple:
    # t.transpose(1, 0), t.transpose((1, 0)) or t.transpose()
    return (self, (axes[0] if len(axes) == 1 else axes) or None), {}


def _transpose_batch(op, prims, tins, out, attrs, k):
    nd = np.ndim(prims[0])
    axes = attrs.get("axes")
    perm = tuple(range(nd))[::-1] if axes is None else tuple(a % nd for a in axes)
    return shifted(op, tins[0], attrs, axes=(0,) + tuple(a + 1 for a in perm))


def _transpose_onnx(b, n, ins, out):
    if n.attrs["axes"] is None:
        b.add("Transpose", ins, out)
    else:
        b.add("Transpose", ins, out, perm=list(n.attrs["axes"]))


TRANSPOSE = defop(
    "transpose",
    lambda x, axes: np.transpose(x, axes),
    linear=True,
    shape=_transpose_shape,
    dtype=same_dtype,
    vjp=(lambda ns, g, out, x, axes: ns.transpose(g, axes=_inverse_perm(axes)),),
    saves=((),),
    deriv=("1",),
    doc=_transpose_prepare.__doc__,
    prepare=_transpose_prepare,
    method=(
        Method("transpose", _transpose_method),
        Method("T", lambda self: ((self,), {}), prop=True),
    ),
    numpy=np.transpose,
    cli=_NO_CLI,
    codegen=Codegen(_method_expr("transpose", "axes")),
    onnx=Onnx(_transpose_onnx),
    facts=Facts(
        noop=lambda n, same: (
            n.attrs["axes"] is not None
            and tuple(n.attrs["axes"]) == tuple(range(len(n.attrs["axes"])))
        )
    ),
    batch=_transpose_batch,
)


# --------------------------------------------------------------------------- swapaxes
def _swapaxes_prepare(x: Any, axis1: int, axis2: int) -> tuple:
    """Exchange two axes."""
    nd, shape = ndim_of(x), shape_of(x)
    return (x,), {
        "axis1": one_axis(axis1, nd, "swapaxes", shape),
        "axis2": one_axis(axis2, nd, "swapaxes", shape),
    }


def _swapaxes_onnx(b, n, ins, out):
    nd = len(b.known_shape(n))
    perm = list(range(nd))
    i, j = n.attrs["axis1"] % nd, n.attrs["axis2"] % nd
    perm[i], perm[j] = perm[j], perm[i]
    b.add("Transpose", ins, out, perm=perm)


def _swapaxes(x: Any, axis1: int, axis2: int) -> Any:
    # (the method skips np.swapaxes's dispatch wrapper: ~0.5 us of every matmul VJP)
    return x.swapaxes(axis1, axis2) if type(x) is np.ndarray else np.swapaxes(x, axis1, axis2)


SWAPAXES = defop(
    "swapaxes",
    _swapaxes,
    linear=True,
    shape=_swap_shape,
    dtype=same_dtype,
    vjp=(lambda ns, g, out, x, axis1, axis2: ns.swapaxes(g, axis1=axis1, axis2=axis2),),
    saves=((),),
    deriv=("1",),
    doc=_swapaxes_prepare.__doc__,
    prepare=_swapaxes_prepare,
    method="swapaxes",
    numpy=np.swapaxes,
    cli=_NO_CLI,
    codegen=Codegen("{0}.swapaxes({axis1}, {axis2})"),
    onnx=Onnx(_swapaxes_onnx),
    batch=lambda op, prims, tins, out, attrs, k: shifted(
        op,
        tins[0],
        attrs,
        axis1=shift_axes(attrs["axis1"], np.ndim(prims[0])),
        axis2=shift_axes(attrs["axis2"], np.ndim(prims[0])),
    ),
)


# --------------------------------------------------------------------------- axes of length 1
def _expand_prepare(x: Any, axis: Any) -> tuple:
    """Insert length-1 axes at the positions ``axis`` of the result."""
    nd = ndim_of(x)
    if nd is None:  # unknown rank: the axes as given, NumPy places them when it runs
        return (x,), {"axis": normalize_axis(axis, None, "expand_dims")}
    k = 1 if isinstance(axis, (int, np.integer)) else len(axis)
    return (x,), {"axis": normalize_axis(axis, nd + k, "expand_dims", shape_of(x))}


def _squeeze_prepare(x: Any, axis: Any = None) -> tuple:
    """Remove length-1 axes (all of them, or those in ``axis``)."""
    shape = shape_of(x)
    if axis is None and (shape is None or None in shape):
        axes = None  # which axes have length 1 is known only when it runs
    elif axis is None:
        assert shape is not None  # the first branch took an unknown shape
        axes = tuple(i for i, d in enumerate(shape) if d == 1)
    else:
        # An unknown rank keeps the axes as given; NumPy checks them when it runs.
        axes = normalize_axis(axis, None if shape is None else len(shape), "squeeze", shape)
        assert axes is not None  # axis is not None
        # Dimensions of unknown size (None) are checked when it runs, too.
        bad = [] if shape is None else [(a, shape[a]) for a in axes if shape[a] not in (1, None)]
        if bad:
            raise ValueError(
                f"squeeze: axis {bad[0][0]} of shape {shape} has length {bad[0][1]}, not 1"
            )
    return (x,), {"axis": axes}


def _axis_batch(op, prims, tins, out, attrs, k):
    # expand_dims counts axes of the result, squeeze those of the input; negative
    # axes count from the end and stay as they are.
    return shifted(op, tins[0], attrs, axis=shift_axes(attrs["axis"], np.ndim(prims[0])))


EXPAND_DIMS = defop(
    "expand_dims",
    lambda x, axis: np.expand_dims(x, axis),
    linear=True,
    shape=_expand_shape,
    dtype=same_dtype,
    vjp=(lambda ns, g, out, x, axis: ns.squeeze(g, axis=axis),),
    saves=((),),
    deriv=("1",),
    doc=_expand_prepare.__doc__,
    prepare=_expand_prepare,
    method="expand_dims",
    numpy=np.expand_dims,
    cli=_NO_CLI,
    onnx=Onnx(lambda b, n, ins, out: b.add("Unsqueeze", [ins[0], b.ints(n.attrs["axis"])], out)),
    facts=Facts(noop=_no_axis),
    batch=_axis_batch,
)

SQUEEZE = defop(
    "squeeze",
    lambda x, axis: np.squeeze(x, axis),
    linear=True,
    shape=_squeeze_shape,
    dtype=same_dtype,
    vjp=(
        lambda ns, g, out, x, axis: (
            ns.expand_dims(g, axis=axis) if axis is not None else ns.reshape_like(g, x)
        ),
    ),
    saves=((),),
    meta=True,
    deriv=("1",),
    doc=_squeeze_prepare.__doc__,
    prepare=_squeeze_prepare,
    method="squeeze",
    numpy=np.squeeze,
    cli=_NO_CLI,
    onnx=Onnx(lambda b, n, ins, out: b.add("Squeeze", [ins[0], b.ints(n.attrs["axis"])], out)),
    facts=Facts(noop=_no_axis),
    batch=_axis_batch,
)

RESHAPE_LIKE = defop(
    "reshape_like",
    lambda x, ref: np.reshape(x, np.shape(ref)),
    shape=lambda m, **a: getattr(m[1], "shape", ()),
    dtype=same_dtype,
    linear=True,
    vjp=(lambda ns, g, out, x, ref: ns.reshape_like(g, x), None),
    saves=((0,), ()),
    meta=True,
    deriv=("1", ""),
    args=("x", "ref"),
    doc="x in ref's shape (static graphs of unknown shape)",
    **_INTERNAL,
    onnx=Onnx(lambda b, n, ins, out: b.add("Reshape", [ins[0], b.add("Shape", [ins[1]])], out)),
    batch=_LOOP,
)


# --------------------------------------------------------------------------- indexing
def is_basic_index(index) -> bool:
    """True when ``index`` selects without integer or boolean arrays (no repeats possible)."""
    items = index if isinstance(index, tuple) else (index,)
    return not any(isinstance(i, (np.ndarray, list)) for i in items)


def _no_repeats(index) -> bool:
    """True when ``index`` selects no element twice: no integer arrays (basic items and
    boolean masks only)."""
    items = index if isinstance(index, tuple) else (index,)
    return not any(
        isinstance(i, list) or (isinstance(i, np.ndarray) and i.dtype != np.bool_) for i in items
    )


def _scatter_add(g, shape, index):
    z = np.zeros(shape, dtype=np.result_type(g))
    # Both check the index against the shape as NumPy's indexing does (IndexError).
    if _no_repeats(index):
        z[index] = g
    else:
        # add.at accumulates where an index repeats; plain assignment would not.
        np.add.at(z, index, g)
    return z


def _getitem_vjp(ns, g, out, x, index):
    if x.shape is None or None in x.shape:  # static graphs of unknown shape
        return ns.scatter_add_like(g, x, index=index)
    return ns.scatter_add(g, shape=x.shape, index=index)


def _getitem_prepare(x: Any, index: Any) -> tuple:
    """``x[index]``: NumPy's basic and advanced indexing (integer arrays, boolean
    masks), differentiable."""
    if index.__class__ is int:  # (x[t]: nothing to normalise)
        return (x,), {"index": index}
    return (x,), {"index": normalize_index(index, keep_masks=True)}


def _getitem_onnx(b, n, ins, out):
    x, index = ins[0], n.attrs["index"]
    if any(is_mask(i) for i in (index if isinstance(index, tuple) else (index,))):
        index = masks_as_integers(index, b.known_shape(n))  # Gather takes integers
    items = index if isinstance(index, tuple) else (index,)
    if len(items) == 1 and isinstance(items[0], np.ndarray) and items[0].dtype.kind in "iu":
        b.add("Gather", [x, b.const(items[0].astype(np.int64))], out, axis=0)
        return
    if any(not isinstance(i, (int, slice)) for i in items):
        raise ValueError(
            f"to_onnx: node {n.name!r}: only int, slice and a single integer-array "
            f"index are exported, got {index!r}"
        )
    if any(isinstance(i, bool) for i in items):
        # A bool is a mask in NumPy (a new axis), not the integer the Slice below takes.
        raise ValueError(f"to_onnx: node {n.name!r}: a bool index is not exported, got {index!r}")
    starts, ends, axes, steps, drop = [], [], [], [], []
    big = np.iinfo(np.int64).max
    for ax, i in enumerate(items):
        if isinstance(i, int):
            starts.append(i)
            ends.append(i + 1 if i != -1 else big)
            steps.append(1)
            axes.append(ax)
            drop.append(ax)
        elif i != slice(None):
            step = 1 if i.step is None else i.step
            starts.append(i.start if i.start is not None else (0 if step > 0 else -1))
            ends.append(i.stop if i.stop is not None else (big if step > 0 else -big))
            steps.append(step)
            axes.append(ax)
    y = x
    if axes:
        y = b.add(
            "Slice",
            [x, b.ints(starts), b.ints(ends), b.ints(axes), b.ints(steps)],
            None if drop else out,
        )
    if drop:
        b.add("Squeeze", [y, b.ints(drop)], out)
    elif not axes:
        b.add("Identity", [x], out)


def _advanced_block(items: tuple) -> tuple[bool, int] | None:
    """For an index with integer arrays: whether NumPy moves their broadcast dimensions
    to the front (the arrays, with the ints among them, are not adjacent) and how many
    those are; None for indices the batched rule leaves to the per-direction loop."""
    if any(isinstance(i, bool) for i in items):
        return None  # a bool among arrays is a 0-d mask: NumPy's rules get subtle there
    where = [p for p, i in enumerate(items) if isinstance(i, (int, np.ndarray))]
    arrays = [items[p] for p in where]
    split = where[-1] - where[0] + 1 != len(where)
    return split, len(np.broadcast_shapes(*[np.shape(a) for a in arrays]))


def _getitem_batch(op, prims, tins, out, attrs, k):
    index = masks_as_integers(attrs["index"], np.shape(prims[0]))  # their dims are known here
    items = index if isinstance(index, tuple) else (index,)
    if not any(isinstance(i, np.ndarray) for i in items):
        return shifted(op, tins[0], attrs, index=(slice(None),) + items)
    block = _advanced_block(items)
    if block is None:
        return None  # once per direction instead
    r = shifted(op, tins[0], attrs, index=(slice(None),) + items)
    split, nb = block
    # Split arrays put their dimensions first, before the batch axis: move it back.
    return np.moveaxis(r, nb, 0) if split else r


GETITEM = defop(
    "getitem",
    lambda x, index: x[index],
    shape=by_example(lambda x, index: x[index]),
    dtype=same_dtype,
    linear=True,
    vjp=(_getitem_vjp,),
    saves=((),),
    meta=True,
    deriv=("1 at the selected elements",),
    doc=_getitem_prepare.__doc__,
    prepare=_getitem_prepare,
    names=no("indexing is written x[index]"),
    method="__getitem__",
    numpy=no("NumPy indexes with the [] operator"),
    cli=no("indexing is not in the grammar"),
    codegen=Codegen("{0}[{index}]"),
    onnx=Onnx(_getitem_onnx),
    batch=_getitem_batch,
)

SCATTER_ADD = defop(
    "scatter_add",
    _scatter_add,
    linear=True,
    shape=shape_attr,
    dtype=same_dtype,
    vjp=(lambda ns, g, out, x, shape, index: ns.getitem(g, index=index),),
    saves=((),),
    deriv=("1",),
    doc="zeros(shape) with x added at index (repeats accumulate)",
    names=no("internal: the gradient of indexing"),
    method=no("internal"),
    numpy=no("internal"),
    cli=no("internal"),
    codegen=Codegen(fresh=True),
    onnx=no(
        "ONNX ScatterND does not accumulate repeated indices before opset 16's "
        "reduction='add' on every runtime; export the forward graph instead"
    ),
    batch=_LOOP,
)

SCATTER_ADD_LIKE = defop(
    "scatter_add_like",
    lambda x, ref, index: _scatter_add(x, np.shape(ref), index),
    shape=lambda m, **a: getattr(m[1], "shape", ()),
    dtype=same_dtype,
    linear=True,
    vjp=(lambda ns, g, out, x, ref, index: ns.getitem(g, index=index), None),
    saves=((), ()),
    deriv=("1", ""),
    args=("x", "ref"),
    doc="zeros shaped like ref with x added at index (static graphs of unknown shape)",
    **_INTERNAL,
    onnx=no("see scatter_add"),
    batch=_LOOP,
)


# --------------------------------------------------------------------------- joining
def _concat_part(g, *xs, index, axis):
    axis = resolve_axis(axis, np.ndim(g), "concatenate")  # kept as given for unknown rank
    start = sum(x.shape[axis] for x in xs[:index])
    return g[(slice(None),) * axis + (slice(start, start + xs[index].shape[axis]),)]


def _concat_part_vjp(ns, g, out, inputs, needs, index, axis):
    # Linear in its first input: put g back in place, zeros elsewhere.
    parts = [g if j == index else ns.zeros_like(x) for j, x in enumerate(inputs[1:])]
    return [ns.concatenate(*parts, axis=axis) if needs[0] else None] + [None] * (len(inputs) - 1)


CONCAT_PART = defop(
    "concat_part",
    _concat_part,
    shape=lambda m, index, axis: getattr(m[index + 1], "shape", None),
    dtype=same_dtype,
    vjp=_concat_part_vjp,
    linear=True,
    deriv=("1",),
    doc="the slice of g that input `index` of a concatenation came from (unknown sizes)",
    **_INTERNAL,
    onnx=no("static graphs of unknown shape only"),
    batch=_LOOP,
)


def _concat_vjp(ns, g, out, inputs, needs, axis):
    if any(x.shape is None or x.shape[axis] is None for x in inputs):
        # Static graphs of unknown size along the axis: offsets are found when it runs.
        return [
            ns.concat_part(g, *inputs, index=i, axis=axis) if need else None
            for i, need in enumerate(needs)
        ]
    axis = resolve_axis(axis, len(inputs[0].shape), "concatenate")
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


def _concat_prepare(tensors: Sequence[Any], axis: int | None = 0) -> tuple:
    """Join tensors along an existing axis (``axis=None``: flattened first, as NumPy)."""
    tensors = tuple(tensors)
    if not tensors:
        raise ValueError("concatenate: need at least one tensor")
    if axis is None:
        tensors, axis = tuple(cg.reshape(t, (-1,)) for t in tensors), 0
    nd = ndim_of(tensors[0])
    if nd == 0:
        raise ValueError("concatenate: zero-dimensional tensors cannot be concatenated")
    return tensors, {"axis": one_axis(axis, nd, "concatenate", shape_of(tensors[0]))}


def _join_batch(op, prims, tins, out, attrs, k):
    ts = [
        t if t is not None else np.zeros((k,) + np.shape(p), np.result_type(p))
        for p, t in zip(prims, tins)
    ]
    return op.forward(*ts, **{**attrs, "axis": shift_axes(attrs["axis"], np.ndim(prims[0]))})


CONCATENATE = defop(
    "concatenate",
    lambda *xs, axis: np.concatenate(xs, axis=axis),
    linear=True,
    shape=_concat_shape,
    dtype=_promote_all,
    vjp=_concat_vjp,
    deriv=("1",),
    doc=_concat_prepare.__doc__,
    prepare=_concat_prepare,
    names=("concatenate", "concat"),
    method=no("a function of several arrays"),
    numpy=np.concatenate,
    cli=no("a function of several arrays"),
    codegen=Codegen(fresh=True),
    onnx=Onnx(
        lambda b, n, ins, out: b.add("Concat", ins, out, axis=int(n.attrs["axis"])), promote=True
    ),
    batch=_join_batch,
)


def _stack_vjp(ns, g, out, inputs, needs, axis):
    # A negative axis (kept as given for unknown rank) counts from the end: index there.
    def at(i):
        if axis < 0:
            return (Ellipsis, i) + (slice(None),) * (-axis - 1)
        return (slice(None),) * axis + (i,)

    return [ns.getitem(g, index=at(i)) if need else None for i, need in enumerate(needs)]


def _stack_prepare(tensors: Sequence[Any], axis: int = 0) -> tuple:
    """Join same-shaped tensors along a new axis."""
    tensors = tuple(tensors)
    if not tensors:
        raise ValueError("stack: need at least one tensor")
    nd = ndim_of(tensors[0])
    # An unknown rank keeps the axis as given (one_axis); NumPy places it when it runs.
    return tensors, {"axis": one_axis(axis, None if nd is None else nd + 1, "stack")}


def _stack_onnx(b, n, ins, out):
    parts = [b.add("Unsqueeze", [x, b.ints([n.attrs["axis"]])]) for x in ins]
    b.add("Concat", parts, out, axis=int(n.attrs["axis"]))


STACK = defop(
    "stack",
    lambda *xs, axis: np.stack(xs, axis=axis),
    linear=True,
    shape=_stack_shape,
    dtype=_promote_all,
    vjp=_stack_vjp,
    deriv=("1",),
    doc=_stack_prepare.__doc__,
    prepare=_stack_prepare,
    method=no("a function of several arrays"),
    numpy=np.stack,
    cli=no("a function of several arrays"),
    codegen=Codegen(fresh=True),
    onnx=Onnx(_stack_onnx, promote=True),
    batch=_join_batch,
)
