"""Run by test_mpi.py under ``mpiexec -n 2``: rank 1 raises while rank 0 waits for it.

Without the excepthook that ``dist.init()`` installs, rank 0 would wait in the barrier
forever; with it, the job ends within seconds and prints rank 1's error.  Nothing runs
on import (pytest imports this file for its doctests).
"""
from __future__ import annotations

import time

import compgraph.distributed as dist


def main() -> None:
    dist.init()
    if dist.rank() == 1:
        print(f"rank 1 raising at {time.time():.3f}", flush=True)
        raise ValueError("boom on rank 1")
    dist.barrier()
    print("rank 0 passed the barrier", flush=True)


if __name__ == "__main__":
    main()
