"""Production on real parts: gunicorn started as the README says, /healthz and /readyz, the
request log, private caching of signed-in pages, and the shared Redis cache (a real
redis-server, started here) surviving its server's death."""
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.core import mail
from django.core.cache import caches
from django.test import TestCase, override_settings
from django.urls import reverse

from tests.factories import make_article, make_compilation, make_user

ROOT = Path(__file__).resolve().parent.parent
REDIS = shutil.which("redis-server")
needs_redis = pytest.mark.skipif(
    REDIS is None and not os.environ.get("HUIBIAN_REQUIRE_REDIS"),
    reason="redis-server is not installed (Debian package redis-server; .ci/debian-deps "
           "installs it)")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def redis_caches(location, timeout) -> dict:
    """Both caches in one Redis, as ``REDIS_URL`` sets them."""
    return {alias: {"BACKEND": "compilation.cache.TolerantRedisCache", "LOCATION": location,
                    "KEY_PREFIX": f"huibian{suffix}",
                    "OPTIONS": {"socket_connect_timeout": timeout, "socket_timeout": timeout}}
            for alias, suffix in (("default", ""), ("pages", ":pages"))}


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # the 3xx itself is the answer under test


_OPENER = urllib.request.build_opener(_NoRedirects)


def get(url, headers=None, timeout=10):
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with _OPENER.open(request, timeout=timeout) as response:
            return response.status, dict(response.headers), response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read().decode()


class HealthTests(TestCase):
    def test_healthz_and_readyz(self):
        self.assertEqual(self.client.get("/healthz").json(), {"status": "ok"})
        ready = self.client.get("/readyz")
        self.assertEqual(ready.status_code, 200)
        self.assertEqual(ready.json(), {"status": "ok", "database:default": "ok", "cache": "ok",
                                        "static": "ok"})
        self.assertIn("no-store", ready["Cache-Control"])

    @override_settings(CACHES=redis_caches(f"redis://127.0.0.1:{free_port()}/0", 0.2))  # no one there
    def test_an_unreachable_cache_makes_readyz_fail_but_pages_still_answer(self):
        ready = self.client.get("/readyz")
        self.assertEqual(ready.status_code, 503)
        self.assertEqual(ready.json()["status"], "unavailable")
        self.assertIn("did not return", ready.json()["cache"])
        make_article(title="缓存不在时照常阅读", compilation=make_compilation())
        with self.assertLogs("huibian.cache", "WARNING"):
            self.assertEqual(self.client.get("/articles/").status_code, 200)

    @override_settings(CACHES=redis_caches(f"redis://127.0.0.1:{free_port()}/0", 0.2))  # no one there
    def test_an_unreachable_cache_leaves_password_resets_unthrottled_not_failing(self):
        reader = make_user("读者小赵")
        reader.email = "xiaozhao@example.cn"
        reader.save()
        with self.assertLogs("huibian.cache", "WARNING"):
            response = self.client.post(reverse("password_reset"), {"email": reader.email})
        self.assertEqual(response.status_code, 302)
        self.assertEqual(len(mail.outbox), 1)

    def test_missing_static_files_make_readyz_fail_with_the_command_to_run(self):
        with tempfile.TemporaryDirectory() as empty, override_settings(
            STATIC_ROOT=empty,
            STORAGES={"default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
                      "staticfiles": {"BACKEND":
                                      "whitenoise.storage.CompressedManifestStaticFilesStorage"}},
        ):
            ready = self.client.get("/readyz")
        self.assertEqual(ready.status_code, 503)
        self.assertIn("collectstatic --noinput", ready.json()["static"])


class RequestLogTests(TestCase):
    def test_one_json_line_per_request_with_its_id_and_time(self):
        with self.assertLogs("huibian.request", "INFO") as logged:
            response = self.client.get("/healthz", HTTP_X_REQUEST_ID="proxy-id-12345")
            other = self.client.get("/healthz", HTTP_X_REQUEST_ID="bad id\n")
        self.assertEqual(response["X-Request-ID"], "proxy-id-12345")
        self.assertRegex(other["X-Request-ID"], r"^[0-9a-f]{16}$")  # a fresh one
        first = json.loads(logged.records[0].getMessage())
        self.assertEqual({k: first[k] for k in ("id", "method", "path", "status", "user")},
                         {"id": "proxy-id-12345", "method": "GET", "path": "/healthz",
                          "status": 200, "user": None})
        self.assertGreaterEqual(first["ms"], 0)

    def test_pages_for_a_signed_in_reader_are_private(self):
        article = make_article(title="会员也读的文章", compilation=make_compilation())
        anonymous = self.client.get(article.get_absolute_url())
        self.assertNotIn("private", anonymous.get("Cache-Control", ""))
        self.client.force_login(make_user("会员甲", group="会员"))
        member = self.client.get(article.get_absolute_url())
        self.assertIn("private", member["Cache-Control"])


@pytest.mark.skipif(sys.platform != "linux", reason="gunicorn's test runs on Linux")
def test_gunicorn_starts_as_documented_and_refuses_a_broken_configuration(tmp_path):
    env = {
        **os.environ, "DEBUG": "0", "SECRET_KEY": "k" * 24 + "-production-test-" + "q" * 24,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'site.sqlite3'}",
        "STATIC_ROOT": str(tmp_path / "static"), "PORT": str(free_port()),
        "WEB_CONCURRENCY": "2", "DJANGO_SETTINGS_MODULE": "compilation.settings",
        "REQUEST_LOG": "1",
    }
    env.pop("REDIS_URL", None)
    python = str(Path(sys.executable))
    gunicorn = [python, "-m", "gunicorn", "-c", "deploy/gunicorn.conf.py", "compilation.wsgi"]
    subprocess.run([python, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
    # Without collectstatic: no start, and the message says what to run.
    refused = subprocess.run(gunicorn, cwd=ROOT, env=env, capture_output=True, text=True,
                             timeout=60, check=False)
    assert refused.returncode != 0
    assert "collectstatic --noinput" in refused.stderr
    subprocess.run([python, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=ROOT,
                   env=env, check=True)
    server = subprocess.Popen(gunicorn, cwd=ROOT, env=env, stderr=subprocess.PIPE, text=True)
    base = f"http://127.0.0.1:{env['PORT']}"
    try:
        for _ in range(100):
            try:
                status, _headers, body = get(f"{base}/healthz", timeout=1)
                break
            except OSError:
                time.sleep(0.1)
        assert (status, json.loads(body)) == (200, {"status": "ok"})
        status, _headers, body = get(f"{base}/readyz")
        assert status == 200 and json.loads(body)["static"] == "ok"
        # Behind the TLS proxy: X-Forwarded-Proto from loopback is believed.
        status, headers, body = get(f"{base}/", {"X-Forwarded-Proto": "https",
                                                 "X-Request-ID": "from-the-proxy-1"})
        assert status == 200 and "汇编" in body
        assert headers["X-Request-ID"] == "from-the-proxy-1"
        assert "max-age=31536000" in headers["Strict-Transport-Security"]
        status, headers, _body = get(f"{base}/")  # plain HTTP: sent to HTTPS
        assert status == 301 and headers["Location"].startswith("https://")
        status, _headers, _body = get(f"{base}/static/css/site.css",
                                      {"X-Forwarded-Proto": "https"})
        assert status == 200
    finally:
        server.send_signal(signal.SIGTERM)
        _out, errors = server.communicate(timeout=30)
    assert '"id": "from-the-proxy-1"' in errors  # the request log, on stderr
    assert "Traceback" not in errors


@needs_redis
class SharedCacheTests(TestCase):
    """Against a real redis-server on a free port."""

    @classmethod
    def setUpClass(cls):
        cls.port = free_port()
        cls.redis = subprocess.Popen(
            [REDIS or "redis-server", "--port", str(cls.port), "--bind", "127.0.0.1",
             "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range(50):
            try:
                socket.create_connection(("127.0.0.1", cls.port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        cls.settings_override = override_settings(
            CACHES=redis_caches(f"redis://127.0.0.1:{cls.port}/0", 0.5),
            SESSION_ENGINE="django.contrib.sessions.backends.cached_db")
        cls.settings_override.enable()
        super().setUpClass()

    @classmethod
    def tearDownClass(cls):
        super().tearDownClass()
        cls.settings_override.disable()
        if cls.redis.poll() is None:
            cls.redis.terminate()
            cls.redis.wait(timeout=10)

    def test_values_are_shared_through_the_server_and_sessions_survive_its_loss(self):
        caches["default"].set("huibian-test-shared", {"n": 1}, 30)
        other = subprocess.run(
            ["redis-cli", "-p", str(self.port), "--scan", "--pattern", "*huibian-test-shared*"],
            capture_output=True, text=True, check=False) if shutil.which("redis-cli") else None
        if other is not None:
            assert "huibian-test-shared" in other.stdout
        self.assertEqual(self.client.get("/readyz").json()["cache"], "ok")
        compilation = make_compilation()
        make_article(title="共享缓存里的计数", compilation=compilation)
        self.assertEqual(self.client.get("/articles/").context["total"], 1)
        member = make_user("会员乙", group="会员")
        self.client.force_login(member)
        # Redis dies: pages still answer, the session (written through to the database)
        # still knows the reader, /readyz says what is wrong.
        self.redis.terminate()
        self.redis.wait(timeout=10)
        with self.assertLogs("huibian.cache", "WARNING"):
            response = self.client.get("/articles/")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.context["user"], member)
        self.assertEqual(self.client.get("/readyz").status_code, 503)
