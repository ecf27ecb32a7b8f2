"""The read API: its OpenAPI schema and docs page, the reader site's permissions and
filters on every endpoint, rate limiting for anonymous clients, and a fuzz of every
operation from the schema (schemathesis): no server error, every answer as documented."""
from unittest import mock

import pytest
import schemathesis
from django.core import signals
from django.core.cache import cache
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.test import TestCase, override_settings
from django.urls import reverse
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, settings
from rest_framework.throttling import AnonRateThrottle
from schemathesis.checks import content_type_conformance, not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from articles.models import Article, Status
from articles.text import teaser
from tests.factories import make_agency, make_article, make_compilation, make_user
from tests.views.data import SECRET, make_members_article


def library():
    agency = make_agency(name="市审计局", region="贵阳市", sector="审计")
    shown = make_compilation(title="关于模范机关建设材料汇编（3篇）")
    hidden = make_compilation(title="未发布的汇编", status=Status.DRAFT)
    public = make_article(compilation=shown, agency=agency, title="市审计局：“三化”发力",
                          themes=["党建"], initiatives=["三化"], year=2023)
    members = make_members_article(compilation=shown, agency=agency, themes=["清廉机关"])
    draft = make_article(compilation=hidden, title="草稿中的文章")
    return {"agency": agency, "shown": shown, "hidden": hidden, "public": public,
            "members": members, "draft": draft}


class ReadApiTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.data = library()
        cls.member = make_user("会员小王", group="会员")
        cls.editor = make_user("编辑小李", group="编辑", staff=True)

    def get(self, name, *args, **params):
        response = self.client.get(reverse(f"api:{name}", args=args), params)
        return response.status_code, response.json() if response.status_code != 204 else None

    def test_schema_and_docs_page(self):
        response = self.client.get(reverse("api:schema"), {"format": "json"})
        self.assertEqual(response.status_code, 200)
        schema = response.json()
        self.assertTrue(schema["openapi"].startswith("3."))
        for path in ("/api/search/", "/api/articles/", "/api/articles/{id}/",
                     "/api/compilations/", "/api/agencies/", "/api/themes/{slug}/",
                     "/api/initiatives/"):
            self.assertIn(path, schema["paths"])
        docs = self.client.get(reverse("api:docs"))
        self.assertEqual(docs.status_code, 200)
        self.assertContains(docs, "/static/drf_spectacular_sidecar/")  # no CDN
        self.assertNotContains(docs, "cdn.jsdelivr.net")

    def test_articles_list_and_filters_follow_the_site(self):
        status, page = self.get("article-list")
        self.assertEqual(status, 200)
        ids = {a["id"] for a in page["results"]}
        self.assertEqual(ids, {self.data["public"].pk, self.data["members"].pk})  # no draft
        self.assertEqual(page["count"], 2)
        _status, themed = self.get("article-list", theme="党建")
        self.assertEqual([a["id"] for a in themed["results"]], [self.data["public"].pk])
        self.assertEqual(themed["results"][0]["initiatives"], ["三化"])
        # A bad filter value is an error an API client should see, in Chinese, by field.
        status, bad = self.get("article-list", year="abc", agency="0")
        self.assertEqual(status, 400)
        self.assertEqual(set(bad), {"year", "agency"})
        self.assertIn("整数", bad["year"][0])
        self.client.force_login(self.editor)
        _status, everything = self.get("article-list")
        self.assertIn(self.data["draft"].pk, {a["id"] for a in everything["results"]})

    def test_members_only_bodies_only_for_members(self):
        members = self.data["members"]
        _status, anonymous = self.get("article-detail", members.pk)
        self.assertFalse(anonymous["full"])
        self.assertEqual(anonymous["text"], teaser(members.text))
        self.assertEqual(anonymous["sections"], [])
        self.assertNotIn(SECRET, str(anonymous))
        self.client.force_login(self.member)
        _status, member = self.get("article-detail", members.pk)
        self.assertTrue(member["full"])
        self.assertIn(SECRET, member["text"])
        self.assertIn("一、秘而不宣的小标题", [s["heading"] for s in member["sections"]])

    def test_drafts_and_unknown_records_are_not_found(self):
        self.assertEqual(self.get("article-detail", self.data["draft"].pk)[0], 404)
        self.assertEqual(self.get("compilation-detail", self.data["hidden"].pk)[0], 404)
        self.assertEqual(self.get("article-detail", 10**9)[0], 404)
        self.assertEqual(self.get("theme-detail", "不存在的主题")[0], 404)
        status, compilation = self.get("compilation-detail", self.data["shown"].pk)
        self.assertEqual(status, 200)
        self.assertEqual([a["id"] for a in compilation["articles"]],
                         [self.data["public"].pk, self.data["members"].pk])

    def test_vocabulary_endpoints(self):
        _status, theme = self.get("theme-detail", "清廉机关")
        self.assertEqual(theme["name"], "清廉机关")
        _status, agency = self.get("agency-detail", self.data["agency"].pk)
        self.assertEqual((agency["name"], agency["region"], agency["region_path"]),
                         ("市审计局", "5201", "贵州省 › 贵阳市"))
        _status, listed = self.get("article-list", region="52")
        self.assertEqual(listed["count"], Article.objects.filter(
            status="published", agency__region__province="52").count())
        self.assertGreater(listed["count"], 0)
        status, _body = self.get("article-list", region="火星")
        self.assertEqual(status, 400)
        _status, initiatives = self.get("initiative-list")
        self.assertIn("三化", [i["name"] for i in initiatives["results"]])

    def test_anonymous_clients_are_rate_limited(self):
        cache.clear()  # the suite's other anonymous requests count from the same address
        with mock.patch.object(AnonRateThrottle, "THROTTLE_RATES", {"anon": "3/min"}):
            codes = [self.client.get(reverse("api:agency-list")).status_code for _ in range(5)]
        self.assertEqual(codes, [200, 200, 200, 429, 429])
        self.client.force_login(self.member)  # signed-in readers are not limited this way
        self.assertEqual(self.client.get(reverse("api:agency-list")).status_code, 200)


def _schema():
    with override_settings(ALLOWED_HOSTS=["*"]):
        generated = SchemaGenerator().get_schema(request=None, public=True)
    schema = schemathesis.openapi.from_dict(generated)
    schema.app = get_wsgi_application()
    return schema


schema = _schema()


@pytest.fixture
def served(django_db_blocker, db):
    """A library to fuzz, requests served in the test's transaction (as Django's test client
    does: no connection closed at the end of a request), no rate limit."""
    library()
    for signal in (signals.request_started, signals.request_finished):
        signal.disconnect(close_old_connections)
    try:
        with mock.patch.object(AnonRateThrottle, "THROTTLE_RATES", {"anon": None}):
            yield
    finally:
        for signal in (signals.request_started, signals.request_finished):
            signal.connect(close_old_connections)


@schema.parametrize()
@settings(max_examples=40, deadline=None, derandomize=True,
          suppress_health_check=list(HealthCheck))
def test_every_operation_conforms_to_the_schema(case, served):
    case.call_and_validate(
        checks=[not_a_server_error, response_schema_conformance, content_type_conformance],
        headers={"Host": "testserver"},
    )
