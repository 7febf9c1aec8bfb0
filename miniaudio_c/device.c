/* device.c: _Device (the C base of PlaybackDevice, CaptureDevice and DuplexStream), _Context
 * (device enumeration behind Devices) and the event queue that tells the package's event thread
 * when a run ended by itself.
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
#if defined(_WIN32)
#include <windows.h>
static void nap(void) { Sleep(1); }
static double monotonic_seconds(void) { return (double)GetTickCount64() / 1000.0; }
#else
#include <time.h>
static void
nap(void)
{
    struct timespec ts = {0, 200000}; /* 0.2 ms */
    nanosleep(&ts, NULL);
}
static double
monotonic_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}
#endif

/* ---- the event queue ---------------------------------------------------------------------- */

int
pyma_events_init(pyma_state *st)
{
    st->ev_mutex = PyThread_allocate_lock();
    st->ev_sem = PyThread_allocate_lock();
    st->ev_deferred = PyList_New(0);
    if (st->ev_mutex == NULL || st->ev_sem == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    if (st->ev_deferred == NULL) {
        return -1;
    }
    PyThread_acquire_lock(st->ev_sem, WAIT_LOCK); /* held = nothing pending */
    return 0;
}

void
pyma_events_free(pyma_state *st)
{
    Py_CLEAR(st->ev_deferred);
    if (st->ev_mutex != NULL) {
        PyThread_free_lock(st->ev_mutex);
        st->ev_mutex = NULL;
    }
    if (st->ev_sem != NULL) {
        /* The event thread (a daemon) may still be blocked on it at interpreter exit: then leave
         * it allocated rather than free a lock another thread waits on. */
        if (st->ev_waiting == 0) {
            PyThread_free_lock(st->ev_sem);
        }
        st->ev_sem = NULL;
    }
}

/* Wakes the event thread; caller holds ev_mutex. */
static void
events_signal(pyma_state *st)
{
    if (!st->ev_signalled) {
        st->ev_signalled = 1;
        PyThread_release_lock(st->ev_sem);
    }
}

void
pyma_device_push_event(DeviceObject *self)
{
    pyma_state *st = self->st;

    PyThread_acquire_lock(st->ev_mutex, WAIT_LOCK);
    if (!self->closing && !self->queued) {
        self->queued = 1;
        self->next_queued = st->ev_head;
        st->ev_head = self;
        events_signal(st);
    }
    PyThread_release_lock(st->ev_mutex);
}

/* Marks the device closing and takes it off the queue; GIL held (ev_mutex is never held by a
 * thread waiting for the GIL, so taking it here cannot deadlock). */
static void
events_forget(DeviceObject *self)
{
    pyma_state *st = self->st;
    DeviceObject **link;

    PyThread_acquire_lock(st->ev_mutex, WAIT_LOCK);
    pyma_astore(&self->closing, 1);
    if (self->queued) {
        for (link = &st->ev_head; *link != NULL; link = &(*link)->next_queued) {
            if (*link == self) {
                *link = self->next_queued;
                break;
            }
        }
        self->queued = 0;
        self->next_queued = NULL;
    }
    PyThread_release_lock(st->ev_mutex);
}

const char pyma_next_events_doc[] =
    "_next_events($module, /)\n--\n\n"
    "Blocks until devices need the event thread; returns [(device, run), ...] (run -1: close it).";

PyObject *
pyma_next_events(PyObject *module, PyObject *Py_UNUSED(ignored))
{
    pyma_state *st = pyma_get_state(module);
    PyObject *result = NULL, *item;
    DeviceObject *dev;
    Py_ssize_t i;

    for (;;) {
        st->ev_waiting++;
        Py_BEGIN_ALLOW_THREADS
        PyThread_acquire_lock(st->ev_sem, WAIT_LOCK);
        Py_END_ALLOW_THREADS
        st->ev_waiting--;
        result = PyList_New(0);
        if (result == NULL) {
            return NULL;
        }
        /* With the GIL held no queued device can be deallocated (its finalizer unlinks it under
         * ev_mutex first), so the borrowed pointers are safe to take references to. */
        PyThread_acquire_lock(st->ev_mutex, WAIT_LOCK);
        st->ev_signalled = 0;
        while ((dev = st->ev_head) != NULL) {
            st->ev_head = dev->next_queued;
            dev->queued = 0;
            dev->next_queued = NULL;
            item = Py_BuildValue("Ok", (PyObject *)dev, dev->run);
            if (item == NULL || PyList_Append(result, item) < 0) {
                Py_XDECREF(item);
                PyThread_release_lock(st->ev_mutex);
                Py_DECREF(result);
                return NULL;
            }
            Py_DECREF(item);
        }
        PyThread_release_lock(st->ev_mutex);
        for (i = 0; i < PyList_GET_SIZE(st->ev_deferred); i++) {
            item = Py_BuildValue("Oi", PyList_GET_ITEM(st->ev_deferred, i), -1);
            if (item == NULL || PyList_Append(result, item) < 0) {
                Py_XDECREF(item);
                Py_DECREF(result);
                return NULL;
            }
            Py_DECREF(item);
        }
        if (PyList_SetSlice(st->ev_deferred, 0, PY_SSIZE_T_MAX, NULL) < 0) {
            Py_DECREF(result);
            return NULL;
        }
        if (PyList_GET_SIZE(result) > 0) {
            return result;
        }
        Py_DECREF(result);
    }
}

/* ---- contexts and device lists ------------------------------------------------------------ */

/* Initialises `ctx` for `backends` (None or a sequence of ints), thread priority and application
 * name (kept alive by the caller until ma_context_uninit).  *null_listed (may be NULL) tells whether
 * the NULL backend was in the list.  GIL held; released inside. */
static int
context_open(pyma_state *st, ma_context *ctx, PyObject *backends, int thread_prio, const char *app_name,
             int *null_listed)
{
    ma_backend list[ma_backend_null + 1];
    ma_uint32 count = 0;
    ma_context_config config = ma_context_config_init();
    PyObject *seq;
    ma_result r;
    long value;

    if (backends != Py_None) {
        seq = PySequence_Fast(backends, "backends must be a list of Backend values");
        if (seq == NULL) {
            return -1;
        }
        if (PySequence_Fast_GET_SIZE(seq) > (Py_ssize_t)(sizeof(list) / sizeof(list[0]))) {
            Py_DECREF(seq);
            PyErr_SetString(PyExc_ValueError, "backends lists more backends than there are");
            return -1;
        }
        for (Py_ssize_t i = 0; i < PySequence_Fast_GET_SIZE(seq); i++) {
            if (pyma_arg(PySequence_Fast_GET_ITEM(seq, i), PYMA_ARG_BACKEND, 1, "backends", &value) < 0) {
                Py_DECREF(seq);
                return -1;
            }
            list[count++] = (ma_backend)value;
            if (null_listed != NULL && value == ma_backend_null) {
                *null_listed = 1;
            }
        }
        Py_DECREF(seq);
    }
    if (thread_prio < ma_thread_priority_idle || thread_prio > ma_thread_priority_realtime) {
        PyErr_Format(PyExc_ValueError, "thread_prio must be a ThreadPriority (-5..1), not %d", thread_prio);
        return -1;
    }
    config.threadPriority = (ma_thread_priority)thread_prio;
    if (app_name != NULL && app_name[0] != '\0') {
        config.pulse.pApplicationName = app_name;
        config.jack.pClientName = app_name;
    }
    Py_BEGIN_ALLOW_THREADS
    r = ma_context_init(count > 0 ? list : NULL, count, &config, ctx);
    Py_END_ALLOW_THREADS
    if (r != MA_SUCCESS) {
        return pyma_raise(st, r, PYMA_ERR_MINIAUDIO, "cannot init context: no requested audio backend is available");
    }
    return 0;
}

/* A list of (name, raw_id, is_default, formats) for the playback or capture devices of `ctx`,
 * formats a list of (format, sample_rate, channels) when `detailed`.  `lock` serialises users of
 * the context (taken with the GIL released).  GIL held. */
static PyObject *
list_devices(pyma_state *st, ma_context *ctx, PyThread_type_lock lock, ma_device_type type, int detailed)
{
    ma_device_info *infos = NULL, *copy = NULL;
    ma_uint32 count = 0, i, k;
    PyObject *result = NULL, *formats = NULL, *item;
    ma_result r;

    Py_BEGIN_ALLOW_THREADS
    PyThread_acquire_lock(lock, WAIT_LOCK);
    if (type == ma_device_type_playback) {
        r = ma_context_get_devices(ctx, &infos, &count, NULL, NULL);
    }
    else {
        r = ma_context_get_devices(ctx, NULL, NULL, &infos, &count);
    }
    if (r == MA_SUCCESS && count > 0) {
        /* The list lives in the context and changes with the next enumeration: copy it. */
        copy = (ma_device_info *)PyMem_RawMalloc(sizeof(ma_device_info) * count);
        if (copy == NULL) {
            r = MA_OUT_OF_MEMORY;
        }
        else {
            memcpy(copy, infos, sizeof(ma_device_info) * count);
            for (i = 0; detailed && i < count; i++) {
                ma_bool32 is_default = copy[i].isDefault;
                if (ma_context_get_device_info(ctx, type, &copy[i].id, &copy[i]) != MA_SUCCESS) {
                    copy[i].nativeDataFormatCount = 0;
                }
                copy[i].isDefault = is_default || copy[i].isDefault;
            }
        }
    }
    PyThread_release_lock(lock);
    Py_END_ALLOW_THREADS
    if (pyma_check(st, r, PYMA_ERR_MINIAUDIO, "cannot get device infos") < 0) {
        goto error;
    }
    result = PyList_New(0);
    if (result == NULL) {
        goto error;
    }
    for (i = 0; i < count; i++) {
        formats = PyList_New(0);
        if (formats == NULL) {
            goto error;
        }
        for (k = 0; detailed && k < copy[i].nativeDataFormatCount && k < 64; k++) {
            item = Py_BuildValue("(iII)", (int)copy[i].nativeDataFormats[k].format,
                                 copy[i].nativeDataFormats[k].sampleRate, copy[i].nativeDataFormats[k].channels);
            if (item == NULL || PyList_Append(formats, item) < 0) {
                Py_XDECREF(item);
                goto error;
            }
            Py_DECREF(item);
        }
        copy[i].name[sizeof(copy[i].name) - 1] = '\0';
        item = Py_BuildValue("(Ny#ON)",
                             PyUnicode_DecodeUTF8(copy[i].name, (Py_ssize_t)strlen(copy[i].name), "replace"),
                             (const char *)&copy[i].id, (Py_ssize_t)sizeof(ma_device_id),
                             copy[i].isDefault ? Py_True : Py_False, formats);
        formats = NULL;
        if (item == NULL || PyList_Append(result, item) < 0) {
            Py_XDECREF(item);
            goto error;
        }
        Py_DECREF(item);
    }
    PyMem_RawFree(copy);
    return result;
error:
    PyMem_RawFree(copy);
    Py_XDECREF(formats);
    Py_XDECREF(result);
    return NULL;
}

/* Resolves a device_id argument: None (default device: *has_id = 0), raw id bytes (up to the size
 * of ma_device_id) or a name (a case-insensitive substring; an exact name wins).  GIL held. */
static int
resolve_device_id(DeviceObject *self, ma_device_type type, PyObject *obj, const char *argname, ma_device_id *id,
                  int *has_id)
{
    PyObject *list = NULL, *wanted = NULL, *matches = NULL, *names = NULL, *name, *folded;
    Py_ssize_t i, n;
    int exact = -1, rc = -1;

    memset(id, 0, sizeof(*id));
    *has_id = 0;
    if (obj == Py_None) {
        return 0;
    }
    if (PyTuple_Check(obj)) {
        /* (backend name, raw id bytes): a DeviceId, which belongs to one backend. */
        PyObject *backend, *raw;
        if (!PyArg_ParseTuple(obj, "UO!", &backend, &PyBytes_Type, &raw)) {
            return -1;
        }
        if (PyUnicode_CompareWithASCIIString(backend, ma_get_backend_name(self->context.backend)) != 0) {
            PyErr_Format(PyExc_ValueError, "%s: the device id belongs to the %U backend, but the device was opened "
                         "with %s (pass backends=[...] to choose the backend)",
                         argname, backend, ma_get_backend_name(self->context.backend));
            return -1;
        }
        obj = raw;
    }
    if (PyBytes_Check(obj)) {
        if (PyBytes_GET_SIZE(obj) > (Py_ssize_t)sizeof(*id)) {
            PyErr_Format(PyExc_ValueError, "%s: a raw device id has at most %zu bytes", argname, sizeof(*id));
            return -1;
        }
        memcpy(id, PyBytes_AS_STRING(obj), (size_t)PyBytes_GET_SIZE(obj));
        *has_id = 1;
        return 0;
    }
    if (!PyUnicode_Check(obj)) {
        PyErr_Format(PyExc_TypeError, "%s must be None, a DeviceId, a device dict or a device name, not %.200s",
                     argname, Py_TYPE(obj)->tp_name);
        return -1;
    }
    list = list_devices(self->st, &self->context, self->op_lock, type, 0);
    wanted = PyObject_CallMethod(obj, "casefold", NULL);
    matches = PyList_New(0);
    names = PyList_New(0);
    if (list == NULL || wanted == NULL || matches == NULL || names == NULL) {
        goto done;
    }
    n = PyList_GET_SIZE(list);
    for (i = 0; i < n; i++) {
        PyObject *entry = PyList_GET_ITEM(list, i);
        name = PyTuple_GET_ITEM(entry, 0);
        if (PyList_Append(names, name) < 0) {
            goto done;
        }
        folded = PyObject_CallMethod(name, "casefold", NULL);
        if (folded == NULL) {
            goto done;
        }
        int contains = PySequence_Contains(folded, wanted);
        int equal = contains > 0 ? PyObject_RichCompareBool(folded, wanted, Py_EQ) : 0;
        Py_DECREF(folded);
        if (contains < 0 || equal < 0) {
            goto done;
        }
        if (equal && exact < 0) {
            exact = (int)i;
        }
        if (contains && PyList_Append(matches, entry) < 0) {
            goto done;
        }
    }
    if (exact < 0 && PyList_GET_SIZE(matches) != 1) {
        const char *kind = type == ma_device_type_playback ? "playback" : "capture";
        if (PyList_GET_SIZE(matches) == 0) {
            PyErr_Format(PyExc_ValueError, "%s: no %s device name contains %R; the %s devices are: %R", argname, kind,
                         obj, kind, names);
        }
        else {
            PyObject *ambiguous = PyList_New(0);
            for (i = 0; ambiguous != NULL && i < PyList_GET_SIZE(matches); i++) {
                if (PyList_Append(ambiguous, PyTuple_GET_ITEM(PyList_GET_ITEM(matches, i), 0)) < 0) {
                    Py_CLEAR(ambiguous);
                }
            }
            if (ambiguous != NULL) {
                PyErr_Format(PyExc_ValueError, "%s: the name %R is ambiguous: it matches the %s devices %R", argname,
                             obj, kind, ambiguous);
                Py_DECREF(ambiguous);
            }
        }
        goto done;
    }
    {
        PyObject *entry = exact >= 0 ? PyList_GET_ITEM(list, exact) : PyList_GET_ITEM(matches, 0);
        memcpy(id, PyBytes_AS_STRING(PyTuple_GET_ITEM(entry, 1)), sizeof(*id));
    }
    *has_id = 1;
    rc = 0;
done:
    Py_XDECREF(list);
    Py_XDECREF(wanted);
    Py_XDECREF(matches);
    Py_XDECREF(names);
    return rc;
}

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

static int
device_check_open(DeviceObject *self)
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

static int
device_not_on_audio_thread(DeviceObject *self, const char *what)
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

/* Stops the audio: no callback touches Python or the stream afterwards.  GIL held, not on the
 * audio thread.  Drops the generator and unclaims the stream. */
static void
device_halt(DeviceObject *self)
{
    PyObject *gen, *stream;

    pyma_astore(&self->state, PYMA_RUN_IDLE);
    if (self->device_ready) {
        Py_BEGIN_ALLOW_THREADS
        /* No wait for the audio thread's Python thread state: a synchronous backend's worker
         * thread retires it in the "stopped" notification that ma_device_stop waits for, and an
         * asynchronous backend's callback retires its own before it returns (callback.c). */
        if (self->async_backend) {
            /* An asynchronous backend may end its audio thread in ma_device_stop (JACK 2 cancels
             * the process thread once the server's next cycle has begun): let a callback that
             * began before the state changed finish first.  Later ones see IDLE and return at
             * once, without Python. */
            while (pyma_aload(&self->in_callback) != 0) {
                nap();
            }
        }
        PyThread_acquire_lock(self->op_lock, WAIT_LOCK);
        /* Touches only the ma_device; the audio thread may need the GIL to finish its callback. */
        ma_device_stop(&self->device);
        PyThread_release_lock(self->op_lock);
        while (pyma_aload(&self->in_callback) != 0) {
            nap();
        }
        Py_END_ALLOW_THREADS
    }
    gen = self->generator;
    stream = self->stream;
    self->generator = NULL;
    self->stream = NULL;
    pyma_devconv_free(self->conv); /* the device is stopped: no audio thread converts */
    self->conv = NULL;
    if (stream != NULL) {
        pyma_stream_unclaim(stream);
        Py_DECREF(stream);
    }
    Py_XDECREF(gen);
}

/* Turns a failure the audio thread could only record (decode error, lost device) into the
 * device's callback_error and reports it; GIL held. */
static void
device_collect_error(DeviceObject *self)
{
    PyObject *exc;

    if (self->callback_error != NULL || (self->native_result == MA_SUCCESS && !pyma_aload(&self->lost))) {
        return;
    }
    if (self->native_result != MA_SUCCESS) {
        pyma_raise(self->st, self->native_result, PYMA_ERR_DECODE, "error while decoding the stream being played");
    }
    else {
        PyErr_SetString(self->st->MiniaudioError, "the audio device stopped by itself (device lost or server gone)");
    }
    self->native_result = MA_SUCCESS;
    pyma_astore(&self->lost, 0);
    exc = pyma_err_take();
    if (exc == NULL) {
        return;
    }
    self->callback_error = Py_NewRef(exc);
    self->error_pending = 1;
    pyma_err_give(exc);
    PyErr_WriteUnraisable((PyObject *)self);
}

/* Releases everything; GIL held, not on the audio thread.  Idempotent. */
static void
device_release(DeviceObject *self)
{
    if (self->st != NULL) {
        events_forget(self);
    }
    device_halt(self);
    if (self->device_ready || self->context_ready) {
        int device_ready = self->device_ready, context_ready = self->context_ready;
        self->device_ready = 0;
        self->context_ready = 0;
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
             "      app_name, /)\n--\n\n"
             "Open the context and the device.  Ids: None, raw id bytes, or a name substring.");

static PyObject *
device_open(DeviceObject *self, PyObject *args)
{
    PyObject *pf_obj, *pc_obj, *cf_obj, *cc_obj, *rate_obj, *play_id, *cap_id, *backends;
    int type, buffer_msec, periods, thread_prio, play_has = 0, cap_has = 0, null_listed = 0;
    const char *app_name;
    long pf = ma_format_s16, pc = 2, cf = ma_format_s16, cc = 2, rate = 0;
    ma_device_id pid, cid;
    ma_device_config config;
    ma_result r;

    if (!PyArg_ParseTuple(args, "iOOOOOiiOOOis:_open", &type, &pf_obj, &pc_obj, &cf_obj, &cc_obj, &rate_obj,
                          &buffer_msec, &periods, &play_id, &cap_id, &backends, &thread_prio, &app_name)) {
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
    if (type != ma_device_type_playback && type != ma_device_type_capture && type != ma_device_type_duplex) {
        PyErr_Format(PyExc_ValueError, "unknown device type %d", type);
        return NULL;
    }
    if (type != ma_device_type_capture &&
        (pyma_arg(pf_obj, PYMA_ARG_FORMAT, 0, type == ma_device_type_duplex ? "playback_format" : "output_format",
                  &pf) < 0 ||
         pyma_arg(pc_obj, PYMA_ARG_CHANNELS, 1, type == ma_device_type_duplex ? "playback_channels" : "nchannels",
                  &pc) < 0)) {
        return NULL;
    }
    if (type != ma_device_type_playback &&
        (pyma_arg(cf_obj, PYMA_ARG_FORMAT, 0, type == ma_device_type_duplex ? "capture_format" : "input_format",
                  &cf) < 0 ||
         pyma_arg(cc_obj, PYMA_ARG_CHANNELS, 1, type == ma_device_type_duplex ? "capture_channels" : "nchannels",
                  &cc) < 0)) {
        return NULL;
    }
    if (pyma_arg(rate_obj, PYMA_ARG_SAMPLE_RATE, 1, "sample_rate", &rate) < 0) {
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
    if (context_open(self->st, &self->context, backends, thread_prio, self->app_name, &null_listed) < 0) {
        goto error;
    }
    self->context_ready = 1;
    if ((type != ma_device_type_capture &&
         resolve_device_id(self, ma_device_type_playback, play_id,
                           type == ma_device_type_duplex ? "playback_device_id" : "device_id", &pid, &play_has) < 0) ||
        (type != ma_device_type_playback &&
         resolve_device_id(self, ma_device_type_capture, cap_id,
                           type == ma_device_type_duplex ? "capture_device_id" : "device_id", &cid, &cap_has) < 0)) {
        goto error;
    }
    config = ma_device_config_init((ma_device_type)type);
    config.sampleRate = (ma_uint32)rate;
    config.periodSizeInMilliseconds = (ma_uint32)buffer_msec;
    config.periods = (ma_uint32)periods;
    config.playback.format = (ma_format)pf;
    config.playback.channels = (ma_uint32)pc;
    config.playback.pDeviceID = play_has ? &pid : NULL;
    config.capture.format = (ma_format)cf;
    config.capture.channels = (ma_uint32)cc;
    config.capture.pDeviceID = cap_has ? &cid : NULL;
    config.dataCallback = pyma_data_callback;
    config.notificationCallback = pyma_notification_callback;
    config.pUserData = self;
    Py_BEGIN_ALLOW_THREADS
    PyThread_acquire_lock(self->op_lock, WAIT_LOCK);
    r = ma_device_init(&self->context, &config, &self->device);
    PyThread_release_lock(self->op_lock);
    Py_END_ALLOW_THREADS
    if (pyma_check(self->st, r, PYMA_ERR_MINIAUDIO, "failed to init device") < 0) {
        goto error;
    }
    self->device_ready = 1;
    self->async_backend = backend_is_asynchronous(&self->context);
    if ((type != ma_device_type_capture && self->device.playback.internalPeriodSizeInFrames == 0) ||
        (type != ma_device_type_playback && self->device.capture.internalPeriodSizeInFrames == 0)) {
        PyErr_Format(PyExc_ValueError, "buffersize_msec %d at sample_rate %u Hz gives periods of 0 frames",
                     buffer_msec, self->device.sampleRate);
        goto error;
    }
    self->type = (ma_device_type)type;
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

PyDoc_STRVAR(device_start_doc,
             "_start($self, generator, method=None, /)\n--\n\n"
             "Start a run driven by `generator` (primed).  `method`: a subclass's own _data_callback, called\n"
             "every period of this run instead of the generator step (unless the attribute is replaced).");

static PyObject *
device_start(DeviceObject *self, PyObject *args)
{
    pyma_stream_info info;
    pyma_devconv *conv = NULL;
    PyObject *gen, *method = Py_None;
    int claimed = 0;
    ma_result r;

    if (!PyArg_ParseTuple(args, "O|O:_start", &gen, &method)) {
        return NULL;
    }
    if (method != Py_None && !PyCallable_Check(method)) {
        PyErr_SetString(PyExc_TypeError, "_start: method must be callable or None");
        return NULL;
    }
    if (device_check_open(self) < 0 || device_not_on_audio_thread(self, "start") < 0) {
        return NULL;
    }
    if (pyma_aload(&self->state) == PYMA_RUN_RUNNING) {
        PyErr_SetString(self->st->MiniaudioError, "can't start an already started device");
        return NULL;
    }
    if (self->generator != NULL) {
        device_halt(self); /* the last run ended by itself; the event thread has not stopped it yet */
    }
    if (PyObject_TypeCheck(gen, self->st->stream_type)) {
        if (self->type != ma_device_type_playback) {
            PyErr_SetString(PyExc_TypeError, "a DecoderStream can only feed a PlaybackDevice: capture and duplex "
                                             "generators are sent the recorded frames");
            return NULL;
        }
        if (pyma_stream_claim(gen, &info) < 0) {
            return NULL;
        }
        claimed = info.pullable;
        if (claimed && self->data_callback == NULL && method == Py_None && info.format != ma_format_unknown &&
            info.sample_rate != 0 &&
            (info.format != self->play_fmt->format || info.channels != self->play_channels ||
             info.sample_rate != self->sample_rate)) {
            /* Pulled in C: the audio thread converts it to the device's format (devconvert.c). */
            if (pyma_devconv_new(&conv, info.format, info.channels, info.sample_rate, self->play_fmt->format,
                                 self->play_channels, self->sample_rate) < 0) {
                pyma_stream_unclaim(gen);
                return NULL;
            }
        }
        else if ((info.format != ma_format_unknown ? info.format != self->play_fmt->format
                                                   : info.width != self->play_fmt->width) ||
            info.channels != self->play_channels || (info.sample_rate != 0 && info.sample_rate != self->sample_rate)) {
            if (claimed) {
                pyma_stream_unclaim(gen);
            }
            PyErr_Format(PyExc_ValueError,
                         "the stream gives %s, %u channels, %u Hz but the device plays %s, %u channels, %u Hz: "
                         "open the stream with the device's output_format, nchannels and sample_rate",
                         info.format != ma_format_unknown ? ma_get_format_name(info.format) : "raw PCM",
                         (unsigned)info.channels, (unsigned)info.sample_rate, ma_get_format_name(self->play_fmt->format),
                         (unsigned)self->play_channels, (unsigned)self->sample_rate);
            return NULL;
        }
        if (claimed && (self->data_callback != NULL || method != Py_None)) {
            /* A replaced _data_callback is called with the GIL every period: drive the stream
             * with send() like a generator instead of pulling it in C. */
            pyma_stream_unclaim(gen);
            claimed = 0;
        }
    }
    else {
        int has_send = PyObject_HasAttrString(gen, "send");
        if (!has_send) {
            PyErr_Format(PyExc_TypeError,
                         "start() needs a generator (an object with send()), such as a generator function's result "
                         "or one of the stream functions' streams, not %.200s",
                         Py_TYPE(gen)->tp_name);
            return NULL;
        }
    }
    self->generator = Py_NewRef(gen);
    Py_XSETREF(self->method_callback, method != Py_None ? Py_NewRef(method) : NULL);
    self->stream = claimed ? Py_NewRef(gen) : NULL;
    self->conv = conv;
    self->run++;
    Py_CLEAR(self->callback_error);
    self->error_pending = 0;
    self->native_result = MA_SUCCESS;
    pyma_astore(&self->lost, 0);
    self->draining = 0; /* no callback runs: the device is stopped */
    self->drain_left = 0;
    pyma_astore(&self->state, PYMA_RUN_RUNNING);
    Py_BEGIN_ALLOW_THREADS
    PyThread_acquire_lock(self->op_lock, WAIT_LOCK);
    r = ma_device_start(&self->device);
    PyThread_release_lock(self->op_lock);
    Py_END_ALLOW_THREADS
    if (r != MA_SUCCESS) {
        device_halt(self);
        pyma_raise(self->st, r, PYMA_ERR_MINIAUDIO, "failed to start audio device");
        return NULL;
    }
    return PyLong_FromUnsignedLong(self->run);
}

PyDoc_STRVAR(device_halt_doc, "_halt($self, /)\n--\n\nStop the audio (no-op when not running).");

static PyObject *
device_halt_meth(DeviceObject *self, PyObject *Py_UNUSED(ignored))
{
    if (device_not_on_audio_thread(self, "stop") < 0) {
        return NULL;
    }
    if (self->device_ready) {
        device_halt(self);
        device_collect_error(self);
    }
    Py_RETURN_NONE;
}

PyDoc_STRVAR(device_close_doc, "_close($self, /)\n--\n\nStop and release the device and its context (idempotent).");

static PyObject *
device_close(DeviceObject *self, PyObject *Py_UNUSED(ignored))
{
    if (device_not_on_audio_thread(self, "close") < 0) {
        return NULL;
    }
    if (self->device_ready) {
        device_halt(self);
        device_collect_error(self);
    }
    if (self->device_ready || self->context_ready) {
        device_release(self);
    }
    Py_RETURN_NONE;
}

PyDoc_STRVAR(device_close_at_exit_doc,
             "_close_at_exit($self, grace, /)\n--\n\n"
             "Interpreter exit: close the device, unless its callback does not return within `grace` seconds\n"
             "(a generator blocked for good, e.g. on a queue nobody fills any more): then leave the device to\n"
             "the exiting process instead of waiting forever.  True if closed.");

static PyObject *
device_close_at_exit(DeviceObject *self, PyObject *arg)
{
    double grace = PyFloat_AsDouble(arg), deadline;

    if (grace == -1.0 && PyErr_Occurred()) {
        return NULL;
    }
    if (device_not_on_audio_thread(self, "close") < 0) {
        return NULL;
    }
    if (self->device_ready) {
        /* ma_device_stop waits for the audio thread, which may be inside our callback: give the
         * callback `grace` seconds to return.  Callbacks that start after the state is IDLE return at
         * once (the state is stored before in_callback is read: see callback.c). */
        pyma_astore(&self->state, PYMA_RUN_IDLE);
        Py_BEGIN_ALLOW_THREADS
        deadline = monotonic_seconds() + grace;
        while (pyma_aload(&self->in_callback) != 0 && monotonic_seconds() < deadline) {
            nap();
        }
        Py_END_ALLOW_THREADS
        if (pyma_aload(&self->in_callback) != 0) {
            /* Stuck.  Never stop or uninit this device (that would wait for the stuck thread) and
             * never free this object: the audio thread's pUserData points into it.  The extra
             * reference is never dropped; the process exits with the thread still blocked, as it
             * does with a blocked daemon thread. */
            Py_INCREF(self);
            events_forget(self);
            self->device_ready = 0;
            self->context_ready = 0;
            self->closed = 1;
            Py_RETURN_FALSE;
        }
    }
    if (device_close(self, NULL) == NULL) {
        return NULL;
    }
    Py_DECREF(Py_None);
    Py_RETURN_TRUE;
}

PyDoc_STRVAR(device_end_run_doc,
             "_end_run($self, run, /)\n--\n\n"
             "Event thread: stop the device if run `run` ended by itself.  True if it did.");

static PyObject *
device_end_run(DeviceObject *self, PyObject *arg)
{
    unsigned long run = PyLong_AsUnsignedLong(arg);
    int state;

    if (run == (unsigned long)-1 && PyErr_Occurred()) {
        return NULL;
    }
    state = pyma_aload(&self->state);
    if (!self->device_ready || run != self->run || (state != PYMA_RUN_ENDED && state != PYMA_RUN_ERROR)) {
        Py_RETURN_FALSE;
    }
    device_halt(self);
    device_collect_error(self);
    Py_RETURN_TRUE;
}

PyDoc_STRVAR(device_take_error_doc,
             "_take_error($self, /)\n--\n\nThe generator's exception if not yet raised (then marked raised), else None.");

/* device_collect_error, once the audio thread can no longer change the outcome of the run. */
static void
device_collect_error_if_over(DeviceObject *self)
{
    int state = pyma_aload(&self->state);
    if (state != PYMA_RUN_RUNNING && state != PYMA_RUN_ENDED) {
        device_collect_error(self);
    }
}

static PyObject *
device_take_error(DeviceObject *self, PyObject *Py_UNUSED(ignored))
{
    device_collect_error_if_over(self);
    if (!self->error_pending || self->callback_error == NULL) {
        Py_RETURN_NONE;
    }
    self->error_pending = 0;
    return Py_NewRef(self->callback_error);
}

static PyObject *
device_get_running(DeviceObject *self, void *Py_UNUSED(closure))
{
    return PyBool_FromLong(self->device_ready && pyma_aload(&self->state) == PYMA_RUN_RUNNING);
}

static PyObject *
device_get_closed(DeviceObject *self, void *Py_UNUSED(closure))
{
    return PyBool_FromLong(self->closed);
}

static PyObject *
device_get_generator(DeviceObject *self, void *Py_UNUSED(closure))
{
    int state = pyma_aload(&self->state);
    if (self->generator == NULL || (state != PYMA_RUN_RUNNING)) {
        Py_RETURN_NONE;
    }
    return Py_NewRef(self->generator);
}

static PyObject *
device_get_error(DeviceObject *self, void *Py_UNUSED(closure))
{
    device_collect_error_if_over(self);
    return Py_NewRef(self->callback_error ? self->callback_error : Py_None);
}

static PyObject *
device_get_stats(DeviceObject *self, void *Py_UNUSED(closure))
{
    return Py_BuildValue("(KKKKdd)", (unsigned long long)pyma_aload64(&self->n_callbacks),
                         (unsigned long long)pyma_aload64(&self->n_frames), (unsigned long long)pyma_aload64(&self->n_late),
                         (unsigned long long)pyma_aload64(&self->n_padded), (double)pyma_aload64(&self->max_ns) / 1e9,
                         (double)pyma_aload64(&self->total_ns) / 1e9);
}

static PyObject *
device_get_info(DeviceObject *self, void *Py_UNUSED(closure))
{
    const char *pname, *cname;

    if (device_check_open(self) < 0) {
        return NULL;
    }
    pname = self->type != ma_device_type_capture ? self->device.playback.name : "";
    cname = self->type != ma_device_type_playback ? self->device.capture.name : "";
    return Py_BuildValue("{sssIsIsIsssssI}", "backend", ma_get_backend_name(self->context.backend), "sample_rate",
                         self->sample_rate, "playback_channels", self->play_channels, "capture_channels",
                         self->cap_channels, "playback_name", pname, "capture_name", cname, "period_frames",
                         self->type == ma_device_type_capture ? self->device.capture.internalPeriodSizeInFrames
                                                              : self->device.playback.internalPeriodSizeInFrames);
}

static PyObject *
device_get_on_audio_thread(DeviceObject *self, void *Py_UNUSED(closure))
{
    return PyBool_FromLong(pyma_device_on_audio_thread(self));
}

static PyObject *
device_get_run(DeviceObject *self, void *Py_UNUSED(closure))
{
    return PyLong_FromUnsignedLong(self->run);
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
        if (self->st->ev_deferred == NULL || PyList_Append(self->st->ev_deferred, (PyObject *)self) < 0) {
            PyErr_Clear();
        }
        else {
            PyThread_acquire_lock(self->st->ev_mutex, WAIT_LOCK);
            events_signal(self->st);
            PyThread_release_lock(self->st->ev_mutex);
        }
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
    tp->tp_free((PyObject *)self);
    Py_DECREF(tp);
}

static PyMethodDef device_methods[] = {
    {"_open", (PyCFunction)device_open, METH_VARARGS, device_open_doc},
    {"_start", (PyCFunction)device_start, METH_VARARGS, device_start_doc},
    {"_halt", (PyCFunction)device_halt_meth, METH_NOARGS, device_halt_doc},
    {"_close", (PyCFunction)device_close, METH_NOARGS, device_close_doc},
    {"_close_at_exit", (PyCFunction)device_close_at_exit, METH_O, device_close_at_exit_doc},
    {"_end_run", (PyCFunction)device_end_run, METH_O, device_end_run_doc},
    {"_take_error", (PyCFunction)device_take_error, METH_NOARGS, device_take_error_doc},
    {"_default_data_callback", (PyCFunction)(void (*)(void))pyma_device_default_data_callback, METH_FASTCALL,
     pyma_device_default_data_callback_doc},
    {NULL, NULL, 0, NULL},
};

static PyGetSetDef device_getset[] = {
    {"running", (getter)device_get_running, NULL,
     PyDoc_STR("True while the generator or stream is being played/recorded (False once it ended, failed or the "
               "device stopped)."),
     NULL},
    {"closed", (getter)device_get_closed, NULL, PyDoc_STR("Whether close() has released the device."), NULL},
    {"callback_generator", (getter)device_get_generator, NULL, PyDoc_STR("The generator or stream of the current run, or None."), NULL},
    {"callback_error", (getter)device_get_error, NULL,
     PyDoc_STR("The exception that ended the last run (raised by the generator, a bad chunk, a decode error), "
               "or None; cleared by start()."),
     NULL},
    {"_stats", (getter)device_get_stats, NULL, NULL, NULL},
    {"_info", (getter)device_get_info, NULL, NULL, NULL},
    {"_run", (getter)device_get_run, NULL, NULL, NULL},
    {"_on_audio_thread", (getter)device_get_on_audio_thread, NULL, NULL, NULL},
    {"_data_callback", (getter)pyma_device_get_data_callback, (setter)pyma_device_set_data_callback,
     PyDoc_STR("1.71's per-period method (private; replaceable per instance, see data_callback.c)."), NULL},
    {NULL, NULL, NULL, NULL, NULL},
};

static PyType_Slot device_slots[] = {
    {Py_tp_doc, (void *)PyDoc_STR("_Device()\n--\n\nThe C base of the device classes (private).")},
    {Py_tp_dealloc, device_dealloc},
    {Py_tp_finalize, device_finalize},
    {Py_tp_traverse, device_traverse},
    {Py_tp_clear, device_clear},
    {Py_tp_methods, device_methods},
    {Py_tp_getset, device_getset},
    {0, NULL},
};

PyType_Spec pyma_device_spec = {
    .name = "miniaudio._Device",
    .basicsize = sizeof(DeviceObject),
    .flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC | Py_TPFLAGS_BASETYPE,
    .slots = device_slots,
};

/* ---- _Context ------------------------------------------------------------------------------ */

typedef struct {
    PyObject_HEAD
    ma_context context;
    int ready;
    char *app_name;
    PyThread_type_lock lock;
} ContextObject;

static void
context_release(ContextObject *self)
{
    if (self->ready) {
        self->ready = 0;
        Py_BEGIN_ALLOW_THREADS
        PyThread_acquire_lock(self->lock, WAIT_LOCK);
        ma_context_uninit(&self->context);
        PyThread_release_lock(self->lock);
        Py_END_ALLOW_THREADS
    }
    PyMem_RawFree(self->app_name);
    self->app_name = NULL;
}

static PyObject *
context_new(PyTypeObject *type, PyObject *args, PyObject *kwargs)
{
    static char *kwlist[] = {"backends", "thread_prio", "app_name", NULL};
    pyma_state *st = PyType_GetModuleState(type);
    PyObject *backends = Py_None;
    int thread_prio = 0;
    const char *app_name = "";
    ContextObject *self;

    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "|Ois:_Context", kwlist, &backends, &thread_prio, &app_name)) {
        return NULL;
    }
    self = (ContextObject *)type->tp_alloc(type, 0);
    if (self == NULL) {
        return NULL;
    }
    self->lock = PyThread_allocate_lock();
    if (self->lock == NULL) {
        Py_DECREF(self);
        return PyErr_NoMemory();
    }
    if (app_name[0] != '\0') {
        self->app_name = (char *)PyMem_RawMalloc(strlen(app_name) + 1);
        if (self->app_name == NULL) {
            Py_DECREF(self);
            return PyErr_NoMemory();
        }
        strcpy(self->app_name, app_name);
    }
    if (context_open(st, &self->context, backends, thread_prio, self->app_name, NULL) < 0) {
        Py_DECREF(self);
        return NULL;
    }
    self->ready = 1;
    return (PyObject *)self;
}

static PyObject *
context_devices(ContextObject *self, PyObject *arg)
{
    pyma_state *st = PyType_GetModuleState(Py_TYPE(self));
    long type = PyLong_AsLong(arg);

    if (type == -1 && PyErr_Occurred()) {
        return NULL;
    }
    if (type != ma_device_type_playback && type != ma_device_type_capture) {
        PyErr_Format(PyExc_ValueError, "device type must be PLAYBACK (1) or CAPTURE (2), not %ld", type);
        return NULL;
    }
    if (!self->ready) {
        PyErr_SetString(st->MiniaudioError, "the Devices object is closed");
        return NULL;
    }
    return list_devices(st, &self->context, self->lock, (ma_device_type)type, 1);
}

static PyObject *
context_close(ContextObject *self, PyObject *Py_UNUSED(ignored))
{
    context_release(self);
    Py_RETURN_NONE;
}

static PyObject *
context_get_backend(ContextObject *self, void *Py_UNUSED(closure))
{
    if (!self->ready) {
        Py_RETURN_NONE;
    }
    return PyUnicode_FromString(ma_get_backend_name(self->context.backend));
}

static void
context_dealloc(ContextObject *self)
{
    PyTypeObject *tp = Py_TYPE(self);
    context_release(self);
    if (self->lock != NULL) {
        PyThread_free_lock(self->lock);
    }
    tp->tp_free((PyObject *)self);
    Py_DECREF(tp);
}

static PyMethodDef context_methods[] = {
    {"devices", (PyCFunction)context_devices, METH_O,
     PyDoc_STR("devices($self, type, /)\n--\n\n[(name, raw_id, is_default, [(format, sample_rate, channels), ...]), ...]")},
    {"close", (PyCFunction)context_close, METH_NOARGS, PyDoc_STR("close($self, /)\n--\n\nRelease the context.")},
    {NULL, NULL, 0, NULL},
};

static PyGetSetDef context_getset[] = {
    {"backend", (getter)context_get_backend, NULL, PyDoc_STR("miniaudio's name of the backend in use."), NULL},
    {NULL, NULL, NULL, NULL, NULL},
};

static PyType_Slot context_slots[] = {
    {Py_tp_doc, (void *)PyDoc_STR("_Context(backends=None, thread_prio=0, app_name='')\n--\n\nAn ma_context.")},
    {Py_tp_new, context_new},
    {Py_tp_dealloc, context_dealloc},
    {Py_tp_methods, context_methods},
    {Py_tp_getset, context_getset},
    {0, NULL},
};

PyType_Spec pyma_context_spec = {
    .name = "miniaudio._Context",
    .basicsize = sizeof(ContextObject),
    .flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_IMMUTABLETYPE,
    .slots = context_slots,
};
