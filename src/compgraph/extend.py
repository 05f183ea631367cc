"""HIPS autograd's ``autograd.extend``: ``primitive``, ``defvjp``, ``defjvp`` ... on
compgraph's custom ops.

A ``primitive`` is a user-defined op (:mod:`compgraph.custom`): its body runs without
recording, on constant Tensors, and its derivative comes only from the rules given by
``defvjp`` / ``defjvp``.  The rules receive ``ans`` and the arguments as Tensors
connected to the graph when the gradient is itself differentiated, so gradients of
gradients work wherever the rules are written with compgraph functions (as in autograd,
where they are written with ``autograd.numpy``).

Differences from autograd, on purpose: arguments that are not arrays or Tensors
(numbers, ``None``, shapes, strings, functions) and all keyword arguments are constants
of the call (autograd cannot differentiate with respect to them either, except Python
numbers: pass a Tensor to differentiate with respect to a number); a missing rule is
reported when the gradient is asked for, not when the function runs; ``Box``/``VSpace``
are not provided (compgraph traces Tensors, not boxes).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable
from typing import Any

import numpy as np

from . import transforms
from .custom import UserOp, custom_jvp
from .functions import cg
from .grad_mode import no_grad
from .ops.args import SYMBOLIC_TYPES
from .tensor import Tensor

__all__ = [
    "primitive",
    "notrace_primitive",
    "defvjp",
    "defvjp_argnum",
    "defvjp_argnums",
    "defjvp",
    "defjvp_argnum",
    "defjvp_argnums",
    "def_linear",
]

# (argnums, ans, args, kwargs) -> (g -> gradients for argnums), autograd's general form
VjpMaker = Callable[[tuple, Any, tuple, dict], Callable[[Any], Iterable[Any]]]
# (argnums, tangents, ans, args, kwargs) -> the output's tangent
JvpMaker = Callable[[tuple, list, Any, tuple, dict], Any]


def _is_array(v: Any) -> bool:
    return isinstance(v, (Tensor, np.ndarray, np.generic)) or type(v) in SYMBOLIC_TYPES


def _holds_traced(v: Any) -> bool:
    if isinstance(v, Tensor):
        return bool(v.requires_grad)
    if isinstance(v, (list, tuple)):
        return any(_holds_traced(c) for c in v)
    if isinstance(v, dict):
        return any(_holds_traced(c) for c in v.values())
    return False


class _Call:
    """The constant part of one call: the non-array arguments (by position), the
    keyword arguments, the number of arguments.  Compared by identity: a call's
    constants are attributes of its op node, never keys."""

    __slots__ = ("static", "kwargs", "n", "dyn_pos")

    def __init__(self, static: dict, kwargs: dict, n: int, dyn_pos: tuple):
        self.static, self.kwargs, self.n, self.dyn_pos = static, kwargs, n, dyn_pos

    def args(self, dyn: Any) -> tuple:
        it = iter(dyn)
        return tuple(self.static[i] if i in self.static else next(it) for i in range(self.n))


class _Primitive(custom_jvp):
    """A function whose derivatives are given by rules (autograd's ``primitive``)."""

    def __init__(self, fn: Callable):
        super().__init__(fn, nondiff_argnums=(0,))
        self.fun = fn
        self.name = getattr(fn, "__name__", None) or repr(fn)
        self.vjp_maker: VjpMaker | None = None
        self.jvp_maker: JvpMaker | None = None
        self.primal = self._primal
        self.fwd = self._fwd
        self.bwd = self._bwd
        custom_jvp.defjvp(self, self._jvp_rule)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        static: dict[int, Any] = {}
        dyn: list[Any] = []
        pos: list[int] = []
        for i, a in enumerate(args):
            if _is_array(a):
                dyn.append(a)
                pos.append(i)
            else:
                if _holds_traced(a):
                    raise TypeError(
                        f"primitive {self.name}: argument {i} is a "
                        f"{type(a).__name__} holding Tensors that require grad; a "
                        f"primitive differentiates only array arguments (pass each array "
                        f"as its own argument)"
                    )
                static[i] = a
        for k, v in kwargs.items():
            if _holds_traced(v):
                raise TypeError(
                    f"primitive {self.name}: keyword argument {k!r} holds Tensors that "
                    f"require grad; keyword arguments are constants of a primitive (pass it "
                    f"positionally to differentiate with respect to it)"
                )
        call = _Call(static, dict(kwargs), len(args), tuple(pos))
        return UserOp.__call__(self, call, *dyn)

    def _primal(self, call: _Call, *dyn: Any) -> Any:
        plain = [a.detach() if isinstance(a, Tensor) else a for a in dyn]
        with no_grad():
            return self.fun(*call.args(plain), **call.kwargs)

    def _fwd(self, call: _Call, *dyn: Any) -> tuple:
        return self._primal(call, *dyn), dyn

    def _bwd(
        self, res: tuple, g: Any, out: Any, needs: Any, first_order: bool, nondiff: tuple
    ) -> list:
        call: _Call = nondiff[0]
        argnums = tuple(p for p, need in zip(call.dyn_pos, needs) if need)
        grads: list[Any] = [None] * len(call.dyn_pos)
        if not argnums:
            return grads
        if self.vjp_maker is None:
            raise NotImplementedError(
                f"VJP of {self.name} wrt argnums {argnums} not defined (call defvjp)"
            )
        # first order: the output's array; a Tensor or a graph value otherwise
        ans = Tensor(out) if isinstance(out, (np.ndarray, np.generic, float, int)) else out
        vjp = self.vjp_maker(argnums, ans, call.args(res), call.kwargs)
        got = iter(vjp(g))
        for k, need in enumerate(needs):
            if need:
                grads[k] = next(got)
        return grads

    def _jvp_rule(self, call: _Call, primals: list, tangents: list) -> tuple:
        args = call.args(primals)
        ans = self(*args, **call.kwargs)
        argnums, gs = [], []
        for p, t in zip(call.dyn_pos, tangents):
            argnums.append(p)
            gs.append(t)
        if self.jvp_maker is not None:
            return ans, self.jvp_maker(tuple(argnums), gs, ans, args, call.kwargs)
        if self.vjp_maker is None:
            raise NotImplementedError(
                f"JVP of {self.name} wrt argnums {tuple(argnums)} not defined (call defjvp)"
            )
        return ans, self._jvp_by_vjp(tuple(argnums), gs, ans, args, call.kwargs)

    def _jvp_by_vjp(self, argnums: tuple, gs: list, ans: Any, args: tuple, kwargs: dict) -> Any:
        """Forward mode from the reverse rule alone: the VJP is linear in its cotangent
        ``u``, so the gradient of ``u -> <vjp(u), t>`` is ``J @ t``.  compgraph's hessian
        (forward over reverse) needs it where autograd's (reverse over reverse) does not."""
        assert self.vjp_maker is not None
        maker = self.vjp_maker

        def pairing(u: Any) -> Any:
            total: Any = 0.0
            for gi, t in zip(maker(argnums, ans, args, kwargs)(u), gs):
                if gi is not None:
                    total = total + cg.sum(gi * t)
            return total

        return transforms.grad(pairing)(cg.zeros_like(ans))


def primitive(f_raw: Callable) -> Any:
    """Wrap ``f_raw`` so that its derivatives come from rules given later with
    :func:`defvjp` / :func:`defjvp` (autograd's ``primitive``).

    The body runs without recording, on constant Tensors; its result must be one
    array (a Tensor, an ndarray or a number).

    >>> import compgraph as cg
    >>> from compgraph.extend import primitive, defvjp
    >>> @primitive
    ... def cube(x):
    ...     return x ** 3
    >>> defvjp(cube, lambda ans, x: lambda g: 3 * x ** 2 * g)
    >>> float(cg.grad(cg.grad(cube))(2.0))
    12.0
    """
    return _Primitive(f_raw)


def notrace_primitive(f_raw: Callable) -> Callable:
    """A function whose result is a constant for differentiation (autograd's
    ``notrace_primitive``): it sees its arguments' values and is never traced."""

    def wrapped(*args: Any, **kwargs: Any) -> Any:
        plain = [a.detach() if isinstance(a, Tensor) else a for a in args]
        with no_grad():
            return f_raw(*plain, **kwargs)

    wrapped.__name__ = getattr(f_raw, "__name__", "notrace_primitive")
    wrapped.__doc__ = getattr(f_raw, "__doc__", None)
    return wrapped


def _check(fun: Any, where: str) -> _Primitive:
    if not isinstance(fun, _Primitive):
        raise TypeError(
            f"{where}: expected a function made by compgraph.extend.primitive, got "
            f"{type(fun).__name__}"
        )
    return fun


def _zeros_like(v: Any) -> Any:
    if isinstance(v, Tensor) or type(v) in SYMBOLIC_TYPES:
        return cg.zeros_like(v)
    return Tensor(np.zeros(np.shape(v), np.result_type(v)))


def defvjp_argnums(fun: Any, vjpmaker: VjpMaker) -> None:
    """Set ``vjpmaker(argnums, ans, args, kwargs) -> (g -> one gradient per argnum)``
    as ``fun``'s reverse-mode rule (autograd's ``defvjp_argnums``)."""
    _check(fun, "defvjp_argnums").vjp_maker = vjpmaker


def defvjp_argnum(fun: Any, vjpmaker: Callable) -> None:
    """Set ``vjpmaker(argnum, ans, args, kwargs) -> (g -> gradient)``, called once per
    differentiated argument (autograd's ``defvjp_argnum``)."""

    def maker(argnums: tuple, ans: Any, args: tuple, kwargs: dict) -> Callable:
        vjps = [vjpmaker(a, ans, args, kwargs) for a in argnums]
        return lambda g: [v(g) for v in vjps]

    defvjp_argnums(fun, maker)


def defvjp(fun: Any, *vjpmakers: Callable | None, argnums: Iterable[int] | None = None) -> None:
    """Set one rule per argument, ``vjpmaker(ans, *args, **kwargs) -> (g -> gradient)``
    (None: no dependence on that argument), for arguments 0, 1, ... or ``argnums``
    (autograd's ``defvjp``).  A gradient asked for an argument without a rule raises
    NotImplementedError."""
    prim = _check(fun, "defvjp")
    nums = itertools.count() if argnums is None else argnums
    rules: dict[int, Callable | None] = {}
    for a, m in zip(nums, vjpmakers):
        if m is not None and not callable(m):
            raise TypeError(f"defvjp: bad VJP {m!r} for {prim.name}: expected a function")
        rules[int(a)] = m

    def maker(wanted: tuple, ans: Any, args: tuple, kwargs: dict) -> Callable:
        missing = [a for a in wanted if a not in rules]
        if missing:
            raise NotImplementedError(f"VJP of {prim.name} wrt argnum {missing[0]} not defined")
        vjps = []
        for a in wanted:
            m = rules[a]
            if m is None:
                zero = _zeros_like(args[a])
                vjps.append(lambda g, z=zero: z)
            else:
                vjps.append(m(ans, *args, **kwargs))
        return lambda g: [v(g) for v in vjps]

    prim.vjp_maker = maker


def _sum(parts: list, ans: Any) -> Any:
    total = None
    for p in parts:
        total = p if total is None else total + p
    return total if total is not None else _zeros_like(ans)


def _nonzero(t: Any) -> bool:
    return bool(np.any(np.asarray(t.detach() if isinstance(t, Tensor) else t)))


def defjvp_argnums(fun: Any, jvpmaker: JvpMaker) -> None:
    """Set ``jvpmaker(argnums, tangents, ans, args, kwargs) -> output tangent`` as
    ``fun``'s forward-mode rule (autograd's ``defjvp_argnums``)."""
    _check(fun, "defjvp_argnums").jvp_maker = jvpmaker


def defjvp_argnum(fun: Any, jvpmaker: Callable) -> None:
    """Set ``jvpmaker(argnum, g, ans, args, kwargs) -> contribution``, summed over the
    arguments with tangents (autograd's ``defjvp_argnum``)."""

    def maker(argnums: tuple, gs: list, ans: Any, args: tuple, kwargs: dict) -> Any:
        return _sum([jvpmaker(a, g, ans, args, kwargs) for a, g in zip(argnums, gs)], ans)

    defjvp_argnums(fun, maker)


def defjvp(fun: Any, *jvpfuns: Any, argnums: Iterable[int] | None = None) -> None:
    """Set one forward rule per argument, ``jvpfun(g, ans, *args, **kwargs) ->
    contribution`` (None: no dependence; ``"same"``: the function is linear in that
    argument), for arguments 0, 1, ... or ``argnums`` (autograd's ``defjvp``)."""
    prim = _check(fun, "defjvp")
    nums = itertools.count() if argnums is None else argnums
    rules: dict[int, Any] = {}
    for a, r in zip(nums, jvpfuns):
        if r is not None and r != "same" and not callable(r):
            raise TypeError(f"defjvp: bad JVP {r!r} for {prim.name}: expected a function")
        rules[int(a)] = r

    def maker(wanted: tuple, gs: list, ans: Any, args: tuple, kwargs: dict) -> Any:
        parts = []
        for a, g in zip(wanted, gs):
            if a not in rules:
                # compgraph passes zero tangents for untouched inputs: only a real
                # tangent needs a rule
                if _nonzero(g):
                    raise NotImplementedError(f"JVP of {prim.name} wrt argnum {a} not defined")
                continue
            r = rules[a]
            if r is None:
                continue
            if r == "same":
                parts.append(prim(*_subval(args, a, g), **kwargs))
            else:
                parts.append(r(g, ans, *args, **kwargs))
        return _sum(parts, ans)

    prim.jvp_maker = maker


def _subval(args: tuple, i: int, v: Any) -> tuple:
    return args[:i] + (v,) + args[i + 1 :]


def def_linear(fun: Any) -> None:
    """Declare ``fun`` linear in every array argument: its forward rule is ``fun``
    applied to the tangent (autograd's ``def_linear``)."""
    prim = _check(fun, "def_linear")
    defjvp_argnum(prim, lambda a, g, ans, args, kwargs: prim(*_subval(tuple(args), a, g), **kwargs))
