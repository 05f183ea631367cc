"""compgraph: computational graphs and automatic differentiation in Python + NumPy.

>>> import compgraph as cg
>>> x = cg.tensor(3.0, requires_grad=True)
>>> y = (3 * x + 2) ** 4
>>> y.backward()
>>> float(x.grad)
15972.0
"""
from . import ops  # noqa: F401  (registers every primitive)
from .tensor import Node, Tensor, constant, tensor
from .functions import *  # noqa: F401,F403
from .functions import __all__ as _functions_all
from . import autodiff
from .static import Graph, Symbol, function
from .variable import Variable
from .viz import draw, to_dot
from .explain import explain
from . import data, nn, optim
from .tape import GradientTape
from .transforms import grad, hessian, jacfwd, jacobian, jacrev, jvp, value_and_grad, vjp
from .autodiff import (GradcheckError, enable_grad, gradcheck, is_grad_enabled, no_grad,
                       set_grad_enabled)

__version__ = "0.1.0"

__all__ = ["Tensor", "Node", "tensor", "constant", "gradcheck", "GradcheckError", "no_grad",
           "enable_grad", "set_grad_enabled", "is_grad_enabled", "autodiff", "ops", "grad", "value_and_grad",
           "jacobian", "jacfwd", "jacrev", "hessian", "jvp", "vjp", "Variable", "GradientTape", "Graph",
           "Symbol", "function", "draw", "to_dot", "explain", "nn", "optim", "data",
           *_functions_all]
