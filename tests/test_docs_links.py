"""User docs are self-contained: every relative link stays inside the repository."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LINK = re.compile(r"\]\(([^)\s#]+)(?:#[^)]*)?\)")


def test_relative_links_in_user_docs_resolve_inside_the_repository() -> None:
    # docs/guide/src/ holds the sources the guide pages are rendered from (other paths)
    pages = [ROOT / "README.md", ROOT / "SECURITY.md",
             *sorted(p for p in (ROOT / "docs").rglob("*.md") if "src" not in p.parts)]
    bad = []
    for page in pages:
        text = page.read_text(encoding="utf-8")
        assert "shared/DESIGN.md" not in text, page
        # examples in code are not links
        text = re.sub(r"```.*?```", "", text, flags=re.S)
        text = re.sub(r"`[^`\n]*`", "", text)
        for target in LINK.findall(text):
            if re.match(r"[a-z]+:", target):
                continue  # an external URL
            resolved = (page.parent / target).resolve()
            if not resolved.is_relative_to(ROOT) or not resolved.exists():
                bad.append(f"{page.relative_to(ROOT)}: {target}")
    assert not bad, bad
