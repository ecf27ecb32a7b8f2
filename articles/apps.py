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

        # Search: the write services index explicitly (``search.forget``/``index_written``);
        # these signals keep saves and deletes made outside them (tests, the shell, Django's
        # cascades) indexed too. No database trigger calls Python.
        from django.db.models.signals import post_save, pre_delete, pre_save

        from .models import Article
        from .search import on_article_pre_delete, on_article_pre_save, on_article_saved

        pre_save.connect(on_article_pre_save, sender=Article, dispatch_uid="huibian-search-forget")
        post_save.connect(on_article_saved, sender=Article, dispatch_uid="huibian-search-index")
        pre_delete.connect(
            on_article_pre_delete, sender=Article, dispatch_uid="huibian-search-delete"
        )
        from django.db.models.signals import post_migrate

        from .search import after_migrate

        post_migrate.connect(after_migrate, sender=self, dispatch_uid="huibian-search-migrate")

        # China's divisions from the installed package, after every migrate (and flush).
        from .regions import after_migrate as regions_after_migrate

        post_migrate.connect(
            regions_after_migrate, sender=self, dispatch_uid="huibian-regions-migrate"
        )

        # The scheduled background jobs (django-q2 Schedule rows), after every migrate.
        from .jobs.schedules import after_migrate as schedules_after_migrate

        post_migrate.connect(
            schedules_after_migrate, sender=self, dispatch_uid="huibian-schedules-migrate"
        )

        import compilation.checks  # noqa: F401 -- the operator's start-up checks
