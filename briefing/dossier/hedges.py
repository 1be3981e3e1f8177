"""Keeping analysts honest: hedges a claim must keep, and citations that must support their claim.

A dossier's own words (a statement, a rationale, a title) restate what its sources say.  The
restatement is where care gets lost: "the alleged shipment" becomes "the shipment", "Some
officials" becomes "Officials", "could potentially rebuild, under circumstances favourable to
it" becomes "could rebuild".  And a second citation added to a claim lifts its grade to the
better source even when that source does not say it.

Both are found by comparing words.  A hedge in a quote counts only where the quote's sentence
is the one the claim restates (they share enough content words), so a "may" elsewhere in a long
passage does not make noise.  A citation supports its claim when its quote shares enough
content words with the claim.  Pure functions over a loaded dossier; ``check`` turns the
findings into warnings with file and line.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache

from briefing.dossier.schema import (
    Citation,
    Divergence,
    Dossier,
    Event,
    Fact,
    Judgement,
    Question,
    Recommendation,
    ThreatPerception,
)

# Everything a brief may state (as select.Item, written here so that select may import this
# module without a cycle), and the items among them that cite sources themselves.
Item = Fact | ThreatPerception | Divergence | Recommendation | Event | Question | Judgement
Cited = Fact | ThreatPerception | Divergence | Recommendation | Event | Judgement
# A place in the dossier, as Origins locates it: ("facts", 3, "statement").
Path = tuple[str | int, ...]


# ---------------------------------------------------------------------------
# Words
# ---------------------------------------------------------------------------

_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")
# Function words and the hedges themselves: what two sentences share in these says nothing
# about whether they make the same claim.
_STOP_WORDS = """a about above after again against all also although am among an and any are as at be
    because been before being between both but by can could did do does doing down during each
    either even few for from further had has have having he her here hers him his how i if in into
    is it its itself just least less like likely may me might more most much must my neither no
    nor not now of off on once only or other our ours out over own per possibly potential
    potentially rather same she should so some such than that the their theirs them then there
    these they this those though through thus to too under until up upon us very via was we were
    what when where whether which while who whom whose why will with within without would yet you
    your alleged allegedly reportedly reported unlikely"""
STOP_WORDS = frozenset(_STOP_WORDS.split())
_SUFFIXES = ("ing", "ed", "es", "s", "ly")
# Stems are cut to this length: it joins British and American spellings (destabilise,
# destabilize) and word families (provoke, provocation) without a dictionary.
STEM_LENGTH = 5


def stem(word: str) -> str:
    """A light stem: lower case, no possessive, no common suffix, at most ``STEM_LENGTH`` letters."""
    word = word.lower().replace("’", "'")
    if word.endswith("'s"):
        word = word[:-2]
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            word = word[: -len(suffix)]
            break
    return word[:STEM_LENGTH]


# The same quotes and statements are compared with many fields: their words are worked out once.
@lru_cache(maxsize=8192)
def content_stems(text: str) -> frozenset[str]:
    """The stems of the words in ``text`` that carry content (stop words and hedges left out)."""
    return frozenset(stem(word) for word in _WORD.findall(text) if word.lower() not in STOP_WORDS)


_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9\"“(])|\s*…\s*|;\s+")


@lru_cache(maxsize=4096)
def sentences(text: str) -> tuple[str, ...]:
    """``text`` cut into sentences; an ellipsis ("…", words left out of a quote) also cuts."""
    return tuple(part.strip() for part in _SENTENCE_END.split(" ".join(text.split())) if part.strip())


@dataclass(frozen=True)
class Weights:
    """How much each content stem says: rare stems in the dossier's quotes weigh more (idf)."""

    idf: dict[str, float]
    default: float

    def of(self, stems: frozenset[str]) -> float:
        return sum(self.idf.get(s, self.default) for s in stems)


UNIFORM = Weights({}, 1.0)


def weights_for(dossier: Dossier) -> Weights:
    """Inverse document frequency of each stem over every quote in ``dossier``."""
    quotes = [content_stems(cite.quote) for _, items in _collections(dossier) for i in items for cite in i.cites]
    total = len(quotes)
    if not total:
        return UNIFORM
    counts: dict[str, int] = {}
    for stems in quotes:
        for s in stems:
            counts[s] = counts.get(s, 0) + 1
    idf = {s: math.log((1 + total) / (1 + n)) + 1 for s, n in counts.items()}
    return Weights(idf, math.log(1 + total) + 1)


def share(said: frozenset[str], text: frozenset[str], weights: Weights) -> float:
    """How much of ``said`` (by weight) ``text`` also has, 0 to 1."""
    total = weights.of(said)
    return weights.of(said & text) / total if total > 0 else 0.0


# ---------------------------------------------------------------------------
# Hedges
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Hedge:
    """A qualifier a source may put on a claim.  ``find`` spots it in a quote; ``keep`` is what
    counts as keeping it in the dossier's own words (an equivalent qualifier will do)."""

    words: str
    find: re.Pattern[str]
    keep: re.Pattern[str]
    # Hedges of one family stand in for each other: "could" keeps "could potentially".
    family: str
    # A recommendation's title and text turn the source's "could consider" into advice; its
    # priority records how strongly the source put it.  Such hedges are not checked there.
    advice: bool = False


def _hedge(words: str, find: str, keep: str | None = None, family: str = "", advice: bool = False) -> Hedge:
    flags = re.IGNORECASE
    return Hedge(words, re.compile(find, flags), re.compile(keep or find, flags), family or words, advice)


# "so far" and "thus far" keep a date on a status, but are not looked for in quotes: "than has
# thus far been the case" compares, it does not date.
_TIME = r"\b(?:at|by) the time\b|\bas of\b|\bto date\b"
_TIME_KEPT = _TIME + r"|\b(?:so|thus) far\b"
HEDGES: tuple[Hedge, ...] = (
    _hedge("may", r"\bmay\b", family="possibility", advice=True),
    _hedge("might", r"\bmight\b", family="possibility", advice=True),
    _hedge("could", r"\bcould\b", family="possibility", advice=True),
    _hedge("potential", r"\bpotential(?:ly)?\b", family="possibility"),
    _hedge("possibly", r"\bpossib(?:le|ly|ility)\b", family="possibility", advice=True),
    _hedge("likely", r"\blikely\b", r"\b(?:likely|probabl[ey])\b"),
    _hedge("unlikely", r"\bunlikely\b"),
    _hedge("alleged", r"\balleged(?:ly)?\b"),
    _hedge("reportedly", r"\breported(?:ly)?\b", r"\breport(?:s|ed|edly)?\b|\baccording to\b"),
    _hedge("some", r"\bsome\b"),
    _hedge("in the longer term", r"\bin the long(?:er)? term\b"),
    _hedge("at the time", _TIME, _TIME_KEPT),
    _hedge("estimated", r"\bestimated?\b", r"\bestimat\w*|\baround\b|\babout\b|\bapproximately\b"),
    _hedge("expected to", r"\bexpected to\b", r"\bexpect\w*"),
    _hedge("plans to", r"\bplan(?:s|ned|ning)? to\b|\bplans\b", r"\bplan\w*|\bintend\w*"),
    _hedge("denied", r"\bden(?:ied|y|ies|ial)\b", r"\bden(?:ied|y|ies|ial)\b|\bdisputed?\b"),
    _hedge("under circumstances", r"\bunder circumstances\b", family="condition"),
    _hedge("including a freeze", r"\bincluding a freeze\b", r"\bfreeze\b", family="condition"),
    _hedge("if", r"\bif\b", r"\bif\b|\bonly\b|\bunless\b|\bprovided\b", advice=True),
)

# A quote's sentence is the one a text restates when they share at least this many content
# stems, and at least this share of the sentence's own; or when the text has most of the words
# the hedge qualifies (``WINDOW_AFTER`` content words after it, ``WINDOW_BEFORE`` before).  Tuned
# on the shipped dossier: every hedge its fact-check found dropped is caught, and none of its
# faithful restatements is flagged.
MIN_SHARED = 3
MIN_SHARE = 0.45
WINDOW_AFTER = 4
WINDOW_BEFORE = 2
MIN_WINDOW_SHARE = 0.7


def _content_words(text: str) -> list[str]:
    return [stem(word) for word in _WORD.findall(text) if word.lower() not in STOP_WORDS]


@lru_cache(maxsize=4096)
def hedges_in(sentence: str) -> tuple[tuple[Hedge, int, int], ...]:
    """Each hedge ``sentence`` has, with where its first occurrence starts and ends."""
    found = ((hedge, hedge.find.search(sentence)) for hedge in HEDGES)
    return tuple((hedge, match.start(), match.end()) for hedge, match in found if match)


def hedged_words(sentence: str, start: int, end: int) -> frozenset[str]:
    """The content stems next to the hedge at ``sentence[start:end]``: the words it qualifies."""
    before = _content_words(sentence[:start])[-WINDOW_BEFORE:] if WINDOW_BEFORE else []
    return frozenset(before + _content_words(sentence[end:])[:WINDOW_AFTER])


def restates(said: frozenset[str], text: frozenset[str], weights: Weights, minimum: float) -> bool:
    """Whether ``text`` has enough of ``said``: ``MIN_SHARED`` stems and ``minimum`` of their weight."""
    return len(said & text) >= MIN_SHARED and share(said, text, weights) >= minimum


def kept_families(text: str) -> frozenset[str]:
    """The hedge families ``text`` keeps (a hedge is kept by any of its family)."""
    return frozenset(hedge.family for hedge in HEDGES if hedge.keep.search(text))


@dataclass(frozen=True)
class DroppedHedge:
    """A field of the dossier that restates source sentences without their hedges."""

    path: Path
    item: str
    field: str
    words: tuple[str, ...]
    # Where each hedge is found: the source sentence around it, shortened.
    passages: tuple[str, ...]

    @property
    def message(self) -> str:
        listed = ", ".join(f'"{word}"' for word in self.words)
        plural = "s" if len(self.words) > 1 else ""
        quoted = " / ".join(f'"{passage}"' for passage in self.passages)
        return (
            f"{self.item}: the {self.field} drops the hedge{plural} {listed} that its source keeps: {quoted}; "
            "keep the qualifier, or say why it no longer applies"
        )


def excerpt(sentence: str, first: int, last: int, before: int = 60, after: int = 100) -> str:
    """The part of ``sentence`` around ``sentence[first:last]``, with "…" where it is cut."""
    start, end = max(0, first - before), min(len(sentence), last + after)
    if start > 0:  # begin and end at a word boundary
        start = sentence.find(" ", start, first) + 1 or start
    if end < len(sentence):
        cut = sentence.rfind(" ", last, end)
        end = cut if cut > 0 else end
    return ("…" if start > 0 else "") + sentence[start:end].strip() + ("…" if end < len(sentence) else "")


def _fields(item: Item, names: bool = False) -> Iterator[tuple[Path, str, str]]:
    """The dossier's own words in ``item``: (path within the item, field name, text).  With
    ``names``, also the fields that name who holds a view or what it is about (a holder, a
    topic): they say whose claim it is, not what is claimed, so hedges are not checked there."""
    if isinstance(item, Fact):
        yield ("statement",), "statement", item.statement
    elif isinstance(item, ThreatPerception):
        if names:
            yield ("holder",), "holder", item.holder
            yield ("threat",), "threat", item.threat
        yield ("statement",), "statement", item.statement
    elif isinstance(item, Divergence):
        if names:
            yield ("topic",), "topic", item.topic
        for index, position in enumerate(item.positions):
            if names:
                yield ("positions", index, "holder"), "holder", position.holder
            yield ("positions", index, "position"), "position", position.position
        if item.consequence:
            yield ("consequence",), "consequence", item.consequence
    elif isinstance(item, Recommendation):
        yield ("title",), "title", item.title
        yield ("text",), "text", item.text
        yield ("rationale",), "rationale", item.rationale
    elif isinstance(item, Event):
        yield ("event",), "event", item.event
    elif isinstance(item, Judgement):
        yield ("judgement",), "judgement", item.judgement


def _evidence(item: Item, field: str, items: dict[str, Item]) -> list[str]:
    """The texts whose hedges ``field`` of ``item`` must keep: its quotes and, for a
    recommendation's rationale, the quotes and statements of what it rests on."""
    texts = [cite.quote for cite in getattr(item, "cites", [])]
    if isinstance(item, Recommendation) and field == "rationale":
        for ref in item.rests_on:
            ground = items.get(ref)
            if ground is None:
                continue
            texts += [cite.quote for cite in getattr(ground, "cites", [])]
            texts += [text for _, _, text in _fields(ground)]
    return texts


def _collections(dossier: Dossier) -> Iterator[tuple[str, Sequence[Cited]]]:
    yield "facts", dossier.facts
    yield "threats", dossier.threats
    yield "divergences", dossier.divergences
    yield "recommendations", dossier.recommendations
    yield "timeline", dossier.timeline
    yield "judgements", dossier.judgements


def _items(dossier: Dossier) -> dict[str, Item]:
    found: dict[str, Item] = {}
    for _, items in _collections(dossier):
        for item in items:
            found[item.id] = item
    for question in dossier.questions:
        found[question.id] = question
    return found


def dropped_hedges(dossier: Dossier) -> list[DroppedHedge]:
    """Every field that restates a source sentence but leaves out a hedge the sentence has.

    Each hedge is reported once per item, at the field that restates its sentence most closely.
    The hedges are English words: a dossier in another language is not checked for them.
    """
    if not dossier.dossier.language.startswith("en"):
        return []
    items, weights = _items(dossier), weights_for(dossier)
    found: list[DroppedHedge] = []
    for key, collection in _collections(dossier):
        for index, item in enumerate(collection):
            found += _dropped_in(item, (key, index), items, weights)
    return found


def _dropped_in(item: Cited, base: Path, items: dict[str, Item], weights: Weights) -> list[DroppedHedge]:
    # For each hedge, the field that drops it and restates its sentence most closely:
    # (weighted share of the sentence restated, path, sentence, the passage to show).
    best: dict[str, tuple[float, Path, str, str]] = {}
    for path, field, text in _fields(item):
        stems, keeps = content_stems(text), kept_families(text)
        advice_field = isinstance(item, Recommendation) and field in ("title", "text")
        for evidence in _evidence(item, field, items):
            for sentence in sentences(evidence):
                found = [
                    (hedge, start, end)
                    for hedge, start, end in hedges_in(sentence)
                    if hedge.family not in keeps and not (advice_field and hedge.advice)
                ]
                if not found:
                    continue
                said = content_stems(sentence)
                whole = restates(said, stems, weights, MIN_SHARE)
                closeness = share(said, stems, weights)
                for hedge, start, end in found:
                    if closeness <= best.get(hedge.words, (-1.0,))[0]:
                        continue
                    if whole or restates(hedged_words(sentence, start, end), stems, weights, MIN_WINDOW_SHARE):
                        best[hedge.words] = (closeness, base + path, sentence, excerpt(sentence, start, end))
    # One finding per field, naming every hedge it drops and (once per sentence) where the source has it.
    words: dict[Path, list[str]] = {}
    passages: dict[Path, dict[str, str]] = {}
    for hedge in HEDGES:
        if hedge.words in best:
            _, path, sentence, passage = best[hedge.words]
            words.setdefault(path, []).append(hedge.words)
            passages.setdefault(path, {}).setdefault(sentence, passage)
    return [
        DroppedHedge(path, item.id, str(path[-1]), tuple(found), tuple(passages[path].values()))
        for path, found in words.items()
    ]


# ---------------------------------------------------------------------------
# Citations that support their claim
# ---------------------------------------------------------------------------

# A quote supports its claim when the content words they share carry at least this share of
# the smaller one's weight.  Words found in most quotes of a dossier (the names of the parties
# it is about) weigh little.  Tuned on the shipped dossier: every citation there supports its claim except the one
# its fact-check found added to lift a grade.
MIN_SUPPORT = 0.33


def claim_text(item: Item) -> str:
    """Everything ``item`` asserts in the dossier's own words, in one text."""
    if isinstance(item, Question):
        return item.question
    if isinstance(item, Recommendation):
        return f"{item.title}. {item.text}"
    return " ".join(text for _, _, text in _fields(item, names=True))


def support(quote: str, claim: str, weights: Weights = UNIFORM) -> float:
    """How much of the smaller of ``quote`` and ``claim`` (by weight) the other also says, 0 to 1."""
    quoted, claimed = content_stems(quote), content_stems(claim)
    smaller = min(weights.of(quoted), weights.of(claimed))
    return weights.of(quoted & claimed) / smaller if smaller > 0 else 0.0


def supports(citation: Citation, item: Item, weights: Weights = UNIFORM) -> bool:
    return support(citation.quote, claim_text(item), weights) >= MIN_SUPPORT


def supporting_citations(item: Item, weights: Weights | None = None) -> tuple[Citation, ...]:
    """The citations of ``item`` whose quotes support what it says: a claim's grade comes from
    these.  If none does (the check warns about each), all are returned, so that a claim is never
    left without a source.  A question cites nothing itself: it has none.

    Pass ``weights_for(dossier)``, computed once per dossier, to judge exactly as ``check`` does;
    without it every word weighs the same."""
    if isinstance(item, Question):
        return ()
    cites = tuple(item.cites)
    backing = tuple(cite for cite in cites if supports(cite, item, weights or UNIFORM))
    return backing or cites


@dataclass(frozen=True)
class WeakCitation:
    """A citation whose quote shares too little with the claim it is attached to."""

    path: Path
    item: str
    source: str
    score: float

    @property
    def message(self) -> str:
        return (
            f"{self.item}: the quote from {self.source} shares little with the claim "
            f"(overlap {self.score:.0%}, {MIN_SUPPORT:.0%} needed): it does not support the claim "
            "and must not lift its grade; cite where the source says it, or drop the citation"
        )


def weak_citations(dossier: Dossier) -> list[WeakCitation]:
    """Every citation that does not support its claim, located at its quote."""
    weights = weights_for(dossier)
    found = []
    for key, collection in _collections(dossier):
        for index, item in enumerate(collection):
            claim = claim_text(item)
            for cite_index, cite in enumerate(item.cites):
                score = support(cite.quote, claim, weights)
                if score < MIN_SUPPORT:
                    found.append(WeakCitation((key, index, "cites", cite_index, "quote"), item.id, cite.source, score))
    return found
