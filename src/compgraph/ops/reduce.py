"""Reductions and their inverses: sum, max, min, any, all, argmax, argmin, sum_to and
broadcast_to.

``axis`` attributes arrive normalised by the public functions: ``None`` or a
sorted tuple of non-negative ints; on a static-graph value of unknown rank, the axes
as the user gave them (possibly negative), which NumPy's reductions take as they are
and the rules resolve (:func:`~compgraph.ops.args.resolve_axis`) once the rank is known.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .args import empty_axis, ndim_of, normalize_axis, resolve_axis, shape_of
from .batch import aligned, shift_axes, shifted
from .meta import Meta, floating, reduced, same_dtype, same_shape, shape_attr
from .registry import PUBLIC, defop
from .spec import Codegen, Facts, Onnx, no, same_meta

__all__ = [
    "SUM",
    "MAX",
    "MIN",
    "SUM_TO",
    "BROADCAST_TO",
    "SUM_TO_LIKE",
    "BROADCAST_LIKE",
    "ZEROS_LIKE",
    "ONES_LIKE",
    "COUNT",
    "LOG_SOFTMAX",
    "ARGMAX",
    "ARGMIN",
    "sum_to_shape",
    "sum_prepare",
    "reduced_shape",
    "keep_reduced",
    "reduce_onnx",
    "sum_dtype",
    "no_out",
]

_add_reduce = np.add.reduce
_max_reduce = np.maximum.reduce
_min_reduce = np.minimum.reduce

_INTERNAL: dict[str, Any] = dict(
    names=no("internal: gradients of broadcasting and of static graphs"),
    method=no("internal"),
    numpy=no("internal"),
    cli=no("internal"),
)
_NO_CLI = no("takes axes; the command line calls one-argument functions")


def _keepdims_shape(shape, axis):
    if axis is None:
        return (1,) * len(shape)
    if axis and min(axis) < 0:  # kept as given (unknown rank when the node was built)
        axis = resolve_axis(axis, len(shape), "reduction")
    return tuple(1 if i in axis else d for i, d in enumerate(shape))


def reduced_shape(name: str) -> Any:
    """The ``reduced`` shape rule, with axes kept as given (unknown rank when the node
    was built) resolved against the rank known now."""

    def rule(metas, axis=None, keepdims=False, **attrs):
        m = metas[0]
        shape = m.shape if isinstance(m, Meta) else ()
        if shape is not None:
            axis = resolve_axis(axis, len(shape), name)
        return reduced(metas, axis=axis, keepdims=keepdims)

    rule.__name__ = f"{name}_shape"
    return rule


def _unreduce(ns, g, x, axis, keepdims):
    """Bring a reduced gradient back to x's shape (a broadcast view)."""
    shape = x.shape
    if shape is None or None in shape:
        # Static graphs of unknown shape: the same, with shapes taken at run time.
        if not keepdims and axis is not None:
            g = ns.expand_dims(g, axis=axis)
        return ns.broadcast_like(g, x)
    if not keepdims and axis is not None:  # (a full reduction's 0-d g broadcasts as is)
        g = ns.reshape(g, shape=_keepdims_shape(shape, axis))
    return ns.broadcast_to(g, shape=shape)


def sum_dtype(metas: Any, acc: Any = None, **attrs: Any) -> Any:
    """The dtype of sum, prod and the scans: ``acc`` (their ``dtype=``), else NumPy's."""
    if acc is not None:  # the dtype= of the public functions: the accumulator's
        return np.dtype(acc)
    d = same_dtype(metas)
    return None if d is None else np.sum(np.zeros(1, d)).dtype  # bools and small ints widen


def _call(name: str, *args: Any) -> Any:
    fn: Any = PUBLIC[name].function  # (the public functions are built on these ops)
    return fn(*args)


def no_out(name: str, out: Any) -> None:
    """NumPy's ``out=`` is refused: results are new tensors."""
    if out is not None:
        raise TypeError(f"{name}: out= is not supported (results are new tensors)")


def _axes(name: str, x: Any, axis: Any, keepdims: Any, empty: bool = True) -> dict:
    axes = normalize_axis(axis, ndim_of(x), name, shape_of(x))
    if not empty and empty_axis(x, axes):
        raise ValueError(f"{name}: cannot reduce an empty axis of shape {shape_of(x)}")
    return {"axis": axes, "keepdims": bool(keepdims)}


def sum_prepare(name: str, neutral: int) -> Any:
    """``prepare`` of sum and prod: NumPy's signature; ``where=`` masks with the neutral
    element; a bool in ``dtype``'s place is ``keepdims`` (``t.sum(-1, True)``, torch's
    order, which compgraph took before)."""

    def prepare(
        a: Any,
        axis: Any = None,
        dtype: Any = None,
        out: Any = None,
        keepdims: Any = False,
        *,
        where: Any = True,
    ) -> tuple:
        if axis is None and dtype is None and out is None and where is True:
            if keepdims is False:  # (the usual call, without _axes's checks)
                return (a,), {"axis": None, "keepdims": False}
        if isinstance(dtype, bool):
            dtype, keepdims = None, dtype
        no_out(name, out)
        if where is not True:
            a = _call("where", where, a, neutral)
        attrs = _axes(name, a, axis, keepdims)
        if dtype is not None:
            attrs["acc"] = dtype = np.dtype(dtype)
            if dtype.kind not in "fc":  # an integer result: no gradient, as astype's
                a = _call("stop_gradient", a)
        return (a,), attrs

    prepare.__name__ = name
    return prepare


def _extreme_prepare(name: str):
    def prepare(
        a: Any, axis: Any = None, out: Any = None, keepdims: Any = False, **kw: Any
    ) -> tuple:
        if isinstance(out, bool):  # (a, axis, keepdims): compgraph's older order
            out, keepdims = None, out
        no_out(name, out)
        if kw:
            raise TypeError(f"{name}: initial= and where= are not supported")
        return (a,), _axes(name, a, axis, keepdims, empty=False)

    prepare.__name__ = name
    return prepare


def reduce_onnx(kind: str) -> Any:
    """ONNX's Reduce<kind> of a reduction node (axes, keepdims)."""

    def emit(b, n, ins, out):
        axes = n.attrs.get("axis")
        extra = [] if axes is None else [b.ints(axes)]
        b.add(kind, ins + extra, out, keepdims=int(bool(n.attrs.get("keepdims"))))

    return emit


def _sum_batch(op, prims, tins, out, attrs, k):
    return shifted(op, tins[0], attrs, axis=shift_axes(attrs.get("axis"), np.ndim(prims[0])))


SUM = defop(
    # The ufunc reductions are what np.sum / np.max call, without their Python wrappers.
    "sum",
    lambda x, axis=None, keepdims=False, acc=None: _add_reduce(
        x, axis=axis, keepdims=keepdims, dtype=acc
    ),
    shape=reduced_shape("sum"),
    dtype=sum_dtype,
    vjp=(
        lambda ns, g, out, x, axis=None, keepdims=False, acc=None: _unreduce(
            ns, g, x, axis, keepdims
        ),
    ),
    linear=True,
    saves=((),),
    meta=True,
    deriv=("1",),
    doc="Sum over ``axis`` (None: all; int or tuple, negative allowed), accumulated in ``dtype``.",
    prepare=sum_prepare("sum", 0),
    method="sum",
    numpy=np.sum,
    cli=_NO_CLI,
    # np.sum's Python wrapper costs more than the reduction on small arrays.
    codegen=Codegen(
        lambda n: (
            "_add_reduce({0}, axis={axis}, keepdims={keepdims}"
            + (", dtype={acc})" if "acc" in n.attrs else ")")
        ),
        {"_add_reduce": _add_reduce},
    ),
    onnx=Onnx(reduce_onnx("ReduceSum"), cast_input=True),
    batch=_sum_batch,
)


def keep_reduced(ns: Any, v: Any, x: Any, axis: Any) -> Any:
    """A reduced value with its reduced axes back, as length 1 (keepdims=True)."""
    if axis is None:
        return v  # a scalar: it broadcasts against x as it is
    if x.shape is None or None in x.shape:  # static graphs: NumPy places the axes
        return ns.expand_dims(v, axis=axis)
    return ns.reshape(v, shape=_keepdims_shape(x.shape, axis))


def _extreme_rule(ns, g, out, x, axis=None, keepdims=False):
    # Ties share the gradient evenly (PyTorch's amax/amin convention).
    if not keepdims:
        g = keep_reduced(ns, g, x, axis)
        out = keep_reduced(ns, out, x, axis)
    mask = x == out
    count = ns.astype(ns.sum(mask, axis=axis, keepdims=True), dtype=g.dtype)
    return ns.masked(g / count, mask)


def _extreme_jvp(ns, t, out, x, axis=None, keepdims=False):
    # Not derivable from the VJP (the op is neither elementwise nor linear).
    if not keepdims:
        out = keep_reduced(ns, out, x, axis)
    mask = x == out
    count = ns.astype(ns.sum(mask, axis=axis, keepdims=True), dtype=t.dtype)
    return ns.sum(ns.where(mask, t, 0) / count, axis=axis, keepdims=keepdims)


_LOOP = no("a tie mask per reduction: the rule runs once per direction")

MAX = defop(
    "max",
    lambda x, axis=None, keepdims=False: _max_reduce(x, axis=axis, keepdims=keepdims),
    shape=reduced_shape("max"),
    dtype=same_dtype,
    vjp=(_extreme_rule,),
    jvp=(_extreme_jvp,),
    saves=((0,),),
    save_out=True,
    deriv=("1 where x is the maximum else 0",),
    doc="Maximum over ``axis``; tied maxima share the gradient evenly.",
    prepare=_extreme_prepare("max"),
    names=("max", "amax"),
    method="max",
    numpy=(np.max, np.amax),
    cli=_NO_CLI,
    onnx=Onnx(reduce_onnx("ReduceMax"), cast_input=True),
    batch=_LOOP,
)

MIN = defop(
    "min",
    lambda x, axis=None, keepdims=False: _min_reduce(x, axis=axis, keepdims=keepdims),
    shape=reduced_shape("min"),
    dtype=same_dtype,
    vjp=MAX.vjp,
    jvp=MAX.jvp,
    saves=((0,),),
    save_out=True,
    deriv=("1 where x is the minimum else 0",),
    doc="Minimum over ``axis``; tied minima share the gradient evenly.",
    prepare=_extreme_prepare("min"),
    names=("min", "amin"),
    method="min",
    numpy=(np.min, np.amin),
    cli=_NO_CLI,
    onnx=Onnx(reduce_onnx("ReduceMin"), cast_input=True),
    batch=_LOOP,
)


def _broadcast_to(x: Any, shape: Any) -> Any:
    """``np.broadcast_to``: a read-only view.  For a C-contiguous ndarray or NumPy
    scalar the view is made directly with zero strides on the broadcast axes (NumPy's
    own builds an nditer: ~4 us, the most of a ``sum``'s backward step)."""
    shape = tuple(shape)
    if type(x) is np.ndarray and x.flags.c_contiguous or isinstance(x, np.generic):
        xs = np.shape(x)
        lead = len(shape) - len(xs)
        if lead >= 0 and all(type(d) is int and d >= 0 for d in shape):
            strides = [0] * lead
            step = x.itemsize
            ok = True
            for k in range(len(xs) - 1, -1, -1):  # C-order strides of x, 0 where broadcast
                d, want = xs[k], shape[k + lead]
                if d == want and d != 1:
                    strides.insert(lead, step)
                elif d == 1:
                    strides.insert(lead, 0)
                else:
                    ok = False
                    break
                step *= d
            if ok and x.dtype.hasobject is False:
                try:
                    view = np.ndarray(shape, x.dtype, x, 0, tuple(strides))
                except (TypeError, ValueError):  # (no buffer to share: NumPy's way)
                    return np.broadcast_to(x, shape)
                view.flags.writeable = False
                return view
    return np.broadcast_to(x, shape)


def sum_to_shape(x, shape):
    """Sum ``x`` down to ``shape`` (the inverse of broadcasting); ValueError if impossible."""
    shape = tuple(shape)
    xs = np.shape(x)
    if xs == shape:
        return x
    lead = len(xs) - len(shape)
    if shape and lead > 0 and xs[lead:] == shape:  # only leading axes were broadcast
        return _add_reduce(x, axis=tuple(range(lead)))
    if lead < 0 or any(d != 1 and d != xs[i + lead] for i, d in enumerate(shape)):
        raise ValueError(f"cannot sum an array of shape {xs} down to shape {shape}")
    axes = tuple(range(lead)) + tuple(
        i + lead for i, d in enumerate(shape) if d == 1 and xs[i + lead] != 1
    )
    r = _add_reduce(x, axis=axes, keepdims=True) if axes else x
    return np.reshape(r, shape)


def _sum_to_expr(n: Any) -> str | None:
    src, dst = n.inputs[0].shape, tuple(n.attrs["shape"])
    if src is None or None in src:
        return None
    if tuple(src) == dst:
        return "{0}"
    lead = len(src) - len(dst)
    if lead > 0 and tuple(src[lead:]) == dst:
        return f"_add_reduce({{0}}, axis={tuple(range(lead))!r})"
    return None


def _sum_to_onnx(b, n, ins, out):
    src = b.known_shape(n)
    target = tuple(n.attrs["shape"]) if "shape" in n.attrs else b.known_shape(n, 1)
    lead = len(src) - len(target)
    axes = list(range(lead)) + [
        k + lead for k, d in enumerate(target) if d == 1 and src[k + lead] != 1
    ]
    r = b.add("ReduceSum", [ins[0], b.ints(axes)], keepdims=1) if axes else ins[0]
    b.add("Reshape", [r, b.ints(target)], out)


SUM_TO = defop(
    "sum_to",
    sum_to_shape,
    linear=True,
    shape=shape_attr,
    dtype=same_dtype,
    vjp=(lambda ns, g, out, x, shape: ns.broadcast_to(g, shape=x.shape),),
    saves=((),),
    meta=True,
    deriv=("1",),
    doc="sum a broadcast array back to a shape",
    **_INTERNAL,
    codegen=Codegen(_sum_to_expr, {"_add_reduce": _add_reduce}),
    onnx=Onnx(_sum_to_onnx),
    facts=Facts(noop=same_meta),
    batch=no("the summed axes depend on the shapes: the rule runs once per direction"),
)


def _broadcast_prepare(x: Any, shape: Any) -> tuple:
    """Broadcast to ``shape`` (gradients are summed back)."""
    shape = (shape,) if isinstance(shape, (int, np.integer)) else shape
    return (x,), {"shape": tuple(int(s) for s in shape)}


def _broadcast_batch(op, prims, tins, out, attrs, k):
    t = aligned(tins[0], len(attrs["shape"]))
    return shifted(op, t, attrs, shape=(k,) + tuple(attrs["shape"]))


BROADCAST_TO = defop(
    "broadcast_to",
    _broadcast_to,
    linear=True,
    shape=shape_attr,
    dtype=same_dtype,
    vjp=(lambda ns, g, out, x, shape: ns.sum_to(g, shape=x.shape),),
    saves=((),),
    meta=True,
    deriv=("1",),
    doc=_broadcast_prepare.__doc__,
    prepare=_broadcast_prepare,
    method=no("NumPy arrays have no broadcast_to method"),
    numpy=np.broadcast_to,
    cli=_NO_CLI,
    onnx=Onnx(lambda b, n, ins, out: b.add("Expand", [ins[0], b.ints(n.attrs["shape"])], out)),
    facts=Facts(noop=same_meta),
    batch=_broadcast_batch,
)


def _like_shape(metas, **attrs):
    ref = metas[1]
    return getattr(ref, "shape", ())


_UNKNOWN = no("static graphs of unknown shape only: the rule runs once per direction")

SUM_TO_LIKE = defop(
    "sum_to_like",
    lambda x, ref: sum_to_shape(x, np.shape(ref)),
    linear=True,
    shape=_like_shape,
    dtype=same_dtype,
    vjp=(lambda ns, g, out, x, ref: ns.broadcast_like(g, x), None),
    saves=((0,), ()),
    deriv=("1", ""),
    args=("x", "ref"),
    doc="sum x down to ref's shape (static graphs whose shapes are unknown)",
    **_INTERNAL,
    onnx=Onnx(_sum_to_onnx),
    facts=Facts(noop=same_meta),
    batch=_UNKNOWN,
)

BROADCAST_LIKE = defop(
    "broadcast_like",
    lambda x, ref: np.broadcast_to(x, np.shape(ref)),
    linear=True,
    shape=_like_shape,
    dtype=same_dtype,
    vjp=(lambda ns, g, out, x, ref: ns.sum_to_like(g, x), None),
    saves=((0,), ()),
    deriv=("1", ""),
    args=("x", "ref"),
    doc="broadcast x to ref's shape (static graphs whose shapes are unknown)",
    **_INTERNAL,
    onnx=Onnx(lambda b, n, ins, out: b.add("Expand", [ins[0], b.ints(b.known_shape(n, 1))], out)),
    facts=Facts(noop=same_meta),
    batch=_UNKNOWN,
)


def _fill_onnx(value: int):
    def emit(b, n, ins, out):
        b.add(
            "ConstantOfShape",
            [b.add("Shape", ins)],
            out,
            value=b.tensor(np.full(1, value, n.dtype)),
        )

    return emit


_FILLED: dict[str, Any] = dict(
    names=no("cg.zeros_like / cg.ones_like make new Tensors; this op is their static-graph form"),
    method=no("not a method"),
    numpy=no("np.zeros_like(t) makes an ndarray"),
    cli=no("not differentiable"),
)

ZEROS_LIKE = defop(
    "zeros_like",
    lambda x: np.zeros_like(x),
    shape=lambda m, **a: getattr(m[0], "shape", ()),
    dtype=same_dtype,
    doc="zeros of x's shape and dtype (no gradient)",
    **_FILLED,
    codegen=Codegen(fresh=True),
    onnx=Onnx(_fill_onnx(0)),
    facts=Facts(fill=0),
)
ONES_LIKE = defop(
    "ones_like",
    lambda x: np.ones_like(x),
    shape=lambda m, **a: getattr(m[0], "shape", ()),
    dtype=same_dtype,
    doc="ones of x's shape and dtype (no gradient)",
    **_FILLED,
    codegen=Codegen(fresh=True),
    onnx=Onnx(_fill_onnx(1)),
    facts=Facts(fill=1),
)


def _count(x, axis=None):
    shape = np.shape(x)
    axis = resolve_axis(axis, len(shape), "mean")  # kept as given for unknown rank
    n = int(np.prod([shape[a] for a in (axis if axis is not None else range(len(shape)))]))
    return np.asarray(n, dtype=np.result_type(x, 1.0)).astype(np.result_type(x, 1.0))[()]


def _count_onnx(b, n, ins, out):
    if n.attrs.get("axis") is None:
        size = b.add("Size", [ins[0]])
    else:
        dims = b.add("Gather", [b.add("Shape", [ins[0]]), b.ints(n.attrs["axis"])], axis=0)
        size = b.add("ReduceProd", [dims], keepdims=0)
    b.add("Cast", [size], out, to=b.elem(n.dtype))


COUNT = defop(
    "reduced_count",
    _count,
    shape=lambda m, **a: (),
    dtype=lambda m, **a: (
        None if getattr(m[0], "dtype", None) is None else np.result_type(m[0].dtype, 1.0)
    ),
    doc="number of elements a reduction over axis combines (no gradient); "
    "lets mean work on static-graph values of unknown shape",
    **_INTERNAL,
    onnx=Onnx(_count_onnx),
)


# --------------------------------------------------------------------------- log_softmax
# One primitive instead of seven (max, subtract, exp, sum, log, add, subtract): the
# classifier losses run it every step, and its rules are short and exact.
def _log_softmax(x, axis):
    x = np.asarray(x)
    if x.dtype.kind not in "fc":
        x = x.astype(np.float64)
    if (
        x.ndim == 2
        and axis in ((1,), (-1,), 1, -1)
        and 1 < x.shape[1] <= 64
        and x.shape[0] >= 4 * x.shape[1]
    ):
        # Classifier logits (batch, few classes): reductions along a short contiguous
        # axis are slow in NumPy; on the transposed copy they are long vector ops.
        xt = x.T.copy()
        m = np.maximum.reduce(xt, axis=0)
        if np.isfinite(m).all():
            xt -= m
            xt -= np.log(np.add.reduce(np.exp(xt), axis=0))
            return np.ascontiguousarray(xt.T)
    m = _max_reduce(x, axis=axis, keepdims=True)
    if np.isfinite(m).all():
        s = x - m
        # The largest entry adds exp(0) = 1, so the sum is >= 1: no log(0) here.
        s -= np.log(_add_reduce(np.exp(s), axis=axis, keepdims=True))
        return s
    # A slice holding +inf is NaN throughout, as torch.log_softmax gives (inf - inf).  A
    # slice of all -inf is -inf throughout (every entry has probability 0), where torch
    # gives NaN: log_softmax is logsumexp's companion, and logsumexp of it is -inf.
    with np.errstate(invalid="ignore", divide="ignore"):
        s = x - m
        s -= np.log(_add_reduce(np.exp(s), axis=axis, keepdims=True))
    return np.where(m == -np.inf, -np.inf, s).astype(s.dtype, copy=False)


def _log_softmax_prepare(x: Any, axis: int = -1) -> tuple:
    """``x - logsumexp(x)`` along ``axis``, computed stably.  A slice holding +inf gives NaN
    (as torch.log_softmax); a slice of all -inf gives -inf (torch gives NaN there: a
    deliberate difference, so that it agrees with logsumexp, which is -inf)."""
    axes = normalize_axis(axis, ndim_of(x), "log_softmax", shape_of(x))
    if empty_axis(x, axes):
        raise ValueError(f"log_softmax: cannot normalise over an empty axis of shape {shape_of(x)}")
    return (x,), {"axis": axes}


def _log_softmax_onnx(b, n, ins, out):
    x = b.cast(ins[0], n.inputs[0].dtype, n.dtype)
    axes = n.attrs["axis"]
    if axes is not None and len(axes) == 1:
        b.add("LogSoftmax", [x], out, axis=int(axes[0]))
        return
    extra = [] if axes is None else [b.ints(axes)]
    s = b.add("Sub", [x, b.add("ReduceMax", [x] + extra, keepdims=1)])
    lse = b.add("Log", [b.add("ReduceSum", [b.add("Exp", [s])] + extra, keepdims=1)])
    b.add("Sub", [s, lse], out)


LOG_SOFTMAX = defop(
    "log_softmax",
    _log_softmax,
    shape=same_shape,
    dtype=floating,
    vjp=(lambda ns, g, out, x, axis: g - ns.exp(out) * ns.sum(g, axis=axis, keepdims=True),),
    # Not derivable from the VJP: the Jacobian is symmetric, but the rule reads out.
    jvp=(lambda ns, t, out, x, axis: t - ns.sum(ns.exp(out) * t, axis=axis, keepdims=True),),
    saves=((),),
    save_out=True,
    deriv=("1 - softmax(x) (diagonal), -softmax(x) (off it)",),
    doc=_log_softmax_prepare.__doc__,
    prepare=_log_softmax_prepare,
    method="log_softmax",
    numpy=no("NumPy has no log_softmax"),
    cli=_NO_CLI,
    codegen=Codegen(fresh=True),
    onnx=Onnx(_log_softmax_onnx),
    batch=no("normalises along axes of the primal: the rule runs once per direction"),
)


# --------------------------------------------------------------------------- argmax
def _arg_forward(f: Any) -> Any:
    def forward(x, axis=None, keepdims=False):
        r = f(x, axis=None if axis is None else axis[0], keepdims=keepdims)
        return r if isinstance(r, np.ndarray) else np.int64(r)

    return forward


def _arg_shape(name: str) -> Any:
    reduced_rule = reduced_shape(name)

    def rule(metas, axis=None, keepdims=False):
        if axis is not None and len(axis) != 1:
            raise ValueError(f"{name}: takes one axis or None, got {axis}")
        return reduced_rule(metas, axis=axis, keepdims=keepdims)

    return rule


def _arg_prepare(name: str) -> Any:
    def prepare(a: Any, axis: Any = None, out: Any = None, *, keepdims: Any = False) -> tuple:
        if isinstance(out, bool):  # (a, axis, keepdims): compgraph's older order
            out, keepdims = None, out
        no_out(name, out)
        if axis is not None and (not isinstance(axis, (int, np.integer)) or isinstance(axis, bool)):
            raise TypeError(f"{name}: axis must be an int or None, got {axis!r}")
        shape = shape_of(a)
        axes = None if axis is None else normalize_axis(axis, ndim_of(a), name, shape)
        if shape is not None and (0 in shape if axes is None else shape[axes[0]] == 0):
            raise ValueError(f"{name}: cannot take the {name} of an empty axis of shape {shape}")
        return (a,), {"axis": axes, "keepdims": bool(keepdims)}

    prepare.__name__ = name
    return prepare


def _arg_onnx(kind: str) -> Any:
    def emit(b, n, ins, out):
        axes, keep = n.attrs.get("axis"), int(bool(n.attrs.get("keepdims")))
        if axes is not None:
            b.add(kind, ins, out, axis=int(axes[0]), keepdims=keep)
            return
        flat = b.add("Reshape", [ins[0], b.ints([-1])])  # of the flattened array
        r = b.add(kind, [flat], axis=0, keepdims=0)
        if keep:
            b.add("Reshape", [r, b.ints([1] * len(n.inputs[0].shape))], out)
        else:
            b.add("Identity", [r], out)

    return Onnx(emit)


def _arg(name: str, f: Any, which: str) -> Any:
    return defop(
        name,
        _arg_forward(f),
        shape=_arg_shape(name),
        dtype=lambda m, **a: np.dtype(np.int64),
        doc=f"Index of the {which} value along ``axis`` (of the flattened array when None); "
        f"the first one among ties, NaN counting as {which} (NumPy's and torch's rule). "
        "Integer results, no gradient.",
        prepare=_arg_prepare(name),
        method=name,
        numpy=f,
        cli=no("not differentiable"),
        onnx=_arg_onnx("ArgMax" if name == "argmax" else "ArgMin"),
    )


ARGMAX = _arg("argmax", np.argmax, "largest")
ARGMIN = _arg("argmin", np.argmin, "smallest")


# --------------------------------------------------------------------------- any, all
def _logical_prepare(name: str) -> Any:
    def prepare(
        a: Any, axis: Any = None, out: Any = None, keepdims: Any = False, *, where: Any = True
    ) -> tuple:
        no_out(name, out)
        if where is not True:  # masked out: the neutral element (False for any)
            a = _call("where", where, a, name == "all")
        return (a,), _axes(name, a, axis, keepdims)

    prepare.__name__ = name
    return prepare


def _reducer(reduce: Any) -> Any:
    return lambda x, axis=None, keepdims=False: reduce(x, axis=axis, keepdims=keepdims)


for _name, _ufunc, _what in (("any", np.logical_or, "any"), ("all", np.logical_and, "every")):
    defop(
        _name,
        _reducer(_ufunc.reduce),
        shape=reduced_shape(_name),
        dtype=lambda m, **a: np.dtype(bool),
        doc=f"Whether {_what} element along ``axis`` is true (nonzero, NaN included); no gradient.",
        prepare=_logical_prepare(_name),
        method=_name,
        numpy=getattr(np, _name),
        cli=no("not differentiable"),
        onnx=no("ONNX's ReduceMin/ReduceMax take no booleans before opset 20"),
    )
