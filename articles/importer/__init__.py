"""Compilation importer: a .txt or .docx compilation → Compilation, TocEntries, Articles,
agencies, initiatives and themes.

Public API (the admin, the commands and setup_demo use these names):

- ``parse_file(path_or_bytes, *, filename=None, vocabulary=None, progress=None) ->
  ParsedCompilation`` —
  pure: reads and parses the whole file, no database. ``ParsedCompilation.as_json()`` gives the
  documented JSON shape.
- ``import_compilation(parsed_or_path, *, publish=False, user=None, take_file=()) ->
  ImportResult`` — one transaction through the write services; idempotent by file checksum
  ('unchanged'), also when two run at once; a corrected file updates the matching articles
  with history, except those changed by hand since (``load.hand_edits``) unless in
  ``take_file``.
- ``import_many(items, *, publish=False, user=None, batch_size=50)`` — bulk import of many
  files (paths, (bytes, filename) pairs or parsed): new compilations written a batch at a
  time, one result or ImportRefused per item; never a half-written file.
- ``preview_import(parsed, *, progress=None) -> ImportPreview`` — what an import would
  create or update.
- ``progress(stage, fraction)``: the callback ``parse_file`` and ``preview_import`` take,
  called at a few points of their work (stages "read", "parse", "compare"); cheap to call.
- ``text_size(data) -> int`` — what an upload costs to import, in bytes of plain text (a
  .docx by its unpacked document, a PDF by its pages), told before parsing it.
- ``prepare(parsed) -> parsed`` — the database's part of parsing (themes, agencies' regions),
  done by the functions above when not done yet.
- ``sections_from_text(original_text) -> list[dict]`` — sections re-derived after an edit.
- ``ImportRefused`` — ``str(exc)`` is one Chinese line naming the file and the problem.
"""
from .errors import ImportRefused
from .parse import ParsedArticle, ParsedCompilation, parse_file
from .sections import sections_from_text
from .size import text_size

__all__ = [
    "ImportRefused", "ImportResult", "ParsedArticle", "ParsedCompilation", "import_compilation",
    "import_many",
    "parse_file", "prepare", "preview_import", "sections_from_text", "text_size",
    "theme_vocabulary",
]


def __getattr__(name):
    # load.py imports the models; keep parse_file importable without the app registry.
    if name in {"ImportResult", "import_compilation", "import_many", "prepare", "preview_import",
                "theme_vocabulary"}:
        from . import load

        return getattr(load, name)
    raise AttributeError(name)
