"""The command line: help, and `load` against an on-disk store."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from catalogue.cli import main
from catalogue.config import SETTINGS


def test_help_lists_commands_and_settings() -> None:
    result = CliRunner().invoke(main, ["--help"])
    assert result.exit_code == 0
    assert "load" in result.output and "serve" in result.output
    for setting in SETTINGS:
        assert f"SPECIALEKATALOG_{setting.name}" in result.output


def test_load_twice_loads_then_reports_unchanged(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SPECIALEKATALOG_STORE", str(tmp_path / "store"))
    first = CliRunner().invoke(main, ["load"])
    assert first.exit_code == 0, first.output
    assert "loaded    ontology/" in first.output
    second = CliRunner().invoke(main, ["load"])
    assert second.exit_code == 0
    assert second.output.strip().startswith("0 loaded")
