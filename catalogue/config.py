"""Settings, declared once with their defaults and help text.

Every setting can be overridden by an environment variable named ``SPECIALEKATALOG_<NAME>``.
The knowledge directories (ontology/, shapes/, queries/) are resolved here and nowhere else.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

ENV_PREFIX = "SPECIALEKATALOG_"


@dataclass(frozen=True)
class Setting:
    name: str
    default: str
    help: str


SETTINGS: tuple[Setting, ...] = (
    Setting(
        "STORE",
        "var/store",
        "Where the catalogue keeps its data: a directory for the embedded on-disk Oxigraph store, "
        "'memory' for an in-memory store, or 'remote' for a SPARQL 1.1 server.",
    ),
    Setting("QUERY_ENDPOINT", "", "SPARQL 1.1 query endpoint URL (STORE=remote)."),
    Setting("UPDATE_ENDPOINT", "", "SPARQL 1.1 update endpoint URL (STORE=remote)."),
    Setting("GSP_ENDPOINT", "", "SPARQL 1.1 Graph Store Protocol endpoint URL (STORE=remote)."),
    Setting(
        "WRITER_QUERY_ENDPOINT",
        "",
        "The writer's query endpoint when QUERY_ENDPOINT is a read replica (STORE=remote): the "
        "store probe writes its canary there and must read it back at once. Empty: QUERY_ENDPOINT.",
    ),
    Setting(
        "BASE_IRI",
        "https://specialekatalog.example/",
        "Public base IRI of the catalogue's data, independent of the host that serves it. The "
        "store always holds https://specialekatalog.example/; every response, SPARQL answer and "
        "public dump carries this base instead (catalogue/publish.py).",
    ),
    Setting("HOST", "127.0.0.1", "Address the web catalogue listens on."),
    Setting("PORT", "5000", "Port the web catalogue listens on."),
    Setting("THREADS", "8", "Worker threads of the production WSGI server."),
    Setting("REMOTE_TIMEOUT_S", "30", "Read timeout in seconds for requests to a remote store."),
    Setting(
        "REMOTE_WRITE_TRIPLES",
        "0",
        "Most triples in one SPARQL update to a remote store (0: every write is one atomic "
        "update; Virtuoso: 1000, and a large write is then several updates).",
    ),
    Setting("SPARQL_TIMEOUT_S", "10", "Wall-clock budget in seconds for one public SPARQL query."),
    Setting("SPARQL_MAX_ROWS", "10000", "Most rows (or triples) a public SPARQL query returns."),
    Setting("SPARQL_MAX_QUERY_BYTES", "32768", "Longest public SPARQL query accepted, in bytes."),
    Setting("SPARQL_MAX_DEPTH", "64", "Deepest nesting of { ( [ accepted in a public query."),
    Setting("SPARQL_WORKERS", "1", "Public SPARQL queries evaluated at the same time."),
    Setting(
        "SPARQL_WORKERS_PER_CLIENT",
        "1",
        "Public SPARQL queries one client (IP address) may have running at the same time.",
    ),
    Setting(
        "TRUSTED_PROXIES",
        "0",
        "Reverse proxies in front of the app whose X-Forwarded-For entries name the client "
        "(for the per-client SPARQL limit); 0: the connection's address is the client's.",
    ),
    Setting(
        "SPARQL_MAX_RESULT_MB", "50", "Most megabytes of terms a public SPARQL answer carries."
    ),
    Setting(
        "SPARQL_WORKER_MEMORY_MB",
        "4096",
        "Address-space limit of each SPARQL query worker process, in megabytes (0: no limit).",
    ),
    Setting("MAX_UPLOAD_MB", "20", "Largest file accepted by import, in megabytes."),
    Setting("SECRET_KEY", "", "Secret for signed cookies; required when editing is enabled."),
    Setting(
        "EDITORS_FILE",
        "",
        "JSON file of the editors who may sign in to import data and record approvals (name, "
        "socialtilsyn, password hash; 'specialekatalog editor add' writes it). Empty: no editing.",
    ),
)


@dataclass(frozen=True)
class Settings:
    """The resolved settings of one process."""

    store: str
    query_endpoint: str
    update_endpoint: str
    gsp_endpoint: str
    writer_query_endpoint: str
    base_iri: str
    host: str
    port: int
    threads: int
    remote_timeout_s: float
    remote_write_triples: int
    sparql_timeout_s: float
    sparql_max_rows: int
    sparql_max_query_bytes: int
    sparql_max_depth: int
    sparql_workers: int
    sparql_workers_per_client: int
    trusted_proxies: int
    sparql_max_result_mb: int
    sparql_worker_memory_mb: int
    max_upload_mb: int
    secret_key: str
    editors_file: str

    @classmethod
    def from_env(cls, overrides: dict[str, Any] | None = None) -> Settings:
        """Defaults, then ``SPECIALEKATALOG_*`` environment variables, then ``overrides``."""
        overrides = {k.lower(): v for k, v in (overrides or {}).items()}
        values: dict[str, Any] = {}
        types = {f.name: f.type for f in fields(cls)}
        for setting in SETTINGS:
            key = setting.name.lower()
            raw = overrides.get(key, os.environ.get(ENV_PREFIX + setting.name, setting.default))
            values[key] = _typed(setting, str(types[key]), raw)
        if not values["store"].strip():  # an empty STORE opened the working directory as a store
            raise SettingError(
                f"{ENV_PREFIX}STORE er tom: angiv en mappe, memory eller remote / is empty: give a "
                "directory, memory or remote"
            )
        if not values["base_iri"].endswith(("/", "#")):
            values["base_iri"] += "/"
        return cls(**values)


class SettingError(ValueError):
    """A setting's value is not of its kind; the message names the variable and the rule."""


def _typed(setting: Setting, kind: str, raw: Any) -> Any:
    """``raw`` as the setting's type: text as it is; a number, 0 or more."""
    if kind not in ("int", "float"):
        return str(raw)
    value: float | None
    try:
        value = int(raw) if kind == "int" else float(raw)
    except (TypeError, ValueError):
        value = None
    if value is None or not value >= 0:  # not a number, negative or NaN
        whole = "et helt tal" if kind == "int" else "et tal"
        number = "a whole number" if kind == "int" else "a number"
        raise SettingError(
            f"{ENV_PREFIX}{setting.name}={raw!r}: skal være {whole}, 0 eller mere / "
            f"must be {number}, 0 or more"
        )
    return value


def knowledge_root() -> Path:
    """The directory that holds ontology/, shapes/ and queries/.

    In an installed wheel they ship inside the package (catalogue/knowledge/); in a source checkout
    they are at the repository root.
    """
    packaged = Path(__file__).resolve().parent / "knowledge"
    if (packaged / "ontology").is_dir():
        return packaged
    return Path(__file__).resolve().parent.parent


def knowledge_paths() -> dict[str, Path]:
    root = knowledge_root()
    return {name: root / name for name in ("ontology", "shapes", "queries")}
