"""Readers' accounts: the password reset request, which says so when its mail was not sent
and is throttled per address and per network address.

Everything else (login, logout, password change, the reset link and its form) is Django's own
views from ``django.contrib.auth.urls`` with our templates in ``templates/registration/``.
Django's reset form logs a failed send and goes on to the “sent” page, so a reader would wait
for a mail that never comes; this form raises instead, and the view puts the error on the form.

Django does not limit reset requests, so anyone could have the site mail an address again and
again. Each address may ask ``PASSWORD_RESET_PER_ADDRESS`` times an hour and each network
address ``PASSWORD_RESET_PER_IP`` times (counted in the cache: shared by every worker when
``REDIS_URL`` is set, otherwise per process). The limit applies whether or not the address has
an account, so it tells no one which addresses exist.
"""
import hashlib
import logging

from axes.helpers import get_client_ip_address
from django.conf import settings
from django.contrib.auth import forms as auth_forms
from django.contrib.auth import views as auth_views
from django.core.cache import cache
from django.core.mail import EmailMultiAlternatives
from django.template import loader
from django.utils.translation import gettext_lazy as _

logger = logging.getLogger("articles.accounts")

MAIL_NOT_SENT = _("邮件未能发出，请稍后再试或联系管理员。")
TOO_MANY = _("重设密码的请求过于频繁，请一小时后再试。")
WINDOW_SECONDS = 3600


def _within_limit(kind: str, value: str, limit: int) -> bool:
    """Count one request of ``value`` in this hour's window; False once over ``limit``."""
    digest = hashlib.sha256(f"{kind}:{value}".encode()).hexdigest()[:32]
    key = f"huibian:password-reset:{digest}"
    cache.add(key, 0, WINDOW_SECONDS)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr: this is the window's first
        cache.add(key, 1, WINDOW_SECONDS)
        return True
    return count is None or count <= limit  # None: the shared cache is away, not counted


class MailNotSent(Exception):
    """The e-mail backend failed to send a reset mail (the cause is chained)."""


class PasswordResetForm(auth_forms.PasswordResetForm):
    def send_mail(self, subject_template_name, email_template_name, context, from_email,
                  to_email, html_email_template_name=None):
        """Django's ``send_mail``, except that a failed send is logged and raises MailNotSent."""
        subject = "".join(loader.render_to_string(subject_template_name, context).splitlines())
        body = loader.render_to_string(email_template_name, context)
        message = EmailMultiAlternatives(subject, body, from_email, [to_email])
        if html_email_template_name is not None:
            message.attach_alternative(
                loader.render_to_string(html_email_template_name, context), "text/html")
        try:
            message.send()
        except Exception as exc:  # SMTPException, OSError (refused, timed out), any backend's
            logger.exception("Password reset mail to user %s was not sent", context["user"].pk)
            raise MailNotSent from exc


class PasswordResetView(auth_views.PasswordResetView):
    """Django's view with the form above. An address with no account still gets the “sent”
    page (nothing is sent, so nothing fails), so the page tells no one which addresses exist."""

    form_class = PasswordResetForm

    def form_valid(self, form):
        address = form.cleaned_data["email"].strip().lower()
        allowed = [
            _within_limit("address", address, settings.PASSWORD_RESET_PER_ADDRESS),
            _within_limit("ip", get_client_ip_address(self.request) or "",
                          settings.PASSWORD_RESET_PER_IP),
        ]
        if not all(allowed):
            logger.warning("Password reset refused: too many requests")
            form.add_error(None, TOO_MANY)
            response = self.form_invalid(form)
            response.status_code = 429
            return response
        try:
            return super().form_valid(form)
        except MailNotSent:
            form.add_error(None, MAIL_NOT_SENT)
            return self.form_invalid(form)
