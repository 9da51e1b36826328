"""Every external program the code, tests and scripts start comes from a Debian package that
scripts/bootstrap.sh installs (or one that such a package depends on, or one Debian always has).

Otherwise `make test` passes on a developer's machine, where the program happens to be, and
fails on a newcomer's bare one. The programs are found by reading the sources: the first word of
each command in the shell scripts and Makefile recipes, and in Python the command of every
subprocess call (followed through variables, helper functions and wrappers), and Playwright's
executable_path.
"""

import ast
import os
import re
import shlex
import shutil
import subprocess
from functools import cache
from pathlib import Path

import pytest
from conftest import ROOT

SKIPPED_DIRS = {".venv", "var", ".git", "node_modules", "test-results", "migrations"}
SUBPROCESS_CALLS = {"run", "Popen", "check_output", "check_call", "call"}
SHELL_SOURCES = ["scripts/*.sh", ".ci/run", "Makefile"]


def project_files(pattern):
    for path in sorted(ROOT.glob(pattern)):
        if not SKIPPED_DIRS & set(path.relative_to(ROOT).parts):
            yield path


# --- Python: the command of each subprocess call ------------------------------------------------


class CommandFinder:
    """The literal program names that one module's subprocess calls start."""

    def __init__(self, tree):
        self.tree = tree
        self.functions = {
            node.name: node
            for node in ast.walk(tree)
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        }
        self.parents = {}
        for parent in ast.walk(tree):
            for child in ast.iter_child_nodes(parent):
                self.parents[child] = parent

    def enclosing_function(self, node):
        while node in self.parents:
            node = self.parents[node]
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                return node
        return None

    def assignments(self, name, scope):
        for node in ast.walk(scope or self.tree):
            if isinstance(node, ast.Assign):
                if any(isinstance(t, ast.Name) and t.id == name for t in node.targets):
                    yield node.value
            elif (
                isinstance(node, ast.AnnAssign)
                and node.value is not None
                and getattr(node.target, "id", None) == name
            ):
                yield node.value

    def programs(self, node, scope, depth=0):
        """The program names an expression used as a command may hold (strings only)."""
        if depth > 8:
            return set()
        recurse = lambda expr, where=scope: self.programs(expr, where, depth + 1)  # noqa: E731
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            words = node.value.split()
            return {words[0]} if words else set()
        if isinstance(node, ast.List | ast.Tuple) and node.elts:
            return recurse(node.elts[0])
        if isinstance(node, ast.Starred):
            return recurse(node.value)
        if isinstance(node, ast.BinOp):
            return recurse(node.left)
        if isinstance(node, ast.Name):
            found = set()
            for where in (scope, None):
                for value in self.assignments(node.id, where):
                    found |= recurse(value, where)
                if found:
                    break
            return found
        if isinstance(node, ast.Call):
            name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
            function = self.functions.get(name)
            if function is None:
                return set()
            found = set()
            for inner in ast.walk(function):
                if isinstance(inner, ast.Return) and inner.value is not None:
                    found |= recurse(inner.value, function)
            return found
        return set()

    def subprocess_commands(self):
        """(call node, first argument) of every subprocess.* call and Playwright launch."""
        for node in ast.walk(self.tree):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            if (
                isinstance(func, ast.Attribute)
                and func.attr in SUBPROCESS_CALLS
                and getattr(func.value, "id", None) == "subprocess"
                and node.args
            ):
                yield node, node.args[0]
            for keyword in node.keywords:
                if keyword.arg == "executable_path":
                    yield node, keyword.value

    def wrappers(self):
        """The helpers that pass their own parameters on as the command
        (def sh(*args): subprocess.run(args, ...)), by name."""
        names = set()
        for call, command in self.subprocess_commands():
            scope = self.enclosing_function(call)
            if scope and _first_name(command) in _parameter_names(scope):
                names.add(scope.name)
        return names

    def find(self, wrappers=frozenset()):
        """The programs of this module's subprocess calls, and of its calls to `wrappers`
        (helpers from any module of the project)."""
        found = set()
        for call, command in self.subprocess_commands():
            found |= self.programs(command, self.enclosing_function(call))
        for node in ast.walk(self.tree):
            called = isinstance(node, ast.Call) and getattr(node.func, "id", None)
            if called in wrappers and node.args:
                found |= self.programs(node.args[0], self.enclosing_function(node))
        return found


def _parameter_names(function):
    args = function.args
    names = {a.arg for a in args.args + args.posonlyargs + args.kwonlyargs}
    if args.vararg:
        names.add(args.vararg.arg)
    return names


def _first_name(node):
    """The variable a command starts with: `args` in run(args), run([*args]) or run([args[0]])."""
    while True:
        if isinstance(node, ast.List | ast.Tuple) and node.elts:
            node = node.elts[0]
        elif isinstance(node, ast.Starred | ast.Subscript):
            node = node.value
        else:
            return node.id if isinstance(node, ast.Name) else None


def python_programs():
    finders = {
        path: CommandFinder(ast.parse(path.read_text(), str(path)))
        for path in project_files("**/*.py")
    }
    wrappers = frozenset().union(*(finder.wrappers() for finder in finders.values()))
    programs = {}
    for path, finder in finders.items():
        for program in finder.find(wrappers):
            programs.setdefault(program, set()).add(str(path.relative_to(ROOT)))
    return programs


# --- Shell scripts and Makefile recipes: the first word of each command --------------------------

PREFIXES = {"exec", "command", "time", "sudo", "$SUDO", "!", "then", "do", "else", "elif", "if",
            "while", "until", "nohup"}  # fmt: skip
SUBSTITUTION = re.compile(r"\$\(([^()]*)\)|`([^`]*)`")


@cache
def shell_builtins():
    out = subprocess.run(["bash", "-c", "compgen -b; compgen -k"], capture_output=True, text=True)
    return set(out.stdout.split()) | {"[", "[["}


def _logical_lines(text):
    """Lines with continuations joined; here-documents and array literals dropped."""
    lines, heredoc, array = [], None, False
    for line in text.replace("\\\n", " ").splitlines():
        if heredoc:
            heredoc = None if line.strip() == heredoc else heredoc
            continue
        if array:
            array = not line.strip().endswith(")")
            continue
        if re.match(r"^\s*\w+=\(", line) and not line.rstrip().endswith(")"):
            array = True
            continue
        match = re.search(r"<<-?\s*['\"]?(\w+)", line)
        if match:
            heredoc = match.group(1)
        lines.append(line)
    return lines


def _variables(text, assignment=r"^\s*([A-Za-z_]+)\s*=\"?([^\"\n]*?)\"?\s*$"):
    values = {}
    for name, value in re.findall(assignment, text, re.MULTILINE):
        default = re.fullmatch(r"\$\{" + name + r":-([^}]*)\}", value)
        values[name] = default.group(1) if default else value
    return values


def _expand(word, variables, pattern=r"\$\{(\w+)(?::-[^}]*)?\}|\$(\w+)"):
    for _ in range(3):
        word = re.sub(pattern, lambda m: variables.get(m.group(1) or m.group(2), m.group(0)), word)
    return word


def _simple_commands(line):
    """The simple commands of a line: split at ; & | ( ) { } outside quotes, and the insides
    of command substitutions on their own."""
    inner = [a or b for a, b in SUBSTITUTION.findall(line)]
    line = SUBSTITUTION.sub("X", line)
    line = re.sub(r"\d*>&\d*|&>", ">", line)
    lexer = shlex.shlex(line, posix=True, punctuation_chars=";&|(){}")
    lexer.whitespace_split = True
    command = []
    try:
        for token in lexer:
            if token and set(token) <= set(";&|(){}"):
                yield command
                command = []
            else:
                command.append(token)
    except ValueError:
        pass
    yield command
    for text in inner:
        yield from _simple_commands(text)


def shell_commands(text, makefile=False):
    """The first word of every simple command of a shell script (or of a Makefile's recipes)."""
    if makefile:
        make_vars = _variables(text, r"^([A-Za-z_]+)\s*[:?]?=\s*(.*?)\s*$")
        for _ in range(10):  # variables name variables: expand until nothing changes
            expanded = re.sub(r"\$\((\w+)\)", lambda m: make_vars.get(m.group(1), ""), text)
            if expanded == text:
                break
            text = expanded
    variables = _variables(text)
    functions = set(re.findall(r"^\s*([\w-]+)\(\)\s*\{", text, re.MULTILINE))
    # Functions that run their arguments as a command (as_pg() { runuser ... -- "$@"; }).
    runners = {
        name
        for name, body in re.findall(r"^\s*([\w-]+)\(\)\s*\{(.*?)^\}", text, re.M | re.S)
        if re.search(r'(^|;|then|else|--)\s*"\$@"', body, re.MULTILINE)
    }
    words = set()
    for line in _logical_lines(text):
        if makefile:
            if not line.startswith("\t"):
                continue
            line = line.lstrip("\t@-").replace("$$", "$")
        line = re.sub(r"(^|\s)#.*$", "", line)
        # `case` branches: `start) pg_start ;;`
        line = re.sub(r"^\s*[\w|*-]+\)", " ", line)
        for tokens in _simple_commands(line):
            tokens = [t for t in tokens if not re.match(r"^\d*[<>]", t)]
            while tokens and (re.match(r"^\w+=", tokens[0]) or tokens[0] in PREFIXES):
                tokens.pop(0)
            if tokens and tokens[0] == "runuser" and "--" in tokens:
                words.add("runuser")
                tokens = tokens[tokens.index("--") + 1 :]
            while tokens and tokens[0] in runners:
                tokens.pop(0)
            if not tokens:
                continue
            word = _expand(tokens[0], variables)
            if "$" in word or word in functions or word in shell_builtins():
                continue
            if re.match(r"^[\w./+-]+$", word) and not word.startswith("-"):
                words.add(word)
    return words


def script_programs():
    programs = {}
    for pattern in SHELL_SOURCES:
        for path in project_files(pattern):
            for word in shell_commands(path.read_text(), makefile=path.name == "Makefile"):
                programs.setdefault(word, set()).add(str(path.relative_to(ROOT)))
    return programs


# --- Where each program comes from ----------------------------------------------------------------


def candidates(program):
    """Every path the program may be started from here (each match on PATH)."""
    if "/" in program:
        path = Path(program) if program.startswith("/") else ROOT / program
        return [path] if path.exists() else []
    found = []
    for folder in os.environ.get("PATH", "").split(os.pathsep):
        path = Path(folder) / program
        if folder and path.is_file() and os.access(path, os.X_OK) and path not in found:
            found.append(path)
    return found


def owning_packages(paths):
    """{path: the Debian package that ships it, or None}, asking dpkg once."""
    names = {}
    for path in paths:
        names[path] = [str(path), str(path.resolve())]
        # Debian 12 merged /bin into /usr/bin, but dpkg still knows some files by their old path.
        names[path] += [n.removeprefix("/usr") for n in names[path] if n.startswith("/usr/")]
    asked = sorted({name for options in names.values() for name in options})
    out = subprocess.run(["dpkg", "-S", *asked], capture_output=True, text=True).stdout
    owner = {}
    for line in out.splitlines():
        package, _, name = line.partition(": ")
        owner[name.strip()] = package.split(",")[0].split(":")[0].strip()
    return {path: next((owner[n] for n in options if n in owner), None)
            for path, options in names.items()}  # fmt: skip


def bootstrap_packages():
    text = (ROOT / "scripts" / "bootstrap.sh").read_text()
    block = re.search(r"APT_PACKAGES=\((.*?)\n\)", text, re.DOTALL).group(1)
    return shlex.split(_expand(block, _variables(text)), comments=True)


@cache
def installed_by(packages):
    """The packages apt installs for these (with what they depend on), plus what every Debian
    system has (Essential and required packages)."""
    out = subprocess.run(
        ["apt-cache", "depends", "--recurse", "--no-recommends", "--no-suggests",
         "--no-conflicts", "--no-breaks", "--no-replaces", "--no-enhances", *packages],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    closure = {line.strip("<>") for line in out.stdout.splitlines() if not line.startswith(" ")}
    base = subprocess.run(
        ["dpkg-query", "-W", "-f", "${Package}\t${Essential}\t${Priority}\n"],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    for line in base.splitlines():
        name, essential, priority = line.split("\t")
        if essential == "yes" or priority == "required":
            closure.add(name)
    return frozenset(closure)


def programs_not_installed_by(packages):
    """{program: why} for every program the sources start that these packages do not bring."""
    allowed = installed_by(tuple(packages))
    problems = {}
    found = python_programs()
    for program, where in script_programs().items():
        found.setdefault(program, set()).update(where)
    paths_of = {program: candidates(program) for program in found}
    owners = owning_packages([path for paths in paths_of.values() for path in paths])
    for program, where in sorted(found.items()):
        paths = paths_of[program]
        if not paths:
            problems[program] = f"not installed here (started in {', '.join(sorted(where))})"
            continue
        if any(ROOT in path.parents for path in paths):
            continue  # the project's own scripts and its .venv (pip, from pyproject.toml)
        # A bare machine has the program if any copy on PATH comes from an installed package
        # (here a python3.11 from pyenv may shadow Debian's).
        packages = [owners[path] for path in paths]
        if not allowed & set(packages):
            sources = ", ".join(
                f"{path} ({package or 'no package'})"
                for path, package in zip(paths, packages, strict=True)
            )
            problems[program] = f"{sources}; started in {', '.join(sorted(where))}"
    return problems


@pytest.fixture(scope="module")
def packages():
    if shutil.which("apt-cache") is None or shutil.which("dpkg") is None:
        pytest.fail("This check needs Debian's apt-cache and dpkg, as the README's set-up does.")
    return bootstrap_packages()


def test_the_sources_start_programs_that_are_found():
    """The finder itself works: it sees the programs the portal is known to start."""
    programs = set(python_programs()) | set(script_programs())
    expected = {"ogr2ogr", "ogrinfo", "psql", "redis-server", "redis-cli", "runuser",
                "/usr/bin/chromium", "gdalsrsinfo", "apt-get", "dpkg-query"}  # fmt: skip
    assert expected <= programs, expected - programs
    assert any(p.endswith("/pg_ctl") for p in programs)
    assert any(p.endswith("/initdb") for p in programs)


def test_every_program_comes_from_a_bootstrap_package(packages):
    assert programs_not_installed_by(packages) == {}


def test_a_package_missing_from_bootstrap_is_caught(packages):
    """Without gdal-bin in the list, ogr2ogr and friends would be missing on a bare machine."""
    problems = programs_not_installed_by([p for p in packages if p != "gdal-bin"])
    assert {"ogr2ogr", "ogrinfo", "gdalsrsinfo"} <= set(problems), problems
