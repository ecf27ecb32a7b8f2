"""Writes of agencies and tags: their forms, merging agencies, renaming a tag."""
from django.utils.translation import gettext as _

from ..models import Agency, AgencyAlias, Article
from .articles import REASON_EDIT, TAG_RELATIONS, names_of, set_tags
from .core import Write, check_version, locked


def agency_save(*, agency_id=None, values: dict, expected_version=None, user=None,
                reason: str = REASON_EDIT) -> tuple[Agency, list[str]]:
    """Save an editor's values over the agency opened at ``expected_version`` (or create
    one). Raises ``StaleWrite`` when someone changed it since."""
    with Write(user=user, reason=reason) as write:
        if agency_id is None:
            agency = Agency(**values)
            write.create([agency], reason=_("新建"))
            return agency, list(values)
        current = check_version(Agency, agency_id, expected_version)
        return current, write.change(current, values)


def agency_merge(*, keep: Agency, merge: list[Agency], user=None) -> int:
    """Move every article of the agencies in ``merge`` to ``keep`` and delete them.

    Returns the number of articles moved; each moved article and each deleted agency gets a
    history row (合并机关). The merged names (and their own aliases) become aliases of
    ``keep``, so an import naming them finds ``keep``."""
    reason = _("合并机关到“%(keep)s”") % {"keep": keep}
    with Write(user=user, reason=reason) as write:
        others = [agency.pk for agency in merge if agency.pk != keep.pk]
        articles = locked(Article.objects.filter(agency__in=others))
        for article in articles:
            write.change(article, {"agency": keep.pk})
        write.flush()  # the articles leave the agencies before these go
        merged = locked(Agency.objects.filter(pk__in=others))
        names = {(a.name, a.region_id) for a in merged} | set(
            AgencyAlias.objects.filter(agency__in=others).values_list("name", "region_id"))
        names.discard((keep.name, keep.region_id))
        write.delete_rows(AgencyAlias.objects.filter(
            agency__in=others) | AgencyAlias.objects.filter(
            name__in=[n for n, _r in names], agency=keep))
        for agency in merged:
            write.delete(agency)
        write.create([AgencyAlias(name=n, region_id=r, agency=keep)
                      for n, r in sorted(names, key=lambda pair: (pair[0], pair[1] or ""))])
    return len(articles)


def tag_save(*, model, tag_id=None, values: dict, expected_version=None, user=None,
             reason: str = REASON_EDIT):
    """Save an editor's values over a theme or initiative opened at ``expected_version`` (or
    create one). A new name is also written into the tagged articles' tag lists, whose
    versions move (an article form opened before the rename becomes stale)."""
    relation = next(r for r, (m, _t, _f) in TAG_RELATIONS.items() if m is model)
    _model, _through, field = TAG_RELATIONS[relation]
    with Write(user=user, reason=reason) as write:
        if tag_id is None:
            tag = model(**values)
            tag.name = tag.name.strip()
            tag.slug = tag.slug or tag.slugify(tag.name)[:100]
            write.create([tag], reason=_("新建"))
            return tag, list(values)
        current = check_version(model, tag_id, expected_version)
        old_name = current.name
        changed = write.change(current, values)
        if "name" in changed:
            write.flush()
            articles = locked(Article.objects.filter(**{f"{relation}__id": current.pk}))
            renamed = _("%(old)s 改名为 %(new)s") % {"old": old_name, "new": current.name}
            for article in articles:
                names = [current.name if n == old_name else n
                         for n in names_of(getattr(article, field))]
                article._change_reason = renamed
                write.change(article, {field: "、".join(sorted(set(names)))})
        return current, changed


__all__ = ["agency_merge", "agency_save", "set_tags", "tag_save"]
