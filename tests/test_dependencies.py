"""What pyproject.toml pins is exactly what requirements.lock installs."""

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def normalise(name):
    return re.sub(r"[-_.]+", "-", name).lower()


def test_every_direct_dependency_is_pinned_and_locked_at_the_same_version():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    direct = project["dependencies"] + project["optional-dependencies"]["test"]
    locked = {}
    for line in (ROOT / "requirements.lock").read_text().splitlines():
        if "==" in line and not line.startswith("#"):
            name, version = line.split("==")
            locked[normalise(name)] = version.strip()
    for requirement in direct:
        name, version = re.fullmatch(
            r"([A-Za-z0-9_.-]+)(?:\[[a-z0-9,]+\])?==(\S+)", requirement
        ).groups()
        assert locked.get(normalise(name)) == version, requirement
