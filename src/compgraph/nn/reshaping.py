"""Padding, upsampling, shuffling, folding and dropout modules (PyTorch's nn.ZeroPad2d, nn.Upsample, nn.PixelShuffle, nn.Fold, nn.Dropout2d ...).

Each module keeps torch's constructor arguments as attributes (so ``extra_repr`` reads
the same) and calls the function of :mod:`compgraph.nn.functional` that torch's module
calls, so gradients come from the ops.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import functions as cg
from ..tensor import Tensor
from . import functional as F
from . import init
from .fn_args import shape_of as _shape
from .module import Module

__all__ = [
    "ConstantPad1d",
    "ConstantPad2d",
    "ConstantPad3d",
    "ZeroPad1d",
    "ZeroPad2d",
    "ZeroPad3d",
    "ReflectionPad1d",
    "ReflectionPad2d",
    "ReflectionPad3d",
    "ReplicationPad1d",
    "ReplicationPad2d",
    "ReplicationPad3d",
    "CircularPad1d",
    "CircularPad2d",
    "CircularPad3d",
    "Upsample",
    "UpsamplingNearest2d",
    "UpsamplingBilinear2d",
    "PixelShuffle",
    "PixelUnshuffle",
    "ChannelShuffle",
    "Fold",
    "Unfold",
    "Unflatten",
    "Dropout1d",
    "Dropout2d",
    "Dropout3d",
    "AlphaDropout",
    "FeatureAlphaDropout",
]


def _is_int(v: Any) -> bool:
    return isinstance(v, (int, np.integer)) and not isinstance(v, bool)


def _ndim(x: Any) -> int:
    return len(_shape(x))


# ------------------------------------------------------------------ padding
def _padding(padding: Any, n: int, where: str) -> tuple:
    """An int (the same on every side) or a sequence of (left, right, top, bottom, ...)
    amounts as a tuple, as torch's _ntuple(2n)."""
    if _is_int(padding):
        return (int(padding),) * (2 * n)
    if not isinstance(padding, (tuple, list)) or not all(_is_int(a) for a in padding):
        raise TypeError(
            f"{where}: padding must be an int or a tuple of {2 * n} ints, got {padding!r}"
        )
    if not padding or len(padding) % 2:
        raise ValueError(
            f"{where}: padding must be an int or a tuple of {2 * n} ints (left, right, ...), "
            f"got {len(padding)} amounts {tuple(padding)}"
        )
    return tuple(int(a) for a in padding)


class _PadNd(Module):
    """Pads with F.pad in ``mode``; ``n`` spatial dimensions, (C, *) or (N, C, *) input."""

    mode = "constant"
    n = 1

    def __init__(self, padding: Any) -> None:
        super().__init__()
        self.padding = _padding(padding, self.n, type(self).__name__)

    def _check_input_dim(self, x: Any) -> None:
        # torch's non-constant padding pads the last len(padding)/2 dimensions of an
        # input that has one or two more (channels, batch); anything else is an error
        k, nd = len(self.padding) // 2, _ndim(x)
        if nd not in (k + 1, k + 2):
            raise ValueError(
                f"{type(self).__name__}: {self.mode} padding {self.padding} needs a "
                f"{k + 1}-D or {k + 2}-D input, got {nd}-D input of shape {_shape(x)}"
            )

    def forward(self, x: Any) -> Tensor:
        self._check_input_dim(x)
        return F.pad(x, self.padding, self.mode)

    def extra_repr(self) -> str:
        return f"{self.padding}"


class _ConstantPadNd(_PadNd):
    def __init__(self, padding: Any, value: float) -> None:
        super().__init__(padding)
        self.value = value

    def forward(self, x: Any) -> Tensor:
        return F.pad(x, self.padding, "constant", self.value)

    def extra_repr(self) -> str:
        return f"padding={self.padding}, value={self.value}"


class ConstantPad1d(_ConstantPadNd):
    """Pad the last dimension with ``value``: ``padding`` an int or (left, right)."""

    n = 1


class ConstantPad2d(_ConstantPadNd):
    """Pad the last two dimensions with ``value``: ``padding`` an int or (left, right,
    top, bottom)."""

    n = 2


class ConstantPad3d(_ConstantPadNd):
    """Pad the last three dimensions with ``value``: ``padding`` an int or (left, right,
    top, bottom, front, back)."""

    n = 3


class ZeroPad1d(ConstantPad1d):
    """Pad the last dimension with zeros: ``padding`` an int or (left, right)."""

    def __init__(self, padding: Any) -> None:
        super().__init__(padding, 0.0)

    def extra_repr(self) -> str:
        return f"{self.padding}"


class ZeroPad2d(ConstantPad2d):
    """Pad the last two dimensions with zeros: ``padding`` an int or (left, right, top,
    bottom)."""

    def __init__(self, padding: Any) -> None:
        super().__init__(padding, 0.0)

    def extra_repr(self) -> str:
        return f"{self.padding}"


class ZeroPad3d(ConstantPad3d):
    """Pad the last three dimensions with zeros: ``padding`` an int or a 6-tuple."""

    def __init__(self, padding: Any) -> None:
        super().__init__(padding, 0.0)

    def extra_repr(self) -> str:
        return f"{self.padding}"


class ReflectionPad1d(_PadNd):
    """Pad (C, W) or (N, C, W) with the reflection of the border (not repeating it)."""

    mode, n = "reflect", 1


class ReflectionPad2d(_PadNd):
    """Pad (C, H, W) or (N, C, H, W) with the reflection of the border."""

    mode, n = "reflect", 2


class ReflectionPad3d(_PadNd):
    """Pad (C, D, H, W) or (N, C, D, H, W) with the reflection of the border."""

    mode, n = "reflect", 3


class ReplicationPad1d(_PadNd):
    """Pad (C, W) or (N, C, W) by repeating the border value."""

    mode, n = "replicate", 1


class ReplicationPad2d(_PadNd):
    """Pad (C, H, W) or (N, C, H, W) by repeating the border values."""

    mode, n = "replicate", 2


class ReplicationPad3d(_PadNd):
    """Pad (C, D, H, W) or (N, C, D, H, W) by repeating the border values."""

    mode, n = "replicate", 3


class _CircularPadNd(_PadNd):
    mode = "circular"

    def _check_input_dim(self, x: Any) -> None:
        nd = _ndim(x)
        if nd not in (self.n + 1, self.n + 2):  # torch's own check, before F.pad's
            raise ValueError(
                f"{type(self).__name__}: expected {self.n + 1}D or {self.n + 2}D input "
                f"(got {nd}D input)"
            )
        super()._check_input_dim(x)


class CircularPad1d(_CircularPadNd):
    """Pad (C, W) or (N, C, W) periodically: the end's values before the start, the
    start's after the end (negative amounts crop)."""

    n = 1


class CircularPad2d(_CircularPadNd):
    """Pad (C, H, W) or (N, C, H, W) periodically (negative amounts crop)."""

    n = 2


class CircularPad3d(_CircularPadNd):
    """Pad (C, D, H, W) or (N, C, D, H, W) periodically (negative amounts crop)."""

    n = 3


# ------------------------------------------------------------------ upsampling
class Upsample(Module):
    """Resize (N, C, ...) to ``size`` or by ``scale_factor`` with ``F.interpolate``
    (``mode`` 'nearest', 'nearest-exact', 'linear', 'bilinear', 'bicubic', 'trilinear'
    or 'area')."""

    def __init__(
        self,
        size: Any = None,
        scale_factor: Any = None,
        mode: str = "nearest",
        align_corners: bool | None = None,
        recompute_scale_factor: bool | None = None,
    ) -> None:
        super().__init__()
        self.name = type(self).__name__
        self.size = size
        if isinstance(scale_factor, tuple):
            self.scale_factor: Any = tuple(float(f) for f in scale_factor)
        else:
            self.scale_factor = float(scale_factor) if scale_factor else None
        self.mode = mode
        self.align_corners = align_corners
        self.recompute_scale_factor = recompute_scale_factor

    def forward(self, x: Any) -> Tensor:
        return F.interpolate(
            x,
            self.size,
            self.scale_factor,
            self.mode,
            self.align_corners,
            recompute_scale_factor=self.recompute_scale_factor,
        )

    def extra_repr(self) -> str:
        if self.scale_factor is not None:
            info = "scale_factor=" + repr(self.scale_factor)
        else:
            info = "size=" + repr(self.size)
        return info + ", mode=" + repr(self.mode)


class UpsamplingNearest2d(Upsample):
    """``Upsample(size, scale_factor, mode='nearest')`` for (N, C, H, W)."""

    def __init__(self, size: Any = None, scale_factor: Any = None) -> None:
        super().__init__(size, scale_factor, mode="nearest")


class UpsamplingBilinear2d(Upsample):
    """``Upsample(size, scale_factor, mode='bilinear', align_corners=True)`` for
    (N, C, H, W), as torch."""

    def __init__(self, size: Any = None, scale_factor: Any = None) -> None:
        super().__init__(size, scale_factor, mode="bilinear", align_corners=True)


# ------------------------------------------------------------------ shuffling
class PixelShuffle(Module):
    """(*, C*r*r, H, W) -> (*, C, H*r, W*r) with r = ``upscale_factor``."""

    def __init__(self, upscale_factor: int) -> None:
        super().__init__()
        self.upscale_factor = upscale_factor

    def forward(self, x: Any) -> Tensor:
        return F.pixel_shuffle(x, self.upscale_factor)

    def extra_repr(self) -> str:
        return f"upscale_factor={self.upscale_factor}"


class PixelUnshuffle(Module):
    """(*, C, H*r, W*r) -> (*, C*r*r, H, W) with r = ``downscale_factor``."""

    def __init__(self, downscale_factor: int) -> None:
        super().__init__()
        self.downscale_factor = downscale_factor

    def forward(self, x: Any) -> Tensor:
        return F.pixel_unshuffle(x, self.downscale_factor)

    def extra_repr(self) -> str:
        return f"downscale_factor={self.downscale_factor}"


class ChannelShuffle(Module):
    """Interleave ``groups`` groups of the channels of (N, C, *) (ShuffleNet's shuffle)."""

    def __init__(self, groups: int) -> None:
        super().__init__()
        self.groups = groups

    def forward(self, x: Any) -> Tensor:
        return F.channel_shuffle(x, self.groups)

    def extra_repr(self) -> str:
        return f"groups={self.groups}"


# ------------------------------------------------------------------ fold, unflatten
class Fold(Module):
    """Sum sliding blocks (N, C*kh*kw, L) or unbatched (C*kh*kw, L) into (N, C, H, W) or
    (C, H, W) with ``H, W = output_size`` (``Unfold``'s adjoint)."""

    def __init__(
        self,
        output_size: Any,
        kernel_size: Any,
        dilation: Any = 1,
        padding: Any = 0,
        stride: Any = 1,
    ) -> None:
        super().__init__()
        self.output_size = output_size
        self.kernel_size = kernel_size
        self.dilation = dilation
        self.padding = padding
        self.stride = stride

    def forward(self, x: Any) -> Tensor:
        nd = _ndim(x)
        if nd not in (2, 3):
            raise ValueError(
                f"Fold: expected a 2-D (C*kh*kw, L) or 3-D (N, C*kh*kw, L) input, got "
                f"shape {_shape(x)}"
            )
        # F.fold takes batches only: an unbatched input gets a batch of one
        xb = cg.expand_dims(x, 0) if nd == 2 else x
        y = F.fold(xb, self.output_size, self.kernel_size, self.dilation, self.padding, self.stride)
        return cg.squeeze(y, 0) if nd == 2 else y

    def extra_repr(self) -> str:
        return (
            f"output_size={self.output_size}, kernel_size={self.kernel_size}, "
            f"dilation={self.dilation}, padding={self.padding}, stride={self.stride}"
        )


class Unfold(Module):
    """Sliding blocks of (N, C, H, W) or unbatched (C, H, W) as (N, C*kh*kw, L) or
    (C*kh*kw, L)."""

    def __init__(
        self,
        kernel_size: Any,
        dilation: Any = 1,
        padding: Any = 0,
        stride: Any = 1,
    ) -> None:
        super().__init__()
        self.kernel_size = kernel_size
        self.dilation = dilation
        self.padding = padding
        self.stride = stride

    def forward(self, x: Any) -> Tensor:
        nd = _ndim(x)
        if nd not in (3, 4):
            raise ValueError(
                f"Unfold: expected a 3-D (C, H, W) or 4-D (N, C, H, W) input, got shape {_shape(x)}"
            )
        xb = cg.expand_dims(x, 0) if nd == 3 else x
        y = F.unfold(xb, self.kernel_size, self.dilation, self.padding, self.stride)
        return cg.squeeze(y, 0) if nd == 3 else y

    def extra_repr(self) -> str:
        return (
            f"kernel_size={self.kernel_size}, dilation={self.dilation}, "
            f"padding={self.padding}, stride={self.stride}"
        )


class Unflatten(Module):
    """Split dimension ``dim`` into ``unflattened_size`` (a tuple or list of ints, one
    of them may be -1): (*, S, *) -> (*, U1, ..., Un, *)."""

    def __init__(self, dim: int, unflattened_size: Any) -> None:
        super().__init__()
        if not isinstance(unflattened_size, (tuple, list)):
            raise TypeError(
                "Unflatten: unflattened_size must be a tuple of ints, but found type "
                f"{type(unflattened_size).__name__}"
            )
        for idx, elem in enumerate(unflattened_size):
            # torch's named form ((name, size), ...) belongs to named tensors, which
            # torch.nn.Unflatten no longer takes either
            if not isinstance(elem, int):
                raise TypeError(
                    "Unflatten: unflattened_size must be tuple of ints, but found element of "
                    f"type {type(elem).__name__} at pos {idx}"
                )
        self.dim = dim
        self.unflattened_size = unflattened_size

    def forward(self, x: Any) -> Tensor:
        shape = _shape(x)
        sizes = tuple(self.unflattened_size)
        if not -len(shape) <= self.dim < len(shape):
            raise ValueError(
                f"Unflatten: dim {self.dim} is out of range for an input of shape {shape}"
            )
        d = self.dim % len(shape)
        known = int(np.prod([s for s in sizes if s != -1]))
        free = sum(s == -1 for s in sizes)
        if (
            not sizes
            or free > 1
            or any(s < -1 for s in sizes)
            or (free == 0 and known != shape[d])
            or (free == 1 and (known == 0 or shape[d] % known))
        ):
            raise ValueError(
                f"Unflatten: unflattened_size {sizes} doesn't multiply up to the size "
                f"{shape[d]} of dim {self.dim} of the input of shape {shape}"
            )
        if free:
            sizes = tuple(shape[d] // known if s == -1 else s for s in sizes)
        return cg.reshape(x, shape[:d] + sizes + shape[d + 1 :])

    def extra_repr(self) -> str:
        return f"dim={self.dim}, unflattened_size={self.unflattened_size}"


# ------------------------------------------------------------------ dropout
class _DropoutNd(Module):
    """p, inplace (accepted and ignored: the result is a new tensor) and seed (a seed or
    NumPy Generator for the masks; None: the process's generator at each call, which
    ``cg.manual_seed`` seeds); the identity in eval mode."""

    fn: Any = None

    def __init__(self, p: float = 0.5, inplace: bool = False, seed: Any = None) -> None:
        super().__init__()
        if not 0 <= p <= 1:
            raise ValueError(
                f"{type(self).__name__}: dropout probability has to be between 0 and 1, but got {p}"
            )
        self.p = p
        self.inplace = inplace
        self._rng = None if seed is None else init.rng_of(seed)

    def forward(self, x: Any) -> Tensor:
        y = type(self).fn(x, self.p, self.training, generator=self._rng)
        # F returns its input itself when nothing is dropped: a module gives a Tensor
        return y if isinstance(y, Tensor) else cg.asarray(y)

    def extra_repr(self) -> str:
        return f"p={self.p}, inplace={self.inplace}"


class Dropout1d(_DropoutNd):
    """Zero whole channels of (N, C, L) or (C, L) with probability ``p`` in training,
    scaling the rest by 1/(1-p)."""

    fn = staticmethod(F.dropout1d)


class Dropout2d(_DropoutNd):
    """Zero whole channels of (N, C, H, W) or (C, H, W) with probability ``p`` in
    training, scaling the rest by 1/(1-p).

    Differs from torch for 3-D input: compgraph's ``F.dropout2d`` reads it as an
    unbatched (C, H, W) (the documented shape); torch, for now, as (N, C, L) with a
    warning."""

    fn = staticmethod(F.dropout2d)


class Dropout3d(_DropoutNd):
    """Zero whole channels of (N, C, D, H, W) or (C, D, H, W) with probability ``p`` in
    training, scaling the rest by 1/(1-p)."""

    fn = staticmethod(F.dropout3d)


class AlphaDropout(_DropoutNd):
    """Alpha dropout for SELU networks: dropped entries take SELU's negative saturation
    and an affine map keeps mean and variance; the identity in eval mode."""

    fn = staticmethod(F.alpha_dropout)


class FeatureAlphaDropout(_DropoutNd):
    """Alpha dropout of whole channels of (N, C, ...); the identity in eval mode."""

    fn = staticmethod(F.feature_alpha_dropout)
