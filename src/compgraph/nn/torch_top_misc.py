"""PyTorch's top-level random draws (``torch.poisson``, ``torch.binomial``), tensor
queries (``torch.detach``, ``torch.is_conj`` ...), dtype helpers (``torch.promote_types``,
``torch.typename``), creation from memory (``torch.empty_strided``, ``torch.frombuffer``,
``torch.from_file``), ``torch.histogramdd``, ``torch.compile`` and the process-wide
settings (determinism, matmul precision, default device, anomaly mode, threads).

compgraph runs on NumPy on the CPU: its algorithms are deterministic already, so the
determinism settings are recorded and reported back; float32 matmuls are always
NumPy's full precision, so the precision setting is recorded only; the default device
can only be the CPU.  compgraph has no anomaly mode: asking for one raises rather than
pretend to check.
"""

from __future__ import annotations

import operator
import os
from typing import Any

import numpy as np

from .. import functions as cg
from ..random import default_generator
from ..tensor import Tensor
from .fn_args import as_tensor as _t

__all__ = [
    "poisson",
    "binomial",
    "detach",
    "is_conj",
    "is_neg",
    "is_inference",
    "promote_types",
    "typename",
    "histogramdd",
    "use_deterministic_algorithms",
    "are_deterministic_algorithms_enabled",
    "is_deterministic_algorithms_warn_only_enabled",
    "set_deterministic_debug_mode",
    "get_deterministic_debug_mode",
    "set_float32_matmul_precision",
    "get_float32_matmul_precision",
    "set_default_device",
    "get_default_device",
    "set_flush_denormal",
    "set_warn_always",
    "is_warn_always_enabled",
    "is_anomaly_enabled",
    "is_anomaly_check_nan_enabled",
    "set_anomaly_enabled",
    "get_num_interop_threads",
    "set_num_interop_threads",
    "init_num_threads",
    "compiled_with_cxx11_abi",
    "empty_strided",
    "empty_permuted",
    "frombuffer",
    "from_file",
    "compile",
    "as_strided",
    "as_strided_copy",
    "as_strided_scatter",
]


def _rng(generator: Any) -> np.random.Generator:
    return (default_generator if generator is None else generator).rng


def poisson(input: Any, generator: Any = None) -> Tensor:  # noqa: A002 (PyTorch's name)
    """``torch.poisson``: a Poisson draw per element with that element as its rate, in
    the input's (floating) dtype; not differentiable (torch's gradient is zero)."""
    rates = _t(input)
    if rates.dtype.kind != "f":
        raise TypeError(f"poisson: expected a floating rates tensor, got {rates.dtype}")
    r = rates.detach().numpy()
    if (r < 0).any() or not np.isfinite(r).all():
        raise ValueError("poisson: rates must be finite and non-negative")
    return cg.as_tensor(_rng(generator).poisson(r).astype(rates.dtype))


def binomial(count: Any, prob: Any, generator: Any = None) -> Tensor:
    """``torch.binomial``: a draw of successes out of ``count`` trials of probability
    ``prob`` per element (broadcast), in ``count``'s floating dtype."""
    c, p = _t(count), _t(prob)
    if c.dtype.kind != "f" or p.dtype.kind != "f":
        raise TypeError(f"binomial: expected floating count and prob, got {c.dtype} and {p.dtype}")
    cn, pn = c.detach().numpy(), p.detach().numpy()
    if (cn < 0).any() or (pn < 0).any() or (pn > 1).any() or np.isnan(pn).any():
        raise ValueError("binomial: count must be >= 0 and prob in [0, 1]")
    draws = _rng(generator).binomial(np.floor(cn).astype(np.int64), pn)
    return cg.as_tensor(np.asarray(draws).astype(c.dtype))


def detach(input: Any) -> Tensor:  # noqa: A002 (PyTorch's name)
    """``torch.detach``: the same values, outside the graph."""
    return _t(input).detach()


def is_conj(input: Any) -> bool:  # noqa: A002 (PyTorch's name)
    """``torch.is_conj``: False (compgraph conjugates eagerly, never lazily)."""
    return bool(_t(input).is_conj())


def is_neg(input: Any) -> bool:  # noqa: A002 (PyTorch's name)
    """``torch.is_neg``: False (compgraph negates eagerly, never lazily)."""
    return bool(_t(input).is_neg())


def is_inference(input: Any) -> bool:  # noqa: A002 (PyTorch's name)
    """``torch.is_inference``: whether the tensor was made in inference mode."""
    return bool(_t(input).is_inference())


_KIND_RANK = {"b": 0, "u": 1, "i": 1, "f": 2, "c": 3}


def promote_types(type1: Any, type2: Any) -> np.dtype:
    """``torch.promote_types``: PyTorch's rule, not NumPy's: a higher category (bool <
    integer < floating < complex) wins whatever its size (``int64`` with ``float16`` is
    ``float16``); within a category the larger; a float with a complex is the complex
    wide enough for both."""
    a, b = np.dtype(type1), np.dtype(type2)
    for d in (a, b):
        if d.kind not in _KIND_RANK:
            raise TypeError(f"promote_types: {d} is not a numeric or bool dtype")
    ra, rb = _KIND_RANK[a.kind], _KIND_RANK[b.kind]
    if ra == rb:
        if {a, b} == {np.dtype(np.uint64), np.dtype(np.int64)}:
            raise TypeError(
                "promote_types: promotion of uint64 with int64 is not supported (as torch)"
            )
        return np.promote_types(a, b)
    hi, lo = (a, b) if ra > rb else (b, a)
    if hi.kind == "c" and lo.kind == "f":
        return np.promote_types(hi, lo)
    return hi


def typename(obj: Any) -> str:
    """``torch.typename``: a tensor's legacy type name (``t.type()``), else the
    object's ``module.qualname`` (without ``builtins.``)."""
    if isinstance(obj, Tensor):
        return obj.type()
    module = getattr(obj, "__module__", "") or ""
    if hasattr(obj, "__qualname__"):
        qualname = obj.__qualname__
    elif hasattr(obj, "__name__"):
        qualname = obj.__name__
    else:
        module = obj.__class__.__module__ or ""
        qualname = obj.__class__.__qualname__
    return qualname if module in ("", "builtins") else f"{module}.{qualname}"


def histogramdd(
    input: Any,  # noqa: A002 (PyTorch's name)
    bins: Any,
    *,
    range: Any = None,  # noqa: A002 (PyTorch's name)
    weight: Any = None,
    density: bool = False,
) -> tuple:
    """``torch.histogramdd``: ``(hist, bin_edges)`` of the points ``input[..., :D]``;
    ``bins`` an int, one int per dim or one edge tensor per dim, ``range`` a flat list
    ``[lo0, hi0, lo1, hi1, ...]``.  Not differentiable (as torch's)."""
    x = _t(input)
    if x.dtype.kind != "f":
        raise TypeError(f"histogramdd: expected a floating input, got {x.dtype}")
    if x.ndim < 1:
        raise ValueError("histogramdd: expected an input with at least one dim (..., D)")
    pts = x.detach().numpy().reshape(-1, x.shape[-1])
    d = pts.shape[1]
    if isinstance(bins, (int, np.integer)):
        b: Any = [int(bins)] * d
    else:
        b = [np.asarray(v.numpy() if isinstance(v, Tensor) else v) for v in bins]
        b = [int(v) if v.ndim == 0 else v for v in b]
        if len(b) != d:
            raise ValueError(f"histogramdd: expected {d} bin specifications, got {len(b)}")
    rng = None
    if range is not None:
        flat = [float(v) for v in range]
        if len(flat) != 2 * d:
            raise ValueError(f"histogramdd: range needs {2 * d} numbers, got {len(flat)}")
        rng = [(flat[2 * i], flat[2 * i + 1]) for i in np.arange(d)]
    w = None if weight is None else _t(weight).detach().numpy().reshape(-1)
    hist, edges = np.histogramdd(pts, bins=b, range=rng, weights=w, density=density)
    return cg.as_tensor(hist.astype(x.dtype)), [cg.as_tensor(e.astype(x.dtype)) for e in edges]


class _Settings:
    deterministic = False
    warn_only = False
    matmul_precision = "highest"
    warn_always = False
    interop_threads = os.cpu_count() or 1


_S = _Settings()


def use_deterministic_algorithms(mode: bool, *, warn_only: bool = False) -> None:
    """``torch.use_deterministic_algorithms``: recorded; compgraph's algorithms are
    deterministic either way."""
    if not isinstance(mode, bool):
        raise TypeError(f"use_deterministic_algorithms: expected a bool mode, got {mode!r}")
    _S.deterministic, _S.warn_only = mode, bool(warn_only)


def are_deterministic_algorithms_enabled() -> bool:
    """``torch.are_deterministic_algorithms_enabled``: the recorded mode."""
    return _S.deterministic


def is_deterministic_algorithms_warn_only_enabled() -> bool:
    """``torch.is_deterministic_algorithms_warn_only_enabled``: the recorded flag."""
    return _S.warn_only


_DEBUG_MODES = {"default": 0, "warn": 1, "error": 2}


def set_deterministic_debug_mode(debug_mode: Any) -> None:
    """``torch.set_deterministic_debug_mode``: 0/'default', 1/'warn' or 2/'error'."""
    if isinstance(debug_mode, str):
        if debug_mode not in _DEBUG_MODES:
            raise ValueError(
                f"set_deterministic_debug_mode: expected 'default', 'warn' or 'error', "
                f"got {debug_mode!r}"
            )
        debug_mode = _DEBUG_MODES[debug_mode]
    if debug_mode not in (0, 1, 2) or isinstance(debug_mode, bool):
        raise ValueError(f"set_deterministic_debug_mode: expected 0, 1 or 2, got {debug_mode!r}")
    use_deterministic_algorithms(debug_mode != 0, warn_only=debug_mode == 1)


def get_deterministic_debug_mode() -> int:
    """``torch.get_deterministic_debug_mode``: 0, 1 (warn only) or 2."""
    if not _S.deterministic:
        return 0
    return 1 if _S.warn_only else 2


def set_float32_matmul_precision(precision: str) -> None:
    """``torch.set_float32_matmul_precision``: 'highest', 'high' or 'medium', recorded
    (NumPy's float32 matmuls are always full precision, i.e. 'highest')."""
    if precision not in ("highest", "high", "medium"):
        raise ValueError(
            f"set_float32_matmul_precision: expected 'highest', 'high' or 'medium', "
            f"got {precision!r}"
        )
    _S.matmul_precision = precision


def get_float32_matmul_precision() -> str:
    """``torch.get_float32_matmul_precision``: the recorded setting."""
    return _S.matmul_precision


def _is_cpu(device: Any) -> bool:
    return device is None or str(device).split(":")[0] == "cpu"


def set_default_device(device: Any) -> None:
    """``torch.set_default_device``: only ``None`` or the CPU; any other device raises
    (compgraph computes with NumPy, on the CPU)."""
    if not _is_cpu(device):
        raise ValueError(
            f"set_default_device: compgraph computes with NumPy on the CPU only, not {device!r}"
        )


def get_default_device() -> Any:
    """``torch.get_default_device``: the CPU."""
    return cg.as_tensor(0.0).device


def set_flush_denormal(mode: bool) -> bool:
    """``torch.set_flush_denormal``: False, as torch's where unsupported (NumPy cannot
    flush denormals to zero)."""
    return False


def set_warn_always(b: bool) -> None:
    """``torch.set_warn_always``: recorded."""
    _S.warn_always = bool(b)


def is_warn_always_enabled() -> bool:
    """``torch.is_warn_always_enabled``: the recorded flag."""
    return _S.warn_always


def is_anomaly_enabled() -> bool:
    """``torch.is_anomaly_enabled``: False; compgraph has no anomaly detection mode."""
    return False


def is_anomaly_check_nan_enabled() -> bool:
    """``torch.is_anomaly_check_nan_enabled``: False (no anomaly mode)."""
    return False


def set_anomaly_enabled(enabled: bool, check_nan: bool = True) -> None:
    """``torch.set_anomaly_enabled``: turning it off is accepted; turning it on raises
    NotImplementedError, since compgraph has no anomaly detection and would silently
    check nothing."""
    if enabled:
        raise NotImplementedError(
            "set_anomaly_enabled: compgraph has no anomaly detection mode (its backward "
            "does not trace NaNs back to the forward op); check values with isfinite"
        )


def get_num_interop_threads() -> int:
    """``torch.get_num_interop_threads``: the recorded count (the CPU count by default;
    compgraph runs no inter-op thread pool)."""
    return _S.interop_threads


def set_num_interop_threads(int: int) -> None:  # noqa: A002 (PyTorch's name)
    """``torch.set_num_interop_threads``: recorded (must be positive)."""
    n = operator.index(int)  # the parameter shadows the builtin (torch's name)
    if isinstance(int, bool) or n < 1:
        raise ValueError(f"set_num_interop_threads: expected a positive int, got {int!r}")
    _S.interop_threads = n


def init_num_threads() -> None:
    """``torch.init_num_threads``: nothing to initialise here."""


def compiled_with_cxx11_abi() -> bool:
    """``torch.compiled_with_cxx11_abi``: False (compgraph has no C++ part)."""
    return False


def _sizes(where: str, size: Any) -> tuple:
    shape = tuple(int(s) for s in (size if isinstance(size, (list, tuple)) else [size]))
    if any(s < 0 for s in shape):
        raise ValueError(f"{where}: sizes must be non-negative, got {shape}")
    return shape


def empty_strided(
    size: Any,
    stride: Any,
    *,
    dtype: Any = None,
    layout: Any = None,
    device: Any = None,
    requires_grad: bool = False,
    pin_memory: bool = False,
) -> Tensor:
    """``torch.empty_strided``: an uninitialised tensor of ``size``; compgraph's tensors
    are contiguous NumPy arrays, so ``stride`` is checked (one per dim) but the result
    is contiguous."""
    shape = _sizes("empty_strided", size)
    if len(tuple(stride)) != len(shape):
        raise ValueError(
            f"empty_strided: expected {len(shape)} strides for size {shape}, got {tuple(stride)}"
        )
    if not _is_cpu(device):
        raise ValueError(f"empty_strided: compgraph has only the CPU, not {device!r}")
    return cg.empty(shape, dtype=dtype or np.float32, requires_grad=requires_grad)


def empty_permuted(
    size: Any,
    physical_layout: Any,
    *,
    dtype: Any = None,
    layout: Any = None,
    device: Any = None,
    requires_grad: bool = False,
    pin_memory: bool = False,
) -> Tensor:
    """``torch.empty_permuted``: an uninitialised tensor of ``size``; the memory order
    ``physical_layout`` (a permutation of the dims) is checked, the result contiguous."""
    shape = _sizes("empty_permuted", size)
    if sorted(int(p) for p in physical_layout) != list(np.arange(len(shape))):
        raise ValueError(
            f"empty_permuted: physical_layout must be a permutation of the {len(shape)} "
            f"dims, got {tuple(physical_layout)}"
        )
    if not _is_cpu(device):
        raise ValueError(f"empty_permuted: compgraph has only the CPU, not {device!r}")
    return cg.empty(shape, dtype=dtype or np.float32, requires_grad=requires_grad)


def frombuffer(
    buffer: Any, *, dtype: Any, count: int = -1, offset: int = 0, requires_grad: bool = False
) -> Tensor:
    """``torch.frombuffer``: a 1-D tensor over an object with the buffer protocol (the
    memory is shared with a writable buffer, as torch's)."""
    dt = np.dtype(dtype)
    arr = np.frombuffer(buffer, dtype=dt, count=count, offset=offset)
    t = cg.as_tensor(arr)
    if requires_grad:
        t.requires_grad_(True)
    return t


def from_file(
    filename: str,
    shared: bool | None = None,
    size: int = 0,
    *,
    dtype: Any = None,
    layout: Any = None,
    device: Any = None,
    pin_memory: bool = False,
    requires_grad: bool = False,
) -> Tensor:
    """``torch.from_file``: ``size`` elements of ``dtype`` (float32 by default) from a
    raw binary file; ``shared=True`` maps the file, so writes to the tensor's memory go
    to the file (NumPy's memmap)."""
    dt = np.dtype(np.float32 if dtype is None else dtype)
    if shared:
        arr: Any = np.memmap(filename, dtype=dt, mode="r+", shape=(int(size),))
    else:
        arr = np.fromfile(filename, dtype=dt, count=int(size))
        if arr.size < size:
            raise ValueError(
                f"from_file: {filename!r} holds {arr.size} {dt} elements, {size} requested"
            )
    t = cg.as_tensor(arr)
    if requires_grad:
        t.requires_grad_(True)
    return t


_MODES = (None, "default", "reduce-overhead", "max-autotune", "max-autotune-no-cudagraphs")


def compile(  # noqa: A001 (PyTorch's name)
    model: Any = None,
    *,
    fullgraph: bool = False,
    dynamic: bool | None = None,
    backend: Any = "inductor",
    mode: str | None = None,
    options: dict | None = None,
    disable: bool = False,
) -> Any:
    """``torch.compile``: compgraph runs eagerly and returns ``model`` itself (or, called
    without one, a decorator doing so); the arguments are checked as torch checks them.

    torch promises the compiled program computes what the eager one does; running the
    eager one keeps that promise for every program (compgraph's tracer,
    ``cg.function``, would freeze Python control flow on data into one path)."""
    if mode not in _MODES:
        raise ValueError(f"compile: unknown mode {mode!r}; expected one of {_MODES[1:]}")
    if mode is not None and options is not None:
        raise ValueError("compile: either mode or options can be given, not both")
    if not (isinstance(backend, str) or callable(backend)):
        raise TypeError(f"compile: backend must be a name or a callable, got {backend!r}")
    if model is None:
        return lambda m: m
    if not callable(model):
        raise TypeError(f"compile: expected a callable or a Module, got {type(model).__name__}")
    return model


def _strided_index(where: str, x: Any, size: Any, stride: Any, storage_offset: Any) -> np.ndarray:
    """Flat positions in ``x`` (contiguous, as every compgraph tensor) of each element
    of the strided view."""
    shape, steps = tuple(int(v) for v in size), tuple(int(v) for v in stride)
    if len(shape) != len(steps) or any(v < 0 for v in shape + steps):
        raise ValueError(
            f"{where}: expected non-negative size and stride of one length, got {shape} and {steps}"
        )
    offset = 0 if storage_offset is None else int(storage_offset)
    idx = np.full(shape, offset, np.int64)
    for d, (n, st) in enumerate(zip(shape, steps)):
        view = [1] * len(shape)
        view[d] = n
        idx = idx + (np.arange(n, dtype=np.int64) * st).reshape(view)
    if idx.size and (idx.max() >= x.numel() or offset < 0):
        raise ValueError(
            f"{where}: size {shape}, stride {steps} and offset {offset} reach element "
            f"{int(idx.max())}, past the {x.numel()} elements of the input"
        )
    return idx


def as_strided(
    input: Any,  # noqa: A002 (PyTorch's name)
    size: Any,
    stride: Any,
    storage_offset: int | None = None,
) -> Tensor:
    """``torch.as_strided``: the elements a strided view of the (contiguous) input
    would show; differentiable.  A copy, not a view: writing to it leaves the input
    unchanged (compgraph's tensors do not alias)."""
    x = _t(input)
    idx = _strided_index("as_strided", x, size, stride, storage_offset)
    flat: Any = x.reshape(-1)
    return flat[idx]


def as_strided_copy(
    input: Any,  # noqa: A002 (PyTorch's name)
    size: Any,
    stride: Any,
    storage_offset: int | None = None,
) -> Tensor:
    """``torch.as_strided_copy``: :func:`as_strided` (already a copy here)."""
    return as_strided(input, size, stride, storage_offset)


def as_strided_scatter(
    input: Any,  # noqa: A002 (PyTorch's name)
    src: Any,
    size: Any,
    stride: Any,
    storage_offset: int | None = None,
) -> Tensor:
    """``torch.as_strided_scatter``: a copy of the input with ``src`` written where
    ``as_strided(input, size, stride, storage_offset)`` reads; differentiable in both.
    Views whose elements overlap raise ValueError (torch leaves the result undefined)."""
    x, s = _t(input), _t(src)
    idx = _strided_index("as_strided_scatter", x, size, stride, storage_offset)
    if tuple(s.shape) != idx.shape:
        raise ValueError(
            f"as_strided_scatter: src has shape {tuple(s.shape)}, the view {idx.shape}"
        )
    flat = idx.reshape(-1)
    if np.unique(flat).size != flat.size:
        raise ValueError("as_strided_scatter: the strided view's elements overlap")
    keep = np.ones(x.numel(), x.dtype)
    keep[flat] = 0
    base = x.reshape(-1) * cg.as_tensor(keep)
    placed = cg.index_add(cg.zeros(x.numel(), dtype=x.dtype), 0, cg.as_tensor(flat), s.reshape(-1))
    return (base + placed).reshape(x.shape)
