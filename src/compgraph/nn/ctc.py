"""Connectionist temporal classification: PyTorch's F.ctc_loss and nn.CTCLoss."""

from __future__ import annotations

__all__: list[str] = []
