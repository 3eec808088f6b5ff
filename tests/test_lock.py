"""The lock (uv.lock) holds what pyproject.toml asks for: every dependency of the app and
of the tests at a version its specifier allows, each with its hashes; `make` installs
from it and stops when the two disagree."""

import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent
UV = Path(sys.executable).parent / "uv"


def required() -> list[Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    names = project["dependencies"] + project["optional-dependencies"]["test"]
    return [Requirement(name) for name in names]


def locked() -> dict[str, dict]:
    lock = tomllib.loads((ROOT / "uv.lock").read_text())
    return {canonicalize_name(package["name"]): package for package in lock["package"]}


def test_every_dependency_is_locked_at_a_version_pyproject_allows():
    packages = locked()
    wrong = []
    for requirement in required():
        package = packages.get(canonicalize_name(requirement.name))
        if package is None:
            wrong.append(f"{requirement}: not in uv.lock")
        elif not requirement.specifier.contains(package["version"], prereleases=True):
            wrong.append(f"{requirement}: uv.lock has {package['version']}")
    assert wrong == [], "pyproject.toml and uv.lock disagree (run `make lock`): " + "; ".join(wrong)


def test_every_dependency_has_an_upper_bound():
    unbounded = [
        str(r) for r in required() if not any(s.operator in ("<", "<=", "==") for s in r.specifier)
    ]
    assert unbounded == []


def test_every_locked_package_comes_with_its_hashes():
    for name, package in locked().items():
        if "registry" not in package["source"]:
            continue  # the project itself
        files = package.get("wheels", []) + ([package["sdist"]] if "sdist" in package else [])
        assert files, name
        assert all(f["hash"].startswith("sha256:") for f in files), name


@pytest.mark.skipif(not UV.exists(), reason="uv is installed by `make install`")
def test_uv_finds_the_lock_up_to_date(tmp_path):
    result = subprocess.run(
        [str(UV), "lock", "--check", "--offline"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, "UV_PYTHON_DOWNLOADS": "never"},
    )
    assert result.returncode == 0, result.stderr


@pytest.mark.skipif(not UV.exists(), reason="uv is installed by `make install`")
def test_uv_refuses_a_lock_that_no_longer_matches(tmp_path):
    """The same check catches a pyproject.toml whose dependencies changed."""
    for name in ("pyproject.toml", "uv.lock", "README.md"):
        (tmp_path / name).write_text((ROOT / name).read_text())
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace('"Flask>=3.0,<4"', '"Flask>=3.0,<3.1"'))
    result = subprocess.run(
        [str(UV), "lock", "--check", "--offline"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env={**os.environ, "UV_PYTHON_DOWNLOADS": "never"},
    )
    assert result.returncode != 0
    assert "flask" in result.stderr
