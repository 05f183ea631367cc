"""PyTorch's ``F.max_unpool1d/2d/3d``: max pooling's partial inverse.  Each value goes
back to the place its ``indices`` name (as ``max_pool*(return_indices=True)`` gives
them: flat indices into each output plane), zeros elsewhere; differentiable in the
values (the gradient reads the output's gradient at those places)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .. import functions as cg
from ..tensor import Tensor
from .module import Module

__all__ = [
    "max_unpool1d",
    "max_unpool2d",
    "max_unpool3d",
    "MaxUnpool1d",
    "MaxUnpool2d",
    "MaxUnpool3d",
]


def _tuple(v: Any, nd: int, what: str, name: str) -> tuple[int, ...]:
    t = tuple(int(i) for i in v) if isinstance(v, (tuple, list)) else (int(v),) * nd
    if len(t) != nd:
        raise ValueError(f"{name}: {what} needs {nd} values, got {v!r}")
    return t


def _unpool(
    x: Any,
    indices: Any,
    kernel_size: Any,
    stride: Any,
    padding: Any,
    output_size: Any,
    nd: int,
    name: str,
) -> Any:
    x = x if isinstance(x, Tensor) else cg.asarray(x)
    idx = np.asarray(getattr(indices, "_data", indices))
    shape = tuple(x.shape)
    if len(shape) not in (nd + 1, nd + 2):
        raise ValueError(
            f"{name}: expected a {nd + 1}-D or {nd + 2}-D input (batch and channels first), "
            f"got shape {shape}"
        )
    if idx.dtype.kind not in "iu":
        raise TypeError(f"{name}: indices must be integers, got {idx.dtype}")
    if idx.shape != shape:
        raise ValueError(f"{name}: indices of shape {idx.shape} for an input of shape {shape}")
    k = _tuple(kernel_size, nd, "kernel_size", name)
    s = k if stride is None else _tuple(stride, nd, "stride", name)
    p = _tuple(padding, nd, "padding", name)
    spatial = shape[-nd:]
    default = tuple((spatial[d] - 1) * s[d] - 2 * p[d] + k[d] for d in range(nd))
    if output_size is None:
        out = default
    else:
        out = tuple(int(v) for v in output_size)[-nd:]
        if len(out) != nd:
            raise ValueError(f"{name}: output_size {output_size!r} needs {nd} spatial sizes")
        for d in range(nd):
            lo, hi = default[d] - s[d], default[d] + s[d]
            if not lo < out[d] < hi:
                raise ValueError(
                    f'{name}: invalid output_size "{tuple(output_size)}" (dim {d} must be '
                    f"between {lo} and {hi})"
                )
    plane = math.prod(out)
    if idx.size and (idx.min() < 0 or idx.max() >= plane):
        bad = idx.min() if idx.min() < 0 else idx.max()
        raise ValueError(f"{name}: index {bad} is outside the output plane of {plane} places")
    lead = shape[:-nd]
    flat = cg.reshape(x, lead + (-1,))
    flat_idx = idx.reshape(lead + (-1,))
    zeros = cg.zeros(lead + (plane,), dtype=x.dtype)
    placed = cg.scatter(zeros, -1, flat_idx, flat)
    rows = flat_idx.reshape(-1, flat_idx.shape[-1])
    counts = np.zeros((rows.shape[0], plane), np.int64)
    np.add.at(counts, (np.arange(rows.shape[0])[:, None], rows), 1)
    counts = counts.reshape(lead + (plane,))
    if (counts > 1).any():
        # Overlapping windows name one place more than once (with equal values).
        # PyTorch's gradient gathers: every value gets the output's gradient at its
        # place, where scatter's goes to one writer.  scatter_add has the gathering
        # gradient; ``summed - stop_gradient(summed)`` is that gradient with a value of
        # exactly 0, used at those places (where finite: inf - inf would be nan).
        summed = cg.scatter_add(zeros, -1, flat_idx, flat)
        with np.errstate(invalid="ignore"):  # (inf - inf where not used)
            gather = cg.stop_gradient(placed) + (summed - cg.stop_gradient(summed))
        use = cg.logical_and(counts > 1, cg.isfinite(summed))
        placed = cg.where(use, gather, placed)
    return cg.reshape(placed, lead + out)


def max_unpool1d(
    input: Any,  # noqa: A002 (PyTorch's name)
    indices: Any,
    kernel_size: Any,
    stride: Any = None,
    padding: Any = 0,
    output_size: Any = None,
) -> Any:
    """``F.max_unpool1d``: (N, C, L) or (C, L) values put back at ``indices``."""
    return _unpool(input, indices, kernel_size, stride, padding, output_size, 1, "max_unpool1d")


def max_unpool2d(
    input: Any,  # noqa: A002 (PyTorch's name)
    indices: Any,
    kernel_size: Any,
    stride: Any = None,
    padding: Any = 0,
    output_size: Any = None,
) -> Any:
    """``F.max_unpool2d``: (N, C, H, W) or (C, H, W) values put back at ``indices`` (flat
    indices into each H_out * W_out plane, as ``max_pool2d(return_indices=True)``)."""
    return _unpool(input, indices, kernel_size, stride, padding, output_size, 2, "max_unpool2d")


def max_unpool3d(
    input: Any,  # noqa: A002 (PyTorch's name)
    indices: Any,
    kernel_size: Any,
    stride: Any = None,
    padding: Any = 0,
    output_size: Any = None,
) -> Any:
    """``F.max_unpool3d``: (N, C, D, H, W) or (C, D, H, W) values put back at ``indices``."""
    return _unpool(input, indices, kernel_size, stride, padding, output_size, 3, "max_unpool3d")


class _MaxUnpool(Module):
    """The layers: ``forward(input, indices, output_size=None)`` as PyTorch's."""

    _nd = 0

    def __init__(self, kernel_size: Any, stride: Any = None, padding: Any = 0):
        super().__init__()
        name = type(self).__name__
        self.kernel_size = kernel_size
        self.stride = kernel_size if stride is None else stride
        self.padding = padding
        for what, v in (
            ("kernel_size", kernel_size),
            ("stride", self.stride),
            ("padding", padding),
        ):
            _tuple(v, self._nd, what, name)  # (checked now, as PyTorch's constructors)

    def forward(self, input: Any, indices: Any, output_size: Any = None) -> Any:  # noqa: A002
        return _unpool(
            input,
            indices,
            self.kernel_size,
            self.stride,
            self.padding,
            output_size,
            self._nd,
            f"max_unpool{self._nd}d",
        )

    def extra_repr(self) -> str:
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class MaxUnpool1d(_MaxUnpool):
    """``nn.MaxUnpool1d``: :func:`max_unpool1d` as a layer."""

    _nd = 1


class MaxUnpool2d(_MaxUnpool):
    """``nn.MaxUnpool2d``: :func:`max_unpool2d` as a layer (``MaxPool2d(return_indices=
    True)``'s partial inverse)."""

    _nd = 2


class MaxUnpool3d(_MaxUnpool):
    """``nn.MaxUnpool3d``: :func:`max_unpool3d` as a layer."""

    _nd = 3
