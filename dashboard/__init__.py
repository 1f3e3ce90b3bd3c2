"""The Auto Applyer dashboard: a Streamlit app over the project's Python API.

``app`` is the entry point; ``navigation`` draws the sidebar and picks the page;
``state`` holds what a browser session remembers. Pages live in
:mod:`dashboard.views` and draw with the pieces in :mod:`dashboard.components`
(escaping, forms, status labels). Reads the façade lacks live in
:mod:`dashboard.queries`; files users hand in or take away live in
:mod:`dashboard.resume_files` (with :mod:`dashboard.skills`) and
:mod:`dashboard.exports`.
"""
