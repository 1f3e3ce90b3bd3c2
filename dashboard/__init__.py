"""The Auto Applyer dashboard: a Streamlit app over the project's Python API.

Pages live in :mod:`dashboard.views`; reads the façade lacks live in
:mod:`dashboard.queries`; files users hand in or take away live in
:mod:`dashboard.resume_files` and :mod:`dashboard.exports`.
"""
