/* device.c: _Device, the C base of PlaybackDevice, CaptureDevice and DuplexStream: the object's
 * life (open, close, finalize, dealloc) and its method table.  Starting, stopping and the end of a
 * run are in devrun.c, its context and device_id lookup in context.c, the event queue in events.c,
 * its attributes (stats, info, error) in devattrs.c, the audio thread's side in callback.c.
 *
 * Invariants:
 * - Each device owns its ma_context and ma_device and releases both in close()/finalize.
 * - ma_device_start/stop/uninit and context calls run with the GIL released (the audio thread may
 *   be waiting for it) and under op_lock, which is only ever taken with the GIL released.
 * - halt: store the state, ma_device_stop, wait for in_callback == 0, then (GIL held again) drop
 *   the generator and unclaim the stream.  The audio thread reads them only while it sees RUNNING.
 * - stop/close/start from the device's own audio thread raise RuntimeError (they would wait for
 *   themselves); a finalizer running there defers the close to the event thread.
 */
#include "_miniaudio.h"

#include <string.h>

/* ---- _Device ------------------------------------------------------------------------------- */

static void device_dealloc(DeviceObject *self);

/* Our module's state, found through the class chain (the Python device classes subclass _Device:
 * PyType_GetModule works only on the class made from our spec; PyType_GetModuleByDef is 3.11+). */
static pyma_state *
device_module_state(PyTypeObject *tp)
{
    while (tp != NULL && tp->tp_dealloc != (destructor)device_dealloc) {
        tp = tp->tp_base;
    }
    if (tp == NULL) {
        PyErr_SetString(PyExc_TypeError, "not a device type");
        return NULL;
    }
    return (pyma_state *)PyType_GetModuleState(tp);
}

int
pyma_device_check_open(DeviceObject *self)
{
    if (!self->device_ready) {
        /* self->st is set by _open(): a device whose __init__ never opened it has none yet. */
        pyma_state *st = self->st != NULL ? self->st : device_module_state(Py_TYPE(self));
        if (st != NULL) {
            PyErr_SetString(st->MiniaudioError, self->closed ? "the device is closed" : "the device is not open");
        }
        return -1;
    }
    return 0;
}

int
pyma_device_not_on_audio_thread(DeviceObject *self, const char *what)
{
    if (pyma_device_on_audio_thread(self)) {
        PyErr_Format(PyExc_RuntimeError,
                     "%s() called from the device's own callback generator: it would wait for itself; end the "
                     "generator (return) or call %s() from another thread, e.g. in on_finished",
                     what, what);
        return -1;
    }
    return 0;
}

/* Whether the backend runs callbacks on threads of its own (Core Audio, AAudio, JACK, ...) rather
 * than on miniaudio's worker thread (miniaudio's own test, ma_context_is_backend_asynchronous). */
static int
backend_is_asynchronous(const ma_context *ctx)
{
    return ctx->callbacks.onDeviceRead == NULL && ctx->callbacks.onDeviceWrite == NULL &&
           ctx->callbacks.onDeviceDataLoop == NULL;
}

/* Releases everything; GIL held, not on the audio thread.  Idempotent. */
static void
device_release(DeviceObject *self)
{
    if (self->st != NULL) {
        pyma_events_forget(self);
    }
    pyma_device_halt(self);
    pyma_push_free(self, 0); /* the wake locks live until dealloc: a write() may still hold a reference */
    if (self->device_ready && self->type == ma_device_type_duplex) {
        /* stopped: keep the input its duplex ring dropped in the statistics (devattrs.c) */
        pyma_astore64(&self->n_overflows, self->n_overflows + self->device.pymaDuplexOverruns);
        pyma_astore64(&self->n_dropped, self->n_dropped + self->device.pymaDuplexDroppedFrames);
    }
    if (self->device_ready || self->context_ready) {
        int device_ready = self->device_ready, context_ready = self->context_ready;
        self->device_ready = 0;
        self->context_ready = 0;
        self->closed = 1; /* before the GIL is released: another thread's call says "closed", not "not open" */
        Py_BEGIN_ALLOW_THREADS
        PyThread_acquire_lock(self->op_lock, WAIT_LOCK);
        if (device_ready) {
            ma_device_uninit(&self->device);
        }
        if (context_ready) {
            ma_context_uninit(&self->context);
        }
        PyThread_release_lock(self->op_lock);
        Py_END_ALLOW_THREADS
    }
    if (self->app_name != NULL) {
        PyMem_RawFree(self->app_name);
        self->app_name = NULL;
    }
    self->closed = 1;
}

PyDoc_STRVAR(device_open_doc,
             "_open($self, type, play_format, play_channels, capture_format, capture_channels,\n"
             "      sample_rate, buffersize_msec, periods, play_id, capture_id, backends, thread_prio,\n"
             "      app_name, performance_profile=0, options=None, /)\n--\n\n"
             "Open the context and the device.  Ids: None, raw id bytes, or a name substring.\n"
             "type 4 (loopback): a capture of what a playback device plays (devopts.c).  options: a dict\n"
             "of backend settings (devopts.c's table).");

static PyObject *
device_open(DeviceObject *self, PyObject *args)
{
    PyObject *pf_obj, *pc_obj, *cf_obj, *cc_obj, *rate_obj, *play_id, *cap_id, *backends, *options = Py_None;
    int type, side, loopback, buffer_msec, periods, thread_prio, play_has = 0, cap_has = 0, null_listed = 0, profile = 0;
    const char *app_name;
    long pf = ma_format_s16, pc = 2, cf = ma_format_s16, cc = 2, rate = 0;
    ma_device_id pid, cid;
    ma_device_config config;
    ma_result r;
    pyma_devopts opts; /* the configs point into it until ma_device_init returns */

    if (!PyArg_ParseTuple(args, "iOOOOOiiOOOis|iO:_open", &type, &pf_obj, &pc_obj, &cf_obj, &cc_obj, &rate_obj,
                          &buffer_msec, &periods, &play_id, &cap_id, &backends, &thread_prio, &app_name, &profile,
                          &options)) {
        return NULL;
    }
    if (pyma_devopts_parse(options, &opts) < 0) {
        return NULL;
    }
    if (profile != ma_performance_profile_low_latency && profile != ma_performance_profile_conservative) {
        PyErr_Format(PyExc_ValueError, "unknown performance profile %d", profile);
        return NULL;
    }
    self->st = device_module_state(Py_TYPE(self));
    if (self->st == NULL) {
        return NULL;
    }
    if (self->device_ready || self->closed) {
        PyErr_SetString(PyExc_RuntimeError, "the device has already been opened");
        return NULL;
    }
    if (type != ma_device_type_playback && type != ma_device_type_capture && type != ma_device_type_duplex &&
        type != ma_device_type_loopback) {
        PyErr_Format(PyExc_ValueError, "unknown device type %d", type);
        return NULL;
    }
    loopback = type == ma_device_type_loopback;
    side = loopback ? ma_device_type_capture : type; /* the sides a loopback device has: the capture side */
    if (side != ma_device_type_capture &&
        (pyma_arg(pf_obj, PYMA_ARG_FORMAT, 0, type == ma_device_type_duplex ? "playback_format" : "output_format",
                  &pf) < 0 ||
         pyma_arg(pc_obj, PYMA_ARG_CHANNELS, 1, type == ma_device_type_duplex ? "playback_channels" : "nchannels",
                  &pc) < 0)) {
        return NULL;
    }
    if (side != ma_device_type_playback &&
        (pyma_arg(cf_obj, PYMA_ARG_FORMAT, 0, type == ma_device_type_duplex ? "capture_format" : "input_format",
                  &cf) < 0 ||
         pyma_arg(cc_obj, PYMA_ARG_CHANNELS, 1, type == ma_device_type_duplex ? "capture_channels" : "nchannels",
                  &cc) < 0)) {
        return NULL;
    }
    if (pyma_arg(rate_obj, PYMA_ARG_SAMPLE_RATE, 1, "sample_rate", &rate) < 0) {
        return NULL;
    }
    if ((pc != 0 && pyma_devopts_map_check(&opts, 0, (ma_uint32)pc, "channel_map") < 0) ||
        (cc != 0 && pyma_devopts_map_check(&opts, 1, (ma_uint32)cc, "channel_map") < 0)) {
        return NULL;
    }
    if (buffer_msec < 0 || buffer_msec > 10000) {
        PyErr_Format(PyExc_ValueError, "buffersize_msec must be 0..10000 (0: the backend's default), not %d",
                     buffer_msec);
        return NULL;
    }
    if (periods < 0 || periods > 64) {
        PyErr_Format(PyExc_ValueError, "callback_periods must be 0..64 (0: the backend's default), not %d", periods);
        return NULL;
    }
    if (self->op_lock == NULL && (self->op_lock = PyThread_allocate_lock()) == NULL) {
        return PyErr_NoMemory();
    }
    if (app_name[0] != '\0') {
        size_t n = strlen(app_name) + 1;
        self->app_name = (char *)PyMem_RawMalloc(n);
        if (self->app_name == NULL) {
            return PyErr_NoMemory();
        }
        memcpy(self->app_name, app_name, n);
    }
    if (pyma_context_open_opts(self->st, &self->context, backends, thread_prio, self->app_name, &null_listed,
                               &opts) < 0) {
        goto error;
    }
    self->context_ready = 1;
    if (pyma_devopts_check(&opts, self->context.backend) < 0 ||
        (type == ma_device_type_loopback &&
         pyma_loopback_resolve(self->st, &self->context, self->op_lock, cap_id, &type, &cid, &cap_has) < 0)) {
        goto error;
    }
    if (!loopback &&
        ((type != ma_device_type_capture &&
          pyma_resolve_device_id(self->st, &self->context, self->op_lock, ma_device_type_playback, play_id,
                                 type == ma_device_type_duplex ? "playback_device_id" : "device_id", &pid,
                                 &play_has) < 0) ||
         (type != ma_device_type_playback &&
          pyma_resolve_device_id(self->st, &self->context, self->op_lock, ma_device_type_capture, cap_id,
                                 type == ma_device_type_duplex ? "capture_device_id" : "device_id", &cid,
                                 &cap_has) < 0))) {
        goto error;
    }
    config = ma_device_config_init((ma_device_type)type);
    config.sampleRate = (ma_uint32)rate;
    config.periodSizeInMilliseconds = (ma_uint32)buffer_msec;
    config.periods = (ma_uint32)periods;
    config.performanceProfile = (ma_performance_profile)profile;
    config.playback.format = (ma_format)pf;
    config.playback.channels = (ma_uint32)pc;
    config.playback.pDeviceID = play_has ? &pid : NULL;
    config.capture.format = (ma_format)cf;
    config.capture.channels = (ma_uint32)cc;
    config.capture.pDeviceID = cap_has ? &cid : NULL;
    config.dataCallback = pyma_data_callback;
    config.notificationCallback = pyma_notification_callback;
    config.pUserData = self;
    self->note_epoch_ns = pyma_now_ns(); /* notifications may come from ma_device_init on */
    pyma_devopts_device(&opts, &config);
    Py_BEGIN_ALLOW_THREADS
    PyThread_acquire_lock(self->op_lock, WAIT_LOCK);
    r = ma_device_init(&self->context, &config, &self->device);
    PyThread_release_lock(self->op_lock);
    Py_END_ALLOW_THREADS
    if (pyma_check(self->st, r, PYMA_ERR_MINIAUDIO, "failed to init device") < 0) {
        goto error;
    }
    self->device_ready = 1;
    pyma_gain_init(self);
    self->async_backend = backend_is_asynchronous(&self->context);
    if ((side != ma_device_type_capture && self->device.playback.internalPeriodSizeInFrames == 0) ||
        (side != ma_device_type_playback && self->device.capture.internalPeriodSizeInFrames == 0)) {
        PyErr_Format(PyExc_ValueError, "buffersize_msec %d at sample_rate %u Hz gives periods of 0 frames",
                     buffer_msec, self->device.sampleRate);
        goto error;
    }
    /* a loopback device is a capture device to the rest of the package */
    self->type = type == ma_device_type_loopback ? ma_device_type_capture : (ma_device_type)type;
    self->play_fmt = pyma_format_info_get((ma_format)pf);
    self->cap_fmt = pyma_format_info_get((ma_format)cf);
    self->play_channels = self->device.playback.channels;
    self->cap_channels = self->device.capture.channels;
    self->sample_rate = self->device.sampleRate;
    self->play_frame_bytes = (ma_uint32)self->play_fmt->width * self->play_channels;
    self->cap_frame_bytes = (ma_uint32)self->cap_fmt->width * self->cap_channels;
    if (self->context.backend == ma_backend_null && backends != Py_None && !null_listed) {
        PyErr_SetString(self->st->MiniaudioError, "no suitable audio backend found");
        goto error;
    }
    Py_RETURN_NONE;
error:
    device_release(self);
    self->closed = 0; /* never opened: the Python __init__ failed, nothing to report as closed */
    return NULL;
}

PyDoc_STRVAR(device_close_doc, "_close($self, /)\n--\n\nStop and release the device and its context (idempotent).");

PyObject *
pyma_device_close(DeviceObject *self, PyObject *Py_UNUSED(ignored))
{
    if (pyma_device_not_on_audio_thread(self, "close") < 0) {
        return NULL;
    }
    if (self->device_ready) {
        pyma_device_halt(self);
        pyma_device_collect_error(self);
    }
    if (self->device_ready || self->context_ready) {
        device_release(self);
    }
    Py_RETURN_NONE;
}

static int
device_traverse(DeviceObject *self, visitproc visit, void *arg)
{
    Py_VISIT(Py_TYPE(self));
    Py_VISIT(self->generator);
    Py_VISIT(self->stream);
    Py_VISIT(self->callback_error);
    Py_VISIT(self->data_callback);
    Py_VISIT(self->method_callback);
    return 0;
}

static int
device_clear(DeviceObject *self)
{
    /* tp_finalize has closed the device, so no audio thread uses these any more. */
    if (!self->device_ready) {
        Py_CLEAR(self->generator);
        Py_CLEAR(self->stream);
        Py_CLEAR(self->data_callback);
        Py_CLEAR(self->method_callback);
    }
    Py_CLEAR(self->callback_error);
    return 0;
}

static void
device_finalize(DeviceObject *self)
{
    PyObject *exc;

    if (!self->device_ready && !self->context_ready) {
        return;
    }
    exc = pyma_err_take();
    if (pyma_device_on_audio_thread(self)) {
        /* The last reference went away inside our own callback (e.g. a collection ran there):
         * closing here would wait for this very thread.  Resurrect into the deferred list; the
         * event thread closes it. */
        pyma_astore(&self->state, PYMA_RUN_IDLE);
        pyma_events_defer_close(self);
    }
    else {
        device_release(self);
    }
    if (exc != NULL) {
        pyma_err_give(exc);
    }
}

static void
device_dealloc(DeviceObject *self)
{
    PyTypeObject *tp = Py_TYPE(self);

    if (tp->tp_finalize != NULL && PyObject_CallFinalizerFromDealloc((PyObject *)self) < 0) {
        return; /* resurrected */
    }
    PyObject_GC_UnTrack(self);
    if (self->device_ready || self->context_ready) {
        device_release(self); /* a finalizer that did not run; never on the audio thread here */
    }
    device_clear(self);
    Py_CLEAR(self->generator);
    Py_CLEAR(self->stream);
    Py_CLEAR(self->data_callback);
    Py_CLEAR(self->method_callback);
    if (self->op_lock != NULL) {
        PyThread_free_lock(self->op_lock);
        self->op_lock = NULL;
    }
    pyma_push_free(self, 1);
    tp->tp_free((PyObject *)self);
    Py_DECREF(tp);
}

static PyMethodDef device_methods[] = {
    {"_open", (PyCFunction)device_open, METH_VARARGS, device_open_doc},
    {"_start", (PyCFunction)pyma_device_start, METH_VARARGS, pyma_device_start_doc},
    {"_halt", (PyCFunction)pyma_device_halt_meth, METH_NOARGS, pyma_device_halt_meth_doc},
    {"_close", (PyCFunction)pyma_device_close, METH_NOARGS, device_close_doc},
    {"_close_at_exit", (PyCFunction)pyma_device_close_at_exit, METH_O, pyma_device_close_at_exit_doc},
    {"_end_run", (PyCFunction)pyma_device_end_run, METH_O, pyma_device_end_run_doc},
    {"_take_error", (PyCFunction)pyma_device_take_error, METH_NOARGS, pyma_device_take_error_doc},
    {"_take_notifications", (PyCFunction)pyma_device_take_notes, METH_NOARGS, pyma_device_take_notes_doc},
    {"_push_write", (PyCFunction)pyma_device_push_write, METH_VARARGS, pyma_device_push_write_doc},
    {"_push_read", (PyCFunction)pyma_device_push_read, METH_VARARGS, pyma_device_push_read_doc},
    {"_push_drain", (PyCFunction)pyma_device_push_drain, METH_NOARGS, pyma_device_push_drain_doc},
    {"_push_available", (PyCFunction)pyma_device_push_available, METH_O, pyma_device_push_available_doc},
    {"_set_ring", (PyCFunction)pyma_device_set_ring, METH_O, pyma_device_set_ring_doc},
    {"_set_volume", (PyCFunction)pyma_device_set_volume, METH_O, pyma_device_set_volume_doc},
    {"_pause", (PyCFunction)pyma_device_pause, METH_VARARGS, pyma_device_pause_doc},
    {"_feed_end", (PyCFunction)pyma_device_feed_end, METH_VARARGS, pyma_device_feed_end_doc},
    {"_default_data_callback", (PyCFunction)(void (*)(void))pyma_device_default_data_callback, METH_FASTCALL,
     pyma_device_default_data_callback_doc},
    {NULL, NULL, 0, NULL},
};


static PyType_Slot device_slots[] = {
    {Py_tp_doc, (void *)PyDoc_STR("_Device()\n--\n\nThe C base of the device classes (private).")},
    {Py_tp_dealloc, device_dealloc},
    {Py_tp_finalize, device_finalize},
    {Py_tp_traverse, device_traverse},
    {Py_tp_clear, device_clear},
    {Py_tp_methods, device_methods},
    {Py_tp_getset, pyma_device_getset},
    {0, NULL},
};

PyType_Spec pyma_device_spec = {
    .name = "miniaudio._Device",
    .basicsize = sizeof(DeviceObject),
    .flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC | Py_TPFLAGS_BASETYPE,
    .slots = device_slots,
};
