"""The dashboard's pages; each module has ``render(user_id)`` (the welcome page has none).

Not named ``pages``: Streamlit would list a ``pages/`` folder beside the app
as pages of its own.
"""
