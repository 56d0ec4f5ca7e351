"""Uploads kept on the server between the preview and the commit, never trusted from the client.

Each upload becomes a draft: a directory named by a random id (owner-only permissions) holding the
files exactly as received and a manifest: who uploaded it, when, and what the last preview showed
(the providers, whether it was free of errors, and the hash of each provider graph it was computed
against). The session lists the ids of its own drafts; a draft also names its editor, so an id alone
opens nothing. Drafts older than ``TTL`` are removed when the next one is made.
"""

from __future__ import annotations

import json
import re
import secrets
import shutil
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

TTL_S = 4 * 60 * 60
_ID = re.compile(r"^[A-Za-z0-9_-]{24}$")


@dataclass
class Draft:
    id: str
    editor: str
    created: float
    names: list[str]
    providers: list[str] = field(default_factory=list)
    ok: bool = False
    expected: dict[str, str] = field(default_factory=dict)  # graph IRI -> canonical hash

    def folder(self, root: Path) -> Path:
        return root / self.id


def _manifest(folder: Path) -> Path:
    return folder / "manifest.json"


def save(root: Path, editor: str, files: list[tuple[str, bytes]]) -> Draft:
    sweep(root)
    draft = Draft(secrets.token_urlsafe(18), editor, time.time(), [name for name, _ in files])
    root.mkdir(mode=0o700, parents=True, exist_ok=True)
    folder = draft.folder(root)
    folder.mkdir(mode=0o700)
    for n, (_, data) in enumerate(files):
        (folder / f"{n}.upload").write_bytes(data)
    update(root, draft)
    return draft


def update(root: Path, draft: Draft) -> None:
    _manifest(draft.folder(root)).write_text(json.dumps(asdict(draft)), encoding="utf-8")


def load(root: Path, draft_id: str, editor: str) -> Draft | None:
    """The editor's draft with this id, if it exists and has not expired."""
    if not _ID.fullmatch(draft_id):
        return None
    try:
        draft = Draft(**json.loads(_manifest(root / draft_id).read_text(encoding="utf-8")))
    except (OSError, ValueError, TypeError):
        return None
    if draft.editor != editor or time.time() - draft.created > TTL_S:
        return None
    return draft


def files(root: Path, draft: Draft) -> list[tuple[str, bytes]]:
    folder = draft.folder(root)
    return [(name, (folder / f"{n}.upload").read_bytes()) for n, name in enumerate(draft.names)]


def discard(root: Path, draft: Draft) -> None:
    shutil.rmtree(draft.folder(root), ignore_errors=True)


def sweep(root: Path) -> None:
    """Remove expired drafts (a draft still being written has no manifest yet: its folder's age)."""
    if not root.is_dir():
        return
    for folder in root.iterdir():
        if not _ID.fullmatch(folder.name):
            continue
        try:
            created = float(json.loads(_manifest(folder).read_text(encoding="utf-8"))["created"])
        except (OSError, ValueError, KeyError, TypeError):
            created = folder.stat().st_mtime
        if time.time() - created > TTL_S:
            shutil.rmtree(folder, ignore_errors=True)
