"""``cg.fft``: the functions declared with a ``fft.`` public name (see ops/namespace.py)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from . import functions as _functions  # noqa: F401  (the public functions are built first)
from .ops.namespace import fill, lookup

__all__ = fill("fft", globals())


def __getattr__(name: str) -> Callable[..., Any]:
    return lookup("fft", name)
