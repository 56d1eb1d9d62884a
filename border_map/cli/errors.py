"""The one error translator of the command line.

Library failures reach the user as one line and exit 1: a :class:`BorderMapError` as its own
message (file, line and field where it has them), an :class:`OSError` as the path and the
reason. :class:`Group` applies it to every command, so commands raise library errors as they
are; :func:`fail` is for a command that must stop with a message of its own.
"""

from __future__ import annotations

import click

from ..errors import BorderMapError


class CommandError(click.ClickException):
    """A failure shown as one line (``Error: ...``), exit code 1."""


def message(err: BaseException) -> str:
    """The one line for a library or operating-system error (names escaped, one line)."""
    from ..errors import os_error_line, shown

    if isinstance(err, OSError):
        return os_error_line(err)
    return shown(str(err))


def fail(err: BaseException):
    """Stop the command with ``err`` as one line (exit 1)."""
    raise CommandError(message(err)) from err


class Group(click.Group):
    """A click group whose commands' library errors become one line (:func:`fail`)."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except (BorderMapError, OSError) as err:
            fail(err)
