"""Solve the Pyomo model with HiGHS through Pyomo's highspy interface (no LP-file round trip)."""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

import pyomo.environ as pyo
from pyomo.contrib.solver.common.factory import SolverFactory
from pyomo.contrib.solver.common.results import SolutionStatus, TerminationCondition

from ..errors import SitingError


@dataclass
class SolveResult:
    """What the solver said, reported honestly.

    ``status`` is ``optimal`` (gap within the requested tolerance), ``feasible`` (stopped at a limit with
    a plan), ``infeasible`` or ``error``. ``mip_gap`` is the relative gap between the incumbent and the
    best bound when HiGHS stopped (NaN without an incumbent).
    """

    status: str
    termination: str
    objective_usd: float
    best_bound_usd: float
    mip_gap: float
    solve_seconds: float
    model_size: dict[str, int]
    solver_version: str


def solve_model(
    m: pyo.ConcreteModel,
    time_limit_seconds: float = 300.0,
    mip_gap: float = 0.005,
    threads: int = 1,
    seed: int = 0,
    tee: bool = False,
    extra_options: dict | None = None,
) -> SolveResult:
    """Solve ``m`` in place with HiGHS and load the solution (if any) into its variables.

    Parameters
    ----------
    time_limit_seconds : float
        Wall-clock limit (s).
    mip_gap : float
        Relative MIP gap at which HiGHS stops (–).
    threads : int
        HiGHS threads.
    seed : int
        HiGHS ``random_seed`` (fixes the branch-and-bound path, with ``threads=1``, for determinism).
    tee : bool
        Stream the HiGHS log.
    """
    opt = SolverFactory("highs")
    if not opt.available():
        raise SitingError("HiGHS (highspy) is not available: pip install highspy")
    t0 = time.perf_counter()
    res = opt.solve(
        m,
        time_limit=time_limit_seconds,
        rel_gap=mip_gap,
        threads=threads,
        tee=tee,
        load_solutions=False,
        raise_exception_on_nonoptimal_result=False,
        solver_options={"random_seed": int(seed), "mip_abs_gap": 1.0, **(extra_options or {})},
    )
    elapsed = time.perf_counter() - t0
    h = opt._solver_model
    size = {
        "variables": int(h.getNumCol()),
        "integer_variables": int(
            sum(1 for v in m.component_data_objects(pyo.Var, active=True) if v.is_integer() and not v.fixed)
        ),
        "constraints": int(h.getNumRow()),
        "nonzeros": int(h.getNumNz()),
    }
    tc = res.termination_condition
    has_solution = res.solution_status in (SolutionStatus.optimal, SolutionStatus.feasible)
    if has_solution:
        res.solution_loader.load_vars()
    obj = float(res.incumbent_objective) if res.incumbent_objective is not None else math.nan
    bound = float(res.objective_bound) if res.objective_bound is not None else math.nan
    gap = abs(obj - bound) / max(abs(obj), 1e-9) if has_solution and math.isfinite(bound) else math.nan
    if tc in (TerminationCondition.provenInfeasible, TerminationCondition.locallyInfeasible):
        status = "infeasible"
    elif tc == TerminationCondition.infeasibleOrUnbounded:
        status = "infeasible"
    elif has_solution and tc == TerminationCondition.convergenceCriteriaSatisfied:
        status = "optimal"
    elif has_solution:
        status = "feasible"
    else:
        status = "error"
    version = ".".join(str(v) for v in opt.version())
    return SolveResult(status, str(tc.name), obj, bound, gap, elapsed, size, version)
