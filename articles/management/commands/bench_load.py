"""``manage.py bench_load``: the production server under a bounded mix of readers.

Starts gunicorn as the README's production section does (``deploy/gunicorn.conf.py``,
``DEBUG=0``, collected static files, ``--workers`` processes) on a free loopback port,
against the database of ``DATABASE_URL`` (build its corpus first with ``bench_views`` or
``--build``), then for ``--seconds`` runs ``--clients`` threads, each with its own
keep-alive connection, over this mix: home, article list with one to three facets, article,
compilation, search of common and rare terms and of phrases, the search API, the feed; a
share of the clients signed in as a member. Optionally an import of ``--import-articles``
articles runs (``import_compilation`` in its own process) while they read.

Prints requests per second, p50 / p95 / p99 per page kind and every error (a status of 500
or more, a refused or broken connection). The machine, the corpus size and the worker count
are printed with them; ``BENCHMARKS.md`` holds the figures.
"""
import http.client
import os
import platform
import random
import secrets
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from pathlib import Path
from urllib.parse import quote, urlencode

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from articles.benchmarks import corpus
from articles.benchmarks.stats import percentile
from articles.models import Agency, Article, Compilation, Status, Theme

ROOT = Path(settings.BASE_DIR)
KINDS = {  # page kind: weight in the mix
    "home": 1, "list": 3, "article": 5, "compilation": 1, "search-common": 2,
    "search-rare": 2, "search-phrase": 1, "api-search": 2, "feed": 1,
}


def _free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Command(BaseCommand):
    help = "Load the production server (gunicorn) with a mix of reader requests; print rates."

    def add_arguments(self, parser):
        parser.add_argument("--workers", type=int, default=4, help="gunicorn workers (4)")
        parser.add_argument("--clients", type=int, default=8, help="concurrent clients (8)")
        parser.add_argument("--seconds", type=float, default=30, help="duration (30)")
        parser.add_argument("--members", type=float, default=0.25,
                            help="share of clients signed in as a member (0.25)")
        parser.add_argument("--import-articles", type=int, default=0,
                            help="import a file of this many articles during the load (0: none)")
        parser.add_argument("--build", type=int, default=0,
                            help="build the benchmark corpus of this many articles first")
        parser.add_argument("--seed", type=int, default=20261201)
        parser.add_argument("--kinds", default="",
                            help="only these page kinds, comma-separated (default: the whole "
                                 "mix); --kinds home is the page cache's ceiling")
        parser.add_argument("--no-page-cache", action="store_true",
                            help="run the server with PAGE_CACHE=0 (anonymous pages uncached)")

    def handle(self, *args, workers, clients, seconds, members, import_articles, build, seed,
               no_page_cache=False, kinds="", **options):
        if min(workers, clients) < 1 or seconds <= 0 or not 0 <= members <= 1:
            raise CommandError("--workers, --clients and --seconds must be positive, "
                               "--members between 0 and 1.")
        self.mix = [kind.strip() for kind in kinds.split(",") if kind.strip()] or list(KINDS)
        unknown = sorted(set(self.mix) - set(KINDS))
        if unknown:
            raise CommandError(f"Unknown page kinds {', '.join(unknown)}; the kinds are "
                               f"{', '.join(KINDS)}.")
        if build:
            corpus.build(count=build, seed=20261125, stdout=self.stdout)
        total = Article.objects.filter(status=Status.PUBLISHED).count()
        if total < 100:
            raise CommandError("The database holds fewer than 100 published articles: "
                               "build a corpus first (--build 20000, or bench_views).")
        rng = random.Random(seed)
        self.urls = self._urls(rng)
        cookie = self._member_cookie()
        with tempfile.TemporaryDirectory() as static_root:
            env = self._server_env(static_root, workers)
            env["PAGE_CACHE"] = "0" if no_page_cache else "1"
            subprocess.run([sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
                           cwd=ROOT, env=env, check=True)
            server = subprocess.Popen(
                [sys.executable, "-m", "gunicorn", "-c", "deploy/gunicorn.conf.py",
                 "compilation.wsgi"], cwd=ROOT, env=env, stderr=subprocess.PIPE, text=True)
            try:
                self._wait_ready(env["PORT"], server)
                importer = self._start_import(import_articles, env) if import_articles else None
                results = self._run(int(env["PORT"]), clients, seconds, members, cookie, seed)
                import_report = self._finish_import(importer) if importer else None
            finally:
                server.terminate()
                try:
                    _out, server_log = server.communicate(timeout=30)
                except subprocess.TimeoutExpired:
                    server.kill()
                    _out, server_log = server.communicate()
        self._report(results, seconds, workers, clients, members, total, import_report,
                     server_log)

    # -- preparation ------------------------------------------------------------------------

    def _urls(self, rng):
        """Sampled URLs per page kind, from what the database holds."""
        articles = list(Article.objects.filter(status=Status.PUBLISHED)
                        .values_list("pk", "title", "text")[:2000])
        compilations = list(Compilation.objects.filter(status=Status.PUBLISHED)
                            .values_list("pk", flat=True)[:500])
        agencies = list(Agency.objects.values_list("pk", flat=True)[:200])
        themes = list(Theme.objects.values_list("slug", flat=True))
        levels = [value for value, _label in Agency.Level.choices]
        years = sorted({y for y in Article.objects.values_list("year", flat=True)[:5000] if y})
        common = ["党建", "模范机关", "作风建设", "清廉", "为民服务", "高质量发展", "基层"]
        rare = []
        phrases = []
        for _pk, title, text in rng.sample(articles, min(200, len(articles))):
            body = "".join(ch for ch in text if "\u4e00" <= ch <= "\u9fff")
            if len(body) > 20:
                start = rng.randrange(len(body) - 8)
                rare.append(body[start:start + rng.choice((4, 5, 6))])
                phrases.append(f'"{body[start:start + 7]}"')
        urls = defaultdict(list)
        urls["home"] = ["/"]
        for pk, _title, _text in articles:
            urls["article"].append(f"/articles/{pk}/")
        urls["compilation"] = [f"/compilations/{pk}/" for pk in compilations] or ["/compilations/"]
        for _ in range(300):
            facets = {"level": rng.choice(levels)}
            if themes and rng.random() < 0.7:
                facets["theme"] = rng.choice(themes)
            if years and rng.random() < 0.4:
                facets["year"] = rng.choice(years)
            if agencies and rng.random() < 0.3:
                facets = {"agency": rng.choice(agencies), **dict(list(facets.items())[1:])}
            urls["list"].append(f"/articles/?{urlencode(facets)}")
        for kind, terms in (("search-common", common), ("search-rare", rare),
                            ("search-phrase", phrases)):
            urls[kind] = [f"/search/?q={quote(term)}" for term in terms] or ["/search/?q=党建"]
        urls["api-search"] = [f"/api/search/?q={quote(term)}" for term in common + rare[:50]]
        urls["feed"] = ["/feed/"]
        return urls

    def _member_cookie(self):
        """A session of a member, written to the database the server reads."""
        from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
        from django.contrib.auth.models import Group, User
        from django.contrib.sessions.backends.db import SessionStore

        user, _created = User.objects.get_or_create(username="bench-load-member")
        user.set_unusable_password()
        user.save()
        user.groups.add(Group.objects.get_or_create(name="会员")[0])
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.create()
        return f"{settings.SESSION_COOKIE_NAME}={session.session_key}"

    @staticmethod
    def _database_url():
        """The URL of the database this command uses (a test database too), for the server."""
        db = settings.DATABASES["default"]
        if db["ENGINE"].endswith("sqlite3"):
            return f"sqlite:///{db['NAME']}"
        user = quote(db.get("USER") or "", safe="")
        password = f":{quote(db['PASSWORD'], safe='')}" if db.get("PASSWORD") else ""
        auth = f"{user}{password}@" if user else ""
        port = f":{db['PORT']}" if db.get("PORT") else ""
        return f"postgres://{auth}{db.get('HOST') or 'localhost'}{port}/{db['NAME']}"

    def _server_env(self, static_root, workers):
        env = {
            **os.environ, "DEBUG": "0", "SECRET_KEY": secrets.token_urlsafe(50),
            "DATABASE_URL": self._database_url(),
            "STATIC_ROOT": static_root, "BIND": f"127.0.0.1:{_free_port()}",
            "WEB_CONCURRENCY": str(workers), "SECURE_SSL_REDIRECT": "0",
            "ALLOWED_HOSTS": "127.0.0.1", "API_ANON_RATE": "1000000/min", "REQUEST_LOG": "0",
            "DJANGO_SETTINGS_MODULE": "compilation.settings",
        }
        env["PORT"] = env["BIND"].rsplit(":", 1)[1]
        return env

    def _wait_ready(self, port, server):
        for _ in range(300):
            if server.poll() is not None:
                raise CommandError("gunicorn did not start:\n" + server.stderr.read()[-2000:])
            try:
                connection = http.client.HTTPConnection("127.0.0.1", int(port), timeout=2)
                connection.request("GET", "/readyz")
                if connection.getresponse().status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.1)
        raise CommandError("gunicorn did not become ready in 30 s")

    def _start_import(self, count, env):
        from articles.importer.synthetic import make_compilation_text

        with tempfile.NamedTemporaryFile("w", suffix=".txt", encoding="utf-8",
                                         delete=False) as handle:
            handle.write(make_compilation_text(987654, count))
        started = time.perf_counter()
        process = subprocess.Popen(
            [sys.executable, "manage.py", "import_compilation", handle.name, "--publish"],
            cwd=ROOT, env={**env, "DEBUG": "1"}, stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT, text=True)
        return process, started, handle.name, count

    def _finish_import(self, importer):
        process, started, path, count = importer
        output, _ = process.communicate()
        elapsed = time.perf_counter() - started
        os.unlink(path)
        return count, elapsed, process.returncode, output.strip().splitlines()[:1]

    # -- the load ---------------------------------------------------------------------------

    def _run(self, port, clients, seconds, members, cookie, seed):
        stop = time.perf_counter() + seconds
        results = defaultdict(list)  # kind → [(seconds, status or error, url, from the page cache)]
        lock = threading.Lock()
        kinds = self.mix
        weights = [KINDS[k] for k in kinds]
        signed_in = round(clients * members)

        def client(n):
            rng = random.Random(seed + n)
            headers = {"X-Forwarded-Proto": "https"}
            if n < signed_in:
                headers["Cookie"] = cookie
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            local = defaultdict(list)
            while time.perf_counter() < stop:
                kind = rng.choices(kinds, weights)[0]
                url = rng.choice(self.urls[kind])
                started = time.perf_counter()
                try:
                    connection.request("GET", url, headers=headers)
                    response = connection.getresponse()
                    response.read()
                    outcome = response.status
                    hit = response.getheader("X-Page-Cache") == "hit"
                    if response.getheader("Connection", "").lower() == "close":
                        connection.close()
                except (OSError, http.client.HTTPException) as error:
                    outcome, hit = f"{type(error).__name__}: {error}", False
                    connection.close()
                    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                local[kind].append((time.perf_counter() - started, outcome, url, hit))
            with lock:
                for kind, values in local.items():
                    results[kind].extend(values)

        threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        return results

    def _report(self, results, seconds, workers, clients, members, total, import_report,
                server_log):
        count = sum(len(v) for v in results.values())
        errors = [(kind, outcome, url) for kind, values in results.items()
                  for _t, outcome, url, _hit in values
                  if not isinstance(outcome, int) or outcome >= 500]
        vendor = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
        self.stdout.write(
            f"{vendor}, {total:,} published articles; gunicorn {workers} workers; {clients} "
            f"clients ({round(clients * members)} signed in as members) for {seconds:g} s; "
            f"{os.cpu_count()} cores, {platform.machine()}, Python {platform.python_version()}")
        hits = sum(hit for values in results.values() for *_rest, hit in values)
        self.stdout.write(f"{count} requests, {count / seconds:.1f} requests/s, "
                          f"{len(errors)} errors, {100 * hits / max(count, 1):.0f}% served from "
                          "the page cache")
        self.stdout.write(f"{'kind':<15}{'n':>7}{'p50 ms':>10}{'p95 ms':>10}{'p99 ms':>10}"
                          f"{'cached':>8}")
        every = []
        for kind in KINDS:
            values = results.get(kind, [])
            times = [t * 1000 for t, _o, _u, _h in values]
            every += times
            if times:
                cached = 100 * sum(h for *_rest, h in values) / len(values)
                self.stdout.write(f"{kind:<15}{len(times):>7}{percentile(times, 50):>10.1f}"
                                  f"{percentile(times, 95):>10.1f}{percentile(times, 99):>10.1f}"
                                  f"{cached:>7.0f}%")
        if every:
            self.stdout.write(f"{'all':<15}{len(every):>7}{percentile(every, 50):>10.1f}"
                              f"{percentile(every, 95):>10.1f}{percentile(every, 99):>10.1f}"
                              f"{100 * hits / max(count, 1):>7.0f}%")
        if import_report:
            n, elapsed, code, first = import_report
            state = "ok" if code == 0 else f"failed ({code})"
            self.stdout.write(f"import of {n} articles during the load: {elapsed:.1f} s, {state}"
                              + (f": {first[0]}" if first else ""))
        for kind, outcome, url in errors[:20]:
            self.stdout.write(f"error: {kind} {url} → {outcome}")
        if "Traceback" in server_log:
            self.stdout.write("server log (last lines):\n" + server_log[-1500:])
