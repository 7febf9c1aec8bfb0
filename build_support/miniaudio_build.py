"""How the miniaudio C extension is built: the fetched third-party sources, our patches to them, and
the compiler and linker settings.  setup.py imports this module (from its own folder, which it puts
on sys.path); the tests import it directly.  It needs nothing beyond the standard library.

The miniaudio C library (miniaudio.h 0.11.25) and stb_vorbis.c are third-party code and are never
committed to this repository.  The build obtains them from the source distribution of the
established Python package ``miniaudio==1.71`` (fetched with pip by package name), checks the
archive's sha256, and extracts just those two files into ``miniaudio_c/_fetched/`` (git-ignored).

Offline builds: set ``MINIAUDIO_SRC_DIR`` to a folder holding ``miniaudio.h`` and ``stb_vorbis.c``
(they are checked against the known hashes).  Our own sdist ships the extracted files, so installing
from it needs no network.

Compiler flags: GCC and Clang build our C with ``-Wall -Wextra``, plus ``-Werror`` in a git checkout
(where CI builds) but not from an sdist, so that a newer compiler's new warning cannot stop a user's
install; ``MINIAUDIO_WERROR=1`` / ``0`` forces it on or off.  The file that compiles the fetched
implementation (``VENDOR_TU``) gets none of these, and instead ``-fno-trapping-math``
(see ``vendor_flags``).  MSVC gets its defaults.

Known bugs in those files are fixed by our own patches, ``miniaudio_c/patches/*.patch`` (unified
diffs, applied in name order by the pure-Python code below to copies in the build folder, so the
checked originals stay untouched).  A patch that does not apply stops the build.
"""

import hashlib
import os
import re
import subprocess
import sys
import tarfile
import tempfile

# The repository (or unpacked sdist) root: this file is <root>/build_support/miniaudio_build.py.
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
C_DIR = os.path.join("miniaudio_c")
FETCH_DIR = os.path.join(C_DIR, "_fetched")
PATCH_DIR = os.path.join(C_DIR, "patches")
ENV_VAR = "MINIAUDIO_SRC_DIR"

SDIST_REQUIREMENT = "miniaudio==1.71"
SDIST_SHA256 = "ff51e2887bb673e2e757752b586b3dc924d59aa5fbcae9bbc45f4a111bd3262b"
# The two files inside that sdist, by their sha256 (checked for MINIAUDIO_SRC_DIR too).
FILES = {
    "miniaudio.h": "ac7af4de748b7e26b777f37e01cee313a308a7296a3eb080e2906b320cc55c89",
    "stb_vorbis.c": "4c7cb2ff1f7011e9d67950446b7eb9ca044f2e464d76bfbb0b84dd2e23e65636",
}
# The C file that compiles the fetched implementation; it is built without -Werror.
VENDOR_TU = "ma_impl.c"


class SourcesError(SystemExit):
    """A one-line, actionable build error."""

    def __init__(self, message: str) -> None:
        super().__init__("error: " + message)


def _sha256(path: str) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _check_folder(folder: str, origin: str) -> bool:
    """True when folder holds both files with the right hashes; raises on a wrong file."""
    present = [name for name in FILES if os.path.isfile(os.path.join(folder, name))]
    if not present:
        return False
    for name, expected in FILES.items():
        path = os.path.join(folder, name)
        if not os.path.isfile(path):
            raise SourcesError(f"{origin}: {path} is missing; put miniaudio.h and stb_vorbis.c from "
                               f"the {SDIST_REQUIREMENT} sdist there (or unset {ENV_VAR} to fetch them)")
        if _sha256(path) != expected:
            remedy = (f"replace it with the file from that sdist, or unset {ENV_VAR} to fetch it"
                      if origin == ENV_VAR else "delete it to fetch it again")
            raise SourcesError(f"{origin}: {path} is not the file from the {SDIST_REQUIREMENT} sdist "
                               f"(sha256 mismatch); {remedy}")
    return True


def _fetch_into(folder: str) -> None:
    """Download the miniaudio==1.71 sdist with pip, check its hash, extract the two files."""
    with tempfile.TemporaryDirectory() as tmp:
        cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "--no-binary", ":all:",
               "--disable-pip-version-check", "-q", "-d", tmp, SDIST_REQUIREMENT]
        print("fetching miniaudio C sources:", " ".join(cmd[2:]), flush=True)
        proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        archives = [f for f in os.listdir(tmp) if f.endswith((".tar.gz", ".zip"))]
        if proc.returncode != 0 or not archives:
            sys.stderr.write(proc.stdout[-2000:])
            raise SourcesError(f"could not download the {SDIST_REQUIREMENT} sdist with pip (no network?); "
                               f"set {ENV_VAR} to a folder holding miniaudio.h and stb_vorbis.c")
        archive = os.path.join(tmp, archives[0])
        if _sha256(archive) != SDIST_SHA256:
            raise SourcesError(f"the downloaded {archives[0]} does not have the expected sha256 "
                               f"{SDIST_SHA256}; refusing to build from it")
        os.makedirs(folder, exist_ok=True)
        with tarfile.open(archive) as tar:
            for name in FILES:
                member = tar.getmember(f"miniaudio-1.71/miniaudio/{name}")
                source = tar.extractfile(member)
                with open(os.path.join(folder, name), "wb") as out:
                    out.write(source.read())
    _check_folder(folder, "fetched sources")


def miniaudio_source_dir() -> str:
    """The folder holding miniaudio.h and stb_vorbis.c, fetching them if needed."""
    override = os.environ.get(ENV_VAR)
    if override:
        if not _check_folder(override, ENV_VAR):
            raise SourcesError(f"{ENV_VAR}={override} holds neither miniaudio.h nor stb_vorbis.c")
        return override
    folder = os.path.join(ROOT, FETCH_DIR)
    if not _check_folder(folder, FETCH_DIR):
        _fetch_into(folder)
    return folder


class PatchError(Exception):
    """A patch that is malformed or does not apply."""


_HUNK_RE = re.compile(r"^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@")


def _lines(text: str) -> list:
    """text split after each \\n only (str.splitlines also splits at form feeds and the like)."""
    return re.findall(r"[^\n]*\n|[^\n]+$", text)


def _parse_patch(text: str, name: str):
    """The file sections of a unified diff: [(target basename, [(old_start, old_lines, new_lines)])].

    Free text before the first ``---`` line (the patch's header comment) is ignored, as by patch(1)."""
    lines = _lines(text)
    sections = []
    i = 0
    while i < len(lines):
        if not (lines[i].startswith("--- ") and i + 1 < len(lines) and lines[i + 1].startswith("+++ ")):
            if sections and lines[i].startswith("@@"):
                raise PatchError(f"{name}: line {i + 1}: hunk outside a file section")
            i += 1
            continue
        target = lines[i + 1][4:].split("\t")[0].strip()
        hunks = []
        sections.append((os.path.basename(target), hunks))
        i += 2
        while i < len(lines) and lines[i].startswith("@@"):
            m = _HUNK_RE.match(lines[i])
            if not m:
                raise PatchError(f"{name}: line {i + 1}: malformed hunk header {lines[i].strip()!r}")
            old_count = int(m.group(2)) if m.group(2) is not None else 1
            new_count = int(m.group(4)) if m.group(4) is not None else 1
            old, new = [], []
            i += 1
            while len(old) < old_count or len(new) < new_count:
                if i >= len(lines):
                    raise PatchError(f"{name}: hunk at line {m.group(0)} ends early")
                line = lines[i]
                tag, body = line[:1], line[1:]
                if line.startswith("\\"):
                    # "\ No newline at end of file": the previous line has no newline.
                    for seq in (old, new):
                        if seq and seq[-1].endswith("\n"):
                            seq[-1] = seq[-1][:-1]
                elif tag == " " or line in ("\n", "\r\n"):
                    old.append(body if tag == " " else line)
                    new.append(body if tag == " " else line)
                elif tag == "-":
                    old.append(body)
                elif tag == "+":
                    new.append(body)
                else:
                    raise PatchError(f"{name}: line {i + 1}: unexpected {line.rstrip()!r} in a hunk")
                i += 1
            if len(old) != old_count or len(new) != new_count:
                raise PatchError(f"{name}: hunk {m.group(0)} line counts do not match its header")
            hunks.append((int(m.group(1)), old, new))
    if not sections:
        raise PatchError(f"{name}: no file section (--- / +++ lines) found")
    return sections


def apply_patch(files: dict, patch_text: str, name: str) -> None:
    """Applies a unified diff to `files` (basename -> text), in place.

    Each hunk's removed and context lines must match the file exactly; they are looked for at the
    line the hunk names (shifted by the hunks applied before it) and, failing that, at the nearest
    place where they all match, since an earlier patch may have moved the lines.  Raises PatchError
    when a hunk matches nowhere."""
    for target, hunks in _parse_patch(patch_text, name):
        if target not in files:
            raise PatchError(f"{name}: patches {target}, which is not one of {sorted(files)}")
        lines = _lines(files[target])
        offset = 0
        for number, (start, old, new) in enumerate(hunks, 1):
            want = max(start - 1 + offset, 0) if old else start + offset
            found = None
            for distance in range(len(lines) + 1):
                for at in (want - distance, want + distance) if distance else (want,):
                    if 0 <= at <= len(lines) - len(old) and lines[at:at + len(old)] == old:
                        found = at
                        break
                if found is not None:
                    break
            if found is None:
                raise PatchError(f"{name}: hunk {number} (@@ -{start}) does not apply to {target}: "
                                 f"its context is not in the file")
            lines[found:found + len(old)] = new
            offset = found - (start - 1) + len(new) - len(old)
        files[target] = "".join(lines)


def patch_files() -> list:
    """Our patches, in the order they are applied."""
    folder = os.path.join(ROOT, PATCH_DIR)
    if not os.path.isdir(folder):
        return []
    return sorted(os.path.join(folder, f) for f in os.listdir(folder) if f.endswith(".patch"))


def patched_source_dir(src_dir: str, build_dir: str) -> str:
    """A folder in build_dir holding miniaudio.h and stb_vorbis.c from src_dir with our patches applied.

    Files are rewritten only when their patched text changes, so an unchanged build stays up to date."""
    files = {}
    for name in FILES:
        with open(os.path.join(src_dir, name), encoding="latin-1", newline="") as f:
            files[name] = f.read()
    for path in patch_files():
        with open(path, encoding="latin-1", newline="") as f:
            text = f.read()
        try:
            apply_patch(files, text, os.path.relpath(path, ROOT))
        except PatchError as e:
            raise SourcesError(f"{e}; the patch must be updated for these sources") from None
    out_dir = os.path.join(build_dir, "miniaudio_patched")
    os.makedirs(out_dir, exist_ok=True)
    for name, text in files.items():
        out = os.path.join(out_dir, name)
        if os.path.isfile(out):
            with open(out, encoding="latin-1", newline="") as f:
                if f.read() == text:
                    continue
        with open(out, "w", encoding="latin-1", newline="") as f:
            f.write(text)
    return out_dir


# Only the parts of miniaudio we use: decoding (WAV, FLAC, MP3 built in; Vorbis via stb_vorbis),
# the data converter and resampler, waveform/pulse/noise generation (Waveform, PulseWave, Noise),
# the filters and effects (Processor), device I/O with its default backends (loaded at run time
# with dlopen, so the build needs no audio library headers), and the node graph with the
# high-level engine (ma_engine, ma_sound), which Mixer runs without a device of its own: its
# sounds are made from our streams (ma_sound_init_from_data_source) and a device of ours pulls
# the mix.  Left out: the encoder (WAV writing uses dr_wav's writer, which stays) and the
# resource manager (it loads files on threads of its own; our streams already decode).
MA_DEFINES = [
    ("MA_NO_ENCODING", "1"),
    ("MA_NO_RESOURCE_MANAGER", "1"),
]

OUR_WARNINGS = ["-Wall", "-Wextra"]
WERROR_VAR = "MINIAUDIO_WERROR"


def warnings_are_errors() -> bool:
    """-Werror for our C: in a git checkout (developers, CI), not in an sdist build (users), unless
    MINIAUDIO_WERROR says otherwise."""
    setting = os.environ.get(WERROR_VAR, "").strip().lower()
    if setting in ("1", "yes", "true", "on"):
        return True
    if setting in ("0", "no", "false", "off"):
        return False
    return os.path.exists(os.path.join(ROOT, ".git"))


def platform_libraries(platform: str = sys.platform) -> list:
    """What miniaudio needs at link time (its "Building" section).  It loads every audio backend
    (ALSA, PulseAudio, JACK; Core Audio; WASAPI, DirectSound, WinMM) at run time, so no audio
    library or framework is linked: Linux needs libdl, libpthread and libm; macOS and the BSDs
    libpthread and libm (on macOS both are part of libSystem); Windows nothing."""
    if platform == "win32":
        return []
    if platform.startswith("linux"):
        return ["m", "pthread", "dl"]
    return ["m", "pthread"]


def c_sources() -> list:
    """Every C file of the extension (relative paths, as setup() wants them), the vendor file included."""
    return sorted(os.path.join(C_DIR, f) for f in os.listdir(os.path.join(ROOT, C_DIR)) if f.endswith(".c"))


def compiler_flags(compiler_type: str) -> tuple:
    """(flags for every C file, extra flags for our own C files) for a distutils compiler type.

    GCC or Clang (setuptools' "unix" compiler is also Apple's clang on macOS): symbols hidden
    unless exported, and our warnings (-Werror as warnings_are_errors() says).  MSVC ("msvc"): its
    default warning level; symbols are hidden unless exported anyway."""
    if compiler_type in ("unix", "mingw32", "cygwin"):
        return ["-fvisibility=hidden"], OUR_WARNINGS + (["-Werror"] if warnings_are_errors() else [])
    return [], []


def vendor_flags(compiler_type: str) -> list:
    """Extra flags for the file that compiles the fetched decoders (VENDOR_TU) only.

    ``-fno-trapping-math`` (GCC; Clang's default): floating-point operations are assumed not to
    trap, which they never do in a Python process (no one unmasks the FPU's exceptions).  GCC can
    then turn stb_vorbis's branchy float code (inverse coupling, floors) into branch-free and
    vector code: Ogg Vorbis decodes about 15 % faster.  Unlike ``-ffast-math`` (which miniaudio
    1.71 was built with) it changes no result: every format's output, s16 and f32, is bit for bit
    the same as without it."""
    if compiler_type in ("unix", "mingw32", "cygwin"):
        return ["-fno-trapping-math"]
    return []
