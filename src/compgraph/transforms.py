"""JAX-style function transforms: grad, value_and_grad, jacobian, hessian, jvp, vjp.

All of them are thin layers over the one reverse-mode engine
(:func:`compgraph.autodiff.grad`) and the one forward mode
(:mod:`compgraph.autodiff.forward`), so they compose: ``grad(grad(f))``,
``jvp(grad(f))``, ``hessian = jacfwd(jacrev(f))``.  A transform called inside
another one (or on inputs that already record, or carry tangents) builds its
result as a graph so the outer transform can differentiate it; a top-level call
takes the fast first-order path and returns plain Tensors.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from .autodiff import engine
from .autodiff.forward import linearize, new_level, primal_at, tangent_at, with_tangent
from .autodiff.recording import apply, wrap
from .autodiff.tree import flatten, tree_map, unflatten
from .functions import cg
from .grad_mode import BUSY, STATE, enable_grad, next_seq
from .ops.args import SYMBOLIC_TYPES
from .ops.elementwise import IDENTITY
from .tensor import Tensor

__all__ = ["grad", "value_and_grad", "jacobian", "jacfwd", "jacrev", "hessian", "jvp", "vjp"]

_IDENTITY = IDENTITY


class _Scope:
    """Marks a transform as running; nested transforms must keep graphs for the outer one."""

    def __init__(self, outer_inputs: bool):
        self.nested = STATE.transform_depth > 0 or outer_inputs

    def __enter__(self) -> _Scope:
        STATE.transform_depth += 1
        BUSY[0] += 1
        self._grad = enable_grad()
        self._grad.__enter__()
        return self

    def __exit__(self, *exc: Any) -> None:
        self._grad.__exit__(*exc)
        STATE.transform_depth -= 1
        BUSY[0] -= 1


def _to_tensor(x: Any, where: str) -> Tensor:
    if isinstance(x, Tensor):
        t = x
    else:
        if isinstance(x, (bool, str)) or x is None:
            raise TypeError(
                f"{where}: expected a number, array or Tensor input, got {type(x).__name__}"
            )
        t = Tensor(x)
    if t.dtype.kind not in "fc":
        raise TypeError(
            f"{where}: can only differentiate with respect to floating-point "
            f"inputs, got dtype {t.dtype} (shape {t.shape}); pass floats, e.g. "
            f"3.0 instead of 3, or an array with dtype=float"
        )
    return t


def _is_outer(t: Tensor) -> bool:
    return t._rg or t._tan is not None


def _differentiable_input(t: Tensor) -> Tensor:
    """A Tensor that requires grad, standing for ``t`` at ``t``'s place in any outer graph."""
    if t._rg:
        return apply(_IDENTITY, (t,))
    v = wrap(t._data, None, True)
    v._tan = t._tan
    return v


def _argnums(argnums: Any, nargs: int, where: str) -> tuple[tuple[int, ...], bool]:
    single = isinstance(argnums, (int, np.integer))
    nums = (int(argnums),) if single else tuple(int(a) for a in argnums)
    for a in nums:
        if not -nargs <= a < nargs:
            raise ValueError(
                f"{where}: argnums {argnums!r} is out of range for a call with "
                f"{nargs} positional argument(s)"
            )
    return tuple(a % nargs for a in nums), single


def _prepare(args: Sequence[Any], nums: tuple[int, ...], where: str):
    """Replace the differentiated arguments by recording Tensors; remember the structure."""
    new_args = list(args)
    parts = []  # per argnum: (spec, list of input Tensors)
    outer = False
    with enable_grad():
        for i in nums:
            leaves, spec = flatten(args[i])
            ts = [_to_tensor(x, where) for x in leaves]
            outer = outer or any(_is_outer(t) for t in ts)
            xs = [_differentiable_input(t) for t in ts]
            new_args[i] = unflatten(spec, xs)
            parts.append((spec, xs))
    return new_args, parts, outer


def _zeros_like(x: Tensor) -> Tensor:
    return wrap(np.zeros(x.shape, x.dtype))


def _real_output(dtype: Any, where: str, holomorphic: bool) -> None:
    """JAX's rule: grad needs a floating output (complex ones only with holomorphic=True)."""
    kind = np.dtype(dtype).kind if dtype is not None else "f"
    if kind == "f" or (kind == "c" and holomorphic):
        return
    if kind == "c":
        raise TypeError(
            f"{where}: the function returns a complex value ({dtype}); grad needs a real output, "
            f"or holomorphic=True for a complex-differentiable function (as JAX)"
        )
    raise TypeError(
        f"{where}: the function returns {dtype} values; grad needs a floating-point output "
        f"(a comparison or an integer has no derivative), as JAX and HIPS autograd"
    )


def _complex_inputs(parts: list, where: str, holomorphic: bool, real_only: bool = False) -> None:
    """JAX's rule: holomorphic=True needs complex inputs; ``real_only`` (jacfwd) refuses
    complex inputs without it (their derivative is not one complex number)."""
    for _, xs in parts:
        for x in xs:
            kind = x.dtype.kind
            if holomorphic and kind != "c":
                raise TypeError(
                    f"{where} with holomorphic=True needs complex inputs, got {x.dtype}"
                )
            if real_only and not holomorphic and kind == "c":
                raise TypeError(
                    f"{where} needs real inputs, got {x.dtype}; pass holomorphic=True for a "
                    f"complex-differentiable function, or use jvp (as JAX)"
                )


def _complex_outputs(ys: list, where: str, holomorphic: bool, real_only: bool = False) -> None:
    """JAX's rule: holomorphic=True needs complex outputs; ``real_only`` (jacrev) refuses
    complex outputs without it."""
    for y in ys:
        kind = y.dtype.kind
        if holomorphic and kind != "c":
            raise TypeError(f"{where} with holomorphic=True needs complex outputs, got {y.dtype}")
        if real_only and not holomorphic and kind == "c":
            raise TypeError(
                f"{where} needs real outputs, got {y.dtype}; pass holomorphic=True for a "
                f"complex-differentiable function, or use vjp (as JAX)"
            )


def _scalar_output(y: Any, where: str, holomorphic: bool = False) -> Tensor:
    if isinstance(y, bool) or (isinstance(y, np.ndarray) and y.dtype.kind in "biu"):
        _real_output(np.result_type(y), where, holomorphic)
    if not isinstance(y, Tensor):
        y = Tensor(y) if isinstance(y, (int, float, complex, np.ndarray, np.generic)) else y
    if not isinstance(y, Tensor):
        raise TypeError(
            f"{where}: the function must return a Tensor (or a number), got "
            f"{type(y).__name__}; with has_aux=True return (value, aux)"
        )
    if y.size != 1:
        raise TypeError(
            f"{where}: only defined for functions with a one-element output, "
            f"got shape {y.shape}; use jacobian() or vjp() for vector outputs"
        )
    _real_output(y.dtype, where, holomorphic)
    return y


def _input_grads(ys: list, seeds: list, parts: list, nested: bool, retain: bool) -> list:
    """Gradients of ``ys`` for every part's inputs, None replaced by zeros."""
    flat = [x for _, xs in parts for x in xs]
    live = [y for y in ys if y._rg]
    if live:
        gs = engine.grad(
            live,
            flat,
            [s for y, s in zip(ys, seeds) if y._rg],
            retain_graph=retain,
            create_graph=nested,
        )
    else:
        gs = [None] * len(flat)
    gs = [g if g is not None else _zeros_like(x) for g, x in zip(gs, flat)]
    out, k = [], 0
    for spec, xs in parts:
        out.append(unflatten(spec, gs[k : k + len(xs)]))
        k += len(xs)
    return out


def _finish(value: Any, nested: bool) -> Any:
    if nested:
        return value
    return tree_map(lambda v: v.detach() if isinstance(v, Tensor) else v, value)


def _hips_argnum(argnums: Any, argnum: Any, where: str) -> Any:
    """``argnums``, or HIPS autograd's ``argnum=`` keyword when that is given instead."""
    if argnum is None:
        return argnums
    if argnums != 0:
        raise TypeError(f"{where}: give argnums (JAX's) or argnum (HIPS autograd's), not both")
    return argnum


def value_and_grad(
    f: Callable,
    argnums: int | Sequence[int] = 0,
    has_aux: bool = False,
    holomorphic: bool = False,
    *,
    argnum: int | Sequence[int] | None = None,
) -> Callable:
    """``f``'s value and its gradient with respect to ``args[argnums]`` (JAX's value_and_grad).

    The output must be floating (a bool, an integer, or a complex value without
    ``holomorphic=True`` is a TypeError, as in JAX).

    >>> import compgraph as cg
    >>> cg.value_and_grad(lambda x: (3 * x + 2) ** 4)(3.0)
    (Tensor(14641.), Tensor(15972.))
    """
    argnums = _hips_argnum(argnums, argnum, "value_and_grad")
    call = _value_and_grad_call(f, argnums, has_aux, holomorphic)

    @functools.wraps(f)
    def wrapped(*args: Any, **kwargs: Any):
        return call(args, kwargs)

    return wrapped


def _value_and_grad_call(
    f: Callable, argnums: int | Sequence[int], has_aux: bool, holomorphic: bool
) -> Callable:
    """value_and_grad's body as ``call(args, kwargs, want_value=True)`` (grad calls it
    with want_value=False: no value Tensor to make on the usual path)."""
    # The one argument of the usual call, or -1 (then the general path below).
    one = (
        argnums
        if isinstance(argnums, int) and not isinstance(argnums, bool) and argnums >= 0
        else -1
    )
    if has_aux or holomorphic:
        one = -1

    def call(args: tuple, kwargs: dict, want_value: bool = True) -> Any:
        if 0 <= one < len(args) and not STATE.transform_depth:
            x = args[one]
            tx = type(x)
            if (
                tx is float
                or (tx is np.ndarray and x.dtype.kind == "f")
                or (tx is Tensor and x.dtype.kind == "f" and not _is_outer(x))
            ):
                return _plain_value_and_grad(f, args, kwargs, one, want_value)
        nums, single = _argnums(argnums, len(args), "value_and_grad")
        if any(type(x) in SYMBOLIC_TYPES for i in nums for x in flatten(args[i])[0]):
            return _symbolic_value_and_grad(f, args, kwargs, nums, single, has_aux, holomorphic)
        new_args, parts, outer = _prepare(args, nums, "grad")
        _complex_inputs(parts, "grad", holomorphic)
        with _Scope(outer) as scope:
            out = f(*new_args, **kwargs)
            aux = None
            if has_aux:
                if not isinstance(out, (tuple, list)) or len(out) != 2:
                    raise TypeError(
                        "grad with has_aux=True: the function must return a pair (value, aux)"
                    )
                out, aux = out
            y = _scalar_output(out, "grad", holomorphic)
            grads = _input_grads([y], [None], parts, scope.nested, retain=scope.nested)
        g = grads[0] if single else tuple(grads)
        value = _finish(y, scope.nested)
        if has_aux:
            return (value, _finish(aux, scope.nested)), g
        return value, g

    return call


def _plain_value_and_grad(
    f: Callable, args: Sequence[Any], kwargs: dict, i: int, want_value: bool = True
) -> Any:
    """The common call (one float or float-array argument, no outer transform or graph)
    without the pytree bookkeeping: the same result as the general path, at a third of
    its overhead on a scalar function."""
    x = args[i]
    data = np.float64(x) if type(x) is float else (x if type(x) is Tensor else Tensor(x))._data
    xt = wrap(data, None, True)
    new_args = list(args)
    new_args[i] = xt
    STATE.transform_depth += 1
    BUSY[0] += 1
    prev = STATE.enabled
    STATE.enabled = True
    after = next_seq()  # nodes recorded before xt existed cannot lead to it
    try:
        y = f(*new_args, **kwargs)
        if type(y) is not Tensor or y._data.__class__ is not np.float64:
            y = _scalar_output(y, "grad")  # (a float64 scalar Tensor needs no check)
        g = None
        if y._rg and y._node is not None:
            g = engine.leaf_grad(y, xt, after)
        elif y is xt:  # f returned its argument
            g = np.ones_like(data)
    finally:
        STATE.enabled = prev
        STATE.transform_depth -= 1
        BUSY[0] -= 1
    return (y.detach() if want_value else None), _zeros_like(xt) if g is None else wrap(g)


def _symbolic_value_and_grad(
    f: Callable,
    args: Sequence[Any],
    kwargs: dict,
    nums: tuple,
    single: bool,
    has_aux: bool,
    holomorphic: bool = False,
) -> Any:
    """Inside a static graph (cg.function): the gradient as new graph nodes."""
    out = f(*args, **kwargs)
    aux = None
    if has_aux:
        out, aux = out
    if type(out) not in SYMBOLIC_TYPES:
        raise TypeError("grad: inside a static graph the function must return a graph value")
    if out.size is not None and out.size != 1:
        raise TypeError(
            f"grad: only defined for functions with a one-element output, got shape {out.shape}"
        )
    _real_output(out.dtype, "grad", holomorphic)
    grads = []
    for i in nums:
        leaves, spec = flatten(args[i])
        syms = [x for x in leaves if type(x) in SYMBOLIC_TYPES]
        gs = iter(out.graph.gradients(out, syms) if syms else [])
        grads.append(
            unflatten(spec, [next(gs) if type(x) in SYMBOLIC_TYPES else 0.0 for x in leaves])
        )
    g = grads[0] if single else tuple(grads)
    return ((out, aux), g) if has_aux else (out, g)


def _is_symbolic(tree: Any) -> bool:
    return any(type(x) in SYMBOLIC_TYPES for x in flatten(tree)[0])


def _graph_of(leaves: Sequence[Any]) -> Any:
    return next(x.graph for x in leaves if type(x) in SYMBOLIC_TYPES)


def _sym_grads(graph: Any, ys: list, seeds: list, leaves: list) -> list:
    """Symbolic gradients of ``ys`` (seeded) for each leaf; zeros for non-graph leaves."""
    syms = [x for x in leaves if type(x) in SYMBOLIC_TYPES]
    gs = iter(graph.gradients(ys, syms, grad_ys=seeds) if syms else [])
    return [next(gs) if type(x) in SYMBOLIC_TYPES else cg.zeros_like(x) for x in leaves]


def _known_shape(y: Any, where: str) -> tuple:
    if y.shape is None or None in y.shape:
        raise TypeError(
            f"{where}: inside a static graph the output's shape must be known, got {y.shape}; "
            f"declare input shapes (cg.function does)"
        )
    return tuple(y.shape)


def _symbolic_jac(f: Callable, args: Sequence[Any], kwargs: dict, nums: tuple, single: bool):
    """Inside a static graph (cg.function): the Jacobian as graph nodes, one VJP per
    output element (jacfwd and jacrev give the same numbers)."""
    parts = [flatten(args[i]) for i in nums]
    flat = [x for leaves, _ in parts for x in leaves]
    graph = _graph_of(flat)
    ys, ospec = flatten(f(*args, **kwargs))
    blocks = []
    for y in ys:
        y = graph._as_node(y, "jacobian")
        shape = _known_shape(y, "jacobian")
        rows: list = [[] for _ in flat]
        for i in range(int(np.prod(shape))):
            e = np.zeros(int(np.prod(shape)), y.dtype)
            e[i] = 1
            for r, g in zip(rows, _sym_grads(graph, [y], [e.reshape(shape)], flat)):
                r.append(g)
        jac = [
            cg.reshape(
                cg.stack(r),
                shape + tuple(np.shape(x) if type(x) not in SYMBOLIC_TYPES else x.shape),
            )
            for r, x in zip(rows, flat)
        ]
        out, k = [], 0
        for leaves, spec in parts:
            out.append(unflatten(spec, jac[k : k + len(leaves)]))
            k += len(leaves)
        blocks.append(out[0] if single else tuple(out))
    return unflatten(ospec, blocks)


def _symbolic_vjp(f: Callable, primals: Sequence[Any], has_aux: bool) -> tuple:
    flat = flatten(list(primals))[0]
    graph = _graph_of(flat)
    out = f(*primals)
    aux = None
    if has_aux:
        out, aux = out
    ys, ospec = flatten(out)
    ys = [graph._as_node(y, "vjp") for y in ys]

    def vjp_fn(cotangent: Any) -> tuple:
        cl = flatten(cotangent)[0]
        if len(cl) != len(ys):
            raise ValueError(f"vjp: the cotangent has {len(cl)} parts, the output has {len(ys)}")
        res = []
        for p in primals:
            leaves, spec = flatten(p)
            res.append(unflatten(spec, _sym_grads(graph, ys, cl, leaves)))
        return tuple(res)

    value = unflatten(ospec, ys)
    return (value, vjp_fn, aux) if has_aux else (value, vjp_fn)


def _symbolic_jvp(f: Callable, primals: Sequence[Any], tangents: Sequence[Any]) -> tuple:
    """Forward mode inside a static graph, by transposing the VJP: the VJP is linear in
    its cotangent ``u``, so its VJP with respect to ``u`` seeded by the tangents is J @ t."""
    flat = flatten(list(primals))[0]
    tflat = flatten(list(tangents))[0]
    graph = _graph_of(flat)
    ys, ospec = flatten(f(*primals))
    ys = [graph._as_node(y, "jvp") for y in ys]
    us = [cg.zeros_like(y) for y in ys]
    pairs = [
        (g, t)
        for g, x, t in zip(_sym_grads(graph, ys, us, flat), flat, tflat)
        if type(x) in SYMBOLIC_TYPES
    ]
    if pairs:
        outs = graph.gradients([g for g, _ in pairs], us, grad_ys=[t for _, t in pairs])
    else:
        outs = [cg.zeros_like(y) for y in ys]
    return unflatten(ospec, ys), unflatten(ospec, list(outs))


def grad(
    f: Callable,
    argnums: int | Sequence[int] = 0,
    has_aux: bool = False,
    holomorphic: bool = False,
    *,
    argnum: int | Sequence[int] | None = None,
) -> Callable:
    """The gradient of a one-element-output ``f`` with respect to ``args[argnums]``.

    ``argnums`` is an int (the gradient has that argument's structure) or a tuple
    (a tuple of gradients).  Composes: ``grad(grad(f))`` is the second derivative.

    >>> import compgraph as cg
    >>> float(cg.grad(cg.grad(lambda x: x ** 3))(2.0))
    12.0
    """
    argnums = _hips_argnum(argnums, argnum, "grad")
    call = _value_and_grad_call(f, argnums, has_aux, holomorphic)

    @functools.wraps(f)
    def wrapped(*args: Any, **kwargs: Any):
        value, g = call(args, kwargs, has_aux)  # (the value only for its aux)
        return (g, value[1]) if has_aux else g

    return wrapped


def jvp(f: Callable, primals: Sequence[Any], tangents: Sequence[Any]) -> tuple[Any, Any]:
    """Forward mode: ``(f(*primals), J @ tangents)`` in one pass through the JVP rules.

    ``primals`` and ``tangents`` are tuples (or lists) with matching structures.

    >>> import compgraph as cg
    >>> cg.jvp(lambda x: (3 * x + 2) ** 4, (3.0,), (1.0,))
    (Tensor(14641.), Tensor(15972.))
    """
    if not isinstance(primals, (tuple, list)) or not isinstance(tangents, (tuple, list)):
        raise TypeError(
            "jvp: primals and tangents must be tuples (or lists), e.g. jvp(f, (x,), (v,))"
        )
    if len(primals) != len(tangents):
        raise ValueError(f"jvp: {len(primals)} primals but {len(tangents)} tangents")
    if _is_symbolic(primals):
        return _symbolic_jvp(f, primals, tangents)
    level = new_level()
    args = []
    outer = False
    for p, t in zip(primals, tangents):
        pl, spec = flatten(p)
        tl, _ = flatten(t)
        if len(pl) != len(tl):
            raise ValueError("jvp: primals and tangents have different structures")
        xs = []
        for a, b in zip(pl, tl):
            x = _to_tensor(a, "jvp")
            v = b if isinstance(b, Tensor) else Tensor(np.asarray(b, dtype=x.dtype))
            if v.shape != x.shape:
                raise ValueError(
                    f"jvp: tangent shape {v.shape} (dtype {v.dtype}) does not "
                    f"match primal shape {x.shape} (dtype {x.dtype})"
                )
            outer = outer or _is_outer(x) or _is_outer(v)
            xs.append(with_tangent(x, level, v))
        args.append(unflatten(spec, xs))
    with _Scope(outer) as scope:
        out = f(*args)
        primal = tree_map(lambda y: primal_at(y, level), out)
        tangent = tree_map(lambda y: tangent_at(y, level), out)
    return _finish(primal, scope.nested), _finish(tangent, scope.nested)


def vjp(f: Callable, *primals: Any, has_aux: bool = False) -> tuple:
    """``(f(*primals), vjp_fn)``; ``vjp_fn(cotangent)`` gives one gradient per primal.

    ``vjp_fn`` may be called many times (the graph is kept).

    >>> import compgraph as cg
    >>> y, pullback = cg.vjp(lambda x: x * 2, cg.tensor([1.0, 2.0]))
    >>> pullback(cg.tensor([1.0, 10.0]))
    (Tensor([ 2., 20.]),)
    """
    if _is_symbolic(primals):
        return _symbolic_vjp(f, primals, has_aux)
    new_args, parts, outer = _prepare(primals, tuple(range(len(primals))), "vjp")
    with _Scope(outer) as scope:
        out = f(*new_args)
    aux = None
    if has_aux:
        out, aux = out
    out_leaves, out_spec = flatten(out)
    out_leaves = [o if isinstance(o, Tensor) else Tensor(o) for o in out_leaves]

    def vjp_fn(cotangent: Any) -> tuple:
        cl, _ = flatten(cotangent)
        if len(cl) != len(out_leaves):
            raise ValueError(
                f"vjp: the cotangent has {len(cl)} parts, the output has {len(out_leaves)}"
            )
        seeds = []
        for c, o in zip(cl, out_leaves):
            c = c if isinstance(c, Tensor) else Tensor(np.asarray(c, dtype=o.dtype))
            if c.shape != o.shape:
                raise ValueError(
                    f"vjp: cotangent shape {c.shape} does not match output shape {o.shape}"
                )
            seeds.append(c)
        with _Scope(scope.nested) as inner:
            return tuple(_input_grads(out_leaves, seeds, parts, inner.nested, retain=True))

    value = _finish(unflatten(out_spec, out_leaves), scope.nested)
    # (the aux is not differentiated: detached at top level, as value_and_grad's)
    return (value, vjp_fn, _finish(aux, scope.nested)) if has_aux else (value, vjp_fn)


def _jac_rev(y: Tensor, parts: list, nested: bool) -> list:
    """Rows of the Jacobian, one backward pass per output element."""
    flat = [x for _, xs in parts for x in xs]
    rows: list = [[] for _ in flat]
    for i in range(y.size):
        seed = np.zeros(y.size, y.dtype)
        seed[i] = 1
        gs = (
            engine.grad(y, flat, seed.reshape(y.shape), retain_graph=True, create_graph=nested)
            if y._rg
            else [None] * len(flat)
        )
        for k, (g, x) in enumerate(zip(gs, flat)):
            rows[k].append(g if g is not None else _zeros_like(x))
    return [
        cg.reshape(cg.stack(r), y.shape + x.shape)
        if r
        else wrap(np.zeros(y.shape + x.shape, x.dtype))
        for r, x in zip(rows, flat)
    ]


def _out_leaves(out: Any) -> tuple[list, Any]:
    leaves, spec = flatten(out)
    return [y if isinstance(y, Tensor) else Tensor(y) for y in leaves], spec


def _assemble(flat_jacs: list, parts: list, single: bool, nested: bool) -> Any:
    """Jacobian blocks (one per input leaf) back into the structure of the inputs."""
    out, k = [], 0
    for spec, xs in parts:
        out.append(unflatten(spec, [_finish(j, nested) for j in flat_jacs[k : k + len(xs)]]))
        k += len(xs)
    return out[0] if single else tuple(out)


def jacrev(
    f: Callable,
    argnums: int | Sequence[int] = 0,
    holomorphic: bool = False,
    *,
    argnum: int | Sequence[int] | None = None,
) -> Callable:
    """Jacobian by reverse mode: one backward pass per output element.

    Each block has shape ``output.shape + input.shape``; outputs and inputs may be
    nested structures (the result nests outputs outside, inputs inside, as in JAX).
    Complex outputs need ``holomorphic=True`` (as JAX).
    """
    argnums = _hips_argnum(argnums, argnum, "jacrev")

    @functools.wraps(f)
    def wrapped(*args: Any, **kwargs: Any):
        nums, single = _argnums(argnums, len(args), "jacrev")
        if any(_is_symbolic(args[i]) for i in nums):
            return _symbolic_jac(f, args, kwargs, nums, single)
        new_args, parts, outer = _prepare(args, nums, "jacrev")
        _complex_inputs(parts, "jacrev", holomorphic)
        with _Scope(outer) as scope:
            ys, ospec = _out_leaves(f(*new_args, **kwargs))
            _complex_outputs(ys, "jacrev", holomorphic, real_only=True)
            return unflatten(
                ospec,
                [
                    _assemble(_jac_rev(y, parts, scope.nested), parts, single, scope.nested)
                    for y in ys
                ],
            )

    return wrapped


def jacfwd(
    f: Callable,
    argnums: int | Sequence[int] = 0,
    holomorphic: bool = False,
    *,
    argnum: int | Sequence[int] | None = None,
) -> Callable:
    """Jacobian by forward mode: one JVP sweep per input element (cost independent of outputs).
    Complex inputs need ``holomorphic=True`` (as JAX)."""
    argnums = _hips_argnum(argnums, argnum, "jacfwd")

    @functools.wraps(f)
    def wrapped(*args: Any, **kwargs: Any):
        nums, single = _argnums(argnums, len(args), "jacfwd")
        if any(_is_symbolic(args[i]) for i in nums):
            return _symbolic_jac(f, args, kwargs, nums, single)
        flat_in, specs = [], []
        for i in nums:
            leaves, spec = flatten(args[i])
            flat_in.append([_to_tensor(x, "jacfwd") for x in leaves])
            specs.append(spec)
        nested = STATE.transform_depth > 0 or any(_is_outer(t) for ts in flat_in for t in ts)
        parts = list(zip(specs, flat_in))
        _complex_inputs(parts, "jacfwd", holomorphic, real_only=True)
        if nested:
            blocks, ospec = _jacfwd_tangents(f, args, kwargs, nums, parts)
        else:
            blocks, ospec = _jacfwd_linearized(f, args, kwargs, nums, parts)
        return unflatten(ospec, [_assemble(b, parts, single, nested) for b in blocks])

    return wrapped


def _call_with(
    f: Callable, args: Sequence[Any], kwargs: dict, nums: tuple, parts: list, leaves_per: list
) -> Any:
    call = list(args)
    for (spec, _), i, leaves in zip(parts, nums, leaves_per):
        call[i] = unflatten(spec, leaves)
    return f(*call, **kwargs)


_BATCH_ELEMENTS = 1 << 22  # tangent elements one jacfwd batch may hold (32 MiB of float64)


def _jacfwd_linearized(
    f: Callable, args: Sequence[Any], kwargs: dict, nums: tuple, parts: list
) -> tuple[list, Any]:
    """Top-level jacfwd: trace once, then one forward-mode sweep per input element.

    The sweeps run every op's JVP rule on raw arrays over the traced equations, so
    a column costs one pass over the equations and no re-execution of ``f``.
    """
    xs_per = [[wrap(t._data, None, True) for t in ts] for _, ts in parts]
    flat_xs = [x for xs in xs_per for x in xs]
    with _Scope(False):
        out, push = linearize(lambda *_: _call_with(f, args, kwargs, nums, parts, xs_per), flat_xs)
    ys, ospec = _out_leaves(out)
    blocks: list = [[] for _ in ys]
    # Basis directions go through the equations in batches (direction j on a leading
    # axis), as many at once as keep the batched tangents near _BATCH_ELEMENTS.
    per = max(1, _BATCH_ELEMENTS // max(1, push.elements))
    for k, x in enumerate(flat_xs):
        cols = [np.empty((x.size,) + y.shape, dtype=y.dtype) for y in ys]
        for start in range(0, x.size, per):
            stop = min(x.size, start + per)
            basis = np.zeros((stop - start, x.size), x.dtype)
            basis[np.arange(stop - start), np.arange(start, stop)] = 1
            tangents: list = [None] * len(flat_xs)
            tangents[k] = basis.reshape((stop - start,) + x.shape)
            tangent_of = push(tangents, batch=stop - start)
            for c, y in zip(cols, ys):
                c[start:stop] = tangent_of(y)
        for b, c, y in zip(blocks, cols, ys):
            b.append(wrap(np.ascontiguousarray(np.moveaxis(c, 0, -1)).reshape(y.shape + x.shape)))
    return blocks, ospec


def _jacfwd_tangents(
    f: Callable, args: Sequence[Any], kwargs: dict, nums: tuple, parts: list
) -> tuple[list, Any]:
    """Nested jacfwd: tangent-carrying Tensors, so outer transforms see every step."""
    with _Scope(True):
        ys, ospec = _out_leaves(_call_with(f, args, kwargs, nums, parts, [ts for _, ts in parts]))
        blocks: list = [[] for _ in ys]
        for a, (_spec, ts) in enumerate(parts):
            for k, x in enumerate(ts):
                cols: list = [[] for _ in ys]
                for j in range(x.size):
                    e = np.zeros(x.size, x.dtype)
                    e[j] = 1

                    def g(xv: Tensor, a: int = a, k: int = k) -> Any:
                        per = [list(t) for _, t in parts]
                        per[a][k] = xv
                        return _call_with(f, args, kwargs, nums, parts, per)

                    _, t = jvp(g, (x,), (e.reshape(x.shape),))
                    for c, tl in zip(cols, flatten(t)[0]):
                        c.append(tl)
                for b, c, y in zip(blocks, cols, ys):
                    b.append(
                        cg.reshape(cg.stack(c, axis=-1), y.shape + x.shape)
                        if c
                        else wrap(np.zeros(y.shape + x.shape, y.dtype))
                    )
    return blocks, ospec


def jacobian(
    f: Callable,
    argnums: int | Sequence[int] = 0,
    holomorphic: bool = False,
    *,
    argnum: int | Sequence[int] | None = None,
) -> Callable:
    """The Jacobian, by reverse mode when outputs are fewer than inputs (or the inputs are
    complex), else forward mode.  Complex outputs need ``holomorphic=True`` (as JAX).

    >>> import compgraph as cg
    >>> cg.jacobian(lambda x: x * x)(cg.tensor([1.0, 2.0]))
    Tensor([[2., 0.],
            [0., 4.]])
    """
    argnums = _hips_argnum(argnums, argnum, "jacobian")

    @functools.wraps(f)
    def wrapped(*args: Any, **kwargs: Any):
        nums, single = _argnums(argnums, len(args), "jacobian")
        if any(_is_symbolic(args[i]) for i in nums):
            return _symbolic_jac(f, args, kwargs, nums, single)
        new_args, parts, outer = _prepare(args, nums, "jacobian")
        _complex_inputs(parts, "jacobian", holomorphic)
        with _Scope(outer) as scope:
            ys, ospec = _out_leaves(f(*new_args, **kwargs))
            _complex_outputs(ys, "jacobian", holomorphic, real_only=True)
            n_in = sum(x.size for _, xs in parts for x in xs)
            cplx = any(x.dtype.kind == "c" for _, xs in parts for x in xs)
            if sum(y.size for y in ys) <= n_in or (cplx and not holomorphic):
                return unflatten(
                    ospec,
                    [
                        _assemble(_jac_rev(y, parts, scope.nested), parts, single, scope.nested)
                        for y in ys
                    ],
                )
        return jacfwd(f, argnums, holomorphic)(*args, **kwargs)

    return wrapped


def hessian(
    f: Callable,
    argnums: int | Sequence[int] = 0,
    holomorphic: bool = False,
    *,
    argnum: int | Sequence[int] | None = None,
) -> Callable:
    """Second derivatives, forward-over-reverse: ``jacfwd(jacrev(f))``.

    >>> import compgraph as cg
    >>> cg.hessian(lambda x: (x ** 3).sum())(cg.tensor([1.0, 2.0]))
    Tensor([[ 6.,  0.],
            [ 0., 12.]])
    """
    argnums = _hips_argnum(argnums, argnum, "hessian")
    return jacfwd(jacrev(f, argnums, holomorphic), argnums, holomorphic)
