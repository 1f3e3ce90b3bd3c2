"""``python -m database.backup_cli``: runs :mod:`cli.backup` (``auto-applyer-backup``)."""

import sys

from cli.backup import build_parser, main

__all__ = ["build_parser", "main"]

if __name__ == "__main__":
    sys.exit(main())
