"""``cg.stats``: the functions declared with a ``stats.`` public name (see ops/namespace.py)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from . import functions as _functions  # noqa: F401  (the public functions are built first)
from .ops.namespace import fill, lookup

__all__ = fill("stats", globals())


def __getattr__(name: str) -> Callable[..., Any]:
    return lookup("stats", name)
