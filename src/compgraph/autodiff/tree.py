"""Nested structures of values (JAX's pytrees): lists, tuples, namedtuples and dicts of
leaves, and the node types registered in :data:`NODES` (``tree_util.register_pytree_node``).
Unlike JAX, ``None`` is a leaf here.

Recursion here follows the nesting the user wrote (a handful of levels), never
the size of a graph.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

__all__ = ["flatten", "unflatten", "tree_map", "NODES"]

#: Registered node types: ``type -> (flatten(x) -> (children, aux), unflatten(aux, children))``
#: (JAX's ``register_pytree_node`` convention; ``aux`` must be hashable, as there).
NODES: dict[type, tuple[Callable, Callable]] = {}


class _Registered:
    """The spec kind of a registered node: its keys are ``(type, aux)``."""


class _NamedTuple:
    """The spec kind of a namedtuple: its keys are the namedtuple's type."""


def _is_container(x: Any) -> bool:
    return isinstance(x, (list, dict)) or (isinstance(x, tuple) and not hasattr(x, "_fields"))


def flatten(tree: Any) -> tuple[list, Any]:
    """The leaves, left to right (dicts by sorted key, as JAX), and a spec to rebuild."""
    leaves: list = []
    spec = _flatten(tree, leaves)
    return leaves, spec


def _flatten(node: Any, leaves: list) -> Any:
    # Specs are nested tuples, hashable: cg.function keys its traces by them.
    reg = NODES.get(type(node)) if NODES else None
    if reg is not None:
        children, aux = reg[0](node)
        return (_Registered, (type(node), aux), tuple([_flatten(c, leaves) for c in children]))
    if isinstance(node, tuple) and hasattr(node, "_fields"):
        return (_NamedTuple, type(node), tuple([_flatten(c, leaves) for c in node]))
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
    if kind is _Registered:
        return NODES[keys[0]][1](keys[1], values)
    if kind is _NamedTuple:
        return keys(*values)
    return kind(values)


def tree_map(fn: Callable[[Any], Any], tree: Any) -> Any:
    """Apply ``fn`` to every leaf, keeping the structure."""
    leaves, spec = flatten(tree)
    return unflatten(spec, [fn(x) for x in leaves])
