"""``DataLoader``: seeded mini-batches from arrays."""

from __future__ import annotations

import numbers
from collections.abc import Iterator
from typing import Any

import numpy as np

from .tensor import Tensor

__all__ = ["DataLoader"]


def _as_array(a: Any, where: str) -> np.ndarray:
    arr = np.asarray(a._data if isinstance(a, Tensor) else a)
    if arr.ndim == 0:
        raise ValueError(
            f"DataLoader: {where} is a single value (shape ()), not an array "
            f"of samples; give arrays whose first axis counts the samples"
        )
    return arr


class DataLoader:
    """Iterate over one array, or over ``(x, y, ...)`` arrays together, in batches.

    One array (an ndarray or a Tensor) yields batches of it, shape ``(batch, ...)``,
    as torch's ``DataLoader`` over a tensor does.  A tuple or list of arrays yields
    tuples of aligned batches.  Shuffling is seeded and differs each epoch.
    ``batch_size=None`` yields single samples (no batch axis), as in torch.

    >>> import numpy as np, compgraph as cg
    >>> loader = cg.data.DataLoader((np.arange(5), np.arange(5) * 2), batch_size=2, seed=0)
    >>> [len(b[0]) for b in loader]
    [2, 2, 1]
    >>> [b.shape for b in cg.data.DataLoader(np.zeros((5, 3)), batch_size=2)]
    [(2, 3), (2, 3), (1, 3)]
    """

    def __init__(
        self,
        arrays: Any,
        batch_size: int | None = 32,
        shuffle: bool = False,
        seed: Any = None,
        drop_last: bool = False,
        as_tensors: bool = False,
    ):
        # A tuple or list means several arrays; anything else (ndarray, Tensor, any
        # array-like) is the one array, so DataLoader(X) batches X, not its rows.
        self.single = not isinstance(arrays, (tuple, list))
        if self.single:
            self.arrays = [_as_array(arrays, "the array")]
        else:
            if not arrays:
                raise ValueError("DataLoader: give at least one array")
            for k, a in enumerate(arrays):
                if isinstance(a, numbers.Number):
                    raise ValueError(
                        f"DataLoader: item {k} of the {type(arrays).__name__} "
                        f"is a {type(a).__name__}, not an array; a tuple or "
                        f"list means several arrays (use np.asarray(data) "
                        f"for one)"
                    )
            self.arrays = [_as_array(a, f"item {k}") for k, a in enumerate(arrays)]
        n = len(self.arrays[0])
        if any(len(a) != n for a in self.arrays):
            raise ValueError(
                f"DataLoader: arrays have different lengths {[len(a) for a in self.arrays]}"
            )
        if batch_size is None:
            if drop_last:
                raise ValueError(
                    "DataLoader: batch_size=None yields single samples, so "
                    "drop_last=True has no meaning (torch refuses it too)"
                )
        elif (
            isinstance(batch_size, bool)
            or not isinstance(batch_size, numbers.Integral)
            or batch_size < 1
        ):
            raise ValueError(
                f"DataLoader: batch_size must be a positive integer or None, got {batch_size!r}"
            )
        self.n, self.shuffle = n, shuffle
        self.batch_size = None if batch_size is None else int(batch_size)
        self.drop_last, self.as_tensors = drop_last, as_tensors
        self.rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)

    def __len__(self) -> int:
        if self.batch_size is None:
            return self.n
        full, rest = divmod(self.n, self.batch_size)
        return full if self.drop_last or not rest else full + 1

    def __iter__(self) -> Iterator[Any]:
        order = self.rng.permutation(self.n) if self.shuffle else np.arange(self.n)
        if self.batch_size is None:
            # One sample at a time: copies (0-d arrays for scalar rows), never views
            # into the data set.
            for i in order:
                yield self._pack([np.array(a[i]) for a in self.arrays])
            return
        for start in range(0, self.n, self.batch_size):
            idx = order[start : start + self.batch_size]
            if self.drop_last and len(idx) < self.batch_size:
                break
            yield self._pack([a[idx] for a in self.arrays])

    def _pack(self, parts: list) -> Any:
        if self.as_tensors:
            parts = [Tensor(p) for p in parts]
        return parts[0] if self.single else tuple(parts)
