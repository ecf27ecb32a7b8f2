from django.urls import path

from .feeds import FollowFeed, LatestArticlesFeed
from .pagecache import anonymous_page_cache
from .views import downloads, reader, workbench

app_name = "articles"

urlpatterns = [
    path("", reader.home, name="home"),
    path("compilations/", reader.compilation_list, name="compilation_list"),
    path("compilations/<int:pk>/", reader.compilation_detail, name="compilation_detail"),
    path(
        "compilations/<int:pk>/download.<str:fmt>",
        downloads.compilation_download,
        name="compilation_download",
    ),
    path("articles/", reader.article_list, name="list"),
    path("articles/<int:pk>/", reader.article_detail, name="detail"),
    path("articles/<int:pk>/download.<str:fmt>", downloads.article_download, name="download"),
    path("search/", reader.search, name="search"),
    path("agencies/", reader.agency_index, name="agency_index"),
    path("agencies/<int:pk>/", reader.agency_detail, name="agency"),
    # Tag slugs are Chinese; <str:> accepts them where <slug:> would not.
    path("themes/", reader.theme_index, name="theme_index"),
    path("themes/<str:slug>/", reader.theme_detail, name="theme"),
    path("initiatives/", reader.initiative_index, name="initiative_index"),
    path("initiatives/<str:slug>/", reader.initiative_detail, name="initiative"),
    path("feed/", anonymous_page_cache(LatestArticlesFeed()), name="feed"),
    path("feeds/follow/<str:token>/", FollowFeed(), name="follow_feed"),
    # The reader's workbench (signed-in readers only).
    path("workbench/", workbench.home, name="workbench"),
    path("workbench/folders/<int:pk>/", workbench.folder, name="workbench_folder"),
    path("workbench/clips/", workbench.clips, name="workbench_clips"),
    path("workbench/drafts/<int:pk>/", workbench.draft, name="workbench_draft"),
    path("workbench/follows/<int:pk>/", workbench.follow, name="workbench_follow"),
]
