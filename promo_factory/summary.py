"""`promo summary`: what the last build produced, and how to query the published snapshot.

Reads the published snapshot (PROMO_PUBLISHED) when it exists, else the warehouse (PROMO_WAREHOUSE), always
read-only, and prints the row count of every table of schema marts, the dq_reconciliation table and the
commands an analyst types to query the snapshot from the duckdb CLI and from Python / pandas.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from promo_factory import settings

RECONCILIATION_COLUMNS = ("source", "rows_read", "rows_loaded", "rows_excluded", "rows_quarantined")


def _table(headers: list[str], rows: list[tuple]) -> str:
    """A plain-text table, numbers right-aligned."""
    cells = [[str(value) if value is not None else "" for value in row] for row in rows]
    widths = [max([len(header)] + [len(row[index]) for row in cells]) for index, header in enumerate(headers)]
    numeric = [all(isinstance(row[index], (int, float)) for row in rows) and bool(rows) for index in range(len(headers))]

    def line(values: list[str]) -> str:
        return "  ".join(
            value.rjust(width) if is_number else value.ljust(width)
            for value, width, is_number in zip(values, widths, numeric)
        ).rstrip()

    return "\n".join([line(headers), line(["-" * width for width in widths])] + [line(row) for row in cells])


def marts_row_counts(connection: duckdb.DuckDBPyConnection) -> list[tuple[str, int]]:
    """(table, rows) of every relation of schema marts of the connection's database, by name."""
    names = [
        name
        for (name,) in connection.execute(
            """
            select table_name
            from information_schema.tables
            where table_schema = 'marts' and table_catalog = current_database()
            order by table_name
            """
        ).fetchall()
    ]
    return [(name, int(connection.execute(f'select count(*) from marts."{name}"').fetchone()[0])) for name in names]


def reconciliation(connection: duckdb.DuckDBPyConnection) -> list[tuple]:
    """The rows of marts.dq_reconciliation (empty when the table is absent)."""
    try:
        return connection.execute(
            f"select {', '.join(RECONCILIATION_COLUMNS)} from marts.dq_reconciliation order by source"
        ).fetchall()
    except duckdb.CatalogException:
        return []


def query_help(published: Path) -> str:
    """How to open the snapshot read-only from the duckdb CLI and from Python / pandas."""
    return f"""\
Query the published snapshot (read-only; replaced atomically by each `promo publish`):

  duckdb CLI:
    duckdb -readonly {published}
    D select * from marts.kpi_brand_weekly where brand = 'DANONE' order by week_start;
    D select * from marts._snapshot;      -- when it was published, from which warehouse, rows per table

  Python / pandas:
    import duckdb
    with duckdb.connect("{published}", read_only=True) as con:
        weekly = con.sql("select * from marts.kpi_brand_weekly").df()

  Example analyses: analyses/*.sql (compiled by `dbt compile`, then target/compiled/.../analyses/).
  Model and column documentation: `make docs` (http://127.0.0.1:8080)."""


def summary_text(warehouse: Path | None = None, published: Path | None = None) -> str:
    """The summary as text (print_summary prints it)."""
    warehouse = warehouse if warehouse is not None else settings.warehouse_path()
    published = published if published is not None else settings.published_path()
    source = published if published.exists() else warehouse
    if not source.exists():
        return f"Neither {published} nor {warehouse} exists: run `make demo` (or `dbt build` then `promo publish`)."

    with duckdb.connect(str(source), read_only=True) as connection:
        counts = marts_row_counts(connection)
        reconciled = reconciliation(connection)
    kind = "published snapshot" if source == published else "warehouse (not published yet: run `promo publish`)"
    parts = [
        f"Tables of schema marts in the {kind} {source}:",
        _table(["table", "rows"], counts),
        "",
        "Data quality: dq_reconciliation (rows_read = rows_loaded + rows_excluded + rows_quarantined)",
        _table(list(RECONCILIATION_COLUMNS), reconciled) if reconciled else "  (no dq_reconciliation table)",
        "",
        query_help(published),
    ]
    return "\n".join(parts)


def print_summary(warehouse: Path | None = None, published: Path | None = None) -> None:
    """Print the row counts of the marts, the reconciliation and how to query the snapshot."""
    print(summary_text(warehouse, published), flush=True)
