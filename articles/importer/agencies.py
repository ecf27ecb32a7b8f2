"""Agencies named in a title or an article's opening: 市审计局, 县委组织部, 省直机关 …

A name is a level prefix (省/市/州/县/区/乡/镇, and below the county 街道/社区/村), an optional
委/直/政府, a short core and an organ suffix (局, 部, 办, 厅, 委, 机关, 党委, 党工委, 支部 …),
matched lazily so 市委文明办 is one agency and 市审计局聚焦 stops at 局; an organ that follows
makes a compound name (县纪委 + 监委, 省直机关 + 工委). The core may hold the codes the genre
writes for words (XX镇D委 is the town's Party committee). Level and sector follow from the
name.
"""
import re

_HAN = "\u4e00-\u9fff"
_SUFFIXES = (
    "委员会", "办公室", "办公厅", "党工委", "工委", "党委", "党总支", "党支部", "支部", "机关", "中心",
    "管理局", "政府", "局", "厅", "办", "部", "委", "院", "署", "会", "所", "处", "站", "庭",
)
_SUFFIX_RE = "|".join(_SUFFIXES)
_LEVELS = {"省": "省", "市": "市", "州": "州", "县": "县", "区": "区", "乡": "乡镇", "镇": "乡镇", "旗": "县",
           "街": "乡镇"}
# An agency starts a clause: at the start, after punctuation, or after an XX placeholder.
_AGENCY_RE = re.compile(
    rf"(?:^|(?<=[，。；：、“”\s])|(?<=XX)|(?<=xx)|(?<=以来，))"
    rf"(?P<name>(?:自治区|自治州|街道|社区|[省市州县区乡镇旗村])(?:委|直|政府|人民政府)?"
    rf"[{_HAN}DT]{{0,7}}?(?:{_SUFFIX_RE}))"
)
# Sector words (longest first within the table): what editors filter by.
SECTORS = [
    ("人民政府", "政府"),  # before 民政, which 人民政府 contains
    ("审计", "审计"), ("民政", "民政"), ("组织部", "组织"), ("文明办", "文明办"), ("文明委", "文明办"),
    ("交通运输", "交通运输"), ("交通", "交通运输"), ("纪委", "纪检"), ("监委", "纪检"), ("纪检", "纪检"),
    ("宣传部", "宣传"), ("统战部", "统战"), ("政法委", "政法"), ("财政", "财政"), ("教育", "教育"),
    ("公安", "公安"), ("税务", "税务"), ("卫健", "卫生健康"), ("卫生", "卫生健康"), ("人社", "人社"),
    ("人力资源", "人社"), ("住建", "住建"), ("住房", "住建"), ("水利", "水利"), ("农业", "农业农村"),
    ("商务", "商务"), ("市场监", "市场监管"), ("生态环境", "生态环境"), ("自然资源", "自然资源"),
    ("应急", "应急管理"), ("医保", "医保"), ("林业", "林业"), ("统计", "统计"), ("司法", "司法"),
    ("法院", "法院"), ("检察", "检察"), ("直机关", "机关党建"), ("机关工委", "机关党建"),
    ("发改", "发展改革"), ("发展和改革", "发展改革"), ("工信", "工业和信息化"), ("科技", "科技"),
    ("文旅", "文化旅游"), ("文化和旅游", "文化旅游"), ("体育", "体育"), ("退役军人", "退役军人"),
    ("信访", "信访"), ("档案", "档案"), ("妇联", "群团"), ("团委", "群团"), ("工会", "群团"),
    ("烟草", "烟草"), ("办公厅", "办公厅"), ("办公室", "办公室"), ("政府", "政府"), ("人大", "人大"),
    ("政协", "政协"),
]
# Without a level prefix only a known sector + suffix counts (审计局落实… → 审计局).
_BARE_RE = re.compile(
    rf"^(?P<name>(?:{'|'.join(re.escape(word) for word, _ in SECTORS)})[{_HAN}]{{0,3}}?(?:{_SUFFIX_RE}))"
)
_NOT_AGENCY_CORE = ("系统", "模范", "建设", "全市", "全县", "全省", "各级")


def level_of(name: str) -> str:
    """省, 市, 州, 县, 区, 乡镇 or 其他, from the name's first character(s)."""
    if name.startswith("自治区"):
        return "省"
    if name.startswith("自治州"):
        return "州"
    return _LEVELS.get(name[:1], "其他")


def sector_of(name: str) -> str:
    for word, sector in SECTORS:
        if word in name:
            return sector
    return ""


_TRAILING_ORGANS = ("监委", "工委", "党委", "D委", "党组", "D组", "纪委", "办公室")


def _extended(text: str, match) -> str:
    """The lazy match plus an organ that follows it: 省直机关 + 工委 → 省直机关工委."""
    name = match.group("name")
    rest = text[match.end("name"):]
    for organ in _TRAILING_ORGANS:
        if rest.startswith(organ):
            return name + organ
    return name


def _acceptable(name: str) -> bool:
    return 3 <= len(name) <= 20 and not any(word in name for word in _NOT_AGENCY_CORE)


def _placed(text: str) -> str | None:
    """An agency named after the place ``text`` opens with, the place's last character
    being the level: 三都水族自治县 + 民政局, 朝阳区 + 委宣传部, 黔南州 + 交通运输局."""
    from ..regions import package_gazetteer

    found = package_gazetteer().named(text[:40], prefix_only=True)
    if not found:
        return None
    end = found[-1][1]
    match = _AGENCY_RE.match(text[end - 1:])
    if match and _acceptable(match.group("name")):
        return text[:end - 1] + _extended(text[end - 1:], match)
    return None


def agency_at_start(text: str) -> str | None:
    """The agency a title opens with: 市审计局：…, 县委组织部：…, 市民政局“四点聚力”…,
    三都水族自治县民政局“马上就办”…"""
    head, sep, _rest = text.partition("：")
    if sep and len(head) <= 20 and re.search(rf"(?:{_SUFFIX_RE}|街道|社区|村)$", head):
        return head.removeprefix("XX").removeprefix("xx")
    text = text.removeprefix("XX").removeprefix("xx")
    match = _AGENCY_RE.match(text) or _BARE_RE.match(text)
    if match and _acceptable(match.group("name")):
        return _extended(text, match)
    return _placed(text)


_CLAUSE_START = re.compile(r"(?:^|(?<=[，。；：、“”\s]))(?=[\u4e00-\u9fff])")


def agency_in_opening(paragraph: str, window: int = 160) -> str | None:
    """The first agency a clause of the opening paragraph starts with (市审计局…,
    XX县委组织部…, 都匀市审计局…)."""
    head = paragraph[:window]
    first = None
    for match in _AGENCY_RE.finditer(head):
        if _acceptable(match.group("name")):
            first = (match.start("name"), _extended(paragraph, match))
            break
    for clause in _CLAUSE_START.finditer(head):
        if first is not None and clause.start() >= first[0]:
            break
        placed = _placed(paragraph[clause.start():])
        if placed:
            return placed
    return first[1] if first else None


def find_agency(title: str, opening: str) -> str | None:
    """The article's agency, from its title first, then from its opening paragraph.

    A bare name in the title (审计局) yields to a fuller one in the opening (市审计局)."""
    from_title = agency_at_start(title)
    from_opening = agency_in_opening(opening) if opening else None
    if from_title:
        if from_opening and from_opening != from_title and from_opening.endswith(from_title):
            return from_opening
        return from_title
    return from_opening
