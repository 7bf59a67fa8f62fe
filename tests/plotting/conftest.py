import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def tn_plan():
    """The shipped small scenario, solved once per test session (about 2 s)."""
    import siting

    return siting.solve(REPO / "models" / "tennessee_small.yaml")


@pytest.fixture(scope="session")
def grid_plan():
    """Memphis, grid only: a plan with an interconnection (site → substation)."""
    import siting
    from siting.scenario import load_scenario

    sc = load_scenario(REPO / "models" / "memphis_300mw_fast.yaml")
    sc = sc.model_copy(update={"power_options": ["utility_tariff"], "name": "memphis_grid_only"})
    return siting.solve(sc)


@pytest.fixture(scope="session")
def tn_map(tn_plan, tmp_path_factory):
    """``map.html`` of the Tennessee plan, written by the same writer as the command line."""
    from siting.plotting import figure_writers

    path = tmp_path_factory.mktemp("map") / "map.html"
    figure_writers(tn_plan)["map.html"](path)
    return path
