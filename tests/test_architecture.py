"""The layout's rules, read from the source: who may import what (README, "Layout")."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "webapp"
RULES = ("webapp.helpdesk", "webapp.mail", "webapp.content")
BLUEPRINTS = ("webapp.public", "webapp.help", "webapp.admin")
REQUEST_STATE = {"request", "session", "g"}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def sources() -> list[Path]:
    return sorted(
        p
        for p in [*PACKAGE.rglob("*.py"), *(ROOT / "deploy").rglob("*.py")]
        if "migrations" not in p.parts
    )


def imports(path: Path) -> list[tuple[str, list[str]]]:
    """(module, names) for every import in the file, relative ones resolved."""
    found = []
    own = module_name(path)
    package = own if path.name == "__init__.py" else own.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(alias.name, []) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            found.append((base, [alias.name for alias in node.names]))
    return found


def inside(module: str, packages) -> str | None:
    for package in packages:
        if module == package or module.startswith(package + "."):
            return package
    return None


@pytest.mark.parametrize("path", sources(), ids=lambda p: str(p.relative_to(ROOT)))
def test_module_follows_the_import_rules(path):
    own = module_name(path)
    for module, names in imports(path):
        if inside(own, RULES):
            assert not (module == "flask" and REQUEST_STATE & set(names)), (
                f"{own} is a rules module and imports {REQUEST_STATE & set(names)} from flask"
            )
        own_blueprint = inside(own, BLUEPRINTS)
        theirs = inside(module, BLUEPRINTS) or inside(".".join([module, *names[:1]]), BLUEPRINTS)
        if own_blueprint and theirs:
            assert theirs == own_blueprint, f"blueprint {own} imports blueprint {theirs}"
        if own == "webapp.cli":
            assert not theirs, f"the CLI imports the blueprint {theirs}"
        if inside(own, RULES):
            assert not theirs, f"rules module {own} imports the blueprint {theirs}"
        if module.startswith(("webapp", "deploy")):
            private = [n for n in names if n.startswith("_") and not n.startswith("__")]
            assert not private, f"{own} imports private names {private} from {module}"


def test_nothing_shadows_the_standard_library():
    import sys

    names = {p.stem for p in sources()} | {p.name for p in PACKAGE.iterdir() if p.is_dir()}
    assert not names & set(sys.stdlib_module_names) - {"__init__"}


def test_few_modules_sit_directly_in_the_package():
    direct = [p.name for p in PACKAGE.glob("*.py")]
    assert len(direct) <= 12, direct


@pytest.mark.parametrize(
    "package", sorted(p.parent for p in PACKAGE.rglob("__init__.py") if "migrations" not in p.parts)
)
def test_every_package_says_what_it_holds(package):
    doc = ast.get_docstring(ast.parse((package / "__init__.py").read_text(encoding="utf-8")))
    assert doc and len(doc) > 40, f"{package} has no docstring saying what it holds"


def test_readme_layout_lists_every_module():
    """Each module is named in the README's layout: by its path, or on its folder's row."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    layout = readme.split("## Layout", 1)[1].split("\n## ", 1)[0].splitlines()

    def listed(path: Path) -> bool:
        relative = str(path.relative_to(ROOT))
        folder = f"`{path.parent.relative_to(ROOT)}/`"
        return any(
            f"`{relative}`" in line or (folder in line and f"`{path.name}`" in line)
            for line in layout
        )

    missing = [
        str(p.relative_to(ROOT)) for p in sources() if p.name != "__init__.py" and not listed(p)
    ]
    assert not missing, f"README's layout does not list {missing}"
