# gunicorn configuration for article8: `gunicorn -c deploy/gunicorn.conf.py article8.wsgi:app`.
# Behind a TLS-terminating proxy on the same host; set ARTICLE8_TRUSTED_PROXIES=1 in the
# environment so that client addresses and HTTPS are taken from X-Forwarded-For/-Proto.
import multiprocessing
import os

bind = os.environ.get("ARTICLE8_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("ARTICLE8_WORKERS", multiprocessing.cpu_count() * 2))
threads = int(os.environ.get("ARTICLE8_THREADS", "4"))
worker_class = "gthread"
# Evidence uploads can be large and slow: do not kill a worker mid-upload.
timeout = int(os.environ.get("ARTICLE8_WORKER_TIMEOUT", "300"))
graceful_timeout = 30
keepalive = 5
# Never preload: each worker builds its own app (and database pool) after the fork. The
# scheduler is NOT started here; it runs as its own process (`article8 scheduler run`).
preload_app = False
accesslog = None  # article8 logs one JSON line per request itself, with the request id
errorlog = "-"
forwarded_allow_ips = os.environ.get("ARTICLE8_FORWARDED_ALLOW_IPS", "127.0.0.1")
max_requests = 5000
max_requests_jitter = 500
