/* pull_raw.c: the raw PCM kind of the source layer (pull.c), behind stream_raw_pcm_memory().
 *
 * It serves frames of a PCM buffer it holds (the caller's object's buffer, exported until the
 * stream is released).  Its Python face is 1.71's: next()/send(n) give memoryview slices of the
 * data (a partial last frame included), made by the kind's `chunk` hook; a device or a chain pulls
 * whole frames by memcpy without the GIL.  Seeks only move the frame counter.
 */
#include "_miniaudio.h"

typedef struct {
    pyma_pull base;
    Py_buffer view;  /* the PCM data (held until free) */
    PyObject *mv;    /* memoryview of the data cast to bytes, sliced for chunks (owned) */
    ma_uint64 length; /* frames, a partial last frame counted */
} raw_pull;

/* Whole frames from `at`.  at <= length (seek() and claims keep it so): no product below wraps.
 * No Python API. */
static ma_result
raw_read(pyma_pull *pull, void *out, ma_uint64 frames, ma_uint64 *got)
{
    raw_pull *raw = (raw_pull *)pull;
    ma_uint64 left = (ma_uint64)raw->view.len / pull->frame_bytes;

    left = left > pull->at ? left - pull->at : 0;
    *got = frames < left ? frames : left;
    if (*got > 0) {
        memcpy(out, (const char *)raw->view.buf + pull->at * pull->frame_bytes, (size_t)(*got * pull->frame_bytes));
    }
    return *got == 0 ? MA_AT_END : MA_SUCCESS;
}

/* Any frame up to the length (seek() checks it first).  No Python API. */
static ma_result
raw_seek(pyma_pull *pull, ma_uint64 frame)
{
    (void)pull;
    (void)frame;
    return MA_SUCCESS;
}

/* The next slice of the data (1.71: a memoryview of bytes; a partial last frame is given too, and
 * counted).  GIL held. */
static PyObject *
raw_chunk(pyma_pull *pull, Py_ssize_t frames)
{
    raw_pull *raw = (raw_pull *)pull;
    ma_uint64 fb = pull->frame_bytes, offset, end, len = (ma_uint64)raw->view.len;

    if (pull->at >= raw->length) {
        PyErr_SetNone(PyExc_StopIteration);
        return NULL;
    }
    offset = pull->at * fb;
    end = len - offset;
    if ((ma_uint64)frames < end / fb + 1) {
        end = offset + (ma_uint64)frames * fb;
    }
    else {
        end = len;
    }
    if (end > len) {
        end = len;
    }
    pull->at += (end - offset + fb - 1) / fb;
    return PySequence_GetSlice(raw->mv, (Py_ssize_t)offset, (Py_ssize_t)end);
}

static int
raw_traverse(pyma_pull *pull, visitproc visit, void *arg)
{
    raw_pull *raw = (raw_pull *)pull;
    Py_VISIT(raw->mv);
    Py_VISIT(raw->view.obj);
    return 0;
}

/* GIL held; releasing the buffer may run Python (the stream has already let go of the kind). */
static void
raw_free(pyma_pull *pull)
{
    raw_pull *raw = (raw_pull *)pull;

    Py_CLEAR(raw->mv);
    if (raw->view.obj != NULL) {
        PyBuffer_Release(&raw->view);
    }
    PyMem_Free(raw);
}

const char pyma_stream_raw_doc[] =
    "stream_raw($module, data, /, nchannels, sample_width, frames_to_read, output_format)\n--\n\n"
    "A DecoderStream serving `data` (raw interleaved PCM, any C-contiguous buffer) as memoryview\n"
    "slices of frames_to_read frames; output_format is the SampleFormat it holds, or None.";

PyObject *
pyma_stream_raw(PyObject *module, PyObject *args, PyObject *kwargs)
{
    static char *kwlist[] = {"", "nchannels", "sample_width", "frames_to_read", "output_format", NULL};
    pyma_state *st = pyma_get_state(module);
    PyObject *data, *format_obj = Py_None;
    int nchannels, width;
    long format = 0;
    Py_ssize_t frames_to_read;
    StreamObject *self;
    raw_pull *raw;

    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "OiinO:stream_raw", kwlist, &data, &nchannels, &width,
                                     &frames_to_read, &format_obj)) {
        return NULL;
    }
    if (nchannels < 1 || nchannels > MA_MAX_CHANNELS) {
        PyErr_Format(PyExc_ValueError, "nchannels must be 1..%d, not %d", MA_MAX_CHANNELS, nchannels);
        return NULL;
    }
    if (width < 1 || width > 4) {
        PyErr_Format(PyExc_ValueError, "sample_width must be 1..4 bytes, not %d", width);
        return NULL;
    }
    if (frames_to_read < 1) {
        PyErr_Format(PyExc_ValueError, "frames_to_read must be at least 1, not %zd", frames_to_read);
        return NULL;
    }
    if (format_obj != Py_None && pyma_arg(format_obj, PYMA_ARG_FORMAT, 0, "output_format", &format) < 0) {
        return NULL;
    }
    self = PyObject_GC_New(StreamObject, st->stream_type);
    if (self == NULL) {
        return NULL;
    }
    memset(&self->src, 0, sizeof(*self) - offsetof(StreamObject, src));
    self->closed = 1;
    self->format_obj = Py_NewRef(format_obj);
    self->frames_to_read = frames_to_read;
    self->channels = (ma_uint32)nchannels;
    self->frame_bytes = (ma_uint64)nchannels * (ma_uint64)width;
    self->fmt = format != 0 ? pyma_format_info_get((ma_format)format) : NULL;
    if (self->fmt != NULL && self->fmt->width != width) {
        PyErr_Format(PyExc_ValueError, "sample_width %d does not match output_format %s", width,
                     ma_get_format_name((ma_format)format));
        goto error;
    }
    raw = PyMem_Calloc(1, sizeof(*raw));
    if (raw == NULL) {
        PyErr_NoMemory();
        goto error;
    }
    raw->base.format = self->fmt != NULL ? self->fmt->format : ma_format_unknown;
    raw->base.channels = (ma_uint32)nchannels;
    raw->base.frame_bytes = (ma_uint32)self->frame_bytes;
    raw->base.length_exact = 1;
    raw->base.read = raw_read;
    raw->base.seek = raw_seek;
    raw->base.chunk = raw_chunk;
    raw->base.traverse = raw_traverse;
    raw->base.free = raw_free;
    self->pull = &raw->base; /* released with the stream from here on */
    if (pyma_get_read_buffer(data, &raw->view, "pcmdata") < 0) {
        goto error;
    }
    raw->mv = PyMemoryView_FromObject(data);
    if (raw->mv != NULL &&
        (PyMemoryView_GET_BUFFER(raw->mv)->itemsize != 1 || PyMemoryView_GET_BUFFER(raw->mv)->ndim != 1)) {
        Py_SETREF(raw->mv, PyObject_CallMethod(raw->mv, "cast", "s", "B"));
    }
    if (raw->mv == NULL) {
        goto error;
    }
    /* A partial last frame counts: next() gives it (as 1.71 did) and position counts it. */
    raw->length = ((ma_uint64)raw->view.len + self->frame_bytes - 1) / self->frame_bytes;
    self->length = raw->length;
    self->length_known = 1;
    self->position_real = 1;
    self->closed = 0;
    PyObject_GC_Track(self); /* only now: half-built, it must not be found by gc.get_referrers */
    return (PyObject *)self;
error:
    Py_DECREF(self);
    return NULL;
}
