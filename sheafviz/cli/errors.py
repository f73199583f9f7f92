"""The command line's error types (both end with exit code 2 and one line on stderr)."""


class CLIError(Exception):
    """Bad command-line input found by the CLI itself (exit code 2)."""


class UsageError(Exception):
    """An argparse error, re-raised so that ``main`` prints it as one line."""
