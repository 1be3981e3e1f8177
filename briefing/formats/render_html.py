"""Render a brief to HTML with Jinja2: the screen HTML, and the print HTML the PDF and Word are made from.

Templates are found on a search path: override folders first, then the shipped
``templates/``.  ``{% extends "default:base.html" %}`` always names the shipped
file, so an override can change one block and inherit the rest.  Autoescaping
is on for every template whatever its name, and an undefined variable is an
error, not a silent blank.

Templates may come from someone else (a dossier names its own folder), so they
are treated as untrusted code: every render runs in Jinja's immutable sandbox,
no file-system path, class or module is reachable from a template, template and
static files must lie inside the template folders once links are resolved, and
a render that runs too long is stopped.
"""

from __future__ import annotations

import functools
import io
import math
import os
import re
import sys
import time
import traceback
import types
from collections.abc import Callable, Generator, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePath
from typing import TYPE_CHECKING, Any, NoReturn

import jinja2
import jinja2.runtime
import jinja2.sandbox
from jinja2.exceptions import SecurityError
from jinja2.loaders import split_template_path
from markupsafe import Markup, escape

from briefing.dossier.dates import date_label
from briefing.dossier.schema import CREDIBILITY_LABELS, RELIABILITY_LABELS
from briefing.errors import TemplateError
from briefing.formats.compiled import FOLDER as COMPILED_FOLDER
from briefing.formats.compiled import InstalledTemplates
from briefing.formats.render_limits import GuardedCodeGenerator, RenderStopped, can_fork, guard, run_bounded
from briefing.formats.sanitize import Removed, inert_html
from briefing.languages import i18n
from briefing.languages.typography import typeset_html
from briefing.package_data import TEMPLATES_MARKER, missing_templates_error, shipped_templates
from briefing.view.locators import locator_text
from briefing.view.model import Brief, Cite, Claim

if TYPE_CHECKING:
    from briefing.formats.passages import Passages

DEFAULT_TEMPLATES = shipped_templates()
SECTION_FOLDER = "sections"

# A render of the largest dossier takes about a second; one that runs this long is a template
# that loops without end (the sandbox bounds what a template may reach, not how long it runs).
RENDER_SECONDS = 60.0
# The longest string or list a template may make by repetition ("x" * n).
MAX_REPEAT = 1_000_000
# The longest text (or list) a template may build by joining ("~", "+") and the longest output of
# a template, block or macro: a brief of the largest dossier is well under a megabyte.
MAX_TEXT = 16 * 2**20
# The widest padding or longest precision a format may ask for ("%9999999d" is allocated at once).
MAX_WIDTH = 100_000
# The largest power a template may compute, in bits (2 ** 10 ** 9 would take minutes).
MAX_POWER_BITS = 100_000

# Values a template never gets hold of: with a path it could read or write any file, with a
# class or module it could climb to Python's internals.
_OPAQUE = (PurePath, type, types.ModuleType, io.IOBase)


@dataclass(frozen=True)
class TemplateSet:
    """The template search path: overrides first, the shipped defaults last."""

    overrides: tuple[Path, ...] = ()
    default: Path = DEFAULT_TEMPLATES
    # Code for the shipped templates compiled at setup (``compiled.py``); None: compile every time.
    compiled: Path | None = COMPILED_FOLDER

    @property
    def folders(self) -> tuple[Path, ...]:
        return (*self.overrides, self.default)

    @property
    def static_folders(self) -> tuple[Path, ...]:
        """Each template folder's ``static/``.  The PDF renderer may read any file inside these and
        the build hashes every font in them, so neither they nor their ``fonts/`` may be a link
        out of the template folders."""
        folders = tuple(folder / "static" for folder in self.folders)
        for linked in (path for static in folders for path in (static, static / "fonts")):
            if linked.is_dir() and not self.inside(linked):
                shown = _relative(str(linked))
                raise TemplateError(f"{shown} is a link to {linked.resolve()}, outside the template folders")
        return folders

    @property
    def roots(self) -> tuple[Path, ...]:
        """The template folders with links resolved: no template or static file may lie elsewhere."""
        return tuple(folder.resolve() for folder in self.folders)

    def inside(self, path: Path) -> bool:
        """Whether ``path``, links resolved, lies inside one of the template folders."""
        real = path.resolve()
        return any(real.is_relative_to(root) for root in self.roots)

    def environment(self, record: set[str] | None = None) -> Sandbox:
        """A sandboxed Jinja2 environment on this search path; names of templates and static
        files it reads are added to ``record`` (what a rendered brief depends on)."""
        search = _TextLoader(self.folders, self.roots)
        default = jinja2.PrefixLoader({"default": _TextLoader((self.default,), self.roots)}, delimiter=":")
        loader: jinja2.BaseLoader = jinja2.ChoiceLoader([default, search])
        if record is not None:
            loader = _RecordingLoader(loader, record)
        env = Sandbox(
            loader=loader,
            autoescape=True,
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
            extensions=["jinja2.ext.do", "jinja2.ext.i18n"],
            finalize=_mark_foreign,
        )
        env.filters.update(
            date_label=date_label,
            reliability=_reliability_words,
            credibility=_credibility_words,
            format_date=format_date,
            format_number=_format_number,
            format_percent=_format_percent,
        )
        i18n.install(env, i18n.SOURCE_LANGUAGE)
        if self.compiled is not None:
            env.bytecode_cache = InstalledTemplates(self.compiled)

        def static_text(name: str) -> Markup:
            if record is not None:
                record.add("static/" + name)
            return Markup(self.read_static(name))  # our own CSS, not user data

        env.globals["static_text"] = static_text
        env.globals["page_numbers"] = page_numbers
        return env

    def resolve(self, name: str) -> Path | None:
        """The file a template name resolves to on the search path ("default:" names the shipped one)."""
        folders = (self.default,) if name.startswith("default:") else self.folders
        name = name.removeprefix("default:")
        for folder in folders:
            path = Path(os.path.normpath(folder / name))
            if path.is_relative_to(folder) and path.is_file() and self.inside(path):
                return path
        return None

    def read_static(self, name: str) -> str:
        """A text file from a ``static/`` folder on the search path, and from nowhere else."""
        for folder in self.static_folders:
            path = Path(os.path.normpath(folder / name))
            if not path.is_relative_to(folder):
                raise TemplateError(f"static file {name!r} is outside the static folders")
            if path.is_file():
                if not self.inside(path):
                    raise TemplateError(
                        f"static file {_relative(str(path))} is a link to {path.resolve()}, "
                        "outside the template folders"
                    )
                return path.read_text(encoding="utf-8")
        raise TemplateError(f"static file {name!r} not found in {', '.join(map(str, self.static_folders))}")

    def names(self) -> list[str]:
        if not (self.default / TEMPLATES_MARKER).is_file():
            raise missing_templates_error(self.default)
        return sorted({name for folder in self.folders if folder.is_dir() for name in self._files(folder)})

    def _files(self, folder: Path) -> Iterator[str]:
        """The names of the files under ``folder``.  Links are followed only while they stay inside
        the template folders, and each real folder is walked once: a link to ``/`` or to a parent
        folder must not make the listing walk the disk or loop."""
        seen: set[Path] = set()

        def walk(directory: Path, prefix: str) -> Iterator[str]:
            real = directory.resolve()
            if real in seen or not self.inside(real):
                return
            seen.add(real)
            for entry in sorted(os.scandir(directory), key=lambda entry: entry.name):
                if entry.is_dir():
                    yield from walk(Path(entry.path), f"{prefix}{entry.name}/")
                elif entry.is_file() and self.inside(Path(entry.path)):
                    yield prefix + entry.name

        return walk(folder, "")

    def section_kinds(self) -> set[str]:
        prefix = SECTION_FOLDER + "/"
        return {
            name[len(prefix) : -len(".html")]
            for name in self.names()
            if name.startswith(prefix) and name.endswith(".html")
        }


class Sandbox(jinja2.sandbox.ImmutableSandboxedEnvironment):
    """Jinja's immutable sandbox (no ``_`` attributes, no changing lists or dicts a template was
    given), and more: no path, class or module reaches a template, repetition, powers and the
    texts it builds are bounded, and a render stops after ``time_limit`` seconds: checked at every
    step of every loop (``render_limits.GuardedCodeGenerator``), every call and every piece of
    output, and enforced by rendering in a worker process that is killed past the limit
    (``render_limits.run_bounded``)."""

    intercepted_binops = frozenset(["*", "**", "+", "%"])
    code_generator_class = GuardedCodeGenerator
    time_limit = RENDER_SECONDS
    # Render someone else's templates in a worker process that is killed past the limit (the hard
    # limit); off: the checks in the template's code only.
    use_worker = True

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.deadline = math.inf
        self.globals["range"] = self._range
        # Lorem ipsum has no place in a brief, and lipsum(10 ** 9) would run for ever in one call.
        del self.globals["lipsum"]
        # Filters the template calls check the clock; those that walk items (map, select, ...)
        # hand back their items through the same guard as a loop.
        self.filters = _GuardedFilters(self, self.filters)

    def start_clock(self) -> None:
        self.deadline = time.monotonic() + self.time_limit

    def check_clock(self) -> None:
        if time.monotonic() > self.deadline:
            raise SecurityError(f"the render took longer than {self.time_limit:g} seconds and was stopped")

    def guard_steps(self, items: Iterable[Any]) -> Iterable[Any]:
        """A loop's items, with the clock checked on every step (see ``GuardedCodeGenerator``)."""
        return guard(items, self.check_clock)

    def bounded_text(self, text: Any) -> Any:
        """A text the template built with ``~``: refused past MAX_TEXT characters.  Each part was
        bounded when it was built, so a check after building keeps every text bounded."""
        if isinstance(text, str) and len(text) > MAX_TEXT:
            raise SecurityError(f"a text longer than {MAX_TEXT} characters")
        return text

    def concat(self, pieces: Iterable[str]) -> str:
        """The output of a template, block or macro, piece by piece: the clock is checked on every
        piece and the whole is bounded.  A check that fails is raised inside the template's own
        code where it can (``throw``), so the error names the line that was being written."""
        parts: list[str] = []
        size = 0
        for piece in pieces:
            size += len(piece)
            problem: SecurityError | None = None
            if size > MAX_TEXT:
                problem = SecurityError(f"an output longer than {MAX_TEXT} characters")
            elif time.monotonic() > self.deadline:
                problem = SecurityError(f"the render took longer than {self.time_limit:g} seconds and was stopped")
            if problem is not None:
                if isinstance(pieces, Generator):
                    pieces.throw(problem)
                raise problem
            parts.append(piece)
        return "".join(parts)

    def handle_exception(self, source: str | None = None) -> NoReturn:
        """Out of memory or of stack, Jinja's usual rewriting of the traceback (which compiles code
        for every frame) may fail in turn and lose the template's line: find the line from the
        template frames as they are, let go of what they hold, and report it."""
        error = sys.exc_info()[1]
        if isinstance(error, (MemoryError, RecursionError)):
            filename, line = _jinja_frame(error.__traceback__)
            traceback.clear_frames(error.__traceback__)
            error.__traceback__ = None
            raise TemplateError(_describe(error, filename, line)) from None
        super().handle_exception(source)

    def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
        if isinstance(obj, _OPAQUE) or isinstance(value, _OPAQUE):
            return False
        return bool(super().is_safe_attribute(obj, attr, value))

    def call(self, context: Any, obj: Any, /, *args: Any, **kwargs: Any) -> Any:
        self.check_clock()
        if isinstance(obj, jinja2.runtime.LoopContext) and args:
            # ``loop(children)`` in a recursive loop walks ``children`` like a ``for`` does.
            args = (self.guard_steps(args[0]), *args[1:])
        return super().call(context, obj, *args, **kwargs)

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        if operator == "*":
            for count, other in ((left, right), (right, left)):
                if isinstance(count, int) and hasattr(other, "__len__") and count * len(other) > MAX_REPEAT:
                    raise SecurityError(f"repetition longer than {MAX_REPEAT} items")
        elif operator == "**":
            if isinstance(left, int) and isinstance(right, int) and right * left.bit_length() > MAX_POWER_BITS:
                raise SecurityError(f"power larger than {MAX_POWER_BITS} bits")
        elif operator == "%" and isinstance(left, str):
            _check_widths(left, right)
        result = super().call_binop(context, operator, left, right)
        if operator == "+" and hasattr(result, "__len__") and len(result) > MAX_TEXT:
            raise SecurityError(f"a text or list longer than {MAX_TEXT} items")
        return result

    def wrap_str_format(self, value: Any) -> Callable[..., str] | None:
        """``str.format`` and ``format_map`` as the sandbox gives them, with widths bounded."""
        wrapper = super().wrap_str_format(value)
        if wrapper is None:
            return None
        pattern = str(value.__self__)
        is_map = value.__name__ == "format_map"

        def bounded(*args: Any, **kwargs: Any) -> str:
            given = tuple(args[0].values()) if is_map and args and isinstance(args[0], dict) else args
            _check_widths(pattern, (*given, *kwargs.values()))
            return wrapper(*args, **kwargs)

        return bounded

    def _range(self, *args: int) -> _Steps:
        return _Steps(jinja2.sandbox.safe_range(*args), self)


# A width or precision in a format ("%0999999999d", "{:>999999999}"): allocated in one step.
_WIDTH = re.compile(r"(?:%|:)[^%:{}\sa-zA-Z]*?(\d{7,})")
# A width taken from the arguments: "%*d", "{:>{width}}".
_WIDTH_FROM_ARGUMENTS = re.compile(r"%[^%\sa-zA-Z]*\*|:[^{}]*\{")


def _check_widths(pattern: str, values: Any) -> None:
    """Refuse a printf or str.format pattern that would pad or round to more than MAX_WIDTH."""
    for match in _WIDTH.finditer(pattern):
        number = match.group(1)
        if number != "*" and int(number) > MAX_WIDTH:
            raise SecurityError(f"a format width or precision larger than {MAX_WIDTH}")
    found = values if isinstance(values, tuple) else (values,)
    large = any(isinstance(value, int) and abs(value) > MAX_WIDTH for value in found)
    if large and _WIDTH_FROM_ARGUMENTS.search(pattern):
        raise SecurityError(f"a format width or precision larger than {MAX_WIDTH}")


class _GuardedFilters(dict[str, Callable[..., Any]]):
    """The environment's filters, each wrapped as it is added: see ``_guard_filter``."""

    def __init__(self, sandbox: Sandbox, filters: dict[str, Callable[..., Any]]) -> None:
        super().__init__()
        self._sandbox = sandbox
        self.update(filters)

    def __setitem__(self, name: str, function: Callable[..., Any]) -> None:
        super().__setitem__(name, _guard_filter(self._sandbox, function))

    def update(self, *others: Any, **more: Callable[..., Any]) -> None:
        for name, function in dict(*others, **more).items():
            self[name] = function


def _guard_filter(sandbox: Sandbox, function: Callable[..., Any]) -> Callable[..., Any]:
    """``function`` checking the clock when called, and handing back an iterator's items through
    the loop guard: ``l|map(...)|join`` walks its items in filter code, not in a template loop."""
    if getattr(function, "guarded", False):
        return function

    @functools.wraps(function)  # keeps ``jinja_pass_arg`` (pass_context, pass_environment)
    def guarded(*args: Any, **kwargs: Any) -> Any:
        sandbox.check_clock()
        result = function(*args, **kwargs)
        if isinstance(result, Iterator):
            return sandbox.guard_steps(result)
        return result

    guarded.guarded = True  # type: ignore[attr-defined]
    return guarded


class _Steps(Sequence[int]):
    """``range()`` for templates: at most MAX_RANGE items, and the time limit checked as it is walked
    (a loop over it is guarded too; ``range(n)|list`` and the like walk it in filter code)."""

    def __init__(self, steps: range, sandbox: Sandbox) -> None:
        self._steps = steps
        self._sandbox = sandbox

    def __len__(self) -> int:
        return len(self._steps)

    def __getitem__(self, index: Any) -> Any:
        return self._steps[index]

    def __contains__(self, value: object) -> bool:
        return value in self._steps

    def __iter__(self) -> Iterator[int]:
        for count, value in enumerate(self._steps):
            if count % 1024 == 0:
                self._sandbox.check_clock()
            yield value


class _TextLoader(jinja2.FileSystemLoader):
    """A FileSystemLoader that reads only files inside the template folders once links are
    resolved (FileSystemLoader itself follows a link out), and whose error for a file that is
    not UTF-8 names that file."""

    def __init__(self, folders: Sequence[Path], roots: Sequence[Path]) -> None:
        # Absolute folders: compiled templates carry their file names, which errors are located by.
        super().__init__([str(folder.resolve()) for folder in folders])
        self.roots = roots

    def get_source(self, environment: jinja2.Environment, template: str) -> tuple[str, str, Callable[[], bool]]:
        pieces = split_template_path(template)
        for folder in self.searchpath:
            candidate = Path(folder, *pieces)
            if candidate.is_file():
                real = candidate.resolve()
                if not any(real.is_relative_to(root) for root in self.roots):
                    shown = _relative(str(candidate))
                    raise TemplateError(f"{shown}: template error: a link to {real}, outside the template folders")
                break
        try:
            return super().get_source(environment, template)
        except UnicodeDecodeError as error:
            path = next((Path(f) / template for f in self.searchpath if (Path(f) / template).is_file()), template)
            line = error.object[: error.start].count(b"\n") + 1
            reason = f"not UTF-8 text ({error.reason} at byte {error.start})"
            raise TemplateError(f"{_relative(str(path))}:{line}: template error: {reason}") from None


class _RecordingLoader(jinja2.BaseLoader):
    """Passes through to another loader and notes every template name it is asked for."""

    def __init__(self, inner: jinja2.BaseLoader, record: set[str]) -> None:
        self.inner = inner
        self.record = record

    def get_source(self, environment: jinja2.Environment, template: str) -> tuple[str, str | None, Any]:
        self.record.add(template)
        return self.inner.get_source(environment, template)

    def list_templates(self) -> list[str]:
        return self.inner.list_templates()


@dataclass
class Notes:
    """Footnotes collected while a brief renders, numbered in reading order."""

    entries: list[tuple[int, Claim]] = field(default_factory=list)

    def add(self, claim: Claim) -> int:
        self.entries.append((len(self.entries) + 1, claim))
        return len(self.entries)

    def sources(self) -> list[Any]:
        """The sources cited so far, in order of first citation."""
        seen: dict[str, Any] = {}
        for _, claim in self.entries:
            for cite in claim.cites:
                seen.setdefault(cite.source.id, cite.source)
        return list(seen.values())


def page_numbers() -> Markup:
    """The CSS ``content`` of the PDF's page-number margin box in the edition's language:
    ``"Strona " counter(page) " z " counter(pages)``."""
    words = i18n.gettext("Page %(page)s of %(pages)s")
    pieces = re.split(r"(%\(pages?\)s)", words)
    css = []
    for piece in pieces:
        if piece in ("%(page)s", "%(pages)s"):
            css.append(f"counter({piece[2:-2]})")
        elif piece:
            css.append('"' + piece.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ") + '"')
    return Markup(" ".join(css))  # our own catalogue's words, quoted for CSS


def _reliability_words(grade: str) -> str | None:
    words = RELIABILITY_LABELS.get(grade)
    return i18n.gettext(words) if words else None


def _credibility_words(credibility: int) -> str | None:
    words = CREDIBILITY_LABELS.get(credibility)
    return i18n.gettext(words) if words else None


def format_date(date: str) -> str:
    """A partial date ("2024-10") in the edition's language: "październik 2024", "2024년 10월"."""
    return i18n.format_partial_date(str(date))


def _format_number(value: float, decimals: int | None = None) -> str:
    return i18n.format_number(value, decimals=decimals)


def _format_percent(value: float, decimals: int | None = None) -> str:
    """A percentage given in percent: ``55|format_percent`` -> "55%"."""
    return i18n.format_percent(value, decimals=decimals)


_OPEN, _OPENED, _CLOSE = i18n.OPEN, i18n.OPENED, i18n.CLOSE
_SENTINELS = str.maketrans("", "", _OPEN + _OPENED + _CLOSE)
_LANGUAGE_RUN = re.compile(f"{_OPEN}([A-Za-z]{{2,3}}(?:-[A-Za-z]{{2}})?){_OPENED}|{_CLOSE}|[{_OPEN}{_OPENED}]")
# Elements whose content is not running text: nothing is marked up inside them.
_NOT_TEXT = frozenset({"head", "title", "style", "script", "svg", "math", "textarea", "option"})


def map_html_text(
    html: str, text: Callable[[str, bool], str], other: Callable[[str], str] = lambda piece: piece
) -> str:
    """``html`` with ``text(piece, in_link)`` applied to each run of running text between tags, and
    ``other`` to everything else (tags, and the content of head, style, script, svg, ...).

    Our own rendered HTML, walked tag by tag: no parser is needed, and nothing else changes, so
    the bytes around what a pass rewrites stay as the templates wrote them."""
    pieces = re.split(r"(<[^>]*>)", html)
    inside: str | None = None  # the element of _NOT_TEXT the text is in, if any
    links = 0  # how many <a> the text is in
    for index, piece in enumerate(pieces):
        tag = re.match(r"<(/?)([A-Za-z][\w-]*)", piece)
        if tag:
            name = tag.group(2).lower()
            if inside is None and not tag.group(1) and name in _NOT_TEXT and not piece.endswith("/>"):
                inside = name
            elif inside == name and tag.group(1):
                inside = None
            elif name == "a" and not piece.endswith("/>"):
                links = max(0, links - 1) if tag.group(1) else links + 1
            pieces[index] = other(piece)
        elif inside is not None or piece.startswith("<"):
            pieces[index] = other(piece)
        elif piece:
            pieces[index] = text(piece, links > 0)
    return "".join(pieces)


def _mark_foreign(value: Any) -> Any:
    """Every value a template prints: an untranslated text (``i18n.Foreign``) between markers of
    its language (``i18n.OPEN`` …); any other text from the data without the markers' characters."""
    if isinstance(value, i18n.Foreign):
        return i18n.in_own_language(value, escape(str(value).translate(_SENTINELS)))
    if isinstance(value, str) and not isinstance(value, Markup):  # Markup: a template's own output, marked already
        return value.translate(_SENTINELS)
    return value


def mark_languages(html: str) -> str:
    """``html`` with each marked run of another language in ``<span lang="…">`` where it is text, and
    without the markers in tags, attributes and elements whose content is not text."""
    if _OPEN not in html and _CLOSE not in html and _OPENED not in html:
        return html
    # In a tag or an attribute a marker goes with its language code ("en"), which would be printed.
    return map_html_text(html, lambda piece, _in_link: _spans(piece), lambda piece: _LANGUAGE_RUN.sub("", piece))


def _spans(text: str) -> str:
    """One run of text: markers to spans, balanced (a stray closing marker is dropped)."""
    depth = 0

    def replace(match: re.Match[str]) -> str:
        nonlocal depth
        if match.group(1):
            depth += 1
            return f'<span lang="{match.group(1)}">'
        if match.group() == _CLOSE and depth:
            depth -= 1
            return "</span>"
        return ""

    return _LANGUAGE_RUN.sub(replace, text) + "</span>" * depth


def cite_text(cite: Cite) -> Markup:
    """A footnote's words for one citation: the source as the Sources list names it, and where in
    it, in the edition's words ("s. 4", "4쪽"; a heading as the source writes it)."""
    source = cite.source
    name = source.series or source.title
    parts = [part for part in (name, date_label(source.date) if source.date else None) if part]
    where = locator_text(cite.locator, source.language)
    return Markup(", ").join([_mark_foreign(part) for part in parts] + ([where] if where else []))


def render_html(
    brief: Brief,
    templates: TemplateSet,
    target: str,
    charts: dict[str, Any],
    show_contents: bool = True,
    env: jinja2.Environment | None = None,
    signed_by: str | None = None,
    passages: Passages | None = None,
    removed: Removed | None = None,
) -> str:
    """The brief as one self-contained HTML document, for the browser or for the PDF renderer.

    Pass ``env`` (from ``templates.environment()``) to reuse compiled templates across renders.
    In a ``Sandbox`` every loop step, call and piece of output checks the time limit.  Templates
    from an override folder (someone else's) also run in a worker process under the time and
    memory limits (``render_limits``); the names of the templates it read are added to the
    environment's record.  The shipped templates are part of the installed code and build nothing
    a check cannot stop: they run in this process, without a worker's cost (a fork per render).

    ``signed_by`` names who signs the published PDF (the colophon says so); ``passages`` gives
    each note's link to its quoted passage (``passages.py``; none: notes without links);
    ``removed`` counts what cleaning the browser's HTML removed (``sanitize.py``).
    """
    from briefing.formats.passages import Passages

    passages = passages if passages is not None else Passages()
    removed = removed if removed is not None else Removed()
    env = env or templates.environment()
    extra = {"signed_by": signed_by, "passages": passages}
    if not isinstance(env, Sandbox):
        return _render(brief, templates, target, charts, show_contents, env, extra, removed)
    if not (env.use_worker and templates.overrides and can_fork()):
        env.start_clock()
        return _render(brief, templates, target, charts, show_contents, env, extra, removed)
    record = env.loader.record if isinstance(env.loader, _RecordingLoader) else set()

    def work() -> tuple[str, set[str], dict[Any, Any], Removed]:
        env.start_clock()  # in the child: the fork is not the template's time
        html = _render(brief, templates, target, charts, show_contents, env, extra, removed)
        # The passages the notes linked to, and what the cleaning removed, were recorded in the
        # child: the sources page and the build's warnings need them.
        return html, record, passages.quoted, removed

    roots = [str(folder.resolve()) for folder in templates.folders]

    def is_template_file(filename: str) -> bool:
        return any(filename.startswith(root) for root in roots) and filename.endswith(_TEMPLATE_SUFFIXES)

    try:
        html, read, quoted, removed_in_worker = run_bounded(work, env.time_limit, is_template_file)
    except RenderStopped as stopped:
        filename, line = _stopped_at(stopped, env)
        raise TemplateError(_describe(SecurityError(stopped.reason), filename, line)) from None
    record.update(read)
    passages.quoted.update(quoted)
    removed.include(removed_in_worker)
    return html


def _render(
    brief: Brief,
    templates: TemplateSet,
    target: str,
    charts: dict[str, Any],
    show_contents: bool,
    env: jinja2.Environment,
    extra: dict[str, Any],
    removed: Removed,
) -> str:
    notes = Notes()
    language = brief.info.language
    try:
        template = env.get_template(brief.audience.template)
        # The tool's own words, dates and numbers in the edition's language (charts drawn during
        # the render included); an environment may be reused for another language next.
        with i18n.use_language(language):
            i18n.install(env, language)
            html = template.render(
                brief=brief,
                target=target,
                charts=charts,
                notes=notes,
                cite_text=cite_text,
                show_contents=show_contents,
                **extra,
            )
        # The edition's typography (no-break spaces, quotation marks, "r." …) on every text printed.
        typeset = typeset_html(mark_languages(html), language)
        # The HTML brief is opened in a browser: whatever a template wrote, it runs and loads
        # nothing.  The print HTML goes to WeasyPrint, which runs no script and fetches only files
        # of the template folders (render_pdf.py).
        return inert_html(typeset, removed) if target == "html" else typeset
    except jinja2.TemplateSyntaxError as error:
        raise TemplateError(_describe(error, error.filename, error.lineno)) from None
    except jinja2.TemplateNotFound as error:
        searched = ", ".join(map(str, templates.folders))
        filename, line = _template_frame(error, templates.folders)
        missing = jinja2.TemplateNotFound(f"template not found: {error.name} (searched {searched})")
        raise TemplateError(_describe(missing, filename, line)) from None
    except TemplateError:
        raise
    except Exception as error:
        filename, line = _template_frame(error, templates.folders)
        raise TemplateError(_describe(error, filename, line)) from None


_TEMPLATE_SUFFIXES = (".html", ".j2", ".css", ".svg")


def _stopped_at(stopped: RenderStopped, env: jinja2.Environment) -> tuple[str | None, int | None]:
    """The template file and line a killed worker was at: its stack gives the line of the code
    the template compiled to, which compiling the template again maps back."""
    if stopped.where is None:
        return None, None
    filename, code_line = stopped.where
    try:
        source = Path(filename).read_text(encoding="utf-8")
        code = env.compile(source, filename=filename)
        template = env.template_class.from_code(env, code, env.make_globals(None), None)
        return filename, template.get_corresponding_lineno(code_line)
    except (OSError, UnicodeDecodeError, jinja2.TemplateError):
        return filename, None


def _jinja_frame(trace: types.TracebackType | None) -> tuple[str | None, int | None]:
    """The innermost frame of a traceback that runs a template's compiled code, as the template's
    file and line (without rewriting the traceback, as Jinja's error handling does)."""
    found: tuple[str | None, int | None] = (None, None)
    while trace is not None:
        template = trace.tb_frame.f_globals.get("__jinja_template__")
        if isinstance(template, jinja2.Template) and template.filename:
            found = (template.filename, template.get_corresponding_lineno(trace.tb_lineno))
        trace = trace.tb_next
    return found


def render_page(
    name: str,
    templates: TemplateSet,
    env: jinja2.Environment,
    language: str,
    removed: Removed | None = None,
    **context: Any,
) -> str:
    """Another page than a brief (the sources page), from template ``name``, in ``language``: under
    the same time limit, typography and cleaning as a brief's HTML (it is opened in a browser too);
    what the cleaning removed is counted in ``removed``."""
    try:
        if isinstance(env, Sandbox):
            env.start_clock()
        template = env.get_template(name)
        with i18n.use_language(language):
            i18n.install(env, language)
            html = template.render(**context)
        return inert_html(typeset_html(mark_languages(html), language), removed)
    except jinja2.TemplateSyntaxError as error:
        raise TemplateError(_describe(error, error.filename, error.lineno)) from None
    except TemplateError:
        raise
    except Exception as error:
        filename, line = _template_frame(error, templates.folders)
        raise TemplateError(_describe(error, filename, line)) from None


def _template_frame(error: BaseException, folders: Sequence[Path]) -> tuple[str | None, int | None]:
    """The innermost traceback frame that belongs to a template file."""
    roots = [str(folder.resolve()) for folder in folders]
    found: tuple[str | None, int | None] = (None, None)
    for frame, line in traceback.walk_tb(error.__traceback__):
        filename = frame.f_code.co_filename
        if any(filename.startswith(root) for root in roots) and filename.endswith(_TEMPLATE_SUFFIXES):
            found = (filename, line)
    return found


def _describe(error: BaseException, filename: str | None, line: int | None) -> str:
    message = getattr(error, "message", None) or str(error)
    if isinstance(error, SecurityError):
        message = f"not allowed in a template (templates run in a sandbox): {message}"
    elif isinstance(error, MemoryError):
        message = "the render ran out of memory: the template builds too much (a loop or repetition without bound?)"
    elif isinstance(error, RecursionError):
        message = "a macro, include or recursive loop calls itself too deeply (endless recursion?)"
    if filename is None:
        return f"template error: {message}"
    shown = _relative(filename)
    if line is None:
        return f"{shown}: template error: {message}"
    text = f"{shown}:{line}: template error: {message}"
    try:
        source_line = Path(filename).read_text(encoding="utf-8").splitlines()[line - 1]
        text += f"\n    {line} | {source_line.strip()}"
    except (OSError, IndexError):
        pass
    return text


def _relative(filename: str) -> str:
    # Not resolved: a file that is a link is named as the link, where the user put it.
    try:
        return str(Path(os.path.abspath(filename)).relative_to(Path.cwd().resolve()))
    except ValueError:
        return filename
