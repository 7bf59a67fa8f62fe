"""ERA5 NetCDF (0–360 longitudes, old and new CDS naming) and point files (TMY3, EPW, NSRDB PSM)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pvlib
import pytest
import xarray as xr
from byod_layouts import era5_dataset

from siting.errors import InputError
from siting.io import check_weather, fill_weather_gaps, point_weather_dataset, read_era5, read_point_weather

PVLIB_DATA = Path(pvlib.__path__[0]) / "data"


def write_era5(path, ds=None, packed=False, **kw):
    ds = era5_dataset(**kw) if ds is None else ds
    enc = {}
    if packed:  # ERA5 (old CDS) stores int16 with scale_factor/add_offset
        for v in ds.data_vars:
            lo, hi = float(ds[v].min()), float(ds[v].max())
            scale = (hi - lo) / 60000.0 or 1.0
            enc[v] = {
                "dtype": "int16",
                "scale_factor": scale,
                "add_offset": (hi + lo) / 2,
                "_FillValue": -32767,
            }
    ds.to_netcdf(path, engine="h5netcdf", encoding=enc)
    return path


@pytest.mark.parametrize("new_cds, packed", [(False, True), (True, False)])
def test_era5_names_units_and_longitudes(tmp_path, new_cds, packed):
    raw = era5_dataset(new_cds=new_cds)
    p = write_era5(tmp_path / "era5.nc", raw, packed=packed)
    ds = read_era5(p)
    assert set(ds.data_vars) == {"dry_bulb_c", "dew_point_c", "ghi_w_per_m2", "wind_speed_100m_m_per_s"}
    assert ds["lon"].values.tolist() == [-97.5, -97.25, -97.0]
    assert ds["lat"].values.tolist() == [32.25, 32.5, 32.75, 33.0]
    tdim = "valid_time" if new_cds else "time"
    r0 = raw.isel({tdim: 5}).sel(latitude=33.0, longitude=262.5)
    v = ds.isel(time=5).sel(lat=33.0, lon=-97.5)
    tol = 0.01 if packed else 1e-4
    assert float(v.dry_bulb_c) == pytest.approx(float(r0.t2m) - 273.15, abs=tol)
    assert float(v.ghi_w_per_m2) == pytest.approx(float(r0.ssrd) / 3600.0, abs=0.5)
    assert float(v.wind_speed_100m_m_per_s) == pytest.approx(float(np.hypot(r0.u100, r0.v100)), abs=tol)
    assert ds["dry_bulb_c"].dims == ("time", "lat", "lon") and ds.attrs["time_label"] == "end"


def test_era5_lazy_with_chunks_and_bbox(tmp_path):
    p = write_era5(tmp_path / "era5.nc")
    ds = read_era5(p, chunks={"time": 24, "latitude": 2, "longitude": 2}, bbox=(-97.6, 32.4, -97.2, 33.1))
    assert ds["dry_bulb_c"].chunks is not None  # still lazy
    assert ds.sizes["lon"] == 2 and ds.sizes["lat"] == 3
    eager = read_era5(p).sel(lon=slice(-97.6, -97.2), lat=slice(32.4, 33.1))
    xr.testing.assert_allclose(ds.compute(), eager)


def test_era5_multiple_files(tmp_path):
    ds = era5_dataset(nt=48)
    write_era5(tmp_path / "a.nc", ds.isel(time=slice(0, 24)))
    write_era5(tmp_path / "b.nc", ds.isel(time=slice(24, 48)))
    out = read_era5(str(tmp_path / "*.nc"), chunks={})
    assert out.sizes["time"] == 48


@pytest.mark.parametrize("units, match", [("degF", "unknown temperature unit"), (None, "no units attribute")])
def test_era5_unknown_or_missing_units(tmp_path, units, match):
    ds = era5_dataset()
    if units is None:
        del ds["t2m"].attrs["units"]
    else:
        ds["t2m"].attrs["units"] = units
    p = write_era5(tmp_path / "era5.nc", ds)
    with pytest.raises(InputError, match=match) as e:
        read_era5(p)
    assert e.value.column == "t2m" and e.value.file == str(p)
    # an explicit override fixes it
    if units is None:
        assert "dry_bulb_c" in read_era5(p, units={"t2m": "K"})


def test_era5_nan_gap_named_then_filled(tmp_path):
    ds = era5_dataset()
    ds["t2m"][10:12, 1, 2] = np.nan
    p = write_era5(tmp_path / "era5.nc", ds)
    with pytest.raises(InputError, match="NaN gaps") as e:
        read_era5(p)
    assert (
        e.value.column == "dry_bulb_c"
        and "time=2021-07-01T11" in e.value.rows[0]
        and "fill_weather_gaps" in e.value.fix
    )
    filled = fill_weather_gaps(read_era5(p, check=False), max_gap_hours=3)
    check_weather(filled)
    long_gap = fill_weather_gaps(read_era5(p, check=False), max_gap_hours=1)
    with pytest.raises(InputError, match="NaN gaps"):
        check_weather(long_gap)


def test_era5_out_of_range_and_time_gap(tmp_path):
    ds = era5_dataset()
    ds["t2m"].attrs["units"] = "degC"  # values are really K: 300 'degC' is out of range
    with pytest.raises(InputError, match="physical range"):
        read_era5(write_era5(tmp_path / "a.nc", ds))
    ds2 = era5_dataset().isel(time=[0, 1, 2, 5, 6])
    with pytest.raises(InputError, match="time axis has gaps"):
        read_era5(write_era5(tmp_path / "b.nc", ds2))


def test_tmy3_from_pvlib():
    df = read_point_weather(PVLIB_DATA / "723170TYA.CSV")
    assert len(df) == 8760 and df.index.tz is not None and str(df.index.tz) == "UTC"
    assert df.index[0] == pd.Timestamp("2021-01-01 01:00", tz="UTC")
    assert {"dry_bulb_c", "dew_point_c", "ghi_w_per_m2", "wind_speed_10m_m_per_s"} <= set(df.columns)
    assert df.attrs["lat"] == pytest.approx(36.1) and df.attrs["utc_offset_hours"] == -5
    assert 14 < df["dry_bulb_c"].mean() < 16 and 150 < df["ghi_w_per_m2"].mean() < 210


def _epw_text(tmy: pd.DataFrame, meta) -> str:
    """Write an EPW (EnergyPlus weather) file from TMY3 rows: 8 header lines + 35 comma fields."""
    head = [
        f"LOCATION,Greensboro,NC,USA,TMY3,723170,{meta['latitude']},{meta['longitude']},{meta['TZ']},{meta['altitude']}",
        "DESIGN CONDITIONS,0",
        "TYPICAL/EXTREME PERIODS,0",
        "GROUND TEMPERATURES,0",
        "HOLIDAYS/DAYLIGHT SAVINGS,No,0,0,0",
        "COMMENTS 1,written by the siting tests",
        "COMMENTS 2,",
        "DATA PERIODS,1,1,Data,Sunday, 1/ 1,12/31",
    ]
    rows = []
    for i, r in enumerate(tmy.itertuples(index=False)):
        hour = i % 24 + 1
        day = pd.Timestamp("1991-01-01") + pd.Timedelta(days=i // 24)
        rows.append(
            f"1991,{day.month},{day.day},{hour},60,?9?9?9?9E0?9?9?9?9?9?9?9?9?9?9?9?9?9?9?9*9*9?9?9?9,"
            f"{r.temp_air:.1f},{r.temp_dew:.1f},{r.relative_humidity:.0f},{r.pressure * 100:.0f},0,0,0,"
            f"{r.ghi:.0f},{r.dni:.0f},{r.dhi:.0f},0,0,0,0,{r.wind_direction:.0f},{r.wind_speed:.1f},5,5,16.1,77777,9,999999999,0,0.2,0,88,0,0,1.0"
        )
    return "\n".join(head + rows) + "\n"


def test_epw_written_in_layout(tmp_path):
    tmy, meta = pvlib.iotools.read_tmy3(PVLIB_DATA / "723170TYA.CSV", map_variables=True)
    p = tmp_path / "USA_NC_Greensboro.723170_TMY3.epw"
    p.write_text(_epw_text(tmy, meta))
    epw = read_point_weather(p)
    ref = read_point_weather(PVLIB_DATA / "723170TYA.CSV")
    assert len(epw) == 8760 and epw.index.equals(ref.index)
    np.testing.assert_allclose(epw["dry_bulb_c"], ref["dry_bulb_c"], atol=0.051)
    np.testing.assert_allclose(epw["ghi_w_per_m2"], ref["ghi_w_per_m2"], atol=0.51)
    # a missing-value code (99.9 dry-bulb) is a named error, not a silent 99.9 °C
    lines = p.read_text().splitlines()
    f = lines[8 + 100].split(",")
    f[6] = "99.9"
    lines[8 + 100] = ",".join(f)
    p.write_text("\n".join(lines) + "\n")
    with pytest.raises(InputError, match="missing value") as e:
        read_point_weather(p)
    assert e.value.column == "dry_bulb_c" and len(e.value.rows) == 1


def test_nsrdb_psm_csv_written_in_layout(tmp_path):
    meta_f = "Source,Location ID,City,State,Country,Latitude,Longitude,Time Zone,Elevation,Local Time Zone,Dew Point Units,DHI Units,DNI Units,GHI Units,Temperature Units,Pressure Units,Wind Speed Units,Version"
    meta_v = "NSRDB,123456,-,-,-,33.45,-112.07,0,331,-7,c,w/m2,w/m2,w/m2,c,mbar,m/s,v4.0.0"
    cols = "Year,Month,Day,Hour,Minute,Temperature,Dew Point,DHI,DNI,GHI,Wind Speed,Pressure"
    t = pd.date_range("2021-06-01", periods=48, freq="h")
    rows = [
        f"{x.year},{x.month},{x.day},{x.hour},0,{30 + 8 * np.sin((x.hour - 16) / 24 * 2 * np.pi):.1f},5.0,50,{max(0, 800 * np.cos((x.hour - 19.5) / 24 * 2 * np.pi)):.0f},{max(0, 900 * np.cos((x.hour - 19.5) / 24 * 2 * np.pi)):.0f},3.0,970"
        for x in t
    ]
    p = tmp_path / "psm.csv"
    p.write_text("\n".join([meta_f, meta_v, cols, *rows]) + "\n")
    df = read_point_weather(p)
    assert df.attrs["format"] == "nsrdb" and df.attrs["lat"] == pytest.approx(33.45) and len(df) == 48
    assert df.index[0] == pd.Timestamp("2021-06-01 01:00", tz="UTC")  # hour-ending label


def test_unknown_point_format(tmp_path):
    p = tmp_path / "w.csv"
    p.write_text("a,b\n1,2\n")
    with pytest.raises(InputError, match="cannot tell the weather file format"):
        read_point_weather(p)


def test_point_weather_dataset():
    a = read_point_weather(PVLIB_DATA / "723170TYA.CSV")
    b = read_point_weather(PVLIB_DATA / "703165TY.csv")
    ds = point_weather_dataset({"gso": a, "sdp": b})
    assert ds["dry_bulb_c"].dims == ("site", "time") and ds.sizes["time"] == 8760
    assert ds["lat"].values.tolist() == pytest.approx([36.1, 55.317], abs=1e-3)
