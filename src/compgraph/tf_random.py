"""TensorFlow's ``tf.random`` names that ``cg.random`` lacks (``categorical``, ``gamma``,
``poisson``, ``shuffle``, the ``stateless_*`` family ...): written here and put into
:mod:`compgraph.random` when that name is free there.

Stateful samplers draw from compgraph's one generator (``cg.random.set_seed`` reseeds
it).  Stateless ones take ``seed=(a, b)``: the same seed gives the same numbers every
time.  The numbers differ from TensorFlow's (NumPy's PCG64, not Philox/ThreeFry);
shapes, dtypes and distributions are TensorFlow's.  Samples are not differentiable in
their parameters (TF's gamma has implicit reparameterization gradients; not here).
"""

from __future__ import annotations

import enum
from typing import Any

import numpy as np

from . import random as _random_module
from .ops.namespace import cg

__all__ = [
    "Algorithm",
    "categorical",
    "gamma",
    "poisson",
    "shuffle",
    "stateless_uniform",
    "stateless_normal",
    "stateless_truncated_normal",
    "stateless_categorical",
    "stateless_gamma",
    "stateless_poisson",
    "stateless_binomial",
    "fold_in",
    "split",
    "create_rng_state",
    "get_global_generator",
    "set_global_generator",
]


class Algorithm(enum.Enum):
    """TensorFlow's ``tf.random.Algorithm`` (accepted; compgraph always uses PCG64)."""

    PHILOX = 1
    THREEFRY = 2
    AUTO_SELECT = 3


def _np(x: Any) -> np.ndarray:
    return np.asarray(x.numpy() if hasattr(x, "numpy") else x)


def _shape(shape: Any) -> tuple:
    return tuple(int(s) for s in np.ravel(_np(shape)))


def _stateful(seed: Any) -> np.random.Generator:
    return _random_module._tf_rng(seed)


def _stateless(seed: Any, where: str) -> np.random.Generator:
    s = _np(seed)
    if s.shape != (2,) or s.dtype.kind not in "iu":
        raise ValueError(
            f"random.{where}: seed must be a shape [2] integer tensor, got {s.shape} {s.dtype}"
        )
    return np.random.default_rng([int(v) & (2**64 - 1) for v in s])


def _categorical(
    rng: np.random.Generator, logits: Any, num_samples: int, dtype: Any, where: str
) -> Any:
    lg = _np(logits).astype(np.float64)
    if lg.ndim != 2:
        raise ValueError(f"random.{where}: logits must be [batch, classes], got shape {lg.shape}")
    g = rng.gumbel(size=(lg.shape[0], int(num_samples), lg.shape[1]))
    return cg.asarray(np.argmax(lg[:, None, :] + g, axis=-1).astype(np.dtype(dtype or "int64")))


def categorical(
    logits: Any, num_samples: int, dtype: Any = None, seed: Any = None, name: str | None = None
) -> Any:
    """TensorFlow's ``tf.random.categorical``: ``[batch, num_samples]`` class indices."""
    return _categorical(_stateful(seed), logits, num_samples, dtype, "categorical")


def _gamma(rng: np.random.Generator, shape: Any, alpha: Any, beta: Any, dtype: Any) -> Any:
    a = _np(alpha).astype(np.float64)
    b = np.ones_like(a) if beta is None else _np(beta).astype(np.float64)
    full = _shape(shape) + np.broadcast_shapes(a.shape, b.shape)
    return cg.asarray((rng.gamma(np.broadcast_to(a, full)) / b).astype(np.dtype(dtype)))


def gamma(
    shape: Any,
    alpha: Any,
    beta: Any = None,
    dtype: Any = "float32",
    seed: Any = None,
    name: str | None = None,
) -> Any:
    """TensorFlow's ``tf.random.gamma``: shape ``shape + broadcast(alpha, beta).shape``,
    ``beta`` the rate."""
    return _gamma(_stateful(seed), shape, alpha, beta, dtype)


def poisson(
    shape: Any, lam: Any, dtype: Any = "float32", seed: Any = None, name: str | None = None
) -> Any:
    """TensorFlow's ``tf.random.poisson``: shape ``shape + lam.shape``."""
    lm = _np(lam).astype(np.float64)
    return cg.asarray(_stateful(seed).poisson(lm, _shape(shape) + lm.shape).astype(np.dtype(dtype)))


def shuffle(value: Any, seed: Any = None, name: str | None = None) -> Any:
    """TensorFlow's ``tf.random.shuffle``: a random permutation along axis 0."""
    v = value if hasattr(value, "ndim") and not isinstance(value, np.ndarray) else cg.asarray(value)
    if v.ndim < 1:
        raise ValueError("random.shuffle: expected a tensor of rank >= 1")
    perm = _stateful(seed).permutation(v.shape[0])
    return cg.take(v, cg.asarray(perm.astype(np.int64)), axis=0)


def stateless_uniform(
    shape: Any,
    seed: Any,
    minval: Any = 0,
    maxval: Any = None,
    dtype: Any = "float32",
    name: str | None = None,
    alg: Any = "auto_select",
) -> Any:
    """TensorFlow's ``tf.random.stateless_uniform``."""
    rng = _stateless(seed, "stateless_uniform")
    dt = np.dtype(dtype)
    if dt.kind in "iu":
        if maxval is None:
            raise ValueError(f"random.stateless_uniform: maxval is required for integer dtype {dt}")
        return cg.asarray(rng.integers(int(minval), int(maxval), _shape(shape)).astype(dt))
    hi = 1.0 if maxval is None else maxval
    return cg.asarray((rng.random(_shape(shape)) * (np.float64(hi) - minval) + minval).astype(dt))


def stateless_normal(
    shape: Any,
    seed: Any,
    mean: Any = 0.0,
    stddev: Any = 1.0,
    dtype: Any = "float32",
    name: str | None = None,
    alg: Any = "auto_select",
) -> Any:
    """TensorFlow's ``tf.random.stateless_normal``."""
    z = _stateless(seed, "stateless_normal").standard_normal(_shape(shape))
    return cg.asarray((z * stddev + mean).astype(np.dtype(dtype)))


def stateless_truncated_normal(
    shape: Any,
    seed: Any,
    mean: Any = 0.0,
    stddev: Any = 1.0,
    dtype: Any = "float32",
    name: str | None = None,
    alg: Any = "auto_select",
) -> Any:
    """TensorFlow's ``tf.random.stateless_truncated_normal`` (within 2 stddevs)."""
    rng = _stateless(seed, "stateless_truncated_normal")
    z = rng.standard_normal(_shape(shape))
    bad = np.abs(z) > 2
    while bad.any():
        z[bad] = rng.standard_normal(int(bad.sum()))
        bad = np.abs(z) > 2
    return cg.asarray((z * stddev + mean).astype(np.dtype(dtype)))


def stateless_categorical(
    logits: Any, num_samples: int, seed: Any, dtype: Any = "int64", name: str | None = None
) -> Any:
    """TensorFlow's ``tf.random.stateless_categorical``."""
    return _categorical(
        _stateless(seed, "stateless_categorical"),
        logits,
        num_samples,
        dtype,
        "stateless_categorical",
    )


def stateless_gamma(
    shape: Any,
    seed: Any,
    alpha: Any,
    beta: Any = None,
    dtype: Any = "float32",
    name: str | None = None,
) -> Any:
    """TensorFlow's ``tf.random.stateless_gamma`` (``shape`` must already include the
    parameters' broadcast shape, as TF's)."""
    a = _np(alpha).astype(np.float64)
    b = np.ones_like(a) if beta is None else _np(beta).astype(np.float64)
    full = _shape(shape)
    rng = _stateless(seed, "stateless_gamma")
    return cg.asarray(
        (rng.gamma(np.broadcast_to(a, full)) / np.broadcast_to(b, full)).astype(np.dtype(dtype))
    )


def stateless_poisson(
    shape: Any, seed: Any, lam: Any, dtype: Any = "int32", name: str | None = None
) -> Any:
    """TensorFlow's ``tf.random.stateless_poisson`` (``lam`` broadcast to ``shape``)."""
    full = _shape(shape)
    lm = np.broadcast_to(_np(lam).astype(np.float64), full)
    return cg.asarray(_stateless(seed, "stateless_poisson").poisson(lm).astype(np.dtype(dtype)))


def stateless_binomial(
    shape: Any,
    seed: Any,
    counts: Any,
    probs: Any,
    output_dtype: Any = "int32",
    name: str | None = None,
) -> Any:
    """TensorFlow's ``tf.random.stateless_binomial``."""
    full = _shape(shape)
    n = np.broadcast_to(_np(counts).astype(np.int64), full)
    p = np.broadcast_to(_np(probs).astype(np.float64), full)
    return cg.asarray(
        _stateless(seed, "stateless_binomial").binomial(n, p).astype(np.dtype(output_dtype))
    )


def fold_in(seed: Any, data: Any, alg: Any = "auto_select") -> Any:
    """TensorFlow's ``tf.random.fold_in``: a new seed from ``seed`` and ``data``."""
    s = _np(seed)
    if s.shape != (2,):
        raise ValueError(f"random.fold_in: seed must have shape [2], got {s.shape}")
    rng = np.random.default_rng([int(v) & (2**64 - 1) for v in s] + [int(data) & (2**64 - 1)])
    return cg.asarray(
        rng.integers(0, 2**62, 2).astype(np.dtype(s.dtype) if s.dtype.kind in "iu" else np.int64)
    )


def split(seed: Any, num: int = 2, alg: Any = "auto_select") -> Any:
    """TensorFlow's ``tf.random.split``: ``[num, 2]`` new seeds."""
    rng = _stateless(seed, "split")
    return cg.asarray(rng.integers(0, 2**62, (int(num), 2)).astype(_np(seed).dtype))


def create_rng_state(seed: Any, alg: Any) -> Any:
    """TensorFlow's ``tf.random.create_rng_state``: ``[seed, 0, 0]`` for Philox (1),
    ``[seed, 0]`` for ThreeFry (2), as TF's."""
    a = alg.value if isinstance(alg, Algorithm) else alg
    a = {"philox": 1, "threefry": 2, "auto_select": 1}.get(a, a) if isinstance(a, str) else int(a)
    size = {1: 3, 2: 2, 3: 3}.get(a)
    if size is None:
        raise ValueError(f"random.create_rng_state: unknown algorithm {alg!r}")
    state = np.zeros(size, np.int64)
    state[0] = int(seed)
    return cg.asarray(state)


def get_global_generator() -> Any:
    """TensorFlow's ``tf.random.get_global_generator``: compgraph's process generator
    (``cg.random.default_generator``, a torch-style Generator)."""
    return _random_module.default_generator


def set_global_generator(generator: Any) -> None:
    """TensorFlow's ``tf.random.set_global_generator``: copies ``generator``'s state into
    compgraph's process generator (which stays the same object)."""
    if not hasattr(generator, "get_state"):
        raise TypeError(
            f"random.set_global_generator: expected a cg Generator, got {type(generator).__name__}"
        )
    _random_module.default_generator.set_state(generator.get_state())


def _install() -> None:
    for n in __all__:
        if not hasattr(_random_module, n):
            setattr(_random_module, n, globals()[n])


_install()
