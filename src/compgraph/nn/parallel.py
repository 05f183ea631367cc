"""``DistributedDataParallel``: one model replica per rank, gradients averaged in backward.

As PyTorch's DDP: each rank runs the wrapped module on its own share of the batch;
during ``backward()`` the gradients are averaged over the ranks, so every optimiser
step sees the gradient of the whole (global) batch and the replicas stay identical.

How the averaging overlaps the backward pass: parameters are grouped, in reverse order
of definition (about the order backward finishes them), into flat buckets of one dtype
and at most ``bucket_cap_mb`` megabytes.  A hook on each parameter copies its gradient
into its bucket as soon as backward has completed it; a full bucket starts a
non-blocking allreduce (``Iallreduce``) while backward goes on with the earlier layers.
Buckets start in the same order on every rank (MPI matches collectives by order).  A
callback queued with the engine (``queue_callback``) runs when backward has set every
``.grad``: it starts the buckets still waiting (parameters that got no gradient
contribute their current gradient or zeros), waits for all of them and makes each
``.grad`` a view of its slot (which holds the mean: each rank contributes its gradient
divided by the world size, so there is nothing to copy back), so ``optimizer.step()``
never reads a gradient in flight.  A background thread of ``compgraph.distributed``
keeps MPI progressing while backward computes.

Each bucket carries one more number per parameter: 1 where this rank had a gradient
for it.  Summed over the ranks, it tells every rank the same thing: which parameters
no rank used (``find_unused_parameters=True`` leaves their ``.grad`` as it was, None
if it was None, as PyTorch) and whether some rank missed a gradient
(``find_unused_parameters=False``: a RuntimeError on every rank, never a hang).
"""

from __future__ import annotations

import sys
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np

from .. import distributed as dist
from ..autodiff.engine import queue_callback
from ..autodiff.recording import wrap
from ..grad_mode import is_grad_enabled
from ..tensor import Tensor
from .lazy import DataParallel
from .module import Module

__all__ = ["DistributedDataParallel", "DataParallel"]


class _Bucket:
    """Gradients of a few parameters in one flat array, then one "used" flag each."""

    def __init__(self, params: list, names: list, dtype: np.dtype):
        self.params, self.names = params, names
        self.sizes = [p.data.size for p in params]
        self.offsets = np.concatenate([[0], np.cumsum(self.sizes)]).astype(int).tolist()
        self.n = self.offsets[-1]
        self.dtype = dtype
        self.renew()
        self.pending = len(params)
        self.work: Any = None

    def renew(self) -> None:
        """Another flat array, so the gradients handed out as views of this one stay valid.

        A retired array that nothing references any more (``zero_grad`` dropped its
        views) is reused: MPI sends from memory it has seen before much faster than
        from fresh allocations (about twice as fast here for 10 MB).
        """
        old = getattr(self, "flat", None)
        spare: list = getattr(self, "spare", [])
        flat = None
        for k in range(len(spare)):
            # References: the list and getrefcount's argument (no loop variable: enumerate
            # would keep one more in the tuple it reuses).
            if sys.getrefcount(spare[k]) <= 2:
                flat = spare.pop(k)
                break
        # Keep at most one free array besides the one just retired; arrays the user
        # still views are theirs now (freed when they drop them).
        self.spare = [spare[k] for k in range(len(spare)) if sys.getrefcount(spare[k]) <= 2][:1]
        if old is not None:
            self.spare.append(old)
        if flat is None:
            flat = np.empty(self.n + len(self.params), self.dtype)  # all slots are written
        self.flat = flat
        self.flags = flat[self.n :]  # a view: the flags travel in the same message

    def view(self, j: int) -> np.ndarray:
        """Parameter ``j``'s slot, shaped as the parameter."""
        return self.flat[self.offsets[j] : self.offsets[j + 1]].reshape(self.params[j].shape)


def _plan(params: list, names: list, cap_bytes: float) -> list[_Bucket]:
    """Buckets in launch order: reverse definition order, one dtype each, capped in size."""
    filling: dict = {}  # dtype -> [params, names, bytes] of the bucket being filled
    done: list = []  # (position of its first parameter, params, names, dtype)
    for k, (p, name) in enumerate(zip(reversed(params), reversed(names))):
        dt = p.data.dtype
        nbytes = p.data.size * dt.itemsize
        cur = filling.get(dt)
        if cur is not None and cur[2] + nbytes > cap_bytes:
            done.append((cur[3], cur[0], cur[1], dt))
            cur = None
        if cur is None:
            cur = filling[dt] = [[], [], 0, k]
        cur[0].append(p)
        cur[1].append(name)
        cur[2] += nbytes
    done += [(cur[3], cur[0], cur[1], dt) for dt, cur in filling.items()]
    return [_Bucket(ps, ns, dt) for _, ps, ns, dt in sorted(done, key=lambda d: d[0])]


class _Reducer:
    """Averages the gradients of ``params`` over the ranks during each armed backward."""

    def __init__(
        self,
        params: list,
        names: list,
        cap_bytes: float,
        find_unused: bool,
        as_view: bool = False,
    ):
        self.buckets = _plan(params, names, cap_bytes)
        self.as_view = as_view  # keep one array per bucket (the next backward overwrites)
        self.slot = {id(p): (b, j) for b in self.buckets for j, p in enumerate(b.params)}
        self.position = {n: i for i, n in enumerate(names)}
        self.find_unused = find_unused
        self.size = dist.world_size()
        self.armed = False  # set by each forward: whether its backward averages
        self.open = False  # a backward pass is under way (its callback is queued)
        self.next = 0  # the next bucket to start: buckets start in order on every rank
        ref = weakref.ref(self)  # hooks must not keep a dropped wrapper alive
        self.handles = [p.register_hook(_hook(ref, p)) for p in params]

    def on_gradient(self, p: Tensor, g: Tensor) -> None:
        """Hook: ``p``'s gradient from this backward is complete."""
        if not self.armed:
            return
        if not self.open:
            self._start_pass()
        b, j = self.slot[id(p)]
        if b.flags[j]:
            return  # (the same parameter hooked twice in one pass: counted once)
        _contribute(b, j, p.grad, g, self.size)
        b.flags[j] = 1
        b.pending -= 1
        if b.pending == 0:
            self._launch_ready()
        elif self.next:
            self.buckets[self.next - 1].work.is_completed()  # let MPI progress

    def _start_pass(self) -> None:
        self.open = True
        self.next = 0
        for b in self.buckets:
            b.flags[...] = 0
            b.pending = len(b.params)
            b.work = None
        queue_callback(self.finish)

    def _launch_ready(self) -> None:
        while self.next < len(self.buckets) and self.buckets[self.next].pending == 0:
            b = self.buckets[self.next]
            b.work = dist.all_reduce(b.flat, "sum", async_op=True, check=False)
            self.next += 1

    def finish(self) -> None:
        """Engine callback: complete every bucket and write the averages into ``.grad``."""
        if not self.open:
            return
        self.open = False
        for b in self.buckets[self.next :]:
            _fill_missing(b, self.size)
        self._launch_ready()
        for b in self.buckets:
            b.work.wait()
            b.work = None  # (it refers to the flat array, which renew() counts)
        self._check_all_used()
        for b in self.buckets:
            self._write_back(b)

    def _check_all_used(self) -> None:
        if self.find_unused:
            return
        missing = [n for b in self.buckets for n, c in zip(b.names, b.flags) if c.real < self.size]
        if missing:
            missing.sort(key=self.position.__getitem__)  # in definition order
            shown = ", ".join(missing[:8]) + (", ..." if len(missing) > 8 else "")
            raise RuntimeError(
                f"DistributedDataParallel: {len(missing)} parameter(s) got no gradient on "
                f"some rank in this backward ({shown}); pass find_unused_parameters=True "
                f"when ranks may leave parameters unused (they then contribute zeros). "
                f"The gradients were left as each rank computed them"
            )

    def _write_back(self, b: _Bucket) -> None:
        """Each ``.grad`` becomes a view of its slot (no copy: the slot holds the mean)."""
        for j, p in enumerate(b.params):
            if b.flags[j].real != 0:  # else no rank had a gradient: .grad stays (None)
                p.grad = wrap(b.view(j))
        if not self.as_view:
            b.renew()  # the next backward fills another array


def _hook(ref: Any, p: Tensor) -> Any:
    def hook(g: Tensor) -> None:
        reducer = ref()
        if reducer is not None:
            reducer.on_gradient(p, g)

    return hook


def _contribute(b: _Bucket, j: int, old: Any, g: Any, size: int) -> None:
    """Parameter ``j``'s slot: this rank's share of the mean, its local total over
    ``size`` (divided before the sum, as PyTorch, so the sum is the mean).  The local
    total is what ``.grad`` holds after backward: accumulation included."""
    view = b.view(j)
    if old is None:
        np.divide(g.data, size, out=view)
    else:
        np.add(old.data, g.data, out=view)
        np.divide(view, size, out=view)


def _fill_missing(b: _Bucket, size: int) -> None:
    """A parameter backward never reached contributes its current gradient, or zeros."""
    for j, p in enumerate(b.params):
        if not b.flags[j]:
            if p.grad is None:
                b.view(j)[...] = 0
            else:
                np.divide(p.grad.data, size, out=b.view(j))
                b.flags[j] = 1
            b.pending -= 1


class DistributedDataParallel(Module):
    """Data parallelism over MPI ranks, as ``torch.nn.parallel.DistributedDataParallel``.

    ``model = DistributedDataParallel(module)`` on every rank: the wrapper's parameters
    are ``module``'s own objects (an optimiser built on either updates the same ones).
    At construction it checks that every rank has the same parameters and buffers
    (names, shapes, dtypes; a clear error on every rank otherwise) and gives every rank
    rank 0's values.  After ``loss.backward()`` each ``.grad`` is the mean over the
    ranks; with a per-rank batch of B on N ranks that is the gradient of the global batch
    of N*B (for a loss that is a mean over the batch), so training matches one process
    with batch N*B.  Any optimiser, LR scheduler and ``clip_grad_norm_`` work unchanged.

    - ``bucket_cap_mb``: size of the flat messages (see the module docstring).
    - ``find_unused_parameters``: allow parameters that get no gradient on some ranks
      (they contribute zeros there; those no rank used keep ``.grad`` None).  Without
      it such a backward raises RuntimeError on every rank.
    - ``broadcast_buffers``: before each forward in training mode, give every rank rank
      0's buffers (BatchNorm's running statistics), as PyTorch does.
    - ``gradient_as_bucket_view``: each ``.grad`` is a view of its slot in the bucket;
      by default every averaging backward fills new buckets, so gradients handed out
      before stay as they were, while ``True`` keeps one array per bucket (PyTorch's
      option: less memory, and the next averaging backward overwrites the old
      gradients, so copy one you want to keep).
    - ``no_sync()``: a context in which forward/backward only accumulate locally.

    ``state_dict()`` keys start with ``module.`` as in PyTorch; save ``model.module``
    for a checkpoint any world size (and a plain model) loads.  With one process it
    adds nothing: no hooks, no messages.

    >>> import compgraph as cg
    >>> net = cg.nn.parallel.DistributedDataParallel(cg.nn.Linear(3, 1, seed=0))
    >>> net(cg.tensor([[1.0, 2.0, 3.0]])).sum().backward()
    >>> net.parameters()[0] is net.module.weight, net.module.weight.grad.shape
    (True, (1, 3))
    """

    def __init__(
        self,
        module: Module,
        bucket_cap_mb: float = 25.0,
        find_unused_parameters: bool = False,
        broadcast_buffers: bool = True,
        gradient_as_bucket_view: bool = False,
    ):
        super().__init__()
        if not isinstance(module, Module):
            raise TypeError(
                f"DistributedDataParallel: expected a cg.nn.Module, got {type(module).__name__}"
            )
        if not bucket_cap_mb > 0:
            raise ValueError(
                f"DistributedDataParallel: bucket_cap_mb must be > 0, got {bucket_cap_mb}"
            )
        self.module = module
        self.bucket_cap_mb = float(bucket_cap_mb)
        self.find_unused_parameters = bool(find_unused_parameters)
        self.broadcast_buffers = bool(broadcast_buffers)
        self.gradient_as_bucket_view = bool(gradient_as_bucket_view)
        self.require_backward_grad_sync = True
        self.world_size = dist.world_size()
        _check_same_everywhere(module)
        named = list(module.named_parameters())
        dist.broadcast_coalesced([p for _, p in named] + module.buffers(), src=0)
        trained = [(n, p) for n, p in named if p.requires_grad]
        self._reducer = None
        if self.world_size > 1 and trained:
            self._reducer = _Reducer(
                [p for _, p in trained],
                [n for n, _ in trained],
                self.bucket_cap_mb * 2**20,
                self.find_unused_parameters,
                self.gradient_as_bucket_view,
            )

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        """Run the wrapped module (after syncing buffers); arms gradient averaging."""
        if self.world_size > 1:
            buffers = self.module.buffers()
            if self.broadcast_buffers and self.training and buffers:
                dist.broadcast_coalesced(buffers, src=0, check=False)  # checked when built
            if self._reducer is not None and is_grad_enabled():
                # As PyTorch: the (recorded) forward decides whether its backward averages;
                # a forward under no_grad (an evaluation) changes nothing.
                self._reducer.armed = self.require_backward_grad_sync
        return self.module(*args, **kwargs)

    @contextmanager
    def no_sync(self) -> Iterator[None]:
        """Backward passes of forwards run inside only accumulate ``.grad`` locally.

        As PyTorch: accumulate over several micro-batches, then run the last forward
        and backward outside; its backward averages the accumulated gradients.

        >>> import compgraph as cg
        >>> net = cg.nn.parallel.DistributedDataParallel(cg.nn.Linear(2, 1, seed=0))
        >>> with net.no_sync():
        ...     net(cg.tensor([[1.0, 2.0]])).sum().backward()
        >>> net(cg.tensor([[1.0, 2.0]])).sum().backward()   # averaged here
        >>> net.module.bias.grad
        Tensor([2.])
        """
        previous = self.require_backward_grad_sync
        self.require_backward_grad_sync = False
        try:
            yield
        finally:
            self.require_backward_grad_sync = previous

    def extra_repr(self) -> str:
        return f"world_size={self.world_size}, bucket_cap_mb={self.bucket_cap_mb:g}"


def _check_same_everywhere(module: Module) -> None:
    """Raise on every rank unless all ranks hold the same parameters and buffers."""
    mine = [
        ("parameter", n, tuple(p.shape), str(p.dtype), bool(p.requires_grad))
        for n, p in module.named_parameters()
    ] + [("buffer", n, tuple(b.shape), str(b.dtype), False) for n, b in module.named_buffers()]
    everyone = dist.all_gather_object(mine)
    if all(other == mine for other in everyone):
        return
    raise RuntimeError(
        "DistributedDataParallel: the ranks' models differ, so their gradients cannot be "
        "averaged: " + _first_difference(everyone)
    )


def _first_difference(everyone: list) -> str:
    counts = [
        f"rank {r}: {sum(e[0] == 'parameter' for e in s)} parameters, "
        f"{sum(e[0] == 'buffer' for e in s)} buffers"
        for r, s in enumerate(everyone)
    ]
    ref = everyone[0]
    for r, other in enumerate(everyone[1:], 1):
        for k in range(max(len(ref), len(other))):
            a = ref[k] if k < len(ref) else None
            b = other[k] if k < len(other) else None
            if a != b:
                return (
                    f"{'; '.join(counts)}; first difference at entry {k}: rank 0 has "
                    f"{_entry(a)}, rank {r} has {_entry(b)}"
                )
    return "; ".join(counts)


def _entry(e: Any) -> str:
    if e is None:
        return "nothing"
    kind, name, shape, dtype, rg = e
    frozen = "" if rg or kind == "buffer" else ", frozen"
    return f"{kind} '{name}' {dtype} {shape}{frozen}"
