"""PyTorch's Tensor methods whose functions live in this layer or the ones below it
(``t.prelu(w)``, ``t.hardshrink()`` ...): put on Tensor here, where nn.functional,
linalg and fft are in reach (the Tensor method table of ``torch_methods`` sits below
them)."""

from __future__ import annotations

__all__: list[str] = []
