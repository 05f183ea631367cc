"""cg.special beyond the samples (tests/op_samples/special.py): values, gradients and
second derivatives against torch.special, special points against SciPy, the gradients
that are not implemented, logsumexp's b= and return_sign=, and life without SciPy."""
from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest
from helpers import optional_torch, skip_if_missing

import compgraph as cg
from compgraph.ops import special as special_ops

sc = pytest.importorskip("scipy.special")
torch = optional_torch()
S = cg.special
RNG = np.random.default_rng(15)
POS = RNG.uniform(0.3, 4.0, (3, 4))
ANY = RNG.standard_normal((3, 4)) * 2
UNIT = RNG.uniform(0.05, 0.95, (3, 4))
A = np.array([0.7, 1.5, 3.0, 5.5])

# name, cg function, torch function, input (all of one input, differentiated)
TORCH = [
    ("gammaln", S.gammaln, lambda x: torch.special.gammaln(x), POS),
    ("gammaln_neg", S.gammaln, lambda x: torch.lgamma(x), -POS - 0.5),
    ("digamma", S.digamma, lambda x: torch.special.digamma(x), POS),
    ("psi", S.psi, lambda x: torch.special.psi(x), POS),
    ("polygamma2", lambda x: S.polygamma(2, x), lambda x: torch.special.polygamma(2, x), POS),
    ("multigammaln", lambda x: S.multigammaln(x + 2, 4),
     lambda x: torch.special.multigammaln(x + 2, 4), POS),
    ("erf", S.erf, lambda x: torch.special.erf(x), ANY),
    ("erfc", S.erfc, lambda x: torch.special.erfc(x), ANY),
    ("erfinv", S.erfinv, lambda x: torch.special.erfinv(x), UNIT * 2 - 1),
    ("expit", S.expit, lambda x: torch.special.expit(x), ANY),
    ("logit", S.logit, lambda x: torch.special.logit(x), UNIT),
    ("entr", S.entr, lambda x: torch.special.entr(x), POS),
    ("ndtr", S.ndtr, lambda x: torch.special.ndtr(x), ANY),
    ("log_ndtr", S.log_ndtr, lambda x: torch.special.log_ndtr(x), ANY * 10),
    ("ndtri", S.ndtri, lambda x: torch.special.ndtri(x), UNIT),
    ("i0", S.i0, lambda x: torch.special.i0(x), ANY),
    ("i1", S.i1, lambda x: torch.special.i1(x), ANY),
    ("i0e", S.i0e, lambda x: torch.special.i0e(x), ANY),
    ("i1e", S.i1e, lambda x: torch.special.i1e(x), ANY),
    ("gammainc", lambda x: S.gammainc(A, x), lambda x: torch.special.gammainc(
        torch.tensor(A), x), POS),
    ("gammaincc", lambda x: S.gammaincc(A, x), lambda x: torch.special.gammaincc(
        torch.tensor(A), x), POS),
    ("xlogy_x", lambda x: S.xlogy(x, POS), lambda x: torch.special.xlogy(x, torch.tensor(POS)),
     ANY),
    ("xlogy_y", lambda y: S.xlogy(ANY, y), lambda y: torch.special.xlogy(torch.tensor(ANY), y),
     POS),
    ("xlog1py_x", lambda x: S.xlog1py(x, UNIT), lambda x: torch.special.xlog1py(
        x, torch.tensor(UNIT)), ANY),
    ("xlog1py_y", lambda y: S.xlog1py(ANY, y), lambda y: torch.special.xlog1py(
        torch.tensor(ANY), y), UNIT - 0.5),
    ("zeta_q", lambda q: S.zeta(A + 1.0, q), lambda q: torch.special.zeta(
        torch.tensor(A + 1.0), q), POS),
    ("logsumexp", lambda x: S.logsumexp(x, axis=1), lambda x: torch.special.logsumexp(x, 1), ANY),
    ("softmax", lambda x: S.softmax(x, axis=0), lambda x: torch.special.softmax(x, 0), ANY),
    ("log_softmax", lambda x: S.log_softmax(x, axis=1), lambda x: torch.special.log_softmax(
        x, 1), ANY),
]


@skip_if_missing(torch)
@pytest.mark.parametrize("name,f,tf,x", TORCH, ids=[c[0] for c in TORCH])
def test_values_gradients_and_second_derivatives_equal_torch(name, f, tf, x):
    w = RNG.standard_normal(np.shape(f(x)))
    tx = torch.tensor(x, requires_grad=True)
    ty = tf(tx)
    (tg,) = torch.autograd.grad((ty * torch.tensor(w)).sum(), tx, create_graph=True)
    # (x * log(y) is linear in x: torch's first derivative then has no graph)
    th = torch.autograd.grad((tg * tg).sum(), tx)[0] if tg.requires_grad else 0 * tx.detach()

    def first(v):
        return cg.grad(lambda u: cg.sum(f(u) * w))(v)

    np.testing.assert_allclose(f(cg.tensor(x)).numpy(), ty.detach().numpy(), rtol=1e-10)
    np.testing.assert_allclose(first(x).numpy(), tg.detach().numpy(), rtol=1e-8, atol=1e-12)
    np.testing.assert_allclose(cg.grad(lambda v: cg.sum(first(v) ** 2))(x).numpy(), th.numpy(),
                               rtol=1e-7, atol=1e-10)


@skip_if_missing(torch)
@pytest.mark.parametrize("name,tname", [("j0", "bessel_j0"), ("j1", "bessel_j1"),
                                        ("y0", "bessel_y0"), ("y1", "bessel_y1"),
                                        ("k0", "modified_bessel_k0"), ("k1", "modified_bessel_k1"),
                                        ("k0e", "scaled_modified_bessel_k0"),
                                        ("k1e", "scaled_modified_bessel_k1")])
def test_bessel_values_equal_torch(name, tname):
    # torch has no gradients of these: ours are checked by the samples' gradchecks and
    # below; torch's j0, j1, y0, y1 are good to about 1e-9 only
    got = getattr(S, name)(POS).numpy()
    np.testing.assert_allclose(got, getattr(torch.special, tname)(torch.tensor(POS)).numpy(),
                               rtol=1e-8, atol=1e-9)


def _x_grad(f, x):
    return cg.grad(lambda v: cg.sum(f(v)))(x).numpy()


def test_bessel_derivatives_by_their_recurrences():
    x = POS * 3
    np.testing.assert_allclose(_x_grad(S.j0, x), -sc.j1(x), rtol=1e-13)
    np.testing.assert_allclose(_x_grad(S.i0, x), sc.i1(x), rtol=1e-13)
    np.testing.assert_allclose(_x_grad(S.k0, x), -sc.k1(x), rtol=1e-13)
    np.testing.assert_allclose(_x_grad(S.y0, x), -sc.y1(x), rtol=1e-13)
    np.testing.assert_allclose(_x_grad(S.i1, 0.0), 0.5, rtol=1e-15)  # i1'(0) = 1/2
    for n in (0, 1, 4):  # jv' = jv(n-1) - n/x jv(n) ...
        np.testing.assert_allclose(_x_grad(lambda v: S.jn(n, v), x),
                                   sc.jvp(n, x), rtol=1e-11, atol=1e-14)
        np.testing.assert_allclose(_x_grad(lambda v: S.yn(n, v), x), sc.yvp(n, x), rtol=1e-11)
        np.testing.assert_allclose(_x_grad(lambda v: S.iv(n + 0.5, v), x), sc.ivp(n + 0.5, x),
                                   rtol=1e-11)
        np.testing.assert_allclose(_x_grad(lambda v: S.kv(n + 0.5, v), x), sc.kvp(n + 0.5, x),
                                   rtol=1e-11)


def test_derivatives_against_scipy_formulas():
    x = POS
    np.testing.assert_allclose(_x_grad(S.gamma, x), sc.gamma(x) * sc.digamma(x), rtol=1e-13)
    np.testing.assert_allclose(_x_grad(S.rgamma, -x - 0.5),
                               -sc.rgamma(-x - 0.5) * sc.digamma(-x - 0.5), rtol=1e-12)
    np.testing.assert_allclose(_x_grad(lambda v: S.betainc(2.5, 1.5, v), UNIT),
                               UNIT ** 1.5 * (1 - UNIT) ** 0.5 / sc.beta(2.5, 1.5), rtol=1e-12)
    from scipy.stats import t
    np.testing.assert_allclose(_x_grad(lambda v: S.stdtr(3.0, v), ANY), t.pdf(ANY, 3.0),
                               rtol=1e-12)
    da, db = cg.grad(lambda a, b: cg.sum(S.betaln(a, b)), argnums=(0, 1))(POS, UNIT)
    np.testing.assert_allclose(da.numpy(), sc.digamma(POS) - sc.digamma(POS + UNIT), rtol=1e-12)
    np.testing.assert_allclose(db.numpy(), sc.digamma(UNIT) - sc.digamma(POS + UNIT), rtol=1e-12)
    dz, dm = cg.grad(lambda z, m: cg.sum(S.poch(z, m)), argnums=(0, 1))(POS, 1.5)
    np.testing.assert_allclose(dz.numpy(), sc.poch(POS, 1.5) * (sc.digamma(POS + 1.5) -
                                                                sc.digamma(POS)), rtol=1e-12)
    np.testing.assert_allclose(dm.numpy(), np.sum(sc.poch(POS, 1.5) * sc.digamma(POS + 1.5)))


def test_special_points_as_scipy():
    with np.errstate(all="ignore"):
        for f, x in [(S.gamma, [0.0, -1.0, -2.5, 171.7]), (S.gammaln, [0.0, -1.0, -2.5, 1e308]),
                     (S.erfinv, [-1.0, 1.0, 1.5]), (S.logit, [0.0, 1.0, 2.0]),
                     (S.entr, [0.0, -1.0, np.inf]), (S.log_ndtr, [-40.0, 40.0, -np.inf]),
                     (S.ndtri, [0.0, 1.0]), (S.gammasgn, [-0.5, -1.5, 0.5])]:
            want = getattr(sc, f.__name__.split(".")[-1])(np.array(x))
            np.testing.assert_array_equal(f(np.array(x)).numpy(), want)
    assert S.xlogy(0.0, 0.0).item() == 0.0 and S.xlog1py(0.0, -1.0).item() == 0.0


def test_far_tails_keep_finite_gradients():
    # log_ndtr's derivative divides by ndtr inside the exponent: finite far out (about -x)
    g = _x_grad(S.log_ndtr, np.array([-40.0, -1e3]))
    np.testing.assert_allclose(g, [40.0249, 1000.001], rtol=1e-5)
    assert np.isfinite(_x_grad(S.i0e, np.array([700.0, -800.0]))).all()
    assert np.isfinite(_x_grad(S.k1e, np.array([700.0]))).all()


def test_xlogy_gradients_follow_jax():
    # d/dx x*log(y) is log(y) also where x == 0 (torch gives 0 there); d/dy is x/y
    dx, dy = cg.grad(lambda x, y: S.xlogy(x, y), argnums=(0, 1))(0.0, 2.0)
    assert dx.item() == pytest.approx(np.log(2.0)) and dy.item() == 0.0


@pytest.mark.parametrize("call,arg", [
    (lambda p, x: S.iv(p, x), "v"), (lambda p, x: S.jn(p, x), "v"), (lambda p, x: S.yn(p, x), "n"),
    (lambda p, x: S.polygamma(p, x), "n"), (lambda p, x: S.gammainc(p, x), "a"),
    (lambda p, x: S.gammaincc(p, x), "a"), (lambda p, x: S.betainc(p, 2.0, x), "a"),
    (lambda p, x: S.betaincc(2.0, p, x), "b"), (lambda p, x: S.stdtr(p, x), "df"),
    (lambda p, x: S.zeta(p + 1.5, x), "x")])
def test_gradients_in_orders_and_shape_parameters_raise(call, arg):
    p, x = cg.tensor(2.0, requires_grad=True), cg.tensor(0.5, requires_grad=True)
    with pytest.raises(NotImplementedError, match=f"no derivative with respect to {arg} "):
        cg.grad(lambda p: call(p, x))(p)
    gx = cg.grad(lambda x: call(2.0, x))(x)  # the continuous argument is fine
    assert np.isfinite(gx.item())


def test_logsumexp_b_and_return_sign_as_scipy():
    a = ANY
    b = np.where(RNG.uniform(size=a.shape) < 0.3, -1.0, 2.0)
    for axis in (None, 0, 1, (0, 1)):
        for keepdims in (False, True):
            r, s = S.logsumexp(a, axis=axis, b=b, keepdims=keepdims, return_sign=True)
            wr, ws = sc.logsumexp(a, axis=axis, b=b, keepdims=keepdims, return_sign=True)
            np.testing.assert_allclose(r.numpy(), wr, rtol=1e-12)
            np.testing.assert_array_equal(s.numpy(), ws)
            with np.errstate(invalid="ignore"):
                np.testing.assert_allclose(S.logsumexp(a, axis=axis, b=b, keepdims=keepdims).numpy(),
                                           sc.logsumexp(a, axis=axis, b=b, keepdims=keepdims),
                                           rtol=1e-12)
    r, s = S.logsumexp(a, axis=1, return_sign=True)
    np.testing.assert_array_equal(s.numpy(), np.ones(3))
    # terms with b == 0 drop out, also infinite ones; a slice of -inf is -inf
    inf = np.array([[np.inf, 1.0], [-np.inf, -np.inf]])
    np.testing.assert_array_equal(S.logsumexp(inf, axis=1, b=[0.0, 1.0]).numpy(), [1.0, -np.inf])
    np.testing.assert_array_equal(sc.logsumexp(inf, axis=1, b=[0.0, 1.0]), [1.0, -np.inf])


def test_logsumexp_b_gradients():
    a, b = ANY, POS
    assert cg.gradcheck(lambda a, b: S.logsumexp(a, axis=0, b=b), a, b)
    ga, gb = cg.grad(lambda a, b: cg.sum(S.logsumexp(a, axis=0, b=b)), argnums=(0, 1))(a, b)
    w = b * np.exp(a) / np.sum(b * np.exp(a), axis=0)
    np.testing.assert_allclose(ga.numpy(), w, rtol=1e-12)
    np.testing.assert_allclose(gb.numpy(), w / b, rtol=1e-12)


def test_aliases_and_dtypes():
    assert S.psi(POS).numpy().tolist() == S.digamma(POS).numpy().tolist()
    assert S.jn(2, POS).numpy().tolist() == S.jv(2, POS).numpy().tolist()
    np.testing.assert_array_equal(S.erf(ANY).numpy(), cg.erf(ANY).numpy())
    np.testing.assert_array_equal(S.expit(ANY).numpy(), cg.sigmoid(ANY).numpy())
    assert S.gammaln(np.float32(2.5)).dtype == np.float32
    assert S.gammaln(np.arange(3) + 1).dtype == np.float64
    assert S.polygamma(1, np.float32(0.5)).dtype == np.float64  # as SciPy's
    assert S.multigammaln(np.float32(3.0), 2).dtype == np.float64


def test_multigammaln_checks_d():
    with pytest.raises(ValueError, match="positive integer"):
        S.multigammaln(3.0, 0)
    with pytest.raises(ValueError, match="positive integer"):
        S.multigammaln(3.0, 2.5)
    with pytest.raises(ValueError):  # SciPy's own check: a > (d - 1) / 2
        S.multigammaln(1.0, 4)


def test_static_graph_derivative_texts_and_explain():
    g = cg.Graph()
    x = g.input("x", shape=(3,), dtype="float64")
    y = cg.sum(S.gammaln(x) * S.i0(x))
    (dx,) = g.gradients(y, [x])
    v = np.array([0.5, 1.5, 2.5])
    np.testing.assert_allclose(g.run(dx, {x: v}),
                               sc.digamma(v) * sc.i0(v) + sc.gammaln(v) * sc.i1(v), rtol=1e-13)
    assert cg.ops.OPS["gammaln"].deriv == ("digamma(x)",)
    assert cg.ops.OPS["betainc"].deriv[:2] == ("", "")


def test_without_scipy_using_raises_an_importerror_naming_the_extra(monkeypatch):
    monkeypatch.setattr(special_ops, "_SCIPY", [])
    monkeypatch.setitem(sys.modules, "scipy.special", None)
    with pytest.raises(ImportError, match=r"pip install 'compgraph\[scipy\]'"):
        S.gammaln(1.5)
    with pytest.raises(ImportError, match="compgraph.scipy"):
        cg.stats.norm.cdf(0.5)
    # what needs none of SciPy's functions still works
    assert S.softmax([1.0, 1.0]).numpy().tolist() == [0.5, 0.5]


def test_importing_compgraph_never_needs_scipy():
    code = ("import sys; sys.modules['scipy'] = None\n"
            "import compgraph as cg\n"
            "print(float(cg.stats.norm.logpdf(0.0)), float(cg.special.logsumexp([0.0, 0.0])))\n"
            "try:\n    cg.special.gammaln(1.0)\nexcept ImportError as e:\n    print(e)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    lines = out.stdout.splitlines()
    assert lines[0].startswith("-0.9189385332046727 0.693147180559945")
    assert "pip install 'compgraph[scipy]'" in lines[1]


def test_zeta_as_scipy_and_tensorflow():
    q = np.array([0.5, 1.0, 2.5, 10.0])
    np.testing.assert_allclose(S.zeta(3.0, q).numpy(), sc.zeta(3.0, q), rtol=1e-14)
    assert cg.math.zeta(2.0, 1.0).item() == pytest.approx(np.pi**2 / 6, rel=1e-14)
    assert np.isinf(S.zeta(1.0, 2.0).item())  # the pole at x == 1, as SciPy
    g = cg.grad(lambda q: S.zeta(3.0, q).sum())(q)
    np.testing.assert_allclose(g.numpy(), -3.0 * sc.zeta(4.0, q), rtol=1e-13)
