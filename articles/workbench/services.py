"""Every write to a reader's workbench: ``<entity>_<action>``, keyword-only, atomic. Bad
input raises ``WorkbenchError`` with a message for the reader, before anything is written;
a row of another reader is ``NotFound``, exactly like a row that does not exist.

Limits keep each reader's workbench a size every page and export handles in bounded time.
"""
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from ..models import Article
from ..permissions import can_read_full
from ..reading import article_blocks
from ..text import restore_codes
from .models import TAG_SEPARATOR, Clip, Draft, DraftItem, Folder, FolderItem, Follow

MAX_FOLDERS = 200
MAX_FOLDER_ARTICLES = 5000
MAX_CLIPS = 20000
MAX_DRAFTS = 200
MAX_DRAFT_ITEMS = 1000
MAX_FOLLOWS = 100
MAX_NAME = 60
MAX_TITLE = 200
MAX_NOTE = 2000
MAX_TAGS = 10
MAX_TAG_CHARS = 20
MAX_OWN_TEXT = 20000
MAX_ID = 2**63 - 1


class WorkbenchError(Exception):
    """Input the workbench refuses; ``message`` is for the reader."""

    status = 400

    def __init__(self, message):
        super().__init__(message)
        self.message = message


class NotFound(WorkbenchError):
    status = 404


def as_id(value, what: str) -> int:
    """A positive integer id from JSON or a form value; anything else is refused."""
    if isinstance(value, bool):
        value = None
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if not isinstance(value, int) or not 1 <= value <= MAX_ID:
        raise WorkbenchError(_("%(what)s应为正整数编号。") % {"what": what})
    return value


def _text(value, what: str, limit: int, *, required=True) -> str:
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise WorkbenchError(_("%(what)s应为文本。") % {"what": what})
    value = value.replace("\x00", "").strip()
    if required and not value:
        raise WorkbenchError(_("请填写%(what)s。") % {"what": what})
    if len(value) > limit:
        raise WorkbenchError(
            _("%(what)s不能超过 %(n)s 个字。") % {"what": what, "n": limit})
    return value


def clean_tags(value) -> str:
    """Tags from a list or a string split at commas, 、 and spaces, as stored."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        for separator in "，,;；":
            value = value.replace(separator, TAG_SEPARATOR)
        value = value.replace(" ", TAG_SEPARATOR).split(TAG_SEPARATOR)
    if not isinstance(value, list) or not all(isinstance(t, str) for t in value):
        raise WorkbenchError(_("标签应为文本，用顿号分隔。"))
    tags = list(dict.fromkeys(t.strip() for t in value if t.strip()))
    if len(tags) > MAX_TAGS or any(len(t) > MAX_TAG_CHARS for t in tags):
        raise WorkbenchError(
            _("最多 %(n)s 个标签，每个不超过 %(chars)s 个字。")
            % {"n": MAX_TAGS, "chars": MAX_TAG_CHARS})
    return TAG_SEPARATOR.join(tags)


def _readable_article(user, article_id) -> Article:
    """An article this reader may see, with what a source needs joined."""
    article_id = as_id(article_id, _("文章"))
    article = (
        Article.objects.visible_to(user).select_related("agency", "compilation")
        .filter(pk=article_id).first()
    )
    if article is None:
        raise NotFound(_("没有这篇文章，或您无权查看。"))
    return article


def snapshot_of(article) -> dict:
    """The source fields of a clip or draft item taken from ``article`` now."""
    return {
        "article": article,
        "article_title": restore_codes(article.title)[:300],
        "agency": article.agency,
        "agency_name": str(article.agency)[:160] if article.agency_id else "",
        "compilation": article.compilation,
        "compilation_title": article.compilation.title[:300],
        "published_at": article.published_at,
        "members_only": article.members_only,
        "article_checksum": article.checksum,
    }


def _locked(model, pk):
    """The row, locked for this transaction (PostgreSQL; SQLite serialises writers)."""
    return model.objects.select_for_update().get(pk=pk)


# --- folders ---------------------------------------------------------------------------


@transaction.atomic
def folder_create(*, owner, name) -> Folder:
    name = _text(name, _("收藏夹名称"), MAX_NAME)
    if Folder.objects.filter(owner=owner).count() >= MAX_FOLDERS:
        raise WorkbenchError(_("最多 %(n)s 个收藏夹。") % {"n": MAX_FOLDERS})
    try:
        with transaction.atomic():
            return Folder.objects.create(owner=owner, name=name)
    except IntegrityError:
        raise WorkbenchError(_("已有名为“%(name)s”的收藏夹。") % {"name": name}) from None


@transaction.atomic
def folder_rename(*, folder, name) -> Folder:
    name = _text(name, _("收藏夹名称"), MAX_NAME)
    if Folder.objects.filter(owner_id=folder.owner_id, name=name).exclude(pk=folder.pk).exists():
        raise WorkbenchError(_("已有名为“%(name)s”的收藏夹。") % {"name": name})
    folder.name = name
    folder.save(update_fields=["name", "updated_at"])
    return folder


def folder_delete(*, folder) -> None:
    folder.delete()


@transaction.atomic
def folder_add_article(*, folder, user, article_id) -> tuple[FolderItem, bool]:
    """Add an article (again: nothing changes); returns the item and whether it is new."""
    article = _readable_article(user, article_id)
    folder = _locked(Folder, folder.pk)
    existing = FolderItem.objects.filter(folder=folder, article=article).first()
    if existing:
        return existing, False
    if FolderItem.objects.filter(folder=folder).count() >= MAX_FOLDER_ARTICLES:
        raise WorkbenchError(
            _("一个收藏夹最多 %(n)s 篇文章。") % {"n": MAX_FOLDER_ARTICLES})
    item = FolderItem.objects.create(folder=folder, article=article)
    folder.save(update_fields=["updated_at"])
    return item, True


@transaction.atomic
def folder_remove_articles(*, folder, article_ids) -> int:
    ids = [as_id(pk, _("文章")) for pk in article_ids]
    removed, _rows = FolderItem.objects.filter(folder=folder, article_id__in=ids).delete()
    if removed:
        folder.save(update_fields=["updated_at"])
    return removed


# --- clips -----------------------------------------------------------------------------


def _paragraph(user, article, paragraph):
    blocks = article_blocks(article, can_read_full(user, article))
    if isinstance(paragraph, bool) or not isinstance(paragraph, int):
        if isinstance(paragraph, str) and paragraph.strip().isdigit():
            paragraph = int(paragraph)
        else:
            raise WorkbenchError(_("段落序号应为正整数。"))
    if not 1 <= paragraph <= len(blocks):
        raise WorkbenchError(
            _("段落序号超出范围：本文共 %(n)s 段（从 1 数起）。") % {"n": len(blocks)})
    return blocks[paragraph - 1]


def _offset(value, what):
    if value is None or value == "":
        return None
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise WorkbenchError(_("%(what)s应为不小于 0 的整数。") % {"what": what})
    return value


def clip_excerpt(user, article, paragraph, start=None, end=None) -> tuple[int, int | None,
                                                                          int | None, str]:
    """The text of a paragraph, or of ``[start, end)`` inside it, that this reader may clip."""
    block = _paragraph(user, article, paragraph)
    start, end = _offset(start, _("起点")), _offset(end, _("终点"))
    if start is None and end is None:
        return block.n, None, None, block.text
    start = 0 if start is None else start
    end = len(block.text) if end is None else end
    if not start < end <= len(block.text):
        raise WorkbenchError(
            _("所选范围不在该段内：该段共 %(n)s 个字，起点须小于终点。") % {"n": len(block.text)})
    text = block.text[start:end]
    if not text.strip():
        raise WorkbenchError(_("所选范围内没有文字。"))
    return block.n, start, end, text


@transaction.atomic
def clip_create(*, owner, article_id, paragraph, start=None, end=None, note="",
                tags="") -> Clip:
    article = _readable_article(owner, article_id)
    n, start, end, text = clip_excerpt(owner, article, paragraph, start, end)
    note = _text(note, _("笔记"), MAX_NOTE, required=False)
    tags = clean_tags(tags)
    if Clip.objects.filter(owner=owner).count() >= MAX_CLIPS:
        raise WorkbenchError(_("最多保存 %(n)s 条摘抄。") % {"n": MAX_CLIPS})
    return Clip.objects.create(
        owner=owner, paragraph=n, start=start, end=end, text=text, note=note, tags=tags,
        **snapshot_of(article),
    )


def clip_update(*, clip, note=None, tags=None) -> Clip:
    fields = []
    if note is not None:
        clip.note = _text(note, _("笔记"), MAX_NOTE, required=False)
        fields.append("note")
    if tags is not None:
        clip.tags = clean_tags(tags)
        fields.append("tags")
    if fields:
        clip.save(update_fields=fields)
    return clip


def clip_delete(*, clip) -> None:
    """Drafts keep the clip's text and source (their items hold a copy)."""
    clip.delete()


# --- drafts ----------------------------------------------------------------------------


@transaction.atomic
def draft_create(*, owner, title) -> Draft:
    title = _text(title, _("组稿标题"), MAX_TITLE)
    if Draft.objects.filter(owner=owner).count() >= MAX_DRAFTS:
        raise WorkbenchError(_("最多 %(n)s 篇组稿。") % {"n": MAX_DRAFTS})
    return Draft.objects.create(owner=owner, title=title)


def draft_rename(*, draft, title) -> Draft:
    draft.title = _text(title, _("组稿标题"), MAX_TITLE)
    draft.save(update_fields=["title", "updated_at"])
    return draft


def draft_delete(*, draft) -> None:
    draft.delete()


@transaction.atomic
def draft_add_item(*, draft, owner, clip_id=None, heading=None, text=None, article_id=None,
                   paragraph=None, start=None, end=None) -> DraftItem:
    """Append one entry: a clip of the reader's (``clip_id``), a new clip taken from an
    article (``article_id`` and ``paragraph``, optionally ``start``/``end``), an own
    ``heading`` or own ``text``; exactly one of them."""
    given = [name for name, value in (("clip", clip_id), ("heading", heading), ("text", text),
                                      ("article", article_id)) if value is not None]
    if len(given) != 1:
        raise WorkbenchError(_("请给出 clip、heading、text、article 中的一项。"))
    draft = _locked(Draft, draft.pk)
    count = DraftItem.objects.filter(draft=draft).count()
    if count >= MAX_DRAFT_ITEMS:
        raise WorkbenchError(_("一篇组稿最多 %(n)s 项。") % {"n": MAX_DRAFT_ITEMS})
    position = (DraftItem.objects.filter(draft=draft).aggregate(m=Max("position"))["m"] or 0) + 1
    if heading is not None:
        item = DraftItem(kind=DraftItem.Kind.HEADING, text=_text(heading, _("小标题"), 200))
    elif text is not None:
        item = DraftItem(kind=DraftItem.Kind.TEXT, text=_text(text, _("正文"), MAX_OWN_TEXT))
    else:
        if clip_id is not None:
            clip = Clip.objects.owned_by(owner).filter(pk=as_id(clip_id, _("摘抄"))).first()
            if clip is None:
                raise NotFound(_("没有这条摘抄。"))
        else:
            clip = clip_create(owner=owner, article_id=article_id, paragraph=paragraph,
                               start=start, end=end)
        item = DraftItem(
            kind=DraftItem.Kind.CLIP, text=clip.text, clip=clip,
            **{field: getattr(clip, field) for field in (
                "paragraph", "article_id", "article_title", "agency_id", "agency_name",
                "compilation_id",
                "compilation_title", "published_at", "members_only", "article_checksum")},
        )
    item.draft, item.position = draft, position
    item.save()
    draft.save(update_fields=["updated_at"])
    return item


@transaction.atomic
def draft_reorder(*, draft, item_ids) -> None:
    """Put the draft's entries in the order given: every entry exactly once."""
    if not isinstance(item_ids, list):
        raise WorkbenchError(_("items 应为条目编号的列表。"))
    ids = [as_id(pk, _("条目")) for pk in item_ids]
    draft = _locked(Draft, draft.pk)
    items = {item.pk: item for item in DraftItem.objects.filter(draft=draft).only("id", "position")}
    if len(ids) != len(set(ids)) or set(ids) != set(items):
        raise WorkbenchError(_("新顺序须恰好包含本组稿的每个条目各一次（共 %(n)s 项）。")
                             % {"n": len(items)})
    for position, pk in enumerate(ids, 1):
        items[pk].position = position
    DraftItem.objects.bulk_update(items.values(), ["position"], batch_size=500)
    draft.save(update_fields=["updated_at"])


def draft_item_update(*, item, text) -> DraftItem:
    """Change an own heading or own text; a clip's text is what was clipped."""
    if item.kind == DraftItem.Kind.CLIP:
        raise WorkbenchError(_("摘抄的内容保持原文，不能修改；可以删除后重新摘抄。"))
    limit = 200 if item.kind == DraftItem.Kind.HEADING else MAX_OWN_TEXT
    item.text = _text(text, _("内容"), limit)
    item.save(update_fields=["text"])
    return item


@transaction.atomic
def draft_item_delete(*, item) -> None:
    draft = _locked(Draft, item.draft_id)
    item.delete()
    draft.save(update_fields=["updated_at"])


# --- follows ---------------------------------------------------------------------------


@transaction.atomic
def follow_create(*, owner, params) -> Follow:
    from .follows import describe

    kind, clean, label = describe(params)
    if Follow.objects.filter(owner=owner).count() >= MAX_FOLLOWS:
        raise WorkbenchError(_("最多 %(n)s 个关注。") % {"n": MAX_FOLLOWS})
    for existing in Follow.objects.filter(owner=owner, kind=kind):
        if existing.params == clean:  # following the same thing twice is one follow
            return existing
    return Follow.objects.create(owner=owner, kind=kind, params=clean, label=label,
                                 last_seen_at=timezone.now())


def follow_new_token(*, follow) -> Follow:
    """Revoke the feed address: the old one answers 404 from now on."""
    from .models import new_token

    follow.token = new_token()
    follow.save(update_fields=["token"])
    return follow


def follow_seen(*, follow) -> None:
    follow.last_seen_at = timezone.now()
    follow.save(update_fields=["last_seen_at"])


def follow_set_digest(*, follow, digest) -> Follow:
    if not isinstance(digest, bool):
        raise WorkbenchError(_("digest 应为 true 或 false。"))
    follow.digest = digest
    follow.save(update_fields=["digest"])
    return follow


def follow_delete(*, follow) -> None:
    follow.delete()
