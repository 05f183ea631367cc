"""Optimisers (SGD, Adam, AdamW, RMSprop, Adagrad), learning-rate schedules and gradient
clipping.

Mirrors ``torch.optim``: parameter groups with their own hyperparameters,
``state_dict`` checkpoints, closures and chainable schedules.  Updates follow torch's
formulas and write into each parameter's buffer in place, outside any recorded graph.

>>> import compgraph as cg
>>> w = cg.nn.Parameter([1.0, -2.0])
>>> opt = cg.optim.SGD([w], lr=0.1)
>>> (w * w).sum().backward()
>>> opt.step()
>>> w.data
array([ 0.8, -1.6])
"""

from .algorithms import SGD, Adagrad, Adam, AdamW, RMSprop
from .clip import clip_grad_norm_
from .lr_scheduler import (
    CosineAnnealingLR,
    ExponentialLR,
    LambdaLR,
    LinearLR,
    LRScheduler,
    MultiStepLR,
    OneCycleLR,
    ReduceLROnPlateau,
    StepLR,
)
from .optimizer import Optimizer

__all__ = [
    "Optimizer",
    "SGD",
    "Adam",
    "AdamW",
    "RMSprop",
    "Adagrad",
    "LRScheduler",
    "StepLR",
    "MultiStepLR",
    "ExponentialLR",
    "CosineAnnealingLR",
    "LambdaLR",
    "LinearLR",
    "OneCycleLR",
    "ReduceLROnPlateau",
    "clip_grad_norm_",
]
