"""Sphinx configuration for the miniaudio documentation.

Build:   python -m sphinx -W --keep-going -b html docs docs/_build/html
Doctest: python -m sphinx -b doctest docs docs/_build/doctest   (run from the repository root:
         the examples open files in samples/)

autodoc imports the installed ``miniaudio`` package (``pip install .`` or ``pip install -e .``);
nothing here adds the source tree to sys.path, because the C extension must be built first.
"""

import os
import sys

import miniaudio

# docs/_ext: this documentation's own Sphinx extension (dsp_docs: the sound examples of dsp.rst,
# and matplotlib's plot directive for its figures, or a stand-in without matplotlib).
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "_ext"))

project = "miniaudio for Python"
author = "miniaudio for Python developers"
copyright = "miniaudio for Python developers; MIT license"
release = miniaudio.__version__
version = ".".join(release.split(".")[:2])

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.napoleon",
    "sphinx.ext.doctest",
    "dsp_docs",
]

exclude_patterns = ["_build"]
root_doc = "index"
language = "en"
nitpicky = False

# autodoc: the public names are documented from miniaudio.__all__ in api.rst.
autodoc_member_order = "bysource"
autodoc_typehints = "description"
autodoc_typehints_description_target = "documented_params"
autodoc_class_signature = "mixed"
autodoc_default_options = {"exclude-members": "__weakref__, __dict__, __module__, __init__"}

# Google-style "Args:" / "Returns:" / "Raises:" sections in the docstrings.
napoleon_google_docstring = True
napoleon_numpy_docstring = False
napoleon_use_rtype = True  # the type of "Returns:" as an rtype field, so autodoc adds no second one
napoleon_use_ivar = False  # "Attributes:" as attribute entries (in the index and objects.inv)

# The examples run from the repository root (paths like "samples/tone.mp3").
doctest_global_setup = "import miniaudio"
doctest_default_flags = (
    __import__("doctest").ELLIPSIS
    | __import__("doctest").NORMALIZE_WHITESPACE
    | __import__("doctest").DONT_ACCEPT_TRUE_FOR_1
)

# matplotlib's plot directive (loaded by dsp_docs when matplotlib is installed): the figures of
# dsp.rst, drawn at build time by docs/figures/dsp_figures.py from the processors' measured
# output.  One PNG each, no source or format links.
plot_include_source = False
plot_html_show_source_link = False
plot_html_show_formats = False
plot_formats = [("png", 100)]
plot_pre_code = ""

# furo: a maintained, responsive theme with a light and a dark scheme.  Its content column is
# 46em wide (736 px): the code examples are written to fit it, about 88 characters a line, so
# no code block scrolls sideways in a 1280 px window (tests/test_docs_render.py checks this
# in Chromium).
html_theme = "furo"
html_title = "miniaudio for Python"
html_static_path = ["_static"]
html_css_files = ["custom.css"]
html_show_sourcelink = False


def _drop_any_annotations(app, domain, objtype, contentnode):
    """Data and device-id arguments are annotated ``Any`` (any bytes-like object; a DeviceId, a dict
    or a name), as their descriptions say: show no type for them rather than "Any".  Runs just
    before autodoc merges the recorded annotations into the description."""
    if domain != "py":
        return
    try:
        signature = contentnode.parent[0]
        fullname = signature["fullname"]
        if signature["module"]:
            fullname = signature["module"] + "." + fullname
    except (IndexError, KeyError, TypeError):
        return
    document = getattr(app.env, "current_document", None)
    annotations = getattr(document, "autodoc_annotations", None)
    if annotations is None:  # older Sphinx kept them in temp_data
        annotations = app.env.temp_data.get("annotations", {})
    recorded = annotations.get(fullname, {})
    for key in [k for k, v in recorded.items() if v.lstrip("~") in ("Any", "typing.Any") and k != "return"]:
        del recorded[key]


def _drop_private_bases(app, name, obj, options, bases):
    """The device classes mix in private helpers (the volume and pause of PlaybackDevice and
    DuplexStream): "Bases:" shows only the public ones."""
    bases[:] = [b for b in bases if not b.__name__.startswith("_")] or bases


def setup(app):
    app.connect("object-description-transform", _drop_any_annotations, priority=400)
    app.connect("autodoc-process-bases", _drop_private_bases)
