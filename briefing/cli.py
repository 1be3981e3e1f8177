"""The ``generate`` command: parses options, calls one library function, reports.

Domain errors are raised by the library as ``BriefingError`` and become a
``click.ClickException`` here, so users see a message and an exit code, never
a traceback.
"""

from __future__ import annotations

import atexit
import os
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any, NoReturn, TypeVar

import click

from briefing.cli_options import data_option, lang_option, reported, templates_option

F = TypeVar("F", bound=Callable[..., Any])


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="briefing", prog_name="generate")
def main() -> None:
    """Turn a dossier of sourced facts into audience-specific HTML, PDF and Word briefs.

    \b
    Example:
      generate brief --audience industry
    """


def _formats(context: click.Context, param: click.Parameter, values: tuple[str, ...]) -> tuple[str, ...]:
    """``--format`` values (repeated or comma-separated) as output formats, in a fixed order."""
    from briefing.formats.registry import DEFAULT_FORMATS, FORMATS

    chosen: set[str] = set()
    for value in values:
        for name in filter(None, (part.strip().lower() for part in value.split(","))):
            if name == "both":
                chosen.update(DEFAULT_FORMATS)
            elif name in FORMATS:
                chosen.add(name)
            else:
                raise click.BadParameter(f"{name!r} is not one of {', '.join(FORMATS)} (or 'both')", param=param)
    return tuple(name for name in FORMATS if name in chosen) if chosen else DEFAULT_FORMATS


def since_option(function: F) -> F:
    return click.option(
        "--since",
        metavar="EDITION|PATH|none",
        default=None,
        help="Earlier edition the 'What has changed' section compares with: an edition published in "
        "--editions, or a path to an edition or dossier folder, or 'none'.  [default: the latest "
        "edition published before the current one]",
    )(function)


def editions_option(function: F) -> F:
    return click.option(
        "--editions",
        "editions_dir",
        type=click.Path(file_okay=False, path_type=Path),
        default=None,
        help="Folder of published editions.  [default: editions/ beside the dossier folder]",
    )(function)


@main.command()
@click.option(
    "--audience",
    "-a",
    "audiences",
    multiple=True,
    required=True,
    help="Audience profile to build (repeatable), or 'all'.",
)
@click.option(
    "--format",
    "output_formats",
    multiple=True,
    metavar="html|pdf|docx",
    callback=_formats,
    help="Which files to write: html, pdf, docx, repeatable or comma-separated ('both' = html,pdf).  "
    "[default: html,pdf]",
)
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("briefs"),
    show_default=True,
    help="Folder to write the briefs to.",
)
@click.option("--force", is_flag=True, help="Render every brief even if its inputs have not changed.")
@click.option("--serial", is_flag=True, help="Render one brief at a time instead of using every core.")
@click.option("--strict", is_flag=True, help="Fail, writing nothing, if a PDF is over its profile's page budget.")
@since_option
@editions_option
@lang_option
@data_option
@templates_option
def brief(
    audiences: tuple[str, ...],
    output_formats: tuple[str, ...],
    out_dir: Path,
    force: bool,
    serial: bool,
    strict: bool,
    since: str | None,
    editions_dir: Path | None,
    languages: tuple[str, ...],
    data_dir: Path,
    template_dirs: tuple[Path, ...],
) -> None:
    """Build briefs for one or more audiences.

    \b
    Examples:
      generate brief --audience industry
      generate brief --audience all --format pdf --out /tmp/briefs
      generate brief --audience industry --format html,pdf,docx
      generate brief -a ministry -a parliament --data other-dossier/
      generate brief --audience all --since 1      # 'What has changed since edition 1'
      generate brief -a all --lang pl              # the Polish edition: <id>-<audience>.pl.pdf
      generate brief -a all --strict               # a PDF over its page budget fails the build
    """
    from briefing.build.pipeline import build_briefs
    from briefing.formats.render_html import TemplateSet

    with reported():
        result = build_briefs(
            data_dir,
            out_dir,
            audiences,
            output_formats,
            TemplateSet(overrides=template_dirs),
            force,
            not serial,
            since=since,
            editions=editions_dir,
            languages=languages,
            strict=strict,
        )
    for path in result.up_to_date:
        click.echo(f"up to date {path}")
    if result.stale_figures:
        click.echo(
            f"note: {result.stale_figures} figure(s) are older than an audience's staleness limit and are "
            "marked in the briefs; 'generate check' lists them",
            err=True,
        )
    for rendered in result.briefs:
        for output in rendered.files:
            click.echo(f"wrote {output.path}")
        for warning in rendered.warnings:
            edition = f", {rendered.language}" if languages else ""
            click.echo(f"warning ({rendered.audience}{edition}): {warning}", err=True)


@main.command()
@data_option
@templates_option
@click.option("--strict", is_flag=True, help="Treat warnings (stale figures) as errors.")
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="Report as text lines or as one JSON document.",
)
def check(data_dir: Path, template_dirs: tuple[Path, ...], strict: bool, output_format: str) -> None:
    """Validate a dossier and report disagreements, stale figures and grading.

    Exit status: 0 clean, 1 errors (or warnings with --strict), 2 usage error.

    \b
    Examples:
      generate check
      generate check --data other-dossier --strict --format json
    """
    import json

    from briefing.build.check import run_check
    from briefing.formats.render_html import TemplateSet

    with reported():  # bad data is in the report; only a broken template folder or install stops here
        report = run_check(data_dir, TemplateSet(overrides=template_dirs))
    if output_format == "json":
        click.echo(json.dumps(report.as_json(), indent=2, ensure_ascii=False))
    else:
        click.echo(report.as_text())
    raise SystemExit(report.exit_code(strict))


@main.command("new")
@click.argument("folder", type=click.Path(path_type=Path))
def new(folder: Path) -> None:
    """Start a new dossier in FOLDER (new or empty): one source, three facts, one audience.

    It checks clean and builds as written; replace its parts with your own. Every YAML
    file names its JSON Schema (in FOLDER/schema/) on its first line, for your editor.

    \b
    Example:
      generate new my-topic
      generate check --data my-topic
      generate brief --audience all --data my-topic
    """
    from briefing.dossier.scaffold import new_dossier

    with reported():
        written = new_dossier(folder)
    for path in written:
        click.echo(f"wrote {path}")
    click.echo(f"next: generate check --data {folder}")


@main.command("schema")
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Folder to write the schemas to  [default: DATA/schema].",
)
@data_option
def schema(out_dir: Path | None, data_dir: Path) -> None:
    """Write JSON Schema for dossier files, audience profiles and translation files (for editors).

    With the YAML language server (VS Code's YAML extension, Neovim's yamlls), a first line
    such as '# yaml-language-server: $schema=schema/dossier.schema.json' in a dossier file
    (or '../schema/audience.schema.json' in audiences/, '../schema/translation.schema.json' in
    translations/) completes and checks fields as you type.

    \b
    Examples:
      generate schema
      generate schema --data my-topic
      generate schema --out /tmp/schemas
    """
    from briefing.dossier.schema_export import SCHEMA_FOLDER, write_schemas

    with reported():
        written = write_schemas(out_dir if out_dir is not None else data_dir / SCHEMA_FOLDER)
    for path in written:
        click.echo(f"wrote {path}")


@main.group()
def templates() -> None:
    """List, copy and document the templates briefs are drawn with.

    \b
    Examples:
      generate templates list --templates my-templates
      generate templates copy sections/facts.html --to my-templates
      generate templates reference > docs/template-reference.md
    """


@templates.command("list")
@data_option
@templates_option
def templates_list(data_dir: Path, template_dirs: tuple[Path, ...]) -> None:
    """Show every template, where it comes from, and which audiences use it.

    \b
    Example:
      generate templates list --templates my-templates
    """
    from briefing.build.load import load_with_templates
    from briefing.formats.render_html import TemplateSet
    from briefing.formats.template_tools import list_templates

    with reported():
        dossier, search_path = load_with_templates(data_dir, TemplateSet(overrides=template_dirs))
    for folder in search_path.folders:
        click.echo(f"search path: {folder}")
    for entry in list_templates(search_path, dossier):
        users = ", ".join(entry.used_by) if entry.used_by else "-"
        click.echo(f"{entry.name:32} {entry.origin:8} used by: {users:30} {entry.path}")


@templates.command("copy")
@click.argument("name")
@click.option(
    "--to",
    "target",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("templates-override"),
    show_default=True,
    help="Override folder to copy into (pass it to --templates when building).",
)
def templates_copy(name: str, target: Path) -> None:
    """Copy shipped template NAME into an override folder to customise it.

    \b
    Example:
      generate templates copy base.html --to my-templates
      generate brief --audience industry --templates my-templates
    """
    from briefing.formats.render_html import TemplateSet
    from briefing.formats.template_tools import copy_template

    with reported():
        destination = copy_template(TemplateSet(), name, target)
    click.echo(f"copied {name} to {destination}")


@templates.command("reference")
def templates_reference() -> None:
    """Print the reference of variables, filters and macros templates can use (Markdown).

    \b
    Example:
      generate templates reference > docs/template-reference.md
    """
    from briefing.formats.template_tools import template_reference

    click.echo(template_reference(), nl=False)


@main.command()
@click.option(
    "--audience",
    "-a",
    "audiences",
    multiple=True,
    default=["all"],
    show_default=True,
    help="Audience to preview (repeatable), or 'all'.",
)
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=8000,
    show_default=True,
    help="Port on 127.0.0.1 (0 picks a free one).",
)
@since_option
@editions_option
@lang_option
@data_option
@templates_option
def serve(
    audiences: tuple[str, ...],
    port: int,
    since: str | None,
    editions_dir: Path | None,
    languages: tuple[str, ...],
    data_dir: Path,
    template_dirs: tuple[Path, ...],
) -> None:
    """Preview the HTML briefs in a browser, rebuilt and reloaded on every save.

    Each page is the HTML brief 'generate brief' writes, byte for byte, with what has changed
    since the earlier edition (--since, --editions); its notes lead to its sources page, built
    with it; its PDF and Word links render on request.
    Watches the dossier, the shipped templates and any override folders (not following
    links out of them). Errors show in the page with file and line; the server keeps
    running. Answers only http://127.0.0.1:PORT/ and http://localhost:PORT/. Ctrl-C stops it.

    \b
    Examples:
      generate serve --audience industry --templates my-templates
      generate serve --lang all --since 1      # every edition, changes since edition 1
    """
    from briefing.preview.serve import Preview
    from briefing.preview.serve import serve as run_server

    def warn(preview: Preview) -> None:
        for page, warnings in preview.warnings.items():
            for warning in warnings:
                click.echo(f"warning ({page}): {warning}", err=True)

    def ready(preview: Preview, bound_port: int) -> None:
        click.echo(f"Previewing {', '.join(preview.pages) or 'nothing yet'} at http://127.0.0.1:{bound_port}/")
        if preview.error:
            click.echo(preview.error, err=True)
        else:
            warn(preview)
        click.echo("Watching for changes; press Ctrl-C to stop.")

    def built(preview: Preview) -> None:
        status = "error" if preview.error else "ok"
        click.echo(f"rebuilt #{preview.generation} in {preview.build_seconds * 1000:.0f} ms: {status}")
        if preview.error:
            click.echo(preview.error, err=True)
        else:
            warn(preview)

    def watch_failed(message: str) -> None:
        click.echo(message, err=True)

    try:
        with reported():  # an unknown audience is a usage error (exit 2), as for 'brief'
            run_server(
                data_dir,
                template_dirs,
                audiences,
                port,
                ready,
                built,
                watch_failed,
                languages,
                since=since,
                editions=editions_dir,
                note=lambda text: click.echo(f"note: {text}", err=True),
            )
    except OSError as error:
        raise click.ClickException(f"cannot serve on 127.0.0.1:{port}: {error.strerror}") from None
    click.echo("Preview stopped.")


@main.command("publish")
@click.option(
    "--out",
    "briefs_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("briefs"),
    show_default=True,
    help="Folder the briefs are built in, as for 'generate brief'; only out-of-date ones are rendered.",
)
@click.option(
    "--format",
    "output_formats",
    multiple=True,
    metavar="html|pdf|docx",
    callback=_formats,
    help="Which formats the edition holds, as for 'generate brief'.  [default: html,pdf]",
)
@editions_option
@since_option
@click.option("--strict", is_flag=True, help="Refuse to publish if an earlier edition differs from its manifest.")
@click.option(
    "--sign",
    "certificate",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Sign every published PDF with the unit's certificate (PKCS#12: .p12/.pfx); its passphrase "
    "comes only from BRIEFING_SIGN_PASSPHRASE.",
)
@data_option
@templates_option
def publish_command(
    briefs_dir: Path,
    output_formats: tuple[str, ...],
    editions_dir: Path | None,
    since: str | None,
    strict: bool,
    certificate: Path | None,
    data_dir: Path,
    template_dirs: tuple[Path, ...],
) -> None:
    """Publish the current edition: a copy of the dossier, every brief and a manifest.

    Writes EDITIONS/<edition>/ (the edition as dossier.yaml names it) holding dossier/ (the
    dossier folder as published), briefs/ (every audience, every format) and manifest.json
    (each file's SHA-256, audience, language, date, edition, and the git commit of the
    dossier if it is in git).  Refused while 'generate check' reports errors, and if that
    edition is already published: raise 'edition' in dossier.yaml first.  Every earlier
    edition is verified against its manifest; a changed, missing or added file is reported.

    Every published PDF carries its evidence (the dossier, and the source files whose licence
    allows it) as embedded files; with --sign it is also signed (PAdES), and its colophon
    says by whom.  A recipient checks it with 'generate verify'.

    \b
    Examples:
      generate publish
      generate publish --editions /srv/briefing/editions --strict
      BRIEFING_SIGN_PASSPHRASE=... generate publish --sign unit.p12
      generate diff --since 1        # then: what changed since edition 1
    """
    from briefing.build.editions import publish, shown
    from briefing.formats.render_html import TemplateSet

    with reported():
        signer = None
        if certificate is not None:
            from briefing.signing.sign import load_signer

            signer = load_signer(certificate, os.environ)
        result = publish(
            data_dir,
            briefs_dir,
            editions_dir,
            TemplateSet(overrides=template_dirs),
            output_formats,
            since,
            strict,
            note=lambda text: click.echo(f"note: {text}", err=True),
            signer=signer,
        )
    for problem in result.earlier_problems:
        click.echo(f"warning: {problem}", err=True)
    for path in result.up_to_date:
        click.echo(f"up to date {path}")
    for path in result.rebuilt:
        click.echo(f"wrote {path}")
    for warning in result.warnings:
        click.echo(f"warning: {warning}", err=True)
    briefs = sum(entry.kind == "brief" for entry in result.entries)
    details = [f"{briefs} brief(s)", f"{len(result.entries) - briefs} dossier file(s)"]
    if result.since:
        details.append(f"changes listed since edition {result.since}")
    if result.commit:
        details.append(f"git commit {result.commit[:12]}")
    if signer is not None:
        details.append(f"PDFs signed by {signer.who}")
    click.echo(f"published edition {result.edition} in {shown(result.folder)}: {', '.join(details)}")
    if result.earlier_problems:
        click.echo(
            f"warning: {len(result.earlier_problems)} difference(s) between earlier editions and their records (above)",
            err=True,
        )


@main.command("diff")
@since_option
@editions_option
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="Report as text lines or as one JSON document.",
)
@data_option
@templates_option
def diff_command(
    since: str | None, editions_dir: Path | None, output_format: str, data_dir: Path, template_dirs: tuple[Path, ...]
) -> None:
    """List what changed since an earlier published edition, for every audience, with file:line.

    The same changes each audience's brief lists under 'What has changed since edition M':
    new and withdrawn claims, figures changed (old and new, with dates and sources),
    recommendations added, withdrawn or re-prioritised, sources re-graded, figures now out
    of date.  Locations are in the current dossier; for something withdrawn, in the
    earlier edition's copy.

    \b
    Examples:
      generate diff
      generate diff --since 1 --format json
      generate diff --since editions/1
    """
    import json

    from briefing.build.changes import diff_document, diff_text
    from briefing.build.editions import EditionError, default_folder, find_earlier, load_earlier, shown
    from briefing.build.load import load
    from briefing.formats.render_html import TemplateSet

    templates = TemplateSet(overrides=template_dirs)
    with reported():
        loaded = load(data_dir, templates)
        folder = editions_dir or default_folder(data_dir)
        found = find_earlier(since, folder, loaded.dossier.dossier)
        if found is None:
            raise EditionError(
                f"no earlier edition to compare with in {shown(folder)} ('generate publish' records one; "
                "--since names another)"
            )
        earlier = load_earlier(*found, templates)
    for problem in earlier.problems:
        click.echo(f"warning: {problem}", err=True)
    document = diff_document(loaded.dossier, loaded.raw.origins, earlier.dossier, earlier.origins, earlier.name)
    if output_format == "json":
        click.echo(json.dumps(document, indent=2, ensure_ascii=False))
    else:
        click.echo(diff_text(document))


def _register_distribute() -> None:
    # Its own module: the distribution code (PDF stamping, SMTP) loads only when it runs.
    from briefing.cli_distribute import distribute
    from briefing.cli_sign import keys, verify

    main.add_command(distribute)
    main.add_command(keys)
    main.add_command(verify)


_register_distribute()


def run() -> NoReturn:
    """The ``generate`` console command: ``main``, then a quick exit.

    After a build the process holds all of WeasyPrint's layout; the interpreter's normal exit
    frees it object by object, which took about 0.15 s of a 2.8 s one-brief build and serves
    no one.  So once the command is done, and nothing else still runs, we do what an exit must
    (exit handlers, flushing) and leave without the teardown.
    """
    try:
        main()
    except SystemExit as stop:
        _leave(stop.code)
    _leave(0)


def _leave(code: object) -> NoReturn:
    if code is None:
        code = 0
    elif not isinstance(code, int):
        print(code, file=sys.stderr)
        code = 1
    others = [t for t in threading.enumerate() if t is not threading.main_thread() and not t.daemon]
    if any(thread.is_alive() for thread in others):
        sys.exit(code)  # the normal exit waits for them
    atexit._run_exitfuncs()  # logging's flush, multiprocessing's clean-up, anything a library registered
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe, as after `generate ... | head`
            code = code or 120  # what Python's own exit returns when stdout cannot be flushed
    os._exit(code)
