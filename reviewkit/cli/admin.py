"""Setting up: scaffold reviewkit in a repository; walk the whole workflow in a demo.

Layer: the command line.
"""

from __future__ import annotations

import click

from reviewkit.cli._options import (
    _ctx,
)
from reviewkit.cli._terminal import echo


@click.command()
def init() -> None:
    """Scaffold reviewkit in this directory (refuses to overwrite anything).

    Writes reviewkit.yaml, reviewers.yaml, schemas/, content/articles/,
    .github/workflows/reviewkit.yml and the gate action it runs,
    .github/actions/reviewkit/action.yml (installs this reviewkit version).

    \b
    Example:  cd my-site && git init && reviewkit init
    """
    from pathlib import Path

    from reviewkit.article.scaffold import init as do_init

    root = Path(_ctx().directory).resolve()
    for rel in do_init(root):
        echo(f"created {rel}")
    echo("next: add reviewers to reviewers.yaml, then `reviewkit new \"TITLE\"`")
    echo("then commit this on a branch and open a pull request: CI passes this setup change "
         "while every article is a draft, and checks every later change against it")


@click.command()
@click.option("--keep", type=click.Path(file_okay=False), help="Keep the demo repository in this new directory.")
def demo(keep: str | None) -> None:
    """Walk the whole workflow in a throwaway repository, with narration.

    new article → validate → submit → approve → gate passes → publish → edit → gate blocks
    as stale → review diff → re-approve → gate passes. Exits 0 when the story held.

    \b
    Example:  reviewkit demo --keep /tmp/reviewkit-demo
    """
    from pathlib import Path

    from reviewkit.demo import run_demo

    if keep and Path(keep).exists():
        from reviewkit.base.errors import UsageError

        raise UsageError(f"--keep {keep}: already exists; name a new directory")
    run_demo(echo, Path(keep).resolve() if keep else None)
