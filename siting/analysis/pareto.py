"""The cost–time–carbon frontier by the epsilon-constraint method: ``siting.pareto``.

Objectives (units; :data:`siting.model.build.TRADEOFF_OBJECTIVES`):

* ``cost`` — present value of every cost category except the shortfall penalty (USD of the scenario's
  currency year): what the plan costs, without pricing its lateness.
* ``time_to_power`` — IT MW-years short of the targets: Σ over time steps of shortfall MW × step years
  (MW·yr). 0 means every target is met on its date; 100 MW·yr is, e.g., 100 MW a year late or 200 MW six
  months late.
* ``carbon`` — total emissions over the horizon (tCO2; the one definition, ``plan.json``
  ``emissions_definition``).

Method. The first objective is the primary one (cost by default), every other one is secondary. For each
secondary objective ``o`` in turn, one 2-D frontier (primary, ``o``):

1. the primary-end anchor: ``o`` minimised with the primary held at its minimum (lexicographic);
2. the ``o``-end anchor: ``o`` minimised alone, then the primary minimised with ``o`` held at its minimum;
3. ``points − 2`` interior points: the primary minimised with ``o ≤ ε``, ε evenly spaced between the two
   anchors' values of ``o``.

Secondary objectives earlier in the list are held at their minimum (the ``o``-end anchor's value) in the
frontiers of later ones: with the default order, the cost–time frontier trades cost against lateness
freely, and the cost–carbon frontier trades cost against emissions among the plans that are as early as
possible (otherwise minimising carbon would mean building nothing). "Held" and "at its minimum" allow a
relative slack of :data:`HOLD_SLACK`. A frontier whose anchors coincide has one point.

Each point is solved by :func:`siting.solve` (``objective=``, ``limits=``), saved as a normal plan
directory under ``out/points/<k>/`` and listed in ``out/frontier.csv``; ``out/frontier.png`` plots it.
"""

from __future__ import annotations

import math
import shutil
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from .. import plotting
from ..api import solve
from ..data.load import Dataset, load_dataset
from ..errors import InfeasibleScenarioError, InputError
from ..model.build import TRADEOFF_OBJECTIVES
from ..model.solve import ProgressCallback, labelled
from ..plotting.frontier import plot_frontier
from ..results.plan import BuildPlan, PlanExistsError
from ..scenario import Scenario, load_scenario

#: Columns of the frontier table holding each objective's value, with its unit.
OBJECTIVE_COLUMNS = {"cost": "cost_usd", "time_to_power": "time_to_power_mw_yr", "carbon": "carbon_tco2"}
#: Relative slack (–) of a held objective and of an anchor's limit over the value found, plus the same in
#: absolute units (1e-6 USD, MW·yr or tCO2 below which numbers are noise).
HOLD_SLACK = 1.0e-6
#: Two points whose objectives differ by less than this relative tolerance (–) are the same point; one
#: is flagged dominated (a numerical tie).
TIE_TOLERANCE = 1.0e-6


def objective_values(plan: BuildPlan) -> dict[str, float]:
    """The trade-off objectives of a solved or loaded plan, from ``plan.meta``.

    Returns
    -------
    dict
        ``cost`` (PV USD without ``shortfall_penalty``), ``time_to_power`` (Σ shortfall MW × step years,
        MW·yr) and ``carbon`` (Σ emissions, tCO2).
    """
    m = plan.meta
    costs = m["costs_usd"]
    return {
        "cost": float(sum(v for k, v in costs.items() if k != "shortfall_penalty")),
        "time_to_power": float(sum(s["shortfall_it_mw"] * s["years"] for s in m["steps"])),
        "carbon": float(sum(s["emissions_tco2"] for s in m["steps"])),
    }


def _hold(value: float) -> float:
    """A limit that keeps ``value`` feasible despite rounding: value + slack."""
    return value + HOLD_SLACK * max(1.0, abs(value))


def flag_dominated(table: pd.DataFrame, objectives: Sequence[str], tol: float = TIE_TOLERANCE) -> pd.Series:
    """Which rows are dominated within their frontier (all objectives minimised).

    A row is dominated when another row of the same ``frontier`` is no worse in every objective of that
    frontier (within ``tol`` relative to the larger magnitude) and better in at least one by more, or when
    it repeats an earlier row's values within ``tol`` (a numerical tie: the first is kept).

    Parameters
    ----------
    table : DataFrame
        Columns ``frontier`` and the value columns of :data:`OBJECTIVE_COLUMNS`.
    objectives : sequence of str
        Names of the objectives; a row of frontier ``"cost–carbon"`` is compared on those two.

    Returns
    -------
    Series of bool, aligned with ``table``.
    """
    out = pd.Series(False, index=table.index)
    for name, rows in table.groupby("frontier", sort=False):
        cols = [OBJECTIVE_COLUMNS[o] for o in objectives if o in str(name).split("–")]
        vals = rows[cols].to_numpy(dtype=float)
        scale = np.maximum(np.abs(vals)[:, None, :], np.abs(vals)[None, :, :]).clip(min=1.0)
        diff = (vals[:, None, :] - vals[None, :, :]) / scale  # [i, j]: i minus j
        no_worse = (diff >= -tol).all(axis=2)  # j no worse than i in every objective
        better = (diff > tol).any(axis=2)  # j better than i in at least one
        tie = (np.abs(diff) <= tol).all(axis=2) & np.tri(len(rows), k=-1, dtype=bool)
        out[rows.index] = ((no_worse & better) | tie).any(axis=1)
    return out


class _Runner:
    """Solves trade-off points of one scenario and saves each as ``out/points/<k>``."""

    def __init__(
        self,
        scenario: Scenario,
        dataset: Dataset,
        out: Path | None,
        overrides: dict,
        progress: ProgressCallback | None = None,
    ) -> None:
        self.scenario, self.dataset, self.out, self.overrides = scenario, dataset, out, overrides
        self.progress, self.solves = progress, 0
        self.rows: list[dict] = []

    def solve(self, objective: str, limits: dict[str, float]) -> tuple[BuildPlan | None, dict[str, float]]:
        """One solve: (plan or None if no plan meets the limits, its objective values)."""
        self.solves += 1
        report = labelled(self.progress, f"solve {self.solves}, min {objective}")
        try:
            plan = solve(
                self.scenario,
                self.dataset,
                objective=objective,
                limits=limits or None,
                progress=report,
                **self.overrides,
            )
        except InfeasibleScenarioError:
            return None, {o: math.nan for o in TRADEOFF_OBJECTIVES}
        return plan, objective_values(plan)

    def record(self, plan: BuildPlan | None, frontier: str, role: str, limits: dict[str, float]) -> dict:
        """Save the plan (if any) as the next point and add its row to the table."""
        k = len(self.rows)
        values = objective_values(plan) if plan is not None else {o: math.nan for o in TRADEOFF_OBJECTIVES}
        plan_dir = None
        if plan is not None and self.out is not None:
            plan_dir = str(self.out / "points" / str(k))
            plan.save(plan_dir, overwrite=True)
        row = {"point": k, "frontier": frontier, "role": role}
        row |= {OBJECTIVE_COLUMNS[o]: values[o] for o in TRADEOFF_OBJECTIVES}
        row |= {
            "limits": "; ".join(f"{n} ≤ {v:.6g}" for n, v in limits.items()),
            "status": plan.status if plan is not None else "no plan",
            "mip_gap": plan.meta["mip_gap"] if plan is not None else math.nan,
            "plan_dir": plan_dir,
        }
        self.rows.append(row)
        return values


def _frontier(
    run: _Runner, primary: str, o: str, held: dict[str, float], primary_best: float, points: int
) -> tuple[float, float]:
    """Anchors and interior points of the 2-D frontier (primary, o) with ``held`` limits on earlier
    objectives; returns o's minimum and the primary's value at the o-end anchor (both for holding)."""
    name = f"{primary}–{o}"
    limits = {**held, primary: _hold(primary_best)}
    plan, _ = run.solve(o, limits)
    hi = run.record(plan, name, f"min {primary}", limits)[o]
    _, first = run.solve(o, held)
    o_best = first[o]
    if not math.isfinite(o_best):  # no plan (e.g. the time limit came first): the frontier stops here
        run.record(None, name, f"min {o}", held)
        return o_best, math.nan
    limits = {**held, o: _hold(o_best)}
    plan, _ = run.solve(primary, limits)
    lo_values = run.record(plan, name, f"min {o}", limits)
    lo = lo_values[o]
    if math.isfinite(hi) and math.isfinite(lo) and hi - lo > TIE_TOLERANCE * max(1.0, abs(hi)):
        for eps in np.linspace(lo, hi, points)[1:-1]:
            limits = {**held, o: float(eps)}
            plan, _ = run.solve(primary, limits)
            run.record(plan, name, "interior", limits)
    return o_best, lo_values[primary]


def pareto(
    scenario: Scenario | str | Path,
    objectives: Sequence[str] = ("cost", "time_to_power", "carbon"),
    points: int = 5,
    out: str | Path | None = None,
    dataset: Dataset | None = None,
    data_dir: str | Path | None = None,
    overwrite: bool = False,
    progress: ProgressCallback | None = None,
    **solver_overrides,
) -> pd.DataFrame:
    """Trade-off frontier of a scenario by the epsilon-constraint method (see the module docstring).

    Parameters
    ----------
    scenario : Scenario or path
        A scenario object or YAML file.
    objectives : sequence of str
        The primary objective first, then the secondary ones: names of
        :data:`~siting.model.build.TRADEOFF_OBJECTIVES` (``cost`` in PV USD without the shortfall penalty,
        ``time_to_power`` in MW·yr short of the targets, ``carbon`` in tCO2 over the horizon).
    points : int
        Points per 2-D frontier, both anchors included (≥ 2): ``points − 2`` evenly spaced limits between
        the anchors.
    out : path, optional
        Directory for ``points/<k>/`` (a plan directory per point), ``frontier.csv`` and ``frontier.png``;
        default: nothing is written and ``plan_dir`` is empty.
    dataset, data_dir
        As in :func:`siting.solve` (loaded once for all points).
    overwrite : bool
        Replace an earlier frontier in a non-empty ``out``.
    progress : callable, optional
        Called about once a second during every solve with a
        :class:`~siting.model.solve.SolveProgress` whose ``stage`` names the solve (``"solve 2, min
        carbon: full model"``).
    **solver_overrides
        Fields of the scenario's ``solver`` section, for every solve.

    Raises
    ------
    InfeasibleScenarioError
        The scenario has no plan at all (a later solve without a plan, infeasible or stopped by the time
        limit first, gives a row with status ``no plan`` and ends the frontiers there).
    PlanExistsError
        ``out`` is not empty and ``overwrite`` is not set (checked before any solve).

    Returns
    -------
    DataFrame
        One row per point: ``point``, ``frontier`` (``"cost–time_to_power"``), ``role`` (``min cost``,
        ``min time_to_power``, ``interior``), ``cost_usd``, ``time_to_power_mw_yr``, ``carbon_tco2``,
        ``limits`` (the epsilon constraints of that solve), ``status``, ``mip_gap``, ``plan_dir`` and
        ``dominated`` (:func:`flag_dominated`).
    """
    objectives = _check_objectives(objectives, points)
    out = Path(out) if out is not None else None
    if out is not None:
        _check_out(out, overwrite)
    if not isinstance(scenario, Scenario):
        scenario = load_scenario(scenario)
    if dataset is None:
        dataset = load_dataset(scenario, Path(data_dir) if data_dir else None)
    run = _Runner(scenario, dataset, out, solver_overrides, progress)
    table = pd.DataFrame(_frontiers(run, objectives, points))
    table["dominated"] = flag_dominated(table, objectives)
    if out is not None:
        table.to_csv(out / "frontier.csv", index=False)
        plotting.save_figure(plot_frontier(table, objectives), out / "frontier.png")
    return table


def _frontiers(run: _Runner, objectives: list[str], points: int) -> list[dict]:
    """The 2-D frontiers of the primary objective against each other one in turn, every earlier one held at
    its best; returns the rows of all points. The first solve (the primary's minimum) raises
    :class:`InfeasibleScenarioError` when the scenario has no plan at all."""
    primary, held = objectives[0], {}
    first = solve(
        run.scenario,
        run.dataset,
        objective=primary,
        progress=labelled(run.progress, f"min {primary}"),
        **run.overrides,
    )
    primary_best = objective_values(first)[primary]
    for o in objectives[1:]:
        # the next frontier's primary end: the primary's minimum with every earlier objective held
        o_best, primary_best = _frontier(run, primary, o, held, primary_best, points)
        if not math.isfinite(o_best):
            break
        held[o] = _hold(o_best)
    return run.rows


def _check_objectives(objectives: Sequence[str], points: int) -> list[str]:
    objectives = list(objectives)
    unknown = [o for o in objectives if o not in TRADEOFF_OBJECTIVES]
    if unknown or len(objectives) < 2 or len(set(objectives)) < len(objectives):
        raise InputError(
            f"objectives {objectives} are not two or more distinct names",
            fix=f"choose from {', '.join(TRADEOFF_OBJECTIVES)}, the primary one first",
        )
    if points < 2:
        raise InputError(f"points = {points}", fix="ask for at least 2 points (the two anchors) per frontier")
    return objectives


def _check_out(out: Path, overwrite: bool) -> None:
    """Accept a missing or empty ``out``, or with ``overwrite`` one holding an earlier frontier, complete
    or interrupted (its ``points/`` are removed); raise :class:`PlanExistsError` otherwise."""
    if out.exists() and not out.is_dir():
        raise PlanExistsError(f"{out} is a file, not a directory. Fix: choose another output directory")
    if out.is_dir() and any(out.iterdir()):
        if not overwrite:
            raise PlanExistsError(
                f"{out} is not empty. Fix: pass --force (command line) or overwrite=True to replace the "
                "frontier there, or choose another output directory"
            )
        if not ((out / "frontier.csv").exists() or (out / "points").is_dir()):  # points/: interrupted run
            raise PlanExistsError(
                f"{out} is not empty and holds no frontier.csv, so it is not replaced even with --force / "
                "overwrite=True. Fix: choose another output directory or empty it"
            )
        shutil.rmtree(out / "points", ignore_errors=True)
    out.mkdir(parents=True, exist_ok=True)


__all__ = ["OBJECTIVE_COLUMNS", "flag_dominated", "objective_values", "pareto"]
