"""PyTorch's in-place activation functions of torch.nn.functional (F.relu_, F.elu_ ...)."""

from __future__ import annotations

__all__: list[str] = []
