"""The dbt project as Dagster sees it, and the manifest it is built from.

A fresh clone has no `manifest.json`: loading this module runs `dbt parse`
when the manifest is missing, and on every load under `dagster dev` (what
`DbtProject.prepare_if_dev()` does) so that edited models show up on reload.
`DBT_TARGET_PATH` (default `target`) says where the manifest and the run
artefacts go. dbt is the one installed next to the running Python (`.venv/bin/dbt`),
so nothing depends on PATH.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
from functools import lru_cache
from pathlib import Path
from typing import Any

from dagster_dbt import DbtCliResource, DbtProject
from dagster_dbt.dbt_project import using_dagster_dev

from promo_factory.settings import REPO_ROOT


def target_path() -> Path:
    """dbt's target folder, relative to the repository unless absolute."""
    return Path(os.environ.get("DBT_TARGET_PATH", "target"))


def dbt_executable() -> str:
    """The dbt of this Python environment, else the one on PATH."""
    candidate = Path(sys.executable).parent / "dbt"
    return str(candidate) if candidate.exists() else (shutil.which("dbt") or "dbt")


def prepare(project: DbtProject) -> None:
    """Write `manifest.json` (`dbt parse`) if it is missing or when running under `dagster dev`."""
    if using_dagster_dev() or not project.manifest_path.exists():
        dbt = DbtCliResource(project_dir=project, dbt_executable=dbt_executable())
        dbt.cli(["parse", "--quiet"], target_path=project.target_path).wait()


dbt_project = DbtProject(project_dir=REPO_ROOT, profiles_dir=REPO_ROOT, target_path=target_path())
prepare(dbt_project)


@lru_cache(maxsize=1)
def load_manifest() -> dict[str, Any]:
    """The parsed manifest of `dbt_project` (read once per process)."""
    return json.loads(dbt_project.manifest_path.read_text(encoding="utf-8"))
