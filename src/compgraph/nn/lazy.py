"""PyTorch's lazy modules (nn.LazyLinear, nn.LazyConv2d ...: shapes inferred at the first call), nn.Buffer, the uninitialized parameter types and the remaining base and wrapper classes."""

from __future__ import annotations

__all__: list[str] = []
