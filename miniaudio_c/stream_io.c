/* stream_io.c: a DecoderStream's frames: next()/send() chunks and the GIL-free device pull.
 *
 * Every read goes through the stream's pull (pull.c: a decoder, raw PCM, a generator, a chain).
 * Each chunk is decoded straight into the returned object with the GIL released, the stream busy
 * (pyma_stream_set_busy) so that no other caller touches the pull meanwhile; large send(n)
 * requests decode into a buffer that grows as frames come.  A claiming device's audio thread pulls
 * through pyma_stream_pull without the GIL.  The type itself lives in stream.c, seek() in stream_seek.c.
 */
#include "_miniaudio.h"

/* The stream gave `frames` more frames: a length they run past was wrong; unknown until the end. */
void
pyma_stream_advanced(StreamObject *self, ma_uint64 frames)
{
    /* The pull's frame: position + frames, or back at loop_start after a loop's wrap. */
    pyma_astore64(&self->position, self->pull->at);
    if (frames > 0) {
        self->position_real = 1;
        self->position_assumed = 0;
        self->ever_delivered = 1;
        self->fresh = 0;
    }
    if (self->length_known && self->position > self->length) {
        self->length_known = 0;
    }
}

/* The stream ended at `position`: its length is now exactly known, if the position is real. */
void
pyma_stream_ended(StreamObject *self)
{
    self->finished = 1;
    if (self->position_assumed && !self->ever_delivered && self->length_known && self->position < self->length) {
        /* Nothing has decoded yet, and a seek within the header's length found no frame there: that
         * length is not believed any more, and where the stream ends is not known (found by the
         * seek fuzz target: a resampled WAV none of whose frames decode, sought within its
         * announced 540 frames, took each empty read's position as its length, 518 then 226). */
        self->length_known = 0;
    }
    else if (self->position_real && !(self->pull->loop_passes != 0 && self->pull->loop_end != 0)) {
        /* (A loop that ended at its loop_end says nothing of the file's end.) */
        self->length = self->position;
        self->length_known = 1;
    }
    self->position_assumed = 0;
}

/* Requests above this many frames are decoded into a buffer that grows as frames come, then copied
 * into the chunk: send(10**9) on a one-second file must not allocate a billion frames first. */
#define STREAM_GROW_FROM 65536
/* The growing buffer's first size is at most this many bytes (and at least STREAM_GROW_FROM frames),
 * whatever the remaining length says: a header's length is a claim, not frames that exist. */
#define STREAM_GROW_FIRST_BYTES ((ma_uint64)16 << 20)

/* Reads up to `frames` frames into `out` through the stream's pull from pull->at (the caller set it
 * from the position), until they are all there or it ends (pull.c fills short reads and loops).  No
 * Python API. */
static inline ma_result
stream_fill(StreamObject *self, void *out, ma_uint64 frames, ma_uint64 *got)
{
    return pyma_pull_read(self->pull, out, frames, got);
}

/* Decodes up to `frames` frames (more than STREAM_GROW_FROM) into *out, a PyMem_RawMalloc'd buffer
 * that starts at STREAM_GROW_FROM frames, or at the known remaining length when that is larger (at
 * most STREAM_GROW_FIRST_BYTES), and doubles while the decoder fills it.  Runs without the GIL.
 * Stops early, keeping what it has, when the buffer cannot grow; *out is NULL only when nothing could
 * be allocated at all. */
static ma_result
stream_decode_growing(StreamObject *self, ma_uint64 frames, char **out, ma_uint64 *got)
{
    ma_uint64 cap = STREAM_GROW_FROM, done = 0, step, first_max = STREAM_GROW_FIRST_BYTES / self->frame_bytes;
    ma_result r = MA_SUCCESS;
    char *buf = NULL, *bigger;

    if (self->length_known && self->length > self->position && self->length - self->position + 1 > cap) {
        cap = self->length - self->position + 1;  /* + 1: the end shows as a short read, not a full one */
        if (cap > first_max) {
            cap = first_max > STREAM_GROW_FROM ? first_max : STREAM_GROW_FROM;
        }
    }
    if (cap > frames) {
        cap = frames;
    }
    buf = PyMem_RawMalloc((size_t)(cap * self->frame_bytes));
    while (buf != NULL) {
        r = stream_fill(self, buf + done * self->frame_bytes, cap - done, &step);
        done += step;
        if (done < cap || done == frames) {
            break;  /* the end, an error or a failed source (a full buffer is never any of these) */
        }
        cap = (cap > frames / 2) ? frames : cap * 2;
        bigger = PyMem_RawRealloc(buf, (size_t)(cap * self->frame_bytes));
        if (bigger == NULL) {
            break;  /* return the frames decoded so far: a short chunk, nothing lost */
        }
        buf = bigger;
    }
    *out = buf;
    *got = done;
    return buf == NULL ? MA_OUT_OF_MEMORY : r;
}

/* The chunk of a stream that gives array.array chunks is decoded into a pyma_pcm_alloc buffer that
 * then becomes the array (pcmbuf.c), as decode() does: no zero fill of each chunk before the decoder
 * writes it, no buffer export.  A bytes chunk is decoded into the bytes object itself. */

/* Turns `got` decoded frames into the chunk (GIL held): for arrays, `pcm` (allocated for `frames`
 * frames; taken over in every case) becomes the array; for bytes, `chunk` is trimmed to `got`
 * frames.  NULL with an exception. */
static PyObject *
stream_finish_chunk(StreamObject *self, pyma_state *st, PyObject *chunk, char *pcm, ma_uint64 frames, ma_uint64 got)
{
    char *trimmed;

    if (self->chunk_type == PYMA_CHUNK_BYTES) {
        if (got < frames) {
            /* Only the last chunk is short (stream_fill read until the decoder ended). */
            Py_SETREF(chunk, PyBytes_FromStringAndSize(PyBytes_AS_STRING(chunk), (Py_ssize_t)(got * self->frame_bytes)));
        }
        return chunk;
    }
    if (got < frames) {
        trimmed = pyma_pcm_resize(pcm, (size_t)(got * self->frame_bytes), (size_t)(got * self->frame_bytes));
        if (trimmed == NULL) {
            PyMem_Free(pcm);
            return NULL;
        }
        pcm = trimmed;
    }
    return pyma_pcm_to_array(st, self->fmt->typecode, pcm, (Py_ssize_t)(got * self->channels));
}

/* The body of stream_read, run busy: decodes up to `frames` frames into a new chunk.  NULL with an
 * exception (StopIteration at the end); *source_failed is set when the Python source raised (the
 * caller then releases the stream, as a generator that raised is finished). */
static PyObject *
stream_read_busy(StreamObject *self, pyma_state *st, Py_ssize_t frames, int *source_failed)
{
    PyObject *chunk = NULL;
    ma_uint64 got = 0, size = (ma_uint64)frames;
    ma_result r;
    char *buf = NULL, *pcm = NULL, *grown = NULL;

    self->pull->at = self->position; /* the pull reads from there (and moves it: stream_advanced) */
    if (frames > STREAM_GROW_FROM) {
        Py_BEGIN_ALLOW_THREADS
        /* Touches the pull and its input (held by self, which the caller holds) and its own buffer. */
        r = stream_decode_growing(self, (ma_uint64)frames, &grown, &got);
        Py_END_ALLOW_THREADS
        if (grown == NULL) {
            return PyErr_NoMemory();
        }
        size = got; /* the chunk holds exactly what was decoded */
        if (got > 0 && self->chunk_type == PYMA_CHUNK_BYTES) {
            chunk = PyBytes_FromStringAndSize(grown, (Py_ssize_t)(got * self->frame_bytes));
        }
        else if (got > 0) {
            pcm = pyma_pcm_alloc((size_t)(got * self->frame_bytes));
            if (pcm != NULL) {
                memcpy(pcm, grown, (size_t)(got * self->frame_bytes));
            }
        }
        PyMem_RawFree(grown);
        if (got > 0 && chunk == NULL && pcm == NULL) {
            /* Out of memory for a copy of a buffer that could be allocated: the frames are gone
             * (the position says so), as when a caller drops a chunk. */
            pyma_stream_advanced(self, got);
            return NULL;
        }
    }
    else {
        if (self->chunk_type == PYMA_CHUNK_BYTES) {
            chunk = PyBytes_FromStringAndSize(NULL, (Py_ssize_t)(size * self->frame_bytes));
            buf = chunk != NULL ? PyBytes_AS_STRING(chunk) : NULL;
        }
        else {
            buf = pcm = pyma_pcm_alloc((size_t)(size * self->frame_bytes));
        }
        if (buf == NULL) {
            Py_XDECREF(chunk);
            return NULL;
        }
        Py_BEGIN_ALLOW_THREADS
        /* Touches the pull and its input (held by self, which the caller holds) and the new chunk. */
        r = stream_fill(self, buf, size, &got);
        Py_END_ALLOW_THREADS
    }
    if (self->src.callback_error != NULL) {
        /* The Python source raised: the stream ends, as a generator would, and says why. */
        Py_XDECREF(chunk);
        PyMem_Free(pcm);
        *source_failed = 1;
        pyma_raise_callback_error(st, &self->src, "error in read callback");
        return NULL;
    }
    if (r != MA_SUCCESS && r != MA_AT_END) {
        Py_XDECREF(chunk);
        PyMem_Free(pcm);
        if (self->src.path != NULL) {
            pyma_raise(st, r, PYMA_ERR_DECODE, "error while decoding file %R", self->src.name);
        }
        else {
            pyma_raise(st, r, PYMA_ERR_DECODE, "error while decoding the stream");
        }
        return NULL;
    }
    pyma_stream_advanced(self, got);
    if (got == 0) {
        Py_XDECREF(chunk);
        PyMem_Free(pcm);
        pyma_stream_ended(self);
        if (self->fresh && self->announced > 0) {
            /* The header announced frames and not one decodes: the input is truncated or corrupt,
             * as decode() says for it, not an empty stream.  The stream is finished (length 0). */
            self->fresh = 0;
            pyma_raise_none_decodable(st, &self->src, self->announced);
            return NULL;
        }
        PyErr_SetNone(PyExc_StopIteration);
        return NULL;
    }
    return stream_finish_chunk(self, st, chunk, pcm, size, got);
}

/* Decodes up to `frames` frames into a new chunk; NULL with StopIteration at the end. */
static PyObject *
stream_read(StreamObject *self, Py_ssize_t frames)
{
    pyma_state *st = PyType_GetModuleState(Py_TYPE(self));
    PyObject *chunk, *result;
    int source_failed = 0;

    if (pyma_stream_usable(self, 1) < 0) {
        return NULL;
    }
    if (self->pull->chunk != NULL) {
        /* The kind makes its own chunks (raw PCM: 1.71's memoryview slices), GIL held. */
        self->pull->at = pyma_aload64(&self->position);
        chunk = self->pull->chunk(self->pull, frames);
        if (chunk == NULL) {
            if (PyErr_ExceptionMatches(PyExc_StopIteration)) {
                self->finished = 1;
            }
            return NULL;
        }
        pyma_astore64(&self->position, self->pull->at);
        return chunk;
    }
    if ((ma_uint64)frames > (ma_uint64)PY_SSIZE_T_MAX / self->frame_bytes) {
        PyErr_Format(PyExc_OverflowError, "cannot read %zd frames at once: a chunk of %u-byte frames that long "
                     "exceeds the address space", frames, (unsigned int)self->frame_bytes);
        return NULL;
    }
    pyma_stream_set_busy(self);
    chunk = stream_read_busy(self, st, frames, &source_failed);
    self->busy = 0;
    if (source_failed) {
        PyObject *exc = pyma_err_take();
        pyma_stream_release(self);
        pyma_err_give(exc);
    }
    if (chunk == NULL || self->wrap == NULL) {
        return chunk;
    }
    /* Python code, but the stream's state is complete: it may use the stream again. */
    result = PyObject_CallOneArg(self->wrap, chunk);
    Py_DECREF(chunk);
    return result;
}

PyObject *
pyma_stream_iternext(StreamObject *self)
{
    return stream_read(self, self->frames_to_read);
}

/* send(None) -> frames_to_read frames; send(n) -> n frames; anything else is an error. */
PyObject *
pyma_stream_send(StreamObject *self, PyObject *value)
{
    Py_ssize_t frames;

    if (value == Py_None) {
        return stream_read(self, self->frames_to_read);
    }
    if (!PyLong_Check(value) || PyBool_Check(value)) {
        PyErr_Format(PyExc_TypeError, "send() wants a number of frames (int) or None, not %.200s",
                     Py_TYPE(value)->tp_name);
        return NULL;
    }
    frames = PyLong_AsSsize_t(value);
    if (frames == -1 && PyErr_Occurred()) {
        if (PyErr_ExceptionMatches(PyExc_OverflowError)) {
            PyErr_Format(PyExc_OverflowError, "number of frames to read must be 1..%zd, not %R", PY_SSIZE_T_MAX, value);
        }
        return NULL;
    }
    if (frames < 1) {
        PyErr_Format(PyExc_ValueError, "number of frames to read must be at least 1, not %zd", frames);
        return NULL;
    }
    return stream_read(self, frames);
}

/* The am_send slot, so that PyIter_Send drives the stream without raising StopIteration. */
PySendResult
pyma_stream_am_send(StreamObject *self, PyObject *arg, PyObject **presult)
{
    PyObject *chunk = arg == NULL ? pyma_stream_iternext(self) : pyma_stream_send(self, arg);
    if (chunk != NULL) {
        *presult = chunk;
        return PYGEN_NEXT;
    }
    if (PyErr_ExceptionMatches(PyExc_StopIteration)) {
        PyErr_Clear();
        *presult = Py_NewRef(Py_None);
        return PYGEN_RETURN;
    }
    *presult = NULL;
    return PYGEN_ERROR;
}

/* ---- the device bridge ---------------------------------------------------------------------- */

int
pyma_stream_claim(PyObject *obj, pyma_stream_info *info)
{
    StreamObject *self = (StreamObject *)obj;

    if (pyma_stream_usable(self, 0) < 0) {
        return -1;
    }
    if (self->finished) {
        PyErr_SetString(PyExc_ValueError, "the stream has already ended: seek() it back to play it again");
        return -1;
    }
    info->pullable = self->src.pysource == NULL; /* a Python source's reads need the GIL */
    info->format = self->fmt != NULL ? self->fmt->format : ma_format_unknown;
    info->width = (int)(self->frame_bytes / self->channels);
    info->channels = self->channels;
    info->sample_rate = self->sample_rate;
    if (info->pullable) {
        self->claimed = 1;
    }
    return 0;
}

ma_result
pyma_stream_pull(PyObject *obj, void *out, ma_uint64 frames, ma_uint64 *got)
{
    StreamObject *self = (StreamObject *)obj;
    ma_uint64 position = pyma_aload64(&self->position);
    ma_result r;

    /* Fills the period unless the pull ends: a short read mid-stream is not the end. */
    self->pull->at = position;
    r = pyma_pull_read(self->pull, out, frames, got);
    pyma_astore64(&self->position, self->pull->at);
    if (*got > 0) {
        self->pull_got = 1;
    }
    if (*got < frames && (r == MA_SUCCESS || r == MA_AT_END)) {
        self->pull_ended = 1;
    }
    return r;
}

void
pyma_stream_give_back(PyObject *source)
{
    StreamObject *s = (StreamObject *)source;

    if (s->claimed && s->pull != NULL) {
        pyma_stream_unclaim(source);
    }
    else {
        s->claimed = 0; /* the garbage collector released it first: nothing left to update */
    }
    Py_DECREF(source);
}

void
pyma_stream_unclaim(PyObject *obj)
{
    StreamObject *self = (StreamObject *)obj;
    ma_uint64 position = pyma_aload64(&self->position);

    /* The audio thread has stopped (the device waited for it): its writes are visible. */
    self->claimed = 0;
    if (self->pull_got) {
        self->position_real = 1;
        self->position_assumed = 0;
        self->ever_delivered = 1;
        self->fresh = 0;
    }
    if (self->length_known && position > self->length) {
        self->length_known = 0;
    }
    /* Ended: the pull came up short (unless the length is final: raw PCM's partial last frame is
     * still for next()), or a stream that does not loop reached its known length. */
    if ((self->pull_ended && !self->pull->length_exact) ||
        (self->pull->loop_passes == 0 && self->length_known && position >= self->length)) {
        pyma_stream_ended(self);
    }
    self->pull_ended = self->pull_got = 0;
}
