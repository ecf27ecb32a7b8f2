"""Exports of articles and compilations as files a writer can use as is.

``content`` decides WHAT a reader may take away (restored text, or only a teaser for a
members-only article the reader may not read); ``docx`` and ``txt`` decide only HOW it is
laid out. Views call :func:`article_content` / :func:`compilation_contents` once and hand the
result to a renderer, so no renderer can leak text the reader may not see.
"""
from .content import (
    ArticleContent,
    article_content,
    compilation_contents,
    export_filename,
    xml_safe,
)
from .drafts import DraftBlock, draft_docx, draft_txt, footnotes_of

__all__ = [
    "ArticleContent", "DraftBlock", "article_content", "compilation_contents", "draft_docx",
    "draft_txt", "export_filename", "footnotes_of", "xml_safe",
]
