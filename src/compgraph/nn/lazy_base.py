"""What lazy modules stand on: ``UninitializedParameter``, ``UninitializedBuffer``,
``Buffer``, ``LazyModuleMixin`` and the machinery the lazy layers of
:mod:`compgraph.nn.lazy` share (their names are exported from there)."""

from __future__ import annotations

import inspect
from collections.abc import Mapping
from typing import Any

import numpy as np

from ..ops.defaults import get_default_dtype
from ..ops.fileio import NpzArchive
from ..tensor import Tensor, init_fields
from .module import IncompatibleKeys, Module, Parameter

__all__ = ["UninitializedParameter", "UninitializedBuffer", "Buffer", "LazyModuleMixin"]

_USE_MESSAGE = (
    "Attempted to use an uninitialized parameter in {}. This error happens when you are "
    "using a `LazyModule` or explicitly manipulating `nn.UninitializedParameter` objects. "
    "When using LazyModules call `forward` with a dummy batch to initialize the parameters "
    "before calling compgraph functions"
)
_SHAPE_MESSAGE = (
    "Can't access the shape of an uninitialized parameter or buffer. This error usually "
    "happens in `load_state_dict` when trying to load an uninitialized parameter into an "
    "initialized one. Call `forward` to initialize the parameters before accessing their "
    "attributes."
)
# What may still look at an uninitialized array: its facts, never its values.
_ALLOWED_FUNCTIONS = frozenset((np.shape, np.ndim, np.size, np.result_type, np.copy))


class _Unset(np.ndarray):
    """The empty array behind an uninitialized parameter or buffer.

    The ops read a Tensor's array directly, so the refusal lives here: any NumPy
    computation with it (a ufunc or an array function) raises the clear ValueError,
    while ``dtype`` and ``astype`` (``Module.to`` before the first call) still work.
    """

    def __array_ufunc__(self, ufunc: Any, method: str, *inputs: Any, **kwargs: Any) -> Any:
        raise ValueError(_USE_MESSAGE.format(f"numpy.{ufunc.__name__}"))

    def __array_function__(self, func: Any, types: Any, args: Any, kwargs: Any) -> Any:
        if func in _ALLOWED_FUNCTIONS:
            return super().__array_function__(func, types, args, kwargs)
        raise ValueError(_USE_MESSAGE.format(f"numpy.{func.__name__}"))


def _unset(dtype: Any) -> _Unset:
    return np.empty(0, dtype).view(_Unset)


def _is_lazy(value: Any) -> bool:
    """Whether ``value`` is an uninitialized parameter or buffer (torch's ``is_lazy``)."""
    return isinstance(value, (_Uninitialized, _Unset))


def _check_device(device: Any, where: str) -> None:
    if device is not None and str(device).partition(":")[0] != "cpu":
        raise ValueError(f"{where}: compgraph runs on 'cpu' only, got device={device!r}")


def _float_dtype(dtype: Any, where: str) -> np.dtype:
    dt = get_default_dtype() if dtype is None else np.dtype(dtype)
    if dt.kind not in "fc":
        raise TypeError(f"{where}: expected a floating dtype, got {dt}")
    return dt


def _shape_of(value: Any) -> tuple:
    return tuple(value.shape) if hasattr(value, "shape") else np.shape(value)


class _Uninitialized:
    """torch's ``UninitializedTensorMixin``: no shape and no values until
    ``materialize(shape)``, which turns the object into a ``cls_to_become``."""

    __slots__ = ()
    cls_to_become: type = Tensor
    _data: Any

    def materialize(self, shape: Any, device: Any = None, dtype: Any = None) -> None:
        """Give the object ``shape`` (zeros) and, if given, ``dtype`` (else its own), and
        make it a ``cls_to_become`` (Parameter, Buffer) in place."""
        name = type(self).__name__
        _check_device(device, f"{name}.materialize")
        dims = shape if isinstance(shape, (tuple, list)) else (shape,)
        if not all(isinstance(s, (int, np.integer)) and not isinstance(s, bool) for s in dims):
            raise TypeError(f"{name}.materialize: shape must be ints, got {shape!r}")
        if any(s < 0 for s in dims):
            raise ValueError(f"{name}.materialize: shape must not be negative, got {shape!r}")
        dt = self._data.dtype if dtype is None else np.dtype(dtype)
        if getattr(self, "_rg", False) and dt.kind not in "fc":
            raise TypeError(f"{name}.materialize: a parameter needs a floating dtype, got {dt}")
        self._data = np.zeros(tuple(int(s) for s in dims), dt)
        object.__setattr__(self, "__class__", self.cls_to_become)

    @property
    def shape(self) -> tuple:
        """Refused, as torch: the shape is not known yet."""
        raise RuntimeError(_SHAPE_MESSAGE)

    @property
    def data(self) -> np.ndarray:
        """The empty placeholder array (any computation with it raises)."""
        return self._data

    @data.setter
    def data(self, value: Any) -> None:
        raise ValueError(
            f"{type(self).__name__}: cannot set data before materialize(shape) is called"
        )

    def __repr__(self) -> str:
        return f"<{type(self).__name__}>"


class UninitializedParameter(_Uninitialized, Parameter):
    """A Parameter whose shape is not known yet, as ``torch.nn.UninitializedParameter``.

    It holds no values: its ``shape`` raises RuntimeError and any computation with it
    raises ValueError.  ``materialize(shape)`` makes it an ordinary Parameter in place
    (so a module and an optimizer holding it keep the same object).

    >>> import compgraph as cg
    >>> p = cg.nn.UninitializedParameter()
    >>> p
    <UninitializedParameter>
    >>> p.materialize((2, 3))
    >>> type(p).__name__, p.shape
    ('Parameter', (2, 3))
    """

    __slots__ = ()
    cls_to_become = Parameter

    def __init__(self, requires_grad: bool = True, device: Any = None, dtype: Any = None):
        _check_device(device, "UninitializedParameter")
        init_fields(
            self, _unset(_float_dtype(dtype, "UninitializedParameter")), None, bool(requires_grad)
        )


class Buffer(Tensor):
    """A Tensor that a module keeps as a buffer, as ``torch.nn.Buffer(data, persistent=True)``.

    ``persistent=False`` leaves it out of ``state_dict()``.  compgraph modules keep
    buffers as NumPy arrays: ``module.register_buffer(name, buf, buf.persistent)`` stores
    a copy of its values.  Assigning a Buffer as a module attribute registers it (as
    torch) in lazy modules; in other modules that needs ``Module.__setattr__`` to know
    Buffers, which it does not yet, so use ``register_buffer``.  ``data`` None gives an
    empty float tensor; the result requires grad when ``data`` does.
    """

    __slots__ = ("persistent",)
    _is_buffer = True
    persistent: bool

    def __init__(self, data: Any = None, *, persistent: bool = True):
        if data is None:
            data = np.empty(0, get_default_dtype())
        super().__init__(data, requires_grad=bool(getattr(data, "requires_grad", False)))
        self.persistent = bool(persistent)


class UninitializedBuffer(_Uninitialized, Buffer):
    """A buffer whose shape is not known yet, as ``torch.nn.UninitializedBuffer``;
    ``materialize(shape)`` makes it a :class:`Buffer` in place.

    Registered in a lazy module, the module keeps its empty placeholder array (compgraph
    buffers are arrays) until the first call gives the buffer its values.
    """

    __slots__ = ()
    cls_to_become = Buffer

    def __init__(
        self,
        requires_grad: bool = False,
        device: Any = None,
        dtype: Any = None,
        persistent: bool = True,
    ):
        _check_device(device, "UninitializedBuffer")
        dt = get_default_dtype() if dtype is None else np.dtype(dtype)
        init_fields(self, _unset(dt), None, bool(requires_grad))
        self.persistent = bool(persistent)


class LazyModuleMixin(Module):
    """torch's ``LazyModuleMixin``: a module whose parameters are materialized by
    ``initialize_parameters(*args, **kwargs)``, called with the first call's arguments.

    A subclass registers :class:`UninitializedParameter` s (and
    :class:`UninitializedBuffer` s) and implements ``initialize_parameters``; after it
    ran, nothing may be uninitialized, and the module becomes a ``cls_to_become`` when
    that is set.  ``load_state_dict``/``load`` first materialize every uninitialized
    entry the state holds with the state's shape.
    """

    cls_to_become: type[Module] | None = None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._lazy_pending = True

    def __setattr__(self, name: str, value: Any) -> None:
        if isinstance(value, Buffer) and name not in self._params and name not in self._modules:
            self.register_buffer(name, value, value.persistent)
        else:
            super().__setattr__(name, value)

    def register_buffer(self, name: str, tensor: Any, persistent: bool = True) -> None:
        """As ``Module.register_buffer``; an :class:`UninitializedBuffer` is kept as
        its placeholder (Module would store an ordinary empty array)."""
        if not isinstance(tensor, UninitializedBuffer):
            super().register_buffer(name, tensor, persistent)
            return
        super().register_buffer(name, None, persistent)
        self._buffers[name] = tensor._data
        object.__setattr__(self, name, tensor._data)

    def has_uninitialized_params(self) -> bool:
        """Whether some parameter or buffer is still uninitialized."""
        return any(_is_lazy(v) for v in (*self._params.values(), *self._buffers.values()))

    def initialize_parameters(self, *args: Any, **kwargs: Any) -> None:
        """Materialize the parameters from the first call's arguments (subclasses)."""
        raise NotImplementedError(
            f"initialize_parameters is not implemented for {type(self).__name__}"
        )

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if not self.__dict__.get("_lazy_pending"):
            return super().__call__(*args, **kwargs)
        self.initialize_parameters(*args, **kwargs)
        if self.has_uninitialized_params():
            raise RuntimeError(f"module {type(self).__name__} has not been fully initialized")
        for key in [k for k in self.__dict__ if k.startswith("_lazy_")]:
            delattr(self, key)
        if self.cls_to_become is not None:
            object.__setattr__(self, "__class__", self.cls_to_become)
        return self(*args, **kwargs)

    def _lazy_load_hook(self, state: Mapping[str, Any], prefix: str) -> None:
        """Materialize each uninitialized entry ``state`` holds with its shape (torch's
        load pre-hook); placeholders in the state are left alone."""
        for name, p in self._params.items():
            value = state.get(prefix + name)
            if isinstance(p, UninitializedParameter) and value is not None:
                if not _is_lazy(value) and np.prod(_shape_of(value)):
                    p.materialize(_shape_of(value))
        for name, b in list(self._buffers.items()):
            value = state.get(prefix + name)
            if isinstance(b, _Unset) and value is not None:
                if not _is_lazy(value) and np.prod(_shape_of(value)):
                    arr = np.zeros(_shape_of(value), b.dtype)
                    self._buffers[name] = arr
                    object.__setattr__(self, name, arr)

    def load_state_dict(
        self, state_dict: Mapping[str, Any], strict: bool = True
    ) -> IncompatibleKeys:
        """``Module.load_state_dict``, after materializing from the state's shapes."""
        if isinstance(state_dict, Mapping) and self.has_uninitialized_params():
            self._lazy_load_hook(state_dict, "")
        return super().load_state_dict(state_dict, strict)

    def load(self, path: str, strict: bool = True) -> IncompatibleKeys:
        """``Module.load``, after materializing from the shapes the file declares."""
        if self.has_uninitialized_params():
            with NpzArchive(path, f"{type(self).__name__}.load") as archive:
                self._lazy_load_hook({k: archive.header(k) for k in archive.names}, "")
        return super().load(path, strict)


def _accepts(cls: type, name: str) -> bool:
    return name in inspect.signature(cls).parameters


class _LazyBuiltin(LazyModuleMixin):
    """What the lazy versions of compgraph's layers share: built as the plain class with
    a stand-in size (from a fixed seed, so the process's generator is not drawn), then
    every parameter and float buffer made uninitialized.  Materializing builds the plain
    class with the inferred size, ``dtype`` and the module's ``seed`` and takes its
    values, so the initialisation is the plain class's own."""

    _inferred = ""  # in_features, in_channels or num_features

    def _make_lazy(self, kwargs: dict) -> None:
        self._lazy_kwargs = kwargs
        object.__setattr__(self, self._inferred, 0)
        for name, p in self._params.items():
            if p is not None:
                up = UninitializedParameter(p.requires_grad, dtype=p.dtype)
                self._params[name] = up  # in place: the parameters keep their order
                object.__setattr__(self, name, up)
        for name, b in self._buffers.items():
            if b is not None and b.dtype.kind == "f":
                self._buffers[name] = _unset(b.dtype)
                object.__setattr__(self, name, self._buffers[name])

    def _size_of(self, shape: tuple) -> int:
        """The inferred size from the first input's shape (ValueError when it cannot)."""
        raise NotImplementedError

    def _size_in_state(self, state: Mapping[str, Any], prefix: str) -> int | None:
        """The inferred size from a state's entries, None when they do not tell it."""
        raise NotImplementedError

    def _materialize(self, n: int) -> None:
        lazy = [v for v in (*self._params.values(), *self._buffers.values()) if _is_lazy(v)]
        dtype = lazy[0].dtype if lazy else get_default_dtype()
        plain: Any = self.cls_to_become
        ref = plain(n, **self._lazy_kwargs, dtype=dtype)
        for name, p in self._params.items():
            if isinstance(p, UninitializedParameter):
                src = ref._params[name]
                p.materialize(src.shape)
                p.data[...] = src.data
        for name, b in list(self._buffers.items()):
            if isinstance(b, _Unset):
                arr = np.array(ref._buffers[name], b.dtype)
                self._buffers[name] = arr
                object.__setattr__(self, name, arr)
        object.__setattr__(self, self._inferred, n)

    def initialize_parameters(self, *args: Any, **kwargs: Any) -> None:
        """Infer the size from the input (the first argument), materialize the
        parameters and buffers and initialise them as the plain class does."""
        x = args[0] if args else next(iter(kwargs.values()), None)
        if x is None:
            raise TypeError(f"{type(self).__name__}: expected an input, got none")
        if self.has_uninitialized_params():
            self._materialize(self._size_of(_shape_of(x)))
        elif not getattr(self, self._inferred):
            object.__setattr__(self, self._inferred, self._size_of(_shape_of(x)))

    def _lazy_load_hook(self, state: Mapping[str, Any], prefix: str) -> None:
        n = self._size_in_state(state, prefix)
        if n is not None and self.has_uninitialized_params():
            self._materialize(n)

    @staticmethod
    def _entry(state: Mapping[str, Any], key: str, ndim: int) -> tuple | None:
        """The shape of ``state[key]`` when it is a materialized entry of ``ndim`` dims."""
        value = state.get(key)
        if value is None or _is_lazy(value):
            return None
        shape = _shape_of(value)
        return shape if len(shape) == ndim and np.prod(shape) else None
