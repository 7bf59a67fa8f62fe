"""Two-stage stochastic siting against late grid connections (sample average approximation, SAA).

``siting.solve_robust(scenario, n_scenarios=K, seed=S)`` chooses sites, grid connections and on-site
(bridge) power once, against K sampled interconnection lead times, and reports what that hedge costs and
what it buys compared with the deterministic plan of :func:`siting.solve`.

Scenarios. Every candidate connection (site, substation) gets K lead times (months from the decision
date) drawn from its site's zone distribution with the sampler of :func:`siting.evaluate_delays`
(:func:`~siting.analysis.delays.sample_lead_months`, lognormal from P50 and P90,
``data/interconnection_delays.csv``); connections are sampled independently. In scenario k a connection
is ready on the **later** of its model ready date and decision date + sampled lead time (delays floored at
0, as in :func:`siting.evaluate_delays`: a grid ready early brings nothing), which moves its
``ready_date``, ``first_step`` and ``available_year`` and so when it may import, when its charges start
and when its minimum take applies.

Extensive form. One copy of the model per scenario, each built by
:func:`siting.model.build.build_model` from the shifted inputs and held as a block ``scenario_<k>`` of one
Pyomo model; objective = the mean of the K scenario objectives (equal weights 1/K, present value USD).

* **First stage** (:data:`FIRST_STAGE`, equal in every scenario by non-anticipativity constraints): sites
  opened, connections, circuits, firm and standby MW, gas laterals, on-site plant (owned and rented: MW
  and MWh in every step, what is added and retired), PPAs. These are the decisions with lead times of a
  year or more that are committed at the decision date, and the ones :func:`siting.evaluate_delays` keeps
  fixed when it scores a plan. Rented (bridge) plant is first stage too: the evaluation credits no
  reaction to a delay, so a recourse it cannot see would make the in-sample objective promise savings the
  out-of-sample figures never show.
* **Second stage** (free in each scenario): IT phases energized, grid import, on-site dispatch, battery
  operation, minimum-take shortfall, clean-energy claims and the shortfall against the targets. The IT
  phases are per scenario because the model requires firm supply for every MW of IT online: with
  first-stage phases a late grid would make a scenario infeasible instead of short. Their effect is
  :func:`siting.evaluate_delays`' "IT served = min(planned IT, firm supply / peak PUE)", in whole phases;
  an unserved phase's annuity (land, construction, fixed O&M) is not charged in that scenario, so the SAA
  values a MW-year of avoided shortfall at the value of lost compute minus that annuity (about 1.3 M of
  10 M USD per MW-year on ``tennessee_small``): it slightly under-hedges.

Standby service must back up on-site plant in every step where a connection is energized
(``standby_backs_up_onsite_plant``); the extensive form also imposes this at the model's own (on-time)
energization dates, so the hedged first stage can be operated when every connection is on time.

The hedged plan. The first-stage values are held in a model of the scenario at its own lead times and
the second stage re-optimised: a normal :class:`~siting.results.plan.BuildPlan` (``plan.meta["robust"]``
records the SAA), the hedged plan as it runs when nothing is late. Its ``objective_usd`` is the **planned
cost** to compare with the deterministic plan's. Both plans are then scored out of sample by
:func:`siting.evaluate_delays` with the same number of samples and the same seed (``eval_seed``, by
default ``seed + 1``: independent of the SAA's scenarios) at the scenario's value of lost compute.
**Hedge cost** = hedged planned cost − nominal planned cost; **what it buys** = the fall of the mean and
P90 of the extra cost and shortfall. Every set is sorted, the sampler and HiGHS are seeded: the same
seed gives the same result.
"""

from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyomo.environ as pyo

from ..api import assemble_plan, load_case, screen, solve
from ..data.delays import delay_distributions_by_zone
from ..data.load import Dataset
from ..errors import InfeasibleScenarioError
from ..features.timing import first_step, ready_dates
from ..model.build import build_model
from ..model.inputs import ModelInputs
from ..model.prepare import prepare_inputs
from ..model.solve import ProgressCallback, SolveResult, labelled, solve_model
from ..results.plan import BuildPlan, PlanExistsError
from ..scenario import Scenario
from .delays import evaluate_delays, lead_time_percentiles, sample_lead_months

#: Model variables decided once, before the lead times are known (equal across scenarios).
FIRST_STAGE = (
    "open",
    "connect",
    "circuits",
    "firm_mw",
    "standby_mw",
    "gas_lateral",
    "gen_mw",
    "add_mw",
    "ret_mw",
    "bat_mwh",
    "add_mwh",
    "ret_mwh",
    "ppa_mw",
    "cool",  # the cooling design of each site, when the scenario offers several
)
#: Rows of the comparison table: (metric, summary row of ``evaluate_delays``, its column), USD or MW-years.
EVALUATED = (
    ("planned_shortfall_mw_years", "shortfall_mw_years", "planned"),
    ("mean_shortfall_mw_years", "shortfall_mw_years", "mean"),
    ("p90_shortfall_mw_years", "shortfall_mw_years", "p90"),
    ("mean_extra_shortfall_mw_years", "extra_shortfall_mw_years", "mean"),
    ("p90_extra_shortfall_mw_years", "extra_shortfall_mw_years", "p90"),
    ("mean_extra_cost_pv_usd", "extra_cost_pv_usd", "mean"),
    ("p90_extra_cost_pv_usd", "extra_cost_pv_usd", "p90"),
)


@dataclass
class RobustResult:
    """Result of :func:`solve_robust`.

    Attributes
    ----------
    plan : BuildPlan
        The hedged plan: the SAA's first-stage decisions operated at the model's own lead times
        (``meta["robust"]`` holds the SAA's figures).
    nominal : BuildPlan
        The deterministic plan of :func:`siting.solve`.
    comparison : DataFrame
        Index ``metric``: ``planned_cost_usd`` (PV, the plan's objective), the ``EVALUATED`` metrics of
        :func:`siting.evaluate_delays` (MW-years; extra cost as present value, USD) and
        ``expected_cost_usd`` (planned + mean extra, PV USD); columns ``nominal``, ``hedged`` and
        ``change`` (hedged − nominal).
    lead_times : DataFrame
        One row per scenario and candidate connection: ``scenario``, ``site_id``, ``substation_id``,
        ``sampled_lead_months``, ``nominal_ready_date``, ``ready_date`` (the later of the two dates),
        ``delay_months`` (ready minus nominal, in average months of 30.4375 days) and ``first_step``.
    meta : dict
        ``n_scenarios``, ``seed``, ``eval_samples``, ``eval_seed``, ``objective_usd`` (the SAA's mean
        objective, PV USD), ``scenario_objectives_usd``, ``status``, ``mip_gap``, ``model_size``,
        ``timings_seconds``, ``first_stage``, ``hedge_cost_usd`` and ``buys`` (reductions of the mean and
        P90 extra cost, PV USD, and shortfall, MW-years).
    """

    plan: BuildPlan
    nominal: BuildPlan
    comparison: pd.DataFrame
    lead_times: pd.DataFrame
    meta: dict[str, Any] = field(default_factory=dict)

    def save(self, directory: str | Path, overwrite: bool = False) -> Path:
        """Write ``plan/`` (hedged) and ``nominal/`` (plan directories), ``comparison.csv`` and
        ``lead_times.csv`` into ``directory`` (see :func:`check_robust_dir` for ``overwrite``)."""
        out = Path(directory)
        check_robust_dir(out, overwrite)
        self.plan.save(out / "plan", overwrite=overwrite)
        self.nominal.save(out / "nominal", overwrite=overwrite)
        self.comparison.to_csv(out / "comparison.csv", float_format="%.6f")
        self.lead_times.to_csv(out / "lead_times.csv", index=False, float_format="%.6f")
        return out


def check_robust_dir(out: Path, overwrite: bool) -> None:
    """Accept a missing or empty ``out``, or with ``overwrite`` one holding an earlier result (a
    ``comparison.csv``); raise :class:`PlanExistsError` otherwise. Creates ``out``."""
    if out.exists() and not out.is_dir():
        raise PlanExistsError(f"{out} is a file, not a directory. Fix: choose another output directory")
    if out.is_dir() and any(out.iterdir()):
        if not overwrite:
            raise PlanExistsError(
                f"{out} is not empty. Fix: pass --force (command line) or overwrite=True to replace the "
                "result there, or choose another output directory"
            )
        if not (out / "comparison.csv").exists():
            raise PlanExistsError(
                f"{out} is not empty and holds no comparison.csv, so it is not replaced even with --force / "
                "overwrite=True. Fix: choose another output directory or empty it"
            )
    out.mkdir(parents=True, exist_ok=True)


# ------------------------------------------------------------------------------------------------ scenarios
def sample_lead_times(
    inputs: ModelInputs, n: int, seed: int | None = None, distributions: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Sampled lead times (months from the decision date) of every candidate connection.

    Parameters
    ----------
    inputs : ModelInputs
        Prepared model inputs (their ``connections``, sorted, and the zone of each site).
    n : int
        Number of scenarios.
    seed : int, optional
        Seed of the sampler (:func:`siting.analysis.delays.sample_lead_months`).
    distributions : DataFrame, optional
        Per zone, as in :func:`siting.evaluate_delays`; default the shipped table for the default zones.

    Returns
    -------
    DataFrame
        Index ``scenario`` (0 … n − 1), columns the connections' (site_id, substation_id); months.
    """
    if n < 1:
        raise ValueError(f"n_scenarios must be ≥ 1, got {n}")
    conns = inputs.connections.index.sort_values()
    zones = [int(z) for z in inputs.sites.loc[conns.get_level_values("site_id"), "zone_id"]]
    dist = distributions if distributions is not None else delay_distributions_by_zone()
    p50, p90, _ = lead_time_percentiles(zones, dist)
    lead = sample_lead_months(p50, p90, n, seed)
    return pd.DataFrame(lead, index=pd.RangeIndex(n, name="scenario"), columns=conns)


def delayed_inputs(inputs: ModelInputs, lead_months: pd.Series) -> ModelInputs:
    """A copy of ``inputs`` whose connections are ready on the later of their ready date and the decision
    date + ``lead_months`` (months, indexed by (site_id, substation_id); a connection missing from it is
    on time), with ``first_step`` and ``available_year`` to match."""
    conns = inputs.connections.copy()
    lead = lead_months.reindex(conns.index).fillna(0.0).to_numpy(dtype=float)
    sampled = ready_dates(inputs.decision_date, lead)
    ready = np.maximum(conns["ready_date"].to_numpy().astype("datetime64[D]"), sampled)
    conns["ready_date"] = pd.to_datetime(ready)
    conns["first_step"] = first_step(inputs.steps["start"].to_numpy(), ready).astype(int)
    conns["available_year"] = conns["ready_date"].dt.year.to_numpy()
    return dataclasses.replace(inputs, connections=conns, notes=list(inputs.notes))


def lead_time_table(inputs: ModelInputs, lead_times: pd.DataFrame) -> pd.DataFrame:
    """Long table of the scenarios (see :attr:`RobustResult.lead_times`)."""
    rows = []
    nominal = inputs.connections["ready_date"]
    for k, lead in lead_times.iterrows():
        conns = delayed_inputs(inputs, lead).connections
        for (s, b), c in conns.sort_index().iterrows():
            days = (c["ready_date"] - nominal[(s, b)]).days
            rows.append(
                {
                    "scenario": int(k),
                    "site_id": s,
                    "substation_id": b,
                    "sampled_lead_months": float(lead[(s, b)]),
                    "nominal_ready_date": nominal[(s, b)].strftime("%Y-%m-%d"),
                    "ready_date": c["ready_date"].strftime("%Y-%m-%d"),
                    "delay_months": days / 30.4375,
                    "first_step": int(c["first_step"]),
                }
            )
    return pd.DataFrame(rows)


# ------------------------------------------------------------------------------------------------ model
def build_extensive_form(inputs: ModelInputs, lead_times: pd.DataFrame) -> pyo.ConcreteModel:
    """The SAA model: block ``scenario_<k>`` per row of ``lead_times`` (months, :func:`sample_lead_times`),
    first-stage variables tied to scenario 0's, objective the mean of the scenario objectives (PV USD)."""
    top = pyo.ConcreteModel(name=f"siting-saa:{inputs.name}")
    blocks = []
    for k in sorted(lead_times.index):
        block = build_model(delayed_inputs(inputs, lead_times.loc[k]))
        block.objective.deactivate()
        top.add_component(f"scenario_{k}", block)
        blocks.append(block)
    top._scenarios = blocks
    _non_anticipativity(top, blocks)
    _standby_backs_up_plant_on_time(top, blocks[0], inputs)
    top.objective = pyo.Objective(
        expr=sum(b.objective.expr for b in blocks) / len(blocks), sense=pyo.minimize
    )
    return top


def _non_anticipativity(top: pyo.ConcreteModel, blocks: list) -> None:
    """Every :data:`FIRST_STAGE` variable of scenario k equals scenario 0's (rows only where one is free)."""
    keys = []
    for name in FIRST_STAGE:
        ref = blocks[0].component(name)
        if ref is None:  # e.g. no cooling choice
            continue
        for idx in ref:
            keys += [(name, k, idx) for k in range(1, len(blocks))]

    def rule(m, i):
        name, k, idx = keys[i]
        x0, xk = blocks[0].component(name)[idx], blocks[k].component(name)[idx]
        return pyo.Constraint.Skip if x0.fixed and xk.fixed else xk == x0

    top.non_anticipativity = pyo.Constraint(range(len(keys)), rule=rule)


def _standby_backs_up_plant_on_time(top: pyo.ConcreteModel, first: pyo.Block, inputs: ModelInputs) -> None:
    """Standby MW ≤ on-site plant MW at the connections' own (on-time) energization dates too."""
    on_time = inputs.connections["first_step"].to_dict()
    keys = [(s, t) for s in first.S for t in first.T if any(on_time[c] <= t for c in first._conns_of_site[s])]

    def rule(m, s, t):
        conns = [c for c in first._conns_of_site[s] if on_time[c] <= t]
        return sum(first.standby_mw[c] for c in conns) <= sum(first.gen_mw[s, g, t] for g in first.GAS)

    top.standby_backs_up_plant_on_time = pyo.Constraint(keys, rule=rule)


def hold_first_stage(m: pyo.ConcreteModel, source: pyo.Block) -> None:
    """Bound every free :data:`FIRST_STAGE` variable of ``m`` to its value in the solved ``source``
    (lower = upper bound, integers rounded, within the variable's own bounds)."""
    for name in FIRST_STAGE:
        src = source.component(name)
        if src is None:  # e.g. no cooling choice
            continue
        for idx, v in m.component(name).items():
            if v.fixed:
                continue
            x = float(pyo.value(src[idx]))
            x = float(round(x)) if v.is_integer() else x
            lo, hi = v.lb, v.ub
            x = max(x, lo) if lo is not None else x
            x = min(x, hi) if hi is not None else x
            v.setlb(x)
            v.setub(x)


# ------------------------------------------------------------------------------------------------ driver
def solve_robust(
    scenario: Scenario | str | Path,
    n_scenarios: int = 10,
    seed: int | None = 0,
    *,
    eval_samples: int = 1000,
    eval_seed: int | None = None,
    distributions: pd.DataFrame | None = None,
    lead_times: pd.DataFrame | None = None,
    dataset: Dataset | None = None,
    data_dir: str | Path | None = None,
    out: str | Path | None = None,
    overwrite: bool = False,
    progress: ProgressCallback | None = None,
    **solver_overrides,
) -> RobustResult:
    """Two-stage SAA plan against K sampled interconnection delays (see the module docstring).

    Parameters
    ----------
    scenario : Scenario or path
        A scenario object or YAML file.
    n_scenarios : int
        K, the number of delay scenarios (equal weights 1/K).
    seed : int, optional
        Seed of the scenarios' lead times.
    eval_samples : int
        Samples of the out-of-sample :func:`siting.evaluate_delays` of both plans.
    eval_seed : int, optional
        Seed of that evaluation (the same for both plans); default ``seed + 1`` (None if ``seed`` is).
    distributions : DataFrame, optional
        Lead-time distributions per zone (as in :func:`siting.evaluate_delays`); default the shipped table
        for the dataset's zones.
    lead_times : DataFrame, optional
        Given scenarios instead of sampled ones: index ``scenario``, columns (site_id, substation_id),
        months from the decision date (e.g. hand-made cases); ``n_scenarios`` is then its length.
    dataset, data_dir
        As in :func:`siting.solve`.
    out : path, optional
        Write the result there (:meth:`RobustResult.save`; checked before any solve).
    overwrite : bool
        Replace an earlier result in a non-empty ``out``.
    progress : callable, optional
        Called about once a second during each of the three solves (nominal plan, SAA, hedged plan) with a
        :class:`~siting.model.solve.SolveProgress` whose ``stage`` names the solve.
    **solver_overrides
        Fields of the scenario's ``solver`` section, for every solve.

    Raises
    ------
    InfeasibleScenarioError
        No plan meets the scenario's limits, or the SAA stopped without a plan.
    PlanExistsError
        ``out`` is not empty and ``overwrite`` is not set.
    """
    if out is not None:
        check_robust_dir(Path(out), overwrite)
    scenario, dataset = load_case(scenario, dataset, data_dir, solver_overrides)
    dist = distributions if distributions is not None else delay_distributions_by_zone(zones=dataset.zones)
    timings: dict[str, float] = {}
    nominal = _timed(timings, "nominal_seconds", _solve_nominal, scenario, dataset, progress)
    inputs = screen(prepare_inputs(dataset, scenario), scenario.solver.screen_sites)  # as the nominal plan
    if lead_times is None:
        lead_times = sample_lead_times(inputs, n_scenarios, seed, dist)
    top, result = _solve_saa(inputs, lead_times, scenario, timings, progress)
    first = top._scenarios[0]
    plan = _timed(timings, "hedged_plan_seconds", _hedged_plan, first, inputs, scenario, dataset, progress)
    eval_seed = eval_seed if eval_seed is not None else (None if seed is None else seed + 1)
    volc = scenario.value_of_lost_compute_usd_per_mw_year
    comparison = _timed(
        timings, "evaluate_seconds", compare_plans, nominal, plan, eval_samples, eval_seed, dist, volc
    )
    meta = _meta(top, result, lead_times, comparison, seed, eval_samples, eval_seed, timings)
    _record_in_plan(plan, meta, len(lead_times))
    res = RobustResult(plan, nominal, comparison, lead_time_table(inputs, lead_times), meta)
    if out is not None:
        res.save(out, overwrite=True)
    return res


def _solve_nominal(scenario: Scenario, dataset: Dataset, progress: ProgressCallback | None) -> BuildPlan:
    """The deterministic plan (:func:`siting.solve`), reporting progress as ``nominal plan``."""
    return solve(scenario, dataset, progress=labelled(progress, "nominal plan"))


def _record_in_plan(plan: BuildPlan, meta: dict, n_scenarios: int) -> None:
    """The SAA's figures in the hedged plan's ``meta["robust"]``, and a note on how it was made."""
    plan.meta["robust"] = {k: v for k, v in meta.items() if k != "timings_seconds"}
    plan.meta["notes"] = [
        *plan.meta["notes"],
        f"hedged plan: first-stage decisions of a {n_scenarios}-scenario SAA against interconnection "
        "delays (siting.solve_robust), operated with every connection on time",
    ]


def _timed(timings: dict[str, float], key: str, fn, *args):
    """``fn(*args)``, its wall-clock seconds recorded in ``timings[key]``."""
    t0 = time.perf_counter()
    out = fn(*args)
    timings[key] = time.perf_counter() - t0
    return out


def _solver_args(scenario: Scenario) -> tuple:
    s = scenario.solver
    return (
        s.time_limit_seconds,
        s.mip_gap,
        s.threads,
        s.seed,
        s.tee,
        {"mip_heuristic_effort": s.heuristic_effort},
    )


def _solve_saa(
    inputs: ModelInputs,
    lead_times: pd.DataFrame,
    scenario: Scenario,
    timings: dict[str, float],
    progress: ProgressCallback | None = None,
) -> tuple[pyo.ConcreteModel, SolveResult]:
    """Build and solve the extensive form; raise when HiGHS returns no plan."""
    t1 = time.perf_counter()
    top = build_extensive_form(inputs, lead_times)
    timings["build_seconds"] = time.perf_counter() - t1
    label = f"SAA over {len(lead_times)} delay scenarios"
    result = solve_model(top, *_solver_args(scenario), progress=labelled(progress, label))
    timings["solve_seconds"] = result.solve_seconds
    if result.status in ("infeasible", "error"):
        raise InfeasibleScenarioError(
            f"the {len(lead_times)}-scenario SAA of '{scenario.name}' has no plan ({result.termination}); "
            "raise solver.time_limit_seconds or use fewer scenarios"
        )
    return top, result


def _hedged_plan(
    first: pyo.Block,
    inputs: ModelInputs,
    scenario: Scenario,
    dataset: Dataset,
    progress: ProgressCallback | None = None,
) -> BuildPlan:
    """The first stage of ``first`` held in a model at the nominal lead times; the rest re-optimised."""
    d = dataclasses.replace(inputs, notes=list(inputs.notes))
    m = build_model(d)
    hold_first_stage(m, first)
    result = solve_model(m, *_solver_args(scenario), progress=labelled(progress, "hedged plan"))
    if result.status in ("infeasible", "error"):
        raise InfeasibleScenarioError(
            f"the SAA's first stage cannot be operated at the nominal lead times ({result.termination})"
        )
    return assemble_plan(m, d, result, scenario, dataset)


def compare_plans(
    nominal: BuildPlan,
    hedged: BuildPlan,
    n: int,
    seed: int | None,
    distributions: pd.DataFrame | None = None,
    value_of_lost_compute_usd_per_mw_year: float | None = None,
) -> pd.DataFrame:
    """Both plans scored by :func:`siting.evaluate_delays` on ``n`` samples with the same ``seed``: the
    table of :attr:`RobustResult.comparison` (PV USD and MW-years)."""
    cols = {}
    for label, plan in (("nominal", nominal), ("hedged", hedged)):
        mc = evaluate_delays(
            plan,
            n=n,
            seed=seed,
            distributions=distributions,
            value_of_lost_compute_usd_per_mw_year=value_of_lost_compute_usd_per_mw_year,
        )
        col = {"planned_cost_usd": plan.objective_usd}
        col |= {metric: float(mc.summary.at[row, q]) for metric, row, q in EVALUATED}
        col["expected_cost_usd"] = col["planned_cost_usd"] + col["mean_extra_cost_pv_usd"]
        cols[label] = col
    table = pd.DataFrame(cols)
    table["change"] = table["hedged"] - table["nominal"]
    table.index.name = "metric"
    return table


def _meta(top, result: SolveResult, lead_times, comparison, seed, eval_samples, eval_seed, timings) -> dict:
    change = comparison["change"]
    return {
        "n_scenarios": len(lead_times),
        "seed": seed,
        "eval_samples": eval_samples,
        "eval_seed": eval_seed,
        "objective_usd": result.objective_usd,
        "scenario_objectives_usd": [float(pyo.value(b.objective.expr)) for b in top._scenarios],
        "status": result.status,
        "mip_gap": result.mip_gap,
        "model_size": result.model_size,
        "first_stage": list(FIRST_STAGE),
        "hedge_cost_usd": float(change["planned_cost_usd"]),
        "buys": {
            "mean_extra_cost_pv_usd": 0.0 - float(change["mean_extra_cost_pv_usd"]),
            "p90_extra_cost_pv_usd": 0.0 - float(change["p90_extra_cost_pv_usd"]),
            "mean_shortfall_mw_years": 0.0 - float(change["mean_shortfall_mw_years"]),
            "p90_shortfall_mw_years": 0.0 - float(change["p90_shortfall_mw_years"]),
        },
        "timings_seconds": {k: round(v, 3) for k, v in timings.items()},
    }


__all__ = [
    "FIRST_STAGE",
    "RobustResult",
    "build_extensive_form",
    "compare_plans",
    "delayed_inputs",
    "hold_first_stage",
    "sample_lead_times",
    "solve_robust",
]
