from django.urls import path

from . import views

app_name = "articles"

urlpatterns = [
    path("", views.home, name="home"),
    path("compilations/", views.compilation_list, name="compilation_list"),
    path("compilations/<int:pk>/", views.compilation_detail, name="compilation_detail"),
    path("articles/", views.article_list, name="list"),
    path("articles/<int:pk>/", views.article_detail, name="detail"),
    path("agencies/<int:pk>/", views.agency_detail, name="agency"),
    # Tag slugs are Chinese; <str:> accepts them where <slug:> would not.
    path("themes/<str:slug>/", views.theme_detail, name="theme"),
    path("initiatives/<str:slug>/", views.initiative_detail, name="initiative"),
]
