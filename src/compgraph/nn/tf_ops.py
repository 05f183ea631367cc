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
from ..tfmath import l2_normalize, moments

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
    "moments",
    "dropout",
    "bias_add",
]

sigmoid = F.sigmoid
tanh = F.tanh
softplus = F.softplus
relu = F.relu

_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946


def softsign(features: Any, name: Any = None) -> Any:
    """``x / (1 + |x|)``."""
    features = F.asarray(features)
    return features / (1 + F.abs(features))


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


def l2_loss(t: Any, name: Any = None) -> Any:
    """``sum(t ** 2) / 2``."""
    return F.sum(F.square(t)) / 2


def dropout(
    x: Any, rate: float, noise_shape: Any = None, seed: Any = None, name: Any = None
) -> Any:
    """Zero each entry with probability ``rate`` and scale the rest by ``1 / (1 - rate)``
    (always on, as ``tf.nn.dropout``); ``seed`` seeds this call's mask."""
    if not 0 <= rate < 1:
        raise ValueError(f"dropout: rate must be a scalar in [0, 1), got {rate}")
    x = F.asarray(x)
    if rate == 0:
        return x
    rng = np.random.default_rng(seed)
    shape = tuple(x.shape) if noise_shape is None else tuple(noise_shape)
    keep = rng.random(shape) >= rate
    return x * (keep / (1 - rate)).astype(x.dtype)


def bias_add(value: Any, bias: Any, data_format: Any = None, name: Any = None) -> Any:
    """``value + bias`` along the last axis (``"NC..."`` formats: along axis 1)."""
    if data_format is not None and data_format.startswith("NC"):
        bias = F.reshape(bias, (-1,) + (1,) * (F.asarray(value).ndim - 2))
    return value + bias
