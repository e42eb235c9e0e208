"""gunicorn reads this file when started from the project root (its default config path).

Responses name no server software: gunicorn has no setting for its Server header, so the
name it sends is replaced here, once, before any worker starts.
"""

import gunicorn.http.wsgi

gunicorn.http.wsgi.SERVER = "Samtal"
