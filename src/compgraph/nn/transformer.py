"""PyTorch's nn.Transformer, nn.TransformerDecoderLayer and nn.TransformerDecoder.

Constructor arguments, defaults, submodule and parameter names (so ``state_dict`` keys)
are torch's; the attention is compgraph's :class:`MultiheadAttention` and the encoder
side compgraph's :class:`TransformerEncoderLayer` / :class:`TransformerEncoder`, so
masks follow their conventions (bool True = masked out, a float mask is added) and
their difference from torch: ``tgt_is_causal=True`` (or ``memory_is_causal``) without
a mask builds the causal mask, where torch asks for the mask.  A mask given with an
``*_is_causal`` hint is always the one applied (torch may apply a causal mask instead).

Dropout: with ``seed=None`` every dropout, the attention's included, draws from the
process's generator at each call (``cg.manual_seed`` makes training repeatable, as
``torch.manual_seed``); with a seed each stacked layer gets a generator of its own, so
deep copies of one layer do not drop the same positions.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .. import functions as cg
from ..tensor import Tensor
from . import functional as F
from . import init
from .attention import (
    MultiheadAttention,
    TransformerEncoder,
    TransformerEncoderLayer,
    _clones,
    _follow_process_rng,
    _untie_rngs,
)
from .layers import Dropout, Linear
from .module import Module
from .normalization import LayerNorm

__all__ = ["TransformerDecoderLayer", "TransformerDecoder", "Transformer"]

_ACTIVATIONS: dict[str, Callable] = {"relu": F.relu, "gelu": F.gelu}


def _activation(activation: Any, where: str) -> Any:
    if isinstance(activation, str):
        if activation not in _ACTIVATIONS:
            raise ValueError(f"{where}: activation should be relu/gelu, not {activation!r}")
        return _ACTIVATIONS[activation]
    if not callable(activation):
        raise TypeError(
            f"{where}: activation should be 'relu', 'gelu' or a callable, "
            f"got {type(activation).__name__}"
        )
    return activation


class TransformerDecoderLayer(Module):
    """Self-attention, attention over ``memory`` and a feed-forward block, each with a
    residual connection and a LayerNorm after it (``norm_first=True``: before it), as
    ``torch.nn.TransformerDecoderLayer``.

    >>> import compgraph as cg
    >>> layer = cg.nn.TransformerDecoderLayer(8, 2, dim_feedforward=16, seed=0)
    >>> layer(cg.ones((4, 3, 8)), cg.ones((5, 3, 8)), tgt_is_causal=True).shape
    (4, 3, 8)
    >>> list(layer.state_dict())[4]
    'multihead_attn.in_proj_weight'
    """

    def __init__(
        self,
        d_model: int,
        nhead: int,
        dim_feedforward: int = 2048,
        dropout: float = 0.1,
        activation: Any = F.relu,
        layer_norm_eps: float = 1e-5,
        batch_first: bool = False,
        norm_first: bool = False,
        bias: bool = True,
        dtype: Any = "float64",
        seed: Any = None,
    ):
        super().__init__()
        rng = init.rng_of(seed)
        drop_seed = None if seed is None else rng
        for name in ("self_attn", "multihead_attn"):
            mha = MultiheadAttention(
                d_model,
                nhead,
                dropout=dropout,
                bias=bias,
                batch_first=batch_first,
                dtype=dtype,
                seed=rng,
            )
            setattr(self, name, mha)
        self.linear1 = Linear(d_model, dim_feedforward, bias=bias, dtype=dtype, seed=rng)
        self.dropout = Dropout(dropout, seed=drop_seed)
        self.linear2 = Linear(dim_feedforward, d_model, bias=bias, dtype=dtype, seed=rng)
        self.norm_first = norm_first
        for name in ("norm1", "norm2", "norm3"):
            setattr(self, name, LayerNorm(d_model, eps=layer_norm_eps, bias=bias, dtype=dtype))
        for name in ("dropout1", "dropout2", "dropout3"):
            setattr(self, name, Dropout(dropout, seed=drop_seed))
        self.activation = _activation(activation, "TransformerDecoderLayer")
        if seed is None:
            _follow_process_rng(self)

    def forward(
        self,
        tgt: Any,
        memory: Any,
        tgt_mask: Any = None,
        memory_mask: Any = None,
        tgt_key_padding_mask: Any = None,
        memory_key_padding_mask: Any = None,
        tgt_is_causal: bool = False,
        memory_is_causal: bool = False,
    ) -> Tensor:
        """The layer on ``tgt`` attending to ``memory`` (masks as MultiheadAttention's)."""
        x = tgt

        def sa(y: Any) -> Any:
            out = self.self_attn(
                y,
                y,
                y,
                attn_mask=tgt_mask,
                key_padding_mask=tgt_key_padding_mask,
                is_causal=tgt_is_causal,
                need_weights=False,
            )[0]
            return self.dropout1(out)

        def mha(y: Any) -> Any:
            out = self.multihead_attn(
                y,
                memory,
                memory,
                attn_mask=memory_mask,
                key_padding_mask=memory_key_padding_mask,
                is_causal=memory_is_causal,
                need_weights=False,
            )[0]
            return self.dropout2(out)

        def ff(y: Any) -> Any:
            return self.dropout3(self.linear2(self.dropout(self.activation(self.linear1(y)))))

        if self.norm_first:
            x = x + sa(self.norm1(x))
            x = x + mha(self.norm2(x))
            return x + ff(self.norm3(x))
        x = self.norm1(x + sa(x))
        x = self.norm2(x + mha(x))
        return self.norm3(x + ff(x))


class TransformerDecoder(Module):
    """``num_layers`` deep copies of ``decoder_layer`` (state_dict keys ``layers.0...``;
    all start with the same parameters, as torch's) and an optional final ``norm``, as
    ``torch.nn.TransformerDecoder``.

    >>> import compgraph as cg
    >>> layer = cg.nn.TransformerDecoderLayer(8, 2, dim_feedforward=16, seed=0)
    >>> dec = cg.nn.TransformerDecoder(layer, 2, norm=cg.nn.LayerNorm(8))
    >>> dec(cg.ones((4, 3, 8)), cg.ones((5, 3, 8))).shape, list(dec.state_dict())[-1]
    ((4, 3, 8), 'norm.bias')
    """

    def __init__(self, decoder_layer: Module, num_layers: int, norm: Module | None = None):
        super().__init__()
        if not isinstance(decoder_layer, Module):
            raise TypeError(
                f"TransformerDecoder: decoder_layer must be a Module, "
                f"got {type(decoder_layer).__name__}"
            )
        if int(num_layers) < 0:
            raise ValueError(f"TransformerDecoder: num_layers must be >= 0, got {num_layers}")
        self.layers = _clones(decoder_layer, int(num_layers))
        self.num_layers = int(num_layers)
        self.norm = norm

    def forward(
        self,
        tgt: Any,
        memory: Any,
        tgt_mask: Any = None,
        memory_mask: Any = None,
        tgt_key_padding_mask: Any = None,
        memory_key_padding_mask: Any = None,
        tgt_is_causal: bool | None = None,
        memory_is_causal: bool = False,
    ) -> Tensor:
        """Each layer in turn, then the norm.  ``tgt_is_causal=None`` (torch: "detect a
        causal mask") gives the same result as False here: a given mask is applied as is."""
        x = tgt
        for layer in self.layers:
            x = layer(
                x,
                memory,
                tgt_mask=tgt_mask,
                memory_mask=memory_mask,
                tgt_key_padding_mask=tgt_key_padding_mask,
                memory_key_padding_mask=memory_key_padding_mask,
                tgt_is_causal=bool(tgt_is_causal),
                memory_is_causal=memory_is_causal,
            )
        return x if self.norm is None else self.norm(x)


class Transformer(Module):
    """An encoder (``TransformerEncoder`` of ``num_encoder_layers`` layers and a final
    LayerNorm) and a decoder (``TransformerDecoder`` likewise), as ``torch.nn.Transformer``:
    ``forward(src, tgt, ...)`` encodes ``src`` and decodes ``tgt`` attending to it.
    Every parameter of two or more dimensions is re-initialised xavier-uniform (as torch,
    custom encoder/decoder included).  Shapes: src (S, N, E), tgt (T, N, E) (``batch_first``:
    (N, S, E), (N, T, E)) or unbatched (S, E), (T, E); the output has tgt's shape.
    Differences: bad shapes raise ValueError (torch: RuntimeError).

    >>> import compgraph as cg
    >>> model = cg.nn.Transformer(8, 2, 1, 1, dim_feedforward=16, seed=0)
    >>> mask = cg.nn.Transformer.generate_square_subsequent_mask(4)
    >>> model(cg.ones((5, 3, 8)), cg.ones((4, 3, 8)), tgt_mask=mask).shape
    (4, 3, 8)
    """

    def __init__(
        self,
        d_model: int = 512,
        nhead: int = 8,
        num_encoder_layers: int = 6,
        num_decoder_layers: int = 6,
        dim_feedforward: int = 2048,
        dropout: float = 0.1,
        activation: Any = F.relu,
        custom_encoder: Any = None,
        custom_decoder: Any = None,
        layer_norm_eps: float = 1e-5,
        batch_first: bool = False,
        norm_first: bool = False,
        bias: bool = True,
        dtype: Any = "float64",
        seed: Any = None,
    ):
        super().__init__()
        rng = init.rng_of(seed)
        layer_args = (
            d_model,
            nhead,
            dim_feedforward,
            dropout,
            activation,
            layer_norm_eps,
            batch_first,
            norm_first,
            bias,
        )
        if custom_encoder is not None:
            self.encoder = custom_encoder
        else:
            encoder_layer = TransformerEncoderLayer(*layer_args, dtype=dtype, seed=rng)
            encoder_norm = LayerNorm(d_model, eps=layer_norm_eps, bias=bias, dtype=dtype)
            encoder = TransformerEncoder(encoder_layer, num_encoder_layers, encoder_norm)
            # TransformerEncoderLayer keeps the generator it was built with for its
            # dropouts: the process's then follows no later cg.manual_seed, a seeded one
            # is copied into every layer.
            if seed is None:
                _follow_process_rng(encoder)
            else:
                _untie_rngs(encoder.layers)
            self.encoder = encoder
        if custom_decoder is not None:
            self.decoder = custom_decoder
        else:
            decoder_layer = TransformerDecoderLayer(
                *layer_args, dtype=dtype, seed=None if seed is None else rng
            )
            decoder_norm = LayerNorm(d_model, eps=layer_norm_eps, bias=bias, dtype=dtype)
            self.decoder = TransformerDecoder(decoder_layer, num_decoder_layers, decoder_norm)
        for p in self.parameters():
            if p.ndim > 1:
                init.xavier_uniform_(p, rng=rng)
        self.d_model = d_model
        self.nhead = nhead
        self.batch_first = batch_first

    def forward(
        self,
        src: Any,
        tgt: Any,
        src_mask: Any = None,
        tgt_mask: Any = None,
        memory_mask: Any = None,
        src_key_padding_mask: Any = None,
        tgt_key_padding_mask: Any = None,
        memory_key_padding_mask: Any = None,
        src_is_causal: bool | None = None,
        tgt_is_causal: bool | None = None,
        memory_is_causal: bool = False,
    ) -> Tensor:
        """Encode ``src``, then decode ``tgt`` attending to the encoding (masks as
        MultiheadAttention's)."""
        s, t = tuple(src.shape), tuple(tgt.shape)
        if len(s) not in (2, 3) or len(t) != len(s):
            raise ValueError(
                f"Transformer: expected src and tgt of 3 (batched) or 2 (unbatched) "
                f"dimensions, got shapes {s} and {t}"
            )
        axis = 0 if self.batch_first else 1
        if len(s) == 3 and s[axis] != t[axis]:
            raise ValueError(
                f"Transformer: the batch number of src and tgt must be equal (dimension "
                f"{axis}), got shapes {s} and {t}"
            )
        if s[-1] != self.d_model or t[-1] != self.d_model:
            raise ValueError(
                f"Transformer: the feature number of src and tgt must be equal to d_model "
                f"{self.d_model}, got shapes {s} and {t}"
            )
        memory = self.encoder(
            src,
            mask=src_mask,
            src_key_padding_mask=src_key_padding_mask,
            is_causal=src_is_causal,
        )
        return self.decoder(
            tgt,
            memory,
            tgt_mask=tgt_mask,
            memory_mask=memory_mask,
            tgt_key_padding_mask=tgt_key_padding_mask,
            memory_key_padding_mask=memory_key_padding_mask,
            tgt_is_causal=tgt_is_causal,
            memory_is_causal=memory_is_causal,
        )

    @staticmethod
    def generate_square_subsequent_mask(sz: int, device: Any = None, dtype: Any = None) -> Tensor:
        """A (sz, sz) causal mask: -inf above the diagonal, 0 elsewhere (``dtype`` None:
        the default float dtype, float64 unless ``cg.set_default_dtype`` says otherwise)."""
        full = cg.full((int(sz), int(sz)), float("-inf"), dtype=dtype, device=device)
        return cg.triu(full, 1)
