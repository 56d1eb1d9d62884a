"""Every command has help (with -h too) and is documented in the README."""

from __future__ import annotations

from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from border_map.cli import cli

README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")


def _commands(group: click.Group, prefix=()):
    for name, cmd in sorted(group.commands.items()):
        yield (*prefix, name), cmd
        if isinstance(cmd, click.Group):
            yield from _commands(cmd, (*prefix, name))


COMMANDS = list(_commands(cli))


@pytest.mark.parametrize("path, cmd", COMMANDS, ids=[" ".join(p) for p, _ in COMMANDS])
def test_command_has_help_and_is_in_readme(path, cmd):
    assert (cmd.help or "").strip(), path
    res = CliRunner().invoke(cli, [*path, "-h"])
    assert res.exit_code == 0 and "Usage:" in res.output
    usage = f"border-map {' '.join(path)}"
    assert usage in README, f"README does not show '{usage}'"


def test_readme_starts_with_the_two_commands():
    head = README.split("\n## ", 1)[0]
    assert head.index("make map") < head.index("make test")
