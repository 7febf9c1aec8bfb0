/* source.c: where a decoder's bytes come from: a file path, a buffer, or a Python object with
 * read() and seek() (stream_any).
 *
 * Paths and buffers are decoded entirely in C with the GIL released.  A Python source is called
 * from the decoder's read/seek callbacks, which take the GIL just around the call (the decoder
 * runs with the GIL released).  An exception raised by the source is kept on the pyma_source and
 * re-raised by the caller as DecodeError with the original as __cause__; it is never printed or
 * lost, and the source is not called again after it.
 */
#include "_miniaudio.h"

#include <errno.h>
#include <sys/stat.h>

/* ---- Python sources: the decoder's callbacks ----------------------------------------------- */

/* Keeps the first exception raised while serving the decoder; GIL held, an exception set. */
static void
keep_callback_error(pyma_source *src)
{
    PyObject *exc = pyma_err_take();
    if (src->callback_error == NULL) {
        src->callback_error = exc;
        /* 1.71 kept it on the source too; ignore sources that refuse the attribute. */
        if (PyObject_SetAttrString(src->pysource, "error_in_readcallback", exc) < 0) {
            PyErr_Clear();
        }
    }
    else {
        Py_DECREF(exc);
    }
}

/* ma_decoder read callback: called by the decoder with the GIL released (or held: both work). */
static ma_result
pysource_read(ma_decoder *decoder, void *out, size_t size, size_t *bytes_read)
{
    pyma_source *src = decoder->pUserData;
    PyGILState_STATE gil;
    PyObject *data = NULL;
    Py_buffer view = {0};
    ma_result r = MA_IO_ERROR;

    *bytes_read = 0;
    if (src->callback_error != NULL || size == 0) {
        return src->callback_error != NULL ? MA_IO_ERROR : MA_SUCCESS;
    }
    gil = PyGILState_Ensure();
    data = PyObject_CallMethod(src->pysource, "read", "n", (Py_ssize_t)(size > PY_SSIZE_T_MAX ? PY_SSIZE_T_MAX : size));
    if (data == NULL) {
        goto error;
    }
    if (!PyObject_CheckBuffer(data)) {
        PyErr_Format(PyExc_TypeError, "the source's read() must return a bytes-like object, not %.200s",
                     Py_TYPE(data)->tp_name);
        goto error;
    }
    if (PyObject_GetBuffer(data, &view, PyBUF_C_CONTIGUOUS) < 0) {
        goto error;
    }
    if ((size_t)view.len > size) {
        PyErr_Format(PyExc_ValueError, "the source's read(%zu) returned %zd bytes, more than asked for", size, view.len);
        goto error;
    }
    memcpy(out, view.buf, (size_t)view.len);
    *bytes_read = (size_t)view.len;
    r = view.len > 0 ? MA_SUCCESS : MA_AT_END;
    goto exit;
error:
    keep_callback_error(src);
exit:
    if (view.obj != NULL) {
        PyBuffer_Release(&view);
    }
    Py_XDECREF(data);
    PyGILState_Release(gil);
    return r;
}

/* Skips `count` bytes of a source that cannot seek by reading them (GIL held).  0 on success,
 * -1 with an exception set; reaching the end early is not an error (the decoder will see it). */
static int
pysource_skip(pyma_source *src, ma_int64 count)
{
    while (count > 0) {
        Py_ssize_t want = count > 65536 ? 65536 : (Py_ssize_t)count;
        PyObject *data = PyObject_CallMethod(src->pysource, "read", "n", want);
        Py_ssize_t got;
        if (data == NULL) {
            return -1;
        }
        got = PyObject_Length(data);
        Py_DECREF(data);
        if (got < 0) {
            return -1;
        }
        if (got == 0 || got > want) {
            break;
        }
        count -= got;
    }
    return 0;
}

/* ma_decoder seek callback.  A source whose seek() returns False (cannot seek) still reports
 * success, as in 1.71; forward seeks from the current position are done by reading and
 * discarding, so decoders that skip tags or metadata work on unseekable streams too. */
static ma_result
pysource_seek(ma_decoder *decoder, ma_int64 offset, ma_seek_origin origin)
{
    pyma_source *src = decoder->pUserData;
    PyGILState_STATE gil;
    PyObject *result;
    ma_result r = MA_SUCCESS;

    if (src->callback_error != NULL) {
        return MA_BAD_SEEK;
    }
    if (offset == 0 && origin == ma_seek_origin_current) {
        return MA_SUCCESS;
    }
    if ((int)origin < 0 || (int)origin > 2) {
        return MA_INVALID_ARGS;
    }
    gil = PyGILState_Ensure();
    result = PyObject_CallMethod(src->pysource, "seek", "LO", (long long)offset,
                                 PyTuple_GET_ITEM(src->seek_origins, (Py_ssize_t)origin));
    if (result != NULL && origin == ma_seek_origin_current && offset > 0) {
        int done = PyObject_IsTrue(result);
        if (done < 0 || (done == 0 && pysource_skip(src, offset) < 0)) {
            Py_CLEAR(result);
        }
    }
    if (result == NULL) {
        keep_callback_error(src);
        r = MA_BAD_SEEK;
    }
    Py_XDECREF(result);
    PyGILState_Release(gil);
    return r;
}

/* ---- taking, opening and releasing sources ------------------------------------------------- */

/* Indexed by ma_encoding_format: what a source failed to be. */
static const char *const encoding_names[] = {"WAV, FLAC, MP3 or Ogg Vorbis", "WAV", "FLAC", "MP3", "Ogg Vorbis"};

/* Whether a failed decoder init is about the file system rather than the data. */
static int
is_os_result(ma_result r)
{
    return r == MA_DOES_NOT_EXIST || r == MA_ACCESS_DENIED || r == MA_IS_DIRECTORY || r == MA_TOO_MANY_OPEN_FILES ||
           r == MA_IO_ERROR || r == MA_OUT_OF_MEMORY || r == MA_PATH_TOO_LONG || r == MA_NAME_TOO_LONG;
}

void
pyma_source_release(pyma_source *src)
{
    if (src->decoder_ready) {
        /* Closes the file; quick, but it is a system call: no GIL needed or held. */
        Py_BEGIN_ALLOW_THREADS
        ma_decoder_uninit(&src->decoder);
        Py_END_ALLOW_THREADS
        src->decoder_ready = 0;
    }
    Py_CLEAR(src->path);
    Py_CLEAR(src->name);
    Py_CLEAR(src->pysource);
    Py_CLEAR(src->seek_origins);
    Py_CLEAR(src->callback_error);
    if (src->view.obj != NULL) {
        PyBuffer_Release(&src->view);
    }
}

int
pyma_source_take(pyma_source *src, PyObject *obj, pyma_source_kind kind, ma_encoding_format encoding)
{
    memset(src, 0, sizeof(*src));
    src->encoding = encoding;
    if (kind == PYMA_SOURCE_PYTHON) {
        src->pysource = Py_NewRef(obj);
        return 0;
    }
    if (kind == PYMA_SOURCE_FILE) {
        if (!pyma_path_converter(obj, &src->path)) {
            return -1;
        }
        src->name = Py_NewRef(obj);
        return 0;
    }
    if (pyma_get_read_buffer(obj, &src->view, "data") < 0) {
        return -1;
    }
    src->input_size = (ma_uint64)src->view.len;
    return 0;
}

int
pyma_source_open(pyma_state *st, pyma_source *src, const ma_decoder_config *config)
{
    ma_result r = MA_SUCCESS;
    int err = 0;
    const char *encname = encoding_names[src->encoding];

    if (src->pysource == NULL && src->path == NULL && src->view.len == 0) {
        return pyma_raise(st, MA_INVALID_FILE, PYMA_ERR_DECODE, "cannot decode data: it is empty");
    }
    Py_BEGIN_ALLOW_THREADS
    if (src->path != NULL) {
        /* Touches only the path bytes, which we own; the decoder is ours. */
        struct stat info;
        const char *path = PyBytes_AS_STRING(src->path);
        if (stat(path, &info) != 0) {
            err = errno;
        }
        else if (S_ISDIR(info.st_mode)) {
            err = EISDIR;
        }
        else {
            src->input_size = (ma_uint64)info.st_size;
            r = ma_decoder_init_file(path, config, &src->decoder);
            if (r == MA_SUCCESS) {
                pyma_decoder_unlock_stdio(&src->decoder);
            }
        }
    }
    else if (src->pysource != NULL) {
        /* The callbacks take the GIL around each call into the source. */
        r = ma_decoder_init(pysource_read, pysource_seek, src, config, &src->decoder);
    }
    else {
        /* Touches only the input view, held until source_release. */
        r = ma_decoder_init_memory(src->view.buf, (size_t)src->view.len, config, &src->decoder);
    }
    if (err == 0 && r == MA_SUCCESS) {
        r = pyma_decoder_describe(&src->decoder, &src->desc);
        if (r != MA_SUCCESS) {
            ma_decoder_uninit(&src->decoder);
        }
    }
    Py_END_ALLOW_THREADS

    if (err != 0) {
        errno = err;
        PyErr_SetFromErrnoWithFilenameObject(PyExc_OSError, src->name);
        return -1;
    }
    if (r != MA_SUCCESS && src->callback_error != NULL) {
        return pyma_raise_callback_error(st, src, "error in read callback");
    }
    if (r != MA_SUCCESS) {
        if (!is_os_result(r)) {
            /* Every decoder refused the data: "No backend" or "Unknown error" would puzzle a user. */
            r = MA_INVALID_FILE;
            if (src->path != NULL) {
                return pyma_raise(st, r, PYMA_ERR_DECODE, "cannot decode file %R: not a valid %s file", src->name,
                                  encname);
            }
            return pyma_raise(st, r, PYMA_ERR_DECODE, "cannot decode data: not a valid %s stream", encname);
        }
        if (src->path != NULL) {
            return pyma_raise(st, r, PYMA_ERR_DECODE, "cannot open file %R", src->name);
        }
        return pyma_raise(st, r, PYMA_ERR_DECODE, "cannot decode data");
    }
    src->decoder_ready = 1;
    return 0;
}


int
pyma_raise_callback_error(pyma_state *st, pyma_source *src, const char *what)
{
    PyObject *cause = src->callback_error, *exc;

    src->callback_error = NULL;
    pyma_raise(st, MA_ERROR, PYMA_ERR_DECODE, "%s: %S", what, cause); /* DecodeError, never OSError */
    exc = pyma_err_take();
    PyException_SetCause(exc, cause); /* steals the reference to cause */
    pyma_err_give(exc);
    return -1;
}
