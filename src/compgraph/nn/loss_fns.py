"""Loss functions of torch.nn.functional written on cg functions (F.multilabel_margin_loss ...)."""

from __future__ import annotations

__all__: list[str] = []
