"""gunicorn's settings for the portal's web instances (deploy/systemd/geoportal-web@.service and
`make cluster`): threaded workers, since requests mostly wait on PostgreSQL and Redis."""

import os

wsgi_app = "geoportal.wsgi"
workers = int(os.environ.get("WEB_WORKERS", "2"))
worker_class = "gthread"
threads = int(os.environ.get("WEB_THREADS", "8"))
# Longer than nginx keeps an idle upstream connection, so nginx closes first.
keepalive = 75
timeout = 120
graceful_timeout = 30
# A worker is replaced now and then, so that a slow leak never grows.
max_requests = 20000
max_requests_jitter = 2000
# nginx logs the requests; errors go to the journal (or the cluster's log file).
errorlog = "-"
loglevel = "info"
forwarded_allow_ips = "127.0.0.1"
# Several instances run side by side and are managed with signals: no shared control socket.
control_socket_disable = True
