"""Cheap checks before solving: the scenario against the data, and what can be online by each target.

:func:`check_region` refuses region states that no layer knows. :func:`deliverable_it_mw` bounds from above
the IT MW that can be online in every time step, from the lead times alone (no MILP): a site counts once its
permitting and construction are done, up to the smaller of its size and what its firm supply can carry —
its grid connections energized by then (the ``max_connections_per_site`` largest), the on-site plant
delivered by then (gas at its firm fraction, fleet caps and the air permit's MW cap; fuel only where a gas
lateral is allowed) and batteries (at most the design day's PUE swing of the peak), divided by the site's
design-peak PUE, in whole phases; at most ``max_sites`` sites. Budget, carbon, energy and national
supply-chain caps are ignored, so a target above the bound is certainly missed and the solve reports
shortfall. :func:`target_feasibility` gives, for every target, that bound and the earliest step start at
which the target could be met.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..data.load import Dataset
from ..errors import InputError, did_you_mean
from ..scenario import Scenario
from .inputs import ModelInputs

#: MW below which a bound counts as meeting a target (solver and phase rounding noise).
MW_TOLERANCE = 1e-6
#: Size of the full model at the default monthly resolution over 10 years, measured by
#: ``benchmarks/bench_scale.py`` (2026-12-02): 662,168 variables on 1,000 sites, and a peak memory on the
#: straight line through 5.49 GiB at 1,000 sites and 7.41 GiB at 2,000 (GiB = base + per site × sites).
VARIABLES_PER_SITE = 662
PEAK_GIB_BASE = 3.57
PEAK_GIB_PER_SITE = 1.92 / 1000
#: Candidate sites above which :func:`size_notes` suggests a screen (``solver.screen_sites``).
LARGE_CANDIDATE_SETS = 1000


@dataclass
class ValidationReport:
    """What :func:`siting.validate` found: the loaded scenario, data and model inputs, and the targets.

    ``targets`` has one row per target date: ``target_it_mw``, ``deliverable_it_mw`` (upper bound on the IT MW
    online on that date) and ``earliest_date`` (first step start with a bound ≥ the target, None if never
    within the horizon). ``notes`` are the model inputs' notes, including one per target that cannot be met.
    """

    scenario: Scenario
    dataset: Dataset
    inputs: ModelInputs
    targets: pd.DataFrame
    notes: list[str] = field(default_factory=list)


def check_region(scenario: Scenario, dataset: Dataset) -> list[str]:
    """Refuse region states that neither the states layer nor the candidate sites know.

    Returns notes for known states without any candidate site. Raises :class:`InputError` naming the
    scenario file, the field ``region.states`` and the closest known codes (a full name such as
    ``Tennessee`` suggests its code).
    """
    region = scenario.region
    if region is None or not region.states:
        return []
    outlines = dataset.states
    known = set(dataset.candidate_sites["state"].astype(str).str.upper())
    names: dict[str, str] = {}
    if "state" in outlines:
        known |= set(outlines["state"].astype(str).str.upper())
        if "name" in outlines:
            names = dict(zip(outlines["name"].astype(str).str.upper(), outlines["state"], strict=False))
    unknown = [s for s in region.states if s not in known]
    if unknown:
        hints = [names[s] for s in unknown if s in names]
        hint = (
            f"; did you mean {', '.join(repr(h) for h in hints)}?"
            if hints
            else did_you_mean(unknown[0], known)
        )
        raise InputError(
            f"unknown state code(s) {unknown} in the region{hint}",
            file=scenario.source_path,
            field="region.states",
            fix=f"use 2-letter codes of the states layer ({', '.join(sorted(known)[:12])}, …)",
        )
    empty = sorted(set(region.states) - set(dataset.candidate_sites["state"].astype(str).str.upper()))
    return [f"region.states {empty}: no candidate site in these states"] if empty else []


def deliverable_it_mw(d: ModelInputs) -> pd.Series:
    """Upper bound on the IT MW online in every step (index ``step``), from lead times and sizes only."""
    steps = d.steps.index.to_numpy()
    sites = d.sites
    ready = sites["first_step"].to_numpy()[:, None] <= steps[None, :]
    size = (sites["max_phases"] * d.phase_mw).to_numpy(dtype=float)
    supply = _grid_mw(d, steps) + _gas_firm_mw(d, steps)
    battery = _battery_mw(d, steps)[None, :]
    pue = sites["pue_peak"].to_numpy(dtype=float)[:, None]
    swing = np.minimum(sites["pue_swing"].to_numpy(dtype=float)[:, None], pue - 1e-6)
    with np.errstate(divide="ignore", invalid="ignore"):
        carried = np.minimum(
            (supply + battery) / pue, np.where(battery > 0, supply / (pue - swing), supply / pue)
        )
    it = np.where(ready, np.minimum(size[:, None], carried), 0.0)
    it = np.floor(it / d.phase_mw + 1e-9) * d.phase_mw
    if d.max_sites is not None:
        it = -np.sort(-it, axis=0)[: d.max_sites]
    return pd.Series(it.sum(axis=0), index=d.steps.index, name="deliverable_it_mw")


def _grid_mw(d: ModelInputs, steps: np.ndarray) -> np.ndarray:
    """(site, step) MW of the largest ``max_connections_per_site`` connections energized by each step."""
    out = np.zeros((len(d.sites), len(steps)))
    conns = d.connections.reset_index()
    if not d.grid_allowed or conns.empty:
        return out
    pos = pd.Series(np.arange(len(d.sites)), index=d.sites.index)
    conns = conns.sort_values(["site_id", "max_mw"], ascending=[True, False], kind="stable")
    for j, t in enumerate(steps):
        live = conns[conns["first_step"].to_numpy() <= t]
        largest = live[live.groupby("site_id").cumcount().to_numpy() < d.max_connections_per_site]
        best = largest.groupby("site_id")["max_mw"].sum()
        out[pos[best.index].to_numpy(), j] = best.to_numpy(dtype=float)
    return out


def _live(gens: pd.DataFrame, steps: np.ndarray) -> np.ndarray:
    """(option, step): the option is delivered and still inside its operating window."""
    first, end = gens["first_step"].to_numpy()[:, None], gens["end_step"].to_numpy()[:, None]
    return (first <= steps[None, :]) & (steps[None, :] < end)


def _per_site_cap(gens: pd.DataFrame) -> np.ndarray:
    return np.minimum(
        gens["max_mw_per_site"].to_numpy(dtype=float), gens["max_mw_total"].to_numpy(dtype=float)
    )


def _gas_firm_mw(d: ModelInputs, steps: np.ndarray) -> np.ndarray:
    """(site, step) firm MW of the on-site plant (not batteries) that can be running at each site."""
    gens = d.generators[d.generators["kind"] != "battery"]
    if gens.empty:
        return np.zeros((len(d.sites), len(steps)))
    live = _live(gens, steps)
    firm = (gens["firm_fraction"].to_numpy(dtype=float) * _per_site_cap(gens))[:, None] * live
    fuel = gens["uses_fuel"].to_numpy(dtype=bool)
    fuel_firm = firm[fuel].sum(axis=0)
    if d.air_gas_mw_per_site is not None and fuel.any():
        best = gens["firm_fraction"].to_numpy(dtype=float)[fuel].max()
        fuel_firm = np.minimum(fuel_firm, best * d.air_gas_mw_per_site)
    allowed = d.sites["gas_allowed"].to_numpy(dtype=bool)[:, None]
    return firm[~fuel].sum(axis=0)[None, :] + allowed * fuel_firm[None, :]


def _battery_mw(d: ModelInputs, steps: np.ndarray) -> np.ndarray:
    """(step,) MW of battery power one site can have in each step."""
    gens = d.generators[d.generators["kind"] == "battery"]
    if gens.empty:
        return np.zeros(len(steps))
    return (_per_site_cap(gens)[:, None] * _live(gens, steps)).sum(axis=0)


def target_feasibility(d: ModelInputs) -> pd.DataFrame:
    """Every target date: target MW, the deliverable bound then, and the earliest step start meeting it."""
    bound = deliverable_it_mw(d)
    starts = pd.to_datetime(d.steps["start"])
    rows = []
    for date, mw in d.target_dates_it_mw.items():
        when = pd.Timestamp(date)
        at = bound[starts <= when].iloc[-1] if (starts <= when).any() else 0.0
        ok = bound.index[bound.to_numpy() >= mw - MW_TOLERANCE]
        earliest = starts[ok[0]].strftime("%Y-%m-%d") if len(ok) else None
        rows.append((date, float(mw), float(at), earliest))
    dates, target, bound_at, earliest = zip(*rows, strict=True) if rows else ((), (), (), ())
    return pd.DataFrame(
        {
            "target_it_mw": pd.Series(target, dtype=float),
            "deliverable_it_mw": pd.Series(bound_at, dtype=float),
            "earliest_date": pd.Series(earliest, dtype=object),  # None: not within the horizon
        }
    ).set_axis(pd.Index(dates, name="target_date"))


def target_notes(d: ModelInputs, targets: pd.DataFrame | None = None) -> list[str]:
    """One note per target that cannot be met on its date, naming the earliest feasible date."""
    targets = target_feasibility(d) if targets is None else targets
    bound = deliverable_it_mw(d)
    starts = pd.to_datetime(d.steps["start"])
    first_any = starts[bound > 0].iloc[0].strftime("%Y-%m-%d") if (bound > 0).any() else None
    last = starts.iloc[-1].strftime("%Y-%m-%d")
    notes = []
    for date, r in targets.iterrows():
        if r.deliverable_it_mw >= r.target_it_mw - MW_TOLERANCE:
            continue
        if r.deliverable_it_mw <= 0:
            what = (
                f"nothing can be online by {date} (target {r.target_it_mw:,.0f} MW): the first IT MW can be "
                f"online from {first_any or 'no date within the horizon'}, after permitting, construction and "
                "the first power supply"
            )
        else:
            what = (
                f"target {r.target_it_mw:,.0f} MW by {date} is above the {r.deliverable_it_mw:,.0f} MW that can "
                "be online then (sites, grid connections and on-site plant by their lead times)"
            )
        when = (
            f"the earliest feasible date for {r.target_it_mw:,.0f} MW is {r.earliest_date}"
            if r.earliest_date
            else f"{r.target_it_mw:,.0f} MW cannot be online within the horizon (at most "
            f"{bound.max():,.0f} MW by {last})"
        )
        notes.append(f"{what}; {when}; the plan will show a shortfall")
    return notes


def add_target_notes(d: ModelInputs) -> list[str]:
    """Append :func:`target_notes` to ``d.notes`` (once) and return them."""
    notes = target_notes(d)
    d.notes.extend(n for n in notes if n not in d.notes)
    return notes


def size_notes(n_sites: int, screen_sites: int) -> list[str]:
    """A note when the full model over ``n_sites`` candidates is large and no screen cuts it down.

    The estimate extends the full model measured on 1,000 and 2,000 sites (:data:`VARIABLES_PER_SITE`,
    :data:`PEAK_GIB_BASE`, :data:`PEAK_GIB_PER_SITE`; the model is linear in the sites) and holds for
    monthly resolution over 10 years; representative days make it larger.
    """
    if n_sites <= LARGE_CANDIDATE_SETS or 0 < screen_sites < n_sites:
        return []
    return [
        f"{n_sites:,} candidate sites: the full model has about {n_sites * VARIABLES_PER_SITE:,.0f} variables "
        f"and needs about {PEAK_GIB_BASE + n_sites * PEAK_GIB_PER_SITE:.0f} GiB at monthly resolution (more with "
        "representative days; measured by benchmarks/bench_scale.py). To solve in less, set "
        "solver.screen_sites (e.g. 200) to build the model over a short list of sites; sites screened out "
        "are not proven worse"
    ]
