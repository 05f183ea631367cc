"""Train an MLP and a small CNN on scikit-learn's handwritten digits with compgraph.

    python examples/train_digits.py                 # MLP and CNN, dynamic graphs
    python examples/train_digits.py --compiled      # whole MLP step (Adam too) traced once
    python examples/train_digits.py --epochs 5 --plot curves.png
    mpiexec -n 2 python examples/train_digits.py --distributed   # data parallel, 2 ranks

Needs the ``examples`` extra (scikit-learn for ``load_digits`` - no download -,
tqdm for the progress bar, matplotlib for the curves); ``--distributed`` needs the
``mpi`` extra (mpi4py and the ``mpich`` wheel, which brings ``mpiexec``).  There every
rank trains a ``DistributedDataParallel`` replica on its ``DistributedSampler`` share
of each batch (``--batch-size`` is the global batch, split over the ranks); rank 0
alone shows the progress bar, prints and plots.  With ``--compiled`` the traced step
is split in two around ``dist.average_gradients``.
"""
from __future__ import annotations

import argparse
import functools
import time

import numpy as np

import compgraph as cg
import compgraph.distributed as dist
from compgraph import nn


def load(seed: int = 0) -> tuple:
    """Digits as float32 in [0, 1], split 80/20 with a seeded permutation."""
    from sklearn.datasets import load_digits
    d = load_digits()
    x = (d.data / 16.0).astype(np.float32)
    y = d.target.astype(np.int64)
    order = np.random.default_rng(seed).permutation(len(x))
    cut = int(0.8 * len(x))
    tr, te = order[:cut], order[cut:]
    return x[tr], y[tr], x[te], y[te]


def mlp(seed: int = 0) -> nn.Module:
    """64 -> 128 -> 64 -> 10 with ReLU."""
    return nn.Sequential(nn.Linear(64, 128, dtype="float32", seed=seed), nn.ReLU(),
                         nn.Linear(128, 64, dtype="float32", seed=seed + 1), nn.ReLU(),
                         nn.Linear(64, 10, dtype="float32", seed=seed + 2))


def cnn(seed: int = 0) -> nn.Module:
    """Conv(1->16, 3x3) -> ReLU -> MaxPool(2) -> Linear(16*4*4 -> 10)."""
    return nn.Sequential(nn.Conv2d(1, 16, 3, padding=1, dtype="float32", seed=seed), nn.ReLU(),
                         nn.MaxPool2d(2), nn.Flatten(),
                         nn.Linear(16 * 4 * 4, 10, dtype="float32", seed=seed + 1))


def accuracy(model: nn.Module, x: np.ndarray, y: np.ndarray, shape: tuple) -> float:
    model.eval()
    with cg.no_grad():
        pred = model(cg.tensor(x.reshape(shape))).numpy().argmax(axis=1)
    model.train()
    return float((pred == y).mean())


def mean_over_ranks(values: list, distributed: bool) -> float:
    """The mean of this rank's values, averaged over the ranks when distributed."""
    m = np.array([np.mean(values)])
    return float(dist.all_reduce(m, op="mean")[0] if distributed else m[0])


def loader_for(xtr: np.ndarray, ytr: np.ndarray, batch_size: int, seed: int,
               distributed: bool, drop_last: bool = False) -> tuple:
    """Shuffled batches; distributed, this rank's share of each global batch."""
    if not distributed:
        loader = cg.data.DataLoader((xtr, ytr), batch_size=batch_size, shuffle=True,
                                    seed=seed, drop_last=drop_last)
        return loader, None
    sampler = cg.data.DistributedSampler(len(xtr), shuffle=True, seed=seed)
    per_rank = max(1, batch_size // dist.world_size())
    loader = cg.data.DataLoader((xtr, ytr), batch_size=per_rank, sampler=sampler,
                                drop_last=drop_last)
    return loader, sampler


def train(name: str, model: nn.Module, data: tuple, epochs: int, shape: tuple,
          lr: float = 3e-3, seed: int = 0, batch_size: int = 32,
          distributed: bool = False) -> dict:
    """Adam on mini-batches of ``batch_size``; returns the loss and accuracy curves.

    Distributed, the model is wrapped in DistributedDataParallel (which gives every
    rank rank 0's weights and averages the gradients in backward) and each rank reads
    its DistributedSampler share of every batch.
    """
    from tqdm import tqdm
    xtr, ytr, xte, yte = data
    net = nn.parallel.DistributedDataParallel(model) if distributed else model
    opt = cg.optim.Adam(net.parameters(), lr=lr)
    loader, sampler = loader_for(xtr, ytr, batch_size, seed, distributed)
    quiet = distributed and dist.rank() != 0
    hist: dict = {"loss": [], "train_acc": [], "test_acc": []}
    for epoch in range(epochs):
        if sampler is not None:
            sampler.set_epoch(epoch)  # a new order each epoch, the same on every rank
        losses = []
        for xb, yb in tqdm(loader, desc=f"{name} epoch {epoch + 1}/{epochs}", leave=False,
                           disable=quiet):
            loss = nn.cross_entropy(net(cg.tensor(xb.reshape((-1,) + shape[1:]))), yb)
            opt.zero_grad()
            loss.backward()
            opt.step()
            losses.append(float(loss))
        hist["loss"].append(mean_over_ranks(losses, distributed))
        hist["train_acc"].append(accuracy(model, xtr, ytr, shape))
        hist["test_acc"].append(accuracy(model, xte, yte, shape))
    return hist


def adam(ps: list, ms: list, vs: list, grads: list, scale: np.float32, eps_t: np.float32,
         b1: float = 0.9, b2: float = 0.999) -> tuple:
    """Adam's update with the bias corrections folded into ``scale`` and ``eps_t``."""
    ms = [b1 * m + (1 - b1) * g for m, g in zip(ms, grads)]
    vs = [b2 * v + (1 - b2) * g * g for v, g in zip(vs, grads)]
    ps = [p - scale * m / (cg.sqrt(v) + eps_t) for p, m, v in zip(ps, ms, vs)]
    return ps, ms, vs


def compiled_steps(loss_fn, distributed: bool) -> tuple:
    """The training step: one traced function, or (distributed) two around the averaging.

    ``cg.function`` traces no MPI calls, so a distributed step is a traced gradient step,
    ``dist.average_gradients`` (the mean over the ranks, in a few large messages) and a
    traced Adam update.  Returns the step and the traced functions (to count traces).
    """
    if not distributed:
        @functools.partial(cg.function, donate_argnums=(0, 1, 2))
        def step(ps, ms, vs, scale, eps_t, xb, onehot):
            loss, grads = cg.value_and_grad(loss_fn)(ps, xb, onehot)
            return (loss, *adam(ps, ms, vs, grads, scale, eps_t))
        return step, [step]

    grad_step = cg.function(lambda ps, xb, onehot: cg.value_and_grad(loss_fn)(ps, xb, onehot))
    update = cg.function(adam, donate_argnums=(0, 1, 2))

    def split_step(ps, ms, vs, scale, eps_t, xb, onehot):
        loss, grads = grad_step(ps, xb, onehot)
        grads = dist.average_gradients(grads)
        return (loss, *update(ps, ms, vs, grads, scale, eps_t))
    return split_step, [grad_step, update]


def train_compiled(data: tuple, epochs: int, lr: float = 3e-3, seed: int = 0,
                   batch_size: int = 32, distributed: bool = False) -> dict:
    """The MLP with its whole training step traced once by cg.function, JAX style.

    The traced step takes the parameters, Adam's moment estimates and a batch and
    returns the loss with the updated parameters and moments: forward, backward and
    the Adam update all run as one compiled NumPy function.  Parameters and moments
    are donated (``donate_argnums``): the compiled code writes their new values into
    the arrays passed in, as an in-place optimiser does.  Distributed, every rank
    starts from rank 0's weights and the step averages the gradients between its
    two traced halves (see :func:`compiled_steps`).
    """
    from tqdm import tqdm
    xtr, ytr, xte, yte = data
    model = mlp(seed)
    b1, b2, eps = 0.9, 0.999, 1e-8

    def loss_fn(ps: list, xb: cg.Tensor, onehot: cg.Tensor) -> cg.Tensor:
        w1, b1_, w2, b2_, w3, b3_ = ps
        h = cg.relu(cg.linear(xb, w1, b1_))
        h = cg.relu(cg.linear(h, w2, b2_))
        return -cg.sum(cg.log_softmax(cg.linear(h, w3, b3_)) * onehot) / xb.shape[0]

    step, traced = compiled_steps(loss_fn, distributed)
    params = [p.data for p in model.parameters()]
    if distributed:
        dist.broadcast_coalesced(params, src=0)  # (seeded alike anyway: make sure)
    ms = [np.zeros_like(p) for p in params]
    vs = [np.zeros_like(p) for p in params]
    loader, sampler = loader_for(xtr, ytr, batch_size, seed, distributed, drop_last=True)
    eye = np.eye(10, dtype=np.float32)
    hist: dict = {"loss": [], "train_acc": [], "test_acc": []}
    t = 0
    for epoch in range(epochs):
        if sampler is not None:
            sampler.set_epoch(epoch)
        losses = []
        for xb, yb in tqdm(loader, desc=f"compiled MLP epoch {epoch + 1}/{epochs}", leave=False,
                           disable=distributed and dist.rank() != 0):
            t += 1
            # Adam's bias corrections as float32 scalars: new values never retrace, and
            # float32 parameters stay float32 (a Python float input would be float64).
            c2 = np.sqrt(1 - b2 ** t)
            scale, eps_t = np.float32(lr * c2 / (1 - b1 ** t)), np.float32(eps * c2)
            loss, params, ms, vs = step(params, ms, vs, scale, eps_t, xb, eye[yb])
            params, ms, vs = ([a.data for a in group] for group in (params, ms, vs))
            losses.append(float(loss))
        for p, value in zip(model.parameters(), params):
            p.data[...] = value  # evaluate with the trained values
        hist["loss"].append(mean_over_ranks(losses, distributed))
        hist["train_acc"].append(accuracy(model, xtr, ytr, (-1, 64)))
        hist["test_acc"].append(accuracy(model, xte, yte, (-1, 64)))
    if not distributed or dist.rank() == 0:
        print(f"compiled step: {' + '.join(str(f.traces) for f in traced)} trace(s)")
    return hist


def plot(histories: dict, path: str) -> None:
    """Loss and test accuracy per epoch, one line per model, to a PNG."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig, (a, b) = plt.subplots(1, 2, figsize=(10, 4))
    for name, h in histories.items():
        a.plot(range(1, len(h["loss"]) + 1), h["loss"], label=name)
        b.plot(range(1, len(h["test_acc"]) + 1), h["test_acc"], label=name)
    a.set(xlabel="epoch", ylabel="training loss", title="loss")
    b.set(xlabel="epoch", ylabel="test accuracy", title="accuracy")
    a.legend()
    b.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=100)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--epochs", type=int, default=30)
    p.add_argument("--cnn-epochs", type=int, default=20)
    p.add_argument("--compiled", action="store_true", help="trace the whole MLP training step with cg.function")
    p.add_argument("--distributed", action="store_true",
                   help="data parallel over the ranks of mpiexec (DistributedDataParallel)")
    p.add_argument("--batch-size", type=int, default=32, help="the global batch (split over the ranks)")
    p.add_argument("--no-cnn", action="store_true")
    p.add_argument("--plot", default="digits-training.png")
    p.add_argument("--seed", type=int, default=0)
    args = p.parse_args()
    distributed = args.distributed
    if distributed:
        dist.init()  # an exception on any rank now ends every rank, with its traceback
    root = not distributed or dist.rank() == 0
    say = print if root else (lambda *a, **k: None)
    if distributed:
        say(f"{dist.world_size()} ranks, {max(1, args.batch_size // dist.world_size())} "
            f"samples per rank and batch")
    data = load(args.seed)
    histories = {}
    common = dict(seed=args.seed, batch_size=args.batch_size, distributed=distributed)
    t = time.perf_counter()
    if args.compiled:
        histories["MLP (compiled)"] = train_compiled(data, args.epochs, **common)
    else:
        histories["MLP"] = train("MLP", mlp(args.seed), data, args.epochs, (-1, 64), **common)
    say(f"MLP: test accuracy {list(histories.values())[-1]['test_acc'][-1]:.4f} "
        f"after {args.epochs} epochs ({time.perf_counter() - t:.1f} s)")
    if not args.no_cnn:
        t = time.perf_counter()
        histories["CNN"] = train("CNN", cnn(args.seed), data, args.cnn_epochs, (-1, 1, 8, 8),
                                 **common)
        say(f"CNN: test accuracy {histories['CNN']['test_acc'][-1]:.4f} after "
            f"{args.cnn_epochs} epochs ({time.perf_counter() - t:.1f} s)")
    if root:
        plot(histories, args.plot)
        print(f"curves written to {args.plot}")


if __name__ == "__main__":
    main()
