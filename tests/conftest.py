"""Shared test configuration: where the real sample lives."""
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SAMPLES = REPO.parent / "shared" / "samples"
FIXTURES = Path(__file__).resolve().parent / "fixtures"


@pytest.fixture
def sample_path():
    """The real compilation in ../shared/samples/, or a skip saying why there is none."""
    paths = sorted(SAMPLES.glob("*.txt")) if SAMPLES.is_dir() else []
    if not paths:
        pytest.skip(f"no real sample: {SAMPLES} is absent or holds no .txt file")
    return paths[0]


@pytest.fixture(scope="session", autouse=True)
def close_search_readers(django_db_setup):
    """The SQLite search backend's pool connections are closed before the test database
    file is removed, so SQLite removes its write-ahead log and shared-memory files too."""
    yield
    from articles.search import sqlite

    sqlite.close_readers()


@pytest.fixture
def seeded_transactional_db(transactional_db):
    """A committed-data database holding what the migrations seed (the groups, the theme
    vocabulary, the library state row), for tests whose server runs in another process.
    Used instead of serialized_rollback, whose restore collides with the content types a
    live-server test's teardown leaves (pytest-django)."""
    import importlib

    from django.apps import apps

    from articles.groups import ensure_groups

    ensure_groups()
    seeds = importlib.import_module("articles.migrations.0001_squashed_0012_agency_alias")
    for seed in (seeds.seed_themes, seeds.create_library_state):  # get_or_create: idempotent
        seed(apps, None)


@pytest.fixture(autouse=True)
def fresh_page_cache():
    """Each test starts with no cached anonymous page (``articles.pagecache``): a page cached
    by an earlier test of the same library version would answer instead of the view."""
    from django.core.cache import caches

    caches["pages"].clear()
    yield
