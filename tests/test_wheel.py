"""A wheel built from the repository works from another directory (knowledge files ship inside)."""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

CHECK = """
import catalogue, catalogue.config as c
from webapp import create_app
root = c.knowledge_root()
assert 'site-packages' in str(root), root
assert (root / 'queries' / 'specialty_plan.rq').is_file()
app = create_app({'store': 'memory'})
from catalogue.loading import load_knowledge
report = load_knowledge(app.extensions['catalogue'].store)
assert report.loaded, 'no knowledge shipped'
page = app.test_client().get('/')
assert page.status_code == 200, page.status_code
from webapp.i18n import texts  # the gettext catalogues ship and are compiled in memory
tagline = texts('site.tagline')
assert tagline and tagline['da'] in page.get_data(as_text=True), 'no Danish interface strings'
print('OK', len(report.loaded))
"""


@pytest.mark.slow
def test_wheel_installs_and_runs_outside_the_repository(tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--outdir", str(dist), str(ROOT)],
        check=True,
        capture_output=True,
    )
    wheel = next(dist.glob("specialekatalog-*.whl"))
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True)
    python = env_dir / "bin" / "python"
    subprocess.run(
        [python, "-m", "pip", "install", "--quiet", "--no-deps", str(wheel)],
        check=True,
        capture_output=True,
    )
    # Dependencies come from the test environment's site-packages, added as a plain path
    # (its .pth files, including this checkout's editable hook, are not processed).
    site = next((env_dir / "lib").glob("python*/site-packages"))
    (site / "deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8")
    work = tmp_path / "elsewhere"
    work.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith("SPECIALEKATALOG_")}
    result = subprocess.run(
        [python, "-c", CHECK], cwd=work, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("OK")
    cli = subprocess.run(
        [env_dir / "bin" / "specialekatalog", "--help"], cwd=work, capture_output=True, text=True
    )
    assert cli.returncode == 0 and "serve" in cli.stdout
