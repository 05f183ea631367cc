"""Checks that run inside ``mpiexec -n 2 python mpi_checks.py GROUP [DIR]`` (see test_mpi.py).

Each rank prints ``rank R PASS name`` or ``rank R FAIL name: why`` per check, then
``rank R DONE``; the pytest side launches the job and reads those lines.  Nothing runs
on import (pytest imports this file for its doctests).
"""
from __future__ import annotations

import os
import sys
import traceback

import numpy as np

import compgraph as cg
import compgraph.distributed as dist
from compgraph import nn
from compgraph.nn.parallel import DistributedDataParallel as DDP

N_SAMPLES, B = 48, 4  # per-rank batch B; the reference process uses world_size * B


# --------------------------------------------------------------------------- helpers
def data(seed: int = 5) -> tuple:
    rng = np.random.default_rng(seed)
    return rng.standard_normal((N_SAMPLES, 6)), rng.integers(0, 3, N_SAMPLES)


def make_model(seed: int, batchnorm: bool = False) -> nn.Module:
    layers = [nn.Linear(6, 16, seed=seed), nn.Tanh(), nn.Linear(16, 3, seed=seed + 1)]
    if batchnorm:
        layers.insert(1, nn.BatchNorm1d(16))
    return nn.Sequential(*layers)


OPTIMS = {
    "sgd": lambda ps: cg.optim.SGD(ps, lr=0.1, momentum=0.9, nesterov=True),
    "adam": lambda ps: cg.optim.Adam(ps, lr=0.01),
    "adamw": lambda ps: cg.optim.AdamW(ps, lr=0.01, weight_decay=0.1),
    "rmsprop": lambda ps: cg.optim.RMSprop(ps, lr=0.01),
    "adagrad": lambda ps: cg.optim.Adagrad(ps, lr=0.1),
}


def train(model, sampler, batch, optim="adam", epochs=2, clip=False, sched=False):
    """Epochs of mini-batch training; returns copies of the parameters."""
    x, y = data()
    opt = OPTIMS[optim](model.parameters())
    lr_sched = cg.optim.StepLR(opt, step_size=1, gamma=0.5) if sched else None
    loader = cg.data.DataLoader((x, y), batch_size=batch, sampler=sampler)
    for epoch in range(epochs):
        sampler.set_epoch(epoch)
        for xb, yb in loader:
            loss = nn.cross_entropy(model(cg.tensor(xb)), yb)
            opt.zero_grad()
            loss.backward()
            if clip:
                cg.optim.clip_grad_norm_(model.parameters(), 0.5)
            opt.step()
        if lr_sched is not None:
            lr_sched.step()
    return [p.data.copy() for p in model.parameters()]


def distributed_run(cap=25.0, view=False, **kw):
    # Each rank starts from other weights: DDP must give all of them rank 0's (seed 0).
    model = DDP(make_model(seed=10 * dist.rank()), bucket_cap_mb=cap,
                gradient_as_bucket_view=view)
    params = train(model, cg.data.DistributedSampler(N_SAMPLES, seed=3), B, **kw)
    return params, model


def reference_run(**kw):
    """One process, batch world_size * B over the same permutation."""
    sampler = cg.data.DistributedSampler(N_SAMPLES, num_replicas=1, rank=0, seed=3)
    return train(make_model(seed=0), sampler, dist.world_size() * B, **kw)


def close(a, b, rtol=1e-10):
    for u, v in zip(a, b, strict=True):
        np.testing.assert_allclose(u, v, rtol=rtol, atol=1e-14)


def same_on_all_ranks(params) -> None:
    flat = np.concatenate([p.ravel() for p in params])
    rows = dist.all_gather(flat)
    assert all(np.array_equal(rows[0], r) for r in rows), "parameters differ between ranks"


def expect_error(kind, fn, *words):
    try:
        fn()
    except kind as e:
        missing = [w for w in words if w not in str(e)]
        assert not missing, f"message {str(e)!r} lacks {missing}"
        return str(e)
    raise AssertionError(f"{fn} did not raise {kind.__name__}")


# --------------------------------------------------------------------------- collectives
def check_collectives():
    r, n = dist.rank(), dist.world_size()
    a = np.array([1.0, 2.0]) * (r + 1)
    assert dist.all_reduce(a) is a and np.allclose(a, [3.0, 6.0])
    t = cg.tensor([r + 1.0, -r])
    dist.all_reduce(t, op="mean")
    assert np.allclose(t.data, [1.5, -0.5])
    assert dist.all_reduce(np.array([r]), op="max")[0] == n - 1
    assert dist.all_reduce(np.array([r]), op="min")[0] == 0
    nc = np.arange(6.0).reshape(2, 3).T * (r + 1)  # not contiguous: reduced through a copy
    dist.all_reduce(nc)
    assert np.allclose(nc, 3 * np.arange(6.0).reshape(2, 3).T)
    w = dist.all_reduce(np.full(3, float(r)), async_op=True)
    assert np.allclose(w.wait(), 1.0) and w.is_completed()
    b = np.full((2, 2), float(r))
    dist.broadcast(b, src=1)
    assert np.all(b == 1.0)
    g = dist.all_gather(cg.tensor([float(r), 7.0]))
    assert isinstance(g, cg.Tensor) and g.shape == (2, 2) and np.allclose(g.data[:, 0], [0, 1])
    rs = dist.reduce_scatter(np.arange(4.0) * (r + 1))
    assert np.allclose(rs, 3 * np.arange(4.0).reshape(2, 2)[r])
    assert dist.all_gather_object({"r": r}) == [{"r": 0}, {"r": 1}]
    arrays = [np.full(2, float(r)), np.full(3, r, dtype=np.int64), cg.tensor([float(r)])]
    dist.broadcast_coalesced(arrays, src=0)
    assert all(np.all(np.asarray(x) == 0) for x in arrays)
    avg = dist.average_gradients({"w": np.full((2, 2), float(r)), "b": cg.tensor([r * 2.0])})
    assert np.allclose(avg["w"], 0.5) and np.allclose(avg["b"].data, 1.0)
    dist.barrier()


def check_collective_errors():
    r = dist.rank()
    msg = expect_error(ValueError, lambda: dist.all_reduce(np.zeros(2 + r)), "all_reduce",
                       "rank 0: op=sum float64 (2,)", "rank 1: op=sum float64 (3,)")
    assert msg
    expect_error(ValueError, lambda: dist.broadcast(np.zeros(2, ["f4", "f8"][r])),
                 "broadcast", "float32", "float64")
    expect_error(ValueError, lambda: dist.all_reduce(np.zeros(2), op="prod"), "all_reduce", "op")
    expect_error(TypeError, lambda: dist.all_reduce(np.arange(2), op="mean"), "int64", "(2,)")
    expect_error(TypeError, lambda: dist.all_reduce(3.0), "all_reduce", "float")
    dist.barrier()  # every rank is still in step after the errors


# --------------------------------------------------------------------------- DDP
def check_ddp_matches_large_batch():
    for optim in OPTIMS:
        got, model = distributed_run(optim=optim)
        close(got, reference_run(optim=optim))
        same_on_all_ranks(got)
    got, _ = distributed_run(optim="sgd", clip=True, sched=True)
    close(got, reference_run(optim="sgd", clip=True, sched=True))


def check_bucket_sizes():
    base, _ = distributed_run(optim="adam")
    for cap in (1.0, 1e-3, 1e-5):
        got, model = distributed_run(cap=cap, optim="adam")
        close(got, base, rtol=1e-13)
    assert len(model._reducer.buckets) == 4  # tiny buckets: one parameter each
    got, model = distributed_run(view=True, optim="adam")  # .grad: views of the buckets
    close(got, base, rtol=1e-13)
    flat = model._reducer.buckets[0].flat
    assert all(np.shares_memory(p.grad.data, flat) for p in model.parameters())
    mixed = nn.Sequential(nn.Linear(3, 4, dtype="float32", seed=0), nn.Linear(4, 2, seed=1))
    ddp = DDP(mixed, bucket_cap_mb=1e-5)
    x = cg.tensor(np.ones((2, 3), np.float32) * (dist.rank() + 1))
    ddp(x).sum().backward()
    assert {b.flat.dtype.name for b in ddp._reducer.buckets} == {"float32", "float64"}
    assert np.allclose(mixed[0].weight.grad.data, 3 * mixed[1].weight.data.sum(0)[:, None])


def check_no_sync():
    for view in (False, True):
        accumulate(view, sync_every=False)
        accumulate(view, sync_every=True)


def accumulate(view: bool, sync_every: bool):
    """k micro-batches per rank: under no_sync but the last (or each one averaged),
    against one process's step on all N * k * B samples."""
    x, y = data()
    k = 3
    model = DDP(make_model(seed=0), gradient_as_bucket_view=view)
    opt = cg.optim.SGD(model.parameters(), lr=0.1)
    lo = dist.rank() * k * B  # this rank's k * B samples; together: the first N * k * B
    opt.zero_grad()
    for i in range(k):
        xb, yb = x[lo + i * B:lo + (i + 1) * B], y[lo + i * B:lo + (i + 1) * B]
        if i < k - 1 and not sync_every:
            with model.no_sync():
                (nn.cross_entropy(model(cg.tensor(xb)), yb) / k).backward()
            rows = dist.all_gather(model.module[0].weight.grad.data)
            assert not np.allclose(rows[0], rows[1]), "no_sync averaged"
        else:  # averages the gradients accumulated so far (and this one)
            (nn.cross_entropy(model(cg.tensor(xb)), yb) / k).backward()
    opt.step()
    ref = make_model(seed=0)
    ropt = cg.optim.SGD(ref.parameters(), lr=0.1)
    n = dist.world_size() * k * B
    nn.cross_entropy(ref(cg.tensor(x[:n])), y[:n]).backward()
    ropt.step()
    close([p.data for p in model.parameters()], [p.data for p in ref.parameters()])


class TwoBranch(nn.Module):
    def __init__(self):
        super().__init__()
        self.a = nn.Linear(3, 2, seed=0)
        self.b = nn.Linear(3, 2, seed=1)
        self.never = nn.Linear(3, 2, seed=2)

    def forward(self, x, use_b):
        return self.a(x) + self.b(x) if use_b else self.a(x)


def check_unused_parameters():
    r = dist.rank()
    x = cg.tensor(np.ones((1, 3)))
    model = DDP(TwoBranch(), find_unused_parameters=True)
    model(x, use_b=(r == 1)).sum().backward()  # b only on rank 1
    net = model.module
    assert np.allclose(net.b.weight.grad.data, 0.5) and np.allclose(net.a.weight.grad.data, 1.0)
    assert net.never.weight.grad is None, "a parameter no rank used got a gradient"
    strict = DDP(TwoBranch())
    expect_error(RuntimeError, lambda: strict(x, use_b=(r == 1)).sum().backward(),
                 "find_unused_parameters=True", "b.weight", "never.weight")
    dist.barrier()


def check_mismatch_detected():
    r = dist.rank()
    expect_error(RuntimeError, lambda: DDP(nn.Linear(3, 4 + r, seed=0)), "models differ",
                 "rank 0 has parameter 'weight' float64 (4, 3)",
                 "rank 1 has parameter 'weight' float64 (5, 3)")
    extra = [nn.Linear(2, 2)] * r
    expect_error(RuntimeError, lambda: DDP(nn.Sequential(nn.Linear(2, 2), *extra)),
                 "rank 0: 2 parameters", "rank 1: 4 parameters")


def check_buffers_broadcast():
    base = make_model(seed=0, batchnorm=True)
    base[1].running_mean[...] = dist.rank() + 1.0
    model = DDP(base)
    assert np.all(base[1].running_mean == 1.0)  # rank 0's value everywhere
    model(cg.tensor(np.ones((4, 6)) * dist.rank())).sum().backward()
    same_on_all_ranks([p.grad.data for p in model.parameters()])


def check_evaluation_forward_keeps_sync():
    """A forward under no_grad between a forward and its backward changes nothing."""
    model = DDP(make_model(seed=0))
    out = model(cg.tensor(np.ones((2, 6)) * dist.rank()))
    with cg.no_grad():
        model(cg.tensor(np.ones((2, 6))))
    out.sum().backward()
    same_on_all_ranks([p.grad.data for p in model.parameters()])


def check_compiled_step():
    x, y = data()
    eye = np.eye(3)

    def loss_fn(ps, xb, onehot):
        w1, b1, w2, b2 = ps
        h = cg.tanh(cg.linear(xb, w1, b1))
        return -cg.sum(cg.log_softmax(cg.linear(h, w2, b2)) * onehot) / xb.shape[0]

    @cg.function
    def grad_step(ps, xb, onehot):
        return cg.value_and_grad(loss_fn)(ps, xb, onehot)

    def run(average):
        ps = [p.data.copy() for p in make_model(seed=0).parameters()]
        n = dist.world_size() * B  # the global batch
        for s in range(3):
            idx = s * n + (dist.rank() * B + np.arange(B) if average else np.arange(n))
            _, grads = grad_step(ps, x[idx], eye[y[idx]])
            if average:
                grads = dist.average_gradients(grads)
            ps = [p - 0.5 * np.asarray(g) for p, g in zip(ps, grads)]
        return ps

    close(run(True), run(False))


def steps(model, opt, x, y, n=2):
    """``n`` Adam steps on this rank's B samples of the first world_size * B."""
    mine = slice(dist.rank() * B, (dist.rank() + 1) * B)
    for _ in range(n):
        opt.zero_grad()
        nn.cross_entropy(model(cg.tensor(x[mine])), y[mine]).backward()
        opt.step()


def check_checkpoint(directory):
    x, y = data()
    model = DDP(make_model(seed=0))
    opt = cg.optim.Adam(model.parameters(), lr=0.01)
    steps(model, opt, x, y)
    path = os.path.join(directory, "ckpt.npz")
    dist.save_on_rank0({"model": model.module.state_dict(), "optim": opt.state_dict(),
                        "epoch": 2}, path)
    dist.save_on_rank0(model.module, os.path.join(directory, "model.npz"))
    # Resume on every rank from the files (as a restarted job would), then go on.
    fresh = make_model(seed=99)
    ck = dist.load_on_all(path)
    fresh.load_state_dict(ck["model"])
    assert ck["epoch"] == 2 and ck["optim"]["param_groups"][0]["betas"] == (0.9, 0.999)
    close([p.data for p in fresh.parameters()], [p.data for p in model.parameters()], 0)
    dist.load_on_all(os.path.join(directory, "model.npz"), into=fresh)
    resumed = DDP(fresh)
    fopt = cg.optim.Adam(resumed.parameters(), lr=0.01)
    fopt.load_state_dict(ck["optim"])
    steps(resumed, fopt, x, y)
    assert dist.load_on_all(lambda: 5) == 5
    expect_error(FileNotFoundError, lambda: dist.load_on_all(path + ".missing"), "missing")
    if dist.rank() == 0:  # the single-process test resumes from ckpt.npz and compares
        np.savez(os.path.join(directory, "resumed_2ranks.npz"),
                 *[p.data for p in fresh.parameters()])
    dist.barrier()


GROUPS = {
    "collectives": [check_collectives, check_collective_errors],
    "ddp": [check_ddp_matches_large_batch, check_bucket_sizes, check_no_sync,
            check_unused_parameters, check_mismatch_detected, check_buffers_broadcast,
            check_evaluation_forward_keeps_sync, check_compiled_step],
    "checkpoint": [check_checkpoint],
}


def say(line: str) -> None:
    """One write per line, so the two ranks' lines never interleave mid-line."""
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def main(group: str, directory: str | None = None) -> None:
    dist.init()
    r = dist.rank()
    for check in GROUPS[group]:
        try:
            check(directory) if check is check_checkpoint else check()
            say(f"rank {r} PASS {check.__name__}")
        except Exception as e:  # report, then end the job: the ranks may be out of step
            detail = "".join(traceback.format_exception(e)).replace("\n", " | ")
            say(f"rank {r} FAIL {check.__name__}: {detail}")
            dist.abort(f"{check.__name__} failed")
    say(f"rank {r} DONE")


if __name__ == "__main__":
    main(*sys.argv[1:])
