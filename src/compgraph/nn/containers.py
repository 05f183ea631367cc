"""Containers: ``Sequential``, ``ModuleList``, ``ModuleDict`` and ``ParameterList``, with
torch's indexing, slicing, insertion and deletion (children renumbered), and
``state_dict`` names."""

from __future__ import annotations

import operator
from collections import OrderedDict
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any

import numpy as np

from ..tensor import Tensor
from .module import Module, Parameter

__all__ = ["Sequential", "ModuleList", "ModuleDict", "ParameterList"]


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

    def __repr__(self) -> str:
        # PyTorch's: runs of equal layers shown once, "(0-5): 6 x Layer(...)"
        reprs = [repr(m) for m in self._modules.values()]
        if not reprs:
            return f"{type(self).__name__}()"
        runs: list[list] = []
        for i, r in enumerate(reprs):
            if runs and runs[-1][2] == r:
                runs[-1][1] = i
            else:
                runs.append([i, i, r])
        lines = [
            (f"({a}): {r}" if a == b else f"({a}-{b}): {b - a + 1} x {r}").replace("\n", "\n  ")
            for a, b, r in runs
        ]
        return f"{type(self).__name__}(" + "".join("\n  " + x for x in lines) + "\n)"

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


class ModuleDict(Module):
    """An ordered dict of submodules whose parameters the owner finds (keys as names).

    >>> import compgraph as cg
    >>> d = cg.nn.ModuleDict({"enc": cg.nn.Linear(2, 3, seed=0), "act": cg.nn.ReLU()})
    >>> list(d), list(d.state_dict()), "enc" in d
    (['enc', 'act'], ['enc.weight', 'enc.bias'], True)
    """

    def __init__(self, modules: Any = None):
        super().__init__()
        if modules is not None:
            self.update(modules)

    def __getitem__(self, key: str) -> Module:
        return self._modules[key]

    def __setitem__(self, key: str, module: Module) -> None:
        self.add_module(key, _module_at(key, module, "ModuleDict"))  # type: ignore[arg-type]

    def __delitem__(self, key: str) -> None:
        del self._modules[key]
        self.__dict__.pop(key, None)

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self) -> Iterator[str]:
        return iter(list(self._modules))

    def __contains__(self, key: object) -> bool:
        return key in self._modules

    def clear(self) -> None:
        """Remove every module."""
        for key in list(self._modules):
            del self[key]

    def pop(self, key: str) -> Module:
        """Remove the module under ``key`` and return it."""
        module = self[key]
        del self[key]
        return module

    def keys(self) -> list[str]:
        """The names, in insertion order."""
        return list(self._modules)

    def items(self) -> list[tuple[str, Module]]:
        """(name, module) pairs, in insertion order."""
        return list(self._modules.items())

    def values(self) -> list[Module]:
        """The modules, in insertion order."""
        return list(self._modules.values())

    def update(self, modules: Any) -> None:
        """Add (or replace) modules from a mapping or an iterable of (name, module) pairs."""
        pairs = modules.items() if hasattr(modules, "items") else modules
        for k, pair in enumerate(pairs):
            if not isinstance(pair, (tuple, list)) or len(pair) != 2:
                raise TypeError(f"ModuleDict.update: item {k} is not a (name, module) pair")
            self[pair[0]] = pair[1]


class ParameterList(Module):
    """A list of Parameters registered as ``"0"``, ``"1"``, ... (torch's state_dict keys).

    >>> import compgraph as cg, numpy as np
    >>> ps = cg.nn.ParameterList([cg.nn.Parameter(np.zeros(2)), cg.nn.Parameter(np.ones(3))])
    >>> len(ps), list(ps.state_dict()), ps[1].shape
    (2, ['0', '1'], (3,))
    """

    def __init__(self, values: Iterable[Any] | None = None):
        super().__init__()
        if values is not None:
            self.extend(values)

    def __getitem__(self, idx: int | slice) -> Any:
        if isinstance(idx, slice):
            return ParameterList(list(self)[idx])
        return self._params[str(_index(len(self), idx))]

    def __setitem__(self, idx: int, param: Any) -> None:
        self.register_parameter(str(_index(len(self), idx)), _as_parameter(param))

    def __len__(self) -> int:
        return len(self._params)

    def __iter__(self) -> Iterator[Any]:
        return iter(list(self._params.values()))

    def __iadd__(self, values: Iterable[Any]) -> ParameterList:
        return self.extend(values)

    def append(self, value: Any) -> ParameterList:
        """Add a Parameter (an array or Tensor becomes one) at the end; returns self."""
        self.register_parameter(str(len(self)), _as_parameter(value))
        return self

    def extend(self, values: Iterable[Any]) -> ParameterList:
        """Append every value of ``values``; returns self."""
        if not isinstance(values, Iterable):
            raise TypeError(
                f"ParameterList.extend takes an iterable, got a {type(values).__name__}"
            )
        for v in list(values):
            self.append(v)
        return self

    def extra_repr(self) -> str:
        return "\n".join(
            f"({k}): Parameter of shape {tuple(p.shape)} ({p.dtype})"
            for k, p in self._params.items()
        )


def _as_parameter(value: Any) -> Parameter | None:
    """``value`` itself when a Parameter (shared, as torch), else a new Parameter of it."""
    if isinstance(value, Parameter) or value is None:
        return value
    return Parameter(value.data if isinstance(value, Tensor) else np.asarray(value))
