"""Check a plan directory against the invariants of the plan format, reading only the plan files.

This module deliberately imports nothing from the model: it is the verifier another tool would write.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

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


def check_plan(directory: str | Path, tol_mw: float = 1e-3) -> list[str]:
    """Return the list of violated invariants (empty when the plan is consistent).

    Parameters
    ----------
    directory : path
        A plan directory.
    tol_mw : float
        Absolute tolerance for MW comparisons (solver tolerances are ~1e-6 relative).
    """
    d = Path(directory)
    problems: list[str] = []
    files = ["plan.json", "sites.geojson", *REQUIRED_COLUMNS]
    missing = [f for f in files if not (d / f).exists()]
    if missing:
        return [f"missing files: {missing}"]
    meta = json.loads((d / "plan.json").read_text())
    problems += [f"plan.json lacks key {k}" for k in REQUIRED_META if k not in meta]
    if problems:
        return problems
    if meta["status"] not in ("optimal", "feasible", "infeasible", "error"):
        problems.append(f"unknown status {meta['status']}")
    costs = meta["costs_usd"]
    problems += [f"costs_usd lacks category {c}" for c in REQUIRED_COSTS if c not in costs]
    total = sum(costs.values())
    obj = meta["objective_usd"]
    if obj is not None and abs(total - obj) > 1e-6 * max(1.0, abs(obj)):
        problems.append(f"sum of costs_usd {total:.2f} != objective_usd {obj:.2f}")
    for k in ("variables", "integer_variables", "constraints", "nonzeros"):
        if k not in meta["model_size"]:
            problems.append(f"model_size lacks {k}")

    tables = {f: pd.read_csv(d / f) for f in REQUIRED_COLUMNS}
    structural = [
        f"{f} lacks column {c}"
        for f, cols in REQUIRED_COLUMNS.items()
        for c in cols
        if c not in tables[f].columns
    ]
    if structural:
        return problems + structural
    cap, inter, tl = tables["capacity.csv"], tables["interconnections.csv"], tables["timeline.csv"]
    sites = json.loads((d / "sites.geojson").read_text())
    site_ids = {f["properties"]["site_id"] for f in sites["features"]}
    for feat in sites["features"]:
        props = feat["properties"]
        for k in ("site_id", "name", "zone", "it_mw", "first_online_year", "substation_id"):
            if k not in props:
                problems.append(f"sites.geojson feature lacks {k}")
        if feat["geometry"]["type"] != "Point":
            problems.append(f"site {props.get('site_id')} geometry is not a Point")

    # IT online = sum of capacity; ≥ target − shortfall
    by_year = cap.groupby("year")["it_mw"].sum()
    for y, target in meta["targets_it_mw"].items():
        online = float(meta["it_mw_online"][y])
        cap_sum = float(by_year.get(int(y), 0.0))
        if abs(online - cap_sum) > tol_mw:
            problems.append(f"{y}: it_mw_online {online} != sum of capacity.it_mw {cap_sum}")
        if online < float(target) - float(meta["shortfall_it_mw"][y]) - tol_mw:
            problems.append(
                f"{y}: it_mw_online {online} < target {target} − shortfall {meta['shortfall_it_mw'][y]}"
            )

    # supply covers facility; grid within connection and after its available year
    over = cap[cap["facility_mw"] > cap["grid_mw"] + cap["onsite_mw"] + tol_mw]
    problems += [
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
    # substation headroom
    for sub, grp in inter.groupby("substation_id"):
        if grp["capacity_mw"].sum() > grp["substation_headroom_mw"].iloc[0] + tol_mw:
            problems.append(f"substation {sub}: connections exceed its headroom")
    problems += [
        f"capacity.csv site {s} not in sites.geojson" for s in sorted(set(cap["site_id"]) - site_ids)
    ]

    # timeline: milestone names, energization after its prerequisites, MW from energization year on
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
