"""Lines that are not content: paid-section markers, advertising, contact lines.

An advertising line is recognised by the vendor's vocabulary, not by position: it must hit
two or more of the signals below (or open with a 【…】 bracket and hit one), so a paragraph that
merely mentions a 公众号 or 会员 stays.
"""
import re

PAID_BEGIN = "##paidbegin##"
PAID_END = "##paidend##"

_AD_SIGNALS = [
    re.compile(p) for p in (
        r"素材库", r"代笔", r"润笔", r"svip|SVIP|VIP会员", r"会员群|网盘群?", r"添加客服|请?联系客服|客服[：:]",
        r"微信[号]?[：:]|[Vv][Xx][：:]|QQ[群号]?[：:]|加微|扫码", r"谨防假冒|认准", r"每天更新|每日更新|同步更新",
        r"一键(?:精准|快速|极速)?(?:搜索|查找|下载)", r"有意加入|欢迎加入", r"接单|代发布|下载地址|关注公众号",
        r"\d{3,}\s*万字(?:材料|素材)", r"更多(?:精品|优质|精彩)?(?:材料|资料|范文|素材)",
        r"(?:资料|材料|素材|范文)网|文库", r"联系电话[：:]|电话[：:]\s*\d|手机[：:]\s*\d", r"(?:公众号|客服)[：:]\s*\w",
    )
]
# Literal words at least one of which every signal contains: a cheap first look at each line.
_ANCHORS = (
    "素材", "代笔", "润笔", "vip", "VIP", "会员", "网盘", "客服", "微信", "VX", "vx", "Vx", "vX",
    "QQ", "加微", "扫码", "谨防", "认准", "更新", "一键", "加入", "接单", "代发布", "下载", "万字",
    "电话", "手机", "公众号", "更多", "网", "文库",
)
MAX_AD_LINE = 200
_BRACKET_OPEN_RE = re.compile(r"^【[^】]{1,20}】")


def marker(text: str) -> str | None:
    """PAID_BEGIN or PAID_END when the line is a paid-section marker."""
    compact = text.replace(" ", "").lower()
    if compact == PAID_BEGIN:
        return PAID_BEGIN
    if compact == PAID_END:
        return PAID_END
    return None


def is_advertising(text: str) -> bool:
    """True for vendor advertising and contact lines that are no part of any article."""
    # Advertising lines are short; paragraphs of content are not checked signal by signal.
    if not text or len(text) > MAX_AD_LINE or not any(word in text for word in _ANCHORS):
        return False
    hits = sum(1 for signal in _AD_SIGNALS if signal.search(text))
    if hits >= 2:
        return True
    return hits == 1 and bool(_BRACKET_OPEN_RE.match(text))
