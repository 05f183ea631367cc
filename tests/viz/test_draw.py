"""cg.draw to .svg/.png/.pdf, the missing-`dot` fallback, and _repr_svg_."""
from __future__ import annotations

import os
import struct
import xml.etree.ElementTree as ET

import pytest

import compgraph as cg
from helpers import needs_dot, seed_power

graphviz = pytest.importorskip("graphviz")


def seed_graph():
    g = cg.Graph()
    a = g.input("a", shape=(), dtype="float64")
    b = g.input("b", shape=(), dtype="float64")
    Y = (a - b) * (a + b)
    g.rename(Y, "Y")
    return g


def svg_texts(svg: str | bytes) -> list[str]:
    root = ET.fromstring(svg)
    assert root.tag.endswith("svg")
    return [t.text for t in root.iter() if t.tag.endswith("text") and t.text]


@needs_dot
def test_svg_tensor(tmp_path):
    x, _, y = seed_power()
    y.backward(retain_graph=True)
    out = cg.draw(y, tmp_path / "g.svg")
    assert os.fspath(out) == os.fspath(tmp_path / "g.svg")
    texts = svg_texts((tmp_path / "g.svg").read_bytes())
    for want in ("x", "u", "y", "power", "add", "multiply", "= 14641", "= 11", "= 3",
                 "grad 15972", "5324"):
        assert want in texts, (want, texts)


@needs_dot
def test_svg_static_graph(tmp_path):
    cg.draw(seed_graph(), str(tmp_path / "s.svg"))
    texts = svg_texts((tmp_path / "s.svg").read_bytes())
    for want in ("a", "b", "Y", "subtract", "add", "multiply"):
        assert want in texts, (want, texts)


@needs_dot
def test_png(tmp_path):
    _, _, y = seed_power()
    cg.draw(y, tmp_path / "g.PNG")  # suffix is case-insensitive
    data = (tmp_path / "g.PNG").read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert data[12:16] == b"IHDR"
    w, h = struct.unpack(">II", data[16:24])
    assert 20 <= w <= 5000 and 50 <= h <= 5000
    assert h > w / 4  # six boxes stacked bottom to top
    assert len(data) > 1000


@needs_dot
def test_pdf(tmp_path):
    cg.draw(seed_graph(), tmp_path / "g.pdf")
    data = (tmp_path / "g.pdf").read_bytes()
    assert data.startswith(b"%PDF-")
    assert b"%%EOF" in data[-64:]


@pytest.mark.parametrize("name", ["g.jpg", "g.dot", "g", "g.svgz"])
def test_bad_suffix(tmp_path, name):
    _, _, y = seed_power()
    with pytest.raises(ValueError, match="svg"):
        cg.draw(y, tmp_path / name)
    assert list(tmp_path.iterdir()) == []


def test_bad_object(tmp_path):
    with pytest.raises(TypeError):
        cg.draw(3.0, tmp_path / "g.svg")


def test_missing_dot_via_path(tmp_path, monkeypatch):
    _, _, y = seed_power()
    empty = tmp_path / "empty_bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    with pytest.raises(Exception) as info:
        cg.draw(y, tmp_path / "pic.svg")
    msg = str(info.value)
    assert "install" in msg and "graphviz" in msg.lower()
    assert "pic.dot" in msg
    assert not (tmp_path / "pic.svg").exists()
    assert (tmp_path / "pic.dot").read_text() == cg.to_dot(y)


def test_missing_dot_via_pipe(tmp_path, monkeypatch):
    def boom(self, *a, **k):
        raise graphviz.ExecutableNotFound(("dot",))

    monkeypatch.setattr(graphviz.Source, "pipe", boom)
    g = seed_graph()
    with pytest.raises(Exception) as info:
        cg.draw(g, tmp_path / "static.png")
    msg = str(info.value)
    assert "apt-get install graphviz" in msg or "brew install graphviz" in msg
    text = (tmp_path / "static.dot").read_text()
    assert text == g.to_dot()
    assert not (tmp_path / "static.png").exists()
    # Jupyter reprs fall back quietly (None) instead of raising
    _, _, y = seed_power()
    assert y._repr_svg_() is None
    assert g._repr_svg_() is None


@needs_dot
def test_repr_svg():
    _, _, y = seed_power()
    svg = y._repr_svg_()
    assert isinstance(svg, str)
    assert "power" in svg_texts(svg)
    gsvg = seed_graph()._repr_svg_()
    assert isinstance(gsvg, str) and "multiply" in svg_texts(gsvg)
