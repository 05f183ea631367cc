"""JAX's ``jax.tree_util`` on compgraph's pytrees: ``tree_map``, ``tree_flatten``,
``tree_unflatten``, ``register_pytree_node`` ...

A pytree is JAX's: tuples, lists, dicts (leaves in sorted key order), namedtuples,
``OrderedDict`` and ``defaultdict`` (insertion order), ``None`` (a node without
children, so no leaf), :class:`Partial`, and the types registered here; everything
else (a Tensor, an ndarray, a number) is a leaf.

compgraph's transforms (``cg.grad``, ``cg.function`` ...) flatten their arguments with
``compgraph.autodiff.tree``, which knows tuples, lists and dicts only (``None`` and
namedtuples are leaves there, and types registered here are not seen): give them
tuples, lists and dicts, or flatten a registered node with :func:`tree_flatten` first.
"""

from __future__ import annotations

import collections
import dataclasses
import functools
from collections.abc import Callable, Iterable
from typing import Any

from .autodiff.tree import NODES

__all__ = [
    "PyTreeDef",
    "Partial",
    "SequenceKey",
    "DictKey",
    "GetAttrKey",
    "FlattenedIndexKey",
    "register_pytree_node",
    "register_pytree_with_keys",
    "register_pytree_node_class",
    "register_dataclass",
    "tree_flatten",
    "tree_unflatten",
    "tree_leaves",
    "tree_structure",
    "tree_map",
    "tree_reduce",
    "tree_all",
    "tree_transpose",
    "tree_flatten_with_path",
    "tree_leaves_with_path",
    "tree_map_with_path",
    "keystr",
    "treedef_is_leaf",
    "treedef_children",
    "treedef_tuple",
    "all_leaves",
]


@dataclasses.dataclass(frozen=True)
class SequenceKey:
    """The path entry of a tuple's or list's child: ``[idx]``."""

    idx: int

    def __str__(self) -> str:
        return f"[{self.idx!r}]"


@dataclasses.dataclass(frozen=True)
class DictKey:
    """The path entry of a dict's child: ``[key]``."""

    key: Any

    def __str__(self) -> str:
        return f"[{self.key!r}]"


@dataclasses.dataclass(frozen=True)
class GetAttrKey:
    """The path entry of an attribute (namedtuple field, dataclass field): ``.name``."""

    name: str

    def __str__(self) -> str:
        return f".{self.name}"


@dataclasses.dataclass(frozen=True)
class FlattenedIndexKey:
    """The path entry of a registered node's child without keys: ``[key]``."""

    key: int

    def __str__(self) -> str:
        return f"[{self.key!r}]"


class _Node:
    """How one type flattens: to (children, aux data), and with keys."""

    def __init__(self, flatten: Callable, unflatten: Callable, flatten_with_keys: Callable | None):
        self.flatten = flatten
        self.unflatten = unflatten
        self.flatten_with_keys = flatten_with_keys

    def keyed(self, node: Any) -> tuple[list, Any]:
        if self.flatten_with_keys is not None:
            pairs, aux = self.flatten_with_keys(node)
            return list(pairs), aux
        children, aux = self.flatten(node)
        return [(FlattenedIndexKey(i), c) for i, c in enumerate(children)], aux


_REGISTRY: dict[type, _Node] = {}


def _children_aux(flatten_func: Callable, x: Any) -> tuple[list, Any]:
    children, aux = flatten_func(x)
    return list(children), aux


def register_pytree_node(
    nodetype: type,
    flatten_func: Callable[[Any], tuple[Iterable, Any]],
    unflatten_func: Callable[[Any, Iterable], Any],
    flatten_with_keys_func: Callable[[Any], tuple[Iterable, Any]] | None = None,
) -> None:
    """JAX's ``register_pytree_node``: ``flatten_func(x) -> (children, aux_data)`` and
    ``unflatten_func(aux_data, children) -> x`` make ``nodetype`` a pytree node."""
    if not isinstance(nodetype, type):
        raise TypeError(f"register_pytree_node: nodetype must be a type, got {nodetype!r}")
    if nodetype in _REGISTRY:
        raise ValueError(f"register_pytree_node: {nodetype.__name__} is already registered")
    _REGISTRY[nodetype] = _Node(flatten_func, unflatten_func, flatten_with_keys_func)
    # (cg.grad, cg.function and the other transforms flatten with the same rule; lists,
    # tuples and dicts they know already, and None is a leaf there)
    if nodetype not in (tuple, list, dict, type(None)):
        NODES[nodetype] = (lambda x: _children_aux(flatten_func, x), unflatten_func)


def register_pytree_with_keys(
    nodetype: type,
    flatten_with_keys: Callable[[Any], tuple[Iterable, Any]],
    unflatten_func: Callable[[Any, Iterable], Any],
    flatten_func: Callable[[Any], tuple[Iterable, Any]] | None = None,
) -> None:
    """JAX's ``register_pytree_with_keys``: ``flatten_with_keys(x) -> ((key, child)...,
    aux_data)``."""

    def plain(x: Any) -> tuple[list, Any]:
        pairs, aux = flatten_with_keys(x)
        return [c for _, c in pairs], aux

    register_pytree_node(nodetype, flatten_func or plain, unflatten_func, flatten_with_keys)


def register_pytree_node_class(cls: type) -> type:
    """JAX's class decorator: ``cls.tree_flatten(self)`` and the classmethod
    ``cls.tree_unflatten(aux_data, children)`` make ``cls`` a node."""
    register_pytree_node(cls, lambda x: x.tree_flatten(), cls.tree_unflatten)  # type: ignore[attr-defined]
    return cls


def register_dataclass(
    nodetype: type,
    data_fields: Iterable[str] | None = None,
    meta_fields: Iterable[str] | None = None,
    drop_fields: Iterable[str] = (),
) -> type:
    """JAX's ``register_dataclass``: ``data_fields`` are children, ``meta_fields`` aux
    data (by default, a dataclass's fields marked ``metadata={"static": True}`` are meta,
    the others data); usable as a class decorator."""
    if data_fields is None or meta_fields is None:
        if not dataclasses.is_dataclass(nodetype):
            raise TypeError(
                f"register_dataclass: {nodetype.__name__} is not a dataclass; give data_fields and meta_fields"
            )
        fields = [
            f for f in dataclasses.fields(nodetype) if f.init and f.name not in set(drop_fields)
        ]
        data_fields = [f.name for f in fields if not f.metadata.get("static", False)]
        meta_fields = [f.name for f in fields if f.metadata.get("static", False)]
    data, meta = list(data_fields), list(meta_fields)

    def flatten(x: Any) -> tuple[list, tuple]:
        return [getattr(x, n) for n in data], tuple(getattr(x, n) for n in meta)

    def flatten_with_keys(x: Any) -> tuple[list, tuple]:
        return [(GetAttrKey(n), getattr(x, n)) for n in data], tuple(getattr(x, n) for n in meta)

    def unflatten(aux: tuple, children: Iterable) -> Any:
        return nodetype(**dict(zip(data, children)), **dict(zip(meta, aux)))

    register_pytree_node(nodetype, flatten, unflatten, flatten_with_keys)
    return nodetype


class Partial(functools.partial):
    """JAX's ``Partial``: ``functools.partial`` as a pytree (the bound arguments are
    its children, the function its aux data), so it can pass through transforms."""

    def __new__(cls, func: Callable, *args: Any, **kw: Any) -> Partial:
        # As JAX: a Partial of a Partial keeps the inner function, with both argument lists.
        if isinstance(func, functools.partial):
            inner = func
            func = inner.func
            args = (*inner.args, *args)
            kw = {**inner.keywords, **kw}
        return super().__new__(cls, func, *args, **kw)


def _namedtuple(x: Any) -> bool:
    return isinstance(x, tuple) and hasattr(x, "_fields")


def _node_of(x: Any) -> _Node | None:
    node = _REGISTRY.get(type(x))
    if node is None and _namedtuple(x):
        return _NAMEDTUPLE
    return node


def _dict_flatten(d: dict) -> tuple[list, tuple]:
    keys = tuple(sorted(d))
    return [d[k] for k in keys], keys


def _dict_keys(d: dict) -> tuple[list, tuple]:
    keys = tuple(sorted(d))
    return [(DictKey(k), d[k]) for k in keys], keys


def _ordered_keys(d: dict) -> tuple[list, Any]:
    return [(DictKey(k), v) for k, v in d.items()], tuple(d)


_NAMEDTUPLE = _Node(
    lambda x: (list(x), type(x)),
    lambda t, c: t(*c),
    lambda x: ([(GetAttrKey(f), v) for f, v in zip(x._fields, x)], type(x)),
)
register_pytree_node(
    tuple,
    lambda x: (list(x), None),
    lambda _, c: tuple(c),
    lambda x: ([(SequenceKey(i), v) for i, v in enumerate(x)], None),
)
register_pytree_node(
    list,
    lambda x: (list(x), None),
    lambda _, c: list(c),
    lambda x: ([(SequenceKey(i), v) for i, v in enumerate(x)], None),
)
register_pytree_node(dict, _dict_flatten, lambda k, c: dict(zip(k, c)), _dict_keys)
register_pytree_node(type(None), lambda _: ([], None), lambda _, c: None, lambda _: ([], None))
register_pytree_node(
    collections.OrderedDict,
    lambda d: (list(d.values()), tuple(d)),
    lambda k, c: collections.OrderedDict(zip(k, c)),
    _ordered_keys,
)
register_pytree_node(
    collections.defaultdict,
    lambda d: ([d[k] for k in sorted(d)], (d.default_factory, tuple(sorted(d)))),
    lambda a, c: collections.defaultdict(a[0], zip(a[1], c)),
    lambda d: ([(DictKey(k), d[k]) for k in sorted(d)], (d.default_factory, tuple(sorted(d)))),
)
register_pytree_node(
    Partial,
    lambda p: ([p.args, p.keywords], p.func),
    lambda f, c: Partial(f, *list(c)[0], **list(c)[1]),
    lambda p: ([(GetAttrKey("args"), p.args), (GetAttrKey("keywords"), p.keywords)], p.func),
)


class PyTreeDef:
    """The structure of a pytree without its leaves (JAX's ``PyTreeDef``): a leaf, or a
    node type, its aux data and the children's structures.  Equal structures compare
    equal and hash alike."""

    __slots__ = ("node_type", "node_data", "children_defs", "num_leaves", "num_nodes")

    def __init__(self, node_type: type | None, node_data: Any = None, children: tuple = ()):
        self.node_type = node_type  # None for a leaf
        self.node_data = node_data
        self.children_defs: tuple[PyTreeDef, ...] = tuple(children)
        self.num_leaves: int = (
            1 if node_type is None else sum(c.num_leaves for c in self.children_defs)
        )
        self.num_nodes: int = 1 + sum(c.num_nodes for c in self.children_defs)

    def children(self) -> list[PyTreeDef]:
        """The structures of the root's children."""
        return list(self.children_defs)

    def unflatten(self, leaves: Iterable) -> Any:
        """The pytree of this structure holding ``leaves`` (in order)."""
        leaves = list(leaves)
        if len(leaves) != self.num_leaves:
            raise ValueError(
                f"tree_unflatten: the structure has {self.num_leaves} leaves, got {len(leaves)}"
            )
        return self._build(iter(leaves))

    def _build(self, it: Any) -> Any:
        if self.node_type is None:
            return next(it)
        children = [c._build(it) for c in self.children_defs]
        node = _REGISTRY.get(self.node_type) or _NAMEDTUPLE
        return node.unflatten(self.node_data, children)

    def flatten_up_to(self, tree: Any) -> list:
        """The subtrees of ``tree`` at this structure's leaves (``tree`` must have this
        structure down to them)."""
        out: list = []
        self._up_to(tree, out)
        return out

    def _up_to(self, tree: Any, out: list) -> None:
        if self.node_type is None:
            out.append(tree)
            return
        node = _node_of(tree)
        if node is None or type(tree) is not self.node_type:
            raise ValueError(
                f"tree structure mismatch: expected a {self.node_type.__name__}, got {tree!r}"
            )
        children, aux = node.flatten(tree)
        children = list(children)
        if len(children) != len(self.children_defs) or (
            self.node_type is not type(None) and aux != self.node_data
        ):
            raise ValueError(
                f"tree structure mismatch: {tree!r} does not have the structure {self!r}"
            )
        for c, d in zip(children, self.children_defs):
            d._up_to(c, out)

    def _key(self) -> tuple:
        return (self.node_type, _hashable(self.node_data), self.children_defs)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, PyTreeDef) and self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __repr__(self) -> str:
        return f"PyTreeDef({self._text()})"

    def _text(self) -> str:
        parts = [c._text() for c in self.children_defs]
        t = self.node_type
        if t is None:
            return "*"
        if t is type(None):
            return "None"
        if t is tuple:
            return "(" + ", ".join(parts) + ("," if len(parts) == 1 else "") + ")"
        if t is list:
            return "[" + ", ".join(parts) + "]"
        if t is dict:
            return "{" + ", ".join(f"{k!r}: {p}" for k, p in zip(self.node_data, parts)) + "}"
        if issubclass(t, tuple) and hasattr(t, "_fields"):
            return f"CustomNode(namedtuple[{t.__name__}], [{', '.join(parts)}])"
        return f"CustomNode({t.__name__}[{self.node_data!r}], [{', '.join(parts)}])"


def _hashable(v: Any) -> Any:
    try:
        hash(v)
    except TypeError:
        return repr(v)
    return v


def _structure(
    tree: Any, leaves: list, is_leaf: Callable | None, paths: list | None, path: tuple
) -> PyTreeDef:
    # Recursion follows the nesting the user wrote, not the size of a graph.
    node = None if is_leaf is not None and is_leaf(tree) else _node_of(tree)
    if node is None:
        leaves.append(tree)
        if paths is not None:
            paths.append(path)
        return PyTreeDef(None)
    if paths is None:
        children, aux = node.flatten(tree)
        defs = [_structure(c, leaves, is_leaf, None, path) for c in children]
    else:
        pairs, aux = node.keyed(tree)
        defs = [_structure(c, leaves, is_leaf, paths, (*path, k)) for k, c in pairs]
    return PyTreeDef(type(tree), aux, tuple(defs))


def tree_flatten(tree: Any, is_leaf: Callable[[Any], bool] | None = None) -> tuple[list, PyTreeDef]:
    """The leaves, left to right, and the structure to rebuild the tree."""
    leaves: list = []
    return leaves, _structure(tree, leaves, is_leaf, None, ())


def tree_unflatten(treedef: PyTreeDef, leaves: Iterable) -> Any:
    """Rebuild a pytree of structure ``treedef`` from ``leaves``."""
    return treedef.unflatten(leaves)


def tree_leaves(tree: Any, is_leaf: Callable[[Any], bool] | None = None) -> list:
    """The leaves of ``tree``, left to right."""
    return tree_flatten(tree, is_leaf)[0]


def tree_structure(tree: Any, is_leaf: Callable[[Any], bool] | None = None) -> PyTreeDef:
    """The structure of ``tree``."""
    return tree_flatten(tree, is_leaf)[1]


def tree_map(
    f: Callable[..., Any], tree: Any, *rest: Any, is_leaf: Callable[[Any], bool] | None = None
) -> Any:
    """``f`` applied leafwise to ``tree`` and the trees ``rest`` (of ``tree``'s structure,
    or deeper at its leaves), keeping ``tree``'s structure."""
    leaves, treedef = tree_flatten(tree, is_leaf)
    others = [treedef.flatten_up_to(r) for r in rest]
    return treedef.unflatten(f(*xs) for xs in zip(leaves, *others))


_NO_INIT = object()


def tree_reduce(
    function: Callable[[Any, Any], Any],
    tree: Any,
    initializer: Any = _NO_INIT,
    is_leaf: Callable[[Any], bool] | None = None,
) -> Any:
    """``functools.reduce`` of ``function`` over the leaves."""
    leaves = tree_leaves(tree, is_leaf)
    if initializer is _NO_INIT:
        return functools.reduce(function, leaves)
    return functools.reduce(function, leaves, initializer)


def tree_all(tree: Any, *, is_leaf: Callable[[Any], bool] | None = None) -> bool:
    """Whether every leaf is true."""
    return all(tree_leaves(tree, is_leaf))


def tree_flatten_with_path(
    tree: Any, is_leaf: Callable[[Any], bool] | None = None
) -> tuple[list, PyTreeDef]:
    """``([(path, leaf) ...], treedef)``: each leaf with its path of keys."""
    leaves: list = []
    paths: list = []
    treedef = _structure(tree, leaves, is_leaf, paths, ())
    return list(zip(paths, leaves)), treedef


def tree_leaves_with_path(tree: Any, is_leaf: Callable[[Any], bool] | None = None) -> list:
    """``[(path, leaf) ...]``."""
    return tree_flatten_with_path(tree, is_leaf)[0]


def tree_map_with_path(
    f: Callable[..., Any], tree: Any, *rest: Any, is_leaf: Callable[[Any], bool] | None = None
) -> Any:
    """``f(path, leaf, *others)`` for every leaf, keeping ``tree``'s structure."""
    pairs, treedef = tree_flatten_with_path(tree, is_leaf)
    others = [treedef.flatten_up_to(r) for r in rest]
    return treedef.unflatten(f(p, x, *xs) for (p, x), *xs in zip(pairs, *others))


def _key_text(k: Any) -> str:
    for attr in ("key", "idx", "name"):
        if hasattr(k, attr):
            return str(getattr(k, attr))
    return str(k)


def keystr(keys: tuple, *, simple: bool = False, separator: str = "") -> str:
    """A path as text: ``"['a'][0]"``; ``simple=True`` gives the bare keys joined by
    ``separator`` (``"a/0"`` with ``separator="/"``)."""
    if simple:
        return separator.join(_key_text(k) for k in keys)
    return separator.join(str(k) for k in keys)


def treedef_is_leaf(treedef: PyTreeDef) -> bool:
    """Whether ``treedef`` is a structure of one node (a leaf, or ``None``)."""
    return treedef.num_nodes == 1


def treedef_children(treedef: PyTreeDef) -> list[PyTreeDef]:
    """The structures of the root's children."""
    return treedef.children()


def treedef_tuple(treedefs: Iterable[PyTreeDef]) -> PyTreeDef:
    """The structure of a tuple of trees of the given structures."""
    return PyTreeDef(tuple, None, tuple(treedefs))


def all_leaves(iterable: Iterable, is_leaf: Callable[[Any], bool] | None = None) -> bool:
    """Whether every element is a leaf (``None`` is a node, not a leaf)."""
    for x in iterable:
        if is_leaf is not None and is_leaf(x):
            continue
        if _node_of(x) is not None:
            return False
    return True


def tree_transpose(
    outer_treedef: PyTreeDef, inner_treedef: PyTreeDef | None, pytree_to_transpose: Any
) -> Any:
    """An outer tree of inner trees turned into an inner tree of outer trees."""
    subtrees = outer_treedef.flatten_up_to(pytree_to_transpose)
    if inner_treedef is None:
        inner_treedef = tree_structure(subtrees[0]) if subtrees else tree_structure(None)
    rows = [inner_treedef.flatten_up_to(s) for s in subtrees]
    columns = [outer_treedef.unflatten(col) for col in zip(*rows)] if rows else []
    if not rows:
        raise ValueError("tree_transpose: the outer structure has no leaves")
    return inner_treedef.unflatten(columns)
