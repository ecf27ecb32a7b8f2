"""The writer's workbench: each signed-in reader's folders (收藏夹), clips (摘抄), drafts (组稿)
and follows (关注), private to them.

``models`` holds the tables, ``blocks`` numbers what an article page shows (the unit a clip
points to), ``access`` decides what of a clip or an export the reader may see now, and
``services`` is the only code that writes them. The JSON interface (``articles.api.workbench``)
and the pages (``articles.views.workbench``) are thin shells over ``services``.
"""
