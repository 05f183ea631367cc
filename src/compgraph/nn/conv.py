"""``Embedding``, ``Conv1d`` and ``ConvTranspose2d`` as PyTorch: constructor arguments,
parameter names and shapes, default initialisation and ``state_dict`` keys; each
forward is the ``cg.nn.functional`` function of the same name."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..tensor import Tensor
from . import functional as F
from . import init
from .layers import mode_padded, padding_mode_check
from .module import Module, Parameter

__all__ = ["Embedding", "Conv1d", "ConvTranspose2d"]


class Embedding(Module):
    """A lookup table of ``num_embeddings`` vectors of ``embedding_dim``, N(0, 1) at
    first (the ``padding_idx`` row zero, and it gets no gradient), as torch.

    >>> import compgraph as cg
    >>> emb = cg.nn.Embedding(10, 3, padding_idx=0, seed=0)
    >>> emb(cg.tensor([[0, 2], [4, 0]])).shape, float(emb.weight[0].sum())
    ((2, 2, 3), 0.0)
    """

    def __init__(
        self,
        num_embeddings: int,
        embedding_dim: int,
        padding_idx: int | None = None,
        max_norm: float | None = None,
        norm_type: float = 2.0,
        scale_grad_by_freq: bool = False,
        sparse: bool = False,
        _weight: Any = None,
        _freeze: bool = False,
        dtype: Any = "float64",
        seed: Any = None,
    ):
        super().__init__()
        self.num_embeddings, self.embedding_dim = int(num_embeddings), int(embedding_dim)
        if padding_idx is not None:
            if not -self.num_embeddings <= padding_idx < self.num_embeddings:
                raise ValueError(
                    f"Embedding: padding_idx {padding_idx} must be within num_embeddings "
                    f"{self.num_embeddings}"
                )
            padding_idx = int(padding_idx) % self.num_embeddings
        self.padding_idx, self.max_norm, self.norm_type = padding_idx, max_norm, norm_type
        self.scale_grad_by_freq, self.sparse = scale_grad_by_freq, sparse
        shape = (self.num_embeddings, self.embedding_dim)
        if _weight is None:
            self.weight = Parameter(np.empty(shape, dtype))
            init.normal_(self.weight, 0.0, 1.0, init.rng_of(seed))
            if padding_idx is not None:
                self.weight.data[padding_idx] = 0
        else:
            w = np.asarray(_weight.data if isinstance(_weight, Tensor) else _weight)
            if w.shape != shape:
                raise ValueError(f"Embedding: _weight must have shape {shape}, got {w.shape}")
            self.weight = Parameter(w.copy(), requires_grad=not _freeze)

    @classmethod
    def from_pretrained(
        cls,
        embeddings: Any,
        freeze: bool = True,
        padding_idx: int | None = None,
        max_norm: float | None = None,
        norm_type: float = 2.0,
        scale_grad_by_freq: bool = False,
        sparse: bool = False,
    ) -> Embedding:
        """An Embedding holding a copy of the 2-D ``embeddings`` (frozen by default)."""
        w = np.asarray(embeddings.data if isinstance(embeddings, Tensor) else embeddings)
        if w.ndim != 2:
            raise ValueError(f"Embedding.from_pretrained: embeddings must be 2-D, got {w.shape}")
        return cls(
            w.shape[0],
            w.shape[1],
            padding_idx,
            max_norm,
            norm_type,
            scale_grad_by_freq,
            sparse,
            _weight=w,
            _freeze=freeze,
            dtype=w.dtype,
        )

    def forward(self, x: Any) -> Tensor:
        return F.embedding(
            x,
            self.weight,
            self.padding_idx,
            self.max_norm,
            self.norm_type,
            self.scale_grad_by_freq,
            self.sparse,
        )

    def extra_repr(self) -> str:
        pad = "" if self.padding_idx is None else f", padding_idx={self.padding_idx}"
        return f"{self.num_embeddings}, {self.embedding_dim}{pad}"


def _tuple(v: Any, n: int) -> tuple:
    return tuple(v) if isinstance(v, (tuple, list)) else (v,) * n


class _ConvNd(Module):
    """Weight and bias drawn as torch's ``reset_parameters``: kaiming_uniform(a=sqrt(5)),
    i.e. U(-1/sqrt(fan_in), 1/sqrt(fan_in)) with fan_in from the weight's dims 1 and on."""

    def __init__(self, wshape: tuple, out_channels: int, bias: bool, dtype: Any, seed: Any):
        super().__init__()
        rng = init.rng_of(seed)
        fan_in = int(np.prod(wshape[1:]))
        bound = 1.0 / math.sqrt(fan_in) if fan_in else 0.0
        self.weight = Parameter(np.empty(wshape, dtype))
        init.uniform_(self.weight, -bound, bound, rng)
        self.bias = None
        if bias:
            self.bias = Parameter(np.empty(out_channels, dtype))
            init.uniform_(self.bias, -bound, bound, rng)

    def _check(self, in_channels: int, out_channels: int, groups: int) -> None:
        if groups < 1 or in_channels % groups or out_channels % groups:
            raise ValueError(
                f"{type(self).__name__}: in_channels {in_channels} and out_channels "
                f"{out_channels} must both be divisible by groups {groups}"
            )

    def extra_repr(self) -> str:
        s = f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}"
        s += f", stride={self.stride}"
        ones, zeros = (1,) * len(self.kernel_size), (0,) * len(self.kernel_size)
        for k, default in (("padding", zeros), ("dilation", ones), ("output_padding", zeros)):
            v = getattr(self, k, default)
            if v != default:
                s += f", {k}={v}"
        s += f", groups={self.groups}" if self.groups != 1 else ""
        s += "" if self.bias is not None else ", bias=False"
        mode = getattr(self, "padding_mode", "zeros")
        return s + ("" if mode == "zeros" else f", padding_mode={mode}")


class Conv1d(_ConvNd):
    """1-D convolution over (N, C, L) or (C, L), as ``torch.nn.Conv1d``.

    >>> import compgraph as cg
    >>> conv = cg.nn.Conv1d(2, 4, 3, padding=1, seed=0)
    >>> conv(cg.ones((5, 2, 7))).shape, conv.weight.shape
    ((5, 4, 7), (4, 2, 3))
    """

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: Any,
        stride: Any = 1,
        padding: Any = 0,
        dilation: Any = 1,
        groups: int = 1,
        bias: bool = True,
        padding_mode: str = "zeros",
        dtype: Any = "float64",
        seed: Any = None,
    ):
        padding_mode_check(padding_mode, "Conv1d")
        k = _tuple(kernel_size, 1)
        super().__init__(
            (int(out_channels), int(in_channels) // max(int(groups), 1), *k),
            int(out_channels),
            bias,
            dtype,
            seed,
        )
        self.in_channels, self.out_channels, self.groups = (
            int(in_channels),
            int(out_channels),
            int(groups),
        )
        self._check(self.in_channels, self.out_channels, self.groups)
        self.kernel_size, self.stride, self.dilation = k, _tuple(stride, 1), _tuple(dilation, 1)
        self.padding = padding if isinstance(padding, str) else _tuple(padding, 1)
        self.padding_mode = padding_mode

    def forward(self, x: Any) -> Tensor:
        if self.padding_mode != "zeros":
            x = mode_padded(x, self.padding, self.kernel_size, self.dilation, self.padding_mode)
            return F.conv1d(x, self.weight, self.bias, self.stride, 0, self.dilation, self.groups)
        return F.conv1d(
            x, self.weight, self.bias, self.stride, self.padding, self.dilation, self.groups
        )


class ConvTranspose2d(_ConvNd):
    """Transposed 2-D convolution, as ``torch.nn.ConvTranspose2d``: weight
    (in_channels, out_channels / groups, kh, kw).

    >>> import compgraph as cg
    >>> up = cg.nn.ConvTranspose2d(3, 2, 2, stride=2, seed=0)
    >>> up(cg.ones((1, 3, 4, 4))).shape, up.weight.shape
    ((1, 2, 8, 8), (3, 2, 2, 2))
    """

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: Any,
        stride: Any = 1,
        padding: Any = 0,
        output_padding: Any = 0,
        groups: int = 1,
        bias: bool = True,
        dilation: Any = 1,
        padding_mode: str = "zeros",
        dtype: Any = "float64",
        seed: Any = None,
    ):
        if padding_mode != "zeros":
            raise ValueError(
                f"ConvTranspose2d: only padding_mode='zeros' is supported, got {padding_mode!r}"
            )
        k = _tuple(kernel_size, 2)
        super().__init__(
            (int(in_channels), int(out_channels) // max(int(groups), 1), *k),
            int(out_channels),
            bias,
            dtype,
            seed,
        )
        self.in_channels, self.out_channels, self.groups = (
            int(in_channels),
            int(out_channels),
            int(groups),
        )
        self._check(self.in_channels, self.out_channels, self.groups)
        self.kernel_size, self.stride = k, _tuple(stride, 2)
        self.padding, self.output_padding = _tuple(padding, 2), _tuple(output_padding, 2)
        self.dilation, self.padding_mode = _tuple(dilation, 2), padding_mode

    def forward(self, x: Any, output_size: Any = None) -> Tensor:
        op = self.output_padding
        if output_size is not None:  # torch: the output_padding that reaches output_size
            size = tuple(output_size)[-2:]
            h, w = x.shape[-2:]
            op = tuple(
                int(s - ((n - 1) * st - 2 * p + d * (kk - 1) + 1))
                for s, n, st, p, d, kk in zip(
                    size, (h, w), self.stride, self.padding, self.dilation, self.kernel_size
                )
            )
        return F.conv_transpose2d(
            x, self.weight, self.bias, self.stride, self.padding, op, self.groups, self.dilation
        )
