"""PyTorch's lazy modules (nn.LazyLinear, nn.LazyConv2d ...: shapes inferred at the first call), nn.Buffer, the uninitialized parameter types and the remaining base and wrapper classes.

A lazy module starts with :class:`UninitializedParameter` s (and, for the norms,
uninitialized buffers).  Its first call infers ``in_features`` / ``in_channels`` /
``num_features`` from the input, gives every parameter and buffer the values the plain
class would have (the same ``dtype`` and ``seed`` give the same numbers as the plain
class built with the inferred size), and turns the module into an instance of the plain
class: after ``LazyLinear(3)(x)``, ``type(m) is nn.Linear``.  ``load_state_dict`` (and
``load``) into a lazy module materializes it from the state's shapes first, as torch.

An optimizer may be built from ``parameters()`` before the first call: the parameters
are materialized in place (the same objects), so it updates them afterwards, as torch
allows.  Optimizers that make their state when they are built (Adagrad) refuse
uninitialized parameters, as torch's do.

Differences from torch, on purpose:

- Buffers are NumPy arrays in compgraph; an uninitialized buffer, held by a module, is
  an empty array (of a private ndarray subclass) that refuses any computation.
- ``state_dict()`` holds an empty array of shape (0,) for each uninitialized entry
  (torch puts the placeholder objects); loading such an entry leaves it uninitialized.
- ``num_features`` of a lazy norm is always taken from the first input, even when it
  has no parameters or running statistics to materialize (torch leaves it 0).  A lazy
  InstanceNorm reads the channels of an unbatched input at dim 0 (torch reads dim 1
  and then fails).  After ``load_state_dict`` the inferred size is set at once (torch
  sets it at the next call), and a state whose shapes disagree with the module's
  options is refused as a size mismatch (torch materializes the state's shapes, whatever
  they are).  Bad first inputs raise ValueError, before anything is materialized.
- ``materialize`` fills with zeros where torch leaves the memory uninitialized.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from typing import Any

import numpy as np

from .conv import Conv1d, ConvTranspose2d
from .conv_layers import Conv3d, ConvTranspose1d, ConvTranspose3d
from .layers import BatchNorm1d, BatchNorm2d, Conv2d, Linear
from .lazy_base import (
    Buffer,
    LazyModuleMixin,
    UninitializedBuffer,
    UninitializedParameter,
    _accepts,
    _LazyBuiltin,
)
from .module import Module
from .norm_layers import BatchNorm3d, InstanceNorm1d, InstanceNorm2d, InstanceNorm3d
from .recurrent import RNNBase, RNNCellBase

__all__ = [
    "UninitializedParameter",
    "UninitializedBuffer",
    "Buffer",
    "LazyModuleMixin",
    "LazyLinear",
    "LazyConv1d",
    "LazyConv2d",
    "LazyConv3d",
    "LazyConvTranspose1d",
    "LazyConvTranspose2d",
    "LazyConvTranspose3d",
    "LazyBatchNorm1d",
    "LazyBatchNorm2d",
    "LazyBatchNorm3d",
    "LazyInstanceNorm1d",
    "LazyInstanceNorm2d",
    "LazyInstanceNorm3d",
    "RNNBase",
    "RNNCellBase",
    "Container",
    "DataParallel",
]


class LazyLinear(_LazyBuiltin, Linear):
    """A :class:`Linear` whose ``in_features`` is inferred from ``input.shape[-1]`` at
    the first call, as ``torch.nn.LazyLinear``; it then becomes a Linear.

    >>> import compgraph as cg
    >>> m = cg.nn.LazyLinear(3, seed=0)
    >>> m
    LazyLinear(in_features=0, out_features=3, bias=True)
    >>> m(cg.ones((2, 5))).shape, type(m).__name__, m.weight.shape
    ((2, 3), 'Linear', (3, 5))
    """

    cls_to_become = Linear
    _inferred = "in_features"

    def __init__(
        self, out_features: int, bias: bool = True, dtype: Any = "float64", seed: Any = None
    ):
        super().__init__(1, out_features, bias=bias, dtype=dtype, seed=0)
        self._make_lazy({"out_features": self.out_features, "bias": bool(bias), "seed": seed})

    def _size_of(self, shape: tuple) -> int:
        if not shape or shape[-1] < 1:
            raise ValueError(
                f"LazyLinear: cannot infer in_features from an input of shape {shape} "
                f"(expected (*, in_features) with in_features >= 1)"
            )
        return int(shape[-1])

    def _size_in_state(self, state: Mapping[str, Any], prefix: str) -> int | None:
        shape = self._entry(state, prefix + "weight", 2)
        return None if shape is None else int(shape[1])


class _LazyConv(_LazyBuiltin):
    """torch's ``_LazyConvXdMixin``: ``in_channels`` from dim 1 (dim 0 unbatched)."""

    _inferred = "in_channels"
    _n = 0  # spatial dims
    _transposed = False
    groups: int
    out_channels: int

    def _lazy_init(self, out_channels: int, kwargs: dict, dtype: Any, seed: Any) -> None:
        groups = kwargs["groups"]
        stand_in = groups if isinstance(groups, (int, np.integer)) and groups > 0 else 1
        # The parent's __init__ through the MRO (LazyModuleMixin's, then the plain class's).
        super().__init__(stand_in, out_channels, **kwargs, dtype=dtype, seed=0)
        self._make_lazy({"out_channels": self.out_channels, **kwargs, "seed": seed})

    def _size_of(self, shape: tuple) -> int:
        name, n = type(self).__name__, self._n
        if len(shape) not in (n + 1, n + 2):
            raise ValueError(
                f"{name}: expected {n + 1}D (unbatched) or {n + 2}D (batched) input, but "
                f"got input of shape {shape}"
            )
        c = int(shape[1] if len(shape) == n + 2 else shape[0])
        if c < 1 or c % self.groups:
            raise ValueError(
                f"{name}: in_channels {c} (from an input of shape {shape}) must be a positive "
                f"multiple of groups {self.groups}"
            )
        return c

    def _size_in_state(self, state: Mapping[str, Any], prefix: str) -> int | None:
        shape = self._entry(state, prefix + "weight", self._n + 2)
        if shape is None:
            return None
        return int(shape[0]) if self._transposed else int(shape[1]) * self.groups


def _conv_kwargs(cls: type, padding_mode: str, **kwargs: Any) -> dict:
    """The plain class's keyword arguments: ``padding_mode`` only where it takes one
    (then it must be 'zeros')."""
    if _accepts(cls, "padding_mode"):
        kwargs["padding_mode"] = padding_mode
    elif padding_mode != "zeros":
        raise ValueError(
            f"Lazy{cls.__name__}: padding_mode must be 'zeros' (compgraph's {cls.__name__} "
            f"pads with zeros only), got {padding_mode!r}"
        )
    return kwargs


class LazyConv1d(_LazyConv, Conv1d):
    """A :class:`Conv1d` whose ``in_channels`` is inferred at the first call, as
    ``torch.nn.LazyConv1d``; it then becomes a Conv1d."""

    cls_to_become = Conv1d
    _n = 1

    def __init__(
        self,
        out_channels: int,
        kernel_size: Any,
        stride: Any = 1,
        padding: Any = 0,
        dilation: Any = 1,
        groups: int = 1,
        bias: bool = True,
        padding_mode: str = "zeros",
        dtype: Any = "float64",
        seed: Any = None,
    ):
        kw = _conv_kwargs(
            Conv1d, padding_mode, kernel_size=kernel_size, stride=stride, padding=padding,
            dilation=dilation, groups=groups, bias=bias,
        )  # fmt: skip
        self._lazy_init(out_channels, kw, dtype, seed)


class LazyConv2d(_LazyConv, Conv2d):
    """A :class:`Conv2d` whose ``in_channels`` is inferred at the first call, as
    ``torch.nn.LazyConv2d``; it then becomes a Conv2d.

    >>> import compgraph as cg
    >>> m = cg.nn.LazyConv2d(4, 3, seed=0)
    >>> m(cg.ones((1, 2, 5, 5))).shape, type(m).__name__, m.weight.shape
    ((1, 4, 3, 3), 'Conv2d', (4, 2, 3, 3))
    """

    cls_to_become = Conv2d
    _n = 2

    def __init__(
        self,
        out_channels: int,
        kernel_size: Any,
        stride: Any = 1,
        padding: Any = 0,
        dilation: Any = 1,
        groups: int = 1,
        bias: bool = True,
        padding_mode: str = "zeros",
        dtype: Any = "float64",
        seed: Any = None,
    ):
        kw = _conv_kwargs(
            Conv2d, padding_mode, kernel_size=kernel_size, stride=stride, padding=padding,
            dilation=dilation, groups=groups, bias=bias,
        )  # fmt: skip
        self._lazy_init(out_channels, kw, dtype, seed)
        if not hasattr(self, "padding_mode"):
            self.padding_mode = padding_mode  # torch's attribute, for code that reads it


class LazyConv3d(_LazyConv, Conv3d):
    """A :class:`Conv3d` whose ``in_channels`` is inferred at the first call, as
    ``torch.nn.LazyConv3d``; it then becomes a Conv3d."""

    cls_to_become = Conv3d
    _n = 3

    def __init__(
        self,
        out_channels: int,
        kernel_size: Any,
        stride: Any = 1,
        padding: Any = 0,
        dilation: Any = 1,
        groups: int = 1,
        bias: bool = True,
        padding_mode: str = "zeros",
        dtype: Any = "float64",
        seed: Any = None,
    ):
        kw = _conv_kwargs(
            Conv3d, padding_mode, kernel_size=kernel_size, stride=stride, padding=padding,
            dilation=dilation, groups=groups, bias=bias,
        )  # fmt: skip
        self._lazy_init(out_channels, kw, dtype, seed)


class _LazyConvTranspose(_LazyConv):
    _transposed = True

    def _transposed_init(
        self,
        cls: type,
        out_channels: int,
        kernel_size: Any,
        stride: Any,
        padding: Any,
        output_padding: Any,
        groups: int,
        bias: bool,
        dilation: Any,
        padding_mode: str,
        dtype: Any,
        seed: Any,
    ) -> None:
        kw = _conv_kwargs(
            cls, padding_mode, kernel_size=kernel_size, stride=stride, padding=padding,
            output_padding=output_padding, groups=groups, bias=bias, dilation=dilation,
        )  # fmt: skip
        self._lazy_init(out_channels, kw, dtype, seed)


class LazyConvTranspose1d(_LazyConvTranspose, ConvTranspose1d):
    """A :class:`ConvTranspose1d` whose ``in_channels`` is inferred at the first call,
    as ``torch.nn.LazyConvTranspose1d``; it then becomes a ConvTranspose1d."""

    cls_to_become = ConvTranspose1d
    _n = 1

    def __init__(
        self,
        out_channels: int,
        kernel_size: Any,
        stride: Any = 1,
        padding: Any = 0,
        output_padding: Any = 0,
        groups: int = 1,
        bias: bool = True,
        dilation: Any = 1,
        padding_mode: str = "zeros",
        dtype: Any = "float64",
        seed: Any = None,
    ):
        self._transposed_init(
            ConvTranspose1d, out_channels, kernel_size, stride, padding, output_padding,
            groups, bias, dilation, padding_mode, dtype, seed,
        )  # fmt: skip


class LazyConvTranspose2d(_LazyConvTranspose, ConvTranspose2d):
    """A :class:`ConvTranspose2d` whose ``in_channels`` is inferred at the first call,
    as ``torch.nn.LazyConvTranspose2d``; it then becomes a ConvTranspose2d."""

    cls_to_become = ConvTranspose2d
    _n = 2

    def __init__(
        self,
        out_channels: int,
        kernel_size: Any,
        stride: Any = 1,
        padding: Any = 0,
        output_padding: Any = 0,
        groups: int = 1,
        bias: bool = True,
        dilation: Any = 1,
        padding_mode: str = "zeros",
        dtype: Any = "float64",
        seed: Any = None,
    ):
        self._transposed_init(
            ConvTranspose2d, out_channels, kernel_size, stride, padding, output_padding,
            groups, bias, dilation, padding_mode, dtype, seed,
        )  # fmt: skip


class LazyConvTranspose3d(_LazyConvTranspose, ConvTranspose3d):
    """A :class:`ConvTranspose3d` whose ``in_channels`` is inferred at the first call,
    as ``torch.nn.LazyConvTranspose3d``; it then becomes a ConvTranspose3d."""

    cls_to_become = ConvTranspose3d
    _n = 3

    def __init__(
        self,
        out_channels: int,
        kernel_size: Any,
        stride: Any = 1,
        padding: Any = 0,
        output_padding: Any = 0,
        groups: int = 1,
        bias: bool = True,
        dilation: Any = 1,
        padding_mode: str = "zeros",
        dtype: Any = "float64",
        seed: Any = None,
    ):
        self._transposed_init(
            ConvTranspose3d, out_channels, kernel_size, stride, padding, output_padding,
            groups, bias, dilation, padding_mode, dtype, seed,
        )  # fmt: skip


class _LazyNorm(_LazyBuiltin):
    """torch's ``_LazyNormBase``: ``num_features`` from the input's channels; weight,
    bias, running_mean and running_var uninitialized until then."""

    _inferred = "num_features"
    _ndims: tuple = ()  # the input dims the plain class accepts
    _channel_from_end = 0  # InstanceNorm: the channel axis counted from the end

    def _norm_init(
        self,
        eps: float,
        momentum: float | None,
        affine: bool,
        track_running_stats: bool,
        dtype: Any,
        bias: bool,
    ) -> None:
        plain = self.cls_to_become
        assert plain is not None
        kw: dict = {"eps": eps, "momentum": momentum, "affine": affine}
        kw["track_running_stats"] = track_running_stats
        if _accepts(plain, "bias"):
            kw["bias"] = bias
        super().__init__(0, **kw, dtype=dtype)
        self._make_lazy(kw)
        if not bias and self._params.get("bias") is not None:
            # The plain class has no bias option: no bias all the same.
            self._params["bias"] = None
            object.__setattr__(self, "bias", None)

    def _size_of(self, shape: tuple) -> int:
        name = type(self).__name__
        if len(shape) not in self._ndims:
            dims = " or ".join(f"{d}D" for d in self._ndims)
            raise ValueError(f"{name}: expected {dims} input (got {len(shape)}D input)")
        axis = len(shape) - self._channel_from_end if self._channel_from_end else 1
        return int(shape[axis])

    def _size_in_state(self, state: Mapping[str, Any], prefix: str) -> int | None:
        for key in ("weight", "bias", "running_mean", "running_var"):
            shape = self._entry(state, prefix + key, 1)
            if shape is not None:
                return int(shape[0])
        return None


class _LazyNormArgs:
    """The constructor every lazy norm shares (torch's ``_LazyNormBase.__init__``)."""

    _norm_init: Any

    def __init__(
        self,
        eps: float = 1e-5,
        momentum: float | None = 0.1,
        affine: bool = True,
        track_running_stats: bool = True,
        dtype: Any = "float64",
        *,
        bias: bool = True,
    ):
        self._norm_init(eps, momentum, affine, track_running_stats, dtype, bias)


class LazyBatchNorm1d(_LazyNormArgs, _LazyNorm, BatchNorm1d):
    """A :class:`BatchNorm1d` whose ``num_features`` is inferred from ``input.shape[1]``
    at the first call, as ``torch.nn.LazyBatchNorm1d``; it then becomes a BatchNorm1d.

    >>> import compgraph as cg
    >>> bn = cg.nn.LazyBatchNorm1d()
    >>> bn(cg.ones((4, 3))).shape, type(bn).__name__, bn.running_mean.shape
    ((4, 3), 'BatchNorm1d', (3,))
    """

    cls_to_become = BatchNorm1d
    _ndims = (2, 3)


class LazyBatchNorm2d(_LazyNormArgs, _LazyNorm, BatchNorm2d):
    """A :class:`BatchNorm2d` whose ``num_features`` is inferred at the first call, as
    ``torch.nn.LazyBatchNorm2d``; it then becomes a BatchNorm2d."""

    cls_to_become = BatchNorm2d
    _ndims = (4,)


class LazyBatchNorm3d(_LazyNormArgs, _LazyNorm, BatchNorm3d):
    """A :class:`BatchNorm3d` whose ``num_features`` is inferred at the first call, as
    ``torch.nn.LazyBatchNorm3d``; it then becomes a BatchNorm3d."""

    cls_to_become = BatchNorm3d
    _ndims = (5,)


class LazyInstanceNorm1d(_LazyNormArgs, _LazyNorm, InstanceNorm1d):
    """An :class:`InstanceNorm1d` whose ``num_features`` is inferred at the first call,
    as ``torch.nn.LazyInstanceNorm1d`` (whose defaults are ``affine=True,
    track_running_stats=True``, unlike the plain class's); it then becomes an
    InstanceNorm1d.  Unbatched (C, L) inputs give C."""

    cls_to_become = InstanceNorm1d
    _ndims = (2, 3)
    _channel_from_end = 2


class LazyInstanceNorm2d(_LazyNormArgs, _LazyNorm, InstanceNorm2d):
    """An :class:`InstanceNorm2d` whose ``num_features`` is inferred at the first call,
    as ``torch.nn.LazyInstanceNorm2d`` (defaults ``affine=True,
    track_running_stats=True``); it then becomes an InstanceNorm2d."""

    cls_to_become = InstanceNorm2d
    _ndims = (3, 4)
    _channel_from_end = 3


class LazyInstanceNorm3d(_LazyNormArgs, _LazyNorm, InstanceNorm3d):
    """An :class:`InstanceNorm3d` whose ``num_features`` is inferred at the first call,
    as ``torch.nn.LazyInstanceNorm3d`` (defaults ``affine=True,
    track_running_stats=True``); it then becomes an InstanceNorm3d."""

    cls_to_become = InstanceNorm3d
    _ndims = (4, 5)
    _channel_from_end = 4


# ------------------------------------------------------------------ wrappers
class Container(Module):
    """torch's deprecated ``nn.Container``: a Module holding the keyword arguments as
    children (it warns FutureWarning, as torch; subclass Module instead)."""

    def __init__(self, **kwargs: Any) -> None:
        warnings.warn(
            "`nn.Container` is deprecated. All of its functionality is now implemented in "
            "`nn.Module`. Subclass that instead.",
            FutureWarning,
            stacklevel=2,
        )
        super().__init__()
        for key, value in kwargs.items():
            self.add_module(key, value)


class DataParallel(Module):
    """``torch.nn.DataParallel`` as torch runs it on a machine without GPUs: a wrapper
    whose forward calls ``module`` (so ``state_dict`` keys start with ``module.``).

    compgraph computes on the CPU, so ``device_ids`` is ``[]`` whatever is passed, as
    torch sets it there; ``output_device`` and ``dim`` are kept as given (torch keeps
    them only when it has GPUs).  For several processes see
    :class:`compgraph.nn.parallel.DistributedDataParallel`.

    >>> import compgraph as cg
    >>> dp = cg.nn.DataParallel(cg.nn.Linear(2, 3, seed=0))
    >>> dp(cg.ones((4, 2))).shape, list(dp.state_dict())
    ((4, 3), ['module.weight', 'module.bias'])
    """

    def __init__(
        self, module: Module, device_ids: Any = None, output_device: Any = None, dim: int = 0
    ):
        super().__init__()
        if not isinstance(module, Module):
            raise TypeError(f"DataParallel: module must be a Module, got {type(module).__name__}")
        self.module = module
        self.device_ids: list = []
        self.output_device = output_device
        self.dim = int(dim)

    def forward(self, *inputs: Any, **kwargs: Any) -> Any:
        return self.module(*inputs, **kwargs)
