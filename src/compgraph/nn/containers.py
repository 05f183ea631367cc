"""Containers: ``Sequential`` and ``ModuleList``, with torch's indexing, slicing,
insertion and deletion (children renumbered), and ``state_dict`` names."""

from __future__ import annotations

import operator
from collections import OrderedDict
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any

from .module import Module

__all__ = ["Sequential", "ModuleList"]


def _index(size: int, idx: Any) -> int:
    """``idx`` as a position in ``range(size)``, negatives counted from the end."""
    idx = operator.index(idx)
    if not -size <= idx < size:
        raise IndexError(f"index {idx} is out of range for {size} modules")
    return idx % size


def _module_at(k: int, module: Any, where: str) -> Module:
    if not isinstance(module, Module):
        raise TypeError(f"{where}: item {k} is a {type(module).__name__}, not a Module")
    return module


class _Container(Module):
    """What ModuleList and Sequential share: length, iteration, deletion (children
    renumbered, as torch) and pop."""

    if TYPE_CHECKING:  # each container indexes its own way

        def __getitem__(self, idx: int | slice) -> Module: ...

    def __delitem__(self, idx: int | slice) -> None:
        mods = list(self._modules.values())
        del mods[idx if isinstance(idx, slice) else _index(len(mods), idx)]
        self._set_children((str(k), m) for k, m in enumerate(mods))

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self) -> Iterator[Module]:
        return iter(list(self._modules.values()))

    def pop(self, idx: int = -1) -> Module:
        """Remove and return the module at ``idx``."""
        module = self[idx]
        del self[idx]
        return module


class ModuleList(_Container):
    """A list of submodules whose parameters the owner finds (names ``"0"``, ``"1"``, ...).

    >>> import compgraph as cg
    >>> layers = cg.nn.ModuleList([cg.nn.Linear(2, 2, seed=k) for k in range(3)])
    >>> len(layers), len(layers.parameters()), type(layers[1:]).__name__
    (3, 6, 'ModuleList')
    """

    def __init__(self, modules: Iterable[Module] | None = None):
        super().__init__()
        if modules is not None:
            self.extend(modules)

    def __getitem__(self, idx: int | slice) -> Module | ModuleList:
        if isinstance(idx, slice):
            return type(self)(list(self._modules.values())[idx])
        return self._modules[str(_index(len(self), idx))]

    def __setitem__(self, idx: int, module: Module) -> None:
        setattr(self, str(_index(len(self), idx)), _module_at(idx, module, "ModuleList"))

    def __iadd__(self, modules: Iterable[Module]) -> ModuleList:
        return self.extend(modules)

    def __add__(self, other: Iterable[Module]) -> ModuleList:
        return ModuleList(list(self) + list(other))

    def append(self, module: Module) -> ModuleList:
        """Add ``module`` at the end; returns self."""
        self.add_module(str(len(self)), _module_at(len(self), module, "ModuleList"))
        return self

    def extend(self, modules: Iterable[Module]) -> ModuleList:
        """Append every module of ``modules``; returns self."""
        if not isinstance(modules, Iterable):
            raise TypeError(
                f"ModuleList.extend takes an iterable of modules, got a {type(modules).__name__}"
            )
        for module in list(modules):
            self.append(module)
        return self

    def insert(self, index: int, module: Module) -> None:
        """Insert ``module`` before position ``index``."""
        mods = list(self._modules.values())
        mods.insert(index, _module_at(index, module, "ModuleList"))
        self._set_children((str(k), m) for k, m in enumerate(mods))


class Sequential(_Container):
    """Modules applied one after another.

    Built from modules (named ``"0"``, ``"1"``, ...) or from one ``OrderedDict`` of
    named modules, whose names become the ``state_dict`` prefixes.  A slice is a
    Sequential keeping the original names, as in torch.

    >>> import compgraph as cg
    >>> net = cg.nn.Sequential(cg.nn.Linear(3, 4, seed=0), cg.nn.ReLU(), cg.nn.Linear(4, 2, seed=1))
    >>> net(cg.tensor([[1.0, 2.0, 3.0]])).shape
    (1, 2)
    >>> list(net[1:].state_dict())
    ['2.weight', '2.bias']
    """

    def __init__(self, *args: Any):
        super().__init__()
        if len(args) == 1 and isinstance(args[0], OrderedDict):
            for k, (name, layer) in enumerate(args[0].items()):
                self.add_module(name, _module_at(k, layer, "Sequential"))
        else:
            for k, layer in enumerate(args):
                self.add_module(str(k), _module_at(k, layer, "Sequential"))

    def forward(self, x: Any) -> Any:
        """Each module's output is the next one's input."""
        for layer in self._modules.values():
            if layer is not None:
                x = layer(x)
        return x

    def __getitem__(self, idx: int | slice) -> Module | Sequential:
        if isinstance(idx, slice):
            return type(self)(OrderedDict(list(self._modules.items())[idx]))
        return list(self._modules.values())[_index(len(self), idx)]

    def __setitem__(self, idx: int, module: Module) -> None:
        key = list(self._modules)[_index(len(self), idx)]
        setattr(self, key, _module_at(idx, module, "Sequential"))

    def __add__(self, other: Sequential) -> Sequential:
        if not isinstance(other, Sequential):
            raise ValueError(f"Sequential + {type(other).__name__}: only Sequentials add")
        return Sequential(*self, *other)

    def __iadd__(self, other: Sequential) -> Sequential:
        if not isinstance(other, Sequential):
            raise ValueError(f"Sequential += {type(other).__name__}: only Sequentials add")
        return self.extend(other)

    def append(self, module: Module) -> Sequential:
        """Add ``module`` at the end (named by its position); returns self."""
        self.add_module(str(len(self)), _module_at(len(self), module, "Sequential"))
        return self

    def extend(self, modules: Iterable[Module]) -> Sequential:
        """Append every module of ``modules``; returns self."""
        for module in list(modules):
            self.append(module)
        return self

    def insert(self, index: int, module: Module) -> Sequential:
        """Insert ``module`` before position ``index`` (children renumbered); returns self."""
        n = len(self)
        index = operator.index(index)
        if not -n <= index <= n:
            raise IndexError(f"Sequential.insert: index {index} is out of range for {n} modules")
        mods = list(self._modules.values())
        mods.insert(index + n if index < 0 else index, _module_at(index, module, "Sequential"))
        self._set_children((str(k), m) for k, m in enumerate(mods))
        return self
