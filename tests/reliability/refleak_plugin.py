"""A pytest plugin for the debug interpreter (python3.11-dbg): runs every test several times in a row
in one process and records sys.gettotalrefcount() and sys.getallocatedblocks() after each round
(after gc.collect()), like CPython's `regrtest -R`.  Loaded by refleaks.py with `-p refleak_plugin`.

Rounds per test: REFLEAK_WARMUP unmeasured (caches fill, lazy imports happen; default 2), then
REFLEAK_MEASURE measured ones (default 3); the first round is the one reported to pytest (its pass/fail
is the test's), the others run silently, and a failure in them fails the session.  A test "leaks" when every
measured round grew the total reference count (or every round grew the allocated blocks), as regrtest
decides.  Results go to the JSON file named by REFLEAK_OUT.
"""

import array
import gc
import json
import os
import pathlib
import shutil
import sys
import tempfile

import pytest
from _pytest.runner import runtestprotocol

WARMUP = int(os.environ.get("REFLEAK_WARMUP", "2"))
MEASURE = int(os.environ.get("REFLEAK_MEASURE", "3"))
_results = {}
_failures = []


@pytest.fixture
def tmp_path():
    """pytest's own tmp_path keeps every directory it made (about 30 references per test run):
    under this plugin, a fresh directory that is removed after the test, keeping nothing."""
    path = tempfile.mkdtemp(prefix="refleak-")
    try:
        yield pathlib.Path(path)
    finally:
        shutil.rmtree(path, ignore_errors=True)


def _snapshot(store, i):
    """Records the counts in store[2i], store[2i + 1]: a preallocated array, so that recording them
    creates no object (a tuple of two ints would itself count as 3 references and 3 blocks)."""
    gc.collect()
    gc.collect()
    store[2 * i] = sys.gettotalrefcount()
    store[2 * i + 1] = sys.getallocatedblocks()


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_protocol(item, nextitem):
    if not hasattr(sys, "gettotalrefcount"):
        return None  # not a debug interpreter: plain run
    item.ihook.pytest_runtest_logstart(nodeid=item.nodeid, location=item.location)
    # Round 0: reported; fixtures up to the test's parent stay set up (teardown towards item.parent).
    reports = runtestprotocol(item, log=True, nextitem=item.parent)
    ok = all(r.passed or r.skipped for r in reports)
    skipped = any(r.skipped for r in reports)
    rounds = 0 if (skipped or not ok) else WARMUP - 1 + MEASURE
    store = array.array("q", bytes(8 * 2 * (MEASURE + 1)))
    taken = 0
    if rounds and WARMUP == 1:
        _snapshot(store, taken)
        taken += 1
    sections = len(item._report_sections)
    for i in range(rounds):
        # Every round tears down only the test's own (function-scoped) fixtures: the module's and
        # session's stay, so that no round is charged with their teardown.
        reps = runtestprotocol(item, log=False, nextitem=item.parent)
        del item._report_sections[sections:]  # captured output of the silent round: not kept
        bad = [r for r in reps if r.failed]
        if bad:
            _failures.append("%s: round %d: %s" % (item.nodeid, i + 2, bad[0].longreprtext[-2000:]))
            taken = 0
            break
        if i >= WARMUP - 2:
            _snapshot(store, taken)
            taken += 1
    # then the teardown towards the real next item (module/session fixtures as pytest would)
    item.session._setupstate.teardown_exact(nextitem)
    if taken >= 2:
        refs = [store[2 * k + 2] - store[2 * k] for k in range(taken - 1)]
        blocks = [store[2 * k + 3] - store[2 * k + 1] for k in range(taken - 1)]
        _results[item.nodeid] = {"refs": refs, "blocks": blocks}
    item.ihook.pytest_runtest_logfinish(nodeid=item.nodeid, location=item.location)
    return True


def _leaks(deltas):
    return len(deltas) > 0 and all(d >= 1 for d in deltas)


def pytest_terminal_summary(terminalreporter):
    if not hasattr(sys, "gettotalrefcount"):
        return
    tr = terminalreporter
    leaky = {k: v for k, v in _results.items() if _leaks(v["refs"])}
    blocks_only = {k: v for k, v in _results.items() if k not in leaky and _leaks(v["blocks"])}
    tr.section("refleaks (%d warm-up + %d measured rounds per test)" % (WARMUP, MEASURE))
    n = MEASURE
    refs = [sum(v["refs"][i] for v in _results.values()) for i in range(n)]
    blocks = [sum(v["blocks"][i] for v in _results.values()) for i in range(n)]
    tr.write_line("tests measured: %d; growth per round summed over them: refs %s, blocks %s"
                  % (len(_results), refs, blocks))
    for nodeid, v in sorted(leaky.items()):
        tr.write_line("LEAK %s: refs %s blocks %s" % (nodeid, v["refs"], v["blocks"]))
    for nodeid, v in sorted(blocks_only.items()):
        tr.write_line("blocks only %s: refs %s blocks %s" % (nodeid, v["refs"], v["blocks"]))
    for f in _failures:
        tr.write_line("FAILED IN A REPEATED ROUND: " + f)
    out = os.environ.get("REFLEAK_OUT")
    if out:
        with open(out, "w") as f:
            json.dump({"warmup": WARMUP, "measure": MEASURE, "results": _results, "leaky": sorted(leaky),
                       "blocks_only": sorted(blocks_only), "failures": _failures}, f, indent=1)


def pytest_sessionfinish(session):
    if _failures or any(_leaks(v["refs"]) for v in _results.values()):
        session.exitstatus = 1
