"""The README's pictures: each one it names exists, comes from `make screenshots`, and
has alt text; no picture in docs/screenshots/ is left out of the README."""

import importlib.util
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
FOLDER = ROOT / "docs" / "screenshots"
IMAGE = re.compile(r"!\[([^\]]*)\]\(([^)\s]+)\)")


def readme_images() -> list[tuple[str, str]]:
    """(alt text, path) of every image in the README, in order."""
    return IMAGE.findall(README.read_text(encoding="utf-8"))


def script_shots() -> tuple[str, ...]:
    spec = importlib.util.spec_from_file_location("screenshots", ROOT / "docs" / "screenshots.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)  # defines names only; main() runs as a script
    return module.SHOTS


def test_every_picture_the_readme_names_exists():
    images = readme_images()
    assert images, "the README shows no pictures"
    for _alt, path in images:
        assert path.startswith("docs/screenshots/") and path.endswith(".png"), path
        assert (ROOT / path).is_file(), f"README names {path}, which does not exist"


def test_every_picture_in_the_folder_is_in_the_readme():
    named = {Path(path).name for _alt, path in readme_images()}
    files = {p.name for p in FOLDER.glob("*.png")}
    assert files == named, (
        f"only in docs/screenshots/: {sorted(files - named)}; "
        f"only in the README: {sorted(named - files)}"
    )


def test_the_pictures_are_the_ones_make_screenshots_takes():
    shots = script_shots()
    assert [Path(path).name for _alt, path in readme_images()] == list(shots)


def test_every_picture_has_alt_text_that_describes_it():
    for alt, path in readme_images():
        assert len(alt.split()) >= 8, f"{path}: alt text too short: {alt!r}"


def test_the_pictures_are_small_pngs_of_the_agreed_widths():
    for _alt, path in readme_images():
        data = (ROOT / path).read_bytes()
        assert data[:8] == b"\x89PNG\r\n\x1a\n", path
        width = int.from_bytes(data[16:20], "big")
        assert width <= 1280, f"{path} is {width} px wide"
        assert len(data) < 400_000, f"{path} has {len(data)} bytes"


def test_the_tour_comes_right_after_the_two_commands():
    text = README.read_text(encoding="utf-8")
    assert text.splitlines()[2:5] == [
        "```sh",
        "make run    # serve the site on http://127.0.0.1:5000 (HOST and PORT override), "
        "with the mail sender",
        "make test   # the whole test suite, browser tests included",
    ]
    headings = re.findall(r"^## (.+)$", text, flags=re.MULTILINE)
    assert headings[0] == "Tour"
