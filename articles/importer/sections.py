"""Section headings inside an article, in the styles real documents use.

- numbered lines: 一、…  （一）…  第一，… / 第一部分 …  一是…  1. … — alone on their line, or
  heading and text on one line (一、内化于心，铸审计精神之魂。以…): the first sentence is the
  heading, the rest the section's first paragraph;
- unnumbered short lines without closing punctuation followed by a longer paragraph, one line
  or two (以“强化政治建设”为切入点 / 擦亮模范机关政治底色 → one heading, joined by a space).

Sections keep the original text (codes unrestored); paragraphs before the first heading form a
leading section whose heading is "".
"""
import re

from .lines import HEADING

_NUM = "一二三四五六七八九十百"
_NUMBERED_RE = re.compile(
    rf"^(?:[{_NUM}]{{1,3}}[、．.]|[（(][{_NUM}]{{1,3}}[）)]|第[{_NUM}]{{1,3}}(?:[，、,：:．.]|部分|章|节|方面)|"
    rf"[{_NUM}]{{1,2}}是(?![的否])|\d{{1,2}}[、．.](?!\d))"
)
_SENTENCE_END_RE = re.compile(r"[。！？!?；;]")
_CLOSING = "。！？!?；;…：:，,、"
MAX_HEADING = 60
MAX_BARE_HEADING = 45


_DATELINE_RE = re.compile(r"^\d{4}\s*年\s*\d{1,2}\s*月(?:\s*\d{1,2}\s*日)?$")


def is_byline(text: str) -> bool:
    """A byline or dateline under a title — ——XX市审计局, （市委文明办）, 2023年7月 — which is
    body text, neither an article title nor a section heading."""
    from .agencies import agency_at_start

    if text.startswith(("—", "－", "--")) or _DATELINE_RE.match(text):
        return True
    if len(text) <= 32 and text[:1] in "（(" and text[-1:] in "）)":
        return True
    name = text.removeprefix("XX").removeprefix("xx")
    return len(name) <= 20 and agency_at_start(name) == name


def is_numbered(text: str) -> bool:
    return bool(_NUMBERED_RE.match(text))


def ends_open(text: str) -> bool:
    """True when a line stops without closing punctuation (headings do, sentences don't)."""
    if not text:
        return False
    last = text[-1]
    if last in "”’」』\"')）" and len(text) > 1:
        return text[-2] not in _CLOSING
    return last not in _CLOSING


def split_numbered(text: str) -> tuple[str, str] | None:
    """(heading, rest) for a numbered line, or None when it is a numbered long paragraph."""
    match = _SENTENCE_END_RE.search(text)
    if match is None:
        return (text, "") if len(text) <= MAX_HEADING else None
    heading, rest = text[: match.start()], text[match.end():].strip()
    if len(heading) > MAX_HEADING:
        return None
    return heading, rest


def _bare_heading(lines, i) -> int:
    """How many lines (0, 1 or 2) from i form an unnumbered heading."""
    line = lines[i]
    if len(line) > MAX_BARE_HEADING or not ends_open(line) or i + 1 >= len(lines) or is_byline(line):
        return 0
    nxt = lines[i + 1]
    if is_numbered(nxt):
        return 0
    if ends_open(nxt) and len(nxt) <= MAX_BARE_HEADING:
        if i + 2 < len(lines) and len(lines[i + 2]) > len(nxt) and not ends_open(lines[i + 2]):
            return 2
        return 0
    return 1 if len(nxt) > len(line) else 0


def sections_from_lines(lines: list[str], hints: list[str | None] | None = None) -> list[dict]:
    """Sections [{"heading", "paragraphs"}] from an article's body lines (one paragraph each)."""
    sections: list[dict] = []
    current = {"heading": "", "paragraphs": []}

    def start(heading):
        nonlocal current
        if current["heading"] or current["paragraphs"]:
            sections.append(current)
        current = {"heading": heading, "paragraphs": []}

    i = 0
    while i < len(lines):
        line = lines[i]
        hint = hints[i] if hints else None
        if not line:
            i += 1
            continue
        if hint == HEADING:
            start(line.rstrip("。"))
            i += 1
            continue
        if is_numbered(line):
            split = split_numbered(line)
            if split is not None:
                start(split[0])
                if split[1]:
                    current["paragraphs"].append(split[1])
                i += 1
                continue
        taken = _bare_heading(lines, i)
        if taken:
            start(" ".join(lines[i: i + taken]))
            i += taken
            continue
        current["paragraphs"].append(line)
        i += 1
    if current["heading"] or current["paragraphs"]:
        sections.append(current)
    return sections


def sections_from_text(original_text: str) -> list[dict]:
    """Sections re-derived from an article's original text (one paragraph per line), as the
    admin needs after an editor changed the text."""
    from .lines import clean_line

    lines = [clean_line(raw) for raw in (original_text or "").replace("\r\n", "\n").split("\n")]
    return sections_from_lines([line for line in lines if line])
