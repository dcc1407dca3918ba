"""Build hook: `pip install ./python` builds the Swift release package (when needed) and installs its
plugins (lib*Plugin.so) and the `workbench` executable inside the Python package, in workbench/_bin.

Everything else is declared in pyproject.toml. The source tree is the parent of this directory (pip
builds local directories in place); WORKBENCH_SOURCE_DIR overrides it, and WORKBENCH_SKIP_SWIFT_BUILD=1
takes an existing .build/release as it is.
"""
import os
import shutil
import subprocess
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py
from setuptools.dist import Distribution


def source_dir() -> Path:
    root = Path(os.environ.get("WORKBENCH_SOURCE_DIR", Path(__file__).resolve().parent.parent))
    if not (root / "Package.swift").is_file():
        raise SystemExit(f"workbench: no Package.swift in {root}; set WORKBENCH_SOURCE_DIR to the repository")
    return root


class BuildWithSwift(build_py):
    def run(self):
        super().run()
        root = source_dir()
        release = root / ".build" / "release"
        if os.environ.get("WORKBENCH_SKIP_SWIFT_BUILD") != "1":
            if shutil.which("swift") is None:
                if not (release / "workbench").is_file():
                    raise SystemExit("workbench: Swift is needed to build the plugins (swift not on PATH)")
                print("workbench: swift not on PATH; using the existing build in", release)
            else:
                # SwiftPM decides what is stale: a no-op on an up-to-date tree takes seconds.
                subprocess.run(["swift", "build", "-c", "release"], cwd=root, check=True)
        plugins = sorted(release.glob("lib*Plugin.so"))
        if not (release / "workbench").is_file() or not plugins:
            raise SystemExit(f"workbench: {release} has no workbench executable or plugins")
        target = Path(self.build_lib) / "workbench" / "_bin"
        if target.exists():
            shutil.rmtree(target)
        target.mkdir(parents=True)
        for f in plugins + [release / "workbench"]:
            shutil.copy2(f.resolve(), target / f.name)


class BinaryDistribution(Distribution):
    """The wheel carries native libraries: tag it for this platform, not as pure Python."""

    def has_ext_modules(self):
        return True


setup(cmdclass={"build_py": BuildWithSwift}, distclass=BinaryDistribution)
