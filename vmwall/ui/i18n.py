"""French first, English by Qt translation.

The source strings in the code are French (the operators' language). ``vmwall_en.ts`` (package data,
``vmwall/resources/translations``) holds the English. ``.qm`` files are build outputs, never
committed: an installer build runs ``python -m vmwall.ui.i18n build`` to put them next to the
``.ts``; a source checkout compiles them at first start with Qt's ``lrelease`` (shipped with
PySide6) into the user cache directory, keyed by the ``.ts`` content so an edit recompiles.

``python -m vmwall.ui.i18n update`` refreshes the ``.ts`` from the code (``lupdate``), keeping the
translations already there.
"""

from __future__ import annotations

import argparse
import hashlib
import logging
import shutil
import subprocess
import sys
from importlib import resources
from pathlib import Path

import platformdirs
from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QTranslator

log = logging.getLogger(__name__)

SOURCE_LANGUAGE = "fr"
TRANSLATED = ("en",)
PACKAGE = "vmwall.resources"
FOLDER = "translations"


def ts_name(language: str) -> str:
    return f"vmwall_{language}.ts"


def qm_name(language: str) -> str:
    return f"vmwall_{language}.qm"


def _tool(name: str) -> list[str] | None:
    """Qt's lupdate/lrelease as PySide6 ships them (wrapper script, else the binary itself)."""
    wrapper = Path(sys.executable).parent / f"pyside6-{name}"
    if wrapper.exists():
        return [str(wrapper)]
    found = shutil.which(f"pyside6-{name}")
    if found:
        return [found]
    try:
        import PySide6

        binary = Path(PySide6.__file__).parent / name
        if binary.exists():
            return [str(binary)]
    except ImportError:
        pass
    found = shutil.which(name)
    return [found] if found else None


def compile_ts(ts: Path, qm: Path) -> None:
    tool = _tool("lrelease")
    if tool is None:
        raise FileNotFoundError("Qt's lrelease is not installed (it comes with PySide6)")
    qm.parent.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(
        [*tool, "-silent", str(ts), "-qm", str(qm)], capture_output=True, text=True, timeout=60, check=False
    )
    if done.returncode != 0 or not qm.exists():
        raise RuntimeError(f"lrelease failed on {ts.name}: {(done.stderr or done.stdout).strip()[-300:]}")


def translation_file(language: str) -> Path | None:
    """A compiled .qm for ``language``: built into the package, else compiled into the cache."""
    folder = resources.files(PACKAGE).joinpath(FOLDER)
    built = folder.joinpath(qm_name(language))
    if built.is_file():
        with resources.as_file(built) as path:
            if path.exists():  # a real file (not a zip member that as_file would delete)
                return path
    source = folder.joinpath(ts_name(language))
    if not source.is_file():
        return None
    data = source.read_bytes()
    digest = hashlib.sha256(data).hexdigest()[:16]
    cached = Path(platformdirs.user_cache_dir("vmwall")) / "translations" / f"vmwall_{language}-{digest}.qm"
    if cached.exists():
        return cached
    with resources.as_file(source) as ts_path:
        compile_ts(ts_path, cached)
    return cached


def install_translators(app: QCoreApplication, language: str) -> list[QTranslator]:
    """Install Qt's own and vmwall's translators for ``language``; returns them (keep them alive).

    A missing translation is logged and the interface stays in French: never a reason not to start.
    """
    installed: list[QTranslator] = []
    QLocale.setDefault(QLocale(language))
    qt_translations = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    qt_own = QTranslator(app)
    if qt_own.load(f"qtbase_{language}", qt_translations):
        app.installTranslator(qt_own)
        installed.append(qt_own)
    if language == SOURCE_LANGUAGE:
        return installed
    try:
        path = translation_file(language)
    except (OSError, RuntimeError, subprocess.SubprocessError) as error:
        log.warning("no %s translation: %s; the interface stays in French", language, error)
        return installed
    if path is None:
        log.warning("no %s translation shipped; the interface stays in French", language)
        return installed
    translator = QTranslator(app)
    if translator.load(str(path)):
        app.installTranslator(translator)
        installed.append(translator)
    else:
        log.warning("cannot load %s; the interface stays in French", path)
    return installed


def remove_translators(app: QCoreApplication, translators: list[QTranslator]) -> None:
    for translator in translators:
        app.removeTranslator(translator)


# --- maintenance (developers, installer builds) ---------------------------------------------


def _source_folder() -> Path:
    return Path(__file__).resolve().parents[1] / "resources" / FOLDER


def _code_files() -> list[Path]:
    root = Path(__file__).resolve().parents[1]
    return [*sorted((root / "ui").glob("*.py")), root / "app.py"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m vmwall.ui.i18n",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("action", choices=("update", "build"))
    args = parser.parse_args(argv)
    folder = _source_folder()
    if args.action == "update":
        tool = _tool("lupdate")
        if tool is None:
            print("lupdate not found (it comes with PySide6)", file=sys.stderr)
            return 1
        for language in TRANSLATED:
            subprocess.run(
                [
                    *tool,
                    "-locations",
                    "none",
                    "-source-language",
                    SOURCE_LANGUAGE,
                    "-target-language",
                    language,
                    *map(str, _code_files()),
                    "-ts",
                    str(folder / ts_name(language)),
                ],
                check=True,
            )
        return 0
    for language in TRANSLATED:
        compile_ts(folder / ts_name(language), folder / qm_name(language))
        print(folder / qm_name(language))
    return 0


if __name__ == "__main__":
    sys.exit(main())
