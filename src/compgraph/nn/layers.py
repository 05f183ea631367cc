"""Layers: Linear, Dropout, BatchNorm1d, Flatten and activation modules.

Every layer is written with the ``cg.*`` functions, so its gradients come from
the ops' rules (and gradcheck / torch tests verify them).
"""
from __future__ import annotations

import math
from typing import Any

import numpy as np

from .. import functions as F
from ..functions import _call
from ..ops.conv import out_size
from ..ops.registry import OPS
from ..tensor import Tensor
from . import init
from .module import Module, Parameter

__all__ = ["Linear", "Conv2d", "MaxPool2d", "Dropout", "BatchNorm1d", "Flatten", "ReLU", "Tanh", "Sigmoid",
           "Softmax", "LogSoftmax", "Identity"]


class Linear(Module):
    """``y = x @ W.T + b`` with W of shape (out_features, in_features), as in PyTorch.

    Initialised like PyTorch: W and b from U(-1/sqrt(in), 1/sqrt(in)), from ``seed``.
    """

    def __init__(self, in_features: int, out_features: int, bias: bool = True,
                 dtype: Any = "float64", seed: Any = None):
        super().__init__()
        self.in_features, self.out_features = int(in_features), int(out_features)
        rng = init.rng_of(seed)
        bound = 1.0 / math.sqrt(self.in_features)
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
            return F.transpose(F.matmul(self.weight, F.transpose(x)))
        return F.matmul(x, self.weight.T)

    def extra_repr(self) -> str:
        return f"{self.in_features}, {self.out_features}, bias={self.bias is not None}"


def _pair_ok(v: Any, what: str) -> int:
    if isinstance(v, (tuple, list)):
        if len(v) != 2 or v[0] != v[1]:
            raise ValueError(f"{what}: only square values are supported, got {v!r}")
        v = v[0]
    return int(v)


class Conv2d(Module):
    """2-D convolution (cross-correlation, as PyTorch) over (N, C, H, W) inputs.

    Weight (out_channels, in_channels, k, k), bias (out_channels,); implemented as
    ``im2col`` (patches as rows) times the flattened weight: one matrix product.
    """

    def __init__(self, in_channels: int, out_channels: int, kernel_size: Any,
                 stride: Any = 1, padding: Any = 0, bias: bool = True,
                 dtype: Any = "float64", seed: Any = None):
        super().__init__()
        self.in_channels, self.out_channels = int(in_channels), int(out_channels)
        self.kernel_size = _pair_ok(kernel_size, "Conv2d kernel_size")
        self.stride = _pair_ok(stride, "Conv2d stride")
        if padding == "valid":
            padding = 0
        elif padding == "same":  # torch: stride 1; symmetric padding needs an odd kernel
            if self.stride != 1 or self.kernel_size % 2 == 0:
                raise ValueError(f"Conv2d: padding='same' needs stride 1 and an odd kernel "
                                 f"here, got stride {self.stride}, kernel {self.kernel_size}")
            padding = (self.kernel_size - 1) // 2
        self.padding = _pair_ok(padding, "Conv2d padding")
        rng = init.rng_of(seed)
        k = self.kernel_size
        bound = 1.0 / math.sqrt(self.in_channels * k * k)
        self.weight = Parameter(np.empty((self.out_channels, self.in_channels, k, k), dtype))
        init.uniform_(self.weight, -bound, bound, rng)
        self.bias = None
        if bias:
            self.bias = Parameter(np.empty(self.out_channels, dtype))
            init.uniform_(self.bias, -bound, bound, rng)

    def forward(self, x: Any) -> Tensor:
        shape = x.shape
        if len(shape) == 3 and shape[0] == self.in_channels:  # unbatched (C, H, W), as torch
            return F.squeeze(self.forward(F.expand_dims(x, 0)), 0)
        if len(shape) != 4 or shape[1] != self.in_channels:
            raise ValueError(f"Conv2d: expected input of shape (N, {self.in_channels}, H, W) "
                             f"or ({self.in_channels}, H, W), got {tuple(shape)}")
        n, _, h, w = shape
        k, s, p = self.kernel_size, self.stride, self.padding
        oh, ow = out_size(h, k, s, p), out_size(w, k, s, p)
        if oh < 1 or ow < 1:
            raise ValueError(f"Conv2d: kernel {k} does not fit input {tuple(shape)} with "
                             f"padding {p}")
        cols = _call(OPS["im2col"], (x,), {"kh": k, "kw": k, "stride": s, "pad": p})
        wmat = F.reshape(self.weight, (self.out_channels, -1))
        y = F.matmul(cols, wmat.T)
        if self.bias is not None:
            y = y + self.bias
        return F.transpose(F.reshape(y, (n, oh, ow, self.out_channels)), (0, 3, 1, 2))

    def extra_repr(self) -> str:
        return (f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, "
                f"stride={self.stride}, padding={self.padding}")


class MaxPool2d(Module):
    """Max over k x k windows of (N, C, H, W) inputs (stride defaults to k).

    ``padding`` pads each side with -inf, as PyTorch does (at most half the window).
    """

    def __init__(self, kernel_size: Any, stride: Any = None, padding: Any = 0):
        super().__init__()
        self.kernel_size = _pair_ok(kernel_size, "MaxPool2d kernel_size")
        self.stride = self.kernel_size if stride is None else _pair_ok(stride, "MaxPool2d stride")
        self.padding = _pair_ok(padding, "MaxPool2d padding")
        if self.kernel_size < 1 or self.stride < 1:
            raise ValueError(f"MaxPool2d: kernel_size and stride must be >= 1, got "
                             f"{self.kernel_size} and {self.stride}")
        if not 0 <= self.padding <= self.kernel_size // 2:
            raise ValueError(f"MaxPool2d: padding must be between 0 and half the window "
                             f"({self.kernel_size // 2}), got {self.padding}")

    def forward(self, x: Any) -> Tensor:
        shape = x.shape
        if len(shape) == 3:  # unbatched (C, H, W), as torch
            return F.squeeze(self.forward(F.expand_dims(x, 0)), 0)
        if len(shape) != 4:
            raise ValueError(f"MaxPool2d: expected (N, C, H, W) or (C, H, W), got {tuple(shape)}")
        k, s, p = self.kernel_size, self.stride, self.padding
        if p:
            x = _pad_with(x, p, -np.inf)
            shape = x.shape
        n, c, h, w = shape
        oh, ow = out_size(h, k, s, 0), out_size(w, k, s, 0)
        if oh < 1 or ow < 1:
            raise ValueError(f"MaxPool2d: window {k} does not fit input {tuple(shape)}")
        if s == k and h % k == 0 and w % k == 0:
            # Non-overlapping windows: a reshape and a transpose, no patch copy.
            y = F.reshape(x, (n, c, h // k, k, w // k, k))
            y = F.reshape(F.transpose(y, (0, 1, 2, 4, 3, 5)), (n, c, h // k, w // k, k * k))
            return _first_max(y, 4)
        planes = F.reshape(x, (n * c, 1, h, w))
        cols = _call(OPS["im2col"], (planes,), {"kh": k, "kw": k, "stride": s, "pad": 0})
        return F.reshape(_first_max(cols, 1), (n, c, oh, ow))

    def extra_repr(self) -> str:
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


def _first_max(x: Any, axis: int) -> Tensor:
    """Max along ``axis`` whose gradient goes to the first maximal entry only, as
    PyTorch's max pooling (a plain max splits it among ties); NaN wins, as there."""
    size = x.shape[axis]
    idx = F.argmax(x, axis=axis, keepdims=True)
    slots = np.arange(size).reshape((size,) + (1,) * (len(x.shape) - 1 - axis % len(x.shape)))
    return F.sum(F.where(F.equal(idx, slots), x, 0), axis=axis)


def _pad_with(x: Any, p: int, value: float) -> Tensor:
    """``x`` (N, C, H, W) with ``p`` rows and columns of ``value`` on every side."""
    n, c, h, w = x.shape
    dtype = x.dtype if isinstance(x, Tensor) else np.result_type(x, np.float64)
    side = np.full((n, c, h, p), value, dtype)
    x = F.concatenate([side, x, side], axis=3)
    band = np.full((n, c, p, w + 2 * p), value, dtype)
    return F.concatenate([band, x, band], axis=2)


class Dropout(Module):
    """Zero each element with probability ``p`` in training (scaling the rest by 1/(1-p))."""

    def __init__(self, p: float = 0.5, seed: Any = None):
        super().__init__()
        if not 0.0 <= p <= 1.0:
            raise ValueError(f"Dropout: p must be in [0, 1], got {p}")
        self.p = float(p)
        self._rng = init.rng_of(seed)

    def forward(self, x: Any) -> Any:
        if not self.training or self.p == 0.0:
            return x
        shape = np.shape(x.data) if isinstance(x, Tensor) else np.shape(x)
        dtype = x.dtype if isinstance(x, Tensor) else np.float64
        if self.p == 1.0:  # everything dropped: zeros, as torch (no 1/0 scale)
            return x * np.zeros(shape, dtype)
        keep = (self._rng.random(shape) >= self.p).astype(dtype) / (1.0 - self.p)
        return x * keep

    def extra_repr(self) -> str:
        return f"p={self.p}"


class BatchNorm1d(Module):
    """Batch normalisation of (N, C) or (N, C, L) inputs per channel C, as PyTorch.

    Training normalises with the batch statistics and updates the running ones:
    an exponential average with ``momentum``, or with ``momentum=None`` the plain
    average over every batch seen so far (``num_batches_tracked`` counts them).
    ``track_running_stats=False`` keeps no running statistics and always uses the
    batch's own.
    """

    def __init__(self, num_features: int, eps: float = 1e-5, momentum: float | None = 0.1,
                 affine: bool = True, track_running_stats: bool = True,
                 dtype: Any = "float64"):
        super().__init__()
        if momentum is not None and not 0.0 <= momentum <= 1.0:
            raise ValueError(f"BatchNorm1d: momentum must be in [0, 1] or None, got {momentum}")
        self.num_features, self.eps, self.momentum = int(num_features), float(eps), momentum
        self.track_running_stats = bool(track_running_stats)
        self.weight = Parameter(np.ones(num_features, dtype)) if affine else None
        self.bias = Parameter(np.zeros(num_features, dtype)) if affine else None
        if self.track_running_stats:
            self.register_buffer("running_mean", np.zeros(num_features, dtype))
            self.register_buffer("running_var", np.ones(num_features, dtype))
            self.register_buffer("num_batches_tracked", np.zeros((), np.int64))

    def forward(self, x: Any) -> Tensor:
        shape = tuple(x.shape) if hasattr(x, "shape") else np.shape(x)
        if len(shape) not in (2, 3) or shape[1] != self.num_features:
            raise ValueError(f"BatchNorm1d: expected input of shape (N, {self.num_features}) or "
                             f"(N, {self.num_features}, L), got {shape}")
        axes = (0,) if len(shape) == 2 else (0, 2)
        # Per-channel vectors broadcast against (N, C) or (N, C, L).
        view = (lambda v: v) if len(shape) == 2 else (lambda v: F.reshape(v, (-1, 1)))
        if self.training or not self.track_running_stats:
            count = int(np.prod([shape[a] for a in axes]))
            if self.training and count < 2:
                raise ValueError(f"BatchNorm1d: training needs more than one value per "
                                 f"channel, got input of shape {shape}")
            mean = F.mean(x, axis=axes, keepdims=True)
            centred = x - mean
            var = F.mean(centred * centred, axis=axes, keepdims=True)
            if self.training and self.track_running_stats:
                self._update_running(mean.data.reshape(-1), var.data.reshape(-1), count)
            y = centred / F.sqrt(var + self.eps)
        else:
            y = (x - view(self.running_mean)) / view(np.sqrt(self.running_var + self.eps))
        if self.weight is not None:
            y = y * view(self.weight) + view(self.bias)
        return y

    def _update_running(self, mean: np.ndarray, var: np.ndarray, count: int) -> None:
        """Running statistics (not part of the graph); the variance kept is unbiased."""
        self.num_batches_tracked[...] += 1
        m = self.momentum
        if m is None:
            m = 1.0 / float(self.num_batches_tracked)
        unbiased = var * (count / (count - 1))
        self.running_mean[...] = (1 - m) * self.running_mean + m * mean
        self.running_var[...] = (1 - m) * self.running_var + m * unbiased

    def extra_repr(self) -> str:
        return (f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, "
                f"affine={self.weight is not None}, "
                f"track_running_stats={self.track_running_stats}")


class BatchNorm2d(BatchNorm1d):
    """Batch normalisation of (N, C, H, W) inputs per channel C, as PyTorch's."""

    def forward(self, x: Any) -> Tensor:
        shape = tuple(x.shape) if hasattr(x, "shape") else np.shape(x)
        if len(shape) != 4 or shape[1] != self.num_features:
            raise ValueError(f"BatchNorm2d: expected input of shape (N, {self.num_features}, "
                             f"H, W), got {shape}")
        n, c, h, w = shape
        if self.training and n * h * w < 2:
            raise ValueError(f"BatchNorm2d: training needs more than one value per channel, "
                             f"got input of shape {shape}")
        return F.reshape(super().forward(F.reshape(x, (n, c, h * w))), shape)


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
            raise ValueError(f"Flatten: start_dim {self.start_dim} comes after end_dim "
                             f"{self.end_dim} for a shape of {nd} axes")
        if nd == 0:
            return F.reshape(x, (1,))
        return F.reshape(x, shape[:lo] + (-1,) + shape[hi + 1:])

    def extra_repr(self) -> str:
        return f"start_dim={self.start_dim}, end_dim={self.end_dim}"


class _Activation(Module):
    fn: Any = None

    def forward(self, x: Any) -> Tensor:
        return type(self).fn(x)


class ReLU(_Activation):
    """``max(x, 0)``."""
    fn = staticmethod(F.relu)


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

    def __init__(self, negative_slope: float = 0.01):
        super().__init__()
        self.negative_slope = float(negative_slope)

    def forward(self, x: Any) -> Tensor:
        return F.leaky_relu(x, self.negative_slope)

    def extra_repr(self) -> str:
        return f"negative_slope={self.negative_slope}"


class ELU(Module):
    """``x`` where ``x > 0``, else ``alpha * (exp(x) - 1)``."""

    def __init__(self, alpha: float = 1.0):
        super().__init__()
        self.alpha = float(alpha)

    def forward(self, x: Any) -> Tensor:
        return F.elu(x, self.alpha)

    def extra_repr(self) -> str:
        return f"alpha={self.alpha}"


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
        bx = x * self.beta if self.beta != 1.0 else x
        soft = F.softplus(bx) if self.beta == 1.0 else F.softplus(bx) * (1.0 / self.beta)
        return F.where(F.greater(bx, self.threshold), x, soft)

    def extra_repr(self) -> str:
        return f"beta={self.beta}, threshold={self.threshold}"
