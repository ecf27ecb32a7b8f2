"""The one-line source of a piece of text: 《标题》，机关，汇编名，日期."""
from django.utils import timezone
from django.utils.translation import gettext as _


def date_text(moment) -> str:
    """2023年5月1日, in the site's time zone."""
    if moment is None:
        return ""
    day = timezone.localtime(moment).date()
    return _("%(y)s年%(m)s月%(d)s日") % {"y": day.year, "m": day.month, "d": day.day}


def source_line(item) -> str:
    """《标题》，机关，汇编名，日期 of a clip or draft item (its snapshot), the missing parts
    left out."""
    parts = [f"《{item.article_title}》" if item.article_title else ""]
    parts += [item.agency_name, item.compilation_title, date_text(item.published_at)]
    return "，".join(part for part in parts if part)


def article_source_line(article) -> str:
    """The same line for an article (agency and compilation joined)."""
    from ..text import restore_codes

    parts = [f"《{restore_codes(article.title)}》",
             str(article.agency) if article.agency_id else "",
             article.compilation.title, date_text(article.published_at)]
    return "，".join(part for part in parts if part)
