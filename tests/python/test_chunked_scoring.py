"""Scoring in chunks of shopper keys (promo_factory.ml.warehouse) gives exactly the scores of one pass."""

from __future__ import annotations

import hashlib

import duckdb
import pandas as pd
import pytest

from promo_factory.ml import pipeline, warehouse


@pytest.mark.parametrize("n_chunks", [1, 2, 3, 7, 16])
def test_key_ranges_put_every_key_in_exactly_one_chunk(n_chunks: int) -> None:
    keys = [hashlib.md5(str(i).encode()).hexdigest() for i in range(2000)]
    keys += ["", "0", "0000", "ffff", "ffffffff", "zz-not-hex", "A1"]  # salted or foreign keys still land once
    con = duckdb.connect()
    con.execute("create table k as select unnest(?) as shopper_key", [keys])
    predicates = warehouse.key_range_filters(n_chunks)
    assert len(predicates) == n_chunks
    hits = con.execute(
        "select shopper_key, " + " + ".join(f"({p})::int" for p in predicates) + " as n from k"
    ).df()
    assert hits["n"].eq(1).all(), hits[hits["n"] != 1]
    if n_chunks > 1:  # md5 keys spread over the chunks: none is empty at this size
        sizes = [con.execute(f"select count(*) from k where {p}").fetchall()[0][0] for p in predicates]
        assert min(sizes) > 0


def _read(con: duckdb.DuckDBPyConnection):
    def ref(name: str):
        schema = "marts" if name in {"dim_campaigns", "uplift_model_metrics"} else "intermediate"
        return con.table(f"{schema}.{name}")
    return ref


def _sorted(frame: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    out = frame.sort_values(keys).reset_index(drop=True)
    if "as_of_date" in out:  # Arrow gives dates, DuckDB's df() timestamps: compare the days
        out["as_of_date"] = pd.to_datetime(out["as_of_date"]).astype("datetime64[ns]")
    return out


def test_propensity_scores_in_small_chunks_equal_the_built_table(ci_dir) -> None:
    con = duckdb.connect(str(ci_dir / "warehouse.duckdb"), read_only=True)
    ref = _read(con)
    models, _ = pipeline.train_propensity(**warehouse.propensity_training_inputs(ref, 300_000))
    chunked = warehouse.propensity_scores(ref, models, chunk_rows=37).to_pandas()
    built = con.table("marts.propensity_scores").df()
    keys = ["shopper_key", "retailer", "brand"]
    assert len(chunked) == len(built) > 0
    pd.testing.assert_frame_equal(_sorted(chunked, keys), _sorted(built[chunked.columns.tolist()], keys),
                                  check_dtype=False)


def test_uplift_scores_in_small_chunks_equal_the_built_table(ci_dir) -> None:
    con = duckdb.connect(str(ci_dir / "warehouse.duckdb"), read_only=True)
    ref = _read(con)
    inputs = warehouse.uplift_training_inputs(ref, 300_000)
    learner = pipeline.selected_learner(ref("uplift_model_metrics").df())
    models = pipeline.fit_uplift_models(inputs["training"], inputs["campaigns"], learner)
    chunked = warehouse.uplift_scores(ref, models, inputs["campaigns"], chunk_rows=23).to_pandas()
    built = con.table("marts.uplift_scores").df()
    keys = ["campaign_id", "retailer", "shopper_key"]
    assert len(chunked) == len(built) > 0
    pd.testing.assert_frame_equal(_sorted(chunked, keys), _sorted(built[chunked.columns.tolist()], keys),
                                  check_dtype=False)
