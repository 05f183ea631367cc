"""Nested structures of values (JAX's pytrees): lists, tuples and dicts of leaves.

Recursion here follows the nesting the user wrote (a handful of levels), never
the size of a graph.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

__all__ = ["flatten", "unflatten", "tree_map"]


def _is_container(x: Any) -> bool:
    return isinstance(x, (list, dict)) or (isinstance(x, tuple) and not hasattr(x, "_fields"))


def flatten(tree: Any) -> tuple[list, Any]:
    """The leaves, left to right (dicts by sorted key, as JAX), and a spec to rebuild."""
    leaves: list = []
    spec = _flatten(tree, leaves)
    return leaves, spec


def _flatten(node: Any, leaves: list) -> Any:
    # Specs are nested tuples, hashable: cg.function keys its traces by them.
    if isinstance(node, dict):
        keys = tuple(sorted(node))
        return (dict, keys, tuple([_flatten(node[k], leaves) for k in keys]))
    if _is_container(node):
        return (type(node), None, tuple([_flatten(c, leaves) for c in node]))
    leaves.append(node)
    return None


def unflatten(spec: Any, leaves: list) -> Any:
    """Rebuild the structure described by ``spec`` from ``leaves`` (in order)."""
    return _build(spec, iter(leaves))


def _build(spec: Any, it: Any) -> Any:
    if spec is None:
        return next(it)
    kind, keys, children = spec
    values = [_build(c, it) for c in children]
    if kind is dict:
        return dict(zip(keys, values))
    return kind(values)


def tree_map(fn: Callable[[Any], Any], tree: Any) -> Any:
    """Apply ``fn`` to every leaf, keeping the structure."""
    leaves, spec = flatten(tree)
    return unflatten(spec, [fn(x) for x in leaves])
