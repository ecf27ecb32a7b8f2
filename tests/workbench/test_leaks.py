"""No route of the workbench gives one reader another's rows, or a non-member members-only
text past the free preview: tried on every route, by id guessing and by membership lost."""
import io
from xml.etree import ElementTree

import pytest
from django.contrib.auth.models import Group
from docx import Document

from articles.exports.drafts import footnotes_of
from articles.models import member_group_name
from articles.reading import preview_text
from articles.workbench.models import Clip, Draft, DraftItem, Folder, FolderItem, Follow

from .conftest import JsonClient

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"
HIDDEN = "逐项销号"  # in the members-only article, past its free preview


def docx_text(data):
    document = Document(io.BytesIO(data))
    return "\n".join(p.text for p in document.paragraphs)


def everything():
    return [list(model.objects.order_by("pk").values()) for model in
            (Folder, FolderItem, Clip, Draft, DraftItem, Follow)]


@pytest.fixture
def owned(reader, library):
    """One of each of the reader's rows."""
    api = JsonClient(reader)
    folder = api.post("/api/folders/", {"name": "我的"}).json()["id"]
    api.post(f"/api/folders/{folder}/articles/", {"article": library["free"].pk})
    clip = api.post("/api/clips/", {"article": library["free"].pk, "paragraph": 2}).json()["id"]
    draft = api.post("/api/drafts/", {"title": "我的稿"}).json()["id"]
    item = api.post(f"/api/drafts/{draft}/items/", {"clip": clip}).json()["id"]
    follow = api.post("/api/follows/", {"q": "作风"}).json()["id"]
    return {"folder": folder, "clip": clip, "draft": draft, "item": item, "follow": follow,
            "article": library["free"].pk}


def test_the_hidden_words_really_are_past_the_preview(library):
    assert HIDDEN in library["members"].text
    assert HIDDEN not in preview_text(library["members"].text)


class TestAnotherReader:
    ROUTES = [
        ("get", "/api/folders/{folder}/", None),
        ("patch", "/api/folders/{folder}/", {"name": "改名"}),
        ("delete", "/api/folders/{folder}/", None),
        ("post", "/api/folders/{folder}/articles/", {"article": "{article}"}),
        ("delete", "/api/folders/{folder}/articles/{article}/", None),
        ("get", "/api/folders/{folder}/export.docx", None),
        ("get", "/api/folders/{folder}/export.txt", None),
        ("get", "/api/clips/{clip}/", None),
        ("patch", "/api/clips/{clip}/", {"note": "我的"}),
        ("delete", "/api/clips/{clip}/", None),
        ("get", "/api/drafts/{draft}/", None),
        ("patch", "/api/drafts/{draft}/", {"title": "抢来的"}),
        ("delete", "/api/drafts/{draft}/", None),
        ("post", "/api/drafts/{draft}/items/", {"heading": "插一句"}),
        ("patch", "/api/drafts/{draft}/items/{item}/", {"text": "改"}),
        ("delete", "/api/drafts/{draft}/items/{item}/", None),
        ("post", "/api/drafts/{draft}/order/", {"items": ["{item}"]}),
        ("get", "/api/drafts/{draft}/export.docx", None),
        ("get", "/api/drafts/{draft}/export.txt", None),
        ("get", "/api/follows/{follow}/", None),
        ("patch", "/api/follows/{follow}/", {"digest": True}),
        ("delete", "/api/follows/{follow}/", None),
        ("post", "/api/follows/{follow}/token/", None),
        ("get", "/workbench/folders/{folder}/", None),
        ("get", "/workbench/drafts/{draft}/", None),
        ("get", "/workbench/follows/{follow}/", None),
    ]

    @pytest.mark.parametrize("method, url, payload", ROUTES)
    def test_every_route_is_a_404_and_changes_nothing(self, other, owned, method, url, payload):
        before = everything()
        api = JsonClient(other)
        url = url.format(**owned)
        if payload is not None:
            payload = {k: ([int(x.format(**owned)) for x in v] if isinstance(v, list)
                           else int(v.format(**owned)) if isinstance(v, str) and "{" in v
                           else v) for k, v in payload.items()}
        if method == "get":
            answer = api.get(url)
        elif method == "delete":
            answer = api.delete(url)
        else:
            answer = getattr(api, method)(url, payload)
        assert answer.status_code == 404
        if url.startswith("/api/"):
            assert answer.json()["error"]
        assert everything() == before

    def test_lists_and_clip_filters_show_nothing_of_the_other(self, other, owned, library):
        api = JsonClient(other)
        for url in ("/api/folders/", "/api/drafts/", "/api/follows/"):
            assert api.get(url).json()["results"] == []
        assert api.get("/api/clips/").json()["total"] == 0
        assert api.get("/api/clips/", article=str(library["free"].pk)).json()["total"] == 0
        draft = api.post("/api/drafts/", {"title": "别人的稿"}).json()["id"]
        stolen = api.post(f"/api/drafts/{draft}/items/", {"clip": owned["clip"]})
        assert stolen.status_code == 404
        for page in ("/workbench/", "/workbench/clips/"):
            html = api.get(page).content.decode()
            assert "我的稿" not in html and "审计局党组把落实" not in html


class TestNonMember:
    def test_a_non_member_clips_the_preview_only(self, reader, library):
        api = JsonClient(reader)
        article = library["members"].pk
        shown = api.post("/api/clips/", {"article": article, "paragraph": 2}).json()["text"]
        assert shown in preview_text(library["members"].text)
        blocks = len(preview_text(library["members"].text).splitlines())
        beyond = api.post("/api/clips/", {"article": article, "paragraph": blocks + 1})
        assert beyond.status_code == 400 and f"共 {blocks} 段" in beyond.json()["error"]
        long = api.post("/api/clips/", {"article": article, "paragraph": 2,
                                         "start": 0, "end": len(shown) + 5})
        assert long.status_code == 400
        draft = api.post("/api/drafts/", {"title": "稿"}).json()["id"]
        direct = api.post(f"/api/drafts/{draft}/items/",
                          {"article": article, "paragraph": blocks + 1})
        assert direct.status_code == 400
        assert not Clip.objects.filter(text__contains=HIDDEN).exists()

    def test_downloads_give_a_non_member_the_preview(self, reader, library):
        api = JsonClient(reader)
        folder = api.post("/api/folders/", {"name": "甲"}).json()["id"]
        api.post(f"/api/folders/{folder}/articles/", {"article": library["members"].pk})
        for data in (docx_text(api.get(f"/api/folders/{folder}/export.docx").content),
                     api.get(f"/api/folders/{folder}/export.txt").content.decode("utf-8-sig"),
                     docx_text(api.get("/api/search/export.docx", q="清单化").content),
                     api.get("/api/search/export.txt", q="清单化").content.decode("utf-8-sig")):
            assert "县民政局：清单化推进作风建设" in data
            assert HIDDEN not in data
        # Nor does searching for the hidden words find the article to export.
        assert api.get("/api/search/export.txt", q=HIDDEN).status_code == 400

    def test_a_member_who_lost_membership_keeps_references_not_text(self, member, library):
        api = JsonClient(member)
        article = library["members"].pk
        clip = api.post("/api/clips/", {"article": article, "paragraph": 3}).json()
        assert HIDDEN in clip["text"]
        preview_clip = api.post("/api/clips/", {"article": article, "paragraph": 1}).json()
        draft = api.post("/api/drafts/", {"title": "会员稿"}).json()["id"]
        for c in (clip, preview_clip):
            api.post(f"/api/drafts/{draft}/items/", {"clip": c["id"]})
        folder = api.post("/api/folders/", {"name": "会员"}).json()["id"]
        api.post(f"/api/folders/{folder}/articles/", {"article": article})

        member.groups.remove(Group.objects.get(name=member_group_name()))
        api = JsonClient(member)  # a new request: membership is read again
        listed = {c["id"]: c for c in api.get("/api/clips/").json()["results"]}
        assert listed[clip["id"]]["withheld"] is True
        assert HIDDEN not in listed[clip["id"]]["text"]
        assert listed[clip["id"]]["source"]["title"] == "县民政局：清单化推进作风建设"
        assert listed[preview_clip["id"]]["withheld"] is False  # the preview stays readable
        assert HIDDEN not in str(api.get(f"/api/clips/{clip['id']}/").json())
        assert HIDDEN not in str(api.get(f"/api/drafts/{draft}/").json())
        assert api.get("/api/clips/", q=HIDDEN).json()["total"] in (0, 1)  # finds, shows not
        assert HIDDEN not in str(api.get("/api/clips/", q=HIDDEN).json())
        word = api.get(f"/api/drafts/{draft}/export.docx").content
        for data in (docx_text(word), "\n".join(footnotes_of(word)),
                     api.get(f"/api/drafts/{draft}/export.txt").content.decode("utf-8-sig"),
                     docx_text(api.get(f"/api/folders/{folder}/export.docx").content)):
            assert HIDDEN not in data
        assert all("县民政局：清单化推进作风建设" in source for source in footnotes_of(word))
        for page in ("/workbench/", "/workbench/clips/", f"/workbench/drafts/{draft}/"):
            assert HIDDEN not in api.get(page).content.decode()

    def test_the_feed_of_a_follow_carries_previews_only(self, member, library):
        api = JsonClient(member)
        follow = api.post("/api/follows/", {"q": HIDDEN}).json()
        feed = ElementTree.fromstring(JsonClient().client.get(follow["feed_url"]).content)
        entries = feed.findall(f"{ATOM}entry")
        # A member's search matches the full text ...
        assert [e.findtext(f"{ATOM}title") for e in entries] == ["县民政局：清单化推进作风建设"]
        # ... but the feed, read by whoever holds its URL, carries the preview only.
        assert HIDDEN not in "".join(e.findtext(f"{ATOM}summary") or "" for e in entries)
