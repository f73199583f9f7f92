"""The ``sheafviz`` command line: argparse commands over the Qt-free core (GUI imported lazily)."""

from sheafviz.cli.commands import main

__all__ = ["main"]
