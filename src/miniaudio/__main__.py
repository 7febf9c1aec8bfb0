"""``python -m miniaudio`` and the ``miniaudio`` console script: devices, info, play, record and
convert from the command line (implemented in miniaudio._cli; documented in docs/cli.rst)."""

from __future__ import annotations

import sys

from ._cli import main as _main

__all__ = ["main"]


def main(argv: list[str] | None = None) -> int:
    """Runs the command line `argv` (default: sys.argv[1:]); returns the exit code."""
    return _main(argv)


if __name__ == "__main__":
    sys.exit(main())
