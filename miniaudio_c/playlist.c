/* playlist.c: the Playlist type, a DecoderStream over a chain (chain.c) that takes more members while
 * it plays: append()/extend() (chain.c's lock-free publication), close_input(), an empty chunk from
 * next() while it is dry with the input open, and on_source_end, run here on the caller's thread after
 * a read or by the event thread (_deliver_ends) for the ends an audio thread counted.  GIL held in
 * every function of this file.
 */
#include "_miniaudio.h"

/* The playlist's chain, or NULL when the stream is closed. */
static pyma_chain_pull *
playlist_pull(StreamObject *self)
{
    return self->closed ? NULL : (pyma_chain_pull *)self->pull;
}

/* The chain of a playlist that takes more members, or NULL with ValueError naming `what`. */
static pyma_chain_pull *
playlist_input(StreamObject *self, const char *what)
{
    pyma_chain_pull *c = playlist_pull(self);

    if (c == NULL) {
        PyErr_Format(PyExc_ValueError, "%s on a closed playlist", what);
    }
    else if (!pyma_aload(&c->input_open)) {
        PyErr_Format(PyExc_ValueError, "%s after close_input(): the playlist takes no more sources", what);
        c = NULL;
    }
    return c;
}

/* Runs on_source_end(index, source) for the members that ended since the last call, in order, once
 * each.  GIL held; the callback's exceptions go to sys.unraisablehook.  One thread at a time
 * (`delivering`): another that comes meanwhile leaves the calls to it. */
static void
playlist_deliver(StreamObject *self)
{
    pyma_chain_pull *c = playlist_pull(self);
    PyObject *fn, *member, *res;
    ma_uint64 d, total;
    int index;

    if (c == NULL || !pyma_acas(&c->delivering, 0, 1)) {
        return;
    }
    Py_INCREF(self);
    for (;;) {
        d = pyma_aload64(&c->delivered);
        total = pyma_aload64(&c->ends_total);
        if (d >= total) {
            break;
        }
        if (total - d > PYMA_CHAIN_ENDS) {
            d = total - PYMA_CHAIN_ENDS; /* the reader ran that far ahead: the oldest ends are skipped */
        }
        index = pyma_aload(&c->end_index[d % PYMA_CHAIN_ENDS]);
        if (pyma_aload64(&c->ends_total) - d > PYMA_CHAIN_ENDS) {
            pyma_astore64(&c->delivered, d + 1); /* overwritten while being read: skipped as well */
            continue;
        }
        pyma_astore64(&c->delivered, d + 1);
        if (c->on_end == NULL || index < 0 || index >= pyma_aload(&c->n)) {
            continue; /* ends while no callback was set are not told later */
        }
        fn = Py_NewRef(c->on_end);
        member = Py_NewRef(c->slots->m[index].stream);
        res = PyObject_CallFunction(fn, "iO", index, member);
        if (res == NULL) {
            PyErr_WriteUnraisable(fn);
        }
        Py_XDECREF(res);
        Py_DECREF(member);
        Py_DECREF(fn);
        if (playlist_pull(self) != c) {
            c = NULL; /* the callback closed the playlist: c is freed */
            break;
        }
    }
    if (c != NULL) {
        pyma_astore(&c->delivering, 0);
    }
    Py_DECREF(self);
}

/* An empty chunk of the playlist's chunk type.  GIL held; NULL with an exception. */
static PyObject *
playlist_empty_chunk(StreamObject *self)
{
    pyma_state *st = PyType_GetModuleState(Py_TYPE(self));
    PyObject *chunk, *result;

    chunk = self->chunk_type == PYMA_CHUNK_BYTES ? PyBytes_FromStringAndSize(NULL, 0)
                                                 : pyma_new_sample_array(st, self->fmt->typecode, 0);
    if (chunk == NULL || self->wrap == NULL) {
        return chunk;
    }
    result = PyObject_CallOneArg(self->wrap, chunk);
    Py_DECREF(chunk);
    return result;
}

/* next() (arg NULL) or send(arg): the stream's chunk; with the input open, a playlist out of members
 * gives an empty chunk instead of StopIteration.  Then on_source_end for the members that ended. */
static PyObject *
playlist_read(StreamObject *self, PyObject *arg)
{
    pyma_chain_pull *c = playlist_pull(self);
    /* Seen before the read: a close_input() during it (another thread) follows every append. */
    int open = c != NULL && !self->claimed && pyma_aload(&c->input_open);
    PyObject *chunk = arg == NULL ? pyma_stream_iternext(self) : pyma_stream_send(self, arg), *exc;

    if (chunk == NULL && open && playlist_pull(self) == c && PyErr_ExceptionMatches(PyExc_StopIteration)) {
        PyErr_Clear();
        self->finished = 0;     /* not the end: more may come */
        self->length_known = 0; /* (stream_ended took the frames so far for the length) */
        chunk = playlist_empty_chunk(self);
    }
    if (!self->claimed) {
        exc = chunk == NULL ? pyma_err_take() : NULL;
        playlist_deliver(self);
        if (exc != NULL) {
            pyma_err_give(exc);
        }
    }
    return chunk;
}

static PyObject *
playlist_iternext(StreamObject *self)
{
    return playlist_read(self, NULL);
}

static PyObject *
playlist_send(StreamObject *self, PyObject *value)
{
    return playlist_read(self, value);
}

static PySendResult
playlist_am_send(StreamObject *self, PyObject *arg, PyObject **presult)
{
    PyObject *chunk = playlist_read(self, arg);

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

static PyObject *
playlist_append(StreamObject *self, PyObject *source)
{
    pyma_chain_pull *c = playlist_input(self, "append()");

    if (c == NULL || pyma_chain_add(c->st, c, "Playlist.append() argument", 1, &source, 1) < 0) {
        return NULL;
    }
    Py_RETURN_NONE;
}

static PyObject *
playlist_extend(StreamObject *self, PyObject *sources)
{
    pyma_state *st = PyType_GetModuleState(Py_TYPE(self));
    PyObject *seq;
    pyma_chain_pull *c;
    int rc;

    if (playlist_input(self, "extend()") == NULL) {
        return NULL;
    }
    if (PyObject_TypeCheck(sources, st->stream_type)) {
        /* Iterating it would read its chunks away. */
        PyErr_SetString(PyExc_TypeError, "extend() takes an iterable of streams, not a stream: use append()");
        return NULL;
    }
    seq = PySequence_Fast(sources, "extend() takes an iterable of streams");
    if (seq == NULL) {
        return NULL;
    }
    c = playlist_input(self, "extend()"); /* again: iterating may have run Python code */
    rc = c == NULL ? -1
                   : pyma_chain_add(st, c, "Playlist.extend() item", 1, PySequence_Fast_ITEMS(seq), PySequence_Fast_GET_SIZE(seq));
    Py_DECREF(seq);
    if (rc < 0) {
        return NULL;
    }
    Py_RETURN_NONE;
}

static PyObject *
playlist_close_input(StreamObject *self, PyObject *Py_UNUSED(ignored))
{
    pyma_chain_pull *c = playlist_pull(self);

    if (c != NULL && pyma_aload(&c->input_open)) {
        pyma_astore(&c->input_open, 0);
        if (!self->busy) {
            pyma_chain_close_input(c);
        }
    }
    Py_RETURN_NONE;
}

static PyObject *
playlist_deliver_ends(StreamObject *self, PyObject *Py_UNUSED(ignored))
{
    playlist_deliver(self);
    Py_RETURN_NONE;
}

static PyObject *
playlist_get_on_end(StreamObject *self, void *Py_UNUSED(closure))
{
    pyma_chain_pull *c = playlist_pull(self);
    return Py_NewRef(c != NULL && c->on_end != NULL ? c->on_end : Py_None);
}

static int
playlist_set_on_end(StreamObject *self, PyObject *value, void *Py_UNUSED(closure))
{
    pyma_chain_pull *c = playlist_pull(self);

    if (c == NULL) {
        PyErr_SetString(PyExc_ValueError, "on_source_end of a closed playlist");
        return -1;
    }
    return pyma_chain_set_on_end(c, value);
}

/* current (0), ended_count (1), input_closed (2). */
static PyObject *
playlist_get_int(StreamObject *self, void *closure)
{
    pyma_chain_pull *c = playlist_pull(self);
    int which = (int)(Py_intptr_t)closure, cur;

    if (which == 2) {
        return PyBool_FromLong(c == NULL || !pyma_aload(&c->input_open));
    }
    if (c == NULL) {
        PyErr_SetString(PyExc_ValueError, "I/O operation on a closed stream");
        return NULL;
    }
    cur = pyma_aload(&c->current);
    if (which == 1) {
        return PyLong_FromLong(cur);
    }
    if (cur >= pyma_aload(&c->n)) {
        Py_RETURN_NONE;
    }
    return PyLong_FromLong(cur);
}

static int
playlist_traverse(StreamObject *self, visitproc visit, void *arg)
{
    pyma_chain_pull *c = playlist_pull(self);
    int i;

    if (c != NULL) {
        Py_VISIT(c->on_end);
        for (i = 0; i < c->n; i++) {
            Py_VISIT(c->slots->m[i].stream);
        }
    }
    return Py_TYPE(self)->tp_base->tp_traverse((PyObject *)self, visit, arg);
}

static PyObject *
playlist_new(PyTypeObject *type, PyObject *args, PyObject *kwargs)
{
    static char *kwlist[] = {"output_format", "nchannels", "sample_rate", "frames_to_read", "chunk_type",
                             "on_source_end", NULL};
    pyma_state *st = PyType_GetModuleState(type);
    PyObject *ignored = NULL, *on_end = Py_None, *empty, *mod, *settings = NULL, *format_obj, *wrap, *result = NULL;
    long format, channels, rate;
    Py_ssize_t frames_to_read;
    int chunk_type, ok;

    empty = PyTuple_New(0);
    if (empty == NULL) {
        return NULL;
    }
    /* Checks the keywords' names; their values are checked by _settings below. */
    ok = PyArg_ParseTupleAndKeywords(empty, kwargs, "|$OOOOOO:Playlist", kwlist, &ignored, &ignored, &ignored,
                                     &ignored, &ignored, &on_end);
    Py_DECREF(empty);
    if (!ok) {
        return NULL;
    }
    mod = PyImport_ImportModule("miniaudio._chain");
    if (mod != NULL) {
        PyObject *fn = PyObject_GetAttrString(mod, "_settings"), *fargs = Py_BuildValue("(sO)", "Playlist()", args);
        settings = fn != NULL && fargs != NULL ? PyObject_Call(fn, fargs, kwargs) : NULL;
        Py_XDECREF(fn);
        Py_XDECREF(fargs);
        Py_DECREF(mod);
    }
    if (settings == NULL) {
        return NULL;
    }
    if (!PyArg_ParseTuple(settings, "OllniO", &format_obj, &channels, &rate, &frames_to_read, &chunk_type, &wrap) ||
        pyma_arg(format_obj, PYMA_ARG_FORMAT, 0, "output_format", &format) < 0) {
        goto done;
    }
    result = pyma_chain_build(st, "Playlist() argument", PySequence_Fast_ITEMS(args), PyTuple_GET_SIZE(args), format,
                         channels, rate, frames_to_read, chunk_type, wrap, format_obj, on_end, 1);
done:
    Py_DECREF(settings);
    return result;
}

static PyMethodDef playlist_methods[] = {
    {"send", (PyCFunction)playlist_send, METH_O,
     PyDoc_STR("send($self, frames, /)\n--\n\n"
               "The next `frames` frames (None: frames_to_read), as DecoderStream.send(); with the input open,\n"
               "what there is (an empty chunk when no member is left) instead of StopIteration.")},
    {"append", (PyCFunction)playlist_append, METH_O,
     PyDoc_STR("append($self, source, /)\n--\n\n"
               "Add a stream at the end; allowed while a device plays the playlist, from any thread.")},
    {"extend", (PyCFunction)playlist_extend, METH_O,
     PyDoc_STR("extend($self, sources, /)\n--\n\n"
               "Add the streams of an iterable at the end, all or none.")},
    {"close_input", (PyCFunction)playlist_close_input, METH_NOARGS,
     PyDoc_STR("close_input($self, /)\n--\n\n"
               "No more sources: the playlist ends after its last member (idempotent).")},
    {"_deliver_ends", (PyCFunction)playlist_deliver_ends, METH_NOARGS,
     PyDoc_STR("_deliver_ends($self, /)\n--\n\n"
               "Run on_source_end for members that ended (the event thread calls this).")},
    {NULL, NULL, 0, NULL},
};

static PyGetSetDef playlist_getset[] = {
    {"on_source_end", (getter)playlist_get_on_end, (setter)playlist_set_on_end,
     PyDoc_STR("Called as on_source_end(index, source) once per member that ended, in order (settable; None for "
               "none): on the event thread when a device plays the playlist, else on the thread that called next()."),
     NULL},
    {"current", (getter)playlist_get_int, NULL,
     PyDoc_STR("The index of the member being played, or None when none is left (readable while it plays)."),
     (void *)0},
    {"ended_count", (getter)playlist_get_int, NULL,
     PyDoc_STR("How many members have ended (readable while it plays; seek(0) starts it over)."), (void *)1},
    {"input_closed", (getter)playlist_get_int, NULL,
     PyDoc_STR("Whether close_input() was called (chain(): always True)."), (void *)2},
    {NULL, NULL, NULL, NULL, NULL},
};

PyDoc_STRVAR(playlist_doc,
             "Playlist(*sources, output_format=None, nchannels=None, sample_rate=None, frames_to_read=1024,\n"
             "         chunk_type=\"array\", on_source_end=None)\n--\n\n"
             "A DecoderStream playing its sources back to back, gaplessly, that takes more sources while it\n"
             "plays: append() and extend() from any thread, close_input() when there are no more.\n"
             "A device that has played every source before close_input() plays silence and waits for more;\n"
             "after close_input() the end of the last source ends the stream.  next() with no source left\n"
             "and the input open gives an empty chunk; StopIteration comes only after close_input().");

static PyType_Slot playlist_slots[] = {
    {Py_tp_new, playlist_new},
    {Py_tp_doc, (void *)playlist_doc},
    {Py_tp_traverse, playlist_traverse},
    {Py_tp_iternext, playlist_iternext},
    {Py_am_send, playlist_am_send},
    {Py_tp_methods, playlist_methods},
    {Py_tp_getset, playlist_getset},
    {0, NULL},
};

PyType_Spec pyma_playlist_spec = {
    .name = "miniaudio.Playlist",
    .basicsize = sizeof(StreamObject),
    .flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC | Py_TPFLAGS_IMMUTABLETYPE,
    .slots = playlist_slots,
};
