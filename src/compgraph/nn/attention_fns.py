"""Functions of torch.nn.functional for attention and fused losses written on cg functions
(F.multi_head_attention_forward, F.linear_cross_entropy).

Both compute in the open with ``cg`` functions, so their gradients (to every tensor
argument, float masks included) come from the ops' rules.  Argument errors are
ValueErrors; those torch raises as RuntimeError are RuntimeErrors too, and an
out-of-range class index is an IndexError too, as torch's.
"""

from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np

from .. import functions as cg
from ..random import default_generator
from ..tensor import Tensor
from .fn_args import dtype_of as _dtype
from .fn_args import shape_of as _shape
from .fn_args import value_of as _value

__all__ = ["multi_head_attention_forward", "linear_cross_entropy"]


class _ArgumentError(ValueError, RuntimeError):
    """A bad argument: ValueError as compgraph's, RuntimeError as torch's."""


class _OutOfBounds(IndexError, ValueError):
    """A class index out of range: IndexError as torch's, ValueError as compgraph's."""


# ------------------------------------------------------------------ attention
def _mha_shape_check(
    query: Any, key: Any, value: Any, kpm: Any, attn_mask: Any, num_heads: int, where: str
) -> bool:
    """Whether the call is batched (3-D query), after torch's ``_mha_shape_check``."""
    nq, nk, nv = len(_shape(query)), len(_shape(key)), len(_shape(value))
    if nq not in (2, 3):
        raise ValueError(
            f"{where}: query should be unbatched 2D or batched 3D, got shape {_shape(query)}"
        )
    if nk != nq or nv != nq:
        raise ValueError(
            f"{where}: for a {nq}-D query, expected {nq}-D key and value, got shapes "
            f"{_shape(key)} and {_shape(value)}"
        )
    if kpm is not None and len(_shape(kpm)) != nq - 1:
        raise ValueError(
            f"{where}: for a {nq}-D query, expected key_padding_mask None or "
            f"{nq - 1}-D, got shape {_shape(kpm)}"
        )
    if attn_mask is not None:
        ms = _shape(attn_mask)
        if len(ms) not in (2, 3):
            raise ValueError(f"{where}: expected attn_mask None, 2-D or 3-D, got shape {ms}")
        want = (num_heads, _shape(query)[0], _shape(key)[0])
        if nq == 2 and len(ms) == 3 and ms != want:
            raise ValueError(f"{where}: expected a 3-D attn_mask of shape {want}, got {ms}")
    return nq == 3


def _canonical_mask(mask: Any, name: str, dtype: np.dtype, where: str) -> Any:
    """A bool mask (True = masked out) as 0/-inf to add; a float mask as given."""
    if mask is None:
        return None
    mdt = _dtype(mask)
    if mdt == np.bool_:
        return np.where(_value(mask), -np.inf, 0.0).astype(dtype)
    if mdt.kind != "f":
        raise TypeError(f"{where}: only bool and floating {name} are supported, got {mdt}")
    # a float Tensor stays one, so the scores' gradient reaches it (as torch's)
    return mask if isinstance(mask, Tensor) else np.asarray(mask, dtype)


def _pad_last(m: Any) -> Any:
    """One more (unmasked) key position at the end of the last axis."""
    zeros = np.zeros(_shape(m)[:-1] + (1,), _dtype(m))
    return (
        cg.concatenate([m, zeros], -1) if isinstance(m, Tensor) else np.concatenate([m, zeros], -1)
    )


def _attention_dropout(x: Any, p: float, generator: Any) -> Any:
    if p == 1.0:  # everything dropped: zeros, as torch (no 1/0 scale)
        return cg.multiply(x, 0.0)
    rng = default_generator.rng if generator is None else getattr(generator, "rng", generator)
    keep = (rng.random(_shape(x)) >= p).astype(_dtype(x))
    return cg.multiply(x, keep * (1.0 / (1.0 - p)))


def _in_projection(
    query: Any,
    key: Any,
    value: Any,
    e: int,
    in_proj_weight: Any,
    in_proj_bias: Any,
    separate: tuple | None,
    where: str,
) -> tuple:
    """q, k, v: the packed (3E, E) weight's thirds, or the three separate weights."""
    b = in_proj_bias
    bq, bk, bv = (None,) * 3 if b is None else (b[:e], b[e : 2 * e], b[2 * e :])
    if separate is not None:
        names = ("q_proj_weight", "k_proj_weight", "v_proj_weight")
        for name, w in zip(names, separate, strict=True):
            if w is None:
                raise ValueError(f"{where}: use_separate_proj_weight is True but {name} is None")
        wq, wk, wv = separate
        return cg.linear(query, wq, bq), cg.linear(key, wk, bk), cg.linear(value, wv, bv)
    if in_proj_weight is None:
        raise ValueError(f"{where}: use_separate_proj_weight is False but in_proj_weight is None")
    w = in_proj_weight
    if query is key and key is value:  # self-attention: one product
        qkv = cg.linear(query, w, b)
        return qkv[..., :e], qkv[..., e : 2 * e], qkv[..., 2 * e :]
    if key is value:  # encoder-decoder attention: key and value in one product
        kv = cg.linear(key, w[e:], None if b is None else b[e:])
        return cg.linear(query, w[:e], bq), kv[..., :e], kv[..., e:]
    return (
        cg.linear(query, w[:e], bq),
        cg.linear(key, w[e : 2 * e], bk),
        cg.linear(value, w[2 * e :], bv),
    )


def _static(t: Any, x: Any, name: str, bh: int, d: int, where: str) -> Any:
    """``x`` (S, N, E) as (N*heads, S, head_dim), or ``t`` given in that layout."""
    if t is None:
        return cg.swapaxes(cg.reshape(x, (_shape(x)[0], bh, d)), 0, 1)
    s = _shape(t)
    if len(s) != 3 or s[0] != bh or s[2] != d:
        raise ValueError(f"{where}: expected {name} of shape ({bh}, S, {d}), got {s}")
    return t


def multi_head_attention_forward(
    query: Any,
    key: Any,
    value: Any,
    embed_dim_to_check: int,
    num_heads: int,
    in_proj_weight: Any,
    in_proj_bias: Any,
    bias_k: Any,
    bias_v: Any,
    add_zero_attn: bool,
    dropout_p: float,
    out_proj_weight: Any,
    out_proj_bias: Any,
    training: bool = True,
    key_padding_mask: Any = None,
    need_weights: bool = True,
    attn_mask: Any = None,
    use_separate_proj_weight: bool = False,
    q_proj_weight: Any = None,
    k_proj_weight: Any = None,
    v_proj_weight: Any = None,
    static_k: Any = None,
    static_v: Any = None,
    average_attn_weights: bool = True,
    is_causal: bool = False,
    *,
    generator: Any = None,
) -> tuple:
    """Multi-head attention from its parameters, as ``F.multi_head_attention_forward``:
    (L, N, E) or unbatched (L, E) query, (S, N, E) key and value; returns
    ``(attn_output, attn_weights)``, the weights (N, L, S) averaged over the heads,
    (N, heads, L, S) with ``average_attn_weights=False``, None with ``need_weights=False``.

    Masks as torch's: a bool True masks out, a float is added; ``is_causal`` is a hint
    that needs ``attn_mask`` (without weights or padding mask the causal mask replaces
    it, as torch).  As torch, a query row with every key masked gives NaN with
    ``need_weights`` and zeros without.  ``generator`` (keyword, compgraph's) seeds the
    dropout, which torch draws from its own generator.  Errors are ValueErrors where
    torch asserts.
    """
    where = "multi_head_attention_forward"
    kpm = key_padding_mask
    batched = _mha_shape_check(query, key, value, kpm, attn_mask, num_heads, where)
    self_attn, kv_same = query is key and key is value, key is value
    if not batched:  # a batch of one at axis 1
        query, key, value = (cg.expand_dims(t, 1) for t in (query, key, value))
        if self_attn:
            key = value = query
        elif kv_same:
            value = key
        if kpm is not None:
            kpm = cg.expand_dims(kpm, 0) if isinstance(kpm, Tensor) else np.asarray(kpm)[None]
    tgt, bsz, e = _shape(query)
    dtype = _dtype(query)
    if kpm is not None and attn_mask is not None and _dtype(kpm) != _dtype(attn_mask):
        warnings.warn(
            "Support for mismatched key_padding_mask and attn_mask is deprecated. Use "
            "same type for both instead.",
            stacklevel=2,
        )
    kpm = _canonical_mask(kpm, "key_padding_mask", dtype, where)
    if is_causal and attn_mask is None:
        raise _ArgumentError(
            f"{where}: is_causal=True needs attn_mask (build it with "
            "Transformer.generate_square_subsequent_mask)"
        )
    causal = is_causal and kpm is None and not need_weights
    attn_mask = None if causal else _canonical_mask(attn_mask, "attn_mask", dtype, where)
    if e != embed_dim_to_check:
        raise ValueError(f"{where}: expected embedding dimension {embed_dim_to_check}, got {e}")
    h = int(num_heads)
    d = e // h
    if d * h != e:
        raise ValueError(f"{where}: embed_dim {e} not divisible by num_heads {h}")
    if use_separate_proj_weight:
        if _shape(key)[:2] != _shape(value)[:2]:
            raise ValueError(
                f"{where}: key's sequence and batch dims {_shape(key)[:2]} do not match "
                f"value's {_shape(value)[:2]}"
            )
    elif _shape(key) != _shape(value):
        raise ValueError(
            f"{where}: key shape {_shape(key)} does not match value shape {_shape(value)}"
        )
    separate = (q_proj_weight, k_proj_weight, v_proj_weight) if use_separate_proj_weight else None
    q, k, v = _in_projection(query, key, value, e, in_proj_weight, in_proj_bias, separate, where)

    src = _shape(key)[0]
    if attn_mask is not None:
        ms = _shape(attn_mask)
        want = (tgt, src) if len(ms) == 2 else (bsz * h, tgt, src)
        if ms != want:
            raise _ArgumentError(
                f"{where}: the {len(ms)}-D attn_mask must have shape {want}, got {ms}"
            )
        if len(ms) == 2:
            attn_mask = attn_mask[None]
    if (bias_k is None) != (bias_v is None):
        raise ValueError(f"{where}: give both bias_k and bias_v, or neither")
    if bias_k is not None:
        if static_k is not None or static_v is not None:
            raise ValueError(f"{where}: bias_k/bias_v cannot be added to static_k/static_v")
        k = cg.concatenate([k, cg.broadcast_to(bias_k, (1, bsz, e))], 0)
        v = cg.concatenate([v, cg.broadcast_to(bias_v, (1, bsz, e))], 0)
        attn_mask = None if attn_mask is None else _pad_last(attn_mask)
        kpm = None if kpm is None else _pad_last(kpm)

    # (L, N, E) -> (N*heads, L, head_dim)
    q = cg.swapaxes(cg.reshape(q, (tgt, bsz * h, d)), 0, 1)
    k = _static(static_k, k, "static_k", bsz * h, d, where)
    v = _static(static_v, v, "static_v", bsz * h, d, where)
    if add_zero_attn:
        zeros = np.zeros((bsz * h, 1, d), dtype)
        k, v = cg.concatenate([k, zeros], 1), cg.concatenate([v, zeros], 1)
        attn_mask = None if attn_mask is None else _pad_last(attn_mask)
        kpm = None if kpm is None else _pad_last(kpm)
    src = _shape(k)[1]

    mask = attn_mask
    if kpm is not None:
        if _shape(kpm) != (bsz, src):
            raise ValueError(
                f"{where}: expected key_padding_mask of shape ({bsz}, {src}), got {_shape(kpm)}"
            )
        kpm = cg.reshape(
            cg.broadcast_to(cg.reshape(kpm, (bsz, 1, 1, src)), (bsz, h, 1, src)), (bsz * h, 1, src)
        )
        mask = kpm if mask is None else cg.add(mask, kpm)
    if not 0.0 <= dropout_p <= 1.0:
        raise ValueError(f"{where}: dropout probability has to be between 0 and 1, got {dropout_p}")
    p = float(dropout_p) if training else 0.0

    scores = cg.matmul(cg.multiply(q, math.sqrt(1.0 / d)), cg.swapaxes(k, -1, -2))
    dead = None
    if causal:  # torch hands the hint to scaled_dot_product_attention: top-left aligned
        scores = cg.add(scores, np.where(np.tri(tgt, src, dtype=bool), 0.0, -np.inf).astype(dtype))
    elif mask is not None:
        if not need_weights:
            # scaled_dot_product_attention's safe softmax: rows with every key masked
            # give zeros (finite gradients too), not NaN
            dead = np.all(np.isneginf(_value(mask)), axis=-1, keepdims=True)
            if dead.any():
                mask = (
                    cg.where(dead, 0.0, mask)
                    if isinstance(mask, Tensor)
                    else np.where(dead, 0.0, mask)
                )
            else:
                dead = None
        scores = cg.add(scores, mask)
    attn = cg.softmax(scores, -1)
    if dead is not None:
        attn = cg.multiply(attn, (~dead).astype(dtype))
    if p > 0.0:
        attn = _attention_dropout(attn, p, generator)
    out = cg.matmul(attn, v)  # (N*heads, L, head_dim)
    out = cg.reshape(cg.swapaxes(out, 0, 1), (tgt * bsz, e))
    out = cg.reshape(cg.linear(out, out_proj_weight, out_proj_bias), (tgt, bsz, -1))
    weights = None
    if need_weights:
        weights = cg.reshape(attn, (bsz, h, tgt, src))
        if average_attn_weights:
            weights = cg.mean(weights, axis=1)
    if not batched:
        out = out[:, 0]
        weights = None if weights is None else weights[0]
    return out, weights


# ------------------------------------------------------------------ fused losses
def _cross_entropy(
    logits: Any,
    target: Any,
    weight: Any,
    reduction: str,
    ignore_index: int,
    label_smoothing: float,
    probabilities: bool,
    where: str,
) -> Tensor:
    """``F.cross_entropy`` of (C,) or (N, C, d1, ...) logits (class axis 0 or 1)."""
    shape = _shape(logits)
    cdim = 0 if len(shape) == 1 else 1
    c = shape[cdim]
    dtype = _dtype(logits)
    w = None
    if weight is not None:
        w = _value(weight).astype(dtype)
        if w.shape != (c,):
            raise _ArgumentError(f"{where}: weight must have shape ({c},), got {w.shape}")
    logp = cg.log_softmax(logits, cdim)
    if probabilities:
        if _dtype(target).kind != "f":
            raise _ArgumentError(
                f"{where}: a target of the logits' shape {shape} holds class probabilities "
                f"and must be floating point, got {_dtype(target)}"
            )
        p = target
        if label_smoothing:
            p = cg.add(cg.multiply(p, 1.0 - label_smoothing), label_smoothing / c)
        terms = cg.multiply(logp, p)
        if w is not None:
            terms = cg.multiply(terms, w.reshape((c,) + (1,) * (len(shape) - cdim - 1)))
        loss = cg.negative(cg.sum(terms, axis=cdim))
        if reduction == "none":
            return loss
        total = cg.sum(loss)
        return total if reduction == "sum" else total / float(max(1, int(np.prod(_shape(loss)))))
    labels = _value(target)
    want = shape[:cdim] + shape[cdim + 1 :]
    if labels.shape != want or labels.dtype.kind not in "iu":
        raise _ArgumentError(
            f"{where}: target must be integer class indices of shape {want} or class "
            f"probabilities of shape {shape}, got shape {labels.shape} dtype {labels.dtype}"
        )
    labels = labels.reshape(-1)
    keep = labels != ignore_index
    kept = labels[keep]
    if kept.size and (kept.min() < 0 or kept.max() >= c):
        bad = kept.min() if kept.min() < 0 else kept.max()
        raise _OutOfBounds(f"{where}: target {bad} is out of bounds for {c} classes")
    # classes last, one row per prediction
    flat = cg.reshape(cg.moveaxis(logp, cdim, -1), (-1, c))
    n = labels.size
    onehot = np.zeros((n, c), dtype)
    onehot[np.arange(n)[keep], kept] = 1.0 if w is None else w[kept]
    loss = cg.negative(cg.sum(cg.multiply(flat, onehot), axis=1))
    if label_smoothing:
        cls = np.broadcast_to(keep[:, None], (n, c)).astype(dtype)
        if w is not None:
            cls = cls * w
        smooth = cg.negative(cg.sum(cg.multiply(flat, cls), axis=1))
        loss = cg.add(
            cg.multiply(loss, 1.0 - label_smoothing), cg.multiply(smooth, label_smoothing / c)
        )
    if reduction == "none":
        return cg.reshape(loss, want)
    total = cg.sum(loss)
    if reduction == "sum":
        return total
    denom = float(kept.size if w is None else w[kept].sum())
    if not denom:  # nothing counted: NaN, as torch
        return cg.add(cg.multiply(total, 0.0), np.nan)
    return total / denom


def linear_cross_entropy(
    input: Any,  # noqa: A002 (PyTorch's name)
    linear_weight: Any,
    target: Any,
    *,
    linear_bias: Any = None,
    weight: Any = None,
    reduction: str = "mean",
    ignore_index: int | None = None,
    label_smoothing: float = 0.0,
    options: Any = None,
) -> Tensor:
    """``cross_entropy(linear(input, linear_weight, linear_bias), target, ...)``, as
    ``F.linear_cross_entropy``: input (in,) or (N, in), linear_weight (C, in) or
    (C, d1, ..., dK, in) for a K-dimensional loss (batched input only), target class
    indices or class probabilities (the logits' shape); ``ignore_index`` None means
    -100 (and must be None with probabilities).

    The logits are computed whole: torch's chunked path (``options``, a
    ``LinearCrossEntropyOptions``) only saves memory and gives the same values, so
    ``options`` is accepted and ignored, and gradients of every order work.
    """
    where = "linear_cross_entropy"
    ishape, wshape = _shape(input), _shape(linear_weight)
    if len(ishape) not in (1, 2):
        raise _ArgumentError(f"{where}: expected input of 1 or 2 dimensions, got shape {ishape}")
    if len(wshape) < 2:
        raise _ArgumentError(
            f"{where}: expected linear_weight of at least 2 dimensions, got shape {wshape}"
        )
    if ishape[-1] != wshape[-1]:
        raise _ArgumentError(
            f"{where}: input {ishape} and linear_weight {wshape} differ in their last "
            f"dimension (in_features)"
        )
    if reduction not in ("mean", "sum", "none"):
        raise ValueError(f"{where}: reduction must be 'mean', 'sum' or 'none', got {reduction!r}")
    if not 0.0 <= label_smoothing <= 1.0:
        raise ValueError(f"{where}: label_smoothing must be in [0, 1], got {label_smoothing}")
    batches, c, out_features = ishape[:-1], wshape[0], wshape[1:-1]
    if linear_bias is not None and _shape(linear_bias) != (c, *out_features):
        raise _ArgumentError(
            f"{where}: expected linear_bias of shape {(c, *out_features)}, got "
            f"{_shape(linear_bias)}"
        )
    if out_features and not batches:
        raise _ArgumentError(
            f"{where}: a K-dimensional loss (linear_weight {wshape}) needs batched input "
            f"(N, {ishape[-1]}), got shape {ishape}"
        )
    logits_shape = (*batches, c, *out_features)
    probabilities = _shape(target) == logits_shape
    if probabilities and ignore_index is not None:
        raise _ArgumentError(
            f"{where}: ignore_index cannot be given when target holds probabilities"
        )
    if out_features:
        rows = math.prod(out_features, start=c)
        linear_weight = cg.reshape(linear_weight, (rows, ishape[-1]))
        if linear_bias is not None:
            linear_bias = cg.reshape(linear_bias, (rows,))
    logits = cg.reshape(cg.linear(input, linear_weight, linear_bias), logits_shape)
    ii = -100 if ignore_index is None else int(ignore_index)
    return _cross_entropy(
        logits, target, weight, reduction, ii, label_smoothing, probabilities, where
    )
