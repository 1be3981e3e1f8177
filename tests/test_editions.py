"""Editions: `generate publish` records an edition; a later brief says what changed since it.

On a copy of the shipped dossier: publish edition 1; add a newer figure for a measure from a
new source (with a verifiable quote), withdraw a fact, raise a recommendation's priority,
bump the edition; build, and read the change section back from each audience's PDF; list the
same with `generate diff`.  Also: a published edition is never overwritten, a changed file in
it is reported, figures of one measure at different dates are a series rather than a
disagreement, and distribution lists who has not been sent the current edition.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from conftest import BriefText, DossierCopy, read_html_text, read_pdf, run_cli

from briefing.build.changes import figure_words, shown_claims
from briefing.build.load import load
from briefing.build.rivals import rival_facts
from briefing.build.select import select_for_audience
from briefing.dossier.schema import Citation, Fact, Figure
from briefing.formats.render_html import TemplateSet

MEASURE = "k2.delivered"  # in the programmes table of some audiences, not of others
NEW_AS_OF = "2026-11"
NEW_SOURCE_TEXT = """Delivery update, November 2026.

By November 2026, {value} K2 tanks had been delivered to Poland under the first executive contract.
"""


def _brief_text(path: Path) -> BriefText:
    return BriefText(read_pdf(path))


def _yaml_files(root: Path) -> list[Path]:
    return sorted(path for path in root.rglob("*.yaml") if "schema" not in path.parts)


def _shown(root: Path) -> tuple[Any, dict[str, dict[str, Any]]]:
    """The loaded dossier and, per audience, the ids of the claims its brief shows."""
    dossier = load(root, TemplateSet()).dossier
    return dossier, {a.id: shown_claims(select_for_audience(dossier, a)) for a in dossier.audiences}


def _withdraw(copy: DossierCopy, fact_id: str) -> None:
    """Delete a fact and every reference to it (profile lists, rests_on lists)."""
    facts = copy.text("facts.yaml")
    block = re.search(rf"^  - id: {re.escape(fact_id)}\n.*?(?=^  - id: |^  # -|\Z)", facts, re.S | re.M)
    assert block, fact_id
    copy.write("facts.yaml", facts[: block.start()] + facts[block.end() :])
    for path in _yaml_files(copy.root):
        text = path.read_text(encoding="utf-8")
        text = re.sub(rf"^[ \t]+- {re.escape(fact_id)}[ \t]*\n", "", text, flags=re.M)
        text = re.sub(rf", {re.escape(fact_id)}\b|\b{re.escape(fact_id)}, ", "", text)
        path.write_text(text, encoding="utf-8")


def _set_priority(copy: DossierCopy, rec_id: str, old: str, new: str) -> None:
    text = copy.text("recommendations.yaml")
    start = text.index(f"- id: {rec_id}\n")
    at = text.index(f"priority: {old}", start)
    copy.write("recommendations.yaml", text[:at] + f"priority: {new}" + text[at + len(f"priority: {old}") :])


def _add_newer_figure(copy: DossierCopy, value: int) -> None:
    """A new source (its text in the dossier folder) and a fact giving a newer figure for MEASURE."""
    copy.write("seeds/k2-update-2026.txt", NEW_SOURCE_TEXT.format(value=value))
    sources = copy.text("sources.yaml").rstrip("\n") + "\n"
    sources += """
  - id: k2-update-2026
    file: seeds/k2-update-2026.txt
    title: "Delivery update, November 2026"
    kind: news report
    date: "2026-11"
    reliability: B
    reliability_reason: >-
      A dated delivery report that names the contract.
"""
    copy.write("sources.yaml", sources)
    facts = copy.text("facts.yaml").rstrip("\n") + "\n"
    facts += f"""
  - id: k2-delivered-2026
    statement: >-
      By November 2026, {value} K2 tanks had been delivered to Poland.
    figures:
      - measure: {MEASURE}
        value: {value}
        unit: tanks
        text: "{value}"
        as_of: "{NEW_AS_OF}"
    tags: [programmes, deliveries]
    credibility: 2
    cites:
      - source: k2-update-2026
        locator: "para. 2"
        quote: >-
          By November 2026, {value} K2 tanks had been delivered to Poland
"""
    copy.write("facts.yaml", facts)


def _pick_changes(root: Path) -> dict[str, Any]:
    """A fact only `industry` shows (no figures, referenced nowhere it cannot be removed from),
    a recommendation only it shows (not yet high priority), the audiences that show the
    measure, one that shows none of these, and the measure's figure."""
    dossier, shown = _shown(root)
    others = [a for a in shown if a != "industry"]
    showing_measure = {
        a for a, claims in shown.items() if any(MEASURE in {f.measure for f in c.figures} for c, _ in claims.values())
    }
    quiet = [a for a in shown if a not in showing_measure]
    assert "industry" in showing_measure and quiet, (showing_measure, list(shown))
    key_points = {ref for a in dossier.audiences for ref in a.key_points}
    referenced = {ref for f in dossier.facts for ref in f.conflicts_with} | key_points
    fact = next(
        claim.id
        for claim, _ in shown["industry"].values()
        if claim.kind == "fact"
        and not claim.figures
        and claim.id not in referenced
        and all(claim.id not in shown[a] for a in others)
        and not claim.disagrees_with
    )
    rec = next(
        claim.item
        for claim, _ in shown["industry"].values()
        if claim.kind == "recommendation"
        and claim.item.priority != "high"
        and all(claim.id not in shown[a] for a in others)
    )
    figure = next(f for fact_ in dossier.facts for f in fact_.figures if f.measure == MEASURE)
    statement = next(f.statement for f in dossier.facts if f.id == fact)
    return {
        "fact": fact,
        "statement": statement,
        "rec": rec.id,
        "priority": rec.priority,
        "showing": showing_measure,
        "quiet": quiet[0],
        "figure": figure,
    }


def test_publish_then_each_brief_says_what_changed(make_dossier: Callable[[], DossierCopy], tmp_path: Path) -> None:
    copy = make_dossier()
    out = tmp_path / "briefs"
    editions = copy.root.parent / "editions"  # the default: beside the dossier folder

    first = run_cli("publish", "--data", copy, "--out", out)
    assert first.exit_code == 0, first.output
    manifest = json.loads((editions / "1" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["edition"] == "1" and manifest["dossier"]
    briefs = [entry for entry in manifest["files"] if entry["kind"] == "brief"]
    audiences = {entry["audience"] for entry in briefs}
    assert {entry["format"] for entry in briefs} == {"html", "pdf"} and len(briefs) == 2 * len(audiences)
    assert all(entry["language"] and entry["edition"] == "1" and entry["date"] for entry in briefs)
    assert any(entry["file"] == "dossier/facts.yaml" for entry in manifest["files"])
    for entry in manifest["files"]:
        assert hashlib.sha256((editions / "1" / entry["file"]).read_bytes()).hexdigest() == entry["sha256"]
    # The snapshot is a dossier in its own right.
    assert load(editions / "1" / "dossier", TemplateSet()).dossier.dossier.edition == "1"

    again = run_cli("publish", "--data", copy, "--out", out)
    assert again.exit_code == 1 and "edition 1 is already published" in again.output, again.output
    assert "dossier.yaml:" in again.output  # where to raise the edition

    picked = _pick_changes(copy.root)
    withdrawn, withdrawn_text, rec_id, old_priority = (
        picked["fact"],
        picked["statement"],
        picked["rec"],
        picked["priority"],
    )
    quiet, old_figure = picked["quiet"], picked["figure"]
    new_value = int(old_figure.value) + 58
    _add_newer_figure(copy, new_value)
    _withdraw(copy, withdrawn)
    _set_priority(copy, rec_id, old_priority, "high")
    copy.edit("dossier.yaml", 'edition: "1"', 'edition: "2"')

    # A newer figure for the same measure is not a disagreement.
    check = run_cli("check", "--data", copy, "--format", "json")
    assert check.exit_code == 0, check.output
    sides = {side["fact"] for conflict in json.loads(check.output)["conflicts"] for side in conflict["sides"]}
    assert "k2-delivered-2026" not in sides

    build = run_cli("brief", "--audience", "all", "--data", copy, "--out", out)
    assert build.exit_code == 0, build.output
    dossier_id = manifest["dossier"]
    old_words, new_words = figure_words(old_figure), f"{new_value} {old_figure.unit}"
    old_date = "October 2024" if old_figure.as_of == "2024-10" else old_figure.as_of
    heading = "What has changed since edition 1"
    for audience in sorted(audiences):
        text = _brief_text(out / f"{dossier_id}-{audience}.pdf")
        assert text.says(heading), audience
        if audience == quiet:
            # It never showed the changed items: no entry about them.
            assert not text.says(f"was {old_words}") and not text.says(f"now {new_words}"), audience
            assert text.says("Nothing this brief states has changed since that edition"), audience
            continue
        if audience in picked["showing"]:
            assert text.says("Figure changed"), audience
            assert text.says(f"was {old_words} (as of {old_date}"), audience
            assert text.says(f"now {new_words} (as of November 2026; Delivery update, November 2026)"), audience
    industry = _brief_text(out / f"{dossier_id}-industry.pdf")
    assert industry.says(f"Withdrawn: {withdrawn_text}")
    assert industry.says(f"raised from {old_priority} to high priority")
    # Each entry links to where the brief shows it.
    html = (out / f"{dossier_id}-industry.html").read_text(encoding="utf-8")
    section = html[html.index('id="changes-since"') : html.index("</section>", html.index('id="changes-since"'))]
    anchors = re.findall(r'href="#([^"]+)"', section)
    assert anchors and all(f'id="{anchor}"' in html for anchor in anchors)
    assert heading in read_html_text(out / f"{dossier_id}-industry.html")

    # The analyst's list: the same changes, with file:line in the current dossier.
    diff = run_cli("diff", "--since", "1", "--data", copy)
    assert diff.exit_code == 0, diff.output
    figure_line = copy.line_of("facts.yaml", f"measure: {MEASURE}\n        value: {new_value}")
    rec_line = copy.line_of("recommendations.yaml", f"- id: {rec_id}\n")
    industry_part = diff.output.split("\nindustry:")[1].split("\n" + quiet + ":")[0] if quiet != "industry" else ""
    assert re.search(rf"facts\.yaml:{figure_line}: figure changed: .*was {old_words}.*now {new_words}", industry_part)
    assert re.search(rf"recommendations\.yaml:{rec_line}: priority changed: {rec_id}: raised", industry_part)
    assert re.search(rf"editions/1/dossier/facts\.yaml:\d+: withdrawn: {withdrawn}", industry_part)
    as_json = json.loads(run_cli("diff", "--since", editions / "1", "--data", copy, "--format", "json").output)
    assert as_json["audiences"][quiet]["changes"] == []
    kinds = {change["kind"] for change in as_json["audiences"]["industry"]["changes"]}
    assert {"figure", "withdrawn", "reprioritised"} <= kinds

    # --since none: no change section.
    none = run_cli(
        "brief", "-a", "industry", "--format", "html", "--since", "none", "--data", copy, "--out", tmp_path / "plain"
    )
    assert none.exit_code == 0, none.output
    assert heading not in read_html_text(tmp_path / "plain" / f"{dossier_id}-industry.html")

    # A file edited in edition 1 is reported by the next publish (and --strict refuses).
    edited = editions / "1" / "dossier" / "facts.yaml"
    edited.chmod(0o644)
    edited.write_text(edited.read_text(encoding="utf-8") + "# edited\n", encoding="utf-8")
    strict = run_cli("publish", "--data", copy, "--out", out, "--strict")
    assert strict.exit_code == 1 and not (editions / "2").exists(), strict.output
    second = run_cli("publish", "--data", copy, "--out", out)
    assert second.exit_code == 0, second.output
    assert "editions/1/dossier/facts.yaml: changed since edition 1 was published" in second.output
    manifest2 = json.loads((editions / "2" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest2["since"] == "1" and "1" in manifest2["earlier"]
    published = {e["file"]: e["sha256"] for e in manifest2["files"]}
    # The published PDF is the built brief, byte for byte, with its evidence appended (an
    # incremental update: docs/signing.md); the manifest records the published file.
    edition_pdf = (editions / "2" / "briefs" / f"{dossier_id}-industry.pdf").read_bytes()
    assert edition_pdf.startswith((out / f"{dossier_id}-industry.pdf").read_bytes())
    assert published[f"briefs/{dossier_id}-industry.pdf"] == hashlib.sha256(edition_pdf).hexdigest()


def _fact(fact_id: str, value: float, as_of: str | None) -> Fact:
    return Fact(
        id=fact_id,
        statement="A statement.",
        figures=[Figure(measure="m.count", value=value, unit="items", text=str(value), as_of=as_of)],
        tags=["t"],
        credibility=2,
        cites=[Citation(source="s", locator="p. 1", quote="A quote.")],
    )


def test_figures_over_time_are_a_series_not_a_disagreement() -> None:
    older, newer = _fact("older", 62, "2024-10"), _fact("newer", 120, "2026-11")
    assert rival_facts([older, newer]) == {"older": [], "newer": []}
    same_date = _fact("same-date", 70, "2024-10")
    assert "same-date" in rival_facts([older, same_date])["older"]
    # A year contains its months; an undated figure cannot be placed in the series.
    assert "older" in rival_facts([older, _fact("year", 70, "2024")])["year"]
    assert "older" in rival_facts([older, _fact("undated", 70, None)])["undated"]
    assert rival_facts([older, _fact("equal", 62, "2024-10")])["equal"] == []


def test_same_date_different_value_is_still_reported_by_check(make_dossier: Callable[[], DossierCopy]) -> None:
    copy = make_dossier()
    dossier, _ = _shown(copy.root)
    figure = next(f for fact in dossier.facts for f in fact.figures if f.measure == MEASURE)
    _add_newer_figure(copy, int(figure.value) + 1)
    copy.edit("facts.yaml", f'as_of: "{NEW_AS_OF}"', f'as_of: "{figure.as_of}"')
    report = run_cli("check", "--data", copy, "--format", "json")
    conflicts = json.loads(report.output)["conflicts"]
    assert any("k2-delivered-2026" in {side["fact"] for side in c["sides"]} for c in conflicts), report.output


def test_distribute_lists_recipients_without_the_current_edition(
    make_dossier: Callable[[], DossierCopy], tmp_path: Path
) -> None:
    copy = make_dossier()
    dossier_id = load(copy.root, TemplateSet()).dossier.dossier.id
    copy.edit("dossier.yaml", 'edition: "1"', 'edition: "2"')
    out = tmp_path / "distribution"
    out.mkdir()

    def record(name: str, edition: str, copy_number: int = 1) -> str:
        return json.dumps(
            {
                "recipient": name.lower(),
                "name": name,
                "organisation": "Org",
                "email": f"{name.lower()}@example.org",
                "audience": "industry",
                "copy": copy_number,
                "copies": 1,
                "file": "x.pdf",
                "sha256": f"{edition}{name}",
                "dossier": dossier_id,
                "edition": edition,
                "message_id": "<x@example.org>",
                "accepted": f"2026-11-0{edition}T10:00:00+00:00",
            }
        )

    lines = [record("Anna", "1"), record("Bartek", "1"), record("Bartek", "2"), record("Celina", "1")]
    lines.append(json.dumps(json.loads(record("Other", "1")) | {"dossier": "another-dossier"}))
    (out / "delivery-log.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = run_cli("distribute", "--outdated", "--data", copy, "--out", out)
    assert result.exit_code == 0, result.output
    assert "Anna, Org <anna@example.org> (industry): received edition 1" in result.output
    assert "Celina" in result.output and "Bartek" not in result.output and "Other" not in result.output
    assert "2 recipients" in result.output and "not yet sent edition 2" in result.output
    assert not any(path.suffix == ".pdf" for path in out.rglob("*"))  # it lists; it writes nothing


@pytest.mark.parametrize("edition", ["../escape", "a/b"])
def test_an_edition_that_cannot_name_a_folder_is_refused(
    make_dossier: Callable[[], DossierCopy], tmp_path: Path, edition: str
) -> None:
    copy = make_dossier()
    line = copy.edit("dossier.yaml", 'edition: "1"', f'edition: "{edition}"')
    result = run_cli("publish", "--data", copy, "--out", tmp_path / "briefs")
    assert result.exit_code == 1
    assert f"dossier.yaml:{line}" in result.output and "cannot name an edition folder" in result.output
    assert not (copy.root.parent / "editions").exists() or not any((copy.root.parent / "editions").iterdir())


def test_a_profile_renames_or_omits_the_section(make_dossier: Callable[[], DossierCopy], tmp_path: Path) -> None:
    earlier, current = make_dossier(), make_dossier()
    dossier, shown = _shown(current.root)
    figure = next(f for fact in dossier.facts for f in fact.figures if f.measure == MEASURE)
    _add_newer_figure(current, int(figure.value) + 3)
    showing = sorted(
        a for a, claims in shown.items() if any(MEASURE in {f.measure for f in c.figures} for c, _ in claims.values())
    )
    renamed, omitted = showing[0], next(a for a in sorted(shown) if a != showing[0])
    labels = f"audiences/{renamed}.yaml"
    assert "\nlabels:\n" in current.text(labels)
    current.edit(labels, "\nlabels:\n", '\nlabels:\n  changes: "Since edition {edition} of {date}"\n')
    profile = f"audiences/{omitted}.yaml"
    current.write(profile, current.text(profile).rstrip("\n") + "\nshow_changes: false\n")
    # --since a dossier folder: its edition ("1") and date name the section.
    out = tmp_path / "out"
    result = run_cli("brief", "-a", "all", "--format", "html", "--since", earlier.root, "--data", current, "--out", out)
    assert result.exit_code == 0, result.output
    stem = dossier.dossier.id
    text = read_html_text(out / f"{stem}-{renamed}.html")
    assert re.search(r"Since edition 1 of \d+ \w+ \d{4}", text) and "What has changed" not in text
    assert "What has changed" not in read_html_text(out / f"{stem}-{omitted}.html")
    assert "Since edition" not in read_html_text(out / f"{stem}-{omitted}.html")
