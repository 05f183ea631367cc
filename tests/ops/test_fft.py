"""cg.fft against torch.fft (values and gradients: torch's is the conjugate of compgraph's,
JAX's convention) and JAX (forward mode), dtypes as NumPy, dispatch and errors."""
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
F = cg.fft


def _rand(shape, cplx, seed=0):
    rng = np.random.default_rng(seed)
    a = rng.standard_normal(shape)
    return a + 1j * rng.standard_normal(shape) if cplx else a


# name -> (positional arguments after x, complex input?)
ONE_D = {"fft": True, "ifft": True, "rfft": False, "irfft": True, "hfft": True, "ihfft": False}
N_D = {"fftn": True, "ifftn": True, "rfftn": False, "irfftn": True}
CASES = []
for norm in (None, "ortho", "forward"):
    for name, cplx in ONE_D.items():
        for n in (None, 5, 12):
            CASES.append((name, (n, 1, norm), {}, cplx, (3, 8)))
    for name, cplx in N_D.items():
        for s, axes in ((None, None), ((3, 7), (0, 2)), ((4, 6), (-1, 1))):
            CASES.append((name, (s, axes, norm), {}, cplx, (4, 3, 5)))
CASES += [("fft2", (), {}, True, (2, 4, 6)), ("irfft2", ((4, 6),), {}, True, (2, 4, 4)),
          ("fftshift", (), {"axes": (0, 2)}, True, (3, 4, 5)),
          ("ifftshift", (), {}, False, (3, 5))]


def _torch(name, args, kw):
    tf = getattr(torch.fft, name)
    if name in ONE_D:
        n, axis, norm = args
        return lambda t: tf(t, n, axis, norm)
    if name in N_D:
        s, axes, norm = args
        return lambda t: tf(t, s, axes, norm)
    if name == "fftshift":
        return lambda t: tf(t, dim=kw["axes"])
    return lambda t: tf(t, *args)


@needs_torch
@pytest.mark.parametrize("name,args,kw,cplx,shape", CASES,
                         ids=[f"{c[0]}-{c[1]}-{c[2]}" for c in CASES])
def test_values_and_gradients_equal_torch(name, args, kw, cplx, shape):
    a = _rand(shape, cplx)
    x = cg.tensor(a, requires_grad=True)
    y = getattr(F, name)(x, *args, **kw)
    want = getattr(np.fft, name)(a, *args, **kw)
    assert y.dtype == want.dtype and y.shape == want.shape
    np.testing.assert_allclose(y.numpy(), want, rtol=1e-10, atol=1e-12)
    t = torch.tensor(a, requires_grad=True)
    yt = _torch(name, args, kw)(t)
    np.testing.assert_allclose(yt.detach().resolve_conj().numpy(), want, rtol=1e-10, atol=1e-12)
    w = _rand(y.shape, np.iscomplexobj(want), 1)
    cg.sum(cg.real(y * w)).backward()
    (yt * torch.tensor(w)).real.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), np.conj(t.grad.resolve_conj().numpy()),
                               rtol=1e-9, atol=1e-12)


@needs_jax
def test_forward_mode_and_gradients_equal_jax():
    a, t = _rand((4, 6), True), _rand((4, 6), True, 2)
    fns = [
        (lambda x: F.irfft(F.fft(x, 7, 0), 9), lambda x: jnp.fft.irfft(jnp.fft.fft(x, 7, 0), 9)),
        (lambda x: F.hfft(x, norm="ortho"), lambda x: jnp.fft.hfft(x, norm="ortho")),
        (lambda x: F.rfftn(cg.real(x), (3, 8)), lambda x: jnp.fft.rfftn(jnp.real(x), (3, 8))),
    ]
    ref = jax.jit(lambda a, t: [(jax.jvp(jf, (a,), (t,))[1],
                                 jax.grad(lambda x, jf=jf: jnp.sum(jnp.abs(jf(x)) ** 2))(a))
                                for _, jf in fns])(a, t)
    for (f, _), (tangent, grad) in zip(fns, ref):
        np.testing.assert_allclose(cg.jvp(f, (a,), (t,))[1].numpy(), np.asarray(tangent),
                                   rtol=1e-9, atol=1e-12)
        np.testing.assert_allclose(cg.grad(lambda x, f=f: cg.sum(cg.abs(f(x)) ** 2))(a).numpy(),
                                   np.asarray(grad), rtol=1e-9, atol=1e-12)


def test_a_real_signal_and_float32():
    a = _rand((3, 8), False)
    g = cg.grad(lambda x: cg.sum(cg.abs(F.rfft(x)) ** 2))(a)  # Parseval: about 2 n x
    assert g.dtype == np.float64
    assert F.fft(cg.tensor(a.astype(np.float32))).dtype == np.complex64
    assert F.irfft(cg.tensor(a.astype(np.complex64))).dtype == np.float32
    assert F.fft(cg.tensor(np.arange(4))).dtype == np.complex128
    x = cg.tensor(a.astype(np.float32), requires_grad=True)
    cg.sum(cg.real(F.fft(x))).backward()
    assert x.grad.dtype == np.float32
    np.testing.assert_allclose(F.fftfreq(8, 0.1).numpy(), np.fft.fftfreq(8, 0.1))
    np.testing.assert_allclose(F.rfftfreq(9).numpy(), np.fft.rfftfreq(9))
    assert F.fftfreq(4, dtype=np.float32).dtype == np.float32


def test_numpy_dispatch_and_errors():
    t = cg.tensor(_rand((2, 6), True))
    for f in (np.fft.fft, np.fft.ifft2, np.fft.rfftn, np.fft.hfft, np.fft.fftshift):
        r = f(t.real if f is np.fft.rfftn else t)
        assert isinstance(r, cg.Tensor)
    with pytest.raises(ValueError, match="Invalid norm"):
        F.fft(t, norm="both")
    with pytest.raises(ValueError, match="Invalid number of FFT data points"):
        F.fft(t, 0)
    with pytest.raises(ValueError, match="different lengths"):
        F.fftn(t, (2, 3), (0,))
    with pytest.raises(ValueError, match="out of range"):
        F.fft(t, axis=2)


def test_static_graphs_save_and_load_the_string_attributes(tmp_path):
    g = cg.Graph()
    x = g.input("x", shape=(3, 4), dtype=np.float64)
    sym = cg.matmul(x, cg.transpose(x))
    y = (cg.sum(cg.abs(F.rfft(x, 6, norm="ortho"))) + cg.sum(cg.linalg.qr(cg.transpose(x))[1])
         + cg.sum(cg.linalg.eigh(sym, "U")[0]) + cg.sum(cg.linalg.norm(x, np.inf, axis=1)))
    (dx,) = g.gradients(y, [x])
    a = np.random.default_rng(0).standard_normal((3, 4))
    want = g.run([y, dx], {x: a})
    g.save(tmp_path / "g.npz")
    h = cg.Graph.load(tmp_path / "g.npz")
    for got, w in zip(h.run([h[y.name], h[dx.name]], {"x": a}), want):
        np.testing.assert_allclose(got, w, rtol=1e-12)
