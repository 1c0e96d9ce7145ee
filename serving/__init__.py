"""Serving and rendering, a layer above the domain package: starting the dashboard on a free
loopback port (gunicorn or a thread), headless Chromium, and the meeting pack as PDF.

`kcsp` (the domain) never imports this package; the import contract in pyproject.toml says so.
"""
