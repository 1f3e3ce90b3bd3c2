"""Notifications: reminders that fall due, their e-mail delivery, and the interview calendar feed.

- :mod:`.reminders`: which reminders are due, each created exactly once.
- :mod:`.inbox`: a person's notifications, listed, counted and marked read.
- :mod:`.delivery`: claiming due e-mails and recording each send's outcome.
- :mod:`.calendar`: the feed secret and the interviews the feed shows.
"""
