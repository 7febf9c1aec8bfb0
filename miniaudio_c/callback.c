/* callback.c: the audio-thread bridge.  miniaudio calls pyma_data_callback on its own thread.
 *
 * Invariants (see also device.c):
 * - in_callback is incremented before `state` is read and decremented last; a thread that stops
 *   the device stores the state first, then waits for in_callback == 0 (both sequentially
 *   consistent), so once it has waited no callback touches the generator, the stream or Python.
 * - A GIL-free stream (self->stream) is pulled in C: this path never takes the GIL.
 * - Otherwise the GIL is taken with PyGILState_Ensure, but only when the interpreter is not
 *   finalizing, and the state is checked again once it is held (stop/close release the GIL while
 *   they wait for us).  No exception is ever left set; errors go to the unraisable hook and are
 *   kept on the device; the run then ends (the event thread stops the device).
 * - Nothing here calls ma_device_stop/uninit: that would wait for this very thread.
 */
#include "_miniaudio.h"

#include <string.h>
#if defined(_WIN32)
#include <windows.h>
#else
#include <time.h>
#endif

ma_uint64
pyma_now_ns(void)
{
#if defined(_WIN32)
    LARGE_INTEGER count, freq;
    QueryPerformanceCounter(&count);
    QueryPerformanceFrequency(&freq);
    return (ma_uint64)((double)count.QuadPart * 1e9 / (double)freq.QuadPart);
#else
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (ma_uint64)ts.tv_sec * 1000000000u + (ma_uint64)ts.tv_nsec;
#endif
}

static int
interpreter_finalizing(void)
{
#if PY_VERSION_HEX >= 0x030D0000
    return Py_IsFinalizing();
#else
    return _Py_IsFinalizing();
#endif
}

int
pyma_device_on_audio_thread(DeviceObject *self)
{
    return pyma_aload(&self->in_callback) > 0 && self->audio_thread == PyThread_get_thread_ident();
}

/* Ends the run (RUNNING -> `how`) and tells the event thread.  Any thread, no GIL needed. */
static void
end_run(DeviceObject *self, int how)
{
    if (pyma_acas(&self->state, PYMA_RUN_RUNNING, how)) {
        pyma_device_push_event(self);
    }
}

/* The generator or stream has given its last frames.  A capture device ends the run now; playback
 * plays silence for one buffer's worth (the periods the backend holds, plus one) before the run
 * ends, so stop() does not cut off the audio still queued in the device or server. */
void
pyma_data_ended(DeviceObject *self)
{
    ma_uint64 internal;

    if (self->type == ma_device_type_capture) {
        end_run(self, PYMA_RUN_ENDED);
        return;
    }
    internal = (ma_uint64)self->device.playback.internalPeriodSizeInFrames * (self->device.playback.internalPeriods + 1);
    if (self->device.playback.internalSampleRate > 0) {
        internal = internal * self->sample_rate / self->device.playback.internalSampleRate + 1;
    }
    self->drain_left = internal;
    self->draining = 1;
}

/* Whether a chunk whose buffer holds items of struct format `f` (itemsize bytes) may feed a device
 * of sample format `fmt`.  Raw bytes ('B', 'b', 'c') always may; otherwise the item type must be
 * the sample type (numpy float64 for a FLOAT32 device is the classic mistake: it would play noise). */
static int
chunk_items_match(const pyma_format_info *fmt, const char *f, Py_ssize_t itemsize)
{
    char c;

    if (f == NULL) {
        return 1; /* PyBUF_FORMAT not honoured: unsigned bytes by definition */
    }
    if (*f == '@' || *f == '=' || (*f == '<' && PY_LITTLE_ENDIAN) || (*f == '>' && !PY_LITTLE_ENDIAN)) {
        f++;
    }
    c = f[0];
    if (c == '\0' || f[1] != '\0') {
        return 0;
    }
    if (itemsize == 1 && (c == 'B' || c == 'b' || c == 'c')) {
        return 1;
    }
    /* The sample types of the format (formats.c): 'h' for s16, 'i' or 'l' for s32, 'f' for f32. */
    return strchr(fmt->item_codes, c) != NULL && itemsize == fmt->width;
}

/* Copies a playback chunk into `out` and pads the rest of the period with silence.  GIL held.
 * *padded is set when the chunk was short.  -1 with an exception set for a chunk that is not a
 * buffer, has the wrong item type or shape, a partial frame, or more frames than asked for. */
static int
copy_chunk(DeviceObject *self, PyObject *chunk, void *out, ma_uint32 frames, int *padded)
{
    Py_buffer view;
    ma_uint64 got;
    int rc = -1;

    *padded = 1;
    if (chunk == Py_None) {
        ma_silence_pcm_frames(out, frames, self->play_fmt->format, self->play_channels);
        return 0;
    }
    if (!PyObject_CheckBuffer(chunk)) {
        PyErr_Format(PyExc_TypeError,
                     "the playback generator must yield bytes, bytearray, memoryview, array.array or a numpy "
                     "array, not %.200s",
                     Py_TYPE(chunk)->tp_name);
        return -1;
    }
    /* Any layout: a non-contiguous numpy array (a transposed (channels, frames) array, a slice
     * with a step) is copied in C order straight into the output below. */
    if (PyObject_GetBuffer(chunk, &view, PyBUF_RECORDS_RO) < 0) {
        return -1;
    }
    if (!chunk_items_match(self->play_fmt, view.format, view.itemsize)) {
        PyErr_Format(PyExc_TypeError,
                     "the playback generator yielded items of type '%s' (%zd bytes) but the device plays "
                     "%d-byte %s samples: yield bytes or an array of the device's sample type",
                     view.format ? view.format : "B", view.itemsize, self->play_fmt->width,
                     ma_get_format_name(self->play_fmt->format));
        goto done;
    }
    if (view.ndim == 2 && view.shape[1] != (Py_ssize_t)self->play_channels &&
        view.itemsize == self->play_fmt->width) {
        PyErr_Format(PyExc_ValueError, "the playback generator yielded a (%zd, %zd) array but the device has %u channels",
                     view.shape[0], view.shape[1], (unsigned)self->play_channels);
        goto done;
    }
    if (view.len % self->play_frame_bytes != 0) {
        PyErr_Format(PyExc_ValueError,
                     "the playback generator yielded %zd bytes, not a whole number of %u-byte frames",
                     view.len, (unsigned)self->play_frame_bytes);
        goto done;
    }
    got = (ma_uint64)view.len / self->play_frame_bytes;
    if (got > frames) {
        pyma_raise(self->st, MA_INVALID_ARGS, PYMA_ERR_MINIAUDIO,
                   "number of frames from callback exceeds maximum: the generator yielded %llu frames where %u "
                   "were asked for",
                   (unsigned long long)got, (unsigned)frames);
        goto done;
    }
    if (PyBuffer_IsContiguous(&view, 'C')) {
        memcpy(out, view.buf, (size_t)view.len);
    }
    else if (PyBuffer_ToContiguous(out, &view, view.len, 'C') < 0) {
        goto done;
    }
    if (got < frames) {
        ma_silence_pcm_frames((char *)out + view.len, frames - got, self->play_fmt->format, self->play_channels);
    }
    else {
        *padded = 0;
    }
    rc = 0;
done:
    PyBuffer_Release(&view);
    return rc;
}

int
pyma_copy_chunk(DeviceObject *self, PyObject *chunk, void *out, ma_uint32 frames, int *padded)
{
    return copy_chunk(self, chunk, out, frames, padded);
}

void
pyma_end_run_now(DeviceObject *self)
{
    end_run(self, PYMA_RUN_ENDED);
}

/* Keeps the exception that is set, reports it to sys.unraisablehook and ends the run.  GIL held. */
static void
generator_failed(DeviceObject *self, PyObject *gen)
{
    PyObject *exc = pyma_err_take();

    if (exc == NULL) {
        return;
    }
    Py_XSETREF(self->callback_error, Py_NewRef(exc));
    self->error_pending = 1;
    end_run(self, PYMA_RUN_ERROR);
    pyma_err_give(exc);
    PyErr_WriteUnraisable(gen);
}

/* Takes the GIL with this audio thread's own thread state.  The first time, PyGILState_Ensure
 * creates it (and registers it for this thread, so nested PyGILState calls by extensions the
 * generator uses find it); it then stays, with its count at 1, until audio_retire (at the end of
 * the callback on an asynchronous backend). */
static void
audio_acquire(DeviceObject *self)
{
    unsigned long me = PyThread_get_thread_ident();

    if (self->tstate != NULL && self->tstate_thread != me) {
        /* The backend calls us from another thread than last run's (only an asynchronous backend
         * can, and there no state outlives its callback: python_step).  A thread state is bound
         * to its thread's PyGILState slot and can only be retired there: leave it to the
         * interpreter's exit rather than use it on a second thread. */
        self->tstate = NULL;
    }
    if (self->tstate == NULL) {
        (void)PyGILState_Ensure();
        self->tstate = PyThreadState_Get();
        self->tstate_thread = me;
        pyma_astore(&self->tstate_held, 1);
    }
    else {
        PyEval_RestoreThread(self->tstate);
    }
}

/* Drops the thread state (its count goes to 0: cleared, deleted) and the GIL.  GIL held. */
static void
audio_retire(DeviceObject *self)
{
    self->tstate = NULL;
    PyGILState_Release(PyGILState_UNLOCKED);
    pyma_astore(&self->tstate_held, 0);
}

/* Called on the audio thread once the run is over: retires a kept thread state. */
static void
audio_retire_if_held(DeviceObject *self)
{
    if (self->tstate != NULL && !interpreter_finalizing()) {
        PyEval_RestoreThread(self->tstate);
        audio_retire(self);
    }
}

int
pyma_generator_step(DeviceObject *self, PyObject *gen, void *out, const void *in, ma_uint32 frames, int *padded)
{
    PyObject *arg, *result = NULL;
    int rc = 0;

    *padded = 0;
    if (self->type == ma_device_type_playback) {
        arg = PyLong_FromUnsignedLong(frames);
    }
    else {
        arg = PyByteArray_FromStringAndSize(in, (Py_ssize_t)frames * self->cap_frame_bytes);
    }
    if (arg == NULL) {
        return -1;
    }
    switch (PyIter_Send(gen, arg, &result)) {
    case PYGEN_NEXT:
        if (self->type != ma_device_type_capture && copy_chunk(self, result, out, frames, padded) < 0) {
            rc = -1;
        }
        break;
    case PYGEN_RETURN:
        pyma_data_ended(self);
        *padded = 1; /* a silent period, like the short last pull of a stream */
        break;
    case PYGEN_ERROR:
        rc = -1;
        break;
    }
    Py_DECREF(arg);
    Py_XDECREF(result);
    return rc;
}

/* One period through a replaced `_data_callback` (data_callback.c), with the GIL: it is called as
 * 1.71 called it, (device, output, input, framecount), and the original it wraps runs the
 * generator step on the buffers kept in self->cb_*.  Returns 1 if the period had to be padded. */
static int
override_step(DeviceObject *self, void *out, const void *in, ma_uint32 frames)
{
    PyObject *fn = Py_NewRef(self->data_callback != NULL ? self->data_callback : self->method_callback), *result;
    PyObject *args[4] = {(PyObject *)self, Py_None, Py_None, NULL};
    int padded;

    args[3] = PyLong_FromUnsignedLong(frames);
    if (args[3] == NULL) {
        generator_failed(self, fn);
        Py_DECREF(fn);
        return 0;
    }
    self->cb_out = out;
    self->cb_in = in;
    self->cb_frames = frames;
    self->cb_padded = 1; /* a wrapper that does not call the original leaves miniaudio's silence */
    self->cb_active = 1;
    result = PyObject_Vectorcall(fn, args, 4, NULL);
    self->cb_active = 0;
    padded = self->cb_padded;
    if (result == NULL) {
        generator_failed(self, fn);
    }
    Py_XDECREF(result);
    Py_DECREF(args[3]);
    Py_DECREF(fn);
    return padded;
}

/* One step of a Python generator, with the GIL.  Returns 1 if the period had to be padded. */
static int
python_step(DeviceObject *self, void *out, const void *in, ma_uint32 frames)
{
    PyObject *gen;
    int padded = 0;

    if (interpreter_finalizing()) {
        return 0; /* the atexit handler closes devices first; never take the GIL past that */
    }
    audio_acquire(self);
    /* stop()/close() may have run while we waited for the GIL: look again now that we hold it. */
    if (pyma_aload(&self->state) != PYMA_RUN_RUNNING || self->generator == NULL) {
        audio_retire(self);
        return 0;
    }
    if (pyma_pycallback_check(self->st, self->generator)) {
        /* start(callback=...), or a generator sent numpy arrays (pycallback.c). */
        gen = Py_NewRef(self->generator);
        if (pyma_pycallback_step(self, gen, out, in, frames, &padded) < 0) {
            generator_failed(self, pyma_pycallback_target(gen));
        }
        Py_DECREF(gen);
    }
    else if (self->data_callback != NULL || self->method_callback != NULL) {
        padded = override_step(self, out, in, frames);
    }
    else {
        gen = Py_NewRef(self->generator);
        if (pyma_generator_step(self, gen, out, in, frames, &padded) < 0) {
            generator_failed(self, gen);
        }
        Py_DECREF(gen);
    }
    if (pyma_aload(&self->state) != PYMA_RUN_RUNNING || self->draining || self->async_backend) {
        /* No more Python in this run; or an asynchronous backend, whose audio thread can end in
         * stop() (JACK 2 cancels its process thread in jack_deactivate, AAudio joins its callback
         * thread): a state kept there could not be retired on its thread without stop() waiting
         * for one more callback (pyma_device_halt, devrun.c), so it lives for this callback only. */
        audio_retire(self);
    }
    else {
        (void)PyEval_SaveThread();
    }
    return padded;
}

/* One period from a GIL-free stream.  Returns 1 if the period had to be padded. */
static int
native_step(DeviceObject *self, void *out, ma_uint32 frames)
{
    ma_uint64 got = 0;
    ma_result r = self->conv != NULL ? pyma_devconv_pull(self->conv, self->stream, out, frames, &got)
                                     : pyma_stream_pull(self->stream, out, frames, &got);

    if (r != MA_SUCCESS && r != MA_AT_END) {
        self->native_result = r;
        end_run(self, PYMA_RUN_ERROR);
    }
    if (got < frames) {
        ma_silence_pcm_frames((char *)out + got * self->play_frame_bytes, frames - got, self->play_fmt->format,
                              self->play_channels);
        if (pyma_aload(&self->state) == PYMA_RUN_RUNNING) {
            pyma_data_ended(self); /* pyma_stream_pull fills the period unless the decoder has ended */
        }
        return 1;
    }
    return 0;
}

/* One period of the run's own kind: push rings, a stream pulled in C, or Python. */
static int
run_step(DeviceObject *self, void *out, const void *in, ma_uint32 frames)
{
    if (self->push) {
        return pyma_push_step(self, out, in, frames);
    }
    if (self->stream != NULL) {
        return native_step(self, out, frames);
    }
    return python_step(self, out, in, frames);
}

/* A device opened with no_pre_silence (devopts.c): miniaudio leaves the output as it was, so the
 * paths that may not write all of it (not running, draining, a Python generator or callback, a
 * push run's prebuffering) clear it here; a stream pulled in C writes every frame itself. */
static void
pre_silence(DeviceObject *self, ma_device *device, void *output, ma_uint32 frames)
{
    if (output != NULL && device->noPreSilencedOutputBuffer) {
        ma_silence_pcm_frames(output, frames, self->play_fmt->format, self->play_channels);
    }
}

void
pyma_data_callback(ma_device *device, void *output, const void *input, ma_uint32 frames)
{
    DeviceObject *self = (DeviceObject *)device->pUserData;
    ma_uint64 start, took;
    int padded;

    pyma_aadd(&self->in_callback, 1);
    if (pyma_aload(&self->state) != PYMA_RUN_RUNNING) {
        audio_retire_if_held(self); /* stop()/close() waits for this */
        pre_silence(self, device, output, frames);
        goto done; /* stopped, ended or closing: miniaudio has pre-silenced the output */
    }
    self->audio_thread = PyThread_get_thread_ident();
    if (self->draining) {
        /* Output is pre-silenced; these periods are not counted in the statistics. */
        pre_silence(self, device, output, frames);
        if (self->drain_left <= frames) {
            end_run(self, PYMA_RUN_ENDED);
        }
        else {
            self->drain_left -= frames;
        }
        goto done;
    }
    if (self->push || self->stream == NULL) {
        pre_silence(self, device, output, frames);
    }
    start = pyma_now_ns();
    if (self->type == ma_device_type_capture) {
        padded = run_step(self, output, input, frames);
    }
    else {
        /* The volume and pause/resume (devvolume.c): a paused period does not call run_step. */
        padded = pyma_gain_serve(self, output, input, frames, run_step);
    }
    took = pyma_now_ns() - start;
    pyma_astore64(&self->n_callbacks, self->n_callbacks + 1);
    pyma_astore64(&self->n_frames, self->n_frames + frames);
    pyma_astore64(&self->total_ns, self->total_ns + took);
    if (took > self->max_ns) {
        pyma_astore64(&self->max_ns, took);
    }
    if (took * self->sample_rate > (ma_uint64)frames * 1000000000u) {
        pyma_astore64(&self->n_late, self->n_late + 1);
    }
    if (padded && self->type != ma_device_type_capture) {
        pyma_astore64(&self->n_padded, self->n_padded + 1);
    }
done:
    pyma_aadd(&self->in_callback, -1);
}

void
pyma_notification_callback(const ma_device_notification *notification)
{
    DeviceObject *self = (DeviceObject *)notification->pDevice->pUserData;

    pyma_note_record(self, (int)notification->type); /* for on_notification (notify.c) */
    /* Our own stop()/close() leave RUNNING before stopping, so a "stopped" seen while RUNNING
     * means the backend stopped the device (unplugged, server gone)... */
    if (notification->type != ma_device_notification_type_stopped) {
        return;
    }
    /* ...unless the backend says the device was only suspended and its stream goes on (PulseAudio:
     * `pactl suspend-sink`; patch 0065): the run goes on, and the same thread keeps serving it. */
    if (notification->pDevice->pymaSuspendNotification) {
        return;
    }
    if (pyma_aload(&self->state) == PYMA_RUN_RUNNING) {
        pyma_astore(&self->lost, 1);
        end_run(self, PYMA_RUN_ERROR);
    }
    /* A synchronous backend (miniaudio's own worker thread: NULL, PulseAudio, ALSA, WASAPI, ...)
     * sends "stopped" from its audio thread once its data loop has ended, and ma_device_stop()
     * waits for this function to return.  So the run's Python thread state is retired here, on
     * the thread it belongs to, while stop() waits with the GIL released: stop() no longer waits
     * for one more data callback to do it.  in_callback marks this thread as the device's audio
     * thread meanwhile (clearing the state can run finalizers: stop()/close() there raise
     * RuntimeError instead of waiting for themselves). */
    if (pyma_aload(&self->tstate_held) && self->tstate_thread == PyThread_get_thread_ident()) {
        pyma_aadd(&self->in_callback, 1);
        self->audio_thread = self->tstate_thread;
        audio_retire_if_held(self);
        pyma_aadd(&self->in_callback, -1);
    }
}
