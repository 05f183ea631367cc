"""Layers: Linear, Conv2d, pooling, Dropout, BatchNorm, Flatten and activation modules.

Each layer holds PyTorch's parameters and options and calls the function of
:mod:`compgraph.nn.functional` that PyTorch's layer calls, so its gradients come from
the ops' rules (and gradcheck / torch tests verify them).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .. import functions as cg
from ..tensor import Tensor
from . import functional as F
from . import init
from .module import Module, Parameter

__all__ = [
    "Linear",
    "Conv2d",
    "MaxPool2d",
    "padding_mode_check",
    "mode_padded",
    "Dropout",
    "BatchNorm1d",
    "Flatten",
    "ReLU",
    "Tanh",
    "Sigmoid",
    "Softmax",
    "LogSoftmax",
    "Identity",
    "BatchNorm2d",
    "AvgPool2d",
    "AdaptiveAvgPool2d",
    "LeakyReLU",
    "ELU",
    "SiLU",
    "GELU",
    "Softplus",
]


class Linear(Module):
    """``y = x @ W.T + b`` with W of shape (out_features, in_features), as in PyTorch.

    Initialised like PyTorch: W and b from U(-1/sqrt(in), 1/sqrt(in)), from ``seed``.
    """

    def __init__(
        self,
        in_features: int,
        out_features: int,
        bias: bool = True,
        dtype: Any = "float64",
        seed: Any = None,
    ):
        super().__init__()
        self.in_features, self.out_features = int(in_features), int(out_features)
        rng = init.rng_of(seed)
        # (torch allows in_features=0: an empty weight, a bias drawn from U(0, 0))
        bound = 1.0 / math.sqrt(self.in_features) if self.in_features else 0.0
        self.weight = Parameter(np.empty((self.out_features, self.in_features), dtype))
        init.uniform_(self.weight, -bound, bound, rng)
        self.bias = None
        if bias:
            self.bias = Parameter(np.empty(self.out_features, dtype))
            init.uniform_(self.bias, -bound, bound, rng)

    def forward(self, x: Any) -> Tensor:
        if self.bias is not None:
            return F.linear(x, self.weight, self.bias)  # one primitive, like torch's addmm
        if getattr(x, "ndim", None) == 2:
            # (W @ x.T).T: the same product, but the weight's gradient comes out as
            # g.T @ x, C-contiguous, so optimisers update it at full speed.
            return cg.transpose(cg.matmul(self.weight, cg.transpose(x)))
        return F.linear(x, self.weight)

    def extra_repr(self) -> str:
        return (
            f"in_features={self.in_features}, out_features={self.out_features}, "
            f"bias={self.bias is not None}"
        )


def _pair(v: Any, what: str, low: int = 1) -> tuple[int, int]:
    """An int or an (h, w) pair of ints >= ``low``, as an (h, w) pair."""
    vals = tuple(v) if isinstance(v, (tuple, list)) else (v, v)
    if len(vals) != 2 or not all(
        isinstance(a, (int, np.integer)) and not isinstance(a, bool) for a in vals
    ):
        raise ValueError(f"{what}: expected an int or a pair of ints, got {v!r}")
    if min(vals) < low:
        raise ValueError(f"{what}: must be >= {low}, got {v!r}")
    return int(vals[0]), int(vals[1])


_PADDING_MODES = ("zeros", "reflect", "replicate", "circular")


def padding_mode_check(padding_mode: str, where: str) -> str:
    """``padding_mode`` if it is one of torch's four, else a ValueError naming the layer."""
    if padding_mode not in _PADDING_MODES:
        raise ValueError(
            f"{where}: padding_mode must be one of {_PADDING_MODES}, got {padding_mode!r}"
        )
    return padding_mode


def mode_padded(x: Any, padding: Any, kernel: tuple, dilation: tuple, mode: str) -> Any:
    """``x`` padded by ``mode`` on its last ``len(kernel)`` axes as torch's convolutions
    do before a convolution without padding: ``padding`` ints per axis, ``'same'``
    (``dilation * (kernel - 1)`` in all, the extra one at the end) or ``'valid'``."""
    pads: list[int] = []
    for i in reversed(range(len(kernel))):
        if padding == "valid":
            lo = hi = 0
        elif padding == "same":
            total = dilation[i] * (kernel[i] - 1)
            lo, hi = total // 2, total - total // 2
        else:
            lo = hi = padding[i]
        pads += [lo, hi]
    return F.pad(x, tuple(pads), mode=mode)


class Conv2d(Module):
    """2-D convolution (cross-correlation, as PyTorch) over (N, C, H, W) or (C, H, W).

    ``kernel_size``, ``stride``, ``padding`` (or ``'same'`` / ``'valid'``) and
    ``dilation`` take an int or an (h, w) pair; ``groups`` splits the channels into
    independent convolutions; ``padding_mode`` ``'zeros'``, ``'reflect'``,
    ``'replicate'`` or ``'circular'``.  Weight (out, in / groups, kh, kw), bias (out,).  It calls
    ``F.conv2d``: one ``convolution2d`` op without groups (a chunk of images at a time in
    cache-sized buffers), ``im2col`` patches times each group's weight with them.
    """

    def __init__(
        self,
        in_channels: int,
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
        super().__init__()
        self.padding_mode = padding_mode_check(padding_mode, "Conv2d")
        self.in_channels, self.out_channels, self.groups = (
            int(in_channels),
            int(out_channels),
            int(groups),
        )
        if self.groups < 1 or self.in_channels % self.groups or self.out_channels % self.groups:
            raise ValueError(
                f"Conv2d: in_channels {in_channels} and out_channels "
                f"{out_channels} must both be divisible by groups {groups}"
            )
        self.kernel_size = _pair(kernel_size, "Conv2d kernel_size")
        self.stride = _pair(stride, "Conv2d stride")
        self.dilation = _pair(dilation, "Conv2d dilation")
        if isinstance(padding, str):
            if padding not in ("valid", "same"):
                raise ValueError(
                    f"Conv2d: padding must be 'valid', 'same' or ints, got {padding!r}"
                )
            if padding == "same" and self.stride != (1, 1):
                raise ValueError("Conv2d: padding='same' is not supported for strided convolutions")
            self.padding: Any = padding
        else:
            self.padding = _pair(padding, "Conv2d padding", low=0)
        rng = init.rng_of(seed)
        kh, kw = self.kernel_size
        fan_in = self.in_channels // self.groups * kh * kw
        bound = 1.0 / math.sqrt(fan_in)
        self.weight = Parameter(
            np.empty((self.out_channels, self.in_channels // self.groups, kh, kw), dtype)
        )
        init.uniform_(self.weight, -bound, bound, rng)
        self.bias = None
        if bias:
            self.bias = Parameter(np.empty(self.out_channels, dtype))
            init.uniform_(self.bias, -bound, bound, rng)

    def forward(self, x: Any) -> Tensor:
        shape = tuple(x.shape)
        if len(shape) not in (3, 4) or shape[-3] != self.in_channels:
            raise ValueError(
                f"Conv2d: expected input of shape (N, {self.in_channels}, H, W) "
                f"or ({self.in_channels}, H, W), got {shape}"
            )
        if self.padding_mode != "zeros":
            x = mode_padded(x, self.padding, self.kernel_size, self.dilation, self.padding_mode)
            return F.conv2d(x, self.weight, self.bias, self.stride, 0, self.dilation, self.groups)
        return F.conv2d(
            x, self.weight, self.bias, self.stride, self.padding, self.dilation, self.groups
        )

    def extra_repr(self) -> str:
        # PyTorch's: options at their defaults are left out
        extra = "".join(
            f", {k}={v}"
            for k, v, default in (
                ("padding", self.padding, (0, 0)),
                ("dilation", self.dilation, (1, 1)),
                ("groups", self.groups, 1),
            )
            if v != default
        )
        return (
            f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, "
            f"stride={self.stride}{extra}{'' if self.bias is not None else ', bias=False'}"
            f"{'' if self.padding_mode == 'zeros' else ', padding_mode=' + self.padding_mode}"
        )


class MaxPool2d(Module):
    """Max over windows of (N, C, H, W) or (C, H, W) inputs, as PyTorch's: ``stride``
    defaults to the window; ``padding`` (-inf, at most half the window), ``dilation``,
    ``ceil_mode`` and ``return_indices`` as there (:func:`functional.max_pool2d`)."""

    def __init__(
        self,
        kernel_size: Any,
        stride: Any = None,
        padding: Any = 0,
        dilation: Any = 1,
        return_indices: bool = False,
        ceil_mode: bool = False,
    ):
        super().__init__()
        self.kernel_size = kernel_size
        self.stride = kernel_size if stride is None else stride
        self.padding, self.dilation = padding, dilation
        self.return_indices, self.ceil_mode = bool(return_indices), bool(ceil_mode)
        k = _pair(kernel_size, "MaxPool2d kernel_size")
        _pair(self.stride, "MaxPool2d stride")
        _pair(dilation, "MaxPool2d dilation")
        p = _pair(padding, "MaxPool2d padding", low=0)
        if any(not 0 <= q <= kk // 2 for q, kk in zip(p, k)):
            raise ValueError(
                f"MaxPool2d: padding must be between 0 and half the window "
                f"({k[0] // 2}, {k[1] // 2}), got {padding}"
            )

    def forward(self, x: Any) -> Any:
        return F.max_pool2d(
            x,
            self.kernel_size,
            self.stride,
            self.padding,
            self.dilation,
            self.ceil_mode,
            self.return_indices,
        )

    def extra_repr(self) -> str:
        return (
            f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}, "
            f"dilation={self.dilation}, ceil_mode={self.ceil_mode}"
        )


class AvgPool2d(Module):
    """Mean over kh x kw windows of (N, C, H, W) or (C, H, W) inputs, as PyTorch's:
    zero ``padding`` counted in the mean unless ``count_include_pad=False``, or a fixed
    ``divisor_override``."""

    def __init__(
        self,
        kernel_size: Any,
        stride: Any = None,
        padding: Any = 0,
        ceil_mode: bool = False,
        count_include_pad: bool = True,
        divisor_override: int | None = None,
    ):
        super().__init__()
        self.ceil_mode = bool(ceil_mode)
        self.kernel_size = kernel_size
        self.stride = kernel_size if stride is None else stride
        self.padding = padding
        self.count_include_pad = bool(count_include_pad)
        self.divisor_override = divisor_override
        self._k = _pair(kernel_size, "AvgPool2d kernel_size")
        self._s = _pair(self.stride, "AvgPool2d stride")
        self._p = _pair(padding, "AvgPool2d padding", low=0)
        if any(not 0 <= p <= k // 2 for p, k in zip(self._p, self._k)):
            raise ValueError(
                f"AvgPool2d: padding must be between 0 and half the window, got {padding}"
            )
        if divisor_override is not None and divisor_override <= 0:
            raise ValueError(f"AvgPool2d: divisor_override must be > 0, got {divisor_override}")

    def forward(self, x: Any) -> Tensor:
        return F.avg_pool2d(
            x,
            self.kernel_size,
            self.stride,
            self.padding,
            self.ceil_mode,
            self.count_include_pad,
            self.divisor_override,
        )

    def extra_repr(self) -> str:
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class AdaptiveAvgPool2d(Module):
    """Mean over the windows that cut (N, C, H, W) or (C, H, W) into ``output_size``
    cells, as PyTorch's (window i spans ``floor(i*H/oh)`` to ``ceil((i+1)*H/oh)``);
    ``None`` in ``output_size`` keeps that size."""

    def __init__(self, output_size: Any):
        super().__init__()
        self.output_size = output_size

    def forward(self, x: Any) -> Tensor:
        return F.adaptive_avg_pool2d(x, self.output_size)

    def extra_repr(self) -> str:
        return f"output_size={self.output_size}"


class Dropout(Module):
    """Zero each element with probability ``p`` in training (scaling the rest by 1/(1-p))."""

    def __init__(self, p: float = 0.5, inplace: bool = False, seed: Any = None):
        super().__init__()
        if not 0.0 <= p <= 1.0:
            raise ValueError(f"Dropout: p must be in [0, 1], got {p}")
        self.p = float(p)
        self.inplace = inplace  # (PyTorch's; the result is a new tensor either way)
        # None: the process's generator at each call (cg.manual_seed applies at any time)
        self._rng = None if seed is None else init.rng_of(seed)

    def forward(self, x: Any) -> Any:
        return F.dropout(x, self.p, self.training, generator=self._rng)

    def extra_repr(self) -> str:
        return f"p={self.p}, inplace={self.inplace}"


class BatchNorm1d(Module):
    """Batch normalisation of (N, C) or (N, C, L) inputs per channel C, as PyTorch.

    Training normalises with the batch statistics and updates the running ones:
    an exponential average with ``momentum``, or with ``momentum=None`` the plain
    average over every batch seen so far (``num_batches_tracked`` counts them).
    ``track_running_stats=False`` keeps no running statistics and always uses the
    batch's own.
    """

    def __init__(
        self,
        num_features: int,
        eps: float = 1e-5,
        momentum: float | None = 0.1,
        affine: bool = True,
        track_running_stats: bool = True,
        dtype: Any = "float64",
        *,
        bias: bool = True,
    ):
        super().__init__()
        if momentum is not None and not 0.0 <= momentum <= 1.0:
            raise ValueError(f"BatchNorm1d: momentum must be in [0, 1] or None, got {momentum}")
        self.num_features, self.eps, self.momentum = int(num_features), float(eps), momentum
        self.track_running_stats = bool(track_running_stats)
        self.weight = Parameter(np.ones(num_features, dtype)) if affine else None
        self.bias = Parameter(np.zeros(num_features, dtype)) if affine and bias else None
        if self.track_running_stats:
            self.register_buffer("running_mean", np.zeros(num_features, dtype))
            self.register_buffer("running_var", np.ones(num_features, dtype))
            self.register_buffer("num_batches_tracked", np.zeros((), np.int64))

    def forward(self, x: Any) -> Tensor:
        shape = tuple(x.shape) if hasattr(x, "shape") else np.shape(x)
        if len(shape) not in (2, 3) or shape[1] != self.num_features:
            raise ValueError(
                f"BatchNorm1d: expected input of shape (N, {self.num_features}) or "
                f"(N, {self.num_features}, L), got {shape}"
            )
        return self._normalize(x, shape)

    def _normalize(self, x: Any, shape: tuple) -> Tensor:
        batch_stats = self.training or not self.track_running_stats
        if self.training and int(np.prod(shape)) // shape[1] < 2:
            raise ValueError(
                f"{type(self).__name__}: training needs more than one value per "
                f"channel, got input of shape {shape}"
            )
        factor = 0.0
        if self.training and self.track_running_stats:
            self.num_batches_tracked[...] += 1
            # momentum None: the plain average over every batch seen so far
            m = self.momentum
            factor = 1.0 / float(self.num_batches_tracked) if m is None else m
        return F.batch_norm(
            x,
            self.running_mean if self.track_running_stats else None,
            self.running_var if self.track_running_stats else None,
            self.weight,
            self.bias,
            batch_stats,
            factor,
            self.eps,
        )

    def extra_repr(self) -> str:
        return (
            f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, "
            f"affine={self.weight is not None}, bias={self.bias is not None}, "
            f"track_running_stats={self.track_running_stats}"
        )


class BatchNorm2d(BatchNorm1d):
    """Batch normalisation of (N, C, H, W) inputs per channel C, as PyTorch's."""

    def forward(self, x: Any) -> Tensor:
        shape = tuple(x.shape) if hasattr(x, "shape") else np.shape(x)
        if len(shape) != 4 or shape[1] != self.num_features:
            raise ValueError(
                f"BatchNorm2d: expected input of shape (N, {self.num_features}, H, W), got {shape}"
            )
        return self._normalize(x, shape)


class Flatten(Module):
    """Flatten axes ``start_dim`` to ``end_dim`` into one: (N, C, H, W) -> (N, C*H*W)."""

    def __init__(self, start_dim: int = 1, end_dim: int = -1):
        super().__init__()
        self.start_dim, self.end_dim = int(start_dim), int(end_dim)

    def forward(self, x: Any) -> Tensor:
        shape = tuple(x.shape)
        nd = len(shape)
        lo, hi = self.start_dim % max(nd, 1), self.end_dim % max(nd, 1)
        if nd and lo > hi:
            raise ValueError(
                f"Flatten: start_dim {self.start_dim} comes after end_dim "
                f"{self.end_dim} for a shape of {nd} axes"
            )
        if nd == 0:
            return cg.reshape(x, (1,))
        return cg.reshape(x, shape[:lo] + (-1,) + shape[hi + 1 :])

    def extra_repr(self) -> str:
        return f"start_dim={self.start_dim}, end_dim={self.end_dim}"


class _Activation(Module):
    fn: Any = None

    def forward(self, x: Any) -> Tensor:
        return type(self).fn(x)


class ReLU(_Activation):
    """``max(x, 0)``; ``inplace`` is PyTorch's, kept for its code and its repr (the
    result is a new tensor either way)."""

    fn = staticmethod(F.relu)

    def __init__(self, inplace: bool = False):
        super().__init__()
        self.inplace = inplace

    def extra_repr(self) -> str:
        return "inplace=True" if self.inplace else ""


class Tanh(_Activation):
    """``tanh(x)``."""

    fn = staticmethod(F.tanh)


class Sigmoid(_Activation):
    """``1 / (1 + exp(-x))``."""

    fn = staticmethod(F.sigmoid)


class Identity(Module):
    """Returns its input."""

    def forward(self, x: Any) -> Any:
        return x


def _dim(dim: Any, axis: Any, where: str) -> int:
    if dim is not None and axis is not None and dim != axis:
        raise TypeError(f"{where}: give dim (PyTorch's name) or axis, not both")
    d = dim if dim is not None else axis
    return -1 if d is None else int(d)


class Softmax(Module):
    """Softmax along ``dim`` (PyTorch's name; ``axis`` is accepted too; default -1)."""

    def __init__(self, dim: int | None = None, axis: int | None = None):
        super().__init__()
        self.axis = _dim(dim, axis, "Softmax")

    def forward(self, x: Any) -> Tensor:
        return F.softmax(x, self.axis)

    def extra_repr(self) -> str:
        return f"dim={self.axis}"


class LogSoftmax(Module):
    """Log-softmax along ``dim`` (PyTorch's name; ``axis`` is accepted too; default -1)."""

    def __init__(self, dim: int | None = None, axis: int | None = None):
        super().__init__()
        self.axis = _dim(dim, axis, "LogSoftmax")

    def forward(self, x: Any) -> Tensor:
        return F.log_softmax(x, self.axis)

    def extra_repr(self) -> str:
        return f"dim={self.axis}"


class LeakyReLU(Module):
    """``x`` where ``x > 0``, else ``negative_slope * x``."""

    def __init__(self, negative_slope: float = 0.01, inplace: bool = False):
        super().__init__()
        self.negative_slope = float(negative_slope)
        self.inplace = inplace  # (PyTorch's; the result is a new tensor either way)

    def forward(self, x: Any) -> Tensor:
        return F.leaky_relu(x, self.negative_slope)

    def extra_repr(self) -> str:
        return f"negative_slope={self.negative_slope}" + (", inplace=True" if self.inplace else "")


class ELU(Module):
    """``x`` where ``x > 0``, else ``alpha * (exp(x) - 1)``."""

    def __init__(self, alpha: float = 1.0, inplace: bool = False):
        super().__init__()
        self.alpha = float(alpha)
        self.inplace = inplace  # (PyTorch's; the result is a new tensor either way)

    def forward(self, x: Any) -> Tensor:
        return F.elu(x, self.alpha)

    def extra_repr(self) -> str:
        return f"alpha={self.alpha}" + (", inplace=True" if self.inplace else "")


class SiLU(_Activation):
    """``x * sigmoid(x)`` (swish)."""

    fn = staticmethod(F.silu)


class GELU(Module):
    """``x * Phi(x)``, exact (``erf``) or ``approximate="tanh"``, as PyTorch's."""

    def __init__(self, approximate: str = "none"):
        super().__init__()
        if approximate not in ("none", "tanh"):
            raise ValueError(f"GELU: approximate must be 'none' or 'tanh', got {approximate!r}")
        self.approximate = approximate

    def forward(self, x: Any) -> Tensor:
        return F.gelu(x, self.approximate)

    def extra_repr(self) -> str:
        return f"approximate={self.approximate!r}"


class Softplus(Module):
    """``log(1 + exp(beta * x)) / beta``, and ``x`` itself where ``beta * x > threshold``
    (PyTorch's rule, which keeps its exact linear tail)."""

    def __init__(self, beta: float = 1.0, threshold: float = 20.0):
        super().__init__()
        self.beta, self.threshold = float(beta), float(threshold)

    def forward(self, x: Any) -> Tensor:
        return F.softplus(x, self.beta, self.threshold)

    def extra_repr(self) -> str:
        return f"beta={self.beta}, threshold={self.threshold}"
