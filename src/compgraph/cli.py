"""The ``compgraph`` command line: equations in, values and derivatives out.

    compgraph "u = 3*x + 2; y = u**4" --at x=3 --wrt x [--explain] [--draw g.svg] [--static]

Equations are parsed with :mod:`ast` and checked against a whitelist (numbers,
names, ``+ - * / **``, unary minus, parentheses and the functions whose declaration
says the command line may call them, ``cli=True``); the tree is then walked by
compgraph itself, never evaluated as Python.  Any other
input, an unknown name, a missing ``--at`` value or a cycle exits with status 2
and a one-line message naming the line and column.  Input repeated in a message is
escaped as ``repr`` escapes it, so it can neither split that line nor send the
terminal control codes.
"""

from __future__ import annotations

import argparse
import ast
import io
import os
import sys
import tokenize
import warnings
from collections.abc import Callable, Sequence
from typing import Any, NoReturn, cast

import numpy as np

from .autodiff.engine import grad
from .explain import explain
from .ops.elementwise import IDENTITY
from .ops.registry import PUBLIC
from .static import Graph, Symbol
from .tensor import Tensor, tensor
from .viz import draw

__all__ = ["main", "run", "parse_equations", "CliError", "seed_demo", "functions"]

# Python's operator syntax -> the operator symbol; which function a symbol means is
# declared on the function (``symbol=``), as is whether the command line may call it.
_SYMBOLS = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.Pow: "**"}


def functions() -> dict[str, Callable]:
    """The one-argument functions the command line may call (declared with ``cli=True``),
    by name; operators (``+ - * / **``) are part of its grammar."""
    # (cast: every published front has its function, set when it was published)
    return {
        name: cast(Callable, f.function)
        for name, f in sorted(PUBLIC.items())
        if f.cli and f.symbol is None and (f.op is None or f.op.nargs == 1)
    }


def _binary(op_type: type[ast.operator]) -> Callable:
    sym = _SYMBOLS[op_type]
    for f in PUBLIC.values():
        if f.symbol == sym and f.cli and f.op is not None and f.op.nargs == 2:
            return cast(Callable, f.function)  # published: it has its function
    raise CliError(f"the operator {sym} is not available")


_MAX_TEXT = 100_000
_MAX_NODES = 20_000


class CliError(Exception):
    """A problem with the user's input: reported in one line, exit status 2."""


def _printable(text: str) -> str:
    """``text`` with each character that is not printable (newline, carriage return, the
    escape that starts a terminal's colour codes, other controls, lone surrogates)
    written as ``repr`` writes it: input echoed in a message can neither split the one
    line nor style the terminal."""
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


def _fail(message: str) -> None:
    """Write the one-line error message (escaped) to stderr."""
    sys.stderr.write(f"compgraph: error: {_printable(message)}\n")


def _where(node: Any) -> str:
    return f"line {getattr(node, 'lineno', '?')}, column {getattr(node, 'col_offset', -1) + 1}"


def _check_expr(expr: ast.AST) -> list[str]:
    """Validate an expression tree iteratively; return the names it uses."""
    names: list[str] = []
    allowed = functions()
    stack = [expr]
    count = 0
    while stack:
        n = stack.pop()
        count += 1
        if count > _MAX_NODES:
            raise CliError(f"{_where(expr)}: expression too large")
        if isinstance(n, ast.BinOp):
            if type(n.op) not in _SYMBOLS:
                raise CliError(
                    f"{_where(n)}: operator {type(n.op).__name__} is not allowed (use + - * / **)"
                )
            stack += [n.left, n.right]
        elif isinstance(n, ast.UnaryOp):
            if not isinstance(n.op, (ast.USub, ast.UAdd)):
                raise CliError(f"{_where(n)}: only unary minus (and plus) is allowed")
            stack.append(n.operand)
        elif isinstance(n, ast.Constant):
            v = n.value
            if isinstance(v, bool) or not isinstance(v, (int, float)):
                raise CliError(f"{_where(n)}: only numbers are allowed, got {type(v).__name__}")
            if isinstance(v, int) and abs(v) > 10**308:
                raise CliError(f"{_where(n)}: number too large")
        elif isinstance(n, ast.Name):
            names.append(n.id)
        elif isinstance(n, ast.Call):
            if not isinstance(n.func, ast.Name) or n.func.id not in allowed:
                raise CliError(f"{_where(n)}: only calls to {', '.join(allowed)} are allowed")
            if n.keywords or len(n.args) != 1 or isinstance(n.args[0], ast.Starred):
                raise CliError(f"{_where(n)}: {n.func.id}() takes exactly one argument")
            stack.append(n.args[0])
        else:
            raise CliError(
                f"{_where(n)}: {type(n).__name__} is not allowed in an equation "
                f"(numbers, names, + - * / **, unary minus and "
                f"{', '.join(allowed)} only)"
            )
    return names


def parse_equations(text: str) -> list[tuple[str, ast.AST, list[str], ast.AST]]:
    """``name = expression`` statements (separated by ``;`` or newlines), validated."""
    if len(text) > _MAX_TEXT:
        raise CliError("the equations are too long")
    _check_glued(text)
    try:
        # Python warns and goes on where input is dubious (an invalid escape, a number
        # run into a keyword): as errors, those never print and never pass.
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            tree = ast.parse(text, mode="exec")
    except SyntaxError as err:
        raise CliError(f"line {err.lineno}, column {err.offset}: syntax error: {err.msg}") from None
    except (ValueError, RecursionError, MemoryError, Warning) as err:
        raise CliError(f"cannot parse the equations: {type(err).__name__}") from None
    eqs: list[tuple[str, ast.AST, list[str], ast.AST]] = []
    seen: set = set()
    for stmt in tree.body:
        if (
            not isinstance(stmt, ast.Assign)
            or len(stmt.targets) != 1
            or not isinstance(stmt.targets[0], ast.Name)
        ):
            raise CliError(f"{_where(stmt)}: expected an equation like 'y = 2*x + 1'")
        name = stmt.targets[0].id
        if name in functions():
            raise CliError(f"{_where(stmt)}: {name!r} is a function name")
        if name in seen:
            raise CliError(f"{_where(stmt)}: {name!r} is defined twice")
        seen.add(name)
        eqs.append((name, stmt.value, _check_expr(stmt.value), stmt))
    if not eqs:
        raise CliError("no equations given")
    return eqs


def _check_glued(text: str) -> None:
    """Reject a number run into a name or keyword (``1if``, ``0x1for``): Python's tokenizer
    splits ``1if`` into ``1`` and ``if`` with only a warning, so ``1if x else 2`` or
    ``1or x`` would parse as something the user did not write."""
    tokens = tokenize.generate_tokens(io.StringIO(text).readline)
    prev = None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # (newer tokenizers warn here themselves)
            for tok in tokens:
                if (
                    prev is not None
                    and prev.type == tokenize.NUMBER
                    and tok.type == tokenize.NAME
                    and prev.end == tok.start
                ):
                    line, col = prev.start
                    raise CliError(
                        f"line {line}, column {col + 1}: syntax error: the number "
                        f"{prev.string!r} runs into {tok.string!r} (put a space between them)"
                    )
                prev = tok
    except (tokenize.TokenError, SyntaxError, ValueError):
        return  # text that does not tokenize: ast.parse reports it with its position


def _order(eqs: list, free: set) -> list:
    """Equations in dependency order (they may be written in any order); cycles rejected."""
    defined = {name: (expr, deps, stmt) for name, expr, deps, stmt in eqs}
    for _expr, deps, stmt in defined.values():
        for d in deps:
            if d not in defined and d not in free:
                raise CliError(
                    f"{_where(stmt)}: {d!r} is not defined: give it a value with "
                    f"--at {d}=... or an equation"
                )
    order: list[str] = []
    state: dict[str, int] = {}
    for start in defined:
        if state.get(start) == 2:
            continue
        stack = [(start, iter(defined[start][1]))]
        state[start] = 1
        path = [start]
        while stack:
            name, it = stack[-1]
            nxt = next((d for d in it if d in defined), None)
            if nxt is None:
                stack.pop()
                path.pop()
                state[name] = 2
                order.append(name)
            elif state.get(nxt) == 1:
                cycle = path[path.index(nxt) :] + [nxt]
                raise CliError(
                    f"{_where(defined[nxt][2])}: the equations form a cycle: {' -> '.join(cycle)}"
                )
            elif state.get(nxt) is None:
                state[nxt] = 1
                path.append(nxt)
                stack.append((nxt, iter(defined[nxt][1])))
    return [(n, defined[n][0]) for n in order]


def _build(expr: ast.AST, env: dict) -> Any:
    """Evaluate a validated tree with compgraph functions (iterative, post-order)."""
    fns = functions()
    results: list = []
    stack: list = [(expr, False)]
    while stack:
        n, done = stack.pop()
        if isinstance(n, ast.Constant):
            # (a number: _check_expr allowed no other constant)
            results.append(np.float64(cast(float, n.value)))  # NumPy arithmetic: overflow gives inf
        elif isinstance(n, ast.Name):
            results.append(env[n.id])
        elif not done:
            stack.append((n, True))
            kids = (
                [n.left, n.right]
                if isinstance(n, ast.BinOp)
                else [n.operand]
                if isinstance(n, ast.UnaryOp)
                else [n.args[0]]
            )
            stack.extend((k, False) for k in reversed(kids))
        elif isinstance(n, ast.BinOp):
            b, a = results.pop(), results.pop()
            results.append(_binary(type(n.op))(a, b))
        elif isinstance(n, ast.UnaryOp):
            a = results.pop()
            results.append(-a if isinstance(n.op, ast.USub) else a)
        else:
            results.append(fns[n.func.id](results.pop()))
    return results[0]


def _pairs(items: Sequence[str], what: str) -> dict[str, float]:
    out: dict[str, float] = {}
    for item in items:
        for part in item.split(","):
            part = part.strip()
            if not part:
                continue
            if "=" not in part:
                raise CliError(f"--{what} expects name=value, got {part!r}")
            k, v = (s.strip() for s in part.split("=", 1))
            if not k.isidentifier():
                raise CliError(f"--{what}: {k!r} is not a variable name")
            try:
                out[k] = float(v)
            except ValueError:
                raise CliError(f"--{what}: {v!r} is not a number (for {k})") from None
    return out


def _names(items: Sequence[str]) -> list[str]:
    out = []
    for item in items:
        out += [p.strip() for p in item.split(",") if p.strip()]
    return out


def _fmt(v: Any) -> str:
    a = np.asarray(v)
    return f"{a.item():.10g}" if a.size == 1 else np.array2string(a, precision=6)


def run(args: argparse.Namespace) -> list[str]:
    """Execute the command; returns the lines to print."""
    eqs = parse_equations(args.equations)
    at = _pairs(args.at, "at")
    wrt = _names(args.wrt)
    names = [e[0] for e in eqs]
    of = args.of or names[-1]
    _check_names(names, at, of)
    ordered = _order(eqs, set(at))
    _check_wrt(eqs, names, at, wrt)
    if args.static:
        return _run_static(args, ordered, names, at, wrt, of)
    return _run_dynamic(args, ordered, names, at, wrt, of)


def _check_names(names: list[str], at: dict, of: str) -> None:
    """``--of`` names an equation and ``--at`` only free variables."""
    if of not in names:
        raise CliError(f"--of {of!r}: no equation defines it (defined: {', '.join(names)})")
    for v in at:
        if v in names:
            raise CliError(
                f"--at {v}: {v!r} is defined by an equation; give values only to free variables"
            )


def _check_wrt(eqs: list, names: list[str], at: dict, wrt: list[str]) -> None:
    """``--wrt`` names variables that exist."""
    free_used = {d for _, _, deps, _ in eqs for d in deps if d not in names}
    for w in wrt:
        if w not in at and w not in names:
            raise CliError(
                f"--wrt {w!r}: unknown variable (variables: "
                f"{', '.join(sorted(free_used | set(names)))})"
            )


def _run_static(
    args: argparse.Namespace, ordered: list, names: list[str], at: dict, wrt: list[str], of: str
) -> list[str]:
    """The equations as a static graph: built, differentiated, optimised and compiled."""
    lines: list[str] = []
    g = Graph()
    env: dict[str, Any] = {v: g.input(v, shape=(), dtype="float64") for v in at}
    for name, expr in ordered:
        node = _build(expr, env)
        if not isinstance(node, Symbol) or node.op in ("input", "constant") or node.name in at:
            node = (
                Symbol.__cg_apply__(IDENTITY, (node,), {})
                if isinstance(node, Symbol)
                else g.constant(node)
            )
        g.rename(node, name)
        env[name] = node
    results = [env[n] for n in names]
    grads = [g.gradients(env[of], env[w]) for w in wrt]
    fn = g.compile(results + grads)
    vals = fn(**{k: float(v) for k, v in at.items()})
    for n, v in zip(names, vals):
        lines.append(f"{n} = {_fmt(v)}")
    for w, v in zip(wrt, vals[len(names) :]):
        lines.append(f"d{of}/d{w} = {_fmt(v)}")
    lines.append(f"static graph: {len(g)} nodes; compiled (optimised) graph: {len(fn.graph)} nodes")
    if args.explain:
        for w in wrt:
            lines.append(explain(env[of], env[w], feeds=at))
    if args.draw:
        _draw(fn.graph, args.draw, lines)
    return lines


def _run_dynamic(
    args: argparse.Namespace, ordered: list, names: list[str], at: dict, wrt: list[str], of: str
) -> list[str]:
    """The equations on Tensors: recorded while they run, then differentiated."""
    lines: list[str] = []
    env = {v: tensor(x, requires_grad=True, name=v) for v, x in at.items()}
    for name, expr in ordered:
        t = _build(expr, env)
        if not isinstance(t, Tensor):
            t = tensor(t)
        t.name = name
        if t.requires_grad:
            t.retain_grad()  # the picture shows every equation's gradient
        env[name] = t
    for n in names:
        lines.append(f"{n} = {_fmt(env[n].data)}")
    target = env[of]
    if args.explain:
        for w in wrt:
            lines.append(explain(target, env[w]))
    for w in wrt:
        src = env[w]
        if not target.requires_grad or not src.requires_grad:
            dv: Any = 0.0
        else:
            dv = grad(target, [src], retain_graph=True, allow_unused=True)[0]
            dv = 0.0 if dv is None else dv.data
        lines.append(f"d{of}/d{w} = {_fmt(dv)}")
    if args.draw:
        if target.requires_grad:
            target.backward(retain_graph=True)  # gradients on the picture
        _draw(target, args.draw, lines)
    return lines


def _draw(obj: Any, path: str, lines: list[str]) -> None:
    """Draw ``obj`` to ``path`` last: when that fails the computed lines are printed
    first, then the error is raised."""
    try:
        draw(obj, path)
    except (RuntimeError, ImportError) as err:
        _flush(lines)
        raise RuntimeError(str(err)) from None
    except OSError as err:
        _flush(lines)
        raise CliError(_write_error(path, err)) from None
    lines.append(f"picture written to {_printable(path)}")


def _flush(lines: list[str]) -> None:
    """Print the lines computed so far (the numbers stand even if the picture fails)."""
    print("\n".join(lines))
    lines.clear()


def _write_error(path: str, err: OSError) -> str:
    """The one-line message for a picture that could not be written."""
    folder = os.path.dirname(path)
    if isinstance(err, FileNotFoundError) and folder and not os.path.isdir(folder):
        return f"--draw {path!r}: the folder {folder!r} does not exist"
    return f"--draw {path!r}: cannot write the picture: {err.strerror or type(err).__name__}"


def seed_demo() -> str:
    """The seed example as text: u = 3x + 2, y = u**4 at x = 3, and Y = (a-b)*(a+b)."""
    lines = ["compgraph seed example (dynamic graph, define-by-run)", ""]
    x = tensor(3.0, requires_grad=True, name="x")
    u = 3 * x + 2
    u.name = "u"
    y = u**4
    y.name = "y"
    lines += ["u = 3*x + 2,  y = u**4,  at x = 3", explain(y, x), ""]
    a = tensor(3.0, requires_grad=True, name="a")
    b = tensor(1.0, requires_grad=True, name="b")
    d = a - b
    d.name = "d"
    e = a + b
    e.name = "e"
    Y = d * e
    Y.name = "Y"
    lines += ["d = a - b,  e = a + b,  Y = d*e,  at a = 3, b = 1", explain(Y, a), explain(Y, b)]
    return "\n".join(lines)


class _Parser(argparse.ArgumentParser):
    """argparse with its errors as one escaped line (they repeat the arguments given)."""

    def error(self, message: str) -> NoReturn:  # one line, status 2, no usage dump
        _fail(message)
        raise SystemExit(2)


def _parser() -> argparse.ArgumentParser:
    p = _Parser(
        prog="compgraph",
        description="Values and derivatives of equations, with the "
        "chain rule explained and the graph drawn.",
    )
    p.add_argument("equations", nargs="?", help='e.g. "u = 3*x + 2; y = u**4"')
    p.add_argument(
        "--at",
        action="append",
        default=[],
        metavar="NAME=VALUE[,...]",
        help="values of the free variables (repeatable)",
    )
    p.add_argument(
        "--wrt",
        action="append",
        default=[],
        metavar="NAME[,...]",
        help="differentiate with respect to these (repeatable)",
    )
    p.add_argument("--of", metavar="NAME", help="the equation to differentiate (default: last)")
    p.add_argument("--explain", action="store_true", help="print the chain rule")
    p.add_argument("--draw", metavar="PATH", help="write a picture (.svg, .png or .pdf)")
    p.add_argument(
        "--static", action="store_true", help="build a static graph, compile it and report its size"
    )
    return p


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``compgraph`` console script."""
    args = _parser().parse_args(list(sys.argv[1:] if argv is None else argv))
    if args.equations is None:
        print(seed_demo())
        return 0
    try:
        with np.errstate(all="ignore"):  # inf and nan are answers here, not warnings
            lines = run(args)
    except CliError as err:
        _fail(str(err))
        return 2
    except (ValueError, TypeError, ArithmeticError) as err:  # the input cannot be computed
        _fail(str(err).splitlines()[0] if str(err) else repr(err))
        return 2
    except Exception as err:  # a failure of ours or of the system: still one line
        _fail(f"{type(err).__name__}: {str(err).splitlines()[0] if str(err) else ''}")
        return 1
    try:
        print("\n".join(lines))
    except BrokenPipeError:  # e.g. piped into `head`: not an error of ours
        sys.stderr.close()
    return 0
