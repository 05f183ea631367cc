"""HIPS autograd's ``autograd.extend``: ``primitive``, ``defvjp``, ``defjvp`` ... on
compgraph's custom ops."""

from __future__ import annotations

__all__: list[str] = []
