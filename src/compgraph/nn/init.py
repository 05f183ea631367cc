"""Weight initialisation as ``torch.nn.init``, seeded.

The same names, arguments and formulas as torch (``calculate_gain``, fan-in /
fan-out over the receptive field, ``mode`` and ``nonlinearity`` for Kaiming).  Where
torch takes a ``generator``, these take a NumPy ``Generator`` or a seed (``rng=`` is
accepted too); None draws fresh entropy.  Every function fills the Tensor in place
and returns it.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..random import default_generator
from ..tensor import Tensor

__all__ = [
    "rng_of",
    "fans",
    "calculate_gain",
    "uniform_",
    "normal_",
    "trunc_normal_",
    "constant_",
    "zeros_",
    "ones_",
    "eye_",
    "xavier_uniform_",
    "xavier_normal_",
    "kaiming_uniform_",
    "kaiming_normal_",
    "orthogonal_",
]


def rng_of(seed: Any = None) -> np.random.Generator:
    """A Generator from a seed, a Generator (returned as is) or None (the process's, which
    ``cg.manual_seed`` seeds: ``cg.manual_seed(0)`` then building a model is repeatable,
    as in PyTorch)."""
    if seed is None:
        return default_generator.rng
    return seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)


def _gen(generator: Any, rng: Any) -> np.random.Generator:
    return rng_of(rng if generator is None else generator)


def fans(shape: tuple) -> tuple[int, int]:
    """(fan_in, fan_out) as PyTorch computes them: dims 1 and 0 times the receptive field."""
    if len(shape) < 2:
        raise ValueError(f"fan in and fan out need at least 2 dimensions, got shape {shape}")
    field = int(np.prod(shape[2:])) if len(shape) > 2 else 1
    return shape[1] * field, shape[0] * field


def calculate_gain(nonlinearity: str, param: float | None = None) -> float:
    """The recommended gain for ``nonlinearity`` (torch's table): 1 for linear layers and
    sigmoid, 5/3 for tanh, sqrt(2) for relu, sqrt(2 / (1 + slope**2)) for leaky_relu
    (slope ``param``, default 0.01), 3/4 for selu."""
    linear = (
        "linear",
        "conv1d",
        "conv2d",
        "conv3d",
        "conv_transpose1d",
        "conv_transpose2d",
        "conv_transpose3d",
        "sigmoid",
    )
    if nonlinearity in linear:
        return 1.0
    if nonlinearity == "tanh":
        return 5.0 / 3
    if nonlinearity == "relu":
        return math.sqrt(2.0)
    if nonlinearity == "leaky_relu":
        slope = 0.01 if param is None else param
        if isinstance(slope, bool) or not isinstance(slope, (int, float)):
            raise ValueError(f"calculate_gain: negative_slope {slope!r} is not a number")
        return math.sqrt(2.0 / (1 + slope**2))
    if nonlinearity == "selu":
        return 3.0 / 4
    raise ValueError(f"calculate_gain: unsupported nonlinearity {nonlinearity!r}")


def _fill(t: Tensor, values: np.ndarray) -> Tensor:
    t.data[...] = np.asarray(values).astype(t.dtype, copy=False)
    return t


def uniform_(
    t: Tensor, a: float = 0.0, b: float = 1.0, generator: Any = None, *, rng: Any = None
) -> Tensor:
    """Fill ``t`` from U(a, b)."""
    return _fill(t, _gen(generator, rng).uniform(a, b, t.shape))


def normal_(
    t: Tensor, mean: float = 0.0, std: float = 1.0, generator: Any = None, *, rng: Any = None
) -> Tensor:
    """Fill ``t`` from N(mean, std**2)."""
    return _fill(t, _gen(generator, rng).normal(mean, std, t.shape))


def trunc_normal_(
    t: Tensor,
    mean: float = 0.0,
    std: float = 1.0,
    a: float = -2.0,
    b: float = 2.0,
    generator: Any = None,
    *,
    rng: Any = None,
) -> Tensor:
    """Fill ``t`` from N(mean, std**2) restricted to [a, b] (redrawing values outside)."""
    if not a < b:
        raise ValueError(f"trunc_normal_: need a < b, got a={a}, b={b}")
    g = _gen(generator, rng)
    out = g.normal(mean, std, t.shape)
    bad = (out < a) | (out > b)
    for _ in range(1000):  # each round keeps the fraction inside; a few rounds suffice
        if not bad.any():
            break
        out[bad] = g.normal(mean, std, int(bad.sum()))
        bad = (out < a) | (out > b)
    if bad.any():  # [a, b] far in a tail: clip what is left (as torch's clamp does)
        out = np.clip(out, a, b)
    return _fill(t, out)


def constant_(t: Tensor, val: float) -> Tensor:
    """Fill ``t`` with ``val``."""
    return _fill(t, np.full(t.shape, val))


def zeros_(t: Tensor) -> Tensor:
    """Fill ``t`` with zeros."""
    return _fill(t, np.zeros(t.shape))


def ones_(t: Tensor) -> Tensor:
    """Fill ``t`` with ones."""
    return _fill(t, np.ones(t.shape))


def eye_(t: Tensor) -> Tensor:
    """Fill a 2-D ``t`` with the identity (ones on the diagonal)."""
    if len(t.shape) != 2:
        raise ValueError(f"eye_: only 2-D tensors are supported, got shape {t.shape}")
    return _fill(t, np.eye(*t.shape))


def xavier_uniform_(
    t: Tensor, gain: float = 1.0, generator: Any = None, *, rng: Any = None
) -> Tensor:
    """Glorot uniform: U(-a, a) with a = gain * sqrt(6 / (fan_in + fan_out))."""
    fi, fo = fans(t.shape)
    a = gain * math.sqrt(6.0 / (fi + fo))
    return uniform_(t, -a, a, _gen(generator, rng))


def xavier_normal_(
    t: Tensor, gain: float = 1.0, generator: Any = None, *, rng: Any = None
) -> Tensor:
    """Glorot normal: N(0, gain**2 * 2 / (fan_in + fan_out))."""
    fi, fo = fans(t.shape)
    return normal_(t, 0.0, gain * math.sqrt(2.0 / (fi + fo)), _gen(generator, rng))


def _kaiming_std(t: Tensor, a: float, mode: str, nonlinearity: str) -> float:
    if mode not in ("fan_in", "fan_out"):
        raise ValueError(f"kaiming: mode must be 'fan_in' or 'fan_out', got {mode!r}")
    fi, fo = fans(t.shape)
    fan = fi if mode == "fan_in" else fo
    return calculate_gain(nonlinearity, a) / math.sqrt(fan)


def kaiming_uniform_(
    t: Tensor,
    a: float = 0.0,
    mode: str = "fan_in",
    nonlinearity: str = "leaky_relu",
    generator: Any = None,
    *,
    rng: Any = None,
) -> Tensor:
    """He uniform: U(-b, b) with b = gain * sqrt(3 / fan) (fan from ``mode``; with the
    defaults b = sqrt(6 / ((1 + a**2) fan_in)))."""
    bound = math.sqrt(3.0) * _kaiming_std(t, a, mode, nonlinearity)
    return uniform_(t, -bound, bound, _gen(generator, rng))


def kaiming_normal_(
    t: Tensor,
    a: float = 0.0,
    mode: str = "fan_in",
    nonlinearity: str = "leaky_relu",
    generator: Any = None,
    *,
    rng: Any = None,
) -> Tensor:
    """He normal: N(0, gain**2 / fan)."""
    return normal_(t, 0.0, _kaiming_std(t, a, mode, nonlinearity), _gen(generator, rng))


def orthogonal_(t: Tensor, gain: float = 1.0, generator: Any = None, *, rng: Any = None) -> Tensor:
    """A (semi-)orthogonal matrix over dim 0 and the rest flattened, times ``gain``
    (QR of a Gaussian matrix, signs fixed so the result is uniformly distributed)."""
    if len(t.shape) < 2:
        raise ValueError(f"orthogonal_: need at least 2 dimensions, got shape {t.shape}")
    rows = t.shape[0]
    cols = int(np.prod(t.shape[1:]))
    flat = _gen(generator, rng).normal(0.0, 1.0, (rows, cols))
    if rows < cols:
        flat = flat.T
    q, r = np.linalg.qr(flat)
    q = q * np.sign(np.diag(r))
    if rows < cols:
        q = q.T
    return _fill(t, gain * q.reshape(t.shape))
