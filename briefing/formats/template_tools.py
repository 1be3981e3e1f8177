"""Working with templates: which file each audience uses, copying a default to
customise it, and the reference of what a template can use (generated from the
code, so it cannot drift from it)."""

from __future__ import annotations

import dataclasses
import os
import shutil
import typing
from dataclasses import dataclass
from pathlib import Path

import jinja2.filters
from jinja2 import nodes

from briefing.dossier.schema import Dossier
from briefing.errors import BriefingError
from briefing.formats.render_html import SECTION_FOLDER, TemplateSet


@dataclass(frozen=True)
class TemplateEntry:
    name: str
    path: Path
    origin: str  # "override" or "default"
    used_by: tuple[str, ...]  # audience ids


def list_templates(templates: TemplateSet, dossier: Dossier | None) -> list[TemplateEntry]:
    """Every template on the search path, where it comes from, and which audiences use it."""
    users: dict[str, list[str]] = {}
    if dossier is not None:
        shared = ["base.html", "macros.html", "chart.html", "static/brief.css", "static/screen.css", "static/print.css"]
        for audience in dossier.audiences:
            kinds = [f"{SECTION_FOLDER}/{section.kind}.html" for section in audience.sections]
            for name in dict.fromkeys([audience.template, *shared, *kinds]):
                users.setdefault(name, []).append(audience.id)
    entries = []
    for name in templates.names():
        if not name.endswith((".html", ".css", ".svg", ".j2")):
            continue  # fonts and licences are not templates
        folder = next(folder for folder in templates.folders if (folder / name).is_file())
        origin = "default" if folder == templates.default else "override"
        entries.append(TemplateEntry(name, folder / name, origin, tuple(users.get(name, []))))
    return entries


def copy_template(templates: TemplateSet, name: str, target: Path) -> Path:
    """Copy the shipped template ``name`` into ``target`` to start customising it.

    ``name`` must be one the listing shows (so never ``..``, an absolute path or a link out of
    the template folders), and the copy must land inside ``target``, links resolved.
    """
    shipped = TemplateSet(default=templates.default)
    known = shipped.names()
    source = shipped.resolve(name)
    if name not in known or source is None:
        raise BriefingError(f"no shipped template {name!r}; choose one of: {', '.join(known)}")
    destination = target / name
    if os.path.lexists(destination):
        raise BriefingError(f"{destination} already exists; edit it, or remove it to copy the default again")
    if not destination.resolve().is_relative_to(target.resolve()):
        # A folder on the way is a link leading out of the target folder.
        raise BriefingError(f"{destination} would be written outside {target} (through a link); not copied")
    try:
        destination.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise BriefingError(f"cannot create {destination.parent}: {error.strerror}") from None
    try:
        shutil.copyfile(source, destination)
    except OSError as error:
        raise BriefingError(f"cannot write {destination}: {error.strerror}") from None
    return destination


# --- The template reference -------------------------------------------------------------


def _type_name(annotation: object) -> str:
    text = annotation if isinstance(annotation, str) else getattr(annotation, "__name__", str(annotation))
    for prefix in ("typing.", "briefing.view.model.", "briefing.view.changes.", "briefing.dossier.schema."):
        text = str(text).replace(prefix, "")
    return str(text)


def _describe_class(cls: type) -> list[str]:
    lines = [f"### `{cls.__name__}`", ""]
    doc = (cls.__doc__ or "").strip().splitlines()
    if doc and not doc[0].startswith(cls.__name__ + "("):
        lines += [doc[0], ""]
    lines += ["| attribute | type |", "|---|---|"]
    if dataclasses.is_dataclass(cls):
        hints = {f.name: f.type for f in dataclasses.fields(cls)}
    else:
        hints = {name: field.annotation for name, field in cls.model_fields.items()}  # type: ignore[attr-defined]
    for name, annotation in hints.items():
        lines.append(f"| `{name}` | `{_type_name(annotation)}` |")
    for name, member in vars(cls).items():
        if isinstance(member, property):
            returns = typing.get_type_hints(member.fget).get("return", "") if member.fget else ""
            lines.append(f"| `{name}` (property) | `{_type_name(returns)}` |")
        elif callable(member) and not name.startswith("_") and name not in hints:
            lines.append(f"| `{name}(…)` (method) | see `{cls.__module__.replace('.', '/')}.py` |")
    return [*lines, ""]


def _macros(templates: TemplateSet) -> list[str]:
    env = templates.environment()
    source = env.loader.get_source(env, "macros.html")[0]  # type: ignore[union-attr]
    tree = env.parse(source)
    lines = ["| macro | arguments |", "|---|---|"]
    for macro in tree.find_all(nodes.Macro):
        args = [arg.name for arg in macro.args]
        defaults = [None] * (len(args) - len(macro.defaults)) + list(macro.defaults)
        shown = [
            a if d is None else f"{a}={d.as_const() if isinstance(d, nodes.Const) else '…'}"
            for a, d in zip(args, defaults, strict=True)
        ]
        lines.append(f"| `m.{macro.name}` | `{', '.join(shown)}` |")
    return lines


def template_reference(templates: TemplateSet | None = None) -> str:
    """Markdown reference of the template context: variables, their types, filters, macros."""
    from briefing.formats import render_html
    from briefing.view import model

    templates = templates or TemplateSet()
    env = templates.environment()
    context = [
        ("brief", "Brief", "everything the brief says, chosen for its audience"),
        ("target", "str", '`"html"` or `"pdf"`: which output is being rendered'),
        ("notes", "Notes", "footnote collector; `m.cite(claim)` adds to it"),
        ("charts", "dict", "`charts.draw.deliveries()` and `charts.draw.comparison(c)` return a `Chart` or none"),
        ("cite_text", "function", "`cite_text(cite)`: a footnote's words for one `Cite`"),
        ("show_contents", "bool", "whether to print the contents list (false for short PDFs)"),
        ("signed_by", "str or none", "who signs the published PDF (`generate publish --sign`): the colophon says so"),
        ("passages", "Passages", '`passages.link(cite)`: where a note\'s citation leads (`m.cited(c)`), or `""`'),
        ("static_text", "function", "`static_text(name)`: a file from `static/` as text (CSS)"),
    ]
    own_filters = sorted(set(env.filters) - set(jinja2.filters.FILTERS))
    lines = [
        "# Template reference",
        "",
        "Generated from the code by `generate templates reference`; a test fails if this file",
        "is out of date. Templates are Jinja2, autoescaped, with undefined names as errors.",
        "",
        "## Variables",
        "",
        "| name | type | what it is |",
        "|---|---|---|",
        *[f"| `{name}` | `{kind}` | {what} |" for name, kind, what in context],
        "",
        "In a section template (`sections/<kind>.html`) `view` is the `SectionView` being drawn.",
        "`base.html` sets `terms = brief.term_expander()`: `terms.expand(text)` returns the text escaped,",
        "with each abbreviation of the dossier's `terms` spelt out where it is first used.",
        "",
        "## Filters (besides Jinja2's own)",
        "",
        *[f"- `{name}`" for name in own_filters],
        "",
        '## Macros (`{% import "macros.html" as m with context %}`)',
        "",
        *_macros(templates),
        "",
        "## Types",
        "",
    ]
    for cls in (
        model.Brief,
        model.SectionView,
        model.Claim,
        model.Cite,
        model.ProgrammeRow,
        model.Comparison,
        model.WatchItem,
        render_html.Notes,
    ):
        lines += _describe_class(cls)
    lines += [
        "The data types (`Audience`, `Section`, `DossierInfo`, `Source`, `Fact`, `Figure`, `ThreatPerception`,",
        "`Divergence`, `Recommendation`, `Event`, `Question`, `Judgement`, `Term`) are the models in",
        "`briefing/dossier/schema.py`;",
        "a `Claim`'s `item` is one of them.",
        "",
        "## Blocks of `base.html`",
        "",
        *[f"- `{name}`" for name in _blocks(templates)],
        "",
    ]
    return "\n".join(lines)


def _blocks(templates: TemplateSet) -> list[str]:
    env = templates.environment()
    source = env.loader.get_source(env, "base.html")[0]  # type: ignore[union-attr]
    return [block.name for block in env.parse(source).find_all(nodes.Block)]
