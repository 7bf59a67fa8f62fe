import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture
def tiny(tmp_path):
    """Factory: write a tiny dataset and return a solve function for scenarios on it."""
    from tinydata import write_tiny_data

    def make(sites, substations, **kw):
        return write_tiny_data(tmp_path / "data", sites, substations, **kw)

    return make
