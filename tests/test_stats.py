"""cg.stats: SciPy's distributions as cg functions. Values equal scipy.stats (bad
parameters, points outside the support, broadcasting); gradients in x and in the
continuous parameters by finite differences and against torch.distributions, to
second order; frozen distributions; argument errors."""
from __future__ import annotations

import numpy as np
import pytest
from helpers import optional_torch, skip_if_missing

import compgraph as cg

ss = pytest.importorskip("scipy.stats")
torch = optional_torch()
st = cg.stats
RNG = np.random.default_rng(7)
X = np.array([[-3.0, -0.5, 0.0, 0.2], [0.5, 0.999, 1.0, 1.7], [4.0, np.inf, -np.inf, np.nan]])
K = np.array([[-1.0, 0.0, 1.0, 2.5], [3.0, 4.0, 10.0, np.nan], [0.0, 1.0, 2.0, 30.0]])
CONTINUOUS = ["pdf", "logpdf", "cdf", "logcdf", "sf", "logsf"]
DISCRETE = ["pmf", "logpmf", "cdf", "logcdf", "sf", "logsf"]

# distribution, parameters (broadcast against X's (3, 4); bad values included)
PARAMS = [
    ("norm", (), {}),
    ("norm", (), dict(loc=np.array([[0.3], [-1.0], [0.0]]), scale=np.array([0.5, 1, 2, -1.0]))),
    ("t", (np.array([1, 2.5, np.inf, -1.0]),), dict(loc=0.1)),
    ("t", (3.0,), dict(scale=np.array([[0.5], [2.0], [1.0]]))),
    ("gamma", (np.array([0.5, 1, 2.5, -1]),), dict(scale=1.5)),
    ("gamma", (2.0,), dict(loc=np.array([[-1.0], [0.5], [0.0]]))),
    ("beta", (np.array([0.5, 1, 2.5, 3]), np.array([2, 0.7, 1, 4.0])), dict(loc=-1, scale=3)),
    ("beta", (2.0, 3.0), {}),
    ("beta", (np.array([[0.5], [1.0], [-2.0]]), 1.5), dict(scale=np.array([1, 2, 1, 0.0]))),
    ("chi2", (np.array([1, 2, 3.5, 0.0]),), {}),
    ("chi2", (4.0,), dict(loc=0.2, scale=0.7)),
]


def _close(got, want, what, rtol=1e-12):
    got = got.numpy() if isinstance(got, cg.Tensor) else np.asarray(got)
    assert got.shape == np.shape(want), (what, got.shape, np.shape(want))
    np.testing.assert_allclose(got, want, rtol=rtol, atol=1e-300, equal_nan=True, err_msg=what)


@pytest.mark.parametrize("method", CONTINUOUS)
@pytest.mark.parametrize("name,args,kw", PARAMS, ids=lambda v: v if isinstance(v, str) else "")
def test_continuous_values_equal_scipy(name, args, kw, method):
    with np.errstate(all="ignore"):
        want = getattr(getattr(ss, name), method)(X, *args, **kw)
    _close(getattr(getattr(st, name), method)(X, *args, **kw), want, f"{name}.{method}")


@pytest.mark.parametrize("method", DISCRETE)
def test_poisson_values_equal_scipy(method):
    for mu, loc in [(np.array([0.0, 0.5, 3.0, -1.0]), 0), (2.5, np.array([[0], [1], [-2]]))]:
        with np.errstate(all="ignore"):
            want = getattr(ss.poisson, method)(K, mu, loc)
        _close(getattr(st.poisson, method)(K, mu, loc), want, method)


def test_scalars_give_0d_results_and_frozen_distributions_agree():
    r = st.norm.cdf(0.3, 1, 2)
    assert isinstance(r, cg.Tensor) and r.shape == ()
    assert r.item() == pytest.approx(ss.norm.cdf(0.3, 1, 2), rel=1e-15)
    frozen = st.gamma(2.5, scale=2.0)
    _close(frozen.logpdf(X), ss.gamma(2.5, scale=2.0).logpdf(X), "frozen gamma")
    _close(st.poisson(3.0).pmf(K), ss.poisson(3.0).pmf(K), "frozen poisson")
    assert "norm" in repr(st.norm) and "gamma" in repr(frozen)


def test_argument_errors():
    with pytest.raises(TypeError, match="missing parameter"):
        st.gamma.pdf(1.0)
    with pytest.raises(TypeError, match="unknown parameter 'mean'"):
        st.norm.pdf(1.0, mean=2)
    with pytest.raises(TypeError, match="repeated parameter 'loc'"):
        st.norm.pdf(1.0, 0.0, loc=2)
    with pytest.raises(TypeError, match="takes the parameters"):
        st.norm(0, 1, 2)


# ------------------------------------------------------------------ gradients
XS = RNG.uniform(0.1, 0.9, (3, 4))  # inside every support
LOC, SCALE = np.array([-0.2, 0.0, 0.1, 0.3]), np.array([[1.5], [0.8], [1.1]])

# distribution, method, function of (x, loc, scale, *shapes), shapes (differentiated too)
GRADS = [
    ("norm", m, (), ) for m in CONTINUOUS
] + [
    ("t", m, (np.array([1.5, 3.0, 7.0, 30.0]),)) for m in ("pdf", "logpdf")
] + [
    ("gamma", m, (np.array([0.8, 1.5, 3.0, 6.0]),)) for m in ("pdf", "logpdf")
] + [
    ("beta", m, (np.array([0.8, 1.5, 3.0, 6.0]), np.array([[2.0], [0.9], [4.0]])))
    for m in ("pdf", "logpdf")
] + [
    ("chi2", m, (np.array([0.8, 1.5, 3.0, 6.0]),)) for m in ("pdf", "logpdf")
]
# distribution functions: differentiable in x, loc and scale (not in shape parameters)
CDF = [(n, m, s) for n, s in [("t", (4.5,)), ("gamma", (2.5,)), ("beta", (2.5, 1.5)),
                              ("chi2", (3.0,))] for m in ("cdf", "logcdf", "sf", "logsf")]


@pytest.mark.parametrize("name,method,shapes", GRADS, ids=[f"{g[0]}.{g[1]}" for g in GRADS])
def test_gradients_in_x_and_every_parameter(name, method, shapes):
    f = getattr(getattr(st, name), method)
    fn = lambda x, loc, scale, *s: f(x, *s, loc=loc, scale=scale)  # noqa: E731
    args = (XS, LOC * 0.1, SCALE, *shapes)
    assert cg.gradcheck(fn, *args)
    if method == "logpdf":  # second order
        w = RNG.standard_normal(XS.shape)

        def first(*a):
            gs = cg.grad(lambda *b: cg.sum(fn(*b) * w), argnums=tuple(range(len(a))))(*a)
            return sum(cg.sum(g * g) for g in gs)

        assert cg.gradcheck(first, *args, rtol=1e-3, atol=1e-5)


@pytest.mark.parametrize("name,method,shapes", CDF, ids=[f"{g[0]}.{g[1]}" for g in CDF])
def test_distribution_functions_differentiable_in_x_loc_scale(name, method, shapes):
    f = getattr(getattr(st, name), method)
    assert cg.gradcheck(lambda x, loc, scale: f(x, *shapes, loc=loc, scale=scale), XS,
                        LOC * 0.1, SCALE)
    p = cg.tensor(shapes[0], requires_grad=True)
    with pytest.raises(NotImplementedError, match="no derivative with respect to"):
        cg.grad(lambda p: cg.sum(f(XS, p, *shapes[1:])))(p)


def test_poisson_gradients():
    k = np.array([0.0, 1.0, 3.0, 7.0])
    mu = np.array([[0.5], [2.0], [6.0]])
    for method in DISCRETE:
        f = getattr(st.poisson, method)
        assert cg.gradcheck(lambda mu: f(k, mu), mu), method
    # the gradient in k is the continuous extension's, as torch's log_prob (below); the
    # values off the integers are SciPy's (-inf)
    np.testing.assert_allclose(cg.grad(lambda mu: st.poisson.cdf(0, mu))(0.0).item(), -1.0)


def test_static_graph_equals_dynamic():
    g = cg.Graph()
    x = g.input("x", shape=(3, 4), dtype="float64")
    s = g.input("s", shape=(3, 1), dtype="float64")
    y = cg.sum(st.gamma.logpdf(x, 2.5, scale=s) + st.norm.logcdf(x, scale=s))
    grads = g.gradients(y, [x, s])
    got = g.run([y, *grads], {x: XS, s: SCALE})
    want = cg.value_and_grad(lambda x, s: cg.sum(st.gamma.logpdf(x, 2.5, scale=s) +
                                                 st.norm.logcdf(x, scale=s)), argnums=(0, 1))
    v, (gx, gs) = want(XS, SCALE)
    np.testing.assert_allclose(got[0], v.numpy(), rtol=1e-13)
    np.testing.assert_allclose(got[1], gx.numpy(), rtol=1e-13)
    np.testing.assert_allclose(got[2], gs.numpy(), rtol=1e-13)


# ------------------------------------------------------------------ torch.distributions
def _torch_pairs():
    D = torch.distributions
    a, b = np.array([0.8, 1.5, 3.0, 6.0]), np.array([[2.0], [0.9], [4.0]])
    return [
        ("norm", lambda x, p, q: st.norm.logpdf(x, p, q), lambda x, p, q: D.Normal(p, q).log_prob(x),
         (XS, LOC, SCALE)),
        ("norm.cdf", lambda x, p, q: st.norm.cdf(x, p, q), lambda x, p, q: D.Normal(p, q).cdf(x),
         (XS, LOC, SCALE)),
        ("t", lambda x, df, q: st.t.logpdf(x, df, 0.1, q),
         lambda x, df, q: D.StudentT(df, 0.1, q).log_prob(x), (XS, a, SCALE)),
        ("gamma", lambda x, a, q: st.gamma.logpdf(x, a, scale=q),
         lambda x, a, q: D.Gamma(a, 1 / q).log_prob(x), (XS, a, SCALE)),
        ("beta", lambda x, a, b: st.beta.logpdf(x, a, b), lambda x, a, b: D.Beta(a, b).log_prob(x),
         (XS, a, b)),
        ("chi2", lambda x, df: st.chi2.logpdf(x, df), lambda x, df: D.Chi2(df).log_prob(x),
         (XS * 3, a)),
        ("poisson", lambda k, mu: st.poisson.logpmf(k, mu),
         lambda k, mu: D.Poisson(mu).log_prob(k), (np.array([0.0, 1.0, 3.0, 7.0]), b)),
        ("dirichlet", lambda x, al: st.dirichlet.logpdf(x, al),
         lambda x, al: D.Dirichlet(al).log_prob(x.T), (RNG.dirichlet(a, 5).T, a)),
        ("dirichlet.entropy", lambda al: st.dirichlet.entropy(al),
         lambda al: D.Dirichlet(al).entropy(), (a,)),
    ]


@skip_if_missing(torch)
@pytest.mark.parametrize("case", range(9))
def test_log_densities_and_gradients_equal_torch(case):
    name, f, tf, args = _torch_pairs()[case]
    targs = [torch.tensor(v, requires_grad=True) for v in args]
    ty = tf(*targs)
    w = RNG.standard_normal(tuple(ty.shape))
    tg = torch.autograd.grad((ty * torch.tensor(w)).sum(), targs, create_graph=True)
    th = torch.autograd.grad(sum((g * g).sum() for g in tg), targs)
    n = tuple(range(len(args)))

    def first(*a):
        return cg.grad(lambda *b: cg.sum(f(*b) * w), argnums=n)(*a)

    _close(f(*args), ty.detach().numpy(), name, rtol=1e-11)
    # (torch's trigamma is good to about 1e-9 only; SciPy's, which we use, to the last bit)
    for got, want in zip(first(*args), tg):
        _close(got, want.detach().numpy(), f"{name} gradient", rtol=1e-8)
    second = cg.grad(lambda *a: sum(cg.sum(g * g) for g in first(*a)), argnums=n)(*args)
    for got, want in zip(second, th):
        _close(got, want.numpy(), f"{name} second order", rtol=1e-6)


def test_dirichlet_as_scipy():
    alpha = np.array([0.5, 2.0, 3.0])
    x = RNG.dirichlet(alpha, size=5).T
    for xs in (x, x[:2], x[:, 0], x[:2, :1]):
        _close(st.dirichlet.logpdf(xs, alpha), ss.dirichlet.logpdf(xs, alpha), "logpdf")
        _close(st.dirichlet.pdf(xs, alpha), ss.dirichlet.pdf(xs, alpha), "pdf")
    _close(st.dirichlet.entropy(alpha), ss.dirichlet.entropy(alpha), "entropy")
    _close(st.dirichlet(alpha).logpdf(x), ss.dirichlet(alpha).logpdf(x), "frozen")
    assert cg.gradcheck(lambda x2, a: st.dirichlet.logpdf(x2, a), x[:2], alpha)
    for bad_x, bad_a in [(x, -alpha), (x, alpha[:, None]), (x[:1], alpha), (x * 2, alpha),
                         (-x, alpha), (x * 0.9, alpha)]:
        with pytest.raises(ValueError):
            ss.dirichlet.logpdf(bad_x, bad_a)
        with pytest.raises(ValueError, match="dirichlet"):
            st.dirichlet.logpdf(bad_x, bad_a)


# ------------------------------------------------------------------ multivariate normal
needs_linalg = pytest.mark.skipif(
    not all(hasattr(cg.linalg, n) for n in ("cholesky", "solve")),
    reason="cg.linalg.cholesky / solve are not there yet")
M = np.array([0.5, -1.0, 2.0])
B = RNG.standard_normal((3, 3))
C = B @ B.T + np.eye(3)


@needs_linalg
def test_multivariate_normal_as_scipy():
    mvn, ref = st.multivariate_normal, ss.multivariate_normal
    for x, mean, cov in [(RNG.standard_normal((5, 3)), M, C), (RNG.standard_normal(3), M, C),
                         (RNG.standard_normal((2, 4, 3)), None, C),
                         (RNG.standard_normal((4, 3)), M, np.array([1.0, 2.0, 0.5])),
                         (RNG.standard_normal((4, 1, 3)), M, 2.5),
                         (RNG.standard_normal(4), 1.0, 2.0), (0.3, None, 2.0)]:
        _close(mvn.logpdf(x, mean, cov), ref.logpdf(x, mean, cov), "logpdf", rtol=1e-11)
        _close(mvn.pdf(x, mean=mean, cov=cov), ref.pdf(x, mean=mean, cov=cov), "pdf", rtol=1e-11)
        _close(mvn.entropy(mean, cov), ref.entropy(mean, cov), "entropy", rtol=1e-12)
        _close(mvn(mean, cov).logpdf(x), ref(mean, cov).logpdf(x), "frozen", rtol=1e-11)
    with pytest.raises(ValueError, match="mean must be a vector of length 3"):
        mvn.logpdf(np.zeros(3), np.zeros((3, 1)), C)
    with pytest.raises(ValueError, match="cov of shape"):
        mvn.logpdf(np.zeros(3), M, np.eye(2))
    with pytest.raises(NotImplementedError, match="singular"):
        mvn.logpdf(np.zeros(3), M, C, allow_singular=True)


@needs_linalg
@skip_if_missing(torch)
def test_multivariate_normal_gradients_equal_torch():
    x = RNG.standard_normal((5, 3))

    def f(x, m, b):
        return st.multivariate_normal.logpdf(x, m, b @ cg.transpose(b) + np.eye(3))

    args = (x, M, B)
    targs = [torch.tensor(v, requires_grad=True) for v in args]
    ty = torch.distributions.MultivariateNormal(
        targs[1], targs[2] @ targs[2].T + torch.eye(3, dtype=torch.float64)).log_prob(targs[0])
    tg = torch.autograd.grad(ty.sum(), targs)
    _close(f(*args), ty.detach().numpy(), "mvn", rtol=1e-11)
    for got, want in zip(cg.grad(lambda *a: cg.sum(f(*a)), argnums=(0, 1, 2))(*args), tg):
        _close(got, want.numpy(), "mvn gradient", rtol=1e-9)
    assert cg.gradcheck(f, *args)
    assert cg.gradcheck(lambda b: st.multivariate_normal.entropy(M, b @ cg.transpose(b)), B)
