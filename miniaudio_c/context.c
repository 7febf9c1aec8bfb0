/* context.c: miniaudio contexts and device enumeration, in one place for both users: _Context
 * (the enumerator behind miniaudio.Devices) and a device's own context (_Device._open, which also
 * resolves its device_id arguments here).
 *
 * Invariants:
 * - Context calls (init, uninit, enumeration) run with the GIL released, under the owner's lock
 *   (_Context.lock, or the device's op_lock), which is only ever taken with the GIL released.
 * - Enumeration copies miniaudio's list before the lock is dropped: the next enumeration changes it.
 */
#include "_miniaudio.h"

#include <string.h>

/* ---- context init and device lists ---------------------------------------------------------- */

/* Initialises `ctx` for `backends` (None or a sequence of ints), thread priority and application
 * name (kept alive by the caller until ma_context_uninit).  *null_listed (may be NULL) tells whether
 * the NULL backend was in the list.  GIL held; released inside. */
int
pyma_context_open(pyma_state *st, ma_context *ctx, PyObject *backends, int thread_prio, const char *app_name,
             int *null_listed)
{
    return pyma_context_open_opts(st, ctx, backends, thread_prio, app_name, null_listed, NULL);
}

/* `opts`: a device's pyma_devopts (its context settings are applied last), or NULL. */
int
pyma_context_open_opts(pyma_state *st, ma_context *ctx, PyObject *backends, int thread_prio, const char *app_name,
                       int *null_listed, const void *opts)
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
    if (opts != NULL) {
        pyma_devopts_context((const pyma_devopts *)opts, &config);
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
PyObject *
pyma_list_devices(pyma_state *st, ma_context *ctx, PyThread_type_lock lock, ma_device_type type, int detailed)
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
 * of ma_device_id) or a name (a case-insensitive substring; an exact name wins).  GIL held.
 * Contract in _miniaudio.h. */
int
pyma_resolve_device_id(pyma_state *st, ma_context *ctx, PyThread_type_lock lock, ma_device_type type, PyObject *obj,
                       const char *argname, ma_device_id *id, int *has_id)
{
    PyObject *list = NULL, *names = NULL, *module = NULL, *found = NULL;
    Py_ssize_t i;
    int rc = -1;

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
        if (PyUnicode_CompareWithASCIIString(backend, ma_get_backend_name(ctx->backend)) != 0) {
            PyErr_Format(PyExc_ValueError, "%s: the device id belongs to the %U backend, but the device was opened "
                         "with %s (pass backends=[...] to choose the backend)",
                         argname, backend, ma_get_backend_name(ctx->backend));
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
    /* The name is matched in Python (miniaudio._enumeration._device_by_name), the one matcher that
     * the command line's --device uses too. */
    list = pyma_list_devices(st, ctx, lock, type, 0);
    names = list != NULL ? PyList_New(PyList_GET_SIZE(list)) : NULL;
    if (names == NULL) {
        goto done;
    }
    for (i = 0; i < PyList_GET_SIZE(list); i++) {
        PyList_SET_ITEM(names, i, Py_NewRef(PyTuple_GET_ITEM(PyList_GET_ITEM(list, i), 0)));
    }
    module = PyImport_ImportModule("miniaudio._enumeration");
    if (module == NULL) {
        goto done;
    }
    found = PyObject_CallMethod(module, "_device_by_name", "OOss", obj, names,
                                type == ma_device_type_playback ? "playback" : "capture", argname);
    if (found == NULL) {
        goto done;
    }
    i = PyLong_AsSsize_t(found);
    if (i == -1 && PyErr_Occurred()) {
        goto done;
    }
    if (i < 0 || i >= PyList_GET_SIZE(list)) {
        PyErr_Format(PyExc_RuntimeError, "_device_by_name returned %zd for %zd devices", i, PyList_GET_SIZE(list));
        goto done;
    }
    memcpy(id, PyBytes_AS_STRING(PyTuple_GET_ITEM(PyList_GET_ITEM(list, i), 1)), sizeof(*id));
    *has_id = 1;
    rc = 0;
done:
    Py_XDECREF(list);
    Py_XDECREF(names);
    Py_XDECREF(module);
    Py_XDECREF(found);
    return rc;
}

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
    if (pyma_context_open(st, &self->context, backends, thread_prio, self->app_name, NULL) < 0) {
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
    return pyma_list_devices(st, &self->context, self->lock, (ma_device_type)type, 1);
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

