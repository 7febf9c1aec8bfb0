"""The one sample-format table (_miniaudio.SAMPLE_FORMATS) that C, the package and the tests share:
its rows are pinned here literally, and what users see agrees with it."""

import array

import numpy as np
import pytest

import miniaudio
from miniaudio import SampleFormat as SF

TABLE = miniaudio._miniaudio.SAMPLE_FORMATS


def test_the_table_itself():
    assert dict(TABLE) == {
        1: (1, "B", "uint8", "B"),
        2: (2, "h", "int16", "h"),
        3: (3, None, None, ""),
        4: (4, "i", "int32", "il"),
        5: (4, "f", "float32", "f"),
    }
    with pytest.raises(TypeError):
        TABLE[1] = (0, None, None, "")  # read-only: every module shares it


@pytest.mark.parametrize("fmt", [SF.UNSIGNED8, SF.SIGNED16, SF.SIGNED24, SF.SIGNED32, SF.FLOAT32])
def test_users_see_the_table(fmt):
    width, typecode, dtype, _ = TABLE[fmt.value]
    assert miniaudio.width_from_format(fmt) == width
    pcm = array.array("h", [0, 1000, -1000, 0] * 64).tobytes()
    data = miniaudio.convert_sample_format(SF.SIGNED16, pcm, fmt)
    assert len(data) == 256 * width
    if typecode is None:
        return
    assert array.array(typecode).itemsize == width
    assert np.dtype(dtype).itemsize == width
    wav = miniaudio.decode(_wav(pcm), output_format=fmt, nchannels=2, sample_rate=8000)
    assert wav.samples.typecode == typecode
    assert wav.as_numpy().dtype == np.dtype(dtype)


def test_unknown_width_is_zero():
    assert miniaudio.width_from_format(SF.UNKNOWN) == 0


def _wav(pcm):
    import struct
    return (b"RIFF" + struct.pack("<I", 36 + len(pcm)) + b"WAVEfmt " + struct.pack("<IHHIIHH", 16, 1, 2, 8000, 32000, 4, 16)
            + b"data" + struct.pack("<I", len(pcm)) + pcm)
