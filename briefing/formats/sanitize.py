"""Briefs are inert documents: the HTML a brief is written to can run nothing and load nothing.

Templates may come from someone else, and a template is code: escaping the data is not enough
when the template itself writes ``<script>``, ``onerror=``, ``<meta http-equiv="refresh">``,
``<iframe>`` or a remote image.  So the finished HTML is cleaned with an allow-list (nh3, the
binding of the Rust library ammonia, whose HTML5 parser reads markup as a browser does) and
carries a Content-Security-Policy:

- kept: the elements and attributes a brief is made of (text, tables, lists, figures, inline SVG
  charts, ``<style>`` in the head, ``<meta name>``, aria, role, lang, class, id, data-*);
- links: ``<a href>`` to a place in the brief (``#…``), to a web page (``https:``, ``http:``,
  ``mailto:``) or to an HTML page beside the brief, by its bare file name (the brief's sources
  page, ``<stem>.sources.html#…``, and its link back) is kept: a reader clicks it, nothing loads
  it.  Every other address is removed: other relative files (a folder in the address, ``..``),
  ``javascript:``, ``src`` other than a ``data:`` image, ``srcset``, and any CSS
  ``url()`` that is not ``data:`` or ``#…`` (a ``<style>`` or ``style`` attribute that has one is
  removed whole);
- removed: scripts, event handlers, ``<meta http-equiv>`` (a refresh, another policy), ``<base>``,
  ``<link>``, frames, objects, embeds, forms and their controls, templates, comments;
- the policy ``CONTENT_SECURITY_POLICY`` is the first element of the head: even markup this
  missed could run no script and load nothing from anywhere.

What the shipped templates write comes out byte for byte as they wrote it: the cleaner writes
its HTML in its own way (``'`` for ``&#39;``, ``<rect></rect>`` for ``<rect/>``), and
``_as_jinja_writes`` turns those back into the equivalent forms Jinja's escaping uses.

The cleaning is not silent: ``inert_html`` counts what it removes (``Removed``), by kind (an
element's name, an attribute's name, an address or CSS that would load), never by content, and
the build tells the user.  nh3 does not say what it removed, so the fragment is read beforehand
as the HTML5 parser reads it (raw-text elements, SVG names; ``_RemovalReader``), and each element
and attribute is put to the allow-list's own rules.
"""

from __future__ import annotations

import functools
import html
import re
from collections import Counter
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import nh3

CONTENT_SECURITY_POLICY = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; font-src data:; base-uri 'none'; form-action 'none'"
)
POLICY_META = f'<meta http-equiv="Content-Security-Policy" content="{CONTENT_SECURITY_POLICY}">'

_TEXT_TAGS = {
    "a", "abbr", "address", "article", "aside", "b", "bdi", "bdo", "blockquote", "br", "caption",
    "cite", "code", "col", "colgroup", "data", "dd", "del", "details", "dfn", "div", "dl", "dt", "em",
    "figcaption", "figure", "footer", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hgroup", "hr",
    "i", "img", "ins", "kbd", "li", "main", "mark", "meter", "nav", "ol", "p", "picture", "pre",
    "progress", "q", "rp", "rt", "ruby", "s", "samp", "section", "small", "span", "strong", "sub",
    "summary", "sup", "table", "tbody", "td", "tfoot", "th", "thead", "time", "tr", "u", "ul", "var",
    "wbr",
}  # fmt: skip
# SVG for charts and figures: shapes, text, gradients, markers.  Not <image>, <foreignObject>,
# <script>, <animate>/<set> (which can rewrite an href) or <feImage>.
_SVG_TAGS = {
    "svg", "g", "defs", "desc", "title", "symbol", "use", "path", "rect", "circle", "ellipse", "line",
    "polyline", "polygon", "text", "tspan", "textPath", "linearGradient", "radialGradient", "stop",
    "clipPath", "mask", "pattern", "marker",
}  # fmt: skip
_EMPTY_SVG = ("path", "rect", "circle", "ellipse", "line", "polyline", "polygon", "stop", "use")
_HEAD_TAGS = {"meta", "title", "style"}
# Removed with everything inside them (the rest of a removed element's content is kept as text).
_CLEAN_CONTENT = {
    "script", "noscript", "iframe", "frame", "frameset", "noframes", "object", "embed", "applet",
    "template", "xmp", "noembed", "textarea", "select", "button", "math",
}  # fmt: skip

_GLOBAL_ATTRIBUTES = {"id", "class", "lang", "dir", "title", "role", "tabindex", "hidden", "translate"}
_ATTRIBUTES = {
    "*": _GLOBAL_ATTRIBUTES | {"style"},
    "a": {"href", "hreflang", "type"},
    "img": {"src", "alt", "width", "height"},
    "td": {"colspan", "rowspan", "headers"},
    "th": {"colspan", "rowspan", "headers", "scope", "abbr"},
    "col": {"span"},
    "colgroup": {"span"},
    "ol": {"start", "reversed", "type"},
    "li": {"value"},
    "time": {"datetime"},
    "data": {"value"},
    "del": {"datetime"},
    "ins": {"datetime"},
    "details": {"open"},
    "meter": {"value", "min", "max", "low", "high", "optimum"},
    "progress": {"value", "max"},
    "meta": {"charset", "name", "content"},
    "style": {"media"},
}
_SVG_ATTRIBUTES = {
    "viewBox", "preserveAspectRatio", "xmlns", "version", "width", "height", "x", "y", "x1", "y1",
    "x2", "y2", "cx", "cy", "r", "rx", "ry", "dx", "dy", "d", "points", "transform", "fill",
    "fill-opacity", "fill-rule", "stroke", "stroke-width", "stroke-dasharray", "stroke-dashoffset",
    "stroke-linecap", "stroke-linejoin", "stroke-opacity", "opacity", "font-family", "font-size",
    "font-weight", "font-style", "text-anchor", "dominant-baseline", "alignment-baseline",
    "letter-spacing", "textLength", "lengthAdjust", "offset", "stop-color", "stop-opacity",
    "gradientUnits", "gradientTransform", "spreadMethod", "clip-path", "clip-rule", "mask",
    "marker-start", "marker-mid", "marker-end", "markerWidth", "markerHeight", "markerUnits",
    "refX", "refY", "orient", "patternUnits", "vector-effect", "visibility", "display", "focusable",
    "href", "startOffset", "color",
}  # fmt: skip
for _tag in _SVG_TAGS:
    _ATTRIBUTES[_tag] = _ATTRIBUTES.get(_tag, set()) | _SVG_ATTRIBUTES

# Attribute values read as CSS, where url() may load something.
_CSS_ATTRIBUTES = {
    "style", "fill", "stroke", "clip-path", "mask", "marker-start", "marker-mid", "marker-end", "color",
}  # fmt: skip
_URL_SCHEMES = {"https", "http", "mailto", "data"}
_DATA_IMAGE = re.compile(r"data:image/(?:png|jpeg|gif|webp|avif|svg\+xml)[;,]", re.IGNORECASE)


# A page in the brief's own folder, by its bare file name, with an optional place in it.
_PAGE_BESIDE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*\.html(?:#[^\s]*)?")


def is_clickable(address: str) -> bool:
    """Whether a link to ``address`` leaves the brief only when a reader clicks it: a web page
    (``https:``, ``http:``, ``mailto:``) or an HTML page beside the brief by its bare file name.
    (A place in the brief, ``#…``, is not leaving it.)"""
    scheme = urlsplit(address.strip()).scheme.lower()
    return scheme in ("https", "http", "mailto") or _PAGE_BESIDE.fullmatch(address) is not None


def _keep_attribute(tag: str, name: str, value: str) -> str | None:
    """nh3's attribute filter: the value kept, or None to remove the attribute."""
    if name == "href":
        if value.startswith("#"):
            return value
        return value if tag == "a" and is_clickable(value) else None
    if name == "src":
        return value if _DATA_IMAGE.match(value.strip()) else None
    if name in _CSS_ATTRIBUTES and not css_is_inert(value):
        return None
    return value


# CSS that may fetch: url(...) and the functions and rules that take a bare string address.
_CSS_ESCAPE = re.compile(r"\\([0-9a-fA-F]{1,6}\s?|[^\n0-9a-fA-F])")
_CSS_COMMENT = re.compile(r"/\*.*?(?:\*/|\Z)", re.DOTALL)
_CSS_FETCH = re.compile(r"@import|image-set\(|image\(|cross-fade\(|element\(|src\(|expression\(|behavior|binding")
_CSS_URL = re.compile(r"url\(\s*(['\"]?)\s*([^'\")\s]*)")


def _css_unescaped(match: re.Match[str]) -> str:
    escaped = match.group(1).strip()
    if re.fullmatch(r"[0-9a-fA-F]{1,6}", escaped):
        code = int(escaped, 16)
        return chr(code) if 0 < code <= 0x10FFFF and not 0xD800 <= code <= 0xDFFF else "\ufffd"
    return escaped


def css_is_inert(css: str) -> bool:
    """Whether ``css`` refers to nothing outside the brief: every ``url()`` is ``data:`` or a
    ``#fragment``, and no rule or function that takes an address (``@import``, ``image-set()``…)
    is used.  Escapes and comments are read as a browser reads them first."""
    # An SVG <style> is read after its entities are: both readings must be inert.
    for text in {css, html.unescape(css)}:
        plain = _CSS_COMMENT.sub(" ", _CSS_ESCAPE.sub(_css_unescaped, text)).lower()
        if _CSS_FETCH.search(plain):
            return False
        if not all(address.startswith(("data:", "#")) for _, address in _CSS_URL.findall(plain)):
            return False
    return True


@functools.cache
def _cleaner() -> nh3.Cleaner:
    """The allow-list, built once (building it converts every set for the Rust library)."""
    return nh3.Cleaner(
        tags=_TEXT_TAGS | _SVG_TAGS | _HEAD_TAGS,
        clean_content_tags=_CLEAN_CONTENT,
        attributes=_ATTRIBUTES,
        attribute_filter=_keep_attribute,
        generic_attribute_prefixes={"aria-", "data-"},
        url_schemes=_URL_SCHEMES,
        link_rel=None,
        strip_comments=True,
    )


def _clean(fragment: str, removed: Removed | None = None) -> str:
    """``fragment`` cleaned by the allow-list, and each ``<style>`` that would fetch removed; what
    is removed is counted in ``removed``."""
    if removed is not None:
        _count_removed(fragment, removed)
    cleaned = _cleaner().clean(fragment)
    cleaned = _STYLE.sub(lambda match: match.group() if css_is_inert(match["css"]) else "", cleaned)
    # A <meta> whose http-equiv was removed (a refresh, another policy) says nothing any more.
    return _META.sub(lambda match: match.group() if _META_KEPT.search(match.group()) else "", cleaned)


_FRAME = re.compile(
    r"\A\s*(?:<!DOCTYPE html>\s*)?<html(?P<html>[^>]*)>(?P<s1>\s*)<head>(?P<head>.*?)</head>(?P<s2>\s*)"
    r"<body(?P<body>[^>]*)>(?P<content>.*)</body>(?P<s3>\s*)</html>(?P<s4>\s*)\Z",
    re.DOTALL | re.IGNORECASE,
)
# In the cleaner's output an HTML <style> holds no "</style" (it would have ended there), and an
# SVG one holds its text escaped.
_STYLE = re.compile(r"<style(?P<attributes>[^>]*)>(?P<css>.*?)</style>", re.DOTALL)
_META = re.compile(r"<meta\b[^>]*>\n?")
_META_KEPT = re.compile(r"\s(?:name|charset)=")
_CHARSET = re.compile(r"\s*<meta charset=\"[^\"]*\">\n?")


def inert_html(document: str, removed: Removed | None = None) -> str:
    """``document`` with everything that could run or load removed, and the policy in its head;
    what was removed is counted in ``removed``.

    A document shaped as the shipped ``base.html`` writes it (doctype, html, head, body) keeps
    that shape and its whitespace; anything else is cleaned as the body of a new document."""
    frame = _FRAME.match(document)
    if frame is None:
        body = _as_jinja_writes(_clean(document, removed))
        return f"<!DOCTYPE html>\n<html>\n<head>\n{POLICY_META}\n</head>\n<body>{body}</body>\n</html>\n"
    head = _as_jinja_writes(_clean(frame["head"], removed))
    # The cleaner removed every http-equiv meta (base.html's policy too): the policy goes first,
    # after <meta charset> if there is one, as base.html writes it; a policy is not applied to
    # what comes before it, nor at all outside the head.
    charset = _CHARSET.match(head)
    at = charset.end() if charset else 0
    head = head[:at] + POLICY_META + "\n" + head[at:]
    body = _as_jinja_writes(_clean(frame["content"], removed))
    html_attributes = _frame_attributes(frame["html"], removed)
    body_attributes = _frame_attributes(frame["body"], removed)
    return (
        f"<!DOCTYPE html>\n<html{html_attributes}>{frame['s1']}<head>{head}</head>{frame['s2']}"
        f"<body{body_attributes}>{body}</body>{frame['s3']}</html>{frame['s4']}"
    )


def _frame_attributes(attributes: str, removed: Removed | None) -> str:
    """The attributes of ``<html>`` or ``<body>``, cleaned as those of any element."""
    cleaned = _clean(f"<span{attributes}></span>", removed)
    found = re.fullmatch(r"<span(.*)></span>", cleaned, re.DOTALL)
    return _as_jinja_writes_tag(found.group(1)) if found else ""


def _as_jinja_writes(html: str) -> str:
    """The cleaner's HTML written as Jinja's escaping writes it, meaning the same: a double quote
    in text, and quotes in attributes, as ``&#34;`` and ``&#39;`` (an apostrophe in text as
    itself), a non-breaking space as itself, empty SVG shapes as ``<rect/>``.  Style content is
    left alone (it is CSS, where an entity is not one)."""
    out: list[str] = []
    position = 0
    while position < len(html):
        start = html.find("<", position)
        if start < 0:
            out.append(_text(html[position:]))
            break
        out.append(_text(html[position:start]))
        end = html.find(">", start) + 1  # the cleaner writes ">" in a value as "&gt;"
        if end <= 0:
            out.append(html[start:])
            break
        tag = html[start:end]
        out.append(_as_jinja_writes_tag(tag))
        position = end
        if tag.startswith("<style"):
            close = html.find("</style>", position)
            close = len(html) if close < 0 else close
            out.append(html[position:close])
            position = close
    text = "".join(out)
    return re.sub(rf"<({'|'.join(_EMPTY_SVG)})(\s[^>]*)?></\1>", r"<\1\2/>", text)


def _as_jinja_writes_tag(tag: str) -> str:
    return tag.replace("&quot;", "&#34;").replace("'", "&#39;").replace("&nbsp;", "\u00a0")


def _text(text: str) -> str:
    # An apostrophe in text is left as it is: it means nothing to HTML there, and an English
    # phrase ("this brief's") is found as written.
    return text.replace('"', "&#34;").replace("&nbsp;", "\u00a0")


# What the cleaning removed, told to the user by kind: never the removed content itself, which
# may be hostile, huge, or hold terminal escape sequences.
SHOWN_KINDS = 10  # kinds a message names; the rest are counted
MAX_KINDS = 1000  # kinds counted; more are only noted (a template can write any number of names)
_NAME_LENGTH = 40


@dataclass
class Removed:
    """What cleaning removed from a document: each kind (``<script>``, ``onclick attribute``,
    ``address in src``) with how often, in the order first met."""

    counts: Counter[str] = field(default_factory=Counter)
    more: bool = False  # kinds past MAX_KINDS were met and not counted

    def add(self, kind: str, times: int = 1) -> None:
        if kind in self.counts or len(self.counts) < MAX_KINDS:
            self.counts[kind] += times
        else:
            self.more = True

    def include(self, other: Removed) -> None:
        """Count ``other``'s removals too (another part or page of the document)."""
        for kind, times in other.counts.items():
            self.add(kind, times)
        self.more = self.more or other.more

    def __bool__(self) -> bool:
        return bool(self.counts) or self.more

    def __or__(self, other: Removed) -> Removed:
        """The same document cleaned twice (a page rendered for two formats): each kind counted
        as often as in either, not in both."""
        union = Removed(self.counts | other.counts, self.more or other.more)
        if len(union.counts) > MAX_KINDS:
            union.counts, union.more = Counter(dict(list(union.counts.items())[:MAX_KINDS])), True
        return union

    def summary(self) -> str:
        """``<script> ×1, onclick attribute ×2, … and 3 more kinds``: at most ``SHOWN_KINDS`` kinds."""
        kinds = list(self.counts.items())
        shown = ", ".join(f"{kind} ×{times}" for kind, times in kinds[:SHOWN_KINDS])
        hidden = len(kinds) - SHOWN_KINDS
        if self.more:
            return f"{shown} and over {max(hidden, 0)} more kinds"
        return f"{shown} and {hidden} more kinds" if hidden > 0 else shown

    def message(self) -> str:
        """The warning the build shows for a brief whose HTML lost something to the cleaning."""
        return (
            "the HTML brief's templates produced markup that briefs never carry, removed: "
            f"{self.summary()} (docs/security.md)"
        )


def _name(name: str) -> str:
    """A name as a message may show it: lower case letters, digits and hyphens, not too long."""
    return re.sub(r"[^a-z0-9-]+", "-", name[:200].lower()).strip("-")[:_NAME_LENGTH] or "unnamed"


_ALLOWED_TAGS = frozenset(_TEXT_TAGS | _HEAD_TAGS | _SVG_TAGS)
_SVG_TAGS_READ = {tag.lower(): tag for tag in _SVG_TAGS}  # in SVG the parser gives them their case
_ATTRIBUTES_READ = {tag.lower(): {name.lower() for name in names} for tag, names in _ATTRIBUTES.items()}
# Elements whose content the HTML5 parser reads as text up to their end tag (outside SVG).
_RAW_TEXT = frozenset(
    {"script", "style", "iframe", "noembed", "noframes", "noscript", "xmp", "textarea", "title", "plaintext"}
)
_VOID = frozenset({"embed", "frame", "input", "img", "br", "hr", "wbr", "col", "meta", "link", "base", "source"})
# HTML elements that end SVG content where they start (the HTML5 parser's list).
_BREAKOUT = frozenset({
    "b", "big", "blockquote", "body", "br", "center", "code", "dd", "div", "dl", "dt", "em", "embed", "h1",
    "h2", "h3", "h4", "h5", "h6", "head", "hr", "i", "img", "li", "listing", "menu", "meta", "nobr", "ol",
    "p", "pre", "ruby", "s", "small", "span", "strong", "strike", "sub", "sup", "table", "tt", "u", "ul", "var",
})  # fmt: skip
# The frame of the document: written again around the cleaned head and body.
_FRAME_TAGS = frozenset({"html", "head", "body"})
_POLICY = {"http-equiv": "content-security-policy", "content": CONTENT_SECURITY_POLICY}

# The HTML5 tokenizer, as far as telling elements, attributes and text apart needs.  Every pattern
# matches forward from a position and every search stops at its first find, after which reading
# goes on: the markup is read in time linear in its length, however it is made.  (Python's
# html.parser is not: ``"<a " * 40000`` takes minutes, and ``<![`` raises an AssertionError.)
_SPACES = re.compile(r"[\t\n\f\r ]*")
_TAG_NAME = re.compile(r"[^\t\n\f\r />]*")
_ATTRIBUTE_NAME = re.compile(r"[^\t\n\f\r />][^\t\n\f\r /=>]*")  # a first "=" is part of the name
_UNQUOTED = re.compile(r"[^\t\n\f\r >]*")
_LETTER = re.compile(r"[A-Za-z]")
_COMMENT_END = re.compile(r"--!?>")

Attributes = list[tuple[str, str]]


def _matched(pattern: re.Pattern[str], text: str, position: int) -> tuple[str, int]:
    """What ``pattern`` matches at ``position``, and where that ends.  Every pattern it is given
    matches the empty string (or, for a name, the character at ``position``)."""
    found = pattern.match(text, position)
    return (found.group(), found.end()) if found else ("", position)


def _attributes(text: str, position: int) -> tuple[Attributes, bool, int | None]:
    """The attributes of the tag whose name ends at ``position``: (name, value) pairs, whether
    it ends with ``/>``, and where it ends (None: the text ends first, and the parser drops it)."""
    found: Attributes = []
    closed = False
    while True:
        _, position = _matched(_SPACES, text, position)
        if position >= len(text):
            return found, closed, None
        if text[position] == ">":
            return found, closed, position + 1
        if text[position] == "/":
            position += 1
            closed = text.startswith(">", position)
            continue
        closed = False
        name, position = _matched(_ATTRIBUTE_NAME, text, position)  # not "", nor at a space, "/" or ">"
        _, position = _matched(_SPACES, text, position)
        value = ""
        if text.startswith("=", position):
            _, position = _matched(_SPACES, text, position + 1)
            if position >= len(text):
                return found, closed, None
            if text[position] in "\"'":
                close = text.find(text[position], position + 1)
                if close < 0:
                    return found, closed, None
                value, position = text[position + 1 : close], close + 1
            else:
                value, position = _matched(_UNQUOTED, text, position)
        found.append((name.lower(), html.unescape(value)))


class _RemovalReader:
    """Reads a fragment before nh3 cleans it and counts, by kind, what the allow-list will remove:
    an element it does not keep (not what is inside one removed with its content), an attribute it
    does not keep, an address or CSS ``_keep_attribute`` refuses, a ``<style>`` that would fetch,
    a ``<meta>`` left with nothing to say.  Comments are removed without a word: nothing in one
    shows.  It reads as the HTML5 parser does, closely enough to name what goes; what it misreads
    only changes the message, never what the cleaner removes."""

    def __init__(self, removed: Removed) -> None:
        self.removed = removed
        self.svg_depth = 0
        self.inside: tuple[str, int] | None = None  # an element removed with its content, and its depth
        self.style: list[str] | None = None  # the CSS of the <style> being read

    def read(self, text: str) -> None:
        position = data = 0
        while (opening := text.find("<", position)) >= 0:
            after = self._markup(text, opening)
            if after is None:  # a "<" that starts nothing is text
                position = opening + 1
                continue
            self._data(text[data:opening])
            position = data = after
        self._data(text[data:])
        self._style_read()  # a <style> left open runs to the end

    def _markup(self, text: str, at: int) -> int | None:
        """Read the tag, comment or declaration at ``at``; where it ends (None: it is text)."""
        after = at + 1
        if _LETTER.match(text, after):
            return self._start_tag(text, after)
        if text.startswith("/", after):
            if _LETTER.match(text, after + 1):
                name, position = _matched(_TAG_NAME, text, after + 1)
                _, _, end = _attributes(text, position)
                if end is None:
                    return len(text)
                self._end(name.lower())
                return end
            if after + 1 >= len(text):
                return None
            if text.startswith(">", after + 1):
                return after + 2
            return _past(text, ">", after + 1)  # a bogus comment
        if text.startswith("!--", after):
            body = after + 3
            for abrupt in (">", "->"):
                if text.startswith(abrupt, body):
                    return body + len(abrupt)
            comment_end = _COMMENT_END.search(text, body)
            return comment_end.end() if comment_end else len(text)
        if text.startswith("![CDATA[", after) and self.svg_depth:
            return _past(text, "]]>", after)
        if text.startswith(("!", "?"), after):  # a doctype or a bogus comment
            return _past(text, ">", after)
        return None

    def _start_tag(self, text: str, at: int) -> int:
        name, position = _matched(_TAG_NAME, text, at)
        tag = name.lower()
        attributes, closed, end = _attributes(text, position)
        if end is None:
            return len(text)
        raw = tag in _RAW_TEXT and not self.svg_depth
        self._start(tag, attributes, closed, raw)
        if not raw:
            return end
        close = re.compile(rf"</{re.escape(tag)}[\t\n\f\r />]", re.IGNORECASE).search(text, end)
        stop = close.start() if close and tag != "plaintext" else len(text)
        self._data(text[end:stop])
        return stop

    def _start(self, tag: str, attributes: Attributes, closed: bool, raw: bool) -> None:
        if self.inside is not None:
            if tag == self.inside[0] and not closed and not raw:
                self.inside = (tag, self.inside[1] + 1)
            return
        if tag in _FRAME_TAGS:
            self._attributes("span", attributes)
            return
        if self.svg_depth and tag in _BREAKOUT:
            self.svg_depth = 0
        tag = _SVG_TAGS_READ.get(tag, tag) if self.svg_depth else tag
        if tag not in _ALLOWED_TAGS:
            self.removed.add(f"<{_name(tag)}>")
            if tag in _CLEAN_CONTENT and not raw and not closed and tag not in _VOID:
                self.inside = (tag, 1)
            return
        if tag == "svg" and not closed:
            self.svg_depth += 1
        if tag == "meta" and self._meta_removed(attributes):
            return
        if tag == "style" and (raw or not closed):
            self.style = []
        self._attributes(tag, attributes)

    def _meta_removed(self, attributes: Attributes) -> bool:
        """Whether the cleaning removes this ``<meta>`` whole (counted), or it is the policy,
        which ``inert_html`` writes again."""
        values = dict(reversed(attributes))  # the first of a name counts
        if {name: value.lower() if name == "http-equiv" else value for name, value in values.items()} == _POLICY:
            return True
        if "name" in values or "charset" in values:
            return False
        self.removed.add("<meta http-equiv>" if "http-equiv" in values else "<meta>")
        return True

    def _attributes(self, tag: str, attributes: Attributes) -> None:
        allowed = _ATTRIBUTES_READ.get(tag.lower(), set()) | _ATTRIBUTES_READ["*"]
        seen = set()
        for name, value in attributes:
            if name in seen:  # the parser keeps the first of a name
                continue
            seen.add(name)
            # In SVG, xlink:href and xml:lang are href and lang in a namespace.
            svg_namespaced = self.svg_depth and name.startswith(("xlink:", "xml:"))
            local = name.split(":", 1)[1] if svg_namespaced else name
            if local not in allowed and not local.startswith(("aria-", "data-")):
                self.removed.add(f"{_name(name)} attribute")
            elif _keep_attribute(tag, local, value) is None:
                kept_as = "address" if local in ("href", "src") else "CSS that loads"
                self.removed.add(f"{kept_as} in {_name(local)}")

    def _end(self, tag: str) -> None:
        if self.inside is not None:
            if tag == self.inside[0]:
                depth = self.inside[1] - 1
                self.inside = (tag, depth) if depth else None
            return
        if tag == "svg" and self.svg_depth:
            self.svg_depth -= 1
        if tag == "style":
            self._style_read()

    def _data(self, data: str) -> None:
        if self.style is not None and self.inside is None and data:
            self.style.append(data)

    def _style_read(self) -> None:
        if self.style is not None and not css_is_inert("".join(self.style)):
            self.removed.add("<style> that loads")
        self.style = None


def _past(text: str, end: str, start: int) -> int:
    """Where the first ``end`` from ``start`` ends, or the end of ``text``."""
    found = text.find(end, start)
    return len(text) if found < 0 else found + len(end)


def _count_removed(fragment: str, removed: Removed) -> None:
    """Count in ``removed`` what cleaning ``fragment`` removes (read before it is cleaned)."""
    _RemovalReader(removed).read(fragment)
