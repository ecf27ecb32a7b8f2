"""Editors' admin: compilations with their articles, articles with filters and bulk actions,
agencies with a merge action, the two tag vocabularies, revision history everywhere, and
protection against lost updates when two editors save the same record."""
from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ActionForm
from django.db import transaction
from django.shortcuts import render
from django.utils.formats import localize
from django.utils.timezone import localtime
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from simple_history.admin import SimpleHistoryAdmin
from taggit.models import Tag

from . import services
from .models import (
    Agency,
    Article,
    Compilation,
    Initiative,
    Status,
    Theme,
    ThemeKeyword,
    TocEntry,
)

admin.site.site_header = _("汇编库管理")
admin.site.site_title = _("汇编库管理")
admin.site.index_title = _("内容管理")

# We use our own tag models; taggit's generic Tag would only confuse editors.
if admin.site.is_registered(Tag):
    admin.site.unregister(Tag)


class VersionedForm(forms.ModelForm):
    """Refuses a save when someone else saved the record since this form was opened.

    The form carries the version it was opened at; ``clean()`` compares it, under a row lock,
    with the version in the database (the admin runs the whole change view in a transaction,
    so the lock holds until the save).
    """

    expected_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            # The database's version, not the instance's: a restore from history starts from
            # an old record whose own version number is stale.
            current = (
                type(self.instance).objects.filter(pk=self.instance.pk)
                .values_list("version", flat=True).first()
            )
            self.fields["expected_version"].initial = current

    def clean(self):
        cleaned = super().clean()
        if not self.instance.pk:
            return cleaned
        model = type(self.instance)
        current = model.objects.select_for_update().filter(pk=self.instance.pk).first()
        if current is None:
            raise forms.ValidationError(_("该记录已被他人删除，您的修改未保存。"))
        expected = cleaned.get("expected_version")
        if expected is None or expected != current.version:
            raise forms.ValidationError(self._conflict_message(current), code="conflict")
        self.instance.version = current.version
        return cleaned

    def _conflict_message(self, current):
        last = current.history.order_by("-history_date").select_related("history_user").first()
        who = (last.history_user.get_username() if last and last.history_user else _("其他人"))
        when = localize(localtime(last.history_date)) if last else ""
        return _(
            "保存被拒绝：在您打开此页面之后，%(who)s 已于 %(when)s 修改了这条记录（当前版本 %(version)s）。"
            "为避免覆盖他人的修改，您的内容没有保存。请复制您的修改，重新打开本页查看最新内容后再修改。"
        ) % {"who": who, "when": when, "version": current.version}


class VersionedHistoryAdmin(SimpleHistoryAdmin):
    """History view and restore, with the version check also applied to restores."""

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        # Like the change view, a restore validates and saves in one transaction, so the
        # version check's row lock holds until the save.
        with transaction.atomic():
            return super().history_form_view(request, object_id, version_id, extra_context)


class TocEntryInline(admin.TabularInline):
    model = TocEntry
    extra = 0
    fields = ("position", "title", "page", "article")
    raw_id_fields = ("article",)
    ordering = ("position",)


class ArticleInline(admin.TabularInline):
    model = Article
    extra = 0
    fields = ("position", "title", "agency", "status", "members_only", "year")
    autocomplete_fields = ("agency",)
    ordering = ("position",)
    show_change_link = True

    def get_queryset(self, request):
        return super().get_queryset(request).defer("original_text", "text", "sections")


class CompilationForm(VersionedForm):
    class Meta:
        model = Compilation
        fields = ("title", "declared_count", "status", "published_at", "source_name")


@admin.register(Compilation)
class CompilationAdmin(VersionedHistoryAdmin):
    form = CompilationForm
    list_display = ("title", "declared_count", "article_count", "status", "published_at")
    list_filter = ("status",)
    search_fields = ("title",)
    date_hierarchy = "published_at"
    readonly_fields = ("checksum", "created_at", "updated_at", "version")
    fields = (
        "title", "declared_count", "status", "published_at", "source_name", "checksum",
        "created_at", "updated_at", "version", "expected_version",
    )
    inlines = (ArticleInline, TocEntryInline)
    actions = ("publish", "unpublish")
    change_list_template = "admin/articles/compilation/change_list.html"

    def get_urls(self):
        from .admin_import import import_urls

        return import_urls(self) + super().get_urls()

    def get_queryset(self, request):
        from django.db.models import Count

        return super().get_queryset(request).annotate(_article_count=Count("articles"))

    @admin.display(description=_("篇数"), ordering="_article_count")
    def article_count(self, obj):
        return obj._article_count

    @admin.action(description=_("发布所选汇编及其文章"), permissions=["change"])
    def publish(self, request, queryset):
        self._set_status(request, queryset, Status.PUBLISHED)

    @admin.action(description=_("撤回所选汇编（改为草稿）"), permissions=["change"])
    def unpublish(self, request, queryset):
        self._set_status(request, queryset, Status.DRAFT)

    def _set_status(self, request, queryset, status):
        with transaction.atomic():
            count = 0
            for compilation in queryset.select_for_update():
                if compilation.status != status:
                    compilation.status = status
                    compilation.save()
                    count += 1
                if status == Status.PUBLISHED:
                    services.articles_set_status(
                        articles=compilation.articles.all(), status=status
                    )
        self.message_user(
            request, ngettext("已更新 %d 个汇编。", "已更新 %d 个汇编。", count) % count,
            messages.SUCCESS,
        )


class ArticleForm(VersionedForm):
    class Meta:
        model = Article
        fields = (
            "compilation", "position", "title", "agency", "year", "status", "published_at",
            "members_only", "initiatives", "themes", "original_text",
        )
        widgets = {"original_text": forms.Textarea(attrs={"rows": 30, "cols": 100})}

    def save(self, commit=True):
        if "original_text" in self.changed_data:
            from .importer import sections_from_text

            self.instance.sections = sections_from_text(self.instance.original_text)
        return super().save(commit)


class AgencyLevelFilter(admin.SimpleListFilter):
    title = _("机关层级")
    parameter_name = "level"

    def lookups(self, request, model_admin):
        return Agency.Level.choices

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(agency__level=self.value())
        return queryset


class AgencySectorFilter(admin.SimpleListFilter):
    title = _("机关系统")
    parameter_name = "sector"

    def lookups(self, request, model_admin):
        sectors = (
            Agency.objects.exclude(sector="").order_by("sector")
            .values_list("sector", flat=True).distinct()
        )
        return [(sector, sector) for sector in sectors]

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(agency__sector=self.value())
        return queryset


class TagFilter(admin.SimpleListFilter):
    """Filter by one tag of a vocabulary; lists the most used tags only, any slug works."""

    tag_model = None
    relation = None
    limit = 50

    def lookups(self, request, model_admin):
        from django.db.models import Count

        tags = (
            self.tag_model.objects.annotate(n=Count("tagged_articles"))
            .order_by("-n", "name")[: self.limit]
        )
        return [(tag.slug, f"{tag.name}（{tag.n}）") for tag in tags]

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(**{f"{self.relation}__slug": self.value()})
        return queryset


class ThemeFilter(TagFilter):
    title = _("主题")
    parameter_name = "theme"
    tag_model = Theme
    relation = "themes"


class InitiativeFilter(TagFilter):
    title = _("举措")
    parameter_name = "initiative"
    tag_model = Initiative
    relation = "initiatives"


class RecentCompilationFilter(admin.SimpleListFilter):
    """Compilations are many; offer the latest ones (any id still works in the URL)."""

    title = _("汇编")
    parameter_name = "compilation"
    limit = 30

    def lookups(self, request, model_admin):
        recent = list(Compilation.objects.order_by("-id").values_list("pk", "title")[: self.limit])
        value = self.value()
        if value and value.isdigit() and all(str(pk) != value for pk, _t in recent):
            recent += list(Compilation.objects.filter(pk=value).values_list("pk", "title"))
        return [(str(pk), title) for pk, title in recent]

    def queryset(self, request, queryset):
        value = self.value()
        if value:
            return queryset.filter(compilation_id=value) if value.isdigit() else queryset.none()
        return queryset


class AddThemeForm(ActionForm):
    theme = forms.ModelChoiceField(
        Theme.objects.all(), required=False, label=_("主题"),
        help_text=_("用于“添加主题”操作。"),
    )


@admin.register(Article)
class ArticleAdmin(VersionedHistoryAdmin):
    form = ArticleForm
    action_form = AddThemeForm
    list_display = (
        "title", "agency", "compilation", "position", "status", "members_only", "year",
        "published_at",
    )
    list_display_links = ("title",)
    list_filter = (
        AgencyLevelFilter, AgencySectorFilter, ThemeFilter, InitiativeFilter,
        RecentCompilationFilter, "status", "members_only", "year",
    )
    list_select_related = ("agency", "compilation")
    list_per_page = 50
    search_fields = ("title",)
    autocomplete_fields = ("agency", "compilation")
    readonly_fields = ("chars", "checksum", "version", "created_at", "updated_at")
    fieldsets = (
        (None, {"fields": ("title", "agency", "compilation", "position", "year")}),
        (_("发布"), {"fields": ("status", "published_at", "members_only")}),
        (_("标签"), {"fields": ("initiatives", "themes")}),
        (_("正文"), {"fields": ("original_text",)}),
        (_("系统信息"), {
            "classes": ("collapse",),
            "fields": ("chars", "checksum", "version", "created_at", "updated_at",
                       "expected_version"),
        }),
    )
    actions = ("publish", "unpublish", "add_theme")
    show_full_result_count = False

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        match = request.resolver_match
        if match and match.url_name == "articles_article_changelist":
            # 100,000 rows: the list never needs the text columns; the change form does.
            queryset = queryset.defer("original_text", "text", "sections")
        return queryset

    @admin.action(description=_("发布所选文章"), permissions=["change"])
    def publish(self, request, queryset):
        count = services.articles_set_status(articles=queryset, status=Status.PUBLISHED)
        self.message_user(request, _("已发布 %d 篇文章。") % count, messages.SUCCESS)

    @admin.action(description=_("撤回所选文章（改为草稿）"), permissions=["change"])
    def unpublish(self, request, queryset):
        count = services.articles_set_status(articles=queryset, status=Status.DRAFT)
        self.message_user(request, _("已撤回 %d 篇文章。") % count, messages.SUCCESS)

    @admin.action(description=_("为所选文章添加主题"), permissions=["change"])
    def add_theme(self, request, queryset):
        theme = AddThemeForm(request.POST).data.get("theme")
        theme = Theme.objects.filter(pk=theme).first() if str(theme or "").isdigit() else None
        if theme is None:
            self.message_user(request, _("请先在操作栏中选择要添加的主题。"), messages.ERROR)
            return
        count = services.articles_add_theme(articles=queryset, theme=theme)
        self.message_user(
            request, _("已为 %(count)d 篇文章添加主题“%(theme)s”。") % {
                "count": count, "theme": theme.name}, messages.SUCCESS,
        )


class MergeAgenciesForm(forms.Form):
    keep = forms.ModelChoiceField(
        Agency.objects.none(), widget=forms.RadioSelect, label=_("保留哪个机关"),
        error_messages={"required": _("请选择要保留的机关。")},
    )

    def __init__(self, *args, agencies, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["keep"].queryset = agencies


@admin.register(Agency)
class AgencyAdmin(admin.ModelAdmin):
    list_display = ("name", "level", "sector", "region", "article_count")
    list_filter = ("level", "sector")
    search_fields = ("name", "region", "sector")
    actions = ("merge",)

    def get_queryset(self, request):
        from django.db.models import Count

        return super().get_queryset(request).annotate(_article_count=Count("articles"))

    @admin.display(description=_("文章数"), ordering="_article_count")
    def article_count(self, obj):
        return obj._article_count

    @admin.action(description=_("合并所选机关"), permissions=["change", "delete"])
    def merge(self, request, queryset):
        if queryset.count() < 2:
            self.message_user(request, _("请至少选择两个机关再合并。"), messages.WARNING)
            return None
        if "confirm" in request.POST:
            form = MergeAgenciesForm(request.POST, agencies=queryset)
            if form.is_valid():
                keep = form.cleaned_data["keep"]
                moved = services.agency_merge(keep=keep, merge=list(queryset))
                self.message_user(
                    request,
                    _("已合并到“%(keep)s”，移动了 %(moved)d 篇文章。") % {
                        "keep": keep, "moved": moved},
                    messages.SUCCESS,
                )
                return None
        else:
            form = MergeAgenciesForm(agencies=queryset)
        context = {
            **self.admin_site.each_context(request),
            "title": _("合并机关"),
            "opts": self.model._meta,
            "form": form,
            "agencies": queryset,
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        }
        return render(request, "admin/articles/agency/merge.html", context)


class ThemeKeywordInline(admin.TabularInline):
    model = ThemeKeyword
    extra = 1


class TagAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "article_count")
    search_fields = ("name",)
    readonly_fields = ("slug",)
    fields = ("name", "slug", "description")

    def get_queryset(self, request):
        from django.db.models import Count

        return super().get_queryset(request).annotate(_article_count=Count("tagged_articles"))

    @admin.display(description=_("文章数"), ordering="_article_count")
    def article_count(self, obj):
        return obj._article_count


@admin.register(Initiative)
class InitiativeAdmin(TagAdmin):
    pass


@admin.register(Theme)
class ThemeAdmin(TagAdmin):
    inlines = (ThemeKeywordInline,)


@admin.register(ThemeKeyword)
class ThemeKeywordAdmin(admin.ModelAdmin):
    list_display = ("keyword", "theme")
    list_filter = ("theme",)
    search_fields = ("keyword",)
    autocomplete_fields = ("theme",)
