"""More of PyTorch's top-level functions: the ``*_copy`` forms of its view operations
(``torch.permute_copy`` ...: compgraph's results never alias, the copy is a clone), the
recurrent cells (``torch.lstm_cell``, ``torch.gru_cell``, ``torch.rnn_tanh_cell``,
``torch.rnn_relu_cell``), ATen's ``native_*`` forms that also return their saved
statistics, the grid sampler with ATen's integer modes, and the device queries with
their CPU answers."""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import functions as cg
from ..random import default_generator
from ..tensor import Tensor
from . import functional as F

__all__ = [
    "VIEW_COPIES",
    "lstm_cell",
    "gru_cell",
    "rnn_tanh_cell",
    "rnn_relu_cell",
    "native_dropout",
    "native_layer_norm",
    "native_batch_norm",
    "native_group_norm",
    "norm_except_dim",
    "affine_grid_generator",
    "grid_sampler",
    "grid_sampler_2d",
    "grid_sampler_3d",
    "is_vulkan_available",
    "cudnn_is_acceptable",
    "is_distributed",
    "get_device",
    "is_storage",
]


def _t(x: Any) -> Any:  # Any: Tensor's indexing and methods are added at run time
    return x if isinstance(x, Tensor) else cg.as_tensor(x)


def _view_copy(method: str) -> Any:
    def fn(input: Any, *args: Any, **kwargs: Any) -> Any:  # noqa: A002 (PyTorch's name)
        out = getattr(_t(input), method)(*args, **kwargs)
        return type(out)(o.clone() for o in out) if isinstance(out, (tuple, list)) else out.clone()

    fn.__name__ = fn.__qualname__ = f"{method}_copy"
    fn.__doc__ = f"``torch.{method}_copy``: ``input.{method}(...)``, a new tensor."
    return fn


def _slice_copy(
    input: Any,  # noqa: A002 (PyTorch's name)
    dim: int = 0,
    start: int | None = None,
    end: int | None = None,
    step: int = 1,
) -> Any:
    """``torch.slice_copy``: ``input[..., start:end:step, ...]`` along ``dim``, copied."""
    x = _t(input)
    sl = [slice(None)] * x.ndim
    sl[dim] = slice(start, end, step)
    return x[tuple(sl)].clone()


def _alias_copy(input: Any) -> Any:  # noqa: A002 (PyTorch's name)
    """``torch.alias_copy``: a copy of ``input``."""
    return _t(input).clone()


def _detach_copy(input: Any) -> Any:  # noqa: A002 (PyTorch's name)
    """``torch.detach_copy``: ``input.detach()``, copied."""
    return _t(input).detach().clone()


def _view_as_real_copy(input: Any) -> Any:  # noqa: A002 (PyTorch's name)
    """``torch.view_as_real_copy``."""
    return cg.view_as_real(_t(input)).clone()


def _view_as_complex_copy(input: Any) -> Any:  # noqa: A002 (PyTorch's name)
    """``torch.view_as_complex_copy``."""
    return cg.view_as_complex(_t(input)).clone()


#: ``torch.<view>_copy`` functions by name.
VIEW_COPIES: dict[str, Any] = {
    **{
        f"{m}_copy": _view_copy(m)
        for m in (
            "diagonal",
            "expand",
            "permute",
            "select",
            "split",
            "split_with_sizes",
            "squeeze",
            "t",
            "transpose",
            "unbind",
            "unfold",
            "unsqueeze",
            "view",
        )
    },
    "slice_copy": _slice_copy,
    "alias_copy": _alias_copy,
    "detach_copy": _detach_copy,
    "view_as_real_copy": _view_as_real_copy,
    "view_as_complex_copy": _view_as_complex_copy,
}


def _linear(x: Any, w: Any, b: Any) -> Any:
    out = x @ _t(w).mT
    return out if b is None else out + _t(b)


def lstm_cell(
    input: Any,  # noqa: A002 (PyTorch's name)
    hx: Any,
    w_ih: Any,
    w_hh: Any,
    b_ih: Any = None,
    b_hh: Any = None,
) -> tuple:
    """``torch.lstm_cell``: one LSTM step, ``hx = (h, c)``; returns ``(h', c')`` (gates
    in torch's order i, f, g, o)."""
    h, c = hx
    gates = _linear(_t(input), w_ih, b_ih) + _linear(_t(h), w_hh, b_hh)
    i, f, g, o = gates.chunk(4, -1)
    c2 = cg.sigmoid(f) * _t(c) + cg.sigmoid(i) * cg.tanh(g)
    return cg.sigmoid(o) * cg.tanh(c2), c2


def gru_cell(
    input: Any,  # noqa: A002 (PyTorch's name)
    hx: Any,
    w_ih: Any,
    w_hh: Any,
    b_ih: Any = None,
    b_hh: Any = None,
) -> Any:
    """``torch.gru_cell``: one GRU step (gates r, z, n as torch's)."""
    gi = _linear(_t(input), w_ih, b_ih).chunk(3, -1)
    gh = _linear(_t(hx), w_hh, b_hh).chunk(3, -1)
    r = cg.sigmoid(gi[0] + gh[0])
    z = cg.sigmoid(gi[1] + gh[1])
    n = cg.tanh(gi[2] + r * gh[2])
    return (1 - z) * n + z * _t(hx)


def rnn_tanh_cell(
    input: Any,  # noqa: A002 (PyTorch's name)
    hx: Any,
    w_ih: Any,
    w_hh: Any,
    b_ih: Any = None,
    b_hh: Any = None,
) -> Any:
    """``torch.rnn_tanh_cell``: ``tanh(x W_ih^T + b_ih + h W_hh^T + b_hh)``."""
    return cg.tanh(_linear(_t(input), w_ih, b_ih) + _linear(_t(hx), w_hh, b_hh))


def rnn_relu_cell(
    input: Any,  # noqa: A002 (PyTorch's name)
    hx: Any,
    w_ih: Any,
    w_hh: Any,
    b_ih: Any = None,
    b_hh: Any = None,
) -> Any:
    """``torch.rnn_relu_cell``: ``relu(x W_ih^T + b_ih + h W_hh^T + b_hh)``."""
    return F.relu(_linear(_t(input), w_ih, b_ih) + _linear(_t(hx), w_hh, b_hh))


def native_dropout(input: Any, p: float, train: bool | None) -> tuple:  # noqa: A002
    """``torch.native_dropout``: ``(output, mask)``, the boolean mask of kept elements
    (all True when not training)."""
    x = _t(input)
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"native_dropout: p must be in [0, 1], got {p}")
    if not train:
        return x.clone(), cg.as_tensor(np.ones(x.shape, bool))
    keep = default_generator.rng.random(x.shape) >= p
    scale = 0.0 if p == 1.0 else 1.0 / (1.0 - p)
    return x * cg.as_tensor((keep * scale).astype(x.dtype)), cg.as_tensor(keep)


def _stats(x: Any, axes: tuple, eps: float) -> tuple:
    # the saved statistics are not differentiable outputs in torch either
    x = x.detach()
    mean = x.mean(axes, keepdim=True)
    var = ((x - mean) ** 2).mean(axes, keepdim=True)
    return mean, 1.0 / cg.sqrt(var + eps)


def native_layer_norm(
    input: Any,  # noqa: A002 (PyTorch's name)
    normalized_shape: Any,
    weight: Any,
    bias: Any,
    eps: float,
) -> tuple:
    """``torch.native_layer_norm``: ``(output, mean, rstd)``, the statistics with the
    normalized dims kept as size 1."""
    x = _t(input)
    k = len(tuple(normalized_shape))
    mean, rstd = _stats(x, tuple(range(x.ndim - k, x.ndim)), eps)
    return F.layer_norm(x, normalized_shape, weight, bias, eps), mean, rstd


def native_batch_norm(
    input: Any,  # noqa: A002 (PyTorch's name)
    weight: Any,
    bias: Any,
    running_mean: Any,
    running_var: Any,
    training: bool,
    momentum: float,
    eps: float,
) -> tuple:
    """``torch.native_batch_norm``: ``(output, save_mean, save_invstd)``, the batch's
    per-channel statistics when training, empty tensors otherwise (as torch's)."""
    x = _t(input)
    out = F.batch_norm(x, running_mean, running_var, weight, bias, training, momentum, eps)
    if not training:
        empty = cg.as_tensor(np.zeros(0, x.dtype))
        return out, empty, empty
    axes = (0, *range(2, x.ndim))
    mean, rstd = _stats(x, axes, eps)
    return out, mean.reshape(-1), rstd.reshape(-1)


def native_group_norm(
    input: Any,  # noqa: A002 (PyTorch's name)
    weight: Any,
    bias: Any,
    N: int,
    C: int,
    HxW: int,
    group: int,
    eps: float,
) -> tuple:
    """``torch.native_group_norm``: ``(output, mean, rstd)``, the statistics ``(N,
    group)``."""
    x = _t(input)
    if x.shape[0] != N or x.shape[1] != C or int(np.prod(x.shape[2:])) != HxW:
        raise ValueError(
            f"native_group_norm: N={N}, C={C}, HxW={HxW} do not describe input {tuple(x.shape)}"
        )
    g = x.reshape(N, group, -1)
    mean, rstd = _stats(g, (2,), eps)
    out = F.group_norm(x, group, weight, bias, eps)
    return out, mean.reshape(N, group), rstd.reshape(N, group)


def norm_except_dim(v: Any, pow: int = 2, dim: int = 0) -> Any:  # noqa: A002 (PyTorch's)
    """``torch.norm_except_dim``: the ``pow``-norm over every dim but ``dim`` (kept, the
    others size 1, as weight normalisation uses it); ``dim=-1`` is the whole norm."""
    x = _t(v)
    if dim == -1:
        return (cg.abs(x) ** pow).sum() ** (1.0 / pow)
    axes = tuple(a for a in range(x.ndim) if a != dim % x.ndim)
    return (cg.abs(x) ** pow).sum(axes, keepdim=True) ** (1.0 / pow)


def affine_grid_generator(theta: Any, size: Any, align_corners: bool) -> Any:
    """``torch.affine_grid_generator``: ``F.affine_grid``."""
    return F.affine_grid(theta, list(size), align_corners=align_corners)


_INTERP = {0: "bilinear", 1: "nearest", 2: "bicubic"}
_PADDING = {0: "zeros", 1: "border", 2: "reflection"}


def grid_sampler(
    input: Any,  # noqa: A002 (PyTorch's name)
    grid: Any,
    interpolation_mode: int,
    padding_mode: int,
    align_corners: bool,
) -> Any:
    """``torch.grid_sampler``: ``F.grid_sample`` with ATen's integer modes
    (interpolation 0/1/2 = bilinear/nearest/bicubic, padding 0/1/2 =
    zeros/border/reflection)."""
    if interpolation_mode not in _INTERP or padding_mode not in _PADDING:
        raise ValueError(
            f"grid_sampler: interpolation_mode must be 0, 1 or 2 and padding_mode 0, 1 or 2, "
            f"got {interpolation_mode!r} and {padding_mode!r}"
        )
    return F.grid_sample(
        input,
        grid,
        mode=_INTERP[interpolation_mode],
        padding_mode=_PADDING[padding_mode],
        align_corners=align_corners,
    )


def grid_sampler_2d(
    input: Any,  # noqa: A002 (PyTorch's name)
    grid: Any,
    interpolation_mode: int,
    padding_mode: int,
    align_corners: bool,
) -> Any:
    """``torch.grid_sampler_2d``: :func:`grid_sampler` of a 4-D input."""
    if np.ndim(input) != 4:
        raise ValueError(f"grid_sampler_2d: expected a 4-D input, got {np.ndim(input)}-D")
    return grid_sampler(input, grid, interpolation_mode, padding_mode, align_corners)


def grid_sampler_3d(
    input: Any,  # noqa: A002 (PyTorch's name)
    grid: Any,
    interpolation_mode: int,
    padding_mode: int,
    align_corners: bool,
) -> Any:
    """``torch.grid_sampler_3d``: :func:`grid_sampler` of a 5-D input."""
    if np.ndim(input) != 5:
        raise ValueError(f"grid_sampler_3d: expected a 5-D input, got {np.ndim(input)}-D")
    return grid_sampler(input, grid, interpolation_mode, padding_mode, align_corners)


def is_vulkan_available() -> bool:
    """``torch.is_vulkan_available``: False (compgraph has no GPU backend)."""
    return False


def cudnn_is_acceptable(tensor: Any) -> bool:
    """``torch.cudnn_is_acceptable``: False (no cuDNN)."""
    return False


def is_distributed(input: Any) -> bool:  # noqa: A002 (PyTorch's name)
    """``torch.is_distributed``: False (a tensor here is one local array)."""
    return False


def get_device(input: Any) -> int:  # noqa: A002 (PyTorch's name)
    """``torch.get_device``: -1, the CPU."""
    return -1


def is_storage(obj: Any) -> bool:
    """``torch.is_storage``: False (compgraph has no Storage objects)."""
    return False
