"""The optimiser base class: parameter groups, state, ``state_dict``, closures."""

from __future__ import annotations

import copy
import warnings
from collections.abc import Callable, Iterable
from typing import Any

import numpy as np

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
        """Restore hyperparameters and buffers saved by :meth:`state_dict` (copies them)."""
        name = type(self).__name__
        saved = copy.deepcopy(state_dict["param_groups"])
        if len(saved) != len(self.param_groups):
            raise ValueError(
                f"{name}: the state dict has {len(saved)} parameter groups, the "
                f"optimizer {len(self.param_groups)}"
            )
        for g, s in zip(self.param_groups, saved):
            if len(g["params"]) != len(s["params"]):
                raise ValueError(
                    f"{name}: a saved parameter group has {len(s['params'])} "
                    f"parameters where the optimizer's has {len(g['params'])}"
                )
        by_index = {
            i: p for g, s in zip(self.param_groups, saved) for i, p in zip(s["params"], g["params"])
        }
        state: dict[Tensor, dict] = {}
        for i, buffers in state_dict["state"].items():
            p = by_index[int(i)]
            state[p] = {k: self._restore(p, k, v) for k, v in buffers.items()}
        for g, s in zip(self.param_groups, saved):
            s["params"] = g["params"]
        self.param_groups, self.state = saved, state

    def _restore(self, p: Tensor, key: str, value: Any) -> Any:
        if not isinstance(value, np.ndarray):
            return copy.deepcopy(value)
        if value.shape != p.shape:
            raise ValueError(
                f"{type(self).__name__}.load_state_dict: state {key!r} has shape "
                f"{value.shape} but its parameter has shape {p.shape}"
            )
        return np.array(value, dtype=p.dtype)  # a copy, in the parameter's dtype as torch casts
