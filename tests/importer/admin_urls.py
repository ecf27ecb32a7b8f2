"""A test URLconf: an admin site whose Compilation admin carries the import URLs exactly as
``articles/admin_import.py`` tells the real admin to hook them."""
from django.contrib import admin
from django.urls import path

from articles.admin_import import import_urls
from articles.models import Compilation
from compilation import urls as project_urls

site = admin.AdminSite(name="admin")


class CompilationImportAdmin(admin.ModelAdmin):
    def get_urls(self):
        return import_urls(self) + super().get_urls()


site.register(Compilation, CompilationImportAdmin)

# The site's own URLs too: error pages and the admin's "view site" link reverse them.
urlpatterns = [path("admin/", site.urls), *project_urls.urlpatterns]
