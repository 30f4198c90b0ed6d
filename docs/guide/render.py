#!/usr/bin/env python3
"""Fill the guide's pages with real command output.

    docs/guide/make_walkthrough.sh > docs/guide/walkthrough.txt
    python3 docs/guide/render.py            # write docs/guide/*.md
    python3 docs/guide/render.py --check    # exit 1 if a page differs from its rendering

Each page is written from its source in docs/guide/src/NAME.md: a line (outside a fenced
code block)

    @@ SECTION | COMMAND [|| COMMAND ...]

becomes a console block with those commands (matched by their start, the first one not
used yet in that section of walkthrough.txt) and exactly what they printed. When the
last command exited with a code other than 0, a line "Exit code N." follows the block
(any other command of a block must have exited 0).
Edit the sources, never the rendered pages: tests/test_guide.py checks they agree.
"""
from __future__ import annotations

import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def parse(transcript: str) -> dict[str, list[tuple[str, list[str], int]]]:
    sections: dict[str, list[tuple[str, list[str], int]]] = {}
    current: list[tuple[str, list[str], int]] | None = None
    for line in transcript.splitlines():
        if line.startswith("#### "):
            current = sections.setdefault(line[5:].strip(), [])
        elif current is None:
            continue
        elif line.startswith("$ "):
            current.append((line[2:], [], 0))
        elif line.startswith("# ") and (not current or current[-1][1] is not None):
            # narration between commands
            if current:
                cmd, out, rc = current[-1]
                current[-1] = (cmd, out, rc)
            current.append(("", None, 0))  # type: ignore[arg-type]
        elif re.fullmatch(r"\[exit \d+\]", line) and current and current[-1][1] is not None:
            cmd, out, _ = current[-1]
            current[-1] = (cmd, out, int(line[6:-1]))
        elif current and current[-1][1] is not None:
            current[-1][1].append(line)
    return {k: [e for e in v if e[1] is not None] for k, v in sections.items()}


def render(src: str, sections: dict[str, list[tuple[str, list[str], int]]]) -> str:
    used: set[tuple[str, int]] = set()
    out: list[str] = []
    fenced = False  # inside ``` … ```: a diff's "@@ -1,2 +1,2 @@" is text, not a directive
    for line in src.splitlines():
        if line.lstrip().startswith("```"):
            fenced = not fenced
        if fenced or not line.startswith("@@ "):
            out.append(line)
            continue
        section, _, rest = line[3:].partition("|")
        section = section.strip()
        if section not in sections:
            sys.exit(f"render.py: no section {section!r} in walkthrough.txt")
        block: list[str] = []
        block_cmds: list[str] = []
        rc = 0
        for want in (c.strip() for c in rest.split("||")):
            for i, (cmd, lines, code) in enumerate(sections[section]):
                if (section, i) not in used and cmd.startswith(want):
                    used.add((section, i))
                    block.append(f"$ {cmd}")
                    while lines and not lines[-1].strip():
                        lines = lines[:-1]
                    block.extend(lines)
                    if rc:  # "Exit code N." follows the block: it must be the last command's
                        sys.exit(f"render.py: {block_cmds[-1]!r} exited {rc} but is not the "
                                 f"last command of its block in section {section!r}")
                    block_cmds.append(cmd)
                    rc = code
                    break
            else:
                sys.exit(f"render.py: no command {want!r} left in section {section!r}")
        out.append("```console")
        out.extend(block)
        out.append("```")
        if rc:
            out.append("")
            out.append(f"Exit code {rc}.")
    return "\n".join(out) + "\n"


def pages() -> dict[str, str]:
    """Every page's name and its text as rendered from src/ and walkthrough.txt."""
    sections = parse((HERE / "walkthrough.txt").read_text(encoding="utf-8"))
    return {src.name: render(src.read_text(encoding="utf-8"), sections)
            for src in sorted((HERE / "src").glob("*.md"))}


def main(argv: list[str]) -> int:
    rendered = pages()
    if argv == ["--check"]:
        stale = [name for name, text in rendered.items()
                 if not (HERE / name).is_file()
                 or (HERE / name).read_text(encoding="utf-8") != text]
        for name in stale:
            print(f"docs/guide/{name} differs from its rendering of docs/guide/src/{name}"
                  " (edit the source, then run python3 docs/guide/render.py)")
        return 1 if stale else 0
    if argv:
        sys.exit("usage: render.py [--check]")
    for name, text in rendered.items():
        (HERE / name).write_text(text, encoding="utf-8")
        print(f"wrote docs/guide/{name}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
