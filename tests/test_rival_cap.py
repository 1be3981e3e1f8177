"""A measure with many values: each claim's note quotes the best-graded few of its rivals and
counts the rest (issue 20: every fact quoting its N-1 rivals made a brief and ``check`` grow with N²).
``check`` still lists every value of the measure, in one disagreement."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from click.testing import Result
from conftest import read_html_text

from briefing import TemplateSet, load_dossier, select_for_audience
from briefing.build.rivals import RIVALS_QUOTED

VALUES = 9  # facts giving another value of one measure for the same date


def _write_dossier(root: Path, grades: list[str]) -> None:
    """A small dossier: one fact per office, each another count of the same stock for 2025."""
    (root / "audiences").mkdir(parents=True)
    (root / "sources").mkdir()
    (root / "dossier.yaml").write_text(
        "dossier:\n  id: stock\n  title: Stock counts\n  short_title: Stock\n  publisher: Unit\n"
        '  author: Unit\n  date: "2026-01-10"\n  edition: "1"\n  language: en\n',
        encoding="utf-8",
    )
    (root / "audiences" / "council.yaml").write_text(
        "id: council\nname: Council\nprepared_for: The council\npurpose: A test brief.\n"
        'marking: "TLP:CLEAR"\npage_budget: 9\nmin_reliability: C\nbelow_min_reliability: mark\n'
        "key_points: [fact-1, fact-2, fact-3]\nsections:\n"
        "  - kind: facts\n    id: first\n    title: The first office\n    facts: [fact-0]\n"
        "  - kind: comparison\n    id: all-counts\n    title: Every count\n    measures: [stock.count]\n",
        encoding="utf-8",
    )
    sources, facts = [], []
    for n, grade in enumerate(grades):
        line = f"The count reported by office {n} was {1000 + n} units."
        (root / "sources" / f"office-{n}.txt").write_text(line + "\n", encoding="utf-8")
        sources.append(
            f"  - id: office-{n}\n    file: sources/office-{n}.txt\n    title: Office {n} return\n    kind: report\n"
            f'    date: "2025"\n    reliability: {grade}\n    reliability_reason: A test source.\n'
        )
        facts.append(
            f"  - id: fact-{n}\n    statement: {json.dumps(line)}\n"
            f"    figures:\n      - measure: stock.count\n        value: {1000 + n}\n        unit: units\n"
            f'        text: "{1000 + n} units"\n        as_of: "2025"\n'
            f"    tags: [stock]\n    credibility: 2\n"
            f"    cites:\n      - source: office-{n}\n        locator: para. 1\n        quote: {json.dumps(line)}\n"
        )
    (root / "sources.yaml").write_text("sources:\n" + "".join(sources), encoding="utf-8")
    (root / "facts.yaml").write_text("facts:\n" + "".join(facts), encoding="utf-8")


def test_a_note_quotes_the_best_graded_rivals_and_counts_the_rest(tmp_path: Path, cli: Callable[..., Result]) -> None:
    # Offices 5, 6 and 7 are the best sources (A); the rest are C.
    grades = ["C", "C", "C", "C", "C", "A", "A", "A", "C"]
    root = tmp_path / "data"
    _write_dossier(root, grades)
    dossier = load_dossier(root, TemplateSet())
    brief = select_for_audience(dossier, dossier.audiences[0])
    first = next(view for view in brief.sections if view.id == "first").facts[0]
    assert [rival.id for rival in first.disagrees_with] == ["fact-5", "fact-6", "fact-7"]
    assert len(first.disagrees_with) == RIVALS_QUOTED
    assert first.rivals_more == VALUES - 1 - RIVALS_QUOTED

    out = tmp_path / "out"
    result = cli("brief", "-a", "council", "--format", "html", "--data", root, "--out", out)
    assert result.exit_code == 0, result.output
    html = (out / "stock-council.html").read_text(encoding="utf-8")
    text = " ".join(read_html_text(out / "stock-council.html").split())
    assert f"{VALUES - 1 - RIVALS_QUOTED} more sources give other values. See Every count." in text
    # The pointer is a link to the comparison, which sets out every value.
    assert '<a href="#all-counts">See Every count.</a>' in html
    for n in range(VALUES):
        assert f"{1000 + n} units" in text

    # check still lists the whole disagreement: every value, once.
    report = cli("check", "--data", root, "--format", "json")
    listed = json.loads(report.output)["conflicts"]
    assert len(listed) == 1
    assert len(listed[0]["sides"]) == VALUES
