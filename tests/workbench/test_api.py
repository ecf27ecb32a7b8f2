"""The workbench's JSON interface, end to end through HTTP with CSRF checks on: what each
route writes and answers, and that bad input answers 400 in Chinese and writes nothing."""
import io

import pytest
from docx import Document

from articles.exports.drafts import footnotes_of
from articles.models import Article
from articles.services import article_save
from articles.workbench.models import Clip, Draft, DraftItem, Folder, FolderItem, Follow
from articles.workbench.services import MAX_DRAFT_ITEMS

from .conftest import JsonClient

pytestmark = pytest.mark.django_db


def body_texts(data: bytes) -> list[str]:
    return [p.text for p in Document(io.BytesIO(data)).paragraphs if p.text.strip()]


def counts():
    return [model.objects.count() for model in (Folder, FolderItem, Clip, Draft, DraftItem,
                                                Follow)]


class TestFolders:
    def test_create_add_list_rename_remove(self, reader, library):
        api = JsonClient(reader)
        made = api.post("/api/folders/", {"name": "作风建设"})
        assert made.status_code == 201
        folder = made.json()["id"]
        for article in (library["free"], library["plain"]):
            answer = api.post(f"/api/folders/{folder}/articles/", {"article": article.pk})
            assert answer.status_code == 201 and answer.json()["created"] is True
        again = api.post(f"/api/folders/{folder}/articles/", {"article": library["free"].pk})
        assert again.status_code == 200 and again.json()["created"] is False
        listed = api.get("/api/folders/").json()["results"]
        assert [(f["name"], f["article_count"]) for f in listed] == [("作风建设", 2)]
        detail = api.get(f"/api/folders/{folder}/").json()
        assert {a["id"] for a in detail["articles"]} == {library["free"].pk, library["plain"].pk}
        assert api.patch(f"/api/folders/{folder}/", {"name": "党建"}).json()["name"] == "党建"
        gone = api.delete(f"/api/folders/{folder}/articles/{library['plain'].pk}/")
        assert gone.status_code == 204
        assert api.get(f"/api/folders/{folder}/").json()["total"] == 1
        assert api.delete(f"/api/folders/{folder}/").status_code == 204
        assert not Folder.objects.exists()

    def test_a_draft_article_cannot_be_collected_by_a_reader(self, reader, library):
        api = JsonClient(reader)
        folder = api.post("/api/folders/", {"name": "甲"}).json()["id"]
        answer = api.post(f"/api/folders/{folder}/articles/", {"article": library["draft"].pk})
        assert answer.status_code == 404 and "文章" in answer.json()["error"]
        assert not FolderItem.objects.exists()

    def test_same_name_twice_is_refused(self, reader):
        api = JsonClient(reader)
        assert api.post("/api/folders/", {"name": "甲"}).status_code == 201
        answer = api.post("/api/folders/", {"name": " 甲 "})
        assert answer.status_code == 400 and "已有" in answer.json()["error"]
        assert Folder.objects.count() == 1

    def test_export_of_a_selection_holds_those_articles_with_their_source_lines(
            self, reader, library):
        api = JsonClient(reader)
        folder = api.post("/api/folders/", {"name": "材料"}).json()["id"]
        for article in (library["free"], library["plain"]):
            api.post(f"/api/folders/{folder}/articles/", {"article": article.pk})
        answer = api.get(f"/api/folders/{folder}/export.docx",
                         articles=str(library["plain"].pk))
        assert answer.status_code == 200
        texts = body_texts(answer.content)
        assert "街道：网格化服务群众" in texts
        assert not any("三化" in t for t in texts)
        assert any(t.startswith("材料来源：《街道：网格化服务群众》") for t in texts)
        whole = api.get(f"/api/folders/{folder}/export.txt").content.decode("utf-8-sig")
        assert "市审计局：“三化”发力争创模范机关" in whole and "材料来源：" in whole


class TestClips:
    def test_a_paragraph_and_a_part_of_one(self, reader, library):
        api = JsonClient(reader)
        article = library["free"]
        # Paragraph 1 is the heading 一、压责固廉, 2 and 3 its paragraphs (codes restored).
        whole = api.post("/api/clips/", {"article": article.pk, "paragraph": 2, "note": "好句"})
        assert whole.status_code == 201
        clip = whole.json()
        assert clip["text"] == "审计局党组把落实全面从严治党作为最大的政治担当。"
        assert clip["source"]["title"] == "市审计局：“三化”发力争创模范机关"
        assert clip["source"]["agency"] == "市审计局（都匀市）"
        assert clip["source"]["compilation"] == "关于作风建设材料汇编"
        assert clip["source"]["url"] == f"/articles/{article.pk}/#p2"
        assert clip["source"]["line"].startswith(
            "《市审计局：“三化”发力争创模范机关》，市审计局（都匀市），关于作风建设材料汇编，")
        part = api.post("/api/clips/", {"article": article.pk, "paragraph": 3,
                                        "start": 2, "end": 6, "tags": ["廉政", "台账"]})
        assert part.status_code == 201 and part.json()["text"] == "廉政风险"
        assert part.json()["tags"] == ["廉政", "台账"]
        heading = api.post("/api/clips/", {"article": article.pk, "paragraph": 1}).json()
        assert heading["text"] == "一、压责固廉"

    def test_paragraphs_of_an_article_without_sections_are_its_lines(self, reader, library):
        api = JsonClient(reader)
        answer = api.post("/api/clips/", {"article": library["plain"].pk, "paragraph": 2})
        assert answer.json()["text"] == "第二段讲“马上就办”。"

    @pytest.mark.parametrize("payload, words", [
        ({"paragraph": 9}, "超出范围"),
        ({"paragraph": 0}, "超出范围"),
        ({"paragraph": "二"}, "正整数"),
        ({"paragraph": 2, "start": 5, "end": 3}, "范围"),
        ({"paragraph": 2, "start": 0, "end": 999}, "范围"),
        ({"paragraph": 2, "start": -1, "end": 3}, "不小于 0"),
        ({"paragraph": 2, "note": "长" * 2001}, "不能超过"),
        ({"paragraph": 2, "tags": [f"标{n}" for n in range(11)]}, "标签"),
    ])
    def test_bad_input_is_a_chinese_400_and_writes_nothing(self, reader, library, payload,
                                                          words):
        api = JsonClient(reader)
        answer = api.post("/api/clips/", {"article": library["free"].pk, **payload})
        assert answer.status_code == 400
        assert words in answer.json()["error"]
        assert not Clip.objects.exists()

    @pytest.mark.parametrize("article", [999999, "abc", None, True, 2**70])
    def test_unknown_or_malformed_article(self, reader, library, article):
        answer = JsonClient(reader).post("/api/clips/", {"article": article, "paragraph": 1})
        assert answer.status_code in (400, 404)
        assert answer.json()["error"]
        assert not Clip.objects.exists()

    def test_malformed_json_and_wrong_shapes(self, reader):
        api = JsonClient(reader)
        for body in ("{not json", "[1, 2]", '"text"'):
            answer = api.post("/api/clips/", body)
            assert answer.status_code == 400
            assert answer.json()["error"]
        assert not Clip.objects.exists()

    def test_search_uses_the_library_operators(self, reader, library):
        api = JsonClient(reader)
        article = library["free"]
        api.post("/api/clips/", {"article": article.pk, "paragraph": 2})
        api.post("/api/clips/", {"article": article.pk, "paragraph": 3, "note": "风险清单"})
        api.post("/api/clips/", {"article": library["plain"].pk, "paragraph": 2})

        def found(q, **filters):
            return sorted(c["text"] for c in api.get("/api/clips/", q=q, **filters)
                          .json()["results"])
        assert found("政治担当") == ["审计局党组把落实全面从严治党作为最大的政治担当。"]
        assert found("台账 -政治") == ["建立廉政风险台账。"]
        assert found("风险清单") == ["建立廉政风险台账。"]  # the note is searched too
        assert found("马上就办 | 担当") == ["审计局党组把落实全面从严治党作为最大的政治担当。",
                                         "第二段讲“马上就办”。"]
        assert found("intitle:网格化") == ["第二段讲“马上就办”。"]
        assert found("“全面从严”") == ["审计局党组把落实全面从严治党作为最大的政治担当。"]
        assert found("") and found("，，") == []
        assert len(found("", article=str(article.pk))) == 2
        assert len(found("", compilation=str(library["compilation"].pk))) == 3
        assert found("", agency="abc") == []

    def test_a_clip_keeps_its_text_when_the_article_changes(self, reader, library, django_user_model):
        api = JsonClient(reader)
        article = library["free"]
        clip = api.post("/api/clips/", {"article": article.pk, "paragraph": 2}).json()
        editor = django_user_model.objects.create_user("editor", is_staff=True)
        fresh = Article.objects.get(pk=article.pk)
        article_save(article_id=fresh.pk, user=editor, expected_version=fresh.version, values={
            "original_text": "一、压责固廉\n全新的第一段。\n建立廉政风险台账。",
            "sections": [{"heading": "一、压责固廉",
                          "paragraphs": ["全新的第一段。", "建立廉政风险台账。"]}]})
        again = api.get(f"/api/clips/{clip['id']}/").json()
        assert again["text"] == clip["text"]
        assert again["source_changed"] is True


class TestDrafts:
    def make(self, api, library):
        draft = api.post("/api/drafts/", {"title": "关于作风建设的调研报告"}).json()["id"]
        clips = [
            api.post("/api/clips/", {"article": library["free"].pk, "paragraph": 2}).json()["id"],
            api.post("/api/clips/", {"article": library["plain"].pk, "paragraph": 2}).json()["id"],
        ]
        heading = api.post(f"/api/drafts/{draft}/items/", {"heading": "一、主要做法"}).json()["id"]
        items = [api.post(f"/api/drafts/{draft}/items/", {"clip": c}).json()["id"] for c in clips]
        text = api.post(f"/api/drafts/{draft}/items/", {"text": "我们的体会。"}).json()["id"]
        return draft, heading, items, text

    def test_compose_reorder_and_export(self, reader, library):
        api = JsonClient(reader)
        draft, heading, (first, second), text = self.make(api, library)
        # A clip taken straight from an article, not from the clip list.
        direct = api.post(f"/api/drafts/{draft}/items/", {"article": library["free"].pk,
                                                          "paragraph": 3, "start": 2, "end": 6})
        assert direct.status_code == 201 and direct.json()["text"] == "廉政风险"
        order = [text, second, heading, direct.json()["id"], first]
        answer = api.post(f"/api/drafts/{draft}/order/", {"items": order})
        assert [i["id"] for i in answer.json()["items"]] == order
        linked = {i["id"]: i["source"] and i["source"]["url"] for i in answer.json()["items"]}
        assert linked[first] == f"/articles/{library['free'].pk}/#p2"
        assert linked[heading] is None
        data = api.get(f"/api/drafts/{draft}/export.docx")
        assert data.status_code == 200
        body = body_texts(data.content)
        assert body[0] == "关于作风建设的调研报告"
        assert body[1:] == ["我们的体会。", "第二段讲“马上就办”。", "一、主要做法", "廉政风险",
                            "审计局党组把落实全面从严治党作为最大的政治担当。"]
        sources = footnotes_of(data.content)
        assert [s.split("，")[0] for s in sources] == [
            "《街道：网格化服务群众》", "《市审计局：“三化”发力争创模范机关》",
            "《市审计局：“三化”发力争创模范机关》"]
        txt = api.get(f"/api/drafts/{draft}/export.txt").content.decode("utf-8-sig")
        assert txt.index("我们的体会") < txt.index("马上就办") < txt.index("主要做法")
        assert "材料来源" in txt

    @pytest.mark.parametrize("order", [[], "1,2", ["x"], "dup", "missing", "foreign"])
    def test_an_order_that_is_not_a_permutation_is_refused(self, reader, library, other, order):
        api = JsonClient(reader)
        draft, heading, items, text = self.make(api, library)
        ids = [heading, *items, text]
        order = {"dup": [heading, heading, *items], "missing": ids[:-1],
                 "foreign": [*ids[:-1], 10**6]}.get(order, order) if isinstance(order, str) \
            else order
        before = list(DraftItem.objects.order_by("position").values_list("id", flat=True))
        answer = api.post(f"/api/drafts/{draft}/order/", {"items": order})
        assert answer.status_code == 400 and answer.json()["error"]
        assert list(DraftItem.objects.order_by("position").values_list("id", flat=True)) == before

    def test_a_draft_keeps_the_clipped_text_and_says_the_source_changed(
            self, reader, library, django_user_model):
        api = JsonClient(reader)
        draft, _heading, (first, _second), _text = self.make(api, library)
        fresh = Article.objects.get(pk=library["free"].pk)
        editor = django_user_model.objects.create_user("editor", is_staff=True)
        article_save(article_id=fresh.pk, user=editor, expected_version=fresh.version,
                     values={"original_text": "改写后的正文。", "sections": []})
        Clip.objects.all().delete()  # the clips themselves are gone too
        items = {i["id"]: i for i in api.get(f"/api/drafts/{draft}/").json()["items"]}
        assert items[first]["text"] == "审计局党组把落实全面从严治党作为最大的政治担当。"
        assert items[first]["source_changed"] is True
        assert items[first]["source"]["title"] == "市审计局：“三化”发力争创模范机关"

    def test_ten_thousand_clips_do_not_fit_in_one_draft(self, reader, library):
        api = JsonClient(reader)
        draft = api.post("/api/drafts/", {"title": "长稿"}).json()["id"]
        DraftItem.objects.bulk_create(
            DraftItem(draft_id=draft, position=n, kind="text", text=f"第{n}段")
            for n in range(1, MAX_DRAFT_ITEMS + 1))
        answer = api.post(f"/api/drafts/{draft}/items/", {"text": "再加一段"})
        assert answer.status_code == 400 and str(MAX_DRAFT_ITEMS) in answer.json()["error"]
        assert DraftItem.objects.count() == MAX_DRAFT_ITEMS

    @pytest.mark.parametrize("payload", [{}, {"heading": "甲", "text": "乙"}, {"heading": ""},
                                         {"heading": 5}, {"clip": 999999}, {"clip": "x"}])
    def test_bad_items_are_refused(self, reader, payload):
        api = JsonClient(reader)
        draft = api.post("/api/drafts/", {"title": "稿"}).json()["id"]
        answer = api.post(f"/api/drafts/{draft}/items/", payload)
        assert answer.status_code in (400, 404) and answer.json()["error"]
        assert not DraftItem.objects.exists()

    def test_own_text_is_editable_a_clip_is_not(self, reader, library):
        api = JsonClient(reader)
        draft, heading, (first, _second), _text = self.make(api, library)
        changed = api.patch(f"/api/drafts/{draft}/items/{heading}/", {"text": "一、做法与成效"})
        assert changed.json()["text"] == "一、做法与成效"
        refused = api.patch(f"/api/drafts/{draft}/items/{first}/", {"text": "改掉原文"})
        assert refused.status_code == 400 and "原文" in refused.json()["error"]
        assert api.delete(f"/api/drafts/{draft}/items/{heading}/").status_code == 204


class TestFollows:
    @pytest.mark.parametrize("payload, kind", [
        ({"q": "作风 -草稿", "year": "2023"}, "search"),
        ({"q": "作风", "match": "auto", "sort": "relevance"}, "search"),
        ({"theme": "党建"}, "theme"),
        ({"region": "黔南州"}, "region"),
    ])
    def test_follow_answers_a_feed_url(self, reader, library, payload, kind):
        api = JsonClient(reader)
        answer = api.post("/api/follows/", payload)
        assert answer.status_code == 201, answer.json()
        follow = answer.json()
        assert follow["kind"] == kind
        assert follow["feed_url"].startswith("http://testserver/feeds/follow/")
        assert JsonClient().client.get(follow["feed_url"]).status_code == 200

    def test_an_agency_is_followed_once(self, reader, library):
        api = JsonClient(reader)
        first = api.post("/api/follows/", {"agency": library["agency"].pk}).json()
        second = api.post("/api/follows/", {"agency": library["agency"].pk}).json()
        assert first["id"] == second["id"] and Follow.objects.count() == 1

    @pytest.mark.parametrize("payload, words", [
        ({}, "检索条件"), ({"q": "，，"}, "没有可检索"), ({"agency": 999999}, "没有这个机关"),
        ({"theme": "不存在的主题"}, "没有这个主题"), ({"region": "火星"}, "没有这个地区"),
        ({"q": "作风", "year": "公元"}, "筛选条件无效"), ({"q": "作风", "colour": "red"}, "不认识"),
        ({"q": "长" * 101}, "不超过"),
    ])
    def test_bad_follows_are_refused(self, reader, library, payload, words):
        answer = JsonClient(reader).post("/api/follows/", payload)
        assert answer.status_code == 400 and words in answer.json()["error"]
        assert not Follow.objects.exists()

    def test_revoking_the_token_retires_the_old_feed_url(self, reader, library):
        api = JsonClient(reader)
        follow = api.post("/api/follows/", {"q": "作风"}).json()
        renewed = api.post(f"/api/follows/{follow['id']}/token/").json()
        assert renewed["feed_url"] != follow["feed_url"]
        assert JsonClient().client.get(follow["feed_url"]).status_code == 404
        assert JsonClient().client.get(renewed["feed_url"]).status_code == 200


class TestSession:
    def test_downloads_are_limited_per_reader(self, reader, other, library):
        from django.core.cache import cache
        from django.test import override_settings

        cache.clear()
        with override_settings(WORKBENCH_EXPORT_RATE="2/min"):
            api = JsonClient(reader)
            draft = api.post("/api/drafts/", {"title": "稿"}).json()["id"]
            answers = [api.get(f"/api/drafts/{draft}/export.txt").status_code for _ in range(3)]
            assert answers == [200, 200, 429]
            assert "频繁" in api.get(f"/api/drafts/{draft}/export.txt").json()["error"]
            # Another reader has a limit of their own.
            theirs = JsonClient(other)
            draft = theirs.post("/api/drafts/", {"title": "稿"}).json()["id"]
            assert theirs.get(f"/api/drafts/{draft}/export.txt").status_code == 200
        cache.clear()

    def test_signed_out_readers_are_refused_in_chinese(self, library):
        api = JsonClient()
        for url in ("/api/folders/", "/api/clips/", "/api/drafts/", "/api/follows/"):
            answer = api.get(url)
            assert answer.status_code == 403 and answer.json() == {"error": "请先登录。"}
        assert api.post("/api/folders/", {"name": "甲"}).status_code == 403
        assert not Folder.objects.exists()

    def test_a_post_without_the_csrf_token_is_refused(self, reader):
        api = JsonClient(reader)
        answer = api.client.post("/api/folders/", {"name": "甲"}, content_type="application/json")
        assert answer.status_code == 403 and "CSRF" in answer.json()["error"]
        assert not Folder.objects.exists()

    def test_the_schema_documents_the_workbench_routes(self, reader):
        schema = JsonClient().client.get("/api/schema/", HTTP_ACCEPT="application/json").json()
        for path in ("/api/folders/", "/api/folders/{id}/articles/", "/api/folders/{id}/export.{fmt}",
                     "/api/clips/", "/api/drafts/{id}/items/", "/api/drafts/{id}/order/",
                     "/api/drafts/{id}/export.{fmt}", "/api/follows/"):
            assert path.replace("{id}", "{pk}") in schema["paths"] or path in schema["paths"], path
