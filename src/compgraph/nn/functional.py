"""PyTorch's ``torch.nn.functional`` on compgraph Tensors: ``import compgraph.nn.functional as F``.

The same names, signatures, defaults and results as PyTorch (``F.conv2d``,
``F.cross_entropy``, ``F.scaled_dot_product_attention`` ...).  Each function is
written with ``cg`` functions, so its gradients (first and higher order, reverse and
forward mode) come from the primitives' rules; convolutions are ``im2col`` patches
times the weight, one matrix product.  ``cg.nn``'s layers call these functions.
Shape errors are ``ValueError`` (PyTorch raises ``RuntimeError``), type errors
``TypeError``.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .. import functions as cg
from ..functions import dispatch
from ..grad_mode import no_grad
from ..ops.conv import out_size
from ..ops.registry import get_op
from ..tensor import Tensor

__all__ = [
    "linear",
    "bilinear",
    "dropout",
    "dropout1d",
    "dropout2d",
    "embedding",
    "layer_norm",
    "group_norm",
    "rms_norm",
    "scaled_dot_product_attention",
    "conv1d",
    "conv2d",
    "conv_transpose1d",
    "conv_transpose2d",
]

_RNG = np.random.default_rng()


def _shape(x: Any) -> tuple:
    return tuple(np.shape(x) if not hasattr(x, "shape") else x.shape)


def _dtype(x: Any) -> np.dtype:
    d = getattr(x, "dtype", None)
    return np.dtype(d) if d is not None else np.result_type(x, np.float64)


def _ints(v: Any, n: int, what: str, low: int = 0) -> tuple:
    """An int or a sequence of ``n`` ints >= ``low`` as an n-tuple (PyTorch's _pair)."""
    vals = tuple(v) if isinstance(v, (tuple, list)) else (v,) * n
    if len(vals) == 1:
        vals = vals * n
    if len(vals) != n or not all(
        isinstance(a, (int, np.integer)) and not isinstance(a, bool) for a in vals
    ):
        raise TypeError(f"{what}: expected an int or {n} ints, got {v!r}")
    if min(vals) < low:
        raise ValueError(f"{what}: must be >= {low}, got {v!r}")
    return tuple(int(a) for a in vals)


def _value(x: Any) -> np.ndarray:
    return x.data if isinstance(x, Tensor) else np.asarray(x)


# ------------------------------------------------------------------ linear, dropout
linear = cg.linear


def bilinear(input1: Any, input2: Any, weight: Any, bias: Any = None) -> Tensor:
    """``x1^T A x2 + b`` per output feature: weight (out, in1, in2), as ``F.bilinear``."""
    o, i, j = _shape(weight)
    lead = _shape(input1)[:-1]
    t = cg.matmul(cg.reshape(input1, (-1, i)), cg.reshape(cg.transpose(weight, (1, 0, 2)), (i, -1)))
    t = cg.reshape(t, (-1, o, j)) * cg.reshape(input2, (-1, 1, j))
    y = cg.reshape(cg.sum(t, axis=-1), lead + (o,))
    return y if bias is None else y + bias


def _check_p(p: float, where: str) -> float:
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"{where}: dropout probability has to be between 0 and 1, but got {p}")
    return float(p)


def _dropout(x: Any, p: float, training: bool, mask_shape: Any, generator: Any) -> Any:
    if not training or p == 0.0:
        return x
    dtype = _dtype(x)
    if p == 1.0:  # everything dropped: zeros, as torch (no 1/0 scale)
        return cg.multiply(x, np.zeros(mask_shape, dtype))
    rng = _RNG if generator is None else generator
    keep = (rng.random(mask_shape) >= p).astype(dtype)
    keep *= 1.0 / (1.0 - p)
    return cg.multiply(x, keep)


def dropout(
    input: Any,  # noqa: A002 (PyTorch's name)
    p: float = 0.5,
    training: bool = True,
    inplace: bool = False,
    *,
    generator: Any = None,
) -> Tensor:
    """Zero each element with probability ``p`` and scale the rest by ``1/(1-p)`` while
    ``training``; ``generator`` (a NumPy Generator) makes the draw reproducible.
    ``inplace`` is accepted and ignored (the result is a new tensor)."""
    return _dropout(input, _check_p(p, "dropout"), training, _shape(input), generator)


def _channel_dropout(where: str, spatial: int) -> Any:
    def fn(
        input: Any,  # noqa: A002 (PyTorch's name)
        p: float = 0.5,
        training: bool = True,
        inplace: bool = False,
        *,
        generator: Any = None,
    ) -> Tensor:
        shape = _shape(input)
        if len(shape) not in (spatial + 1, spatial + 2):
            raise ValueError(
                f"{where}: expected an input of {spatial + 1} or {spatial + 2} dimensions "
                f"(channels first), got shape {shape}"
            )
        mask = shape[: len(shape) - spatial] + (1,) * spatial
        return _dropout(input, _check_p(p, where), training, mask, generator)

    fn.__name__ = fn.__qualname__ = where
    fn.__doc__ = f"Zero whole channels with probability ``p`` (PyTorch's ``F.{where}``)."
    return fn


dropout1d = _channel_dropout("dropout1d", 1)
dropout2d = _channel_dropout("dropout2d", 2)


# ------------------------------------------------------------------ embedding
def embedding(
    input: Any,  # noqa: A002 (PyTorch's name)
    weight: Any,
    padding_idx: int | None = None,
    max_norm: float | None = None,
    norm_type: float = 2.0,
    scale_grad_by_freq: bool = False,
    sparse: bool = False,
) -> Tensor:
    """Rows of ``weight`` (num_embeddings, dim) picked by the integer ``input``, as
    ``F.embedding``: the row ``padding_idx`` gets no gradient; ``max_norm`` rescales
    the rows looked up (in place, as torch) to norm at most ``max_norm``;
    ``scale_grad_by_freq`` divides each row's gradient by its count in ``input``.
    ``sparse`` gradients are dense here."""
    idx = _value(input)
    if idx.dtype.kind not in "iu":
        raise TypeError(f"embedding: indices must be integers, got dtype {idx.dtype} (use .long())")
    wshape = _shape(weight)
    if len(wshape) != 2:
        raise ValueError(f"embedding: weight must be 2-D (num_embeddings, dim), got {wshape}")
    num = wshape[0]
    if idx.size and (idx.min() < -num or idx.max() >= num):
        raise IndexError(f"embedding: index out of range [0, {num}): {idx.min()}..{idx.max()}")
    if padding_idx is not None:
        if not -num <= padding_idx < num:
            raise ValueError(f"embedding: padding_idx must be within num_embeddings ({num})")
        padding_idx = int(padding_idx) % num
    if max_norm is not None:
        rows = np.unique(idx % num)
        data = _value(weight)
        with no_grad():
            norms = np.linalg.norm(data[rows], ord=norm_type, axis=1)
            over = norms > max_norm
            data[rows[over]] *= (max_norm / (norms[over] + 1e-7))[:, None].astype(data.dtype)
    if not isinstance(weight, Tensor):
        weight = cg.asarray(weight)
    out = cg.take(weight, idx, axis=0)
    if padding_idx is None and not scale_grad_by_freq:
        return out
    # Scale each looked-up row's gradient (0 for padding, 1/count for frequencies):
    # stop_gradient(y) + s * (y - stop_gradient(y)) has y's value and s * y's gradient.
    scale = np.ones(idx.shape, _dtype(out))
    if scale_grad_by_freq:
        uniq, inv, counts = np.unique(idx % num, return_inverse=True, return_counts=True)
        scale = (1.0 / counts[inv.reshape(idx.shape)]).astype(scale.dtype)
    if padding_idx is not None:
        scale[idx % num == padding_idx] = 0
    if (scale == 1).all():
        return out
    frozen = cg.stop_gradient(out)
    return frozen + (out - frozen) * scale[..., None]


# ------------------------------------------------------------------ normalisation
def _normalize_last(x: Any, axes: tuple, eps: float) -> Tensor:
    mean = cg.mean(x, axis=axes, keepdims=True)
    d = cg.subtract(x, mean)
    var = cg.mean(d * d, axis=axes, keepdims=True)
    return d * (1.0 / cg.sqrt(var + eps))


def _norm_shape(normalized_shape: Any, shape: tuple, where: str) -> tuple:
    ns = (
        (int(normalized_shape),)
        if isinstance(normalized_shape, (int, np.integer))
        else tuple(int(s) for s in normalized_shape)
    )
    if not ns or len(ns) > len(shape) or shape[len(shape) - len(ns) :] != ns:
        raise ValueError(
            f"{where}: normalized_shape {ns} must be the trailing dimensions of the "
            f"input, got input of shape {shape}"
        )
    return ns


def _affine(y: Any, weight: Any, bias: Any, shape: tuple, where: str) -> Any:
    for name, v in (("weight", weight), ("bias", bias)):
        if v is not None and _shape(v) != shape:
            raise ValueError(f"{where}: {name} must have shape {shape}, got {_shape(v)}")
    if weight is not None:
        y = y * weight
    if bias is not None:
        y = y + bias
    return y


def layer_norm(
    input: Any,  # noqa: A002 (PyTorch's name)
    normalized_shape: Any,
    weight: Any = None,
    bias: Any = None,
    eps: float = 1e-5,
) -> Tensor:
    """Normalise over the trailing ``normalized_shape`` dimensions to mean 0 and
    (biased) variance 1, then ``* weight + bias`` (PyTorch's ``F.layer_norm``)."""
    shape = _shape(input)
    ns = _norm_shape(normalized_shape, shape, "layer_norm")
    y = _normalize_last(input, tuple(range(-len(ns), 0)), eps)
    return _affine(y, weight, bias, ns, "layer_norm")


def rms_norm(
    input: Any,  # noqa: A002 (PyTorch's name)
    normalized_shape: Any,
    weight: Any = None,
    eps: float | None = None,
) -> Tensor:
    """``x / sqrt(mean(x**2) + eps) * weight`` over the trailing ``normalized_shape``
    dimensions (PyTorch's ``F.rms_norm``; ``eps`` defaults to the dtype's epsilon)."""
    shape = _shape(input)
    ns = _norm_shape(normalized_shape, shape, "rms_norm")
    if eps is None:
        eps = float(np.finfo(_dtype(input)).eps)
    ms = cg.mean(cg.multiply(input, input), axis=tuple(range(-len(ns), 0)), keepdims=True)
    y = cg.multiply(input, 1.0 / cg.sqrt(ms + eps))
    return _affine(y, weight, None, ns, "rms_norm")


def group_norm(
    input: Any,  # noqa: A002 (PyTorch's name)
    num_groups: int,
    weight: Any = None,
    bias: Any = None,
    eps: float = 1e-5,
) -> Tensor:
    """Normalise each of ``num_groups`` groups of channels of an (N, C, ...) input over
    its channels and positions, then a per-channel ``* weight + bias`` (``F.group_norm``)."""
    shape = _shape(input)
    if len(shape) < 2 or shape[1] % num_groups:
        raise ValueError(
            f"group_norm: expected an (N, C, ...) input with C divisible by num_groups "
            f"{num_groups}, got shape {shape}"
        )
    n, c = shape[:2]
    y = _normalize_last(cg.reshape(input, (n, num_groups, -1)), (2,), eps)
    y = cg.reshape(y, shape)
    view = (c,) + (1,) * (len(shape) - 2)
    for name, v in (("weight", weight), ("bias", bias)):
        if v is not None and _shape(v) != (c,):
            raise ValueError(f"group_norm: {name} must have shape ({c},), got {_shape(v)}")
    if weight is not None:
        y = y * cg.reshape(weight, view)
    if bias is not None:
        y = y + cg.reshape(bias, view)
    return y


# ------------------------------------------------------------------ attention
def scaled_dot_product_attention(
    query: Any,
    key: Any,
    value: Any,
    attn_mask: Any = None,
    dropout_p: float = 0.0,
    is_causal: bool = False,
    scale: float | None = None,
    enable_gqa: bool = False,
    *,
    generator: Any = None,
) -> Tensor:
    """``softmax(q @ k^T * scale + mask) @ v`` over (..., L, E), (..., S, E), (..., S, Ev)
    inputs, as PyTorch's: ``attn_mask`` boolean (True takes part) or float (added),
    broadcast to (..., L, S); ``is_causal`` masks the upper triangle; ``scale`` defaults
    to ``1/sqrt(E)``; ``dropout_p`` drops attention weights (always, as torch: pass 0
    in evaluation); ``enable_gqa`` repeats key/value heads (dim -3) to query's."""
    qs, ks, vs = _shape(query), _shape(key), _shape(value)
    if len(qs) < 2 or len(ks) < 2 or len(vs) < 2 or qs[-1] != ks[-1] or ks[-2] != vs[-2]:
        raise ValueError(
            f"scaled_dot_product_attention: expected query (..., L, E), key (..., S, E) "
            f"and value (..., S, Ev), got {qs}, {ks}, {vs}"
        )
    if is_causal and attn_mask is not None:
        raise ValueError("scaled_dot_product_attention: give attn_mask or is_causal=True, not both")
    L, S = qs[-2], ks[-2]
    if enable_gqa and len(qs) >= 3 and qs[-3] != ks[-3]:
        hq, hk = qs[-3], ks[-3]
        if hq % hk or hk != vs[-3]:
            raise ValueError(
                f"scaled_dot_product_attention: {hq} query heads must be a multiple of "
                f"the {hk} key/value heads"
            )
        key = cg.repeat(key, hq // hk, axis=-3)
        value = cg.repeat(value, hq // hk, axis=-3)
    s = 1.0 / math.sqrt(qs[-1]) if scale is None else float(scale)
    scores = cg.matmul(cg.multiply(query, s), cg.swapaxes(key, -1, -2))
    if is_causal:
        attn_mask = np.tril(np.ones((L, S), bool))
    if attn_mask is not None:
        if _dtype(attn_mask) == np.bool_:
            m = _value(attn_mask)
            scores = cg.where(m, scores, -np.inf)
        else:
            scores = scores + attn_mask
    attn = cg.softmax(scores, axis=-1)
    if dropout_p:
        attn = _dropout(
            attn, _check_p(dropout_p, "scaled_dot_product_attention"), True, _shape(attn), generator
        )
    return cg.matmul(attn, value)


# ------------------------------------------------------------------ convolution
def _conv_args(where: str, k: int, stride: Any, padding: Any, dilation: Any, ksize: tuple):
    """(stride, dilation, ((before, after) per spatial dim)) from PyTorch's arguments."""
    st = _ints(stride, k, f"{where} stride", 1)
    dl = _ints(dilation, k, f"{where} dilation", 1)
    if isinstance(padding, str):
        if padding == "valid":
            return st, dl, ((0, 0),) * k
        if padding != "same":
            raise ValueError(f"{where}: padding must be 'valid', 'same' or ints, got {padding!r}")
        if st != (1,) * k:
            raise ValueError(f"{where}: padding='same' is not supported for strided convolutions")
        # torch: the total d*(k-1) split with the odd one after
        tot = [d * (kk - 1) for d, kk in zip(dl, ksize)]
        return st, dl, tuple((t // 2, t - t // 2) for t in tot)
    p = _ints(padding, k, f"{where} padding", 0)
    return st, dl, tuple((q, q) for q in p)


def _conv2d(
    x: Any, weight: Any, bias: Any, st: tuple, dl: tuple, pads: tuple, groups: int, where: str
) -> Tensor:
    """Convolution of (N, C, H, W) by (O, C/groups, kh, kw): patches times weights."""
    n, c, h, w = _shape(x)
    o, cg_, kh, kw = _shape(weight)
    if groups < 1 or c % groups or o % groups or c // groups != cg_:
        raise ValueError(
            f"{where}: input of shape {(n, c, h, w)} and weight of shape "
            f"{_shape(weight)} with groups={groups}: expected weight (out, in/groups, ...) "
            f"and channels divisible by groups"
        )
    (pt, pb), (pl, pr) = pads
    if pt != pb or pl != pr:  # asymmetric ('same' with an even extent): pad first
        x = cg.pad(x, ((0, 0), (0, 0), (pt, pb), (pl, pr)))
        h, w, pt, pl = h + pt + pb, w + pl + pr, 0, 0
    oh, ow = out_size(h, kh, st[0], pt, dl[0]), out_size(w, kw, st[1], pl, dl[1])
    if oh < 1 or ow < 1:
        raise ValueError(
            f"{where}: kernel {(kh, kw)} (dilation {dl}) does not fit input "
            f"{(n, c, h, w)} with padding {(pt, pl)}"
        )
    cols = cg.im2col(x, kh=kh, kw=kw, stride=st, pad=(pt, pl), dilation=dl)
    if groups == 1:
        y = cg.matmul(cols, cg.transpose(cg.reshape(weight, (o, -1))))
    else:
        m, k = n * oh * ow, cg_ * kh * kw
        cols = cg.transpose(cg.reshape(cols, (m, groups, k)), (1, 0, 2))
        wg = cg.transpose(cg.reshape(weight, (groups, o // groups, k)), (0, 2, 1))
        y = cg.reshape(cg.transpose(cg.matmul(cols, wg), (1, 0, 2)), (m, o))
    if bias is not None:
        y = y + bias
    return cg.transpose(cg.reshape(y, (n, oh, ow, o)), (0, 3, 1, 2))


def _batched(where: str, x: Any, spatial: int) -> tuple:
    shape = _shape(x)
    if len(shape) == spatial + 1:
        return cg.expand_dims(x, 0), True
    if len(shape) != spatial + 2:
        raise ValueError(
            f"{where}: expected a {spatial + 1}-D (unbatched) or {spatial + 2}-D (batched) "
            f"input, got shape {shape}"
        )
    return x, False


def conv2d(
    input: Any,  # noqa: A002 (PyTorch's name)
    weight: Any,
    bias: Any = None,
    stride: Any = 1,
    padding: Any = 0,
    dilation: Any = 1,
    groups: int = 1,
) -> Tensor:
    """2-D convolution (cross-correlation) of (N, C, H, W) or (C, H, W) by weight
    (O, C/groups, kh, kw), as ``F.conv2d``; ``padding`` ints, pairs, ``'valid'`` or
    ``'same'``."""
    x, unb = _batched("conv2d", input, 2)
    ks = _shape(weight)
    if len(ks) != 4:
        raise ValueError(f"conv2d: weight must be 4-D (out, in/groups, kh, kw), got {ks}")
    st, dl, pads = _conv_args("conv2d", 2, stride, padding, dilation, ks[2:])
    y = _conv2d(x, weight, bias, st, dl, pads, int(groups), "conv2d")
    return cg.squeeze(y, 0) if unb else y


def conv1d(
    input: Any,  # noqa: A002 (PyTorch's name)
    weight: Any,
    bias: Any = None,
    stride: Any = 1,
    padding: Any = 0,
    dilation: Any = 1,
    groups: int = 1,
) -> Tensor:
    """1-D convolution of (N, C, L) or (C, L) by weight (O, C/groups, k), as
    ``F.conv1d`` (a 2-D convolution of height 1)."""
    x, unb = _batched("conv1d", input, 1)
    ks = _shape(weight)
    if len(ks) != 3:
        raise ValueError(f"conv1d: weight must be 3-D (out, in/groups, k), got {ks}")
    st, dl, pads = _conv_args("conv1d", 1, stride, padding, dilation, ks[2:])
    y = _conv2d(
        cg.expand_dims(x, 2),
        cg.expand_dims(weight, 2),
        bias,
        (1,) + st,
        (1,) + dl,
        ((0, 0),) + pads,
        int(groups),
        "conv1d",
    )
    y = cg.squeeze(y, 2)
    return cg.squeeze(y, 0) if unb else y


def _conv_transpose2d(
    x: Any,
    weight: Any,
    bias: Any,
    st: tuple,
    pad: tuple,
    opad: tuple,
    groups: int,
    dl: tuple,
    where: str,
) -> Tensor:
    """The adjoint of a convolution: each input pixel times the kernel, summed into
    place (``col2im``), with weight (C_in, C_out/groups, kh, kw)."""
    n, c, h, w = _shape(x)
    ci, og, kh, kw = _shape(weight)
    if ci != c or groups < 1 or c % groups:
        raise ValueError(
            f"{where}: input of shape {(n, c, h, w)} and weight of shape {_shape(weight)} "
            f"with groups={groups}: expected weight (in, out/groups, kh, kw)"
        )
    if any(op >= max(s, d) for op, s, d in zip(opad, st, dl)):
        raise ValueError(
            f"{where}: output_padding {opad} must be smaller than stride {st} or dilation {dl}"
        )
    oh = (h - 1) * st[0] - 2 * pad[0] + dl[0] * (kh - 1) + opad[0] + 1
    ow = (w - 1) * st[1] - 2 * pad[1] + dl[1] * (kw - 1) + opad[1] + 1
    if oh < 1 or ow < 1:
        raise ValueError(f"{where}: output size ({oh}, {ow}) is too small for input {_shape(x)}")
    m, o = n * h * w, og * groups
    rows = cg.reshape(cg.transpose(x, (0, 2, 3, 1)), (m, c))
    if groups == 1:
        cols = cg.matmul(rows, cg.reshape(weight, (c, -1)))
    else:
        rg = cg.transpose(cg.reshape(rows, (m, groups, c // groups)), (1, 0, 2))
        wg = cg.reshape(weight, (groups, c // groups, og * kh * kw))
        cols = cg.reshape(cg.transpose(cg.matmul(rg, wg), (1, 0, 2)), (m, -1))
    if opad == (0, 0):
        y = dispatch(
            get_op("col2im"),
            (cols,),
            {"shape": (n, o, oh, ow), "kh": kh, "kw": kw, "stride": st, "pad": pad, "dilation": dl},
        )
    else:  # the full output, then torch's window of it (zeros past its end)
        fh, fw = (h - 1) * st[0] + dl[0] * (kh - 1) + 1, (w - 1) * st[1] + dl[1] * (kw - 1) + 1
        y = dispatch(
            get_op("col2im"),
            (cols,),
            {
                "shape": (n, o, fh, fw),
                "kh": kh,
                "kw": kw,
                "stride": st,
                "pad": (0, 0),
                "dilation": dl,
            },
        )
        y = y[:, :, pad[0] : pad[0] + oh, pad[1] : pad[1] + ow]
        eh, ew = max(0, pad[0] + oh - fh), max(0, pad[1] + ow - fw)
        if eh or ew:
            y = cg.pad(y, ((0, 0), (0, 0), (0, eh), (0, ew)))
    if bias is not None:
        y = y + cg.reshape(bias, (o, 1, 1))
    return y


def conv_transpose2d(
    input: Any,  # noqa: A002 (PyTorch's name)
    weight: Any,
    bias: Any = None,
    stride: Any = 1,
    padding: Any = 0,
    output_padding: Any = 0,
    groups: int = 1,
    dilation: Any = 1,
) -> Tensor:
    """Transposed 2-D convolution (the gradient of ``conv2d`` with respect to its input)
    of (N, C_in, H, W) or (C_in, H, W) by weight (C_in, C_out/groups, kh, kw), as
    ``F.conv_transpose2d``."""
    x, unb = _batched("conv_transpose2d", input, 2)
    if len(_shape(weight)) != 4:
        raise ValueError(f"conv_transpose2d: weight must be 4-D, got {_shape(weight)}")
    w = "conv_transpose2d"
    y = _conv_transpose2d(
        x,
        weight,
        bias,
        _ints(stride, 2, f"{w} stride", 1),
        _ints(padding, 2, f"{w} padding"),
        _ints(output_padding, 2, f"{w} output_padding"),
        int(groups),
        _ints(dilation, 2, f"{w} dilation", 1),
        w,
    )
    return cg.squeeze(y, 0) if unb else y


def conv_transpose1d(
    input: Any,  # noqa: A002 (PyTorch's name)
    weight: Any,
    bias: Any = None,
    stride: Any = 1,
    padding: Any = 0,
    output_padding: Any = 0,
    groups: int = 1,
    dilation: Any = 1,
) -> Tensor:
    """Transposed 1-D convolution of (N, C_in, L) or (C_in, L) by weight
    (C_in, C_out/groups, k), as ``F.conv_transpose1d``."""
    x, unb = _batched("conv_transpose1d", input, 1)
    if len(_shape(weight)) != 3:
        raise ValueError(f"conv_transpose1d: weight must be 3-D, got {_shape(weight)}")
    w = "conv_transpose1d"
    y = _conv_transpose2d(
        cg.expand_dims(x, 2),
        cg.expand_dims(weight, 2),
        bias,
        (1,) + _ints(stride, 1, f"{w} stride", 1),
        (0,) + _ints(padding, 1, f"{w} padding"),
        (0,) + _ints(output_padding, 1, f"{w} output_padding"),
        int(groups),
        (1,) + _ints(dilation, 1, f"{w} dilation", 1),
        w,
    )
    y = cg.squeeze(y, 2)
    return cg.squeeze(y, 0) if unb else y
