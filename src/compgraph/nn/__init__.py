"""Neural-network layers, losses and initialisation on compgraph Tensors."""
from . import init
from .layers import (ELU, GELU, AdaptiveAvgPool2d, AvgPool2d, BatchNorm1d, BatchNorm2d, Conv2d, Dropout, Flatten, Identity, LeakyReLU, Linear,
                     LogSoftmax, MaxPool2d, ReLU, Sigmoid, SiLU, Softmax, Softplus, Tanh)
from .losses import (BCEWithLogitsLoss, CrossEntropyLoss, HuberLoss, L1Loss, MSELoss, NLLLoss,
                     SmoothL1Loss, binary_cross_entropy_with_logits, cross_entropy, huber_loss,
                     l1_loss, mse_loss, nll_loss, smooth_l1_loss)
from .containers import ModuleList, Sequential
from .module import IncompatibleKeys, Module, Parameter, StateDictError

__all__ = ["Module", "Parameter", "Sequential", "ModuleList", "IncompatibleKeys", "StateDictError", "Linear", "Conv2d", "MaxPool2d", "Dropout", "BatchNorm1d", "BatchNorm2d",
           "AvgPool2d", "AdaptiveAvgPool2d",
           "Flatten",
           "ReLU", "Tanh", "Sigmoid", "Softmax", "LogSoftmax", "Identity", "LeakyReLU", "ELU",
           "SiLU", "GELU", "Softplus", "cross_entropy",
           "mse_loss", "binary_cross_entropy_with_logits", "nll_loss", "l1_loss",
           "smooth_l1_loss", "huber_loss", "CrossEntropyLoss", "NLLLoss", "MSELoss", "L1Loss",
           "SmoothL1Loss", "HuberLoss", "BCEWithLogitsLoss", "init"]
