"""Statement fingerprints: every value out, the statement's shape kept."""

from __future__ import annotations

import pytest

from database.core.monitoring.fingerprint import MAX_LENGTH, fingerprint
from database.core.monitoring.statements import percentile


@pytest.mark.parametrize(
    ("statement", "expected"),
    [
        ("SELECT * FROM users WHERE id = ?", "SELECT * FROM users WHERE id = ?"),
        ("SELECT 1 FROM t WHERE a = %(a_1)s AND b = %s", "SELECT ? FROM t WHERE a = ? AND b = ?"),
        ("SELECT $1::int, :since", "SELECT ?::int, ?"),
        ("SELECT 'O''Brien', 42, -3.5e2", "SELECT ?, ?, ?"),
        ("DELETE FROM t WHERE id IN (?, ?, ?, ?)", "DELETE FROM t WHERE id IN (...)"),
        ("INSERT INTO t (a, b) VALUES (?, ?), (?, ?), (?, 3)", "INSERT INTO t (a, b) VALUES (...)"),
        (
            "INSERT INTO t (a, b) VALUES (?::INTEGER, ?::TIMESTAMP WITH TIME ZONE) RETURNING t.id",
            "INSERT INTO t (a, b) VALUES (...) RETURNING t.id",
        ),
        ("SELECT  a\n\t FROM   t -- note\n WHERE b /* x */ = ?", "SELECT a FROM t WHERE b = ?"),
    ],
)
def test_values_and_placeholders_are_taken_out(statement: str, expected: str) -> None:
    assert fingerprint(statement) == expected


def test_names_with_digits_are_kept() -> None:
    statement = 'SELECT anon_1.x2, "col3" FROM t1 AS anon_1 LIMIT ? OFFSET ?'
    assert fingerprint(statement) == statement


def test_statements_differing_only_in_values_share_a_fingerprint() -> None:
    first = fingerprint("SELECT * FROM t WHERE email = 'ann@example.com' AND n IN (1, 2)")
    second = fingerprint("SELECT * FROM t WHERE email = 'bob@example.com' AND n IN (7, 8, 9)")
    assert first == second
    assert "example" not in first


def test_a_huge_statement_is_cut() -> None:
    text = fingerprint("SELECT " + ", ".join(f"c{i}" for i in range(2000)) + " FROM t")
    assert len(text) == MAX_LENGTH and text.endswith("…")


def test_percentiles_are_nearest_rank() -> None:
    values = [float(n) for n in range(1, 101)]
    assert [percentile(values, f) for f in (0.5, 0.95, 0.99, 1.0)] == [50.0, 95.0, 99.0, 100.0]
    assert percentile([], 0.5) == 0.0 and percentile([7.0], 0.99) == 7.0
