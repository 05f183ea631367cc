"""Grad mode: whether operations on Tensors are recorded. Per thread, like PyTorch."""

from __future__ import annotations

import functools
import itertools
import threading
from collections.abc import Callable
from typing import Any

__all__ = ["no_grad", "enable_grad", "set_grad_enabled", "is_grad_enabled"]


class _State(threading.local):
    # Class attributes give every new thread the defaults without an __init__ call.
    enabled = True
    #: How many function transforms (grad, jacfwd, ...) are running in this thread;
    #: inside one, derivatives must be built as graphs so the outer one sees them.
    transform_depth = 0
    #: How many ``cg.function`` traces are running in this thread (their Python runs on
    #: symbolic values: TensorFlow's ``executing_eagerly()`` is False there).
    tracing_depth = 0


STATE = _State()

#: Callables told of every recorded op as ``hook(op, args, attrs, out)``: open tapes
#: note which Variables were accessed, ``linearize`` keeps the equations.  Empty
#: almost always, so ``apply`` pays one truth test.
RECORD_HOOKS: list = []

#: While a GradientTape is open, ``VARIABLE_HOOK[0](v)`` is told each Variable a
#: recorded op reads (tapes list the variables they watched); None otherwise.
VARIABLE_HOOK: list = [None]


class _OpenTapes(threading.local):
    def __init__(self) -> None:  # run once per thread, on its first use
        self.stack: list = []  # the tapes open in this thread, innermost last


#: The gradient tapes open in this thread (``OPEN_TAPES.stack``, innermost last): a
#: traced function must run eagerly while one is open, so the tape sees every op.
OPEN_TAPES = _OpenTapes()

#: How many function transforms and gradient tapes are running, in all threads
#: together (``BUSY[0]``): while it is 0 no thread has one open, which a hot path tells
#: with one read instead of two thread-local ones (``cg.function``'s float calls).
BUSY: list[int] = [0]

#: Every recorded Node gets the next number: a tape knows which nodes it recorded
#: by the ranges of numbers issued while it was recording.
next_seq = itertools.count(1).__next__


def _with_mode(fn: Callable, mode: bool) -> Callable:
    """``fn`` run with grad mode set to ``mode`` (restored afterwards)."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        prev = STATE.enabled
        STATE.enabled = mode
        try:
            return fn(*args, **kwargs)
        finally:
            STATE.enabled = prev

    return wrapper


def is_grad_enabled() -> bool:
    """Whether operations in this thread are currently recorded for backward."""
    return STATE.enabled


class set_grad_enabled:
    """Turn recording on or off in this thread: a function call, a context manager or a decorator.

    >>> import compgraph as cg
    >>> with cg.set_grad_enabled(False):
    ...     cg.is_grad_enabled()
    False
    """

    def __init__(self, mode: bool = True):
        self.mode = bool(mode)
        self.prev = STATE.enabled
        STATE.enabled = self.mode

    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: Any) -> None:
        STATE.enabled = self.prev

    def __call__(self, fn: Callable) -> Callable:
        STATE.enabled = self.prev  # used as a decorator: undo the eager switch
        return _with_mode(fn, self.mode)


class _Mode:
    _mode = True

    def __enter__(self) -> None:
        self._prev = STATE.enabled
        STATE.enabled = self._mode

    def __exit__(self, *exc: Any) -> None:
        STATE.enabled = self._prev

    def __call__(self, fn: Callable) -> Callable:
        return _with_mode(fn, self._mode)


class no_grad(_Mode):
    """Context manager (or decorator) in which nothing is recorded.

    >>> import compgraph as cg
    >>> x = cg.tensor(2.0, requires_grad=True)
    >>> with cg.no_grad():
    ...     y = x * 3
    >>> y.requires_grad
    False
    """

    _mode = False


class enable_grad(_Mode):
    """Context manager (or decorator) that turns recording back on inside ``no_grad``."""

    _mode = True
