"""`make test` does its own set-up: a missing Debian program is installed or named.

The set-up step is `.ci/ensure` (make's test-setup target; .ci/run calls the same). These
tests point it at programs that do not exist and forbid installing (ENSURE_NO_INSTALL=1),
so it must stop with the apt-get command, whether or not the machine runs them as root.
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
ENSURE = ROOT / ".ci" / "ensure"
MISSING = "/nonexistent/bin/chromium"


def run(args: list[str], **env: str) -> subprocess.CompletedProcess:
    """Run a command in the project with extra environment and no outer make's flags."""
    clean = {
        key: value
        for key, value in os.environ.items()
        if key not in {"MAKEFLAGS", "MFLAGS", "MAKELEVEL", "CHROMIUM", "NGINX"}
    }
    return subprocess.run(
        args,
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_a_missing_chromium_stops_the_set_up_with_the_command_to_run():
    result = run(
        ["make", "--no-print-directory", "test-setup"], CHROMIUM=MISSING, ENSURE_NO_INSTALL="1"
    )
    assert result.returncode != 0
    output = result.stdout + result.stderr
    assert "apt-get install -y chromium" in output
    assert MISSING in output


def test_make_test_stops_before_any_test_runs():
    # If the set-up step did not stop it, `pytest --version` would run and make would pass.
    result = run(
        ["make", "--no-print-directory", "test", "PYTEST_ARGS=--version"],
        CHROMIUM=MISSING,
        ENSURE_NO_INSTALL="1",
    )
    assert result.returncode != 0
    assert "apt-get install -y chromium" in result.stdout + result.stderr
    assert "pytest" not in result.stdout + result.stderr


def test_a_chromium_that_is_there_passes_silently():
    present = sys.executable  # an executable that certainly exists
    result = run(["make", "-s", "test-setup", "TEST_PACKAGES=chromium"], CHROMIUM=present)
    assert (result.returncode, result.stdout, result.stderr) == (0, "", "")


@pytest.mark.parametrize(
    ("arguments", "command"),
    [
        (["nginx"], "apt-get install -y nginx"),
        (["chromium", "nginx"], "apt-get install -y chromium nginx"),
        (["default-jre-headless:/nonexistent/java"], "apt-get install -y default-jre-headless"),
    ],
)
def test_every_missing_package_is_named_in_one_command(arguments, command):
    result = run(
        [str(ENSURE), *arguments],
        CHROMIUM=MISSING,
        NGINX="/nonexistent/sbin/nginx",
        ENSURE_NO_INSTALL="1",
    )
    assert result.returncode == 1
    assert command in result.stderr
    prefix = "" if os.geteuid() == 0 else "sudo "
    assert f"    {prefix}{command}\n" in result.stderr


def test_a_program_on_the_path_counts_as_installed():
    result = run([str(ENSURE), "coreutils:ls", "sh"], ENSURE_NO_INSTALL="1")
    assert (result.returncode, result.stderr) == (0, "")
