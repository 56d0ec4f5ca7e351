"""Defects a new user hit on a first run (issue 10 item 10): the compliance report of ``make run``
when the store lives outside var/, and importing a whole-dataset dump instead of restoring it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from catalogue import Catalogue
from catalogue.cli import main
from catalogue.export import export

ROOT = Path(__file__).resolve().parent.parent
CLI = [sys.executable, "-c", "from catalogue.cli import main; main()"]


@pytest.mark.slow
def test_the_run_report_makes_its_folder_wherever_the_store_is(tmp_path: Path) -> None:
    report = tmp_path / "not-yet" / "last-check.txt"
    env = {**os.environ, "SPECIALEKATALOG_STORE": str(tmp_path / "elsewhere" / "store")}
    subprocess.run([*CLI, "load"], env=env, check=True, capture_output=True, timeout=300)
    done = subprocess.run(
        ["make", "--no-print-directory", "-C", str(ROOT), "report", f"REPORT={report}"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert report.is_file()
    assert f"compliance report: {report}" in done.stdout


def test_importing_a_dataset_dump_says_to_restore_it(
    knowledge_catalogue: Catalogue, tmp_path: Path
) -> None:
    dump = tmp_path / "catalogue.nq"
    with dump.open("wb") as output:
        export(knowledge_catalogue.store, output, "nq")
    result = CliRunner().invoke(
        main, ["import", "--dry-run", str(dump)], env={"SPECIALEKATALOG_STORE": "memory"}
    )
    assert result.exit_code != 0
    problems = [line for line in result.output.splitlines() if "catalogue.nq" in line]
    assert len(problems) == 1, result.output  # one clear message, not one per statement
    assert "specialekatalog restore" in problems[0]
