"""HIPS autograd's top-level names that compgraph did not publish yet
(``elementwise_grad``, ``make_vjp``, ``hessian_vector_product`` ...), by name in
``HIPS_TOP``: the package publishes each as ``cg.<name>`` unless that name is taken.

They follow autograd's conventions: ``op(fun, argnum=0)`` differentiates with respect
to positional argument ``argnum`` (a tuple of them makes the argument a tuple), the
wrapped function takes ``fun``'s arguments, values are Tensors (``float(...)`` and
``np.asarray(...)`` work on them), and arguments may be nests of tuples, lists and
dicts.  Every one is built on :mod:`compgraph.transforms` (``grad``, ``vjp``, ``jvp``,
``jacobian``), so they compose with each other and with JAX's spellings.
"""

from __future__ import annotations

import collections
import functools
import inspect
import warnings
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from . import transforms
from .autodiff.tree import flatten, tree_map
from .extend import defvjp_argnum, primitive
from .functions import cg
from .tensor import Tensor

__all__ = [
    "HIPS_TOP",
    "elementwise_grad",
    "grad_and_aux",
    "make_vjp",
    "make_jvp",
    "holomorphic_grad",
    "tensor_jacobian_product",
    "vector_jacobian_product",
    "hessian_tensor_product",
    "hessian_vector_product",
    "make_hvp",
    "make_ggnvp",
    "grad_named",
    "multigrad_dict",
    "checkpoint",
    "deriv",
]


def _unary(
    fun: Callable, argnum: int | Sequence[int], args: tuple, kwargs: dict, where: str
) -> tuple[Callable, Any]:
    """``fun`` as a function of its argument(s) ``argnum`` alone, and their values
    (autograd's ``unary_to_nary``): a tuple ``argnum`` makes one tuple argument."""
    n = len(args)
    single = isinstance(argnum, (int, np.integer)) and not isinstance(argnum, bool)
    if isinstance(argnum, (int, np.integer)):
        nums: tuple[int, ...] = (int(argnum),)
    else:
        nums = tuple(int(a) for a in argnum)
    for a in nums:
        if not -n <= a < n:
            raise ValueError(
                f"{where}: argnum {argnum!r} is out of range for a call with {n} "
                f"positional argument(s)"
            )
    nums = tuple(a % n for a in nums)

    def call(x: Any) -> Any:
        new = list(args)
        for a, v in zip(nums, (x,) if single else tuple(x)):
            new[a] = v
        return fun(*new, **kwargs)

    x = args[nums[0]] if single else tuple(args[a] for a in nums)
    return call, x


def _ones_like(tree: Any) -> Any:
    return tree_map(lambda y: cg.ones_like(y if isinstance(y, Tensor) else cg.asarray(y)), tree)


def _is_complex(tree: Any) -> bool:
    return any(np.result_type(np.asarray(y)).kind == "c" for y in flatten(tree)[0])


def make_vjp(fun: Callable, argnum: int | Sequence[int] = 0) -> Callable:
    """``make_vjp(fun, argnum)(*args) -> (vjp, ans)``: ``fun``'s value and its pullback
    ``vjp(g)``, the gradient of ``g · fun`` with ``args[argnum]``'s structure
    (autograd's ``make_vjp``; note the order, the reverse of ``cg.vjp``'s).

    >>> import compgraph as cg
    >>> vjp, ans = cg.make_vjp(lambda x: x * x)(3.0)
    >>> float(ans), float(vjp(1.0))
    (9.0, 6.0)
    """

    @functools.wraps(fun)
    def wrapped(*args: Any, **kwargs: Any) -> tuple[Callable, Any]:
        unary, x = _unary(fun, argnum, args, kwargs, "make_vjp")
        ans, pull = transforms.vjp(unary, x)

        def vjp(g: Any) -> Any:
            return pull(g)[0]

        return vjp, ans

    return wrapped


def elementwise_grad(fun: Callable, argnum: int | Sequence[int] = 0) -> Callable:
    """The sum of each column of ``fun``'s Jacobian, in one reverse pass: the
    derivative of an elementwise function at every point (autograd's
    ``elementwise_grad``).  Complex outputs are a TypeError, as in autograd.

    >>> import compgraph as cg
    >>> cg.elementwise_grad(lambda x: x ** 2)(cg.tensor([1.0, 2.0]))
    Tensor([2., 4.])
    """

    @functools.wraps(fun)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        unary, x = _unary(fun, argnum, args, kwargs, "elementwise_grad")
        ans, pull = transforms.vjp(unary, x)
        if _is_complex(ans):
            raise TypeError("elementwise_grad only applies to real-output functions")
        return pull(_ones_like(ans))[0]

    return wrapped


def grad_and_aux(fun: Callable, argnum: int | Sequence[int] = 0) -> Callable:
    """For ``fun`` returning ``(value, aux)``: ``(gradient of value, aux)`` (autograd's
    ``grad_and_aux``; a vector value gives the sum of the Jacobian's rows, as there)."""

    @functools.wraps(fun)
    def wrapped(*args: Any, **kwargs: Any) -> tuple[Any, Any]:
        unary, x = _unary(fun, argnum, args, kwargs, "grad_and_aux")

        def pair(v: Any) -> tuple:
            out = unary(v)
            if not isinstance(out, (tuple, list)) or len(out) != 2:
                raise TypeError("grad_and_aux: the function must return a pair (value, aux)")
            return out[0], out[1]

        ans, pull, aux = transforms.vjp(pair, x, has_aux=True)
        g = pull(_ones_like(ans))[0]
        if not any(isinstance(v, Tensor) and v.requires_grad for v in flatten(g)[0]):
            # a top-level call: aux is a plain value, as autograd's (cg.vjp keeps its graph)
            aux = tree_map(lambda v: v.detach() if isinstance(v, Tensor) else v, aux)
        return g, aux

    return wrapped


def make_jvp(fun: Callable, argnum: int | Sequence[int] = 0) -> Callable:
    """``make_jvp(fun, argnum)(*args) -> jvp``; ``jvp(v) -> (ans, J @ v)`` by forward
    mode (autograd's ``make_jvp``).

    >>> import compgraph as cg
    >>> ans, t = cg.make_jvp(lambda x: x ** 3)(2.0)(1.0)
    >>> float(ans), float(t)
    (8.0, 12.0)
    """

    @functools.wraps(fun)
    def wrapped(*args: Any, **kwargs: Any) -> Callable:
        unary, x = _unary(fun, argnum, args, kwargs, "make_jvp")

        def jvp(v: Any) -> tuple[Any, Any]:
            return transforms.jvp(unary, (x,), (v,))

        return jvp

    return wrapped


def deriv(fun: Callable, argnum: int | Sequence[int] = 0) -> Callable:
    """The forward-mode derivative along all-ones: ``J @ 1`` (autograd's ``deriv``;
    the derivative for a scalar input)."""

    @functools.wraps(fun)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        unary, x = _unary(fun, argnum, args, kwargs, "deriv")
        return transforms.jvp(unary, (x,), (_ones_like(x),))[1]

    return wrapped


def holomorphic_grad(fun: Callable, argnum: int | Sequence[int] = 0) -> Callable:
    """The complex derivative of a holomorphic ``fun`` (autograd's ``holomorphic_grad``:
    the gradient of its real part, which for a holomorphic function is ``f'(z)``).
    A real input warns, as in autograd."""

    @functools.wraps(fun)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        unary, x = _unary(fun, argnum, args, kwargs, "holomorphic_grad")
        if not _is_complex(x):
            warnings.warn("Input to holomorphic_grad is not complex", stacklevel=2)
            return transforms.grad(lambda v: cg.real(unary(v)))(x)
        return transforms.grad(unary, holomorphic=True)(x)

    return wrapped


def tensor_jacobian_product(fun: Callable, argnum: int = 0) -> Callable:
    """``f(*args, tensor)``: ``tensor`` contracted with ``fun``'s Jacobian over the
    output's leading ``tensor.ndim`` axes (autograd's ``tensor_jacobian_product``;
    ``vector_jacobian_product`` is the same function)."""

    def vector_dot_fun(*args: Any, **kwargs: Any) -> Any:
        args, vector = args[:-1], args[-1]
        return cg.tensordot(vector, fun(*args, **kwargs), axes=int(np.ndim(vector)))

    return transforms.jacobian(vector_dot_fun, argnum)


vector_jacobian_product = tensor_jacobian_product


def hessian_tensor_product(fun: Callable, argnum: int = 0) -> Callable:
    """``f(*args, tensor)``: the Hessian of a scalar ``fun`` contracted with ``tensor``,
    by reverse-over-reverse (autograd's ``hessian_tensor_product``;
    ``hessian_vector_product`` is the same function).

    >>> import compgraph as cg
    >>> hvp = cg.hessian_vector_product(lambda x: (x ** 3).sum())
    >>> hvp(cg.tensor([1.0, 2.0]), cg.tensor([1.0, 1.0]))
    Tensor([ 6., 12.])
    """
    fun_grad = transforms.grad(fun, argnum)

    def vector_dot_grad(*args: Any, **kwargs: Any) -> Any:
        args, vector = args[:-1], args[-1]
        return cg.tensordot(fun_grad(*args, **kwargs), vector, axes=int(np.ndim(vector)))

    return transforms.grad(vector_dot_grad, argnum)


hessian_vector_product = hessian_tensor_product


def make_hvp(fun: Callable, argnum: int | Sequence[int] = 0) -> Callable:
    """``make_hvp(fun, argnum)(*args) -> (hvp, grad)``: Hessian-vector products at one
    point, reusing its forward pass, and the gradient there (autograd's ``make_hvp``)."""

    @functools.wraps(fun)
    def wrapped(*args: Any, **kwargs: Any) -> tuple[Callable, Any]:
        unary, x = _unary(fun, argnum, args, kwargs, "make_hvp")
        g, pull = transforms.vjp(transforms.grad(unary), x)

        def hvp(v: Any) -> Any:
            return pull(v)[0]

        return hvp, g

    return wrapped


def _half_sq(x: Any) -> Any:
    return 0.5 * cg.sum(x**2, axis=-1)


def make_ggnvp(f: Callable, g: Callable = _half_sq, f_argnum: int = 0) -> Callable:
    """``make_ggnvp(f, g, f_argnum)(*args) -> ggnvp``; ``ggnvp(v) = Jfᵀ Hg Jf v``, the
    generalized Gauss-Newton product of ``g∘f`` (autograd's ``make_ggnvp``; ``g``
    defaults to half the sum of squares over the last axis)."""

    @functools.wraps(f)
    def wrapped(*args: Any, **kwargs: Any) -> Callable:
        unary, x = _unary(f, f_argnum, args, kwargs, "make_ggnvp")
        f_x, f_vjp = transforms.vjp(unary, x)
        _, g_hvp = transforms.vjp(transforms.grad(g), f_x)

        def ggnvp(v: Any) -> Any:
            jv = transforms.jvp(unary, (x,), (v,))[1]
            return f_vjp(g_hvp(jv)[0])[0]

        return ggnvp

    return wrapped


def _positional_names(fun: Callable) -> list[str]:
    params = inspect.signature(fun).parameters.values()
    return [p.name for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]


def grad_named(fun: Callable, argname: str) -> Callable:
    """The gradient with respect to the argument named ``argname`` (autograd's
    ``grad_named``; not for ``*args`` or ``**kwargs``)."""
    names = _positional_names(fun)
    if argname not in names:
        raise ValueError(
            f"grad_named: {getattr(fun, '__name__', fun)!r} has no positional argument "
            f"{argname!r} (it has {names})"
        )
    return transforms.grad(fun, names.index(argname))


def multigrad_dict(fun: Callable) -> Callable:
    """Gradients with respect to every argument at once, as an ordered dict from
    argument name to gradient (autograd's ``multigrad_dict``; defaults are included)."""
    sig = inspect.signature(fun)
    params = sig.parameters
    var_pos = [n for n, p in params.items() if p.kind is p.VAR_POSITIONAL]
    var_kwd = [n for n, p in params.items() if p.kind is p.VAR_KEYWORD]
    names = [n for n in params if n not in var_pos + var_kwd]

    @functools.wraps(fun)
    def gradfun(*args: Any, **kwargs: Any) -> collections.OrderedDict:
        bound = sig.bind(*args, **kwargs)
        bound.apply_defaults()
        argdict = dict(bound.arguments)

        def newfun(d: dict) -> Any:
            pos = tuple(d[n] for n in names if params[n].kind is not params[n].KEYWORD_ONLY)
            kw = {n: d[n] for n in names if params[n].kind is params[n].KEYWORD_ONLY}
            extra = tuple(d[var_pos[0]]) if var_pos else ()
            more = dict(d[var_kwd[0]]) if var_kwd else {}
            return fun(*(pos + extra), **kw, **more)

        grads = transforms.grad(newfun)(argdict)
        return collections.OrderedDict((n, grads[n]) for n in argdict)

    return gradfun


def checkpoint(fun: Callable) -> Callable:
    """``fun`` with the same values and gradients, whose intermediate values are not
    kept: the backward pass runs ``fun`` again (autograd's ``checkpoint``, trading time
    for memory).  ``fun`` returns one array."""

    def vjp_maker(argnum: int, ans: Any, args: tuple, kwargs: dict) -> Callable:
        return make_vjp(fun, argnum)(*args, **kwargs)[0]

    wrapped = primitive(fun)
    defvjp_argnum(wrapped, vjp_maker)
    return wrapped


#: HIPS autograd's top-level names written or collected here.
HIPS_TOP: dict[str, Callable] = {n: globals()[n] for n in __all__ if n != "HIPS_TOP"}
