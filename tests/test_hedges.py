"""`generate check` keeps analysts honest: a hedge the dossier's own words drop, or a citation
whose quote does not say what its claim says, is a warning with file:line and the words.

Each defect the fact-check of issue 12 found is put back into a copy of the shipped dossier,
and `check` must point at it; the shipped dossier itself must check without such a warning.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result

from briefing.dossier.hedges import hedges_lost_in_translation
from briefing.dossier.schema import Citation, Fact

HEDGE = "drops the hedge"
SUPPORT = "does not support"


def honesty_warnings(result: Result) -> list[dict[str, Any]]:
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert not report["errors"], report["errors"]
    return [w for w in report["warnings"] if HEDGE in w["message"] or SUPPORT in w["message"]]


def test_the_shipped_dossier_has_no_hedge_or_support_warning(cli: Callable[..., Result], repo_root: Path) -> None:
    warnings = honesty_warnings(cli("check", "--data", repo_root / "data", "--format", "json"))

    assert warnings == [], "\n".join(w["text"] for w in warnings)


def field_line(text: str, line: int) -> int:
    """The line of the YAML key whose value holds ``line``: where a warning about it points."""
    lines = text.splitlines()
    while line > 1 and not re.match(r"^\s*(?:- )?[a-z_]+:", lines[line - 1]):
        line -= 1
    return line


@dataclass(frozen=True)
class Defect:
    """A fact-check finding put back: in ``file``, ``old`` becomes ``new``; ``check`` must warn
    once, on the line where ``old`` starts, naming every one of ``words``."""

    name: str
    file: str
    old: str
    new: str
    words: tuple[str, ...]
    marker: str = HEDGE


DEFECTS = [
    # 2. An October 2024 status stated as current.
    Defect(
        "status-without-date",
        "recommendations.yaml",
        "    rationale: >-\n      As of October 2024, implementing agreements on industrial cooperation were still\n"
        "      being negotiated;",
        "    rationale: >-\n      Implementing agreements on industrial cooperation are still\n      being negotiated;",
        ('"at the time"',),
    ),
    # 3. Industry rec 3's rationale without "in the longer term", "potential" and "could".
    Defect(
        "longer-term-potential-could",
        "recommendations.yaml",
        # The rationale in the unit's words (issue 23: no sentence of the fact printed twice).
        "    rationale: >-\n      Poland sees in the partnership, in the longer term, a chance to make its\n"
        "      defence industry more competitive: products developed with South Korean\n"
        "      partners could also be offered abroad.",
        "    rationale: >-\n      Poland sees in the partnership a chance to make its\n"
        "      defence industry more competitive: products developed with South Korean\n"
        "      partners will also be offered abroad.",
        ('"could"', '"in the longer term"'),
    ),
    # 4. Yoon's "provocation" without "alleged" ...
    Defect(
        "alleged-dropped",
        "threats.yaml",
        "but President Yoon described the deployment, which the\n      report calls alleged, as a provocation",
        "but President Yoon described the deployment\n      as a provocation",
        ('"alleged"',),
    ),
    # ... and as shipped before the fix: no "alleged", no "likely planning", no denial.
    Defect(
        "provocation-as-shipped",
        "threats.yaml",
        "    statement: >-\n      South Korea's spy agency informed lawmakers that North Korea is likely planning\n"
        "      to send troops to Russia. Moscow and Pyongyang have both denied the presence of\n"
        "      North Korean troops, but President Yoon described the deployment, which the\n"
        "      report calls alleged, as a provocation that threatens global security, and\n"
        "      South Korea is working with allies and partners to prepare countermeasures.",
        "    statement: >-\n      President Yoon described North Korea's troop deployment to Russia as a\n"
        "      provocation that threatens global security, and South Korea is preparing\n"
        "      countermeasures with allies and partners.",
        ('"alleged"', '"denied"'),
    ),
    # 4. The PISM co-citation that does not say it, added back: it must not lift the grade.
    Defect(
        "co-citation-lifting-the-grade",
        "threats.yaml",
        "          to prepare countermeasures in response to this deployment\n",
        "          to prepare countermeasures in response to this deployment\n"
        "      - source: pism-2024\n"
        "        locator: \"section 'Recommendations', para. 3\"\n"
        "        quote: >-\n"
        "          Russia's cooperation with North Korea … including its impact on the\n"
        "          Russian-Ukrainian war, its response to the threat of nuclear escalation on\n"
        "          their part, and both partners' cooperation with the U.S. in nuclear\n"
        "          deterrence necessitates a comprehensive examination and exchange of\n"
        "          information.\n",
        ("pism-2024",),
        SUPPORT,
    ),
    # 5. Russia "could potentially rebuild" without its condition.
    Defect(
        "condition-dropped",
        "facts.yaml",
        "cover a period in which Russia, under circumstances favourable to it,\n"
        "      including a freeze of the conflict with Ukraine, could potentially rebuild the\n"
        "      conventional capability",
        "cover a period in which Russia could potentially rebuild the\n      conventional capability",
        ('"under circumstances"', '"including a freeze"'),
    ),
    # 6. "Some politicians and experts" become "Opposition politicians and experts": in the
    # rationale of the recommendation to engage the opposition ...
    Defect(
        "some-dropped-in-rationale",
        "recommendations.yaml",
        "    rationale: >-\n      Some politicians and experts in opposition to the government of President Yoon\n"
        "      Suk-yeol have criticised",
        "    rationale: >-\n      Opposition politicians and experts have criticised",
        ('"some"',),
    ),
    # ... and in the threat row.
    Defect(
        "some-dropped-in-threat-row",
        "threats.yaml",
        "    statement: >-\n      Some politicians and experts opposed to the Yoon government highlight the\n",
        "    statement: >-\n      Opposition politicians and experts highlight the\n",
        ('"some"',),
    ),
]


@pytest.mark.parametrize("defect", DEFECTS, ids=[d.name for d in DEFECTS])
def test_check_warns_where_a_defect_is_put_back(
    defect: Defect, make_dossier: Callable[[], Any], cli: Callable[..., Result]
) -> None:
    dossier = make_dossier()
    edited = dossier.edit(defect.file, defect.old, defect.new)
    if defect.marker == SUPPORT:
        edited = dossier.line_of(defect.file, "Russia's cooperation with North Korea … including its impact")
    line = field_line(dossier.text(defect.file), edited)

    warnings = honesty_warnings(cli("check", "--data", dossier.root, "--format", "json"))

    assert len(warnings) == 1, "\n".join(w["text"] for w in warnings) or "no warning"
    (warning,) = warnings
    assert defect.marker in warning["message"]
    assert Path(warning["file"]).name == defect.file
    assert warning["line"] == line, warning["text"]
    for word in defect.words:
        assert word in warning["message"], warning["text"]


def test_the_text_report_names_file_line_and_words(make_dossier: Callable[[], Any], cli: Callable[..., Result]) -> None:
    dossier = make_dossier()
    line = dossier.edit("facts.yaml", "Some South Korean officials, researchers", "South Korean officials, researchers")

    result = cli("check", "--data", dossier.root)

    assert result.exit_code == 0, result.output
    hedge_lines = [text for text in result.output.splitlines() if HEDGE in text]
    assert len(hedge_lines) == 1, result.output
    assert f"facts.yaml:{field_line(dossier.text('facts.yaml'), line)}:" in hedge_lines[0]
    assert 'russian-perspective-espoused: the statement drops the hedge "some"' in hedge_lines[0]
    assert '"Some officials, as well as researchers and academics, espouse' in hedge_lines[0]


def test_a_kept_equivalent_hedge_is_not_a_warning(make_dossier: Callable[[], Any], cli: Callable[..., Result]) -> None:
    # "could potentially" restated as "could" keeps the hedge: no noise for a faithful paraphrase.
    dossier = make_dossier()
    dossier.edit("recommendations.yaml", "Bydgoszcz could potentially facilitate", "Bydgoszcz could facilitate")

    assert honesty_warnings(cli("check", "--data", dossier.root, "--format", "json")) == []


def test_strict_check_fails_on_a_dropped_hedge(make_dossier: Callable[[], Any], cli: Callable[..., Result]) -> None:
    dossier = make_dossier()
    dossier.edit(
        "facts.yaml",
        "that North Korea is likely\n      planning to send",
        "that North Korea is\n      planning to send",
    )

    result = cli("check", "--data", dossier.root, "--strict")

    assert result.exit_code == 1, result.output
    assert '"likely"' in result.output


# ---------------------------------------------------------------------------
# The functions select can use: which citations support a claim
# ---------------------------------------------------------------------------
# ``briefing.dossier.hedges`` is imported in each test, so that on code without it the command-line
# tests above still run (and fail on what check reports) instead of the whole file failing to load.


def _fact(statement: str, *quotes: tuple[str, str]) -> Fact:
    cites = [Citation(source=source, locator="p. 1", quote=quote) for source, quote in quotes]
    return Fact(id="a-claim", statement=statement, tags=["t"], credibility=2, cites=cites)


def test_supporting_citations_leave_out_a_quote_about_something_else() -> None:
    from briefing.dossier import hedges

    fact = _fact(
        "President Yoon described the alleged troop deployment as a provocation that threatens global security.",
        ("news", "Yoon described this troop deployment as a provocation that threatens global security."),
        ("paper", "Discussions could be held on conventional deterrence, including air and missile defence."),
    )

    assert [cite.source for cite in hedges.supporting_citations(fact)] == ["news"]


def test_supporting_citations_keep_every_citation_when_none_supports() -> None:
    from briefing.dossier import hedges

    # A claim is never left without a source; check warns about each citation instead.
    fact = _fact("Tanks were delivered.", ("a", "Weather was fine."), ("b", "Nothing happened at sea."))

    assert [cite.source for cite in hedges.supporting_citations(fact)] == ["a", "b"]


@pytest.mark.parametrize(
    ("sentence", "text", "dropped"),
    [
        ("North Korea is likely planning to send troops.", "North Korea is planning to send troops.", True),
        ("North Korea is likely planning to send troops.", "North Korea probably plans to send troops.", False),
        ("Some officials espouse the Russian perspective.", "Officials espouse the Russian perspective.", True),
        ("The pact could potentially help.", "The pact could help.", False),
        ("Trade grew.", "Trade grew.", False),
    ],
)
def test_a_hedge_is_dropped_only_when_no_equivalent_is_kept(sentence: str, text: str, dropped: bool) -> None:
    from briefing.dossier import hedges

    fact = _fact(text, ("s", sentence))

    found = hedges._dropped_in(fact, ("facts", 0), {}, hedges.UNIFORM)

    assert bool(found) is dropped


def test_a_citation_that_does_not_support_the_claim_does_not_lift_its_grade(make_dossier: Callable[[], Any]) -> None:
    """The co-citation of defect 4 put back: the footnote names it, but the grade stays the news report's C."""
    from briefing.build.load import load_dossier
    from briefing.build.select import select_for_audience

    (defect,) = [d for d in DEFECTS if d.name == "co-citation-lifting-the-grade"]
    dossier_copy = make_dossier()
    dossier_copy.edit(defect.file, defect.old, defect.new)
    dossier = load_dossier(Path(dossier_copy.root))
    ministry = next(a for a in dossier.audiences if a.id == "ministry")

    brief = select_for_audience(dossier, ministry)

    claims = [c for c in brief.threats if c.id == "south-korea-russia-north-korea-cooperation"]
    assert claims, "the threat is no longer in the ministry brief: pick another claim"
    (claim,) = claims
    assert "pism-2024" in {cite.source.id for cite in claim.cites}
    assert claim.grade == "C"


@pytest.mark.parametrize(
    ("original", "language", "translation", "to", "lost"),
    [
        ("The treaty may be renewed.", "en", "Traktat może zostać przedłużony.", "pl", []),
        ("The treaty may be renewed.", "en", "Traktat zostanie przedłużony.", "pl", ["may"]),
        ("The table of 20 May 2025 gives 3.7747 PLN.", "en", "Tabela z 20 maja 2025 r. podaje 3,7747 zł.", "pl", []),
        (
            "North Korea is likely planning to send troops.",
            "en",
            "북한은 병력을 파견할 것으로 보인다.",
            "ko",
            ["plans to"],
        ),
        (
            "North Korea is likely planning to send troops.",
            "en",
            "북한은 병력을 파견할 계획인 것으로 보인다.",
            "ko",
            [],
        ),
        ("Verenia had delivered some 45 million m³.", "en", "Verenia dostarczyła około 45 mln m³.", "pl", []),
        ("Według inżyniera brakuje betonu.", "pl", "According to an engineer, concrete is lacking.", "en", []),
        ("Według inżyniera brakuje betonu.", "pl", "Concrete is lacking.", "en", ["według"]),
        ("Umocnienia prawdopodobnie powstaną.", "pl", "The fortifications will be built.", "en", ["prawdopodobnie"]),
    ],
)
def test_a_translation_keeps_every_hedge_of_its_original(
    original: str, language: str, translation: str, to: str, lost: list[str]
) -> None:
    assert [hedge.words for hedge in hedges_lost_in_translation(original, language, translation, to)] == lost
