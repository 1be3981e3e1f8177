"""A catalogue of bad inputs, data and templates, each refused the same way.

Together with the twelve cases of ``test_bad_data.py`` this makes well over thirty
distinct bad inputs.  Every case checks:

* the exit code: 1 for bad data or a bad template, 2 for a mistake in the command line;
* where the problem is: ``file:line:column`` for data (``file:line`` and the quoted
  source line for templates), with the line and column found by searching the
  mutated file, never written down as numbers;
* that briefs already in ``--out`` are byte for byte as they were (the folder is
  seeded with files whose contents a build could never produce, so a rewrite shows);
* that no temporary file (a name starting with '.' or ending in '.tmp') is left there.

Data cases also run ``generate check`` and expect the same problem at the same place.

Cases that show a product bug are kept, marked ``xfail(strict=True)`` with the reason
starting "BUG:", so they start failing (and must be unmarked) once the bug is fixed.
"""

from __future__ import annotations

import re
import socket
import textwrap
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import Result

import briefing.dossier.yamlload
from briefing.formats.render_html import DEFAULT_TEMPLATES

DATA = Path(__file__).resolve().parent.parent / "data"

# "  path:line:column: field: message", optionally prefixed "error: " (as ``check`` prints it).
DATA_PROBLEM = re.compile(r"^\s*(?:error: )?(?:Error: )?(?P<file>\S.*?):(?P<line>\d+):(?P<column>\d+): (?P<rest>.*)$")
# "Error: path:line: template error: message", then "    line | source line".
TEMPLATE_PROBLEM = re.compile(r"^(?:Error: )?(?P<file>\S.*?):(?P<line>\d+): template error: (?P<rest>.*)$")

EXTEND = '{% extends "default:base.html" %}\n'


# ---------------------------------------------------------------------------
# Reading the shipped data (independently of the product) to name fields
# ---------------------------------------------------------------------------


def _load(relpath: str) -> Any:
    with open(DATA / relpath, encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def _index(relpath: str, key: str, item_id: str) -> int:
    return [item["id"] for item in _load(relpath)[key]].index(item_id)


def _section(profile: str, section_id: str) -> int:
    return [s["id"] for s in _load(f"audiences/{profile}.yaml")["sections"]].index(section_id)


# ---------------------------------------------------------------------------
# Cases
# ---------------------------------------------------------------------------


@dataclass
class Expected:
    """What a case must produce."""

    fragments: tuple[str, ...]
    # Location: the file (None when the problem is not in a file), its line and column.
    file: Path | None = None
    line: int | None = None
    column: int | None = None
    # Field path the data problem names ("" for none; None: not checked).
    field: str | None = None
    # For template problems: the source line the message must quote.
    source: str | None = None
    exit_code: int = 1
    kind: str = "data"  # data | template | render | usage
    audiences: tuple[str, ...] = ("all",)
    output_format: str = "html"
    extra_args: tuple[str, ...] = ()
    # Called after the run: further checks (e.g. that no network connection was made).
    after: Callable[[], None] | None = None


class Ctx:
    """What a case arranges its bad input with: a dossier copy and a scratch folder."""

    def __init__(self, dossier: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        self.dossier = dossier
        self.tmp_path = tmp_path
        self.monkeypatch = monkeypatch
        self.cleanups: list[Callable[[], None]] = []

    # -- data ---------------------------------------------------------------

    def path(self, relpath: str) -> Path:
        return Path(self.dossier.file(relpath))

    def edit(self, relpath: str, old: str, new: str, after: str | None = None) -> int:
        """Replace ``old`` (the one occurrence, or the first after the unique ``after``) by ``new``;
        returns the 1-based line where ``old`` started."""
        text = self.path(relpath).read_text(encoding="utf-8")
        start = 0
        if after is not None:
            assert text.count(after) == 1, f"expected one {after!r} in {relpath}"
            start = text.index(after)
        else:
            assert text.count(old) == 1, f"expected one {old!r} in {relpath}, found {text.count(old)}"
        position = text.index(old, start)
        self.path(relpath).write_text(text[:position] + new + text[position + len(old) :], encoding="utf-8")
        return text.count("\n", 0, position) + 1

    def line_of(self, relpath: str, needle: str) -> int:
        text = self.path(relpath).read_text(encoding="utf-8")
        assert text.count(needle) == 1, f"expected one {needle!r} in {relpath}, found {text.count(needle)}"
        return text.count("\n", 0, text.index(needle)) + 1

    def column_of(self, relpath: str, line: int, needle: str) -> int:
        """1-based column of ``needle`` on ``line`` of the file as it is now."""
        text = self.path(relpath).read_text(encoding="utf-8").split("\n")[line - 1]
        assert needle in text, f"{needle!r} not on line {line} of {relpath}: {text!r}"
        return text.index(needle) + 1

    # -- templates ------------------------------------------------------------

    def templates(self, files: dict[str, str | bytes]) -> Path:
        folder = self.tmp_path / "overrides"
        for relpath, content in files.items():
            path = folder / relpath
            path.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, bytes):
                path.write_bytes(content)
            else:
                path.write_text(content, encoding="utf-8")
        return folder

    def template_line(self, folder: Path, relpath: str, needle: str) -> tuple[int, str]:
        lines = (folder / relpath).read_bytes().decode("utf-8", errors="replace").split("\n")
        found = [number for number, text in enumerate(lines, 1) if needle in text]
        assert len(found) == 1, f"expected one line with {needle!r} in {relpath}"
        return found[0], lines[found[0] - 1].strip()


@dataclass(frozen=True)
class Case:
    name: str
    arrange: Callable[[Ctx], Expected]
    bug: str | None = None


def data_case(name: str, bug: str | None = None) -> Callable[[Callable[[Ctx], Expected]], Case]:
    def register(function: Callable[[Ctx], Expected]) -> Case:
        case = Case(name, function, bug)
        CASES.append(case)
        return case

    return register


CASES: list[Case] = []


# --- YAML level --------------------------------------------------------------


@data_case("tab-indentation")
def _(c: Ctx) -> Expected:
    line = c.edit("programmes.yaml", "    name: K2 battle tank\n", "\tname: K2 battle tank\n")
    return Expected(("YAML syntax error", "tab"), c.path("programmes.yaml"), line, 1, "")


@data_case("bad-indentation")
def _(c: Ctx) -> Expected:
    line = c.edit("programmes.yaml", "    name: K2 battle tank\n", "      name: K2 battle tank\n")
    column = c.column_of("programmes.yaml", line, ": K2")
    return Expected(
        ("YAML syntax error", "mapping values are not allowed"), c.path("programmes.yaml"), line, column, ""
    )


@data_case("merge-key")
def _(c: Ctx) -> Expected:
    line = c.edit("programmes.yaml", "  - id: k9\n", "  - <<: {category: merged}\n    id: k9\n")
    column = c.column_of("programmes.yaml", line, "<<")
    field = f"programmes[{_index('programmes.yaml', 'programmes', 'k9')}]"
    return Expected(("no merge keys",), c.path("programmes.yaml"), line, column, field)


@data_case("anchor-and-alias")
def _(c: Ctx) -> Expected:
    c.edit(
        "programmes.yaml",
        "    system: K9 / K9PL\n    category: self-propelled howitzer\n",
        "    system: &sys K9 / K9PL\n    category: *sys\n",
    )
    # The alias is the same node as its anchor, so the problem is located at the anchored value
    # (line and column of "&sys"); the field named is the one that uses the alias.
    line = c.line_of("programmes.yaml", "&sys")
    column = c.column_of("programmes.yaml", line, "&sys")
    field = f"programmes[{_index('programmes.yaml', 'programmes', 'k9')}].category"
    return Expected(("anchors and aliases", "not supported"), c.path("programmes.yaml"), line, column, field)


@data_case("python-object-tag")
def _(c: Ctx) -> Expected:
    line = c.edit("programmes.yaml", "    system: K9 / K9PL\n", "    system: !!python/object:os.system K9\n")
    column = c.column_of("programmes.yaml", line, "!!python")
    field = f"programmes[{_index('programmes.yaml', 'programmes', 'k9')}].system"
    return Expected(
        ("cannot read 'K9'", "python/object:os.system", "quotes"), c.path("programmes.yaml"), line, column, field
    )


@data_case("impossible-unquoted-date")
def _(c: Ctx) -> Expected:
    line = c.edit("timeline.yaml", '    date: "1989-11-01"\n', "    date: 2024-13-45\n")
    column = c.column_of("timeline.yaml", line, "2024-13-45")
    field = f"timeline[{_index('timeline.yaml', 'timeline', 'ev-diplomatic-relations')}].date"
    return Expected(("cannot read '2024-13-45'", "month", "quotes"), c.path("timeline.yaml"), line, column, field)


@data_case("non-utf8-file")
def _(c: Ctx) -> Expected:
    path = c.path("programmes.yaml")
    raw = path.read_bytes()
    needle = b"K9 self-propelled howitzer"
    assert raw.count(needle) == 1
    offset = raw.index(needle) + len(needle)
    path.write_bytes(raw[:offset] + b" caf\xe9" + raw[offset:])  # Latin-1 e-acute
    bad_byte = offset + len(b" caf")
    return Expected(("not UTF-8", f"at byte {bad_byte}"), path, 1, 1, "")


@data_case("empty-file")
def _(c: Ctx) -> Expected:
    path = c.path("programmes.yaml")
    path.write_text("", encoding="utf-8")
    return Expected(("file is empty",), path, 1, 1, "")


@data_case("top-level-list")
def _(c: Ctx) -> Expected:
    path = c.path("programmes.yaml")
    items = _load("programmes.yaml")["programmes"]
    path.write_text(yaml.safe_dump(items, sort_keys=False), encoding="utf-8")
    return Expected(("must be a mapping",), path, 1, 1, "")


@data_case("file-over-the-size-limit")
def _(c: Ctx) -> Expected:
    # The real limit is 20 MiB (test_limits.py builds a 50 MB file); here the module's
    # constant is lowered, in this process only, to just above the largest shipped file,
    # and one file is padded past it, so the case runs in milliseconds.
    sizes = [path.stat().st_size for path in Path(c.dossier.root).rglob("*.yaml")]
    limit = max(sizes)
    c.monkeypatch.setattr(briefing.dossier.yamlload, "MAX_FILE_BYTES", limit)
    path = c.path("programmes.yaml")
    padding = limit + 1 - path.stat().st_size
    path.write_bytes(path.read_bytes() + b"#" * (padding - 1) + b"\n")
    size = path.stat().st_size
    assert size == limit + 1
    return Expected((f"file is {size:,} bytes", "limit"), path, 1, 1, "")


@data_case("same-top-level-key-in-two-files")
def _(c: Ctx) -> Expected:
    line = c.edit("timeline.yaml", "timeline:\n", "programmes:\n")
    return Expected(("already defined in", "programmes.yaml"), c.path("timeline.yaml"), line, 1, "programmes")


# --- Schema level ------------------------------------------------------------


@data_case("as-of-in-words")
def _(c: Ctx) -> Expected:
    line = c.edit(
        "facts.yaml", '        as_of: "2023"\n', '        as_of: "Oct 2024"\n', after='"exceeded $11 billion"'
    )
    column = c.column_of("facts.yaml", line, '"Oct 2024"')
    field = f"facts[{_index('facts.yaml', 'facts', 'trade-2023')}].figures[0].as_of"
    return Expected(("pattern",), c.path("facts.yaml"), line, column, field)


@data_case("credibility-out-of-range")
def _(c: Ctx) -> Expected:
    line = c.edit(
        "facts.yaml", "    credibility: 2\n", "    credibility: 7\n", after="  - id: strategic-partnerships-asia\n"
    )
    column = c.column_of("facts.yaml", line, "7")
    field = f"facts[{_index('facts.yaml', 'facts', 'strategic-partnerships-asia')}].credibility"
    return Expected(("1, 2, 3, 4, 5 or 6",), c.path("facts.yaml"), line, column, field)


@data_case("reliability-not-a-grade")
def _(c: Ctx) -> Expected:
    line = c.edit("sources.yaml", "    reliability: B\n", "    reliability: G\n")
    column = c.column_of("sources.yaml", line, "G")
    field = f"sources[{_index('sources.yaml', 'sources', 'pism-2024')}].reliability"
    return Expected(("'A', 'B', 'C', 'D', 'E' or 'F'",), c.path("sources.yaml"), line, column, field)


@data_case("id-with-spaces-and-capitals")
def _(c: Ctx) -> Expected:
    relpath = "audiences/industry.yaml"
    line = c.edit(relpath, "    id: production-in-poland\n", "    id: Production in Poland\n")
    column = c.column_of(relpath, line, "Production in Poland")
    field = f"sections[{_section('industry', 'production-in-poland')}].id"
    return Expected(("pattern",), c.path(relpath), line, column, field)


@data_case("key-points-too-few")
def _(c: Ctx) -> Expected:
    relpath = "audiences/industry.yaml"
    points = _load(relpath)["key_points"]
    assert len(points) > 2
    c.edit(relpath, "".join(f"  - {point}\n" for point in points), "".join(f"  - {point}\n" for point in points[:2]))
    # A list is located where it starts: its first item, on the line after "key_points:".
    line = c.line_of(relpath, "key_points:\n") + 1
    assert c.column_of(relpath, line, f"- {points[0]}") == 3
    return Expected(("at least 3 items", "not 2"), c.path(relpath), line, 3, "key_points")


@data_case("on-in-a-text-field")
def _(c: Ctx) -> Expected:
    line = c.edit("programmes.yaml", "    category: battle tank\n", "    category: on\n")
    column = c.column_of("programmes.yaml", line, "on")
    field = f"programmes[{_index('programmes.yaml', 'programmes', 'k2')}].category"
    return Expected(("valid string", "yes-or-no", "quotes"), c.path("programmes.yaml"), line, column, field)


@data_case("yes-in-a-profile-text-field")
def _(c: Ctx) -> Expected:
    relpath = "audiences/parliament.yaml"
    line = c.edit(relpath, "marking: UNCLASSIFIED\n", "marking: yes\n")
    return Expected(("valid string", "yes-or-no"), c.path(relpath), line, c.column_of(relpath, line, "yes"), "marking")


@data_case("figure-text-read-as-a-number")
def _(c: Ctx) -> Expected:
    line = c.edit("facts.yaml", '        text: "exceeded $11 billion"\n', "        text: 1.10\n")
    column = c.column_of("facts.yaml", line, "1.10")
    field = f"facts[{_index('facts.yaml', 'facts', 'trade-2023')}].figures[0].text"
    return Expected(("valid string", "as a number", "quotes"), c.path("facts.yaml"), line, column, field)


# --- Text hygiene: one-line fields, control characters, sizes ------------------------
# A value with a line break in a one-line field reaches e-mail headers, the running header and
# the stamp; control characters and bidirectional overrides reach the HTML and the PDF.


@data_case("newline-in-short-title")
def _(c: Ctx) -> Expected:
    line = c.edit(
        "dossier.yaml",
        'short_title: "Poland–South Korea defence cooperation"',
        'short_title: "Poland–South Korea\\nBcc: evil@example.com"',
    )
    column = c.column_of("dossier.yaml", line, '"Poland')
    return Expected(("must be one line", "U+000A"), c.path("dossier.yaml"), line, column, "dossier.short_title")


@data_case("newline-in-edition")
def _(c: Ctx) -> Expected:
    line = c.edit("dossier.yaml", 'edition: "1"', 'edition: "1\\r\\nBcc: evil@example.com"')
    column = c.column_of("dossier.yaml", line, '"1')
    return Expected(("must be one line", "U+000D"), c.path("dossier.yaml"), line, column, "dossier.edition")


@data_case("bidi-override-in-a-statement")
def _(c: Ctx) -> Expected:
    # U+202E written as itself (YAML allows it): the statement would display reversed from here on.
    c.edit(
        "facts.yaml",
        "      According to Statistics Poland, the value",
        "      According to Statistics Poland, the \u202eeulav",
    )
    line = c.line_of("facts.yaml", "  - id: trade-2023\n") + 1
    column = c.column_of("facts.yaml", line, ">-")
    field = f"facts[{_index('facts.yaml', 'facts', 'trade-2023')}].statement"
    return Expected(("bidirectional control U+202E",), c.path("facts.yaml"), line, column, field)


@data_case("escape-sequence-in-a-section-title")
def _(c: Ctx) -> Expected:
    relpath = "audiences/industry.yaml"
    line = c.edit(
        relpath,
        "    title: Production in Poland and technology transfer\n",
        '    title: "\\e[2J\\e[31mProduction in Poland"\n',
    )
    field = f"sections[{_section('industry', 'production-in-poland')}].title"
    return Expected(("U+001B (ESC)",), c.path(relpath), line, c.column_of(relpath, line, '"'), field)


@data_case("bel-in-a-marking")
def _(c: Ctx) -> Expected:
    relpath = "audiences/parliament.yaml"
    line = c.edit(relpath, "marking: UNCLASSIFIED\n", 'marking: "UNCLASSIFIED\\a"\n')
    return Expected(("U+0007 (BEL)",), c.path(relpath), line, c.column_of(relpath, line, '"'), "marking")


@data_case("nul-in-a-quote")
def _(c: Ctx) -> Expected:
    # Prose may break lines, but no other control character passes.
    old = (
        "        quote: >-\n"
        "          The impetus for the development of economic contacts was primarily the\n"
        "          accession of Poland to the European Union in 2004 and the subsequent\n"
        "          implementation of the EU-South Korea Free Trade Agreement in 2011.\n"
    )
    line = c.edit("facts.yaml", old, '        quote: "The impetus\\0 for the development\\nof economic contacts"\n')
    column = c.column_of("facts.yaml", line, '"The')
    fact = [fact for fact in _load("facts.yaml")["facts"] if "The impetus" in fact["cites"][0]["quote"]]
    field = f"facts[{_index('facts.yaml', 'facts', fact[0]['id'])}].cites[0].quote"
    return Expected(("U+0000 (NUL)", "only line breaks and tabs"), c.path("facts.yaml"), line, column, field)


@data_case("tab-in-a-figure-unit")
def _(c: Ctx) -> Expected:
    line = c.edit("facts.yaml", "        unit: USD billion\n", '        unit: "USD\\tbillion"\n', after='"exceeded $11')
    column = c.column_of("facts.yaml", line, '"USD')
    field = f"facts[{_index('facts.yaml', 'facts', 'trade-2023')}].figures[1].unit"
    return Expected(("U+0009 (tab)",), c.path("facts.yaml"), line, column, field)


@data_case("statement-over-the-size-limit")
def _(c: Ctx) -> Expected:
    # One character over the limit for prose: refused at once, with the limit named.
    old = "  - id: trade-2023\n    statement: >-\n"
    long = ("Trade " * 1667)[:10_001]
    line = c.edit("facts.yaml", old, f"  - id: trade-2023\n    statement: {long}\n    note: >-\n") + 1
    field = f"facts[{_index('facts.yaml', 'facts', 'trade-2023')}].statement"
    return Expected(
        ("is 10,001 characters long", "limit for this field is 10,000 characters"),
        c.path("facts.yaml"),
        line,
        c.column_of("facts.yaml", line, "Trade"),
        field,
    )


# --- References ----------------------------------------------------------------


@data_case("conflicts-with-points-nowhere")
def _(c: Ctx) -> Expected:
    line = c.edit(
        "facts.yaml",
        "    conflicts_with: [deals-2022-value-commentary]\n",
        "    conflicts_with: [deals-2022-value-nowhere]\n",
    )
    column = c.column_of("facts.yaml", line, "deals-2022-value-nowhere")
    field = f"facts[{_index('facts.yaml', 'facts', 'deals-2022-value-pism')}].conflicts_with[0]"
    return Expected(
        ("unknown fact 'deals-2022-value-nowhere'", "did you mean 'deals-2022-value-commentary'"),
        c.path("facts.yaml"),
        line,
        column,
        field,
    )


@data_case("key-point-names-unknown-id")
def _(c: Ctx) -> Expected:
    relpath = "audiences/industry.yaml"
    points = _load(relpath)["key_points"]
    position = points.index("sea-delivery-distance")
    line = c.edit(relpath, "  - sea-delivery-distance\n", "  - sea-delivery-distanse\n", after="key_points:\n")
    return Expected(
        ("unknown item 'sea-delivery-distanse'", "did you mean 'sea-delivery-distance'"),
        c.path(relpath),
        line,
        c.column_of(relpath, line, "sea-delivery-distanse"),
        f"key_points[{position}]",
    )


@data_case("section-names-unknown-fact")
def _(c: Ctx) -> Expected:
    relpath = "audiences/industry.yaml"
    section = _section("industry", "mro-and-exports")
    position = _load(relpath)["sections"][section]["facts"].index("distribution-hub-pact")
    line = c.edit(relpath, "      - distribution-hub-pact\n", "      - distribution-hub-pakt\n")
    return Expected(
        ("unknown fact 'distribution-hub-pakt'", "did you mean 'distribution-hub-pact'"),
        c.path(relpath),
        line,
        c.column_of(relpath, line, "distribution-hub-pakt"),
        f"sections[{section}].facts[{position}]",
    )


@data_case("profile-names-missing-template")
def _(c: Ctx) -> Expected:
    relpath = "audiences/industry.yaml"
    line = c.edit(relpath, "page_budget: 6\n", "page_budget: 6\ntemplate: glossy.html\n") + 1
    return Expected(
        ("no template 'glossy.html'",), c.path(relpath), line, c.column_of(relpath, line, "glossy.html"), "template"
    )


@data_case("section-tag-not-declared")
def _(c: Ctx) -> Expected:
    relpath = "audiences/ministry.yaml"
    section = _section("ministry", "watch")  # the ministry's one section chosen by tags
    tags = _load(relpath)["sections"][section]["tags"]
    position = tags.index("political-risk")
    old = f"    tags: [{', '.join(tags)}]\n"
    line = c.edit(relpath, old, old.replace("political-risk", "political-rysk"))
    return Expected(
        ("unknown tag 'political-rysk'", "dossier.tags", "did you mean 'political-risk'"),
        c.path(relpath),
        line,
        c.column_of(relpath, line, "political-rysk"),
        f"sections[{section}].tags[{position}]",
    )


@data_case("duplicate-section-id")
def _(c: Ctx) -> Expected:
    relpath = "audiences/industry.yaml"
    line = c.edit(relpath, "    id: mro-and-exports\n", "    id: production-in-poland\n")
    return Expected(
        ("duplicate section id 'production-in-poland'",),
        c.path(relpath),
        line,
        c.column_of(relpath, line, "production-in-poland"),
        f"sections[{_section('industry', 'mro-and-exports')}].id",
    )


@data_case("dossier-names-missing-template-folder")
def _(c: Ctx) -> Expected:
    line = c.edit("dossier.yaml", "dossier:\n", "dossier:\n  templates: [letterheads]\n") + 1
    return Expected(
        ("no such folder", "letterheads"),
        c.path("dossier.yaml"),
        line,
        c.column_of("dossier.yaml", line, "letterheads"),
        "dossier.templates[0]",
    )


# --- Command line ----------------------------------------------------------------


@data_case("unknown-audience")
def _(c: Ctx) -> Expected:
    return Expected(
        ("unknown audience 'cabinet'", "industry", "ministry", "parliament", "all"),
        exit_code=2,
        kind="usage",
        audiences=("cabinet",),
    )


@data_case("templates-folder-does-not-exist")
def _(c: Ctx) -> Expected:
    missing = c.tmp_path / "no-such-templates"
    return Expected(
        ("--templates", str(missing), "does not exist"),
        exit_code=2,
        kind="usage",
        audiences=("industry",),
        extra_args=("--templates", str(missing)),
    )


# --- Templates (HTML stage) -------------------------------------------------------


def template_case(
    name: str, relpath: str, content: str | bytes, needle: str, fragments: tuple[str, ...], bug: str | None = None
) -> None:
    """An override folder with one bad file; the problem must be at the line holding ``needle``."""

    def arrange(c: Ctx) -> Expected:
        folder = c.templates({relpath: content})
        line, source = c.template_line(folder, relpath, needle)
        return Expected(
            fragments,
            folder / relpath,
            line,
            None,
            # A file that cannot be decoded cannot be quoted.
            source=source if isinstance(content, str) else None,
            kind="template",
            audiences=("industry",),
            extra_args=("--templates", str(folder)),
        )

    CASES.append(Case(name, arrange, bug))


template_case(
    "template-syntax-error",
    "brief.html",
    EXTEND + '{% block lead %}\n<p class="lead">{{ brief.audience.name </p>\n{% endblock %}\n',
    "{{ brief.audience.name </p>",
    ("unexpected",),
)
template_case(
    "template-attribute-typo",
    "brief.html",
    EXTEND + '{% block lead %}\n<p class="lead">{{ brief.audience.nmae }}</p>\n{% endblock %}\n',
    "nmae",
    ("no attribute 'nmae'",),
)
template_case(
    "section-template-undefined-variable",
    "sections/programmes.html",
    '{% import "macros.html" as m with context %}\n<h2>\n{{ heading }}\n</h2>\n',
    "{{ heading }}",
    ("'heading' is undefined",),
)
template_case(
    "template-unknown-filter",
    "brief.html",
    EXTEND + '{% block lead %}\n<p class="lead">{{ brief.audience.name|shout }}</p>\n{% endblock %}\n',
    "|shout",
    ("no filter named 'shout'",),
)
template_case(
    "template-includes-itself",
    "sections/programmes.html",
    '<div>\n{% include "sections/programmes.html" %}\n</div>\n',
    "{% include",
    ("recursion",),
)
template_case(
    "template-not-utf8",
    "sections/programmes.html",
    b"<h2>\n<p>caf\xe9 {{ view.title }}</p>\n</h2>\n",
    "caf",
    ("utf-8",),
)
# Templates are sandboxed: reaching Python's internals, changing what a template was given, or
# getting hold of a file-system path is a template error (tests/test_sandbox.py has more).
template_case(
    "template-reaches-python-internals",
    "brief.html",
    EXTEND + "{% block lead %}\n{{ cycler.__init__.__globals__.os.popen('id').read() }}\n{% endblock %}\n",
    "cycler.__init__",
    ("not allowed in a template", "'__init__'"),
)
template_case(
    "template-changes-a-list-it-was-given",
    "brief.html",
    EXTEND + "{% block lead %}\n{% do notes.entries.clear() %}\n{% endblock %}\n",
    "notes.entries.clear",
    ("not allowed in a template", "'clear'"),
)
template_case(
    "template-reaches-a-file-system-path",
    "brief.html",
    EXTEND + "{% block lead %}\n{{ charts.draw.font_dir.parent }}\n{% endblock %}\n",
    "font_dir",
    ("not allowed in a template", "'font_dir'"),
)


@data_case("dossier-template-folder-outside-the-dossier")
def _(c: Ctx) -> Expected:
    outside = c.tmp_path / "outside-templates"
    outside.mkdir()
    (outside / "brief.html").write_text(EXTEND, encoding="utf-8")
    line = c.edit("dossier.yaml", "dossier:\n", 'dossier:\n  templates: ["../../outside-templates"]\n') + 1
    return Expected(
        ("outside the dossier folder",),
        c.path("dossier.yaml"),
        line,
        c.column_of("dossier.yaml", line, '"../'),
        "dossier.templates[0]",
    )


@data_case("template-includes-missing-file")
def _(c: Ctx) -> Expected:
    # The product names the missing template and the folders searched, but not the file and
    # line of the {% include %}: that is checked (as a known bug) in the test below the catalogue.
    folder = c.templates(
        {"brief.html": EXTEND + '{% block lead %}\n{% include "nothing-here.html" %}\n{% endblock %}\n'}
    )
    return Expected(
        ("template not found: nothing-here.html", str(folder), str(DEFAULT_TEMPLATES)),
        kind="render",
        audiences=("industry",),
        extra_args=("--templates", str(folder)),
    )


# --- Templates (PDF stage): resources outside the template folders are refused ------


def pdf_case(name: str, files: Callable[[Ctx], tuple[dict[str, str | bytes], str]], after: Any = None) -> None:
    def arrange(c: Ctx) -> Expected:
        contents, url = files(c)
        folder = c.templates(contents)
        return Expected(
            ("PDF render stopped", "refused to fetch", repr(url)),
            kind="render",
            audiences=("industry",),
            output_format="pdf",
            extra_args=("--templates", str(folder)),
            after=after(c) if after else None,
        )

    CASES.append(Case(name, arrange))


def _in_lead(html: str) -> str:
    return EXTEND + "{% block lead %}\n{{ super() }}\n" + html + "\n{% endblock %}\n"


def _in_head(html: str) -> str:
    return EXTEND + "{% block head %}\n{{ super() }}\n" + html + "\n{% endblock %}\n"


pdf_case(
    "pdf-image-from-etc-passwd",
    lambda c: ({"brief.html": _in_lead('<img src="file:///etc/passwd" alt="">')}, "file:///etc/passwd"),
)
pdf_case(
    "pdf-attachment-from-etc-hostname",
    lambda c: ({"brief.html": _in_head('<link rel="attachment" href="file:///etc/hostname">')}, "file:///etc/hostname"),
)


class _Listener:
    """A TCP port on 127.0.0.1 that records whether anything connected to it."""

    def __init__(self) -> None:
        self.socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.socket.bind(("127.0.0.1", 0))
        self.socket.listen(8)
        self.socket.setblocking(False)
        self.port = self.socket.getsockname()[1]

    def connections(self) -> int:
        count = 0
        while True:
            try:
                connection, _ = self.socket.accept()
            except BlockingIOError:
                return count
            connection.close()
            count += 1


def _stylesheet_over_http(c: Ctx) -> tuple[dict[str, str | bytes], str]:
    listener = _Listener()
    c.listener = listener  # type: ignore[attr-defined]
    c.cleanups.append(listener.socket.close)
    url = f"http://127.0.0.1:{listener.port}/x.css"
    return {"brief.html": _in_head(f'<link rel="stylesheet" href="{url}">')}, url


def _no_connection(c: Ctx) -> Callable[[], None]:
    def check() -> None:
        assert c.listener.connections() == 0, "the renderer connected to the network"  # type: ignore[attr-defined]

    return check


pdf_case("pdf-stylesheet-over-http", _stylesheet_over_http, after=_no_connection)


def _css_url_outside(c: Ctx) -> tuple[dict[str, str | bytes], str]:
    # An override static/brief.css whose url() climbs out of the template folders to a file
    # that exists.  The override's static/ folder links the shipped fonts, because an override
    # static/ folder without them cannot build any PDF (see the xfail test below).
    secret = c.tmp_path / "outside" / "secret.png"
    secret.parent.mkdir(parents=True)
    secret.write_bytes(b"\x89PNG\r\n\x1a\n not for the brief")
    css = (DEFAULT_TEMPLATES / "static" / "brief.css").read_text(encoding="utf-8")
    css += '\n.lead { background: url("../../outside/secret.png"); }\n'
    folder = c.templates({"static/brief.css": css})
    (folder / "static" / "fonts").symlink_to(DEFAULT_TEMPLATES / "static" / "fonts", target_is_directory=True)
    assert (folder / "static" / "../../outside/secret.png").resolve() == secret.resolve()
    return {}, secret.resolve().as_uri()


pdf_case("pdf-css-url-outside-the-template-folders", _css_url_outside)


# ---------------------------------------------------------------------------
# The test
# ---------------------------------------------------------------------------


def _params() -> Iterator[Any]:
    for case in CASES:
        marks = [pytest.mark.xfail(strict=True, reason=case.bug)] if case.bug else []
        yield pytest.param(case, id=case.name, marks=marks)


def test_catalogue_size() -> None:
    """With the twelve cases of test_bad_data.py, at least thirty distinct bad inputs."""
    names = [case.name for case in CASES]
    assert len(set(names)) == len(names)
    assert len([case for case in CASES if not case.bug]) + 12 >= 30


@pytest.fixture
def earlier_out(tmp_path: Path, profiles: dict[str, Any], dossier_id: str) -> tuple[Path, dict[str, bytes]]:
    """An output folder holding every brief a build could write, with contents no build produces."""
    out = tmp_path / "out"
    out.mkdir()
    for audience in profiles:
        for extension in ("html", "pdf"):
            name = f"{dossier_id}-{audience}.{extension}"
            (out / name).write_bytes(f"earlier {name}, not to be touched\n".encode())
    return out, _snapshot(out)


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in sorted(folder.iterdir())}


def _found(pattern: re.Pattern[str], output: str, path: Path, line: int) -> list[dict[str, str]]:
    matches = [m.groupdict() for text in output.splitlines() if (m := pattern.match(text))]
    return [m for m in matches if int(m["line"]) == line and Path(m["file"]).resolve() == path.resolve()]


def assert_data_problem(output: str, expected: Expected) -> None:
    assert expected.file is not None and expected.line is not None
    at_line = _found(DATA_PROBLEM, output, expected.file, expected.line)
    assert at_line, f"no problem reported at {expected.file}:{expected.line} in:\n{output}"
    if expected.column is not None:
        at_line = [p for p in at_line if int(p["column"]) == expected.column]
        assert at_line, f"no problem at column {expected.column} of {expected.file}:{expected.line} in:\n{output}"
    if expected.field:
        at_line = [p for p in at_line if p["rest"].startswith(f"{expected.field}: ")]
        assert at_line, f"field {expected.field!r} not named at {expected.file}:{expected.line} in:\n{output}"
    elif expected.field == "":
        # A problem with no field: "file:line:column: message".
        at_line = [p for p in at_line if not re.match(r"^[\w.\[\]-]+: ", p["rest"])]
        assert at_line, f"expected a problem with no field name at {expected.file}:{expected.line} in:\n{output}"
    matching = [p for p in at_line if all(f.lower() in p["rest"].lower() for f in expected.fragments)]
    assert matching, f"{expected.fragments} not in the problems at {expected.file}:{expected.line}:\n{output}"


def assert_template_problem(output: str, expected: Expected) -> None:
    assert expected.file is not None and expected.line is not None
    found = _found(TEMPLATE_PROBLEM, output, expected.file, expected.line)
    assert len(found) == 1, f"no template error at {expected.file}:{expected.line} in:\n{output}"
    rest = found[0]["rest"].lower()
    for fragment in expected.fragments:
        assert fragment.lower() in rest, f"{fragment!r} not in {found[0]['rest']!r}"
    # The offending line is quoted under the message.
    assert expected.source is None or f"    {expected.line} | {expected.source}" in output.splitlines(), output


@pytest.mark.parametrize("case", list(_params()))
def test_bad_input_is_refused_with_its_location(
    case: Case,
    cli: Callable[..., Result],
    make_dossier: Callable[[], Any],
    earlier_out: tuple[Path, dict[str, bytes]],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    out, before = earlier_out
    ctx = Ctx(make_dossier(), tmp_path, monkeypatch)
    try:
        expected = case.arrange(ctx)
        audiences = [arg for audience in expected.audiences for arg in ("--audience", audience)]
        result = cli(
            "brief",
            *audiences,
            "--format",
            expected.output_format,
            "--out",
            out,
            "--data",
            ctx.dossier.root,
            *expected.extra_args,
        )

        assert result.exit_code == expected.exit_code, result.output
        assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
        assert "Traceback" not in result.output
        assert "wrote " not in result.stdout, "nothing may be reported as written"
        assert _snapshot(out) == before, "earlier briefs changed, or files were added"
        leftovers = [p.name for p in out.iterdir() if p.name.startswith(".") or p.name.endswith(".tmp")]
        assert leftovers == [], f"temporary files left in --out: {leftovers}"
        if expected.after:
            expected.after()

        if expected.kind == "data":
            assert_data_problem(result.output, expected)
            checked = cli("check", "--data", ctx.dossier.root)
            assert checked.exit_code == 1, checked.output
            assert_data_problem(checked.output, expected)
        elif expected.kind == "template":
            assert_template_problem(result.output, expected)
        for fragment in expected.fragments:
            assert fragment.lower() in result.output.lower(), f"{fragment!r} not in:\n{result.output}"
    finally:
        for cleanup in ctx.cleanups:
            cleanup()


# ---------------------------------------------------------------------------
# Known bugs found while writing the catalogue (each fails today)
# ---------------------------------------------------------------------------


def test_missing_include_names_the_including_file_and_line(
    cli: Callable[..., Result], tmp_path: Path, repo_root: Path
) -> None:
    folder = tmp_path / "overrides"
    folder.mkdir()
    brief = folder / "brief.html"
    brief.write_text(EXTEND + '{% block lead %}\n{% include "nothing-here.html" %}\n{% endblock %}\n', "utf-8")
    line = brief.read_text(encoding="utf-8").split("\n").index('{% include "nothing-here.html" %}') + 1
    result = cli(
        "brief",
        "-a",
        "industry",
        "--format",
        "html",
        "--out",
        tmp_path / "out",
        "--data",
        repo_root / "data",
        "--templates",
        folder,
    )
    assert result.exit_code == 1, result.output
    assert _found(TEMPLATE_PROBLEM, result.output, brief, line), result.output


def test_problem_in_first_file_keeps_its_place_when_a_second_file_redefines_the_key(
    cli: Callable[..., Result], make_dossier: Callable[[], Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ctx = Ctx(make_dossier(), tmp_path, monkeypatch)
    # A required field missing from the first programme: located at that programme's "- id: k2".
    ctx.edit("programmes.yaml", "    system: K2 / K2PL\n", "")
    line = ctx.line_of("programmes.yaml", "  - id: k2\n")
    ctx.edit("timeline.yaml", "timeline:\n", "programmes:\n")
    result = cli("check", "--data", ctx.dossier.root)
    assert result.exit_code == 1, result.output
    field = f"programmes[{_index('programmes.yaml', 'programmes', 'k2')}].system"
    assert_data_problem(result.output, Expected(("required",), ctx.path("programmes.yaml"), line, None, field))


def test_override_of_brief_css_alone_still_builds_a_pdf(cli: Callable[..., Result], tmp_path: Path) -> None:
    repo_root = Path(__file__).resolve().parent.parent
    folder = tmp_path / "overrides"
    (folder / "static").mkdir(parents=True)
    css = (DEFAULT_TEMPLATES / "static" / "brief.css").read_text(encoding="utf-8")
    (folder / "static" / "brief.css").write_text(css + "\n.lead { color: #222; }\n", encoding="utf-8")
    out = tmp_path / "out"
    result = cli(
        "brief",
        "-a",
        "industry",
        "--format",
        "pdf",
        "--out",
        out,
        "--data",
        repo_root / "data",
        "--templates",
        folder,
    )
    assert result.exit_code == 0, result.output
    assert [p.suffix for p in out.iterdir()] == [".pdf"]


def test_catalogue_helpers_find_what_they_should() -> None:
    """The location helpers reject a wrong line or column (so the catalogue can fail)."""
    output = textwrap.dedent(
        """\
        Error: 1 problem in the dossier:
          /x/data/facts.yaml:12:7: facts[0].credibility: Input should be 1, 2, 3, 4, 5 or 6
        """
    )
    good = Expected(("1, 2, 3",), Path("/x/data/facts.yaml"), 12, 7, "facts[0].credibility")
    assert_data_problem(output, good)
    for wrong in (
        Expected(good.fragments, good.file, 13, 7, good.field),
        Expected(good.fragments, good.file, 12, 8, good.field),
        Expected(good.fragments, Path("/x/data/other.yaml"), 12, 7, good.field),
        Expected(good.fragments, good.file, 12, 7, "facts[1].credibility"),
        Expected(("'A', 'B'",), good.file, 12, 7, good.field),
    ):
        with pytest.raises(AssertionError):
            assert_data_problem(output, wrong)


def test_template_helper_finds_what_it_should() -> None:
    output = "Error: /x/overrides/brief.html:3: template error: 'heading' is undefined\n    3 | {{ heading }}\n"
    good = Expected(("undefined",), Path("/x/overrides/brief.html"), 3, None, source="{{ heading }}", kind="template")
    assert_template_problem(output, good)
    for wrong in (
        Expected(good.fragments, good.file, 4, None, source=good.source),
        Expected(good.fragments, Path("/x/overrides/base.html"), 3, None, source=good.source),
        Expected(good.fragments, good.file, 3, None, source="{{ header }}"),
        Expected(("no filter",), good.file, 3, None, source=good.source),
    ):
        with pytest.raises(AssertionError):
            assert_template_problem(output, wrong)
