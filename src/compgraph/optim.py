"""Optimisers (SGD, Adam, AdamW), learning-rate schedules and gradient clipping.

Updates follow ``torch.optim``'s formulas and write into each parameter's buffer in
place, outside any recorded graph.
"""
from __future__ import annotations

import math
from typing import Any, Callable, Iterable

import numpy as np

from .ops.blas import axpy
from .tensor import Tensor, _wrap

__all__ = ["Optimizer", "SGD", "Adam", "AdamW", "StepLR", "ExponentialLR",
           "CosineAnnealingLR", "LambdaLR", "clip_grad_norm_"]


class Optimizer:
    """Base class: holds the parameters, the learning rate and per-parameter state."""

    def __init__(self, params: Iterable[Tensor], lr: float):
        self.params = [p for p in params]
        if not self.params:
            raise ValueError(f"{type(self).__name__}: got an empty parameter list")
        for p in self.params:
            if not isinstance(p, Tensor) or not p.requires_grad or not p.is_leaf:
                raise TypeError(f"{type(self).__name__}: parameters must be leaf Tensors that "
                                f"require grad")
        if lr < 0:
            raise ValueError(f"{type(self).__name__}: invalid learning rate {lr}")
        self.lr = float(lr)
        self.initial_lr = self.lr
        self.state: dict[int, dict] = {}
        self.steps = 0

    def zero_grad(self) -> None:
        """Forget every parameter's gradient (sets ``.grad`` to None)."""
        for p in self.params:
            p.grad = None

    def step(self) -> None:
        """One update of every parameter that has a gradient."""
        self.steps += 1
        for p in self.params:
            if p.grad is None:
                continue
            g = np.asarray(p.grad.data, dtype=p.dtype)
            self._update(p, g, self.state.setdefault(id(p), {}))

    def _update(self, p: Tensor, g: np.ndarray, state: dict) -> None:
        raise NotImplementedError


class SGD(Optimizer):
    """Stochastic gradient descent with momentum, dampening, weight decay and Nesterov."""

    def __init__(self, params: Iterable[Tensor], lr: float = 0.01, momentum: float = 0.0,
                 dampening: float = 0.0, weight_decay: float = 0.0, nesterov: bool = False):
        super().__init__(params, lr)
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("SGD: nesterov needs momentum > 0 and dampening 0")
        self.momentum, self.dampening = momentum, dampening
        self.weight_decay, self.nesterov = weight_decay, nesterov

    def _update(self, p: Tensor, g: np.ndarray, state: dict) -> None:
        d = p.data
        if self.weight_decay:
            g = g + self.weight_decay * d
        if self.momentum:
            buf = state.get("momentum")
            if buf is None:
                buf = state["momentum"] = np.array(g, copy=True)
            else:
                buf *= self.momentum
                if not axpy(1 - self.dampening, g, buf):
                    buf += (1 - self.dampening) * g
            g = g + self.momentum * buf if self.nesterov else buf
        # One BLAS pass (torch's p.add_(g, alpha=-lr)); NumPy needs a temporary and two.
        if not axpy(-self.lr, g, d):
            d -= self.lr * g


class Adam(Optimizer):
    """Adam (L2 weight decay added to the gradient, as torch.optim.Adam)."""

    def __init__(self, params: Iterable[Tensor], lr: float = 1e-3,
                 betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0.0, amsgrad: bool = False):
        super().__init__(params, lr)
        self.betas, self.eps, self.weight_decay, self.amsgrad = betas, eps, weight_decay, amsgrad

    def _decay(self, d: np.ndarray, g: np.ndarray) -> np.ndarray:
        return g + self.weight_decay * d if self.weight_decay else g

    def _update(self, p: Tensor, g: np.ndarray, state: dict) -> None:
        d = p.data
        g = self._decay(d, g)
        b1, b2 = self.betas
        if "m" not in state:
            state["m"] = np.zeros_like(d)
            state["v"] = np.zeros_like(d)
            state["t"] = 0
            if self.amsgrad:
                state["vmax"] = np.zeros_like(d)
        state["t"] += 1
        t = state["t"]
        m, v = state["m"], state["v"]
        m *= b1
        m += (1 - b1) * g
        v *= b2
        v += (1 - b2) * g * g
        if self.amsgrad:
            np.maximum(state["vmax"], v, out=state["vmax"])
            v = state["vmax"]
        denom = np.sqrt(v / (1 - b2 ** t)) + self.eps
        d -= (self.lr / (1 - b1 ** t)) * m / denom


class AdamW(Adam):
    """Adam with decoupled weight decay: ``p -= lr * wd * p`` before the Adam step."""

    def __init__(self, params: Iterable[Tensor], lr: float = 1e-3,
                 betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0.01, amsgrad: bool = False):
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad)

    def _decay(self, d: np.ndarray, g: np.ndarray) -> np.ndarray:
        if self.weight_decay:
            d *= 1 - self.lr * self.weight_decay
        return g


class _Schedule:
    """Base class: ``step()`` once per epoch (or iteration) sets ``optimizer.lr``."""

    def __init__(self, optimizer: Optimizer):
        self.optimizer = optimizer
        self.base_lr = optimizer.initial_lr
        self.last_epoch = 0

    def step(self) -> float:
        """Advance one epoch and return the new learning rate."""
        self.last_epoch += 1
        self.optimizer.lr = self.lr_at(self.last_epoch)
        return self.optimizer.lr

    def lr_at(self, epoch: int) -> float:
        raise NotImplementedError


class StepLR(_Schedule):
    """Multiply the learning rate by ``gamma`` every ``step_size`` epochs."""

    def __init__(self, optimizer: Optimizer, step_size: int, gamma: float = 0.1):
        super().__init__(optimizer)
        self.step_size, self.gamma = step_size, gamma

    def lr_at(self, epoch: int) -> float:
        return self.base_lr * self.gamma ** (epoch // self.step_size)


class ExponentialLR(_Schedule):
    """Multiply the learning rate by ``gamma`` every epoch."""

    def __init__(self, optimizer: Optimizer, gamma: float):
        super().__init__(optimizer)
        self.gamma = gamma

    def lr_at(self, epoch: int) -> float:
        return self.base_lr * self.gamma ** epoch


class CosineAnnealingLR(_Schedule):
    """Cosine from the initial rate down to ``eta_min`` over ``T_max`` epochs."""

    def __init__(self, optimizer: Optimizer, T_max: int, eta_min: float = 0.0):
        super().__init__(optimizer)
        self.T_max, self.eta_min = T_max, eta_min

    def lr_at(self, epoch: int) -> float:
        return self.eta_min + (self.base_lr - self.eta_min) * (
            1 + math.cos(math.pi * epoch / self.T_max)) / 2


class LambdaLR(_Schedule):
    """The initial rate times ``fn(epoch)``."""

    def __init__(self, optimizer: Optimizer, fn: Callable[[int], float]):
        super().__init__(optimizer)
        self.fn = fn

    def lr_at(self, epoch: int) -> float:
        return self.base_lr * self.fn(epoch)


def clip_grad_norm_(params: Iterable[Tensor], max_norm: float) -> float:
    """Scale gradients so their global L2 norm is at most ``max_norm``; returns the norm."""
    params = [p for p in params if p.grad is not None]
    total = math.sqrt(sum(float(np.sum(np.square(p.grad.data, dtype=np.float64)))
                          for p in params))
    scale = max_norm / (total + 1e-6)
    if scale < 1:
        for p in params:
            p.grad = _wrap(np.asarray(p.grad.data * scale, dtype=p.dtype))
    return total
