"""Train a 2-layer transformer to add two 2-digit numbers written as characters.

    python examples/train_adder.py                  # "37+48=" -> "85", dynamic graphs
    python examples/train_adder.py --compiled       # the training step traced by cg.function
    python examples/train_adder.py --plot adder.png # and the loss curve
    python examples/train_adder.py --quick          # a short run (CI): the loss must fall

The data is every pair a + b with 10 <= a, b <= 99, written ``"37+48=85."`` (``.``
ends the answer), split by a seeded permutation into training pairs and held-out
pairs the model never sees.  The model reads characters with causal self-attention
(each position sees only those before it) and learned position embeddings, and is
trained to predict each character of the answer from the ones before; it is scored by
greedy decoding of the held-out prompts, exact match of the whole answer.  tqdm (a
progress bar) and matplotlib (``--plot``) are used when installed.
"""

from __future__ import annotations

import argparse
import contextlib
import time
from collections.abc import Iterator
from typing import Any

import numpy as np

import compgraph as cg
from compgraph import nn

VOCAB = "0123456789+=._"  # "." ends an answer, "_" pads after it
PAD = VOCAB.index("_")
PROMPT, LENGTH = 6, 10  # "37+48=" and "99+99=198."


def encode(text: str) -> list[int]:
    return [VOCAB.index(ch) for ch in text.ljust(LENGTH, "_")]


def make_data(seed: int = 0, held_out: float = 0.1) -> tuple[np.ndarray, np.ndarray]:
    """All 8100 sums as (8100, 10) token arrays, split into (training, held-out)."""
    pairs = [(a, b) for a in range(10, 100) for b in range(10, 100)]
    seqs = np.array([encode(f"{a}+{b}={a + b}.") for a, b in pairs], dtype=np.int64)
    order = np.random.default_rng(seed).permutation(len(seqs))
    cut = int(len(seqs) * (1 - held_out))
    return seqs[order[:cut]], seqs[order[cut:]]


def batch_targets(seqs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Inputs (all but the last character) and targets (the next character), with the
    prompt's and the padding's targets set to -100 (ignored by the loss)."""
    x, y = seqs[:, :-1], seqs[:, 1:].copy()
    y[:, : PROMPT - 1] = -100
    y[y == PAD] = -100
    return x, y


class Adder(nn.Module):
    """Token and learned position embeddings, pre-norm transformer layers with causal
    self-attention, a final LayerNorm and a linear read-out over the vocabulary."""

    def __init__(self, d_model: int = 64, nhead: int = 4, num_layers: int = 2,
                 dim_feedforward: int = 256, seed: int = 0, dtype: str = "float32"):
        super().__init__()
        rng = np.random.default_rng(seed)
        self.tok = nn.Embedding(len(VOCAB), d_model, dtype=dtype, seed=rng)
        self.pos = nn.Embedding(LENGTH, d_model, dtype=dtype, seed=rng)
        for emb in (self.tok, self.pos):
            emb.weight.data[...] *= 0.1  # GPT-2's small start
        layer = nn.TransformerEncoderLayer(d_model, nhead, dim_feedforward, dropout=0.0,
                                           batch_first=True, norm_first=True, dtype=dtype,
                                           seed=rng)
        self.encoder = nn.TransformerEncoder(layer, num_layers,
                                             norm=nn.LayerNorm(d_model, dtype=dtype))
        self.head = nn.Linear(d_model, len(VOCAB), dtype=dtype, seed=rng)

    def forward(self, tokens: Any) -> Any:
        """Logits (N, T, vocab) from token ids (N, T), or from one-hot rows (N, T, vocab)
        when traced (cg.function traces arrays, and a lookup needs concrete ids)."""
        steps = tokens.shape[1]
        if tokens.ndim == 3:
            x = cg.matmul(tokens, self.tok.weight)
        else:
            x = self.tok(tokens)
        x = x + self.pos.weight[:steps]
        return self.head(self.encoder(x, is_causal=True))


def greedy_accuracy(model: nn.Module, seqs: np.ndarray, batch: int = 1024) -> float:
    """Exact-match accuracy of greedy answers to the prompts of ``seqs``."""
    model.eval()
    right = 0
    with cg.no_grad():
        for s in range(0, len(seqs), batch):
            part = seqs[s : s + batch]
            tokens = part[:, :PROMPT]
            for _ in range(LENGTH - PROMPT):
                nxt = model(cg.tensor(tokens)).numpy()[:, -1].argmax(-1)
                tokens = np.concatenate([tokens, nxt[:, None]], axis=1)
            want = np.where(part == PAD, PAD, part)[:, PROMPT:]
            got = tokens[:, PROMPT:].copy()
            for row in got:  # everything after the first "." is padding
                ends = np.flatnonzero(row == VOCAB.index("."))
                if len(ends):
                    row[ends[0] + 1 :] = PAD
            right += int((got == want).all(axis=1).sum())
    model.train()
    return right / len(seqs)


def param_slots(model: nn.Module) -> list[tuple[nn.Module, str]]:
    """(module, attribute) of every parameter, in ``model.parameters()`` order."""
    return [(m, name) for _, m in model.named_modules()
            for name, _ in m.named_parameters(recurse=False)]


@contextlib.contextmanager
def swapped(slots: list, values: list) -> Iterator[None]:
    """The model reading ``values`` (e.g. traced inputs) in place of its parameters."""
    old = [m.__dict__[name] for m, name in slots]
    for (m, name), v in zip(slots, values):
        object.__setattr__(m, name, v)  # past Module.__setattr__: not a registration
    try:
        yield
    finally:
        for (m, name), v in zip(slots, old):
            object.__setattr__(m, name, v)


def adam_update(ps: list, ms: list, vs: list, grads: list, lr_t: Any, eps_t: Any,
                b1: float = 0.9, b2: float = 0.999) -> tuple:
    """Adam with the bias corrections folded into ``lr_t`` and ``eps_t``."""
    ms = [b1 * m + (1 - b1) * g for m, g in zip(ms, grads)]
    vs = [b2 * v + (1 - b2) * g * g for v, g in zip(vs, grads)]
    ps = [p - lr_t * m / (cg.sqrt(v) + eps_t) for p, m, v in zip(ps, ms, vs)]
    return ps, ms, vs


def make_compiled_step(model: nn.Module) -> Any:
    """The whole training step (forward, backward, Adam) as one cg.function."""
    slots = param_slots(model)
    eye = np.eye(len(VOCAB), dtype=np.float32)

    def loss_fn(ps: list, onehot_x: Any, onehot_y: Any, count: Any) -> Any:
        with swapped(slots, ps):
            logits = model(onehot_x)
        return -cg.sum(cg.log_softmax(logits, axis=-1) * onehot_y) / count

    @cg.function
    def step(ps: list, ms: list, vs: list, onehot_x: Any, onehot_y: Any, count: Any,
             lr_t: Any, eps_t: Any) -> tuple:
        loss, grads = cg.value_and_grad(loss_fn)(ps, onehot_x, onehot_y, count)
        return (loss, *adam_update(ps, ms, vs, grads, lr_t, eps_t))

    def run(state: dict, x: np.ndarray, y: np.ndarray, lr_t: float, eps_t: float) -> float:
        oy = np.where((y >= 0)[..., None], eye[np.maximum(y, 0)], 0).astype(np.float32)
        loss, *new = step(state["ps"], state["ms"], state["vs"], eye[x], oy,
                          np.float32((y >= 0).sum()), np.float32(lr_t), np.float32(eps_t))
        state["ps"], state["ms"], state["vs"] = ([t.data for t in group] for group in new)
        return float(loss)

    run.step = step  # type: ignore[attr-defined]
    return run


def train(args: argparse.Namespace, model: nn.Module) -> dict:
    """Adam on random mini-batches with a cosine learning rate; the held-out accuracy
    every ``args.eval_every`` steps (stopping early at ``args.target``)."""
    train_set, held_out = make_data(args.seed)
    params = model.parameters()
    rng = np.random.default_rng(args.seed + 1)
    b1, b2, eps = 0.9, 0.999, 1e-8
    opt = cg.optim.Adam(params, lr=args.lr)
    state = {"ps": [p.data.copy() for p in params],
             "ms": [np.zeros_like(p.data) for p in params],
             "vs": [np.zeros_like(p.data) for p in params]}
    compiled = make_compiled_step(model) if args.compiled else None
    try:
        from tqdm import tqdm
        bar: Any = tqdm(range(args.steps), desc="adder", disable=args.quick)
    except ImportError:
        bar = range(args.steps)
    hist: dict = {"step": [], "loss": [], "eval_step": [], "accuracy": []}
    t0 = time.perf_counter()
    for it in bar:
        # cosine decay after a short warm-up
        lr = args.lr * min(1.0, (it + 1) / min(100, args.steps // 10)) * 0.5 * (1 + np.cos(np.pi * it / args.steps))
        idx = rng.integers(0, len(train_set), args.batch_size)
        x, y = batch_targets(train_set[idx])
        if compiled is not None:
            t = it + 1
            c2 = np.sqrt(1 - b2**t)
            loss = compiled(state, x, y, lr * c2 / (1 - b1**t), eps * c2)
        else:
            opt.lr = lr
            logits = model(cg.tensor(x))
            lv = nn.cross_entropy(cg.reshape(logits, (-1, len(VOCAB))), y.reshape(-1))
            opt.zero_grad()
            lv.backward()
            opt.step()
            loss = float(lv)
        hist["step"].append(it)
        hist["loss"].append(loss)
        if hasattr(bar, "set_postfix") and it % 20 == 0:
            bar.set_postfix(loss=f"{loss:.4f}")
        last = it == args.steps - 1
        if (args.eval_every and (it + 1) % args.eval_every == 0) or last:
            if compiled is not None:
                for p, v in zip(params, state["ps"]):
                    p.data[...] = v
            acc = greedy_accuracy(model, held_out if not args.quick else held_out[:64])
            hist["eval_step"].append(it + 1)
            hist["accuracy"].append(acc)
            msg = f"step {it + 1}: loss {loss:.4f}, held-out exact match {acc:.2%}"
            (bar.write if hasattr(bar, "write") else print)(msg)
            if acc >= args.target and not args.quick:
                break
    hist["seconds"] = time.perf_counter() - t0
    if compiled is not None:
        hist["traces"] = compiled.step.traces
    return hist


def plot(hist: dict, path: str) -> None:
    """Training loss (log scale) and held-out accuracy to a PNG."""
    try:
        import matplotlib
    except ImportError:
        print("matplotlib is not installed: no plot")
        return
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig, (a, b) = plt.subplots(1, 2, figsize=(10, 4))
    a.semilogy(hist["step"], hist["loss"])
    a.set(xlabel="step", ylabel="training loss", title="loss")
    b.plot(hist["eval_step"], hist["accuracy"], marker="o")
    b.set(xlabel="step", ylabel="held-out exact match", title="accuracy")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    print(f"plot written to {path}")


def arguments(steps: int, lr: float) -> argparse.ArgumentParser:
    """The options both adder examples take."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--steps", type=int, default=steps)
    p.add_argument("--batch-size", type=int, default=128)
    p.add_argument("--lr", type=float, default=lr)
    p.add_argument("--eval-every", type=int, default=250)
    p.add_argument("--target", type=float, default=0.995,
                   help="stop once the held-out accuracy reaches this")
    p.add_argument("--compiled", action="store_true",
                   help="trace the training step (forward, backward, Adam) with cg.function")
    p.add_argument("--plot", default=None, help="write the loss curve to this PNG")
    p.add_argument("--quick", action="store_true", help="a short run (CI): the loss must fall")
    p.add_argument("--seed", type=int, default=0)
    return p


def run(args: argparse.Namespace, model: nn.Module) -> dict:
    """Train, report, plot, and with ``--quick`` check that the loss fell."""
    if args.quick:
        args.steps, args.eval_every, args.batch_size = 40, 0, 64
    hist = train(args, model)
    acc = hist["accuracy"][-1]
    print(f"held-out exact match {acc:.2%} after {hist['step'][-1] + 1} steps, "
          f"{hist['seconds']:.1f} s" + (f" ({hist['traces']} trace)" if "traces" in hist else ""))
    if args.plot:
        plot(hist, args.plot)
    if args.quick:
        first, last = np.mean(hist["loss"][:5]), np.mean(hist["loss"][-5:])
        assert last < 0.7 * first, f"the loss did not fall: {first:.3f} -> {last:.3f}"
    return hist


def main(argv: list[str] | None = None) -> dict:
    p = arguments(steps=3000, lr=3e-3)
    p.add_argument("--d-model", type=int, default=64)
    p.add_argument("--heads", type=int, default=4)
    p.add_argument("--ff", type=int, default=256)
    args = p.parse_args(argv)
    return run(args, Adder(args.d_model, args.heads, 2, args.ff, seed=args.seed))


if __name__ == "__main__":
    main()
