"""Normalisation layers as PyTorch's: BatchNorm3d, SyncBatchNorm, InstanceNorm1d/2d/3d,
LocalResponseNorm and CrossMapLRN2d.

Constructor arguments, defaults, parameter and buffer names (so ``state_dict`` keys equal
torch's) and ``extra_repr`` are torch's; compgraph's ``dtype`` (default float64) replaces
torch's ``device``/``dtype``.  Each forward calls the :mod:`compgraph.nn.functional`
function torch's module calls.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from .. import functions as cg
from ..tensor import Tensor
from . import functional as F
from .fn_args import shape_of as _shape
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
]


def _ndim(x: Any) -> int:
    return len(x.shape) if hasattr(x, "shape") else np.ndim(x)


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
