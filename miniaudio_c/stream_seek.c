/* stream_seek.c: DecoderStream.seek(), sample-accurate while streaming.
 *
 * Seeks through the stream's pull (pull.c: any kind), or, for a Python source that cannot seek, forward
 * only by decoding and discarding (the pull's skip); the kind's own landing point (a decoder's
 * cursor) is checked so that other frames are never served as the requested ones, and a refused
 * seek goes back to where the stream was.  Runs busy, with the GIL released around the pull.  The
 * type is in stream.c.
 */
#include "_miniaudio.h"


/* Moves forward from output frame `now` to `frame` over a source that cannot seek (the pull's skip:
 * the decoders' own seeks would jump over bytes of a pipe); *landed is where it got (the end when
 * that came first).  GIL held, released inside. */
static ma_result
stream_skip_to(StreamObject *self, ma_uint64 now, ma_uint64 frame, ma_uint64 *landed)
{
    ma_result r;

    self->pull->at = now;
    Py_BEGIN_ALLOW_THREADS
    r = pyma_pull_skip(self->pull, frame, landed);
    Py_END_ALLOW_THREADS
    return r;
}

ma_result
pyma_stream_open_at(StreamObject *self, ma_uint64 frame, ma_uint64 *landed)
{
    ma_result r;
    ma_uint64 reached = frame;
    int can_seek = self->src.pysource != NULL ? pyma_source_can_seek(&self->src) : 1;

    *landed = frame;
    if (can_seek < 0) {
        return MA_BAD_SEEK; /* the source's seek() raised: its error is in self->src */
    }
    if (can_seek == 0) {
        /* A pipe: the decoders' own seeks would jump over bytes whose frames nobody counted (dr_wav
         * believed a header's data size there and landed past the frames reads deliver). */
        return stream_skip_to(self, 0, frame, landed);
    }
    Py_BEGIN_ALLOW_THREADS
    r = pyma_pull_seek(self->pull, frame, &reached);
    Py_END_ALLOW_THREADS
    if (r == MA_SUCCESS && reached < frame) {
        /* A resampled input ended first: the stream starts at its end, where a pipe's skip ends (a
         * FLAC whose frames do not decode: at 0, where the first read raises as decode() does); or
         * past the end, where dr_wav stops (the pull checks the decoder's cursor). */
        *landed = reached;
    }
    return r;
}

/* The ValueError of a seek past the stream's known length.  Always NULL. */
static PyObject *
raise_past_length(long long frame, ma_uint64 length)
{
    PyErr_Format(PyExc_ValueError, "cannot seek to frame %lld: the stream has %llu frames", frame,
                 (unsigned long long)length);
    return NULL;
}

/* The body of pyma_stream_seek, run busy.  NULL with an exception. */
static PyObject *
stream_seek_busy(StreamObject *self, pyma_state *st, long long frame)
{
    pyma_pull *pull = self->pull;
    ma_result r;
    ma_uint64 landed = (ma_uint64)frame, claim = self->length;
    int can_seek = 1;
    /* Past a length that reads may run past (pull->length_claim): the decoder finds out. */
    int past_claim = self->length_known && (ma_uint64)frame > self->length;

    self->fresh = 0;  /* (pyma_stream_seek gives it back when the stream is still at frame 0) */
    self->position_assumed = 0;
    if (self->src.pysource != NULL && (can_seek = pyma_source_can_seek(&self->src)) <= 0) {
        ma_uint64 now = pyma_aload64(&self->position), reached = now;
        if (can_seek < 0) {
            pyma_raise_callback_error(st, &self->src, "cannot seek: error in the source's seek()");
            return NULL;
        }
        if ((ma_uint64)frame < now) {
            pyma_raise(st, MA_BAD_SEEK, PYMA_ERR_DECODE,
                       "cannot seek back to frame %lld from frame %llu: the source cannot seek (its seek() "
                       "returned False) and those bytes were already read",
                       frame, (unsigned long long)now);
            return NULL;
        }
        r = stream_skip_to(self, now, (ma_uint64)frame, &reached);
        frame = (long long)reached; /* at the end when it came first */
        if (reached > now) {
            self->position_real = 1;
        }
    }
    else {
        Py_BEGIN_ALLOW_THREADS
        /* A resampled input that ends first (the length was not known, or a seek past it would
         * have been refused) gives MA_AT_END: refused below like any seek past the end, the
         * stream where it was. */
        r = pyma_pull_seek_within(pull, (ma_uint64)frame, &landed);
        if (r == MA_SUCCESS && landed != (ma_uint64)frame) {
            /* The decoder stopped elsewhere (dr_flac clamps to the total its header states, dr_wav
             * stops at the data's end): say so rather than serve other frames as these. */
            r = MA_BAD_SEEK;
        }
        Py_END_ALLOW_THREADS
        if (r == MA_INVALID_OPERATION && !pull->seek_decode_errors) {
            PyErr_Format(PyExc_ValueError, "cannot seek to frame %lld: this source can only seek to frame 0", frame);
            return NULL;
        }
        if (r == MA_BAD_SEEK && landed != (ma_uint64)frame) {
            self->position = landed;
            self->position_real = 1;
            self->finished = 0;
            if (self->src.callback_error != NULL) {
                /* the decoder stopped because the source's read() or seek() raised: that exception
                 * (KeyboardInterrupt unchanged, found by the source fuzz target) */
                pyma_raise_callback_error(st, &self->src, "cannot seek: error in the source's seek() or read()");
                return NULL;
            }
            pyma_raise(st, r, PYMA_ERR_DECODE, "cannot seek to frame %lld: the decoder stopped at frame %llu", frame,
                       (unsigned long long)landed);
            return NULL;
        }
    }
    if (self->src.callback_error != NULL) {
        pyma_raise_callback_error(st, &self->src, "cannot seek: error in the source's seek() or read()");
        return NULL;
    }
    if (r != MA_SUCCESS && can_seek > 0 && !pull->kept_place) {
        /* A refused seek moves nothing: some decoders stand at their end after one (stb_vorbis
         * from memory, past the end of a stream of unknown length), so go back to where the
         * stream says it is before raising (unless the kind put itself back, resampler and all). */
        ma_uint64 back = pyma_aload64(&self->position), landed_back = back;
        Py_BEGIN_ALLOW_THREADS
        (void)pyma_pull_seek(pull, back, &landed_back);
        Py_END_ALLOW_THREADS
        if (self->src.callback_error != NULL) {
            pyma_raise_callback_error(st, &self->src, "cannot seek: error in the source's seek() or read()");
            return NULL;
        }
    }
    if (r != MA_SUCCESS && past_claim) {
        /* No frame there: refused as a seek past a length known up front is (ValueError, nothing
         * moved). */
        return raise_past_length(frame, claim);
    }
    if (r == MA_AT_END && landed < (ma_uint64)frame) {
        pyma_raise(st, r, PYMA_ERR_DECODE, "cannot seek to frame %lld: the stream ends at frame %llu", frame,
                   (unsigned long long)landed);
        return NULL;
    }
    if (pyma_check(st, r, PYMA_ERR_DECODE, "cannot seek to frame %lld", frame) < 0) {
        return NULL;
    }
    self->finished = 0;
    pyma_astore64(&pull->loops_done, 0); /* a looping stream's passes count from the seek */
    if (can_seek > 0) {
        /* A frame within the known length, or the start, holds audio; beyond, only reading tells
         * (a kind without an end lands where it was asked). */
        self->position_real = frame == 0 || pull->infinite || (self->length_known && (ma_uint64)frame <= self->length);
        self->position_assumed = self->position_real && frame != 0 && !pull->infinite;
        if (pull->length_claim) {
            /* The decoder decoded its way there (stb_vorbis fails a seek past its last frame), so
             * the frames before it exist; past a claimed length, that claim was short, and the
             * length is known again at the end. */
            self->position_real = 1;
            self->position_assumed = 0;
            self->length_known = self->length_known && !past_claim;
        }
    }
    self->position = (ma_uint64)frame;
    return PyLong_FromLongLong(frame);
}

PyObject *
pyma_stream_seek(StreamObject *self, PyObject *arg)
{
    pyma_state *st = PyType_GetModuleState(Py_TYPE(self));
    long long frame;
    ma_uint32 rate;
    PyObject *result;
    int was_fresh;

    if (PyBool_Check(arg) || !PyIndex_Check(arg)) {
        PyErr_Format(PyExc_TypeError, "frame must be an int, not %.200s", Py_TYPE(arg)->tp_name);
        return NULL;
    }
    /* May run the argument's __index__ (Python code): done before the stream is looked at. */
    frame = PyLong_AsLongLong(arg);
    if (frame == -1 && PyErr_Occurred()) {
        if (PyErr_ExceptionMatches(PyExc_OverflowError)) {
            PyErr_Format(PyExc_OverflowError, "frame must be 0..%lld, not %R", (long long)LLONG_MAX, arg);
        }
        return NULL;
    }
    if (frame < 0) {
        PyErr_Format(PyExc_ValueError, "frame must be >= 0, not %lld", frame);
        return NULL;
    }
    if (pyma_stream_usable(self, 0) < 0) {
        return NULL;
    }
    if (self->length_known && (ma_uint64)frame > self->length && !self->pull->length_claim) {
        return raise_past_length(frame, self->length);
    }
    /* miniaudio converts the frame to the input rate by multiplying: keep that product in 64 bits
     * (the bound is past 10**13 frames, years of audio, so no real frame is refused).  Raw PCM has no
     * rate: nothing to bound. */
    rate = self->src.desc.sample_rate > self->sample_rate ? self->src.desc.sample_rate : self->sample_rate;
    if (rate > 0 && (ma_uint64)frame > UINT64_MAX / rate) {
        PyErr_Format(PyExc_ValueError, "cannot seek to frame %lld: past the end of any stream at %u Hz", frame,
                     (unsigned int)self->sample_rate);
        return NULL;
    }
    was_fresh = self->fresh;
    pyma_stream_set_busy(self);
    result = stream_seek_busy(self, st, frame);
    self->busy = 0;
    if (was_fresh && pyma_aload64(&self->position) == 0) {
        /* Nothing delivered yet and still at frame 0 (a seek to 0, or a refused one that went
         * back there): the next read is still where "announced frames, none decodable" shows, as
         * for a pipe whose seek was refused up front (found by the seek fuzz target). */
        self->fresh = 1;
    }
    return result;
}
