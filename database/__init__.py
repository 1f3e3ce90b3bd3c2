"""The Auto Applyer database system.

The public API lives in :mod:`database.core.session` (``init_database`` and
sessions), :mod:`database.utilities` (``DatabaseUtils``), :mod:`database.models`
(the schema) and :mod:`database.migrations` (``MigrationManager``).
"""
