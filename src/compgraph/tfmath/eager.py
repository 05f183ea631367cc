"""TensorFlow's ``tf.print`` and ``tf.executing_eagerly``.

compgraph runs eagerly except while ``cg.function`` traces a Python function (its values
are then symbolic).  ``print`` prints at once, so inside a traced function it prints
when the trace runs, once per input signature, not at every call of the compiled
function as TensorFlow's graph op does.
"""

from __future__ import annotations

import builtins
import sys
from typing import Any

import numpy as np

from ..grad_mode import STATE

__all__ = ["executing_eagerly", "print"]


def executing_eagerly() -> bool:
    """False while ``cg.function`` traces a function in this thread, else True
    (``tf.executing_eagerly``)."""
    return not STATE.tracing_depth


def _text(x: Any, summarize: int) -> str:
    if isinstance(x, str):
        return x
    if isinstance(x, (list, tuple)):
        inner = " ".join(_text(v, summarize) for v in x)
        return f"[{inner}]" if isinstance(x, list) else f"({inner})"
    if isinstance(x, dict):
        return "{" + ", ".join(f"{k!r}: {_text(v, summarize)}" for k, v in x.items()) + "}"
    data = getattr(x, "_data", x)
    if isinstance(data, (np.ndarray, np.generic)):
        arr = np.asarray(data)
        if summarize is None or summarize < 0:
            return np.array2string(arr, separator=" ", threshold=sys.maxsize)
        # TensorFlow shows ``summarize`` items at each end of every longer axis.
        return np.array2string(
            arr, separator=" ", threshold=2 * summarize, edgeitems=max(summarize, 1)
        )
    return str(x)  # (a symbolic value while tracing: its name, shape and dtype)


def print(  # noqa: A001
    *inputs: Any,
    output_stream: Any = None,
    summarize: int = 3,
    sep: str = " ",
    end: str = "\n",
    name: Any = None,
) -> None:
    """Print tensors' values (``tf.print``): ``summarize`` items at each end of every
    axis longer than ``2 * summarize`` (-1 or None: all), to ``output_stream``
    (``sys.stderr`` by default, as TensorFlow; a file object, or ``"file://path"`` to
    append to a file).  Inside ``cg.function`` it prints while tracing (see the module).

    >>> import compgraph as cg, sys
    >>> cg.print("x:", cg.arange(10), output_stream=sys.stdout)
    x: [0 1 2 ... 7 8 9]
    """
    text = sep.join(_text(x, summarize) for x in inputs) + end
    if isinstance(output_stream, str):
        if not output_stream.startswith("file://"):
            raise ValueError(
                f"print: output_stream must be a file object or 'file://path', "
                f"got {output_stream!r}"
            )
        with builtins.open(output_stream[len("file://") :], "a") as f:
            f.write(text)
        return
    stream = sys.stderr if output_stream is None else output_stream
    stream.write(text)
    if hasattr(stream, "flush"):
        stream.flush()
