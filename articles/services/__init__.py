"""The write services: every change to an article, compilation, agency, tag, tagging or 目录
entry goes through one of these functions (``<entity>_<action>``, keyword-only). Each runs in
one transaction through ``core.Write``, which checks versions, moves them, records history
with user and reason, re-indexes and moves the library version; see ``core``."""
from .articles import (
    REASON_EDIT,
    article_create,
    article_save,
    articles_add_theme,
    articles_set_status,
    names_of,
    names_text,
    records_delete,
    resolve_status,
    set_tags,
)
from .compilations import (
    compilation_save,
    compilations_publish,
    compilations_unpublish,
    release_due,
    toc_entries_save,
)
from .core import StaleWrite, Write, check_version, locked
from .vocabulary import agency_merge, agency_save, tag_save

__all__ = [
    "REASON_EDIT", "StaleWrite", "Write", "agency_merge", "agency_save", "article_create",
    "article_save", "articles_add_theme", "articles_set_status", "check_version",
    "compilation_save", "compilations_publish", "compilations_unpublish", "locked",
    "names_of", "names_text", "records_delete", "release_due", "resolve_status", "set_tags",
    "tag_save", "toc_entries_save",
]
