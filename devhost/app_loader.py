"""Import `<app_dir>/function_app.py` freshly, so several hosts can run one after another.

`FunctionApp.get_functions()` works once per app object, and an app's modules may read the
environment at import time; so every load drops the app directory's own modules from
sys.modules and imports function_app.py under a new module name.
"""
from __future__ import annotations

import importlib.util
import itertools
import sys
from pathlib import Path
from types import ModuleType

from azure.functions.decorators.function_app import FunctionRegister

# Top-level packages that belong to the host, the test suite or the local Slack sandbox, never to
# the app under test; "__main__" is the running program (e.g. `python -m devhost`), which Bolt's
# AsyncApp looks up while it is constructed.
_KEEP = {"devhost", "tests", "benchmarks", "conftest", "slack_sandbox", "__main__"}
_counter = itertools.count(1)


class AppLoadError(Exception):
    """function_app.py is missing, fails to import, or defines no FunctionApp."""


def _is_app_module(module: ModuleType, app_dir: Path) -> bool:
    file = getattr(module, "__file__", None)
    if not file:
        return False
    path = Path(file).resolve()
    if app_dir not in path.parents:
        return False
    rel = path.relative_to(app_dir).parts
    if any(p in ("site-packages", ".venv", "venv") for p in rel):
        return False
    return module.__name__.split(".")[0] not in _KEEP


def forget_app_modules(app_dir: Path) -> None:
    app_dir = app_dir.resolve()
    for name, module in list(sys.modules.items()):
        if module is not None and _is_app_module(module, app_dir):
            del sys.modules[name]


def load_function_app(app_dir: Path) -> FunctionRegister:
    app_dir = app_dir.resolve()
    path = app_dir / "function_app.py"
    if not path.exists():
        raise AppLoadError(f"no function_app.py in {app_dir}")
    forget_app_modules(app_dir)
    if str(app_dir) not in sys.path:
        sys.path.insert(0, str(app_dir))
    name = f"function_app__devhost{next(_counter)}"
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except Exception as exc:
        del sys.modules[name]
        raise AppLoadError(f"importing {path} failed: {exc!r}") from exc
    apps = [v for v in vars(module).values() if isinstance(v, FunctionRegister)]
    if len(apps) != 1:
        raise AppLoadError(f"{path} must define exactly one FunctionApp, found {len(apps)}")
    return apps[0]
