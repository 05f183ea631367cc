"""Convolution functions of torch.nn.functional written on cg functions (F.conv_transpose3d, F.conv_tbc)."""

from __future__ import annotations

__all__: list[str] = []
