"""Build script for the miniaudio C extension.

What is built and how (the fetched third-party sources and their hash checks, our patches to them,
compiler flags, libraries) lives in build_support/miniaudio_build.py, which this file imports; here
are only the setuptools commands that use it.  See that module's docstring for MINIAUDIO_SRC_DIR
(offline builds) and MINIAUDIO_WERROR.
"""

import os
import sys

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext
from setuptools.command.sdist import sdist

try:
    from setuptools.modified import newer_group
except ImportError:  # setuptools < 69
    from distutils.dep_util import newer_group

HERE = os.path.dirname(os.path.abspath(__file__))
# setuptools' PEP 517 backend runs this file without its folder on sys.path.
sys.path.insert(0, os.path.join(HERE, "build_support"))

import miniaudio_build as mb  # noqa: E402


class BuildExt(build_ext):
    """Fetches and patches the C sources first; compiles our C with warnings (GCC, Clang), the
    fetched code without.

    The one file that compiles the fetched implementation (mb.VENDOR_TU) is compiled on its own,
    with the flags every file gets, and linked in as an extra object; the others get our warnings
    through the extension's extra_compile_args."""

    def build_extensions(self):
        src_dir = mb.patched_source_dir(mb.miniaudio_source_dir(), self.build_temp)
        patched = [os.path.join(src_dir, name) for name in mb.FILES]
        for ext in self.extensions:
            ext.include_dirs.append(src_dir)
            ext.depends.extend(patched)  # a changed patch rebuilds the module
        super().build_extensions()

    def build_extension(self, ext):
        common, ours = mb.compiler_flags(self.compiler.compiler_type)
        vendor = [s for s in ext.sources if os.path.basename(s) == mb.VENDOR_TU]
        saved = ext.sources, ext.depends, ext.extra_objects, ext.extra_compile_args
        # What build_ext.build_extension checks before it compiles anything (its "skipping").
        stale = self.force or newer_group(ext.sources + ext.depends, self.get_ext_fullpath(ext.name), "newer")
        try:
            if vendor and stale:
                macros = ext.define_macros + [(name,) for name in ext.undef_macros]
                ext.extra_objects = list(ext.extra_objects) + self.compiler.compile(
                    vendor, output_dir=self.build_temp, macros=macros, include_dirs=ext.include_dirs,
                    debug=self.debug, depends=ext.depends,
                    extra_postargs=list(ext.extra_compile_args) + common + mb.vendor_flags(self.compiler.compiler_type))
            ext.sources = [s for s in ext.sources if s not in vendor]
            ext.depends = list(ext.depends) + vendor  # a changed vendor file still rebuilds the module
            ext.extra_compile_args = list(ext.extra_compile_args) + common + ours
            super().build_extension(ext)
        finally:
            ext.sources, ext.depends, ext.extra_objects, ext.extra_compile_args = saved

    def copy_extensions_to_source(self):
        # `build_ext --inplace` would overwrite the module in place; a process that has it loaded
        # (a test run beside the build) would then crash.  A new file (a new inode) leaves it alone.
        for ext in self.extensions:
            target = os.path.join(HERE, "src", *self.get_ext_filename(ext.name).split(os.sep))
            if os.path.exists(target):
                os.unlink(target)
        super().copy_extensions_to_source()


class Sdist(sdist):
    """Our sdist ships the fetched sources so that installing from it needs no network."""

    def run(self):
        folder = os.path.join(HERE, mb.FETCH_DIR)
        src_dir = mb.miniaudio_source_dir()
        if os.path.abspath(src_dir) != os.path.abspath(folder):
            os.makedirs(folder, exist_ok=True)
            for name in mb.FILES:
                with open(os.path.join(src_dir, name), "rb") as f, open(os.path.join(folder, name), "wb") as out:
                    out.write(f.read())
        super().run()


if __name__ == "__main__":  # setuptools runs this file as __main__
    setup(
        ext_modules=[
            Extension(
                "miniaudio._miniaudio",
                sources=mb.c_sources(),
                depends=[os.path.join(mb.C_DIR, "_miniaudio.h")],
                include_dirs=[mb.C_DIR],
                define_macros=mb.MA_DEFINES,
                libraries=mb.platform_libraries(),
            )
        ],
        cmdclass={"build_ext": BuildExt, "sdist": Sdist},
    )
