"""The ``reviewkit`` command: argument parsing and output only; the work is in the library.

The group and the one error handler live here; the commands, by who runs them, in
``editor``, ``reviewer``, ``ci`` and ``admin``; shared options in ``_options``, printing in
``_terminal``, steps several commands share in ``_shared``. Library modules are imported
inside each command so ``reviewkit --help`` stays fast.

Layer: the command line (may import every layer).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from typing import NoReturn

import click

from reviewkit import __version__
from reviewkit.base.errors import CheckFailed, ReviewkitError
from reviewkit.cli import admin, ci, editor, reviewer
from reviewkit.cli._options import CONTEXT, Ctx
from reviewkit.cli._terminal import echo


@click.group(context_settings=CONTEXT)
@click.option("-C", "directory", default=".", metavar="DIR", help="Run as if started in DIR (like git -C).")
@click.option("--debug", is_flag=True, help="Show the traceback of an internal error.")
@click.version_option(__version__, "--version", prog_name="reviewkit")
@click.pass_context
def cli(ctx: click.Context, directory: str, debug: bool) -> None:
    """Clinical review sign-off for health content kept in git.

    Editors draft articles (Markdown + YAML front matter); licensed clinicians sign off
    with their SSH keys; CI refuses to publish content whose current version lacks a
    valid sign-off. Every review event lives in git on refs/reviewkit/events.

    \b
    Start:   reviewkit init && reviewkit new "Coping with panic attacks"
    Check:   reviewkit validate && reviewkit status
    """
    ctx.obj = Ctx(directory, debug)


for _command in (
    admin.init, admin.demo,
    editor.new, editor.translate, editor.validate, editor.status, editor.submit, editor.comment,
    editor.sync,
    reviewer.queue, reviewer.review, reviewer.approve, reviewer.request_changes,
    reviewer.withdraw, reviewer.log, reviewer.due,
    ci.gate, ci.publish, ci.verify, ci.audit, ci.report,
):
    cli.add_command(_command)


# what click's own `main` would read: the shell's completion script sets it
COMPLETE_VAR = "_REVIEWKIT_COMPLETE"


def main(argv: Sequence[str] | None = None) -> NoReturn:
    """Console entry point: one handler turns every error into ``Error: …`` and an exit code."""
    ctx: click.Context | None = None
    instruction = os.environ.get(COMPLETE_VAR)
    if instruction:  # Tab in the shell, or `_REVIEWKIT_COMPLETE=bash_source reviewkit`
        from click.shell_completion import shell_complete

        sys.exit(shell_complete(cli, {}, "reviewkit", COMPLETE_VAR, instruction))
    try:
        ctx = cli.make_context("reviewkit", list(argv if argv is not None else sys.argv[1:]))
        with ctx:
            cli.invoke(ctx)
        code = 0
    except click.exceptions.Abort:
        echo("Aborted.", err=True)
        code = 1
    except click.exceptions.Exit as exc:
        code = exc.exit_code
    except click.ClickException as exc:
        import io

        buf = io.StringIO()  # click quotes the user's input: print it printable
        exc.show(file=buf)
        echo(buf.getvalue().rstrip("\n"), err=True)
        code = 2
    except ReviewkitError as exc:
        if not isinstance(exc, CheckFailed) or exc.message:
            echo(f"Error: {exc}", err=True)
        code = exc.exit_code
    except KeyboardInterrupt:
        echo("Interrupted.", err=True)
        code = 130
    except BrokenPipeError:
        code = 0
    except Exception as exc:  # a bug: one line, and --debug for the traceback
        if ctx is not None and ctx.params.get("debug"):  # the group's own --debug
            import traceback

            traceback.print_exc()
        echo(f"Error: internal error: {type(exc).__name__}: {exc} "
             "(this is a bug in reviewkit; rerun with --debug for the traceback)", err=True)
        code = 4
    if argv is None:
        # the process ends here: its last garbage collection would walk every object of
        # every module imported (the parsers' and rules' tables among them) only to free memory the
        # exit frees anyway, about 0.1 s of a one-article command. Nothing waits on that
        # collection: reviewkit closes what it writes where it writes it (write_atomic),
        # standard output is flushed and atexit handlers (temporary directories) run as
        # before. (Tests call main(argv) in their own process, which goes on: no freeze.)
        import gc

        gc.freeze()
    sys.exit(code)
