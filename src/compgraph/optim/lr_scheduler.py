"""Learning-rate schedules (``torch.optim.lr_scheduler``): chainable where torch's are."""

from __future__ import annotations

import copy
import math
import types
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from .optimizer import Optimizer

__all__ = [
    "LRScheduler",
    "StepLR",
    "MultiStepLR",
    "ExponentialLR",
    "CosineAnnealingLR",
    "LambdaLR",
    "LinearLR",
    "OneCycleLR",
    "ReduceLROnPlateau",
]


class LRScheduler:
    """Base class of learning-rate schedules (``torch.optim.lr_scheduler.LRScheduler``).

    At construction each parameter group gets ``initial_lr`` (if absent) and the schedule
    takes its first step (epoch 0).  ``step()`` once per epoch sets every group's lr.
    Chainable schedules multiply the current lr, so several on one optimizer compose.
    """

    def __init__(self, optimizer: Optimizer, last_epoch: int = -1):
        if not isinstance(optimizer, Optimizer):
            raise TypeError(
                f"{type(self).__name__}: expected an Optimizer, got {type(optimizer).__name__}"
            )
        self.optimizer = optimizer
        for i, group in enumerate(optimizer.param_groups):
            if last_epoch == -1:
                group.setdefault("initial_lr", group["lr"])
            elif "initial_lr" not in group:
                raise KeyError(
                    f"{type(self).__name__}: resuming at last_epoch={last_epoch} "
                    f"needs 'initial_lr' in param_groups[{i}]; load the "
                    f"optimizer's state_dict first"
                )
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
        """Restore what :meth:`state_dict` saved.

        A key this schedule does not save is refused before anything changes: loading
        sets attributes, and must not add any (nor shadow a method, nor replace the
        optimizer).
        """
        self._check_keys(state_dict)
        self.__dict__.update(copy.deepcopy(dict(state_dict)))

    def _check_keys(self, state_dict: Any) -> None:
        """Refuse a state dict that is no mapping, or holds a key we do not save."""
        name = type(self).__name__
        if not isinstance(state_dict, Mapping):
            raise TypeError(
                f"{name}.load_state_dict: expected the dict state_dict() gives, got "
                f"{type(state_dict).__name__}"
            )
        known = set(self.state_dict())
        unknown = [k for k in state_dict if k not in known]
        if unknown:
            raise ValueError(
                f"{name}.load_state_dict: unknown key(s) "
                f"{', '.join(repr(k)[:40] for k in unknown[:10])}; a {name} saves "
                f"{', '.join(sorted(known))}"
            )


class StepLR(LRScheduler):
    """Multiply the learning rate by ``gamma`` every ``step_size`` epochs."""

    def __init__(
        self, optimizer: Optimizer, step_size: int, gamma: float = 0.1, last_epoch: int = -1
    ):
        self.step_size, self.gamma = step_size, gamma
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        """The current lrs, times ``gamma`` at multiples of ``step_size``."""
        if self.last_epoch == 0 or self.last_epoch % self.step_size:
            return self._lrs()
        return [lr * self.gamma for lr in self._lrs()]


class MultiStepLR(LRScheduler):
    """Multiply the learning rate by ``gamma`` at each epoch listed in ``milestones``."""

    def __init__(
        self,
        optimizer: Optimizer,
        milestones: Iterable[int],
        gamma: float = 0.1,
        last_epoch: int = -1,
    ):
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

    def __init__(
        self, optimizer: Optimizer, T_max: int, eta_min: float = 0.0, last_epoch: int = -1
    ):
        self.T_max, self.eta_min = T_max, eta_min
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        """One step of the cosine recursion from the current lrs."""
        t, T, lo = self.last_epoch, self.T_max, self.eta_min
        if self._initial:
            return self._lrs()
        if (t - 1 - T) % (2 * T) == 0:
            # Leaving the trough, where the ratio below would divide by zero.
            return [
                lr + (base - lo) * (1 - math.cos(math.pi / T)) / 2
                for lr, base in zip(self._lrs(), self.base_lrs)
            ]
        ratio = (1 + math.cos(math.pi * t / T)) / (1 + math.cos(math.pi * (t - 1) / T))
        return [ratio * (lr - lo) + lo for lr in self._lrs()]


class LambdaLR(LRScheduler):
    """The initial rate times ``lr_lambda(epoch)`` (one function, or a list: one per group).

    Applied at construction too, so the lr starts at ``initial_lr * lr_lambda(0)``.
    ``fn=`` is accepted as an older name for ``lr_lambda``.
    """

    def __init__(
        self,
        optimizer: Optimizer,
        lr_lambda: Callable[[int], float] | list[Callable[[int], float]] | None = None,
        last_epoch: int = -1,
        *,
        fn: Callable[[int], float] | None = None,
    ):
        if (lr_lambda is None) == (fn is None):
            raise TypeError("LambdaLR: pass exactly one of lr_lambda (or its old name fn)")
        f = lr_lambda if fn is None else fn
        assert f is not None  # exactly one of them was given
        n = len(optimizer.param_groups)
        self.lr_lambdas = list(f) if isinstance(f, (list, tuple)) else [f] * n
        if len(self.lr_lambdas) != n:
            raise ValueError(
                f"LambdaLR: expected {n} lr_lambdas (one per parameter group), "
                f"got {len(self.lr_lambdas)}"
            )
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        """``base_lr * lr_lambda(last_epoch)`` for each group."""
        return [base * f(self.last_epoch) for f, base in zip(self.lr_lambdas, self.base_lrs)]

    def state_dict(self) -> dict[str, Any]:
        """As the base class, but functions are not saved (callable objects' attributes are)."""
        out = {
            k: copy.deepcopy(v)
            for k, v in self.__dict__.items()
            if k not in ("optimizer", "lr_lambdas")
        }
        out["lr_lambdas"] = [
            None
            if isinstance(f, types.FunctionType)
            else copy.deepcopy(getattr(f, "__dict__", None))
            for f in self.lr_lambdas
        ]
        return out

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Restore what :meth:`state_dict` saved, keeping this schedule's functions
        (everything is checked first: a bad state changes nothing)."""
        self._check_keys(state_dict)
        saved = state_dict.get("lr_lambdas", [])
        if not isinstance(saved, (list, tuple)) or len(saved) > len(self.lr_lambdas):
            raise ValueError("LambdaLR.load_state_dict: lr_lambdas must be a list, one per group")
        for f, attrs in zip(self.lr_lambdas, saved):
            ok = attrs is None or (
                isinstance(attrs, dict)
                and all(isinstance(k, str) for k in attrs)
                and hasattr(f, "__dict__")
            )
            if not ok:
                raise ValueError(
                    f"LambdaLR.load_state_dict: bad saved attributes of a lr_lambda: "
                    f"{str(attrs)[:80]}"
                )
        super().load_state_dict({k: v for k, v in state_dict.items() if k != "lr_lambdas"})
        for f, attrs in zip(self.lr_lambdas, saved):
            if attrs is not None:
                f.__dict__.update(copy.deepcopy(attrs))


class LinearLR(LRScheduler):
    """Scale the learning rate linearly from ``start_factor`` to ``end_factor`` times the
    initial one over ``total_iters`` epochs, then leave it (chainable, as torch's).

    >>> import compgraph as cg
    >>> opt = cg.optim.SGD([cg.nn.Parameter([0.0])], lr=0.3)
    >>> s = cg.optim.LinearLR(opt, start_factor=0.5, total_iters=2)
    >>> [round(lr, 4) for lr in [opt.lr, s.step(), s.step(), s.step()]]
    [0.15, 0.225, 0.3, 0.3]
    """

    def __init__(
        self,
        optimizer: Optimizer,
        start_factor: float = 1.0 / 3,
        end_factor: float = 1.0,
        total_iters: int = 5,
        last_epoch: int = -1,
    ):
        if not 0 < start_factor <= 1:
            raise ValueError(f"LinearLR: start_factor must be in (0, 1], got {start_factor}")
        if not 0 <= end_factor <= 1:
            raise ValueError(f"LinearLR: end_factor must be in [0, 1], got {end_factor}")
        self.start_factor, self.end_factor = start_factor, end_factor
        self.total_iters = total_iters
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        """The current lrs times the ratio of this epoch's factor to the previous one."""
        t, s, e = self.last_epoch, self.start_factor, self.end_factor
        if t == 0:
            return [lr * s for lr in self._lrs()]
        if self._initial or t > self.total_iters:
            return self._lrs()
        # factor(t) / factor(t-1) in torch's algebraic form, so results agree to the bit.
        ratio = 1.0 + (e - s) / (self.total_iters * s + (t - 1) * (e - s))
        return [lr * ratio for lr in self._lrs()]


def _per_group(name: str, optimizer: Optimizer, value: float | list[float]) -> list[float]:
    n = len(optimizer.param_groups)
    if isinstance(value, (list, tuple)):
        if len(value) != n:
            raise ValueError(
                f"{name} must have one value per parameter group ({n}), got {len(value)}"
            )
        return list(value)
    return [value] * n


class OneCycleLR(LRScheduler):
    """The 1cycle policy (``torch.optim.lr_scheduler.OneCycleLR``); step once per batch.

    The lr anneals from ``max_lr / div_factor`` up to ``max_lr`` over the first
    ``pct_start`` of ``total_steps`` (or ``epochs * steps_per_epoch``), then down to
    ``initial_lr / final_div_factor``; ``three_phase`` comes back to the initial lr first.
    ``anneal_strategy`` is ``"cos"`` or ``"linear"``.  With ``cycle_momentum`` the
    momentum (SGD, RMSprop) or beta1 (Adam) moves inversely between ``max_momentum`` and
    ``base_momentum``.  Not chainable: it sets absolute values from its group entries.

    >>> import compgraph as cg
    >>> opt = cg.optim.SGD([cg.nn.Parameter([0.0])], lr=0.1)
    >>> s = cg.optim.OneCycleLR(opt, max_lr=1.0, total_steps=4)
    >>> [round(lr, 5) for lr in [opt.lr, s.step(), s.step(), s.step()]]
    [0.04, 0.81175, 0.28306, 0.0]
    """

    def __init__(
        self,
        optimizer: Optimizer,
        max_lr: float | list[float],
        total_steps: int | None = None,
        epochs: int | None = None,
        steps_per_epoch: int | None = None,
        pct_start: float = 0.3,
        anneal_strategy: str = "cos",
        cycle_momentum: bool = True,
        base_momentum: float | list[float] = 0.85,
        max_momentum: float | list[float] = 0.95,
        div_factor: float = 25.0,
        final_div_factor: float = 1e4,
        three_phase: bool = False,
        last_epoch: int = -1,
    ):
        if not isinstance(optimizer, Optimizer):
            raise TypeError(f"OneCycleLR: expected an Optimizer, got {type(optimizer).__name__}")
        if total_steps is not None:
            if not isinstance(total_steps, int) or total_steps <= 0:
                raise ValueError(
                    f"OneCycleLR: total_steps must be a positive int, got {total_steps}"
                )
        elif epochs is not None and steps_per_epoch is not None:
            for key, v in (("epochs", epochs), ("steps_per_epoch", steps_per_epoch)):
                if not isinstance(v, int) or v <= 0:
                    raise ValueError(f"OneCycleLR: {key} must be a positive int, got {v}")
            total_steps = epochs * steps_per_epoch
        else:
            raise ValueError("OneCycleLR: pass total_steps, or both epochs and steps_per_epoch")
        if not 0 <= pct_start <= 1:
            raise ValueError(f"OneCycleLR: pct_start must be in [0, 1], got {pct_start}")
        if anneal_strategy not in ("cos", "linear"):
            raise ValueError(
                f"OneCycleLR: anneal_strategy must be 'cos' or 'linear', got {anneal_strategy!r}"
            )
        self.total_steps, self.anneal_strategy = total_steps, anneal_strategy
        # Phases: (last step, lr key from, lr key to, momentum key from, to); the keys name
        # entries of each parameter group, so per-group values and checkpoints come free.
        up = float(pct_start * total_steps) - 1
        if three_phase:
            self._phases = [
                (up, "initial_lr", "max_lr", "max_momentum", "base_momentum"),
                (
                    float(2 * pct_start * total_steps) - 2,
                    "max_lr",
                    "initial_lr",
                    "base_momentum",
                    "max_momentum",
                ),
                (total_steps - 1, "initial_lr", "min_lr", "max_momentum", "max_momentum"),
            ]
        else:
            self._phases = [
                (up, "initial_lr", "max_lr", "max_momentum", "base_momentum"),
                (total_steps - 1, "max_lr", "min_lr", "base_momentum", "max_momentum"),
            ]
        groups = optimizer.param_groups
        if last_epoch == -1:
            for group, top in zip(groups, _per_group("max_lr", optimizer, max_lr)):
                group["initial_lr"] = top / div_factor
                group["max_lr"] = top
                group["min_lr"] = group["initial_lr"] / final_div_factor
        self.cycle_momentum = cycle_momentum
        if cycle_momentum:
            if "momentum" not in optimizer.defaults and "betas" not in optimizer.defaults:
                raise ValueError(
                    f"OneCycleLR: cycle_momentum needs an optimizer with momentum "
                    f"or betas, not {type(optimizer).__name__}"
                )
            self.use_beta1 = "betas" in optimizer.defaults
            if last_epoch == -1:
                # The first step (in super().__init__) sets the momentum itself.
                for group, hi, lo in zip(
                    groups,
                    _per_group("max_momentum", optimizer, max_momentum),
                    _per_group("base_momentum", optimizer, base_momentum),
                ):
                    group["max_momentum"], group["base_momentum"] = hi, lo
        super().__init__(optimizer, last_epoch)

    def _anneal(self, start: float, end: float, pct: float) -> float:
        if self.anneal_strategy == "cos":
            return end + (start - end) / 2.0 * (math.cos(math.pi * pct) + 1)
        return (end - start) * pct + start

    def get_lr(self) -> list[float]:
        """Each group's lr for step ``last_epoch``; also sets its momentum when cycling."""
        t = self.last_epoch
        if t > self.total_steps:
            raise ValueError(
                f"OneCycleLR: stepped {t} times, but total_steps is {self.total_steps}"
            )
        start = 0.0
        for i, phase in enumerate(self._phases):
            if t <= phase[0] or i == len(self._phases) - 1:
                break
            start = phase[0]
        end, lr0, lr1, m0, m1 = phase
        pct = (t - start) / (end - start)
        lrs = []
        for group in self.optimizer.param_groups:
            lrs.append(self._anneal(group[lr0], group[lr1], pct))
            if self.cycle_momentum:
                m = self._anneal(group[m0], group[m1], pct)
                if self.use_beta1:
                    group["betas"] = (m, *group["betas"][1:])
                else:
                    group["momentum"] = m
        return lrs


class ReduceLROnPlateau(LRScheduler):
    """Multiply the lr by ``factor`` when a metric has not improved for ``patience`` epochs.

    As ``torch.optim.lr_scheduler.ReduceLROnPlateau``: ``step(metric)`` once per epoch.
    Improvement means beating the best value by ``threshold`` (relative: ``best * (1 -
    threshold)`` in ``"min"`` mode, ``best * (1 + threshold)`` in ``"max"``; ``"abs"``:
    ``best -/+ threshold``).  After a reduction ``cooldown`` epochs pass before bad epochs
    count again; lrs never go below ``min_lr`` (one value or one per group), and changes
    smaller than ``eps`` are skipped.  Its state dict has torch's keys.

    >>> import compgraph as cg
    >>> opt = cg.optim.SGD([cg.nn.Parameter([0.0])], lr=1.0)
    >>> s = cg.optim.ReduceLROnPlateau(opt, patience=1, factor=0.5)
    >>> [s.step(loss) for loss in [3.0, 2.0, 2.0, 2.0, 1.0]]
    [1.0, 1.0, 1.0, 0.5, 0.5]
    """

    def __init__(
        self,
        optimizer: Optimizer,
        mode: str = "min",
        factor: float = 0.1,
        patience: int = 10,
        threshold: float = 1e-4,
        threshold_mode: str = "rel",
        cooldown: int = 0,
        min_lr: float | list[float] = 0.0,
        eps: float = 1e-8,
    ):
        # No super().__init__: this schedule sets no initial_lr and takes no first step.
        if not isinstance(optimizer, Optimizer):
            raise TypeError(
                f"ReduceLROnPlateau: expected an Optimizer, got {type(optimizer).__name__}"
            )
        if factor >= 1.0:
            raise ValueError(f"ReduceLROnPlateau: factor must be < 1, got {factor}")
        if mode not in ("min", "max"):
            raise ValueError(f"ReduceLROnPlateau: mode must be 'min' or 'max', got {mode!r}")
        if threshold_mode not in ("rel", "abs"):
            raise ValueError(
                f"ReduceLROnPlateau: threshold_mode must be 'rel' or 'abs', got {threshold_mode!r}"
            )
        self.optimizer = optimizer
        self.factor, self.patience, self.cooldown, self.eps = factor, patience, cooldown, eps
        self.default_min_lr = None if isinstance(min_lr, (list, tuple)) else min_lr
        self.min_lrs = _per_group("min_lr", optimizer, min_lr)
        self.mode, self.threshold, self.threshold_mode = mode, threshold, threshold_mode
        self.mode_worse = math.inf if mode == "min" else -math.inf
        self.last_epoch = 0
        self._last_lr = self._lrs()
        self._reset()

    def _reset(self) -> None:
        self.best = self.mode_worse
        self.cooldown_counter = 0
        self.num_bad_epochs = 0

    @property
    def in_cooldown(self) -> bool:
        """Whether bad epochs are being ignored after a reduction."""
        return self.cooldown_counter > 0

    def _is_better(self, a: float, best: float) -> bool:
        rel = self.threshold_mode == "rel"
        if self.mode == "min":
            return a < (best * (1.0 - self.threshold) if rel else best - self.threshold)
        return a > (best * (self.threshold + 1.0) if rel else best + self.threshold)

    def step(self, metrics: Any) -> float:  # type: ignore[override]
        """Record one epoch's metric (a float or 0-d tensor), reducing the lr on a plateau;
        returns group 0's lr (torch returns None)."""
        current = float(metrics)
        self.last_epoch += 1
        if self._is_better(current, self.best):
            self.best, self.num_bad_epochs = current, 0
        else:
            self.num_bad_epochs += 1
        if self.cooldown_counter > 0:
            self.cooldown_counter -= 1
            self.num_bad_epochs = 0  # bad epochs during the cooldown do not count
        if self.num_bad_epochs > self.patience:
            self._reduce_lr()
            self.cooldown_counter, self.num_bad_epochs = self.cooldown, 0
        self._last_lr = self._lrs()
        return self._last_lr[0]

    def _reduce_lr(self) -> None:
        groups = self.optimizer.param_groups
        if len(groups) != len(self.min_lrs):
            if self.default_min_lr is None:
                raise RuntimeError(
                    f"ReduceLROnPlateau: the optimizer has {len(groups)} "
                    f"parameter groups but min_lrs has {len(self.min_lrs)} "
                    f"(a group was added?); set min_lrs to match"
                )
            self.min_lrs = [self.default_min_lr] * len(groups)
        for group, floor in zip(groups, self.min_lrs):
            old = float(group["lr"])
            new = max(old * self.factor, floor)
            if old - new > self.eps:
                group["lr"] = new


# --------------------------------------------------------------------------- clipping
