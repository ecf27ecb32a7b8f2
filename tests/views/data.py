"""Our own material in the genre's form for reader-page tests: codes (D建, 以T教育, DK),
placeholders (XX市, AAA公众号), numbered headings."""
from tests.factories import make_article

INTRO = "今年以来，XX市审计局坚持以D建引领审计业务，组织开展TD日活动，讲DK两次。"
SECTIONS = [
    {"heading": "", "paragraphs": [INTRO]},
    {"heading": "一、压实责任，健全机制",
     "paragraphs": ["局D组把全面从严治D作为政治担当，制定责任清单十二项。"]},
    {"heading": "二、以T教育为契机，锤炼作风",
     "paragraphs": ["依托AAA公众号开展线上学习，覆盖干部职工八十余人。"]},
]
# Well past the 150-character teaser: what anonymous readers must never receive.
MEMBERS_PARAS = [
    ("今年以来，市民政局紧紧围绕模范机关建设目标，把党建工作与民政业务深度融合，"
    "在强化政治引领、完善制度机制、锤炼干部作风等方面持续用力，取得了阶段性成效。"
    "全局上下以主题教育为契机，开展专题研讨、实地调研、警示教育等系列活动，"
    "推动理论学习走深走实，确保各项部署落到实处，为民政事业高质量发展提供坚强保证。"),
    ("下一步，局机关将继续聚焦群众急难愁盼问题，完善养老、救助、儿童福利等服务体系，"
    "以更加务实的作风推动模范机关建设不断取得新成效。"),
]
SECRET = "会员专享：试点街道养老服务补贴节约经费约两百万元"


def original_text(sections):
    lines = []
    for section in sections:
        if section["heading"]:
            lines.append(section["heading"])
        lines += section["paragraphs"]
    return "\n".join(lines)


def make_rich_article(**overrides):
    overrides.setdefault("title", "市审计局：以T教育推动机关D建提质增效")
    overrides.setdefault("sections", SECTIONS)
    overrides.setdefault("original_text", original_text(SECTIONS))
    return make_article(**overrides)


def make_members_article(**overrides):
    sections = [
        {"heading": "", "paragraphs": MEMBERS_PARAS},
        {"heading": "一、秘而不宣的小标题", "paragraphs": [SECRET + "。"]},
    ]
    overrides.setdefault("title", "市民政局“四点聚力”推动模范机关建设")
    overrides.setdefault("sections", sections)
    overrides.setdefault("original_text", original_text(sections))
    overrides["members_only"] = True
    return make_article(**overrides)
