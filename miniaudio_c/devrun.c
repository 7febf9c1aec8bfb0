/* devrun.c: a device's runs: _start(), _halt() (stop), _end_run() (the event thread's end of a run
 * that ended by itself), _close_at_exit() (the exit's stop with a grace period), and the halt they
 * share.  The object's life (open, close, finalize, the method table) is in device.c.
 *
 * Invariants (device.c's header has the whole list):
 * - ma_device_start/stop run with the GIL released and under op_lock, which is only ever taken
 *   with the GIL released (the audio thread may be waiting for the GIL).
 * - halt: store the state, ma_device_stop, wait for in_callback == 0, then (GIL held again) drop
 *   the generator and unclaim the stream.  The audio thread reads them only while it sees RUNNING.
 * - start/stop from the device's own audio thread raise RuntimeError (they would wait for themselves).
 */
#include "_miniaudio.h"

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

/* Stops the audio: no callback touches Python or the stream afterwards.  GIL held, not on the
 * audio thread.  Drops the generator and unclaims the stream. */
void
pyma_device_halt(DeviceObject *self)
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
    self->push = 0; /* a push run's rings keep their frames: only stop() drops them */
    pyma_astore(&self->input_done, 0);
    pyma_push_wake_all(self);
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
void
pyma_device_collect_error(DeviceObject *self)
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

const char pyma_device_start_doc[] =
    "_start($self, generator, method=None, /)\n--\n\n"
    "Start a run driven by `generator` (primed).  `method`: a subclass's own _data_callback, called\n"
    "every period of this run instead of the generator step (unless the attribute is replaced).";

PyObject *
pyma_device_start(DeviceObject *self, PyObject *args)
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
    if (pyma_device_check_open(self) < 0 || pyma_device_not_on_audio_thread(self, "start") < 0) {
        return NULL;
    }
    if (pyma_aload(&self->state) == PYMA_RUN_RUNNING) {
        PyErr_SetString(self->st->MiniaudioError, "can't start an already started device");
        return NULL;
    }
    if (self->generator != NULL || self->push) {
        pyma_device_halt(self); /* the last run ended by itself; the event thread has not stopped it yet */
    }
    if (gen == Py_None) {
        /* A push run: write() and read() through the rings (pushio.c).  Frames written before
         * the start are kept; frames recorded by an earlier run are not. */
        if (method != Py_None) {
            PyErr_SetString(PyExc_TypeError, "_start: a push run has no method");
            return NULL;
        }
        if (pyma_push_prepare(self) < 0) {
            return NULL;
        }
        ma_pcm_rb_reset(&self->cap_rb);
        self->prime_left = self->prime_frames; /* no callback runs: the device is stopped */
    }
    else if (PyObject_TypeCheck(gen, self->st->stream_type)) {
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
    self->push = gen == Py_None;
    self->generator = gen == Py_None ? NULL : Py_NewRef(gen);
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
    pyma_gain_start(self); /* unpaused, full level */
    pyma_astore(&self->state, PYMA_RUN_RUNNING);
    Py_BEGIN_ALLOW_THREADS
    PyThread_acquire_lock(self->op_lock, WAIT_LOCK);
    r = ma_device_start(&self->device);
    PyThread_release_lock(self->op_lock);
    Py_END_ALLOW_THREADS
    if (r != MA_SUCCESS) {
        pyma_device_halt(self);
        pyma_raise(self->st, r, PYMA_ERR_MINIAUDIO, "failed to start audio device");
        return NULL;
    }
    return PyLong_FromUnsignedLong(self->run);
}

const char pyma_device_halt_meth_doc[] =
    "_halt($self, /)\n--\n\nStop the audio (no-op when not running).";

PyObject *
pyma_device_halt_meth(DeviceObject *self, PyObject *Py_UNUSED(ignored))
{
    if (pyma_device_not_on_audio_thread(self, "stop") < 0) {
        return NULL;
    }
    if (self->device_ready) {
        pyma_device_halt(self);
        pyma_push_reset(self); /* stop() drops what write() queued and read() did not take */
        pyma_device_collect_error(self);
    }
    Py_RETURN_NONE;
}

const char pyma_device_close_at_exit_doc[] =
    "_close_at_exit($self, grace, /)\n--\n\n"
    "Interpreter exit: close the device, unless its callback does not return within `grace` seconds\n"
    "(a generator blocked for good, e.g. on a queue nobody fills any more): then leave the device to\n"
    "the exiting process instead of waiting forever.  True if closed.";

PyObject *
pyma_device_close_at_exit(DeviceObject *self, PyObject *arg)
{
    double grace = PyFloat_AsDouble(arg), deadline;

    if (grace == -1.0 && PyErr_Occurred()) {
        return NULL;
    }
    if (pyma_device_not_on_audio_thread(self, "close") < 0) {
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
            pyma_events_forget(self);
            self->device_ready = 0;
            self->context_ready = 0;
            self->closed = 1;
            Py_RETURN_FALSE;
        }
    }
    if (pyma_device_close(self, NULL) == NULL) {
        return NULL;
    }
    Py_DECREF(Py_None);
    Py_RETURN_TRUE;
}

const char pyma_device_end_run_doc[] =
    "_end_run($self, run, /)\n--\n\n"
    "Event thread: stop the device if run `run` ended by itself.  True if it did.";

PyObject *
pyma_device_end_run(DeviceObject *self, PyObject *arg)
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
    pyma_device_halt(self);
    pyma_device_collect_error(self);
    Py_RETURN_TRUE;
}

