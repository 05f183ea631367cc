"""PyTorch's Tensor properties and introspection methods (``t.is_cuda``, ``t.layout``,
``t.stride()``, ``t.data_ptr()``, ``t.retains_grad``, ``t.new(...)`` ...), its random
methods (``t.bernoulli()``, ``t.multinomial(n)``) and ``t.register_post_accumulate_grad_hook``,
registered with the method table of :mod:`.base` (split from :mod:`.extra`).

compgraph's tensors are dense NumPy arrays in the process's memory: ``is_cpu`` is True,
every device, sparse, quantized, nested, conjugate and negative-bit flag is False,
``get_device()`` is -1 and ``layout`` is ``cg.strided``.  ``stride()`` is NumPy's,
counted in elements: a reversed view (``cg.flip``) has negative strides, which PyTorch
never shows.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from ..autodiff.engine import queue_callback
from ..ops.namespace import cg
from ..random import bernoulli, multinomial
from ..tensor import Tensor
from .base import _METHODS, _method
from .creation import from_numpy
from .shape import Size

__all__ = ["layout", "strided", "PUBLISHED"]


class layout:
    """PyTorch's ``torch.layout``: how a tensor's elements are stored; compgraph has
    one, ``cg.strided`` (dense, with strides)."""

    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return f"cg.{self.name}"

    def __reduce__(self) -> str:
        return self.name


#: The layout of every compgraph tensor (PyTorch's ``torch.strided``).
strided = layout("strided")


def _const(value: Any, doc: str) -> Any:
    def get(self: Tensor) -> Any:
        return value

    get.__doc__ = doc
    return property(get)


def _const_method(name: str, value: Any, doc: str) -> None:
    def method(self) -> Any:
        return value

    method.__doc__ = doc
    _method(name)(method)


_METHODS["is_cpu"] = _const(True, "True: compgraph's tensors live in the process's memory.")
for _name in (
    "is_cuda is_xpu is_mps is_ipu is_xla is_meta is_mkldnn is_vulkan is_maia is_mtia "
    "is_sparse is_sparse_csr is_quantized is_nested"
).split():
    _METHODS[_name] = _const(False, f"False: compgraph has only dense CPU tensors ({_name}).")
_METHODS["layout"] = _const(strided, "``cg.strided``: every tensor is dense and strided.")
_METHODS["output_nr"] = _const(0, "0: compgraph records one output tensor per op.")
for _name in "is_conj is_neg is_shared is_pinned is_distributed".split():
    _const_method(_name, False, f"False (PyTorch's ``{_name}()``: no such state here).")
_const_method("get_device", -1, "-1, PyTorch's answer for a CPU tensor.")


def _itemsize(self: Tensor) -> int:
    """The size of one element in bytes."""
    return int(self.data.itemsize)


def _nbytes(self: Tensor) -> int:
    """The size of the elements in bytes (``numel * itemsize``)."""
    return int(self.data.size * self.data.itemsize)


def _retains_grad(self: Tensor) -> bool:
    """True for a non-leaf tensor that called ``retain_grad()``."""
    node = self.grad_fn
    ref = None if node is None else node.retain
    return ref is not None and ref() is self


_METHODS["itemsize"] = property(_itemsize)  # type: ignore[assignment]
_METHODS["nbytes"] = property(_nbytes)  # type: ignore[assignment]
_METHODS["retains_grad"] = property(_retains_grad)  # type: ignore[assignment]


@_method("is_inference")
def _is_inference(self) -> bool:
    """False: compgraph has no inference tensors (``cg.inference_mode`` is ``no_grad``)."""
    return False


@_method("is_coalesced")
def _is_coalesced(self) -> bool:
    """Raises, as PyTorch for a dense tensor: only sparse tensors are coalesced."""
    raise TypeError(
        "is_coalesced expected sparse coordinate tensor layout but got Strided "
        "(compgraph has no sparse tensors)"
    )


@_method("is_signed")
def _is_signed(self) -> bool:
    """Whether the dtype holds negative numbers (signed integers, floats, complex)."""
    return self.dtype.kind in "ifc"


@_method("is_same_size")
def _is_same_size(self, other: Any) -> bool:
    """Whether ``other`` has the same shape."""
    return tuple(self.shape) == tuple(np.shape(other))


@_method("is_nonzero")
def _is_nonzero(self) -> bool:
    """The truth of a one-element tensor (PyTorch's errors for none or several)."""
    n = self.data.size
    if n != 1:
        raise ValueError(
            f"is_nonzero: Boolean value of Tensor with "
            f"{'no values' if n == 0 else 'more than one value'} is ambiguous "
            f"(shape {self.shape})"
        )
    return bool(self.data.reshape(()))


@_method("is_set_to")
def _is_set_to(self, tensor: Any) -> bool:
    """Whether ``tensor`` views the same memory with the same shape and strides."""
    a, b = self.data, np.asarray(tensor)
    return (
        a.__array_interface__["data"][0] == b.__array_interface__["data"][0]
        and a.shape == b.shape
        and a.strides == b.strides
        and a.dtype == b.dtype
    )


# ------------------------------------------------------------------ memory
@_method("stride")
def _stride(self, dim: int | None = None) -> Any:
    """The step in elements between neighbours along each dimension (NumPy's strides
    over the itemsize: 0 along a broadcast dimension, negative along a reversed one)."""
    d = self.data
    steps = tuple(s // d.itemsize for s in d.strides)
    if dim is None:
        return steps
    if d.ndim == 0:
        raise IndexError(f"stride: Dimension specified as {dim} but tensor has no dimensions")
    if not -d.ndim <= dim < d.ndim:
        raise IndexError(
            f"stride: dimension out of range (expected to be in range of "
            f"[{-d.ndim}, {d.ndim - 1}], but got {dim})"
        )
    return steps[dim]


@_method("data_ptr")
def _data_ptr(self) -> int:
    """The address of the first element."""
    return int(self.data.__array_interface__["data"][0])


@_method("storage_offset")
def _storage_offset(self) -> int:
    """How many elements the first element lies past the start of the array it views
    (0 for a tensor that owns its memory)."""
    d = self.data
    base = d
    while isinstance(base.base, np.ndarray):
        base = base.base
    start = base.__array_interface__["data"][0]
    return int((d.__array_interface__["data"][0] - start) // d.itemsize)


@_method("dim_order")
def _dim_order(self) -> tuple:
    """The dimensions from outermost to innermost in memory (by decreasing stride;
    ties keep their order): ``(0, 1, ..., n-1)`` for a contiguous tensor."""
    strides = self.stride()
    return tuple(sorted(range(len(strides)), key=lambda i: -abs(strides[i])))


@_method("pin_memory")
def _pin_memory(self) -> Any:
    """The tensor itself (no device to pin memory for)."""
    return self


@_method("const_data_ptr")
def _const_data_ptr(self) -> int:
    """The address of the first element (``data_ptr()``)."""
    return self.data_ptr()


def _strided_index(self: Tensor, size: Any, stride: Any, offset: Any, where: str) -> np.ndarray:
    """The positions in ``self``'s elements (row-major) that PyTorch's strided view of
    its storage would read."""
    size, stride = tuple(int(s) for s in size), tuple(int(s) for s in stride)
    if len(size) != len(stride):
        raise ValueError(f"{where}: mismatch in length of strides and shape ({size}, {stride})")
    if any(s < 0 for s in size + stride):
        raise ValueError(f"{where}: negative size or stride ({size}, {stride})")
    d = self.data
    if not d.flags.c_contiguous:
        # (PyTorch reads the storage behind a view; only a row-major tensor's own elements
        # are in reach here)
        raise NotImplementedError(
            f"{where}: only a contiguous tensor is supported (strides {self.stride()}); "
            f"call .contiguous() first"
        )
    start = self.storage_offset()
    rel = (start if offset is None else int(offset)) - start
    idx = np.full(size, rel, np.int64)
    for axis, (n, st) in enumerate(zip(size, stride)):
        shape = [1] * len(size)
        shape[axis] = n
        idx = idx + (np.arange(n) * st).reshape(shape)
    if idx.size and (idx.min() < 0 or idx.max() >= d.size):
        raise ValueError(
            f"{where}: setStorage: sizes {list(size)}, strides {list(stride)}, storage offset "
            f"{start + rel} need elements out of the tensor's {d.size} (from offset {start})"
        )
    return idx


@_method("as_strided")
def _as_strided(self, size: Any, stride: Any, storage_offset: int | None = None) -> Any:
    """The elements a strided view of ``size``/``stride`` from ``storage_offset`` (the
    tensor's own by default) would see, as PyTorch; a differentiable copy here, not a
    view, and only of a contiguous tensor."""
    idx = _strided_index(self, size, stride, storage_offset, "as_strided")
    return cg.take(self.reshape(-1), idx)


@_method("as_strided_scatter")
def _as_strided_scatter(
    self, src: Any, size: Any, stride: Any, storage_offset: int | None = None
) -> Any:
    """A copy with ``src`` written where ``as_strided(size, stride, storage_offset)``
    looks; differentiable in both (the gradient of ``self`` is zero where ``src`` is
    written: PyTorch 2.13's is the opposite, which its own gradcheck rejects)."""
    idx = _strided_index(self, size, stride, storage_offset, "as_strided_scatter")
    if np.unique(idx).size != idx.size:
        raise ValueError(
            f"as_strided_scatter: more than one element of the written-to tensor refers to "
            f"a single memory location (sizes {list(idx.shape)}, strides {list(stride)})"
        )
    src = src if isinstance(src, Tensor) else Tensor(np.asarray(src, self.dtype))
    if src.shape != idx.shape:
        raise ValueError(
            f"as_strided_scatter: expected src to have a size equal to the slice of self. "
            f"src size = {list(src.shape)}, slice size = {list(idx.shape)}"
        )
    flat = cg.index_copy(self.reshape(-1), 0, Tensor(idx.reshape(-1)), src.reshape(-1))
    return flat.reshape(self.shape)


# ------------------------------------------------------------------ construction
@_method("new")
def _new(self, *args: Any) -> Tensor:
    """PyTorch's legacy constructor in this tensor's dtype: ``t.new()`` is empty,
    ``t.new(2, 3)`` or ``t.new(cg.Size([2, 3]))`` has that shape (zeros here; PyTorch's
    memory is uninitialized), ``t.new([1, 2])`` holds the data, ``t.new(u)`` shares
    ``u``'s memory (same dtype)."""
    if not args:
        return Tensor(np.empty((0,), self.dtype))
    if len(args) == 1 and isinstance(args[0], Tensor):
        if args[0].dtype != self.dtype:
            raise TypeError(f"new: expected a tensor of dtype {self.dtype}, got {args[0].dtype}")
        return args[0].detach()
    if len(args) == 1 and isinstance(args[0], Size):
        return Tensor(np.zeros(tuple(args[0]), self.dtype))
    if all(isinstance(a, (int, np.integer)) and not isinstance(a, bool) for a in args):
        return Tensor(np.zeros(tuple(int(a) for a in args), self.dtype))
    if len(args) == 1:
        return Tensor(np.array(args[0], dtype=self.dtype))
    raise TypeError(f"new: expected sizes, a sequence or a tensor, got {args!r}")


@_method("new_empty_strided")
def _new_empty_strided(
    self,
    size: Any,
    stride: Any,
    *,
    dtype: Any = None,
    device: Any = None,
    requires_grad: bool = False,
    layout: Any = None,
    pin_memory: bool = False,
) -> Tensor:
    """A new tensor of ``size`` whose ``stride()`` is ``stride`` (zeros here; PyTorch
    leaves the memory uninitialized), in this tensor's dtype unless ``dtype``."""
    size, stride = tuple(int(s) for s in size), tuple(int(s) for s in stride)
    if len(size) != len(stride):
        raise ValueError(
            f"new_empty_strided: mismatch in length of strides and shape ({size}, {stride})"
        )
    if any(s < 0 for s in size) or any(s < 0 for s in stride):
        raise ValueError(f"new_empty_strided: negative size or stride ({size}, {stride})")
    dt = np.dtype(self.dtype if dtype is None else dtype)
    extent = 0 if 0 in size else 1 + sum((n - 1) * s for n, s in zip(size, stride))
    buf = np.zeros(extent, dt)
    arr = np.lib.stride_tricks.as_strided(
        buf, size, tuple(s * dt.itemsize for s in stride), writeable=True
    )
    return from_numpy(arr).requires_grad_(requires_grad)  # (keeps the strides)


@_method("nonzero_static")
def _nonzero_static(self, *, size: int, fill_value: int = -1) -> Tensor:
    """``nonzero()`` with exactly ``size`` rows: cut, or padded with ``fill_value``."""
    found = np.argwhere(self.data).astype(np.int64)[:size]
    pad = np.full((size - len(found), found.shape[1]), fill_value, np.int64)
    return Tensor(np.concatenate([found, pad]))


@_method("module_load")
def _module_load(self, other: Any, assign: bool = False) -> Any:
    """How ``load_state_dict`` takes ``other`` for this tensor: ``other.detach()`` with
    ``assign``, else ``self.copy_(other).detach()``."""
    return other.detach() if assign else self.copy_(other).detach()


# ------------------------------------------------------------------ unsupported kinds
def _no_dtype(name: str, what: str) -> None:
    def method(self, memory_format: Any = None) -> Any:
        raise TypeError(f"{name}: compgraph has no {what} dtype (NumPy has none)")

    method.__doc__ = f"Raises TypeError: no {what} dtype in compgraph."
    _method(name)(method)


_no_dtype("bfloat16", "bfloat16")
_no_dtype("chalf", "complex32")


def _no_device(name: str) -> None:
    def method(self, device: Any = None, non_blocking: bool = False, **kw: Any) -> Any:
        raise ValueError(f"{name}: device {name!r} is not available; compgraph computes on the CPU")

    method.__doc__ = f"Raises ValueError: no {name} device (compgraph runs on the CPU)."
    _method(name)(method)


for _name in ("xpu", "ipu", "mtia"):
    _no_device(_name)


def _unsupported(name: str, what: str) -> None:
    def method(self, *args: Any, **kw: Any) -> Any:
        raise NotImplementedError(f"{name}: compgraph has no {what}")

    method.__doc__ = f"Raises NotImplementedError: compgraph has no {what}."
    _method(name)(method)


for _name in (
    "to_sparse to_sparse_coo to_sparse_csr to_sparse_csc to_sparse_bsr to_sparse_bsc "
    "indices values crow_indices col_indices ccol_indices row_indices coalesce sparse_mask "
    "smm sspaddmm"
).split():
    _unsupported(_name, "sparse tensors")
for _name in (
    "q_scale q_zero_point q_per_channel_scales q_per_channel_zero_points "
    "q_per_channel_axis qscheme int_repr"
).split():
    _unsupported(_name, "quantized tensors")
_unsupported("to_mkldnn", "MKL-DNN tensors")
_unsupported("to_padded_tensor", "nested tensors")
_unsupported("record_stream", "CUDA streams")
for _name in ("storage", "untyped_storage", "storage_type"):
    _unsupported(_name, "storage objects (a tensor's memory is its NumPy array, t.numpy())")


@_method("to_dense")
def _to_dense(self, dtype: Any = None, *, masked_grad: Any = None) -> Any:
    """The tensor itself (already dense), or converted to ``dtype``."""
    return self if dtype is None or np.dtype(dtype) == self.dtype else cg.astype(self, dtype)


@_method("dequantize")
def _dequantize(self) -> Any:
    """The tensor itself (not quantized), as PyTorch for a float tensor."""
    return self


@_method("sparse_dim")
def _sparse_dim(self) -> int:
    """0: a dense tensor has no sparse dimensions."""
    return 0


@_method("dense_dim")
def _dense_dim(self) -> int:
    """The number of dimensions (all dense)."""
    return self.ndim


@_method("reinforce")
def _reinforce(self, reward: Any = None) -> Any:
    """Raises, as PyTorch: ``reinforce()`` was removed (use a distribution's
    ``log_prob`` times the reward as the loss)."""
    raise RuntimeError(
        "reinforce() was removed from PyTorch; use a distribution's log_prob(action) * "
        "reward as the loss instead"
    )


_METHODS["volatile"] = _const(False, "False: PyTorch's removed ``volatile`` flag.")


# ------------------------------------------------------------------ random
@_method("bernoulli")
def _bernoulli(self, p: Any = None, *, generator: Any = None) -> Tensor:
    """0/1 samples in this tensor's dtype, each 1 with the probability held there (or
    ``p``); ``generator`` a ``cg.Generator``; never requires grad."""
    return bernoulli(self, p, generator=generator)


@_method("multinomial")
def _multinomial(
    self, num_samples: int, replacement: bool = False, *, generator: Any = None
) -> Tensor:
    """``num_samples`` int64 indices drawn from each row of non-negative weights."""
    return multinomial(self, num_samples, replacement, generator=generator)


# ------------------------------------------------------------------ hooks
class _PostAccumulateHandle:
    """Returned by ``register_post_accumulate_grad_hook``; ``.remove()`` unregisters."""

    def __init__(self, handle: Any) -> None:
        self._handle = handle

    def remove(self) -> None:
        """Unregister the hook (no error if already removed)."""
        self._handle.remove()


@_method("register_post_accumulate_grad_hook")
def _register_post_accumulate_grad_hook(self, hook: Callable[[Tensor], None]) -> Any:
    """Call ``hook(tensor)`` (a leaf that requires grad) once a backward pass has
    accumulated its gradient into ``.grad``; the hook's result is ignored.

    PyTorch calls it right after this tensor's accumulation; here it runs at the end of
    the pass (as a ``queue_callback`` callback), after every ``.grad`` is set.  ``cg.autodiff.grad`` accumulates nothing and calls no such hook."""
    if not self.requires_grad:
        raise RuntimeError(
            "register_post_accumulate_grad_hook: cannot register a hook on a tensor that "
            "doesn't require gradient"
        )
    if not self.is_leaf:
        raise RuntimeError(
            "register_post_accumulate_grad_hook: post accumulate grad hooks cannot be "
            "registered on non-leaf tensors"
        )
    # A plain leaf hook sees the gradient before it is accumulated; the callback it queues
    # runs after, and calls ``hook`` only if ``.grad`` changed (``cg.autodiff.grad`` runs
    # the leaf hook but leaves ``.grad`` and the callback queue alone).
    state: dict = {}

    def after() -> None:
        before = state.pop("before", None)
        if state.pop("pending", False) and self.grad is not before[0]:
            hook(self)

    def on_grad(g: Any) -> None:
        if not state.get("pending"):
            state["pending"] = True
            queue_callback(after)
        state["before"] = (self.grad,)

    return _PostAccumulateHandle(self.register_hook(on_grad))


#: The top-level functions and objects this module gives (``cg.strided``, ``cg.layout``).
PUBLISHED: dict[str, Any] = {"strided": strided, "layout": layout}
