"""The package layout holds: layers only import down, and only named modules run programs
or touch the terminal.

Layers, lowest first (a module may import its own layer and every layer below it):

    base     reviewkit/base/     errors, findings, git, model, ... (the ground floor)
    rules    reviewkit/rules/    content rules
    article  reviewkit/article/  front matter, schema, content, ...
    record   reviewkit/record/   config, project, signing, ledger, cache, catalogue
    review   reviewkit/review/   policy, versions, submissions, status, workflow
    outputs  reviewkit/outputs/  gate, publish, verify, audit, report, summary, output, render
    cli      reviewkit/cli.py, reviewkit/demo.py, reviewkit/__main__.py

``reviewkit`` itself (``__init__.py``: ``__version__`` only) may be imported from anywhere.
Every import counts: at module level, inside functions, under ``TYPE_CHECKING``.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "reviewkit"

LAYERS = ["base", "rules", "article", "record", "review", "outputs", "cli"]
TOP_LEVEL_CLI = {"cli", "demo", "__main__"}  # reviewkit/<name>.py that form the cli layer

# Upward imports that remain today, each named with its reason. Remove an entry when the
# import goes; the test fails on an entry that no longer matches anything.
EXCEPTIONS: dict[tuple[str, str], str] = {
    # The leftovers rule compares a body with the text `reviewkit new` writes; the template
    # lives with the article's scaffold. Imported lazily, inside template_text().
    ("reviewkit.rules.leftovers", "reviewkit.article.scaffold"):
        "rules read the template of `reviewkit new`",
    # Only for the type annotation of byline_problem(project=...), under TYPE_CHECKING.
    ("reviewkit.article.byline", "reviewkit.record.project"):
        "type annotation only (TYPE_CHECKING)",
}

# Only these modules may import subprocess (run other programs).
RUNS_PROGRAMS = {
    "reviewkit.base.git": "git: the one module that runs git",
    "reviewkit.record.ssh_keygen": "ssh-keygen: version, -Y sign, reference -Y verify",
    "reviewkit.demo": "ssh-keygen -t ed25519: makes the demo reviewer's key",
}
# Only these modules may import click or use the terminal (print, input, sys.stdout/stderr,
# isatty, sys.exit).
KNOWS_CLICK = {"reviewkit.cli"}
KNOWS_TERMINAL = {"reviewkit.cli", "reviewkit.outputs.render"}
TERMINAL_NAMES = {"stdout", "stderr", "stdin", "isatty", "exit"}
TERMINAL_CALLS = {"print", "input"}


@dataclass(frozen=True)
class Import:
    module: str  # the importing module
    target: str  # the imported module (reviewkit.x.y), as precise as the statement says
    line: int


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def layer_of(module: str) -> str | None:
    """The layer of a reviewkit module; None for ``reviewkit`` itself; "?" if unplaced."""
    parts = module.split(".")
    if len(parts) == 1:
        return None
    if len(parts) == 2 and parts[1] in TOP_LEVEL_CLI:
        return "cli"
    if parts[1] in LAYERS[:-1]:
        return parts[1]
    return "?"


def imports(module: str, source: str, is_package: bool) -> list[Import]:
    """Every ``reviewkit`` import in ``source``, wherever it stands."""
    found: list[Import] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [Import(module, a.name, node.lineno) for a in node.names
                      if a.name.split(".")[0] == "reviewkit"]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = module.split(".")[: len(module.split(".")) - node.level + is_package]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if target.split(".")[0] != "reviewkit":
                continue
            for a in node.names:  # `from reviewkit.article import scaffold`: the submodule
                sub = f"{target}.{a.name}"
                found.append(Import(module, sub if _is_module(sub) else target, node.lineno))
    return found


def _is_module(name: str) -> bool:
    rel = Path(*name.split(".")[1:])
    return (PACKAGE / rel).with_suffix(".py").is_file() or (PACKAGE / rel / "__init__.py").is_file()


def sources() -> dict[str, tuple[Path, str]]:
    return {module_name(p): (p, p.read_text(encoding="utf-8")) for p in sorted(PACKAGE.rglob("*.py"))}


def upward_imports(mods: dict[str, tuple[Path, str]],
                   exceptions: dict[tuple[str, str], str]) -> tuple[list[str], set[tuple[str, str]]]:
    """(one message per forbidden import, the exceptions that were used)."""
    problems: list[str] = []
    used: set[tuple[str, str]] = set()
    for module, (path, text) in mods.items():
        mine = layer_of(module)
        if mine == "?":
            problems.append(f"{path}: {module} is in no layer: move it into one of "
                            f"reviewkit/{{{','.join(LAYERS[:-1])}}}/ (see tests/test_layout.py)")
            continue
        for imp in imports(module, text, path.name == "__init__.py"):
            theirs = layer_of(imp.target)
            if mine is None or theirs is None or theirs == "?":
                continue
            if LAYERS.index(theirs) <= LAYERS.index(mine):
                continue
            key = (module, imp.target)
            if key in exceptions:
                used.add(key)
                continue
            allowed = ", ".join(LAYERS[: LAYERS.index(mine) + 1])
            problems.append(f"{path}:{imp.line}: {module} imports {imp.target}: layer '{mine}' "
                            f"may import only {allowed}, not '{theirs}'")
    return problems, used


def test_every_import_points_down() -> None:
    problems, used = upward_imports(sources(), EXCEPTIONS)
    assert not problems, "\n".join(problems)
    stale = set(EXCEPTIONS) - used
    assert not stale, f"exceptions that no longer match an import (remove them): {sorted(stale)}"


def _synthetic(module: str, text: str) -> dict[str, tuple[Path, str]]:
    path = PACKAGE.joinpath(*module.split(".")[1:]).with_suffix(".py")
    return {module: (path, text)}


def test_the_rule_catches_an_upward_import() -> None:
    text = '"""x"""\n\n\ndef f():\n    from reviewkit.outputs.gate import run_gate\n'
    problems, _ = upward_imports(_synthetic("reviewkit.base.model", text), EXCEPTIONS)
    assert len(problems) == 1
    assert "model.py:5: reviewkit.base.model imports reviewkit.outputs.gate" in problems[0]
    assert "layer 'base' may import only base, not 'outputs'" in problems[0]
    # the same import from above is fine, and so is an excepted one
    assert upward_imports(_synthetic("reviewkit.cli", text), EXCEPTIONS)[0] == []
    excepted = "from reviewkit.article.scaffold import article_text\n"
    problems, used = upward_imports(_synthetic("reviewkit.rules.leftovers", excepted), EXCEPTIONS)
    assert problems == [] and used == {("reviewkit.rules.leftovers", "reviewkit.article.scaffold")}
    # an excepted pair does not excuse another module of the same layer
    problems, _ = upward_imports(_synthetic("reviewkit.rules.links", excepted), EXCEPTIONS)
    assert len(problems) == 1 and "reviewkit.rules.links imports reviewkit.article.scaffold" in problems[0]


def test_the_rule_catches_a_module_outside_the_layers() -> None:
    problems, _ = upward_imports(_synthetic("reviewkit.helpers", '"""x"""\n'), EXCEPTIONS)
    assert len(problems) == 1 and "reviewkit.helpers is in no layer" in problems[0]


def _uses(text: str) -> tuple[set[str], set[str]]:
    """(top-level modules imported, terminal names used) in ``text``."""
    mods: set[str] = set()
    terminal: set[str] = set()
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, ast.Import):
            mods |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and not node.level and node.module:
            mods.add(node.module.split(".")[0])
            if node.module == "sys":
                terminal |= {a.name for a in node.names if a.name in TERMINAL_NAMES}
        elif isinstance(node, ast.Attribute) and node.attr in TERMINAL_NAMES:
            if isinstance(node.value, ast.Name) and node.value.id == "sys" or node.attr == "isatty":
                terminal.add(node.attr)
        elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
              and node.func.id in TERMINAL_CALLS):
            terminal.add(node.func.id)
    return mods, terminal


def boundary_problems(mods: dict[str, tuple[Path, str]]) -> list[str]:
    problems: list[str] = []
    for module, (path, text) in mods.items():
        imported, terminal = _uses(text)
        if "subprocess" in imported and module not in RUNS_PROGRAMS:
            problems.append(f"{path}: {module} imports subprocess: only "
                            f"{sorted(RUNS_PROGRAMS)} run programs (git goes through "
                            "reviewkit.base.git)")
        if "click" in imported and module not in KNOWS_CLICK:
            problems.append(f"{path}: {module} imports click: only the CLI knows click")
        if terminal and module not in KNOWS_TERMINAL:
            problems.append(f"{path}: {module} uses the terminal ({', '.join(sorted(terminal))}): "
                            "return strings or raise a ReviewkitError; only the CLI prints or exits")
    return problems


def test_only_named_modules_run_programs_or_touch_the_terminal() -> None:
    problems = boundary_problems(sources())
    assert not problems, "\n".join(problems)


def test_the_boundary_rule_can_fail() -> None:
    text = ("import subprocess\nimport click\nimport sys\n\n\ndef f():\n"
            "    print('x')\n    sys.exit(1)\n")
    problems = boundary_problems(_synthetic("reviewkit.record.ledger", text))
    assert len(problems) == 3
    assert "imports subprocess" in problems[0]
    assert "imports click" in problems[1]
    assert "uses the terminal (exit, print)" in problems[2]
    assert boundary_problems(_synthetic("reviewkit.base.git", "import subprocess\n")) == []
    assert boundary_problems(_synthetic("reviewkit.base.fsutil",
                                        "import sys\nsys.platform\n")) == []
