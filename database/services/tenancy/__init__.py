"""Actor-scoped services: the one place that decides who may read or change what.

Each module covers one resource family and takes the caller's session and the
acting :class:`~database.domain.accounts.Actor`; the API and the hosted
dashboard call these, never the domain directly, for a person's data.
Something the actor may not read is "not found" (``None``/``False``); something
they may read but not change raises :class:`~utils.errors.PermissionDeniedError`.
"""
