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
 * Member ends: the reader notes each end's member index in a ring (`end_index`, PYMA_CHAIN_ENDS
 * deep) and counts it (`ends_total`, over all passes of a looping chain); the Python callback
 * on_source_end runs on the caller's thread after a next()/send(), or on the event thread
 * (pyma_events_push_source) when the playlist is claimed, in order, once per end (`delivered`).
 * `current` is the member being read in this pass.
 */
#include "_miniaudio.h"


/* Reads across members: a member that gives fewer frames than asked has ended.  No Python API. */
static ma_result
chain_read(pyma_pull *pull, void *out, ma_uint64 frames, ma_uint64 *got)
{
    pyma_chain_pull *c = (pyma_chain_pull *)pull;
    ma_uint64 frame_bytes = ma_get_bytes_per_frame(pull->format, pull->channels), step, want;
    int open = pyma_aload(&c->input_open); /* before n: once closed, no member is added after */
    int n = pyma_aload(&c->n);
    pyma_chain_slots *slots = pyma_aloadp((void *volatile *)&c->slots); /* after n: holds members [0, n) */
    int cur = c->current, ended = 0;
    ma_result r;

    *got = 0;
    while (*got < frames && cur < n) {
        pyma_chain_member *m = &slots->m[cur];
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
            /* that member ended: told later (its index first, then the count); the next one goes
             * on in the same chunk */
            ma_uint64 k = c->ends_total;
            pyma_astore(&c->end_index[k % PYMA_CHAIN_ENDS], cur);
            pyma_astore64(&c->ends_total, k + 1);
            pyma_astore(&c->current, ++cur);
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
    ma_result r = pyma_pull_seek(m->pull, 0, &landed);

    if (r == MA_SUCCESS) {
        pyma_astore64(&m->position, 0);
        pyma_astore64(&m->pull->loops_done, 0);
        m->pull_ended = 0;
    }
    return r;
}

/* Only frame 0: every member back to its start (a user's seek(0), or the wrap of a looping chain),
 * so their ends come again; ends already counted are still told.  No Python API. */
static ma_result
chain_seek(pyma_pull *pull, ma_uint64 frame)
{
    pyma_chain_pull *c = (pyma_chain_pull *)pull;
    int n = pyma_aload(&c->n), i;
    pyma_chain_slots *slots = pyma_aloadp((void *volatile *)&c->slots);
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
    return MA_SUCCESS;
}

/* GIL held (pyma_stream_release, or a failed construction): unclaims the members and drops them. */
static void
chain_free(pyma_pull *pull)
{
    pyma_chain_pull *c = (pyma_chain_pull *)pull;
    pyma_chain_slots *slots = c->slots, *older;
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
    pyma_chain_pull *c;
    PyObject *inner;
    int i;

    if (x == target) {
        return 1;
    }
    if (x->closed || x->pull == NULL) {
        return 0;
    }
    inner = pyma_pull_dsp_source(x->pull); /* a processed stream holds what its source holds */
    if (inner != NULL) {
        return chain_holds((StreamObject *)inner, target);
    }
    if (Py_TYPE(x) != Py_TYPE(target)) {
        return 0;
    }
    c = (pyma_chain_pull *)x->pull;
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
chain_check_member(pyma_state *st, pyma_chain_pull *c, const char *label, Py_ssize_t number, PyObject *m,
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
    if (s->src.pysource != NULL) {
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
chain_reserve(pyma_chain_pull *c, Py_ssize_t need)
{
    pyma_chain_slots *old = c->slots, *grown;
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
    grown = PyMem_RawCalloc(1, sizeof(pyma_chain_slots) + (size_t)cap * sizeof(pyma_chain_member));
    if (grown == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    grown->cap = (int)cap;
    grown->older = old;
    if (old != NULL) {
        memcpy(grown->m, old->m, (size_t)c->n * sizeof(pyma_chain_member));
    }
    pyma_astorep((void *volatile *)&c->slots, grown); /* a reader that loads it sees the copied members */
    return 0;
}

/* Appends `count` streams as members, all or none: checks them all (the first fails with its
 * position, first_number + i), then claims and publishes each.  GIL held, not released (so no other
 * Python thread appends or closes meanwhile); -1 with an exception. */
int
pyma_chain_add(pyma_state *st, pyma_chain_pull *c, const char *label, Py_ssize_t first_number, PyObject *const *items,
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
        pyma_chain_member *slot = &c->slots->m[c->n];
        if (pyma_stream_claim(items[i], &info) < 0) {
            goto done; /* not reached: chain_check_member checked what the claim checks */
        }
        slot->stream = Py_NewRef(items[i]);
        slot->conv = convs[i];
        convs[i] = NULL;
        /* The chain's length: the sum of its members' lengths, where all are known, all start at
         * their frame 0 (where seek(0) brings them back), and none converts its rate (a resampler's
         * count is not exact at the end) or loops; generators and chains (`infinite` kinds) do not
         * count. */
        if (!m->length_known || m->pull->loop_passes != 0 || m->pull->infinite ||
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
void
pyma_chain_close_input(pyma_chain_pull *c)
{
    StreamObject *owner = c->owner;

    pyma_astore(&c->input_open, 0);
    if (c->total_known && c->total > 0 && c->total <= (ma_uint64)INT64_MAX && !owner->claimed &&
        pyma_aload64(&owner->position) == 0) {
        owner->length = c->total;
        owner->length_known = 1;
    }
}

/* Starts the package's event thread (miniaudio._events), which runs on_source_end for a playlist a
 * device plays.  GIL held; -1 with an exception. */
static int
chain_ensure_event_thread(void)
{
    PyObject *mod = PyImport_ImportModule("miniaudio._events"), *res;

    if (mod == NULL) {
        return -1;
    }
    res = PyObject_CallMethod(mod, "_ensure_event_thread", NULL);
    Py_DECREF(mod);
    Py_XDECREF(res);
    return res == NULL ? -1 : 0;
}

/* Sets on_source_end (a callable, or None/NULL for none).  GIL held; -1 with TypeError. */
int
pyma_chain_set_on_end(pyma_chain_pull *c, PyObject *fn)
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
PyObject *
pyma_chain_build(pyma_state *st, const char *label, PyObject *const *items, Py_ssize_t count, long format, long channels,
            long rate, Py_ssize_t frames_to_read, int chunk_type, PyObject *wrap, PyObject *format_obj,
            PyObject *on_end, int input_open)
{
    PyObject *stream;
    pyma_chain_pull *c = PyMem_Calloc(1, sizeof(*c));

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
    if (pyma_chain_set_on_end(c, on_end) < 0 || pyma_chain_add(st, c, label, 1, items, count) < 0) {
        Py_DECREF(stream); /* releases c and unclaims nothing (chain_add claims all or none) */
        return NULL;
    }
    if (!input_open) {
        pyma_chain_close_input(c);
    }
    return stream;
}

const char pyma_chain_doc[] =
    "chain($module, members, /, output_format, nchannels, sample_rate, frames_to_read, chunk_type, wrap,\n"
    "      format_obj, on_source_end=None, loop=0)\n--\n\n"
    "A Playlist (closed input) playing the DecoderStreams of the tuple `members` back to back, converted\n"
    "to output_format / nchannels / sample_rate; format_obj is the SampleFormat the stream reports.";

PyObject *
pyma_chain(PyObject *module, PyObject *args, PyObject *kwargs)
{
    static char *kwlist[] = {"", "output_format", "nchannels", "sample_rate", "frames_to_read", "chunk_type", "wrap",
                             "format_obj", "on_source_end", "loop", NULL};
    pyma_state *st = pyma_get_state(module);
    PyObject *members, *format_in, *channels_in, *rate_in, *wrap = Py_None, *format_obj, *on_end = Py_None, *result;
    long format, channels, rate;
    long long loop = 0;
    Py_ssize_t frames_to_read;
    int chunk_type;

    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "O!OOOniOO|OL:chain", kwlist, &PyTuple_Type, &members, &format_in,
                                     &channels_in, &rate_in, &frames_to_read, &chunk_type, &wrap, &format_obj,
                                     &on_end, &loop) ||
        pyma_arg(format_in, PYMA_ARG_FORMAT, 0, "output_format", &format) < 0 ||
        pyma_arg(channels_in, PYMA_ARG_CHANNELS, 0, "nchannels", &channels) < 0 ||
        pyma_arg(rate_in, PYMA_ARG_SAMPLE_RATE, 0, "sample_rate", &rate) < 0) {
        return NULL;
    }
    if (PyTuple_GET_SIZE(members) == 0) {
        PyErr_SetString(PyExc_ValueError, "chain() needs at least one stream");
        return NULL;
    }
    if (loop < -1) {
        PyErr_Format(PyExc_ValueError, "loop must be -1 (forever), 0 or a number of passes, not %lld", loop);
        return NULL;
    }
    result = pyma_chain_build(st, "chain() argument", PySequence_Fast_ITEMS(members), PyTuple_GET_SIZE(members),
                              format, channels, rate, frames_to_read, chunk_type, wrap, format_obj, on_end, 0);
    if (result != NULL && loop != 0) {
        /* The whole chain loops (pull.c's looping read): at its end every member goes back to
         * its frame 0 (chain_seek) and the next pass follows in the same chunk. */
        StreamObject *stream = (StreamObject *)result;
        stream->pull->loop_passes = loop;
        stream->pull->loop_start = 0;
        stream->pull->loop_end = 0;
        stream->length_known = 0;
    }
    return result;
}
