"""JAX's top-level names that compgraph did not publish yet (``jax.linearize``,
``jax.checkpoint``, ``jax.eval_shape``, ``jax.make_jaxpr`` ...), by name in ``JAX_TOP``:
the package publishes each as ``cg.<name>`` unless that name is already taken.  The
devices and configuration names come from :mod:`compgraph.jax_config`.  Left out:
sharding and multi-device names (``pmap``, ``shard_map``, ``NamedSharding``, ``P``,
``make_mesh`` ...), mutable array refs and PRNG-implementation settings.
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import numpy as np

from . import functions as cg
from .autodiff.tree import flatten, tree_map, unflatten
from .grad_mode import STATE, is_grad_enabled
from .jax_config import CONFIG_STATES as _STATE_BY_NAME
from .jax_config import (
    ShapeDtypeStruct,
    _to_array,
    block_until_ready,
    checking_leaks,
    clear_caches,
    copy_to_host_async,
    default_backend,
    device_count,
    device_get,
    device_put,
    devices,
    effects_barrier,
    host_count,
    host_id,
    host_ids,
    live_arrays,
    local_device_count,
    local_devices,
    process_count,
    process_index,
    process_indices,
    transfer_guard,
    typeof,
)
from .static import Graph, Symbol
from .static.function import Function
from .tensor import Tensor
from .transforms import jvp, vjp

__all__ = [
    "JAX_TOP",
    "GraphJaxpr",
    "linearize",
    "linear_transpose",
    "checkpoint",
    "eval_shape",
    "make_jaxpr",
    "closure_convert",
    "named_call",
    "named_scope",
    "ensure_compile_time_eval",
    "disable_jit",
    "pure_callback",
]


# ---------------------------------------------------------------- transforms
def linearize(fun: Callable, *primals: Any, has_aux: bool = False) -> tuple:
    """``jax.linearize``: ``(fun(*primals), f_jvp)``, ``f_jvp(*tangents)`` the Jacobian of
    ``fun`` at ``primals`` applied to the tangents (one per primal, same structures).

    ``f_jvp`` is linear and may be called many times; each call runs forward mode
    (:func:`compgraph.jvp`) through ``fun`` again, where JAX evaluates a stored linear
    program (the numbers are the same).  With ``has_aux=True`` ``fun`` returns
    ``(out, aux)`` and the result is ``(out, f_jvp, aux)``.
    """
    if not primals:
        raise TypeError("linearize: expected at least one primal argument")
    if has_aux:
        res = fun(*primals)
        if not isinstance(res, (tuple, list)) or len(res) != 2:
            raise TypeError("linearize with has_aux=True: fun must return a pair (out, aux)")
        out, aux = res

        def main(*a: Any) -> Any:
            return fun(*a)[0]

    else:
        out, aux, main = fun(*primals), None, fun
    out = tree_map(_to_array, out)

    def f_jvp(*tangents: Any) -> Any:
        if len(tangents) != len(primals):
            raise TypeError(
                f"linearize: the linearized function takes {len(primals)} tangent(s), one per "
                f"primal, got {len(tangents)}"
            )
        return jvp(main, primals, tangents)[1]

    return (out, f_jvp, aux) if has_aux else (out, f_jvp)


def _zeros_for(p: Any, where: str) -> Any:
    t = typeof(p)
    if t.dtype.kind not in "fc":
        raise TypeError(
            f"{where}: primal of dtype {t.dtype} (shape {t.shape}); expected an inexact dtype"
        )
    return cg.asarray(np.zeros(t.shape, t.dtype))


def linear_transpose(fun: Callable, *primals: Any, reduce_axes: Any = ()) -> Callable:
    """``jax.linear_transpose``: the transpose of the linear function ``fun``.

    ``primals`` (arrays or ShapeDtypeStructs) give the input shapes and dtypes only.
    The result maps an output cotangent to the tuple of input cotangents (one per
    primal), by reverse mode at zero.  As JAX, a constant offset is ignored (the
    linear part is transposed) and a non-linear ``fun`` is refused: checked once here
    by comparing ``fun`` at a random point with its linear part (TypeError).
    """
    if reduce_axes:
        raise NotImplementedError("linear_transpose: reduce_axes is not supported (as current JAX)")
    leaves, spec = flatten(list(primals))
    zeros = unflatten(spec, [_zeros_for(p, "linear_transpose") for p in leaves])
    _, pullback = vjp(fun, *zeros)
    rng = np.random.default_rng(0)
    probe = unflatten(
        spec,
        [
            cg.asarray(rng.standard_normal(np.shape(z.data)).astype(z.dtype))
            for z in flatten(zeros)[0]
        ],
    )
    at0, lin = jvp(fun, tuple(zeros), tuple(probe))
    at_probe = fun(*probe)
    for a, b, c in zip(flatten(at_probe)[0], flatten(at0)[0], flatten(lin)[0]):
        got = np.asarray(a.data if isinstance(a, Tensor) else a) - np.asarray(
            b.data if isinstance(b, Tensor) else b
        )
        want = np.asarray(c.data if isinstance(c, Tensor) else c)
        if not np.allclose(got, want, rtol=1e-6, atol=1e-6 * (1 + np.abs(want).max(initial=0))):
            raise TypeError(
                "linear_transpose: fun is not linear in its inputs (fun(x) - fun(0) != J x)"
            )

    def transposed(out_cotangent: Any) -> tuple:
        return pullback(out_cotangent)

    return transposed


class _Policies:
    """JAX's ``jax.checkpoint_policies``: accepted by :func:`checkpoint`, which saves
    everything anyway (compgraph keeps every residual)."""

    @staticmethod
    def everything_saveable(*_: Any, **__: Any) -> bool:
        """Save every residual."""
        return True

    @staticmethod
    def nothing_saveable(*_: Any, **__: Any) -> bool:
        """Save no residual (recompute all)."""
        return False

    @staticmethod
    def dots_saveable(*_: Any, **__: Any) -> bool:
        """Save the results of matrix products."""
        return True

    checkpoint_dots = dots_saveable
    dots_with_no_batch_dims_saveable = dots_saveable
    checkpoint_dots_with_no_batch_dims = dots_saveable

    @staticmethod
    def save_only_these_names(*names: str) -> Callable[..., bool]:
        """A policy saving the values named with ``checkpoint_name``."""
        return lambda *_, **__: True

    save_any_names_but_these = save_only_these_names
    save_anything_except_these_names = save_only_these_names

    @staticmethod
    def save_from_both_policies(a: Callable, b: Callable) -> Callable[..., bool]:
        """A policy saving what either policy saves."""
        return lambda *args, **kw: bool(a(*args, **kw) or b(*args, **kw))


checkpoint_policies = _Policies()


def checkpoint(
    fun: Callable | None = None,
    *,
    prevent_cse: bool | Sequence[bool] = True,
    policy: Callable[..., bool] | None = None,
    static_argnums: int | tuple[int, ...] = (),
    static_argnames: Any = (),
) -> Any:
    """``jax.checkpoint`` / ``jax.remat``: ``fun`` with the same values and gradients.

    compgraph does not rematerialise: the function's residuals are kept for the
    backward pass as without checkpointing, so memory is not saved; results are exact.
    ``policy`` (e.g. ``cg.checkpoint_policies.dots_saveable``), ``prevent_cse``
    and ``static_argnums`` are checked and accepted.  Without ``fun``, a decorator.
    """
    if policy is not None and not callable(policy):
        raise TypeError(f"checkpoint: policy must be callable or None, got {type(policy).__name__}")
    nums = (static_argnums,) if isinstance(static_argnums, int) else tuple(static_argnums)
    if not all(isinstance(i, (int, np.integer)) and not isinstance(i, bool) for i in nums):
        raise TypeError(f"checkpoint: static_argnums must be ints, got {static_argnums!r}")

    def wrap(f: Callable) -> Callable:
        if not callable(f):
            raise TypeError(f"checkpoint: expected a function, got {type(f).__name__}")

        @functools.wraps(f)
        def remat_fun(*args: Any, **kwargs: Any) -> Any:
            for i in nums:
                if not -len(args) <= i < len(args):
                    raise ValueError(
                        f"checkpoint: static_argnums {i} is out of range for {len(args)} positional arguments"
                    )
            return f(*args, **kwargs)

        return remat_fun

    return wrap if fun is None else wrap(fun)


def _is_arraylike(v: Any) -> bool:
    if isinstance(v, (bool, str)) or v is None or isinstance(v, Symbol):
        return False
    return isinstance(v, (Tensor, np.ndarray, np.generic, ShapeDtypeStruct)) or (
        hasattr(v, "shape") and hasattr(v, "dtype")
    )


def _letters(i: int) -> str:
    s = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        s = chr(97 + r) + s
    return s


def _trace(fun: Callable, args: tuple, kwargs: dict, static: frozenset = frozenset()) -> tuple:
    """Run ``fun`` on graph inputs standing for its array arguments: (graph, inputs, out)."""
    g = Graph()
    inputs: list[Symbol] = []

    def to_input(v: Any) -> Any:
        if not _is_arraylike(v):
            return v
        t = typeof(v)
        s = g.input(_letters(len(inputs)), t.shape, t.dtype)
        inputs.append(s)
        return s

    new_args = [a if i in static else tree_map(to_input, a) for i, a in enumerate(args)]
    new_kwargs = {k: tree_map(to_input, v) for k, v in kwargs.items()}
    STATE.tracing_depth += 1
    try:
        out = fun(*new_args, **new_kwargs)
    finally:
        STATE.tracing_depth -= 1
    return g, inputs, out


def _known(v: Any) -> ShapeDtypeStruct | None:
    """The shape and dtype of an output leaf, None if the trace could not tell them."""
    if isinstance(v, Symbol):
        if v.shape is None or None in v.shape or v.dtype is None:
            return None
        return ShapeDtypeStruct(v.shape, v.dtype)
    return typeof(v)


def eval_shape(fun: Callable, *args: Any, **kwargs: Any) -> Any:
    """``jax.eval_shape``: the ShapeDtypeStruct of each output of ``fun(*args, **kwargs)``.

    The array arguments (arrays, Tensors, ShapeDtypeStructs) become inputs of a static
    graph and ``fun`` is traced on them, computing nothing: shapes and dtypes come
    from the ops' shape rules.  Where the trace cannot tell (Python control flow on
    values, an op without a shape rule), ``fun`` runs once on zeros of those shapes
    instead, with the same answer at the price of the computation.
    """
    try:
        _, _, out = _trace(fun, args, kwargs)
        leaves, spec = flatten(out)
        known = [_known(v) for v in leaves]
        if all(k is not None for k in known):
            return unflatten(spec, known)
    except Exception:  # (the trace failed: the run on zeros below gives the answer or the error)
        pass

    def zeros(v: Any) -> Any:
        if not _is_arraylike(v):
            return v
        t = typeof(v)
        return cg.asarray(np.zeros(t.shape, t.dtype))

    with np.errstate(all="ignore"):
        out = fun(*tree_map(zeros, list(args)), **tree_map(zeros, dict(kwargs)))
    return tree_map(typeof, out)


_SHORT = {"b": "bool", "f": "f", "i": "i", "u": "u", "c": "c"}


def _aval(shape: Any, dtype: Any) -> str:
    if dtype is None:
        kind = "?"
    else:
        dt = np.dtype(dtype)
        kind = "bool" if dt.kind == "b" else f"{_SHORT.get(dt.kind, dt.kind)}{dt.itemsize * 8}"
    dims = "?" if shape is None else ",".join("?" if d is None else str(d) for d in shape)
    return f"{kind}[{dims}]"


class GraphJaxpr:
    """What :func:`make_jaxpr` returns: the traced static graph, printed in JAX's jaxpr
    style (``{ lambda consts ; inputs. let eqns in (outputs,) }``).

    ``graph`` is the :class:`compgraph.Graph` (run, differentiate or compile it);
    ``invars``/``outvars``/``eqns`` are its Symbols, ``consts`` the array constants,
    ``in_avals``/``out_avals`` ShapeDtypeStructs.
    """

    def __init__(self, graph: Graph, invars: list, outvars: list):
        self.graph = graph
        self.invars = invars
        self.outvars = outvars
        needed = graph.needed(outvars) if outvars else []
        self.eqns = [n for n in needed if n.op not in ("input", "constant")]
        self.constvars = [n for n in needed if n.op == "constant" and not np.isscalar(n.value)]
        self.consts = [n.value for n in self.constvars]

    @property
    def jaxpr(self) -> GraphJaxpr:
        """Itself (JAX's ClosedJaxpr.jaxpr)."""
        return self

    @property
    def in_avals(self) -> list[ShapeDtypeStruct]:
        """The inputs' shapes and dtypes."""
        return [ShapeDtypeStruct(v.shape, v.dtype) for v in self.invars]

    @property
    def out_avals(self) -> list[ShapeDtypeStruct | None]:
        """The outputs' shapes and dtypes (None where the trace could not tell)."""
        return [_known(v) for v in self.outvars]

    def _ref(self, n: Symbol) -> str:
        if n.op == "constant" and np.isscalar(n.value):
            return repr(n.value)
        return n.name

    def pretty_print(self) -> str:
        """The jaxpr-style text."""

        def decl(n: Symbol) -> str:
            return f"{n.name}:{_aval(n.shape, n.dtype)}"

        lines = []
        for n in self.eqns:
            params = ", ".join(f"{k}={v!r}" for k, v in n.attrs.items())
            head = f"{n.op}[{params}]" if params else n.op
            args = " ".join(self._ref(i) for i in n.inputs)
            lines.append(f"    {decl(n)} = {head} {args}".rstrip())
        consts = " ".join(decl(n) for n in self.constvars)
        ins = " ".join(decl(n) for n in self.invars)
        outs = ", ".join(self._ref(n) for n in self.outvars)
        outs += "," if len(self.outvars) == 1 else ""
        body = "".join(line + "\n" for line in lines)
        return f"{{ lambda {consts}; {ins}. let\n{body}  in ({outs}) }}"

    def __str__(self) -> str:
        return self.pretty_print()

    def __repr__(self) -> str:
        return self.pretty_print()


def make_jaxpr(
    fun: Callable,
    static_argnums: int | Sequence[int] = (),
    axis_env: Any = None,
    return_shape: bool = False,
) -> Callable:
    """``jax.make_jaxpr``: a function that traces ``fun`` on its arguments into a static
    graph and returns it as a :class:`GraphJaxpr` (printable in the jaxpr style; its
    equations are compgraph's ops, not JAX's primitives).  ``return_shape=True`` also
    returns the outputs' ShapeDtypeStructs.  ``axis_env`` (named axes) is not supported.
    """
    if axis_env:
        raise NotImplementedError("make_jaxpr: axis_env (named axes for pmap) is not supported")
    nums = (static_argnums,) if isinstance(static_argnums, int) else tuple(static_argnums)

    @functools.wraps(fun)
    def make(*args: Any, **kwargs: Any) -> Any:
        static = frozenset(i % len(args) for i in nums if -len(args) <= i < len(args))
        g, inputs, out = _trace(fun, args, kwargs, static)
        leaves, spec = flatten(out)
        outs = [
            v if isinstance(v, Symbol) else g.constant(v.data if isinstance(v, Tensor) else v)
            for v in leaves
        ]
        jx = GraphJaxpr(g, inputs, outs)
        if return_shape:
            return jx, unflatten(spec, [_known(v) for v in outs])
        return jx

    return make


def closure_convert(fun: Callable, *example_args: Any) -> tuple[Callable, list]:
    """``jax.closure_convert``: ``(converted, consts)`` with ``converted(*args, *consts)``
    equal to ``fun(*args)``.  compgraph has no tracers to hoist out of closures, so
    ``consts`` is empty and closed-over values stay where they are."""
    n = len(example_args)

    @functools.wraps(fun)
    def converted(*args: Any) -> Any:
        return fun(*args[:n]) if n else fun(*args)

    return converted, []


def named_call(fun: Callable, *, name: str | None = None) -> Callable:
    """``jax.named_call``: ``fun`` under the name ``name`` (its ``__name__``); the same results."""

    @functools.wraps(fun)
    def call(*args: Any, **kwargs: Any) -> Any:
        return fun(*args, **kwargs)

    if name is not None:
        call.__name__ = call.__qualname__ = str(name)
    return call


@contextlib.contextmanager
def named_scope(name: str) -> Iterator[None]:
    """``jax.named_scope``: a context manager naming the ops inside (for profiles); it
    changes no result (compgraph's graphs name nodes with ``Graph.name_scope``)."""
    if not isinstance(name, str):
        raise TypeError("named_scope name argument must be a string.")
    yield


@contextlib.contextmanager
def ensure_compile_time_eval() -> Iterator[None]:
    """``jax.ensure_compile_time_eval``: ops on values that are not traced run eagerly,
    which compgraph always does (inside ``cg.function`` only the arguments are
    symbolic), so this changes nothing."""
    yield


_JIT_OFF: dict[str, Any] = {"depth": 0, "call": None}


@contextlib.contextmanager
def disable_jit(disable: bool = True) -> Iterator[None]:
    """``jax.disable_jit``: while in force, every ``cg.function`` call runs its Python
    function eagerly (no tracing, no cache; Python side effects happen at every call),
    as JAX's.  Global to the process, as JAX's config is; ``disable=False`` changes
    nothing."""
    if not disable:
        yield
        return
    if _JIT_OFF["depth"] == 0:
        # The class's __call__ is swapped while in force: no check on the hot path.
        _JIT_OFF["call"] = Function.__call__
        Function.__call__ = Function._eager  # type: ignore[method-assign,assignment]
    _JIT_OFF["depth"] += 1
    try:
        yield
    finally:
        _JIT_OFF["depth"] -= 1
        if _JIT_OFF["depth"] == 0:
            Function.__call__ = _JIT_OFF["call"]  # type: ignore[method-assign]


def _np_leaf(v: Any) -> Any:
    return np.asarray(v.data) if isinstance(v, Tensor) else v


def pure_callback(
    callback: Callable[..., Any],
    result_shape_dtypes: Any,
    *args: Any,
    sharding: Any = None,
    vmap_method: str | None = None,
    **kwargs: Any,
) -> Any:
    """``jax.pure_callback``: ``callback`` called on NumPy arrays of the arguments, its
    results checked against ``result_shape_dtypes`` (shapes and dtypes) and returned as
    Tensors.

    Not differentiable (as JAX: ValueError under a gradient or tangent).  Inside
    ``cg.function``'s trace there are no values to call it on and the static graph has
    no callback node: NotImplementedError (call it outside the traced function).
    """
    if sharding is not None:
        raise NotImplementedError(
            "pure_callback: sharding is not supported (compgraph has no sharding)"
        )
    methods = (
        None,
        "sequential",
        "sequential_unrolled",
        "expand_dims",
        "broadcast_all",
        "legacy_vectorize",
    )
    if vmap_method not in methods:
        raise ValueError(
            f"pure_callback: vmap_method must be one of {methods[1:]}, got {vmap_method!r}"
        )
    leaves = flatten((list(args), dict(kwargs)))[0]
    for v in leaves:
        if isinstance(v, Symbol):
            raise NotImplementedError(
                "pure_callback inside cg.function: the traced graph has no callback node and "
                "the arguments have no values yet; call it outside the traced function"
            )
        if isinstance(v, Tensor) and (
            (v.requires_grad and is_grad_enabled()) or getattr(v, "_tan", None) is not None
        ):
            raise ValueError(
                "Pure callbacks do not support JVP. Please use `cg.custom_jvp` to use "
                "callbacks while taking gradients."
            )
    out = callback(
        *[tree_map(_np_leaf, a) for a in args],
        **{k: tree_map(_np_leaf, v) for k, v in kwargs.items()},
    )
    want, spec = flatten(result_shape_dtypes)
    got = flatten(out)[0]
    if len(got) != len(want):
        raise ValueError(
            f"pure_callback: the callback returned {len(got)} value(s), result_shape_dtypes has {len(want)}"
        )
    res = []
    for g, w in zip(got, want):
        a = np.asarray(_np_leaf(g))
        t = typeof(w)
        if a.shape != t.shape:
            raise ValueError(
                f"pure_callback: incorrect output shape for return value: expected {t.shape}, got {a.shape}"
            )
        if a.dtype != t.dtype:
            raise TypeError(
                f"pure_callback: incorrect output dtype for return value: expected {t.dtype}, got {a.dtype}"
            )
        res.append(cg.asarray(a))
    return unflatten(spec, res)


#: JAX's top-level names written or collected here.
JAX_TOP: dict[str, Callable | Any] = {
    "Array": Tensor,
    "ShapeDtypeStruct": ShapeDtypeStruct,
    "linearize": linearize,
    "linear_transpose": linear_transpose,
    "checkpoint": checkpoint,
    "remat": checkpoint,
    "checkpoint_policies": checkpoint_policies,
    "eval_shape": eval_shape,
    "make_jaxpr": make_jaxpr,
    "closure_convert": closure_convert,
    "named_call": named_call,
    "named_scope": named_scope,
    "ensure_compile_time_eval": ensure_compile_time_eval,
    "disable_jit": disable_jit,
    "pure_callback": pure_callback,
    "block_until_ready": block_until_ready,
    "copy_to_host_async": copy_to_host_async,
    "device_put": device_put,
    "device_get": device_get,
    "devices": devices,
    "local_devices": local_devices,
    "device_count": device_count,
    "local_device_count": local_device_count,
    "default_backend": default_backend,
    "process_count": process_count,
    "process_index": process_index,
    "host_id": host_id,
    "host_count": host_count,
    "process_indices": process_indices,
    "host_ids": host_ids,
    "typeof": typeof,
    "live_arrays": live_arrays,
    "clear_caches": clear_caches,
    "effects_barrier": effects_barrier,
    "transfer_guard": transfer_guard,
    "checking_leaks": checking_leaks,
    **_STATE_BY_NAME,
}
