"""Gunicorn settings: the app (and its dataset) is loaded once before the workers fork."""

preload_app = True
timeout = 60
graceful_timeout = 20
accesslog = "-"
