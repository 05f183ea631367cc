"""The reverse-mode engine: one iterative walk over recorded Nodes, for every front end.

``Tensor.backward``, :func:`grad` (and through it the tape and the function
transforms) all end in :func:`run_backward`.  The walk never recurses: it counts
each node's consumers with an explicit stack, then processes nodes whose
consumers are all done (Kahn's algorithm), so a node's gradient contributions
are summed exactly once before its VJP rules run.  Broadcast reduction and dtype
restoration of every cotangent happen here, once, and saved buffers are dropped
as soon as their node has run.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable, Iterable, Sequence
from heapq import heappop, heappush, heappushpop
from typing import Any

import numpy as np

from ..grad_mode import STATE
from ..ops.meta import Meta
from ..ops.registry import NUMPY
from .recording import (
    HOOKED_LEAVES,
    MUTATED,
    MUTATED_LAST,
    TENSOR,
    Node,
    TensorBase,
    check_unchanged,
    unpark_graph,
    wrap,
)

__all__ = [
    "backward",
    "grad",
    "leaf_grad",
    "loss_backward",
    "run_backward",
    "seed",
    "owned",
    "queue_callback",
]


class _Callbacks(threading.local):
    def __init__(self) -> None:
        self.queue: list = []


_CALLBACKS = _Callbacks()


def queue_callback(fn: Callable[[], None]) -> None:
    """Run ``fn()`` once the current backward pass has finished and ``.grad`` holds its
    results (PyTorch's ``queue_callback``; a data-parallel wrapper averages gradients
    there).  Outside a backward pass it runs at the end of the next one."""
    _CALLBACKS.queue.append(fn)


def _run_callbacks() -> None:
    queue = _CALLBACKS.queue
    while queue:
        queue.pop(0)()


def _no_grad_reason(t: TensorBase) -> str:
    why = t._why or ""
    if why == "no_grad":
        reason = "it was computed under cg.no_grad() (grad mode off), so nothing was recorded"
    elif why == "detached":
        reason = "it comes from .detach(), which cuts the graph"
    elif why.startswith("nondiff:"):
        reason = (
            f"it comes from '{why[8:]}', which is not differentiable "
            f"(comparisons, sign, stop_gradient have no gradient)"
        )
    else:
        reason = (
            "none of the tensors it was computed from requires grad; create the "
            "inputs with cg.tensor(..., requires_grad=True)"
        )
    return f"this tensor does not require grad and has no recorded graph: {reason}"


def seed(t: TensorBase, g: Any, create_graph: bool) -> Any:
    d = t._data
    if g is None:
        if d.size != 1:
            raise RuntimeError(
                f"backward: a gradient can be created implicitly only for one-element "
                f"outputs, this one has shape {tuple(d.shape)}; pass gradient= with that shape "
                f"(for example cg.ones_like(y)) or reduce it first (y.sum().backward())"
            )
        seed = d.dtype.type(1) if type(d) is not np.ndarray else np.ones(d.shape, d.dtype)
        return wrap(seed) if create_graph else seed
    if isinstance(g, TensorBase):
        if create_graph:
            if g.shape != d.shape:
                g = g.reshape(d.shape) if g.size == d.size == 1 else _bad_seed(t, g._data)
            return g if g.dtype == d.dtype else g.astype(d.dtype)
        g = g._data
    arr = np.array(g, dtype=d.dtype)  # a copy: the user's array must never alias a .grad
    if arr.shape != d.shape:
        if arr.size == 1 and d.size == 1:
            arr = arr.reshape(d.shape)
        else:
            _bad_seed(t, arr)
    if arr.ndim == 0:
        arr = arr[()]
    return wrap(arr) if create_graph else arr


def _bad_seed(t: TensorBase, g: Any) -> Any:
    raise ValueError(
        f"backward: gradient has shape {np.shape(g)} but the output has shape "
        f"{tuple(t.shape)} (dtype {t.dtype}); they must match"
    )


def _freed_error(n: Node) -> RuntimeError:
    return RuntimeError(
        f"backward through the graph a second time: the saved values of '{n.op.name}' "
        f"(output shape {tuple(n.shape)}, {n.dtype}) were freed by the first backward. "
        f"Pass retain_graph=True to the first backward() (or use a persistent tape) to "
        f"differentiate the same graph again"
    )


def _reduce(ns, gi: Any, shape: tuple, dtype: Any, n: Node, i: int) -> Any:
    if gi.shape != shape:
        try:
            gi = ns.sum_to(gi, shape=shape)
        except ValueError:
            raise ValueError(
                f"backward of '{n.op.name}': the gradient for input {i} has shape "
                f"{tuple(gi.shape)}, which cannot be summed to that input's shape "
                f"{tuple(shape)}"
            ) from None
    if gi.dtype != dtype:
        if gi.dtype.kind == "c" and np.dtype(dtype).kind != "c":
            gi = ns.real(gi)  # a real input's cotangent is the real part (JAX's convention)
        if gi.dtype != dtype:
            gi = ns.astype(gi, dtype=dtype)
    return gi


def _run_hooks(hooks: list, g: Any, create_graph: bool, what: str) -> Any:
    for fn in list(hooks):
        arg = g if create_graph else wrap(g)
        r = fn(arg)
        if r is None:
            continue
        new = r if create_graph else (r._data if isinstance(r, TensorBase) else np.asarray(r))
        if tuple(np.shape(new)) != tuple(g.shape):
            raise ValueError(
                f"hook on {what} returned shape {np.shape(new)}, expected {tuple(g.shape)}"
            )
        g = new
    return g


def _as_tensors(n: Node) -> tuple[Any, Any]:
    """Saved buffers as Tensors connected to the graph, for rules run with create_graph."""
    assert n.saved is not None  # the caller raised for a node whose buffers were freed
    out = n.out
    if n.op.residuals is not None:
        # A user op keeps its own residuals, recorded (so connected) when they were made.
        if out is not None and not isinstance(out, TensorBase):
            out = wrap(out, n, True)
        return n.saved, out
    saved: list[Any] = []
    for a, p in zip(n.saved, n.parents):
        if a is None or p is None or isinstance(a, (TensorBase, Meta)):
            saved.append(a)  # Tensors were saved as such when they carried tangents
        elif type(p) is Node:
            saved.append(wrap(a, p, True))
        else:
            saved.append(p)
    if out is not None and not isinstance(out, TensorBase):
        out = wrap(out, n, True)
    return saved, out


def _useful_nodes(roots: list, deps: dict, targets: set) -> set:
    """Nodes from which some target can be reached (only those need their rules run)."""
    remaining = deps.copy()
    order = []
    ready = [r for r in roots if remaining[r] == 0]
    while ready:
        n = ready.pop()
        order.append(n)
        for p in n.parents:
            if type(p) is Node and p in remaining:
                c = remaining[p] - 1
                remaining[p] = c
                if c == 0:
                    ready.append(p)
    useful = set()
    for n in reversed(order):
        if n in targets:
            useful.add(n)
            continue
        for p in n.parents:
            if p is not None and (p in useful or p in targets):
                useful.add(n)
                break
    return useful


def run_backward(
    roots: Sequence[tuple[Any, Any]],
    retain_graph: bool,
    create_graph: bool,
    targets: set | None = None,
    allowed: Any = None,
) -> tuple[dict, list]:
    """Propagate cotangents from ``roots`` (pairs of Node-or-leaf and seed gradient).

    Returns ``(grads, retained)``: ``grads`` maps every reached leaf Tensor (or, when
    ``targets`` is given, every reached target Node / leaf) to its total gradient;
    ``retained`` lists ``(weakref, grad)`` for non-leaf tensors that called
    ``retain_grad()``.  ``allowed`` (with ``targets``) limits the walk to some Nodes,
    either a container or a ``(lo, hi)`` pair of sequence numbers (``lo < seq < hi``):
    any other node counts as a constant (a tape ignores ops recorded outside it).
    Nothing user-visible is changed here.

    The steps: seed the roots, count each node's consumers, prune nodes that lead to
    no target, then propagate in topological order (Kahn's algorithm).
    """
    window = None
    if type(allowed) is tuple:
        window = allowed
        allowed = None
    grads, leaf, deps, root_nodes = _seed_roots(roots, targets, allowed, window)
    hooked: dict = {}  # leaf with hooks -> consumers still to send it a gradient
    restricted, stray_leaf = _count_consumers(root_nodes, deps, targets, allowed, window, hooked)
    useful = None
    # Every node has a leaf below it; when all those leaves are targets (and the
    # targets are all leaves) every node is useful and pruning can be skipped.
    if restricted or (
        targets is not None and (stray_leaf or any(type(k) is Node for k in targets))
    ):
        deps, root_nodes, useful = _prune(root_nodes, deps, targets, restricted)
    prev_mode = STATE.enabled
    # Rules (and hooks) record only when building a graph of the backward pass itself.
    STATE.enabled = create_graph
    try:
        retained = _propagate(
            root_nodes, grads, leaf, deps, useful, targets, retain_graph, create_graph, hooked
        )
        # Hooks of leaves whose gradient was not complete during the walk (only seeded,
        # or reached through pruned nodes) run now.
        for t in [k for k in leaf if type(k) is not Node and k._hooks and hooked.get(k) != -1]:
            leaf[t] = _run_hooks(t._hooks, leaf[t], create_graph, "leaf tensor")
    finally:
        STATE.enabled = prev_mode
    if not retain_graph:
        unpark_graph()
    return leaf, retained


def _outside(n: Node, allowed: Any, window: tuple | None) -> bool:
    """Whether a node lies outside the walk (a tape ignores ops recorded outside it)."""
    return (allowed is not None and n not in allowed) or (
        window is not None and not window[0] < n.seq < window[1]
    )


def _seed_roots(
    roots: Sequence[tuple[Any, Any]], targets: set | None, allowed: Any, window: tuple | None
) -> tuple[dict, dict, dict, list]:
    """Step 1: each root's seed gradient, summed per root (Nodes and leaves apart)."""
    grads: dict = {}
    leaf: dict = {}
    deps: dict = {}
    root_nodes: list = []
    check = allowed is not None or window is not None
    for key, g in roots:
        if type(key) is Node:
            if check and _outside(key, allowed, window):
                continue
            prev = grads.get(key)
            grads[key] = g if prev is None else prev + g
            if key not in deps:
                deps[key] = 0
                root_nodes.append(key)
        elif targets is None or key in targets:
            prev = leaf.get(key)
            leaf[key] = g if prev is None else prev + g
    return grads, leaf, deps, root_nodes


def _count_consumers(
    root_nodes: list,
    deps: dict,
    targets: set | None,
    allowed: Any,
    window: tuple | None,
    hooked: dict,
) -> tuple[bool, bool]:
    """Step 2: for each node, how many reachable consumers will send it a cotangent (and
    in ``hooked``, the same for each leaf with hooks, so they run once it is complete).
    Returns (whether some node was left out, whether a non-target leaf was met)."""
    restricted = stray_leaf = False
    check = allowed is not None or window is not None
    stack = list(root_nodes)
    while stack:
        n = stack.pop()
        for p in n.parents:
            if type(p) is Node:
                if check and _outside(p, allowed, window):
                    restricted = True
                    continue
                c = deps.get(p)
                if c is None:
                    deps[p] = 1
                    stack.append(p)
                else:
                    deps[p] = c + 1
            elif p is not None:
                if targets is not None and p not in targets:
                    stray_leaf = True
                elif p._hooks:
                    hooked[p] = hooked.get(p, 0) + 1
    return restricted, stray_leaf


def _prune(
    root_nodes: list, deps: dict, targets: set | None, restricted: bool
) -> tuple[dict, list, set | None]:
    """Step 3: keep only the nodes from which a target can be reached."""
    useful = _useful_nodes(root_nodes, deps, targets) if targets is not None else None
    if useful is not None and not restricted and len(useful) == len(deps):
        return deps, root_nodes, None  # every node leads to a target: nothing to prune
    if useful is None:
        useful = set(deps)  # walk only the allowed nodes
    new = {n: 0 for n in useful}
    for n in useful:
        for p in n.parents:
            if p in useful:
                new[p] += 1
    return new, [r for r in root_nodes if r in useful], useful


def _propagate(
    root_nodes: list,
    grads: dict,
    leaf: dict,
    deps: dict,
    useful: set | None,
    targets: set | None,
    retain_graph: bool,
    create_graph: bool,
    hooked: dict,
) -> list:
    """Step 4: run each node's rules once all its consumers have sent their cotangents.
    A leaf's hooks run as soon as its gradient is complete (PyTorch's order: a data-parallel
    wrapper can start sending a gradient while the rest of backward runs)."""
    ns = TENSOR if create_graph else NUMPY
    retained: list = []
    ready = [r for r in root_nodes if deps[r] == 0]
    while ready:
        n = ready.pop()
        g = grads.pop(n)
        e = n.extra
        if e is not None:
            if e.hooks:
                g = _run_hooks(e.hooks, g, create_graph, f"'{n.op.name}' output")
            if e.retain is not None:
                retained.append((e.retain, g))
        if targets is not None and n in targets:
            leaf[n] = g
        saved = n.saved
        if saved is None:
            raise _freed_error(n)
        if MUTATED and n.seq < MUTATED_LAST[0]:
            check_unchanged(n)
        op = n.op
        if create_graph:
            saved, out = _as_tensors(n)
        else:
            out = n.out
        attrs = n.attrs
        vjp = op.vjp
        variadic = op.variadic
        if variadic:
            # As the loop below: a Node is needed when useful, a leaf when it is a target
            # (every leaf, without targets: a tape's walk restricted to its own ops).
            needs = [
                p is not None
                and (
                    useful is None
                    or p in useful
                    or (type(p) is not Node if targets is None else p in targets)
                )
                for p in n.parents
            ]
            many = vjp(ns, g, out, saved, needs, **attrs)
        i = -1
        for p in n.parents:
            i += 1
            if p is None:
                continue
            if type(p) is Node:
                if useful is not None and p not in useful:
                    continue
                gi = (
                    many[i]
                    if variadic
                    else vjp[i](ns, g, out, *saved, **attrs)
                    if attrs
                    else vjp[i](ns, g, out, *saved)
                )
                if gi is None:  # a user's rule gave no gradient for this input
                    gi = _zeros_for(p.shape, p.dtype, create_graph)
                if gi.shape != p.shape or gi.dtype is not p.dtype:
                    gi = _reduce(ns, gi, p.shape, p.dtype, n, i)
                prev = grads.get(p)
                grads[p] = gi if prev is None else prev + gi
                c = deps[p] - 1
                deps[p] = c
                if c == 0:
                    ready.append(p)
            else:
                if targets is not None and p not in targets:
                    continue
                gi = (
                    many[i]
                    if variadic
                    else vjp[i](ns, g, out, *saved, **attrs)
                    if attrs
                    else vjp[i](ns, g, out, *saved)
                )
                if gi is None:
                    continue
                d = p._data
                if gi.shape != d.shape or gi.dtype is not d.dtype:
                    gi = _reduce(ns, gi, d.shape, d.dtype, n, i)
                prev = leaf.get(p)
                leaf[p] = gi if prev is None else prev + gi
                if hooked and p in hooked:
                    left = hooked[p] - 1
                    hooked[p] = left
                    if left == 0:
                        leaf[p] = _run_hooks(p._hooks, leaf[p], create_graph, "leaf tensor")
                        hooked[p] = -1  # (ran)
        if not retain_graph:
            n.saved = None
            n.out = None
    return retained


def _zeros_for(shape: tuple, dtype: Any, create_graph: bool) -> Any:
    z = np.zeros(shape, dtype)
    return wrap(z) if create_graph else z


def owned(arr: Any, handed: set) -> Any:
    """An array safe to give the user: writable, not given out twice, and either owning
    its memory or a view of a buffer nothing else holds (a transposed gradient)."""
    if type(arr) is np.ndarray:
        if not arr.flags.writeable or id(arr) in handed:
            arr = arr.copy()
        elif not arr.flags.owndata:
            base = arr.base
            # References to base: arr.base, the local name, getrefcount's argument.
            if type(base) is not np.ndarray or sys.getrefcount(base) > 3:
                arr = arr.copy()
        handed.add(id(arr))
    return arr


def _roots(tensors: Sequence[TensorBase], grad_tensors: Sequence[Any], create_graph: bool) -> list:
    if len(tensors) != len(grad_tensors):
        raise ValueError(
            f"backward: got {len(tensors)} outputs but {len(grad_tensors)} "
            f"gradients; pass one gradient (or None) per output"
        )
    roots = []
    for t, g in zip(tensors, grad_tensors):
        if not isinstance(t, TensorBase):
            raise TypeError(f"backward: expected a Tensor, got {type(t).__name__}")
        if not t._rg:
            raise RuntimeError(_no_grad_reason(t))
        roots.append((t if t._node is None else t._node, seed(t, g, create_graph)))
    return roots


def backward(
    tensors: Sequence[TensorBase],
    grad_tensors: Sequence[Any] | None = None,
    retain_graph: bool | None = None,
    create_graph: bool = False,
    inputs: Iterable[TensorBase] | None = None,
) -> None:
    """Accumulate gradients of ``tensors`` into ``.grad`` of the leaves (or of ``inputs``)."""
    if len(tensors) == 1 and inputs is None and not create_graph:
        t = tensors[0]
        if (
            isinstance(t, TensorBase)
            and t._node is not None
            and t._tan is None
            and (grad_tensors is None or grad_tensors[0] is None)
        ):
            loss_backward(t, retain_graph)
            return
    if any(t._tan for t in tensors):
        create_graph = True  # tangents ride on Tensors: backward must run on Tensors
    if retain_graph is None:
        retain_graph = create_graph
    if grad_tensors is None:
        grad_tensors = [None] * len(tensors)
    roots = _roots(tensors, grad_tensors, create_graph)
    if inputs is not None:
        inputs = [inputs] if isinstance(inputs, TensorBase) else list(inputs)
        keys = {(t._node if t._node is not None else t): t for t in inputs if t._rg}
        found, retained = run_backward(roots, retain_graph, create_graph, set(keys))
        final = [(keys[k], g) for k, g in found.items()]
    else:
        found, retained = run_backward(roots, retain_graph, create_graph)
        final = list(found.items())
    _assign(final, retained, create_graph)


_ONE64 = np.float64(1.0)


def loss_backward(t: TensorBase, retain_graph: bool | None = None) -> None:
    """``loss.backward()``: a recorded Tensor without tangents, no seed gradient, no
    ``inputs``, no ``create_graph`` (the caller checks); run_backward's steps without
    its options."""
    root = t._node
    assert root is not None  # (the caller checks)
    retain = bool(retain_graph)
    prev_mode = STATE.enabled
    STATE.enabled = False
    try:
        if HOOKED_LEAVES:
            leaf, retained = _walk_counted(root, seed(t, None, False), retain)
        else:
            d = t._data
            # (NumPy scalars are immutable: one shared 1.0 seeds every float64 loss)
            g = _ONE64 if d.__class__ is np.float64 else seed(t, None, False)
            leaf, retained = _walk_plain(root, g, retain)
    finally:
        STATE.enabled = prev_mode
    if not retain:
        unpark_graph()
    if retained or _CALLBACKS.queue:
        _assign(list(leaf.items()), retained, False)
        return
    handed: set = set()  # (_assign's steps for plain leaves, without its list)
    for x, g in leaf.items():
        old = x._grad
        x._grad = wrap(owned(g, handed)) if old is None else wrap(old._data + g)


def _walk_counted(root: Node, g: Any, retain: bool) -> tuple[dict, list]:
    """run_backward's steps 2 and 4 for one root and no targets (leaf hooks need the
    consumer counts: each runs as soon as its leaf's gradient is complete)."""
    grads = {root: g}
    leaf: dict = {}
    deps = {root: 0}
    hooked: dict = {}
    _count_consumers([root], deps, None, None, None, hooked)
    retained = _propagate([root], grads, leaf, deps, None, None, retain, False, hooked)
    return leaf, retained


def _walk_plain(
    root: Node, g: Any, retain: bool, target: Any = None, after: int = 0
) -> tuple[dict, list]:
    """``loss.backward()`` when no leaf has hooks, in one pass: nodes run in decreasing
    order of recording.  Every consumer of a node was recorded after it, so by the time
    a node is the latest one left, every reachable consumer has sent its cotangent: no
    consumer count is needed (run_backward's step 2), and each node is visited once.
    Returns ``(leaf gradients, retained)`` as :func:`run_backward`.

    With ``target`` (a leaf) only its gradient is kept, and nodes recorded before
    ``after`` (a sequence number taken before the target existed, so they cannot lead
    to it) are constants.

    The nodes waiting their turn are kept in a heap, except that a node met for the
    first time goes next without the heap when nothing waiting was recorded later (a
    chain, the usual case, never touches the heap)."""
    ns = NUMPY
    grads = {root: g}
    leaf: dict = {}
    retained: list = []
    heap: list = []
    # Sums this walk made (by id): nothing else holds them, so further contributions
    # are added in place (a weight used at every step of an RNN: one buffer, not one
    # new array per step).  An id leaves the set when its array leaves the walk.
    ours: set = set()
    n: Node | None = root
    while n is not None:
        g = grads.pop(n)
        if ours:
            ours.discard(id(g))
        e = n.extra
        if e is not None:
            if e.hooks:
                g = _run_hooks(e.hooks, g, False, f"'{n.op.name}' output")
            if e.retain is not None:
                retained.append((e.retain, g))
        saved = n.saved
        if saved is None:
            raise _freed_error(n)
        if MUTATED and n.seq < MUTATED_LAST[0]:
            check_unchanged(n)
        op = n.op
        out = n.out
        attrs = n.attrs
        vjp = op.vjp
        variadic = op.variadic
        if variadic:
            many = vjp(ns, g, out, saved, [p is not None for p in n.parents], **attrs)
        met = None  # the first parent node met for the first time (it may go next)
        i = -1
        for p in n.parents:
            i += 1
            if p is None:
                continue
            if type(p) is Node:
                if p.seq <= after:
                    continue
                gi = (
                    many[i]
                    if variadic
                    else vjp[i](ns, g, out, *saved, **attrs)
                    if attrs
                    else vjp[i](ns, g, out, *saved)
                )
                if gi is None:  # a user's rule gave no gradient for this input
                    gi = np.zeros(p.shape, p.dtype)
                elif gi.shape != p.shape or gi.dtype is not p.dtype:
                    gi = _reduce(ns, gi, p.shape, p.dtype, n, i)
                prev = grads.get(p)
                if prev is None:
                    grads[p] = gi
                    if met is None:
                        met = p
                    else:
                        heappush(heap, (-p.seq, p))
                elif id(prev) in ours:
                    prev += gi
                else:
                    prev = prev + gi
                    if type(prev) is np.ndarray:
                        ours.add(id(prev))
                    grads[p] = prev
            elif target is None or p is target:
                gi = (
                    many[i]
                    if variadic
                    else vjp[i](ns, g, out, *saved, **attrs)
                    if attrs
                    else vjp[i](ns, g, out, *saved)
                )
                if gi is None:
                    continue
                d = p._data
                if gi.shape != d.shape or gi.dtype is not d.dtype:
                    gi = _reduce(ns, gi, d.shape, d.dtype, n, i)
                prev = leaf.get(p)
                if prev is None:
                    leaf[p] = gi
                elif id(prev) in ours:
                    prev += gi
                else:
                    prev = prev + gi
                    if type(prev) is np.ndarray:
                        ours.add(id(prev))
                    leaf[p] = prev
        if not retain:
            n.saved = None
            n.out = None
        if met is not None:
            # The latest-recorded waiting node goes next: `met` unless the heap has a later one.
            n = heappushpop(heap, (-met.seq, met))[1] if heap and heap[0][0] < -met.seq else met
        else:
            n = heappop(heap)[1] if heap else None
    for t in leaf:
        if t._hooks:  # (hooks set without register_hook: a copied tensor's)
            leaf[t] = _run_hooks(t._hooks, leaf[t], False, "leaf tensor")
    return leaf, retained


def leaf_grad(y: TensorBase, x: TensorBase, after: int) -> Any:
    """d y / d x as an array (None when y does not depend on x), for a one-element ``y``
    and a leaf ``x`` made after node number ``after`` (``cg.grad``'s usual call)."""
    root = y._node
    assert root is not None  # (the caller checks)
    prev_mode = STATE.enabled
    STATE.enabled = False
    try:
        if HOOKED_LEAVES:
            found, _ = run_backward([(root, seed(y, None, False))], False, False, {x})
        else:
            d = y._data
            g = _ONE64 if d.__class__ is np.float64 else seed(y, None, False)
            found, _ = _walk_plain(root, g, False, x, after)
    finally:
        STATE.enabled = prev_mode
    unpark_graph()
    g = found.get(x)
    return None if g is None else owned(g, set())


def _assign(final: list, retained: list, create_graph: bool) -> None:
    """Accumulate into ``.grad``: every rule and hook has run, so this cannot fail half-way."""
    for ref, g in retained:
        t = ref()
        if t is not None:
            final.append((t, g))
    handed: set = set()
    for t, g in final:
        old = t._grad
        if create_graph:
            t._grad = g if old is None else old + g
        elif old is None:
            t._grad = wrap(owned(g, handed))
        else:
            t._grad = wrap(old._data + g)
    _run_callbacks()


def grad(
    outputs: Any,
    inputs: Any,
    grad_outputs: Any = None,
    retain_graph: bool | None = None,
    create_graph: bool = False,
    allow_unused: bool = True,
) -> list:
    """Gradients of ``outputs`` with respect to ``inputs``, returned (not accumulated).

    Like ``torch.autograd.grad``: ``inputs`` may be leaves or intermediate tensors;
    an input the outputs do not depend on gives None (or raises when
    ``allow_unused=False``).  ``.grad`` attributes are left untouched.

    >>> import compgraph as cg
    >>> x = cg.tensor(3.0, requires_grad=True)
    >>> u = 3 * x + 2
    >>> cg.autodiff.grad(u ** 4, [x, u])
    [Tensor(15972.), Tensor(5324.)]
    """
    outputs = [outputs] if isinstance(outputs, TensorBase) else list(outputs)
    if (
        len(outputs) == 1
        and grad_outputs is None
        and not create_graph
        and isinstance(inputs, list)
        and len(inputs) == 1
    ):
        y, x = outputs[0], inputs[0]
        if (
            isinstance(y, TensorBase)
            and y._node is not None
            and y._tan is None
            and isinstance(x, TensorBase)
            and x._node is None
            and x._rg
        ):
            # cg.grad's usual call (one output, one leaf): run_backward without the rest.
            found, _ = run_backward(
                [(y._node, seed(y, None, False))], bool(retain_graph), False, {x}
            )
            g = found.get(x)
            if g is None and not allow_unused:
                raise RuntimeError(
                    f"grad: an input of shape {tuple(x.shape)} is not connected "
                    f"to the outputs; pass allow_unused=True to get None"
                )
            return [None if g is None else wrap(owned(g, set()))]
    if any(t._tan for t in outputs):
        create_graph = True  # tangents ride on Tensors: backward must run on Tensors
    if retain_graph is None:
        retain_graph = create_graph
    single = isinstance(inputs, TensorBase)
    inputs = [inputs] if single else list(inputs)
    if grad_outputs is None or isinstance(grad_outputs, (TensorBase, np.ndarray, int, float)):
        grad_outputs = [grad_outputs] * len(outputs) if grad_outputs is None else [grad_outputs]
    roots = _roots(outputs, list(grad_outputs), create_graph)
    keys = [(t._node if t._node is not None else t) if t._rg else None for t in inputs]
    found, _ = run_backward(roots, retain_graph, create_graph, {k for k in keys if k is not None})
    result: list[Any] = []
    handed: set = set()
    for t, k in zip(inputs, keys):
        g = found.get(k) if k is not None else None
        if g is None:
            if not allow_unused:
                raise RuntimeError(
                    f"grad: an input of shape {tuple(t.shape)} is not connected "
                    f"to the outputs; pass allow_unused=True to get None"
                )
            result.append(None)
        else:
            result.append(g if create_graph else wrap(owned(g, handed)))
    return result
