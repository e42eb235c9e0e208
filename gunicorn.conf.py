"""gunicorn for Samtal, read when started from the project root (its default config path) or
with `-c gunicorn.conf.py`: `gunicorn 'app:create_app()'`, installed: 'samtal:create_app()'.

Every value can be overridden on the command line or in GUNICORN_CMD_ARGS; the SAMTAL_*
variables below are read here so the systemd unit and the container need only an environment.
Run `flask --app app samtal migrate` before starting: the workers only check the schema.
"""

import os

import gunicorn.http.wsgi

# Responses name no server software: gunicorn has no setting for its Server header, so the
# name it sends is replaced here, once, before any worker starts.
gunicorn.http.wsgi.SERVER = "Samtal"

bind = os.environ.get("SAMTAL_BIND", "127.0.0.1:8000")
# Threads carry most of the load (a step waits on the database, not the CPU); a worker per
# core keeps a PDF render from holding up the pages.
workers = int(os.environ.get("SAMTAL_WORKERS", os.cpu_count() or 2))
threads = int(os.environ.get("SAMTAL_THREADS", "8"))
worker_class = "gthread"
# A summary's PDF takes a second or two on a busy machine; nothing should take a minute.
timeout = 60
graceful_timeout = 30
keepalive = 5
# Requests are small (a step's form, 64 kB at most): refuse anything larger early.
limit_request_line = 4094
# JSON lines on stdout naming the route, never the path: paths carry the tokens.
accesslog = "-"
errorlog = "-"
logger_class = "samtal.web.gunicorn.AccessLogger"
# The app builds itself in each worker after the fork (database connections are per process).
preload_app = False


def on_starting(server):
    """Tell the app the threads per worker (the command line may have changed them): the
    database pool is sized from them."""
    os.environ["SAMTAL_THREADS"] = str(server.cfg.threads)
