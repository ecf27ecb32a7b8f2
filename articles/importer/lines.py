"""A line of the document as the parser sees it, and the cleaning every line gets."""
import re
from dataclasses import dataclass

# Hints a .docx can give (plain text gives none): an article title, a section heading.
TITLE = "title"
HEADING = "heading"

_INDENT = " \t\u3000\u00a0\u2002\u2003\u200b\ufeff"
_INVISIBLE_RE = re.compile("[\u200b\u200c\u200d\ufeff\u00ad]")


@dataclass(slots=True)
class Line:
    text: str
    number: int  # 1-based, for messages
    hint: str | None = None

    @property
    def blank(self) -> bool:
        return not self.text


def clean_line(raw: str) -> str:
    """Strip indentation (full-width spaces included), trailing blanks and invisible marks."""
    return _INVISIBLE_RE.sub("", raw).strip(_INDENT + "\r\n\v\f")


def text_lines(text: str) -> list[Line]:
    return [Line(clean_line(raw), number) for number, raw in enumerate(text.split("\n"), 1)]
