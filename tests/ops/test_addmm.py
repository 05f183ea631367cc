"""The addmm op (NumPy's matmul, then scaling and sum in place; compiled graphs write
into c's dying buffer), relu against shared zeros, and SGD's in-place update."""
from __future__ import annotations

import numpy as np
import pytest

import compgraph as cg
from compgraph.ops.registry import OPS

rng = np.random.default_rng(0)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_addmm_values_broadcast_and_in_place(dtype):
    c = rng.standard_normal((6, 5)).astype(dtype)
    a = rng.standard_normal((6, 3)).astype(dtype)
    b = rng.standard_normal((5, 3)).astype(dtype).T
    got = OPS["addmm"].forward(c, a, b, alpha=-0.5, beta=2.0)
    bcast = OPS["addmm"].forward(c[0], a, b, alpha=-0.5, beta=2.0)
    assert got.dtype == bcast.dtype == dtype
    tol = 1e-5 if dtype == np.float32 else 1e-12
    np.testing.assert_allclose(got, 2.0 * c - 0.5 * a @ b, rtol=tol, atol=tol)
    np.testing.assert_allclose(bcast, 2.0 * c[0] - 0.5 * a @ b, rtol=tol, atol=tol)
    for beta in (2.0, 1.0):
        inplace = c.copy()
        out = OPS["addmm"].forward(inplace, a, b, alpha=-0.5, beta=beta, out=inplace)
        assert out is inplace
        np.testing.assert_allclose(inplace, beta * c - 0.5 * a @ b, rtol=tol, atol=tol)
    other = np.empty_like(c)
    out = OPS["addmm"].forward(c, a, b, alpha=-0.5, beta=2.0, out=other)
    assert out is other
    np.testing.assert_allclose(other, 2.0 * c - 0.5 * a @ b, rtol=tol, atol=tol)


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


def test_sgd_momentum_updates_in_place_as_written_out():
    w0 = np.linspace(-1, 1, 12, dtype=np.float32).reshape(3, 4)
    k = np.arange(4, dtype=np.float32)
    w = cg.tensor(w0.copy(), requires_grad=True)
    before = w.data
    opt = cg.optim.SGD([w], lr=0.1, momentum=0.9)
    ref, buf = w0.copy(), None
    for _ in range(3):
        opt.zero_grad()
        (w * w * k).sum().backward()
        opt.step()
        g = 2 * ref * k
        buf = g if buf is None else 0.9 * buf + g
        ref = ref - np.float32(0.1) * buf
    assert w.data is before
    np.testing.assert_allclose(w.numpy(), ref, rtol=1e-6, atol=1e-7)


def test_addmm_beta_zero_ignores_c_and_integer_rules():
    c = np.full((2, 3), np.nan)
    got = cg.addmm(c, np.eye(2), np.ones((2, 3)), beta=0.0).numpy()
    np.testing.assert_array_equal(got, np.ones((2, 3)))        # nan in c not propagated
    i = np.ones((2, 2), np.int64)
    np.testing.assert_array_equal(cg.addmm(i, i, i, alpha=2, beta=3).numpy(), np.full((2, 2), 7))
    with pytest.raises(TypeError, match="integers"):
        cg.addmm(i, i, i, alpha=0.5)


def test_integer_matrices_stay_integer_with_integral_float_scales():
    """torch.addmm keeps int64 for beta=2.0 (an integral value); so do eager and
    compiled addmm, as the op's declared dtype says."""
    i = np.arange(4, dtype=np.int64).reshape(2, 2)
    want = 2 * i + 3 * (i @ i)
    got = cg.addmm(i, i, i, beta=2.0, alpha=3.0)
    assert got.dtype == np.int64
    np.testing.assert_array_equal(got.numpy(), want)
    f = cg.function(lambda c, a, b: cg.addmm(c + 1, a, b, beta=2.0))
    out = f(i, i, i)
    assert out.dtype == np.int64
    np.testing.assert_array_equal(out.numpy(), 2 * (i + 1) + i @ i)
