"""Analyses that drive many solves: sweeps of scenario variations on dask.distributed (:mod:`.sweep`);
Monte Carlo of interconnection delays on a solved plan (:mod:`.delays`)."""

from .delays import DelayEvaluation, evaluate_delays
from .pareto import flag_dominated, objective_values, pareto
from .sweep import apply_overrides, case_id, expand_variations, load_variations, run_case, sweep

__all__ = [
    "DelayEvaluation",
    "apply_overrides",
    "case_id",
    "evaluate_delays",
    "expand_variations",
    "flag_dominated",
    "load_variations",
    "objective_values",
    "pareto",
    "run_case",
    "sweep",
]
