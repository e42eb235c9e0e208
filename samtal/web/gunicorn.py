"""gunicorn's access log as JSON lines naming the route, never the path (with its token)."""

from __future__ import annotations

import json
import time
from datetime import timedelta
from typing import Any

from gunicorn.glogging import Logger

from samtal.web.serving import access_entry


class AccessLogger(Logger):
    """Access entries without tokens, searched names or addresses: see serving.access_entry."""

    def access(self, resp: Any, req: Any, environ: dict[str, Any], request_time: timedelta) -> None:
        """Write one access entry, when the access log is on."""
        if not self.access_log_enabled:
            return
        entry = {
            "time": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            "level": "info",
            "logger": "access",
            **access_entry(environ, resp.status, request_time.total_seconds(), resp.sent),
        }
        self.access_log.info(json.dumps(entry))
