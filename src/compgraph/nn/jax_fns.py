"""JAX's ``jax.nn`` functions that ``cg.nn`` lacked (``glu``, ``hard_swish``, ``mish``,
``standardize``, ``dot_product_attention`` ...), written with cg functions.

Each has ``jax.nn``'s signature, formula and defaults; gradients come from the cg
functions they are written with (JAX's custom JVPs of ``relu6`` and ``log1mexp`` give
the same numbers away from the kinks).  ``cg.nn.initializers`` is JAX's
``jax.nn.initializers`` (see :mod:`compgraph.nn.jax_initializers`).  Left out: JAX's
microscaling matmuls (``scaled_matmul``, ``scaled_dot_general``,
``get_scaled_dot_general_config``): compgraph has no fp8/fp4 dtypes.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from .. import functions as cg
from ..ops.defaults import default_float
from ..tensor import Tensor
from . import jax_initializers as initializers

__all__ = [
    "celu",
    "identity",
    "glu",
    "hard_sigmoid",
    "hard_silu",
    "hard_swish",
    "hard_tanh",
    "log1mexp",
    "logsumexp",
    "logmeanexp",
    "mish",
    "one_hot",
    "soft_sign",
    "sparse_plus",
    "sparse_sigmoid",
    "squareplus",
    "standardize",
    "dot_product_attention",
    "initializers",
]


def _arr(x: Any, where: str) -> Any:
    """``x`` as a cg value (Tensors and graph values as they are); strings and None refused."""
    if x is None or isinstance(x, str):
        raise TypeError(f"{where}: expected an array, got {type(x).__name__}")
    return x if hasattr(x, "shape") and hasattr(x, "dtype") else cg.asarray(x)


def _float(x: Any, where: str) -> Any:
    """``x`` as a floating cg value (integers and bools promoted, as jnp's inexact ops)."""
    x = _arr(x, where)
    if np.dtype(x.dtype).kind not in "fc":
        x = cg.astype(x, np.result_type(np.dtype(x.dtype), np.float64))
    return x


def celu(x: Any, alpha: Any = 1.0) -> Any:
    """``jax.nn.celu``: ``max(x, 0) + alpha * expm1(min(x, 0) / alpha)``."""
    x = _float(x, "celu")
    return cg.maximum(x, 0.0) + alpha * cg.expm1(cg.minimum(x, 0.0) / alpha)


def identity(x: Any) -> Any:
    """``jax.nn.identity``: ``x`` itself (as an array)."""
    return _arr(x, "identity")


def glu(x: Any, axis: int = -1) -> Any:
    """``jax.nn.glu``: split ``x`` in two halves along ``axis``, ``a * sigmoid(b)``."""
    x = _float(x, "glu")
    n = x.shape[axis]
    if n % 2:
        raise ValueError(
            f"glu: axis {axis} of the input (shape {tuple(x.shape)}) must have an even size, "
            f"got {n}"
        )
    a, b = cg.split(x, 2, axis)
    return a * cg.sigmoid(b)


def hard_sigmoid(x: Any) -> Any:
    """``jax.nn.hard_sigmoid``: ``relu6(x + 3) / 6``."""
    x = _float(x, "hard_sigmoid")
    return cg.minimum(cg.maximum(x + 3.0, 0.0), 6.0) / 6.0


def hard_silu(x: Any) -> Any:
    """``jax.nn.hard_silu`` (``hard_swish``): ``x * hard_sigmoid(x)``."""
    x = _float(x, "hard_silu")
    return x * hard_sigmoid(x)


def hard_swish(x: Any) -> Any:
    """``jax.nn.hard_swish``: the same function as :func:`hard_silu`."""
    return hard_silu(x)


def hard_tanh(x: Any) -> Any:
    """``jax.nn.hard_tanh``: ``x`` clipped to [-1, 1] (gradient 0 outside, as JAX)."""
    x = _float(x, "hard_tanh")
    return cg.where(x > 1, 1.0, cg.where(x < -1, -1.0, x))


def log1mexp(x: Any) -> Any:
    """``jax.nn.log1mexp``: ``log(1 - exp(-x))`` for ``x >= 0``, stably (Mächler's two
    branches, split at ``log 2``)."""
    x = _float(x, "log1mexp")
    c = math.log(2.0)
    small = x < c
    # Each branch sees a safe argument, so the one not taken adds no NaN to gradients.
    xs = cg.where(small, x, c)
    xl = cg.where(small, 2 * c, x)
    return cg.where(small, cg.log(-cg.expm1(-xs)), cg.log1p(-cg.exp(-xl)))


def _axes(axis: Any, ndim: int) -> tuple[int, ...]:
    if axis is None:
        return tuple(range(ndim))
    axes = (axis,) if isinstance(axis, (int, np.integer)) else tuple(axis)
    return tuple(int(a) % ndim if ndim else 0 for a in axes)


def logsumexp(
    a: Any,
    axis: Any = None,
    b: Any = None,
    keepdims: bool = False,
    return_sign: bool = False,
    where: Any = None,
) -> Any:
    """``jax.nn.logsumexp`` (``jax.scipy.special.logsumexp``): ``log(sum(b * exp(a)))`` over
    ``axis``, shifted by the maximum; ``where`` masks elements out; with
    ``return_sign=True`` the pair ``(log|s|, sign(s))`` (else a negative sum gives NaN)."""
    a = _float(a, "logsumexp")
    if b is not None:
        b = _arr(b, "logsumexp")
        if np.dtype(b.dtype).kind not in "fc":
            b = cg.astype(b, a.dtype)
    axes = _axes(axis, a.ndim)
    masked = a if where is None else cg.where(where, a, -np.inf)
    if b is not None:
        # Elements with b == 0 add nothing and must not set the shift.
        masked = cg.where(cg.broadcast_to(b, masked.shape) != 0, masked, -np.inf)
    amax = cg.stop_gradient(cg.max(masked, axis=axes, keepdims=True))
    amax = cg.where(cg.isfinite(amax), amax, 0.0)
    e = cg.exp(masked - amax)
    if b is not None:
        e = e * b
    s = cg.sum(e, axis=axes, keepdims=True)
    if return_sign:
        sign = cg.sign(s)
        out = cg.log(cg.abs(s)) + amax
    else:
        sign = None
        out = cg.log(s) + amax
    if not keepdims:
        out = cg.squeeze(out, axis=axes) if axes else out
        sign = cg.squeeze(sign, axis=axes) if sign is not None and axes else sign
    return (out, sign) if return_sign else out


def logmeanexp(x: Any, axis: Any = None, where: Any = None, keepdims: bool = False) -> Any:
    """``jax.nn.logmeanexp``: ``logsumexp(x) - log(n)``, ``n`` the elements counted (those
    ``where`` keeps)."""
    x = _float(x, "logmeanexp")
    lse = logsumexp(x, axis=axis, keepdims=keepdims, where=where)
    axes = _axes(axis, x.ndim)
    if where is None:
        n = float(np.prod([x.shape[a] for a in axes])) if axes else 1.0
        return lse - math.log(n)
    mask = cg.broadcast_to(cg.asarray(where), x.shape)
    count = cg.sum(cg.astype(mask, lse.dtype), axis=axes, keepdims=keepdims)
    return lse - cg.log(count)


def mish(x: Any) -> Any:
    """``jax.nn.mish``: ``x * tanh(softplus(x))``."""
    x = _float(x, "mish")
    return x * cg.tanh(cg.logaddexp(x, 0.0))


def one_hot(x: Any, num_classes: int, *, dtype: Any = None, axis: int = -1) -> Tensor:
    """``jax.nn.one_hot``: ``x[..., None] == arange(num_classes)``, the new axis at ``axis``;
    indices out of range give all-zero rows.  ``dtype`` defaults to float64 (JAX's
    ``float_`` with x64; float32 in JAX without it), or the default set with
    ``cg.set_default_dtype``.  ``axis`` must be an int (no named axes: no ``pmap``)."""
    if not isinstance(num_classes, (int, np.integer)) or isinstance(num_classes, bool):
        raise TypeError(
            f"one_hot: num_classes must be an int, got {type(num_classes).__name__} "
            f"(as JAX: a static value)"
        )
    if not isinstance(axis, (int, np.integer)):
        raise TypeError(
            f"one_hot: axis must be an int, got {axis!r} (named axes need pmap/shard_map, "
            f"which compgraph does not have)"
        )
    data = np.asarray(x.data if isinstance(x, Tensor) else x)
    nd = data.ndim + 1
    if not -nd <= axis < nd:
        raise ValueError(f"one_hot: axis {axis} is out of range for a {nd}-d result")
    dt = default_float(np.float64) if dtype is None else np.dtype(dtype)
    hot = np.expand_dims(data, -1) == np.arange(int(num_classes))
    return Tensor(np.moveaxis(hot, -1, int(axis) % nd).astype(dt))


def soft_sign(x: Any) -> Any:
    """``jax.nn.soft_sign``: ``x / (|x| + 1)``."""
    x = _float(x, "soft_sign")
    return x / (cg.abs(x) + 1.0)


def sparse_plus(x: Any) -> Any:
    """``jax.nn.sparse_plus``: 0 for ``x <= -1``, ``x`` for ``x >= 1``, ``(x + 1)**2 / 4``
    between."""
    x = _float(x, "sparse_plus")
    return cg.where(x <= -1.0, 0.0, cg.where(x >= 1.0, x, (x + 1.0) ** 2 / 4))


def sparse_sigmoid(x: Any) -> Any:
    """``jax.nn.sparse_sigmoid``: ``clip(x + 1, 0, 2) / 2`` (the derivative of
    :func:`sparse_plus`)."""
    x = _float(x, "sparse_sigmoid")
    return 0.5 * cg.clip(x + 1.0, 0.0, 2.0)


def squareplus(x: Any, b: Any = 4) -> Any:
    """``jax.nn.squareplus``: ``(x + sqrt(x**2 + b)) / 2``."""
    x = _float(x, "squareplus")
    return (x + cg.sqrt(cg.square(x) + b)) / 2


def standardize(
    x: Any,
    axis: Any = -1,
    mean: Any = None,
    variance: Any = None,
    epsilon: Any = 1e-5,
    where: Any = None,
    *,
    algorithm: str = "fast",
) -> Any:
    """``jax.nn.standardize``: ``(x - mean) / sqrt(variance + epsilon)`` over ``axis``.

    The mean and variance default to those of ``x`` (of the elements ``where`` keeps);
    ``algorithm="fast"`` takes the variance as ``mean(x**2) - mean(x)**2`` clipped at 0
    (JAX's default), ``"stable"`` as ``mean((x - mean)**2)``."""
    x = _float(x, "standardize")
    axes = _axes(axis, x.ndim)
    w = True if where is None else where
    if mean is None:
        mean = cg.mean(x, axis=axes, keepdims=True, where=w)
    if variance is None:
        if algorithm == "stable":
            variance = cg.mean(cg.square(x - mean), axis=axes, keepdims=True, where=w)
        elif algorithm == "fast":
            variance = cg.mean(cg.square(x), axis=axes, keepdims=True, where=w) - cg.square(mean)
            variance = cg.maximum(variance, 0.0)
        else:
            raise ValueError(
                f"standardize: unknown algorithm {algorithm!r}; expected 'fast' or 'stable'"
            )
    return (x - mean) / cg.sqrt(variance + epsilon)


def _as4d(t: Any, name: str) -> Any:
    t = _arr(t, "dot_product_attention")
    if t.ndim > 4:
        raise ValueError(f"dot_product_attention: {name} must have at most 4 dims, got {t.ndim}")
    return cg.reshape(t, (1,) * (4 - t.ndim) + tuple(t.shape)) if t.ndim < 4 else t


def _check(t: Any, shape: Sequence[int], dtype: Any, name: str) -> None:
    if t is None:
        return
    if t.ndim != len(shape):
        raise ValueError(
            f"dot_product_attention: {name} ndim should be {len(shape)}, but got {t.ndim}"
        )
    if dtype is not None and np.dtype(t.dtype) != np.dtype(dtype):
        raise ValueError(
            f"dot_product_attention: {name} dtype should be {np.dtype(dtype)}, got {t.dtype}"
        )
    for i, s in enumerate(shape):
        if s != -1 and t.shape[i] != s:
            raise ValueError(
                f"dot_product_attention: {name} shape should be {tuple(shape)} (-1: any), "
                f"got {tuple(t.shape)}"
            )


def dot_product_attention(
    query: Any,
    key: Any,
    value: Any,
    bias: Any = None,
    mask: Any = None,
    *,
    scale: float | None = None,
    is_causal: bool = False,
    query_seq_lengths: Any = None,
    key_value_seq_lengths: Any = None,
    local_window_size: int | tuple[int, int] | None = None,
    implementation: str | None = None,
    return_residual: bool = False,
) -> Any:
    """``jax.nn.dot_product_attention``: ``softmax(scale * q k^T + bias, masked) v``.

    JAX's layout: ``query`` (B, T, N, H), ``key``/``value`` (B, S, K, H) (or without
    the batch dim), ``N`` a multiple of ``K`` (grouped-query attention); ``bias`` and
    the boolean ``mask`` broadcast to (B, N, T, S); ``is_causal``, ``local_window_size``
    and the int32 ``query_seq_lengths`` / ``key_value_seq_lengths`` mask as JAX does
    (masked logits get ``-0.7 * float32 max``; query rows past their length give 0).
    ``return_residual=True`` also returns the logsumexp of each row, (B, T, N).

    Differs from JAX on purpose: the softmax runs in the logits' dtype (float64 stays
    float64; JAX rounds it through float32).  ``implementation='cudnn'`` raises
    NotImplementedError (no GPU); ``None`` and ``'xla'`` give this computation.
    """
    if implementation == "cudnn":
        raise NotImplementedError(
            "dot_product_attention: implementation='cudnn' needs an NVIDIA GPU, which "
            "compgraph does not use; pass implementation=None or 'xla'"
        )
    if implementation not in (None, "xla"):
        raise ValueError(
            f"dot_product_attention: unsupported implementation option: {implementation!r}"
        )
    q_in = _arr(query, "dot_product_attention")
    out_shape = tuple(q_in.shape)
    q, k, v = _as4d(q_in, "query"), _as4d(key, "key"), _as4d(value, "value")
    bias = None if bias is None else _as4d(bias, "bias")
    mask = None if mask is None else _as4d(mask, "mask")
    qlen = None if query_seq_lengths is None else _arr(query_seq_lengths, "dot_product_attention")
    kvlen = (
        None
        if key_value_seq_lengths is None
        else _arr(key_value_seq_lengths, "dot_product_attention")
    )
    B, S, K, H = k.shape
    _check(v, [B, S, K, H], k.dtype, "value")
    _check(q, [B, -1, -1, H], k.dtype, "query")
    _check(mask, [-1] * 4, np.bool_, "mask")
    _check(bias, [-1] * 4, None, "bias")
    _check(qlen, [B], np.int32, "query_seq_lengths")
    _check(kvlen, [B], np.int32, "key_value_seq_lengths")
    T, N = q.shape[1], q.shape[2]
    if N % K:
        raise ValueError(
            f"dot_product_attention: the number of query heads must be a multiple of "
            f"key/value heads, but got {N} vs {K}"
        )
    if N != K:  # query head n reads key/value head n // (N // K), as JAX's grouping
        k = cg.repeat(k, N // K, axis=2)
        v = cg.repeat(v, N // K, axis=2)
    dt = np.promote_types(np.dtype(q.dtype), np.float32)
    s = 1.0 / math.sqrt(H) if scale is None else scale
    logits = cg.einsum("BTNH,BSNH->BNTS", cg.astype(q, dt), cg.astype(k, dt)) * np.asarray(s, dt)
    if bias is not None:
        logits = cg.astype(logits + bias, dt)
    keep = np.ones((1, 1, T, S), bool)
    masked = mask is not None
    if is_causal:
        keep &= np.tril(np.ones((T, S), bool))[None, None]
        masked = True
    if local_window_size is not None:
        left, right = (
            (local_window_size, local_window_size)
            if isinstance(local_window_size, int)
            else local_window_size
        )
        qp, kp = np.arange(T)[:, None], np.arange(S)[None, :]
        keep &= ((qp <= kp + left) & (qp >= kp - right))[None, None]
        masked = True
    keep_t: Any = keep
    if mask is not None:
        keep_t = cg.logical_and(keep_t, mask)
    if qlen is not None or kvlen is not None:
        pad: Any = np.ones((1, 1, 1, 1), bool)
        if qlen is not None:
            pad = cg.logical_and(
                pad, cg.reshape(cg.arange(T), (1, 1, T, 1)) < cg.reshape(qlen, (B, 1, 1, 1))
            )
        if kvlen is not None:
            pad = cg.logical_and(
                pad, cg.reshape(cg.arange(S), (1, 1, 1, S)) < cg.reshape(kvlen, (B, 1, 1, 1))
            )
        keep_t = cg.logical_and(keep_t, pad)
        masked = True
    if masked:
        big = np.asarray(-0.7 * float(np.finfo(np.float32).max), dt)
        logits = cg.where(keep_t, logits, big)
    probs = cg.astype(cg.softmax(logits, axis=-1), k.dtype)
    encoded = cg.einsum("BNTS,BSNH->BTNH", probs, v)
    if qlen is not None:
        rows = cg.reshape(cg.arange(T), (1, T, 1, 1)) < cg.reshape(qlen, (B, 1, 1, 1))
        encoded = encoded * cg.astype(rows, encoded.dtype)
    encoded = cg.reshape(encoded, out_shape)
    if not return_residual:
        return encoded
    lse = cg.astype(logsumexp(logits, axis=-1), k.dtype)  # (B, N, T)
    lse = cg.stop_gradient(cg.transpose(lse, (0, 2, 1)))
    return encoded, cg.reshape(lse, out_shape[:-1])
