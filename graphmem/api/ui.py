"""The memory explorer at ``/ui``: static files shipped in the package, no build step.

The files hold no data, so they are public (``opt={"public": True}``); every data call the page
makes goes through the API with the key the user types in, under the same guards as any client.
``/ui`` and ``/ui/`` both serve ``index.html``, which is why the page refers to its assets by
absolute path.
"""

from __future__ import annotations

from pathlib import Path

from litestar import Response, Router
from litestar.datastructures import CacheControlHeader
from litestar.static_files import create_static_files_router

__all__ = ["SECURITY_HEADERS", "STATIC_DIR", "ui_router"]

STATIC_DIR = Path(__file__).resolve().parent.parent / "ui" / "static"

# Only our own origin: no CDN, no inline script, so text from memories can never run as code.
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "connect-src 'self'; base-uri 'none'; frame-ancestors 'none'; form-action 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}


async def _secure(response: Response) -> Response:
    response.headers.update(SECURITY_HEADERS)
    return response


def ui_router() -> Router:
    """The static files router for ``create_app`` to register."""
    return create_static_files_router(
        path="/ui",
        directories=[STATIC_DIR],
        html_mode=True,  # "/ui" and "/ui/" answer with index.html
        name="ui",
        opt={"public": True},
        after_request=_secure,
        cache_control=CacheControlHeader(no_cache=True),  # revalidate, so an upgrade shows at once
        include_in_schema=False,
    )
