"""Start-up checks an operator needs before the first request (``manage.py check``, and
gunicorn's start, ``deploy/gunicorn.conf.py``)."""
from django.conf import settings
from django.core.checks import Error, register


def static_manifest_missing() -> str | None:
    """Why hashed static files cannot be served (no ``collectstatic`` with ``DEBUG=0``), or
    None."""
    from django.contrib.staticfiles.storage import ManifestFilesMixin
    from django.core.files.storage import storages

    storage = storages["staticfiles"]
    if not isinstance(storage, ManifestFilesMixin) or storage.exists(storage.manifest_name):
        return None
    return (f"DEBUG=0 but the static files are not collected ({storage.manifest_name} is not in"
            f" {settings.STATIC_ROOT}): run python manage.py collectstatic --noinput")


@register("huibian", deploy=True)  # with --deploy only: collectstatic and migrate must run
def check_static_collected(app_configs, **kwargs):
    problem = static_manifest_missing()
    return [Error(problem, id="huibian.E001")] if problem else []
