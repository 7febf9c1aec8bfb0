"""Build the instrumented extension for the fuzz targets, outside src/ (cached by a hash).

    python tests/fuzz/build.py            # prints the build directory

The extension is compiled by clang with -fsanitize=fuzzer-no-link,address,undefined through the
project's own setup.py (so the fetched sources, any patches and the -Werror rules are the same as
for the normal build), into build/fuzz/<key>/, where <key> hashes the C sources, setup.py, build_support/, this
script and the compiler.  A second call with the same key only refreshes the Python files.

The directory then holds:
    miniaudio/              a copy of src/miniaudio/*.py beside the instrumented _miniaudio*.so
                            (put the directory first on PYTHONPATH)
    asan_with_fuzzer.so     clang's ASan runtime (which includes UBSan's handlers) merged with its
                            libFuzzer, for LD_PRELOAD: the atheris wheel ships its own libFuzzer
                            but not this file (only a from-source install generates it), and
                            preloading the plain ASan runtime would send the coverage callbacks to
                            its weak stubs instead of libFuzzer (atheris' native_extension_fuzzing
                            notes).  atheris then reports "Using preloaded libfuzzer".
"""

import glob
import hashlib
import os
import shutil
import subprocess
import sys
import sysconfig

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
PKG_SRC = os.path.join(ROOT, "src", "miniaudio")
C_DIR = os.path.join(ROOT, "miniaudio_c")
BUILD_ROOT = os.path.join(ROOT, "build", "fuzz")

# MINIAUDIO_FUZZ_SANITIZERS=undefined (say) builds without ASan for long runs of the stateful
# targets, whose invariants (wrong output) need no ASan and which run about twice as fast without
# it; CI and the default build always have both.
SANITIZERS = os.environ.get("MINIAUDIO_FUZZ_SANITIZERS", "address,undefined").strip(", ")
SANITIZE = "-fsanitize=" + ",".join(["fuzzer-no-link"] + ([SANITIZERS] if SANITIZERS else []))
# -O1 keeps the ASan build of the single big miniaudio translation unit reasonably quick.  The
# Python build flags that change behaviour (-DNDEBUG -fwrapv) are given explicitly, so asserts and
# signed overflow/shifts behave as shipped whichever setuptools runs the build (newer ones replace
# the interpreter's CFLAGS with $CFLAGS instead of appending to them).
# UBSan includes float-cast-overflow: patches 0021 and 0022 make the float -> integer sample
# converters of miniaudio, dr_wav and dr_mp3 clip out-of-range values and map NaN to 0 instead of
# casting them (RELIABILITY.md); the SIMD paths use intrinsics, defined for NaN.
CFLAGS = ["-DNDEBUG", "-fwrapv", SANITIZE, "-O1", "-g", "-fno-omit-frame-pointer"]
CLANG_NAMES = ["clang", "clang-19", "clang-18", "clang-17", "clang-16", "clang-15", "clang-14"]


class FuzzBuildError(RuntimeError):
    pass


def find_clang():
    """The clang executable to use ($CLANG, else the first clang found), or None."""
    wanted = os.environ.get("CLANG")
    for name in ([wanted] if wanted else CLANG_NAMES):
        path = shutil.which(name)
        if path:
            return path
    return None


def _runtime(clang, name):
    """Path of a compiler-rt archive (libclang_rt.<name>-x86_64.a), or None when not installed."""
    arch = os.uname().machine
    out = subprocess.run([clang, f"-print-file-name=libclang_rt.{name}-{arch}.a"], capture_output=True,
                         text=True).stdout.strip()
    return out if os.path.isabs(out) and os.path.isfile(out) else None


def missing_tools():
    """A reason the build cannot run here (no clang, no sanitizer runtimes), or None."""
    clang = find_clang()
    if clang is None:
        return "clang not found (Debian: apt install clang-14 libclang-rt-14-dev)"
    for name in ("asan", "fuzzer_no_main"):
        if _runtime(clang, name) is None:
            return f"clang's libclang_rt.{name} runtime is missing (Debian: apt install libclang-rt-14-dev)"
    return None


def _c_inputs():
    files = sorted(glob.glob(os.path.join(C_DIR, "*.c")) + glob.glob(os.path.join(C_DIR, "*.h")))
    files += sorted(glob.glob(os.path.join(C_DIR, "patches", "**", "*"), recursive=True))
    fetched = os.environ.get("MINIAUDIO_SRC_DIR") or os.path.join(C_DIR, "_fetched")
    files += [os.path.join(fetched, n) for n in ("miniaudio.h", "stb_vorbis.c")]
    files += [os.path.join(ROOT, "setup.py"), os.path.join(ROOT, "build_support", "miniaudio_build.py"),
              os.path.abspath(__file__)]
    return [f for f in files if os.path.isfile(f)]


def build_key(clang):
    digest = hashlib.sha256()
    version = subprocess.run([clang, "--version"], capture_output=True, text=True).stdout
    digest.update(version.encode())
    digest.update(sys.version.encode())
    digest.update(" ".join(CFLAGS).encode())
    for path in _c_inputs():
        digest.update(os.path.relpath(path, ROOT).encode())
        with open(path, "rb") as f:
            digest.update(hashlib.sha256(f.read()).digest())
    return digest.hexdigest()[:16]


def _merge_runtime(clang, out):
    """asan_with_fuzzer.so: the ASan archive (minus its .preinit_array object, not allowed in a
    shared object) and libFuzzer without main, linked whole into one shared library."""
    tmp = out + ".tmp"
    os.makedirs(tmp, exist_ok=True)
    asan = os.path.join(tmp, "asan.a")
    shutil.copyfile(_runtime(clang, "asan"), asan)
    subprocess.run(["ar", "d", asan, "asan_preinit.cpp.o", "asan_preinit.cc.o"], check=True)
    clangxx = clang.replace("clang", "clang++")
    if not shutil.which(clangxx):
        clangxx = clang
    subprocess.run([clangxx, "-shared", "-o", out + ".new", "-Wl,--whole-archive",
                    _runtime(clang, "fuzzer_no_main"), asan, "-Wl,--no-whole-archive",
                    "-lstdc++", "-lpthread", "-ldl", "-lrt", "-lm"], check=True)
    os.replace(out + ".new", out)
    shutil.rmtree(tmp, ignore_errors=True)


def _sync_python(pkg_dir):
    """Copy the package's Python files beside the instrumented module (every call: cheap, and the
    Python side changes without changing the key)."""
    for name in os.listdir(PKG_SRC):
        if name.endswith((".py", ".pyi")) or name == "py.typed":
            src = os.path.join(PKG_SRC, name)
            dst = os.path.join(pkg_dir, name)
            with open(src, "rb") as f:
                data = f.read()
            if not os.path.exists(dst) or open(dst, "rb").read() != data:
                with open(dst + ".new", "wb") as f:
                    f.write(data)
                os.replace(dst + ".new", dst)


def build(verbose=False):
    """Build (or reuse) the instrumented extension; returns its directory.

    MINIAUDIO_FUZZ_BUILD=<dir> pins an existing build (long runs keep theirs while the sources
    change under them)."""
    pinned = os.environ.get("MINIAUDIO_FUZZ_BUILD")
    if pinned:
        if not os.path.exists(os.path.join(pinned, "BUILT")):
            raise FuzzBuildError(f"MINIAUDIO_FUZZ_BUILD={pinned} is not a finished fuzz build")
        _sync_python(os.path.join(pinned, "miniaudio"))
        return os.path.abspath(pinned)
    reason = missing_tools()
    if reason:
        raise FuzzBuildError(reason)
    clang = find_clang()
    out_dir = os.path.join(BUILD_ROOT, build_key(clang))
    pkg_dir = os.path.join(out_dir, "miniaudio")
    done = os.path.join(out_dir, "BUILT")
    if not os.path.exists(done):
        tmp = os.path.join(out_dir, "tmp")
        env = dict(os.environ)
        env.update(CC=clang, LDSHARED=f"{clang} -shared", CFLAGS=" ".join(CFLAGS),
                   LDFLAGS=SANITIZE)
        cmd = [sys.executable, "setup.py", "-q", "build_ext", "--build-lib", out_dir, "--build-temp", tmp,
               "--force"]
        proc = subprocess.run(cmd, cwd=ROOT, env=env, stdout=None if verbose else subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True)
        if proc.returncode != 0:
            raise FuzzBuildError("instrumented build failed:\n" + (proc.stdout or "")[-4000:])
        so = glob.glob(os.path.join(pkg_dir, "_miniaudio*" + sysconfig.get_config_var("EXT_SUFFIX")))
        if not so:
            raise FuzzBuildError(f"no instrumented module in {pkg_dir}")
        nm = subprocess.run(["nm", "-D", "--undefined-only", so[0]], capture_output=True, text=True).stdout
        if ("address" in SANITIZERS and "__asan_" not in nm) or "__sanitizer_cov" not in nm:
            raise FuzzBuildError(f"{so[0]} has no ASan/coverage instrumentation")
        _merge_runtime(clang, os.path.join(out_dir, "asan_with_fuzzer.so"))
        with open(done, "w") as f:
            f.write(clang + "\n")
    _sync_python(pkg_dir)
    return out_dir


if __name__ == "__main__":
    try:
        print(build(verbose="-v" in sys.argv))
    except FuzzBuildError as e:
        sys.exit(f"error: {e}")
