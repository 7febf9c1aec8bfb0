"""samples/batch_convert.py, run as a user runs it: over a corpus of good and broken files, on local
processes and threads and on a Dask LocalCluster with 2 workers; checked file by file against
decode_file(), with the broken files reported without stopping the batch, and a second run
resuming (skipping what is done, redoing what is not valid)."""

import os
import shutil
import subprocess
import sys

import pytest

import miniaudio
from miniaudio import SampleFormat as SF

SAMPLES = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "samples")
SCRIPT = os.path.join(SAMPLES, "batch_convert.py")
GOOD = {"a/tone_16.flac": "tone_16.flac", "a/mono.mp3": "mono.mp3", "a/mono.ogg": "mono.ogg",
        "a/b/tone_s16.wav": "tone_s16.wav", "a/b/short_s24.wav": "short_s24.wav", "c/tone.ogg": "tone.ogg"}
BROKEN = ["c/bad/trunc.flac", "c/bad/noise.mp3", "c/bad/empty.wav"]


@pytest.fixture
def corpus(tmp_path):
    src = tmp_path / "src"
    for rel, name in GOOD.items():
        (src / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(os.path.join(SAMPLES, name), src / rel)
    (src / "c/bad").mkdir(parents=True)
    with open(os.path.join(SAMPLES, "tone_16.flac"), "rb") as f:
        (src / BROKEN[0]).write_bytes(f.read()[:3000])
    (src / BROKEN[1]).write_bytes(bytes(range(256)) * 20)
    (src / BROKEN[2]).write_bytes(b"")
    (src / "c/readme.txt").write_text("not audio: not a job")
    return src, tmp_path / "dst"


def run(src, dst, *extra):
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([os.path.dirname(miniaudio.__path__[0])] + sys.path)
    return subprocess.run([sys.executable, SCRIPT, str(src), str(dst), "--no-progress", *extra],
                          capture_output=True, text=True, timeout=300, env=env)


def out_path(dst, rel):
    # a/mono.mp3 and a/mono.ogg would both be a/mono.wav: they keep their extensions
    return dst / ((rel if "/mono." in rel else os.path.splitext(rel)[0]) + ".wav")


def check_outputs(src, dst, rate=16000, channels=1, fmt=SF.SIGNED16):
    assert sorted(p.relative_to(dst).as_posix() for p in dst.rglob("*") if p.is_file()) == sorted(
        out_path(dst, rel).relative_to(dst).as_posix() for rel in GOOD)
    for rel in GOOD:
        out = out_path(dst, rel)
        got = (miniaudio.wav_read_file_s16 if fmt == SF.SIGNED16 else miniaudio.wav_read_file_f32)(str(out))
        want = miniaudio.decode_file(str(src / rel), output_format=fmt, nchannels=channels, sample_rate=rate)
        assert (got.sample_rate, got.nchannels, got.num_frames) == (rate, channels, want.num_frames), rel
        assert got.samples == want.samples, rel


def check_summary(proc, converted, skipped):
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "9 files: %d converted, %d skipped (done before), 3 failed" % (converted, skipped) in proc.stdout, proc.stdout
    failed = [line for line in proc.stdout.splitlines() if line.startswith("FAILED ")]
    assert sorted(line.split(": ")[0][len("FAILED "):] for line in failed) == sorted(
        str(p) for p in [proc.args[2] + "/" + b for b in BROKEN])
    assert any("truncated or corrupt" in line for line in failed)


@pytest.mark.parametrize("mode", [[], ["--threads", "--jobs", "2"]], ids=["processes", "threads"])
def test_local_batch_converts_reports_and_resumes(corpus, mode):
    src, dst = corpus
    proc = run(src, dst, *mode)
    check_summary(proc, 6, 0)
    check_outputs(src, dst)
    # again: everything done is skipped; an output cut short (a batch killed mid-write without
    # the .part rename would leave one) and a deleted one are done again
    victim = dst / "a/b/tone_s16.wav"
    victim.write_bytes(victim.read_bytes()[:1000])
    os.utime(victim, None)
    (dst / "c/tone.wav").unlink()
    proc = run(src, dst, *mode)
    check_summary(proc, 2, 4)
    check_outputs(src, dst)


def test_other_rate_channels_and_format(corpus):
    src, dst = corpus
    proc = run(src, dst, "--rate", "22050", "--channels", "2", "--format", "f32", "--jobs", "2")
    check_summary(proc, 6, 0)
    check_outputs(src, dst, 22050, 2, SF.FLOAT32)


def test_dask_local_cluster_with_two_workers(corpus):
    distributed = pytest.importorskip("distributed")
    src, dst = corpus
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                                  silence_logs=40) as cluster:
        proc = run(src, dst, "--scheduler", cluster.scheduler_address)
        with distributed.Client(cluster) as client:
            workers = client.run(lambda: os.getpid())
    assert len(workers) == 2
    check_summary(proc, 6, 0)
    check_outputs(src, dst)
