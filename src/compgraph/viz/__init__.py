"""Pictures of graphs: DOT text, rendering with Graphviz, SVG for Jupyter."""
from .dot import to_dot
from .render import draw

__all__ = ["to_dot", "draw"]
