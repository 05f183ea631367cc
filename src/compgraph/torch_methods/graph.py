"""``grad_fn`` as PyTorch shows it (``grad_fn.name()``, ``grad_fn.next_functions``
with :class:`AccumulateGrad` for leaves), micrograd's ``t.label``, and PyTorch's
``cg.inference_mode``."""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from typing import Any

from ..autodiff.recording import Node
from ..grad_mode import STATE as GRAD_STATE
from ..tensor import Tensor

__all__ = ["AccumulateGrad", "OpName", "inference_mode", "is_inference_mode_enabled"]


# ------------------------------------------------------------------ inference mode
class _Inference(threading.local):
    depth = 0  # how many inference_mode(True) blocks are open in this thread


_INFERENCE = _Inference()


class inference_mode:
    """PyTorch's ``torch.inference_mode(mode=True)``: a context manager or decorator
    (``@cg.inference_mode`` or ``@cg.inference_mode()``) in which nothing is recorded,
    as :class:`~compgraph.no_grad` (compgraph has no separate inference tensors);
    ``mode=False`` changes nothing.

    >>> import compgraph as cg
    >>> x = cg.ones(2, requires_grad=True)
    >>> with cg.inference_mode():
    ...     y = x * 2
    >>> y.requires_grad, cg.is_inference_mode_enabled()
    (False, False)
    """

    def __new__(cls, mode: Any = True) -> Any:
        if callable(mode) and not isinstance(mode, bool):  # @cg.inference_mode
            return cls()(mode)
        return super().__new__(cls)

    def __init__(self, mode: bool = True) -> None:
        self.mode = bool(mode)
        self._prev: list = []

    def __enter__(self) -> None:
        self._prev.append(GRAD_STATE.enabled)
        if self.mode:
            GRAD_STATE.enabled = False
            _INFERENCE.depth += 1

    def __exit__(self, *exc: Any) -> None:
        GRAD_STATE.enabled = self._prev.pop()
        if self.mode:
            _INFERENCE.depth -= 1

    def __call__(self, fn: Callable) -> Callable:
        mode = self.mode

        @functools.wraps(fn)
        def wrapper(*args: Any, **kw: Any) -> Any:
            with inference_mode(mode):
                return fn(*args, **kw)

        return wrapper

    def clone(self) -> inference_mode:
        """A new context manager with the same mode (as PyTorch's)."""
        return inference_mode(self.mode)


def is_inference_mode_enabled() -> bool:
    """Whether an ``inference_mode(True)`` block is open (PyTorch's
    ``torch.is_inference_mode_enabled``)."""
    return _INFERENCE.depth > 0


# ------------------------------------------------------------------ grad_fn
class AccumulateGrad:
    """PyTorch's node for a leaf in ``grad_fn.next_functions``: ``.variable`` is the leaf."""

    __slots__ = ("variable",)

    def __init__(self, variable: Any) -> None:
        self.variable = variable

    def name(self) -> str:
        """``"AccumulateGrad"``, as PyTorch."""
        return "AccumulateGrad"

    @property
    def next_functions(self) -> tuple:
        """Nothing: a leaf has no inputs."""
        return ()

    def __repr__(self) -> str:
        return "<AccumulateGrad>"


class OpName(str):
    """``grad_fn.name``: the op's name, callable as PyTorch's ``grad_fn.name()``."""

    __slots__ = ()

    def __call__(self) -> str:
        return str(self)


def _node_name(node: Node) -> OpName:
    """The op's name (PyTorch shows ``MulBackward0``; compgraph shows ``multiply``);
    ``grad_fn.name()`` works too."""
    return OpName(node.op.label)


def _next_functions(node: Node) -> tuple:
    """PyTorch's ``((node, 0), ...)``, one pair per input: the node that made it, an
    :class:`AccumulateGrad` for a leaf, or None for an input needing no gradient."""
    return tuple((AccumulateGrad(p) if isinstance(p, Tensor) else p, 0) for p in node.parents)


def _label(self) -> str | None:
    """micrograd's ``label``: the tensor's ``name``."""
    return self.name


def _set_label(self, value: str | None) -> None:
    self.name = value
