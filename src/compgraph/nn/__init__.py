"""Neural-network layers, losses and initialisation on compgraph Tensors."""

from . import (
    functional,
    init,
    parallel,
    tensor_methods,  # noqa: F401  (puts its methods on Tensor)
)
from .activations import *  # noqa: F403
from .activations import __all__ as _activations_all
from .adaptive import *  # noqa: F403
from .adaptive import __all__ as _adaptive_all
from .attention import MultiheadAttention, TransformerEncoder, TransformerEncoderLayer
from .containers import ModuleDict, ModuleList, ParameterList, Sequential
from .conv import Conv1d, ConvTranspose2d, Embedding
from .conv_layers import *  # noqa: F403
from .conv_layers import __all__ as _conv_layers_all
from .ctc import *  # noqa: F403
from .ctc import __all__ as _ctc_all
from .jax_fns import *  # noqa: F403
from .jax_fns import __all__ as _jax_fns_all
from .layers import (
    ELU,
    GELU,
    AdaptiveAvgPool2d,
    AvgPool2d,
    BatchNorm1d,
    BatchNorm2d,
    Conv2d,
    Dropout,
    Flatten,
    Identity,
    LeakyReLU,
    Linear,
    LogSoftmax,
    MaxPool2d,
    ReLU,
    Sigmoid,
    SiLU,
    Softmax,
    Softplus,
    Tanh,
)
from .lazy import *  # noqa: F403
from .lazy import __all__ as _lazy_all
from .loss_modules import *  # noqa: F403
from .loss_modules import __all__ as _loss_modules_all
from .losses import (
    BCEWithLogitsLoss,
    CrossEntropyLoss,
    HuberLoss,
    L1Loss,
    MSELoss,
    NLLLoss,
    SmoothL1Loss,
    binary_cross_entropy_with_logits,
    cross_entropy,
    huber_loss,
    l1_loss,
    mse_loss,
    nll_loss,
    smooth_l1_loss,
)
from .misc_layers import *  # noqa: F403
from .misc_layers import __all__ as _misc_layers_all
from .module import IncompatibleKeys, Module, Parameter, StateDictError
from .norm_layers import *  # noqa: F403
from .norm_layers import __all__ as _norm_layers_all
from .normalization import GroupNorm, LayerNorm, RMSNorm
from .pooling import *  # noqa: F403
from .pooling import __all__ as _pooling_all
from .recurrent import GRU, LSTM, RNN, GRUCell, LSTMCell, RNNCell
from .reshaping import *  # noqa: F403
from .reshaping import __all__ as _reshaping_all
from .tf_ops import *  # noqa: F403  (TensorFlow's tf.nn functions)
from .tf_ops import __all__ as _tf_all
from .tf_ops_more import *  # noqa: F403
from .tf_ops_more import __all__ as _tf_ops_more_all
from .transformer import *  # noqa: F403
from .transformer import __all__ as _transformer_all
from .unpool import MaxUnpool1d, MaxUnpool2d, MaxUnpool3d

__all__ = [
    "Module",
    "Parameter",
    "Sequential",
    "ModuleList",
    "ModuleDict",
    "ParameterList",
    "IncompatibleKeys",
    "StateDictError",
    "Linear",
    "Conv2d",
    "MaxPool2d",
    "MaxUnpool1d",
    "MaxUnpool2d",
    "MaxUnpool3d",
    "Dropout",
    "BatchNorm1d",
    "BatchNorm2d",
    "AvgPool2d",
    "AdaptiveAvgPool2d",
    "Flatten",
    "ReLU",
    "Tanh",
    "Sigmoid",
    "Softmax",
    "LogSoftmax",
    "Identity",
    "LeakyReLU",
    "ELU",
    "SiLU",
    "GELU",
    "Softplus",
    "cross_entropy",
    "mse_loss",
    "binary_cross_entropy_with_logits",
    "nll_loss",
    "l1_loss",
    "smooth_l1_loss",
    "huber_loss",
    "CrossEntropyLoss",
    "NLLLoss",
    "MSELoss",
    "L1Loss",
    "SmoothL1Loss",
    "HuberLoss",
    "BCEWithLogitsLoss",
    "Embedding",
    "Conv1d",
    "ConvTranspose2d",
    "LayerNorm",
    "GroupNorm",
    "RMSNorm",
    "MultiheadAttention",
    "TransformerEncoderLayer",
    "TransformerEncoder",
    "RNN",
    "LSTM",
    "GRU",
    "RNNCell",
    "LSTMCell",
    "GRUCell",
    "init",
    "parallel",
    *_tf_all,
    *_jax_fns_all,
    *_tf_ops_more_all,
    *_activations_all,
    *_adaptive_all,
    *_lazy_all,
    *_ctc_all,
    *_loss_modules_all,
    *_misc_layers_all,
    *_norm_layers_all,
    *_conv_layers_all,
    *_pooling_all,
    *_reshaping_all,
    *_transformer_all,
    "functional",
]
