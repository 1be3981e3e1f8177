"""Read YAML safely and remember where every value came from.

PyYAML's ``safe_load`` silently keeps the last of two duplicate keys and loses
line numbers.  We compose the node tree with the safe loader instead, build the
Python values ourselves, and record each value's position so that later stages
can report ``file:line:column`` for any field.  Aliases are refused (they are
not needed in hand-written data and make "billion laughs" files possible).

Every text value and key is also checked for characters no output format may hold (see
``REFUSED``): each is reported at its ``file:line`` and removed from the value, so no later
stage, and no format, ever sees one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from briefing.dossier.schema import describe_char
from briefing.errors import Problem

# A path into loaded data: mapping keys and list indices, e.g. ("facts", 3, "figures").
DataPath = tuple[str | int, ...]

# libyaml's composer is about ten times faster and keeps the same marks; fall back if absent.
COMPOSER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

# Files larger than this are refused before parsing: no dossier needs more, and
# PyYAML's pure-Python parser would take minutes on much larger input.
MAX_FILE_BYTES = 20 * 1024 * 1024


# Characters refused in every text of every YAML file the tool reads:
# - the control characters XML 1.0 forbids (all of C0 but tab, line feed and carriage return):
#   Word's document.xml cannot hold them;
# - lone surrogates, which no UTF-8 file can hold;
# - the 66 noncharacters (U+FDD0-U+FDEF and the last two code points of every plane), which
#   XML refuses (U+FFFE, U+FFFF) or which the tool keeps for its own markers (U+FDD0-U+FDD2 mark
#   language spans inside a brief's text: written in data they would forge such spans).
_PLANE_ENDS = "".join(chr(plane * 0x10000 + low) for plane in range(17) for low in (0xFFFE, 0xFFFF))
REFUSED = re.compile(f"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufdd0-\ufdef{_PLANE_ENDS}]")
# Line and paragraph separators are line breaks to YAML 1.1, but most editors show none and most
# fonts draw them as an empty box.  Written as themselves they would silently change the structure
# the file seems to have (the rest of a folded statement becomes a new key), so they are refused;
# written as an escape ("\u2028") they are read as the plain line break they stand for.
_SEPARATORS = re.compile("[\u2028\u2029]")


def _refused_kind(ch: str) -> tuple[str, str]:
    """What a refused character is, and what to do about it."""
    code = ord(ch)
    if code < 0x20:
        return f"the control character {describe_char(ch)}", "remove it (only line breaks and tabs are allowed)"
    if 0xD800 <= code <= 0xDFFF:
        return f"the unpaired surrogate U+{code:04X}", "it is not a character: remove it"
    return (
        f"the noncharacter U+{code:04X}",
        "no document may hold it (the tool reserves some for its own markers): remove it",
    )


def refused_problem(text: str) -> str | None:
    """What is wrong with ``text`` if it holds a character ``REFUSED`` matches, else None."""
    found = REFUSED.search(text)
    if found is None:
        return None
    what, why = _refused_kind(found.group())
    more = len(REFUSED.findall(text, found.end()))
    also = f" (and {more} more such character{'s' if more != 1 else ''})" if more else ""
    return f"contains {what} at character {found.start() + 1}{also}: {why}"


@dataclass
class Origins:
    """Where each value of a merged document was written: file, line and column."""

    positions: dict[DataPath, tuple[str, int, int]] = field(default_factory=dict)
    # Where the key of each mapping entry is written (a value's position is where the value starts).
    key_positions: dict[DataPath, tuple[str, int, int]] = field(default_factory=dict)
    # Prefixes under which field names are shown relative to their own file.
    roots: dict[DataPath, str] = field(default_factory=dict)
    # Where a top-level key that is missing altogether belongs: "facts" in facts.yaml, say.
    home_files: dict[str, str] = field(default_factory=dict)
    fallback_file: str = "?"

    def locate(self, path: DataPath) -> tuple[str, int, int]:
        """The position of ``path``, or of its nearest ancestor that has one."""
        for end in range(len(path), 0, -1):
            if path[:end] in self.positions:
                return self.positions[path[:end]]
        first = path[0] if path else None
        return (self.home_files.get(str(first), self.fallback_file), 1, 1)

    def field_name(self, path: DataPath) -> str:
        """``path`` as a reader would write it, relative to the file it is in."""
        for end in range(len(path), -1, -1):
            if path[:end] in self.roots:
                path = path[end:]
                break
        text = ""
        for part in path:
            text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
        return text

    def problem(self, path: DataPath, message: str) -> Problem:
        file, line, column = self.locate(path)
        return Problem(file, line, column, self.field_name(path), message)


class _Builder:
    """Turns a composed YAML node tree into plain values, recording positions."""

    def __init__(self, display_name: str, origins: Origins, prefix: DataPath, text: str = "") -> None:
        self.display_name = display_name
        self.text = text
        self.origins = origins
        self.prefix = prefix
        self.problems: list[Problem] = []
        self.seen: set[int] = set()
        self.constructor = yaml.SafeLoader("")

    def _problem(self, node: yaml.Node, path: DataPath, message: str) -> None:
        mark = node.start_mark
        field_name = self.origins.field_name(self.prefix + path)
        self.problems.append(Problem(self.display_name, mark.line + 1, mark.column + 1, field_name, message))

    def build(self, node: yaml.Node, path: DataPath) -> Any:
        if id(node) in self.seen:
            self._problem(node, path, "anchors and aliases (&name, *name) are not supported: write the value out")
            return None
        self.seen.add(id(node))
        mark = node.start_mark
        self.origins.positions[self.prefix + path] = (self.display_name, mark.line + 1, mark.column + 1)
        if isinstance(node, yaml.MappingNode):
            return self._build_mapping(node, path)
        if isinstance(node, yaml.SequenceNode):
            return [self.build(item, path + (index,)) for index, item in enumerate(node.value)]
        try:
            value = self.constructor.construct_object(node, deep=True)
        except (ValueError, yaml.constructor.ConstructorError) as error:
            # e.g. an unquoted impossible date such as 2024-13-45, or an unsafe tag
            detail = getattr(error, "problem", None) or str(error)
            self._problem(node, path, f"cannot read {node.value!r} ({detail}): put the value in quotes")
            return None
        return self._clean(node, path, value) if isinstance(value, str) else value

    def _clean(self, node: yaml.Node, path: DataPath, text: str) -> str:
        """``text`` without the characters no format may hold, each value holding one reported."""
        if "\u2028" in text or "\u2029" in text:
            text = _SEPARATORS.sub("\n", text)
        problem = refused_problem(text)
        if problem is None:
            return text
        # Written as itself (not as an escape such as "\uFFFE"), the character's own line is shown.
        ch = REFUSED.search(text)
        start, end = node.start_mark.index, node.end_mark.index
        at = self.text.find(ch.group(), start, end) if ch and start < end <= len(self.text) else -1
        if at >= 0:
            line = self.text.count("\n", 0, at) + 1
            column = at - self.text.rfind("\n", 0, at)
            field_name = self.origins.field_name(self.prefix + path)
            self.problems.append(Problem(self.display_name, line, column, field_name, problem))
        else:
            self._problem(node, path, problem)
        return REFUSED.sub("", text)

    def _build_mapping(self, node: yaml.MappingNode, path: DataPath) -> dict[str, Any]:
        result: dict[str, Any] = {}
        first_lines: dict[str, int] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode) or key_node.tag == "tag:yaml.org,2002:merge":
                self._problem(key_node, path, "only plain text keys are supported (no merge keys or complex keys)")
                continue
            try:
                key = self.constructor.construct_object(key_node)
            except (ValueError, yaml.constructor.ConstructorError) as error:
                detail = getattr(error, "problem", None) or str(error)
                self._problem(key_node, path, f"cannot read key {key_node.value!r} ({detail}): put it in quotes")
                continue
            if not isinstance(key, str):
                self._problem(key_node, path, f"key {key_node.value!r} must be text: put it in quotes")
                continue
            key = self._clean(key_node, path, key)
            if key in result:
                self._problem(
                    key_node,
                    path + (key,),
                    f"duplicate key {key!r} (first written on line {first_lines[key]}); "
                    "YAML would silently keep only the last value",
                )
                continue
            first_lines[key] = key_node.start_mark.line + 1
            mark = key_node.start_mark
            self.origins.key_positions[self.prefix + path + (key,)] = (
                self.display_name,
                mark.line + 1,
                mark.column + 1,
            )
            result[key] = self.build(value_node, path + (key,))
        return result


# libyaml recurses once per nesting level and overflows the C stack (a crash, not an
# exception) somewhere past 20,000 levels; no dossier needs more than a handful.
MAX_FLOW_DEPTH = 1000
_BRACKETS = re.compile(r"[\[\]{}]")


# Composing YAML costs some 300 bytes a value before a single check runs (a 15 MB list of
# one-letter items took 7.9 GB): values are counted first, with libyaml's event parser, which
# holds nothing.  A 10,000-fact facts.yaml has about 280,000 values and 10,000 items in a list.
MAX_VALUES = 500_000
MAX_ITEMS = 50_000
_NODE_EVENTS = (yaml.ScalarEvent, yaml.SequenceStartEvent, yaml.MappingStartEvent, yaml.AliasEvent)


@dataclass
class _Open:
    """A list or mapping being counted: its field name, whether it is a list, nodes so far, last key."""

    name: str
    is_list: bool
    nodes: int = 0
    key: str = ""

    def child_name(self) -> str:
        if self.is_list:
            return f"{self.name}[{self.nodes - 1}]"
        return f"{self.name}.{self.key}" if self.name else self.key


def _count_exceeded(text: str) -> tuple[int, int, str, str] | None:
    """Where the file first holds too many values, or a list too many items: line, column, field, why."""
    values = 0
    open_collections: list[_Open] = []
    for event in yaml.parse(text, Loader=COMPOSER):
        if isinstance(event, _NODE_EVENTS):
            values += 1
            mark = event.start_mark
            line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
            top = open_collections[-1] if open_collections else None
            if values > MAX_VALUES:
                return line, column, top.name if top else "", f"the file holds more than {MAX_VALUES:,} values"
            if top is not None:
                top.nodes += 1
                if top.is_list and top.nodes > MAX_ITEMS:
                    return line, column, top.name, f"the list holds more than {MAX_ITEMS:,} items"
                if not top.is_list and top.nodes > 2 * MAX_ITEMS:
                    return line, column, top.name, f"the mapping holds more than {MAX_ITEMS:,} keys"
                if not top.is_list and top.nodes % 2 and isinstance(event, yaml.ScalarEvent):
                    top.key = str(event.value)[:100]
            if isinstance(event, yaml.CollectionStartEvent):
                name = top.child_name() if top else ""
                open_collections.append(_Open(name, isinstance(event, yaml.SequenceStartEvent)))
        elif isinstance(event, yaml.CollectionEndEvent) and open_collections:
            open_collections.pop()
    return None


def _flow_depth_exceeded(text: str) -> tuple[int, int] | None:
    """Line and column where ``[``/``{`` nesting first passes the limit, if it does."""
    depth = 0
    for match in _BRACKETS.finditer(text):
        depth = depth + 1 if match.group() in "[{" else max(depth - 1, 0)
        if depth > MAX_FLOW_DEPTH:
            line = text.count("\n", 0, match.start()) + 1
            return line, match.start() - text.rfind("\n", 0, match.start())
    return None


def _separator_problems(text: str, display_name: str) -> list[Problem]:
    """Each line or paragraph separator written as itself, at the line an editor shows it on."""
    problems = []
    for match in _SEPARATORS.finditer(text):
        at = match.start()
        line, column = text.count("\n", 0, at) + 1, at - text.rfind("\n", 0, at)
        message = (
            f"contains the {describe_char(match.group())}, which YAML reads as a line break although "
            "most editors show none: replace it with a line break or a space"
        )
        problems.append(Problem(display_name, line, column, "", message))
    return problems


def _reader_problem(text: str, display_name: str, error: yaml.reader.ReaderError) -> Problem:
    """A character YAML does not allow written as itself, at its line (the reader stops at its first)."""
    ch = chr(error.character) if isinstance(error.character, int) else str(error.character)[:1]
    at = text.find(ch) if ch else -1
    line = text.count("\n", 0, at) + 1 if at >= 0 else 1
    column = at - text.rfind("\n", 0, at) if at >= 0 else 1
    if ch and REFUSED.match(ch):
        what, why = _refused_kind(ch)
        message = f"contains {what}: {why}"
    else:
        message = f"contains the character {describe_char(ch or '?')}, which YAML does not allow: remove it"
    return Problem(display_name, line, column, "", message)


def load_yaml(path: Path, display_name: str, origins: Origins, prefix: DataPath = ()) -> tuple[Any, list[Problem]]:
    """Load one YAML file, recording positions in ``origins`` under ``prefix``.

    Returns the data (``None`` where it could not be read) and every problem found.
    """
    origins.roots[prefix] = display_name
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            limit = MAX_FILE_BYTES // (1024 * 1024)
            return None, [Problem(display_name, 1, 1, "", f"file is {size:,} bytes; the limit is {limit} MiB")]
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        return None, [Problem(display_name, 1, 1, "", f"not UTF-8 text ({error.reason} at byte {error.start})")]
    except OSError as error:
        return None, [Problem(display_name, 1, 1, "", f"cannot read file: {error.strerror}")]
    if "\u2028" in text or "\u2029" in text:
        return None, _separator_problems(text, display_name)
    too_deep = _flow_depth_exceeded(text)
    if too_deep:
        line, column = too_deep
        return None, [Problem(display_name, line, column, "", f"YAML is nested more than {MAX_FLOW_DEPTH} levels deep")]
    try:
        too_many = _count_exceeded(text)
        if too_many:
            line, column, field_name, why = too_many
            message = f"{why}: the limits are {MAX_VALUES:,} values a file and {MAX_ITEMS:,} items a list"
            return None, [Problem(display_name, line, column, field_name, message)]
        node = yaml.compose(text, Loader=COMPOSER)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        message = " ".join(part for part in (error.context, error.problem) if part)
        return None, [Problem(display_name, line, column, "", f"YAML syntax error: {message}")]
    except yaml.reader.ReaderError as error:
        return None, [_reader_problem(text, display_name, error)]
    except yaml.YAMLError as error:
        return None, [Problem(display_name, 1, 1, "", f"YAML error: {error}")]
    except RecursionError:
        return None, [Problem(display_name, 1, 1, "", "YAML is nested too deeply")]
    if node is None:
        return None, [Problem(display_name, 1, 1, "", "file is empty")]
    builder = _Builder(display_name, origins, prefix, text)
    try:
        data = builder.build(node, ())
    except RecursionError:
        return None, [Problem(display_name, 1, 1, "", "YAML is nested too deeply")]
    except yaml.constructor.ConstructorError as error:
        mark = error.problem_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        return None, [Problem(display_name, line, column, "", f"YAML error: {error.problem}")]

    return data, builder.problems
