"""Build hook: a built wheel ships docs/ inside the resources package.

Everything else about the package is in pyproject.toml. The guide and the
block reference stay in docs/ in the source tree (the project's own docs);
building copies their Markdown and pictures to resources/docs/, where
``resources.docs()`` finds them in an installed app.
"""

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

DOCS = Path(__file__).resolve().parent / "docs"
SHIPPED = ("*.md", "*.png")


class BuildWithDocs(build_py):
    def run(self) -> None:
        super().run()
        if self.editable_mode:  # an editable install reads the checkout's docs/
            return
        target = Path(self.build_lib) / "resources" / "docs"
        for pattern in SHIPPED:
            for source in DOCS.rglob(pattern):
                destination = target / source.relative_to(DOCS)
                destination.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(source, destination)


setup(cmdclass={"build_py": BuildWithDocs})
