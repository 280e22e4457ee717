"""Packaging hook: the wheel carries the engine's built-in templates.

Their source in this repository is the top-level ``templates/`` folder (this project's
template folder as much as the engine's); building the package copies it into
``policybrief/templates/``, where an installed engine finds it
(policybrief/core/builtin.py). Everything else is in pyproject.toml."""

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

HERE = Path(__file__).resolve().parent


class BuildWithTemplates(build_py):
    """The usual build, then the templates folder copied into the built package."""

    def run(self) -> None:
        super().run()
        source = HERE / "templates"
        target = Path(self.build_lib) / "policybrief" / "templates"
        if source.is_dir() and not self.editable_mode:
            shutil.rmtree(target, ignore_errors=True)
            shutil.copytree(source, target, ignore=shutil.ignore_patterns("*.mo", ".*"))


setup(cmdclass={"build_py": BuildWithTemplates})
