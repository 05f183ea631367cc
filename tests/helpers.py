"""Helpers shared by the test files: ``from helpers import val, leaf, ...``.

The tests directories have no ``__init__.py``: pytest (import mode "prepend", its
default) puts the directory of ``tests/conftest.py``, that is ``tests/``, on
``sys.path`` before it collects any test, so this module is importable as
``helpers`` from every test file under ``tests/`` (and the directory of each test
file too, which is how ``tests/optim/`` imports its sibling ``optim_pairs``).

Fixtures live in ``tests/conftest.py``; this module holds plain functions and
constants. It must not import torch at import time (torch is imported lazily,
only by the helpers that build torch tensors).
"""
from __future__ import annotations

import shutil
import zlib

import numpy as np
import pytest

import compgraph as cg

# ------------------------------------------------------------------ seeds and inputs


def stable_seed(key: str) -> int:
    """A seed derived from a string (stable across processes, xdist and reordering)."""
    return zlib.crc32(key.encode())


def make_input(kind: str, shape: tuple, rng: np.random.Generator, dtype=np.float64) -> np.ndarray:
    """Random inputs kept away from the points where an op is not differentiable."""
    n = int(np.prod(shape, dtype=int))
    if kind == "any":
        a = rng.standard_normal(shape)
    elif kind == "pos":  # log, sqrt, bases of power
        a = rng.uniform(0.5, 2.0, shape)
    elif kind == "nz":  # relu, abs, denominators: |a| >= 0.3
        a = rng.uniform(0.3, 2.0, shape) * rng.choice([-1.0, 1.0], shape)
    elif kind == "small":  # tan
        a = rng.uniform(-1.0, 1.0, shape)
    elif kind == "distinct":  # max/min reductions: no ties, gaps of 0.25
        a = (rng.permutation(n) * 0.25 - 0.125 * n).reshape(shape)
    elif kind == "grid0":  # maximum/minimum: grid0 and grid1 differ by >= 0.125
        a = rng.integers(-8, 8, shape) * 0.25
    elif kind == "grid1":
        a = rng.integers(-8, 8, shape) * 0.25 + 0.125
    elif kind == "clip":  # at least 0.1 away from the bounds +-0.5
        a = rng.uniform(-1.5, 1.5, shape)
        a = np.where(np.abs(np.abs(a) - 0.5) < 0.1, a * 1.5, a)
    else:  # pragma: no cover
        raise ValueError(kind)
    return np.asarray(a, dtype=dtype)


def case_inputs(case_id: str, specs, dtype=np.float64) -> list:
    """One ``make_input`` per ``(kind, shape)`` in ``specs``, seeded by the case id."""
    rng = np.random.default_rng(stable_seed(case_id))
    return [make_input(kind, shape, rng, dtype) for kind, shape in specs]


# ------------------------------------------------------------------ compgraph values


def val(t):
    """The value of a Tensor as a float64 ndarray (asserting it is a Tensor)."""
    assert t is not None, "expected a Tensor, got None"
    assert isinstance(t, cg.Tensor), f"expected a Tensor, got {type(t).__name__}"
    return np.asarray(t.numpy(), dtype=np.float64)


def leaf(data, dtype="float64"):
    """A compgraph leaf that requires grad."""
    return cg.tensor(np.array(data, dtype=dtype), requires_grad=True)


def const(a, dtype="float64"):
    """A compgraph constant."""
    return cg.constant(np.asarray(a, dtype=dtype))


def assert_exact(actual, expected, what=""):
    """Same dtype, same shape, equal values (nan equal to nan)."""
    actual = np.asarray(actual)
    expected = np.asarray(expected)
    assert actual.dtype == expected.dtype, f"{what}: dtype {actual.dtype} != {expected.dtype}"
    assert actual.shape == expected.shape, f"{what}: shape {actual.shape} != {expected.shape}"
    np.testing.assert_array_equal(actual, expected, err_msg=what)


def same_state(a, b):
    """Two modules have the same state_dict: same keys in the same order, equal arrays."""
    sa, sb = a.state_dict(), b.state_dict()
    return list(sa) == list(sb) and all(np.array_equal(sa[k], sb[k]) for k in sa)


# ------------------------------------------------------------------ the seed graphs


def seed_power():
    """y = (3x + 2)**4 at x = 3, with the nodes named x, u, y."""
    x = cg.tensor(3.0, requires_grad=True, name="x")
    u = 3 * x + 2
    u.name = "u"
    y = u ** 4
    y.name = "y"
    return x, u, y


def seed_product():
    """Y = (a - b) * (a + b) at a = 3, b = 1, with the nodes named a, b, d, e, Y."""
    a = cg.tensor(3.0, requires_grad=True, name="a")
    b = cg.tensor(1.0, requires_grad=True, name="b")
    d = a - b
    d.name = "d"
    e = a + b
    e.name = "e"
    Y = d * e
    Y.name = "Y"
    return a, b, d, e, Y


# ------------------------------------------------------------------ the torch oracle

# dtypes the oracle comparisons run in, and their tolerances:
# cg in float32 is compared with torch in float64 on the same (float32) inputs
FLOAT_DTYPES = ["float64", "float32"]
TORCH_TOL = {"float64": dict(rtol=1e-9, atol=1e-11), "float32": dict(rtol=2e-4, atol=2e-5)}


def optional_torch(num_threads=None):
    """``torch``, or None when it cannot be imported (with ``num_threads``, torch's
    intra-op thread count is set to it). Pair with ``skip_if_missing``."""
    try:
        import torch
    except ImportError:  # pragma: no cover - torch is a test dependency
        return None
    if num_threads is not None:
        torch.set_num_threads(num_threads)
    return torch


def skip_if_missing(module, name="torch"):
    """A skip mark for tests that need ``module``, the result of an optional import."""
    return pytest.mark.skipif(module is None, reason=f"{name} is not installed")


def t64(a, grad=False):
    """A float64 torch tensor with the values of ``a``."""
    import torch
    return torch.tensor(np.asarray(a, dtype=np.float64), requires_grad=grad)


def tleaf(data):
    """A float64 torch leaf that requires grad."""
    return t64(data, grad=True)


# ------------------------------------------------------------------ Graphviz

needs_dot = pytest.mark.skipif(shutil.which("dot") is None,
                               reason="Graphviz `dot` is not installed")


# ------------------------------------------------------------------ op samples
class Sample:
    """One public call of an op family, for the registry-wide test (see tests/op_samples)."""

    def __init__(self, id, fn, ref, inputs, *, grad=True, order2=False,  # noqa: A002
                 dtypes=(np.float64, np.float32), static=True, complex=False,  # noqa: A002
                 rtol=1e-6):
        self.id, self.fn, self.ref, self.inputs = id, fn, ref, tuple(inputs)
        self.grad, self.order2, self.dtypes = grad, order2, tuple(dtypes)
        self.static, self.complex, self.rtol = static, complex, rtol

    def __repr__(self):
        return f"Sample({self.id!r})"


def all_samples() -> list:
    """Every ``Sample`` declared under tests/op_samples/."""
    import importlib.util
    import pathlib

    out = []
    for path in sorted((pathlib.Path(__file__).parent / "op_samples").glob("*.py")):
        spec = importlib.util.spec_from_file_location(f"op_samples_{path.stem}", path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        out += list(getattr(module, "SAMPLES", []))
    ids = [s.id for s in out]
    dupes = sorted({i for i in ids if ids.count(i) > 1})
    assert not dupes, f"duplicate sample ids: {dupes}"
    return out


def sample_ops(samples=None) -> set:
    """The registry ops the samples build (traced as a static graph)."""
    ops = set()
    for s in samples if samples is not None else all_samples():
        g = cg.Graph()
        arrays = case_inputs(s.id, s.inputs, np.float64)
        syms = [g.input(f"x{i}", shape=a.shape, dtype=a.dtype) for i, a in enumerate(arrays)]
        try:
            s.fn(*syms)
        except Exception:  # a sample that cannot be traced covers nothing here
            continue
        ops |= {n.op for n in g.nodes}
    return ops - {"input", "constant"}
