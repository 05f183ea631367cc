"""Random tensors, seeded: PyTorch's names (``cg.randn``, ``cg.manual_seed`` ...) and
TensorFlow's ``cg.random.normal/uniform/truncated_normal/set_seed``.

One generator per process (NumPy's PCG64 behind :class:`Generator`) serves every
function here and the in-place ``t.uniform_()``/``t.normal_()``; ``cg.manual_seed(s)``
(or TensorFlow's ``cg.random.set_seed(s)``) reseeds it, so a program that seeds once
draws the same numbers on every run.  Threads share it (draws are not reproducible
across threads interleaving).  The numbers differ from PyTorch's and TensorFlow's (a
different bit generator); shapes, dtypes and distributions are theirs.  As PyTorch,
floating results default to float32 (``dtype=`` changes it), integers to int64.

>>> import compgraph as cg
>>> _ = cg.manual_seed(0)
>>> a = cg.randn(2, 3)
>>> _ = cg.manual_seed(0)
>>> bool((cg.randn(2, 3) == a).all()), a.dtype
(True, dtype('float32'))
"""

from __future__ import annotations

import secrets
from typing import Any

import numpy as np

from .functions import _new as new_tensor
from .ops.defaults import default_float
from .ops.namespace import cg
from .tensor import Tensor

__all__ = [
    "Generator",
    "default_generator",
    "manual_seed",
    "seed",
    "initial_seed",
    "get_rng_state",
    "set_rng_state",
    "randn",
    "rand",
    "randint",
    "randperm",
    "torch_normal",
    "rand_like",
    "randn_like",
    "randint_like",
    "bernoulli",
    "multinomial",
    "normal",
    "uniform",
    "truncated_normal",
    "set_seed",
]


class Generator:
    """PyTorch's ``torch.Generator``: a seedable source of random numbers (NumPy's
    PCG64 underneath, as ``.rng``)."""

    def __init__(self, device: Any = "cpu") -> None:
        self._seed = secrets.randbits(63)
        self.rng = np.random.default_rng(self._seed)

    def manual_seed(self, seed: int) -> Generator:
        """Reseed (the same seed gives the same numbers); returns the generator."""
        self._seed = int(seed)
        self.rng = np.random.default_rng(self._seed)
        _OP_RNGS.clear()
        return self

    def seed(self) -> int:
        """Reseed from the operating system's entropy; returns the new seed."""
        self.manual_seed(secrets.randbits(63))
        return self._seed

    def initial_seed(self) -> int:
        """The seed last set."""
        return self._seed

    def get_state(self) -> dict:
        """The generator's state (restore it with ``set_state``)."""
        return dict(self.rng.bit_generator.state)

    def set_state(self, state: dict) -> Generator:
        """Restore a state from ``get_state``."""
        self.rng.bit_generator.state = state
        return self


#: The process's generator (PyTorch's ``torch.default_generator``).
default_generator = Generator()
# TensorFlow's op-level seeds: one generator per seed, restarted by set_seed.
_OP_RNGS: dict = {}


def manual_seed(seed: int) -> Generator:
    """Seed the process's generator (PyTorch's ``torch.manual_seed``)."""
    return default_generator.manual_seed(seed)


def seed() -> int:
    """Seed the process's generator non-deterministically; returns the seed."""
    return default_generator.seed()


def initial_seed() -> int:
    """The process generator's seed."""
    return default_generator.initial_seed()


def get_rng_state() -> dict:
    """The process generator's state."""
    return default_generator.get_state()


def set_rng_state(state: dict) -> None:
    """Restore the process generator's state."""
    default_generator.set_state(state)


def _rng(generator: Any) -> np.random.Generator:
    return (default_generator if generator is None else generator).rng


def _size(args: tuple, size: Any, where: str) -> tuple:
    """``randn(2, 3)``, ``randn((2, 3))``, ``randn([2, 3])`` or ``randn(size=(2, 3))``."""
    if size is not None:
        if args:
            raise TypeError(f"{where}: sizes given both positionally and as size=")
        args = (size,)
    if len(args) == 1 and isinstance(args[0], (tuple, list, Tensor, np.ndarray)):
        args = tuple(np.asarray(args[0]).reshape(-1).tolist())
    elif len(args) == 1 and np.ndim(args[0]) == 0 and not isinstance(args[0], (int, np.integer)):
        args = (int(args[0]),)
    for n in args:
        if not isinstance(n, (int, np.integer)) or isinstance(n, bool) or n < 0:
            raise TypeError(f"{where}: sizes must be non-negative integers, got {args}")
    return tuple(int(n) for n in args)


def _floats(draw: Any, shape: tuple, dtype: Any, where: str) -> np.ndarray:
    """``draw(shape, dtype)`` in float32/float64 (others are cast from float32's draw)."""
    dt = np.dtype("float32" if dtype is None else dtype)
    if dt.kind != "f":
        raise TypeError(f"{where}: dtype must be a floating type, got {dt}")
    if dt in (np.float32, np.float64):
        return np.asarray(draw(shape, dt))
    return np.asarray(draw(shape, np.float32)).astype(dt)


def _make(
    arr: Any, requires_grad: bool, device: Any, out: Any, where: str, dtype: Any = None
) -> Tensor:
    if dtype is not None:
        arr = np.asarray(arr).astype(dtype)
    return new_tensor(arr, requires_grad, device, out, where)


def randn(
    *size: Any,
    generator: Any = None,
    out: Any = None,
    dtype: Any = None,
    device: Any = None,
    requires_grad: bool = False,
    **kw: Any,
) -> Tensor:
    """Standard normal samples of the given size (PyTorch's ``torch.randn``; float32, or
    the dtype set with ``cg.set_default_dtype``)."""
    shape = _size(size, kw.pop("size", None), "randn")
    dtype = default_float(np.float32) if dtype is None else dtype
    arr = _floats(_rng(generator).standard_normal, shape, dtype, "randn")
    return _make(arr, requires_grad, device, out, "randn")


def rand(
    *size: Any,
    generator: Any = None,
    out: Any = None,
    dtype: Any = None,
    device: Any = None,
    requires_grad: bool = False,
    **kw: Any,
) -> Tensor:
    """Uniform samples in [0, 1) of the given size (PyTorch's ``torch.rand``; float32, or
    the dtype set with ``cg.set_default_dtype``)."""
    shape = _size(size, kw.pop("size", None), "rand")
    dtype = default_float(np.float32) if dtype is None else dtype
    arr = _floats(_rng(generator).random, shape, dtype, "rand")
    return _make(arr, requires_grad, device, out, "rand")


def randint(
    *args: Any,
    size: Any = None,
    generator: Any = None,
    out: Any = None,
    dtype: Any = None,
    device: Any = None,
    requires_grad: bool = False,
    low: int | None = None,
    high: int | None = None,
) -> Tensor:
    """Integers in [low, high) (PyTorch's ``torch.randint(low=0, high, size)``; int64)."""
    rest = list(args)
    if size is None and rest and isinstance(rest[-1], (tuple, list)):
        size = rest.pop()
    if high is None:
        if not rest:
            raise TypeError(
                "randint: missing high (randint(high, size) or randint(low, high, size))"
            )
        high = rest.pop()
    if low is None:
        low = rest.pop() if rest else 0
    if rest or size is None:
        raise TypeError("randint: expected randint(low=0, high, size) with size a tuple")
    shape = _size((), size, "randint")
    arr = _rng(generator).integers(low, high, shape, dtype=np.int64)
    return _make(arr, requires_grad, device, out, "randint", dtype)


def randperm(
    n: int,
    *,
    generator: Any = None,
    out: Any = None,
    dtype: Any = None,
    device: Any = None,
    requires_grad: bool = False,
) -> Tensor:
    """A random permutation of ``0 .. n-1`` (PyTorch's ``torch.randperm``; int64)."""
    arr = _rng(generator).permutation(int(n))
    return _make(arr, requires_grad, device, out, "randperm", dtype or np.int64)


def torch_normal(
    mean: Any = 0.0,
    std: Any = 1.0,
    size: Any = None,
    *,
    generator: Any = None,
    out: Any = None,
    dtype: Any = None,
    device: Any = None,
    requires_grad: bool = False,
) -> Tensor:
    """PyTorch's ``torch.normal`` (as ``cg.normal``): samples with ``mean`` and ``std``
    (numbers, or tensors broadcast together); ``size`` with number arguments.  As
    PyTorch's, the samples carry no gradient to mean and std (sample ``mean + std *
    cg.randn(...)`` to differentiate through them)."""
    m, s = np.asarray(mean), np.asarray(std)
    if size is not None:
        shape = _size((), size, "normal")
    else:
        shape = np.broadcast_shapes(m.shape, s.shape)
    if dtype is None:
        kinds = [np.asarray(v).dtype for v in (mean, std) if isinstance(v, (Tensor, np.ndarray))]
        dtype = np.result_type(*kinds) if kinds else default_float(np.float32)
    if (s < 0).any():
        raise ValueError(f"normal: std must be >= 0, got {std}")
    z = _floats(_rng(generator).standard_normal, shape, dtype, "normal")
    return _make(m + s * z, requires_grad, device, out, "normal", z.dtype)


torch_normal.__name__ = torch_normal.__qualname__ = "normal"


def _like_dtype(x: Any, dtype: Any) -> Any:
    return np.asarray(x).dtype if dtype is None else dtype


def rand_like(
    input: Any, *, dtype: Any = None, device: Any = None, requires_grad: bool = False
) -> Tensor:
    """``rand`` with ``input``'s shape and dtype."""
    dt = _like_dtype(input, dtype)
    arr = _floats(_rng(None).random, np.shape(input), dt, "rand_like")
    return _make(arr, requires_grad, device, None, "rand_like")


def randn_like(
    input: Any, *, dtype: Any = None, device: Any = None, requires_grad: bool = False
) -> Tensor:
    """``randn`` with ``input``'s shape and dtype."""
    dt = _like_dtype(input, dtype)
    arr = _floats(_rng(None).standard_normal, np.shape(input), dt, "randn_like")
    return _make(arr, requires_grad, device, None, "randn_like")


def randint_like(
    input: Any,
    low: int = 0,
    high: int | None = None,
    *,
    dtype: Any = None,
    device: Any = None,
    requires_grad: bool = False,
) -> Tensor:
    """``randint`` with ``input``'s shape and dtype (``randint_like(x, high)`` or
    ``randint_like(x, low, high)``)."""
    if high is None:
        low, high = 0, low
    arr = _rng(None).integers(low, high, np.shape(input), dtype=np.int64)
    return _make(arr, requires_grad, device, None, "randint_like", _like_dtype(input, dtype))


def bernoulli(
    input: Any, p: float | None = None, *, generator: Any = None, out: Any = None
) -> Tensor:
    """0/1 samples with probabilities ``input`` (or ``p``), in ``input``'s dtype."""
    probs = np.asarray(input)
    if p is not None:
        probs = np.full(probs.shape, p, probs.dtype)
    if probs.size and ((probs < 0).any() or (probs > 1).any()):
        raise ValueError("bernoulli: probabilities must lie in [0, 1]")
    arr = (_rng(generator).random(probs.shape) < probs).astype(np.asarray(input).dtype)
    return _make(arr, False, None, out, "bernoulli")


def multinomial(
    input: Any,
    num_samples: int,
    replacement: bool = False,
    *,
    generator: Any = None,
    out: Any = None,
) -> Tensor:
    """Indices drawn from the rows of ``input`` (non-negative weights), int64."""
    w = np.asarray(input, dtype=np.float64)
    if w.ndim not in (1, 2) or (w < 0).any() or not np.isfinite(w).all():
        raise ValueError(
            f"multinomial: expected a 1-D or 2-D tensor of finite non-negative weights, "
            f"got shape {w.shape}"
        )
    rows = w.reshape(-1, w.shape[-1])
    rng = _rng(generator)
    res = []
    for r in rows:
        nz = int((r > 0).sum())
        if nz == 0 or (not replacement and num_samples > nz):
            raise RuntimeError(
                f"multinomial: cannot draw {num_samples} samples "
                f"{'with' if replacement else 'without'} replacement from a row with "
                f"{nz} positive weights"
            )
        res.append(rng.choice(r.size, num_samples, replace=replacement, p=r / r.sum()))
    arr = np.array(res, dtype=np.int64).reshape(w.shape[:-1] + (num_samples,))
    return _make(arr, False, None, out, "multinomial")


# ------------------------------------------------------------------ TensorFlow
def set_seed(seed: int) -> None:
    """TensorFlow's ``tf.random.set_seed``: seed the process's generator (and restart
    every op-level seed's sequence)."""
    default_generator.manual_seed(seed)


def _tf_rng(seed: Any) -> np.random.Generator:
    """The global generator, or with an op-level ``seed`` (TensorFlow's), a generator
    for that seed, started from (global seed, seed): the same sequence after each
    ``set_seed``."""
    if seed is None:
        return default_generator.rng
    rng = _OP_RNGS.get(seed)
    if rng is None:
        rng = _OP_RNGS[seed] = np.random.default_rng([default_generator.initial_seed(), seed])
    return rng


def _tf_shape(shape: Any) -> tuple:
    return _size((shape,) if np.ndim(shape) else (int(shape),), None, "random")


def _affine(z: Any, scale: Any, shift: Any) -> Any:
    """``z * scale + shift``, keeping the graph when scale or shift is a Tensor (as
    TensorFlow, the samples are differentiable in them)."""
    if isinstance(scale, Tensor) or isinstance(shift, Tensor):
        return cg.add(cg.multiply(z, scale), shift)
    return Tensor((z * np.asarray(scale, z.dtype) + np.asarray(shift, z.dtype)).astype(z.dtype))


def normal(
    shape: Any,
    mean: Any = 0.0,
    stddev: Any = 1.0,
    dtype: Any = "float32",
    seed: int | None = None,
    name: str | None = None,
) -> Tensor:
    """TensorFlow's ``tf.random.normal`` (PyTorch's ``torch.normal`` is ``cg.normal``).

    >>> import compgraph as cg
    >>> cg.random.set_seed(1)
    >>> cg.random.normal([2, 3]).shape
    (2, 3)
    """
    z = _floats(_tf_rng(seed).standard_normal, _tf_shape(shape), dtype, "random.normal")
    r = _affine(z, stddev, mean)
    if name is not None:
        r.name = name
    return r


def truncated_normal(
    shape: Any,
    mean: Any = 0.0,
    stddev: Any = 1.0,
    dtype: Any = "float32",
    seed: int | None = None,
    name: str | None = None,
) -> Tensor:
    """TensorFlow's ``tf.random.truncated_normal``: normal samples redrawn until within
    two standard deviations of the mean."""
    rng = _tf_rng(seed)
    shp = _tf_shape(shape)
    z = _floats(rng.standard_normal, shp, dtype, "random.truncated_normal")
    bad = np.abs(z) > 2
    while bad.any():
        z[bad] = rng.standard_normal(int(bad.sum())).astype(z.dtype)
        bad = np.abs(z) > 2
    r = _affine(z, stddev, mean)
    if name is not None:
        r.name = name
    return r


def uniform(
    shape: Any,
    minval: Any = 0,
    maxval: Any = None,
    dtype: Any = "float32",
    seed: int | None = None,
    name: str | None = None,
) -> Tensor:
    """TensorFlow's ``tf.random.uniform``: floats in [minval, maxval) (maxval 1 unless
    given), or integers, for which ``maxval`` is required."""
    dt = np.dtype(dtype)
    rng = _tf_rng(seed)
    shp = _tf_shape(shape)
    if dt.kind in "iu":
        if maxval is None:
            raise ValueError(f"random.uniform: maxval is required for integer dtype {dt}")
        r = Tensor(rng.integers(int(minval), int(maxval), shp).astype(dt))
    else:
        z = _floats(rng.random, shp, dt, "random.uniform")
        hi = 1 if maxval is None else maxval
        graph = isinstance(hi, Tensor) or isinstance(minval, Tensor)
        r = _affine(z, cg.subtract(hi, minval) if graph else np.subtract(hi, minval), minval)
    if name is not None:
        r.name = name
    return r
