"""Options and values several commands share: formats, durations and dates parsed by the
library, the -C DIR context and path arguments, the CI report and signing options.

Layer: the command line.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, cast

import click

if TYPE_CHECKING:
    from reviewkit.outputs.output import Format

FORMATS = click.Choice(["text", "json", "github"])
REPORT_FORMATS = click.Choice(["text", "json", "github", "sarif", "gitlab"])
CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


def _format(fmt: str) -> Format:
    """A --format value (already one of a click.Choice) as the renderers' type."""
    return cast("Format", fmt)


def _library_value(parse: Callable[[str], Any]) -> Callable[[click.Context, click.Parameter, Any], Any]:
    """An option callback that parses the value with a library function; its UsageError
    becomes click's "Invalid value for '--OPTION': …" (the library knows no option names)."""

    def callback(ctx: click.Context, param: click.Parameter, value: Any) -> Any:
        from reviewkit.base.errors import UsageError

        if not isinstance(value, str):
            return value
        try:
            return parse(value)
        except UsageError as exc:
            raise click.BadParameter(str(exc), ctx, param) from None

    return callback


def _parse_window(text: str) -> int:
    from reviewkit.review.status import parse_window

    return parse_window(text)


def _parse_since(text: str) -> str:
    from reviewkit.outputs.audit import parse_since

    return parse_since(text)


WINDOW = _library_value(_parse_window)
SINCE = _library_value(_parse_since)


class Ctx:
    def __init__(self, directory: str, debug: bool) -> None:
        self.directory = directory
        self.debug = debug

    def project(self, trust_ref: str | None = None, allow_setup: bool = False) -> Any:
        from reviewkit.record.project import load_project

        return load_project(self.directory, trust_ref, allow_setup=allow_setup)


def _ctx() -> Ctx:
    obj = click.get_current_context().find_object(Ctx)
    assert obj is not None
    return obj


def _paths(paths: Sequence[str]) -> list[str]:
    """Paths as the user typed them; relative ones resolve against -C DIR, as in git."""
    return [_arg_path(p) for p in paths]


def _arg_path(path: str) -> str:
    """One path argument made absolute against -C DIR (the cwd without -C)."""
    return os.path.abspath(os.path.join(_ctx().directory, os.path.expanduser(path)))


def _report_options(f: Callable[..., None]) -> Callable[..., None]:
    """--changed-since, --summary and --comment-file (docs/ci.md)."""
    f = click.option("--comment-file", type=click.Path(dir_okay=False), metavar="FILE",
                     help="Write the Markdown report for a sticky pull-request comment here.")(f)
    f = click.option("--summary", "summary", type=click.Path(dir_okay=False), metavar="FILE",
                     help="Append the Markdown report to FILE (default: $GITHUB_STEP_SUMMARY).")(f)
    return click.option("--changed-since", metavar="REV",
                        help="The pull request's base: its articles come first in the report "
                             "and the annotations.")(f)


_key_option = click.option("--key", metavar="KEYFILE",
                           help="SSH key to sign with (default: git user.signingkey, then ~/.ssh/id_ed25519).")
_as_option = click.option("--as", "as_id", metavar="ID",
                          help="Your id in reviewers.yaml (default: found by git user.email).")
_trust_option = click.option(
    "--trust-ref", metavar="REF",
    help="Also check the sign-off against the registry and policy at REF, as the gate will "
         "(default: origin's default branch, else the current branch's upstream).")
