"""HIPS autograd's ``autograd.misc``: ``optimizers`` (adam, sgd, rmsprop with autograd's
callback signature) and ``flatten``."""

from __future__ import annotations

__all__: list[str] = []
