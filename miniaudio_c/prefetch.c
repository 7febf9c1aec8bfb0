/* prefetch.c: the C side of start(gen, prefetch_msec=...).
 *
 * With prefetch, a Python thread of the package (the feeder, _prefetch.py) runs the generator ahead of
 * the audio thread and queues its chunks into the device's rings through _push_write / _push_read
 * (pushio.c), so the audio thread plays a push run and never waits for the GIL.  What the feeder
 * cannot do through the rings is end the run as a generator run ends: here, with the GIL held.
 */
#include "_miniaudio.h"

const char pyma_device_feed_end_doc[] =
    "_feed_end($self, run, exc, obj, /)\n--\n\n"
    "The feeder of run `run` is done.  exc None: the generator returned; a playback or duplex run\n"
    "plays what is queued, then ends (as drain()); a capture run ends now.  Otherwise `exc` is the\n"
    "exception that ended the generator: kept as callback_error (raised by the next stop(), close()\n"
    "or wait()), reported to sys.unraisablehook with `obj`, and the run ends at once.  Returns True\n"
    "if run `run` was still going (when it was not, an exception is only reported).";

PyObject *
pyma_device_feed_end(DeviceObject *self, PyObject *args)
{
    unsigned long run;
    PyObject *exc, *obj;
    int current;

    if (!PyArg_ParseTuple(args, "kOO:_feed_end", &run, &exc, &obj)) {
        return NULL;
    }
    if (exc != Py_None && !PyExceptionInstance_Check(exc)) {
        PyErr_SetString(PyExc_TypeError, "_feed_end: exc must be an exception or None");
        return NULL;
    }
    current = self->device_ready && self->push && self->run == run && pyma_aload(&self->state) == PYMA_RUN_RUNNING;
    if (exc == Py_None) {
        if (!current) {
            Py_RETURN_FALSE;
        }
        if (self->type == ma_device_type_capture) {
            if (pyma_acas(&self->state, PYMA_RUN_RUNNING, PYMA_RUN_ENDED)) {
                pyma_device_push_event(self);
            }
        }
        else {
            pyma_astore(&self->input_done, 1); /* pyma_push_step ends the run once the ring is empty */
        }
        Py_RETURN_TRUE;
    }
    if (current) {
        /* As generator_failed in callback.c: keep it, end the run, report it. */
        Py_XSETREF(self->callback_error, Py_NewRef(exc));
        self->error_pending = 1;
        if (pyma_acas(&self->state, PYMA_RUN_RUNNING, PYMA_RUN_ERROR)) {
            pyma_device_push_event(self);
        }
    }
    pyma_err_give(Py_NewRef(exc));
    PyErr_WriteUnraisable(obj);
    return PyBool_FromLong(current);
}
