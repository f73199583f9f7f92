"""``python -m sheafviz``: the command line of :mod:`sheafviz.cli`."""

import sys

from sheafviz.cli import main

if __name__ == "__main__":
    sys.exit(main())
