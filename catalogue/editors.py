"""The editors who may sign in to import provider data and record approvals.

They are kept in a JSON file named by the setting ``EDITORS_FILE`` (``specialekatalog editor add``
writes it): each editor's name, the authority the editor works for (a socialtilsyn's code, or a
municipality's 3-digit code for a municipality supervising providers under SEL § 148 a), and a
Werkzeug password hash (scrypt). An editor acts only for that authority. The file is read on every
use, so a change needs no restart, and it is written atomically with owner-only permissions.

    {"editors": [{"name": "lars", "authority": "oest", "password_hash": "scrypt:..."}]}
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path

from werkzeug.security import check_password_hash, generate_password_hash

from catalogue.namespaces import VOCAB

NAME = re.compile(r"^\w[\w .'-]{0,79}$")
# Checked against when a name is unknown, so a wrong name costs as long as a wrong password.
_DUMMY_HASH = generate_password_hash("not a password")


class EditorsError(ValueError):
    """The editors file is missing, malformed, or was given a bad name."""


@dataclass(frozen=True)
class Editor:
    name: str
    authority: str  # a socialtilsyn's code ("oest") or a municipality's code ("265", § 148 a)
    password_hash: str = field(repr=False)

    @property
    def authority_iri(self) -> str:
        scheme = "municipality" if self.authority.isdigit() else "supervisory-authority"
        return f"{VOCAB}{scheme}/{self.authority}"


def load_editors(path: Path) -> dict[str, Editor]:
    """The editors by name; a missing file means nobody may sign in."""
    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"))  # a BOM from a Windows editor
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as exc:
        raise EditorsError(f"{path}: not a readable editors file ({exc})") from exc
    try:
        editors = [Editor(**entry) for entry in data["editors"]]
    except (KeyError, TypeError) as exc:
        raise EditorsError(f"{path}: each editor needs name, authority and password_hash") from exc
    return {editor.name: editor for editor in editors}


def authenticate(path: Path, name: str, password: str) -> Editor | None:
    """The editor, if the name is known and the password is right; None otherwise."""
    editor = load_editors(path).get(name)
    if editor is None:
        check_password_hash(_DUMMY_HASH, password)
        return None
    return editor if check_password_hash(editor.password_hash, password) else None


def add_editor(path: Path, name: str, authority: str, password: str) -> Editor:
    """Add an editor, or set a known editor's authority and password."""
    if not NAME.fullmatch(name):
        raise EditorsError(
            "a name is 1-80 letters, digits, spaces, dots, apostrophes or hyphens, "
            "starting with a letter or digit"
        )
    if not password:
        raise EditorsError("the password must not be empty")
    editor = Editor(name, authority, generate_password_hash(password))
    editors = load_editors(path)
    editors[name] = editor
    body = json.dumps({"editors": [asdict(e) for e in editors.values()]}, indent=2)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".editors-")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(body + "\n")
        os.chmod(temporary, 0o600)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return editor
