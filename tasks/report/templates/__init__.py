"""Jinja2 templates of the report (``report.html.j2``); data only."""
