"""HIPS autograd's ``autograd.misc.flatten``: a nest of tuples, lists and dicts of
arrays as one 1-D Tensor, and back."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from ..functions import cg
from ..tensor import Tensor

__all__ = ["flatten", "flatten_func"]


def _leaves(value: Any, out: list) -> Any:
    """The leaves in autograd's order (dicts by sorted key); a spec to rebuild them.
    Only exact tuples, lists and dicts nest, as in autograd (a namedtuple is a leaf)."""
    t = type(value)
    if t is list or t is tuple:
        return (t, None, [_leaves(v, out) for v in value])
    if t is dict:
        try:
            keys = sorted(value)
        except TypeError as err:
            raise TypeError(f"flatten: dict keys must be sortable, got {list(value)!r}") from err
        return (dict, (keys, list(value)), [_leaves(value[k], out) for k in keys])
    if value is None or isinstance(value, (str, bytes)):
        raise TypeError(
            f"flatten: expected arrays, numbers or tuples/lists/dicts of them, got "
            f"{type(value).__name__}"
        )
    leaf = value if isinstance(value, Tensor) else cg.asarray(value)
    out.append(leaf)
    return tuple(leaf.shape)


def flatten(value: Any) -> tuple[Tensor, Callable[[Any], Any]]:
    """``value``'s leaves raveled and concatenated into one 1-D Tensor, and the function
    that rebuilds the nest from such a vector (autograd's ``flatten``).

    Dicts are walked by sorted key; numbers and 0-d leaves come back as 0-d Tensors;
    mixed dtypes are promoted (as autograd).  Both directions are differentiable.

    >>> import compgraph as cg
    >>> from compgraph.misc import flatten
    >>> flat, unflatten = flatten({"b": 3.0, "a": [cg.ones(2)]})
    >>> flat
    Tensor([1., 1., 3.])
    >>> unflatten(flat * 2)["b"]
    Tensor(6.)
    """
    leaves: list = []
    spec = _leaves(value, leaves)
    if leaves:
        flat = cg.concatenate([cg.reshape(x, (-1,)) for x in leaves])
    else:
        flat = cg.asarray(np.array([]))
    sizes = [int(np.prod(x.shape)) for x in leaves]
    total = sum(sizes)

    def unflatten(vector: Any) -> Any:
        v: Any = vector if isinstance(vector, Tensor) else cg.asarray(vector)
        if tuple(v.shape) != (total,):
            raise ValueError(
                f"unflatten: expected a 1-D array of {total} elements, got shape {tuple(v.shape)}"
            )
        pos = [0]

        def build(s: Any) -> Any:
            if isinstance(s, tuple) and len(s) == 3 and s[0] in (list, tuple, dict):
                kind, keys, children = s
                vals = [build(c) for c in children]
                if kind is dict:
                    # walked by sorted key, rebuilt in the original order (as autograd)
                    by_key = dict(zip(keys[0], vals))
                    return {k: by_key[k] for k in keys[1]}
                return kind(vals)
            n = int(np.prod(s))
            start = pos[0]
            pos[0] += n
            return cg.reshape(v[start : start + n], s)

        return build(spec)

    return flat, unflatten


def flatten_func(func: Callable, example: Any) -> tuple[Callable, Callable, Tensor]:
    """``func`` on nests as a function of flat vectors: ``(flat_func, unflatten,
    flat_example)`` (autograd's ``flatten_func``)."""
    flat_example, unflatten = flatten(example)

    def flat_func(x: Any, *args: Any) -> Tensor:
        return flatten(func(unflatten(x), *args))[0]

    return flat_func, unflatten, flat_example
