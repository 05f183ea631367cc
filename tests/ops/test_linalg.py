"""cg.linalg against torch.linalg (values, gradients, second order; real and complex: torch's
gradient is the conjugate of compgraph's, JAX's convention), JAX for forward mode, the
points where the derivative has a convention, NumPy dispatch and errors."""
from __future__ import annotations

import numpy as np
import pytest
from helpers import optional_torch, skip_if_missing

import compgraph as cg

torch = optional_torch()
try:
    import jax
    import jax.numpy as jnp

    jax.config.update("jax_enable_x64", True)
except ImportError:  # pragma: no cover - jax is an optional test oracle
    jax = jnp = None

needs_torch = skip_if_missing(torch)
needs_jax = skip_if_missing(jax, "jax")
L = cg.linalg
INF = np.inf


def _rand(shape, cplx, seed=0):
    rng = np.random.default_rng(seed)
    a = rng.standard_normal(shape)
    return a + 1j * rng.standard_normal(shape) if cplx else a


def _hpd(shape, cplx, seed=0):
    a = _rand(shape, cplx, seed)
    return a @ np.conj(np.swapaxes(a, -1, -2)) + shape[-1] * np.eye(shape[-1])


# name -> (cg function, torch function, input maker)
CASES = {
    "inv": (L.inv, "inv", lambda c: [_rand((3, 4, 4), c)]),
    "det": (L.det, "det", lambda c: [_rand((3, 4, 4), c)]),
    "slogdet_sign": (lambda a: L.slogdet(a)[0], lambda a: torch.linalg.slogdet(a)[0],
                     lambda c: [_rand((3, 4, 4), c)]),
    "slogdet_logabsdet": (lambda a: L.slogdet(a)[1], lambda a: torch.linalg.slogdet(a)[1],
                          lambda c: [_rand((3, 4, 4), c)]),
    "solve": (L.solve, "solve", lambda c: [_rand((3, 4, 4), c), _rand((3, 4, 2), c, 1)]),
    "solve_vector": (L.solve, lambda a, b: torch.linalg.solve(a, b.expand(3, 4)),
                     lambda c: [_rand((3, 4, 4), c), _rand((4,), c, 1)]),
    "cholesky": (L.cholesky, "cholesky", lambda c: [_hpd((2, 4, 4), c)]),
    "cholesky_upper": (lambda a: L.cholesky(a, upper=True),
                       lambda a: torch.linalg.cholesky(a, upper=True),
                       lambda c: [_hpd((2, 4, 4), c)]),
    "eigvalsh": (L.eigvalsh, "eigvalsh", lambda c: [_hpd((2, 4, 4), c)]),
    "eigh_values": (lambda a: L.eigh(a)[0], lambda a: torch.linalg.eigh(a)[0],
                    lambda c: [_hpd((2, 4, 4), c)]),
    "eigh_vectors": (lambda a: cg.abs(L.eigh(a)[1]) ** 2, lambda a: torch.linalg.eigh(a)[1].abs() ** 2,
                     lambda c: [_hpd((2, 4, 4), c)]),
    "pinv_tall": (L.pinv, "pinv", lambda c: [_rand((2, 5, 3), c)]),
    "pinv_wide": (L.pinv, "pinv", lambda c: [_rand((3, 5), c)]),
    "matrix_power": (lambda a: L.matrix_power(a, 5), lambda a: torch.linalg.matrix_power(a, 5),
                     lambda c: [_rand((2, 3, 3), c)]),
    "matrix_power_neg": (lambda a: L.matrix_power(a, -3),
                         lambda a: torch.linalg.matrix_power(a, -3), lambda c: [_rand((3, 3), c)]),
}
for shape in ((5, 3), (3, 5), (2, 4, 4)):
    k = min(shape[-2:])
    CASES[f"svdvals{shape}"] = (L.svdvals, "svdvals", lambda c, s=shape: [_rand(s, c)])
    CASES[f"svd_U{shape}"] = (
        lambda a: cg.abs(L.svd(a, full_matrices=False)[0]) ** 2,
        lambda a: torch.linalg.svd(a, full_matrices=False)[0].abs() ** 2,
        lambda c, s=shape: [_rand(s, c)])
    CASES[f"svd_full{shape}"] = (  # the extra vectors have no gradient (as torch)
        lambda a, k=k: cg.abs(L.svd(a)[2][..., :k, :]) ** 2 + L.svd(a)[1][..., None],
        lambda a: torch.linalg.svd(a, full_matrices=False)[2].abs() ** 2 +
        torch.linalg.svd(a)[1][..., None],
        lambda c, s=shape: [_rand(s, c)])
    CASES[f"svd_UVh{shape}"] = (
        lambda a: (lambda u, s, vh: u @ vh)(*L.svd(a, full_matrices=False)),
        lambda a: (lambda u, s, vh: u @ vh)(*torch.linalg.svd(a, full_matrices=False)),
        lambda c, s=shape: [_rand(s, c)])
    CASES[f"qr{shape}"] = (lambda a: L.qr(a)[0], lambda a: torch.linalg.qr(a)[0],
                           lambda c, s=shape: [_rand(s, c)])
    CASES[f"qr_R{shape}"] = (lambda a: L.qr(a)[1], lambda a: torch.linalg.qr(a)[1],
                             lambda c, s=shape: [_rand(s, c)])
for o in (None, 0, 1, 2, INF, -INF, 3, 0.5, -1.5):
    CASES[f"norm_vector_{o}"] = (lambda a, o=o: L.norm(a, o, axis=1),
                                 lambda a, o=o: torch.linalg.norm(a, o, dim=1),
                                 lambda c: [_rand((3, 5), c)])
for o in ("fro", "nuc", 1, -1, 2, -2, INF, -INF):
    CASES[f"norm_matrix_{o}"] = (lambda a, o=o: L.norm(a, o), lambda a, o=o: torch.linalg.norm(a, o),
                                 lambda c: [_rand((3, 5), c)])
    CASES[f"norm_axes_{o}"] = (lambda a, o=o: L.norm(a, o, (2, 0), keepdims=True),
                               lambda a, o=o: torch.linalg.norm(a, o, (2, 0), keepdim=True),
                               lambda c: [_rand((3, 2, 4), c)])
    CASES[f"matrix_norm_{o}"] = (lambda a, o=o: L.matrix_norm(a, ord=o),
                                 lambda a, o=o: torch.linalg.matrix_norm(a, o),
                                 lambda c: [_rand((2, 3, 4), c)])
CASES["lstsq"] = (lambda a, b: L.lstsq(a, b)[0], lambda a, b: torch.linalg.lstsq(a, b)[0],
                  lambda c: [_rand((5, 3), c), _rand((5, 2), c, 1)])
for p in (None, 2, -2):  # (torch 2.13's gradient of the other cond norms fails)
    CASES[f"cond_{p}"] = (lambda a, p=p: L.cond(a, p), lambda a, p=p: torch.linalg.cond(a, p),
                          lambda c: [_rand((2, 3, 3), c)])
CASES["vector_norm"] = (lambda a: L.vector_norm(a, axis=(0, 2), ord=3),
                        lambda a: torch.linalg.vector_norm(a, 3, (0, 2)),
                        lambda c: [_rand((2, 3, 4), c)])
# PyTorch's cholesky gradient of a complex matrix is not Hermitian: compgraph's (and JAX's) is
# its Hermitian part (conjugated), checked below.
REAL_ONLY = {"cholesky", "cholesky_upper"}


def _torch_fn(spec):
    return getattr(torch.linalg, spec) if isinstance(spec, str) else spec


@needs_torch
@pytest.mark.parametrize("cplx", [False, True], ids=["real", "complex"])
@pytest.mark.parametrize("name", sorted(CASES))
def test_values_and_gradients_equal_torch(name, cplx):
    if cplx and name in REAL_ONLY:
        pytest.skip("torch's complex cholesky gradient is not Hermitian (see below)")
    f, tf, make = CASES[name]
    arrays = make(cplx)
    xs = [cg.tensor(a, requires_grad=True) for a in arrays]
    ts = [torch.tensor(a, requires_grad=True) for a in arrays]
    y, yt = f(*xs), _torch_fn(tf)(*ts)
    np.testing.assert_allclose(y.numpy(), yt.detach().numpy(), rtol=1e-9, atol=1e-11)
    w = _rand(y.shape, np.iscomplexobj(y.numpy()), 5)
    cg.sum(cg.real(y * w)).backward()
    (yt * torch.tensor(w)).real.sum().backward()
    for x, t in zip(xs, ts):
        want = np.zeros(t.shape) if t.grad is None else np.conj(t.grad.numpy())
        got = np.zeros(x.shape) if x.grad is None else x.grad.numpy()
        np.testing.assert_allclose(got, want, rtol=1e-8, atol=1e-10, err_msg=name)


@needs_torch
@pytest.mark.parametrize("upper", [False, True])
def test_complex_cholesky_gradient_is_the_hermitian_part_of_torchs(upper):
    a = _hpd((2, 4, 4), True)
    w = _rand(a.shape, True, 3)
    x = cg.tensor(a, requires_grad=True)
    cg.sum(cg.real(L.cholesky(x, upper=upper) * w)).backward()
    t = torch.tensor(a, requires_grad=True)
    (torch.linalg.cholesky(t, upper=upper) * torch.tensor(w)).real.sum().backward()
    g = np.conj(t.grad.numpy())
    np.testing.assert_allclose(x.grad.numpy(), (g + np.conj(np.swapaxes(g, -1, -2))) / 2,
                               rtol=1e-9, atol=1e-12)


@needs_torch
@pytest.mark.parametrize("name", ["det", "slogdet_logabsdet", "inv", "cholesky", "eigvalsh",
                                  "svdvals(5, 3)", "norm_matrix_nuc", "pinv_tall", "qr_R(3, 5)"])
def test_hessian_equals_torch(name):
    f, tf, make = CASES[name]
    a = make(False)[0][..., :3, :3].copy()  # small: the Hessian has size**2 entries
    w = _rand(np.shape(_values(f(cg.tensor(a)))), False, 9)
    h = cg.hessian(lambda x: cg.sum(f(x) * w))(a)
    ht = torch.autograd.functional.hessian(
        lambda x: (_torch_fn(tf)(x) * torch.tensor(w)).sum(), torch.tensor(a))
    np.testing.assert_allclose(h.numpy(), ht.numpy(), rtol=1e-7, atol=1e-9)


def _values(t):
    return t.numpy()


@needs_jax
@pytest.mark.parametrize("name,f,jf,make", [
    ("cholesky", L.cholesky, lambda a: jnp.linalg.cholesky(a), lambda: _hpd((2, 4, 4), True)),
    ("eigh", lambda a: cg.abs(L.eigh(a)[1]) ** 2 + L.eigh(a)[0][..., None, :],
     lambda a: jnp.abs(jnp.linalg.eigh(a)[1]) ** 2 + jnp.linalg.eigh(a)[0][..., None, :],
     lambda: _hpd((2, 4, 4), True)),
    ("svd", lambda a: (lambda u, s, vh: (u * s[..., None, :]) @ vh)(*L.svd(a, False)),
     lambda a: (lambda u, s, vh: (u * s[..., None, :]) @ vh)(*jnp.linalg.svd(a, False)),
     lambda: _rand((2, 5, 3), True)),
    ("qr", lambda a: cg.abs(L.qr(a)[1]), lambda a: jnp.abs(jnp.linalg.qr(a)[1]),
     lambda: _rand((3, 5), True)),
    ("slogdet", lambda a: L.slogdet(a)[0], lambda a: jnp.linalg.slogdet(a)[0],
     lambda: _rand((4, 4), True)),
])
def test_complex_gradients_and_tangents_equal_jax(name, f, jf, make):
    a = make()
    herm = name in ("cholesky", "eigh")
    t = _rand(a.shape, True, 4)
    t = (t + np.conj(np.swapaxes(t, -1, -2))) / 2 if herm else t
    w = _rand(np.shape(_values(f(cg.tensor(a)))), True, 6)
    ref = jax.jit(lambda a, t: (jax.grad(lambda x: jnp.sum(jnp.real(jf(x) * w)))(a),
                                jax.jvp(jf, (a,), (t,))[1]))(a, t)
    np.testing.assert_allclose(cg.grad(lambda x: cg.sum(cg.real(f(x) * w)))(a).numpy(),
                               np.asarray(ref[0]), rtol=1e-8, atol=1e-10)
    np.testing.assert_allclose(cg.jvp(f, (a,), (t,))[1].numpy(), np.asarray(ref[1]),
                               rtol=1e-8, atol=1e-10)


def test_gradcheck_in_float64():
    rng = np.random.default_rng(3)
    a, b = rng.standard_normal((2, 3, 3)), rng.standard_normal((3, 2))
    assert cg.gradcheck(lambda x, y: L.solve(x @ L.inv(x) + x, y), a, b)
    assert cg.gradcheck(lambda x: L.matrix_norm(L.pinv(x), ord="nuc") + L.det(x[0]), a)
    assert cg.gradcheck(lambda x: L.eigh(x + cg.swapaxes(x, -1, -2))[0], a)


# ------------------------------------------------------------------ conventions at kinks
def test_norm_gradient_at_zero_is_zero_as_torch():
    z = np.zeros(3)
    for o in (None, 2, 1, 3):
        g = cg.grad(lambda x, o=o: L.norm(x, o))(z).numpy()
        assert np.array_equal(g, np.zeros(3)), o
    assert np.array_equal(cg.grad(lambda x: L.norm(x, "fro"))(np.zeros((2, 2))).numpy(),
                          np.zeros((2, 2)))


@needs_torch
def test_inf_norm_ties_share_the_gradient_as_torch():
    x = np.array([[3.0, -3.0, 1.0], [2.0, -1.0, 2.0]])
    for o in (INF, -INF):
        t = torch.tensor(x, requires_grad=True)
        torch.linalg.norm(t, o, dim=1).sum().backward()
        g = cg.grad(lambda a, o=o: cg.sum(L.norm(a, o, axis=1)))(x).numpy()
        np.testing.assert_allclose(g, t.grad.numpy())


def test_repeated_eigenvalues_and_singular_values():
    eye = np.eye(3)
    # values alone: finite (the rules recompute the vectors)
    np.testing.assert_allclose(cg.grad(lambda a: cg.sum(L.eigvalsh(a) ** 2))(eye).numpy(), 2 * eye)
    np.testing.assert_allclose(cg.grad(lambda a: L.norm(a, "nuc"))(eye).numpy(), eye)
    np.testing.assert_allclose(cg.grad(lambda a: cg.sum(L.svd(a)[1]))(eye).numpy(), eye)
    np.testing.assert_allclose(cg.grad(lambda a: cg.sum(L.eigh(a)[0]))(eye).numpy(), eye)
    # vectors at a repeated value: not finite (as torch and JAX)
    with np.errstate(all="ignore"):
        g = cg.grad(lambda a: cg.sum(L.eigh(a)[1] ** 3))(eye).numpy()
    assert not np.isfinite(g).all()


# ------------------------------------------------------------------ NumPy's results
def test_results_dtypes_and_dispatch_as_numpy():
    a = np.random.default_rng(0).standard_normal((2, 3, 3))
    t = cg.tensor(a)
    for f, args in ((np.linalg.inv, ()), (np.linalg.det, ()), (np.linalg.norm, ()),
                    (np.linalg.svd, ()), (np.linalg.qr, ()), (np.linalg.eigh, ()),
                    (np.linalg.slogdet, ()), (np.linalg.matrix_power, (2,)),
                    (np.linalg.pinv, ()), (np.linalg.matrix_rank, ()),
                    (np.linalg.vector_norm, ()), (np.linalg.matrix_norm, ()),
                    (np.linalg.svdvals, ()), (np.linalg.cholesky, ())):
        arg = a @ np.swapaxes(a, -1, -2) + 3 * np.eye(3) if f is np.linalg.cholesky else a
        got, want = f(cg.tensor(arg), *args), f(arg, *args)
        if isinstance(want, tuple):
            assert type(got).__name__ == type(want).__name__ and got._fields == want._fields
        for g, w in zip(got if isinstance(want, tuple) else [got],
                        want if isinstance(want, tuple) else [want]):
            assert isinstance(g, cg.Tensor) and g.dtype == np.asarray(w).dtype, f
            np.testing.assert_allclose(g.numpy(), w, rtol=1e-10, atol=1e-12, err_msg=str(f))
    assert L.inv(t.astype("float32")).dtype == np.float32
    assert L.det(cg.tensor(np.eye(2, dtype=int))).dtype == np.float64
    assert L.norm(cg.tensor(np.arange(4))).dtype == np.float64
    assert L.svd(cg.tensor(a.astype(np.complex64))).S.dtype == np.float32
    assert not L.matrix_rank(cg.tensor(a, requires_grad=True)).requires_grad
    h, tau = L.qr(t[0], "raw")
    hw, tauw = np.linalg.qr(a[0], "raw")
    np.testing.assert_allclose(h.numpy(), hw)
    np.testing.assert_allclose(tau.numpy(), tauw)
    assert L.qr(t, "r").shape == np.linalg.qr(a, "r").shape
    q, r = L.qr(cg.tensor(np.ones((4, 2))), "complete")
    assert q.shape == (4, 4) and r.shape == (4, 2)


def test_errors():
    with pytest.raises(ValueError, match="square"):
        L.inv(cg.ones((2, 3)))
    with pytest.raises(ValueError):
        L.inv(cg.tensor(np.zeros((2, 2))))  # singular (LinAlgError is a ValueError)
    with pytest.raises(ValueError, match="Invalid norm order"):
        L.norm(cg.ones((2, 2)), 3)
    with pytest.raises(ValueError, match="for vectors"):
        L.norm(cg.ones(3), "fro", axis=0)
    with pytest.raises(ValueError, match="Improper number of dimensions"):
        L.norm(cg.ones((2, 2, 2)), 2)
    with pytest.raises(TypeError, match="integer"):
        L.matrix_power(cg.ones((2, 2)), 1.5)
    with pytest.raises(ValueError, match="mode"):
        L.qr(cg.ones((2, 2)), "full")
    with pytest.raises(ValueError, match="UPLO"):
        L.eigh(cg.ones((2, 2)), "X")
    with pytest.raises(ValueError, match="not both"):
        L.pinv(cg.ones((2, 2)), 1e-3, rtol=1e-3)
