"""What the package publishes, once every method is written: PyTorch's top-level names of
functions declared under other names (``SPECIAL_ALIASES``), PyTorch's functions that are
its methods with the tensor first (``FUNCTIONS``), the functions taking ``axis`` that
also take ``dim=`` (``DIM_FUNCTIONS``), and the methods and properties put on Tensor
and on the graph's Node."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..autodiff.recording import Node
from ..ops.defaults import get_default_dtype, set_default_dtype
from ..ops.namespace import cg
from ..ops.registry import PUBLIC, subscribe
from ..ops.torch_math import TORCH_ALIASES
from ..tensor import Tensor
from .base import _METHODS, _method
from .creation import cat
from .dims import _axis_functions, _install_dims
from .dtypes import is_complex, is_floating_point
from .extra import EXTRA_FUNCTIONS
from .graph import (
    _label,
    _next_functions,
    _node_name,
    _set_label,
    inference_mode,
    is_inference_mode_enabled,
)
from .inplace_more import INPLACE_FUNCTIONS
from .legacy import LEGACY_TYPES
from .printing import set_printoptions
from .shape import Size, _size
from .threads import get_num_threads, set_num_threads

__all__ = ["SPECIAL_ALIASES", "FUNCTIONS", "DIM_FUNCTIONS"]


# ------------------------------------------------------------------ other names, as torch
def _special(name: str) -> Callable:
    front = PUBLIC[name]
    assert front.function is not None
    return front.function


def _special_method(name: str, fn: Callable, n_first: bool = False) -> None:
    def method(self, *args: Any) -> Any:
        return fn(args[0], self) if n_first else fn(self, *args)

    method.__doc__ = f"``{fn.__name__}`` as PyTorch's ``t.{name}(...)``."
    _method(name)(method)


#: PyTorch's top-level names of functions declared under other names (``cg.lgamma`` is
#: ``cg.special.gammaln``, ``cg.inverse`` is ``cg.linalg.inv``: the same objects).
SPECIAL_ALIASES: dict[str, Callable] = {n: _special(d) for n, d in TORCH_ALIASES.items()}
for _name, _fn in SPECIAL_ALIASES.items():
    # (torch has no Tensor.broadcast_tensors or Tensor.row_stack: functions of several)
    if not hasattr(Tensor, _name) and _name not in ("broadcast_tensors", "row_stack"):
        _special_method(_name, _fn, n_first=_name == "polygamma")


def _function_of(name: str) -> Callable:
    method = _METHODS[name]

    def fn(input: Any, *args: Any, **kw: Any) -> Any:
        return method(input if isinstance(input, Tensor) else cg.asarray(input), *args, **kw)

    fn.__name__ = fn.__qualname__ = name
    fn.__module__ = "compgraph"
    fn.__doc__ = f"PyTorch's ``torch.{name}(input, ...)``: ``input.{name}(...)``."
    return fn


#: PyTorch's functions that are its Tensor methods with the tensor first
#: (``cg.unsqueeze(x, 0)``), for the names compgraph does not otherwise have.
FUNCTIONS: dict[str, Callable] = {
    n: _function_of(n)
    for n in (
        "unsqueeze permute clamp clamp_min clamp_max mm bmm mv chunk topk masked_fill t "
        "clone lerp index_select unbind rsqrt flatten unflatten mul sub div neg eq ne lt le "
        "gt ge"
    ).split()
    if n not in PUBLIC  # (a declared function of that name stays: cg.true_divide ...)
}
FUNCTIONS["cat"] = cat
FUNCTIONS.update(
    Size=Size,
    inference_mode=inference_mode,
    is_inference_mode_enabled=is_inference_mode_enabled,
    is_floating_point=is_floating_point,
    is_complex=is_complex,
    get_default_dtype=get_default_dtype,
    set_default_dtype=set_default_dtype,
    set_num_threads=set_num_threads,
    set_printoptions=set_printoptions,
    **LEGACY_TYPES,
    get_num_threads=get_num_threads,
    **SPECIAL_ALIASES,
)
FUNCTIONS.update(EXTRA_FUNCTIONS)
FUNCTIONS.update(INPLACE_FUNCTIONS)


#: The public functions that take ``axis``, as ``cg.<name>`` also taking PyTorch's
#: ``dim=``/``keepdim=`` (compgraph's namespace holds these; the declarations keep theirs).
DIM_FUNCTIONS: dict[str, Callable] = _axis_functions()


def _install() -> None:
    subscribe(_install_dims)
    for name, fn in _METHODS.items():
        setattr(Tensor, name, fn)
    # grad_fn is the graph's Node itself; these two read as PyTorch's.
    Node.name = property(_node_name)  # type: ignore[assignment,method-assign]
    Node.next_functions = property(_next_functions)  # type: ignore[assignment,method-assign]
    Tensor.size = property(_size)  # type: ignore[assignment,method-assign]
    Tensor.label = property(_label, _set_label)  # type: ignore[attr-defined]


_install()
