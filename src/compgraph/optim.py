"""Optimisers (SGD, Adam, AdamW), learning-rate schedules and gradient clipping.

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
from __future__ import annotations

import copy
import math
import types
import warnings
from collections import Counter
from typing import Any, Callable, Iterable

import numpy as np

from .grad_mode import enable_grad
from .nn.module import Parameter
from .ops.blas import axpy
from .tensor import Tensor

__all__ = ["Optimizer", "SGD", "Adam", "AdamW", "LRScheduler", "StepLR", "MultiStepLR",
           "ExponentialLR", "CosineAnnealingLR", "LambdaLR", "clip_grad_norm_"]


def _hyper(name: str) -> property:
    """``opt.<name>``: reads parameter group 0, writes every group (validated first)."""
    def get(self: "Optimizer") -> Any:
        return self.param_groups[0][name]

    def put(self: "Optimizer", value: Any) -> None:
        for group in self.param_groups:
            self._validate({**group, name: value})
        for group in self.param_groups:
            group[name] = value

    return property(get, put, doc=f"The ``{name}`` of parameter group 0; setting it sets "
                                  f"every group's.")


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
            raise TypeError(f"{name}: params must be an ordered iterable (a list) of Tensors or "
                            f"of dicts, got {type(params).__name__}")
        self._validate(defaults)  # as torch: bad defaults fail even if every group overrides them
        self.defaults = dict(defaults)
        self.state: dict[Tensor, dict] = {}
        self.param_groups: list[dict] = []
        groups = list(params)
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
            raise TypeError(f"{name}: a parameter group must be a dict, got "
                            f"{type(param_group).__name__}")
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
            warnings.warn(f"{name}: a parameter group holds the same parameter twice; it will "
                          f"be updated twice per step", stacklevel=2)
        taken = {id(p) for g in self.param_groups for p in g["params"]}
        if taken.intersection(ids):
            raise ValueError(f"{name}: some parameters appear in more than one parameter group")
        self.param_groups.append(group)

    def _check_param(self, p: Any) -> None:
        name = type(self).__name__
        if not isinstance(p, Tensor):
            raise TypeError(f"{name}: can only optimize Tensors (e.g. cg.nn.Parameter), but one "
                            f"of the params is a {type(p).__name__}")
        if not p.is_leaf:
            raise TypeError(f"{name}: can't optimize a non-leaf Tensor (the output of "
                            f"{p.op}); pass the leaf parameters")
        # Frozen Parameters are fine (torch skips them: no grad); a plain tensor that never
        # required grad is almost always a forgotten requires_grad=True, so say so.
        if not p.requires_grad and not isinstance(p, Parameter):
            raise TypeError(f"{name}: got a Tensor that does not require grad; pass "
                            f"cg.nn.Parameter objects or tensors made with requires_grad=True")

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
        state = {index[id(p)]: copy.deepcopy(s) for p, s in self.state.items()
                 if s and id(p) in index}
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Restore hyperparameters and buffers saved by :meth:`state_dict` (copies them)."""
        name = type(self).__name__
        saved = copy.deepcopy(state_dict["param_groups"])
        if len(saved) != len(self.param_groups):
            raise ValueError(f"{name}: the state dict has {len(saved)} parameter groups, the "
                             f"optimizer {len(self.param_groups)}")
        for g, s in zip(self.param_groups, saved):
            if len(g["params"]) != len(s["params"]):
                raise ValueError(f"{name}: a saved parameter group has {len(s['params'])} "
                                 f"parameters where the optimizer's has {len(g['params'])}")
        by_index = {i: p for g, s in zip(self.param_groups, saved)
                    for i, p in zip(s["params"], g["params"])}
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
            raise ValueError(f"{type(self).__name__}.load_state_dict: state {key!r} has shape "
                             f"{value.shape} but its parameter has shape {p.shape}")
        return np.array(value, dtype=p.dtype)  # a copy, in the parameter's dtype as torch casts


class SGD(Optimizer):
    """Stochastic gradient descent with momentum, dampening, weight decay and Nesterov.

    Defaults and formulas are ``torch.optim.SGD``'s (lr=1e-3 as in torch 2.x).
    """

    momentum = _hyper("momentum")
    dampening = _hyper("dampening")
    nesterov = _hyper("nesterov")

    def __init__(self, params: Iterable[Tensor] | Iterable[dict], lr: float = 1e-3,
                 momentum: float = 0.0, dampening: float = 0.0, weight_decay: float = 0.0,
                 nesterov: bool = False, *, maximize: bool = False):
        super().__init__(params, dict(lr=lr, momentum=momentum, dampening=dampening,
                                      weight_decay=weight_decay, nesterov=nesterov,
                                      maximize=maximize))

    def _validate(self, group: dict[str, Any]) -> None:
        super()._validate(group)
        if not group["momentum"] >= 0:
            raise ValueError(f"SGD: invalid momentum {group['momentum']}")
        if group["nesterov"] and (group["momentum"] <= 0 or group["dampening"] != 0):
            raise ValueError("SGD: nesterov needs momentum > 0 and dampening 0")

    def _update(self, p: Tensor, g: np.ndarray, state: dict, group: dict) -> None:
        d = p.data
        lr, wd, momentum = group["lr"], group["weight_decay"], group["momentum"]
        if group["maximize"]:
            g = -g
        if wd:
            g = g + wd * d
        if momentum:
            buf = state.get("momentum_buffer")
            if buf is None:
                buf = state["momentum_buffer"] = np.array(g, copy=True)
            else:
                buf *= momentum
                if not axpy(1 - group["dampening"], g, buf):
                    buf += (1 - group["dampening"]) * g
            g = g + momentum * buf if group["nesterov"] else buf
        # One BLAS pass (torch's p.add_(g, alpha=-lr)); NumPy needs a temporary and two.
        if not axpy(-lr, g, d):
            d -= lr * g


class Adam(Optimizer):
    """Adam (``torch.optim.Adam``): L2 weight decay added to the gradient unless
    ``decoupled_weight_decay`` (then it is AdamW)."""

    betas = _hyper("betas")
    eps = _hyper("eps")
    amsgrad = _hyper("amsgrad")
    decoupled_weight_decay = _hyper("decoupled_weight_decay")

    def __init__(self, params: Iterable[Tensor] | Iterable[dict], lr: float = 1e-3,
                 betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0.0, amsgrad: bool = False, *, maximize: bool = False,
                 decoupled_weight_decay: bool = False):
        super().__init__(params, dict(lr=lr, betas=tuple(betas), eps=eps,
                                      weight_decay=weight_decay, amsgrad=amsgrad,
                                      maximize=maximize,
                                      decoupled_weight_decay=decoupled_weight_decay))

    def _validate(self, group: dict[str, Any]) -> None:
        super()._validate(group)
        name = type(self).__name__
        if not group["eps"] >= 0:
            raise ValueError(f"{name}: invalid eps {group['eps']}")
        for i, b in enumerate(group["betas"]):
            if not 0 <= b < 1:
                raise ValueError(f"{name}: invalid beta parameter at index {i}: {b} "
                                 f"(must be in [0, 1))")

    def _update(self, p: Tensor, g: np.ndarray, state: dict, group: dict) -> None:
        d = p.data
        lr, wd, (b1, b2) = group["lr"], group["weight_decay"], group["betas"]
        if group["maximize"]:
            g = -g
        if wd:
            if group["decoupled_weight_decay"]:
                d *= 1 - lr * wd
            else:
                g = g + wd * d
        if not state:
            state["step"] = 0
            state["exp_avg"] = np.zeros_like(d)
            state["exp_avg_sq"] = np.zeros_like(d)
        state["step"] += 1
        t = state["step"]
        m, v = state["exp_avg"], state["exp_avg_sq"]
        m += (1 - b1) * (g - m)  # torch's lerp_
        v *= b2
        v += (1 - b2) * g * g
        if group["amsgrad"]:
            vmax = state.setdefault("max_exp_avg_sq", np.zeros_like(d))
            np.maximum(vmax, v, out=vmax)
            v = vmax
        denom = np.sqrt(v) / math.sqrt(1 - b2 ** t) + group["eps"]
        d -= (lr / (1 - b1 ** t)) * (m / denom)


class AdamW(Adam):
    """Adam with decoupled weight decay: ``p *= 1 - lr * wd`` before the Adam step."""

    def __init__(self, params: Iterable[Tensor] | Iterable[dict], lr: float = 1e-3,
                 betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0.01, amsgrad: bool = False, *, maximize: bool = False):
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad, maximize=maximize,
                         decoupled_weight_decay=True)


# --------------------------------------------------------------------------- schedules
class LRScheduler:
    """Base class of learning-rate schedules (``torch.optim.lr_scheduler.LRScheduler``).

    At construction each parameter group gets ``initial_lr`` (if absent) and the schedule
    takes its first step (epoch 0).  ``step()`` once per epoch sets every group's lr.
    Chainable schedules multiply the current lr, so several on one optimizer compose.
    """

    def __init__(self, optimizer: Optimizer, last_epoch: int = -1):
        if not isinstance(optimizer, Optimizer):
            raise TypeError(f"{type(self).__name__}: expected an Optimizer, got "
                            f"{type(optimizer).__name__}")
        self.optimizer = optimizer
        for i, group in enumerate(optimizer.param_groups):
            if last_epoch == -1:
                group.setdefault("initial_lr", group["lr"])
            elif "initial_lr" not in group:
                raise KeyError(f"{type(self).__name__}: resuming at last_epoch={last_epoch} "
                               f"needs 'initial_lr' in param_groups[{i}]; load the "
                               f"optimizer's state_dict first")
        self.base_lrs = [group["initial_lr"] for group in optimizer.param_groups]
        self.last_epoch = last_epoch
        self._initial = True  # the constructor's step keeps chainable schedules' lrs
        self.step()
        self._initial = False

    def step(self) -> float:
        """Advance one epoch, set every group's lr; returns group 0's (torch returns None)."""
        self.last_epoch += 1
        for group, lr in zip(self.optimizer.param_groups, self.get_lr()):
            group["lr"] = lr
        self._last_lr = [group["lr"] for group in self.optimizer.param_groups]
        return self._last_lr[0]

    def get_lr(self) -> list[float]:
        """The lrs for epoch ``last_epoch`` (called by ``step``; use ``get_last_lr`` to read)."""
        raise NotImplementedError

    def get_last_lr(self) -> list[float]:
        """The lr of every parameter group after the latest ``step``."""
        return list(self._last_lr)

    def _lrs(self) -> list[float]:
        return [group["lr"] for group in self.optimizer.param_groups]

    def state_dict(self) -> dict[str, Any]:
        """Everything but the optimizer (copies)."""
        return {k: copy.deepcopy(v) for k, v in self.__dict__.items() if k != "optimizer"}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Restore what :meth:`state_dict` saved."""
        self.__dict__.update(copy.deepcopy(state_dict))


class StepLR(LRScheduler):
    """Multiply the learning rate by ``gamma`` every ``step_size`` epochs."""

    def __init__(self, optimizer: Optimizer, step_size: int, gamma: float = 0.1,
                 last_epoch: int = -1):
        self.step_size, self.gamma = step_size, gamma
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        """The current lrs, times ``gamma`` at multiples of ``step_size``."""
        if self.last_epoch == 0 or self.last_epoch % self.step_size:
            return self._lrs()
        return [lr * self.gamma for lr in self._lrs()]


class MultiStepLR(LRScheduler):
    """Multiply the learning rate by ``gamma`` at each epoch listed in ``milestones``."""

    def __init__(self, optimizer: Optimizer, milestones: Iterable[int], gamma: float = 0.1,
                 last_epoch: int = -1):
        self.milestones = Counter(milestones)  # a milestone listed twice decays twice
        self.gamma = gamma
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        """The current lrs, times ``gamma`` (per listing) at a milestone."""
        if self.last_epoch not in self.milestones:
            return self._lrs()
        return [lr * self.gamma ** self.milestones[self.last_epoch] for lr in self._lrs()]


class ExponentialLR(LRScheduler):
    """Multiply the learning rate by ``gamma`` every epoch."""

    def __init__(self, optimizer: Optimizer, gamma: float, last_epoch: int = -1):
        self.gamma = gamma
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        """The current lrs times ``gamma``."""
        if self._initial:
            return self._lrs()
        return [lr * self.gamma for lr in self._lrs()]


class CosineAnnealingLR(LRScheduler):
    """Cosine from the initial rate down to ``eta_min`` over ``T_max`` epochs, then back up.

    torch's recursive form: it tracks ``eta_min + (base - eta_min)(1 + cos(pi t/T_max))/2``
    while the lr is left alone, and composes with other schedules and manual changes.
    """

    def __init__(self, optimizer: Optimizer, T_max: int, eta_min: float = 0.0,
                 last_epoch: int = -1):
        self.T_max, self.eta_min = T_max, eta_min
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        """One step of the cosine recursion from the current lrs."""
        t, T, lo = self.last_epoch, self.T_max, self.eta_min
        if self._initial:
            return self._lrs()
        if (t - 1 - T) % (2 * T) == 0:
            # Leaving the trough, where the ratio below would divide by zero.
            return [lr + (base - lo) * (1 - math.cos(math.pi / T)) / 2
                    for lr, base in zip(self._lrs(), self.base_lrs)]
        ratio = (1 + math.cos(math.pi * t / T)) / (1 + math.cos(math.pi * (t - 1) / T))
        return [ratio * (lr - lo) + lo for lr in self._lrs()]


class LambdaLR(LRScheduler):
    """The initial rate times ``lr_lambda(epoch)`` (one function, or a list: one per group).

    Applied at construction too, so the lr starts at ``initial_lr * lr_lambda(0)``.
    ``fn=`` is accepted as an older name for ``lr_lambda``.
    """

    def __init__(self, optimizer: Optimizer,
                 lr_lambda: Callable[[int], float] | list[Callable[[int], float]] | None = None,
                 last_epoch: int = -1, *, fn: Callable[[int], float] | None = None):
        if (lr_lambda is None) == (fn is None):
            raise TypeError("LambdaLR: pass exactly one of lr_lambda (or its old name fn)")
        f = lr_lambda if fn is None else fn
        n = len(optimizer.param_groups)
        self.lr_lambdas = list(f) if isinstance(f, (list, tuple)) else [f] * n
        if len(self.lr_lambdas) != n:
            raise ValueError(f"LambdaLR: expected {n} lr_lambdas (one per parameter group), "
                             f"got {len(self.lr_lambdas)}")
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        """``base_lr * lr_lambda(last_epoch)`` for each group."""
        return [base * f(self.last_epoch) for f, base in zip(self.lr_lambdas, self.base_lrs)]

    def state_dict(self) -> dict[str, Any]:
        """As the base class, but functions are not saved (callable objects' attributes are)."""
        out = {k: copy.deepcopy(v) for k, v in self.__dict__.items()
               if k not in ("optimizer", "lr_lambdas")}
        out["lr_lambdas"] = [None if isinstance(f, types.FunctionType)
                             else copy.deepcopy(getattr(f, "__dict__", None))
                             for f in self.lr_lambdas]
        return out

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Restore what :meth:`state_dict` saved, keeping this schedule's functions."""
        state = {k: v for k, v in state_dict.items() if k != "lr_lambdas"}
        super().load_state_dict(state)
        for f, saved in zip(self.lr_lambdas, state_dict.get("lr_lambdas", ())):
            if saved is not None:
                f.__dict__.update(copy.deepcopy(saved))


# --------------------------------------------------------------------------- clipping
def clip_grad_norm_(parameters: Tensor | Iterable[Tensor], max_norm: float,
                    norm_type: float = 2.0, error_if_nonfinite: bool = False) -> float:
    """Scale gradients in place so their total ``norm_type`` norm is at most ``max_norm``.

    As ``torch.nn.utils.clip_grad_norm_``: parameters without a gradient are skipped, the
    total norm is the norm of the per-gradient norms (``inf``: the largest magnitude),
    and every gradient array is multiplied by ``min(max_norm / (total + 1e-6), 1)``; a
    nan/inf total makes that factor non-finite too, unless ``error_if_nonfinite`` raises
    RuntimeError first.  Returns the total norm before clipping as a Python float
    (torch returns a 0-d tensor), computed in float64.

    >>> import compgraph as cg
    >>> p = cg.nn.Parameter([0.0, 0.0])
    >>> p.grad = cg.tensor([3.0, 4.0])
    >>> cg.optim.clip_grad_norm_(p, 1.0)
    5.0
    """
    params = [parameters] if isinstance(parameters, Tensor) else list(parameters)
    grads = [p.grad for p in params if p.grad is not None]
    max_norm, norm_type = float(max_norm), float(norm_type)
    if not grads:
        return 0.0
    # Empty arrays add nothing to any p-norm (and np.linalg.norm rejects them for inf).
    flat = [g.data.reshape(-1).astype(np.float64, copy=False) for g in grads]
    norms = [np.linalg.norm(a, norm_type) for a in flat if a.size]
    total = float(np.linalg.norm(np.array(norms), norm_type)) if norms else 0.0
    if error_if_nonfinite and not math.isfinite(total):
        raise RuntimeError(f"clip_grad_norm_: the total norm of order {norm_type} of the "
                           f"gradients is non-finite ({total}), so it cannot be clipped; pass "
                           f"error_if_nonfinite=False to scale them by it anyway")
    coef = max_norm / (total + 1e-6)
    if coef > 1.0:  # written this way so a nan coefficient is kept, as torch.clamp does
        coef = 1.0
    if coef == 1.0:
        return total  # x * 1.0 == x exactly: skip the passes
    with np.errstate(invalid="ignore"):  # inf * 0 -> nan is what torch gives too
        for g in grads:
            arr = g.data
            if arr.flags.writeable:
                arr *= coef  # in place, the same array objects (torch's mul_)
            else:
                g.data = arr * coef
    return total
