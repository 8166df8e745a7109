"""Fuzz suite fixtures: one tiny generated landing zone per session, parsed project, baseline build.

The default run (CI) keeps the cases without the ``fuzz_full`` marker; ``pytest tests/fuzz -m fuzz_full``
or ``PROMO_FUZZ=full`` runs every case (``make fuzz``).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from fuzz.runner import REPO, DbtSession, Tables, read_records, read_tables

SEED = 7  # generator seed of the fuzz landing zone (60 shoppers x 14 days)
SHOPPERS, DAYS = 60, 14


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "fuzz_full: fuzz case run only by `make fuzz` (-m fuzz_full or PROMO_FUZZ=full)")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if os.environ.get("PROMO_FUZZ") == "full" or "fuzz_full" in (config.getoption("-m") or ""):
        return
    skip = pytest.mark.skip(reason="full fuzz case: run with `make fuzz` (PROMO_FUZZ=full)")
    for item in items:
        if "fuzz_full" in item.keywords:
            item.add_marker(skip)


class Baseline:
    def __init__(self, work: Path) -> None:
        from promo_factory.generator import generate_landing_zone

        if not (REPO / ".venv" / "bin" / "dbt").exists():
            pytest.skip("needs the project's .venv")
        self.work = work
        self.raw = work / "baseline" / "raw"
        generate_landing_zone(self.raw, None, seed=SEED, shoppers=SHOPPERS, days=DAYS)
        self.session = DbtSession(work / "dbt")
        result = self.session.build(work / "baseline")
        assert result.success, f"baseline build failed:\n{result.text}"
        self.warehouse = work / "baseline" / "warehouse.duckdb"
        self.tables: Tables = read_tables(self.warehouse)
        self.records = read_records(self.warehouse)

    def case_dir(self, name: str) -> Path:
        case = self.work / "cases" / name
        shutil.rmtree(case, ignore_errors=True)
        shutil.copytree(self.raw, case / "raw")
        return case


@pytest.fixture(scope="session")
def baseline(tmp_path_factory: pytest.TempPathFactory) -> Baseline:
    return Baseline(tmp_path_factory.mktemp("fuzz"))
