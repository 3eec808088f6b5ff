"""The tests keep their own house rules: helpers in tests/support/, one CSRF reader, no
test module importing another, no fixed sleeps, fixtures that hand back named objects."""

import ast
import re
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parent
SUPPORT = TESTS / "support"
SOURCES = sorted(p for p in TESTS.rglob("*.py") if "node_modules" not in p.parts)


def relative(path: Path) -> str:
    return str(path.relative_to(TESTS.parent))


def lines_matching(pattern: str, skip: tuple[Path, ...] = ()) -> list[str]:
    found = []
    for path in SOURCES:
        if path in skip:
            continue
        for number, line in enumerate(path.read_text().splitlines(), 1):
            if re.search(pattern, line):
                found.append(f"{relative(path)}:{number}: {line.strip()}")
    return found


def test_no_test_module_imports_another_or_a_conftest():
    imports = lines_matching(r"^\s*(from|import) tests\.((browser|stack)\.)?(conftest|test_)")
    assert imports == [], "move what is shared into tests/support/"


def test_csrf_tokens_are_read_by_csrf_from_only():
    readers = lines_matching(
        r'csrf_token" type="hidden" value=', skip=(SUPPORT / "csrf.py", Path(__file__))
    )
    assert readers == [], "use tests.support.csrf.csrf_from"


def test_no_fixed_sleeps():
    sleeps = lines_matching(
        r"\b(time\.sleep|asyncio\.sleep|wait_for_timeout)\(",
        skip=(SUPPORT / "waiting.py", Path(__file__)),
    )
    assert sleeps == [], "wait for the condition: tests.support.waiting.wait_until"


def is_fixture(function: ast.FunctionDef) -> bool:
    for decorator in function.decorator_list:
        target = decorator.func if isinstance(decorator, ast.Call) else decorator
        if isinstance(target, ast.Attribute) and target.attr == "fixture":
            return True
    return False


@pytest.mark.parametrize("path", SOURCES, ids=relative)
def test_fixtures_hand_back_named_objects(path):
    tuples = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.FunctionDef) and is_fixture(node):
            for inner in ast.walk(node):
                value = getattr(inner, "value", None)
                if isinstance(inner, ast.Return | ast.Yield) and isinstance(value, ast.Tuple):
                    if _belongs_to(node, inner):
                        tuples.append(f"{node.name} (line {inner.lineno})")
    assert tuples == [], "return a dataclass or NamedTuple instead of a tuple"


def _belongs_to(fixture: ast.FunctionDef, statement: ast.AST) -> bool:
    """Whether `statement` is the fixture's own, not that of a function defined inside it."""
    for node in ast.walk(fixture):
        if node is not fixture and isinstance(node, ast.FunctionDef | ast.Lambda):
            if any(inner is statement for inner in ast.walk(node)):
                return False
    return True
