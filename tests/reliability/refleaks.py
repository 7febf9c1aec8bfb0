"""Reference-leak check on the debug interpreter: builds the extension for python3.11-dbg
(build_dbg.sh: build/dbg, build/dbg-venv), then runs each test file in its own process with
refleak_plugin.py, which repeats every test (2 warm-up + 3 measured rounds by default) and records
sys.gettotalrefcount() / sys.getallocatedblocks() after each round.  Prints one line per file:

    file  tests-measured  refs-per-round  blocks-per-round  leaky-tests  failures  seconds

    python tests/reliability/refleaks.py [--no-build] [--out DIR] [test files...]   (default: all)

Exit status 1 if a test leaks references (every measured round grew) or fails in a repeated round.
Details per test: build/refleaks/<file>.json and .log.
The leak loops of test_leaks.py run MINIAUDIO_LEAKS_COUNT=50 times per round here (the refcount
check needs repetition, not volume).
"""

import argparse
import glob
import json
import os
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--no-build", action="store_true", help="use the existing build/dbg")
    ap.add_argument("--out", default=os.path.join(ROOT, "build", "refleaks"))
    ap.add_argument("files", nargs="*")
    args = ap.parse_args()
    if not args.no_build:
        subprocess.run([os.path.join(HERE, "build_dbg.sh")], check=True)
    files = args.files or sorted(glob.glob(os.path.join(ROOT, "tests", "test_*.py")))
    os.makedirs(args.out, exist_ok=True)
    python = os.path.join(ROOT, "build", "dbg-venv", "bin", "python")
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([os.path.join(ROOT, "build", "dbg"), HERE])
    env.setdefault("MINIAUDIO_LEAKS_COUNT", "50")
    env.setdefault("OPENBLAS_NUM_THREADS", "1")
    status = 0
    print("%-28s %5s %-20s %-22s %s" % ("file", "tests", "refs/round", "blocks/round",
                                        "leaking tests, blocks-only tests, failures, time"))
    for path in files:
        name = os.path.basename(path)
        env["REFLEAK_OUT"] = os.path.join(args.out, name + ".json")
        if os.path.exists(env["REFLEAK_OUT"]):
            os.remove(env["REFLEAK_OUT"])
        t0 = time.monotonic()
        with open(os.path.join(args.out, name + ".log"), "w") as log:
            proc = subprocess.run([python, "-m", "pytest", "-p", "refleak_plugin", "-p", "no:cacheprovider", "-q",
                                   path], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        took = time.monotonic() - t0
        try:
            with open(env["REFLEAK_OUT"]) as f:
                res = json.load(f)
        except (OSError, ValueError):
            print("%-28s pytest exit status %d, no results (see %s.log)" % (name, proc.returncode,
                                                                            os.path.join(args.out, name)))
            status = 1
            continue
        results = res["results"].values()
        refs = [sum(v["refs"][i] for v in results) for i in range(res["measure"])] if results else []
        blocks = [sum(v["blocks"][i] for v in results) for i in range(res["measure"])] if results else []
        print("%-28s %5d %-20s %-22s %s, %d, %d, %.0f s%s" % (
            name, len(res["results"]), refs, blocks, res["leaky"] or 0, len(res["blocks_only"]),
            len(res["failures"]), took,
            "" if proc.returncode == 0 else "  (pytest exit status %d)" % proc.returncode), flush=True)
        if res["leaky"] or res["failures"] or proc.returncode != 0:
            status = 1
    return status


if __name__ == "__main__":
    sys.exit(main())
