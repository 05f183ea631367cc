"""Automatic differentiation: grad mode, the reverse-mode engine and gradcheck."""
from .engine import backward, grad
from .gradcheck import GradcheckError, gradcheck
from ..grad_mode import enable_grad, is_grad_enabled, no_grad, set_grad_enabled

__all__ = ["backward", "grad", "gradcheck", "GradcheckError", "no_grad", "enable_grad",
           "set_grad_enabled", "is_grad_enabled"]
