"""``cg.autograd.Function``: PyTorch's way to define an op with its own backward.

A subclass defines ``forward(ctx, *args)`` and ``backward(ctx, *grads)`` as static
methods and is called as ``Cls.apply(*args)``.  It becomes a user-defined op of the
registry (see :mod:`compgraph.custom`), named by the class's module and qualified
name, so it works in every front end.  As in PyTorch, ``forward`` runs without
recording; tensors saved with ``ctx.save_for_backward`` come back from
``ctx.saved_tensors``, and when the backward is itself differentiated
(``create_graph=True``) a saved input or output is the graph's own tensor, so
second derivatives flow through it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

from ..autodiff.recording import TensorBase, wrap
from ..custom import UserOp
from ..grad_mode import no_grad
from ..static.ir import Symbol

__all__ = ["Function", "FunctionCtx"]


class FunctionCtx:
    """The ``ctx`` of ``forward``/``backward``: ``save_for_backward``, ``saved_tensors``,
    ``needs_input_grad``, and any attribute ``forward`` sets for ``backward``."""

    def __init__(self, inputs: Sequence[Any] = ()):
        self._inputs = tuple(inputs)
        self._saved: tuple = ()
        self._out: Any = None
        self._connected = False
        self.needs_input_grad = tuple(isinstance(a, TensorBase) and a._rg for a in inputs)
        self.materialize_grads = True

    def save_for_backward(self, *tensors: Any) -> None:
        """Keep tensors (inputs, outputs or others) for ``backward``."""
        self._saved = tensors

    def mark_non_differentiable(self, *tensors: Any) -> None:
        """Accepted for PyTorch code; a user op's output is differentiable or not by its
        backward (return None for inputs with no gradient)."""

    def set_materialize_grads(self, value: bool) -> None:
        """Accepted for PyTorch code (gradients always arrive as tensors here)."""
        self.materialize_grads = bool(value)

    @property
    def saved_tensors(self) -> tuple:
        """The tensors given to ``save_for_backward``: when the backward is itself
        differentiated, a saved input or output is the graph's own (connected) tensor."""
        if not self._connected:
            return tuple(_constant(t) for t in self._saved)
        out = []
        for t in self._saved:
            if any(t is a for a in self._inputs):
                out.append(t)
            elif self._out is not None and _is_output(t, self._out):
                out.append(self._out)
            else:
                out.append(_constant(t))
        return tuple(out)


def _constant(t: Any) -> Any:
    if isinstance(t, TensorBase):
        return wrap(t._data)
    return t


def _is_output(t: Any, out: Any) -> bool:
    return isinstance(t, TensorBase) and isinstance(out, TensorBase) and t._data is out._data


class _FunctionOp(UserOp):
    """The user op behind an ``autograd.Function`` subclass."""

    def __init__(self, cls: type[Function]):
        self.cls = cls
        super().__init__(
            cls,
            primal=self._primal,
            fwd=self._fwd,
            bwd=self._bwd,
            jvp=None,
            kind="autograd.Function",
        )

    def _primal(self, *args: Any) -> Any:
        return self.cls.forward(FunctionCtx(args), *args)

    def _fwd(self, *args: Any) -> tuple:
        ctx = FunctionCtx(args)
        with no_grad():
            out = self.cls.forward(ctx, *args)
        if isinstance(out, (tuple, list)):
            raise TypeError(
                f"{self.cls.__qualname__}.forward returned {len(out)} values; a "
                f"user-defined op has one output (stack several into one array)"
            )
        ctx._out = out if isinstance(out, (TensorBase, Symbol)) else None
        return out, ctx

    def _bwd(
        self,
        ctx: FunctionCtx,
        g: Any,
        out: Any,
        needs: Sequence[bool],
        first_order: bool,
        nondiff: tuple = (),
    ) -> Any:
        ctx._connected = not first_order
        if not first_order and isinstance(out, (TensorBase, Symbol)):
            ctx._out = out  # the output at its place in the graph (saved outputs connect)
        ctx.needs_input_grad = tuple(needs)
        return self.cls.backward(ctx, g)


class _FunctionMeta(type):
    def __init__(cls, name: str, bases: tuple, ns: dict):
        super().__init__(name, bases, ns)
        if bases and "forward" in ns:
            # a subclass of Function: only Function's class statement has no bases
            cls._op = _FunctionOp(cast("type[Function]", cls))


class Function(metaclass=_FunctionMeta):
    """Base class of ops with their own forward and backward (PyTorch's
    ``torch.autograd.Function``).

    >>> import compgraph as cg
    >>> class Exp(cg.autograd.Function):
    ...     @staticmethod
    ...     def forward(ctx, x):
    ...         y = cg.exp(x)
    ...         ctx.save_for_backward(y)
    ...         return y
    ...     @staticmethod
    ...     def backward(ctx, g):
    ...         (y,) = ctx.saved_tensors
    ...         return g * y
    >>> x = cg.tensor(0.0, requires_grad=True)
    >>> Exp.apply(x).backward()
    >>> x.grad
    Tensor(1.)
    """

    _op: _FunctionOp

    @staticmethod
    def forward(ctx: FunctionCtx, *args: Any) -> Any:
        """The output, computed from the inputs (override)."""
        raise NotImplementedError("subclasses of cg.autograd.Function define forward")

    @staticmethod
    def backward(ctx: FunctionCtx, *grads: Any) -> Any:
        """One gradient per input of ``forward`` (None where there is none) (override)."""
        raise NotImplementedError("subclasses of cg.autograd.Function define backward")

    @classmethod
    def apply(cls, *args: Any) -> Any:
        """Run the op: ``forward`` now, ``backward`` when gradients are asked for."""
        return cls._op(*args)
