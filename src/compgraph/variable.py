"""``Variable``: a mutable tensor, watched automatically by gradient tapes (TF's tf.Variable)."""

from __future__ import annotations

from typing import Any

import numpy as np

from .tensor import Tensor, as_array, init_fields

__all__ = ["Variable"]


class Variable(Tensor):
    """A named, mutable Tensor updated in place by ``assign``, ``assign_add``, ``assign_sub``.

    A trainable float Variable requires grad, so tapes (and ``backward``) see it
    without ``watch``; ``trainable=False`` makes it an ordinary constant.  Updates
    write into the same buffer, except right after a recorded op kept that buffer:
    then the update goes to a new buffer so the graph keeps the values it read.

    >>> import compgraph as cg
    >>> v = cg.Variable([1.0, 2.0], name="w")
    >>> with cg.GradientTape() as tape:
    ...     y = (v * v).sum()
    >>> tape.gradient(y, v)
    Tensor([2., 4.])
    >>> v.assign_add([1.0, 1.0])
    Variable([2., 3.], name='w')
    """

    __slots__ = ("trainable", "_captured")
    _capturable = True

    def __init__(
        self, data: Any, dtype: Any = None, name: str | None = None, trainable: bool = True
    ):
        arr = as_array(data, dtype, "Variable")
        # Always an ndarray (never a NumPy scalar), so in-place updates have a buffer.
        init_fields(self, np.array(arr))
        self._name = name
        self._captured = False
        self.trainable = bool(trainable)
        self._rg = self.trainable and self._data.dtype.kind in "fc"

    def _update(self, value: Any, how: str) -> Variable:
        v = value._data if isinstance(value, Tensor) else value
        try:
            v = np.asarray(v)
        except (TypeError, ValueError) as err:
            raise TypeError(f"Variable.{how}: cannot use a {type(value).__name__}: {err}") from None
        d = self._data
        label = f" {self.name!r}" if self.name else ""
        if v.shape != d.shape:
            raise ValueError(
                f"Variable.{how}: the value has shape {v.shape} (dtype {v.dtype}) but the "
                f"variable{label} has shape {d.shape} (dtype {d.dtype}); shapes must match "
                f"exactly, the variable is unchanged"
            )
        if v.dtype.kind not in "biufc" or not np.can_cast(v.dtype, d.dtype, casting="same_kind"):
            raise TypeError(
                f"Variable.{how}: cannot store dtype {v.dtype} into the variable{label} of "
                f"dtype {d.dtype} (shape {d.shape}); the variable is unchanged"
            )
        if how == "assign":
            new = v
        elif how == "assign_add":
            new = d + v
        else:
            new = d - v
        if self._captured:
            # A recorded graph holds this buffer: it must keep the values it read (as a
            # TF tape does), so the update goes to a fresh buffer.
            self._data = np.array(new, dtype=d.dtype)
            self._captured = False
        else:
            d[...] = new
        return self

    def assign(self, value: Any) -> Variable:
        """Replace the value in place (same shape, compatible dtype); returns the variable."""
        return self._update(value, "assign")

    def assign_add(self, delta: Any) -> Variable:
        """Add ``delta`` in place; returns the variable."""
        return self._update(delta, "assign_add")

    def assign_sub(self, delta: Any) -> Variable:
        """Subtract ``delta`` in place; returns the variable."""
        return self._update(delta, "assign_sub")

    # ``v += 1`` makes a new tensor, as TensorFlow (use assign_add to change v): returning
    # NotImplemented makes Python fall back to ``v = v + 1``.
    def __iadd__(self, other: Any) -> Any:
        return NotImplemented

    __isub__ = __imul__ = __itruediv__ = __ipow__ = __iadd__

    def read_value(self) -> Tensor:
        """A constant Tensor holding a copy of the current value."""
        return Tensor(self._data)

    def __repr__(self) -> str:
        return "Variable" + super().__repr__()[len("Tensor") :].replace(", requires_grad=True", "")
