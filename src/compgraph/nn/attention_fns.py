"""Functions of torch.nn.functional for attention and fused losses written on cg functions (F.multi_head_attention_forward, F.linear_cross_entropy)."""

from __future__ import annotations

__all__: list[str] = []
