"""gunicorn settings for one app process of the portal (docs/deploy.md).

Run: ``gunicorn -c deploy/gunicorn.conf.py portal.wsgi``. Each systemd instance
``portal-web@PORT`` is one such process bound to 127.0.0.1:PORT; nginx balances between them.
"""

import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8001")
# Sync workers: every view is short and the database is the limit; 2 per core is the usual start.
workers = int(os.environ.get("GUNICORN_WORKERS", "2"))
worker_class = "sync"
# A request longer than this is killed and logged: uploads are limited to a few MB (nginx
# buffers the body first), so nothing legitimate takes this long.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 20
# Behind nginx's keep-alive upstream pool.
keepalive = 75
# Recycle workers now and then so a slow leak never grows without bound.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "5000"))
max_requests_jitter = 500
# Load the application once in the master and fork: less memory per worker.
preload_app = True
# The path without the query string: search terms, tracking parameters and tokens never reach
# the access log (docs/configuration.md, "Logging").
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-") or None
access_log_format = '%(h)s "%(m)s %(U)s" %(s)s %(B)s %(M)sms'
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
proc_name = "portal-web"
