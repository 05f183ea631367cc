"""``GradientTape``: TensorFlow's recording scope, on the same engine as ``backward()``.

A tape does not record anything itself: the dynamic graph is always recorded
for tensors that require grad.  The tape decides *which* tensors count as
sources (those it watched, the trainable Variables accessed inside it, and
anything already recording), lends ``requires_grad`` to watched constants while
it is open, and asks the engine for gradients with respect to them.
"""

from __future__ import annotations

import enum
import warnings
import weakref
from typing import Any

import numpy as np

from .autodiff import engine
from .autodiff.engine import run_backward
from .autodiff.recording import Node, wrap
from .autodiff.tree import flatten, unflatten
from .functions import cg
from .grad_mode import BUSY, OPEN_TAPES, VARIABLE_HOOK, next_seq
from .grad_mode import STATE as _GRAD
from .tensor import Tensor
from .variable import Variable

__all__ = ["GradientTape", "UnconnectedGradients"]


class UnconnectedGradients(str, enum.Enum):
    """What ``GradientTape.gradient`` gives for a source the target does not depend on
    (TensorFlow's ``tf.UnconnectedGradients``); equal to the strings ``"none"``/``"zero"``.

    >>> import compgraph as cg
    >>> x, y = cg.Variable(1.0), cg.Variable(2.0)
    >>> with cg.GradientTape() as tape:
    ...     z = x * 3
    >>> tape.gradient(z, y, unconnected_gradients=cg.UnconnectedGradients.ZERO)
    Tensor(0.)
    """

    NONE = "none"
    ZERO = "zero"


_OPEN = OPEN_TAPES

# Tapes that have recorded and may still compute a gradient.  A non-persistent tape frees
# the graph's saved values after its gradient, unless another of these might need them
# (two tapes open at once record the same ops): then the values stay until the tensors go.
_LIVE: weakref.WeakSet = weakref.WeakSet()


def _shared(tape: GradientTape) -> bool:
    return any(t is not tape for t in _LIVE)


def _note_variable(v: Variable) -> None:
    """A recorded op read ``v`` while tapes are open: tapes watching accesses note it."""
    if v.trainable:
        for tape in _OPEN.stack:
            if tape._recording and tape._watch_accessed:
                tape._accessed.setdefault(id(v), v)


# Told of every Variable a recorded op reads; it checks this thread's open tapes, so it
# costs nothing for plain Tensors and almost nothing when no tape is open.
VARIABLE_HOOK[0] = _note_variable


class _Ranges:
    """The nodes a tape recorded: those numbered inside its recording periods.

    ``spans`` is the tape's own list of ``[first, last]`` sequence numbers (``last``
    None while recording); this view only answers ``node in ranges`` for the engine.
    """

    __slots__ = ("spans",)

    def __init__(self, spans: list) -> None:
        self.spans = spans

    def __contains__(self, node: Any) -> bool:
        s = node.seq
        for a, b in self.spans:
            if a < s and (b is None or s < b):
                return True
        return False


_OPEN_END = 1 << 62  # the upper bound of a span still recording


def _key(t: Tensor) -> Any:
    return t._node if t._node is not None else t


class GradientTape:
    """Record operations for automatic differentiation, TensorFlow style.

    >>> import compgraph as cg
    >>> x = cg.constant(3.0)
    >>> with cg.GradientTape(persistent=True) as tape:
    ...     tape.watch(x)
    ...     u = 3 * x + 2
    ...     y = u ** 4
    >>> tape.gradient(y, x)
    Tensor(15972.)
    >>> tape.gradient(u, x)
    Tensor(3.)
    """

    __slots__ = (
        "_persistent",
        "_watch_accessed",
        "_watched",
        "_accessed",
        "_lent",
        "_spans",
        "_recording",
        "_used",
        "_prev_grad",
        "__weakref__",
    )

    def __init__(self, persistent: bool = False, watch_accessed_variables: bool = True):
        self._persistent = bool(persistent)
        self._watch_accessed = bool(watch_accessed_variables)
        self._watched: dict[int, Tensor] = {}
        self._accessed: dict[int, Variable] = {}
        self._lent: list[Tensor] = []  # constants given requires_grad while the tape is open
        # Sequence-number spans [first, last] of the periods this tape recorded: nodes
        # numbered outside them were recorded outside the tape and are constants to it.
        self._spans: list = []
        self._recording = False
        self._used = False

    # ------------------------------------------------------------------ scope
    # Opening, watching, closing and gradient() are the tape's per-step cost next to a
    # plain backward(): they are kept to a few attribute stores each (see run_transforms).
    def __enter__(self) -> GradientTape:
        if self._recording:
            raise RuntimeError("this GradientTape is already open")
        self._recording = True
        _LIVE.add(self)
        self._spans.append([next_seq(), None])
        grad = _GRAD
        prev = self._prev_grad = grad.enabled
        if not prev:
            grad.enabled = True
        _OPEN.stack.append(self)
        BUSY[0] += 1
        if self._watched:
            for t in self._watched.values():
                self._lend(t)
        return self

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> None:
        self._recording = False
        last = self._spans[-1]
        if last[1] is None:
            last[1] = next_seq()
        grad = _GRAD
        if grad.enabled is not self._prev_grad:
            grad.enabled = self._prev_grad
        stack = _OPEN.stack
        if stack[-1] is self:
            stack.pop()
        else:  # tapes closed out of order
            stack.remove(self)
        BUSY[0] -= 1
        if self._lent:
            self._return_lent()

    def _lend(self, t: Tensor) -> None:
        if t._node is None and not t._rg:
            t._rg = True
            self._lent.append(t)

    def _return_lent(self) -> None:
        for t in self._lent:
            t._rg = False
        self._lent = []

    def watch(self, tensor: Any) -> None:
        """Watch a tensor (or a list / tuple / dict of them) so gradients can reach it."""
        if isinstance(tensor, Tensor) and tensor._data.dtype.kind in "fc":
            self._watched[id(tensor)] = tensor  # the common case, without the loop below
            if self._recording:
                self._lend(tensor)
            return
        leaves = (tensor,) if isinstance(tensor, Tensor) else flatten(tensor)[0]
        for t in leaves:
            if not isinstance(t, Tensor):
                raise TypeError(
                    f"GradientTape.watch: expected Tensors or Variables, got "
                    f"{type(t).__name__}; wrap values with cg.constant(...)"
                )
            if t._data.dtype.kind not in "fc":
                warnings.warn(
                    f"GradientTape.watch: a tensor of dtype {t.dtype} cannot have "
                    f"gradients; cast it to a float dtype",
                    stacklevel=2,
                )
                continue
            self._watched[id(t)] = t
            if self._recording:
                self._lend(t)

    def stop_recording(self) -> _StopRecording:
        """Context manager in which this tape records nothing (other tapes go on)."""
        return _StopRecording(self)

    def reset(self) -> None:
        """Forget everything watched and recorded, as if the tape were just opened."""
        self._return_lent()
        self._watched.clear()
        self._accessed.clear()
        self._spans = [[next_seq(), None]] if self._recording else []
        self._used = False

    def watched_variables(self) -> tuple:
        """The Variables this tape watches: watched explicitly or accessed while recording."""
        seen = dict(self._accessed)
        seen.update({k: v for k, v in self._watched.items() if isinstance(v, Variable)})
        return tuple(seen.values())

    # ------------------------------------------------------------------ gradients
    def _is_source(self, s: Tensor) -> bool:
        if isinstance(s, Variable):
            return id(s) in self._watched or (id(s) in self._accessed and self._watch_accessed)
        return id(s) in self._watched or s._rg

    def _nested(self) -> bool:
        return any(t is not self and t._recording for t in _OPEN.stack)

    def _check_usable(self, what: str) -> None:
        if self._used and not self._persistent:
            raise RuntimeError(
                f"GradientTape.{what}: a non-persistent tape can compute gradients only "
                f"once; its graph was released after the first call. Create it with "
                f"cg.GradientTape(persistent=True) to call gradient() or jacobian() again"
            )

    def _run(self, targets: list, seeds: list, keys: list, retain: bool, create: bool) -> dict:
        roots = []
        for t, s in zip(targets, seeds):
            if t._rg or id(t) in self._watched:
                d = t._data
                if s is None and d.size != 1:
                    # A non-scalar target means the gradient of its sum, as in TensorFlow.
                    s = np.ones(d.shape, d.dtype)
                roots.append((_key(t), engine.seed(t, s, create)))
        if not roots:
            return {}
        allowed = self._allowed()
        if len(keys) == 1 and type(keys[0]) is not Node or all(type(k) is not Node for k in keys):
            # Only leaves wanted: the plain walk (every leaf's gradient; we pick ours).
            found, _ = run_backward(roots, retain, create, None, allowed)
        else:
            found, _ = run_backward(
                roots, retain, create, {k for k in keys if k is not None}, allowed
            )
        return found

    def _allowed(self) -> Any:
        """The engine's ``allowed`` argument: a ``(lo, hi)`` pair for one span."""
        spans = self._spans
        if len(spans) == 1:
            a, b = spans[0]
            return (a, _OPEN_END if b is None else b)
        return _Ranges(spans)

    def _creates_graph(self, targets: list) -> bool:
        """Whether gradients must be recorded: for this open tape, an outer tape or transform."""
        return (
            self._recording
            or _GRAD.transform_depth > 0
            or any(t._tan for t in targets)
            or (bool(_OPEN.stack) and self._nested())
        )

    def gradient(
        self,
        target: Any,
        sources: Any,
        output_gradients: Any = None,
        unconnected_gradients: str | UnconnectedGradients = "none",
        warn: bool = False,
    ) -> Any:
        """d(sum of targets)/d(source) for every source, in the structure of ``sources``.

        A source the target does not depend on gives None, or zeros with
        ``unconnected_gradients="zero"``.  ``warn=True`` explains each None (never
        watched, integer dtype, or not connected); see also :meth:`why_none`.
        """
        if (
            (type(target) is Tensor or isinstance(target, Tensor))
            and isinstance(sources, Tensor)
            and output_gradients is None
            and unconnected_gradients == "none"
            and not warn
        ):
            return self._gradient_one(target, sources)
        self._check_usable("gradient")
        if unconnected_gradients not in ("none", "zero"):
            raise ValueError(
                f"GradientTape.gradient: unconnected_gradients must be 'none' "
                f"or 'zero', got {unconnected_gradients!r}"
            )
        targets, seeds = _targets_and_seeds(target, output_gradients)
        srcs, spec = _sources(sources)
        keys = [_key(s) if self._is_source(s) else None for s in srcs]
        create = self._creates_graph(targets)
        retain = self._persistent or create or _shared(self)
        found = self._run(targets, seeds, keys, retain, create)
        self._used = True
        if not self._persistent:
            _LIVE.discard(self)
        for j, s in enumerate(srcs):
            # A target that is a source no operation read (a Variable, r = v) still has
            # gradient 1 with respect to it: TensorFlow's rule.
            if keys[j] is None:
                for t, seed in zip(targets, seeds):
                    if t is s:
                        one = self._identity(s, seed, first=False)
                        if one is not None:
                            keys[j] = ("identity", j)
                            found[keys[j]] = one._data
        handed: set = set()
        out = []
        for s, k in zip(srcs, keys):
            g = found.get(k) if k is not None else None
            if g is None:
                if warn:
                    warnings.warn(
                        f"GradientTape.gradient: None for a source of shape {s.shape}: "
                        f"{self.why_none(target, s)}",
                        stacklevel=2,
                    )
                if unconnected_gradients == "zero":
                    g = wrap(np.zeros(s.shape, s.dtype))
            elif not create:
                g = wrap(engine.owned(g, handed))
            out.append(g)
        return out[0] if spec is None else unflatten(spec, out)

    def _gradient_one(self, target: Tensor, source: Tensor) -> Tensor | None:
        """gradient() for one Tensor target and one source: the common case, lean."""
        if self._used and not self._persistent:
            self._check_usable("gradient")
        if target is source:
            return self._identity(source, None)
        key = _key(source) if self._is_source(source) else None
        if (
            self._recording
            or target._tan
            or _GRAD.transform_depth > 0
            or (_OPEN.stack and self._nested())
        ):
            found = self._run([target], [None], [key], True, True)
            self._used = True
            return found.get(key) if key is not None else None
        self._used = True
        retain = self._persistent or _shared(self)
        if not self._persistent:
            _LIVE.discard(self)
        if key is None or not (target._rg or id(target) in self._watched):
            return None
        d = target._data
        # A non-scalar target means the gradient of its sum, as in TensorFlow.
        seed = np.ones(d.shape, d.dtype) if d.size != 1 else engine.seed(target, None, False)
        tk = target._node
        found, _ = run_backward(
            ((target if tk is None else tk, seed),),
            retain,
            False,
            {key} if type(key) is Node else None,
            self._allowed(),
        )
        g = found.get(key)
        return None if g is None else wrap(engine.owned(g, set()))

    def _identity(self, source: Tensor, seed: Any, first: bool = True) -> Tensor | None:
        """d source / d source: ones (or the seed), for a source this tape would watch
        (``first``: this is the gradient() call itself, which uses the tape up)."""
        if first:
            self._check_usable("gradient")
            self._used = True
            if not self._persistent:
                _LIVE.discard(self)
        watchable = (
            id(source) in self._watched
            or source._rg
            or (isinstance(source, Variable) and source.trainable and self._watch_accessed)
        )
        if not watchable or source.dtype.kind not in "fc":
            return None
        d = source._data
        if seed is None:
            return wrap(np.ones(np.shape(d), np.result_type(d)))
        return wrap(np.array(seed._data if isinstance(seed, Tensor) else seed, dtype=d.dtype))

    def why_none(self, target: Any, source: Any) -> str | None:
        """Why ``gradient(target, source)`` is None, in words (None when it is not)."""
        if not isinstance(source, Tensor):
            return f"the source is a {type(source).__name__}, not a Tensor"
        if source.dtype.kind not in "fc":
            return (
                f"the source has integer/bool dtype {source.dtype}; only floating-point "
                f"tensors have gradients (cast it with cg.astype or create it as float)"
            )
        if not self._is_source(source):
            if isinstance(source, Variable) and not source.trainable:
                return "the source is a Variable with trainable=False; tape.watch() it"
            if isinstance(source, Variable) and not self._watch_accessed:
                return (
                    "the tape was created with watch_accessed_variables=False and the "
                    "Variable was never watched; call tape.watch(v) inside the tape"
                )
            if isinstance(source, Variable):
                return (
                    "no operation inside the tape read the Variable (the target does not "
                    "depend on it); compute the target from it inside the tape"
                )
            return (
                "the source was never watched: call tape.watch(x) inside the tape before "
                "using x, or use a cg.Variable"
            )
        targets, _ = flatten(target)
        k = _key(source)
        for t in targets:
            if isinstance(t, Tensor) and t._node is not None and _reaches(t._node, k):
                return None
            if t is source:
                return None
        return (
            "the target does not depend on the source (it was computed outside the "
            "tape, before watch(), or only through stop_gradient / comparisons)"
        )

    def jacobian(
        self,
        target: Tensor,
        sources: Any,
        unconnected_gradients: str | UnconnectedGradients = "none",
    ) -> Any:
        """d target / d source with shape ``target.shape + source.shape``, per source."""
        self._check_usable("jacobian")
        srcs, spec = flatten(sources)
        keys = [_key(s) if isinstance(s, Tensor) and self._is_source(s) else None for s in srcs]
        create = self._creates_graph([target])
        rows: list = [[] for _ in srcs]
        prev = _GRAD.enabled
        try:
            for i in range(target.size):
                seed = np.zeros(target.size, target.dtype)
                seed[i] = 1
                found = self._run([target], [seed.reshape(target.shape)], keys, True, create)
                for j, k in enumerate(keys):
                    g = found.get(k) if k is not None else None
                    rows[j].append(g if g is None or create else wrap(np.array(g)))
        finally:
            _GRAD.enabled = prev
        self._used = True
        out = []
        for s, k, r in zip(srcs, keys, rows):
            if k is None or all(g is None for g in r):
                zero = unconnected_gradients == "zero"
                out.append(wrap(np.zeros(target.shape + s.shape, s.dtype)) if zero else None)
                continue
            r = [g if g is not None else wrap(np.zeros(s.shape, s.dtype)) for g in r]
            out.append(cg.reshape(cg.stack(r), target.shape + s.shape))
        return unflatten(spec, out)


def _targets_and_seeds(target: Any, output_gradients: Any) -> tuple[list, list]:
    """The targets (Tensors) and their seed gradients (None: ones), checked."""
    targets = [target] if isinstance(target, Tensor) else flatten(target)[0]
    for t in targets:
        if not isinstance(t, Tensor):
            raise TypeError(
                f"GradientTape.gradient: targets must be Tensors, got {type(t).__name__}"
            )
    seeds = [None] * len(targets) if output_gradients is None else flatten(output_gradients)[0]
    if len(seeds) != len(targets):
        raise ValueError(
            f"GradientTape.gradient: {len(seeds)} output_gradients for {len(targets)} targets"
        )
    return targets, seeds


def _sources(sources: Any) -> tuple[list, Any]:
    """The sources (Tensors or Variables) and their structure (None: a single one)."""
    if isinstance(sources, Tensor):
        srcs, spec = [sources], None
    else:
        srcs, spec = flatten(sources)
    for s in srcs:
        if not isinstance(s, Tensor):
            raise TypeError(
                f"GradientTape.gradient: sources must be Tensors or Variables, "
                f"got {type(s).__name__}"
            )
    return srcs, spec


def _reaches(start: Node, key: Any) -> bool:
    """Whether ``key`` (a Node or leaf Tensor) lies below ``start`` in the graph (iterative)."""
    seen = {id(start)}
    stack = [start]
    while stack:
        n = stack.pop()
        if n is key:
            return True
        for p in n.parents:
            if p is key:
                return True
            if type(p) is Node and id(p) not in seen:
                seen.add(id(p))
                stack.append(p)
    return False


class _StopRecording:
    """Pauses one tape; other tapes (and plain recording) go on."""

    def __init__(self, tape: GradientTape):
        self._tape = tape

    def __enter__(self) -> None:
        self._prev = self._tape._recording
        spans = self._tape._spans
        if self._prev and spans[-1][1] is None:
            spans[-1][1] = next_seq()
        self._tape._recording = False

    def __exit__(self, *exc: Any) -> None:
        if self._prev:
            self._tape._spans.append([next_seq(), None])
        self._tape._recording = self._prev
