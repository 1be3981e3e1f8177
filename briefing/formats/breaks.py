"""Where the lines of a brief may break, marked in its HTML.

A very long word (a URL, an identifier) may break anywhere, so that it wraps instead of running
off the page; in the PDF, names and capitalised words are never hyphenated, and words written in
Hangul break only between words.  Each is a ``<span>`` the stylesheets style; the HTML brief
gets the long-word spans, the PDF all three.
"""

from __future__ import annotations

import re

from briefing.formats.render_html import map_html_text

# A run this long without a space is a URL or an identifier, never a word to keep whole.
_LONG_WORD = re.compile(r"[^\s<>]{40,}")
# In text: an entity (left alone), a very long word, or an ordinary word (with hyphens and apostrophes).
# A word with Hangul in it is all of its run without spaces ("NATO와", "2024년"): Hangul text breaks
# lines only between such words (word-break: keep-all), which the PDF renderer does not support.
_HANGUL = "\u1100-\u11ff\u3130-\u318f\ua960-\ua97f\uac00-\ud7af\ud7b0-\ud7ff"
_TOKEN = re.compile(
    rf"(?P<entity>&#?\w+;)|(?P<long>[^\s<>]{{40,}})|(?P<hangul>[^\s<>]*[{_HANGUL}][^\s<>]*)|(?P<word>[\w’'-]+)"
)


def _keep_whole(word: str) -> bool:
    """A name ("Szczecin", "Airbus"), a capitalised word or one with digits ("A400M", "Mk-II4"):
    never hyphenated (hyphenation patterns are for a language's ordinary words).  Shorter words
    cannot be hyphenated anyway (``hyphenate-limit-chars``: 5 characters)."""
    return len(word) >= 5 and (
        any(c.isupper() for c in word) or (any(c.isdigit() for c in word) and any(c.isalpha() for c in word))
    )


def _mark_text(text: str, names: bool) -> str:
    """``text`` (HTML text between tags) with long words, and with ``names`` runs of words to keep
    whole, wrapped in spans."""
    out: list[str] = []
    position = 0
    run: tuple[int, int] | None = None  # the run of words to keep whole being collected

    def close_run() -> None:
        nonlocal run
        if run is not None:
            out.append(f'<span class="nohyph">{text[run[0] : run[1]]}</span>')
            run = None

    for match in _TOKEN.finditer(text):
        if match.lastgroup == "hangul" and not names:
            continue
        if match.lastgroup == "word" and not (names and _keep_whole(match.group())):
            continue
        if match.lastgroup == "word":
            if run is not None and text[run[1] : match.start()].strip(" ") == "":
                run = (run[0], match.end())  # "New Zealand": one span for both words
            else:
                close_run()
                out.append(text[position : match.start()])
                run = (match.start(), match.end())
        else:
            close_run()
            out.append(text[position : match.start()])
            wrap = {"long": "long-word", "hangul": "keep-all"}.get(match.lastgroup or "")
            out.append(f'<span class="{wrap}">{match.group()}</span>' if wrap else match.group())
        position = match.end()
    close_run()
    out.append(text[position:])
    return "".join(out)


def mark_long_words(html: str, names: bool = False) -> str:
    """Wrap every very long word of ``html``'s text in ``<span class="long-word">``, and with
    ``names`` (the PDF) every run of names and capitalised words in ``<span class="nohyph">`` and
    every word written in Hangul in ``<span class="keep-all">``.

    The stylesheet lets a long-word span break anywhere, so a 10,000-character word or a URL
    wraps instead of running off the page, even in a table cell, whose width would
    otherwise grow to fit it.  Only such spans may break anywhere: ordinary words and
    table columns are laid out as before.  A nohyph span is never hyphenated: the PDF
    hyphenates ordinary words by the language's patterns, which would split "Po-land" or
    "By-dgoszcz".  A keep-all span is never broken: lines of Hangul break between words, not
    between syllables (``word-break: keep-all`` in the browser).  One pass over the text either way.
    """
    if not names and not _LONG_WORD.search(html):
        return html
    # A span in a link would get a link annotation of its own: names in links are left alone.
    return map_html_text(html, lambda piece, in_link: _mark_text(piece, names and not in_link))
