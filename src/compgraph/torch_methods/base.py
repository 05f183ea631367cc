"""The table of the Tensor methods this package writes (by PyTorch's name) and the
argument helpers they share: PyTorch's sizes as varargs or one sequence, and its
``dim=``/``keepdim=`` as NumPy's ``axis=``/``keepdims=``."""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Callable

__all__ = ["ValuesIndices"]

#: The methods written here, by PyTorch's name (collected by :func:`_method`).
_METHODS: dict[str, Callable] = {}
#: (values, indices) as PyTorch's ``torch.return_types.max`` and the like.
ValuesIndices = namedtuple("ValuesIndices", ["values", "indices"])


def _method(name: str) -> Callable:
    def register(fn: Callable) -> Callable:
        fn.__name__ = fn.__qualname__ = name
        _METHODS[name] = fn
        return fn

    return register


def _dims(args: tuple) -> tuple:
    """``f(2, 3)``, ``f((2, 3))`` or ``f([2, 3])`` as a tuple of ints."""
    if len(args) == 1 and isinstance(args[0], (tuple, list)):
        args = tuple(args[0])
    return tuple(int(a) for a in args)


def _torch_axes(kw: dict) -> dict:
    """PyTorch's ``dim=``/``keepdim=`` as NumPy's ``axis=``/``keepdims=``."""
    if "dim" in kw:
        d = kw.pop("dim")
        kw["axis"] = tuple(d) if isinstance(d, list) else d
    if "keepdim" in kw:
        kw["keepdims"] = kw.pop("keepdim")
    return kw
