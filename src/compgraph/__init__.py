"""compgraph: computational graphs and automatic differentiation in Python + NumPy.

>>> import compgraph as cg
>>> x = cg.tensor(3.0, requires_grad=True)
>>> y = (3 * x + 2) ** 4
>>> y.backward()
>>> float(x.grad)
15972.0
"""

from . import (
    autodiff,
    autograd,
    data,
    distributed,  # MPI is loaded only by init() or a collective
    fft,
    linalg,
    nn,
    ops,  # registers every primitive
    optim,
    special,
    stats,
)
from .autodiff.recording import Node
from .custom import custom_gradient, custom_jvp, custom_vjp
from .explain import explain
from .functions import *  # noqa: F403  (every declared public function)
from .functions import __all__ as _functions_all
from .grad_mode import enable_grad, is_grad_enabled, no_grad, set_grad_enabled
from .gradcheck import GradcheckError, gradcheck
from .ops.registry import PUBLIC as _PUBLIC
from .static import Graph, Symbol, function
from .tape import GradientTape
from .tensor import Tensor, constant, tensor
from .transforms import grad, hessian, jacfwd, jacobian, jacrev, jvp, value_and_grad, vjp
from .variable import Variable
from .viz import draw, to_dot

__version__ = "0.1.0"

__all__ = [
    "Tensor",
    "Node",
    "tensor",
    "constant",
    "gradcheck",
    "GradcheckError",
    "no_grad",
    "enable_grad",
    "set_grad_enabled",
    "is_grad_enabled",
    "autodiff",
    "autograd",
    "ops",
    "grad",
    "value_and_grad",
    "jacobian",
    "jacfwd",
    "jacrev",
    "hessian",
    "jvp",
    "vjp",
    "Variable",
    "GradientTape",
    "Graph",
    "Symbol",
    "function",
    "draw",
    "to_dot",
    "explain",
    "custom_vjp",
    "custom_jvp",
    "custom_gradient",
    "nn",
    "optim",
    "data",
    "distributed",
    "linalg",
    "fft",
    "special",
    "stats",
    *[n for n in _functions_all if n not in ("dispatch", "defpublic")],
]


def __getattr__(name: str):
    """Functions declared after import (a user's ``defop``) are ``cg.<name>`` too."""
    front = _PUBLIC.get(name)
    if front is not None and front.function is not None:
        return front.function
    raise AttributeError(f"module 'compgraph' has no attribute {name!r}")


def __dir__() -> list:
    return sorted(set(globals()) | {n for n, f in _PUBLIC.items() if f.function is not None})
