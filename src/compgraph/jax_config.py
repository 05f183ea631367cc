"""JAX's devices, data placement and configuration context managers on compgraph:
one CPU device in one process (the queries give that answer; moving data between
devices is the identity), and ``cg.debug_nans``, ``cg.enable_x64`` ... which record and
restore their value; a value compgraph cannot honour raises NotImplementedError naming
it.  Two read differently from JAX's defaults on purpose: ``enable_x64`` is True
(compgraph keeps NumPy's 64-bit types), and ``numpy_dtype_promotion`` is ``"standard"``
but means NumPy's promotion, which compgraph always uses."""

from __future__ import annotations

import contextlib
import gc
import math
import threading
from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np

from . import functions as cg
from .array_api import Device
from .autodiff.tree import tree_map
from .static import Symbol
from .static.function import Function
from .tensor import Tensor

__all__ = [
    "ShapeDtypeStruct",
    "CpuDevice",
    "ConfigState",
    "block_until_ready",
    "copy_to_host_async",
    "device_put",
    "device_get",
    "devices",
    "local_devices",
    "device_count",
    "local_device_count",
    "default_backend",
    "process_count",
    "process_index",
    "host_id",
    "host_count",
    "process_indices",
    "host_ids",
    "typeof",
    "transfer_guard",
    "checking_leaks",
    "live_arrays",
    "clear_caches",
    "effects_barrier",
    "CONFIG_STATES",
]


# ---------------------------------------------------------------- shapes and devices
class ShapeDtypeStruct:
    """JAX's ``jax.ShapeDtypeStruct``: a shape and a dtype standing for an array (what
    :func:`eval_shape` returns and accepts).  ``sharding`` must be None (no sharding)."""

    __slots__ = ("shape", "dtype", "weak_type")

    def __init__(
        self, shape: Sequence[int], dtype: Any, *, sharding: Any = None, weak_type: bool = False
    ):
        if sharding is not None:
            raise NotImplementedError(
                "ShapeDtypeStruct: sharding is not supported (compgraph has no sharding)"
            )
        try:
            self.shape = tuple(int(d) for d in shape)
        except TypeError:
            raise TypeError(
                f"ShapeDtypeStruct: shape must be a sequence of ints, got {shape!r}"
            ) from None
        if dtype is None:
            raise ValueError("ShapeDtypeStruct: dtype must be specified")
        self.dtype = np.dtype(dtype)
        self.weak_type = bool(weak_type)

    @property
    def ndim(self) -> int:
        """The number of dimensions."""
        return len(self.shape)

    @property
    def size(self) -> int:
        """The number of elements."""
        return math.prod(self.shape)

    @property
    def sharding(self) -> None:
        """Always None: compgraph has no sharding."""
        return None

    def __len__(self) -> int:
        if not self.shape:
            raise TypeError("len() of unsized object")
        return self.shape[0]

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, ShapeDtypeStruct)
            and self.shape == other.shape
            and self.dtype == other.dtype
            and self.weak_type == other.weak_type
        )

    def __hash__(self) -> int:
        return hash((self.shape, self.dtype, self.weak_type))

    def __repr__(self) -> str:
        weak = ", weak_type=True" if self.weak_type else ""
        return f"ShapeDtypeStruct(shape={self.shape}, dtype={self.dtype.name}{weak})"


class CpuDevice(Device):
    """The one device, with JAX's ``Device`` attributes (``platform``, ``id`` ...); equal
    to ``cg.device("cpu")`` and to ``"cpu"``."""

    __slots__ = ()

    def __init__(self) -> None:
        super().__init__("cpu", 0)

    @property
    def platform(self) -> str:
        """``'cpu'``."""
        return "cpu"

    @property
    def id(self) -> int:
        """0: the only device."""
        return 0

    @property
    def device_kind(self) -> str:
        """``'cpu'``."""
        return "cpu"

    @property
    def process_index(self) -> int:
        """0: the only process."""
        return 0

    def __repr__(self) -> str:
        return "CpuDevice(id=0)"


_CPU = CpuDevice()


def _backend(backend: Any, where: str) -> None:
    if backend is not None and str(backend) != "cpu":
        raise RuntimeError(
            f"{where}: unknown backend {backend!r} requested, but compgraph runs on the CPU "
            f"only (platforms present: cpu)"
        )


def devices(backend: Any = None) -> list[CpuDevice]:
    """``jax.devices``: the one CPU device."""
    _backend(backend, "devices")
    return [_CPU]


def local_devices(
    process_index: int | None = None, backend: Any = None, host_id: int | None = None
) -> list[CpuDevice]:
    """``jax.local_devices``: the one CPU device (of process 0)."""
    _backend(backend, "local_devices")
    for p in (process_index, host_id):
        if p not in (None, 0):
            raise ValueError(f"local_devices: process {p} does not exist (one process: 0)")
    return [_CPU]


def device_count(backend: Any = None) -> int:
    """``jax.device_count``: 1."""
    _backend(backend, "device_count")
    return 1


def local_device_count(backend: Any = None) -> int:
    """``jax.local_device_count``: 1."""
    _backend(backend, "local_device_count")
    return 1


def default_backend() -> str:
    """``jax.default_backend``: ``'cpu'``."""
    return "cpu"


def process_count(backend: Any = None) -> int:
    """``jax.process_count``: 1 (compgraph runs in one process)."""
    _backend(backend, "process_count")
    return 1


def process_index(backend: Any = None) -> int:
    """``jax.process_index``: 0."""
    _backend(backend, "process_index")
    return 0


def host_id(backend: Any = None) -> int:
    """``jax.host_id`` (old name of ``process_index``): 0."""
    return process_index(backend)


def process_indices(backend: Any = None) -> list[int]:
    """``jax.process_indices``: ``[0]``."""
    _backend(backend, "process_indices")
    return [0]


def host_ids(backend: Any = None) -> list[int]:
    """``jax.host_ids`` (old name of ``process_indices``): ``[0]``."""
    return process_indices(backend)


def host_count(backend: Any = None) -> int:
    """``jax.host_count`` (old name of ``process_count``): 1."""
    return process_count(backend)


def _check_device(device: Any, where: str) -> None:
    if device is None or isinstance(device, Device):
        return
    if isinstance(device, str) and device.partition(":")[0] == "cpu":
        return
    raise NotImplementedError(
        f"{where}: device {device!r} is not supported; compgraph has one CPU device "
        f"(cg.devices()[0]) and no shardings"
    )


def _to_array(v: Any) -> Any:
    """A numeric leaf as a Tensor (Tensors as they are); other leaves unchanged."""
    if isinstance(v, Tensor):
        return v
    if isinstance(v, (np.ndarray, np.generic)) or (
        isinstance(v, (int, float, complex)) and not isinstance(v, bool)
    ):
        return cg.asarray(v)
    if isinstance(v, bool):
        return cg.asarray(v)
    return v


def device_put(
    x: Any, device: Any = None, *, src: Any = None, donate: Any = False, may_alias: Any = None
) -> Any:
    """``jax.device_put``: ``x`` with its arrays and numbers as Tensors on the one CPU
    device (Tensors returned as they are).  ``device``/``src`` must be None or the CPU."""
    _check_device(device, "device_put")
    _check_device(src, "device_put")
    return tree_map(_to_array, x)


def device_get(x: Any) -> Any:
    """``jax.device_get``: ``x`` with every Tensor as a NumPy array (other leaves as they are)."""
    return tree_map(lambda v: np.asarray(v.data) if isinstance(v, Tensor) else v, x)


def block_until_ready(x: Any) -> Any:
    """``jax.block_until_ready``: ``x`` itself (compgraph computes eagerly: nothing to wait for)."""
    return x


def copy_to_host_async(x: Any) -> Any:
    """``jax.copy_to_host_async``: ``x`` itself (its data already is in host memory)."""
    return x


def effects_barrier() -> None:
    """``jax.effects_barrier``: returns at once (no effect runs asynchronously)."""


def typeof(x: Any) -> ShapeDtypeStruct:
    """``jax.typeof``: ``x``'s shape and dtype, as a ShapeDtypeStruct (JAX gives a
    ``ShapedArray`` with the same two).  Python numbers are weakly typed, as in JAX."""
    if isinstance(x, ShapeDtypeStruct):
        return x
    if isinstance(x, Symbol):
        if x.shape is None or None in x.shape or x.dtype is None:
            raise TypeError(f"typeof: the graph value {x.name!r} has no known shape and dtype")
        return ShapeDtypeStruct(x.shape, x.dtype)
    if isinstance(x, (bool, int, float, complex)):
        return ShapeDtypeStruct((), np.asarray(x).dtype, weak_type=not isinstance(x, bool))
    if hasattr(x, "shape") and hasattr(x, "dtype"):
        return ShapeDtypeStruct(x.shape, x.dtype)
    try:
        a = np.asarray(x)
    except Exception:  # (any object NumPy cannot read)
        a = np.asarray(None)
    if a.dtype.kind not in "biufc":
        raise TypeError(f"typeof: expected an array or a number, got {type(x).__name__}")
    return ShapeDtypeStruct(a.shape, a.dtype)


def live_arrays(platform: Any = None) -> list[Tensor]:
    """``jax.live_arrays``: every Tensor alive now (found through the garbage collector)."""
    _backend(platform, "live_arrays")
    return [o for o in gc.get_objects() if isinstance(o, Tensor)]


def clear_caches() -> None:
    """``jax.clear_caches``: forget every ``cg.function``'s traces (the next call retraces)."""
    for f in gc.get_objects():
        if isinstance(f, Function):
            f.clear_cache()


# ---------------------------------------------------------------- configuration
class _Local(threading.local):
    def __init__(self) -> None:
        self.values: dict = {}


_VALUES = _Local()


class ConfigState:
    """One of JAX's configuration options (``jax.debug_nans``, ``jax.enable_x64`` ...):
    ``.value`` reads it, ``state(new)`` is a context manager (or decorator) setting it
    in this thread and restoring it after.  ``honoured`` lists the values compgraph's
    behaviour matches; any other valid value raises NotImplementedError naming it."""

    def __init__(self, name: str, default: Any, valid: tuple, honoured: tuple, why: str):
        self.name = name
        self.default = default
        self.valid = valid
        self.honoured = honoured
        self.why = why

    @property
    def value(self) -> Any:
        """The value in force in this thread."""
        return _VALUES.values.get(self.name, self.default)

    def _check(self, new_val: Any) -> Any:
        if isinstance(new_val, Device) or (isinstance(new_val, str) and self.valid == ("device",)):
            _check_device(new_val, self.name)
            return new_val
        if self.valid and new_val not in self.valid:
            raise ValueError(
                f"{self.name}: invalid value {new_val!r}; expected one of {self.valid}"
            )
        if new_val not in self.honoured:
            raise NotImplementedError(f"{self.name}({new_val!r}) is not supported: {self.why}")
        return new_val

    def __call__(self, new_val: Any = True) -> contextlib.AbstractContextManager:
        new_val = self._check(new_val)

        @contextlib.contextmanager
        def setting() -> Iterator[None]:
            store = _VALUES.values
            had, prev = self.name in store, store.get(self.name)
            store[self.name] = new_val
            try:
                yield
            finally:
                if had:
                    store[self.name] = prev
                else:
                    store.pop(self.name, None)

        return setting()

    def __repr__(self) -> str:
        return f"<ConfigState {self.name}={self.value!r}>"


_BOOL = (True, False)
_GUARD = ("allow", "log", "disallow", "log_explicit", "disallow_explicit", None)
_PRECISION = (
    None, "default", "high", "highest", "bfloat16", "tensorfloat32", "float32",
    "fastest", "bfloat16_3x", "ANY_F8_ANY_F8_F32", "ANY_F8_ANY_F8_F32_FAST_ACCUM",
    "F16_F16_F16", "F16_F16_F32", "BF16_BF16_BF16", "BF16_BF16_F32", "BF16_BF16_F32_X3",
    "BF16_BF16_F32_X6", "TF32_TF32_F32", "TF32_TF32_F32_X3", "F32_F32_F32", "F64_F64_F64",
)  # fmt: skip
_NO_TRANSFERS = "compgraph makes no device transfers"

_STATES = [
    ConfigState("debug_nans", False, _BOOL, (False,),
                "compgraph does not check every op's result for NaNs"),
    ConfigState("debug_infs", False, _BOOL, (False,),
                "compgraph does not check every op's result for infinities"),
    ConfigState("enable_x64", True, _BOOL, (True,),
                "compgraph always keeps NumPy's 64-bit types (JAX would compute in 32 bits)"),
    ConfigState("default_matmul_precision", None, _PRECISION, _PRECISION,
                "matrix products on the CPU are always in full precision, as JAX's on CPU"),
    ConfigState("numpy_dtype_promotion", "standard", ("standard", "strict"), ("standard",),
                "compgraph promotes types as NumPy does and has no strict mode"),
    ConfigState("numpy_rank_promotion", "allow", ("allow", "warn", "raise"), ("allow",),
                "compgraph always broadcasts ranks, as NumPy"),
    ConfigState("transfer_guard_host_to_device", None, _GUARD, _GUARD, _NO_TRANSFERS),
    ConfigState("transfer_guard_device_to_host", None, _GUARD, _GUARD, _NO_TRANSFERS),
    ConfigState("transfer_guard_device_to_device", None, _GUARD, _GUARD, _NO_TRANSFERS),
    ConfigState("log_compiles", False, _BOOL, (False,),
                "cg.function logs retraces (logger 'compgraph'), not every compilation"),
    ConfigState("enable_checks", False, _BOOL, (False,),
                "compgraph has no extra internal invariant checks to turn on"),
    ConfigState("check_tracer_leaks", False, _BOOL, (False,),
                "compgraph does not track graph values leaking out of cg.function"),
    ConfigState("default_device", None, ("device",), (None,), "one CPU device"),
]  # fmt: skip
_STATE_BY_NAME = {s.name: s for s in _STATES}


def transfer_guard(new_val: str) -> contextlib.AbstractContextManager:
    """``jax.transfer_guard``: sets the three transfer guards at once (accepted: compgraph
    makes no device transfers, so no guard ever fires)."""
    stack = contextlib.ExitStack()
    for n in ("host_to_device", "device_to_host", "device_to_device"):
        stack.enter_context(_STATE_BY_NAME[f"transfer_guard_{n}"](new_val))
    return stack


def checking_leaks() -> contextlib.AbstractContextManager:
    """``jax.checking_leaks``: ``check_tracer_leaks(True)``, which compgraph does not support."""
    return _STATE_BY_NAME["check_tracer_leaks"](True)


#: The configuration context managers by name.
CONFIG_STATES = _STATE_BY_NAME
