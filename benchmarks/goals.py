"""The goals of issues 4 and 8, checked against the measured results."""

from __future__ import annotations

from benchmarks.measure import Result

ANALYTICS = {
    "get_application_statistics", "funnel", "conversion by source", "conversion by resume",
    "time in stage", "applications per week", "response stats", "stale applications",
}  # fmt: skip


def judge(results: list[Result]) -> None:
    """Fill in ``goal`` and ``met`` of each result that has a goal."""
    like = {
        (r.engine, r.rows, r.operation.split(", ")[-1]): r.api
        for r in results
        if r.operation.startswith("LIKE scan of whole table")
    }
    for r in results:
        if r.unit == "rows/s":
            share = 0.6 if r.engine == "sqlite" else 0.5
            r.goal = f">= {share:.0%} of raw"
            r.met = r.raw is not None and r.api >= share * r.raw
        elif r.operation.startswith("add_job_application") and "NORMAL" not in r.operation:
            r.goal = "<= 2x raw"  # issue 8
            r.met = r.ratio is not None and r.ratio <= 2
        elif r.operation == "get_application_statistics":
            r.goal = "<= 1.5x raw, < 5 ms"  # issue 8
            r.met = r.ratio is not None and r.ratio <= 1.5 and r.api < 0.005
        elif r.operation in ANALYTICS:
            r.goal = "<= 2x raw, < 5 ms"
            r.met = r.ratio is not None and r.ratio <= 2 and r.api < 0.005
        elif r.operation.startswith("listing"):
            r.goal = "< 2 ms"
            r.met = r.api < 0.002
        elif r.operation.startswith("search"):
            kind = "rare" if "rare" in r.operation else "common"
            scan = like.get((r.engine, r.rows, kind))
            r.goal = "< 10 ms, >= 20x LIKE table scan"
            r.met = r.api < 0.010 and scan is not None and scan >= 20 * r.api
