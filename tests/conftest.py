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
