"""What a reader sees when django-axes has locked a login (``AXES_LOCKOUT_CALLABLE``)."""
from django.conf import settings
from django.shortcuts import render


def locked_out(request, original_response=None, credentials=None):
    """A Chinese page (HTTP 429) saying why and for how long."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return render(request, "registration/locked_out.html",
                  {"failure_limit": settings.AXES_FAILURE_LIMIT, "minutes": minutes}, status=429)
