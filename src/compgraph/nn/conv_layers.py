"""Convolutions as PyTorch's: Conv3d, ConvTranspose1d and ConvTranspose3d (padding modes,
``'same'``/``'valid'``, ``output_size``), with torch's constructor arguments, parameter
names and ``extra_repr``; compgraph's ``dtype`` and ``seed`` replace ``device``/``dtype``.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..tensor import Tensor
from . import functional as F
from . import init
from .functional import _shape
from .module import Module, Parameter

__all__ = [
    "Conv3d",
    "ConvTranspose1d",
    "ConvTranspose3d",
]


def _tuple(v: Any, n: int, what: str, low: int) -> tuple:
    vals = tuple(v) if isinstance(v, (tuple, list)) else (v,) * n
    if len(vals) != n or not all(
        isinstance(a, (int, np.integer)) and not isinstance(a, bool) for a in vals
    ):
        raise TypeError(f"{what}: expected an int or {n} ints, got {v!r}")
    if min(vals) < low:
        raise ValueError(f"{what}: must be >= {low}, got {v!r}")
    return tuple(int(a) for a in vals)


class _ConvNd(Module):
    """torch's ``_ConvNd``: checks, attributes, weight (out, in/groups, *k) or, when
    ``transposed``, (in, out/groups, *k), both drawn like torch's ``reset_parameters``
    (U(-1/sqrt(fan_in), 1/sqrt(fan_in)), fan_in from the weight's dims 1 and on)."""

    _n = 0  # spatial dims

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: Any,
        stride: Any,
        padding: Any,
        dilation: Any,
        transposed: bool,
        output_padding: Any,
        groups: int,
        bias: bool,
        padding_mode: str,
        dtype: Any,
        seed: Any,
    ):
        super().__init__()
        name, n = type(self).__name__, self._n
        in_channels, out_channels, groups = int(in_channels), int(out_channels), int(groups)
        if groups <= 0:
            raise ValueError(f"{name}: groups must be a positive integer, got {groups}")
        if in_channels % groups:
            raise ValueError(
                f"{name}: in_channels {in_channels} must be divisible by groups {groups}"
            )
        if out_channels % groups:
            raise ValueError(
                f"{name}: out_channels {out_channels} must be divisible by groups {groups}"
            )
        k = _tuple(kernel_size, n, f"{name} kernel_size", 1)
        st = _tuple(stride, n, f"{name} stride", 1)
        dl = _tuple(dilation, n, f"{name} dilation", 1)
        if isinstance(padding, str):
            if padding not in ("same", "valid"):
                raise ValueError(
                    f"{name}: invalid padding string {padding!r}, should be one of "
                    f"{{'same', 'valid'}}"
                )
            if padding == "same" and any(s != 1 for s in st):
                raise ValueError(
                    f"{name}: padding='same' is not supported for strided convolutions"
                )
            pad: Any = padding
            # torch: the total d*(k-1) split with the odd one after, last dim first
            twice = [0, 0] * n
            if padding == "same":
                for i, (d, kk) in enumerate(zip(reversed(dl), reversed(k))):
                    total = d * (kk - 1)
                    twice[2 * i], twice[2 * i + 1] = total // 2, total - total // 2
        else:
            pad = _tuple(padding, n, f"{name} padding", 0)
            twice = [p for p in reversed(pad) for _ in range(2)]
        if padding_mode not in ("zeros", "reflect", "replicate", "circular"):
            raise ValueError(
                f"{name}: padding_mode must be one of {{'zeros', 'reflect', 'replicate', "
                f"'circular'}}, but got padding_mode={padding_mode!r}"
            )
        self.in_channels, self.out_channels = in_channels, out_channels
        self.kernel_size, self.stride, self.padding, self.dilation = k, st, pad, dl
        self.transposed = bool(transposed)
        self.output_padding = _tuple(output_padding, n, f"{name} output_padding", 0)
        self.groups, self.padding_mode = groups, padding_mode
        self._reversed_padding_repeated_twice = twice
        if transposed:
            wshape = (in_channels, out_channels // groups, *k)
        else:
            wshape = (out_channels, in_channels // groups, *k)
        rng = init.rng_of(seed)
        fan_in = int(np.prod(wshape[1:]))
        bound = 1.0 / math.sqrt(fan_in) if fan_in else 0.0
        self.weight = Parameter(np.empty(wshape, dtype))
        init.uniform_(self.weight, -bound, bound, rng)
        self.bias = None
        if bias:
            self.bias = Parameter(np.empty(out_channels, dtype))
            init.uniform_(self.bias, -bound, bound, rng)

    def extra_repr(self) -> str:
        n = self._n
        s = (
            f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, "
            f"stride={self.stride}"
        )
        if self.padding != (0,) * n:
            s += f", padding={self.padding}"
        if self.dilation != (1,) * n:
            s += f", dilation={self.dilation}"
        if self.output_padding != (0,) * n:
            s += f", output_padding={self.output_padding}"
        if self.groups != 1:
            s += f", groups={self.groups}"
        if self.bias is None:
            s += ", bias=False"
        if self.padding_mode != "zeros":
            s += f", padding_mode={self.padding_mode}"
        return s


class Conv3d(_ConvNd):
    """3-D convolution (cross-correlation) over (N, C, D, H, W) or (C, D, H, W), as
    ``torch.nn.Conv3d``: ``padding`` ints, a triple, ``'same'`` or ``'valid'``;
    ``padding_mode`` ``'zeros'``, ``'reflect'``, ``'replicate'`` or ``'circular'``
    (the input padded with ``F.pad`` first, as torch).

    >>> import compgraph as cg
    >>> conv = cg.nn.Conv3d(2, 4, 3, padding=1, seed=0)
    >>> conv(cg.ones((1, 2, 5, 5, 5))).shape, conv.weight.shape
    ((1, 4, 5, 5, 5), (4, 2, 3, 3, 3))
    """

    _n = 3

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
        super().__init__(
            in_channels, out_channels, kernel_size, stride, padding, dilation, False, 0,
            groups, bias, padding_mode, dtype, seed,
        )  # fmt: skip

    def forward(self, input: Any) -> Tensor:  # noqa: A002 (PyTorch's name)
        if self.padding_mode != "zeros":
            x = F.pad(input, self._reversed_padding_repeated_twice, mode=self.padding_mode)
            return F.conv3d(x, self.weight, self.bias, self.stride, 0, self.dilation, self.groups)
        return F.conv3d(
            input, self.weight, self.bias, self.stride, self.padding, self.dilation, self.groups
        )


class _ConvTransposeNd(_ConvNd):
    """torch's ``_ConvTransposeNd``: only zero padding, and ``output_size`` in forward
    chooses the ``output_padding``."""

    def __init__(self, *args: Any) -> None:
        if args[10] != "zeros":
            raise ValueError(f'Only "zeros" padding mode is supported for {type(self).__name__}')
        if isinstance(args[4], str):
            raise ValueError(
                f"{type(self).__name__}: padding must be ints, got {args[4]!r} (torch "
                "accepts no padding strings for transposed convolutions)"
            )
        super().__init__(*args)

    def _output_padding(self, input: Any, output_size: Any) -> tuple:
        if output_size is None:
            return self.output_padding
        n, shape = self._n, _shape(input)
        non_spatial = 2 if len(shape) == n + 2 else 1
        size = [int(s) for s in output_size]
        if len(size) == non_spatial + n:
            size = size[non_spatial:]
        if len(size) != n:
            raise ValueError(
                f"ConvTranspose{n}D: for {len(shape)}D input, output_size must have {n} or "
                f"{non_spatial + n} elements (got {len(size)})"
            )
        mins = [
            (shape[non_spatial + d] - 1) * self.stride[d]
            - 2 * self.padding[d]
            + self.dilation[d] * (self.kernel_size[d] - 1)
            + 1
            for d in range(n)
        ]
        maxs = [m + s - 1 for m, s in zip(mins, self.stride)]
        if any(not lo <= s <= hi for s, lo, hi in zip(size, mins, maxs)):
            raise ValueError(
                f"{type(self).__name__}: requested an output size of {size}, but valid sizes "
                f"range from {mins} to {maxs} (for an input of {shape[non_spatial:]})"
            )
        return tuple(s - m for s, m in zip(size, mins))


class ConvTranspose1d(_ConvTransposeNd):
    """Transposed 1-D convolution of (N, C_in, L) or (C_in, L), as
    ``torch.nn.ConvTranspose1d``: weight (in_channels, out_channels / groups, k).

    >>> import compgraph as cg
    >>> up = cg.nn.ConvTranspose1d(3, 2, 2, stride=2, seed=0)
    >>> up(cg.ones((1, 3, 4))).shape, up.weight.shape
    ((1, 2, 8), (3, 2, 2))
    """

    _n = 1

    def __init__(
        self,
        in_channels: int,
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
        super().__init__(
            in_channels, out_channels, kernel_size, stride, padding, dilation, True,
            output_padding, groups, bias, padding_mode, dtype, seed,
        )  # fmt: skip

    def forward(self, input: Any, output_size: Any = None) -> Tensor:  # noqa: A002
        op = self._output_padding(input, output_size)
        return F.conv_transpose1d(
            input, self.weight, self.bias, self.stride, self.padding, op, self.groups,
            self.dilation,
        )  # fmt: skip


class ConvTranspose3d(_ConvTransposeNd):
    """Transposed 3-D convolution of (N, C_in, D, H, W) or (C_in, D, H, W), as
    ``torch.nn.ConvTranspose3d`` (``F.conv_transpose3d``): weight
    (in_channels, out_channels / groups, kd, kh, kw).

    >>> import compgraph as cg
    >>> up = cg.nn.ConvTranspose3d(3, 2, 2, stride=2, seed=0)
    >>> up(cg.ones((1, 3, 2, 2, 2))).shape, up.weight.shape
    ((1, 2, 4, 4, 4), (3, 2, 2, 2, 2))
    """

    _n = 3

    def __init__(
        self,
        in_channels: int,
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
        super().__init__(
            in_channels, out_channels, kernel_size, stride, padding, dilation, True,
            output_padding, groups, bias, padding_mode, dtype, seed,
        )  # fmt: skip

    def forward(self, input: Any, output_size: Any = None) -> Tensor:  # noqa: A002
        op = self._output_padding(input, output_size)
        return F.conv_transpose3d(
            input, self.weight, self.bias, self.stride, self.padding, op, self.groups,
            self.dilation,
        )  # fmt: skip


# ------------------------------------------------------------------ pairs of inputs
