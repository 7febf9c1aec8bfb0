/* module.c: the miniaudio._miniaudio module: state, multi-phase init, method table, and the
 * small library queries (version, backends, format names).
 *
 * All mutable state lives in the module state (pyma_state); the exception classes are created
 * here at exec time and re-exported by the public package.  Sub-interpreters are not supported
 * (devices will call into Python from audio threads through the PyGILState API).
 */
#include "_miniaudio.h"

PyDoc_STRVAR(lib_version_doc, "lib_version($module, /)\n--\n\nThe version of the embedded miniaudio C library.");

static PyObject *
lib_version(PyObject *module, PyObject *Py_UNUSED(ignored))
{
    (void)module;
    return PyUnicode_FromString(ma_version_string());
}

PyDoc_STRVAR(enabled_backends_doc,
             "enabled_backends($module, /)\n--\n\nThe ma_backend values compiled into this build, as a tuple of ints.");

static PyObject *
enabled_backends(PyObject *module, PyObject *Py_UNUSED(ignored))
{
    pyma_state *st = pyma_get_state(module);
    ma_backend backends[MA_BACKEND_COUNT];
    size_t count = 0;
    PyObject *result;
    ma_result r = ma_get_enabled_backends(backends, MA_BACKEND_COUNT, &count);

    if (pyma_check(st, r, PYMA_ERR_MINIAUDIO, "cannot list the enabled backends") < 0) {
        return NULL;
    }
    result = PyTuple_New((Py_ssize_t)count);
    if (result == NULL) {
        return NULL;
    }
    for (size_t i = 0; i < count; i++) {
        PyObject *item = PyLong_FromLong((long)backends[i]);
        if (item == NULL) {
            Py_DECREF(result);
            return NULL;
        }
        PyTuple_SET_ITEM(result, (Py_ssize_t)i, item);
    }
    return result;
}

/* Parses one Backend (0..MA_BACKEND_COUNT-1); -1 with an exception otherwise. */
static int
backend_arg(PyObject *arg, ma_backend *out)
{
    long value;
    if (pyma_arg(arg, PYMA_ARG_BACKEND, 1, "backend", &value) < 0) {
        return -1;
    }
    *out = (ma_backend)value;
    return 0;
}

PyDoc_STRVAR(is_backend_enabled_doc, "is_backend_enabled($module, backend, /)\n--\n\nWhether `backend` is compiled in.");

static PyObject *
is_backend_enabled(PyObject *module, PyObject *arg)
{
    ma_backend backend;
    (void)module;
    if (backend_arg(arg, &backend) < 0) {
        return NULL;
    }
    return PyBool_FromLong(ma_is_backend_enabled(backend));
}

PyDoc_STRVAR(is_loopback_supported_doc,
             "is_loopback_supported($module, backend, /)\n--\n\nWhether `backend` can capture what is played (loopback).");

static PyObject *
is_loopback_supported(PyObject *module, PyObject *arg)
{
    ma_backend backend;
    (void)module;
    if (backend_arg(arg, &backend) < 0) {
        return NULL;
    }
    return PyBool_FromLong(ma_is_loopback_supported(backend));
}

PyDoc_STRVAR(format_name_doc, "format_name($module, sample_format, /)\n--\n\nminiaudio's name of a sample format.");

static PyObject *
format_name(PyObject *module, PyObject *arg)
{
    long value;
    (void)module;
    if (pyma_arg(arg, PYMA_ARG_FORMAT, 1, "sample_format", &value) < 0) {
        return NULL;
    }
    return PyUnicode_FromString(ma_get_format_name((ma_format)value));
}

PyDoc_STRVAR(write_unraisable_doc,
             "_write_unraisable($module, exc, obj, /)\n--\n\nReport `exc` to sys.unraisablehook as ignored in `obj`.");

static PyObject *
write_unraisable(PyObject *module, PyObject *const *args, Py_ssize_t nargs)
{
    (void)module;
    if (nargs != 2 || !PyExceptionInstance_Check(args[0])) {
        PyErr_SetString(PyExc_TypeError, "_write_unraisable(exc, obj) takes an exception and an object");
        return NULL;
    }
    pyma_err_give(Py_NewRef(args[0]));
    PyErr_WriteUnraisable(args[1]);
    Py_RETURN_NONE;
}

static PyMethodDef module_methods[] = {
    {"_write_unraisable", (PyCFunction)(void (*)(void))write_unraisable, METH_FASTCALL, write_unraisable_doc},
    {"lib_version", lib_version, METH_NOARGS, lib_version_doc},
    {"enabled_backends", enabled_backends, METH_NOARGS, enabled_backends_doc},
    {"is_backend_enabled", is_backend_enabled, METH_O, is_backend_enabled_doc},
    {"is_loopback_supported", is_loopback_supported, METH_O, is_loopback_supported_doc},
    {"format_name", format_name, METH_O, format_name_doc},
    {"get_info", (PyCFunction)(void (*)(void))pyma_get_info, METH_VARARGS | METH_KEYWORDS, pyma_get_info_doc},
    {"decode", (PyCFunction)(void (*)(void))pyma_decode, METH_VARARGS | METH_KEYWORDS, pyma_decode_doc},
    {"stream", (PyCFunction)(void (*)(void))pyma_stream, METH_VARARGS | METH_KEYWORDS, pyma_stream_doc},
    {"stream_raw", (PyCFunction)(void (*)(void))pyma_stream_raw, METH_VARARGS | METH_KEYWORDS, pyma_stream_raw_doc},
    {"chain", (PyCFunction)(void (*)(void))pyma_chain, METH_VARARGS | METH_KEYWORDS, pyma_chain_doc},
    {"_preload_stream", (PyCFunction)pyma_preload_stream, METH_VARARGS, pyma_preload_stream_doc},
    {"_stream_endless", (PyCFunction)pyma_stream_endless, METH_O, pyma_stream_endless_doc},
    {"_samples_to_format", (PyCFunction)pyma_samples_to_format, METH_VARARGS, pyma_samples_to_format_doc},
    {"_sf_to_pcm", (PyCFunction)pyma_sf_to_pcm, METH_VARARGS, pyma_sf_to_pcm_doc},
    {"_queue_stream", (PyCFunction)pyma_queue_stream, METH_VARARGS, pyma_queue_stream_doc},
    {"_queue_write", (PyCFunction)pyma_queue_write, METH_VARARGS, pyma_queue_write_doc},
    {"_queue_info", (PyCFunction)pyma_queue_info, METH_VARARGS, pyma_queue_info_doc},
    {"_next_events", (PyCFunction)pyma_next_events, METH_NOARGS, pyma_next_events_doc},
    {"convert_frames", (PyCFunction)(void (*)(void))pyma_convert_frames, METH_VARARGS | METH_KEYWORDS,
     pyma_convert_frames_doc},
    {"convert_sample_format", (PyCFunction)(void (*)(void))pyma_convert_sample_format, METH_VARARGS | METH_KEYWORDS,
     pyma_convert_sample_format_doc},
    {"_wav_header", (PyCFunction)(void (*)(void))pyma_wav_header, METH_VARARGS | METH_KEYWORDS, pyma_wav_header_doc},
    {"read_tags", (PyCFunction)(void (*)(void))pyma_read_tags, METH_VARARGS | METH_KEYWORDS, pyma_read_tags_doc},
    {NULL, NULL, 0, NULL},
};

/* A new exception class `miniaudio.<name>` with class attributes result = result_name = None. */
static PyObject *
new_error_class(const char *name, const char *doc, PyObject *base)
{
    PyObject *dict = Py_BuildValue("{sOsO}", "result", Py_None, "result_name", Py_None);
    PyObject *cls;
    if (dict == NULL) {
        return NULL;
    }
    cls = PyErr_NewExceptionWithDoc(name, doc, base, dict);
    Py_DECREF(dict);
    return cls;
}

static int
module_exec(PyObject *module)
{
    pyma_state *st = pyma_get_state(module);
    PyObject *array_module;

    st->MiniaudioError = new_error_class("miniaudio.MiniaudioError",
                                         "An operation of the miniaudio library failed; the base class of the "
                                         "package's own exceptions.\n\n"
                                         "The message says what failed and why.  When miniaudio reported the "
                                         "failure, args is (message, result), as in 1.71, and str() is the "
                                         "message alone.\n\n"
                                         "Attributes:\n"
                                         "    result (int or None): miniaudio's result code, e.g. -10.\n"
                                         "    result_name (str or None): The name of the code, e.g. "
                                         "'MA_INVALID_FILE'.\n",
                                         NULL);
    if (st->MiniaudioError == NULL || pyma_install_error_str(st->MiniaudioError) < 0 ||
        PyModule_AddObjectRef(module, "MiniaudioError", st->MiniaudioError) < 0) {
        return -1;
    }
    st->DecodeError =
        new_error_class("miniaudio.DecodeError",
                        "Audio could not be decoded: not WAV, FLAC, MP3 or Ogg Vorbis, damaged, or the\n"
                        "source's read() or seek() failed (that exception is then the __cause__).",
                        st->MiniaudioError);
    if (st->DecodeError == NULL || PyModule_AddObjectRef(module, "DecodeError", st->DecodeError) < 0) {
        return -1;
    }
    st->OutputTooLargeError =
        new_error_class("miniaudio.OutputTooLargeError",
                        "Decoding into memory would give more output than the bound allows.\n\n"
                        "decode(), decode_file(), read_file() and the per-format *_read_* functions refuse\n"
                        "to produce more than max_output_bytes bytes of samples (by default the larger of\n"
                        "64 MiB and 4096 times the input's size), so that a few kilobytes of input cannot\n"
                        "demand gigabytes.  Pass a larger max_output_bytes (sys.maxsize for no bound) or\n"
                        "stream the file instead.  A subclass of DecodeError.",
                        st->DecodeError);
    if (st->OutputTooLargeError == NULL ||
        PyModule_AddObjectRef(module, "OutputTooLargeError", st->OutputTooLargeError) < 0) {
        return -1;
    }
    array_module = PyImport_ImportModule("array");
    if (array_module == NULL) {
        return -1;
    }
    st->array_type = PyObject_GetAttrString(array_module, "array");
    Py_DECREF(array_module);
    if (st->array_type == NULL) {
        return -1;
    }
    static const char zeros[8] = {0};
    for (int f = ma_format_u8; f <= ma_format_f32; f++) {
        const pyma_format_info *info = pyma_format_info_get((ma_format)f);
        PyObject **slot;
        if (info->typecode == '\0') {
            continue; /* no array.array type */
        }
        slot = &st->zero_items[pyma_zero_item_index(info->typecode)];
        *slot = PyObject_CallFunction(st->array_type, "Cy#", (int)info->typecode, zeros, (Py_ssize_t)info->width);
        if (*slot == NULL) {
            return -1;
        }
    }
    st->stream_type = (PyTypeObject *)PyType_FromModuleAndSpec(module, &pyma_stream_spec, NULL);
    if (st->stream_type == NULL || PyModule_AddType(module, st->stream_type) < 0) {
        return -1;
    }
    /* The generators: DecoderStreams of their own types (gen.c). */
    {
        PyType_Spec *gens[3] = {&pyma_waveform_spec, &pyma_pulsewave_spec, &pyma_noise_spec};
        for (int i = 0; i < 3; i++) {
            PyObject *tp = PyType_FromModuleAndSpec(module, gens[i], (PyObject *)st->stream_type);
            if (tp == NULL || PyModule_AddType(module, (PyTypeObject *)tp) < 0) {
                Py_XDECREF(tp);
                return -1;
            }
            Py_DECREF(tp); /* the module holds it */
        }
    }
    /* Playlist (chain.c): the DecoderStream of chain() and Playlist(). */
    st->playlist_type = (PyTypeObject *)PyType_FromModuleAndSpec(module, &pyma_playlist_spec,
                                                                 (PyObject *)st->stream_type);
    if (st->playlist_type == NULL || PyModule_AddType(module, st->playlist_type) < 0) {
        return -1;
    }
    /* _Converter (converter.c): the streaming converter. */
    st->converter_type = (PyTypeObject *)PyType_FromModuleAndSpec(module, &pyma_converter_spec, NULL);
    if (st->converter_type == NULL || PyModule_AddType(module, st->converter_type) < 0) {
        return -1;
    }
    st->device_type = (PyTypeObject *)PyType_FromModuleAndSpec(module, &pyma_device_spec, NULL);
    if (st->device_type == NULL || PyModule_AddType(module, st->device_type) < 0) {
        return -1;
    }
    st->context_type = (PyTypeObject *)PyType_FromModuleAndSpec(module, &pyma_context_spec, NULL);
    if (st->context_type == NULL || PyModule_AddType(module, st->context_type) < 0) {
        return -1;
    }
    /* Processor (dsp.c): the base of the DSP processors, subclassed by the package. */
    st->processor_type = (PyTypeObject *)PyType_FromModuleAndSpec(module, &pyma_processor_spec, NULL);
    if (st->processor_type == NULL || PyModule_AddType(module, st->processor_type) < 0) {
        return -1;
    }
    /* _WavWriter (wavwrite.c): the one WAV writer. */
    {
        PyObject *tp = PyType_FromModuleAndSpec(module, &pyma_wavwriter_spec, NULL);
        if (tp == NULL || PyModule_AddType(module, (PyTypeObject *)tp) < 0) {
            Py_XDECREF(tp);
            return -1;
        }
        Py_DECREF(tp);
    }
    /* _Mixer and _Voice (mixer.c, voice.c): subclassed by the package's Mixer and Voice. */
    st->voice_type = (PyTypeObject *)PyType_FromModuleAndSpec(module, &pyma_voice_spec, NULL);
    if (st->voice_type == NULL || PyModule_AddType(module, st->voice_type) < 0) {
        return -1;
    }
    st->group_type = (PyTypeObject *)PyType_FromModuleAndSpec(module, &pyma_group_spec, NULL);
    if (st->group_type == NULL || PyModule_AddType(module, st->group_type) < 0) {
        return -1;
    }
    {
        PyObject *tp = PyType_FromModuleAndSpec(module, &pyma_mixer_spec, NULL);
        if (tp == NULL || PyModule_AddType(module, (PyTypeObject *)tp) < 0) {
            Py_XDECREF(tp);
            return -1;
        }
        Py_DECREF(tp);
    }
    if (pyma_pycallback_init(module, st) < 0) {
        return -1;
    }
    if (pyma_events_init(st) < 0) {
        return -1;
    }
    PyObject *formats = pyma_sample_formats_object();
    if (formats == NULL || PyModule_AddObjectRef(module, "SAMPLE_FORMATS", formats) < 0) {
        Py_XDECREF(formats);
        return -1;
    }
    Py_DECREF(formats);
    if (PyModule_AddIntConstant(module, "MAX_CHANNELS", MA_MAX_CHANNELS) < 0 ||
        PyModule_AddIntConstant(module, "MAX_SAMPLE_RATE", PYMA_MAX_SAMPLE_RATE) < 0 ||
        PyModule_AddIntConstant(module, "MAX_FILTER_ORDER", MA_MAX_FILTER_ORDER) < 0) {
        return -1;
    }
    return 0;
}

static int
module_traverse(PyObject *module, visitproc visit, void *arg)
{
    pyma_state *st = pyma_get_state(module);
    Py_VISIT(st->MiniaudioError);
    Py_VISIT(st->DecodeError);
    Py_VISIT(st->OutputTooLargeError);
    Py_VISIT(st->array_type);
    Py_VISIT(st->stream_type);
    Py_VISIT(st->device_type);
    Py_VISIT(st->context_type);
    Py_VISIT(st->playlist_type);
    Py_VISIT(st->period_buffer_type);
    Py_VISIT(st->runner_type);
    Py_VISIT(st->callback_time_type);
    Py_VISIT(st->processor_type);
    Py_VISIT(st->voice_type);
    Py_VISIT(st->group_type);
    Py_VISIT(st->converter_type);
    Py_VISIT(st->ev_deferred);
    for (int i = 0; i < 4; i++) {
        Py_VISIT(st->zero_items[i]);
    }
    return 0;
}

static int
module_clear(PyObject *module)
{
    pyma_state *st = pyma_get_state(module);
    Py_CLEAR(st->MiniaudioError);
    Py_CLEAR(st->DecodeError);
    Py_CLEAR(st->OutputTooLargeError);
    Py_CLEAR(st->array_type);
    Py_CLEAR(st->stream_type);
    Py_CLEAR(st->device_type);
    Py_CLEAR(st->context_type);
    Py_CLEAR(st->playlist_type);
    Py_CLEAR(st->period_buffer_type);
    Py_CLEAR(st->runner_type);
    Py_CLEAR(st->callback_time_type);
    Py_CLEAR(st->processor_type);
    Py_CLEAR(st->voice_type);
    Py_CLEAR(st->group_type);
    Py_CLEAR(st->converter_type);
    Py_CLEAR(st->ev_deferred);
    for (int i = 0; i < 4; i++) {
        Py_CLEAR(st->zero_items[i]);
    }
    return 0;
}

static void
module_free(void *module)
{
    module_clear((PyObject *)module);
    pyma_events_free(pyma_get_state((PyObject *)module));
}

static PyModuleDef_Slot module_slots[] = {
    {Py_mod_exec, module_exec},
#if PY_VERSION_HEX >= 0x030C0000
    {Py_mod_multiple_interpreters, Py_MOD_MULTIPLE_INTERPRETERS_NOT_SUPPORTED},
#endif
    {0, NULL},
};

static struct PyModuleDef module_def = {
    PyModuleDef_HEAD_INIT,
    .m_name = "miniaudio._miniaudio",
    .m_doc = "The C core of the miniaudio package (private: use the `miniaudio` package).",
    .m_size = sizeof(pyma_state),
    .m_methods = module_methods,
    .m_slots = module_slots,
    .m_traverse = module_traverse,
    .m_clear = module_clear,
    .m_free = module_free,
};

PyMODINIT_FUNC
PyInit__miniaudio(void)
{
    return PyModuleDef_Init(&module_def);
}
