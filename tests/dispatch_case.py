"""The dispatch case: one 100-MW site in 2027 (one yearly step) on the tiny dataset, grid + engines + solar PPA
under a carbon cap, solved at monthly or representative-day resolution.

By hand (tests/tinydata.py: PUE 1.07, IT utilisation 1): the facility load is 100 × 1.07 = 107 MW in every
period. Engines (30 $/MWh fuel + 2,000 $/kW ≈ 51.5 $/MWh at full output) beat the 60 $/MWh tariff, but the
cap of 150,000 tCO2/year at 530.6 kg/MWh limits them to 150,000 / 0.5306 = 282,699 MWh, i.e. 32.2716 MW
all year (flat: a flat output needs the fewest MW of engines). The grid supplies the other 74.7284 MW;
its 500 kg/MWh are claimed against a solar PPA in the zone, so the PPA's contracted output over the year
equals the grid MWh (each contracted MWh costs money, and the claims need exactly that many).
"""

from __future__ import annotations

from pathlib import Path

from tinydata import POWER, write_tiny_data, zone

import siting

CAP_T = 150_000.0
GAS_CO2_T_PER_MWH = 0.5306
HOURS = 8760.0
LOAD_MW = 100 * 1.07
GAS_MW = CAP_T / (GAS_CO2_T_PER_MWH * HOURS)  # 32.2716 MW
GRID_MW = LOAD_MW - GAS_MW  # 74.7284 MW
SITE = [{"site_id": "m", "name": "M", "lat": 35.0, "lon": -90.0}]
SUB = [{"substation_id": 1, "lat": 35.0, "lon": -90.0, "headroom_mw": 500}]
REP_DAYS = 3


def write_data(directory: Path) -> Path:
    """The tiny layers with one site and substation in a zone whose interconnection takes no time."""
    return write_tiny_data(directory, SITE, SUB, zones=[zone(1, "Z", 0.0)], power=POWER)


def scenario(representative_days: int = 0) -> siting.Scenario:
    """100 MW due on 1 January 2027, horizon 2027 (one yearly step), monthly periods or rep. days."""
    fields = dict(
        name="dispatch",
        decision_date="2026-01-01",
        horizon={"first_year": 2027, "last_year": 2027},
        phase_mw=50,
        targets_it_mw={2027: 100},
        min_sites=0,
        power_options=["utility_tariff", "onsite_gas", "solar_ppa"],
        carbon_cap_tco2_per_year=CAP_T,
        time_steps={"quarterly_months": 0},
        solver={"time_limit_seconds": 60, "mip_gap": 1e-7, "warm_start_sites": 0},
    )
    if representative_days:
        fields["time_resolution"] = {"kind": "representative_days", "n_days": representative_days}
    return siting.Scenario(**fields)
