"""Readers, articles and a JSON client for the workbench's tests."""
import json

import pytest
from django.contrib.auth.models import Group, User
from django.test import Client

from articles.groups import ensure_groups
from articles.models import member_group_name
from tests.factories import make_agency, make_article, make_compilation

MEMBERS_TEXT = (
    "一、压紧压实责任\n"
    + "审计局党组把从严治党作为政治担当，" * 8 + "\n"
    "会员才能读到的第二段：建立清单化管理台账，逐项销号。\n"
)


class JsonClient:
    """Django's test client speaking JSON to ``/api/``, with CSRF checks on, as a browser."""

    def __init__(self, user=None):
        self.client = Client(enforce_csrf_checks=True)
        if user is not None:
            self.client.force_login(user)
        self.client.get("/")  # the page sets the CSRF cookie a browser would send back

    @property
    def csrf(self):
        cookie = self.client.cookies.get("csrftoken")
        return cookie.value if cookie else ""

    def _send(self, method, url, data):
        body = data if isinstance(data, (str, bytes)) else json.dumps(data)
        return getattr(self.client, method)(
            url, body, content_type="application/json", HTTP_X_CSRFTOKEN=self.csrf)

    def get(self, url, **params):
        return self.client.get(url, params)

    def post(self, url, data=None):
        return self._send("post", url, {} if data is None else data)

    def patch(self, url, data=None):
        return self._send("patch", url, {} if data is None else data)

    def delete(self, url):
        return self._send("delete", url, "")


def make_reader(username, *, member=False):
    ensure_groups()
    user = User.objects.create_user(username, f"{username}@example.cn", "secret-pass-123")
    if member:
        user.groups.add(Group.objects.get(name=member_group_name()))
    return user


@pytest.fixture
def reader(db):
    return make_reader("reader")


@pytest.fixture
def member(db):
    return make_reader("member", member=True)


@pytest.fixture
def other(db):
    return make_reader("other")


@pytest.fixture
def library(db):
    """Three published articles (one members-only) and a draft, in one compilation."""
    compilation = make_compilation(title="关于作风建设材料汇编")
    agency = make_agency(name="市审计局", region="都匀市")
    free = make_article(
        compilation=compilation, agency=agency, title="市审计局：“三化”发力争创模范机关",
        original_text="一、压责固廉\n审计局D组把落实全面从严治D作为最大的政治担当。\n建立廉政风险台账。",
        sections=[{"heading": "一、压责固廉",
                   "paragraphs": ["审计局D组把落实全面从严治D作为最大的政治担当。", "建立廉政风险台账。"]}],
    )
    members = make_article(
        compilation=compilation, agency=agency, title="县民政局：清单化推进作风建设",
        original_text=MEMBERS_TEXT, members_only=True,
        sections=[{"heading": "一、压紧压实责任", "paragraphs": MEMBERS_TEXT.splitlines()[1:]}],
    )
    plain = make_article(compilation=compilation, title="街道：网格化服务群众",
                         original_text="第一段。\n第二段讲“马上就办”。", sections=[])
    draft = make_article(compilation=compilation, title="草稿文章", status="draft")
    return {"free": free, "members": members, "plain": plain, "draft": draft,
            "compilation": compilation, "agency": agency}
