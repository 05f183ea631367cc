"""PyTorch's nn.AdaptiveLogSoftmaxWithLoss and nn.LinearCrossEntropyLoss (with its
LinearCrossEntropyOptions).

Constructor arguments, submodule and parameter names (``head``, ``tail.0.1.weight``,
``linear.weight``, the ``weight`` buffer) and ``state_dict`` keys are torch's, so a
torch state_dict loads and gives the same results; ``dtype`` (default float64) and
``seed`` replace torch's ``device``/``dtype``.  Argument errors are ValueErrors; those
torch raises as RuntimeError are RuntimeErrors too.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence
from typing import Any, NamedTuple, cast

import numpy as np

from .. import functions as cg
from ..tensor import Tensor
from . import functional as F
from . import init
from .attention_fns import _ArgumentError
from .containers import ModuleList, Sequential
from .fn_args import shape_of as _shape
from .fn_args import value_of as _value
from .layers import Linear
from .loss_modules import _WeightedLoss
from .module import Module

__all__ = ["AdaptiveLogSoftmaxWithLoss", "LinearCrossEntropyLoss", "LinearCrossEntropyOptions"]


class _ASMoutput(NamedTuple):
    """AdaptiveLogSoftmaxWithLoss's result, torch's named tuple: ``(output, loss)``."""

    output: Any
    loss: Any


def _reset_linear(layer: Linear, rng: np.random.Generator) -> None:
    # Linear's own draw: U(-1/sqrt(in), 1/sqrt(in)) for the weight and the bias
    bound = 1.0 / math.sqrt(max(1, layer.in_features))
    init.uniform_(layer.weight, -bound, bound, rng)
    if layer.bias is not None:
        init.uniform_(layer.bias, -bound, bound, rng)


class AdaptiveLogSoftmaxWithLoss(Module):
    """Efficient softmax approximation (Grave et al., 2016), as
    ``torch.nn.AdaptiveLogSoftmaxWithLoss``: the ``cutoffs`` split the classes (sorted
    by frequency) into a shortlist, scored by ``head`` with one more logit per cluster,
    and clusters, each scored by a ``tail`` ``Sequential(Linear(in, in // div_value**(i+1)),
    Linear(.., size))``.

    ``forward(input, target)`` returns the named tuple ``(output, loss)``: the
    log-probability of each target (N,) and the mean negative log-likelihood; unbatched
    (in_features,) input takes a 0-d target.  ``log_prob(input)`` gives (N, n_classes)
    log-probabilities, ``predict(input)`` the most likely class per row.

    >>> import compgraph as cg
    >>> asm = cg.nn.AdaptiveLogSoftmaxWithLoss(8, 10, [3, 6], seed=0)
    >>> out = asm(cg.ones((4, 8)), cg.tensor([0, 4, 9, 2]))
    >>> out.output.shape, out.loss.shape, asm.log_prob(cg.ones((4, 8))).shape
    ((4,), (), (4, 10))
    """

    def __init__(
        self,
        in_features: int,
        n_classes: int,
        cutoffs: Sequence[int],
        div_value: float = 4.0,
        head_bias: bool = False,
        dtype: Any = "float64",
        seed: Any = None,
    ):
        super().__init__()
        cutoffs = list(cutoffs)
        if len(cutoffs) == 0:
            raise ValueError(
                "AdaptiveLogSoftmaxWithLoss: cutoffs should be a sequence of length larger than 0"
            )
        if (
            cutoffs != sorted(cutoffs)
            or min(cutoffs) <= 0
            or max(cutoffs) > n_classes - 1
            or len(set(cutoffs)) != len(cutoffs)
            or any(int(c) != c for c in cutoffs)
        ):
            raise ValueError(
                "AdaptiveLogSoftmaxWithLoss: cutoffs should be a sequence of unique, positive "
                "integers sorted in an increasing order, where each value is between 1 and "
                f"n_classes-1 ({n_classes - 1}), got {cutoffs}"
            )
        self.in_features, self.n_classes = int(in_features), int(n_classes)
        self.cutoffs = [int(c) for c in cutoffs] + [self.n_classes]
        self.div_value, self.head_bias = div_value, head_bias
        self.shortlist_size = self.cutoffs[0]
        self.n_clusters = len(self.cutoffs) - 1
        self.head_size = self.shortlist_size + self.n_clusters
        rng = init.rng_of(seed)
        self.head = Linear(self.in_features, self.head_size, bias=head_bias, dtype=dtype, seed=rng)
        self.tail = ModuleList()
        for i in range(self.n_clusters):
            hsz = int(self.in_features // (self.div_value ** (i + 1)))
            osz = self.cutoffs[i + 1] - self.cutoffs[i]
            self.tail.append(
                Sequential(
                    Linear(self.in_features, hsz, bias=False, dtype=dtype, seed=rng),
                    Linear(hsz, osz, bias=False, dtype=dtype, seed=rng),
                )
            )

    def reset_parameters(self, seed: Any = None) -> None:
        """Draw every weight again as at construction (from ``seed``)."""
        rng = init.rng_of(seed)
        _reset_linear(self.head, rng)
        for i2h, h2o in cast(Any, self.tail):
            _reset_linear(i2h, rng)
            _reset_linear(h2o, rng)

    def _check_input(self, x: Any, ndim: tuple, what: str) -> tuple:
        shape = _shape(x)
        if len(shape) not in ndim or shape[-1] != self.in_features:
            dims = " or ".join(f"{d}-D" for d in ndim)
            raise _ArgumentError(
                f"AdaptiveLogSoftmaxWithLoss.{what}: expected {dims} input with "
                f"in_features={self.in_features} last, got shape {shape}"
            )
        return shape

    def forward(self, input_: Any, target_: Any) -> _ASMoutput:
        """``(output, loss)``: each target's log-probability and their mean negative."""
        where = "AdaptiveLogSoftmaxWithLoss"
        target = _value(target_)
        shape = _shape(input_)
        if target.dtype.kind not in "iu":
            raise TypeError(f"{where}: target must hold integer classes, got {target.dtype}")
        if target.ndim == 1:
            if shape[:1] != target.shape:
                raise _ArgumentError(
                    f"{where}: input {shape} and target {target.shape} should have the same "
                    "size in the batch dimension"
                )
            self._check_input(input_, (2,), "forward")
        elif target.ndim == 0:
            self._check_input(input_, (1,), "forward (0-D target)")
        else:
            raise _ArgumentError(
                f"{where}: 0D or 1D target expected (multi-target not supported), got shape "
                f"{target.shape}"
            )
        batched = target.ndim > 0
        x = input_ if batched else cg.expand_dims(input_, 0)
        target = target.reshape(-1)
        n = target.size
        if n and (target.min() < 0 or target.max() >= self.n_classes):
            raise _ArgumentError(
                f"{where}: target values should be in [0, {self.n_classes - 1}], but values "
                f"in range [{target.min()}, {target.max()}] were found"
            )
        # the head scores each row's class if in the shortlist, else its cluster ...
        cluster = np.searchsorted(np.asarray(self.cutoffs), target, side="right")
        gather = np.where(cluster == 0, target, self.shortlist_size + cluster - 1)
        head_logprob = cg.log_softmax(self.head(x), 1)
        output = cg.take_along_axis(head_logprob, gather[:, None], 1)[:, 0]
        # ... and a cluster's tail the class within the cluster; rows in no cluster add 0
        rows = [np.flatnonzero(cluster == 0)]
        parts = [np.zeros(rows[0].size, head_logprob.dtype)]
        for i in range(1, self.n_clusters + 1):
            idx = np.flatnonzero(cluster == i)
            if not idx.size:
                continue
            logprob = cg.log_softmax(self.tail[i - 1](x[idx]), 1)
            relative = target[idx] - self.cutoffs[i - 1]
            rows.append(idx)
            parts.append(cg.take_along_axis(logprob, relative[:, None], 1)[:, 0])
        if len(parts) > 1:
            order = np.argsort(np.concatenate(rows), kind="stable")
            output = output + cg.take(cg.concatenate(parts), order)
        loss = cg.mean(cg.negative(output))
        return _ASMoutput(output if batched else output[0], loss)

    def _get_full_log_prob(self, input: Any, head_output: Any) -> Tensor:  # noqa: A002
        """Log-probabilities of all classes from the input and ``self.head``'s output."""
        head_logprob = cg.log_softmax(head_output, 1)
        pieces = [head_logprob[:, : self.shortlist_size]]
        for i in range(self.n_clusters):
            cluster_logprob = cg.log_softmax(self.tail[i](input), 1)
            pieces.append(
                cluster_logprob
                + head_logprob[:, self.shortlist_size + i : self.shortlist_size + i + 1]
            )
        return cg.concatenate(pieces, 1)

    def log_prob(self, input: Any) -> Tensor:  # noqa: A002 (torch's name)
        """Log-probabilities (N, n_classes) of every class for (N, in_features) input."""
        self._check_input(input, (2,), "log_prob")
        return self._get_full_log_prob(input, self.head(input))

    def predict(self, input: Any) -> Tensor:  # noqa: A002 (torch's name)
        """The most likely class (N,) of each row of (N, in_features) input: the head's
        choice when it is in the shortlist, else the full distribution's."""
        self._check_input(input, (2,), "predict")
        head_output = self.head(input)
        output = np.argmax(_value(head_output), axis=1)
        outside = output >= self.shortlist_size
        if outside.any():
            rows = np.flatnonzero(outside)
            log_prob = self._get_full_log_prob(input[rows], head_output[rows])
            output[rows] = np.argmax(_value(log_prob), axis=1)
        return Tensor(output.astype(np.int64))


_ACC_POLICIES = ("auto", "accurate", "balanced", "compact")
_ACC_DTYPES = ("float16", "bfloat16", "float32", "float64")


def _dtype_name(dtype: Any) -> str:
    try:
        return np.dtype(dtype).name
    except TypeError:
        return str(dtype).replace("torch.", "")


@dataclasses.dataclass(slots=True, frozen=True)
class LinearCrossEntropyOptions:
    """Options of torch's chunked ``linear_cross_entropy`` (batch chunk size, accumulation
    policy and dtype), as ``torch.nn.LinearCrossEntropyOptions``: validated as torch
    does, kept and shown in the loss's repr, but compgraph computes the logits whole
    (the same values), so they change nothing."""

    allow_retain_graph: bool = False
    batch_chunk_size: int | None = None
    chunking_method: str | None = "auto"
    acc_policy: str = "auto"
    acc_dtype: Any = None

    def __post_init__(self) -> None:
        where = "LinearCrossEntropyOptions"
        if self.acc_policy not in _ACC_POLICIES:
            raise ValueError(f"{where}: invalid acc_policy: {self.acc_policy!r}")
        if self.chunking_method is not None and self.chunking_method != "auto":
            name, sep, factor = str(self.chunking_method).partition(":")
            factor = factor if sep else "1"
            if not (name == "aspect_ratio" and factor.isdigit() and int(factor) > 0):
                raise ValueError(f"{where}: invalid chunking_method: {self.chunking_method!r}")
        size = self.batch_chunk_size
        if not (
            size is None or (isinstance(size, int) and not isinstance(size, bool) and size > 0)
        ):
            raise ValueError(
                f"{where}: batch_chunk_size must be positive int or None, got {size!r}"
            )
        if self.acc_dtype is not None and _dtype_name(self.acc_dtype) not in _ACC_DTYPES:
            raise ValueError(
                f"{where}: acc_dtype must be None or one of {', '.join(_ACC_DTYPES)}, got "
                f"{self.acc_dtype!r}"
            )


class LinearCrossEntropyLoss(_WeightedLoss):
    """Cross entropy of ``input`` linearly transformed to logits, as
    ``torch.nn.LinearCrossEntropyLoss``: a ``linear`` Linear(in_features,
    num_classes * prod(out_features)) whose weight (and bias) is reshaped to
    (num_classes, *out_features, in_features) for ``F.linear_cross_entropy``.
    ``weight`` (a buffer), ``reduction``, ``ignore_index`` (None: -100 for class
    indices), ``label_smoothing`` and ``options`` as the function's; ``options`` changes
    nothing here (compgraph computes the logits whole).

    >>> import compgraph as cg
    >>> loss = cg.nn.LinearCrossEntropyLoss(5, 4, out_features=(3,), seed=0)
    >>> loss(cg.ones((2, 5)), cg.tensor([[0, 1, 3], [2, 2, 0]])).shape
    ()
    """

    def __init__(
        self,
        in_features: int,
        num_classes: int,
        *,
        out_features: tuple[int, ...] = (),
        bias: bool = False,
        dtype: Any = "float64",
        reduction: str = "mean",
        weight: Any = None,
        ignore_index: int | None = None,
        label_smoothing: float = 0.0,
        options: LinearCrossEntropyOptions | None = None,
        seed: Any = None,
    ):
        where = "LinearCrossEntropyLoss"
        if weight is not None and _shape(weight) != (num_classes,):
            raise _ArgumentError(
                f"{where}: expected weight shape to be {(num_classes,)}, got {_shape(weight)}"
            )
        if not 0.0 <= label_smoothing <= 1.0:
            raise _ArgumentError(
                f"{where}: expected label_smoothing to be in range [0, 1], got {label_smoothing}"
            )
        if options is not None and not isinstance(options, LinearCrossEntropyOptions):
            raise TypeError(
                f"{where}: options must be a LinearCrossEntropyOptions or None, got "
                f"{type(options).__name__}"
            )
        super().__init__(weight, None, None, reduction)
        self.num_classes = int(num_classes)
        self.out_features = tuple(out_features)
        self.ignore_index = ignore_index
        self.label_smoothing = label_smoothing
        # stored flat, as torch's: Linear has no multi-dimensional weight
        out = math.prod(self.out_features, start=self.num_classes)
        self.linear = Linear(in_features, out, bias=bias, dtype=dtype, seed=seed)
        self.options = options

    def forward(self, input: Any, target: Any) -> Tensor:  # noqa: A002 (torch's name)
        """The loss of ``input`` (in,) or (N, in) against ``target``."""
        shape = (self.num_classes, *self.out_features)
        w = cg.reshape(self.linear.weight, (*shape, self.linear.in_features))
        b = None if self.linear.bias is None else cg.reshape(self.linear.bias, shape)
        return F.linear_cross_entropy(
            input,
            w,
            target,
            linear_bias=b,
            weight=self.weight,
            reduction=self.reduction,
            ignore_index=self.ignore_index,
            label_smoothing=self.label_smoothing,
            options=self.options,
        )

    def extra_repr(self) -> str:
        return (
            f"in_features={self.linear.in_features}, num_classes={self.num_classes}, "
            f"out_features={self.out_features}, bias={self.linear.bias is not None}, "
            f"reduction={self.reduction}, ignore_index={self.ignore_index}, "
            f"label_smoothing={self.label_smoothing}, options={self.options}"
        )
