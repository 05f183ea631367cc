"""Users' own operations: ``cg.custom_vjp``, ``cg.custom_jvp``, ``cg.custom_gradient``
and ``cg.autograd.Function`` (API section 8).

The four spellings are one mechanism: each user function becomes an op of the
registry (:func:`user_op`), named by its module and qualified name
(``"mymodule:clip_gradient"``), whose forward calls the user's function on arrays
and whose rules call the user's rules.  Being an ordinary op, it works wherever
built-in ops do: ``backward()``, tapes, ``cg.grad``/``cg.vjp`` (to any order when the
rule is written with ``cg`` functions), forward mode (when it has a JVP rule),
``cg.function`` tracing and ``Graph.compile`` (one node calling the user's forward),
symbolic ``Graph.gradients``, ``cg.explain`` and pictures (shown by the function's
name).  Only exporting it to ONNX is refused, naming it.

How each spelling fills the op:

* ``custom_vjp``: the forward runs the user's ``fwd`` while recording, so the
  residuals stay connected to the inputs (second derivatives flow through them);
  the backward calls ``bwd(residuals, g)``.  Forward mode raises ``TypeError``.
* ``custom_jvp``: forward mode calls the user's rule; reverse mode transposes it (the
  rule is linear in the tangents, so the reverse derivative of ``t -> jvp(x, t)`` is
  the transposed Jacobian), as JAX does.
* ``custom_gradient``: TensorFlow's ``f(x) -> (y, grad_fn)``; ``grad_fn`` is the
  residual.
* ``autograd.Function``: PyTorch's ``forward(ctx, ...)`` runs without recording and
  ``backward(ctx, g)`` reads ``ctx.saved_tensors``; a saved input or output is
  connected to the graph when the backward is itself differentiated.

In a static graph a user op is one node; its symbolic gradient re-runs the user's
forward rule on the graph's values to get the residuals, then the backward rule.
Deliberate limits: one output per user function (return a stacked array for
several), and arguments are arrays, Tensors or numbers.
"""

from __future__ import annotations

import functools
import inspect
import threading
from collections.abc import Callable, Sequence
from typing import Any, cast

import numpy as np

from .autodiff import engine
from .autodiff.recording import TENSOR, TensorBase, new_node, push_tangents, wrap
from .grad_mode import RECORD_HOOKS, STATE, VARIABLE_HOOK, enable_grad, no_grad
from .ops.args import SYMBOLIC_TYPES
from .ops.meta import by_example
from .ops.registry import NUMPY, OPS, Op, defop, undef
from .ops.spec import no
from .static.ir import SYMBOLIC, Symbol

__all__ = ["custom_vjp", "custom_jvp", "custom_gradient", "user_op", "UserOp"]


# ------------------------------------------------------------------ values in and out
def _as_array(v: Any, where: str) -> Any:
    """A user function's result as the array a graph holds."""
    if isinstance(v, TensorBase):
        return v._data
    if isinstance(v, (np.ndarray, np.generic)):
        return v
    if isinstance(v, (bool, int, float, complex)):
        return np.asarray(v)[()]
    if isinstance(v, (tuple, list)):
        raise TypeError(
            f"{where}: returned {len(v)} values; a user-defined op has one "
            f"output (stack several into one array)"
        )
    raise TypeError(f"{where}: returned a {type(v).__name__}, expected a Tensor or an array")


def _plain_tensor(v: Any) -> Any:
    """An input as the value the user's function sees: Tensors stay, arrays become
    constant Tensors, numbers stay numbers."""
    if isinstance(v, TensorBase) or isinstance(v, (bool, int, float, complex)):
        return v
    return wrap(np.asarray(v))


def _grads(result: Any, n: int, where: str) -> list:
    """A backward rule's result as one entry per input (None allowed)."""
    if not isinstance(result, (tuple, list)):
        result = (result,)
    result = list(result)
    if len(result) != n:
        raise ValueError(
            f"{where}: the backward rule returned {len(result)} gradient(s) for "
            f"{n} input(s); return one per input (None where there is none)"
        )
    return result


def _to_namespace(gs: list, first_order: bool) -> list:
    """Gradients as the engine's namespace wants them: arrays (first order) or Tensors."""
    out: list[Any] = []
    for g in gs:
        if g is None:
            out.append(None)
        elif first_order:
            out.append(g._data if isinstance(g, TensorBase) else np.asarray(g))
        else:
            out.append(g if isinstance(g, (TensorBase, Symbol)) else wrap(np.asarray(g)))
    return out


# ------------------------------------------------------------------ the op
class UserOp:
    """A user-defined op: the registry's op and the user's rules behind it.

    ``primal(*args) -> out``: the function's value.  ``fwd(*args) -> (out, res)``: value
    and residuals (recorded when inputs require grad).  ``bwd(res, g, out, needs,
    first_order, nondiff) -> cotangents``.  ``jvp`` is the user's forward-mode rule.
    ``nondiff``: positions of arguments that are not arrays (JAX's ``nondiff_argnums``):
    they reach the rules as they are and become a static attribute of the op's node.
    """

    def __init__(
        self,
        fn: Callable,
        primal: Callable,
        fwd: Callable | None,
        bwd: Callable | None,
        jvp: Callable | None,
        kind: str,
        nondiff: Sequence[int] = (),
    ):
        self.fn, self.primal, self.fwd, self.bwd, self.jvp, self.kind = (
            fn,
            primal,
            fwd,
            bwd,
            jvp,
            kind,
        )
        self.nondiff = tuple(int(i) for i in nondiff)
        self._inside = _Inside()
        self.op = user_op(fn, self)

    def split(self, args: Sequence[Any]) -> tuple[list, dict]:
        """The array arguments (the op's inputs) and the static ones (an attribute)."""
        if not self.nondiff:
            return list(args), {}
        if any(i >= len(args) for i in self.nondiff):
            raise TypeError(
                f"{self.op.label}: nondiff_argnums {self.nondiff} name arguments "
                f"past the {len(args)} given"
            )
        static = tuple(args[i] for i in self.nondiff)
        return [a for i, a in enumerate(args) if i not in self.nondiff], {"nondiff": static}

    def merge(self, values: Sequence[Any], nondiff: tuple = ()) -> list:
        """All arguments in their order again, from the inputs and the static ones."""
        if not self.nondiff:
            return list(values)
        it, fixed = iter(values), dict(zip(self.nondiff, nondiff))
        return [fixed[i] if i in fixed else next(it) for i in range(len(values) + len(fixed))]

    # -- dynamic graphs
    def __call__(self, *args: Any) -> Any:
        dyn, attrs = self.split(args)
        if any(type(a) in SYMBOLIC_TYPES for a in dyn):
            return type(next(a for a in dyn if type(a) in SYMBOLIC_TYPES)).__cg_apply__(
                self.op, tuple(dyn), attrs
            )
        vals = [_plain_tensor(a) for a in dyn]
        full = self.merge(vals, attrs.get("nondiff", ()))
        if self._inside.depth:
            # The forward rule calling the function itself (JAX's ``f_fwd`` returns
            # ``f(x), res``): that call gives the value; this op records it.
            with no_grad():
                return wrap(_as_array(self.primal(*full), self.op.label))
        rg = STATE.enabled and any(isinstance(a, TensorBase) and a._rg for a in dyn)
        tan = any(isinstance(a, TensorBase) and a._tan is not None for a in dyn)
        if rg and self.fwd is not None:
            self._inside.depth += 1
            try:
                out, res = self.fwd(*full)
            finally:
                self._inside.depth -= 1
        else:
            with no_grad():
                out = self.primal(*full)
            res = None
        data = _as_array(out, self.op.label)
        t = wrap(data)
        if rg:
            parents = tuple(
                (a._node if a._node is not None else a)
                if isinstance(a, TensorBase) and a._rg
                else None
                for a in dyn
            )
            saved = (res,) if self.fwd is not None else tuple(vals)
            node = new_node(
                self.op, attrs, parents, saved, data, np.shape(data), np.result_type(data)
            )
            t._rg, t._node = True, node
            for a in dyn:
                if isinstance(a, TensorBase) and a._capturable and a._rg and a._node is None:
                    # a Variable (its slot): its next assign must not touch this buffer
                    cast(Any, a)._captured = True
                    if VARIABLE_HOOK[0] is not None:
                        VARIABLE_HOOK[0](a)
            for hook in RECORD_HOOKS:
                hook(self.op, tuple(dyn), attrs, t)
        if tan:
            push_tangents(self.op, dyn, attrs, t)
        return t

    def __repr__(self) -> str:
        return f"<{self.kind} {self.op.label}>"


class _Inside(threading.local):
    depth = 0


def _op_name(fn: Callable) -> str:
    return f"{getattr(fn, '__module__', None) or '__main__'}:{getattr(fn, '__qualname__', fn)}"


def user_op(fn: Callable, user: UserOp) -> Op:
    """Declare (or re-declare) the registry op of a user function, named by its module
    and qualified name.  A module-level function defined again (a re-run notebook cell)
    replaces its op; functions made inside other functions get numbered names."""
    name = _op_name(fn)
    old = OPS.get(name)
    if old is not None:
        if "<locals>" in name:
            k = 2
            while f"{name}#{k}" in OPS:
                k += 1
            name = f"{name}#{k}"
        else:
            undef(name)
    label = getattr(fn, "__name__", name)
    n = None if user.kind == "autograd.Function" else _arity(fn)
    return defop(
        name,
        functools.partial(_forward, user),
        vjp=functools.partial(_vjp, user),
        jvp=functools.partial(_jvp, user) if user.jvp is not None else None,
        nargs=None,
        save_out=True,
        residuals=functools.partial(_residuals, user),
        shape=_shape_rule(user),
        dtype=_dtype_rule(user),
        label=label,
        short=label,
        custom=user,
        deriv=tuple(f"d{label}/d{a} (user rule)" for a in (_argnames(fn, n) or ("x",))),
        doc=getattr(fn, "__doc__", "") or "",
        names=no("a user-defined op: call the function"),
        method=no("a user-defined op"),
        numpy=no("a user-defined op"),
        cli=no("a user-defined op"),
        onnx=no(
            f"{label!r} is a user-defined op (compgraph op {name!r}); ONNX has no operator for it"
        ),
        batch=no("a user-defined rule runs once per direction"),
    )


def _arity(fn: Callable) -> int | None:
    try:
        params = list(inspect.signature(fn).parameters.values())
    except (TypeError, ValueError):
        return None
    if any(p.kind is p.VAR_POSITIONAL for p in params):
        return None
    return sum(1 for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD))


def _argnames(fn: Callable, n: int | None) -> tuple:
    try:
        params = list(inspect.signature(fn).parameters.values())
    except (TypeError, ValueError):
        return ()
    names = [p.name for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    if names and names[0] == "ctx":
        names = names[1:]
    return tuple(names)


def _forward(user: UserOp, *arrays: Any, nondiff: tuple = ()) -> Any:
    """The op's forward on arrays (static graphs, compiled code)."""
    with no_grad():
        out = user.primal(*user.merge([_plain_tensor(a) for a in arrays], nondiff))
    return _as_array(out, user.op.label)


def _shape_rule(user: UserOp) -> Callable:
    example = by_example(lambda *a, **k: _forward(user, *a, **k))

    def rule(metas: Sequence[Any], **attrs: Any) -> Any:
        try:
            return example(metas, **attrs)
        except Exception:  # the user's function cannot run on dummies: unknown
            return None

    return rule


def _dtype_rule(user: UserOp) -> Callable:
    def rule(metas: Sequence[Any], **attrs: Any) -> Any:
        dummies: list[Any] = []
        for m in metas:
            if isinstance(m, (bool, int, float, complex)):
                dummies.append(m)
            elif getattr(m, "dtype", None) is None:
                return None
            else:
                dummies.append(np.ones((), m.dtype))
        try:
            with np.errstate(all="ignore"):
                return np.result_type(_forward(user, *dummies, **attrs))
        except Exception:  # the user's function cannot run on dummies: unknown
            return None

    return rule


def _residuals(user: UserOp, inputs: Sequence[Any], nondiff: tuple = ()) -> tuple:
    """Residuals of a static-graph node: the user's forward rule re-run on its values."""
    if user.fwd is None:
        return tuple(inputs)
    user._inside.depth += 1
    try:
        _, res = user.fwd(*user.merge(inputs, nondiff))
    finally:
        user._inside.depth -= 1
    return (res,)


def _vjp(
    user: UserOp,
    ns: Any,
    g: Any,
    out: Any,
    saved: Sequence[Any],
    needs: Sequence[bool],
    nondiff: tuple = (),
) -> list:
    first_order = ns is NUMPY
    where = f"{user.op.label} (backward)"
    if user.bwd is not None:
        gt = wrap(g) if first_order else g
        prev = STATE.enabled
        try:
            result = user.bwd(saved[0], gt, out, needs, first_order, nondiff)
        finally:
            STATE.enabled = prev
        return _to_namespace(_grads(result, len(needs), where), first_order)
    return _transpose(user, ns, g, saved, needs, nondiff)


def _transpose(
    user: UserOp, ns: Any, g: Any, prims: Sequence[Any], needs: Sequence[bool], nondiff: tuple
) -> list:
    """The VJP of a custom_jvp function: its JVP rule is linear in the tangents, so the
    reverse derivative of ``t -> jvp(primals, t)`` at any t is the transposed Jacobian."""
    # Reached without a bwd: a custom_jvp (a custom_vjp refuses to run before defvjp),
    # and a custom_jvp refuses to run before defjvp.
    assert user.jvp is not None
    if ns is SYMBOLIC:
        ts = [SYMBOLIC.zeros_like(p) if isinstance(p, Symbol) else None for p in prims]
        graph = next(p.graph for p in prims if isinstance(p, Symbol))
        tangents = [t if t is not None else 0.0 for t in ts]
        _, tout = user.jvp(*nondiff, list(prims), tangents)
        wanted = [t for t, need in zip(ts, needs) if t is not None and need]
        gs = iter(graph.gradients(tout, wanted, grad_ys=g) if wanted else [])
        return [next(gs) if t is not None and need else None for t, need in zip(ts, needs)]
    first_order = ns is NUMPY
    prev = STATE.enabled
    try:
        with enable_grad():
            # First order: the primals are constants here (only ts are differentiated).
            primals = [
                wrap(_data(p)) if first_order and not isinstance(p, (int, float)) else p
                for p in prims
            ]
            ts = [
                wrap(np.zeros(np.shape(_data(p)), np.result_type(_data(p))), None, True)
                for p in prims
            ]
            _, tout = user.jvp(*nondiff, primals, ts)
            if not isinstance(tout, TensorBase) or not tout._rg:
                return [None] * len(prims)
            seed = g._data if isinstance(g, TensorBase) and first_order else g
            gs = engine.grad(tout, ts, seed, create_graph=not first_order, allow_unused=True)
    finally:
        STATE.enabled = prev
    return _to_namespace([gi if need else None for gi, need in zip(gs, needs)], first_order)


def _data(v: Any) -> Any:
    return v._data if isinstance(v, TensorBase) else v


def _jvp(
    user: UserOp,
    ns: Any,
    tins: Sequence[Any],
    out: Any,
    prims: Sequence[Any],
    nondiff: tuple = (),
) -> Any:
    """Forward mode: the user's rule, with missing tangents as zeros."""
    assert user.jvp is not None  # the op's jvp is this rule only once user.jvp is set
    first_order = ns is NUMPY
    primals = [_plain_tensor(p) for p in prims]
    tangents = []
    for p, t in zip(prims, tins):
        if t is None:
            t = np.zeros(np.shape(_data(p)), np.result_type(_data(p)))
        tangents.append(wrap(t) if not isinstance(t, TensorBase) else t)
    if ns is TENSOR or ns is NUMPY:
        _, tout = user.jvp(*nondiff, primals, tangents)
    else:
        _, tout = user.jvp(*nondiff, list(prims), list(tins))
    return _data(tout) if first_order else tout


# ------------------------------------------------------------------ the JAX spellings
class custom_vjp(UserOp):
    """A function with a custom reverse-mode rule (JAX's ``jax.custom_vjp``).

    >>> import compgraph as cg
    >>> @cg.custom_vjp
    ... def clip_gradient(x):
    ...     return x
    >>> clip_gradient.defvjp(lambda x: (x, None),
    ...                      lambda res, g: (cg.clip(g, -1, 1),))
    >>> cg.grad(lambda x: 3 * clip_gradient(x))(2.0)
    Tensor(1.)

    ``fwd(*args) -> (out, residuals)``; ``bwd(residuals, g) -> one cotangent per input``
    (None for none).  Forward mode (``cg.jvp``) through it raises ``TypeError``.
    ``nondiff_argnums`` (as JAX, also with ``functools.partial``): arguments that are not
    arrays (functions, options); ``bwd`` receives them first, ``bwd(*those, res, g)``, and
    returns cotangents for the other arguments only.
    """

    def __init__(self, fn: Callable, nondiff_argnums: Sequence[int] = ()):
        functools.update_wrapper(self, fn)
        self._fwd: Callable | None = None
        self._bwd: Callable | None = None
        super().__init__(
            fn, primal=fn, fwd=None, bwd=None, jvp=None, kind="custom_vjp", nondiff=nondiff_argnums
        )

    def defvjp(self, fwd: Callable, bwd: Callable) -> None:
        """Set the forward rule ``fwd(*args) -> (out, residuals)`` and the backward rule
        ``bwd(residuals, g) -> tuple of cotangents``."""
        self._fwd, self._bwd = fwd, bwd
        self.fwd = fwd
        self.bwd = lambda res, g, out, needs, first, nondiff: bwd(*nondiff, res, g)

    def __call__(self, *args: Any) -> Any:
        if self._fwd is None:
            raise TypeError(f"custom_vjp {self.op.label}: call defvjp(fwd, bwd) before using it")
        return super().__call__(*args)


class custom_jvp(UserOp):
    """A function with a custom forward-mode rule (JAX's ``jax.custom_jvp``); reverse mode
    transposes the rule, which must be linear in the tangents.

    >>> import compgraph as cg
    >>> @cg.custom_jvp
    ... def f(x):
    ...     return cg.sin(x)
    >>> @f.defjvp
    ... def f_jvp(primals, tangents):
    ...     (x,), (t,) = primals, tangents
    ...     return f(x), cg.cos(x) * t
    >>> cg.jvp(f, (0.0,), (2.0,))
    (Tensor(0.), Tensor(2.))
    >>> cg.grad(f)(0.0)
    Tensor(1.)
    """

    def __init__(self, fn: Callable, nondiff_argnums: Sequence[int] = ()):
        functools.update_wrapper(self, fn)
        super().__init__(
            fn, primal=fn, fwd=None, bwd=None, jvp=None, kind="custom_jvp", nondiff=nondiff_argnums
        )

    def defjvp(self, jvp: Callable) -> Callable:
        """Set the rule ``jvp(primals, tangents) -> (out, tangent_out)`` (a decorator too);
        with ``nondiff_argnums`` it is ``jvp(*those, primals, tangents)``, as in JAX."""
        self.jvp = jvp
        self.op.jvp = functools.partial(_jvp, self)
        return jvp

    def defjvps(self, *rules: Callable | None) -> None:
        """One rule per input, ``rule(t, out, *primals) -> contribution`` (None: no
        dependence), as ``jax.custom_jvp.defjvps``."""

        def jvp(primals: Sequence[Any], tangents: Sequence[Any]) -> tuple:
            out = self.fn(*primals)
            total = None
            for rule, t in zip(rules, tangents):
                if rule is None:
                    continue
                c = rule(t, out, *primals)
                total = c if total is None else total + c
            return out, total if total is not None else out * 0

        self.defjvp(jvp)

    def __call__(self, *args: Any) -> Any:
        if self.jvp is None:
            raise TypeError(f"custom_jvp {self.op.label}: call defjvp(rule) before using it")
        return super().__call__(*args)


# ------------------------------------------------------------------ TensorFlow's spelling
class custom_gradient(UserOp):
    """A function that returns its value and its gradient function (TensorFlow's
    ``tf.custom_gradient``).

    >>> import compgraph as cg
    >>> @cg.custom_gradient
    ... def log1pexp(x):
    ...     e = cg.exp(x)
    ...     return cg.log(1 + e), lambda upstream: upstream * (1 - 1 / (1 + e))
    >>> x = cg.constant(100.0)
    >>> with cg.GradientTape() as tape:
    ...     tape.watch(x)
    ...     y = log1pexp(x)
    >>> tape.gradient(y, x)
    Tensor(1.)
    """

    def __init__(self, fn: Callable):
        functools.update_wrapper(self, fn)
        super().__init__(
            fn,
            primal=lambda *a: fn(*a)[0],
            fwd=self._fwd,
            bwd=self._bwd,
            jvp=None,
            kind="custom_gradient",
        )

    def _fwd(self, *args: Any) -> tuple:
        out, grad_fn = self.fn(*args)
        return out, grad_fn

    @staticmethod
    def _bwd(
        grad_fn: Callable, g: Any, out: Any, needs: Sequence[bool], first: bool, nondiff: tuple
    ) -> Any:
        return grad_fn(g)
