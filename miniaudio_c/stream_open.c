/* stream_open.c: stream(), the module function that opens a DecoderStream over a decoder (the
 * functions stream_file(), stream_memory(), stream_any() and the per-format ones call it): argument
 * checks, opening the source and the decoder with the stream busy and untracked, a plausible
 * length, the loop range, and the start at seek_frame.  The type itself is in stream.c.
 */
#include "_miniaudio.h"

#include <stddef.h>

/* Frames any input byte could decode to, at most (a FLAC frame of 65535 constant samples takes a few
 * bytes); a header claiming more for the input's size is not believed. */
#define STREAM_FRAMES_PER_BYTE_MAX ((ma_uint64)65536)

/* Whether a decoder's `length` can be right: 1 to 2**63 - 1 frames (seek() takes a signed 64-bit
 * frame), and no more than the input's size could hold where that size is known. */
static int
stream_length_plausible(StreamObject *self, ma_uint64 length)
{
    ma_uint64 bound, in_rate = self->src.desc.sample_rate, out_rate = self->sample_rate;

    if (length == 0 || length > (ma_uint64)INT64_MAX) {
        return 0;
    }
    if (self->src.input_size == 0 || self->src.input_size > UINT64_MAX / STREAM_FRAMES_PER_BYTE_MAX / 2) {
        return 1;
    }
    bound = self->src.input_size * STREAM_FRAMES_PER_BYTE_MAX + STREAM_FRAMES_PER_BYTE_MAX;
    if (in_rate != 0 && out_rate > in_rate) {
        bound = bound / in_rate + 1;
        bound = bound > UINT64_MAX / out_rate ? UINT64_MAX : bound * out_rate;
    }
    return length <= bound;
}

/* The loop arguments of pyma_stream: loop 0 (none), -1 (forever) or N >= 1 passes; loop_start >= 0;
 * loop_end -1 (the end) or above loop_start; the first pass starts before loop_end.  GIL held; -1
 * with ValueError naming the argument. */
static int
stream_check_loop(long long loop, long long loop_start, long long loop_end, long long seek_frame)
{
    if (loop < -1) {
        PyErr_Format(PyExc_ValueError, "loop must be True, False or a number of passes >= 1, not %lld", loop);
        return -1;
    }
    if (loop == 0 && (loop_start != 0 || loop_end != -1)) {
        PyErr_SetString(PyExc_ValueError, "loop_start and loop_end need loop=True or a number of passes");
        return -1;
    }
    if (loop_start < 0) {
        PyErr_Format(PyExc_ValueError, "loop_start must be >= 0, not %lld", loop_start);
        return -1;
    }
    if (loop_end < -1) {
        PyErr_Format(PyExc_ValueError, "loop_end must be > loop_start or None, not %lld", loop_end);
        return -1;
    }
    if (loop_end >= 0 && loop_start >= loop_end) {
        PyErr_Format(PyExc_ValueError, "loop_start (%lld) must be below loop_end (%lld)", loop_start, loop_end);
        return -1;
    }
    if (loop != 0 && loop_end >= 0 && seek_frame >= loop_end) {
        PyErr_Format(PyExc_ValueError, "seek_frame (%lld) must be below loop_end (%lld): the first pass starts there",
                     seek_frame, loop_end);
        return -1;
    }
    return 0;
}

const char pyma_stream_doc[] =
    "stream($module, source, /, kind, encoding, output_format, nchannels, sample_rate,\n"
    "       frames_to_read=1024, dither=0, seek_frame=0, chunk_type=0, wrap=None, seek_origins=None,\n"
    "       loop=0, loop_start=0, loop_end=-1)\n--\n\n"
    "A DecoderStream over `source`: kind 0 a bytes-like object, 1 a filename, 2 a Python object\n"
    "with read(n) and seek(offset, origin), origin one of the seek_origins (START, CURRENT, END).\n"
    "nchannels and sample_rate may be 0 for the source's own.  loop: 0 none, -1 forever, N passes in all\n"
    "of [loop_start, loop_end) (loop_end -1: the end), the first from seek_frame.";

PyObject *
pyma_stream(PyObject *module, PyObject *args, PyObject *kwargs)
{
    static char *kwlist[] = {"",           "kind",       "encoding", "output_format", "nchannels", "sample_rate",
                             "frames_to_read", "dither", "seek_frame", "chunk_type", "wrap", "seek_origins",
                             "loop", "loop_start", "loop_end", NULL};
    pyma_state *st = pyma_get_state(module);
    PyObject *obj, *encoding_obj, *format_obj, *channels_obj, *rate_obj, *dither_obj = NULL, *wrap = Py_None;
    PyObject *seek_origins = Py_None;
    int kind, chunk_type = PYMA_CHUNK_ARRAY, ended_at = 0; /* ended_at: opened at the end, before seek_frame */
    long encoding, format, channels, rate, dither = 0;
    Py_ssize_t frames_to_read = 1024;
    long long seek_frame = 0, loop = 0, loop_start = 0, loop_end = -1; /* loop_end -1: the end */
    StreamObject *self = NULL;
    ma_decoder_config config;
    ma_uint64 length = 0;
    ma_result r = MA_SUCCESS;

    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "OiOOOO|nOLiOOLLL:stream", kwlist, &obj, &kind, &encoding_obj,
                                     &format_obj, &channels_obj, &rate_obj, &frames_to_read, &dither_obj, &seek_frame,
                                     &chunk_type, &wrap, &seek_origins, &loop, &loop_start, &loop_end) ||
        pyma_arg(encoding_obj, PYMA_ARG_ENCODING, 1, "source_format", &encoding) < 0 ||
        pyma_arg(format_obj, PYMA_ARG_FORMAT, 0, "output_format", &format) < 0 ||
        pyma_arg(channels_obj, PYMA_ARG_CHANNELS, 1, "nchannels", &channels) < 0 ||
        pyma_arg(rate_obj, PYMA_ARG_SAMPLE_RATE, 1, "sample_rate", &rate) < 0 ||
        pyma_arg(dither_obj, PYMA_ARG_DITHER, 0, "dither", &dither) < 0) {
        return NULL;
    }
    if (kind < PYMA_SOURCE_MEMORY || kind > PYMA_SOURCE_PYTHON) {
        PyErr_Format(PyExc_ValueError, "kind must be 0, 1 or 2, not %d", kind);
        return NULL;
    }
    if (kind == PYMA_SOURCE_PYTHON && (!PyTuple_Check(seek_origins) || PyTuple_GET_SIZE(seek_origins) != 3)) {
        PyErr_SetString(PyExc_TypeError, "a Python source needs seek_origins, a tuple (START, CURRENT, END)");
        return NULL;
    }
    if (frames_to_read < 1) {
        PyErr_Format(PyExc_ValueError, "frames_to_read must be at least 1, not %zd", frames_to_read);
        return NULL;
    }
    if (seek_frame < 0) {
        PyErr_Format(PyExc_ValueError, "seek_frame must be >= 0, not %lld", seek_frame);
        return NULL;
    }
    if (chunk_type != PYMA_CHUNK_ARRAY && chunk_type != PYMA_CHUNK_BYTES) {
        PyErr_Format(PyExc_ValueError, "chunk_type must be 0 (array) or 1 (bytes), not %d", chunk_type);
        return NULL;
    }
    if (stream_check_loop(loop, loop_start, loop_end, seek_frame) < 0) {
        return NULL;
    }
    if (chunk_type == PYMA_CHUNK_ARRAY && pyma_format_info_get((ma_format)format)->typecode == '\0') {
        PyErr_SetString(PyExc_ValueError, "output_format SIGNED24 cannot be held in an array.array; stream it as "
                                          "bytes, or as SIGNED32 or FLOAT32");
        return NULL;
    }
    if (wrap != Py_None && !PyCallable_Check(wrap)) {
        PyErr_SetString(PyExc_TypeError, "wrap must be callable or None");
        return NULL;
    }
    self = PyObject_GC_New(StreamObject, st->stream_type);
    if (self == NULL) {
        return NULL;
    }
    memset(&self->src, 0, sizeof(*self) - offsetof(StreamObject, src));
    self->fmt = pyma_format_info_get((ma_format)format);
    self->frames_to_read = frames_to_read;
    self->chunk_type = chunk_type;
    self->wrap = wrap == Py_None ? NULL : Py_NewRef(wrap);
    self->format_obj = Py_NewRef(format_obj);
    self->closed = 1; /* until the decoder is open */
    /* Opening calls the Python source: until it is done the stream is busy (every method refuses it)
     * and not GC-tracked (gc.get_referrers(source) cannot hand it out half-built). */
    self->opening = 1;
    pyma_stream_set_busy(self);

    if (pyma_source_take(&self->src, obj, (pyma_source_kind)kind, (ma_encoding_format)encoding) < 0) {
        goto error;
    }
    if (kind == PYMA_SOURCE_PYTHON) {
        self->src.seek_origins = Py_NewRef(seek_origins);
    }
    config = ma_decoder_config_init((ma_format)format, (ma_uint32)channels, (ma_uint32)rate);
    config.encodingFormat = self->src.encoding;
    config.ditherMode = (ma_dither_mode)dither;
    if (pyma_source_open(st, &self->src, &config) < 0) {
        goto error;
    }
    if (!self->src.desc.decodable) {
        /* As decode() says it: dr_wav opens a WAV of a codec it cannot decode (its header parses),
         * and every read would give nothing while seeks moved through the bytes. */
        pyma_raise(st, MA_FORMAT_NOT_SUPPORTED, PYMA_ERR_DECODE, "cannot decode %s: WAV codec 0x%04x is not supported",
                   self->src.path != NULL ? "the file" : "the data", (unsigned int)self->src.desc.sub_format);
        goto error;
    }
    if (loop != 0 && kind == PYMA_SOURCE_PYTHON) {
        int can_seek = pyma_source_can_seek(&self->src);
        if (can_seek < 0) {
            pyma_raise_callback_error(st, &self->src, "error in the source's seek()");
            goto error;
        }
        if (can_seek == 0) {
            PyErr_SetString(PyExc_ValueError, "loop needs a source that can seek: this source's seek() returns "
                                              "False (a pipe or socket cannot go back to loop_start)");
            goto error;
        }
    }
    self->closed = 0;
    self->frame_bytes = (ma_uint64)self->fmt->width * self->src.decoder.outputChannels;
    self->channels = self->src.decoder.outputChannels;
    self->sample_rate = self->src.decoder.outputSampleRate;
    self->pull = pyma_pull_decoder_new(&self->src, (ma_uint32)self->frame_bytes);
    if (self->pull == NULL) {
        goto error;
    }
    Py_BEGIN_ALLOW_THREADS
    if (self->src.desc.length_is_cheap) {
        /* Only where it needs no decoding of the whole file (not MP3 without a Xing header). */
        if (pyma_decoder_get_length(&self->src.decoder, &length) != MA_SUCCESS) {
            length = 0;
        }
    }
    self->length_known = stream_length_plausible(self, length);
    Py_END_ALLOW_THREADS
    if (loop != 0 && self->length_known) {
        if (loop_end >= 0 && (ma_uint64)loop_end > length) {
            PyErr_Format(PyExc_ValueError, "loop_end %lld is past the end of the stream (%llu frames)", loop_end,
                         (unsigned long long)length);
            goto error;
        }
        if (loop_end < 0 && (ma_uint64)loop_start >= length) {
            PyErr_Format(PyExc_ValueError, "loop_start %lld is not within the stream (%llu frames)", loop_start,
                         (unsigned long long)length);
            goto error;
        }
    }
    self->pull->loop_passes = loop;
    self->pull->loop_start = (ma_uint64)loop_start;
    self->pull->loop_end = loop_end < 0 ? 0 : (ma_uint64)loop_end;
    if (seek_frame > 0) {
        ma_uint64 landed = (ma_uint64)seek_frame;
        r = pyma_stream_open_at(self, (ma_uint64)seek_frame, &landed);
        if (r == MA_SUCCESS && landed < (ma_uint64)seek_frame) {
            /* Past the end (dr_wav stops there; a pipe's skip ends there): the stream starts where
             * the decoder is, empty, and `position` says so (as seek() would, were the target
             * within a stated length). */
            seek_frame = (long long)landed;
            ended_at = 1;
        }
    }
    self->length = length;
    /* An MP3's count (Xing/Info) is a hint that only a known size can check, so an MP3 that
     * decodes nothing is empty from every input alike, as decode() has it (no DecodeError); so is
     * a WAV-family header over a source of unknown size (a pipe), which dr_wav cannot hold to the
     * data there as it does for memory, paths and file objects (patch 0027). */
    self->announced = self->src.desc.encoding == ma_encoding_format_mp3 ||
                              (self->src.desc.encoding == ma_encoding_format_wav && self->src.input_size == 0)
                          ? 0
                          : length;
    self->fresh = seek_frame == 0;
    self->position = (ma_uint64)seek_frame;
    self->position_real = seek_frame == 0 || ended_at || (self->length_known && (ma_uint64)seek_frame <= length);
    self->position_assumed = self->position_real && !ended_at && seek_frame != 0;
    if (self->length_known && (ma_uint64)seek_frame > length) {
        self->length_known = 0; /* the decoder found frames past the stated length: it understates */
    }
    if (self->src.callback_error != NULL) {
        pyma_raise_callback_error(st, &self->src, "error in seek/read callback");
        goto error;
    }
    if (pyma_check(st, r, PYMA_ERR_DECODE, "failed to seek to frame %lld", seek_frame) < 0) {
        goto error;
    }
    self->busy = self->opening = 0;
    PyObject_GC_Track(self);
    return (PyObject *)self;
error:
    self->busy = self->opening = 0;
    /* Never tracked: dealloc's untrack is a no-op for it. */
    Py_DECREF(self);
    return NULL;
}
