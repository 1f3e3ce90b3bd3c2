"""Benchmark: reading a job posting's page, against a bare parse of the same page.

python -m benchmarks.postings            # the test pages, and generated 200 KB / 2 MB pages
python -m benchmarks.postings --repeat 20

For each page the table gives the time of ``read_posting(None, html)`` (find
the ``JobPosting``, map it to an application's fields, the description's HTML
turned to text) and of a bare ``BeautifulSoup(html, "lxml")`` of the same page
measured in the same run, and their ratio: what the import adds to parsing
the page once. Nothing is stored and nothing is fetched, so no database runs.
"""

from __future__ import annotations

import argparse
import json
import sys
from functools import partial
from pathlib import Path

from bs4 import BeautifulSoup
from rich.console import Console
from rich.table import Table

from benchmarks.measure import median_seconds
from database.io.postings import read_posting
from database.io.postings.text import parser
from utils.errors import ValidationError

PAGES = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "postings"
PARAGRAPH = "<p>We build data pipelines with Python, SQL and a lot of care. </p>\n"


def generated(size: int, with_posting: bool) -> str:
    """A page of about ``size`` bytes of paragraphs, with a ``JobPosting`` or without one."""
    posting = {
        "@context": "https://schema.org",
        "@type": "JobPosting",
        "title": "Data Engineer",
        "hiringOrganization": {"@type": "Organization", "name": "Globex"},
        "description": "<p>Build our pipelines.</p>" * 20,
    }
    script = f'<script type="application/ld+json">{json.dumps(posting)}</script>'
    body = PARAGRAPH * (size // len(PARAGRAPH))
    head = script if with_posting else "<title>Data Engineer at Globex</title>"
    return f"<html><head>{head}</head><body>{body}</body></html>"


def pages() -> dict[str, str]:
    """The test pages shaped like the big job sites', then the generated ones."""
    found = {p.stem: p.read_text(encoding="utf-8") for p in sorted(PAGES.glob("*.html"))}
    found["generated 200 KB"] = generated(200_000, with_posting=True)
    found["generated 2 MB"] = generated(2_000_000, with_posting=True)
    found["generated 2 MB, no JSON-LD"] = generated(2_000_000, with_posting=False)
    return found


def read(html: str) -> bool:
    """Read the posting in ``html`` as the import does; whether one was found."""
    try:
        read_posting(None, html)
    except ValidationError:  # a page without a posting is refused: timed all the same
        return False
    return True


def main(argv: list[str] | None = None) -> int:
    """Print the table; exit 0."""
    options = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    options.add_argument("--repeat", type=int, default=7, help="runs per measurement (median)")
    args = options.parse_args(argv)
    table = Table(title="Posting import: read_posting(html) vs a bare BeautifulSoup parse")
    for column in ("page", "size", "read_posting", "bare parse", "ratio"):
        table.add_column(column, justify="left" if column == "page" else "right")
    for name, html in pages().items():
        repeat = max(1, args.repeat // 3) if len(html) > 1_000_000 else args.repeat
        ours = median_seconds(partial(read, html), repeat, warmup=1)
        bare = median_seconds(partial(BeautifulSoup, html, parser()), repeat, warmup=1)
        table.add_row(
            name if read(html) else f"{name} (refused: no posting)",
            f"{len(html.encode()) / 1024:,.0f} KB",
            f"{ours * 1000:,.1f} ms",
            f"{bare * 1000:,.1f} ms",
            f"{ours / bare:.2f}",
        )
    Console().print(table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
