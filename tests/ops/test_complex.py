"""Complex numbers: real, imag, conj, angle, abs, Python complex operands, and JAX's gradient
convention (checked against JAX; PyTorch's .grad of a real function is the conjugate)."""
from __future__ import annotations

import warnings

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

needs_jax = skip_if_missing(jax, "jax")
needs_torch = skip_if_missing(torch)
RNG = np.random.default_rng(7)
Z = np.array([0.3 + 0.4j, -0.5 + 0.2j, 0.7 - 0.6j, -1.1 - 0.3j])
W = np.array([0.2 - 0.9j, 1.3 + 0.1j, -0.4 + 0.8j, 0.6 + 0.5j])


def _np(t):
    return t.numpy() if isinstance(t, cg.Tensor) else np.asarray(t)


def close(a, b, **kw):
    np.testing.assert_allclose(_np(a), np.asarray(b), rtol=1e-10, atol=1e-12, **kw)


def test_the_api_example():
    g = cg.grad(lambda z: cg.real(z) ** 2 + cg.imag(z) ** 2)(3 + 4j)
    assert g.dtype == np.complex128
    assert complex(g.numpy()) == 6 - 8j
    assert complex(cg.grad(lambda z: cg.abs(z) ** 2)(3 + 4j).numpy()) == pytest.approx(6 - 8j)


def test_real_imag_conj_angle_values_methods_and_numpy_dispatch():
    t = cg.tensor(Z)
    for f, ref in ((cg.real, np.real), (cg.imag, np.imag), (cg.conj, np.conj),
                   (cg.conjugate, np.conjugate), (cg.angle, np.angle), (cg.abs, np.abs)):
        r = f(t)
        assert r.dtype == ref(Z).dtype and r.shape == Z.shape
        close(r, ref(Z))
        assert isinstance(ref(t), cg.Tensor)  # np.real(t) dispatches to compgraph
    close(t.real, Z.real)
    close(t.imag, Z.imag)
    close(t.conj(), Z.conj())
    close(t.conjugate(), Z.conj())
    close(cg.angle(t, deg=True), np.angle(Z, deg=True))
    x = cg.tensor(np.array([1.0, -2.0]))
    close(x.real, [1.0, -2.0])
    close(x.imag, [0.0, 0.0])
    assert cg.real(cg.tensor(Z.astype(np.complex64))).dtype == np.float32
    assert cg.abs(cg.tensor(Z.astype(np.complex64))).dtype == np.float32
    assert cg.angle(cg.tensor(np.arange(3))).dtype == np.float64


def test_python_complex_operands_and_complex_leaves():
    x = cg.tensor(2.0, requires_grad=True)
    y = cg.abs(x * 1j + 1) ** 2  # |1 + 2i|^2 = 5, d/dx = 2x = 4
    y.backward()
    assert x.grad.dtype == np.float64 and float(x.grad.numpy()) == pytest.approx(4.0)
    z = cg.tensor(Z.astype(np.complex64), requires_grad=True)
    cg.sum(cg.abs(z) ** 2).backward()
    assert z.grad.dtype == np.complex64
    np.testing.assert_allclose(z.grad.numpy(), 2 * np.conj(Z), rtol=1e-6)
    assert (1j - cg.tensor(1.0)).dtype == np.complex128


def test_a_real_input_gets_the_real_part_without_warning():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        g = cg.grad(lambda x: cg.real(cg.exp(x * (1 + 1j))))(0.5)
    assert g.dtype == np.float64
    assert float(g.numpy()) == pytest.approx(np.real((1 + 1j) * np.exp(0.5 * (1 + 1j))))


def test_static_graphs_take_complex_values():
    g = cg.Graph()
    x = g.input("x", shape=(4,), dtype=np.float64)
    y = cg.sum(cg.abs(cg.exp(x * 1j) + 2) ** 2)
    (dx,) = g.gradients(y, [x])
    a = RNG.standard_normal(4)
    want = cg.grad(lambda v: cg.sum(cg.abs(cg.exp(v * 1j) + 2) ** 2))(a)
    close(g.run(dx, {x: a}), want.numpy())
    close(g.compile(y)(a), np.sum(np.abs(np.exp(a * 1j) + 2) ** 2))


# ------------------------------------------------------------------ against JAX
HOLOMORPHIC = {
    "exp": (cg.exp, "exp"), "log": (cg.log, "log"), "sqrt": (cg.sqrt, "sqrt"),
    "cos": (cg.cos, "cos"), "tanh": (cg.tanh, "tanh"),
    "power": (lambda z: z ** (1.5 - 0.5j), lambda z: z ** (1.5 - 0.5j)),
    "rational": (lambda z: (z * z + 1) / (z - 2j), lambda z: (z * z + 1) / (z - 2j)),
    "sigmoid": (cg.sigmoid, lambda z: 1 / (1 + jnp.exp(-z))),
    "matmul": (lambda z: cg.sum(cg.outer(z, z) @ z), lambda z: jnp.sum(jnp.outer(z, z) @ z)),
}
REAL_VALUED = {  # C -> R: not holomorphic
    "abs2": (lambda z: cg.abs(z) ** 2, lambda z: jnp.abs(z) ** 2),
    "abs": (cg.abs, "abs"),
    "real": (lambda z: cg.real(z * z), lambda z: jnp.real(z * z)),
    "imag": (lambda z: cg.imag(cg.exp(z)), lambda z: jnp.imag(jnp.exp(z))),
    "angle": (cg.angle, "angle"),
    "conj": (lambda z: cg.real(cg.conj(z) * z * z), lambda z: jnp.real(jnp.conj(z) * z * z)),
    "norm": (lambda z: cg.linalg.norm(z), lambda z: jnp.linalg.norm(z)),
    "logsumexp": (lambda z: cg.real(cg.logsumexp(z)), lambda z: jnp.real(
        jax.scipy.special.logsumexp(z))),
}


def _jf(spec):
    return getattr(jnp, spec) if isinstance(spec, str) else spec


def _refs(jf, holomorphic):
    """JAX's value, gradient of the sum (of |f|**2 too), jvp and Jacobian: one compiled call."""
    def all_of(z, t):
        loss = lambda z: jnp.sum(jf(z))  # noqa: E731
        r = lambda z: jnp.sum(jnp.abs(jf(z)) ** 2)  # noqa: E731
        grad = jax.grad(loss, holomorphic=holomorphic)(z)
        return (jf(z), grad, jax.grad(r)(z), jax.jvp(jf, (z,), (t,))[1],
                (jax.jacfwd if holomorphic else jax.jacrev)(jf, holomorphic=holomorphic)(z),
                jax.grad(lambda z: jnp.sum(jnp.abs(jax.grad(r)(z)) ** 2))(z))

    return [np.asarray(v) for v in jax.jit(all_of)(Z, W)]


def _check(f, refs, holomorphic):
    value, grad, grad_r, tangent, jac, grad2 = refs
    loss = lambda z: cg.sum(f(z))  # noqa: E731
    r = lambda z: cg.sum(cg.abs(f(z)) ** 2)  # noqa: E731
    close(f(cg.tensor(Z)), value)
    close(cg.grad(loss, holomorphic=holomorphic)(Z), grad)
    close(cg.grad(r)(Z), grad_r)
    close(cg.jvp(f, (Z,), (W,))[1], tangent)
    close(cg.jacrev(f, holomorphic=holomorphic)(Z), jac)
    if holomorphic:
        close(cg.jacfwd(f, holomorphic=True)(Z), jac)
    # second order: the gradient of a real function of the gradient
    np.testing.assert_allclose(_np(cg.grad(lambda z: cg.sum(cg.abs(cg.grad(r)(z)) ** 2))(Z)),
                               grad2, rtol=1e-9, atol=1e-12)


@needs_jax
@pytest.mark.parametrize("name", sorted(HOLOMORPHIC))
def test_holomorphic_functions_equal_jax(name):
    f, jf = HOLOMORPHIC[name][0], _jf(HOLOMORPHIC[name][1])
    _check(f, _refs(jf, True), True)


@needs_jax
@pytest.mark.parametrize("name", sorted(REAL_VALUED))
def test_real_functions_of_complex_inputs_equal_jax(name):
    f, jf = REAL_VALUED[name][0], _jf(REAL_VALUED[name][1])
    _check(f, _refs(jf, False), False)


@needs_jax
def test_holomorphic_hessian_equals_jax():
    loss, jloss = (lambda z: cg.sum(z ** 3 / (z - 2j))), (lambda z: jnp.sum(z ** 3 / (z - 2j)))
    np.testing.assert_allclose(_np(cg.hessian(loss, holomorphic=True)(Z)),
                               np.asarray(jax.jit(jax.hessian(jloss, holomorphic=True))(Z)),
                               rtol=1e-9)


@needs_jax
def test_vjp_of_a_complex_output_equals_jax():
    f = lambda z: cg.exp(z) * cg.conj(z)  # noqa: E731
    jf = lambda z: jnp.exp(z) * jnp.conj(z)  # noqa: E731
    _, pull = cg.vjp(f, Z)
    _, jpull = jax.vjp(jf, Z)
    close(pull(W)[0], jpull(W)[0])


@needs_jax
def test_complex_reductions_and_products_equal_jax():
    a = RNG.standard_normal((3, 4)) + 1j * RNG.standard_normal((3, 4))
    cases = (
        (lambda x: cg.prod(x, axis=1), lambda x: jnp.prod(x, axis=1)),
        (lambda x: cg.mean(x * x, axis=0), lambda x: jnp.mean(x * x, axis=0)),
        (lambda x: cg.cumsum(x, axis=1), lambda x: jnp.cumsum(x, axis=1)),
        (lambda x: cg.var(x, axis=0), lambda x: jnp.var(x, axis=0)),
        (lambda x: x @ cg.swapaxes(x, 0, 1), lambda x: x @ x.T),
    )
    refs = jax.jit(lambda x: [(jf(x), jax.grad(lambda y, jf=jf: jnp.sum(jnp.abs(jf(y)) ** 2))(x))
                              for _, jf in cases])(a)
    for (f, _), (value, grad) in zip(cases, refs):
        close(f(cg.tensor(a)), value)
        loss = lambda x, f=f: cg.sum(cg.abs(f(x)) ** 2)  # noqa: E731
        np.testing.assert_allclose(_np(cg.grad(loss)(a)), np.asarray(grad), rtol=1e-9)


# ------------------------------------------------------------------ against PyTorch
@needs_torch
@pytest.mark.parametrize("name", ["abs2", "abs", "real", "imag", "angle", "conj"])
def test_torch_grad_is_the_conjugate_for_real_functions(name):
    f = REAL_VALUED[name][0]
    tf = {"abs2": lambda z: z.abs() ** 2, "abs": torch.abs, "real": lambda z: (z * z).real,
          "imag": lambda z: torch.exp(z).imag, "angle": torch.angle,
          "conj": lambda z: (z.conj() * z * z).real}[name]
    t = torch.tensor(Z, requires_grad=True)
    tf(t).sum().backward()
    close(cg.grad(lambda z: cg.sum(f(z)))(Z), np.conj(t.grad.numpy()))


# ------------------------------------------------------------------ JAX's checks
def test_holomorphic_and_complex_checks():
    with pytest.raises(TypeError, match="complex inputs"):
        cg.grad(lambda z: z * z, holomorphic=True)(1.0)
    with pytest.raises(TypeError, match="complex value"):
        cg.grad(lambda z: z * z)(1j)
    with pytest.raises(TypeError, match="real inputs"):
        cg.jacfwd(lambda z: z * z)(Z)
    with pytest.raises(TypeError, match="real outputs"):
        cg.jacrev(lambda z: z * z)(Z)
    with pytest.raises(TypeError, match="complex outputs"):
        cg.jacrev(lambda z: cg.abs(z), holomorphic=True)(Z)
    # jacobian of a real function of complex inputs: reverse mode, JAX's convention
    close(cg.jacobian(lambda z: cg.abs(z) ** 2)(Z), np.diag(2 * np.conj(Z)))


def test_iscomplex_isreal_and_real_if_close_as_numpy():
    a = np.array([1 + 1e-15j, 2, 3j])
    t = cg.tensor(a)
    for f in (np.iscomplex, np.isreal):
        r = f(t)
        assert isinstance(r, cg.Tensor) and r.dtype == bool
        np.testing.assert_array_equal(r.numpy(), f(a))
        np.testing.assert_array_equal(f(cg.tensor([1.0, 2.0])).numpy(), f(np.array([1.0, 2.0])))
    assert cg.iscomplexobj(t) and not cg.isrealobj(t) and np.isrealobj(cg.tensor([1.0]))
    close(cg.real_if_close(t), np.real_if_close(a))
    r = cg.real_if_close(cg.tensor(a[:2]))
    assert r.dtype == np.float64
    close(r, np.real_if_close(a[:2]))
    g = cg.grad(lambda z: cg.sum(cg.real_if_close(z) ** 2))(a[:2])
    close(g, 2 * a[:2].real)
