"""Writes stay where they belong, and everything under ``editions/`` is untrusted input.

A received dossier whose ``schema/`` links elsewhere is not written through; an output folder
whose subfolder links out is refused before anything is written.  A publish stopped half-way
leaves nothing a later command reads as an edition; two publishes at once each record exactly
what their edition holds.  A manifest nested 100,000 levels deep, or one that cannot be read,
gives one clear message to ``brief``, ``diff`` and ``publish``, never a traceback, and a brief
never drops "What has changed" without saying so.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result
from conftest import DossierCopy

from briefing.build.editions import MANIFEST, read_manifest, verify_edition
from briefing.output import OutputError, OutputFile, write_outputs

ROOT = Path(__file__).resolve().parent.parent
GENERATE = [sys.executable, str(ROOT / "generate.py")]


def _no_traceback(result: Result) -> None:
    assert "Traceback" not in result.output and "RecursionError" not in result.output, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)


# ---------------------------------------------------------------------------
# Writes through links
# ---------------------------------------------------------------------------


def test_schema_does_not_write_through_a_linked_schema_folder(
    cli: Callable[..., Result], make_dossier: Callable[..., Any], tmp_path: Path
) -> None:
    dossier = make_dossier()
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    shutil.rmtree(dossier.root / "schema")
    (dossier.root / "schema").symlink_to(elsewhere, target_is_directory=True)
    result = cli("schema", "--data", dossier)
    _no_traceback(result)
    assert result.exit_code == 1
    assert "a link leads out of" in result.output and str(elsewhere) in result.output
    assert list(elsewhere.iterdir()) == []


def test_schema_still_writes_its_own_folder(cli: Callable[..., Result], make_dossier: Callable[..., Any]) -> None:
    dossier = make_dossier()
    shutil.rmtree(dossier.root / "schema")
    result = cli("schema", "--data", dossier)
    assert result.exit_code == 0, result.output
    assert sorted(path.name for path in (dossier.root / "schema").iterdir()) == [
        "audience.schema.json",
        "dossier.schema.json",
        "translation.schema.json",
    ]


def test_an_output_folder_with_a_linked_subfolder_is_refused_before_writing(tmp_path: Path) -> None:
    """As ``distribute`` writes its copies (out/<audience>/...): a linked audience folder is refused."""
    out, elsewhere = tmp_path / "out", tmp_path / "elsewhere"
    out.mkdir()
    elsewhere.mkdir()
    (out / "industry").symlink_to(elsewhere, target_is_directory=True)
    files = [OutputFile(out / "manifest.csv", b"rows"), OutputFile(out / "industry" / "copy-1.pdf", b"%PDF")]
    with pytest.raises(OutputError, match="a link leads out of"):
        write_outputs(files, within=out)
    assert list(elsewhere.iterdir()) == [] and not (out / "manifest.csv").exists()
    # A link inside the folder that stays inside it is fine, and a new subfolder is made in place.
    (out / "inner").mkdir()
    (out / "alias").symlink_to(out / "inner", target_is_directory=True)
    write_outputs([OutputFile(out / "alias" / "a.txt", b"a"), OutputFile(out / "new" / "b.txt", b"b")], within=out)
    assert (out / "inner" / "a.txt").read_bytes() == b"a" and (out / "new" / "b.txt").read_bytes() == b"b"


def test_distribute_refuses_a_linked_copies_folder(cli: Callable[..., Result], tmp_path: Path, repo_root: Path) -> None:
    out, elsewhere = tmp_path / "copies", tmp_path / "elsewhere"
    out.mkdir()
    elsewhere.mkdir()
    (out / "ministry").symlink_to(elsewhere, target_is_directory=True)
    listing = tmp_path / "list" / "recipients.yaml"
    listing.parent.mkdir()
    listing.write_text(
        "recipients:\n  - name: Ania Lis\n    organisation: Biuro\n    audience: ministry\n"
        "    email: ania@example.org\n",
        encoding="utf-8",
    )
    result = cli(
        "distribute", "--list", listing, "--out", out, "--briefs", tmp_path / "briefs", "--data", repo_root / "data"
    )
    _no_traceback(result)
    assert result.exit_code == 1 and "a link leads out of" in result.output, result.output
    assert list(elsewhere.iterdir()) == []


# ---------------------------------------------------------------------------
# Publishing: stopped half-way, and two at once
# ---------------------------------------------------------------------------


def _publish(copy: Any, out: Path, *extra: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [*GENERATE, "publish", "--data", str(copy), "--out", str(out), "--format", "html", *extra],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        cwd=ROOT,
    )


def test_a_publish_stopped_half_way_leaves_no_edition(make_dossier: Callable[..., Any], tmp_path: Path) -> None:
    copy = make_dossier()
    editions = copy.root.parent / "editions"
    process = _publish(copy, tmp_path / "briefs")
    deadline = time.monotonic() + 120
    while not list(editions.glob(".publishing-*")) and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.01)
    assert process.poll() is None, "the publish ended before it could be stopped: " + (
        process.stdout.read() if process.stdout else ""
    )
    process.send_signal(signal.SIGTERM)
    process.wait(timeout=120)
    assert process.returncode != 0
    assert list(editions.iterdir()) == [], "a stopped publish left something in editions/"


def test_a_leftover_staging_folder_is_never_read_as_an_edition(
    cli: Callable[..., Result], make_dossier: Callable[..., Any], tmp_path: Path
) -> None:
    """What ``kill -9`` leaves (it cannot be caught): a hidden folder with a whole manifest in it."""
    copy = make_dossier()
    editions = copy.root.parent / "editions"
    assert cli("publish", "--data", copy, "--out", tmp_path / "briefs", "--format", "html").exit_code == 0
    copy.edit("dossier.yaml", 'edition: "1"', 'edition: "2"')
    leftover = editions / ".publishing-2-k1lled00"
    shutil.copytree(editions / "1", leftover)
    os.chmod(leftover / MANIFEST, 0o644)
    manifest = json.loads((leftover / MANIFEST).read_text(encoding="utf-8"))
    manifest["edition"] = "2"
    (leftover / MANIFEST).write_text(json.dumps(manifest), encoding="utf-8")
    named = cli("diff", "--data", copy, "--since", leftover)
    _no_traceback(named)
    assert named.exit_code == 1 and "an unfinished publish" in named.output and "edition 2" not in named.output
    default = cli("diff", "--data", copy)
    assert default.exit_code == 0 and default.output.startswith("Changes since edition 1 "), default.output
    again = cli("publish", "--data", copy, "--out", tmp_path / "briefs", "--format", "html")
    assert again.exit_code == 0, again.output
    assert sorted(path.name for path in editions.iterdir()) == ["1", "2"]  # the leftover is gone


def test_two_publishes_at_once_each_record_exactly_what_their_edition_holds(
    make_dossier: Callable[..., Any], tmp_path: Path
) -> None:
    first, second = make_dossier(), make_dossier()
    editions = tmp_path / "editions"
    second.edit("dossier.yaml", 'edition: "1"', 'edition: "2"')
    runs = [
        _publish(first, tmp_path / "briefs-1", "--editions", str(editions)),
        _publish(second, tmp_path / "briefs-2", "--editions", str(editions)),
    ]
    outputs = [run.communicate(timeout=600)[0] for run in runs]
    assert [run.returncode for run in runs] == [0, 0], outputs
    for name in ("1", "2"):
        edition = read_manifest(editions / name)
        on_disk = {
            path.relative_to(editions / name).as_posix()
            for path in (editions / name).rglob("*")
            if path.is_file() and path.name != MANIFEST
        }
        assert {file for file, _ in edition.files} == on_disk
        assert verify_edition(edition) == []


# ---------------------------------------------------------------------------
# Hostile or unreadable manifests
# ---------------------------------------------------------------------------


@pytest.fixture
def published(cli: Callable[..., Result], make_dossier: Callable[..., DossierCopy], tmp_path: Path) -> DossierCopy:
    copy = make_dossier()
    assert cli("publish", "--data", copy, "--out", tmp_path / "briefs", "--format", "html").exit_code == 0
    copy.edit("dossier.yaml", 'edition: "1"', 'edition: "2"')
    return copy


def _spoil(copy: DossierCopy, content: bytes) -> Path:
    manifest = copy.root.parent / "editions" / "1" / MANIFEST
    os.chmod(manifest, 0o644)
    manifest.write_bytes(content)
    return manifest


@pytest.mark.parametrize(
    ("content", "said"),
    [
        (b"[" * 100_000 + b"]" * 100_000, "nested more than 100 levels deep"),
        (b'{"files": ' + b"[" * 100_000, "nested more than 100 levels deep"),
        (b"\xff\xfe not text", "not a readable manifest"),
        (b'{"files": "none"}', "no list of files"),
    ],
    ids=["nested", "nested-unclosed", "not-utf8", "wrong-shape"],
)
def test_a_hostile_manifest_gives_one_clear_message(
    cli: Callable[..., Result], published: Any, tmp_path: Path, content: bytes, said: str
) -> None:
    _spoil(published, content)
    diff = cli("diff", "--data", published)
    _no_traceback(diff)
    assert diff.exit_code == 1 and said in diff.output and "manifest.json" in diff.output
    assert len(diff.output) < 2_000
    named = cli("diff", "--data", published, "--since", "1")
    _no_traceback(named)
    assert named.exit_code == 1 and said in named.output
    brief = cli("brief", "-a", "industry", "--format", "html", "--data", published, "--out", tmp_path / "b")
    _no_traceback(brief)
    assert brief.exit_code == 0
    # The brief says it is built without its change section, and why.
    assert said in brief.output and "without 'What has changed'" in brief.output
    publish = cli("publish", "--data", published, "--out", tmp_path / "b2", "--format", "html")
    _no_traceback(publish)
    assert publish.exit_code == 1 and said in publish.output
    assert not (published.root.parent / "editions" / "2").exists()


def test_a_manifest_too_large_to_be_one_is_refused_unread(published: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from briefing.build import editions

    monkeypatch.setattr(editions, "MAX_MANIFEST_BYTES", 1000)
    manifest = _spoil(published, b'{"files": []}' + b" " * 2000)
    with pytest.raises(editions.EditionError, match="larger than"):
        read_manifest(manifest.parent)


def test_a_hostile_snapshot_is_reported_as_the_earlier_edition_s(
    cli: Callable[..., Result], published: Any, tmp_path: Path
) -> None:
    """The copy of the dossier inside an edition is read with every limit a dossier has."""
    facts = published.root.parent / "editions" / "1" / "dossier" / "facts.yaml"
    os.chmod(facts, 0o644)
    facts.write_text("facts: " + "[" * 5000 + "]" * 5000 + "\n", encoding="utf-8")
    result = cli("diff", "--data", published, "--since", "1")
    _no_traceback(result)
    assert result.exit_code == 1
    assert "the earlier edition's dossier" in result.output and "nested more than 1000 levels" in result.output
