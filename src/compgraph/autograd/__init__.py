"""PyTorch's ``torch.autograd`` names: ``grad``, ``backward``, ``Function``, ``functional``.

``cg.autograd.grad`` returns gradients without touching ``.grad`` (PyTorch's
``torch.autograd.grad``; JAX's function transform is ``cg.grad``).
"""

from ..autodiff.engine import backward, grad
from . import functional
from .function import Function, FunctionCtx

__all__ = ["grad", "backward", "Function", "FunctionCtx", "functional"]
