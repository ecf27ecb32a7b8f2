"""Reader pages (placeholder until the reader-site work lands)."""
from django.http import HttpResponse, HttpResponseNotFound, HttpResponseServerError
from django.shortcuts import get_object_or_404

from ..models import Agency, Article, Compilation, Initiative, Theme


def home(request):
    return HttpResponse("汇编库")


def compilation_list(request):
    return HttpResponse("汇编")


def compilation_detail(request, pk):
    return HttpResponse(get_object_or_404(Compilation, pk=pk).title)


def article_list(request):
    return HttpResponse("文章")


def article_detail(request, pk):
    return HttpResponse(get_object_or_404(Article.objects.published(), pk=pk).title)


def search(request):
    return HttpResponse("搜索")


def agency_index(request):
    return HttpResponse("机关")


def agency_detail(request, pk):
    return HttpResponse(get_object_or_404(Agency, pk=pk).name)


def theme_index(request):
    return HttpResponse("主题")


def theme_detail(request, slug):
    return HttpResponse(get_object_or_404(Theme, slug=slug).name)


def initiative_index(request):
    return HttpResponse("举措")


def initiative_detail(request, slug):
    return HttpResponse(get_object_or_404(Initiative, slug=slug).name)


def page_not_found(request, exception=None):
    return HttpResponseNotFound("页面不存在")


def server_error(request):
    return HttpResponseServerError("服务器出错")
