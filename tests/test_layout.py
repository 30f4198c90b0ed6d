"""The package layout holds: layers only import down, only named modules run programs or
touch the terminal, and no function is over 80 lines nor module over 500 (click commands in
cli/ and the demo script aside; SIZE_ALLOWLIST names today's violators).

Layers, lowest first (a module may import its own layer and every layer below it):

    base     reviewkit/base/     errors, findings, git, model, ... (the ground floor)
    rules    reviewkit/rules/    content rules
    article  reviewkit/article/  front matter, schema, content, ...
    record   reviewkit/record/   config, project, signing, ledger, cache, catalogue
    review   reviewkit/review/   policy, versions, submissions, status, workflow
    outputs  reviewkit/outputs/  gate, publish, verify, audit, report, summary, output, render
    cli      reviewkit/cli/, reviewkit/demo.py, reviewkit/__main__.py

``reviewkit`` itself (``__init__.py``: ``__version__`` only) may be imported from anywhere.
Every import counts: at module level, inside functions, under ``TYPE_CHECKING``.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "reviewkit"

LAYERS = ["base", "rules", "article", "record", "review", "outputs", "cli"]
TOP_LEVEL_CLI = {"demo", "__main__"}  # reviewkit/<name>.py that form the cli layer with cli/

# Upward imports allowed, each named with its reason (none today: keep it so). Remove an entry
# when the import goes; the test fails on an entry that no longer matches anything.
EXCEPTIONS: dict[tuple[str, str], str] = {}

# Only these modules may import subprocess (run other programs).
RUNS_PROGRAMS = {
    "reviewkit.base.git.process": "git: the one module that starts git (base/git/ wraps it)",
    "reviewkit.record.ssh_keygen": "ssh-keygen: version, -Y sign, reference -Y verify, -t",
}
# Only these modules may import click or use the terminal (print, input, sys.stdout/stderr,
# isatty, sys.exit).
# A name stands for the module and, for a package, every module in it.
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
    if parts[1] == "cli" or len(parts) == 2 and parts[1] in TOP_LEVEL_CLI:
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
    pair = ("reviewkit.rules.leftovers", "reviewkit.article.scaffold")
    problems, used = upward_imports(_synthetic("reviewkit.rules.leftovers", excepted),
                                    {pair: "an example"})
    assert problems == [] and used == {pair}
    assert len(upward_imports(_synthetic("reviewkit.rules.leftovers", excepted), EXCEPTIONS)[0]) == 1
    # an excepted pair does not excuse another module of the same layer
    problems, _ = upward_imports(_synthetic("reviewkit.rules.links", excepted), {pair: "an example"})
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


def _named(module: str, names: set[str] | dict[str, str]) -> bool:
    """``module`` is one of ``names`` or inside a package that is."""
    return any(module == n or module.startswith(n + ".") for n in names)


def boundary_problems(mods: dict[str, tuple[Path, str]]) -> list[str]:
    problems: list[str] = []
    for module, (path, text) in mods.items():
        imported, terminal = _uses(text)
        if "subprocess" in imported and not _named(module, RUNS_PROGRAMS):
            problems.append(f"{path}: {module} imports subprocess: only "
                            f"{sorted(RUNS_PROGRAMS)} run programs (git goes through "
                            "reviewkit.base.git)")
        if "click" in imported and not _named(module, KNOWS_CLICK):
            problems.append(f"{path}: {module} imports click: only the CLI knows click")
        if terminal and not _named(module, KNOWS_TERMINAL):
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
    assert boundary_problems(_synthetic("reviewkit.base.git.process", "import subprocess\n")) == []
    # the rest of base/git/ runs git through base/git/process.py, never by itself
    assert len(boundary_problems(_synthetic("reviewkit.base.git.refs", "import subprocess\n"))) == 1
    # every module of the cli/ package is the CLI; a look-alike name is not
    assert boundary_problems(_synthetic("reviewkit.cli.editor", "import click\nprint(1)\n")) == []
    assert len(boundary_problems(_synthetic("reviewkit.client", "import click\n"))) == 1
    assert boundary_problems(_synthetic("reviewkit.base.fsutil",
                                        "import sys\nsys.platform\n")) == []


# --- size: a function a reader can hold in mind, a module a reader can finish -----------------

MAX_FUNCTION_LINES = 80  # def line to last line (end_lineno - lineno + 1), decorators aside
MAX_MODULE_LINES = 500
# Exempt by design: click command functions in cli/ (their length is option wiring around a
# library call) and the demo's narrated script, one step after another.
EXEMPT_FUNCTIONS = {"reviewkit.demo.run_demo"}
# Today's violators, each being split on another branch (issue 16): delete an entry when its
# branch merges. The test fails on an entry that no longer violates, so the list cannot rot.
SIZE_ALLOWLIST: dict[str, str] = {}


def _functions(node: ast.AST, prefix: str) -> list[tuple[str, ast.FunctionDef | ast.AsyncFunctionDef]]:
    """Every function and method under ``node``, by qualified name (module.Class.method)."""
    found: list[tuple[str, ast.FunctionDef | ast.AsyncFunctionDef]] = []
    for child in ast.iter_child_nodes(node):
        if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)):
            found.append((f"{prefix}.{child.name}", child))
            found += _functions(child, f"{prefix}.{child.name}")
        elif isinstance(child, ast.ClassDef):
            found += _functions(child, f"{prefix}.{child.name}")
        else:
            found += _functions(child, prefix)
    return found


def _is_click_command(module: str, fn: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    """A function of cli/ decorated ``@click.command(...)``, ``@cli.command(...)`` or ``.group``."""
    if layer_of(module) != "cli" or module in {f"reviewkit.{n}" for n in TOP_LEVEL_CLI}:
        return False
    return any(isinstance(d, ast.Call) and isinstance(d.func, ast.Attribute)
               and d.func.attr in ("command", "group") for d in fn.decorator_list)


def size_problems(mods: dict[str, tuple[Path, str]],
                  allowlist: dict[str, str]) -> tuple[list[str], set[str]]:
    """(one message per function or module over the limit, the allowlist entries used)."""
    problems: list[str] = []
    used: set[str] = set()
    for module, (path, text) in mods.items():
        lines = len(text.splitlines())
        if lines > MAX_MODULE_LINES:
            if module in allowlist:
                used.add(module)
            else:
                problems.append(f"{path}: {module} has {lines} lines (at most {MAX_MODULE_LINES}):"
                                " split it by concern")
        for name, fn in _functions(ast.parse(text), module):
            length = (fn.end_lineno or fn.lineno) - fn.lineno + 1
            if length <= MAX_FUNCTION_LINES or name in EXEMPT_FUNCTIONS:
                continue
            if _is_click_command(module, fn):
                continue
            if name in allowlist:
                used.add(name)
                continue
            problems.append(f"{path}:{fn.lineno}: {name} has {length} lines (at most "
                            f"{MAX_FUNCTION_LINES}): split it into steps a reader can name")
    return problems, used


def test_no_function_or_module_is_too_long() -> None:
    problems, used = size_problems(sources(), SIZE_ALLOWLIST)
    assert not problems, "\n".join(problems)
    stale = set(SIZE_ALLOWLIST) - used
    assert not stale, f"allowlisted but no longer too long (remove them): {sorted(stale)}"


def _long_function(name: str, body_lines: int, decorator: str = "") -> str:
    """A function of 1 + ``body_lines`` lines (def line and body)."""
    return f"{decorator}def {name}() -> None:\n" + "    x = 1\n" * body_lines


def test_the_size_rule_can_fail() -> None:
    ok = _long_function("f", MAX_FUNCTION_LINES - 1)
    assert size_problems(_synthetic("reviewkit.record.ledger", ok), {}) == ([], set())
    long = _long_function("f", MAX_FUNCTION_LINES)
    problems, _ = size_problems(_synthetic("reviewkit.record.ledger", long), {})
    assert len(problems) == 1 and "ledger.py:1: reviewkit.record.ledger.f has 81 lines" in problems[0]
    method = "class C:\n" + "\n".join("    " + ln for ln in long.splitlines()) + "\n"
    problems, _ = size_problems(_synthetic("reviewkit.record.ledger", method), {})
    assert len(problems) == 1 and "reviewkit.record.ledger.C.f has 81 lines" in problems[0]
    # a click command of cli/ is wiring; the same function elsewhere, or undecorated, is not
    command = _long_function("gate", MAX_FUNCTION_LINES, "@click.command()\n")
    assert size_problems(_synthetic("reviewkit.cli.ci", command), {})[0] == []
    assert len(size_problems(_synthetic("reviewkit.outputs.gate", command), {})[0]) == 1
    assert len(size_problems(_synthetic("reviewkit.cli.ci", long), {})[0]) == 1
    # an allowlisted function passes and is reported as used
    assert size_problems(_synthetic("reviewkit.record.ledger", long),
                         {"reviewkit.record.ledger.f": "x"}) == ([], {"reviewkit.record.ledger.f"})
    # a long module
    module = "x = 1\n" * (MAX_MODULE_LINES + 1)
    problems, _ = size_problems(_synthetic("reviewkit.record.ledger", module), {})
    assert len(problems) == 1 and "reviewkit.record.ledger has 501 lines" in problems[0]
    assert size_problems(_synthetic("reviewkit.record.ledger", "x = 1\n" * MAX_MODULE_LINES),
                         {}) == ([], set())


def test_every_command_defined_in_cli_is_registered() -> None:
    """A command written in cli/<role>.py but left out of cli/__init__.py's list would
    silently not exist."""
    import importlib

    import click

    from reviewkit.cli import cli

    defined: dict[str, click.Command] = {}
    for path in sorted((PACKAGE / "cli").glob("*.py")):
        module = importlib.import_module(module_name(path))
        defined |= {c.name or "": c for c in vars(module).values()
                    if isinstance(c, click.Command) and c is not cli}
    assert len(defined) >= 20
    assert defined == dict(cli.commands)
