"""One health tick: sample the charted figures, evaluate the alert rules, record and announce.

:func:`run_health_tick` is what the API's scheduler runs every
``API_HEALTH_INTERVAL`` seconds and the dashboard's health page runs when it
is viewed (at most once a minute). The states, the samples and the
administrators' notifications are written in one transaction; an episode that
starts is logged as a warning and announced once (see
:mod:`database.domain.alert_states`), one that ends is logged as cleared. The
log lines are written after the commit, so a rolled-back tick logs nothing.
"""

from __future__ import annotations

import logging
import os
import socket
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from database.core.column_types import as_utc, utcnow
from database.core.session import DatabaseManager
from database.domain import alert_states, maintenance, metric_samples
from database.domain.notifications import alerts as notices
from database.services.alerts.figures import figures
from database.services.alerts.rules import Finding, Rule, default_rules, evaluate
from database.services.health import get_database_health

log = logging.getLogger(__name__)
#: The lease of the worker that evaluates the alerts for every worker of the service.
MONITOR_LEASE = "health-monitor"


@dataclass(frozen=True)
class Transition:
    """A rule that started firing (``started``) or cleared in this tick."""

    rule: str
    started: bool
    episode: int | None
    message: str


@dataclass(frozen=True)
class TickReport:
    """What one tick did: samples stored, what each rule showed, which ones moved."""

    sampled: int
    findings: list[Finding] = field(default_factory=list)
    transitions: list[Transition] = field(default_factory=list)


def read_health() -> dict[str, Any]:
    """The current health report of the global database (``get_database_health()``)."""
    return get_database_health()


def run_health_tick(
    manager: DatabaseManager,
    *,
    health: Mapping[str, Any] | None = None,
    rules: Sequence[Rule] | None = None,
    now: datetime | None = None,
    sample_every: float = 0.0,
) -> TickReport:
    """Evaluate every rule against ``health`` (default: :func:`read_health`) at ``now``.

    A sample of the charted figures is stored unless one was taken less than
    ``sample_every`` seconds before ``now`` (several workers ticking at once
    then chart one point between them, not one each). ``manager`` must reach
    every administrator's notifications (the tables' owner on PostgreSQL).
    """
    moment = now or utcnow()
    report = read_health() if health is None else health
    findings = evaluate(report, default_rules() if rules is None else rules, moment)
    with manager.session_scope() as session:
        sampled = sample(session, report, moment, sample_every)
        transitions = apply_findings(session, findings, moment)
    for moved in transitions:
        if moved.started:
            log.warning(
                "Alert %s firing (episode %s): %s", moved.rule, moved.episode, moved.message
            )
        else:
            log.info("Alert %s cleared: %s", moved.rule, moved.message)
    return TickReport(sampled, findings, transitions)


def run_leased_health_tick(
    manager: DatabaseManager,
    interval: float,
    *,
    holder: str | None = None,
    now: datetime | None = None,
) -> TickReport | None:
    """:func:`run_health_tick` in the one worker holding the monitor's lease; ``None`` elsewhere.

    The statement and pool figures are each process's own: were every worker to
    judge its own, one could fire an alert that the next clears. The lease
    (renewed each tick, taken over when its holder stops ticking for three
    intervals) makes one worker the judge at a time.
    """
    holder = holder or f"{socket.gethostname()}:{os.getpid()}"
    moment = now or utcnow()
    ttl = timedelta(seconds=max(3 * interval, 1.0))
    with manager.session_scope() as session:
        held = maintenance.renew_lock(
            session, MONITOR_LEASE, holder, now=moment, ttl=ttl
        ) or maintenance.take_lock(session, MONITOR_LEASE, holder, now=moment, ttl=ttl)
    if not held:
        return None
    return run_health_tick(manager, now=moment, sample_every=interval / 2)


def sample(session: Session, health: Mapping[str, Any], now: datetime, every: float = 0.0) -> int:
    """Store the charted figures of ``health`` unless a sample is under ``every`` seconds old."""
    if every > 0 and not sample_due(session, now, every):
        return 0
    return metric_samples.record(session, figures(health), now)


def sample_due(session: Session, now: datetime, every: float) -> bool:
    """Whether the newest sample is at least ``every`` seconds older than ``now`` (or absent)."""
    newest = metric_samples.newest_taken_at(session)
    return newest is None or as_utc(newest) <= now - timedelta(seconds=every)


def apply_findings(
    session: Session, findings: Sequence[Finding], now: datetime
) -> list[Transition]:
    """Record each finding in ``alert_states``; the episodes it started and ended.

    Rules are updated in name order (concurrent ticks lock rows in one order);
    the notifications of started episodes, with their events, are written last.
    """
    ordered = sorted(findings, key=lambda f: f.rule)
    alert_states.ensure(session, (f.rule for f in ordered))
    transitions: list[Transition] = []
    for finding in ordered:
        moved = _move(session, finding, now)
        if moved is not None:
            transitions.append(moved)
    titles = {f.rule: f.title for f in ordered}
    for moved in transitions:
        if moved.started and moved.episode is not None:
            notices.notify_server_admins(session, _notice(moved, titles[moved.rule]), now)
    return transitions


def _move(session: Session, finding: Finding, now: datetime) -> Transition | None:
    """Record one finding; the episode it started or ended, if any."""
    rule, value, threshold, message = (
        finding.rule,
        finding.value,
        finding.threshold,
        finding.message,
    )
    if finding.firing:
        episode = alert_states.start_episode(
            session, rule, value=value, threshold=threshold, message=message, now=now
        )
        if episode is not None:
            return Transition(rule, True, episode, message)
    elif alert_states.end_episode(
        session, rule, value=value, threshold=threshold, message=message, now=now
    ):
        return Transition(rule, False, None, message)
    alert_states.record_reading(
        session, rule, firing=finding.firing, value=value, threshold=threshold,
        message=message, now=now,
    )  # fmt: skip
    return None


def _notice(moved: Transition, title: str) -> notices.AlertNotice:
    assert moved.episode is not None
    return notices.AlertNotice(
        rule=moved.rule,
        episode=moved.episode,
        title=f"Database alert: {title}",
        body=f"{moved.message}. The alert {moved.rule!r} fires until the condition clears;"
        " the dashboard's Database health page shows its state.",
    )
