"""Representative periods: cluster a year of hourly profiles into weighted periods with tsam.

* :func:`cluster_periods` — which periods of the year represent the others, and their weights;
* :func:`select_periods` — take those periods from full-resolution hourly data, keeping annual means;
* :func:`representative_periods` — both, on hourly features of many sites.

The clustering is deterministic: ``tsam.aggregate`` with hierarchical (Ward) clustering and **medoid**
representation, columns normalised by tsam, no extreme-period handling.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import tsam
import xarray as xr

from siting.errors import InputError

from .timing import HOURS_PER_YEAR


def _check_period_settings(profiles: xr.Dataset, n_periods: int, hours_per_period: int) -> None:
    """Raise :class:`InputError` unless ``profiles`` span 8,760 h cut into ``n_periods`` valid periods."""
    if profiles.sizes.get("time") != HOURS_PER_YEAR:
        raise InputError(
            f"representative periods need one year of hourly data (8,760 h); got {profiles.sizes.get('time')}",
            column="time",
            fix="pass one full (typical) year of hourly features",
        )
    if HOURS_PER_YEAR % hours_per_period:
        raise InputError(
            f"{hours_per_period} h does not divide 8,760 h",
            column="hours_per_period",
            fix="use 24 or 168 … (a divisor of 8,760)",
        )
    n_total = HOURS_PER_YEAR // hours_per_period
    if not 1 <= n_periods <= n_total:
        raise InputError(f"n_periods must be 1…{n_total}", column="n_periods", fix="choose fewer periods")


def _profile_table(profiles: xr.Dataset) -> pd.DataFrame:
    """The profiles as an hourly table (8,760 rows) of their non-constant columns ``c0, c1, …``."""
    frame = profiles.compute().to_array("variable").transpose("time", ...)
    arr = frame.to_numpy().reshape(HOURS_PER_YEAR, -1).astype(float)
    if np.isnan(arr).any():
        raise InputError(
            "NaN in the features to cluster (gaps in the weather)",
            column=", ".join(map(str, profiles.data_vars)),
            fix="fill the weather gaps first",
        )
    keep_cols = np.std(arr, axis=0) > 0  # constant columns carry no information (and upset scaling)
    if not keep_cols.any():
        keep_cols[:] = True
    df = pd.DataFrame(arr[:, keep_cols], index=pd.date_range("2021-01-01", periods=HOURS_PER_YEAR, freq="h"))
    df.columns = [f"c{i}" for i in range(df.shape[1])]
    return df


def cluster_periods(profiles: xr.Dataset, *, n_periods: int = 16, hours_per_period: int = 24) -> dict:
    """Cluster the periods of one year of (small) hourly profiles with tsam; deterministic.

    Parameters
    ----------
    profiles : xarray.Dataset
        Hourly profiles, dims ``(time, …)`` with 8,760 hours, already reduced to a few hundred columns
        (e.g. zone means); computed if lazy.
    n_periods, hours_per_period : int
        Number and length (h) of the representative periods.

    Returns
    -------
    dict
        ``centers`` (index of each representative period in the year), ``weight_hours`` (hours each
        stands for, summing to 8,760), ``assignments`` (representative period of every original period),
        ``hours_per_period``, ``method``.
    """
    _check_period_settings(profiles, n_periods, hours_per_period)
    res = tsam.aggregate(
        _profile_table(profiles),
        n_periods,
        period_duration=hours_per_period,
        cluster=tsam.ClusterConfig(method="hierarchical", representation="medoid"),
        preserve_column_means=False,
    )
    centers = np.asarray(res.clustering.cluster_centers, dtype=int)
    counts = np.array([res.cluster_counts[k] for k in range(len(centers))], dtype=float)
    return {
        "centers": centers,
        "weight_hours": counts * hours_per_period,
        "assignments": np.asarray(res.cluster_assignments, dtype=int),
        "hours_per_period": hours_per_period,
        "method": f"tsam {tsam.__version__} hierarchical, medoid, {len(centers)} x {hours_per_period} h",
    }


def period_hours(clusters: dict) -> np.ndarray:
    """Hour-of-year indices of the representative periods, shape ``(period, hour)``."""
    h = clusters["hours_per_period"]
    return clusters["centers"][:, None] * h + np.arange(h)[None, :]


def _take_periods(hourly: xr.Dataset, idx: np.ndarray) -> xr.Dataset:
    """The hours ``idx`` (period × hour) of ``hourly`` (a full year, or exactly those hours in order)."""
    if hourly.sizes["time"] == HOURS_PER_YEAR:
        return hourly.isel(time=xr.DataArray(idx, dims=("period", "hour")))
    if hourly.sizes["time"] != idx.size:
        raise InputError("hourly data must cover the year or exactly the selected hours", column="time")
    rep = (
        hourly.assign_coords(time=np.arange(idx.size))
        .coarsen(time=idx.shape[1])
        .construct(time=("period", "hour"))
    )
    return rep.assign_coords(time=(("period", "hour"), hourly["time"].to_numpy().reshape(idx.shape)))


def _default_preserved(ds: xr.Dataset) -> list[str]:
    """Variables whose annual mean is preserved by default: capacity factors and ``wue_l_per_kwh``."""
    return [n for n in ds.data_vars if n.endswith("_cf") or n == "wue_l_per_kwh"]


def _rescale_to_means(rep: xr.Dataset, names: Sequence[str], annual_means: xr.Dataset) -> xr.Dataset:
    """Scale each of ``names`` per site so its weighted mean equals ``annual_means``; CFs capped at 1."""
    share = rep["weight_hours"] / HOURS_PER_YEAR
    approx = (rep[list(names)].mean("hour") * share).sum("period")
    for v in names:
        factor = xr.where(approx[v] > 0, annual_means[v] / approx[v], 1.0)
        scaled = rep[v] * factor
        rep[v] = (scaled.clip(0.0, 1.0) if v.endswith("_cf") else scaled).astype(rep[v].dtype)
    return rep


def select_periods(
    hourly: xr.Dataset,
    clusters: dict,
    *,
    annual_means: xr.Dataset | None = None,
    preserve_means: Sequence[str] | None = None,
) -> xr.Dataset:
    """Take the representative periods of :func:`cluster_periods` from full-resolution hourly data.

    ``hourly`` may be lazy (only the selected hours are then computed) and may be the *weather*: features
    are hour-by-hour functions, so computing them on the selected hours equals selecting them afterwards.
    Variables in ``preserve_means`` (default the capacity factors and ``wue_l_per_kwh``) are rescaled per
    site so that their weighted mean equals ``annual_means`` (tsam's ``preserve_column_means``);
    capacity factors are capped at 1.

    Returns
    -------
    xarray.Dataset
        Variables on dims ``(period, hour, …)`` plus ``weight_hours``, ``period_start``, ``period_of_day``.
    """
    idx = period_hours(clusters)
    rep = _take_periods(hourly, idx)
    start = rep["time"].isel(hour=0).to_numpy()
    rep = rep.drop_vars("time").assign_coords(period=np.arange(idx.shape[0]), hour=np.arange(idx.shape[1]))
    rep["weight_hours"] = xr.DataArray(np.asarray(clusters["weight_hours"], dtype=float), dims="period")
    rep["period_start"] = xr.DataArray(start, dims="period")
    rep["period_of_day"] = xr.DataArray(clusters["assignments"], dims="original_period")
    names = [
        v for v in (preserve_means if preserve_means is not None else _default_preserved(rep)) if v in rep
    ]
    if names and annual_means is not None:
        rep = _rescale_to_means(rep, names, annual_means)
    rep.attrs["method"] = clusters.get("method", "")
    return rep


def _without_feb29(ds: xr.Dataset) -> xr.Dataset:
    """Drop 29 February from a leap year of 8,784 hours (other lengths pass unchanged)."""
    times = pd.DatetimeIndex(ds["time"].to_numpy())
    if len(times) != 8784:
        return ds
    return ds.isel(time=np.flatnonzero(~((times.month == 2) & (times.day == 29))))


def _clustering_profiles(sub: xr.Dataset, group: xr.DataArray | None, max_columns: int) -> xr.Dataset:
    """Profiles to cluster on: ``group`` means, else an evenly spaced subset of at most ``max_columns``."""
    if group is not None:
        sub = sub.groupby(group).mean()
    other = [d for d in sub.dims if d != "time"]
    n_cols = len(sub.data_vars) * int(np.prod([sub.sizes[d] for d in other])) if other else len(sub.data_vars)
    if other and n_cols > max_columns:
        sub = sub.isel({other[0]: slice(None, None, int(np.ceil(n_cols / max_columns)))})
    return sub


def representative_periods(
    features: xr.Dataset,
    *,
    n_periods: int = 16,
    hours_per_period: int = 24,
    variables: Sequence[str] | None = None,
    group: xr.DataArray | None = None,
    max_columns: int = 400,
    preserve_means: Sequence[str] | None = None,
) -> xr.Dataset:
    """Representative periods with weights (tsam hierarchical clustering, medoids).

    To scale to thousands of sites the clustering (:func:`cluster_periods`) runs on ``group`` means (e.g. by
    zone) or, when there are more than ``max_columns`` site × variable columns, on an evenly spaced subset of
    sites; the chosen periods are then taken from every site's full-resolution profile
    (:func:`select_periods`), and the capacity factors and WUE are rescaled per site to keep their annual
    means (medoid days alone can miss a site's annual solar energy by tens of percent when many sites share
    few periods).

    Parameters
    ----------
    features : xarray.Dataset
        Hourly features, dims ``(site, time)`` (or only ``time``), 8,760 hours (a leap-year 8,784 loses
        Feb 29).
    n_periods, hours_per_period : int
        Number and length (h, a divisor of 8,760) of the representative periods.
    variables : sequence of str, optional
        Variables to cluster on; default every variable with a ``time`` dim.
    group : xarray.DataArray, optional
        Label per site (e.g. ``zone_id``) whose means are clustered.
    max_columns : int
        Cap on clustered columns.
    preserve_means : sequence of str, optional
        Variables whose annual mean is preserved (default the ``*_cf`` variables and ``wue_l_per_kwh``).

    Returns
    -------
    xarray.Dataset
        The variables on dims ``(period, hour, site…)`` at the representative periods, plus
        ``weight_hours`` (period; the hours of the year each period stands for, summing to 8,760),
        ``period_start`` (period; the time label of the period's first hour) and ``period_of_day``
        (original period → representative period, for chronology).
    """
    ds = _without_feb29(features)
    names = list(variables or [v for v in ds.data_vars if "time" in ds[v].dims])
    profiles = _clustering_profiles(ds[names], group, max_columns)
    clusters = cluster_periods(profiles, n_periods=n_periods, hours_per_period=hours_per_period)
    wanted = preserve_means if preserve_means is not None else _default_preserved(ds)
    wanted = [v for v in wanted if v in ds and "time" in ds[v].dims]
    annual = ds[wanted].mean("time") if wanted else None
    return select_periods(ds, clusters, annual_means=annual, preserve_means=wanted)
