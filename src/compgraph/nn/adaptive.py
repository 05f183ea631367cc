"""PyTorch's nn.AdaptiveLogSoftmaxWithLoss and nn.LinearCrossEntropyLoss."""

from __future__ import annotations

__all__: list[str] = []
