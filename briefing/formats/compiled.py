"""The shipped templates, compiled once at setup and kept with the installation.

Compiling a Jinja template (parsing it, generating Python, compiling that) costs more than
rendering it: about 0.09 s of a one-brief build. Python compiles its own modules once and keeps
the bytecode with the installation; this does the same for the templates shipped with the tool.
``scripts/setup.sh`` runs ``python -m briefing.formats.compiled``, which writes the code of each
shipped template to ``FOLDER`` inside the Python environment. A build then uses that code for a
template whose name, file, whole text and Jinja environment are exactly those it was compiled
from; anything else (a dossier's own templates, a shipped one edited since) is compiled as
before. Nothing is written there while briefs are built: the folder holds only what setup
compiled from the installation's own templates, so it is as trusted as the installed code.
"""

from __future__ import annotations

import hashlib
import marshal
import sys
from pathlib import Path
from types import CodeType

import jinja2
from jinja2.bccache import Bucket

FOLDER = Path(sys.prefix) / "share" / "briefing" / "compiled-templates"
_SUFFIX = ".jbc"
# Code objects only load into the Python that wrote them.
_MAGIC = f"briefing compiled template 1 {sys.implementation.cache_tag}\n".encode()


def fingerprint(environment: jinja2.Environment) -> str:
    """Everything about ``environment`` that changes the code a template compiles to."""
    kind = type(environment)
    parts = (
        jinja2.__version__,
        f"{kind.__module__}.{kind.__qualname__}",
        sorted(environment.extensions),
        repr(environment.autoescape) if not callable(environment.autoescape) else environment.autoescape.__qualname__,
        environment.optimized,
        environment.is_async,
        (environment.block_start_string, environment.block_end_string),
        (environment.variable_start_string, environment.variable_end_string),
        (environment.comment_start_string, environment.comment_end_string),
        (environment.line_statement_prefix, environment.line_comment_prefix),
        (environment.trim_blocks, environment.lstrip_blocks),
        (environment.newline_sequence, environment.keep_trailing_newline),
        sorted(getattr(environment, "intercepted_binops", ())),  # the sandbox's calls for operators
        sorted(getattr(environment, "intercepted_unops", ())),
        getattr(environment, "newstyle_gettext", None),
        sorted(environment.filters),
        sorted(environment.tests),
        environment.undefined.__qualname__,
        getattr(environment.finalize, "__qualname__", None),
        # The sandbox's own code generator writes guards into the code (``render_limits``).
        f"{environment.code_generator_class.__module__}.{environment.code_generator_class.__qualname__}",
        getattr(environment.code_generator_class, "VERSION", None),
    )
    return hashlib.sha256(repr(parts).encode()).hexdigest()


class InstalledTemplates(jinja2.BytecodeCache):
    """Reads the code setup compiled; never writes (``dump_bytecode`` does nothing)."""

    def __init__(self, folder: Path = FOLDER) -> None:
        self.folder = folder

    def get_bucket(self, environment: jinja2.Environment, name: str, filename: str | None, source: str) -> Bucket:
        key = hashlib.sha256(f"{fingerprint(environment)}\0{name}\0{filename}".encode()).hexdigest()
        bucket = Bucket(environment, key, hashlib.sha256(source.encode()).hexdigest())
        self.load_bytecode(bucket)
        return bucket

    def load_bytecode(self, bucket: Bucket) -> None:
        try:
            data = (self.folder / f"{bucket.key}{_SUFFIX}").read_bytes()
        except OSError:
            return  # not compiled at setup: Jinja compiles it
        header = _MAGIC + bucket.checksum.encode() + b"\n"
        if data.startswith(header):
            try:
                code = marshal.loads(data[len(header) :])
            except (EOFError, ValueError, TypeError):
                return
            if isinstance(code, CodeType):
                bucket.code = code

    def dump_bytecode(self, bucket: Bucket) -> None:
        pass


class _Writer(InstalledTemplates):
    def dump_bytecode(self, bucket: Bucket) -> None:
        assert bucket.code is not None
        header = _MAGIC + bucket.checksum.encode() + b"\n"
        path = self.folder / f"{bucket.key}{_SUFFIX}"
        partial = path.with_suffix(".partial")
        partial.write_bytes(header + marshal.dumps(bucket.code))
        partial.replace(path)


def compile_shipped(folder: Path = FOLDER) -> int:
    """Compile every shipped template, as a build loads it, into ``folder`` (emptied first).
    Returns how many files it holds."""
    from briefing.errors import BriefingError
    from briefing.formats.render_html import TemplateSet

    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob(f"*{_SUFFIX}"):
        old.unlink()
    # Builds make environments with and without a record of what they read: names load differently.
    records: tuple[set[str] | None, ...] = (set(), None)
    for record in records:
        environment = TemplateSet().environment(record)
        environment.bytecode_cache = _Writer(folder)
        for name in environment.list_templates():
            if name.startswith(("static/", "default:static/")):
                continue
            try:
                environment.get_template(name)
            except (jinja2.TemplateError, BriefingError):
                continue  # not a template (or not one this tool loads)
    return len(list(folder.glob(f"*{_SUFFIX}")))


if __name__ == "__main__":
    count = compile_shipped()
    print(f"compiled {count} shipped templates into {FOLDER}")
