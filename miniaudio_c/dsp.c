/* dsp.c: the Processor type (the base of miniaudio.LowPass, Gain, ...): its parameters, its
 * binding to a channel count and sample rate, process_inplace() on Python buffers, and the C
 * interface a live stage uses on the audio thread (pyma_proc_*; see _miniaudio.h).
 *
 * The kinds themselves are in dsp_kinds.c.  Invariants: `dsp` is created once (GIL held) and
 * fixed until dealloc; parameters reach it only through the pending handoff (spinlock copy +
 * sequence number); only the thread that holds `user` (a process() call, or the attached stage's
 * audio thread) touches `dsp`.
 */
#include "_miniaudio.h"

#include <math.h>

#define PROC_BLOCK 1024      /* frames between two looks at pending parameters */
#define PROC_NOGIL_FRAMES 4096 /* process_inplace() releases the GIL above this many frames */

static const char *
kind_name(const ProcessorObject *p)
{
    return pyma_dsp_kind(p->kind)->name;
}

/* ---- the audio-thread side (no Python API) ------------------------------------------------ */

static void
take_pending(ProcessorObject *p)
{
    int seq = pyma_aload(&p->pending_seq);
    int rs;
    if (seq != p->applied_seq) {
        double params[PYMA_DSP_MAX_PARAMS];
        ma_spinlock_lock(&p->lock);
        memcpy(params, p->pending, sizeof(params));
        seq = p->pending_seq;
        ma_spinlock_unlock(&p->lock);
        pyma_dsp_apply(p->dsp, params);
        p->applied_seq = seq;
    }
    rs = pyma_aload(&p->reset_seq);
    if (rs != p->reset_applied) {
        pyma_dsp_reset(p->dsp);
        p->reset_applied = rs;
    }
}

void
pyma_proc_run(ProcessorObject *p, float *frames, ma_uint32 n)
{
    while (n > 0) {
        ma_uint32 block = n < PROC_BLOCK ? n : PROC_BLOCK;
        take_pending(p);
        pyma_dsp_process(p->dsp, frames, block);
        frames += (size_t)block * p->channels;
        n -= block;
    }
}

ma_uint32
pyma_proc_channels(const ProcessorObject *p)
{
    return p->dsp != NULL ? p->channels : 0;
}

ma_uint32
pyma_proc_sample_rate(const ProcessorObject *p)
{
    return p->sample_rate;
}

/* ---- binding, attaching (GIL held) ---------------------------------------------------------- */

int
pyma_proc_check(pyma_state *st, PyObject *obj)
{
    return PyObject_TypeCheck(obj, st->processor_type);
}

int
pyma_proc_bind(ProcessorObject *p, ma_uint32 channels, ma_uint32 rate)
{
    const pyma_dsp_kind_info *k = pyma_dsp_kind(p->kind);
    ma_uint32 ch, sr;
    ma_result r;
    pyma_dsp *dsp;

    if (channels != 0 && p->channels != 0 && channels != p->channels) {
        PyErr_Format(PyExc_ValueError, "%s: nchannels is %u for this processor, the data has %u channels", k->name,
                     (unsigned)p->channels, (unsigned)channels);
        return -1;
    }
    if (rate != 0 && p->sample_rate != 0 && rate != p->sample_rate) {
        PyErr_Format(PyExc_ValueError, "%s: sample_rate is %u for this processor, the data's is %u", k->name,
                     (unsigned)p->sample_rate, (unsigned)rate);
        return -1;
    }
    if (p->dsp != NULL) {
        if (p->sample_rate == 0) {
            p->sample_rate = rate; /* a kind that needs none (Biquad, Pan) learns it */
        }
        return 0;
    }
    ch = channels != 0 ? channels : (p->channels != 0 ? p->channels : 1);
    sr = rate != 0 ? rate : p->sample_rate;
    if (k->needs_rate && sr == 0) {
        PyErr_Format(PyExc_ValueError,
                     "%s needs the sample rate: pass sample_rate=... when creating it (the data does not carry one)",
                     k->name);
        return -1;
    }
    if (pyma_dsp_validate(p->kind, p->params, sr, ch) < 0) {
        return -1;
    }
    dsp = pyma_dsp_new(p->kind, p->params, ch, sr, &r);
    if (dsp == NULL) {
        if (r == MA_OUT_OF_MEMORY) {
            PyErr_NoMemory();
        } else {
            PyErr_Format(PyExc_ValueError, "cannot set up %s (%s)", k->name, pyma_result_name(r));
        }
        return -1;
    }
    p->channels = ch;
    p->sample_rate = sr;
    p->applied_seq = pyma_aload(&p->pending_seq);
    p->reset_applied = pyma_aload(&p->reset_seq);
    p->dsp = dsp;
    return 0;
}

int
pyma_proc_attach(ProcessorObject *p, void *owner)
{
    if (p->owner == owner && owner != NULL) {
        return 0;
    }
    if (p->owner != NULL) {
        PyErr_Format(PyExc_ValueError, "%s is already attached to another chain: a processor runs in one place at "
                                       "a time (make another one)",
                     kind_name(p));
        return -1;
    }
    if (p->dsp == NULL) {
        PyErr_Format(PyExc_ValueError, "%s has no channel count and sample rate yet (bind it first)", kind_name(p));
        return -1;
    }
    if (!pyma_acas(&p->user, PYMA_PROC_FREE, PYMA_PROC_ATTACHED)) {
        PyErr_Format(PyExc_RuntimeError, "%s.process() is running in another thread: cannot attach it now",
                     kind_name(p));
        return -1;
    }
    p->owner = owner;
    return 0;
}

void
pyma_proc_detach(ProcessorObject *p, void *owner)
{
    if (p->owner != NULL && p->owner == owner) {
        p->owner = NULL;
        pyma_astore(&p->user, PYMA_PROC_FREE);
    }
}

/* ---- the Python type ---------------------------------------------------------------------------- */

/* *out = 0 for None, else a checked value of `kind`.  -1 with an exception. */
static int
optional_uint(PyObject *obj, pyma_argkind kind, const char *name, ma_uint32 *out)
{
    long v = 0;
    if (obj != NULL && obj != Py_None && pyma_arg(obj, kind, 0, name, &v) < 0) {
        return -1;
    }
    *out = (ma_uint32)v;
    return 0;
}

static PyObject *
proc_new(PyTypeObject *type, PyObject *args, PyObject *kwargs)
{
    static char *kwlist[] = {"kind", "params", "sample_rate", "nchannels", "raw_format", NULL};
    int kind, raw_format = ma_format_f32;
    PyObject *params, *rate_obj = Py_None, *ch_obj = Py_None;
    ProcessorObject *self;
    const pyma_dsp_kind_info *k;

    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "iO!|OOi:Processor", kwlist, &kind, &PyTuple_Type, &params,
                                     &rate_obj, &ch_obj, &raw_format)) {
        return NULL;
    }
    k = pyma_dsp_kind(kind);
    if (k == NULL || PyTuple_GET_SIZE(params) != k->nparams) {
        PyErr_SetString(PyExc_ValueError, "Processor: unknown kind or wrong number of parameters");
        return NULL;
    }
    if (raw_format != ma_format_f32 && raw_format != ma_format_s16) {
        PyErr_Format(PyExc_ValueError, "%s: sample_format must be FLOAT32 or SIGNED16, not %d", k->name, raw_format);
        return NULL;
    }
    self = (ProcessorObject *)type->tp_alloc(type, 0);
    if (self == NULL) {
        return NULL;
    }
    self->kind = kind;
    self->raw_format = (ma_format)raw_format;
    for (int i = 0; i < k->nparams; i++) {
        PyObject *item = PyTuple_GET_ITEM(params, i);
        double v = PyBool_Check(item) ? (PyErr_SetNone(PyExc_TypeError), -1.0) : PyFloat_AsDouble(item);
        if (v == -1.0 && PyErr_Occurred()) {
            PyErr_Format(PyExc_TypeError, "%s: %s must be a number, not %.200s", k->name, k->params[i],
                         Py_TYPE(item)->tp_name);
            goto error;
        }
        self->params[i] = v;
    }
    memcpy(self->pending, self->params, sizeof(self->params));
    if (optional_uint(rate_obj, PYMA_ARG_SAMPLE_RATE, "sample_rate", &self->sample_rate) < 0 ||
        optional_uint(ch_obj, PYMA_ARG_CHANNELS, "nchannels", &self->channels) < 0 ||
        pyma_dsp_validate(kind, self->params, self->sample_rate, self->channels) < 0) {
        goto error;
    }
    /* Everything known: set it up now (a live stage can then attach it at once). */
    if (self->channels != 0 && (self->sample_rate != 0 || !k->needs_rate) &&
        pyma_proc_bind(self, self->channels, self->sample_rate) < 0) {
        goto error;
    }
    return (PyObject *)self;
error:
    Py_DECREF(self);
    return NULL;
}

static void
proc_dealloc(ProcessorObject *self)
{
    PyTypeObject *tp = Py_TYPE(self);
    pyma_dsp_free(self->dsp); /* nobody runs it: a stage or a process() call holds a reference */
    self->dsp = NULL;
    tp->tp_free((PyObject *)self);
    Py_DECREF(tp);
}

PyDoc_STRVAR(proc_get_doc, "_get(self, index, /)\n--\n\nThe value of parameter `index` (private).");

static PyObject *
proc_get(ProcessorObject *self, PyObject *arg)
{
    Py_ssize_t i = PyLong_AsSsize_t(arg);
    if (i == -1 && PyErr_Occurred()) {
        return NULL;
    }
    if (i < 0 || i >= pyma_dsp_kind(self->kind)->nparams) {
        PyErr_SetString(PyExc_IndexError, "no such parameter");
        return NULL;
    }
    return PyFloat_FromDouble(self->params[i]);
}

PyDoc_STRVAR(proc_set_doc, "_set(self, index, value, /)\n--\n\nSets parameter `index`; applied at the start of the "
                           "next block processed, from any thread (private).");

static PyObject *
proc_set(ProcessorObject *self, PyObject *args)
{
    const pyma_dsp_kind_info *k = pyma_dsp_kind(self->kind);
    Py_ssize_t i;
    PyObject *value;
    double v, candidate[PYMA_DSP_MAX_PARAMS];

    if (!PyArg_ParseTuple(args, "nO:_set", &i, &value)) {
        return NULL;
    }
    if (i < 0 || i >= k->nparams) {
        PyErr_SetString(PyExc_IndexError, "no such parameter");
        return NULL;
    }
    if (!(k->settable & (1u << i))) {
        PyErr_Format(PyExc_AttributeError, "%s.%s cannot change after construction (make a new %s)", k->name,
                     k->params[i], k->name);
        return NULL;
    }
    v = PyBool_Check(value) ? (PyErr_SetNone(PyExc_TypeError), -1.0) : PyFloat_AsDouble(value);
    if (v == -1.0 && PyErr_Occurred()) {
        PyErr_Format(PyExc_TypeError, "%s: %s must be a number, not %.200s", k->name, k->params[i],
                     Py_TYPE(value)->tp_name);
        return NULL;
    }
    memcpy(candidate, self->params, sizeof(candidate));
    candidate[i] = v;
    if (pyma_dsp_validate(self->kind, candidate, self->sample_rate, self->channels) < 0) {
        return NULL;
    }
    self->params[i] = v;
    /* The handoff: the spinlock is held by the processing side only for its copy. */
    ma_spinlock_lock(&self->lock);
    memcpy(self->pending, self->params, sizeof(self->params));
    pyma_aadd(&self->pending_seq, 1);
    ma_spinlock_unlock(&self->lock);
    Py_RETURN_NONE;
}

PyDoc_STRVAR(proc_reset_doc, "reset(self, /)\n--\n\nClears the state kept between calls (filter memory, delay line, "
                             "a gain ramp); a Fade starts again.  Takes effect at the start of the next block, "
                             "also when called from another thread while processing.");

static PyObject *
proc_reset(ProcessorObject *self, PyObject *Py_UNUSED(ignored))
{
    pyma_aadd(&self->reset_seq, 1);
    Py_RETURN_NONE;
}

/* How a buffer's items are read and written as float32. */
typedef enum { ITEMS_F32, ITEMS_F64, ITEMS_S16, ITEMS_S32 } items_kind;

static void
to_float(items_kind kind, const void *src, float *dst, size_t n)
{
    size_t i;
    switch (kind) {
    case ITEMS_F64:
        for (i = 0; i < n; i++) {
            dst[i] = (float)((const double *)src)[i];
        }
        break;
    case ITEMS_S16: pyma_pcm_to_f32(ma_format_s16, src, dst, n); break; /* as processed streams (pull_dsp.c) */
    case ITEMS_S32: pyma_pcm_to_f32(ma_format_s32, src, dst, n); break;
    default: break;
    }
}

/* Back from float32: integers full scale at +-1.0, rounded to nearest (ties to even), clipped;
 * NaN becomes 0 (pyma_pcm_from_f32). */
static void
from_float(items_kind kind, const float *src, void *dst, size_t n)
{
    size_t i;
    switch (kind) {
    case ITEMS_F64:
        for (i = 0; i < n; i++) {
            ((double *)dst)[i] = (double)src[i];
        }
        break;
    case ITEMS_S16: pyma_pcm_from_f32(ma_format_s16, src, dst, n); break;
    case ITEMS_S32: pyma_pcm_from_f32(ma_format_s32, src, dst, n); break;
    default: break;
    }
}

PyDoc_STRVAR(proc_process_inplace_doc,
             "_process_inplace(self, data, nchannels=0, sample_rate=0, source=None, /)\n--\n\n"
             "Processes a writable C-contiguous buffer in place (private; see process_inplace()).  With\n"
             "`source` (a C-contiguous buffer of data's length), data is first overwritten block by block\n"
             "with source's samples (of data's format), so that process() fills a new output in one pass.");

static PyObject *
proc_process_inplace(ProcessorObject *self, PyObject *args)
{
    const pyma_dsp_kind_info *k = pyma_dsp_kind(self->kind);
    PyObject *obj, *source = Py_None, *result = NULL;
    unsigned int hint_ch = 0, hint_rate = 0;
    Py_buffer view = {0}, src = {0};
    const char *fmt;
    items_kind items;
    Py_ssize_t itemsize, nitems;
    ma_uint32 data_ch, ch;
    ma_uint64 frames;
    float *tmp = NULL;
    int claimed = 0;

    if (!PyArg_ParseTuple(args, "O|IIO:process_inplace", &obj, &hint_ch, &hint_rate, &source)) {
        return NULL;
    }
    if (!PyObject_CheckBuffer(obj)) {
        PyErr_Format(PyExc_TypeError, "%s: data must be a buffer of samples (bytes, array.array, numpy array), not %.200s",
                     k->name, Py_TYPE(obj)->tp_name);
        return NULL;
    }
    if (PyObject_GetBuffer(obj, &view, PyBUF_C_CONTIGUOUS | PyBUF_WRITABLE | PyBUF_FORMAT) < 0) {
        if (PyErr_ExceptionMatches(PyExc_BufferError)) {
            PyErr_Clear();
            PyErr_Format(PyExc_TypeError, "%s: data must be a writable C-contiguous buffer to process in place",
                         k->name);
        }
        return NULL;
    }
    fmt = view.format != NULL ? view.format : "B";
    if (*fmt == '@' || *fmt == '=' || *fmt == '<') {
        fmt++;
    }
    itemsize = view.itemsize;
    if (strcmp(fmt, "f") == 0 && itemsize == 4) {
        items = ITEMS_F32;
    } else if (strcmp(fmt, "d") == 0 && itemsize == 8) {
        items = ITEMS_F64;
    } else if (strcmp(fmt, "h") == 0 && itemsize == 2) {
        items = ITEMS_S16;
    } else if ((strcmp(fmt, "i") == 0 || strcmp(fmt, "l") == 0) && itemsize == 4) {
        items = ITEMS_S32;
    } else if ((strcmp(fmt, "B") == 0 || strcmp(fmt, "c") == 0) && itemsize == 1 && view.ndim <= 1) {
        /* raw bytes: samples of the processor's sample_format */
        items = self->raw_format == ma_format_s16 ? ITEMS_S16 : ITEMS_F32;
        itemsize = self->raw_format == ma_format_s16 ? 2 : 4;
        if (view.len % itemsize != 0) {
            PyErr_Format(PyExc_ValueError, "%s: data holds %zd bytes, not a whole number of %zd-byte samples", k->name,
                         view.len, itemsize);
            goto exit;
        }
    } else {
        PyErr_Format(PyExc_TypeError,
                     "%s: data must hold float32, float64, int16 or int32 samples (or raw bytes), not items of "
                     "format '%s' (%zd bytes)",
                     k->name, fmt, view.itemsize);
        goto exit;
    }
    if (view.ndim > 2) {
        PyErr_Format(PyExc_ValueError, "%s: data must be 1-D (interleaved) or 2-D (frames, channels), not %d-D",
                     k->name, view.ndim);
        goto exit;
    }
    nitems = view.len / itemsize;
    data_ch = view.ndim == 2 ? (ma_uint32)view.shape[1] : hint_ch;
    if (view.ndim == 2 && (view.shape[1] < 1 || view.shape[1] > MA_MAX_CHANNELS)) {
        PyErr_Format(PyExc_ValueError, "%s: nchannels (the data's second dimension) must be 1..%d, not %zd", k->name,
                     MA_MAX_CHANNELS, view.shape[1]);
        goto exit;
    }
    if (pyma_aload(&self->user) == PYMA_PROC_ATTACHED) {
        PyErr_Format(PyExc_RuntimeError, "%s is attached to a live chain: process() cannot run on it there",
                     k->name);
        goto exit;
    }
    if (self->dsp == NULL || data_ch != 0 || hint_rate != 0) {
        if (pyma_proc_bind(self, data_ch, hint_rate) < 0) {
            goto exit;
        }
    }
    ch = self->channels;
    if (nitems % ch != 0) {
        PyErr_Format(PyExc_ValueError, "%s: data holds %zd samples, not a whole number of frames of nchannels=%u",
                     k->name, nitems, (unsigned)ch);
        goto exit;
    }
    frames = (ma_uint64)(nitems / ch);
    if (source != Py_None) {
        if (PyObject_GetBuffer(source, &src, PyBUF_C_CONTIGUOUS) < 0) {
            goto exit;
        }
        if (src.len != view.len) {
            PyErr_Format(PyExc_ValueError, "%s: source holds %zd bytes, data %zd", k->name, src.len, view.len);
            goto exit;
        }
    }
    if (!pyma_acas(&self->user, PYMA_PROC_FREE, PYMA_PROC_BUSY)) {
        PyErr_Format(PyExc_RuntimeError,
                     pyma_aload(&self->user) == PYMA_PROC_ATTACHED
                         ? "%s is attached to a live chain: process() cannot run on it there"
                         : "%s.process() is already running in another thread: one call at a time per processor",
                     k->name);
        goto exit;
    }
    claimed = 1;
    if (items != ITEMS_F32) {
        tmp = PyMem_RawMalloc((size_t)PROC_BLOCK * ch * sizeof(float));
        if (tmp == NULL) {
            PyErr_NoMemory();
            goto exit;
        }
    }
    {
        /* With the GIL released this touches only the views (held) and the processor (claimed).
         * With a source, each block is copied in just before it is processed, while it is in the
         * cache: one pass over memory instead of a copy of everything and then a second pass. */
        PyThreadState *ts = frames > PROC_NOGIL_FRAMES ? PyEval_SaveThread() : NULL;
        char *at = view.buf;
        const char *from = src.buf != NULL ? (const char *)src.buf : view.buf;
        ma_uint64 left = frames;
        while (left > 0) {
            ma_uint32 block = left < PROC_BLOCK ? (ma_uint32)left : PROC_BLOCK;
            size_t n = (size_t)block * ch;
            if (items == ITEMS_F32) {
                if (from != at) {
                    memmove(at, from, n * sizeof(float));
                }
                pyma_proc_run(self, (float *)at, block);
            } else {
                to_float(items, from, tmp, n);
                pyma_proc_run(self, tmp, block);
                from_float(items, tmp, at, n);
            }
            at += n * (size_t)itemsize;
            from += n * (size_t)itemsize;
            left -= block;
        }
        if (ts != NULL) {
            PyEval_RestoreThread(ts);
        }
    }
    result = Py_NewRef(Py_None);
exit:
    if (claimed) {
        pyma_astore(&self->user, PYMA_PROC_FREE);
    }
    PyMem_RawFree(tmp);
    if (src.obj != NULL) {
        PyBuffer_Release(&src);
    }
    PyBuffer_Release(&view);
    return result;
}

PyDoc_STRVAR(proc_attach_doc, "_attach(self, owner, /)\n--\n\npyma_proc_attach for tests (private).");
PyDoc_STRVAR(proc_detach_doc, "_detach(self, owner, /)\n--\n\npyma_proc_detach for tests (private).");
PyDoc_STRVAR(proc_bind_doc, "_bind(self, nchannels, sample_rate=0, /)\n--\n\npyma_proc_bind for tests (private).");

/* Test hooks for the live-stage interface: attach/detach with `owner` (any object, used as an
 * identity), bind to a format. */
static PyObject *
proc_attach_meth(ProcessorObject *self, PyObject *owner)
{
    if (pyma_proc_attach(self, owner) < 0) {
        return NULL;
    }
    Py_RETURN_NONE;
}

static PyObject *
proc_detach_meth(ProcessorObject *self, PyObject *owner)
{
    pyma_proc_detach(self, owner);
    Py_RETURN_NONE;
}

static PyObject *
proc_bind_meth(ProcessorObject *self, PyObject *args)
{
    unsigned int ch, rate = 0;
    if (!PyArg_ParseTuple(args, "I|I:_bind", &ch, &rate)) {
        return NULL;
    }
    if (ch < 1 || ch > MA_MAX_CHANNELS) {
        PyErr_Format(PyExc_ValueError, "nchannels must be 1..%d, not %u", MA_MAX_CHANNELS, ch);
        return NULL;
    }
    if (rate > PYMA_MAX_SAMPLE_RATE) {
        PyErr_Format(PyExc_ValueError, "sample_rate must be 1..%d, not %u", PYMA_MAX_SAMPLE_RATE, rate);
        return NULL;
    }
    if (pyma_proc_bind(self, ch, rate) < 0) {
        return NULL;
    }
    Py_RETURN_NONE;
}

static PyObject *
proc_get_nchannels(ProcessorObject *self, void *closure)
{
    (void)closure;
    return self->channels != 0 ? PyLong_FromUnsignedLong(self->channels) : Py_NewRef(Py_None);
}

static PyObject *
proc_get_sample_rate(ProcessorObject *self, void *closure)
{
    (void)closure;
    return self->sample_rate != 0 ? PyLong_FromUnsignedLong(self->sample_rate) : Py_NewRef(Py_None);
}

static PyObject *
proc_get_attached(ProcessorObject *self, void *closure)
{
    (void)closure;
    return PyBool_FromLong(self->owner != NULL);
}

static PyGetSetDef proc_getset[] = {
    {"nchannels", (getter)proc_get_nchannels, NULL, "The channel count (None until known: given, or taken from the "
                                                    "first data processed).", NULL},
    {"sample_rate", (getter)proc_get_sample_rate, NULL, "The sample rate in Hz (None until known).", NULL},
    {"attached", (getter)proc_get_attached, NULL, "Whether a live chain runs this processor.", NULL},
    {NULL, NULL, NULL, NULL, NULL},
};

static PyMethodDef proc_methods[] = {
    {"_get", (PyCFunction)proc_get, METH_O, proc_get_doc},
    {"_set", (PyCFunction)proc_set, METH_VARARGS, proc_set_doc},
    {"_process_inplace", (PyCFunction)proc_process_inplace, METH_VARARGS, proc_process_inplace_doc},
    {"reset", (PyCFunction)proc_reset, METH_NOARGS, proc_reset_doc},
    {"_attach", (PyCFunction)proc_attach_meth, METH_O, proc_attach_doc},
    {"_detach", (PyCFunction)proc_detach_meth, METH_O, proc_detach_doc},
    {"_bind", (PyCFunction)proc_bind_meth, METH_VARARGS, proc_bind_doc},
    {NULL, NULL, 0, NULL},
};

static PyType_Slot proc_slots[] = {
    {Py_tp_doc, (void *)PyDoc_STR("Processor(kind, params, sample_rate=None, nchannels=None, raw_format=5)\n--\n\n"
                                  "The base of the processors (LowPass, Gain, Delay, ...): one of miniaudio's "
                                  "filters or effects with its state kept between calls.")},
    {Py_tp_new, proc_new},
    {Py_tp_dealloc, proc_dealloc},
    {Py_tp_methods, proc_methods},
    {Py_tp_getset, proc_getset},
    {0, NULL},
};

PyType_Spec pyma_processor_spec = {
    .name = "miniaudio.Processor",
    .basicsize = sizeof(ProcessorObject),
    .flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE,
    .slots = proc_slots,
};
