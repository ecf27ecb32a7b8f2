from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ArticlesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "articles"
    verbose_name = _("汇编库")

    def ready(self):
        # Cached facet counts are keyed on a library version that every write bumps.
        from .facets import connect_invalidation

        connect_invalidation()

        # Search: SQLite index triggers call Python functions every connection must have;
        # PostgreSQL has no triggers, so saves re-index explicitly (see articles.search).
        from django.db.backends.signals import connection_created
        from django.db.models.signals import post_save

        from .models import Article
        from .search import on_article_saved
        from .search.sqlite import register_functions

        connection_created.connect(register_functions, dispatch_uid="huibian-search-functions")
        post_save.connect(on_article_saved, sender=Article, dispatch_uid="huibian-search-index")
