/* pull.c: the source layer, what a stream or a device's audio thread pulls frames from.
 *
 * A pyma_pull (declared in _miniaudio.h) is a miniaudio data source plus a kind's own hooks; this
 * file reads and seeks any of them and builds the DecoderStream over one.  The stream then does
 * for it what it does for a decoder: chunks as array.array, bytes or numpy, send(n), seek(),
 * position, a device's GIL-free claim.  Kinds: gen.c (waveforms, pulse waves, noise).
 */
#include "_miniaudio.h"

ma_result
pyma_pull_read(pyma_pull *pull, void *out, ma_uint64 frames, ma_uint64 *got)
{
    ma_uint64 step;
    ma_result r = MA_SUCCESS;

    *got = 0;
    if (pull->before_read != NULL) {
        pull->before_read(pull);
    }
    /* miniaudio's data sources may return fewer frames than asked mid-stream: fill, as decoders do. */
    while (*got < frames) {
        step = 0;
        void *at = (char *)out + *got * ma_get_bytes_per_frame(pull->format, pull->channels);
        r = pull->read != NULL ? pull->read(pull, at, frames - *got, &step)
                               : ma_data_source_read_pcm_frames(pull->ds, at, frames - *got, &step);
        *got += step;
        if (r != MA_SUCCESS || step == 0) {
            break;
        }
    }
    return r == MA_AT_END ? (*got > 0 ? MA_SUCCESS : MA_AT_END) : r;
}

ma_result
pyma_pull_seek(pyma_pull *pull, ma_uint64 frame)
{
    if (pull->before_read != NULL) {
        pull->before_read(pull); /* a seek lands with the parameters the next read has */
    }
    return pull->seek != NULL ? pull->seek(pull, frame) : ma_data_source_seek_to_pcm_frame(pull->ds, frame);
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
    self->mode = PYMA_MODE_PULL;
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
