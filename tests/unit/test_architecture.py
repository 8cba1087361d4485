"""The import rules of DESIGN.md, enforced: import-linter contracts (pyproject.toml) and an AST scan.

The contracts are also run against a copy of the package with one violation planted per
contract, so these tests cannot pass because the linter saw nothing.
"""

from __future__ import annotations

import ast
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
PACKAGE = REPO / "vmwall"

# Where Qt may be imported (DESIGN.md, "Package map and dependency direction").
QT_ALLOWED = ("vmwall/ui/", "vmwall/app.py", "vmwall/wall/node_display.py")
QT_ROOTS = {"PySide6", "shiboken6", "pyqtgraph"}

_LINT = (
    "import sys\n"
    "from importlinter.cli import lint_imports\n"
    "sys.exit(lint_imports(config_filename=sys.argv[1], no_cache=True, no_logo=True))\n"
)


def run_import_linter(project: Path) -> subprocess.CompletedProcess[str]:
    """lint-imports on ``project`` (a directory holding ``vmwall/`` and ``pyproject.toml``).

    A child process: the package is located from the working directory, not from the copy already
    imported by this test session.
    """
    env = {**os.environ, "COLUMNS": "250", "PYTHONDONTWRITEBYTECODE": "1"}
    env.pop("PYTHONPATH", None)
    return subprocess.run(
        [sys.executable, "-c", _LINT, str(project / "pyproject.toml")],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def contract_names() -> list[str]:
    import tomllib

    config = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    return [contract["name"] for contract in config["tool"]["importlinter"]["contracts"]]


def summary_counts(output: str) -> tuple[int, int]:
    match = re.search(r"Contracts: (\d+) kept, (\d+) broken", output)
    assert match, f"no summary line in the import-linter output:\n{output}"
    return int(match.group(1)), int(match.group(2))


def test_the_import_contracts_are_kept() -> None:
    done = run_import_linter(REPO)
    report = done.stdout + done.stderr
    assert done.returncode == 0, f"an import contract is broken (see DESIGN.md):\n{report}"
    assert summary_counts(report) == (len(contract_names()), 0), report


def test_the_contracts_cover_the_rules_of_the_design() -> None:
    names = " | ".join(contract_names())
    for rule in ("Qt", "independent", "domain model", "ONVIF", "SQLAlchemy"):
        assert rule in names


@pytest.fixture
def package_copy(tmp_path: Path) -> Path:
    shutil.copytree(PACKAGE, tmp_path / "vmwall", ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    shutil.copy(REPO / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


def plant(project: Path, relative: str, source: str) -> None:
    path = project / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    for parent in path.relative_to(project).parents:
        init = project / parent / "__init__.py"
        if parent != Path(".") and not init.exists():
            init.write_text("", encoding="utf-8")
    path.write_text(source, encoding="utf-8")


# (module to plant, its source, the contract that must break, the import the report must name)
VIOLATIONS = [
    pytest.param(
        "vmwall/brand_new_module.py",
        "def later():\n    from PySide6 import QtCore\n",
        "Only ui/, app.py and wall/node_display.py import Qt",
        "vmwall.brand_new_module -> PySide6",
        id="qt-in-a-module-no-contract-lists-lazily",
    ),
    pytest.param(
        "vmwall/video/_planted.py",
        "import pyqtgraph\n",
        "Only ui/, app.py and wall/node_display.py import Qt",
        "vmwall.video._planted -> pyqtgraph",
        id="pyqtgraph-outside-ui",
    ),
    pytest.param(
        "vmwall/ptz/_planted.py",
        "from vmwall.journal import __name__ as journal\n",
        "ptz, wall and journal are independent",
        "vmwall.ptz._planted -> vmwall.journal",
        id="ptz-imports-journal",
    ),
    pytest.param(
        "vmwall/model/_planted.py",
        "from vmwall.redact import redact_url\n",
        "The domain model depends on nothing else of vmwall",
        "vmwall.model._planted -> vmwall.redact",
        id="model-imports-vmwall",
    ),
    pytest.param(
        "vmwall/video/_planted.py",
        "import zeep\n",
        "The ONVIF library stays inside vmwall.onvif",
        "vmwall.video._planted -> zeep",
        id="zeep-outside-onvif",
    ),
    pytest.param(
        "vmwall/journal/_planted.py",
        "from sqlalchemy import select\n",
        "SQLAlchemy stays inside vmwall.store",
        "vmwall.journal._planted -> sqlalchemy",
        id="sqlalchemy-outside-store",
    ),
]


@pytest.mark.parametrize(("relative", "source", "contract", "import_line"), VIOLATIONS)
def test_the_linter_catches_a_planted_violation(
    package_copy: Path, relative: str, source: str, contract: str, import_line: str
) -> None:
    plant(package_copy, relative, source)
    done = run_import_linter(package_copy)
    report = done.stdout + done.stderr
    assert done.returncode != 0, f"the planted import went unnoticed:\n{report}"
    assert summary_counts(report) == (len(contract_names()) - 1, 1), report
    broken_section = report.split("Broken contracts", 1)[1]
    assert contract in broken_section
    assert import_line in broken_section


def test_qt_is_allowed_where_the_design_puts_it(package_copy: Path) -> None:
    plant(package_copy, "vmwall/ui/panels/deep/camera_tree.py", "from PySide6.QtWidgets import QTreeView\n")
    plant(package_copy, "vmwall/ui/mirror.py", "import pyqtgraph\nimport shiboken6\n")
    plant(package_copy, "vmwall/app.py", "from PySide6.QtWidgets import QApplication\n")
    plant(package_copy, "vmwall/wall/node_display.py", "from PySide6.QtGui import QGuiApplication\n")
    done = run_import_linter(package_copy)
    assert done.returncode == 0, done.stdout + done.stderr


# --- belt and braces: an AST scan that does not depend on import-linter ---------------------------


def qt_imports(path: Path) -> list[str]:
    """``file:line module`` for every Qt import in ``path``, at any depth (functions included)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            modules = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            modules = [node.module]
        else:
            continue
        found += [f"{path}:{node.lineno} {m}" for m in modules if m.split(".")[0] in QT_ROOTS]
    return found


def test_no_module_outside_ui_app_and_node_display_imports_qt() -> None:
    offenders = []
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = path.relative_to(REPO).as_posix()
        if relative.startswith(QT_ALLOWED):
            continue
        offenders += qt_imports(path)
    assert not offenders, "Qt imported outside ui/, app.py, wall/node_display.py:\n" + "\n".join(offenders)


def test_the_ast_scan_sees_nested_and_aliased_imports(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text(
        "import os\n"
        "def f():\n"
        "    import PySide6.QtCore as qc\n"
        "    from shiboken6 import isValid\n"
        "from .PySide6 import x\n",  # relative: a local module, not Qt
        encoding="utf-8",
    )
    assert [line.split()[-1] for line in qt_imports(sample)] == ["PySide6.QtCore", "shiboken6"]
