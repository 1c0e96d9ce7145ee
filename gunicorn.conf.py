"""Gunicorn settings: the app (and its dataset) is loaded once before the workers fork; threaded
workers that give a connection a thread only once its whole request has arrived, within
KCSP_REQUEST_DEADLINE_S (serving.workers), so slow, idle or stalled clients cannot hold the server.
In production a buffering proxy sits in front as well (deploy/)."""

import os

from serving.workers import harden_gunicorn_errors, wrap_app

preload_app = True
worker_class = "serving.workers.ThreadWorker"
threads = int(os.environ.get("KCSP_THREADS", "8"))
# A worker stops accepting while this many of its connections have (or queue for) a thread, so the
# other workers get their share; connections still sending their request do not count.
worker_connections = 2 * threads
# A worker's main loop, not a request, keeps it alive; the store lock gives up well before this
# (kcsp.store.LOCK_TIMEOUT_S) and answers 503 "busy, try again".
timeout = 60
graceful_timeout = 20
# Every request on a connection of its own, so each one gets the request deadline.
keepalive = 0
limit_request_line = 4094
limit_request_fields = 100
limit_request_field_size = 8190
accesslog = "-"
post_worker_init = wrap_app
# No control socket: gunicorn's default one sits at a path shared by every gunicorn of the user
# ($HOME/.gunicorn/gunicorn.ctl), and nothing here uses gunicornc.
control_socket_disable = True

harden_gunicorn_errors()
