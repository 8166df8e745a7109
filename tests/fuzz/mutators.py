"""Defect kinds planted into a valid landing zone, each with what a correct build must do about it.

A mutator edits the files of a copied landing zone in place and returns an ``Expect``:
- ``quarantine``: every good record loads unchanged; the listed records leave fct_sales_lines and
  appear in dq_quarantine with the listed reason (reconciliation exact);
- ``unchanged``: the published tables equal the baseline's;
- ``fail``: the build fails and dbt's output names the file and the problem.
Targets are drawn with a seeded ``random.Random`` among records the baseline loaded whose key is unique.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from promo_factory.gtin import with_check_digit

ALPHA_COLUMNS = ["ticket_id", "ligne", "store_code", "date_heure", "carte_fidelite", "ean", "libelle", "qte",
                 "poids_kg", "prix_unitaire", "remise", "code_promo"]
QuarantineRow = tuple[str, str, str, str]  # source, source_file, record_ref, reason
Key = tuple[str, str, int]  # retailer, transaction_id, line_number


@dataclass
class Expect:
    behaviour: str  # "quarantine" | "unchanged" | "fail"
    quarantined: list[QuarantineRow] = field(default_factory=list)
    removed: list[Key] = field(default_factory=list)
    read_delta: dict[str, int] = field(default_factory=dict)  # records read more (+) or fewer (-) per source
    file: str | None = None  # for "fail": the relative path the message must name
    problem: tuple[str, ...] = ()  # for "fail": any of these words must appear (case-insensitive)


@dataclass
class Context:
    """The landing zone being mutated and the baseline records to pick targets from."""

    root: Path
    records: pd.DataFrame
    rng: random.Random
    catalog_gtins: set[str]

    def pick(self, source: str, extra: Callable[[pd.DataFrame], pd.Series] | None = None) -> pd.Series:
        """A loaded record of ``source`` whose (retailer, transaction_id, line_number) is unique."""
        frame = self.records
        mask = (frame["source"] == source) & (frame["outcome"] == "loaded") & (frame["key_count"] == 1)
        if source == "beta_orders":
            mask &= frame["order_versions"] == 1
        if extra is not None:
            mask &= extra(frame)
        candidates = frame[mask].sort_values(["source_file", "record_ref"]).reset_index(drop=True)
        assert len(candidates), f"no candidate record in {source}"
        return candidates.iloc[self.rng.randrange(len(candidates))]

    def key(self, record: pd.Series) -> Key:
        return (str(record["retailer"]), str(record["transaction_id"]), int(record["line_number"]))

    def unknown_valid_gtin(self) -> str:
        while True:
            gtin = with_check_digit(f"{self.rng.randrange(10**11, 10**12):012d}")
            if gtin.zfill(14) not in self.catalog_gtins:
                return gtin


# ---------------------------------------------------------------- ALPHA (CSV, ';')

def _alpha_lines(path: Path) -> list[str]:
    return path.read_bytes().decode("utf-8").splitlines(keepends=True)


def _split(line: str) -> tuple[list[str], str]:
    body = line.rstrip("\r\n")
    return body.split(";"), line[len(body):]


def _alpha_record_line(lines: list[str], record_ref: str) -> int:
    ticket, ligne = record_ref.split("/")
    for index, line in enumerate(lines):
        fields, _ = _split(line)
        if len(fields) == len(ALPHA_COLUMNS) and fields[0].strip() == ticket and fields[1].strip() == ligne:
            return index
    raise AssertionError(f"record {record_ref} not found")


def _alpha_set(ctx: Context, column: str, value: str, reason: str, **more: str) -> Expect:
    """Set one field (and the fields of ``more``) of one ALPHA record; the record must be quarantined with
    ``reason``."""
    record = ctx.pick("alpha_receipts")
    path = ctx.root / record["source_file"]
    lines = _alpha_lines(path)
    index = _alpha_record_line(lines, record["record_ref"])
    fields, eol = _split(lines[index])
    for name, text in {column: value, **more}.items():
        fields[ALPHA_COLUMNS.index(name)] = text
    lines[index] = ";".join(fields) + eol
    path.write_bytes("".join(lines).encode("utf-8"))
    return Expect("quarantine", [("alpha_receipts", record["source_file"], record["record_ref"], reason)],
                  [ctx.key(record)])


def _alpha_file(ctx: Context) -> tuple[Path, str]:
    record = ctx.pick("alpha_receipts")
    return ctx.root / record["source_file"], str(record["source_file"])


def _missing_alpha_date(ctx: Context) -> str:
    present = {p.name for p in (ctx.root / "alpha" / "receipts").glob("*.csv")}
    days = sorted(pd.date_range("2025-09-01", "2025-12-31").strftime("%Y-%m-%d"))
    return next(f"alpha/receipts/{d}.csv" for d in days if f"{d}.csv" not in present)


def alpha_latin1_encoding(ctx: Context) -> Expect:
    record = ctx.pick("alpha_receipts")
    path = ctx.root / record["source_file"]
    lines = _alpha_lines(path)
    index = _alpha_record_line(lines, record["record_ref"])
    fields, eol = _split(lines[index])
    fields[ALPHA_COLUMNS.index("libelle")] = "CRÈME BRÛLÉE 2X100G"
    lines[index] = ";".join(fields) + eol
    path.write_bytes("".join(lines).encode("latin-1"))
    return Expect("fail", file=str(record["source_file"]), problem=("utf-8", "utf8", "unicode", "encoding"))


def alpha_truncated_last_line(ctx: Context) -> Expect:
    def last_in_file(frame: pd.DataFrame) -> pd.Series:
        return frame["source"] == "alpha_receipts"

    for _ in range(200):
        record = ctx.pick("alpha_receipts", last_in_file)
        path = ctx.root / record["source_file"]
        lines = _alpha_lines(path)
        if _alpha_record_line(lines, record["record_ref"]) == len(lines) - 1:
            break
    else:
        raise AssertionError("no file ends with a clean record")
    fields, _ = _split(lines[-1])
    lines[-1] = ";".join(fields[:3]) + ";"  # cut after store_code, no end of line: the transfer stopped
    path.write_bytes("".join(lines).encode("utf-8"))
    return Expect("quarantine", [("alpha_receipts", record["source_file"], record["record_ref"], "missing_field")],
                  [ctx.key(record)])


def alpha_bom(ctx: Context) -> Expect:
    path, _ = _alpha_file(ctx)
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    return Expect("unchanged")


def _alpha_rewrite_columns(ctx: Context, change: Callable[[list[str]], list[str]]) -> str:
    path, relative = _alpha_file(ctx)
    lines = _alpha_lines(path)
    out = []
    for line in lines:
        fields, eol = _split(line)
        out.append(";".join(change(fields)) + eol)
    path.write_bytes("".join(out).encode("utf-8"))
    return relative


def alpha_extra_column(ctx: Context) -> Expect:
    relative = _alpha_rewrite_columns(ctx, lambda f: f + (["canal"] if f[0] == "ticket_id" else ["caisse"]))
    return Expect("fail", file=relative, problem=("column",))


def alpha_missing_column(ctx: Context) -> Expect:
    position = ALPHA_COLUMNS.index("remise")
    relative = _alpha_rewrite_columns(ctx, lambda f: f[:position] + f[position + 1:])
    return Expect("fail", file=relative, problem=("remise",))


def alpha_reordered_columns(ctx: Context) -> Expect:
    a, b = ALPHA_COLUMNS.index("qte"), ALPHA_COLUMNS.index("prix_unitaire")

    def swap(fields: list[str]) -> list[str]:
        fields = list(fields)
        fields[a], fields[b] = fields[b], fields[a]
        return fields

    relative = _alpha_rewrite_columns(ctx, swap)
    return Expect("fail", file=relative, problem=("qte", "prix_unitaire"))


def alpha_empty_file(ctx: Context) -> Expect:
    path = ctx.root / _missing_alpha_date(ctx)
    path.write_bytes(b"")
    return Expect("unchanged")


def alpha_header_only_file(ctx: Context) -> Expect:
    path = ctx.root / _missing_alpha_date(ctx)
    path.write_bytes((";".join(ALPHA_COLUMNS) + "\r\n").encode())
    return Expect("unchanged")


def alpha_header_repeated_mid_file(ctx: Context) -> Expect:
    path, _ = _alpha_file(ctx)
    lines = _alpha_lines(path)
    eol = lines[0][len(lines[0].rstrip("\r\n")):]
    lines.insert(max(1, len(lines) // 2), ";".join(ALPHA_COLUMNS) + eol)
    path.write_bytes("".join(lines).encode("utf-8"))
    return Expect("unchanged")


def alpha_blank_line_mid_file(ctx: Context) -> Expect:
    path, _ = _alpha_file(ctx)
    lines = _alpha_lines(path)
    eol = lines[0][len(lines[0].rstrip("\r\n")):]
    lines.insert(max(1, len(lines) // 2), eol)
    path.write_bytes("".join(lines).encode("utf-8"))
    return Expect("unchanged")


def alpha_quoted_label_with_semicolon(ctx: Context) -> Expect:
    record = ctx.pick("alpha_receipts")
    path = ctx.root / record["source_file"]
    lines = _alpha_lines(path)
    index = _alpha_record_line(lines, record["record_ref"])
    fields, eol = _split(lines[index])
    fields[ALPHA_COLUMNS.index("libelle")] = '"LAIT ""BIO""; DEMI-ECREME 1L"'
    lines[index] = ";".join(fields) + eol
    path.write_bytes("".join(lines).encode("utf-8"))
    return Expect("unchanged")


def alpha_stray_quote_in_label(ctx: Context) -> Expect:
    record = ctx.pick("alpha_receipts")
    path = ctx.root / record["source_file"]
    lines = _alpha_lines(path)
    index = _alpha_record_line(lines, record["record_ref"])
    fields, eol = _split(lines[index])
    fields[ALPHA_COLUMNS.index("libelle")] = 'PIZZA 12" JAMBON'
    lines[index] = ";".join(fields) + eol
    path.write_bytes("".join(lines).encode("utf-8"))
    return Expect("unchanged")


def alpha_thousands_separator(ctx: Context) -> Expect:
    return _alpha_set(ctx, "prix_unitaire", "1.234,50", "invalid_amount")


def alpha_huge_quantity(ctx: Context) -> Expect:
    return _alpha_set(ctx, "qte", "99999999999", "invalid_quantity")


def alpha_huge_price(ctx: Context) -> Expect:
    return _alpha_set(ctx, "prix_unitaire", "99999999999999,99", "invalid_amount")


def alpha_weight_times_price_overflows(ctx: Context) -> Expect:
    # each field fits decimal(18, 6), their product (1e13 EUR) does not; it once failed the whole build
    return _alpha_set(ctx, "poids_kg", "99999999,5", "invalid_amount", prix_unitaire="99999,99")


def alpha_negative_discount(ctx: Context) -> Expect:
    return _alpha_set(ctx, "remise", "-1,00", "invalid_amount")


def alpha_future_date(ctx: Context) -> Expect:
    return _alpha_set(ctx, "date_heure", "03/10/2031 10:21:30", "invalid_timestamp")


def alpha_date_before_2000(ctx: Context) -> Expect:
    return _alpha_set(ctx, "date_heure", "03/10/1999 10:21:30", "invalid_timestamp")


def alpha_iso_date(ctx: Context) -> Expect:
    return _alpha_set(ctx, "date_heure", "2025-10-03T10:21:30", "invalid_timestamp")


def alpha_fractional_quantity(ctx: Context) -> Expect:
    return _alpha_set(ctx, "qte", "1,5", "invalid_quantity")


def alpha_unknown_store(ctx: Context) -> Expect:
    return _alpha_set(ctx, "store_code", "A999", "unknown_store")


def alpha_unknown_gtin_valid_check_digit(ctx: Context) -> Expect:
    return _alpha_set(ctx, "ean", ctx.unknown_valid_gtin(), "unknown_product")


def alpha_wrong_check_digit(ctx: Context) -> Expect:
    gtin = ctx.unknown_valid_gtin()
    return _alpha_set(ctx, "ean", gtin[:-1] + str((int(gtin[-1]) + 1) % 10), "invalid_gtin")


# ---------------------------------------------------------------- BETA (JSON Lines)

def _beta_order(ctx: Context) -> tuple[Path, str, list[str], int, pd.DataFrame]:
    """A clean order (every item loaded, one version, unique keys): path, file, lines, line index, its items."""
    records = ctx.records
    while True:
        record = ctx.pick("beta_orders")
        items = records[(records["source"] == "beta_orders") & (records["transaction_id"] == record["transaction_id"])]
        if (items["outcome"] == "loaded").all() and (items["key_count"] == 1).all():
            break
    path = ctx.root / record["source_file"]
    lines = path.read_bytes().decode("utf-8").split("\n")
    return path, str(record["source_file"]), lines, int(record["row_order"]) - 1, items


def _beta_keys(ctx: Context, items: pd.DataFrame) -> list[Key]:
    return [ctx.key(row) for _, row in items.iterrows()]


def _beta_items_reason(ctx: Context, edit: Callable[[dict], None], reason: str, only_first: bool = False) -> Expect:
    path, relative, lines, index, items = _beta_order(ctx)
    order = json.loads(lines[index])
    edit(order)
    lines[index] = json.dumps(order)
    path.write_bytes("\n".join(lines).encode("utf-8"))
    hit = items.sort_values("line_number").iloc[:1] if only_first else items
    return Expect("quarantine", [("beta_orders", relative, r, reason) for r in hit["record_ref"]], _beta_keys(ctx, hit))


def beta_non_json_line(ctx: Context) -> Expect:
    path, relative, lines, _, _ = _beta_order(ctx)
    if lines[-1] == "":
        lines.insert(len(lines) - 1, "order 4711 delivered, see e-mail")
        number = len(lines) - 1
    else:
        lines.append("order 4711 delivered, see e-mail")
        number = len(lines)
    path.write_bytes("\n".join(lines).encode("utf-8"))
    return Expect("quarantine", [("beta_orders", relative, f"line {number}", "malformed_json")],
                  read_delta={"beta_orders": 1})


def beta_json_array_line(ctx: Context) -> Expect:
    path, relative, lines, _, _ = _beta_order(ctx)
    lines.insert(0, '[{"order_id": "B-X"}]')
    # every later line moves down by one: its malformed refs would change, so pick files without any
    path.write_bytes("\n".join(lines).encode("utf-8"))
    shifted = ctx.records[(ctx.records["source_file"] == relative) & (ctx.records["outcome"] == "quarantined")]
    assert shifted.empty or not shifted["record_ref"].str.startswith("line ").any(), "file has malformed lines"
    return Expect("quarantine", [("beta_orders", relative, "line 1", "malformed_json")], read_delta={"beta_orders": 1})


def beta_truncated_last_line(ctx: Context) -> Expect:
    for _ in range(200):
        path, relative, lines, index, items = _beta_order(ctx)
        last = max(i for i, line in enumerate(lines) if line.strip())
        if index == last:
            break
    else:
        raise AssertionError("no file ends with a clean order")
    lines = lines[:index] + [lines[index][: len(lines[index]) // 2]]
    path.write_bytes("\n".join(lines).encode("utf-8"))
    return Expect("quarantine", [("beta_orders", relative, f"line {index + 1}", "malformed_json")],
                  _beta_keys(ctx, items), read_delta={"beta_orders": 1 - len(items)})


def beta_bom(ctx: Context) -> Expect:
    path, _, _, _, _ = _beta_order(ctx)
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    return Expect("unchanged")


def beta_latin1_encoding(ctx: Context) -> Expect:
    path, relative, lines, index, _ = _beta_order(ctx)
    order = json.loads(lines[index])
    order["note"] = "livré à l'accueil"
    lines[index] = json.dumps(order, ensure_ascii=False)
    path.write_bytes("\n".join(lines).encode("latin-1"))
    return Expect("fail", file=relative, problem=("utf-8", "utf8", "unicode", "encoding"))


def beta_missing_store_code(ctx: Context) -> Expect:
    return _beta_items_reason(ctx, lambda order: order.pop("store_code"), "missing_field")


def beta_missing_items_key(ctx: Context) -> Expect:
    path, relative, lines, index, items = _beta_order(ctx)
    order = json.loads(lines[index])
    order.pop("items")
    lines[index] = json.dumps(order)
    path.write_bytes("\n".join(lines).encode("utf-8"))
    return Expect("quarantine", [("beta_orders", relative, f"line {index + 1}", "missing_field")],
                  _beta_keys(ctx, items), read_delta={"beta_orders": 1 - len(items)})


def beta_items_not_a_list(ctx: Context) -> Expect:
    path, relative, lines, index, items = _beta_order(ctx)
    order = json.loads(lines[index])
    order["items"] = order["items"][0]
    lines[index] = json.dumps(order)
    path.write_bytes("\n".join(lines).encode("utf-8"))
    return Expect("quarantine", [("beta_orders", relative, f"line {index + 1}", "missing_field")],
                  _beta_keys(ctx, items), read_delta={"beta_orders": 1 - len(items)})


def beta_quantity_wrong_type(ctx: Context) -> Expect:
    def edit(order: dict) -> None:
        order["items"][0]["qty"] = "two"

    return _beta_items_reason(ctx, edit, "invalid_quantity", only_first=True)


def beta_quantity_times_price_overflows(ctx: Context) -> Expect:
    # a whole quantity and a price that parse, whose product (2e12 EUR) does not fit decimal(18, 6)
    def edit(order: dict) -> None:
        order["items"][0]["qty"] = 2000000000
        order["items"][0]["unit_price"] = "1000.00"

    return _beta_items_reason(ctx, edit, "invalid_amount", only_first=True)


def beta_price_as_number(ctx: Context) -> Expect:
    def edit(order: dict) -> None:
        for item in order["items"]:
            item["unit_price"] = float(item["unit_price"])

    path, _, lines, index, _ = _beta_order(ctx)
    order = json.loads(lines[index])
    edit(order)
    lines[index] = json.dumps(order)
    path.write_bytes("\n".join(lines).encode("utf-8"))
    return Expect("unchanged")


def beta_unknown_gtin_valid_check_digit(ctx: Context) -> Expect:
    gtin = ctx.unknown_valid_gtin().zfill(14)

    def edit(order: dict) -> None:
        order["items"][0]["gtin"] = gtin

    return _beta_items_reason(ctx, edit, "unknown_product", only_first=True)


# ---------------------------------------------------------------- GAMMA (Parquet)

def _gamma_row(ctx: Context) -> tuple[Path, pd.Series, pa.Table, int]:
    record = ctx.pick("gamma_transactions")
    path = ctx.root / record["source_file"]
    return path, record, pq.read_table(path), int(record["row_order"]) - 1


def _set_value(table: pa.Table, column: str, row: int, value: object, type_: pa.DataType | None = None) -> pa.Table:
    values = table.column(column).to_pylist()
    values[row] = value
    type_ = type_ or table.schema.field(column).type
    position = table.schema.get_field_index(column)
    return table.set_column(position, pa.field(column, type_), pa.array(values, type=type_))


def _gamma_set(ctx: Context, column: str, value: object, reason: str) -> Expect:
    path, record, table, row = _gamma_row(ctx)
    pq.write_table(_set_value(table, column, row, value), path)
    return Expect("quarantine", [("gamma_transactions", record["source_file"], record["record_ref"], reason)],
                  [ctx.key(record)])


def gamma_zero_byte_file(ctx: Context) -> Expect:
    path, record, _, _ = _gamma_row(ctx)
    target = path.parent / "part-9.parquet"
    target.write_bytes(b"")
    return Expect("fail", file=str(Path(record["source_file"]).parent / target.name),
                  problem=("parquet", "too small", "magic"))


def gamma_truncated_file(ctx: Context) -> Expect:
    path, record, _, _ = _gamma_row(ctx)
    target = path.parent / "part-8.parquet"
    data = path.read_bytes()
    target.write_bytes(data[: len(data) // 2])
    return Expect("fail", file=str(Path(record["source_file"]).parent / target.name),
                  problem=("parquet", "magic", "corrupt", "footer"))


def gamma_amount_as_text(ctx: Context) -> Expect:
    path, _, table, _ = _gamma_row(ctx)
    position = table.schema.get_field_index("amount_cents")
    table = table.set_column(position, pa.field("amount_cents", pa.string()),
                             pc.cast(table.column("amount_cents"), pa.string()))
    pq.write_table(table, path)
    return Expect("unchanged")  # digits as text convert losslessly


def gamma_amount_as_euros_double(ctx: Context) -> Expect:
    path, record, table, _ = _gamma_row(ctx)
    position = table.schema.get_field_index("amount_cents")
    euros = pc.divide(pc.cast(table.column("amount_cents"), pa.float64()), 100.0)
    pq.write_table(table.set_column(position, pa.field("amount_cents", pa.float64()), euros), path)
    return Expect("fail", file=str(record["source_file"]), problem=("amount_cents",))


def gamma_widened_line_no(ctx: Context) -> Expect:
    path, _, table, _ = _gamma_row(ctx)
    position = table.schema.get_field_index("line_no")
    table = table.set_column(position, pa.field("line_no", pa.int64()), pc.cast(table.column("line_no"), pa.int64()))
    pq.write_table(table, path)
    return Expect("unchanged")


def gamma_missing_column(ctx: Context) -> Expect:
    path, record, table, _ = _gamma_row(ctx)
    pq.write_table(table.drop(["promo_ref"]), path)
    return Expect("fail", file=str(record["source_file"]), problem=("promo_ref",))


def gamma_extra_column(ctx: Context) -> Expect:
    path, _, table, _ = _gamma_row(ctx)
    pq.write_table(table.append_column("till_no", pa.array([7] * table.num_rows, type=pa.int32())), path)
    return Expect("unchanged")


def gamma_nan_quantity(ctx: Context) -> Expect:
    return _gamma_set(ctx, "quantity", float("nan"), "invalid_quantity")


def gamma_fractional_quantity(ctx: Context) -> Expect:
    return _gamma_set(ctx, "quantity", 1.5, "invalid_quantity")


def gamma_huge_amount(ctx: Context) -> Expect:
    return _gamma_set(ctx, "amount_cents", 9_000_000_000_000_000_000, "invalid_amount")


def gamma_unknown_sku(ctx: Context) -> Expect:
    return _gamma_set(ctx, "sku", "GS999999", "unknown_sku")


def gamma_unknown_shop(ctx: Context) -> Expect:
    return _gamma_set(ctx, "shop_id", 987, "unknown_store")


def gamma_future_timestamp(ctx: Context) -> Expect:
    path, record, table, row = _gamma_row(ctx)
    value = table.column("ts_utc")[row].as_py().replace(year=2031)
    pq.write_table(_set_value(table, "ts_utc", row, value), path)
    return Expect("quarantine", [("gamma_transactions", record["source_file"], record["record_ref"],
                                  "invalid_timestamp")], [ctx.key(record)])


# ---------------------------------------------------------------- reference files

def catalog_latin1_encoding(ctx: Context) -> Expect:
    path = ctx.root / "catalog" / "products.csv"
    path.write_bytes(path.read_bytes().decode("utf-8").encode("latin-1", errors="replace"))
    return Expect("fail", file="catalog/products.csv", problem=("utf-8", "utf8", "unicode", "encoding"))


def stores_extra_column(ctx: Context) -> Expect:
    path = ctx.root / "stores" / "stores.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    lines = [lines[0] + ",manager"] + [line + ",x" for line in lines[1:]]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return Expect("fail", file="stores/stores.csv", problem=("column",))


MUTATORS: dict[str, Callable[[Context], Expect]] = {
    name: function for name, function in list(globals().items())
    if callable(function) and name.split("_")[0] in {"alpha", "beta", "gamma", "catalog", "stores"}
    and not name.startswith("_") and function.__module__ == __name__ and name not in {"alpha_lines"}
}
