"""Several processes, one training run: ranks, collectives and checkpoints over MPI.

Launch a script with ``mpiexec -n 4 python train.py``; each process is a *rank*.
:func:`init` joins ``MPI.COMM_WORLD`` (through mpi4py); a script started without
``mpiexec``, or where mpi4py is not installed, is one process of rank 0 and every
collective is then the identity, so the same script runs anywhere.

Collectives work on NumPy arrays and Tensors through mpi4py's buffer methods
(``Allreduce``, ``Bcast`` ...: no pickling of arrays): :func:`all_reduce` and
:func:`broadcast` change their argument in place, :func:`all_gather` and
:func:`reduce_scatter` return new arrays.  Before each one the ranks compare what
they pass (one 16-byte allreduce), so a rank that passes another shape or dtype gets
an error naming both instead of a hang or garbage.

:func:`average_gradients` is the functional helper for a training step compiled with
``cg.function``; ``cg.nn.parallel.DistributedDataParallel`` does the same for modules
during ``backward()``.  :func:`save_on_rank0` / :func:`load_on_all` handle checkpoints.

When more than one rank runs, :func:`init` installs an ``excepthook``: an uncaught
exception on any rank prints its traceback (with the rank) and ends every rank with
``MPI_Abort``, instead of leaving the others waiting forever in their next collective.

>>> import numpy as np
>>> import compgraph.distributed as dist
>>> dist.init()
>>> dist.rank(), dist.world_size()      # without mpiexec
(0, 1)
>>> dist.all_reduce(np.array([1.0, 2.0]), op="mean")
array([1., 2.])
"""

from __future__ import annotations

import atexit
import hashlib
import io
import json
import os
import sys
import threading
import time
import traceback
from collections import OrderedDict
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from .autodiff.recording import mark_mutated, wrap
from .autodiff.tree import flatten, unflatten
from .tensor import Tensor

__all__ = [
    "init",
    "is_initialized",
    "rank",
    "world_size",
    "comm",
    "barrier",
    "abort",
    "Work",
    "all_reduce",
    "broadcast",
    "all_gather",
    "reduce_scatter",
    "all_gather_object",
    "broadcast_coalesced",
    "average_gradients",
    "save_on_rank0",
    "load_on_all",
]

# Environment variables that MPI launchers (MPICH/Intel MPI's hydra, Open MPI, MVAPICH,
# Slurm's PMI/PMIx plugins) give every process they start.
_LAUNCHER_VARS = (
    "PMI_RANK",
    "PMI_SIZE",
    "PMIX_RANK",
    "OMPI_COMM_WORLD_SIZE",
    "MV2_COMM_WORLD_SIZE",
    "MPI_LOCALNRANKS",
)
_SIZE_VARS = ("PMI_SIZE", "OMPI_COMM_WORLD_SIZE", "MV2_COMM_WORLD_SIZE")


def _wants_mpi() -> bool:
    """Whether to load MPI: under a launcher, when the user already imported mpi4py's MPI,
    or when ``COMPGRAPH_MPI=1``; ``COMPGRAPH_MPI=0`` turns it off."""
    flag = os.environ.get("COMPGRAPH_MPI", "").strip().lower()
    if flag in ("0", "false", "no", "off"):
        return False
    if flag in ("1", "true", "yes", "on"):
        return True
    return any(v in os.environ for v in _LAUNCHER_VARS) or "mpi4py.MPI" in sys.modules


# Imported here, not in init(), and only when a launcher started this process: loading
# mpi4py's MPI initialises MPI, which a plain ``import compgraph`` must not pay for.
MPI: Any = None
if _wants_mpi():
    try:
        from mpi4py import MPI
    except ImportError:  # one process after all (init() says so if a launcher wanted more)
        MPI = None


class _State:
    """What :func:`init` decided, for the whole process."""

    def __init__(self) -> None:
        self.initialized = False
        self.comm: Any = None  # the MPI communicator, or None for one process
        self.rank = 0
        self.size = 1
        self.progress: _Progress | None = None


class _Progress:
    """A daemon thread that enters MPI's progress engine while collectives are in flight.

    MPICH advances a non-blocking allreduce only inside MPI calls, and during backward
    the main thread is in BLAS (which releases the GIL): without this thread a bucket
    started early would sit until the end of backward.  It probes a private duplicate
    of the communicator every ~100 us, touching neither the user's messages nor the
    collectives' requests (MPI_THREAD_MULTIPLE), and sleeps while nothing is in flight.
    ``COMPGRAPH_MPI_PROGRESS=0`` turns it off.
    """

    interval = 1e-4

    def __init__(self, comm: Any):
        self.comm = comm
        self.inflight = 0
        self.wake = threading.Event()
        self.stopped = False
        self.thread = threading.Thread(target=self._run, name="compgraph-mpi-progress")
        self.thread.daemon = True
        self.thread.start()
        atexit.register(self.stop)  # runs before mpi4py's own exit handler finalises MPI

    def begin(self) -> None:
        self.inflight += 1
        self.wake.set()

    def end(self) -> None:
        self.inflight = max(0, self.inflight - 1)
        if not self.inflight:
            self.wake.clear()

    def stop(self) -> None:
        self.stopped = True
        self.wake.set()
        self.thread.join(timeout=1.0)  # no MPI call of it may overlap MPI_Finalize

    def _run(self) -> None:
        while not self.stopped:
            self.wake.wait()
            while self.wake.is_set() and not self.stopped:
                self.comm.Iprobe(MPI.ANY_SOURCE, MPI.ANY_TAG)
                time.sleep(self.interval)


_S = _State()


# --------------------------------------------------------------------------- processes
def init() -> None:
    """Join the job: ``MPI.COMM_WORLD`` under ``mpiexec``, else one process of rank 0.

    Idempotent: later calls do nothing.  The other functions of this module call it
    when needed, so calling it first is optional (but says what the script does).
    With several ranks it installs the ``excepthook`` that aborts the whole job when
    one rank raises.  Launched with several processes but without mpi4py installed,
    it raises instead of letting each process train alone as rank 0.

    >>> init(); init(); is_initialized()
    True
    """
    if _S.initialized:
        return
    global MPI
    if MPI is None:  # mpi4py's MPI imported by the user after compgraph
        MPI = sys.modules.get("mpi4py.MPI")
    mpi = MPI
    if mpi is None:
        _refuse_lonely_rank()
    else:
        if not mpi.Is_initialized():  # mpi4py.rc.initialize = False: the user defers it
            mpi.Init_thread()
        _S.comm = mpi.COMM_WORLD
        _S.rank, _S.size = _S.comm.Get_rank(), _S.comm.Get_size()
    _S.initialized = True
    if _S.size > 1:
        _install_abort_hook()
        threads_ok = MPI.Query_thread() == MPI.THREAD_MULTIPLE
        if threads_ok and os.environ.get("COMPGRAPH_MPI_PROGRESS", "1") != "0":
            _S.progress = _Progress(_S.comm.Dup())  # (collective, as init is)


def _refuse_lonely_rank() -> None:
    for var in _SIZE_VARS:
        value = os.environ.get(var, "")
        if value.isdigit() and int(value) > 1:
            raise RuntimeError(
                f"compgraph.distributed.init: the launcher started {value} processes "
                f"({var}={value}) but mpi4py is not installed, so each would train alone "
                f"as rank 0; install it with pip install 'compgraph[mpi]'"
            )


def _install_abort_hook() -> None:
    previous = sys.excepthook

    def abort_on_error(exc_type: Any, exc: Any, tb: Any) -> None:
        # The other ranks are (or soon will be) waiting for this one in a collective that
        # can never complete: say why, then end them all.
        try:
            report = (
                f"compgraph.distributed: rank {_S.rank} of {_S.size} raised "
                f"{exc_type.__name__}: {exc}; aborting every rank (MPI_Abort)\n"
            )
            if previous is sys.__excepthook__:  # one write: the launcher forwards it whole
                report += "".join(traceback.format_exception(exc_type, exc, tb))
                sys.stderr.write(report)
            else:  # the user's own hook prints the traceback
                sys.stderr.write(report)
                previous(exc_type, exc, tb)
            sys.stdout.flush()
            sys.stderr.flush()
            time.sleep(_FORWARD_SECONDS)
        finally:
            _S.comm.Abort(1)

    sys.excepthook = abort_on_error


# MPI_Abort kills every process at once; the launcher may not have forwarded the last
# lines of output by then, so the failing rank gives it this long first.
_FORWARD_SECONDS = 0.25


def is_initialized() -> bool:
    """Whether :func:`init` has run (explicitly, or through another function here)."""
    return _S.initialized


def rank() -> int:
    """This process's number, 0 to ``world_size() - 1`` (0 without mpiexec).

    >>> rank()
    0
    """
    init()
    return _S.rank


def world_size() -> int:
    """How many processes take part (1 without mpiexec).

    >>> world_size()
    1
    """
    init()
    return _S.size


def comm() -> Any:
    """The mpi4py communicator in use (``MPI.COMM_WORLD``), or None for one process."""
    init()
    return _S.comm


def barrier() -> None:
    """Wait until every rank has called ``barrier()``."""
    init()
    if _S.size > 1:
        _S.comm.Barrier()


def abort(message: str = "", code: int = 1) -> None:
    """End every rank now, printing ``message`` with this rank's number.

    For a deliberate failure exit: ``sys.exit(1)`` on one rank alone would leave the
    others waiting in their next collective (uncaught exceptions abort on their own).
    """
    init()
    sys.stdout.flush()
    sys.stderr.write(f"compgraph.distributed: rank {_S.rank} of {_S.size} aborts: {message}\n")
    sys.stderr.flush()
    if _S.size > 1:
        _S.comm.Abort(code)
    raise SystemExit(code)


# --------------------------------------------------------------------------- checks
_OPS = {"sum": "SUM", "mean": "SUM", "max": "MAX", "min": "MIN"}  # MPI's: not compgraph ops


def _describe(arr: np.ndarray) -> str:
    return f"{arr.dtype} {tuple(arr.shape)}"


def _target(t: Any, name: str) -> np.ndarray:
    """The ndarray a collective changes in place (a Tensor's own buffer)."""
    if isinstance(t, Tensor):
        arr = t.data
    elif isinstance(t, np.ndarray):
        arr = t
    else:
        raise TypeError(
            f"{name}: works in place, so it needs an ndarray or a Tensor, got {type(t).__name__}"
        )
    if not arr.flags.writeable:
        raise ValueError(f"{name}: the array ({_describe(arr)}) is read-only")
    return arr


def _source(t: Any) -> np.ndarray:
    return t.data if isinstance(t, Tensor) else np.asarray(t)


def _contiguous(arr: np.ndarray) -> np.ndarray:
    """``arr`` itself when MPI can use its memory as one block, else a C-ordered copy
    (``np.ascontiguousarray`` would turn a 0-d array into a 1-d one)."""
    return arr if arr.flags.c_contiguous else arr.copy(order="C")


def _check_dtype(arr: np.ndarray, name: str, op: str | None) -> None:
    kind = arr.dtype.kind
    if kind not in "biufc":
        raise TypeError(f"{name}: arrays of {arr.dtype} cannot be sent (numbers or booleans only)")
    if op is None:
        return
    if op not in _OPS:
        raise ValueError(f"{name}: op must be one of {sorted(_OPS)}, got {op!r}")
    if kind == "b" or (kind == "c" and op in ("max", "min")):
        raise TypeError(f"{name}(op={op!r}) is not defined on {arr.dtype} ({_describe(arr)})")
    if op == "mean" and kind in "iu":
        raise TypeError(
            f"{name}(op='mean'): an integer array ({_describe(arr)}) cannot hold a mean; "
            f"use op='sum' or a float array"
        )


def _agree(name: str, what: str) -> None:
    """Raise on every rank unless every rank calls ``name`` with the same ``what``.

    One allreduce of two int64 (the max of a hash and of its negative): cheap next to a
    collective on an array, and it turns a mismatch into an error instead of a hang."""
    if _S.size == 1:
        return
    desc = f"{name}: {what}"
    h = int.from_bytes(hashlib.blake2b(desc.encode(), digest_size=7).digest(), "little")
    pair = np.array([h, -h], dtype=np.int64)
    _S.comm.Allreduce(MPI.IN_PLACE, pair, op=MPI.MAX)
    if pair[0] != -pair[1]:  # max(h) != min(h): some rank differs
        seen = _S.comm.allgather(what)
        detail = "; ".join(f"rank {r}: {w}" for r, w in enumerate(seen))
        raise ValueError(f"{name}: the ranks passed different arrays or arguments ({detail})")


# --------------------------------------------------------------------------- collectives
class Work:
    """A collective started with ``async_op=True`` (torch's ``Work``).

    ``wait()`` blocks until it is complete and returns its result; ``is_completed()``
    asks without blocking (and lets MPI make progress meanwhile).
    """

    __slots__ = ("_request", "_done", "_result")

    def __init__(self, request: Any, done: Callable[[], None] | None, result: Any):
        self._request, self._done, self._result = request, done, result

    def wait(self) -> Any:
        """Complete the collective; returns the array it wrote."""
        if self._request is not None:
            self._request.Wait()
            self._complete()
        return self._result

    def is_completed(self) -> bool:
        """Whether it has completed (each call also drives MPI's progress)."""
        if self._request is not None and self._request.Test():
            self._complete()
        return self._request is None

    def _complete(self) -> None:
        self._request = None
        if _S.progress is not None:
            _S.progress.end()
        if self._done is not None:
            self._done()


def all_reduce(t: Any, op: str = "sum", *, async_op: bool = False, check: bool = True) -> Any:
    """Combine ``t`` over all ranks, in place: ``"sum"``, ``"mean"``, ``"max"`` or ``"min"``.

    ``t`` is an ndarray or a Tensor (its buffer changes; graphs that used the old value
    refuse backward, as after any in-place change); it is also returned.  With
    ``async_op=True`` a :class:`Work` is returned instead, whose ``wait()`` completes it
    (``Iallreduce``).  ``check=False`` skips comparing shapes and dtypes across ranks
    first (for callers that validated them once, as DistributedDataParallel does).

    >>> import numpy as np
    >>> all_reduce(np.array([3.0, 4.0]), op="max")
    array([3., 4.])
    """
    init()
    arr = _target(t, "all_reduce")
    _check_dtype(arr, "all_reduce", op)
    if check:
        _agree("all_reduce", f"op={op} {_describe(arr)}")
    work = _contiguous(arr)  # MPI needs one block of memory

    def done() -> None:
        if op == "mean" and _S.size > 1:
            np.divide(work, _S.size, out=work)
        if work is not arr:
            arr[...] = work
        mark_mutated(arr)

    request = None
    if _S.size > 1:
        mpi_op = getattr(MPI, _OPS[op])
        if async_op:
            request = _S.comm.Iallreduce(MPI.IN_PLACE, work, op=mpi_op)
            if _S.progress is not None:
                _S.progress.begin()
        else:
            _S.comm.Allreduce(MPI.IN_PLACE, work, op=mpi_op)
    if request is None:
        done()
        return Work(None, None, t) if async_op else t
    return Work(request, done, t)


def broadcast(t: Any, src: int = 0) -> Any:
    """Copy rank ``src``'s ``t`` into every rank's ``t`` (ndarray or Tensor, in place).

    Every rank passes an array of the same shape and dtype; it is also returned.

    >>> import numpy as np
    >>> broadcast(np.arange(3.0), src=0)
    array([0., 1., 2.])
    """
    init()
    arr = _target(t, "broadcast")
    _check_dtype(arr, "broadcast", None)
    _check_src(src, "broadcast")
    _agree("broadcast", f"src={src} {_describe(arr)}")
    if _S.size > 1:
        work = _contiguous(arr)
        _S.comm.Bcast(work, root=src)
        if work is not arr:
            arr[...] = work
        mark_mutated(arr)
    return t


def _check_src(src: int, name: str) -> None:
    if not isinstance(src, (int, np.integer)) or not 0 <= src < _S.size:
        raise ValueError(f"{name}: src must be a rank in 0..{_S.size - 1}, got {src!r}")


def _like(t: Any, arr: np.ndarray) -> Any:
    """A result of the same kind as the argument: a Tensor for a Tensor."""
    if not isinstance(t, Tensor):
        return arr
    return wrap(arr) if arr.ndim else Tensor(arr)  # (a new array: no copy needed)


def all_gather(t: Any) -> Any:
    """Every rank's ``t``, stacked: a new array of shape ``(world_size, *t.shape)``.

    Row ``r`` is rank ``r``'s array; all ranks pass the same shape and dtype.  A Tensor
    gives a Tensor (not recorded: no gradient flows through collectives).

    >>> import numpy as np
    >>> all_gather(np.array([1, 2]))
    array([[1, 2]])
    """
    init()
    arr = _contiguous(_source(t))
    _check_dtype(arr, "all_gather", None)
    _agree("all_gather", _describe(arr))
    out = np.empty((_S.size,) + arr.shape, arr.dtype)
    if _S.size > 1:
        _S.comm.Allgather(arr, out)
    else:
        out[0] = arr
    return _like(t, out)


def reduce_scatter(t: Any, op: str = "sum") -> Any:
    """Combine ``t`` over all ranks and give each rank its block of the result.

    ``t.shape[0]`` must be divisible by ``world_size``; rank ``r`` gets rows
    ``r*k:(r+1)*k`` (``k = t.shape[0] // world_size``) of the combined array, a new
    array (``Reduce_scatter_block``; torch's ``reduce_scatter_tensor``).

    >>> import numpy as np
    >>> reduce_scatter(np.array([1.0, 2.0]), op="sum")
    array([1., 2.])
    """
    init()
    arr = _contiguous(_source(t))
    _check_dtype(arr, "reduce_scatter", op)
    if arr.ndim == 0 or arr.shape[0] % _S.size:
        raise ValueError(
            f"reduce_scatter: the first axis of the array ({_describe(arr)}) must divide "
            f"into world_size={_S.size} blocks"
        )
    _agree("reduce_scatter", f"op={op} {_describe(arr)}")
    out = np.empty((arr.shape[0] // _S.size,) + arr.shape[1:], arr.dtype)
    if _S.size > 1:
        _S.comm.Reduce_scatter_block(arr, out, op=getattr(MPI, _OPS[op]))
        if op == "mean":
            np.divide(out, _S.size, out=out)
    else:
        out[...] = arr
    return _like(t, out)


def all_gather_object(obj: Any) -> list:
    """Every rank's ``obj`` (small Python values, pickled as torch's ``all_gather_object``).

    >>> all_gather_object({"loss": 0.5})
    [{'loss': 0.5}]
    """
    init()
    return _S.comm.allgather(obj) if _S.size > 1 else [obj]


def _by_dtype(arrays: Sequence[np.ndarray]) -> dict:
    groups: dict = {}
    for i, a in enumerate(arrays):
        groups.setdefault(a.dtype, []).append(i)
    return groups


def broadcast_coalesced(arrays: Sequence[Any], src: int = 0, *, check: bool = True) -> None:
    """Broadcast several arrays (ndarrays or Tensors, in place) in one message per dtype.

    How DistributedDataParallel gives every rank rank 0's parameters and buffers.
    ``check=False`` skips comparing the arrays' shapes and dtypes across ranks first.
    """
    init()
    targets = [_target(a, "broadcast_coalesced") for a in arrays]
    for a in targets:
        _check_dtype(a, "broadcast_coalesced", None)
    _check_src(src, "broadcast_coalesced")
    if check:
        _agree("broadcast_coalesced", f"src={src} " + ", ".join(_describe(a) for a in targets))
    if _S.size == 1:
        return
    for dtype, idx in _by_dtype(targets).items():
        flat = np.empty(sum(targets[i].size for i in idx), dtype)
        if _S.rank == src:
            _pack(flat, [targets[i] for i in idx])
        _S.comm.Bcast(flat, root=src)
        if _S.rank != src:
            _unpack_into(flat, [targets[i] for i in idx])
    for a in targets:
        mark_mutated(a)


def _pack(flat: np.ndarray, arrays: Sequence[np.ndarray], divisor: int = 1) -> None:
    """Copy ``arrays`` one after the other into ``flat`` (divided by ``divisor``)."""
    o = 0
    for a in arrays:
        slot = flat[o : o + a.size].reshape(a.shape)
        if divisor == 1:
            np.copyto(slot, a)
        else:
            np.divide(a, divisor, out=slot)
        o += a.size


def _unpack_into(flat: np.ndarray, arrays: Sequence[np.ndarray]) -> None:
    o = 0
    for a in arrays:
        a[...] = flat[o : o + a.size].reshape(a.shape)
        o += a.size


def _buckets(arrays: Sequence[np.ndarray], cap_bytes: float) -> list[list[int]]:
    """Indices grouped into buckets of one dtype and at most ``cap_bytes`` (or one array)."""
    out: list[list[int]] = []
    for dtype, idx in _by_dtype(arrays).items():
        current: list[int] = []
        size = 0
        for i in idx:
            nbytes = arrays[i].size * dtype.itemsize
            if current and size + nbytes > cap_bytes:
                out.append(current)
                current, size = [], 0
            current.append(i)
            size += nbytes
        out.append(current)
    return out


class _Buffers:
    """Flat arrays for :func:`average_gradients`, reused once the caller has dropped every
    result that views them (MPI sends from memory it has seen before about twice as
    fast as from fresh allocations); one still in use is never handed out again."""

    def __init__(self) -> None:
        self.arrays: dict = {}

    def get(self, n: int, dtype: np.dtype) -> np.ndarray:
        kept = self.arrays.setdefault((np.dtype(dtype), n), [])
        for k in range(len(kept)):
            if sys.getrefcount(kept[k]) <= 2:  # the list and getrefcount's argument
                return kept[k]
        a = np.empty(n, dtype)
        kept.append(a)
        del kept[:-4]  # (arrays still viewed by old results stay alive through them)
        return a


_BUFFERS = _Buffers()


def average_gradients(grads: Any, bucket_cap_mb: float = 25.0) -> Any:
    """The mean over all ranks of a list/tuple/dict of gradients, in few large messages.

    The functional helper for a training step compiled with ``cg.function``: split the
    step into one compiled function returning the loss and the gradients and one
    applying the update, and average in between (``cg.function`` traces no MPI calls):

    .. code-block:: python

        loss, grads = grad_step(params, xb, yb)          # compiled
        grads = dist.average_gradients(grads)            # every rank: the mean
        params, state = update(params, grads, state)     # compiled

    Arrays are packed into flat buckets of one dtype and at most ``bucket_cap_mb``
    megabytes, all sent at once with non-blocking allreduces.  Returns a new structure
    of the same shape holding new arrays (Tensors where Tensors were given); the
    arguments are not changed.  None leaves stay None.

    >>> import numpy as np
    >>> average_gradients({"w": np.ones(2), "b": None})
    {'b': None, 'w': array([1., 1.])}
    """
    init()
    leaves, spec = flatten(grads)
    where = [i for i, g in enumerate(leaves) if g is not None]
    arrays = [np.asarray(_source(leaves[i])) for i in where]
    for a in arrays:
        _check_dtype(a, "average_gradients", "mean")
    _agree("average_gradients", f"{spec!r} " + ", ".join(_describe(a) for a in arrays))
    results: list[Any] = [None] * len(arrays)
    pending = []
    for idx in _buckets(arrays, bucket_cap_mb * 2**20):
        flat = _BUFFERS.get(sum(arrays[i].size for i in idx), arrays[idx[0]].dtype)
        # Divided while packed, then summed: the mean without another pass.
        _pack(flat, [arrays[i] for i in idx], _S.size)
        pending.append((idx, flat, all_reduce(flat, "sum", async_op=True, check=False)))
    for idx, flat, work in pending:
        work.wait()
        o = 0
        for i in idx:
            results[i] = flat[o : o + arrays[i].size].reshape(arrays[i].shape)
            o += arrays[i].size
    out = list(leaves)
    for k, i in enumerate(where):
        out[i] = _like(leaves[i], results[k])
    return unflatten(spec, out)


# --------------------------------------------------------------------------- checkpoints
_TREE_KEY = "__compgraph_tree__"


def save_on_rank0(obj_or_fn: Any, path: str | os.PathLike) -> None:
    """Write a checkpoint from rank 0 only; every rank returns once it is written.

    ``obj_or_fn`` is a Module (``obj.save(path)``: its ``state_dict`` as ``.npz``),
    an object with ``state_dict()`` (an optimiser), a function called as
    ``fn(path)`` on rank 0, or a nested dict/list/tuple of arrays, numbers, strings
    and None (``{"model": m.state_dict(), "optim": opt.state_dict(), "epoch": 3}``),
    written as ``.npz`` without pickle.  Parameters are the same on every rank, so the
    file loads at any world size.  For a DistributedDataParallel model pass
    ``ddp.module`` (keys without the ``module.`` prefix, as a single process has them).
    If rank 0 fails, every rank raises.
    """
    init()
    error = None
    if _S.rank == 0:
        try:
            _save(obj_or_fn, path)
        except Exception as e:  # told to every rank below, then re-raised here
            error = e
    status = _S.comm.bcast(None if error is None else repr(error), root=0) if _S.size > 1 else None
    if error is not None:
        raise error
    if status is not None:
        raise RuntimeError(f"save_on_rank0: rank 0 could not write {os.fspath(path)!r}: {status}")


def _save(obj: Any, path: str | os.PathLike) -> None:
    if callable(getattr(obj, "save", None)):
        obj.save(path)
    elif callable(getattr(obj, "state_dict", None)):
        _write_tree(obj.state_dict(), path)
    elif callable(obj):
        obj(path)
    else:
        _write_tree(obj, path)


def load_on_all(source: Any, into: Any = None) -> Any:
    """Read a checkpoint on every rank: rank 0 reads the file and broadcasts its bytes
    (so ranks on other machines need no shared disk).

    ``source`` is a path written by :func:`save_on_rank0` (or ``Module.save``, or any
    ``.npz``), or a function called on every rank after a barrier.  A file holding a
    nested value gives it back (arrays as ndarrays, dict keys and tuples as saved); a
    plain ``.npz`` gives an ordered dict of arrays.  ``into`` (a Module or an
    optimiser) gets the result through its ``load_state_dict``.
    """
    init()
    if callable(source):
        barrier()
        result = source()
    else:
        result = _read_tree(io.BytesIO(_bytes_from_rank0(source)))
    if into is not None:
        into.load_state_dict(result)
    return result


def _bytes_from_rank0(path: Any) -> bytes:
    if _S.size == 1:
        with open(path, "rb") as fh:
            return fh.read()
    data, error = b"", None
    if _S.rank == 0:
        try:
            with open(path, "rb") as fh:
                data = fh.read()
        except OSError as e:
            error = e
    n = np.array([-1 if error is not None else len(data)], dtype=np.int64)
    _S.comm.Bcast(n, root=0)
    if n[0] < 0:
        if error is not None:
            raise error
        raise FileNotFoundError(f"load_on_all: rank 0 could not read {os.fspath(path)!r}")
    buf = np.frombuffer(data, np.uint8).copy() if _S.rank == 0 else np.empty(int(n[0]), np.uint8)
    _S.comm.Bcast(buf, root=0)
    return buf.tobytes()


def _write_tree(obj: Any, path: str | os.PathLike) -> None:
    arrays: dict[str, Any] = {}
    skeleton = _encode(obj, arrays, "checkpoint")
    arrays[_TREE_KEY] = np.frombuffer(json.dumps(skeleton).encode(), np.uint8)
    with open(path, "wb") as fh:
        np.savez(fh, **arrays)


def _encode(v: Any, arrays: dict, where: str) -> Any:
    """JSON for the structure; arrays go to ``arrays`` under a numbered name."""
    if isinstance(v, (Tensor, np.ndarray, np.generic)):
        name = f"a{len(arrays)}"
        arrays[name] = np.asarray(_source(v))
        return {"s" if isinstance(v, np.generic) else "a": name}
    if v is None or isinstance(v, (bool, int, float, str)):
        return {"v": v}
    if isinstance(v, dict):
        items = []
        for k, x in v.items():
            if not isinstance(k, (str, int)) or isinstance(k, bool):
                raise TypeError(f"save_on_rank0: {where} has a key {k!r}; keys must be str or int")
            items.append([k, _encode(x, arrays, f"{where}[{k!r}]")])
        return {"d": items}
    if isinstance(v, (list, tuple)):
        kind = "t" if isinstance(v, tuple) else "l"
        return {kind: [_encode(x, arrays, f"{where}[{i}]") for i, x in enumerate(v)]}
    raise TypeError(
        f"save_on_rank0: {where} is a {type(v).__name__}; a checkpoint holds arrays, "
        f"numbers, strings, None and dicts/lists/tuples of them"
    )


def _read_tree(fh: Any) -> Any:
    with np.load(fh, allow_pickle=False) as data:
        arrays = {k: data[k] for k in data.files}
    if _TREE_KEY not in arrays:
        return OrderedDict(arrays)
    skeleton = json.loads(arrays.pop(_TREE_KEY).tobytes().decode())
    return _decode(skeleton, arrays)


def _decode(node: dict, arrays: dict) -> Any:
    ((kind, value),) = node.items()
    if kind == "a":
        return arrays[value]
    if kind == "s":  # a NumPy scalar (an optimiser's step count) comes back as one
        return arrays[value][()]
    if kind == "v":
        return value
    if kind == "d":
        return {k: _decode(x, arrays) for k, x in value}
    items = [_decode(x, arrays) for x in value]
    return tuple(items) if kind == "t" else items
