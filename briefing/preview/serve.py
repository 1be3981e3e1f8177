"""`generate serve`: a live preview of the HTML briefs on 127.0.0.1.

A watcher (watchfiles) rebuilds the HTML briefs in memory whenever a file in the
dossier or a template folder changes, through the build's own plan and renderer, so each
page is the HTML brief ``generate brief`` writes; open pages learn of each new build over
Server-Sent Events and reload themselves.  A build that fails leaves the server
running and shows the error, with file and line, in place of the brief; the next
good save brings the brief back.  Each brief's sources page (``<stem>.sources.html``, the
passages its notes link to) is served from the same build, under the name the brief's links
use; PDFs and Word files are rendered on request from the same build.

The preview answers only requests addressed to this machine by name (``Host``
127.0.0.1, localhost or [::1] with the bound port) and from its own pages
(``Origin``), so a web page cannot read a brief through DNS rebinding.  The
watcher watches the real folders of the dossier and the template folders, one by
one, never following a symbolic link out of them; if it stops, the terminal and
the page say so.
"""

from __future__ import annotations

import html
import os
import secrets
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import closing
from dataclasses import dataclass, field
from email.message import Message
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, HTTPServer, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import jinja2

from briefing.build.load import load
from briefing.build.plan import Plan, plan_briefs
from briefing.build.render import render_job
from briefing.errors import BriefingError, UnknownAudienceError
from briefing.formats.render_html import TemplateSet
from briefing.formats.sanitize import POLICY_META

# The page's one script; the page policy lets only a script carrying this response's nonce run.
RELOAD_SCRIPT = """<script nonce="{nonce}">
(function () {{
  var built = "{generation}";
  var events = new EventSource("/events");
  events.onmessage = function (event) {{
    if (event.data !== built) {{ events.close(); location.reload(); }}
  }};
}})();
</script>"""


def _note(text: str) -> None:
    print(f"note: {text}", file=sys.stderr, flush=True)


@dataclass
class Preview:
    """The latest build: rendered pages or the error that stopped it, and its number.

    The pages are built as ``generate brief`` builds them (``plan_briefs``, ``render_job``):
    each is the HTML brief ``generate brief`` would write, byte for byte, with its change
    section since the earlier edition; the server only adds its reload script (``preview_page``).
    ``files`` holds the pages the briefs link to, by file name: each brief's sources page, and
    the brief itself under its file's name (``<stem>.html``, which the sources page links back to).
    """

    data_dir: Path
    overrides: tuple[Path, ...]
    audiences: Sequence[str]
    generation: int = 0
    pages: dict[str, str] = field(default_factory=dict)
    files: dict[str, str] = field(default_factory=dict)
    # The last good build's warnings for each page (what cleaning removed from it), for the terminal.
    warnings: dict[str, tuple[str, ...]] = field(default_factory=dict)
    error: str | None = None
    failure: BriefingError | None = None  # what stopped the last build, for the caller to classify
    watcher_error: str | None = None  # set once the watcher has stopped: edits no longer rebuild
    build_seconds: float = 0.0
    changed: threading.Condition = field(default_factory=threading.Condition)
    _plan: Plan | None = None
    _env: jinja2.Environment | None = None
    # Editions to show (``--lang``); none: the original.  A page is named like its file,
    # without the dossier id: "industry", "industry.pl".
    languages: Sequence[str] = ()
    # The earlier edition the pages list their changes since, as for ``generate brief``.
    since: str | None = None
    editions: Path | None = None
    note: Callable[[str], None] = _note

    def _planned(self) -> Plan:
        """What ``generate brief --format html`` with the preview's options would build."""
        loaded = load(self.data_dir, TemplateSet(overrides=self.overrides))
        return plan_briefs(loaded, self.audiences, self.languages, ("html",), self.since, self.editions, self.note)

    def rebuild(self, changed: Sequence[tuple[str, Path]] = ()) -> None:
        """Build again.  ``changed`` lists (kind, path) from the watcher: when only templates
        were modified, the dossier and the compiled templates that did not change are reused."""
        started = time.perf_counter()
        data_changed = not changed or any(path.is_relative_to(self.data_dir.resolve()) for _, path in changed)
        files_came_or_went = any(kind != "modified" for kind, _ in changed)
        try:
            if data_changed or self._plan is None:
                self._plan = self._planned()
                self._env = None
            plan = self._plan
            if self._env is None or files_came_or_went:
                # A new file may shadow a template already compiled: start from a fresh environment.
                self._env = plan.loaded.templates.environment()
            pages, files, warnings = {}, {}, {}
            for job in plan.jobs:
                rendered = render_job(plan.render_job(job, ("html",)), plan.loaded.templates, Path("."), self._env)
                pages[job.name] = rendered.files[0].data.decode("utf-8")
                files.update({output.path.name: output.data.decode("utf-8") for output in rendered.files})
                if rendered.warnings:
                    warnings[job.name] = rendered.warnings
            error, failure = None, None
        except BriefingError as problem:
            self._plan = None
            pages, files, warnings, error, failure = self.pages, self.files, self.warnings, str(problem), problem
        with self.changed:
            self.pages, self.files, self.warnings, self.error, self.failure = pages, files, warnings, error, failure
            self.generation += 1
            self.build_seconds = time.perf_counter() - started
            self.changed.notify_all()

    def watched_roots(self) -> list[Path]:
        return [self.data_dir, *self.overrides, TemplateSet().default]

    def watcher_stopped(self, message: str) -> None:
        """Show ``message`` in place of every page from now on: the preview no longer follows edits."""
        with self.changed:
            self.watcher_error = message
            self.generation += 1
            self.changed.notify_all()

    def shown_error(self) -> str | None:
        if self.watcher_error is None:
            return self.error
        return self.watcher_error + (f"\n\nThe last build also failed:\n{self.error}" if self.error else "")

    def pdf(self, page: str) -> bytes:
        return self.document(page, "pdf")

    def document(self, page: str, output_format: str) -> bytes:
        """The brief shown as ``page`` as a PDF or Word file, rendered on request (each takes
        seconds, so not on every save), as ``generate brief`` renders it."""
        # The last good build's plan, if there is one: the page the file is linked from.
        plan = self._plan or self._planned()
        (job,) = [job for job in plan.jobs if job.name == page]
        rendered = render_job(plan.render_job(job, (output_format,)), plan.loaded.templates, Path("."))
        return rendered.files[0].data


def _error_page(message: str, generation: int, nonce: str, watching: bool = True) -> str:
    heading, advice = (
        ("The brief could not be built", "Fix the problem below and save; this page reloads by itself.")
        if watching
        else ("The preview no longer follows edits", "Restart <code>generate serve</code> to watch again.")
    )
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Build error</title>
<style>body{{font-family:sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#1b2a3a}}
pre{{background:#fff4ec;border-left:5px solid #8a3b00;padding:1rem;white-space:pre-wrap;font-size:0.95rem}}</style>
</head><body><main><h1>{heading}</h1>
<p>{advice}</p>
<pre class="build-error">{html.escape(message)}</pre></main>
{RELOAD_SCRIPT.format(generation=generation, nonce=nonce)}</body></html>"""


def _index_page(preview: Preview, nonce: str) -> str:
    links = "".join(
        f'<li><a href="/{name}.html">{html.escape(name)}</a> · <a href="/{name}.pdf">PDF</a>'
        f' · <a href="/{name}.docx">Word</a></li>'
        for name in preview.pages
    )
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Brief preview</title></head>
<body><main><h1>Brief preview</h1><ul>{links}</ul></main>
{RELOAD_SCRIPT.format(generation=preview.generation, nonce=nonce)}</body></html>"""


DOCUMENT_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


def _document_request(path: str, pages: dict[str, str]) -> tuple[str, str] | None:
    """(audience, format) for a request such as ``/industry.pdf`` or ``/industry.docx``."""
    name, dot, extension = path[1:].rpartition(".")
    if dot and extension in DOCUMENT_TYPES and name in pages:
        return name, extension
    return None


# Sent with every response: no other site may frame, embed or sniff what the preview serves.
SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Resource-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Cache-Control": "no-store",
}
# Sent with pages (not PDFs, whose viewer it could block).  The pages are self-contained (inline
# styles and SVG, one inline script that listens to /events), so they need nothing from anywhere
# else: a page drawn by someone else's templates cannot load or send anything, and no script runs
# but the preview's own, which carries the nonce of its response.
PAGE_POLICY = (
    "default-src 'none'; script-src 'nonce-{nonce}'; style-src 'unsafe-inline'; img-src 'self' data:; "
    "font-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)


def preview_page(page: str, generation: int, nonce: str) -> str:
    """A built brief as the preview serves it: with the reload script, and without the brief's own
    policy ``<meta>``, which would block that script.  The page policy sent with it is the same
    but for the script and its connection to /events."""
    page = page.replace(POLICY_META + "\n", "", 1)
    return page.replace("</body>", RELOAD_SCRIPT.format(generation=generation, nonce=nonce) + "</body>", 1)


def local_names(port: int) -> frozenset[str]:
    """The ``Host`` values the preview answers: this machine by name or address, with its port."""
    return frozenset(f"{host}:{port}" for host in ("127.0.0.1", "localhost", "[::1]"))


def refusal(headers: Message, port: int) -> str | None:
    """Why a request must not be answered, or None.  A web page on another site can make the
    browser send requests here (and with DNS rebinding, read the answers); it cannot forge
    ``Host``, ``Origin`` or ``Sec-Fetch-Site``."""
    names = local_names(port)
    hosts = headers.get_all("Host") or []
    if len(hosts) != 1 or hosts[0].strip().lower() not in names:
        return f"this preview answers only requests to http://127.0.0.1:{port}/ or http://localhost:{port}/"
    origins = headers.get_all("Origin") or []
    if any(origin.strip().lower() not in {f"http://{name}" for name in names} for origin in origins):
        return "this preview answers only its own pages"
    # Sent by browsers: another site may link here (a navigation), not embed or fetch a page.
    site, mode = headers.get("Sec-Fetch-Site", ""), headers.get("Sec-Fetch-Mode", "")
    if site in ("cross-site", "same-site") and mode != "navigate":
        return "this preview answers only its own pages"
    return None


class PreviewHandler(BaseHTTPRequestHandler):
    """Answers one request to the preview: a page, a document, or the stream of build numbers.

    http.server makes a handler per request from a class, so the preview it answers for and the
    event that stops it are attributes of the class ``make_handler`` makes for them."""

    preview: Preview
    stopping: threading.Event

    def log_message(self, format: str, *args: Any) -> None:
        pass  # keep the terminal for build messages

    def end_headers(self) -> None:
        for name, value in SECURITY_HEADERS.items():
            self.send_header(name, value)
        super().end_headers()

    def _send(
        self, status: HTTPStatus, body: bytes, content_type: str, download: str | None = None, nonce: str = ""
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        if download:
            self.send_header("Content-Disposition", f'attachment; filename="{download}"')
        self.send_header("Content-Length", str(len(body)))
        if content_type.startswith("text/html"):
            # Without a nonce (a page with no script) no script may run at all.
            self.send_header("Content-Security-Policy", PAGE_POLICY.format(nonce=nonce or secrets.token_urlsafe(16)))
        self.end_headers()
        self.wfile.write(body)

    def _send_page(self, page: str, nonce: str, status: HTTPStatus = HTTPStatus.OK) -> None:
        """An HTML page whose script carries ``nonce``."""
        self._send(status, page.encode(), "text/html; charset=utf-8", nonce=nonce)

    def do_GET(self) -> None:
        assert isinstance(self.server, HTTPServer)
        why = refusal(self.headers, self.server.server_port)
        if why is not None:
            self._send(HTTPStatus.FORBIDDEN, f"forbidden: {why}\n".encode(), "text/plain; charset=utf-8")
            return
        path = self.path.split("?", 1)[0]
        if path == "/events":
            self._events()
        else:
            self._answer(path)

    def _answer(self, path: str) -> None:
        """The latest build's page, sources page or document at ``path``, or the error that stopped it."""
        preview = self.preview
        with preview.changed:  # all from one build: a rebuild may replace them meanwhile
            generation, error, pages = preview.generation, preview.shown_error(), dict(preview.pages)
            files = dict(preview.files)
            watching = preview.watcher_error is None
        nonce = secrets.token_urlsafe(16)
        if error is not None and path != "/favicon.ico":
            self._send_page(_error_page(error, generation, nonce, watching), nonce)
        elif path == "/":
            self._send_page(_index_page(preview, nonce), nonce)
        elif path.endswith(".html") and path[1:-5] in pages:
            self._send_page(preview_page(pages[path[1:-5]], generation, nonce), nonce)
        elif path[1:] in files:  # a sources page, or a brief under its file's name
            self._send_page(preview_page(files[path[1:]], generation, nonce), nonce)
        elif (found := _document_request(path, pages)) is not None:
            self._send_document(*found, generation, nonce)
        else:
            self._send(HTTPStatus.NOT_FOUND, b"not found", "text/plain")

    def _send_document(self, name: str, output_format: str, generation: int, nonce: str) -> None:
        """The brief ``name`` as a PDF or Word file, rendered now; the error page if it cannot be."""
        try:
            data = self.preview.document(name, output_format)
            # A Word file is saved, not shown; its name is an audience id (a slug), safe in a header.
            download = f"{name}.docx" if output_format == "docx" else None
            self._send(HTTPStatus.OK, data, DOCUMENT_TYPES[output_format], download)
        except BriefingError as problem:
            self._send_page(_error_page(str(problem), generation, nonce), nonce, HTTPStatus.INTERNAL_SERVER_ERROR)

    def _events(self) -> None:
        """Server-Sent Events: the build number now, and again after every rebuild."""
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "text/event-stream")
        self.end_headers()
        seen = -1
        while not self.stopping.is_set():
            with self.preview.changed:
                if self.preview.generation == seen:
                    self.preview.changed.wait(timeout=15)
                generation = self.preview.generation
            message = f"data: {generation}\n\n" if generation != seen else ": keep-alive\n\n"
            self.wfile.write(message.encode())
            self.wfile.flush()
            seen = generation


def make_handler(preview: Preview, stopping: threading.Event) -> type[BaseHTTPRequestHandler]:
    """The request handler class for ``preview``, whose event streams end once ``stopping`` is set."""
    bound_preview, bound_stopping = preview, stopping  # a class body cannot read a name it assigns

    class Handler(PreviewHandler):
        preview = bound_preview
        stopping = bound_stopping

    return Handler


class PreviewServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A browser that closes a tab, stops a PDF download or reloads mid-page resets the
        # connection: normal for a preview, not worth a traceback in the terminal.
        if isinstance(sys.exc_info()[1], ConnectionError):
            return
        super().handle_error(request, client_address)


WatchFailed = Callable[[str], None]


class WatcherError(Exception):
    """The watcher cannot go on; the message says why."""


def folders_to_watch(roots: Sequence[Path]) -> dict[Path, tuple[int, int]]:
    """Every real folder under ``roots`` (each resolved), with its identity (device, inode).

    Links are not followed: a dossier holding a link to ``/`` must not make the watcher walk
    the disk.  Folders are watched one by one, not recursively, because the recursive watcher
    follows links.  The identity tells a folder deleted and made again, whose watch is gone.
    """
    import watchfiles

    ignored = set(watchfiles.DefaultFilter.ignore_dirs)
    found: dict[Path, tuple[int, int]] = {}
    for root in roots:
        if not root.is_dir():
            continue
        for folder, subfolders, _ in os.walk(root.resolve(), followlinks=False):
            subfolders[:] = sorted(
                name
                for name in subfolders
                if not name.startswith(".") and name not in ignored and not os.path.islink(os.path.join(folder, name))
            )
            try:
                status = os.stat(folder)
            except OSError:
                continue  # gone while we looked; the next look settles it
            found[Path(folder)] = (status.st_dev, status.st_ino)
    return found


def watch(preview: Preview, stopping: threading.Event, on_build: Any, on_failure: WatchFailed) -> None:
    """Rebuild on every change in the watched folders until ``stopping`` is set.

    Whatever stops the watcher is reported to ``on_failure`` and shown in the page: a preview
    that silently stopped following edits would show a stale brief as if it were current.
    """
    try:
        _watch(preview, stopping, on_build)
    except Exception as error:  # any failure at all: it must reach the user, not die with the thread
        reason = str(error) if isinstance(error, WatcherError) else f"{type(error).__name__}: {error}"
        message = f"The watcher stopped: {reason}. Edits no longer rebuild the preview; restart generate serve."
        preview.watcher_stopped(message)
        on_failure(message)


def _watch(preview: Preview, stopping: threading.Event, on_build: Any) -> None:
    import watchfiles

    roots = preview.watched_roots()
    folders = folders_to_watch(roots)
    while not stopping.is_set():
        if not preview.data_dir.is_dir():
            raise WatcherError(f"the dossier folder {preview.data_dir} does not exist")
        with closing(watchfiles.watch(*folders, recursive=False, stop_event=stopping, debounce=50, step=20)) as seen:
            for changes in _changes(seen, roots, folders):
                preview.rebuild([(change.name, Path(path).resolve()) for change, path in changes])
                on_build(preview)
                if folders_to_watch(roots) != folders:
                    break  # a folder came, went or was made again: watch the new set
        folders = folders_to_watch(roots)


def _changes(
    seen: Iterator[set[Any]], roots: Sequence[Path], folders: dict[Path, tuple[int, int]]
) -> Iterator[set[Any]]:
    """The watcher's batches of changes.  A folder that went away between listing the folders
    and watching them (a branch switch, say) ends the batches, to be watched again; any other
    error is the watcher's failure."""
    try:
        yield from seen
    except FileNotFoundError:
        if folders_to_watch(roots) == folders:
            raise


def serve(
    data_dir: Path,
    overrides: tuple[Path, ...],
    audiences: Sequence[str],
    port: int,
    on_ready: Any,
    on_build: Any,
    on_watch_failed: WatchFailed,
    languages: Sequence[str] = (),
    since: str | None = None,
    editions: Path | None = None,
    note: Callable[[str], None] = _note,
) -> None:
    """Serve the preview until interrupted (Ctrl-C); the caller reports through the callbacks.

    An unknown audience raises ``UnknownAudienceError`` before anything is served, as for
    ``generate brief``; any other problem in the dossier is shown in the page, to be fixed.
    """
    preview = Preview(data_dir, overrides, audiences, languages=languages, since=since, editions=editions, note=note)
    preview.rebuild()
    if isinstance(preview.failure, UnknownAudienceError):
        raise preview.failure
    stopping = threading.Event()
    server = PreviewServer(("127.0.0.1", port), make_handler(preview, stopping))
    watcher = threading.Thread(target=watch, args=(preview, stopping, on_build, on_watch_failed), daemon=True)
    watcher.start()
    try:
        on_ready(preview, server.server_address[1])
        server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        pass
    finally:
        stopping.set()
        with preview.changed:
            preview.changed.notify_all()
        server.server_close()
        watcher.join(timeout=2)
