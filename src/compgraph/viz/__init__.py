"""Pictures of graphs: graph inspection, the DOT writer, rendering with Graphviz."""

from ..tensor import set_svg_renderer
from .dot import to_dot
from .render import draw, svg_of

set_svg_renderer(svg_of)  # Tensors show their graph as SVG in Jupyter

__all__ = ["to_dot", "draw"]
