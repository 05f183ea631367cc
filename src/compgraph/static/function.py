"""``cg.function``: trace a Python function into a static Graph once per input signature.

Numeric arguments (Python numbers, ndarrays, Tensors, and lists/tuples/dicts of
them) become graph inputs keyed by shape and dtype; anything else (str, bool,
None, ...) is static and keyed by value.  Each new signature is traced,
optimised and compiled once; later calls run the compiled function and return
Tensors.  A retrace logs one line saying which argument changed.
"""

from __future__ import annotations

import functools
import inspect
import logging
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from ..autodiff.recording import wrap
from ..autodiff.tree import flatten, unflatten
from ..grad_mode import BUSY, OPEN_TAPES, STATE
from ..tensor import Tensor
from .graph import Graph
from .ir import Symbol

_F64 = np.float64
_new = object.__new__

__all__ = ["function", "Function"]

log = logging.getLogger("compgraph")


def _leaf_key(v: Any) -> Any:
    if isinstance(v, (bool, np.bool_)):
        return ("S", "bool", bool(v))
    if isinstance(v, Tensor):
        d = v._data
        return ("T", d.shape, d.dtype.str)
    if isinstance(v, np.ndarray):
        return ("T", v.shape, v.dtype.str)
    if isinstance(v, float):
        return ("T", (), "<f8")
    if isinstance(v, (int, np.generic)):
        a = np.asarray(v)
        return ("T", a.shape, a.dtype.str)
    try:
        hash(v)
    except TypeError:
        raise TypeError(
            f"cg.function: static argument of type {type(v).__name__} is not "
            f"hashable; pass numbers, arrays or Tensors (graph inputs) or "
            f"hashable values (str, bool, None, tuples of them)"
        ) from None
    return ("S", type(v).__name__, v)


def _describe_key(k: Any) -> str:
    if k[0] == "T":
        return f"{np.dtype(k[2]).name}{list(k[1])}"
    return f"{k[1]} {k[2]!r}"


class _Static:
    """An argument named in ``static_argnums``/``static_argnames``: keyed by value, passed
    to the function as it is (JAX's static arguments)."""

    __slots__ = ("value",)

    def __init__(self, value: Any):
        self.value = value

    def __eq__(self, other: Any) -> bool:
        return type(other) is _Static and bool(self.value == other.value)

    def __hash__(self) -> int:
        try:
            return hash(self.value)
        except TypeError:
            raise ValueError(
                f"cg.function: static argument of type {type(self.value).__name__} is not "
                f"hashable (as jax.jit, static arguments must be hashable)"
            ) from None

    def __repr__(self) -> str:
        return repr(self.value)


def _unwrap(args: Any, kwargs: dict) -> tuple[list, dict]:
    def un(v: Any) -> Any:
        return v.value if type(v) is _Static else v

    return [un(a) for a in args], {k: un(v) for k, v in kwargs.items()}


class _Entry:
    __slots__ = ("graph", "compiled", "out_spec")

    def __init__(self, graph: Graph, compiled: Any, out_spec: Any):
        self.graph = graph
        self.compiled = compiled
        self.out_spec = out_spec


_NO_ARG: Any = object()  # (no first argument was given)


class Function:
    """A function traced into a static graph per input signature (see :func:`function`)."""

    def __init__(
        self,
        fn: Callable,
        optimize: bool = True,
        donate_argnums: Any = (),
        static_argnums: Any = (),
        static_argnames: Any = (),
    ):
        functools.update_wrapper(self, fn)
        self._fn = fn
        self._optimize = optimize
        if isinstance(donate_argnums, (int, np.integer)):
            donate_argnums = (donate_argnums,)
        donate = tuple(donate_argnums)
        if not all(
            isinstance(i, (int, np.integer)) and not isinstance(i, bool) and i >= 0 for i in donate
        ):
            raise TypeError(
                f"cg.function: donate_argnums must be non-negative ints, got {donate_argnums!r}"
            )
        self._donate = frozenset(int(i) for i in donate)
        self._cache: dict = {}
        # number of float arguments -> (Python-float code or None, compiled code): the
        # fast path of a scalar function's usual call
        self._floats: dict = {}
        self._float1: tuple | None = None  # (self._floats[1], read first)
        self._last: tuple | None = None
        self._names = self._param_names(fn)
        if isinstance(static_argnums, (int, np.integer)):
            static_argnums = (static_argnums,)
        if isinstance(static_argnames, str):
            static_argnames = (static_argnames,)
        self._static_nums = frozenset(int(i) for i in static_argnums)
        self._static_names = frozenset(static_argnames) | {
            self._names[i] for i in self._static_nums if 0 <= i < len(self._names)
        }
        self._static_nums |= {i for i, n in enumerate(self._names) if n in self._static_names}
        self.traces = 0

    @staticmethod
    def _param_names(fn: Callable) -> list[str]:
        try:
            return [
                p.name
                for p in inspect.signature(fn).parameters.values()
                if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)
            ]
        except (TypeError, ValueError):
            return []

    def _arg_name(self, i: Any) -> str:
        if isinstance(i, str):
            return i
        return self._names[i] if i < len(self._names) else f"arg{i}"

    @staticmethod
    def _split(args: tuple, kwargs: dict) -> tuple[list, Any]:
        """Leaves of (args, kwargs) and their structure."""
        return flatten((list(args), dict(kwargs)))

    def _leaf_names(self, args: tuple, kwargs: dict) -> list[str]:
        """A name for each leaf (argument name, with an index inside containers)."""
        names: list[str] = []
        for i, a in enumerate(args):
            sub, _ = flatten(a)
            base = self._arg_name(i)
            names += [base] if len(sub) == 1 else [f"{base}_{j}" for j in range(len(sub))]
        for k in sorted(kwargs):
            sub, _ = flatten(kwargs[k])
            names += [k] if len(sub) == 1 else [f"{k}_{j}" for j in range(len(sub))]
        return names

    @staticmethod
    def _flat_key(args: tuple) -> tuple:
        return ("flat", len(args)), tuple([_leaf_key(v) for v in args])

    def _key(self, args: tuple, kwargs: dict, spec: Any, leaves: Sequence[Any]) -> tuple:
        # Positional leaves only (numbers, arrays, NumPy scalars...): the same key as
        # the fast path, so equal signatures never retrace.
        if (
            not kwargs
            and len(leaves) == len(args)
            and not any(isinstance(a, (list, tuple, dict)) for a in args)
        ):
            return self._flat_key(args)
        return spec, tuple(_leaf_key(v) for v in leaves)  # specs are hashable tuples

    def _must_run_eagerly(self, leaves: Any) -> bool:
        # Gradients or tangents flowing in, or an enclosing transform / open tape that
        # must see every op: run the Python function on Tensors instead.
        if STATE.transform_depth > 0:
            return True
        for v in leaves:
            if isinstance(v, Tensor) and (v._rg or v._tan is not None):
                return True
            if type(v) is Symbol:  # called while tracing another function: inline it
                return True
        return bool(OPEN_TAPES.stack)

    def _mark_static(self, args: tuple, kwargs: dict) -> tuple[tuple, dict]:
        n = len(args)
        return (
            tuple(
                _Static(a) if i in self._static_nums or i - n in self._static_nums else a
                for i, a in enumerate(args)
            ),
            {k: _Static(v) if k in self._static_names else v for k, v in kwargs.items()},
        )

    def clear_cache(self) -> None:
        """Forget every trace (the next call traces again), as ``jax.clear_caches``."""
        self._cache = {}
        self._floats = {}
        self._float1 = None
        self._last = None

    def _eager(self, *args: Any, **kwargs: Any) -> Any:
        # (``__call__`` while ``jax.disable_jit`` is in force: the Python function itself)
        return self._fn(*args, **kwargs)

    def __call__(self, x: Any = _NO_ARG, /, *args: Any, **kwargs: Any) -> Any:
        # ``x`` apart: one Python float, a scalar function's usual call, is checked
        # without building or scanning an argument tuple (the rest is the same path).
        if x.__class__ is float and not args and not kwargs:
            fast = self._float1
            if fast is not None and (
                not BUSY[0] or not (STATE.transform_depth or OPEN_TAPES.stack)
            ):
                floats, code = fast
                if floats is not None:
                    try:
                        r = floats(x)
                    except ArithmeticError:  # NumPy warns there: let it
                        r = None
                    if r.__class__ is float and r - r == 0.0:  # (inf, nan: NumPy's way)
                        res = _new(Tensor)  # (wrap's assignments, inline)
                        res._data = _F64(r)
                        res._rg = False
                        res._node = res._grad = res._name = res._hooks = None
                        res._why = res._tan = None
                        return res
                return wrap(code(x))
        if x is not _NO_ARG:
            args = (x, *args)
        fast = self._floats.get(len(args)) if not kwargs else None
        if fast is not None:
            # Only Python floats (a scalar function's usual call): straight to the code.
            for a in args:
                if a.__class__ is not float:
                    break
            else:
                if not BUSY[0] or not (STATE.transform_depth or OPEN_TAPES.stack):
                    floats, code = fast
                    if floats is not None:
                        try:
                            r = floats(*args)
                        except ArithmeticError:  # NumPy warns there: let it
                            r = None
                        if r.__class__ is float and r - r == 0.0:  # (inf, nan: NumPy's way)
                            res = _new(Tensor)  # (wrap's assignments, inline)
                            res._data = _F64(r)
                            res._rg = False
                            res._node = res._grad = res._name = res._hooks = None
                            res._why = res._tan = None
                            return res
                    return wrap(code(*args))
        if self._static_nums or self._static_names:
            if self._must_run_eagerly(flatten((list(args), dict(kwargs)))[0]):
                return self._fn(*args, **kwargs)
            args, kwargs = self._mark_static(args, kwargs)
        simple = not kwargs
        if simple:
            for a in args:
                t = type(a)
                if t is not float and t is not np.ndarray and t is not Tensor:
                    simple = False
                    break
        if simple:
            # The common case: every argument is one numeric leaf.
            leaves: Sequence[Any] = args
            if self._must_run_eagerly(leaves):
                return self._fn(*args)
            key = self._flat_key(args)
            entry = self._cache.get(key)
            if entry is None:
                _, spec = self._split(args, {})
                entry = self._trace(key, list(args), spec, args, {})
            out = entry.compiled(*args)
            if (
                entry.out_spec is None
                and not self._static_nums
                and not self._static_names
                and all(a.__class__ is float for a in args)
                and not getattr(entry.compiled, "_open", True)
            ):
                self._floats[len(args)] = (entry.compiled.floats, entry.compiled._fn)
                if len(args) == 1:
                    self._float1 = self._floats[1]
        else:
            leaves, spec = self._split(args, kwargs)
            if self._must_run_eagerly(leaves):
                return self._fn(*_unwrap(args, kwargs)[0], **_unwrap(args, kwargs)[1])
            key = self._key(args, kwargs, spec, leaves)
            entry = self._cache.get(key)
            if entry is None:
                entry = self._trace(key, leaves, spec, args, kwargs)
            values = [v for v, k in zip(leaves, key[1]) if k[0] == "T"]
            out = entry.compiled(*values)
        if entry.out_spec is None:
            return wrap(out)
        if not isinstance(out, tuple):
            out = (out,)
        return unflatten(entry.out_spec, [wrap(o) for o in out])

    def _trace(
        self, key: tuple, leaves: Sequence[Any], spec: Any, args: tuple, kwargs: dict
    ) -> _Entry:
        names = self._leaf_names(args, kwargs)
        if self._cache and self._last is not None:
            log.warning(
                "compgraph.function: retracing %s: %s",
                getattr(self._fn, "__name__", "f"),
                _why_retrace(self._last, key, names),
            )
        g = Graph()
        sym_leaves = []
        used: set = set()
        donated: list[str] = []
        arg_of = [i for i, a in enumerate(args) for _ in range(len(flatten(a)[0]))]
        if self._donate and max(self._donate) >= len(args):
            raise ValueError(
                f"cg.function: donate_argnums {sorted(self._donate)} names an "
                f"argument past the {len(args)} positional ones given"
            )
        for j, (v, k, name) in enumerate(zip(leaves, key[1], names)):
            if k[0] != "T":
                sym_leaves.append(v)
                continue
            nm = name
            while nm in used:
                nm += "_"
            used.add(nm)
            sym_leaves.append(g.input(nm, shape=k[1], dtype=np.dtype(k[2])))
            if j < len(arg_of) and arg_of[j] in self._donate:
                donated.append(nm)
        sargs, skwargs = _unwrap(*unflatten(spec, sym_leaves))
        STATE.tracing_depth += 1
        try:
            out = self._fn(*sargs, **skwargs)
        finally:
            STATE.tracing_depth -= 1
        out_leaves, out_spec = flatten(out)
        single = isinstance(out, Symbol) or not isinstance(out, (list, tuple, dict))
        nodes = [o if isinstance(o, Symbol) else g.constant(o) for o in out_leaves]
        for o in nodes:
            if o.graph is not g:
                raise ValueError("cg.function: the function returned a value of another graph")
        compiled = g.compile(nodes[0] if single else nodes, optimize=self._optimize, donate=donated)
        entry = _Entry(g, compiled, None if single else out_spec)
        self._cache[key] = entry
        self._last = key
        self.traces += 1
        return entry

    def get_graph(self, *args: Any, **kwargs: Any) -> Graph:
        """The Graph traced for these arguments (traced now if it was not yet)."""
        args, kwargs = self._mark_static(args, kwargs)
        leaves, spec = self._split(args, kwargs)
        key = self._key(args, kwargs, spec, leaves)
        entry = self._cache.get(key) or self._trace(key, leaves, spec, args, kwargs)
        return entry.graph

    def __repr__(self) -> str:
        return f"<cg.function {getattr(self._fn, '__name__', '?')}: {len(self._cache)} trace(s)>"


def _why_retrace(old: tuple, new: tuple, names: list[str]) -> str:
    if old[0] != new[0] or len(old[1]) != len(new[1]):
        return "the structure of the arguments changed"
    for a, b, name in zip(old[1], new[1], names):
        if a != b:
            return f"argument {name!r} changed from {_describe_key(a)} to {_describe_key(b)}"
    return "a new input signature"


def function(
    fn: Callable | None = None,
    *,
    optimize: bool = True,
    donate_argnums: Any = (),
    static_argnums: Any = (),
    static_argnames: Any = (),
) -> Any:
    """Trace ``fn`` into a static graph once per input signature; run it compiled after.

    Numeric arguments (numbers, arrays, Tensors, and lists / tuples / dicts of them)
    become graph inputs keyed by shape and dtype, so new values never retrace.  A
    Python float argument is a float64 input (not a weak scalar as in JAX): mixed
    with float32 arrays it gives float64 results, so pass ``np.float32(lr)`` for a
    float32 computation (a constant written inside ``fn`` stays weak, as in eager mode).

    ``donate_argnums`` (as in ``jax.jit``): positional arguments whose arrays the
    compiled code may overwrite once it no longer needs them, writing results into
    them instead of new buffers: a training step ``params -> new params`` then updates
    the parameters in place.  A donated array's old contents are gone after the call
    (it may now hold a result); one that is read-only or shares memory with another
    argument is copied first, so donation never changes a result.

    ``static_argnums`` / ``static_argnames`` (as in ``jax.jit``): arguments passed to
    ``fn`` as they are and keyed by value (a new value retraces), e.g. a Python int
    used in ``range`` or a shape.  ``cg.jit`` is this function.

    >>> import compgraph as cg
    >>> @cg.function
    ... def f(x):
    ...     return (3 * x + 2) ** 4
    >>> f(3.0)
    Tensor(14641.)
    >>> len(f.get_graph(3.0)) > 0
    True
    """
    opts = dict(
        optimize=optimize,
        donate_argnums=donate_argnums,
        static_argnums=static_argnums,
        static_argnames=static_argnames,
    )
    if fn is None:
        return lambda f: Function(f, **opts)
    return Function(fn, **opts)
