"""Statistics over a user's applications, computed in SQL.

- :mod:`~database.domain.stats.summary`: totals, status breakdown, interview rate, match score
  (the spec's ``get_application_statistics``).
- :mod:`~database.domain.stats.conversion`: the stage funnel and outcomes per source and resume.
- :mod:`~database.domain.stats.timing`: time in each status, applications per week, employer
  response times, stale applications.
- :mod:`~database.domain.stats.tags`: outcomes per tag of the person's vocabulary.
- :mod:`~database.domain.stats.stages`: the pipeline stages and how far each application got.
- :mod:`~database.domain.stats.common`: input bounds, percentages and date arithmetic they share.
"""
