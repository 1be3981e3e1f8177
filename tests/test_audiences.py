"""Each audience's PDF says what its profile and the data say, and not what other profiles ask for.

Titles, figures and grade policies are read from the profiles and the dossier,
never written here, so the tests follow the data.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import Result

from briefing import TemplateSet, load_dossier, select_for_audience
from briefing.dossier.schema import Dossier

DATA = Path(__file__).resolve().parent.parent / "data"
AUDIENCES = [
    yaml.safe_load(path.read_text(encoding="utf-8"))["id"] for path in sorted((DATA / "audiences").glob("*.yaml"))
]


@pytest.fixture(scope="session")
def dossier(repo_root: Path) -> Dossier:
    dossier: Dossier = load_dossier(repo_root / "data", TemplateSet())  # the package's lazy names are untyped
    return dossier


@pytest.fixture(scope="session")
def facts_yaml(repo_root: Path) -> list[dict[str, Any]]:
    with open(repo_root / "data" / "facts.yaml", encoding="utf-8") as handle:
        facts: list[dict[str, Any]] = yaml.safe_load(handle)["facts"]
    return facts


@pytest.fixture(scope="session")
def grades(repo_root: Path) -> dict[str, str]:
    with open(repo_root / "data" / "sources.yaml", encoding="utf-8") as handle:
        return {source["id"]: source["reliability"] for source in yaml.safe_load(handle)["sources"]}


def _headings(profile: dict[str, Any]) -> set[str]:
    """The headings a profile asks for: its section titles and its key-points heading, if it names one."""
    titles = {section["title"] for section in profile["sections"]}
    if "key-points" in profile.get("labels", {}):
        titles.add(profile["labels"]["key-points"])
    return titles


def _shows_heading(lines: set[str], title: str) -> bool:
    """A heading is a line of its own, or an entry of the contents ("Title ....... 3")."""
    return title in lines or any(re.match(re.escape(title) + r" ?\.{3,}", line) for line in lines)


def _audience(dossier: Dossier, audience_id: str) -> Any:
    return next(audience for audience in dossier.audiences if audience.id == audience_id)


def _only_cites(fact: dict[str, Any], grades: dict[str, str], grade: str) -> bool:
    return all(grades[cite["source"]] == grade for cite in fact["cites"])


def test_the_build_succeeded(shipped_briefs: Any) -> None:
    assert shipped_briefs.result.exit_code == 0, shipped_briefs.result.output


@pytest.mark.parametrize("audience", AUDIENCES)
def test_own_section_titles_are_present(
    audience: str, shipped_briefs: Any, pdf_text: Callable[[Path], Any], profiles: dict[str, Any]
) -> None:
    text = pdf_text(shipped_briefs.path(audience, "pdf"))
    own = _headings(profiles[audience])
    assert len(own) >= len(profiles[audience]["sections"]) > 0
    missing = [title for title in sorted(own) if not _shows_heading(text.lines, title)]
    assert not missing, f"{audience} PDF lacks headings {missing}"
    # The running text carries the titles too (not only a table of contents).
    for title in own:
        assert text.says(title)


@pytest.mark.parametrize("audience", AUDIENCES)
def test_other_audiences_section_titles_are_absent(
    audience: str, shipped_briefs: Any, pdf_text: Callable[[Path], Any], profiles: dict[str, Any]
) -> None:
    text = pdf_text(shipped_briefs.path(audience, "pdf"))
    own = _headings(profiles[audience])
    others = {title for other, profile in profiles.items() if other != audience for title in _headings(profile)} - own
    assert others, "the other profiles should ask for headings this one does not"
    shown = [title for title in sorted(others) if _shows_heading(text.lines, title)]
    assert not shown, f"{audience} PDF shows other audiences' headings {shown}"


@pytest.mark.parametrize("audience", [a for a in AUDIENCES if a in {"industry", "parliament"}])
def test_programme_figures_equal_the_data(
    audience: str, shipped_briefs: Any, pdf_text: Callable[[Path], Any], dossier: Dossier
) -> None:
    text = pdf_text(shipped_briefs.path(audience, "pdf")).flat
    rows = select_for_audience(dossier, _audience(dossier, audience)).programmes
    assert rows, "the dossier has programmes"
    checked = 0
    for row in rows:
        ordered, delivered = row.cells.get("ordered"), row.cells.get("delivered")
        for figure in (ordered, delivered):
            if figure is not None:
                assert re.search(rf"(?<![\w.,]){re.escape(figure.text)}(?![\w.,])", text), (
                    f"{row.programme.id}: {figure.measure} {figure.text!r} not in the {audience} PDF"
                )
                checked += 1
        if ordered is not None and delivered is not None:
            # In the programmes table the two figures are neighbouring cells of the programme's row.
            assert f"{ordered.text} {delivered.text}" in text, (
                f"{row.programme.id}: row {ordered.text} | {delivered.text}"
            )
    assert checked >= 2 * len(rows) > 0


def test_parliament_shows_both_disagreeing_contract_values(
    shipped_briefs: Any, pdf_text: Callable[[Path], Any], facts_yaml: list[dict[str, Any]], profiles: dict[str, Any]
) -> None:
    measure = "deals-2022.value"
    assert any(measure in section.get("measures", []) for section in profiles["parliament"]["sections"])
    figures = {fig["text"] for fact in facts_yaml for fig in fact.get("figures", []) if fig["measure"] == measure}
    values = {fig["value"] for fact in facts_yaml for fig in fact.get("figures", []) if fig["measure"] == measure}
    assert len(values) >= 2, "the sources disagree about this measure"
    text = pdf_text(shipped_briefs.path("parliament", "pdf")).flat
    for figure in sorted(figures):
        assert figure in text, f"{figure!r} not in the parliament PDF"


def test_parliament_omits_claims_below_its_grade(
    shipped_briefs: Any,
    pdf_text: Callable[[Path], Any],
    facts_yaml: list[dict[str, Any]],
    grades: dict[str, str],
    profiles: dict[str, Any],
) -> None:
    profile = profiles["parliament"]
    assert profile["below_min_reliability"] == "omit"
    below = [grade for grade in grades.values() if grade > profile["min_reliability"]]
    assert "F" in below
    text = pdf_text(shipped_briefs.path("parliament", "pdf"))
    weak = [fact for fact in facts_yaml if _only_cites(fact, grades, "F")]
    assert weak, "the dossier has F-graded claims"
    shown = [fact["id"] for fact in weak if text.says(fact["statement"])]
    assert not shown, f"parliament PDF states F-graded claims {shown}"
    assert "unconfirmed" not in text.flat.lower()


def test_industry_marks_claims_below_its_grade(
    shipped_briefs: Any,
    pdf_text: Callable[[Path], Any],
    facts_yaml: list[dict[str, Any]],
    grades: dict[str, str],
    profiles: dict[str, Any],
) -> None:
    profile = profiles["industry"]
    assert profile["below_min_reliability"] == "mark"
    text = pdf_text(shipped_briefs.path("industry", "pdf"))
    listed = {ref for section in profile["sections"] for ref in section.get("facts", [])}
    weak = [fact for fact in facts_yaml if fact["id"] in listed and _only_cites(fact, grades, "F")]
    assert weak, "the industry profile lists F-graded facts"
    for fact in weak:
        # The flag is upper case only through CSS text-transform; compare without case.
        assert text.says("unconfirmed " + fact["statement"]), f"{fact['id']} not shown flagged as unconfirmed"


# ---------------------------------------------------------------------------
# The grade policy on a profile that asks for F-graded claims explicitly (HTML for speed:
# the policy is applied before rendering, the same for both formats).
# ---------------------------------------------------------------------------


def _add_to_section(dossier: Any, profile: str, section_id: str, fact_ids: list[str]) -> None:
    text = dossier.text(f"audiences/{profile}.yaml")
    data = yaml.safe_load(text)
    section = next(s for s in data["sections"] if s["id"] == section_id)
    last = section["facts"][-1]
    dossier.edit(
        f"audiences/{profile}.yaml",
        f"      - {last}\n",
        f"      - {last}\n" + "".join(f"      - {f}\n" for f in fact_ids),
    )


def _build_html(cli: Callable[..., Result], dossier: Any, out: Path, audience: str, dossier_id: str) -> Path:
    result = cli("brief", "--audience", audience, "--format", "html", "--out", out, "--data", dossier.root)
    if result.exit_code != 0:
        # Not an AssertionError: the expected-failure tests below must not pass because the build broke.
        pytest.fail(f"the build failed:\n{result.output}")
    return out / f"{dossier_id}-{audience}.html"


def _weak_facts(facts_yaml: list[dict[str, Any]], grades: dict[str, str]) -> list[dict[str, Any]]:
    weak = [fact for fact in facts_yaml if _only_cites(fact, grades, "F") and not fact.get("figures")]
    assert len(weak) >= 2
    return weak[:2]


def test_omit_policy_drops_f_graded_facts_a_section_lists(
    cli: Callable[..., Result],
    make_dossier: Callable[[], Any],
    tmp_path: Path,
    html_text: Callable[[Path], Any],
    facts_yaml: list[dict[str, Any]],
    grades: dict[str, str],
    dossier_id: str,
) -> None:
    weak = _weak_facts(facts_yaml, grades)
    omit, mark = make_dossier(), make_dossier()
    for copy in (omit, mark):
        _add_to_section(copy, "parliament", "political-risks", [fact["id"] for fact in weak])
    mark.edit("audiences/parliament.yaml", "below_min_reliability: omit\n", "below_min_reliability: mark\n")

    omitted = html_text(_build_html(cli, omit, tmp_path / "omit", "parliament", dossier_id))
    marked = html_text(_build_html(cli, mark, tmp_path / "mark", "parliament", dossier_id))

    for fact in weak:
        assert not omitted.says(fact["statement"]), f"{fact['id']} shown despite below_min_reliability: omit"
        assert marked.says("unconfirmed " + fact["statement"]), f"{fact['id']} not shown flagged under 'mark'"


def test_omit_policy_drops_f_graded_key_points(
    cli: Callable[..., Result],
    make_dossier: Callable[[], Any],
    tmp_path: Path,
    html_text: Callable[[Path], Any],
    facts_yaml: list[dict[str, Any]],
    grades: dict[str, str],
    profiles: dict[str, Any],
    dossier_id: str,
) -> None:
    weak = _weak_facts(facts_yaml, grades)[0]
    copy = make_dossier()
    first = profiles["parliament"]["key_points"][0]
    copy.edit("audiences/parliament.yaml", f"  - {first}\n", f"  - {weak['id']}\n")

    brief = html_text(_build_html(cli, copy, tmp_path / "out", "parliament", dossier_id))

    assert not brief.says(weak["statement"]), f"key point {weak['id']} shown despite below_min_reliability: omit"


def test_omit_policy_drops_f_graded_rivals(
    cli: Callable[..., Result],
    make_dossier: Callable[[], Any],
    tmp_path: Path,
    html_text: Callable[[Path], Any],
    facts_yaml: list[dict[str, Any]],
    grades: dict[str, str],
    dossier_id: str,
) -> None:
    by_id = {fact["id"]: fact for fact in facts_yaml}
    # A well-graded fact that declares a conflict with an F-graded one.
    pair = next(
        (fact, by_id[other])
        for fact in facts_yaml
        if not _only_cites(fact, grades, "F")
        for other in fact.get("conflicts_with", [])
        if _only_cites(by_id[other], grades, "F")
    )
    good, weak = pair
    copy = make_dossier()
    _add_to_section(copy, "parliament", "political-risks", [good["id"]])

    brief = html_text(_build_html(cli, copy, tmp_path / "out", "parliament", dossier_id))

    assert brief.says(good["statement"])
    assert not brief.says(weak["statement"]), f"rival {weak['id']} quoted despite below_min_reliability: omit"


def test_a_profile_that_omits_weak_claims_never_cites_their_sources(
    shipped_briefs: Any, profiles: dict[str, Any]
) -> None:
    """Under 'omit', a source below the bar is not in the notes or the Sources list either
    (a question that rests on such a fact cites only the facts the brief may state)."""
    import yaml

    sources = yaml.safe_load((DATA / "sources.yaml").read_text(encoding="utf-8"))["sources"]
    checked = 0
    for audience, profile in profiles.items():
        if profile.get("below_min_reliability") != "omit":
            continue
        html = shipped_briefs.path(audience, "html").read_text(encoding="utf-8")
        for source in sources:
            if source["reliability"] > profile["min_reliability"]:
                assert source["title"] not in html, f"{audience} cites {source['id']}"
                checked += 1
    assert checked, "no profile omits weak claims, so this test checks nothing"
