"""``DataLoader``: seeded mini-batches from arrays."""
from __future__ import annotations

from typing import Any, Iterator, Sequence

import numpy as np

from .tensor import Tensor

__all__ = ["DataLoader"]


class DataLoader:
    """Iterate over ``(x, y, ...)`` arrays in batches; shuffling is seeded and per epoch.

    >>> import numpy as np, compgraph as cg
    >>> loader = cg.data.DataLoader((np.arange(5), np.arange(5) * 2), batch_size=2, seed=0)
    >>> [len(b[0]) for b in loader]
    [2, 2, 1]
    """

    def __init__(self, arrays: Sequence[Any], batch_size: int = 32, shuffle: bool = False,
                 seed: Any = None, drop_last: bool = False, as_tensors: bool = False):
        self.arrays = [np.asarray(a._data if isinstance(a, Tensor) else a) for a in arrays]
        if not self.arrays:
            raise ValueError("DataLoader: give at least one array")
        n = len(self.arrays[0])
        if any(len(a) != n for a in self.arrays):
            raise ValueError(f"DataLoader: arrays have different lengths "
                             f"{[len(a) for a in self.arrays]}")
        if batch_size < 1:
            raise ValueError(f"DataLoader: batch_size must be >= 1, got {batch_size}")
        self.n, self.batch_size, self.shuffle = n, int(batch_size), shuffle
        self.drop_last, self.as_tensors = drop_last, as_tensors
        self.rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)

    def __len__(self) -> int:
        full, rest = divmod(self.n, self.batch_size)
        return full if self.drop_last or not rest else full + 1

    def __iter__(self) -> Iterator[tuple]:
        order = self.rng.permutation(self.n) if self.shuffle else np.arange(self.n)
        for start in range(0, self.n, self.batch_size):
            idx = order[start:start + self.batch_size]
            if self.drop_last and len(idx) < self.batch_size:
                break
            batch = tuple(a[idx] for a in self.arrays)
            yield tuple(Tensor(b) for b in batch) if self.as_tensors else batch
