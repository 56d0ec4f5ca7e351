"""Nothing from data or the request is rendered unescaped; non-http(s) IRIs never become links
(THREATS B8); CSV cells cannot start a formula (THREATS D5)."""

from __future__ import annotations

import csv
import io
import json
import logging
import re
import socket
from pathlib import Path

import httpx
import pytest
from bs4 import BeautifulSoup
from flask import Flask
from flask.testing import FlaskClient

from catalogue import Catalogue
from tests.conftest import serving
from tests.test_editing import PASSWORD, SECRET, editors_file, make_app, token
from webapp import create_app
from webapp.compliance.table import safe_cell
from webapp.security import QUEUE_LOGGER, QueueWarnings, server_options

__all__ = ["editors_file"]  # the editing tests' fixture, used here

HOSTILE = "/id/provider/100003"


@pytest.fixture(scope="module")
def web(web_catalogue: Catalogue) -> FlaskClient:
    app: Flask = create_app({"TESTING": True}, catalogue=web_catalogue)
    return app.test_client()


def all_hrefs(soup: BeautifulSoup) -> list[str]:
    return [str(tag["href"]) for tag in soup.find_all(href=True)]


@pytest.mark.parametrize(
    "url", [HOSTILE, HOSTILE + "/report", "/search?q=hjem", "/search", "/capacity", "/"]
)
def test_hostile_provider_text_is_escaped_and_never_a_link(web: FlaskClient, url: str) -> None:
    html = web.get(url).text
    soup = BeautifulSoup(html, "html.parser")
    assert not soup.find("img"), "injected markup was rendered"
    assert [s for s in soup.find_all("script") if s.get("type") != "application/ld+json"] == [
        s for s in soup.find_all("script") if s.get("src")
    ], "an inline script appeared"
    assert not any(h.lower().startswith(("javascript:", "data:")) for h in all_hrefs(soup))
    assert "javascript:alert" not in " ".join(all_hrefs(soup))


def test_hostile_name_shows_as_text(web: FlaskClient) -> None:
    soup = BeautifulSoup(web.get(HOSTILE).text, "html.parser")
    assert soup.h1 is not None and '<script>alert("x")</script>' in soup.h1.get_text()
    facts = soup.select(".identity dt")
    assert "Hjemmeside" not in [dt.text for dt in facts], "a javascript: website was shown"


def test_embedded_json_ld_cannot_close_its_script(web: FlaskClient) -> None:
    html = web.get(HOSTILE).text
    soup = BeautifulSoup(html, "html.parser")
    block = soup.select_one('script[type="application/ld+json"]')
    assert block is not None and block.string is not None
    raw = block.string
    assert "</script" not in raw.lower() and "<" not in raw
    names = [
        node["https://specialekatalog.example/ontology#name"][0]["@value"]
        for node in json.loads(raw)
        if "https://specialekatalog.example/ontology#name" in node
    ]
    assert names == ['<script>alert("x")</script> Hjem "><img src=x onerror=alert(1)>']


def test_reflected_search_text_is_escaped(web: FlaskClient) -> None:
    html = web.get('/search?q="><script>alert(1)</script>').text
    assert "<script>alert(1)</script>" not in html
    soup = BeautifulSoup(html, "html.parser")
    field = soup.select_one("input[name=q]")
    assert field is not None and field["value"] == '"><script>alert(1)</script>'


def test_no_inline_styles_or_scripts_anywhere(web: FlaskClient) -> None:
    for url in ("/", "/id/provider/100001", "/id/provider/100001/report", "/capacity", "/search"):
        soup = BeautifulSoup(web.get(url).text, "html.parser")
        assert not soup.find(style=True) and not soup.find("style")
        assert not any(attr.startswith("on") for tag in soup.find_all(True) for attr in tag.attrs)
        for script in soup.find_all("script"):
            assert script.get("src") or script.get("type") == "application/ld+json"


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("=SUM(A1)", "'=SUM(A1)"),
        ("+45 12 34", "'+45 12 34"),
        ("-1", "'-1"),
        ("@cmd", "'@cmd"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("\0x", "'\0x"),
        ("Bostedet", "Bostedet"),
        ("", ""),
    ],
)
def test_csv_cells_cannot_start_a_formula(cell: str, expected: str) -> None:
    assert safe_cell(cell) == expected


# --- issue 14 item 7: the smaller holes -----------------------------------------------------------


def test_hsts_is_sent_over_https_only(web: FlaskClient) -> None:
    secure = web.get("/", base_url="https://katalog.example")
    assert secure.headers["Strict-Transport-Security"].startswith("max-age=")
    assert "Strict-Transport-Security" not in web.get("/").headers


@pytest.mark.parametrize("path", ["/ontology/%20", "/ontology/a%0Ab", "/ontology/%3C%3E"])
def test_a_path_that_is_no_iri_is_not_found(web: FlaskClient, path: str) -> None:
    for accept in ("text/turtle", "text/html", "application/ld+json"):
        assert web.get(path, headers={"Accept": accept}).status_code == 404, accept


def test_the_service_description_names_the_configured_base_not_the_host(web: FlaskClient) -> None:
    response = web.get("/sparql", headers={"Accept": "text/turtle", "Host": "evil.example"})
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    assert "evil.example" not in text
    assert "https://specialekatalog.example/sparql" in text


def _captured(logger: logging.Logger) -> tuple[io.StringIO, logging.Handler]:
    out = io.StringIO()
    handler = logging.StreamHandler(out)
    logger.addHandler(handler)
    return out, handler


def test_a_newline_in_a_logged_path_cannot_forge_a_log_line(web: FlaskClient) -> None:
    logger = logging.getLogger("specialekatalog.test")
    out, handler = _captured(logger)
    try:
        logger.error("Exception on %s [GET]", "/x\n[2026-12-07] INFO forged\r")
        logger.error("Exception on /y\u2028forged [GET]")
    finally:
        logger.removeHandler(handler)
    lines = out.getvalue().splitlines()
    assert lines == [
        "Exception on /x\\n[2026-12-07] INFO forged\\r [GET]",
        "Exception on /y\\u2028forged [GET]",
    ]


def test_the_task_queue_warning_is_logged_once_a_minute(web: FlaskClient) -> None:
    queue = logging.getLogger(QUEUE_LOGGER)
    installed = [f for f in queue.filters if isinstance(f, QueueWarnings)]
    assert installed  # the app installed it
    fresh = QueueWarnings()  # an earlier test under load may have used this minute's warning
    for existing in installed:
        queue.removeFilter(existing)
    queue.addFilter(fresh)
    out, handler = _captured(queue)
    try:
        for depth in range(1, 501):
            queue.warning("Task queue depth is %d", depth)
    finally:
        queue.removeHandler(handler)
        queue.removeFilter(fresh)
        for existing in installed:
            queue.addFilter(existing)
    assert out.getvalue().count("Task queue depth") == 1


def test_idle_connections_do_not_shut_out_other_clients(web_catalogue: Catalogue) -> None:
    """Finding 4: 101 half-sent requests used to take every connection (waitress's limit 100)."""
    app = create_app({"TESTING": True}, catalogue=web_catalogue)
    options = server_options(web_catalogue.settings)
    idle = []
    with serving(app, threads=2, **options) as url:
        port = int(url.rsplit(":", 1)[1])
        try:
            for _ in range(150):
                sock = socket.create_connection(("127.0.0.1", port), timeout=5)
                sock.sendall(b"GET /-/health HTTP/1.1\r\nHost: x\r\n")  # never finished
                idle.append(sock)
            health = httpx.get(f"{url}/-/health", timeout=10)
            assert health.status_code == 200
        finally:
            for sock in idle:
                sock.close()
    assert options["channel_timeout"] <= 60  # idle ones are dropped within a minute


def test_failed_sign_ins_elsewhere_do_not_lock_the_editor_out(
    knowledge_catalogue: Catalogue, editors_file: Path, tmp_path: Path
) -> None:
    app = make_app(knowledge_catalogue, tmp_path, editors_file=str(editors_file), secret_key=SECRET)
    attacker = app.test_client()
    attacker.environ_base["REMOTE_ADDR"] = "203.0.113.9"
    csrf = token(attacker, "/-/editing/sign-in")
    wrong = {"csrf_token": csrf, "name": "lars", "password": "nej"}
    statuses = [attacker.post("/-/editing/sign-in", data=wrong).status_code for _ in range(7)]
    assert statuses == [401] * 5 + [429] * 2  # the guesser is held up
    editor = app.test_client()
    editor.environ_base["REMOTE_ADDR"] = "198.51.100.4"
    csrf = token(editor, "/-/editing/sign-in")
    right = {"csrf_token": csrf, "name": "lars", "password": PASSWORD}
    assert editor.post("/-/editing/sign-in", data=right).status_code == 303


def test_report_csv_shows_the_figure_found_never_the_service_iri(
    checked_catalogue: Catalogue,
) -> None:
    """The results of SPARQL-based criteria have the service itself as sh:value: the "Fundet
    værdi" column showed its IRI (a UUID); it shows the figure counted on the service."""
    app = create_app({"TESTING": True}, catalogue=checked_catalogue)
    client = app.test_client()
    reports = [
        g.value for g in checked_catalogue.store.graph_names() if "/graph/report/" in g.value
    ]
    tpids = sorted(g.rsplit("/", 1)[1] for g in reports)[:15]
    values = []
    for tpid in tpids:
        response = client.get(f"/id/provider/{tpid}/report.csv")
        assert response.status_code == 200
        rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
        column = rows[0].index("Fundet værdi")
        values += [row[column] for row in rows[1:] if row[column]]
    assert values, "no value found in any report"
    uuid = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
    assert not [v for v in values if uuid.search(v) or "/id/" in v]


def test_a_formula_as_target_group_is_a_problem_not_a_crash(tmp_path: Path) -> None:
    """Found by the fuzzed-CSV run (RELIABILITY.md): the cell became part of an IRI (ValueError)."""
    from catalogue.importing import import_paths
    from tests.conftest import memory_catalogue

    good = Path(__file__).parent / "data" / "import" / "good.csv"
    rows = list(csv.reader(good.read_text(encoding="utf-8").splitlines(), delimiter=";"))
    column = rows[0].index("Målgruppe")
    rows[1][column] = "=cmd|' /C calc'!A0"
    path = tmp_path / "hostile.csv"
    with path.open("w", encoding="utf-8", newline="") as out:
        csv.writer(out, delimiter=";").writerows(rows)
    catalogue = memory_catalogue()
    before = catalogue.store.generation
    result = import_paths(catalogue.store, [path], max_bytes=2**20)
    assert not result.ok and result.problems
    assert catalogue.store.generation == before
