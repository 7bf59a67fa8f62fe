"""HIFLD-style substations and lines in GeoJSON, GeoPackage, Shapefile and GeoParquet."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
from byod_layouts import hifld_lines, hifld_substations, write_hifld, write_vector
from shapely.geometry import Point, box

from siting.errors import InputError
from siting.io import line_capacity_mw, read_hifld_lines, read_hifld_substations
from siting.io.grid import SUBSTATION_COLUMNS


@pytest.mark.parametrize("suffix", [".geojson", ".gpkg", ".shp", ".parquet"])
def test_substations_and_lines_each_format(tmp_path, suffix):
    s_path, l_path = write_hifld(tmp_path, suffix)
    subs0 = read_hifld_substations(s_path, min_voltage_kv=None)
    lines = read_hifld_lines(l_path, substations=subs0)
    subs = read_hifld_substations(s_path, lines=lines)
    assert list(subs.columns[: len(SUBSTATION_COLUMNS)]) == SUBSTATION_COLUMNS
    # 115 kV filter drops ECHO (69 kV) and DELTA (unknown voltage), and says so
    assert subs["name"].tolist() == ["ALPHA", "BRAVO", "CHARLIE"]
    assert subs.attrs["dropped"]["below_min_voltage_or_unknown"] == 2
    assert subs["substation_id"].tolist() == [100001, 100002, 100003]
    assert subs["max_voltage_kv"].tolist() == [345.0, 138.0, 500.0]
    np.testing.assert_allclose(subs[["lat", "lon"]].iloc[0], [32.0, -97.0])
    # unknown line voltage is taken from VOLT_CLASS; ratings from the reVX classes
    assert lines["voltage_kv"].tolist() == [345.0, 500.0, 138.0]
    assert lines["rating_mw"].tolist() == [900.0, 1500.0, 205.0]
    assert lines["from_substation_id"].tolist() == [100001, 100001, 100001]
    assert lines["to_substation_id"].tolist() == [100003, 100003, 100002]
    assert lines.crs.to_epsg() == 4326
    # ALPHA has all three lines attached: 900 + 1500 + 205
    alpha = subs.set_index("name").loc["ALPHA"]
    assert alpha["line_rating_mw"] == pytest.approx(2605.0)
    assert alpha["headroom_mw"] == pytest.approx(0.25 * 2605.0)
    assert subs["zone_id"].isna().all() and (subs["load_mw"] == 0).all()


def test_rating_without_lines_layer_uses_lines_count():
    assert line_capacity_mw([69, 138, 230, 345, 500, 765]).tolist() == [102, 205, 400, 900, 1500, 1500]
    assert line_capacity_mw([115])[0] == pytest.approx(102 + (205 - 102) * (115 - 69) / (138 - 69))


def test_rating_from_lines_count(tmp_path):
    s_path, _ = write_hifld(tmp_path)
    subs = read_hifld_substations(s_path)
    assert subs.set_index("name").loc["CHARLIE", "line_rating_mw"] == pytest.approx(4 * 1500.0)


def test_zones_and_plants_join(tmp_path):
    s_path, _ = write_hifld(tmp_path)
    zones = gpd.GeoDataFrame(
        {"zone_id": [301, 302]},
        geometry=[box(-98, 31, -97.25, 33), box(-97.25, 31, -96, 33)],
        crs="EPSG:4326",
    )
    import pandas as pd

    plants = pd.DataFrame(
        {"lat": [32.01, 31.5], "lon": [-97.01, -90.0], "nameplate_mw": [500.0, 100.0], "status": ["OP", "OP"]}
    )
    subs = read_hifld_substations(s_path, zones=zones, plants=plants).set_index("name")
    assert subs.loc["ALPHA", "zone_id"] == 302 and subs.loc["BRAVO", "zone_id"] == 301
    assert subs.loc["ALPHA", "generation_mw"] == 500.0  # the far plant is farther than 20 km from any
    assert subs["generation_mw"].sum() == 500.0


def test_status_filter(tmp_path):
    s_path, _ = write_hifld(tmp_path)
    subs = read_hifld_substations(s_path, min_voltage_kv=None, statuses=("IN SERVICE",))
    assert "DELTA" not in subs["name"].tolist() and np.isnan(
        read_hifld_substations(s_path, min_voltage_kv=None).set_index("name").loc["DELTA", "max_voltage_kv"]
    )


# ---------------------------------------------------------------------------------------- bad input


def test_missing_crs_shapefile(tmp_path):
    s_path, _ = write_hifld(tmp_path, ".shp")
    s_path.with_suffix(".prj").unlink()
    with pytest.raises(InputError, match="no coordinate reference system") as e:
        read_hifld_substations(s_path)
    assert e.value.file == str(s_path) and "set_crs" in e.value.fix


def test_wrong_crs_projected_coordinates_labelled_geographic(tmp_path):
    g = hifld_substations().to_crs("EPSG:5070").set_crs("EPSG:4326", allow_override=True)
    p = tmp_path / "subs.gpkg"
    write_vector(g, p)
    with pytest.raises(InputError, match="look like projected metres") as e:
        read_hifld_substations(p)
    assert e.value.rows


def test_empty_geometry_named(tmp_path):
    g = hifld_substations()
    g.loc[2, "geometry"] = None
    p = tmp_path / "subs.geojson"
    write_vector(g, p)
    with pytest.raises(InputError, match="empty or missing geometry") as e:
        read_hifld_substations(p)
    assert e.value.rows == [2] and e.value.column == "geometry"


def test_wrong_geometry_type(tmp_path):
    p = tmp_path / "subs.geojson"
    write_vector(hifld_lines(), p)
    with pytest.raises(InputError, match="geometry type LineString"):
        read_hifld_substations(p)


def test_duplicate_ids(tmp_path):
    g = hifld_substations()
    g.loc[4, "ID"] = "100001"
    p = tmp_path / "subs.gpkg"
    write_vector(g, p)
    with pytest.raises(InputError, match="duplicate id") as e:
        read_hifld_substations(p)
    assert e.value.column == "ID" and e.value.rows == [0, 4]


def test_voltage_out_of_range_and_text(tmp_path):
    g = hifld_substations()
    g["MAX_VOLT"] = [345.0, 138000.0, 500.0, 230.0, 69.0]  # volts, not kV
    p = tmp_path / "subs.geojson"
    write_vector(g, p)
    with pytest.raises(InputError, match="out of the physical range") as e:
        read_hifld_substations(p)
    assert e.value.rows == [1] and "kV" in e.value.fix
    g["MAX_VOLT"] = ["345", "138 kV", "500", "230", "69"]
    write_vector(g, p)
    with pytest.raises(InputError, match="not numbers"):
        read_hifld_substations(p)


def test_missing_columns_and_file(tmp_path):
    g = hifld_substations().drop(columns=["MAX_VOLT"])
    p = tmp_path / "subs.geojson"
    write_vector(g, p)
    with pytest.raises(InputError, match="no maximum voltage"):
        read_hifld_substations(p)
    with pytest.raises(InputError, match="file not found"):
        read_hifld_substations(tmp_path / "nope.geojson")


def test_nothing_left_after_filter(tmp_path):
    p = tmp_path / "subs.geojson"
    write_vector(hifld_substations().iloc[[4]], p)
    with pytest.raises(InputError, match="no substation left"):
        read_hifld_substations(p)


def test_empty_file(tmp_path):
    p = tmp_path / "subs.geojson"
    p.write_text('{"type": "FeatureCollection", "features": []}')
    with pytest.raises(InputError, match="no substations"):
        read_hifld_substations(p)


def test_line_empty_geometry(tmp_path):
    g = hifld_lines()
    g.loc[1, "geometry"] = Point(0, 0).buffer(0)  # empty
    p = tmp_path / "lines.gpkg"
    write_vector(g, p)
    with pytest.raises(InputError, match="empty or missing geometry"):
        read_hifld_lines(p)
