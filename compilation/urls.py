"""Root URLs: the admin, member login/logout, and the reader site."""
from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/", include("django.contrib.auth.urls")),
    path("", include("articles.urls")),
]

handler404 = "articles.views.reader.page_not_found"
handler500 = "articles.views.reader.server_error"
