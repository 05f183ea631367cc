"""More activation modules (PyTorch's nn.Hardtanh, nn.PReLU, nn.SELU ...), each calling its F function."""

from __future__ import annotations

__all__: list[str] = []
