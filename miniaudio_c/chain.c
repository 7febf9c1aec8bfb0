/* chain.c: gapless chains and playlists of streams, a pyma_pull kind (the source layer, pull.c).
 *
 * chain(members, ...) and Playlist(...) build a DecoderStream (of type Playlist) whose frames are its
 * members' frames back to back: a read that reaches a member's end goes on with the next member in
 * the same chunk, so chunks are full until the whole chain ends.  A member of another format,
 * channel count or rate is converted to the chain's with a converter of its own (devconvert.c's,
 * made here with the GIL).  The chain claims its members (pyma_stream_claim): Python cannot use them
 * while the chain holds them; closing or freeing the chain (pull->free, GIL held: pyma_stream_release)
 * unclaims them and drops its references.  Members are pulled with pyma_stream_pull, so anything a
 * device can pull GIL-free can be a member; a stream over a Python source needs the GIL and is refused.
 *
 * Appending while a reader (a device's audio thread, or another Python thread in next()) reads, with
 * no lock: the members live in an array that only the appending thread (GIL held) writes.  Member i
 * is written completely before `n` becomes i + 1 (an atomic store); a reader loads `n` first, then the
 * array pointer, and reads members below n only.  A full array is copied into one twice as big,
 * published with one atomic pointer store; the old one is kept (`older`) until the chain is freed,
 * since a reader may still hold it.  A reader never allocates, frees, or takes the GIL.
 * While the input is open (a Playlist before close_input()) a reader that runs out of members plays
 * silence when a device or another chain pulls it, and gives what there is to next().
 * Member ends: the reader counts them (`current`); the Python callback on_source_end runs on the
 * caller's thread after a next()/send(), or on the event thread (pyma_events_push_source) when the
 * playlist is claimed, in order, once per member (`delivered`).
 */
#include "_miniaudio.h"

typedef struct {
    PyObject *stream;    /* owned, claimed by the chain */
    pyma_devconv *conv;  /* its converter, or NULL when it is in the chain's format */
} chain_member;

typedef struct chain_slots {
    struct chain_slots *older; /* the array this one replaced (kept until the chain is freed), or NULL */
    int cap;
    chain_member m[];
} chain_slots;

typedef struct {
    pyma_pull base;
    pyma_state *st;
    StreamObject *owner;          /* the stream over this pull (borrowed: it owns the pull) */
    chain_slots *volatile slots;  /* pyma_aloadp/pyma_astorep; written by the appending thread (GIL) */
    volatile int n;               /* members published: slots->m[0, n) are complete */
    volatile int current;         /* written by the reader: the member being read (n: all read), which
                                   * is also how many members have ended */
    volatile int input_open;      /* more members may come (Playlist before close_input()) */
    volatile int delivered;       /* on_source_end calls made (or skipped while it was None) */
    volatile int delivering;      /* a thread is running on_source_end calls (GIL) */
    volatile int notify;          /* on_end is set: a claimed reader wakes the event thread */
    PyObject *on_end;             /* on_source_end (owned), or NULL; GIL */
    pyma_source_event ev;         /* the event-queue link (events.c) */
    ma_uint64 total;              /* GIL: the sum of the members' lengths, when total_known */
    int total_known;
} chain_pull;

/* Reads across members: a member that gives fewer frames than asked has ended.  No Python API. */
static ma_result
chain_read(pyma_pull *pull, void *out, ma_uint64 frames, ma_uint64 *got)
{
    chain_pull *c = (chain_pull *)pull;
    ma_uint64 frame_bytes = ma_get_bytes_per_frame(pull->format, pull->channels), step, want;
    int open = pyma_aload(&c->input_open); /* before n: once closed, no member is added after */
    int n = pyma_aload(&c->n);
    chain_slots *slots = pyma_aloadp((void *volatile *)&c->slots); /* after n: holds members [0, n) */
    int cur = c->current, ended = 0;
    ma_result r;

    *got = 0;
    while (*got < frames && cur < n) {
        chain_member *m = &slots->m[cur];
        want = frames - *got;
        step = 0;
        if (m->conv != NULL) {
            r = pyma_devconv_pull(m->conv, m->stream, (char *)out + *got * frame_bytes, want, &step);
        }
        else {
            r = pyma_stream_pull(m->stream, (char *)out + *got * frame_bytes, want, &step);
        }
        *got += step;
        if (r != MA_SUCCESS && r != MA_AT_END) {
            return r;
        }
        if (step < want) {
            pyma_astore(&c->current, ++cur); /* that member ended: the next one goes on in the same chunk */
            ended = 1;
        }
    }
    /* owner->claimed: set with the GIL before a device or a chain pulls, cleared after it stopped. */
    if (ended && c->owner->claimed && pyma_aload(&c->notify)) {
        pyma_events_push_source(c->st, &c->ev);
    }
    if (*got < frames && open && c->owner->claimed) {
        /* Out of members with the input open: silence, so that the device keeps running. */
        ma_silence_pcm_frames((char *)out + *got * frame_bytes, frames - *got, pull->format, pull->channels);
        *got = frames;
    }
    return *got > 0 ? MA_SUCCESS : MA_AT_END;
}

/* Rewinds a claimed member to its frame 0 (the chain's seek(0)).  No Python API: members never read
 * a Python source. */
static ma_result
chain_rewind_member(StreamObject *m)
{
    ma_uint64 landed = 0;
    ma_result r = MA_SUCCESS;

    if (m->mode == PYMA_MODE_DECODER) {
        r = pyma_decoder_seek(&m->src.decoder, 0, &landed);
    }
    else if (m->mode == PYMA_MODE_PULL) {
        r = pyma_pull_seek(m->pull, 0);
    }
    if (r == MA_SUCCESS) {
        pyma_astore64(&m->position, 0);
        pyma_astore64(&m->loops_done, 0);
        m->pull_ended = 0;
    }
    return r;
}

/* Only frame 0: every member back to its start, the member ends to be told again.  No Python API. */
static ma_result
chain_seek(pyma_pull *pull, ma_uint64 frame)
{
    chain_pull *c = (chain_pull *)pull;
    int n = pyma_aload(&c->n), i;
    chain_slots *slots = pyma_aloadp((void *volatile *)&c->slots);
    ma_result r;

    if (frame != 0) {
        return MA_INVALID_OPERATION;
    }
    for (i = 0; i < n; i++) {
        r = chain_rewind_member((StreamObject *)slots->m[i].stream);
        if (r != MA_SUCCESS) {
            return r;
        }
        if (slots->m[i].conv != NULL) {
            pyma_devconv_reset(slots->m[i].conv);
        }
    }
    pyma_astore(&c->current, 0);
    pyma_astore(&c->delivered, 0);
    return MA_SUCCESS;
}

/* GIL held (pyma_stream_release, or a failed construction): unclaims the members and drops them. */
static void
chain_free(pyma_pull *pull)
{
    chain_pull *c = (chain_pull *)pull;
    chain_slots *slots = c->slots, *older;
    int i, n = c->n;

    pyma_events_forget_source(c->st, &c->ev);
    c->n = 0;
    for (i = 0; i < n; i++) {
        pyma_devconv_free(slots->m[i].conv);
        slots->m[i].conv = NULL;
    }
    for (i = 0; i < n; i++) {
        PyObject *m = slots->m[i].stream;
        slots->m[i].stream = NULL;
        pyma_stream_unclaim(m);
        Py_DECREF(m);
    }
    for (; slots != NULL; slots = older) {
        older = slots->older;
        PyMem_RawFree(slots);
    }
    Py_CLEAR(c->on_end);
    PyMem_Free(c);
}

/* Whether `x` is `target` or holds it, as a member or deeper (a playlist that plays itself would
 * recurse forever on the audio thread).  GIL held. */
static int
chain_holds(StreamObject *x, StreamObject *target)
{
    chain_pull *c;
    int i;

    if (x == target) {
        return 1;
    }
    if (Py_TYPE(x) != Py_TYPE(target) || x->closed || x->pull == NULL) {
        return 0;
    }
    c = (chain_pull *)x->pull;
    for (i = 0; i < c->n; i++) {
        if (chain_holds((StreamObject *)c->slots->m[i].stream, target)) {
            return 1;
        }
    }
    return 0;
}

/* Checks the would-be member `m` ("<label> <number>" in messages) and makes its converter (*conv,
 * NULL when none is needed); claims nothing.  GIL held; -1 with an exception. */
static int
chain_check_member(pyma_state *st, chain_pull *c, const char *label, Py_ssize_t number, PyObject *m,
                   pyma_devconv **conv)
{
    StreamObject *s = (StreamObject *)m;
    ma_uint32 rate;

    *conv = NULL;
    if (!PyObject_TypeCheck(m, st->stream_type)) {
        PyErr_Format(PyExc_TypeError, "%s %zd must be a DecoderStream (stream_file(), stream_memory(), "
                     "a generator, ...), not %.200s", label, number, Py_TYPE(m)->tp_name);
        return -1;
    }
    if (s->closed) {
        PyErr_Format(PyExc_ValueError, "%s %zd is a closed stream", label, number);
        return -1;
    }
    if (chain_holds((StreamObject *)m, c->owner)) {
        PyErr_Format(PyExc_ValueError, "%s %zd is the playlist itself, or a playlist that holds it", label, number);
        return -1;
    }
    if (s->claimed) {
        PyErr_Format(PyExc_RuntimeError, "%s %zd is already played by a device or another chain "
                     "(or given twice)", label, number);
        return -1;
    }
    if (s->busy) {
        PyErr_Format(PyExc_RuntimeError, "%s %zd is in use (another thread, or its own source)", label, number);
        return -1;
    }
    if (s->finished) {
        PyErr_Format(PyExc_ValueError, "%s %zd has already ended: seek() it back first", label, number);
        return -1;
    }
    if (s->mode == PYMA_MODE_DECODER && s->src.pysource != NULL) {
        PyErr_Format(PyExc_ValueError, "%s %zd reads a Python source (stream_any): its reads need the "
                     "GIL, which a chain played by a device does not take; use stream_memory() or stream_file()",
                     label, number);
        return -1;
    }
    if (s->fmt == NULL) {
        PyErr_Format(PyExc_ValueError, "%s %zd is raw PCM of unknown sample format (4-byte samples "
                     "could be SIGNED32 or FLOAT32): pass an array.array or a typed buffer", label, number);
        return -1;
    }
    rate = s->sample_rate != 0 ? s->sample_rate : c->base.sample_rate; /* raw PCM: the chain's rate */
    if (s->fmt->format != c->base.format || s->channels != c->base.channels || rate != c->base.sample_rate) {
        return pyma_devconv_new(conv, s->fmt->format, s->channels, rate, c->base.format, c->base.channels,
                                c->base.sample_rate);
    }
    return 0;
}

/* Makes room for `need` members: a bigger array, published with the members so far.  GIL held (the
 * appending thread is the only writer); -1 with MemoryError. */
static int
chain_reserve(chain_pull *c, Py_ssize_t need)
{
    chain_slots *old = c->slots, *grown;
    Py_ssize_t cap = old != NULL ? old->cap : 4;

    if (need > INT_MAX / 2) {
        PyErr_SetString(PyExc_OverflowError, "too many members in one chain");
        return -1;
    }
    if (old != NULL && need <= old->cap) {
        return 0;
    }
    while (cap < need) {
        cap *= 2;
    }
    grown = PyMem_RawCalloc(1, sizeof(chain_slots) + (size_t)cap * sizeof(chain_member));
    if (grown == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    grown->cap = (int)cap;
    grown->older = old;
    if (old != NULL) {
        memcpy(grown->m, old->m, (size_t)c->n * sizeof(chain_member));
    }
    pyma_astorep((void *volatile *)&c->slots, grown); /* a reader that loads it sees the copied members */
    return 0;
}

/* Appends `count` streams as members, all or none: checks them all (the first fails with its
 * position, first_number + i), then claims and publishes each.  GIL held, not released (so no other
 * Python thread appends or closes meanwhile); -1 with an exception. */
static int
chain_add(pyma_state *st, chain_pull *c, const char *label, Py_ssize_t first_number, PyObject *const *items,
          Py_ssize_t count)
{
    pyma_devconv **convs = NULL;
    pyma_stream_info info;
    Py_ssize_t i, j;
    int rc = -1;

    if (count == 0) {
        return 0;
    }
    convs = PyMem_Calloc((size_t)count, sizeof(pyma_devconv *));
    if (convs == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    for (i = 0; i < count; i++) {
        for (j = 0; j < i; j++) {
            if (items[j] == items[i]) {
                PyErr_Format(PyExc_RuntimeError, "%s %zd is already played by a device or another chain "
                             "(or given twice)", label, first_number + i);
                goto done;
            }
        }
        if (chain_check_member(st, c, label, first_number + i, items[i], &convs[i]) < 0) {
            goto done;
        }
    }
    if (chain_reserve(c, (Py_ssize_t)c->n + count) < 0) {
        goto done;
    }
    for (i = 0; i < count; i++) {
        StreamObject *m = (StreamObject *)items[i];
        chain_member *slot = &c->slots->m[c->n];
        if (pyma_stream_claim(items[i], &info) < 0) {
            goto done; /* not reached: chain_check_member checked what the claim checks */
        }
        slot->stream = Py_NewRef(items[i]);
        slot->conv = convs[i];
        convs[i] = NULL;
        /* The chain's length: the sum of its members' lengths, where all are known, all start at
         * their frame 0 (where seek(0) brings them back), and none converts its rate (a resampler's
         * count is not exact at the end) or loops. */
        if (!m->length_known || m->loop_passes != 0 || m->mode == PYMA_MODE_PULL ||
            (m->sample_rate != 0 && m->sample_rate != c->base.sample_rate) || pyma_aload64(&m->position) != 0) {
            c->total_known = 0;
        }
        else {
            c->total += m->length;
        }
        pyma_astore(&c->n, c->n + 1); /* publishes the member: written completely above */
    }
    rc = 0;
done:
    for (i = 0; i < count; i++) {
        pyma_devconv_free(convs[i]);
    }
    PyMem_Free(convs);
    return rc;
}

/* The input is complete: a chain of known members read from its start gets its length.  GIL held. */
static void
chain_close_input(chain_pull *c)
{
    StreamObject *owner = c->owner;

    pyma_astore(&c->input_open, 0);
    if (c->total_known && c->total > 0 && c->total <= (ma_uint64)INT64_MAX && !owner->claimed &&
        pyma_aload64(&owner->position) == 0) {
        owner->length = c->total;
        owner->length_known = 1;
    }
}

/* Starts the package's event thread (miniaudio._devices), which runs on_source_end for a playlist a
 * device plays.  GIL held; -1 with an exception. */
static int
chain_ensure_event_thread(void)
{
    PyObject *mod = PyImport_ImportModule("miniaudio._devices"), *res;

    if (mod == NULL) {
        return -1;
    }
    res = PyObject_CallMethod(mod, "_ensure_event_thread", NULL);
    Py_DECREF(mod);
    Py_XDECREF(res);
    return res == NULL ? -1 : 0;
}

/* Sets on_source_end (a callable, or None/NULL for none).  GIL held; -1 with TypeError. */
static int
chain_set_on_end(chain_pull *c, PyObject *fn)
{
    if (fn != NULL && fn != Py_None) {
        if (!PyCallable_Check(fn)) {
            PyErr_Format(PyExc_TypeError, "on_source_end must be callable or None, not %.200s", Py_TYPE(fn)->tp_name);
            return -1;
        }
        if (chain_ensure_event_thread() < 0) {
            return -1;
        }
        Py_XSETREF(c->on_end, Py_NewRef(fn));
        pyma_astore(&c->notify, 1);
    }
    else {
        pyma_astore(&c->notify, 0);
        Py_CLEAR(c->on_end);
    }
    return 0;
}

/* A chain (input_open 0) or a playlist over the members `items`, which it claims; `label` names them
 * in messages ("chain() argument").  GIL held; a new Playlist, or NULL with an exception. */
static PyObject *
chain_build(pyma_state *st, const char *label, PyObject *const *items, Py_ssize_t count, long format, long channels,
            long rate, Py_ssize_t frames_to_read, int chunk_type, PyObject *wrap, PyObject *format_obj,
            PyObject *on_end, int input_open)
{
    PyObject *stream;
    chain_pull *c = PyMem_Calloc(1, sizeof(*c));

    if (c == NULL) {
        return PyErr_NoMemory();
    }
    c->st = st;
    c->base.format = (ma_format)format;
    c->base.channels = (ma_uint32)channels;
    c->base.sample_rate = (ma_uint32)rate;
    c->base.infinite = 1; /* no data source to ask: the length is set by chain_close_input */
    c->base.read = chain_read;
    c->base.seek = chain_seek;
    c->base.free = chain_free;
    c->total_known = 1;
    c->input_open = 1;
    /* The stream first, so that every member check knows its owner (a playlist cannot hold itself). */
    stream = pyma_stream_over_pull(st->playlist_type, &c->base, format_obj, frames_to_read, chunk_type, wrap);
    if (stream == NULL) {
        return NULL; /* c freed by pyma_stream_over_pull */
    }
    c->owner = (StreamObject *)stream;
    c->ev.owner = stream;
    if (chain_set_on_end(c, on_end) < 0 || chain_add(st, c, label, 1, items, count) < 0) {
        Py_DECREF(stream); /* releases c and unclaims nothing (chain_add claims all or none) */
        return NULL;
    }
    if (!input_open) {
        chain_close_input(c);
    }
    return stream;
}

const char pyma_chain_doc[] =
    "chain($module, members, /, output_format, nchannels, sample_rate, frames_to_read, chunk_type, wrap,\n"
    "      format_obj, on_source_end=None)\n--\n\n"
    "A Playlist (closed input) playing the DecoderStreams of the tuple `members` back to back, converted\n"
    "to output_format / nchannels / sample_rate; format_obj is the SampleFormat the stream reports.";

PyObject *
pyma_chain(PyObject *module, PyObject *args, PyObject *kwargs)
{
    static char *kwlist[] = {"", "output_format", "nchannels", "sample_rate", "frames_to_read", "chunk_type", "wrap",
                             "format_obj", "on_source_end", NULL};
    pyma_state *st = pyma_get_state(module);
    PyObject *members, *format_in, *channels_in, *rate_in, *wrap = Py_None, *format_obj, *on_end = Py_None;
    long format, channels, rate;
    Py_ssize_t frames_to_read;
    int chunk_type;

    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "O!OOOniOO|O:chain", kwlist, &PyTuple_Type, &members, &format_in,
                                     &channels_in, &rate_in, &frames_to_read, &chunk_type, &wrap, &format_obj,
                                     &on_end) ||
        pyma_arg(format_in, PYMA_ARG_FORMAT, 0, "output_format", &format) < 0 ||
        pyma_arg(channels_in, PYMA_ARG_CHANNELS, 0, "nchannels", &channels) < 0 ||
        pyma_arg(rate_in, PYMA_ARG_SAMPLE_RATE, 0, "sample_rate", &rate) < 0) {
        return NULL;
    }
    if (PyTuple_GET_SIZE(members) == 0) {
        PyErr_SetString(PyExc_ValueError, "chain() needs at least one stream");
        return NULL;
    }
    return chain_build(st, "chain() argument", PySequence_Fast_ITEMS(members), PyTuple_GET_SIZE(members), format,
                       channels, rate, frames_to_read, chunk_type, wrap, format_obj, on_end, 0);
}


/* ---- the Playlist type: a chain that takes more members while it plays --------------------------- */

/* The playlist's chain, or NULL when the stream is closed. */
static chain_pull *
playlist_pull(StreamObject *self)
{
    return self->closed ? NULL : (chain_pull *)self->pull;
}

/* The chain of a playlist that takes more members, or NULL with ValueError naming `what`. */
static chain_pull *
playlist_input(StreamObject *self, const char *what)
{
    chain_pull *c = playlist_pull(self);

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
    chain_pull *c = playlist_pull(self);
    PyObject *fn, *member, *res;
    int d;

    if (c == NULL || !pyma_acas(&c->delivering, 0, 1)) {
        return;
    }
    Py_INCREF(self);
    for (;;) {
        d = pyma_aload(&c->delivered);
        if (d >= pyma_aload(&c->current)) {
            break;
        }
        pyma_astore(&c->delivered, d + 1);
        if (c->on_end == NULL) {
            continue; /* ends while no callback was set are not told later */
        }
        fn = Py_NewRef(c->on_end);
        member = Py_NewRef(c->slots->m[d].stream);
        res = PyObject_CallFunction(fn, "iO", d, member);
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
    chain_pull *c = playlist_pull(self);
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
    chain_pull *c = playlist_input(self, "append()");

    if (c == NULL || chain_add(c->st, c, "Playlist.append() argument", 1, &source, 1) < 0) {
        return NULL;
    }
    Py_RETURN_NONE;
}

static PyObject *
playlist_extend(StreamObject *self, PyObject *sources)
{
    pyma_state *st = PyType_GetModuleState(Py_TYPE(self));
    PyObject *seq;
    chain_pull *c;
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
                   : chain_add(st, c, "Playlist.extend() item", 1, PySequence_Fast_ITEMS(seq), PySequence_Fast_GET_SIZE(seq));
    Py_DECREF(seq);
    if (rc < 0) {
        return NULL;
    }
    Py_RETURN_NONE;
}

static PyObject *
playlist_close_input(StreamObject *self, PyObject *Py_UNUSED(ignored))
{
    chain_pull *c = playlist_pull(self);

    if (c != NULL && pyma_aload(&c->input_open)) {
        pyma_astore(&c->input_open, 0);
        if (!self->busy) {
            chain_close_input(c);
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
    chain_pull *c = playlist_pull(self);
    return Py_NewRef(c != NULL && c->on_end != NULL ? c->on_end : Py_None);
}

static int
playlist_set_on_end(StreamObject *self, PyObject *value, void *Py_UNUSED(closure))
{
    chain_pull *c = playlist_pull(self);

    if (c == NULL) {
        PyErr_SetString(PyExc_ValueError, "on_source_end of a closed playlist");
        return -1;
    }
    return chain_set_on_end(c, value);
}

/* current (0), ended_count (1), input_closed (2). */
static PyObject *
playlist_get_int(StreamObject *self, void *closure)
{
    chain_pull *c = playlist_pull(self);
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
    chain_pull *c = playlist_pull(self);
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
    result = chain_build(st, "Playlist() argument", PySequence_Fast_ITEMS(args), PyTuple_GET_SIZE(args), format,
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
