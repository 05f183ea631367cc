"""The ``compgraph`` command line (for now: the seed example, on the dynamic graph)."""
from __future__ import annotations

import sys
from typing import Sequence


def seed_demo() -> str:
    """The seed example as text: u = 3x + 2, y = u**4 at x = 3, and Y = (a-b)*(a+b)."""
    import compgraph as cg

    lines = ["compgraph seed example (dynamic graph, define-by-run)", ""]
    x = cg.tensor(3.0, requires_grad=True, name="x")
    u = 3 * x + 2
    u.retain_grad()
    y = u ** 4
    y.backward()
    lines += [
        "  u = 3*x + 2,  y = u**4,  at x = 3",
        f"  u = {float(u):g}",
        f"  y = {float(y):g}",
        f"  dy/du = 4*u**3 = {float(u.grad):g}",
        "  du/dx = 3",
        f"  dy/dx = dy/du * du/dx = {float(x.grad):g}",
        "",
    ]
    a = cg.tensor(3.0, requires_grad=True, name="a")
    b = cg.tensor(1.0, requires_grad=True, name="b")
    d = a - b
    e = a + b
    Y = d * e
    Y.backward()
    lines += [
        "  d = a - b,  e = a + b,  Y = d*e,  at a = 3, b = 1",
        f"  d = {float(d):g},  e = {float(e):g},  Y = {float(Y):g}",
        f"  dY/da = e + d = {float(a.grad):g}",
        f"  dY/db = d - e = {float(b.grad):g}",
    ]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``compgraph`` console script."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] in ("-h", "--help"):
        print("usage: compgraph        print the seed example (values and gradients)")
        return 0
    print(seed_demo())
    return 0
