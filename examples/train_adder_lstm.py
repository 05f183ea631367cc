"""Train an LSTM to add two 2-digit numbers written as characters (the task of
``train_adder.py``, whose data, training loop and scoring this example shares).

    python examples/train_adder_lstm.py              # "37+48=" -> "85"
    python examples/train_adder_lstm.py --compiled   # the training step traced by cg.function
    python examples/train_adder_lstm.py --quick      # a short run (CI): the loss must fall

The LSTM reads the characters one by one and predicts the next; after ``=`` it has
seen both numbers and writes the answer.  Scored by greedy decoding of held-out pairs.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from train_adder import VOCAB, arguments, run  # examples/ is sys.path[0] when run

import compgraph as cg
from compgraph import nn


class LSTMAdder(nn.Module):
    """Character embeddings, a ``num_layers`` LSTM and a linear read-out."""

    def __init__(self, hidden: int = 128, num_layers: int = 2, emb: int = 32, seed: int = 0,
                 dtype: str = "float32"):
        super().__init__()
        rng = np.random.default_rng(seed)
        self.tok = nn.Embedding(len(VOCAB), emb, dtype=dtype, seed=rng)
        self.lstm = nn.LSTM(emb, hidden, num_layers=num_layers, batch_first=True,
                            dtype=dtype, seed=rng)
        self.head = nn.Linear(hidden, len(VOCAB), dtype=dtype, seed=rng)

    def forward(self, tokens: Any) -> Any:
        """Logits (N, T, vocab) from ids (N, T) or, traced, one-hot rows (N, T, vocab)."""
        x = cg.matmul(tokens, self.tok.weight) if tokens.ndim == 3 else self.tok(tokens)
        return self.head(self.lstm(x)[0])


def main(argv: list[str] | None = None) -> dict:
    p = arguments(steps=3000, lr=1e-2)
    p.add_argument("--hidden", type=int, default=128)
    p.add_argument("--layers", type=int, default=2)
    args = p.parse_args(argv)
    return run(args, LSTMAdder(args.hidden, args.layers, seed=args.seed))


if __name__ == "__main__":
    main()
