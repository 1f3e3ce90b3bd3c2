"""The REST API of Auto Applyer (FastAPI, under ``/api/v1``).

An entry point beside :mod:`cli` and :mod:`dashboard`: it calls the database
domain with a session and the acting person, and nothing imports it. Start it
with ``python -m api`` or ``auto-applyer-api``; build it with
:func:`api.app.create_app`.
"""
