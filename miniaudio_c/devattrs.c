/* devattrs.c: what Python reads of a _Device (running, closed, callback_generator,
 * callback_error, stats, info, ...).  GIL held; nothing here changes the run.
 */
#include "_miniaudio.h"

const char pyma_device_take_error_doc[] =
    "_take_error($self, /)\n--\n\nThe generator's exception if not yet raised (then marked raised), else None.";

/* pyma_device_collect_error, once the audio thread can no longer change the outcome of the run. */
static void
collect_error_if_over(DeviceObject *self)
{
    int state = pyma_aload(&self->state);
    if (state != PYMA_RUN_RUNNING && state != PYMA_RUN_ENDED) {
        pyma_device_collect_error(self);
    }
}

PyObject *
pyma_device_take_error(DeviceObject *self, PyObject *Py_UNUSED(ignored))
{
    collect_error_if_over(self);
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
    if (pyma_pycallback_check(self->st, self->generator)) {
        return Py_NewRef(pyma_pycallback_generator(self->generator)); /* the user's own, or None */
    }
    return Py_NewRef(self->generator);
}

static PyObject *
device_get_error(DeviceObject *self, void *Py_UNUSED(closure))
{
    collect_error_if_over(self);
    return Py_NewRef(self->callback_error ? self->callback_error : Py_None);
}

static PyObject *
device_get_stats(DeviceObject *self, void *Py_UNUSED(closure))
{
    ma_uint64 overflows = pyma_aload64(&self->n_overflows), dropped = pyma_aload64(&self->n_dropped);
    if (self->device_ready && self->type == ma_device_type_duplex) {
        /* the input a duplex device's own ring dropped on an asynchronous backend (patch 0057) */
        overflows += pyma_aload64(&self->device.pymaDuplexOverruns);
        dropped += pyma_aload64(&self->device.pymaDuplexDroppedFrames);
    }
    return Py_BuildValue("(KKKKddKKK)", (unsigned long long)pyma_aload64(&self->n_callbacks),
                         (unsigned long long)pyma_aload64(&self->n_frames), (unsigned long long)pyma_aload64(&self->n_late),
                         (unsigned long long)pyma_aload64(&self->n_padded), (double)pyma_aload64(&self->max_ns) / 1e9,
                         (double)pyma_aload64(&self->total_ns) / 1e9,
                         (unsigned long long)pyma_aload64(&self->n_underflows),
                         (unsigned long long)overflows, (unsigned long long)dropped);
}

static PyObject *
device_get_info(DeviceObject *self, void *Py_UNUSED(closure))
{
    const char *pname, *cname;

    if (pyma_device_check_open(self) < 0) {
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

/* (capture latency, playback latency) in seconds: the periods the backend negotiated, at its own
 * rate (0.0 for a side the device does not have). */
static PyObject *
device_get_latency(DeviceObject *self, void *Py_UNUSED(closure))
{
    double cap = 0.0, play = 0.0;

    if (pyma_device_check_open(self) < 0) {
        return NULL;
    }
    if (self->type != ma_device_type_playback && self->device.capture.internalSampleRate > 0) {
        cap = (double)self->device.capture.internalPeriodSizeInFrames * self->device.capture.internalPeriods /
              self->device.capture.internalSampleRate;
    }
    if (self->type != ma_device_type_capture && self->device.playback.internalSampleRate > 0) {
        play = (double)self->device.playback.internalPeriodSizeInFrames * self->device.playback.internalPeriods /
               self->device.playback.internalSampleRate;
    }
    return Py_BuildValue("(dd)", cap, play);
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

PyGetSetDef pyma_device_getset[] = {
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
    {"_latency", (getter)device_get_latency, NULL, NULL, NULL},
    {"_volume", (getter)pyma_device_get_volume, NULL, NULL, NULL},
    {"_paused", (getter)pyma_device_get_paused, NULL, NULL, NULL},
    {"_on_audio_thread", (getter)device_get_on_audio_thread, NULL, NULL, NULL},
    {"_data_callback", (getter)pyma_device_get_data_callback, (setter)pyma_device_set_data_callback,
     PyDoc_STR("1.71's per-period method (private; replaceable per instance, see data_callback.c)."), NULL},
    {NULL, NULL, NULL, NULL, NULL},
};
