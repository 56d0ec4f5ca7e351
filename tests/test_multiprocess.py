"""Three catalogue processes behind nginx on one Oxigraph server, all real, on 127.0.0.1: a change
through one process is seen by the others, two conflicting commits through two processes give one
winner and one refusal with nothing lost, and each process killed in turn costs no request beyond
the one in flight (issue 15)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from bs4 import BeautifulSoup

from catalogue import Catalogue, Settings, load_knowledge
from catalogue.audit import AUDIT_GRAPH
from catalogue.editors import add_editor
from catalogue.loopback import CatalogueProcess, catalogue_env, catalogue_processes, nginx_proxy
from catalogue.oxigraph_server import oxigraph_server
from catalogue.store import Store, open_store

pytestmark = [pytest.mark.remote, pytest.mark.slow]

CORPUS = Path(__file__).parent / "data" / "import"
PASSWORD = "rigtig hest batteri"
SECRET = "a-test-secret-that-is-long-enough-" * 2
# The stated time: the change counter is read at most every second, then the cached search index is
# rebuilt in the background (stale-while-revalidate) and served; measured 5-9 s with three processes
# rebuilding at once on a busy 2-core machine.
SEEN_WITHIN_S = 30.0
CAPACITY = "https://specialekatalog.example/ontology#capacity"
ACTIVITY = "http://www.w3.org/ns/prov#Activity"


@dataclass
class Cluster:
    server: str  # the Oxigraph server
    processes: list[CatalogueProcess]
    front: str  # nginx

    def settings(self) -> Settings:
        url = self.server
        return Settings.from_env(
            {
                "store": "remote",
                "query_endpoint": f"{url}/query",
                "update_endpoint": f"{url}/update",
                "gsp_endpoint": f"{url}/store",
            }
        )


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    root = tmp_path_factory.mktemp("cluster")
    editors = root / "editors.json"
    add_editor(editors, "lars", "oest", PASSWORD)
    add_editor(editors, "sofie", "oest", PASSWORD)
    with oxigraph_server(root / "oxigraph") as server:
        env = catalogue_env(server, editors_file=str(editors), secret_key=SECRET, threads="4")
        catalogue = Catalogue.open(Cluster(server, [], "").settings())
        load_knowledge(catalogue.store)
        catalogue.close()
        with catalogue_processes(3, env) as processes:
            with nginx_proxy([p.url for p in processes], root / "nginx") as front:
                yield Cluster(server, processes, front)


class Browser(httpx.Client):
    """Keeps the session cookie itself: the catalogue marks it Secure (HTTPS in production), which
    a cookie jar would never send to http://127.0.0.1."""

    def __init__(self, base: str) -> None:
        super().__init__(base_url=base, timeout=120)
        self.session = ""

    def request(self, method: str, url: httpx.URL | str, **kwargs: Any) -> httpx.Response:  # type: ignore[override]
        headers = dict(kwargs.pop("headers", None) or {})
        if self.session:
            headers["Cookie"] = self.session
        response = super().request(method, url, headers=headers, **kwargs)
        for value in response.headers.get_list("set-cookie"):
            self.session = value.split(";", 1)[0]
        return response


def _token(client: httpx.Client, path: str) -> str:
    page = BeautifulSoup(client.get(path).text, "html.parser")
    field = page.find("input", attrs={"name": "csrf_token"})
    assert field is not None, path
    return str(field["value"])


def signed_in(base: str, name: str) -> httpx.Client:
    client = Browser(base)
    token = _token(client, "/-/editing/sign-in")
    response = client.post(
        "/-/editing/sign-in", data={"csrf_token": token, "name": name, "password": PASSWORD}
    )
    assert response.status_code == 303, response.text
    return client


def good_csv(name: str = "", capacity: str = "") -> bytes:
    """The first provider of the import corpus (900101), its name or capacity replaced."""
    lines = (CORPUS / "good.csv").read_text(encoding="utf-8").splitlines()
    rows = [lines[0]] + [line for line in lines[1:] if line.startswith("900101;")]
    out = []
    for row in rows[1:]:
        cells = row.split(";")
        cells[1] = name or cells[1]
        cells[10] = capacity or cells[10]
        out.append(";".join(cells))
    return ("\n".join([rows[0], *out]) + "\n").encode("utf-8")


def previewed(client: httpx.Client, data: bytes) -> tuple[str, str]:
    """Upload and open the preview; the preview's path and its commit form's token."""
    token = _token(client, "/-/editing/")
    response = client.post(
        "/-/editing/upload",
        data={"csrf_token": token},
        files=[("files", ("tilbud.csv", data, "text/csv"))],
    )
    assert response.status_code == 303, response.text
    path = response.headers["location"]
    page = client.get(path)
    assert page.status_code == 200, page.text
    field = BeautifulSoup(page.text, "html.parser").find("input", attrs={"name": "csrf_token"})
    assert field is not None
    return path.split("?")[0], str(field["value"])


def commit(client: httpx.Client, preview: tuple[str, str]) -> int:
    path, token = preview
    return client.post(f"{path}/commit", data={"csrf_token": token}).status_code


def found(base: str, words: str) -> bool:
    with httpx.Client(timeout=60) as client:
        page = client.get(f"{base}/search", params={"q": words})
    assert page.status_code == 200
    return "900101" in page.text


def test_a_change_through_one_process_is_seen_by_the_others(cluster: Cluster) -> None:
    first, *others = cluster.processes
    name = "Kanariefuglen Tvaerproces"
    for other in others:
        assert not found(other.url, name)  # the search index is cached in every process
    with closing(signed_in(first.url, "lars")) as lars:
        assert commit(lars, previewed(lars, good_csv(name=name))) == 303
    committed = time.monotonic()
    waits = []
    for other in others:
        while not found(other.url, name):
            assert time.monotonic() - committed < SEEN_WITHIN_S, "not seen in time"
            time.sleep(0.2)
        waits.append(time.monotonic() - committed)
    print(f"seen by the other processes after {', '.join(f'{w:.1f} s' for w in waits)}")


def activities(store: Store) -> set[str]:
    """The audited changes (a graph the server does not have reads as empty)."""
    return {q.subject.value for q in store.quads(AUDIT_GRAPH) if q.object.value == ACTIVITY}


def test_conflicting_commits_through_two_processes(cluster: Cluster) -> None:
    first, second, _ = cluster.processes
    lars, sofie = signed_in(first.url, "lars"), signed_in(second.url, "sofie")
    store = open_store(cluster.settings())
    before = activities(store)
    pages = {
        "30": (lars, previewed(lars, good_csv(capacity="30"))),
        "40": (sofie, previewed(sofie, good_csv(capacity="40"))),
    }
    codes: dict[str, int] = {}

    def run(capacity: str) -> None:
        client, page = pages[capacity]
        codes[capacity] = commit(client, page)

    threads = [threading.Thread(target=run, args=(c,)) for c in pages]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    lars.close()
    sofie.close()
    assert sorted(codes.values()) == [303, 409], codes
    winner = next(c for c, code in codes.items() if code == 303)
    capacities = {q.object.value for q in store.quads() if q.predicate.value == CAPACITY}
    assert winner in capacities and not capacities & ({"30", "40"} - {winner})
    assert (
        len(activities(store) - before) == 1
    )  # the winner's change, audited; the loser wrote none
    store.close()


def test_each_process_killed_in_turn_while_the_others_serve(cluster: Cluster) -> None:
    failures: list[str] = []
    served = [0]
    stop = threading.Event()

    def load() -> None:
        with httpx.Client(base_url=cluster.front, timeout=60) as client:
            while not stop.is_set():
                try:
                    response = client.get("/search", params={"q": "bo"})
                    if response.status_code == 200:
                        served[0] += 1
                    else:
                        failures.append(str(response.status_code))
                except httpx.HTTPError as exc:
                    failures.append(type(exc).__name__)

    workers = [threading.Thread(target=load) for _ in range(3)]
    for worker in workers:
        worker.start()
    try:
        for process in cluster.processes:
            process.kill()
            before = served[0]
            # Counted, not timed: wait (generously, for a loaded CI machine) until the others have
            # served a request that began after the kill. The old fixed 2 s window failed at load 5.
            deadline = time.monotonic() + 60
            while served[0] <= before + len(workers) and time.monotonic() < deadline:
                time.sleep(0.1)
            assert served[0] > before + len(workers)  # the others served while this one was down
            process.start()
    finally:
        stop.set()
        for worker in workers:
            worker.join(60)
    print(f"{served[0]} requests served, failed: {failures}")
    # nginx passes a GET that met a dead process to the next one: at most the one in flight fails
    assert len(failures) <= len(cluster.processes), failures
