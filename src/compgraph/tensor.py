"""``Tensor``: an ndarray that records, while grad mode is on, the graph that produced it.

The recording itself (``apply`` and the graph's ``Node``s) lives in
:mod:`compgraph.autodiff.recording`; this module adds what users touch: the
constructors, properties, ``backward``, hooks and conversions.  Methods and
operators of the ops come from their declarations (see
:mod:`compgraph.array_methods`); the arithmetic operators are installed here in a
faster form that calls the recording layer directly.
"""

from __future__ import annotations

import warnings
import weakref
from collections.abc import Callable
from typing import Any

import numpy as np

from .array_methods import ArrayMethods
from .autodiff import engine
from .autodiff.recording import (
    HOOKED_LEAVES,
    Node,
    TensorBase,
    apply,
    apply1,
    apply2,
    apply_num,
    mark_mutated,
    set_tensor_class,
    wrap,
)
from .grad_mode import STATE
from .ops.args import SYMBOLIC_TYPES, normalize_index
from .ops.defaults import default_float
from .ops.elementwise import CAST
from .ops.registry import Front, Op, subscribe
from .ops.shape import STACK
from .ops.update import INDEX_UPDATE

__all__ = [
    "Tensor",
    "Node",
    "tensor",
    "constant",
    "as_array",
    "init_fields",
    "operand",
    "stack_values",
    "set_svg_renderer",
    "must_record",
    "rebind",
    "check_device",
]

#: NumPy ``array2string`` options for Tensor's repr only (``cg.set_printoptions``, as
#: PyTorch's: they leave NumPy's own printing alone).  Empty: NumPy's defaults.
PRINT_OPTIONS: dict[str, Any] = {}

_FLOAT_KINDS = "fc"


_new = object.__new__


def init_fields(t: TensorBase, data: Any, node: Any = None, rg: bool = False) -> None:
    """Every Tensor slot set once (the constructors share this)."""
    t._data = data
    t._rg = rg
    t._node = node
    t._grad = None
    t._name = None
    t._hooks = None
    t._why = None
    t._tan = None


def as_array(data: Any, dtype: Any, where: str) -> Any:
    """``data`` as the array (or NumPy scalar) a new Tensor holds."""
    if dtype is None and type(data) is float:
        return np.float64(data)
    if isinstance(data, Tensor):
        data = data._data
    elif isinstance(data, (list, tuple)) and _recorded_in(data):
        warnings.warn(
            f"{where}: the list holds tensors that require grad (or carry tangents); a new "
            f"tensor is a new leaf, so gradients will not flow back to them. Use cg.stack "
            f"(or pass the list to a cg function) to keep the graph",
            stacklevel=3,
        )
    try:
        arr = np.array(data, dtype=dtype)
    except (ValueError, TypeError) as err:
        raise TypeError(
            f"{where}: cannot make an array from {type(data).__name__}: {err}"
        ) from None
    if arr.dtype.kind not in "biufc":
        raise TypeError(
            f"{where}: expected numbers, got dtype {arr.dtype} from "
            f"{type(data).__name__}; pass ints, floats or an ndarray of them"
        )
    # One-element data lives as a NumPy scalar: its arithmetic is ~10x faster.
    return arr[()] if arr.ndim == 0 else arr


def _check_can_require_grad(dtype: np.dtype, where: str) -> None:
    if dtype.kind not in _FLOAT_KINDS:
        raise TypeError(
            f"{where}: only floating-point tensors can require gradients, got dtype "
            f"{dtype}; create it with a float dtype (dtype='float64' or a value like 3.0)"
        )


class Tensor(TensorBase, ArrayMethods):
    """An n-dimensional array that records operations for automatic differentiation.

    >>> import compgraph as cg
    >>> x = cg.tensor(3.0, requires_grad=True)
    >>> y = (3 * x + 2) ** 4
    >>> y.backward()
    >>> x.grad
    Tensor(15972.)
    """

    __slots__ = ()
    # Binary operators with ndarrays on the left must come to us, not loop elementwise.
    __array_priority__ = 1000

    def __init__(
        self, data: Any, dtype: Any = None, requires_grad: bool = False, name: str | None = None
    ):
        if requires_grad and dtype is None and type(data) is int:
            data = float(data)  # micrograd's Value(2): the default float, as it must record
        d = as_array(data, dtype, "Tensor")
        if requires_grad:
            _check_can_require_grad(d.dtype, "tensor")
        init_fields(self, d, None, bool(requires_grad))
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
        if value is self._data and type(value) is np.ndarray:
            # ``t.data += x``: the getter's array was changed in place, then set back.
            mark_mutated(value)
            return
        arr = value._data if isinstance(value, Tensor) else np.asarray(value)
        if self._rg and arr.dtype.kind not in _FLOAT_KINDS:
            raise TypeError(
                f"Tensor.data: a tensor that requires grad needs float data, got {arr.dtype}"
            )
        self._data = arr

    def numpy(self) -> np.ndarray:
        """The underlying ndarray (not a copy)."""
        return self.data

    def item(self) -> Any:
        """The value of a one-element tensor as a Python number."""
        if self._data.size != 1:
            raise ValueError(
                f"item: only one-element tensors can be converted to Python "
                f"scalars, this one has shape {self.shape}"
            )
        return self._data.item()

    def tolist(self) -> Any:
        """The values as (nested) Python lists."""
        return self._data.tolist()

    @property
    def ndim(self) -> int:
        """Number of dimensions."""
        return self._data.ndim

    @property
    def size(self) -> int:
        """Number of elements."""
        return self._data.size

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
    def grad(self) -> Tensor | None:
        """The accumulated gradient (leaves, and tensors that called ``retain_grad()``)."""
        return self._grad

    @grad.setter
    def grad(self, value: Any) -> None:
        if value is not None:
            want = np.result_type(self._data)
            if not isinstance(value, Tensor):
                arr = np.asarray(value)
                if arr.dtype != want and not np.can_cast(arr.dtype, want, "same_kind"):
                    raise TypeError(
                        f"grad: assigned gradient has dtype {arr.dtype}, which cannot be "
                        f"cast to the tensor's dtype {want}"
                    )
                value = Tensor(arr.astype(want, copy=False))
            elif value.dtype != want:
                raise TypeError(
                    f"grad: assigned gradient has dtype {value.dtype} but the tensor has "
                    f"dtype {want} (as PyTorch, a gradient keeps its tensor's dtype); "
                    f"convert it with .astype({str(want)!r})"
                )
            if value.shape != self._data.shape:
                raise ValueError(
                    f"grad: assigned gradient has shape {value.shape} (dtype "
                    f"{value.dtype}) but the tensor has shape {self.shape} "
                    f"(dtype {self.dtype}); they must match"
                )
        self._grad = value

    @property
    def requires_grad(self) -> bool:
        """Whether gradients flow to this tensor (leaves accumulate them in ``.grad``)."""
        return self._rg

    @requires_grad.setter
    def requires_grad(self, flag: bool) -> None:
        if self._node is not None:
            raise RuntimeError(
                "requires_grad can only be changed on leaf tensors; use .detach() to get a new leaf"
            )
        if flag:
            _check_can_require_grad(self._data.dtype, "requires_grad")
        self._rg = bool(flag)
        self._why = None

    def requires_grad_(self, flag: bool = True) -> Tensor:
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
    def backward(
        self,
        gradient: Any = None,
        retain_graph: bool | None = None,
        create_graph: bool = False,
        inputs: Any = None,
    ) -> None:
        """Accumulate d(self)/d(leaf) into ``.grad`` of every leaf that requires grad.

        ``gradient`` (same shape as self) may be omitted only for one-element tensors.
        """
        if (
            gradient is None
            and inputs is None
            and not create_graph
            and self._node is not None
            and self._tan is None
        ):
            engine.loss_backward(self, retain_graph)  # (``loss.backward()``)
            return
        engine.backward((self,), (gradient,), retain_graph, create_graph, inputs)

    def detach(self) -> Tensor:
        """A new leaf sharing the data, cut from the graph (never requires grad)."""
        t = wrap(self._data)
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

    def register_hook(self, fn: Callable[[Tensor], Tensor | None]) -> _HookHandle:
        """Call ``fn(grad)`` when this tensor's gradient is computed; a returned tensor replaces it."""
        if not self._rg:
            raise RuntimeError(
                "register_hook: cannot register a hook on a tensor that does not require grad"
            )
        node = self._node
        if node is None:
            if self._hooks is None:
                self._hooks = []
                HOOKED_LEAVES.add(self)
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
            raise TypeError(
                f"{what}(): only one-element tensors can be converted, "
                f"this one has shape {self.shape}"
            )
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
            raise ValueError(
                f"the truth value of a tensor with shape {self.shape} is "
                f"ambiguous; use .any() / .all() or compare elements"
            )
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
        body = np.array2string(
            np.asarray(self._data), separator=", ", prefix="Tensor(", **PRINT_OPTIONS
        )
        extra = ""
        if (
            self._data.dtype != np.float64
            and self._data.dtype != np.int64
            and self._data.dtype != np.bool_
        ):
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
        if self._node is None or _SVG[0] is None:
            return None
        return _SVG[0](self)

    def __format__(self, spec: str) -> str:
        if spec and self._data.size == 1:
            return format(self._data.item(), spec)
        return format(repr(self), spec)

    __hash__ = object.__hash__

    def __setitem__(self, index: Any, value: Any) -> None:
        """``t[index] = value``, as PyTorch: in place; recorded (the tensor then stands for
        its new value) when gradients or tangents must see it."""
        if type(value) in SYMBOLIC_TYPES:
            raise TypeError(
                "Tensor.__setitem__: cannot assign a static-graph value into a "
                "Tensor; build the graph with cg.where or cg.concatenate"
            )
        if _must_record(self, value):
            r = apply(INDEX_UPDATE, (self, value), {"index": normalize_index(index, self)})
            _rebind(self, r, INDEX_UPDATE)
            return
        d = self.data
        d[index] = value._data if isinstance(value, TensorBase) else value
        mark_mutated(d)

    # Methods and operators of the ops are installed from their declarations below.


class _HookHandle:
    """Returned by ``register_hook``; ``.remove()`` unregisters the hook."""

    def __init__(self, hooks: list, fn: Callable):
        self._hooks, self._fn = hooks, fn

    def remove(self) -> None:
        """Unregister the hook (no error if already removed)."""
        if self._fn in self._hooks:
            self._hooks.remove(self._fn)


def tensor(
    data: Any,
    dtype: Any = None,
    requires_grad: bool = False,
    name: str | None = None,
    *,
    device: Any = None,
) -> Tensor:
    """Make a Tensor (a copy of ``data``); ``requires_grad=True`` makes it a recording leaf
    (a Python int then becomes the default float, as micrograd's ``Value(2)``).  Python
    floats (and lists of them) without ``dtype`` become the default float dtype
    (``cg.set_default_dtype``; float64 while none is set), as ``torch.tensor``;
    ndarrays, NumPy scalars and Tensors keep their dtype.

    >>> import compgraph as cg
    >>> cg.tensor([1.0, 2.0], dtype="float32")
    Tensor([1., 2.], dtype=float32)
    """
    if data.__class__ is float and dtype is None and device is None:
        # ``cg.tensor(3.0, requires_grad=True)``, the scalar engine's usual leaf: at once.
        t = _new(Tensor)
        init_fields(t, default_float(np.float64).type(data), None, bool(requires_grad))
        t._name = name
        return t
    if device is not None and str(getattr(device, "type", device)).split(":")[0] != "cpu":
        raise ValueError(f"tensor: device {device!r} is not available; compgraph uses the CPU")
    if dtype is None:
        kind = type(data)
        if kind is float or kind is list or kind is tuple or requires_grad and kind is int:
            want = default_float(np.float64)
            if want != np.float64:

                def python_floats(v: Any) -> bool:
                    # Only Python numbers (at least one float, no complex) in lists/tuples.
                    stack, seen_float = [v], False
                    while stack:
                        item = stack.pop()
                        t = type(item)
                        if t is float:
                            seen_float = True
                        elif t is list or t is tuple:
                            stack.extend(item)
                        elif t is not int and t is not bool:
                            return False
                    return seen_float

                if python_floats(data) or requires_grad and kind is int:
                    dtype = want
    return Tensor(data, dtype=dtype, requires_grad=requires_grad, name=name)


def constant(value: Any, dtype: Any = None, shape: Any = None, name: str | None = None) -> Tensor:
    """A Tensor that never requires grad (TensorFlow's ``tf.constant``).  With ``shape``,
    a value of that many elements is reshaped to it and a one-element value fills it
    (TensorFlow's rules); any other size is a ValueError (also a TypeError, the class
    TensorFlow's eager ``tf.constant`` raises).  Python floats follow
    ``cg.set_default_dtype`` as in :func:`tensor`.

    >>> import compgraph as cg
    >>> cg.constant(-1.0, shape=[2, 3])
    Tensor([[-1., -1., -1.],
            [-1., -1., -1.]])
    >>> cg.constant([1, 2, 3, 4, 5, 6], shape=(2, 3))
    Tensor([[1, 2, 3],
            [4, 5, 6]])
    """
    if isinstance(shape, str) and name is None:  # compgraph's older constant(data, dtype, name)
        shape, name = None, shape
    t = tensor(value, dtype=dtype, name=name)
    if shape is None:
        return t
    dims = getattr(shape, "_data", shape)
    try:
        want = tuple(int(d) for d in np.asarray(dims).reshape(-1))
    except (TypeError, ValueError):
        raise TypeError(f"constant: shape must be a sequence of ints, got {shape!r}") from None
    if np.ndim(dims) > 1 or any(d < 0 for d in want):
        raise ValueError(f"constant: shape must be non-negative ints, got {shape!r}")
    arr = t.data
    if arr.shape == want:
        return t
    size = int(np.prod(want, dtype=np.int64))
    if arr.size == size:
        out = arr.reshape(want)
    elif arr.size == 1:
        out = np.full(want, arr.reshape(()), dtype=arr.dtype)
    else:

        class ShapeError(ValueError, TypeError):
            """A value that neither has ``shape``'s size nor one element."""

        raise ShapeError(
            f"constant: the value of shape {arr.shape} has {arr.size} elements, but shape "
            f"{want} has {size} elements (a value must have that many, or one to fill it)"
        )
    return Tensor(out, name=name)


def _binary(op: Op, a: Tensor, b: Any) -> Any:
    b = operand(b, op)
    if b is NotImplemented:
        return NotImplemented
    return apply2(op, a, b)


def _rbinary(op: Op, a: Tensor, b: Any) -> Any:
    b = operand(b, op)
    if b is NotImplemented:
        return NotImplemented
    return apply2(op, b, a)


def operand(v: Any, op: Op) -> Any:
    """Accept Tensors, numbers and arrays; defer to symbolic values; reject the rest."""
    if isinstance(v, (TensorBase, int, float, complex, np.ndarray, np.generic)):
        return v
    if type(v) in SYMBOLIC_TYPES:
        return NotImplemented
    if isinstance(v, (list, tuple)):
        arr = stack_values(v)  # tensors in a list keep their graph
        if not isinstance(arr, np.ndarray) or arr.dtype.kind in "biufc":
            return arr
    raise TypeError(
        f"{op.name}: unsupported operand of type {type(v).__name__}; expected a "
        f"Tensor, an ndarray, a Python number or a list of numbers"
    )


def _recorded_in(items: Any) -> bool:
    """Whether a (nested) list holds tensors that record or carry tangents."""
    for e in items:
        if isinstance(e, TensorBase) and (e._rg or e._tan is not None):
            return True
        if isinstance(e, (list, tuple)) and _recorded_in(e):
            return True
    return False


def _holds_values(items: Any) -> bool:
    """Whether a (nested) list holds tensors or static-graph values."""
    for e in items:
        if isinstance(e, TensorBase) or type(e) in SYMBOLIC_TYPES:
            return True
        if isinstance(e, (list, tuple)) and _holds_values(e):
            return True
    return False


def stack_values(items: Any) -> Any:
    """A (nested) list or tuple holding tensors, stacked so the graph reaches each element
    (``cg.sum([x, 2 * x])``); a list of plain numbers is an array.  Lists nest one level of
    the user's writing per level, never the size of a graph."""
    if not _holds_values(items):
        return np.asarray(items)
    parts = [stack_values(e) if isinstance(e, (list, tuple)) else e for e in items]
    sym = next((e for e in parts if type(e) in SYMBOLIC_TYPES), None)
    if sym is not None:
        return type(sym).__cg_apply__(STACK, tuple(parts), {"axis": 0})
    return apply(STACK, parts, {"axis": 0})


# ------------------------------------------------------------------ in-place operators
_LEAF_IN_PLACE = "a leaf Variable that requires grad is being used in an in-place operation."


def _must_record(t: Tensor, other: Any) -> bool:
    """Whether an in-place change of ``t`` by ``other`` is to be recorded (it takes part in
    gradients or tangents), refusing it on a leaf that requires grad, as PyTorch does."""
    o = other if isinstance(other, TensorBase) else None
    recording = STATE.enabled and (t._rg or (o is not None and o._rg))
    if recording and t._rg and t._node is None:
        raise RuntimeError(
            f"{_LEAF_IN_PLACE} Change it under cg.no_grad() (an optimiser step), or make "
            f"a new tensor (y = x + 1)"
        )
    return recording or t._tan is not None or (o is not None and o._tan is not None)


def _rebind(t: Tensor, r: Any, op: Op) -> None:
    """Make ``t`` stand for ``r`` (a recorded in-place change): its value, its place in the
    graph and its tangents.  The old buffer is left alone (the graph may still read it)."""
    if r.shape != t.shape:
        raise ValueError(
            f"{op.name}: an in-place result of shape {r.shape} does not fit the tensor's "
            f"shape {t.shape}"
        )
    want = np.result_type(t._data)
    if r.dtype != want:
        if not np.can_cast(r.dtype, want, "same_kind"):
            raise TypeError(
                f"{op.name}: result type {r.dtype} can't be cast to the tensor's dtype "
                f"{want} in place (as PyTorch)"
            )
        r = apply(CAST, (r,), {"dtype": want})
    t._data, t._node, t._rg, t._tan, t._why = r._data, r._node, r._rg, r._tan, r._why


#: Public names of the in-place machinery (PyTorch's in-place methods use them).
must_record = _must_record
rebind = _rebind


def check_device(device: Any, where: str) -> None:
    """Accept the CPU (None, "cpu", "cpu:0", ``cg.device("cpu")``); refuse other devices."""
    if device is None or str(getattr(device, "type", device)).split(":")[0] == "cpu":
        return
    raise ValueError(
        f"{where}: device {device!r} is not available; compgraph computes on the CPU "
        f"(device='cpu' or None)"
    )


def _inplace(op: Op, t: Tensor, other: Any) -> Any:
    """``t op= other`` in place, as PyTorch's ``add_``/``sub_``/``mul_``/``div_``/``pow_``."""
    if type(other) in SYMBOLIC_TYPES:
        return NotImplemented
    if not isinstance(other, (TensorBase, int, float, np.ndarray, np.generic)):
        other = operand(other, op)
    if _must_record(t, other):
        _rebind(t, apply(op, (t, other)), op)
        return t
    d = t._data
    res = op.forward(d, other._data if isinstance(other, TensorBase) else other)
    if np.shape(res) != np.shape(d):
        raise ValueError(
            f"{op.name}: an in-place result of shape {np.shape(res)} does not fit the "
            f"tensor's shape {np.shape(d)}"
        )
    have, want = np.result_type(res), np.result_type(d)
    if have != want and not np.can_cast(have, want, "same_kind"):
        raise TypeError(
            f"{op.name}: result type {have} can't be cast to the tensor's dtype {want} in "
            f"place (as PyTorch)"
        )
    if type(d) is np.ndarray and d.flags.writeable:
        np.copyto(d, res, casting="same_kind")
        mark_mutated(d)
    else:  # a NumPy scalar (immutable) or a read-only view: a new value
        t._data = (
            np.asarray(res).astype(want)[()]
            if type(d) is not np.ndarray
            else np.array(res, dtype=want)
        )
    return t


def _fast_operators(front: Front, removed: bool) -> None:
    """Tensor's operators call the recording layer directly (no public-function hop)."""
    op = front.op
    dunders = front.operators
    if op is None or not dunders:
        return
    if removed:
        for d in (*dunders, front.inplace_operator):
            if d is not None and d in Tensor.__dict__:
                delattr(Tensor, d)
        return
    prepare = front.prepare
    if prepare is not None:
        # The operators go through the public function (array_methods); the in-place one
        # checks its operands the same way first (``&=`` of floats is NumPy's TypeError).
        name = front.inplace_operator
        if name is not None and op.nargs == 2:

            def checked_inplace(self, other):
                if type(other) in SYMBOLIC_TYPES:
                    return NotImplemented
                _, attrs = prepare(self, other)
                if attrs:
                    return NotImplemented
                return _inplace(op, self, other)

            checked_inplace.__name__ = checked_inplace.__qualname__ = name
            setattr(Tensor, name, checked_inplace)
        return
    if op.nargs == 1:

        def unary(self):
            return apply1(op, self)

        fns: list[Callable] = [unary]
    else:

        def binary(self, other):
            tb = other.__class__
            if tb is float or tb is int:
                return apply_num(op, self, other, False)
            if tb is Tensor or tb is np.ndarray:
                return apply2(op, self, other)
            return _binary(op, self, other)

        def rbinary(self, other):
            tb = other.__class__
            if tb is float or tb is int:
                return apply_num(op, self, other, True)
            if tb is np.ndarray:
                return apply2(op, other, self)
            return _rbinary(op, self, other)

        fns = [binary, rbinary]
    for d, fn in zip(dunders, fns):
        fn.__name__ = fn.__qualname__ = d
        setattr(Tensor, d, fn)
    name = front.inplace_operator
    if name is not None:

        def inplace(self, other):
            return _inplace(op, self, other)

        inplace.__name__ = inplace.__qualname__ = name
        setattr(Tensor, name, inplace)


set_tensor_class(Tensor)
subscribe(_fast_operators)

#: Renders a Tensor's graph as SVG for Jupyter (set by compgraph.viz when it loads).
_SVG: list = [None]


def set_svg_renderer(fn: Callable[[Any], str | None]) -> None:
    """Let Tensors show their graph in Jupyter through ``fn(tensor) -> svg``."""
    _SVG[0] = fn
