"""Entry point for `flask --app app …` and WSGI servers (gunicorn 'app:create_app()')."""

from samtal import create_app

__all__ = ["create_app"]
