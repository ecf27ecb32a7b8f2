"""``bench_load`` runs: gunicorn started on the test database, a short mix, figures per kind,
no error; an import during the load finishes and the readers see no error."""
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

pytestmark = pytest.mark.usefixtures("seeded_transactional_db")


def test_a_short_load_reports_every_kind_and_no_error():
    out = StringIO()
    call_command("bench_load", build=150, seconds=3, workers=2, clients=3,
                 import_articles=30, stdout=out)
    text = out.getvalue()
    assert " 0 errors" in text, text
    for kind in ("home", "list", "article", "search-rare", "api-search", "feed", "all"):
        assert f"\n{kind} " in text, (kind, text)
    assert "import of 30 articles during the load" in text and ", ok" in text, text


def test_an_empty_library_is_refused_with_a_message():
    with pytest.raises(CommandError, match="fewer than 100 published articles"):
        call_command("bench_load", seconds=1, stdout=StringIO())


def test_the_mix_can_be_narrowed_to_some_kinds_and_unknown_kinds_are_refused():
    out = StringIO()
    call_command("bench_load", build=150, seconds=2, workers=1, clients=2, kinds="home,feed",
                 stdout=out)
    text = out.getvalue()
    assert " 0 errors" in text and "\nhome " in text and "\nfeed " in text, text
    assert "\narticle " not in text and "\nlist " not in text, text
    with pytest.raises(CommandError, match="Unknown page kinds homepage"):
        call_command("bench_load", seconds=1, kinds="homepage,feed", stdout=StringIO())
