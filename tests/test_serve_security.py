"""The preview server against web pages and odd dossiers: real server processes, real sockets.

``generate serve`` runs as a user would start it.  A web page can make the browser send
requests to it (and, by DNS rebinding, under its own host name read the answers), so it must
answer only requests addressed to this machine; its watcher must stay inside the dossier;
clients that hang up must not print tracebacks; an unknown audience is a usage error.
"""

from __future__ import annotations

import http.client
import os
import re
import shutil
import socket
import struct
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
BRIEF_TEXT = "Poland"  # in the industry brief's title; never in a refusal


@dataclass
class Server:
    process: subprocess.Popen[bytes]
    port: int
    data: Path
    stdout: Path
    stderr: Path

    def output(self) -> str:
        return self.stdout.read_text(encoding="utf-8", errors="replace")

    def errors(self) -> str:
        return self.stderr.read_text(encoding="utf-8", errors="replace")

    def get(self, path: str, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
        """GET ``path`` with exactly the headers given (``Host`` included, or none at all)."""
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        connection.putrequest("GET", path, skip_host=True, skip_accept_encoding=True)
        for name, value in (headers or {}).items():
            connection.putheader(name, value)
        connection.endheaders()
        response = connection.getresponse()
        status, header = response.status, {name.lower(): value for name, value in response.getheaders()}
        if header.get("content-type") == "text/event-stream":
            body = response.fp.readline() if response.fp else b""  # the stream never ends: its first line
        else:
            body = response.read()
        connection.close()
        return status, header, body

    def host(self, name: str = "127.0.0.1") -> dict[str, str]:
        return {"Host": f"{name}:{self.port}"}


def _wait_for(condition: Callable[[], bool], seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


def _start(tmp: Path, data: Path, *arguments: str) -> Server:
    stdout, stderr = tmp / "stdout.txt", tmp / "stderr.txt"
    command = [sys.executable, str(ROOT / "generate.py"), "serve", "--port", "0", "--data", str(data), *arguments]
    with stdout.open("wb") as out, stderr.open("wb") as err:
        process = subprocess.Popen(
            command, stdout=out, stderr=err, cwd=tmp, env={**os.environ, "PYTHONUNBUFFERED": "1"}
        )
    server = Server(process, 0, data, stdout, stderr)
    found: list[int] = []

    def ready() -> bool:
        assert process.poll() is None, f"server exited: {server.output()} {server.errors()}"
        match = re.search(r"http://127\.0\.0\.1:(\d+)/", server.output())
        if match:
            found.append(int(match.group(1)))
        return bool(found)

    _wait_for(ready, 60, "the server to start")
    server.port = found[0]
    return server


def _stop(server: Server) -> None:
    if server.process.poll() is None:
        server.process.kill()
    server.process.wait()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """One server for the module, on a dossier holding a link to ``/`` and one to a folder outside."""
    tmp = tmp_path_factory.mktemp("serve")
    data = tmp / "data"
    shutil.copytree(ROOT / "data", data)
    outside = tmp / "outside"
    outside.mkdir()
    (outside / "notes.yaml").write_text("note: outside the dossier\n", encoding="utf-8")
    (data / "root").symlink_to("/")
    (data / "elsewhere").symlink_to(outside)
    running = _start(tmp, data, "-a", "industry")
    yield running
    _stop(running)


FOREIGN_HOSTS = [
    "evil.example:{port}",
    "evil.example",
    "127.0.0.1.evil.example:{port}",
    "127.0.0.1:{other}",
    "localhost",
    "127.0.0.1",
    "",
]


@pytest.mark.parametrize("host", FOREIGN_HOSTS)
@pytest.mark.parametrize("path", ["/", "/industry.html", "/industry.pdf", "/events", "/nothing-here"])
def test_requests_for_another_host_are_refused(server: Server, host: str, path: str) -> None:
    """DNS rebinding: evil.example resolves to 127.0.0.1, and the browser sends its own name."""
    status, headers, body = server.get(path, {"Host": host.format(port=server.port, other=server.port + 1)})
    assert status == 403
    assert headers["content-type"].startswith("text/plain")
    assert BRIEF_TEXT.encode() not in body
    assert b"forbidden" in body


def test_a_request_without_host_is_refused(server: Server) -> None:
    status, _, body = server.get("/industry.html")
    assert status == 403
    assert BRIEF_TEXT.encode() not in body


def test_two_host_headers_are_refused(server: Server) -> None:
    status, _, _ = server.get("/industry.html", {**server.host(), "host": f"evil.example:{server.port}"})
    assert status == 403


@pytest.mark.parametrize("name", ["127.0.0.1", "localhost", "LocalHost", "[::1]"])
def test_this_machine_by_name_is_answered(server: Server, name: str) -> None:
    status, headers, body = server.get("/industry.html", server.host(name))
    assert status == 200
    assert BRIEF_TEXT.encode() in body
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "no-referrer"
    assert headers["cross-origin-resource-policy"] == "same-origin"
    assert headers["x-frame-options"] == "DENY"
    assert "frame-ancestors 'none'" in headers["content-security-policy"]


def test_the_pdf_is_answered_with_the_same_protections(server: Server) -> None:
    status, headers, body = server.get("/industry.pdf", server.host("localhost"))
    assert status == 200
    assert body.startswith(b"%PDF-")
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["cross-origin-resource-policy"] == "same-origin"
    assert "content-security-policy" not in headers  # it could stop the browser's PDF viewer


@pytest.mark.parametrize(
    "origin", ["http://evil.example", "null", "http://127.0.0.1:{other}", "https://localhost:{port}"]
)
@pytest.mark.parametrize("path", ["/events", "/industry.html"])
def test_requests_from_other_origins_are_refused(server: Server, origin: str, path: str) -> None:
    headers = {**server.host(), "Origin": origin.format(port=server.port, other=server.port + 1)}
    status, _, body = server.get(path, headers)
    assert status == 403
    assert BRIEF_TEXT.encode() not in body


@pytest.mark.parametrize("origin", ["http://127.0.0.1:{port}", "http://localhost:{port}"])
def test_the_event_stream_answers_its_own_pages(server: Server, origin: str) -> None:
    status, headers, first = server.get("/events", {**server.host(), "Origin": origin.format(port=server.port)})
    assert status == 200
    assert headers["content-type"] == "text/event-stream"
    assert first.startswith(b"data: ")


def test_other_sites_may_link_to_the_preview_but_not_embed_it(server: Server) -> None:
    embedded = {**server.host(), "Sec-Fetch-Site": "cross-site", "Sec-Fetch-Mode": "no-cors"}
    assert server.get("/industry.pdf", embedded)[0] == 403
    linked = {**server.host(), "Sec-Fetch-Site": "cross-site", "Sec-Fetch-Mode": "navigate"}
    assert server.get("/industry.html", linked)[0] == 200


def _reset(port: int, request: bytes, read_first: bool) -> None:
    """Send ``request`` and hang up with a TCP reset, as a browser killed mid-download does."""
    with socket.create_connection(("127.0.0.1", port), timeout=30) as connection:
        connection.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        connection.sendall(request)
        if read_first:
            connection.recv(1)  # the server is writing the answer now
        connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))


def test_clients_that_hang_up_leave_no_traceback(server: Server) -> None:
    host = f"Host: 127.0.0.1:{server.port}\r\n".encode()
    for path, read_first in [("/industry.pdf", False), ("/industry.html", True), ("/industry.html", False)]:
        _reset(server.port, b"GET " + path.encode() + b" HTTP/1.1\r\n" + host + b"\r\n", read_first)
    _reset(server.port, b"GET /industry.html HTTP/1.1\r\n", False)  # hung up in the middle of the request
    _reset(server.port, b"GET /events HTTP/1.1\r\n" + host + b"\r\n", True)
    # Answered after those were taken: the PDF rendered for the reset client is being written by now.
    assert server.get("/industry.pdf", server.host())[0] == 200
    time.sleep(1)
    assert server.process.poll() is None
    assert "ConnectionResetError" not in server.errors()
    assert "BrokenPipeError" not in server.errors()
    assert "Traceback" not in server.errors()


def test_watcher_ignores_links_out_of_the_dossier_and_still_rebuilds(server: Server) -> None:
    """The dossier holds a link to ``/``: the watcher used to walk the disk and die."""
    before = server.output().count("rebuilt #")
    (server.data / "elsewhere" / "notes.yaml").write_text("note: changed outside\n", encoding="utf-8")
    time.sleep(1)  # long enough for the watcher to see it, if it watched it
    facts = server.data / "facts.yaml"
    facts.write_text(facts.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    _wait_for(lambda: server.output().count("rebuilt #") > before, 20, "a rebuild after editing facts.yaml")
    time.sleep(0.5)
    assert server.output().count("rebuilt #") == before + 1, server.output()  # the outside edit rebuilt nothing
    assert "Traceback" not in server.errors()
    assert "watcher stopped" not in server.output() + server.errors()


def test_a_new_folder_in_the_dossier_is_watched(server: Server) -> None:
    """Folders are watched one by one, so a folder made while serving must join them."""
    before = server.output().count("rebuilt #")
    folder = server.data / "later"
    folder.mkdir()
    _wait_for(lambda: server.output().count("rebuilt #") > before, 20, "a rebuild after making a folder")
    time.sleep(0.5)  # the watcher starts over with the new folder
    before = server.output().count("rebuilt #")
    (folder / "notes.txt").write_text("written in a folder made after the start\n", encoding="utf-8")
    _wait_for(lambda: server.output().count("rebuilt #") > before, 20, "a rebuild after writing into the new folder")


def test_a_stopped_watcher_is_reported_in_the_terminal_and_the_page(tmp_path: Path) -> None:
    data = tmp_path / "data"
    shutil.copytree(ROOT / "data", data)
    running = _start(tmp_path, data, "-a", "industry")
    try:
        shutil.rmtree(data)
        _wait_for(lambda: "The watcher stopped" in running.errors(), 20, "the watcher's failure in the terminal")
        assert "restart generate serve" in running.errors()
        status, _, body = running.get("/industry.html", running.host())
        assert status == 200
        assert b"The watcher stopped" in body
        assert b"no longer follows edits" in body
        assert running.process.poll() is None
        assert "Traceback" not in running.errors()
    finally:
        _stop(running)


def test_unknown_audience_is_a_usage_error(tmp_path: Path) -> None:
    command = [sys.executable, str(ROOT / "generate.py"), "serve", "-a", "nosuch", "--port", "0"]
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        output, errors = process.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        process.kill()
        output, errors = process.communicate()
        raise AssertionError(f"serve kept running with an unknown audience: {output}") from None
    assert process.returncode == 2
    assert "unknown audience 'nosuch'; choose one of: industry, ministry, parliament, all" in errors
    assert "Previewing" not in output
    assert "Traceback" not in errors


def test_the_content_security_policy_lets_the_preview_work_in_a_browser(server: Server) -> None:
    """The policy allows the page's inline styles, SVG and reload script, and nothing from elsewhere."""
    from playwright.sync_api import sync_playwright

    complaints: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        page = browser.new_page()
        page.on(
            "console", lambda message: complaints.append(message.text) if "Security Policy" in message.text else None
        )
        page.on("pageerror", lambda error: complaints.append(str(error)))
        for path in ["/", "/industry.html"]:
            with page.expect_response(lambda response: response.url.endswith("/events")) as events:
                page.goto(f"http://localhost:{server.port}{path}")
            assert events.value.status == 200
        assert page.locator("h1").first.inner_text()
        browser.close()
    assert complaints == []


def test_the_word_file_is_linked_and_served_with_the_same_protections(server: Server) -> None:
    import io
    import zipfile

    status, _, index = server.get("/", server.host())
    assert status == 200
    assert b'href="/industry.docx"' in index

    status, headers, body = server.get("/industry.docx", server.host("localhost"))
    assert status == 200
    assert headers["content-type"] == "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    assert headers["content-disposition"] == 'attachment; filename="industry.docx"'
    assert headers["x-content-type-options"] == "nosniff"
    with zipfile.ZipFile(io.BytesIO(body)) as package:
        assert "word/document.xml" in package.namelist()
        assert "word/footnotes.xml" in package.namelist()

    status, _, body = server.get("/industry.docx", {"Host": "evil.example"})
    assert status == 403
    assert not body.startswith(b"PK")
