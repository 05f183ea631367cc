"""More activation modules (PyTorch's nn.Hardtanh, nn.PReLU, nn.SELU ...), each calling its F function.

Constructors, defaults, attribute names and ``extra_repr`` are torch's.  ``inplace`` is
kept, shown in ``repr`` and passed to the F function as torch's modules do; compgraph's
F functions accept it and return a new tensor (``F.relu_`` and the other ``*_``
functions are the ones that change their input), so the input is left as it was.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from ..tensor import Tensor
from . import functional as F
from . import init as _init
from .module import Module, Parameter

__all__ = [
    "CELU",
    "GLU",
    "Hardshrink",
    "Hardsigmoid",
    "Hardswish",
    "Hardtanh",
    "LogSigmoid",
    "Mish",
    "PReLU",
    "RReLU",
    "ReLU6",
    "SELU",
    "Softmax2d",
    "Softmin",
    "Softshrink",
    "Softsign",
    "Tanhshrink",
    "Threshold",
]


def _inplace_repr(inplace: bool, sep: str = ", ") -> str:
    return f"{sep}inplace=True" if inplace else ""


class Threshold(Module):
    """``x`` where ``x > threshold``, else ``value``."""

    def __init__(self, threshold: float, value: float, inplace: bool = False):
        super().__init__()
        self.threshold, self.value, self.inplace = threshold, value, inplace

    def forward(self, x: Any) -> Tensor:
        return F.threshold(x, self.threshold, self.value, self.inplace)

    def extra_repr(self) -> str:
        return f"threshold={self.threshold}, value={self.value}{_inplace_repr(self.inplace)}"


class Hardtanh(Module):
    """``clip(x, min_val, max_val)``; ``min_value`` / ``max_value`` are torch's deprecated
    names (a FutureWarning).  ``max_val <= min_val`` is a ValueError (torch asserts)."""

    def __init__(
        self,
        min_val: float = -1.0,
        max_val: float = 1.0,
        inplace: bool = False,
        min_value: float | None = None,
        max_value: float | None = None,
    ):
        super().__init__()
        if min_value is not None:
            warnings.warn(
                "keyword argument `min_value` is deprecated and renamed to `min_val`",
                FutureWarning,
                stacklevel=2,
            )
            min_val = min_value
        if max_value is not None:
            warnings.warn(
                "keyword argument `max_value` is deprecated and renamed to `max_val`",
                FutureWarning,
                stacklevel=2,
            )
            max_val = max_value
        if not max_val > min_val:
            raise ValueError(
                f"{type(self).__name__}: max_val ({max_val}) must be greater than "
                f"min_val ({min_val})"
            )
        self.min_val, self.max_val, self.inplace = min_val, max_val, inplace

    def forward(self, x: Any) -> Tensor:
        return F.hardtanh(x, self.min_val, self.max_val, self.inplace)

    def extra_repr(self) -> str:
        return f"min_val={self.min_val}, max_val={self.max_val}{_inplace_repr(self.inplace)}"


class ReLU6(Hardtanh):
    """``clip(x, 0, 6)``: a Hardtanh with bounds 0 and 6, as torch's."""

    def __init__(self, inplace: bool = False):
        super().__init__(0.0, 6.0, inplace)

    def extra_repr(self) -> str:
        return _inplace_repr(self.inplace, sep="")


class SELU(Module):
    """``scale * elu(x, alpha)`` with the self-normalising constants."""

    def __init__(self, inplace: bool = False):
        super().__init__()
        self.inplace = inplace

    def forward(self, x: Any) -> Tensor:
        return F.selu(x, self.inplace)

    def extra_repr(self) -> str:
        return _inplace_repr(self.inplace, sep="")


class CELU(Module):
    """``x`` where ``x > 0``, else ``alpha * (exp(x / alpha) - 1)``."""

    def __init__(self, alpha: float = 1.0, inplace: bool = False):
        super().__init__()
        self.alpha, self.inplace = alpha, inplace

    def forward(self, x: Any) -> Tensor:
        return F.celu(x, self.alpha, self.inplace)

    def extra_repr(self) -> str:
        return f"alpha={self.alpha}{_inplace_repr(self.inplace)}"


class Mish(Module):
    """``x * tanh(softplus(x))``."""

    def __init__(self, inplace: bool = False):
        super().__init__()
        self.inplace = inplace

    def forward(self, x: Any) -> Tensor:
        return F.mish(x, inplace=self.inplace)

    def extra_repr(self) -> str:
        return _inplace_repr(self.inplace, sep="")


class Hardsigmoid(Module):
    """``clip(x / 6 + 1/2, 0, 1)`` (no ``extra_repr``, as torch's)."""

    def __init__(self, inplace: bool = False):
        super().__init__()
        self.inplace = inplace

    def forward(self, x: Any) -> Tensor:
        return F.hardsigmoid(x, self.inplace)


class Hardswish(Module):
    """``x * hardsigmoid(x)`` (no ``extra_repr``, as torch's)."""

    def __init__(self, inplace: bool = False):
        super().__init__()
        self.inplace = inplace

    def forward(self, x: Any) -> Tensor:
        return F.hardswish(x, self.inplace)


class RReLU(Module):
    """Randomized leaky ReLU: in training each entry ``x < 0`` is multiplied by its own
    slope drawn uniformly from [lower, upper], in eval by ``(lower + upper) / 2``.

    Slopes come from ``seed`` (an int or a NumPy Generator) if given, else from the
    process's generator at each call (``cg.manual_seed`` makes them repeatable), as
    :class:`Dropout`; the numbers differ from torch's (another bit generator).
    ``lower > upper`` is a ValueError here (torch's F.rrelu refuses it at the call).
    """

    def __init__(
        self,
        lower: float = 1.0 / 8,
        upper: float = 1.0 / 3,
        inplace: bool = False,
        seed: Any = None,
    ):
        super().__init__()
        if not lower <= upper:
            raise ValueError(f"RReLU: lower ({lower}) must not exceed upper ({upper})")
        self.lower, self.upper, self.inplace = lower, upper, inplace
        self._rng = None if seed is None else _init.rng_of(seed)

    def forward(self, x: Any) -> Tensor:
        return F.rrelu(x, self.lower, self.upper, self.training, self.inplace, generator=self._rng)

    def extra_repr(self) -> str:
        return f"lower={self.lower}, upper={self.upper}{_inplace_repr(self.inplace)}"


class GLU(Module):
    """``a * sigmoid(b)`` for the two halves ``a, b`` of the input along ``dim``."""

    def __init__(self, dim: int = -1):
        super().__init__()
        self.dim = dim

    def forward(self, x: Any) -> Tensor:
        return F.glu(x, self.dim)

    def extra_repr(self) -> str:
        return f"dim={self.dim}"


class Hardshrink(Module):
    """``x`` where ``|x| > lambd``, else 0."""

    def __init__(self, lambd: float = 0.5):
        super().__init__()
        self.lambd = lambd

    def forward(self, x: Any) -> Tensor:
        return F.hardshrink(x, self.lambd)

    def extra_repr(self) -> str:
        return f"{self.lambd}"


class Softshrink(Module):
    """``x - lambd`` above ``lambd``, ``x + lambd`` below ``-lambd``, else 0."""

    def __init__(self, lambd: float = 0.5):
        super().__init__()
        self.lambd = lambd

    def forward(self, x: Any) -> Tensor:
        return F.softshrink(x, self.lambd)

    def extra_repr(self) -> str:
        return str(self.lambd)


class LogSigmoid(Module):
    """``log(sigmoid(x))``, computed stably."""

    def forward(self, x: Any) -> Tensor:
        return F.logsigmoid(x)


class Softsign(Module):
    """``x / (1 + |x|)``."""

    def forward(self, x: Any) -> Tensor:
        return F.softsign(x)


class Tanhshrink(Module):
    """``x - tanh(x)``."""

    def forward(self, x: Any) -> Tensor:
        return F.tanhshrink(x)


class Softmin(Module):
    """``softmax(-x)`` along ``dim`` (``None``: torch's legacy choice, dim 0 for inputs of
    0, 1 or 3 dimensions, else 1)."""

    def __init__(self, dim: int | None = None):
        super().__init__()
        self.dim = dim

    def forward(self, x: Any) -> Tensor:
        return F.softmin(x, self.dim)

    def extra_repr(self) -> str:
        return f"dim={self.dim}"


class Softmax2d(Module):
    """Softmax over the channels of (N, C, H, W) or (C, H, W) inputs (dimension -3)."""

    def forward(self, x: Any) -> Tensor:
        nd = len(getattr(x, "shape", np.shape(x)))
        if nd not in (3, 4):
            raise ValueError(f"Softmax2d: expected input to be 3D or 4D, got {nd}D instead")
        return F.softmax(x, -3)


class PReLU(Module):
    """``x`` where ``x > 0``, else ``weight * x``, with ``weight`` learned: one slope, or
    ``num_parameters`` slopes, one per channel (dimension 1 of the input), all starting
    at ``init``.  ``dtype`` (default float64) is compgraph's; there is no ``device``."""

    def __init__(self, num_parameters: int = 1, init: float = 0.25, dtype: Any = "float64"):
        super().__init__()
        if isinstance(num_parameters, bool) or not isinstance(num_parameters, (int, np.integer)):
            raise TypeError(f"PReLU: num_parameters must be an int, got {num_parameters!r}")
        if num_parameters < 1:
            raise ValueError(f"PReLU: num_parameters must be >= 1, got {num_parameters}")
        self.num_parameters = int(num_parameters)
        self.init = init
        self.weight = Parameter(np.empty(self.num_parameters, dtype))
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Set every slope to ``init``."""
        _init.constant_(self.weight, self.init)

    def forward(self, x: Any) -> Tensor:
        return F.prelu(x, self.weight)

    def extra_repr(self) -> str:
        return f"num_parameters={self.num_parameters}"
