"""The specification's ``python database/init_db.py``: runs :mod:`cli.init_db`.

python database/init_db.py --environment development
python -m database.init_db --environment development --demo
"""

import sys
from pathlib import Path

if __package__ in (None, ""):
    # Run as a script: import the project's packages, not this folder's modules.
    _root = str(Path(__file__).resolve().parent.parent)
    sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(_root) / "database"]
    sys.path.insert(0, _root)

from cli.init_db import build_parser, main

__all__ = ["build_parser", "main"]

if __name__ == "__main__":
    sys.exit(main())
