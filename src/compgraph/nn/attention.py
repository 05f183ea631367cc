"""Attention layers as PyTorch: ``MultiheadAttention``, ``TransformerEncoderLayer`` and
``TransformerEncoder``.

Constructor arguments, parameter names and shapes (``in_proj_weight``, ``out_proj.weight``
...), initialisation (xavier-uniform projections, zero biases) and ``state_dict`` keys
are torch's, so a torch state_dict loads and gives the same outputs.  The attention
itself is ``F.scaled_dot_product_attention`` (the weights, when asked for, are computed
in the open).  Masks follow torch's conventions: in ``attn_mask`` and
``key_padding_mask`` a boolean True means *masked out* (the opposite of
``scaled_dot_product_attention``'s boolean mask) and a float mask is added to the scores.
Differences on purpose: ``is_causal=True`` without a mask builds the causal mask (torch
asks for the mask and treats the flag as a hint).
"""

from __future__ import annotations

import copy
import math
from collections.abc import Callable
from typing import Any, cast

import numpy as np

from .. import functions as cg
from ..random import default_generator
from ..tensor import Tensor
from . import functional as F
from . import init
from .containers import ModuleList
from .layers import Dropout, Linear
from .module import Module, Parameter
from .normalization import LayerNorm

__all__ = [
    "NonDynamicallyQuantizableLinear",
    "MultiheadAttention",
    "TransformerEncoderLayer",
    "TransformerEncoder",
]


def _additive(mask: Any, dtype: Any, where: str) -> np.ndarray | None:
    """A torch-style mask (bool True = masked out, or float to add) as floats to add."""
    if mask is None:
        return None
    m = np.asarray(mask.data if isinstance(mask, Tensor) else mask)
    if m.dtype == np.bool_:
        return np.where(m, -np.inf, 0.0).astype(dtype)
    if m.dtype.kind != "f":
        raise TypeError(f"{where}: only bool and float masks are supported, got {m.dtype}")
    return m.astype(dtype, copy=False)


def _causal(n: int, dtype: Any) -> np.ndarray:
    return np.triu(np.full((n, n), -np.inf, dtype), 1)


def _dropout_rngs(module: Module) -> list[Module]:
    """The submodules whose dropout draws from their ``_rng`` (Dropout, MultiheadAttention)."""
    return [m for m in module.modules() if isinstance(m, (Dropout, MultiheadAttention))]


def _follow_process_rng(module: Module) -> None:
    # A generator captured at construction would stop following cg.manual_seed (which
    # replaces the process's generator); None means "the process's, at each call".
    for m in _dropout_rngs(module):
        m._rng = None


def _untie_rngs(layers: ModuleList) -> None:
    # Deep copies of one layer hold copies of one generator state, so every layer would
    # drop the same positions; give each copy its own stream (the seed stays in force).
    for i, layer in enumerate(layers):
        fresh: dict[int, np.random.Generator] = {}
        for m in _dropout_rngs(layer):
            r = m._rng
            if not isinstance(r, np.random.Generator) or r is default_generator.rng:
                continue
            if id(r) not in fresh:
                fresh[id(r)] = np.random.default_rng([i, *r.integers(0, 2**32, 4).tolist()])
            m._rng = fresh[id(r)]


def _clones(layer: Module, n: int) -> ModuleList:
    # The process's generator stays shared rather than copied (it follows cg.manual_seed).
    memo = {id(default_generator.rng): default_generator.rng}
    layers = ModuleList([copy.deepcopy(layer, dict(memo)) for _ in range(n)])
    _untie_rngs(layers)
    return layers


class NonDynamicallyQuantizableLinear(Linear):
    """A :class:`Linear` under PyTorch's name for attention's output projection (torch
    uses the subclass to keep dynamic quantisation away; here it only names the layer in
    ``repr`` as torch does)."""


class MultiheadAttention(Module):
    """Multi-head attention, as ``torch.nn.MultiheadAttention``.

    ``forward(query, key, value, key_padding_mask=None, need_weights=True,
    attn_mask=None, average_attn_weights=True, is_causal=False)`` returns
    ``(output, weights)``: inputs (L, N, E) (``batch_first``: (N, L, E)) or unbatched
    (L, E); weights (N, L, S) averaged over the heads, (N, heads, L, S) with
    ``average_attn_weights=False``, None with ``need_weights=False``.

    >>> import compgraph as cg
    >>> mha = cg.nn.MultiheadAttention(8, 2, batch_first=True, seed=0)
    >>> x = cg.ones((3, 5, 8))
    >>> out, w = mha(x, x, x)
    >>> out.shape, w.shape, list(mha.state_dict())[:2]
    ((3, 5, 8), (3, 5, 5), ['in_proj_weight', 'in_proj_bias'])
    """

    # Parameters or None, by configuration (as torch)
    in_proj_weight: Any
    in_proj_bias: Any
    q_proj_weight: Any
    k_proj_weight: Any
    v_proj_weight: Any
    bias_k: Any
    bias_v: Any

    def __init__(
        self,
        embed_dim: int,
        num_heads: int,
        dropout: float = 0.0,
        bias: bool = True,
        add_bias_kv: bool = False,
        add_zero_attn: bool = False,
        kdim: int | None = None,
        vdim: int | None = None,
        batch_first: bool = False,
        dtype: Any = "float64",
        seed: Any = None,
    ):
        super().__init__()
        if embed_dim <= 0 or num_heads <= 0 or embed_dim % num_heads:
            raise ValueError(
                f"MultiheadAttention: embed_dim {embed_dim} must be a positive multiple of "
                f"num_heads {num_heads}"
            )
        self.embed_dim, self.num_heads = int(embed_dim), int(num_heads)
        self.head_dim = self.embed_dim // self.num_heads
        self.kdim = self.embed_dim if kdim is None else int(kdim)
        self.vdim = self.embed_dim if vdim is None else int(vdim)
        self.dropout, self.batch_first, self.add_zero_attn = (
            float(dropout),
            batch_first,
            add_zero_attn,
        )
        self._qkv_same_embed_dim = self.kdim == self.embed_dim and self.vdim == self.embed_dim
        rng = init.rng_of(seed)
        # None: the process's generator at each call (it follows cg.manual_seed)
        self._rng = None if seed is None else rng
        e = self.embed_dim
        if self._qkv_same_embed_dim:
            self.in_proj_weight = Parameter(np.empty((3 * e, e), dtype))
            init.xavier_uniform_(self.in_proj_weight, rng=rng)
            self.q_proj_weight = self.k_proj_weight = self.v_proj_weight = None
        else:
            self.q_proj_weight = Parameter(np.empty((e, e), dtype))
            self.k_proj_weight = Parameter(np.empty((e, self.kdim), dtype))
            self.v_proj_weight = Parameter(np.empty((e, self.vdim), dtype))
            for w in (self.q_proj_weight, self.k_proj_weight, self.v_proj_weight):
                init.xavier_uniform_(w, rng=rng)
            self.in_proj_weight = None
        self.in_proj_bias = Parameter(np.zeros(3 * e, dtype)) if bias else None
        self.out_proj = NonDynamicallyQuantizableLinear(e, e, bias=bias, dtype=dtype, seed=rng)
        if self.out_proj.bias is not None:
            self.out_proj.bias.data[...] = 0
        self.bias_k = self.bias_v = None
        if add_bias_kv:
            self.bias_k = Parameter(np.empty((1, 1, e), dtype))
            self.bias_v = Parameter(np.empty((1, 1, e), dtype))
            init.xavier_normal_(self.bias_k, rng=rng)
            init.xavier_normal_(self.bias_v, rng=rng)

    def _project(self, query: Any, key: Any, value: Any) -> tuple:
        e, b = self.embed_dim, self.in_proj_bias
        bq, bk, bv = (None, None, None) if b is None else (b[:e], b[e : 2 * e], b[2 * e :])
        if not self._qkv_same_embed_dim:
            return (
                F.linear(query, self.q_proj_weight, bq),
                F.linear(key, self.k_proj_weight, bk),
                F.linear(value, self.v_proj_weight, bv),
            )
        w = self.in_proj_weight
        if query is key and key is value:  # self-attention: one product
            qkv = F.linear(query, w, b)
            return qkv[..., :e], qkv[..., e : 2 * e], qkv[..., 2 * e :]
        return (
            F.linear(query, w[:e], bq),
            F.linear(key, w[e : 2 * e], bk),
            F.linear(value, w[2 * e :], bv),
        )

    def forward(
        self,
        query: Any,
        key: Any,
        value: Any,
        key_padding_mask: Any = None,
        need_weights: bool = True,
        attn_mask: Any = None,
        average_attn_weights: bool = True,
        is_causal: bool = False,
    ) -> tuple:
        """Attend from ``query`` to ``key``/``value``; returns (output, weights or None)."""
        where = "MultiheadAttention"
        batched = query.ndim == 3
        if query.ndim not in (2, 3) or key.ndim != query.ndim or value.ndim != query.ndim:
            raise ValueError(
                f"{where}: expected query, key and value of 3 (batched) or 2 (unbatched) "
                f"dimensions, got shapes {tuple(query.shape)}, {tuple(key.shape)}, "
                f"{tuple(value.shape)}"
            )
        if query.shape[-1] != self.embed_dim:
            raise ValueError(
                f"{where}: query has {query.shape[-1]} features, expected {self.embed_dim}"
            )
        same = query is key and key is value
        if not batched:  # (L, E) -> (1, L, E)
            query, key, value = (cg.expand_dims(t, 0) for t in (query, key, value))
            if key_padding_mask is not None:
                key_padding_mask = np.asarray(key_padding_mask)[None]
        elif not self.batch_first:  # (L, N, E) -> (N, L, E)
            query, key, value = (cg.swapaxes(t, 0, 1) for t in (query, key, value))
        if same:
            key = value = query
        n, tgt, _ = query.shape
        q, k, v = self._project(query, key, value)
        dtype = q.dtype
        am = _additive(attn_mask, dtype, where)
        kpm = _additive(key_padding_mask, dtype, where)
        if am is None and is_causal:
            am = _causal(tgt, dtype)
        if self.bias_k is not None:  # one more key/value position, never masked
            k = cg.concatenate([k, cg.broadcast_to(self.bias_k[0], (n, 1, self.embed_dim))], 1)
            v = cg.concatenate([v, cg.broadcast_to(self.bias_v[0], (n, 1, self.embed_dim))], 1)
            am = None if am is None else np.pad(am, [(0, 0)] * (am.ndim - 1) + [(0, 1)])
            kpm = None if kpm is None else np.pad(kpm, [(0, 0), (0, 1)])
        h, d = self.num_heads, self.head_dim
        q, k, v = (cg.transpose(cg.reshape(t, (n, -1, h, d)), (0, 2, 1, 3)) for t in (q, k, v))
        if self.add_zero_attn:  # and a zero key/value position
            zeros = np.zeros((n, h, 1, d), dtype)
            k, v = cg.concatenate([k, zeros], 2), cg.concatenate([v, zeros], 2)
            am = None if am is None else np.pad(am, [(0, 0)] * (am.ndim - 1) + [(0, 1)])
            kpm = None if kpm is None else np.pad(kpm, [(0, 0), (0, 1)])
        src = k.shape[2]
        mask = None
        if am is not None:
            if am.shape not in ((tgt, src), (n * h, tgt, src)):
                raise ValueError(
                    f"{where}: attn_mask must have shape ({tgt}, {src}) or "
                    f"({n * h}, {tgt}, {src}), got {am.shape}"
                )
            mask = am.reshape(n, h, tgt, src) if am.ndim == 3 else am
        if kpm is not None:
            if kpm.shape != (n, src):
                raise ValueError(
                    f"{where}: key_padding_mask must have shape ({n}, {src}), got {kpm.shape}"
                )
            kpm = kpm[:, None, None, :]
            mask = kpm if mask is None else mask + kpm
        p = self.dropout if self.training else 0.0
        weights = None
        if need_weights:
            scores = cg.matmul(q * (1.0 / math.sqrt(d)), cg.swapaxes(k, -1, -2))
            attn = F.softmax(scores if mask is None else scores + mask, dim=-1)
            if p:
                attn = F.dropout(attn, p, generator=self._rng)
            # the weights returned are the ones used, after dropout (as torch's)
            weights = cg.mean(attn, axis=1) if average_attn_weights else attn
            out = cg.matmul(attn, v)
        else:
            out = F.scaled_dot_product_attention(q, k, v, mask, dropout_p=p, generator=self._rng)
        out = cg.reshape(cg.transpose(out, (0, 2, 1, 3)), (n, tgt, self.embed_dim))
        out = self.out_proj(out)
        if not batched:
            out = out[0]
            weights = None if weights is None else cast(Any, weights)[0]
        elif not self.batch_first:
            out = cg.swapaxes(out, 0, 1)
        return out, weights


_ACTIVATIONS: dict[str, Callable] = {"relu": cg.relu, "gelu": cg.gelu}


class TransformerEncoderLayer(Module):
    """Self-attention and a feed-forward block, each with a residual connection and a
    LayerNorm after it (``norm_first=True``: before it), as ``torch.nn.TransformerEncoderLayer``.

    >>> import compgraph as cg
    >>> layer = cg.nn.TransformerEncoderLayer(8, 2, dim_feedforward=16, batch_first=True, seed=0)
    >>> layer(cg.ones((3, 5, 8)), is_causal=True).shape
    (3, 5, 8)
    """

    def __init__(
        self,
        d_model: int,
        nhead: int,
        dim_feedforward: int = 2048,
        dropout: float = 0.1,
        activation: Any = "relu",
        layer_norm_eps: float = 1e-5,
        batch_first: bool = False,
        norm_first: bool = False,
        bias: bool = True,
        dtype: Any = "float64",
        seed: Any = None,
    ):
        super().__init__()
        rng = init.rng_of(seed)
        self.self_attn = MultiheadAttention(
            d_model,
            nhead,
            dropout=dropout,
            bias=bias,
            batch_first=batch_first,
            dtype=dtype,
            seed=rng,
        )
        self.linear1 = Linear(d_model, dim_feedforward, bias=bias, dtype=dtype, seed=rng)
        drop_seed = None if seed is None else rng  # (None: follows cg.manual_seed)
        self.dropout = Dropout(dropout, seed=drop_seed)
        self.linear2 = Linear(dim_feedforward, d_model, bias=bias, dtype=dtype, seed=rng)
        self.norm_first = norm_first
        self.norm1 = LayerNorm(d_model, eps=layer_norm_eps, bias=bias, dtype=dtype)
        self.norm2 = LayerNorm(d_model, eps=layer_norm_eps, bias=bias, dtype=dtype)
        self.dropout1 = Dropout(dropout, seed=drop_seed)
        self.dropout2 = Dropout(dropout, seed=drop_seed)
        if isinstance(activation, str):
            if activation not in _ACTIVATIONS:
                raise ValueError(
                    f"TransformerEncoderLayer: activation should be relu/gelu, not {activation!r}"
                )
            activation = _ACTIVATIONS[activation]
        self.activation = activation
        self.batch_first = batch_first

    def forward(
        self,
        src: Any,
        src_mask: Any = None,
        src_key_padding_mask: Any = None,
        is_causal: bool = False,
    ) -> Tensor:
        """The layer on ``src`` (masks as MultiheadAttention's)."""
        x = src

        def sa(y: Any) -> Any:
            out = self.self_attn(
                y,
                y,
                y,
                attn_mask=src_mask,
                key_padding_mask=src_key_padding_mask,
                need_weights=False,
                is_causal=is_causal,
            )[0]
            return self.dropout1(out)

        def ff(y: Any) -> Any:
            return self.dropout2(self.linear2(self.dropout(self.activation(self.linear1(y)))))

        if self.norm_first:
            x = x + sa(self.norm1(x))
            return x + ff(self.norm2(x))
        x = self.norm1(x + sa(x))
        return self.norm2(x + ff(x))


class TransformerEncoder(Module):
    """``num_layers`` copies of ``encoder_layer`` (state_dict keys ``layers.0...``) and an
    optional final ``norm``, as ``torch.nn.TransformerEncoder``.

    >>> import compgraph as cg
    >>> layer = cg.nn.TransformerEncoderLayer(8, 2, dim_feedforward=16, seed=0)
    >>> enc = cg.nn.TransformerEncoder(layer, 2, norm=cg.nn.LayerNorm(8))
    >>> enc(cg.ones((5, 3, 8))).shape, list(enc.state_dict())[0]
    ((5, 3, 8), 'layers.0.self_attn.in_proj_weight')
    """

    def __init__(
        self,
        encoder_layer: Module,
        num_layers: int,
        norm: Module | None = None,
        enable_nested_tensor: bool = True,
        mask_check: bool = True,
    ):
        super().__init__()
        self.layers = _clones(encoder_layer, int(num_layers))
        self.num_layers = int(num_layers)
        self.norm = norm

    def forward(
        self,
        src: Any,
        mask: Any = None,
        src_key_padding_mask: Any = None,
        is_causal: bool | None = None,
    ) -> Tensor:
        """Each layer in turn, then the norm."""
        x = src
        for layer in self.layers:
            x = layer(
                x,
                src_mask=mask,
                src_key_padding_mask=src_key_padding_mask,
                is_causal=bool(is_causal),
            )
        return x if self.norm is None else self.norm(x)
