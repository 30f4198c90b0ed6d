"""Findings are data: every check reports all of them, the caller decides the exit code.

Layer: base/ (imports only base/).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Level = Literal["error", "warning", "info"]
# the rule id of "a rule was skipped for lack of a word list" (reviewkit.rules.SKIPPED): here so
# that code handling findings need not import the content rules (import time)
SKIPPED_RULE = "rule-language"


@dataclass(frozen=True, order=True)
class Finding:
    """One problem at a place: ``path:line:col: level[rule]: message``.

    ``line`` and ``col`` are 1-based; 0 means "the whole file" / "unknown column".
    """

    path: str
    line: int
    col: int
    level: Level = field(compare=False)
    rule: str = field(compare=False)
    message: str = field(compare=False)
    suggestion: str | None = field(default=None, compare=False)

    @property
    def is_error(self) -> bool:
        return self.level == "error"

    def to_dict(self) -> dict[str, object]:
        return {
            "path": self.path,
            "line": self.line,
            "col": self.col,
            "level": self.level,
            "rule": self.rule,
            "message": self.message,
            "suggestion": self.suggestion,
        }

    def parts(self) -> tuple[str, str, str]:
        """:meth:`format`'s line in three parts: ``path:line:col: ``, the level, the rest
        (so a renderer can mark the level without parsing the line)."""
        from reviewkit.base.printable import one_line

        where = one_line(self.path)
        if self.line:
            where += f":{self.line}:{self.col or 1}"
        rest = f"[{self.rule}]: {one_line(self.message)}"
        if self.suggestion:
            rest += f" (suggestion: {one_line(self.suggestion)})"
        return f"{where}: ", self.level, rest

    def format(self) -> str:
        """Compiler-style one line (quoted text with its control characters and line
        feeds as visible escapes)."""
        return "".join(self.parts())

