/* chain.c: a gapless chain of streams, a pyma_pull kind (the source layer, pull.c).
 *
 * chain(members, ...) builds a DecoderStream whose frames are its members' frames back to back: a
 * read that reaches a member's end goes on with the next member in the same chunk, so chunks are full
 * until the whole chain ends.  A member of another format, channel count or rate is converted to the
 * chain's with a converter of its own (devconvert.c's, made here with the GIL).  The chain claims its
 * members (pyma_stream_claim): Python cannot use them while the chain holds them; closing or freeing
 * the chain (pull->free, GIL held: pyma_stream_release) unclaims them and drops its references.
 * Members are pulled with pyma_stream_pull, so anything a device can pull GIL-free can be a member
 * (file and memory streams, looping streams, raw PCM, generators, other chains); a stream over a
 * Python source needs the GIL for its reads and is refused.
 */
#include "_miniaudio.h"

typedef struct {
    pyma_pull base;
    Py_ssize_t n;
    PyObject **members;    /* owned references, each claimed by the chain */
    pyma_devconv **conv;   /* per member: its converter, or NULL when it is in the chain's format */
    Py_ssize_t current;    /* the member being read (n: the chain ended) */
} chain_pull;

/* Reads across members: a member that gives fewer frames than asked has ended.  No Python API. */
static ma_result
chain_read(pyma_pull *pull, void *out, ma_uint64 frames, ma_uint64 *got)
{
    chain_pull *c = (chain_pull *)pull;
    ma_uint64 frame_bytes = ma_get_bytes_per_frame(pull->format, pull->channels), step, want;
    ma_result r;

    *got = 0;
    while (*got < frames && c->current < c->n) {
        PyObject *m = c->members[c->current];
        want = frames - *got;
        step = 0;
        if (c->conv[c->current] != NULL) {
            r = pyma_devconv_pull(c->conv[c->current], m, (char *)out + *got * frame_bytes, want, &step);
        }
        else {
            r = pyma_stream_pull(m, (char *)out + *got * frame_bytes, want, &step);
        }
        *got += step;
        if (r != MA_SUCCESS && r != MA_AT_END) {
            return r;
        }
        if (step < want) {
            c->current++; /* that member ended: the next one goes on in the same chunk */
        }
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

/* Only frame 0: every member back to its start.  No Python API. */
static ma_result
chain_seek(pyma_pull *pull, ma_uint64 frame)
{
    chain_pull *c = (chain_pull *)pull;
    ma_result r;
    Py_ssize_t i;

    if (frame != 0) {
        return MA_INVALID_OPERATION;
    }
    for (i = 0; i < c->n; i++) {
        r = chain_rewind_member((StreamObject *)c->members[i]);
        if (r != MA_SUCCESS) {
            return r;
        }
        if (c->conv[i] != NULL) {
            pyma_devconv_reset(c->conv[i]);
        }
    }
    c->current = 0;
    return MA_SUCCESS;
}

/* GIL held (pyma_stream_release, or a failed construction): unclaims the members and drops them. */
static void
chain_free(pyma_pull *pull)
{
    chain_pull *c = (chain_pull *)pull;
    Py_ssize_t i;

    for (i = 0; i < c->n; i++) {
        pyma_devconv_free(c->conv[i]);
        c->conv[i] = NULL;
    }
    for (i = 0; i < c->n; i++) {
        PyObject *m = c->members[i];
        if (m != NULL) {
            c->members[i] = NULL;
            pyma_stream_unclaim(m);
            Py_DECREF(m);
        }
    }
    PyMem_Free(c->members);
    PyMem_Free(c->conv);
    PyMem_Free(c);
}

/* Checks member `i` (1-based in messages) and claims it; GIL held.  -1 with an exception. */
static int
chain_take_member(pyma_state *st, chain_pull *c, Py_ssize_t i, PyObject *m)
{
    StreamObject *s = (StreamObject *)m;
    pyma_stream_info info;
    ma_uint32 rate;

    if (!PyObject_TypeCheck(m, st->stream_type)) {
        PyErr_Format(PyExc_TypeError, "chain() argument %zd must be a DecoderStream (stream_file(), stream_memory(), "
                     "a generator, ...), not %.200s", i + 1, Py_TYPE(m)->tp_name);
        return -1;
    }
    if (s->closed) {
        PyErr_Format(PyExc_ValueError, "chain() argument %zd is a closed stream", i + 1);
        return -1;
    }
    if (s->claimed) {
        PyErr_Format(PyExc_RuntimeError, "chain() argument %zd is already played by a device or another chain "
                     "(or given twice)", i + 1);
        return -1;
    }
    if (s->busy) {
        PyErr_Format(PyExc_RuntimeError, "chain() argument %zd is in use (another thread, or its own source)", i + 1);
        return -1;
    }
    if (s->finished) {
        PyErr_Format(PyExc_ValueError, "chain() argument %zd has already ended: seek() it back first", i + 1);
        return -1;
    }
    if (s->src.pysource != NULL) {
        PyErr_Format(PyExc_ValueError, "chain() argument %zd reads a Python source (stream_any): its reads need the "
                     "GIL, which a chain played by a device does not take; use stream_memory() or stream_file()",
                     i + 1);
        return -1;
    }
    if (s->fmt == NULL) {
        PyErr_Format(PyExc_ValueError, "chain() argument %zd is raw PCM of unknown sample format (4-byte samples "
                     "could be SIGNED32 or FLOAT32): pass an array.array or a typed buffer", i + 1);
        return -1;
    }
    rate = s->sample_rate != 0 ? s->sample_rate : c->base.sample_rate; /* raw PCM: the chain's rate */
    if (s->fmt->format != c->base.format || s->channels != c->base.channels || rate != c->base.sample_rate) {
        if (pyma_devconv_new(&c->conv[i], s->fmt->format, s->channels, rate, c->base.format, c->base.channels,
                             c->base.sample_rate) < 0) {
            return -1;
        }
    }
    if (pyma_stream_claim(m, &info) < 0) {
        return -1;
    }
    c->members[i] = Py_NewRef(m);
    return 0;
}

const char pyma_chain_doc[] =
    "chain($module, members, /, output_format, nchannels, sample_rate, frames_to_read, chunk_type, wrap,\n"
    "      format_obj)\n--\n\n"
    "A DecoderStream playing the DecoderStreams of the tuple `members` back to back, converted to\n"
    "output_format / nchannels / sample_rate; format_obj is the SampleFormat the stream reports.";

PyObject *
pyma_chain(PyObject *module, PyObject *args, PyObject *kwargs)
{
    static char *kwlist[] = {"", "output_format", "nchannels", "sample_rate", "frames_to_read", "chunk_type", "wrap",
                             "format_obj", NULL};
    pyma_state *st = pyma_get_state(module);
    PyObject *members, *format_in, *channels_in, *rate_in, *wrap = Py_None, *format_obj, *stream;
    long format, channels, rate;
    Py_ssize_t frames_to_read, i, n;
    int chunk_type;
    chain_pull *c;
    ma_uint64 total = 0;
    int total_known = 1;

    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "O!OOOniOO:chain", kwlist, &PyTuple_Type, &members, &format_in,
                                     &channels_in, &rate_in, &frames_to_read, &chunk_type, &wrap, &format_obj) ||
        pyma_arg(format_in, PYMA_ARG_FORMAT, 0, "output_format", &format) < 0 ||
        pyma_arg(channels_in, PYMA_ARG_CHANNELS, 0, "nchannels", &channels) < 0 ||
        pyma_arg(rate_in, PYMA_ARG_SAMPLE_RATE, 0, "sample_rate", &rate) < 0) {
        return NULL;
    }
    n = PyTuple_GET_SIZE(members);
    if (n == 0) {
        PyErr_SetString(PyExc_ValueError, "chain() needs at least one stream");
        return NULL;
    }
    c = PyMem_Calloc(1, sizeof(*c));
    if (c == NULL) {
        return PyErr_NoMemory();
    }
    c->base.format = (ma_format)format;
    c->base.channels = (ma_uint32)channels;
    c->base.sample_rate = (ma_uint32)rate;
    c->base.infinite = 1; /* no data source to ask: the length is set below */
    c->base.read = chain_read;
    c->base.seek = chain_seek;
    c->base.free = chain_free;
    c->members = PyMem_Calloc((size_t)n, sizeof(PyObject *));
    c->conv = PyMem_Calloc((size_t)n, sizeof(pyma_devconv *));
    if (c->members == NULL || c->conv == NULL) {
        chain_free(&c->base);
        return PyErr_NoMemory();
    }
    c->n = n;
    for (i = 0; i < n; i++) {
        StreamObject *m = (StreamObject *)PyTuple_GET_ITEM(members, i);
        if (chain_take_member(st, c, i, (PyObject *)m) < 0) {
            chain_free(&c->base);
            return NULL;
        }
        /* The chain's length: the sum of its members' lengths, where all are known, all start at
         * their frame 0 (where seek(0) brings them back), and none converts its rate (a resampler's
         * count is not exact at the end) or loops; generators and chains (`infinite` kinds) do not
         * count. */
        if (!m->length_known || m->pull->loop_passes != 0 || m->pull->infinite ||
            (m->sample_rate != 0 && m->sample_rate != c->base.sample_rate) || pyma_aload64(&m->position) != 0) {
            total_known = 0;
        }
        else {
            total += m->length;
        }
    }
    stream = pyma_stream_over_pull(st->stream_type, &c->base, format_obj, frames_to_read, chunk_type, wrap);
    if (stream != NULL && total_known && total > 0 && total <= (ma_uint64)INT64_MAX) {
        ((StreamObject *)stream)->length = total;
        ((StreamObject *)stream)->length_known = 1;
    }
    return stream;
}
