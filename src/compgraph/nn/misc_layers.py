"""More layers as PyTorch's: Bilinear, CosineSimilarity, PairwiseDistance, EmbeddingBag and
ParameterDict.

Constructor arguments, defaults, parameter names (so ``state_dict`` keys equal torch's)
and ``extra_repr`` are torch's; compgraph's ``dtype`` (default float64) and ``seed``
replace torch's ``device``/``dtype``.  Each forward calls the
:mod:`compgraph.nn.functional` function torch's module calls.
"""

from __future__ import annotations

import math
from collections import OrderedDict
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

import numpy as np

from ..tensor import Tensor
from . import functional as F
from . import init
from .functional import _shape
from .module import Module, Parameter

__all__ = [
    "Bilinear",
    "CosineSimilarity",
    "PairwiseDistance",
    "EmbeddingBag",
    "ParameterDict",
]


class Bilinear(Module):
    """``y = x1^T A x2 + b`` per output feature, as ``torch.nn.Bilinear``: weight
    (out_features, in1_features, in2_features) and bias drawn from
    U(-1/sqrt(in1_features), 1/sqrt(in1_features)).

    >>> import compgraph as cg
    >>> bil = cg.nn.Bilinear(2, 3, 4, seed=0)
    >>> bil(cg.ones((5, 2)), cg.ones((5, 3))).shape
    (5, 4)
    """

    def __init__(
        self,
        in1_features: int,
        in2_features: int,
        out_features: int,
        bias: bool = True,
        dtype: Any = "float64",
        seed: Any = None,
    ):
        super().__init__()
        self.in1_features, self.in2_features = int(in1_features), int(in2_features)
        self.out_features = int(out_features)
        if self.in1_features <= 0:
            raise ValueError(
                f"Bilinear: in1_features must be > 0, but got (in1_features={in1_features})"
            )
        rng = init.rng_of(seed)
        bound = 1.0 / math.sqrt(self.in1_features)
        shape = (self.out_features, self.in1_features, self.in2_features)
        self.weight = Parameter(np.empty(shape, dtype))
        init.uniform_(self.weight, -bound, bound, rng)
        self.bias = None
        if bias:
            self.bias = Parameter(np.empty(self.out_features, dtype))
            init.uniform_(self.bias, -bound, bound, rng)

    def forward(self, input1: Any, input2: Any) -> Tensor:
        s1, s2 = _shape(input1), _shape(input2)
        if (
            not s1
            or s1[:-1] != s2[:-1]
            or s1[-1] != self.in1_features
            or s2[-1] != self.in2_features
        ):
            raise ValueError(
                f"Bilinear: expected inputs (..., {self.in1_features}) and "
                f"(..., {self.in2_features}) with the same leading dims, got {s1} and {s2}"
            )
        return F.bilinear(input1, input2, self.weight, self.bias)

    def extra_repr(self) -> str:
        return (
            f"in1_features={self.in1_features}, in2_features={self.in2_features}, "
            f"out_features={self.out_features}, bias={self.bias is not None}"
        )


class CosineSimilarity(Module):
    """Cosine similarity of ``x1`` and ``x2`` along ``dim`` (broadcast), as
    ``torch.nn.CosineSimilarity`` (``F.cosine_similarity``)."""

    def __init__(self, dim: int = 1, eps: float = 1e-8):
        super().__init__()
        self.dim, self.eps = dim, eps

    def forward(self, x1: Any, x2: Any) -> Tensor:
        return F.cosine_similarity(x1, x2, self.dim, self.eps)


class PairwiseDistance(Module):
    """``||x1 - x2 + eps||_p`` along the last dim, as ``torch.nn.PairwiseDistance``
    (``F.pairwise_distance``; ``p`` is kept as ``norm``, torch's attribute)."""

    def __init__(self, p: float = 2.0, eps: float = 1e-6, keepdim: bool = False):
        super().__init__()
        self.norm, self.eps, self.keepdim = p, eps, keepdim

    def forward(self, x1: Any, x2: Any) -> Tensor:
        return F.pairwise_distance(x1, x2, self.norm, self.eps, self.keepdim)


# ------------------------------------------------------------------ embedding bags
class EmbeddingBag(Module):
    """Sums, means or maxima of bags of embedding rows, as ``torch.nn.EmbeddingBag``
    (``F.embedding_bag``): weight (num_embeddings, embedding_dim) drawn from N(0, 1),
    the ``padding_idx`` row zero.  ``sparse`` gradients are dense here.

    >>> import compgraph as cg, numpy as np
    >>> bag = cg.nn.EmbeddingBag(10, 3, mode="sum", seed=0)
    >>> bag(np.array([1, 2, 4, 5, 4]), np.array([0, 2])).shape
    (2, 3)
    """

    def __init__(
        self,
        num_embeddings: int,
        embedding_dim: int,
        max_norm: float | None = None,
        norm_type: float = 2.0,
        scale_grad_by_freq: bool = False,
        mode: str = "mean",
        sparse: bool = False,
        _weight: Any = None,
        include_last_offset: bool = False,
        padding_idx: int | None = None,
        dtype: Any = "float64",
        seed: Any = None,
    ):
        super().__init__()
        self.num_embeddings, self.embedding_dim = int(num_embeddings), int(embedding_dim)
        self.max_norm, self.norm_type = max_norm, norm_type
        self.scale_grad_by_freq = scale_grad_by_freq
        if mode not in ("sum", "mean", "max"):
            raise ValueError(f"EmbeddingBag: mode must be 'sum', 'mean' or 'max', got {mode!r}")
        if padding_idx is not None:
            if not -self.num_embeddings <= padding_idx < self.num_embeddings:
                raise ValueError(
                    f"EmbeddingBag: padding_idx {padding_idx} must be within num_embeddings "
                    f"{self.num_embeddings}"
                )
            padding_idx = int(padding_idx) % self.num_embeddings
        self.padding_idx = padding_idx
        shape = (self.num_embeddings, self.embedding_dim)
        if _weight is None:
            self.weight = Parameter(np.empty(shape, dtype))
            init.normal_(self.weight, 0.0, 1.0, init.rng_of(seed))
            if padding_idx is not None:
                self.weight.data[padding_idx] = 0
        else:
            w = np.asarray(_weight.data if isinstance(_weight, Tensor) else _weight)
            if w.shape != shape:
                raise ValueError(
                    f"EmbeddingBag: shape of weight {w.shape} does not match num_embeddings "
                    f"and embedding_dim {shape}"
                )
            self.weight = Parameter(w.copy())
        self.mode, self.sparse = mode, sparse
        self.include_last_offset = include_last_offset

    def reset_parameters(self, seed: Any = None) -> None:
        """Redraw the weight from N(0, 1) (from ``seed``), the ``padding_idx`` row zero."""
        init.normal_(self.weight, 0.0, 1.0, init.rng_of(seed))
        if self.padding_idx is not None:
            self.weight.data[self.padding_idx] = 0

    def forward(
        self,
        input: Any,  # noqa: A002 (PyTorch's name)
        offsets: Any = None,
        per_sample_weights: Any = None,
    ) -> Tensor:
        return F.embedding_bag(
            input,
            self.weight,
            offsets,
            self.max_norm,
            self.norm_type,
            self.scale_grad_by_freq,
            self.mode,
            self.sparse,
            per_sample_weights,
            self.include_last_offset,
            self.padding_idx,
        )

    @classmethod
    def from_pretrained(
        cls,
        embeddings: Any,
        freeze: bool = True,
        max_norm: float | None = None,
        norm_type: float = 2.0,
        scale_grad_by_freq: bool = False,
        mode: str = "mean",
        sparse: bool = False,
        include_last_offset: bool = False,
        padding_idx: int | None = None,
    ) -> EmbeddingBag:
        """An EmbeddingBag holding a copy of the 2-D ``embeddings`` (frozen by default)."""
        w = np.asarray(embeddings.data if isinstance(embeddings, Tensor) else embeddings)
        if w.ndim != 2:
            raise ValueError(
                f"EmbeddingBag.from_pretrained: embeddings must be 2-D, got shape {w.shape}"
            )
        bag = cls(
            w.shape[0],
            w.shape[1],
            max_norm,
            norm_type,
            scale_grad_by_freq,
            mode,
            sparse,
            _weight=w,
            include_last_offset=include_last_offset,
            padding_idx=padding_idx,
            dtype=w.dtype,
        )
        bag.weight.requires_grad = not freeze
        return bag

    def extra_repr(self) -> str:
        s = f"{self.num_embeddings!r}, {self.embedding_dim!r}"
        if self.max_norm is not None:
            s += f", max_norm={self.max_norm!r}"
        if self.norm_type != 2:
            s += f", norm_type={self.norm_type!r}"
        if self.scale_grad_by_freq is not False:
            s += f", scale_grad_by_freq={self.scale_grad_by_freq!r}"
        s += f", mode={self.mode!r}"
        if self.padding_idx is not None:
            s += f", padding_idx={self.padding_idx!r}"
        return s


# ------------------------------------------------------------------ containers
class ParameterDict(Module):
    """An ordered dict of Parameters registered under their keys (torch's
    ``state_dict`` keys), as ``torch.nn.ParameterDict``.

    A Tensor or NumPy array stored becomes a Parameter; a Parameter is kept as is
    (shared); any other value is kept as a plain attribute, outside ``parameters()``.
    A plain ``dict`` given to the constructor or ``update`` goes in sorted by key (torch's
    rule); an ``OrderedDict``, a ParameterDict or pairs keep their order.  A missing key
    raises KeyError, as a dict does (torch raises AttributeError).

    >>> import compgraph as cg, numpy as np
    >>> pd = cg.nn.ParameterDict({"b": np.zeros(2), "a": np.ones(3)})
    >>> list(pd), list(pd.state_dict()), pd["a"].shape
    (['a', 'b'], ['a', 'b'], (3,))
    """

    _keys: dict[str, None]
    _others: dict[str, Any]

    def __init__(self, parameters: Any = None):
        super().__init__()
        object.__setattr__(self, "_keys", {})
        object.__setattr__(self, "_others", {})
        if parameters is not None:
            self.update(parameters)

    @staticmethod
    def _key(key: Any) -> str:
        if not isinstance(key, str):
            raise TypeError(
                "Index given to ParameterDict cannot be used as a key as it is not a string "
                f"(type is '{type(key).__name__}')."
            )
        return key

    def __getitem__(self, key: str) -> Any:
        key = self._key(key)
        if key in self._params:
            return self._params[key]
        if key in self._others:
            return self._others[key]
        raise KeyError(key)

    def __setitem__(self, key: str, value: Any) -> None:
        key = self._key(key)
        if key == "" or "." in key:
            raise KeyError(f'ParameterDict: a key can\'t be empty or contain ".", got {key!r}')
        if isinstance(value, (Tensor, np.ndarray)) and not isinstance(value, Parameter):
            value = Parameter(value.data if isinstance(value, Tensor) else value)
        self._drop(key)
        self._keys[key] = None
        if isinstance(value, Parameter):
            self._params[key] = value
        else:
            self._others[key] = value
        # ``pd.name`` reads it too, unless a method or attribute has that name
        if not hasattr(type(self), key) and key not in _RESERVED:
            object.__setattr__(self, key, value)

    def _drop(self, key: str) -> None:
        if key in self._keys:
            self._params.pop(key, None)
            self._others.pop(key, None)
            if not hasattr(type(self), key) and key not in _RESERVED:
                self.__dict__.pop(key, None)

    def __delitem__(self, key: str) -> None:
        key = self._key(key)
        if key not in self._keys:
            raise KeyError(key)
        self._drop(key)
        del self._keys[key]

    def __len__(self) -> int:
        return len(self._keys)

    def __iter__(self) -> Iterator[str]:
        return iter(list(self._keys))

    def __reversed__(self) -> Iterator[str]:
        return reversed(list(self._keys))

    def __contains__(self, key: object) -> bool:
        return key in self._keys

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("ParameterDict should not be called.")

    def copy(self) -> ParameterDict:
        """A new ParameterDict holding the same values (Parameters shared)."""
        return ParameterDict(OrderedDict((k, self[k]) for k in self._keys))

    def setdefault(self, key: str, default: Any = None) -> Any:
        """``self[key]``, after storing ``default`` there if the key is new."""
        if key not in self:
            self[key] = default
        return self[key]

    def clear(self) -> None:
        """Remove every entry."""
        for k in list(self._keys):
            del self[k]

    def pop(self, key: str) -> Any:
        """Remove the entry ``key`` and return its value."""
        v = self[key]
        del self[key]
        return v

    def popitem(self) -> tuple[str, Any]:
        """Remove the last entry and return ``(key, value)``."""
        if not self._keys:
            raise KeyError("popitem(): ParameterDict is empty")
        k = next(reversed(self._keys))
        return k, self.pop(k)

    def get(self, key: str, default: Any = None) -> Any:
        """``self[key]`` if the key is there, else ``default``."""
        return self[key] if key in self else default

    def fromkeys(self, keys: Iterable[str], default: Any = None) -> ParameterDict:
        """A new ParameterDict with ``keys``, each holding ``default``."""
        return ParameterDict((k, default) for k in keys)

    def keys(self) -> Any:
        """The keys, in insertion order (a live view, as dict's)."""
        return self._keys.keys()

    def items(self) -> Iterator[tuple[str, Any]]:
        """(key, value) pairs, in insertion order."""
        return ((k, self[k]) for k in list(self._keys))

    def values(self) -> Iterator[Any]:
        """The values, in insertion order."""
        return (self[k] for k in list(self._keys))

    def update(self, parameters: Any) -> None:
        """Add (or replace) entries from a mapping, a ParameterDict or (key, value) pairs."""
        if not isinstance(parameters, Iterable):
            raise TypeError(
                "ParameterDict.update should be called with an iterable of key/value pairs, "
                f"but got {type(parameters).__name__}"
            )
        if isinstance(parameters, (OrderedDict, ParameterDict)):
            for key, value in list(parameters.items()):
                self[key] = value
        elif isinstance(parameters, Mapping):
            for key, value in sorted(parameters.items()):
                self[key] = value
        else:
            for j, p in enumerate(parameters):
                if not isinstance(p, Iterable):
                    raise TypeError(
                        f"ParameterDict update sequence element #{j} should be Iterable; is "
                        f"{type(p).__name__}"
                    )
                p = list(p)
                if len(p) != 2:
                    raise ValueError(
                        f"ParameterDict update sequence element #{j} has length {len(p)}; "
                        "2 is required"
                    )
                self[p[0]] = p[1]

    def __or__(self, other: ParameterDict) -> ParameterDict:
        out = self.copy()
        out.update(other)
        return out

    def __ror__(self, other: ParameterDict) -> ParameterDict:
        out = other.copy()
        out.update(self)
        return out

    def __ior__(self, other: ParameterDict) -> ParameterDict:
        self.update(other)
        return self

    def extra_repr(self) -> str:
        lines = []
        for k, p in self.items():
            if isinstance(p, Tensor):
                size = "x".join(str(s) for s in p.shape)
                kind = "Parameter" if isinstance(p, Parameter) else "Tensor"
                lines.append(f"  ({k}): {kind} containing: [{p.type()} of size {size}]")
            else:
                lines.append(f"  ({k}): Object of type: {type(p).__name__}")
        return "\n".join(lines)

    def __repr__(self) -> str:
        # torch's layout: one entry inline, several on lines of their own
        lines = self.extra_repr().split("\n") if self._keys else []
        if len(lines) == 1:
            return f"ParameterDict({lines[0]})"
        if not lines:
            return "ParameterDict()"
        return "ParameterDict(\n  " + "\n  ".join(lines) + "\n)"


# instance attributes of a Module that an entry must not hide
_RESERVED = frozenset(
    {"_params", "_modules", "_buffers", "_non_persistent", "_forward_hooks",
     "_forward_pre_hooks", "training", "_keys", "_others"}
)  # fmt: skip
