"""More pooling modules (PyTorch's nn.MaxPool1d/3d, nn.AvgPool1d/3d, adaptive and LP pooling).

Each stores its arguments as torch's does (so ``repr`` and ``extra_repr`` read the
same) and calls the ``F`` function torch's module calls; the gradients come from there.
nn.MaxPool2d, nn.AvgPool2d and nn.AdaptiveAvgPool2d live in ``layers.py``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from . import functional as F
from .module import Module
from .pool_fns import _ints as _check

__all__ = [
    "MaxPool1d",
    "MaxPool3d",
    "AvgPool1d",
    "AvgPool3d",
    "AdaptiveAvgPool1d",
    "AdaptiveAvgPool3d",
    "AdaptiveMaxPool1d",
    "AdaptiveMaxPool2d",
    "AdaptiveMaxPool3d",
    "LPPool1d",
    "LPPool2d",
    "LPPool3d",
    "FractionalMaxPool2d",
    "FractionalMaxPool3d",
]


def _single(v: Any) -> tuple:
    """torch's ``_single``: a sequence as a tuple, anything else as a 1-tuple."""
    return tuple(v) if isinstance(v, (tuple, list)) else (v,)


def _window_args(name: str, nd: int, kernel_size: Any, stride: Any, padding: Any) -> None:
    k = _check(kernel_size, nd, f"{name} kernel_size", 1)
    if stride is not None:
        _check(stride, nd, f"{name} stride", 1)
    p = _check(padding, nd, f"{name} padding", 0)
    if any(q > kk // 2 for q, kk in zip(p, k)):
        raise ValueError(
            f"{name}: padding {padding} must be at most half the kernel size {kernel_size}"
        )


# ------------------------------------------------------------------ max pooling
class _MaxPoolNd(Module):
    """Torch's _MaxPoolNd: the arguments as given, ``stride`` defaulting to the window."""

    _nd = 0

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
        name = type(self).__name__
        _window_args(name, self._nd, kernel_size, stride, padding)
        _check(dilation, self._nd, f"{name} dilation", 1)
        self.kernel_size = kernel_size
        self.stride = stride if stride is not None else kernel_size
        self.padding = padding
        self.dilation = dilation
        self.return_indices = return_indices
        self.ceil_mode = ceil_mode

    def extra_repr(self) -> str:
        return (
            f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}, "
            f"dilation={self.dilation}, ceil_mode={self.ceil_mode}"
        )


class MaxPool1d(_MaxPoolNd):
    """Max over windows of (N, C, L) or (C, L) inputs, as ``nn.MaxPool1d``: ``stride``
    defaults to the window; ``padding`` (-inf, at most half the window), ``dilation``,
    ``ceil_mode``; with ``return_indices`` also the index of each maximum
    (:func:`functional.max_pool1d`)."""

    _nd = 1

    def forward(self, input: Any) -> Any:  # noqa: A002 (PyTorch's name)
        return F.max_pool1d(
            input,
            self.kernel_size,
            self.stride,
            self.padding,
            self.dilation,
            ceil_mode=self.ceil_mode,
            return_indices=self.return_indices,
        )


class MaxPool3d(_MaxPoolNd):
    """Max over windows of (N, C, D, H, W) or (C, D, H, W) inputs, as ``nn.MaxPool3d``
    (:func:`functional.max_pool3d`); with ``return_indices`` also the flat D*H*W index
    of each maximum."""

    _nd = 3

    def forward(self, input: Any) -> Any:  # noqa: A002 (PyTorch's name)
        return F.max_pool3d(
            input,
            self.kernel_size,
            self.stride,
            self.padding,
            self.dilation,
            ceil_mode=self.ceil_mode,
            return_indices=self.return_indices,
        )


# ------------------------------------------------------------------ average pooling
class AvgPool1d(Module):
    """Mean over windows of (N, C, L) or (C, L) inputs, as ``nn.AvgPool1d``: zero
    ``padding`` counted unless ``count_include_pad=False``; ``kernel_size``, ``stride``
    and ``padding`` stored as 1-tuples, as torch's."""

    def __init__(
        self,
        kernel_size: Any,
        stride: Any = None,
        padding: Any = 0,
        ceil_mode: bool = False,
        count_include_pad: bool = True,
    ):
        super().__init__()
        _window_args("AvgPool1d", 1, kernel_size, stride, padding)
        self.kernel_size = _single(kernel_size)
        self.stride = _single(stride if stride is not None else kernel_size)
        self.padding = _single(padding)
        self.ceil_mode = ceil_mode
        self.count_include_pad = count_include_pad

    def forward(self, input: Any) -> Any:  # noqa: A002 (PyTorch's name)
        return F.avg_pool1d(
            input,
            self.kernel_size,
            self.stride,
            self.padding,
            self.ceil_mode,
            self.count_include_pad,
        )

    def extra_repr(self) -> str:
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class AvgPool3d(Module):
    """Mean over windows of (N, C, D, H, W) or (C, D, H, W) inputs, as ``nn.AvgPool3d``:
    zero ``padding`` counted unless ``count_include_pad=False``, or a fixed
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
        _window_args("AvgPool3d", 3, kernel_size, stride, padding)
        if divisor_override is not None and (
            not isinstance(divisor_override, (int, np.integer)) or divisor_override <= 0
        ):
            raise ValueError(
                f"AvgPool3d: divisor_override must be a positive int, got {divisor_override!r}"
            )
        self.kernel_size = kernel_size
        self.stride = stride if stride is not None else kernel_size
        self.padding = padding
        self.ceil_mode = ceil_mode
        self.count_include_pad = count_include_pad
        self.divisor_override = divisor_override

    def forward(self, input: Any) -> Any:  # noqa: A002 (PyTorch's name)
        return F.avg_pool3d(
            input,
            self.kernel_size,
            self.stride,
            self.padding,
            self.ceil_mode,
            self.count_include_pad,
            self.divisor_override,
        )

    def extra_repr(self) -> str:
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


# ------------------------------------------------------------------ adaptive pooling
class _AdaptiveAvgPoolNd(Module):
    """Torch's _AdaptiveAvgPoolNd: ``output_size`` as given (``None`` keeps a size)."""

    def __init__(self, output_size: Any):
        super().__init__()
        self.output_size = output_size

    def extra_repr(self) -> str:
        return f"output_size={self.output_size}"


class AdaptiveAvgPool1d(_AdaptiveAvgPoolNd):
    """Mean over the windows cutting (N, C, L) or (C, L) into ``output_size`` cells, as
    ``nn.AdaptiveAvgPool1d`` (cell i spans ``floor(i*L/o)`` to ``ceil((i+1)*L/o)``)."""

    def forward(self, input: Any) -> Any:  # noqa: A002 (PyTorch's name)
        return F.adaptive_avg_pool1d(input, self.output_size)


class AdaptiveAvgPool3d(_AdaptiveAvgPoolNd):
    """Mean over the windows cutting (N, C, D, H, W) or (C, D, H, W) into
    ``output_size`` cells, as ``nn.AdaptiveAvgPool3d``."""

    def forward(self, input: Any) -> Any:  # noqa: A002 (PyTorch's name)
        return F.adaptive_avg_pool3d(input, self.output_size)


class _AdaptiveMaxPoolNd(Module):
    """Torch's _AdaptiveMaxPoolNd: ``output_size`` as given, ``return_indices``."""

    def __init__(self, output_size: Any, return_indices: bool = False):
        super().__init__()
        self.output_size = output_size
        self.return_indices = return_indices

    def extra_repr(self) -> str:
        return f"output_size={self.output_size}"


class AdaptiveMaxPool1d(_AdaptiveMaxPoolNd):
    """Max over the windows cutting (N, C, L) or (C, L) into ``output_size`` cells, as
    ``nn.AdaptiveMaxPool1d``; with ``return_indices`` also the index of each maximum."""

    def forward(self, input: Any) -> Any:  # noqa: A002 (PyTorch's name)
        return F.adaptive_max_pool1d(input, self.output_size, self.return_indices)


class AdaptiveMaxPool2d(_AdaptiveMaxPoolNd):
    """Max over the windows cutting (N, C, H, W) or (C, H, W) into ``output_size`` cells
    (``None`` keeps a size), as ``nn.AdaptiveMaxPool2d``; with ``return_indices`` also
    the flat H*W index of each maximum."""

    def forward(self, input: Any) -> Any:  # noqa: A002 (PyTorch's name)
        return F.adaptive_max_pool2d(input, self.output_size, self.return_indices)


class AdaptiveMaxPool3d(_AdaptiveMaxPoolNd):
    """Max over the windows cutting (N, C, D, H, W) or (C, D, H, W) into
    ``output_size`` cells, as ``nn.AdaptiveMaxPool3d``; with ``return_indices`` also
    the flat D*H*W index of each maximum."""

    def forward(self, input: Any) -> Any:  # noqa: A002 (PyTorch's name)
        return F.adaptive_max_pool3d(input, self.output_size, self.return_indices)


# ------------------------------------------------------------------ power-average pooling
class _LPPoolNd(Module):
    """Torch's _LPPoolNd: ``norm_type``, ``kernel_size``, ``stride`` (None: the window)
    and ``ceil_mode`` as given."""

    _nd = 0

    def __init__(
        self,
        norm_type: float,
        kernel_size: Any,
        stride: Any = None,
        ceil_mode: bool = False,
    ):
        super().__init__()
        name = type(self).__name__
        _window_args(name, self._nd, kernel_size, stride, 0)
        self.norm_type = norm_type
        self.kernel_size = kernel_size
        self.stride = stride
        self.ceil_mode = ceil_mode

    def extra_repr(self) -> str:
        return (
            f"norm_type={self.norm_type}, kernel_size={self.kernel_size}, "
            f"stride={self.stride}, ceil_mode={self.ceil_mode}"
        )


class LPPool1d(_LPPoolNd):
    """Power-average pooling ``(sum over the window of x^p)^(1/p)`` of (N, C, L) or
    (C, L) inputs, as ``nn.LPPool1d`` (``p = inf``: the maximum of ``|x|``)."""

    _nd = 1

    def forward(self, input: Any) -> Any:  # noqa: A002 (PyTorch's name)
        return F.lp_pool1d(
            input, float(self.norm_type), self.kernel_size, self.stride, self.ceil_mode
        )


class LPPool2d(_LPPoolNd):
    """Power-average pooling of (N, C, H, W) or (C, H, W) inputs, as ``nn.LPPool2d``."""

    _nd = 2

    def forward(self, input: Any) -> Any:  # noqa: A002 (PyTorch's name)
        return F.lp_pool2d(
            input, float(self.norm_type), self.kernel_size, self.stride, self.ceil_mode
        )


class LPPool3d(_LPPoolNd):
    """Power-average pooling of (N, C, D, H, W) or (C, D, H, W) inputs, as
    ``nn.LPPool3d``."""

    _nd = 3

    def forward(self, input: Any) -> Any:  # noqa: A002 (PyTorch's name)
        return F.lp_pool3d(
            input, float(self.norm_type), self.kernel_size, self.stride, self.ceil_mode
        )


# ------------------------------------------------------------------ fractional max pooling
class _FractionalMaxPoolNd(Module):
    """Torch's FractionalMaxPool2d/3d arguments: ``kernel_size`` and ``output_size`` or
    ``output_ratio`` (in (0, 1)) as n-tuples, and the ``_random_samples`` buffer (None:
    fresh samples from compgraph's generator at each call, not torch's sequence)."""

    _nd = 0

    def __init__(
        self,
        kernel_size: Any,
        output_size: Any = None,
        output_ratio: Any = None,
        return_indices: bool = False,
        _random_samples: Any = None,
    ):
        super().__init__()
        name, nd = type(self).__name__, self._nd
        self.kernel_size = _check(kernel_size, nd, f"{name} kernel_size", 1)
        self.return_indices = return_indices
        self.register_buffer("_random_samples", _random_samples)
        self.output_size = (
            None if output_size is None else _check(output_size, nd, f"{name} output_size", 1)
        )
        ratio = None
        if output_ratio is not None:
            ratio = (
                tuple(output_ratio) if isinstance(output_ratio, (tuple, list)) else (output_ratio,)
            )
            ratio = ratio * nd if len(ratio) == 1 else ratio
        self.output_ratio = ratio
        if output_size is None and output_ratio is None:
            raise ValueError(
                f"{name} requires specifying either an output size, or a pooling ratio"
            )
        if output_size is not None and output_ratio is not None:
            raise ValueError(f"{name}: only one of output_size and output_ratio may be specified")
        if ratio is not None and (len(ratio) != nd or not all(0 < r < 1 for r in ratio)):
            raise ValueError(
                f"{name}: output_ratio must be {nd} numbers between 0 and 1 (got {output_ratio})"
            )


class FractionalMaxPool2d(_FractionalMaxPoolNd):
    """Max over kH x kW windows of (N, C, H, W) or (C, H, W) inputs placed at
    pseudo-random steps, as ``nn.FractionalMaxPool2d`` (Graham's fractional max
    pooling); ``_random_samples`` (N, C, 2) in [0, 1) fixes the windows, the same ones
    as torch's (:func:`functional.fractional_max_pool2d`)."""

    _nd = 2

    def forward(self, input: Any) -> Any:  # noqa: A002 (PyTorch's name)
        return F.fractional_max_pool2d(
            input,
            self.kernel_size,
            self.output_size,
            self.output_ratio,
            self.return_indices,
            _random_samples=self._random_samples,
        )


class FractionalMaxPool3d(_FractionalMaxPoolNd):
    """Max over kT x kH x kW windows of (N, C, T, H, W) or (C, T, H, W) inputs placed at
    pseudo-random steps, as ``nn.FractionalMaxPool3d``; ``_random_samples`` (N, C, 3)."""

    _nd = 3

    def forward(self, input: Any) -> Any:  # noqa: A002 (PyTorch's name)
        return F.fractional_max_pool3d(
            input,
            self.kernel_size,
            self.output_size,
            self.output_ratio,
            self.return_indices,
            _random_samples=self._random_samples,
        )
