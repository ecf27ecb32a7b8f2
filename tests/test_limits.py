"""Operator safety: anonymous request bodies are bounded before they are read; the admin's
URL is configurable."""
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import HttpResponse
from django.test import RequestFactory, TestCase, override_settings
from django.urls import reverse

from compilation.security import AnonymousBodyLimitMiddleware
from tests.factories import make_user

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"


class AnonymousBodyLimitTests(TestCase):
    def test_a_large_anonymous_body_is_refused_before_it_is_read(self):
        response = self.client.post(reverse("login"), {"username": "x", "password": "y" * 70_000})
        self.assertEqual(response.status_code, 413)
        self.assertIn("未登录时上限为 64 KB", response.content.decode())
        # A login form of ordinary size goes through (wrong password: the form again).
        self.assertEqual(self.client.post(reverse("login"), {"username": "x", "password": "y"})
                         .status_code, 200)

    def test_a_body_of_unknown_length_is_refused_and_reading_is_never_reached(self):
        reached = []
        middleware = AnonymousBodyLimitMiddleware(
            lambda request: reached.append(request.body) or HttpResponse())
        request = RequestFactory().post("/accounts/login/", data=b"x", content_type="text/plain")
        request.META.pop("CONTENT_LENGTH")
        request.META["HTTP_TRANSFER_ENCODING"] = "chunked"
        self.assertEqual(middleware(request).status_code, 411)
        self.assertEqual(reached, [])

    @override_settings(ROOT_URLCONF="tests.importer.admin_urls")
    def test_a_signed_in_editor_still_uploads_large_files(self):
        self.client.force_login(make_user("编辑庚", group="编辑", staff=True))
        data = (FIXTURES / "importer_regions.pdf").read_bytes()
        self.assertGreater(len(data), 64 * 1024)
        with tempfile.TemporaryDirectory() as staging, self.settings(
                HUIBIAN_IMPORT_STAGING=staging):
            response = self.client.post(reverse("admin:articles_compilation_import"),
                                        {"file": SimpleUploadedFile("regions.pdf", data)})
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "三都水族自治县民政局")


def test_the_admin_url_comes_from_the_environment():
    env = {**os.environ, "ADMIN_URL": "/backstage-7f3a/"}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    done = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c",
         "from django.urls import reverse; print(reverse('admin:index'))"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=60, check=True)
    assert done.stdout.strip().splitlines()[-1] == "/backstage-7f3a/"
