#!/usr/bin/env bash
# Builds the extension for Debian's debug interpreter (python3.11-dbg: Py_DEBUG, sys.gettotalrefcount)
# into build/dbg/ (never into src/miniaudio, which holds the in-place build of the normal interpreter)
# and assembles an importable package there: build/dbg/miniaudio = src/miniaudio's Python files +
# the debug build of _miniaudio.  Creates build/dbg-venv (pytest, numpy) on first use.
#   apt-get install python3.11-dbg libpython3.11-dbg python3.11-dev python3.11-venv
# Then: tests/reliability/refleaks.sh [test files...]
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$ROOT"
PYDBG="${PYDBG:-python3.11-dbg}"
VENV="$ROOT/build/dbg-venv"
if [ ! -x "$VENV/bin/python" ]; then
    "$PYDBG" -m venv "$VENV"
    # numpy from source, for the debug ABI: a release-built numpy wheel loads into the debug
    # interpreter but its Py_INCREF/Py_DECREF skip the debug total, so sys.gettotalrefcount()
    # drifts by a few references per numpy call (a.sum(): +4) and every numpy test looks leaky.
    # (A build of 10-30 minutes.)
    "$VENV/bin/python" -m pip install -q pytest
    "$VENV/bin/python" -m pip install -q --no-binary numpy numpy
fi
# The fetched miniaudio sources of the normal build (setup.py fetches them if missing).
SRC_DIR="${MINIAUDIO_SRC_DIR:-$ROOT/miniaudio_c/_fetched}"
[ -f "$SRC_DIR/miniaudio.h" ] || python setup.py -q build_ext --inplace
MINIAUDIO_SRC_DIR="$SRC_DIR" "$PYDBG" setup.py -q build_ext --build-lib build/dbg-lib --build-temp build/dbg-temp
rm -rf build/dbg/miniaudio
mkdir -p build/dbg/miniaudio
cp src/miniaudio/*.py src/miniaudio/*.pyi src/miniaudio/py.typed build/dbg/miniaudio/
cp build/dbg-lib/miniaudio/_miniaudio*.so build/dbg/miniaudio/
PYTHONPATH="$ROOT/build/dbg" "$VENV/bin/python" -c \
    'import sys, miniaudio, miniaudio._miniaudio as m; assert hasattr(sys, "gettotalrefcount"); print("debug build:", m.__file__)'
