"""``/api/``: the read API, its OpenAPI 3 schema and its documentation page."""
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from . import views
from . import workbench as wb

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("compilations", views.CompilationViewSet, basename="compilation")
router.register("articles", views.ArticleViewSet, basename="article")
router.register("agencies", views.AgencyViewSet, basename="agency")
router.register("themes", views.ThemeViewSet, basename="theme")
router.register("initiatives", views.InitiativeViewSet, basename="initiative")

workbench = [
    path("folders/", wb.FolderList.as_view(), name="folders"),
    path("folders/<int:pk>/", wb.FolderDetail.as_view(), name="folder"),
    path("folders/<int:pk>/articles/", wb.FolderArticles.as_view(), name="folder_articles"),
    path("folders/<int:pk>/articles/<int:article>/", wb.FolderArticle.as_view(),
         name="folder_article"),
    path("folders/<int:pk>/export.<str:fmt>", wb.FolderExport.as_view(), name="folder_export"),
    path("clips/", wb.ClipList.as_view(), name="clips"),
    path("clips/<int:pk>/", wb.ClipDetail.as_view(), name="clip"),
    path("drafts/", wb.DraftList.as_view(), name="drafts"),
    path("drafts/<int:pk>/", wb.DraftDetail.as_view(), name="draft"),
    path("drafts/<int:pk>/items/", wb.DraftItems.as_view(), name="draft_items"),
    path("drafts/<int:pk>/items/<int:item>/", wb.DraftItemDetail.as_view(), name="draft_item"),
    path("drafts/<int:pk>/order/", wb.DraftOrder.as_view(), name="draft_order"),
    path("drafts/<int:pk>/export.<str:fmt>", wb.DraftExport.as_view(), name="draft_export"),
    path("search/export.<str:fmt>", wb.SearchExport.as_view(), name="search_export"),
    path("follows/", wb.FollowList.as_view(), name="follows"),
    path("follows/<int:pk>/", wb.FollowDetail.as_view(), name="follow"),
    path("follows/<int:pk>/token/", wb.FollowToken.as_view(), name="follow_token"),
]

urlpatterns = [
    *workbench,
    path("search/", views.SearchView.as_view(), name="search"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves Swagger UI's set-up script from a URL: no inline script (CSP).
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="docs"),
    path("", include(router.urls)),
]
