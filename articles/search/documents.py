"""What the indexes are fed: the fields of an article for the ``full`` and ``preview``
indexes, and the digest that says whether an article's index entry is current.

An article is read as a ``Row`` (id, title, sections, text, members_only): the columns
indexing depends on. Its digest is a hash of exactly what was tokenised, kept beside the
index (``articles_search_state``) when the article is indexed; ``check_search_index``
compares it with the row as it is now, so a write that bypassed the application (the
``sqlite3`` shell, a repair script, ``QuerySet.update``) is found, and
``rebuild_search_index`` repairs it.
"""
import hashlib
from typing import NamedTuple

from ..text import teaser
from .tokenise import document_fields

STATE = "articles_search_state"
DAMAGED = "damaged"  # an entry the index could not replace exactly (see ``SearchBackend``)
ROW_COLUMNS = ("pk", "title", "sections", "text", "members_only")


class Row(NamedTuple):
    pk: int
    title: str
    sections: object
    text: str
    members_only: bool

    @classmethod
    def of(cls, article) -> "Row":
        return cls(article.pk, article.title, article.sections, article.text,
                   bool(article.members_only))


def full_fields(row: Row) -> tuple[str, str, str]:
    """Title, headings and body: what editors and members search."""
    return document_fields(row.title, row.sections, row.text)


def preview_fields(row: Row) -> tuple[str, str, str] | None:
    """Title and free preview of a members-only article (no headings: the preview shows
    none): all the public may match of it. ``None`` for an ordinary article."""
    if not row.members_only:
        return None
    return row.title or "", "", teaser(row.text)


def digest(row: Row) -> str:
    """A hash of what the indexes hold for ``row``."""
    h = hashlib.blake2b(digest_size=16)
    for part in (*full_fields(row), "1" if row.members_only else "0"):
        h.update(part.encode("utf-8", "surrogatepass"))
        h.update(b"\x00")
    return h.hexdigest()


def read_rows(ids) -> list[Row]:
    """The rows of these articles as they are in the database now (in batches)."""
    from ..models import Article

    ids = list(ids)
    rows = []
    for start in range(0, len(ids), 500):
        batch = ids[start:start + 500]
        rows += [Row(*values) for values in
                 Article.objects.filter(pk__in=batch).values_list(*ROW_COLUMNS)]
    return rows


def iter_rows(batch=1000):
    """Every article's row, in id order, ``batch`` at a time (lists)."""
    from ..models import Article

    last = 0
    while True:
        rows = [Row(*values) for values in Article.objects.filter(pk__gt=last)
                .order_by("pk").values_list(*ROW_COLUMNS)[:batch]]
        if not rows:
            return
        yield rows
        last = rows[-1].pk
