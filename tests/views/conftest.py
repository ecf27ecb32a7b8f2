"""Reader-page tests start from an empty cache: facet counts cached by an earlier test whose
writes were rolled back must not be read back."""
import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()
    yield
    cache.clear()
