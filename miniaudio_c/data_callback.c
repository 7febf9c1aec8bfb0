/* data_callback.c: `_data_callback`, 1.71's private per-period method of the device classes.
 *
 * In 1.71 every period called `device._data_callback(device, output, input, framecount)`, looked
 * up on the instance each time, so programs replaced it per instance to watch the callbacks:
 *
 *     w = dev._data_callback
 *     dev._data_callback = lambda *a: w(*a)
 *
 * Here the attribute reads as the bound default method (`_default_data_callback`) until it is
 * replaced; the replacement (self->data_callback, GIL only) is then called once per period on the
 * audio thread, with the GIL, as (device, None, None, framecount): the buffers are not Python
 * objects here, and the default method it wraps finds them in self->cb_* (valid only while
 * cb_active, i.e. during that call).  A package stream is pulled in C without the GIL unless
 * the attribute was replaced when start() ran; then it is driven with send() like a generator.
 */
#include "_miniaudio.h"

PyObject *
pyma_device_get_data_callback(DeviceObject *self, void *Py_UNUSED(closure))
{
    if (self->data_callback != NULL) {
        return Py_NewRef(self->data_callback);
    }
    return PyObject_GetAttrString((PyObject *)self, "_default_data_callback");
}

int
pyma_device_set_data_callback(DeviceObject *self, PyObject *value, void *Py_UNUSED(closure))
{
    if (value != NULL && value != Py_None && !PyCallable_Check(value)) {
        PyErr_Format(PyExc_TypeError, "_data_callback must be callable, not %.200s", Py_TYPE(value)->tp_name);
        return -1;
    }
    if (PyErr_WarnEx(PyExc_DeprecationWarning,
                     "_data_callback is private: replacing it works as in miniaudio 1.71 (called once per "
                     "period as (device, output, input, framecount); output and input are None here), but "
                     "DeviceStats (device.stats) counts the callbacks without slowing the audio thread",
                     1) < 0) {
        return -1;
    }
    /* Deleting it or setting None restores the default.  The audio thread reads the field with
     * the GIL held, so replacing it while a generator runs takes effect at the next period. */
    if (value == NULL || value == Py_None) {
        Py_CLEAR(self->data_callback);
    }
    else {
        Py_XSETREF(self->data_callback, Py_NewRef(value));
    }
    return 0;
}

const char pyma_device_default_data_callback_doc[] =
    "_default_data_callback($self, device, output, input, framecount, /)\n--\n\n"
    "Serve the current period: send the generator the frame count or the recorded frames and play\n"
    "what it yields.  Only inside the device's own callback, as the method a replaced\n"
    "_data_callback wraps.";

PyObject *
pyma_device_default_data_callback(DeviceObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    PyObject *gen;
    int rc, padded = 0;

    (void)args;
    if (nargs != 4) {
        PyErr_Format(PyExc_TypeError, "_data_callback() takes 4 arguments (device, output, input, framecount), %zd given",
                     nargs);
        return NULL;
    }
    if (!self->cb_active || !pyma_device_on_audio_thread(self)) {
        PyErr_SetString(PyExc_RuntimeError, "_data_callback() serves the period being played: it can only be called "
                                            "from the device's own callback (the replaced _data_callback)");
        return NULL;
    }
    if (self->generator == NULL || pyma_aload(&self->state) != PYMA_RUN_RUNNING || self->draining) {
        Py_RETURN_NONE; /* the run ended earlier in this period (e.g. the original was called twice) */
    }
    gen = Py_NewRef(self->generator);
    rc = pyma_generator_step(self, gen, self->cb_out, self->cb_in, self->cb_frames, &padded);
    Py_DECREF(gen);
    if (rc < 0) {
        return NULL; /* through the wrapper to the callback, which reports it and ends the run */
    }
    self->cb_padded = padded;
    Py_RETURN_NONE;
}
