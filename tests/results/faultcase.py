"""A tiny scenario for the fault tests: six sites, three substations, 7 MW phases, 260 MW due in 2027.

The substation headrooms (77, 108, 139 MW) and site sizes (37 … 102 MW) are not multiples of the phase, so
the LP relaxation is fractional and HiGHS needs a few steps to prove the optimum; its first incumbent is
the empty plan (nothing built, all 260 MW short in every year).
"""

from __future__ import annotations

from pathlib import Path

import yaml
from tinydata import write_tiny_data, zone

import siting
from siting.data.paths import DEFAULT_FILES

SITES = [
    {
        "site_id": f"s{i}",
        "name": f"S{i}",
        "lat": 35.0 + 0.05 * i,
        "lon": -90.0 + 0.07 * i,
        "max_it_mw": 37 + 13 * i,
        "land_cost_usd_per_acre": 1000.0 * i,
    }
    for i in range(6)
]
SUBSTATIONS = [
    {"substation_id": j, "lat": 35.0 + 0.1 * j, "lon": -90.0 + 0.1 * j, "headroom_mw": 77 + 31 * j}
    for j in range(3)
]
TARGET_MW = 260.0
#: value of lost compute (USD per MW-year, the scenario default) and the discount rate
VOLL, RATE = 10.0e6, 0.07
#: PV of the empty plan: 260 MW short in each of 2027–2030, discounted to the 2026 decision
EMPTY_PLAN_USD = TARGET_MW * VOLL * sum((1 + RATE) ** -k for k in range(1, 5))

FIELDS = {
    "name": "faults",
    "decision_year": 2026,
    "horizon": {"first_year": 2027, "last_year": 2030},
    "phase_mw": 7,
    "targets_it_mw": {2027: TARGET_MW},
    "min_sites": 0,
    "power_options": ["utility_tariff"],
    "solver": {"time_limit_seconds": 60, "mip_gap": 1e-6},
    "time_steps": {"quarterly_months": 0},
}


def write_data(directory: Path) -> Path:
    """The tiny data layers of this case in ``directory``."""
    return write_tiny_data(directory, SITES, SUBSTATIONS, zones=[zone(1, "A", 1.0)])


def scenario(**solver) -> siting.Scenario:
    """The case as a Scenario object (solver fields overridden by ``solver``)."""
    return siting.Scenario(**{**FIELDS, "solver": {**FIELDS["solver"], **solver}})


def write_yaml(directory: Path, **solver) -> Path:
    """The case as a scenario YAML whose ``data:`` section points at the layers in ``directory/data``."""
    data = write_data(directory / "data")
    (data / "supply_chain.csv").write_text("option_id,year,max_new_mw_per_year,source,flag\n")  # no caps
    fields = {**FIELDS, "solver": {**FIELDS["solver"], **solver}}
    fields["data"] = {k: str(data / f) for k, f in DEFAULT_FILES.items() if (data / f).exists()}
    path = directory / "faults.yaml"
    path.write_text(yaml.safe_dump(fields, sort_keys=False))
    return path
