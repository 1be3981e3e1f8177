"""Verification: every quote is found in the source it cites, every figure in its quote.

Run by ``pipeline.load`` after validation, so ``generate check`` reports what is
wrong and no brief is built from a dossier that misquotes its sources.  The rules:

- each source's ``file`` is a file inside the dossier folder (symlinks resolved), or
  ``file: null`` with a ``no_file_reason`` (an interview, a meeting): the quotes of such
  a source cannot be verified and ``check`` counts them;
- each quote is found in the text of its source (plain text or Markdown, HTML with scripts
  and styles dropped, PDF page by page), after ``normalise`` (compatibility characters,
  typographic quotes and dashes, soft hyphens, line-end hyphenation, Markdown escapes such
  as ``\\$``) and ignoring white space, the spaces around a dash and a hyphen between two
  letters; "…" or "..." joins verbatim fragments, found in order.  Where a fragment is not
  found, the message shows the closest passage of the source, so a typo is easy to see;
- for a PDF, a locator naming pages ("p. 4", "pp. 4–5", "page 4") must name the pages the
  quote is on (by page number or by printed page label);
- each figure's ``text`` is found, as whole words, in a quote of its own fact, and its
  ``value`` is a number written in that text, read with the rules of the quote's language
  (its source's ``language``, else the dossier's; ``briefing/languages/numbers.py``): as
  written, or scaled: "$16.6 billion" is 16.6 or 16.6e9, "16,6 mld zł" 16.6 or 16.6e9,
  "45%" is 45 or 0.45; "1,000" is a thousand in English, "1 234,5" is 1234.5 in Polish;
  "two" and "trzy" count; words such as "over"/"ponad", "up to"/"do", "almost"/"prawie"
  qualify the number and do not change it.

Extracting text from a PDF or HTML file is the slow part: it is cached by the file's SHA-256
in the user cache and memoised in the process.  The cache only ever affects matching, is
checked for shape before use, and a cache that cannot be read or written is ignored.
"""

from __future__ import annotations

import bisect
import difflib
import hashlib
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from briefing.build.output import read_cached, write_cached
from briefing.dossier.schema import Dossier, Figure, Source
from briefing.dossier.yamlload import DataPath, Origins
from briefing.errors import Problem
from briefing.languages import numbers
from briefing.languages.numbers import read_numbers

# Bump when extraction changes, so cached text from older code is not used.
EXTRACTION_VERSION = 1
# No source document needs more; a larger file is refused rather than parsed.
MAX_SOURCE_BYTES = 100 * 1024 * 1024
# Memoised extractions kept in one process (the preview server loads again on every save).
MEMO_LIMIT = 512

TEXT_SUFFIXES = {".txt", ".text", ".md", ".markdown"}
HTML_SUFFIXES = {".html", ".htm", ".xhtml"}


# ---------------------------------------------------------------------------
# Normalising text
# ---------------------------------------------------------------------------

_MARKDOWN_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")  # "\$" -> "$": Markdown escapes ASCII punctuation
_DASHES = "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d"
# One character for another: typographic quotes and dashes made plain; soft hyphens and
# zero-width characters dropped (a soft hyphen only shows where a line breaks).
_PLAIN = str.maketrans(
    dict.fromkeys("\u2018\u2019\u201a\u201b\u2032\u00b4", "'")
    | dict.fromkeys("\u201c\u201d\u201e\u201f\u2033\u00ab\u00bb", '"')
    | dict.fromkeys(_DASHES, "-")
    | dict.fromkeys("\u00ad\u200b\u200c\u200d\u2060\ufeff", None)
)
# A word broken at the end of a line: "defen-\nce" -> "defence" (lower-case continuation only;
# "Anglo-\nSaxon" keeps its hyphen).
_LINE_END_HYPHEN = re.compile(r"([^\W\d_])-[ \t]*\r?\n\s*(?=[^\W\d_])")
# For matching only: a dash with the spaces around it, and a hyphen between letters, are not
# significant ("long-\nterm" may be a broken word or a compound; "war — and" may be "war—and").
_SPACED_DASH = re.compile(r" ?- ?")
_LETTER_HYPHEN = re.compile(r"(?<=[^\W\d_])-(?=[^\W\d_])")
_ELLIPSIS = re.compile(r"\s*(?:\u2026|\.\.\.)\s*")


def _join_broken_word(match: re.Match[str]) -> str:
    following = match.string[match.end() : match.end() + 1]
    return match.group(1) if following.islower() else match.group(1) + "-"


def normalise(text: str) -> str:
    """``text`` as it reads: compatibility characters, quotes, dashes, white space and breaks made plain."""
    # Each step is skipped where it has nothing to do: a large dossier normalises many quotes.
    if not unicodedata.is_normalized("NFKC", text):
        text = unicodedata.normalize("NFKC", text)  # ligatures ("ﬁ"), no-break spaces, full-width forms
    if "\\" in text:
        text = _MARKDOWN_ESCAPE.sub(r"\1", text)
    text = text.translate(_PLAIN)
    if "-" in text and "\n" in text:
        text = _LINE_END_HYPHEN.sub(_join_broken_word, text)
    return " ".join(text.split())


def words_key(normalised: str) -> str:
    """``normalise``'s output with the dashes and hyphens that may differ made alike."""
    return _LETTER_HYPHEN.sub("", _SPACED_DASH.sub("-", normalised)) if "-" in normalised else normalised


def match_key(normalised: str) -> str:
    """The form in which quotes and sources are compared (from ``normalise``'s output).

    White space is left out altogether: text extracted from a PDF may lose the space
    between two words or gain one inside a word, and no quote is changed by a space alone.
    """
    return words_key(normalised).replace(" ", "")


def quote_fragments(quote: str) -> list[str]:
    """The verbatim parts of a quote: "…" or "..." marks words left out."""
    return [part for part in _ELLIPSIS.split(normalise(quote)) if part.strip()]


# ---------------------------------------------------------------------------
# Numbers in a figure's text
# ---------------------------------------------------------------------------

def stated_numbers(text: str, language: str = "en") -> list[float]:
    """Every value ``text`` states, read with the rules of ``language``: each number as written
    and, where a scale follows it, scaled ("16,6 mld" in Polish: 16.6 and 1.66e10).

    Qualifiers such as "over"/"ponad", "up to"/"do", "almost"/"prawie" are words around the
    number and do not change it; a number written as a word ("two", "trzy") counts too.
    """
    return [value for number in read_numbers(normalise(text), language) for value in number.values]


def states_value(text: str, value: float, language: str = "en") -> bool:
    return numbers.states_value(normalise(text), value, language)


def _value_problem(figure: Figure, language: str) -> str:
    """Why ``figure.value`` is not the number in ``figure.text``: what the reader found, and how
    it read it, without proposing a number of its own."""
    found = read_numbers(normalise(figure.text), language)
    read = f"read with the number rules of {language!r}"
    if not found:
        return f"{figure.value} is not the number in {figure.text!r}: no number could be read in it ({read})"
    listed = "; ".join(numbers.describe(number, language) for number in found)
    return f"{figure.value} is not the number in {figure.text!r} ({read}, it has: {listed})"


# ---------------------------------------------------------------------------
# Page locators
# ---------------------------------------------------------------------------

_PAGES = re.compile(rf"\b(?:pp?\.|pages?)\s*(\d+)(?:\s*[{_DASHES}-]\s*(\d+))?", re.IGNORECASE)


def locator_pages(locator: str) -> tuple[int, int] | None:
    """The first and last page a locator names ("p. 4", "pp. 4–5", "page 4"), if it names any."""
    match = _PAGES.search(locator)
    if not match:
        return None
    first = int(match[1])
    last = int(match[2]) if match[2] else first
    return (first, last) if last >= first else (last, first)


# ---------------------------------------------------------------------------
# Reading sources
# ---------------------------------------------------------------------------


class SourceReadError(Exception):
    """A source file cannot be read as text; the message says why."""


@dataclass(frozen=True)
class Extracted:
    """The raw text of a source document, one entry per page (one page unless a PDF)."""

    kind: str  # "text", "html" or "pdf"
    pages: tuple[str, ...]
    # The printed page label of each PDF page ("iv", "12"), where the file defines one.
    labels: tuple[str, ...] = ()


@dataclass
class Document:
    """A source document, normalised for reading and for matching."""

    extracted: Extracted
    pages: list[str] = field(default_factory=list)  # normalised, for showing passages
    key: str = ""  # every page's match key, joined by single spaces
    starts: list[int] = field(default_factory=list)  # where each page starts in ``key``

    @classmethod
    def of(cls, extracted: Extracted) -> Document:
        document = cls(extracted)
        offset = 0
        keys = []
        for page in extracted.pages:
            text = normalise(page)
            document.pages.append(text)
            document.starts.append(offset)
            keys.append(match_key(text))
            offset += len(keys[-1]) + 1
        document.key = " ".join(keys)
        return document

    def pages_of(self, start: int, end: int) -> range:
        """The page indices (0-based) that the key span ``start:end`` lies on."""
        first = bisect.bisect_right(self.starts, start) - 1
        last = bisect.bisect_right(self.starts, max(start, end - 1)) - 1
        return range(max(first, 0), max(last, 0) + 1)

    def page_numbers(self, first: int, last: int) -> list[int]:
        """0-based indices of the pages numbered ``first``-``last``, by position or by printed label."""
        chosen = []
        for index in range(len(self.pages)):
            label = self.extracted.labels[index] if index < len(self.extracted.labels) else ""
            by_label = label.isdigit() and first <= int(label) <= last
            if first <= index + 1 <= last or by_label:
                chosen.append(index)
        return chosen


class _TextOfHTML(HTMLParser):
    # Elements that end a line of text: their words must not run into the next element's.
    BLOCKS = frozenset(
        {"address", "article", "aside", "blockquote", "br", "caption", "dd", "div", "dl", "dt", "figcaption"}
        | {"figure", "footer", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "li", "main", "nav", "ol"}
        | {"p", "pre", "section", "table", "tbody", "td", "tfoot", "th", "thead", "title", "tr", "ul"}
    )
    HIDDEN = frozenset({"script", "style", "template", "noscript"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.HIDDEN:
            self.hidden += 1
        elif tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in self.HIDDEN:
            self.hidden = max(self.hidden - 1, 0)
        elif tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.hidden:
            self.parts.append(data)


def html_text(markup: str) -> str:
    """The visible text of an HTML document: tags, scripts and styles dropped, entities decoded."""
    parser = _TextOfHTML()
    parser.feed(markup)
    parser.close()
    return "".join(parser.parts)


_MARKDOWN_LINK = re.compile(r"!?\[([^\]\n]*)\]\([^)\n]*\)")
_MARKDOWN_STRONG = re.compile(r"\*\*|__")


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise SourceReadError(
            f"not UTF-8 text ({error.reason} at byte {error.start}); a source is read as text, Markdown, HTML or PDF"
        ) from None


def _kind(path: Path, data: bytes) -> str:
    suffix = path.suffix.lower()
    if suffix == ".pdf" or data.startswith(b"%PDF-"):
        return "pdf"
    if suffix in HTML_SUFFIXES:
        return "html"
    return "text"


def _extract(path: Path, data: bytes) -> Extracted:
    kind = _kind(path, data)
    if kind == "pdf":
        return _extract_pdf(data)
    text = _decode(data)
    if kind == "html":
        return Extracted("html", (html_text(text),))
    if path.suffix.lower() in {".md", ".markdown"}:
        # Links and bold markers split the words a reader sees; the other escapes are normalised.
        text = _MARKDOWN_STRONG.sub("", _MARKDOWN_LINK.sub(r"\1", text))
    return Extracted("text", (text,))


def _extract_pdf(data: bytes) -> Extracted:
    import io
    import logging

    import pypdf

    # pypdf logs its complaints about damaged files; what matters is whether text comes out.
    logger = logging.getLogger("pypdf")
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        reader = pypdf.PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            raise SourceReadError("the PDF is encrypted: save an unencrypted copy")
        pages = tuple(page.extract_text() or "" for page in reader.pages)
        labels = tuple(str(label) for label in reader.page_labels)
    except SourceReadError:
        raise
    except Exception as error:  # a damaged or hostile PDF can fail in many ways inside pypdf
        raise SourceReadError(f"cannot read the PDF ({type(error).__name__}: {error})") from None
    finally:
        logger.setLevel(level)
    if not any(page.strip() for page in pages):
        raise SourceReadError("the PDF has no extractable text (a scan?): quotes cannot be verified")
    return Extracted("pdf", pages, labels)


def _cached(digest: str) -> Extracted | None:
    """The extraction stored for ``digest``, if the cache holds a well-formed one."""
    stored = read_cached("text", digest)
    if not isinstance(stored, dict) or stored.get("version") != EXTRACTION_VERSION:
        return None
    kind, pages, labels = stored.get("kind"), stored.get("pages"), stored.get("labels")
    if kind not in {"text", "html", "pdf"} or not isinstance(pages, list) or not isinstance(labels, list):
        return None
    if not all(isinstance(page, str) for page in pages) or not all(isinstance(label, str) for label in labels):
        return None
    return Extracted(kind, tuple(pages), tuple(labels))


def _store(digest: str, extracted: Extracted) -> None:
    body = {"version": EXTRACTION_VERSION, "kind": extracted.kind, "pages": extracted.pages, "labels": extracted.labels}
    write_cached("text", digest, body)


_memo: dict[str, Document] = {}


def read_source(path: Path) -> Document:
    """The text of the source file at ``path``; raises ``SourceReadError`` if it has none."""
    try:
        size = path.stat().st_size
        if size > MAX_SOURCE_BYTES:
            raise SourceReadError(f"file is {size:,} bytes; the limit is {MAX_SOURCE_BYTES // 2**20} MiB")
        data = path.read_bytes()
    except OSError as error:
        raise SourceReadError(f"cannot read the file: {error.strerror}") from None
    digest = hashlib.sha256(data).hexdigest()
    memo_key = f"{digest}:{_kind(path, data)}:{path.suffix.lower()}"
    if memo_key in _memo:
        return _memo[memo_key]
    kind = _kind(path, data)
    # Plain text is read as fast as a cache entry would be; only extraction is worth caching.
    extracted = _cached(digest) if kind != "text" else None
    if extracted is None or extracted.kind != kind:
        extracted = _extract(path, data)
        if kind != "text":
            _store(digest, extracted)
    document = Document.of(extracted)
    if len(_memo) >= MEMO_LIMIT:
        _memo.clear()
    _memo[memo_key] = document
    return document


# ---------------------------------------------------------------------------
# Finding quotes
# ---------------------------------------------------------------------------


# Texts longer than this are searched for a quote's closest passage near its own words first.
_DIFFLIB_LIMIT = 20_000


def _anchor(text: str, fragment: str) -> int | None:
    """Where in ``text`` the fragment most likely starts: the start most of its runs of words agree on."""
    words = fragment.split(" ")
    starts, offset = [], 0
    for word in words:
        starts.append(fragment.index(word, offset))
        offset = starts[-1] + len(word)
    for size in (3, 2, 1):
        votes: dict[int, int] = {}
        for first in range(len(words) - size + 1):
            run = " ".join(words[first : first + size])
            if size == 1 and len(run) < 5:
                continue  # a short word alone is found everywhere
            found, seen = text.find(run), 0
            while found >= 0 and seen < 50:
                votes[found - starts[first]] = votes.get(found - starts[first], 0) + 1
                found, seen = text.find(run, found + 1), seen + 1
        if votes:
            return max(0, max(votes, key=lambda start: votes[start]))
    return None


def closest_passage(text: str, fragment: str) -> tuple[str, float]:
    """The passage of ``text`` most like ``fragment``, and how alike they are (0-1).

    The longest block the two share anchors a window of the fragment's length; the window
    is then trimmed to the part that matches and widened to whole words.
    """
    if not text or not fragment:
        return "", 0.0
    if len(text) > _DIFFLIB_LIMIT:
        # difflib over a long text takes seconds per quote: look only where the quote's words are.
        anchor = _anchor(text, fragment)
        if anchor is None:
            return "", 0.0
        low = max(anchor - len(fragment) - 200, 0)
        return closest_passage(text[low : anchor + 2 * len(fragment) + 200], fragment)
    matcher = difflib.SequenceMatcher(None, text, fragment, autojunk=False)
    block = matcher.find_longest_match(0, len(text), 0, len(fragment))
    start = max(block.a - block.b, 0)
    end = min(start + len(fragment) + 20, len(text))
    start = max(start - 20, 0)
    window = text[start:end]
    aligned = difflib.SequenceMatcher(None, window, fragment, autojunk=False)
    blocks = [b for b in aligned.get_matching_blocks() if b.size]
    if blocks:
        end = start + blocks[-1].a + blocks[-1].size
        start += blocks[0].a
    while start > 0 and not text[start - 1].isspace():
        start -= 1
    while end < len(text) and not text[end].isspace():
        end += 1
    passage = text[start:end]
    return passage, difflib.SequenceMatcher(None, passage, fragment, autojunk=False).ratio()


def _first_difference(passage: str, fragment: str) -> str:
    """Where the fragment first departs from the passage, as "quote 'x', source 'y'"."""
    opcodes = difflib.SequenceMatcher(None, passage, fragment, autojunk=False).get_opcodes()
    for tag, a1, a2, b1, b2 in opcodes:
        if tag == "equal":
            continue
        # Widen to whole words on both sides so the reader sees the words that differ.
        while a1 > 0 and not passage[a1 - 1].isspace():
            a1 -= 1
        while a2 < len(passage) and not passage[a2].isspace():
            a2 += 1
        while b1 > 0 and not fragment[b1 - 1].isspace():
            b1 -= 1
        while b2 < len(fragment) and not fragment[b2].isspace():
            b2 += 1
        return f"the quote has {fragment[b1:b2]!r} where the source has {passage[a1:a2]!r}"
    return ""


def _shorten(text: str, limit: int = 300) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


@dataclass
class Verification:
    """What verification found: problems (errors) and the quotes no file can confirm."""

    problems: list[Problem] = field(default_factory=list)
    # (source id, number of quotes citing it, the reason it has no file), per source without a file.
    unverifiable: list[tuple[str, int, str]] = field(default_factory=list)
    quotes_verified: int = 0

    @property
    def unverifiable_quotes(self) -> int:
        return sum(count for _, count, _ in self.unverifiable)


def cited_items(dossier: Dossier) -> Iterator[tuple[str, int, Any]]:
    """Every item that cites sources: its list's name, its index there, and the item."""
    for name in type(dossier).model_fields:
        items = getattr(dossier, name)
        if isinstance(items, list):
            for index, item in enumerate(items):
                if hasattr(item, "cites"):
                    yield name, index, item


def source_path(root: Path, source: Source) -> tuple[Path | None, str]:
    """The file of ``source`` inside ``root``, or ``None`` and why it is not acceptable."""
    if source.file is None:
        return None, "no file"
    written = Path(source.file)
    if written.is_absolute():
        return None, f"{source.file!r} must be a path relative to the dossier folder"
    try:
        folder = root.resolve(strict=True)
        path = (root / written).resolve()
    except (OSError, RuntimeError) as error:  # RuntimeError: a symlink loop
        return None, f"cannot resolve {source.file!r}: {error}"
    if not path.is_relative_to(folder):
        return None, f"{source.file!r} is outside the dossier folder ({path}); copy the source into the dossier"
    if not path.exists():
        return None, f"no such file: {source.file!r} (looked for {path})"
    if not path.is_file():
        return None, f"{source.file!r} is not a file"
    return path, ""


def _find_fragments(document: Document, fragments: list[str], pages: list[int] | None) -> tuple[int, int, int] | None:
    """Find each fragment after the previous one, only on ``pages`` if given.

    Returns None if all are found, else (fragment index, key start, key end) of the search
    region where the first missing fragment was looked for.
    """
    if pages is None:
        region = [(0, len(document.key))]
    else:
        region = []
        for page in pages:
            end = document.starts[page + 1] - 1 if page + 1 < len(document.starts) else len(document.key)
            if region and region[-1][1] + 1 == document.starts[page]:
                region[-1] = (region[-1][0], end)  # consecutive pages are searched as one span
            else:
                region.append((document.starts[page], end))
    missing = 0
    for start, end in region:
        position = start
        for index, fragment in enumerate(fragments):
            key = match_key(fragment)
            found = document.key.find(key, position, end)
            if found < 0:
                missing = index
                break
            position = found + len(key)
        else:
            return None
    return (missing, region[0][0], region[-1][1])


def _pages_holding(document: Document, fragments: list[str]) -> list[int] | None:
    """The 0-based pages on which the fragments are found in order, or None."""
    position = 0
    pages: list[int] = []
    for fragment in fragments:
        key = match_key(fragment)
        found = document.key.find(key, position)
        if found < 0:
            return None
        pages.extend(page for page in document.pages_of(found, found + len(key)) if page not in pages)
        position = found + len(key)
    return pages


def _page_list(numbers: list[int]) -> str:
    shown = [str(n + 1) for n in sorted(numbers)]
    return ("p. " if len(shown) == 1 else "pp. ") + ", ".join(shown)


def _quote_problem(document: Document, display: str, quote: str, locator: str) -> tuple[str, str] | None:
    """The field at fault and why, if ``quote`` (cited with ``locator``) is not confirmed by ``document``."""
    fragments = quote_fragments(quote)
    if not fragments:
        return "quote", "the quote has no words to look for"
    pages = None
    named = locator_pages(locator) if document.extracted.kind == "pdf" else None
    if named is not None:
        pages = document.page_numbers(*named)
        if not pages:
            count = len(document.pages)
            return "locator", f"the locator names page(s) {named[0]}–{named[1]}, but {display} has {count} page(s)"
    missing = _find_fragments(document, fragments, pages)
    if missing is None:
        return None
    if pages is not None:
        elsewhere = _pages_holding(document, fragments)
        if elsewhere is not None:
            where = _page_list(elsewhere)
            return "locator", f"the quote is on {where} of {display}, not on the page(s) the locator names"
    index, start, end = missing
    fragment = fragments[index]
    what = "quote" if len(fragments) == 1 else f"part {index + 1} of {len(fragments)} of the quote"
    if document.key.find(match_key(fragment), start, end) >= 0:
        return "quote", f"{what} ({_shorten(fragment)!r}) is in {display}, but not after the part before it"
    searched = pages if pages is not None else list(range(len(document.pages)))
    best = ("", 0.0, 0)
    for page in searched:
        passage, ratio = closest_passage(document.pages[page], fragment)
        if ratio > best[1]:
            best = (passage, ratio, page)
    message = f"{what} not found in {display}: {_shorten(fragment)!r}"
    if best[1] < 0.5:
        return "quote", message + "; nothing like it in the source"
    where = f" (p. {best[2] + 1})" if document.extracted.kind == "pdf" else ""
    message += f"; closest passage{where}: {_shorten(best[0])!r}"
    difference = _first_difference(best[0], fragment)
    return "quote", message + (f"; {difference}" if difference else "")


def verify_dossier(dossier: Dossier, origins: Origins, root: Path) -> Verification:
    """Check every source file, quote and figure of ``dossier`` (read from the folder ``root``)."""
    result = Verification()
    documents: dict[str, Document | None] = {}
    displays: dict[str, str] = {}
    file_less: set[str] = set()

    def report(path: DataPath, message: str) -> None:
        result.problems.append(origins.problem(path, message))

    for index, source in enumerate(dossier.sources):
        documents[source.id] = None
        reason = source.no_file_reason
        if source.file is None:
            if reason is None:
                report(
                    ("sources", index, "file"),
                    "a source without a file needs no_file_reason (e.g. 'interview, not recorded'); "
                    "otherwise give the file of the source inside the dossier folder",
                )
            file_less.add(source.id)
            continue
        if reason is not None:
            report(("sources", index, "no_file_reason"), "only a source with file: null has a no_file_reason")
        path, why = source_path(root, source)
        if path is None:
            report(("sources", index, "file"), why)
            continue
        try:
            documents[source.id] = read_source(path)
        except SourceReadError as error:
            report(("sources", index, "file"), f"{source.file}: {error}")
        displays[source.id] = source.file

    for name, index, item in cited_items(dossier):
        for cite_index, cite in enumerate(item.cites):
            if cite.source in file_less:
                continue  # counted by unverifiable_sources
            document = documents.get(cite.source)
            if document is None:
                continue  # the source's own problem is reported once, at its file
            problem = _quote_problem(document, displays[cite.source], cite.quote, cite.locator)
            if problem is None:
                result.quotes_verified += 1
            else:
                report((name, index, "cites", cite_index, problem[0]), problem[1])

    original = dossier.dossier.language
    source_languages = {source.id: source.language or original for source in dossier.sources}
    for index, fact in enumerate(dossier.facts):
        if not fact.figures:
            continue
        quotes = [(words_key(normalise(c.quote)), source_languages.get(c.source, original)) for c in fact.cites]
        for figure_index, figure in enumerate(fact.figures):
            at: DataPath = ("facts", index, "figures", figure_index)
            text = words_key(normalise(figure.text))
            # The figure's words are its source's: read them with the rules of that language.
            holding = [language for quote, language in quotes if _has_phrase(quote, text)]
            if not holding:
                report(at + ("text",), f"{figure.text!r} is not in any quote of this fact: quote it in its cites")
            elif not states_value(figure.text, figure.value, holding[0]):
                report(at + ("value",), _value_problem(figure, holding[0]))

    result.unverifiable = unverifiable_sources(dossier)
    return result


def _has_phrase(text: str, phrase: str) -> bool:
    """Whether ``phrase`` is in ``text`` as whole words: "6" is not in "62", nor "six" in "sixty"."""
    before = r"(?<!\w)" if phrase[:1].isalnum() else ""
    after = r"(?!\w)" if phrase[-1:].isalnum() else ""
    return re.search(before + re.escape(phrase) + after, text) is not None


def unverifiable_sources(dossier: Dossier) -> list[tuple[str, int, str]]:
    """Each declared source without a file: its id, how many quotes cite it, and why it has no file."""
    counts = {s.id: 0 for s in dossier.sources if s.file is None and s.no_file_reason is not None}
    for _, _, item in cited_items(dossier):
        for cite in item.cites:
            if cite.source in counts:
                counts[cite.source] += 1
    reasons = {s.id: s.no_file_reason or "" for s in dossier.sources}
    return [(source, count, reasons[source]) for source, count in counts.items()]
