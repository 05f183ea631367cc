"""Static graphs (define-then-run): build or trace once, optimise, compile, differentiate."""
from .graph import SYMBOLIC, Graph, Symbol, current_graph

__all__ = ["Graph", "Symbol", "SYMBOLIC", "current_graph"]
