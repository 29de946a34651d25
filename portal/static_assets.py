"""Static files under URLs that change with their content (`?v=<hash>`), so browsers keep them for a year.

A page then costs no request for its stylesheet and scripts once they are cached, and a new release is
fetched at once because its URLs differ. Unversioned URLs keep SEND_FILE_MAX_AGE_DEFAULT.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Any

from flask import Flask, Response, request
from werkzeug.security import safe_join

ONE_YEAR = 365 * 24 * 3600


def init_app(app: Flask) -> None:
    """Add `v=<content hash>` to every url_for('static', …) and serve those URLs as immutable."""
    versions: dict[tuple[str, int, int], str] = {}  # (path, mtime, size) → hash: a changed file is hashed again

    def version(filename: str) -> str:
        path = safe_join(str(app.static_folder), filename)
        try:
            stat = os.stat(path) if path else None  # os.stat: a Path object cost more than the stat itself
        except OSError:
            stat = None
        if path is None or stat is None:
            return ""
        key = (path, stat.st_mtime_ns, stat.st_size)
        digest = versions.get(key)
        if digest is None:
            digest = versions[key] = hashlib.sha256(Path(path).read_bytes()).hexdigest()[:12]
        return digest

    @app.url_defaults
    def _versioned(endpoint: str, values: dict[str, Any]) -> None:
        if endpoint == "static" and "filename" in values and "v" not in values:
            digest = version(values["filename"])
            if digest:
                values["v"] = digest

    @app.after_request
    def _immutable(response: Response) -> Response:
        if request.endpoint == "static" and request.args.get("v") and response.status_code == 200:
            response.cache_control.public = True
            response.cache_control.max_age = ONE_YEAR
            response.cache_control.immutable = True
        return response
