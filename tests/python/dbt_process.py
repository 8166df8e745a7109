"""The environment of a `dbt` process that a test runs: the project's profile, with a target directory, logs,
warehouse and landing zone of the test's own."""

from __future__ import annotations

import os
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def dbt_environment(
    work: Path, warehouse: Path, raw_dir: Path, project: Path = REPO, key_salt: str = ""
) -> dict[str, str]:
    return {
        **os.environ,
        "DBT_PROFILES_DIR": str(project),
        "DBT_TARGET_PATH": str(work / "target"),
        "DBT_LOG_PATH": str(work / "logs"),
        "PROMO_WAREHOUSE": str(warehouse),
        "PROMO_RAW_DIR": str(raw_dir),
        "PROMO_KEY_SALT": key_salt,
        "DO_NOT_TRACK": "1",
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    }
