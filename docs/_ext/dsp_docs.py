"""Sphinx helpers for docs/dsp.rst: sound examples a reader can play, and the plots' fallback.

Sound examples.  A page's ``.. testcode:: sounds`` blocks are code a reader sees and the doctest
builder runs (the page's ``testsetup`` moves the doctest run into a temporary folder).  For an
HTML build this extension runs the same blocks once more, in order, in a temporary folder, and
copies every WAV file they wrote into the output's ``_sounds/`` folder; ``.. sound:: name.wav``
puts a player and a download link for one of them into the page.  A block that fails, or a
``sound`` that names a file no block wrote, fails the build.  Nothing is written into the source
tree.

Plots.  With matplotlib installed, its ``plot`` directive (matplotlib.sphinxext.plot_directive)
draws the figures of docs/figures/dsp_figures.py.  Without matplotlib, a ``plot`` directive that
says the plot was not drawn takes its place, so the documentation still builds (with -W).
"""

import glob
import os
import shutil
import tempfile

from docutils import nodes
from docutils.parsers.rst import Directive, directives
from sphinx.errors import ExtensionError

GROUP = "sounds"
SOUND_DIR = "_sounds"


def _html_player(filename, depth):
    src = "../" * depth + SOUND_DIR + "/" + filename
    return ('<div class="dsp-sound"><audio controls preload="none" src="%s"></audio> '
            '<a href="%s" download>%s</a></div>' % (src, src, filename))


class SoundDirective(Directive):
    """``.. sound:: lowpass.wav``: a player for a WAV file the page's sound examples write."""

    required_arguments = 1
    has_content = False

    def run(self):
        env = self.state.document.settings.env
        filename = self.arguments[0]
        if os.path.basename(filename) != filename or not filename.endswith(".wav"):
            raise self.error("sound: %r must be a plain name ending in .wav" % filename)
        env.dsp_sounds_wanted.setdefault(env.docname, set()).add(filename)
        depth = env.docname.count("/")
        return [nodes.raw("", _html_player(filename, depth), format="html")]


class PlotUnavailable(Directive):
    """Stands in for matplotlib's ``plot`` directive when matplotlib is not installed."""

    required_arguments = 0
    optional_arguments = 2
    final_argument_whitespace = False
    has_content = True
    option_spec = {"alt": directives.unchanged, "caption": directives.unchanged,
                   "include-source": directives.unchanged, "width": directives.unchanged,
                   "class": directives.unchanged, "align": directives.unchanged}

    def run(self):
        what = self.options.get("alt", "a plot")
        text = "(Here the documentation shows %s; this build had no matplotlib to draw it.)" % what
        return [nodes.paragraph("", "", nodes.emphasis(text, text))]


def _init_env(app, env=None, *args):
    env = env or app.env
    if not hasattr(env, "dsp_sounds_code"):
        env.dsp_sounds_code = {}
    if not hasattr(env, "dsp_sounds_wanted"):
        env.dsp_sounds_wanted = {}


def _purge(app, env, docname):
    _init_env(app, env)
    env.dsp_sounds_code.pop(docname, None)
    env.dsp_sounds_wanted.pop(docname, None)


def _merge(app, env, docnames, other):
    _init_env(app, env)
    for docname in docnames:
        if docname in getattr(other, "dsp_sounds_code", {}):
            env.dsp_sounds_code[docname] = other.dsp_sounds_code[docname]
        if docname in getattr(other, "dsp_sounds_wanted", {}):
            env.dsp_sounds_wanted[docname] = other.dsp_sounds_wanted[docname]


def _collect(app, doctree):
    """Keeps the code of the page's ``testcode:: sounds`` blocks, in page order."""
    blocks = [node.astext() for node in doctree.findall(nodes.literal_block)
              if node.get("testnodetype") == "testcode" and GROUP in node.get("groups", ())]
    if blocks:
        app.env.dsp_sounds_code[app.env.docname] = blocks


def _write_sounds(app, exception):
    if exception is not None or app.builder.format != "html":
        return
    outdir = os.path.join(app.outdir, SOUND_DIR)
    for docname, blocks in sorted(app.env.dsp_sounds_code.items()):
        wanted = app.env.dsp_sounds_wanted.get(docname, set())
        cwd = os.getcwd()
        with tempfile.TemporaryDirectory(prefix="dsp-sounds-") as tmp:
            os.chdir(tmp)
            try:
                namespace = {"__name__": "__sound_examples__"}
                for i, code in enumerate(blocks):
                    exec(compile(code, "<%s: sound example %d>" % (docname, i + 1), "exec"), namespace)
            except Exception as e:
                raise ExtensionError("%s: a sound example failed: %r" % (docname, e)) from e
            finally:
                os.chdir(cwd)
            written = {os.path.basename(p) for p in glob.glob(os.path.join(tmp, "*.wav"))}
            missing = wanted - written
            if missing:
                raise ExtensionError("%s: no sound example writes %s" % (docname, ", ".join(sorted(missing))))
            os.makedirs(outdir, exist_ok=True)
            for name in sorted(written):
                shutil.copyfile(os.path.join(tmp, name), os.path.join(outdir, name))


def setup(app):
    try:
        import matplotlib
    except ImportError:
        app.add_directive("plot", PlotUnavailable)
    else:
        matplotlib.use("Agg")
        app.setup_extension("matplotlib.sphinxext.plot_directive")
    app.add_directive("sound", SoundDirective)
    app.connect("builder-inited", _init_env)
    app.connect("env-purge-doc", _purge)
    app.connect("env-merge-info", _merge)
    app.connect("doctree-read", _collect)
    app.connect("build-finished", _write_sounds)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True,
            "env_version": 1}
