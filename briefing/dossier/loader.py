"""Read a dossier folder from disk (the first thing ``build/load.py`` does).

A dossier folder holds YAML files whose top-level keys are merged into one
document (``dossier.yaml`` with ``dossier:``, ``facts.yaml`` with ``facts:``, ...)
and an ``audiences/`` folder with one profile per file.  This is the only stage
that reads data files; validation happens on the merged, in-memory result.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from briefing.dossier.yamlload import Origins, load_yaml
from briefing.errors import DossierError, Problem


@dataclass
class RawDossier:
    """Merged YAML data of a dossier folder, before validation."""

    root: Path
    data: dict[str, Any] = field(default_factory=dict)
    origins: Origins = field(default_factory=Origins)
    problems: list[Problem] = field(default_factory=list)
    files: list[Path] = field(default_factory=list)
    # The profile file of each entry of data["audiences"], in the same order.
    audience_files: list[Path] = field(default_factory=list)


def _display(path: Path, root: Path) -> str:
    # Name files as the user would type them: relative to the working directory if possible.
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def _outside(path: Path, root: Path) -> Problem | None:
    """A problem if ``path`` is a link that leads out of the dossier folder (a received
    dossier must not make the tool read, and print, files elsewhere on the machine)."""
    if path.resolve().is_relative_to(root.resolve()):
        return None
    return Problem(_display(path, root), 1, 1, "", "links to a file outside the dossier folder; refused")


def read_dossier(root: Path) -> RawDossier:
    """Read every YAML file of the dossier at ``root``; problems are collected, not raised."""
    raw = RawDossier(root=root)
    if not root.is_dir():
        raise DossierError([Problem(str(root), 1, 1, "", "no such dossier folder")])
    top_level_files = sorted(root.glob("*.yaml")) + sorted(root.glob("*.yml"))
    if not top_level_files:
        raise DossierError([Problem(str(root), 1, 1, "", "no .yaml files in the dossier folder")])
    raw.origins.fallback_file = _display(top_level_files[0], root)
    for path in top_level_files:
        if outside := _outside(path, root):
            raw.problems.append(outside)
            continue
        raw.files.append(path)
        name = _display(path, root)
        raw.origins.home_files[path.stem] = name
        # Each file gets its own origins first, so a key defined twice cannot mix up positions.
        origins = Origins()
        data, problems = load_yaml(path, name, origins)
        raw.problems.extend(problems)
        if data is None:
            continue
        if not isinstance(data, dict):
            raw.problems.append(Problem(name, 1, 1, "", "the file must be a mapping of top-level keys"))
            continue
        for key, value in data.items():
            if key in raw.data:
                first_file = raw.origins.locate((key,))[0]
                file, line, column = origins.key_positions.get((key,), (name, 1, 1))
                raw.problems.append(Problem(file, line, column, key, f"already defined in {first_file}"))
                continue
            raw.data[key] = value
            raw.origins.positions.update({p: at for p, at in origins.positions.items() if p[:1] == (key,)})
            raw.origins.key_positions.update({p: at for p, at in origins.key_positions.items() if p[:1] == (key,)})

    audience_files = sorted((root / "audiences").glob("*.yaml")) + sorted((root / "audiences").glob("*.yml"))
    audiences: list[Any] = []
    for path in audience_files:
        if outside := _outside(path, root):
            raw.problems.append(outside)
            continue
        raw.files.append(path)
        prefix = ("audiences", len(audiences))
        data, problems = load_yaml(path, _display(path, root), raw.origins, prefix)
        raw.problems.extend(problems)
        if data is not None:
            audiences.append(data)
            raw.audience_files.append(path)
    if "audiences" in raw.data:
        raw.problems.append(raw.origins.problem(("audiences",), "audiences belong in audiences/*.yaml, one per file"))
    raw.data["audiences"] = audiences
    return raw
