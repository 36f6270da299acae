"""The web face of Tidings: `tidings serve` (pages and a JSON API over one database file).

`create_app(path)` builds the app (`web/app.py`); pages are in `web/pages.py`, the API in
`web/api.py`, what both share in `web/views.py`, the read-only connection in
`web/access.py`. Scripts, styles, fonts and country shapes are vendored in `web/static/`
(see NOTICE.md): nothing is fetched from another origin.
"""
from tidings.web.app import create_app

__all__ = ["create_app"]
