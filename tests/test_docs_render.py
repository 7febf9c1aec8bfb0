"""The built HTML documentation as a reader sees it: every page, rendered in headless Chromium at
1280x900, scrolls sideways nowhere (no code block, table or page wider than its box), and no
page speaks of internal issue numbers or development jargon.

The HTML is built once for the module (into tmp_path, as in tests/test_docs.py); one Chromium
process renders every page, driven through the DevTools protocol over a pipe
(``--remote-debugging-pipe``: JSON messages ending in a NUL byte on file descriptors 3 and 4),
so no Python package beyond the standard library is needed.  Chromium is the Debian package
``chromium``; without it the tests skip, unless MINIAUDIO_REQUIRE_CHROMIUM=1 (as in CI), when
they fail.
"""

import glob
import html
import json
import os
import re
import select
import shutil
import subprocess
import sys
import time

import pytest

pytest.importorskip("sphinx")
pytest.importorskip("furo")  # the theme docs/conf.py names (in the [test] extra)
fcntl = pytest.importorskip("fcntl")  # POSIX pipes for the browser (select() on a pipe, too)

from test_docs import DOCS, sphinx  # noqa: E402  (tests/ is on sys.path, see conftest.py)

WIDTH, HEIGHT = 1280, 900
TIMEOUT = 60  # seconds for any one reply from the browser

# Every page: one per docs/*.rst, plus the ones Sphinx generates.
PAGES = sorted([os.path.splitext(os.path.basename(p))[0] for p in glob.glob(os.path.join(DOCS, "*.rst"))]
               + ["genindex", "py-modindex", "search"])

# Runs in the page once it has loaded and its fonts are ready; returns what overflows sideways:
# the page itself, every scroll or clip container (overflow-x other than "visible": furo's code
# blocks and table wrappers are "auto") and every <pre> and <table> whatever its overflow,
# wherever its content is wider than its box.  Elements that are not rendered are skipped.
MEASURE_JS = r"""
(async () => {
  if (document.readyState !== "complete") {
    await new Promise((resolve) => window.addEventListener("load", resolve, {once: true}));
  }
  await document.fonts.ready;
  await new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)));
  const describe = (el) => {
    let s = el.tagName.toLowerCase();
    if (el.id) s += "#" + el.id;
    if (typeof el.className === "string" && el.className.trim()) {
      s += "." + el.className.trim().split(/\s+/).join(".");
    }
    return s;
  };
  const found = [];
  const shown = [];  // error boxes: docutils' and the theme's (furo writes "ERROR: ..." in a ::before)
  const root = document.documentElement;
  if (root.scrollWidth > root.clientWidth) {
    found.push({element: "the page", scrollWidth: root.scrollWidth, clientWidth: root.clientWidth, text: ""});
  }
  for (const el of document.body.querySelectorAll("*")) {
    if (el.getClientRects().length === 0) continue;
    if (el.matches(".problematic, .system-message")) shown.push(describe(el) + ": " + el.textContent.trim());
    for (const pseudo of ["::before", "::after"]) {
      const content = getComputedStyle(el, pseudo).content;
      if (/ERROR/.test(content)) shown.push(describe(el) + pseudo + ": " + content);
    }
    const overflowX = getComputedStyle(el).overflowX;
    if (overflowX === "visible" && el.tagName !== "PRE" && el.tagName !== "TABLE") continue;
    if (el.scrollWidth > el.clientWidth) {
      found.push({element: describe(el) + " (overflow-x: " + overflowX + ")", scrollWidth: el.scrollWidth,
                  clientWidth: el.clientWidth, text: (el.textContent || "").trim().slice(0, 120)});
    }
  }
  return {href: location.href, innerWidth: window.innerWidth, innerHeight: window.innerHeight,
          title: document.title, pre: document.querySelectorAll("pre").length, overflowing: found,
          errors: shown};
})()
"""


def find_chromium():
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    return None


def _high_fd(fd):
    """fd moved to a number >= 10 (close-on-exec, as os.pipe() makes it)."""
    high = fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, 10)
    os.close(fd)
    return high


class Browser:
    """One headless Chromium, one tab, driven through the DevTools protocol over a pipe."""

    def __init__(self, executable, profile_dir, log_path):
        # The browser reads commands on fd 3 and writes replies on fd 4.  A small Python launcher
        # moves the pipe ends there and execs the browser (no preexec_fn: pytest's process may
        # run threads); the ends are first moved to fds >= 10, so that they are not 3 or 4.
        to_browser_r, self._to_browser = (_high_fd(fd) for fd in os.pipe())
        self._from_browser, from_browser_w = (_high_fd(fd) for fd in os.pipe())
        self._log = open(log_path, "wb")
        self.log_path = log_path
        cmd = [executable, "--headless", "--no-sandbox", "--disable-gpu", "--disable-extensions",
               "--no-first-run", "--no-default-browser-check", "--disable-dev-shm-usage",
               "--user-data-dir=" + str(profile_dir), "--window-size=%d,%d" % (WIDTH, HEIGHT),
               "--remote-debugging-pipe", "about:blank"]
        launcher = ("import os, sys; r, w = int(sys.argv[1]), int(sys.argv[2]); os.dup2(r, 3); os.dup2(w, 4); "
                    "os.close(r); os.close(w); os.execv(sys.argv[3], sys.argv[3:])")
        self._proc = subprocess.Popen([sys.executable, "-c", launcher, str(to_browser_r), str(from_browser_w)] + cmd,
                                      stdin=subprocess.DEVNULL, stdout=self._log, stderr=self._log,
                                      pass_fds=(to_browser_r, from_browser_w))
        os.close(to_browser_r)
        os.close(from_browser_w)
        self._next_id = 0
        self._pending = b""
        self._events = []
        target = self.call("Target.createTarget", {"url": "about:blank"})["targetId"]
        self._session = self.call("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        self.call("Page.enable", session=True)
        # The viewport of a new tab is the window less its (headless, invisible) browser frame:
        # make it exactly WIDTH x HEIGHT, as a desktop browser's (scroll bars included, no touch).
        self.call("Emulation.setDeviceMetricsOverride", {"width": WIDTH, "height": HEIGHT, "deviceScaleFactor": 1,
                                                         "mobile": False}, session=True)

    def _read_message(self, deadline):
        while b"\0" not in self._pending:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self._from_browser], [], [], left)[0]:
                raise TimeoutError("no reply from Chromium within %d s; its log:\n%s" % (TIMEOUT, self.log_tail()))
            chunk = os.read(self._from_browser, 1 << 16)
            if not chunk:
                raise RuntimeError("Chromium closed the pipe; its log:\n" + self.log_tail())
            self._pending += chunk
        message, self._pending = self._pending.split(b"\0", 1)
        return json.loads(message)

    def call(self, method, params=None, session=False):
        """Sends one command and returns its result; events that arrive meanwhile are kept."""
        self._next_id += 1
        message = {"id": self._next_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = self._session
        os.write(self._to_browser, json.dumps(message).encode() + b"\0")
        deadline = time.monotonic() + TIMEOUT
        while True:
            reply = self._read_message(deadline)
            if reply.get("id") == self._next_id:
                if "error" in reply:
                    raise RuntimeError("%s failed: %s" % (method, reply["error"]))
                return reply["result"]
            if "method" in reply:
                self._events.append(reply)

    def wait_event(self, method):
        deadline = time.monotonic() + TIMEOUT
        while True:
            for i, event in enumerate(self._events):
                if event["method"] == method and event.get("sessionId") == self._session:
                    del self._events[i]
                    return event
            self._events.append(self._read_message(deadline))

    def render(self, path):
        """Loads the file and returns MEASURE_JS's report (a dict)."""
        url = "file://" + os.path.abspath(path)
        self._events.clear()
        result = self.call("Page.navigate", {"url": url}, session=True)
        assert not result.get("errorText"), (url, result)
        self.wait_event("Page.loadEventFired")
        reply = self.call("Runtime.evaluate", {"expression": MEASURE_JS, "awaitPromise": True,
                                               "returnByValue": True}, session=True)
        assert "exceptionDetails" not in reply, reply["exceptionDetails"]
        report = reply["result"]["value"]
        assert report["href"] == url, (report["href"], url)  # measured the page asked for
        return report

    def log_tail(self):
        self._log.flush()
        with open(self.log_path, "rb") as f:
            return f.read()[-3000:].decode("utf-8", "replace")

    def close(self):
        try:
            self.call("Browser.close")
        except (OSError, RuntimeError, TimeoutError):
            pass
        try:
            self._proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._proc.kill()
            self._proc.wait()
        os.close(self._to_browser)
        os.close(self._from_browser)
        self._log.close()


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """The HTML build (once for the module): its output folder."""
    tmp = tmp_path_factory.mktemp("docs_render")
    proc = sphinx("html", tmp / "html", tmp / "doctrees")
    assert proc.returncode == 0, "sphinx-build -W failed:\n" + proc.stdout + proc.stderr
    return tmp / "html"


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    executable = find_chromium()
    if executable is None:
        reason = "Chromium is not installed (Debian package chromium)"
        if os.environ.get("MINIAUDIO_REQUIRE_CHROMIUM") == "1":
            pytest.fail("MINIAUDIO_REQUIRE_CHROMIUM=1 but " + reason, pytrace=False)
        pytest.skip(reason)
    tmp = tmp_path_factory.mktemp("chromium")
    b = Browser(executable, tmp / "profile", tmp / "chromium.log")
    yield b
    b.close()


@pytest.fixture(scope="module")
def reports(site, browser):
    """{page: report} for every page, rendered at 1280x900."""
    return {page: browser.render(site / (page + ".html")) for page in PAGES}


def _describe(overflowing):
    return "\n".join("  %s: content %d px in a box of %d px: %r" % (o["element"], o["scrollWidth"], o["clientWidth"],
                                                                    o["text"]) for o in overflowing)


@pytest.mark.parametrize("page", PAGES)
def test_page_shows_no_error_box(reports, page):
    """No docutils error and no theme warning is rendered (furo marks a ``contents`` directive
    it was not told to accept with a red "ERROR: ..." box)."""
    assert not reports[page]["errors"], "%s.html shows: %s" % (page, reports[page]["errors"])


@pytest.mark.parametrize("page", PAGES)
def test_page_does_not_scroll_sideways_at_1280_px(reports, page):
    report = reports[page]
    assert (report["innerWidth"], report["innerHeight"]) == (WIDTH, HEIGHT), report
    assert not report["overflowing"], "%s.html at %dx%d: wider than their box:\n%s" % (
        page, WIDTH, HEIGHT, _describe(report["overflowing"]))


def test_the_pages_with_examples_were_measured(reports):
    """The measurement saw the code blocks (a page rendered empty would pass vacuously)."""
    for page in ("getting-started", "devices", "devices-api", "decoding", "api"):
        assert reports[page]["pre"] >= 2, (page, reports[page])
    assert reports["index"]["pre"] >= 1, reports["index"]


def test_the_check_sees_a_wide_code_block_and_a_wide_table(site, browser):
    """The same measurement on a copy of the index page with a code block of 120 characters and
    a table with a 120-character cell added to its content: both are found (a check that never
    finds anything proves nothing)."""
    page = (site / "index.html").read_text(encoding="utf-8")
    wide = "x" * 120
    added = ('<div class="highlight-python notranslate"><div class="highlight"><pre id="wide-pre">%s</pre>'
             '</div></div><div class="table-wrapper docutils container"><table class="docutils align-default" id="wide-table">'
             '<tbody><tr><td><p>%s</p></td></tr></tbody></table></div>' % (wide, wide))
    start = re.search(r'<article[^>]*>|<div class="body"[^>]*>', page)  # furo's, or alabaster's, content
    assert start, "no content element in index.html"
    probe = site / "_wide_probe.html"
    probe.write_text(page[:start.end()] + added + page[start.end():], encoding="utf-8")
    try:
        report = browser.render(probe)
    finally:
        probe.unlink()
    found = " ".join(o["element"] for o in report["overflowing"])
    assert "pre#wide-pre" in found, report["overflowing"]
    assert "table-wrapper" in found, report["overflowing"]


# Developer wording that has no place in the user documentation.
INTERNAL = re.compile(r"\bissues?\s*#?\s*\d+|\bcontract\b|\bTODO\b|\bFIXME\b|\bXXX\b", re.IGNORECASE)


@pytest.mark.parametrize("page", PAGES)
def test_page_has_no_internal_wording(site, page):
    """No page (its title, the navigation, the text, the docstrings autodoc pulls in) names
    internal issue numbers or calls itself a contract."""
    text = (site / (page + ".html")).read_text(encoding="utf-8")
    text = re.sub(r"<script.*?</script>|<style.*?</style>", " ", text, flags=re.S)
    text = html.unescape(re.sub(r"<[^>]+>", " ", text))
    hits = sorted({m.group(0) for m in INTERNAL.finditer(text)})
    assert not hits, "%s.html says %s" % (page, hits)
