"""The library's data: agencies, compilations with their tables of contents, articles, and
two tag vocabularies (initiatives and themes).

Sized for ~100,000 articles and ~1,000 new a day: every filter staff use has an index, text
lives in TextFields the list pages never load (see ArticleQuerySet.for_list), and derived
values (restored text, character count, checksum) are computed on save.
"""
import hashlib

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords
from taggit.managers import TaggableManager, _TaggableManager
from taggit.models import TagBase, TaggedItemBase

from .fields import UnicodeJSONEncoder
from .text import normalise_tag_name, restore_codes


class Status(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SCHEDULED = "scheduled", _("定时发布")
    PUBLISHED = "published", _("已发布")


class LibraryState(models.Model):
    """One row every process reads: the library version and the next scheduled release.

    Every write service moves ``version`` forward in the writing transaction, so a cached
    count or page keyed by it (``articles.library``) is exact in every process, with no shared
    cache. ``next_release_at`` is the earliest publish time of a scheduled article or
    compilation: the first request after it releases what is due (``services.release_due``).
    """

    version = models.BigIntegerField(_("资料库版本"), default=0)
    next_release_at = models.DateTimeField(_("下次定时发布"), null=True, blank=True)

    class Meta:
        verbose_name = _("资料库状态")
        verbose_name_plural = _("资料库状态")


def agency_label(name: str, region_code) -> str:
    """市审计局（都匀市）: an agency's name with its region's short name, when it has one that
    the name does not already start with."""
    if not region_code:
        return name
    from .regions import gazetteer

    region = gazetteer().label(region_code)
    return f"{name}（{region}）" if region and not name.startswith(region) else name


class Region(models.Model):
    """A division of China (province, prefecture or county level) from ``articles.regions``;
    the code is the administrative code, so a region's code starts with its parents'."""

    class Level(models.TextChoices):
        PROVINCE = "province", _("省级")
        PREFECTURE = "prefecture", _("地级")
        COUNTY = "county", _("县级")

    code = models.CharField(_("区划代码"), max_length=12, primary_key=True)
    name = models.CharField(_("名称"), max_length=50)
    short_name = models.CharField(_("简称"), max_length=30)
    kind = models.CharField(_("类型"), max_length=10)
    level = models.CharField(_("级别"), max_length=10, choices=Level.choices)
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children",
        verbose_name=_("上级"),
    )
    province = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("所属省份"),
    )
    prefecture = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("所属地级区划"),
    )

    class Meta:
        verbose_name = _("地区")
        verbose_name_plural = _("地区")
        ordering = ["code"]

    def __str__(self):
        from .regions import gazetteer

        return gazetteer().path(self.code) or self.name


class Agency(models.Model):
    class Level(models.TextChoices):
        PROVINCE = "省", _("省")
        CITY = "市", _("市")
        PREFECTURE = "州", _("州")
        COUNTY = "县", _("县")
        DISTRICT = "区", _("区")
        TOWNSHIP = "乡镇", _("乡镇")
        OTHER = "其他", _("其他")

    name = models.CharField(_("名称"), max_length=100, help_text=_("如：市审计局、县委组织部。"))
    level = models.CharField(
        _("层级"), max_length=4, choices=Level.choices, default=Level.OTHER, db_index=True
    )
    sector = models.CharField(
        _("系统"), max_length=30, blank=True, db_index=True,
        help_text=_("所属系统，如：审计、民政、组织、文明办、交通运输。"),
    )
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, null=True, blank=True, related_name="agencies",
        verbose_name=_("地区"),
        help_text=_("机关所在的省、地或县；名称或文章未写明地区时留空。"),
    )
    version = models.PositiveIntegerField(_("版本"), default=1, editable=False)

    history = HistoricalRecords(verbose_name=_("机关历史"))

    class Meta:
        verbose_name = _("机关")
        verbose_name_plural = _("机关")
        ordering = ["name", "region_id"]  # by the code: no join (row locks refuse outer joins)
        constraints = [
            models.UniqueConstraint(fields=["name", "region"], name="agency_unique_name_region"),
            models.UniqueConstraint(
                fields=["name"], condition=models.Q(region__isnull=True),
                name="agency_unique_name_without_region",
            ),
        ]

    def __str__(self):
        return agency_label(self.name, self.region_id)

    def get_absolute_url(self):
        return reverse("articles:agency", args=[self.pk])


class AgencyAlias(models.Model):
    """A name an agency was also imported under, remembered when an editor merged that
    agency into this one: a later import naming it finds this agency instead of making the
    merged one again."""

    name = models.CharField(_("名称"), max_length=100)
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("地区"),
    )
    agency = models.ForeignKey(
        Agency, on_delete=models.CASCADE, related_name="aliases", verbose_name=_("机关")
    )

    class Meta:
        verbose_name = _("机关别名")
        verbose_name_plural = _("机关别名")
        constraints = [
            models.UniqueConstraint(fields=["name", "region"], name="agency_alias_unique"),
            models.UniqueConstraint(
                fields=["name"], condition=models.Q(region__isnull=True),
                name="agency_alias_unique_without_region",
            ),
        ]

    def __str__(self):
        return f"{self.name} → {self.agency}"


class NormalisedTagBase(TagBase):
    """A tag whose name is normalised before saving, so “四点聚力” and 四点聚力 are one tag."""

    description = models.TextField(_("说明"), blank=True)
    version = models.PositiveIntegerField(_("版本"), default=1, editable=False)

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        self.name = normalise_tag_name(self.name)
        super().save(*args, **kwargs)

    def slugify(self, tag, i=None):
        # Unicode slugs keep Chinese names readable; a name of symbols only (“+”) would slugify
        # to nothing, so fall back to its code points rather than an empty slug.
        slug = slugify(tag, allow_unicode=True) or "-".join(f"{ord(ch):x}" for ch in tag)
        return f"{slug}_{i}" if i is not None else slug


class NormalisingTagManager(_TaggableManager):
    """Taggit's manager, but tag names given as strings are normalised first, so
    ``article.initiatives.add("“四点聚力”")`` finds the existing tag 四点聚力."""

    def _to_tag_model_instances(self, tags, tag_kwargs):
        cleaned = []
        for tag in tags:
            if isinstance(tag, str):
                tag = normalise_tag_name(tag)
                if not tag:
                    continue
            cleaned.append(tag)
        return super()._to_tag_model_instances(cleaned, tag_kwargs)


class Initiative(NormalisedTagBase):
    """A numbered slogan an agency works under: 三突出三强化, 四点聚力, 六型 …"""

    history = HistoricalRecords(verbose_name=_("举措历史"))

    class Meta:
        verbose_name = _("举措")
        verbose_name_plural = _("举措")
        ordering = ["name"]

    def get_absolute_url(self):
        return reverse("articles:initiative", args=[self.slug])


class Theme(NormalisedTagBase):
    """A subject of the material: 清廉机关, 党建, 作风建设 …"""

    history = HistoricalRecords(verbose_name=_("主题历史"))

    class Meta:
        verbose_name = _("主题")
        verbose_name_plural = _("主题")
        ordering = ["name"]

    def get_absolute_url(self):
        return reverse("articles:theme", args=[self.slug])


class ThemeKeyword(models.Model):
    """Editable vocabulary the importer uses to suggest themes: a keyword found in an article's
    restored title or text suggests its theme."""

    keyword = models.CharField(_("关键词"), max_length=50, unique=True)
    theme = models.ForeignKey(
        Theme, on_delete=models.CASCADE, related_name="keywords", verbose_name=_("主题")
    )

    class Meta:
        verbose_name = _("主题关键词")
        verbose_name_plural = _("主题关键词")
        ordering = ["keyword"]

    def __str__(self):
        return f"{self.keyword} → {self.theme}"


class CompilationQuerySet(models.QuerySet):
    def published(self):
        """Compilations readers may see (the visibility rule: ``Status.PUBLISHED``; a
        scheduled one becomes published when its time comes, ``services.release_due``)."""
        return self.filter(status=Status.PUBLISHED)

    def visible_to(self, user):
        """Everything for editors (staff); published compilations for everyone else."""
        if user is not None and user.is_authenticated and user.is_staff:
            return self
        return self.published()


class Compilation(models.Model):
    title = models.CharField(_("标题"), max_length=300)
    declared_count = models.PositiveIntegerField(
        _("声明篇数"), null=True, blank=True, help_text=_("标题中（N篇）的 N。")
    )
    source_name = models.CharField(_("来源文件名"), max_length=255, blank=True)
    checksum = models.CharField(
        _("文件校验和"), max_length=64, blank=True, db_index=True,
        help_text=_("导入文件的 SHA-256；同一文件再次导入时据此识别为未变化。"),
    )
    status = models.CharField(
        _("状态"), max_length=10, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True, db_index=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    version = models.PositiveIntegerField(_("版本"), default=1, editable=False)

    history = HistoricalRecords(verbose_name=_("汇编历史"))

    objects = CompilationQuerySet.as_manager()

    class Meta:
        verbose_name = _("汇编")
        verbose_name_plural = _("汇编")
        ordering = ["-published_at", "-id"]
        indexes = [models.Index(fields=["status", "-published_at"], name="compilation_pub_idx")]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("articles:compilation_detail", args=[self.pk])

    def save(self, *args, **kwargs):
        if not self._state.adding:
            self.version += 1
        if self.status == Status.PUBLISHED and self.published_at is None:
            self.published_at = timezone.now()
        super().save(*args, **kwargs)


class TocEntry(models.Model):
    """One line of a compilation's 目录: title and page, and the article it points to once
    matched (an entry the body lacks stays unmatched)."""

    compilation = models.ForeignKey(
        Compilation, on_delete=models.CASCADE, related_name="toc_entries", verbose_name=_("汇编")
    )
    position = models.PositiveIntegerField(_("序号"))
    title = models.CharField(_("标题"), max_length=300)
    page = models.PositiveIntegerField(_("页码"), null=True, blank=True)
    article = models.ForeignKey(
        "Article", on_delete=models.SET_NULL, null=True, blank=True,
        related_name="toc_entries", verbose_name=_("对应文章"),
    )

    class Meta:
        verbose_name = _("目录条目")
        verbose_name_plural = _("目录条目")
        ordering = ["compilation", "position"]
        constraints = [
            models.UniqueConstraint(fields=["compilation", "position"], name="toc_unique_position"),
        ]

    def __str__(self):
        return self.title


class TaggedInitiative(TaggedItemBase):
    content_object = models.ForeignKey("Article", on_delete=models.CASCADE)
    tag = models.ForeignKey(
        Initiative, on_delete=models.CASCADE, related_name="tagged_articles"
    )

    class Meta:
        verbose_name = _("文章举措")
        verbose_name_plural = _("文章举措")
        constraints = [
            models.UniqueConstraint(
                fields=["content_object", "tag"], name="tagged_initiative_unique"
            ),
        ]


class TaggedTheme(TaggedItemBase):
    content_object = models.ForeignKey("Article", on_delete=models.CASCADE)
    tag = models.ForeignKey(Theme, on_delete=models.CASCADE, related_name="tagged_articles")

    class Meta:
        verbose_name = _("文章主题")
        verbose_name_plural = _("文章主题")
        constraints = [
            models.UniqueConstraint(fields=["content_object", "tag"], name="tagged_theme_unique"),
        ]


class ArticleQuerySet(models.QuerySet):
    def published(self):
        """Articles readers may see: published, in a published compilation. This is the one
        visibility rule (scheduled material is 定时发布 until ``services.release_due``
        publishes it); ``hidden_ids()`` is its complement, ``Compilation.objects.published()``
        its compilation half.

        Written as ``compilation_id + 0 IN (published compilations)`` rather than a join: on
        SQLite a join lets the planner start from the compilations and sort every published
        article, where this keeps it on the covering list indexes (article_list_idx …), which
        return a page in a millisecond."""
        return (
            self.filter(status=Status.PUBLISHED)
            .alias(listed_compilation=models.F("compilation_id") + 0)
            .filter(listed_compilation__in=Compilation.objects.published().values("pk"))
        )

    def hidden_ids(self):
        """The ids of the articles readers may not see (the complement of ``published()``),
        as one UNION query of two index reads: drafts and scheduled articles, and the articles
        of compilations that are not published."""
        hidden = [status for status in Status.values if status != Status.PUBLISHED]
        return self.filter(status__in=hidden).order_by().values("pk").union(
            self.filter(compilation__in=Compilation.objects.filter(
                status__in=hidden).values("pk")).order_by().values("pk"),
            all=True,
        )

    def visible_to(self, user):
        """Everything for editors (staff); published articles for everyone else."""
        if user is not None and user.is_authenticated and user.is_staff:
            return self
        return self.published()

    def in_compilation(self, compilation):
        """The articles of one compilation, in their order."""
        return self.filter(compilation=compilation).order_by("position")

    def search(self, q):
        """These articles matching ``q`` on their full text (editors, tests), annotated
        ``search_rank`` (the tier), by tier then newest. Readers' pages search in their scope
        with ``search.search_results``."""
        from .search import search_articles

        return search_articles(self, q)

    def for_list(self):
        """What a list page needs and no more: no text columns, relations joined or prefetched."""
        return (
            self.select_related("agency", "compilation")
            .defer("original_text", "text", "sections", "compilation__checksum")
            .prefetch_related("initiatives", "themes")
        )


class Article(models.Model):
    compilation = models.ForeignKey(
        Compilation, on_delete=models.CASCADE, related_name="articles", verbose_name=_("汇编")
    )
    position = models.PositiveIntegerField(_("序号"), help_text=_("在汇编正文中的顺序，从 1 开始。"))
    title = models.CharField(_("标题"), max_length=300, db_index=True)
    agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, null=True, blank=True,
        related_name="articles", verbose_name=_("机关"),
    )
    original_text = models.TextField(
        _("原文"), help_text=_("导入时的正文（保留 D建 等代码）。修改后，显示文本、小标题和字数会重新生成。")
    )
    text = models.TextField(_("显示文本"), editable=False, help_text=_("还原代码后的正文，用于显示和搜索。"))
    sections = models.JSONField(
        _("章节"), default=list, blank=True, encoder=UnicodeJSONEncoder,
        help_text=_('结构化正文：[{"heading": 小标题, "paragraphs": [段落…]}]，保留原文代码。'),
    )
    year = models.PositiveSmallIntegerField(_("年份"), null=True, blank=True, db_index=True)
    members_only = models.BooleanField(
        _("仅会员可读"), default=False, db_index=True,
        help_text=_("勾选后，未登录读者只能看到标题、信息和开头约150字。"),
    )
    status = models.CharField(
        _("状态"), max_length=10, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True, db_index=True)
    chars = models.PositiveIntegerField(_("字数"), default=0, editable=False)
    checksum = models.CharField(_("正文校验和"), max_length=64, editable=False, db_index=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    version = models.PositiveIntegerField(
        _("版本"), default=1, editable=False,
        help_text=_("每次保存加一；编辑时据此发现他人已修改。"),
    )

    initiatives = TaggableManager(
        _("举措"), through=TaggedInitiative, related_name="articles", blank=True,
        manager=NormalisingTagManager,
        help_text=_("用逗号、顿号或分号分隔，如：三突出三强化、四点聚力。"),
    )
    themes = TaggableManager(
        _("主题"), through=TaggedTheme, related_name="articles", blank=True,
        manager=NormalisingTagManager,
        help_text=_("用逗号、顿号或分号分隔，如：清廉机关、党建。"),
    )
    # The tags as text, kept by the write services: the history records them with the rest,
    # so a diff shows a tag change and a restore brings the tags back.
    theme_names = models.TextField(_("主题"), blank=True, default="")
    initiative_names = models.TextField(_("举措"), blank=True, default="")
    history = HistoricalRecords(verbose_name=_("文章历史"), excluded_fields=["text"])

    objects = ArticleQuerySet.as_manager()

    class Meta:
        verbose_name = _("文章")
        verbose_name_plural = _("文章")
        ordering = ["-published_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["compilation", "position"], name="article_unique_position"
            ),
        ]
        indexes = [
            models.Index(fields=["status", "-published_at", "-id"], name="article_pub_idx"),
            models.Index(fields=["agency", "status"], name="article_agency_idx"),
            models.Index(fields=["year", "status"], name="article_year_idx"),
            # Covering indexes of the list pages and facet counts (articles/reading.py
            # ``listable``): on SQLite the FK columns come after the text columns, so reading
            # them from the table walks overflow pages, ~1 s per 100,000 rows.
            models.Index(
                fields=["status", "-published_at", "-id", "compilation", "agency", "year"],
                name="article_list_idx",
            ),
            models.Index(
                fields=["status", "title", "id", "compilation", "agency", "year"],
                name="article_title_list_idx",
            ),
            models.Index(
                fields=["agency", "status", "-published_at", "-id", "compilation", "year"],
                name="article_agency_list_idx",
            ),
            # What search restricts, joins, counts facets and orders by, so the matches of a
            # query never read article rows (``articles.search``).
            models.Index(
                fields=["id", "status", "compilation", "published_at", "agency", "year",
                        "members_only"],
                name="article_search_cover",
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("articles:detail", args=[self.pk])

    @property
    def display_title(self):
        """The title with codes restored (以T教育 → 以主题教育)."""
        return restore_codes(self.title)

    @property
    def display_sections(self):
        """Sections with codes restored, for reading."""
        return [
            {
                "heading": restore_codes(section.get("heading") or ""),
                "paragraphs": [restore_codes(p) for p in section.get("paragraphs", [])],
            }
            for section in self.sections or []
        ]

    def refresh_derived(self):
        """Recompute what follows from the original text: restored text, count, checksum."""
        self.text = restore_codes(self.original_text or "")
        self.chars = len("".join((self.original_text or "").split()))  # non-space characters
        self.checksum = hashlib.sha256(
            f"{self.title}\n{self.original_text}".encode()
        ).hexdigest()

    def save(self, *args, **kwargs):
        self.refresh_derived()
        if not self._state.adding:
            self.version += 1
        if self.status == Status.PUBLISHED and self.published_at is None:
            self.published_at = timezone.now()
        super().save(*args, **kwargs)


def member_group_name():
    return getattr(settings, "HUIBIAN_MEMBER_GROUP", "会员")


# The workbench's tables live in their own module; imported here so Django registers them.
from .workbench.models import (  # noqa: E402, F401
    Clip,
    Draft,
    DraftItem,
    Folder,
    FolderItem,
    Follow,
)

# Admin imports run as background jobs (articles/jobs/); imported here for the same reason.
from .jobs.models import ImportJob  # noqa: E402, F401
