"""The dbt project as Dagster sees it, and the manifest it is built from.

A fresh clone has no `manifest.json`: loading this module runs `dbt parse`
when the manifest is missing or older than a file of the project. This is
`DbtProject.prepare_if_dev()` made cheaper and wider: edited models show up
on reload under `dagster dev` (without re-parsing an unchanged project on
every load), and any other process (tests, a deployed code server) never
runs on a missing or stale manifest.
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

from promo_factory.settings import REPO_ROOT


def target_path() -> Path:
    """dbt's target folder, relative to the repository unless absolute."""
    return Path(os.environ.get("DBT_TARGET_PATH", "target"))


def dbt_executable() -> str:
    """The dbt of this Python environment, else the one on PATH."""
    candidate = Path(sys.executable).parent / "dbt"
    return str(candidate) if candidate.exists() else (shutil.which("dbt") or "dbt")


PROJECT_FOLDERS = ("models", "python_models", "macros", "seeds", "snapshots", "tests/dbt", "analyses")
PROJECT_FILES = ("dbt_project.yml", "profiles.yml", "packages.yml", "dependencies.yml")


def manifest_is_stale(project: DbtProject) -> bool:
    """True when the manifest is missing or a project file changed after it was written."""
    if not project.manifest_path.exists():
        return True
    written = project.manifest_path.stat().st_mtime
    root = project.project_dir
    paths = [root / name for name in PROJECT_FILES]
    paths += [path for folder in PROJECT_FOLDERS if (root / folder).is_dir() for path in (root / folder).rglob("*")]
    return any(path.is_file() and path.stat().st_mtime > written for path in paths)


def prepare(project: DbtProject) -> None:
    """Write `manifest.json` (`dbt parse`) if it is missing or stale."""
    if manifest_is_stale(project):
        dbt = DbtCliResource(project_dir=project, dbt_executable=dbt_executable())
        dbt.cli(["parse", "--quiet"], target_path=project.target_path).wait()


dbt_project = DbtProject(project_dir=REPO_ROOT, profiles_dir=REPO_ROOT, target_path=target_path())
prepare(dbt_project)


@lru_cache(maxsize=1)
def load_manifest() -> dict[str, Any]:
    """The parsed manifest of `dbt_project` (read once per process)."""
    return json.loads(dbt_project.manifest_path.read_text(encoding="utf-8"))
