"""Filters of the article list and search results (the facets), and of the compilation list.

Every parameter is validated by a form field; a value the field refuses (``year=abc``, an
id out of range) is ignored rather than turned into an error, and an unknown value (an agency
that does not exist) simply matches nothing, so bad URLs give a normal page.
"""
import datetime
import re
from typing import ClassVar

import django_filters
from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from .models import Agency, Article, Compilation

MAX_ID = 2**31 - 1
# Years of the material: a wider range would reach dates the time-zone conversion cannot
# represent (year 1 in Asia/Shanghai is before 0001-01-01 UTC: an OverflowError, a 500).
YEARS = {"min_value": 1900, "max_value": 2100}


@extend_schema_field(OpenApiTypes.INT)
class IdFilter(django_filters.Filter):
    """A positive integer that fits every database's integer column."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(*args, **kwargs)


_DATE_RE = re.compile(r"^(\d{4})(?:[-/.年](\d{1,2})(?:[-/.月](\d{1,2})日?)?月?)?年?$")


class DateBoundField(forms.CharField):
    """A year (2023), a month (2023-05, 2023年5月) or a day (2023-05-01, 2023/5/1,
    2023年5月1日), as the first or last day it names (``end``); anything else is refused,
    which the filter set ignores."""

    def __init__(self, *args, end=False, **kwargs):
        kwargs.setdefault("max_length", 20)
        super().__init__(*args, **kwargs)
        self.end = end

    def clean(self, value):
        value = super().clean(value)
        if not value:
            return None
        match = _DATE_RE.match(value.strip().translate(_FULL_DIGITS))
        if not match:
            raise forms.ValidationError(_("日期应写作 2023、2023-05 或 2023-05-01。"))
        year, month, day = (int(g) if g else None for g in match.groups())
        if not YEARS["min_value"] <= year <= YEARS["max_value"]:
            raise forms.ValidationError(_("年份超出范围。"))
        try:
            if day is not None:
                return datetime.date(year, month, day)
            if month is not None:
                first = datetime.date(year, month, 1)
                if not self.end:
                    return first
                return (first + datetime.timedelta(days=32)).replace(day=1) - datetime.timedelta(days=1)
        except ValueError as error:
            raise forms.ValidationError(_("没有这一天。")) from error
        return datetime.date(year, 12, 31) if self.end else datetime.date(year, 1, 1)


class RegionField(forms.CharField):
    """A region by its code (52, 5227, 522701) or its name (贵州省, 黔南州, 都匀市), cleaned to
    its code; a name that is no region, or one several regions share, is refused."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", 50)
        super().__init__(*args, **kwargs)

    def clean(self, value):
        from .regions import gazetteer

        value = (super().clean(value) or "").strip()
        if not value:
            return ""
        places = gazetteer()
        place = places.get(value) if value.isascii() else places.place_of(value)
        if place is None:
            raise forms.ValidationError(_("没有这个地区。"))
        return place.code


@extend_schema_field(OpenApiTypes.STR)
class RegionFilter(django_filters.Filter):
    """Articles whose agency is in the region, at any level below it."""

    field_class = RegionField

    def filter(self, queryset, value):
        if not value:
            return queryset
        return queryset.filter(
            Q(agency__region=value) | Q(agency__region__prefecture=value)
            | Q(agency__region__province=value)
        )


_FULL_DIGITS = str.maketrans("０１２３４５６７８９－／．", "0123456789-/.")


@extend_schema_field(OpenApiTypes.STR)
class DateBoundFilter(django_filters.Filter):
    """Material published on or after (``end=False``) or on or before (``end=True``) a day,
    in the site's time zone."""

    field_class = DateBoundField

    def __init__(self, *args, end=False, **kwargs):
        kwargs["end"] = end
        super().__init__(*args, **kwargs)
        self.end = end

    def filter(self, queryset, value):
        if value is None:
            return queryset
        day = value + datetime.timedelta(days=1) if self.end else value
        moment = timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))
        lookup = "lt" if self.end else "gte"
        return queryset.filter(**{f"{self.field_name}__{lookup}": moment})


class ArticleFilter(django_filters.FilterSet):
    """The facets of the article list: one value per facet, all combinable, kept in the URL."""

    SORTS: ClassVar[dict] = {
        "date": ("-published_at", "-id"),
        "date_asc": ("published_at", "id"),
        "title": ("title", "id"),
        # The search API's names: newest and oldest are the date orders; relevance (search
        # results only) is the ranked order, no ``order_by``.
        "newest": ("-published_at", "-id"),
        "oldest": ("published_at", "id"),
    }

    level = django_filters.ChoiceFilter(
        field_name="agency__level", choices=Agency.Level.choices, label=_("层级")
    )
    sector = django_filters.CharFilter(field_name="agency__sector", label=_("系统"), max_length=30)
    region = RegionFilter(label=_("地区"))
    agency = IdFilter(field_name="agency_id", label=_("机关"))
    theme = django_filters.CharFilter(field_name="themes__slug", label=_("主题"), max_length=100)
    initiative = django_filters.CharFilter(
        field_name="initiatives__slug", label=_("举措"), max_length=100
    )
    year = IdFilter(field_name="year", label=_("年份"), **YEARS)
    compilation = IdFilter(field_name="compilation_id", label=_("汇编"))
    sort = django_filters.ChoiceFilter(
        label=_("排序"),
        choices=[("date", _("最新在前")), ("date_asc", _("最早在前")), ("title", _("按标题")),
                 ("relevance", _("相关度")), ("newest", _("最新在前")), ("oldest", _("最早在前"))],
        method="sort_by",
        empty_label=None,
    )

    class Meta:
        model = Article
        fields = ()

    FACETS: ClassVar[tuple] = ("level", "sector", "region", "agency", "theme", "initiative", "year", "compilation", "from", "to")

    def sort_by(self, queryset, name, value):
        if value == "relevance":
            return queryset
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
        """The order asked for: a key of ``SORTS``, or "" (ranked for search results, newest
        first for lists)."""
        self.is_valid()
        value = getattr(self.form, "cleaned_data", {}).get("sort") or ""
        return "" if value == "relevance" else value


# ``from`` and ``to`` are Python keywords: declared on the class after it is made.
ArticleFilter.base_filters["from"] = DateBoundFilter(field_name="published_at", label=_("起始日期"))
ArticleFilter.base_filters["to"] = DateBoundFilter(
    field_name="published_at", label=_("截止日期"), end=True
)


class CompilationFilter(django_filters.FilterSet):
    """The compilation list: words in the title, year published."""

    title = django_filters.CharFilter(
        field_name="title", lookup_expr="icontains", label=_("标题包含"), max_length=100
    )
    year = IdFilter(field_name="published_at__year", label=_("发布年份"), **YEARS)

    class Meta:
        model = Compilation
        fields = ()
