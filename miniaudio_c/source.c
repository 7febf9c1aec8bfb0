/* source.c: where a decoder's bytes come from: a file path, a buffer, or a Python object with
 * read() and seek() (stream_any).
 *
 * Paths and buffers are decoded entirely in C with the GIL released.  A Python source is called
 * from the decoder's read/seek callbacks, which take the GIL just around the call (the decoder
 * runs with the GIL released).  An exception raised by the source is kept on the pyma_source and
 * re-raised by the caller as DecodeError with the original as __cause__ (KeyboardInterrupt,
 * SystemExit and other exceptions that are not Exceptions propagate unchanged); it is never printed
 * or lost, and the source is not called again after it.
 */
#include "_miniaudio.h"

#include <errno.h>
#include <sys/stat.h>
#if defined(_WIN32)
/* MSVC: `struct stat` has a 32-bit size (stat() fails on files over 2 GiB) and there is no
 * S_ISDIR; the 64-bit variant has the same fields.  (Paths reach us as UTF-8, which the C
 * runtime's narrow-character calls read in the ANSI code page: non-ASCII names are not found.) */
#define stat _stat64
#ifndef S_ISDIR
#define S_ISDIR(mode) (((mode) & _S_IFMT) == _S_IFDIR)
#endif
#endif

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

/* The most bytes kept for rewinding an unseekable source while the decoder opens: format
 * detection reads headers, and decoders skip tags by reading; beyond this, rewinding fails. */
#define REPLAY_MAX ((size_t)4 << 20)

static void
replay_drop(pyma_source *src)
{
    PyMem_RawFree(src->replay);
    src->replay = NULL;
    src->replay_len = src->replay_cap = 0;
    src->recording = 0;
}

/* Appends what was just read from the source to the replay buffer, while recording. */
static void
replay_keep(pyma_source *src, const void *data, size_t size)
{
    if (!src->recording || src->seekable == 1 || size == 0) {
        return;
    }
    if (src->replay_len + size > src->replay_cap) {
        size_t cap = src->replay_cap ? src->replay_cap : 16384;
        char *bigger;
        while (cap < src->replay_len + size) {
            cap *= 2;
        }
        bigger = cap <= REPLAY_MAX ? PyMem_RawRealloc(src->replay, cap) : NULL;
        if (bigger == NULL) {
            replay_drop(src); /* rewinding before this point will fail cleanly */
            return;
        }
        src->replay = bigger;
        src->replay_cap = cap;
    }
    memcpy(src->replay + src->replay_len, data, size);
    src->replay_len += size;
}

/* Reads up to `size` bytes from the Python source itself (GIL held): 0 or -1 with an exception. */
static int
pysource_read_live(pyma_source *src, void *out, size_t size, size_t *got)
{
    PyObject *data;
    Py_buffer view;

    *got = 0;
    data = PyObject_CallMethod(src->pysource, "read", "n", (Py_ssize_t)(size > PY_SSIZE_T_MAX ? PY_SSIZE_T_MAX : size));
    if (data == NULL) {
        return -1;
    }
    if (!PyObject_CheckBuffer(data)) {
        PyErr_Format(PyExc_TypeError, "the source's read() must return a bytes-like object, not %.200s",
                     Py_TYPE(data)->tp_name);
        Py_DECREF(data);
        return -1;
    }
    if (PyObject_GetBuffer(data, &view, PyBUF_C_CONTIGUOUS) < 0) {
        Py_DECREF(data);
        return -1;
    }
    if ((size_t)view.len > size) {
        PyErr_Format(PyExc_ValueError, "the source's read(%zu) returned %zd bytes, more than asked for", size, view.len);
        PyBuffer_Release(&view);
        Py_DECREF(data);
        return -1;
    }
    memcpy(out, view.buf, (size_t)view.len);
    *got = (size_t)view.len;
    replay_keep(src, view.buf, *got);
    src->live += *got;
    src->pos = src->live;
    PyBuffer_Release(&view);
    Py_DECREF(data);
    return 0;
}

/* ma_decoder read callback: called by the decoder with the GIL released (or held: both work).
 * After a rewind, the kept bytes are served first. */
ma_result
pyma_pysource_read(ma_decoder *decoder, void *out, size_t size, size_t *bytes_read)
{
    pyma_source *src = decoder->pUserData;
    PyGILState_STATE gil;
    size_t done = 0, got = 0;
    int failed = 0;

    *bytes_read = 0;
    if (src->callback_error != NULL || size == 0) {
        return src->callback_error != NULL ? MA_IO_ERROR : MA_SUCCESS;
    }
    if (src->replay != NULL && src->pos < src->replay_len) {
        /* the source itself stands at replay_len: serve the kept bytes (no GIL needed) */
        done = src->replay_len - (size_t)src->pos < size ? src->replay_len - (size_t)src->pos : size;
        memcpy(out, src->replay + src->pos, done);
        src->pos += done;
    }
    if (src->replay != NULL && !src->recording && src->pos >= src->replay_len) {
        replay_drop(src); /* opened, and read past the kept bytes: they are not needed any more */
    }
    if (done == 0 && src->pos > src->live) {
        return MA_AT_END; /* moved past the end of a source that cannot seek (pysource_move) */
    }
    if (done < size) {
        /* Fill the request unless the source ends: a source may give less than asked (a socket gives
         * what has arrived), and miniaudio's Vorbis push-mode open grows its buffer by 4 KB per
         * read, so 1-byte reads made a 4 KB header cost 16 MB and quadratic copying. */
        gil = PyGILState_Ensure();
        while (done < size) {
            if (pysource_read_live(src, (char *)out + done, size - done, &got) < 0) {
                keep_callback_error(src);
                failed = 1;
                break;
            }
            if (got == 0) {
                break;
            }
            done += got;
        }
        PyGILState_Release(gil);
    }
    *bytes_read = done;
    if (failed && done == 0) {
        return MA_IO_ERROR;
    }
    return *bytes_read > 0 ? MA_SUCCESS : MA_AT_END;
}

/* Skips `count` bytes of a source that cannot seek by reading them (GIL held).  0 on success,
 * -1 with an exception set; reaching the end early is not an error (the decoder will see it). */
static int
pysource_skip(pyma_source *src, ma_uint64 count)
{
    char buf[16384];

    while (count > 0) {
        size_t got;
        if (pysource_read_live(src, buf, count > sizeof(buf) ? sizeof(buf) : (size_t)count, &got) < 0) {
            return -1;
        }
        if (got == 0) {
            break;
        }
        count -= got;
    }
    return 0;
}

/* Moves a source that cannot seek to byte `target` (GIL held): within the kept bytes, or forward by
 * reading and discarding.  Backwards past what was kept, or from the end, is not possible. */
static ma_result
pysource_move(pyma_source *src, ma_int64 offset, ma_seek_origin origin)
{
    ma_int64 base;
    ma_uint64 target;

    if (origin == ma_seek_origin_end) {
        return MA_BAD_SEEK;
    }
    base = origin == ma_seek_origin_start ? 0 : (ma_int64)src->pos;
    if ((offset < 0 && -offset > base) || (offset > 0 && offset > INT64_MAX - base)) {
        return MA_BAD_SEEK;
    }
    target = (ma_uint64)(base + offset);
    if (src->replay != NULL && target <= src->replay_len) {
        src->pos = target;
        return MA_SUCCESS;
    }
    if (target < src->live) {
        return MA_BAD_SEEK; /* those bytes are gone */
    }
    src->pos = src->live;
    if (target > src->live && pysource_skip(src, target - src->live) < 0) {
        return MA_IO_ERROR;
    }
    /* When the source ended first, the position is past its end, as after fseek() past EOF: reads
     * there give nothing, and a relative seek back (dr_flac's metadata skip, patch 0026) lands
     * where it would in a file, within the kept bytes or not at all. */
    src->pos = target;
    return MA_SUCCESS;
}

/* The source's tell() after a seek from the end (GIL held): 0 and *where, or -1 with an exception. */
static int
pysource_call_tell(pyma_source *src, ma_uint64 *where)
{
    PyObject *result = PyObject_CallMethod(src->pysource, "tell", NULL);
    long long value;

    if (result == NULL) {
        return -1;
    }
    if (!PyLong_Check(result)) {
        PyErr_Format(PyExc_TypeError, "the source's tell() must return an int, not %.200s", Py_TYPE(result)->tp_name);
        Py_DECREF(result);
        return -1;
    }
    value = PyLong_AsLongLong(result);
    Py_DECREF(result);
    if (value == -1 && PyErr_Occurred()) {
        return -1;
    }
    if (value < 0) {
        PyErr_Format(PyExc_ValueError, "the source's tell() returned %lld, a negative position", value);
        return -1;
    }
    *where = (ma_uint64)value;
    return 0;
}

/* Calls the source's seek(offset, origin) (GIL held): 1 if it moved, 0 if it cannot seek (it
 * returned False), -1 with an exception set.  Learns src->seekable from the answer, and keeps
 * src->pos (what pyma_pysource_tell reports) at the source's position: it only follows a seek from the
 * end through the source's tell() (pyma_pysource_seek does not ask for one from a source without it). */
static int
pysource_call_seek(pyma_source *src, ma_int64 offset, ma_seek_origin origin)
{
    PyObject *result = PyObject_CallMethod(src->pysource, "seek", "LO", (long long)offset,
                                           PyTuple_GET_ITEM(src->seek_origins, (Py_ssize_t)origin));
    int moved = result == NULL ? -1 : PyObject_IsTrue(result);
    ma_uint64 where = 0;

    Py_XDECREF(result);
    if (moved > 0) {
        src->seekable = 1;
        replay_drop(src);
        /* A source that can seek has no replay: pos == live, where the source itself stands. */
        if (origin == ma_seek_origin_start) {
            where = (ma_uint64)offset;
        }
        else if (origin == ma_seek_origin_current) {
            where = (ma_uint64)((ma_int64)src->pos + offset);
        }
        else if (pysource_call_tell(src, &where) < 0) {
            return -1;
        }
        else if (offset <= 0 && (ma_uint64)(-offset) <= where) {
            src->input_size = where + (ma_uint64)(-offset); /* the size of the input, for length checks */
        }
        src->pos = src->live = where;
    }
    else if (moved == 0) {
        src->seekable = 0;
    }
    return moved;
}

int
pyma_source_can_seek(pyma_source *src)
{
    if (src->seekable < 0 && pysource_call_seek(src, 0, ma_seek_origin_current) < 0) {
        keep_callback_error(src);
        return -1; /* seek(0, CURRENT) moves nothing: it only asks */
    }
    return src->seekable;
}

/* ma_decoder seek callback.  Calls the source's seek(); when that returns False (the source
 * cannot seek, the default of StreamableSource), the move is done here: rewinds within the bytes
 * kept while opening (format detection tries one decoder after another), forward moves by
 * reading and discarding (decoders skip tags that way); anything else is MA_BAD_SEEK, which
 * DecoderStream.seek() reports instead of going on from a wrong place. */
ma_result
pyma_pysource_seek(ma_decoder *decoder, ma_int64 offset, ma_seek_origin origin)
{
    pyma_source *src = decoder->pUserData;
    PyGILState_STATE gil;
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
    if (origin == ma_seek_origin_start ? offset < 0
                                       : (origin == ma_seek_origin_current && (ma_int64)src->pos + offset < 0)) {
        return MA_BAD_SEEK; /* before the start */
    }
    gil = PyGILState_Ensure();
    if (origin == ma_seek_origin_end && !src->has_tell) {
        /* Where a seek from the end lands could not be told to the decoder (dr_wav asks, to measure
         * the data): decoders take "cannot seek from the end" and read on instead. */
        PyGILState_Release(gil);
        return MA_BAD_SEEK;
    }
    if (src->seekable == 0) {
        r = pysource_move(src, offset, origin); /* the source said once it cannot seek */
    }
    else {
        switch (pysource_call_seek(src, offset, origin)) {
        case 1:
            break;
        case 0:
            r = pysource_move(src, offset, origin);
            break;
        default:
            r = MA_BAD_SEEK;
        }
    }
    if (r == MA_IO_ERROR || (r == MA_BAD_SEEK && PyErr_Occurred())) {
        keep_callback_error(src);
        r = MA_BAD_SEEK;
    }
    PyGILState_Release(gil);
    return r;
}

/* ma_decoder tell callback: the byte position the decoder reads at, which we track (reads, seeks,
 * rewinds within the kept bytes).  No Python, no GIL. */
ma_result
pyma_pysource_tell(ma_decoder *decoder, ma_int64 *cursor)
{
    pyma_source *src = decoder->pUserData;

    if (src->pos > (ma_uint64)INT64_MAX) {
        return MA_INVALID_OPERATION;
    }
    *cursor = (ma_int64)src->pos;
    return MA_SUCCESS;
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
    Py_buffer view = src->view;

    /* Each resource is detached before it is released: releasing may run Python code (a source's
     * __del__) or let another thread in (the GIL is dropped), which may call this again. */
    if (src->decoder_ready) {
        src->decoder_ready = 0;
        /* Closes the file; quick, but it is a system call: no GIL needed or held. */
        Py_BEGIN_ALLOW_THREADS
        ma_decoder_uninit(&src->decoder);
        Py_END_ALLOW_THREADS
    }
    if (src->win_file != NULL) {
        FILE *file = src->win_file;
        src->win_file = NULL;
        fclose(file);
    }
    if (src->probe_file != NULL) {
        FILE *file = src->probe_file;
        src->probe_file = NULL;
        fclose(file);
    }
    src->windowed = 0;
    replay_drop(src);
    if (view.obj != NULL) {
        memset(&src->view, 0, sizeof(src->view));
        PyBuffer_Release(&view);
    }
    Py_CLEAR(src->path);
    Py_CLEAR(src->name);
    Py_CLEAR(src->pysource);
    Py_CLEAR(src->seek_origins);
    Py_CLEAR(src->callback_error);
}

int
pyma_source_take(pyma_source *src, PyObject *obj, pyma_source_kind kind, ma_encoding_format encoding)
{
    memset(src, 0, sizeof(*src));
    src->encoding = encoding;
    if (kind == PYMA_SOURCE_PYTHON) {
        src->pysource = Py_NewRef(obj);
        src->seekable = -1;
        src->recording = 1;
        src->has_tell = PyObject_HasAttrString(obj, "tell");
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
    int err = 0, found = 0;
    const char *encname = encoding_names[src->encoding];

    if (src->pysource == NULL && src->path == NULL && src->view.len == 0) {
        return pyma_raise(st, MA_INVALID_FILE, PYMA_ERR_DECODE, "cannot decode data: it is empty");
    }
    Py_BEGIN_ALLOW_THREADS
    if (src->path != NULL) {
        /* Touches only the path bytes, which we own; the decoder is ours. */
        struct stat info;
        const char *path = PyBytes_AS_STRING(src->path);
        if (src->windowed) {
            r = pyma_source_open_window(src, config); /* opened again (decode's native format) */
        }
        else if (stat(path, &info) != 0) {
            err = errno;
        }
        else if (S_ISDIR(info.st_mode)) {
            err = EISDIR;
        }
        else {
            src->input_size = (ma_uint64)info.st_size;
            found = pyma_source_find_wav_mp3(src, path, &err);
            if (found > 0) {
                r = pyma_source_open_window(src, config);
            }
            else if (found == 0) {
                err = 0;
                r = ma_decoder_init_file(path, config, &src->decoder);
                if (r == MA_SUCCESS) {
                    pyma_decoder_unlock_stdio(&src->decoder);
                }
            }
        }
    }
    else {
        /* Memory touches only the input view, held until source_release; a Python source's
         * callbacks take the GIL around each call into the source. */
        found = src->windowed ? 1 : pyma_source_find_wav_mp3(src, NULL, &err);
        if (found > 0) {
            r = pyma_source_open_window(src, config);
        }
        else if (found == 0 && src->pysource != NULL) {
            r = ma_decoder_init_with_tell(pyma_pysource_read, pyma_pysource_seek, pyma_pysource_tell, src, config,
                                          &src->decoder);
        }
        else if (found == 0) {
            r = ma_decoder_init_memory(src->view.buf, (size_t)src->view.len, config, &src->decoder);
        }
    }
    if (found == -1 && err == 0) {
        /* A Python source failed: its exception is kept (raised below).  One that failed without
         * one (a seek back refused, a short read) is what every decoder would have found too: the
         * data cannot be decoded, as before the walk. */
        r = src->callback_error != NULL ? MA_IO_ERROR : MA_INVALID_FILE;
    }
    else if (found == -2) {
        r = MA_INVALID_FILE;
    }
    if (err == 0 && r == MA_SUCCESS) {
        r = pyma_decoder_describe(&src->decoder, &src->desc);
        if (r != MA_SUCCESS) {
            ma_decoder_uninit(&src->decoder);
        }
    }
    Py_END_ALLOW_THREADS
    src->recording = 0; /* opened (or not): the kept bytes serve until read past, then go */

    if (err != 0) {
        errno = err;
        PyErr_SetFromErrnoWithFilenameObject(PyExc_OSError, src->name);
        return -1;
    }
    if (r != MA_SUCCESS && src->callback_error != NULL) {
        return pyma_raise_callback_error(st, src, "error in read callback");
    }
    if (found == -2) {
        if (src->path != NULL) {
            return pyma_raise(st, MA_INVALID_FILE, PYMA_ERR_DECODE, "cannot decode file %R: a WAV file of MP3 data "
                              "without a data chunk", src->name);
        }
        return pyma_raise(st, MA_INVALID_FILE, PYMA_ERR_DECODE, "cannot decode data: a WAV file of MP3 data without "
                          "a data chunk");
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
    if (src->pysource != NULL && src->input_size == 0 && src->has_tell && src->seekable == 1) {
        /* A file object that seeks and tells has a size, as a path has: it bounds the lengths that
         * headers claim (stream_length_plausible).  The decoder's view of the position is kept. */
        ma_uint64 here = src->pos;
        int moved = pysource_call_seek(src, 0, ma_seek_origin_end);
        if (moved > 0) {
            moved = pysource_call_seek(src, (ma_int64)here, ma_seek_origin_start);
        }
        if (moved < 0) {
            keep_callback_error(src);
            return pyma_raise_callback_error(st, src, "error in the source's seek() or tell()");
        }
    }
    if (src->windowed == 1) {
        /* The window's bytes are the input: they bound the lengths that headers claim (once: an
         * open again keeps them). */
        src->windowed = 2;
        ma_uint64 end = src->win_end < src->input_size || src->input_size == 0 ? src->win_end : src->input_size;
        src->input_size = end == MA_UINT64_MAX || end < src->win_start ? 0 : end - src->win_start;
    }
    return 0;
}


int
pyma_raise_callback_error(pyma_state *st, pyma_source *src, const char *what)
{
    PyObject *cause = src->callback_error, *exc;

    src->callback_error = NULL;
    if (!PyObject_TypeCheck(cause, (PyTypeObject *)PyExc_Exception)) {
        /* KeyboardInterrupt, SystemExit, GeneratorExit or a user's BaseException subclass: not an
         * error of the data, and `except Exception` must not swallow it.  It propagates as raised. */
        pyma_err_give(cause);
        return -1;
    }
    pyma_raise(st, MA_ERROR, PYMA_ERR_DECODE, "%s: %S", what, cause); /* DecodeError, never OSError */
    exc = pyma_err_take();
    PyException_SetCause(exc, cause); /* steals the reference to cause */
    pyma_err_give(exc);
    return -1;
}
