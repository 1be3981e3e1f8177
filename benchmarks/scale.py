"""Make a larger dossier from the shipped one, for benchmarks and limit tests.

    python benchmarks/scale.py data /tmp/big 130     # about 10,000 facts

Every fact, threat, divergence, event and question is copied ``factor`` times with
suffixed ids (references are suffixed alike), so the copy validates and every
copy of a figure keeps its measure and value: no new disagreements appear.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path
from typing import Any

import yaml

COPIED = ("facts", "threats", "divergences", "timeline", "questions")


class _NoAliasDumper(yaml.SafeDumper):
    # Copies share their lists; write each out in full (the loader refuses aliases).
    def ignore_aliases(self, data: Any) -> bool:
        return True


def _suffixed(item: dict[str, Any], suffix: str, ids: set[str]) -> dict[str, Any]:
    item = dict(item)
    item["id"] = item["id"] + suffix
    for key in ("conflicts_with", "rests_on"):
        if key in item:
            item[key] = [ref + suffix if ref in ids else ref for ref in item[key]]
    return item


def scale_dossier(source: Path, target: Path, factor: int) -> None:
    shutil.copytree(source, target, dirs_exist_ok=True)
    for path in sorted(source.glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        keys = [key for key in COPIED if key in data]
        if not keys:
            continue
        ids = {item["id"] for key in keys for item in data[key]}
        for key in keys:
            originals = data[key]
            data[key] = list(originals) + [
                _suffixed(item, f"-x{copy}", ids) for copy in range(1, factor) for item in originals
            ]
        (target / path.name).write_text(
            yaml.dump(data, Dumper=_NoAliasDumper, allow_unicode=True, sort_keys=False), encoding="utf-8"
        )


if __name__ == "__main__":
    scale_dossier(Path(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3]))
