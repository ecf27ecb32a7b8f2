"""JSON search API (placeholder until the search work lands)."""
from django.http import JsonResponse


def search(request):
    return JsonResponse({"query": "", "total": 0, "results": []})
