"""`generate serve`: a live preview of the HTML briefs on 127.0.0.1.

A watcher (watchfiles) rebuilds the HTML briefs in memory whenever a file in the
dossier or a template folder changes; open pages learn of each new build over
Server-Sent Events and reload themselves.  A build that fails leaves the server
running and shows the error, with file and line, in place of the brief; the next
good save brings the brief back.  PDFs are rendered on request from the same build.
"""

from __future__ import annotations

import html
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import jinja2

from .errors import BriefingError
from .pipeline import Charts, choose_audiences, font_folder, load_with_templates, render_brief
from .render_html import TemplateSet, render_html
from .schema import Dossier
from .select import select_for_audience

RELOAD_SCRIPT = """<script>
(function () {{
  var built = "{generation}";
  var events = new EventSource("/events");
  events.onmessage = function (event) {{
    if (event.data !== built) {{ events.close(); location.reload(); }}
  }};
}})();
</script>"""


@dataclass
class Preview:
    """The latest build: rendered pages or the error that stopped it, and its number."""

    data_dir: Path
    overrides: tuple[Path, ...]
    audiences: Sequence[str]
    generation: int = 0
    pages: dict[str, str] = field(default_factory=dict)
    error: str | None = None
    build_seconds: float = 0.0
    changed: threading.Condition = field(default_factory=threading.Condition)
    _loaded: tuple[Dossier, TemplateSet] | None = None
    _env: jinja2.Environment | None = None

    def rebuild(self, changed: Sequence[tuple[str, Path]] = ()) -> None:
        """Build again.  ``changed`` lists (kind, path) from the watcher: when only templates
        were modified, the dossier and the compiled templates that did not change are reused."""
        started = time.perf_counter()
        data_changed = not changed or any(path.is_relative_to(self.data_dir.resolve()) for _, path in changed)
        files_came_or_went = any(kind != "modified" for kind, _ in changed)
        try:
            if data_changed or self._loaded is None:
                self._loaded = load_with_templates(self.data_dir, TemplateSet(overrides=self.overrides))
                self._env = None
            dossier, templates = self._loaded
            if self._env is None or files_came_or_went:
                # A new file may shadow a template already compiled: start from a fresh environment.
                self._env = templates.environment()
            pages = {}
            for audience in choose_audiences(dossier, self.audiences):
                brief = select_for_audience(dossier, audience)
                charts = {"draw": Charts(brief, font_folder(templates))}
                pages[audience.id] = render_html(brief, templates, "html", charts, env=self._env)
            error = None
        except BriefingError as problem:
            self._loaded = None
            pages, error = self.pages, str(problem)
        with self.changed:
            self.pages, self.error = pages, error
            self.generation += 1
            self.build_seconds = time.perf_counter() - started
            self.changed.notify_all()

    def watched_folders(self) -> list[Path]:
        return [self.data_dir, *self.overrides, TemplateSet().default]

    def pdf(self, audience_id: str) -> bytes:
        # The last good build's dossier, if there is one: the page the PDF is linked from.
        loaded = self._loaded or load_with_templates(self.data_dir, TemplateSet(overrides=self.overrides))
        dossier, templates = loaded
        (audience,) = choose_audiences(dossier, [audience_id])
        rendered = render_brief(select_for_audience(dossier, audience), templates, ["pdf"], Path("."), audience.id)
        return rendered.files[0].data


def _error_page(message: str, generation: int) -> str:
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Build error</title>
<style>body{{font-family:sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#1b2a3a}}
pre{{background:#fff4ec;border-left:5px solid #8a3b00;padding:1rem;white-space:pre-wrap;font-size:0.95rem}}</style>
</head><body><main><h1>The brief could not be built</h1>
<p>Fix the problem below and save; this page reloads by itself.</p>
<pre class="build-error">{html.escape(message)}</pre></main>
{RELOAD_SCRIPT.format(generation=generation)}</body></html>"""


def _index_page(preview: Preview) -> str:
    links = "".join(
        f'<li><a href="/{name}.html">{html.escape(name)}</a> · <a href="/{name}.pdf">PDF</a></li>'
        for name in preview.pages
    )
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Brief preview</title></head>
<body><main><h1>Brief preview</h1><ul>{links}</ul></main>
{RELOAD_SCRIPT.format(generation=preview.generation)}</body></html>"""


def make_handler(preview: Preview, stopping: threading.Event) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass  # keep the terminal for build messages

        def _send(self, status: HTTPStatus, body: bytes, content_type: str) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self) -> None:
            path = self.path.split("?", 1)[0]
            if path == "/events":
                self._events()
                return
            with preview.changed:
                generation, error, pages = preview.generation, preview.error, dict(preview.pages)
            if error is not None and path != "/favicon.ico":
                self._send(HTTPStatus.OK, _error_page(error, generation).encode(), "text/html; charset=utf-8")
            elif path == "/":
                self._send(HTTPStatus.OK, _index_page(preview).encode(), "text/html; charset=utf-8")
            elif path.endswith(".html") and path[1:-5] in pages:
                page = pages[path[1:-5]].replace("</body>", RELOAD_SCRIPT.format(generation=generation) + "</body>")
                self._send(HTTPStatus.OK, page.encode(), "text/html; charset=utf-8")
            elif path.endswith(".pdf") and path[1:-4] in pages:
                try:
                    self._send(HTTPStatus.OK, preview.pdf(path[1:-4]), "application/pdf")
                except BriefingError as problem:
                    body = _error_page(str(problem), generation).encode()
                    self._send(HTTPStatus.INTERNAL_SERVER_ERROR, body, "text/html; charset=utf-8")
            else:
                self._send(HTTPStatus.NOT_FOUND, b"not found", "text/plain")

        def _events(self) -> None:
            """Server-Sent Events: the build number now, and again after every rebuild."""
            self.send_response(HTTPStatus.OK)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            seen = -1
            try:
                while not stopping.is_set():
                    with preview.changed:
                        if preview.generation == seen:
                            preview.changed.wait(timeout=15)
                        generation = preview.generation
                    message = f"data: {generation}\n\n" if generation != seen else ": keep-alive\n\n"
                    self.wfile.write(message.encode())
                    self.wfile.flush()
                    seen = generation
            except (BrokenPipeError, ConnectionResetError):
                return

    return Handler


def watch(preview: Preview, stopping: threading.Event, on_build: Any) -> None:
    """Rebuild on every change under the watched folders until ``stopping`` is set."""
    import watchfiles

    folders = [str(folder) for folder in preview.watched_folders() if folder.exists()]
    for changes in watchfiles.watch(*folders, stop_event=stopping, debounce=50, step=20):
        preview.rebuild([(change.name, Path(path).resolve()) for change, path in changes])
        on_build(preview)


def serve(
    data_dir: Path,
    overrides: tuple[Path, ...],
    audiences: Sequence[str],
    port: int,
    on_ready: Any,
    on_build: Any,
) -> None:
    """Serve the preview until interrupted (Ctrl-C); the caller reports through the callbacks."""
    preview = Preview(data_dir, overrides, audiences)
    preview.rebuild()
    stopping = threading.Event()
    server = ThreadingHTTPServer(("127.0.0.1", port), make_handler(preview, stopping))
    server.daemon_threads = True
    watcher = threading.Thread(target=watch, args=(preview, stopping, on_build), daemon=True)
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
