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
 * This file holds the type (lifecycle, the busy/re-entry guard, getters); construction over a
 * decoder is in stream_open.c (the other kinds build theirs in their own files), reading chunks
 * and the device pull in stream_io.c, seek() in stream_seek.c.
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

/* What the decoder said about its input when it opened (pyma_source_desc): (encoding, file_format,
 * channels, sample_rate, sub_format or None); None for streams without a decoder (raw PCM, generators).
 * The desc outlives close(): it is plain data.  AudioFile reads it to pick its raw dtype. */
static PyObject *
stream_get_source_desc(StreamObject *self, void *Py_UNUSED(closure))
{
    const pyma_source_desc *d = &self->src.desc;

    if (d->encoding == ma_encoding_format_unknown) {
        Py_RETURN_NONE;
    }
    if (d->sub_format < 0) {
        return Py_BuildValue("iiIIO", (int)d->encoding, (int)d->file_format, d->channels, d->sample_rate, Py_None);
    }
    return Py_BuildValue("iiIIi", (int)d->encoding, (int)d->file_format, d->channels, d->sample_rate, d->sub_format);
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
    {"_read_into", (PyCFunction)(void (*)(void))pyma_stream_read_into, METH_FASTCALL, pyma_stream_read_into_doc},
    {"then", (PyCFunction)(void (*)(void))pyma_stream_then, METH_FASTCALL, pyma_stream_then_doc},
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
    {"_source_desc", (getter)stream_get_source_desc, NULL,
     PyDoc_STR("(encoding, file_format, channels, sample_rate, sub_format) of the decoded input, or None (private: "
               "AudioFile's)."),
     NULL},
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
