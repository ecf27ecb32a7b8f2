"""Security answers: the page for a login django-axes has locked (``AXES_LOCKOUT_CALLABLE``),
the limit on anonymous request bodies, and the minimum password length's message in Chinese."""
from django.conf import settings
from django.contrib.auth import password_validation
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext

_BODY_METHODS = ("POST", "PUT", "PATCH")


def locked_out(request, original_response=None, credentials=None):
    """A Chinese page (HTTP 429) saying why and for how long."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return render(request, "registration/locked_out.html",
                  {"failure_limit": settings.AXES_FAILURE_LIMIT, "minutes": minutes}, status=429)


class AnonymousBodyLimitMiddleware:
    """A request without a session cookie whose body is over ``ANONYMOUS_BODY_MAX`` bytes
    (413), or of unknown length (411), is refused before Django reads or spools it: only
    signed-in editors upload files, and nothing anonymous posts more than a login form."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if (request.method in _BODY_METHODS
                and settings.SESSION_COOKIE_NAME not in request.COOKIES):
            length = request.META.get("CONTENT_LENGTH") or ""
            if not length.isdigit():
                if request.META.get("HTTP_TRANSFER_ENCODING"):
                    return HttpResponse("请求须注明长度（Content-Length）。", status=411,
                                        content_type="text/plain; charset=utf-8")
            elif int(length) > settings.ANONYMOUS_BODY_MAX:
                return HttpResponse(
                    f"请求内容过大：未登录时上限为 {settings.ANONYMOUS_BODY_MAX // 1024} KB。",
                    status=413, content_type="text/plain; charset=utf-8")
        return self.get_response(request)


class MinimumLengthValidator(password_validation.MinimumLengthValidator):
    """Django's, with a Chinese message: Django 5.2 changed the message's msgid and its zh-hans
    catalogue still translates only the old one, so readers saw this one error in English."""

    def get_error_message(self):
        return gettext("这个密码太短。密码必须包含至少 %(min_length)d 个字符。") % {
            "min_length": self.min_length}
