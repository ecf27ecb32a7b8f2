"""Article and compilation downloads (placeholder until the exports work lands)."""
from django.http import Http404


def article_download(request, pk, fmt):
    raise Http404


def compilation_download(request, pk, fmt):
    raise Http404
