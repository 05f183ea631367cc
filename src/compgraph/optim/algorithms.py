"""The update rules: SGD, Adam, AdamW, RMSprop, Adagrad (``torch.optim``'s formulas)."""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

import numpy as np

from ..autodiff.recording import mark_mutated
from ..tensor import Tensor
from .optimizer import Optimizer, _hyper

__all__ = ["SGD", "Adam", "AdamW", "RMSprop", "Adagrad"]


class SGD(Optimizer):
    """Stochastic gradient descent with momentum, dampening, weight decay and Nesterov.

    Defaults and formulas are ``torch.optim.SGD``'s (lr=1e-3 as in torch 2.x).
    """

    momentum = _hyper("momentum")
    dampening = _hyper("dampening")
    nesterov = _hyper("nesterov")

    def __init__(
        self,
        params: Iterable[Tensor] | Iterable[dict],
        lr: float = 1e-3,
        momentum: float = 0.0,
        dampening: float = 0.0,
        weight_decay: float = 0.0,
        nesterov: bool = False,
        *,
        maximize: bool = False,
    ):
        super().__init__(
            params,
            dict(
                lr=lr,
                momentum=momentum,
                dampening=dampening,
                weight_decay=weight_decay,
                nesterov=nesterov,
                maximize=maximize,
            ),
        )

    def _validate(self, group: dict[str, Any]) -> None:
        super()._validate(group)
        if not group["momentum"] >= 0:
            raise ValueError(f"SGD: invalid momentum {group['momentum']}")
        if group["nesterov"] and (group["momentum"] <= 0 or group["dampening"] != 0):
            raise ValueError("SGD: nesterov needs momentum > 0 and dampening 0")

    def _update(self, p: Tensor, g: np.ndarray, state: dict, group: dict) -> None:
        d = p.data
        mark_mutated(d)  # graphs recorded before this step may not use the old value
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
                buf += (1 - group["dampening"]) * g
            g = g + momentum * buf if group["nesterov"] else buf
        d -= lr * g


class Adam(Optimizer):
    """Adam (``torch.optim.Adam``): L2 weight decay added to the gradient unless
    ``decoupled_weight_decay`` (then it is AdamW)."""

    betas = _hyper("betas")
    eps = _hyper("eps")
    amsgrad = _hyper("amsgrad")
    decoupled_weight_decay = _hyper("decoupled_weight_decay")

    def __init__(
        self,
        params: Iterable[Tensor] | Iterable[dict],
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0.0,
        amsgrad: bool = False,
        *,
        maximize: bool = False,
        decoupled_weight_decay: bool = False,
    ):
        super().__init__(
            params,
            dict(
                lr=lr,
                betas=tuple(betas),
                eps=eps,
                weight_decay=weight_decay,
                amsgrad=amsgrad,
                maximize=maximize,
                decoupled_weight_decay=decoupled_weight_decay,
            ),
        )

    def _validate(self, group: dict[str, Any]) -> None:
        super()._validate(group)
        name = type(self).__name__
        if not group["eps"] >= 0:
            raise ValueError(f"{name}: invalid eps {group['eps']}")
        for i, b in enumerate(group["betas"]):
            if not 0 <= b < 1:
                raise ValueError(
                    f"{name}: invalid beta parameter at index {i}: {b} (must be in [0, 1))"
                )

    def _update(self, p: Tensor, g: np.ndarray, state: dict, group: dict) -> None:
        d = p.data
        mark_mutated(d)  # graphs recorded before this step may not use the old value
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
        denom = np.sqrt(v) / math.sqrt(1 - b2**t) + group["eps"]
        d -= (lr / (1 - b1**t)) * (m / denom)


class AdamW(Adam):
    """Adam with decoupled weight decay: ``p *= 1 - lr * wd`` before the Adam step."""

    def __init__(
        self,
        params: Iterable[Tensor] | Iterable[dict],
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0.01,
        amsgrad: bool = False,
        *,
        maximize: bool = False,
    ):
        super().__init__(
            params,
            lr,
            betas,
            eps,
            weight_decay,
            amsgrad,
            maximize=maximize,
            decoupled_weight_decay=True,
        )


class RMSprop(Optimizer):
    """RMSprop (``torch.optim.RMSprop``): divide by a running RMS of the gradient.

    ``square_avg`` is an exponential average (decay ``alpha``) of ``g*g``; ``centered``
    also tracks ``grad_avg`` and divides by the estimated standard deviation instead;
    ``momentum`` keeps a ``momentum_buffer`` of the scaled steps.  Defaults are torch's.

    >>> import compgraph as cg
    >>> w = cg.nn.Parameter([1.0, -2.0])
    >>> opt = cg.optim.RMSprop([w], lr=0.01)
    >>> w.grad = cg.tensor([0.5, -0.5])
    >>> opt.step()
    >>> w.data.round(4)
    array([ 0.9, -1.9])
    """

    alpha = _hyper("alpha")
    eps = _hyper("eps")
    momentum = _hyper("momentum")
    centered = _hyper("centered")

    def __init__(
        self,
        params: Iterable[Tensor] | Iterable[dict],
        lr: float = 1e-2,
        alpha: float = 0.99,
        eps: float = 1e-8,
        weight_decay: float = 0.0,
        momentum: float = 0.0,
        centered: bool = False,
        *,
        maximize: bool = False,
    ):
        super().__init__(
            params,
            dict(
                lr=lr,
                momentum=momentum,
                alpha=alpha,
                eps=eps,
                centered=centered,
                weight_decay=weight_decay,
                maximize=maximize,
            ),
        )

    def _validate(self, group: dict[str, Any]) -> None:
        super()._validate(group)
        for key in ("eps", "momentum", "alpha"):
            if not group[key] >= 0:
                raise ValueError(f"RMSprop: invalid {key} {group[key]}")

    def _update(self, p: Tensor, g: np.ndarray, state: dict, group: dict) -> None:
        d = p.data
        mark_mutated(d)  # graphs recorded before this step may not use the old value
        lr, alpha, momentum = group["lr"], group["alpha"], group["momentum"]
        if group["maximize"]:
            g = -g
        if group["weight_decay"]:
            g = g + group["weight_decay"] * d
        if not state:
            state["step"] = 0
            state["square_avg"] = np.zeros_like(d)
            if momentum > 0:
                state["momentum_buffer"] = np.zeros_like(d)
            if group["centered"]:
                state["grad_avg"] = np.zeros_like(d)
        state["step"] += 1
        sq = state["square_avg"]
        # One scratch array holds each temporary in turn (g*g, the denominator, the step):
        # g may alias the caller's gradient, so it is never written.
        tmp = np.empty_like(d)
        np.multiply(g, g, out=tmp)
        tmp *= 1 - alpha
        sq *= alpha
        sq += tmp
        if group["centered"]:
            ga = state.setdefault("grad_avg", np.zeros_like(d))
            np.subtract(g, ga, out=tmp)  # torch's lerp_(g, 1 - alpha)
            tmp *= 1 - alpha
            ga += tmp
            np.multiply(ga, ga, out=tmp)
            np.subtract(sq, tmp, out=tmp)
            np.sqrt(tmp, out=tmp)
        else:
            np.sqrt(sq, out=tmp)
        tmp += group["eps"]
        np.divide(g, tmp, out=tmp)
        if momentum > 0:
            # setdefault: momentum may have been switched on (e.g. by OneCycleLR) after the
            # state was made, where torch would raise KeyError.
            buf = state.setdefault("momentum_buffer", np.zeros_like(d))
            buf *= momentum
            buf += tmp
            tmp = buf
        d -= lr * tmp  # (tmp may be the momentum buffer: not scaled in place)


class Adagrad(Optimizer):
    """Adagrad (``torch.optim.Adagrad``): divide by the root of the summed squared gradients.

    The step size is ``lr / (1 + (step - 1) * lr_decay)``.  As torch, every parameter's
    ``sum`` (filled with ``initial_accumulator_value``) and ``step`` exist from construction,
    so a checkpoint holds them even for parameters that never had a gradient.  Unlike
    torch, a group's own ``initial_accumulator_value`` is honoured (torch fills every
    group's accumulator from the constructor's argument).

    >>> import compgraph as cg
    >>> w = cg.nn.Parameter([1.0, -2.0])
    >>> opt = cg.optim.Adagrad([w], lr=0.1)
    >>> w.grad = cg.tensor([0.5, -0.5])
    >>> opt.step()
    >>> w.data.round(4)
    array([ 0.9, -1.9])
    """

    lr_decay = _hyper("lr_decay")
    eps = _hyper("eps")
    initial_accumulator_value = _hyper("initial_accumulator_value")

    def __init__(
        self,
        params: Iterable[Tensor] | Iterable[dict],
        lr: float = 1e-2,
        lr_decay: float = 0.0,
        weight_decay: float = 0.0,
        initial_accumulator_value: float = 0.0,
        eps: float = 1e-10,
        *,
        maximize: bool = False,
    ):
        super().__init__(
            params,
            dict(
                lr=lr,
                lr_decay=lr_decay,
                eps=eps,
                weight_decay=weight_decay,
                initial_accumulator_value=initial_accumulator_value,
                maximize=maximize,
            ),
        )
        for group in self.param_groups:
            for p in group["params"]:
                self._init_state(p, self.state.setdefault(p, {}), group)

    def _validate(self, group: dict[str, Any]) -> None:
        super()._validate(group)
        for key in ("lr_decay", "initial_accumulator_value", "eps"):
            if not group[key] >= 0:
                raise ValueError(f"Adagrad: invalid {key} {group[key]}")

    @staticmethod
    def _init_state(p: Tensor, state: dict, group: dict) -> None:
        state["step"] = 0
        state["sum"] = np.full_like(p.data, group["initial_accumulator_value"])

    def _update(self, p: Tensor, g: np.ndarray, state: dict, group: dict) -> None:
        d = p.data
        mark_mutated(d)  # graphs recorded before this step may not use the old value
        if not state:  # a group added after construction, or a checkpoint without it
            self._init_state(p, state, group)
        state["step"] += 1
        if group["maximize"]:
            g = -g
        if group["weight_decay"]:
            g = g + group["weight_decay"] * d
        clr = group["lr"] / (1 + (state["step"] - 1) * group["lr_decay"])
        s = state["sum"]
        tmp = np.empty_like(d)  # scratch: g*g, then the denominator, then the step
        np.multiply(g, g, out=tmp)
        s += tmp
        np.sqrt(s, out=tmp)
        tmp += group["eps"]
        np.divide(g, tmp, out=tmp)
        d -= clr * tmp


# --------------------------------------------------------------------------- schedules
