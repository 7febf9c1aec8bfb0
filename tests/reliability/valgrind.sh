#!/usr/bin/env bash
# Runs a subset of the test suite under valgrind memcheck and summarises the leaks and memory errors,
# split into those whose stack passes through our extension module (_miniaudio*.so: our C and the
# embedded miniaudio/stb_vorbis) and those elsewhere (CPython, numpy, libc, the audio libraries).
#
#   tests/reliability/valgrind.sh [OUTDIR] [pytest args...]
#
# Default pytest args: the decode/convert/stream/leaks/device/lifecycle (NULL backend) test files.
# The leak loops run a reduced count under valgrind (MINIAUDIO_LEAKS_COUNT, default 20 here).
# Output: OUTDIR/memcheck.PID.xml (parsed; one per process), OUTDIR/memcheck.PID.log,
# OUTDIR/pytest.log and OUTDIR/summary.txt (printed at the end).  VALGRIND_EXTRA adds valgrind
# options, e.g. VALGRIND_EXTRA=--track-origins=yes to see where uninitialised values come from.
# Exit status: 1 if anything is "definitely lost" in our module or a memory error involves it.
set -uo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
OUT="${1:-/tmp/miniaudio-valgrind-$(date +%Y%m%d-%H%M%S)}"
shift || true
if [ $# -eq 0 ]; then
    set -- tests/test_decode_convert.py tests/test_decode_lossless.py tests/test_decode_lossy.py \
        tests/test_convert.py tests/test_stream.py tests/test_stream_sources.py tests/test_leaks.py \
        tests/test_devices_api.py tests/test_devices_playback.py tests/test_devices_capture.py \
        tests/test_devices_generator_errors.py tests/test_devices_streams.py tests/test_devices_lifecycle.py \
        tests/test_devices_stats.py tests/test_devices_stress.py tests/test_lifecycle.py
fi
mkdir -p "$OUT"
# The real interpreter, not a wrapper script (pyenv shims are shell scripts).
PY="$(python -c 'import sys; print(sys.executable)')"
cd "$ROOT"
echo "valgrind run: $PY -m pytest $*  -> $OUT" | tee "$OUT/summary.txt"
start=$(date +%s)
# PYTHONMALLOC=malloc: every Python allocation goes through malloc, so valgrind sees it.
# OPENBLAS_NUM_THREADS=1: no numpy worker threads.  -p no:cacheprovider: no writes to .pytest_cache.
# --child-silent-after-fork: a child between fork and exec writes nothing into the parent's file.
# MINIAUDIO_UNDER_VALGRIND=1: test_leaks.py skips its RSS bound (valgrind's own memory is in the RSS).
PYTHONMALLOC=malloc OPENBLAS_NUM_THREADS=1 MINIAUDIO_LEAKS_COUNT="${MINIAUDIO_LEAKS_COUNT:-20}" MINIAUDIO_UNDER_VALGRIND=1 \
    valgrind --tool=memcheck --leak-check=full --show-leak-kinds=definite,indirect \
    --errors-for-leak-kinds=definite --num-callers=40 --track-origins=no --child-silent-after-fork=yes \
    --suppressions="$HERE/python.supp" ${VALGRIND_EXTRA:-} \
    --xml=yes --xml-file="$OUT/memcheck.%p.xml" --log-file="$OUT/memcheck.%p.log" \
    "$PY" -X faulthandler -m pytest -p no:cacheprovider -q -o faulthandler_timeout=3600 "$@" \
    >"$OUT/pytest.log" 2>&1
rc=$?
end=$(date +%s)
{
    echo "pytest exit status under valgrind: $rc; wall time $((end - start)) s"
    tail -n 3 "$OUT/pytest.log"
} | tee -a "$OUT/summary.txt"
python "$HERE/valgrind_summary.py" "$OUT"/memcheck.*.xml | tee -a "$OUT/summary.txt"
exit "${PIPESTATUS[0]}"
