"""siting: where to build the next gigawatt of AI compute, how fast it can be powered, and at what cost.

Quick use::

    import siting
    plan = siting.solve("models/us_1gw_2030.yaml")
    plan.summary()
    plan.save("results/us_1gw_2030")
"""

from .analysis.delays import evaluate_delays
from .analysis.pareto import pareto
from .analysis.robust import solve_robust
from .analysis.sweep import sweep
from .api import solve, validate, versions
from .data.load import Dataset, load_dataset
from .errors import InfeasibleScenarioError, InputError, SitingError
from .results.plan import BuildPlan
from .scenario import Scenario, load_scenario

__all__ = [
    "BuildPlan",
    "Dataset",
    "InfeasibleScenarioError",
    "InputError",
    "Scenario",
    "SitingError",
    "evaluate_delays",
    "load_dataset",
    "load_scenario",
    "pareto",
    "solve",
    "solve_robust",
    "sweep",
    "validate",
    "versions",
]
