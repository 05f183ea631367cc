"""``Tensor``: an ndarray that records, while grad mode is on, the graph that produced it.

The recorded graph is made of :class:`Node` objects, one per op application; a
Node points at its parents (other Nodes, or leaf Tensors that accumulate
``.grad``) and keeps only the buffers its op's VJP rule declared it reads.
Tensors themselves are not kept by the graph, so an intermediate value lives
exactly as long as the user or a saved buffer holds it.
"""
from __future__ import annotations

import weakref
from typing import Any, Callable

import numpy as np

from .array_methods import ArrayMethods
from .grad_mode import RECORD_HOOKS, STATE, VARIABLE_HOOK, next_seq
from .ops.meta import Meta
from .ops.registry import OPS, Namespace, Op

__all__ = ["Tensor", "Node", "tensor", "constant", "apply", "TENSOR"]

_new = object.__new__

#: Types of symbolic (static-graph) values; operators and cg.* functions defer to them
#: through their ``__cg_apply__(op, args, attrs)`` classmethod.
SYMBOLIC_TYPES: set = set()
_NOATTRS: dict = {}
_FLOAT_KINDS = "fc"


class Node:
    """One recorded op application (PyTorch's ``grad_fn``).

    ``parents[i]`` is the Node that produced input ``i``, the leaf Tensor itself,
    or None when input ``i`` needs no gradient.  ``saved`` holds the inputs the
    VJP rules read (None where not needed) and becomes None once backward has
    used it without ``retain_graph``.
    """

    __slots__ = ("op", "attrs", "parents", "saved", "out", "shape", "dtype", "hooks",
                 "retain", "seq", "label", "__weakref__")

    def __repr__(self) -> str:
        return f"<Node {self.op.name} -> {self.shape} {self.dtype}>"

    @property
    def name(self) -> str:
        """The op's name (PyTorch shows ``MulBackward0``; compgraph shows ``multiply``)."""
        return self.op.name

    @property
    def next_functions(self) -> tuple:
        """The parent nodes / leaf tensors, for code written against PyTorch's grad_fn."""
        return self.parents


def _describe(v: Any) -> str:
    if isinstance(v, Tensor):
        d = v._data
        return f"Tensor(shape={tuple(d.shape)}, dtype={d.dtype})"
    if isinstance(v, (np.ndarray, np.generic)):
        return f"ndarray(shape={v.shape}, dtype={v.dtype})"
    return f"{type(v).__name__} {v!r}"[:80]


def _forward_error(op: Op, args: tuple, attrs: dict, err: Exception) -> Exception:
    operands = ", ".join(_describe(a) for a in args)
    extra = "".join(f", {k}={v!r}" for k, v in attrs.items())
    msg = f"{op.name}: {err} (operands: {operands}{extra})"
    if isinstance(err, IndexError):
        return IndexError(msg)
    if isinstance(err, TypeError):
        return TypeError(msg)
    return ValueError(msg)


def apply(op: Op, args: tuple, attrs: dict = _NOATTRS) -> "Tensor":
    """Run ``op`` on Tensors / arrays / numbers and record it when gradients are needed.

    This is the single dispatch point of the dynamic graph and most of the per-op
    overhead, so it allocates as little as it can: a Tensor, and when recording a
    Node plus two tuples (tuples of arrays drop out of the cyclic GC's work).
    """
    arrays = []
    rg = False
    why = None
    tan = False
    for a in args:
        if isinstance(a, Tensor):
            arrays.append(a._data)
            if a._rg:
                rg = True
            elif a._why is not None:
                why = a._why
            if a._tan is not None:
                tan = True
        else:
            arrays.append(a)
    try:
        out = op.forward(*arrays, **attrs)
    except (ValueError, TypeError, IndexError, ArithmeticError) as err:
        raise _forward_error(op, args, attrs, err) from None
    t = _new(Tensor)
    t._data = out
    t._grad = None
    t._name = None
    t._hooks = None
    t._tan = None
    if not rg or not STATE.enabled or op.vjp is None:
        t._rg = False
        t._node = None
        t._why = why if not rg else ("no_grad" if op.vjp is not None else "nondiff:" + op.name)
        if tan:
            _forward.push_tangents(op, args, attrs, t)
        return t
    parents = []
    needs = 0
    bit = 1
    for a in args:
        if isinstance(a, Tensor) and a._rg:
            n = a._node
            if n is None:
                parents.append(a)
                if a._capturable:
                    a._captured = True  # a Variable: its next assign must not touch this buffer
                    if VARIABLE_HOOK[0] is not None:
                        VARIABLE_HOOK[0](a)
            else:
                parents.append(n)
            needs |= bit
        else:
            parents.append(None)
        bit <<= 1
    parents = tuple(parents)
    if tan:
        # Tangents must survive into backward (forward-over-reverse): keep the Tensors.
        arrays = list(args)
    drop = op.drop.get(needs)
    for j in (op_drop(op, needs) if drop is None else drop):
        if op.meta:
            a = arrays[j]
            arrays[j] = Meta(a.shape, a.dtype) if hasattr(a, "shape") else None
        else:
            arrays[j] = None
    node = _new(Node)
    node.op = op
    node.attrs = attrs
    node.parents = parents
    node.saved = tuple(arrays)
    node.out = (t if tan else out) if op.save_out else None
    node.shape = out.shape
    node.dtype = out.dtype
    node.hooks = None
    node.retain = None
    node.label = None
    node.seq = next_seq()
    t._rg = True
    t._node = node
    t._why = None
    if RECORD_HOOKS:
        for hook in RECORD_HOOKS:
            hook(op, args, attrs, t)
    if tan:
        _forward.push_tangents(op, args, attrs, t)
    return t


def op_drop(op: Op, needs: int) -> tuple:
    """Indices of inputs the op's backward will not read, given which inputs need grads."""
    d = op.drop.get(needs)
    if d is None:
        if op.saves is None:  # variadic rules may read everything
            d = ()
        else:
            keep = set()
            for i, s in enumerate(op.saves):
                if needs >> i & 1:
                    keep.update(s)
            d = tuple(j for j in range(len(op.saves)) if j not in keep)
        op.drop[needs] = d
    return d


def _init_fields(t: "Tensor", data: Any, node: Any = None, rg: bool = False) -> None:
    """Every Tensor slot set once (constructors and _wrap share this)."""
    t._data = data
    t._rg = rg
    t._node = node
    t._grad = None
    t._name = None
    t._hooks = None
    t._why = None
    t._tan = None


def _wrap(data: Any, node: Node | None = None, rg: bool = False) -> "Tensor":
    # The same assignments as _init_fields, inline: this runs for every gradient.
    t = _new(Tensor)
    t._data = data
    t._rg = rg
    t._node = node
    t._grad = None
    t._name = None
    t._hooks = None
    t._why = None
    t._tan = None
    return t


def _as_array(data: Any, dtype: Any, where: str) -> Any:
    if dtype is None and type(data) is float:
        return np.float64(data)
    if isinstance(data, Tensor):
        data = data._data
    try:
        arr = np.array(data, dtype=dtype)
    except (ValueError, TypeError) as err:
        raise TypeError(f"{where}: cannot make an array from {type(data).__name__}: {err}") from None
    if arr.dtype.kind not in "biufc":
        raise TypeError(f"{where}: expected numbers, got dtype {arr.dtype} from "
                        f"{type(data).__name__}; pass ints, floats or an ndarray of them")
    # One-element data lives as a NumPy scalar: its arithmetic is ~10x faster.
    return arr[()] if arr.ndim == 0 else arr


def _check_can_require_grad(dtype: np.dtype, where: str) -> None:
    if dtype.kind not in _FLOAT_KINDS:
        raise TypeError(
            f"{where}: only floating-point tensors can require gradients, got dtype "
            f"{dtype}; create it with a float dtype (dtype='float64' or a value like 3.0)")


class Tensor(ArrayMethods):
    """An n-dimensional array that records operations for automatic differentiation.

    >>> import compgraph as cg
    >>> x = cg.tensor(3.0, requires_grad=True)
    >>> y = (3 * x + 2) ** 4
    >>> y.backward()
    >>> x.grad
    Tensor(15972.)
    """

    __slots__ = ("_data", "_rg", "_node", "_grad", "_name", "_hooks", "_why", "_tan",
                 "__weakref__")
    # Binary operators with ndarrays on the left must come to us, not loop elementwise.
    __array_priority__ = 1000
    # Subclasses whose buffer can change in place (Variable) are told when a graph keeps it.
    _capturable = False

    def __init__(self, data: Any, dtype: Any = None, requires_grad: bool = False,
                 name: str | None = None):
        d = _as_array(data, dtype, "Tensor")
        if requires_grad:
            _check_can_require_grad(d.dtype, "tensor")
        _init_fields(self, d, None, bool(requires_grad))
        self._name = name

    # ------------------------------------------------------------- basic facts
    @property
    def data(self) -> np.ndarray:
        """The underlying ndarray (not a copy)."""
        d = self._data
        if type(d) is not np.ndarray:
            d = self._data = np.asarray(d)
        return d

    @data.setter
    def data(self, value: Any) -> None:
        arr = value._data if isinstance(value, Tensor) else np.asarray(value)
        if self._rg and arr.dtype.kind not in _FLOAT_KINDS:
            raise TypeError(f"Tensor.data: a tensor that requires grad needs float data, got {arr.dtype}")
        self._data = arr

    def numpy(self) -> np.ndarray:
        """The underlying ndarray (not a copy)."""
        return self.data

    def item(self) -> Any:
        """The value of a one-element tensor as a Python number."""
        if self._data.size != 1:
            raise ValueError(f"item: only one-element tensors can be converted to Python "
                             f"scalars, this one has shape {self.shape}")
        return self._data.item()

    def tolist(self) -> Any:
        """The values as (nested) Python lists."""
        return self._data.tolist()

    @property
    def shape(self) -> tuple:
        """The array's shape."""
        return self._data.shape

    @property
    def ndim(self) -> int:
        """Number of dimensions."""
        return self._data.ndim

    @property
    def size(self) -> int:
        """Number of elements."""
        return self._data.size

    @property
    def dtype(self) -> np.dtype:
        """The NumPy dtype."""
        return self._data.dtype

    @property
    def name(self) -> str | None:
        """An optional name, shown by pictures and ``explain`` (also for intermediates)."""
        return self._name

    @name.setter
    def name(self, value: str | None) -> None:
        self._name = value
        if self._node is not None:
            self._node.label = value

    @property
    def grad(self) -> "Tensor | None":
        """The accumulated gradient (leaves, and tensors that called ``retain_grad()``)."""
        return self._grad

    @grad.setter
    def grad(self, value: Any) -> None:
        if value is not None:
            if not isinstance(value, Tensor):
                value = Tensor(value)
            if value.shape != self._data.shape:
                raise ValueError(f"grad: assigned gradient has shape {value.shape} (dtype "
                                 f"{value.dtype}) but the tensor has shape {self.shape} "
                                 f"(dtype {self.dtype}); they must match")
        self._grad = value

    @property
    def requires_grad(self) -> bool:
        """Whether gradients flow to this tensor (leaves accumulate them in ``.grad``)."""
        return self._rg

    @requires_grad.setter
    def requires_grad(self, flag: bool) -> None:
        if self._node is not None:
            raise RuntimeError("requires_grad can only be changed on leaf tensors; "
                               "use .detach() to get a new leaf")
        if flag:
            _check_can_require_grad(self._data.dtype, "requires_grad")
        self._rg = bool(flag)
        self._why = None

    def requires_grad_(self, flag: bool = True) -> "Tensor":
        """Set ``requires_grad`` in place and return the tensor."""
        self.requires_grad = flag
        return self

    @property
    def is_leaf(self) -> bool:
        """True unless the tensor was produced by a recorded op."""
        return self._node is None

    @property
    def grad_fn(self) -> Node | None:
        """The recorded op that produced this tensor (None for leaves)."""
        return self._node

    @property
    def op(self) -> str | None:
        """Name of the op that produced this tensor, or None for a leaf."""
        return None if self._node is None else self._node.op.name

    # ------------------------------------------------------------- autodiff
    def backward(self, gradient: Any = None, retain_graph: bool | None = None,
                 create_graph: bool = False, inputs: Any = None) -> None:
        """Accumulate d(self)/d(leaf) into ``.grad`` of every leaf that requires grad.

        ``gradient`` (same shape as self) may be omitted only for one-element tensors.
        """
        _engine.backward((self,), (gradient,), retain_graph, create_graph, inputs)

    def detach(self) -> "Tensor":
        """A new leaf sharing the data, cut from the graph (never requires grad)."""
        t = _wrap(self._data)
        t._why = "detached"
        return t

    def zero_grad(self) -> None:
        """Forget the accumulated gradient (sets ``.grad`` to None)."""
        self.grad = None

    def retain_grad(self) -> None:
        """Keep ``.grad`` on this non-leaf tensor after backward (leaves always keep it)."""
        if not self._rg:
            raise RuntimeError("retain_grad: this tensor does not require grad")
        if self._node is not None:
            self._node.retain = weakref.ref(self)

    def register_hook(self, fn: Callable[["Tensor"], "Tensor | None"]) -> "_HookHandle":
        """Call ``fn(grad)`` when this tensor's gradient is computed; a returned tensor replaces it."""
        if not self._rg:
            raise RuntimeError("register_hook: cannot register a hook on a tensor that "
                               "does not require grad")
        node = self._node
        if node is None:
            if self._hooks is None:
                self._hooks = []
            hooks = self._hooks
        else:
            if node.hooks is None:
                node.hooks = []
            hooks = node.hooks
        hooks.append(fn)
        return _HookHandle(hooks, fn)

    # ------------------------------------------------------------- conversion
    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        d = self.data
        if dtype is not None and d.dtype != dtype:
            return d.astype(dtype)
        return d.copy() if copy else d

    def _scalar(self, what: str) -> Any:
        if self._data.size != 1:
            raise TypeError(f"{what}(): only one-element tensors can be converted, "
                            f"this one has shape {self.shape}")
        return self._data.item()

    def __float__(self) -> float:
        return float(self._scalar("float"))

    def __int__(self) -> int:
        return int(self._scalar("int"))

    def __index__(self) -> int:
        if self._data.dtype.kind not in "iub" or self._data.size != 1:
            raise TypeError("only one-element integer tensors can be used as an index")
        return int(self._data.item())

    def __bool__(self) -> bool:
        if self._data.size != 1:
            raise ValueError(f"the truth value of a tensor with shape {self.shape} is "
                             f"ambiguous; use .any() / .all() or compare elements")
        return bool(self._data.item())

    def __len__(self) -> int:
        if self._data.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self._data.shape[0]

    def __iter__(self):
        if self._data.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return (self[i] for i in range(self._data.shape[0]))

    def __repr__(self) -> str:
        body = np.array2string(np.asarray(self._data), separator=", ", prefix="Tensor(")
        extra = ""
        if self._data.dtype != np.float64 and self._data.dtype != np.int64 and self._data.dtype != np.bool_:
            extra += f", dtype={self._data.dtype}"
        if self._node is not None:
            extra += f", grad_fn=<{self._node.op.name}>"
        elif self._rg:
            extra += ", requires_grad=True"
        if self.name:
            extra += f", name={self.name!r}"
        return f"Tensor({body}{extra})"

    def _repr_svg_(self) -> str | None:
        """The graph behind this tensor as SVG, for Jupyter (None for a plain leaf)."""
        if self._node is None:
            return None
        from .viz.render import svg_of
        return svg_of(self)

    def __format__(self, spec: str) -> str:
        if spec and self._data.size == 1:
            return format(self._data.item(), spec)
        return format(repr(self), spec)

    __hash__ = object.__hash__

    # ------------------------------------------------------------- operators
    def __add__(self, other): return _binary(ADD, self, other)
    def __radd__(self, other): return _rbinary(ADD, self, other)
    def __sub__(self, other): return _binary(SUB, self, other)
    def __rsub__(self, other): return _rbinary(SUB, self, other)
    def __mul__(self, other): return _binary(MUL, self, other)
    def __rmul__(self, other): return _rbinary(MUL, self, other)
    def __truediv__(self, other): return _binary(DIV, self, other)
    def __rtruediv__(self, other): return _rbinary(DIV, self, other)
    def __pow__(self, other): return _binary(POW, self, other)
    def __rpow__(self, other): return _rbinary(POW, self, other)
    def __matmul__(self, other): return _binary(MATMUL, self, other)
    def __rmatmul__(self, other): return _rbinary(MATMUL, self, other)
    def __lt__(self, other): return _binary(OPS["less"], self, other)
    def __le__(self, other): return _binary(OPS["less_equal"], self, other)
    def __gt__(self, other): return _binary(OPS["greater"], self, other)
    def __ge__(self, other): return _binary(OPS["greater_equal"], self, other)
    def __eq__(self, other): return _binary(OPS["equal"], self, other)  # type: ignore[override]
    def __ne__(self, other): return _binary(OPS["not_equal"], self, other)  # type: ignore[override]
    def __neg__(self): return apply(NEG, (self,))
    def __pos__(self): return self
    def __abs__(self): return apply(OPS["abs"], (self,))

    def __getitem__(self, index: Any) -> "Tensor":
        return apply(OPS["getitem"], (self,), {"index": _F.normalize_index(index)})

    def __setitem__(self, index: Any, value: Any) -> None:
        if self._rg:
            raise RuntimeError("in-place assignment into a tensor that requires grad would "
                               "corrupt its gradient; build a new tensor (cg.where, "
                               "cg.concatenate) or modify .data under cg.no_grad()")
        v = value._data if isinstance(value, Tensor) else value
        self.data[index] = v


class _HookHandle:
    """Returned by ``register_hook``; ``.remove()`` unregisters the hook."""

    def __init__(self, hooks: list, fn: Callable):
        self._hooks, self._fn = hooks, fn

    def remove(self) -> None:
        """Unregister the hook (no error if already removed)."""
        if self._fn in self._hooks:
            self._hooks.remove(self._fn)


def tensor(data: Any, dtype: Any = None, requires_grad: bool = False,
           name: str | None = None) -> Tensor:
    """Make a Tensor (a copy of ``data``); ``requires_grad=True`` makes it a recording leaf.

    >>> import compgraph as cg
    >>> cg.tensor([1.0, 2.0], dtype="float32")
    Tensor([1., 2.], dtype=float32)
    """
    return Tensor(data, dtype=dtype, requires_grad=requires_grad, name=name)


def constant(data: Any, dtype: Any = None, name: str | None = None) -> Tensor:
    """A Tensor that never requires grad (TensorFlow's ``tf.constant``)."""
    return Tensor(data, dtype=dtype, name=name)


def _tensor_apply(op: Op, inputs: tuple, attrs: dict) -> Tensor:
    return apply(op, inputs, attrs)


#: The Tensor namespace: rules run here when ``create_graph=True`` (recorded, so higher order).
TENSOR = Namespace("tensor", _tensor_apply)


def _binary(op: Op, a: Tensor, b: Any) -> Any:
    tb = type(b)
    if tb is not Tensor and tb is not float and tb is not int and tb is not np.ndarray:
        b = _operand(b, op)
        if b is NotImplemented:
            return NotImplemented
    return apply(op, (a, b))


def _rbinary(op: Op, a: Tensor, b: Any) -> Any:
    tb = type(b)
    if tb is not float and tb is not int and tb is not np.ndarray:
        b = _operand(b, op)
        if b is NotImplemented:
            return NotImplemented
    return apply(op, (b, a))


def _operand(v: Any, op: Op) -> Any:
    """Accept Tensors, numbers and arrays; defer to symbolic values; reject the rest."""
    if isinstance(v, (Tensor, int, float, np.ndarray, np.generic)):
        return v
    if type(v) in SYMBOLIC_TYPES:
        return NotImplemented
    if isinstance(v, (list, tuple)):
        arr = np.asarray(v)
        if arr.dtype.kind in "biufc":
            return arr
    raise TypeError(f"{op.name}: unsupported operand of type {type(v).__name__}; expected a "
                    f"Tensor, an ndarray, a Python number or a list of numbers")


ADD, SUB, MUL, DIV = OPS["add"], OPS["subtract"], OPS["multiply"], OPS["divide"]
POW, MATMUL, NEG = OPS["power"], OPS["matmul"], OPS["negative"]

from . import functions as _F  # noqa: E402  (the methods above call the public functions)
from .autodiff import engine as _engine  # noqa: E402
from .autodiff import forward as _forward  # noqa: E402
