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
import json
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from briefing.cache import read_cached, write_cached
from briefing.dossier.schema import Dossier, Figure, Source
from briefing.dossier.yamlload import DataPath, Origins
from briefing.errors import Problem
from briefing.languages import numbers
from briefing.languages.numbers import read_numbers

# Bump when extraction changes, so cached text from older code is not used.
EXTRACTION_VERSION = 2
# What one source may cost (docs/security-limits.md).  No source document needs more; past a
# limit the source is refused with a message naming it, rather than read for minutes.
MAX_SOURCE_BYTES = 100 * 1024 * 1024  # any file (a PDF's bulk is mostly images)
MAX_TEXT_SOURCE_BYTES = 32 * 1024 * 1024  # a text, Markdown or HTML file, which is read whole
MAX_SOURCE_CHARACTERS = 8_000_000  # text of one source: a 3,000-page book has about 6 million
MAX_PDF_PAGES = 5_000
MAX_PDF_SECONDS = 120.0  # reading one PDF's pages, checked between pages
# Extractions larger than this are not written to the user cache (they are memoised only).
MAX_CACHED_CHARACTERS = 4_000_000
# Memoised extractions kept in one process (the preview server loads again on every save),
# bounded by their number and by the characters they hold.
MEMO_LIMIT = 512
MEMO_CHARACTERS = 64_000_000

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
    # After the last ">" no tag can end.  Left as it is, an unclosed "<a <a <a ..." there makes
    # the parser, when it is closed, try each "<" again up to the end of the file: quadratic
    # (81 KB took 33 s).  Written as "&lt;" those characters are read, in one pass, as the text
    # the parser would have made of them anyway.
    end = markup.rfind(">") + 1
    if "<" in markup[end:]:
        markup = markup[:end] + markup[end:].replace("<", "&lt;")
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


def _within_budget(text: str) -> str:
    if len(text) > MAX_SOURCE_CHARACTERS:
        raise SourceReadError(
            f"has {len(text):,} characters of text; the limit is {MAX_SOURCE_CHARACTERS:,}: "
            "quote from a shorter extract"
        )
    return text


def _extract(path: Path, data: bytes) -> Extracted:
    kind = _kind(path, data)
    if kind == "pdf":
        return _extract_pdf(data)
    if len(data) > MAX_TEXT_SOURCE_BYTES:
        raise SourceReadError(_too_large_for_text(len(data)))
    text = _within_budget(_decode(data))
    if kind == "html":
        return Extracted("html", (html_text(text),))
    if path.suffix.lower() in {".md", ".markdown"}:
        # Links and bold markers split the words a reader sees; the other escapes are normalised.
        text = _MARKDOWN_STRONG.sub("", _MARKDOWN_LINK.sub(r"\1", text))
    return Extracted("text", (text,))


def _too_large_for_text(size: int) -> str:
    limit = MAX_TEXT_SOURCE_BYTES // 2**20
    return f"file is {size:,} bytes; the limit for a text, Markdown or HTML source is {limit} MiB"


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
        count = len(reader.pages)
        if count > MAX_PDF_PAGES:
            raise SourceReadError(f"the PDF has {count:,} pages; the limit is {MAX_PDF_PAGES:,}: quote from an extract")
        pages = _pdf_pages(reader)
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


def _pdf_pages(reader: Any) -> tuple[str, ...]:
    """The text of each page, within the character and time budgets.

    Pages that draw the same content streams with the same resources and rotation have the same
    text: it is extracted once (20,000 pages sharing one stream took over 15 minutes).
    """
    import time

    deadline = time.monotonic() + MAX_PDF_SECONDS
    texts: dict[tuple[Any, ...], str] = {}
    pages: list[str] = []
    total = 0
    for number, page in enumerate(reader.pages, start=1):
        key = _drawing_of(page)
        text = texts.get(key) if key is not None else None
        if text is None:
            if time.monotonic() > deadline:
                raise SourceReadError(f"reading the PDF took over {MAX_PDF_SECONDS:.0f} s (stopped at page {number})")
            text = page.extract_text() or ""
            if key is not None:
                texts[key] = text
        total += len(text)
        if total > MAX_SOURCE_CHARACTERS:
            raise SourceReadError(
                f"the PDF has more than {MAX_SOURCE_CHARACTERS:,} characters of text (by page {number}): "
                "quote from an extract"
            )
        pages.append(text)
    return tuple(pages)


def _drawing_of(page: Any) -> tuple[Any, ...] | None:
    """What decides a page's text, where it can be told cheaply (else None): the content streams
    it draws, the resources they use and the page's rotation."""
    from pypdf.generic import ArrayObject, IndirectObject

    def fingerprint(value: Any) -> Any:
        if isinstance(value, IndirectObject):
            return (value.idnum, value.generation)
        shown = repr(value)  # a small direct dictionary (its references print as their numbers)
        return shown if len(shown) <= 10_000 else None

    contents = page.raw_get("/Contents") if "/Contents" in page else None
    target = contents.get_object() if isinstance(contents, IndirectObject) else contents
    items = list(target) if isinstance(target, ArrayObject) else []
    streams = (fingerprint(contents), *(fingerprint(item) for item in items))
    resources = fingerprint(page.raw_get("/Resources")) if "/Resources" in page else None
    if contents is None or None in streams or resources is None:
        return None
    return (streams, resources, repr(page.get("/Rotate", 0)))


def _content_digest(source_digest: str, kind: str, pages: Any, labels: Any) -> str:
    """What a cache entry must carry for its text to be used: a digest of that text, of the
    file it was extracted from and of the extraction's version."""
    body = json.dumps([EXTRACTION_VERSION, source_digest, kind, pages, labels], ensure_ascii=False)
    return hashlib.sha256(body.encode("utf-8", "surrogatepass")).hexdigest()


def _cached(digest: str) -> Extracted | None:
    """The extraction stored for ``digest``, if the cache holds a well-formed and unaltered one.

    The user cache is not trusted as written: an entry whose text was edited (or that was made
    for another file) no longer matches the digest stored in it, and is extracted again.
    """
    stored = read_cached("text", digest)
    if not isinstance(stored, dict) or stored.get("version") != EXTRACTION_VERSION:
        return None
    kind, pages, labels = stored.get("kind"), stored.get("pages"), stored.get("labels")
    if kind not in {"text", "html", "pdf"} or not isinstance(pages, list) or not isinstance(labels, list):
        return None
    if not all(isinstance(page, str) for page in pages) or not all(isinstance(label, str) for label in labels):
        return None
    if stored.get("digest") != _content_digest(digest, kind, pages, labels):
        return None
    return Extracted(kind, tuple(pages), tuple(labels))


def _store(digest: str, extracted: Extracted) -> None:
    if sum(len(page) for page in extracted.pages) > MAX_CACHED_CHARACTERS:
        return  # an entry of tens of megabytes would save little and fill the user's disk
    pages, labels = list(extracted.pages), list(extracted.labels)
    body = {
        "version": EXTRACTION_VERSION,
        "kind": extracted.kind,
        "pages": pages,
        "labels": labels,
        "digest": _content_digest(digest, extracted.kind, pages, labels),
    }
    write_cached("text", digest, body)


_memo: dict[str, Document] = {}


def _size(document: Document) -> int:
    """About how many characters a memoised document holds."""
    return len(document.key) + sum(len(page) for page in document.pages)


def read_source(path: Path) -> Document:
    """The text of the source file at ``path``; raises ``SourceReadError`` if it has none."""
    try:
        size = path.stat().st_size
        if size > MAX_SOURCE_BYTES:
            raise SourceReadError(f"file is {size:,} bytes; the limit is {MAX_SOURCE_BYTES // 2**20} MiB")
        if size > MAX_TEXT_SOURCE_BYTES:
            with path.open("rb") as handle:
                if _kind(path, handle.read(5)) != "pdf":
                    raise SourceReadError(_too_large_for_text(size))  # refused before it is read
        data = path.read_bytes()
    except OSError as error:
        raise SourceReadError(f"cannot read the file: {error.strerror}") from None
    digest = hashlib.sha256(data).hexdigest()
    kind = _kind(path, data)
    memo_key = f"{digest}:{kind}:{path.suffix.lower()}"
    if memo_key in _memo:
        return _memo[memo_key]
    # Plain text is read as fast as a cache entry would be; only extraction is worth caching.
    extracted = _cached(digest) if kind != "text" else None
    if extracted is None or extracted.kind != kind:
        extracted = _extract(path, data)
        if kind != "text":
            _store(digest, extracted)
    del data
    document = Document.of(extracted)
    held = sum(_size(memoised) for memoised in _memo.values())
    if len(_memo) >= MEMO_LIMIT or held + _size(document) > MEMO_CHARACTERS:
        _memo.clear()
    _memo[memo_key] = document
    return document


# ---------------------------------------------------------------------------
# Finding quotes
# ---------------------------------------------------------------------------


# Comparing character by character costs about the product of the two lengths: above this,
# the passage is first narrowed to where the fragment's words are, then compared word by word.
_CHARACTER_WORK = 2_000_000
# How far either side of where a fragment's words point its passage is looked for.
_MARGIN = 200
# A run of words found more often than this in the text says little about where a fragment is.
_RUN_HITS = 50
_WORD = re.compile(r"\S+")


def _anchor(text: str, fragment: str) -> int | None:
    """Where in ``text`` the fragment most likely starts: the start most of its runs of words agree on.

    One pass over each: the text's runs of three, two and one words are indexed by where they
    start, and each of the fragment's runs votes for a start.  Linear in both lengths.
    """
    text_words = [(match.start(), match.group()) for match in _WORD.finditer(text)]
    fragment_words = [(match.start(), match.group()) for match in _WORD.finditer(fragment)]
    for size in (3, 2, 1):
        positions: dict[tuple[str, ...], list[int]] = {}
        for first in range(len(text_words) - size + 1):
            run = tuple(word for _, word in text_words[first : first + size])
            found = positions.setdefault(run, [])
            if len(found) <= _RUN_HITS:
                found.append(text_words[first][0])
        votes: dict[int, int] = {}
        for first in range(len(fragment_words) - size + 1):
            run = tuple(word for _, word in fragment_words[first : first + size])
            if size == 1 and len(run[0]) < 5:
                continue  # a short word alone is found everywhere
            found = positions.get(run, [])
            if len(found) > _RUN_HITS:
                continue
            for start in found:
                votes[start - fragment_words[first][0]] = votes.get(start - fragment_words[first][0], 0) + 1
        if votes:
            return max(0, max(votes, key=lambda start: votes[start]))
    return None


def _to_whole_words(text: str, start: int, end: int) -> tuple[int, int]:
    while start > 0 and not text[start - 1].isspace():
        start -= 1
    while end < len(text) and not text[end].isspace():
        end += 1
    return start, end


def closest_passage(text: str, fragment: str) -> tuple[str, float]:
    """The passage of ``text`` most like ``fragment``, and how alike they are (0-1).

    The longest block the two share anchors a window of the fragment's length; the window
    is then trimmed to the part that matches and widened to whole words.  A long text is first
    narrowed to where the fragment's words point, and a long fragment is compared word by word,
    so the work stays about linear in both lengths (a 19,000-character quote took a recursion
    error before).
    """
    if not text or not fragment:
        return "", 0.0
    if len(text) * len(fragment) > _CHARACTER_WORK:
        anchor = _anchor(text, fragment)
        if anchor is None:
            return "", 0.0
        margin = _MARGIN + len(fragment) // 10
        text = text[max(anchor - margin, 0) : anchor + len(fragment) + margin]
        if len(text) * len(fragment) > _CHARACTER_WORK:
            return _closest_by_words(text, fragment)
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
    start, end = _to_whole_words(text, start, end)
    passage = text[start:end]
    return passage, difflib.SequenceMatcher(None, passage, fragment, autojunk=False).ratio()


def _closest_by_words(text: str, fragment: str) -> tuple[str, float]:
    """``closest_passage`` for a long fragment: the words of a window that match it, aligned word by word."""
    spans = [match.span() for match in _WORD.finditer(text)]
    words = [text[a:b] for a, b in spans]
    wanted = fragment.split()
    matcher = difflib.SequenceMatcher(None, words, wanted, autojunk=False)
    blocks = [b for b in matcher.get_matching_blocks() if b.size]
    if not blocks:
        return "", 0.0
    start, end = spans[blocks[0].a][0], spans[blocks[-1].a + blocks[-1].size - 1][1]
    passage = text[start:end]
    return passage, difflib.SequenceMatcher(None, passage.split(), wanted, autojunk=False).ratio()


def _first_difference(passage: str, fragment: str) -> str:
    """Where the fragment first departs from the passage, as "quote 'x', source 'y'"."""
    if len(passage) * len(fragment) > _CHARACTER_WORK:
        return _first_word_difference(passage.split(), fragment.split())
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


def _first_word_difference(passage: list[str], fragment: list[str]) -> str:
    """``_first_difference`` word by word, for long texts."""
    for tag, a1, a2, b1, b2 in difflib.SequenceMatcher(None, passage, fragment, autojunk=False).get_opcodes():
        if tag != "equal":
            return f"the quote has {' '.join(fragment[b1:b2])!r} where the source has {' '.join(passage[a1:a2])!r}"
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
    # How many quotes were found, per source id (``generate verify`` reports them source by source).
    verified_by_source: dict[str, int] = field(default_factory=dict)


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


# Pages compared in full with a quote that is not found: those sharing most of its words.
_PAGES_COMPARED = 3


def _likeliest_pages(document: Document, pages: Iterable[int], fragment: str) -> list[int]:
    """The few ``pages`` with most of the fragment's longer words, in page order (all, if few)."""
    pages = list(pages)
    if len(pages) <= _PAGES_COMPARED:
        return pages
    wanted = {word for word in fragment.split() if len(word) >= 5} or set(fragment.split())
    shared = {page: len(wanted.intersection(document.pages[page].split())) for page in pages}
    return sorted(sorted(pages, key=lambda page: -shared[page])[:_PAGES_COMPARED])


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
    searched = _likeliest_pages(document, pages if pages is not None else range(len(document.pages)), fragment)
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
                result.verified_by_source[cite.source] = result.verified_by_source.get(cite.source, 0) + 1
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
