"""Small builders for test rows, in Chinese like the real material."""
import itertools

from django.contrib.auth.models import Group, User

from articles.groups import ensure_groups
from articles.models import Agency, Article, Compilation, Status
from articles.services import names_text
from articles.text import normalise_tag_name

_seq = itertools.count(1)


def make_agency(**overrides):
    overrides.setdefault("name", f"市审计局{next(_seq)}")
    overrides.setdefault("level", Agency.Level.CITY)
    overrides.setdefault("sector", "审计")
    region = overrides.pop("region", None)
    if isinstance(region, str) and region:  # a place name, as a document writes it: 都匀市, 黔南州
        from articles.regions import gazetteer

        place = gazetteer().place_of(region)
        assert place is not None, f"no region named {region}"
        region = place.code
    return Agency.objects.create(region_id=region or None, **overrides)


def make_compilation(**overrides):
    overrides.setdefault("title", f"关于模范机关建设材料汇编（{next(_seq)}）")
    overrides.setdefault("status", Status.PUBLISHED)
    return Compilation.objects.create(**overrides)


def make_article(*, initiatives=(), themes=(), **overrides):
    if "compilation" not in overrides:
        overrides["compilation"] = make_compilation()
    if "position" not in overrides:
        overrides["position"] = overrides["compilation"].articles.count() + 1
    overrides.setdefault("title", f"市审计局：“三化”发力争创“五型”模范机关{next(_seq)}")
    overrides.setdefault(
        "original_text",
        "一、压责固廉，突出制度约束导向\n审计局D组把落实全面从严治D作为最大的政治担当。",
    )
    overrides.setdefault(
        "sections",
        [{"heading": "一、压责固廉，突出制度约束导向",
          "paragraphs": ["审计局D组把落实全面从严治D作为最大的政治担当。"]}],
    )
    overrides.setdefault("status", Status.PUBLISHED)
    overrides.setdefault("year", 2023)
    # The tag lists the write services keep beside the tag links.
    overrides.setdefault("theme_names", names_text(normalise_tag_name(t) for t in themes))
    overrides.setdefault("initiative_names", names_text(normalise_tag_name(t) for t in initiatives))
    article = Article.objects.create(**overrides)
    if initiatives:
        article.initiatives.add(*initiatives)
    if themes:
        article.themes.add(*themes)
    return article


def make_user(username, *, group=None, staff=False, superuser=False, password="pw-測試-123"):
    """A user; group is '编辑' or '会员' (created by migration 0002)."""
    if superuser:
        user = User.objects.create_superuser(username, f"{username}@example.cn", password)
    else:
        user = User.objects.create_user(username, f"{username}@example.cn", password)
        user.is_staff = staff
        user.save()
    if group:
        ensure_groups()  # transactional tests flush the groups migration 0002 made
        user.groups.add(Group.objects.get(name=group))
    return user
