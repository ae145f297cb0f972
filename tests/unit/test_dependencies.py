"""The dependency rule, read from the imports: layers import only downwards."""
import ast
import re
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "mobilizon_lite"

# Higher numbers sit higher; a module may import its own layer or lower ones.
LAYERS = {
    "db": 0, "config": 0, "text": 0, "tokens": 0, "urls": 0, "version": 0, "dates": 0, "caching": 0, "memory": 0,
    "job_runs": 0, "geo": 0, "instance_lock": 0, "dialect": 0, "claims": 0, "pgtools": 0,
    "models": 1, "migrations": 1, "backups": 1, "postgres_move": 1,
    "activitypub": 2, "mail": 2, "mail_queue": 2,
    "services": 3, "negotiation": 3, "page_cache": 3,
    "web": 4, "federation_views": 4, "feeds": 4, "scheduler": 4, "scheduler_lease": 4, "cli": 5, "__init__": 5,
}
BLUEPRINT_PACKAGES = {"web", "federation_views", "feeds"}


def top_name(module_path):
    relative = module_path.relative_to(PACKAGE)
    return relative.parts[0].removesuffix(".py")


def _module_or_root(name):
    if (PACKAGE / name).is_dir() or (PACKAGE / f"{name}.py").exists():
        return name
    return "__init__"


def imported_top_names(module_path):
    """The first-level names of mobilizon_lite that a module imports."""
    tree = ast.parse(module_path.read_text(), filename=str(module_path))
    depth = len(module_path.relative_to(PACKAGE).parts) - 1
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                if node.level - 1 < depth:
                    names.add(module_path.relative_to(PACKAGE).parts[0].removesuffix(".py"))
                    continue
                base = node.module
                if base is None:  # "from .. import x": x is a module, or a name of the package root
                    names.update(_module_or_root(alias.name) for alias in node.names)
                    continue
                names.add(base.split(".")[0])
            elif node.module and node.module.startswith("mobilizon_lite."):
                names.add(node.module.split(".")[1])
            elif node.module == "mobilizon_lite":
                names.update(_module_or_root(alias.name) for alias in node.names)
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("mobilizon_lite."):
                    names.add(alias.name.split(".")[1])
    return names


def modules():
    return [path for path in PACKAGE.rglob("*.py") if path.name != "__init__.py" or path.parent != PACKAGE]


def test_every_module_has_a_layer():
    for path in modules():
        assert top_name(path) in LAYERS, f"{path} is in no layer: add it to LAYERS"


def test_imports_point_down_only():
    offences = []
    for path in modules():
        own = top_name(path)
        for name in imported_top_names(path) - {own}:
            if name not in LAYERS:
                offences.append(f"{path.name} imports unknown mobilizon_lite.{name}")
            elif LAYERS[name] > LAYERS[own]:
                offences.append(f"{path.relative_to(PACKAGE)} ({own}) imports {name}, which sits higher")
            elif name in BLUEPRINT_PACKAGES:
                offences.append(f"{path.relative_to(PACKAGE)} imports the blueprint package {name}")
    assert offences == []


def test_models_import_only_db():
    for path in (PACKAGE / "models").glob("*.py"):
        assert imported_top_names(path) - {"models"} <= {"db"}, path


def test_only_blueprints_and_mail_render_templates():
    allowed = {"web", "federation_views", "feeds", "mail"}
    for path in modules():
        source = path.read_text()
        if "render_template" in source or "jinja_env" in source:
            assert top_name(path) in allowed, f"{path} renders templates"


def test_no_module_imports_a_blueprint_module():
    # A blueprint module names its blueprint `bp` at module level (web/staff.py only makes them).
    blueprints = {path for path in modules() if re.search(r"^bp = ", path.read_text(), re.M)}
    offences = []
    for path in modules():
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if not isinstance(node, ast.ImportFrom) or node.level == 0:
                continue
            base = path.parent
            for _ in range(node.level - 1):
                base = base.parent
            targets = [base / f"{node.module.replace('.', '/')}.py"] if node.module else []
            targets += [base / (node.module or "").replace(".", "/") / f"{alias.name}.py" for alias in node.names]
            for target in targets:
                if target.resolve() in blueprints and path.name != "__init__.py":
                    offences.append(f"{path.relative_to(PACKAGE)} imports blueprint {target.relative_to(PACKAGE)}")
    assert offences == []
