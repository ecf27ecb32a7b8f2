"""Root URLs: the admin, member login/logout, the sitemap, and the reader site."""
from django.conf import settings
from django.contrib import admin
from django.contrib.sitemaps import views as sitemap_views
from django.urls import include, path

from articles.sitemaps import sitemaps

from .observability import healthz, readyz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("readyz", readyz, name="readyz"),
    path(settings.ADMIN_URL, admin.site.urls),
    path("accounts/", include("django.contrib.auth.urls")),
    path(
        "sitemap.xml", sitemap_views.index,
        {"sitemaps": sitemaps, "sitemap_url_name": "sitemap_section"}, name="sitemap",
    ),
    path(
        "sitemap-<section>.xml", sitemap_views.sitemap, {"sitemaps": sitemaps},
        name="sitemap_section",
    ),
    path("api/", include(("articles.api.urls", "api"))),
    path("", include("articles.urls")),
]

handler404 = "articles.views.reader.page_not_found"
handler500 = "articles.views.reader.server_error"
