"""Build hook only; pyproject.toml holds the project's configuration.

templates/ and migrations/ stay at the top of the repository, but a built wheel carries them as
newsletter/templates/ and newsletter/migrations/, so an installed package finds them beside its
code. An editable install (`pip install -e .`) copies nothing: the code falls back to the
repository's own folders.
"""

import shutil
from collections.abc import Iterator
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent
SHIPPED = ("templates", "migrations")  # top-level folder -> newsletter/<folder> in the wheel


def shipped_files() -> Iterator[Path]:
    """Every file under the shipped folders, relative to the repository, less bytecode."""
    for name in SHIPPED:
        for path in sorted((ROOT / name).rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc":
                yield path.relative_to(ROOT)


class build_py_with_data(build_py):
    def run(self) -> None:
        super().run()
        if self.editable_mode:
            return
        package = Path(self.build_lib) / "newsletter"
        for name in SHIPPED:
            shutil.rmtree(package / name, ignore_errors=True)  # no stale files from a last build
        for relative in shipped_files():
            (package / relative).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / relative, package / relative)

    def get_outputs(self, include_bytecode: bool = True) -> list[str]:
        outputs = super().get_outputs(include_bytecode)
        if not self.editable_mode:
            package = Path(self.build_lib) / "newsletter"
            outputs += [str(package / relative) for relative in shipped_files()]
        return outputs


setup(cmdclass={"build_py": build_py_with_data})
