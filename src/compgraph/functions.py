"""The public ``cg.*`` functions: NumPy-like signatures over the registered ops.

Each function normalises its arguments (axes, shapes, indices) and hands the op
to :func:`_call`, which picks the Tensor engine or, when an operand is a
symbolic static-graph value, that value's own ``__cg_apply__``.  Composite
functions (``mean``, ``softmax``, ``logsumexp`` ...) are written with these
functions, so their derivatives come from the primitives' rules.
"""
from __future__ import annotations

import builtins
import math
from typing import Any, Sequence

import numpy as np

from .ops.registry import OPS, Op
from .tensor import SYMBOLIC_TYPES, Tensor, _operand, apply

__all__ = [
    "add", "subtract", "multiply", "divide", "power", "negative", "matmul", "dot", "linear",
    "addmm",
    "exp", "log", "sqrt", "sin", "cos", "tan", "tanh", "sigmoid", "relu", "abs",
    "softplus", "erf", "leaky_relu", "elu", "silu", "gelu", "argmax",
    "maximum", "minimum", "where", "clip", "sum", "mean", "max", "min", "reshape",
    "transpose", "concatenate", "stack", "softmax", "log_softmax", "logsumexp",
    "squeeze", "expand_dims", "swapaxes", "broadcast_to", "astype", "stop_gradient",
    "sign", "equal", "not_equal", "less", "less_equal", "greater", "greater_equal",
    "zeros", "ones", "zeros_like", "ones_like", "full", "arange", "eye",
]

_builtin_sum = builtins.sum


def _call(op: Op, args: Sequence[Any], attrs: dict | None = None) -> Any:
    conv = []
    for a in args:
        if type(a) is not Tensor:
            if type(a) in SYMBOLIC_TYPES:
                return type(a).__cg_apply__(op, tuple(args), attrs or {})
            a = _operand(a, op)
        conv.append(a)
    return apply(op, conv, attrs) if attrs else apply(op, conv)


def _ndim(x: Any) -> int | None:
    nd = getattr(x, "ndim", None)
    return nd if nd is not None or hasattr(x, "ndim") else np.ndim(x)


def _shape_of(x: Any) -> tuple | None:
    if hasattr(x, "shape"):
        s = x.shape
        return None if s is None else tuple(s)  # None: a static-graph value of unknown shape
    return np.shape(x)


def normalize_axis(axis: Any, ndim: int, where: str, shape: Any = None) -> tuple | None:
    """``None`` stays None; an int or a tuple becomes a sorted tuple of non-negative axes."""
    if axis is None:
        return None
    if ndim is None:
        raise ValueError(f"{where}: axis={axis!r} needs the number of dimensions of the input, "
                         f"which is unknown here (a static-graph value of unknown shape); "
                         f"declare shapes with g.input(name, shape=...)")
    axes = (axis,) if isinstance(axis, (int, np.integer)) else tuple(axis)
    out = []
    for a in axes:
        if not isinstance(a, (int, np.integer)):
            raise TypeError(f"{where}: axis must be an int or a tuple of ints, got {axis!r}")
        if not -ndim <= a < ndim:
            raise ValueError(f"{where}: axis {a} is out of range for an input of shape "
                             f"{shape if shape is not None else ndim} ({ndim} dimensions)")
        out.append(int(a) % ndim if ndim else 0)
    if len(set(out)) != len(out):
        raise ValueError(f"{where}: repeated axis in {axis!r}")
    return tuple(sorted(out))


def _one_axis(axis: int, ndim: int, where: str, shape: Any = None) -> int:
    return normalize_axis(int(axis), ndim, where, shape)[0]


# ------------------------------------------------------------------ elementwise
def add(x: Any, y: Any) -> Tensor:
    """Elementwise ``x + y`` with broadcasting."""
    return _call(OPS["add"], (x, y))


def subtract(x: Any, y: Any) -> Tensor:
    """Elementwise ``x - y`` with broadcasting."""
    return _call(OPS["subtract"], (x, y))


def multiply(x: Any, y: Any) -> Tensor:
    """Elementwise ``x * y`` with broadcasting."""
    return _call(OPS["multiply"], (x, y))


def divide(x: Any, y: Any) -> Tensor:
    """Elementwise ``x / y`` with broadcasting."""
    return _call(OPS["divide"], (x, y))


def power(x: Any, y: Any) -> Tensor:
    """Elementwise ``x ** y`` with broadcasting (differentiable in both)."""
    return _call(OPS["power"], (x, y))


def negative(x: Any) -> Tensor:
    """Elementwise ``-x``."""
    return _call(OPS["negative"], (x,))


def _named(fn: Any, name: str, doc: str) -> Any:
    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = doc
    return fn


def _unary(name: str, doc: str):
    op = OPS[name]

    def fn(x: Any) -> Tensor:
        return _call(op, (x,))
    return _named(fn, name, doc)


exp = _unary("exp", "Elementwise ``e ** x``.")
log = _unary("log", "Elementwise natural logarithm.")
sqrt = _unary("sqrt", "Elementwise square root.")
sin = _unary("sin", "Elementwise sine.")
cos = _unary("cos", "Elementwise cosine.")
tan = _unary("tan", "Elementwise tangent.")
tanh = _unary("tanh", "Elementwise hyperbolic tangent.")
softplus = _unary("softplus", "Elementwise ``log(1 + exp(x))``, computed stably; its "
                  "derivative is ``sigmoid(x)`` everywhere.")
erf = _unary("erf", "Elementwise error function (exact: the C library's ``erf``).")
sigmoid = _unary("sigmoid", "Elementwise logistic function ``1 / (1 + exp(-x))``, computed stably.")
relu = _unary("relu", "Elementwise ``max(x, 0)``; its derivative at 0 is 0, as in PyTorch.")
abs = _unary("abs", "Elementwise absolute value; its derivative at 0 is 0.")
sign = _unary("sign", "Elementwise sign (not differentiable: its gradient is zero).")
stop_gradient = _unary("stop_gradient", "The same values, with no gradient flowing back (TF's ``tf.stop_gradient``).")


def maximum(x: Any, y: Any) -> Tensor:
    """Elementwise maximum; where ``x == y`` each side gets half the gradient."""
    return _call(OPS["maximum"], (x, y))


def minimum(x: Any, y: Any) -> Tensor:
    """Elementwise minimum; where ``x == y`` each side gets half the gradient."""
    return _call(OPS["minimum"], (x, y))


def where(cond: Any, x: Any, y: Any) -> Tensor:
    """``x`` where ``cond`` is true, else ``y`` (gradients flow to x and y, not cond)."""
    if isinstance(cond, Tensor):
        cond = cond._data
    if type(cond) not in SYMBOLIC_TYPES:
        cond = np.asarray(cond, dtype=bool)
    return _call(OPS["where"], (cond, x, y))


def clip(x: Any, a_min: Any = None, a_max: Any = None) -> Tensor:
    """Limit values to ``[a_min, a_max]``; the gradient passes only inside the interval."""
    lo = a_min._data if isinstance(a_min, Tensor) else a_min
    hi = a_max._data if isinstance(a_max, Tensor) else a_max
    if lo is None and hi is None:
        raise ValueError("clip: give at least one of a_min and a_max")
    return _call(OPS["clip"], (x,), {"lo": lo, "hi": hi})


def astype(x: Any, dtype: Any) -> Tensor:
    """Convert to ``dtype``; gradients come back in the input's dtype.

    Converting to an integer or bool dtype cuts the gradient (such tensors cannot
    require grad), as in PyTorch.
    """
    dtype = np.dtype(dtype)
    if dtype.kind not in "fc":
        x = stop_gradient(x)
    return _call(OPS["astype"], (x,), {"dtype": dtype})


def _compare(name: str, doc: str):
    op = OPS[name]

    def fn(x: Any, y: Any) -> Tensor:
        return _call(op, (x, y))
    return _named(fn, name, doc)


equal = _compare("equal", "Elementwise ``x == y`` (a bool tensor, never requires grad).")
not_equal = _compare("not_equal", "Elementwise ``x != y``.")
less = _compare("less", "Elementwise ``x < y``.")
less_equal = _compare("less_equal", "Elementwise ``x <= y``.")
greater = _compare("greater", "Elementwise ``x > y``.")
greater_equal = _compare("greater_equal", "Elementwise ``x >= y``.")


# ------------------------------------------------------------------ reductions
def sum(x: Any, axis: Any = None, keepdims: bool = False) -> Tensor:  # noqa: A001
    """Sum over ``axis`` (None: all; int or tuple, negative allowed)."""
    axes = normalize_axis(axis, _ndim(x), "sum", _shape_of(x))
    return _call(OPS["sum"], (x,), {"axis": axes, "keepdims": bool(keepdims)})


def mean(x: Any, axis: Any = None, keepdims: bool = False) -> Tensor:
    """Mean over ``axis``; a composite of ``sum`` and ``divide``."""
    shape = _shape_of(x)
    axes = normalize_axis(axis, None if shape is None else len(shape), "mean", shape)
    dims = None if shape is None else [shape[a] for a in (axes if axes is not None
                                                          else range(len(shape)))]
    if dims is None or None in dims:
        # Unknown at build time (static graphs): the count is computed when it runs.
        count = _call(OPS["reduced_count"], (x,), {"axis": axes})
    else:
        count = math.prod(dims)
    return divide(sum(x, axes, keepdims), count)


def _empty_axis(x: Any, axes: tuple | None) -> bool:
    shape = _shape_of(x)
    if shape is None:
        return False
    return (0 in shape) if axes is None else any(shape[a] == 0 for a in axes)


def max(x: Any, axis: Any = None, keepdims: bool = False) -> Tensor:  # noqa: A001
    """Maximum over ``axis``; tied maxima share the gradient evenly."""
    axes = normalize_axis(axis, _ndim(x), "max", _shape_of(x))
    if _empty_axis(x, axes):
        raise ValueError(f"max: cannot reduce an empty axis of shape {_shape_of(x)}")
    return _call(OPS["max"], (x,), {"axis": axes, "keepdims": bool(keepdims)})


def min(x: Any, axis: Any = None, keepdims: bool = False) -> Tensor:  # noqa: A001
    """Minimum over ``axis``; tied minima share the gradient evenly."""
    axes = normalize_axis(axis, _ndim(x), "min", _shape_of(x))
    if _empty_axis(x, axes):
        raise ValueError(f"min: cannot reduce an empty axis of shape {_shape_of(x)}")
    return _call(OPS["min"], (x,), {"axis": axes, "keepdims": bool(keepdims)})


def argmax(x: Any, axis: Any = None, keepdims: bool = False) -> Tensor:
    """Index of the largest value along ``axis`` (of the flattened array when None);
    the first one among ties, NaN counting as largest (NumPy's and torch's rule).
    Integer results, no gradient."""
    if axis is not None and not isinstance(axis, (int, np.integer)):
        raise TypeError(f"argmax: axis must be an int or None, got {axis!r}")
    axes = None if axis is None else normalize_axis(axis, _ndim(x), "argmax", _shape_of(x))
    shape = _shape_of(x)
    if shape is not None and (0 in shape if axes is None else shape[axes[0]] == 0):
        raise ValueError(f"argmax: cannot take the argmax of an empty axis of shape {shape}")
    return _call(OPS["argmax"], (x,), {"axis": axes, "keepdims": bool(keepdims)})


def logsumexp(x: Any, axis: Any = None, keepdims: bool = False) -> Tensor:
    """``log(sum(exp(x)))`` over ``axis``, computed without overflow."""
    shape = _shape_of(x)
    axes = normalize_axis(axis, None if shape is None else len(shape), "logsumexp", shape)
    m = stop_gradient(max(x, axes, keepdims=True))
    r = log(sum(exp(x - m), axes, keepdims=True)) + m
    if keepdims:
        return r
    return reshape(r, ()) if axes is None else squeeze(r, axes)


def log_softmax(x: Any, axis: int = -1) -> Tensor:
    """``x - logsumexp(x)`` along ``axis``, computed stably."""
    axes = normalize_axis(axis, _ndim(x), "log_softmax", _shape_of(x))
    if _empty_axis(x, axes):
        raise ValueError(f"log_softmax: cannot normalise over an empty axis of shape "
                         f"{_shape_of(x)}")
    return _call(OPS["log_softmax"], (x,), {"axis": axes})


def softmax(x: Any, axis: int = -1) -> Tensor:
    """``exp(x) / sum(exp(x))`` along ``axis``, computed stably."""
    axis = normalize_axis(axis, _ndim(x), "softmax", _shape_of(x))
    e = exp(subtract(x, stop_gradient(max(x, axis, keepdims=True))))
    return e / sum(e, axis, keepdims=True)


# ------------------------------------------------------------------ shapes
def reshape(x: Any, shape: Any) -> Tensor:
    """Same values in a new shape (one entry may be -1)."""
    shape = (int(shape),) if isinstance(shape, (int, np.integer)) else tuple(int(s) for s in shape)
    return _call(OPS["reshape"], (x,), {"shape": shape})


def transpose(x: Any, axes: Any = None) -> Tensor:
    """Permute axes (default: reverse them), like ``np.transpose``."""
    nd = _ndim(x)
    if axes is None:
        perm = None if nd is None else tuple(range(nd - 1, -1, -1))
    elif nd is None:
        raise ValueError(f"transpose: axes={tuple(axes)} needs the number of dimensions of the "
                         f"input, which is unknown here; declare shapes with g.input(..., shape=)")
    else:
        if any(not -nd <= int(a) < nd for a in axes):
            raise ValueError(f"transpose: axes {tuple(axes)} are out of range for shape "
                             f"{_shape_of(x)} ({nd} dimensions)")
        perm = tuple(int(a) % nd if nd else 0 for a in axes)
        if sorted(perm) != list(range(nd)):
            raise ValueError(f"transpose: axes {tuple(axes)} are not a permutation of the "
                             f"{nd} axes of shape {_shape_of(x)}")
    return _call(OPS["transpose"], (x,), {"axes": perm})


def swapaxes(x: Any, axis1: int, axis2: int) -> Tensor:
    """Exchange two axes."""
    nd, shape = _ndim(x), _shape_of(x)
    a1 = _one_axis(axis1, nd, "swapaxes", shape)
    a2 = _one_axis(axis2, nd, "swapaxes", shape)
    return _call(OPS["swapaxes"], (x,), {"axis1": a1, "axis2": a2})


def squeeze(x: Any, axis: Any = None) -> Tensor:
    """Remove length-1 axes (all of them, or those in ``axis``)."""
    shape = _shape_of(x)
    if axis is None and (shape is None or None in shape):
        axes = None  # which axes have length 1 is known only when it runs
    elif axis is None:
        axes = tuple(i for i, d in enumerate(shape) if d == 1)
    else:
        axes = normalize_axis(axis, len(shape), "squeeze", shape)
        bad = [a for a in axes if shape[a] != 1]
        if bad:
            raise ValueError(f"squeeze: axis {bad[0]} of shape {shape} has length "
                             f"{shape[bad[0]]}, not 1")
    return _call(OPS["squeeze"], (x,), {"axis": axes})


def expand_dims(x: Any, axis: Any) -> Tensor:
    """Insert length-1 axes at the positions ``axis`` of the result."""
    nd = _ndim(x)
    k = 1 if isinstance(axis, (int, np.integer)) else len(axis)
    if nd is None:
        axes = (axis,) if isinstance(axis, (int, np.integer)) else tuple(axis)
        if any(a < 0 for a in axes):
            raise ValueError(f"expand_dims: a negative axis {axis!r} needs the number of "
                             f"dimensions of the input, which is unknown here")
        return _call(OPS["expand_dims"], (x,), {"axis": tuple(sorted(int(a) for a in axes))})
    axes = normalize_axis(axis, nd + k, "expand_dims", _shape_of(x))
    return _call(OPS["expand_dims"], (x,), {"axis": axes})


def broadcast_to(x: Any, shape: Any) -> Tensor:
    """Broadcast to ``shape`` (gradients are summed back)."""
    return _call(OPS["broadcast_to"], (x,), {"shape": tuple(int(s) for s in shape)})


def concatenate(tensors: Sequence[Any], axis: int = 0) -> Tensor:
    """Join tensors along an existing axis."""
    tensors = list(tensors)
    if not tensors:
        raise ValueError("concatenate: need at least one tensor")
    nd = _ndim(tensors[0])
    if nd == 0:
        raise ValueError("concatenate: zero-dimensional tensors cannot be concatenated")
    return _call(OPS["concatenate"], tensors,
                 {"axis": _one_axis(axis, nd, "concatenate", _shape_of(tensors[0]))})


def stack(tensors: Sequence[Any], axis: int = 0) -> Tensor:
    """Join same-shaped tensors along a new axis."""
    tensors = list(tensors)
    if not tensors:
        raise ValueError("stack: need at least one tensor")
    nd = _ndim(tensors[0])
    if nd is None:
        if axis < 0:
            raise ValueError(f"stack: a negative axis {axis} needs the number of dimensions of "
                             f"the inputs, which is unknown here")
        return _call(OPS["stack"], tensors, {"axis": int(axis)})
    return _call(OPS["stack"], tensors, {"axis": _one_axis(axis, nd + 1, "stack")})


def normalize_index(index: Any) -> Any:
    """Turn Tensors and lists in an index into ndarrays and boolean masks into integer arrays."""
    items = index if isinstance(index, tuple) else (index,)
    out: list = []
    for i in items:
        if isinstance(i, Tensor):
            i = i._data
        if isinstance(i, list):
            i = np.asarray(i)
        if isinstance(i, np.generic):
            i = i.item()
        if isinstance(i, np.ndarray):
            if i.dtype == np.bool_:
                out.extend(np.nonzero(i))
                continue
            if i.dtype.kind not in "iu":
                raise IndexError(f"getitem: index arrays must be integers or booleans, got {i.dtype}")
        out.append(i)
    return tuple(out) if isinstance(index, tuple) or len(out) != 1 else out[0]


# ------------------------------------------------------------------ linear algebra
def matmul(x: Any, y: Any) -> Tensor:
    """Matrix product with NumPy's rules for 1-D, 2-D and batched operands."""
    return _call(OPS["matmul"], (x, y))


def linear(x: Any, weight: Any, bias: Any = None) -> Tensor:
    """``x @ weight.T + bias`` (PyTorch's ``F.linear``): weight of shape (out, in).

    With a bias this is one primitive (one graph node, the bias added in place);
    without one it is ``x @ weight.T``.

    >>> import compgraph as cg
    >>> cg.linear(cg.ones((2, 3)), cg.ones((4, 3)), cg.arange(4.0)).numpy()[0]
    array([3., 4., 5., 6.])
    """
    if bias is None:
        return matmul(x, transpose(weight))
    return _call(OPS["linear"], (x, weight, bias))


def addmm(c: Any, a: Any, b: Any, *, beta: float = 1.0, alpha: float = 1.0) -> Tensor:
    """``beta * c + alpha * (a @ b)`` for matrices ``a`` and ``b`` (PyTorch's ``addmm``).

    ``c`` broadcasts to the product's shape.  One primitive, computed by BLAS's gemm
    (NumPy's bundled OpenBLAS) when the dtypes agree: static graphs fuse SGD's
    ``w - lr * (g.T @ h)`` into it.

    >>> import compgraph as cg
    >>> cg.addmm(cg.ones((2, 2)), cg.eye(2), cg.full((2, 2), 3.0), alpha=2.0).numpy()
    array([[7., 7.],
           [7., 7.]])
    """
    for k, v in (("alpha", alpha), ("beta", beta)):
        if isinstance(v, bool) or not isinstance(v, (int, float, np.integer, np.floating)):
            raise TypeError(f"addmm: {k} must be a Python number, got {type(v).__name__}")
    return _call(OPS["addmm"], (c, a, b), {"alpha": float(alpha), "beta": float(beta)})


def dot(x: Any, y: Any) -> Tensor:
    """``np.dot`` for operands of at most two dimensions (a product for scalars)."""
    nx, ny = _ndim(x), _ndim(y)
    if nx is None or ny is None:
        raise ValueError(f"dot: needs the number of dimensions of its operands (shapes "
                         f"{_shape_of(x)} and {_shape_of(y)}); use matmul, or declare shapes")
    if nx == 0 or ny == 0:
        return multiply(x, y)
    if nx > 2 or ny > 2:
        raise ValueError(f"dot: operands of shapes {_shape_of(x)} and {_shape_of(y)}; dot "
                         f"supports at most 2-D operands here, use matmul for batches")
    return matmul(x, y)


# ------------------------------------------------------------------ creation
def zeros(shape: Any, dtype: Any = "float64", requires_grad: bool = False) -> Tensor:
    """A tensor of zeros."""
    return Tensor(np.zeros(shape, dtype), requires_grad=requires_grad)


def ones(shape: Any, dtype: Any = "float64", requires_grad: bool = False) -> Tensor:
    """A tensor of ones."""
    return Tensor(np.ones(shape, dtype), requires_grad=requires_grad)


def full(shape: Any, value: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """A tensor filled with ``value``."""
    return Tensor(np.full(shape, value, dtype), requires_grad=requires_grad)


def _like(name: str, x: Any, dtype: Any, requires_grad: bool) -> Any:
    if type(x) in SYMBOLIC_TYPES:  # a static-graph value: a node of its graph
        r = _call(OPS[name], (x,))
        return r if dtype is None else astype(r, dtype)
    fill = np.zeros_like if name == "zeros_like" else np.ones_like
    return Tensor(fill(np.asarray(x), dtype=dtype), requires_grad=requires_grad)


def zeros_like(x: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """Zeros with ``x``'s shape (and dtype unless given)."""
    return _like("zeros_like", x, dtype, requires_grad)


def ones_like(x: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """Ones with ``x``'s shape (and dtype unless given)."""
    return _like("ones_like", x, dtype, requires_grad)


def arange(*args: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """Like ``np.arange``."""
    return Tensor(np.arange(*args, dtype=dtype), requires_grad=requires_grad)


def eye(n: int, m: int | None = None, dtype: Any = "float64") -> Tensor:
    """Identity matrix."""
    return Tensor(np.eye(n, m, dtype=dtype))


#: NumPy ufuncs that Tensors answer (``np.exp(t)`` and ``ndarray + t`` return Tensors).
UFUNCS = {
    "add": add, "subtract": subtract, "multiply": multiply, "divide": divide,
    "true_divide": divide, "power": power, "negative": negative, "matmul": matmul,
    "exp": exp, "log": log, "sqrt": sqrt, "sin": sin, "cos": cos, "tan": tan, "tanh": tanh,
    "absolute": abs, "maximum": maximum, "minimum": minimum, "sign": sign,
    "equal": equal, "not_equal": not_equal, "less": less, "less_equal": less_equal,
    "greater": greater, "greater_equal": greater_equal,
}


# ------------------------------------------------------------------ activations
# Compositions of primitives: their gradients come from the primitives' rules.  At the
# kinks they follow PyTorch (leaky_relu and elu take the x <= 0 branch at 0).
def leaky_relu(x: Any, negative_slope: float = 0.01) -> Tensor:
    """``x`` where ``x > 0``, else ``negative_slope * x`` (PyTorch's ``F.leaky_relu``)."""
    return where(greater(x, 0), x, multiply(x, negative_slope))


def elu(x: Any, alpha: float = 1.0) -> Tensor:
    """``x`` where ``x > 0``, else ``alpha * (exp(x) - 1)`` (PyTorch's ``F.elu``)."""
    pos = greater(x, 0)
    neg = where(pos, 0, x)  # exp of the positive side is never needed: it can't overflow
    return where(pos, x, multiply(subtract(exp(neg), 1), alpha))


def silu(x: Any) -> Tensor:
    """``x * sigmoid(x)`` (also called swish; PyTorch's ``F.silu``)."""
    return multiply(x, sigmoid(x))


_SQRT_HALF = 0.7071067811865476
_SQRT_2_OVER_PI = 0.7978845608028654


def gelu(x: Any, approximate: str = "none") -> Tensor:
    """Gaussian error linear unit ``x * Phi(x)`` (PyTorch's ``F.gelu``): exact with
    ``erf`` by default, or the ``approximate="tanh"`` form."""
    if approximate == "none":
        return multiply(multiply(x, 0.5), add(erf(multiply(x, _SQRT_HALF)), 1.0))
    if approximate == "tanh":
        inner = multiply(add(x, multiply(power(x, 3), 0.044715)), _SQRT_2_OVER_PI)
        return multiply(multiply(x, 0.5), add(tanh(inner), 1.0))
    raise ValueError(f"gelu: approximate must be 'none' or 'tanh', got {approximate!r}")
