"""Grow a generated landing zone in time: N copies of its daily history, each shifted further back.

The generator simulates the whole history in memory (about 4.5 GB per 10M
lines), so 100M lines cannot be generated on one machine. The benchmark
builds them from a 10M landing zone instead: copy 0 is the zone itself,
copy k its daily files moved k x ``span`` days earlier (a whole number of
weeks, so weekdays and ISO weeks keep their rhythm). The same shoppers shop
for years, which is what a growing history looks like.

Each copy differs from the original only where the contract demands
uniqueness or dates:
- ALPHA: ``ticket_id`` gets the prefix ``H<k>-``, ``date_heure`` the shifted date;
- BETA: ``order_id`` gets the prefix, ``placed_at`` the shifted date;
- GAMMA: ``txn_id`` gets the prefix, ``ts_utc`` moves by the shift;
- the file names and ``date=`` folders carry the shifted dates.
Reference files (catalog, stores, campaigns, assignments, redemptions,
erasure requests) are shared, so the campaigns stay where they were and the
planned ones stay planned. A line the copy cannot parse (a planted defect) is
kept as it is: it is quarantined in every copy, as in the original.

Usage: ``python -m bench.replicate SOURCE DEST --copies 10``.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
from concurrent.futures import ProcessPoolExecutor
from datetime import date, timedelta
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

DAILY_ROOTS = ("alpha/receipts", "beta/orders", "gamma/transactions")
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def span_days(source: Path) -> int:
    """Days covered by the ALPHA daily files, rounded up to whole weeks."""
    days = sorted(date.fromisoformat(p.stem) for p in (source / "alpha" / "receipts").glob("*.csv"))
    covered = (days[-1] - days[0]).days + 1
    return -(-covered // 7) * 7


def shifted(day: str, shift: int) -> str:
    return (date.fromisoformat(day) - timedelta(days=shift)).isoformat()


def _french(day: str) -> str:
    year, month, dom = day.split("-")
    return f"{dom}/{month}/{year}"


def alpha_copy(source: Path, target: Path, prefix: str, shift: int) -> None:
    """ALPHA receipts: prefix ticket_id (field 1), shift the date of date_heure (field 4, dd/mm/yyyy)."""
    dates: dict[str, str] = {}
    with source.open("r", encoding="utf-8", newline="") as lines, target.open("w", encoding="utf-8", newline="") as out:
        out.write(lines.readline())
        for line in lines:
            fields = line.split(";", 4)
            if len(fields) == 5 and len(fields[3]) >= 10:
                old = fields[3][:10]
                if old not in dates:
                    try:
                        parts = old.split("/")
                        dates[old] = _french(shifted(f"{parts[2]}-{parts[1]}-{parts[0]}", shift))
                    except (ValueError, IndexError):
                        dates[old] = old
                fields[0] = prefix + fields[0]
                fields[3] = dates[old] + fields[3][10:]
                line = ";".join(fields)
            out.write(line)


def beta_copy(source: Path, target: Path, prefix: str, shift: int) -> None:
    """BETA orders: prefix order_id, shift the date of placed_at (text edits: a broken line stays broken)."""
    with source.open("r", encoding="utf-8", newline="") as lines, target.open("w", encoding="utf-8", newline="") as out:
        for line in lines:
            line = line.replace('"order_id": "', f'"order_id": "{prefix}', 1)
            at = line.find('"placed_at": "')
            if at >= 0:
                start = at + len('"placed_at": "')
                day = line[start:start + 10]
                if ISO_DATE.fullmatch(day):
                    try:
                        line = line[:start] + shifted(day, shift) + line[start + 10:]
                    except ValueError:
                        pass
            out.write(line)


def gamma_copy(source: Path, target: Path, prefix: str, shift: int) -> None:
    """GAMMA transactions: prefix txn_id, move ts_utc; every other column and type as delivered."""
    table = pq.read_table(source)
    names = table.column_names
    if "txn_id" in names:
        column = table["txn_id"].cast(pa.string())
        table = table.set_column(names.index("txn_id"), "txn_id", pc.binary_join_element_wise(prefix, column, ""))
    if "ts_utc" in names and pa.types.is_timestamp(table.schema.field("ts_utc").type):
        moved = pc.subtract(table["ts_utc"], pa.scalar(timedelta(days=shift), pa.duration("us")))
        table = table.set_column(names.index("ts_utc"), table.schema.field("ts_utc"), moved.cast(table.schema.field("ts_utc").type))
    pq.write_table(table, target)


def _target_path(relative: Path, shift: int) -> Path:
    return Path(ISO_DATE.sub(lambda m: shifted(m.group(0), shift), relative.as_posix()))


def _copy_one(task: tuple[str, str, str, str, int]) -> None:
    kind, source, target, prefix, shift = task
    Path(target).parent.mkdir(parents=True, exist_ok=True)
    {"alpha": alpha_copy, "beta": beta_copy, "gamma": gamma_copy}[kind](Path(source), Path(target), prefix, shift)


def replicate(source: Path, dest: Path, copies: int, workers: int = 2) -> int:
    """Write `copies` copies of the daily history of `source` into `dest`; return the span in days."""
    shutil.rmtree(dest, ignore_errors=True)
    span = span_days(source)
    tasks = []
    for path in sorted(p for p in source.rglob("*") if p.is_file()):
        relative = path.relative_to(source)
        target = dest / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        os.link(path, target)
        root = next((r for r in DAILY_ROOTS if relative.as_posix().startswith(r + "/")), None)
        if root is None:
            continue
        for k in range(1, copies):
            shift = k * span
            tasks.append((root.split("/")[0], str(path), str(dest / _target_path(relative, shift)), f"H{k}-", shift))
    with ProcessPoolExecutor(max_workers=workers) as pool:
        list(pool.map(_copy_one, tasks, chunksize=8))
    return span


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source", type=Path)
    parser.add_argument("dest", type=Path)
    parser.add_argument("--copies", type=int, required=True)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args(argv)
    span = replicate(args.source, args.dest, args.copies, args.workers)
    print(f"{args.copies} copies of {args.source} every {span} days into {args.dest}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
