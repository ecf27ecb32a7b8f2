"""Follows: a saved search's private feed (an article published afterwards appears, a
scheduled one only at its time), the 新增 N 篇 count, and the daily digest."""
import datetime
from unittest import mock
from xml.etree import ElementTree

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone

from articles import services
from articles.models import Status
from articles.workbench.models import Follow
from tests.factories import make_article

from .conftest import JsonClient

pytestmark = pytest.mark.django_db
ATOM = "{http://www.w3.org/2005/Atom}"
START = timezone.now().replace(microsecond=0)


def clock(moment):
    return mock.patch.object(timezone, "now", return_value=moment)


def titles(feed_url):
    feed = ElementTree.fromstring(JsonClient().client.get(feed_url).content)
    return [entry.findtext(f"{ATOM}title") for entry in feed.findall(f"{ATOM}entry")]


def test_a_saved_search_feed_gets_new_articles_and_scheduled_ones_at_their_time(
        reader, library):
    api = JsonClient(reader)
    follow = api.post("/api/follows/", {"q": "蜉蝣 工作法", "year": "2026"}).json()
    assert titles(follow["feed_url"]) == []
    make_article(compilation=library["compilation"], title="档案局：蜉蝣工作法见实效", year=2026,
                 original_text="档案局创新蜉蝣工作法。", sections=[])
    make_article(compilation=library["compilation"], title="蜉蝣工作法（2025年）", year=2025,
                 original_text="往年的蜉蝣工作法。", sections=[])
    services.article_create(values={
        "compilation": library["compilation"], "position": 20, "title": "定时：蜉蝣工作法二",
        "original_text": "定时发布的蜉蝣工作法。", "status": Status.PUBLISHED, "year": 2026,
        "published_at": START + datetime.timedelta(hours=2),
    })
    with clock(START + datetime.timedelta(hours=1)):
        assert titles(follow["feed_url"]) == ["档案局：蜉蝣工作法见实效"]
        assert api.get("/api/follows/").json()["results"][0]["new"] == 1
    with clock(START + datetime.timedelta(hours=3)):
        assert titles(follow["feed_url"]) == ["定时：蜉蝣工作法二", "档案局：蜉蝣工作法见实效"]
        assert api.get("/api/follows/").json()["results"][0]["new"] == 2
        # Opening the follow shows its results, and from then on nothing is new.
        opened = api.client.get(follow["url"])
        assert opened.status_code == 302 and opened["Location"].startswith("/search/?q=")
        assert api.get("/api/follows/").json()["results"][0]["new"] == 0


def test_an_agency_follow_counts_only_that_agency(reader, library):
    api = JsonClient(reader)
    follow = api.post("/api/follows/", {"agency": library["agency"].pk}).json()
    make_article(compilation=library["compilation"], agency=library["agency"], title="新一篇",
                 original_text="正文。", sections=[])
    make_article(compilation=library["compilation"], title="别的机关", original_text="正文。",
                 sections=[])
    assert api.get("/api/follows/").json()["results"][0]["new"] == 1
    assert titles(follow["feed_url"])[0] == "新一篇"
    assert "别的机关" not in titles(follow["feed_url"])


@override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend")
def test_the_daily_digest_mails_what_is_new_once(reader, library):
    api = JsonClient(reader)
    follow = api.post("/api/follows/", {"q": "蜉蝣"}).json()
    api.patch(f"/api/follows/{follow['id']}/", {"digest": True})
    call_command("send_digests", "--site-url", "https://huibian.example.cn")
    assert mail.outbox == []  # nothing new yet
    make_article(compilation=library["compilation"], title="蜉蝣工作法", original_text="正文。",
                 sections=[])
    call_command("send_digests", "--site-url", "https://huibian.example.cn")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["reader@example.cn"] and "蜉蝣工作法" in message.body
    assert "https://huibian.example.cn/articles/" in message.body
    call_command("send_digests", "--site-url", "https://huibian.example.cn")
    assert len(mail.outbox) == 1  # the same news is not mailed twice
    assert Follow.objects.get().last_digest_at is not None
