"""PyTorch's nn.Transformer, nn.TransformerDecoderLayer and nn.TransformerDecoder."""

from __future__ import annotations

__all__: list[str] = []
