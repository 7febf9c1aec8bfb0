/* wavheader.c: the RIFF/WAVE header of the one WAV writer (wavwrite.c) and of WavFileReadStream
 * (_wav_header): the layout checked from the format arguments, and the header bytes built for a
 * number of data bytes, classic RIFF or RF64 (EBU Tech 3306) when the sizes pass 32 bits.
 *
 * Layout (our own header code, little-endian):
 *     RIFF <size> WAVE  [JUNK 28 | ds64 28]  fmt 16|18  [fact 4]  data <size> ... [pad] [trailer]
 * With room (the writer's default) a 28-byte JUNK chunk is reserved after WAVE, rewritten as the
 * ds64 chunk holding the 64-bit sizes when the file passes 4 GiB; the 32-bit sizes then read
 * 0xFFFFFFFF.  Integer samples are PCM (format tag 1) at every width; float samples are IEEE float
 * (tag 3) with an 18-byte fmt chunk and a fact chunk, as are A-law / mu-law codes (tags 6 / 7)
 * asked for 8-bit samples.
 */
#include "_miniaudio.h"

#include <string.h>

size_t
pyma_wav_header_size(const pyma_wav_layout *l)
{
    return 12 + (l->room ? 8 + PYMA_WAV_ROOM : 0) + 8 + (l->fact ? 18 : 16) + (l->fact ? 12 : 0) + 8;
}

static unsigned char *
put(unsigned char *p, ma_uint64 v, int bytes)
{
    int i;
    for (i = 0; i < bytes; i++) {
        p[i] = (unsigned char)(v >> (8 * i));
    }
    return p + bytes;
}

static unsigned char *
put_id(unsigned char *p, const char *id)
{
    memcpy(p, id, 4);
    return p + 4;
}

/* The header for `data` bytes of frames followed by `tail` bytes (pad byte, trailing chunks), into
 * `out` (pyma_wav_header_size(l) bytes).  RF64 when the RIFF size passes 32 bits (the caller checked that
 * there is room for it).  Returns whether it is RF64. */
int
pyma_wav_build_header(unsigned char *out, const pyma_wav_layout *l, ma_uint64 data, ma_uint64 tail)
{
    ma_uint64 riff = pyma_wav_header_size(l) - 8 + data + tail, frames = data / l->block;
    int rf64 = riff > PYMA_RIFF_LIMIT;
    unsigned char *p = out;

    p = put_id(p, rf64 ? "RF64" : "RIFF");
    p = put(p, rf64 ? PYMA_RIFF_LIMIT : riff, 4);
    p = put_id(p, "WAVE");
    if (l->room) {
        p = put_id(p, rf64 ? "ds64" : "JUNK");
        p = put(p, PYMA_WAV_ROOM, 4);
        memset(p, 0, PYMA_WAV_ROOM);
        if (rf64) {
            put(p, riff, 8);
            put(p + 8, data, 8);
            put(p + 16, frames, 8); /* then a table length of 0 */
        }
        p += PYMA_WAV_ROOM;
    }
    p = put_id(p, "fmt ");
    p = put(p, l->fact ? 18 : 16, 4);
    p = put(p, l->tag, 2);
    p = put(p, l->channels, 2);
    p = put(p, l->rate, 4);
    p = put(p, (ma_uint64)l->rate * l->block, 4);
    p = put(p, l->block, 2);
    p = put(p, l->bits, 2);
    if (l->fact) {
        p = put(p, 0, 2); /* cbSize */
        p = put_id(p, "fact");
        p = put(p, 4, 4);
        p = put(p, frames > PYMA_RIFF_LIMIT ? PYMA_RIFF_LIMIT : frames, 4);
    }
    p = put_id(p, "data");
    put(p, data > PYMA_RIFF_LIMIT || rf64 ? PYMA_RIFF_LIMIT : data, 4);
    return rf64;
}

/* Checks the format arguments and fills *l (GIL held; -1 with ValueError/TypeError). */
int
pyma_wav_layout_from_args(pyma_wav_layout *l, PyObject *fmt_obj, PyObject *ch_obj, PyObject *rate_obj, long tag, int room,
                 const pyma_format_info **info_out)
{
    long fmt, channels;
    unsigned long long rate;
    const pyma_format_info *info;

    if (pyma_arg(fmt_obj, PYMA_ARG_FORMAT, 0, "sample_format", &fmt) < 0) {
        return -1;
    }
    info = pyma_format_info_get((ma_format)fmt);
    /* WAV's own channel limit (the frame size is a 16-bit field), beyond miniaudio's 254 */
    if (!PyLong_Check(ch_obj) || PyBool_Check(ch_obj)) {
        PyErr_Format(PyExc_TypeError, "nchannels must be an int, not %.200s", Py_TYPE(ch_obj)->tp_name);
        return -1;
    }
    channels = PyLong_AsLong(ch_obj);
    if (channels == -1 && PyErr_Occurred()) {
        PyErr_Clear();
        channels = 0;
    }
    if (channels < 1 || channels > 0xFFFF / info->width) {
        PyErr_Format(PyExc_ValueError, "nchannels must be 1..%d for %d-byte samples (a WAV frame has at most "
                     "65535 bytes), not %R", 0xFFFF / info->width, info->width, ch_obj);
        return -1;
    }
    if (!PyLong_Check(rate_obj) || PyBool_Check(rate_obj)) {
        PyErr_Format(PyExc_TypeError, "sample_rate must be an int, not %.200s", Py_TYPE(rate_obj)->tp_name);
        return -1;
    }
    rate = PyLong_AsUnsignedLongLong(rate_obj);
    if (rate == (unsigned long long)-1 && PyErr_Occurred()) {
        PyErr_Clear();
        rate = 0;
    }
    /* the header holds the rate and the byte rate (rate x frame bytes) in 32 bits */
    if (rate < 1 || rate > PYMA_RIFF_LIMIT / ((unsigned long long)channels * (unsigned long long)info->width)) {
        PyErr_Format(PyExc_ValueError, "sample_rate must be 1..%llu for %ld channels of %d bytes (a WAV header holds "
                     "the byte rate in 32 bits), not %R",
                     (unsigned long long)PYMA_RIFF_LIMIT / ((unsigned long long)channels * (unsigned long long)info->width),
                     channels, info->width, rate_obj);
        return -1;
    }
    l->channels = (ma_uint16)channels;
    l->rate = (ma_uint32)rate;
    l->bits = (ma_uint16)(info->width * 8);
    l->block = (ma_uint16)(info->width * channels);
    /* the samples' own tag, or A-law / mu-law asked for 8-bit codes */
    if ((tag == 6 || tag == 7) && info->format == ma_format_u8) {
        l->tag = (ma_uint16)tag;
    }
    else {
        l->tag = info->format == ma_format_f32 ? 3 : 1;
    }
    l->fact = l->tag != 1;
    l->room = room;
    *info_out = info;
    return 0;
}

const char pyma_wav_header_doc[] =
    "_wav_header($module, /, sample_format, nchannels, sample_rate, frames, tag=0)\n--\n\n"
    "The classic header (no room for RF64) of a WAV file of `frames` frames: WavFileReadStream's.";

PyObject *
pyma_wav_header(PyObject *module, PyObject *args, PyObject *kwargs)
{
    static char *kwlist[] = {"sample_format", "nchannels", "sample_rate", "frames", "tag", NULL};
    PyObject *fmt_obj, *ch_obj, *rate_obj, *out;
    unsigned long long frames;
    long tag = 0;
    pyma_wav_layout l;
    const pyma_format_info *info;

    (void)module;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "OOOK|l:_wav_header", kwlist, &fmt_obj, &ch_obj, &rate_obj,
                                     &frames, &tag) ||
        pyma_wav_layout_from_args(&l, fmt_obj, ch_obj, rate_obj, tag, 0, &info) < 0) {
        return NULL;
    }
    if (frames > (PYMA_RIFF_LIMIT - pyma_wav_header_size(&l)) / l.block) {
        PyErr_Format(PyExc_ValueError, "frames: %llu frames do not fit a WAV file", frames);
        return NULL;
    }
    out = PyBytes_FromStringAndSize(NULL, (Py_ssize_t)pyma_wav_header_size(&l));
    if (out != NULL) {
        pyma_wav_build_header((unsigned char *)PyBytes_AS_STRING(out), &l, frames * l.block, 0);
    }
    return out;
}
