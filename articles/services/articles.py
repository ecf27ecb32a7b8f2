"""Writes of articles and their tags: the article form, bulk actions, deletes."""
from django.utils.translation import gettext as _

from ..models import Article, Initiative, Status, TaggedInitiative, TaggedTheme, Theme
from ..text import normalise_tag_name
from .core import StaleWrite, Write, check_version, locked, normalise_value

REASON_EDIT = "编辑保存"
REASON_CREATE = "新建"

TAG_RELATIONS = {
    # relation: (tag model, through model, names field)
    "themes": (Theme, TaggedTheme, "theme_names"),
    "initiatives": (Initiative, TaggedInitiative, "initiative_names"),
}
NAMES_SEPARATOR = "、"


def names_of(text: str) -> list[str]:
    """The tag names kept in ``theme_names``/``initiative_names``."""
    return [name for name in (text or "").split(NAMES_SEPARATOR) if name]


def names_text(names) -> str:
    """The text of ``theme_names``/``initiative_names`` for these tag names."""
    return NAMES_SEPARATOR.join(sorted({normalise_tag_name(n) for n in names} - {""}))


def resolve_status(status, published_at, now):
    """(status, published_at) as stored: publishing stamps an empty publish time with now; a
    publish time still to come makes it 定时发布, one that has come makes it 已发布."""
    if status in (Status.PUBLISHED, Status.SCHEDULED):
        if published_at is None:
            return Status.PUBLISHED, now
        return (Status.SCHEDULED if published_at > now else Status.PUBLISHED), published_at
    return Status.DRAFT, published_at


def _publishing(values: dict, current, now) -> dict:
    if "status" in values or "published_at" in values:
        status, published_at = resolve_status(
            values.get("status", current.status),
            normalise_value(None, values.get("published_at", current.published_at)),
            now,
        )
        values = {**values, "status": status, "published_at": published_at}
    return values


def article_values(current: Article, values: dict, now) -> dict:
    """``values`` completed with what follows from them: sections re-derived from an edited
    text, the restored text, count and checksum, the status of a publish time."""
    values = {name: normalise_value(None, value) for name, value in values.items()}
    values = _publishing(values, current, now)
    text_changed = "original_text" in values and values["original_text"] != current.original_text
    if text_changed and "sections" not in values:
        from ..importer.sections import sections_from_text

        values["sections"] = sections_from_text(values["original_text"])
    if text_changed or ("title" in values and values["title"] != current.title):
        probe = Article(title=values.get("title", current.title),
                        original_text=values.get("original_text", current.original_text))
        probe.refresh_derived()
        values.update(text=probe.text, chars=probe.chars, checksum=probe.checksum)
    return values


def ensure_tags(write: Write, model, names) -> dict:
    """{name: tag} for these names, creating the missing tags (with their history)."""
    names = sorted({normalise_tag_name(n) for n in names} - {""})
    if not names:
        return {}
    found = {tag.name: tag for tag in model.objects.filter(name__in=names)}
    missing = [name for name in names if name not in found]
    if missing:
        taken = set(model.objects.values_list("slug", flat=True).filter(
            slug__in=[model().slugify(name)[:100] for name in missing]))
        rows = []
        for name in missing:
            slug, n = model().slugify(name)[:100], 1
            while slug in taken:
                slug, n = model().slugify(name, n)[:100], n + 1
            taken.add(slug)
            rows.append(model(name=name, slug=slug))
        write.create(rows)
        found.update({tag.name: tag for tag in rows})
    return found


def set_tags(write: Write, articles, relation: str, names_by_article: dict) -> int:
    """Give each article (current rows, locked) exactly the tags named for it in
    ``names_by_article`` ({article id: names}); links and the article's names field change
    together. Returns how many articles changed."""
    model, through, field = TAG_RELATIONS[relation]
    articles = [a for a in articles if a.pk in names_by_article]
    if not articles:
        return 0
    wanted = {a.pk: {normalise_tag_name(n) for n in names_by_article[a.pk]} - {""}
              for a in articles}
    tags = ensure_tags(write, model, {n for names in wanted.values() for n in names})
    have = {}
    for article_id, link_id, tag_id, name in through.objects.filter(
        content_object_id__in=[a.pk for a in articles]
    ).values_list("content_object_id", "pk", "tag_id", "tag__name"):
        have.setdefault(article_id, {})[name] = (link_id, tag_id)
    remove, add, changed = [], [], 0
    for article in articles:
        current = have.get(article.pk, {})
        remove += [link for name, (link, _tag) in current.items() if name not in wanted[article.pk]]
        add += [(article.pk, tags[name].pk) for name in wanted[article.pk] if name not in current]
        if write.change(article, {field: names_text(wanted[article.pk])}):
            changed += 1
    if remove:
        write.delete_rows(through.objects.filter(pk__in=remove))
    write.create_links(through, add)
    return changed


def _tag_values(values: dict) -> dict:
    """{relation: names} popped from a form's values (None: the form had no such field)."""
    return {relation: values.pop(relation) for relation in TAG_RELATIONS if relation in values}


def article_save(*, article_id, values: dict, expected_version, user=None,
                 reason: str = REASON_EDIT) -> tuple[Article, list[str]]:
    """Save an editor's values (form fields, ``themes``/``initiatives`` as names) over the
    article the editor opened at ``expected_version``.

    Returns (the article as saved, the fields that changed); no change writes nothing.
    Raises ``StaleWrite`` (nothing written) when someone changed it since."""
    values = dict(values)
    tags = _tag_values(values)
    with Write(user=user, reason=reason) as write:
        current = check_version(Article, article_id, expected_version)
        changed = write.change(current, article_values(current, values, write.now))
        for relation, names in tags.items():
            if set_tags(write, [current], relation, {current.pk: names or []}):
                changed.append(relation)
    return current, changed


def article_create(*, values: dict, user=None, reason: str = REASON_CREATE) -> Article:
    """A new article from an editor's values (the admin's add form, an inline row)."""
    values = dict(values)
    tags = _tag_values(values)
    with Write(user=user, reason=reason) as write:
        article = Article(compilation=values.pop("compilation"))
        for name, value in article_values(article, values, write.now).items():
            setattr(article, article._meta.get_field(name).attname,
                    value.pk if hasattr(value, "pk") else value)
        article.status, article.published_at = resolve_status(
            article.status, article.published_at, write.now)
        article.refresh_derived()
        for relation, names in tags.items():  # recorded with the creation
            setattr(article, TAG_RELATIONS[relation][2], names_text(names or []))
        write.create([article])
        for relation, names in tags.items():
            set_tags(write, [article], relation, {article.pk: names or []})
    return article


def records_delete(*, objs, user=None, reason: str = "删除") -> int:
    """Delete records (the admin's delete view and action); each deletion is in the history."""
    objs = list(objs)
    with Write(user=user, reason=reason) as write:
        for obj in objs:
            current = type(obj).objects.select_for_update().filter(pk=obj.pk).first()
            if current is not None:
                write.delete(current)
    return len(objs)


def articles_set_status(*, articles, status: str, user=None, reason: str | None = None) -> int:
    """Publish or unpublish articles; publishing stamps an empty publish time with now and
    keeps a future one as 定时发布. Returns how many changed."""
    reason = reason or ("批量发布" if status == Status.PUBLISHED else "批量撤回")
    with Write(user=user, reason=reason) as write:
        changed = 0
        for article in locked(articles):
            if write.change(article, _publishing({"status": status}, article, write.now)):
                changed += 1
    return changed


def articles_add_theme(*, articles, theme: Theme, user=None) -> int:
    """Tag every given article with ``theme``; returns how many were not tagged before."""
    with Write(user=user, reason=_("批量添加主题“%(theme)s”") % {"theme": theme.name}) as write:
        rows = locked(articles)
        names = {a.pk: [*names_of(a.theme_names), theme.name] for a in rows}
        return set_tags(write, rows, "themes", names)


__all__ = [
    "StaleWrite", "article_create", "article_save", "article_values", "articles_add_theme",
    "articles_set_status", "ensure_tags", "names_of", "names_text", "records_delete",
    "resolve_status", "set_tags",
]
