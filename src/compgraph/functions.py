"""The public ``cg.*`` functions, made from the registry's declarations.

Every op's public function is built here from its declaration: the op's
``prepare`` checks and normalises the arguments (axes, shapes, indices) and
:func:`dispatch` runs the op, on the Tensor engine or, when an operand is a
symbolic static-graph value, through that value's own ``__cg_apply__``.
Composite functions (``mean``, ``softmax``, ``logsumexp`` ...) are declared here
with :func:`defpublic` and written with the public functions, so their derivatives
come from the primitives' rules.  An op declared later (by a user) gets its public
function the moment it is declared.
"""

from __future__ import annotations

import inspect
import math
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from .array_api import Device
from .autodiff.recording import apply, apply1, apply2, mark_mutated, wrap
from .grad_mode import is_grad_enabled
from .ops.args import SYMBOLIC_TYPES, ndim_of, normalize_axis, shape_of
from .ops.defaults import default_float
from .ops.manip import known_shape
from .ops.namespace import cg
from .ops.registry import PUBLIC, Front, Op, defpublic, get_op, subscribe
from .ops.spec import no
from .tensor import Tensor, operand, stack_values
from .tensor import check_device as _check_device

__all__: list[str] = ["dispatch", "defpublic"]


def dispatch(op: Op, args: Sequence[Any], attrs: dict | None = None) -> Any:
    """Run ``op`` on ``args``: recorded on Tensors, a new node on static-graph values.

    A list or tuple holding tensors is stacked first, so the graph reaches each element
    (``cg.sum([x, 2 * x])``), as JAX and NumPy treat such a list as an array."""
    if len(args) == 1:
        a = args[0]
        if a.__class__ is Tensor and a._rg:  # a recorded cg.sum(x), x.reshape(...) ...
            return apply1(op, a, attrs) if attrs else apply1(op, a)
    conv = []
    for a in args:
        if type(a) is not Tensor:
            if type(a) in SYMBOLIC_TYPES:
                return type(a).__cg_apply__(op, tuple(args), attrs or {})
            if isinstance(a, (list, tuple)):
                return dispatch(
                    op,
                    [stack_values(x) if isinstance(x, (list, tuple)) else x for x in args],
                    attrs,
                )
            a = operand(a, op)
        conv.append(a)
    return apply(op, conv, attrs) if attrs else apply(op, conv)


def _signature(op: Op) -> inspect.Signature:
    params = [inspect.Parameter(a, inspect.Parameter.POSITIONAL_OR_KEYWORD) for a in op.args]
    attrs = op.attr_names
    if attrs is None:
        params.append(inspect.Parameter("attrs", inspect.Parameter.VAR_KEYWORD))
    else:
        params += [
            inspect.Parameter(k, inspect.Parameter.KEYWORD_ONLY)
            for k in sorted(attrs)
            if k not in op.args
        ]
    return inspect.Signature(params)


def _public(front: Front) -> Callable:
    """The public function of an op: ``prepare`` (or the inputs as they are), then
    :func:`dispatch`.  A ``prepare`` with the attribute ``finishes = True`` returns
    ``(inputs, attrs, finish)`` and ``finish`` (when not None) maps the op's result."""
    op = front.op
    assert op is not None  # _publish builds public functions for primitives only
    prepare = front.prepare
    if prepare is not None and getattr(prepare, "finishes", False):
        # This prepare returns (inputs, attrs, finish): ``finish`` (or None) is applied
        # to the op's result (TensorFlow's cumprod(reverse=True) flips it back).

        def fn(*args: Any, **kwargs: Any) -> Any:
            inputs, attrs, finish = prepare(*args, **kwargs)
            out = dispatch(op, inputs, attrs)
            return out if finish is None else finish(out)

        fn.__signature__ = inspect.signature(prepare)  # type: ignore[attr-defined]
    elif prepare is not None:

        def fn(*args: Any, **kwargs: Any) -> Any:  # type: ignore[misc]
            inputs, attrs = prepare(*args, **kwargs)
            return dispatch(op, inputs, attrs)

        fn.__signature__ = inspect.signature(prepare)  # type: ignore[attr-defined]
    elif op.nargs == 1 and not op.attr_names:

        def fn(x: Any) -> Any:  # type: ignore[misc]
            if x.__class__ is Tensor:  # (what dispatch would do, without its loop)
                return apply1(op, x)
            return dispatch(op, (x,))
    elif op.nargs == 2 and not op.attr_names:

        def fn(x: Any, y: Any) -> Any:  # type: ignore[misc]
            if x.__class__ is Tensor and y.__class__ is Tensor:
                return apply2(op, x, y)
            return dispatch(op, (x, y))
    else:
        n = op.nargs

        def fn(*args: Any, **attrs: Any) -> Any:  # type: ignore[misc]
            if n is not None and len(args) != n:
                raise TypeError(
                    f"{op.name}() takes {n} input(s) ({', '.join(op.args)}), got {len(args)}"
                )
            return dispatch(op, args, attrs)

        fn.__signature__ = _signature(op)  # type: ignore[attr-defined]
    name = front.names[0] if front.names else op.name
    fn.__name__ = fn.__qualname__ = name
    fn.__module__ = "compgraph"
    fn.__doc__ = op.doc or f"The ``{op.name}`` op."
    return fn


def _publish(front: Front, removed: bool) -> None:
    if front.op is not None and front.function is None:
        front.function = _public(front)
    for name in front.names:
        if "." in name:  # cg.linalg.norm and the like live in their sub-namespace
            continue
        if removed:
            if globals().get(name) is front.function:
                del globals()[name]
            if name in __all__:
                __all__.remove(name)
        else:
            globals()[name] = front.function
            if name not in __all__:
                __all__.append(name)


subscribe(_publish)


def __getattr__(name: str) -> Callable:
    """A function declared after this module was imported (a user's ``defop``)."""
    front = PUBLIC.get(name)
    if front is None or front.function is None:
        raise AttributeError(f"module 'compgraph.functions' has no attribute {name!r}")
    return front.function


_NOT_CLI = no("takes arguments beyond one value; the command line calls one-argument functions")


# ------------------------------------------------------------------ reductions
@defpublic(method="mean", numpy=np.mean, cli=_NOT_CLI)
def mean(
    x: Any,
    axis: Any = None,
    dtype: Any = None,
    out: Any = None,
    keepdims: bool = False,
    *,
    where: Any = True,
) -> Tensor:
    """Mean over ``axis``, accumulated in ``dtype`` (float64 for integers); a composite of
    ``sum`` and ``divide``."""
    if isinstance(dtype, bool):  # (x, axis, keepdims): compgraph's older order
        dtype, keepdims = None, dtype
    if out is not None:
        raise TypeError("mean: out= is not supported (results are new tensors)")
    shape = shape_of(x)
    axes = normalize_axis(axis, None if shape is None else len(shape), "mean", shape)
    dt = getattr(x, "dtype", None)  # (lists are stacked by sum: integers sum as int64)
    acc = np.float64 if dtype is None and dt is not None and dt.kind in "biu" else dtype
    if where is not True:
        if shape is None:
            raise ValueError("mean: where= needs the input's shape; declare it")
        mask = np.broadcast_to(np.asarray(where, bool), shape)
        s = cg.sum(x, axes, acc, keepdims=keepdims, where=mask)
        count = np.sum(mask, axis=axes, keepdims=keepdims).astype(s.dtype or np.float64)
        return cg.divide(s, count)
    dims = (
        None
        if shape is None
        else [shape[a] for a in (axes if axes is not None else range(len(shape)))]
    )
    if dims is None or None in dims:
        # Unknown at build time (static graphs): the count is computed when it runs.
        count = dispatch(get_op("reduced_count"), (x,), {"axis": axes})
    else:
        count = math.prod(dims)
    r = cg.divide(cg.sum(x, axes, acc, keepdims=keepdims), count)
    if dtype is not None and np.dtype(dtype).kind not in "fc":
        r = astype(r, dtype)  # NumPy's mean in an integer dtype truncates
    return r


def _finite_shift(m: Any) -> Any:
    """The shift ``m`` (a max) with infinite entries made finite, so that ``x - m`` has
    no ``inf - inf``: a slice of -inf then sums to 0 (log: -inf) and one holding +inf
    to inf, as torch.logsumexp (which sets those maxima to 0)."""
    dtype = getattr(m, "dtype", None)
    if dtype is not None and dtype.kind != "f":
        return m  # integers have no infinities (complex maxima are left as they are)
    if dtype is not None:
        # One cheap op: finite maxima pass unchanged, +-inf become the largest finite.
        big = float(np.finfo(dtype).max)
        return cg.clip(m, -big, big)
    # Unknown dtype (a static-graph value): replace the infinities by 0, as torch.
    return cg.where(cg.less(cg.abs(m), np.inf), m, 0.0)


@defpublic(
    method="logsumexp", numpy=no("NumPy has no logsumexp (SciPy's is in cg.special)"), cli=_NOT_CLI
)
def logsumexp(x: Any, axis: Any = None, keepdims: bool = False) -> Tensor:
    """``log(sum(exp(x)))`` over ``axis``, computed without overflow; a slice of -inf
    gives -inf and one holding +inf gives +inf (values and gradients as torch's)."""
    shape = shape_of(x)
    axes = normalize_axis(axis, None if shape is None else len(shape), "logsumexp", shape)
    m = _finite_shift(cg.stop_gradient(cg.max(x, axes, keepdims=True)))
    r = cg.log(cg.sum(cg.exp(x - m), axes, keepdims=True)) + m
    if keepdims:
        return r
    return cg.reshape(r, ()) if axes is None else cg.squeeze(r, axes)


@defpublic(method="softmax", numpy=no("NumPy has no softmax"), cli=_NOT_CLI)
def softmax(x: Any, axis: int = -1) -> Tensor:
    """``exp(x) / sum(exp(x))`` along ``axis``, computed stably; a slice whose maximum
    is not finite (all -inf, or holding +inf) gives NaN, as torch.softmax."""
    axes = normalize_axis(axis, ndim_of(x), "softmax", shape_of(x))
    e = cg.exp(cg.subtract(x, cg.stop_gradient(cg.max(x, axes, keepdims=True))))
    return e / cg.sum(e, axes, keepdims=True)


# ------------------------------------------------------------------ conversions
@defpublic(
    method="astype", numpy=no("ndarray.astype is a method, not a NumPy function"), cli=_NOT_CLI
)
def astype(x: Any, dtype: Any, /, *, copy: bool = True, device: Any = None) -> Tensor:
    """Convert to ``dtype``; gradients come back in the input's dtype.

    Converting to an integer or bool dtype cuts the gradient (such tensors cannot
    require grad), as in PyTorch.  ``copy`` and ``device`` are the array API's: the
    result is always a new Tensor (no data is copied when the dtype is already right
    and ``copy=False``), on the CPU.
    """
    if device is not None:
        Device(device)  # raises for a device other than the CPU
    dtype = np.dtype(dtype)
    if not copy and isinstance(x, Tensor) and x.dtype == dtype:
        return x
    if dtype.kind not in "fc":
        x = cg.stop_gradient(x)
    return dispatch(get_op("astype"), (x,), {"dtype": dtype})


# ------------------------------------------------------------------ linear algebra
@defpublic(method="dot", numpy=np.dot, cli=_NOT_CLI)
def dot(x: Any, y: Any) -> Tensor:
    """``np.dot`` for operands of at most two dimensions (a product for scalars)."""
    nx, ny = ndim_of(x), ndim_of(y)
    if nx is None or ny is None:
        raise ValueError(
            f"dot: needs the number of dimensions of its operands (shapes "
            f"{shape_of(x)} and {shape_of(y)}); use matmul, or declare shapes"
        )
    if nx == 0 or ny == 0:
        return cg.multiply(x, y)
    if nx > 2 or ny > 2:
        raise ValueError(
            f"dot: operands of shapes {shape_of(x)} and {shape_of(y)}; dot "
            f"supports at most 2-D operands here, use matmul for batches"
        )
    return cg.matmul(x, y)


@defpublic(
    method=no("a function of a layer's weights"), numpy=no("NumPy has no linear"), cli=_NOT_CLI
)
def linear(x: Any, weight: Any, bias: Any = None) -> Tensor:
    """``x @ weight.T + bias`` (PyTorch's ``F.linear``): weight of shape (out, in).

    With a bias this is one primitive (one graph node, the bias added in place);
    without one it is ``x @ weight.T``.

    >>> import compgraph as cg
    >>> cg.linear(cg.ones((2, 3)), cg.ones((4, 3)), cg.arange(4.0)).numpy()[0]
    array([3., 4., 5., 6.])
    """
    if bias is None:
        return cg.matmul(x, cg.transpose(weight))
    return dispatch(get_op("linear"), (x, weight, bias))


# ------------------------------------------------------------------ creation
# NumPy's signatures (``device`` of the array API: the CPU), plus ``requires_grad``.
_CREATION: dict[str, Any] = dict(
    method=no("creates a new tensor"),
    numpy=no("NumPy's creation functions take no tensor to dispatch on"),
    cli=no("creates a new tensor"),
)


def _new(
    data: Any, requires_grad: bool, device: Any = None, out: Any = None, where: str = "tensor"
) -> Tensor:
    _check_device(device, where)
    if out is None:
        return Tensor(data, requires_grad=requires_grad)
    if not isinstance(out, Tensor):
        raise TypeError(f"{where}: out= must be a Tensor, got {type(out).__name__}")
    if out._rg and is_grad_enabled():
        raise RuntimeError(
            f"{where}: out= is a tensor that requires grad; write into it under cg.no_grad()"
        )
    arr = np.asarray(data)
    if out.shape != arr.shape:  # PyTorch resizes out=; a new buffer here, as it would
        out.data = arr.astype(out.dtype)
    else:
        out.data[...] = arr
        mark_mutated(out.data)
    return out


def _sizes(where: str, shape: Any, more: tuple, dtype: Any, order: Any) -> tuple[Any, Any, Any]:
    """PyTorch's varargs sizes (``zeros(2, 3)``) or NumPy's ``(shape, dtype, order)``."""
    if shape is None:
        return (), dtype, order
    if more and isinstance(more[0], (int, np.integer)) and not isinstance(more[0], bool):
        sizes = (shape, *more)
        bad = [n for n in sizes if not isinstance(n, (int, np.integer))]
        if bad:  # (no all(): this module's globals are the cg functions)
            raise TypeError(f"{where}: sizes must be integers, got {sizes}")
        return tuple(int(n) for n in sizes), dtype, order
    if len(more) > 2 or (more and dtype is not None):
        raise TypeError(
            f"{where}: expected (shape, dtype, order) as NumPy or integer sizes as PyTorch "
            f"(zeros(2, 3)), got {(shape, *more)} with dtype={dtype!r}"
        )
    if more:
        dtype = more[0]
        order = more[1] if len(more) > 1 else order
    return shape, dtype, order


def _in_graph(*values: Any) -> bool:
    """Whether any value is a Tensor or static-graph value (the result then keeps the graph)."""
    # (no any(): this module's globals are the cg functions, cg.any among them)
    return True in (isinstance(v, Tensor) or type(v) in SYMBOLIC_TYPES for v in values)


@defpublic(**_CREATION)
def zeros(
    shape: Any = None,
    *more: Any,
    dtype: Any = None,
    order: Any = "C",
    size: Any = None,
    device: Any = None,
    requires_grad: bool = False,
    out: Any = None,
) -> Tensor:
    """A tensor of zeros: NumPy's ``zeros(shape, dtype, order)`` or PyTorch's ``zeros(*size, dtype=...)``
    (the default dtype is NumPy's float64, not PyTorch's float32, unless set with
    ``cg.set_default_dtype``)."""
    shape, dtype, order = _sizes("zeros", size if shape is None else shape, more, dtype, order)
    return _new(
        np.zeros(shape, default_float("float64") if dtype is None else dtype, order),
        requires_grad,
        device,
        out,
        "zeros",
    )


@defpublic(**_CREATION)
def ones(
    shape: Any = None,
    *more: Any,
    dtype: Any = None,
    order: Any = "C",
    size: Any = None,
    device: Any = None,
    requires_grad: bool = False,
    out: Any = None,
) -> Tensor:
    """A tensor of ones: NumPy's ``ones(shape, dtype, order)`` or PyTorch's ``ones(*size, dtype=...)``
    (the default dtype is NumPy's float64, not PyTorch's float32, unless set with
    ``cg.set_default_dtype``)."""
    shape, dtype, order = _sizes("ones", size if shape is None else shape, more, dtype, order)
    return _new(
        np.ones(shape, default_float("float64") if dtype is None else dtype, order),
        requires_grad,
        device,
        out,
        "ones",
    )


@defpublic(**_CREATION)
def empty(
    shape: Any = None,
    *more: Any,
    dtype: Any = None,
    order: Any = "C",
    size: Any = None,
    device: Any = None,
    requires_grad: bool = False,
    out: Any = None,
) -> Tensor:
    """A new tensor (of zeros: compgraph never hands out uninitialised memory): NumPy's ``empty(shape, dtype, order)`` or PyTorch's ``empty(*size, dtype=...)``
    (the default dtype is NumPy's float64, not PyTorch's float32, unless set with
    ``cg.set_default_dtype``)."""
    shape, dtype, order = _sizes("empty", size if shape is None else shape, more, dtype, order)
    return _new(
        np.zeros(shape, default_float("float64") if dtype is None else dtype, order),
        requires_grad,
        device,
        out,
        "empty",
    )


@defpublic(**_CREATION)
def full(
    shape: Any,
    fill_value: Any,
    dtype: Any = None,
    order: str = "C",
    *,
    device: Any = None,
    requires_grad: bool = False,
    out: Any = None,
) -> Tensor:
    """A tensor filled with ``fill_value``; a Tensor value keeps its graph (broadcast); a
    Python float gives the default dtype (``cg.get_default_dtype()``)."""
    if _in_graph(fill_value):
        v = fill_value if dtype is None else astype(fill_value, dtype)
        return cg.broadcast_to(v, (shape,) if np.ndim(shape) == 0 else tuple(shape))
    if dtype is None and isinstance(fill_value, float):  # a Python float: the default dtype
        dtype = default_float("float64")
    return _new(np.full(shape, fill_value, dtype), requires_grad, device, out, "full")


def _like(
    name: str,
    x: Any,
    dtype: Any,
    requires_grad: bool,
    shape: Any = None,
    fill: Any = None,
    device: Any = None,
) -> Any:
    _check_device(device, name)
    if type(x) in SYMBOLIC_TYPES and shape is None:  # a static-graph value: a node of its graph
        r = dispatch(get_op("zeros_like" if name == "full_like" else name), (x,))
        if name == "full_like":
            r = cg.add(r, fill)
            dtype = x.dtype if dtype is None else dtype
        return r if dtype is None else astype(r, dtype)
    like = np.empty((), x.dtype) if type(x) in SYMBOLIC_TYPES else np.asarray(x)
    if name == "full_like" and _in_graph(fill):
        dtype = np.result_type(like) if dtype is None else dtype
        return full(np.shape(like) if shape is None else shape, fill, dtype)
    if name == "full_like":
        return Tensor(np.full_like(like, fill, dtype, shape=shape), requires_grad=requires_grad)
    fn = np.ones_like if name == "ones_like" else np.zeros_like
    return Tensor(fn(like, dtype=dtype, shape=shape), requires_grad=requires_grad)


@defpublic(method=no("creates a new tensor"), numpy=np.zeros_like, cli=_CREATION["cli"])
def zeros_like(
    x: Any,
    dtype: Any = None,
    order: str = "K",
    subok: bool = True,
    shape: Any = None,
    *,
    device: Any = None,
    requires_grad: bool = False,
) -> Tensor:
    """Zeros with ``x``'s shape (and dtype unless given)."""
    return _like("zeros_like", x, dtype, requires_grad, shape, device=device)


@defpublic(method=no("creates a new tensor"), numpy=np.ones_like, cli=_CREATION["cli"])
def ones_like(
    x: Any,
    dtype: Any = None,
    order: str = "K",
    subok: bool = True,
    shape: Any = None,
    *,
    device: Any = None,
    requires_grad: bool = False,
) -> Tensor:
    """Ones with ``x``'s shape (and dtype unless given)."""
    return _like("ones_like", x, dtype, requires_grad, shape, device=device)


@defpublic(method=no("creates a new tensor"), numpy=np.empty_like, cli=_CREATION["cli"])
def empty_like(
    prototype: Any,
    dtype: Any = None,
    order: str = "K",
    subok: bool = True,
    shape: Any = None,
    *,
    device: Any = None,
    requires_grad: bool = False,
) -> Tensor:
    """A new tensor with ``prototype``'s shape and dtype (of zeros)."""
    return _like("zeros_like", prototype, dtype, requires_grad, shape, device=device)


@defpublic(method=no("creates a new tensor"), numpy=np.full_like, cli=_CREATION["cli"])
def full_like(
    a: Any,
    fill_value: Any,
    dtype: Any = None,
    order: str = "K",
    subok: bool = True,
    shape: Any = None,
    *,
    device: Any = None,
    requires_grad: bool = False,
) -> Tensor:
    """``fill_value`` with ``a``'s shape and dtype (unless given); a Tensor value keeps
    its graph."""
    return _like("full_like", a, dtype, requires_grad, shape, fill_value, device)


@defpublic(**_CREATION)
def arange(
    *args: Any,
    dtype: Any = None,
    device: Any = None,
    requires_grad: bool = False,
    out: Any = None,
    **ends: Any,
) -> Tensor:
    """Like ``np.arange`` (also PyTorch's keywords ``start=``, ``end=``, ``step=``)."""
    if ends:
        args = tuple(args) + tuple(ends.pop(k) for k in ("start", "end", "step") if k in ends)
        if ends:
            raise TypeError(f"arange() got unexpected keyword arguments {sorted(ends)}")
    if dtype is None and True in (isinstance(a, float) for a in args):
        dtype = default_float("float64")  # Python float ends or step: the default dtype
    return _new(np.arange(*args, dtype=dtype), requires_grad, device, out, "arange")


@defpublic(**_CREATION)
def eye(
    N: int,
    M: int | None = None,
    k: int = 0,
    dtype: Any = None,
    order: str = "C",
    *,
    device: Any = None,
    requires_grad: bool = False,
    out: Any = None,
) -> Tensor:
    """Ones on the diagonal ``k`` of an N x M matrix (the default dtype: float64)."""
    dtype = default_float("float64") if dtype is None else dtype
    return _new(np.eye(N, M, k, dtype=dtype), requires_grad, device, out, "eye")


@defpublic(**_CREATION)
def identity(n: int, dtype: Any = None, *, requires_grad: bool = False) -> Tensor:
    """The n x n identity matrix (the default dtype: float64)."""
    return _new(np.identity(n, default_float("float64") if dtype is None else dtype), requires_grad)


_ENDS = dict(method=no("creates a new tensor"), cli=_CREATION["cli"])


def _python_reals(*values: Any) -> bool:
    """Whether every value is a Python int or float (whose result takes the default dtype)."""
    return False not in (isinstance(v, (int, float)) and not isinstance(v, bool) for v in values)


@defpublic(numpy=np.linspace, **_ENDS)
def linspace(
    start: Any,
    stop: Any = None,
    num: int = 50,
    endpoint: bool = True,
    retstep: bool = False,
    dtype: Any = None,
    axis: int = 0,
    *,
    device: Any = None,
    requires_grad: bool = False,
    end: Any = None,
    steps: int | None = None,
) -> Any:
    """``num`` evenly spaced values from start to stop; Tensor ends keep the graph (the
    values are differentiable in start and stop, as JAX's).  PyTorch's ``end=`` and
    ``steps=`` name ``stop`` and ``num``."""
    stop = end if stop is None else stop
    num = num if steps is None else steps
    if stop is None:
        raise TypeError("linspace() missing the end value (stop, or end= as PyTorch)")
    if not _in_graph(start, stop):
        if dtype is None and _python_reals(start, stop):
            dtype = default_float("float64")
        r: Any = np.linspace(start, stop, num, endpoint, retstep, dtype, axis)  # type: ignore[call-overload]
        y = _new(r[0] if retstep else r, requires_grad, device)
        return (y, r[1]) if retstep else y
    num = int(num)
    if num < 0:
        raise ValueError(f"Number of samples, {num}, must be non-negative.")
    div = num - 1 if endpoint else num
    start, stop = cg.asarray(start), cg.asarray(stop)
    nd = len(np.broadcast_shapes(known_shape(start, "linspace"), known_shape(stop, "linspace")))
    delta = cg.subtract(stop, start)
    step = cg.divide(delta, div) if div > 0 else cg.multiply(delta, np.nan)
    dt = np.result_type(*(v.dtype or np.float64 for v in (start, stop)), 1.0)
    t = np.arange(num, dtype=dt).reshape((-1,) + (1,) * nd)
    y = cg.add(cg.multiply(t, step if div > 0 else delta), start)
    if endpoint and num > 1:
        y = cg.where((np.arange(num) == num - 1).reshape(t.shape), stop, y)
    if axis != 0:
        y = cg.moveaxis(y, 0, axis)
    if dtype is not None:
        y = astype(cg.floor(y) if np.dtype(dtype).kind in "iu" else y, dtype)
    return (y, step) if retstep else y


@defpublic(numpy=np.logspace, **_ENDS)
def logspace(
    start: Any,
    stop: Any,
    num: int = 50,
    endpoint: bool = True,
    base: Any = 10.0,
    dtype: Any = None,
    axis: int = 0,
    *,
    requires_grad: bool = False,
) -> Tensor:
    """``base ** linspace(start, stop)``; Tensor arguments keep the graph."""
    if not _in_graph(start, stop, base):
        if dtype is None and _python_reals(start, stop, base):
            dtype = default_float("float64")
        return _new(np.logspace(start, stop, num, endpoint, base, dtype, axis), requires_grad)
    y = cg.power(base, linspace(start, stop, num, endpoint, axis=axis))
    return y if dtype is None else astype(y, dtype)


def _asarray(a: Any, dtype: Any, copy: Any, where: str) -> Any:
    if isinstance(a, (list, tuple)):
        a = stack_values(a)  # tensors in the list keep their graph (in a new tensor)
        copy = None if copy else copy
    if isinstance(a, Tensor) or type(a) in SYMBOLIC_TYPES:
        same = dtype is None or (a.dtype is not None and np.dtype(dtype) == a.dtype)
        if same and not copy:
            return a
        if copy is False:
            raise ValueError(f"{where}: unable to avoid a copy converting to {dtype}")
        return astype(a, a.dtype if dtype is None else dtype)
    arr = np.array(a, dtype, copy=copy)
    if arr.dtype.kind not in "biufc":
        raise TypeError(f"{where}: expected numbers, got dtype {arr.dtype} from {type(a).__name__}")
    return wrap(arr[()] if arr.ndim == 0 else arr)


@defpublic(**_CREATION)
def array(
    object: Any,
    dtype: Any = None,
    *,
    copy: bool = True,
    order: str = "K",
    subok: bool = False,
    ndmin: int = 0,
    requires_grad: bool = False,
) -> Any:
    """A new tensor, as ``np.array``; a (nested) list holding Tensors is stacked, keeping
    their graph (``cg.array([x, 2 * x])``), and a Tensor is copied within the graph."""
    r = _asarray(object, dtype, True if copy else None, "array")
    nd = ndim_of(r) or 0
    if ndmin > nd:
        r = cg.reshape(r, (1,) * (ndmin - nd) + tuple(r.shape))
    if requires_grad:
        r.requires_grad = True
    return r


@defpublic(names=("asarray", "as_tensor"), **_CREATION)
def asarray(
    a: Any,
    dtype: Any = None,
    order: Any = None,
    *,
    device: Any = None,
    copy: Any = None,
    requires_grad: bool = False,
) -> Any:
    """``a`` as a Tensor, not copied when it is one already (or an ndarray, whose memory
    it shares); a list holding Tensors is stacked, keeping their graph."""
    _check_device(device, "asarray")
    r = _asarray(a, dtype, copy, "asarray")
    if requires_grad:
        r.requires_grad = True
    return r


# ------------------------------------------------------------------ activations
# Compositions of primitives: their gradients come from the primitives' rules.  At the
# kinks they follow PyTorch (leaky_relu and elu take the x <= 0 branch at 0).
_ACTIVATION: dict[str, Any] = dict(numpy=no("NumPy has no activation functions"))


@defpublic(method=no("PyTorch's F.leaky_relu is a function"), cli=_NOT_CLI, **_ACTIVATION)
def leaky_relu(x: Any, negative_slope: float = 0.01) -> Tensor:
    """``x`` where ``x > 0``, else ``negative_slope * x`` (PyTorch's ``F.leaky_relu``)."""
    return cg.where(cg.greater(x, 0), x, cg.multiply(x, negative_slope))


@defpublic(method=no("PyTorch's F.elu is a function"), cli=_NOT_CLI, **_ACTIVATION)
def elu(x: Any, alpha: float = 1.0) -> Tensor:
    """``x`` where ``x > 0``, else ``alpha * (exp(x) - 1)`` (PyTorch's ``F.elu``)."""
    pos = cg.greater(x, 0)
    neg = cg.where(pos, 0, x)  # exp of the positive side is never needed: it can't overflow
    return cg.where(pos, x, cg.multiply(cg.subtract(cg.exp(neg), 1), alpha))


@defpublic(method=no("PyTorch's F.silu is a function"), cli=True, **_ACTIVATION)
def silu(x: Any) -> Tensor:
    """``x * sigmoid(x)`` (also called swish; PyTorch's ``F.silu``)."""
    return cg.multiply(x, cg.sigmoid(x))


_SQRT_HALF = 0.7071067811865476
_SQRT_2_OVER_PI = 0.7978845608028654


@defpublic(method=no("PyTorch's F.gelu is a function"), cli=True, **_ACTIVATION)
def gelu(x: Any, approximate: str = "none") -> Tensor:
    """Gaussian error linear unit ``x * Phi(x)`` (PyTorch's ``F.gelu``): exact with
    ``erf`` by default, or the ``approximate="tanh"`` form."""
    if approximate == "none":
        return cg.multiply(cg.multiply(x, 0.5), cg.add(cg.erf(cg.multiply(x, _SQRT_HALF)), 1.0))
    if approximate == "tanh":
        inner = cg.multiply(cg.add(x, cg.multiply(cg.power(x, 3), 0.044715)), _SQRT_2_OVER_PI)
        return cg.multiply(cg.multiply(x, 0.5), cg.add(cg.tanh(inner), 1.0))
    raise ValueError(f"gelu: approximate must be 'none' or 'tanh', got {approximate!r}")


for _f in (
    mean,
    logsumexp,
    softmax,
    astype,
    dot,
    linear,
    zeros,
    ones,
    empty,
    full,
    zeros_like,
    ones_like,
    empty_like,
    full_like,
    arange,
    eye,
    identity,
    linspace,
    logspace,
    array,
    asarray,
    leaky_relu,
    elu,
    silu,
    gelu,
):
    _f.__module__ = "compgraph"
del _f
