"""``gradcheck``: reverse-mode gradients against central finite differences, in float64."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from .autodiff.engine import grad
from .grad_mode import no_grad
from .tensor import Tensor

__all__ = ["gradcheck", "GradcheckError"]


class GradcheckError(AssertionError):
    """Raised by :func:`gradcheck` when analytic and numeric derivatives disagree."""


def _to_output(y: Any) -> Tensor:
    if not isinstance(y, Tensor):
        raise TypeError(f"gradcheck: f must return a Tensor, got {type(y).__name__}")
    return y


def gradcheck(
    f: Callable[..., Tensor],
    *inputs: Any,
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
    max_outputs: int = 64,
    seed: int = 0,
) -> bool:
    """Check ``f``'s reverse-mode gradients against central differences; raise if they differ.

    Every floating-point input (number, ndarray or Tensor) is copied to a float64
    leaf that requires grad; other inputs are passed through unchanged.  For outputs
    with more than ``max_outputs`` elements, random projections ``v @ J`` are
    compared instead of the full Jacobian.  Returns True, or raises
    :class:`GradcheckError` describing the worst element.

    >>> import compgraph as cg
    >>> cg.gradcheck(lambda x: (3 * x + 2) ** 4, 3.0)
    True
    """
    xs, checked = _float64_leaves(inputs)
    y = _to_output(f(*xs))
    m = y.size
    rng = np.random.default_rng(seed)
    if m <= max_outputs:
        projections = list(np.eye(m).reshape(m, *y.shape)) if m else []
    else:
        projections = [rng.standard_normal(y.shape) for _ in range(3)]
    leaves = [xs[k] for k in checked]
    analytic = _analytic(y, leaves, projections)
    worst = _worst_difference(f, xs, leaves, projections, analytic, eps, atol, rtol)
    if worst is not None and worst[0] > 1:
        score, li, idx, j, ana, num, err = worst
        out = (
            f"output element {tuple(int(i) for i in np.unravel_index(j, y.shape))}"
            if m <= max_outputs
            else f"random projection {j}"
        )
        raise GradcheckError(
            f"gradcheck failed for input {checked[li]} (shape {leaves[li].shape}) at element "
            f"{idx}, {out}:\n  analytic  {ana:.10g}\n  numeric   {num:.10g}\n"
            f"  abs error {err:.3g} > atol {atol:g} + rtol {rtol:g} * |numeric|"
        )
    return True


def _float64_leaves(inputs: tuple) -> tuple[list, list[int]]:
    """The inputs with each floating-point one copied to a float64 leaf requiring grad,
    and the positions of those."""
    xs: list = []
    checked: list[int] = []
    for k, a in enumerate(inputs):
        arr = a._data if isinstance(a, Tensor) else a
        if isinstance(arr, (float, np.floating, np.ndarray)) and np.asarray(arr).dtype.kind == "f":
            xs.append(Tensor(np.array(arr, dtype=np.float64), requires_grad=True))
            checked.append(k)
        else:
            xs.append(a)
    if not checked:
        raise ValueError("gradcheck: no floating-point input to check")
    return xs, checked


def _analytic(y: Tensor, leaves: list, projections: list) -> list:
    """Reverse mode: ``v @ J`` for each projection v, per leaf, as float64 arrays."""
    analytic = []
    for v in projections:
        gs = grad(y, leaves, np.asarray(v, dtype=y.dtype), retain_graph=True)
        analytic.append(
            [
                np.zeros(x.shape) if g is None else np.asarray(g._data, dtype=np.float64)
                for g, x in zip(gs, leaves)
            ]
        )
    return analytic


def _worst_difference(
    f: Callable,
    xs: list,
    leaves: list,
    projections: list,
    analytic: list,
    eps: float,
    atol: float,
    rtol: float,
) -> tuple | None:
    """Central differences element by element; the worst (score, leaf, element, projection,
    analytic, numeric, error), score > 1 meaning outside the tolerance."""
    worst = None
    with no_grad():
        for li, x in enumerate(leaves):
            data = x.data
            for idx in np.ndindex(*data.shape):
                orig = data[idx].copy()
                data[idx] = orig + eps
                # (copies: a result may be a view of x)
                yp = np.array(_to_output(f(*xs))._data, dtype=np.float64)
                data[idx] = orig - eps
                ym = np.array(_to_output(f(*xs))._data, dtype=np.float64)
                data[idx] = orig
                for j, v in enumerate(projections):
                    num = float(np.sum(v * (yp - ym)) / (2 * eps))
                    ana = float(analytic[j][li][idx])
                    err = abs(ana - num)
                    tol = atol + rtol * abs(num)
                    score = err / tol if np.isfinite(err) else np.inf
                    if worst is None or score > worst[0]:
                        worst = (score, li, idx, j, ana, num, err)
    return worst
