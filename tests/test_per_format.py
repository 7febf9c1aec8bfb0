"""The 1.71 per-format functions made from the table in miniaudio._per_format: each has its public
name, 1.71's signature, a docstring of its own that names its format and output, and decodes what
its name says (content compared with the format-detecting functions)."""

import inspect
import os
import pickle

import pytest

import miniaudio
from miniaudio import _per_format

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SAMPLES = {p: os.path.join(ROOT, "samples", f) for p, f in
           (("wav", "tone_s16.wav"), ("flac", "tone_16.flac"), ("mp3", "tone.mp3"), ("vorbis", "tone.ogg"))}
FORMAT_NAMES = {"wav": "WAV", "flac": "FLAC", "mp3": "MP3", "vorbis": "Ogg Vorbis"}
OUTPUTS = {"s16": ("SIGNED16", "h"), "s32": ("SIGNED32", "i"), "f32": ("FLOAT32", "f")}

# 1.71's per-format names: (name, format prefix, from a file?, output suffix or None for info).
FUNCTIONS = (
    [(f"{p}_get_file_info", p, True, None) for p in SAMPLES]
    + [(f"{p}_get_info", p, False, None) for p in SAMPLES]
    + [(f"{p}_read_file_{o}", p, True, o) for p, outs in (("wav", "s16 s32 f32"), ("flac", "s16 s32 f32"),
                                                         ("mp3", "s16 f32")) for o in outs.split()]
    + [(f"{p}_read_{o}", p, False, o) for p, outs in (("wav", "s16 s32 f32"), ("flac", "s16 s32 f32"),
                                                    ("mp3", "s16 f32")) for o in outs.split()]
    + [("vorbis_read_file", "vorbis", True, "s16"), ("vorbis_read", "vorbis", False, "s16")]
)
IDS = [f[0] for f in FUNCTIONS]


def test_the_table_makes_exactly_the_171_names():
    made = sorted(n for n, v in vars(_per_format).items()
                  if inspect.isfunction(v) and v.__module__ == _per_format.__name__ and not n.startswith("_"))
    assert made == sorted(IDS)
    assert len(IDS) == 26


@pytest.mark.parametrize("name, prefix, from_file, output", FUNCTIONS, ids=IDS)
def test_identity_signature_and_docstring(name, prefix, from_file, output):
    function = getattr(miniaudio, name)
    assert function is getattr(_per_format, name)
    assert (function.__name__, function.__qualname__, function.__module__) == (name, name, "miniaudio._per_format")
    assert pickle.loads(pickle.dumps(function)) is function
    parameters = inspect.signature(function).parameters
    first = "filename" if from_file else "data"
    if output is None:
        assert list(parameters) == [first]
    else:
        assert list(parameters) == [first, "max_output_bytes"]
        assert parameters["max_output_bytes"].kind is inspect.Parameter.KEYWORD_ONLY
        assert parameters["max_output_bytes"].default is None
    doc = inspect.getdoc(function)
    assert FORMAT_NAMES[prefix] in doc.splitlines()[0]
    assert "Args:" in doc and "Returns:" in doc and "Raises:" in doc and "{" not in doc
    if output is not None:
        sample_format, typecode = OUTPUTS[output]
        assert f"({sample_format})" in doc.splitlines()[0]
        assert f"typecode '{typecode}'" in doc


@pytest.mark.parametrize("name, prefix, from_file, output", FUNCTIONS, ids=IDS)
def test_decodes_its_own_format(name, prefix, from_file, output):
    function = getattr(miniaudio, name)
    path = SAMPLES[prefix]
    with open(path, "rb") as f:
        data = f.read()
    result = function(path if from_file else data)
    assert result.name == (path if from_file else "<memory>")
    if output is None:
        reference = miniaudio.get_file_info(path)
        assert result.file_format is getattr(miniaudio.FileFormat, prefix.upper())
        assert (result.nchannels, result.sample_rate, result.num_frames) == \
            (reference.nchannels, reference.sample_rate, reference.num_frames)
    else:
        sample_format, typecode = OUTPUTS[output]
        reference = miniaudio.decode_file(path, miniaudio.SampleFormat[sample_format],
                                          miniaudio.get_file_info(path).nchannels,
                                          miniaudio.get_file_info(path).sample_rate)
        assert result.samples.typecode == typecode
        assert result.samples == reference.samples
    other = "mp3" if prefix != "mp3" else "wav"  # another format's data is refused, naming no other format
    with open(SAMPLES[other], "rb") as f:
        with pytest.raises(miniaudio.DecodeError):
            function(SAMPLES[other] if from_file else f.read())
