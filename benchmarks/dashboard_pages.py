"""Dashboard page render times with 10,000 applications for one profile.

python -m benchmarks.dashboard_pages [--applications N] [--database-url URL]

Builds a throwaway SQLite file (or uses the given database, which it empties),
loads one profile with N applications (a third moved along the pipeline, each
move in its status history), then renders every page headless with Streamlit's
AppTest: the first render of a page (cold: empty caches) and the median of
later renders. Also times the three export files, and, for scale, the raw
``sqlite3`` driver running the Applications page's main query.
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import streamlit as st
from rich.console import Console
from rich.table import Table
from streamlit.testing.v1 import AppTest

from dashboard import exports, queries
from database.bootstrap import init_database
from database.core.session import db_session_scope
from database.domain import applications
from database.models import ApplicationStatus as S
from database.models import JobApplication
from database.utilities import DatabaseUtils

APP = Path(__file__).resolve().parent.parent / "dashboard" / "app.py"
PAGES = (
    "Applications",
    "Analytics",
    "Search",
    "Resumes",
    "Profile & preferences",
    "Search history",
    "Backups",
    "Settings",
)
PIPELINE = (S.SCREENING, S.INTERVIEW_SCHEDULED, S.INTERVIEWED, S.OFFER_RECEIVED)
WARM_RUNS = 5


def _rows(count: int) -> list[dict[str, object]]:
    start = datetime(2025, 1, 1, tzinfo=UTC)
    sources = ("linkedin", "indeed", "glassdoor", "company_site", "referral")
    return [
        {
            "job_title": f"Engineer {n % 97}",
            "company": f"Company {n}",
            "location": ("Remote", "Porto", "Berlin", "Cape Town")[n % 4],
            "source": sources[n % len(sources)],
            "job_description": "Python, SQL and cloud work on data pipelines. " * 30,
            "application_date": start + timedelta(minutes=50 * n),
            "match_score": float(n % 100),
        }
        for n in range(count)
    ]


def build(count: int) -> int:
    """One profile with ``count`` applications; a third moved along the pipeline."""
    user = DatabaseUtils.create_user("bench@example.com", first_name="Bench")
    ids = DatabaseUtils.bulk_add_job_applications(user.id, _rows(count))
    with db_session_scope() as session:
        for index, app_id in enumerate(ids[::3]):
            for status in PIPELINE[: 1 + index % len(PIPELINE)]:
                applications.change_status(session, app_id, status, notes="benchmark move")
    DatabaseUtils.add_resume(user.id, "cv.txt", "cv.txt", parsed_text="Python SQL developer")
    DatabaseUtils.add_search_history(user.id, job_title="Engineer", total_results=10)
    return user.id


def _timed(work: Callable[[], object]) -> float:
    started = time.perf_counter()
    work()
    return time.perf_counter() - started


def _session(user_id: int, page: str) -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=120)
    at.session_state["user_id"] = user_id
    at.session_state["page"] = page
    if page == "Search":
        at.session_state["search.query"] = "python pipelines"
    return at


def startup_time(user_id: int) -> float:
    """The first render in a fresh process: imports Streamlit's elements, charts, the app."""
    at = _session(user_id, "Analytics")
    return _timed(at.run)


def render_times(user_id: int) -> list[tuple[str, float, float]]:
    """Per page: a render with empty caches, then the median of cached renders."""
    results = []
    for page in PAGES:
        st.cache_data.clear()
        at = _session(user_id, page)
        uncached = _timed(at.run)
        assert not at.exception, [e.value for e in at.exception]
        cached = statistics.median(_timed(at.run) for _ in range(WARM_RUNS))
        results.append((page, uncached, cached))
    return results


def export_times(user_id: int) -> list[tuple[str, float]]:
    """Seconds to build each export of every application of the profile."""
    everything = queries.ApplicationFilter()
    user = DatabaseUtils.get_user_by_id(user_id)
    assert user is not None

    def pdf() -> bytes:
        rows = list(queries.iter_applications(user_id, everything))
        header = exports.ReportHeader(user.full_name, user.email, None, everything.describe())
        return exports.applications_pdf(header, rows, queries.histories([r.id for r in rows]))

    def rows() -> Iterator[JobApplication]:
        return queries.iter_applications(user_id, everything)

    return [
        ("CSV", _timed(lambda: exports.applications_csv(rows()))),
        ("Excel", _timed(lambda: exports.applications_xlsx(rows()))),
        ("PDF", _timed(pdf)),
    ]


def raw_page_query(path: Path, user_id: int) -> float:
    """The Applications page's count and first page through the raw sqlite3 driver."""
    connection = sqlite3.connect(path)
    try:
        started = time.perf_counter()
        connection.execute(
            "SELECT count(*) FROM job_applications WHERE user_id = ?", (user_id,)
        ).fetchone()
        connection.execute(
            "SELECT * FROM job_applications WHERE user_id = ? "
            "ORDER BY application_date DESC, id DESC LIMIT 25",
            (user_id,),
        ).fetchall()
        return time.perf_counter() - started
    finally:
        connection.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--applications", type=int, default=10_000)
    parser.add_argument("--database-url", default=None, help="default: a throwaway SQLite file")
    args = parser.parse_args()
    console = Console()
    folder = Path(tempfile.mkdtemp(prefix="dashboard-bench-"))
    sqlite_file = folder / "bench.sqlite"
    os.environ["DATABASE_URL"] = args.database_url or f"sqlite:///{sqlite_file}"
    os.environ["AUTO_APPLYER_DATA_DIR"] = str(folder / "data")
    os.environ["AUTO_APPLYER_BACKUP_DIR"] = str(folder / "backups")
    environment = "production" if args.database_url else "development"
    os.environ["ENVIRONMENT"] = environment
    init_database(environment, drop_existing=args.database_url is not None)
    with console.status(f"Loading {args.applications:,} applications..."):
        started = time.perf_counter()
        user_id = build(args.applications)
        console.print(
            f"dataset: {args.applications:,} applications in {time.perf_counter() - started:.1f} s"
        )
    console.print(f"first render in a fresh process (imports): {startup_time(user_id):.2f} s")
    table = Table("page", "render, empty caches (s)", f"median of {WARM_RUNS} cached (s)", "< 1 s")
    for page, cold, warm in render_times(user_id):
        table.add_row(page, f"{cold:.3f}", f"{warm:.3f}", "yes" if max(cold, warm) < 1 else "NO")
    console.print(table)
    exports_table = Table("export of every application", "seconds")
    for name, seconds in export_times(user_id):
        exports_table.add_row(name, f"{seconds:.2f}")
    console.print(exports_table)
    if not args.database_url:
        raw = raw_page_query(sqlite_file, user_id)
        console.print(
            f"raw sqlite3, the Applications page's count + first page: {raw * 1000:.1f} ms"
        )


if __name__ == "__main__":
    main()
