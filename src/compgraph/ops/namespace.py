"""Sub-namespaces of ``cg`` (``cg.linalg``, ``cg.fft``, ``cg.special``, ``cg.stats``).

A function whose declared public name is dotted (``names=("linalg.norm",)``) belongs to
the sub-namespace before the dot; :func:`fill` gives a namespace module the functions
declared so far and :func:`lookup` the ones declared later (a module ``__getattr__``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .registry import PUBLIC

__all__ = ["cg", "fill", "lookup"]


def fill(prefix: str, namespace: dict) -> list[str]:
    """Put every function declared as ``prefix.<name>`` into ``namespace``; return the names."""
    names = []
    for full, front in PUBLIC.items():
        if full.startswith(prefix + ".") and front.function is not None:
            name = full[len(prefix) + 1 :]
            namespace[name] = front.function
            names.append(name)
    return sorted(names)


def lookup(prefix: str, name: str) -> Callable[..., Any]:
    """The function declared as ``prefix.name`` (for a module's ``__getattr__``)."""
    front = PUBLIC.get(f"{prefix}.{name}")
    if front is None or front.function is None:
        raise AttributeError(f"module 'compgraph.{prefix}' has no attribute {name!r}")
    return front.function


class _Functions:
    """``cg.<name>``: the declared public functions, looked up when called (ops and
    composites are declared before the front-end layer that builds ``compgraph``)."""

    def __getattr__(self, name: str) -> Any:
        front = PUBLIC.get(name)
        if front is None or front.function is None:
            raise AttributeError(f"compgraph has no function {name!r}")
        return front.function


cg: Any = _Functions()
