"""Automatic differentiation: define-by-run recording, the reverse-mode engine, forward mode.

``cg.autodiff.grad`` is the old name of PyTorch's ``torch.autograd.grad``, now
``cg.autograd.grad`` (JAX's ``grad`` is ``cg.grad``); it stays as an alias.
"""

from ..grad_mode import enable_grad, is_grad_enabled, no_grad, set_grad_enabled
from .engine import backward, grad

__all__ = ["backward", "grad", "no_grad", "enable_grad", "set_grad_enabled", "is_grad_enabled"]
