"""Dependencies point one way (docs: design.md, "Architecture"): the HTTP toolkit (`api/`) knows no
domain app and not the integration app; domain modules outside their own `api/` package import
neither the toolkit nor the integration app (nor the demo), and name none of their tasks by
string. Read from the source with `ast`, so an import inside a function counts too."""

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
TOOLKIT = "api"
# accounts: signing in, above organisations; identification, returns, activities: above referrals
# and organisations
DOMAIN = ("geo", "organisations", "referrals", "accounts", "identification", "returns", "activities")
# The mechanism's app (screening, identification) sits above these domain apps: they never import it.
BELOW_IDENTIFICATION = ("geo", "organisations", "referrals")
ABOVE_THE_DOMAIN = ("integration", "notifications", "demo")

# Domain modules, owned by other areas, that still import the toolkit or the integration app until
# their branches merge: {module: {imported top-level package, ...}}. The integrator empties it.
TEMPORARY_ALLOWED: dict[str, set[str]] = {  # removed at merge
}


def modules(package: str):
    for path in sorted((ROOT / package).rglob("*.py")):
        relative = path.relative_to(ROOT)
        if "migrations" in relative.parts:
            continue
        yield ".".join(relative.with_suffix("").parts).removesuffix(".__init__"), path


def imported(module: str, path: Path) -> set[str]:
    """Every module the source imports, absolute (relative imports resolved)."""
    tree = ast.parse(path.read_text(), filename=str(path))
    package = module.split(".") if path.name == "__init__.py" else module.split(".")[:-1]
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1]
                names.add(".".join([*base, node.module] if node.module else base))
            else:
                names.add(node.module)
    return names


def top_levels(names: set[str]) -> set[str]:
    return {name.split(".")[0] for name in names}


def test_the_toolkit_imports_no_domain_app_nor_what_sits_above_it():
    offences = {
        module: sorted(top_levels(imported(module, path)) & {*DOMAIN, *ABOVE_THE_DOMAIN})
        for module, path in modules(TOOLKIT)
    }
    assert {module: names for module, names in offences.items() if names} == {}


def domain_modules():
    for package in DOMAIN:
        for module, path in modules(package):
            if "api" not in module.split(".")[1:]:  # each app's own api/ package may use the toolkit
                yield module, path


def test_domain_modules_import_neither_the_toolkit_nor_the_integration_app():
    forbidden = {TOOLKIT, *ABOVE_THE_DOMAIN}
    offences = {}
    for module, path in domain_modules():
        names = (top_levels(imported(module, path)) & forbidden) - TEMPORARY_ALLOWED.get(module, set())
        if names:
            offences[module] = sorted(names)
    assert offences == {}


def test_the_domain_below_the_mechanism_does_not_import_it():
    """referrals and organisations know nothing of screening and identification; only the
    referral's HTTP surface (referrals/api) shows them."""
    offences = {
        module: sorted(top_levels(imported(module, path)) & {"identification"})
        for module, path in domain_modules()
        if module.split(".")[0] in BELOW_IDENTIFICATION
    }
    assert {module: names for module, names in offences.items() if names} == {}


TASK_NAME = re.compile(rf"^({'|'.join((TOOLKIT, *ABOVE_THE_DOMAIN))})\.tasks\.")


def test_the_domain_names_no_task_of_the_apps_above_it():
    """The domain writes outbox events and sends signals; it never publishes, say,
    "integration.tasks.relay_outbox" itself."""
    offences = {}
    for module, path in domain_modules():
        strings = {
            node.value for node in ast.walk(ast.parse(path.read_text()))
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and TASK_NAME.match(node.value)
        }
        if strings:
            offences[module] = sorted(strings)
    assert offences == {}


def test_the_temporary_allow_list_names_only_modules_that_still_need_it():
    """So that it empties as the branches merge, rather than outliving what it excuses."""
    stale = {
        module: sorted(allowed - top_levels(imported(module, path)))
        for module, path in domain_modules()
        if (allowed := TEMPORARY_ALLOWED.get(module))
    }
    assert {module: names for module, names in stale.items() if names} == {}
    known = {module for module, _ in domain_modules()}
    assert set(TEMPORARY_ALLOWED) <= known


@pytest.mark.parametrize(("source", "expected"), [
    ("from referrals.models import Referral", {"referrals.models"}),
    ("import api.errors", {"api.errors"}),
    ("def f():\n    from integration import tasks", {"integration"}),
    ("from . import selectors", {"referrals"}),
    ("from .api.views import X", {"referrals.api.views"}),
    ("from ..organisations import models", {"organisations"}),
])
def test_imports_are_read_resolved(tmp_path, source, expected):
    """The checker itself: absolute, lazy and relative imports all count."""
    path = tmp_path / "services.py"
    path.write_text(source)
    assert imported("referrals.services", path) == expected
