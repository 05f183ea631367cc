"""Weight initialisation, seeded: every function takes a NumPy Generator or a seed."""
from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..tensor import Tensor

__all__ = ["rng_of", "uniform_", "normal_", "zeros_", "ones_", "xavier_uniform_",
           "xavier_normal_", "kaiming_uniform_", "kaiming_normal_", "fans"]


def rng_of(seed: Any = None) -> np.random.Generator:
    """A Generator from a seed, a Generator (returned as is) or None (fresh entropy)."""
    return seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)


def fans(shape: tuple) -> tuple[int, int]:
    """(fan_in, fan_out) as PyTorch computes them: dims 1 and 0 times the receptive field."""
    if len(shape) < 2:
        return (shape[0] if shape else 1), (shape[0] if shape else 1)
    field = int(np.prod(shape[2:])) if len(shape) > 2 else 1
    return shape[1] * field, shape[0] * field


def _fill(t: Tensor, values: np.ndarray) -> Tensor:
    t.data[...] = values.astype(t.dtype, copy=False)
    return t


def uniform_(t: Tensor, low: float = 0.0, high: float = 1.0, rng: Any = None) -> Tensor:
    """Fill ``t`` in place from U(low, high)."""
    return _fill(t, rng_of(rng).uniform(low, high, t.shape))


def normal_(t: Tensor, mean: float = 0.0, std: float = 1.0, rng: Any = None) -> Tensor:
    """Fill ``t`` in place from N(mean, std**2)."""
    return _fill(t, rng_of(rng).normal(mean, std, t.shape))


def zeros_(t: Tensor) -> Tensor:
    """Fill ``t`` with zeros."""
    return _fill(t, np.zeros(t.shape))


def ones_(t: Tensor) -> Tensor:
    """Fill ``t`` with ones."""
    return _fill(t, np.ones(t.shape))


def xavier_uniform_(t: Tensor, gain: float = 1.0, rng: Any = None) -> Tensor:
    """Glorot uniform: U(-a, a) with a = gain * sqrt(6 / (fan_in + fan_out))."""
    fi, fo = fans(t.shape)
    a = gain * math.sqrt(6.0 / (fi + fo))
    return uniform_(t, -a, a, rng)


def xavier_normal_(t: Tensor, gain: float = 1.0, rng: Any = None) -> Tensor:
    """Glorot normal: N(0, gain**2 * 2 / (fan_in + fan_out))."""
    fi, fo = fans(t.shape)
    return normal_(t, 0.0, gain * math.sqrt(2.0 / (fi + fo)), rng)


def kaiming_uniform_(t: Tensor, a: float = 0.0, rng: Any = None) -> Tensor:
    """He uniform for ReLU-like layers: U(-b, b) with b = sqrt(6 / ((1 + a**2) fan_in))."""
    fi, _ = fans(t.shape)
    bound = math.sqrt(6.0 / ((1 + a * a) * fi))
    return uniform_(t, -bound, bound, rng)


def kaiming_normal_(t: Tensor, a: float = 0.0, rng: Any = None) -> Tensor:
    """He normal: N(0, 2 / ((1 + a**2) fan_in))."""
    fi, _ = fans(t.shape)
    return normal_(t, 0.0, math.sqrt(2.0 / ((1 + a * a) * fi)), rng)
