"""The text of the one synthetic corpus in the genre, for every benchmark and the search tests.

Our own vocabulary and sentence templates (not the sample's sentences), with the genre's
quirks: codes (D建, TD日, DK), Latin and digits (APP, AED, 2023年), full-width forms,
quoted slogans, numbered headings. Word frequencies are skewed so that common two-character
terms occur in 5–60% of articles and the planted rare terms in under 0.1%.
"""
import random

SUBJECTS = [
    "市审计局", "县委组织部", "区民政局", "州交通运输局", "市委文明办", "乡镇党委", "省直机关工委",
    "市场监管局", "县财政局", "区卫健委", "市司法局", "县应急管理局", "市生态环境局", "区税务局",
    "县农业农村局", "市住建局", "区教育局", "市医保局", "县林业局", "市统计局",
]
VERBS = [
    "深入推进", "扎实开展", "持续强化", "全面落实", "认真组织", "着力构建", "大力推动", "不断完善",
    "积极探索", "统筹谋划", "聚焦", "围绕", "狠抓", "创新", "压紧压实", "健全",
]
DOMAINS = [
    "模范机关", "党风廉政", "作风", "理论学习", "基层治理", "营商环境", "志愿服务", "意识形态",
    "制度", "干部队伍", "为民办实事", "数字化", "安全生产", "乡村振兴", "文明城市", "清廉机关",
    "效能", "民生保障", "应急救护", "档案", "信访", "招商引资", "耕地保护", "养老服务", "河湖长制",
    "网格化", "普法宣传", "疫情防控", "森林防火", "双拥共建", "统计监测", "审计整改", "医保基金",
    "食品安全", "垃圾分类", "人才引进", "科技创新", "对口帮扶", "水利工程", "交通运输",
    "社区服务", "政务公开", "老旧小区", "农村公路", "消防安全", "税费服务", "教育培训",
    "生态保护", "文化惠民", "就业创业",
]
SUFFIXES = ["建设", "工作", "管理", "提升", "改革", "体系", "培训", "行动", "宣传", "治理"]
CODED_OBJECTS = ["D建工作", "TD日活动", "DK教育", "D组会议", "D支部标准化", "T教育"]
ADVERBIALS = [
    "以高质量发展为目标", "坚持问题导向", "结合单位实际", "按照年初部署", "在全系统范围内",
    "通过线上线下结合", "依托学习强国APP平台", "借助ＡＰＰ和公众号", "对照责任清单", "以群众满意为标准",
]
RESULTS = [
    "取得明显成效", "形成长效机制", "群众满意度持续提升", "工作质效不断提高", "打造了一批特色品牌",
    "推动各项任务落地见效", "营造了风清气正的良好氛围", "为全局工作提供坚强保障",
]
NUMBERS = ["一", "二", "三", "四", "五", "六", "七", "八"]
SLOGANS = ["四点聚力", "三化", "五型", "三突出三强化", "六型", "双轮驱动", "三级联动", "四联四促"]
MEASURES = ["次", "场", "人次", "项", "篇", "个", "万元", "期"]
HEADING_TEMPLATES = [
    "{n}、{verb}{obj}，{adv}",
    "{n}是{verb}{obj}",
    "聚焦{obj}，突出{obj2}",
    "以“{slogan}”为抓手{verb}{obj}",
]
SENTENCE_TEMPLATES = [
    "{subj}{verb}{obj}，{adv}，{res}。",
    "{adv}，{subj}{verb}{obj}，累计开展活动{num}{measure}。",
    "今年以来，{subj}围绕“{slogan}”{verb}{obj}，{res}。",
    "{subj}把{coded}与{obj}相结合，{res}。",
    "{year}年上半年，共组织{obj}{num}{measure}，参与干部{num2}人次，{res}。",
    "坚持{verb}{obj}，{adv}，进一步{verb2}{obj2}。",
    "{subj}组织开展{coded}，讲好{obj}专题课，{res}。",
]
RARE_TERMS = [
    "鹳雀楼", "锂电池回收", "滇金丝猴", "珐琅彩", "蝾螈保护", "铱星通讯", "龟兹壁画", "钍基熔盐",
    "骆驼刺", "犰狳", "氦三资源", "榫卯工艺", "缂丝技艺", "麝香保心", "玳瑁", "砗磲", "Zeta计划",
    "QX-77型", "蒟蒻", "鸬鹚捕鱼",
]


def _zipf(items, s=1.0):
    weights, total = [], 0.0
    for rank in range(1, len(items) + 1):
        total += 1 / rank**s
        weights.append(total)
    return items, weights


_DOMAINS = _zipf(DOMAINS, 1.1)
_SUFFIXES = _zipf(SUFFIXES, 0.8)
_SUBJECTS = _zipf(SUBJECTS, 0.7)
_VERBS = _zipf(VERBS, 0.6)


def _pick(rng, table):
    return rng.choices(table[0], cum_weights=table[1])[0]


class _Topic:
    """What one article is about: a few domains, phrases and slogans of its own, so that
    common words are common across articles without being in all of them."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.domains = [_pick(rng, _DOMAINS) for _ in range(rng.randint(3, 7))]
        self.adverbials = rng.sample(ADVERBIALS, 3)
        self.results = rng.sample(RESULTS, 3)
        self.slogans = rng.sample(SLOGANS, 2)
        self.coded = rng.sample(CODED_OBJECTS, rng.randint(0, 2))
        self.subjects = [_pick(rng, _SUBJECTS) for _ in range(2)]
        self.templates = rng.sample(SENTENCE_TEMPLATES, 4)

    def object(self):
        return self.rng.choice(self.domains) + _pick(self.rng, _SUFFIXES)

    def sentence(self) -> str:
        rng = self.rng
        template = rng.choice(self.templates)
        if "{coded}" in template and not self.coded:
            template = SENTENCE_TEMPLATES[0]
        return template.format(
            subj=rng.choice(self.subjects), verb=_pick(rng, _VERBS), verb2=_pick(rng, _VERBS),
            obj=self.object(), obj2=self.object(), adv=rng.choice(self.adverbials),
            res=rng.choice(self.results), slogan=rng.choice(self.slogans),
            coded=rng.choice(self.coded or ["x"]), num=rng.randint(2, 99),
            num2=rng.randint(10, 999), measure=rng.choice(MEASURES),
            year=rng.randint(2019, 2025),
        )


def _heading(topic: _Topic, n: int) -> str:
    rng = topic.rng
    return rng.choice(HEADING_TEMPLATES).format(
        n=NUMBERS[n % len(NUMBERS)], verb=_pick(rng, _VERBS), obj=topic.object(),
        obj2=topic.object(), adv=rng.choice(topic.adverbials), slogan=rng.choice(topic.slogans),
    )


def article(seed: int, number: int, *, target_chars: int = 800, rare: list[str] = ()) -> dict:
    """One article: title, sections (original form, codes kept) and original_text."""
    rng = random.Random(f"{seed}:{number}")
    topic = _Topic(rng)
    subject = topic.subjects[0]
    title = rng.choice([
        f"{subject}：“{topic.slogans[0]}”{_pick(rng, _VERBS)}{topic.object()}",
        f"{subject}{_pick(rng, _VERBS)}{topic.object()}",
        f"以{(topic.coded or CODED_OBJECTS)[0]}深化{topic.object()}",
    ])
    size = int(target_chars * rng.uniform(0.4, 1.6))
    sections, chars, n = [], 0, 0
    intro = [topic.sentence() for _ in range(2)]
    sections.append({"heading": "", "paragraphs": ["".join(intro)]})
    chars += len(sections[0]["paragraphs"][0])
    while chars < size:
        heading = _heading(topic, n)
        paragraph = "".join(topic.sentence() for _ in range(rng.randint(3, 7)))
        sections.append({"heading": heading, "paragraphs": [paragraph]})
        chars += len(heading) + len(paragraph)
        n += 1
    for term in rare:
        section = sections[rng.randrange(len(sections))]
        section["paragraphs"].append(f"其中还涉及{term}等专项内容。")
    lines = []
    for section in sections:
        if section["heading"]:
            lines.append(section["heading"])
        lines.extend(section["paragraphs"])
    return {"title": title, "sections": sections, "original_text": "\n".join(lines)}


def rare_plan(seed: int, articles: int) -> dict[int, list[str]]:
    """Which article numbers get which rare terms: each term in fewer than 0.1% of them."""
    rng = random.Random(f"{seed}:rare")
    plan: dict[int, list[str]] = {}
    for term in RARE_TERMS:
        count = max(1, min(int(articles * 0.0009), rng.randint(1, 90)))
        for number in rng.sample(range(articles), min(count, articles)):
            plan.setdefault(number, []).append(term)
    return plan


def articles(seed: int, count: int, *, target_chars: int = 800):
    """``count`` articles, deterministic for ``seed``."""
    plan = rare_plan(seed, count)
    for number in range(count):
        yield article(seed, number, target_chars=target_chars, rare=plan.get(number, ()))
