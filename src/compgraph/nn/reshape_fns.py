"""Functions of torch.nn.functional for shuffling and dropout written on cg functions (F.channel_shuffle, F.dropout3d ...)."""

from __future__ import annotations

import operator
from typing import Any

import numpy as np

from .. import functions as cg
from ..random import default_generator
from ..tensor import Tensor
from .fn_args import shape_of as _shape

__all__ = ["channel_shuffle", "native_channel_shuffle", "dropout3d"]


def channel_shuffle(input: Any, groups: int) -> Tensor:  # noqa: A002 (PyTorch's name)
    """Split the channels (dimension 1) of an (N, C, *) input into ``groups`` groups and
    interleave them: (N, g, C/g, *) -> (N, C/g, g, *) -> (N, C, *), as
    ``F.channel_shuffle``; the shape is kept."""
    if isinstance(groups, bool) or not isinstance(groups, (int, np.integer)):
        raise TypeError(f"channel_shuffle: groups must be an int, got {type(groups).__name__}")
    g = operator.index(groups)
    shape = _shape(input)
    if len(shape) <= 2:
        raise ValueError(
            f"channel_shuffle: expected an input with more than 2 dimensions (N, C, *), "
            f"got shape {shape}"
        )
    if g <= 0:
        raise ValueError(f"channel_shuffle: groups must be positive, got {g}")
    n, c, *rest = shape
    if c % g:
        raise ValueError(
            f"channel_shuffle: the number of channels {c} of the input of shape {shape} "
            f"must be divisible by groups={g}"
        )
    y = cg.reshape(input, (n, g, c // g, *rest))
    y = cg.swapaxes(y, 1, 2)
    return cg.reshape(y, shape)


def native_channel_shuffle(input: Any, groups: int) -> Tensor:  # noqa: A002 (PyTorch's name)
    """``channel_shuffle`` under the name of its native kernel (``F.native_channel_shuffle``)."""
    return channel_shuffle(input, groups)


def dropout3d(
    input: Any,  # noqa: A002 (PyTorch's name)
    p: float = 0.5,
    training: bool = True,
    inplace: bool = False,
    *,
    generator: Any = None,
) -> Tensor:
    """Zero whole channels of an (N, C, D, H, W) or unbatched (C, D, H, W) input with
    probability ``p`` while ``training``, scaling the rest by ``1/(1-p)``, as
    ``F.dropout3d``; ``generator`` (a ``cg.Generator`` or a NumPy Generator; by default
    the process's, seeded by ``cg.manual_seed``) makes the draw reproducible.

    Differences from torch: ``inplace`` is accepted and ignored (the result is a new
    tensor), and inputs that are not 4-D or 5-D raise ValueError where torch warns and
    goes on."""
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"dropout3d: dropout probability has to be between 0 and 1, but got {p}")
    shape = _shape(input)
    if len(shape) not in (4, 5):
        raise ValueError(
            f"dropout3d: expected a 4-D (C, D, H, W) or 5-D (N, C, D, H, W) input, got shape "
            f"{shape}"
        )
    x = input if isinstance(input, Tensor) else cg.asarray(input)
    if not training or p == 0.0:
        return x
    mask = shape[: len(shape) - 3] + (1, 1, 1)
    dtype = np.dtype(x.dtype) if np.dtype(x.dtype).kind in "fc" else np.dtype(np.float64)
    if p == 1.0:  # everything dropped: zeros, as torch (no 1/0 scale)
        return cg.multiply(x, np.zeros(mask, dtype))
    # the process's generator unless one is given, so cg.manual_seed makes it repeatable
    rng = default_generator.rng if generator is None else getattr(generator, "rng", generator)
    keep = (rng.random(mask) >= p).astype(dtype)
    keep *= 1.0 / (1.0 - p)
    return cg.multiply(x, keep)
