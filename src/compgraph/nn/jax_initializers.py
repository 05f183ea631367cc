"""JAX's ``jax.nn.initializers`` as ``cg.nn.initializers``: builders returning
``init(key, shape, dtype=None)`` functions.

The formulas, fans (``in_axis``/``out_axis``/``batch_axis``, the rest a receptive
field), defaults and errors are JAX's; the numbers are not (NumPy's PCG64 instead of
threefry).  compgraph has no ``jax.random`` keys: ``key`` is an int seed or an
integer array (e.g. the data of a JAX ``PRNGKey``), which give the same numbers every
time as a JAX key does, or a NumPy ``Generator`` / ``cg.Generator``, which advance.
``dtype`` defaults to float32 (JAX's ``float_`` without x64; ``cg.set_default_dtype``
changes it); complex dtypes raise NotImplementedError, and ``out_sharding`` must be
None (no sharding).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from ..ops.defaults import default_float
from ..random import Generator
from ..tensor import Tensor

__all__ = [
    "constant",
    "delta_orthogonal",
    "glorot_normal",
    "glorot_uniform",
    "he_normal",
    "he_uniform",
    "kaiming_normal",
    "kaiming_uniform",
    "lecun_normal",
    "lecun_uniform",
    "normal",
    "ones",
    "orthogonal",
    "truncated_normal",
    "uniform",
    "variance_scaling",
    "xavier_normal",
    "xavier_uniform",
    "zeros",
]

Init = Callable[..., Tensor]


def _rng(key: Any, where: str) -> np.random.Generator:
    """The generator a key stands for (a fresh one per int key: same key, same numbers)."""
    if isinstance(key, np.random.Generator):
        return key
    if isinstance(key, Generator):
        return key.rng
    if isinstance(key, Tensor):
        key = key.data
    if isinstance(key, (bool, np.bool_)) or key is None:
        raise TypeError(
            f"{where}: expected a key (an int seed, an integer array or a Generator), got {key!r}"
        )
    try:
        data = np.asarray(key)
    except Exception:  # (an object NumPy cannot read, e.g. a typed JAX key)
        data = np.asarray(None)
    if data.dtype.kind not in "iu":
        raise TypeError(
            f"{where}: expected a key (an int seed, an integer array such as a JAX PRNGKey's "
            f"data, a NumPy Generator or a cg.Generator), got {type(key).__name__}"
        )
    return np.random.default_rng([int(v) & 0xFFFFFFFF for v in data.ravel()] or [0])


def _shape(shape: Any, where: str) -> tuple[int, ...]:
    if isinstance(shape, (int, np.integer)):
        shape = (shape,)
    try:
        return tuple(int(d) for d in shape)
    except TypeError:
        raise TypeError(f"{where}: shape must be a sequence of ints, got {shape!r}") from None


def _dtype(dtype: Any, where: str) -> np.dtype:
    dt = default_float(np.float32) if dtype is None else np.dtype(dtype)
    if dt.kind == "c":
        raise NotImplementedError(
            f"{where}: complex dtype {dt} is not supported by compgraph's initializers"
        )
    if dt.kind != "f":
        raise TypeError(f"{where}: dtype must be a floating type, got {dt}")
    return dt


def _no_sharding(out_sharding: Any, where: str) -> None:
    if out_sharding is not None:
        raise NotImplementedError(
            f"{where}: out_sharding is not supported (compgraph has no sharding)"
        )


def _out(values: np.ndarray, dt: np.dtype) -> Tensor:
    return Tensor(np.asarray(values).astype(dt))


def zeros(key: Any, shape: Sequence[int], dtype: Any = None, out_sharding: Any = None) -> Tensor:
    """``jax.nn.initializers.zeros``: an array of zeros (``key`` unused)."""
    _no_sharding(out_sharding, "zeros")
    return _out(np.zeros(_shape(shape, "zeros")), _dtype(dtype, "zeros"))


def ones(key: Any, shape: Sequence[int], dtype: Any = None, out_sharding: Any = None) -> Tensor:
    """``jax.nn.initializers.ones``: an array of ones (``key`` unused)."""
    _no_sharding(out_sharding, "ones")
    return _out(np.ones(_shape(shape, "ones")), _dtype(dtype, "ones"))


def constant(value: Any, dtype: Any = None) -> Init:
    """``jax.nn.initializers.constant``: an initializer filling with ``value``."""
    default = dtype

    def init(
        key: Any, shape: Sequence[int], dtype: Any = default, out_sharding: Any = None
    ) -> Tensor:
        _no_sharding(out_sharding, "constant")
        v = value.data if isinstance(value, Tensor) else value
        return _out(np.full(_shape(shape, "constant"), v), _dtype(dtype, "constant"))

    return init


def normal(stddev: float = 1e-2, dtype: Any = None) -> Init:
    """``jax.nn.initializers.normal``: N(0, ``stddev``**2) draws."""
    default = dtype

    def init(
        key: Any, shape: Sequence[int], dtype: Any = default, out_sharding: Any = None
    ) -> Tensor:
        _no_sharding(out_sharding, "normal")
        dt = _dtype(dtype, "normal")
        return _out(_rng(key, "normal").standard_normal(_shape(shape, "normal")) * stddev, dt)

    return init


def uniform(scale: float = 1e-2, dtype: Any = None) -> Init:
    """``jax.nn.initializers.uniform``: U[0, ``scale``) draws."""
    default = dtype

    def init(
        key: Any, shape: Sequence[int], dtype: Any = default, out_sharding: Any = None
    ) -> Tensor:
        _no_sharding(out_sharding, "uniform")
        dt = _dtype(dtype, "uniform")
        return _out(_rng(key, "uniform").random(_shape(shape, "uniform")) * scale, dt)

    return init


def _truncated(rng: np.random.Generator, lower: float, upper: float, shape: tuple) -> np.ndarray:
    """Standard normal draws kept in [lower, upper] (redrawn until every one is)."""
    out = rng.standard_normal(shape)
    bad = (out < lower) | (out > upper)
    while bad.any():
        out[bad] = rng.standard_normal(int(bad.sum()))
        bad = (out < lower) | (out > upper)
    return out


def truncated_normal(
    stddev: float = 1e-2, dtype: Any = None, lower: float = -2.0, upper: float = 2.0
) -> Init:
    """``jax.nn.initializers.truncated_normal``: ``stddev`` times a standard normal
    truncated to [``lower``, ``upper``]."""
    default = dtype
    if not lower < upper:
        raise ValueError(f"truncated_normal: lower ({lower}) must be below upper ({upper})")

    def init(
        key: Any, shape: Sequence[int], dtype: Any = default, out_sharding: Any = None
    ) -> Tensor:
        _no_sharding(out_sharding, "truncated_normal")
        dt = _dtype(dtype, "truncated_normal")
        rng = _rng(key, "truncated_normal")
        return _out(_truncated(rng, lower, upper, _shape(shape, "truncated_normal")) * stddev, dt)

    return init


def _prod(shape: tuple, axes: Any) -> int:
    if isinstance(axes, (int, np.integer)):
        return shape[axes]
    return math.prod(shape[a] for a in axes)


def _fans(shape: tuple, in_axis: Any, out_axis: Any, batch_axis: Any) -> tuple[float, float]:
    """JAX's fans: the in/out sizes times the receptive field (every other axis)."""
    if isinstance(in_axis, int) and in_axis == -2 and len(shape) <= 1:
        raise ValueError(
            f"variance_scaling: can't compute input and output sizes of a "
            f"{len(shape)}-dimensional weights tensor with default in_axis. Must be at "
            f"least 2D or specify in_axis explicitly."
        )
    in_size, out_size = _prod(shape, in_axis), _prod(shape, out_axis)
    field = math.prod(shape) / in_size / out_size / _prod(shape, batch_axis)
    return in_size * field, out_size * field


def variance_scaling(
    scale: float,
    mode: str,
    distribution: str,
    in_axis: int | Sequence[int] = -2,
    out_axis: int | Sequence[int] = -1,
    batch_axis: int | Sequence[int] = (),
    dtype: Any = None,
) -> Init:
    """``jax.nn.initializers.variance_scaling``: draws of variance ``scale / n``, ``n``
    the fan-in, fan-out, their mean (``fan_avg``) or geometric mean (``fan_geo_avg``);
    ``distribution`` ``truncated_normal`` (within 2 stddevs, rescaled), ``normal`` or
    ``uniform``."""
    if mode not in ("fan_in", "fan_out", "fan_avg", "fan_geo_avg"):
        raise ValueError(f"invalid mode for variance scaling initializer: {mode}")
    if distribution not in ("truncated_normal", "normal", "uniform"):
        raise ValueError(f"invalid distribution for variance scaling initializer: {distribution}")
    default = dtype

    def init(
        key: Any, shape: Sequence[int], dtype: Any = default, out_sharding: Any = None
    ) -> Tensor:
        _no_sharding(out_sharding, "variance_scaling")
        shp = _shape(shape, "variance_scaling")
        dt = _dtype(dtype, "variance_scaling")
        fan_in, fan_out = _fans(shp, in_axis, out_axis, batch_axis)
        denominator = {
            "fan_in": fan_in,
            "fan_out": fan_out,
            "fan_avg": (fan_in + fan_out) / 2,
            "fan_geo_avg": (fan_in * fan_out) ** 0.5,
        }[mode]
        variance = scale / denominator
        rng = _rng(key, "variance_scaling")
        if distribution == "truncated_normal":
            # .8796...: the stddev of a standard normal truncated to (-2, 2)
            values = _truncated(rng, -2.0, 2.0, shp) * (math.sqrt(variance) / 0.87962566103423978)
        elif distribution == "normal":
            values = rng.standard_normal(shp) * math.sqrt(variance)
        else:
            values = rng.uniform(-1.0, 1.0, shp) * math.sqrt(3 * variance)
        return _out(values, dt)

    return init


def glorot_uniform(
    in_axis: int | Sequence[int] = -2,
    out_axis: int | Sequence[int] = -1,
    batch_axis: int | Sequence[int] = (),
    dtype: Any = None,
) -> Init:
    """``jax.nn.initializers.glorot_uniform``: ``variance_scaling(1, "fan_avg", "uniform")``."""
    return variance_scaling(1.0, "fan_avg", "uniform", in_axis, out_axis, batch_axis, dtype)


def glorot_normal(
    in_axis: int | Sequence[int] = -2,
    out_axis: int | Sequence[int] = -1,
    batch_axis: int | Sequence[int] = (),
    dtype: Any = None,
) -> Init:
    """``jax.nn.initializers.glorot_normal``: ``variance_scaling(1, "fan_avg",
    "truncated_normal")``."""
    return variance_scaling(
        1.0, "fan_avg", "truncated_normal", in_axis, out_axis, batch_axis, dtype
    )


def lecun_uniform(
    in_axis: int | Sequence[int] = -2,
    out_axis: int | Sequence[int] = -1,
    batch_axis: int | Sequence[int] = (),
    dtype: Any = None,
) -> Init:
    """``jax.nn.initializers.lecun_uniform``: ``variance_scaling(1, "fan_in", "uniform")``."""
    return variance_scaling(1.0, "fan_in", "uniform", in_axis, out_axis, batch_axis, dtype)


def lecun_normal(
    in_axis: int | Sequence[int] = -2,
    out_axis: int | Sequence[int] = -1,
    batch_axis: int | Sequence[int] = (),
    dtype: Any = None,
) -> Init:
    """``jax.nn.initializers.lecun_normal``: ``variance_scaling(1, "fan_in",
    "truncated_normal")``."""
    return variance_scaling(1.0, "fan_in", "truncated_normal", in_axis, out_axis, batch_axis, dtype)


def he_uniform(
    in_axis: int | Sequence[int] = -2,
    out_axis: int | Sequence[int] = -1,
    batch_axis: int | Sequence[int] = (),
    dtype: Any = None,
) -> Init:
    """``jax.nn.initializers.he_uniform``: ``variance_scaling(2, "fan_in", "uniform")``."""
    return variance_scaling(2.0, "fan_in", "uniform", in_axis, out_axis, batch_axis, dtype)


def he_normal(
    in_axis: int | Sequence[int] = -2,
    out_axis: int | Sequence[int] = -1,
    batch_axis: int | Sequence[int] = (),
    dtype: Any = None,
) -> Init:
    """``jax.nn.initializers.he_normal``: ``variance_scaling(2, "fan_in",
    "truncated_normal")``."""
    return variance_scaling(2.0, "fan_in", "truncated_normal", in_axis, out_axis, batch_axis, dtype)


xavier_uniform = glorot_uniform
xavier_normal = glorot_normal
kaiming_uniform = he_uniform
kaiming_normal = he_normal


def _orthogonal_matrix(rng: np.random.Generator, n_rows: int, n_cols: int) -> np.ndarray:
    """A (n_rows, n_cols) matrix with orthonormal columns (rows if wider), Haar-distributed."""
    big, small = max(n_rows, n_cols), min(n_rows, n_cols)
    q, r = np.linalg.qr(rng.standard_normal((big, small)))
    q = q * np.where(np.diagonal(r) < 0, -1.0, 1.0)  # signs fixed: uniform over O(n)
    return q if n_rows >= n_cols else q.T


def orthogonal(scale: float = 1.0, column_axis: int = -1, dtype: Any = None) -> Init:
    """``jax.nn.initializers.orthogonal``: ``scale`` times a matrix with orthonormal
    columns (or rows, if there are more columns), the ``column_axis`` its columns and
    every other axis flattened into its rows."""
    default = dtype

    def init(
        key: Any, shape: Sequence[int], dtype: Any = default, out_sharding: Any = None
    ) -> Tensor:
        _no_sharding(out_sharding, "orthogonal")
        shp = _shape(shape, "orthogonal")
        dt = _dtype(dtype, "orthogonal")
        if len(shp) < 2:
            raise ValueError(f"orthogonal initializer requires at least a 2D shape, got {shp}")
        if 0 in shp:
            return _out(np.zeros(shp), dt)
        n_cols = shp[column_axis]
        n_rows = math.prod(shp) // n_cols
        q = _orthogonal_matrix(_rng(key, "orthogonal"), n_rows, n_cols)
        rest = tuple(np.delete(np.array(shp), column_axis % len(shp)))
        q = np.moveaxis(q.reshape(rest + (n_cols,)), -1, column_axis)
        return _out(scale * q, dt)

    return init


def delta_orthogonal(scale: float = 1.0, column_axis: int = -1, dtype: Any = None) -> Init:
    """``jax.nn.initializers.delta_orthogonal``: a 3-, 4- or 5-d convolution kernel,
    zero but for an orthogonal matrix (last two axes) at the spatial centre."""
    default = dtype

    def init(
        key: Any, shape: Sequence[int], dtype: Any = default, out_sharding: Any = None
    ) -> Tensor:
        _no_sharding(out_sharding, "delta_orthogonal")
        shp = _shape(shape, "delta_orthogonal")
        dt = _dtype(dtype, "delta_orthogonal")
        if len(shp) not in (3, 4, 5):
            raise ValueError("Delta orthogonal initializer requires a 3D, 4D or 5D shape.")
        if shp[-1] < shp[-2]:
            raise ValueError("`fan_in` must be less or equal than `fan_out`. ")
        ortho = orthogonal(scale, column_axis, dt)(key, shp[-2:]).data
        w = np.zeros(shp)
        w[tuple((k - 1) // 2 for k in shp[:-2])] = ortho
        return _out(w, dt)

    return init
