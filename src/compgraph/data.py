"""``DataLoader``: seeded mini-batches from arrays; ``DistributedSampler``: each rank's share."""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterable, Iterator
from typing import Any

import numpy as np

from . import distributed as dist
from .tensor import Tensor

__all__ = ["DataLoader", "DistributedSampler"]


def _count(x: Any, name: str) -> int:
    if isinstance(x, bool) or not isinstance(x, numbers.Integral) or x < 0:
        raise ValueError(f"DistributedSampler: {name} must be a non-negative integer, got {x!r}")
    return int(x)


class DistributedSampler:
    """The indices of one rank's share of a data set, as ``torch.utils.data.DistributedSampler``.

    ``dataset_or_len`` is the number of samples or anything with a ``len()`` (an
    array, a tuple of arrays counts its first one's samples).  Each epoch the indices
    ``0..n-1`` are shuffled with ``numpy.random.default_rng(seed + epoch)`` (the same
    permutation on every rank; ``shuffle=False`` keeps their order), padded by
    repeating the first ones so that every rank gets the same count (or, with
    ``drop_last=True``, cut to a multiple of ``num_replicas``), and rank ``r`` takes
    every ``num_replicas``-th index from position ``r``, as torch does.  So batch ``k``
    of every rank together is batch ``k`` of one process with ``num_replicas`` times
    the batch size over the same permutation.  Call :meth:`set_epoch` before each epoch
    for a new order.  ``num_replicas`` and ``rank`` default to
    ``compgraph.distributed``'s ``world_size()`` and ``rank()``.

    >>> s = DistributedSampler(10, num_replicas=4, rank=1, shuffle=False)
    >>> list(s), len(s)
    ([1, 5, 9], 3)
    >>> list(DistributedSampler(10, num_replicas=4, rank=3, shuffle=False))  # padded
    [3, 7, 1]
    """

    def __init__(
        self,
        dataset_or_len: Any,
        num_replicas: int | None = None,
        rank: int | None = None,
        shuffle: bool = True,
        seed: int = 0,
        drop_last: bool = False,
    ):
        n: Any
        if isinstance(dataset_or_len, numbers.Integral) and not isinstance(dataset_or_len, bool):
            n = dataset_or_len
        elif (
            isinstance(dataset_or_len, (tuple, list))
            and dataset_or_len
            and hasattr(dataset_or_len[0], "__len__")
        ):
            n = len(dataset_or_len[0])  # (x, y): the samples, not the number of arrays
        else:
            n = len(dataset_or_len)
        self.n = _count(n, "the data set's length")
        self.num_replicas = dist.world_size() if num_replicas is None else num_replicas
        self.rank = dist.rank() if rank is None else rank
        if _count(self.num_replicas, "num_replicas") < 1:
            raise ValueError("DistributedSampler: num_replicas must be at least 1")
        if not 0 <= _count(self.rank, "rank") < self.num_replicas:
            raise ValueError(
                f"DistributedSampler: invalid rank {self.rank}, rank should be in the "
                f"interval [0, {self.num_replicas - 1}]"
            )
        self.shuffle, self.seed, self.drop_last = bool(shuffle), int(seed), bool(drop_last)
        self.epoch = 0
        if self.drop_last and self.n % self.num_replicas:
            self.num_samples = math.ceil((self.n - self.num_replicas) / self.num_replicas)
        else:
            self.num_samples = math.ceil(self.n / self.num_replicas)
        self.total_size = self.num_samples * self.num_replicas

    def __iter__(self) -> Iterator[int]:
        return iter(self.indices().tolist())

    def indices(self) -> np.ndarray:
        """This rank's indices for the current epoch, as an array."""
        if self.shuffle:
            order = np.random.default_rng(self.seed + self.epoch).permutation(self.n)
        else:
            order = np.arange(self.n)
        if self.total_size > self.n:  # pad with the first indices, repeated if need be
            order = np.resize(order, self.total_size) if self.n else order
        return order[: self.total_size][self.rank :: self.num_replicas]

    def __len__(self) -> int:
        return self.num_samples

    def set_epoch(self, epoch: int) -> None:
        """Use the permutation of epoch ``epoch`` (call it before each epoch, on every rank)."""
        self.epoch = int(epoch)


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
    ``sampler`` (an iterable of indices with ``len()``, e.g. a :class:`DistributedSampler`)
    chooses which samples and in which order, instead of ``shuffle``.

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
        sampler: Iterable[int] | None = None,
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
        if sampler is not None and shuffle:
            raise ValueError("DataLoader: sampler option is mutually exclusive with shuffle")
        self.n, self.shuffle, self.sampler = n, shuffle, sampler
        self.batch_size = None if batch_size is None else int(batch_size)
        self.drop_last, self.as_tensors = drop_last, as_tensors
        self.rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)

    def __len__(self) -> int:
        n = self.n if self.sampler is None else len(self.sampler)  # type: ignore[arg-type]
        if self.batch_size is None:
            return n
        full, rest = divmod(n, self.batch_size)
        return full if self.drop_last or not rest else full + 1

    def __iter__(self) -> Iterator[Any]:
        order = self._order()
        if self.batch_size is None:
            # One sample at a time: copies (0-d arrays for scalar rows), never views
            # into the data set.
            for i in order:
                yield self._pack([np.array(a[i]) for a in self.arrays])
            return
        for start in range(0, len(order), self.batch_size):
            idx = order[start : start + self.batch_size]
            if self.drop_last and len(idx) < self.batch_size:
                break
            yield self._pack([a[idx] for a in self.arrays])

    def _order(self) -> np.ndarray:
        if self.sampler is None:
            return self.rng.permutation(self.n) if self.shuffle else np.arange(self.n)
        order = np.fromiter(iter(self.sampler), dtype=np.int64)
        if order.size and (order.min() < -self.n or order.max() >= self.n):
            raise IndexError(
                f"DataLoader: the sampler gave index {int(order.max())} or "
                f"{int(order.min())}, outside the {self.n} samples"
            )
        return order

    def _pack(self, parts: list) -> Any:
        if self.as_tensors:
            parts = [Tensor(p) for p in parts]
        return parts[0] if self.single else tuple(parts)
