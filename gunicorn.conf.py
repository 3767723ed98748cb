"""The production server's settings (`make serve`), from the environment. gunicorn reads this file by itself.

HOST and PORT: where to listen (127.0.0.1:8000; put a TLS proxy in front, or set CERTFILE and KEYFILE).
WEB_CONCURRENCY: worker processes (2, one per core of the target machine).
THREADS: threads per worker (8): requests mostly wait on the database or the network.
TIMEOUT: seconds a request may take before its worker is restarted (60; a neighbourhood-wide lamp plan takes seconds).
LOG_LEVEL: info. Logs are JSON lines on stderr: the app's one line per request and gunicorn's own messages.
"""
import os

bind = f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
worker_class = "gthread"
threads = int(os.environ.get("THREADS", "8"))
timeout = int(os.environ.get("TIMEOUT", "60"))
graceful_timeout = 30
keepalive = 5
certfile = os.environ.get("CERTFILE") or None
keyfile = os.environ.get("KEYFILE") or None
# Each worker opens its own database connections: nothing is shared across the fork.
preload_app = False
accesslog = None  # webmap.request_log writes one richer JSON line per request
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info")
logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "webmap.request_log.JsonLines"}},
    "handlers": {"stderr": {"class": "logging.StreamHandler", "formatter": "json", "stream": "ext://sys.stderr"}},
    "root": {"level": loglevel.upper(), "handlers": ["stderr"]},
    "loggers": {
        "gunicorn.error": {"level": loglevel.upper(), "handlers": ["stderr"], "propagate": False},
        "gunicorn.access": {"level": "WARNING", "handlers": ["stderr"], "propagate": False},
        "alembic": {"level": "WARNING"},  # /healthz reads the schema revision: not news each time
    },
}
# Proxies in front (Caddy, nginx) say the client's address and scheme; trust only the local one.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
