"""Figures attached to materialisations, read from the warehouse after a build.

Each function takes an open DuckDB connection and returns plain metadata
values; a table or column that does not exist yet gives no entry (the
project grows model by model), never an error.
"""

from __future__ import annotations

import datetime as dt
import decimal
from collections.abc import Mapping
from typing import Any

import dagster as dg
import duckdb

# One summary query per published table: one row, each column one metadata entry.
KPI_QUERIES: dict[str, str] = {
    "fct_sales_lines": """
        select count(distinct transaction_id) as transactions,
               count(distinct shopper_key) as shoppers,
               sum(net_amount_eur) as net_sales_eur,
               avg(case when is_promo then 1.0 else 0.0 end) as promo_line_share,
               min(business_date) as first_business_date,
               max(business_date) as last_business_date
        from {relation}""",
    "dq_reconciliation": """
        select sum(rows_read) as rows_read, sum(rows_loaded) as rows_loaded,
               sum(rows_excluded) as rows_excluded, sum(rows_quarantined) as rows_quarantined,
               bool_and(rows_read = rows_loaded + rows_excluded + rows_quarantined) as is_balanced
        from {relation}""",
    "dq_quarantine": "select count(distinct reason) as reasons, count(distinct source_file) as files from {relation}",
    "kpi_brand_weekly": """
        select count(distinct brand) as brands, count(distinct week_start) as weeks,
               sum(sales_eur) as sales_eur, avg(penetration) as mean_penetration
        from {relation}""",
    "campaign_results": """
        select count(distinct campaign_id) as campaigns,
               sum(incremental_sales_eur) as incremental_sales_eur,
               sum(cost_eur) as cost_eur,
               sum(incremental_sales_eur) / nullif(sum(cost_eur), 0) as iroas,
               sum(contaminated_redemptions) as contaminated_redemptions
        from {relation} where retailer = 'ALL'""",
    "propensity_scores": """
        select count(distinct shopper_key) as shoppers, count(distinct brand) as brands, avg(score) as mean_score
        from {relation}""",
    "uplift_scores": """
        select count(distinct campaign_id) as campaigns,
               sum(expected_incremental_sales_eur) as expected_incremental_sales_eur
        from {relation}""",
    "offer_allocations": """
        select count(distinct campaign_id) as campaigns,
               count(*) filter (where arm = 'treatment') as treatment_rows,
               count(*) filter (where arm = 'holdout') as holdout_rows,
               sum(expected_cost_eur) filter (where arm = 'treatment') as expected_cost_eur,
               sum(expected_incremental_sales_eur) filter (where arm = 'treatment') as expected_incremental_sales_eur
        from {relation}""",
}

# Tables small enough to show whole, as a markdown table.
SHOWN_WHOLE: dict[str, str] = {
    "dq_reconciliation": "select * from {relation} order by source",
    "campaign_results": """
        select campaign_id, retailer, n_treatment, n_control, incremental_sales_per_shopper,
               ci_low, ci_high, p_value, iroas
        from {relation} order by campaign_id, retailer""",
}

MODEL_METRICS_TABLE = "model_metrics"


def to_metadata_value(value: Any) -> Any:
    """A DuckDB value as something Dagster stores (floats for decimals, text for dates)."""
    if isinstance(value, decimal.Decimal):
        return float(value)
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return value


def markdown_table(columns: list[str], rows: list[tuple[Any, ...]]) -> str:
    """Rows as a GitHub markdown table (floats to 4 decimals, display only)."""

    def cell(value: Any) -> str:
        value = to_metadata_value(value)
        if isinstance(value, float):
            return f"{value:.4f}"
        return "" if value is None else str(value)

    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    lines += ["| " + " | ".join(cell(value) for value in row) + " |" for row in rows]
    return "\n".join(lines)


def relation(schema: str, name: str) -> str:
    return f'"{schema}"."{name}"'


def table_columns(connection: duckdb.DuckDBPyConnection, schema: str, name: str) -> list[tuple[str, str]]:
    """(column, type) of a table or view, in order; empty when it does not exist."""
    return connection.execute(
        """select column_name, data_type from information_schema.columns
           where table_schema = ? and table_name = ? order by ordinal_position""",
        [schema, name],
    ).fetchall()


def table_metadata(
    connection: duckdb.DuckDBPyConnection, schema: str, name: str, descriptions: Mapping[str, str] | None = None
) -> dict[str, Any]:
    """Row count, column schema (warehouse types, documented descriptions) and the table's KPIs."""
    descriptions = descriptions or {}
    columns = table_columns(connection, schema, name)
    if not columns:
        return {}
    target = relation(schema, name)
    metadata: dict[str, Any] = {
        "dagster/row_count": dg.MetadataValue.int(connection.execute(f"select count(*) from {target}").fetchone()[0]),
        "dagster/column_schema": dg.TableSchema(
            columns=[
                dg.TableColumn(name=column, type=data_type, description=descriptions.get(column))
                for column, data_type in columns
            ]
        ),
    }
    if name in KPI_QUERIES:
        metadata.update(_one_row(connection, KPI_QUERIES[name].format(relation=target), prefix="kpi/"))
    if name in SHOWN_WHOLE:
        metadata.update(_whole(connection, SHOWN_WHOLE[name].format(relation=target), key=f"{name}/table"))
    return metadata


def model_metrics_metadata(
    connection: duckdb.DuckDBPyConnection, schema: str, asset_name: str
) -> dict[str, Any]:
    """The latest value of each metric of the models behind `asset_name`, as `model/<model>/<metric>`.

    A model is behind an asset when the two names start with the same word
    (`uplift_interaction_ridge` -> `uplift_scores`, `uplift_model_metrics`); the
    `model_metrics` table itself gets every model's metrics.
    """
    if not table_columns(connection, schema, MODEL_METRICS_TABLE):
        return {}
    try:
        rows = connection.execute(
            f"""select model_name, metric, arg_max(value, trained_at) as value
                from {relation(schema, MODEL_METRICS_TABLE)}
                group by model_name, metric order by model_name, metric"""
        ).fetchall()
    except duckdb.Error:
        return {}
    stem = asset_name.split("_")[0]
    return {
        f"model/{model}/{metric}": to_metadata_value(value)
        for model, metric, value in rows
        if value is not None and (asset_name == MODEL_METRICS_TABLE or str(model).split("_")[0] == stem)
    }


def _one_row(connection: duckdb.DuckDBPyConnection, query: str, prefix: str) -> dict[str, Any]:
    try:
        cursor = connection.execute(query)
        row = cursor.fetchone()
    except duckdb.Error:
        return {}
    names = [column[0] for column in cursor.description]
    return {f"{prefix}{name}": to_metadata_value(value) for name, value in zip(names, row or ()) if value is not None}


def _whole(connection: duckdb.DuckDBPyConnection, query: str, key: str) -> Mapping[str, Any]:
    try:
        cursor = connection.execute(query)
        rows = cursor.fetchmany(50)
    except duckdb.Error:
        return {}
    return {key: dg.MetadataValue.md(markdown_table([column[0] for column in cursor.description], rows))}
