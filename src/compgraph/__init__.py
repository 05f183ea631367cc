"""compgraph: computational graphs and automatic differentiation in Python + NumPy.

>>> import compgraph as cg
>>> x = cg.tensor(3.0, requires_grad=True)
>>> y = (3 * x + 2) ** 4
>>> y.backward()
>>> x.grad.item()  # (cg.float is a dtype in this module, as torch.float)
15972.0
"""

from . import (
    autodiff,
    autograd,
    data,
    distributed,  # MPI is loaded only by init() or a collective
    extend,
    fft,
    image,
    lax,
    linalg,
    misc,
    nn,
    ops,  # registers every primitive
    optim,
    random,
    scipy,
    signal,
    special,
    stats,
    tf_linalg,  # noqa: F401  (puts TF's names into cg.linalg)
    tf_random,  # noqa: F401  (puts TF's names into cg.random)
    torch_methods,
    tree_util,
)
from . import numpy as numpy  # (an attribute, not in __all__: a star import keeps NumPy)
from .array_api import *  # noqa: F403  (dtypes, devices, __array_namespace_info__ ...)
from .array_api import INTERNAL as _ARRAY_API_INTERNAL
from .array_api import __all__ as _array_api_all

# PyTorch's dtype names float/int and the standard's bool: attributes, not in __all__.
from .array_api import bool as bool  # noqa: A004
from .array_api import float as float  # noqa: A004
from .array_api import int as int  # noqa: A004
from .autodiff.recording import Node
from .batched import vmap
from .custom import custom_gradient, custom_jvp, custom_vjp
from .explain import explain
from .functions import *  # noqa: F403  (every declared public function)
from .functions import __all__ as _functions_all
from .grad_mode import enable_grad, is_grad_enabled, no_grad, set_grad_enabled
from .gradcheck import GradcheckError, gradcheck
from .hips_names import HIPS_TOP as _HIPS_TOP
from .jax_names import JAX_TOP as _JAX_TOP
from .nn.functional import cosine_similarity, pairwise_distance, pdist
from .nn.torch_functions import TORCH_TOP as _TORCH_TOP
from .ops.registry import PUBLIC as _PUBLIC
from .random import (
    Generator,
    bernoulli,
    get_rng_state,
    initial_seed,
    manual_seed,
    multinomial,
    rand,
    rand_like,
    randint,
    randint_like,
    randn,
    randn_like,
    randperm,
    seed,
    set_rng_state,
)
from .random import torch_normal as normal
from .static import Graph, Symbol, function
from .tape import GradientTape, UnconnectedGradients
from .tensor import Tensor, constant, tensor
from .tf_module import Module
from .tf_names import TF_TOP as _TF_TOP
from .tfmath import (
    add_n,
    boolean_mask,
    broadcast_dynamic_shape,
    broadcast_static_shape,
    case,
    cast,
    clip_by_global_norm,
    clip_by_norm,
    clip_by_value,
    cond,
    convert_to_tensor,
    dynamic_partition,
    dynamic_stitch,
    ensure_shape,
    executing_eagerly,
    fill,
    floordiv,
    foldl,
    foldr,
    gather,
    gather_nd,
    get_static_value,
    group,
    identity_n,
    map_fn,
    no_op,
    norm,
    one_hot,
    parallel_stack,
    rank,
    realdiv,
    reduce_all,
    reduce_any,
    reduce_euclidean_norm,
    reduce_logsumexp,
    reduce_max,
    reduce_mean,
    reduce_min,
    reduce_prod,
    reduce_std,
    reduce_sum,
    reduce_variance,
    reverse,
    reverse_sequence,
    saturate_cast,
    scalar_mul,
    scan,
    scatter_nd,
    sequence_mask,
    shape_n,
    strided_slice,
    switch_case,
    tensor_scatter_nd_add,
    tensor_scatter_nd_max,
    tensor_scatter_nd_min,
    tensor_scatter_nd_sub,
    tensor_scatter_nd_update,
    truediv,
    truncatediv,
    truncatemod,
    unique_with_counts,
    unravel_index,
    vectorized_map,
    while_loop,
)

# TensorFlow's tf.math, tf.range, tf.slice and tf.print, and NumPy's shape/size:
# attributes, not in __all__ (a star import must not shadow the standard library's math
# or the builtins).
from .tfmath import math as math  # noqa: A004
from .tfmath import print as print  # noqa: A004
from .tfmath import range as range  # noqa: A004
from .tfmath import shape as shape
from .tfmath import size as size
from .tfmath import slice as slice  # noqa: A004
from .torch_methods import DIM_FUNCTIONS as _DIM_FUNCTIONS
from .torch_methods import FUNCTIONS as _TORCH_FUNCTIONS
from .torch_methods import from_numpy, is_tensor, numel
from .transforms import grad, hessian, jacfwd, jacobian, jacrev, jvp, value_and_grad, vjp
from .variable import Variable
from .viz import draw, to_dot

__version__ = "0.1.0"

jit = function  # JAX's name: the same object (static_argnums / static_argnames as jax.jit)

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
    "vmap",
    "cosine_similarity",
    "pairwise_distance",
    "pdist",
    "jit",
    "Variable",
    "UnconnectedGradients",
    "Module",
    "reduce_sum",
    "reduce_mean",
    "reduce_max",
    "reduce_min",
    "reduce_prod",
    "reduce_all",
    "reduce_any",
    "reduce_logsumexp",
    "reduce_std",
    "reduce_variance",
    "reduce_euclidean_norm",
    "cast",
    "norm",
    "clip_by_value",
    "clip_by_norm",
    "clip_by_global_norm",
    "add_n",
    "gather",
    "boolean_mask",
    "one_hot",
    "fill",
    "convert_to_tensor",
    "executing_eagerly",
    "rank",
    "gather_nd",
    "scatter_nd",
    "tensor_scatter_nd_update",
    "tensor_scatter_nd_add",
    "tensor_scatter_nd_sub",
    "sequence_mask",
    "reverse",
    "cond",
    "while_loop",
    "map_fn",
    "foldl",
    "foldr",
    "scan",
    "truediv",
    "floordiv",
    "realdiv",
    "truncatediv",
    "truncatemod",
    "scalar_mul",
    "case",
    "switch_case",
    "unique_with_counts",
    "dynamic_partition",
    "dynamic_stitch",
    "reverse_sequence",
    "tensor_scatter_nd_max",
    "tensor_scatter_nd_min",
    "saturate_cast",
    "strided_slice",
    "unravel_index",
    "ensure_shape",
    "identity_n",
    "shape_n",
    "parallel_stack",
    "vectorized_map",
    "get_static_value",
    "broadcast_static_shape",
    "broadcast_dynamic_shape",
    "no_op",
    "group",
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
    *[n for n in _array_api_all if n not in _ARRAY_API_INTERNAL],
    "random",
    "torch_methods",
    "lax",
    "signal",
    "image",
    "scipy",
    "tree_util",
    "extend",
    "misc",
    "Generator",
    "bernoulli",
    "get_rng_state",
    "initial_seed",
    "manual_seed",
    "multinomial",
    "normal",
    "rand",
    "rand_like",
    "randint",
    "randint_like",
    "randn",
    "randn_like",
    "randperm",
    "seed",
    "set_rng_state",
    "from_numpy",
    "is_tensor",
    "numel",
    *_TORCH_FUNCTIONS,
]

# PyTorch functions that are its Tensor methods with the tensor first (cg.unsqueeze(x, 0))
globals().update(_TORCH_FUNCTIONS)
# cg.sum(x, dim=1): the functions taking axis also take PyTorch's dim=/keepdim= (where
# the name here is still the declared function, not another library's spelling).
globals().update(
    {n: f for n, f in _DIM_FUNCTIONS.items() if globals().get(n) is getattr(f, "__wrapped__", None)}
)
# PyTorch's other top-level names (torch.conv2d, torch.hann_window ...), where free
_NEW_TOP = {
    n: f
    for n, f in {**_TF_TOP, **_HIPS_TOP, **_JAX_TOP, **_TORCH_TOP}.items()
    if n not in globals()
}
globals().update(_NEW_TOP)
__all__ += list(_NEW_TOP)


def __getattr__(name: str):
    """Functions declared after import (a user's ``defop``) are ``cg.<name>`` too."""
    front = _PUBLIC.get(name)
    if front is not None and front.function is not None:
        return front.function
    raise AttributeError(f"module 'compgraph' has no attribute {name!r}")


def __dir__() -> list:
    return sorted(set(globals()) | {n for n, f in _PUBLIC.items() if f.function is not None})
