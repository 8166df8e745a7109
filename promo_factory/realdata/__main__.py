"""`python -m promo_factory.realdata --out DIR [--households N]`: write the Complete Journey landing zone."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from promo_factory.realdata import import_complete_journey


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m promo_factory.realdata", description=__doc__)
    parser.add_argument("--out", default="data/real/raw", help="landing zone root to write")
    parser.add_argument("--households", type=int, default=None, help="keep only this many households")
    args = parser.parse_args(argv)
    print(json.dumps(import_complete_journey(Path(args.out), households=args.households), indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
