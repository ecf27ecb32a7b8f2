"""Filters of the article list and search results (the facets), and of the compilation list.

Every parameter is validated by a form field; a value the field refuses (``year=abc``, an
id out of range) is ignored rather than turned into an error, and an unknown value (an agency
that does not exist) simply matches nothing, so bad URLs give a normal page.
"""
from typing import ClassVar

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Agency, Article, Compilation

MAX_ID = 2**31 - 1
# Years of the material: a wider range would reach dates the time-zone conversion cannot
# represent (year 1 in Asia/Shanghai is before 0001-01-01 UTC: an OverflowError, a 500).
YEARS = {"min_value": 1900, "max_value": 2100}


class IdFilter(django_filters.Filter):
    """A positive integer that fits every database's integer column."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(*args, **kwargs)


class ArticleFilter(django_filters.FilterSet):
    """The facets of the article list: one value per facet, all combinable, kept in the URL."""

    SORTS: ClassVar[dict] = {
        "date": ("-published_at", "-id"),
        "date_asc": ("published_at", "id"),
        "title": ("title", "id"),
    }

    level = django_filters.ChoiceFilter(
        field_name="agency__level", choices=Agency.Level.choices, label=_("层级")
    )
    sector = django_filters.CharFilter(field_name="agency__sector", label=_("系统"), max_length=30)
    region = django_filters.CharFilter(field_name="agency__region", label=_("地区"), max_length=50)
    agency = IdFilter(field_name="agency_id", label=_("机关"))
    theme = django_filters.CharFilter(field_name="themes__slug", label=_("主题"), max_length=100)
    initiative = django_filters.CharFilter(
        field_name="initiatives__slug", label=_("举措"), max_length=100
    )
    year = IdFilter(field_name="year", label=_("年份"), **YEARS)
    compilation = IdFilter(field_name="compilation_id", label=_("汇编"))
    sort = django_filters.ChoiceFilter(
        label=_("排序"),
        choices=[("date", _("最新在前")), ("date_asc", _("最早在前")), ("title", _("按标题"))],
        method="sort_by",
        empty_label=None,
    )

    class Meta:
        model = Article
        fields = ()

    FACETS: ClassVar[tuple] = ("level", "sector", "region", "agency", "theme", "initiative", "year", "compilation")

    def sort_by(self, queryset, name, value):
        return queryset.order_by(*self.SORTS.get(value, self.SORTS["date"]))

    def active(self) -> dict:
        """The facet values actually applied (valid and non-empty), as URL strings."""
        self.is_valid()
        data = getattr(self.form, "cleaned_data", {})
        return {
            name: str(data[name]) for name in self.FACETS
            if data.get(name) not in (None, "")
        }

    def sort_value(self) -> str:
        self.is_valid()
        return getattr(self.form, "cleaned_data", {}).get("sort") or ""


class CompilationFilter(django_filters.FilterSet):
    """The compilation list: words in the title, year published."""

    title = django_filters.CharFilter(
        field_name="title", lookup_expr="icontains", label=_("标题包含"), max_length=100
    )
    year = IdFilter(field_name="published_at__year", label=_("发布年份"), **YEARS)

    class Meta:
        model = Compilation
        fields = ()
