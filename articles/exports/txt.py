"""Plain-text exports: UTF-8 with a byte-order mark and CRLF line ends, so Notepad and WPS
on the writers' Windows machines open it as Unicode, not as GBK mojibake.

Layout: title, agency and source lines, a blank line, then headings on their own lines and
paragraphs indented by two ideographic spaces, as Chinese prose is written.
"""
from django.utils.translation import gettext as _

from .content import ArticleContent

INDENT = "\u3000\u3000"
NEWLINE = "\r\n"
RULE = "\u2014" * 20


def _article_lines(content: ArticleContent) -> list[str]:
    lines = [content.title]
    if content.agency:
        lines.append(content.agency)
    lines += [content.source, ""]
    for section in content.sections:
        if section.heading:
            lines += section.heading.splitlines()
        lines += [INDENT + paragraph for paragraph in section.paragraphs]
    if content.notice:
        lines += ["", content.notice]
    return lines


def _encode(lines: list[str]) -> bytes:
    return (NEWLINE.join(lines) + NEWLINE).encode("utf-8-sig")


def article_txt(content: ArticleContent) -> bytes:
    """One article as UTF-8 text."""
    return _encode(_article_lines(content))


def compilation_txt(title: str, contents: list[ArticleContent]) -> bytes:
    """A compilation as UTF-8 text: title, a numbered table of contents, then the articles."""
    lines = [title, "", _("目录")]
    lines += [f"{index}. {content.title}" for index, content in enumerate(contents, start=1)]
    for content in contents:
        lines += ["", RULE, ""] + _article_lines(content)
    return _encode(lines)
