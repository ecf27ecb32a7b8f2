"""setup_demo gives the demo member a workbench to look at, once."""
from io import StringIO

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command

from articles.workbench.models import Clip, DraftItem, Folder

pytestmark = pytest.mark.django_db


def test_the_demo_member_has_a_folder_clips_and_a_draft_and_a_reader_account_exists():
    out = StringIO()
    call_command("setup_demo", stdout=out)
    call_command("setup_demo", stdout=StringIO())  # again: passwords reset, nothing doubled
    member = User.objects.get(username="member")
    assert Folder.objects.filter(owner=member).count() == 1
    assert Folder.objects.get(owner=member).items.count() == 3
    assert Clip.objects.filter(owner=member).count() == 2
    assert list(DraftItem.objects.filter(draft__owner=member).order_by("position")
                .values_list("kind", flat=True)) == ["heading", "clip", "clip"]
    reader = User.objects.get(username="reader")
    assert not reader.is_staff and not reader.groups.exists()
    assert "用户名 reader" in out.getvalue()
