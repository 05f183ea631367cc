"""``Module``: parameters found automatically, train/eval modes, state saved without pickle.

The API follows ``torch.nn.Module``: the same names, the same ``state_dict`` keys and
order, the same errors from ``load_state_dict``.  Differences (``parameters()`` is a
list; buffers are NumPy arrays, copied when assigned) are noted where they occur.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np

from ..array_api import Device
from ..autodiff.recording import mark_mutated
from ..ops.fileio import NpzArchive, atomic_write, write_npz
from ..tensor import Tensor

__all__ = ["Parameter", "Module", "IncompatibleKeys", "StateDictError", "RemovableHandle"]

# Array kinds a state may hold: bool, integers, floats, complex; never objects, which
# could not be saved without pickle.
_NUMERIC_KINDS = "biufc"
# Device names Module.to recognises (anything else is a dtype); only "cpu" is accepted.
_DEVICES = ("cpu", "cuda", "mps", "meta", "xpu")


def _stored(archive: NpzArchive, key: str, target: np.ndarray | None) -> np.ndarray:
    """The entry ``key`` if the module holds it with the header's shape, else a stand-in
    of the stored shape and dtype that takes no memory (a zero-strided view).

    The stand-in is never copied: an unexpected key is not loaded, and a shape
    mismatch always makes ``load_state_dict`` refuse (with its usual message), so the
    data of such entries is never decompressed.
    """
    head = archive.header(key)
    if target is None or head.shape != target.shape:
        try:
            return np.broadcast_to(np.zeros((), head.dtype), head.shape)
        except ValueError:  # more elements than an array can index
            raise archive.error(f"entry {key[:80]!r} declares an impossible shape") from None
    return archive.read(key, head.shape, head.dtype)


class Parameter(Tensor):
    """A float Tensor that a Module trains: a leaf that requires grad (unless frozen).

    >>> import compgraph as cg
    >>> p = cg.nn.Parameter([1.0, 2.0])
    >>> p.requires_grad, p.is_leaf
    (True, True)
    >>> cg.nn.Parameter([1.0], requires_grad=False).requires_grad
    False
    """

    __slots__ = ()

    def __init__(
        self, data: Any, dtype: Any = None, name: str | None = None, requires_grad: bool = True
    ):
        super().__init__(data, dtype=dtype, requires_grad=False, name=name)
        if self._data.dtype.kind not in "fc":
            self._data = self._data.astype(np.float64)
        if type(self._data) is not np.ndarray:  # in-place updates need a buffer
            self._data = np.asarray(self._data).copy()
        self.requires_grad = bool(requires_grad)


class IncompatibleKeys(NamedTuple):
    """What ``load_state_dict`` did not match, like torch's ``_IncompatibleKeys``.

    >>> IncompatibleKeys([], [])
    <All keys matched successfully>
    """

    missing_keys: list
    unexpected_keys: list

    def __repr__(self) -> str:
        if not self.missing_keys and not self.unexpected_keys:
            return "<All keys matched successfully>"
        return (
            f"IncompatibleKeys(missing_keys={self.missing_keys!r}, "
            f"unexpected_keys={self.unexpected_keys!r})"
        )

    def __str__(self) -> str:  # mypy reads `__str__ = __repr__` in a NamedTuple as a field
        return repr(self)


class StateDictError(RuntimeError, KeyError, ValueError):
    """``load_state_dict`` refused a state; nothing was loaded.

    A ``RuntimeError``, as torch raises.  It is also a ``KeyError`` and a ``ValueError``
    because compgraph raised those before (for wrong keys and wrong shapes), so code
    written against either keeps catching it.  ``missing_keys``, ``unexpected_keys``
    and ``mismatched`` (``(key, shape in the state, shape in the model)``) say why.
    """

    # KeyError's __str__ would quote the whole multi-line message.
    __str__ = BaseException.__str__

    def __init__(self, message: str, missing_keys: list, unexpected_keys: list, mismatched: list):
        super().__init__(message)
        self.missing_keys = missing_keys
        self.unexpected_keys = unexpected_keys
        self.mismatched = mismatched


class RemovableHandle:
    """Returned by the ``register_*_hook`` methods; ``remove()`` unregisters the hook."""

    _next_id = 0

    def __init__(self, hooks: dict):
        self._hooks = hooks
        self.id = RemovableHandle._next_id
        RemovableHandle._next_id += 1

    def remove(self) -> None:
        """Unregister the hook (a second call does nothing)."""
        self._hooks.pop(self.id, None)


def _join(prefix: str, name: str) -> str:
    return f"{prefix}.{name}" if prefix else name


def _buffer_value(value: Any, name: str, convert: bool) -> np.ndarray | None:
    """The array a buffer stores for ``value``: always a copy, so the module's in-place
    updates (BatchNorm's running statistics) never write into the caller's array.

    ``convert`` (``register_buffer``) accepts any array-like; plain assignment accepts
    only arrays, NumPy scalars, Tensors and None, because ``bn.running_mean = 0.1`` is
    more likely a slip than a wish for a 0-d buffer (torch raises TypeError too).
    """
    if value is None:
        return None
    if isinstance(value, Tensor):
        value = value._data
    elif not (convert or isinstance(value, (np.ndarray, np.generic))):
        raise TypeError(
            f"cannot assign '{type(value).__name__}' as buffer '{name}' "
            f"(numpy.ndarray, Tensor or None expected)"
        )
    arr = np.array(value)
    if arr.dtype.kind not in _NUMERIC_KINDS:
        raise TypeError(
            f"buffer '{name}' must hold numbers or booleans, got an array of dtype {arr.dtype}"
        )
    return arr


class Module:
    """Base class of layers and models: ``forward`` plus discovered parameters.

    Attributes that are Parameters, Modules or buffers (``register_buffer``) are found
    automatically, in assignment order, so ``parameters()`` and ``state_dict()`` need
    no bookkeeping in subclasses.

    >>> import compgraph as cg
    >>> net = cg.nn.Sequential(cg.nn.Linear(2, 3, seed=0), cg.nn.BatchNorm1d(3))
    >>> list(net.state_dict())  # module by module, as torch  # doctest: +NORMALIZE_WHITESPACE
    ['0.weight', '0.bias', '1.weight', '1.bias', '1.running_mean', '1.running_var',
     '1.num_batches_tracked']
    """

    # Class-level fallbacks (never mutated) for subclasses that skip Module.__init__
    # but never assign attributes: calling them still works.
    _forward_hooks: dict = {}
    _forward_pre_hooks: dict = {}
    # Set in __init__ (with object.__setattr__, past the registering __setattr__).
    _params: dict[str, Any]
    _modules: dict[str, Any]
    _buffers: dict[str, Any]
    _non_persistent: set
    training: bool

    if TYPE_CHECKING:  # registered parameters, buffers and submodules are attributes

        def __getattr__(self, name: str) -> Any: ...

    def __init__(self) -> None:
        object.__setattr__(self, "_params", OrderedDict())
        object.__setattr__(self, "_modules", OrderedDict())
        object.__setattr__(self, "_buffers", OrderedDict())
        object.__setattr__(self, "_non_persistent", set())
        object.__setattr__(self, "_forward_hooks", OrderedDict())
        object.__setattr__(self, "_forward_pre_hooks", OrderedDict())
        object.__setattr__(self, "training", True)

    # ------------------------------------------------------------------ attributes
    # Registered values live both in their store (for discovery, in order) and in
    # __dict__ (so ``self.weight`` in forward is a plain, fast attribute read); every
    # path that changes one changes the other.
    def __setattr__(self, name: str, value: Any) -> None:
        if "_params" not in self.__dict__:
            raise RuntimeError(
                f"{type(self).__name__}: call super().__init__() before assigning attributes"
            )
        params, modules, buffers = self._params, self._modules, self._buffers
        if isinstance(value, Parameter):
            self._forget(name)
            params[name] = value
        elif name in params:
            # As torch: a registered parameter takes only a Parameter or None, so a
            # stray Tensor cannot silently drop out of parameters() and state_dict().
            if value is not None:
                raise TypeError(
                    f"cannot assign '{type(value).__name__}' as parameter "
                    f"'{name}' (Parameter or None expected)"
                )
            params[name] = None
        elif isinstance(value, Module):
            self._forget(name)
            modules[name] = value
        elif name in modules:
            if value is not None:
                raise TypeError(
                    f"cannot assign '{type(value).__name__}' as child module "
                    f"'{name}' (Module or None expected)"
                )
            modules[name] = None
        elif getattr(value, "_is_buffer", False):  # an nn.Buffer registers itself, as torch
            self.register_buffer(name, value, value.persistent)
            return
        elif name in buffers:
            # Still a buffer after reassignment, so state_dict() keeps it (as torch).
            value = buffers[name] = _buffer_value(value, name, convert=False)
        object.__setattr__(self, name, value)

    def __delattr__(self, name: str) -> None:
        self._forget(name)
        object.__delattr__(self, name)

    def _forget(self, name: str) -> None:
        for store in (self._params, self._modules, self._buffers):
            store.pop(name, None)
        self._non_persistent.discard(name)

    def _check_new_name(self, name: Any, kind: str, store: dict) -> None:
        if not isinstance(name, str):
            raise TypeError(f"{kind} name should be a string, got {type(name).__name__}")
        if name == "" or "." in name:
            raise KeyError(f"{kind} name can't be empty or contain \".\", got {name!r}")
        if name not in store and hasattr(self, name):
            raise KeyError(f"attribute '{name}' already exists")

    def register_buffer(self, name: str, tensor: Any, persistent: bool = True) -> None:
        """A non-trained array kept with the module (e.g. BatchNorm's running mean).

        The value (any array-like, a Tensor, or None) is stored as a NumPy copy.
        ``persistent=False`` leaves it out of ``state_dict()``.
        """
        if "_buffers" not in self.__dict__:
            raise RuntimeError(
                f"{type(self).__name__}: call super().__init__() before register_buffer()"
            )
        self._check_new_name(name, "buffer", self._buffers)
        arr = _buffer_value(tensor, name, convert=True)
        self._forget(name)
        self._buffers[name] = arr
        if not persistent:
            self._non_persistent.add(name)
        object.__setattr__(self, name, arr)

    def register_parameter(self, name: str, param: Parameter | None) -> None:
        """Add a parameter (or a None placeholder) under ``name``."""
        self._check_new_name(name, "parameter", self._params)
        if param is not None and not isinstance(param, Parameter):
            raise TypeError(
                f"cannot assign '{type(param).__name__}' object to parameter "
                f"'{name}' (Parameter or None required)"
            )
        self._forget(name)
        self._params[name] = param
        object.__setattr__(self, name, param)

    def add_module(self, name: str, module: Module | None) -> None:
        """Add a child module (or a None placeholder) under ``name``."""
        self._check_new_name(name, "module", self._modules)
        if module is not None and not isinstance(module, Module):
            raise TypeError(f"{type(module).__name__} is not a Module subclass")
        self._forget(name)
        self._modules[name] = module
        object.__setattr__(self, name, module)

    register_module = add_module

    def _set_children(self, items: Iterable[tuple[str, Module | None]]) -> None:
        """Replace every child at once (containers renumbering after a deletion)."""
        for name in list(self._modules):
            self.__dict__.pop(name, None)
        self._modules.clear()
        for name, module in items:
            self._modules[name] = module
            object.__setattr__(self, name, module)

    # ------------------------------------------------------------------ calling
    def forward(self, *args: Any, **kwargs: Any) -> Any:
        """The computation; subclasses define it."""
        raise NotImplementedError(f"{type(self).__name__} does not define forward()")

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if self._forward_hooks or self._forward_pre_hooks:
            return self._call_with_hooks(args, kwargs)
        return self.forward(*args, **kwargs)

    def _call_with_hooks(self, args: tuple, kwargs: dict) -> Any:
        for hook in list(self._forward_pre_hooks.values()):
            new = hook(self, args)
            if new is not None:
                args = new if isinstance(new, tuple) else (new,)
        out = self.forward(*args, **kwargs)
        for hook in list(self._forward_hooks.values()):
            new = hook(self, args, out)
            if new is not None:
                out = new
        return out

    def register_forward_hook(self, hook: Callable[[Module, tuple, Any], Any]) -> RemovableHandle:
        """Call ``hook(module, args, output)`` after each forward; a non-None result
        replaces the output.  Returns a handle whose ``remove()`` unregisters it."""
        return self._add_hook("_forward_hooks", hook)

    def register_forward_pre_hook(self, hook: Callable[[Module, tuple], Any]) -> RemovableHandle:
        """Call ``hook(module, args)`` before each forward; a non-None result replaces
        the positional arguments (a single value means one argument)."""
        return self._add_hook("_forward_pre_hooks", hook)

    def _add_hook(self, attr: str, hook: Callable) -> RemovableHandle:
        if attr not in self.__dict__:  # the class-level fallback is shared: never mutate it
            object.__setattr__(self, attr, OrderedDict())
        hooks = self.__dict__[attr]
        handle = RemovableHandle(hooks)
        hooks[handle.id] = hook
        return handle

    # ------------------------------------------------------------------ discovery
    def named_modules(
        self, prefix: str = "", remove_duplicate: bool = True
    ) -> Iterator[tuple[str, Module]]:
        """This module and every submodule, depth first, with dotted names.

        A module reachable twice is listed once unless ``remove_duplicate=False``.
        """
        stack: list = [(prefix, self, ())]
        seen: set = set()
        while stack:
            name, m, ancestors = stack.pop()
            if remove_duplicate:
                if id(m) in seen:
                    continue
                seen.add(id(m))
            elif id(m) in ancestors:
                raise RuntimeError(f"module {name!r} contains itself")
            yield name, m
            inner = ancestors + (id(m),)
            for child_name, child in reversed(list(m._modules.items())):
                if child is not None:
                    stack.append((_join(name, child_name), child, inner))

    def modules(self) -> Iterator[Module]:
        """This module and every submodule."""
        return (m for _, m in self.named_modules())

    def named_children(self) -> Iterator[tuple[str, Module]]:
        """The direct submodules with their names (each module once)."""
        seen = set()
        for name, m in self._modules.items():
            if m is not None and id(m) not in seen:
                seen.add(id(m))
                yield name, m

    def children(self) -> Iterator[Module]:
        """The direct submodules."""
        return (m for _, m in self.named_children())

    def _members(
        self, store: str, prefix: str, recurse: bool, remove_duplicate: bool
    ) -> Iterator[tuple[str, Any]]:
        mods = self.named_modules(prefix, remove_duplicate) if recurse else [(prefix, self)]
        seen = set()
        for mname, m in mods:
            for name, v in getattr(m, store).items():
                if v is None:
                    continue
                if remove_duplicate:
                    if id(v) in seen:
                        continue
                    seen.add(id(v))
                yield _join(mname, name), v

    def named_parameters(
        self, prefix: str = "", recurse: bool = True, remove_duplicate: bool = True
    ) -> Iterator[tuple[str, Parameter]]:
        """Every parameter once (shared ones too), with its dotted name.

        Frozen parameters (``requires_grad=False``) are included, as in torch.
        """
        return self._members("_params", prefix, recurse, remove_duplicate)

    def parameters(self, recurse: bool = True) -> list[Parameter]:
        """Every parameter once, in a fixed order.

        A list (torch returns a generator): ``len()``, indexing and reuse work; use
        ``iter(m.parameters())`` where torch code calls ``next(m.parameters())``.
        """
        return [p for _, p in self.named_parameters(recurse=recurse)]

    def named_buffers(
        self, prefix: str = "", recurse: bool = True, remove_duplicate: bool = True
    ) -> Iterator[tuple[str, np.ndarray]]:
        """Every buffer (persistent or not) with its dotted name."""
        return self._members("_buffers", prefix, recurse, remove_duplicate)

    def buffers(self, recurse: bool = True) -> list[np.ndarray]:
        """Every buffer once, in a fixed order (a list, like ``parameters()``)."""
        return [b for _, b in self.named_buffers(recurse=recurse)]

    def apply(self, fn: Callable[[Module], Any]) -> Module:
        """Call ``fn`` on every submodule, then on this module (as torch); returns self."""
        stack: list = [(self, False, ())]
        while stack:
            m, expanded, ancestors = stack.pop()
            if expanded:
                fn(m)
                continue
            if id(m) in ancestors:
                raise RuntimeError(f"apply: {type(m).__name__} contains itself")
            stack.append((m, True, ancestors))
            inner = ancestors + (id(m),)
            for child in reversed(list(m.children())):
                stack.append((child, False, inner))
        return self

    # ------------------------------------------------------------------ modes
    def train(self, mode: bool = True) -> Module:
        """Training mode (Dropout drops, BatchNorm uses batch statistics); returns self."""
        for m in self.modules():
            object.__setattr__(m, "training", bool(mode))
        return self

    def eval(self) -> Module:
        """Evaluation mode; returns self."""
        return self.train(False)

    def to(self, *args: Any, **kwargs: Any) -> Module:
        """PyTorch's ``to(dtype)``, ``to("cpu")``, ``to(device, dtype)``, ``to(tensor)`` or
        ``dtype=``/``device=``: casts every floating parameter and buffer to ``dtype`` in
        place (the same Parameter objects, so optimisers keep them; gradients are dropped,
        as their dtype no longer matches).  The one device is the CPU.  Returns self."""
        dtype, device = kwargs.pop("dtype", None), kwargs.pop("device", None)
        kwargs.pop("non_blocking", None)
        if kwargs:
            raise TypeError(f"Module.to: unexpected keyword arguments {sorted(kwargs)}")
        for a in args:
            if isinstance(a, Tensor):
                dtype = a.dtype
            elif isinstance(a, (str, Device)) and str(a).partition(":")[0] in _DEVICES:
                device = a
            else:
                dtype = a
        if device is not None and Device(device) != "cpu":
            raise ValueError(f"Module.to: compgraph runs on 'cpu' only, got device={device!r}")
        if dtype is None:
            return self
        dt = np.dtype(dtype)
        if dt.kind != "f":
            raise TypeError(f"Module.to: expected a floating dtype, got {dt}")
        for m in self.modules():
            for p in m._params.values():
                if p is not None and p._data.dtype.kind == "f" and p._data.dtype != dt:
                    p._data = p._data.astype(dt)
                    p.grad = None
            for name, b in list(m._buffers.items()):
                if b is not None and b.dtype.kind == "f" and b.dtype != dt:
                    m._buffers[name] = b.astype(dt)
                    object.__setattr__(m, name, m._buffers[name])
        return self

    def float(self) -> Module:
        """``to(float32)``."""
        return self.to(np.float32)

    def double(self) -> Module:
        """``to(float64)``."""
        return self.to(np.float64)

    def half(self) -> Module:
        """``to(float16)``."""
        return self.to(np.float16)

    def cpu(self) -> Module:
        """Self: compgraph computes on the CPU."""
        return self

    def cuda(self, device: Any = None) -> Module:
        """Refused: compgraph computes on the CPU."""
        raise ValueError("Module.cuda: compgraph runs on 'cpu' only")

    def requires_grad_(self, requires_grad: bool = True) -> Module:
        """Freeze (False) or unfreeze every parameter; they stay in ``parameters()``."""
        for p in self.parameters():
            p.requires_grad_(requires_grad)
        return self

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Forget every parameter's gradient, or with ``set_to_none=False`` set the
        existing gradients to zero (parameters without one keep None, as torch)."""
        for p in self.parameters():
            g = p.grad
            if g is None:
                continue
            if set_to_none:
                p.grad = None
            elif g.grad_fn is not None:
                # A gradient recorded with create_graph: its data may be saved by that
                # graph, so give the parameter a fresh zero leaf instead of writing into it.
                p.grad = Tensor(np.zeros_like(g.data))
            elif g.data.flags.writeable:
                g.data[...] = 0
                mark_mutated(g)  # a graph built on this gradient must not use it
            else:
                g.data = np.zeros_like(g.data)

    # ------------------------------------------------------------------ state
    def _state_entries(self) -> Iterator[tuple[str, Module, str, bool]]:
        """``(key, module, attribute, is_parameter)`` for every state entry, in torch's
        order: each module's parameters, then its persistent buffers, then its children.

        Unlike ``named_parameters``, a module reachable twice appears under each name,
        as in torch's ``state_dict``.
        """
        for mname, m in self.named_modules(remove_duplicate=False):
            for name, p in m._params.items():
                if p is not None:
                    yield _join(mname, name), m, name, True
            for name, b in m._buffers.items():
                if b is not None and name not in m._non_persistent:
                    yield _join(mname, name), m, name, False

    def state_dict(self, prefix: str = "", keep_vars: bool = False) -> OrderedDict[str, Any]:
        """Copies of every parameter and persistent buffer, by dotted name.

        ``prefix`` is prepended to every key as given (torch passes ``"name."``);
        ``keep_vars=True`` gives the Parameters and buffer arrays themselves.
        """
        out: OrderedDict = OrderedDict()
        for key, m, name, is_param in self._state_entries():
            v = m._params[name] if is_param else m._buffers[name]
            if keep_vars:
                out[prefix + key] = v
            else:
                out[prefix + key] = np.array(v.data if is_param else v)
        return out

    def load_state_dict(
        self, state_dict: Mapping[str, Any], strict: bool = True
    ) -> IncompatibleKeys:
        """Copy values by name into the existing arrays (optimisers keep working).

        Every key, shape and dtype is checked before anything changes.  Missing or
        unexpected keys raise :class:`StateDictError` (a ``RuntimeError``) when
        ``strict``, and are returned as ``(missing_keys, unexpected_keys)`` either way;
        a shape mismatch always raises, as in torch.  When it raises, nothing is loaded
        (torch may have loaded part of the state by then).
        """
        if not isinstance(state_dict, Mapping):
            hint = (
                " (to read a file, call Module.load(path))" if isinstance(state_dict, str) else ""
            )
            raise TypeError(
                f"load_state_dict: expected a mapping of names to arrays, got "
                f"{type(state_dict).__name__}{hint}"
            )
        self._materialize_lazy(state_dict)
        targets = {
            key: m._params[name].data if is_param else m._buffers[name]
            for key, m, name, is_param in self._state_entries()
        }
        missing = [k for k in targets if k not in state_dict]
        unexpected = [k for k in state_dict if k not in targets]
        mismatched, problems, staged = [], [], []
        for key, value in state_dict.items():
            if key not in targets:
                continue
            value = np.asarray(value._data if isinstance(value, Tensor) else value)
            cur = targets[key]
            if value.dtype.kind not in _NUMERIC_KINDS:
                problems.append(
                    f"dtype mismatch for {key}: the checkpoint holds {value.dtype}, not numbers"
                )
            elif value.shape != cur.shape:
                mismatched.append((key, value.shape, cur.shape))
                problems.append(
                    f"size mismatch for {key}: copying a param with shape "
                    f"{value.shape} from checkpoint, the shape in current "
                    f"model is {cur.shape}."
                )
            else:
                staged.append((cur, value))
        if strict:
            # torch's order: missing keys, unexpected keys, then the size mismatches
            if unexpected:
                problems.insert(
                    0,
                    "Unexpected key(s) in state_dict: "
                    + ", ".join(f'"{k}"' for k in unexpected)
                    + ". ",
                )
            if missing:
                problems.insert(
                    0,
                    "Missing key(s) in state_dict: " + ", ".join(f'"{k}"' for k in missing) + ". ",
                )
        if problems:
            raise StateDictError(
                f"Error(s) in loading state_dict for {type(self).__name__}:\n\t"
                + "\n\t".join(problems)
                + "\nNothing was loaded.",
                missing,
                unexpected,
                mismatched,
            )
        for cur, value in staged:  # every check passed: now copy
            cur[...] = value
        return IncompatibleKeys(missing, unexpected)

    def _materialize_lazy(self, state: Mapping[str, Any]) -> None:
        # Lazy submodules (nn.LazyLinear ...) take their shapes from the state first.
        for mname, m in self.named_modules():
            hook = getattr(m, "_lazy_load_hook", None)
            if hook is not None and m.has_uninitialized_params():
                hook(state, mname + "." if mname else "")

    def save(self, path: str) -> None:
        """Write the state to an ``.npz`` file (no pickle), one entry per state key
        (any key, even ``file`` or ``allow_pickle``), atomically: if the save fails the
        previous file stays as it was."""
        state = self.state_dict()
        atomic_write(path, lambda fh: write_npz(fh, state.items()))

    def load(self, path: str, strict: bool = True) -> IncompatibleKeys:
        """Read a state written by :meth:`save` (or ``np.savez``) into this module.

        Each entry's shape and dtype come from its ``.npy`` header before any data is
        read: only entries this module holds, with its shapes, are decompressed, so the
        file can never make it take more memory than the module itself (a zip bomb is
        refused unread).  A missing, empty, truncated or non-``.npz`` file, or one
        holding anything but numbers, is a ValueError naming the file; key and shape
        problems raise as :meth:`load_state_dict` does, and nothing is loaded then.
        """
        with NpzArchive(path, "Module.load") as archive:
            self._materialize_lazy({k: archive.header(k) for k in archive.names})
            targets = {
                key: m._params[name].data if is_param else m._buffers[name]
                for key, m, name, is_param in self._state_entries()
            }
            state = {key: _stored(archive, key, targets.get(key)) for key in archive.names}
        return self.load_state_dict(state, strict=strict)

    def __repr__(self) -> str:
        # PyTorch's layout: extra_repr inline when alone, else one line each with the children
        extra = self.extra_repr()
        lines = extra.split("\n") if extra else []
        children = [f"({k}): " + repr(m).replace("\n", "\n  ") for k, m in self._modules.items()]
        if len(lines) == 1 and not children:
            return f"{type(self).__name__}({lines[0]})"
        body = "".join("\n  " + line for line in lines + children)
        return f"{type(self).__name__}({body}{chr(10) if body else ''})"

    def extra_repr(self) -> str:
        """Text inside the parentheses of ``repr``."""
        return ""
