"""PyTorch-style calls on compgraph beside the NumPy-style calls they alias and beside
PyTorch itself: what the torch_methods adaptors cost per call (microseconds).

    python benchmarks/run_torch_api.py
"""

from __future__ import annotations

import timeit

import numpy as np

import compgraph as cg

try:
    import torch
except ImportError:  # compgraph's columns alone
    torch = None


def _us(fn, n=20000):
    return min(timeit.repeat(fn, number=n, repeat=5)) / n * 1e6


def main() -> None:
    a = np.random.default_rng(0).standard_normal((8, 8))
    x = cg.tensor(a)
    t = torch.tensor(a) if torch is not None else None
    rows = [
        ("sum over dim 1", lambda: x.sum(axis=1), lambda: x.sum(dim=1), lambda: t.sum(dim=1)),
        ("pow 2", lambda: cg.power(x, 2), lambda: x.pow(2), lambda: t.pow(2)),
        ("view -1", lambda: x.reshape(-1), lambda: x.view(-1), lambda: t.view(-1)),
        ("unsqueeze 0", lambda: cg.expand_dims(x, 0), lambda: x.unsqueeze(0), lambda: t.unsqueeze(0)),
        ("max over dim 1", lambda: x.max(axis=1), lambda: x.max(dim=1), lambda: t.max(dim=1)),
        ("size()", lambda: x.shape, lambda: x.size(), lambda: t.size()),
        ("add_ (no grad)", lambda: x.__iadd__(0.0), lambda: x.add_(0.0), lambda: t.add_(0.0)),
        ("randn 8x8", lambda: np.random.standard_normal((8, 8)), lambda: cg.randn(8, 8),
         lambda: torch.randn(8, 8)),
    ]  # fmt: skip
    print(f"{'call':18s} {'NumPy-style':>12s} {'torch-style':>12s} {'torch':>8s}  (us)")
    for name, np_style, torch_style, real in rows:
        tt = _us(real) if torch is not None else float("nan")
        print(f"{name:18s} {_us(np_style):12.2f} {_us(torch_style):12.2f} {tt:8.2f}")


if __name__ == "__main__":
    main()
