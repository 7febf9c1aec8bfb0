/* pull.c: the source layer, what a stream or a device's audio thread pulls frames from.
 *
 * A pyma_pull (declared in _miniaudio.h) is a kind's reader: a miniaudio data source and/or the
 * kind's own hooks.  This file reads, seeks and skips any of them, and gives every kind what it
 * does not have to write itself: short reads filled, the frame counter `at`, and looping (a read
 * that reaches the loop's end seeks the kind back to loop_start and goes on).  It also builds the
 * DecoderStream over a kind that has no constructor of its own.  Kinds: pull_decoder.c (decoders),
 * pull_raw.c (raw PCM), gen.c (waveforms, pulse waves, noise), chain.c (gapless chains).
 */
#include "_miniaudio.h"


/* One seek of the kind, without the cursor check.  No Python API. */
static ma_result
kind_seek(pyma_pull *pull, ma_uint64 frame, ma_uint64 *landed, int wrap, int within)
{
    ma_result r;

    pull->landed = frame;
    pull->kept_place = 0;
    pull->wrapping = wrap;
    pull->within = within;
    r = pull->seek != NULL ? pull->seek(pull, frame) : ma_data_source_seek_to_pcm_frame(pull->ds, frame);
    *landed = pull->landed;
    return r;
}

/* pyma_pull_read for a looping pull: reads up to the range's end (loop_end, or the kind's end when
 * 0), then seeks the kind to loop_start (for a decoder the exact seek, a resampler restarted as
 * seek() restarts it) and goes on in the same read, until `frames` are there or the last pass ends.
 * pull->at is the kind's frame throughout; *got is 0 on entry.  No Python API (a Python source's callbacks take the GIL
 * themselves). */
ma_result
pyma_pull_read_looping(pyma_pull *pull, void *out, ma_uint64 frames, ma_uint64 *got)
{
    ma_uint64 step, limit, landed, pass_start = pull->at;
    ma_result r = MA_SUCCESS;

    while (*got < frames) {
        limit = frames - *got;
        if (pull->loop_end != 0) {
            ma_uint64 left = pull->at < pull->loop_end ? pull->loop_end - pull->at : 0;
            limit = limit < left ? limit : left;
        }
        step = 0;
        r = MA_SUCCESS;
        if (limit > 0) {
            r = pyma_pull_read_once(pull, (char *)out + *got * pull->frame_bytes, limit, &step);
            *got += step;
            pull->at += step;
        }
        if (pyma_pull_failed(pull) || (r != MA_SUCCESS && r != MA_AT_END)) {
            return r == MA_SUCCESS ? MA_ERROR : r;
        }
        if (step > 0 && r == MA_SUCCESS) {
            continue; /* more may follow (a decoder may read short mid-stream); the range end shows next */
        }
        /* The end of the range (limit 0) or of the kind (a 0-frame read or MA_AT_END). */
        if (pull->loop_passes > 0 && (ma_uint64)pull->loop_passes <= pyma_aload64(&pull->loops_done) + 1) {
            return MA_AT_END; /* the last pass is over */
        }
        if (pull->at <= pull->loop_start && pull->at <= pass_start) {
            return MA_AT_END; /* a pass that gave nothing (the kind ends before loop_start) */
        }
        r = kind_seek(pull, pull->loop_start, &landed, 1, 0);
        if (r == MA_SUCCESS && landed != pull->loop_start) {
            r = MA_BAD_SEEK;
        }
        if (r != MA_SUCCESS || pyma_pull_failed(pull)) {
            return r == MA_SUCCESS ? MA_BAD_SEEK : r;
        }
        pull->at = pass_start = pull->loop_start;
        pyma_astore64(&pull->loops_done, pull->loops_done + 1);
    }
    return MA_SUCCESS;
}

static ma_result
pull_seek(pyma_pull *pull, ma_uint64 frame, ma_uint64 *landed, int within)
{
    ma_result r;

    if (pull->before_read != NULL) {
        pull->before_read(pull); /* a seek lands with the parameters the next read has */
    }
    r = kind_seek(pull, frame, landed, 0, within);
    if (within && r == MA_SUCCESS && *landed < frame) {
        return MA_AT_END; /* the input ended first (the kind put itself back where it could) */
    }
    if (r == MA_SUCCESS && *landed == frame && pull->cursor != NULL) {
        (void)pull->cursor(pull, landed);
    }
    return r;
}

ma_result
pyma_pull_seek(pyma_pull *pull, ma_uint64 frame, ma_uint64 *landed)
{
    return pull_seek(pull, frame, landed, 0);
}

ma_result
pyma_pull_seek_within(pyma_pull *pull, ma_uint64 frame, ma_uint64 *landed)
{
    return pull_seek(pull, frame, landed, 1);
}

ma_result
pyma_pull_skip(pyma_pull *pull, ma_uint64 frame, ma_uint64 *landed)
{
    ma_result r;

    *landed = pull->at;
    if (pull->skip == NULL) {
        return MA_NOT_IMPLEMENTED;
    }
    r = pull->skip(pull, frame, landed);
    if (*landed < pull->at) {
        *landed = pull->at;
    }
    return r;
}

PyObject *
pyma_stream_over_pull(PyTypeObject *type, pyma_pull *pull, PyObject *format_obj, Py_ssize_t frames_to_read,
                      int chunk_type, PyObject *wrap)
{
    StreamObject *self;
    const pyma_format_info *fmt = pyma_format_info_get(pull->format);

    if (fmt == NULL || frames_to_read < 1 || (chunk_type != PYMA_CHUNK_ARRAY && chunk_type != PYMA_CHUNK_BYTES) ||
        (wrap != NULL && wrap != Py_None && !PyCallable_Check(wrap))) {
        pull->free(pull);
        PyErr_SetString(PyExc_SystemError, "pyma_stream_over_pull: bad arguments");
        return NULL;
    }
    if (chunk_type == PYMA_CHUNK_ARRAY && fmt->typecode == '\0') {
        pull->free(pull);
        PyErr_SetString(PyExc_ValueError, "output_format SIGNED24 cannot be held in an array.array; use chunk_type "
                                          "\"bytes\", or SIGNED32 or FLOAT32");
        return NULL;
    }
    self = PyObject_GC_New(StreamObject, type);
    if (self == NULL) {
        pull->free(pull);
        return NULL;
    }
    memset(&self->src, 0, sizeof(*self) - offsetof(StreamObject, src));
    pull->frame_bytes = (ma_uint32)fmt->width * pull->channels;
    self->pull = pull;
    self->fmt = fmt;
    self->channels = pull->channels;
    self->sample_rate = pull->sample_rate;
    self->frame_bytes = (ma_uint64)fmt->width * pull->channels;
    self->frames_to_read = frames_to_read;
    self->chunk_type = chunk_type;
    self->wrap = (wrap == NULL || wrap == Py_None) ? NULL : Py_NewRef(wrap);
    self->format_obj = Py_NewRef(format_obj);
    self->position_real = 1;
    if (!pull->infinite && ma_data_source_get_length_in_pcm_frames(pull->ds, &self->length) == MA_SUCCESS &&
        self->length > 0 && self->length <= (ma_uint64)INT64_MAX) {
        self->length_known = 1;
    }
    self->closed = 0;
    PyObject_GC_Track(self);
    return (PyObject *)self;
}
