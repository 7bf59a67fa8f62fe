"""Analyses that drive many solves: sweeps of scenario variations on dask.distributed (:mod:`.sweep`);
Monte Carlo of interconnection delays on a solved plan (:mod:`.delays`); the two-stage
plan against sampled delays (:mod:`.robust`)."""

from .delays import DelayEvaluation, evaluate_delays
from .pareto import flag_dominated, objective_values, pareto
from .robust import RobustResult, sample_lead_times, solve_robust
from .sweep import apply_overrides, case_id, expand_variations, load_variations, run_case, sweep

__all__ = [
    "DelayEvaluation",
    "RobustResult",
    "apply_overrides",
    "case_id",
    "evaluate_delays",
    "expand_variations",
    "flag_dominated",
    "load_variations",
    "objective_values",
    "pareto",
    "run_case",
    "sample_lead_times",
    "solve_robust",
    "sweep",
]
