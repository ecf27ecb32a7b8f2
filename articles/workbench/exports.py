"""Workbench downloads: a folder (or a selection of it), up to ``MAX_EXPORT_ARTICLES`` search
results, or a draft, as .docx (GB/T 9704) or .txt. Each article is exported as far as the
reader may read it now (``exports.article_content``), with a 材料来源 line under it; each
clip of a draft as far as ``access`` allows, with its source as a footnote."""
from dataclasses import replace

from django.utils.translation import gettext as _

from ..exports import article_content, xml_safe
from ..exports.docx import compilation_docx
from ..exports.drafts import DraftBlock, draft_docx, draft_txt
from ..exports.txt import compilation_txt
from ..models import Article
from .access import shown_text, source_states
from .models import DraftItem
from .selectors import draft_items
from .services import WorkbenchError
from .sources import article_source_line, source_line

MAX_EXPORT_ARTICLES = 200
ARTICLE_SETS = {"docx": compilation_docx, "txt": compilation_txt}
DRAFTS = {"docx": draft_docx, "txt": draft_txt}


def articles_export(user, title: str, article_ids, fmt: str):
    """(data, title) of these articles, in this order, as one document with a table of
    contents; refused above ``MAX_EXPORT_ARTICLES``."""
    ids = list(dict.fromkeys(article_ids))
    if len(ids) > MAX_EXPORT_ARTICLES:
        raise WorkbenchError(_("一次最多导出 %(n)s 篇，请选择其中一部分。")
                             % {"n": MAX_EXPORT_ARTICLES})
    if not ids:
        raise WorkbenchError(_("没有可导出的文章。"))
    rows = Article.objects.visible_to(user).select_related("agency", "compilation").in_bulk(ids)
    contents = [
        replace(article_content(rows[pk], user),
                source=xml_safe(_("材料来源：%(line)s") % {"line": article_source_line(rows[pk])}))
        for pk in ids if pk in rows
    ]
    title = xml_safe(title)
    return ARTICLE_SETS[fmt](title, contents), title


def draft_blocks(user, items) -> list[DraftBlock]:
    """The draft's entries as the export writes them, withheld clips replaced by a notice."""
    states = source_states(user, [item for item in items if item.kind == DraftItem.Kind.CLIP])
    blocks = []
    for item in items:
        if item.kind == DraftItem.Kind.CLIP:
            blocks.append(DraftBlock("clip", shown_text(item, states.get(item.pk)),
                                     source_line(item)))
        else:
            blocks.append(DraftBlock(item.kind, item.text))
    return blocks


def draft_export(user, draft, fmt: str):
    """(data, title) of a draft."""
    title = xml_safe(draft.title)
    data = DRAFTS[fmt](title, draft_blocks(user, list(draft_items(draft))))
    if fmt == "txt":
        data = data.encode("utf-8-sig")  # as the other .txt downloads: Notepad reads UTF-8
    return data, title
