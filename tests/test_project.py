"""Project-level checks: migrations are complete, deploy settings are safe, settings read
the environment."""
import os
import subprocess
import sys
import tempfile
from io import StringIO
from pathlib import Path

from django.core.management import call_command
from django.test import SimpleTestCase

REPO = Path(__file__).resolve().parent.parent


class ProjectTests(SimpleTestCase):
    databases = {"default"}
    def test_migrations_are_complete(self):
        out = StringIO()
        call_command("makemigrations", "--check", "--dry-run", stdout=out)
        self.assertIn("No changes detected", out.getvalue())

    def _manage(self, *args, **env):
        full_env = {**os.environ, **env}
        full_env.pop("DJANGO_SETTINGS_MODULE", None)
        return subprocess.run(
            [sys.executable, "manage.py", *args], cwd=REPO, env=full_env,
            capture_output=True, text=True, timeout=120,
        )

    def test_deploy_check_is_clean_with_debug_off_and_a_real_secret(self):
        production = {"DEBUG": "0", "SECRET_KEY": "k" * 20 + "-Zq8!mN3#pL6@vR1$wT4%yU7^aB0&cD9*eF2",
                      "ALLOWED_HOSTS": "huibian.example.cn"}
        with tempfile.TemporaryDirectory() as static_root:
            # Before collectstatic the deploy check fails, naming the command to run.
            result = self._manage("check", "--deploy", STATIC_ROOT=static_root, **production)
            self.assertNotEqual(result.returncode, 0)
            self.assertIn("huibian.E001", result.stderr)
            self.assertIn("collectstatic --noinput", result.stderr)
            self._manage("collectstatic", "--noinput", "-v0", STATIC_ROOT=static_root,
                         **production)
            result = self._manage("check", "--deploy", "--fail-level", "WARNING",
                                  STATIC_ROOT=static_root, **production)
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
        self.assertIn("no issues", result.stdout)

    def test_debug_off_without_secret_key_refuses_to_start(self):
        result = self._manage("check", DEBUG="0", SECRET_KEY="")
        self.assertNotEqual(result.returncode, 0)
        self.assertIn("SECRET_KEY", result.stderr)
