"""Padding, upsampling, shuffling, folding and dropout modules (PyTorch's nn.ZeroPad2d, nn.Upsample, nn.PixelShuffle, nn.Fold, nn.Dropout2d ...)."""

from __future__ import annotations

__all__: list[str] = []
