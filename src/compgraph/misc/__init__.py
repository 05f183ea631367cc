"""HIPS autograd's ``autograd.misc``: ``optimizers`` (adam, sgd, rmsprop with autograd's
callback signature) and ``flatten``."""

from __future__ import annotations

from . import optimizers
from .flatten import flatten, flatten_func

__all__ = ["flatten", "flatten_func", "optimizers"]
