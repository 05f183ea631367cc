"""More pooling modules (PyTorch's nn.MaxPool1d/3d, nn.AvgPool1d/3d, adaptive and LP pooling)."""

from __future__ import annotations

__all__: list[str] = []
