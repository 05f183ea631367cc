"""More loss modules (PyTorch's nn.BCELoss, nn.KLDivLoss, nn.TripletMarginLoss ...), each calling its F function."""

from __future__ import annotations

__all__: list[str] = []
