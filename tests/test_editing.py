"""The editing area with the Flask test client: sign-in, CSRF, upload limits, the dry-run preview,
the audited commit, approvals and the history (THREATS B1, B7, B8, D1, D2, D4)."""

from __future__ import annotations

import csv
import io
import threading
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from catalogue import Catalogue, Settings
from catalogue.audit import AUDIT_GRAPH
from catalogue.editors import add_editor
from catalogue.namespaces import BASE
from catalogue.store import EmbeddedStore, canonical_hash
from webapp import create_app

CORPUS = Path(__file__).parent / "data" / "import"
PASSWORD = "rigtig hest batteri"
SECRET = "a-test-secret-that-is-long-enough-" * 2
FUNCTION = f"{BASE}id/specialty-function/autisme-udviklingshaemning-voksne"
STATUS = f"{BASE}vocab/approval-status/godkendt"
XSS_NAME = '<script>alert("name")</script>'
XSS_CODE = "<img src=x onerror=alert(1)>"


@pytest.fixture(scope="module")
def editors_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Read-only: three editors, two of Socialtilsyn Øst and one of Midt (hashing is slow)."""
    path = tmp_path_factory.mktemp("editors") / "editors.json"
    add_editor(path, "lars", "oest", PASSWORD)
    add_editor(path, "sofie", "oest", PASSWORD)
    add_editor(path, "mette", "midt", PASSWORD)
    return path


def make_app(knowledge: Catalogue, tmp_path: Path, testing: bool = True, **settings: str) -> Flask:
    store = EmbeddedStore()
    store.oxigraph.extend(knowledge.store.quads())
    catalogue = Catalogue(Settings.from_env({"store": "memory", **settings}), store)
    config = {"TESTING": testing, "EDITING_DRAFTS": tmp_path / "drafts"}
    return create_app(config, catalogue=catalogue)


@pytest.fixture
def app(knowledge_catalogue: Catalogue, editors_file: Path, tmp_path: Path) -> Flask:
    return make_app(
        knowledge_catalogue, tmp_path, editors_file=str(editors_file), secret_key=SECRET
    )


def store_of(app: Flask) -> EmbeddedStore:
    store: EmbeddedStore = app.extensions["catalogue"].store
    return store


def dataset_hash(app: Flask) -> str:
    return canonical_hash(store_of(app).quads())


def token(client: FlaskClient, path: str = "/-/editing/") -> str:
    page = BeautifulSoup(client.get(path).text, "html.parser")
    field = page.find("input", attrs={"name": "csrf_token"})
    assert field is not None, path
    return str(field["value"])


def signed_in(app: Flask, name: str = "lars") -> FlaskClient:
    client = app.test_client()
    response = client.post(
        "/-/editing/sign-in",
        data={
            "csrf_token": token(client, "/-/editing/sign-in"),
            "name": name,
            "password": PASSWORD,
        },
    )
    assert response.status_code == 303, response.text
    return client


def csv_bytes(*tpids: str, change: dict[int, str] | None = None) -> bytes:
    """Rows of the good template file for these providers, some columns (by index) replaced."""
    rows = list(
        csv.reader(io.StringIO((CORPUS / "good.csv").read_text(encoding="utf-8")), delimiter=";")
    )
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\n")
    writer.writerow(rows[0])
    for row in rows[1:]:
        if row[0] in tpids:
            writer.writerow([change.get(i, cell) if change else cell for i, cell in enumerate(row)])
    return out.getvalue().encode("utf-8")


def upload(client: FlaskClient, *files: tuple[str, bytes], lang: str = "") -> TestResponse:
    return client.post(
        "/-/editing/upload" + (f"?lang={lang}" if lang else ""),
        data={"csrf_token": token(client), "files": [(io.BytesIO(d), n) for n, d in files]},
        content_type="multipart/form-data",
    )


def preview(client: FlaskClient, *files: tuple[str, bytes], lang: str = "") -> TestResponse:
    response = upload(client, *files, lang=lang)
    assert response.status_code == 303, response.text
    return client.get(response.location)


def commit(client: FlaskClient, page: TestResponse) -> TestResponse:
    """Press the preview page's commit button (its form's token, no reload of the preview)."""
    field = soup(page).find("input", attrs={"name": "csrf_token"})
    assert field is not None
    return client.post(f"{page.request.path}/commit", data={"csrf_token": str(field["value"])})


def soup(response: TestResponse) -> BeautifulSoup:
    return BeautifulSoup(response.text, "html.parser")


# --- enabling, sign-in, cookies ------------------------------------------------------------------


def test_editing_is_off_without_an_editors_file(
    knowledge_catalogue: Catalogue, tmp_path: Path
) -> None:
    app = make_app(knowledge_catalogue, tmp_path)
    assert app.test_client().get("/-/editing/sign-in").status_code == 404


def test_editing_refuses_to_start_without_a_secret_key(
    knowledge_catalogue: Catalogue, editors_file: Path, tmp_path: Path
) -> None:
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        make_app(knowledge_catalogue, tmp_path, editors_file=str(editors_file))


def test_sign_in_is_required(app: Flask) -> None:
    client = app.test_client()
    for path in (
        "/-/editing/",
        "/-/editing/provider/900101/history",
        "/-/editing/provider/900101/approval",
    ):
        response = client.get(path)
        assert response.status_code == 302 and "/-/editing/sign-in" in response.location
    urls = app.url_map.bind("localhost")
    unsafe = [
        urls.build(rule.endpoint, {name: "900101" for name in rule.arguments})
        for rule in app.url_map.iter_rules()
        if rule.endpoint.startswith("editing.") and "POST" in (rule.methods or ())
    ]
    assert len(unsafe) == 8  # with the placement decision and the competence assessment forms
    for path in unsafe:
        expected = 400 if path == "/-/editing/sign-in" else 401  # anonymous: before any token
        assert client.post(path).status_code == expected, path


def test_wrong_password_is_refused_generically_and_throttled(app: Flask) -> None:
    client = app.test_client()
    csrf = token(client, "/-/editing/sign-in")
    for _ in range(5):
        response = client.post(
            "/-/editing/sign-in", data={"csrf_token": csrf, "name": "lars", "password": "nej"}
        )
        assert response.status_code == 401
        assert "Forkert navn eller adgangskode" in response.text
    right = {"csrf_token": csrf, "name": "lars", "password": PASSWORD}
    assert client.post("/-/editing/sign-in", data=right).status_code == 429
    assert client.get("/-/editing/").status_code == 302  # still signed out


def test_sign_in_goes_to_the_page_asked_for_but_never_off_site(app: Flask) -> None:
    client = app.test_client()
    data = {"csrf_token": token(client, "/-/editing/sign-in"), "name": "lars", "password": PASSWORD}
    response = client.post(
        "/-/editing/sign-in", data={**data, "next": "/-/editing/provider/1/history"}
    )
    assert response.location == "/-/editing/provider/1/history"
    client = app.test_client()
    data["csrf_token"] = token(client, "/-/editing/sign-in")
    response = client.post("/-/editing/sign-in", data={**data, "next": "//evil.example/"})
    assert response.location == "/-/editing/"
    found = client.get("/-/editing/provider?tpid=900101")
    assert found.location == "/-/editing/provider/900101/history"
    assert client.get("/-/editing/provider?tpid=<x>").location == "/-/editing/"


def test_session_cookie_is_hardened_outside_tests(
    knowledge_catalogue: Catalogue, editors_file: Path, tmp_path: Path
) -> None:
    app = make_app(
        knowledge_catalogue,
        tmp_path,
        testing=False,
        editors_file=str(editors_file),
        secret_key=SECRET,
    )
    cookie = app.test_client().get("/-/editing/sign-in").headers["Set-Cookie"]
    assert cookie.startswith("__Host-specialekatalog=")
    for attribute in ("Secure", "HttpOnly", "SameSite=Lax", "Path=/"):
        assert attribute in cookie
    assert "Domain" not in cookie


def test_signing_out_ends_the_session(app: Flask) -> None:
    client = signed_in(app)
    assert client.post("/-/editing/sign-out", data={"csrf_token": token(client)}).status_code == 303
    assert client.get("/-/editing/").status_code == 302


# --- CSRF ----------------------------------------------------------------------------------------


def test_cross_site_posts_are_refused(app: Flask) -> None:
    client = signed_in(app)
    csrf = token(client)
    before = dataset_hash(app)
    files = {"csrf_token": csrf, "files": (io.BytesIO(csv_bytes("900101")), "a.csv")}
    cross = client.post(
        "/-/editing/upload", data=dict(files), headers={"Sec-Fetch-Site": "cross-site"}
    )
    assert cross.status_code == 403
    files["files"] = (io.BytesIO(csv_bytes("900101")), "a.csv")
    other = client.post("/-/editing/upload", data=files, headers={"Origin": "https://evil.example"})
    assert other.status_code == 403
    missing = client.post("/-/editing/provider/900101/approval", data={"function": FUNCTION})
    assert missing.status_code == 400
    wrong = client.post("/-/editing/sign-out", data={"csrf_token": "forged"})
    assert wrong.status_code == 400
    assert dataset_hash(app) == before
    same = client.post(
        "/-/editing/sign-out",
        data={"csrf_token": csrf},
        headers={"Sec-Fetch-Site": "same-origin", "Origin": "http://localhost"},
    )
    assert same.status_code == 303


# --- upload limits -------------------------------------------------------------------------------


def test_upload_limits(app: Flask) -> None:
    client = signed_in(app)
    app.config["MAX_CONTENT_LENGTH"] = 4096
    big = upload(client, ("big.csv", b"x" * 4097))
    assert big.status_code == 413 and "for store" in big.text
    parts = {f"f{i}": "x" for i in range(1001)}
    assert client.post("/-/editing/upload", data=parts).status_code == 413
    app.config["MAX_CONTENT_LENGTH"] = 2**20
    unknown = upload(client, ("data.xlsx", b"PK\x03\x04"))
    assert unknown.status_code == 415 and "Ukendt filtype" in unknown.text
    nameless = upload(client, ("", b"x"))
    assert nameless.status_code == 415
    empty = upload(client, ("empty.csv", b""))
    assert empty.status_code == 422 and "tom" in empty.text
    assert not (Path(app.config["EDITING_DRAFTS"])).exists() or not any(
        Path(app.config["EDITING_DRAFTS"]).iterdir()
    )


# --- preview and commit --------------------------------------------------------------------------


def test_a_bad_csv_shows_lines_and_fields_and_changes_nothing(app: Flask) -> None:
    client = signed_in(app)
    before = dataset_hash(app)
    page = preview(client, ("bad-values.csv", (CORPUS / "bad-values.csv").read_bytes()))
    assert page.status_code == 422
    rows = [
        [cell.get_text(strip=True) for cell in row.find_all(["td", "th"])]
        for row in soup(page).select("table.problems tbody tr")
    ]
    found = {(line, field) for line, field, *_ in rows}
    assert {("2", "Godkendt fra"), ("2", "Medarbejdere"), ("3", "Dækningsordning")} <= found
    assert any("tilsyn" in row[2] for row in rows)  # 900102 belongs to Socialtilsyn Midt
    assert soup(page).find("button", string="Gem i kataloget") is None
    draft = page.request.path
    assert commit(client, page).status_code == 422
    assert dataset_hash(app) == before
    english = client.get(draft + "?lang=en")
    assert "is not a whole number" in english.text and "must be ja or nej" in english.text


def test_a_good_file_is_previewed_without_writing_then_committed_and_audited(app: Flask) -> None:
    client = signed_in(app)
    before = dataset_hash(app)
    page = preview(client, ("kastanjen.csv", csv_bytes("900101")))
    assert page.status_code == 200, page.text
    html = soup(page)
    assert "Bostedet Kastanjen (900101)" in html.get_text(" ")
    placements = html.select("table.placements tbody tr")
    assert [row.th.get_text(strip=True) for row in placements] == [
        "Autismespektrum",
        "Erhvervet hjerneskade",
    ]
    assert html.select("table.matrix td.holds") and html.select("table.matrix td.fails")
    shortfalls = " ".join(t.get_text(" ") for t in html.select("table.results"))
    assert "7 af 22 medarbejdere har 5+ års erfaring med målgruppen; 9 kræves" in shortfalls
    assert dataset_hash(app) == before  # the preview wrote nothing

    done = commit(client, page)
    assert done.status_code == 303 and done.location == "/id/provider/900101"
    store = store_of(app)
    provider_graph = f"{BASE}graph/provider/900101"
    assert any(g.value == provider_graph for g in store.graph_names())
    assert any(g.value == f"{BASE}graph/report/900101" for g in store.graph_names())  # re-checked
    assert list(store.quads(AUDIT_GRAPH))
    history = client.get("/-/editing/provider/900101/history")
    row = soup(history).select_one("table.history tbody tr")
    assert row is not None
    text = row.get_text(" ", strip=True)
    assert "lars, Socialtilsyn Øst" in text and "Import af kastanjen.csv" in text and "0 →" in text
    assert client.get(page.request.path).status_code == 404  # the draft is gone
    assert client.get("/id/provider/900101").status_code == 200


def test_a_draft_belongs_to_its_session(app: Flask) -> None:
    page = preview(signed_in(app), ("a.csv", csv_bytes("900101")))
    other = signed_in(app, "sofie")
    assert other.get(page.request.path).status_code == 404
    own_token = {"csrf_token": token(other)}
    assert other.post(f"{page.request.path}/commit", data=own_token).status_code == 404


def test_providers_of_another_authority_are_refused(app: Flask) -> None:
    client = signed_in(app, "mette")  # Socialtilsyn Midt
    page = preview(client, ("a.csv", csv_bytes("900101")))
    assert page.status_code == 422
    assert "hører under et andet socialtilsyn" in page.text
    oest = signed_in(app)
    assert commit(oest, preview(oest, ("a.csv", csv_bytes("900101")))).status_code == 303
    taken = csv_bytes("900101", change={12: "midt"})  # Midt would take over Øst's provider
    assert preview(client, ("a.csv", taken)).status_code == 422
    assert client.get("/-/editing/provider/900101/approval").status_code == 403


def test_a_stale_preview_is_refused_with_409(app: Flask) -> None:
    lars, sofie = signed_in(app), signed_in(app, "sofie")
    first = preview(lars, ("a.csv", csv_bytes("900101")))
    second = preview(sofie, ("b.csv", csv_bytes("900101", change={10: "30"})))
    assert commit(lars, first).status_code == 303
    after_first = dataset_hash(app)
    assert commit(sofie, second).status_code == 409
    assert dataset_hash(app) == after_first


def test_concurrent_commits_to_one_provider_are_serialised(app: Flask) -> None:
    clients = [signed_in(app), signed_in(app, "sofie")]
    pages = [
        preview(clients[0], ("a.csv", csv_bytes("900101", change={10: "30"}))),
        preview(clients[1], ("b.csv", csv_bytes("900101", change={10: "40"}))),
    ]
    codes: list[int] = []

    def run(n: int) -> None:
        codes.append(commit(clients[n], pages[n]).status_code)

    threads = [threading.Thread(target=run, args=(n,)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert sorted(codes) == [303, 409]
    capacities = {
        q.object.value
        for q in store_of(app).quads()
        if q.predicate.value == f"{BASE}ontology#capacity"
    }
    assert capacities in ({"30"}, {"40"})  # one of the two serial outcomes
    entries = soup(clients[0].get("/-/editing/provider/900101/history")).select(
        "table.history tbody tr"
    )
    assert len(entries) == 1


# --- approvals and history -----------------------------------------------------------------------


def _committed(app: Flask) -> FlaskClient:
    client = signed_in(app)
    assert commit(client, preview(client, ("a.csv", csv_bytes("900101")))).status_code == 303
    return client


def test_an_approval_is_recorded_shown_and_audited(app: Flask) -> None:
    client = _committed(app)
    form = soup(client.get("/-/editing/provider/900101/approval"))
    assert form.find("option", attrs={"value": FUNCTION}) is not None
    response = client.post(
        "/-/editing/provider/900101/approval",
        data={
            "csrf_token": token(client),
            "function": FUNCTION,
            "status": STATUS,
            "valid_from": "2025-06-01",
            "valid_until": "2028-06-01",
            "conditions": "Månedlig faglig supervision",
            "duty_to_advise": "on",
        },
    )
    assert response.status_code == 303 and response.location == "/id/provider/900101"
    page = soup(client.get("/id/provider/900101"))
    approvals = page.select_one("table.approvals")
    assert approvals is not None and "Månedlig faglig supervision" in approvals.get_text()
    rows = soup(client.get("/-/editing/provider/900101/history")).select("table.history tbody tr")
    assert len(rows) == 2
    assert "Godkendelse registreret" in rows[0].get_text() and "lars" in rows[0].get_text()
    assert "Import af a.csv" in rows[1].get_text()
    again = preview(client, ("a.csv", csv_bytes("900101")))  # the file lacks the new approval
    assert again.status_code == 200
    # the import keeps approvals recorded in the catalogue, so nothing is lost and no warning
    assert soup(again).select_one("table.problems tr.warning") is None


def test_an_invalid_approval_is_refused_and_nothing_written(app: Flask) -> None:
    client = _committed(app)
    before = dataset_hash(app)
    response = client.post(
        "/-/editing/provider/900101/approval",
        data={
            "csrf_token": token(client),
            "function": "",
            "status": STATUS,
            "valid_from": "2025-06-01",
            "valid_until": "2024-01-01",
            "duty_to_advise": "on",
        },
    )
    assert response.status_code == 422
    text = soup(response).get_text(" ")
    assert "'Gyldig til' skal ligge efter 'gyldig fra'" in text
    assert "Rådgivningsforpligtelse gælder kun" in text
    bad_date = client.post(
        "/-/editing/provider/900101/approval",
        data={"csrf_token": token(client), "status": STATUS, "valid_from": "1/6/2025"},
    )
    assert bad_date.status_code == 422
    assert dataset_hash(app) == before
    assert client.get("/-/editing/provider/999999/approval").status_code == 404


# --- stored XSS ----------------------------------------------------------------------------------


def test_markup_in_uploaded_data_is_escaped(app: Flask) -> None:
    client = signed_in(app)
    hostile = csv_bytes("900101", change={1: XSS_NAME, 17: '"><img src=x onerror=alert(2)>'})
    page = preview(client, ("a.csv", hostile))
    assert page.status_code == 200, page.text
    _assert_inert(page)
    assert "&lt;script&gt;" in page.text
    bad = preview(client, ("b.csv", csv_bytes("900101", change={7: XSS_CODE})))
    assert bad.status_code == 422
    _assert_inert(bad)
    assert "&lt;img src=x onerror=alert(1)&gt;" in bad.text
    assert commit(client, page).status_code == 303
    _assert_inert(client.get("/-/editing/provider/900101/history"))
    _assert_inert(client.get("/-/editing/provider/900101/approval"))


def _assert_inert(response: TestResponse) -> None:
    html = soup(response)
    assert not [s for s in html.find_all("script") if "alert" in s.get_text()]
    assert not [tag for tag in html.find_all(True) if any(a.startswith("on") for a in tag.attrs)]
    assert html.find("img") is None


def test_drafts_are_private_owned_and_expire(tmp_path: Path) -> None:
    from webapp.editing import drafts

    root = tmp_path / "drafts"
    draft = drafts.save(root, "lars", [("a.csv", b"x")])
    assert (root.stat().st_mode & 0o777, draft.folder(root).stat().st_mode & 0o777) == (
        0o700,
        0o700,
    )
    assert drafts.load(root, draft.id, "lars") == draft
    assert drafts.load(root, draft.id, "sofie") is None
    assert drafts.load(root, "../" + draft.id, "lars") is None
    assert drafts.files(root, draft) == [("a.csv", b"x")]
    draft.created -= drafts.TTL_S + 1
    drafts.update(root, draft)
    assert drafts.load(root, draft.id, "lars") is None
    drafts.sweep(root)
    assert not draft.folder(root).exists()
