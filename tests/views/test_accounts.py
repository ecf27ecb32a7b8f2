"""Readers' accounts: changing a password, resetting a forgotten one by mail (end to end, with
the link), a reset whose mail cannot be sent saying so (never claiming it was sent, never a
500), an unknown address getting the same “sent” page as a known one, and the mail settings
read from the environment."""
import logging
import os
import re
import smtplib
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.cache import cache
from django.core.mail.backends.base import BaseEmailBackend
from django.test import override_settings
from django.urls import resolve, reverse

from articles.views import accounts
from tests.factories import make_user

pytestmark = pytest.mark.django_db

REPO = Path(__file__).resolve().parents[2]
OLD = "旧密码-书香-2023"
NEW = "新密码-墨韵-2024"
CHANGE = reverse("password_change")
RESET = reverse("password_reset")
RESET_LINK = re.compile(r"http://testserver(/accounts/reset/[^/\s]+/[^/\s]+/)")


class RefusingBackend(BaseEmailBackend):
    """A mail server that hangs up, as smtplib reports it."""

    def send_messages(self, email_messages):
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")


def closed_port():
    """A local port nothing listens on (connecting to it is refused at once)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def log_in(client, username, password):
    """Through the login page, as a reader does (django-axes sees it too)."""
    return client.post(reverse("login"), {"username": username, "password": password})


@pytest.fixture(autouse=True)
def fresh_reset_counts():
    """Reset requests are counted in the cache; each test starts with none."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def reader():
    user = make_user("读者小王", group="会员", password=OLD)
    user.email = "xiaowang@example.cn"  # an address a form accepts (the factory's is Chinese)
    user.save()
    return user


# Changing a password

def test_change_password_page_needs_a_signed_in_reader(client):
    response = client.get(CHANGE)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_header_links_to_change_password_and_login_page_to_reset(client, reader):
    page = client.get(reverse("login")).content.decode()
    assert f'href="{RESET}">忘记密码？</a>' in page
    client.force_login(reader)
    page = client.get(CHANGE).content.decode()
    assert f'<a href="{CHANGE}">修改密码</a>' in page
    assert "退出" in page


def test_wrong_old_password_is_refused_in_chinese_and_changes_nothing(client, reader):
    client.force_login(reader)
    response = client.post(CHANGE, {"old_password": "猜的密码",
                                    "new_password1": NEW, "new_password2": NEW})
    assert response.status_code == 200
    page = response.content.decode()
    assert "密码没有修改" in page
    # Django's own message, translated, next to the field it is about.
    assert re.search(r'id="id_old_password_error"><li>你的旧密码不正确。请重新输入。</li>', page)
    reader.refresh_from_db()
    assert reader.check_password(OLD)
    assert not reader.check_password(NEW)


def test_new_passwords_that_differ_are_refused_in_chinese(client, reader):
    client.force_login(reader)
    response = client.post(CHANGE, {"old_password": OLD,
                                    "new_password1": NEW, "new_password2": NEW + "x"})
    assert response.status_code == 200
    assert "输入的两个密码不一致。" in response.content.decode()
    reader.refresh_from_db()
    assert reader.check_password(OLD)


def test_weak_new_password_is_refused_with_every_reason_in_chinese(client, reader):
    client.force_login(reader)
    response = client.post(CHANGE, {"old_password": OLD,
                                    "new_password1": "1234", "new_password2": "1234"})
    page = response.content.decode()
    # Django 5.2's zh-hans catalogue lacks the length message (compilation.security).
    assert "这个密码太短。密码必须包含至少 8 个字符。" in page
    assert "这个密码太常见了。" in page and "密码只包含数字。" in page
    assert "This password" not in page
    reader.refresh_from_db()
    assert reader.check_password(OLD)


def test_changed_password_works_at_the_next_login(client, reader):
    client.force_login(reader)
    response = client.post(CHANGE, {"old_password": OLD,
                                    "new_password1": NEW, "new_password2": NEW})
    assert response.status_code == 302
    assert response["Location"] == reverse("password_change_done")
    done = client.get(response["Location"])
    assert "密码已修改" in done.content.decode()
    assert "_auth_user_id" in client.session  # still signed in after the change

    client.logout()
    assert log_in(client, "读者小王", OLD).status_code == 200  # the old one no longer works
    assert "_auth_user_id" not in client.session
    assert log_in(client, "读者小王", NEW).status_code == 302
    assert client.session["_auth_user_id"] == str(reader.pk)


# Resetting a forgotten password

def test_reset_url_is_ours():
    assert resolve(RESET).func.view_class is accounts.PasswordResetView


def test_reset_by_mail_end_to_end(client, reader, mailoutbox):
    form = client.get(RESET).content.decode()
    assert "重置密码" in form and 'type="email"' in form

    response = client.post(RESET, {"email": reader.email})
    assert response.status_code == 302
    assert response["Location"] == reverse("password_reset_done")
    assert "已发送到该邮箱" in client.get(response["Location"]).content.decode()

    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == [reader.email]
    assert message.subject == "汇编库：重置密码"
    assert "读者小王，您好" in message.body
    assert "设置新密码" in message.body
    link = RESET_LINK.search(message.body).group(1)

    # The link sets the token aside and redirects to the form (so the token is not leaked).
    response = client.get(link)
    assert response.status_code == 302
    form_url = response["Location"]
    page = client.get(form_url).content.decode()
    assert "设置新密码" in page and 'name="new_password1"' in page

    mismatch = client.post(form_url, {"new_password1": NEW, "new_password2": NEW + "x"})
    assert "输入的两个密码不一致。" in mismatch.content.decode()
    response = client.post(form_url, {"new_password1": NEW, "new_password2": NEW})
    assert response.status_code == 302
    assert response["Location"] == reverse("password_reset_complete")
    complete = client.get(response["Location"]).content.decode()
    assert "密码已重置" in complete and f'href="{reverse("login")}"' in complete

    reader.refresh_from_db()
    assert reader.check_password(NEW)
    assert log_in(client, "读者小王", NEW).status_code == 302
    client.logout()

    # A used link is shown as invalid, with the way to ask again.
    used = client.get(link)
    assert used.status_code == 200
    page = used.content.decode()
    assert "链接无效" in page
    assert f'href="{RESET}"' in page
    assert 'name="new_password1"' not in page


def test_malformed_link_is_shown_as_invalid(client, reader):
    response = client.get(reverse("password_reset_confirm",
                                  kwargs={"uidb64": "MTIzNDU2", "token": "abc-def"}))
    assert response.status_code == 200
    assert "链接无效" in response.content.decode()


def test_unknown_address_gets_the_same_page_and_no_mail(client, reader, mailoutbox):
    response = client.post(RESET, {"email": "nobody@example.cn"})
    assert response.status_code == 302
    assert response["Location"] == reverse("password_reset_done")
    assert mailoutbox == []


@override_settings(PASSWORD_RESET_PER_ADDRESS=3, PASSWORD_RESET_PER_IP=100)
def test_an_address_asking_too_often_is_refused_in_chinese_and_gets_no_more_mail(
        client, reader, mailoutbox):
    for _ in range(3):
        assert client.post(RESET, {"email": reader.email})["Location"] == reverse(
            "password_reset_done")
    assert len(mailoutbox) == 3
    refused = client.post(RESET, {"email": reader.email.upper()})  # the same address
    assert refused.status_code == 429
    assert "重设密码的请求过于频繁，请一小时后再试。" in refused.content.decode()
    assert len(mailoutbox) == 3
    # Another address is not held up by it, and one without an account is counted alike,
    # so the limit tells no one which addresses have accounts.
    other = make_user("读者小李", password=OLD)
    other.email = "xiaoli@example.cn"
    other.save()
    assert client.post(RESET, {"email": other.email}).status_code == 302
    assert len(mailoutbox) == 4
    for _ in range(3):
        assert client.post(RESET, {"email": "nobody@example.cn"}).status_code == 302
    assert client.post(RESET, {"email": "nobody@example.cn"}).status_code == 429


@override_settings(PASSWORD_RESET_PER_ADDRESS=100, PASSWORD_RESET_PER_IP=2)
def test_a_network_address_asking_too_often_is_refused(client, reader, mailoutbox):
    assert client.post(RESET, {"email": "a@example.cn"}).status_code == 302
    assert client.post(RESET, {"email": "b@example.cn"}).status_code == 302
    refused = client.post(RESET, {"email": reader.email})
    assert refused.status_code == 429
    assert mailoutbox == []
    other_network = client.post(RESET, {"email": reader.email}, REMOTE_ADDR="10.0.0.9")
    assert other_network.status_code == 302
    assert len(mailoutbox) == 1


def test_malformed_address_is_refused_in_chinese_next_to_the_field(client, mailoutbox):
    response = client.post(RESET, {"email": "不是邮箱"})
    assert response.status_code == 200
    assert re.search(r'id="id_email_error"><li>请输入合法的邮件地址。</li>',
                     response.content.decode())
    assert mailoutbox == []


@pytest.mark.parametrize("mail_settings, cause", [
    ({"EMAIL_BACKEND": f"{__name__}.RefusingBackend"}, smtplib.SMTPException),
    ({"EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
      "EMAIL_HOST": "127.0.0.1", "EMAIL_PORT": closed_port(), "EMAIL_TIMEOUT": 2,
      "EMAIL_USE_TLS": False, "EMAIL_USE_SSL": False}, ConnectionRefusedError),
    ({"EMAIL_BACKEND": "no.such.EmailBackend"}, ImportError),
], ids=["server-hangs-up", "connection-refused", "backend-missing"])
def test_reset_whose_mail_fails_says_so(client, reader, caplog, mail_settings, cause):
    with override_settings(**mail_settings), caplog.at_level(logging.ERROR, "articles.accounts"):
        response = client.post(RESET, {"email": reader.email})
    assert response.status_code == 200
    page = response.content.decode()
    assert "邮件未能发出，请稍后再试或联系管理员。" in page
    assert "已发送" not in page
    assert 'name="email"' in page and reader.email in page  # the form again, filled in
    [record] = [r for r in caplog.records if r.name == "articles.accounts"]
    assert record.levelno == logging.ERROR
    assert record.exc_info is not None
    assert isinstance(record.exc_info[1], cause)  # the log has the backend's own error
    reader.refresh_from_db()
    assert reader.check_password(OLD)


def test_unknown_address_gets_the_done_page_even_when_mail_is_down(client, caplog):
    with override_settings(EMAIL_BACKEND=f"{__name__}.RefusingBackend"):
        response = client.post(RESET, {"email": "nobody@example.cn"})
    assert response.status_code == 302
    assert response["Location"] == reverse("password_reset_done")
    assert not [r for r in caplog.records if r.name == "articles.accounts"]


# Mail settings from the environment

MAIL_VARIABLES = {"DEBUG", "DJANGO_SETTINGS_MODULE", "DEFAULT_FROM_EMAIL", "SERVER_EMAIL"}


def mail_settings(**env):
    """The mail settings compilation/settings.py makes from this environment (fresh process):
    backend, host, port, timeout, sender, server sender."""
    clean = {k: v for k, v in os.environ.items()
             if not k.startswith("EMAIL_") and k not in MAIL_VARIABLES}
    code = ("from compilation import settings as s; print(s.EMAIL_BACKEND, s.EMAIL_HOST, "
            "s.EMAIL_PORT, s.EMAIL_TIMEOUT, s.DEFAULT_FROM_EMAIL, s.SERVER_EMAIL, sep='|')")
    result = subprocess.run([sys.executable, "-c", code], check=False, cwd=REPO,
                            env={**clean, **env}, capture_output=True, text=True, timeout=60)
    return result.stdout.strip().split("|"), result


def test_mail_goes_to_the_console_in_development_and_smtp_in_production():
    values, _ = mail_settings(DEBUG="1")
    assert values[0] == "django.core.mail.backends.console.EmailBackend"
    values, _ = mail_settings(DEBUG="0", SECRET_KEY="k" * 50)
    assert values[:4] == ["django.core.mail.backends.smtp.EmailBackend", "localhost", "25", "10.0"]


def test_mail_settings_come_from_the_environment():
    values, _ = mail_settings(
        DEBUG="0", SECRET_KEY="k" * 50, EMAIL_HOST="smtp.example.cn", EMAIL_USE_SSL="1",
        EMAIL_TIMEOUT="3", DEFAULT_FROM_EMAIL="汇编库 <noreply@example.cn>")
    assert values[1:4] == ["smtp.example.cn", "465", "3.0"]  # SSL's port unless EMAIL_PORT
    assert values[4:] == ["汇编库 <noreply@example.cn>"] * 2  # SERVER_EMAIL: the same
    values, _ = mail_settings(EMAIL_USE_TLS="1", EMAIL_PORT="2525")
    assert values[2] == "2525"


def test_tls_and_ssl_together_refuse_to_load():
    _, result = mail_settings(EMAIL_USE_TLS="1", EMAIL_USE_SSL="1")
    assert result.returncode != 0
    assert "EMAIL_USE_TLS" in result.stderr
