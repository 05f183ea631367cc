"""More layers (PyTorch's nn.BatchNorm3d, nn.InstanceNorm2d, nn.Conv3d, nn.Bilinear, lazy modules ...)."""

from __future__ import annotations

__all__: list[str] = []
