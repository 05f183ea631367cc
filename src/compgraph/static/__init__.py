"""Static graphs (define-then-run): build or trace once, optimise, compile, differentiate."""

from .function import Function, function
from .graph import Graph
from .ir import SYMBOLIC, Symbol, current_graph

__all__ = ["Graph", "Symbol", "SYMBOLIC", "current_graph", "function", "Function"]
