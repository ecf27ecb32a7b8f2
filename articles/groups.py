"""The two groups the site relies on: 编辑 (editors) and 会员 (members).

Migration 0002 creates them; ``ensure_groups()`` re-creates them where a database was
flushed (transactional tests) and is what ``setup_demo`` relies on.
"""
from django.contrib.auth.models import Group, Permission

EDITOR_GROUP = "编辑"
MEMBER_GROUP = "会员"


def ensure_groups() -> tuple[Group, Group]:
    """Return (editors, members), creating them, and the editors' permissions, if missing."""
    editors, created = Group.objects.get_or_create(name=EDITOR_GROUP)
    if created or not editors.permissions.exists():
        editors.permissions.set(Permission.objects.filter(content_type__app_label="articles"))
    members, _ = Group.objects.get_or_create(name=MEMBER_GROUP)
    return editors, members
