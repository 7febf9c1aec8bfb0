/* pull_conv.c: converted streams, a pyma_pull kind: a Converter as a stage of stream.then().
 *
 * A converted stream reads its source stream (claimed for its whole life, as pull_dsp.c does)
 * through pyma_stream_pull into an input block allocated at construction, and converts it with
 * pyma_converter_run (converter.c) until the output asked for is there.  At the source's end it
 * feeds the resampler input_latency frames of silence, as Converter.flush(drain=True) does, so a
 * converted stream read to its end gives exactly process(all frames) + flush(drain=True) of a
 * fresh converter.  The read runs on whichever thread pulls (next() with the GIL released, or a
 * device's audio thread): no GIL, no allocation, no waits; rate changes (set_rate/set_ratio from
 * any thread) reach it through the converter's atomic request.  The converter is attached to this
 * pull (its address is the owner identity) until the stream is released (pull->free, GIL held).
 * seek(n) seeks the source to floor(n * from_rate / to_rate) and restarts the converter there.
 * pyma_then_staged builds then()'s stages when converters are among them.
 */
#include "_miniaudio.h"

#define CONV_BLOCK 1024 /* input frames pulled from the source at a time */

typedef struct {
    pyma_pull base;
    PyObject *source;     /* the source stream (owned, claimed by this pull) */
    PyObject *conv_obj;   /* the _Converter (owned, attached to this pull), or NULL */
    pyma_converter *conv; /* its C state (inside conv_obj) */
    char *in;             /* PyMem_Raw: CONV_BLOCK frames of the converter's input */
    ma_uint64 in_have, in_pos; /* frames in `in`, frames of them converted */
    ma_uint64 drain_left; /* frames of silence still to feed after the source's end */
    int src_ended;        /* the source gave its last frame into `in` */
} conv_pull;

/* ---- the reader (no Python API: next() with the GIL released, or an audio thread) ---------- */

static ma_result
conv_read(pyma_pull *pull, void *out, ma_uint64 frames, ma_uint64 *got)
{
    conv_pull *d = (conv_pull *)pull;
    pyma_converter *c = d->conv;
    ma_uint64 n_in, n_out;
    ma_result r;

    *got = 0;
    while (*got < frames) {
        if (d->in_pos == d->in_have) {
            if (!d->src_ended) {
                ma_uint64 n = 0;
                r = pyma_stream_pull(d->source, d->in, CONV_BLOCK, &n);
                if (r != MA_SUCCESS && r != MA_AT_END) {
                    return r;
                }
                d->in_have = n;
                d->in_pos = 0;
                if (n < CONV_BLOCK) {
                    /* pyma_stream_pull is short only at the end: drain the resampler's delay as
                     * flush(drain=True) does (its latency now: rates may have changed). */
                    d->src_ended = 1;
                    d->drain_left = ma_data_converter_get_input_latency(&c->dc);
                }
                continue;
            }
            if (d->drain_left == 0) {
                /* No input left: what the resampler still makes from input it took already (an
                 * upsampler's outputs after its last input frame, when the room ran out first). */
                n_in = 0;
                n_out = frames - *got;
                r = pyma_converter_run(c, d->in, &n_in, (char *)out + *got * c->out_frame_bytes, &n_out);
                if (r != MA_SUCCESS) {
                    return r;
                }
                *got += n_out;
                break; /* all given, or the room is full */
            }
            n_in = d->drain_left < CONV_BLOCK ? d->drain_left : CONV_BLOCK;
            ma_silence_pcm_frames(d->in, n_in, c->in_fmt->format, c->in_channels);
            d->in_have = n_in;
            d->in_pos = 0;
            d->drain_left -= n_in;
        }
        n_in = d->in_have - d->in_pos;
        n_out = frames - *got;
        r = pyma_converter_run(c, d->in + d->in_pos * c->in_frame_bytes, &n_in,
                               (char *)out + *got * c->out_frame_bytes, &n_out);
        if (r != MA_SUCCESS) {
            return r;
        }
        if (n_in == 0 && n_out == 0) {
            return MA_INVALID_OPERATION; /* no progress with input and room: never expected */
        }
        d->in_pos += n_in;
        *got += n_out;
    }
    return *got == 0 ? MA_AT_END : MA_SUCCESS;
}

/* floor(frame * num / den) without overflow for frames below 2^63 and 32-bit rates (saturates). */
static ma_uint64
conv_scale(ma_uint64 frame, ma_uint32 num, ma_uint32 den)
{
    ma_uint64 q = frame / den, rem = frame % den;

    if (q > UINT64_MAX / 2 / (num + 1ull)) {
        return UINT64_MAX / 2;
    }
    return q * num + rem * num / den;
}

/* Seeks the source to the input frame that output frame `frame` stands for at the rates now
 * (rounded down) and restarts the converter there.  No Python API: the caller holds the stream
 * busy, or is the chain that holds it, so no other thread reads. */
static ma_result
conv_seek(pyma_pull *pull, ma_uint64 frame)
{
    conv_pull *d = (conv_pull *)pull;
    StreamObject *src = (StreamObject *)d->source;
    pyma_converter *c = d->conv;
    ma_uint64 target, landed;
    int at_end;
    ma_result r = pyma_converter_apply_rate(c);

    if (r != MA_SUCCESS) {
        return r;
    }
    target = conv_scale(frame, c->in_rate, c->out_rate);
    /* A frame of the drained tail (past what the source's last frame maps to): the source's end,
     * and nothing more to give (a restarted converter would drain only its own silence).  The
     * source's length is stable here: it is claimed by this pull, and only its own reads change it. */
    at_end = src->length_known && target >= src->length && !src->pull->infinite;
    if (at_end) {
        target = src->length;
    }
    landed = target;
    r = pyma_pull_seek(src->pull, target, &landed);
    if (r == MA_SUCCESS) {
        pyma_astore64(&src->position, landed);
        pyma_astore64(&src->pull->loops_done, 0);
        src->pull_ended = 0;
        ma_data_converter_reset(&c->dc);
        d->in_have = d->in_pos = d->drain_left = 0;
        d->src_ended = at_end;
        if (landed != target) {
            /* The source ended first: say where that is at the output rate (below `frame`). */
            ma_uint64 at = conv_scale(landed, c->out_rate, c->in_rate);
            pull->landed = at < frame ? at : frame - 1;
        }
    }
    return r;
}

/* ---- life (GIL held) ------------------------------------------------------------------------ */

static int
conv_traverse(pyma_pull *pull, visitproc visit, void *arg)
{
    conv_pull *d = (conv_pull *)pull;

    Py_VISIT(d->source);
    Py_VISIT(d->conv_obj);
    return 0;
}

/* GIL held, no reader any more (a device that played the stream has stopped). */
static void
conv_free(pyma_pull *pull)
{
    conv_pull *d = (conv_pull *)pull;
    PyObject *source = d->source, *conv = d->conv_obj;

    d->conv_obj = NULL;
    if (conv != NULL) {
        pyma_converter_detach(conv, d);
        Py_DECREF(conv);
    }
    d->source = NULL;
    if (source != NULL) {
        pyma_stream_give_back(source);
    }
    PyMem_RawFree(d->in);
    PyMem_Free(d);
}

PyObject *
pyma_pull_conv_source(pyma_pull *pull)
{
    return pull != NULL && pull->read == conv_read ? ((conv_pull *)pull)->source : NULL;
}

/* SampleFormat(format): a new reference, or NULL with an exception. */
static PyObject *
conv_format_obj(ma_format format)
{
    PyObject *mod = PyImport_ImportModule("miniaudio._enums"), *result = NULL;

    if (mod != NULL) {
        result = PyObject_CallMethod(mod, "SampleFormat", "i", (int)format);
        Py_DECREF(mod);
    }
    return result;
}

/* The converted stream over `src` (checked, unclaimed) through converter `conv_obj` (a _Converter,
 * checked against src's format, channels and rate), then()'s argument n.  GIL held; NULL with an
 * exception, src left as it was. */
static PyObject *
conv_stage(pyma_state *st, StreamObject *src, PyObject *conv_obj, Py_ssize_t n)
{
    pyma_converter *c = pyma_converter_get(conv_obj);
    pyma_stream_info info;
    PyObject *stream = NULL, *format_obj = NULL, *wrap = NULL;
    StreamObject *out;
    conv_pull *d;
    int chunk_type, known;
    ma_uint64 length, position, start;
    ma_result r;

    r = pyma_converter_apply_rate(c); /* a request made before: the rates the seek and length use */
    if (pyma_check(st, r, PYMA_ERR_MINIAUDIO, "then() argument %zd: cannot change the rate", n) < 0) {
        return NULL;
    }
    format_obj = conv_format_obj(c->out_fmt->format);
    if (format_obj == NULL) {
        return NULL;
    }
    if (src->wrap != NULL) {
        /* numpy chunks: a (frames, channels) view of the converter's output format. */
        PyObject *mod = PyImport_ImportModule("miniaudio._stream_args");
        if (mod == NULL) {
            goto exit;
        }
        wrap = PyObject_CallMethod(mod, "_numpy_wrapper", "OI", format_obj, (unsigned)c->out_channels);
        Py_DECREF(mod);
        if (wrap == NULL) {
            goto exit;
        }
    }
    d = PyMem_Calloc(1, sizeof(*d));
    if (d == NULL) {
        PyErr_NoMemory();
        goto exit;
    }
    d->in = PyMem_RawMalloc((size_t)CONV_BLOCK * c->in_frame_bytes);
    if (d->in == NULL) {
        PyMem_Free(d);
        PyErr_NoMemory();
        goto exit;
    }
    d->conv = c;
    d->base.format = c->out_fmt->format;
    d->base.channels = c->out_channels;
    d->base.sample_rate = c->out_rate;
    d->base.infinite = 1; /* no data source to ask for a length: set below */
    d->base.seek_decode_errors = src->pull->seek_decode_errors;
    d->base.read = conv_read;
    d->base.seek = conv_seek;
    d->base.traverse = conv_traverse;
    d->base.free = conv_free;
    /* Raw PCM's chunks are memoryview slices of bytes (its own hook): converted, they are bytes. */
    chunk_type = src->pull->chunk != NULL ? PYMA_CHUNK_BYTES : src->chunk_type;
    stream = pyma_stream_over_pull(st->stream_type, &d->base, format_obj, src->frames_to_read, chunk_type, wrap);
    if (stream == NULL) {
        pyma_then_prefix_error(n); /* d freed by pyma_stream_over_pull */
        goto exit;
    }
    /* From here on, d is released with `stream` (conv_free undoes what was done so far). */
    length = pyma_then_source_length(src, &known);
    if (pyma_stream_claim((PyObject *)src, &info) < 0) {
        Py_CLEAR(stream); /* not reached: pyma_then_check_source checked what the claim checks */
        goto exit;
    }
    d->source = Py_NewRef(src);
    pyma_converter_attach(conv_obj, d);
    d->conv_obj = Py_NewRef(conv_obj);
    d->base.infinite = src->pull->infinite;
    /* Positions count output frames from the source's frame 0 at the rates now: the source's
     * position scaled (rounded down, as seek() maps back), plus what its remaining frames give. */
    start = pyma_aload64(&src->position);
    position = conv_scale(start, c->out_rate, c->in_rate);
    out = (StreamObject *)stream;
    out->position = position;
    out->position_real = src->position_real;
    out->length_known = known && length >= start;
    if (out->length_known) {
        out->length = position + pyma_converter_expected_output(
                                     c, length - start + ma_data_converter_get_input_latency(&c->dc));
    }
exit:
    Py_XDECREF(format_obj);
    Py_XDECREF(wrap);
    return stream;
}

/* Checks converter `inner` (then()'s argument n) for frames of fmt x channels at rate (0:
 * unknown), chunks of chunk_type.  GIL held; -1 with an exception. */
static int
conv_check(PyObject *inner, Py_ssize_t n, ma_format fmt, ma_uint32 channels, ma_uint32 rate, int chunk_type)
{
    pyma_converter *c = pyma_converter_get(inner);

    if (pyma_converter_attachable(inner, n) < 0) {
        return -1;
    }
    if (c->in_fmt->format != fmt) {
        static const char *const names[] = {"?", "UNSIGNED8", "SIGNED16", "SIGNED24", "SIGNED32", "FLOAT32"};
        PyErr_Format(PyExc_ValueError, "then() argument %zd: this Converter has from_format=%s, the stream gives "
                     "%s samples", n, names[c->in_fmt->format < 6 ? c->in_fmt->format : 0],
                     names[fmt < 6 ? fmt : 0]);
        return -1;
    }
    if (c->in_channels != channels) {
        PyErr_Format(PyExc_ValueError, "then() argument %zd: this Converter has from_nchannels=%u, the stream has "
                     "%u channels", n, (unsigned)c->in_channels, (unsigned)channels);
        return -1;
    }
    if (rate != 0 && c->in_rate != rate) {
        PyErr_Format(PyExc_ValueError, "then() argument %zd: this Converter has from_sample_rate=%u, the stream's "
                     "is %u Hz", n, (unsigned)c->in_rate, (unsigned)rate);
        return -1;
    }
    if (chunk_type == PYMA_CHUNK_ARRAY && c->out_fmt->typecode == '\0') {
        PyErr_Format(PyExc_ValueError, "then() argument %zd: this Converter gives SIGNED24 samples, which the "
                     "stream's array.array chunks cannot hold; open the stream with chunk_type \"bytes\"", n);
        return -1;
    }
    return 0;
}

PyObject *
pyma_then_staged(pyma_state *st, StreamObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    PyObject **convs, *cur = NULL;
    ma_format fmt;
    ma_uint32 channels, rate;
    Py_ssize_t i, j;
    int chunk_type;

    if (pyma_then_check_source(self) < 0) {
        return NULL;
    }
    convs = PyMem_Calloc((size_t)nargs, sizeof(PyObject *));
    if (convs == NULL) {
        return PyErr_NoMemory();
    }
    /* Every argument first, each at the format of its place: nothing is built for a bad call. */
    fmt = self->fmt->format;
    channels = self->channels;
    rate = self->sample_rate;
    chunk_type = self->pull->chunk != NULL ? PYMA_CHUNK_BYTES : self->chunk_type;
    for (i = 0; i < nargs; i++) {
        convs[i] = pyma_converter_unwrap(st, args[i]);
        if (convs[i] != NULL) {
            pyma_converter *c = pyma_converter_get(convs[i]);
            if (conv_check(convs[i], i + 1, fmt, channels, rate, chunk_type) < 0) {
                goto exit;
            }
            fmt = c->out_fmt->format;
            channels = c->out_channels;
            rate = c->out_rate;
        }
        else if (PyErr_Occurred() || pyma_then_check_processor(st, args[i], i + 1, channels, rate) < 0) {
            goto exit;
        }
        for (j = 0; j < i; j++) {
            if (args[j] == args[i] || (convs[i] != NULL && convs[j] == convs[i])) {
                PyErr_Format(PyExc_ValueError, "then() argument %zd is the same %s as argument %zd: it runs in one "
                             "place at a time (make another one)", i + 1,
                             convs[i] != NULL ? "Converter" : pyma_dsp_kind(((ProcessorObject *)args[i])->kind)->name,
                             j + 1);
                goto exit;
            }
        }
    }
    /* Then the stages, each over the one before (which it claims and holds). */
    cur = Py_NewRef(self);
    for (i = 0; i < nargs;) {
        PyObject *next;
        if (convs[i] != NULL) {
            next = conv_stage(st, (StreamObject *)cur, convs[i], i + 1);
            j = i + 1;
        }
        else {
            for (j = i; j < nargs && convs[j] == NULL; j++) {
            }
            next = pyma_then_processors(st, (StreamObject *)cur, args + i, j - i, i);
        }
        /* The new stage holds `cur` now; released on failure, an intermediate stream gives its
         * source, processors and converter back. */
        Py_SETREF(cur, next);
        if (cur == NULL) {
            goto exit;
        }
        i = j;
    }
exit:
    for (i = 0; i < nargs; i++) {
        Py_XDECREF(convs[i]);
    }
    PyMem_Free(convs);
    return cur;
}
