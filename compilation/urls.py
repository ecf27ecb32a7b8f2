"""Root URLs: the admin, member login/logout and passwords, the sitemap, and the reader site."""
from django.conf import settings
from django.contrib import admin
from django.contrib.sitemaps import views as sitemap_views
from django.urls import include, path
from django.views.decorators.cache import cache_page
from django.views.i18n import JavaScriptCatalog

from articles.sitemaps import sitemaps
from articles.views import accounts

from .observability import healthz, readyz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("readyz", readyz, name="readyz"),
    path(settings.ADMIN_URL, admin.site.urls),
    # Before Django's own: a reset whose mail fails says so (articles/views/accounts.py).
    path("accounts/password_reset/", accounts.PasswordResetView.as_view(),
         name="password_reset"),
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
    # The scripts' strings (gettext in static/js), translated like the templates'.
    # Every page loads it: built once per process and kept by browsers for a day, instead of
    # one more dynamic request per page view (Django's documented way of caching it).
    path("jsi18n/", cache_page(24 * 3600, key_prefix="jsi18n")(
        JavaScriptCatalog.as_view(packages=["articles"])), name="javascript_catalog"),
    path("", include("articles.urls")),
]

handler404 = "articles.views.reader.page_not_found"
handler500 = "articles.views.reader.server_error"
