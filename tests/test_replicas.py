"""Read replicas on real parts: a PostgreSQL streaming replica of the test database's server,
made here with pg_basebackup on a free port, and gunicorn started with
DATABASE_REPLICA_URLS. Readers read from the replica (shown by pausing its replay: they see
the old title), a writer's next request reads the primary (it sees its write), and a replica
killed mid-run costs no request."""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings

from articles.models import Article
from tests.factories import make_article, make_compilation
from tests.test_production import free_port, get

ROOT = Path(__file__).resolve().parent.parent
pytestmark = [
    pytest.mark.usefixtures("seeded_transactional_db"),
    pytest.mark.skipif(not settings.DATABASES["default"]["ENGINE"].endswith("postgresql"),
                       reason="replicas are PostgreSQL's; this run is on SQLite"),
]


def pg_bin():
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_basebackup"))
    return found[-1].parent if found else None


def as_postgres(args):
    prefix = ["runuser", "-u", "postgres", "--"] if os.getuid() == 0 else []
    return subprocess.run(prefix + [str(a) for a in args], check=True, capture_output=True,
                          text=True, timeout=120)


@pytest.fixture
def replica(tmp_path_factory):
    db = settings.DATABASES["default"]
    binaries = pg_bin()
    if binaries is None or db.get("HOST") not in ("127.0.0.1", "localhost"):
        pytest.skip("needs the PostgreSQL server binaries and a server on loopback")
    data = Path(tempfile.mkdtemp(prefix="huibian-replica-"))
    if os.getuid() == 0:
        shutil.chown(data, "postgres", "postgres")
    data.chmod(0o700)
    port = free_port()
    as_postgres([binaries / "pg_basebackup", "-h", db["HOST"], "-p", db.get("PORT") or 5432,
                 "-U", db.get("USER") or "postgres", "-D", data, "-R", "-X", "stream",
                 "-c", "fast"])
    as_postgres([binaries / "pg_ctl", "-D", data, "-w", "-l", data / "server.log", "-o",
                 f"-p {port} -k /tmp -c listen_addresses=127.0.0.1 -c hot_standby=on", "start"])
    url = f"postgres://{db.get('USER') or 'postgres'}@127.0.0.1:{port}/{db['NAME']}"
    yield {"url": url, "data": data, "bin": binaries, "port": port}
    subprocess.run((["runuser", "-u", "postgres", "--"] if os.getuid() == 0 else [])
                   + [str(binaries / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"],
                   capture_output=True, check=False)
    shutil.rmtree(data, ignore_errors=True)


def replica_sql(url, sql):
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        return conn.execute(sql).fetchone()


def wait_replayed(url, sql, expected, seconds=20):
    for _ in range(seconds * 10):
        row = replica_sql(url, sql)
        if row is not None and row[0] == expected:
            return
        time.sleep(0.1)
    raise AssertionError(f"the replica did not replay {sql!r}")


def test_readers_use_the_replica_writers_the_primary_and_a_dead_replica_costs_nothing(replica):
    import re

    db = settings.DATABASES["default"]
    article = make_article(title="旧标题：复制前的文章", compilation=make_compilation())
    wait_replayed(replica["url"], f"SELECT title FROM articles_article WHERE id = {article.pk}",
                  "旧标题：复制前的文章")
    with tempfile.TemporaryDirectory() as static_root:
        port = free_port()
        env = {**os.environ, "DEBUG": "0", "SECRET_KEY": "r" * 30 + "-replica-test-" + "s" * 20,
               "DATABASE_URL": f"postgres://{db.get('USER') or 'postgres'}@{db['HOST']}:"
                               f"{db.get('PORT') or 5432}/{db['NAME']}",
               "DATABASE_REPLICA_URLS": replica["url"], "STATIC_ROOT": static_root,
               "BIND": f"127.0.0.1:{port}", "WEB_CONCURRENCY": "2", "SECURE_SSL_REDIRECT": "0",
               "ALLOWED_HOSTS": "127.0.0.1", "REPLICA_MAX_LAG": "3600", "REQUEST_LOG": "0",
               "DJANGO_SETTINGS_MODULE": "compilation.settings", "CONN_MAX_AGE": "0",
               "GUNICORN_TIMEOUT": "5", "PYTHONFAULTHANDLER": "1"}
        python = sys.executable
        subprocess.run([python, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=ROOT,
                       env=env, check=True)
        server = subprocess.Popen([python, "-m", "gunicorn", "-c", "deploy/gunicorn.conf.py",
                                   "compilation.wsgi"], cwd=ROOT, env=env,
                                  stderr=subprocess.PIPE, text=True)
        base = f"http://127.0.0.1:{port}"
        proxy = {"X-Forwarded-Proto": "https", "Referer": f"https://127.0.0.1:{port}/"}
        page = f"{base}{article.get_absolute_url()}"
        try:
            for _ in range(200):
                try:
                    if get(f"{base}/healthz", timeout=1)[0] == 200:
                        break
                except OSError:
                    time.sleep(0.1)
            ready = json.loads(get(f"{base}/readyz")[2])
            assert ready["database:replica1"] == "ok", ready
            assert "旧标题" in get(page, proxy)[2]

            # The replica stops replaying; the title changes on the primary.
            replica_sql(replica["url"], "SELECT pg_wal_replay_pause()")
            Article.objects.filter(pk=article.pk).update(title="新标题：主库上的修改")
            # A reader reads the replica: still the old title.
            assert "旧标题" in get(page, proxy)[2]
            # A browser that has just posted a form reads the primary for a few seconds.
            _status, headers, form = get(f"{base}/accounts/login/", proxy)
            csrf_cookie = re.search(r"csrftoken=([^;]+)", headers["Set-Cookie"]).group(1)
            token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form).group(1)
            posted = urllib.request.Request(
                f"{base}/accounts/login/", method="POST",
                data=f"username=nobody&password=wrong&csrfmiddlewaretoken={token}".encode(),
                headers={**proxy, "Cookie": f"csrftoken={csrf_cookie}",
                         "Content-Type": "application/x-www-form-urlencoded"})
            with urllib.request.urlopen(posted, timeout=10) as response:
                cookies = "; ".join(response.headers.get_all("Set-Cookie") or [])
            sticky = re.search(r"hb_primary_until=([^;]+)", cookies).group(1)
            seen = get(page, {**proxy, "Cookie": f"hb_primary_until={sticky}"})[2]
            assert "新标题" in seen
            assert "旧标题" in get(page, proxy)[2]  # everyone else: the replica
            replica_sql(replica["url"], "SELECT pg_wal_replay_resume()")

            # The replica dies: every reader request still answers.
            as_postgres([replica["bin"] / "pg_ctl", "-D", replica["data"], "-m", "immediate",
                         "stop"])
            statuses = [get(page, proxy)[0] for _ in range(30)]
            statuses += [get(f"{base}/articles/", proxy)[0] for _ in range(10)]
            assert statuses == [200] * 40, statuses
            ready = json.loads(get(f"{base}/readyz")[2])
            assert ready["status"] == "ok" and ready["database:replica1"] != "ok", ready
        except BaseException:
            server.terminate()
            print(server.communicate(timeout=30)[1][-5000:])
            raise
        server.terminate()
        _out, log = server.communicate(timeout=30)
        assert "Traceback" not in log, log[-3000:]
