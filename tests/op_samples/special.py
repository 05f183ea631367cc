"""Samples of cg.special (SciPy's special functions): none when SciPy is missing."""
import numpy as np
from helpers import Sample

import compgraph as cg

try:
    import scipy.special as sc
except ImportError:  # pragma: no cover - scipy is a test dependency
    sc = None

S = cg.special
X = (("pos", (3, 4)),)  # 0.5 .. 2
ANY = (("any", (3, 4)),)
SMALL = (("small", (3, 4)),)  # -1 .. 1
NZ = (("nz", (3, 4)),)
A = np.array([0.7, 1.5, 3.0, 5.5])  # shape parameters and orders, broadcast against x
V = np.array([0.0, 1.0, 2.5, -1.5])
N = np.array([0, 1, 2, 3])


def _unary(name, inputs=X, scale=1.0, shift=0.0, **kw):
    f = getattr(S, name)
    return Sample(f"special.{name}", lambda a: f(a * scale + shift),
                  lambda a: getattr(sc, name)(a * scale + shift), inputs, order2=True, **kw)


def _with(name, const, inputs=X, suffix=""):
    """A function of (parameter, x), differentiated in x only."""
    f = getattr(S, name)
    return Sample(f"special.{name}{suffix}", lambda a: f(const, a),
                  lambda a: getattr(sc, name)(const, a), inputs, order2=True)


SAMPLES = [] if sc is None else [
    _unary("gamma"), _unary("gammaln"), _unary("rgamma", ANY), _unary("digamma"),
    _unary("psi"), _unary("erfc", ANY), _unary("erfinv", SMALL, 0.9),
    _unary("erfcinv", SMALL, 0.9, 1.0), _unary("logit", SMALL, 0.4, 0.5), _unary("expit", ANY),
    _unary("erf", ANY), _unary("entr"), _unary("ndtr", ANY), _unary("log_ndtr", ANY, 5.0, -3.0),
    _unary("ndtri", SMALL, 0.45, 0.5), _unary("i0", ANY), _unary("i1", ANY), _unary("i0e", NZ),
    _unary("i1e", NZ), _unary("j0", ANY, 3.0), _unary("j1", ANY, 3.0), _unary("y0", X, 2.0),
    _unary("y1", X, 2.0), _unary("k0"), _unary("k1"), _unary("k0e"), _unary("k1e"),
    Sample("special.gammasgn", lambda a: S.gammasgn(a), sc.gammasgn, NZ),
    _with("polygamma", 1), _with("polygamma", np.array([0, 1, 2, 3]), suffix="_n"),
    Sample("special.multigammaln", lambda a: S.multigammaln(a + 1.5, 3),
           lambda a: sc.multigammaln(a + 1.5, 3), X, order2=True, dtypes=(np.float64,)),
    Sample("special.beta", lambda a, b: S.beta(a, b), sc.beta, X + X, order2=True),
    Sample("special.betaln", lambda a, b: S.betaln(a, b), sc.betaln, X + X, order2=True),
    Sample("special.poch", lambda a, b: S.poch(a, b), sc.poch, X + X, order2=True),
    Sample("special.betainc", lambda x: S.betainc(A, A[::-1], x * 0.4 + 0.5),
           lambda x: sc.betainc(A, A[::-1], x * 0.4 + 0.5), SMALL, order2=True),
    Sample("special.betaincc", lambda x: S.betaincc(A, A[::-1], x * 0.4 + 0.5),
           lambda x: sc.betaincc(A, A[::-1], x * 0.4 + 0.5), SMALL, order2=True),
    _with("gammainc", A), _with("gammaincc", A), _with("stdtr", A, ANY),
    _with("iv", V), _with("ive", V), _with("jv", V), _with("jn", N), _with("yn", N),
    _with("yv", V), _with("kv", V), _with("kve", V),
    Sample("special.zeta", lambda q: S.zeta(np.array([1.5, 2.0, 3.0, 4.5]), q),
           lambda q: sc.zeta(np.array([1.5, 2.0, 3.0, 4.5]), q), X, order2=True),
    Sample("special.xlogy", lambda a, b: S.xlogy(a, b), sc.xlogy, ANY + X, order2=True),
    Sample("special.xlog1py", lambda a, b: S.xlog1py(a, b), sc.xlog1py, ANY + SMALL,
           order2=True),
    Sample("special.logsumexp", lambda a: S.logsumexp(a, axis=1), lambda a: sc.logsumexp(a, axis=1),
           ANY, order2=True),
    Sample("special.logsumexp_b", lambda a, b: S.logsumexp(a, axis=0, b=b, keepdims=True),
           lambda a, b: sc.logsumexp(a, axis=0, b=b, keepdims=True), ANY + X, order2=True),
    Sample("special.logsumexp_all", lambda a, b: S.logsumexp(a, b=b), lambda a, b: sc.logsumexp(
        a, b=b), ANY + X, order2=True),
    Sample("special.softmax", lambda a: S.softmax(a), sc.softmax, ANY, order2=True),
    Sample("special.softmax_axis", lambda a: S.softmax(a, axis=0),
           lambda a: sc.softmax(a, axis=0), ANY, order2=True),
    Sample("special.log_softmax", lambda a: S.log_softmax(a, axis=1),
           lambda a: sc.log_softmax(a, axis=1), ANY, order2=True),
]
