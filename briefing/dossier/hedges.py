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

Every text is read in its own language: the dossier's own words in the dossier's ``language``,
a quote in its source's (``sources[].language``, else the dossier's).  Each language has its
hedges, its function words and its way to bring inflected words to one form (``LEXICONS``:
English a light suffix stem, Polish the lemmas of simplemma, iterated, so "umocnienia" and
"umocnienie" meet).  A claim and a quote in different languages are compared through the
claim's translation into the quote's language where the dossier has one, and otherwise by
what needs no words: the numbers they state and their qualifiers ("około 700" against "700").
What cannot be judged is reported as a note (``unjudged``), never passed over in silence.

A hedge is looked for clause by clause as well: a statement that restates a quote's clause
("which could extend to over the next 10-15 years") must keep that clause's hedge, whatever
hedges its other clauses keep.

Each text's sentences, clauses, stems and hedges are worked out once (``analysed``), and a
quote that shares too few words with a field is passed over before its sentences are
looked at, so the time grows with the dossier, not with its square.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
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
from briefing.languages.numbers import bound, qualifier_words, read_numbers

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
_POLISH_STOP = """a aby albo ale ani aż bardzo bez bo być był była było były będzie będą by byłby choć ci co czy
    dla do dotąd gdy gdyż go i ich im inne innych iż ja jak jako je jednak jego jej jest jeszcze
    jeśli jeżeli już ją kiedy która które którego której który których którzy ku lecz lub ma mają
    mi mnie może mogą mogło mogła mógł mogłaby mogłoby mógłby mogłyby mu na nad nam nas nawet nich
    nie niż o od oraz po pod podobno ponad potencjalnie prawdopodobnie przed przez przy rzekomo się
    są ta tak także tam te tego tej ten też to tu tych tym u w we według wraz wszystko z za ze że
    żeby około ok niektóre niektórzy niektórych część"""
_POLISH_STOP_WORDS = frozenset(_POLISH_STOP.split())
_SUFFIXES = ("ing", "ed", "es", "s", "ly")
# Stems are cut to this length: it joins British and American spellings (destabilise,
# destabilize) and word families (provoke, provocation) without a dictionary.
STEM_LENGTH = 5
# A Polish name the lemma dictionary does not know ("Wardanii", "Wardanią") is cut to this
# many letters, so that its cases meet.
NAME_LENGTH = 6


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """A light English stem: lower case, no possessive, no common suffix, at most ``STEM_LENGTH`` letters."""
    word = word.lower().replace("’", "'")
    if word.endswith("'s"):
        word = word[:-2]
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            word = word[: -len(suffix)]
            break
    return word[:STEM_LENGTH]


@lru_cache(maxsize=65536)
def polish_lemma(word: str) -> str:
    """The dictionary form of a Polish word, with simplemma, taken until it no longer changes:
    "umocnienia" -> "umocnienie" -> "umocnić", as "umocnienie" -> "umocnić"."""
    import simplemma

    word = word.lower()
    if not simplemma.is_known(word, lang="pl"):
        return word[:NAME_LENGTH]
    seen = {word}
    for _ in range(3):
        lemma = str(simplemma.lemmatize(word, lang="pl")).lower()
        if lemma in seen:
            break
        seen.add(lemma)
        word = lemma
    return word


def base_language(language: str) -> str:
    return language.split("-")[0].lower()


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
    # Hedges of one family stand in for each other: "could" keeps "could potentially"; a
    # family is the same in every language, so "może" keeps "may" in a translation.
    family: str
    # A recommendation's title and text turn the source's "could consider" into advice; its
    # priority records how strongly the source put it.  Such hedges are not checked there.
    advice: bool = False


def _hedge(words: str, find: str, keep: str | None = None, family: str = "", advice: bool = False) -> Hedge:
    flags = re.IGNORECASE

    def spaced(pattern: str) -> str:  # a space in a pattern is any white space: translators type no-break spaces
        return pattern.replace(" ", r"\s+")

    find_pattern, keep_pattern = re.compile(spaced(find), flags), re.compile(spaced(keep or find), flags)
    return Hedge(words, find_pattern, keep_pattern, family or words, advice)


# "so far" and "thus far" keep a date on a status, but are not looked for in quotes: "than has
# thus far been the case" compares, it does not date.
_TIME = r"\b(?:at|by) the time\b|\bas of\b|\bto date\b"
_TIME_KEPT = _TIME + r"|\b(?:so|thus) far\b"
HEDGES: tuple[Hedge, ...] = (
    # Not the month: "20 May 2025", "May 2024".
    _hedge("may", r"(?<!\d\s)\bmay\b(?!\s\d)", family="possibility", advice=True),
    _hedge("might", r"\bmight\b", family="possibility", advice=True),
    _hedge("could", r"\bcould\b", family="possibility", advice=True),
    _hedge("potential", r"\bpotential(?:ly)?\b", family="possibility"),
    _hedge("possibly", r"\bpossib(?:le|ly|ility)\b", family="possibility", advice=True),
    _hedge("likely", r"\blikely\b", r"\b(?:likely|probabl[ey])\b"),
    _hedge("unlikely", r"\bunlikely\b"),
    _hedge("alleged", r"\balleged(?:ly)?\b"),
    _hedge("reportedly", r"\breported(?:ly)?\b", r"\breport(?:s|ed|edly)?\b|\baccording to\b"),
    # Attribution: kept by naming who says it ("Polish 'według'").
    _hedge(
        "according to",
        r"\baccording to\b",
        r"\baccording to\b|\bby sources?\b|\breport\w*|\bsays?\b|\bsaid\b|\bclaims?\b|\bstates?\b",
    ),
    _hedge("some", r"\bsome\b(?!\s\d)", r"\bsome\b|\bpart of\b"),
    # "some 45 million": an approximation, kept by "about", "około", "약".
    _hedge("some (about)", r"\bsome(?=\s\d)", r"\b(?:some|about|around|approximately|roughly)\b", family="estimated"),
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
# Polish: the same families, with their inflected forms ("może", "mogą", "mógłby", "mogłaby").
_MOZE = r"\bmo(?:że|żesz|żemy|żecie|gą|gę|gło|gła|gli|gły|głyby|głoby|głaby|gliby|glibyśmy)\b|\bmógł(?:by)?\b"
_PL_TIME_KEPT = (
    r"\bdotąd\b|\bdo tej pory\b|\bdotychczas\w*|\bdo (?:\w+ )?\d{4}\b|\bw \w+ \d{4}\b|\bstan(?:u|ie)? na\b"
    r"|\bw chwili\b|\bw momencie\b|\bw czasie\b"
)
POLISH_HEDGES: tuple[Hedge, ...] = (
    _hedge("może", _MOZE, family="possibility", advice=True),
    _hedge("potencjalnie", r"\bpotencjaln\w*", r"\bpotencja(?:ln|ł)\w*", family="possibility"),
    _hedge("ewentualnie", r"\bewentualn\w*|\bmożliw\w*", family="possibility", advice=True),
    _hedge(
        "prawdopodobnie",
        r"(?<!mało\s)\bprawdopodobn\w*",
        r"(?<!mało\s)\bprawdopodobn\w*|\bzapewne\b|\bnajpewniej\b|\bprzypuszczaln\w*",
        family="likely",
    ),
    _hedge("mało prawdopodobne", r"\bmało prawdopodobn\w*|\bnieprawdopodobn\w*", family="unlikely"),
    _hedge("rzekomo", r"\brzekom\w*|\bdomniema\w*", family="alleged"),
    _hedge(
        "podobno",
        r"\bpodobno\b|\bjakoby\b",
        r"\bpodobno\b|\bjakoby\b|\bwedług\b|\bdonos\w*|\bpoda(?:j|w)\w*|\binformuj\w*",
        family="reportedly",
    ),
    _hedge(
        "według",
        r"\bwedług\b|\bzdaniem\b",
        r"\bwedług\b|\bzdaniem\b|\bpodobno\b|\btwierdz\w*|\buważ\w*|\bocen\w*|\bzapowi\w*|\bpodaj\w*",
        family="according to",
    ),
    _hedge("niektórzy", r"\bniektór\w*|\bczęść\b|\bczęści\b", family="some"),
    _hedge(
        "w dłuższej perspektywie",
        r"\bw dłuższej perspektywie\b|\bw dłuższym okresie\b|\bw długim okresie\b|\bdługofalowo\b",
        family="in the longer term",
    ),
    _hedge("wówczas", r"\bwówczas\b|\bw tamtym czasie\b|\bna dzień\b", _PL_TIME_KEPT, family="at the time"),
    _hedge(
        "szacunkowo",
        r"\bszac\w*|\boszacow\w*",
        r"\bszac\w*|\boszacow\w*|\bokoło\b|\bok\.|\bmniej więcej\b|\brzędu\b",
        family="estimated",
    ),
    _hedge(
        "oczekuje się",
        r"\boczekuje się\b|\bspodziewa\w*|\bprzewiduje się\b|\bprognoz\w*",
        r"\boczekiw\w*|\boczekuje\b|\bspodziew\w*|\bprzewid\w*|\bprognoz\w*|\bma(?:ją)? (?:być|wynieść|zostać)\b",
        family="expected to",
    ),
    _hedge(
        "planuje",
        r"\bplanuj\w*|\bzamierza\w*",
        r"\bplan\w*|\bzamierz\w*|\bzapowi\w*|\bma(?:ją)? (?:być|wynieść|zostać)\b",
        family="plans to",
    ),
    _hedge(
        "zaprzecza", r"\bzaprzecz\w*|\bdementuj\w*|\bzdementow\w*", r"\bzaprzecz\w*|\bdement\w*|\bkwestion\w*", "denied"
    ),
    _hedge("w sprzyjających okolicznościach", r"\bw sprzyjających (?:\w+ )?okolicznościach\b", family="condition"),
    _hedge(
        "jeśli",
        r"\bjeśli\b|\bjeżeli\b|\bgdyby\b|\bo ile\b",
        r"\bjeśli\b|\bjeżeli\b|\bgdyby\b|\bo ile\b|\btylko\b|\bpod warunkiem\b|\bchyba że\b|\bw (?:razie|przypadku)\b",
        "if",
        advice=True,
    ),
)
# ko: the hedges of the plain written style (한다체).
KO_HEDGES: tuple[Hedge, ...] = (
    _hedge(
        "~ㄹ 수 있다",
        r"[가-힣]\s?수\s?(?:있|도\s?있)|가능성|가능하",
        r"[가-힣]\s?수\s?(?:있|도\s?있)|가능|만한|만하",
        family="possibility",
        advice=True,
    ),
    _hedge("잠재적", r"잠재적|잠재력", family="possibility"),
    _hedge("~ㄹ 것으로 보인다", r"것으로\s?(?:보인|보이|예상|전망)|가능성이\s?높|아마", family="likely"),
    _hedge("전망", r"전망|예상|예측", r"전망|예상|예측|것으로|계획|예정", family="expected to"),
    _hedge("추정", r"추정|추산", r"추정|추산|약\s?\d|가량|정도", family="estimated"),
    _hedge(
        "~라고 한다",
        r"[가-힣]+고\s?한다|보도|전해졌|알려졌",
        r"보도|보고|전해|알려|따르면|[가-힣]+고\s?한다|밝혔",
        family="reportedly",
    ),
    _hedge("이른바", r"이른바|주장되는|의혹", r"이른바|주장|의혹", family="alleged"),
    _hedge("일부", r"일부", family="some"),
    _hedge("장기적으로", r"장기적|장기간|길게\s?보면", family="in the longer term"),
    _hedge("부인", r"부인|부정했|부정하", family="denied"),
    _hedge("따르면", r"따르면|의하면", r"따르면|의하면|밝혔|보도|발표|집계", family="according to"),
    _hedge("당시", r"당시|시점", r"당시|시점|기준|현재|지금까지|까지", family="at the time"),
    _hedge("계획", r"계획|예정", r"계획|예정|방침", family="plans to"),
    _hedge("상황에서", r"상황에서|여건에서", r"상황|여건|조건|경우", family="condition"),
    _hedge("~면", r"[가-힣](?:다|으|하)?면\b|경우", r"[가-힣]면\b|경우|조건", family="if", advice=True),
)


@dataclass(frozen=True)
class Lexicon:
    """What the checks know of one language: its hedges, its function words, and how its words
    are brought to one form.  ``stem`` is None where no stemmer or lemmatiser for the language
    is at hand: the words of two texts in it cannot then be compared (only hedges and numbers)."""

    language: str
    hedges: tuple[Hedge, ...]
    stop_words: frozenset[str]
    stem: Callable[[str], str] | None


LEXICONS: dict[str, Lexicon] = {
    "en": Lexicon("en", HEDGES, STOP_WORDS, stem),
    "pl": Lexicon("pl", POLISH_HEDGES, _POLISH_STOP_WORDS, polish_lemma),
    "ko": Lexicon("ko", KO_HEDGES, frozenset(), None),
}


def lexicon(language: str) -> Lexicon | None:
    """The lexicon of ``language``, or None where the checks do not know it."""
    return LEXICONS.get(base_language(language))


def _stems(text: str, language: str) -> frozenset[str]:
    known = lexicon(language)
    if known is None or known.stem is None:
        return frozenset()
    return frozenset(known.stem(word) for word in _WORD.findall(text) if word.lower() not in known.stop_words)


# The same quotes and statements are compared with many fields: their words are worked out once.
@lru_cache(maxsize=65536)
def content_stems(text: str, language: str = "en") -> frozenset[str]:
    """The stems of the words in ``text`` that carry content (stop words and hedges left out)."""
    return _stems(text, language)


_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[^\W\d_a-ząćęłńóśźż]|[0-9\"“„(])|\s*…\s*|;\s+")
# Clauses: the parts of a sentence between commas, colons, dashes and brackets.
_CLAUSE_END = re.compile(r"\s*[,:()]\s*|\s+[-–—]\s+")


@lru_cache(maxsize=65536)
def sentences(text: str) -> tuple[str, ...]:
    """``text`` cut into sentences; an ellipsis ("…", words left out of a quote) also cuts."""
    return tuple(part.strip() for part in _SENTENCE_END.split(" ".join(text.split())) if part.strip())


# A clause with fewer content words than this joins the next one: "In contrast," says nothing alone.
MIN_CLAUSE_STEMS = 2


@lru_cache(maxsize=65536)
def clauses(sentence: str, language: str = "en") -> tuple[tuple[int, str], ...]:
    """``sentence`` cut into clauses, each with where it starts; short ones joined to the next."""
    parts: list[tuple[int, str]] = []
    start = 0
    pending = -1
    for end_match in [*_CLAUSE_END.finditer(sentence), None]:
        end = end_match.start() if end_match else len(sentence)
        first = pending if pending >= 0 else start
        text = sentence[first:end]
        if text.strip() and (len(_stems(text, language)) >= MIN_CLAUSE_STEMS or end_match is None):
            parts.append((first, text))
            pending = -1
        elif text.strip():
            pending = first
        start = end_match.end() if end_match else len(sentence)
    return tuple(parts)


@dataclass(frozen=True)
class Weights:
    """How much each content stem says: rare stems in the dossier's quotes weigh more (idf).

    It also says how the dossier's texts are read: the dossier's own words in ``language``, each
    quote in its source's language (``sources``), and where a field is translated
    (``translated``: language -> item id -> the translated item) so that a claim can be read
    against a quote in another language through its translation."""

    idf: dict[str, float]
    default: float
    language: str = "en"
    sources: Mapping[str, str] = field(default_factory=dict)
    translated: Mapping[str, Mapping[str, object]] = field(default_factory=dict)

    # The weight of each set of stems already weighed: a quote's sentence is weighed against
    # every field that rests on it.
    memo: dict[frozenset[str], float] = field(default_factory=dict, compare=False, repr=False)

    def of(self, stems: frozenset[str]) -> float:
        found = self.memo.get(stems)
        if found is None:
            if len(self.memo) > 200_000:
                self.memo.clear()
            found = self.memo[stems] = sum(self.idf.get(s, self.default) for s in stems)
        return found

    def quote_language(self, cite: Citation) -> str:
        return self.sources.get(cite.source, self.language)


UNIFORM = Weights({}, 1.0)


def weights_for(dossier: Dossier, translated: Mapping[str, Mapping[str, object]] | None = None) -> Weights:
    """Inverse document frequency of each stem over every quote in ``dossier``, and how its
    texts are read (``Weights``)."""
    language = dossier.dossier.language
    sources = {source.id: source.language or language for source in dossier.sources}
    quotes = [
        content_stems(cite.quote, sources.get(cite.source, language))
        for _, items in collections(dossier)
        for i in items
        for cite in i.cites
    ]
    total = len(quotes)
    if not total:
        return Weights({}, 1.0, language, sources, translated or {})
    counts: dict[str, int] = {}
    for stems in quotes:
        for s in stems:
            counts[s] = counts.get(s, 0) + 1
    idf = {s: math.log((1 + total) / (1 + n)) + 1 for s, n in counts.items()}
    return Weights(idf, math.log(1 + total) + 1, language, sources, translated or {})


def share(said: frozenset[str], text: frozenset[str], weights: Weights) -> float:
    """How much of ``said`` (by weight) ``text`` also has, 0 to 1."""
    total = weights.of(said)
    return weights.of(said & text) / total if total > 0 else 0.0


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
# A statement's clause restates a quote's clause when it has this share of its words (and
# ``MIN_SHARED`` of them): then the hedge of that clause must be in that clause.
MIN_CLAUSE_SHARE = 0.8


def _content_words(text: str, language: str = "en") -> list[str]:
    known = lexicon(language)
    if known is None or known.stem is None:
        return []
    return [known.stem(word) for word in _WORD.findall(text) if word.lower() not in known.stop_words]


@lru_cache(maxsize=65536)
def hedges_in(sentence: str, language: str = "en") -> tuple[tuple[Hedge, int, int], ...]:
    """Each hedge ``sentence`` has, with where its first occurrence starts and ends."""
    known = lexicon(language)
    found = ((hedge, hedge.find.search(sentence)) for hedge in (known.hedges if known else ()))
    return tuple((hedge, match.start(), match.end()) for hedge, match in found if match)


def hedged_words(sentence: str, start: int, end: int, language: str = "en") -> frozenset[str]:
    """The content stems next to the hedge at ``sentence[start:end]``: the words it qualifies."""
    before = _content_words(sentence[:start], language)[-WINDOW_BEFORE:] if WINDOW_BEFORE else []
    return frozenset(before + _content_words(sentence[end:], language)[:WINDOW_AFTER])


def restates(said: frozenset[str], text: frozenset[str], weights: Weights, minimum: float) -> bool:
    """Whether ``text`` has enough of ``said``: ``MIN_SHARED`` stems and ``minimum`` of their weight."""
    return len(said & text) >= MIN_SHARED and share(said, text, weights) >= minimum


@lru_cache(maxsize=65536)
def kept_families(text: str, language: str = "en") -> frozenset[str]:
    """The hedge families ``text`` keeps (a hedge is kept by any of its family)."""
    known = lexicon(language)
    return frozenset(hedge.family for hedge in (known.hedges if known else ()) if hedge.keep.search(text))


def hedges_lost_in_translation(
    original: str, original_language: str, translation: str, language: str
) -> tuple[Hedge, ...]:
    """The hedges of ``original`` whose family ``translation`` keeps nowhere, in its own language's
    words ("may" with no "może", "mogą" … in the Polish): a translation must keep every qualifier.
    Nothing where the checks know either language's hedges not at all."""
    if lexicon(original_language) is None or lexicon(language) is None:
        return ()
    kept = kept_families(translation, language)
    dropped: dict[str, Hedge] = {}
    for sentence in sentences(original):
        for hedge, _start, _end in hedges_in(sentence, original_language):
            if hedge.family not in kept:
                dropped.setdefault(hedge.family, hedge)
    return tuple(dropped.values())


@dataclass(frozen=True)
class _Sentence:
    """A hedged sentence of a quote, worked out once: its stems, hedges and clauses."""

    text: str
    stems: frozenset[str]
    hedges: tuple[tuple[Hedge, int, int], ...]
    # The words each hedge qualifies (``hedged_words``), in the order of ``hedges``.
    windows: tuple[frozenset[str], ...]
    # Each clause with hedges: where it starts, its text, its stems, and its hedges.
    clauses: tuple[tuple[int, str, frozenset[str], tuple[tuple[Hedge, int, int], ...]], ...]


@dataclass(frozen=True)
class _Analysed:
    """A text, worked out once: all its stems (to pass over it quickly) and its hedged sentences."""

    stems: frozenset[str]
    hedged: tuple[_Sentence, ...]


@lru_cache(maxsize=65536)
def analysed(text: str, language: str) -> _Analysed:
    hedged = []
    for sentence in sentences(text):
        found = hedges_in(sentence, language)
        if found:
            windows = tuple(hedged_words(sentence, start, end, language) for _, start, end in found)
            parts = tuple(
                (start, part, stems, hedged_parts)
                for start, part in clauses(sentence, language)
                if (hedged_parts := hedges_in(part, language)) and len(stems := _stems(part, language)) >= MIN_SHARED
            )
            hedged.append(_Sentence(sentence, _stems(sentence, language), found, windows, parts))
    return _Analysed(_stems(text, language), tuple(hedged))


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


def _evidence(item: Item, field: str, items: dict[str, Item], weights: Weights = UNIFORM) -> list[tuple[str, str]]:
    """The texts whose hedges ``field`` of ``item`` must keep, each with its language: its quotes
    and, for a recommendation's rationale, the quotes and statements of what it rests on."""
    texts = [(cite.quote, weights.quote_language(cite)) for cite in getattr(item, "cites", [])]
    if isinstance(item, Recommendation) and field == "rationale":
        for ref in item.rests_on:
            ground = items.get(ref)
            if ground is None:
                continue
            texts += [(cite.quote, weights.quote_language(cite)) for cite in getattr(ground, "cites", [])]
            texts += [(text, weights.language) for _, _, text in _fields(ground)]
    return texts


def _translated_field(item: Item, path: Path, language: str, weights: Weights) -> str | None:
    """The text at ``path`` of ``item`` in its translation into ``language``, if it is translated."""
    from briefing.languages.i18n import Foreign  # a lower layer; imported here, where it is needed

    translated = weights.translated.get(base_language(language), {}).get(item.id)
    if translated is None:
        return None
    for at, _, text in _fields(translated, names=True):  # type: ignore[arg-type]
        if at == path:
            return None if isinstance(text, Foreign) else text
    return None


def _as_read(item: Item, path: Path, text: str, language: str, weights: Weights) -> str | None:
    """``text`` (a field of ``item``, in the dossier's language) as it can be read against a text in
    ``language``: itself, its translation into that language, or None where the words of the two
    cannot be compared (no translation, or no stemmer for the language)."""
    known = lexicon(language)
    if known is None or known.stem is None:
        return None
    if base_language(language) == base_language(weights.language):
        return text
    return _translated_field(item, path, language, weights)


def collections(dossier: Dossier) -> Iterator[tuple[str, Sequence[Cited]]]:
    yield "facts", dossier.facts
    yield "threats", dossier.threats
    yield "divergences", dossier.divergences
    yield "recommendations", dossier.recommendations
    yield "timeline", dossier.timeline
    yield "judgements", dossier.judgements


def _items(dossier: Dossier) -> dict[str, Item]:
    found: dict[str, Item] = {}
    for _, items in collections(dossier):
        for item in items:
            found[item.id] = item
    for question in dossier.questions:
        found[question.id] = question
    return found


def dropped_hedges(dossier: Dossier, weights: Weights | None = None) -> list[DroppedHedge]:
    """Every field that restates a source sentence or clause but leaves out a hedge it has.

    Each hedge is reported once per item, at the field that restates its sentence most closely.
    Pass ``weights_for(dossier, translated)`` to read quotes in another language through the
    claims' translations; ``unjudged`` says what could not be compared.
    """
    items, weights = _items(dossier), weights or weights_for(dossier)
    found: list[DroppedHedge] = []
    for key, collection in collections(dossier):
        for index, item in enumerate(collection):
            found += _dropped_in(item, (key, index), items, weights)
    return found


# A hedge: (closeness of the restatement, path of the field, the source sentence, the passage to show).
_Found = tuple[float, Path, str, str]


def _dropped_in(item: Cited, base: Path, items: dict[str, Item], weights: Weights) -> list[DroppedHedge]:
    # For each hedge, the field that drops it and restates its sentence most closely.
    best: dict[str, _Found] = {}
    order: list[str] = []
    for path, name, own in _fields(item):
        advice_field = isinstance(item, Recommendation) and name in ("title", "text")
        for evidence, language in _evidence(item, name, items, weights):
            _qualifiers_dropped(own, weights.language, evidence, language, base + path, best, order)
            text = _as_read(item, path, own, language, weights)
            if text is None:
                continue  # counted by ``unjudged``
            # Read through a translation, a hedge is kept only if the dossier's own words keep it too.
            also = None if text is own else kept_families(own, weights.language)
            _hedges_dropped(text, language, evidence, advice_field, base + path, weights, best, order, also)
    # One finding per field, naming every hedge it drops and (once per sentence) where the source has it.
    words: dict[Path, list[str]] = {}
    passages: dict[Path, dict[str, str]] = {}
    for word in order:
        _, path, sentence, passage = best[word]
        words.setdefault(path, []).append(word)
        passages.setdefault(path, {}).setdefault(sentence, passage)
    return [
        DroppedHedge(path, item.id, str(path[-1]), tuple(found), tuple(passages[path].values()))
        for path, found in words.items()
    ]


def _record(best: dict[str, _Found], order: list[str], word: str, found: _Found) -> None:
    if word not in best:
        order.append(word)
    if found[0] > best.get(word, (-1.0,))[0]:
        best[word] = found


def _hedges_dropped(
    text: str,
    language: str,
    evidence: str,
    advice_field: bool,
    path: Path,
    weights: Weights,
    best: dict[str, _Found],
    order: list[str],
    also_kept: frozenset[str] | None = None,
) -> None:
    """The hedges of ``evidence``'s sentences and clauses that ``text`` (in the same language)
    restates without; with ``also_kept``, a hedge counts as kept only if it is in it too."""
    stems = content_stems(text, language)
    source = analysed(evidence, language)
    if len(stems & source.stems) < MIN_SHARED:
        return  # shares too little with the whole quote to restate any sentence of it
    keeps = kept_families(text, language)
    if also_kept is not None:
        keeps &= also_kept
    own_clauses = [(part, content_stems(part, language)) for _, part in clauses(text, language)]
    for sentence in source.hedged:
        if len(sentence.stems & stems) < MIN_SHARED:
            continue  # its windows and clauses are parts of it: none can be restated either
        closeness = share(sentence.stems, stems, weights)
        whole = restates(sentence.stems, stems, weights, MIN_SHARE)
        for (hedge, start, end), window in zip(sentence.hedges, sentence.windows, strict=True):
            if hedge.family in keeps or (advice_field and hedge.advice):
                continue
            if closeness <= best.get(hedge.words, (-1.0,))[0]:
                continue
            if whole or restates(window, stems, weights, MIN_WINDOW_SHARE):
                _record(best, order, hedge.words, (closeness, path, sentence.text, excerpt(sentence.text, start, end)))
        # Clause by clause: a hedge the field keeps somewhere must be in the clause that restates
        # the source's clause ("could extend" -> "will extend", though "could rebuild" stays).
        for first, clause, clause_stems, clause_hedges in sentence.clauses:
            if len(clause_stems & stems) < MIN_SHARED:
                continue
            for hedge, start, end in clause_hedges:
                if hedge.family not in keeps or (advice_field and hedge.advice):
                    continue
                scored = [(share(clause_stems, own_stems, weights), part, own_stems) for part, own_stems in own_clauses]
                if not scored:
                    continue
                score, part, own_stems = max(scored, key=lambda found: found[0])
                if not restates(clause_stems, own_stems, weights, MIN_CLAUSE_SHARE):
                    continue
                if hedge.family in kept_families(part, language):
                    continue
                at, word = first + start, clause[start:end].lower()  # the word as written: "mogą"
                _record(best, order, word, (score, path, sentence.text, excerpt(sentence.text, at, first + end)))


_NEGATION = re.compile(r"\b(?:not|no|never|nie|nigdy|않|없)\b|않|없", re.IGNORECASE)


def _qualifiers_dropped(
    text: str,
    language: str,
    evidence: str,
    evidence_language: str,
    path: Path,
    best: dict[str, _Found],
    order: list[str],
) -> None:
    """A number of ``evidence`` that ``text`` states without its qualifier ("około 700 km" as
    "700 km"): numbers read in each text's own language, so this needs no translation."""
    # Numbers in digits only: a number word ("twice", "two") is too common to be matched by value;
    # and not a qualifier under a negation ("shall not reduce deliveries below 25 million" is "at least").
    source = [
        number
        for number in read_numbers(evidence, evidence_language, words=False)
        if number.qualifier and not _NEGATION.search(evidence[max(0, number.start - 45) : number.start])
    ]
    if not source:
        return
    stated = read_numbers(text, language, words=False)
    for number in source:
        same = [own for own in stated if abs(own.amount - number.amount) <= 1e-9 * max(1.0, abs(number.amount))]
        if not same or any(own.qualifier and bound(own.qualifier) == bound(number.qualifier or "") for own in same):
            continue
        word = qualifier_words(evidence, number, evidence_language).lower()  # "około", "over"
        _record(best, order, word, (1.0, path, evidence, excerpt(evidence, max(0, number.start - 12), number.end)))


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


def support(quote: str, claim: str, weights: Weights = UNIFORM, language: str | None = None) -> float:
    """How much of the smaller of ``quote`` and ``claim`` (by weight) the other also says, 0 to 1
    (both read in ``language``, by default the dossier's)."""
    language = language or weights.language
    quoted, claimed = content_stems(quote, language), content_stems(claim, language)
    smaller = min(weights.of(quoted), weights.of(claimed))
    return weights.of(quoted & claimed) / smaller if smaller > 0 else 0.0


def _names_and_numbers(text: str, language: str) -> frozenset[str]:
    """What two texts in different languages can share word for word: numbers, and names
    (capitalised words, cut to five letters so that "Wardania" meets "Wardanią" and "Wardanian")."""
    numbers = {f"{number.amount:.6g}" for number in read_numbers(text, language, words=False)}
    names = {word[:5].lower() for word in _WORD.findall(text)[1:] if word[:1].isupper() and len(word) > 2}
    return frozenset(numbers | names)


def citation_support(cite: Citation, item: Item, weights: Weights = UNIFORM) -> float | None:
    """How much ``cite``'s quote supports ``item`` (``support``), or None where it cannot be
    judged: a quote in another language than the claim's, with no translation of the claim into
    it and no number or name the two share."""
    language = weights.quote_language(cite)
    if base_language(language) == base_language(weights.language):
        known = lexicon(language)
        return support(cite.quote, claim_text(item), weights, language) if known and known.stem else None
    translated = _translated_claim(item, language, weights)
    if translated is not None:
        return support(cite.quote, translated, weights, language)
    shared = _names_and_numbers(cite.quote, language) & _names_and_numbers(claim_text(item), weights.language)
    return 1.0 if shared else None


def _translated_claim(item: Item, language: str, weights: Weights) -> str | None:
    """``claim_text`` of ``item`` in its translation into ``language``, if every part is translated."""
    known = lexicon(language)
    if known is None or known.stem is None:
        return None
    parts = [_translated_field(item, path, language, weights) for path, _, _ in _fields(item, names=True)]
    if isinstance(item, Recommendation):
        parts = [
            _translated_field(item, ("title",), language, weights),
            _translated_field(item, ("text",), language, weights),
        ]
    if not parts or any(part is None for part in parts):
        return None
    return " ".join(part for part in parts if part)


def supports(citation: Citation, item: Item, weights: Weights = UNIFORM) -> bool:
    """Whether ``citation`` supports ``item``; one that cannot be judged is taken to (``unjudged`` says so)."""
    score = citation_support(citation, item, weights)
    return score is None or score >= MIN_SUPPORT


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


def weak_citations(dossier: Dossier, weights: Weights | None = None) -> list[WeakCitation]:
    """Every citation that does not support its claim, located at its quote."""
    weights = weights or weights_for(dossier)
    found = []
    for key, collection in collections(dossier):
        for index, item in enumerate(collection):
            for cite_index, cite in enumerate(item.cites):
                score = citation_support(cite, item, weights)
                if score is not None and score < MIN_SUPPORT:
                    found.append(WeakCitation((key, index, "cites", cite_index, "quote"), item.id, cite.source, score))
    return found


# ---------------------------------------------------------------------------
# What the checks could not judge
# ---------------------------------------------------------------------------


def unjudged(dossier: Dossier, weights: Weights | None = None) -> list[str]:
    """What the hedge and support checks could not compare, one note per pair of languages (and
    per language they do not know): a check that cannot judge says so."""
    weights = weights or weights_for(dossier)
    own = weights.language
    notes: list[str] = []
    if lexicon(own) is None or lexicon(own).stem is None:  # type: ignore[union-attr]
        notes.append(
            f"the hedge and support checks do not know the dossier's language {own!r} (they read "
            f"{', '.join(sorted(LEXICONS))}): hedges and citations were compared only by their numbers"
        )
    hedges_unread: dict[str, list[str]] = {}
    support_unread: dict[str, list[str]] = {}
    for _, collection in collections(dossier):
        for item in collection:
            for cite in item.cites:
                language = weights.quote_language(cite)
                if base_language(language) == base_language(own):
                    continue
                if _translated_claim(item, language, weights) is None:
                    hedges_unread.setdefault(language, []).append(item.id)
                    if citation_support(cite, item, weights) is None:
                        support_unread.setdefault(language, []).append(item.id)
    for language, ids in hedges_unread.items():
        listed = ", ".join(dict.fromkeys(ids))
        count = len(dict.fromkeys(ids))
        notes.append(
            f"{count} claim(s) in {own!r} cite quotes in {language!r} and have no translation into {language!r}: "
            f"their hedges were compared only where they qualify numbers ({listed}); "
            f"a translations/{base_language(language)}.yaml lets the check read them"
        )
    for language, ids in support_unread.items():
        listed = ", ".join(dict.fromkeys(ids))
        notes.append(
            f"whether the quotes in {language!r} support {len(dict.fromkeys(ids))} claim(s) in {own!r} could not be "
            f"judged (no translation, no number or name in common): read them yourself ({listed})"
        )
    return notes
