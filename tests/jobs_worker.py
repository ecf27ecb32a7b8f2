"""A real ``qcluster`` for tests/test_jobs.py with one fault made on request, through the
environment (the cluster forks its workers from this process, so they inherit the patch):

- ``HUIBIAN_TEST_HANG_IN_WRITE=PATH``: an import, once its rows are inserted and before its
  transaction commits, creates PATH and sleeps (the test kills the worker then);
- ``HUIBIAN_TEST_FAIL_IN_WRITE=1``: an import raises after inserting its articles.

Run as ``python -m tests.jobs_worker`` from the repository, like ``manage.py qcluster``.
"""
import os
import time
from pathlib import Path

import django


def main():
    django.setup()
    from django.core.management import call_command

    from articles.importer import load

    original = load._write_toc
    if os.environ.get("HUIBIAN_TEST_HANG_IN_WRITE"):
        def hang(*args, **kwargs):
            original(*args, **kwargs)
            Path(os.environ["HUIBIAN_TEST_HANG_IN_WRITE"]).touch()
            time.sleep(60)
        load._write_toc = hang
    if os.environ.get("HUIBIAN_TEST_FAIL_IN_WRITE"):
        def fail(*args, **kwargs):
            original(*args, **kwargs)
            raise RuntimeError("made to fail by tests.jobs_worker")
        load._write_toc = fail
    call_command("qcluster")


if __name__ == "__main__":
    main()
