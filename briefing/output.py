"""Stage 6: write outputs without ever leaving a half-written file or a half-done build.

All files of a build are first written to temporary files beside their targets.
Only when every one is on disk are they moved into place with ``os.replace``
(atomic on one file system).  The old version of each target is kept as a hard
link until every move has succeeded, so a move that fails puts back the files
already replaced: earlier outputs are left exactly as they were, and no
temporary file stays behind.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from .errors import BriefingError


class OutputError(BriefingError):
    """An output could not be written; nothing of the build was kept."""


@dataclass(frozen=True)
class OutputFile:
    path: Path
    data: bytes


def _keep_old(target: Path) -> Path | None:
    """A second name for the current ``target``, to restore it if the build fails."""
    if not target.exists():
        return None
    backup = Path(tempfile.mktemp(prefix=f".{target.name}.", suffix=".old", dir=target.parent))
    try:
        os.link(target, backup)
    except OSError:
        shutil.copy2(target, backup)
    return backup


def write_outputs(files: Sequence[OutputFile]) -> None:
    """Write every file, or none of them (raises ``OutputError`` naming the file)."""
    staged: list[tuple[Path, Path]] = []
    backups: list[tuple[Path | None, Path]] = []
    current: Path | None = None
    try:
        for output in files:
            current = output.path
            if output.path.is_dir():
                raise IsADirectoryError(21, "a folder of that name is in the way", str(output.path))
            output.path.parent.mkdir(parents=True, exist_ok=True)
            handle, name = tempfile.mkstemp(prefix=f".{output.path.name}.", suffix=".tmp", dir=output.path.parent)
            staged.append((Path(name), output.path))
            with os.fdopen(handle, "wb") as stream:
                stream.write(output.data)
                stream.flush()
                os.fsync(stream.fileno())
            os.chmod(name, 0o644)
        for temporary, target in staged:
            current = target
            backups.append((_keep_old(target), target))
            os.replace(temporary, target)
    except OSError as error:
        for backup, target in reversed(backups):
            if backup is not None:
                os.replace(backup, target)
            elif target.exists() and not target.is_dir():
                target.unlink()  # it did not exist before this build
        for temporary, _ in staged:
            temporary.unlink(missing_ok=True)
        reason = error.strerror or str(error)
        raise OutputError(f"cannot write {current}: {reason}; no output of this build was kept") from None
    except BaseException:
        for temporary, _ in staged:
            temporary.unlink(missing_ok=True)
        raise
    for backup, _ in backups:
        if backup is not None:
            backup.unlink(missing_ok=True)
