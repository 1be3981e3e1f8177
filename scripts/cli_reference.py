"""Write the command-line reference (docs/cli.md) from the commands' own --help.

    .venv/bin/python scripts/cli_reference.py > docs/cli.md

tests/test_docs.py fails when the committed file differs from what this prints, so the reference
cannot drift from the code: change a command's help, then run this again.
"""

from __future__ import annotations

import click

from briefing.cli import main

# Help is wrapped at a fixed width, not the terminal's, so the page is the same on every machine.
WIDTH = 100
HEADER = """\
# Command-line reference

Generated from each command's `--help` by `python scripts/cli_reference.py > docs/cli.md`; a test
fails if this page is out of date. `generate COMMAND --help` prints the same in a terminal.
"""


def _commands(command: click.Command, parent: click.Context | None, name: str) -> list[tuple[str, str]]:
    """(full name, help text) of ``command`` and every command under it, in the order --help lists them."""
    settings = {**command.context_settings, "terminal_width": WIDTH, "max_content_width": WIDTH}
    context = command.context_class(command, info_name=name, parent=parent, **settings)
    found = [(context.command_path, command.get_help(context))]
    if isinstance(command, click.Group):
        for sub_name in command.list_commands(context):
            sub = command.get_command(context, sub_name)
            if sub is not None and not sub.hidden:
                found += _commands(sub, context, sub_name)
    return found


def reference() -> str:
    """The Markdown page: a heading and the help text of every command."""
    parts = [HEADER]
    for path, text in _commands(main, None, "generate"):
        parts.append(f"\n## `{path}`\n\n```text\n{text.rstrip()}\n```\n")
    return "".join(parts)


if __name__ == "__main__":
    print(reference(), end="")
