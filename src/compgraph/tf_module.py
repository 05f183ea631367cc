"""``cg.Module``: TensorFlow's ``tf.Module``, a container that finds its ``cg.Variable``\\ s.

Distinct from ``cg.nn.Module`` (PyTorch's, with registered Parameters and
``state_dict``): a ``cg.Module`` registers nothing; ``variables`` walks its attributes
(sorted by name, into lists, tuples and dicts, then into the ``cg.Module``\\ s found),
as TensorFlow's does, so a ``GradientTape`` training loop reads
``model.trainable_variables``.
"""

from __future__ import annotations

import contextlib
import functools
import re
from collections.abc import Callable, Iterator
from typing import Any

from .variable import Variable

__all__ = ["Module"]


def _snake(name: str) -> str:
    """TensorFlow's default module name: the class name in snake_case."""
    return re.sub(r"((?<=[a-z0-9])[A-Z]|(?!^)[A-Z](?=[a-z]))", r"_\1", name).lower()


def _leaves(value: Any) -> Iterator[Any]:
    """The leaves of nested lists, tuples and dicts (dicts by sorted key, as tf.nest)."""
    if isinstance(value, dict):
        for k in sorted(value, key=str):
            yield from _leaves(value[k])
    elif isinstance(value, (list, tuple)):
        for v in value:
            yield from _leaves(v)
    else:
        yield value


class Module:
    """TensorFlow's ``tf.Module``: ``variables``, ``trainable_variables``,
    ``non_trainable_variables`` and ``submodules`` found in the attributes.

    >>> import compgraph as cg
    >>> class Dense(cg.Module):
    ...     def __init__(self, n_in, n_out, name=None):
    ...         super().__init__(name=name)
    ...         self.w = cg.Variable(cg.ones((n_in, n_out)), name="w")
    ...         self.b = cg.Variable(cg.zeros(n_out), name="b")
    ...     def __call__(self, x):
    ...         return x @ self.w + self.b
    >>> d = Dense(3, 2)
    >>> d.name, [v.name for v in d.trainable_variables]
    ('dense', ['b', 'w'])
    """

    def __init__(self, name: str | None = None):
        if name is None:
            name = _snake(type(self).__name__)
        elif not name.isidentifier():
            raise ValueError(
                f"{name!r} is not a valid module name. Module names must be valid Python "
                f"identifiers (e.g. a valid class name)."
            )
        self._name = name
        self._scope_name = name + "/"

    @property
    def name(self) -> str:
        """The module's name (the class name in snake_case unless given)."""
        return self._name

    @property
    def name_scope(self) -> contextlib.AbstractContextManager:
        """A context manager for this module's name scope (names are labels only here)."""
        return contextlib.nullcontext(self._scope_name)

    def _flatten(self, predicate: Callable[[Any], bool]) -> list:
        out: list = []
        seen: set = set()
        stack = [self]
        walked: set = set()
        # TensorFlow's order: a module's own matches first, then each submodule's.
        while stack:
            mod = stack.pop(0)
            if id(mod) in walked:
                continue
            walked.add(id(mod))
            subs = []
            for key in sorted(vars(mod)):
                for leaf in _leaves(vars(mod)[key]):
                    if id(leaf) in seen:
                        continue
                    seen.add(id(leaf))
                    if predicate(leaf):
                        out.append(leaf)
                    if isinstance(leaf, Module):
                        subs.append(leaf)
            stack[:0] = subs  # depth first, as TensorFlow's recursion
        return out

    @property
    def variables(self) -> tuple:
        """Every ``cg.Variable`` of this module and its submodules (each once)."""
        return tuple(self._flatten(lambda v: isinstance(v, Variable)))

    @property
    def trainable_variables(self) -> tuple:
        """The variables with ``trainable=True``."""
        return tuple(self._flatten(lambda v: isinstance(v, Variable) and v.trainable))

    @property
    def non_trainable_variables(self) -> tuple:
        """The variables with ``trainable=False``."""
        return tuple(self._flatten(lambda v: isinstance(v, Variable) and not v.trainable))

    @property
    def submodules(self) -> tuple:
        """Every ``cg.Module`` reachable from this one's attributes (not itself)."""
        return tuple(m for m in self._flatten(lambda v: isinstance(v, Module)) if m is not self)

    @classmethod
    def with_name_scope(cls, method: Callable) -> Callable:
        """Decorator running ``method`` inside the module's ``name_scope``."""

        @functools.wraps(method)
        def wrapped(self: Module, *args: Any, **kwargs: Any) -> Any:
            with self.name_scope:
                return method(self, *args, **kwargs)

        return wrapped

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self._name!r}: {len(self.variables)} variable(s)>"
