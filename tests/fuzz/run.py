"""Run a fuzz target under the instrumented build, with the sanitizers set up.

    python tests/fuzz/run.py TARGET [libFuzzer options] [corpus dirs or files]
    python tests/fuzz/run.py --list
    python tests/fuzz/run.py --cpu-time TARGET files or dirs   (CPU time per input, slowest first)

Builds (or reuses) build/fuzz/<key>/ (tests/fuzz/build.py), seeds build/fuzz/corpus/TARGET/ from
samples/ when no directory or file is given, and runs tests/fuzz/targets.py TARGET with:
    LD_PRELOAD=<build>/asan_with_fuzzer.so, PYTHONPATH=<build> (first)
    ASAN_OPTIONS=detect_leaks=0:allocator_may_return_null=1 (Python leaks at exit; an allocation
        that cannot be met must become MemoryError, while libFuzzer's -malloc_limit_mb, equal to
        -rss_limit_mb, still reports a single oversized allocation as a crash)
    UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
and these libFuzzer defaults unless given: -timeout=2 -rss_limit_mb=2048
-artifact_prefix=build/fuzz/artifacts/TARGET- -print_final_stats=1, and -max_len=4096
(6144 for auto, decode_file, seek and agree, 8192 for vorbis: an Ogg setup header is 3-4 KB);
-malloc_limit_mb=512 for seek, source and agree (their outputs are bounded, so a bigger single
allocation from a small input is a finding).  MINIAUDIO_FUZZ_STRICT=0 (passed through) turns off
the invariants that the probe's fixes made hold (stateful.py, OPEN), for an older tree.

Given files (not directories), libFuzzer runs each once without fuzzing: that is how the
regression inputs are replayed.  Example long run:
    python tests/fuzz/run.py auto -runs=1000000 -jobs=1
"""

import importlib.util
import os
import struct
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))


def _load(name, filename):
    """Load a sibling file under a name of its own (a plain `import build` could find PyPA's build)."""
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, os.path.join(HERE, filename))
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


fuzz_build = _load("miniaudio_fuzz_build", "build.py")

SAMPLES = os.path.join(ROOT, "samples")
CORPUS_ROOT = os.path.join(ROOT, "build", "fuzz", "corpus")
ARTIFACTS = os.path.join(ROOT, "build", "fuzz", "artifacts")
TARGETS = ["auto", "wav", "flac", "mp3", "vorbis", "decode_file", "stream_memory", "stream_any", "convert",
           "seek", "source", "agree", "tags", "wav_mp3"]
# The tag corpus (tests/corpus/make_tags_corpus.py): files with valid and hostile tags, extra seeds
# of the tags target.
TAGS_CORPUS = os.path.join(ROOT, "tests", "corpus", "tags")
CONTROL_TARGETS = {"stream_memory", "stream_any", "convert", "seek", "source"}
CONTROL = 64  # as targets.CONTROL (not imported: targets.py needs atheris and the build)
DEFAULTS = {"-timeout": "2", "-rss_limit_mb": "2048", "-print_final_stats": "1"}
# Inputs stay small (a few KB decode in well under a millisecond): more executions per second.
# An Ogg Vorbis file's setup header (codebooks) alone takes about 3-4 KB, so its targets get more.
MAX_LEN = {"vorbis": 8192, "auto": 6144, "decode_file": 6144, "seek": 6144, "agree": 6144, "tags": 16384, "wav_mp3": 6144}
# The stateful targets (stateful.py) bound their outputs: a single allocation above this from an
# input of a few KB is a finding ("no output above a bound from a small input").
MALLOC_LIMIT_MB = {"seek": 512, "source": 512, "agree": 512}
MAX_LEN_DEFAULT = 4096
AUDIO_EXT = (".wav", ".flac", ".mp3", ".ogg", ".dat")


def _samples():
    """The audio files of samples/ and their Ogg Vorbis files re-paged into pages of about 300
    bytes: the samples have one audio page each, and the code that walks pages (seeks, the length
    check, damaged pages in the middle of a stream) needs several to be reached.
    MINIAUDIO_FUZZ_PAGED_SEEDS=0 leaves the re-paged ones out (to compare with runs before them)."""
    for name in sorted(os.listdir(SAMPLES)):
        if name.endswith(AUDIO_EXT):
            with open(os.path.join(SAMPLES, name), "rb") as f:
                yield name, f.read()
    if os.environ.get("MINIAUDIO_FUZZ_PAGED_SEEDS", "1") == "0":
        return
    paging = _load("miniaudio_fuzz_ogg_paging", os.path.join(os.pardir, "test_vorbis_truncated.py"))
    for name in sorted(os.listdir(SAMPLES)):
        if name.endswith(".ogg"):
            yield name[:-4] + "-paged.ogg", paging.build_ogg(name, repeat=1, body_bytes=300)


def _controls():
    """A few control blocks: all zeros (first choices), a ramp, a pattern of mixed values."""
    return [bytes(CONTROL), bytes(range(CONTROL)), bytes((i * 37 + 11) % 256 for i in range(CONTROL))]


def _wav_mp3(mp3, kind):
    """MP3 data in a RIFF/WAVE container: fmt tag 0x0055 (wBitsPerSample 0 or 16) or EXTENSIBLE."""
    if kind == "ext":
        guid = struct.pack("<H", 0x0055) + b"\x00\x00\x00\x00\x10\x00\x80\x00\x00\xaa\x00\x38\x9b\x71"
        fmt = struct.pack("<HHIIHHHHI", 0xFFFE, 2, 44100, 16000, 1, 0, 22, 0, 3) + guid
    else:
        fmt = struct.pack("<HHIIHHH", 0x0055, 2, 44100, 16000, 1, 16 if kind == "bits16" else 0, 12) + \
            struct.pack("<HIHHH", 1, 2, 417, 1, 0)
    pad = b"\x00" if len(mp3) % 2 else b""
    body = (b"WAVE" + b"fmt " + struct.pack("<I", len(fmt)) + fmt + b"fact" + struct.pack("<II", 4, 44100) +
            b"data" + struct.pack("<I", len(mp3)) + mp3 + pad)
    return b"RIFF" + struct.pack("<I", len(body)) + body


def seed(target, corpus):
    """Write the seeds of target into corpus (truncated samples; control block + payload for the
    targets that take one).  Returns the number written."""
    os.makedirs(corpus, exist_ok=True)
    seeds = {}
    for name, data in _samples():
        base = os.path.splitext(name)[0] + "-" + name.rsplit(".", 1)[1]
        if target == "convert":
            # raw PCM: the sample's bytes after a WAV header (or whatever is there)
            pcm = data[44:44 + 4096]
            for i, control in enumerate(_controls()):
                seeds[f"{base}-c{i}"] = control + pcm
            continue
        if target == "wav_mp3":
            # MP3 samples in a WAV container (fmt tag 0x0055; plain with wBitsPerSample 0 and 16,
            # and WAVE_FORMAT_EXTENSIBLE)
            if name.endswith(".mp3"):
                for kind in ("bits0", "bits16", "ext"):
                    seeds[f"{base}-{kind}"] = _wav_mp3(data[:MAX_LEN["wav_mp3"] - 100], kind)
            continue
        cut_len = MAX_LEN.get(target, MAX_LEN_DEFAULT) - (CONTROL if target in CONTROL_TARGETS else 0)
        cuts = {"head": data[:512], "cut": data[:cut_len]}
        for cut, payload in cuts.items():
            if target in CONTROL_TARGETS:
                for i, control in enumerate(_controls()):
                    seeds[f"{base}-{cut}-c{i}"] = control + payload
            else:
                seeds[f"{base}-{cut}"] = payload
    if target == "tags":
        for name in sorted(os.listdir(TAGS_CORPUS)):
            with open(os.path.join(TAGS_CORPUS, name), "rb") as f:
                seeds["tags-" + name] = f.read()
    for name, data in seeds.items():
        with open(os.path.join(corpus, "seed-" + name), "wb") as f:
            f.write(data)
    return len(seeds)


def environment(build_dir):
    env = dict(os.environ)
    env["LD_PRELOAD"] = os.path.join(build_dir, "asan_with_fuzzer.so")
    env["PYTHONPATH"] = os.pathsep.join([build_dir] + ([env["PYTHONPATH"]] if env.get("PYTHONPATH") else []))
    env["ASAN_OPTIONS"] = "detect_leaks=0:allocator_may_return_null=1"
    env["UBSAN_OPTIONS"] = "halt_on_error=1:print_stacktrace=1"
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    # The targets write each input to a temporary file (the path and file-object inputs). On a disk
    # file system, rewriting a truncated file is flushed on close (ext4's auto_da_alloc): about 2 ms
    # per input here, a fifth of a seek or agree execution. Memory-backed /dev/shm takes 5 us.
    if "TMPDIR" not in env and os.path.isdir("/dev/shm") and os.access("/dev/shm", os.W_OK):
        env["TMPDIR"] = "/dev/shm"
    return env


def command(target, args):
    """The argv that runs target with args (defaults added), seeding the default corpus if no
    directory or file is among args."""
    opts = [a for a in args if a.startswith("-")]
    paths = [a for a in args if not a.startswith("-")]
    given = {a.split("=", 1)[0] for a in opts}
    for key, value in DEFAULTS.items():
        if key not in given:
            opts.append(f"{key}={value}")
    if target in MALLOC_LIMIT_MB and "-malloc_limit_mb" not in given:
        opts.append(f"-malloc_limit_mb={MALLOC_LIMIT_MB[target]}")
    if "-max_len" not in given:
        opts.append(f"-max_len={MAX_LEN.get(target, MAX_LEN_DEFAULT)}")
    if "-artifact_prefix" not in given:
        os.makedirs(ARTIFACTS, exist_ok=True)
        opts.append(f"-artifact_prefix={ARTIFACTS}{os.sep}{target}-")
    if not paths:
        paths = [os.path.join(CORPUS_ROOT, target)]
    for path in paths:  # a new or empty corpus directory gets the seeds
        if not os.path.isfile(path) and (not os.path.isdir(path) or not os.listdir(path)):
            seed(target, path)
    return [sys.executable, os.path.join(HERE, "targets.py")] + opts + paths


def main(argv):
    if not argv or argv[0] in ("-h", "--help"):
        print(__doc__)
        return 0
    if argv[0] == "--list":
        print("\n".join(TARGETS))
        return 0
    cpu_time = argv[0] == "--cpu-time"
    if cpu_time:
        argv = argv[1:]
    target, args = argv[0], argv[1:]
    if target not in TARGETS:
        print(f"unknown target {target!r}; targets: {', '.join(TARGETS)}", file=sys.stderr)
        return 2
    build_dir = fuzz_build.build()
    env = environment(build_dir)
    env["MINIAUDIO_FUZZ_TARGET"] = target
    if cpu_time:
        env["MINIAUDIO_FUZZ_CPU_TIME"] = "1"
        cmd = [sys.executable, os.path.join(HERE, "targets.py")] + args
        os.execve(cmd[0], cmd, env)
    cmd = command(target, args)
    os.execve(cmd[0], cmd, env)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
