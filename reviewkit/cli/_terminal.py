"""What reaches the terminal: printable lines, colour by span kind, progress bars.

Layer: the command line.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import click

if TYPE_CHECKING:
    from reviewkit.outputs.output import Line

def echo(text: str = "", err: bool = False, color: bool | None = None,
         styled: bool = False) -> None:
    """Print a line. Control characters in ``text`` (article or event text, user input)
    become visible escapes such as ``\\x1b``, whatever the colour setting; only
    ``styled`` text, made by :func:`_style` from already-printable parts, keeps its ANSI codes.
    """
    from reviewkit.base.printable import printable

    # color=True keeps ANSI codes even when piped (click strips them otherwise)
    click.echo(text if styled else printable(text), err=err, color=color)


def _style(text: str, **style: Any) -> str:
    """``click.style`` of the printable form of ``text``: the only way ANSI codes get in."""
    from reviewkit.base.printable import printable

    return click.style(printable(text), **style)


# What each kind of span (reviewkit.outputs.output.Line) looks like at a terminal.
STYLES: dict[str, dict[str, Any]] = {
    "fail": {"fg": "red", "bold": True}, "blocked": {"fg": "red", "bold": True},
    "failed": {"fg": "red", "bold": True}, "passed": {"fg": "green", "bold": True},
    "approved": {"fg": "green", "bold": True}, "stale": {"fg": "yellow", "bold": True},
    "expired": {"fg": "yellow", "bold": True}, "in_review": {"fg": "cyan", "bold": True},
    "source_changed": {"fg": "yellow", "bold": True},
    "changes_requested": {"fg": "magenta", "bold": True},
    "invalid": {"fg": "red", "bold": True}, "draft": {"bold": True},
    "note": {"fg": "blue"}, "hint": {"fg": "cyan"},
    "error": {"fg": "red", "bold": True}, "warning": {"fg": "yellow", "bold": True},
    "signed": {"fg": "green"}, "bad-signature": {"fg": "red", "bold": True},
    "diff-file": {"bold": True}, "diff-add": {"fg": "green"}, "diff-del": {"fg": "red"},
    "diff-hunk": {"fg": "cyan"}, "word-add": {"fg": "green"}, "word-del": {"fg": "red"},
}


def echo_lines(lines: Sequence[Line], color: bool | None = None) -> None:
    """Print rendered lines, every span printable; coloured by kind when ``color`` (default:
    a terminal without NO_COLOR)."""
    from reviewkit.base.printable import printable

    use = _use_color(color)
    for line in lines:
        text = "".join(_style(t, **STYLES[k]) if use and k in STYLES else printable(t)
                       for k, t in line)
        echo(text, color=True if use else None, styled=True)


def _use_color(flag: bool | None) -> bool:
    if flag is not None:
        return flag
    if os.environ.get("NO_COLOR"):
        return False
    return sys.stdout.isatty()


@contextmanager
def _progress(label: str) -> Iterator[Callable[[int, int], None] | None]:
    """A progress bar on stderr when it is a terminal, for runs over many articles."""
    if not sys.stderr.isatty() or os.environ.get("REVIEWKIT_NO_PROGRESS"):
        yield None
        return
    bar: Any = None

    def update(done: int, total: int) -> None:
        nonlocal bar
        if total < 200:
            return
        if bar is None:
            bar = click.progressbar(length=total, label=label, file=sys.stderr)
            bar.__enter__()
        bar.update(done - bar.pos)

    try:
        yield update
    finally:
        if bar is not None:
            bar.__exit__(None, None, None)
