"""TensorFlow's tf.print and tf.executing_eagerly as cg.print / cg.executing_eagerly."""
from __future__ import annotations

import io
import sys

import numpy as np
import pytest

import compgraph as cg


def test_print_summarizes_like_tensorflow_and_goes_to_stderr(capsys):
    cg.print("x:", cg.arange(10))
    out, err = capsys.readouterr()
    assert out == "" and err == "x: [0 1 2 ... 7 8 9]\n"
    cg.print(cg.arange(10), summarize=-1, output_stream=sys.stdout)
    cg.print(cg.arange(10), summarize=2, sep="|", end="!", output_stream=sys.stdout)
    out, _ = capsys.readouterr()
    assert out == "[0 1 2 3 4 5 6 7 8 9]\n[0 1 ... 8 9]!"


def test_print_takes_structures_numbers_arrays_and_files(tmp_path):
    buf = io.StringIO()
    cg.print([cg.tensor(1.5), "a"], 7, np.array([1, 2]), output_stream=buf)
    assert buf.getvalue() == "[1.5 a] 7 [1 2]\n"
    path = tmp_path / "log.txt"
    cg.print("one", output_stream=f"file://{path}")
    cg.print("two", output_stream=f"file://{path}")
    assert path.read_text() == "one\ntwo\n"
    with pytest.raises(ValueError, match="output_stream"):
        cg.print("x", output_stream="stdout")


def test_executing_eagerly_is_false_only_while_tracing():
    seen = []

    @cg.function
    def f(x):
        seen.append(cg.executing_eagerly())
        return x * 2

    assert cg.executing_eagerly()
    np.testing.assert_array_equal(f(np.ones(2)).numpy(), [2.0, 2.0])
    f(np.ones(2))  # compiled: the Python body does not run again
    assert seen == [False] and cg.executing_eagerly()
    with pytest.raises(ZeroDivisionError):
        cg.function(lambda x: 1 // 0)(np.ones(1))
    assert cg.executing_eagerly()  # an error while tracing leaves eager mode on


def test_star_import_does_not_shadow_the_builtin_print():
    ns: dict = {}
    exec("from compgraph import *", ns)
    assert "print" not in ns and "executing_eagerly" in ns
