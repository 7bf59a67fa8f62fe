"""EIA-860-like generator tables (CSV, with EIA's title row and column spellings)."""

from __future__ import annotations

import pytest

from siting.errors import InputError
from siting.io import read_eia860_plants

HEADER = "Utility ID,Utility Name,Plant Code,Plant Name,State,County,Latitude,Longitude,Generator ID,Technology,Prime Mover,Nameplate Capacity (MW),Status,Operating Year,Energy Source 1"
ROWS = [
    "195,Alabama Power Co,3,Barry,AL,Mobile,31.0069,-88.0103,1,Conventional Steam Coal,ST,153.1,OP,1954,BIT",
    '195,Alabama Power Co,3,Barry,AL,Mobile,31.0069,-88.0103,A1CT,Natural Gas Fired Combined Cycle,CT," 170.1",OP,2000,NG',
    "195,Alabama Power Co,7,Gadsden,AL,Etowah,34.0128,-85.9708,1,Conventional Steam Coal,ST,69.0,RE,1949,BIT",
    "999,Solar LLC,60001,Sunny Acres,TX,Pecos,31.4,-103.5,PV1,Solar Photovoltaic,PV,250,P,,SUN",
]


def write(path, rows=ROWS, header=HEADER, title=True):
    text = (
        ("Form EIA-860 Data - Schedule 3, 'Generator Data' (Operable Units Only)\n" if title else "")
        + header
        + "\n"
        + "\n".join(rows)
        + "\n"
    )
    path.write_text(text)
    return path


def test_reads_eia_layout_with_title_row(tmp_path):
    df = read_eia860_plants(write(tmp_path / "3_1_Generator_Y2023.csv"))
    assert list(df.columns) == [
        "plant_code",
        "generator_id",
        "name",
        "state",
        "lat",
        "lon",
        "technology",
        "energy_source",
        "nameplate_mw",
        "status",
        "operating_year",
    ]
    assert len(df) == 4
    assert df["nameplate_mw"].tolist() == [153.1, 170.1, 69.0, 250.0]
    assert df["status"].tolist() == ["OP", "OP", "RE", "P"]
    assert df["operating_year"].isna().tolist() == [False, False, False, True]
    assert df.loc[3, "technology"] == "Solar Photovoltaic"


def test_snake_case_and_status_filter(tmp_path):
    header = "plant_code,plant_name,lat,lon,technology,nameplate_mw,status"
    rows = [
        "1,A,30,-90,Nuclear,1100,OP",
        "2,B,31,-91,Onshore Wind Turbine,200,SB",
        "3,C,32,-92,Batteries,50,RE",
    ]
    df = read_eia860_plants(write(tmp_path / "p.csv", rows, header, title=False), statuses=("OP", "SB"))
    assert df["plant_code"].tolist() == ["1", "2"] and df["generator_id"].isna().all()


@pytest.mark.parametrize(
    "row, match, column",
    [
        ("3,x,30,-200,Nuclear,10,OP", "out of the physical range", "lon"),
        ("3,x,,-90,Nuclear,10,OP", "missing", "lat"),
        ("3,x,30,-90,Nuclear,-5,OP", "out of the physical range", "nameplate_mw"),
        ("3,x,30,-90,Nuclear,10,OPERATIONAL", "unknown status", "status"),
        ("1,x,30,-90,Nuclear,10,OP", "duplicate", "plant_code"),
    ],
)
def test_bad_rows_are_named(tmp_path, row, match, column):
    header = "plant_code,plant_name,lat,lon,technology,nameplate_mw,status"
    p = write(tmp_path / "p.csv", ["1,A,30,-90,Nuclear,1100,OP", row], header, title=False)
    with pytest.raises(InputError, match=match) as e:
        read_eia860_plants(p)
    assert e.value.column == column and e.value.file == str(p)
    assert 3 in e.value.rows  # file line of the bad row


def test_missing_required_column(tmp_path):
    p = write(
        tmp_path / "p.csv",
        ["1,A,30,-90,1100,OP"],
        "plant_code,plant_name,lat,lon,nameplate_mw,status",
        title=False,
    )
    with pytest.raises(InputError, match="no technology column"):
        read_eia860_plants(p)
