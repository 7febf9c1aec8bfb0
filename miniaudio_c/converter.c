/* converter.c: the streaming converter (format, channels, sample rate) over ma_data_converter.
 *
 * pyma_converter is the C state; pyma_converter_run converts without the GIL and without
 * allocating, so a later live stage can call it on the audio thread.  _Converter is its Python
 * face (miniaudio.Converter wraps it): process() feeds chunks, flush() ends the input.  Chunks fed
 * one by one give the frames one convert_frames() call gives on their concatenation, bit for bit:
 * the same converter configuration, and every output the resampler can make from its input is
 * taken at each call (miniaudio's linear resampler never holds back an output it can make).
 * Rate changes are handed to the runner through one atomic word (rate_request), applied at the
 * start of its next run.  One Python call at a time per object (`busy`, GIL held to change).
 * A live stage (pull_conv.c: stream.then(converter)) attaches the converter for its life (`owner`):
 * then the stage's reader is its one runner, and every method but set_rate()/set_ratio() and the
 * plain attributes is refused.
 */
#include "_miniaudio.h"

/* Chunks of at least this many samples are converted with the GIL released. */
#define CONVERTER_GIL_SAMPLES 4096

ma_result
pyma_converter_init(pyma_converter *c, ma_format in_format, ma_uint32 in_channels, ma_uint32 in_rate,
                    ma_format out_format, ma_uint32 out_channels, ma_uint32 out_rate, ma_dither_mode dither,
                    ma_channel_mix_mode mix, ma_uint32 lpf_order, int dynamic_rate)
{
    ma_data_converter_config config;
    ma_result r;

    memset(c, 0, sizeof(*c));
    /* The configuration of convert_frames (convert.c), so that the frames are the same. */
    config = ma_data_converter_config_init(in_format, out_format, in_channels, out_channels, in_rate, out_rate);
    config.ditherMode = dither;
    config.channelMixMode = mix;
    config.resampling.linear.lpfOrder = lpf_order;
    /* With equal rates miniaudio skips the resampler unless rate changes are allowed; allowing them
     * then runs the resampler, which delays the output by one frame.  So only on request. */
    config.allowDynamicSampleRate = dynamic_rate ? MA_TRUE : MA_FALSE;
    r = ma_data_converter_init(&config, NULL, &c->dc);
    if (r != MA_SUCCESS) {
        return r;
    }
    c->in_fmt = pyma_format_info_get(in_format);
    c->out_fmt = pyma_format_info_get(out_format);
    c->in_channels = in_channels;
    c->out_channels = out_channels;
    c->in_frame_bytes = ma_get_bytes_per_frame(in_format, in_channels);
    c->out_frame_bytes = ma_get_bytes_per_frame(out_format, out_channels);
    c->in_rate = in_rate;
    c->out_rate = out_rate;
    c->can_change_rate = c->dc.hasResampler ? 1 : 0;
    c->ready = 1;
    return MA_SUCCESS;
}

void
pyma_converter_uninit(pyma_converter *c)
{
    if (c->ready) {
        ma_data_converter_uninit(&c->dc, NULL);
        c->ready = 0;
    }
}

void
pyma_converter_request_rate(pyma_converter *c, ma_uint32 in_rate, ma_uint32 out_rate)
{
    pyma_astore64(&c->rate_request, ((ma_uint64)in_rate << 32) | (ma_uint64)out_rate);
}

ma_result
pyma_converter_apply_rate(pyma_converter *c)
{
    ma_uint64 request = pyma_aload64(&c->rate_request);
    ma_result r;

    if (request == c->rate_applied) {
        return MA_SUCCESS;
    }
    c->rate_applied = request;
    /* ma_lpf_reinit keeps the filter's state and its heap (same order): no allocation. */
    r = ma_data_converter_set_rate(&c->dc, (ma_uint32)(request >> 32), (ma_uint32)(request & 0xFFFFFFFFu));
    if (r == MA_SUCCESS) {
        c->in_rate = (ma_uint32)(request >> 32);
        c->out_rate = (ma_uint32)(request & 0xFFFFFFFFu);
    }
    return r;
}

ma_result
pyma_converter_run(pyma_converter *c, const void *in, ma_uint64 *in_frames, void *out, ma_uint64 *out_frames)
{
    ma_result r = pyma_converter_apply_rate(c);

    if (r != MA_SUCCESS) {
        *in_frames = 0;
        *out_frames = 0;
        return r;
    }
    return ma_data_converter_process_pcm_frames(&c->dc, in, in_frames, out, out_frames);
}

ma_uint64
pyma_converter_expected_output(pyma_converter *c, ma_uint64 in_frames)
{
    ma_uint64 out = 0;

    if (ma_data_converter_get_expected_output_frame_count(&c->dc, in_frames, &out) != MA_SUCCESS) {
        /* ceil(in_frames * out / in); rates are at most 32 bits, frames far below 2^32 here. */
        out = (in_frames * (ma_uint64)c->out_rate + (ma_uint64)c->in_rate - 1) / (ma_uint64)c->in_rate;
    }
    return out;
}

/* ---- the Python type ------------------------------------------------------------------------ */

typedef struct {
    PyObject_HEAD
    pyma_converter conv;
    int busy;     /* a method is converting (maybe with the GIL released); GIL held to change */
    int flushed;  /* flush() was called: only reset() brings back process() */
    ma_uint64 frames_in, frames_out; /* since construction or reset() */
    void *owner;  /* the live stage it is attached to (pull_conv.c; an identity), or NULL; GIL held */
} ConverterObject;

static pyma_state *
converter_state(ConverterObject *self)
{
    return (pyma_state *)PyType_GetModuleState(Py_TYPE(self));
}

/* Refuses a second caller while another thread converts (GIL held). */
static int
converter_enter(ConverterObject *self, const char *what)
{
    if (self->owner != NULL) {
        PyErr_Format(PyExc_RuntimeError,
                     "Converter.%s(): the converter is attached to a processed stream (then()), which runs it; "
                     "close that stream first (set_rate() and set_ratio() are allowed meanwhile)",
                     what);
        return -1;
    }
    if (self->busy) {
        PyErr_Format(PyExc_RuntimeError,
                     "Converter.%s(): the converter is in use by another thread (one call at a time per "
                     "converter)",
                     what);
        return -1;
    }
    self->busy = 1;
    return 0;
}

static PyObject *
converter_new(PyTypeObject *type, PyObject *args, PyObject *kwargs)
{
    static char *kwlist[] = {"from_format", "from_nchannels", "from_sample_rate", "to_format", "to_nchannels",
                             "to_sample_rate", "dither", "channel_mix", "resampler_order", "dynamic_rate", NULL};
    pyma_state *st = PyType_GetModuleState(type);
    PyObject *o[9] = {NULL};
    long v[9] = {0, 0, 0, 0, 0, 0, 0, 0, 4};
    static const pyma_argkind kinds[9] = {PYMA_ARG_FORMAT,   PYMA_ARG_CHANNELS, PYMA_ARG_SAMPLE_RATE,
                                          PYMA_ARG_FORMAT,   PYMA_ARG_CHANNELS, PYMA_ARG_SAMPLE_RATE,
                                          PYMA_ARG_DITHER,   PYMA_ARG_CHANNEL_MIX, PYMA_ARG_LPF_ORDER};
    int dynamic = -1;
    ConverterObject *self;
    ma_result r;

    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "OOOOOO|OOOi:Converter", kwlist, &o[0], &o[1], &o[2], &o[3],
                                     &o[4], &o[5], &o[6], &o[7], &o[8], &dynamic)) {
        return NULL;
    }
    for (int i = 0; i < 9; i++) {
        if (pyma_arg(o[i], kinds[i], 0, kwlist[i], &v[i]) < 0) {
            return NULL;
        }
    }
    if (dynamic < 0) {
        dynamic = v[2] != v[5]; /* rates differ: the resampler runs anyway, rate changes cost nothing */
    }
    self = (ConverterObject *)type->tp_alloc(type, 0);
    if (self == NULL) {
        return NULL;
    }
    r = pyma_converter_init(&self->conv, (ma_format)v[0], (ma_uint32)v[1], (ma_uint32)v[2], (ma_format)v[3],
                            (ma_uint32)v[4], (ma_uint32)v[5], (ma_dither_mode)v[6], (ma_channel_mix_mode)v[7],
                            (ma_uint32)v[8], dynamic);
    if (pyma_check(st, r, PYMA_ERR_MINIAUDIO, "cannot set up the conversion") < 0) {
        Py_DECREF(self);
        return NULL;
    }
    return (PyObject *)self;
}

static void
converter_dealloc(ConverterObject *self)
{
    PyTypeObject *tp = Py_TYPE(self);
    pyma_converter_uninit(&self->conv);
    tp->tp_free((PyObject *)self);
    Py_DECREF(tp);
}

/* Converts `frames` input frames at `in` (NULL: silence is not allowed here; the caller passes
 * real frames) into a new bytearray holding every output frame the converter can make.  GIL held
 * on entry and exit, released around large conversions (touching only the converter, which
 * `busy` keeps to this thread, the caller's held input and the new bytearray).  NULL with an
 * exception. */
static PyObject *
converter_convert(ConverterObject *self, const char *in, ma_uint64 frames)
{
    pyma_converter *c = &self->conv;
    pyma_state *st = converter_state(self);
    PyObject *result = NULL;
    ma_uint64 done = 0, made = 0, cap, n_in, n_out;
    ma_result r;
    int release;

    r = pyma_converter_apply_rate(c);
    if (pyma_check(st, r, PYMA_ERR_MINIAUDIO, "cannot change the rate") < 0) {
        return NULL;
    }
    release = frames * c->in_channels >= CONVERTER_GIL_SAMPLES;
    cap = pyma_converter_expected_output(c, frames) + 1;
    for (;;) {
        char *out;
        if (cap > (ma_uint64)PY_SSIZE_T_MAX / c->out_frame_bytes) {
            PyErr_NoMemory();
            goto error;
        }
        if (result == NULL) {
            result = PyByteArray_FromStringAndSize(NULL, (Py_ssize_t)(cap * c->out_frame_bytes));
            if (result == NULL) {
                goto error;
            }
            /* Not touched yet: a large output (fresh memory from the system) then takes one page
             * fault per 2 MiB instead of 512 (pcmbuf.c; 2x up of 60 s stereo float32: ~13 ms). */
            pyma_pcm_advise(PyByteArray_AS_STRING(result), (size_t)(cap * c->out_frame_bytes));
        }
        else if (PyByteArray_Resize(result, (Py_ssize_t)(cap * c->out_frame_bytes)) < 0) {
            goto error;
        }
        out = PyByteArray_AS_STRING(result) + made * c->out_frame_bytes;
        n_in = frames - done;
        n_out = cap - made;
        if (release) {
            Py_BEGIN_ALLOW_THREADS
            r = pyma_converter_run(c, in + done * c->in_frame_bytes, &n_in, out, &n_out);
            Py_END_ALLOW_THREADS
        }
        else {
            r = pyma_converter_run(c, in + done * c->in_frame_bytes, &n_in, out, &n_out);
        }
        if (pyma_check(st, r, PYMA_ERR_MINIAUDIO, "conversion failed") < 0) {
            goto error;
        }
        done += n_in;
        made += n_out;
        if (made < cap || (n_in == 0 && n_out == 0)) {
            break; /* room was left: the converter made all it could from its input */
        }
        /* Full: more may come (a rate changed by another thread in between, or our estimate). */
        cap = made + pyma_converter_expected_output(c, frames - done) + 16;
    }
    if (done < frames) {
        PyErr_Format(st->MiniaudioError, "the converter took %llu of %llu input frames", (unsigned long long)done,
                     (unsigned long long)frames);
        goto error;
    }
    if (PyByteArray_Resize(result, (Py_ssize_t)(made * c->out_frame_bytes)) < 0) {
        goto error;
    }
    self->frames_in += frames;
    self->frames_out += made;
    return result;
error:
    Py_XDECREF(result);
    return NULL;
}

PyDoc_STRVAR(converter_process_doc, "process($self, chunk, /)\n--\n\n"
                                    "Convert a chunk of raw frames; a bytearray of the frames it gives.");

static PyObject *
converter_process(ConverterObject *self, PyObject *data)
{
    Py_buffer in = {0};
    PyObject *result = NULL;
    ma_uint64 frames;

    if (self->flushed) {
        PyErr_SetString(PyExc_ValueError,
                        "Converter.process(): the converter was flushed (its input ended); call reset() "
                        "to convert a new stream");
        return NULL;
    }
    if (pyma_get_read_buffer(data, &in, "chunk") < 0) {
        return NULL;
    }
    if (in.len % self->conv.in_frame_bytes != 0) {
        PyErr_Format(PyExc_ValueError,
                     "chunk: %zd bytes is not a whole number of frames (%u channels of %d-byte %s samples)", in.len,
                     (unsigned)self->conv.in_channels, self->conv.in_fmt->width,
                     ma_get_format_name(self->conv.in_fmt->format));
        goto exit;
    }
    frames = (ma_uint64)in.len / self->conv.in_frame_bytes;
    if (converter_enter(self, "process") < 0) {
        goto exit;
    }
    result = converter_convert(self, (const char *)in.buf, frames);
    self->busy = 0;
exit:
    PyBuffer_Release(&in);
    return result;
}

PyDoc_STRVAR(converter_flush_doc,
             "flush($self, /, drain=False)\n--\n\n"
             "End of input: the frames the converter still gives (with drain, its latency fed with silence).");

static PyObject *
converter_flush(ConverterObject *self, PyObject *args, PyObject *kwargs)
{
    static char *kwlist[] = {"drain", NULL};
    int drain = 0;
    ma_uint64 frames = 0;
    char *silence = NULL;
    PyObject *result;

    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "|p:flush", kwlist, &drain)) {
        return NULL;
    }
    if (self->flushed) {
        PyErr_SetString(PyExc_ValueError, "Converter.flush(): the converter was flushed already; call reset() "
                                          "to convert a new stream");
        return NULL;
    }
    if (drain) {
        frames = ma_data_converter_get_input_latency(&self->conv.dc);
        silence = PyMem_Malloc((size_t)(frames + 1) * self->conv.in_frame_bytes);
        if (silence == NULL) {
            return PyErr_NoMemory();
        }
        ma_silence_pcm_frames(silence, frames, self->conv.in_fmt->format, self->conv.in_channels);
    }
    if (converter_enter(self, "flush") < 0) {
        PyMem_Free(silence);
        return NULL;
    }
    {
        static const char nothing[8] = {0};
        result = converter_convert(self, silence != NULL ? silence : nothing, frames);
    }
    self->busy = 0;
    PyMem_Free(silence);
    if (result != NULL) {
        self->flushed = 1;
    }
    return result;
}

PyDoc_STRVAR(converter_reset_doc, "reset($self, /)\n--\n\nForget the input so far: a new stream starts.");

static PyObject *
converter_reset(ConverterObject *self, PyObject *Py_UNUSED(ignored))
{
    if (converter_enter(self, "reset") < 0) {
        return NULL;
    }
    ma_data_converter_reset(&self->conv.dc);
    self->flushed = 0;
    self->frames_in = self->frames_out = 0;
    self->busy = 0;
    Py_RETURN_NONE;
}

PyDoc_STRVAR(converter_set_rate_doc,
             "set_rate($self, from_sample_rate, to_sample_rate, /)\n--\n\n"
             "Change the rates from the next chunk on (any thread).");

static PyObject *
converter_set_rate(ConverterObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    long in_rate, out_rate;

    if (nargs != 2) {
        PyErr_Format(PyExc_TypeError, "set_rate() takes 2 arguments (from_sample_rate, to_sample_rate), %zd given",
                     nargs);
        return NULL;
    }
    if (pyma_arg(args[0], PYMA_ARG_SAMPLE_RATE, 0, "from_sample_rate", &in_rate) < 0 ||
        pyma_arg(args[1], PYMA_ARG_SAMPLE_RATE, 0, "to_sample_rate", &out_rate) < 0) {
        return NULL;
    }
    if (!self->conv.can_change_rate) {
        PyErr_SetString(PyExc_ValueError, "this Converter cannot change its rates: its sample rates are equal, so "
                                          "it runs without a resampler; make it with dynamic_rate=True");
        return NULL;
    }
    pyma_converter_request_rate(&self->conv, (ma_uint32)in_rate, (ma_uint32)out_rate);
    Py_RETURN_NONE;
}

PyDoc_STRVAR(converter_set_ratio_doc,
             "set_ratio($self, ratio, /)\n--\n\n"
             "Change the rate ratio (input rate / output rate, 0.001 to 1000) from the next chunk on.");

static PyObject *
converter_set_ratio(ConverterObject *self, PyObject *arg)
{
    double ratio;

    if (!PyFloat_Check(arg) && !(PyLong_Check(arg) && !PyBool_Check(arg))) {
        PyErr_Format(PyExc_TypeError, "ratio must be a float, not %.200s", Py_TYPE(arg)->tp_name);
        return NULL;
    }
    ratio = PyFloat_AsDouble(arg);
    if (ratio == -1.0 && PyErr_Occurred()) {
        return NULL;
    }
    /* NaN fails both comparisons. */
    if (!(ratio >= 0.001 && ratio <= 1000.0)) {
        PyErr_Format(PyExc_ValueError, "ratio must be a number from 0.001 to 1000 (input rate / output rate), not %R",
                     arg);
        return NULL;
    }
    if (!self->conv.can_change_rate) {
        PyErr_SetString(PyExc_ValueError, "this Converter cannot change its rates: its sample rates are equal, so "
                                          "it runs without a resampler; make it with dynamic_rate=True");
        return NULL;
    }
    /* As ma_data_converter_set_rate_ratio does (ratio x 10^6 : 10^6), rounded instead of truncated. */
    pyma_converter_request_rate(&self->conv, (ma_uint32)(ratio * 1000000.0 + 0.5), 1000000u);
    Py_RETURN_NONE;
}

/* Read-only numbers: they read the converter's state, so not while another thread converts. */
static PyObject *
converter_frames_query(ConverterObject *self, PyObject *arg, int required)
{
    pyma_state *st = converter_state(self);
    Py_ssize_t n;
    ma_uint64 answer = 0;
    ma_result r;

    if (!PyLong_Check(arg)) {
        PyErr_Format(PyExc_TypeError, "frames must be an int, not %.200s", Py_TYPE(arg)->tp_name);
        return NULL;
    }
    n = PyLong_AsSsize_t(arg);
    if (n == -1 && PyErr_Occurred()) {
        return NULL;
    }
    if (n < 0) {
        PyErr_Format(PyExc_ValueError, "frames must be 0 or more, not %zd", n);
        return NULL;
    }
    if (converter_enter(self, required ? "required_input_frames" : "expected_output_frames") < 0) {
        return NULL;
    }
    r = pyma_converter_apply_rate(&self->conv);
    if (r == MA_SUCCESS) {
        if (required) {
            r = ma_data_converter_get_required_input_frame_count(&self->conv.dc, (ma_uint64)n, &answer);
        }
        else {
            answer = pyma_converter_expected_output(&self->conv, (ma_uint64)n);
        }
    }
    self->busy = 0;
    if (pyma_check(st, r, PYMA_ERR_MINIAUDIO, "cannot compute the frame count") < 0) {
        return NULL;
    }
    return PyLong_FromUnsignedLongLong(answer);
}

static PyObject *
converter_expected_output(ConverterObject *self, PyObject *arg)
{
    return converter_frames_query(self, arg, 0);
}

static PyObject *
converter_required_input(ConverterObject *self, PyObject *arg)
{
    return converter_frames_query(self, arg, 1);
}

static PyObject *
converter_get_latency(ConverterObject *self, void *closure)
{
    ma_uint64 frames;

    if (converter_enter(self, closure != NULL ? "output_latency" : "input_latency") < 0) {
        return NULL;
    }
    frames = closure != NULL ? ma_data_converter_get_output_latency(&self->conv.dc)
                             : ma_data_converter_get_input_latency(&self->conv.dc);
    self->busy = 0;
    return PyLong_FromUnsignedLongLong(frames);
}

static PyObject *
converter_get_rates(ConverterObject *self, void *Py_UNUSED(closure))
{
    ma_uint64 request = pyma_aload64(&self->conv.rate_request);
    if (request != 0) {
        return Py_BuildValue("(kk)", (unsigned long)(request >> 32), (unsigned long)(request & 0xFFFFFFFFu));
    }
    return Py_BuildValue("(kk)", (unsigned long)self->conv.in_rate, (unsigned long)self->conv.out_rate);
}

static PyObject *
converter_get_counts(ConverterObject *self, void *closure)
{
    return PyLong_FromUnsignedLongLong(closure != NULL ? self->frames_out : self->frames_in);
}

static PyObject *
converter_get_flushed(ConverterObject *self, void *Py_UNUSED(closure))
{
    return PyBool_FromLong(self->flushed);
}

static PyObject *
converter_get_dynamic(ConverterObject *self, void *Py_UNUSED(closure))
{
    return PyBool_FromLong(self->conv.can_change_rate);
}

static PyObject *
converter_get_attached(ConverterObject *self, void *Py_UNUSED(closure))
{
    return PyBool_FromLong(self->owner != NULL);
}

static PyMethodDef converter_methods[] = {
    {"process", (PyCFunction)converter_process, METH_O, converter_process_doc},
    {"flush", (PyCFunction)(void (*)(void))converter_flush, METH_VARARGS | METH_KEYWORDS, converter_flush_doc},
    {"reset", (PyCFunction)converter_reset, METH_NOARGS, converter_reset_doc},
    {"set_rate", (PyCFunction)(void (*)(void))converter_set_rate, METH_FASTCALL, converter_set_rate_doc},
    {"set_ratio", (PyCFunction)converter_set_ratio, METH_O, converter_set_ratio_doc},
    {"expected_output_frames", (PyCFunction)converter_expected_output, METH_O,
     PyDoc_STR("expected_output_frames($self, frames, /)\n--\n\nOutput frames for `frames` more input frames.")},
    {"required_input_frames", (PyCFunction)converter_required_input, METH_O,
     PyDoc_STR("required_input_frames($self, frames, /)\n--\n\nInput frames needed for `frames` output frames.")},
    {NULL, NULL, 0, NULL},
};

static PyGetSetDef converter_getset[] = {
    {"input_latency", (getter)converter_get_latency, NULL, PyDoc_STR("The resampler's latency in input frames."),
     NULL},
    {"output_latency", (getter)converter_get_latency, NULL,
     PyDoc_STR("The resampler's latency in output frames."), (void *)1},
    {"rates", (getter)converter_get_rates, NULL, PyDoc_STR("(from_sample_rate, to_sample_rate) now."), NULL},
    {"frames_in", (getter)converter_get_counts, NULL, PyDoc_STR("Input frames since the start or reset()."),
     NULL},
    {"frames_out", (getter)converter_get_counts, NULL, PyDoc_STR("Output frames since the start or reset()."),
     (void *)1},
    {"flushed", (getter)converter_get_flushed, NULL, PyDoc_STR("flush() was called since the start or reset()."),
     NULL},
    {"attached", (getter)converter_get_attached, NULL,
     PyDoc_STR("A processed stream (then()) runs this converter now."), NULL},
    {"dynamic_rate", (getter)converter_get_dynamic, NULL, PyDoc_STR("set_rate() is allowed."), NULL},
    {NULL, NULL, NULL, NULL, NULL},
};

static PyType_Slot converter_slots[] = {
    {Py_tp_doc, (void *)PyDoc_STR("_Converter(from_format, from_nchannels, from_sample_rate, to_format, "
                                  "to_nchannels, to_sample_rate, dither=0, channel_mix=0, resampler_order=4, "
                                  "dynamic_rate=-1)\n--\n\nA streaming ma_data_converter.")},
    {Py_tp_new, converter_new},
    {Py_tp_dealloc, converter_dealloc},
    {Py_tp_methods, converter_methods},
    {Py_tp_getset, converter_getset},
    {0, NULL},
};

/* ---- the live stage's side (pull_conv.c; GIL held) ------------------------------------------ */

PyObject *
pyma_converter_unwrap(pyma_state *st, PyObject *obj)
{
    PyObject *inner;

    if (Py_IS_TYPE(obj, st->converter_type)) {
        return Py_NewRef(obj);
    }
    if (PyObject_TypeCheck(obj, st->processor_type) || PyObject_TypeCheck(obj, st->stream_type)) {
        return NULL;
    }
    /* miniaudio.Converter keeps its _Converter in `_c`. */
    inner = PyObject_GetAttrString(obj, "_c");
    if (inner == NULL) {
        PyErr_Clear();
        return NULL;
    }
    if (!Py_IS_TYPE(inner, st->converter_type)) {
        Py_DECREF(inner);
        return NULL;
    }
    return inner;
}

pyma_converter *
pyma_converter_get(PyObject *obj)
{
    return &((ConverterObject *)obj)->conv;
}

int
pyma_converter_attachable(PyObject *obj, Py_ssize_t n)
{
    ConverterObject *self = (ConverterObject *)obj;

    if (self->owner != NULL) {
        PyErr_Format(PyExc_ValueError,
                     "then() argument %zd: this Converter is already attached to another processed stream; a "
                     "converter runs in one place at a time (close that stream, or make another Converter)",
                     n);
        return -1;
    }
    if (self->busy) {
        PyErr_Format(PyExc_RuntimeError, "then() argument %zd: Converter.process() is running in another thread", n);
        return -1;
    }
    return 0;
}

/* Forgets the input so far, as reset() does. */
static void
converter_restart(ConverterObject *self)
{
    ma_data_converter_reset(&self->conv.dc);
    self->flushed = 0;
    self->frames_in = self->frames_out = 0;
}

void
pyma_converter_attach(PyObject *obj, void *owner)
{
    ConverterObject *self = (ConverterObject *)obj;

    converter_restart(self);
    self->owner = owner;
}

void
pyma_converter_detach(PyObject *obj, void *owner)
{
    ConverterObject *self = (ConverterObject *)obj;

    if (self->owner == owner) {
        self->owner = NULL;
        converter_restart(self);
    }
}

PyType_Spec pyma_converter_spec = {
    .name = "miniaudio._Converter",
    .basicsize = sizeof(ConverterObject),
    .flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_IMMUTABLETYPE,
    .slots = converter_slots,
};
