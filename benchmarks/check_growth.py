"""How `generate check` time grows with a dossier's size, for the inputs issue 20 found quadratic.

    python benchmarks/check_growth.py                 # every family at four sizes (a few minutes)
    python benchmarks/check_growth.py measure 250 500 # one family, chosen sizes

Families (each a dossier made from ``generate new``'s, in a temporary folder):

- ``quotes``: N facts, each quoting a long hedged passage (about 1,500 characters) of one source;
- ``hedges``: N facts as above and N/5 recommendations, each resting on every fact (the hedge
  and support checks compare each rationale with the quotes it rests on);
- ``measure``: N facts that each give another value of one measure for the same date (every
  pair disagrees);
- ``sources``: N sources of 200 KB each (plain text), each quoted once, plus one quote with a
  changed word (its closest passage is searched for).

Each run is `generate check` in a fresh process with an empty cache; the figure is the median of
three runs and the peak memory of the last.  Linear growth shows as a constant time per item.
"""

from __future__ import annotations

import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GENERATE = ROOT / ".venv" / "bin" / "generate"
SIZES = {"quotes": (250, 500, 1000, 2000), "hedges": (50, 100, 200, 400), "measure": (250, 500, 1000, 2000)}
SIZES["sources"] = (10, 20, 40, 80)

HEDGED = (
    "Officials said the programme may be extended and could possibly include further deliveries, "
    "although it is unclear whether the funding will be approved in time. "
)


def _passage(number: int) -> str:
    """About 1,500 characters of source text, different for each number."""
    sentences = [
        f"Passage {number} sentence {k} reports that item {number}-{k} was delivered in part. " for k in range(8)
    ]
    return HEDGED + "".join(sentences) + HEDGED + f"The review of passage {number} is expected to conclude later."


def _header(title: str) -> str:
    return (
        "dossier:\n  id: growth\n  title: Growth benchmark\n  short_title: Growth\n  publisher: Bench\n"
        f'  author: Bench\n  date: "2026-12-06"\n  edition: "1"\n  language: en\n  keywords: [{title}]\n'
        "  tags:\n    bench: Benchmark items\n"
    )


AUDIENCE = (
    "id: council\nname: Council\nprepared_for: The council\npurpose: A benchmark brief.\n"
    'marking: "TLP:CLEAR"\npage_budget: 4\nmin_reliability: C\nbelow_min_reliability: mark\n'
    "key_points: [fact-0, fact-1, fact-2]\nsections:\n  - kind: facts\n    id: all\n    title: Everything\n    tags: [bench]\n"
)


def _source(identifier: str, file: str) -> str:
    return (
        f"  - id: {identifier}\n    file: {file}\n    title: Source {identifier}\n    kind: report\n"
        '    date: "2025"\n    reliability: B\n    reliability_reason: A benchmark source.\n'
    )


def _fact(number: int, source: str, quote: str, figure: str = "") -> str:
    return (
        f"  - id: fact-{number}\n    statement: {json.dumps(quote[:200])}\n{figure}    tags: [bench]\n"
        f"    credibility: 2\n    cites:\n      - source: {source}\n        locator: para. 1\n"
        f"        quote: {json.dumps(quote)}\n"
    )


def make_dossier(root: Path, family: str, size: int) -> None:
    """Write the ``family`` dossier of ``size`` items into ``root``."""
    (root / "audiences").mkdir(parents=True)
    (root / "sources").mkdir()
    (root / "audiences" / "council.yaml").write_text(AUDIENCE, encoding="utf-8")
    (root / "dossier.yaml").write_text(_header(family), encoding="utf-8")
    facts, sources, extra = [], [], ""
    if family in ("quotes", "hedges"):
        passages = [_passage(n) for n in range(size)]
        (root / "sources" / "report.txt").write_text("\n\n".join(passages), encoding="utf-8")
        sources.append(_source("report", "sources/report.txt"))
        facts = [_fact(n, "report", passage) for n, passage in enumerate(passages)]
        if family == "hedges":
            every = ", ".join(f"fact-{n}" for n in range(size))
            extra = "recommendations:\n" + "".join(
                f"  - id: rec-{r}\n    title: Extend the programme {r}\n    text: Extend the programme {r}.\n"
                f"    addressee: The council\n    horizon: not stated\n    priority: medium\n"
                f"    priority_basis: A benchmark.\n"
                f"    rationale: The programme will certainly be extended and includes further deliveries {r}.\n"
                f"    rests_on: [{every}]\n    audiences: [council]\n"
                f"    cites:\n      - source: report\n        locator: para. 1\n        quote: {json.dumps(HEDGED.strip())}\n"
                for r in range(max(size // 5, 1))
            )
    elif family == "measure":
        lines = [f"The count reported by office {n} was {1000 + n} units." for n in range(size)]
        (root / "sources" / "report.txt").write_text("\n".join(lines), encoding="utf-8")
        sources.append(_source("report", "sources/report.txt"))
        for n, line in enumerate(lines):
            figure = (
                f"    figures:\n      - measure: stock.count\n        value: {1000 + n}\n        unit: units\n"
                f'        text: "{1000 + n} units"\n        as_of: "2025"\n'
            )
            facts.append(_fact(n, "report", line, figure))
    elif family == "sources":
        for n in range(size):
            body = " ".join(f"word{n}x{k}" for k in range(25_000))  # about 200 KB
            quote = f"source {n} holds this sentence among its words"
            text = body[: len(body) // 2] + f" {quote} " + body[len(body) // 2 :]
            (root / "sources" / f"s{n}.txt").write_text(text, encoding="utf-8")
            sources.append(_source(f"s{n}", f"sources/s{n}.txt"))
            facts.append(_fact(n, f"s{n}", quote))
        # One quote with a changed word: the closest passage of its source is looked for.
        facts.append(_fact(size, "s0", "source 0 holds this phrase among its words"))
    (root / "sources.yaml").write_text("sources:\n" + "".join(sources), encoding="utf-8")
    (root / "facts.yaml").write_text("facts:\n" + "".join(facts) + extra, encoding="utf-8")


def time_check(root: Path) -> tuple[float, int, int]:
    """Seconds, peak MB (of the child process) and exit status of ``generate check`` on ``root``."""
    with tempfile.TemporaryDirectory() as cache:
        environment = {**os.environ, "XDG_CACHE_HOME": cache}
        before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        start = time.perf_counter()
        done = subprocess.run(
            [str(GENERATE), "check", "--data", str(root)], env=environment, capture_output=True, check=False
        )
        seconds = time.perf_counter() - start
        peak = max(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, before) // 1024
    return seconds, peak, done.returncode


def main(argv: list[str]) -> None:
    families = [argv[0]] if argv else list(SIZES)
    chosen = [int(size) for size in argv[1:]]
    print("| family | items | check (median of 3) | per item | peak memory | exit |")
    print("|---|---|---|---|---|---|")
    for family in families:
        for size in chosen or SIZES[family]:
            with tempfile.TemporaryDirectory() as folder:
                root = Path(folder) / "dossier"
                make_dossier(root, family, size)
                runs = [time_check(root) for _ in range(3)]
            median = statistics.median(seconds for seconds, _, _ in runs)
            print(
                f"| {family} | {size} | {median:.2f} s | {1000 * median / size:.1f} ms | {runs[-1][1]} MB | {runs[-1][2]} |",
                flush=True,
            )


if __name__ == "__main__":
    main(sys.argv[1:])
