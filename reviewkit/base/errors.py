"""The one user-facing error type. Each subclass carries its exit code.

Exit codes (DESIGN.md): 0 ok; 1 the check failed; 2 usage or configuration error;
3 environment error (not a git repo, git or ssh-keygen missing, a ref unreadable);
4 internal error.

Layer: base/ (imports only base/).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from reviewkit.base.findings import Finding


class ReviewkitError(Exception):
    """Base of every error reviewkit reports to a person. ``str(err)`` is one line."""

    exit_code = 4

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        if self.hint:
            return f"{self.message} ({self.hint})"
        return self.message


class CheckFailed(ReviewkitError):
    """A check ran and said no: validation, gate, publish refused, a refused approval."""

    exit_code = 1


class UsageError(ReviewkitError):
    """Wrong arguments, or an operation that makes no sense in this state."""

    exit_code = 2


class ConfigError(ReviewkitError):
    """reviewkit.yaml, reviewers.yaml or a schema is missing or invalid. ``findings``: every
    problem of the file, each at its place, when there are several (``validate`` lists
    them; the message names the first)."""

    exit_code = 2

    def __init__(self, message: str, *, hint: str | None = None,
                 findings: Sequence[Finding] = ()) -> None:
        super().__init__(message, hint=hint)
        self.findings = list(findings)


class EnvError(ReviewkitError):
    """The environment is not usable: not a git repo, git/ssh-keygen missing, ref unreadable."""

    exit_code = 3
