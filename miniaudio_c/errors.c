/* errors.c: the one place where a miniaudio ma_result becomes a Python exception.
 *
 * A table maps each result code to its name and to the kind of Python exception it means:
 * OS-level results (missing file, permission, ...) become the matching OSError subclass,
 * MA_OUT_OF_MEMORY becomes MemoryError, everything else MiniaudioError or DecodeError.
 * The message is "<what> (<MA_NAME>: <miniaudio's description>)"; the code is kept on the
 * exception as `result` and its name as `result_name`.  MiniaudioError and DecodeError get 1.71's
 * two-item args, (message, code), so that e.args[1] is the code as it was there; their __str__
 * (error_str) then gives the message alone.  OutputTooLargeError (our own output
 * bound, not a miniaudio result) has its own message, built by pyma_raise_output_too_large.
 */
#include "_miniaudio.h"

#include <errno.h>
#include <stdarg.h>

typedef struct {
    ma_result code;
    const char *name;
    int os_errno; /* 0: not an OS-level error */
} result_row;

#define ROW(code, err) {code, #code, err}

static const result_row result_table[] = {
    ROW(MA_SUCCESS, 0),
    ROW(MA_ERROR, 0),
    ROW(MA_INVALID_ARGS, 0),
    ROW(MA_INVALID_OPERATION, 0),
    ROW(MA_OUT_OF_MEMORY, 0),
    ROW(MA_OUT_OF_RANGE, 0),
    ROW(MA_ACCESS_DENIED, EACCES),
    ROW(MA_DOES_NOT_EXIST, ENOENT),
    ROW(MA_ALREADY_EXISTS, EEXIST),
    ROW(MA_TOO_MANY_OPEN_FILES, EMFILE),
    ROW(MA_INVALID_FILE, 0),
    ROW(MA_TOO_BIG, 0),
    ROW(MA_PATH_TOO_LONG, ENAMETOOLONG),
    ROW(MA_NAME_TOO_LONG, ENAMETOOLONG),
    ROW(MA_NOT_DIRECTORY, ENOTDIR),
    ROW(MA_IS_DIRECTORY, EISDIR),
    ROW(MA_DIRECTORY_NOT_EMPTY, 0),
    ROW(MA_AT_END, 0),
    ROW(MA_NO_SPACE, ENOSPC),
    ROW(MA_BUSY, 0),
    ROW(MA_IO_ERROR, EIO),
    ROW(MA_INTERRUPT, 0),
    ROW(MA_UNAVAILABLE, 0),
    ROW(MA_ALREADY_IN_USE, 0),
    ROW(MA_BAD_ADDRESS, 0),
    ROW(MA_BAD_SEEK, 0),
    ROW(MA_BAD_PIPE, 0),
    ROW(MA_DEADLOCK, 0),
    ROW(MA_TOO_MANY_LINKS, 0),
    ROW(MA_NOT_IMPLEMENTED, 0),
    ROW(MA_NO_MESSAGE, 0),
    ROW(MA_BAD_MESSAGE, 0),
    ROW(MA_NO_DATA_AVAILABLE, 0),
    ROW(MA_INVALID_DATA, 0),
    ROW(MA_TIMEOUT, 0),
    ROW(MA_NO_NETWORK, 0),
    ROW(MA_NOT_UNIQUE, 0),
    ROW(MA_NOT_SOCKET, 0),
    ROW(MA_NO_ADDRESS, 0),
    ROW(MA_BAD_PROTOCOL, 0),
    ROW(MA_PROTOCOL_UNAVAILABLE, 0),
    ROW(MA_PROTOCOL_NOT_SUPPORTED, 0),
    ROW(MA_PROTOCOL_FAMILY_NOT_SUPPORTED, 0),
    ROW(MA_ADDRESS_FAMILY_NOT_SUPPORTED, 0),
    ROW(MA_SOCKET_NOT_SUPPORTED, 0),
    ROW(MA_CONNECTION_RESET, 0),
    ROW(MA_ALREADY_CONNECTED, 0),
    ROW(MA_NOT_CONNECTED, 0),
    ROW(MA_CONNECTION_REFUSED, 0),
    ROW(MA_NO_HOST, 0),
    ROW(MA_IN_PROGRESS, 0),
    ROW(MA_CANCELLED, 0),
    ROW(MA_MEMORY_ALREADY_MAPPED, 0),
    ROW(MA_CRC_MISMATCH, 0),
    ROW(MA_FORMAT_NOT_SUPPORTED, 0),
    ROW(MA_DEVICE_TYPE_NOT_SUPPORTED, 0),
    ROW(MA_SHARE_MODE_NOT_SUPPORTED, 0),
    ROW(MA_NO_BACKEND, 0),
    ROW(MA_NO_DEVICE, 0),
    ROW(MA_API_NOT_FOUND, 0),
    ROW(MA_INVALID_DEVICE_CONFIG, 0),
    ROW(MA_LOOP, 0),
    ROW(MA_BACKEND_NOT_ENABLED, 0),
    ROW(MA_DEVICE_NOT_INITIALIZED, 0),
    ROW(MA_DEVICE_ALREADY_INITIALIZED, 0),
    ROW(MA_DEVICE_NOT_STARTED, 0),
    ROW(MA_DEVICE_NOT_STOPPED, 0),
    ROW(MA_FAILED_TO_INIT_BACKEND, 0),
    ROW(MA_FAILED_TO_OPEN_BACKEND_DEVICE, 0),
    ROW(MA_FAILED_TO_START_BACKEND_DEVICE, 0),
    ROW(MA_FAILED_TO_STOP_BACKEND_DEVICE, 0),
};

#undef ROW

static const result_row *
find_row(ma_result r)
{
    for (size_t i = 0; i < sizeof(result_table) / sizeof(result_table[0]); i++) {
        if (result_table[i].code == r) {
            return &result_table[i];
        }
    }
    return NULL;
}

const char *
pyma_result_name(ma_result r)
{
    const result_row *row = find_row(r);
    return row != NULL ? row->name : "MA_ERROR";
}

int
pyma_raise(pyma_state *st, ma_result r, pyma_errkind kind, const char *what, ...)
{
    PyObject *prefix = NULL, *message = NULL, *exc = NULL, *value = NULL;
    const result_row *row = find_row(r);
    const char *name = row != NULL ? row->name : "MA_ERROR";
    va_list vargs;

    va_start(vargs, what);
    prefix = PyUnicode_FromFormatV(what, vargs);
    va_end(vargs);
    if (prefix == NULL) {
        goto error;
    }
    message = PyUnicode_FromFormat("%U (%s: %s)", prefix, name, ma_result_description(r));
    if (message == NULL) {
        goto error;
    }
    if (r == MA_OUT_OF_MEMORY) {
        PyErr_SetObject(PyExc_MemoryError, message);
        goto error;
    }
    if (row != NULL && row->os_errno != 0) {
        /* OSError(errno, strerror) picks the subclass (FileNotFoundError, ...) from errno. */
        exc = PyObject_CallFunction(PyExc_OSError, "iO", row->os_errno, message);
    }
    else {
        /* 1.71 raised e.g. DecodeError("failed to decode data", result): keep that args shape. */
        exc = PyObject_CallFunction(kind == PYMA_ERR_DECODE ? st->DecodeError : st->MiniaudioError, "Oi", message,
                                    (int)r);
    }
    if (exc == NULL) {
        goto error;
    }
    value = PyLong_FromLong((long)r);
    if (value == NULL || PyObject_SetAttrString(exc, "result", value) < 0) {
        goto error;
    }
    Py_SETREF(value, PyUnicode_FromString(name));
    if (value == NULL || PyObject_SetAttrString(exc, "result_name", value) < 0) {
        goto error;
    }
    PyErr_SetObject((PyObject *)Py_TYPE(exc), exc);
error:
    Py_XDECREF(prefix);
    Py_XDECREF(message);
    Py_XDECREF(exc);
    Py_XDECREF(value);
    return -1;
}

/* MiniaudioError.__str__: args[0] alone when args is (message, code) and the code is the
 * exception's `result` (as pyma_raise makes them); else what the next class in the MRO gives
 * (a user's MiniaudioError("x", 5) reads as in 1.71, an IceCastError like an OSError). */
static PyObject *
error_str(PyObject *self, PyTypeObject *defining_class, PyObject *const *args, Py_ssize_t nargs, PyObject *kwnames)
{
    PyObject *eargs = NULL, *result = NULL, *super = NULL, *out = NULL;

    (void)args;
    if (nargs != 0 || (kwnames != NULL && PyTuple_GET_SIZE(kwnames) != 0)) {
        PyErr_SetString(PyExc_TypeError, "__str__() takes no arguments");
        return NULL;
    }
    eargs = PyObject_GetAttrString(self, "args");
    if (eargs == NULL) {
        goto exit;
    }
    if (PyTuple_Check(eargs) && PyTuple_GET_SIZE(eargs) == 2 && PyUnicode_Check(PyTuple_GET_ITEM(eargs, 0))) {
        result = PyObject_GetAttrString(self, "result");
        if (result == NULL) {
            goto exit;
        }
        if (PyLong_CheckExact(result) && PyLong_CheckExact(PyTuple_GET_ITEM(eargs, 1))) {
            int same = PyObject_RichCompareBool(PyTuple_GET_ITEM(eargs, 1), result, Py_EQ);
            if (same < 0) {
                goto exit;
            }
            if (same) {
                out = Py_NewRef(PyTuple_GET_ITEM(eargs, 0));
                goto exit;
            }
        }
    }
    super = PyObject_CallFunction((PyObject *)&PySuper_Type, "OO", (PyObject *)defining_class, self);
    if (super != NULL) {
        out = PyObject_CallMethod(super, "__str__", NULL);
    }
exit:
    Py_XDECREF(eargs);
    Py_XDECREF(result);
    Py_XDECREF(super);
    return out;
}

/* A method table for one descriptor; PyDescr_NewMethod keeps a pointer to it (never written). */
static PyMethodDef error_str_def = {
    "__str__", (PyCFunction)(void (*)(void))error_str, METH_METHOD | METH_FASTCALL | METH_KEYWORDS,
    PyDoc_STR("The message alone when the package raised the exception with args (message, code).")};

int
pyma_install_error_str(PyObject *cls)
{
    PyObject *descr = PyDescr_NewMethod((PyTypeObject *)cls, &error_str_def);
    int rc;
    if (descr == NULL) {
        return -1;
    }
    rc = PyObject_SetAttrString(cls, "__str__", descr); /* a heap type: this also sets tp_str */
    Py_DECREF(descr);
    return rc;
}

/* Writes v with a comma between groups of three digits ("705,600,000") into buf (>= 32 bytes). */
static void
group_digits(ma_uint64 v, char *buf)
{
    char digits[24];
    int n = snprintf(digits, sizeof(digits), "%llu", (unsigned long long)v), j = 0;
    for (int i = 0; i < n; i++) {
        if (i > 0 && (n - i) % 3 == 0) {
            buf[j++] = ',';
        }
        buf[j++] = digits[i];
    }
    buf[j] = '\0';
}

int
pyma_raise_output_too_large(pyma_state *st, PyObject *name, ma_uint64 output_bytes, ma_uint64 declared_frames,
                            ma_uint64 input_bytes, ma_uint64 limit)
{
    char out_s[32], in_s[32], limit_s[32], frames_s[32];
    PyObject *input = NULL;

    group_digits(output_bytes, out_s);
    group_digits(input_bytes, in_s);
    group_digits(limit, limit_s);
    group_digits(declared_frames, frames_s);
    if (name != NULL) {
        input = PyUnicode_FromFormat("the %s-byte file %R", in_s, name);
    }
    else {
        input = PyUnicode_FromFormat("a %s-byte input", in_s);
    }
    if (input == NULL) {
        return -1;
    }
    if (declared_frames != 0) {
        PyErr_Format(st->OutputTooLargeError,
                     "decoding would produce %s bytes (%s frames, by the length the input declares) from %U, above "
                     "the limit of %s bytes (pass max_output_bytes= to raise it)",
                     out_s, frames_s, input, limit_s);
    }
    else {
        PyErr_Format(st->OutputTooLargeError,
                     "decoding would produce at least %s bytes from %U, above the limit of %s bytes (pass "
                     "max_output_bytes= to raise it)",
                     out_s, input, limit_s);
    }
    Py_DECREF(input);
    return -1;
}
