/* gen.c: signal generators, a kind of the source layer (pull.c): Waveform, PulseWave and Noise.
 *
 * Each is a DecoderStream of its own type over miniaudio's own generators (ma_waveform,
 * ma_pulsewave, ma_noise), so it gives chunks like any stream and a PlaybackDevice plays it without
 * the GIL.  Its parameters can be set from any thread while it plays: a setter (GIL held) stores
 * the new values in atomics and bumps `version`; the next read, on whichever thread it runs,
 * applies them with miniaudio's setters, which keep the phase (no click).  Noise keeps one
 * generator per kind, all made from the seed, so changing the kind allocates nothing on the audio
 * thread.
 */
#include "_miniaudio.h"

#include <math.h>

enum { GEN_WAVEFORM = 0, GEN_PULSE = 1, GEN_NOISE = 2 };

static const char *const waveform_kinds[] = {"sine", "square", "triangle", "sawtooth", NULL}; /* ma_waveform_type */
static const char *const noise_kinds[] = {"white", "pink", "brownian", NULL};                   /* ma_noise_type */

typedef struct {
    pyma_pull base;
    int family;
    ma_waveform waveform;
    ma_pulsewave pulse;
    ma_noise noise[3];
    int noise_ready[3];
    ma_int32 seed;
    double amplitude_now; /* the amplitude the reader applied (noise: given to a kind it switches to) */
    /* Set with the GIL, read by the reader without it. */
    volatile int version;
    volatile ma_uint64 frequency_bits, amplitude_bits, duty_bits;
    volatile int kind;
    /* The reader's own. */
    int applied;
} pyma_gen;

static ma_uint64
bits_of(double x)
{
    ma_uint64 b;
    memcpy(&b, &x, sizeof(b));
    return b;
}

static double
double_of(ma_uint64 b)
{
    double x;
    memcpy(&x, &b, sizeof(x));
    return x;
}

/* before_read: applies what the setters stored since the last read.  No Python API. */
static void
gen_apply(pyma_pull *pull)
{
    pyma_gen *g = (pyma_gen *)pull;
    int version = pyma_aload(&g->version), kind;
    double frequency, amplitude, duty;

    if (version == g->applied) {
        return;
    }
    g->applied = version;
    frequency = double_of(pyma_aload64(&g->frequency_bits));
    amplitude = double_of(pyma_aload64(&g->amplitude_bits));
    duty = double_of(pyma_aload64(&g->duty_bits));
    kind = pyma_aload(&g->kind);
    switch (g->family) {
    case GEN_WAVEFORM:
        ma_waveform_set_type(&g->waveform, (ma_waveform_type)kind);
        ma_waveform_set_frequency(&g->waveform, frequency);
        ma_waveform_set_amplitude(&g->waveform, amplitude);
        break;
    case GEN_PULSE:
        ma_pulsewave_set_frequency(&g->pulse, frequency);
        ma_pulsewave_set_amplitude(&g->pulse, amplitude);
        ma_pulsewave_set_duty_cycle(&g->pulse, duty);
        break;
    default:
        ma_noise_set_amplitude(&g->noise[kind], amplitude);
        g->base.ds = &g->noise[kind];
        break;
    }
    g->amplitude_now = amplitude;
}

static void
gen_noise_uninit(pyma_gen *g)
{
    for (int i = 0; i < 3; i++) {
        if (g->noise_ready[i]) {
            ma_noise_uninit(&g->noise[i], NULL);
            g->noise_ready[i] = 0;
        }
    }
}

/* The three noise generators from the seed, at the current amplitude. */
static ma_result
gen_noise_init(pyma_gen *g)
{
    ma_result r = MA_SUCCESS;

    for (int i = 0; i < 3 && r == MA_SUCCESS; i++) {
        ma_noise_config config = ma_noise_config_init(g->base.format, g->base.channels, (ma_noise_type)i, g->seed,
                                                      g->amplitude_now);
        r = ma_noise_init(&config, NULL, &g->noise[i]);
        g->noise_ready[i] = r == MA_SUCCESS;
    }
    if (r != MA_SUCCESS) {
        gen_noise_uninit(g);
    }
    return r;
}

/* read of a pulse wave: miniaudio 0.11.25's ma_pulsewave has no data source vtable of its own (its
 * first member is its inner ma_waveform, so reading it as a data source gives a 50 % square wave
 * whatever the duty cycle): read it with its own function. */
static ma_result
gen_read_pulse(pyma_pull *pull, void *out, ma_uint64 frames, ma_uint64 *got)
{
    return ma_pulsewave_read_pcm_frames(&((pyma_gen *)pull)->pulse, out, frames, got);
}

/* seek: waveforms go to the frame's phase; noise can only start again from its seed (frame 0). */
static ma_result
gen_seek(pyma_pull *pull, ma_uint64 frame)
{
    pyma_gen *g = (pyma_gen *)pull;
    int kind;
    ma_result r;

    switch (g->family) {
    case GEN_WAVEFORM:
        return ma_waveform_seek_to_pcm_frame(&g->waveform, frame);
    case GEN_PULSE:
        return ma_pulsewave_seek_to_pcm_frame(&g->pulse, frame);
    default:
        if (frame != 0) {
            return MA_INVALID_OPERATION;
        }
        kind = pyma_aload(&g->kind);
        gen_noise_uninit(g);
        r = gen_noise_init(g);
        g->base.ds = &g->noise[kind];
        return r;
    }
}

static void
gen_free(pyma_pull *pull)
{
    pyma_gen *g = (pyma_gen *)pull;

    switch (g->family) {
    case GEN_WAVEFORM:
        ma_waveform_uninit(&g->waveform);
        break;
    case GEN_PULSE:
        ma_pulsewave_uninit(&g->pulse);
        break;
    default:
        gen_noise_uninit(g);
        break;
    }
    PyMem_RawFree(g);
}

/* ---- arguments -------------------------------------------------------------------------------- */

/* A finite float from `obj` (int or float, not bool) into *out: -1 with TypeError otherwise. */
static int
gen_number(PyObject *obj, const char *name, double *out)
{
    if (PyBool_Check(obj) || !(PyFloat_Check(obj) || PyLong_Check(obj))) {
        PyErr_Format(PyExc_TypeError, "%s must be a number, not %.200s", name, Py_TYPE(obj)->tp_name);
        return -1;
    }
    *out = PyFloat_AsDouble(obj);
    if (*out == -1.0 && PyErr_Occurred()) {
        return -1;
    }
    if (!isfinite(*out)) {
        PyErr_Format(PyExc_ValueError, "%s must be a finite number, not %R", name, obj);
        return -1;
    }
    return 0;
}

static int
gen_frequency(PyObject *obj, double *out)
{
    if (gen_number(obj, "frequency", out) < 0) {
        return -1;
    }
    if (*out <= 0) {
        PyErr_Format(PyExc_ValueError, "frequency must be > 0 Hz, not %R", obj);
        return -1;
    }
    return 0;
}

static int
gen_amplitude(PyObject *obj, double *out)
{
    if (gen_number(obj, "amplitude", out) < 0) {
        return -1;
    }
    if (*out < 0) {
        PyErr_Format(PyExc_ValueError, "amplitude must be >= 0, not %R", obj);
        return -1;
    }
    return 0;
}

static int
gen_duty(PyObject *obj, double *out)
{
    if (gen_number(obj, "duty_cycle", out) < 0) {
        return -1;
    }
    if (!(*out > 0 && *out < 1)) {
        PyErr_Format(PyExc_ValueError, "duty_cycle must be between 0 and 1 (both excluded), not %R", obj);
        return -1;
    }
    return 0;
}

/* The index of `obj` (a str, or a str enum member such as WaveformType.SINE) in `names`. */
static int
gen_kind(PyObject *obj, const char *const *names, int *out)
{
    if (!PyUnicode_Check(obj)) {
        PyErr_Format(PyExc_TypeError, "kind must be a str (%s, %s, ...) or an enum member, not %.200s", names[0],
                     names[1], Py_TYPE(obj)->tp_name);
        return -1;
    }
    for (int i = 0; names[i] != NULL; i++) {
        if (PyUnicode_CompareWithASCIIString(obj, names[i]) == 0) {
            *out = i;
            return 0;
        }
    }
    PyErr_Format(PyExc_ValueError, "kind must be one of %s, %s, %s%s%s, not %R", names[0], names[1], names[2],
                 names[3] != NULL ? ", " : "", names[3] != NULL ? names[3] : "", obj);
    return -1;
}

/* frames_to_read as the stream functions check it: an int (not bool) from 1 to sys.maxsize. */
static int
gen_frames_to_read(PyObject *obj, Py_ssize_t *out)
{
    PyObject *number;

    if (PyBool_Check(obj) || !PyIndex_Check(obj)) {
        PyErr_Format(PyExc_TypeError, "frames_to_read must be an int, not %.200s", Py_TYPE(obj)->tp_name);
        return -1;
    }
    number = PyNumber_Index(obj);
    if (number == NULL) {
        return -1;
    }
    *out = PyLong_AsSsize_t(number);
    if (*out == -1 && PyErr_Occurred()) {
        PyErr_Clear();
        PyErr_Format(PyExc_OverflowError, "frames_to_read must be at most %zd, not %R", PY_SSIZE_T_MAX, number);
        Py_DECREF(number);
        return -1;
    }
    if (*out < 1) {
        PyErr_Format(PyExc_ValueError, "frames_to_read must be at least 1, not %R", number);
        Py_DECREF(number);
        return -1;
    }
    Py_DECREF(number);
    return 0;
}

/* chunk_type "array", "bytes" or "numpy" -> *chunk_type and a new reference to the wrapper (or None). */
static int
gen_chunk_type(PyObject *obj, PyObject *format_obj, long channels, int *chunk_type, PyObject **wrap)
{
    *wrap = Py_NewRef(Py_None);
    *chunk_type = PYMA_CHUNK_ARRAY;
    if (!PyUnicode_Check(obj)) {
        PyErr_Format(PyExc_TypeError, "chunk_type must be a str (array, bytes, numpy), not %.200s",
                     Py_TYPE(obj)->tp_name);
        return -1;
    }
    if (PyUnicode_CompareWithASCIIString(obj, "bytes") == 0) {
        *chunk_type = PYMA_CHUNK_BYTES;
    }
    else if (PyUnicode_CompareWithASCIIString(obj, "numpy") == 0) {
        PyObject *mod = PyImport_ImportModule("miniaudio._stream_args");
        if (mod == NULL) {
            return -1;
        }
        Py_SETREF(*wrap, PyObject_CallMethod(mod, "_numpy_wrapper", "Ol", format_obj, channels));
        Py_DECREF(mod);
        if (*wrap == NULL) {
            return -1;
        }
    }
    else if (PyUnicode_CompareWithASCIIString(obj, "array") != 0) {
        PyErr_Format(PyExc_ValueError, "chunk_type must be one of array, bytes, numpy, not %R", obj);
        return -1;
    }
    return 0;
}

/* ---- construction ---------------------------------------------------------------------------- */

static PyObject *
gen_new(PyTypeObject *type, PyObject *args, PyObject *kwargs, int family)
{
    static char *wave_kw[] = {"kind", "frequency", "amplitude", "sample_rate", "nchannels", "output_format",
                              "frames_to_read", "chunk_type", NULL};
    static char *pulse_kw[] = {"frequency", "duty_cycle", "amplitude", "sample_rate", "nchannels", "output_format",
                               "frames_to_read", "chunk_type", NULL};
    static char *noise_kw[] = {"kind", "amplitude", "seed", "sample_rate", "nchannels", "output_format",
                               "frames_to_read", "chunk_type", NULL};
    pyma_state *st = PyType_GetModuleState(type);
    PyObject *kind_obj = NULL, *freq_obj = NULL, *amp_obj = NULL, *duty_obj = NULL, *rate_obj = NULL, *ch_obj = NULL;
    PyObject *fmt_obj = NULL, *chunk_obj = NULL, *frames_obj = NULL, *enums = NULL, *sample_format = NULL;
    PyObject *wrap = NULL, *result = NULL;
    long rate = 44100, channels = 2, format = ma_format_s16;
    int kind = 0, chunk_type;
    Py_ssize_t frames_to_read = 1024;
    long long seed = 0;
    double frequency = 440.0, amplitude = 1.0, duty = 0.5;
    pyma_gen *g;
    ma_result r;
    int ok;

    if (family == GEN_WAVEFORM) {
        ok = PyArg_ParseTupleAndKeywords(args, kwargs, "|OOOOOOOO:Waveform", wave_kw, &kind_obj, &freq_obj, &amp_obj,
                                         &rate_obj, &ch_obj, &fmt_obj, &frames_obj, &chunk_obj);
    }
    else if (family == GEN_PULSE) {
        ok = PyArg_ParseTupleAndKeywords(args, kwargs, "|OOOOOOOO:PulseWave", pulse_kw, &freq_obj, &duty_obj,
                                         &amp_obj, &rate_obj, &ch_obj, &fmt_obj, &frames_obj, &chunk_obj);
    }
    else {
        ok = PyArg_ParseTupleAndKeywords(args, kwargs, "|OOLOOOOO:Noise", noise_kw, &kind_obj, &amp_obj, &seed,
                                         &rate_obj, &ch_obj, &fmt_obj, &frames_obj, &chunk_obj);
    }
    if (!ok || (kind_obj != NULL && gen_kind(kind_obj, family == GEN_NOISE ? noise_kinds : waveform_kinds, &kind) < 0) ||
        (freq_obj != NULL && gen_frequency(freq_obj, &frequency) < 0) ||
        (amp_obj != NULL && gen_amplitude(amp_obj, &amplitude) < 0) || (duty_obj != NULL && gen_duty(duty_obj, &duty) < 0) ||
        pyma_arg(rate_obj, PYMA_ARG_SAMPLE_RATE, 0, "sample_rate", &rate) < 0 ||
        pyma_arg(ch_obj, PYMA_ARG_CHANNELS, 0, "nchannels", &channels) < 0 ||
        (frames_obj != NULL && gen_frames_to_read(frames_obj, &frames_to_read) < 0)) {
        return NULL;
    }
    if (seed < INT32_MIN || seed > INT32_MAX) {
        PyErr_Format(PyExc_ValueError, "seed must fit in 32 bits (%d..%d), not %lld", INT32_MIN, INT32_MAX, seed);
        return NULL;
    }
    /* output_format as the stream functions take it (an int or a SampleFormat member, nothing else). */
    enums = PyImport_ImportModule("miniaudio._enums");
    if (enums == NULL) {
        return NULL;
    }
    if (fmt_obj == NULL) {
        sample_format = PyObject_CallMethod(enums, "SampleFormat", "l", format);
    }
    else {
        PyObject *cls = PyObject_GetAttrString(enums, "SampleFormat");
        PyObject *value = cls != NULL ? PyObject_CallMethod(enums, "enum_value", "OOs", cls, fmt_obj, "output_format")
                                      : NULL;
        sample_format = value != NULL ? PyObject_CallOneArg(cls, value) : NULL;
        Py_XDECREF(value);
        Py_XDECREF(cls);
    }
    Py_DECREF(enums);
    if (sample_format == NULL || pyma_arg(sample_format, PYMA_ARG_FORMAT, 0, "output_format", &format) < 0) {
        Py_XDECREF(sample_format);
        return NULL;
    }
    if (chunk_obj == NULL) {
        chunk_type = PYMA_CHUNK_ARRAY;
        wrap = Py_NewRef(Py_None);
    }
    else if (gen_chunk_type(chunk_obj, sample_format, channels, &chunk_type, &wrap) < 0) {
        goto done;
    }
    g = PyMem_RawCalloc(1, sizeof(pyma_gen));
    if (g == NULL) {
        PyErr_NoMemory();
        goto done;
    }
    g->family = family;
    g->base.format = (ma_format)format;
    g->base.channels = (ma_uint32)channels;
    g->base.sample_rate = (ma_uint32)rate;
    g->base.infinite = 1;
    g->base.before_read = gen_apply;
    g->base.seek = gen_seek;
    g->base.free = gen_free;
    g->seed = (ma_int32)seed;
    g->amplitude_now = amplitude;
    g->frequency_bits = bits_of(frequency);
    g->amplitude_bits = bits_of(amplitude);
    g->duty_bits = bits_of(duty);
    g->kind = kind;
    if (family == GEN_WAVEFORM) {
        ma_waveform_config config = ma_waveform_config_init((ma_format)format, (ma_uint32)channels, (ma_uint32)rate,
                                                            (ma_waveform_type)kind, amplitude, frequency);
        r = ma_waveform_init(&config, &g->waveform);
        g->base.ds = &g->waveform;
    }
    else if (family == GEN_PULSE) {
        ma_pulsewave_config config = ma_pulsewave_config_init((ma_format)format, (ma_uint32)channels, (ma_uint32)rate,
                                                              duty, amplitude, frequency);
        r = ma_pulsewave_init(&config, &g->pulse);
        g->base.ds = &g->pulse;
        g->base.read = gen_read_pulse;
    }
    else {
        r = gen_noise_init(g);
        g->base.ds = &g->noise[kind];
    }
    if (r != MA_SUCCESS) {
        PyMem_RawFree(g);
        pyma_raise(st, r, PYMA_ERR_MINIAUDIO, "cannot create the generator");
        goto done;
    }
    result = pyma_stream_over_pull(type, &g->base, sample_format, frames_to_read, chunk_type, wrap);
done:
    Py_XDECREF(wrap);
    Py_DECREF(sample_format);
    return result;
}

static PyObject *
waveform_new(PyTypeObject *type, PyObject *args, PyObject *kwargs)
{
    return gen_new(type, args, kwargs, GEN_WAVEFORM);
}

static PyObject *
pulsewave_new(PyTypeObject *type, PyObject *args, PyObject *kwargs)
{
    return gen_new(type, args, kwargs, GEN_PULSE);
}

static PyObject *
noise_new(PyTypeObject *type, PyObject *args, PyObject *kwargs)
{
    return gen_new(type, args, kwargs, GEN_NOISE);
}

/* ---- parameters ------------------------------------------------------------------------------- */

/* The generator of an open stream, or NULL with ValueError. */
static pyma_gen *
gen_of(StreamObject *self)
{
    if (self->closed || self->pull == NULL) {
        PyErr_SetString(PyExc_ValueError, "the generator is closed");
        return NULL;
    }
    return (pyma_gen *)self->pull;
}

enum { PARAM_FREQUENCY, PARAM_AMPLITUDE, PARAM_DUTY, PARAM_KIND };

static PyObject *
gen_get(StreamObject *self, void *closure)
{
    pyma_gen *g = gen_of(self);
    int which = (int)(Py_intptr_t)closure;

    if (g == NULL) {
        return NULL;
    }
    switch (which) {
    case PARAM_FREQUENCY:
        return PyFloat_FromDouble(double_of(pyma_aload64(&g->frequency_bits)));
    case PARAM_AMPLITUDE:
        return PyFloat_FromDouble(double_of(pyma_aload64(&g->amplitude_bits)));
    case PARAM_DUTY:
        return PyFloat_FromDouble(double_of(pyma_aload64(&g->duty_bits)));
    default:
        return PyUnicode_FromString((g->family == GEN_NOISE ? noise_kinds : waveform_kinds)[pyma_aload(&g->kind)]);
    }
}

static int
gen_set(StreamObject *self, PyObject *value, void *closure)
{
    pyma_gen *g = gen_of(self);
    int which = (int)(Py_intptr_t)closure, kind;
    double x;

    if (g == NULL) {
        return -1;
    }
    if (value == NULL) {
        PyErr_SetString(PyExc_AttributeError, "generator parameters cannot be deleted");
        return -1;
    }
    switch (which) {
    case PARAM_FREQUENCY:
        if (gen_frequency(value, &x) < 0) {
            return -1;
        }
        pyma_astore64(&g->frequency_bits, bits_of(x));
        break;
    case PARAM_AMPLITUDE:
        if (gen_amplitude(value, &x) < 0) {
            return -1;
        }
        pyma_astore64(&g->amplitude_bits, bits_of(x));
        break;
    case PARAM_DUTY:
        if (gen_duty(value, &x) < 0) {
            return -1;
        }
        pyma_astore64(&g->duty_bits, bits_of(x));
        break;
    default:
        if (gen_kind(value, g->family == GEN_NOISE ? noise_kinds : waveform_kinds, &kind) < 0) {
            return -1;
        }
        pyma_astore(&g->kind, kind);
        break;
    }
    pyma_aadd(&g->version, 1); /* after the values: the reader sees them when it sees the new version */
    return 0;
}

static PyObject *
noise_get_seed(StreamObject *self, void *Py_UNUSED(closure))
{
    pyma_gen *g = gen_of(self);
    return g == NULL ? NULL : PyLong_FromLong(g->seed);
}

#define GEN_PARAM(name, which, doc) {name, (getter)gen_get, (setter)gen_set, PyDoc_STR(doc), (void *)(which)}

static PyGetSetDef waveform_getset[] = {
    GEN_PARAM("kind", PARAM_KIND, "The waveform: \"sine\", \"square\", \"triangle\" or \"sawtooth\" (settable while it plays)."),
    GEN_PARAM("frequency", PARAM_FREQUENCY, "The frequency in Hz (settable while it plays; the phase goes on)."),
    GEN_PARAM("amplitude", PARAM_AMPLITUDE, "The peak amplitude, 1.0 = full scale (settable while it plays)."),
    {NULL, NULL, NULL, NULL, NULL},
};

static PyGetSetDef pulsewave_getset[] = {
    GEN_PARAM("frequency", PARAM_FREQUENCY, "The frequency in Hz (settable while it plays; the phase goes on)."),
    GEN_PARAM("duty_cycle", PARAM_DUTY, "The fraction of each period at +amplitude, 0 < duty_cycle < 1 (settable)."),
    GEN_PARAM("amplitude", PARAM_AMPLITUDE, "The peak amplitude, 1.0 = full scale (settable while it plays)."),
    {NULL, NULL, NULL, NULL, NULL},
};

static PyGetSetDef noise_getset[] = {
    GEN_PARAM("kind", PARAM_KIND, "The noise: \"white\", \"pink\" or \"brownian\" (settable while it plays)."),
    GEN_PARAM("amplitude", PARAM_AMPLITUDE, "The amplitude, 1.0 = full scale (settable while it plays)."),
    {"seed", (getter)noise_get_seed, NULL, PyDoc_STR("The seed: the same seed gives the same noise."), NULL},
    {NULL, NULL, NULL, NULL, NULL},
};

PyDoc_STRVAR(waveform_doc,
             "Waveform(kind=\"sine\", frequency=440.0, amplitude=1.0, sample_rate=44100, nchannels=2,\n"
             "         output_format=SampleFormat.SIGNED16, frames_to_read=1024, chunk_type=\"array\")\n--\n\n"
             "An endless sine, square, triangle or sawtooth wave: a DecoderStream (next(), send(n),\n"
             "seek(frame) to that frame's phase) that a PlaybackDevice plays without the GIL.\n"
             "Sample n of a sine is amplitude * sin(2 pi frequency n / sample_rate); square is +amplitude\n"
             "for the first half of each period; triangle starts at +amplitude, sawtooth rises from\n"
             "-amplitude.  kind, frequency and amplitude can be set while it plays, from any thread.");

PyDoc_STRVAR(pulsewave_doc,
             "PulseWave(frequency=440.0, duty_cycle=0.5, amplitude=1.0, sample_rate=44100, nchannels=2,\n"
             "          output_format=SampleFormat.SIGNED16, frames_to_read=1024, chunk_type=\"array\")\n--\n\n"
             "An endless pulse wave: +amplitude for duty_cycle of each period, -amplitude for the rest.\n"
             "A DecoderStream like Waveform; frequency, duty_cycle and amplitude can be set while it plays.");

PyDoc_STRVAR(noise_doc,
             "Noise(kind=\"white\", amplitude=1.0, seed=0, sample_rate=44100, nchannels=2,\n"
             "      output_format=SampleFormat.SIGNED16, frames_to_read=1024, chunk_type=\"array\")\n--\n\n"
             "Endless white, pink (-3 dB/octave) or brownian (-6 dB/octave) noise; the same seed gives the\n"
             "same samples.  A DecoderStream like Waveform; seek(0) starts it again from its seed (other\n"
             "frames raise ValueError).  kind and amplitude can be set while it plays.");

#define GEN_SPEC(cname, pyname, newfn, getset, doc)                                                          \
    static PyType_Slot cname##_slots[] = {                                                                   \
        {Py_tp_new, newfn}, {Py_tp_getset, getset}, {Py_tp_doc, (void *)doc}, {0, NULL},                     \
    };                                                                                                       \
    PyType_Spec pyma_##cname##_spec = {                                                                      \
        .name = "miniaudio." pyname,                                                                         \
        .basicsize = sizeof(StreamObject),                                                                   \
        .flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_IMMUTABLETYPE, /* GC and its slots: inherited */       \
        .slots = cname##_slots,                                                                              \
    }

GEN_SPEC(waveform, "Waveform", waveform_new, waveform_getset, waveform_doc);
GEN_SPEC(pulsewave, "PulseWave", pulsewave_new, pulsewave_getset, pulsewave_doc);
GEN_SPEC(noise, "Noise", noise_new, noise_getset, noise_doc);
