"""Network latency and serving cost between sites and demand regions (pure functions, vectorised).

Round-trip time over fiber: ``rtt_ms = 2 × route_factor × d_gc / v + equipment_ms``, with ``d_gc`` the
great-circle distance (km, :func:`siting.features.geo.great_circle_km`, IUGG mean radius), ``route_factor``
the ratio of fiber route length to great-circle distance and ``v`` the speed of light in glass, two thirds
of its speed in vacuum (refractive index ≈ 1.5): 299,792.458 km/s × 2/3 ≈ 199.86 km/ms.

Check against the reference figures (``../shared/reference/domain-figures.md``, "Fiber latency", sources
S87 and S88: "~1 ms RTT per 100 miles of route; NY–Philadelphia 80 mi ≈ 4 ms; NY–Denver 1,600 mi ≈
36 ms"): the physical floor over 100 miles (160.9 km) of *route* is 2 × 160.9 / 199.86 = 1.61 ms RTT, so
the "1 ms per 100 miles" rule of thumb is the one-way figure rounded (0.8 ms). With the default
:data:`DEFAULT_ROUTE_FACTOR` of 1.5, 100 miles of great-circle distance cost 2.42 ms RTT; New York–Denver
(2,619 km great circle) comes out at 39.3 ms, 9 % above the quoted 36 ms (which implies a route factor
of 1.37), so the default errs on the slow side; New York–Philadelphia (130 km) gives 1.95 ms of fiber, the
quoted 4 ms being mostly equipment and last-mile time (``equipment_ms`` ≈ 2 ms would match it).
"""

from __future__ import annotations

import numpy as np

from .geo import great_circle_km

#: Speed of light in vacuum (km/ms).
C_VACUUM_KM_PER_MS = 299.792458
#: Signal speed in optical fiber (km/ms): two thirds of the vacuum speed (refractive index ≈ 1.5).
FIBER_KM_PER_MS = C_VACUUM_KM_PER_MS * 2.0 / 3.0
#: Fiber route length / great-circle distance (–). 1.5 overstates NY–Denver (36 ms quoted, S87/S88) by 9 %.
DEFAULT_ROUTE_FACTOR = 1.5


def fiber_rtt_ms(distance_km, route_factor: float = DEFAULT_ROUTE_FACTOR, equipment_ms: float = 0.0):
    """Round-trip time (ms) over a fiber route of ``route_factor`` × ``distance_km``, plus ``equipment_ms``.

    Parameters
    ----------
    distance_km : array-like
        Great-circle distance (km).
    route_factor : float
        Route length over great-circle distance (–, ≥ 1).
    equipment_ms : float
        Fixed round-trip time added for switching, routing and the last mile (ms).

    Returns
    -------
    ndarray
        Round-trip time (ms): ``2 × route_factor × distance_km / FIBER_KM_PER_MS + equipment_ms``.
    """
    return 2.0 * route_factor * np.asarray(distance_km, dtype=float) / FIBER_KM_PER_MS + equipment_ms


def pair_distance_km(site_lat, site_lon, region_lat, region_lon) -> np.ndarray:
    """Great-circle distance (km) of every site × region pair, shape ``(n_sites, n_regions)``.

    Parameters
    ----------
    site_lat, site_lon, region_lat, region_lon : array-like
        Coordinates in degrees (WGS84).
    """
    s_lat, s_lon = np.asarray(site_lat, float)[:, None], np.asarray(site_lon, float)[:, None]
    r_lat, r_lon = np.asarray(region_lat, float)[None, :], np.asarray(region_lon, float)[None, :]
    return great_circle_km(s_lat, s_lon, r_lat, r_lon)


def pair_rtt_ms(
    site_lat,
    site_lon,
    region_lat,
    region_lon,
    route_factor: float = DEFAULT_ROUTE_FACTOR,
    equipment_ms: float = 0.0,
) -> np.ndarray:
    """Round-trip time (ms) of every site × region pair, shape ``(n_sites, n_regions)``.

    Parameters
    ----------
    site_lat, site_lon, region_lat, region_lon : array-like
        Coordinates in degrees (WGS84).
    route_factor : float
        Route length over great-circle distance (–).
    equipment_ms : float
        Fixed round-trip time added to every pair (ms).
    """
    d = pair_distance_km(site_lat, site_lon, region_lat, region_lon)
    return fiber_rtt_ms(d, route_factor, equipment_ms)


def serving_cost_usd_per_mw_year(
    distance_km, route_factor: float, usd_per_mw_year_per_1000_km: float
) -> np.ndarray:
    """Cost (USD per MW-year of served IT load) of carrying a region's traffic over the fiber route.

    Parameters
    ----------
    distance_km : array-like
        Great-circle distance (km).
    route_factor : float
        Route length over great-circle distance (–).
    usd_per_mw_year_per_1000_km : float
        Transport cost per MW-year of served IT load and 1,000 km of route (USD/(MW·year·1000 km)).

    Returns
    -------
    ndarray
        ``usd_per_mw_year_per_1000_km × route_factor × distance_km / 1000`` (USD/MW-year).
    """
    return usd_per_mw_year_per_1000_km * route_factor * np.asarray(distance_km, dtype=float) / 1000.0


def region_demand_mw(target_it_mw, population) -> np.ndarray:
    """Latency-bound demand (MW IT) of every step × region: each step's latency-bound IT MW split by
    population share, shape ``(n_steps, n_regions)``.

    Parameters
    ----------
    target_it_mw : array-like
        Latency-bound IT MW of each step (MW; the step's IT target × the latency-bound share).
    population : array-like
        Population of each region (people); shares are population / total.
    """
    pop = np.asarray(population, dtype=float)
    share = pop / pop.sum() if pop.sum() > 0 else np.zeros_like(pop)
    return np.asarray(target_it_mw, dtype=float)[:, None] * share[None, :]
