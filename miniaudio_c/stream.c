/* stream.c: DecoderStream, a C object that speaks the whole generator protocol over a decoder.
 *
 * next() gives frames_to_read frames, send(n) gives n frames (any n >= 1), StopIteration at the
 * end; throw() and close() end it and release the decoder at once.  Beyond a generator it tells
 * its position and length and seeks sample-accurately while streaming.  Each chunk is decoded
 * straight into the returned object with the GIL released.  A busy flag (read and written only
 * with the GIL held) keeps a second thread from using the decoder while one decodes: it gets a
 * RuntimeError instead of corrupt data.  A device playing the stream claims it (pyma_stream_claim):
 * its audio thread then pulls frames without the GIL, and Python callers get RuntimeError until the
 * device lets go; `position` stays readable (an atomic counter).
 * Every stream reads through a pyma_pull (the source layer, pull.c): a decoder (pull_decoder.c),
 * raw PCM (pull_raw.c, stream_raw_pcm_memory), a generator (gen.c) or a chain (chain.c).
 * Re-entry: every method that can run Python code (a source's read/seek/tell, str() of its error)
 * holds `busy` across it, so the source calling back into the stream (next, seek, close, ...) gets
 * RuntimeError and can free nothing in use; a stream under construction is busy and not yet
 * GC-tracked (gc.get_referrers cannot find it).
 * This file holds the type (lifecycle, the busy/re-entry guard, getters, construction over a
 * decoder; the other kinds build theirs in their own files); reading
 * chunks and the device pull are in stream_io.c, seek() in stream_seek.c.
 */
#include "_miniaudio.h"

#include <stddef.h>
#include "structmember.h"

int
pyma_stream_usable(StreamObject *self, int for_iteration)
{
    if (self->claimed) {
        PyErr_SetString(PyExc_RuntimeError, "the stream is being played by a device: stop the device before using "
                                            "the stream from Python");
        return -1;
    }
    if (self->busy) {
        if (self->opening) {
            PyErr_SetString(PyExc_RuntimeError, "the stream is still being opened: it cannot be used from its "
                                                "source's read() or seek()");
        }
        else if (self->busy_thread == PyThread_get_thread_ident()) {
            PyErr_SetString(PyExc_RuntimeError, "stream already executing: it cannot be used from inside its own "
                                                "source's read(), seek() or tell() (re-entered)");
        }
        else {
            PyErr_SetString(PyExc_RuntimeError, "stream is in use by another thread: a stream must not be driven "
                                                "from two threads at once");
        }
        return -1;
    }
    if (self->closed || (for_iteration && self->finished)) {
        if (for_iteration) {
            PyErr_SetNone(PyExc_StopIteration);
        }
        else {
            PyErr_SetString(PyExc_ValueError, "I/O operation on a closed stream");
        }
        return -1;
    }
    return 0;
}

/* Marks the stream busy for the calling thread; GIL held, pyma_stream_usable() just passed. */
void
pyma_stream_set_busy(StreamObject *self)
{
    self->busy = 1;
    self->busy_thread = PyThread_get_thread_ident();
}

/* Releases the pull, the decoder and the source; GIL held, not busy.  Safe to re-enter (a source's __del__ or a
 * buffer's release may run Python): each resource is detached before it is released. */
void
pyma_stream_release(StreamObject *self)
{
    pyma_pull *pull = self->pull;

    self->closed = 1;
    self->pull = NULL;
    if (pull != NULL) {
        self->loops_done = pyma_aload64(&pull->loops_done);
        pull->free(pull);
    }
    pyma_source_release(&self->src);
}

static PyObject *
stream_close(StreamObject *self, PyObject *Py_UNUSED(ignored))
{
    if (self->opening) {
        PyErr_SetString(PyExc_RuntimeError, "cannot close a stream that is still being opened");
        return NULL;
    }
    if (self->claimed) {
        PyErr_SetString(PyExc_RuntimeError, "cannot close a stream while a device plays it: stop the device first");
        return NULL;
    }
    if (self->busy) {
        if (self->busy_thread == PyThread_get_thread_ident()) {
            /* From the source's own read()/seek(): the decoder is in use further up this stack. */
            PyErr_SetString(PyExc_RuntimeError, "cannot close a stream from inside its own source's read(), "
                                                "seek() or tell(): the stream is executing");
        }
        else {
            PyErr_SetString(PyExc_RuntimeError, "cannot close a stream while another thread decodes from it");
        }
        return NULL;
    }
    pyma_stream_release(self);
    Py_RETURN_NONE;
}

/* throw(exc) / throw(type[, value[, tb]]): the stream ends and the exception propagates, as for
 * a generator that does not catch it. */
static PyObject *
stream_throw(StreamObject *self, PyObject *args)
{
    PyObject *type, *value = NULL, *tb = NULL;

    if (!PyArg_UnpackTuple(args, "throw", 1, 3, &type, &value, &tb)) {
        return NULL;
    }
    if (tb != NULL && tb != Py_None && !PyTraceBack_Check(tb)) {
        PyErr_SetString(PyExc_TypeError, "throw() third argument must be a traceback object");
        return NULL;
    }
    if (self->busy || self->claimed) {
        PyErr_SetString(PyExc_RuntimeError, "cannot throw into a stream while it is executing (another thread, its "
                                            "own source, or a device uses it)");
        return NULL;
    }
    if (PyExceptionInstance_Check(type) && value != NULL && value != Py_None) {
        PyErr_SetString(PyExc_TypeError, "instance exception may not have a separate value");
        return NULL;
    }
    if (!PyExceptionInstance_Check(type) && !PyExceptionClass_Check(type)) {
        PyErr_Format(PyExc_TypeError,
                     "exceptions must be classes or instances deriving from BaseException, not %.200s",
                     Py_TYPE(type)->tp_name);
        return NULL;
    }
    pyma_stream_release(self);
    if (PyExceptionInstance_Check(type)) {
        PyErr_SetObject((PyObject *)Py_TYPE(type), type);
    }
    else {
        PyErr_SetObject(type, value);
    }
    if (tb != NULL && tb != Py_None && PyErr_Occurred()) {
        PyObject *exc = pyma_err_take(); /* the normalised exception */
        PyException_SetTraceback(exc, tb);
        pyma_err_give(exc);
    }
    return NULL;
}

static PyObject *
stream_get_position(StreamObject *self, void *Py_UNUSED(closure))
{
    /* Readable while another thread decodes (a player's UI polls it): it is our own counter. */
    if (self->closed) {
        PyErr_SetString(PyExc_ValueError, "I/O operation on a closed stream");
        return NULL;
    }
    return PyLong_FromUnsignedLongLong(pyma_aload64(&self->position));
}

static PyObject *
stream_get_loops_done(StreamObject *self, void *Py_UNUSED(closure))
{
    return PyLong_FromUnsignedLongLong(self->pull != NULL ? pyma_aload64(&self->pull->loops_done) : self->loops_done);
}

static PyObject *
stream_get_length(StreamObject *self, void *Py_UNUSED(closure))
{
    if (!self->length_known) {
        Py_RETURN_NONE;
    }
    return PyLong_FromUnsignedLongLong(self->length);
}

static PyObject *
stream_get_closed(StreamObject *self, void *Py_UNUSED(closure))
{
    return PyBool_FromLong(self->closed);
}

static PyObject *
stream_get_int(StreamObject *self, void *closure)
{
    switch ((int)(intptr_t)closure) {
    case 0: return PyLong_FromUnsignedLong(self->channels);
    case 1:
        if (self->sample_rate == 0) {
            Py_RETURN_NONE;
        }
        return PyLong_FromUnsignedLong(self->sample_rate);
    default: return PyLong_FromSsize_t(self->frames_to_read);
    }
}

static PyObject *
stream_get_format(StreamObject *self, void *Py_UNUSED(closure))
{
    return Py_NewRef(self->format_obj);
}

static PyObject *
stream_enter(StreamObject *self, PyObject *Py_UNUSED(ignored))
{
    return Py_NewRef(self);
}

static PyObject *
stream_exit(StreamObject *self, PyObject *Py_UNUSED(args))
{
    PyObject *closed = stream_close(self, NULL);

    if (closed == NULL) {
        return NULL;
    }
    Py_DECREF(closed); /* None: a reference, like any result */
    Py_RETURN_FALSE;
}

static PyObject *
stream_iter(PyObject *self)
{
    return Py_NewRef(self);
}

static int
stream_traverse(StreamObject *self, visitproc visit, void *arg)
{
    Py_VISIT(Py_TYPE(self));
    Py_VISIT(self->wrap);
    Py_VISIT(self->format_obj);
    Py_VISIT(self->src.name);
    Py_VISIT(self->src.view.obj);
    Py_VISIT(self->src.pysource);
    Py_VISIT(self->src.seek_origins);
    Py_VISIT(self->src.callback_error);
    if (self->pull != NULL && self->pull->traverse != NULL) {
        return self->pull->traverse(self->pull, visit, arg);
    }
    return 0;
}

static int
stream_clear(StreamObject *self)
{
    /* Only reached for unreachable objects, so no thread is decoding (it would hold a ref). */
    Py_CLEAR(self->wrap);
    Py_CLEAR(self->format_obj);
    pyma_stream_release(self);
    return 0;
}

static void
stream_dealloc(StreamObject *self)
{
    PyTypeObject *tp = Py_TYPE(self);
    PyObject_GC_UnTrack(self);
    if (self->weakreflist != NULL) {
        PyObject_ClearWeakRefs((PyObject *)self);
    }
    stream_clear(self);
    tp->tp_free((PyObject *)self);
    Py_DECREF(tp);
}

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

PyDoc_STRVAR(stream_doc,
             "A stream of decoded PCM chunks: a generator that can also seek.\n\n"
             "stream_file(), stream_memory(), stream_any(), stream_raw_pcm_memory() and the per-format\n"
             "stream functions (wav_stream_file() and the like) return one; it cannot be created\n"
             "directly.  It is a generator (next(), send(n), throw(), close();\n"
             "isinstance(stream, collections.abc.Generator) is true) and a context manager that closes it.\n"
             "Each chunk is decoded straight into a new array.array, bytes or numpy array (as chunk_type\n"
             "says) with the GIL released.\n\n"
             "Two threads must not use one stream at once: the second gets RuntimeError, and so does\n"
             "a call from inside the stream's own source (read(), seek(), tell()).  While a\n"
             "PlaybackDevice plays the stream without the GIL, using it from Python raises RuntimeError;\n"
             "position stays readable.");

PyDoc_STRVAR(stream_send_doc,
             "send($self, frames, /)\n--\n\n"
             "Decode and return the next `frames` frames (any number from 1; None: frames_to_read).\n\n"
             "A chunk is shorter only at the end of the stream; then StopIteration is raised (seek()\n"
             "rewinds).  ValueError for a count below 1, RuntimeError while another thread or a device\n"
             "uses the stream, DecodeError for damaged data or a failing source.");

PyDoc_STRVAR(stream_seek_doc,
             "seek($self, frame, /)\n--\n\n"
             "Move to `frame` (counted in output frames from the start); the next chunk starts there.\n\n"
             "Works after the end too, to loop.  Returns the new position.  ValueError for a negative\n"
             "frame, a frame past the end of a stream of known length, or a closed stream; DecodeError\n"
             "when the source cannot seek there; RuntimeError while a device plays the stream.");

static PyMethodDef stream_methods[] = {
    {"send", (PyCFunction)pyma_stream_send, METH_O, stream_send_doc},
    {"throw", (PyCFunction)stream_throw, METH_VARARGS,
     PyDoc_STR("throw($self, typ, val=None, tb=None, /)\n--\n\n"
               "Close the stream and raise the exception here, as a generator does.")},
    {"close", (PyCFunction)stream_close, METH_NOARGS,
     PyDoc_STR("close($self, /)\n--\n\n"
               "Release the decoder and its file or buffer now (idempotent).  Afterwards next() and send()\n"
               "raise StopIteration, seek() and position ValueError.")},
    {"seek", (PyCFunction)pyma_stream_seek, METH_O, stream_seek_doc},
    {"__enter__", (PyCFunction)stream_enter, METH_NOARGS, PyDoc_STR("__enter__($self, /)\n--\n\nReturn the stream.")},
    {"__exit__", (PyCFunction)stream_exit, METH_VARARGS,
     PyDoc_STR("__exit__($self, *exc_info)\n--\n\nClose the stream; an exception is not suppressed.")},
    {NULL, NULL, 0, NULL},
};

static PyGetSetDef stream_getset[] = {
    {"position", (getter)stream_get_position, NULL,
     PyDoc_STR("The frame the next chunk starts at (output frames from the start of the file).  Readable while "
               "a device plays the stream.  For a looping stream it is the decoder's frame: it goes back to "
               "loop_start at each wrap."),
     NULL},
    {"loops_done", (getter)stream_get_loops_done, NULL,
     PyDoc_STR("How many times a looping stream has gone back to loop_start since it was opened or last "
               "sought (0 for a stream that does not loop).  Readable while a device plays the stream."),
     NULL},
    {"length", (getter)stream_get_length, NULL,
     PyDoc_STR("The length in frames at the output sample rate, or None when it is not known without "
               "decoding it all (e.g. a file-like object that cannot seek).  A header's length is reported "
               "only when plausible (below 2**63, no more than the input's size could hold); it becomes "
               "None when the stream delivers more frames than it said, and at the end of the stream it is "
               "the exact number of frames delivered."),
     NULL},
    {"closed", (getter)stream_get_closed, NULL, PyDoc_STR("Whether the stream is closed (close(), throw(), or the end of a with block)."), NULL},
    {"nchannels", (getter)stream_get_int, NULL, PyDoc_STR("The channel count of the chunks."), (void *)0},
    {"sample_rate", (getter)stream_get_int, NULL, PyDoc_STR("The sample rate of the chunks in Hz (None for raw PCM)."), (void *)1},
    {"sample_format", (getter)stream_get_format, NULL, PyDoc_STR("The SampleFormat of the chunks (None for raw PCM of unknown type)."), NULL},
    {"frames_to_read", (getter)stream_get_int, NULL, PyDoc_STR("The frames per chunk that next() gives."), (void *)3},
    {NULL, NULL, NULL, NULL, NULL},
};

static PyMemberDef stream_members[] = {
    {"__weaklistoffset__", T_PYSSIZET, offsetof(StreamObject, weakreflist), READONLY, NULL},
    {NULL, 0, 0, 0, NULL},
};

static PyType_Slot stream_slots[] = {
    {Py_tp_doc, (void *)stream_doc},
    {Py_tp_dealloc, stream_dealloc},
    {Py_tp_traverse, stream_traverse},
    {Py_tp_clear, stream_clear},
    {Py_tp_iter, stream_iter},
    {Py_tp_iternext, pyma_stream_iternext},
    {Py_am_send, pyma_stream_am_send},
    {Py_tp_methods, stream_methods},
    {Py_tp_getset, stream_getset},
    {Py_tp_members, stream_members},
    {0, NULL},
};

PyType_Spec pyma_stream_spec = {
    .name = "miniaudio.DecoderStream",
    .basicsize = sizeof(StreamObject),
    /* BASETYPE: the generators (gen.c) are DecoderStreams of their own types. */
    .flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC | Py_TPFLAGS_IMMUTABLETYPE | Py_TPFLAGS_DISALLOW_INSTANTIATION |
             Py_TPFLAGS_BASETYPE,
    .slots = stream_slots,
};
