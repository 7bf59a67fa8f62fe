"""Scenarios can generate candidate sites from land data instead of using the candidate list."""

import pytest

import siting
from siting.errors import InputError


def scenario(tmp_path, generate):
    sc = siting.Scenario(
        name="gen",
        decision_year=2026,
        horizon={"first_year": 2028, "last_year": 2030},
        targets_it_mw={2029: 100},
        candidates={"generate": generate},
        min_sites=1,
        solver={"time_limit_seconds": 60},
    )
    sc.source_path = tmp_path / "gen.yaml"
    return sc


def test_generated_candidates_replace_the_list(tmp_path):
    sc = scenario(tmp_path, {"region": [-97.6, 32.4, -96.8, 33.0], "cell_km": 20, "max_it_mw": 400})
    ds = siting.load_dataset(sc)
    sites = ds.candidate_sites
    assert len(sites) > 3 and sites["site_id"].str.startswith("c20km_").all()
    assert sites["name"].str.contains(" near ").all()  # named after the nearest listed town
    assert (sites["state"] == "TX").all() and sites["zone_id"].notna().all()
    assert sites["land_cost_usd_per_acre"].nunique() > 1  # density borrowed from the nearest town's county
    assert "candidate_sites" not in ds.files
    plan = siting.solve(sc, dataset=ds)
    assert plan.status == "optimal" and plan.meta["it_mw_online"]["2029"] == pytest.approx(100.0)


def test_generate_block_is_validated(tmp_path):
    with pytest.raises(ValueError, match="single key `generate`"):
        siting.Scenario(
            name="x",
            decision_year=2026,
            horizon={"first_year": 2027, "last_year": 2028},
            targets_it_mw={2027: 1},
            candidates={"region": [0, 0, 1, 1]},
        )
    sc = scenario(tmp_path, {"region": [-97.6, 32.4, -96.8, 33.0], "cell_size": 5})
    with pytest.raises(InputError, match="unknown key.*cell_size.*did you mean 'cell_km'"):
        siting.load_dataset(sc)
