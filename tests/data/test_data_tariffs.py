"""Tariffs: the fallback split reproduces the EIA average, user rows win, price path by hand."""

import numpy as np
import pandas as pd
import pytest

from siting.features.tariffs import (
    FALLBACK_UTILITY,
    TARIFF_TABLE_COLUMNS,
    energy_price_usd_per_mwh,
    fallback_tariffs,
    split_average_price,
    tariff_table,
)

ZONES = pd.DataFrame({"zone_id": [1, 2, 3], "industrial_price_usd_per_mwh": [70.0, 100.0, 10.0]}).set_index(
    "zone_id", drop=False
)


def test_split_by_hand():
    # E = 70 − 14.57 × 12 × 1000 / (8760 × 0.8) = 70 − 174,840 / 7,008 = 45.0514
    e, d = split_average_price(70.0, 14.57, 0.8)
    assert float(e) == pytest.approx(70.0 - 174_840.0 / 7_008.0)
    assert float(e) == pytest.approx(45.0514, abs=1e-4)
    assert float(d) == 14.57


@pytest.mark.parametrize("lf", [0.5, 0.8, 1.0])
def test_split_reproduces_the_average_at_the_stated_load_factor(lf):
    p = np.array([59.2, 70.73, 191.9])
    e, d = split_average_price(p, 14.57, lf)
    paid_per_mwh = e + d * 12 * 1000 / (8760 * lf)  # a customer at load factor lf
    assert np.allclose(paid_per_mwh, p)


def test_split_never_negative():
    e, d = split_average_price(10.0, 14.57, 0.8)  # 10 $/MWh cannot carry 24.9 $/MWh of demand charge
    assert float(e) == 0.0
    assert float(d) * 12000 / (8760 * 0.8) == pytest.approx(10.0)
    with pytest.raises(ValueError):
        split_average_price(70.0, 14.57, 0.0)


def test_tariff_table_fallback_for_every_zone():
    tab = tariff_table(ZONES, None)
    assert list(tab.columns) == TARIFF_TABLE_COLUMNS
    assert tab.index.tolist() == [1, 2, 3] and tab["fallback"].all()
    assert (tab["utility"] == FALLBACK_UTILITY).all()
    assert tab.loc[1, "energy_charge_usd_per_mwh"] == pytest.approx(45.05, abs=0.01)
    assert (tab[["min_take_fraction", "min_take_years", "price_escalation_per_year"]] == 0).all().all()


def test_user_rows_win_missing_zones_fall_back_and_multiplier_scales_money():
    user = pd.DataFrame(
        {
            "zone_id": [2],
            "utility": ["AEP Ohio"],
            "energy_charge_usd_per_mwh": [50.0],
            "demand_charge_usd_per_kw_month": [10.0],
            "min_take_fraction": [0.85],
            "min_take_years": [12.0],
        }
    )
    tab = tariff_table(ZONES, user, electricity_price_multiplier=2.0)
    assert tab.loc[2, "energy_charge_usd_per_mwh"] == 100.0
    assert tab.loc[2, "demand_charge_usd_per_kw_month"] == 20.0
    assert tab.loc[2, "min_take_fraction"] == 0.85 and tab.loc[2, "min_take_years"] == 12.0  # not scaled
    assert tab.loc[2, "standby_charge_usd_per_kw_month"] == 8.0  # fallback 4.0 × 2
    assert not tab.loc[2, "fallback"] and tab.loc[[1, 3], "fallback"].all()
    fb = fallback_tariffs(ZONES)
    assert tab.loc[1, "energy_charge_usd_per_mwh"] == pytest.approx(
        2 * fb.loc[1, "energy_charge_usd_per_mwh"]
    )


def test_price_path_by_hand():
    tab = tariff_table(ZONES, None)
    tab["energy_charge_usd_per_mwh"] = 100.0
    tab["price_escalation_per_year"] = [0.02, 0.0, -0.01]
    tab["price_base_year"] = 2023
    s = energy_price_usd_per_mwh(tab, 2025)
    assert s.tolist() == pytest.approx([104.04, 100.0, 98.01])
    grid = energy_price_usd_per_mwh(tab, [2023, 2025])
    assert grid.shape == (3, 2) and grid.loc[1, 2025] == pytest.approx(104.04)
    assert grid[2023].tolist() == [100.0, 100.0, 100.0]
