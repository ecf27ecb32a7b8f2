"""The WSGI and ASGI entry points: they serve the site and keep startup objects out of the
garbage collector's full collections."""
import asyncio
import gc
import importlib
from wsgiref.util import setup_testing_defaults

from django.core import signals
from django.db import close_old_connections
from django.test import TestCase


class EntryPointTests(TestCase):
    def setUp(self):
        # As Django's test client does: the test's transaction must outlive the request.
        for signal in (signals.request_started, signals.request_finished):
            signal.disconnect(close_old_connections)
            self.addCleanup(signal.connect, close_old_connections)
        self.addCleanup(gc.unfreeze)

    def test_wsgi_application_serves_the_home_page(self):
        gc.unfreeze()
        wsgi = importlib.reload(importlib.import_module("compilation.wsgi"))
        self.assertGreater(gc.get_freeze_count(), 0)
        environ = {"PATH_INFO": "/", "HTTP_HOST": "testserver"}
        setup_testing_defaults(environ)
        statuses = []
        body = b"".join(wsgi.application(environ, lambda status, headers: statuses.append(status)))
        self.assertEqual(statuses, ["200 OK"])
        self.assertIn("汇编".encode(), body)

    def test_asgi_application_answers_404_for_an_unknown_page(self):
        gc.unfreeze()
        asgi = importlib.reload(importlib.import_module("compilation.asgi"))
        self.assertGreater(gc.get_freeze_count(), 0)
        sent, requests = [], [{"type": "http.request", "body": b"", "more_body": False}]

        async def receive():
            if requests:
                return requests.pop()
            await asyncio.Event().wait()  # no disconnect: cancelled once the response is sent

        async def send(message):
            sent.append(message)

        scope = {"type": "http", "method": "GET", "path": "/nope/", "query_string": b"",
                 "headers": [(b"host", b"testserver")], "server": ("testserver", 80)}
        asyncio.run(asgi.application(scope, receive, send))
        self.assertEqual(sent[0]["status"], 404)
