"""``/api/``: the read API, its OpenAPI 3 schema and its documentation page."""
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from . import views

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("compilations", views.CompilationViewSet, basename="compilation")
router.register("articles", views.ArticleViewSet, basename="article")
router.register("agencies", views.AgencyViewSet, basename="agency")
router.register("themes", views.ThemeViewSet, basename="theme")
router.register("initiatives", views.InitiativeViewSet, basename="initiative")

urlpatterns = [
    path("search/", views.SearchView.as_view(), name="search"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves Swagger UI's set-up script from a URL: no inline script (CSP).
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="docs"),
    path("", include(router.urls)),
]
