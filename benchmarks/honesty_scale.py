"""How the hedge and support checks grow with the dossier (issue 20, item 4).

    .venv/bin/python benchmarks/honesty_scale.py              # 50, 200 and 1,000 facts
    .venv/bin/python benchmarks/honesty_scale.py 50 200 1000 2000

Each dossier has N facts, each citing a long hedged quote (eight sentences, hedges in most),
and N/5 recommendations whose rationales restate a hedged sentence and rest on every fact:
the case in which each rationale used to be compared with every sentence of every quote anew.
Times ``hedges.dropped_hedges`` and ``hedges.weak_citations`` (what ``check`` runs), in one
process, and prints one line per size.  A benchmark, not a test: it asserts nothing.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from briefing.dossier import hedges  # noqa: E402
from briefing.dossier.schema import Dossier  # noqa: E402

SENTENCES = (
    "The ministry of region {n} could potentially expand the depot network near the river crossing {n}.",
    "Officials in district {n} reportedly said that the convoy schedule may slip by several weeks.",
    "Some analysts expect the harbour authority {n} to revise its tariff plans in the longer term.",
    "Under circumstances favourable to it, the coalition {n} might rebuild its maintenance capacity.",
    "The alleged shipment number {n} was likely routed through the northern rail corridor.",
    "At the time, the agency {n} estimated the backlog of repairs at roughly one season of work.",
    "The governor of province {n} plans to publish the audit of the fuel reserves next spring.",
    "Contractors for the bridge {n} denied that the welding inspections had been skipped.",
)


def quote(n: int) -> str:
    return " ".join(sentence.format(n=n) for sentence in SENTENCES)


def dossier(facts: int) -> Dossier:
    cite = {"source": "report", "locator": "p. 1"}
    fact_items = [
        {
            "id": f"fact-{n}",
            "statement": f"The ministry of region {n} could potentially expand the depot network near crossing {n}.",
            "tags": ["topic"],
            "credibility": 2,
            "cites": [cite | {"quote": quote(n)}],
        }
        for n in range(facts)
    ]
    recommendations = [
        {
            "id": f"rec-{n}",
            "title": f"Watch the depot network of region {n}",
            "text": f"The ministry should watch the depot network of region {n}.",
            "addressee": "Ministry",
            "horizon": "not stated",
            "priority": "medium",
            "priority_basis": "The report says so.",
            "rationale": f"Officials in district {n} said that the convoy schedule may slip by several weeks.",
            "rests_on": [f"fact-{m}" for m in range(facts)],
            "audiences": ["ministry"],
            "cites": [cite | {"quote": quote(n)}],
        }
        for n in range(max(1, facts // 5))
    ]
    data: dict[str, Any] = {
        "dossier": {
            "id": "scale",
            "title": "Scale",
            "short_title": "Scale",
            "publisher": "Bench",
            "author": "Bench",
            "date": "2030-01-01",
            "edition": "1",
            "language": "en",
        },
        "sources": [
            {"id": "report", "file": "report.txt", "title": "Report", "kind": "report", "reliability": "B"}
            | {"reliability_reason": "Benchmark."}
        ],
        "facts": fact_items,
        "recommendations": recommendations,
        "audiences": [
            {
                "id": "ministry",
                "name": "Ministry",
                "prepared_for": "Ministry",
                "purpose": "Benchmark.",
                "marking": "UNCLASSIFIED",
                "page_budget": 4,
                "key_points": ["fact-0", "fact-1", "fact-2"],
                "sections": [{"kind": "facts", "id": "facts", "title": "Facts", "tags": ["topic"]}],
            }
        ],
    }
    return Dossier.model_validate(data)


def main(sizes: list[int]) -> None:
    print("facts  recommendations  pairs(rationale x fact)  dropped_hedges  weak_citations  warnings")
    for size in sizes:
        built = dossier(size)
        started = time.perf_counter()
        dropped = hedges.dropped_hedges(built)
        middle = time.perf_counter()
        weak = hedges.weak_citations(built)
        ended = time.perf_counter()
        recs = len(built.recommendations)
        print(
            f"{size:5}  {recs:15}  {recs * size:23,}  {middle - started:12.2f} s  {ended - middle:12.2f} s"
            f"  {len(dropped) + len(weak):8}"
        )


if __name__ == "__main__":
    main([int(arg) for arg in sys.argv[1:]] or [50, 200, 1000])
