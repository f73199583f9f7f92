"""``python -m sheafviz``: the command line of :mod:`sheafviz.cli`."""

import sys


def _run() -> int:
    try:
        from sheafviz.cli import main
    except KeyboardInterrupt:  # Ctrl-C while numpy and scipy are still being imported
        print("sheafviz: interrupted", file=sys.stderr)
        return 130
    return main()


if __name__ == "__main__":
    sys.exit(_run())
