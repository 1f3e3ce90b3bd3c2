"""The ``DatabaseUtils`` calls of database alerts and the sampled health figures."""

from __future__ import annotations

import math
from datetime import datetime, timedelta
from typing import Any

from database.core.column_types import utcnow
from database.core.tenant import trusted_manager
from database.domain import alert_states, metric_samples
from database.models import AlertState
from database.services.alerts import default_rules, run_health_tick
from database.services.alerts.monitor import sample_due
from database.services.calls import run
from utils.errors import ValidationError

#: The fields of an alert's state, as :meth:`AlertCalls.get_alerts` gives them.
#: The longest metric name (the column's length).
MAX_NAME = 100
STATE_FIELDS = ("firing", "since", "value", "threshold", "message", "episodes", "evaluated_at")


class AlertCalls:
    """The alert rules' states, their evaluation, and the samples charted beside them."""

    @staticmethod
    def get_alerts() -> list[dict[str, Any]]:
        """Every alert rule and its state, by rule name.

        Each is ``{"rule", "title", "firing", "since", "value", "threshold",
        "message", "episodes", "evaluated_at"}``; a rule never evaluated is not
        firing, has no episodes and ``evaluated_at`` ``None``.
        """
        return _states(run(alert_states.list_states))

    @staticmethod
    def evaluate_alerts(min_interval_seconds: float = 0.0) -> list[dict[str, Any]]:
        """Read the health report, sample it, evaluate every rule; the states afterwards.

        A rule that starts firing notifies every server administrator and logs
        a warning, once per episode; one that no longer breaches clears. With
        ``min_interval_seconds``, nothing is done when the newest sample is
        younger than that (a page that evaluates on view). Each state has a
        ``"transition"``: ``"fired"``, ``"cleared"`` or ``None``.
        """
        _check_seconds(min_interval_seconds, "min_interval_seconds", 366 * 86400)
        moved: dict[str, str] = {}
        due = min_interval_seconds <= 0 or run(
            lambda s: sample_due(s, utcnow(), min_interval_seconds)
        )
        if due:
            # The owner writes the administrators' notifications (row-level security).
            report = run_health_tick(trusted_manager())
            moved = {t.rule: "fired" if t.started else "cleared" for t in report.transitions}
        states = _states(run(alert_states.list_states))
        for state in states:
            state["transition"] = moved.get(state["rule"])
        return states

    @staticmethod
    def get_metric_series(name: str, hours: float = 24.0) -> list[tuple[datetime, float]]:
        """The samples of ``name`` over the last ``hours`` hours, oldest first."""
        if not isinstance(name, str) or not 0 < len(name) <= MAX_NAME:
            raise ValidationError("name", f"must be a metric name of 1 to {MAX_NAME} characters")
        _check_seconds(hours, "hours", 100 * 366 * 24)
        since = utcnow() - timedelta(hours=hours)
        return run(lambda s: metric_samples.series(s, name, since))


def _check_seconds(value: Any, field: str, most: float) -> None:
    """``value`` is a number from 0 to ``most``, or :class:`ValidationError` on ``field``."""
    if type(value) not in (int, float) or not (math.isfinite(value) and 0 <= value <= most):
        raise ValidationError(field, f"must be a number from 0 to {most:g}", value)


def _states(stored: list[AlertState]) -> list[dict[str, Any]]:
    by_rule = {state.rule: state for state in stored}
    known = {rule.name: rule for rule in default_rules()}
    states = []
    for name in sorted(known.keys() | by_rule.keys()):
        state = by_rule.get(name)
        rule = known.get(name)
        row: dict[str, Any] = {"rule": name, "title": rule.title if rule else name}
        if state is None:
            row.update(dict.fromkeys(STATE_FIELDS), firing=False, episodes=0)
            row["threshold"] = rule.threshold if rule else None
        else:
            row.update({f: getattr(state, f) for f in STATE_FIELDS})
        states.append(row)
    return states
