"""Database alerts: rules over the health report, their states, samples for the charts.

- :mod:`.rules`: the rules, their thresholds (``ALERT_*``) and the pure :func:`evaluate`.
- :mod:`.figures`: the figures of a health report sampled into ``metric_samples``.
- :mod:`.monitor`: one tick: sample, evaluate, record the states, announce new episodes.
"""

from database.services.alerts.monitor import (
    TickReport,
    Transition,
    run_health_tick,
    run_leased_health_tick,
)
from database.services.alerts.rules import (
    AlertSettings,
    Finding,
    Rule,
    default_rules,
    evaluate,
    load_alert_settings,
)

__all__ = [
    "AlertSettings",
    "Finding",
    "Rule",
    "TickReport",
    "Transition",
    "default_rules",
    "evaluate",
    "load_alert_settings",
    "run_health_tick",
    "run_leased_health_tick",
]
