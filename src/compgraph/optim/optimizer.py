"""The optimiser base class: parameter groups, state, ``state_dict``, closures."""

from __future__ import annotations

import copy
import warnings
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import numpy as np

from ..autodiff.recording import mark_mutated
from ..grad_mode import enable_grad
from ..nn.module import Parameter
from ..tensor import Tensor

__all__ = ["Optimizer"]


def _hyper(name: str) -> property:
    """``opt.<name>``: reads parameter group 0, writes every group (validated first)."""

    def get(self: Optimizer) -> Any:
        return self.param_groups[0][name]

    def put(self: Optimizer, value: Any) -> None:
        for group in self.param_groups:
            self._validate({**group, name: value})
        for group in self.param_groups:
            group[name] = value

    return property(
        get, put, doc=f"The ``{name}`` of parameter group 0; setting it sets every group's."
    )


class Optimizer:
    """Base class (``torch.optim.Optimizer``): parameter groups, per-parameter state, checkpoints.

    ``params`` is an iterable of Tensors, or of dicts ``{"params": [...], "lr": ..., ...}``
    whose missing hyperparameters come from ``defaults``.  Frozen ``nn.Parameter``s
    (``requires_grad=False``) are accepted and skipped while their ``.grad`` is None.
    ``state`` maps each parameter to its buffers.  Subclasses implement
    ``_update(p, grad, state, group)`` and may extend ``_validate(group)``.
    """

    lr = _hyper("lr")
    weight_decay = _hyper("weight_decay")
    maximize = _hyper("maximize")

    def __init__(self, params: Iterable[Tensor] | Iterable[dict], defaults: dict[str, Any]):
        name = type(self).__name__
        if isinstance(params, (Tensor, set)):
            raise TypeError(
                f"{name}: params must be an ordered iterable (a list) of Tensors or "
                f"of dicts, got {type(params).__name__}"
            )
        self._validate(defaults)  # as torch: bad defaults fail even if every group overrides them
        self.defaults = dict(defaults)
        self.state: dict[Tensor, dict] = {}
        self.param_groups: list[dict] = []
        groups: list[Any] = list(params)  # Tensors, or dicts (add_param_group checks)
        if not groups:
            raise ValueError(f"{name}: got an empty parameter list")
        if not isinstance(groups[0], dict):
            groups = [{"params": groups}]
        for group in groups:
            self.add_param_group(group)

    def add_param_group(self, param_group: dict[str, Any]) -> None:
        """Add a group ``{"params": [...], hyperparameter: value, ...}``; the rest from defaults."""
        name = type(self).__name__
        if not isinstance(param_group, dict):
            raise TypeError(
                f"{name}: a parameter group must be a dict, got {type(param_group).__name__}"
            )
        if "params" not in param_group:
            raise ValueError(f"{name}: a parameter group needs a 'params' entry")
        params = param_group["params"]
        if isinstance(params, set):
            raise TypeError(f"{name}: a set of parameters has no stable order; use a list")
        params = [params] if isinstance(params, Tensor) else list(params)
        for p in params:
            self._check_param(p)
        group = {**self.defaults, **param_group, "params": params}
        self._validate(group)
        ids = [id(p) for p in params]
        if len(set(ids)) != len(ids):
            warnings.warn(
                f"{name}: a parameter group holds the same parameter twice; it will "
                f"be updated twice per step",
                stacklevel=2,
            )
        taken = {id(p) for g in self.param_groups for p in g["params"]}
        if taken.intersection(ids):
            raise ValueError(f"{name}: some parameters appear in more than one parameter group")
        self.param_groups.append(group)

    def _check_param(self, p: Any) -> None:
        name = type(self).__name__
        if not isinstance(p, Tensor):
            raise TypeError(
                f"{name}: can only optimize Tensors (e.g. cg.nn.Parameter), but one "
                f"of the params is a {type(p).__name__}"
            )
        if not p.is_leaf:
            raise TypeError(
                f"{name}: can't optimize a non-leaf Tensor (the output of "
                f"{p.op}); pass the leaf parameters"
            )
        # Frozen Parameters are fine (torch skips them: no grad); a plain tensor that never
        # required grad is almost always a forgotten requires_grad=True, so say so.
        if not p.requires_grad and not isinstance(p, Parameter):
            raise TypeError(
                f"{name}: got a Tensor that does not require grad; pass "
                f"cg.nn.Parameter objects or tensors made with requires_grad=True"
            )

    def _validate(self, group: dict[str, Any]) -> None:
        name = type(self).__name__
        if not group["lr"] >= 0:
            raise ValueError(f"{name}: invalid learning rate {group['lr']}")
        if not group["weight_decay"] >= 0:
            raise ValueError(f"{name}: invalid weight_decay {group['weight_decay']}")

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Forget gradients: ``.grad = None``, or zero them in place (``set_to_none=False``)."""
        for group in self.param_groups:
            for p in group["params"]:
                g = p.grad
                if g is None:
                    continue
                if set_to_none:
                    p.grad = None
                elif g.requires_grad or not g.data.flags.writeable:
                    # A gradient that is part of a graph (create_graph=True) or a read-only
                    # array cannot be zeroed in place; torch detaches it, we replace it.
                    p.grad = np.zeros_like(g.data)
                else:
                    g.data.fill(0)
                    mark_mutated(g)  # a graph built on this gradient must not use it

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """One update of every parameter that has a gradient.

        ``closure`` (optional) recomputes the loss, with grad mode on, before the update;
        its result is returned (None without a closure), as torch does.
        """
        loss = None
        if closure is not None:
            with enable_grad():
                loss = closure()
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is not None:
                    g = np.asarray(p.grad.data, dtype=p.dtype)
                    self._update(p, g, self.state.setdefault(p, {}), group)
        return loss

    def _update(self, p: Tensor, g: np.ndarray, state: dict, group: dict) -> None:
        raise NotImplementedError

    def state_dict(self) -> dict[str, Any]:
        """``{"state": {index: buffers}, "param_groups": [...]}``, parameters by index (as torch).

        Buffers are copies, so later steps do not change a saved checkpoint.
        """
        index: dict[int, int] = {}
        groups = []
        start = 0
        for group in self.param_groups:
            # torch's numbering: a group's params take consecutive numbers from `start`.
            for i, p in enumerate(group["params"], start):
                index.setdefault(id(p), i)
            start += len(group["params"])
            packed = copy.deepcopy({k: v for k, v in group.items() if k != "params"})
            packed["params"] = [index[id(p)] for p in group["params"]]
            groups.append(packed)
        state = {
            index[id(p)]: copy.deepcopy(s) for p, s in self.state.items() if s and id(p) in index
        }
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Restore hyperparameters and buffers saved by :meth:`state_dict` (copies them).

        Everything is checked before anything changes: the groups and their parameter
        counts, every hyperparameter (of the kind this optimizer's defaults have, then
        the constructor's own validation: a negative ``lr``, bad ``betas`` ...), and every
        buffer (None, a number, or a numeric array of its parameter's shape).  A bad
        state dict raises ValueError (TypeError if it is not a mapping) and leaves the
        optimizer as it was.
        """
        groups, buffers = self._checked_layout(state_dict)
        saved = [self._checked_group(k, s) for k, s in enumerate(groups)]
        by_index: dict[int, Tensor] = {}
        for g, s in zip(self.param_groups, saved):
            for i, p in zip(s["params"], g["params"]):
                if by_index.get(i, p) is not p:  # (one parameter listed twice keeps one index)
                    raise self._bad(f"parameter index {i} names two parameters")
                by_index[i] = p
        state: dict[Tensor, dict] = {}
        for i, entry in buffers.items():
            idx = _index_of(i)
            p = by_index.get(idx) if idx is not None else None
            if p is None or not isinstance(entry, dict):
                raise self._bad(f"state {str(i)[:40]!r} is not the buffers of a parameter")
            state[p] = {self._key(k): self._restore(p, k, v) for k, v in entry.items()}
        for g, s in zip(self.param_groups, saved):
            s["params"] = g["params"]
        self.param_groups, self.state = saved, state

    def _bad(self, msg: str) -> ValueError:
        return ValueError(f"{type(self).__name__}.load_state_dict: {msg}")

    def _key(self, k: Any) -> str:
        if not isinstance(k, str):
            raise self._bad(f"a buffer name must be a string, not {str(k)[:40]!r}")
        return k

    def _checked_layout(self, state_dict: Any) -> tuple[list, dict]:
        """The saved groups and buffers, with as many groups and parameters as ours."""
        if not isinstance(state_dict, Mapping):
            raise TypeError(
                f"{type(self).__name__}.load_state_dict: expected the dict state_dict() "
                f"gives, got {type(state_dict).__name__}"
            )
        groups, buffers = state_dict.get("param_groups"), state_dict.get("state")
        if not isinstance(groups, (list, tuple)) or not isinstance(buffers, Mapping):
            raise self._bad("needs a 'param_groups' list and a 'state' dict")
        if len(groups) != len(self.param_groups):
            raise ValueError(
                f"{type(self).__name__}: the state dict has {len(groups)} parameter groups, "
                f"the optimizer {len(self.param_groups)}"
            )
        for g, s in zip(self.param_groups, groups):
            ids = s.get("params") if isinstance(s, Mapping) else None
            if not isinstance(ids, (list, tuple)) or not all(_is_index(i) for i in ids):
                raise self._bad("each parameter group needs a 'params' list of indices")
            if len(g["params"]) != len(ids):
                raise ValueError(
                    f"{type(self).__name__}: a saved parameter group has {len(ids)} "
                    f"parameters where the optimizer's has {len(g['params'])}"
                )
        return list(groups), dict(buffers)

    def _checked_group(self, k: int, group: Mapping) -> dict:
        """A copy of saved group ``k``, its hyperparameters checked as the constructor's."""
        out: dict[str, Any] = {}
        for key, value in group.items():
            if key == "params":
                out[key] = [_index_of(i) for i in value]
                continue
            if not isinstance(key, str) or not _plain(value):
                raise self._bad(f"param_groups[{k}][{str(key)[:40]!r}] is not plain data")
            out[key] = copy.deepcopy(value)
        for key, default in self.defaults.items():
            if key not in out:  # a checkpoint from before this hyperparameter existed
                out[key] = copy.deepcopy(default)
            elif not _same_kind(out[key], default):
                raise self._bad(
                    f"param_groups[{k}][{key!r}] is {str(out[key])[:40]!r}, not a "
                    f"{_kind_name(default)} like the default {default!r}"
                )
            elif isinstance(default, tuple):
                out[key] = tuple(out[key])  # (a list after a JSON round trip)
        try:
            self._validate(out)
        except (TypeError, KeyError, ValueError) as err:  # a value the checks cannot compare
            raise self._bad(f"param_groups[{k}]: {err}") from None
        return out

    def _restore(self, p: Tensor, key: str, value: Any) -> Any:
        """A copy of one buffer: None, a number, or a numeric array of ``p``'s shape (in
        ``p``'s dtype, as torch casts); anything else is refused."""
        if value is None or _is_real(value):
            return copy.deepcopy(value)
        if isinstance(value, Tensor):
            value = value.data
        if not isinstance(value, np.ndarray) or value.dtype.kind not in "biufc":
            raise self._bad(
                f"state {key!r} holds {type(value).__name__}"
                f"{'' if not isinstance(value, np.ndarray) else ' of ' + str(value.dtype)}, "
                f"not numbers"
            )
        if value.shape != p.shape and value.ndim == 0:
            return value[()]  # a counter such as 'step' (torch keeps it as a 0-d tensor)
        if value.shape != p.shape:
            raise self._bad(
                f"state {key!r} has shape {value.shape} but its parameter has shape {p.shape}"
            )
        if not np.can_cast(value.dtype, p.dtype, "same_kind"):
            raise self._bad(f"state {key!r} holds {value.dtype}, which {p.dtype} cannot hold")
        return np.array(value, dtype=p.dtype)  # a copy, in the parameter's dtype as torch casts


def _is_index(i: Any) -> bool:
    return _index_of(i) is not None


def _index_of(i: Any) -> int | None:
    """A parameter index: an int, or its decimal text (a JSON round trip's keys)."""
    if isinstance(i, (int, np.integer)) and not isinstance(i, (bool, np.bool_)):
        return int(i)
    if isinstance(i, str) and i.isdigit() and len(i) < 20:
        return int(i)
    return None


def _is_real(v: Any) -> bool:
    return isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(
        v, (bool, np.bool_)
    )


def _plain(v: Any, depth: int = 0) -> bool:
    """Numbers, bools, strings, None, and lists or tuples of them: what a group holds."""
    if v is None or isinstance(v, (bool, np.bool_, str)) or _is_real(v):
        return True
    if isinstance(v, (list, tuple)) and depth < 4 and len(v) <= 1 << 16:
        return all(_plain(x, depth + 1) for x in v)
    return False


def _same_kind(value: Any, default: Any) -> bool:
    """``value`` can stand where the constructor put ``default``."""
    if isinstance(default, (bool, np.bool_)):
        return isinstance(value, (bool, np.bool_))
    if _is_real(default):
        return _is_real(value)
    if isinstance(default, tuple):
        return (
            isinstance(value, (list, tuple))
            and len(value) == len(default)
            and all(_same_kind(v, d) for v, d in zip(value, default))
        )
    return True  # None or other defaults: the validation decides


def _kind_name(default: Any) -> str:
    if isinstance(default, (bool, np.bool_)):
        return "bool"
    if isinstance(default, tuple):
        return f"tuple of {len(default)}"
    return "number" if _is_real(default) else type(default).__name__
