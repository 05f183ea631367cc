"""Connectionist temporal classification (Graves et al., 2006) as two primitives.

* ``ctc_nll``: the negative log-likelihood of each target sequence under per-frame
  class log-probabilities ``lp`` (T, N, C), summed over every alignment by the forward
  (alpha) recursion in log space.  Inputs: ``lp``, the targets padded to (N, S),
  ``input_lengths`` (N,), ``target_lengths`` (N,); attributes ``blank`` and
  ``zero_infinity``.  Differentiable in ``lp`` only.
* ``ctc_nll_grad``: ``g[n] * d nll[n] / d lp[t, n, c]``, from the alpha and beta
  recursions: ``-sum over the extended-label positions s of class c of
  exp(alpha[t, s] + beta[t, s] - lp[t, c] + nll)`` (the posterior of passing through
  class c at frame t).  It is the true derivative with respect to ``lp``; PyTorch's
  ``ctc_loss`` backward adds ``exp(lp)`` (the softmax term), which cancels once the
  gradient goes back through ``log_softmax``, so gradients of anything computed before
  ``log_softmax`` agree with PyTorch's.  No second derivative in ``lp`` (as PyTorch).

Both compute in float64 and return the input's dtype.  Frames at or past a sequence's
input length, and extended positions past its target, are excluded.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .meta import Meta
from .registry import defop
from .spec import Codegen, no

__all__ = ["CTC_NLL", "CTC_NLL_GRAD", "ctc_alpha_beta"]

_NEG = -np.inf


def _lse3(a: np.ndarray, b: np.ndarray, c: np.ndarray) -> np.ndarray:
    """log(exp(a) + exp(b) + exp(c)), -inf where all three are -inf."""
    m = np.maximum(np.maximum(a, b), c)
    safe = np.where(np.isfinite(m), m, 0.0)
    with np.errstate(divide="ignore"):
        return safe + np.log(np.exp(a - safe) + np.exp(b - safe) + np.exp(c - safe))


def _shift(x: np.ndarray, k: int) -> np.ndarray:
    """x[..., s - k] (-inf where s < k) for k > 0; x[..., s - k] (-inf past the end) for k < 0."""
    out = np.full_like(x, _NEG)
    if k > 0:
        out[..., k:] = x[..., :-k]
    else:
        out[..., :k] = x[..., -k:]
    return out


def _setup(lp: Any, targets: Any, input_lengths: Any, target_lengths: Any, blank: int) -> tuple:
    lp = np.asarray(lp, dtype=np.float64)
    tg = np.asarray(targets).astype(np.int64, copy=False)
    il = np.asarray(input_lengths).astype(np.int64, copy=False).reshape(-1)
    tl = np.asarray(target_lengths).astype(np.int64, copy=False).reshape(-1)
    t_max, n = lp.shape[0], lp.shape[1]
    s = tg.shape[1] if tg.ndim == 2 else 0
    ext = np.full((n, 2 * s + 1), blank, np.int64)
    ext[:, 1::2] = tg.reshape(n, s)
    pos = np.arange(2 * s + 1)
    valid = pos[None, :] < (2 * tl + 1)[:, None]  # (N, L): positions of each target
    ext = np.where(valid, ext, blank)  # (padding past a target: any class will do)
    skip = np.zeros_like(valid)
    skip[:, 2:] = (ext[:, 2:] != blank) & (ext[:, 2:] != ext[:, :-2])
    lp_ext = lp[:, np.arange(n)[:, None], ext]  # (T, N, L)
    return lp, ext, il, tl, valid, skip, lp_ext, t_max, n


def ctc_alpha_beta(
    lp: Any, targets: Any, input_lengths: Any, target_lengths: Any, blank: int, beta: bool
) -> tuple:
    """(nll (N,), log_alpha (T, N, L), log_beta or None, extended labels (N, L), lp_ext)
    in float64: the recursions both primitives share."""
    lp, ext, il, tl, valid, skip, lp_ext, t_max, n = _setup(
        lp, targets, input_lengths, target_lengths, blank
    )
    width = ext.shape[1]
    alpha = np.full((t_max, n, width), _NEG)
    if t_max:
        a = np.full((n, width), _NEG)
        a[:, 0] = lp_ext[0, :, 0]
        if width > 1:
            a[:, 1] = np.where(tl > 0, lp_ext[0, :, 1], _NEG)
        alpha[0] = a
        for t in range(1, t_max):
            two = np.where(skip, _shift(a, 2), _NEG)
            a = _lse3(a, _shift(a, 1), two) + lp_ext[t]
            a[~valid] = _NEG
            alpha[t] = a
    rows = np.arange(n)
    last = np.clip(il - 1, 0, None)
    end = alpha[last, rows, 2 * tl]
    before = np.where(tl > 0, alpha[last, rows, np.maximum(2 * tl - 1, 0)], _NEG)
    with np.errstate(divide="ignore"):
        nll = -np.logaddexp(end, before)
    # No frames: only the empty target has an alignment (probability 1).
    nll = np.where(il > 0, nll, np.where(tl == 0, 0.0, np.inf))
    if not beta:
        return nll, alpha, None, ext, lp_ext
    bt = np.full((t_max, n, width), _NEG)
    init = np.full((n, width), _NEG)
    init[rows, 2 * tl] = lp_ext[last, rows, 2 * tl] if t_max else _NEG
    has = tl > 0
    init[rows[has], 2 * tl[has] - 1] = lp_ext[last[has], rows[has], 2 * tl[has] - 1]
    skip_next = np.zeros_like(skip)  # may s go to s + 2?
    skip_next[:, :-2] = skip[:, 2:]
    b = np.full((n, width), _NEG)
    for t in range(t_max - 1, -1, -1):
        two = np.where(skip_next, _shift(b, -2), _NEG)
        rec = _lse3(b, _shift(b, -1), two) + lp_ext[t]
        now = (t == il - 1)[:, None]
        b = np.where(now, init, np.where((t < il - 1)[:, None], rec, _NEG))
        b[~valid] = _NEG
        bt[t] = b
    return nll, alpha, bt, ext, lp_ext


def _ctc_nll(lp, targets, input_lengths, target_lengths, blank=0, zero_infinity=False):
    dtype = np.result_type(lp)
    nll = ctc_alpha_beta(lp, targets, input_lengths, target_lengths, blank, False)[0]
    if zero_infinity:
        nll = np.where(np.isinf(nll), 0.0, nll)
    return nll.astype(dtype if dtype.kind == "f" else np.float64)


def _ctc_nll_grad(g, lp, targets, input_lengths, target_lengths, blank=0, zero_infinity=False):
    dtype = np.result_type(lp)
    arr = np.asarray(lp)
    nll, alpha, beta, ext, lp_ext = ctc_alpha_beta(
        arr, targets, input_lengths, target_lengths, blank, True
    )
    with np.errstate(invalid="ignore", over="ignore"):
        log_post = alpha + beta - lp_ext + nll[None, :, None]
        post = np.where(np.isneginf(alpha) | np.isneginf(beta), 0.0, np.exp(log_post))
    t_max, n, c = arr.shape
    grad = np.zeros((t_max, n * c))
    cols = (np.arange(n)[:, None] * c + ext).reshape(-1)
    np.add.at(grad, (slice(None), cols), post.reshape(t_max, -1))
    grad = grad.reshape(t_max, n, c)
    scale = np.asarray(g, np.float64).reshape(-1)
    if zero_infinity:
        scale = np.where(np.isinf(nll), 0.0, scale)
    grad *= -scale[None, :, None]
    if zero_infinity:
        grad[:, np.isinf(nll), :] = 0.0
    else:
        # No alignment: NaN over the sequence's frames, as PyTorch (a zero would hide it).
        bad = np.isinf(nll)[None, :] & (np.arange(t_max)[:, None] < np.asarray(input_lengths))
        grad[bad] = np.nan
    return grad.astype(dtype if dtype.kind == "f" else np.float64)


def _nll_shape(metas, **attrs):
    lp = metas[0].shape if isinstance(metas[0], Meta) else None
    if lp is None or len(lp) != 3:
        return None
    return (lp[1],)


def _grad_shape(metas, **attrs):
    return metas[1].shape if isinstance(metas[1], Meta) else None


def _float_of(i: int):
    def rule(metas, **attrs):
        m = metas[i]
        if not isinstance(m, Meta) or m.dtype is None:
            return None
        return m.dtype if np.dtype(m.dtype).kind == "f" else np.dtype(np.float64)

    return rule


def _nll_vjp(ns, g, out, lp, targets, il, tl, blank, zero_infinity):
    return ns.ctc_nll_grad(g, lp, targets, il, tl, blank=blank, zero_infinity=zero_infinity)


def _nll_jvp(ns, t, out, lp, targets, il, tl, blank, zero_infinity):
    ones = ns.ones_like(out)
    d = ns.ctc_nll_grad(ones, lp, targets, il, tl, blank=blank, zero_infinity=zero_infinity)
    return ns.sum(t * d, axis=(0, 2))


def _grad_dg(ns, ct, out, g, lp, targets, il, tl, blank, zero_infinity):
    # The gradient is linear in g: its own VJP in g is the Jacobian row times ct.
    ones = ns.ones_like(g)
    d = ns.ctc_nll_grad(ones, lp, targets, il, tl, blank=blank, zero_infinity=zero_infinity)
    return ns.sum(ct * d, axis=(0, 2))


def _grad_jvp_g(ns, t, out, g, lp, targets, il, tl, blank, zero_infinity):
    return ns.ctc_nll_grad(t, lp, targets, il, tl, blank=blank, zero_infinity=zero_infinity)


def _no_second(ns, ct, out, *args, **attrs):
    raise NotImplementedError(
        "ctc_loss: no second derivative with respect to log_probs (as PyTorch); "
        "differentiate ctc_loss once"
    )


_FRONTS: dict[str, Any] = dict(
    names=no("internal: reached through cg.nn.functional.ctc_loss"),
    method=no("internal: reached through cg.nn.functional.ctc_loss"),
    numpy=no("NumPy has no CTC loss"),
    cli=no("internal: reached through cg.nn.functional.ctc_loss"),
    onnx=no("ONNX has no CTC loss operator"),
    batch=no("a dynamic-programming recursion over frames: the rule runs once per direction"),
    codegen=Codegen(fresh=True),
)

CTC_NLL = defop(
    "ctc_nll",
    _ctc_nll,
    shape=_nll_shape,
    dtype=_float_of(0),
    vjp=(_nll_vjp, None, None, None),
    jvp=(_nll_jvp, None, None, None),
    saves=((0, 1, 2, 3), (), (), ()),
    deriv=("-posterior of class c at frame t (alpha beta / p)", "", "", ""),
    args=("log_probs", "targets", "input_lengths", "target_lengths"),
    doc="CTC negative log-likelihood per sequence of (T, N, C) log-probabilities "
    "against targets padded to (N, S)",
    **_FRONTS,
)

CTC_NLL_GRAD = defop(
    "ctc_nll_grad",
    _ctc_nll_grad,
    shape=_grad_shape,
    dtype=_float_of(1),
    vjp=(_grad_dg, _no_second, None, None, None),
    jvp=(_grad_jvp_g, _no_second, None, None, None),
    saves=((1, 2, 3, 4), (), (), (), ()),
    deriv=("d nll / d log_probs", "(not implemented)", "", "", ""),
    args=("g", "log_probs", "targets", "input_lengths", "target_lengths"),
    doc="g[n] * d ctc_nll[n] / d log_probs (the posterior of each class at each frame)",
    **_FRONTS,
)
