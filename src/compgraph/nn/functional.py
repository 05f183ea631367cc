"""PyTorch's ``torch.nn.functional`` on compgraph Tensors: ``import compgraph.nn.functional as F``.

The same names, signatures, defaults and results as PyTorch (``F.conv2d``,
``F.cross_entropy``, ``F.scaled_dot_product_attention`` ...).  Each function is
written with ``cg`` functions, so its gradients (first and higher order, reverse and
forward mode) come from the primitives' rules; a convolution (groups=1) is one op,
``convolution2d`` (ops/conv.py), grouped ones ``im2col`` patches times the weight.
``cg.nn``'s layers call these functions.  Shape errors are ``ValueError`` (PyTorch
raises ``RuntimeError``), type errors ``TypeError``.
"""

from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np

from .. import functions as cg
from .. import linalg, special
from ..functions import dispatch
from ..grad_mode import no_grad
from ..ops.conv import out_size
from ..ops.registry import get_op
from ..random import default_generator
from ..tensor import Tensor
from .activation_fns import *  # noqa: F403
from .activation_fns import __all__ as _activation_fns_all
from .attention_fns import *  # noqa: F403
from .attention_fns import __all__ as _attention_fns_all
from .conv_fns import *  # noqa: F403
from .conv_fns import __all__ as _conv_fns_all
from .ctc import *  # noqa: F403
from .ctc import __all__ as _ctc_all
from .fn_args import dtype_of as _dtype
from .fn_args import int_tuple as _ints
from .fn_args import pool_geometry as _pool_geometry
from .fn_args import shape_of as _shape
from .fn_args import value_of as _value
from .loss_fns import *  # noqa: F403
from .loss_fns import __all__ as _loss_fns_all
from .pool_fns import *  # noqa: F403
from .pool_fns import __all__ as _pool_fns_all
from .pool_fns import (
    adaptive_max_pool1d_with_indices,
    adaptive_max_pool2d_with_indices,
    max_pool1d_with_indices,
    max_pool2d_with_indices,
    max_pool3d_with_indices,
)
from .reshape_fns import *  # noqa: F403
from .reshape_fns import __all__ as _reshape_fns_all
from .unpool import max_unpool1d, max_unpool2d, max_unpool3d

__all__ = [  # torch.nn.functional's names (some also name ops): not compgraph ops
    "pdist",
    "linear",
    "bilinear",
    "dropout",
    "dropout1d",
    "dropout2d",
    "embedding",
    "layer_norm",
    "rms_norm",
    "group_norm",
    "scaled_dot_product_attention",
    "conv2d",
    "conv1d",
    "conv_transpose2d",
    "conv_transpose1d",
    "sigmoid",
    "tanh",
    "gelu",
    "relu",
    "hardtanh",
    "relu6",
    "leaky_relu",
    "elu",
    "selu",
    "celu",
    "silu",
    "softplus",
    "mish",
    "softsign",
    "hardsigmoid",
    "hardswish",
    "logsigmoid",
    "tanhshrink",
    "threshold",
    "hardshrink",
    "softshrink",
    "softmax",
    "softmin",
    "log_softmax",
    "glu",
    "max_pool2d",
    "max_pool1d",
    "avg_pool2d",
    "avg_pool1d",
    "adaptive_avg_pool2d",
    "adaptive_avg_pool1d",
    "adaptive_max_pool2d",
    "adaptive_max_pool1d",
    "pad",
    "interpolate",
    "pixel_shuffle",
    "pixel_unshuffle",
    "unfold",
    "fold",
    "one_hot",
    "batch_norm",
    "instance_norm",
    "normalize",
    "cosine_similarity",
    "pairwise_distance",
    "cross_entropy",
    "nll_loss",
    "binary_cross_entropy",
    "binary_cross_entropy_with_logits",
    "mse_loss",
    "l1_loss",
    "smooth_l1_loss",
    "huber_loss",
    "kl_div",
    "margin_ranking_loss",
    "hinge_embedding_loss",
    "soft_margin_loss",
    "cosine_embedding_loss",
    "triplet_margin_loss",
    "poisson_nll_loss",
    "gaussian_nll_loss",
    "prelu",
    "rrelu",
    "gumbel_softmax",
    "alpha_dropout",
    "feature_alpha_dropout",
    "lp_pool1d",
    "lp_pool2d",
    "local_response_norm",
    "multi_margin_loss",
    "multilabel_soft_margin_loss",
    "embedding_bag",
    "upsample",
    "upsample_nearest",
    "upsample_bilinear",
    "max_pool3d",
    "avg_pool3d",
    "conv3d",
    "affine_grid",
    "grid_sample",
    "max_unpool1d",
    "max_unpool2d",
    "max_unpool3d",
]
# torch.nn.functional's names that live in modules of their own
__all__ += (
    _activation_fns_all
    + _attention_fns_all
    + _conv_fns_all
    + _ctc_all
    + _loss_fns_all
    + _pool_fns_all
    + _reshape_fns_all
)


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
    # cg.manual_seed makes dropout repeatable, as torch.manual_seed does
    rng = default_generator.rng if generator is None else getattr(generator, "rng", generator)
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
    ``training``; ``generator`` (a ``cg.Generator`` or a NumPy Generator; by default the process's, seeded by ``cg.manual_seed``) makes the draw reproducible.
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
    # Stacks of matrices as (B, n, k) for the fast batched product (broadcast first).
    lead = np.broadcast_shapes(qs[:-2], _shape(key)[:-2], _shape(value)[:-2])
    q3 = _stack3(cg.multiply(query, s), lead)
    k3, v3 = _stack3(key, lead), _stack3(value, lead)
    scores = _bmm(q3, cg.swapaxes(k3, -1, -2))
    if is_causal:
        attn_mask = np.tril(np.ones((L, S), bool))
    if attn_mask is not None:
        mshape = np.broadcast_shapes(lead + (L, S), _shape(attn_mask))
        if mshape != lead + (L, S):
            raise ValueError(
                f"scaled_dot_product_attention: attn_mask of shape {_shape(attn_mask)} does "
                f"not broadcast to {lead + (L, S)}"
            )
        if _dtype(attn_mask) == np.bool_:
            # added as 0 / -inf: an add's gradient is free, a where's is another pass
            m = np.where(_value(attn_mask), 0.0, -np.inf).astype(_dtype(scores))
            if m.ndim > 2:
                m = np.broadcast_to(m, lead + (L, S)).reshape(-1, L, S)
            scores = scores + m
        else:
            scores = scores + _stack3(cg.broadcast_to(attn_mask, lead + (L, S)), lead)
    attn = _softmax_op(scores, -1)
    if dropout_p:
        p = _check_p(dropout_p, "scaled_dot_product_attention")
        attn = _dropout(attn, p, True, _shape(attn), generator)
    out = _bmm(attn, v3)
    return cg.reshape(out, lead + (L, vs[-1]))


def _stack3(x: Any, lead: tuple) -> Any:
    """``x`` (..., n, k) broadcast to ``lead`` batch dimensions, as (B, n, k)."""
    shape = _shape(x)
    if shape[:-2] != lead:
        x = cg.broadcast_to(x, lead + shape[-2:])
    return cg.reshape(x, (-1,) + shape[-2:])


def _bmm(a: Any, b: Any) -> Tensor:
    return dispatch(get_op("batched_matmul"), (a, b))


def _softmax_op(x: Any, dim: int) -> Tensor:
    return dispatch(get_op("softmax_fused"), (x,), {"axis": (int(dim) % len(_shape(x)),)})


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
    if groups == 1:  # one op: patches a chunk of images at a time, bias included
        return dispatch(
            get_op("convolution2d"),
            (x, weight, 0.0 if bias is None else bias),
            {"stride": st, "pad": (pt, pl), "dilation": dl},
        )
    cols = cg.im2col(x, kh=kh, kw=kw, stride=st, pad=(pt, pl), dilation=dl)
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
    if groups == 1 and all(op < s for op, s in zip(opad, st)):
        # the input gradient of a convolution of the output by the same weight: one op
        y = dispatch(
            get_op("convolution2d_input"),
            (x, weight),
            {"shape": (n, o, oh, ow), "stride": st, "pad": pad, "dilation": dl},
        )
        return y if bias is None else y + cg.reshape(bias, (o, 1, 1))
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


# ------------------------------------------------------------------ activations
# PyTorch's signatures (``inplace`` is accepted and ignored: results are new tensors).
sigmoid = cg.sigmoid
tanh = cg.tanh
gelu = cg.gelu


def relu(input: Any, inplace: bool = False) -> Tensor:  # noqa: A002 (PyTorch's name)
    """``max(x, 0)`` (gradient 0 at 0, as torch)."""
    return cg.relu(input)


def hardtanh(
    input: Any,  # noqa: A002 (PyTorch's name)
    min_val: float = -1.0,
    max_val: float = 1.0,
    inplace: bool = False,
) -> Tensor:
    """``clip(x, min_val, max_val)``; as torch, the gradient passes only strictly
    between the bounds (``cg.clip``'s includes them)."""
    return _clip_open(input, min_val, max_val)


def _clip_open(x: Any, lo: float, hi: float) -> Tensor:
    """clip(x, lo, hi) whose gradient is 1 only where lo < x < hi (torch's hardtanh)."""
    inside = cg.logical_and(cg.greater(x, lo), cg.less(x, hi))
    return cg.where(inside, x, cg.clip(cg.stop_gradient(x), lo, hi))


def relu6(input: Any, inplace: bool = False) -> Tensor:  # noqa: A002 (PyTorch's name)
    """``clip(x, 0, 6)`` (gradient 0 at 0 and 6, as torch)."""
    return _clip_open(input, 0.0, 6.0)


def leaky_relu(
    input: Any,  # noqa: A002 (PyTorch's name)
    negative_slope: float = 0.01,
    inplace: bool = False,
) -> Tensor:
    """``x`` where ``x > 0``, else ``negative_slope * x``."""
    return cg.leaky_relu(input, negative_slope)


def elu(input: Any, alpha: float = 1.0, inplace: bool = False) -> Tensor:  # noqa: A002
    """``x`` where ``x > 0``, else ``alpha * (exp(x) - 1)``."""
    return cg.elu(input, alpha)


_SELU_ALPHA, _SELU_SCALE = 1.6732632423543772, 1.0507009873554805


def selu(input: Any, inplace: bool = False) -> Tensor:  # noqa: A002 (PyTorch's name)
    """``scale * elu(x, alpha)`` with the self-normalising constants."""
    return cg.multiply(cg.elu(input, _SELU_ALPHA), _SELU_SCALE)


def celu(input: Any, alpha: float = 1.0, inplace: bool = False) -> Tensor:  # noqa: A002
    """``x`` where ``x > 0``, else ``alpha * (exp(x / alpha) - 1)``."""
    return cg.multiply(cg.elu(cg.multiply(input, 1.0 / alpha)), alpha)


def silu(input: Any, inplace: bool = False) -> Tensor:  # noqa: A002 (PyTorch's name)
    """``x * sigmoid(x)``."""
    return cg.silu(input)


def softplus(input: Any, beta: float = 1.0, threshold: float = 20.0) -> Tensor:  # noqa: A002
    """``log(1 + exp(beta * x)) / beta``, and ``x`` itself where ``beta * x > threshold``."""
    bx = cg.multiply(input, beta) if beta != 1.0 else input
    soft = cg.softplus(bx) if beta == 1.0 else cg.multiply(cg.softplus(bx), 1.0 / beta)
    return cg.where(cg.greater(bx, threshold), input, soft)


def mish(input: Any, inplace: bool = False) -> Tensor:  # noqa: A002 (PyTorch's name)
    """``x * tanh(softplus(x))``."""
    return cg.multiply(input, cg.tanh(cg.softplus(input)))


def softsign(input: Any) -> Tensor:  # noqa: A002 (PyTorch's name)
    """``x / (1 + |x|)``."""
    return cg.divide(input, cg.add(cg.abs(input), 1.0))


def hardsigmoid(input: Any, inplace: bool = False) -> Tensor:  # noqa: A002
    """``clip(x / 6 + 1/2, 0, 1)`` (gradient 0 at -3 and 3, as torch)."""
    return cg.multiply(_clip_open(cg.add(input, 3.0), 0.0, 6.0), 1.0 / 6.0)


def hardswish(input: Any, inplace: bool = False) -> Tensor:  # noqa: A002 (PyTorch's name)
    """``x * hardsigmoid(x)`` (gradient 0 at -3 and 1 at 3, as torch)."""
    return cg.multiply(input, hardsigmoid(input))


def logsigmoid(input: Any) -> Tensor:  # noqa: A002 (PyTorch's name)
    """``log(sigmoid(x)) = -softplus(-x)``, stable."""
    return cg.negative(cg.softplus(cg.negative(input)))


def tanhshrink(input: Any) -> Tensor:  # noqa: A002 (PyTorch's name)
    """``x - tanh(x)``."""
    return cg.subtract(input, cg.tanh(input))


def threshold(
    input: Any,  # noqa: A002 (PyTorch's name)
    threshold: float,
    value: float,
    inplace: bool = False,
) -> Tensor:
    """``x`` where ``x > threshold``, else ``value``."""
    return cg.where(cg.greater(input, threshold), input, value)


def hardshrink(input: Any, lambd: float = 0.5) -> Tensor:  # noqa: A002 (PyTorch's name)
    """``x`` where ``|x| > lambd``, else 0."""
    return cg.where(cg.greater(cg.abs(input), lambd), input, 0.0)


def softshrink(input: Any, lambd: float = 0.5) -> Tensor:  # noqa: A002 (PyTorch's name)
    """``x - lambd`` above ``lambd``, ``x + lambd`` below ``-lambd``, else 0."""
    return cg.where(
        cg.greater(input, lambd),
        cg.subtract(input, lambd),
        cg.where(cg.less(input, -lambd), cg.add(input, lambd), 0.0),
    )


def _softmax_dim(x: Any, dim: Any, dtype: Any, where: str) -> tuple:
    if dtype is not None:
        x = cg.astype(x, _np_dtype(dtype))
    if dim is None:  # torch's legacy implicit choice (it warns)
        dim = 0 if len(_shape(x)) in (0, 1, 3) else 1
    return x, int(dim)


def _np_dtype(dtype: Any) -> np.dtype:
    """A dtype given as NumPy's, compgraph's, a string or a torch dtype (its name)."""
    try:
        return np.dtype(dtype)
    except TypeError:
        return np.dtype(str(dtype).replace("torch.", ""))


def softmax(
    input: Any,  # noqa: A002 (PyTorch's name)
    dim: int | None = None,
    _stacklevel: int = 3,
    dtype: Any = None,
) -> Tensor:
    """``exp(x) / sum(exp(x))`` along ``dim``, in ``dtype`` if given (cast first)."""
    x, d = _softmax_dim(input, dim, dtype, "softmax")
    return _softmax_op(x, d)


def softmin(
    input: Any,  # noqa: A002 (PyTorch's name)
    dim: int | None = None,
    _stacklevel: int = 3,
    dtype: Any = None,
) -> Tensor:
    """``softmax(-x)`` along ``dim``."""
    x, d = _softmax_dim(input, dim, dtype, "softmin")
    return _softmax_op(cg.negative(x), d)


def log_softmax(
    input: Any,  # noqa: A002 (PyTorch's name)
    dim: int | None = None,
    _stacklevel: int = 3,
    dtype: Any = None,
) -> Tensor:
    """``x - logsumexp(x)`` along ``dim`` (one primitive), in ``dtype`` if given."""
    x, d = _softmax_dim(input, dim, dtype, "log_softmax")
    return cg.log_softmax(x, d)


def glu(input: Any, dim: int = -1) -> Tensor:  # noqa: A002 (PyTorch's name)
    """``a * sigmoid(b)`` for the two halves ``a, b`` of ``input`` along ``dim``."""
    shape = _shape(input)
    n = shape[dim]
    if n % 2:
        raise ValueError(f"glu: halving dimension {dim} of shape {shape} needs an even size")
    a, b = cg.split(input, 2, axis=dim)
    return cg.multiply(a, cg.sigmoid(b))


# ------------------------------------------------------------------ pooling
def _first_max(x: Any, axis: int) -> Tensor:
    """Max along ``axis`` whose gradient goes to the first maximal entry only, as
    PyTorch's max pooling (a plain max splits it among ties)."""
    return dispatch(get_op("max_first"), (x,), {"axis": int(axis) % len(_shape(x))})


def _pool2d(
    where: str,
    x: Any,
    kernel_size: Any,
    stride: Any,
    padding: Any,
    dilation: Any,
    ceil_mode: bool,
    fill: float,
) -> tuple:
    """Patches of an (N, C, H, W) input padded with ``fill``: ``(cols (N*C*oh*ow, kh*kw),
    (n, c, oh, ow), geometry)``, or a reshaped view when windows tile the input."""
    n, c, h, w = _shape(x)
    k = _ints(kernel_size, 2, f"{where} kernel_size", 1)
    s = (
        k
        if stride is None or stride == [] or stride == ()
        else _ints(stride, 2, f"{where} stride", 1)
    )
    p = _ints(padding, 2, f"{where} padding")
    d = _ints(dilation, 2, f"{where} dilation", 1)
    (oh, eh), (ow, ew) = (
        _pool_geometry(where, size, *a, ceil_mode) for size, a in zip((h, w), zip(k, s, p, d))
    )
    geo = (k, s, p, d, (eh, ew))
    if s == k and d == (1, 1) and p == (0, 0) and h == oh * k[0] and w == ow * k[1]:
        # Windows tile the input: a reshape and a transpose, no patch copy.
        y = cg.reshape(x, (n, c, oh, k[0], ow, k[1]))
        cols = cg.reshape(cg.transpose(y, (0, 1, 2, 4, 3, 5)), (-1, k[0] * k[1]))
        return cols, (n, c, oh, ow), geo
    planes = cg.reshape(x, (n * c, 1, h, w))
    if p != (0, 0) or eh or ew:
        pads = ((0, 0), (0, 0), (p[0], p[0] + eh), (p[1], p[1] + ew))
        planes = cg.pad(planes, pads, constant_values=fill)
    cols = cg.im2col(planes, kh=k[0], kw=k[1], stride=s, pad=0, dilation=d)
    return cols, (n, c, oh, ow), geo


def _unbatched(where: str, x: Any, spatial: int, fn: Any) -> Any:
    shape = _shape(x)
    if len(shape) == spatial + 1:
        y = fn(cg.expand_dims(x, 0))
        return tuple(cg.squeeze(v, 0) for v in y) if isinstance(y, tuple) else cg.squeeze(y, 0)
    if len(shape) != spatial + 2:
        raise ValueError(
            f"{where}: expected a {spatial + 1}-D (unbatched) or {spatial + 2}-D (batched) "
            f"input, got shape {shape}"
        )
    return fn(x)


def _as2d(x: Any) -> Any:
    return cg.expand_dims(x, 2)


def _max_pool(x, k, s, p, d, ceil_mode, where) -> Any:
    n, c, h, w = _shape(x)
    kk = _ints(k, 2, f"{where} kernel_size", 1)
    if (
        (s is None or _ints(s, 2, f"{where} stride", 1) == kk)
        and _ints(p, 2, f"{where} padding") == (0, 0)
        and _ints(d, 2, f"{where} dilation", 1) == (1, 1)
        and h % kk[0] == 0
        and w % kk[1] == 0
    ):
        # Windows tile the input: one op over strided views, no patch copy; the gradient
        # goes to the first maximum in row-major order, as torch.
        return dispatch(get_op("window_max"), (x,), {"kh": kk[0], "kw": kk[1]})
    cols, (n, c, oh, ow), _ = _pool2d(where, x, k, s, p, d, ceil_mode, -np.inf)
    return cg.reshape(_first_max(cols, 1), (n, c, oh, ow))


def max_pool2d(
    input: Any,  # noqa: A002 (PyTorch's name)
    kernel_size: Any,
    stride: Any = None,
    padding: Any = 0,
    dilation: Any = 1,
    ceil_mode: bool = False,
    return_indices: bool = False,
) -> Any:
    """Max over windows of (N, C, H, W) or (C, H, W), as ``F.max_pool2d``: ``stride``
    defaults to the window, ``padding`` (-inf, at most half the window), ``dilation``,
    ``ceil_mode``; the gradient goes to each window's first maximum; with
    ``return_indices`` also the flat H*W index of each maximum."""
    if return_indices:  # (torch's pick in every window: NaN, all -inf, padding)
        return max_pool2d_with_indices(input, kernel_size, stride, padding, dilation, ceil_mode)
    return _unbatched(
        "max_pool2d",
        input,
        2,
        lambda x: _max_pool(x, kernel_size, stride, padding, dilation, ceil_mode, "max_pool2d"),
    )


def max_pool1d(
    input: Any,  # noqa: A002 (PyTorch's name)
    kernel_size: Any,
    stride: Any = None,
    padding: Any = 0,
    dilation: Any = 1,
    ceil_mode: bool = False,
    return_indices: bool = False,
) -> Any:
    """Max over windows of (N, C, L) or (C, L), as ``F.max_pool1d``."""
    if return_indices:  # (torch's pick in every window: NaN, all -inf, padding)
        return max_pool1d_with_indices(input, kernel_size, stride, padding, dilation, ceil_mode)
    one = lambda v, low=0: (1,) + _ints(v, 1, "max_pool1d", low)  # noqa: E731

    def fn(x: Any) -> Any:
        y = _max_pool(
            _as2d(x),
            one(kernel_size, 1),
            None if stride is None else one(stride, 1),
            (0,) + _ints(padding, 1, "max_pool1d padding"),
            one(dilation, 1),
            ceil_mode,
            "max_pool1d",
        )
        return cg.squeeze(y, 2)

    return _unbatched("max_pool1d", input, 1, fn)


def _avg_pool(x, k, s, p, ceil_mode, count_include_pad, divisor_override, where) -> Tensor:
    cols, (n, c, oh, ow), (k2, s2, p2, _, (eh, ew)) = _pool2d(where, x, k, s, p, 1, ceil_mode, 0.0)
    total = cg.reshape(cg.sum(cols, axis=1), (n, c, oh, ow))
    if divisor_override:
        return cg.multiply(total, 1.0 / divisor_override)
    h, w = _shape(x)[2:]
    if not (eh or ew) and (count_include_pad or p2 == (0, 0)):
        return cg.multiply(total, 1.0 / (k2[0] * k2[1]))
    # Per-window divisor: padding counts (or not), the ceil_mode overhang never does.
    inner = np.ones((1, 1, h, w))
    inner = np.pad(
        inner,
        ((0, 0), (0, 0), (p2[0],) * 2, (p2[1],) * 2),
        constant_values=float(count_include_pad),
    )
    inner = np.pad(inner, ((0, 0), (0, 0), (0, eh), (0, ew)))
    counts = get_op("im2col").forward(inner, k2[0], k2[1], s2, 0).sum(axis=1).reshape(oh, ow)
    return cg.divide(total, counts.astype(_dtype(total)))


def avg_pool2d(
    input: Any,  # noqa: A002 (PyTorch's name)
    kernel_size: Any,
    stride: Any = None,
    padding: Any = 0,
    ceil_mode: bool = False,
    count_include_pad: bool = True,
    divisor_override: int | None = None,
) -> Tensor:
    """Mean over windows of (N, C, H, W) or (C, H, W), as ``F.avg_pool2d``: zero
    ``padding`` counted in the mean unless ``count_include_pad=False``, ``ceil_mode``
    windows divided by their size inside the padded input, or ``divisor_override``."""
    return _unbatched(
        "avg_pool2d",
        input,
        2,
        lambda x: _avg_pool(
            x,
            kernel_size,
            stride,
            padding,
            ceil_mode,
            count_include_pad,
            divisor_override,
            "avg_pool2d",
        ),
    )


def avg_pool1d(
    input: Any,  # noqa: A002 (PyTorch's name)
    kernel_size: Any,
    stride: Any = None,
    padding: Any = 0,
    ceil_mode: bool = False,
    count_include_pad: bool = True,
) -> Tensor:
    """Mean over windows of (N, C, L) or (C, L), as ``F.avg_pool1d``."""
    one = lambda v, low=0: (1,) + _ints(v, 1, "avg_pool1d", low)  # noqa: E731
    return _unbatched(
        "avg_pool1d",
        input,
        1,
        lambda x: cg.squeeze(
            _avg_pool(
                _as2d(x),
                one(kernel_size, 1),
                None if stride is None else one(stride, 1),
                (0,) + _ints(padding, 1, "avg_pool1d padding"),
                ceil_mode,
                count_include_pad,
                None,
                "avg_pool1d",
            ),
            2,
        ),
    )


def _adaptive_sizes(shape: tuple, size: Any, spatial: int, where: str) -> tuple:
    """The output cells per spatial axis (``None`` keeps that axis's size)."""
    sizes = tuple(size) if isinstance(size, (tuple, list)) else (size,) * spatial
    outs = tuple(shape[2 + i] if o is None else int(o) for i, o in enumerate(sizes))
    if len(outs) != spatial or min(outs) < 1:
        raise ValueError(f"{where}: output_size must be {spatial} positive ints, got {size}")
    return outs


def _adaptive_windows(shape: tuple, outs: tuple) -> list:
    """The spatial slices of every output cell, in row-major order (PyTorch's windows:
    cell i of a length-L axis spans ``floor(i*L/o)`` to ``ceil((i+1)*L/o)``)."""
    return [
        tuple(slice((i * L) // o, -((-(i + 1) * L) // o)) for i, L, o in zip(cell, shape[2:], outs))
        for cell in np.indices(outs).reshape(len(outs), -1).T
    ]


def _adaptive(x: Any, size: Any, spatial: int, reduce: Any, where: str) -> Tensor:
    """Pool (N, C, *spatial) into ``size`` cells; cell i of a length-L axis spans
    ``floor(i*L/o)`` to ``ceil((i+1)*L/o)`` (PyTorch's windows)."""
    shape = _shape(x)
    outs = _adaptive_sizes(shape, size, spatial, where)
    if all(L % o == 0 for L, o in zip(shape[2:], outs)):  # equal windows: one reshape
        split = shape[:2] + tuple(v for o, L in zip(outs, shape[2:]) for v in (o, L // o))
        y = cg.reshape(x, split)
        axes = tuple(range(3, 3 + 2 * spatial, 2))
        order = tuple(i for i in range(len(split)) if i not in axes) + axes
        y = cg.reshape(cg.transpose(y, order), shape[:2] + outs + (-1,))
        return reduce(y, -1)
    # unequal windows: one slice per cell, stacked (few cells in practice)
    vals = []
    for sl in _adaptive_windows(shape, outs):
        win = cg.reshape(x[(slice(None), slice(None)) + sl], shape[:2] + (-1,))
        vals.append(reduce(win, -1))
    return cg.reshape(cg.stack(vals, axis=-1), shape[:2] + outs)


def _mean_last(v: Any, axis: int) -> Any:
    return cg.mean(v, axis=axis)


def adaptive_avg_pool2d(input: Any, output_size: Any) -> Tensor:  # noqa: A002
    """Mean over the windows cutting (N, C, H, W) or (C, H, W) into ``output_size``
    cells (``None`` keeps a size), as ``F.adaptive_avg_pool2d``."""
    return _unbatched(
        "adaptive_avg_pool2d",
        input,
        2,
        lambda x: _adaptive(x, output_size, 2, _mean_last, "adaptive_avg_pool2d"),
    )


def adaptive_avg_pool1d(input: Any, output_size: Any) -> Tensor:  # noqa: A002
    """Mean over the windows cutting (N, C, L) or (C, L) into ``output_size`` cells."""
    return _unbatched(
        "adaptive_avg_pool1d",
        input,
        1,
        lambda x: _adaptive(x, output_size, 1, _mean_last, "adaptive_avg_pool1d"),
    )


def _adaptive_max(where: str, x: Any, size: Any, spatial: int) -> Any:
    return _unbatched(where, x, spatial, lambda xb: _adaptive(xb, size, spatial, _first_max, where))


def adaptive_max_pool2d(
    input: Any,  # noqa: A002 (PyTorch's name)
    output_size: Any,
    return_indices: bool = False,
) -> Any:
    """Max over the windows cutting (N, C, H, W) into ``output_size`` cells (the
    gradient to each window's first maximum); with ``return_indices`` also the flat
    H*W index of each maximum, as torch."""
    if return_indices:
        return adaptive_max_pool2d_with_indices(input, output_size)
    return _adaptive_max("adaptive_max_pool2d", input, output_size, 2)


def adaptive_max_pool1d(
    input: Any,  # noqa: A002 (PyTorch's name)
    output_size: Any,
    return_indices: bool = False,
) -> Any:
    """Max over the windows cutting (N, C, L) into ``output_size`` cells (with
    ``return_indices`` also the index of each maximum, as torch)."""
    if return_indices:
        return adaptive_max_pool1d_with_indices(input, output_size)
    return _adaptive_max("adaptive_max_pool1d", input, output_size, 1)


# ------------------------------------------------------------------ padding, resizing
_PAD_MODES = {"constant": "constant", "reflect": "reflect", "replicate": "edge", "circular": "wrap"}


def pad(
    input: Any,  # noqa: A002 (PyTorch's name)
    pad: Any,
    mode: str = "constant",
    value: float | None = None,
) -> Tensor:
    """Pad (or, with negative amounts, crop) the last dimensions, as ``F.pad``: ``pad`` is
    ``(left, right)`` of the last dimension, then of the one before, ...; ``mode``
    ``'constant'`` (with ``value``, default 0), ``'reflect'``, ``'replicate'`` or
    ``'circular'``."""
    if mode not in _PAD_MODES:
        raise NotImplementedError(f"pad: mode must be one of {', '.join(_PAD_MODES)}, got {mode!r}")
    if value is not None and mode != "constant" and value != 0:
        raise ValueError(f"pad: padding mode {mode!r} doesn't take in value argument")
    shape = _shape(input)
    amounts = [int(a) for a in pad]
    if len(amounts) % 2 or len(amounts) // 2 > len(shape):
        raise ValueError(
            f"pad: the padding {tuple(pad)} must have an even length of at most twice the "
            f"number of dimensions ({len(shape)})"
        )
    pairs = [(0, 0)] * len(shape)
    for i in range(len(amounts) // 2):
        pairs[len(shape) - 1 - i] = (amounts[2 * i], amounts[2 * i + 1])
    x = input
    if any(b < 0 or a < 0 for b, a in pairs):  # negative amounts crop
        x = x[tuple(slice(max(0, -b), n - max(0, -a)) for (b, a), n in zip(pairs, shape))]
        shape = _shape(x)
        pairs = [(max(0, b), max(0, a)) for b, a in pairs]
    for (b, a), n in zip(pairs, shape):
        if (mode == "reflect" and max(b, a) >= n) or (mode == "circular" and max(b, a) > n):
            raise ValueError(
                f"pad: {mode} padding {(b, a)} must be smaller than the dimension size {n}"
            )
    if not any(b or a for b, a in pairs):
        return x if isinstance(x, Tensor) else cg.asarray(x)
    if mode == "constant":
        return cg.pad(x, pairs, constant_values=0.0 if value is None else value)
    return cg.pad(x, pairs, mode=_PAD_MODES[mode])


def _resize_matrix(
    n_in: int, n_out: int, scale: float | None, mode: str, align: bool
) -> np.ndarray:
    """The (n_out, n_in) matrix resampling one axis, PyTorch's source coordinates."""
    a = np.zeros((n_out, n_in))
    dst = np.arange(n_out, dtype=np.float64)
    rows = np.arange(n_out)
    sc = n_in / n_out if scale is None else scale
    if mode.startswith("nearest"):
        src = np.floor((dst + 0.5) * sc if mode == "nearest-exact" else dst * sc)
        a[rows, np.minimum(src.astype(np.int64), n_in - 1)] = 1.0
        return a
    if mode == "area":  # adaptive average pooling's windows (torch's area mode)
        for i in range(n_out):
            lo, hi = (i * n_in) // n_out, -((-(i + 1) * n_in) // n_out)
            a[i, lo:hi] = 1.0 / (hi - lo)
        return a
    if align:
        src = dst * ((n_in - 1) / (n_out - 1)) if n_out > 1 else np.zeros(n_out)
    else:
        src = sc * (dst + 0.5) - 0.5
        if mode != "bicubic":  # (linear modes clamp at the first pixel; cubic does not)
            src = np.maximum(src, 0.0)
    if mode == "bicubic":
        # Keys' cubic convolution with A = -0.75 on the 4 nearest pixels, the border
        # pixel repeated beyond the edges (PyTorch's upsample_bicubic2d).
        x0 = np.floor(src)
        t = src - x0
        k = -0.75
        w = (
            ((k * (t + 1) - 5 * k) * (t + 1) + 8 * k) * (t + 1) - 4 * k,
            ((k + 2) * t - (k + 3)) * t * t + 1,
            ((k + 2) * (1 - t) - (k + 3)) * (1 - t) * (1 - t) + 1,
            ((k * (2 - t) - 5 * k) * (2 - t) + 8 * k) * (2 - t) - 4 * k,
        )
        for j, wj in enumerate(w):
            idx = np.clip(x0.astype(np.int64) - 1 + j, 0, n_in - 1)
            np.add.at(a, (rows, idx), wj)
        return a
    i0 = np.minimum(np.floor(src).astype(np.int64), n_in - 1)
    i1 = np.minimum(i0 + 1, n_in - 1)
    lam = src - i0
    np.add.at(a, (rows, i0), 1.0 - lam)
    np.add.at(a, (rows, i1), lam)
    return a


def _antialias_matrix(
    n_in: int, n_out: int, scale: float | None, mode: str, align: bool
) -> np.ndarray:
    """The (n_out, n_in) matrix of ``antialias=True`` (PyTorch's, after PIL): the
    triangle (bilinear) or cubic (bicubic, a = -0.5) filter, stretched by the
    downsampling factor, over the pixels it covers, weights summing to 1."""
    if align:
        sc = (n_in - 1) / (n_out - 1) if n_out > 1 else 0.0
    else:
        sc = n_in / n_out if scale is None else scale
    size = 2 if mode == "bilinear" else 4
    support = size * 0.5 * sc if sc >= 1.0 else size * 0.5
    inv = 1.0 / sc if sc >= 1.0 else 1.0

    def filt(x: np.ndarray) -> np.ndarray:
        x = np.abs(x)
        if mode == "bilinear":
            return np.maximum(1.0 - x, 0.0)
        a = -0.5
        near = ((a + 2) * x - (a + 3)) * x * x + 1
        far = (((x - 5) * x + 8) * x - 4) * a
        return np.where(x < 1, near, np.where(x < 2, far, 0.0))

    m = np.zeros((n_out, n_in))
    for i in range(n_out):
        center = sc * (i + 0.5)
        lo = max(int(center - support + 0.5), 0)
        hi = min(int(center + support + 0.5), n_in)
        w = filt((np.arange(lo, hi) - center + 0.5) * inv)
        total = w.sum()
        m[i, lo:hi] = w / total if total != 0 else w
    return m


_INTERP_DIMS = {"linear": 1, "bilinear": 2, "bicubic": 2, "trilinear": 3}


def interpolate(
    input: Any,  # noqa: A002 (PyTorch's name)
    size: Any = None,
    scale_factor: Any = None,
    mode: str = "nearest",
    align_corners: bool | None = None,
    recompute_scale_factor: bool | None = None,
    antialias: bool = False,
) -> Tensor:
    """Resize the spatial dimensions of (N, C, ...) to ``size`` or by ``scale_factor``,
    as ``F.interpolate``: ``mode`` ``'nearest'``, ``'nearest-exact'``, ``'area'``
    (adaptive average pooling), ``'linear'`` (3-D input), ``'bilinear'`` or ``'bicubic'``
    (4-D) or ``'trilinear'`` (5-D), with ``align_corners`` and, for bilinear and
    bicubic, ``antialias``; each dimension is one matrix product (so gradients are
    exact)."""
    shape = _shape(input)
    spatial = len(shape) - 2
    if mode not in ("nearest", "nearest-exact", "area") and mode not in _INTERP_DIMS:
        raise NotImplementedError(f"interpolate: mode {mode!r} is not supported")
    if mode in _INTERP_DIMS and _INTERP_DIMS[mode] != spatial:
        raise NotImplementedError(
            f"interpolate: got {len(shape)}D input, but {mode} mode needs "
            f"{_INTERP_DIMS[mode] + 2}D input"
        )
    if align_corners is not None and (mode.startswith("nearest") or mode == "area"):
        raise ValueError(
            "interpolate: align_corners option can only be set with the interpolating modes: "
            "linear | bilinear | bicubic | trilinear"
        )
    if antialias and mode not in ("bilinear", "bicubic"):
        raise NotImplementedError(
            f"interpolate: anti-alias option is only supported for bilinear and bicubic "
            f"modes, got {mode!r}"
        )
    if (size is None) == (scale_factor is None):
        raise ValueError("interpolate: either size or scale_factor should be defined, not both")
    if spatial < 1:
        raise ValueError(f"interpolate: expected an (N, C, ...) input, got shape {shape}")
    if size is not None:
        outs = tuple(size) if isinstance(size, (tuple, list)) else (size,) * spatial
        outs = tuple(int(o) for o in outs)
        scales: tuple = (None,) * spatial
    else:
        sfs = (
            tuple(scale_factor)
            if isinstance(scale_factor, (tuple, list))
            else (scale_factor,) * spatial
        )
        outs = tuple(int(math.floor(n * float(f))) for n, f in zip(shape[2:], sfs))
        scales = (None,) * spatial if recompute_scale_factor else tuple(1.0 / f for f in sfs)
    if len(outs) != spatial or min(outs) < 1:
        raise ValueError(f"interpolate: output size {outs} does not fit input shape {shape}")
    x = input
    dtype = _dtype(input)
    for ax in range(spatial):
        n_in, n_out = shape[2 + ax], outs[ax]
        if n_in == n_out and scales[ax] in (None, 1.0):
            continue
        make = _antialias_matrix if antialias else _resize_matrix
        a = make(n_in, n_out, scales[ax], mode, bool(align_corners)).astype(dtype)
        axis = 2 + ax
        if axis == len(shape) - 1:
            x = cg.matmul(x, a.T)
        else:
            x = cg.moveaxis(cg.matmul(cg.moveaxis(x, axis, -1), a.T), -1, axis)
    return x if isinstance(x, Tensor) else cg.asarray(x)


def pixel_shuffle(input: Any, upscale_factor: int) -> Tensor:  # noqa: A002
    """(N, C*r*r, H, W) -> (N, C, H*r, W*r), as ``F.pixel_shuffle``."""
    *lead, c, h, w = _shape(input)
    r = int(upscale_factor)
    if c % (r * r):
        raise ValueError(f"pixel_shuffle: channels {c} must be divisible by {r}**2")
    y = cg.reshape(input, (-1, c // (r * r), r, r, h, w))
    y = cg.transpose(y, (0, 1, 4, 2, 5, 3))
    return cg.reshape(y, (*lead, c // (r * r), h * r, w * r))


def pixel_unshuffle(input: Any, downscale_factor: int) -> Tensor:  # noqa: A002
    """(N, C, H*r, W*r) -> (N, C*r*r, H, W), as ``F.pixel_unshuffle``."""
    *lead, c, h, w = _shape(input)
    r = int(downscale_factor)
    if h % r or w % r:
        raise ValueError(f"pixel_unshuffle: height {h} and width {w} must be divisible by {r}")
    y = cg.reshape(input, (-1, c, h // r, r, w // r, r))
    y = cg.transpose(y, (0, 1, 3, 5, 2, 4))
    return cg.reshape(y, (*lead, c * r * r, h // r, w // r))


def unfold(
    input: Any,  # noqa: A002 (PyTorch's name)
    kernel_size: Any,
    dilation: Any = 1,
    padding: Any = 0,
    stride: Any = 1,
) -> Tensor:
    """Sliding patches of (N, C, H, W) as (N, C*kh*kw, L), as ``F.unfold`` ((C, H, W)
    unbatched gives (C*kh*kw, L))."""
    shape = _shape(input)
    if len(shape) == 3:
        return cg.squeeze(
            unfold(cg.expand_dims(input, 0), kernel_size, dilation, padding, stride), 0
        )
    if len(shape) != 4:
        raise ValueError(f"unfold: expected a 3-D or 4-D input (N, C, H, W), got shape {shape}")
    n, c = shape[:2]
    k = _ints(kernel_size, 2, "unfold kernel_size", 1)
    cols = cg.im2col(
        input,
        kh=k[0],
        kw=k[1],
        stride=_ints(stride, 2, "unfold stride", 1),
        pad=_ints(padding, 2, "unfold padding"),
        dilation=_ints(dilation, 2, "unfold dilation", 1),
    )
    return cg.transpose(cg.reshape(cols, (n, -1, c * k[0] * k[1])), (0, 2, 1))


def fold(
    input: Any,  # noqa: A002 (PyTorch's name)
    output_size: Any,
    kernel_size: Any,
    dilation: Any = 1,
    padding: Any = 0,
    stride: Any = 1,
) -> Tensor:
    """Sum (N, C*kh*kw, L) patches back into (N, C, H, W), as ``F.fold`` (``unfold``'s
    adjoint; (C*kh*kw, L) unbatched gives (C, H, W))."""
    shape = _shape(input)
    if len(shape) == 2:
        folded = fold(cg.expand_dims(input, 0), output_size, kernel_size, dilation, padding, stride)
        return cg.squeeze(folded, 0)
    if len(shape) != 3:
        raise ValueError(f"fold: expected a 2-D or 3-D input (N, C*kh*kw, L), got shape {shape}")
    n, ck, L = shape
    k = _ints(kernel_size, 2, "fold kernel_size", 1)
    h, w = _ints(output_size, 2, "fold output_size", 1)
    st, p = _ints(stride, 2, "fold stride", 1), _ints(padding, 2, "fold padding")
    d = _ints(dilation, 2, "fold dilation", 1)
    if ck % (k[0] * k[1]) or L != out_size(h, k[0], st[0], p[0], d[0]) * out_size(
        w, k[1], st[1], p[1], d[1]
    ):
        raise ValueError(
            f"fold: input of shape {(n, ck, L)} does not match output_size {(h, w)}, "
            f"kernel_size {k}, stride {st}, padding {p}, dilation {d}"
        )
    cols = cg.reshape(cg.transpose(input, (0, 2, 1)), (n * L, ck))
    return dispatch(
        get_op("col2im"),
        (cols,),
        {
            "shape": (n, ck // (k[0] * k[1]), h, w),
            "kh": k[0],
            "kw": k[1],
            "stride": st,
            "pad": p,
            "dilation": d,
        },
    )


def one_hot(tensor: Any, num_classes: int = -1) -> Tensor:
    """Integer class indices as int64 one-hot vectors along a new last dimension
    (``num_classes=-1``: the largest index + 1), as ``F.one_hot``."""
    idx = _value(tensor)
    if idx.dtype.kind not in "iu":
        raise TypeError(f"one_hot: expected integer class indices, got dtype {idx.dtype}")
    if num_classes == -1:
        if not idx.size:
            raise ValueError("one_hot: can not infer total number of classes from empty tensor")
        num_classes = int(idx.max()) + 1
    if idx.size and (idx.min() < 0 or idx.max() >= num_classes):
        raise ValueError(f"one_hot: class values must be in [0, {num_classes})")
    return cg.asarray((idx[..., None] == np.arange(num_classes)).astype(np.int64))


# ------------------------------------------------------------------ batch statistics
def _update_running(
    rm: Any, rv: Any, mean: np.ndarray, var: np.ndarray, count: int, momentum: float
) -> None:
    """Running statistics (not part of the graph), in place; the variance kept is unbiased."""
    unbiased = var * (count / max(count - 1, 1))
    for buf, stat in ((rm, mean), (rv, unbiased)):
        if buf is not None:
            data = _value(buf)
            data[...] = (1 - momentum) * data + momentum * stat.astype(data.dtype)


def batch_norm(
    input: Any,  # noqa: A002 (PyTorch's name)
    running_mean: Any,
    running_var: Any,
    weight: Any = None,
    bias: Any = None,
    training: bool = False,
    momentum: float = 0.1,
    eps: float = 1e-5,
) -> Tensor:
    """Normalise (N, C, ...) per channel C, as ``F.batch_norm``: in ``training`` with the
    batch's statistics (updating ``running_mean``/``running_var`` in place, the variance
    unbiased, by ``momentum``), else with the running ones."""
    shape = _shape(input)
    if len(shape) < 2:
        raise ValueError(f"batch_norm: expected an (N, C, ...) input, got shape {shape}")
    c = shape[1]
    view = (c,) + (1,) * (len(shape) - 2)
    axes = (0,) + tuple(range(2, len(shape)))
    if training:
        count = int(np.prod([shape[a] for a in axes]))
        if count < 2:
            raise ValueError(
                f"batch_norm: expected more than 1 value per channel when training, got "
                f"input of shape {shape}"
            )
        mean = cg.mean(input, axis=axes, keepdims=True)
        d = cg.subtract(input, mean)
        var = cg.mean(d * d, axis=axes, keepdims=True)
        _update_running(
            running_mean,
            running_var,
            _value(mean).reshape(-1),
            _value(var).reshape(-1),
            count,
            momentum,
        )
        y = d * (1.0 / cg.sqrt(var + eps))
    else:
        if running_mean is None or running_var is None:
            raise ValueError(
                "batch_norm: running_mean and running_var are needed when not training"
            )
        rm, rv = cg.reshape(running_mean, view), cg.reshape(running_var, view)
        y = cg.subtract(input, rm) * (1.0 / cg.sqrt(rv + eps))
    if weight is not None:
        y = y * cg.reshape(weight, view)
    if bias is not None:
        y = y + cg.reshape(bias, view)
    return y


def instance_norm(
    input: Any,  # noqa: A002 (PyTorch's name)
    running_mean: Any = None,
    running_var: Any = None,
    weight: Any = None,
    bias: Any = None,
    use_input_stats: bool = True,
    momentum: float = 0.1,
    eps: float = 1e-5,
) -> Tensor:
    """Normalise each (sample, channel) of (N, C, ...) over its positions, as
    ``F.instance_norm`` (running statistics, if given, updated with their batch mean)."""
    shape = _shape(input)
    if len(shape) < 3:
        raise ValueError(f"instance_norm: expected an (N, C, L, ...) input, got shape {shape}")
    c = shape[1]
    view = (c,) + (1,) * (len(shape) - 2)
    axes = tuple(range(2, len(shape)))
    if use_input_stats:
        mean = cg.mean(input, axis=axes, keepdims=True)
        d = cg.subtract(input, mean)
        var = cg.mean(d * d, axis=axes, keepdims=True)
        count = int(np.prod(shape[2:]))
        if running_mean is not None or running_var is not None:
            _update_running(
                running_mean,
                running_var,
                _value(mean).reshape(shape[:2]).mean(0),
                _value(var).reshape(shape[:2]).mean(0),
                count,
                momentum,
            )
        y = d * (1.0 / cg.sqrt(var + eps))
    else:
        y = batch_norm(input, running_mean, running_var, None, None, False, momentum, eps)
    if weight is not None:
        y = y * cg.reshape(weight, view)
    if bias is not None:
        y = y + cg.reshape(bias, view)
    return y


# ------------------------------------------------------------------ distances
def _pnorm(x: Any, p: float, dim: int, keepdim: bool) -> Tensor:
    return linalg.vector_norm(x, ord=p, axis=dim, keepdims=keepdim)


def normalize(
    input: Any,  # noqa: A002 (PyTorch's name)
    p: float = 2.0,
    dim: int = 1,
    eps: float = 1e-12,
    out: Any = None,
) -> Tensor:
    """``x / max(||x||_p, eps)`` along ``dim``, as ``F.normalize``."""
    if out is not None:
        raise TypeError("normalize: out= is not supported")
    return cg.divide(input, cg.maximum(_pnorm(input, p, dim, True), eps))


def cosine_similarity(x1: Any, x2: Any, dim: int = 1, eps: float = 1e-8) -> Tensor:
    """``x1 . x2 / (max(||x1||, eps) * max(||x2||, eps))`` along ``dim``, broadcast, as
    ``F.cosine_similarity``."""
    n1 = cg.maximum(cg.sqrt(cg.sum(cg.multiply(x1, x1), axis=dim, keepdims=True)), eps)
    n2 = cg.maximum(cg.sqrt(cg.sum(cg.multiply(x2, x2), axis=dim, keepdims=True)), eps)
    return cg.sum(cg.multiply(cg.divide(x1, n1), cg.divide(x2, n2)), axis=dim)


def pairwise_distance(
    x1: Any, x2: Any, p: float = 2.0, eps: float = 1e-6, keepdim: bool = False
) -> Tensor:
    """``||x1 - x2 + eps||_p`` along the last dimension, as ``F.pairwise_distance``."""
    return _pnorm(cg.add(cg.subtract(x1, x2), eps), p, -1, keepdim)


def pdist(input: Any, p: float = 2.0) -> Tensor:  # noqa: A002 (PyTorch's name)
    """The p-norm distance between every pair of rows of an (N, M) input, as
    ``F.pdist``/``torch.pdist``: the N(N-1)/2 entries above the diagonal of
    ``cdist(input, input, p)``, row by row (gradient 0 where two rows are equal, as
    torch)."""
    shape = _shape(input)
    if len(shape) != 2:
        raise ValueError(f"pdist: expected a 2-D input (N, M), got shape {shape}")
    if p < 0:
        raise ValueError(f"pdist: p must be non-negative, got {p}")
    i, j = np.triu_indices(shape[0], k=1)
    return cg.cdist(input, input, p=p)[i, j]


# ------------------------------------------------------------------ losses
def _reduction(size_average: Any, reduce: Any, reduction: str, where: str) -> str:
    """PyTorch's legacy ``size_average``/``reduce`` flags, else ``reduction`` checked."""
    if size_average is not None or reduce is not None:
        size_average = True if size_average is None else size_average
        reduce = True if reduce is None else reduce
        return "mean" if size_average and reduce else "sum" if reduce else "none"
    if reduction not in ("mean", "sum", "none"):
        raise ValueError(f"{where}: reduction must be 'mean', 'sum' or 'none', got {reduction!r}")
    return reduction


def _reduce(loss: Any, reduction: str) -> Any:
    if reduction == "mean":
        return cg.mean(loss)
    return cg.sum(loss) if reduction == "sum" else loss


def _same_shape(a: Any, b: Any, where: str) -> None:
    if _shape(a) != _shape(b):
        raise ValueError(
            f"{where}: Using a target size ({_shape(b)}) that is different to the input "
            f"size ({_shape(a)}) is not supported"
        )


def _classes_last(x: Any, shape: tuple) -> Any:
    """(N, C, d1, ...) -> (N*d1*..., C); (C,) -> (1, C)."""
    if len(shape) == 1:
        return cg.reshape(x, (1, -1))
    if len(shape) > 2:
        x = cg.moveaxis(x, 1, -1)
    return cg.reshape(x, (-1, shape[1]))


class _OutOfBounds(IndexError, ValueError):
    """A class index out of range: IndexError as torch's, ValueError as compgraph's
    other argument errors."""


def _nll(
    x: Any,
    target: Any,
    weight: Any,
    ignore_index: int,
    reduction: str,
    label_smoothing: float,
    where: str,
    from_logits: bool,
) -> Tensor:
    """Cross entropy / NLL of (N, C, d1, ...) scores against class indices
    (N, d1, ...): the picked entries come from a one-hot mask (faster than scattering
    into the gradient); a weighted mean divides by the weights of the counted targets."""
    shape = _shape(x)
    if len(shape) < 1:
        raise ValueError(f"{where}: input must have a class dimension, got shape {shape}")
    c = shape[0] if len(shape) == 1 else shape[1]
    labels = _value(target)
    want = () if len(shape) == 1 else (shape[0],) + shape[2:]
    if labels.shape != want or labels.dtype.kind not in "iu":
        raise ValueError(
            f"{where}: target must be integer class indices of shape {want} for input of "
            f"shape {shape} (or class probabilities of the input's shape), got shape "
            f"{labels.shape} dtype {labels.dtype}"
        )
    if not 0.0 <= label_smoothing <= 1.0:
        raise ValueError(f"{where}: label_smoothing must be in [0, 1], got {label_smoothing}")
    labels = labels.reshape(-1)
    keep = labels != ignore_index
    kept = labels[keep]
    if kept.size and (kept.min() < 0 or kept.max() >= c):
        raise _OutOfBounds(
            f"{where}: target {kept.min() if kept.min() < 0 else kept.max()} is out of "
            f"bounds for {c} classes (ignore_index={ignore_index})"
        )
    dtype = _dtype(x)
    w = None
    if weight is not None:
        w = _value(weight).astype(dtype)
        if w.shape != (c,):
            raise ValueError(f"{where}: weight must have shape ({c},), got {w.shape}")
    flat = _classes_last(x, shape)
    n = labels.size
    logp = cg.log_softmax(flat, -1) if from_logits else flat
    onehot = np.zeros((n, c), dtype)
    onehot[np.arange(n)[keep], kept] = 1 if w is None else w[kept]
    if w is None and keep.all() and not label_smoothing and reduction != "none" and n:
        # One sum and one scale instead of a per-example sum, a negation and a mean.
        return cg.multiply(cg.sum(logp * onehot), -1.0 / n if reduction == "mean" else -1.0)
    denom = float(kept.size if w is None else w[kept].sum())
    loss = cg.negative(cg.sum(logp * onehot, axis=1))
    if label_smoothing:
        cls = np.broadcast_to(keep[:, None], (n, c)).astype(dtype)
        if w is not None:
            cls = cls * w
        smooth = cg.negative(cg.sum(logp * cls, axis=1))
        loss = loss * (1.0 - label_smoothing) + smooth * (label_smoothing / c)
    if reduction == "none":
        return cg.reshape(loss, want)
    total = cg.sum(loss)
    if reduction == "sum":
        return total
    if not denom:  # nothing counted: NaN, with zero gradients, as torch
        return cg.add(cg.multiply(total, 0.0), np.nan)
    return total / denom


def cross_entropy(
    input: Any,  # noqa: A002 (PyTorch's name)
    target: Any,
    weight: Any = None,
    size_average: Any = None,
    ignore_index: int = -100,
    reduce: Any = None,
    reduction: str = "mean",
    label_smoothing: float = 0.0,
) -> Tensor:
    """Softmax cross entropy of (N, C, d1, ...) or (C,) logits against class indices
    (N, d1, ...) or class probabilities (the input's shape), as ``F.cross_entropy``:
    ``weight`` per class, ``ignore_index``, ``label_smoothing``."""
    red = _reduction(size_average, reduce, reduction, "cross_entropy")
    tdt = _dtype(target)
    if tdt.kind not in "f":
        return _nll(
            input, target, weight, ignore_index, red, label_smoothing, "cross_entropy", True
        )
    # class probabilities
    shape = _shape(input)
    _same_shape(input, target, "cross_entropy")
    if not 0.0 <= label_smoothing <= 1.0:
        raise ValueError(f"cross_entropy: label_smoothing must be in [0, 1], got {label_smoothing}")
    cdim = 0 if len(shape) == 1 else 1
    c = shape[cdim]
    p = target
    if label_smoothing:
        p = cg.add(cg.multiply(p, 1.0 - label_smoothing), label_smoothing / c)
    logp = cg.log_softmax(input, cdim)
    terms = cg.multiply(logp, p)
    if weight is not None:
        terms = cg.multiply(terms, cg.reshape(weight, (c,) + (1,) * (len(shape) - cdim - 1)))
    loss = cg.negative(cg.sum(terms, axis=cdim))
    if red == "mean":
        return cg.sum(loss) / float(max(1, int(np.prod(_shape(loss)))))
    return _reduce(loss, red)


def nll_loss(
    input: Any,  # noqa: A002 (PyTorch's name)
    target: Any,
    weight: Any = None,
    size_average: Any = None,
    ignore_index: int = -100,
    reduce: Any = None,
    reduction: str = "mean",
) -> Tensor:
    """Negative log likelihood of (N, C, d1, ...) log-probabilities against class
    indices (N, d1, ...), as ``F.nll_loss``: ``weight`` per class, ``ignore_index``."""
    red = _reduction(size_average, reduce, reduction, "nll_loss")
    return _nll(input, target, weight, ignore_index, red, 0.0, "nll_loss", False)


def binary_cross_entropy(
    input: Any,  # noqa: A002 (PyTorch's name)
    target: Any,
    weight: Any = None,
    size_average: Any = None,
    reduce: Any = None,
    reduction: str = "mean",
) -> Tensor:
    """``-(t log x + (1 - t) log(1 - x))`` of probabilities ``x``, each log clamped at
    -100 as torch, times ``weight``."""
    red = _reduction(size_average, reduce, reduction, "binary_cross_entropy")
    _same_shape(input, target, "binary_cross_entropy")
    if isinstance(input, (Tensor, np.ndarray)):
        v = _value(input)
        if not ((v >= 0) & (v <= 1)).all():  # (NaN too, as torch)
            raise ValueError(
                "binary_cross_entropy: all elements of input should be between 0 and 1 "
                "(probabilities; binary_cross_entropy_with_logits takes logits)"
            )
    with np.errstate(divide="ignore"):  # log(0) is clamped at -100 just below
        lx = cg.maximum(cg.log(input), -100.0)
        l1x = cg.maximum(cg.log1p(cg.negative(input)), -100.0)
    loss = cg.negative(cg.add(cg.multiply(target, lx), cg.multiply(cg.subtract(1.0, target), l1x)))
    if weight is not None:
        loss = cg.multiply(loss, weight)
    return _reduce(loss, red)


def binary_cross_entropy_with_logits(
    input: Any,  # noqa: A002 (PyTorch's name)
    target: Any,
    weight: Any = None,
    size_average: Any = None,
    reduce: Any = None,
    reduction: str = "mean",
    pos_weight: Any = None,
) -> Tensor:
    """Sigmoid + binary cross entropy in one stable formula, PyTorch's
    ``(1 - t) x + (1 + (pos_weight - 1) t) softplus(-x)``, times ``weight``.

    ``softplus`` is one primitive whose derivative is ``sigmoid``, so the gradient is
    ``sigmoid(x) - t`` everywhere, at ``x = 0`` too."""
    red = _reduction(size_average, reduce, reduction, "binary_cross_entropy_with_logits")
    _same_shape(input, target, "binary_cross_entropy_with_logits")
    x, t = input, target
    if pos_weight is None:
        loss = cg.subtract(cg.softplus(x), cg.multiply(x, t))
    else:
        coef = cg.add(cg.multiply(cg.subtract(pos_weight, 1.0), t), 1.0)
        loss = cg.add(cg.multiply(cg.subtract(1.0, t), x), coef * cg.softplus(cg.negative(x)))
    if weight is not None:
        loss = cg.multiply(loss, weight)
    return _reduce(loss, red)


def _pointwise(
    where: str, input: Any, target: Any, size_average: Any, reduce: Any, reduction: str, weight: Any
) -> tuple:
    red = _reduction(size_average, reduce, reduction, where)
    if _shape(input) != _shape(target):
        warnings.warn(
            f"{where}: using a target size ({_shape(target)}) that is different to the input "
            f"size ({_shape(input)}); this will likely lead to incorrect results due to "
            "broadcasting",
            UserWarning,
            stacklevel=3,
        )
    return cg.subtract(input, target), red


def _weighted(loss: Any, weight: Any, red: str, by_weight: bool = True) -> Any:
    """The loss times ``weight`` (of the input's shape), reduced; torch's weighted mean
    divides by the summed weights for mse and l1 (``by_weight``), by the count for huber."""
    if weight is None:
        return _reduce(loss, red)
    if _shape(weight) != _shape(loss):
        raise ValueError("Weights and input must have the same size.")
    loss = cg.multiply(loss, weight)
    if red == "mean" and by_weight:
        return cg.divide(cg.sum(loss), cg.sum(weight))
    return _reduce(loss, red)


def mse_loss(
    input: Any,  # noqa: A002 (PyTorch's name)
    target: Any,
    size_average: Any = None,
    reduce: Any = None,
    reduction: str = "mean",
    weight: Any = None,
) -> Tensor:
    """Mean (or summed) squared error, as ``F.mse_loss``."""
    d, red = _pointwise("mse_loss", input, target, size_average, reduce, reduction, weight)
    return _weighted(d * d, weight, red)


def l1_loss(
    input: Any,  # noqa: A002 (PyTorch's name)
    target: Any,
    size_average: Any = None,
    reduce: Any = None,
    reduction: str = "mean",
    weight: Any = None,
) -> Tensor:
    """Mean (or summed) absolute error (gradient 0 where input equals target)."""
    d, red = _pointwise("l1_loss", input, target, size_average, reduce, reduction, weight)
    return _weighted(cg.abs(d), weight, red)


def smooth_l1_loss(
    input: Any,  # noqa: A002 (PyTorch's name)
    target: Any,
    size_average: Any = None,
    reduce: Any = None,
    reduction: str = "mean",
    beta: float = 1.0,
) -> Tensor:
    """``0.5 d**2 / beta`` where ``|d| < beta``, else ``|d| - 0.5 beta``."""
    if beta < 0:
        raise ValueError(f"smooth_l1_loss: beta must be >= 0, got {beta}")
    d, red = _pointwise("smooth_l1_loss", input, target, size_average, reduce, reduction, None)
    ad = cg.abs(d)
    if beta == 0:
        return _reduce(ad, red)
    return _reduce(cg.where(cg.less(ad, beta), d * d * (0.5 / beta), ad - 0.5 * beta), red)


def huber_loss(
    input: Any,  # noqa: A002 (PyTorch's name)
    target: Any,
    reduction: str = "mean",
    delta: float = 1.0,
    weight: Any = None,
) -> Tensor:
    """``0.5 d**2`` where ``|d| < delta``, else ``delta * (|d| - 0.5 delta)``."""
    if delta <= 0:
        raise ValueError(f"huber_loss: delta must be > 0, got {delta}")
    d, red = _pointwise("huber_loss", input, target, None, None, reduction, weight)
    ad = cg.abs(d)
    loss = cg.where(cg.less(ad, delta), d * d * 0.5, (ad - 0.5 * delta) * delta)
    return _weighted(loss, weight, red, by_weight=False)


def kl_div(
    input: Any,  # noqa: A002 (PyTorch's name)
    target: Any,
    size_average: Any = None,
    reduce: Any = None,
    reduction: str = "mean",
    log_target: bool = False,
) -> Tensor:
    """``target * (log(target) - input)`` of log-probabilities ``input`` (``target`` as
    log-probabilities with ``log_target``); ``reduction='batchmean'`` divides the sum
    by the batch size (the KL divergence), ``'mean'`` by the element count."""
    batchmean = reduction == "batchmean"
    red = _reduction(size_average, reduce, "sum" if batchmean else reduction, "kl_div")
    if log_target:
        loss = cg.multiply(cg.exp(target), cg.subtract(target, input))
    else:
        loss = cg.subtract(special.xlogy(target, target), cg.multiply(target, input))
    if batchmean and red == "sum":
        shape = _shape(loss)
        return cg.sum(loss) / float(shape[0] if shape else 1)
    return _reduce(loss, red)


def margin_ranking_loss(
    input1: Any,
    input2: Any,
    target: Any,
    margin: float = 0,
    size_average: Any = None,
    reduce: Any = None,
    reduction: str = "mean",
) -> Tensor:
    """``max(0, -target * (input1 - input2) + margin)``."""
    red = _reduction(size_average, reduce, reduction, "margin_ranking_loss")
    dims = (len(_shape(input1)), len(_shape(input2)), len(_shape(target)))
    if len(set(dims)) != 1:
        raise ValueError(
            f"margin_ranking_loss: all input tensors should have the same number of "
            f"dimensions, got shapes {_shape(input1)}, {_shape(input2)} and {_shape(target)}"
        )
    d = cg.multiply(cg.negative(target), cg.subtract(input1, input2))
    return _reduce(cg.relu(cg.add(d, margin)), red)


def hinge_embedding_loss(
    input: Any,  # noqa: A002 (PyTorch's name)
    target: Any,
    margin: float = 1.0,
    size_average: Any = None,
    reduce: Any = None,
    reduction: str = "mean",
) -> Tensor:
    """``x`` where target is 1, ``max(0, margin - x)`` where it is -1."""
    red = _reduction(size_average, reduce, reduction, "hinge_embedding_loss")
    t = _value(target)
    loss = cg.add(
        cg.where(t != 1, cg.relu(cg.subtract(margin, input)), 0.0), cg.where(t != -1, input, 0.0)
    )
    return _reduce(loss, red)


def soft_margin_loss(
    input: Any,  # noqa: A002 (PyTorch's name)
    target: Any,
    size_average: Any = None,
    reduce: Any = None,
    reduction: str = "mean",
) -> Tensor:
    """``log(1 + exp(-target * input))``."""
    red = _reduction(size_average, reduce, reduction, "soft_margin_loss")
    return _reduce(cg.softplus(cg.negative(cg.multiply(target, input))), red)


def cosine_embedding_loss(
    input1: Any,
    input2: Any,
    target: Any,
    margin: float = 0,
    size_average: Any = None,
    reduce: Any = None,
    reduction: str = "mean",
) -> Tensor:
    """``1 - cos(x1, x2)`` where target is 1, ``max(0, cos(x1, x2) - margin)`` where -1."""
    red = _reduction(size_average, reduce, reduction, "cosine_embedding_loss")
    tdim, s1, s2 = len(_shape(target)), _shape(input1), _shape(input2)
    if tdim > 1 or len(s1) != tdim + 1 or len(s2) != tdim + 1:
        raise ValueError(
            f"cosine_embedding_loss: a {tdim}-D target expects {tdim + 1}-D inputs, got "
            f"shapes {s1} and {s2} (target {_shape(target)})"
        )
    eps = 1e-12  # torch's EPSILON
    dim = len(_shape(input1)) - 1
    prod = cg.sum(cg.multiply(input1, input2), axis=dim)
    m1 = cg.add(cg.sum(cg.multiply(input1, input1), axis=dim), eps)
    m2 = cg.add(cg.sum(cg.multiply(input2, input2), axis=dim), eps)
    cos = cg.divide(prod, cg.sqrt(cg.multiply(m1, m2)))
    t = _value(target)
    loss = cg.add(
        cg.where(t == 1, cg.subtract(1.0, cos), 0.0),
        cg.where(t == -1, cg.relu(cg.subtract(cos, margin)), 0.0),
    )
    return _reduce(loss, red)


def triplet_margin_loss(
    anchor: Any,
    positive: Any,
    negative: Any,
    margin: float = 1.0,
    p: float = 2,
    eps: float = 1e-6,
    swap: bool = False,
    size_average: Any = None,
    reduce: Any = None,
    reduction: str = "mean",
) -> Tensor:
    """``max(d(a, p) - d(a, n) + margin, 0)`` with ``pairwise_distance``; ``swap`` uses
    the smaller of d(a, n) and d(p, n)."""
    red = _reduction(size_average, reduce, reduction, "triplet_margin_loss")
    shapes = (_shape(anchor), _shape(positive), _shape(negative))
    if len({len(sh) for sh in shapes}) != 1:
        raise ValueError(
            "triplet_margin_loss: the anchor, positive and negative tensors are expected "
            "to have the same number of dimensions, got shapes {}, {} and {}".format(*shapes)
        )
    dp = pairwise_distance(anchor, positive, p, eps)
    dn = pairwise_distance(anchor, negative, p, eps)
    if swap:
        dn = cg.minimum(dn, pairwise_distance(positive, negative, p, eps))
    return _reduce(cg.relu(cg.add(cg.subtract(dp, dn), margin)), red)


def poisson_nll_loss(
    input: Any,  # noqa: A002 (PyTorch's name)
    target: Any,
    log_input: bool = True,
    full: bool = False,
    size_average: Any = None,
    eps: float = 1e-8,
    reduce: Any = None,
    reduction: str = "mean",
) -> Tensor:
    """Poisson negative log likelihood: ``exp(x) - t x`` (``log_input``) or
    ``x - t log(x + eps)``; ``full`` adds Stirling's term where t > 1."""
    red = _reduction(size_average, reduce, reduction, "poisson_nll_loss")
    if log_input:
        loss = cg.subtract(cg.exp(input), cg.multiply(target, input))
    else:
        loss = cg.subtract(input, cg.multiply(target, cg.log(cg.add(input, eps))))
    if full:
        # Stirling's term t log t - t + log(2 pi t) / 2 where t > 1, differentiable in
        # the target as torch's; elsewhere it is 0 and t is replaced by 2 before the logs
        # so no NaN reaches the gradient.
        big = cg.greater(target, 1)
        t = cg.where(big, target, 2.0)
        st = cg.add(cg.subtract(cg.multiply(t, cg.log(t)), t), cg.multiply(cg.log(t), 0.5))
        st = cg.add(st, 0.5 * math.log(2 * math.pi))
        loss = cg.add(loss, cg.where(big, st, 0.0))
    return _reduce(loss, red)


def gaussian_nll_loss(
    input: Any,  # noqa: A002 (PyTorch's name)
    target: Any,
    var: Any,
    full: bool = False,
    eps: float = 1e-6,
    reduction: str = "mean",
) -> Tensor:
    """``0.5 (log(var) + (input - target)**2 / var)`` (+ ``0.5 log(2 pi)`` if ``full``),
    ``var`` clamped below at ``eps`` (its gradient passing through, as torch)."""
    red = _reduction(None, None, reduction, "gaussian_nll_loss")
    ishape, vshape = _shape(input), _shape(var)
    if isinstance(var, (int, float)):
        var = np.full((), float(var), _dtype(input))
    elif vshape != ishape and ishape[:-1] == vshape:
        var = cg.expand_dims(var, -1)
    elif vshape != ishape and not (vshape[:-1] == ishape[:-1] and vshape[-1:] == (1,)):
        raise ValueError(
            f"gaussian_nll_loss: var is of incorrect size {vshape} for input {ishape} (the "
            f"input's shape, that shape with a last dimension of 1, or without it)"
        )
    if isinstance(var, (Tensor, np.ndarray)) and (_value(var) < 0).any():
        raise ValueError("gaussian_nll_loss: var has negative entry/entries")
    v = cg.add(var, cg.stop_gradient(cg.subtract(cg.maximum(var, eps), var)))
    d = cg.subtract(input, target)
    loss = cg.multiply(cg.add(cg.log(v), cg.divide(d * d, v)), 0.5)
    if full:
        loss = cg.add(loss, 0.5 * math.log(2 * math.pi))
    return _reduce(loss, red)


# ------------------------------------------------------------------ more of torch's F
def prelu(input: Any, weight: Any) -> Tensor:  # noqa: A002 (PyTorch's name)
    """``x`` where positive, ``weight * x`` elsewhere, as ``F.prelu``: ``weight`` has
    one slope or one per channel (dimension 1; an input of fewer than 2 dimensions has
    one channel)."""
    shape, ws = _shape(input), _shape(weight)
    if len(ws) > 1:
        raise ValueError(f"prelu: weight must be 0-D or 1-D, got shape {ws}")
    n = int(np.prod(ws)) if ws else 1
    if n != 1:
        channels = shape[1] if len(shape) >= 2 else 1
        if channels != n:
            raise ValueError(
                f"prelu: {n} slopes but the input of shape {shape} has {channels} channels"
            )
        weight = cg.reshape(weight, (n,) + (1,) * (len(shape) - 2))
    elif ws:
        weight = cg.reshape(weight, ())
    return cg.where(_value(input) > 0, input, cg.multiply(weight, input))


def rrelu(
    input: Any,  # noqa: A002 (PyTorch's name)
    lower: float = 1.0 / 8,
    upper: float = 1.0 / 3,
    training: bool = False,
    inplace: bool = False,
    *,
    generator: Any = None,
) -> Tensor:
    """Randomized leaky ReLU, as ``F.rrelu``: negative entries times a slope drawn
    uniformly from [lower, upper] per entry while ``training``, times the mean slope
    ``(lower + upper) / 2`` otherwise; the gradient uses the same slopes."""
    if not lower <= upper:
        raise ValueError(f"rrelu: lower ({lower}) must not exceed upper ({upper})")
    if not training:
        return leaky_relu(input, (lower + upper) / 2)
    x = _value(input)
    dtype = _dtype(input)
    rng = default_generator.rng if generator is None else getattr(generator, "rng", generator)
    slopes = rng.uniform(lower, upper, size=x.shape).astype(dtype)
    return cg.multiply(input, np.where(x >= 0, np.ones((), dtype), slopes))


def gumbel_softmax(
    logits: Any,
    tau: float = 1.0,
    hard: bool = False,
    eps: float = 1e-10,
    dim: int = -1,
    *,
    generator: Any = None,
) -> Tensor:
    """A sample of the Gumbel-softmax distribution, ``softmax((logits + g) / tau)`` with
    ``g`` standard Gumbel noise, as ``F.gumbel_softmax``; ``hard`` gives the one-hot of
    its maximum with the soft sample's gradient (straight through)."""
    if eps != 1e-10:
        warnings.warn("`eps` parameter is deprecated and has no effect.", stacklevel=2)
    shape = _shape(logits)
    if not shape:
        raise ValueError("gumbel_softmax: logits must have at least one dimension")
    rng = default_generator.rng if generator is None else getattr(generator, "rng", generator)
    dtype = _dtype(logits) if _dtype(logits).kind == "f" else np.dtype(np.float64)
    gumbels = -np.log(rng.standard_exponential(size=shape)).astype(dtype)
    y = softmax(cg.divide(cg.add(logits, gumbels), tau), dim=dim)
    if not hard:
        return y
    axis = int(dim) % len(shape)
    onehot = np.zeros(shape, dtype)
    np.put_along_axis(onehot, np.expand_dims(np.argmax(y.data, axis=axis), axis), 1.0, axis)
    frozen = cg.stop_gradient(y)
    return cg.add(cg.subtract(onehot, frozen), y)


_SELU_ALPHA_PRIME = -1.7580993408473766  # -scale * alpha of SELU: where dropped units go


def _alpha_dropout(
    x: Any, p: float, training: bool, mask_shape: tuple, generator: Any, where: str
) -> Any:
    p = _check_p(p, where)
    if not training or p == 0.0:
        return x
    dtype = _dtype(x)
    if p == 1.0:  # everything dropped: zeros, as torch
        return cg.multiply(x, np.zeros(mask_shape, dtype))
    rng = default_generator.rng if generator is None else getattr(generator, "rng", generator)
    keep = (rng.random(mask_shape) >= p).astype(dtype)
    a = ((1 - p) * (1 + p * _SELU_ALPHA_PRIME**2)) ** -0.5
    b = -a * _SELU_ALPHA_PRIME * p
    # a * (x * keep + alpha' * (1 - keep)) + b
    return cg.add(cg.multiply(x, keep * a), ((1 - keep) * (a * _SELU_ALPHA_PRIME) + b))


def alpha_dropout(
    input: Any,  # noqa: A002 (PyTorch's name)
    p: float = 0.5,
    training: bool = False,
    inplace: bool = False,
    *,
    generator: Any = None,
) -> Tensor:
    """Dropout for SELU networks, as ``F.alpha_dropout``: while ``training`` each
    entry is set with probability ``p`` to SELU's negative saturation, then an affine
    map keeps zero mean and unit variance."""
    return _alpha_dropout(input, p, training, _shape(input), generator, "alpha_dropout")


def feature_alpha_dropout(
    input: Any,  # noqa: A002 (PyTorch's name)
    p: float = 0.5,
    training: bool = False,
    inplace: bool = False,
    *,
    generator: Any = None,
) -> Tensor:
    """Alpha dropout of whole channels of (N, C, ...), as ``F.feature_alpha_dropout``."""
    shape = _shape(input)
    if len(shape) < 2:
        raise ValueError(
            f"feature_alpha_dropout: expected an input with a channel dimension (N, C, ...), "
            f"got shape {shape}"
        )
    mask = shape[:2] + (1,) * (len(shape) - 2)
    return _alpha_dropout(input, p, training, mask, generator, "feature_alpha_dropout")


def _lp_pool(x, p, kernel_size, stride, ceil_mode, spatial, where) -> Tensor:
    pool = max_pool2d if spatial == 2 else max_pool1d
    if p == math.inf:
        return pool(cg.abs(x), kernel_size, stride, 0, 1, ceil_mode)
    if p == -math.inf:
        return cg.negative(pool(cg.negative(cg.abs(x)), kernel_size, stride, 0, 1, ceil_mode))
    if p == 0:
        raise ValueError(f"{where}: norm_type must be non-zero")
    k = _ints(kernel_size, spatial, f"{where} kernel_size", 1)
    avg = avg_pool2d if spatial == 2 else avg_pool1d
    out = avg(cg.power(x, p), kernel_size, stride, 0, ceil_mode)
    out = cg.multiply(cg.multiply(cg.sign(out), cg.relu(cg.abs(out))), float(np.prod(k)))
    return cg.power(out, 1.0 / p)


def lp_pool2d(
    input: Any,  # noqa: A002 (PyTorch's name)
    norm_type: float,
    kernel_size: Any,
    stride: Any = None,
    ceil_mode: bool = False,
) -> Tensor:
    """Power-average pooling ``(sum over the window of x^p)^(1/p)`` of (N, C, H, W) or
    (C, H, W), as ``F.lp_pool2d`` (``p = inf``: the maximum of ``|x|``)."""
    return _lp_pool(input, norm_type, kernel_size, stride, ceil_mode, 2, "lp_pool2d")


def lp_pool1d(
    input: Any,  # noqa: A002 (PyTorch's name)
    norm_type: float,
    kernel_size: int,
    stride: Any = None,
    ceil_mode: bool = False,
) -> Tensor:
    """Power-average pooling of (N, C, L) or (C, L), as ``F.lp_pool1d``."""
    return _lp_pool(input, norm_type, kernel_size, stride, ceil_mode, 1, "lp_pool1d")


def local_response_norm(
    input: Any,  # noqa: A002 (PyTorch's name)
    size: int,
    alpha: float = 1e-4,
    beta: float = 0.75,
    k: float = 1.0,
) -> Tensor:
    """``x / (k + alpha * mean of x^2 over size neighbouring channels)^beta`` of
    (N, C, ...), as ``F.local_response_norm`` (the window zero-padded, the mean over
    ``size`` entries)."""
    shape = _shape(input)
    if len(shape) < 3:
        raise ValueError(
            f"local_response_norm: expected 3D or higher dimensionality input (got "
            f"{len(shape)} dimensions)"
        )
    if any(d == 0 for d in shape):
        return cg.multiply(input, 1.0)
    size = int(size)
    if size < 1:
        raise ValueError(f"local_response_norm: size must be >= 1, got {size}")
    sq = cg.multiply(input, input)
    pads = ((0, 0), (size // 2, (size - 1) // 2)) + ((0, 0),) * (len(shape) - 2)
    sq = cg.pad(sq, pads)
    c = shape[1]
    total = sq[:, 0:c]
    for i in range(1, size):
        total = cg.add(total, sq[:, i : i + c])
    div = cg.power(cg.add(cg.multiply(total, alpha / size), k), beta)
    return cg.divide(input, div)


def multi_margin_loss(
    input: Any,  # noqa: A002 (PyTorch's name)
    target: Any,
    p: int = 1,
    margin: float = 1.0,
    weight: Any = None,
    size_average: Any = None,
    reduce: Any = None,
    reduction: str = "mean",
) -> Tensor:
    """Multi-class hinge loss of (N, C) or (C,) scores against class indices, as
    ``F.multi_margin_loss``: ``sum over j != y of w[y] * max(0, margin - x[y] + x[j])^p
    / C`` per sample (``p`` 1 or 2)."""
    red = _reduction(size_average, reduce, reduction, "multi_margin_loss")
    if p not in (1, 2):
        raise ValueError("multi_margin_loss: only p == 1 and p == 2 supported")
    shape = _shape(input)
    if len(shape) not in (1, 2) or not shape[-1]:
        raise ValueError(
            f"multi_margin_loss: expected a non-empty (N, C) or (C,) input, got {shape}"
        )
    x = cg.reshape(input, (-1, shape[-1]))
    n, c = (1, shape[0]) if len(shape) == 1 else shape
    t = _value(target).reshape(-1)
    if t.dtype.kind not in "iu" or t.size != n:
        raise ValueError(
            f"multi_margin_loss: target must be {n} integer class indices, got shape "
            f"{_value(target).shape} dtype {t.dtype}"
        )
    if t.size and (t.min() < 0 or t.max() >= c):
        raise _OutOfBounds(f"multi_margin_loss: target out of bounds for {c} classes")
    dtype = _dtype(input)
    onehot = np.zeros((n, c), dtype)
    onehot[np.arange(n), t] = 1
    picked = cg.sum(cg.multiply(x, onehot), axis=1, keepdims=True)
    h = cg.relu(cg.add(cg.subtract(x, picked), margin))
    if p == 2:
        h = cg.multiply(h, h)
    if weight is not None:
        w = _value(weight)
        if w.shape != (c,):
            raise ValueError(f"multi_margin_loss: weight must have shape ({c},), got {w.shape}")
        h = cg.multiply(h, cg.reshape(cg.take(weight, t, axis=0), (n, 1)))
    loss = cg.divide(cg.sum(cg.multiply(h, 1 - onehot), axis=1), c)
    if len(shape) == 1:
        loss = cg.reshape(loss, ())
    return _reduce(loss, red)


def multilabel_soft_margin_loss(
    input: Any,  # noqa: A002 (PyTorch's name)
    target: Any,
    weight: Any = None,
    size_average: Any = None,
    reduce: Any = None,
    reduction: str = "mean",
) -> Tensor:
    """Multi-label one-versus-all logistic loss of (N, C) scores against 0/1 targets,
    as ``F.multilabel_soft_margin_loss``: the mean over classes of
    ``-(y log sigmoid(x) + (1 - y) log sigmoid(-x))``, times ``weight`` per class."""
    red = _reduction(size_average, reduce, reduction, "multilabel_soft_margin_loss")
    _same_shape(input, target, "multilabel_soft_margin_loss")
    shape = _shape(input)
    if not shape:
        raise ValueError("multilabel_soft_margin_loss: input must have a class dimension")
    neg = cg.softplus(cg.negative(input))  # -log sigmoid(x)
    pos = cg.softplus(input)  # -log sigmoid(-x)
    loss = cg.add(cg.multiply(target, neg), cg.multiply(cg.subtract(1.0, target), pos))
    if weight is not None:
        loss = cg.multiply(loss, weight)
    loss = cg.divide(cg.sum(loss, axis=-1), shape[-1])
    return _reduce(loss, red)


def embedding_bag(
    input: Any,  # noqa: A002 (PyTorch's name)
    weight: Any,
    offsets: Any = None,
    max_norm: float | None = None,
    norm_type: float = 2,
    scale_grad_by_freq: bool = False,
    mode: str = "mean",
    sparse: bool = False,
    per_sample_weights: Any = None,
    include_last_offset: bool = False,
    padding_idx: int | None = None,
) -> Tensor:
    """Sums, means or maxima of bags of embedding rows, as ``F.embedding_bag``: ``input``
    (B, L) is B bags of L indices, or 1-D with ``offsets`` (where each bag starts;
    ``include_last_offset``: the last offset ends the last bag); ``per_sample_weights``
    scale the rows (mode ``'sum'``); ``padding_idx`` entries are left out of their bag;
    an empty bag gives zeros.  ``sparse`` gradients are dense here."""
    if mode not in ("sum", "mean", "max"):
        raise ValueError(f"embedding_bag: mode must be 'sum', 'mean' or 'max', got {mode!r}")
    if scale_grad_by_freq and mode == "max":
        raise ValueError("embedding_bag: max mode does not support scale_grad_by_freq")
    idx = _value(input)
    if idx.dtype.kind not in "iu":
        raise TypeError(f"embedding_bag: indices must be integers, got dtype {idx.dtype}")
    wshape = _shape(weight)
    if len(wshape) != 2:
        raise ValueError(f"embedding_bag: weight must be 2-D (num_embeddings, dim), got {wshape}")
    psw = per_sample_weights
    if psw is not None and mode != "sum":
        raise ValueError(
            f"embedding_bag: per_sample_weights are only supported for mode='sum' (got "
            f"mode={mode!r})"
        )
    if psw is not None and _shape(psw) != idx.shape:
        raise ValueError(
            f"embedding_bag: per_sample_weights of shape {_shape(psw)} must match input {idx.shape}"
        )
    if idx.ndim == 2:
        if offsets is not None:
            raise ValueError("embedding_bag: offsets must be None when input is 2-D")
        nbags, length = idx.shape
        starts = np.arange(nbags) * length
        ends = starts + length
    elif idx.ndim == 1:
        if offsets is None:
            raise ValueError("embedding_bag: offsets are needed when input is 1-D")
        off = _value(offsets).astype(np.int64).reshape(-1)
        if off.ndim != 1 or not off.size or off[0] != 0 or (np.diff(off) < 0).any():
            raise ValueError(
                f"embedding_bag: offsets must be a non-decreasing 1-D array starting at 0, "
                f"got {off}"
            )
        if off[-1] > idx.size:
            raise ValueError(
                f"embedding_bag: offset {off[-1]} is past the end of the input ({idx.size})"
            )
        starts = off[:-1] if include_last_offset else off
        # (the last bag runs to the end of the input, also when include_last_offset's
        # final offset stops short of it: torch's bags)
        ends = np.append((off[1:-1] if include_last_offset else off[1:]), idx.size)
        nbags = starts.size
    else:
        raise ValueError(f"embedding_bag: input must be 1-D or 2-D, got shape {idx.shape}")
    flat = idx.reshape(-1)
    num = wshape[0]
    if padding_idx is not None:
        if not -num <= padding_idx < num:
            raise ValueError(f"embedding_bag: padding_idx must be within num_embeddings ({num})")
        padding_idx = int(padding_idx) % num
    rows = embedding(flat, weight, None, max_norm, norm_type, scale_grad_by_freq)
    bag = np.repeat(np.arange(nbags), ends - starts)
    keep = np.ones(flat.size, bool) if padding_idx is None else flat % num != padding_idx
    dtype = _dtype(rows)
    if mode == "max":
        out = []
        for b in range(nbags):
            sel = np.flatnonzero(keep[starts[b] : ends[b]]) + starts[b]
            if sel.size:
                out.append(cg.max(cg.take(rows, sel, axis=0), axis=0))
            else:
                out.append(cg.asarray(np.zeros(wshape[1], dtype)))
        return cg.stack(out) if out else cg.asarray(np.zeros((0, wshape[1]), dtype))
    # a (bags, entries) matrix: 1 (or the weight, or 1/count) where an entry is in a bag
    member = np.zeros((nbags, flat.size), dtype)
    member[bag[keep[: bag.size]], np.flatnonzero(keep[: bag.size])] = 1
    if mode == "mean":
        counts = member.sum(axis=1, keepdims=True)
        member /= np.maximum(counts, 1)
    if psw is not None:
        return cg.matmul(cg.multiply(member, cg.reshape(psw, (1, -1))), rows)
    return cg.matmul(member, rows)


def upsample(
    input: Any,  # noqa: A002 (PyTorch's name)
    size: Any = None,
    scale_factor: Any = None,
    mode: str = "nearest",
    align_corners: bool | None = None,
) -> Tensor:
    """``F.interpolate`` under its deprecated name, as ``F.upsample`` (which warns)."""
    warnings.warn(
        "`nn.functional.upsample` is deprecated. Use `nn.functional.interpolate` instead.",
        stacklevel=2,
    )
    return interpolate(input, size, scale_factor, mode, align_corners)


def upsample_nearest(input: Any, size: Any = None, scale_factor: Any = None) -> Tensor:  # noqa: A002
    """Deprecated ``F.upsample_nearest``: ``interpolate(mode='nearest')``."""
    warnings.warn(
        "`nn.functional.upsample_nearest` is deprecated. Use `nn.functional.interpolate` instead.",
        stacklevel=2,
    )
    return interpolate(input, size, scale_factor, mode="nearest")


def upsample_bilinear(input: Any, size: Any = None, scale_factor: Any = None) -> Tensor:  # noqa: A002
    """Deprecated ``F.upsample_bilinear``: ``interpolate(mode='bilinear',
    align_corners=True)``."""
    warnings.warn(
        "`nn.functional.upsample_bilinear` is deprecated. Use `nn.functional.interpolate` instead.",
        stacklevel=2,
    )
    return interpolate(input, size, scale_factor, mode="bilinear", align_corners=True)


# ------------------------------------------------------------------ 3-D
def _pool3_args(where, kernel_size, stride, padding, dilation) -> tuple:
    k = _ints(kernel_size, 3, f"{where} kernel_size", 1)
    s = (
        k
        if stride is None or stride == [] or stride == ()
        else _ints(stride, 3, f"{where} stride", 1)
    )
    return k, s, _ints(padding, 3, f"{where} padding"), _ints(dilation, 3, f"{where} dilation", 1)


def _max_pool3(x, kernel_size, stride, padding, dilation, ceil_mode) -> Tensor:
    """Separable: the maximum over (h, w) windows of each depth slice, then over depth
    windows; the gradient still reaches the first maximum in (d, h, w) row-major order
    (the first depth holding the window's maximum, and its first (h, w) maximum)."""
    n, c, d, h, w = _shape(x)
    k, s, p, dl = _pool3_args("max_pool3d", kernel_size, stride, padding, dilation)
    y = max_pool2d(cg.reshape(x, (n, c * d, h, w)), k[1:], s[1:], p[1:], dl[1:], ceil_mode)
    oh, ow = _shape(y)[2:]
    y = cg.reshape(cg.transpose(cg.reshape(y, (n, c, d, oh, ow)), (0, 1, 3, 4, 2)), (n, -1, d))
    y = max_pool1d(y, k[0], s[0], p[0], dl[0], ceil_mode)
    od = _shape(y)[2]
    return cg.transpose(cg.reshape(y, (n, c, oh, ow, od)), (0, 1, 4, 2, 3))


def max_pool3d(
    input: Any,  # noqa: A002 (PyTorch's name)
    kernel_size: Any,
    stride: Any = None,
    padding: Any = 0,
    dilation: Any = 1,
    ceil_mode: bool = False,
    return_indices: bool = False,
) -> Any:
    """Max over windows of (N, C, D, H, W) or (C, D, H, W), as ``F.max_pool3d``
    (``padding`` -inf, at most half the window; ``dilation``, ``ceil_mode``); the
    gradient goes to each window's first maximum; with ``return_indices`` also the flat
    D*H*W index of each maximum."""
    if return_indices:  # (torch's pick in every window: NaN, all -inf, padding)
        return max_pool3d_with_indices(input, kernel_size, stride, padding, dilation, ceil_mode)

    return _unbatched(
        "max_pool3d",
        input,
        3,
        lambda x: _max_pool3(x, kernel_size, stride, padding, dilation, ceil_mode),
    )


def _window_sums(x: Any, k: tuple, s: tuple, pads: tuple, outs: tuple) -> Any:
    """Sums over windows of the last len(k) axes of x, already padded (``pads``: (before,
    after) zeros per axis), one axis at a time: each a sum of k strided slices."""
    x = cg.pad(x, ((0, 0),) * (len(_shape(x)) - len(k)) + tuple(pads))
    lead = len(_shape(x)) - len(k)
    for i, (kk, ss, oo) in enumerate(zip(k, s, outs)):
        total = None
        for a in range(kk):
            idx = (slice(None),) * (lead + i) + (slice(a, a + ss * (oo - 1) + 1, ss),)
            total = x[idx] if total is None else cg.add(total, x[idx])
        x = total
    return x


def _avg_pool3(x, kernel_size, stride, padding, ceil_mode, count_include_pad, divisor):
    n, c, d, h, w = _shape(x)
    k, s, p, _ = _pool3_args("avg_pool3d", kernel_size, stride, padding, 1)
    geo = [
        _pool_geometry("avg_pool3d", size, kk, ss, pp, 1, ceil_mode)
        for size, kk, ss, pp in zip((d, h, w), k, s, p)
    ]
    outs = tuple(g[0] for g in geo)
    pads = tuple((pp, pp + g[1]) for pp, g in zip(p, geo))
    total = _window_sums(x, k, s, pads, outs)
    if divisor:
        return cg.multiply(total, 1.0 / divisor)
    # the divisor of each window, as torch: the padding counts (or not), the ceil_mode
    # overhang past the padding never does
    ones = np.ones((d, h, w), _dtype(total))
    if count_include_pad:
        ones = np.pad(ones, tuple((pp, pp) for pp in p), constant_values=1.0)
        pads = tuple((0, g[1]) for g in geo)
    counts = _value(_window_sums(ones, k, s, pads, outs))
    return cg.divide(total, counts)


def avg_pool3d(
    input: Any,  # noqa: A002 (PyTorch's name)
    kernel_size: Any,
    stride: Any = None,
    padding: Any = 0,
    ceil_mode: bool = False,
    count_include_pad: bool = True,
    divisor_override: int | None = None,
) -> Tensor:
    """Mean over windows of (N, C, D, H, W) or (C, D, H, W), as ``F.avg_pool3d``:
    zero ``padding`` counted unless ``count_include_pad=False``, ``ceil_mode``, or
    ``divisor_override``."""
    return _unbatched(
        "avg_pool3d",
        input,
        3,
        lambda x: _avg_pool3(
            x, kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override
        ),
    )


def conv3d(
    input: Any,  # noqa: A002 (PyTorch's name)
    weight: Any,
    bias: Any = None,
    stride: Any = 1,
    padding: Any = 0,
    dilation: Any = 1,
    groups: int = 1,
) -> Tensor:
    """3-D convolution of (N, C, D, H, W) or (C, D, H, W) by weight
    (O, C/groups, kd, kh, kw), as ``F.conv3d``: for each kernel depth, one 2-D
    convolution of every depth slice it meets (depth folded into the batch), summed."""
    x, unb = _batched("conv3d", input, 3)
    ks = _shape(weight)
    if len(ks) != 5:
        raise ValueError(f"conv3d: weight must be 5-D (out, in/groups, kd, kh, kw), got {ks}")
    st, dl, pads = _conv_args("conv3d", 3, stride, padding, dilation, ks[2:])
    n, c, d, h, w = _shape(x)
    o, kd = ks[0], ks[2]
    if pads[0] != (0, 0):
        x = cg.pad(x, ((0, 0), (0, 0), pads[0], (0, 0), (0, 0)))
        d += sum(pads[0])
    od = (d - dl[0] * (kd - 1) - 1) // st[0] + 1
    if od < 1:
        raise ValueError(
            f"conv3d: kernel depth {kd} (dilation {dl[0]}) does not fit input depth "
            f"{d - sum(pads[0])} with padding {pads[0]}"
        )
    y = None
    for a in range(kd):
        r = a * dl[0]
        xa = x[:, :, r : r + st[0] * (od - 1) + 1 : st[0]]  # (N, C, od, H, W)
        xa = cg.reshape(cg.transpose(xa, (0, 2, 1, 3, 4)), (n * od, c, h, w))
        ya = _conv2d(
            xa, weight[:, :, a], bias if a == 0 else None, st[1:], dl[1:], pads[1:],
            int(groups), "conv3d",
        )  # fmt: skip
        y = ya if y is None else cg.add(y, ya)
    oh, ow = _shape(y)[2:]
    y = cg.transpose(cg.reshape(y, (n, od, o, oh, ow)), (0, 2, 1, 3, 4))
    return cg.squeeze(y, 0) if unb else y


# ------------------------------------------------------------------ sampling grids
def _corners(align_corners: Any, where: str) -> bool:
    if align_corners is None:
        warnings.warn(
            "Default grid_sample and affine_grid behavior has changed to align_corners=False "
            "since 1.3.0. Please specify align_corners=True if the old behavior is desired. "
            f"See the documentation of grid_sample for details. ({where})",
            stacklevel=3,
        )
        return False
    return bool(align_corners)


def _base_coords(n: int, align: bool, dtype: Any) -> np.ndarray:
    """Normalised coordinates of n pixel centres (-1 and 1 the end pixels' centres with
    align_corners, their outer edges without)."""
    if n <= 1:
        return np.zeros(n, dtype)
    lin = np.linspace(-1.0, 1.0, n)
    return (lin if align else lin * (n - 1) / n).astype(dtype)


def affine_grid(theta: Any, size: Any, align_corners: bool | None = None) -> Tensor:
    """The sampling grid (N, H, W, 2) of the affine maps theta (N, 2, 3) for an output of
    ``size`` (N, C, H, W), or (N, D, H, W, 3) of theta (N, 3, 4) for (N, C, D, H, W),
    as ``F.affine_grid``: each output pixel's normalised (x, y[, z]) mapped by theta."""
    align = _corners(align_corners, "affine_grid")
    size = tuple(int(v) for v in size)
    ts = _shape(theta)
    dtype = _dtype(theta)
    if dtype.kind != "f":
        raise ValueError(f"affine_grid: expected theta of a floating dtype, got {dtype}")
    if len(size) == 4:
        if ts != (size[0], 2, 3):
            raise ValueError(
                f"affine_grid: expected a batch of 2D affine matrices of shape Nx2x3 for size "
                f"{size}, got {ts}"
            )
        n, _, h, w = size
        ys, xs = np.meshgrid(_base_coords(h, align, dtype), _base_coords(w, align, dtype),
                             indexing="ij")  # fmt: skip
        base = np.stack([xs, ys, np.ones_like(xs)], -1).reshape(1, h * w, 3)
        out_shape: tuple = (n, h, w, 2)
    elif len(size) == 5:
        if ts != (size[0], 3, 4):
            raise ValueError(
                f"affine_grid: expected a batch of 3D affine matrices of shape Nx3x4 for size "
                f"{size}, got {ts}"
            )
        n, _, d, h, w = size
        zs, ys, xs = np.meshgrid(
            _base_coords(d, align, dtype),
            _base_coords(h, align, dtype),
            _base_coords(w, align, dtype),
            indexing="ij",
        )
        base = np.stack([xs, ys, zs, np.ones_like(xs)], -1).reshape(1, d * h * w, 4)
        out_shape = (n, d, h, w, 3)
    else:
        raise ValueError(
            f"affine_grid: only 2D (size N, C, H, W) and 3D (size N, C, D, H, W) grids are "
            f"supported, got size {size}"
        )
    return cg.reshape(cg.matmul(base, cg.swapaxes(theta, 1, 2)), out_shape)


def _unnormalize(coord: Any, size: int, align: bool) -> Any:
    if align:
        return cg.multiply(cg.add(coord, 1.0), (size - 1) / 2.0)
    return cg.subtract(cg.multiply(cg.add(coord, 1.0), size / 2.0), 0.5)


def _reflect(coord: Any, size: int, align: bool) -> Any:
    """Pixel coordinates reflected at the image's edges (its end pixels' centres with
    align_corners, their outer edges without), as torch's grid_sample: piecewise
    ``a * coord + b`` with a = +-1, so the gradient is exact."""
    lo2, hi2 = (0, 2 * (size - 1)) if align else (-1, 2 * size - 1)
    if lo2 == hi2:
        return cg.multiply(coord, 0.0)
    low, span = lo2 / 2.0, (hi2 - lo2) / 2.0
    c = _value(coord)
    sgn = np.sign(c - low)
    v = np.abs(c - low)
    flips = np.floor(v / span)
    extra = np.fmod(v, span)
    val = np.where(flips % 2 == 0, extra + low, span - extra + low)
    a = np.where(flips % 2 == 0, sgn, -sgn).astype(c.dtype)
    return cg.add(cg.multiply(coord, a), (val - a * c).astype(c.dtype))


def grid_sample(
    input: Any,  # noqa: A002 (PyTorch's name)
    grid: Any,
    mode: str = "bilinear",
    padding_mode: str = "zeros",
    align_corners: bool | None = None,
) -> Tensor:
    """Values of (N, C, H, W) at the normalised (x, y) points of grid (N, Ho, Wo, 2), or
    of (N, C, D, H, W) at the (x, y, z) of (N, Do, Ho, Wo, 3), as ``F.grid_sample``:
    ``mode`` ``'bilinear'`` (trilinear for 5-D) or ``'nearest'``, ``padding_mode``
    ``'zeros'`` (points outside read 0), ``'border'`` (clamped to the edge) or
    ``'reflection'`` (mirrored at the edges), ``align_corners``; gradients for the input
    and (bilinear) the grid."""
    align = _corners(align_corners, "grid_sample")
    if mode not in ("bilinear", "nearest"):
        raise ValueError(f"grid_sample: mode must be 'bilinear' or 'nearest', got {mode!r}")
    if padding_mode not in ("zeros", "border", "reflection"):
        raise ValueError(
            f"grid_sample: padding_mode must be 'zeros', 'border' or 'reflection', got "
            f"{padding_mode!r}"
        )
    shape, gs = _shape(input), _shape(grid)
    k = len(shape) - 2  # spatial dimensions: 2, or 3 (then 'bilinear' is trilinear)
    if k not in (2, 3) or len(gs) != k + 2 or gs[0] != shape[0] or gs[-1] != k:
        raise ValueError(
            f"grid_sample: expected input (N, C, H, W) and grid (N, Ho, Wo, 2), or input "
            f"(N, C, D, H, W) and grid (N, Do, Ho, Wo, 3), got shapes {shape} and {gs}"
        )
    n, c = shape[:2]
    sizes = shape[2:][::-1]  # (W, H[, D]): the grid's (x, y[, z]) order
    m = int(np.prod(gs[1:-1]))
    dtype = np.result_type(_dtype(input), _dtype(grid))
    coords = []
    for i, size in enumerate(sizes):
        u = _unnormalize(grid[..., i], size, align)
        if padding_mode == "reflection":
            u = _reflect(u, size, align)
        if padding_mode != "zeros":
            u = cg.clip(u, 0, size - 1)
        coords.append(u)
    flat = cg.reshape(input, (n, c, -1))

    def tap(points: list) -> Any:
        """input at integer points (x, y[, z]) of the grid's shape, 0 outside: (N, C, M)."""
        inside = np.ones(points[0].shape, bool)
        idx = np.zeros(points[0].shape, np.int64)
        for pt, size in zip(points[::-1], sizes[::-1]):  # row-major: depth first
            inside &= (pt >= 0) & (pt < size)
            idx = idx * size + pt
        idx = np.where(inside, idx, 0).reshape(n, 1, m)
        vals = cg.take_along_axis(flat, np.broadcast_to(idx, (n, c, m)), axis=2)
        return cg.multiply(vals, inside.reshape(n, 1, m).astype(dtype))

    if mode == "nearest":  # half to even, as torch
        out = tap([np.round(_value(u)).astype(np.int64) for u in coords])
        return cg.reshape(out, (n, c) + tuple(gs[1:-1]))
    lows = [np.floor(_value(u)) for u in coords]
    upper = [cg.subtract(u, lo) for u, lo in zip(coords, lows)]  # weights of the +1 side
    lower = [cg.subtract(1.0, wt) for wt in upper]
    out = None
    for corner in np.ndindex(*(2,) * k):
        wgt = None
        for i, b in enumerate(corner):
            f = upper[i] if b else lower[i]
            wgt = f if wgt is None else cg.multiply(wgt, f)
        pts = [lo.astype(np.int64) + b for lo, b in zip(lows, corner)]
        term = cg.multiply(tap(pts), cg.reshape(wgt, (n, 1, m)))
        out = term if out is None else cg.add(out, term)
    return cg.reshape(out, (n, c) + tuple(gs[1:-1]))
