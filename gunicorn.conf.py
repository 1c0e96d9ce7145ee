"""Gunicorn settings: the app (and its dataset) is loaded once before the workers fork; threaded
workers with read timeouts so slow or stalled clients cannot hold the server (serving.workers)."""

import os

from serving.workers import harden_gunicorn_errors, limit_app_concurrency

preload_app = True
worker_class = "serving.workers.ThreadWorker"
threads = int(os.environ.get("KCSP_THREADS", "8"))
# A worker takes no more connections than it can soon serve, so the others get their share.
worker_connections = 2 * threads
# A worker's main loop, not a request, keeps it alive; the store lock gives up well before this
# (kcsp.store.LOCK_TIMEOUT_S) and answers 503 "busy, try again".
timeout = 60
graceful_timeout = 20
# Every request on a connection of its own, so each one gets the read timeout.
keepalive = 0
limit_request_line = 4094
limit_request_fields = 100
limit_request_field_size = 8190
accesslog = "-"
post_worker_init = limit_app_concurrency

harden_gunicorn_errors()
