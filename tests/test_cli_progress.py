"""Long commands show a progress bar on a terminal and stay quiet when not on one (the brief:
"long work shows progress"). The terminal is a real pseudo-terminal with a window size."""

from __future__ import annotations

import fcntl
import os
import pty
import struct
import subprocess
import sys
import termios
from pathlib import Path

import pytest

COMMAND = [str(Path(sys.executable).parent / "specialekatalog")]


def on_terminal(args: list[str], env: dict[str, str]) -> tuple[bytes, int]:
    """What the command writes to a 100-column terminal (stdout and stderr both), and its exit
    code."""
    pid, fd = pty.fork()
    if pid == 0:  # the child: a terminal of 24 x 100
        fcntl.ioctl(1, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 100, 0, 0))
        os.execve(COMMAND[0], COMMAND + args, env)
    out = b""
    while True:
        try:
            data = os.read(fd, 65536)
        except OSError:  # the child closed the terminal
            break
        if not data:
            break
        out += data
    _, status = os.waitpid(pid, 0)
    return out, os.waitstatus_to_exitcode(status)


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return {**os.environ, "SPECIALEKATALOG_STORE": str(tmp_path / "store")}


@pytest.mark.parametrize(
    ("args", "unit"),
    [  # export is the quick representative; the others generate, import or check hundreds
        pytest.param(
            ["demo", "--providers", "400", "--format", "csv", "-o", "{tmp}/demo.csv"],
            b"providers",
            marks=pytest.mark.slow,
        ),
        pytest.param(
            ["demo", "--providers", "400", "--load"], b"providers", marks=pytest.mark.slow
        ),
        (["export", "--format", "nq", "-o", "{tmp}/all.nq"], b"quads"),
        pytest.param(["import", "{tmp}/import.csv"], b"providers", marks=pytest.mark.slow),
        pytest.param(["check", "--all", "--force"], b"%", marks=pytest.mark.slow),
    ],
)
def test_a_bar_on_a_terminal_and_silence_in_a_pipe(
    env: dict[str, str], tmp_path: Path, args: list[str], unit: bytes
) -> None:
    subprocess.run([*COMMAND, "load"], env=env, check=True, capture_output=True)
    if args[0] in ("import", "check"):
        demo = ["demo", "--providers", "150", "--format", "csv", "-o", f"{tmp_path}/import.csv"]
        subprocess.run([*COMMAND, *demo], env=env, check=True, capture_output=True)
    if args[0] == "check":
        subprocess.run([*COMMAND, "import", f"{tmp_path}/import.csv"], env=env, check=True)
    args = [a.replace("{tmp}", str(tmp_path)) for a in args]
    exit_code = 1 if args[0] == "check" else 0  # check: some demo providers do not conform
    shown, code = on_terminal(args, env)
    assert code == exit_code, shown[-2000:]
    assert unit + b"/s" in shown and b"\r" in shown  # a bar redrawn in place, with a rate

    piped = subprocess.run([*COMMAND, *args], env=env, capture_output=True)
    assert piped.returncode == exit_code, piped.stderr[-2000:]
    assert unit + b"/s" not in piped.stderr
