/* pull_dsp.c: processed streams, a pyma_pull kind (the source layer, pull.c): stream.then(*processors).
 *
 * A processed stream reads its source stream (claimed for its whole life, as chain.c claims its
 * members: Python cannot use the source meanwhile) through pyma_stream_pull, then runs each
 * processor (dsp.c: LowPass, Gain, ...) in order, in place, with pyma_proc_run.  A float32 source is
 * processed in the output buffer itself; other formats go through a float32 scratch block allocated
 * at construction (DSP_BLOCK frames) and back, with the same conversions as a processor's offline
 * process() on integer arrays, so that the frames are the same bit for bit.  The read runs on
 * whichever thread pulls (next() with the GIL released, or a device's audio thread): no GIL, no
 * allocation, no waits (parameter changes reach the processors through their pending handoff).
 * The processors are bound to the source's channels and rate and attached to this pull (its
 * address is the owner identity) until the stream is released (pull->free, GIL held), which
 * detaches them, unclaims the source and drops the references.  seek() seeks the source and resets
 * the processors; position, loops and length follow the source.
 */
#include "_miniaudio.h"

#include <math.h>

#define DSP_BLOCK 1024 /* frames converted to float32 and processed at a time (non-float sources) */

typedef struct {
    pyma_pull base;
    PyObject *source;          /* the source stream (owned, claimed by this pull) */
    float *scratch;            /* PyMem_Raw: DSP_BLOCK frames of float32; NULL for a float32 source */
    Py_ssize_t count;
    ProcessorObject *procs[];  /* owned, attached to this pull once `attached` */
} dsp_pull;

/* ---- sample conversions (no Python API) ----------------------------------------------------
 * The one conversion between integer samples and float32 that process() (dsp.c) and processed
 * streams share, so that both give the same samples: full scale at 1.0, back with rounding to
 * nearest (ties to even), clipping, NaN -> 0; u8 and s24 the same way at their own scales. */

void
pyma_pcm_to_f32(ma_format format, const void *src, float *dst, size_t n)
{
    size_t i;
    switch (format) {
    case ma_format_u8:
        for (i = 0; i < n; i++) {
            dst[i] = (float)((int)((const ma_uint8 *)src)[i] - 128) / 128.0f;
        }
        break;
    case ma_format_s16:
        for (i = 0; i < n; i++) {
            dst[i] = (float)((const ma_int16 *)src)[i] / 32768.0f;
        }
        break;
    case ma_format_s24:
        for (i = 0; i < n; i++) {
            const ma_uint8 *b = (const ma_uint8 *)src + 3 * i;
            ma_int32 v = (ma_int32)(((ma_uint32)b[0] << 8) | ((ma_uint32)b[1] << 16) | ((ma_uint32)b[2] << 24)) >> 8;
            dst[i] = (float)v / 8388608.0f;
        }
        break;
    case ma_format_s32:
        for (i = 0; i < n; i++) {
            dst[i] = (float)((double)((const ma_int32 *)src)[i] / 2147483648.0);
        }
        break;
    default: break;
    }
}

void
pyma_pcm_from_f32(ma_format format, const float *src, void *dst, size_t n)
{
    size_t i;
    switch (format) {
    case ma_format_u8:
        for (i = 0; i < n; i++) {
            float v = src[i] * 128.0f;
            long q = v >= 127.0f ? 127 : v <= -128.0f ? -128 : v == v ? lrintf(v) : 0;
            ((ma_uint8 *)dst)[i] = (ma_uint8)(q + 128);
        }
        break;
    case ma_format_s16:
        for (i = 0; i < n; i++) {
            float v = src[i] * 32768.0f;
            ((ma_int16 *)dst)[i] = v >= 32767.0f ? 32767 : v <= -32768.0f ? -32768 : v == v ? (ma_int16)lrintf(v) : 0;
        }
        break;
    case ma_format_s24:
        for (i = 0; i < n; i++) {
            float v = src[i] * 8388608.0f;
            long q = v >= 8388607.0f ? 8388607 : v <= -8388608.0f ? -8388608 : v == v ? lrintf(v) : 0;
            ma_uint8 *b = (ma_uint8 *)dst + 3 * i;
            b[0] = (ma_uint8)(q & 0xFF);
            b[1] = (ma_uint8)((q >> 8) & 0xFF);
            b[2] = (ma_uint8)((q >> 16) & 0xFF);
        }
        break;
    case ma_format_s32:
        for (i = 0; i < n; i++) {
            double v = (double)src[i] * 2147483648.0;
            ((ma_int32 *)dst)[i] = v >= 2147483647.0   ? 2147483647
                                   : v <= -2147483648.0 ? (ma_int32)-2147483647 - 1
                                   : v == v             ? (ma_int32)llrint(v)
                                                        : 0;
        }
        break;
    default: break;
    }
}

/* ---- the reader (no Python API: next() with the GIL released, or an audio thread) ---------- */

/* Runs every processor, in order, over `frames` frames of the source's format at `buf`, in place. */
static void
dsp_process(dsp_pull *d, void *buf, ma_uint64 frames)
{
    char *at = buf;
    Py_ssize_t i;

    while (frames > 0) {
        ma_uint32 block = frames < DSP_BLOCK ? (ma_uint32)frames : DSP_BLOCK;
        size_t samples = (size_t)block * d->base.channels;
        float *f = d->scratch != NULL ? d->scratch : (float *)at;
        if (d->scratch != NULL) {
            pyma_pcm_to_f32(d->base.format, at, f, samples);
        }
        for (i = 0; i < d->count; i++) {
            pyma_proc_run(d->procs[i], f, block);
        }
        if (d->scratch != NULL) {
            pyma_pcm_from_f32(d->base.format, f, at, samples);
        }
        at += (size_t)block * d->base.frame_bytes;
        frames -= block;
    }
}

static ma_result
dsp_read(pyma_pull *pull, void *out, ma_uint64 frames, ma_uint64 *got)
{
    dsp_pull *d = (dsp_pull *)pull;
    StreamObject *src = (StreamObject *)d->source;
    ma_result r = pyma_stream_pull(d->source, out, frames, got);

    if (*got > 0) {
        dsp_process(d, out, *got);
    }
    /* The position follows the source's (which goes back at a looping source's wraps): pull.c adds
     * *got to `at` after this read (unsigned, so the sum wraps to the source's position exactly). */
    pull->at = pyma_aload64(&src->position) - *got;
    pyma_astore64(&pull->loops_done, pyma_aload64(&src->pull->loops_done));
    return r;
}

/* Seeks the source (its own seek, with its cursor check) and resets every processor's state,
 * taken at the start of its next block.  No Python API: the caller holds the stream busy (seek())
 * or is the chain that holds it (chain_seek), so no other thread reads. */
static ma_result
dsp_seek(pyma_pull *pull, ma_uint64 frame)
{
    dsp_pull *d = (dsp_pull *)pull;
    StreamObject *src = (StreamObject *)d->source;
    ma_uint64 landed = frame;
    ma_result r = pyma_pull_seek(src->pull, frame, &landed);
    Py_ssize_t i;

    if (r == MA_SUCCESS) {
        pyma_astore64(&src->position, landed);
        pyma_astore64(&src->pull->loops_done, 0);
        src->pull_ended = 0;
        pull->landed = landed;
        for (i = 0; i < d->count; i++) {
            pyma_aadd(&d->procs[i]->reset_seq, 1);
        }
    }
    return r;
}

/* ---- life (GIL held) ------------------------------------------------------------------------ */

static int
dsp_traverse(pyma_pull *pull, visitproc visit, void *arg)
{
    dsp_pull *d = (dsp_pull *)pull;
    Py_ssize_t i;

    Py_VISIT(d->source);
    for (i = 0; i < d->count; i++) {
        Py_VISIT((PyObject *)d->procs[i]);
    }
    return 0;
}

/* GIL held, no reader any more (a device that played the stream has stopped; pyma_stream_release). */
static void
dsp_free(pyma_pull *pull)
{
    dsp_pull *d = (dsp_pull *)pull;
    PyObject *source = d->source;
    Py_ssize_t i;

    for (i = 0; i < d->count; i++) {
        ProcessorObject *p = d->procs[i];
        d->procs[i] = NULL;
        if (p != NULL) {
            pyma_proc_detach(p, d);
            Py_DECREF(p);
        }
    }
    d->source = NULL;
    if (source != NULL) {
        pyma_stream_give_back(source);
    }
    PyMem_RawFree(d->scratch);
    PyMem_Free(d);
}

PyObject *
pyma_pull_dsp_source(pyma_pull *pull)
{
    if (pull != NULL && pull->read == dsp_read) {
        return ((dsp_pull *)pull)->source;
    }
    return pyma_pull_conv_source(pull); /* a converted stream (pull_conv.c), or NULL */
}

/* Re-raises the current exception with "then() argument <n>: " in front of its message (same type). */
void
pyma_then_prefix_error(Py_ssize_t n)
{
    PyObject *exc = pyma_err_take();

    if (exc == NULL) {
        return;
    }
    if (PyErr_GivenExceptionMatches(exc, PyExc_Exception) && !PyErr_GivenExceptionMatches(exc, PyExc_MemoryError)) {
        PyErr_Format((PyObject *)Py_TYPE(exc), "then() argument %zd: %S", n, exc);
        Py_DECREF(exc);
    }
    else {
        pyma_err_give(exc);
    }
}

/* Checks the source for then(); -1 with an exception. */
int
pyma_then_check_source(StreamObject *s)
{
    if (s->closed) {
        PyErr_SetString(PyExc_ValueError, "then(): the stream is closed");
        return -1;
    }
    if (s->claimed) {
        PyErr_SetString(PyExc_RuntimeError, "then(): the stream is already played by a device, a chain or another "
                                            "processed stream");
        return -1;
    }
    if (pyma_stream_usable(s, 0) < 0) {
        return -1;
    }
    if (s->finished) {
        PyErr_SetString(PyExc_ValueError, "then(): the stream has already ended: seek() it back first");
        return -1;
    }
    if (s->src.pysource != NULL) {
        PyErr_SetString(PyExc_ValueError, "then(): the stream reads a Python source (stream_any): its reads need "
                                          "the GIL, which a processed stream played by a device does not take; use "
                                          "stream_memory() or stream_file()");
        return -1;
    }
    if (s->fmt == NULL || s->pull == NULL) {
        PyErr_SetString(PyExc_ValueError, "then(): the stream is raw PCM of unknown sample format (4-byte samples "
                                          "could be SIGNED32 or FLOAT32): pass an array.array or a typed buffer");
        return -1;
    }
    return 0;
}

/* Checks processor `obj` (argument n) for the source's channels and rate without changing it: after
 * this, binding can fail only for memory.  GIL held; -1 with an exception. */
int
pyma_then_check_processor(pyma_state *st, PyObject *obj, Py_ssize_t n, ma_uint32 channels, ma_uint32 rate)
{
    ProcessorObject *p = (ProcessorObject *)obj;
    const pyma_dsp_kind_info *k;

    if (!pyma_proc_check(st, obj)) {
        PyErr_Format(PyExc_TypeError, "then() argument %zd must be a processor (LowPass, Gain, Delay, ...) or a "
                     "Converter, not "
                     "%.200s", n, Py_TYPE(obj)->tp_name);
        return -1;
    }
    k = pyma_dsp_kind(p->kind);
    if (p->owner != NULL) {
        PyErr_Format(PyExc_ValueError, "then() argument %zd: this %s is already attached to another processed "
                     "stream; a processor runs in one place at a time (close that stream, or make another %s)",
                     n, k->name, k->name);
        return -1;
    }
    if (pyma_aload(&p->user) != PYMA_PROC_FREE) {
        PyErr_Format(PyExc_RuntimeError, "then() argument %zd: %s.process() is running in another thread", n,
                     k->name);
        return -1;
    }
    if (p->channels != 0 && p->channels != channels) {
        PyErr_Format(PyExc_ValueError, "then() argument %zd: this %s has nchannels=%u, the stream has %u channels",
                     n, k->name, (unsigned)p->channels, (unsigned)channels);
        return -1;
    }
    if (p->sample_rate != 0 && rate != 0 && p->sample_rate != rate) {
        PyErr_Format(PyExc_ValueError, "then() argument %zd: this %s has sample_rate=%u, the stream's is %u Hz", n,
                     k->name, (unsigned)p->sample_rate, (unsigned)rate);
        return -1;
    }
    if (p->dsp == NULL) {
        ma_uint32 sr = rate != 0 ? rate : p->sample_rate;
        if (k->needs_rate && sr == 0) {
            PyErr_Format(PyExc_ValueError, "then() argument %zd: %s needs the sample rate and the stream has none "
                         "(raw PCM): pass sample_rate=... when creating it", n, k->name);
            return -1;
        }
        if (pyma_dsp_validate(p->kind, p->params, sr, channels) < 0) {
            pyma_then_prefix_error(n);
            return -1;
        }
    }
    return 0;
}

/* The frames of `s` a pull gives: its length, less a partial last frame of raw PCM (which only
 * next() gives); *known 0 when unknown.  GIL held (reads the source's pull once). */
ma_uint64
pyma_then_source_length(StreamObject *s, int *known)
{
    ma_uint64 saved, got = 0;
    char frame[MA_MAX_CHANNELS * 4];
    ma_result r;

    *known = s->length_known;
    if (!s->length_known || !s->pull->length_exact || s->length == 0) {
        return s->length;
    }
    saved = s->pull->at;
    s->pull->at = s->length - 1;
    r = pyma_pull_read_once(s->pull, frame, 1, &got);
    s->pull->at = saved;
    return (r == MA_SUCCESS && got == 1) ? s->length : s->length - 1;
}

const char pyma_stream_then_doc[] =
    "then($self, /, *processors)\n--\n\n"
    "A new stream giving this stream's frames through `processors` (LowPass, Gain, ..., Converter), in order.\n\n"
    "The processed stream has this stream's format, channels, rate, frames_to_read and chunk type; it\n"
    "is read with next()/send() or played by a device without the GIL, and can be a member of chain()\n"
    "or a Playlist.  It holds this stream (which Python cannot use meanwhile) and the processors\n"
    "(bound to its channels and rate, attached to it: process() and another then() refuse them)\n"
    "until it is closed.  seek() seeks this stream and resets the processors' state; position and\n"
    "length follow this stream.  Parameters changed from any thread apply at the next block.\n\n"
    "A Converter among them is a stage that changes the format, channels and rate: the stream after\n"
    "it has the converter's output format (processors after it are bound to its channels and rate),\n"
    "drains the resampler's delay at the end (process() of all frames + flush(drain=True)), maps\n"
    "seek(n) to the source's frame n * from_rate // to_rate, and holds the converter likewise\n"
    "(set_rate()/set_ratio() still work, applied at its next run).";

PyObject *
pyma_stream_then(StreamObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    pyma_state *st = PyType_GetModuleState(Py_TYPE(self));
    Py_ssize_t i, j;

    if (nargs == 0) {
        PyErr_SetString(PyExc_TypeError, "then() takes at least one processor (LowPass(...), Gain(...), ...) or "
                                         "Converter");
        return NULL;
    }
    for (i = 0; i < nargs; i++) {
        if (!pyma_proc_check(st, args[i])) {
            /* A Converter among the stages (or a bad argument, which that path names). */
            return pyma_then_staged(st, self, args, nargs);
        }
    }
    if (pyma_then_check_source(self) < 0) {
        return NULL;
    }
    for (i = 0; i < nargs; i++) {
        if (pyma_then_check_processor(st, args[i], i + 1, self->channels, self->sample_rate) < 0) {
            return NULL;
        }
        for (j = 0; j < i; j++) {
            if (args[j] == args[i]) {
                PyErr_Format(PyExc_ValueError, "then() argument %zd is the same %s as argument %zd: a processor "
                             "runs in one place at a time (make another one)", i + 1,
                             pyma_dsp_kind(((ProcessorObject *)args[i])->kind)->name, j + 1);
                return NULL;
            }
        }
    }
    return pyma_then_processors(st, self, args, nargs, 0);
}

PyObject *
pyma_then_processors(pyma_state *st, StreamObject *self, PyObject *const *args, Py_ssize_t nargs,
                     Py_ssize_t first)
{
    pyma_stream_info info;
    StreamObject *out;
    PyObject *stream;
    dsp_pull *d;
    Py_ssize_t i;
    int chunk_type, known;
    ma_uint64 length;

    d = PyMem_Calloc(1, sizeof(*d) + (size_t)nargs * sizeof(ProcessorObject *));
    if (d == NULL) {
        return PyErr_NoMemory();
    }
    d->base.format = self->fmt->format;
    d->base.channels = self->channels;
    d->base.sample_rate = self->sample_rate;
    d->base.infinite = 1; /* no data source to ask for a length: set from the source's below */
    d->base.seek_decode_errors = self->pull->seek_decode_errors;
    d->base.read = dsp_read;
    d->base.seek = dsp_seek;
    d->base.traverse = dsp_traverse;
    d->base.free = dsp_free;
    if (self->fmt->format != ma_format_f32) {
        d->scratch = PyMem_RawMalloc((size_t)DSP_BLOCK * self->channels * sizeof(float));
        if (d->scratch == NULL) {
            PyMem_Free(d);
            return PyErr_NoMemory();
        }
    }
    /* Raw PCM's chunks are memoryview slices of bytes (its own hook): processed, they are bytes. */
    chunk_type = self->pull->chunk != NULL ? PYMA_CHUNK_BYTES : self->chunk_type;
    stream = pyma_stream_over_pull(st->stream_type, &d->base, self->format_obj, self->frames_to_read, chunk_type,
                                   self->wrap);
    if (stream == NULL) {
        return NULL; /* d freed by pyma_stream_over_pull */
    }
    /* From here on, d is released with `stream` (dsp_free undoes what was done so far). */
    for (i = 0; i < nargs; i++) {
        ProcessorObject *p = (ProcessorObject *)args[i];
        if (pyma_proc_bind(p, self->channels, self->sample_rate) < 0 || pyma_proc_attach(p, d) < 0) {
            pyma_then_prefix_error(first + i + 1);
            goto error;
        }
        d->procs[i] = (ProcessorObject *)Py_NewRef(args[i]);
        d->count = i + 1;
    }
    length = pyma_then_source_length(self, &known);
    if (pyma_stream_claim((PyObject *)self, &info) < 0) {
        goto error; /* not reached: pyma_then_check_source checked what the claim checks */
    }
    d->source = Py_NewRef(self);
    d->base.infinite = self->pull->infinite;
    out = (StreamObject *)stream;
    out->length = length;
    out->length_known = known;
    out->position = pyma_aload64(&self->position);
    out->position_real = self->position_real;
    return stream;
error:
    Py_DECREF(stream);
    return NULL;
}
