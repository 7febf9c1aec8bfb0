"""Known bugs in the embedded decoders (miniaudio 0.11.25's dr_wav and dr_mp3, stb_vorbis 1.22):
each reproducer in tests/corpus/regressions/ must give a clean exception or a correct, bounded
decode through every entry point.  RELIABILITY.md ("Known problems in the embedded decoders")
says which bugs are reachable and how each is fixed; the fixes are our patches in
miniaudio_c/patches/, which the build applies (build_support/miniaudio_build.py; its patch code is
tested here too).

Every reproducer runs in a child process (this file run with --worker), so that a crash or a spin
of an unfixed build fails the test that names it instead of killing pytest; the child reports, per
entry point, the outcome, the frames, the CPU time and the growth of its peak resident memory.
"""

import functools
import glob
import io
import json
import os
import resource
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
REGRESSIONS = os.path.join(HERE, "corpus", "regressions")
PATCHES = os.path.join(ROOT, "miniaudio_c", "patches")
FETCHED = os.path.join(ROOT, "miniaudio_c", "_fetched")

CPU_LIMIT = 2.0  # seconds of CPU per entry point
MEM_LIMIT = 64 << 20  # bytes of peak resident growth per entry point
CHILD_CPU_KILL = 20  # RLIMIT_CPU of a child: an unfixed spin dies (SIGXCPU) instead of hanging
TONE_FRAMES = 13230  # ma1117-mp3-control-valid.bin: a 0.3 s tone at 44100 Hz

# The native readers and info functions of each format (frames at the file's own rate).
READERS = {"wav": ("wav_read_s16", "wav_read_file_s16", "wav_get_info"),
           "mp3": ("mp3_read_s16", "mp3_read_file_s16", "mp3_get_info"),
           "vorbis": ("vorbis_read", "vorbis_read_file", "vorbis_get_info")}
ENTRY_POINTS = ("read_bytes", "read_view", "info_bytes", "info_view", "info_path", "read_path", "decode_bytes",
                "stream_memory", "stream_any", "stream_file")


# ---- the child ------------------------------------------------------------------------------------


def _peak_rss_reset():
    """Resets the peak resident size (VmHWM) and returns the current one, in bytes."""
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
    except OSError:
        pass
    return _status_kb("VmRSS") * 1024


def _status_kb(field):
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


def _worker(path, fmt):
    import miniaudio

    resource.setrlimit(resource.RLIMIT_CPU, (CHILD_CPU_KILL, CHILD_CPU_KILL + 5))
    with open(path, "rb") as f:
        data = f.read()
    # The data at the start of a bigger buffer: reading past its end finds 0xFF bytes, not the NUL
    # that follows every bytes object.
    view = memoryview(bytearray(data + b"\xff" * 256))[:len(data)]
    read, read_file, get_info = (getattr(miniaudio, name) for name in READERS[fmt])
    try:
        info = miniaudio.get_file_info(path)
        channels, rate = info.nchannels, info.sample_rate
    except miniaudio.MiniaudioError:
        channels, rate = 1, 44100

    def stream(s):
        with s:
            return sum(len(chunk) for chunk in s) // channels, s.length

    calls = {
        "read_bytes": lambda: read(data),
        "read_view": lambda: read(view),
        "info_bytes": lambda: get_info(data),
        "info_view": lambda: get_info(view),
        "info_path": lambda: miniaudio.get_file_info(path),
        "read_path": lambda: read_file(path),
        "decode_bytes": lambda: miniaudio.decode(data, nchannels=channels, sample_rate=rate),
        "stream_memory": lambda: stream(miniaudio.stream_memory(data, nchannels=channels, sample_rate=rate)),
        "stream_any": lambda: stream(miniaudio.stream_any(io.BytesIO(data), nchannels=channels, sample_rate=rate)),
        "stream_file": lambda: stream(miniaudio.stream_file(path, nchannels=channels, sample_rate=rate)),
    }
    for ep in ENTRY_POINTS:
        out = {"ep": ep}
        base = _peak_rss_reset()
        t0 = time.process_time()
        try:
            r = calls[ep]()
            out["ok"] = True
            if isinstance(r, tuple):
                out["frames"], out["length"] = r
            else:
                out["frames"] = r.num_frames
                if hasattr(r, "samples"):
                    out["head"] = list(r.samples[:8])
        except Exception as e:  # noqa: BLE001 - reported to the parent, which judges it
            out.update(ok=False, exc=type(e).__name__, msg=str(e))
        out["cpu"] = time.process_time() - t0
        out["mem"] = max(_status_kb("VmHWM") * 1024 - base, 0)
        print(json.dumps(out), flush=True)


if __name__ == "__main__" and len(sys.argv) == 4 and sys.argv[1] == "--worker":
    _worker(sys.argv[2], sys.argv[3])  # (before importing pytest: a child has no use for it)
    sys.exit(0)

import pytest  # noqa: E402

# ---- the parent ---------------------------------------------------------------------------------


@functools.lru_cache(maxsize=None)
def run(name, fmt):
    """{entry point: result} for regression file `name` decoded as `fmt`; a crashed or hung child
    fails the calling test with what it did."""
    path = name if os.path.isabs(name) else os.path.join(REGRESSIONS, name)
    try:
        proc = subprocess.run([sys.executable, __file__, "--worker", path, fmt], capture_output=True, text=True,
                              timeout=120)
    except subprocess.TimeoutExpired as e:
        pytest.fail(f"{name}: the child hung (no result after 120 s); output so far: {e.stdout!r}")
    results = {}
    for line in proc.stdout.splitlines():
        r = json.loads(line)
        results[r["ep"]] = r
    if proc.returncode != 0 or len(results) != len(ENTRY_POINTS):
        done = ", ".join(results)
        pytest.fail(f"{name}: the child died with exit status {proc.returncode} after [{done}]: "
                    f"{proc.stderr.strip()[-500:]}")
    return results


def check_bounded(results):
    for ep, r in results.items():
        assert r["cpu"] < CPU_LIMIT, f"{ep} took {r['cpu']:.2f} s of CPU"
        assert r["mem"] < MEM_LIMIT, f"{ep} grew the peak resident size by {r['mem'] >> 20} MiB"


def check_refused(results):
    for ep, r in results.items():
        assert not r["ok"] and r["exc"] == "DecodeError", f"{ep}: {r}"
    check_bounded(results)


# ---- dr_wav ---------------------------------------------------------------------------------------


def test_ma1123_fact_chunk_too_small_is_skipped():
    """A fact chunk of size 0 used to spin ~2^33 seeks; now the file's 8 frames decode."""
    results = run("ma1123-wav-fact-size-0.bin", "wav")
    for ep, r in results.items():
        assert r["ok"] and r["frames"] == 8, f"{ep}: {r}"
    assert results["read_bytes"]["head"] == list(range(8))
    assert results["read_path"]["head"] == list(range(8))
    check_bounded(results)


def test_ma1123_w64_chunk_size_below_its_header_is_refused():
    results = run("ma1123-w64-chunk-size-0.bin", "wav")
    check_refused(results)


def test_ma1151_fmt_chunk_size_over_2gib_is_refused():
    """The declared size 0xFFFFFFF8 used to seek back onto the chunk's own header forever."""
    check_refused(run("ma1151-wav-fmt-size-fffffff8.bin", "wav"))


# ---- dr_mp3 ---------------------------------------------------------------------------------------


def test_ma1128_xing_tag_is_not_read_past_its_frame():
    """The 24-byte frame's Xing flags announce 116 bytes of fields; they used to be read past the
    end of the caller's buffer (here 0xFF bytes: 255 frames "announced")."""
    results = run("ma1128-mp3-xing-tag-past-frame.bin", "mp3")
    for ep, r in results.items():
        assert r["ok"] and r["frames"] == 0, f"{ep}: {r}"
    check_bounded(results)


def test_mp3_control_file_keeps_its_exact_length():
    """The untampered file: the Info tag's count and LAME padding still give exactly 0.3 s."""
    results = run("ma1117-mp3-control-valid.bin", "mp3")
    for ep, r in results.items():
        assert r["ok"] and r["frames"] == TONE_FRAMES, f"{ep}: {r}"
    assert results["stream_memory"]["length"] == TONE_FRAMES


@pytest.mark.parametrize("name, low, high", [
    ("ma1117-mp3-xing-frames-wrap.bin", TONE_FRAMES, TONE_FRAMES + 1152),  # count * 1152 wrapped to 2048
    ("ma1117-mp3-xing-frames-huge.bin", TONE_FRAMES, TONE_FRAMES + 1152),  # 4 billion frames in 2.9 KB
    # cat a.mp3 a.mp3: both tones, plus the second file's tag frame (silence), delay and padding
    ("ma1117-mp3-concatenated.bin", 2 * TONE_FRAMES, 2 * TONE_FRAMES + 4 * 1152),
    ("ma1117-mp3-truncated.bin", 1, TONE_FRAMES),  # a partial download
])
def test_ma1117_xing_count_that_cannot_describe_the_stream_is_not_used(name, low, high):
    """The length that get_info() and streams report is what decoding gives, and decoding gives all
    the audio in the file (the encoder padding may stay: the count that locates it is wrong)."""
    results = run(name, "mp3")
    frames = results["read_bytes"]["frames"]
    for ep, r in results.items():
        assert r["ok"] and low <= r["frames"] <= high, f"{ep}: {r}"
        if ep != "stream_any":  # a file object's size is unknown: its count cannot be checked
            assert r["frames"] == frames, f"{ep}: {r}"
            assert r.get("length") in (None, frames), f"{ep}: {r}"
    check_bounded(results)


def test_ma1117_understated_count_does_not_cut_decoding():
    """A count of 6 frames on a 13-frame file: decoding goes on past the counted end to the real
    one (dropping the 6th frame's padding, as the tag says); the cheap length stays the tag's."""
    results = run("ma1117-mp3-xing-frames-understated.bin", "mp3")
    for ep in ("read_bytes", "read_view", "read_path", "decode_bytes", "stream_memory", "stream_any", "stream_file"):
        assert results[ep]["ok"] and results[ep]["frames"] == TONE_FRAMES, f"{ep}: {results[ep]}"
    check_bounded(results)


# ---- stb_vorbis ---------------------------------------------------------------------------------


@pytest.mark.parametrize("name", [
    "cve2023-45675-vorbis-vendor-length-minus-1.bin",  # not reachable with malloc: kept as a guard
    "cve2023-45677-vorbis-vendor-length-minus-10.bin",  # not reachable with malloc: kept as a guard
    "cve2023-45676-vorbis-vendor-length-2gib.bin",  # allocated and filled 2 GB
    "cve2023-45679-vorbis-comment-alloc-fails.bin",  # freed uninitialised pointers: abort
    "cve2023-45680-vorbis-comment-list-alloc-fails.bin",  # walked a NULL comment list: segfault
    "cve2023-45681-vorbis-comment-count-overflow.bin",  # wrote past an 8-byte list: heap overflow
])
def test_cve_2023_vorbis_comment_header_is_skipped_and_the_audio_decodes(name):
    """Patch 0006 skips the comments without storing them; patch 0058 lets a comment header whose
    lengths run past its packet end the walk instead of refusing the file: every entry point
    decodes the audio alike, within bounds (before 0058: refused with DecodeError)."""
    results = run(name, "vorbis")
    frames = results["read_bytes"]["frames"]
    assert frames > 0
    for ep, r in results.items():
        assert r["ok"] and r["frames"] == frames, f"{ep}: {r}"
    check_bounded(results)


def test_cve_2023_45678_sixteen_submaps_decode():
    """The 16th submap was written one past 15-entry arrays (undefined behaviour, but inside the
    struct with gcc, so an unfixed build decodes this too: this guards the sanitizer builds)."""
    results = run("cve2023-45678-vorbis-16-submaps.bin", "vorbis")
    frames = results["read_bytes"]["frames"]
    assert frames > 0
    for ep in ("read_bytes", "read_view", "read_path", "decode_bytes", "stream_memory", "stream_any", "stream_file"):
        assert results[ep]["ok"] and results[ep]["frames"] == frames, f"{ep}: {results[ep]}"
    check_bounded(results)


def test_cve_2023_45682_sparse_book_without_entries_decodes():
    """DECODE on a sparse codebook with no used entries read sorted_values[-1] through NULL."""
    results = run("cve2023-45682-vorbis-sparse-book-no-entries.bin", "vorbis")
    frames = results["read_bytes"]["frames"]
    assert frames > 0
    for ep, r in results.items():
        assert r["ok"] and r["frames"] == frames, f"{ep}: {r}"
    check_bounded(results)


@pytest.mark.parametrize("name", [
    "stbv-lookup2-entries-times-dims-wraps.bin",  # read multiplicands far out of bounds: segfault
    "stbv-lookup1-table-size-truncated.bin",  # x86-64 refuses it by accident; AArch64 wrote past it
    "stbv-huge-classbook.bin",  # 16 million mallocs (336 MB) and a 16-million-entry sort first
    "stbv-valid-2m-entry-codebook.bin",  # decoded after setting up two million entries per open
])
def test_stb_vorbis_oversized_codebooks_are_refused(name):
    check_refused(run(name, "vorbis"))


def test_stb_vorbis_pushdata_open_with_a_big_comment_is_linear(tmp_path):
    """A 4 MB comment (a cover picture, say): stream_any() used to parse it again for every 4 KB
    read (6 s of CPU); now it opens as fast as the in-memory decoders."""
    sys.path.insert(0, os.path.join(HERE, "corpus"))
    try:
        import make_regressions
    finally:
        sys.path.pop(0)
    path = tmp_path / "stbv-push-big-comment.ogg"
    path.write_bytes(make_regressions.big_comment_vorbis(4 << 20))
    results = run(str(path), "vorbis")
    frames = results["read_bytes"]["frames"]
    assert frames > 0
    for ep, r in results.items():
        assert r["ok"] and r["frames"] == frames, f"{ep}: {r}"
    assert results["stream_any"]["cpu"] < CPU_LIMIT


def _malloc_in_use():
    """Bytes the C allocator has handed out and not taken back (glibc's mallinfo2), or None."""
    import ctypes
    import ctypes.util

    class MallInfo2(ctypes.Structure):
        _fields_ = [(name, ctypes.c_size_t) for name in
                    "arena ordblks smblks hblks hblkhd usmblks fsmblks uordblks fordblks keepcost".split()]

    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c"))
        libc.mallinfo2.restype = MallInfo2
    except (OSError, AttributeError, TypeError):
        return None
    info = libc.mallinfo2()
    return info.uordblks + info.hblkhd


def test_stb_vorbis_refused_sparse_codebook_does_not_leak():
    """Each refused open of this file leaked the sparse book's 128 KB block of code lengths."""
    import miniaudio

    with open(os.path.join(REGRESSIONS, "stbv-sparse-lengths-leak.bin"), "rb") as f:
        data = f.read()
    with pytest.raises(miniaudio.DecodeError):
        miniaudio.vorbis_read(data)
    before = _malloc_in_use()
    if before is None:
        pytest.skip("needs glibc's mallinfo2")
    for _ in range(400):
        with pytest.raises(miniaudio.DecodeError):
            miniaudio.vorbis_read(data)
    assert _malloc_in_use() - before < 16 << 20  # unfixed: 51 MB


def test_regressions_match_their_script():
    sys.path.insert(0, os.path.join(HERE, "corpus"))
    try:
        import make_regressions
    finally:
        sys.path.pop(0)
    made = make_regressions.build()
    for name, data in made.items():
        with open(os.path.join(REGRESSIONS, name), "rb") as f:
            assert f.read() == data, f"{name}: run tests/corpus/make_regressions.py"
    ours = {os.path.basename(p) for p in glob.glob(os.path.join(REGRESSIONS, "*.bin"))
            if not os.path.basename(p).startswith("fuzz-")}
    assert ours == set(made) | {make_regressions.MP3_CONTROL}


# ---- the patch machinery (build_support/miniaudio_build.py) ----------------------------------------------------------


@pytest.fixture(scope="module")
def setup_module_():
    import miniaudio_build  # build_support/ (on sys.path through conftest.py)

    return miniaudio_build


PATCH = """Fixes nothing: a test.

--- a/x.c
+++ b/x.c
@@ -2,3 +2,4 @@
 two
-three
+THREE
+three and a half
 four
@@ -7,2 +8,2 @@
 seven
-eight
+EIGHT
"""


def test_apply_patch_applies_each_hunk(setup_module_):
    files = {"x.c": "".join(f"{w}\n" for w in "one two three four five six seven eight nine".split())}
    setup_module_.apply_patch(files, PATCH, "test.patch")
    assert files["x.c"].split("\n") == ["one", "two", "THREE", "three and a half", "four", "five", "six", "seven",
                                        "EIGHT", "nine", ""]


def test_apply_patch_finds_context_an_earlier_patch_moved(setup_module_):
    files = {"x.c": "zero\nminus one\n" + "".join(f"{w}\n" for w in "one two three four five six seven eight".split())}
    setup_module_.apply_patch(files, PATCH, "test.patch")
    assert "two\nTHREE\nthree and a half\nfour\n" in files["x.c"] and "seven\nEIGHT\n" in files["x.c"]


def test_apply_patch_refuses_context_that_is_not_there(setup_module_):
    files = {"x.c": "one\ntwo\n3\nfour\nfive\nsix\nseven\neight\n"}
    with pytest.raises(setup_module_.PatchError, match=r"test.patch: hunk 1 \(@@ -2\) does not apply to x.c"):
        setup_module_.apply_patch(files, PATCH, "test.patch")
    with pytest.raises(setup_module_.PatchError, match="not one of"):
        setup_module_.apply_patch({"y.c": "two\n"}, PATCH, "test.patch")
    with pytest.raises(setup_module_.PatchError, match="no file section"):
        setup_module_.apply_patch(files, "just words\n", "test.patch")


def test_every_patch_says_what_it_fixes_and_names_its_test():
    patches = sorted(glob.glob(os.path.join(PATCHES, "*.patch")))
    assert len(patches) >= 10
    for path in patches:
        with open(path) as f:
            header = f.read().split("\n--- a/")[0]
        assert len(header.strip().splitlines()) >= 3, f"{path}: no header comment saying what it fixes"
        assert "tests/" in header, f"{path}: the header names no reproducer or test"


def test_patches_apply_to_the_fetched_sources(setup_module_, tmp_path):
    if not all(os.path.isfile(os.path.join(FETCHED, name)) for name in setup_module_.FILES):
        pytest.skip("the fetched sources are not in miniaudio_c/_fetched")
    out = setup_module_.patched_source_dir(FETCHED, str(tmp_path))
    for name in setup_module_.FILES:
        with open(os.path.join(FETCHED, name), "rb") as f:
            original = f.read()
        with open(os.path.join(out, name), "rb") as f:
            patched = f.read()
        assert patched != original, f"no patch changed {name}"
    # the originals are untouched (still the hash-checked files) and a second run changes nothing
    assert setup_module_._check_folder(FETCHED, "test")
    mtimes = [os.stat(os.path.join(out, name)).st_mtime_ns for name in setup_module_.FILES]
    setup_module_.patched_source_dir(FETCHED, str(tmp_path))
    assert mtimes == [os.stat(os.path.join(out, name)).st_mtime_ns for name in setup_module_.FILES]



def _float_wav(values, rate=8000):
    import array
    import struct

    pcm = array.array("f", values).tobytes()
    fmt = struct.pack("<HHIIHH", 3, 1, rate, rate * 4, 4, 32)  # IEEE float, mono
    return (b"RIFF" + struct.pack("<I", 36 + len(pcm)) + b"WAVE" + b"fmt " + struct.pack("<I", 16) + fmt
            + b"data" + struct.pack("<I", len(pcm)) + pcm)


def test_nan_float_samples_convert_without_undefined_behaviour():
    """Patch 0021: NaN samples reach the scalar f32->integer converters as 0 (silence), not as an
    undefined cast.  Before, NaN became 0 in u8 (the low byte of x86's 0x80000000), a full-scale
    click; now it is the u8 midpoint like 0.0.  The fuzz input decodes cleanly to every format."""
    import miniaudio

    nan = float("nan")
    data = _float_wav([nan, 0.0, 0.5, nan, -0.5])
    got = miniaudio.decode(data, miniaudio.SampleFormat.UNSIGNED8, nchannels=1, sample_rate=8000).samples
    assert list(got) == [127, 127, 191, 127, 63]
    with open(os.path.join(REGRESSIONS, "fuzz-auto-f32-nan-to-u8.bin"), "rb") as f:
        fuzz_input = f.read()
    for fmt in (miniaudio.SampleFormat.UNSIGNED8, miniaudio.SampleFormat.SIGNED16, miniaudio.SampleFormat.SIGNED32):
        sound = miniaudio.decode(fuzz_input, fmt)
        assert sound.num_frames > 0


def test_float_wav_extremes_convert_to_clipped_integers():
    """Patch 0022 (UBSan float-cast-overflow in the long fuzz run): dr_wav read float samples as s32
    with no clip at all, so 1.0, the largest positive sample, became 2**31, outside int32: x86 gave
    -2**31, full-scale positive as full-scale negative.  Now every value clips, NaN is silence."""
    import miniaudio

    top, bottom = 2**31 - 1, -(2**31)
    # NaN, 1.0, -1.0, 2.0, -2.0, inf, -inf, 0.5, 1e30, -1e30, seven times (make_regressions.py)
    want_s32 = [0, top, bottom, top, bottom, top, bottom, 2**30, top, bottom] * 7
    for name in ("ubsan-wav-f32-extremes.bin", "ubsan-wav-f64-extremes.bin"):
        with open(os.path.join(REGRESSIONS, name), "rb") as f:
            data = f.read()
        assert list(miniaudio.wav_read_s32(data).samples) == want_s32, name
        decoded = miniaudio.decode(data, miniaudio.SampleFormat.SIGNED32, nchannels=1, sample_rate=8000)
        assert list(decoded.samples) == want_s32, name
        s16 = list(miniaudio.wav_read_s16(data).samples)
        silence = miniaudio.wav_read_s16(_float_wav([0.0])).samples[0]  # dr_wav maps 0.0 to -1
        assert s16 == [silence, 32767, -32768, 32767, -32768, 32767, -32768, 16383, 32767, -32768] * 7, name
        for fmt in ("UNSIGNED8", "SIGNED16", "SIGNED32", "FLOAT32"):
            sound = miniaudio.decode(data, miniaudio.SampleFormat[fmt], nchannels=2, sample_rate=44100)
            assert sound.num_frames == -(-70 * 44100 // 8000), (name, fmt)  # 70 frames at 8 kHz, resampled
