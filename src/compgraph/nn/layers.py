"""Layers: Linear, Dropout, BatchNorm1d, Flatten and activation modules.

Every layer is written with the ``cg.*`` functions, so its gradients come from
the ops' rules (and gradcheck / torch tests verify them).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .. import functions as F
from ..ops.conv import IM2COL, out_size
from ..tensor import Tensor
from . import init
from .module import Module, Parameter

__all__ = [
    "Linear",
    "Conv2d",
    "MaxPool2d",
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


class Conv2d(Module):
    """2-D convolution (cross-correlation, as PyTorch) over (N, C, H, W) or (C, H, W).

    ``kernel_size``, ``stride``, ``padding`` (or ``'same'`` / ``'valid'``) and
    ``dilation`` take an int or an (h, w) pair; ``groups`` splits the channels into
    independent convolutions.  Weight (out, in / groups, kh, kw), bias (out,); each
    group is ``im2col`` (patches as rows) times its flattened weight: one product.
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
        dtype: Any = "float64",
        seed: Any = None,
    ):
        super().__init__()
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
        if padding == "valid":
            self._pad = (0, 0)
        elif padding == "same":  # torch: stride 1; symmetric padding needs odd extents
            extents = [d * (k - 1) for k, d in zip(self.kernel_size, self.dilation)]
            if self.stride != (1, 1) or any(e % 2 for e in extents):
                raise ValueError(
                    f"Conv2d: padding='same' needs stride 1 and odd kernel "
                    f"extents here, got stride {self.stride}, kernel "
                    f"{self.kernel_size}, dilation {self.dilation}"
                )
            self._pad = (extents[0] // 2, extents[1] // 2)
        else:
            self._pad = _pair(padding, "Conv2d padding", low=0)
        self.padding = padding if isinstance(padding, str) else self._pad  # (as torch)
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
        shape = x.shape
        if len(shape) == 3 and shape[0] == self.in_channels:  # unbatched (C, H, W), as torch
            return F.squeeze(self.forward(F.expand_dims(x, 0)), 0)
        if len(shape) != 4 or shape[1] != self.in_channels:
            raise ValueError(
                f"Conv2d: expected input of shape (N, {self.in_channels}, H, W) "
                f"or ({self.in_channels}, H, W), got {tuple(shape)}"
            )
        n, _, h, w = shape
        (kh, kw), s, p, d = self.kernel_size, self.stride, self._pad, self.dilation
        oh, ow = out_size(h, kh, s[0], p[0], d[0]), out_size(w, kw, s[1], p[1], d[1])
        if oh < 1 or ow < 1:
            raise ValueError(
                f"Conv2d: kernel {self.kernel_size} (dilation {d}) does not fit "
                f"input {tuple(shape)} with padding {p}"
            )
        attrs = {"kh": kh, "kw": kw, "stride": s, "pad": p, "dilation": d}
        g, cin, cout = (
            self.groups,
            self.in_channels // self.groups,
            self.out_channels // self.groups,
        )
        wmat = F.reshape(self.weight, (self.out_channels, -1))
        if g == 1:
            y = F.matmul(F.im2col(x, **attrs), wmat.T)
        else:
            parts = [
                F.matmul(
                    F.im2col(x[:, k * cin : (k + 1) * cin], **attrs),
                    wmat[k * cout : (k + 1) * cout].T,
                )
                for k in range(g)
            ]
            y = F.concatenate(parts, axis=1)
        if self.bias is not None:
            y = y + self.bias
        return F.transpose(F.reshape(y, (n, oh, ow, self.out_channels)), (0, 3, 1, 2))

    def extra_repr(self) -> str:
        extra = "".join(
            f", {k}={v}"
            for k, v, default in (("dilation", self.dilation, (1, 1)), ("groups", self.groups, 1))
            if v != default
        )
        return (
            f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, "
            f"stride={self.stride}, padding={self.padding}{extra}"
            f"{'' if self.bias is not None else ', bias=False'}"
        )


class MaxPool2d(Module):
    """Max over kh x kw windows of (N, C, H, W) or (C, H, W) inputs (stride defaults to
    the window); ints or (h, w) pairs.

    ``padding`` pads each side with -inf, as PyTorch does (at most half the window).
    The gradient goes to the first maximum of each window, as in torch.
    """

    def __init__(self, kernel_size: Any, stride: Any = None, padding: Any = 0):
        super().__init__()
        self.kernel_size = kernel_size
        self.stride = kernel_size if stride is None else stride
        self.padding = padding
        self._k = _pair(kernel_size, "MaxPool2d kernel_size")
        self._s = _pair(self.stride, "MaxPool2d stride")
        self._p = _pair(padding, "MaxPool2d padding", low=0)
        if any(not 0 <= p <= k // 2 for p, k in zip(self._p, self._k)):
            raise ValueError(
                f"MaxPool2d: padding must be between 0 and half the window "
                f"({self._k[0] // 2}, {self._k[1] // 2}), got {padding}"
            )

    def forward(self, x: Any) -> Tensor:
        shape = x.shape
        if len(shape) == 3:  # unbatched (C, H, W), as torch
            return F.squeeze(self.forward(F.expand_dims(x, 0)), 0)
        if len(shape) != 4:
            raise ValueError(f"MaxPool2d: expected (N, C, H, W) or (C, H, W), got {tuple(shape)}")
        (kh, kw), (sh, sw), (ph, pw) = self._k, self._s, self._p
        if ph or pw:
            x = _pad_with(x, ph, pw, -np.inf)
            shape = x.shape
        n, c, h, w = shape
        oh, ow = out_size(h, kh, sh, 0), out_size(w, kw, sw, 0)
        if oh < 1 or ow < 1:
            raise ValueError(
                f"MaxPool2d: window {self.kernel_size} does not fit input {tuple(shape)}"
            )
        if (sh, sw) == (kh, kw) and h % kh == 0 and w % kw == 0:
            # Non-overlapping windows: a reshape and a transpose, no patch copy.
            y = F.reshape(x, (n, c, h // kh, kh, w // kw, kw))
            y = F.reshape(F.transpose(y, (0, 1, 2, 4, 3, 5)), (n, c, h // kh, w // kw, kh * kw))
            return _first_max(y, 4)
        planes = F.reshape(x, (n * c, 1, h, w))
        cols = F.im2col(planes, **{"kh": kh, "kw": kw, "stride": (sh, sw), "pad": 0})
        return F.reshape(_first_max(cols, 1), (n, c, oh, ow))

    def extra_repr(self) -> str:
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


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
        if ceil_mode:
            raise ValueError("AvgPool2d: ceil_mode=True is not supported")
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
        shape = x.shape
        if len(shape) == 3:  # unbatched (C, H, W), as torch
            return F.squeeze(self.forward(F.expand_dims(x, 0)), 0)
        if len(shape) != 4:
            raise ValueError(f"AvgPool2d: expected (N, C, H, W) or (C, H, W), got {tuple(shape)}")
        n, c, h, w = shape
        (kh, kw), s, p = self._k, self._s, self._p
        oh, ow = out_size(h, kh, s[0], p[0]), out_size(w, kw, s[1], p[1])
        if oh < 1 or ow < 1:
            raise ValueError(
                f"AvgPool2d: window {self.kernel_size} does not fit input {tuple(shape)}"
            )
        attrs = {"kh": kh, "kw": kw, "stride": s, "pad": p}
        cols = F.im2col(F.reshape(x, (n * c, 1, h, w)), **attrs)
        total = F.reshape(F.sum(cols, axis=1), (n, c, oh, ow))
        if self.divisor_override is not None:
            return total * (1.0 / self.divisor_override)
        if self.count_include_pad or p == (0, 0):
            return total * (1.0 / (kh * kw))
        ones = np.ones((1, 1, h, w))
        counts = IM2COL.forward(ones, **attrs).sum(axis=1).reshape(oh, ow)
        return total / counts.astype(total.dtype)

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
        shape = x.shape
        if len(shape) == 3:
            return F.squeeze(self.forward(F.expand_dims(x, 0)), 0)
        if len(shape) != 4:
            raise ValueError(
                f"AdaptiveAvgPool2d: expected (N, C, H, W) or (C, H, W), got {tuple(shape)}"
            )
        n, c, h, w = shape
        size = self.output_size
        oh, ow = size if isinstance(size, (tuple, list)) else (size, size)
        oh, ow = h if oh is None else int(oh), w if ow is None else int(ow)
        if oh < 1 or ow < 1:
            raise ValueError(f"AdaptiveAvgPool2d: output_size must be positive, got {size}")
        if h % oh == 0 and w % ow == 0:  # equal windows: one reshape and one mean
            return F.mean(F.reshape(x, (n, c, oh, h // oh, ow, w // ow)), axis=(3, 5))
        rows = []
        for i in range(oh):
            r0, r1 = (i * h) // oh, -((-(i + 1) * h) // oh)
            cells = [
                F.mean(x[:, :, r0:r1, (j * w) // ow : -((-(j + 1) * w) // ow)], axis=(2, 3))
                for j in range(ow)
            ]
            rows.append(F.stack(cells, axis=-1))
        return F.stack(rows, axis=2)

    def extra_repr(self) -> str:
        return f"output_size={self.output_size}"


def _first_max(x: Any, axis: int) -> Tensor:
    """Max along ``axis`` whose gradient goes to the first maximal entry only, as
    PyTorch's max pooling (a plain max splits it among ties); NaN wins, as there."""
    size = x.shape[axis]
    idx = F.argmax(x, axis=axis, keepdims=True)
    slots = np.arange(size).reshape((size,) + (1,) * (len(x.shape) - 1 - axis % len(x.shape)))
    return F.sum(F.where(F.equal(idx, slots), x, 0), axis=axis)


def _pad_with(x: Any, ph: int, pw: int, value: float) -> Tensor:
    """``x`` (N, C, H, W) with ``ph`` rows and ``pw`` columns of ``value`` on each side."""
    n, c, h, w = x.shape
    dtype = x.dtype if isinstance(x, Tensor) else np.result_type(x, np.float64)
    if pw:
        side = np.full((n, c, h, pw), value, dtype)
        x = F.concatenate([side, x, side], axis=3)
    if ph:
        band = np.full((n, c, ph, w + 2 * pw), value, dtype)
        x = F.concatenate([band, x, band], axis=2)
    return x


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

    def __init__(
        self,
        num_features: int,
        eps: float = 1e-5,
        momentum: float | None = 0.1,
        affine: bool = True,
        track_running_stats: bool = True,
        dtype: Any = "float64",
    ):
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
            raise ValueError(
                f"BatchNorm1d: expected input of shape (N, {self.num_features}) or "
                f"(N, {self.num_features}, L), got {shape}"
            )
        axes = (0,) if len(shape) == 2 else (0, 2)
        # Per-channel vectors broadcast against (N, C) or (N, C, L).
        view = (lambda v: v) if len(shape) == 2 else (lambda v: F.reshape(v, (-1, 1)))
        if self.training or not self.track_running_stats:
            count = int(np.prod([shape[a] for a in axes]))
            if self.training and count < 2:
                raise ValueError(
                    f"BatchNorm1d: training needs more than one value per "
                    f"channel, got input of shape {shape}"
                )
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
        return (
            f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, "
            f"affine={self.weight is not None}, "
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
        n, c, h, w = shape
        if self.training and n * h * w < 2:
            raise ValueError(
                f"BatchNorm2d: training needs more than one value per channel, "
                f"got input of shape {shape}"
            )
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
            raise ValueError(
                f"Flatten: start_dim {self.start_dim} comes after end_dim "
                f"{self.end_dim} for a shape of {nd} axes"
            )
        if nd == 0:
            return F.reshape(x, (1,))
        return F.reshape(x, shape[:lo] + (-1,) + shape[hi + 1 :])

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
