"""Solve the Pyomo model with HiGHS through highspy (no LP-file round trip).

The model is compiled to matrices with Pyomo's linear standard-form compiler (fixed variables become
constants and drop out) and handed to ``highspy`` in one call: an order of magnitude faster than adding
rows one by one through Pyomo's persistent interface. Solution values are loaded back into the Pyomo
variables; variables that appear nowhere (and fixed ones) keep their values.

HiGHS runs in a worker thread so that Ctrl-C (or SIGTERM, which the command line turns into
``KeyboardInterrupt``) cancels it: HiGHS stops at its next check and the ``KeyboardInterrupt`` goes on to
the caller, so no plan is written. HiGHS releases Python's lock while it runs, so the bound pass is built
and solved on the second core while the warm start runs on the first.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace

import numpy as np
import pyomo.environ as pyo
from pyomo.common.errors import InfeasibleConstraintException
from pyomo.repn.plugins.standard_form import LinearStandardFormCompiler

from ..errors import SitingError

try:
    import highspy
except ImportError:  # pragma: no cover - reported when solving
    highspy = None

#: HiGHS model status → the termination name reported (Pyomo's ``TerminationCondition`` names)
_TERMINATION = {
    "kOptimal": "convergenceCriteriaSatisfied",
    "kModelEmpty": "convergenceCriteriaSatisfied",
    "kInfeasible": "provenInfeasible",
    "kUnboundedOrInfeasible": "infeasibleOrUnbounded",
    "kUnbounded": "unbounded",
    "kTimeLimit": "maxTimeLimit",
    "kIterationLimit": "iterationLimit",
    "kSolutionLimit": "iterationLimit",
    "kInterrupt": "interrupted",
    "kObjectiveBound": "objectiveLimit",
    "kObjectiveTarget": "objectiveLimit",
}

#: termination → what stopped HiGHS before it proved the gap, in words (for messages)
LIMIT_WORDS = {
    "maxTimeLimit": "the time limit",
    "iterationLimit": "a node, iteration or solution limit",
    "objectiveLimit": "an objective limit",
    "interrupted": "an interrupt",
}

#: seconds between two checks for Ctrl-C while HiGHS runs
_POLL_SECONDS = 0.1
#: seconds between two progress reports during a solve
PROGRESS_SECONDS = 1.0
#: share of the time limit the warm-start pass may use (the full solve gets the rest)
WARM_START_TIME_SHARE = 0.25


@dataclass(frozen=True)
class SolveProgress:
    """Where a running solve is, for a progress display (sent about once a second).

    ``stage`` is ``warm start`` (the pass over the short list of sites) or ``full model``; ``seconds`` the
    wall time since the solve began (s); ``best_usd`` and ``bound_usd`` the best plan's objective and the
    best bound so far (USD; NaN while unknown); ``gap`` their relative gap (–; NaN while unknown);
    ``lp_iterations`` the simplex iterations of the current stage (–).
    """

    stage: str
    seconds: float
    best_usd: float
    bound_usd: float
    gap: float
    lp_iterations: int


ProgressCallback = Callable[[SolveProgress], None]


def labelled(progress: ProgressCallback | None, label: str) -> ProgressCallback | None:
    """``progress`` with ``label`` before every report's stage (``"point 3: full model"``), for analyses that
    run several solves; None stays None."""
    if progress is None:
        return None
    return lambda p: progress(replace(p, stage=f"{label}: {p.stage}"))


@dataclass
class SolveResult:
    """What the solver said, reported honestly.

    ``status`` is ``optimal`` (gap within the requested tolerance), ``feasible`` (stopped at a limit with
    a plan: ``termination`` names the limit, e.g. ``maxTimeLimit``), ``infeasible`` or ``error`` (no plan,
    e.g. the time limit came before any feasible plan). ``mip_gap`` is the relative gap between the
    incumbent and the best bound when HiGHS stopped (–; NaN without an incumbent or a bound).
    """

    status: str
    termination: str
    objective_usd: float
    best_bound_usd: float
    mip_gap: float
    solve_seconds: float
    model_size: dict[str, int]
    solver_version: str
    #: the warm-start pass (empty: none ran): ``held_columns`` held at 0, ``objective_usd`` of its plan (NaN:
    #: none found), ``seconds``
    warm_start: dict = field(default_factory=dict)
    #: the bound pass (empty: none ran): ``bound_usd`` (the LP bound of the period-averaged model, NaN if
    #: HiGHS did not finish it), ``seconds``, ``proved`` (True: the warm-start plan was within the MIP gap of
    #: it, so the full model was not solved)
    bound_pass: dict = field(default_factory=dict)


def solve_model(
    m: pyo.ConcreteModel,
    time_limit_seconds: float = 300.0,
    mip_gap: float = 0.005,
    threads: int = 1,
    seed: int = 0,
    tee: bool = False,
    extra_options: dict | None = None,
    *,
    warm_start_zero: Sequence[pyo.Var] = (),
    bound_model: Callable[[], pyo.ConcreteModel] | None = None,
    progress: ProgressCallback | None = None,
) -> SolveResult:
    """Solve ``m`` in place with HiGHS and load the solution (if any) into its variables.

    A limit (time, nodes, solutions) that stops HiGHS with a feasible plan gives status ``feasible`` and
    that plan (the incumbent) with its gap; without one, status ``error``.

    With ``warm_start_zero``, HiGHS first solves the model with those variables held at 0 (e.g. every site
    off a short list, :mod:`siting.model.screen`) for at most ``WARM_START_TIME_SHARE`` of the time limit,
    then the full model from that plan: the warm start changes how soon a good plan is known, not the gap.

    Parameters
    ----------
    time_limit_seconds : float
        Wall-clock limit (s).
    mip_gap : float
        Relative MIP gap at which HiGHS stops (–).
    threads, seed : int
        HiGHS threads and ``random_seed`` (with one thread, a fixed seed fixes the path: determinism).
    tee : bool
        Stream the HiGHS log.
    extra_options : dict, optional
        Further HiGHS options by name (e.g. ``{"mip_max_nodes": 10}``), applied last.
    warm_start_zero : sequence of Pyomo variables, optional
        Variables held at 0 in the warm-start pass (none: no warm-start pass).
    bound_model : callable, optional
        Builds a relaxation of ``m`` (:mod:`siting.model.relax`). With a warm start, it is built while the
        warm start runs and its LP solved beside it (one more HiGHS thread); a warm-start plan within
        ``mip_gap`` of its bound is returned as optimal without solving ``m``.
    progress : callable, optional
        Called with a :class:`SolveProgress` about once a second while HiGHS runs (from HiGHS's thread).

    Raises
    ------
    KeyboardInterrupt
        On Ctrl-C during the solve, after HiGHS has stopped; the model's variables are not changed.
    """
    if highspy is None:
        raise SitingError("HiGHS (highspy) is not available: pip install highspy")
    t0 = time.perf_counter()
    integer_vars = sum(v.is_integer() and not v.fixed for v in m.component_data_objects(pyo.Var, active=True))
    try:
        form = LinearStandardFormCompiler().write(m, mixed_form=True, set_sense=None)
    except InfeasibleConstraintException:
        return _infeasible(integer_vars)
    h = _highs_model(form, m)
    options = {"time_limit": float(time_limit_seconds), "mip_rel_gap": float(mip_gap), "mip_abs_gap": 1.0}
    options |= {"threads": int(threads), "random_seed": int(seed), "output_flag": tee, "log_to_console": tee}
    _set_options(h, options | (extra_options or {}))
    stage = _ProgressRelay(progress, t0).subscribe(h) if progress else None
    settings = (threads, seed, _left(time_limit_seconds, t0))
    beside = _BoundPass(bound_model, settings, progress, t0) if bound_model else None
    warm_limit = WARM_START_TIME_SHARE * time_limit_seconds
    warm, plan = _warm_start(h, form, warm_start_zero, warm_limit, stage, beside)
    bound = {}
    if beside is not None and beside.running is not None and plan is not None:
        bound = beside.result(warm["objective_usd"], mip_gap)
        if bound["proved"]:
            _load(form, plan.col_value)
            return _proved(h, integer_vars, warm, bound, time.perf_counter() - t0)
        _stop_within_gap_of(h, bound["bound_usd"], mip_gap)
    if warm_start_zero:  # the full solve gets what the warm start and the bound pass left
        h.setOptionValue("time_limit", _left(time_limit_seconds, t0))
    if stage:
        stage.stage = "full model"
    _wait([_Running(h)])
    result = _result(h, form, integer_vars, time.perf_counter() - t0)
    result.warm_start, result.bound_pass = warm, bound
    return _with_bound(result, bound.get("bound_usd", math.nan), mip_gap)


def _infeasible(integer_vars: int) -> SolveResult:
    """The result when Pyomo's compiler finds a constraint that no value can meet (HiGHS never runs)."""
    size = {"variables": 0, "integer_variables": integer_vars, "constraints": 0, "nonzeros": 0}
    return SolveResult("infeasible", "provenInfeasible", math.nan, math.nan, math.nan, 0.0, size, _version())


def _left(time_limit_seconds: float, t0: float) -> float:
    """Seconds of ``time_limit_seconds`` left since ``t0`` (``time.perf_counter``), at least 1 s."""
    return max(float(time_limit_seconds) - (time.perf_counter() - t0), 1.0)


def _set_options(h, options: dict) -> None:
    for k, v in options.items():
        h.setOptionValue(k, v)


def _within_gap(objective_usd: float, bound_usd: float, mip_gap: float) -> bool:
    """True when a plan of cost ``objective_usd`` is within ``mip_gap`` (–) of the lower bound ``bound_usd``
    (USD; False when either is unknown: NaN or HiGHS's infinity).

    >>> _within_gap(100.0, 99.6, 0.005), _within_gap(100.0, 99.4, 0.005)
    (True, False)
    """
    gap = relative_gap(objective_usd, bound_usd) if abs(objective_usd) < 1e30 else math.nan
    return bool(math.isfinite(gap) and bound_usd <= objective_usd and gap <= mip_gap)


def _stop_within_gap_of(h, bound_usd: float, mip_gap: float) -> None:
    """Stop HiGHS's branch and bound as soon as its best plan is within ``mip_gap`` of ``bound_usd`` (a
    valid lower bound from the bound pass), whatever HiGHS's own bound then is."""
    if math.isfinite(bound_usd):
        h.cbMipInterrupt.subscribe(
            lambda e: e.interrupt() if _within_gap(e.data_out.mip_primal_bound, bound_usd, mip_gap) else None
        )


def _with_bound(result: SolveResult, bound_usd: float, mip_gap: float) -> SolveResult:
    """``result`` with the better of HiGHS's bound and the bound pass's ``bound_usd`` (both valid lower
    bounds): its gap, and status ``optimal`` when a plan stopped by the bound rule, a time limit or an
    interrupt is within ``mip_gap`` of that bound."""
    if not (math.isfinite(bound_usd) and math.isfinite(result.objective_usd)):
        return result
    best = max(bound_usd, result.best_bound_usd) if math.isfinite(result.best_bound_usd) else bound_usd
    result = replace(result, best_bound_usd=best, mip_gap=relative_gap(result.objective_usd, best))
    if result.status == "feasible" and _within_gap(result.objective_usd, best, mip_gap):
        result = replace(result, status="optimal", termination="convergenceCriteriaSatisfied")
    return result


def _proved(h, integer_vars: int, warm: dict, bound: dict, elapsed: float) -> SolveResult:
    """The result of a solve whose warm-start plan the bound pass proved within the gap: optimal, with the
    bound pass's bound (the full model was not solved; ``h`` only gives its size)."""
    objective, lower = warm["objective_usd"], bound["bound_usd"]
    gap = relative_gap(objective, lower)
    size = _size(h, integer_vars)
    tc = "convergenceCriteriaSatisfied"
    return SolveResult("optimal", tc, objective, lower, gap, elapsed, size, _version(), warm, bound)


class _BoundPass:
    """The bound pass: the LP relaxation of the model that ``build`` returns (a relaxation of the full
    model, :mod:`siting.model.relax`), with HiGHS's ``threads``, ``random_seed`` and ``time_limit`` (s) given
    in ``settings``. :meth:`start` builds and compiles it (in the caller's thread) and starts HiGHS on it in
    another; :meth:`result` reads the bound once it has finished. ``progress`` gets its reports, timed
    from ``t0`` (``time.perf_counter``)."""

    def __init__(
        self,
        build: Callable[[], pyo.ConcreteModel],
        settings: tuple[int, int, float],
        progress: ProgressCallback | None,
        t0: float,
    ) -> None:
        self.build, self.settings = build, settings
        self.relay = _ProgressRelay(progress, t0) if progress else None
        self.running: _Running | None = None
        self.t0 = math.nan

    def start(self) -> _Running:
        self.t0 = time.perf_counter()
        model = self.build()
        form = LinearStandardFormCompiler().write(model, mixed_form=True, set_sense=None)
        hb = _highs_model(form, model)
        threads, seed, limit_seconds = self.settings
        options = {"solve_relaxation": True, "threads": int(threads), "random_seed": int(seed)}
        _set_options(hb, options | {"time_limit": float(limit_seconds)})
        if self.relay:
            self.relay.stage = "bound (periods averaged)"
            self.relay.subscribe(hb)
        self.running = _Running(hb)
        return self.running

    def result(self, objective_usd: float, mip_gap: float) -> dict:
        """``bound_usd`` (NaN if HiGHS did not finish), ``seconds`` (build, compile and LP), and ``proved``
        when the plan of cost ``objective_usd`` (USD) is within ``mip_gap`` (–) of the bound."""
        hb = self.running.h
        done = hb.getModelStatus().name == "kOptimal"
        lower = float(hb.getInfo().objective_function_value) if done else math.nan
        proved = bool(done and lower <= objective_usd and relative_gap(objective_usd, lower) <= mip_gap)
        return {"bound_usd": lower, "seconds": self.running.finished_at - self.t0, "proved": proved}


def _warm_start(
    h,
    form,
    zero: Sequence,
    limit_seconds: float,
    relay: _ProgressRelay | None,
    beside: _BoundPass | None = None,
) -> tuple[dict, object]:
    """Solve with the ``zero`` columns held at 0, then free them and pass the plan found as the start.

    Columns whose bounds exclude 0 are left free (holding them at 0 would make the pass infeasible). With
    ``beside``, the bound pass is started once HiGHS runs the warm start, and both are waited for.
    Returns what the pass did (``held_columns``, ``objective_usd`` (NaN: no plan) and ``seconds``) and the
    plan (HiGHS's solution; None: none found).
    """
    if not zero:
        return {}, None
    t0 = time.perf_counter()
    position = {id(v): i for i, v in enumerate(form.columns)}
    lp = h.getLp()
    lower_all, upper_all = np.asarray(lp.col_lower_), np.asarray(lp.col_upper_)
    idx = np.array(sorted(position[id(v)] for v in zero if id(v) in position), dtype=np.int32)
    idx = idx[(lower_all[idx] <= 0.0) & (upper_all[idx] >= 0.0)]
    if not len(idx):  # nothing to hold (e.g. every site outside the short list already fixed closed)
        return {}, None
    lower, upper = lower_all[idx].copy(), upper_all[idx].copy()
    if relay:
        relay.stage = "warm start"
    h.changeColsBounds(len(idx), idx, np.zeros(len(idx)), np.zeros(len(idx)))
    h.setOptionValue("time_limit", float(limit_seconds))
    runs = [_Running(h)]
    try:
        if beside is not None:
            _started(runs, beside.start)
        _wait(runs)
    finally:
        if not runs[0].thread.is_alive():  # (a second Ctrl-C can leave HiGHS running: do not touch it)
            found = h.getInfo().primal_solution_status == 2  # kSolutionStatusFeasible
            solution = h.getSolution() if found else None
            objective = float(h.getInfo().objective_function_value) if found else math.nan
            h.changeColsBounds(len(idx), idx, lower, upper)
    if solution is not None:
        h.setSolution(solution)
    seconds = runs[0].finished_at - t0
    return {"held_columns": int(len(idx)), "objective_usd": objective, "seconds": seconds}, solution


class _ProgressRelay:
    """Turns HiGHS's simplex and MIP callbacks into :class:`SolveProgress` reports, at most one a second."""

    def __init__(self, report: ProgressCallback, t0: float) -> None:
        self.report, self.t0, self.stage = report, t0, "full model"
        self.best = self.bound = self.gap = math.nan
        self.last, self.iterations = -math.inf, 0

    def subscribe(self, h) -> _ProgressRelay:
        h.cbSimplexInterrupt.subscribe(self._on_simplex)
        h.cbMipInterrupt.subscribe(self._on_mip)
        return self

    def _on_simplex(self, e) -> None:
        self.iterations = int(e.data_out.simplex_iteration_count)
        self._send()

    def _on_mip(self, e) -> None:
        out = e.data_out
        finite = [
            np.isfinite(x) and abs(x) < highspy.kHighsInf for x in (out.mip_primal_bound, out.mip_dual_bound)
        ]
        self.best = float(out.mip_primal_bound) if finite[0] else math.nan
        self.bound = float(out.mip_dual_bound) if finite[1] else math.nan
        self.gap = relative_gap(self.best, self.bound)
        self._send()

    def _send(self) -> None:
        now = time.perf_counter()
        if now - self.last < PROGRESS_SECONDS:
            return
        self.last = now
        self.report(
            SolveProgress(self.stage, now - self.t0, self.best, self.bound, self.gap, self.iterations)
        )


class _Running:
    """``h.run()`` in a daemon thread. HiGHS releases Python's lock while it runs, so two runs use two
    cores. Setting ``cancelled`` makes HiGHS stop at its next check (simplex iteration, interior-point
    iteration or branch-and-bound step: within its current LP solve, which can take a minute on the
    largest models)."""

    def __init__(self, h) -> None:
        self.h, self.cancelled = h, threading.Event()
        self.finished_at = math.nan
        self.events = (h.cbSimplexInterrupt, h.cbIpmInterrupt, h.cbMipInterrupt)
        for event in self.events:
            event.subscribe(self._check)
        self.thread = threading.Thread(target=self._run, name="highs", daemon=True)
        self.thread.start()

    def _run(self) -> None:
        try:
            self.h.run()
        finally:
            self.finished_at = time.perf_counter()

    def _check(self, e) -> None:
        if self.cancelled.is_set():
            e.interrupt()

    def finished(self, timeout_seconds: float) -> bool:
        """Wait up to ``timeout_seconds`` (s); True once HiGHS has returned."""
        self.thread.join(timeout_seconds)
        if self.thread.is_alive():
            return False
        for event in self.events:
            event.unsubscribe(self._check)
        return True


def _started(runs: list[_Running], start: Callable[[], _Running]) -> None:
    """Append ``start()`` to ``runs``; if it raises (e.g. Ctrl-C while building), stop ``runs`` first."""
    try:
        runs.append(start())
    except BaseException:
        _stop(runs)
        raise


def _wait(runs: list[_Running]) -> None:
    """Wait for every run; on ``KeyboardInterrupt`` (or any error) cancel them all, wait for HiGHS to stop,
    and re-raise. A second ``KeyboardInterrupt`` stops waiting (the daemon threads die with the process)."""
    try:
        for run in runs:
            while not run.finished(_POLL_SECONDS):
                pass
    except BaseException:
        _stop(runs)
        raise


def _stop(runs: list[_Running]) -> None:
    for run in runs:
        run.cancelled.set()
    for run in runs:
        run.thread.join()


def _result(h, form, integer_vars: int, elapsed: float) -> SolveResult:
    """Read status, objective, bound and gap from a finished ``h``; load its solution into the model."""
    size = _size(h, integer_vars)
    info = h.getInfo()
    tc = _TERMINATION.get(h.getModelStatus().name, "unknown")
    has_solution = info.primal_solution_status == 2  # kSolutionStatusFeasible
    obj = float(info.objective_function_value) if has_solution else math.nan  # includes the constant
    if has_solution:
        _load(form, h.getSolution().col_value)
    if integer_vars:
        bound = float(info.mip_dual_bound) if np.isfinite(info.mip_dual_bound) else math.nan
    else:
        bound = obj if tc == "convergenceCriteriaSatisfied" else math.nan
    return SolveResult(
        solve_status(tc, has_solution), tc, obj, bound, relative_gap(obj, bound), elapsed, size, _version()
    )


def _size(h, integer_vars: int) -> dict[str, int]:
    """What HiGHS holds: variables, integer variables (counted in Pyomo), constraints, nonzeros."""
    return {
        "variables": int(h.getNumCol()),
        "integer_variables": integer_vars,
        "constraints": int(h.getNumRow()),
        "nonzeros": int(h.getNumNz()),
    }


def _load(form, values) -> None:
    """Set the model's variables (``form.columns`` order) to ``values``, integers rounded."""
    for v, x in zip(form.columns, values, strict=True):
        v.set_value(_snap(v, x), skip_validation=True)


def solve_status(termination: str, has_solution: bool) -> str:
    """``optimal``, ``feasible`` (stopped at a limit with a plan), ``infeasible`` or ``error`` (no plan).

    >>> solve_status("maxTimeLimit", True), solve_status("maxTimeLimit", False)
    ('feasible', 'error')
    """
    if termination in ("provenInfeasible", "infeasibleOrUnbounded"):
        return "infeasible"
    if not has_solution:
        return "error"
    return "optimal" if termination == "convergenceCriteriaSatisfied" else "feasible"


def relative_gap(objective: float, bound: float) -> float:
    """|objective − bound| / max(|objective|, 1e-9) (–); NaN when either is missing (NaN).

    >>> relative_gap(110.0, 99.0)
    0.1
    """
    if not (math.isfinite(objective) and math.isfinite(bound)):
        return math.nan
    return abs(objective - bound) / max(abs(objective), 1e-9)


def no_plan_message(result: SolveResult, time_limit_seconds: float) -> str:
    """Why HiGHS returned no plan (status ``error``) and what to do about it."""
    limit = LIMIT_WORDS.get(result.termination)
    if result.termination == "maxTimeLimit":
        what = f"HiGHS reached the time limit of {time_limit_seconds:g} s before finding any feasible plan"
    elif limit:
        what = f"HiGHS stopped at {limit} ({result.termination}) before finding any feasible plan"
    else:
        what = f"HiGHS stopped ({result.termination}) without a feasible plan"
    return (
        f"{what}, so there is no plan to write. Fix: raise solver.time_limit_seconds in the scenario "
        "(or --time-limit on the command line), or make the model smaller (a smaller region, fewer "
        "candidate sites, a larger phase_mw or fewer time steps)"
    )


def _highs_model(form, m: pyo.ConcreteModel):
    """A ``highspy.Highs`` holding the compiled model (columns in ``form.columns`` order)."""
    n, rows = len(form.columns), form.rows
    A = form.A.tocsc()
    rhs = np.asarray(form.rhs, dtype=float)
    sense = np.array([r.bound_type for r in rows], dtype=int)
    lp = highspy.HighsLp()
    lp.num_col_, lp.num_row_ = n, len(rows)
    c = np.zeros(n) if form.c.shape[0] == 0 else np.asarray(form.c.toarray()[0], dtype=float)
    lp.col_cost_ = c
    lp.offset_ = float(form.c_offset[0]) if len(form.c_offset) else 0.0
    lo = [v.lb for v in form.columns]
    up = [v.ub for v in form.columns]
    lp.col_lower_ = np.array([-highspy.kHighsInf if x is None else x for x in lo], dtype=float)
    lp.col_upper_ = np.array([highspy.kHighsInf if x is None else x for x in up], dtype=float)
    lp.row_lower_ = np.where(sense == 1, -highspy.kHighsInf, rhs)
    lp.row_upper_ = np.where(sense == -1, highspy.kHighsInf, rhs)
    mat = highspy.HighsSparseMatrix()
    mat.format_ = highspy.MatrixFormat.kColwise
    mat.num_col_, mat.num_row_ = n, len(rows)
    mat.start_ = A.indptr.astype(np.int32)
    mat.index_ = A.indices.astype(np.int32)
    mat.value_ = A.data.astype(float)
    lp.a_matrix_ = mat
    if form.objectives and form.objectives[0].sense == pyo.maximize:
        lp.sense_ = highspy.ObjSense.kMaximize
    integral = [v.is_integer() for v in form.columns]
    if any(integral):
        lp.integrality_ = [
            highspy.HighsVarType.kInteger if i else highspy.HighsVarType.kContinuous for i in integral
        ]
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.passModel(lp)
    return h


def _snap(v, x: float) -> float:
    """Round integer variables to integers (HiGHS returns them within its tolerance)."""
    return float(round(x)) if v.is_integer() else float(x)


def _version() -> str:
    if highspy is None:
        return "unknown"
    h = highspy.Highs()
    return f"{h.versionMajor()}.{h.versionMinor()}.{h.versionPatch()}"
