"""PyTorch's automatic mixed precision switches (``torch.autocast`` and the
``torch.*autocast*`` queries) for a library without mixed precision.

compgraph computes every op in its inputs' dtype and has no bfloat16, so autocast can
only be off: ``autocast(..., enabled=False)`` works as a context manager and a
decorator, and asking for it on raises NotImplementedError rather than silently give
full-precision results of other dtypes than torch's.  The queries answer accordingly;
the dtype and cache settings are recorded.
"""

from __future__ import annotations

import functools
from typing import Any

import numpy as np

__all__ = [
    "autocast",
    "is_autocast_enabled",
    "is_autocast_cpu_enabled",
    "set_autocast_enabled",
    "set_autocast_cpu_enabled",
    "get_autocast_dtype",
    "set_autocast_dtype",
    "get_autocast_gpu_dtype",
    "set_autocast_gpu_dtype",
    "get_autocast_cpu_dtype",
    "set_autocast_cpu_dtype",
    "is_autocast_cache_enabled",
    "set_autocast_cache_enabled",
    "clear_autocast_cache",
    "autocast_increment_nesting",
    "autocast_decrement_nesting",
]


def _refuse(where: str) -> None:
    raise NotImplementedError(
        f"{where}: compgraph has no automatic mixed precision (every op computes in its "
        "inputs' dtype, and there is no bfloat16); cast explicitly with .to(dtype) "
        "or pass enabled=False"
    )


class autocast:  # noqa: N801 (PyTorch's name)
    """``torch.autocast(device_type, dtype=None, enabled=True, cache_enabled=None)``:
    only ``enabled=False`` is possible here (a context manager and decorator that
    changes nothing); enabled, it raises NotImplementedError."""

    def __init__(
        self,
        device_type: str,
        dtype: Any = None,
        enabled: bool = True,
        cache_enabled: bool | None = None,
    ) -> None:
        if not isinstance(device_type, str):
            raise ValueError(
                f"autocast: expected device_type to be a string, got {type(device_type).__name__}"
            )
        if enabled:
            _refuse("autocast")
        self.device = device_type
        self.fast_dtype = dtype
        self._enabled = False

    def __enter__(self) -> autocast:
        return self

    def __exit__(self, *exc: Any) -> None:
        return None

    def __call__(self, fn: Any) -> Any:
        @functools.wraps(fn)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            with self:
                return fn(*args, **kwargs)

        return wrapped


class _State:
    dtypes: dict = {"cuda": np.dtype(np.float16)}
    cache = True
    nesting = 0


_S = _State()


def is_autocast_enabled(device_type: str | None = None) -> bool:
    """``torch.is_autocast_enabled``: False (no mixed precision here)."""
    return False


def is_autocast_cpu_enabled() -> bool:
    """``torch.is_autocast_cpu_enabled``: False."""
    return False


def set_autocast_enabled(device_type: Any, enabled: bool | None = None) -> None:
    """``torch.set_autocast_enabled([device_type,] enabled)``: turning it off is
    accepted; on raises NotImplementedError."""
    on = device_type if enabled is None else enabled
    if on:
        _refuse("set_autocast_enabled")


def set_autocast_cpu_enabled(enabled: bool) -> None:
    """``torch.set_autocast_cpu_enabled``: off is accepted; on raises."""
    if enabled:
        _refuse("set_autocast_cpu_enabled")


def get_autocast_dtype(device_type: str) -> np.dtype:
    """``torch.get_autocast_dtype``: the recorded dtype (float16 for 'cuda'); the CPU's
    default, bfloat16, does not exist here (TypeError until one is set)."""
    if device_type not in _S.dtypes:
        raise TypeError(
            f"get_autocast_dtype: torch's default for {device_type!r} is bfloat16, which "
            "compgraph does not have; set one with set_autocast_dtype"
        )
    return _S.dtypes[device_type]


def set_autocast_dtype(device_type: str, dtype: Any) -> None:
    """``torch.set_autocast_dtype``: recorded (float16/float32/float64)."""
    dt = np.dtype(dtype)
    if dt.kind != "f":
        raise TypeError(f"set_autocast_dtype: expected a floating dtype, got {dt}")
    _S.dtypes[device_type] = dt


def get_autocast_gpu_dtype() -> np.dtype:
    """``torch.get_autocast_gpu_dtype``: ``get_autocast_dtype('cuda')``."""
    return get_autocast_dtype("cuda")


def set_autocast_gpu_dtype(dtype: Any) -> None:
    """``torch.set_autocast_gpu_dtype``: ``set_autocast_dtype('cuda', dtype)``."""
    set_autocast_dtype("cuda", dtype)


def get_autocast_cpu_dtype() -> np.dtype:
    """``torch.get_autocast_cpu_dtype``: ``get_autocast_dtype('cpu')``."""
    return get_autocast_dtype("cpu")


def set_autocast_cpu_dtype(dtype: Any) -> None:
    """``torch.set_autocast_cpu_dtype``: ``set_autocast_dtype('cpu', dtype)``."""
    set_autocast_dtype("cpu", dtype)


def is_autocast_cache_enabled() -> bool:
    """``torch.is_autocast_cache_enabled``: the recorded flag (True by default)."""
    return _S.cache


def set_autocast_cache_enabled(enabled: bool) -> None:
    """``torch.set_autocast_cache_enabled``: recorded."""
    _S.cache = bool(enabled)


def clear_autocast_cache() -> None:
    """``torch.clear_autocast_cache``: nothing is cached here."""


def autocast_increment_nesting() -> int:
    """``torch.autocast_increment_nesting``: the new nesting depth."""
    _S.nesting += 1
    return _S.nesting


def autocast_decrement_nesting() -> int:
    """``torch.autocast_decrement_nesting``: the new nesting depth (not below 0)."""
    _S.nesting = max(0, _S.nesting - 1)
    return _S.nesting
