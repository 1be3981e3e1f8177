"""Knowing when a brief is up to date, so an unchanged build renders nothing.

Each output file is recorded with a fingerprint of everything it was made from:
the package version, the format, the dossier's data files (its own audience
profile, not the others'), and the content of every template and static file
the render actually read (through Jinja, or through CSS ``url()`` in the PDF
renderer), resolved again on the current search path.  A build
skips an output only if that fingerprint is unchanged and the file on disk is
still the one it wrote.  The record lives in the user's cache folder, keyed by
the output folder, so the briefs folder holds only briefs.  The record is only
an optimisation: without a usable cache every output is simply rendered.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from briefing.cache import cache_folder
from briefing.formats.render_html import TemplateSet
from briefing.output import OutputError, OutputFile, write_outputs


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("briefing")
    except PackageNotFoundError:
        return "unknown"


def file_digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@dataclass(frozen=True)
class Inputs:
    """What one output is made from, apart from the templates its render reads."""

    data_files: tuple[Path, ...]
    templates: TemplateSet
    output_format: str

    def fingerprint(self, template_names: Iterable[str]) -> str:
        digest = hashlib.sha256()
        digest.update(f"briefing {_version()} {self.output_format}\n".encode())
        for path in self.data_files:
            digest.update(f"data {path.name} {file_digest(path)}\n".encode())
        for name in sorted(set(template_names)):
            resolved = self.templates.resolve(name)
            digest.update(f"template {name} {resolved} {file_digest(resolved) if resolved else '-'}\n".encode())
        # Fonts are read by the PDF renderer and the charts, not through Jinja: all of them count.
        for folder in self.templates.static_folders:
            for path in sorted((folder / "fonts").glob("*")) if (folder / "fonts").is_dir() else []:
                digest.update(f"font {path} {file_digest(path)}\n".encode())
        return digest.hexdigest()


def _state_path(out_dir: Path) -> Path | None:
    cache = cache_folder("builds")
    key = hashlib.sha256(str(out_dir.resolve()).encode()).hexdigest()[:32]
    return cache / f"{key}.json" if cache else None


@dataclass
class BuildState:
    """For each output file: its fingerprint, the templates it read, and the digest of what was written."""

    out_dir: Path
    entries: dict[str, dict[str, object]]

    @classmethod
    def load(cls, out_dir: Path) -> BuildState:
        path = _state_path(out_dir)
        try:
            entries = json.loads(path.read_text(encoding="utf-8")) if path else {}
        except (OSError, ValueError):
            entries = {}
        return cls(out_dir, entries if isinstance(entries, dict) else {})

    def is_current(self, output: Path, inputs: Inputs) -> bool:
        entry = self.entries.get(output.name)
        if not isinstance(entry, dict) or not output.is_file():
            return False
        names = entry.get("templates")
        if not isinstance(names, list):
            return False
        try:
            return entry.get("sha256") == file_digest(output) and entry.get("inputs") == inputs.fingerprint(names)
        except OSError:
            return False

    def record(self, output: Path, data: bytes, inputs: Inputs, template_names: Iterable[str]) -> None:
        names = sorted(set(template_names))
        self.entries[output.name] = {
            "sha256": hashlib.sha256(data).hexdigest(),
            "inputs": inputs.fingerprint(names),
            "templates": names,
        }

    def save(self) -> str | None:
        """Keep the record; if the cache cannot hold it, a one-line note saying so (the outputs stand)."""
        path = _state_path(self.out_dir)
        if path is None:
            return "no cache folder (neither $XDG_CACHE_HOME nor a home folder): the next build renders everything"
        data = json.dumps(self.entries, indent=1, sort_keys=True).encode()
        try:
            write_outputs([OutputFile(path, data)])
        except OutputError as error:
            return f"cache {path.parent} not usable ({error.reason}): the next build renders everything again"
        return None
