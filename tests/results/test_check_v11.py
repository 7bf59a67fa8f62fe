"""check_plan on small hand-made plan directories (format 1.0 and 1.1), written without the model.

``write_plan_v11`` writes a consistent plan with two sites over five dated steps:

* ``memphis-a``: P1 (50 MW, grid, online 2026-05-01) and P2 (50 MW, grid + on-site gas, online
  2027-01-01), one connection of 80 MW (60 firm + 20 standby) to substation 101, energized 2026-05-01;
* ``nash-b``: P1 (50 MW, on-site gas + battery only, online 2028-01-01).

Tests change one file after writing to break one invariant.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from siting.results.check import check_plan

DECISION = "2026-01-01"
STEP_BOUNDS = ["2026-01-01", "2026-05-01", "2026-07-01", "2027-01-01", "2028-01-01", "2029-01-01"]
TARGET_DATES = {"2026-05-01": 50.0, "2027-01-01": 100.0}
PUE_PEAK = 1.2
COSTS = {
    "land": 1e6,
    "construction": 5e8,
    "interconnection": 2e7,
    "onsite_generation": 3e7,
    "energy": 2e8,
    "contracts": 1e7,
    "operations": 5e7,
    "shortfall_penalty": 0.0,
}

#: per site and step index: it_mw, grid_mw, onsite_gas_mw, battery_mw
STATE = {
    "memphis-a": [(0, 0, 0, 0), (50, 60, 0, 0), (50, 60, 0, 0), (100, 80, 50, 0), (100, 80, 50, 0)],
    "nash-b": [(0, 0, 0, 0), (0, 0, 0, 0), (0, 0, 0, 0), (0, 0, 0, 0), (50, 0, 60, 10)],
}
FIRM_SHARE_GAS = 0.9
V10_CONTRACT_COLUMNS = [
    "contract_id",
    "kind",
    "site_id",
    "zone",
    "mw",
    "start_year",
    "end_year",
    "price_usd_per_mwh",
    "annual_mwh",
]


def _steps() -> pd.DataFrame:
    """Step start, end, years and hours."""
    b = pd.to_datetime(pd.Series(STEP_BOUNDS))
    steps = pd.DataFrame({"start": b[:-1].to_numpy(), "end": b[1:].to_numpy()})
    days = (steps["end"] - steps["start"]).dt.days
    steps["years"] = days / 365.25
    steps["hours"] = days * 24.0
    return steps


def capacity_steps() -> pd.DataFrame:
    """capacity_steps.csv of the 1.1 plan (dates as ISO strings)."""
    steps = _steps()
    rows = []
    for site, states in STATE.items():
        for (_, st), (it, grid, gas, bat) in zip(steps.iterrows(), states, strict=True):
            rows.append(
                {
                    "site_id": site,
                    "step_start": st["start"].strftime("%Y-%m-%d"),
                    "step_end": st["end"].strftime("%Y-%m-%d"),
                    "step_years": st["years"],
                    "year": st["start"].year,
                    "it_mw": float(it),
                    "facility_mw": it * PUE_PEAK,
                    "grid_mw": float(grid),
                    "onsite_gas_mw": float(gas),
                    "battery_mw": float(bat),
                    "battery_mwh": 4.0 * bat,
                    "firm_supply_mw": grid + FIRM_SHARE_GAS * gas + bat,
                    "grid_mwh": 0.5 * grid * st["hours"],
                    "onsite_mwh": 0.5 * gas * st["hours"],
                    "battery_discharge_mwh": 0.1 * bat * st["hours"],
                }
            )
    return pd.DataFrame(rows)


def capacity_years(cs: pd.DataFrame) -> pd.DataFrame:
    """capacity.csv from capacity_steps: MW at the year's first step, MWh summed over the year."""
    first = cs.sort_values("step_start").drop_duplicates(["site_id", "year"]).set_index(["site_id", "year"])
    mwh = cs.groupby(["site_id", "year"])[["grid_mwh", "onsite_mwh"]].sum()
    cap = first[["it_mw", "facility_mw", "grid_mw", "onsite_gas_mw", "battery_mw"]].copy()
    cap["pue"] = 1.15
    cap["pue_peak"] = PUE_PEAK
    cap["onsite_mw"] = cap["onsite_gas_mw"] + cap["battery_mw"]
    return cap.join(mwh).reset_index()


def _task(phase, milestone, start, end, deps, mw, online, detail=""):
    site = phase.rsplit("-P", 1)[0]
    return {
        "site_id": site,
        "phase": phase,
        "task_id": f"{phase}:{milestone}",
        "milestone": milestone,
        "start": start,
        "end": end,
        "depends_on": ";".join(f"{phase}:{d}" for d in deps),
        "it_mw": mw,
        "online_year": int(online[:4]),
        "online_date": online,
        "detail": detail,
    }


def timeline() -> pd.DataFrame:
    """timeline.csv of the 1.1 plan: three phases, a task graph each."""
    a1, a2, b1 = "memphis-a-P1", "memphis-a-P2", "nash-b-P1"
    rows = [
        _task(a1, "permitting", DECISION, "2026-03-01", [], 50, "2026-05-01"),
        _task(a1, "construction", "2026-03-01", "2026-05-01", ["permitting"], 50, "2026-05-01"),
        _task(a1, "interconnection_study", DECISION, "2026-02-01", [], 50, "2026-05-01", "substation 101"),
        _task(a1, "interconnection_facilities", "2026-02-01", "2026-05-01", ["interconnection_study"], 50,
              "2026-05-01", "substation 101"),
        _task(a1, "energization", "2026-05-01", "2026-05-01", ["construction", "interconnection_facilities"], 50,
              "2026-05-01"),
        _task(a2, "permitting", DECISION, "2026-03-01", [], 50, "2027-01-01"),
        _task(a2, "construction", "2026-07-01", "2027-01-01", ["permitting"], 50, "2027-01-01"),
        _task(a2, "interconnection_study", DECISION, "2026-02-01", [], 50, "2027-01-01", "substation 101"),
        _task(a2, "interconnection_facilities", "2026-10-01", "2027-01-01", ["interconnection_study"], 50,
              "2027-01-01", "substation 101"),
        _task(a2, "equipment_order", "2026-02-01", "2026-03-01", [], 50, "2027-01-01", "gas_recip"),
        _task(a2, "equipment_delivery", "2026-03-01", "2026-12-01", ["equipment_order"], 50, "2027-01-01"),
        _task(a2, "commissioning", "2026-12-01", "2027-01-01", ["equipment_delivery", "permitting"], 50,
              "2027-01-01"),
        _task(a2, "energization", "2027-01-01", "2027-01-01",
              ["construction", "interconnection_facilities", "commissioning"], 50, "2027-01-01"),
        _task(b1, "permitting", DECISION, "2026-09-01", [], 50, "2028-01-01"),
        _task(b1, "construction", "2026-09-01", "2028-01-01", ["permitting"], 50, "2028-01-01"),
        _task(b1, "equipment_order", "2026-06-01", "2026-07-01", [], 50, "2028-01-01", "gas_recip+battery_4h"),
        _task(b1, "equipment_delivery", "2026-07-01", "2027-10-01", ["equipment_order"], 50, "2028-01-01"),
        _task(b1, "commissioning", "2027-10-01", "2028-01-01", ["equipment_delivery", "permitting"], 50,
              "2028-01-01"),
        _task(b1, "energization", "2028-01-01", "2028-01-01", ["construction", "commissioning"], 50, "2028-01-01"),
    ]  # fmt: skip
    return pd.DataFrame(rows)


def interconnections() -> pd.DataFrame:
    """One 80 MW connection (60 firm + 20 standby) of memphis-a to substation 101."""
    return pd.DataFrame(
        [
            {
                "site_id": "memphis-a",
                "substation_id": 101,
                "voltage_kv": 161.0,
                "distance_km": 3.2,
                "capacity_mw": 80.0,
                "substation_headroom_mw": 200.0,
                "cost_usd": 2e7,
                "available_year": 2026,
                "circuits": 2,
                "energization_date": "2026-05-01",
                "firm_mw": 60.0,
                "standby_mw": 20.0,
            }
        ]
    )


def contracts() -> pd.DataFrame:
    """A tariff, owned gas and battery, and a zonal solar PPA."""
    base = {
        "site_id": None,
        "zone": 3,
        "salvage_usd": None,
        "end_reason": None,
        "demand_charge_usd_per_kw_month": None,
        "min_take_fraction": None,
        "standby_charge_usd_per_kw_month": None,
        "end_year": 2028,
        "end_date": "2029-01-01",
    }
    return pd.DataFrame(
        [
            {**base, "contract_id": "tariff-memphis-a", "kind": "utility_tariff", "site_id": "memphis-a",
             "mw": 80.0, "start_year": 2026, "start_date": "2026-05-01", "price_usd_per_mwh": 70.0,
             "annual_mwh": 3.5e5, "demand_charge_usd_per_kw_month": 12.0, "min_take_fraction": 0.6,
             "standby_charge_usd_per_kw_month": 3.0},
            {**base, "contract_id": "gas_recip-memphis-a-1", "kind": "onsite_gas", "site_id": "memphis-a",
             "mw": 50.0, "start_year": 2027, "start_date": "2027-01-01", "price_usd_per_mwh": 45.0,
             "annual_mwh": 2.2e5, "end_reason": "horizon", "salvage_usd": 1.5e7},
            {**base, "contract_id": "battery_4h-nash-b-1", "kind": "battery", "site_id": "nash-b", "mw": 10.0,
             "start_year": 2028, "start_date": "2028-01-01", "price_usd_per_mwh": None, "annual_mwh": 0.0,
             "end_reason": "returned", "salvage_usd": 0.0},
            {**base, "contract_id": "solar_ppa-z3-1", "kind": "solar_ppa", "mw": 40.0, "start_year": 2027,
             "start_date": "2027-01-01", "price_usd_per_mwh": 38.0, "annual_mwh": 9e4},
        ]
    )  # fmt: skip


def sites_geojson(final_mw: dict[str, float]) -> dict:
    """Two chosen sites as GeoJSON points."""
    coords = {"memphis-a": (-90.0, 35.1), "nash-b": (-86.8, 36.2)}
    subs = {"memphis-a": 101, "nash-b": None}
    first = {"memphis-a": 2026, "nash-b": 2028}
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {
                    "site_id": s,
                    "name": s.title(),
                    "zone": 3,
                    "it_mw": final_mw[s],
                    "first_online_year": first[s],
                    "substation_id": subs[s],
                    "pue_peak": PUE_PEAK,
                },
                "geometry": {"type": "Point", "coordinates": list(coords[s])},
            }
            for s in coords
        ],
    }


def plan_meta(cs: pd.DataFrame) -> dict:
    """plan.json of the 1.1 plan, consistent with ``capacity_steps``."""
    steps = _steps()
    online = cs.groupby("step_start")["it_mw"].sum()
    targets = pd.Series(TARGET_DATES)
    records = []
    for st in steps.itertuples():
        start = st.start.strftime("%Y-%m-%d")
        held = targets[targets.index <= start]
        target = float(held.iloc[-1]) if len(held) else 0.0
        grid_mwh = float(cs.loc[cs["step_start"] == start, "grid_mwh"].sum())
        records.append(
            {
                "start": start,
                "end": st.end.strftime("%Y-%m-%d"),
                "years": st.years,
                "target_it_mw": target,
                "it_mw_online": float(online[start]),
                "shortfall_it_mw": max(0.0, target - float(online[start])),
                "emissions_tco2": 0.4 * grid_mwh,
            }
        )
    steps_df = pd.DataFrame(records)
    steps_df["y"] = steps_df["start"].str[:4]
    first = steps_df.drop_duplicates("y").set_index("y")
    return {
        "format_version": "1.1",
        "scenario": "hand_made",
        "status": "optimal",
        "objective_usd": sum(COSTS.values()),
        "mip_gap": 0.0,
        "solve_seconds": 1.0,
        "currency_year": 2025,
        "costs_usd": COSTS,
        "decision_date": DECISION,
        "target_dates_it_mw": TARGET_DATES,
        "steps": records,
        "targets_it_mw": first["target_it_mw"].to_dict(),
        "it_mw_online": first["it_mw_online"].to_dict(),
        "shortfall_it_mw": first["shortfall_it_mw"].to_dict(),
        "emissions_tco2": steps_df.groupby("y")["emissions_tco2"].sum().to_dict(),
        "energy_share": {"grid": 0.6, "onsite": 0.3, "ppa": 0.1},
        "emissions_definition": "location-based: grid MWh × zone average intensity + on-site fuel combustion",
        "model_size": {"variables": 10, "integer_variables": 2, "constraints": 12, "nonzeros": 40},
        "versions": {"siting": "test"},
        "inputs_sha256": {},
    }


def write_plan_v11(directory: Path) -> Path:
    """Write the consistent 1.1 plan into ``directory`` (created) and return it."""
    directory.mkdir(parents=True, exist_ok=True)
    cs = capacity_steps()
    final = cs[cs["step_start"] == cs["step_start"].max()].set_index("site_id")["it_mw"].to_dict()
    (directory / "plan.json").write_text(json.dumps(plan_meta(cs), indent=2))
    (directory / "sites.geojson").write_text(json.dumps(sites_geojson(final)))
    cs.to_csv(directory / "capacity_steps.csv", index=False)
    capacity_years(cs).to_csv(directory / "capacity.csv", index=False)
    interconnections().to_csv(directory / "interconnections.csv", index=False)
    contracts().to_csv(directory / "contracts.csv", index=False)
    timeline().to_csv(directory / "timeline.csv", index=False)
    return directory


def write_plan_v10(directory: Path) -> Path:
    """Write a consistent 1.0 plan: one grid-connected site, two yearly phases, the old five milestones."""
    directory.mkdir(parents=True, exist_ok=True)
    meta = {
        "format_version": "1.0",
        "scenario": "hand_made_v10",
        "status": "optimal",
        "objective_usd": sum(COSTS.values()),
        "mip_gap": 0.0,
        "solve_seconds": 1.0,
        "currency_year": 2025,
        "costs_usd": COSTS,
        "targets_it_mw": {"2026": 0.0, "2027": 50.0, "2028": 100.0},
        "it_mw_online": {"2026": 0.0, "2027": 50.0, "2028": 100.0},
        "shortfall_it_mw": {"2026": 0.0, "2027": 0.0, "2028": 0.0},
        "emissions_tco2": {"2026": 0.0, "2027": 1e5, "2028": 2e5},
        "model_size": {"variables": 10, "integer_variables": 2, "constraints": 12, "nonzeros": 40},
        "versions": {"siting": "test"},
        "inputs_sha256": {},
    }
    (directory / "plan.json").write_text(json.dumps(meta))
    (directory / "sites.geojson").write_text(json.dumps(sites_geojson({"memphis-a": 100.0, "nash-b": 0.0})))
    pd.DataFrame(
        {
            "site_id": "memphis-a",
            "year": [2026, 2027, 2028],
            "it_mw": [0.0, 50.0, 100.0],
            "facility_mw": [0.0, 60.0, 120.0],
            "pue": 1.15,
            "grid_mw": [0.0, 60.0, 120.0],
            "onsite_mw": 0.0,
        }
    ).to_csv(directory / "capacity.csv", index=False)
    inter = interconnections()[[c for c in interconnections().columns if c not in ("circuits", "firm_mw")]]
    inter.assign(capacity_mw=120.0, available_year=2027).to_csv(
        directory / "interconnections.csv", index=False
    )
    contracts()[V10_CONTRACT_COLUMNS].to_csv(directory / "contracts.csv", index=False)
    rows = []
    for phase, year in (("memphis-a-P1", 2027), ("memphis-a-P2", 2028)):
        on = f"{year}-01-01"
        for ms, start, end in (
            ("permitting", DECISION, "2026-06-01"),
            ("interconnection", DECISION, "2026-12-01"),
            ("construction", "2026-06-01", on),
            ("energization", on, on),
        ):
            rows.append({"site_id": "memphis-a", "phase": phase, "milestone": ms, "start": start, "end": end,
                         "it_mw": 50.0, "online_year": year, "detail": ""})  # fmt: skip
    pd.DataFrame(rows).to_csv(directory / "timeline.csv", index=False)
    return directory


# =========================================================================== tests
def _edit_csv(path: Path, fn) -> None:
    """Read a CSV, change it with ``fn(df)`` (in place, or returning the new frame), write it back."""
    df = pd.read_csv(path)
    new = fn(df)
    (df if new is None else new).to_csv(path, index=False)


def _edit_json(path: Path, fn) -> None:
    meta = json.loads(path.read_text())
    fn(meta)
    path.write_text(json.dumps(meta))


@pytest.fixture
def plan_dir(tmp_path):
    return write_plan_v11(tmp_path / "plan")


def test_valid_v11_plan_passes(plan_dir):
    assert check_plan(plan_dir) == []


def test_valid_v10_plan_still_passes(tmp_path):
    assert check_plan(write_plan_v10(tmp_path / "old")) == []


def test_v10_plan_keeps_the_old_checks(tmp_path):
    d = write_plan_v10(tmp_path / "old")

    def late_permit(df):
        df.loc[df["milestone"] == "permitting", "end"] = "2029-01-01"

    _edit_csv(d / "timeline.csv", late_permit)
    assert any("energization before the end of permitting" in p for p in check_plan(d))


def test_task_starting_before_its_predecessor_ends_fails(plan_dir):
    def early(df):
        df.loc[df["task_id"] == "memphis-a-P2:construction", "start"] = "2026-02-01"

    _edit_csv(plan_dir / "timeline.csv", early)
    problems = check_plan(plan_dir)
    assert any(
        "memphis-a-P2:construction: starts 2026-02-01 before memphis-a-P2:permitting" in p for p in problems
    )


def test_dangling_dependency_fails(plan_dir):
    def dangle(df):
        i = df.index[df["task_id"] == "nash-b-P1:energization"][0]
        df.loc[i, "depends_on"] = df.loc[i, "depends_on"] + ";nash-b-P1:interconnection_facilities"

    _edit_csv(plan_dir / "timeline.csv", dangle)
    problems = check_plan(plan_dir)
    assert any("depends on nash-b-P1:interconnection_facilities, which is not a task" in p for p in problems)


def test_dependency_on_another_phase_is_dangling(plan_dir):
    def cross(df):
        df.loc[df["task_id"] == "memphis-a-P2:construction", "depends_on"] = "memphis-a-P1:permitting"

    _edit_csv(plan_dir / "timeline.csv", cross)
    problems = check_plan(plan_dir)
    assert any("which is not a task of memphis-a-P2" in p for p in problems)
    assert any("construction does not depend on a permitting task" in p for p in problems)


def test_energization_must_be_zero_length_on_online_date(plan_dir):
    def stretch(df):
        df.loc[df["task_id"] == "memphis-a-P1:energization", "end"] = "2026-05-02"

    _edit_csv(plan_dir / "timeline.csv", stretch)
    assert any("energization start/end is not the online_date" in p for p in check_plan(plan_dir))


def test_unknown_milestone_fails(plan_dir):
    def rename(df):
        df["milestone"] = df["milestone"].replace("equipment_order", "order")

    _edit_csv(plan_dir / "timeline.csv", rename)
    assert any("unknown milestones ['order']" in p for p in check_plan(plan_dir))


def _step_it_mw(df):
    df.loc[(df["site_id"] == "memphis-a") & (df["step_start"] == "2027-01-01"), "it_mw"] = 90.0


def _yearly_grid_mw(df):
    df.loc[df["year"] == 2027, "grid_mw"] += 5.0


def _grid_energy(df):
    df["grid_mwh"] *= 3.0


def _firm_supply(df):
    df["firm_supply_mw"] += 30.0


def _facility(df):
    df["facility_mw"] *= 0.9


@pytest.mark.parametrize(
    ("file", "edit", "expected"),
    [
        # one capacity number edited: step sums, phases and capacity.csv no longer agree
        (
            "capacity_steps.csv",
            _step_it_mw,
            "step 2027-01-01: it_mw_online 100.0 != sum of capacity_steps.it_mw",
        ),
        ("capacity.csv", _yearly_grid_mw, "grid_mw 85.0 != 80.0 from capacity_steps.csv"),
        ("capacity_steps.csv", _grid_energy, "grid_mwh"),
        ("capacity_steps.csv", _firm_supply, "firm_supply_mw"),
        ("capacity_steps.csv", _facility, "!= it_mw × pue_peak"),
    ],
    ids=["step-it-mw", "yearly-grid-mw", "grid-energy", "firm-supply", "facility"],
)
def test_tampered_capacity_fails(plan_dir, file, edit, expected):
    _edit_csv(plan_dir / file, edit)
    problems = check_plan(plan_dir)
    assert any(expected in p for p in problems), problems


def test_tampered_step_totals_fail(plan_dir):
    def tamper(meta):
        meta["steps"][3]["emissions_tco2"] += 1000.0
        meta["steps"][1]["it_mw_online"] = 20.0

    _edit_json(plan_dir / "plan.json", tamper)
    problems = check_plan(plan_dir)
    assert any("emissions_tco2[2027]" in p for p in problems)
    assert any("step 2026-05-01: it_mw_online 20.0 != sum" in p for p in problems)
    assert any("it_mw_online 20.0 + shortfall 0.0 < target 50.0" in p for p in problems)


def test_steps_must_be_consecutive_from_the_decision_date(plan_dir):
    def gap(meta):
        meta["steps"][1]["start"] = "2026-05-15"
        meta["decision_date"] = "2025-12-01"

    _edit_json(plan_dir / "plan.json", gap)
    problems = check_plan(plan_dir)
    assert any("not on start_date 2025-12-01" in p for p in problems)
    assert any("is not followed by the next step" in p for p in problems)


def test_grid_before_energization_fails(plan_dir):
    def early(df):
        df.loc[df["energization_date"] == "2026-05-01", "energization_date"] = "2026-07-01"
        df["available_year"] = 2026

    _edit_csv(plan_dir / "interconnections.csv", early)
    problems = check_plan(plan_dir)
    assert any("memphis-a 2026-05-01: grid_mw 60.000 above the 0.000 MW" in p for p in problems)
    assert any("before its earliest energization_date" in p for p in problems)


def test_several_connections_per_site_share_headroom(plan_dir):
    def split(df):
        second = df.iloc[[0]].assign(substation_id=102, capacity_mw=30.0, firm_mw=30.0, standby_mw=0.0)
        other = df.iloc[[0]].assign(site_id="nash-b", capacity_mw=150.0, firm_mw=150.0, standby_mw=0.0)
        return pd.concat([df, second, other])

    _edit_csv(plan_dir / "interconnections.csv", split)
    problems = check_plan(plan_dir)
    assert any("substation 101: connections 230.000 MW exceed its headroom 200.000 MW" in p for p in problems)
    assert not any("substation 102" in p for p in problems)


def test_firm_plus_standby_and_contract_fields(plan_dir):
    def standby(df):
        df["standby_mw"] = 5.0

    def reason(df):
        df["end_reason"] = df["end_reason"].replace("returned", "lost")

    _edit_csv(plan_dir / "interconnections.csv", standby)
    _edit_csv(plan_dir / "contracts.csv", reason)
    problems = check_plan(plan_dir)
    assert any("capacity_mw != firm_mw + standby_mw" in p for p in problems)
    assert any("unknown end_reason 'lost'" in p for p in problems)


def test_phase_waiting_for_grid_needs_grid_capacity(plan_dir):
    def add_grid(df):
        i = df.index[df["task_id"] == "nash-b-P1:energization"][0]
        rows = df[
            df["task_id"].isin(
                ["memphis-a-P1:interconnection_study", "memphis-a-P1:interconnection_facilities"]
            )
        ]
        rows = rows.assign(
            site_id="nash-b",
            phase="nash-b-P1",
            task_id=rows["task_id"].str.replace("memphis-a", "nash-b"),
            depends_on=rows["depends_on"].fillna("").str.replace("memphis-a", "nash-b"),
            online_date="2028-01-01",
            online_year=2028,
        )
        df.loc[i, "depends_on"] += ";nash-b-P1:interconnection_facilities"
        return pd.concat([df, rows])

    _edit_csv(plan_dir / "timeline.csv", add_grid)
    problems = check_plan(plan_dir)
    assert problems == ["nash-b-P1: energization waits for the grid but the site has no grid_mw then"]


def test_unsupported_version(plan_dir):
    def bump(meta):
        meta["format_version"] = "2.0"

    _edit_json(plan_dir / "plan.json", bump)
    assert check_plan(plan_dir) == ["unsupported format_version '2.0'"]
