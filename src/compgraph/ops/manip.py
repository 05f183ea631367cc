"""NumPy's shape functions (ravel, tile, repeat, roll, flip, pad, split, stacks, diagonals,
triangles, take ...), differentiable.

Most are composites of the shape primitives (reshape, transpose, getitem, broadcast_to,
concatenate, where), written with the public functions (:data:`cg`), so their
derivatives and forward mode are those primitives'.  The primitives here are ``roll``,
``pad``, ``diagonal`` and ``diag_embed`` (each the other's transpose): one NumPy call
each, with rules that are one NumPy call too.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from .args import ndim_of, normalize_axis, one_axis, plain, shape_of
from .batch import shift_axes
from .meta import Meta, same_dtype, same_shape
from .namespace import cg
from .registry import defop, defpublic
from .spec import Codegen, Method, Onnx, no

__all__ = [
    "ROLL",
    "REPEAT",
    "PAD",
    "DIAGONAL",
    "DIAG_EMBED",
    "cg",
    "axes_of",
    "known_shape",
    "ravel",
    "moveaxis",
    "permute_dims",
    "matrix_transpose",
    "flip",
    "fliplr",
    "flipud",
    "rot90",
    "tile",
    "split",
    "array_split",
    "hsplit",
    "vsplit",
    "dsplit",
    "unstack",
    "atleast_1d",
    "atleast_2d",
    "atleast_3d",
    "vstack",
    "hstack",
    "dstack",
    "column_stack",
    "broadcast_arrays",
    "meshgrid",
    "diag",
    "diagflat",
    "trace",
    "tril",
    "triu",
    "take",
    "take_along_axis",
    "put_along_axis",
]


_CLI = no("takes shapes or axes; the command line calls one-argument functions of numbers")
_SEVERAL = no("a function of several arrays")


def known_shape(x: Any, where: str) -> tuple:
    """``x``'s shape, which this function needs to know (static values: declare it)."""
    s = shape_of(x)
    if s is None or None in s:
        raise ValueError(
            f"{where}: needs the shape of its input, unknown here; declare shapes with "
            f"g.input(..., shape=)"
        )
    return s


def axes_of(axis: Any, nd: int, where: str) -> list:
    """Axes in the order given, non-negative, without repeats."""
    axes = [one_axis(a, nd, where) for a in ((axis,) if np.ndim(axis) == 0 else axis)]
    if len(set(axes)) != len(axes):
        raise ValueError(f"{where}: repeated axis in {axis!r}")
    return axes


def _val(x: Any) -> Any:
    return cg.asarray(x)


def _index(ax: int, item: Any) -> tuple:
    return (slice(None),) * ax + (item,)


def _one_or_tuple(out: list) -> Any:
    return out[0] if len(out) == 1 else tuple(out)


# --------------------------------------------------------------------------- roll
def _roll_prepare(a: Any, shift: Any, axis: Any = None) -> tuple:
    """Shift elements along ``axis`` (the flattened array when None), wrapping around."""
    if axis is None:
        return (a,), {"shift": int(np.sum(shift)), "axis": None}
    nd = ndim_of(a)
    pairs = np.broadcast(np.asarray(shift), np.asarray(axis))
    if pairs.ndim > 1:
        raise ValueError("roll: shift and axis must be ints or 1-D sequences")
    total: dict = {}
    for s, ax in pairs:
        ax = one_axis(ax, nd, "roll", shape_of(a))
        total[ax] = total.get(ax, 0) + int(s)
    return (a,), {"shift": tuple(total.values()), "axis": tuple(total)}


def _roll_batch(op, prims, tins, out, attrs, k):
    t, axis = tins[0], attrs["axis"]
    if axis is None:
        return np.roll(t.reshape(k, -1), attrs["shift"], 1).reshape(t.shape)
    return np.roll(t, attrs["shift"], shift_axes(axis, np.ndim(prims[0])))


def _negated(shift: Any) -> Any:
    return -shift if isinstance(shift, int) else tuple(-s for s in shift)


ROLL = defop(
    "roll",
    lambda x, shift, axis: np.roll(x, shift, axis),
    linear=True,
    shape=same_shape,
    dtype=same_dtype,
    vjp=(lambda ns, g, out, x, shift, axis: ns.roll(g, shift=_negated(shift), axis=axis),),
    saves=((),),
    deriv=("1 (shifted back)",),
    doc=_roll_prepare.__doc__,
    prepare=_roll_prepare,
    method=no("ndarray has no roll method"),
    numpy=np.roll,
    cli=_CLI,
    codegen=Codegen(fresh=True),
    onnx=no("ONNX has no roll; slices and a concatenation would do"),
    batch=_roll_batch,
)


# --------------------------------------------------------------------------- pad
_PAD_MODES = ("constant", "edge", "reflect", "symmetric", "wrap")


def _pairs(v: Any, nd: int, where: str, integer: bool = True) -> tuple:
    if type(v) is int and v >= 0:
        return ((v, v),) * nd
    a = np.asarray(plain(v))
    if integer:
        if a.dtype.kind not in "iub":
            a = np.round(a)  # as NumPy
        if (a < 0).any():
            raise ValueError(f"{where}: index can't contain negative values")
    try:
        b = np.broadcast_to(a, (nd, 2))
    except ValueError:
        raise ValueError(
            f"{where}: {v!r} does not fit an array of {nd} dimensions: give "
            f"((before, after),) per axis, (before, after) or one number"
        ) from None
    return tuple((int(p), int(q)) if integer else (p.item(), q.item()) for p, q in b)


_TF_PAD_MODES = {"CONSTANT": "constant", "REFLECT": "reflect", "SYMMETRIC": "symmetric"}


def _pad_prepare(
    array: Any,
    pad_width: Any = None,
    mode: str = "constant",
    *,
    paddings: Any = None,
    name: Any = None,
    **kwargs: Any,
) -> tuple:
    """``np.pad`` in the modes constant, edge, reflect, symmetric and wrap (and empty,
    filled with zeros here); linear in the array (affine with nonzero constant values).
    TensorFlow's ``tf.pad(tensor, paddings, mode="CONSTANT", constant_values=0)``
    too: ``paddings`` is ``pad_width`` and the modes CONSTANT, REFLECT and SYMMETRIC
    (any case but NumPy's lower case) are NumPy's constant, reflect and symmetric,
    with TensorFlow's limits (REFLECT pads at most size - 1, SYMMETRIC at most size)."""
    if paddings is not None:
        if pad_width is not None:
            raise TypeError("pad: give pad_width (NumPy's) or paddings (TensorFlow's), not both")
        pad_width = paddings
    if pad_width is None:
        raise TypeError("pad: missing the argument pad_width (TensorFlow's paddings)")
    nd = ndim_of(array)
    if nd is None:
        raise ValueError("pad: needs the number of dimensions of its input")
    tf_mode = None
    if isinstance(mode, str) and mode != mode.lower() and mode.upper() in _TF_PAD_MODES:
        tf_mode, mode = mode.upper(), _TF_PAD_MODES[mode.upper()]
        if tf_mode != "CONSTANT":
            kwargs.pop("constant_values", None)  # (TensorFlow ignores it there)
    if mode == "empty":
        mode = "constant"
    elif mode not in _PAD_MODES:
        raise NotImplementedError(
            f"pad: mode {mode!r} is not differentiable here; use one of {', '.join(_PAD_MODES)}"
        )
    if kwargs.pop("reflect_type", "even") != "even":
        raise NotImplementedError("pad: only reflect_type='even' is supported")
    value = kwargs.pop("constant_values", 0) if mode == "constant" else 0
    if kwargs:
        raise TypeError(f"pad: unexpected keyword arguments for mode {mode!r}: {sorted(kwargs)}")
    value = plain(value) if np.ndim(value) == 0 else _pairs(value, nd, "pad", integer=False)
    if isinstance(value, (np.generic, np.ndarray)):
        value = value.item()
    width = _pairs(pad_width, nd, "pad")
    if tf_mode in ("REFLECT", "SYMMETRIC"):
        shape = known_shape(array, "pad")
        extra = 1 if tf_mode == "REFLECT" else 0
        for d, (n, (b, e)) in enumerate(zip(shape, width)):
            if max(b, e) > n - extra:
                raise ValueError(
                    f"pad: mode {tf_mode} pads at most {n - extra} element(s) on each side "
                    f"of axis {d} (size {n}), got paddings ({b}, {e}) for shape {shape}"
                )
    return (array,), {"pad_width": width, "mode": mode, "value": value}


def _pad(x, pad_width, mode, value):
    if mode == "constant":
        return np.pad(x, pad_width, mode, constant_values=value)
    return np.pad(x, pad_width, mode)


def _pad_vjp(ns, g, out, x, pad_width, mode, value):
    if mode == "constant":  # the padding is constant: crop it off
        return ns.getitem(g, index=tuple(slice(b, -a or None) for b, a in pad_width))
    # Each output element is one input element: padding the input's indices says which,
    # and the gradient adds the output's back onto them.
    shape = x.shape
    if shape is None or None in shape:
        raise ValueError(f"pad: the gradient of mode {mode!r} needs the input's shape")
    size = int(np.prod(shape))
    index = np.pad(np.arange(size).reshape(shape), pad_width, mode).ravel()
    flat = ns.scatter_add(ns.reshape(g, shape=(-1,)), shape=(size,), index=index)
    return ns.reshape(flat, shape=tuple(shape))


def _pad_shape(metas, pad_width, mode, value):
    s = metas[0].shape if isinstance(metas[0], Meta) else ()
    if s is None:
        return None
    return tuple(None if d is None else d + b + a for d, (b, a) in zip(s, pad_width))


def _pad_onnx(b, n, ins, out):
    mode, value, pw = n.attrs["mode"], n.attrs["value"], n.attrs["pad_width"]
    if mode not in ("constant", "edge", "reflect") or np.ndim(value):
        raise ValueError(f"to_onnx: pad mode {mode!r} with value {value!r} is not exported")
    pads = b.ints([p for p, _ in pw] + [q for _, q in pw])
    extra = [b.const(np.asarray(value, n.dtype))] if mode == "constant" else []
    b.add("Pad", [ins[0], pads, *extra], out, mode=mode)


PAD = defop(
    "pad",
    _pad,
    shape=_pad_shape,
    dtype=same_dtype,
    vjp=(_pad_vjp,),
    # Affine for constant values other than zero: the tangent is padded with zeros.
    jvp=(
        lambda ns, t, out, x, pad_width, mode, value: ns.pad(
            t, pad_width=pad_width, mode=mode, value=0
        ),
    ),
    saves=((),),
    meta=True,
    deriv=("1 (padding gathers input elements)",),
    doc=_pad_prepare.__doc__,
    prepare=_pad_prepare,
    method=no("ndarray has no pad method"),
    numpy=np.pad,
    cli=_CLI,
    codegen=Codegen(fresh=True),
    onnx=Onnx(_pad_onnx),
    batch=lambda op, prims, tins, out, attrs, k: _pad(
        tins[0], ((0, 0),) + attrs["pad_width"], attrs["mode"], 0
    ),
)


# --------------------------------------------------------------------------- diagonals
def _diagonal_prepare(a: Any, offset: int = 0, axis1: int = 0, axis2: int = 1) -> tuple:
    """The diagonal ``offset`` above the main one of the 2-D slices over ``axis1``
    and ``axis2``, as a new last axis (a read-only view, as NumPy's)."""
    nd, shape = ndim_of(a), shape_of(a)
    a1, a2 = (one_axis(ax, nd, "diagonal", shape) for ax in (axis1, axis2))
    if a1 == a2 or nd is not None and nd < 2:
        raise ValueError(f"diagonal: axis1 and axis2 must be two axes of shape {shape}")
    return (a,), {"offset": int(offset), "axis1": a1, "axis2": a2}


def _diag_len(n1: Any, n2: Any, offset: int) -> Any:
    if n1 is None or n2 is None:
        return None
    return max(0, min(n1 + min(offset, 0), n2 - max(offset, 0)))


def _diagonal_shape(metas, offset, axis1, axis2):
    s = metas[0].shape if isinstance(metas[0], Meta) else ()
    if s is None:
        return None
    a1, a2 = axis1 % len(s), axis2 % len(s)
    rest = tuple(d for i, d in enumerate(s) if i not in (a1, a2))
    return rest + (_diag_len(s[a1], s[a2], offset),)


def _diagonal_vjp(ns, g, out, x, offset, axis1, axis2):
    s = x.shape
    if s is None or None in s:
        raise ValueError("diagonal: its gradient needs the input's shape")
    dims = (s[axis1], s[axis2])
    return ns.diag_embed(g, offset=offset, axis1=axis1 % len(s), axis2=axis2 % len(s), dims=dims)


def _diag_embed(x, offset, axis1, axis2, dims):
    n1, n2 = dims
    z = np.zeros(np.shape(x)[:-1] + (n1, n2), np.result_type(x))
    n = _diag_len(n1, n2, offset)
    if np.shape(x)[-1] != n:
        raise ValueError(f"diag_embed: {np.shape(x)[-1]} values for a diagonal of {n}")
    flat = z.reshape(z.shape[:-2] + (n1 * n2,))  # the diagonal is a strided slice of it
    start = offset if offset >= 0 else -offset * n2
    flat[..., start : start + n * (n2 + 1) : n2 + 1] = x
    return np.moveaxis(z, (-2, -1), (axis1, axis2))


def _diag_embed_prepare(x: Any, offset: int = 0, dim1: int = -2, dim2: int = -1) -> tuple:
    """PyTorch's ``diag_embed``: the last axis of ``x`` on the diagonal ``offset`` of
    square matrices over the new axes ``dim1`` and ``dim2``, zeros elsewhere."""
    nd, shape = ndim_of(x), shape_of(x)
    if nd is None or shape is None or not nd or shape[-1] is None:
        raise ValueError(f"diag_embed: needs an input of known shape with an axis, got {shape}")
    a1, a2 = (one_axis(d, nd + 1, "diag_embed", shape) for d in (dim1, dim2))
    if a1 == a2:
        raise ValueError("diag_embed: dim1 and dim2 must differ")
    n = shape[-1] + abs(int(offset))
    return (x,), {"offset": int(offset), "axis1": a1, "axis2": a2, "dims": (n, n)}


def _embed_shape(metas, offset, axis1, axis2, dims):
    s = metas[0].shape if isinstance(metas[0], Meta) else ()
    if s is None:
        return None
    out = list(s[:-1])
    for ax, d in sorted(zip((axis1 % (len(s) + 1), axis2 % (len(s) + 1)), dims)):
        out.insert(ax, d)
    return tuple(out)


def _axes_batch(op, prims, tins, out, attrs, k):
    nd = np.ndim(prims[0]) + (op is DIAG_EMBED)  # the axes are the output's for diag_embed
    shifted = {a: shift_axes(attrs[a], nd) for a in ("axis1", "axis2")}
    return op.forward(tins[0], **{**attrs, **shifted})


DIAGONAL = defop(
    "diagonal",
    lambda x, offset, axis1, axis2: np.diagonal(x, offset, axis1, axis2),
    linear=True,
    shape=_diagonal_shape,
    dtype=same_dtype,
    vjp=(_diagonal_vjp,),
    saves=((),),
    meta=True,
    deriv=("1 on the diagonal",),
    doc=_diagonal_prepare.__doc__,
    prepare=_diagonal_prepare,
    method="diagonal",
    numpy=np.diagonal,
    cli=_CLI,
    onnx=no("ONNX has no diagonal"),
    batch=_axes_batch,
)

DIAG_EMBED = defop(
    "diag_embed",
    _diag_embed,
    linear=True,
    shape=_embed_shape,
    dtype=same_dtype,
    vjp=(
        lambda ns, g, out, x, offset, axis1, axis2, dims: ns.diagonal(
            g, offset=offset, axis1=axis1, axis2=axis2
        ),
    ),
    saves=((),),
    deriv=("1 onto the diagonal",),
    doc=_diag_embed_prepare.__doc__,
    prepare=_diag_embed_prepare,
    method=no("PyTorch's diag_embed is a function"),
    numpy=no("NumPy has no diag_embed"),
    cli=_CLI,
    codegen=Codegen(fresh=True),
    onnx=no("ONNX has no diagonal embedding"),
    batch=_axes_batch,
)


# --------------------------------------------------------------------------- repeat
def _repeat_prepare(a: Any, repeats: Any, axis: Any = None) -> tuple:
    """Each element repeated ``repeats`` times (an int, or one count per element) along
    ``axis`` (of the flattened array when None)."""
    if axis is None:
        a, axis = ravel(a), 0
    r = np.asarray(plain(repeats))
    if r.dtype.kind not in "iub" or r.ndim > 1 or (r < 0).any():
        raise ValueError(f"repeat: repeats must be non-negative integers, got {repeats!r}")
    ax = one_axis(axis, ndim_of(a), "repeat", shape_of(a))
    return (a,), {"repeats": int(r.ravel()[0]) if r.size == 1 else tuple(r.tolist()), "axis": ax}


def _repeat_vjp(ns, g, out, x, repeats, axis):
    s = x.shape
    if s is None or None in s:
        raise ValueError("repeat: its gradient needs the input's shape")
    ax = axis % len(s)
    if isinstance(repeats, int):  # sum each group of `repeats` copies
        return ns.sum(ns.reshape(g, shape=s[:ax] + (s[ax], repeats) + s[ax + 1 :]), axis=(ax + 1,))
    return ns.scatter_add(g, shape=s, index=_index(ax, np.repeat(np.arange(s[ax]), repeats)))


def _repeat_shape(metas, repeats, axis):
    s = metas[0].shape if isinstance(metas[0], Meta) else ()
    if s is None:
        return None
    ax = axis % len(s)
    d = sum(repeats) if isinstance(repeats, tuple) else None if s[ax] is None else s[ax] * repeats
    return s[:ax] + (d,) + s[ax + 1 :]


REPEAT = defop(
    "repeat",
    lambda x, repeats, axis: np.repeat(x, repeats, axis),
    linear=True,
    shape=_repeat_shape,
    dtype=same_dtype,
    vjp=(_repeat_vjp,),
    saves=((),),
    meta=True,
    deriv=("1 (copies add up)",),
    doc=_repeat_prepare.__doc__,
    prepare=_repeat_prepare,
    method="repeat",
    numpy=np.repeat,
    cli=_CLI,
    codegen=Codegen(fresh=True),
    onnx=no("ONNX has no repeat (Tile repeats whole arrays)"),
    batch=lambda op, prims, tins, out, attrs, k: np.repeat(
        tins[0], attrs["repeats"], shift_axes(attrs["axis"], np.ndim(prims[0]))
    ),
)


# --------------------------------------------------------------------------- composites
@defpublic(method="ravel", numpy=np.ravel, cli=_CLI)
def ravel(a: Any, order: str = "C") -> Any:
    """The elements as a 1-D array (``order="F"``: column by column)."""
    if ndim_of(a) == 1:
        return _val(a)
    return cg.reshape(cg.transpose(a) if order == "F" else a, (-1,))


@defpublic(method=no("ndarray has no moveaxis method"), numpy=np.moveaxis, cli=_CLI)
def moveaxis(a: Any, source: Any, destination: Any) -> Any:
    """Move axes to new positions, the others keeping their order."""
    nd = len(known_shape(a, "moveaxis"))
    src, dst = axes_of(source, nd, "moveaxis"), axes_of(destination, nd, "moveaxis")
    if len(src) != len(dst):
        raise ValueError(
            "moveaxis: `source` and `destination` must have the same number of elements"
        )
    order = [n for n in range(nd) if n not in src]
    for d, s in sorted(zip(dst, src)):
        order.insert(d, s)
    return cg.transpose(a, order)


@defpublic(method=no("see transpose"), numpy=no("np.permute_dims is np.transpose"), cli=_CLI)
def permute_dims(x: Any, axes: Any) -> Any:
    """The array API's name for ``transpose`` with ``axes``."""
    return cg.transpose(x, axes)


@defpublic(
    names=("matrix_transpose", "linalg.matrix_transpose"),
    method=Method("mT", prop=True),
    numpy=(np.matrix_transpose, np.linalg.matrix_transpose),
    cli=_CLI,
)
def matrix_transpose(x: Any) -> Any:
    """Transpose the last two axes (``x.mT``)."""
    if (ndim_of(x) or 2) < 2:
        raise ValueError(f"matrix_transpose: needs at least 2 dimensions, got {shape_of(x)}")
    return cg.swapaxes(x, -1, -2)


@defpublic(method=no("ndarray has no flip method"), numpy=np.flip, cli=_CLI)
def flip(m: Any, axis: Any = None) -> Any:
    """Reverse the order of elements along ``axis`` (all axes when None)."""
    m = _val(m)
    nd = len(known_shape(m, "flip"))
    axes = normalize_axis(axis, nd, "flip", shape_of(m))
    rev = slice(None, None, -1)
    return m[tuple(rev if axes is None or i in axes else slice(None) for i in range(nd))]


@defpublic(method=no("ndarray has no fliplr method"), numpy=np.fliplr, cli=_CLI)
def fliplr(m: Any) -> Any:
    """Reverse the columns (axis 1)."""
    if (ndim_of(m) or 0) < 2:
        raise ValueError("fliplr: input must be >= 2-d")
    return flip(m, 1)


@defpublic(method=no("ndarray has no flipud method"), numpy=np.flipud, cli=_CLI)
def flipud(m: Any) -> Any:
    """Reverse the rows (axis 0)."""
    if (ndim_of(m) or 0) < 1:
        raise ValueError("flipud: input must be >= 1-d")
    return flip(m, 0)


@defpublic(method=no("ndarray has no rot90 method"), numpy=np.rot90, cli=_CLI)
def rot90(m: Any, k: int = 1, axes: Any = (0, 1)) -> Any:
    """Rotate by 90 degrees ``k`` times in the plane of ``axes``."""
    m = _val(m)
    nd = len(known_shape(m, "rot90"))
    if len(axes) != 2:
        raise ValueError("rot90: len(axes) must be 2.")
    a, b = axes_of(axes, nd, "rot90")
    k %= 4
    if k == 0:
        return m
    if k == 2:
        return flip(flip(m, a), b)
    perm = list(range(nd))
    perm[a], perm[b] = b, a
    return cg.transpose(flip(m, b), perm) if k == 1 else flip(cg.transpose(m, perm), b)


def _spread(shape: tuple, reps: tuple) -> Any:
    """(s0, s1 ...) and (r0, r1 ...) as the interleaved (r0, s0, r1, s1 ...)."""
    return tuple(v for pair in zip(reps, shape) for v in pair)


@defpublic(method=no("ndarray has no tile method"), numpy=np.tile, cli=_CLI)
def tile(A: Any, reps: Any) -> Any:
    """``A`` repeated ``reps`` times along each axis (one broadcast, one copy)."""
    A = _val(A)
    reps = (int(reps),) if np.ndim(reps) == 0 else tuple(int(r) for r in reps)
    shape = known_shape(A, "tile")
    d = max(len(reps), len(shape))
    shape, reps = (1,) * (d - len(shape)) + shape, (1,) * (d - len(reps)) + reps
    if any(r < 0 for r in reps):
        raise ValueError(f"tile: negative repetitions {reps}")
    x = cg.reshape(A, _spread(shape, (1,) * d))
    x = cg.broadcast_to(x, _spread(shape, reps))
    return cg.reshape(x, tuple(s * r for s, r in zip(shape, reps)))


def _split(name: str, ary: Any, ios: Any, axis: int, even: bool) -> list:
    x = _val(ary)
    shape = known_shape(x, name)
    ax = one_axis(axis, len(shape), name, shape)
    n = shape[ax]
    if np.ndim(ios) == 0:
        k = int(ios)
        if k <= 0:
            raise ValueError(f"{name}: number sections must be larger than 0.")
        if even and n % k:
            raise ValueError(f"{name}: array split does not result in an equal division")
        q, r = divmod(n, k)
        bounds = np.concatenate([[0], np.cumsum([q + 1] * r + [q] * (k - r))]).tolist()
    else:
        bounds = [0, *(int(i) for i in ios), n]
    return [x[_index(ax, slice(s, e))] for s, e in zip(bounds[:-1], bounds[1:])]


@defpublic(method=no("ndarray has no split method"), numpy=np.split, cli=_CLI)
def split(
    ary: Any,
    indices_or_sections: Any = None,
    axis: int = 0,
    *,
    num_or_size_splits: Any = None,
    num: Any = None,
    name: Any = None,
) -> list:
    """A list of views: ``indices_or_sections`` equal parts, or cut before each index
    (NumPy's ``split``).  TensorFlow's ``split(value, num_or_size_splits=, axis=)`` is
    recognised by its keyword: a list there gives the parts' *sizes* (one may be -1).
    A list given positionally keeps NumPy's meaning (cut points), as the two cannot be
    told apart."""
    if num_or_size_splits is None:
        if indices_or_sections is None:
            raise TypeError("split: missing indices_or_sections (or num_or_size_splits=)")
        return _split("split", ary, indices_or_sections, axis, True)
    if indices_or_sections is not None:
        raise TypeError("split: give indices_or_sections or num_or_size_splits, not both")
    if np.ndim(num_or_size_splits) == 0:
        return _split("split", ary, num_or_size_splits, axis, True)
    sizes = [int(v) for v in np.asarray(getattr(num_or_size_splits, "_data", num_or_size_splits))]
    shape = known_shape(_val(ary), "split")
    n = shape[one_axis(axis, len(shape), "split", shape)]
    if sizes.count(-1) > 1 or any(v < -1 for v in sizes):
        raise ValueError(f"split: sizes {sizes} may hold at most one -1 and no other negative")
    if -1 in sizes:
        sizes[sizes.index(-1)] = n - (sum(sizes) + 1)
    if sum(sizes) != n or min(sizes, default=0) < 0:
        raise ValueError(
            f"split: sizes {list(num_or_size_splits)} do not add up to the axis length {n} "
            f"of an input of shape {shape}"
        )
    if num is not None and int(num) != len(sizes):
        raise ValueError(f"split: num={num} but {len(sizes)} sizes were given")
    return _split("split", ary, np.cumsum(sizes)[:-1].tolist(), axis, True)


@defpublic(method=no("ndarray has no array_split method"), numpy=np.array_split, cli=_CLI)
def array_split(ary: Any, indices_or_sections: Any, axis: int = 0) -> list:
    """Like ``split``, the first parts one longer when the sections do not divide evenly."""
    return _split("array_split", ary, indices_or_sections, axis, False)


@defpublic(method=no("ndarray has no hsplit method"), numpy=np.hsplit, cli=_CLI)
def hsplit(ary: Any, indices_or_sections: Any) -> list:
    """``split`` along axis 1 (axis 0 for 1-D arrays)."""
    return _split("hsplit", ary, indices_or_sections, 1 if (ndim_of(ary) or 0) > 1 else 0, True)


@defpublic(method=no("ndarray has no vsplit method"), numpy=np.vsplit, cli=_CLI)
def vsplit(ary: Any, indices_or_sections: Any) -> list:
    """``split`` along axis 0 of an array of at least 2 dimensions."""
    if (ndim_of(ary) or 0) < 2:
        raise ValueError("vsplit only works on arrays of 2 or more dimensions")
    return _split("vsplit", ary, indices_or_sections, 0, True)


@defpublic(method=no("ndarray has no dsplit method"), numpy=np.dsplit, cli=_CLI)
def dsplit(ary: Any, indices_or_sections: Any) -> list:
    """``split`` along axis 2 of an array of at least 3 dimensions."""
    if (ndim_of(ary) or 0) < 3:
        raise ValueError("dsplit only works on arrays of 3 or more dimensions")
    return _split("dsplit", ary, indices_or_sections, 2, True)


@defpublic(method=no("ndarray has no unstack method"), numpy=np.unstack, cli=_CLI)
def unstack(x: Any, /, num: Any = None, axis: int = 0, *, name: Any = None) -> tuple:
    """The slices along ``axis``, as a tuple (the inverse of ``stack``): NumPy's
    ``unstack(x, axis=0)`` and TensorFlow's ``unstack(value, num=None, axis=0)``
    (``num``, when given, must be the length of that axis)."""
    x = _val(x)
    shape = known_shape(x, "unstack")
    ax = one_axis(axis, len(shape), "unstack", shape)
    if num is not None:
        if isinstance(num, bool) or not isinstance(num, (int, np.integer)):
            raise TypeError(f"unstack: num must be an int, got {num!r}")
        if num != shape[ax]:
            raise ValueError(
                f"unstack: num={num} is not the length {shape[ax]} of axis {ax} of shape {shape}"
            )
    return tuple(x[_index(ax, i)] for i in range(shape[ax]))


def _atleast(n: int, a: Any) -> Any:
    a = _val(a)
    shape = known_shape(a, f"atleast_{n}d")
    if len(shape) >= n:
        return a
    if not shape:
        return cg.reshape(a, (1,) * n)
    return cg.reshape(a, (1,) * (len(shape) == 1) + shape + (1,) * (n == 3))


@defpublic(method=no("a function of several arrays"), numpy=np.atleast_1d, cli=_CLI)
def atleast_1d(*arys: Any) -> Any:
    """Each input with at least 1 dimension (a tuple for several inputs)."""
    return _one_or_tuple([_atleast(1, a) for a in arys])


@defpublic(method=no("a function of several arrays"), numpy=np.atleast_2d, cli=_CLI)
def atleast_2d(*arys: Any) -> Any:
    """Each input with at least 2 dimensions (1-D ``(n,)`` becomes ``(1, n)``)."""
    return _one_or_tuple([_atleast(2, a) for a in arys])


@defpublic(method=no("a function of several arrays"), numpy=np.atleast_3d, cli=_CLI)
def atleast_3d(*arys: Any) -> Any:
    """Each input with at least 3 dimensions (``(n,)`` becomes ``(1, n, 1)``, ``(m, n)``
    becomes ``(m, n, 1)``)."""
    return _one_or_tuple([_atleast(3, a) for a in arys])


def _joined(tup: Any, axis: Any, n: int, dtype: Any) -> Any:
    parts = [_atleast(n, a) for a in tup] if n else [_val(a) for a in tup]
    if not parts:
        raise ValueError("need at least one array to concatenate")
    if axis is None:  # hstack: axis 0 for 1-D arrays
        axis = 0 if ndim_of(parts[0]) == 1 else 1
    r = cg.concatenate(parts, axis=axis)
    return r if dtype is None else cg.astype(r, dtype)


@defpublic(method=_SEVERAL, numpy=np.vstack, cli=_SEVERAL)
def vstack(tup: Sequence[Any], *, dtype: Any = None, casting: str = "same_kind") -> Any:
    """Stack arrays as rows (axis 0, 1-D inputs made rows)."""
    return _joined(tup, 0, 2, dtype)


@defpublic(method=_SEVERAL, numpy=np.hstack, cli=_SEVERAL)
def hstack(tup: Sequence[Any], *, dtype: Any = None, casting: str = "same_kind") -> Any:
    """Stack arrays as columns (axis 1; axis 0 for 1-D inputs)."""
    return _joined(tup, None, 1, dtype)


@defpublic(method=_SEVERAL, numpy=np.dstack, cli=_SEVERAL)
def dstack(tup: Sequence[Any]) -> Any:
    """Stack arrays along the third axis (inputs made at least 3-D)."""
    return _joined(tup, 2, 3, None)


@defpublic(method=_SEVERAL, numpy=np.column_stack, cli=_SEVERAL)
def column_stack(tup: Sequence[Any]) -> Any:
    """Stack 1-D arrays as columns of a 2-D array (2-D inputs as they are)."""
    parts = [_val(a) for a in tup]
    parts = [cg.reshape(a, (-1, 1)) if (ndim_of(a) or 0) < 2 else a for a in parts]
    return cg.concatenate(parts, axis=1)


@defpublic(method=_SEVERAL, numpy=np.broadcast_arrays, cli=_SEVERAL)
def broadcast_arrays(*args: Any, subok: bool = False) -> tuple:
    """The inputs broadcast against each other (read-only views)."""
    xs = [_val(a) for a in args]
    shape = np.broadcast_shapes(*(known_shape(x, "broadcast_arrays") for x in xs))
    return tuple(x if shape_of(x) == shape else cg.broadcast_to(x, shape) for x in xs)


@defpublic(method=_SEVERAL, numpy=np.meshgrid, cli=_SEVERAL)
def meshgrid(*xi: Any, copy: bool = True, sparse: bool = False, indexing: str = "xy") -> tuple:
    """Coordinate grids from 1-D coordinate vectors (``indexing="xy"`` or ``"ij"``)."""
    if indexing not in ("xy", "ij"):
        raise ValueError("Valid values for `indexing` are 'xy' and 'ij'.")
    nd = len(xi)
    shapes = [[1] * nd for _ in xi]
    for i, s in enumerate(shapes):
        s[i] = -1
    if indexing == "xy" and nd > 1:
        shapes[0][:2], shapes[1][:2] = [1, -1], [-1, 1]
    out = [cg.reshape(ravel(x), tuple(s)) for x, s in zip(xi, shapes)]
    return tuple(out) if sparse else broadcast_arrays(*out)


@defpublic(method=no("ndarray has no diag method"), numpy=np.diag, cli=_CLI)
def diag(v: Any, k: int = 0) -> Any:
    """The diagonal ``k`` of a 2-D array, or a 2-D array with 1-D ``v`` on it."""
    nd = ndim_of(v)
    if nd == 1:
        return cg.diag_embed(v, offset=k, dim1=0, dim2=1)
    if nd == 2:
        return cg.diagonal(v, k)
    raise ValueError("diag: input must be 1- or 2-d.")


@defpublic(method=no("ndarray has no diagflat method"), numpy=np.diagflat, cli=_CLI)
def diagflat(v: Any, k: int = 0) -> Any:
    """A 2-D array with the flattened input on the diagonal ``k``."""
    return diag(ravel(v), k)


@defpublic(method="trace", numpy=np.trace, cli=_CLI)
def trace(
    a: Any, offset: int = 0, axis1: int = 0, axis2: int = 1, dtype: Any = None, out: Any = None
) -> Any:
    """Sum along a diagonal (over ``axis1``, ``axis2``); integers sum as NumPy's do."""
    r = cg.sum(cg.diagonal(a, offset, axis1, axis2), -1)
    return r if dtype is None else cg.astype(r, dtype)


@defpublic(names="linalg.diagonal", method=no("see diagonal"), numpy=np.linalg.diagonal, cli=_CLI)
def _linalg_diagonal(x: Any, /, *, offset: int = 0) -> Any:
    """The diagonals of the matrices in the last two axes."""
    return cg.diagonal(x, offset, -2, -1)


@defpublic(names="linalg.trace", method=no("see trace"), numpy=np.linalg.trace, cli=_CLI)
def _linalg_trace(x: Any, /, *, offset: int = 0, dtype: Any = None) -> Any:
    """The traces of the matrices in the last two axes."""
    return trace(x, offset, -2, -1, dtype)


def _triangle(m: Any, k: int, lower: bool) -> Any:
    m = _val(m)
    shape = known_shape(m, "tril" if lower else "triu")
    mask = np.tri(shape[-2 % len(shape)], shape[-1], k if lower else k - 1, bool)
    zero = 0 if m.dtype is None else np.zeros((), m.dtype)
    return cg.where(mask, m, zero) if lower else cg.where(mask, zero, m)


@defpublic(method=no("ndarray has no tril method"), numpy=np.tril, cli=_CLI)
def tril(m: Any, k: int = 0) -> Any:
    """Zeros above the diagonal ``k`` of the last two axes."""
    return _triangle(m, k, True)


@defpublic(method=no("ndarray has no triu method"), numpy=np.triu, cli=_CLI)
def triu(m: Any, k: int = 0) -> Any:
    """Zeros below the diagonal ``k`` of the last two axes."""
    return _triangle(m, k, False)


def _int_index(indices: Any, where: str) -> np.ndarray:
    idx = np.asarray(plain(indices))
    if idx.dtype.kind not in "iu" and not (idx.size == 0 and idx.dtype.kind == "f"):
        raise TypeError(f"{where}: indices must be integers, got {idx.dtype}")
    return idx.astype(np.intp, copy=False)


@defpublic(method="take", numpy=np.take, cli=_CLI)
def take(a: Any, indices: Any, axis: Any = None, out: Any = None, mode: str = "raise") -> Any:
    """Elements at ``indices`` along ``axis`` (of the flattened array when None);
    ``mode`` "wrap" or "clip" bring indices into range."""
    x = ravel(a) if axis is None else _val(a)
    shape = known_shape(x, "take")
    ax = 0 if axis is None else one_axis(axis, len(shape), "take", shape)
    idx, n = _int_index(indices, "take"), shape[ax]
    if mode == "wrap":
        idx = idx % max(n, 1)
    elif mode == "clip":
        idx = np.clip(idx, 0, max(n - 1, 0))
    return x[_index(ax, idx)]


def _along(arr: Any, indices: Any, axis: Any, where: str) -> tuple:
    x = ravel(arr) if axis is None else _val(arr)
    idx = _int_index(indices, where)
    shape = known_shape(x, where)
    nd = len(shape)
    ax = 0 if axis is None else one_axis(axis, nd, where, shape)
    if idx.ndim != nd:
        raise ValueError(f"{where}: `indices` and `arr` must have the same number of dimensions")
    grid = [
        np.arange(d).reshape((1,) * i + (-1,) + (1,) * (nd - i - 1)) for i, d in enumerate(shape)
    ]
    grid[ax] = idx
    return x, tuple(grid)


@defpublic(method=no("ndarray has no take_along_axis method"), numpy=np.take_along_axis, cli=_CLI)
def take_along_axis(arr: Any, indices: Any, axis: Any = -1) -> Any:
    """Elements picked along ``axis`` by ``indices`` of the same rank (what ``argsort``
    and ``argmax(keepdims=True)`` give)."""
    x, index = _along(arr, indices, axis, "take_along_axis")
    return x[index]


@defpublic(method=no("ndarray has no put_along_axis method"), numpy=np.put_along_axis, cli=_CLI)
def put_along_axis(arr: Any, indices: Any, values: Any, axis: Any) -> None:
    """Write ``values`` into the Tensor ``arr`` in place at ``indices`` along ``axis``
    (recorded like ``arr[index] = values``, so gradients see it); returns None."""
    if axis is None or not hasattr(arr, "requires_grad"):
        raise TypeError("put_along_axis: needs a Tensor and an axis")
    _, index = _along(arr, indices, axis, "put_along_axis")
    arr[index] = values
