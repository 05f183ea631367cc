"""Rendering pictures with Graphviz (the ``graphviz`` package and the ``dot`` program)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..ops.fileio import atomic_write
from .dot import to_dot

__all__ = ["draw", "dot_of", "svg_of"]

_FORMATS = {".svg": "svg", ".png": "png", ".pdf": "pdf"}
_INSTALL = (
    "install Graphviz's `dot` program (Debian/Ubuntu: apt-get install graphviz; "
    "macOS: brew install graphviz; conda: conda install graphviz) and the Python "
    "package (pip install 'compgraph[viz]')"
)


def dot_of(obj: Any) -> str:
    """DOT text for a Tensor (its dynamic graph) or a static Graph."""
    try:
        return to_dot(obj)
    except TypeError:
        raise TypeError(f"draw: expected a Tensor or a Graph, got {type(obj).__name__}") from None


def draw(obj: Any, path: str | Path) -> Path:
    """Render ``obj`` (Tensor or Graph) to ``path``; the suffix picks .svg, .png or .pdf.

    If Graphviz is missing, the DOT text is still written next to ``path`` (same
    name, ``.dot`` suffix) and the error says how to install Graphviz.
    """
    path = Path(path)
    fmt = _FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise ValueError(
            f"draw: unsupported file type {path.suffix!r} for {str(path)!r}; "
            f"use one of {sorted(_FORMATS)}"
        )
    dot = dot_of(obj)
    try:
        import graphviz
    except ImportError:
        fallback = path.with_suffix(".dot")
        fallback.write_text(dot)
        raise ImportError(
            f"draw: the graphviz package is not installed; {_INSTALL}. "
            f"The DOT text was written to {fallback}"
        ) from None
    try:
        data = graphviz.Source(dot).pipe(format=fmt)
    except graphviz.ExecutableNotFound:
        fallback = path.with_suffix(".dot")
        fallback.write_text(dot)
        raise RuntimeError(
            f"draw: Graphviz's `dot` program was not found; {_INSTALL}. "
            f"The DOT text was written to {fallback}"
        ) from None
    atomic_write(path, lambda fh: fh.write(data))
    return path


def svg_of(obj: Any) -> str | None:
    """SVG text for Jupyter, or None when Graphviz is not available."""
    try:
        import graphviz

        return graphviz.Source(dot_of(obj)).pipe(format="svg").decode("utf-8")
    except Exception:  # no picture: Jupyter falls back to the text repr
        return None
