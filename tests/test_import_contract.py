"""The import contract holds, and it would catch a package importing the wrong way."""

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def lint(where: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(LINT_IMPORTS), "--config", str(where / "pyproject.toml"), "--no-cache"],
        cwd=where,
        capture_output=True,
        text=True,
        env={"PYTHONPATH": str(where), "PATH": ""},
        check=False,
    )


def test_the_contract_is_kept():
    result = lint(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_contract_fails_when_models_imports_the_web_app(tmp_path):
    for package in ("webapp", "forms", "models", "analysis"):
        shutil.copytree(
            ROOT / package,
            tmp_path / package,
            ignore=shutil.ignore_patterns("static", "templates", "__pycache__"),
        )
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    (tmp_path / "models" / "sneaky.py").write_text("import flask\nfrom webapp import create_app\n")
    result = lint(tmp_path)
    assert result.returncode != 0
    assert "BROKEN" in result.stdout
    assert "models.sneaky -> webapp" in result.stdout
