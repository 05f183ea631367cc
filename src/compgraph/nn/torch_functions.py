"""PyTorch's top-level functions that compgraph did not publish yet (``torch.conv2d``,
``torch.hann_window``, ``torch.stft``, ``torch.lu`` ...), by name in ``TORCH_TOP``:
the package publishes each as ``cg.<name>`` unless that name is already taken."""

from __future__ import annotations

from collections.abc import Callable

__all__ = ["TORCH_TOP"]

#: PyTorch's top-level names written or collected here.
TORCH_TOP: dict[str, Callable] = {}
