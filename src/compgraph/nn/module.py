"""``Module``: parameters found automatically, train/eval modes, state saved without pickle."""
from __future__ import annotations

from collections import OrderedDict
from typing import Any, Iterator

import numpy as np

from ..tensor import Tensor

__all__ = ["Parameter", "Module", "Sequential"]


class Parameter(Tensor):
    """A float Tensor that a Module trains: a leaf that requires grad.

    >>> import compgraph as cg
    >>> p = cg.nn.Parameter([1.0, 2.0])
    >>> p.requires_grad, p.is_leaf
    (True, True)
    """

    __slots__ = ()

    def __init__(self, data: Any, dtype: Any = None, name: str | None = None):
        super().__init__(data, dtype=dtype, requires_grad=False, name=name)
        if self._data.dtype.kind not in "fc":
            self._data = self._data.astype(np.float64)
        if type(self._data) is not np.ndarray:  # in-place updates need a buffer
            self._data = np.asarray(self._data).copy()
        self.requires_grad = True


class Module:
    """Base class of layers and models: ``forward`` plus discovered parameters.

    Attributes that are Parameters, Modules or buffers (``register_buffer``) are found
    automatically, in assignment order, so ``parameters()`` and ``state_dict()`` need
    no bookkeeping in subclasses.
    """

    def __init__(self) -> None:
        object.__setattr__(self, "_params", OrderedDict())
        object.__setattr__(self, "_modules", OrderedDict())
        object.__setattr__(self, "_buffers", OrderedDict())
        object.__setattr__(self, "training", True)

    def __setattr__(self, name: str, value: Any) -> None:
        if "_params" not in self.__dict__:
            raise RuntimeError(f"{type(self).__name__}: call super().__init__() before "
                               f"assigning attributes")
        for store in (self._params, self._modules, self._buffers):
            store.pop(name, None)
        if isinstance(value, Parameter):
            self._params[name] = value
        elif isinstance(value, Module):
            self._modules[name] = value
        object.__setattr__(self, name, value)

    def register_buffer(self, name: str, value: Any) -> None:
        """A non-trained array saved with the state (e.g. BatchNorm's running mean)."""
        arr = np.array(value._data if isinstance(value, Tensor) else value)
        self._buffers[name] = arr
        object.__setattr__(self, name, arr)

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        """The computation; subclasses define it."""
        raise NotImplementedError(f"{type(self).__name__} does not define forward()")

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self.forward(*args, **kwargs)

    # ------------------------------------------------------------------ discovery
    def named_modules(self, prefix: str = "") -> Iterator[tuple[str, "Module"]]:
        """This module and every submodule, with dotted names (iterative)."""
        stack = [(prefix, self)]
        seen = set()
        while stack:
            name, m = stack.pop()
            if id(m) in seen:
                continue
            seen.add(id(m))
            yield name, m
            children = list(m._modules.items())
            for child_name, child in reversed(children):
                stack.append((f"{name}.{child_name}" if name else child_name, child))

    def modules(self) -> Iterator["Module"]:
        """This module and every submodule."""
        return (m for _, m in self.named_modules())

    def children(self) -> Iterator["Module"]:
        """The direct submodules."""
        return iter(self._modules.values())

    def named_parameters(self, prefix: str = "") -> Iterator[tuple[str, Parameter]]:
        """Every parameter once, with its dotted name."""
        seen = set()
        for mname, m in self.named_modules(prefix):
            for pname, p in m._params.items():
                if id(p) not in seen:
                    seen.add(id(p))
                    yield (f"{mname}.{pname}" if mname else pname), p

    def parameters(self) -> list[Parameter]:
        """Every parameter once, in a fixed order."""
        return [p for _, p in self.named_parameters()]

    def named_buffers(self) -> Iterator[tuple[str, np.ndarray]]:
        """Every buffer with its dotted name."""
        for mname, m in self.named_modules():
            for bname, b in m._buffers.items():
                yield (f"{mname}.{bname}" if mname else bname), b

    # ------------------------------------------------------------------ modes
    def train(self, mode: bool = True) -> "Module":
        """Training mode (Dropout drops, BatchNorm uses batch statistics); returns self."""
        for m in self.modules():
            object.__setattr__(m, "training", bool(mode))
        return self

    def eval(self) -> "Module":
        """Evaluation mode; returns self."""
        return self.train(False)

    def zero_grad(self) -> None:
        """Forget every parameter's gradient."""
        for p in self.parameters():
            p.grad = None

    # ------------------------------------------------------------------ state
    def state_dict(self) -> "OrderedDict[str, np.ndarray]":
        """Copies of every parameter and buffer, by dotted name."""
        out: OrderedDict = OrderedDict()
        for name, p in self.named_parameters():
            out[name] = np.array(p.data)
        for name, b in self.named_buffers():
            out[name] = np.array(b)
        return out

    def load_state_dict(self, state: Any, strict: bool = True) -> None:
        """Load values by name; every shape is checked before anything changes."""
        targets: dict[str, Any] = dict(self.named_parameters())
        buffers = {}
        for mname, m in self.named_modules():
            for bname in m._buffers:
                buffers[f"{mname}.{bname}" if mname else bname] = (m, bname)
        keys = set(state)
        missing = [k for k in list(targets) + list(buffers) if k not in keys]
        unexpected = [k for k in keys if k not in targets and k not in buffers]
        if strict and (missing or unexpected):
            raise KeyError(f"load_state_dict: missing {missing}, unexpected {unexpected}")
        staged = []
        for k in keys:
            value = np.asarray(state[k])
            if k in targets:
                cur = targets[k].data
            elif k in buffers:
                m, b = buffers[k]
                cur = m._buffers[b]
            else:
                continue
            if value.shape != cur.shape:
                raise ValueError(f"load_state_dict: {k!r} has shape {value.shape} (dtype "
                                 f"{value.dtype}) in the state but {cur.shape} (dtype "
                                 f"{cur.dtype}) in the model; nothing was loaded")
            staged.append((cur, value))
        for cur, value in staged:  # all checks passed: now copy
            cur[...] = value

    def save(self, path: str) -> None:
        """Write the state to an ``.npz`` file (no pickle)."""
        with open(path, "wb") as fh:
            np.savez(fh, **self.state_dict())

    def load(self, path: str, strict: bool = True) -> None:
        """Read a state written by :meth:`save` (``allow_pickle=False``)."""
        with np.load(path, allow_pickle=False) as data:
            self.load_state_dict({k: data[k] for k in data.files}, strict=strict)

    def __repr__(self) -> str:
        inner = "".join(f"\n  ({k}): " + repr(m).replace("\n", "\n  ")
                        for k, m in self._modules.items())
        extra = self.extra_repr()
        return f"{type(self).__name__}({extra}{inner}{chr(10) if inner else ''})"

    def extra_repr(self) -> str:
        """Text inside the parentheses of ``repr``."""
        return ""


class Sequential(Module):
    """Modules applied one after another.

    >>> import compgraph as cg
    >>> net = cg.nn.Sequential(cg.nn.Linear(3, 4, seed=0), cg.nn.ReLU(), cg.nn.Linear(4, 2, seed=1))
    >>> net(cg.tensor([[1.0, 2.0, 3.0]])).shape
    (1, 2)
    """

    def __init__(self, *layers: Module):
        super().__init__()
        for k, layer in enumerate(layers):
            if not isinstance(layer, Module):
                raise TypeError(f"Sequential: item {k} is a {type(layer).__name__}, not a Module")
            setattr(self, str(k), layer)

    def forward(self, x: Any) -> Any:
        for layer in self._modules.values():
            x = layer(x)
        return x

    def __getitem__(self, i: int) -> Module:
        return list(self._modules.values())[i]

    def __len__(self) -> int:
        return len(self._modules)
