"""PyTorch's top-level functions that compgraph did not publish yet (``torch.conv2d``,
``torch.hann_window``, ``torch.stft``, ``torch.lu`` ...), by name in ``TORCH_TOP``:
the package publishes each as ``cg.<name>`` unless that name is already taken.

This file holds the ``nn.functional`` operations torch also publishes at its top level,
with torch's top-level signatures (they are ATen's, not ``F``'s: ``torch.dropout(input,
p, train)``, ``torch.embedding(weight, indices)``, ``torch.batch_norm(input, weight,
bias, running_mean, running_var, training, momentum, eps, cudnn_enabled)``, losses
taking ``reduction`` as ATen's integer 0/1/2 = none/mean/sum).  Signal functions are in
``torch_top_signal``, linear algebra in ``torch_top_linalg``, random draws and settings
in ``torch_top_misc``, ``save``/``load`` in ``torch_top_io``, view copies, recurrent
cells and ATen's ``native_*`` forms in ``torch_top_extra``, autocast in ``torch_top_amp``, fake quantization and ``segment_reduce`` in
``torch_top_more``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from .. import functions as cg
from ..random import default_generator
from ..tensor import Tensor
from . import functional as F
from .torch_top_amp import *  # noqa: F403
from .torch_top_amp import __all__ as _amp_all
from .torch_top_extra import *  # noqa: F403
from .torch_top_extra import VIEW_COPIES
from .torch_top_extra import __all__ as _extra_all
from .torch_top_io import __all__ as _io_all
from .torch_top_io import load, save
from .torch_top_linalg import __all__ as _linalg_all
from .torch_top_linalg import (
    cholesky_inverse,
    cholesky_solve,
    frobenius_norm,
    geqrf,
    lu,
    lu_solve,
    lu_unpack,
    matrix_exp,
    nuclear_norm,
    orgqr,
    ormqr,
    triangular_solve,
)
from .torch_top_misc import *  # noqa: F403
from .torch_top_misc import __all__ as _misc_all
from .torch_top_more import *  # noqa: F403
from .torch_top_more import __all__ as _more_all
from .torch_top_signal import __all__ as _signal_all
from .torch_top_signal import (
    bartlett_window,
    blackman_window,
    gradient,
    hamming_window,
    hann_window,
    istft,
    kaiser_window,
    stft,
)

__all__ = [
    "TORCH_TOP",
    "max_pool1d",
    "max_pool2d",
    "max_pool3d",
    "max_pool1d_with_indices",
    "avg_pool1d",
    "adaptive_avg_pool1d",
    "adaptive_max_pool1d",
    "batch_norm",
    "layer_norm",
    "group_norm",
    "instance_norm",
    "rms_norm",
    "dropout",
    "alpha_dropout",
    "feature_alpha_dropout",
    "feature_dropout",
    "embedding",
    "embedding_bag",
    "celu",
    "selu",
    "rrelu",
    "threshold",
    "kl_div",
    "margin_ranking_loss",
    "cosine_embedding_loss",
    "hinge_embedding_loss",
    "triplet_margin_loss",
    "poisson_nll_loss",
    "binary_cross_entropy_with_logits",
    "ctc_loss",
    "constant_pad_nd",
    "convolution",
]

_REDUCTIONS = {0: "none", 1: "mean", 2: "sum"}


def _reduction(reduction: Any, where: str) -> str:
    # ATen's losses take an enum integer; F's string is accepted too
    if isinstance(reduction, str) and reduction in _REDUCTIONS.values():
        return reduction
    if isinstance(reduction, (int, np.integer)) and int(reduction) in _REDUCTIONS:
        return _REDUCTIONS[int(reduction)]
    raise ValueError(f"{where}: reduction must be 0, 1 or 2 (none, mean, sum), got {reduction!r}")


def _stride(stride: Any) -> Any:
    # ATen's default stride=[] means "the kernel size"
    return None if stride is None or (isinstance(stride, (list, tuple)) and not stride) else stride


def max_pool1d(
    input: Any,  # noqa: A002 (PyTorch's name)
    kernel_size: Any,
    stride: Any = (),
    padding: Any = 0,
    dilation: Any = 1,
    ceil_mode: bool = False,
) -> Tensor:
    """``torch.max_pool1d``: ``F.max_pool1d`` without ``return_indices``."""
    return F.max_pool1d(input, kernel_size, _stride(stride), padding, dilation, ceil_mode)


def max_pool2d(
    input: Any,  # noqa: A002 (PyTorch's name)
    kernel_size: Any,
    stride: Any = (),
    padding: Any = 0,
    dilation: Any = 1,
    ceil_mode: bool = False,
) -> Tensor:
    """``torch.max_pool2d``: ``F.max_pool2d`` without ``return_indices``."""
    return F.max_pool2d(input, kernel_size, _stride(stride), padding, dilation, ceil_mode)


def max_pool3d(
    input: Any,  # noqa: A002 (PyTorch's name)
    kernel_size: Any,
    stride: Any = (),
    padding: Any = 0,
    dilation: Any = 1,
    ceil_mode: bool = False,
) -> Tensor:
    """``torch.max_pool3d``: ``F.max_pool3d`` without ``return_indices``."""
    return F.max_pool3d(input, kernel_size, _stride(stride), padding, dilation, ceil_mode)


def max_pool1d_with_indices(
    input: Any,  # noqa: A002 (PyTorch's name)
    kernel_size: Any,
    stride: Any = (),
    padding: Any = 0,
    dilation: Any = 1,
    ceil_mode: bool = False,
) -> tuple:
    """``torch.max_pool1d_with_indices``: ``(values, indices)``."""
    return F.max_pool1d(input, kernel_size, _stride(stride), padding, dilation, ceil_mode, True)


def avg_pool1d(
    input: Any,  # noqa: A002 (PyTorch's name)
    kernel_size: Any,
    stride: Any = (),
    padding: Any = 0,
    ceil_mode: bool = False,
    count_include_pad: bool = True,
) -> Tensor:
    """``torch.avg_pool1d``."""
    return F.avg_pool1d(input, kernel_size, _stride(stride), padding, ceil_mode, count_include_pad)


def adaptive_avg_pool1d(input: Any, output_size: Any) -> Tensor:  # noqa: A002
    """``torch.adaptive_avg_pool1d``."""
    return F.adaptive_avg_pool1d(input, output_size)


def adaptive_max_pool1d(input: Any, output_size: Any) -> tuple:  # noqa: A002
    """``torch.adaptive_max_pool1d``: always ``(values, indices)``, as torch's."""
    out: Any = F.adaptive_max_pool1d(input, output_size, return_indices=True)
    return out


def batch_norm(
    input: Any,  # noqa: A002 (PyTorch's name)
    weight: Any,
    bias: Any,
    running_mean: Any,
    running_var: Any,
    training: bool,
    momentum: float,
    eps: float,
    cudnn_enabled: bool,
) -> Tensor:
    """``torch.batch_norm`` (ATen's argument order; ``cudnn_enabled`` is ignored)."""
    return F.batch_norm(input, running_mean, running_var, weight, bias, training, momentum, eps)


def instance_norm(
    input: Any,  # noqa: A002 (PyTorch's name)
    weight: Any,
    bias: Any,
    running_mean: Any,
    running_var: Any,
    use_input_stats: bool,
    momentum: float,
    eps: float,
    cudnn_enabled: bool,
) -> Tensor:
    """``torch.instance_norm`` (ATen's argument order; ``cudnn_enabled`` is ignored)."""
    return F.instance_norm(
        input, running_mean, running_var, weight, bias, use_input_stats, momentum, eps
    )


def layer_norm(
    input: Any,  # noqa: A002 (PyTorch's name)
    normalized_shape: Any,
    weight: Any = None,
    bias: Any = None,
    eps: float = 1e-5,
    cudnn_enable: bool = True,
) -> Tensor:
    """``torch.layer_norm`` (``cudnn_enable`` is ignored)."""
    return F.layer_norm(input, normalized_shape, weight, bias, eps)


def group_norm(
    input: Any,  # noqa: A002 (PyTorch's name)
    num_groups: int,
    weight: Any = None,
    bias: Any = None,
    eps: float = 1e-5,
    cudnn_enabled: bool = True,
) -> Tensor:
    """``torch.group_norm`` (``cudnn_enabled`` is ignored)."""
    return F.group_norm(input, num_groups, weight, bias, eps)


def rms_norm(
    input: Any,  # noqa: A002 (PyTorch's name)
    normalized_shape: Any,
    weight: Any = None,
    eps: float | None = None,
) -> Tensor:
    """``torch.rms_norm``."""
    return F.rms_norm(input, normalized_shape, weight, eps)


def dropout(input: Any, p: float, train: bool) -> Tensor:  # noqa: A002 (PyTorch's name)
    """``torch.dropout(input, p, train)``."""
    return F.dropout(input, p, train)


def alpha_dropout(input: Any, p: float, train: bool) -> Tensor:  # noqa: A002
    """``torch.alpha_dropout(input, p, train)``."""
    return F.alpha_dropout(input, p, train)


def feature_alpha_dropout(input: Any, p: float, train: bool) -> Tensor:  # noqa: A002
    """``torch.feature_alpha_dropout(input, p, train)``."""
    return F.feature_alpha_dropout(input, p, train)


def feature_dropout(input: Any, p: float, train: bool) -> Tensor:  # noqa: A002
    """``torch.feature_dropout(input, p, train)``: zero whole channels (dim 1) of each
    sample with probability ``p``, scale the rest by ``1/(1-p)``."""
    x = input if isinstance(input, Tensor) else cg.as_tensor(input)
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"feature_dropout: p must be in [0, 1], got {p}")
    if x.ndim < 2:
        raise ValueError(
            f"feature_dropout: input needs at least 2 dims (batch, channels), got {x.shape}"
        )
    if not train or p == 0.0:
        return x
    if p == 1.0:
        return x * 0.0
    shape = tuple(x.shape[:2]) + (1,) * (x.ndim - 2)
    keep = default_generator.rng.random(shape) >= p
    return x * cg.as_tensor((keep / (1.0 - p)).astype(x.dtype))


def embedding(
    weight: Any,
    indices: Any,
    padding_idx: int = -1,
    scale_grad_by_freq: bool = False,
    sparse: bool = False,
) -> Tensor:
    """``torch.embedding(weight, indices, ...)`` (weight first; ATen's ``padding_idx=-1``
    means none)."""
    pad = None if padding_idx is None or padding_idx < 0 else padding_idx
    return F.embedding(indices, weight, pad, scale_grad_by_freq=scale_grad_by_freq, sparse=sparse)


def embedding_bag(
    weight: Any,
    indices: Any,
    offsets: Any,
    scale_grad_by_freq: bool = False,
    mode: int = 0,
    sparse: bool = False,
    per_sample_weights: Any = None,
    include_last_offset: bool = False,
    padding_idx: int | None = None,
) -> tuple:
    """``torch.embedding_bag(weight, indices, offsets, ...)``: ATen's four results
    ``(output, offset2bag, bag_size, max_indices)``; ``mode`` 0/1/2 = sum/mean/max.

    The last three are the integer bookkeeping torch keeps for its backward.  Here they
    always mean what their names say: ``offset2bag`` each index's bag, ``bag_size``
    each bag's count, ``max_indices`` the row chosen per bag and feature (mode max,
    as torch's) or zeros.  torch fills them only partly, depending on mode and dtype
    (mode sum may leave ``offset2bag`` empty and the sizes zero), which is not copied."""
    modes = {0: "sum", 1: "mean", 2: "max"}
    if mode not in modes:
        raise ValueError(f"embedding_bag: mode must be 0, 1 or 2 (sum, mean, max), got {mode!r}")
    out = F.embedding_bag(
        indices,
        weight,
        offsets,
        scale_grad_by_freq=scale_grad_by_freq,
        mode=modes[mode],
        sparse=sparse,
        per_sample_weights=per_sample_weights,
        include_last_offset=include_last_offset,
        padding_idx=padding_idx,
    )
    idx = np.asarray(indices.numpy() if isinstance(indices, Tensor) else indices).astype(np.int64)
    w = weight.numpy() if isinstance(weight, Tensor) else np.asarray(weight)
    if idx.ndim == 2:
        starts = np.arange(0, idx.size, idx.shape[1])
        idx = idx.reshape(-1)
    else:
        starts = np.asarray(
            offsets.numpy() if isinstance(offsets, Tensor) else offsets, dtype=np.int64
        )
        if include_last_offset:
            starts = starts[:-1]
    n_bags = len(starts)
    ends = np.append(starts[1:], idx.size)
    offset2bag = np.zeros(idx.size, np.int64)
    for b in range(n_bags):
        offset2bag[starts[b] : ends[b]] = b
    bag_size = (ends - starts).astype(np.int64)
    max_indices = np.zeros((n_bags, w.shape[1]) if mode == 2 else n_bags, np.int64)
    if mode == 2:
        for b in range(n_bags):
            rows = idx[starts[b] : ends[b]]
            if rows.size:
                max_indices[b] = rows[np.argmax(w[rows], axis=0)]
    return out, cg.as_tensor(offset2bag), cg.as_tensor(bag_size), cg.as_tensor(max_indices)


def celu(input: Any, alpha: float = 1.0) -> Tensor:  # noqa: A002 (PyTorch's name)
    """``torch.celu``."""
    return F.celu(input, alpha)


def selu(input: Any) -> Tensor:  # noqa: A002 (PyTorch's name)
    """``torch.selu``."""
    return F.selu(input)


def rrelu(
    input: Any,  # noqa: A002 (PyTorch's name)
    lower: float = 0.125,
    upper: float = 1.0 / 3.0,
    training: bool = False,
    generator: Any = None,
) -> Tensor:
    """``torch.rrelu``."""
    return F.rrelu(input, lower, upper, training, generator=generator)


def threshold(input: Any, threshold: float, value: float) -> Tensor:  # noqa: A002
    """``torch.threshold``."""
    return F.threshold(input, threshold, value)


def kl_div(
    input: Any,  # noqa: A002 (PyTorch's name)
    target: Any,
    reduction: int = 1,
    *,
    log_target: bool = False,
) -> Tensor:
    """``torch.kl_div``: ATen's reduction 1 is the mean over every element (``F.kl_div``'s
    warned-about ``'mean'``), without the warning."""
    red = _reduction(reduction, "kl_div")
    loss = F.kl_div(input, target, reduction="none", log_target=log_target)
    return loss if red == "none" else (loss.mean() if red == "mean" else loss.sum())


def margin_ranking_loss(
    input1: Any, input2: Any, target: Any, margin: float = 0.0, reduction: int = 1
) -> Tensor:
    """``torch.margin_ranking_loss``."""
    red = _reduction(reduction, "margin_ranking_loss")
    return F.margin_ranking_loss(input1, input2, target, margin, reduction=red)


def cosine_embedding_loss(
    input1: Any, input2: Any, target: Any, margin: float = 0.0, reduction: int = 1
) -> Tensor:
    """``torch.cosine_embedding_loss``."""
    red = _reduction(reduction, "cosine_embedding_loss")
    return F.cosine_embedding_loss(input1, input2, target, margin, reduction=red)


def hinge_embedding_loss(
    input: Any,  # noqa: A002 (PyTorch's name)
    target: Any,
    margin: float = 1.0,
    reduction: int = 1,
) -> Tensor:
    """``torch.hinge_embedding_loss``."""
    red = _reduction(reduction, "hinge_embedding_loss")
    return F.hinge_embedding_loss(input, target, margin, reduction=red)


def triplet_margin_loss(
    anchor: Any,
    positive: Any,
    negative: Any,
    margin: float = 1.0,
    p: float = 2.0,
    eps: float = 1e-6,
    swap: bool = False,
    reduction: int = 1,
) -> Tensor:
    """``torch.triplet_margin_loss``."""
    red = _reduction(reduction, "triplet_margin_loss")
    return F.triplet_margin_loss(anchor, positive, negative, margin, p, eps, swap, reduction=red)


def poisson_nll_loss(
    input: Any,  # noqa: A002 (PyTorch's name)
    target: Any,
    log_input: bool,
    full: bool,
    eps: float,
    reduction: int,
) -> Tensor:
    """``torch.poisson_nll_loss`` (every argument required, as ATen's)."""
    red = _reduction(reduction, "poisson_nll_loss")
    return F.poisson_nll_loss(input, target, log_input, full, eps=eps, reduction=red)


def binary_cross_entropy_with_logits(
    input: Any,  # noqa: A002 (PyTorch's name)
    target: Any,
    weight: Any = None,
    pos_weight: Any = None,
    reduction: int = 1,
) -> Tensor:
    """``torch.binary_cross_entropy_with_logits`` (``pos_weight`` before ``reduction``)."""
    red = _reduction(reduction, "binary_cross_entropy_with_logits")
    return F.binary_cross_entropy_with_logits(
        input, target, weight, reduction=red, pos_weight=pos_weight
    )


def ctc_loss(
    log_probs: Any,
    targets: Any,
    input_lengths: Any,
    target_lengths: Any,
    blank: int = 0,
    reduction: int = 1,
    zero_infinity: bool = False,
) -> Tensor:
    """``torch.ctc_loss``."""
    red = _reduction(reduction, "ctc_loss")
    return F.ctc_loss(log_probs, targets, input_lengths, target_lengths, blank, red, zero_infinity)


def constant_pad_nd(input: Any, pad: Any, value: float = 0) -> Tensor:  # noqa: A002
    """``torch.constant_pad_nd``: ``F.pad`` in constant mode (negative pads crop)."""
    return F.pad(input, list(pad), "constant", value)


def convolution(
    input: Any,  # noqa: A002 (PyTorch's name)
    weight: Any,
    bias: Any,
    stride: Any,
    padding: Any,
    dilation: Any,
    transposed: bool,
    output_padding: Any,
    groups: int,
) -> Tensor:
    """``torch.convolution``: the 1/2/3-d convolution (or transposed one) the weight's
    rank names."""
    n = np.ndim(weight) - 2
    if n not in (1, 2, 3):
        raise ValueError(
            f"convolution: weight must have 3, 4 or 5 dims, got shape {tuple(np.shape(weight))}"
        )
    if transposed:
        fn = {1: F.conv_transpose1d, 2: F.conv_transpose2d, 3: F.conv_transpose3d}[n]
        return fn(input, weight, bias, stride, padding, output_padding, groups, dilation)
    conv = {1: F.conv1d, 2: F.conv2d, 3: F.conv3d}[n]
    return conv(input, weight, bias, stride, padding, dilation, groups)


_SAME_AS_F = [
    "conv1d",
    "conv2d",
    "conv3d",
    "conv_transpose1d",
    "conv_transpose2d",
    "conv_transpose3d",
    "conv_tbc",
    "bilinear",
    "pixel_shuffle",
    "pixel_unshuffle",
    "channel_shuffle",
    "native_channel_shuffle",
    "hardshrink",
    "prelu",
]

_HERE: dict[str, Callable[..., Any]] = {
    "max_pool1d": max_pool1d,
    "max_pool2d": max_pool2d,
    "max_pool3d": max_pool3d,
    "max_pool1d_with_indices": max_pool1d_with_indices,
    "avg_pool1d": avg_pool1d,
    "adaptive_avg_pool1d": adaptive_avg_pool1d,
    "adaptive_max_pool1d": adaptive_max_pool1d,
    "batch_norm": batch_norm,
    "layer_norm": layer_norm,
    "group_norm": group_norm,
    "instance_norm": instance_norm,
    "rms_norm": rms_norm,
    "dropout": dropout,
    "alpha_dropout": alpha_dropout,
    "feature_alpha_dropout": feature_alpha_dropout,
    "feature_dropout": feature_dropout,
    "embedding": embedding,
    "embedding_bag": embedding_bag,
    "celu": celu,
    "selu": selu,
    "rrelu": rrelu,
    "threshold": threshold,
    "kl_div": kl_div,
    "margin_ranking_loss": margin_ranking_loss,
    "cosine_embedding_loss": cosine_embedding_loss,
    "hinge_embedding_loss": hinge_embedding_loss,
    "triplet_margin_loss": triplet_margin_loss,
    "poisson_nll_loss": poisson_nll_loss,
    "binary_cross_entropy_with_logits": binary_cross_entropy_with_logits,
    "ctc_loss": ctc_loss,
    "constant_pad_nd": constant_pad_nd,
    "convolution": convolution,
    # signal
    "hann_window": hann_window,
    "hamming_window": hamming_window,
    "blackman_window": blackman_window,
    "bartlett_window": bartlett_window,
    "kaiser_window": kaiser_window,
    "stft": stft,
    "istft": istft,
    "gradient": gradient,
    # linear algebra
    "lu": lu,
    "lu_solve": lu_solve,
    "lu_unpack": lu_unpack,
    "cholesky_solve": cholesky_solve,
    "cholesky_inverse": cholesky_inverse,
    "triangular_solve": triangular_solve,
    "matrix_exp": matrix_exp,
    "geqrf": geqrf,
    "orgqr": orgqr,
    "ormqr": ormqr,
    "nuclear_norm": nuclear_norm,
    "frobenius_norm": frobenius_norm,
    "save": save,
    "load": load,
}

#: PyTorch's top-level names written or collected here.
TORCH_TOP: dict[str, Callable[..., Any]] = {
    **{n: getattr(F, n) for n in _SAME_AS_F},
    **_HERE,
    **{n: globals()[n] for n in _misc_all},
    **{n: globals()[n] for n in _extra_all if n != "VIEW_COPIES"},
    **VIEW_COPIES,
    **{n: globals()[n] for n in _amp_all},
    **{n: globals()[n] for n in _more_all},
}
# every public name of the sibling files is published
assert set(_signal_all) | set(_linalg_all) | set(_io_all) <= set(TORCH_TOP)
