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
from .. import linalg
from ..ops.defaults import set_default_dtype
from ..random import default_generator
from . import functional as F
from .fn_args import as_tensor as _t

__all__ = [
    "VIEW_COPIES",
    "lstm_cell",
    "gru_cell",
    "rnn_tanh_cell",
    "rnn_relu_cell",
    "lstm",
    "gru",
    "rnn_tanh",
    "rnn_relu",
    "nonzero_static",
    "svd_lowrank",
    "pca_lowrank",
    "set_default_tensor_type",
    "to_dlpack",
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
        for m in (  # torch's view methods with a *_copy twin, not compgraph ops
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


def _sequence(
    where: str,
    cell: Any,
    input: Any,  # noqa: A002 (PyTorch's name)
    hx: list,
    params: Any,
    has_biases: bool,
    num_layers: int,
    dropout: float,
    train: bool,
    bidirectional: bool,
    batch_first: bool,
) -> tuple:
    """ATen's multi-layer recurrence: ``params`` per layer and direction ``[w_ih, w_hh,
    (b_ih, b_hh)]``; ``hx`` the initial states ``(layers * directions, B, H)``."""
    x = _t(input)
    if x.ndim != 3:
        raise ValueError(f"{where}: expected a 3-D input (seq, batch, feature), got {x.ndim}-D")
    if batch_first:
        x = x.transpose(0, 1)
    dirs = 2 if bidirectional else 1
    per = 4 if has_biases else 2
    params = list(params)
    if len(params) != num_layers * dirs * per:
        raise ValueError(
            f"{where}: expected {num_layers * dirs * per} weights for {num_layers} layers, "
            f"{dirs} directions{' with biases' if has_biases else ''}, got {len(params)}"
        )
    states = [[_t(h)[i] for h in hx] for i in range(num_layers * dirs)]
    finals: list = []
    for layer in range(num_layers):
        outs = []
        for d in range(dirs):
            k = layer * dirs + d
            w = params[k * per : (k + 1) * per]
            state = states[k]
            steps = range(x.shape[0] - 1, -1, -1) if d else range(x.shape[0])
            ys: list = [None] * x.shape[0]
            for t in steps:
                state = cell(x[t], state, *w)
                ys[t] = state[0]
            finals.append(state)
            outs.append(cg.stack(ys, 0))
        x = outs[0] if dirs == 1 else cg.concatenate(outs, axis=-1)
        if dropout and train and layer < num_layers - 1:
            x = F.dropout(x, dropout, True)
    out = x.transpose(0, 1) if batch_first else x
    return out, [cg.stack([f[j] for f in finals], 0) for j in range(len(hx))]


def lstm(
    input: Any,  # noqa: A002 (PyTorch's name)
    hx: Any,
    params: Any,
    has_biases: bool,
    num_layers: int,
    dropout: float,
    train: bool,
    bidirectional: bool,
    batch_first: bool,
) -> tuple:
    """``torch.lstm`` (ATen's, the ``nn.LSTM`` kernel): ``(output, h_n, c_n)``; the
    packed-sequence form is not supported."""
    out, (h, c) = _sequence(
        "lstm",
        lambda x, s, *w: lstm_cell(x, s, *w),
        input,
        list(hx),
        params,
        has_biases,
        num_layers,
        dropout,
        train,
        bidirectional,
        batch_first,
    )
    return out, h, c


def _single(cell: Any) -> Any:
    return lambda x, s, *w: [cell(x, s[0], *w)]


def gru(
    input: Any,  # noqa: A002 (PyTorch's name)
    hx: Any,
    params: Any,
    has_biases: bool,
    num_layers: int,
    dropout: float,
    train: bool,
    bidirectional: bool,
    batch_first: bool,
) -> tuple:
    """``torch.gru`` (ATen's, the ``nn.GRU`` kernel): ``(output, h_n)``."""
    out, (h,) = _sequence(
        "gru",
        _single(gru_cell),
        input,
        [hx],
        params,
        has_biases,
        num_layers,
        dropout,
        train,
        bidirectional,
        batch_first,
    )
    return out, h


def rnn_tanh(
    input: Any,  # noqa: A002 (PyTorch's name)
    hx: Any,
    params: Any,
    has_biases: bool,
    num_layers: int,
    dropout: float,
    train: bool,
    bidirectional: bool,
    batch_first: bool,
) -> tuple:
    """``torch.rnn_tanh`` (ATen's, the ``nn.RNN`` kernel): ``(output, h_n)``."""
    out, (h,) = _sequence(
        "rnn_tanh",
        _single(rnn_tanh_cell),
        input,
        [hx],
        params,
        has_biases,
        num_layers,
        dropout,
        train,
        bidirectional,
        batch_first,
    )
    return out, h


def rnn_relu(
    input: Any,  # noqa: A002 (PyTorch's name)
    hx: Any,
    params: Any,
    has_biases: bool,
    num_layers: int,
    dropout: float,
    train: bool,
    bidirectional: bool,
    batch_first: bool,
) -> tuple:
    """``torch.rnn_relu``: as :func:`rnn_tanh` with ReLU."""
    out, (h,) = _sequence(
        "rnn_relu",
        _single(rnn_relu_cell),
        input,
        [hx],
        params,
        has_biases,
        num_layers,
        dropout,
        train,
        bidirectional,
        batch_first,
    )
    return out, h


def nonzero_static(input: Any, *, size: int, fill_value: int = -1) -> Any:  # noqa: A002
    """``torch.nonzero_static``: ``nonzero(input)`` cut or padded (with ``fill_value``)
    to ``size`` rows."""
    idx = np.argwhere(_t(input).detach().numpy()).astype(np.int64)
    out = np.full((int(size), idx.shape[1]), fill_value, np.int64)
    n = min(int(size), idx.shape[0])
    out[:n] = idx[:n]
    return cg.as_tensor(out)


def svd_lowrank(A: Any, q: int | None = 6, niter: int | None = 2, M: Any = None) -> tuple:
    """``torch.svd_lowrank``: ``(U, S, V)`` of rank ``q`` of ``A - M``.  Computed
    exactly (the truncated SVD, differentiable), not by torch's randomized iteration,
    so ``niter`` is unused and the result is the best rank-``q`` one torch approximates
    (columns of U and V are unique up to sign)."""
    a = _t(A)
    if M is not None:
        a = a - _t(M)
    k = min(a.shape[-2:]) if q is None else int(q)
    if not 0 < k <= min(a.shape[-2:]):
        raise ValueError(
            f"svd_lowrank: q={q} must be in 1..{min(a.shape[-2:])} for {tuple(a.shape)}"
        )
    U, S, Vh = linalg.svd(a, full_matrices=False)
    return U[..., :, :k], S[..., :k], Vh[..., :k, :].mH


def pca_lowrank(A: Any, q: int | None = None, center: bool = True, niter: int = 2) -> tuple:
    """``torch.pca_lowrank``: :func:`svd_lowrank` of ``A`` less its column means (with
    ``center``); ``q`` defaults to ``min(6, m, n)``."""
    a = _t(A)
    k = min(6, *a.shape[-2:]) if q is None else q
    if center:
        a = a - a.mean(-2, keepdim=True)
    return svd_lowrank(a, k, niter)


def set_default_tensor_type(t: Any, /) -> None:
    """``torch.set_default_tensor_type``: the default floating dtype of the legacy type
    (``cg.DoubleTensor`` or ``'torch.DoubleTensor'``); CUDA types raise."""
    name = t if isinstance(t, str) else getattr(t, "__name__", str(t))
    if "cuda" in name:
        raise ValueError(f"set_default_tensor_type: compgraph has only the CPU, not {name}")
    dtypes = {"FloatTensor": np.float32, "DoubleTensor": np.float64, "HalfTensor": np.float16}
    short = name.rsplit(".", 1)[-1]
    if short not in dtypes:
        raise TypeError(
            f"set_default_tensor_type: expected a floating tensor type (FloatTensor, "
            f"DoubleTensor, HalfTensor), got {name}"
        )
    set_default_dtype(np.dtype(dtypes[short]))


def to_dlpack(tensor: Any) -> Any:
    """``torch.to_dlpack``: a DLPack capsule of the tensor's (NumPy) memory."""
    return np.asarray(_t(tensor).detach().numpy()).__dlpack__()


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
