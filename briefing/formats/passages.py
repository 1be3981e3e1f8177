"""Every footnote leads to its passage: the links of a brief's notes, and its sources page.

A note names a source and a locator; the reader should be one click from the words it rests
on.  For each citation:

- a source with a public address (``url: https://…``) links to that page with a text fragment
  (``#:~:text=start,end``), which a browser scrolls to and highlights.  The words are taken from
  the stored copy of the page, as the page writes them (typographic quotes and all), since a
  browser matches them literally; a long quote uses the start,end form;
- a source stored in the dossier links to the brief's sources page (``<stem>.sources.html``,
  written beside the HTML brief), where each quoted passage is shown in its context, marked
  (``<mark>``) and anchored.  The page is self-contained and inert (no script, nothing loaded,
  a Content-Security-Policy that forbids both).  It shows each passage with some text around
  it, never the whole source: quoting is not redistributing.

A source without a file (an interview) gets no link: there is nothing to go to.
"""

from __future__ import annotations

import re
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from briefing.dossier.verify import Document, SourceReadError, normalise, quote_fragments, read_source, source_path

if TYPE_CHECKING:
    import jinja2

    from briefing.formats.render_html import TemplateSet
    from briefing.formats.sanitize import Removed
    from briefing.view.model import Brief, Cite

SOURCES_TEMPLATE = "sources.html"
COMPANION_SUFFIX = ".sources.html"
CONTEXT_CHARACTERS = 280  # of the source's text shown before and after a passage
# A quote longer than this many words is linked by its first and last words (start,end form).
FRAGMENT_WORDS = 10
EDGE_WORDS = 4
# Sources larger than this are not searched for a passage's exact words (the link still goes to the page).
SEARCH_LIMIT = 4_000_000

# What ``normalise`` makes plain, as a source may write it.
_EQUIVALENT = {
    "'": "['\u2018\u2019\u201a\u201b\u2032\u00b4]",
    '"': '["\u201c\u201d\u201e\u201f\u2033\u00ab\u00bb]',
    "-": "[-\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d]",
}


@dataclass(frozen=True)
class Located:
    """Where a quote's words are in a source's stored text."""

    page: int
    spans: tuple[tuple[int, int], ...]  # (start, end) of each verbatim part in the page's raw text


@dataclass
class Quoted:
    """One quoted passage the brief's notes link to."""

    anchor: str
    cite: Cite
    located: Located | None
    text: str  # the stored page's text
    notes: list[int] = field(default_factory=list)


@dataclass
class Passages:
    """The links of one render's notes; records the passages the sources page must show.

    ``companion`` is the sources page's file name (None: no link to it, as in the PDF, whose
    reader may have the PDF alone); ``root`` the dossier folder the source files are in."""

    companion: str | None = None
    root: Path | None = None
    quoted: dict[tuple[str, str, str], Quoted] = field(default_factory=dict)
    _documents: dict[str, Document | None] = field(default_factory=dict)

    def link(self, cite: Cite) -> str:
        """The address a note's citation links to, or "" if there is none."""
        source = cite.source
        url = source.url or ""
        public = urllib.parse.urlsplit(url).scheme in ("http", "https")
        document = self._document(cite)
        located = locate(document, cite.quote) if document is not None else None
        if public:
            base = url.split("#", 1)[0]
            words = fragment_words(document, located, cite.quote)
            return base + text_directive(words) if words else base
        if self.companion is None or document is None:
            return ""
        key = (source.id, cite.locator, cite.quote)
        if key not in self.quoted:
            number = sum(1 for quoted in self.quoted.values() if quoted.cite.source.id == source.id) + 1
            text = document.extracted.pages[located.page] if located else ""
            self.quoted[key] = Quoted(f"q-{source.id}-{number}", cite, located, text)
        return f"{self.companion}#{self.quoted[key].anchor}"

    def _document(self, cite: Cite) -> Document | None:
        source = cite.source
        if self.root is None or source.file is None:
            return None
        if source.id not in self._documents:
            path, _ = source_path(self.root, source)
            try:
                self._documents[source.id] = read_source(path) if path is not None else None
            except SourceReadError:
                self._documents[source.id] = None
        return self._documents[source.id]

    def by_source(self) -> list[tuple[Any, list[Quoted]]]:
        """The passages to show, grouped by source, in order of first citation."""
        grouped: dict[str, tuple[Any, list[Quoted]]] = {}
        for quoted in self.quoted.values():
            grouped.setdefault(quoted.cite.source.id, (quoted.cite.source, []))[1].append(quoted)
        return list(grouped.values())


def _pattern(fragment: str) -> re.Pattern[str]:
    """A pattern for ``fragment`` (normalised) in a source's raw text: any white space between
    words, and typographic quotes and dashes where the fragment has plain ones."""
    pieces: list[str] = []
    for index, word in enumerate(fragment.split()):
        if index:
            pieces.append(r"\s*" if not (word[:1].isalnum() and pieces[-1][-1:].isalnum()) else r"\s+")
        pieces.append("".join(_EQUIVALENT.get(ch, re.escape(ch)) for ch in word))
    return re.compile("".join(pieces), re.IGNORECASE)


def locate(document: Document, quote: str) -> Located | None:
    """Where the verbatim parts of ``quote`` are, in order, on one page of the stored text."""
    fragments = quote_fragments(quote)
    if not fragments:
        return None
    for page, text in enumerate(document.extracted.pages):
        if len(text) > SEARCH_LIMIT:
            continue
        spans: list[tuple[int, int]] = []
        position = 0
        for fragment in fragments:
            match = _pattern(fragment).search(text, position)
            if match is None:
                break
            spans.append(match.span())
            position = match.end()
        else:
            return Located(page, tuple(spans))
    return None


def fragment_words(document: Document | None, located: Located | None, quote: str) -> tuple[str, str | None]:
    """(start, end) of a text fragment for ``quote``: its words as the source writes them, or the
    quote's own words when the stored text does not hold them; end is None for a short quote."""
    if document is not None and located is not None:
        text = document.extracted.pages[located.page]
        parts = [" ".join(text[start:end].split()) for start, end in located.spans]
    else:
        parts = quote_fragments(quote)
    words = [part.split() for part in parts]
    if len(words) == 1 and len(words[0]) <= FRAGMENT_WORDS:
        return " ".join(words[0]), None
    return " ".join(words[0][:EDGE_WORDS]), " ".join(words[-1][-EDGE_WORDS:])


def _encode(text: str) -> str:
    # '-', ',' and '&' are the directive's own syntax; everything outside unreserved ASCII is escaped.
    return urllib.parse.quote(text, safe="").replace("-", "%2D")


def text_directive(words: tuple[str, str | None]) -> str:
    """``#:~:text=start[,end]``, percent-encoded (https://wicg.github.io/scroll-to-text-fragment/)."""
    start, end = words
    return "#:~:text=" + _encode(start) + ("," + _encode(end) if end else "")


def parse_directive(url: str) -> tuple[str, str | None]:
    """(start, end) of the text fragment in ``url`` (for tests and ``verify``)."""
    directive = url.split("#:~:text=", 1)[1].split("&", 1)[0]
    parts = [urllib.parse.unquote(part) for part in directive.split(",")]
    return parts[0], parts[1] if len(parts) > 1 else None


def context(quoted: Quoted) -> list[tuple[str, str]]:
    """The passage in its context, as (text, kind) runs: kind "mark" for the quoted words,
    "gap" for words left out between them, "" for the text around it."""
    if quoted.located is None:
        return [(part, "mark") for part in quote_fragments(quoted.cite.quote)]
    text, spans = quoted.text, quoted.located.spans
    start, end = spans[0][0], spans[-1][1]
    before = start - CONTEXT_CHARACTERS
    after = end + CONTEXT_CHARACTERS
    runs: list[tuple[str, str]] = []
    lead = text[max(before, 0) : start]
    if before > 0:
        lead = "… " + lead.split(" ", 1)[-1] if " " in lead else "… " + lead
    runs.append((lead, ""))
    for index, (span_start, span_end) in enumerate(spans):
        if index:
            runs.append((text[spans[index - 1][1] : span_start], "gap"))
        runs.append((text[span_start:span_end], "mark"))
    tail = text[end : min(after, len(text))]
    if after < len(text):
        tail = tail.rsplit(" ", 1)[0] + " …" if " " in tail else tail + " …"
    runs.append((tail, ""))
    return [(normalise_space(run), kind) for run, kind in runs]


def normalise_space(text: str) -> str:
    """White space made single, a space kept at either end where the text had some there."""
    inner = " ".join(text.split())
    if not inner:
        return " " if text else ""
    return (" " if text[:1].isspace() else "") + inner + (" " if text[-1:].isspace() else "")


def companion_page(
    passages: Passages,
    brief: Brief,
    templates: TemplateSet,
    env: jinja2.Environment,
    removed: Removed | None = None,
) -> str | None:
    """The sources page the notes link to (None if no note links to one); what cleaning it
    removed is counted in ``removed``."""
    if not passages.quoted or passages.companion is None:
        return None
    from briefing.formats.render_html import render_page

    return render_page(
        SOURCES_TEMPLATE,
        templates,
        env,
        brief.info.language,
        removed,
        brief=brief,
        sources=passages.by_source(),
        context=context,
        brief_file=passages.companion.removesuffix(COMPANION_SUFFIX) + ".html",
        original_language=brief.info.editions[0],
    )


def normalised_passage(text: str) -> str:
    """A passage as ``verify`` compares it (for tests following links)."""
    return normalise(text)
