"""`generate new` starts a dossier that checks clean and builds; `generate schema` writes JSON
Schema that validates the shipped dossier, and every YAML file names it for the editor."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pypdf
import pytest
import yaml
from click.testing import Result

from briefing.dossier.schema_export import schema_files

jsonschema = pytest.importorskip("jsonschema")


def test_new_dossier_checks_clean_and_builds(tmp_path: Path, cli: Callable[..., Result]) -> None:
    folder = tmp_path / "my-topic"
    result = cli("new", folder)
    assert result.exit_code == 0, result.output
    check = cli("check", "--strict", "--data", folder)
    assert check.exit_code == 0, check.output
    assert "0 error(s), 0 warning(s)" in check.output
    out = tmp_path / "out"
    built = cli("brief", "--audience", "all", "--out", out, "--data", folder)
    assert built.exit_code == 0, built.output
    pdfs = sorted(out.glob("*.pdf"))
    assert [pdf.name for pdf in pdfs] == ["my-topic-council.pdf"]
    text = "".join(page.extract_text() for page in pypdf.PdfReader(pdfs[0]).pages)
    assert "12 kilometres of protected cycle lanes" in text
    # The files explain themselves: comments above the fields.
    assert (folder / "facts.yaml").read_text(encoding="utf-8").count("\n# ") >= 3


def test_new_refuses_a_folder_with_anything_in_it(tmp_path: Path, cli: Callable[..., Result]) -> None:
    folder = tmp_path / "taken"
    folder.mkdir()
    (folder / "notes.txt").write_text("mine", encoding="utf-8")
    result = cli("new", folder)
    assert result.exit_code == 1
    assert "not an empty folder" in result.output
    assert [p.name for p in folder.iterdir()] == ["notes.txt"]


def _yaml_files(root: Path) -> list[Path]:
    folders = ("audiences", "translations")
    return sorted(root.glob("*.yaml")) + [path for folder in folders for path in sorted((root / folder).glob("*.yaml"))]


def _validate(root: Path, schemas: Path) -> None:
    by_folder = {
        folder: json.loads((schemas / f"{name}.schema.json").read_text(encoding="utf-8"))
        for folder, name in (("audiences", "audience"), ("translations", "translation"), (root.name, "dossier"))
    }
    for path in _yaml_files(root):
        jsonschema.validate(yaml.safe_load(path.read_text(encoding="utf-8")), by_folder[path.parent.name])


def test_schema_validates_the_shipped_dossier(tmp_path: Path, cli: Callable[..., Result], repo_root: Path) -> None:
    out = tmp_path / "schemas"
    result = cli("schema", "--out", out)
    assert result.exit_code == 0, result.output
    _validate(repo_root / "data", out)
    # ... and a mistake fails it, so the validation can fail.
    facts = yaml.safe_load((repo_root / "data" / "facts.yaml").read_text(encoding="utf-8"))
    facts["facts"][0]["credibility"] = 9
    schema = json.loads((out / "dossier.schema.json").read_text(encoding="utf-8"))
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(facts, schema)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"facts": [{**facts["facts"][1], "statment": "typo"}]}, schema)
    # A translator who translates a quote (never translated: it is evidence) is told so by the editor.
    polish = yaml.safe_load((repo_root / "data" / "translations" / "pl.yaml").read_text(encoding="utf-8"))
    translation = json.loads((out / "translation.schema.json").read_text(encoding="utf-8"))
    jsonschema.validate(polish, translation)
    fact_id = next(iter(polish["facts"]))
    polish["facts"][fact_id]["quote"] = "przetłumaczony cytat"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(polish, translation)


def test_every_yaml_file_names_its_schema_and_it_is_current(
    repo_root: Path, tmp_path: Path, cli: Callable[..., Result]
) -> None:
    for root in (repo_root / "data", tmp_path / "new"):
        if root.name == "new":
            assert cli("new", root).exit_code == 0
        for path in _yaml_files(root):
            first = path.read_text(encoding="utf-8").splitlines()[0]
            assert first.startswith("# yaml-language-server: $schema="), path
            target = (path.parent / first.split("$schema=", 1)[1]).resolve()
            assert target.is_file(), f"{path}: {target} does not exist"
        for name, body in schema_files().items():
            stored = (root / "schema" / name).read_bytes()
            assert stored == body, f"{root / 'schema' / name} is out of date: run 'generate schema --data {root}'"
        _validate(root, root / "schema")


def test_schema_default_folder_is_the_dossiers(
    tmp_path: Path, cli: Callable[..., Result], make_dossier: Callable[[], Any]
) -> None:
    dossier = make_dossier()
    for path in (dossier.root / "schema").iterdir():
        path.unlink()
    result = cli("schema", "--data", dossier.root)
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (dossier.root / "schema").iterdir()) == [
        "audience.schema.json",
        "dossier.schema.json",
        "translation.schema.json",
    ]
