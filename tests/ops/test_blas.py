"""``compgraph.ops.blas.gemm`` (BLAS through NumPy's bundled OpenBLAS) and the ops using
it: in-place results equal NumPy's, every layout BLAS cannot take is refused (so the
NumPy fallback runs), and addmm / relu give the same results with BLAS switched off."""
from __future__ import annotations

import numpy as np
import pytest

import compgraph as cg
from compgraph.ops import blas
from compgraph.ops.registry import OPS

rng = np.random.default_rng(0)


@pytest.fixture(autouse=True)
def _small_arrays_too(monkeypatch):
    # These tests use small arrays; in use, BLAS is called only from MIN_ELEMENTS up.
    monkeypatch.setattr(blas, "MIN_ELEMENTS", 0)


needs_blas = pytest.mark.skipif(not blas.available(), reason="no bundled OpenBLAS found")


@needs_blas
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("ta,tb", [(False, False), (True, False), (False, True), (True, True)])
def test_gemm_in_place_matches_numpy(dtype, ta, tb):
    a = rng.standard_normal((5, 7) if ta else (7, 5)).astype(dtype)
    b = rng.standard_normal((4, 5) if tb else (5, 4)).astype(dtype)
    a, b = (a.T if ta else a), (b.T if tb else b)        # F-ordered views: transpose flags
    c = rng.standard_normal((7, 4)).astype(dtype)
    want = -0.25 * (a @ b) + 3.0 * c
    assert blas.gemm(-0.25, a, b, 3.0, c)
    np.testing.assert_allclose(c, want, rtol=1e-5 if dtype == np.float32 else 1e-12)


@needs_blas
def test_gemm_refuses_what_blas_cannot_take():
    a, b = np.ones((3, 4)), np.ones((4, 5))
    c = np.zeros((3, 5))
    before = c.copy()
    refused = [
        (a[:, ::2], np.ones((2, 5)), c),            # a strided: not contiguous either way
        (a, b, np.zeros((5, 3)).T),                 # c not C-contiguous
        (a.astype(np.float32), b, c),               # mixed dtypes
        (a.astype(np.int64), b.astype(np.int64), c.astype(np.int64)),  # not float
        (a, b, np.zeros((3, 4))),                   # wrong shape
        (np.ones((3, 0)), np.ones((0, 5)), c),      # empty inner dimension
        (a, np.ones((4, 3)), c[:, :3].copy()),      # (the control: accepted)
    ]
    results = [blas.gemm(1.0, x, y, 1.0, z) for x, y, z in refused]
    assert results == [False] * 6 + [True]
    np.testing.assert_array_equal(c, before)
    ro = np.zeros((3, 5))
    ro.flags.writeable = False
    assert not blas.gemm(1.0, a, b, 1.0, ro)
    assert not blas.gemm(1.0, c[:, :4], b, 1.0, c)  # c overlaps an operand


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_addmm_without_blas_gives_the_same(monkeypatch, dtype):
    c = rng.standard_normal((6, 5)).astype(dtype)
    a = rng.standard_normal((6, 3)).astype(dtype)
    b = rng.standard_normal((5, 3)).astype(dtype).T
    with_blas = OPS["addmm"].forward(c, a, b, alpha=-0.5, beta=2.0)
    monkeypatch.setitem(blas._state, "fns", None)
    without = OPS["addmm"].forward(c, a, b, alpha=-0.5, beta=2.0)
    bcast = OPS["addmm"].forward(c[0], a, b, alpha=-0.5, beta=2.0)
    assert with_blas.dtype == without.dtype == dtype
    tol = 1e-5 if dtype == np.float32 else 1e-12
    np.testing.assert_allclose(with_blas, without, rtol=tol, atol=tol)
    np.testing.assert_allclose(without, 2.0 * c - 0.5 * a @ b, rtol=tol, atol=tol)
    np.testing.assert_allclose(bcast, 2.0 * c[0] - 0.5 * a @ b, rtol=tol, atol=tol)
    inplace = c.copy()
    out = OPS["addmm"].forward(inplace, a, b, alpha=-0.5, beta=2.0, out=inplace)
    assert out is inplace
    np.testing.assert_allclose(inplace, without, rtol=tol, atol=tol)


def test_addmm_mixed_dtypes_promote_like_numpy():
    c = np.ones((2, 2), np.float32)
    a = np.eye(2)                                  # float64
    got = cg.addmm(c, a, np.full((2, 2), 3.0, np.float32)).numpy()
    assert got.dtype == np.float64
    np.testing.assert_array_equal(got, np.full((2, 2), 4.0))
    with pytest.raises(TypeError, match="alpha"):
        cg.addmm(c, a, a, alpha=np.ones(2))
    with pytest.raises(ValueError, match="addmm"):
        cg.addmm(c, np.ones(3), np.ones(3))


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
def test_relu_against_shared_zeros_keeps_nan_inf_and_the_zeros(dtype):
    from compgraph.ops import elementwise
    x = rng.standard_normal((70, 90)).astype(dtype)  # above the shared-zeros threshold
    x[0, :4] = [np.nan, -np.inf, np.inf, -0.0]
    want = np.maximum(x, 0)
    got = OPS["relu"].forward(x)
    np.testing.assert_array_equal(got, want)
    buf = x.copy()
    OPS["relu"].forward(buf, out=buf)               # in place, as compiled graphs do
    np.testing.assert_array_equal(buf, want)
    zeros = elementwise._ZEROS[np.dtype(dtype)]
    assert not zeros.flags.writeable and not zeros.any()
    big = np.full(elementwise._ZEROS_MAX + 1, -1.0, np.float32)
    assert not OPS["relu"].forward(big).any()


@needs_blas
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_axpy_in_place_and_refusals(dtype):
    x = rng.standard_normal((6, 7)).astype(dtype)
    y = rng.standard_normal((6, 7)).astype(dtype)
    want = y + np.float32(-0.3).astype(dtype) * x
    assert blas.axpy(np.float32(-0.3), x, y)       # NumPy scalars are taken too
    np.testing.assert_allclose(y, want, rtol=1e-6 if dtype == np.float32 else 1e-14)
    before = y.copy()
    assert not blas.axpy(1.0, x.T.copy().T, y)     # x not C-contiguous
    assert not blas.axpy(1.0, x.astype(np.float16), y)
    assert not blas.axpy(1.0, x[:3], y)            # shape differs
    assert not blas.axpy(1.0, y, y)                # overlap
    np.testing.assert_array_equal(y, before)


def test_sgd_with_and_without_blas_agree(monkeypatch):
    def run():
        w = cg.tensor(np.linspace(-1, 1, 12, dtype=np.float32).reshape(3, 4), requires_grad=True)
        opt = cg.optim.SGD([w], lr=0.1, momentum=0.9)
        for _ in range(3):
            opt.zero_grad()
            (w * w * np.arange(4, dtype=np.float32)).sum().backward()
            opt.step()
        return w.numpy()
    fast = run()
    monkeypatch.setitem(blas._state, "fns", None)
    np.testing.assert_allclose(fast, run(), rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("use_blas", [True, False])
def test_addmm_beta_zero_ignores_c_and_integer_rules(monkeypatch, use_blas):
    if not use_blas:
        monkeypatch.setitem(blas._state, "fns", None)
    c = np.full((2, 3), np.nan)
    got = cg.addmm(c, np.eye(2), np.ones((2, 3)), beta=0.0).numpy()
    np.testing.assert_array_equal(got, np.ones((2, 3)))        # nan in c not propagated
    i = np.ones((2, 2), np.int64)
    np.testing.assert_array_equal(cg.addmm(i, i, i, alpha=2, beta=3).numpy(), np.full((2, 2), 7))
    with pytest.raises(TypeError, match="integers"):
        cg.addmm(i, i, i, alpha=0.5)


@needs_blas
def test_small_results_are_left_to_numpy():
    """Below MIN_ELEMENTS a ctypes call costs more than it saves: gemm and axpy refuse."""
    blas.MIN_ELEMENTS = 1 << 15  # (the autouse fixture restores 0 afterwards)
    a, b, c = np.ones((8, 64), np.float32), np.ones((64, 64), np.float32), np.zeros((8, 64), np.float32)
    assert not blas.gemm(1.0, a, b, 1.0, c) and not c.any()
    assert not blas.axpy(1.0, np.ones(512), np.zeros(512))
    big = np.zeros((256, 128), np.float32)
    assert blas.gemm(1.0, np.ones((256, 4), np.float32), np.ones((4, 128), np.float32), 1.0, big)
    assert (big == 4).all()
