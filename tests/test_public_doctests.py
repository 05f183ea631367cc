"""The examples in the docstrings of every public function declared with defpublic or
defop.  pytest's --doctest-modules skips functions whose ``__module__`` is not the file
being collected (the composites say ``compgraph``), so they are run here."""
from __future__ import annotations

import doctest

import numpy as np
import pytest

import compgraph as cg
from compgraph.ops.registry import PUBLIC


def _with_examples():
    seen, out = set(), []
    for name, front in sorted(PUBLIC.items()):
        f = front.function
        if f is None or id(f) in seen or ">>>" not in (f.__doc__ or ""):
            continue
        seen.add(id(f))
        out.append((name, f))
    return out


CASES = _with_examples()


def test_there_are_examples_to_run():
    assert len(CASES) >= 5


@pytest.mark.parametrize("name,fn", CASES, ids=[n for n, _ in CASES])
def test_docstring_examples_run(name, fn):
    finder = doctest.DocTestFinder(recurse=False)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    for test in finder.find(fn, name=name, module=False, globs={"cg": cg, "np": np}):
        result = runner.run(test)
        assert result.failed == 0, f"{name}: {result.failed} example(s) failed"
