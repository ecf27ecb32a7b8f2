"""The workbench's tables. Every row has an owner; every read goes through ``owned_by`` so
that one reader never reaches another's rows, even by guessing ids.

Sources are kept twice: as a link (article, agency, compilation; ``SET_NULL`` when the
library deletes them) and as the text the reader saw (title, agency, compilation, date,
the article's checksum), so a clip or a draft keeps its source line when the library
changes, and can say that the article changed since it was clipped.
"""
import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from ..fields import UnicodeJSONEncoder

TAG_SEPARATOR = "、"


class OwnedQuerySet(models.QuerySet):
    def owned_by(self, user):
        """The rows of this reader; none for an anonymous one."""
        if not (user and user.is_authenticated):
            return self.none()
        return self.filter(owner=user)


class Folder(models.Model):
    """收藏夹: a named set of articles."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="folders",
        verbose_name=_("读者"),
    )
    name = models.CharField(_("名称"), max_length=60)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = OwnedQuerySet.as_manager()

    class Meta:
        verbose_name = _("收藏夹")
        verbose_name_plural = _("收藏夹")
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["owner", "name"], name="folder_unique_name"),
        ]

    def __str__(self):
        return self.name


class FolderItem(models.Model):
    folder = models.ForeignKey(
        Folder, on_delete=models.CASCADE, related_name="items", verbose_name=_("收藏夹")
    )
    article = models.ForeignKey(
        "articles.Article", on_delete=models.CASCADE, related_name="+", verbose_name=_("文章")
    )
    added_at = models.DateTimeField(_("收藏时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("收藏")
        verbose_name_plural = _("收藏")
        ordering = ["-added_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["folder", "article"], name="folder_item_unique"),
        ]
        indexes = [models.Index(fields=["folder", "-added_at", "-id"], name="folder_item_idx")]


class SourceSnapshot(models.Model):
    """Where a piece of text came from, as a link and as the words the reader saw."""

    article = models.ForeignKey(
        "articles.Article", on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name=_("文章"),
    )
    article_title = models.CharField(_("文章标题"), max_length=300)
    agency = models.ForeignKey(
        "articles.Agency", on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name=_("机关"),
    )
    agency_name = models.CharField(_("机关名称"), max_length=160, blank=True)
    compilation = models.ForeignKey(
        "articles.Compilation", on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name=_("汇编"),
    )
    compilation_title = models.CharField(_("汇编标题"), max_length=300, blank=True)
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    # Whether the article was members-only when the text was taken: what counts once the
    # article itself is gone (``access``).
    members_only = models.BooleanField(_("会员文章"), default=False)
    article_checksum = models.CharField(_("摘抄时的正文校验和"), max_length=64, blank=True)

    class Meta:
        abstract = True


class Clip(SourceSnapshot):
    """摘抄: a paragraph of an article, or a part of one, kept with its source."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="clips",
        verbose_name=_("读者"),
    )
    paragraph = models.PositiveIntegerField(
        _("段落"), help_text=_("文章页上的第几段（小标题也算一段），从 1 开始。")
    )
    start = models.PositiveIntegerField(_("起点"), null=True, blank=True)
    end = models.PositiveIntegerField(_("终点"), null=True, blank=True)
    text = models.TextField(_("摘抄内容"))
    note = models.TextField(_("笔记"), blank=True)
    tags = models.CharField(
        _("标签"), max_length=300, blank=True, help_text=_("用顿号分隔。")
    )
    created_at = models.DateTimeField(_("摘抄时间"), auto_now_add=True)
    # What the library's own search matches (``search.tokenise.skeleton`` of the normalised
    # text): the article's title, and the clip's text, note and tags (``workbench.clips``).
    search_title = models.TextField(editable=False, default="")
    search_body = models.TextField(editable=False, default="")

    objects = OwnedQuerySet.as_manager()

    class Meta:
        verbose_name = _("摘抄")
        verbose_name_plural = _("摘抄")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["owner", "-created_at", "-id"], name="clip_owner_idx"),
            models.Index(fields=["owner", "article"], name="clip_owner_article_idx"),
        ]

    def __str__(self):
        return self.text[:40]

    @property
    def anchor(self) -> str:
        return f"p{self.paragraph}"

    def save(self, *args, **kwargs):
        from ..search.tokenise import normalise, skeleton

        self.search_title = skeleton(normalise(self.article_title))
        self.search_body = skeleton(normalise(f"{self.text}\n{self.note}\n{self.tags}"))
        if kwargs.get("update_fields"):
            kwargs["update_fields"] = {*kwargs["update_fields"], "search_title", "search_body"}
        super().save(*args, **kwargs)

    @property
    def tag_list(self) -> list[str]:
        return [t for t in self.tags.split(TAG_SEPARATOR) if t]


class Draft(models.Model):
    """组稿: a title and an ordered outline of headings, own text and clips."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="drafts",
        verbose_name=_("读者"),
    )
    title = models.CharField(_("标题"), max_length=200)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = OwnedQuerySet.as_manager()

    class Meta:
        verbose_name = _("组稿")
        verbose_name_plural = _("组稿")
        ordering = ["-updated_at", "-id"]
        indexes = [models.Index(fields=["owner", "-updated_at"], name="draft_owner_idx")]

    def __str__(self):
        return self.title


class DraftItem(SourceSnapshot):
    """One entry of a draft's outline. A clip's text is copied in when it is added, so the
    draft keeps what was clipped whatever happens to the clip or the article later."""

    class Kind(models.TextChoices):
        HEADING = "heading", _("小标题")
        TEXT = "text", _("正文")
        CLIP = "clip", _("摘抄")

    draft = models.ForeignKey(
        Draft, on_delete=models.CASCADE, related_name="items", verbose_name=_("组稿")
    )
    position = models.PositiveIntegerField(_("顺序"))
    kind = models.CharField(_("类型"), max_length=8, choices=Kind.choices)
    text = models.TextField(_("内容"))
    clip = models.ForeignKey(
        Clip, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("摘抄"),
    )
    paragraph = models.PositiveIntegerField(_("段落"), null=True, blank=True)
    article_title = models.CharField(_("文章标题"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("组稿条目")
        verbose_name_plural = _("组稿条目")
        ordering = ["draft", "position", "id"]
        indexes = [models.Index(fields=["draft", "position"], name="draft_item_idx")]

    def __str__(self):
        return self.text[:40]


def new_token() -> str:
    return secrets.token_urlsafe(24)


class Follow(models.Model):
    """关注: a saved search or a followed agency, theme, initiative or region, with its
    private feed (the secret ``token``) and the time the reader last looked."""

    class Kind(models.TextChoices):
        SEARCH = "search", _("检索")
        AGENCY = "agency", _("机关")
        THEME = "theme", _("主题")
        INITIATIVE = "initiative", _("举措")
        REGION = "region", _("地区")

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="follows",
        verbose_name=_("读者"),
    )
    kind = models.CharField(_("类型"), max_length=10, choices=Kind.choices)
    label = models.CharField(_("名称"), max_length=200)
    # The search's parameters as the search page takes them: {"q": …, "agency": …, …}.
    params = models.JSONField(_("检索条件"), default=dict, encoder=UnicodeJSONEncoder)
    token = models.CharField(_("订阅密钥"), max_length=64, unique=True, default=new_token)
    last_seen_at = models.DateTimeField(_("上次查看"))
    digest = models.BooleanField(_("每日邮件摘要"), default=False)
    last_digest_at = models.DateTimeField(_("上次发送摘要"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    objects = OwnedQuerySet.as_manager()

    class Meta:
        verbose_name = _("关注")
        verbose_name_plural = _("关注")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["owner", "-created_at"], name="follow_owner_idx")]

    def __str__(self):
        return self.label
