"""PyTorch's Tensor methods, installed on :class:`~compgraph.Tensor`.

Every method of a declared function that takes ``axis`` also takes PyTorch's ``dim=``
and ``keepdim=`` (``t.sum(dim=1, keepdim=True)``); the methods below add PyTorch's
names (``view unsqueeze permute t expand repeat to double ...``) and the in-place
methods (``add_ mul_ zero_ fill_ clamp_ copy_ exp_ uniform_ ...``) with PyTorch's rules
on leaves: refused on a leaf that requires grad while recording, done in place under
``cg.no_grad()``, recorded (the tensor then stands for its new value) on other tensors.

Where NumPy's method of the same name means something else, PyTorch's keywords choose
PyTorch's meaning and positional calls keep NumPy's:

* ``t.max(dim=1)`` / ``t.min(dim=1)`` / ``t.sort(dim=1)`` return ``(values, indices)``
  as PyTorch; ``t.max(1)`` returns NumPy's values (PyTorch would return the pair);
* ``t.std(dim=...)``/``t.var(dim=...)`` (or ``unbiased=``/``correction=``) use
  PyTorch's unbiased estimate; ``t.std()`` is NumPy's (``ddof=0``);
* ``t.size`` is NumPy's element count and, called, PyTorch's ``t.size()`` (a
  :class:`Size`, the tuple subclass ``cg.Size`` that compares equal to tuples) /
  ``t.size(d)``; ``len(t)`` and ``t.shape`` are NumPy's;
* ``t.repeat(2, 3)`` tiles as PyTorch when given a count for every dimension (so
  ``t.repeat(2)`` of a 1-D tensor tiles); fewer counts (where PyTorch raises) or
  ``axis=`` give NumPy's repeat (``t.repeat(2, 0)`` of a 3-D tensor);
* ``t.transpose(d0, d1)`` with two dims swaps them, as PyTorch (NumPy would read them
  as a full permutation, the same thing for 1-0 and a no-op for 0-1 on 2-D);
* ``t.flatten(start_dim, end_dim)`` is PyTorch's; ``t.flatten()`` is the same in both;
* ``t.squeeze(d)`` leaves a dimension that is not of size 1 alone, as PyTorch.

>>> import compgraph as cg
>>> x = cg.ones(2, 3, requires_grad=True)
>>> x.size(), x.size(1), x.view(-1).shape, x.unsqueeze(0).size() == (1, 2, 3)
(cg.Size([2, 3]), 3, (6,), True)

The modules, one theme each: ``base`` (the method table and argument helpers),
``shape`` (sizes and shapes), ``dtypes`` (dtype and device), ``named`` (methods named
for what they compute), ``dims`` (``dim=`` adaptors, ``(values, indices)``),
``inplace`` and ``inplace_more`` (the in-place methods), ``extra`` and ``extra_props`` (more methods and properties), ``creation`` (``new_*`` and top-level functions),
``graph`` (``grad_fn``, ``inference_mode``), ``threads`` (``set_num_threads``), ``printing`` (``set_printoptions``), ``legacy`` (``FloatTensor``, ``x.type()``) and
``install`` (what is published and put on Tensor).
"""

from __future__ import annotations

from ..ops.defaults import get_default_dtype, set_default_dtype
from .base import ValuesIndices
from .creation import cat, from_numpy, is_tensor, numel
from .dtypes import is_complex, is_floating_point
from .graph import AccumulateGrad, OpName, inference_mode, is_inference_mode_enabled
from .install import DIM_FUNCTIONS, FUNCTIONS, SPECIAL_ALIASES
from .shape import Size, SizeInt

__all__ = [
    "OpName",
    "AccumulateGrad",
    "SizeInt",
    "Size",
    "inference_mode",
    "is_inference_mode_enabled",
    "is_floating_point",
    "is_complex",
    "get_default_dtype",
    "set_default_dtype",
    "SPECIAL_ALIASES",
    "from_numpy",
    "numel",
    "is_tensor",
    "cat",
    "FUNCTIONS",
    "DIM_FUNCTIONS",
    "ValuesIndices",
]
