"""Two ranks for real: each test launches ``mpiexec -n 2`` on a script of this directory
and reads what every rank printed.  Skipped where mpi4py or mpiexec is missing.

The scripts (``mpi_checks.py``, ``mpi_abort.py``) run every check on both ranks; a
failing check prints its traceback and aborts the job, so a failure never hangs.
"""
from __future__ import annotations

import importlib.util
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

import compgraph as cg
import compgraph.distributed as dist
import mpi_checks as mc  # this directory is on sys.path (pytest's "prepend" import mode)

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
RANKS = 2


def _mpiexec() -> str | None:
    # The venv's own launcher first: it belongs to the MPI that mpi4py was built against.
    beside = Path(sys.executable).parent / "mpiexec"
    return str(beside) if beside.exists() else shutil.which("mpiexec")


MPIEXEC = _mpiexec()
pytestmark = pytest.mark.skipif(
    importlib.util.find_spec("mpi4py") is None or MPIEXEC is None,
    reason="needs mpi4py and mpiexec (pip install 'compgraph[mpi]')",
)


def launch(args: list, timeout: float = 120) -> subprocess.CompletedProcess:
    """``mpiexec -n 2 python *args`` with one BLAS thread per rank; killed after timeout."""
    env = {**os.environ, "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1"}
    cmd = [MPIEXEC, "-n", str(RANKS), sys.executable, *map(str, args)]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=env,
                          cwd=ROOT)


def run_group(group: str, *extra) -> str:
    proc = launch([HERE / "mpi_checks.py", group, *extra])
    out = proc.stdout + proc.stderr
    failures = [line for line in out.splitlines() if " FAIL " in line]
    assert not failures, "\n".join(failures)
    assert proc.returncode == 0, out[-3000:]
    for r in range(RANKS):
        assert f"rank {r} DONE" in out, out[-3000:]
    return out


def passed(out: str) -> set:
    """Checks that passed on every rank."""
    seen = [set(re.findall(rf"^rank {r} PASS (\w+)", out, re.M)) for r in range(RANKS)]
    return set.intersection(*seen)


def test_collectives_on_two_ranks():
    out = run_group("collectives")
    assert passed(out) == {"check_collectives", "check_collective_errors"}


def test_ddp_on_two_ranks():
    """Large-batch equivalence for five optimisers (and clipping with a scheduler),
    identical parameters on both ranks, bucket sizes, no_sync, unused parameters,
    mismatched models, buffers and a compiled step with average_gradients."""
    out = run_group("ddp")
    assert passed(out) == {
        "check_ddp_matches_large_batch",
        "check_bucket_sizes",
        "check_no_sync",
        "check_unused_parameters",
        "check_mismatch_detected",
        "check_buffers_broadcast",
        "check_evaluation_forward_keeps_sync",
        "check_compiled_step",
    }


def test_checkpoint_written_by_two_ranks_loads_in_one(tmp_path):
    out = run_group("checkpoint", tmp_path)
    assert passed(out) == {"check_checkpoint"}
    # One process resumes from the same file with the global batch: the same numbers.
    model = mc.make_model(seed=7)
    ck = dist.load_on_all(tmp_path / "ckpt.npz")  # world size 1 here
    model.load_state_dict(ck["model"])
    plain = mc.make_model(seed=8)
    plain.load(str(tmp_path / "model.npz"))
    for a, b in zip(plain.parameters(), model.parameters()):
        np.testing.assert_array_equal(a.data, b.data)
    opt = cg.optim.Adam(model.parameters(), lr=0.01)
    opt.load_state_dict(ck["optim"])
    x, y = mc.data()
    n = RANKS * mc.B
    for _ in range(2):
        opt.zero_grad()
        cg.nn.cross_entropy(model(cg.tensor(x[:n])), y[:n]).backward()
        opt.step()
    with np.load(tmp_path / "resumed_2ranks.npz") as two:
        for k, p in enumerate(model.parameters()):
            np.testing.assert_allclose(p.data, two[f"arr_{k}"], rtol=1e-10, atol=1e-14)


def test_an_exception_on_one_rank_ends_the_job():
    start = time.time()
    proc = launch([HERE / "mpi_abort.py"], timeout=60)
    end = time.time()
    out = proc.stdout + proc.stderr
    assert proc.returncode != 0
    assert "rank 1 of 2 raised ValueError: boom on rank 1" in out, out
    assert "Traceback" in out and "in main" in out
    assert "passed the barrier" not in out  # rank 0 was ended, not released
    raised = float(re.search(r"rank 1 raising at ([\d.]+)", out).group(1))
    assert end - raised < 10, f"the job took {end - raised:.1f} s to end after the error"
    assert end - start < 60


@pytest.mark.skipif(
    any(importlib.util.find_spec(m) is None for m in ("sklearn", "tqdm", "matplotlib")),
    reason="the example needs the examples extra (scikit-learn, tqdm, matplotlib)",
)
def test_example_trains_on_two_ranks(tmp_path):
    proc = launch([ROOT / "examples" / "train_digits.py", "--distributed", "--epochs", "3",
                   "--no-cnn", "--plot", tmp_path / "curves.png"])
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0, out[-3000:]
    acc = float(re.search(r"MLP: test accuracy ([\d.]+)", out).group(1))
    assert acc > 0.85, out[-2000:]
    assert out.count("MLP: test accuracy") == 1  # rank 0 alone prints
    assert "2 ranks, 16 samples per rank" in out
    assert (tmp_path / "curves.png").exists()
