"""The arithmetic of ``benchmarks/api.py``: wrk's figures, the ratios, the goals, the table."""

from __future__ import annotations

import pytest

from benchmarks.api import (
    COLUMNS,
    P99_GOAL,
    SCENARIOS,
    THROUGHPUT_GOAL,
    Load,
    Row,
    cells,
    lua_script,
    parse_wrk,
)

WRK_OUTPUT = """Running 8s test @ http://127.0.0.1:8000/api/v1/statistics
  2 threads and 8 connections
  4000 requests in 8.00s, 2.1MB read
BENCHMARK-RESULT 4000 8000000 12500 48250 3
"""


def _row(api: Load, bare: Load) -> Row:
    return Row("GET /statistics", 8, api, bare)


def test_wrk_figures_become_requests_per_second_and_milliseconds() -> None:
    load = parse_wrk(WRK_OUTPUT)

    assert load == Load(requests_per_s=500.0, p50_ms=12.5, p99_ms=48.25, errors=3)


def test_wrk_output_without_the_result_line_is_refused() -> None:
    with pytest.raises(ValueError, match="BENCHMARK-RESULT"):
        parse_wrk("Running 8s test\n  connection refused\n")


def test_ratios_compare_the_api_with_the_bare_app() -> None:
    row = _row(Load(150.0, 10.0, 60.0), Load(200.0, 8.0, 40.0))

    assert row.throughput_ratio == pytest.approx(0.75)
    assert row.p99_ratio == pytest.approx(1.5)


def test_goals_hold_exactly_at_their_bounds() -> None:
    bare = Load(100.0, 5.0, 40.0)
    at_bounds = Load(100.0 * THROUGHPUT_GOAL, 7.0, 40.0 * P99_GOAL)

    assert _row(at_bounds, bare).met


@pytest.mark.parametrize(
    "api",
    [
        Load(59.0, 7.0, 50.0),  # too few requests per second
        Load(90.0, 7.0, 61.0),  # p99 too slow
        Load(90.0, 7.0, 50.0, errors=1),  # a failed request
    ],
)
def test_a_missed_goal_or_a_failed_request_is_not_met(api: Load) -> None:
    assert not _row(api, Load(100.0, 5.0, 40.0)).met


def test_a_bare_app_that_served_nothing_gives_no_meaningful_ratio() -> None:
    row = _row(Load(10.0, 5.0, 40.0), Load(0.0, 0.0, 0.0))

    assert row.throughput_ratio == 0
    assert row.p99_ratio == float("inf")
    assert not row.met


def test_the_table_shows_each_figure_in_its_column() -> None:
    row = _row(Load(1234.4, 10.04, 60.0), Load(2000.0, 8.0, 40.0, errors=2))

    shown = dict(zip(COLUMNS[:3], cells(row)[:3], strict=True))

    assert len(cells(row)) == len(COLUMNS)
    assert shown == {"scenario": "GET /statistics", "clients": "8", "API req/s": "1,234"}
    assert cells(row)[3:] == [
        "10.0", "60.0", "2,000", "8.0", "40.0", "62%", "1.50x", "0/2", "NO",
    ]  # fmt: skip


def test_the_wrk_script_sends_the_body_and_the_token_only_where_needed() -> None:
    sign_in = next(s for s in SCENARIOS if not s.signed_in)
    create = next(s for s in SCENARIOS if s.method == "POST" and s.signed_in)

    anonymous = lua_script(sign_in, "aa_secret")
    signed_in = lua_script(create, "aa_secret")

    assert "Authorization" not in anonymous
    assert f"wrk.body = [==[{sign_in.body}]==]" in anonymous
    assert 'wrk.headers["Authorization"] = "Bearer aa_secret"' in signed_in
    assert 'wrk.headers["Content-Type"] = "application/json"' in signed_in
    assert "latency:percentile(99)" in signed_in
