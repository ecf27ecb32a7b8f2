"""A deterministic generator of compilations in the genre, for the bulk-import benchmark and
the property-based tests. Every sentence is assembled from our own fragments; the same seed
always gives the same document (title, 目录 with pages, paid markers, codes, placeholders,
several heading styles, an advertising footer)."""
import random

AGENCIES = [
    "市审计局", "县委组织部", "市委文明办", "州交通运输局", "市民政局", "区财政局", "县教育局",
    "市生态环境局", "省直机关工委", "市委宣传部", "县纪委监委", "市水利局", "区市场监管局",
    "市医保局", "县农业农村局", "州统计局", "市司法局", "县应急管理局", "市税务局", "区卫健委",
]
NUMERALS = "一二三四五六七八九十"
SLOGAN_TAILS = ["化", "型", "个强化", "点聚力", "项举措", "个着力", "突出三强化", "学三比", "联三促", "心合力"]
TOPICS = [
    "模范机关建设", "清廉机关创建", "D建工作", "作风建设", "学习型机关建设", "服务型机关建设",
    "效能提升", "T教育", "文明创建", "基层D组织建设", "意识形态工作", "志愿服务",
]
VERBS = ["推动", "深化", "扎实推进", "聚力打造", "全面提升", "持续深化", "奋力争创", "纵深推进"]
CLAUSES = [
    "坚持把D的政治建设摆在首位", "紧扣年度目标任务细化责任清单", "建立健全常态化督导机制",
    "以DK和TD日为抓手强化理论武装", "围绕中心工作开展专题调研", "推动D建与业务深度融合",
    "组织D员干部深入基层一线", "持续开展廉政风险排查", "完善考勤考核等机关管理制度",
    "依托AAA公众号开展线上学习", "在XX社区设立志愿服务点", "累计投入资金XX万元",
    "组织开展BIM技术和AED急救培训", "利用学习强国APP常态化开展学习", "召开专题会议研究部署",
    "开展以T教育为主线的读书班", "压紧压实全面从严治D主体责任", "选树先进典型发挥示范作用",
]
RESULTS = [
    "取得了明显成效", "形成了一批可复制的经验", "群众满意度持续提升", "机关作风明显转变",
    "工作质效不断提高", "基层基础更加坚实", "干部队伍活力进一步增强",
]
HEADING_PHRASES = [
    ("强化政治引领", "筑牢思想根基"), ("压实工作责任", "健全制度机制"), ("聚焦服务群众", "办好民生实事"),
    ("加强队伍建设", "锻造过硬作风"), ("突出廉政教育", "营造清风正气"), ("深化融合发展", "提升工作效能"),
]
AD_FOOTER = [
    "【笔耕素材库】——每日更新精品材料，会员群同步更新，一键快速下载，有意加入请添加客服：abc123",
    "欢迎加入素材库VIP会员，海量材料任您选，认准唯一平台，谨防假冒！",
]


def _sentence(rng: random.Random) -> str:
    parts = rng.sample(CLAUSES, 3)
    return f"{parts[0]}，{parts[1]}，{parts[2]}，{rng.choice(RESULTS)}。"


def _paragraph(rng: random.Random, sentences: int) -> str:
    return "".join(_sentence(rng) for _ in range(sentences))


def _slogan(rng: random.Random) -> str:
    return rng.choice(NUMERALS[:6]) + rng.choice(SLOGAN_TAILS)


def _heading(rng: random.Random, style: str, n: int) -> list[str]:
    a, b = rng.choice(HEADING_PHRASES)
    num = NUMERALS[n]
    if style == "cn":
        return [f"{num}、{a}，{b}"]
    if style == "cn_inline":
        return [f"{num}、{a}，{b}。{_paragraph(rng, 2)}"]
    if style == "paren":
        return [f"（{num}）{a}，{b}"]
    if style == "shi":
        return [f"{num}是{a}。{_paragraph(rng, 2)}"]
    if style == "di":
        return [f"第{num}，{a}，{b}"]
    return [f"以“{a}”为着力点", f"{b}"]  # two-line heading


def make_article(rng: random.Random, index: int) -> tuple[str, list[str]]:
    """(title, body lines) of one article."""
    agency = rng.choice(AGENCIES)
    slogan = _slogan(rng)
    topic = rng.choice(TOPICS)
    if rng.random() < 0.5:
        title = f"{agency}：“{slogan}”{rng.choice(VERBS)}{topic}"
    else:
        title = f"{agency}以“{slogan}”{rng.choice(VERBS)}{topic}（{index}）"
    style = rng.choice(["cn", "cn_inline", "paren", "shi", "di", "two_line"])
    body = [f"今年以来，XX{agency}{_paragraph(rng, 2)}"]
    for n in range(rng.randint(3, 5)):
        body.extend(_heading(rng, style, n))
        for _ in range(rng.randint(1, 2)):
            body.append(_paragraph(rng, rng.randint(2, 4)))
    return title, body


def make_compilation_text(seed: int, articles: int = 10) -> str:
    """One compilation in the genre, as text with \\n line ends."""
    rng = random.Random(seed)
    items = [make_article(rng, seed * 1000 + i) for i in range(articles)]
    title = f"关于{rng.choice(TOPICS)}材料汇编（第{seed}辑）（{articles}篇）"
    lines = ["", title, "", "目录", "", f"{title}\t1", "目录\t1"]
    paid_from = rng.randint(0, articles - 1)
    page = 3
    for i, (article_title, body) in enumerate(items):
        if i == paid_from:
            lines.append("##paidbegin##")
        lines.append(f"{article_title}\t{page}")
        page += 2 + len(body) // 3
    lines += ["", ""]
    for article_title, body in items:
        lines += [article_title, ""] + body + ["", "", ""]
    lines += AD_FOOTER + ["", "##paidend##"]
    return "\n".join(lines) + "\n"
