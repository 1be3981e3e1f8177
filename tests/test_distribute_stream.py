"""Distribution streams its copies (issue 20, item 5): each copy is stamped, written and let go
before the next is made, so memory does not grow with the list; and the output folder still
changes all at once or not at all: a failure half-way, a run killed half-way and a second run
at the same time leave the earlier copies, manifests and zips as they were.

The audience PDFs come from the session's shipped build (copied: nothing here writes into it).
"""

from __future__ import annotations

import json
import os
import resource
import signal
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from briefing.cli_distribute import distribute as distribute_command
from briefing.distribution.distribute import STAGING_PREFIX, Options, StampedCopy, distribute
from briefing.errors import BriefingError
from briefing.formats.render_html import TemplateSet
from briefing.output import folder_lock

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"
GENERATE = [sys.executable, str(ROOT / "generate.py")]


def recipients(
    count: int, copies: int = 1, audiences: tuple[str, ...] = ("ministry", "industry")
) -> list[dict[str, Any]]:
    return [
        {
            "name": f"Zofia Wójcik-Łęcka {number}",
            "organisation": "Ministry of Foreign Affairs",
            "audience": audiences[number % len(audiences)],
            "email": f"z.wojcik-lecka.{number}@example.org",
            "copies": copies,
        }
        for number in range(count)
    ]


def write_list(path: Path, entries: list[dict[str, Any]]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump({"recipients": entries}, allow_unicode=True, sort_keys=False), "utf-8")
    return path


def options(list_path: Path, out: Path, briefs_dir: Path, **changes: Any) -> Options:
    values: dict[str, Any] = {
        "data_dir": DATA,
        "list_path": list_path,
        "out_dir": out,
        "briefs_dir": briefs_dir,
        "templates": TemplateSet(),
        "zip": True,
    }
    return Options(**(values | changes))


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` (staging folders aside) by its path inside it."""
    return {
        path.relative_to(folder).as_posix(): path.read_bytes()
        for path in folder.rglob("*")
        if path.is_file() and not path.relative_to(folder).parts[0].startswith(STAGING_PREFIX)
    }


def staging_folders(out: Path) -> list[Path]:
    return [path for path in out.iterdir() if path.name.startswith(STAGING_PREFIX)] if out.exists() else []


# ---------------------------------------------------------------------------
# Memory
# ---------------------------------------------------------------------------


def test_memory_does_not_grow_with_the_number_of_copies(tmp_path: Path, briefs_dir: Path) -> None:
    """Ten times the copies (50 and 500, with zips) and the run's peak of Python memory grows by less
    than ten copies' bytes: holding the 450 more copies, as distribution did, would add 450 copies' bytes.

    The list has five recipients either way (10 or 100 copies each), so what is measured is the
    copies, not the parsing of a longer list; what still grows is a small record per copy (for the
    manifest, the zip's directory and the result), about 2 KB against some 200 KB a copy.
    """

    def peak(copies: int) -> tuple[int, int]:
        list_path = write_list(tmp_path / f"list-{copies}" / "recipients.yaml", recipients(5, copies))
        out = tmp_path / f"out-{copies}"
        tracemalloc.start()
        try:
            result = distribute(options(list_path, out, briefs_dir), environ={})
            highest = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
        assert len(result.copies) == 5 * copies and len(snapshot(out)) == 5 * copies + 4  # manifests, two zips
        return highest, max(copy.size for copy in result.copies)

    peak(1)  # fonts, the dossier's caches and the prepared PDFs, as the first run in a process makes them
    fifty, _ = peak(10)
    five_hundred, copy_size = peak(100)
    assert five_hundred - fifty < 10 * copy_size, (
        f"peak {fifty / 2**20:.1f} MiB for 50 copies, {five_hundred / 2**20:.1f} MiB for 500 "
        f"(a copy is {copy_size / 2**10:.0f} KiB)"
    )


def test_each_copy_is_on_disk_before_the_next_is_stamped_and_in_place_only_at_the_end(
    tmp_path: Path, briefs_dir: Path
) -> None:
    """A step after stamping (the hook signing uses) sees the copies before it already written to the
    staging folder, and none of them yet in the output folder."""
    list_path = write_list(tmp_path / "recipients.yaml", recipients(4, copies=2))
    out = tmp_path / "out"
    seen: list[tuple[int, int]] = []  # (copies staged, copies in place) as each copy is stamped

    def look(copy: StampedCopy, data: bytes) -> tuple[StampedCopy, bytes]:
        (staging,) = staging_folders(out)
        staged = [path for path in staging.rglob("*.pdf")]
        seen.append((len(staged), len(list(out.glob("*/*.pdf")))))
        return copy, data

    result = distribute(options(list_path, out, briefs_dir), environ={}, steps=[look])
    assert seen == [(number, 0) for number in range(8)]
    assert staging_folders(out) == []
    files = snapshot(out)
    assert sorted(name for name in files if name.endswith(".pdf")) == sorted(
        copy.path.relative_to(out).as_posix() for copy in result.copies
    )
    # The manifest, written a row at a time, is laid out as json.dumps lays out the whole document.
    text = files["manifest.json"].decode()
    document = json.loads(text)
    assert text == json.dumps(document, indent=2, ensure_ascii=False) + "\n"
    assert [row["sha256"] for row in document["copies"]] == [copy.sha256 for copy in result.copies]


def test_a_step_that_changes_a_copy_is_what_is_written_and_listed(tmp_path: Path, briefs_dir: Path) -> None:
    list_path = write_list(tmp_path / "recipients.yaml", recipients(2))
    out = tmp_path / "out"

    def mark(copy: StampedCopy, data: bytes) -> tuple[StampedCopy, bytes]:
        changed = data + b"%changed\n"
        return copy.holding(changed), changed

    result = distribute(options(list_path, out, briefs_dir), environ={}, steps=[mark])
    rows = json.loads((out / "manifest.json").read_text("utf-8"))["copies"]
    for copy, row in zip(result.copies, rows, strict=True):
        data = copy.path.read_bytes()
        assert data.endswith(b"%changed\n") and len(data) == copy.size
        assert row["sha256"] == copy.sha256


# ---------------------------------------------------------------------------
# All or nothing
# ---------------------------------------------------------------------------


def test_a_failure_half_way_leaves_the_earlier_outputs_as_they_were(tmp_path: Path, briefs_dir: Path) -> None:
    out = tmp_path / "out"
    distribute(options(write_list(tmp_path / "first.yaml", recipients(3)), out, briefs_dir), environ={})
    before = snapshot(out)
    stamped = 0

    def fail_at_the_fourth(copy: StampedCopy, data: bytes) -> tuple[StampedCopy, bytes]:
        nonlocal stamped
        stamped += 1
        if stamped == 4:
            raise BriefingError("stopped at the fourth copy")
        return copy, data

    second = write_list(tmp_path / "second.yaml", recipients(3, copies=2))  # other bytes for the same files
    with pytest.raises(BriefingError, match="stopped at the fourth copy"):
        distribute(options(second, out, briefs_dir), environ={}, steps=[fail_at_the_fourth])
    assert snapshot(out) == before
    assert staging_folders(out) == []

    # Into a folder that did not exist: it does not exist afterwards either.
    fresh = tmp_path / "new" / "copies"
    stamped = 0
    with pytest.raises(BriefingError, match="stopped at the fourth copy"):
        distribute(options(second, fresh, briefs_dir), environ={}, steps=[fail_at_the_fourth])
    assert not (tmp_path / "new").exists()


def test_a_file_that_cannot_be_moved_into_place_puts_back_every_one_already_moved(
    tmp_path: Path, briefs_dir: Path
) -> None:
    """The last copy's name is taken by a folder: the moves before it are undone, with a message."""
    out = tmp_path / "out"
    first = write_list(tmp_path / "first.yaml", recipients(3))
    distribute(options(first, out, briefs_dir), environ={})
    before = snapshot(out)
    second = write_list(tmp_path / "second.yaml", recipients(3, copies=2))
    planned = distribute(options(second, out, briefs_dir, dry_run=True), environ={}).copies
    planned[-1].path.mkdir(parents=True)
    result = CliRunner().invoke(
        distribute_command,
        [str(arg) for arg in ["--list", second, "--out", out, "--briefs", briefs_dir, "--data", DATA, "--zip"]],
    )
    assert result.exit_code == 1, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.output
    assert f"cannot write {planned[-1].path}" in result.output and "no output of this build was kept" in result.output
    assert snapshot(out) == before
    assert staging_folders(out) == []


def test_a_disk_that_refuses_a_write_is_a_message_and_changes_nothing(tmp_path: Path, briefs_dir: Path) -> None:
    """A copy larger than the process may write (as on a full disk): a message naming the file, exit 1."""
    out = tmp_path / "out"
    distribute(options(write_list(tmp_path / "first.yaml", recipients(2)), out, briefs_dir), environ={})
    before = snapshot(out)
    second = write_list(tmp_path / "second.yaml", recipients(3, copies=2))
    planned = distribute(options(second, out, briefs_dir, dry_run=True), environ={}).copies
    limit = planned[0].size // 2

    def small_files() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails (EFBIG) instead of killing
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    args = ["distribute", "--list", second, "--out", out, "--briefs", briefs_dir, "--data", DATA, "--zip"]
    run = subprocess.run(
        [*GENERATE, *map(str, args)], cwd=ROOT, capture_output=True, text=True, preexec_fn=small_files, timeout=300
    )
    assert run.returncode == 1, run.stdout + run.stderr
    assert "Traceback" not in run.stderr
    assert f"cannot write {planned[0].path}: File too large; no output of this build was kept" in run.stderr
    assert snapshot(out) == before
    assert staging_folders(out) == []


def test_a_run_killed_half_way_changes_nothing_and_the_next_run_clears_what_it_left(
    tmp_path: Path, briefs_dir: Path
) -> None:
    out = tmp_path / "out"
    distribute(options(write_list(tmp_path / "first.yaml", recipients(2)), out, briefs_dir), environ={})
    before = snapshot(out)
    second = write_list(tmp_path / "second.yaml", recipients(3, copies=40))
    args = ["distribute", "--list", second, "--out", out, "--briefs", briefs_dir, "--data", DATA, "--zip"]
    run = subprocess.Popen([*GENERATE, *map(str, args)], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 120
        while not any(len(list(folder.rglob("*.pdf"))) >= 5 for folder in staging_folders(out)):
            assert run.poll() is None, "the run ended before it could be killed"
            assert time.monotonic() < deadline, "no copy was staged within two minutes"
            time.sleep(0.05)
        os.kill(run.pid, signal.SIGKILL)
    finally:
        run.wait()
    assert snapshot(out) == before
    assert len(staging_folders(out)) == 1  # what the killed run had written, out of the way

    result = distribute(options(second, out, briefs_dir), environ={})
    assert staging_folders(out) == []
    assert len(result.copies) == 120 and len(snapshot(out)) == 120 + 2 + 2 + 2  # two from the first run stay


def test_a_second_run_into_the_same_folder_is_refused_while_one_is_writing(tmp_path: Path, briefs_dir: Path) -> None:
    out = tmp_path / "out"
    list_path = write_list(tmp_path / "recipients.yaml", recipients(2))
    distribute(options(list_path, out, briefs_dir), environ={})
    before = snapshot(out)
    with folder_lock(out, lambda: None):  # as a run writing into it holds it
        result = CliRunner().invoke(
            distribute_command,
            [str(arg) for arg in ["--list", list_path, "--out", out, "--briefs", briefs_dir, "--data", DATA]],
        )
    assert result.exit_code == 1, result.output
    assert f"another run is writing copies into {out}; wait for it" in result.output
    assert snapshot(out) == before


def test_a_failure_after_the_sources_page_is_staged_leaves_the_earlier_outputs_as_they_were(
    tmp_path: Path, briefs_dir: Path, word_briefs_dir: Path
) -> None:
    """The sources page beside Word copies goes through the same staging as the copies: written
    into the staging folder with the first Word copy, moved into place only with everything else,
    and gone with the rest when the run fails."""
    out = tmp_path / "out"
    distribute(options(write_list(tmp_path / "first.yaml", recipients(3)), out, briefs_dir), environ={})
    before = snapshot(out)
    word = [{**entry, "formats": ["pdf", "docx"]} for entry in recipients(3, copies=2, audiences=("industry",))]
    second = write_list(tmp_path / "second.yaml", word)
    staged_pages: list[int] = []  # sources pages in the staging folder as each copy is stamped

    def fail_at_the_sixth(copy: StampedCopy, data: bytes) -> tuple[StampedCopy, bytes]:
        staging = staging_folders(out)
        staged_pages.append(len(list(staging[0].rglob("*.sources.html"))) if staging else 0)
        assert not list(out.glob("*/*.sources.html"))  # nothing in place before the end
        if len(staged_pages) == 6:
            raise BriefingError("stopped at the sixth copy")
        return copy, data

    with pytest.raises(BriefingError, match="stopped at the sixth copy"):
        distribute(options(second, out, word_briefs_dir), environ={}, steps=[fail_at_the_sixth])
    # A step runs as a copy is stamped, before it is written: the page is staged with the first
    # Word copy (the second stamped), so the steps after it find it there.
    assert staged_pages == [0, 0, 1, 1, 1, 1]
    assert snapshot(out) == before
    assert staging_folders(out) == []

    # Into a folder that did not exist: it does not exist afterwards either.
    out = tmp_path / "new" / "copies"
    staged_pages.clear()
    with pytest.raises(BriefingError, match="stopped at the sixth copy"):
        distribute(options(second, out, word_briefs_dir), environ={}, steps=[fail_at_the_sixth])
    assert staged_pages == [0, 0, 1, 1, 1, 1]
    assert not (tmp_path / "new").exists()

    # Run through, the page is in place beside the Word copies.
    result = distribute(options(second, out, word_briefs_dir), environ={})
    pages = {copy.sources_page.path for copy in result.copies if copy.sources_page is not None}
    assert len(pages) == 1 and all(path.is_file() and path.parent == out / "industry" for path in pages)
