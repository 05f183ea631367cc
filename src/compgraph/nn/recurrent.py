"""Recurrent layers as PyTorch: ``RNN``, ``LSTM``, ``GRU`` and their single-step cells.

The same constructor arguments, parameter names (``weight_ih_l0``, ``bias_hh_l1_reverse``
...), shapes, gate order (LSTM: i, f, g, o; GRU: r, z, n), initialisation
(U(-1/sqrt(hidden), 1/sqrt(hidden))) and return values as torch, so a torch
``state_dict`` loads and gives the same outputs.  The time loop is a Python loop of
ordinary ops (no recursion), each step the same few nodes: a step costs the same at
step 200 as at step 1.  Layers above the first read the previous layer's per-step
outputs directly (no slicing of a stacked sequence, whose gradient would be a
scatter into the whole sequence at every step).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .. import functions as cg
from ..tensor import Tensor
from . import functional as F
from . import init
from .module import Module, Parameter

__all__ = ["RNNBase", "RNN", "LSTM", "GRU", "RNNCellBase", "RNNCell", "LSTMCell", "GRUCell"]

_GATES = {"RNN_TANH": 1, "RNN_RELU": 1, "LSTM": 4, "GRU": 3}


def _cell(mode: str, x: Any, h: Any, c: Any, w: tuple) -> tuple:
    """One step of ``mode`` from input ``x`` and state (h, c); ``w`` is
    (weight_ih, weight_hh, bias_ih, bias_hh), biases possibly None.  Returns (h', c')."""
    w_ih, w_hh, b_ih, b_hh = w
    gi, gh = F.linear(x, w_ih, b_ih), F.linear(h, w_hh, b_hh)
    if mode == "GRU":
        n_h = h.shape[-1]
        rz = cg.sigmoid(gi[..., : 2 * n_h] + gh[..., : 2 * n_h])
        r, z = rz[..., :n_h], rz[..., n_h:]
        n = cg.tanh(gi[..., 2 * n_h :] + r * gh[..., 2 * n_h :])
        return n + z * (h - n), None
    g = gi + gh
    if mode == "RNN_TANH":
        return cg.tanh(g), None
    if mode == "RNN_RELU":
        return cg.relu(g), None
    n_h = h.shape[-1]
    s = cg.sigmoid(g)  # i, f and o in one call (the g block's sigmoid is unused)
    c = s[..., n_h : 2 * n_h] * c + s[..., :n_h] * cg.tanh(g[..., 2 * n_h : 3 * n_h])
    return s[..., 3 * n_h :] * cg.tanh(c), c


def _new_params(
    owner: Module,
    suffix: str,
    n_in: int,
    n_h: int,
    gates: int,
    bias: bool,
    dtype: Any,
    rng: np.random.Generator,
) -> None:
    """Register weight_ih/weight_hh (and biases) with ``suffix``, drawn as torch."""
    bound = 1.0 / math.sqrt(n_h) if n_h > 0 else 0.0
    shapes: list[tuple[str, tuple]] = [
        ("weight_ih", (gates * n_h, n_in)),
        ("weight_hh", (gates * n_h, n_h)),
    ]
    if bias:
        shapes += [("bias_ih", (gates * n_h,)), ("bias_hh", (gates * n_h,))]
    for name, shape in shapes:
        p = Parameter(np.empty(shape, dtype))
        init.uniform_(p, -bound, bound, rng)
        owner.register_parameter(name + suffix, p)


def _check_size(what: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value <= 0:
        raise ValueError(f"{what} must be a positive integer, got {value!r}")
    return int(value)


class RNNBase(Module):
    """What RNN, LSTM and GRU share: parameters per layer and direction, the time loop."""

    def __init__(
        self,
        mode: str,
        input_size: int,
        hidden_size: int,
        num_layers: int = 1,
        bias: bool = True,
        batch_first: bool = False,
        dropout: float = 0.0,
        bidirectional: bool = False,
        proj_size: int = 0,
        dtype: Any = "float64",
        seed: Any = None,
    ):
        super().__init__()
        name = type(self).__name__
        self.mode = mode
        self.input_size = _check_size(f"{name}: input_size", input_size)
        self.hidden_size = _check_size(f"{name}: hidden_size", hidden_size)
        self.num_layers = _check_size(f"{name}: num_layers", num_layers)
        if not (isinstance(dropout, (int, float)) and 0 <= dropout <= 1) or isinstance(
            dropout, bool
        ):
            raise ValueError(f"{name}: dropout should be a number in [0, 1], got {dropout!r}")
        if proj_size:
            raise ValueError(f"{name}: proj_size is not supported (got {proj_size})")
        self.bias, self.batch_first, self.bidirectional = bias, batch_first, bidirectional
        self.dropout, self.proj_size = float(dropout), 0
        self._rng = init.rng_of(seed)
        gates = _GATES[mode]
        ndir = 2 if bidirectional else 1
        for layer in range(self.num_layers):
            n_in = self.input_size if layer == 0 else self.hidden_size * ndir
            for d in range(ndir):
                suffix = f"_l{layer}" + ("_reverse" if d else "")
                _new_params(self, suffix, n_in, self.hidden_size, gates, bias, dtype, self._rng)

    def _weights(self, layer: int, d: int) -> tuple:
        s = f"_l{layer}" + ("_reverse" if d else "")
        # Attribute reads (not the registry), so values swapped in for a traced call count.
        return tuple(
            getattr(self, k + s, None) for k in ("weight_ih", "weight_hh", "bias_ih", "bias_hh")
        )

    def forward(self, input: Any, hx: Any = None) -> tuple:
        """Run the sequence; returns (output, h_n), for LSTM (output, (h_n, c_n))."""
        name = type(self).__name__
        x: Any = input if isinstance(input, Tensor) else cg.asarray(input)
        if x.ndim not in (2, 3) or x.shape[-1] != self.input_size:
            raise ValueError(
                f"{name}: expected input of shape (L, N, {self.input_size}) "
                f"{'(batch_first: (N, L, ...)) ' if self.batch_first else ''}or "
                f"(L, {self.input_size}), got {tuple(x.shape)}"
            )
        batched = x.ndim == 3
        if not batched:
            x = cg.expand_dims(x, 1)
        elif self.batch_first:
            x = cg.swapaxes(x, 0, 1)
        steps, n = x.shape[0], x.shape[1]
        ndir = 2 if self.bidirectional else 1
        lstm = self.mode == "LSTM"
        h0: Any
        c0: Any
        h0, c0 = (hx if hx is not None else (None, None)) if lstm else (hx, None)
        h0 = self._initial(h0, batched, n, x.dtype)
        c0 = self._initial(c0, batched, n, x.dtype) if lstm else None
        seq = [x[t] for t in range(steps)]  # one view per step (layer 0 only)
        h_n, c_n = [], []
        outs: list = []
        for layer in range(self.num_layers):
            if layer and self.dropout and self.training:
                seq = [F.dropout(s, self.dropout, generator=self._rng) for s in seq]
            outs = []
            for d in range(ndir):
                k = layer * ndir + d
                h = h0[k]
                c = c0[k] if lstm else None
                w = self._weights(layer, d)
                out = [None] * steps
                for t in range(steps - 1, -1, -1) if d else range(steps):
                    h, c = _cell(self.mode, seq[t], h, c, w)
                    out[t] = h
                outs.append(out)
                h_n.append(h)
                c_n.append(c)
            seq = outs[0] if ndir == 1 else [cg.concatenate(p, -1) for p in zip(*outs)]
        if ndir == 1:
            output = cg.stack(outs[0], 0)
        else:
            output = cg.concatenate([cg.stack(o, 0) for o in outs], -1)
        hn = cg.stack(h_n, 0)
        cn: Any = cg.stack(c_n, 0) if lstm else None
        if not batched:
            output, hn = output[:, 0], hn[:, 0]
            cn = cn[:, 0] if lstm else None
        elif self.batch_first:
            output = cg.swapaxes(output, 0, 1)
        return (output, (hn, cn)) if lstm else (output, hn)

    def _initial(self, h: Any, batched: bool, n: int, dtype: Any) -> Any:
        """The initial states as one (layers*dirs, N, H) array, zeros when not given."""
        k = self.num_layers * (2 if self.bidirectional else 1)
        want = (k, n, self.hidden_size) if batched else (k, self.hidden_size)
        if h is None:
            return np.zeros((k, n, self.hidden_size), dtype)
        if tuple(h.shape) != want:
            raise ValueError(
                f"{type(self).__name__}: expected hidden state of shape {want}, "
                f"got {tuple(h.shape)}"
            )
        return h if batched else cg.expand_dims(h, 1)

    def extra_repr(self) -> str:
        s = f"{self.input_size}, {self.hidden_size}"
        for k, default in (
            ("num_layers", 1),
            ("bias", True),
            ("batch_first", False),
            ("dropout", 0.0),
            ("bidirectional", False),
        ):
            if getattr(self, k) != default:
                s += f", {k}={getattr(self, k)}"
        return s


class RNN(RNNBase):
    """Elman RNN, ``h' = act(x W_ih^T + b_ih + h W_hh^T + b_hh)``, as ``torch.nn.RNN``.

    >>> import compgraph as cg
    >>> rnn = cg.nn.RNN(3, 5, num_layers=2, seed=0)
    >>> out, h = rnn(cg.ones((7, 2, 3)))
    >>> out.shape, h.shape
    ((7, 2, 5), (2, 2, 5))
    """

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        num_layers: int = 1,
        nonlinearity: str = "tanh",
        bias: bool = True,
        batch_first: bool = False,
        dropout: float = 0.0,
        bidirectional: bool = False,
        dtype: Any = "float64",
        seed: Any = None,
    ):
        if nonlinearity not in ("tanh", "relu"):
            raise ValueError(f"RNN: unknown nonlinearity {nonlinearity!r} (tanh or relu)")
        super().__init__(
            "RNN_" + nonlinearity.upper(),
            input_size,
            hidden_size,
            num_layers,
            bias,
            batch_first,
            dropout,
            bidirectional,
            0,
            dtype,
            seed,
        )
        self.nonlinearity = nonlinearity


class LSTM(RNNBase):
    """Long short-term memory, as ``torch.nn.LSTM``; returns (output, (h_n, c_n)).

    >>> import compgraph as cg
    >>> lstm = cg.nn.LSTM(3, 4, batch_first=True, bidirectional=True, seed=0)
    >>> out, (h, c) = lstm(cg.ones((2, 6, 3)))
    >>> out.shape, h.shape, c.shape
    ((2, 6, 8), (2, 2, 4), (2, 2, 4))
    """

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        num_layers: int = 1,
        bias: bool = True,
        batch_first: bool = False,
        dropout: float = 0.0,
        bidirectional: bool = False,
        proj_size: int = 0,
        dtype: Any = "float64",
        seed: Any = None,
    ):
        super().__init__(
            "LSTM",
            input_size,
            hidden_size,
            num_layers,
            bias,
            batch_first,
            dropout,
            bidirectional,
            proj_size,
            dtype,
            seed,
        )


class GRU(RNNBase):
    """Gated recurrent unit, as ``torch.nn.GRU`` (gates r, z, n).

    >>> import compgraph as cg
    >>> out, h = cg.nn.GRU(3, 4, seed=0)(cg.ones((5, 3)))   # unbatched (L, H_in)
    >>> out.shape, h.shape
    ((5, 4), (1, 4))
    """

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        num_layers: int = 1,
        bias: bool = True,
        batch_first: bool = False,
        dropout: float = 0.0,
        bidirectional: bool = False,
        dtype: Any = "float64",
        seed: Any = None,
    ):
        super().__init__(
            "GRU",
            input_size,
            hidden_size,
            num_layers,
            bias,
            batch_first,
            dropout,
            bidirectional,
            0,
            dtype,
            seed,
        )


class RNNCellBase(Module):
    """One step of a recurrent layer: parameters weight_ih, weight_hh, bias_ih, bias_hh."""

    def __init__(
        self, mode: str, input_size: int, hidden_size: int, bias: bool, dtype: Any, seed: Any
    ):
        super().__init__()
        name = type(self).__name__
        self.mode = mode
        self.input_size = _check_size(f"{name}: input_size", input_size)
        self.hidden_size = _check_size(f"{name}: hidden_size", hidden_size)
        self.bias = bias
        _new_params(
            self,
            "",
            self.input_size,
            self.hidden_size,
            _GATES[mode],
            bias,
            dtype,
            init.rng_of(seed),
        )

    def forward(self, input: Any, hx: Any = None) -> Any:
        """The next state (for LSTMCell the pair (h', c')) from ``input`` and ``hx``."""
        x = input if isinstance(input, Tensor) else cg.asarray(input)
        if x.ndim not in (1, 2) or x.shape[-1] != self.input_size:
            raise ValueError(
                f"{type(self).__name__}: expected input of shape (N, {self.input_size}) or "
                f"({self.input_size},), got {tuple(x.shape)}"
            )
        batched = x.ndim == 2
        if not batched:
            x = cg.expand_dims(x, 0)
        zeros = np.zeros((x.shape[0], self.hidden_size), x.dtype)
        lstm = self.mode == "LSTM"
        h, c = (hx if hx is not None else (zeros, zeros)) if lstm else (hx, None)
        h = zeros if h is None else (h if batched else cg.expand_dims(h, 0))
        if lstm and not batched:
            c = cg.expand_dims(c, 0)
        w = tuple(getattr(self, k, None) for k in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"))
        h, c = _cell(self.mode, x, h, c, w)
        if not batched:
            h, c = h[0], (c[0] if lstm else None)
        return (h, c) if lstm else h

    def extra_repr(self) -> str:
        return f"{self.input_size}, {self.hidden_size}" + ("" if self.bias else ", bias=False")


class RNNCell(RNNCellBase):
    """One Elman step, as ``torch.nn.RNNCell``.

    >>> import compgraph as cg
    >>> cg.nn.RNNCell(3, 2, seed=0)(cg.ones((4, 3))).shape
    (4, 2)
    """

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        bias: bool = True,
        nonlinearity: str = "tanh",
        dtype: Any = "float64",
        seed: Any = None,
    ):
        if nonlinearity not in ("tanh", "relu"):
            raise ValueError(f"RNNCell: unknown nonlinearity {nonlinearity!r} (tanh or relu)")
        super().__init__("RNN_" + nonlinearity.upper(), input_size, hidden_size, bias, dtype, seed)
        self.nonlinearity = nonlinearity


class LSTMCell(RNNCellBase):
    """One LSTM step, as ``torch.nn.LSTMCell``; ``hx`` and the result are (h, c).

    >>> import compgraph as cg
    >>> h, c = cg.nn.LSTMCell(3, 2, seed=0)(cg.ones((4, 3)))
    >>> h.shape, c.shape
    ((4, 2), (4, 2))
    """

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        bias: bool = True,
        dtype: Any = "float64",
        seed: Any = None,
    ):
        super().__init__("LSTM", input_size, hidden_size, bias, dtype, seed)


class GRUCell(RNNCellBase):
    """One GRU step, as ``torch.nn.GRUCell``.

    >>> import compgraph as cg
    >>> cg.nn.GRUCell(3, 2, seed=0)(cg.ones(3)).shape
    (2,)
    """

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        bias: bool = True,
        dtype: Any = "float64",
        seed: Any = None,
    ):
        super().__init__("GRU", input_size, hidden_size, bias, dtype, seed)
