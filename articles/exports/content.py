"""What an export holds: the restored title, agency, source line and sections of an article,
or only its teaser and a notice when the reader may not read it in full."""
import re
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from ..models import Article
from ..permissions import MEMBERS_ONLY_NOTICE, can_read_full, teaser
from ..text import restore_codes

# 公文 numbering: 一、 is a first-level heading, （一） a second-level one.
_SECOND_LEVEL_RE = re.compile(r"^\s*[（(][一二三四五六七八九十百零〇]+[）)]")
# Control characters XML 1.0 forbids (Word's vertical tab from a pasted line break, stray
# bell or form-feed bytes): lxml refuses them, and an Atom reader would reject the feed.
_XML_INVALID_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
# Characters Windows, macOS or a browser will not keep in a file name.
_UNSAFE_FILENAME_RE = re.compile(r'[\\/:*?"<>|\x00-\x1f\x7f]+')


@dataclass(frozen=True)
class Section:
    heading: str
    level: int  # 1 (一、…) or 2 (（一）…); 0 when the section has no heading
    paragraphs: list[str]


@dataclass(frozen=True)
class ArticleContent:
    """One article as an export shows it. ``full`` is False when only a teaser is given."""

    pk: int
    title: str
    agency: str
    source: str
    sections: list[Section] = field(default_factory=list)
    full: bool = True
    notice: str = ""


def xml_safe(text: str) -> str:
    """Text without the control characters an XML document (docx, Atom) cannot hold."""
    return _XML_INVALID_RE.sub("", text or "")


def heading_level(heading: str) -> int:
    """1 for a first-level heading, 2 for a （一）-numbered one, 0 for no heading."""
    if not heading.strip():
        return 0
    return 2 if _SECOND_LEVEL_RE.match(heading) else 1


def source_line(article) -> str:
    """“来源：《汇编标题》（2023年）” — where the article was taken from."""
    title = xml_safe(restore_codes(article.compilation.title))
    line = _("来源：《%(title)s》") % {"title": title}
    if article.year:
        line += _("（%(year)s年）") % {"year": article.year}
    return line


def _sections(article) -> list[Section]:
    sections = article.display_sections
    if not sections:
        # An article imported without structure: one paragraph per line of its text.
        sections = [{"heading": "", "paragraphs": (article.text or "").splitlines()}]
    return [
        Section(
            heading=xml_safe(s["heading"]).strip(),
            level=heading_level(s["heading"]),
            paragraphs=[p for p in (xml_safe(p).strip() for p in s["paragraphs"]) if p],
        )
        for s in sections
    ]


def article_content(article, user) -> ArticleContent:
    """The article as ``user`` may take it away: in full, or title, metadata and teaser.

    Text is the restored form (display_title, display_sections); anonymisation placeholders
    (XX市) stay as written. Expects ``agency`` and ``compilation`` joined.
    """
    common = {
        "pk": article.pk,
        "title": xml_safe(article.display_title),
        "agency": xml_safe(str(article.agency)) if article.agency_id else "",
        "source": source_line(article),
    }
    if can_read_full(user, article):
        return ArticleContent(**common, sections=_sections(article))
    return ArticleContent(
        **common,
        sections=[
            Section(heading="", level=0, paragraphs=xml_safe(teaser(article.text)).splitlines())
        ],
        full=False,
        notice=str(MEMBERS_ONLY_NOTICE),
    )


def compilation_contents(compilation, user) -> list[ArticleContent]:
    """Every article of the compilation ``user`` may see, in order, each as it may be taken."""
    articles = (
        Article.objects.visible_to(user)
        .in_compilation(compilation)
        .select_related("agency", "compilation")
    )
    return [article_content(article, user) for article in articles]


def export_filename(title: str, fmt: str, limit: int = 80) -> str:
    """A file name from a title: characters file systems refuse removed, length capped."""
    name = _UNSAFE_FILENAME_RE.sub("", title).strip(" .") or _("汇编库文档")
    return f"{name[:limit]}.{fmt}"
