"""TensorFlow's ``tf.nn`` functions as plain functions of ``cg.nn``, with TF's signatures.

``cg.nn.relu(x)``, ``cg.nn.softmax(logits, axis=None)`` (the last axis),
``cg.nn.sigmoid_cross_entropy_with_logits(labels=, logits=)``, ``cg.nn.dropout(x,
rate=)`` (always active and scaled by ``1 / (1 - rate)``, as TensorFlow's) ... written
with ``cg`` functions, so they differentiate to any order.  PyTorch's functional
spellings live in ``cg.nn.functional``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import functions as F
from ..random import default_generator
from ..tfmath import (
    gather,
    in_top_k,
    l2_normalize,
    log_sigmoid,
    moments,
    softsign,
    top_k,
    zero_fraction,
)
from . import functional as torch_f

# The export list of TensorFlow's tf.nn names (a few are cg's own functions, the same
# objects): what `cg.nn` re-exports, not a table about ops.
__all__ = [  # tf.nn's function names, not compgraph ops' table
    "sigmoid",
    "tanh",
    "softplus",
    "softsign",
    "relu",
    "relu6",
    "elu",
    "selu",
    "gelu",
    "silu",
    "swish",
    "leaky_relu",
    "softmax",
    "log_softmax",
    "sigmoid_cross_entropy_with_logits",
    "softmax_cross_entropy_with_logits",
    "sparse_softmax_cross_entropy_with_logits",
    "l2_loss",
    "l2_normalize",
    "log_sigmoid",
    "moments",
    "weighted_cross_entropy_with_logits",
    "embedding_lookup",
    "conv2d",
    "max_pool2d",
    "avg_pool2d",
    "dropout",
    "bias_add",
    "batch_normalization",
    "top_k",
    "in_top_k",
    "log_poisson_loss",
    "normalize_moments",
    "sufficient_statistics",
    "weighted_moments",
    "zero_fraction",
    "crelu",
    "compute_average_loss",
    "scale_regularization_loss",
    "conv1d",
    "conv2d_transpose",
    "depthwise_conv2d",
    "max_pool1d",
    "avg_pool1d",
    "max_pool",
    "avg_pool",
    "local_response_normalization",
    "atrous_conv2d",
    "convolution",
    "separable_conv2d",
    "conv1d_transpose",
    "batch_norm_with_global_normalization",
]

sigmoid = F.sigmoid
tanh = F.tanh
softplus = F.softplus
relu = F.relu

_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946


def relu6(features: Any, name: Any = None) -> Any:
    """``min(max(x, 0), 6)``."""
    features = F.asarray(features)
    return F.minimum(F.maximum(features, 0), 6)


def elu(features: Any, name: Any = None) -> Any:
    """``x`` where positive, else ``exp(x) - 1``."""
    features = F.asarray(features)
    return F.where(features > 0, features, F.expm1(F.minimum(features, 0)))


def selu(features: Any, name: Any = None) -> Any:
    """Scaled ELU with TensorFlow's (and the paper's) constants."""
    features = F.asarray(features)
    neg = _SELU_ALPHA * F.expm1(F.minimum(features, 0))
    return _SELU_SCALE * F.where(features > 0, features, neg)


def gelu(features: Any, approximate: bool = False, name: Any = None) -> Any:
    """``x * P(X <= x)`` for standard normal X; ``approximate=True`` is the tanh form."""
    features = F.asarray(features)
    if approximate:
        inner = np.sqrt(2 / np.pi) * (features + 0.044715 * features**3)
        return 0.5 * features * (1 + F.tanh(inner))
    return 0.5 * features * (1 + F.erf(features / np.sqrt(2)))


def silu(features: Any, beta: float = 1.0) -> Any:
    """``x * sigmoid(beta * x)`` (``swish``)."""
    features = F.asarray(features)
    return features * F.sigmoid(beta * features)


swish = silu


def leaky_relu(features: Any, alpha: float = 0.2, name: Any = None) -> Any:
    """``x`` where positive, else ``alpha * x`` (TensorFlow's default ``alpha`` is 0.2)."""
    features = F.asarray(features)
    return F.where(features > 0, features, alpha * features)


def softmax(logits: Any, axis: Any = None, name: Any = None) -> Any:
    """Softmax along ``axis`` (None: the last axis, as TensorFlow)."""
    return F.softmax(logits, axis=-1 if axis is None else axis)


def log_softmax(logits: Any, axis: Any = None, name: Any = None) -> Any:
    """Log-softmax along ``axis`` (None: the last axis, as TensorFlow)."""
    return F.log_softmax(logits, axis=-1 if axis is None else axis)


def sigmoid_cross_entropy_with_logits(labels: Any = None, logits: Any = None, name=None) -> Any:
    """Elementwise ``max(x, 0) - x * z + log(1 + exp(-|x|))`` for logits x and labels z."""
    if labels is None or logits is None:
        raise ValueError("sigmoid_cross_entropy_with_logits: pass both labels= and logits=")
    logits = F.asarray(logits)
    if np.shape(labels) != tuple(logits.shape):
        raise ValueError(
            f"sigmoid_cross_entropy_with_logits: logits and labels must have the same shape, "
            f"got {tuple(logits.shape)} and {np.shape(labels)}"
        )
    return F.maximum(logits, 0) - logits * labels + F.log1p(F.exp(-F.abs(logits)))


def softmax_cross_entropy_with_logits(labels: Any, logits: Any, axis: int = -1, name=None) -> Any:
    """``-sum(labels * log_softmax(logits), axis)``: one loss per example."""
    return -F.sum(labels * F.log_softmax(logits, axis=axis), axis=axis)


def sparse_softmax_cross_entropy_with_logits(labels: Any = None, logits: Any = None, name=None):
    """``-log_softmax(logits)[label]`` per example, ``labels`` integer class indices."""
    if labels is None or logits is None:
        raise ValueError("sparse_softmax_cross_entropy_with_logits: pass labels= and logits=")
    idx = np.asarray(getattr(labels, "_data", labels))
    if idx.dtype.kind not in "iu":
        raise TypeError(
            f"sparse_softmax_cross_entropy_with_logits: labels must be integers, got {idx.dtype}"
        )
    logp = F.log_softmax(logits, axis=-1)
    return -F.squeeze(F.take_along_axis(logp, idx[..., None], axis=-1), axis=-1)


def weighted_cross_entropy_with_logits(labels: Any, logits: Any, pos_weight: Any, name=None):
    """``sigmoid_cross_entropy_with_logits`` with the positive term weighted by ``pos_weight``:
    ``(1 - z) * x + (1 + (q - 1) * z) * log(1 + exp(-x))`` for logits x, labels z."""
    logits = F.asarray(logits)
    if np.shape(getattr(labels, "_data", labels)) != tuple(logits.shape):
        raise ValueError(
            f"weighted_cross_entropy_with_logits: logits and labels must have the same shape, "
            f"got {tuple(logits.shape)} and {np.shape(getattr(labels, '_data', labels))}"
        )
    log_weight = 1 + (pos_weight - 1) * labels
    return (1 - labels) * logits + log_weight * (
        F.log1p(F.exp(-F.abs(logits))) + F.maximum(-logits, 0)
    )


def embedding_lookup(params: Any, ids: Any, max_norm: Any = None, name: Any = None) -> Any:
    """Rows of ``params`` (one tensor) at ``ids``; ``max_norm`` clips each row's norm."""
    rows = gather(params, ids)
    if max_norm is not None:
        norms = F.sqrt(F.sum(F.square(rows), axis=-1, keepdims=True))
        rows = rows * F.minimum(1.0, max_norm / F.maximum(norms, 1e-30))
    return rows


def _pair(v: Any, what: str) -> tuple[int, int]:
    """TensorFlow's 1, 2 or 4 numbers (NHWC: the middle two) as (h, w)."""
    v = [v] if isinstance(v, (int, np.integer)) else list(v)
    if len(v) == 4:
        v = v[1:3]
    if len(v) == 1:
        v = v * 2
    if len(v) != 2:
        raise ValueError(f"{what}: expected 1, 2 or 4 values, got {v}")
    return int(v[0]), int(v[1])


def _same_pad(size: tuple, k: tuple, s: tuple, d: tuple = (1, 1)) -> tuple:
    """TensorFlow's SAME padding (extra on the bottom/right), as (left, right, top, bottom)."""
    out = []
    for n, kk, ss, dd in zip(size, k, s, d):
        total = max((-(-n // ss) - 1) * ss + (kk - 1) * dd + 1 - n, 0)
        out.append((total // 2, total - total // 2))
    (t, b), (lft, r) = out
    return lft, r, t, b


def _nchw(x: Any, data_format: str) -> Any:
    return F.transpose(x, (0, 3, 1, 2)) if data_format == "NHWC" else x


def _back(y: Any, data_format: str) -> Any:
    return F.transpose(y, (0, 2, 3, 1)) if data_format == "NHWC" else y


def _padded(x: Any, pads: Any, k: tuple, s: tuple, d: tuple, value: float) -> Any:
    """NCHW ``x`` padded for TensorFlow's ``padding`` ('VALID', 'SAME' or explicit pairs)."""
    if pads == "VALID":
        return x
    if pads == "SAME":
        p = _same_pad(tuple(x.shape[2:]), k, s, d)
    else:  # explicit [[0, 0], [top, bottom], [left, right], [0, 0]] (NHWC order)
        (t, b), (lft, r) = [tuple(q) for q in list(pads)[1:3]]
        p = (lft, r, t, b)
    return torch_f.pad(x, p, value=value) if any(p) else x


def conv2d(
    input: Any,
    filters: Any,
    strides: Any,
    padding: Any,
    data_format: str = "NHWC",
    dilations: Any = None,
    name: Any = None,
) -> Any:
    """TensorFlow's ``nn.conv2d``: NHWC input, filters ``(h, w, in, out)``, ``'SAME'`` /
    ``'VALID'`` / explicit padding (a cross-correlation, as TensorFlow's)."""
    s = _pair(strides, "conv2d strides")
    d = _pair(1 if dilations is None else dilations, "conv2d dilations")
    f = F.asarray(filters)
    x = _padded(_nchw(F.asarray(input), data_format), padding, tuple(f.shape[:2]), s, d, 0.0)
    w = F.transpose(f, (3, 2, 0, 1))
    return _back(torch_f.conv2d(x, w, stride=s, dilation=d), data_format)


def max_pool2d(input: Any, ksize: Any, strides: Any, padding: Any, data_format="NHWC", name=None):
    """TensorFlow's ``nn.max_pool2d`` (SAME padding never wins the max)."""
    k, s = _pair(ksize, "max_pool2d ksize"), _pair(strides, "max_pool2d strides")
    x = _padded(_nchw(F.asarray(input), data_format), padding, k, s, (1, 1), -np.inf)
    return _back(torch_f.max_pool2d(x, k, stride=s), data_format)


def avg_pool2d(input: Any, ksize: Any, strides: Any, padding: Any, data_format="NHWC", name=None):
    """TensorFlow's ``nn.avg_pool2d``: with SAME padding, each window averages only its
    real entries (the padding is not counted)."""
    k, s = _pair(ksize, "avg_pool2d ksize"), _pair(strides, "avg_pool2d strides")
    x = _nchw(F.asarray(input), data_format)
    total = torch_f.avg_pool2d(_padded(x, padding, k, s, (1, 1), 0.0), k, stride=s)
    if padding == "VALID":
        return _back(total, data_format)
    ones = np.ones((1, 1) + tuple(x.shape[2:]), dtype=x.dtype)
    frac = torch_f.avg_pool2d(_padded(F.asarray(ones), padding, k, s, (1, 1), 0.0), k, stride=s)
    return _back(total / frac, data_format)


def l2_loss(t: Any, name: Any = None) -> Any:
    """``sum(t ** 2) / 2``."""
    return F.sum(F.square(t)) / 2


def dropout(
    x: Any, rate: float, noise_shape: Any = None, seed: Any = None, name: Any = None
) -> Any:
    """Zero each entry with probability ``rate`` and scale the rest by ``1 / (1 - rate)``
    (always on, as ``tf.nn.dropout``), drawing from ``cg.random``'s generator; with
    ``seed``, the mask depends only on it and the global seed."""
    if not 0 <= rate < 1:
        raise ValueError(f"dropout: rate must be a scalar in [0, 1), got {rate}")
    x = F.asarray(x)
    if rate == 0:
        return x
    # the process's generator (cg.random.set_seed / cg.manual_seed make it repeatable);
    # an op-level seed starts from (global seed, seed), as TensorFlow's pair of seeds
    rng = (
        default_generator.rng
        if seed is None
        else np.random.default_rng([default_generator.initial_seed(), seed])
    )
    shape = tuple(x.shape) if noise_shape is None else tuple(noise_shape)
    keep = rng.random(shape) >= rate
    return x * (keep / (1 - rate)).astype(x.dtype)


def bias_add(value: Any, bias: Any, data_format: Any = None, name: Any = None) -> Any:
    """``value + bias`` along the last axis (``"NC..."`` formats: along axis 1)."""
    if data_format is not None and data_format.startswith("NC"):
        bias = F.reshape(bias, (-1,) + (1,) * (F.asarray(value).ndim - 2))
    return value + bias


def batch_normalization(
    x: Any,
    mean: Any,
    variance: Any,
    offset: Any,
    scale: Any,
    variance_epsilon: float,
    name: Any = None,
) -> Any:
    """TensorFlow's ``batch_normalization``: ``scale * (x - mean) / sqrt(variance +
    variance_epsilon) + offset`` (``offset``/``scale`` may be None), computed as
    TensorFlow does: ``x * inv + (offset - mean * inv)`` with ``inv = scale *
    rsqrt(variance + variance_epsilon)``."""
    x = F.asarray(x)
    inv = 1 / F.sqrt(F.asarray(variance) + variance_epsilon)
    if scale is not None:
        inv = inv * scale
    shift = -mean * inv if offset is None else offset - mean * inv
    return x * F.astype(inv, x.dtype) + F.astype(shift, x.dtype)


def log_poisson_loss(targets: Any, log_input: Any, compute_full_loss: bool = False, name=None):
    """TensorFlow's ``log_poisson_loss``: ``exp(log_input) - log_input * targets``, plus
    with ``compute_full_loss`` Stirling's term ``t * log(t) - t + 0.5 * log(2 * pi * t)``
    where ``targets > 1`` (0 for targets in [0, 1])."""
    log_input = F.asarray(log_input)
    targets = F.asarray(targets)
    if tuple(targets.shape) != tuple(log_input.shape):
        raise ValueError(
            f"log_poisson_loss: log_input and targets must have the same shape, got "
            f"{tuple(log_input.shape)} and {tuple(targets.shape)}"
        )
    result = F.exp(log_input) - log_input * targets
    if compute_full_loss:
        small = F.logical_and(targets >= 0, targets <= 1)
        t = F.where(small, 1, targets)  # (the branch not taken stays finite)
        stirling = t * F.log(t) - t + 0.5 * F.log(2 * np.pi * t)
        result = result + F.where(small, 0, F.astype(stirling, targets.dtype))
    return result


def sufficient_statistics(x: Any, axes: Any, shift: Any = None, keepdims: bool = False, name=None):
    """TensorFlow's ``sufficient_statistics``: ``(count, sum(x - shift), sum((x -
    shift)**2), shift)`` over ``axes`` (count in x's dtype)."""
    x = F.asarray(x)
    ax = tuple(int(a) for a in np.atleast_1d(np.asarray(getattr(axes, "_data", axes))))
    count = F.asarray(np.prod([x.shape[a] for a in ax]), dtype=x.dtype)
    if shift is not None:
        m_ss, v_ss = x - shift, F.square(x - shift)
    else:
        m_ss, v_ss = x, F.square(x)
    return (
        count,
        F.sum(m_ss, axis=ax, keepdims=keepdims),
        F.sum(v_ss, axis=ax, keepdims=keepdims),
        shift,
    )


def normalize_moments(counts: Any, mean_ss: Any, variance_ss: Any, shift: Any, name=None):
    """TensorFlow's ``normalize_moments``: ``(mean, variance)`` from
    :func:`sufficient_statistics`' sums."""
    divisor = 1 / F.asarray(counts)
    shifted_mean = mean_ss * divisor
    mean = shifted_mean if shift is None else shifted_mean + shift
    return mean, variance_ss * divisor - F.square(shifted_mean)


def weighted_moments(
    x: Any, axes: Any, frequency_weights: Any, keepdims: bool = False, name: Any = None
) -> tuple:
    """TensorFlow's ``weighted_moments``: the ``frequency_weights``-weighted mean and
    variance over ``axes`` (0 where the weights sum to 0)."""
    x = F.asarray(x)
    half = x.dtype == np.float16
    if half:
        x = F.astype(x, np.float32)
    w = F.astype(F.asarray(frequency_weights), x.dtype)
    ax = tuple(int(a) for a in np.atleast_1d(np.asarray(getattr(axes, "_data", axes))))

    def div_no_nan(a: Any, b: Any) -> Any:
        zero = b == 0
        return F.where(zero, 0, a / F.where(zero, 1, b))

    total = F.sum(w + F.zeros_like(x), axis=ax, keepdims=True)
    mean = div_no_nan(F.sum(w * x, axis=ax, keepdims=True), total)
    var = div_no_nan(F.sum(w * F.square(x - mean), axis=ax, keepdims=True), total)
    if not keepdims:
        mean, var = F.squeeze(mean, axis=ax), F.squeeze(var, axis=ax)
    if half:
        return F.astype(mean, np.float16), F.astype(var, np.float16)
    return mean, var


def crelu(features: Any, name: Any = None, axis: int = -1) -> Any:
    """TensorFlow's ``crelu``: ``concat([relu(x), relu(-x)], axis)``."""
    features = F.asarray(features)
    return F.concatenate([F.relu(features), F.relu(-features)], axis=axis)


def compute_average_loss(
    per_example_loss: Any, sample_weight: Any = None, global_batch_size: Any = None
) -> Any:
    """TensorFlow's ``compute_average_loss``: ``sum(per_example_loss * sample_weight) /
    global_batch_size`` (by default the batch size: one replica here)."""
    loss = F.asarray(per_example_loss)
    if loss.ndim < 1:
        raise ValueError(
            "compute_average_loss: per_example_loss must have at least one axis (one loss "
            f"per example), got shape {tuple(loss.shape)}"
        )
    if sample_weight is not None:
        loss = F.astype(loss * sample_weight, loss.dtype)
    n = loss.shape[0] if global_batch_size is None else global_batch_size
    return F.sum(loss) / F.astype(F.asarray(n), loss.dtype)


def scale_regularization_loss(regularization_loss: Any) -> Any:
    """TensorFlow's ``scale_regularization_loss``: the sum of the losses divided by the
    number of replicas (one here)."""
    return F.sum(F.asarray(regularization_loss))


def _one(v: Any, what: str) -> int:
    """TensorFlow's 1-D window argument: an int, or 1 or 3 values (NWC: the middle)."""
    v = [v] if isinstance(v, (int, np.integer)) else list(v)
    if len(v) == 3:
        v = v[1:2]
    if len(v) != 1:
        raise ValueError(f"{what}: expected 1 or 3 values, got {v}")
    return int(v[0])


def _rows(padding: Any) -> Any:
    """1-D padding as the 2-D padding of a height-1 image (NHWC order)."""
    if isinstance(padding, str):
        return padding
    pads = [tuple(q) for q in padding]
    return [(0, 0), (0, 0), pads[1], (0, 0)]


def _as_nwc(x: Any, data_format: str) -> Any:
    return F.transpose(x, (0, 2, 1)) if data_format == "NCW" else x


def conv1d(
    input: Any,
    filters: Any,
    stride: Any,
    padding: Any,
    data_format: str = "NWC",
    dilations: Any = None,
    name: Any = None,
) -> Any:
    """TensorFlow's ``nn.conv1d``: NWC input, filters ``(w, in, out)``, ``'SAME'`` /
    ``'VALID'`` / explicit padding (a height-1 :func:`conv2d`)."""
    x = F.expand_dims(_as_nwc(F.asarray(input), data_format), 1)
    d = 1 if dilations is None else _one(dilations, "conv1d dilations")
    y = conv2d(
        x,
        F.expand_dims(F.asarray(filters), 0),
        (1, _one(stride, "conv1d stride")),
        _rows(padding),
        dilations=(1, d),
    )
    return _as_nwc(F.squeeze(y, axis=1), data_format)


def max_pool1d(input: Any, ksize: Any, strides: Any, padding: Any, data_format="NWC", name=None):
    """TensorFlow's ``nn.max_pool1d`` (a height-1 :func:`max_pool2d`)."""
    x = F.expand_dims(_as_nwc(F.asarray(input), data_format), 1)
    k, s = _one(ksize, "max_pool1d ksize"), _one(strides, "max_pool1d strides")
    y = max_pool2d(x, (1, k), (1, s), _rows(padding))
    return _as_nwc(F.squeeze(y, axis=1), data_format)


def avg_pool1d(input: Any, ksize: Any, strides: Any, padding: Any, data_format="NWC", name=None):
    """TensorFlow's ``nn.avg_pool1d`` (a height-1 :func:`avg_pool2d`)."""
    x = F.expand_dims(_as_nwc(F.asarray(input), data_format), 1)
    k, s = _one(ksize, "avg_pool1d ksize"), _one(strides, "avg_pool1d strides")
    y = avg_pool2d(x, (1, k), (1, s), _rows(padding))
    return _as_nwc(F.squeeze(y, axis=1), data_format)


def max_pool(input: Any, ksize: Any, strides: Any, padding: Any, data_format=None, name=None):
    """TensorFlow's ``nn.max_pool``: :func:`max_pool1d` or :func:`max_pool2d` by the
    input's rank (3 or 4)."""
    x = F.asarray(input)
    if x.ndim == 3:
        return max_pool1d(x, ksize, strides, padding, data_format or "NWC")
    if x.ndim == 4:
        return max_pool2d(x, ksize, strides, padding, data_format or "NHWC")
    raise ValueError(f"max_pool: input must be 3-D or 4-D here, got shape {tuple(x.shape)}")


def avg_pool(input: Any, ksize: Any, strides: Any, padding: Any, data_format=None, name=None):
    """TensorFlow's ``nn.avg_pool``: :func:`avg_pool1d` or :func:`avg_pool2d` by the
    input's rank (3 or 4)."""
    x = F.asarray(input)
    if x.ndim == 3:
        return avg_pool1d(x, ksize, strides, padding, data_format or "NWC")
    if x.ndim == 4:
        return avg_pool2d(x, ksize, strides, padding, data_format or "NHWC")
    raise ValueError(f"avg_pool: input must be 3-D or 4-D here, got shape {tuple(x.shape)}")


def depthwise_conv2d(
    input: Any,
    filter: Any,
    strides: Any,
    padding: Any,
    data_format: Any = None,
    dilations: Any = None,
    name: Any = None,
) -> Any:
    """TensorFlow's ``nn.depthwise_conv2d``: each input channel ``c`` convolved with its
    own ``filter[:, :, c, :]`` (``(h, w, in, multiplier)``), output channel ``c *
    multiplier + m``."""
    fmt = data_format or "NHWC"
    s = _pair(strides, "depthwise_conv2d strides")
    d = _pair(1 if dilations is None else dilations, "depthwise_conv2d dilations")
    f = F.asarray(filter)
    kh, kw, cin, mult = (int(v) for v in f.shape)
    x = _nchw(F.asarray(input), fmt)
    if int(x.shape[1]) != cin:
        raise ValueError(
            f"depthwise_conv2d: input has {int(x.shape[1])} channels, filter expects {cin}"
        )
    x = _padded(x, padding, (kh, kw), s, d, 0.0)
    w = F.reshape(F.transpose(f, (2, 3, 0, 1)), (cin * mult, 1, kh, kw))
    return _back(torch_f.conv2d(x, w, stride=s, dilation=d, groups=cin), fmt)


def conv2d_transpose(
    input: Any,
    filters: Any,
    output_shape: Any,
    strides: Any,
    padding: Any = "SAME",
    data_format: str = "NHWC",
    dilations: Any = None,
    name: Any = None,
) -> Any:
    """TensorFlow's ``nn.conv2d_transpose``: the gradient of :func:`conv2d` with respect
    to its input, for a ``conv2d`` whose input has ``output_shape``; filters ``(h, w,
    out, in)``."""
    fn = "conv2d_transpose"
    s = _pair(strides, f"{fn} strides")
    d = _pair(1 if dilations is None else dilations, f"{fn} dilations")
    f = F.asarray(filters)
    kh, kw, cout, cin = (int(v) for v in f.shape)
    shape = tuple(int(v) for v in np.asarray(getattr(output_shape, "_data", output_shape)).ravel())
    x = _nchw(F.asarray(input), data_format)
    if len(shape) != 4:
        raise ValueError(f"{fn}: output_shape must have 4 entries, got {shape}")
    oh, ow, oc = shape[1:4] if data_format == "NHWC" else (*shape[2:4], shape[1])
    if int(x.shape[1]) != cin or oc != cout:
        raise ValueError(
            f"{fn}: filters of shape {tuple(f.shape)} need {cin} input and {cout} output "
            f"channels; got {int(x.shape[1])} and output_shape {shape}"
        )
    # where the forward convolution's window starts: its padding at the top and left
    if padding == "VALID":
        top, left = 0, 0
    elif padding == "SAME":
        left, _, top, _ = _same_pad((oh, ow), (kh, kw), s, d)
    else:
        (top, _), (left, _) = [tuple(q) for q in list(padding)[1:3]]
    full: Any = torch_f.conv_transpose2d(x, F.transpose(f, (3, 2, 0, 1)), stride=s, dilation=d)
    fh, fw = int(full.shape[2]), int(full.shape[3])
    extra_h, extra_w = max(top + oh - fh, 0), max(left + ow - fw, 0)
    if extra_h or extra_w:  # forward rows no window reached: zero gradient
        full = torch_f.pad(full, (0, extra_w, 0, extra_h))
    return _back(full[:, :, top : top + oh, left : left + ow], data_format)


def local_response_normalization(
    input: Any,
    depth_radius: int = 5,
    bias: float = 1.0,
    alpha: float = 1.0,
    beta: float = 0.5,
    name: Any = None,
) -> Any:
    """TensorFlow's ``nn.local_response_normalization`` of a 4-D input: ``x / (bias +
    alpha * sqr_sum) ** beta``, ``sqr_sum`` the sum of squares over the last axis from
    ``d - depth_radius`` to ``d + depth_radius``."""
    x = F.asarray(input)
    if x.ndim != 4:
        raise ValueError(
            f"local_response_normalization: input must be 4-D, got shape {tuple(x.shape)}"
        )
    r = int(depth_radius)
    c = int(x.shape[-1])
    sq = F.pad(F.square(x), [(0, 0), (0, 0), (0, 0), (r, r)])
    total = sq[..., 0:c]
    for i in range(1, 2 * r + 1):
        total = total + sq[..., i : i + c]
    return x / (bias + alpha * total) ** beta


def atrous_conv2d(value: Any, filters: Any, rate: int, padding: Any, name: Any = None) -> Any:
    """TensorFlow's ``nn.atrous_conv2d``: :func:`conv2d` with stride 1 and dilation
    ``rate``."""
    return conv2d(value, filters, 1, padding, dilations=int(rate))


def convolution(
    input: Any,
    filters: Any,
    strides: Any = None,
    padding: str = "VALID",
    data_format: Any = None,
    dilations: Any = None,
    name: Any = None,
) -> Any:
    """TensorFlow's ``nn.convolution``: :func:`conv1d` or :func:`conv2d` by the rank of
    the input (3 or 4)."""
    x = F.asarray(input)
    st = 1 if strides is None else strides
    if x.ndim == 3:
        return conv1d(x, filters, st, padding, data_format or "NWC", dilations)
    if x.ndim == 4:
        return conv2d(x, filters, st, padding, data_format or "NHWC", dilations)
    raise ValueError(f"convolution: input must be 3-D or 4-D here, got shape {tuple(x.shape)}")


def separable_conv2d(
    input: Any,
    depthwise_filter: Any,
    pointwise_filter: Any,
    strides: Any,
    padding: Any,
    data_format: Any = None,
    dilations: Any = None,
    name: Any = None,
) -> Any:
    """TensorFlow's ``nn.separable_conv2d``: :func:`depthwise_conv2d`, then a 1x1
    :func:`conv2d` by ``pointwise_filter`` (``(1, 1, in * multiplier, out)``)."""
    fmt = data_format or "NHWC"
    depthwise = depthwise_conv2d(input, depthwise_filter, strides, padding, fmt, dilations)
    return conv2d(depthwise, pointwise_filter, 1, "VALID", fmt)


def conv1d_transpose(
    input: Any,
    filters: Any,
    output_shape: Any,
    strides: Any,
    padding: str = "SAME",
    data_format: str = "NWC",
    dilations: Any = None,
    name: Any = None,
) -> Any:
    """TensorFlow's ``nn.conv1d_transpose``: the gradient of :func:`conv1d` with respect
    to its input; filters ``(w, out, in)``."""
    shape = [int(v) for v in np.asarray(getattr(output_shape, "_data", output_shape)).ravel()]
    if len(shape) != 3:
        raise ValueError(f"conv1d_transpose: output_shape must have 3 entries, got {shape}")
    if data_format == "NCW":
        shape = [shape[0], shape[2], shape[1]]
    x = F.expand_dims(_as_nwc(F.asarray(input), data_format), 1)
    y = conv2d_transpose(
        x,
        F.expand_dims(F.asarray(filters), 0),
        (shape[0], 1, shape[1], shape[2]),
        (1, _one(strides, "conv1d_transpose strides")),
        _rows(padding),
        dilations=(1, 1 if dilations is None else _one(dilations, "conv1d_transpose dilations")),
    )
    return _as_nwc(F.squeeze(y, axis=1), data_format)


def batch_norm_with_global_normalization(
    input: Any,
    mean: Any,
    variance: Any,
    beta: Any,
    gamma: Any,
    variance_epsilon: float,
    scale_after_normalization: bool,
    name: Any = None,
) -> Any:
    """TensorFlow's ``nn.batch_norm_with_global_normalization``: :func:`batch_normalization`
    with offset ``beta`` and, when ``scale_after_normalization``, scale ``gamma``."""
    scale = gamma if scale_after_normalization else None
    return batch_normalization(input, mean, variance, beta, scale, variance_epsilon)
