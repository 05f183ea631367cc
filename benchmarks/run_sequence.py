"""Sequence-model benchmarks: one training step (forward + backward) of an LSTM and of a
transformer encoder block, compgraph (dynamic and compiled) side by side with PyTorch
CPU eager and, for the LSTM, hand-written NumPy.

    .venv/bin/python benchmarks/run_sequence.py              # both workloads
    .venv/bin/python benchmarks/run_sequence.py --only lstm --repeats 3

Workloads (float32, the same weights and inputs for every implementation, checked to
give the same loss):

- ``lstm``: ``nn.LSTM(256, 256)`` over 64 steps of a batch of 32, loss ``sum(out**2)``.
- ``block``: ``nn.TransformerEncoderLayer(256, 4, dim_feedforward=1024, dropout=0,
  batch_first=True)`` on (32, 128, 256) with a causal mask, loss ``sum(out**2)``.

Implementations: ``torch`` (eager, ``torch.set_num_threads(THREADS)``), ``numpy``
(the LSTM's forward and backpropagation through time written by hand, BLAS on
``THREADS`` threads; none for the block), ``cg-dynamic`` (the compgraph layer, then
``loss.backward()``) and ``cg-compiled`` (``cg.function`` of ``cg.value_and_grad`` of the
same layer's loss, the parameters passed in; traced once).  Each cell is the best
seconds per step over ``--repeats`` loops, implementations interleaved so load on a
shared machine hits all alike.  The table gives milliseconds and the ratio to torch.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

# Threads for torch and for NumPy's BLAS (set before NumPy loads).  On a loaded machine
# ``--threads 1`` is the fair choice: a BLAS thread pool that is descheduled mid-product
# makes every small product wait (seen: 10x slower LSTM steps at load 20 on 2 cores).
THREADS = int(sys.argv[sys.argv.index("--threads") + 1]) if "--threads" in sys.argv else 2
for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(var, str(THREADS))

import numpy as np  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))  # harness.py, beside this script
from harness import load_compgraph, time_calls  # noqa: E402

B, T, H = 32, 64, 256  # LSTM: batch, steps, hidden (= input size)
NB, NT, D, HEADS, FF = 32, 128, 256, 4, 1024  # transformer block


def swapped(module: Any, values: list) -> Any:
    """A context in which ``module`` reads ``values`` in place of its parameters."""
    slots = [(m, n) for _, m in module.named_modules() for n, _ in m.named_parameters(recurse=False)]

    @contextlib.contextmanager
    def ctx() -> Any:
        old = [m.__dict__[n] for m, n in slots]
        for (m, n), v in zip(slots, values):
            object.__setattr__(m, n, v)
        try:
            yield
        finally:
            for (m, n), v in zip(slots, old):
                object.__setattr__(m, n, v)

    return ctx()


# --------------------------------------------------------------------------- numpy LSTM
def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 0.5 * np.tanh(0.5 * x) + 0.5


def numpy_lstm_step(x: np.ndarray, w_ih: np.ndarray, w_hh: np.ndarray, b: np.ndarray) -> tuple:
    """Forward and backpropagation through time of one LSTM layer, loss sum(h**2):
    the input projection and the weight gradients as single large products."""
    steps, n, _ = x.shape
    hid = w_hh.shape[1]
    gx = (x.reshape(steps * n, -1) @ w_ih.T + b).reshape(steps, n, 4 * hid)
    hs = np.zeros((steps + 1, n, hid), x.dtype)
    cs = np.zeros((steps + 1, n, hid), x.dtype)
    acts = np.empty((steps, n, 4 * hid), x.dtype)
    for t in range(steps):
        g = gx[t] + hs[t] @ w_hh.T
        a = acts[t]
        a[:, : 2 * hid] = _sigmoid(g[:, : 2 * hid])
        a[:, 2 * hid : 3 * hid] = np.tanh(g[:, 2 * hid : 3 * hid])
        a[:, 3 * hid :] = _sigmoid(g[:, 3 * hid :])
        cs[t + 1] = a[:, hid : 2 * hid] * cs[t] + a[:, :hid] * a[:, 2 * hid : 3 * hid]
        hs[t + 1] = a[:, 3 * hid :] * np.tanh(cs[t + 1])
    loss = float((hs[1:] ** 2).sum())
    dh_out = 2 * hs[1:]
    dgates = np.empty_like(acts)
    dh = np.zeros((n, hid), x.dtype)
    dc = np.zeros((n, hid), x.dtype)
    for t in range(steps - 1, -1, -1):
        a = acts[t]
        i, f, gg, o = a[:, :hid], a[:, hid : 2 * hid], a[:, 2 * hid : 3 * hid], a[:, 3 * hid :]
        dh = dh + dh_out[t]
        tc = np.tanh(cs[t + 1])
        dc = dc + dh * o * (1 - tc * tc)
        dg = dgates[t]
        dg[:, :hid] = dc * gg * i * (1 - i)
        dg[:, hid : 2 * hid] = dc * cs[t] * f * (1 - f)
        dg[:, 2 * hid : 3 * hid] = dc * i * (1 - gg * gg)
        dg[:, 3 * hid :] = dh * tc * o * (1 - o)
        dc = dc * f
        dh = dg @ w_hh
    dg2 = dgates.reshape(steps * n, -1)
    grads = (dg2.T @ x.reshape(steps * n, -1), dg2.T @ hs[:-1].reshape(steps * n, -1),
             dg2.sum(0))
    return loss, grads


# --------------------------------------------------------------------------- steps
def make_steps(work: str, impls: list[str]) -> dict[str, Callable[[], float]]:
    """{impl: a function running one step and returning the loss}."""
    import torch
    torch.set_num_threads(THREADS)
    torch.manual_seed(0)
    rng = np.random.default_rng(0)
    cg = load_compgraph()
    nn = cg.nn
    if work == "lstm":
        tmod = torch.nn.LSTM(H, H)
        x = rng.standard_normal((T, B, H)).astype(np.float32)
        cmod = nn.LSTM(H, H, dtype="float32")
    else:
        tmod = torch.nn.TransformerEncoderLayer(D, HEADS, FF, 0.0, batch_first=True)
        x = rng.standard_normal((NB, NT, D)).astype(np.float32)
        cmod = nn.TransformerEncoderLayer(D, HEADS, FF, 0.0, batch_first=True, dtype="float32")
    cmod.load_state_dict({k: v.detach().numpy() for k, v in tmod.state_dict().items()})
    mask = np.triu(np.ones((NT, NT), bool), 1)
    tmask = torch.tensor(mask)

    def call(mod: Any, inp: Any, m: Any) -> Any:
        return mod(inp)[0] if work == "lstm" else mod(inp, src_mask=m)

    steps: dict[str, Callable[[], float]] = {}
    xt = torch.tensor(x)
    tparams = list(tmod.parameters())

    def torch_step() -> float:
        for p in tparams:
            p.grad = None
        loss = (call(tmod, xt, tmask) ** 2).sum()
        loss.backward()
        return float(loss.detach())

    steps["torch"] = torch_step
    if work == "lstm":
        w = {k: v.detach().numpy().copy() for k, v in tmod.state_dict().items()}
        b = w["bias_ih_l0"] + w["bias_hh_l0"]
        steps["numpy"] = lambda: numpy_lstm_step(x, w["weight_ih_l0"], w["weight_hh_l0"], b)[0]
    xc = cg.tensor(x)

    def dynamic() -> float:
        cmod.zero_grad()
        loss = (call(cmod, xc, mask) ** 2).sum()
        loss.backward()
        return float(loss)

    steps["cg-dynamic"] = dynamic
    values = [p.data for p in cmod.parameters()]

    def loss_fn(ps: list, inp: Any) -> Any:
        with swapped(cmod, ps):
            return cg.sum(call(cmod, inp, mask) ** 2)

    compiled = cg.function(cg.value_and_grad(loss_fn))
    steps["cg-compiled"] = lambda: float(compiled(values, x)[0])
    return {k: v for k, v in steps.items() if k in impls}


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--only", choices=["lstm", "block"], nargs="*", default=["lstm", "block"])
    p.add_argument("--impls", nargs="*", default=["torch", "numpy", "cg-dynamic", "cg-compiled"])
    p.add_argument("--repeats", type=int, default=5)
    p.add_argument("--threads", type=int, default=2, help="torch and BLAS threads")
    p.add_argument("--min-loop", type=float, default=0.5, help="seconds per timed loop")
    args = p.parse_args()
    rows = []
    for work in args.only:
        steps = make_steps(work, args.impls)
        losses = {k: f() for k, f in steps.items()}
        ref = losses.get("torch")
        for k, v in losses.items():
            if ref is not None and not np.isclose(v, ref, rtol=1e-3):
                raise SystemExit(f"{work}: {k} gives loss {v}, torch {ref}")
        best = {k: np.inf for k in steps}
        for _ in range(args.repeats):  # interleaved rounds
            for k, f in steps.items():
                best[k] = min(best[k], time_calls(f, 1, args.min_loop)[0])
            print(f"{work}: " + ", ".join(f"{k} {v * 1e3:.1f} ms" for k, v in best.items()),
                  file=sys.stderr)
        rows.append((work, best))
    impls = [k for k in args.impls if any(k in b for _, b in rows)]
    print(f"\nforward+backward step, float32, best of {args.repeats} interleaved rounds, "
          f"{THREADS} threads (ms; x = ratio to torch eager)\n")
    print("| workload | " + " | ".join(impls) + " |")
    print("|---" * (len(impls) + 1) + "|")
    for work, best in rows:
        ref = best.get("torch")
        cells = []
        for k in impls:
            if k not in best:
                cells.append("-")
                continue
            ratio = f" ({best[k] / ref:.2f}x)" if ref and k != "torch" else ""
            cells.append(f"{best[k] * 1e3:.1f}{ratio}")
        name = {"lstm": f"LSTM B={B} T={T} H={H}",
                "block": f"encoder block B={NB} T={NT} d={D} heads={HEADS} ff={FF}"}[work]
        print(f"| {name} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
