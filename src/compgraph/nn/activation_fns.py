"""PyTorch's in-place activation functions of torch.nn.functional (F.relu_, F.elu_ ...).

Each changes its input tensor and returns that same object, with the rules of the
in-place Tensor methods (``x.relu_()``, ``x += 1``): refused on a leaf that requires
grad while gradients are recorded (as torch); recorded on other tensors that take part
in gradients or tangents (the tensor then stands for its new value, and gradients flow
through the activation to what it was computed from); otherwise written into its
buffer.  Gradients at the kinks are torch's (e.g. ``hardtanh_`` passes none at
``min_val`` and ``max_val`` themselves, ``rrelu_`` uses the drawn slope at 0).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

import numpy as np

from .. import functions as cg
from ..autodiff.recording import mark_mutated
from ..grad_mode import no_grad
from ..random import default_generator
from ..tensor import Tensor, must_record, rebind

__all__ = [
    "relu_",
    "elu_",
    "celu_",
    "selu_",
    "leaky_relu_",
    "hardtanh_",
    "rrelu_",
    "threshold_",
]

_SELU_ALPHA, _SELU_SCALE = 1.6732632423543772, 1.0507009873554805


class _InPlaceName(NamedTuple):
    """What ``rebind`` names in its errors (it reads an op's ``name``)."""

    name: str


def _in_place(x: Any, compute: Callable[[Any], Any], name: str) -> Tensor:
    """Replace ``x``'s value by ``compute(x)`` in place and return ``x``."""
    if not isinstance(x, Tensor):
        raise TypeError(f"{name}: expected a Tensor to change in place, got {type(x).__name__}")
    if must_record(x, None):  # raises on a leaf that requires grad, as torch
        rebind(x, compute(x), _InPlaceName(name))  # type: ignore[arg-type]
        return x
    with no_grad():
        r = compute(x)
    res = np.asarray(r.data if isinstance(r, Tensor) else r)
    d = x.data
    if not np.can_cast(res.dtype, d.dtype, "same_kind"):
        raise TypeError(
            f"{name}: result type {res.dtype} can't be cast to the tensor's dtype {d.dtype} "
            f"in place (as PyTorch)"
        )
    if d.flags.writeable:
        np.copyto(d, res, casting="same_kind")
        mark_mutated(d)
    else:  # a read-only view: the tensor gets a buffer of its own
        x.data = res.astype(d.dtype)
    return x


def relu_(input: Any) -> Tensor:  # noqa: A002 (PyTorch's name)
    """``F.relu`` in place: ``max(x, 0)`` written into ``input``, which is returned."""
    return _in_place(input, cg.relu, "relu_")


def elu_(input: Any, alpha: float = 1.0) -> Tensor:  # noqa: A002 (PyTorch's name)
    """``F.elu`` in place: ``x`` where ``x > 0``, else ``alpha * (exp(x) - 1)``."""
    return _in_place(input, lambda t: cg.elu(t, alpha), "elu_")


def celu_(input: Any, alpha: float = 1.0) -> Tensor:  # noqa: A002 (PyTorch's name)
    """``F.celu`` in place: ``x`` where ``x > 0``, else ``alpha * (exp(x / alpha) - 1)``."""
    if alpha == 0:
        raise ValueError("celu_: alpha must not be 0 (it divides the input)")
    return _in_place(
        input, lambda t: cg.multiply(cg.elu(cg.multiply(t, 1.0 / alpha)), alpha), "celu_"
    )


def selu_(input: Any) -> Tensor:  # noqa: A002 (PyTorch's name)
    """``F.selu`` in place: ``scale * elu(x, alpha)`` with the self-normalising constants."""
    return _in_place(input, lambda t: cg.multiply(cg.elu(t, _SELU_ALPHA), _SELU_SCALE), "selu_")


def leaky_relu_(input: Any, negative_slope: float = 0.01) -> Tensor:  # noqa: A002
    """``F.leaky_relu`` in place: ``x`` where ``x > 0``, else ``negative_slope * x``."""
    return _in_place(input, lambda t: cg.leaky_relu(t, negative_slope), "leaky_relu_")


def hardtanh_(
    input: Any,  # noqa: A002 (PyTorch's name)
    min_val: float = -1.0,
    max_val: float = 1.0,
) -> Tensor:
    """``F.hardtanh`` in place: ``clip(x, min_val, max_val)``; as torch, the gradient
    passes only strictly between the bounds."""

    def compute(t: Any) -> Any:
        x = np.asarray(t.data)
        inside = (x > min_val) & (x < max_val)
        clipped = np.minimum(np.maximum(x, min_val), max_val).astype(x.dtype, copy=False)
        return cg.where(inside, t, clipped)

    return _in_place(input, compute, "hardtanh_")


def rrelu_(
    input: Any,  # noqa: A002 (PyTorch's name)
    lower: float = 1.0 / 8,
    upper: float = 1.0 / 3,
    training: bool = False,
    generator: Any = None,
) -> Tensor:
    """``F.rrelu`` in place: while ``training`` each entry ``x <= 0`` is multiplied by
    its own slope drawn uniformly from [lower, upper] (from ``generator``, a
    ``cg.Generator`` or a NumPy Generator; by default the process's, which
    ``cg.manual_seed`` seeds), otherwise by ``(lower + upper) / 2``; the gradient uses
    the same slopes, as torch's."""
    if not lower <= upper:
        raise ValueError(f"rrelu_: lower ({lower}) must not exceed upper ({upper})")
    if not isinstance(input, Tensor):
        raise TypeError(f"rrelu_: expected a Tensor to change in place, got {type(input).__name__}")
    x = np.asarray(input.data)
    dtype = x.dtype if x.dtype.kind in "fc" else np.dtype(np.float64)
    if training:
        rng = default_generator.rng if generator is None else getattr(generator, "rng", generator)
        slopes = rng.uniform(lower, upper, size=x.shape).astype(dtype)
    else:
        slopes = np.full(x.shape, (lower + upper) / 2, dtype)
    factor = np.where(x > 0, np.ones((), dtype), slopes)
    return _in_place(input, lambda t: cg.multiply(t, factor), "rrelu_")


def threshold_(input: Any, threshold: float, value: float) -> Tensor:  # noqa: A002
    """``F.threshold`` in place: ``x`` where ``x > threshold``, else ``value``."""
    return _in_place(input, lambda t: cg.where(cg.greater(t, threshold), t, value), "threshold_")
