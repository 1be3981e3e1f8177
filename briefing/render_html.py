"""Stage 4: render a brief to HTML with Jinja2.

Templates are found on a search path: override folders first, then the shipped
``templates/``.  ``{% extends "default:base.html" %}`` always names the shipped
file, so an override can change one block and inherit the rest.  Autoescaping
is on for every template whatever its name, and an undefined variable is an
error, not a silent blank.
"""

from __future__ import annotations

import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup

from .errors import TemplateError
from .schema import CREDIBILITY_LABELS, RELIABILITY_LABELS
from .select import Brief, Cite, Claim, date_label

DEFAULT_TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
SECTION_FOLDER = "sections"


@dataclass(frozen=True)
class TemplateSet:
    """The template search path: overrides first, the shipped defaults last."""

    overrides: tuple[Path, ...] = ()
    default: Path = DEFAULT_TEMPLATES

    @property
    def folders(self) -> tuple[Path, ...]:
        return (*self.overrides, self.default)

    @property
    def static_folders(self) -> tuple[Path, ...]:
        return tuple(folder / "static" for folder in self.folders)

    def environment(self, record: set[str] | None = None) -> jinja2.Environment:
        """A Jinja2 environment on this search path; names of templates and static files
        it reads are added to ``record`` (what a rendered brief depends on)."""
        search = _TextLoader([str(folder) for folder in self.folders])
        default = jinja2.PrefixLoader({"default": _TextLoader(str(self.default))}, delimiter=":")
        loader: jinja2.BaseLoader = jinja2.ChoiceLoader([default, search])
        if record is not None:
            loader = _RecordingLoader(loader, record)
        env = jinja2.Environment(
            loader=loader,
            autoescape=True,
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
            extensions=["jinja2.ext.do"],
        )
        env.filters.update(
            date_label=date_label, reliability=RELIABILITY_LABELS.get, credibility=CREDIBILITY_LABELS.get
        )

        def static_text(name: str) -> Markup:
            if record is not None:
                record.add("static/" + name)
            return Markup(self.read_static(name))  # our own CSS, not user data

        env.globals["static_text"] = static_text
        return env

    def resolve(self, name: str) -> Path | None:
        """The file a template name resolves to on the search path ("default:" names the shipped one)."""
        if name.startswith("default:"):
            path = self.default / name.removeprefix("default:")
            return path if path.is_file() else None
        return next((folder / name for folder in self.folders if (folder / name).is_file()), None)

    def read_static(self, name: str) -> str:
        """A text file from a ``static/`` folder on the search path, and from nowhere else."""
        for folder in self.static_folders:
            path = (folder / name).resolve()
            if not path.is_relative_to(folder.resolve()):
                raise TemplateError(f"static file {name!r} is outside the static folders")
            if path.is_file():
                return path.read_text(encoding="utf-8")
        raise TemplateError(f"static file {name!r} not found in {', '.join(map(str, self.static_folders))}")

    def names(self) -> list[str]:
        return sorted(
            {
                name
                for folder in self.folders
                if folder.is_dir()
                for name in jinja2.FileSystemLoader(str(folder)).list_templates()
            }
        )

    def section_kinds(self) -> set[str]:
        prefix = SECTION_FOLDER + "/"
        return {
            name[len(prefix) : -len(".html")]
            for name in self.names()
            if name.startswith(prefix) and name.endswith(".html")
        }


class _TextLoader(jinja2.FileSystemLoader):
    """A FileSystemLoader whose error for a file that is not UTF-8 names that file."""

    def get_source(self, environment: jinja2.Environment, template: str) -> tuple[str, str, Callable[[], bool]]:
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


def cite_text(cite: Cite) -> str:
    """A footnote's words for one citation: the source as the Sources list names it, and where in it."""
    source = cite.source
    name = source.series or source.title
    parts = [part for part in (name, date_label(source.date) if source.date else None, cite.locator) if part]
    return ", ".join(parts)


def render_html(
    brief: Brief,
    templates: TemplateSet,
    target: str,
    charts: dict[str, Any],
    show_contents: bool = True,
    env: jinja2.Environment | None = None,
) -> str:
    """The brief as one self-contained HTML document, for the browser or for the PDF renderer.

    Pass ``env`` (from ``templates.environment()``) to reuse compiled templates across renders.
    """
    env = env or templates.environment()
    notes = Notes()
    try:
        template = env.get_template(brief.audience.template)
        return template.render(
            brief=brief, target=target, charts=charts, notes=notes, cite_text=cite_text, show_contents=show_contents
        )
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


def _template_frame(error: BaseException, folders: Sequence[Path]) -> tuple[str | None, int | None]:
    """The innermost traceback frame that belongs to a template file."""
    roots = [str(folder.resolve()) for folder in folders]
    found: tuple[str | None, int | None] = (None, None)
    for frame, line in traceback.walk_tb(error.__traceback__):
        filename = frame.f_code.co_filename
        if any(filename.startswith(root) for root in roots) and filename.endswith((".html", ".j2", ".css", ".svg")):
            found = (filename, line)
    return found


def _describe(error: BaseException, filename: str | None, line: int | None) -> str:
    message = getattr(error, "message", None) or str(error)
    if filename is None or line is None:
        return f"template error: {message}"
    shown = _relative(filename)
    text = f"{shown}:{line}: template error: {message}"
    try:
        source_line = Path(filename).read_text(encoding="utf-8").splitlines()[line - 1]
        text += f"\n    {line} | {source_line.strip()}"
    except (OSError, IndexError):
        pass
    return text


def _relative(filename: str) -> str:
    try:
        return str(Path(filename).resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return filename
