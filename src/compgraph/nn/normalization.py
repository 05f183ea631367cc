"""Normalisation layers as PyTorch: ``LayerNorm``, ``GroupNorm`` and ``RMSNorm``.

Parameter names, shapes, defaults (weight ones, bias zeros) and ``state_dict`` keys are
torch's; each forward is the ``cg.nn.functional`` function of the same name.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..tensor import Tensor
from . import functional as F
from .module import Module, Parameter

__all__ = ["LayerNorm", "GroupNorm", "RMSNorm"]


def _shape_of(normalized_shape: Any) -> tuple[int, ...]:
    if isinstance(normalized_shape, (int, np.integer)):
        return (int(normalized_shape),)
    return tuple(int(s) for s in normalized_shape)


class LayerNorm(Module):
    """Normalise over the trailing ``normalized_shape`` dims, then ``* weight + bias``.

    >>> import compgraph as cg
    >>> ln = cg.nn.LayerNorm(4)
    >>> y = ln(cg.tensor([[1.0, 2.0, 3.0, 4.0]]))
    >>> [round(float(v), 4) for v in y[0]], list(ln.state_dict())
    ([-1.3416, -0.4472, 0.4472, 1.3416], ['weight', 'bias'])
    """

    def __init__(
        self,
        normalized_shape: Any,
        eps: float = 1e-5,
        elementwise_affine: bool = True,
        bias: bool = True,
        dtype: Any = "float64",
    ):
        super().__init__()
        self.normalized_shape = _shape_of(normalized_shape)
        self.eps, self.elementwise_affine = float(eps), elementwise_affine
        self._has_bias = bias and elementwise_affine  # (for the repr, as torch's)
        self.weight = self.bias = None
        if elementwise_affine:
            self.weight = Parameter(np.ones(self.normalized_shape, dtype))
            if bias:
                self.bias = Parameter(np.zeros(self.normalized_shape, dtype))

    def forward(self, x: Any) -> Tensor:
        return F.layer_norm(x, self.normalized_shape, self.weight, self.bias, self.eps)

    def extra_repr(self) -> str:
        return (
            f"{self.normalized_shape}, eps={self.eps}, elementwise_affine={self.elementwise_affine}"
            f", bias={self._has_bias}"
        )


class RMSNorm(Module):
    """``x / sqrt(mean(x**2) + eps) * weight`` over the trailing dims (``eps`` None:
    the dtype's machine epsilon, as torch).

    >>> import compgraph as cg
    >>> y = cg.nn.RMSNorm(2)(cg.tensor([[3.0, 4.0]]))
    >>> [round(float(v), 4) for v in y[0]]
    [0.8485, 1.1314]
    """

    def __init__(
        self,
        normalized_shape: Any,
        eps: float | None = None,
        elementwise_affine: bool = True,
        dtype: Any = "float64",
    ):
        super().__init__()
        self.normalized_shape = _shape_of(normalized_shape)
        self.eps, self.elementwise_affine = eps, elementwise_affine
        self.weight = (
            Parameter(np.ones(self.normalized_shape, dtype)) if elementwise_affine else None
        )

    def forward(self, x: Any) -> Tensor:
        return F.rms_norm(x, self.normalized_shape, self.weight, self.eps)

    def extra_repr(self) -> str:
        return (
            f"{self.normalized_shape}, eps={self.eps}, elementwise_affine={self.elementwise_affine}"
        )


class GroupNorm(Module):
    """Normalise groups of channels of (N, C, ...) inputs, then a per-channel affine.

    >>> import compgraph as cg
    >>> gn = cg.nn.GroupNorm(2, 4)
    >>> gn(cg.ones((3, 4, 5))).shape, gn.weight.shape
    ((3, 4, 5), (4,))
    """

    def __init__(
        self,
        num_groups: int,
        num_channels: int,
        eps: float = 1e-5,
        affine: bool = True,
        dtype: Any = "float64",
        *,
        bias: bool = True,
    ):
        super().__init__()
        if num_groups < 1 or num_channels % num_groups:
            raise ValueError(
                f"GroupNorm: num_channels {num_channels} must be divisible by num_groups "
                f"{num_groups}"
            )
        self.num_groups, self.num_channels = int(num_groups), int(num_channels)
        self.eps, self.affine = float(eps), affine
        self._has_bias = bias and affine  # (for the repr, as torch's)
        self.weight = self.bias = None
        if affine:
            self.weight = Parameter(np.ones(self.num_channels, dtype))
            if bias:
                self.bias = Parameter(np.zeros(self.num_channels, dtype))

    def forward(self, x: Any) -> Tensor:
        return F.group_norm(x, self.num_groups, self.weight, self.bias, self.eps)

    def extra_repr(self) -> str:
        return (
            f"{self.num_groups}, {self.num_channels}, eps={self.eps}, affine={self.affine}, "
            f"bias={self._has_bias}"
        )
