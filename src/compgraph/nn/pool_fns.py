"""Pooling functions of torch.nn.functional written on cg functions (F.adaptive_avg_pool3d, F.max_pool2d_with_indices ...)."""

from __future__ import annotations

__all__: list[str] = []
