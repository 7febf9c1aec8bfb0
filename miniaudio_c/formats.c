/* formats.c: the sample-format table and the argument checks shared by every entry point.
 *
 * Every value a user passes (formats, channel counts, rates, enums, paths, buffers) is checked
 * here before it reaches miniaudio, and a bad one raises an exception that names the argument
 * and the value.  Only static const tables; no state.
 */
#include "_miniaudio.h"


/* The one sample-format table: C reads it through pyma_format_info_get, Python through
 * _miniaudio.SAMPLE_FORMATS (pyma_sample_formats_object). */
static const pyma_format_info format_table[] = {
    {ma_format_u8, 1, 'B', "uint8", "B"},
    {ma_format_s16, 2, 'h', "int16", "h"},
    {ma_format_s24, 3, '\0', NULL, ""}, /* neither array.array nor numpy has a 3-byte type */
    {ma_format_s32, 4, 'i', "int32", "il"},
    {ma_format_f32, 4, 'f', "float32", "f"},
};

#define FORMAT_COUNT (sizeof(format_table) / sizeof(format_table[0]))

const pyma_format_info *
pyma_format_info_get(ma_format format)
{
    for (size_t i = 0; i < FORMAT_COUNT; i++) {
        if (format_table[i].format == format) {
            return &format_table[i];
        }
    }
    return NULL;
}

PyObject *
pyma_sample_formats_object(void)
{
    PyObject *table = PyDict_New(), *key = NULL, *row = NULL;

    if (table == NULL) {
        return NULL;
    }
    for (size_t i = 0; i < FORMAT_COUNT; i++) {
        const pyma_format_info *f = &format_table[i];
        key = PyLong_FromLong((long)f->format);
        if (f->typecode != '\0') {
            row = Py_BuildValue("(iCss)", f->width, (int)f->typecode, f->dtype, f->item_codes);
        }
        else {
            row = Py_BuildValue("(iOOs)", f->width, Py_None, Py_None, f->item_codes);
        }
        if (key == NULL || row == NULL || PyDict_SetItem(table, key, row) < 0) {
            Py_XDECREF(key);
            Py_XDECREF(row);
            Py_DECREF(table);
            return NULL;
        }
        Py_DECREF(key);
        Py_DECREF(row);
    }
    Py_SETREF(table, PyDictProxy_New(table)); /* read-only: every user shares it */
    return table;
}

typedef struct {
    long lo, hi;
    const char *what; /* completes "<argname> must be ..." */
    int is_enum;      /* an enum member (its .value) is accepted; counts take ints only */
} arg_range;

static const arg_range arg_ranges[] = {
    [PYMA_ARG_FORMAT] = {ma_format_u8, ma_format_f32,
                         "a SampleFormat (UNSIGNED8, SIGNED16, SIGNED24, SIGNED32 or FLOAT32)", 1},
    [PYMA_ARG_CHANNELS] = {1, MA_MAX_CHANNELS, "a channel count from 1 to 254", 0},
    [PYMA_ARG_SAMPLE_RATE] = {1, PYMA_MAX_SAMPLE_RATE, "a sample rate from 1 to 384000 Hz", 0},
    [PYMA_ARG_DITHER] = {ma_dither_mode_none, ma_dither_mode_triangle, "a DitherMode (NONE, RECTANGLE or TRIANGLE)",
                         1},
    [PYMA_ARG_CHANNEL_MIX] = {ma_channel_mix_mode_rectangular, ma_channel_mix_mode_simple,
                              "a ChannelMixMode (RECTANGULAR or SIMPLE)", 1},
    [PYMA_ARG_LPF_ORDER] = {0, MA_MAX_FILTER_ORDER, "a resampler filter order from 0 to 8", 0},
    [PYMA_ARG_ENCODING] = {ma_encoding_format_unknown, ma_encoding_format_vorbis, "a FileFormat", 1},
    [PYMA_ARG_BACKEND] = {ma_backend_wasapi, ma_backend_null, "a Backend", 1},
};

int
pyma_arg(PyObject *obj, pyma_argkind kind, int allow_zero, const char *argname, long *out)
{
    const arg_range *range = &arg_ranges[kind];
    PyObject *number = NULL;
    int overflow = 0;
    long value;

    if (obj == NULL) {
        return 0;
    }
    if (PyLong_Check(obj) && !PyBool_Check(obj)) {
        number = Py_NewRef(obj);
    }
    else if (range->is_enum && !PyBool_Check(obj) && !PyFloat_Check(obj) && PyObject_HasAttrString(obj, "value")) {
        number = PyObject_GetAttrString(obj, "value"); /* an enum member: SampleFormat.SIGNED16, ... */
        if (number == NULL) {
            return -1;
        }
    }
    else if (!range->is_enum && !PyBool_Check(obj) && PyIndex_Check(obj)) {
        number = PyNumber_Index(obj); /* numpy integers and the like; never an enum member */
        if (number == NULL) {
            return -1;
        }
    }
    if (number == NULL || !PyLong_Check(number)) {
        Py_XDECREF(number);
        PyErr_Format(PyExc_TypeError, "%s must be %s, not %.200s", argname, range->what, Py_TYPE(obj)->tp_name);
        return -1;
    }
    value = PyLong_AsLongAndOverflow(number, &overflow);
    Py_DECREF(number);
    if (value == -1 && PyErr_Occurred()) {
        return -1;
    }
    if (overflow != 0) {
        PyErr_Format(PyExc_ValueError, "%s must be %s, not %R", argname, range->what, obj);
        return -1;
    }
    if ((value < range->lo || value > range->hi) && !(allow_zero && value == 0)) {
        PyErr_Format(PyExc_ValueError, "%s must be %s, not %ld", argname, range->what, value);
        return -1;
    }
    *out = value;
    return 0;
}

int
pyma_path_converter(PyObject *obj, void *out)
{
    /* PyUnicode_FSConverter handles str, bytes and os.PathLike, rejects embedded NULs, and
     * supports the cleanup call (obj == NULL) itself. */
    if (obj != NULL && !PyUnicode_Check(obj) && !PyBytes_Check(obj) && !PyObject_HasAttrString(obj, "__fspath__")) {
        PyErr_Format(PyExc_TypeError, "filename must be str, bytes or os.PathLike, not %.200s", Py_TYPE(obj)->tp_name);
        return 0;
    }
    return PyUnicode_FSConverter(obj, out);
}

int
pyma_get_read_buffer(PyObject *obj, Py_buffer *view, const char *argname)
{
    if (!PyObject_CheckBuffer(obj)) {
        PyErr_Format(PyExc_TypeError,
                     "%s must be a bytes-like object (bytes, bytearray, memoryview, array.array, numpy "
                     "array), not %.200s",
                     argname, Py_TYPE(obj)->tp_name);
        return -1;
    }
    if (PyObject_GetBuffer(obj, view, PyBUF_C_CONTIGUOUS) < 0) {
        if (PyErr_ExceptionMatches(PyExc_BufferError)) {
            PyErr_Clear();
            PyErr_Format(PyExc_ValueError, "%s must be a C-contiguous buffer", argname);
        }
        return -1;
    }
    return 0;
}
