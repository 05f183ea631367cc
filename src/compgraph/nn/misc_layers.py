"""More layers as PyTorch's: BatchNorm3d, SyncBatchNorm, InstanceNorm1d/2d/3d,
LocalResponseNorm, CrossMapLRN2d, Conv3d, ConvTranspose1d/3d, Bilinear, CosineSimilarity,
PairwiseDistance, EmbeddingBag and ParameterDict.

Constructor arguments, defaults, parameter and buffer names (so ``state_dict`` keys equal
torch's) and ``extra_repr`` are torch's; compgraph's ``dtype`` (default float64) and
``seed`` replace torch's ``device``/``dtype``.  Each forward calls the
:mod:`compgraph.nn.functional` function torch's module calls, so gradients come from the
ops' rules.
"""

from __future__ import annotations

import math
import warnings
from collections import OrderedDict
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

import numpy as np

from .. import functions as cg
from ..tensor import Tensor
from . import functional as F
from . import init
from .layers import BatchNorm1d
from .module import Module, Parameter

__all__ = [
    "BatchNorm3d",
    "SyncBatchNorm",
    "InstanceNorm1d",
    "InstanceNorm2d",
    "InstanceNorm3d",
    "LocalResponseNorm",
    "CrossMapLRN2d",
    "Conv3d",
    "ConvTranspose1d",
    "ConvTranspose3d",
    "Bilinear",
    "CosineSimilarity",
    "PairwiseDistance",
    "EmbeddingBag",
    "ParameterDict",
]


def _ndim(x: Any) -> int:
    return len(x.shape) if hasattr(x, "shape") else np.ndim(x)


def _shape(x: Any) -> tuple:
    return tuple(x.shape) if hasattr(x, "shape") else np.shape(x)


# ------------------------------------------------------------------ normalisation
class _NormBase(Module):
    """torch's ``_NormBase``: weight (ones) and bias (zeros) when ``affine``, and the
    buffers ``running_mean``, ``running_var``, ``num_batches_tracked`` when
    ``track_running_stats`` (None otherwise, as torch registers them)."""

    _no_batch_dim = 0  # the input's dims without a batch (InstanceNorm's unbatched case)

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
        name = type(self).__name__
        if isinstance(num_features, bool) or not isinstance(num_features, (int, np.integer)):
            raise TypeError(f"{name}: num_features must be an int, got {num_features!r}")
        if num_features < 0:
            raise ValueError(f"{name}: num_features must be >= 0, got {num_features}")
        if momentum is not None and not 0.0 <= momentum <= 1.0:
            raise ValueError(f"{name}: momentum must be in [0, 1] or None, got {momentum}")
        self.num_features, self.eps, self.momentum = int(num_features), eps, momentum
        self.affine, self.track_running_stats = bool(affine), bool(track_running_stats)
        n = self.num_features
        self.weight = Parameter(np.ones(n, dtype)) if affine else None
        self.bias = Parameter(np.zeros(n, dtype)) if affine and bias else None
        track = self.track_running_stats
        self.register_buffer("running_mean", np.zeros(n, dtype) if track else None)
        self.register_buffer("running_var", np.ones(n, dtype) if track else None)
        self.register_buffer("num_batches_tracked", np.zeros((), np.int64) if track else None)

    def reset_running_stats(self) -> None:
        """Running mean 0, running variance 1, no batches counted."""
        if self.track_running_stats:
            self.running_mean[...] = 0
            self.running_var[...] = 1
            self.num_batches_tracked[...] = 0

    def reset_parameters(self) -> None:
        """The running statistics reset, weight ones and bias zeros."""
        self.reset_running_stats()
        if self.weight is not None:
            self.weight.data[...] = 1
        if self.bias is not None:
            self.bias.data[...] = 0

    def _check_channels(self, shape: tuple, axis: int) -> None:
        if self.weight is not None or self.running_mean is not None:
            if shape[axis] != self.num_features:
                raise ValueError(
                    f"{type(self).__name__}: expected {self.num_features} channels at dim "
                    f"{axis} of the input, got shape {shape}"
                )

    def extra_repr(self) -> str:
        return (
            f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, "
            f"affine={self.affine}, bias={self.bias is not None}, "
            f"track_running_stats={self.track_running_stats}"
        )


class _BatchNorm(_NormBase):
    """torch's ``_BatchNorm.forward``: batch statistics in training (updating the
    running ones by ``momentum``, or their plain average when it is None), the running
    ones in evaluation when tracked."""

    def _check_input_dim(self, shape: tuple) -> None:
        raise NotImplementedError

    def forward(self, input: Any) -> Tensor:  # noqa: A002 (PyTorch's name)
        shape = _shape(input)
        self._check_input_dim(shape)
        self._check_channels(shape, 1)
        factor = 0.0 if self.momentum is None else self.momentum
        if self.training and self.track_running_stats:
            self.num_batches_tracked[...] += 1
            if self.momentum is None:  # the cumulative average of every batch so far
                factor = 1.0 / float(self.num_batches_tracked)
        bn_training = self.training or (self.running_mean is None and self.running_var is None)
        keep = not self.training or self.track_running_stats
        return F.batch_norm(
            input,
            self.running_mean if keep else None,
            self.running_var if keep else None,
            self.weight,
            self.bias,
            bn_training,
            factor,
            self.eps,
        )


class BatchNorm3d(_BatchNorm):
    """Batch normalisation of (N, C, D, H, W) inputs per channel C, as
    ``torch.nn.BatchNorm3d``.

    >>> import compgraph as cg
    >>> bn = cg.nn.BatchNorm3d(2)
    >>> bn(cg.ones((3, 2, 2, 2, 2))).shape, list(bn.state_dict())[2:]
    ((3, 2, 2, 2, 2), ['running_mean', 'running_var', 'num_batches_tracked'])
    """

    def _check_input_dim(self, shape: tuple) -> None:
        if len(shape) != 5:
            raise ValueError(f"BatchNorm3d: expected 5D input (got {len(shape)}D input)")


class SyncBatchNorm(_BatchNorm):
    """Batch normalisation of (N, C, ...) inputs, as ``torch.nn.SyncBatchNorm``.

    compgraph runs in one process, so this is batch normalisation over the local batch
    only: torch's own SyncBatchNorm does the same when no process group of more than
    one process is initialised.  ``process_group`` is kept and not used.

    >>> import compgraph as cg
    >>> net = cg.nn.Sequential(cg.nn.Conv2d(1, 2, 1, seed=0), cg.nn.BatchNorm2d(2))
    >>> type(cg.nn.SyncBatchNorm.convert_sync_batchnorm(net)[1]).__name__
    'SyncBatchNorm'
    """

    def __init__(
        self,
        num_features: int,
        eps: float = 1e-5,
        momentum: float | None = 0.1,
        affine: bool = True,
        track_running_stats: bool = True,
        process_group: Any = None,
        dtype: Any = "float64",
        *,
        bias: bool = True,
    ):
        super().__init__(num_features, eps, momentum, affine, track_running_stats, dtype, bias=bias)
        self.process_group = process_group

    def _check_input_dim(self, shape: tuple) -> None:
        if len(shape) < 2:
            raise ValueError(f"SyncBatchNorm: expected at least 2D input (got {len(shape)}D input)")
        if shape[1] == 0:
            raise ValueError("SyncBatchNorm number of input channels should be non-zero")

    @classmethod
    def convert_sync_batchnorm(cls, module: Module, process_group: Any = None) -> Module:
        """``module`` with every batch-norm layer in it (BatchNorm1d/2d/3d,
        SyncBatchNorm) replaced by a SyncBatchNorm holding the same parameters (the
        same Parameter objects), a copy of its running statistics and its mode."""
        out = module
        if isinstance(module, (BatchNorm1d, _BatchNorm)):
            track = module.running_mean is not None
            ref = module.weight if module.weight is not None else module.running_mean
            out = cls(
                module.num_features,
                module.eps,
                module.momentum,
                module.weight is not None,
                track,
                process_group,
                dtype=ref.dtype if ref is not None else "float64",
                bias=module.bias is not None,
            )
            if module.weight is not None:
                out.weight = module.weight
            if module.bias is not None:
                out.bias = module.bias
            if track:
                out.running_mean = module.running_mean
                out.running_var = module.running_var
                out.num_batches_tracked = module.num_batches_tracked
            out.training = module.training
            if hasattr(module, "qconfig"):
                out.qconfig = module.qconfig
        # every child in its place (assigning one by one would move it to the end)
        out._set_children(
            (name, None if child is None else cls.convert_sync_batchnorm(child, process_group))
            for name, child in list(module._modules.items())
        )
        return out


class _InstanceNorm(_NormBase):
    """torch's ``_InstanceNorm``: each (sample, channel) normalised over its positions,
    unbatched inputs too; running statistics (when tracked) are updated in training and
    used in evaluation, ``num_batches_tracked`` stays 0 as in torch."""

    def __init__(
        self,
        num_features: int,
        eps: float = 1e-5,
        momentum: float | None = 0.1,
        affine: bool = False,
        track_running_stats: bool = False,
        dtype: Any = "float64",
        *,
        bias: bool = True,
    ):
        super().__init__(num_features, eps, momentum, affine, track_running_stats, dtype, bias=bias)

    def forward(self, input: Any) -> Tensor:  # noqa: A002 (PyTorch's name)
        name, shape = type(self).__name__, _shape(input)
        nb = self._no_batch_dim
        if len(shape) not in (nb, nb + 1):
            raise ValueError(f"{name}: expected {nb}D or {nb + 1}D input (got {len(shape)}D input)")
        axis = len(shape) - nb
        if shape[axis] != self.num_features:
            if self.affine:
                raise ValueError(
                    f"{name}: expected input's size at dim={axis} to match num_features "
                    f"({self.num_features}), but got: {shape[axis]}."
                )
            warnings.warn(
                f"{name}: input's size at dim={axis} does not match num_features. You can "
                "silence this warning by not passing in num_features, which is not used "
                "because affine=False",
                stacklevel=2,
            )
        use_input_stats = self.training or not self.track_running_stats
        if use_input_stats and int(np.prod(shape[axis + 1 :])) <= 1:
            raise ValueError(
                f"{name}: expected more than 1 spatial element when training, got input "
                f"size {shape}"
            )
        x = cg.expand_dims(input, 0) if len(shape) == nb else input
        y = F.instance_norm(
            x,
            self.running_mean,
            self.running_var,
            self.weight,
            self.bias,
            use_input_stats,
            self.momentum if self.momentum is not None else 0.0,
            self.eps,
        )
        return cg.squeeze(y, 0) if len(shape) == nb else y


class InstanceNorm1d(_InstanceNorm):
    """Instance normalisation of (N, C, L) or unbatched (C, L) inputs, as
    ``torch.nn.InstanceNorm1d`` (no affine parameters, no running statistics by
    default)."""

    _no_batch_dim = 2


class InstanceNorm2d(_InstanceNorm):
    """Instance normalisation of (N, C, H, W) or unbatched (C, H, W) inputs, as
    ``torch.nn.InstanceNorm2d``.

    >>> import compgraph as cg
    >>> cg.nn.InstanceNorm2d(3, affine=True)(cg.ones((2, 3, 4, 4))).shape
    (2, 3, 4, 4)
    """

    _no_batch_dim = 3


class InstanceNorm3d(_InstanceNorm):
    """Instance normalisation of (N, C, D, H, W) or unbatched (C, D, H, W) inputs, as
    ``torch.nn.InstanceNorm3d``."""

    _no_batch_dim = 4


class LocalResponseNorm(Module):
    """``x / (k + alpha / size * sum of x^2 over size neighbouring channels)^beta`` of
    (N, C, ...) inputs, as ``torch.nn.LocalResponseNorm`` (``F.local_response_norm``)."""

    def __init__(self, size: int, alpha: float = 1e-4, beta: float = 0.75, k: float = 1.0):
        super().__init__()
        self.size, self.alpha, self.beta, self.k = size, alpha, beta, k

    def forward(self, input: Any) -> Tensor:  # noqa: A002 (PyTorch's name)
        return F.local_response_norm(input, self.size, self.alpha, self.beta, self.k)

    def extra_repr(self) -> str:
        return f"{self.size}, alpha={self.alpha}, beta={self.beta}, k={self.k}"


class CrossMapLRN2d(Module):
    """Legacy (Lua Torch) local response normalisation of (N, C, H, W) inputs across
    channels, as ``torch.nn.CrossMapLRN2d``: ``x * (k + alpha / size * S)^-beta``.

    ``S`` sums ``x^2`` over channels ``c - (size - 1) // 2 .. c + (size - 1) // 2`` (for
    an even ``size`` that is ``size - 1`` channels) and, for channel ``c >=
    (size - 1) // 2 + 1``, channel 0 as well: torch's running sum never takes channel 0
    back out, and the values here are torch's.  The gradient is the exact gradient of
    these values; torch's hand-written backward assumes a different window, so its
    gradients differ from these (and from its own forward's).
    """

    def __init__(self, size: int, alpha: float = 1e-4, beta: float = 0.75, k: float = 1):
        super().__init__()
        self.size, self.alpha, self.beta, self.k = size, alpha, beta, k

    def _window(self, c: int) -> np.ndarray:
        """(C, C): row c marks the channels whose squares scale channel c."""
        pre = int((self.size - 1) / 2 + 1)
        m = np.zeros((c, c))
        for i in range(c):
            m[i, max(0, i - pre + 1) : min(c, i + pre)] = 1
            if i >= pre:
                m[i, 0] = 1
        return m

    def forward(self, input: Any) -> Tensor:  # noqa: A002 (PyTorch's name)
        shape = _shape(input)
        if len(shape) != 4:
            raise ValueError(f"CrossMapLRN2d: Expected input to be 4D, got {len(shape)}D instead.")
        dtype = input.dtype if hasattr(input, "dtype") else np.float64
        m = self._window(shape[1]).T.astype(dtype)
        sq = cg.transpose(cg.multiply(input, input), (0, 2, 3, 1))
        scale = cg.transpose(cg.matmul(sq, m), (0, 3, 1, 2))
        scale = cg.add(cg.multiply(scale, self.alpha / self.size), self.k)
        return cg.multiply(input, cg.power(scale, -self.beta))

    def extra_repr(self) -> str:
        return f"{self.size}, alpha={self.alpha}, beta={self.beta}, k={self.k}"


# ------------------------------------------------------------------ convolution
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
class Bilinear(Module):
    """``y = x1^T A x2 + b`` per output feature, as ``torch.nn.Bilinear``: weight
    (out_features, in1_features, in2_features) and bias drawn from
    U(-1/sqrt(in1_features), 1/sqrt(in1_features)).

    >>> import compgraph as cg
    >>> bil = cg.nn.Bilinear(2, 3, 4, seed=0)
    >>> bil(cg.ones((5, 2)), cg.ones((5, 3))).shape
    (5, 4)
    """

    def __init__(
        self,
        in1_features: int,
        in2_features: int,
        out_features: int,
        bias: bool = True,
        dtype: Any = "float64",
        seed: Any = None,
    ):
        super().__init__()
        self.in1_features, self.in2_features = int(in1_features), int(in2_features)
        self.out_features = int(out_features)
        if self.in1_features <= 0:
            raise ValueError(
                f"Bilinear: in1_features must be > 0, but got (in1_features={in1_features})"
            )
        rng = init.rng_of(seed)
        bound = 1.0 / math.sqrt(self.in1_features)
        shape = (self.out_features, self.in1_features, self.in2_features)
        self.weight = Parameter(np.empty(shape, dtype))
        init.uniform_(self.weight, -bound, bound, rng)
        self.bias = None
        if bias:
            self.bias = Parameter(np.empty(self.out_features, dtype))
            init.uniform_(self.bias, -bound, bound, rng)

    def forward(self, input1: Any, input2: Any) -> Tensor:
        s1, s2 = _shape(input1), _shape(input2)
        if (
            not s1
            or s1[:-1] != s2[:-1]
            or s1[-1] != self.in1_features
            or s2[-1] != self.in2_features
        ):
            raise ValueError(
                f"Bilinear: expected inputs (..., {self.in1_features}) and "
                f"(..., {self.in2_features}) with the same leading dims, got {s1} and {s2}"
            )
        return F.bilinear(input1, input2, self.weight, self.bias)

    def extra_repr(self) -> str:
        return (
            f"in1_features={self.in1_features}, in2_features={self.in2_features}, "
            f"out_features={self.out_features}, bias={self.bias is not None}"
        )


class CosineSimilarity(Module):
    """Cosine similarity of ``x1`` and ``x2`` along ``dim`` (broadcast), as
    ``torch.nn.CosineSimilarity`` (``F.cosine_similarity``)."""

    def __init__(self, dim: int = 1, eps: float = 1e-8):
        super().__init__()
        self.dim, self.eps = dim, eps

    def forward(self, x1: Any, x2: Any) -> Tensor:
        return F.cosine_similarity(x1, x2, self.dim, self.eps)


class PairwiseDistance(Module):
    """``||x1 - x2 + eps||_p`` along the last dim, as ``torch.nn.PairwiseDistance``
    (``F.pairwise_distance``; ``p`` is kept as ``norm``, torch's attribute)."""

    def __init__(self, p: float = 2.0, eps: float = 1e-6, keepdim: bool = False):
        super().__init__()
        self.norm, self.eps, self.keepdim = p, eps, keepdim

    def forward(self, x1: Any, x2: Any) -> Tensor:
        return F.pairwise_distance(x1, x2, self.norm, self.eps, self.keepdim)


# ------------------------------------------------------------------ embedding bags
class EmbeddingBag(Module):
    """Sums, means or maxima of bags of embedding rows, as ``torch.nn.EmbeddingBag``
    (``F.embedding_bag``): weight (num_embeddings, embedding_dim) drawn from N(0, 1),
    the ``padding_idx`` row zero.  ``sparse`` gradients are dense here.

    >>> import compgraph as cg, numpy as np
    >>> bag = cg.nn.EmbeddingBag(10, 3, mode="sum", seed=0)
    >>> bag(np.array([1, 2, 4, 5, 4]), np.array([0, 2])).shape
    (2, 3)
    """

    def __init__(
        self,
        num_embeddings: int,
        embedding_dim: int,
        max_norm: float | None = None,
        norm_type: float = 2.0,
        scale_grad_by_freq: bool = False,
        mode: str = "mean",
        sparse: bool = False,
        _weight: Any = None,
        include_last_offset: bool = False,
        padding_idx: int | None = None,
        dtype: Any = "float64",
        seed: Any = None,
    ):
        super().__init__()
        self.num_embeddings, self.embedding_dim = int(num_embeddings), int(embedding_dim)
        self.max_norm, self.norm_type = max_norm, norm_type
        self.scale_grad_by_freq = scale_grad_by_freq
        if mode not in ("sum", "mean", "max"):
            raise ValueError(f"EmbeddingBag: mode must be 'sum', 'mean' or 'max', got {mode!r}")
        if padding_idx is not None:
            if not -self.num_embeddings <= padding_idx < self.num_embeddings:
                raise ValueError(
                    f"EmbeddingBag: padding_idx {padding_idx} must be within num_embeddings "
                    f"{self.num_embeddings}"
                )
            padding_idx = int(padding_idx) % self.num_embeddings
        self.padding_idx = padding_idx
        shape = (self.num_embeddings, self.embedding_dim)
        if _weight is None:
            self.weight = Parameter(np.empty(shape, dtype))
            init.normal_(self.weight, 0.0, 1.0, init.rng_of(seed))
            if padding_idx is not None:
                self.weight.data[padding_idx] = 0
        else:
            w = np.asarray(_weight.data if isinstance(_weight, Tensor) else _weight)
            if w.shape != shape:
                raise ValueError(
                    f"EmbeddingBag: shape of weight {w.shape} does not match num_embeddings "
                    f"and embedding_dim {shape}"
                )
            self.weight = Parameter(w.copy())
        self.mode, self.sparse = mode, sparse
        self.include_last_offset = include_last_offset

    def reset_parameters(self, seed: Any = None) -> None:
        """Redraw the weight from N(0, 1) (from ``seed``), the ``padding_idx`` row zero."""
        init.normal_(self.weight, 0.0, 1.0, init.rng_of(seed))
        if self.padding_idx is not None:
            self.weight.data[self.padding_idx] = 0

    def forward(
        self,
        input: Any,  # noqa: A002 (PyTorch's name)
        offsets: Any = None,
        per_sample_weights: Any = None,
    ) -> Tensor:
        return F.embedding_bag(
            input,
            self.weight,
            offsets,
            self.max_norm,
            self.norm_type,
            self.scale_grad_by_freq,
            self.mode,
            self.sparse,
            per_sample_weights,
            self.include_last_offset,
            self.padding_idx,
        )

    @classmethod
    def from_pretrained(
        cls,
        embeddings: Any,
        freeze: bool = True,
        max_norm: float | None = None,
        norm_type: float = 2.0,
        scale_grad_by_freq: bool = False,
        mode: str = "mean",
        sparse: bool = False,
        include_last_offset: bool = False,
        padding_idx: int | None = None,
    ) -> EmbeddingBag:
        """An EmbeddingBag holding a copy of the 2-D ``embeddings`` (frozen by default)."""
        w = np.asarray(embeddings.data if isinstance(embeddings, Tensor) else embeddings)
        if w.ndim != 2:
            raise ValueError(
                f"EmbeddingBag.from_pretrained: embeddings must be 2-D, got shape {w.shape}"
            )
        bag = cls(
            w.shape[0],
            w.shape[1],
            max_norm,
            norm_type,
            scale_grad_by_freq,
            mode,
            sparse,
            _weight=w,
            include_last_offset=include_last_offset,
            padding_idx=padding_idx,
            dtype=w.dtype,
        )
        bag.weight.requires_grad = not freeze
        return bag

    def extra_repr(self) -> str:
        s = f"{self.num_embeddings!r}, {self.embedding_dim!r}"
        if self.max_norm is not None:
            s += f", max_norm={self.max_norm!r}"
        if self.norm_type != 2:
            s += f", norm_type={self.norm_type!r}"
        if self.scale_grad_by_freq is not False:
            s += f", scale_grad_by_freq={self.scale_grad_by_freq!r}"
        s += f", mode={self.mode!r}"
        if self.padding_idx is not None:
            s += f", padding_idx={self.padding_idx!r}"
        return s


# ------------------------------------------------------------------ containers
class ParameterDict(Module):
    """An ordered dict of Parameters registered under their keys (torch's
    ``state_dict`` keys), as ``torch.nn.ParameterDict``.

    A Tensor or NumPy array stored becomes a Parameter; a Parameter is kept as is
    (shared); any other value is kept as a plain attribute, outside ``parameters()``.
    A plain ``dict`` given to the constructor or ``update`` goes in sorted by key (torch's
    rule); an ``OrderedDict``, a ParameterDict or pairs keep their order.  A missing key
    raises KeyError, as a dict does (torch raises AttributeError).

    >>> import compgraph as cg, numpy as np
    >>> pd = cg.nn.ParameterDict({"b": np.zeros(2), "a": np.ones(3)})
    >>> list(pd), list(pd.state_dict()), pd["a"].shape
    (['a', 'b'], ['a', 'b'], (3,))
    """

    _keys: dict[str, None]
    _others: dict[str, Any]

    def __init__(self, parameters: Any = None):
        super().__init__()
        object.__setattr__(self, "_keys", {})
        object.__setattr__(self, "_others", {})
        if parameters is not None:
            self.update(parameters)

    @staticmethod
    def _key(key: Any) -> str:
        if not isinstance(key, str):
            raise TypeError(
                "Index given to ParameterDict cannot be used as a key as it is not a string "
                f"(type is '{type(key).__name__}')."
            )
        return key

    def __getitem__(self, key: str) -> Any:
        key = self._key(key)
        if key in self._params:
            return self._params[key]
        if key in self._others:
            return self._others[key]
        raise KeyError(key)

    def __setitem__(self, key: str, value: Any) -> None:
        key = self._key(key)
        if key == "" or "." in key:
            raise KeyError(f'ParameterDict: a key can\'t be empty or contain ".", got {key!r}')
        if isinstance(value, (Tensor, np.ndarray)) and not isinstance(value, Parameter):
            value = Parameter(value.data if isinstance(value, Tensor) else value)
        self._drop(key)
        self._keys[key] = None
        if isinstance(value, Parameter):
            self._params[key] = value
        else:
            self._others[key] = value
        # ``pd.name`` reads it too, unless a method or attribute has that name
        if not hasattr(type(self), key) and key not in _RESERVED:
            object.__setattr__(self, key, value)

    def _drop(self, key: str) -> None:
        if key in self._keys:
            self._params.pop(key, None)
            self._others.pop(key, None)
            if not hasattr(type(self), key) and key not in _RESERVED:
                self.__dict__.pop(key, None)

    def __delitem__(self, key: str) -> None:
        key = self._key(key)
        if key not in self._keys:
            raise KeyError(key)
        self._drop(key)
        del self._keys[key]

    def __len__(self) -> int:
        return len(self._keys)

    def __iter__(self) -> Iterator[str]:
        return iter(list(self._keys))

    def __reversed__(self) -> Iterator[str]:
        return reversed(list(self._keys))

    def __contains__(self, key: object) -> bool:
        return key in self._keys

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("ParameterDict should not be called.")

    def copy(self) -> ParameterDict:
        """A new ParameterDict holding the same values (Parameters shared)."""
        return ParameterDict(OrderedDict((k, self[k]) for k in self._keys))

    def setdefault(self, key: str, default: Any = None) -> Any:
        """``self[key]``, after storing ``default`` there if the key is new."""
        if key not in self:
            self[key] = default
        return self[key]

    def clear(self) -> None:
        """Remove every entry."""
        for k in list(self._keys):
            del self[k]

    def pop(self, key: str) -> Any:
        """Remove the entry ``key`` and return its value."""
        v = self[key]
        del self[key]
        return v

    def popitem(self) -> tuple[str, Any]:
        """Remove the last entry and return ``(key, value)``."""
        if not self._keys:
            raise KeyError("popitem(): ParameterDict is empty")
        k = next(reversed(self._keys))
        return k, self.pop(k)

    def get(self, key: str, default: Any = None) -> Any:
        """``self[key]`` if the key is there, else ``default``."""
        return self[key] if key in self else default

    def fromkeys(self, keys: Iterable[str], default: Any = None) -> ParameterDict:
        """A new ParameterDict with ``keys``, each holding ``default``."""
        return ParameterDict((k, default) for k in keys)

    def keys(self) -> Any:
        """The keys, in insertion order (a live view, as dict's)."""
        return self._keys.keys()

    def items(self) -> Iterator[tuple[str, Any]]:
        """(key, value) pairs, in insertion order."""
        return ((k, self[k]) for k in list(self._keys))

    def values(self) -> Iterator[Any]:
        """The values, in insertion order."""
        return (self[k] for k in list(self._keys))

    def update(self, parameters: Any) -> None:
        """Add (or replace) entries from a mapping, a ParameterDict or (key, value) pairs."""
        if not isinstance(parameters, Iterable):
            raise TypeError(
                "ParameterDict.update should be called with an iterable of key/value pairs, "
                f"but got {type(parameters).__name__}"
            )
        if isinstance(parameters, (OrderedDict, ParameterDict)):
            for key, value in list(parameters.items()):
                self[key] = value
        elif isinstance(parameters, Mapping):
            for key, value in sorted(parameters.items()):
                self[key] = value
        else:
            for j, p in enumerate(parameters):
                if not isinstance(p, Iterable):
                    raise TypeError(
                        f"ParameterDict update sequence element #{j} should be Iterable; is "
                        f"{type(p).__name__}"
                    )
                p = list(p)
                if len(p) != 2:
                    raise ValueError(
                        f"ParameterDict update sequence element #{j} has length {len(p)}; "
                        "2 is required"
                    )
                self[p[0]] = p[1]

    def __or__(self, other: ParameterDict) -> ParameterDict:
        out = self.copy()
        out.update(other)
        return out

    def __ror__(self, other: ParameterDict) -> ParameterDict:
        out = other.copy()
        out.update(self)
        return out

    def __ior__(self, other: ParameterDict) -> ParameterDict:
        self.update(other)
        return self

    def extra_repr(self) -> str:
        lines = []
        for k, p in self.items():
            if isinstance(p, Tensor):
                size = "x".join(str(s) for s in p.shape)
                kind = "Parameter" if isinstance(p, Parameter) else "Tensor"
                lines.append(f"  ({k}): {kind} containing: [{p.type()} of size {size}]")
            else:
                lines.append(f"  ({k}): Object of type: {type(p).__name__}")
        return "\n".join(lines)

    def __repr__(self) -> str:
        # torch's layout: one entry inline, several on lines of their own
        lines = self.extra_repr().split("\n") if self._keys else []
        if len(lines) == 1:
            return f"ParameterDict({lines[0]})"
        if not lines:
            return "ParameterDict()"
        return "ParameterDict(\n  " + "\n  ".join(lines) + "\n)"


# instance attributes of a Module that an entry must not hide
_RESERVED = frozenset(
    {"_params", "_modules", "_buffers", "_non_persistent", "_forward_hooks",
     "_forward_pre_hooks", "training", "_keys", "_others"}
)  # fmt: skip
