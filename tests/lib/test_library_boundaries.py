"""The library stays Home-Assistant-free, so the add-on and CLI install without HA."""

from __future__ import annotations

import ast
import pkgutil
import subprocess
import sys
from pathlib import Path

import spotifylcd

PACKAGE_DIR = Path(spotifylcd.__file__).parent


def test_no_module_imports_homeassistant_in_its_source() -> None:
    offenders = []
    for path in PACKAGE_DIR.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            names = (
                [alias.name for alias in node.names]
                if isinstance(node, ast.Import)
                else [node.module or ""]
                if isinstance(node, ast.ImportFrom)
                else []
            )
            offenders += [
                f"{path.name}: {name}" for name in names if name.split(".")[0] == "homeassistant"
            ]
    assert offenders == []


def test_importing_every_module_loads_no_homeassistant() -> None:
    modules = [
        info.name
        for info in pkgutil.walk_packages(spotifylcd.__path__, "spotifylcd.")
        if info.name != "spotifylcd.__main__"
    ]
    assert "spotifylcd.server" in modules
    code = (
        "import importlib, sys\n"
        f"for name in {modules!r}: importlib.import_module(name)\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'homeassistant'))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"
