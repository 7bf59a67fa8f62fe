"""Check a plan directory against the invariants of the plan format, reading only the plan files.

This module deliberately imports nothing from the model: it is the verifier another tool would write.
It knows two versions of the format (``docs/plan-format.md``): 1.0 (yearly, five milestones) and 1.1
(dated steps, ``capacity_steps.csv``, a task graph in ``timeline.csv``); :func:`check_plan` branches on
``format_version`` in ``plan.json``.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np
import pandas as pd

# --------------------------------------------------------------------------- format 1.0
REQUIRED_META = (
    "format_version",
    "scenario",
    "status",
    "objective_usd",
    "mip_gap",
    "solve_seconds",
    "currency_year",
    "costs_usd",
    "targets_it_mw",
    "it_mw_online",
    "shortfall_it_mw",
    "emissions_tco2",
    "model_size",
    "versions",
    "inputs_sha256",
)
REQUIRED_COSTS = (
    "land",
    "construction",
    "interconnection",
    "onsite_generation",
    "energy",
    "contracts",
    "operations",
    "shortfall_penalty",
)
REQUIRED_COLUMNS = {
    "capacity.csv": ("site_id", "year", "it_mw", "facility_mw", "pue", "grid_mw", "onsite_mw"),
    "interconnections.csv": (
        "site_id",
        "substation_id",
        "voltage_kv",
        "distance_km",
        "capacity_mw",
        "substation_headroom_mw",
        "cost_usd",
        "available_year",
    ),
    "contracts.csv": (
        "contract_id",
        "kind",
        "site_id",
        "zone",
        "mw",
        "start_year",
        "end_year",
        "price_usd_per_mwh",
        "annual_mwh",
    ),
    "timeline.csv": ("site_id", "phase", "milestone", "start", "end", "it_mw"),
}
MILESTONES = {"permitting", "interconnection", "onsite_power", "construction", "energization"}
SITE_PROPERTIES = ("site_id", "name", "zone", "it_mw", "first_online_year", "substation_id")
STATUSES = ("optimal", "feasible", "infeasible", "error")

# --------------------------------------------------------------------------- format 1.1 additions
REQUIRED_META_V11 = (
    *REQUIRED_META,
    "decision_date",
    "target_dates_it_mw",
    "steps",
    "energy_share",
    "emissions_definition",
)
STEP_KEYS = ("start", "end", "years", "target_it_mw", "it_mw_online", "shortfall_it_mw", "emissions_tco2")
ENERGY_SHARE_KEYS = ("grid", "onsite", "ppa")
REQUIRED_COLUMNS_V11 = {
    "capacity.csv": REQUIRED_COLUMNS["capacity.csv"],
    "capacity_steps.csv": (
        "site_id",
        "step_start",
        "step_end",
        "step_years",
        "year",
        "it_mw",
        "facility_mw",
        "grid_mw",
        "onsite_gas_mw",
        "battery_mw",
        "battery_mwh",
        "firm_supply_mw",
        "grid_mwh",
        "onsite_mwh",
        "battery_discharge_mwh",
    ),
    "interconnections.csv": (
        *REQUIRED_COLUMNS["interconnections.csv"],
        "circuits",
        "energization_date",
        "firm_mw",
        "standby_mw",
    ),
    "contracts.csv": (
        *REQUIRED_COLUMNS["contracts.csv"],
        "start_date",
        "end_date",
        "end_reason",
        "salvage_usd",
        "demand_charge_usd_per_kw_month",
        "min_take_fraction",
        "standby_charge_usd_per_kw_month",
    ),
    "timeline.csv": (
        "site_id",
        "phase",
        "task_id",
        "milestone",
        "start",
        "end",
        "depends_on",
        "it_mw",
        "online_year",
        "online_date",
        "detail",
    ),
}
MILESTONES_V11 = {
    "permitting",
    "construction",
    "interconnection_study",
    "interconnection_facilities",
    "equipment_order",
    "equipment_delivery",
    "commissioning",
    "energization",
}
#: task milestone → milestones it must depend on (a task of each, in the same phase)
REQUIRED_PREDECESSORS = {
    "construction": ("permitting",),
    "interconnection_facilities": ("interconnection_study",),
    "equipment_delivery": ("equipment_order",),
    "commissioning": ("equipment_delivery",),
    "energization": ("construction",),
}
#: milestones that start on the decision date
START_ON_DECISION = ("permitting", "interconnection_study")
#: an energization depends on at least one of these (the power source of the phase)
POWER_READY = ("interconnection_facilities", "commissioning")
END_REASONS = {"retired", "returned", "sold", "horizon", "term"}
OWNED_KINDS = {"onsite_gas", "battery"}
HOURS_PER_DAY = 24.0
DAYS_PER_YEAR = 365.25

# --------------------------------------------------------------------------- integrity (any 1.x)
#: the plan's data files, whose sha256 ``plan.json`` records in ``files_sha256``
DATA_FILES = (
    "sites.geojson",
    "capacity.csv",
    "capacity_steps.csv",
    "interconnections.csv",
    "contracts.csv",
    "timeline.csv",
    "costs_by_year.csv",
    "candidates.csv",
    "serving.csv",
    "demand_regions.csv",
    "dispatch.csv",
)
#: plan.json keys that differ between two identical runs: the creation time and wall-clock durations;
#: ``plan_sha256`` does not cover them
VOLATILE_KEYS = ("created_utc", "solve_seconds", "timings_seconds")


# =========================================================================== entry point
def check_plan(directory: str | Path, tol_mw: float = 1e-3) -> list[str]:
    """Return the list of violated invariants (empty when the plan is consistent).

    The checks depend on ``format_version``: "1.0" plans get the 1.0 checks, "1.1" (and later 1.x)
    plans the 1.1 checks, which include every 1.0 invariant that still holds.

    Parameters
    ----------
    directory : path
        A plan directory.
    tol_mw : float
        Absolute tolerance for MW comparisons (solver tolerances are ~1e-6 relative); MWh and tCO2
        comparisons use it scaled by the hours of the step, USD ones a 1e-6 relative tolerance.
    """
    d = Path(directory)
    if not (d / "plan.json").exists():
        return ["missing files: ['plan.json']"]
    try:
        meta = json.loads((d / "plan.json").read_text())
    except json.JSONDecodeError as exc:
        return [f"plan.json is not valid JSON: {exc}"]
    version = _version_tuple(meta.get("format_version"))
    if version is None or version[0] != 1:
        return [f"unsupported format_version {meta.get('format_version')!r}"]
    problems = _integrity(d, meta)
    if version >= (1, 1):
        return problems + _check_v11(d, meta, tol_mw)
    return problems + _check_v10(d, meta, tol_mw)


def file_sha256(path: str | Path) -> str:
    """Hex sha256 of a file's bytes."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def plan_json_sha256(meta: dict) -> str:
    """Hex sha256 of ``plan.json``'s content: every key but ``plan_sha256`` and :data:`VOLATILE_KEYS`,
    as compact JSON with sorted keys (so the hash does not depend on indentation or key order)."""
    content = {k: v for k, v in meta.items() if k != "plan_sha256" and k not in VOLATILE_KEYS}
    text = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=True, allow_nan=False)
    return hashlib.sha256(text.encode()).hexdigest()


def _integrity(d: Path, meta: dict) -> list[str]:
    """``plan_sha256`` matches plan.json's content and ``files_sha256`` every listed file (when recorded)."""
    if "plan_sha256" not in meta and "files_sha256" not in meta:
        return []  # written before siting recorded hashes
    if "plan_sha256" not in meta or not isinstance(meta.get("files_sha256"), dict):
        return ["plan.json has one of plan_sha256 and files_sha256 but not both: it was edited by hand"]
    problems = []
    if plan_json_sha256(meta) != meta["plan_sha256"]:
        problems.append(
            "plan.json was changed after it was written: its content no longer matches plan_sha256 "
            "(a value was edited; re-solve, or restore the original file)"
        )
    for name, recorded in meta["files_sha256"].items():
        path = d / name
        if not path.is_file():
            problems.append(f"{name} is listed in plan.json files_sha256 but is missing")
        elif file_sha256(path) != recorded:
            problems.append(
                f"{name} was changed after the plan was written: its sha256 {file_sha256(path)[:12]}… "
                f"differs from {str(recorded)[:12]}… recorded in plan.json files_sha256"
            )
    missing = [n for n in DATA_FILES if n not in meta["files_sha256"] and (d / n).exists()]
    problems += [f"{n} is not listed in plan.json files_sha256 (added or renamed by hand)" for n in missing]
    return problems


def _version_tuple(version: object) -> tuple[int, int] | None:
    """``"1.1"`` → ``(1, 1)``; None when it is not a ``major.minor`` string."""
    try:
        major, minor = str(version).split(".")[:2]
        return int(major), int(minor)
    except (TypeError, ValueError):
        return None


# =========================================================================== shared parts
def _read_tables(d: Path, required: dict[str, tuple[str, ...]]) -> tuple[dict[str, pd.DataFrame], list[str]]:
    """Read the CSV files of ``required``; the problems are missing files and missing columns."""
    missing = [f for f in ["sites.geojson", *required] if not (d / f).exists()]
    if missing:
        return {}, [f"missing files: {missing}"]
    tables = {f: pd.read_csv(d / f) for f in required}
    problems = [
        f"{f} lacks column {c}" for f, cols in required.items() for c in cols if c not in tables[f].columns
    ]
    return tables, problems


def _check_meta(meta: dict, required: tuple[str, ...]) -> list[str]:
    """Required keys, known status, cost categories summing to the objective, model size."""
    problems = [f"plan.json lacks key {k}" for k in required if k not in meta]
    if problems:
        return problems
    if meta["status"] not in STATUSES:
        problems.append(f"unknown status {meta['status']}")
    costs = meta["costs_usd"]
    problems += [f"costs_usd lacks category {c}" for c in REQUIRED_COSTS if c not in costs]
    total = sum(float(v) for v in costs.values())
    obj = meta["objective_usd"]
    if obj is not None and abs(total - obj) > 1e-6 * max(1.0, abs(obj)):
        problems.append(f"sum of costs_usd {total:.2f} != objective_usd {obj:.2f}")
    problems += [
        f"model_size lacks {k}"
        for k in ("variables", "integer_variables", "constraints", "nonzeros")
        if k not in meta["model_size"]
    ]
    return problems


def _read_sites(d: Path) -> tuple[pd.DataFrame, list[str]]:
    """Site properties of ``sites.geojson`` as a frame; problems: missing properties, non-Point geometry."""
    features = json.loads((d / "sites.geojson").read_text()).get("features", [])
    problems = []
    for feat in features:
        props = feat.get("properties") or {}
        problems += [f"sites.geojson feature lacks {k}" for k in SITE_PROPERTIES if k not in props]
        if (feat.get("geometry") or {}).get("type") != "Point":
            problems.append(f"site {props.get('site_id')} geometry is not a Point")
    sites = pd.DataFrame([f.get("properties") or {} for f in features])
    if "site_id" not in sites.columns:
        sites = pd.DataFrame({"site_id": pd.Series(dtype=str)})
    return sites, problems


def _year_targets(meta: dict, cap: pd.DataFrame, tol_mw: float) -> list[str]:
    """``it_mw_online[year]`` = Σ ``capacity.it_mw`` that year, and ≥ target − shortfall."""
    problems = []
    by_year = cap.groupby("year")["it_mw"].sum()
    for y, target in meta["targets_it_mw"].items():
        if y not in meta["it_mw_online"] or y not in meta["shortfall_it_mw"]:
            problems.append(f"{y}: no it_mw_online or shortfall_it_mw for this target year")
            continue
        online = float(meta["it_mw_online"][y])
        short = float(meta["shortfall_it_mw"][y])
        cap_sum = float(by_year.get(int(y), 0.0))
        if abs(online - cap_sum) > tol_mw:
            problems.append(f"{y}: it_mw_online {online} != sum of capacity.it_mw {cap_sum}")
        if online < float(target) - short - tol_mw:
            problems.append(f"{y}: it_mw_online {online} < target {target} − shortfall {short}")
    return problems


def _yearly_supply(cap: pd.DataFrame, inter: pd.DataFrame, tol_mw: float) -> list[str]:
    """facility ≤ grid + on-site; grid ≤ the site's connections, and 0 before their first available year."""
    over = cap[cap["facility_mw"] > cap["grid_mw"] + cap["onsite_mw"] + tol_mw]
    problems = [
        f"{r.site_id} {r.year}: facility_mw {r.facility_mw:.3f} > grid + onsite" for r in over.itertuples()
    ]
    conn = inter.groupby("site_id").agg(
        capacity_mw=("capacity_mw", "sum"), available_year=("available_year", "min")
    )
    merged = cap.merge(conn, left_on="site_id", right_index=True, how="left")
    merged["capacity_mw"] = merged["capacity_mw"].fillna(0.0)
    bad = merged[merged["grid_mw"] > merged["capacity_mw"] + tol_mw]
    problems += [
        f"{r.site_id} {r.year}: grid_mw above its interconnection capacity" for r in bad.itertuples()
    ]
    early = merged[(merged["grid_mw"] > tol_mw) & (merged["year"] < merged["available_year"].fillna(9999))]
    problems += [
        f"{r.site_id} {r.year}: grid_mw before the interconnection is available" for r in early.itertuples()
    ]
    return problems


def _headroom(inter: pd.DataFrame, tol_mw: float) -> list[str]:
    """Σ ``capacity_mw`` of the connections to one substation ≤ its headroom (several rows per site allowed)."""
    per_sub = inter.groupby("substation_id").agg(
        capacity_mw=("capacity_mw", "sum"), headroom_mw=("substation_headroom_mw", "min")
    )
    over = per_sub[per_sub["capacity_mw"] > per_sub["headroom_mw"] + tol_mw]
    return [
        f"substation {sub}: connections {r.capacity_mw:.3f} MW exceed its headroom {r.headroom_mw:.3f} MW"
        for sub, r in over.iterrows()
    ]


def _unknown_sites(table: pd.DataFrame, name: str, site_ids: set) -> list[str]:
    """Site ids of ``table`` that are not chosen sites."""
    return [
        f"{name} site {s} not in sites.geojson" for s in sorted(set(table["site_id"].astype(str)) - site_ids)
    ]


# =========================================================================== format 1.0
def _check_v10(d: Path, meta: dict, tol_mw: float) -> list[str]:
    """Every invariant of format 1.0 (yearly capacity, five milestones)."""
    problems = _check_meta(meta, REQUIRED_META)
    if problems:
        return problems
    tables, structural = _read_tables(d, REQUIRED_COLUMNS)
    if structural:
        return problems + structural
    cap, inter, tl = tables["capacity.csv"], tables["interconnections.csv"], tables["timeline.csv"]
    sites, site_problems = _read_sites(d)
    problems += site_problems
    problems += _year_targets(meta, cap, tol_mw)
    problems += _yearly_supply(cap, inter, tol_mw)
    problems += _headroom(inter, tol_mw)
    problems += _unknown_sites(cap, "capacity.csv", set(sites["site_id"].astype(str)))
    problems += _timeline_v10(tl, cap, tol_mw)
    return problems


def _timeline_v10(tl: pd.DataFrame, cap: pd.DataFrame, tol_mw: float) -> list[str]:
    """Milestone names, energization after its prerequisites, a phase's MW from its energization year on."""
    problems = []
    unknown = set(tl["milestone"]) - MILESTONES
    if unknown:
        problems.append(f"timeline.csv has unknown milestones {sorted(unknown)}")
    for phase, grp in tl.groupby("phase"):
        ms = grp.set_index("milestone")
        if "energization" not in ms.index:
            problems.append(f"{phase}: no energization milestone")
            continue
        energ = pd.Timestamp(ms.loc["energization", "start"])
        for req in ("construction", "permitting"):
            if req not in ms.index:
                problems.append(f"{phase}: no {req} milestone")
            elif pd.Timestamp(ms.loc[req, "end"]) > energ:
                problems.append(f"{phase}: energization before the end of {req}")
        power = [m for m in ("interconnection", "onsite_power") if m in ms.index]
        if not power:
            problems.append(f"{phase}: neither interconnection nor onsite_power milestone")
        elif min(pd.Timestamp(ms.loc[m, "end"]) for m in power) > energ:
            problems.append(f"{phase}: energized before any power source is ready")
    energized = tl[tl["milestone"] == "energization"].copy()
    energized["year"] = pd.to_datetime(energized["start"]).dt.year
    for site, grp in energized.groupby("site_id"):
        site_cap = cap[cap["site_id"] == site].set_index("year")["it_mw"]
        for year, it in site_cap.items():
            due = grp.loc[grp["year"] <= year, "it_mw"].sum()
            if abs(due - it) > tol_mw:
                problems.append(f"{site} {year}: capacity it_mw {it} != MW of phases energized by then {due}")
    return problems


# =========================================================================== format 1.1
def _check_v11(d: Path, meta: dict, tol_mw: float) -> list[str]:
    """Every invariant of format 1.1: dated steps, capacity per step, task graph, yearly views."""
    problems = _check_meta(meta, REQUIRED_META_V11)
    if any("lacks key" in p for p in problems):
        return problems
    tables, structural = _read_tables(d, REQUIRED_COLUMNS_V11)
    if structural:
        return problems + structural
    steps, step_problems = _steps_frame(meta)
    if step_problems:
        return step_problems
    decision = pd.Timestamp(meta["decision_date"])
    cap, cs = tables["capacity.csv"], tables["capacity_steps.csv"]
    inter, contracts, tl = tables["interconnections.csv"], tables["contracts.csv"], tables["timeline.csv"]
    date_problems = _parse_dates(
        {
            "capacity_steps.csv": (cs, ("step_start", "step_end")),
            "interconnections.csv": (inter, ("energization_date",)),
            "contracts.csv": (contracts, ("start_date", "end_date")),
            "timeline.csv": (tl, ("start", "end", "online_date")),
        }
    )
    if date_problems:
        return date_problems
    sites, site_problems = _read_sites(d)
    site_ids = set(sites["site_id"].astype(str))
    problems += site_problems
    problems += _step_sequence(steps, pd.Timestamp(meta.get("start_date", meta["decision_date"])))
    problems += _step_targets(meta, steps, tol_mw)
    problems += _year_keys(meta, steps, tol_mw)
    problems += _energy_share(meta)
    problems += _capacity_steps_shape(cs, steps)
    problems += _unknown_sites(cs, "capacity_steps.csv", site_ids)
    problems += _unknown_sites(cap, "capacity.csv", site_ids)
    problems += _steps_online(cs, steps, tol_mw)
    problems += _step_supply(cs, cap, tol_mw)
    problems += _step_energy(cs, tol_mw)
    problems += _capacity_years(cap, cs, tol_mw)
    problems += _year_targets(meta, cap, tol_mw)
    problems += _yearly_supply(cap, inter, tol_mw)
    problems += _interconnections_v11(inter, decision, tol_mw)
    problems += _headroom(inter, tol_mw)
    problems += _step_grid(cs, inter, tol_mw)
    problems += _contracts_v11(contracts)
    problems += _tasks(tl, decision)
    problems += _phase_capacity(tl, cs, tol_mw)
    problems += _phase_power(tl, cs, tol_mw)
    problems += _final_site_mw(sites, cs, tol_mw)
    problems += _serving(d, cs, site_ids, tol_mw)
    problems += _demand_regions(d, cs, tol_mw)
    problems += _dispatch(d, cs, site_ids, tol_mw)
    problems += _water(meta, cap)
    return problems


def _water(meta: dict, cap: pd.DataFrame, tol_m3: float = 1e-3) -> list[str]:
    """plan.json ``water`` (optional): every site-year's water_m3 ≤ its cap_m3 and its basin's use ≤ the
    basin's availability (relative tolerance 1e-6), and water_m3 = capacity.csv water_m3 of that site-year."""
    rows = pd.DataFrame((meta.get("water") or {}).get("by_site_year") or [])
    if rows.empty:
        return []
    missing = [k for k in ("site_id", "year", "water_m3", "cap_m3") if k not in rows]
    if missing:
        return [f"plan.json water.by_site_year lacks keys {missing}"]
    problems = []
    for used, limit in (("water_m3", "cap_m3"), ("basin_water_m3", "basin_available_m3")):
        if limit not in rows:
            continue
        cap_m3 = pd.to_numeric(rows[limit], errors="coerce")
        use_m3 = pd.to_numeric(rows[used], errors="coerce")
        over = rows[cap_m3.notna() & (use_m3 > cap_m3 * (1 + 1e-6) + tol_m3)]
        problems += [
            f"water {r.site_id} {r.year}: {getattr(r, used):.6g} m3 exceeds {limit} {getattr(r, limit):.6g}"
            for r in over.itertuples(index=False)
        ]
    if "water_m3" in cap.columns and len(cap):
        both = rows.merge(cap[["site_id", "year", "water_m3"]], on=["site_id", "year"], suffixes=("", "_cap"))
        off = both[(both["water_m3"] - both["water_m3_cap"]).abs() > tol_m3 + 1e-6 * both["water_m3"].abs()]
        problems += [
            f"water {r.site_id} {r.year}: plan.json water_m3 {r.water_m3:.6g} != capacity.csv {r.water_m3_cap:.6g}"
            for r in off.itertuples(index=False)
        ]
    return problems


#: Columns of the optional ``serving.csv`` (written only for scenarios with latency-bound demand).
SERVING_COLUMNS = ("site_id", "region_id", "year", "step_start", "mw", "rtt_ms")


def _serving(d: Path, cs: pd.DataFrame, site_ids: set, tol_mw: float) -> list[str]:
    """``serving.csv`` (when present): its columns, known sites and steps, ``mw`` ≥ 0, ``rtt_ms`` ≥ 0, and
    Σ MW a site serves in a step ≤ its IT MW then (``capacity_steps.csv``)."""
    if not (d / "serving.csv").exists():
        return []
    sv = pd.read_csv(d / "serving.csv")
    missing = [c for c in SERVING_COLUMNS if c not in sv.columns]
    if missing:
        return [f"serving.csv lacks columns {missing}"]
    problems = _unknown_sites(sv, "serving.csv", site_ids)
    if (sv["mw"] < -tol_mw).any() or (sv["rtt_ms"] < 0).any():
        problems.append("serving.csv has negative mw or rtt_ms")
    start = pd.to_datetime(sv["step_start"], errors="coerce")
    if start.isna().any():
        return problems + ["serving.csv: step_start is not an ISO date in every row"]
    served = sv.assign(step_start=start).groupby(["site_id", "step_start"])["mw"].sum()
    it = cs.assign(site_id=cs["site_id"].astype(str)).set_index(["site_id", "step_start"])["it_mw"]
    it = it.reindex(served.index.set_levels(served.index.levels[0].astype(str), level=0))
    over = served.to_numpy() > np.nan_to_num(it.to_numpy(), nan=-np.inf) + tol_mw
    problems += [
        f"serving.csv: {s} serves {mw:g} MW on {t.date()}, more than its IT MW (or not a step of capacity_steps.csv)"
        for (s, t), mw in served[over].items()
    ]
    return problems


#: Columns of the optional ``demand_regions.csv`` (written with ``serving.csv``).
DEMAND_REGION_COLUMNS = (
    "region_id",
    "name",
    "lat",
    "lon",
    "population",
    "year",
    "step_start",
    "demand_mw",
    "served_mw",
    "unserved_mw",
)


def _demand_regions(d: Path, cs: pd.DataFrame, tol_mw: float) -> list[str]:
    """``demand_regions.csv`` (when present): its columns, one row per region id, one step of
    ``capacity_steps.csv``, population and MW ≥ 0, ``served_mw`` ≤ ``demand_mw``, ``unserved_mw`` =
    demand − served, and (with ``serving.csv``) every served region listed and ``served_mw`` = Σ
    ``serving.csv`` MW of the region in that step (all within ``tol_mw``)."""
    if not (d / "demand_regions.csv").exists():
        return []
    rg = pd.read_csv(d / "demand_regions.csv", dtype={"region_id": str})
    missing = [c for c in DEMAND_REGION_COLUMNS if c not in rg.columns]
    if missing:
        return [f"demand_regions.csv lacks columns {missing}"]
    name = "demand_regions.csv"
    problems = [
        f"{name}: region {r} appears more than once"
        for r in sorted(set(rg["region_id"][rg["region_id"].duplicated()]))
    ]
    mw = rg[["demand_mw", "served_mw", "unserved_mw"]].astype(float)
    if (mw < -tol_mw).any().any() or (rg["population"].astype(float) < 0).any():
        problems.append(f"{name} has negative population, demand_mw, served_mw or unserved_mw")
    over = rg[mw["served_mw"] > mw["demand_mw"] + tol_mw]
    problems += [
        f"{name}: {r.region_id} is served {r.served_mw:g} MW, more than its demand {r.demand_mw:g} MW"
        for r in over.itertuples(index=False)
    ]
    off = rg[(mw["unserved_mw"] - (mw["demand_mw"] - mw["served_mw"])).abs() > tol_mw]
    problems += [
        f"{name}: {r.region_id} unserved_mw {r.unserved_mw:g} != demand_mw - served_mw"
        for r in off.itertuples(index=False)
    ]
    start = pd.to_datetime(rg["step_start"], errors="coerce")
    if start.isna().any() or start.nunique() > 1:
        return problems + [f"{name}: step_start is not one ISO date in every row"]
    if len(start) and start.iloc[0] not in set(pd.to_datetime(cs["step_start"])):
        problems.append(f"{name}: step_start {start.iloc[0].date()} is not a step of capacity_steps.csv")
    if not (d / "serving.csv").exists():
        return problems
    sv = pd.read_csv(d / "serving.csv", dtype={"region_id": str})
    problems += [
        f"serving.csv region {r} not in {name}" for r in sorted(set(sv["region_id"]) - set(rg["region_id"]))
    ]
    in_step = sv[pd.to_datetime(sv["step_start"], errors="coerce") == (start.iloc[0] if len(start) else None)]
    served = rg.set_index("region_id")["served_mw"].astype(float)
    total = in_step.groupby("region_id")["mw"].sum().reindex(served.index, fill_value=0.0)
    bad = served[(served - total).abs() > tol_mw]
    problems += [
        f"{name}: {r} served_mw {v:g} != {total[r]:g} MW in serving.csv on {start.iloc[0].date()}"
        for r, v in bad.items()
    ]
    return problems


#: Fixed columns of the optional ``dispatch.csv``; its ``onsite_<option>_mw`` columns sum to ``onsite_mw``.
DISPATCH_COLUMNS = (
    "site_id",
    "step_start",
    "year",
    "period",
    "hours",
    "facility_load_mw",
    "grid_mw",
    "onsite_mw",
    "battery_discharge_mw",
    "battery_charge_mw",
    "ppa_clean_mw",
    "clean_matched_mw",
)
#: dispatch.csv MW column → the capacity_steps.csv MWh column that Σ hours × MW over a step must equal
DISPATCH_ENERGY = {
    "grid_mw": "grid_mwh",
    "onsite_mw": "onsite_mwh",
    "battery_discharge_mw": "battery_discharge_mwh",
    "facility_load_mw": "facility_mwh",
}
#: dispatch.csv MW column → the capacity_steps.csv capacity it cannot exceed
DISPATCH_LIMITS = {
    "grid_mw": "grid_mw",
    "onsite_mw": "onsite_gas_mw",
    "battery_discharge_mw": "battery_mw",
    "battery_charge_mw": "battery_mw",
}
HOURS_PER_YEAR = 8760.0
#: at most this many rows are named per dispatch problem (then "and N more")
MAX_ROWS_NAMED = 5


def _dispatch(d: Path, cs: pd.DataFrame, site_ids: set, tol_mw: float) -> list[str]:
    """``dispatch.csv`` (when present): columns, known sites, MW ≥ 0, one row per site × step × period, the
    energy balance of every row, and per site and step its hours and energy against ``capacity_steps.csv``."""
    if not (d / "dispatch.csv").exists():
        return []
    dp = pd.read_csv(d / "dispatch.csv")
    missing = [c for c in DISPATCH_COLUMNS if c not in dp.columns]
    if missing:
        return [f"dispatch.csv lacks columns {missing}"]
    dp["site_id"] = dp["site_id"].astype(str)
    dp["step_start"] = pd.to_datetime(dp["step_start"], format="ISO8601", errors="coerce")
    if dp["step_start"].isna().any():
        return ["dispatch.csv: step_start is not an ISO date in every row"]
    problems = _unknown_sites(dp, "dispatch.csv", site_ids)
    problems += _dispatch_rows(dp, tol_mw)
    return problems + _dispatch_steps(dp, cs.assign(site_id=cs["site_id"].astype(str)), tol_mw)


def _named(rows: pd.DataFrame, what: str) -> list[str]:
    """One problem per offending dispatch row (site, step start, period), at most :data:`MAX_ROWS_NAMED`."""
    out = [
        f"dispatch.csv {r.site_id} {r.step_start.date()} period {r.period}: {what}"
        for r in rows.head(MAX_ROWS_NAMED).itertuples()
    ]
    if len(rows) > MAX_ROWS_NAMED:
        out.append(f"dispatch.csv: {what} in {len(rows) - MAX_ROWS_NAMED} more rows")
    return out


def _dispatch_rows(dp: pd.DataFrame, tol_mw: float) -> list[str]:
    """Row invariants: MW and hours ≥ 0, unique keys, on-site options sum to ``onsite_mw``, and facility load
    = grid + on-site + battery discharge − battery charge."""
    onsite = [c for c in dp.columns if c.startswith("onsite_") and c.endswith("_mw") and c != "onsite_mw"]
    problems = []
    for c in [*DISPATCH_COLUMNS[4:], *onsite]:
        problems += _named(dp[dp[c] < -1e-6], f"negative {c}")
    dup = dp[dp.duplicated(["site_id", "step_start", "period"], keep="first")]
    problems += _named(dup, "several rows for this site, step and period")
    if onsite:
        off = (dp[onsite].sum(axis=1) - dp["onsite_mw"]).abs() > tol_mw
        problems += _named(dp[off], "onsite_mw is not the sum of the onsite_<option>_mw columns")
    over = dp["clean_matched_mw"] - dp["grid_mw"] > tol_mw + 1e-6 * dp["grid_mw"].abs()
    problems += _named(dp[over], "clean_matched_mw exceeds grid_mw (only grid purchases can be matched)")
    supply = dp["grid_mw"] + dp["onsite_mw"] + dp["battery_discharge_mw"] - dp["battery_charge_mw"]
    gap = (dp["facility_load_mw"] - supply).abs() > tol_mw + 1e-6 * dp["facility_load_mw"].abs()
    return problems + _named(
        dp[gap], "energy balance broken: facility_load_mw != grid + onsite + discharge − charge"
    )


def _dispatch_steps(dp: pd.DataFrame, cs: pd.DataFrame, tol_mw: float) -> list[str]:
    """Per site and step: a step of capacity_steps.csv with IT online, every such step present, Σ hours = the
    step's length, Σ hours × MW = the step's MWh, and MW within the step's capacity."""
    keys = ["site_id", "step_start"]
    ref = cs.drop_duplicates(keys).set_index(keys)  # duplicates are reported by _capacity_steps_shape
    per = dp.assign(**{c: dp[c] * dp["hours"] for c in DISPATCH_ENERGY}).groupby(keys)
    sums = per[["hours", *DISPATCH_ENERGY]].sum()
    unknown = sums.index.difference(ref.index)
    problems = [f"dispatch.csv: {s} {t.date()} is not a row of capacity_steps.csv" for s, t in unknown]
    online = ref.index[(ref["it_mw"] > tol_mw).to_numpy()]
    problems += [
        f"dispatch.csv has no rows for {s} {t.date()}, a step with IT online"
        for s, t in online.difference(sums.index)
    ]
    common = sums.index.intersection(ref.index)
    sums, ref = sums.loc[common], ref.loc[common]
    step_hours = ref["step_years"] * HOURS_PER_YEAR
    bad = common[((sums["hours"] - step_hours).abs() > 0.01 + 1e-6 * step_hours).to_numpy()]
    problems += [f"dispatch.csv {s} {t.date()}: hours do not add up to the step's length" for s, t in bad]
    for mw, mwh in DISPATCH_ENERGY.items():
        if mwh not in ref.columns:
            continue
        off = (sums[mw] - ref[mwh]).abs() > tol_mw * step_hours + 1e-6 * ref[mwh].abs()
        problems += [
            f"dispatch.csv {s} {t.date()}: Σ hours × {mw} {sums.at[(s, t), mw]:.1f} != {mwh} "
            f"{ref.at[(s, t), mwh]:.1f} of capacity_steps.csv"
            for s, t in common[off.to_numpy()]
        ]
    limits = ref[sorted(set(DISPATCH_LIMITS.values()))].add_prefix("cap_")
    cap = dp.join(limits, on=keys, how="inner")
    for mw, limit in DISPATCH_LIMITS.items():
        over = cap[cap[mw] > cap[f"cap_{limit}"] + tol_mw]
        problems += _named(over, f"{mw} above {limit} of capacity_steps.csv")
    return problems


def _parse_dates(spec: dict[str, tuple[pd.DataFrame, tuple[str, ...]]]) -> list[str]:
    """Turn the ISO date columns into timestamps in place; blanks stay NaT, malformed values are problems."""
    problems = []
    for name, (df, cols) in spec.items():
        for c in cols:
            raw = df[c]
            parsed = pd.to_datetime(raw, format="ISO8601", errors="coerce")
            bad = parsed.isna() & raw.notna() & (raw.astype(str).str.strip() != "")
            problems += [f"{name}: {c} {v!r} is not an ISO date" for v in raw[bad].unique()[:5]]
            df[c] = parsed
    return problems


def _steps_frame(meta: dict) -> tuple[pd.DataFrame, list[str]]:
    """``plan.json`` steps as a frame (dates parsed); problems: no steps, missing keys, malformed dates."""
    steps = pd.DataFrame(meta["steps"])
    if steps.empty:
        return steps, ["plan.json steps is empty"]
    missing = [k for k in STEP_KEYS if k not in steps.columns]
    if missing:
        return steps, [f"plan.json steps lack keys {missing}"]
    for c in ("start", "end"):
        steps[c] = pd.to_datetime(steps[c], format="ISO8601", errors="coerce")
    decision = pd.to_datetime(meta["decision_date"], format="ISO8601", errors="coerce")
    if steps[["start", "end"]].isna().any().any() or pd.isna(decision):
        return steps, ["plan.json decision_date or a step start/end is not an ISO date"]
    return steps, []


def _step_sequence(steps: pd.DataFrame, decision: pd.Timestamp) -> list[str]:
    """Steps are consecutive, start on ``start_date`` (the later of the decision date and 1 January of the
    horizon's first year; the decision date if absent), and their ``years`` match their dates."""
    problems = []
    if steps["start"].iloc[0] != decision:
        problems.append(
            f"first step starts {steps['start'].iloc[0].date()}, not on start_date {decision.date()}"
        )
    gaps = steps[steps["start"].shift(-1).notna() & (steps["end"] != steps["start"].shift(-1))]
    problems += [
        f"step {r.start.date()}–{r.end.date()} is not followed by the next step" for r in gaps.itertuples()
    ]
    empty = steps[steps["end"] <= steps["start"]]
    problems += [f"step starting {r.start.date()} does not end after it starts" for r in empty.itertuples()]
    days_years = (steps["end"] - steps["start"]).dt.days / DAYS_PER_YEAR
    off = steps[(steps["years"] - days_years).abs() > 0.01 * days_years + 1e-4]
    problems += [
        f"step starting {r.start.date()}: years {r.years} does not match its dates" for r in off.itertuples()
    ]
    return problems


def _step_targets(meta: dict, steps: pd.DataFrame, tol_mw: float) -> list[str]:
    """Per step online + shortfall ≥ target; target dates and every 1 January are step boundaries."""
    short = steps[steps["it_mw_online"] + steps["shortfall_it_mw"] < steps["target_it_mw"] - tol_mw]
    problems = [
        f"step {r.start.date()}: it_mw_online {r.it_mw_online} + shortfall {r.shortfall_it_mw} "
        f"< target {r.target_it_mw}"
        for r in short.itertuples()
    ]
    neg = steps[steps["shortfall_it_mw"] < -tol_mw]
    problems += [f"step {r.start.date()}: negative shortfall" for r in neg.itertuples()]
    first, last = steps["start"].iloc[0], steps["end"].iloc[-1]
    boundaries = set(steps["start"]) | {last}
    targets = pd.Series(meta["target_dates_it_mw"], dtype=float)
    dates = pd.to_datetime(pd.Series(targets.index), format="ISO8601", errors="coerce")
    problems += [
        f"target_dates_it_mw key {k!r} is not an ISO date" for k in targets.index[dates.isna().to_numpy()]
    ]
    at = steps.set_index("start")["target_it_mw"]
    for date, value in zip(dates, targets.to_numpy(), strict=True):
        if pd.isna(date) or not first <= date <= last:
            continue
        if date not in boundaries:
            problems.append(f"target date {date.date()} is not a step boundary")
        elif date in at.index and abs(at[date] - value) > tol_mw:
            problems.append(f"step {date.date()}: target_it_mw {at[date]} != target_dates_it_mw {value}")
    jan1 = pd.date_range(first, last, freq="YS")
    problems += [f"1 January {t.year} is not a step boundary" for t in jan1 if t not in boundaries]
    return problems


def _first_steps(steps: pd.DataFrame) -> pd.DataFrame:
    """The first step of every calendar year, indexed by year."""
    first = steps.assign(year=steps["start"].dt.year).drop_duplicates("year")
    return first.set_index("year")


def _year_keys(meta: dict, steps: pd.DataFrame, tol_mw: float) -> list[str]:
    """The 1.0 year keys: state at the year's first step; emissions summed over the year's steps."""
    first = _first_steps(steps)
    emissions = steps.groupby(steps["start"].dt.year)["emissions_tco2"].sum()
    problems = []
    expected = {
        "targets_it_mw": first["target_it_mw"],
        "it_mw_online": first["it_mw_online"],
        "shortfall_it_mw": first["shortfall_it_mw"],
        "emissions_tco2": emissions,
    }
    for key, series in expected.items():
        given = pd.Series(
            {int(k): np.nan if v is None else float(v) for k, v in meta[key].items()}, dtype=float
        )
        if set(given.index) != set(series.index):
            problems.append(
                f"{key} years {sorted(given.index)} != calendar years of the steps {sorted(series.index)}"
            )
            continue
        tol = tol_mw if key != "emissions_tco2" else 1e-6 * float(series.abs().max()) + tol_mw
        diff = (given - series.reindex(given.index)).abs()
        problems += [
            f"{key}[{y}] = {given[y]} but the steps give {series[y]}"
            for y in diff.index[diff.to_numpy() > tol]
        ]
    return problems


def _energy_share(meta: dict) -> list[str]:
    """grid, onsite and ppa fractions of facility MWh: each in [0, 1], summing to 1 (or all 0)."""
    share = meta["energy_share"]
    missing = [k for k in ENERGY_SHARE_KEYS if k not in share]
    if missing:
        return [f"energy_share lacks {missing}"]
    values = np.array([float(share[k]) for k in ENERGY_SHARE_KEYS])
    problems = []
    if ((values < -1e-9) | (values > 1 + 1e-9)).any():
        problems.append(f"energy_share {share} has a fraction outside [0, 1]")
    if values.sum() > 1e-9 and abs(values.sum() - 1.0) > 1e-3:
        problems.append(f"energy_share fractions sum to {values.sum():.4f}, not 1")
    if not isinstance(meta["emissions_definition"], str) or not meta["emissions_definition"].strip():
        problems.append("emissions_definition is not a non-empty string")
    return problems


def _capacity_steps_shape(cs: pd.DataFrame, steps: pd.DataFrame) -> list[str]:
    """One row per site and step; step dates, years and calendar year as in plan.json steps."""
    problems = []
    dup = cs[cs.duplicated(["site_id", "step_start"], keep=False)]
    problems += [
        f"capacity_steps.csv: several rows for {s} {t.date()}"
        for s, t in dup[["site_id", "step_start"]].drop_duplicates().itertuples(index=False)
    ]
    ref = steps.set_index("start")[["end", "years"]]
    merged = cs.merge(ref, left_on="step_start", right_index=True, how="left")
    unknown = merged[merged["end"].isna()]
    problems += [
        f"capacity_steps.csv: {r.site_id} step_start {r.step_start} is not a step"
        for r in unknown.itertuples()
    ]
    known = merged[merged["end"].notna()]
    wrong = known[
        (known["step_end"] != known["end"])
        | ((known["step_years"] - known["years"]).abs() > 1e-6)
        | (known["year"] != known["step_start"].dt.year)
    ]
    problems += [
        f"capacity_steps.csv: {r.site_id} {r.step_start.date()}: step_end/step_years/year differ from plan.json steps"
        for r in wrong.itertuples()
    ]
    counts = cs.groupby("site_id")["step_start"].nunique()
    short = counts[counts < len(steps)]
    problems += [f"capacity_steps.csv: {s} has {n} of {len(steps)} steps" for s, n in short.items()]
    mw = ["it_mw", "facility_mw", "grid_mw", "onsite_gas_mw", "battery_mw", "battery_mwh", "firm_supply_mw"]
    energy = ["grid_mwh", "onsite_mwh", "battery_discharge_mwh"]
    negative = [c for c in mw + energy if (cs[c] < -1e-6).any()]
    problems += [f"capacity_steps.csv: negative {c}" for c in negative]
    return problems


def _steps_online(cs: pd.DataFrame, steps: pd.DataFrame, tol_mw: float) -> list[str]:
    """Σ over sites of ``capacity_steps.it_mw`` per step = ``steps[i].it_mw_online``."""
    by_step = cs.groupby("step_start")["it_mw"].sum()
    online = steps.set_index("start")["it_mw_online"]
    diff = (online - by_step.reindex(online.index).fillna(0.0)).abs()
    return [
        f"step {t.date()}: it_mw_online {online[t]} != sum of capacity_steps.it_mw {by_step.get(t, 0.0)}"
        for t in diff.index[diff.to_numpy() > tol_mw]
    ]


def _step_supply(cs: pd.DataFrame, cap: pd.DataFrame, tol_mw: float) -> list[str]:
    """facility ≤ firm supply ≤ grid + gas + battery; facility = IT × peak PUE (if capacity.csv has pue_peak)."""
    over = cs[cs["facility_mw"] > cs["firm_supply_mw"] + tol_mw]
    problems = [
        f"{r.site_id} {r.step_start.date()}: facility_mw {r.facility_mw:.3f} > firm_supply_mw {r.firm_supply_mw:.3f}"
        for r in over.itertuples()
    ]
    nameplate = cs["grid_mw"] + cs["onsite_gas_mw"] + cs["battery_mw"]
    firm = cs[cs["firm_supply_mw"] > nameplate + tol_mw]
    problems += [
        f"{r.site_id} {r.step_start.date()}: firm_supply_mw {r.firm_supply_mw:.3f} > grid + on-site gas + battery"
        for r in firm.itertuples()
    ]
    if "pue_peak" in cap.columns:
        pue = cap[["site_id", "year", "pue_peak"]].drop_duplicates(["site_id", "year"])
        merged = cs.merge(pue, on=["site_id", "year"], how="inner")
        expected = merged["it_mw"] * merged["pue_peak"]
        off = merged[(merged["facility_mw"] - expected).abs() > tol_mw + 1e-6 * expected]
        problems += [
            f"{r.site_id} {r.step_start.date()}: facility_mw {r.facility_mw:.3f} != it_mw × pue_peak"
            for r in off.itertuples()
        ]
    return problems


def _step_hours(cs: pd.DataFrame) -> pd.Series:
    """Hours of each row's step, from its dates."""
    return (cs["step_end"] - cs["step_start"]).dt.days * HOURS_PER_DAY


def _step_energy(cs: pd.DataFrame, tol_mw: float) -> list[str]:
    """Energy of a step ≤ the matching capacity × the hours of the step."""
    hours = _step_hours(cs)
    limits = {"grid_mwh": "grid_mw", "onsite_mwh": "onsite_gas_mw", "battery_discharge_mwh": "battery_mw"}
    problems = []
    for energy, power in limits.items():
        over = cs[cs[energy] > cs[power] * hours + tol_mw * hours]
        problems += [
            f"{r.site_id} {r.step_start.date()}: {energy} {getattr(r, energy):.1f} > {power} × hours of the step"
            for r in over.itertuples()
        ]
    return problems


def _capacity_years(cap: pd.DataFrame, cs: pd.DataFrame, tol_mw: float) -> list[str]:
    """capacity.csv = capacity_steps at the year's first step (MW), summed over the year (MWh)."""
    first = cs.sort_values("step_start").drop_duplicates(["site_id", "year"]).set_index(["site_id", "year"])
    summed = cs.groupby(["site_id", "year"])[["grid_mwh", "onsite_mwh"]].sum()
    yearly = cap.set_index(["site_id", "year"])
    missing = yearly.index.difference(first.index).union(first.index.difference(yearly.index))
    problems = [f"capacity.csv and capacity_steps.csv disagree on site × year {s} {y}" for s, y in missing]
    common = yearly.index.intersection(first.index)
    pairs = {c: first[c] for c in ("it_mw", "facility_mw", "grid_mw")}
    pairs["onsite_mw"] = first["onsite_gas_mw"] + first["battery_mw"]
    for c in ("onsite_gas_mw", "battery_mw"):
        if c in yearly.columns:
            pairs[c] = first[c]
    for c in ("grid_mwh", "onsite_mwh"):
        if c in yearly.columns:
            pairs[c] = summed[c]
    for col, ref in pairs.items():
        given, want = yearly.loc[common, col], ref.reindex(common)
        tol = tol_mw if col.endswith("_mw") else tol_mw * 8784 + 1e-6 * want.abs()
        bad = common[((given - want).abs() > tol).to_numpy()]
        problems += [
            f"capacity.csv {s} {y}: {col} {given[(s, y)]} != {want[(s, y)]} from capacity_steps.csv"
            for s, y in bad
        ]
    return problems


def _interconnections_v11(inter: pd.DataFrame, decision: pd.Timestamp, tol_mw: float) -> list[str]:
    """capacity = firm + standby; available_year = year of energization; circuits a positive integer."""
    split = inter[(inter["capacity_mw"] - inter["firm_mw"] - inter["standby_mw"]).abs() > tol_mw]
    problems = [
        f"interconnection {r.site_id}–{r.substation_id}: capacity_mw != firm_mw + standby_mw"
        for r in split.itertuples()
    ]
    year = inter[inter["available_year"] != inter["energization_date"].dt.year]
    problems += [
        f"interconnection {r.site_id}–{r.substation_id}: available_year {r.available_year} "
        f"is not the year of energization_date"
        for r in year.itertuples()
    ]
    circuits = pd.to_numeric(inter["circuits"], errors="coerce")
    bad = inter[~((circuits >= 1) & (circuits == circuits.round()))]
    problems += [
        f"interconnection {r.site_id}–{r.substation_id}: circuits {r.circuits} is not a positive integer"
        for r in bad.itertuples()
    ]
    early = inter[inter["energization_date"] < decision]
    problems += [
        f"interconnection {r.site_id}–{r.substation_id}: energized before the decision date"
        for r in early.itertuples()
    ]
    return problems


def _step_grid(cs: pd.DataFrame, inter: pd.DataFrame, tol_mw: float) -> list[str]:
    """grid_mw of a step ≤ Σ capacity of the site's connections energized by the step's start (0 before)."""
    conn = inter[["site_id", "energization_date", "capacity_mw"]]
    rows = cs[["site_id", "step_start", "grid_mw"]].reset_index()
    pairs = rows.merge(conn, on="site_id", how="inner")
    live = pairs[pairs["energization_date"] <= pairs["step_start"]]
    energized = live.groupby("index")["capacity_mw"].sum().reindex(rows["index"]).fillna(0.0).to_numpy()
    bad = rows[rows["grid_mw"].to_numpy() > energized + tol_mw]
    return [
        f"{r.site_id} {r.step_start.date()}: grid_mw {r.grid_mw:.3f} above the {e:.3f} MW of connections energized by then"
        + (" (before its earliest energization_date)" if e == 0 else "")
        for r, e in zip(bad.itertuples(), energized[bad.index], strict=True)
    ]


def _contracts_v11(contracts: pd.DataFrame) -> list[str]:
    """Dates in order; owned plant says why it ends; tariff terms in range."""
    c = contracts
    problems = [
        f"contract {r.contract_id}: end_date before start_date"
        for r in c[c["end_date"] < c["start_date"]].itertuples()
    ]
    reasons = c["end_reason"].dropna().astype(str)
    problems += [
        f"contract {i}: unknown end_reason {v!r}"
        for i, v in c.loc[
            reasons.index[~reasons.isin(END_REASONS)], ["contract_id", "end_reason"]
        ].itertuples(index=False)
    ]
    owned = c[c["kind"].isin(OWNED_KINDS) & c["end_reason"].isna()]
    problems += [f"contract {r.contract_id}: owned plant without end_reason" for r in owned.itertuples()]
    take = pd.to_numeric(c["min_take_fraction"], errors="coerce")
    problems += [
        f"contract {i}: min_take_fraction outside [0, 1]"
        for i in c.loc[(take < 0) | (take > 1), "contract_id"]
    ]
    for col in ("salvage_usd", "demand_charge_usd_per_kw_month", "standby_charge_usd_per_kw_month"):
        v = pd.to_numeric(c[col], errors="coerce")
        problems += [f"contract {i}: negative {col}" for i in c.loc[v < 0, "contract_id"]]
    return problems


# --------------------------------------------------------------------------- the task graph
def _edges(tl: pd.DataFrame) -> pd.DataFrame:
    """One row per dependency: ``phase``, ``task_id``, ``pred_id`` (from the semicolon-separated depends_on)."""
    deps = tl["depends_on"].fillna("").astype(str).str.split(";")
    edges = tl[["phase", "task_id"]].assign(pred_id=deps).explode("pred_id")
    edges["pred_id"] = edges["pred_id"].str.strip()
    return edges[edges["pred_id"] != ""].reset_index(drop=True)


def _tasks(tl: pd.DataFrame, decision: pd.Timestamp) -> list[str]:
    """Known milestones, unique ids, one consistent phase, a sound dependency graph, dated energization."""
    problems = []
    unknown = set(tl["milestone"]) - MILESTONES_V11
    if unknown:
        problems.append(f"timeline.csv has unknown milestones {sorted(unknown)}")
    dup = tl.loc[tl["task_id"].duplicated(), "task_id"]
    problems += [f"timeline.csv: task_id {t} is not unique" for t in dup.unique()]
    bad_dates = tl[tl["start"].isna() | tl["end"].isna() | tl["online_date"].isna()]
    problems += [f"{t}: start, end or online_date missing" for t in bad_dates["task_id"]]
    backwards = tl[tl["end"] < tl["start"]]
    problems += [f"{t}: ends before it starts" for t in backwards["task_id"]]
    per_phase = tl.groupby("phase").agg(
        sites=("site_id", "nunique"), mw=("it_mw", "nunique"), online=("online_date", "nunique")
    )
    problems += [
        f"{p}: site_id, it_mw or online_date differ between its tasks"
        for p in per_phase.index[(per_phase > 1).any(axis=1).to_numpy()]
    ]
    year = tl[tl["online_year"] != tl["online_date"].dt.year]
    problems += [f"{p}: online_year is not the year of online_date" for p in year["phase"].unique()]
    early = tl[tl["milestone"].isin(START_ON_DECISION) & (tl["start"] != decision)]
    problems += [f"{t}: does not start on the decision date {decision.date()}" for t in early["task_id"]]
    problems += _energization(tl)
    problems += _dependencies(tl)
    return problems


def _energization(tl: pd.DataFrame) -> list[str]:
    """Exactly one energization per phase, zero length, on the phase's online_date."""
    en = tl[tl["milestone"] == "energization"]
    counts = en.groupby("phase").size().reindex(tl["phase"].unique()).fillna(0)
    problems = [f"{p}: {int(n)} energization tasks (needs exactly 1)" for p, n in counts.items() if n != 1]
    off = en[(en["start"] != en["end"]) | (en["start"] != en["online_date"])]
    problems += [f"{t}: energization start/end is not the online_date" for t in off["task_id"]]
    return problems


def _dependencies(tl: pd.DataFrame) -> list[str]:
    """depends_on ids exist in the same phase; a task starts after its predecessors end; required edges."""
    edges = _edges(tl)
    tasks = tl[["phase", "task_id", "milestone", "start", "end"]]
    merged = edges.merge(
        tasks.rename(columns={"task_id": "pred_id", "milestone": "pred_milestone", "end": "pred_end"}).drop(
            columns="start"
        ),
        on=["phase", "pred_id"],
        how="left",
    ).merge(tasks[["task_id", "milestone", "start"]], on="task_id", how="left")
    dangling = merged[merged["pred_milestone"].isna()]
    problems = [
        f"{r.task_id}: depends on {r.pred_id}, which is not a task of {r.phase}"
        for r in dangling.itertuples()
    ]
    known = merged[merged["pred_milestone"].notna()]
    early = known[known["start"] < known["pred_end"]]
    problems += [
        f"{r.task_id}: starts {r.start.date()} before {r.pred_id} ends {r.pred_end.date()}"
        for r in early.itertuples()
    ]
    pred_ms = known.groupby("task_id")["pred_milestone"].agg(set)
    have = tl.set_index("task_id")["milestone"]
    for task, milestone in have.items():
        preds = pred_ms.get(task, set())
        problems += [
            f"{task}: {milestone} does not depend on a {m} task"
            for m in REQUIRED_PREDECESSORS.get(milestone, ())
            if m not in preds
        ]
        if milestone == "energization" and not preds & set(POWER_READY):
            problems.append(
                f"{task}: energization depends on neither interconnection_facilities nor commissioning"
            )
    return problems


def _phases(tl: pd.DataFrame) -> pd.DataFrame:
    """One row per phase: site, IT MW, online date, and which power sources its energization waits for."""
    edges = _edges(tl)
    ms = tl.set_index("task_id")["milestone"]
    energ = edges[edges["task_id"].map(ms) == "energization"].assign(pred=lambda e: e["pred_id"].map(ms))
    grid = set(energ.loc[energ["pred"] == "interconnection_facilities", "phase"])
    onsite = set(energ.loc[energ["pred"] == "commissioning", "phase"])
    ph = tl.groupby("phase", as_index=False).agg(
        site_id=("site_id", "first"), it_mw=("it_mw", "first"), online_date=("online_date", "first")
    )
    ph["uses_grid"] = ph["phase"].isin(grid)
    ph["uses_onsite"] = ph["phase"].isin(onsite)
    return ph


def _phase_capacity(tl: pd.DataFrame, cs: pd.DataFrame, tol_mw: float) -> list[str]:
    """Per site and step: Σ it_mw of phases with online_date ≤ step_start = capacity_steps.it_mw."""
    ph = _phases(tl)
    rows = cs[["site_id", "step_start", "it_mw"]].reset_index()
    pairs = rows.merge(ph[["site_id", "online_date", "it_mw"]], on="site_id", suffixes=("", "_phase"))
    due = (
        pairs[pairs["online_date"] <= pairs["step_start"]]
        .groupby("index")["it_mw_phase"]
        .sum()
        .reindex(rows["index"])
        .fillna(0.0)
        .to_numpy()
    )
    bad = (rows["it_mw"] - due).abs().to_numpy() > tol_mw
    return [
        f"{r.site_id} {r.step_start.date()}: capacity_steps it_mw {r.it_mw} != MW of phases online by then {m}"
        for r, m in zip(rows[bad].itertuples(), due[bad], strict=True)
    ]


def _phase_power(tl: pd.DataFrame, cs: pd.DataFrame, tol_mw: float) -> list[str]:
    """A phase waiting for the grid has grid MW at its first step; one waiting for on-site plant, plant MW."""
    ph = _phases(tl)
    first = (
        ph.merge(cs, on="site_id", suffixes=("", "_site"))
        .query("step_start >= online_date")
        .sort_values("step_start")
        .drop_duplicates("phase")
    )
    no_grid = first[first["uses_grid"] & (first["grid_mw"] <= tol_mw)]
    no_plant = first[first["uses_onsite"] & (first["onsite_gas_mw"] + first["battery_mw"] <= tol_mw)]
    return [
        f"{p}: energization waits for the grid but the site has no grid_mw then" for p in no_grid["phase"]
    ] + [f"{p}: energization waits for on-site plant but the site has none then" for p in no_plant["phase"]]


def _final_site_mw(sites: pd.DataFrame, cs: pd.DataFrame, tol_mw: float) -> list[str]:
    """``sites.geojson`` it_mw is the site's IT MW in the last step."""
    if "it_mw" not in sites.columns or cs.empty:
        return []
    last = cs[cs["step_start"] == cs["step_start"].max()].set_index("site_id")["it_mw"]
    given = sites.set_index(sites["site_id"].astype(str))["it_mw"].astype(float)
    diff = (given - last.reindex(given.index).fillna(0.0)).abs()
    return [
        f"sites.geojson {s}: it_mw {given[s]} != last step's {last.get(s, 0.0)}"
        for s in diff.index[diff.to_numpy() > tol_mw]
    ]
