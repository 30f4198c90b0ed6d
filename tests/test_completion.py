"""Shell completion (docs/guide/README.md): click's protocol reaches the command group."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest


def _complete(**env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", "from reviewkit.cli import main; main()"],
                          env={**os.environ, **env}, capture_output=True, text=True,
                          check=False)


def test_bash_completion_answers_commands_and_states() -> None:
    done = _complete(_REVIEWKIT_COMPLETE="bash_complete", COMP_WORDS="reviewkit st",
                     COMP_CWORD="1")
    assert (done.returncode, done.stdout.splitlines(), done.stderr) == (0, ["plain,status"], "")
    done = _complete(_REVIEWKIT_COMPLETE="bash_complete",
                     COMP_WORDS="reviewkit status --state ", COMP_CWORD="3")
    states = ("draft", "in_review", "changes_requested", "approved", "stale", "expired",
              "invalid", "source_changed")
    assert (done.returncode, done.stdout.splitlines()) == (0, [f"plain,{s}" for s in states])


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_completion_script_is_written_for_each_shell(shell: str) -> None:
    done = _complete(_REVIEWKIT_COMPLETE=f"{shell}_source")
    assert done.returncode == 0 and "_reviewkit_completion" in done.stdout, done
