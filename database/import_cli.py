"""``python -m database.import_cli``: runs :mod:`cli.import_csv` (``auto-applyer-import``)."""

import sys

from cli.import_csv import build_parser, main

__all__ = ["build_parser", "main"]

if __name__ == "__main__":
    sys.exit(main())
