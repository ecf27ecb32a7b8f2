"""Whole reader pages for anonymous readers, cached under the library version.

Most readers are not signed in, and what such a reader is shown depends on the URL and the
state of the library only. ``anonymous_page_cache`` keeps the rendered page of a reader
view in the ``pages`` cache (Redis with ``REDIS_URL``, so every worker and machine shares
it; otherwise per process) under the library version, which every write moves
(``library``): the first anonymous reader after a write gets a fresh page, the next ones
get it for ~1 ms instead of the tens of milliseconds its queries and template cost.

A page is served from the cache, or stored, only when

- the request is a GET or HEAD from a reader who is not signed in, carrying neither a
  session nor a message cookie (a session may hold messages meant for that reader alone),
  nor the cookie of a browser that has just written (it reads the primary database for a few
  seconds, ``compilation.replicas``: its pages are not taken from what replicas showed);
- the response is a plain, complete 200: not streamed, no cookie set, not ``private`` or
  ``no-store``, and no CSRF token rendered into it (a token belongs to one visitor).

``PAGE_CACHE=0`` turns it off. A page served from the cache carries ``X-Page-Cache: hit``.
The key holds the scheme, host, language and the whole path with its query string (a feed's
links are absolute; ``?q=`` and ``?hl=`` change highlights). What middleware adds (security
headers, the CSP, ``Vary``, the request id) is added again to every response, cached or not.
"""
import hashlib
from functools import wraps

from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import caches
from django.http import HttpResponse
from django.template.response import SimpleTemplateResponse
from django.utils.cache import cc_delim_re
from django.utils.translation import get_language

from compilation.replicas import COOKIE as STICKY

from .library import library_version

PAGE_SECONDS = 3600  # a version lives until the next write; this bounds a quiet library's pages
_METHODS = ("GET", "HEAD")
_PRIVATE = {"private", "no-store", "no-cache"}
MESSAGES = CookieStorage.cookie_name  # where Django's default message storage keeps messages


def _cacheable_request(request) -> bool:
    if request.method not in _METHODS:
        return False
    cookies = request.COOKIES
    if any(name in cookies for name in (settings.SESSION_COOKIE_NAME, MESSAGES, STICKY)):
        return False
    return not request.user.is_authenticated


def _key(request) -> str:
    where = "\n".join((request.scheme, request.get_host(), get_language() or "",
                       request.get_full_path()))
    digest = hashlib.sha1(where.encode("utf-8", "surrogatepass")).hexdigest()
    return f"page:{library_version()}:{digest}"


def _storable(request, response) -> bool:
    if response.status_code != 200 or response.streaming or response.cookies:
        return False
    if request.META.get("CSRF_COOKIE_NEEDS_UPDATE"):
        return False  # the page holds this visitor's CSRF token
    directives = {d.strip().split("=")[0].lower()
                  for d in cc_delim_re.split(response.get("Cache-Control", "")) if d.strip()}
    return not directives & _PRIVATE


def anonymous_page_cache(view):
    """Serve ``view``'s pages to anonymous readers from the ``pages`` cache (see above)."""

    @wraps(view)
    def cached_view(request, *args, **kwargs):
        if not settings.PAGE_CACHE or not _cacheable_request(request):
            return view(request, *args, **kwargs)
        cache, key = caches["pages"], _key(request)
        stored = cache.get(key)
        if stored is not None:
            content, headers = stored
            return HttpResponse(content, headers={**headers, "X-Page-Cache": "hit"})
        response = view(request, *args, **kwargs)
        if isinstance(response, SimpleTemplateResponse) and not response.is_rendered:
            response.render()
        if _storable(request, response):
            cache.set(key, (response.content, dict(response.items())), PAGE_SECONDS)
        return response

    return cached_view
