"""The dashboard's pages; each module has ``render(user_id)`` (the welcome page has none)."""
