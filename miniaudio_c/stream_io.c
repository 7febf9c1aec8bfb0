/* stream_io.c: a DecoderStream's frames: next()/send() chunks and the GIL-free device pull.
 *
 * Each chunk is decoded straight into the returned object with the GIL released, the stream busy
 * (pyma_stream_set_busy) so that no other caller touches the decoder meanwhile; large send(n)
 * requests decode into a buffer that grows as frames come.  A claiming device's audio thread pulls
 * through pyma_stream_pull without the GIL.  The type itself lives in stream.c, seek() in stream_seek.c.
 */
#include "_miniaudio.h"

/* The stream gave `frames` more frames: a length they run past was wrong; unknown until the end. */
static void
stream_advanced(StreamObject *self, ma_uint64 frames)
{
    /* A looping stream's position is the decoder's frame (loop_at), back at loop_start after a wrap. */
    pyma_astore64(&self->position, self->loop_passes != 0 ? self->loop_at : self->position + frames);
    if (frames > 0) {
        self->position_real = 1;
        self->fresh = 0;
    }
    if (self->length_known && self->position > self->length) {
        self->length_known = 0;
    }
}

/* The stream ended at `position`: its length is now exactly known, if the position is real. */
static void
stream_ended(StreamObject *self)
{
    self->finished = 1;
    if (self->position_real && !(self->loop_passes != 0 && self->loop_end != 0)) {
        /* (A loop that ended at its loop_end says nothing of the file's end.) */
        self->length = self->position;
        self->length_known = 1;
    }
}

/* PYMA_MODE_RAW: the next slice of the data (1.71: a memoryview of bytes; a partial last frame is kept). */
static PyObject *
stream_read_raw(StreamObject *self, Py_ssize_t frames)
{
    ma_uint64 position = pyma_aload64(&self->position), offset, end;

    if (pyma_stream_usable(self, 1) < 0) {
        return NULL;
    }
    /* self->length counts a partial last frame; seek() keeps position <= length, so no product wraps. */
    if (position >= self->length) {
        self->finished = 1;
        PyErr_SetNone(PyExc_StopIteration);
        return NULL;
    }
    offset = position * self->frame_bytes;
    end = (ma_uint64)self->raw.len - offset;
    if ((ma_uint64)frames < end / self->frame_bytes + 1) {
        end = offset + (ma_uint64)frames * self->frame_bytes;
    }
    else {
        end = (ma_uint64)self->raw.len;
    }
    if (end > (ma_uint64)self->raw.len) {
        end = (ma_uint64)self->raw.len;
    }
    pyma_astore64(&self->position, self->position + (end - offset + self->frame_bytes - 1) / self->frame_bytes);
    return PySequence_GetSlice(self->raw_mv, (Py_ssize_t)offset, (Py_ssize_t)end);
}

/* Requests above this many frames are decoded into a buffer that grows as frames come, then copied
 * into the chunk: send(10**9) on a one-second file must not allocate a billion frames first. */
#define STREAM_GROW_FROM 65536
/* The growing buffer's first size is at most this many bytes (and at least STREAM_GROW_FROM frames),
 * whatever the remaining length says: a header's length is a claim, not frames that exist. */
#define STREAM_GROW_FIRST_BYTES ((ma_uint64)16 << 20)

/* stream_fill for a looping stream: reads up to the range's end (loop_end, or the decoder's end when
 * 0), then seeks the decoder to loop_start (pyma_decoder_seek: the exact seek, a resampler restarted
 * as seek() restarts it) and goes on in the same chunk, until `frames` are there or the last pass
 * ends.  self->loop_at is the decoder's frame (the caller set it from position and sets position
 * from it after).  No Python API (a Python source's callbacks take the GIL themselves). */
static ma_result
stream_fill_looping(StreamObject *self, void *out, ma_uint64 frame_bytes, ma_uint64 frames, ma_uint64 *got)
{
    pyma_source *src = &self->src;
    ma_uint64 step, limit, landed, pass_start = self->loop_at;
    ma_result r = MA_SUCCESS;

    while (*got < frames) {
        limit = frames - *got;
        if (self->loop_end != 0) {
            ma_uint64 left = self->loop_at < self->loop_end ? self->loop_end - self->loop_at : 0;
            limit = limit < left ? limit : left;
        }
        step = 0;
        r = MA_SUCCESS;
        if (limit > 0) {
            r = pyma_decoder_read(&src->decoder, (char *)out + *got * frame_bytes, limit, &step);
            *got += step;
            self->loop_at += step;
        }
        if (src->callback_error != NULL || (r != MA_SUCCESS && r != MA_AT_END)) {
            return r == MA_SUCCESS ? MA_ERROR : r;
        }
        if (step > 0 && r == MA_SUCCESS) {
            continue; /* more may follow (a decoder may read short mid-stream); the range end shows next */
        }
        /* The end of the range (limit 0) or of the decoder (a 0-frame read or MA_AT_END). */
        if (self->loop_passes > 0 && (ma_uint64)self->loop_passes <= pyma_aload64(&self->loops_done) + 1) {
            return MA_AT_END; /* the last pass is over */
        }
        if (self->loop_at <= self->loop_start && self->loop_at <= pass_start) {
            return MA_AT_END; /* a pass that gave nothing (the decoder ends before loop_start) */
        }
        landed = self->loop_start;
        r = pyma_decoder_seek(&src->decoder, self->loop_start, &landed);
        if (r == MA_SUCCESS && landed != self->loop_start) {
            r = MA_BAD_SEEK;
        }
        if (r != MA_SUCCESS || src->callback_error != NULL) {
            return r == MA_SUCCESS ? MA_BAD_SEEK : r;
        }
        self->loop_at = pass_start = self->loop_start;
        pyma_astore64(&self->loops_done, self->loops_done + 1);
    }
    return MA_SUCCESS;
}

/* Reads up to `frames` frames into `out`, calling the decoder until they are all there or it ends
 * (a 0-frame read, MA_AT_END, an error, or the Python source failed): decoders may read short in
 * the middle (dr_wav at every block of IMA ADPCM with a bad block align).  No Python API. */
static ma_result
stream_fill(StreamObject *self, void *out, ma_uint64 frame_bytes, ma_uint64 frames, ma_uint64 *got)
{
    pyma_source *src = &self->src;
    ma_uint64 step;
    ma_result r = MA_SUCCESS;

    *got = 0;
    if (self->mode == PYMA_MODE_PULL) {
        return pyma_pull_read(self->pull, out, frames, got);
    }
    if (self->loop_passes != 0) {
        return stream_fill_looping(self, out, frame_bytes, frames, got);
    }
    while (*got < frames) {
        step = 0;
        r = pyma_decoder_read(&src->decoder, (char *)out + *got * frame_bytes, frames - *got, &step);
        *got += step;
        if (r != MA_SUCCESS || step == 0 || src->callback_error != NULL) {
            break;
        }
    }
    return r;
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
        r = stream_fill(self, buf + done * self->frame_bytes, self->frame_bytes, cap - done, &step);
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

    self->loop_at = self->position; /* a looping stream's reads go from there (stream_fill_looping) */
    if (frames > STREAM_GROW_FROM) {
        Py_BEGIN_ALLOW_THREADS
        /* Touches the decoder and its input (held by self, which the caller holds) and its own buffer. */
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
            stream_advanced(self, got);
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
        /* Touches the decoder and its input (held by self, which the caller holds) and the new chunk. */
        r = stream_fill(self, buf, self->frame_bytes, size, &got);
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
    stream_advanced(self, got);
    if (got == 0) {
        Py_XDECREF(chunk);
        PyMem_Free(pcm);
        stream_ended(self);
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

    if (self->mode == PYMA_MODE_RAW) {
        return stream_read_raw(self, frames);
    }
    if (pyma_stream_usable(self, 1) < 0) {
        return NULL;
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
    info->pullable = self->mode != PYMA_MODE_DECODER || self->src.pysource == NULL;
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
    ma_uint64 position = pyma_aload64(&self->position), left;
    ma_result r;

    *got = 0;
    if (self->mode == PYMA_MODE_RAW) {
        /* position <= length (seek() and claim keep it so): no product below wraps. */
        left = (ma_uint64)self->raw.len / self->frame_bytes;
        left = left > position ? left - position : 0;
        *got = frames < left ? frames : left;
        if (*got > 0) {
            memcpy(out, (const char *)self->raw.buf + position * self->frame_bytes, (size_t)(*got * self->frame_bytes));
        }
        r = *got == 0 ? MA_AT_END : MA_SUCCESS;
    }
    else {
        /* Fills the period unless the decoder ends: a short read mid-stream is not the end. */
        self->loop_at = position;
        r = stream_fill(self, out, self->frame_bytes, frames, got);
    }
    pyma_astore64(&self->position, self->loop_passes != 0 ? self->loop_at : position + *got);
    if (*got > 0) {
        self->pull_got = 1;
    }
    if (*got < frames && (r == MA_SUCCESS || r == MA_AT_END)) {
        self->pull_ended = 1;
    }
    return r;
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
        self->fresh = 0;
    }
    if (self->length_known && position > self->length) {
        self->length_known = 0;
    }
    if (self->mode == PYMA_MODE_RAW ? position >= self->length
                               : (self->pull_ended ||
                                  (self->loop_passes == 0 && self->length_known && position >= self->length))) {
        if (self->mode == PYMA_MODE_RAW) {
            self->finished = 1;
        }
        else {
            stream_ended(self);
        }
    }
    self->pull_ended = self->pull_got = 0;
}
