"""PyTorch's ``torch.set_printoptions`` for Tensor's repr (NumPy's own printing is left
as it is, as PyTorch's options leave NumPy's)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..tensor import PRINT_OPTIONS

__all__ = ["set_printoptions"]

# PyTorch's profiles: precision, threshold, edgeitems, linewidth
_PROFILES = {
    "default": (4, 1000, 3, 80),
    "short": (2, 1000, 2, 80),
    "full": (4, math.inf, 3, 80),
}


def set_printoptions(
    precision: int | None = None,
    threshold: float | None = None,
    edgeitems: int | None = None,
    linewidth: int | None = None,
    profile: str | None = None,
    sci_mode: bool | None = None,
) -> None:
    """How Tensors print (``torch.set_printoptions``): digits after the point, the size
    above which arrays are summarised, the items shown at each end when they are, and
    the line width; ``profile`` ("default", "short", "full") sets all four as PyTorch's
    profiles do and the other arguments then override it; ``sci_mode`` True forces
    scientific notation, False forbids it, None lets NumPy choose.  Until it is called
    Tensors print with NumPy's defaults (up to 8 digits, trailing zeros dropped); once a
    precision is set, every float shows that many digits, as in PyTorch.
    """
    new: dict[str, Any] = {}
    if profile is not None:
        if profile not in _PROFILES:
            raise ValueError(
                f"set_printoptions: profile must be one of {', '.join(_PROFILES)}, got {profile!r}"
            )
        p, t, e, w = _PROFILES[profile]
        new.update(precision=p, threshold=t, edgeitems=e, max_line_width=w)
    for key, value in (
        ("precision", precision),
        ("threshold", threshold),
        ("edgeitems", edgeitems),
        ("max_line_width", linewidth),
    ):
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, (int, float, np.integer)):
            raise TypeError(f"set_printoptions: {key} must be a number, got {value!r}")
        if value < 0:
            raise ValueError(f"set_printoptions: {key} must be >= 0, got {value}")
        new[key] = value
    if "precision" in new:
        new["floatmode"] = "fixed"  # every float with that many digits, as PyTorch prints
    if new.get("threshold") == math.inf:
        new["threshold"] = np.iinfo(np.intp).max  # (NumPy takes an int)
    PRINT_OPTIONS.update(new)
    if sci_mode is not None:
        PRINT_OPTIONS.pop("formatter", None)
        PRINT_OPTIONS.pop("suppress_small", None)
        if sci_mode:
            digits = int(PRINT_OPTIONS.get("precision", 8))
            PRINT_OPTIONS["formatter"] = {
                "float_kind": lambda v: np.format_float_scientific(v, digits, unique=False)
            }
        else:
            PRINT_OPTIONS["suppress_small"] = True
