"""How many candidate sites a dominance filter could drop (a measurement, not part of the solve).

Site j *dominates* site i when j is nowhere worse: same zone and state; no higher land, construction,
fixed O&M, gas-lateral and opening cost, permitting and construction lead time, design-peak, annual and
per-period PUE and WUE, and minimum size; no smaller maximum size; and every substation i can connect to, j
can connect to as well, at no higher fixed and per-MW cost, no lower MW and no later first step. If a plan
opens i and leaves some dominator j closed, moving i's whole plan to j costs no more and meets every limit.
With at most ``max_sites`` sites open, a site with ``max_sites`` dominators or more can therefore be dropped
without changing the optimum; without ``max_sites`` nothing bounds the open sites and no site can be dropped
this way.

The script prints, per scenario, how many sites have at least 1, 2, 3, 5, 10 and ``max_sites``
dominators (the pairs are compared per zone, so a zone of thousands of sites takes minutes). Run::

    python benchmarks/dominance.py models/us_1gw_2030.yaml models/dfw_generated_500mw.yaml
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from siting.data.load import load_dataset  # noqa: E402
from siting.model.inputs import ModelInputs  # noqa: E402
from siting.model.prepare import prepare_inputs  # noqa: E402
from siting.scenario import load_scenario  # noqa: E402

#: site columns where the dominating site must be no higher (costs, lead times, PUE, minimum size)
NO_HIGHER = (
    "land_usd_per_mw",
    "construction_usd_per_mw",
    "dc_fixed_om_usd_per_mw_year",
    "gas_lateral_usd",
    "opening_usd_per_year",
    "permitting_lead_time_months",
    "construction_lead_time_months",
    "pue_peak",
    "pue_annual",
    "pue_swing",
    "min_phases",
)
#: connection columns where the dominating site's option to the same substation must be no higher
CONNECTION_NO_HIGHER = ("fixed_cost_usd", "cost_usd_per_mw", "first_step")


def site_features(d: ModelInputs) -> pd.DataFrame:
    """One row per site: the columns compared "no higher" (negated max_phases, so that all are)."""
    s = d.sites
    periods = d.site_periods[["pue", "wue_l_per_kwh"]].unstack("period")
    periods.columns = [f"{a}_{b}" for a, b in periods.columns]
    return pd.concat([s[list(NO_HIGHER)], -s[["max_phases"]], periods], axis=1).astype(float)


def dominator_counts(d: ModelInputs) -> pd.Series:
    """Number of sites that dominate each site (module docstring), by ``site_id``."""
    x = site_features(d)
    group = d.sites["zone_id"].astype(str) + "|" + d.sites["state"].astype(str)
    conn = d.connections
    counts = pd.Series(0, index=d.sites.index, name="dominators")
    for _, ids in group.groupby(group).groups.items():
        v = x.loc[ids].to_numpy()
        no_worse = (v[:, None, :] <= v[None, :, :] + 1e-9).all(axis=2)  # [j, i]: j no worse than i
        np.fill_diagonal(no_worse, False)
        for a, b in zip(*np.nonzero(no_worse), strict=True):
            j, i = ids[a], ids[b]
            ci = conn.xs(i, level="site_id") if i in conn.index.get_level_values(0) else conn.iloc[:0]
            cj = conn.xs(j, level="site_id") if j in conn.index.get_level_values(0) else conn.iloc[:0]
            if not set(ci.index) <= set(cj.index):
                continue
            cj = cj.loc[ci.index]
            worse = (
                cj[list(CONNECTION_NO_HIGHER)].to_numpy() > ci[list(CONNECTION_NO_HIGHER)].to_numpy() + 1e-9
            ).any()
            if worse or (cj["max_mw"].to_numpy() < ci["max_mw"].to_numpy() - 1e-9).any():
                continue
            counts[i] += 1
    return counts


def main(paths: list[str]) -> None:
    for path in paths:
        scenario = load_scenario(path)
        d = prepare_inputs(load_dataset(scenario), scenario)
        n = dominator_counts(d)
        bound = f"≥ max_sites ({d.max_sites}): {(n >= d.max_sites).sum()}" if d.max_sites else "no max_sites"
        counts = ", ".join(f"≥ {k}: {(n >= k).sum()}" for k in (1, 2, 3, 5, 10))
        print(f"{path}: {len(n)} sites; sites with dominators {counts}; {bound}")


if __name__ == "__main__":
    main(sys.argv[1:])
