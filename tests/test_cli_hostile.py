"""The command line on hostile and odd input: every error one escaped line, status 2.

Input echoed in a message is escaped (repr style), so no newline, carriage return or
terminal escape can split or style the line; numbers run into keywords are syntax
errors; --explain stays fast on graphs with exponentially many paths; --draw into a
missing folder is a one-line error after the computed lines.
"""
from __future__ import annotations

import subprocess
import sys
import time
import warnings

import pytest

from compgraph.cli import CliError, parse_equations

SEED = "u = 3*x + 2; y = u**4"


def cli(*args, cwd=None, timeout=60):
    p = subprocess.run([sys.executable, "-m", "compgraph", *args], capture_output=True,
                       text=True, errors="surrogateescape", cwd=cwd, timeout=timeout)
    return p.returncode, p.stdout, p.stderr


def escaped_error(rc, out, err):
    """One printable line on stderr, status 2; returns the message."""
    assert rc == 2, (rc, out, err)
    assert err.startswith("compgraph: error: "), repr(err)
    assert err.endswith("\n") and err.count("\n") == 1, repr(err)
    assert err[:-1].isprintable(), repr(err)  # no \r, \x1b, other controls or surrogates
    assert "Traceback" not in err and "Warning" not in err, err
    return err[:-1]


# ------------------------------------------------------- 1. input is echoed escaped

RED = "\x1b[31mred"
HOSTILE_ARGS = [
    ("of", [SEED, "--at", "x=3", "--of", "y\n" + RED], repr("y\n" + RED)),
    ("wrt", [SEED, "--at", "x=3", "--wrt", "q\n" + RED], repr("q\n" + RED)),
    ("wrt-line-separator", [SEED, "--at", "x=3", "--wrt", "q\u2028w"], repr("q\u2028w")),
    ("at-name", [SEED, "--at", "x\ny=3"], repr("x\ny")),
    ("at-value", [SEED, "--at", "x=1\r\x1b[2J"], repr("1\r\x1b[2J")),
    ("at-no-equals", [SEED, "--at", "x\r" + RED], repr("x\r" + RED)),
    ("at-surrogate", [SEED, "--at", "\udcff=1"], repr("\udcff")),
    ("unknown-option", [SEED, "--bo\n\x1bgus"], "--bo\\n\\x1bgus"),
    ("extra-argument", [SEED, "more\n" + RED], "more\\n\\x1b[31mred"),
    ("option-missing-value", [SEED, "--of"], "--of"),
    ("draw-suffix", [SEED, "--at", "x=3", "--draw", "g\x1b.jpg"], repr("g\x1b.jpg")),
    ("equation-control", ["y = x\x1b[31m", "--at", "x=1"], "line 1, column"),
    ("equation-tab-name", ["y = x\t+ q\x07", "--at", "x=1"], "line 1, column"),
]


@pytest.mark.parametrize("cid,argv,shown", HOSTILE_ARGS, ids=[h[0] for h in HOSTILE_ARGS])
def test_echoed_input_is_escaped(cid, argv, shown):
    msg = escaped_error(*cli(*argv))
    assert shown in msg, (shown, msg)


def test_draw_into_missing_folder_with_hostile_name_is_escaped(tmp_path):
    folder = tmp_path / ("d\n" + RED)
    rc, out, err = cli(SEED, "--at", "x=3", "--draw", str(folder / "g.svg"))
    msg = escaped_error(rc, out, err)
    assert repr(str(folder)) in msg


# ------------------------------------------------ 2. numbers run into keywords

GLUED = ["y = 1if x else 2", "y = 1else", "y = 0x1for", "y = 1or x", "y = 0b1and x",
         "y = 2in x", "y = 1not in x", "y = 1_000if x else 1", "y = 1e5if x else 2",
         "y = x\nz = 3is x"]


@pytest.mark.parametrize("text", GLUED)
def test_number_run_into_keyword_is_a_syntax_error(text):
    msg = escaped_error(*cli(text, "--at", "x=2"))
    assert "syntax error" in msg and "line " in msg, msg


@pytest.mark.parametrize("text", GLUED + ["y = '\\d'"])
def test_parse_warns_nothing(text, recwarn):
    warnings.simplefilter("always")
    with pytest.raises(CliError, match="syntax error"):
        parse_equations(text)
    assert [str(w.message) for w in recwarn] == []


def test_number_run_into_keyword_names_both():
    with pytest.raises(CliError, match=r"line 1, column 5: .*'0x1f' runs into 'or'"):
        parse_equations("y = 0x1for")


def test_numbers_still_parse():
    rc, out, err = cli("y = 1e2*x + 0x1f + 1_0 + 2.5e-1 + .5 + 1.", "--at", "x=2", "--wrt", "x")
    assert (rc, err) == (0, "")
    assert out.splitlines() == ["y = 242.75", "dy/dx = 100"]


# ------------------------------------ 3. --explain with exponentially many paths

DOUBLINGS = "; ".join(f"x{k} = x{k - 1} + x{k - 1}" for k in range(1, 31))


@pytest.mark.parametrize("static", [False, True])
def test_explain_exponentially_many_paths(static):
    argv = [DOUBLINGS, "--at", "x0=1", "--wrt", "x0", "--explain"] + (["--static"] if static else [])
    rc, out, err = cli(*argv, timeout=60)
    assert (rc, err) == (0, "")
    assert "showing 32 of 1073741824 paths" in out
    assert "(1073741792 more path(s) not shown; the value below sums them all)" in out
    assert "sum over paths" not in out
    assert "dx30/dx0 = 1.07374e+09 (reverse mode gives the same)" in out
    assert "dx30/dx0 = 1073741824" in out.splitlines()


@pytest.mark.parametrize("static", [False, True])
def test_explain_prunes_parts_that_miss_the_variable(static):
    # y depends on z by one path; the 2**30 paths through x30 never reach z and must
    # not be walked (before, they were: the run did not finish)
    text = DOUBLINGS + "; y = z + x30"
    argv = [text, "--at", "x0=1,z=2", "--wrt", "z", "--explain"] + (["--static"] if static else [])
    start = time.perf_counter()
    rc, out, err = cli(*argv, timeout=30)
    assert (rc, err) == (0, "")
    assert "dy/dz by the chain rule: 1 path(s) from z to y" in out
    assert "dy/dz = 1" in out.splitlines()
    assert time.perf_counter() - start < 20


# ----------------------------------------------------- 4. --draw cannot write

@pytest.mark.parametrize("static", [False, True])
def test_draw_into_missing_folder(tmp_path, static):
    missing = tmp_path / "nonexistent" / "dir"
    rc, out, err = cli(SEED, "--at", "x=3", "--wrt", "x", "--draw", str(missing / "g.svg"),
                       *(["--static"] if static else []))
    msg = escaped_error(rc, out, err)
    assert repr(str(missing)) in msg and "does not exist" in msg, msg
    assert out.splitlines()[:3] == ["u = 11", "y = 14641", "dy/dx = 15972"]
    assert not (tmp_path / "nonexistent").exists()


def test_draw_under_a_file_is_one_line(tmp_path):
    (tmp_path / "file").write_text("not a folder")
    rc, out, err = cli(SEED, "--at", "x=3", "--draw", str(tmp_path / "file" / "g.svg"))
    msg = escaped_error(rc, out, err)
    assert "cannot write the picture" in msg, msg
    assert out.splitlines()[:2] == ["u = 11", "y = 14641"]
