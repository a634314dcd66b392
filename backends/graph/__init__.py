"""Pictures of compiled workflows: a small graph model and its DOT and Mermaid writers.

:func:`build_graph` draws one compiled workflow; :func:`to_dot` and :func:`to_mermaid` write it;
:mod:`fcomp.backends.graph.graphviz` turns DOT into SVG or PNG when Graphviz is installed.
"""

from fcomp.backends.graph.build import NODE_BUILDERS, build_graph
from fcomp.backends.graph.dot import to_dot
from fcomp.backends.graph.mermaid import to_mermaid
from fcomp.backends.graph.model import Cluster, Edge, Graph, Node

#: Text writers by format name.
WRITERS = {"dot": to_dot, "mermaid": to_mermaid}

__all__ = [
    "NODE_BUILDERS",
    "WRITERS",
    "Cluster",
    "Edge",
    "Graph",
    "Node",
    "build_graph",
    "to_dot",
    "to_mermaid",
]
