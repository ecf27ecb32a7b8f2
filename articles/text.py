"""Pure text rules of the genre, shared by the importer, models, search and views.

Nothing here touches the database. The self-censoring code mapping lives here and only
here: the importer restores text with it, search expands queries with it.
"""
import re
import unicodedata

# Self-censoring codes: a Latin letter (or pair) written in place of a word. Longest first,
# so DK (党课) wins over D (党). Edit this table to teach the whole site a new code.
CODE_MAP = {
    "DK": "党课",
    "D": "党",
    "T": "主题",
}

_HAN = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_HAN_RE = re.compile(f"[{_HAN}]")
# A run of capitals bounded by non-letters is a code when it splits wholly into codes and
# touches a Han character: D建, 以T教育, TD日 (主题党日), 讲DK564场次; never AED, BIM, APP.
_CAPS_RUN_RE = re.compile(r"(?<![A-Za-z])[A-Z]+(?![A-Za-z])")
_ANY_CAPS_RE = re.compile(r"[A-Z]")
_CODES_LONGEST_FIRST = sorted(CODE_MAP, key=len, reverse=True)


def _split_codes(run: str) -> list[str] | None:
    """Split a run of capitals into codes, longest first; None when some letter is no code."""
    parts, i = [], 0
    while i < len(run):
        for code in _CODES_LONGEST_FIRST:
            if run.startswith(code, i):
                parts.append(code)
                i += len(code)
                break
        else:
            return None
    return parts


def _touches_han(text: str, start: int, end: int) -> bool:
    before = text[start - 1] if start > 0 else ""
    after = text[end] if end < len(text) else ""
    return bool(_HAN_RE.match(before) or _HAN_RE.match(after))


_CODE_ALTERNATIVES = "|".join(re.escape(code) for code in _CODES_LONGEST_FIRST)
# Only runs made wholly of codes can be restored, so only those are looked at (AED, BIM, APP
# never match: a run must not touch another Latin letter on either side).
_CODE_RUN_RE = re.compile(rf"(?<![A-Za-z])(?:{_CODE_ALTERNATIVES})+(?![A-Za-z])")
_CODE_PART_RE = re.compile(_CODE_ALTERNATIVES)


def restore_codes(text: str) -> str:
    """Replace self-censoring codes next to Han characters with the words they stand for."""
    if not text or not _ANY_CAPS_RE.search(text):
        return text

    def replace(match):
        if not _touches_han(text, match.start(), match.end()):
            return match.group(0)
        return "".join(CODE_MAP[part] for part in _CODE_PART_RE.findall(match.group(0)))

    return _CODE_RUN_RE.sub(replace, text)


def coded_forms(word: str) -> list[str]:
    """Every way ``word`` may be written with codes: 党建 → [党建, D建]; 主题党日 → [主题党日,
    主题D日, T党日, TD日]. Lets the importer count keywords in original text without restoring."""
    forms = [""]
    i = 0
    words = sorted(CODE_MAP.items(), key=lambda item: len(item[1]), reverse=True)
    while i < len(word):
        for code, meaning in words:
            if word.startswith(meaning, i):
                forms = [f + piece for f in forms for piece in (meaning, code)]
                i += len(meaning)
                break
        else:
            forms = [f + word[i] for f in forms]
            i += 1
    return forms


_FOLD_TABLE = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}


def fold_width(text: str) -> str:
    """Fold full-width ASCII forms (ＡＰＰ, １２３, U+3000) to their half-width equivalents."""
    return text.translate(_FOLD_TABLE)


# Radical and compatibility code points that PDF text extraction gives for ideographs (⼀ for
# 一, ⺠ for 民, 﨑 for 崎): the Kangxi radicals and compatibility ideographs by their Unicode
# compatibility mapping, the supplement's simplified forms by their equivalent ideograph.
_RADICAL_SUPPLEMENT = dict(zip(
    "⺌⺍⺗⺝⺟⺠⺣⺩⺮⺳⻁⻄⻅⻆⻈⻉⻋⻏⻓⻔⻖⻗⻘⻙⻚⻛⻜⻝⻠⻢⻣⻤⻥⻦⻧⻨⻩⻪⻬⻮⻰⻳",
    "小小心月母民火王竹网虎西见角讠贝车阝长门阝雨青韦页风飞食饣马骨鬼鱼鸟卤麦黄黾齐齿龙龟",
    strict=True,
))
_RADICAL_TABLE = {
    code: unicodedata.normalize("NFKC", chr(code))
    for code in [*range(0x2F00, 0x2FD6), *range(0xF900, 0xFADA)]
    if len(unicodedata.normalize("NFKC", chr(code))) == 1
} | {ord(radical): ideograph for radical, ideograph in _RADICAL_SUPPLEMENT.items()}
_RADICAL_RE = re.compile("[\u2e80-\u2fdf\uf900-\ufaff]")


def fold_radicals(text: str) -> str:
    """Ideographs for the radicals and compatibility forms a PDF's text layer often holds."""
    return text.translate(_RADICAL_TABLE) if _RADICAL_RE.search(text) else text


_QUOTES = "\"'“”‘’「」『』《》〈〉【】"


def normalise_tag_name(name: str) -> str:
    """Canonical form of a tag name: width folded, quotes and outer whitespace removed.

    “四点聚力”, "四点聚力" and ＂四点聚力＂ all become 四点聚力.
    """
    name = unicodedata.normalize("NFC", fold_width(name or ""))
    name = "".join(ch for ch in name if ch not in _QUOTES)
    return re.sub(r"\s+", " ", name).strip()


# Anonymisation placeholders: runs of X (XX市, XX亿元) and runs of three or more identical
# capital letters standing for a name (AAA公众号). Not codes: they are marked, never restored.
PLACEHOLDER_RE = re.compile(r"(?<![A-Za-z])(?:[XxＸｘ]{2,}|([A-Z])\1{2,})(?![A-Za-z])")


def placeholder_spans(text: str) -> list[tuple[int, int]]:
    """Character spans of anonymisation placeholders in text."""
    return [m.span() for m in PLACEHOLDER_RE.finditer(text or "")]


# What anyone may read of a members-only article: the page, feeds and downloads show it, and
# the public search matches it (``articles.search.scope``).
TEASER_CHARS = 150


def teaser(text: str, n: int = TEASER_CHARS) -> str:
    """The first ``n`` characters of a text, cut at a whole character, with … when cut: the
    free preview of a members-only article."""
    text = (text or "").strip()
    if len(text) <= n:
        return text
    return text[:n].rstrip() + "…"
