/* pycallback.c: sounddevice-style callbacks, start(callback=fn), and capture/duplex generators sent
 * numpy arrays (start(gen, input_type="numpy")).
 *
 * Both runs are driven by a _CallbackRunner that start() puts where a generator goes
 * (DeviceObject.generator), so the device's life cycle (stop, close, the event thread, the error
 * contract) is the generator's.  callback.c's python_step hands every period of such a run to
 * pyma_pycallback_step, on the audio thread with the GIL.
 *
 * The buffers: indata/outdata are numpy (frames, channels) arrays (or memoryviews of the sample
 * type: 1-D interleaved without numpy, bytes for SIGNED24) over a _PeriodBuffer, a buffer-exporting
 * object that owns its memory.  They never view miniaudio's period memory: that memory may be the
 * audio thread's stack or a buffer freed at close, and a view the user keeps (in a list, or in the
 * traceback of an exception) could write into it later; a numpy array's data pointer cannot be
 * revoked.  So the recorded frames are copied in before the call and outdata is copied out after
 * it (a memcpy of one period, a few kilobytes).  A _PeriodBuffer is reused from period to period
 * while nothing holds a view of it (its export count is 0); one that is still exported when the next
 * period starts is left to its holders and a fresh one is made, so a kept array stays valid and
 * keeps its content.
 *
 * status: CallbackFlags (a Python class from miniaudio._callbacks) built from sounddevice's bits:
 * output_underflow (playback) and input_overflow (capture) are set when the previous callback took
 * longer than its period (the backend's buffer likely ran dry or over meanwhile: an estimate;
 * miniaudio does not report xruns).  time: a CallbackTime struct sequence in seconds on the clock of
 * pyma_now_ns (CLOCK_MONOTONIC: time.monotonic() on Linux); the buffers' times are estimated from
 * the latency the backend negotiated.
 */
#include "_miniaudio.h"

#include <string.h>

/* sounddevice's (PortAudio's) status bits. */
enum {
    FLAG_INPUT_UNDERFLOW = 1,
    FLAG_INPUT_OVERFLOW = 2,
    FLAG_OUTPUT_UNDERFLOW = 4,
    FLAG_OUTPUT_OVERFLOW = 8,
    FLAG_PRIMING_OUTPUT = 16,
};

/* Runner modes. */
enum { RUN_CALLBACK = 0, RUN_NUMPY_GENERATOR = 1 };

/* ---- _PeriodBuffer: one period of frames, exported as a (frames, channels) buffer ------------ */

typedef struct {
    PyObject_HEAD
    char *mem;             /* owned (PyMem), cap bytes */
    size_t cap;
    Py_ssize_t len;
    int ndim;
    Py_ssize_t shape[2], strides[2], itemsize;
    char format[2];
    Py_ssize_t exports;    /* views alive; the shape only changes while 0 */
} PeriodBufferObject;

static int
pb_getbuffer(PeriodBufferObject *self, Py_buffer *view, int flags)
{
    view->obj = Py_NewRef(self);
    view->buf = self->mem;
    view->len = self->len;
    view->readonly = 0;
    view->itemsize = self->itemsize;
    view->format = (flags & PyBUF_FORMAT) == PyBUF_FORMAT ? self->format : NULL;
    if ((flags & PyBUF_ND) == PyBUF_ND) {
        view->ndim = self->ndim;
        view->shape = self->shape;
    }
    else {
        view->ndim = 1;
        view->shape = NULL;
    }
    view->strides = (flags & PyBUF_STRIDES) == PyBUF_STRIDES ? self->strides : NULL;
    view->suboffsets = NULL;
    view->internal = NULL;
    self->exports++;
    return 0;
}

static void
pb_releasebuffer(PeriodBufferObject *self, Py_buffer *Py_UNUSED(view))
{
    self->exports--;
}

static void
pb_dealloc(PeriodBufferObject *self)
{
    PyTypeObject *tp = Py_TYPE(self);
    PyMem_Free(self->mem);
    tp->tp_free((PyObject *)self);
    Py_DECREF(tp);
}

static PyType_Slot pb_slots[] = {
    {Py_tp_doc, (void *)PyDoc_STR("One period of a device callback's frames (the memory behind indata/outdata).")},
    {Py_tp_dealloc, pb_dealloc},
    {Py_bf_getbuffer, pb_getbuffer},
    {Py_bf_releasebuffer, pb_releasebuffer},
    {0, NULL},
};

static PyType_Spec pb_spec = {
    .name = "miniaudio._PeriodBuffer",
    .basicsize = sizeof(PeriodBufferObject),
    .flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_IMMUTABLETYPE | Py_TPFLAGS_DISALLOW_INSTANTIATION,
    .slots = pb_slots,
};

/* ---- _CallbackRunner --------------------------------------------------------------------------- */

typedef struct {
    PyObject_HEAD
    PyObject *target;      /* the callback, or the generator (RUN_NUMPY_GENERATOR) */
    int mode;
    PyObject *asarray;     /* numpy.asarray, or NULL: memoryviews */
    PyObject *flags_type, *stop_type, *abort_type; /* CallbackFlags, CallbackStop, CallbackAbort */
    double cap_latency, play_latency; /* seconds (the device's _latency) */
    PeriodBufferObject *in_buf, *out_buf; /* reused while not exported; audio thread, GIL */
    int late;              /* the previous callback took longer than its period */
} RunnerObject;

static int
runner_traverse(RunnerObject *self, visitproc visit, void *arg)
{
    Py_VISIT(Py_TYPE(self));
    Py_VISIT(self->target);
    Py_VISIT(self->asarray);
    Py_VISIT(self->flags_type);
    Py_VISIT(self->stop_type);
    Py_VISIT(self->abort_type);
    return 0;
}

static int
runner_clear(RunnerObject *self)
{
    Py_CLEAR(self->target);
    Py_CLEAR(self->asarray);
    Py_CLEAR(self->flags_type);
    Py_CLEAR(self->stop_type);
    Py_CLEAR(self->abort_type);
    Py_CLEAR(self->in_buf);
    Py_CLEAR(self->out_buf);
    return 0;
}

static void
runner_dealloc(RunnerObject *self)
{
    PyTypeObject *tp = Py_TYPE(self);
    PyObject_GC_UnTrack(self);
    runner_clear(self);
    tp->tp_free((PyObject *)self);
    Py_DECREF(tp);
}

static PyObject *
runner_new(PyTypeObject *type, PyObject *args, PyObject *kwds)
{
    PyObject *target, *asarray, *flags_type, *stop_type, *abort_type;
    int mode;
    double cap_latency, play_latency;
    RunnerObject *self;

    if (kwds != NULL && PyDict_GET_SIZE(kwds) != 0) {
        PyErr_SetString(PyExc_TypeError, "_CallbackRunner takes no keyword arguments");
        return NULL;
    }
    if (!PyArg_ParseTuple(args, "OiOOOOdd:_CallbackRunner", &target, &mode, &asarray, &flags_type, &stop_type,
                          &abort_type, &cap_latency, &play_latency)) {
        return NULL;
    }
    if (mode != RUN_CALLBACK && mode != RUN_NUMPY_GENERATOR) {
        PyErr_Format(PyExc_ValueError, "_CallbackRunner: unknown mode %d", mode);
        return NULL;
    }
    if ((mode == RUN_CALLBACK && !PyCallable_Check(target)) || (asarray != Py_None && !PyCallable_Check(asarray)) ||
        !PyCallable_Check(flags_type) || !PyExceptionClass_Check(stop_type) || !PyExceptionClass_Check(abort_type)) {
        PyErr_SetString(PyExc_TypeError, "_CallbackRunner: bad argument types");
        return NULL;
    }
    if (mode == RUN_NUMPY_GENERATOR && asarray == Py_None) {
        PyErr_SetString(PyExc_ValueError, "_CallbackRunner: a numpy generator run needs numpy.asarray");
        return NULL;
    }
    self = (RunnerObject *)type->tp_alloc(type, 0);
    if (self == NULL) {
        return NULL;
    }
    self->target = Py_NewRef(target);
    self->mode = mode;
    self->asarray = asarray == Py_None ? NULL : Py_NewRef(asarray);
    self->flags_type = Py_NewRef(flags_type);
    self->stop_type = Py_NewRef(stop_type);
    self->abort_type = Py_NewRef(abort_type);
    self->cap_latency = cap_latency;
    self->play_latency = play_latency;
    return (PyObject *)self;
}

/* The device checks that what start() is given has send(): a runner has one, for that check only. */
static PyObject *
runner_send(RunnerObject *Py_UNUSED(self), PyObject *Py_UNUSED(arg))
{
    PyErr_SetString(PyExc_RuntimeError, "a callback run is driven by the device itself");
    return NULL;
}

static PyObject *
runner_repr(RunnerObject *self)
{
    return PyUnicode_FromFormat("<miniaudio callback run of %R>", self->target);
}

static PyMethodDef runner_methods[] = {
    {"send", (PyCFunction)runner_send, METH_O,
     PyDoc_STR("send($self, value, /)\n--\n\nRefused: the device drives a callback run itself.")},
    {NULL, NULL, 0, NULL},
};

static PyType_Slot runner_slots[] = {
    {Py_tp_doc, (void *)PyDoc_STR("_CallbackRunner(target, mode, asarray, flags_type, stop_type, abort_type, "
                                  "cap_latency, play_latency, /)\n--\n\nWhat start(callback=...) runs (private).")},
    {Py_tp_new, runner_new},
    {Py_tp_dealloc, runner_dealloc},
    {Py_tp_traverse, runner_traverse},
    {Py_tp_clear, runner_clear},
    {Py_tp_repr, runner_repr},
    {Py_tp_methods, runner_methods},
    {0, NULL},
};

static PyType_Spec runner_spec = {
    .name = "miniaudio._CallbackRunner",
    .basicsize = sizeof(RunnerObject),
    .flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC | Py_TPFLAGS_IMMUTABLETYPE,
    .slots = runner_slots,
};

/* ---- CallbackTime ------------------------------------------------------------------------------ */

static PyStructSequence_Field time_fields[] = {
    {"currentTime", "when the callback was called (seconds, monotonic clock)"},
    {"inputBufferAdcTime", "estimated capture time of the first frame of indata (0.0 without input)"},
    {"outputBufferDacTime", "estimated time the first frame of outdata is heard (0.0 without output)"},
    {NULL, NULL},
};

static PyStructSequence_Desc time_desc = {
    "miniaudio.CallbackTime",
    "The time argument of a device callback: sounddevice's names, in seconds on the clock of\n"
    "time.monotonic() (on Linux; one monotonic clock everywhere).",
    time_fields,
    3,
};

int
pyma_pycallback_init(PyObject *module, pyma_state *st)
{
    st->period_buffer_type = (PyTypeObject *)PyType_FromModuleAndSpec(module, &pb_spec, NULL);
    if (st->period_buffer_type == NULL) {
        return -1;
    }
    st->runner_type = (PyTypeObject *)PyType_FromModuleAndSpec(module, &runner_spec, NULL);
    if (st->runner_type == NULL || PyModule_AddType(module, st->runner_type) < 0) {
        return -1;
    }
    st->callback_time_type = PyStructSequence_NewType(&time_desc);
    if (st->callback_time_type == NULL || PyModule_AddType(module, st->callback_time_type) < 0) {
        return -1;
    }
    return 0;
}

int
pyma_pycallback_check(pyma_state *st, PyObject *obj)
{
    return obj != NULL && Py_IS_TYPE(obj, st->runner_type);
}

PyObject *
pyma_pycallback_target(PyObject *runner)
{
    return ((RunnerObject *)runner)->target;
}

PyObject *
pyma_pycallback_generator(PyObject *runner)
{
    RunnerObject *r = (RunnerObject *)runner;
    return r->mode == RUN_NUMPY_GENERATOR ? r->target : Py_None;
}

/* ---- one period (audio thread, GIL held) ------------------------------------------------------ */

/* A _PeriodBuffer in *slot shaped for `frames` frames of fmt x channels (2-D for numpy, else 1-D
 * items), reusing the one there unless a view of it is still alive.  NULL with MemoryError. */
static PeriodBufferObject *
period_buffer(pyma_state *st, PeriodBufferObject **slot, const pyma_format_info *fmt, ma_uint32 channels,
              ma_uint32 frames, int numpy)
{
    PeriodBufferObject *b = *slot;
    size_t need = (size_t)frames * channels * (size_t)fmt->width;

    if (b != NULL && (b->exports > 0 || b->cap < need)) {
        Py_CLEAR(*slot); /* kept by the user (or too small): theirs now */
        b = NULL;
    }
    if (b == NULL) {
        b = (PeriodBufferObject *)st->period_buffer_type->tp_alloc(st->period_buffer_type, 0);
        if (b == NULL) {
            return NULL;
        }
        b->mem = PyMem_Malloc(need > 0 ? need : 1);
        if (b->mem == NULL) {
            Py_DECREF(b);
            PyErr_NoMemory();
            return NULL;
        }
        b->cap = need;
        *slot = b;
    }
    b->len = (Py_ssize_t)need;
    if (fmt->typecode == '\0') { /* SIGNED24: bytes */
        b->format[0] = 'B';
        b->itemsize = 1;
        b->ndim = 1;
        b->shape[0] = (Py_ssize_t)need;
        b->strides[0] = 1;
    }
    else {
        b->format[0] = fmt->typecode;
        b->itemsize = fmt->width;
        if (numpy) {
            b->ndim = 2;
            b->shape[0] = (Py_ssize_t)frames;
            b->shape[1] = (Py_ssize_t)channels;
            b->strides[0] = (Py_ssize_t)channels * fmt->width;
            b->strides[1] = fmt->width;
        }
        else {
            b->ndim = 1;
            b->shape[0] = (Py_ssize_t)frames * channels;
            b->strides[0] = fmt->width;
        }
    }
    b->format[1] = '\0';
    return b;
}

/* The Python object over a period buffer: a numpy array, or a memoryview.  New reference or NULL. */
static PyObject *
buffer_object(RunnerObject *r, PeriodBufferObject *b, const pyma_format_info *fmt)
{
    if (r->asarray != NULL && fmt->dtype != NULL) {
        return PyObject_CallOneArg(r->asarray, (PyObject *)b);
    }
    return PyMemoryView_FromObject((PyObject *)b);
}

static PyObject *
new_time(pyma_state *st, double now, double adc, double dac)
{
    PyObject *t = PyStructSequence_New(st->callback_time_type), *v;
    double values[3] = {now, adc, dac};

    if (t == NULL) {
        return NULL;
    }
    for (int i = 0; i < 3; i++) {
        v = PyFloat_FromDouble(values[i]);
        if (v == NULL) {
            Py_DECREF(t);
            return NULL;
        }
        PyStructSequence_SetItem(t, i, v);
    }
    return t;
}

/* A numpy-input generator's period: send it the recorded frames as an array; a duplex stream plays
 * what it yields (the rules of a bytearray generator's chunks). */
static int
generator_step(DeviceObject *dev, RunnerObject *r, PyObject *indata, void *out, ma_uint32 frames, int *padded)
{
    PyObject *result = NULL;
    int rc = 0;

    switch (PyIter_Send(r->target, indata, &result)) {
    case PYGEN_NEXT:
        if (dev->type == ma_device_type_duplex && pyma_copy_chunk(dev, result, out, frames, padded) < 0) {
            rc = -1;
        }
        break;
    case PYGEN_RETURN:
        pyma_data_ended(dev);
        *padded = 1;
        break;
    case PYGEN_ERROR:
        rc = -1;
        break;
    }
    Py_XDECREF(result);
    return rc;
}

int
pyma_pycallback_step(DeviceObject *dev, PyObject *runner, void *out, const void *in, ma_uint32 frames, int *padded)
{
    RunnerObject *r = (RunnerObject *)runner;
    pyma_state *st = dev->st;
    int has_in = dev->type != ma_device_type_playback, has_out = dev->type != ma_device_type_capture;
    PyObject *indata = NULL, *outdata = NULL, *nframes = NULL, *time = NULL, *status = NULL, *result = NULL;
    PyObject *args[5];
    size_t nargs = 0;
    ma_uint64 t0 = pyma_now_ns(), took;
    double now = (double)t0 / 1e9, period = dev->sample_rate > 0 ? (double)frames / dev->sample_rate : 0.0;
    int rc = -1, flags = 0;

    *padded = 0;
    if (has_in) {
        if (period_buffer(st, &r->in_buf, dev->cap_fmt, dev->cap_channels, frames, r->asarray != NULL) == NULL) {
            goto done;
        }
        memcpy(r->in_buf->mem, in, (size_t)r->in_buf->len);
        if ((indata = buffer_object(r, r->in_buf, dev->cap_fmt)) == NULL) {
            goto done;
        }
    }
    if (r->mode == RUN_NUMPY_GENERATOR) {
        rc = generator_step(dev, r, indata, out, frames, padded);
        goto done;
    }
    if (has_out) {
        if (period_buffer(st, &r->out_buf, dev->play_fmt, dev->play_channels, frames, r->asarray != NULL) == NULL) {
            goto done;
        }
        ma_silence_pcm_frames(r->out_buf->mem, frames, dev->play_fmt->format, dev->play_channels);
        if ((outdata = buffer_object(r, r->out_buf, dev->play_fmt)) == NULL) {
            goto done;
        }
    }
    if (r->late) {
        flags |= (has_in ? FLAG_INPUT_OVERFLOW : 0) | (has_out ? FLAG_OUTPUT_UNDERFLOW : 0);
    }
    nframes = PyLong_FromUnsignedLong(frames);
    time = new_time(st, now, has_in ? now - (r->cap_latency > period ? r->cap_latency : period) : 0.0,
                    has_out ? now + r->play_latency : 0.0);
    status = flags ? PyObject_CallFunction(r->flags_type, "i", flags) : PyObject_CallNoArgs(r->flags_type);
    if (nframes == NULL || time == NULL || status == NULL) {
        goto done;
    }
    if (has_in) {
        args[nargs++] = indata;
    }
    if (has_out) {
        args[nargs++] = outdata;
    }
    args[nargs++] = nframes;
    args[nargs++] = time;
    args[nargs++] = status;
    result = PyObject_Vectorcall(r->target, args, nargs, NULL);
    if (result == NULL) {
        if (PyErr_ExceptionMatches(r->abort_type)) {
            /* CallbackAbort: the run ends now; this period plays silence. */
            PyErr_Clear();
            if (has_out) {
                ma_silence_pcm_frames(out, frames, dev->play_fmt->format, dev->play_channels);
                *padded = 1;
            }
            pyma_end_run_now(dev);
            rc = 0;
        }
        else if (PyErr_ExceptionMatches(r->stop_type)) {
            /* CallbackStop: this period's outdata plays, then what the device holds, then the end. */
            PyErr_Clear();
            if (has_out) {
                memcpy(out, r->out_buf->mem, (size_t)r->out_buf->len);
            }
            pyma_data_ended(dev);
            rc = 0;
        }
        goto done;
    }
    if (has_out) {
        memcpy(out, r->out_buf->mem, (size_t)r->out_buf->len);
    }
    rc = 0;
done:
    Py_XDECREF(result);
    Py_XDECREF(status);
    Py_XDECREF(time);
    Py_XDECREF(nframes);
    Py_XDECREF(outdata);
    Py_XDECREF(indata);
    took = pyma_now_ns() - t0;
    r->late = took * dev->sample_rate > (ma_uint64)frames * 1000000000u;
    return rc;
}
