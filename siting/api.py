"""``siting.solve``: scenario → data → inputs → model → HiGHS → :class:`BuildPlan`."""

from __future__ import annotations

import datetime as dt
import importlib.metadata as md
import math
import platform
import time
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pyomo.environ as pyo

from .data.load import Dataset, load_dataset, sha256_file
from .errors import InfeasibleScenarioError, InputError
from .model.build import EMISSIONS_DEFINITION, add_epsilon_limits, build_model, set_objective
from .model.inputs import ModelInputs
from .model.precheck import (
    ValidationReport,
    add_target_notes,
    check_region,
    size_notes,
    target_feasibility,
)
from .model.prepare import prepare_inputs
from .model.relax import aggregation_blockers, period_aggregated_inputs
from .model.screen import restrict_to_sites, screened_sites, warm_start_sites
from .model.solve import ProgressCallback, SolveResult, no_plan_message, solve_model
from .results import extract
from .results import water as water_results
from .results.clean_energy import clean_energy_summary
from .results.plan import FORMAT_VERSION, BuildPlan
from .scenario import Scenario, load_scenario

VERSIONED_PACKAGES = (
    "siting",
    "pyomo",
    "highspy",
    "numpy",
    "pandas",
    "geopandas",
    "shapely",
    "xarray",
    "pydantic",
)


def versions() -> dict[str, str]:
    """Versions of Python and the packages that decide the result."""
    out = {"python": platform.python_version()}
    for p in VERSIONED_PACKAGES:
        try:
            out[p] = md.version(p)
        except md.PackageNotFoundError:
            out[p] = "not installed"
    return out


def solve(
    scenario: Scenario | str | Path,
    dataset: Dataset | None = None,
    data_dir: str | Path | None = None,
    *,
    objective: str | None = None,
    limits: dict[str, float] | None = None,
    progress: ProgressCallback | None = None,
    **solver_overrides,
) -> BuildPlan:
    """Solve a scenario and return its build plan.

    Parameters
    ----------
    scenario : Scenario or path
        A scenario object or a YAML file (``models/*.yaml``).
    dataset : Dataset, optional
        Pre-loaded data layers (e.g. for a loop of solves); default: load the scenario's layers.
    data_dir : path, optional
        Directory of default layers replacing the embedded data.
    objective : str, optional
        Minimise a trade-off objective instead of the scenario's cost (``cost`` without the shortfall
        penalty, USD; ``time_to_power``, MW·yr short; ``carbon``, tCO2; see
        :func:`siting.model.build.set_objective`). Default: the scenario's objective, unchanged.
    limits : dict, optional
        Epsilon constraints ``{objective name: upper limit}``, same units (used by :func:`siting.pareto`).
    progress : callable, optional
        Called about once a second during the solve with a :class:`siting.model.solve.SolveProgress`
        (stage, seconds, best plan and bound in USD, gap); the command line shows it as a status line.
    **solver_overrides
        Any field of the scenario's ``solver`` section (``time_limit_seconds``, ``mip_gap``, ``threads``,
        ``seed``, ``tee``).

    Returns
    -------
    BuildPlan
        With ``meta["status"]`` ``optimal`` or ``feasible``.

    Raises
    ------
    InputError
        Bad scenario or data (names file, column, rows and the fix).
    InfeasibleScenarioError
        No plan satisfies the scenario's hard limits; the message says which limits conflict.
    """
    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    scenario, dataset = load_case(scenario, dataset, data_dir, solver_overrides)
    timings["load_seconds"] = time.perf_counter() - t0

    t1 = time.perf_counter()
    inputs = prepare_inputs(dataset, scenario)
    inputs = screen(inputs, scenario.solver.screen_sites)
    _precheck(inputs)
    model = build_model(inputs)
    _tradeoff(model, inputs, objective, limits)
    bound = None if objective is not None or limits else _bound_model(inputs, scenario)
    timings["build_seconds"] = time.perf_counter() - t1  # the bound pass builds its model during the solve

    result = _run_solver(model, inputs, scenario, progress, bound)
    timings["solve_seconds"] = result.solve_seconds
    timings["warm_start_seconds"] = result.warm_start.get("seconds", 0.0)
    timings["bound_pass_seconds"] = result.bound_pass.get("seconds", 0.0)
    if result.status in ("infeasible", "error"):
        raise _no_plan(inputs, result, scenario, limits)

    t2 = time.perf_counter()
    plan = assemble_plan(model, inputs, result, scenario, dataset)
    timings["extract_seconds"] = time.perf_counter() - t2
    timings["total_seconds"] = time.perf_counter() - t0
    plan.meta["timings_seconds"] = {k: round(v, 3) for k, v in timings.items()}
    return plan


def screen(d: ModelInputs, n_sites: int) -> ModelInputs:
    """``d`` cut down to the screen's short list when it has more than ``n_sites`` candidates
    (``solver.screen_sites``; 0: no screen), with a note saying what the plan then holds over."""
    if n_sites <= 0 or len(d.sites) <= n_sites:
        return d
    if n_sites < d.min_sites:
        raise InputError(
            f"solver.screen_sites = {n_sites} keeps fewer sites than min_sites = {d.min_sites}",
            field="solver.screen_sites",
            fix=f"set screen_sites ≥ {d.min_sites}, or 0 to keep every site",
        )
    keep = screened_sites(d, n_sites)
    if len(keep) == len(d.sites):  # the latency rule put every site back: nothing is screened out
        return d
    note = (
        f"screened: the model holds {len(keep)} of the {len(d.sites)} candidate sites (solver.screen_sites = "
        f"{n_sites}: the lowest cost proxy and earliest grid, plus the cheapest site in reach of each latency "
        "region; siting.model.screen). The plan and its gap hold over those sites only: the sites screened "
        "out are not proven worse"
    )
    return restrict_to_sites(d, keep, note)


def load_case(
    scenario: Scenario | str | Path,
    dataset: Dataset | None = None,
    data_dir: str | Path | None = None,
    solver_overrides: dict | None = None,
) -> tuple[Scenario, Dataset]:
    """The scenario (a YAML file is read; ``solver_overrides`` replace fields of its ``solver`` section) and
    its data layers (``dataset`` if given, else loaded from ``data_dir`` or the embedded data), as
    :func:`solve` uses them."""
    if not isinstance(scenario, Scenario):
        scenario = load_scenario(scenario)
    if solver_overrides:
        scenario = scenario.model_copy(update={"solver": scenario.solver.model_copy(update=solver_overrides)})
    if dataset is None:
        dataset = load_dataset(scenario, Path(data_dir) if data_dir else None)
    return scenario, dataset


def _run_solver(
    model, d: ModelInputs, scenario: Scenario, progress: ProgressCallback | None, bound_model=None
) -> SolveResult:
    """HiGHS with the scenario's solver settings, after a warm-start pass when the scenario has one (and a
    bound pass on ``bound_model`` when given)."""
    s = scenario.solver
    return solve_model(
        model,
        s.time_limit_seconds,
        s.mip_gap,
        s.threads,
        s.seed,
        s.tee,
        {"mip_heuristic_effort": s.heuristic_effort},
        warm_start_zero=_warm_start_closed(model, d, s.warm_start_sites),
        bound_model=bound_model,
        progress=progress,
    )


#: Candidate sites (after any screen) above which the bound pass is skipped. Measured 2026-12-02: on the
#: default's 208 sites it proves the plan in 8 s instead of a 32 s root LP; on 1,000 sites its LP took
#: 95–107 s and did not prove the warm-start plan (0.74 % above it), and the full solve then stopped at the
#: 600 s limit at 0.52 %, where without the pass it reached 0.00 % in 503 s.
PERIOD_BOUND_MAX_SITES = 500


def _bound_model(d: ModelInputs, scenario: Scenario) -> Callable[[], pyo.ConcreteModel] | None:
    """What builds the period-averaged relaxation of the model (:mod:`siting.model.relax`; the solve builds
    it while the warm start runs) when a bound pass can run: ``solver.period_bound`` on, a warm start that
    will run, at most :data:`PERIOD_BOUND_MAX_SITES` sites, and averaging that relaxes the model; else
    None."""
    s = scenario.solver
    warm = s.warm_start_sites > 0 and len(d.sites) > s.warm_start_sites
    if not (s.period_bound and warm and len(d.sites) <= PERIOD_BOUND_MAX_SITES) or aggregation_blockers(d):
        return None
    return lambda: build_model(period_aggregated_inputs(d))


def _warm_start_closed(model, d: ModelInputs, n_sites: int) -> list:
    """``open`` variables of the sites left off the warm-start short list (none: no warm start)."""
    if n_sites <= 0 or len(d.sites) <= n_sites:
        return []
    keep = set(warm_start_sites(d, n_sites))
    return [model.open[j] for j in d.sites.index if j not in keep]


def _no_plan(
    d: ModelInputs, result: SolveResult, scenario: Scenario, limits: dict[str, float] | None
) -> InfeasibleScenarioError:
    """The error for a solve without a plan: the trade-off limits when they are the cause, otherwise
    :func:`explain_infeasibility`."""
    if limits and result.status == "infeasible":
        return InfeasibleScenarioError(f"no plan of scenario '{d.name}' meets the limits {limits}")
    return InfeasibleScenarioError(explain_infeasibility(d, result, scenario))


def _tradeoff(model, d: ModelInputs, objective: str | None, limits: dict[str, float] | None) -> None:
    """Switch to a trade-off objective and add epsilon limits (nothing when both are None); say so in the
    plan's notes, since ``objective_usd`` then is not what was minimised."""
    if objective is not None:
        set_objective(model, objective)
    if limits:
        add_epsilon_limits(model, limits)
    if objective is not None or limits:
        held = ", ".join(f"{k} ≤ {v:.6g}" for k, v in (limits or {}).items()) or "no limits"
        d.notes.append(f"trade-off point: minimised {objective or 'the scenario cost'} subject to {held}")


def _precheck(d: ModelInputs) -> None:
    """Cheap checks that explain an impossible scenario before the solver runs."""
    if d.min_sites > len(d.sites):
        raise InfeasibleScenarioError(
            f"min_sites = {d.min_sites} but only {len(d.sites)} candidate site(s) qualify in the region; "
            "lower min_sites, widen the region or lower site_min_it_mw"
        )
    add_target_notes(d)  # a target before anything can be built: say so (the plan shows shortfall)


def explain_infeasibility(d: ModelInputs, result: SolveResult, scenario: Scenario) -> str:
    """Re-solve with each hard limit relaxed in turn and say which relaxation restores feasibility."""
    if result.status == "error":
        return no_plan_message(result, scenario.solver.time_limit_seconds)
    tries = {
        "budget_usd": {"budget_usd": None},
        "carbon_cap_tco2_per_year": {"carbon_cap_tco2_per_year": None},
        "water_cap_m3_per_year_per_site": {"water_cap_m3_per_year_per_site": None},
        "min_sites": {"min_sites": 0},
    }
    culprits = []
    for name, change in tries.items():
        if getattr(d, name) in (None, 0):
            continue
        relaxed = ModelInputs(**{**d.__dict__, **change})
        relaxed.sites = d.sites.assign(min_phases=0) if name == "min_sites" else d.sites
        r = solve_model(build_model(relaxed), 60.0, 0.05, 1, scenario.solver.seed)
        if r.status in ("optimal", "feasible"):
            culprits.append(name)
    if culprits:
        return (
            f"scenario '{d.name}' is infeasible: it becomes feasible when relaxing {', '.join(culprits)}. "
            f"The sites forced open by min_sites={d.min_sites} (each at least "
            f"{int(d.sites['min_phases'].max()) * d.phase_mw:g} MW) cannot be built within those limits; "
            "raise the limit or lower min_sites / site_min_it_mw"
        )
    return (
        f"scenario '{d.name}' is infeasible ({result.termination}) and no single relaxation of budget, carbon cap "
        "or minimum sites fixes it; check site_min_it_mw against the sites' land and max_it_mw"
    )


def assemble_plan(
    model, d: ModelInputs, result: SolveResult, scenario: Scenario, dataset: Dataset
) -> BuildPlan:
    """The build plan of a solved ``model`` (its variables hold the solution): tables and ``plan.json``.

    Used by :func:`solve` and by analyses that solve their own models (e.g. the hedged plan of
    :func:`siting.solve_robust`).
    """
    d = water_results.with_chosen_cooling(model, d)  # PUE/WUE of each site's chosen cooling design
    open_sites = [s for s in model.S if extract._v(model.open[s]) > extract.ON]
    steps_tab = extract.capacity_steps_table(model, d, open_sites)
    capacity = extract.capacity_table(steps_tab, d)
    inter = extract.interconnection_table(model, d)
    contracts = extract.contract_table(model, d, steps_tab, open_sites)
    timeline = extract.timeline_table(model, d, steps_tab, inter, open_sites)
    sites = water_results.add_site_water_columns(
        extract.site_table(d, steps_tab, inter, open_sites), model, d
    )
    costs, costs_by_year = extract.cost_tables(model, d)
    objective = float(sum(costs.values()))
    plan = BuildPlan(
        meta=_meta(model, d, result, scenario, dataset, steps_tab, capacity, costs, costs_by_year, objective),
        sites=sites,
        capacity=capacity,
        interconnections=inter,
        contracts=contracts,
        timeline=timeline,
        costs_by_year=costs_by_year,
        candidates=_candidates(d, open_sites),
        capacity_steps=steps_tab,
        serving=extract.serving_table(model, d),
        demand_regions=extract.demand_region_table(model, d),
        dispatch=extract.dispatch_table(model, d, steps_tab),
    )
    plan.meta["water"] = water_results.water_summary(model, d, steps_tab)
    plan.context = {
        "substations": dataset.substations,
        "transmission_lines": dataset.transmission_lines,
        "states": dataset.states,
        "zones": dataset.zones,
        "inputs": d,
    }
    if dataset.demand_regions is not None and len(dataset.demand_regions):
        plan.context["demand_regions"] = dataset.demand_regions
    if not math.isfinite(objective):
        raise InfeasibleScenarioError("the solver returned a plan without a finite objective")
    return plan


def _candidates(d: ModelInputs, open_sites: list[str]) -> pd.DataFrame:
    cols = [
        "site_id",
        "name",
        "state",
        "zone_id",
        "lat",
        "lon",
        "max_phases",
        "first_online_year",
        "ready_date",
    ]
    cols += [
        "permitting_lead_time_months",
        "pue_annual",
        "pue_peak",
        "land_usd_per_mw",
        "construction_usd_per_mw",
    ]
    candidates = d.sites.reset_index()[cols].copy()
    candidates["ready_date"] = pd.to_datetime(candidates["ready_date"]).dt.strftime("%Y-%m-%d")
    candidates["max_it_mw"] = candidates.pop("max_phases") * d.phase_mw
    candidates["chosen"] = candidates["site_id"].isin(open_sites)
    conn = d.connections.reset_index()
    if len(conn):
        best = conn.sort_values(["site_id", "ready_date", "fixed_cost_usd"]).groupby("site_id").first()
        candidates["grid_available_year"] = candidates["site_id"].map(best["available_year"])
        candidates["grid_ready_date"] = candidates["site_id"].map(best["ready_date"].dt.strftime("%Y-%m-%d"))
        candidates["cheapest_connection_usd"] = candidates["site_id"].map(
            conn.groupby("site_id")["fixed_cost_usd"].min()
        )
    return candidates


def _meta(model, d, result, scenario, dataset, steps_tab, capacity, costs, costs_by_year, objective) -> dict:
    """plan.json: status, costs, targets and IT online by step and by year, emissions, sizes, versions."""
    emis = extract.emissions_by_step(model)
    online_step = (
        steps_tab.groupby("step")["it_mw"].sum().reindex(d.steps.index, fill_value=0.0)
        if len(steps_tab)
        else pd.Series(0.0, index=d.steps.index)
    )
    short = {t: max(0.0, extract._v(model.shortfall_mw[t])) for t in d.steps.index}
    steps = [
        {
            "start": r.start.strftime("%Y-%m-%d"),
            "end": r.end.strftime("%Y-%m-%d"),
            "years": round(float(r.years), 6),
            "target_it_mw": float(r.target_it_mw),
            "it_mw_online": float(online_step[t]),
            "shortfall_it_mw": short[t],
            "emissions_tco2": emis[t],
        }
        for t, r in d.steps.iterrows()
    ]
    first = {y: d.first_step_of_year(y) for y in d.years}
    energy_mwh = capacity.groupby("year")["it_mwh"].sum().reindex(d.years, fill_value=0.0)
    last = d.years[-1]
    facility_mwh = float(capacity.loc[capacity["year"] == last, ["grid_mwh", "onsite_mwh"]].sum().sum())
    annual_cost_last = float(
        costs_by_year.loc[costs_by_year["year"] == last, "pv_usd"].sum() / d.discount_factor(last)
    )
    return {
        "format_version": FORMAT_VERSION,
        "scenario": scenario.name,
        "description": scenario.description,
        "status": result.status,
        "termination": result.termination,
        "objective_usd": objective,
        "best_bound_usd": result.best_bound_usd,
        "mip_gap": result.mip_gap,
        "solve_seconds": round(result.solve_seconds, 3),
        "currency_year": scenario.currency_year,
        "decision_date": d.decision_date.isoformat(),
        "decision_year": d.decision_year,
        "start_date": d.steps["start"].iloc[0].strftime("%Y-%m-%d"),
        "discount_rate": scenario.discount_rate,
        "costs_usd": costs,
        "overnight_capex_usd": extract._v(model.overnight_capex_usd),
        "target_dates_it_mw": d.target_dates_it_mw,
        "targets_it_mw": {str(y): float(d.steps.at[first[y], "target_it_mw"]) for y in d.years},
        "it_mw_online": {str(y): float(online_step[first[y]]) for y in d.years},
        "shortfall_it_mw": {str(y): short[first[y]] for y in d.years},
        "emissions_tco2": {
            str(y): float(sum(emis[t] for t in d.steps.index[d.steps["year"] == y])) for y in d.years
        },
        "emissions_definition": EMISSIONS_DEFINITION,
        "grid_carbon_basis": d.grid_carbon_basis,
        "steps": steps,
        "energy_share": extract.energy_shares(steps_tab, model),
        "clean_energy": clean_energy_summary(model, d),
        "it_energy_mwh": {str(t): float(energy_mwh[t]) for t in d.years},
        "cost_usd_per_mwh_it_last_year": annual_cost_last / float(energy_mwh[last])
        if energy_mwh[last] > 0
        else None,
        "facility_energy_mwh_last_year": facility_mwh,
        "model_size": result.model_size,
        "solver": _solver_meta(d, result, scenario),
        "versions": versions(),
        "inputs_sha256": _input_hashes(scenario, dataset),
        "notes": d.notes,
        "created_utc": dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
    }


def _solver_meta(d: ModelInputs, result: SolveResult, scenario: Scenario) -> dict:
    """plan.json ``solver``: HiGHS settings, the warm start, the bound pass and the screen."""
    s = scenario.solver
    return {
        "name": "highs",
        "version": result.solver_version,
        "time_limit_seconds": s.time_limit_seconds,
        "mip_gap_target": s.mip_gap,
        "threads": s.threads,
        "seed": s.seed,
        "warm_start_sites": s.warm_start_sites if result.warm_start else 0,
        "warm_start_objective_usd": result.warm_start.get("objective_usd"),
        "bound_pass": {k: v for k, v in result.bound_pass.items() if k != "seconds"} or None,
        "candidate_sites": d.screened_from_sites or len(d.sites),
        "screened_sites": len(d.sites) if d.screened_from_sites else 0,
    }


def _input_hashes(scenario: Scenario, dataset: Dataset) -> dict[str, str]:
    out = dataset.sha256()
    if scenario.source_path is not None and Path(scenario.source_path).exists():
        out[f"scenario:{Path(scenario.source_path).name}"] = sha256_file(Path(scenario.source_path))
    return out


def validate(
    scenario: Scenario | str | Path, dataset: Dataset | None = None, data_dir: str | Path | None = None
) -> ValidationReport:
    """Run every check :func:`solve` runs, short of building and solving the model.

    Loads the scenario and its data layers, checks the region's states against the data, prepares the
    model inputs, runs the pre-solve checks, and bounds from above the IT MW deliverable by every target
    date from the lead times (:func:`siting.model.precheck.target_feasibility`; no MILP). Parameters as in
    :func:`solve`.

    Returns
    -------
    ValidationReport
        Scenario, dataset, model inputs, the target table (target, deliverable bound in MW, earliest
        feasible date) and notes (e.g. a target that cannot be met before a later date).

    Raises
    ------
    InputError
        Bad scenario or data (names file, column or field, rows and the fix).
    InfeasibleScenarioError
        The scenario cannot have a plan (e.g. no candidate site in the region, min_sites too high).
    """
    if not isinstance(scenario, Scenario):
        scenario = load_scenario(scenario)
    if dataset is None:
        dataset = load_dataset(scenario, Path(data_dir) if data_dir else None)
    region_notes = check_region(scenario, dataset)
    inputs = prepare_inputs(dataset, scenario)
    _precheck(inputs)
    inputs.notes.extend(n for n in region_notes if n not in inputs.notes)
    inputs.notes.extend(size_notes(len(inputs.sites), scenario.solver.screen_sites))
    add_target_notes(inputs)
    return ValidationReport(scenario, dataset, inputs, target_feasibility(inputs), list(inputs.notes))


__all__ = ["solve", "validate", "versions"]
