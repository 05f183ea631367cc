"""Functions of torch.nn.functional for shuffling and dropout written on cg functions (F.channel_shuffle, F.dropout3d ...)."""

from __future__ import annotations

__all__: list[str] = []
