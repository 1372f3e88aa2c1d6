"""Docs that cannot drift: the README's command lines match the live argparse parsers, and every
``make`` target it names exists.

The README lists each command's options once, in a ```text block, one line per command:
``quoteqa ask [QUESTION ...] [--index index] [--top-k 3] [--json]``. A bracketed item is optional,
anything outside brackets is required, ``[-v | --verbose]`` gives aliases, ``...`` follows an
argument that repeats. An option's value in capitals (``DIR``, ``M``) stands for what the user
gives; any other value is the option's default. Nothing heavy is loaded: the parsers are built
and at most asked for ``--help`` (no model, no index, no server).
"""

from __future__ import annotations

import argparse
import ast
import importlib.util
import os
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

import pytest

from quoteqa import cli

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
MAKEFILE = ROOT / "Makefile"
CLI = "quoteqa"
APP = "python app.py"
# Subcommands the README does not list: they are leaving the CLI for `make bench` / `make train`.
UNLISTED = {"bench", "train"}
HELP = {"-h", "--help"}  # every parser has them; the README does not list them
ELLIPSIS = ("...", "…")
PLACEHOLDER = re.compile(r"[A-Z][A-Z_]*")  # DIR, M, QUESTION: stands for what the user gives
# Fenced blocks that hold commands (not Python, JSON or nginx configuration).
SHELL_BLOCKS = {"", "sh", "bash", "shell", "console", "text"}


@dataclass(frozen=True)
class Item:
    """One argument as the README shows it."""

    value: str | None  # for an option: the word after it (None for a flag)
    optional: bool  # in brackets
    repeated: bool  # followed by "..."


# --- the README ---------------------------------------------------------------------------------


def fenced_blocks(text: str) -> Iterator[tuple[str, str]]:
    """(language, body) of every fenced code block."""
    for m in re.finditer(r"^```([\w-]*)[^\n]*\n(.*?)^```", text, re.M | re.S):
        yield m.group(1).lower(), m.group(2)


def code_segments(text: str) -> list[str]:
    """The README's command-like code: lines of shell/text blocks and inline code spans."""
    segments: list[str] = []
    for lang, body in fenced_blocks(text):
        if lang in SHELL_BLOCKS:
            segments += body.splitlines()
    prose = re.sub(r"^```.*?^```", "", text, flags=re.M | re.S)
    segments += re.findall(r"`([^`\n]+)`", prose)
    return segments


def command_of(line: str) -> tuple[str, str] | None:
    """(command, rest) of a synopsis line: ("quoteqa ask", "[QUESTION ...] …"), ("quoteqa", "…")."""
    if line.startswith(APP + " ") or line == APP:
        return APP, line[len(APP) :]
    words = line.split(maxsplit=2)
    if not words or words[0] != CLI:
        return None
    if len(words) > 1 and re.fullmatch(r"[a-z][\w-]*", words[1]):
        return f"{CLI} {words[1]}", words[2] if len(words) > 2 else ""
    return CLI, line[len(CLI) :]


def parse_synopsis(rest: str) -> dict[str, Item]:
    """The arguments of one synopsis line, by option string or (for a positional) its name."""
    items: dict[str, Item] = {}
    # ("-v | --verbose", "") for a bracketed group, ("", "COMMAND") for a bare word
    groups: list[tuple[str, str]] = re.findall(r"\[([^\[\]]*)\]|([^\s\[\]]+)", rest)
    i = 0
    while i < len(groups):
        bracketed, bare = groups[i]
        following = groups[i + 1][1] if i + 1 < len(groups) else ""
        repeated = following in ELLIPSIS
        if bracketed:
            for alternative in bracketed.split("|"):
                words = alternative.split()
                rep = repeated or any(w in ELLIPSIS for w in words)
                words = [w for w in words if w not in ELLIPSIS]
                assert words, f"empty alternative in [{bracketed}]"
                items[words[0]] = Item(words[1] if len(words) > 1 else None, True, rep)
        elif bare not in ELLIPSIS:
            value = None
            if bare.startswith("-") and following and not following.startswith("-") and not repeated:
                value = following  # a required option and its value
                i += 1
            items[bare] = Item(value, False, repeated)
        i += 1
    return items


def readme_synopses() -> dict[str, dict[str, Item]]:
    """Every synopsis line of the README's ```text blocks, by command."""
    found: dict[str, dict[str, Item]] = {}
    for lang, body in fenced_blocks(README.read_text(encoding="utf-8")):
        if lang != "text":
            continue
        for line in body.splitlines():
            parsed = command_of(line.strip())
            if parsed is None:
                continue
            command, rest = parsed
            assert command not in found, f"README lists the options of `{command}` twice"
            found[command] = parse_synopsis(rest)
    return found


# --- the live parsers ---------------------------------------------------------------------------


class _Captured(Exception):
    """Raised instead of parsing, once the parser has been built."""


def load_app(monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    """app.py as a module, imported only (its ``main`` is not run)."""
    monkeypatch.setattr(sys, "path", list(sys.path))  # app.py puts src/ first
    monkeypatch.setenv("GRADIO_ANALYTICS_ENABLED", os.environ.get("GRADIO_ANALYTICS_ENABLED", "False"))
    for var in ("GRADIO_SERVER_NAME", "GRADIO_SERVER_PORT"):  # the defaults without them
        monkeypatch.delenv(var, raising=False)
    spec = importlib.util.spec_from_file_location("quoteqa_app_docs", ROOT / "app.py")
    assert spec is not None and spec.loader is not None
    app = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(app)
    return app


def app_parser(monkeypatch: pytest.MonkeyPatch) -> argparse.ArgumentParser:
    """The parser app.py's ``main`` builds, taken before it parses anything (so nothing loads)."""
    app = load_app(monkeypatch)
    built: list[argparse.ArgumentParser] = []

    def capture(self: argparse.ArgumentParser, *args: object, **kwargs: object) -> None:
        built.append(self)
        raise _Captured

    with monkeypatch.context() as m:
        m.setattr(argparse.ArgumentParser, "parse_args", capture)
        with pytest.raises(_Captured):
            app.main([])
    return built[0]


def subcommands(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    return {
        name: sub
        for action in parser._actions
        if isinstance(action, argparse._SubParsersAction)
        for name, sub in action.choices.items()
    }


@pytest.fixture
def parsers(monkeypatch: pytest.MonkeyPatch) -> dict[str, argparse.ArgumentParser]:
    """Every command the README must list, with its live parser."""
    top = cli._parser()
    found = {CLI: top}
    found.update({f"{CLI} {name}": sub for name, sub in subcommands(top).items() if name not in UNLISTED})
    found[APP] = app_parser(monkeypatch)
    return found


def live_items(parser: argparse.ArgumentParser) -> dict[str, argparse.Action]:
    """The parser's arguments, by option string or (for a positional) its name in capitals."""
    items: dict[str, argparse.Action] = {}
    for action in parser._actions:
        if action.option_strings:
            items.update({s: action for s in action.option_strings if s not in HELP})
        else:
            items[str(action.metavar or action.dest).upper()] = action
    return items


def shows_default(shown: str, default: object) -> bool:
    if isinstance(default, Path):
        return shown in (str(default), default.name)  # app.py's defaults are ROOT / "corpus", …
    if isinstance(default, bool) or default is None:
        return False
    if isinstance(default, int | float):
        try:
            return float(shown) == float(default)
        except ValueError:
            return False
    return shown == str(default)


def drift(command: str, documented: dict[str, Item], parser: argparse.ArgumentParser) -> list[str]:
    """How the README's line for ``command`` differs from its parser (empty when it does not)."""
    live = live_items(parser)
    errors = [f"`{command}` has {name}, which the README does not list" for name in live if name not in documented]
    errors += [
        f"the README lists {name} for `{command}`, which has no such argument"
        for name in documented
        if name not in live
    ]
    for name, item in documented.items():
        action = live.get(name)
        if action is None:
            continue
        where = f"README, `{command}` {name}"
        # argparse marks a positional of nargs="*" required; what counts is that it may be left out
        optional = action.nargs in ("?", "*") if not action.option_strings else not action.required
        if item.optional != optional:
            errors.append(f"{where}: shown as {'optional' if item.optional else 'required'}, but it is not")
        many = action.nargs in ("*", "+", argparse.REMAINDER) or isinstance(action, argparse._SubParsersAction)
        if item.repeated != many:
            errors.append(f"{where}: {'' if many else 'no '}'...' expected after it")
        if not action.option_strings:
            continue
        if (item.value is None) != (action.nargs == 0):
            errors.append(f"{where}: {'a value' if action.nargs != 0 else 'no value'} expected after it")
        elif (
            item.value is not None
            and not PLACEHOLDER.fullmatch(item.value)
            and not shows_default(item.value, action.default)
        ):
            errors.append(f"{where}: shows {item.value!r} as the default, which is {action.default!r}")
    return errors


# --- the tests ----------------------------------------------------------------------------------


def test_readme_lists_every_command(parsers: dict[str, argparse.ArgumentParser]) -> None:
    listed = readme_synopses()
    assert sorted(listed) == sorted(parsers), (
        f"commands without an option line in the README: {sorted(set(parsers) - set(listed))}; "
        f"option lines of commands that do not exist: {sorted(set(listed) - set(parsers))}"
    )


def test_readme_options_match_the_parsers(parsers: dict[str, argparse.ArgumentParser]) -> None:
    listed = readme_synopses()
    errors = [
        e for command, parser in parsers.items() if command in listed for e in drift(command, listed[command], parser)
    ]
    assert not errors, "README out of step with the command line:\n" + "\n".join(errors)


def test_readme_examples_use_real_options(parsers: dict[str, argparse.ArgumentParser]) -> None:
    """Every `quoteqa …`, `python app.py …` and `ask --…` in the README's code names a command and
    options that exist (examples drift too)."""
    names = {command.split()[-1]: command for command in parsers if command.startswith(CLI + " ")}
    errors = []
    for segment in code_segments(README.read_text(encoding="utf-8")):
        uses: list[tuple[str, str]] = []
        for m in re.finditer(r"(?<![\w./-])(quoteqa|app\.py)(?![\w./])([^|#;]*)", segment):
            words = m.group(2).split()
            if m.group(1) == "app.py":
                uses.append((APP, m.group(2)))
            elif words and re.fullmatch(r"[a-z][\w-]*", words[0]):
                uses.append((f"{CLI} {words[0]}", " ".join(words[1:])))
            else:
                uses.append((CLI, m.group(2)))
        first = segment.split(maxsplit=1)
        if not uses and len(first) == 2 and first[0] in names and first[1].startswith("-"):
            uses.append((names[first[0]], first[1]))  # `ask --corpus DIR` in a sentence
        for command, rest in uses:
            if command not in parsers:
                errors.append(f"README: `{segment}` uses `{command}`, which is not a command the README lists")
                continue
            known = set(live_items(parsers[command])) | HELP
            for option in re.findall(r"(?<![\w-])(-{1,2}[A-Za-z][\w-]*)", rest):
                if option not in known:
                    errors.append(f"README: `{segment}` uses {option}, which `{command}` does not have")
    assert not errors, "\n".join(errors)


def test_help_shows_every_listed_option(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    """`quoteqa COMMAND --help` and `python app.py --help` explain every option the README lists."""
    app = load_app(monkeypatch)
    for command, items in readme_synopses().items():
        with pytest.raises(SystemExit) as exit_info:
            if command == APP:
                app.main(["--help"])  # exits in parse_args, before anything is loaded
            else:
                cli.main([*command.split()[1:], "--help"])
        assert exit_info.value.code == 0
        shown = capsys.readouterr().out
        missing = [name for name in items if name.startswith("-") and name not in shown]
        assert not missing, f"`{command} --help` does not mention {missing}"


def makefile_targets() -> set[str]:
    targets: set[str] = set()
    for line in MAKEFILE.read_text(encoding="utf-8").splitlines():
        m = re.match(r"([A-Za-z0-9_.%/-]+(?:[ \t]+[A-Za-z0-9_.%/-]+)*)[ \t]*::?(?!=)", line)
        if m:
            targets.update(t for t in m.group(1).split() if not t.startswith("."))
    return targets


def test_readme_make_targets_exist() -> None:
    mentioned = {
        m.group(1)
        for segment in code_segments(README.read_text(encoding="utf-8"))
        for m in re.finditer(r"(?<![\w-])make[ \t]+([a-z][\w-]*)", segment)
    }
    assert mentioned, "found no `make` target in the README; has the parsing broken?"
    missing = sorted(mentioned - makefile_targets())
    assert not missing, f"the README mentions make targets the Makefile does not have: {missing}"


def test_make_train_hands_its_options_to_the_trainer() -> None:
    """`make train TRAIN_OPTIONS="--model M --out FILE"` (the README's form) reaches the trainer's
    own parser: the CLI's parser would take the options for its own and refuse them."""
    import shlex
    import subprocess

    options = "--model /models/m --out /tmp/w.json --version v1"
    printed = subprocess.run(
        ["make", "-n", "train", f"TRAIN_OPTIONS={options}"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    line = next(x for x in printed.splitlines() if "-m quoteqa train" in x)
    words = shlex.split(line)
    args = cli._parser().parse_args(words[words.index("quoteqa") + 1 :])
    assert [a for a in args.args if a != "--"] == options.split()


def test_the_parsing_itself() -> None:
    """The synopsis reader on the forms the README uses (so a pass above means something)."""
    items = parse_synopsis(" [-v | --verbose] COMMAND ... [--top-k 3] [QUESTION ...] --work DIR")
    assert items == {
        "-v": Item(None, True, False),
        "--verbose": Item(None, True, False),
        "COMMAND": Item(None, False, True),
        "--top-k": Item("3", True, False),
        "QUESTION": Item(None, True, True),
        "--work": Item("DIR", False, False),
    }
    assert command_of("quoteqa ask [--json]") == ("quoteqa ask", "[--json]")
    assert command_of("quoteqa [-v] COMMAND ...") == ("quoteqa", " [-v] COMMAND ...")
    assert command_of("python app.py [--port 7860]") == (APP, " [--port 7860]")
    assert command_of("make run") is None
    assert {"run", "test"} <= makefile_targets()


def test_a_feedback_file_inside_the_index_folder_is_refused(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Issue 24: a --feedback-db inside the index folder made every later build refuse to run."""
    app = load_app(monkeypatch)
    index = tmp_path / "index"
    with pytest.raises(SystemExit) as exc:
        app.main(["--index", str(index), "--feedback-db", str(index / "fb.sqlite3")])
    assert exc.value.code == 2


ARCHITECTURE = ROOT / "docs" / "ARCHITECTURE.md"


def _architecture_rows() -> dict[str, int]:
    """Module (``index/store``, ``qa``) -> its stage's row in the architecture table (0 = the first)."""
    rows = [line for line in ARCHITECTURE.read_text(encoding="utf-8").splitlines() if line.startswith("| ")][1:]
    out: dict[str, int] = {}
    for i, row in enumerate(rows):
        stage, _, modules = (cell.strip() for cell in row.strip("| ").split(" | "))
        folder = re.fullmatch(r"`(\w+)/`", stage)
        for m in re.findall(r"`([\w]+)\.py`", modules):
            out[f"{folder.group(1)}/{m}" if folder else m] = i
    return out


def _package_modules() -> dict[str, Path]:
    """Module (``index/store``) -> its file; a stage's ``__init__`` is not a module of the table."""
    package = ROOT / "src" / "quoteqa"
    return {
        path.relative_to(package).with_suffix("").as_posix(): path
        for path in package.rglob("*.py")
        if not (path.name == "__init__.py" and path.parent != package)
    }


def _imported(module: str, node: ast.ImportFrom) -> list[str]:
    """The package modules (``index/store``) an ``import from`` of ``module`` names."""
    package = module.split("/")[:-1]
    if node.level == 0:
        if not (node.module or "").startswith("quoteqa"):
            return []
        base = (node.module or "").split(".")[1:]
    else:
        base = package[: len(package) - node.level + 1] + ((node.module or "").split(".") if node.module else [])
    modules = _package_modules()
    out = []
    for alias in node.names:
        name = "/".join([*base, alias.name])
        out.append(name if name in modules else "/".join(base) or "__init__")
    return out


def _package_imports() -> dict[str, set[str]]:
    """Module -> the package modules (or stage packages) it imports, at the top or inside a function."""
    out: dict[str, set[str]] = {}
    for module, path in _package_modules().items():
        found: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom):
                found.update(_imported(module, node))
        out[module] = found - {module}
    return out


def test_the_architecture_names_every_module_and_imports_go_down_its_table() -> None:
    """Issues 25 and 38: one screen that names the stage of every module, checked against the
    packages: every module is in the table under its own folder, every name in it exists, no module
    imports from a later stage or from a module that imports it, and a module of another stage only
    through what that stage's ``__init__`` exports."""
    rows, imports = _architecture_rows(), _package_imports()
    assert set(rows) == set(imports), (set(imports) - set(rows), set(rows) - set(imports))
    upward = [f"{a} -> {b}" for a, bs in imports.items() for b in bs if b in rows and rows[b] > rows[a]]
    assert not upward, f"imports from a later stage: {upward}"
    mutual = sorted({tuple(sorted((a, b))) for a, bs in imports.items() for b in bs if a in imports.get(b, ())})
    assert not mutual, f"modules that import each other: {mutual}"
    package = ROOT / "src" / "quoteqa"
    exported = {
        init.parent.name: set(importlib.import_module(f"quoteqa.{init.parent.name}").__all__)
        for init in package.glob("*/__init__.py")
    }
    hidden = [
        f"{a} -> {b}"
        for a, bs in imports.items()
        for b in bs
        if "/" in b and b.split("/")[0] != a.split("/")[0] and b.split("/")[1] not in exported[b.split("/")[0]]
    ]
    assert not hidden, f"imports of a module its stage does not export: {hidden}"
    for init in package.glob("*/__init__.py"):
        doc = ast.get_docstring(ast.parse(init.read_text(encoding="utf-8"))) or ""
        assert doc and "\n" not in doc, f"{init}: one line that says what the stage does"


def test_no_module_over_500_lines_and_no_function_over_80() -> None:
    """Issue 25: small modules and small functions, kept so."""
    long_modules, long_functions = [], []
    for path in sorted((ROOT / "src" / "quoteqa").rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        if text.count("\n") > 500:
            long_modules.append(f"{path.name}: {text.count(chr(10))} lines")
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                length = (node.end_lineno or node.lineno) - node.lineno + 1
                if length > 80:
                    long_functions.append(f"{path.name}: {node.name}, {length} lines")
    assert not long_modules and not long_functions, (long_modules, long_functions)
