"""Initiatives (slogans, work methods, campaigns) and themes (from the editable vocabulary).

An initiative is what the genre puts in quotes or counts in a title:

- a quoted name, numbered (“三化”, “五型”, “三突出三强化”) or not (“马上就办”, “红色网格”,
  “以奖代补”, 开展“作风建设提升年”活动): two to twelve characters with at least one Han
  character and no sentence punctuation inside; one quoted character is emphasis
  (入“脑”入“心”), not a name;
- an unquoted counted form: 六项工作措施, 五大行动.

Those in the title are the article's initiatives (a name that is a theme of the vocabulary is
left to the themes); numbered slogans further in the body are offered to the editor as
suggestions (the body quotes too much else to take unnumbered ones from it).
"""
import functools
import re
from collections import Counter

from ..text import PLACEHOLDER_RE, coded_forms, normalise_tag_name

_NUMERAL = "一二三四五六七八九十两百千"
_QUOTED_RE = re.compile(
    rf"[“\"「『]([{_NUMERAL}0-9０-９][^“”\"「」『』\n]{{1,11}}?)[”\"」』]"
)
_COUNTED_RE = re.compile(
    rf"(?<![第{_NUMERAL}])([{_NUMERAL}]{{1,2}}(?:项|个|大|条|种|型)[\u4e00-\u9fff]{{0,4}}?"
    r"(?:措施|举措|行动|工程|机制|任务|工作法|活动|计划))"
)
_QUOTED_NAME_RE = re.compile(r"[“\"「『]([^“”\"「」『』\n，。；：！？,.;:!?、]{2,12})[”\"」』]")
_HAN_RE = re.compile(r"[\u4e00-\u9fff]")
_NOT_SLOGAN_RE = re.compile(r"^(?:[一二两三四五六七八九十\d]+(?:年|月|日|次|名|人|家|万|亿|%)|\d{2,}|\d[·.])")


def _slogans(text: str, *, unnumbered=False) -> list[str]:
    found = []
    for match in (_QUOTED_NAME_RE if unnumbered else _QUOTED_RE).finditer(text):
        if unnumbered and (not _HAN_RE.search(match.group(1)) or PLACEHOLDER_RE.search(match.group(1))):
            continue
        found.append((match.start(), match.group(1)))
    for match in _COUNTED_RE.finditer(text):
        found.append((match.start(), match.group(1)))
    names = []
    for _pos, raw in sorted(found):
        name = normalise_tag_name(raw)
        if name and not _NOT_SLOGAN_RE.match(name) and name not in names:
            names.append(name)
    return names


def title_initiatives(title: str) -> list[str]:
    """The slogans of a title, in order: 市审计局：“三化”发力争创“五型”… → 三化, 五型;
    区政务服务局“马上就办”提升办事效率 → 马上就办."""
    return _slogans(title, unnumbered=True)


def body_suggestions(text: str, exclude=(), limit: int = 10) -> list[str]:
    """Further numbered slogans in the body, most frequent first, for the editor to consider."""
    counts = Counter(_slogans(text))
    for name in exclude:
        counts.pop(name, None)
    return [name for name, _ in counts.most_common(limit)]


def match_themes(title: str, text: str, vocabulary: dict[str, str]) -> list[str]:
    """Themes whose keyword appears in the title, or twice in the text — written plainly or
    with codes (党建 or D建), so the original text is searched without restoring it.

    ``vocabulary`` maps keyword → theme name (see ``theme_vocabulary()`` in load)."""
    if not vocabulary:
        return []
    themes = []
    for keyword, theme in vocabulary.items():
        if theme in themes:
            continue
        forms = _forms(keyword)
        if any(form in title for form in forms) or sum(text.count(form) for form in forms) >= 2:
            themes.append(theme)
    return sorted(themes)


@functools.lru_cache(maxsize=1024)
def _forms(keyword: str) -> tuple[str, ...]:
    return tuple(coded_forms(keyword))
