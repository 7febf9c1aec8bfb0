/* wavwrite.c: the one WAV writer (_WavWriter), used by wav_write_file, AudioFile's write mode,
 * AudioFile.encode and the command line's record and convert; its header builder also makes
 * WavFileReadStream's header (_wav_header).
 *
 * The file is written incrementally: open (a header for no data yet), write() appends frames,
 * flush() patches the header's sizes and flushes, so the file on disk is a complete WAV holding
 * everything written before the flush (a crash loses at most what followed), close() patches it
 * a last time, adds the pad byte after odd-sized data and any trailing chunk (RIFF INFO tags).
 *
 * The header (wavheader.c): classic RIFF, or with `rf64_room` (the default) a 28-byte JUNK chunk
 * reserved after WAVE that the next patch rewrites as RF64's ds64 chunk when the file passes 4 GiB.
 * Without the room (a writer that knows its size: wav_write_file, WavFileReadStream) the header is
 * the classic 44 bytes and writing past 4 GiB is refused before anything is written.
 *
 * Targets: a path (a FILE we open, written and sought with the GIL released), a Python file
 * object (write/seek/tell/flush called with the GIL; the WAV starts at its position when the
 * writer opened; it is never closed by us), or memory (None: close() returns the bytes; filled
 * with the GIL released).  Conversion from typed samples (wavconv.c) runs without the GIL.
 * One call at a time per writer (`busy`, GIL held to change): another thread gets RuntimeError.
 */
#include "_miniaudio.h"

#include <errno.h>
#include <string.h>

#if defined(_WIN32)
#define WAV_SEEK(f, off) _fseeki64((f), (__int64)(off), SEEK_SET)
#else
#define WAV_SEEK(f, off) fseeko((f), (off_t)(off), SEEK_SET)
#endif

#define WAV_BLOCK_BYTES ((size_t)1 << 20) /* converted bytes per write to a FILE or file object */

enum { SINK_FILE, SINK_PYTHON, SINK_MEMORY };

/* ---- the writer ------------------------------------------------------------------------------ */

typedef struct {
    PyObject_HEAD
    int sink;             /* SINK_FILE, SINK_PYTHON or SINK_MEMORY */
    FILE *file;           /* SINK_FILE: ours; used with the GIL released */
    PyObject *target;     /* the path or file object as given (owned; error messages, name) */
    char *mem;            /* SINK_MEMORY: PyMem_Raw buffer of mem_cap bytes, mem_len written */
    size_t mem_len, mem_cap;
    long long base;       /* SINK_PYTHON: the object's position when we opened: the WAV's start */
    pyma_wav_layout layout;
    const pyma_format_info *fmt;
    size_t header_bytes;
    ma_uint64 data_bytes; /* whole frames written (and accepted by the target) */
    int rf64;             /* the header last written is RF64 */
    int closed;
    int busy;             /* a method runs (maybe with the GIL released); GIL held to change */
    int reposition;       /* a write failed part-way: seek to the data's end before the next one */
} WavWriterObject;

static pyma_state *
writer_state(WavWriterObject *self)
{
    return (pyma_state *)PyType_GetModuleState(Py_TYPE(self));
}

static int
writer_enter(WavWriterObject *self, const char *what, int open_only)
{
    if (self->busy) {
        PyErr_Format(PyExc_RuntimeError, "WAV writer %s(): the writer is in use by another thread (one call at a "
                     "time per writer)", what);
        return -1;
    }
    if (open_only && self->closed) {
        PyErr_Format(PyExc_RuntimeError, "WAV writer %s(): I/O operation on a closed file", what);
        return -1;
    }
    self->busy = 1;
    return 0;
}

/* OSError for the path (errno err), or MiniaudioError when there is no errno. */
static void
raise_file_error(WavWriterObject *self, int err, const char *what)
{
    if (err != 0) {
        errno = err;
        PyErr_SetFromErrnoWithFilenameObject(PyExc_OSError, self->target);
    }
    else {
        pyma_raise(writer_state(self), MA_IO_ERROR, PYMA_ERR_MINIAUDIO, "cannot %s WAV file %R", what, self->target);
    }
}

/* ---- SINK_PYTHON: calls on the file object (GIL held) ---- */

static int
py_seek(WavWriterObject *self, ma_uint64 offset)
{
    PyObject *r = PyObject_CallMethod(self->target, "seek", "Li", (long long)(self->base + (long long)offset), 0);
    Py_XDECREF(r);
    return r == NULL ? -1 : 0;
}

/* Writes all of `bytes` (a bytes object), going on after short writes; None counts as all. */
static int
py_write_all(WavWriterObject *self, PyObject *bytes)
{
    Py_ssize_t len = PyBytes_GET_SIZE(bytes), done = 0, n;
    PyObject *view = NULL, *piece, *r;

    while (done < len) {
        if (done == 0) {
            piece = Py_NewRef(bytes);
        }
        else {
            if (view == NULL && (view = PyMemoryView_FromObject(bytes)) == NULL) {
                return -1;
            }
            piece = PySequence_GetSlice(view, done, len);
            if (piece == NULL) {
                Py_DECREF(view);
                return -1;
            }
        }
        r = PyObject_CallMethod(self->target, "write", "O", piece);
        Py_DECREF(piece);
        if (r == NULL) {
            Py_XDECREF(view);
            return -1;
        }
        if (r == Py_None) {
            n = len - done;
        }
        else {
            n = PyLong_AsSsize_t(r);
            if (n == -1 && PyErr_Occurred()) {
                Py_DECREF(r);
                Py_XDECREF(view);
                return -1;
            }
        }
        Py_DECREF(r);
        if (n <= 0) {
            PyErr_Format(PyExc_OSError, "the file object's write() wrote %zd of %zd bytes", n, len - done);
            Py_XDECREF(view);
            return -1;
        }
        done += n < len - done ? n : len - done;
    }
    Py_XDECREF(view);
    return 0;
}

static int
py_write_bytes(WavWriterObject *self, const void *p, size_t n)
{
    PyObject *b = PyBytes_FromStringAndSize((const char *)p, (Py_ssize_t)n);
    int r;
    if (b == NULL) {
        return -1;
    }
    r = py_write_all(self, b);
    Py_DECREF(b);
    return r;
}

/* ---- SINK_MEMORY ---- */

/* Makes room for `need` bytes in all (GIL held: MemoryError). */
static int
mem_reserve(WavWriterObject *self, ma_uint64 need)
{
    size_t cap;
    char *p;

    if (need <= self->mem_cap) {
        return 0;
    }
    if (need > (ma_uint64)PY_SSIZE_T_MAX) {
        PyErr_NoMemory();
        return -1;
    }
    cap = self->mem_cap * 2 > need ? self->mem_cap * 2 : (size_t)need;
    if (cap > (size_t)PY_SSIZE_T_MAX) {
        cap = (size_t)need;
    }
    p = (char *)PyMem_RawRealloc(self->mem, cap);
    if (p == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    self->mem = p;
    self->mem_cap = cap;
    return 0;
}

/* Writes bytes at `offset` of the WAV (GIL held; the FILE part releases it).  -1 with an exception. */
static int
sink_put(WavWriterObject *self, ma_uint64 offset, const void *p, size_t n)
{
    int failed = 0, err = 0;

    switch (self->sink) {
    case SINK_MEMORY:
        if (mem_reserve(self, offset + n) < 0) {
            return -1;
        }
        memcpy(self->mem + offset, p, n);
        if (offset + n > self->mem_len) {
            self->mem_len = (size_t)(offset + n);
        }
        return 0;
    case SINK_PYTHON:
        return py_seek(self, offset) < 0 || py_write_bytes(self, p, n) < 0 ? -1 : 0;
    default:
        Py_BEGIN_ALLOW_THREADS
        errno = 0;
        failed = WAV_SEEK(self->file, offset) != 0 || fwrite(p, 1, n, self->file) != n;
        err = errno;
        Py_END_ALLOW_THREADS
        if (failed) {
            raise_file_error(self, err, "write");
            return -1;
        }
        return 0;
    }
}

/* The header patched for the data so far (and `trailer` after it), the pad byte written, the
 * position left at the data's end, the target flushed.  GIL held; -1 with an exception. */
static int
writer_patch(WavWriterObject *self, const unsigned char *trailer, size_t trailer_len)
{
    unsigned char header[128];
    unsigned char pad = 0;
    ma_uint64 end = self->header_bytes + self->data_bytes, tail = (self->data_bytes & 1) + trailer_len;
    int rf64, failed = 0, err = 0;
    PyObject *r;

    if (!self->layout.room && self->header_bytes - 8 + self->data_bytes + tail > PYMA_RIFF_LIMIT) {
        PyErr_SetString(PyExc_ValueError, "the WAV file would pass 4 GiB, and it was opened without room for "
                                          "the RF64 header");
        return -1;
    }
    rf64 = pyma_wav_build_header(header, &self->layout, self->data_bytes, tail);
    if (sink_put(self, 0, header, self->header_bytes) < 0 ||
        ((self->data_bytes & 1) && sink_put(self, end, &pad, 1) < 0) ||
        (trailer_len > 0 && sink_put(self, end + (self->data_bytes & 1), trailer, trailer_len) < 0)) {
        self->reposition = 1;
        return -1;
    }
    self->rf64 = rf64;
    self->reposition = 1; /* the next write seeks back to the data's end (over the pad byte) */
    if (self->sink == SINK_FILE) {
        Py_BEGIN_ALLOW_THREADS
        errno = 0;
        failed = fflush(self->file) != 0;
        err = errno;
        Py_END_ALLOW_THREADS
        if (failed) {
            raise_file_error(self, err, "flush");
            return -1;
        }
    }
    else if (self->sink == SINK_PYTHON && PyObject_HasAttrString(self->target, "flush")) {
        r = PyObject_CallMethod(self->target, "flush", NULL);
        if (r == NULL) {
            return -1;
        }
        Py_DECREF(r);
    }
    return 0;
}

static PyObject *
writer_new(PyTypeObject *type, PyObject *args, PyObject *kwargs)
{
    static char *kwlist[] = {"target", "sample_format", "nchannels", "sample_rate", "tag", "rf64_room", NULL};
    PyObject *target, *fmt_obj, *ch_obj, *rate_obj, *path = NULL, *r;
    long tag = 0;
    int room = 1, err = 0;
    WavWriterObject *self;
    unsigned char header[128];

    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "OOOO|lp:_WavWriter", kwlist, &target, &fmt_obj, &ch_obj,
                                     &rate_obj, &tag, &room)) {
        return NULL;
    }
    self = (WavWriterObject *)type->tp_alloc(type, 0);
    if (self == NULL) {
        return NULL;
    }
    self->target = Py_NewRef(target);
    self->closed = 1; /* until it is open */
    if (pyma_wav_layout_from_args(&self->layout, fmt_obj, ch_obj, rate_obj, tag, room, &self->fmt) < 0) {
        goto error;
    }
    self->header_bytes = pyma_wav_header_size(&self->layout);
    if (target == Py_None) {
        self->sink = SINK_MEMORY;
    }
    else if (PyUnicode_Check(target) || PyBytes_Check(target) || PyObject_HasAttrString(target, "__fspath__")) {
        self->sink = SINK_FILE;
        if (!pyma_path_converter(target, &path)) {
            goto error;
        }
        Py_BEGIN_ALLOW_THREADS
        self->file = fopen(PyBytes_AS_STRING(path), "wb");
        err = errno;
        Py_END_ALLOW_THREADS
        Py_CLEAR(path);
        if (self->file == NULL) {
            errno = err;
            PyErr_SetFromErrnoWithFilenameObject(PyExc_OSError, target);
            goto error;
        }
    }
    else if (PyObject_HasAttrString(target, "write") && PyObject_HasAttrString(target, "seek")) {
        self->sink = SINK_PYTHON;
        if (PyObject_HasAttrString(target, "seekable")) {
            r = PyObject_CallMethod(target, "seekable", NULL);
            if (r == NULL) {
                goto error;
            }
            err = PyObject_IsTrue(r);
            Py_DECREF(r);
            if (err <= 0) {
                if (err == 0) {
                    PyErr_SetString(PyExc_ValueError, "the file object must be seekable: the WAV header is "
                                                      "written again when the size is known");
                }
                goto error;
            }
        }
        r = PyObject_CallMethod(target, "tell", NULL);
        if (r == NULL) {
            goto error;
        }
        self->base = PyLong_AsLongLong(r);
        Py_DECREF(r);
        if (self->base == -1 && PyErr_Occurred()) {
            goto error;
        }
    }
    else {
        PyErr_Format(PyExc_TypeError, "filename must be str, bytes or os.PathLike, or a binary file object with "
                     "write(), seek() and tell(), not %.200s", Py_TYPE(target)->tp_name);
        goto error;
    }
    self->closed = 0;
    pyma_wav_build_header(header, &self->layout, 0, 0);
    if (sink_put(self, 0, header, self->header_bytes) < 0) {
        goto error;
    }
    self->reposition = 0;
    return (PyObject *)self;
error:
    Py_XDECREF(path);
    if (self->file != NULL) {
        fclose(self->file);
        self->file = NULL;
    }
    self->closed = 1;
    Py_DECREF(self);
    return NULL;
}

/* Which kind of samples a buffer holds (see pyma_wav_convert); -1 with TypeError. */
static int
input_kind(const Py_buffer *v)
{
    const char *f = v->format;
    if (f == NULL) {
        return PYMA_WAV_IN_RAW;
    }
    if (*f == '@' || *f == '=' || (*f == '<' && PY_LITTLE_ENDIAN) || ((*f == '>' || *f == '!') && !PY_LITTLE_ENDIAN)) {
        f++;
    }
    if (f[0] != '\0' && f[1] == '\0') {
        switch (f[0]) {
        case 'B': case 'c': return v->itemsize == 1 ? PYMA_WAV_IN_RAW : -1;
        case 'b': return v->itemsize == 1 ? PYMA_WAV_IN_S8 : -1;
        case 'h': return v->itemsize == 2 ? PYMA_WAV_IN_S16 : -1;
        case 'i': case 'l': return v->itemsize == 4 ? PYMA_WAV_IN_S32 : -1;
        case 'f': return v->itemsize == 4 ? PYMA_WAV_IN_F32 : -1;
        case 'd': return v->itemsize == 8 ? PYMA_WAV_IN_F64 : -1;
        default: break;
        }
    }
    PyErr_Format(PyExc_TypeError, "data holds items of buffer format '%s': write int8, int16, int32, float32 or "
                 "float64 samples (native byte order), or bytes in the file's own sample format", v->format);
    return -1;
}

static PyObject *
writer_write(WavWriterObject *self, PyObject *args, PyObject *kwargs)
{
    static char *kwlist[] = {"data", "planar", NULL};
    PyObject *data, *block = NULL, *result = NULL;
    int planar = 0, kind, failed = 0, err = 0;
    Py_buffer v = {0};
    ma_uint64 frames, total, done = 0, step, per_block, nbytes;
    ma_uint32 ch = self->layout.channels, fb = self->layout.block;
    ma_format out = self->fmt->format;
    unsigned char *scratch = NULL;

    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "O|p:write", kwlist, &data, &planar) ||
        writer_enter(self, "write", 1) < 0) {
        return NULL;
    }
    if (!PyObject_CheckBuffer(data) || PyUnicode_Check(data)) {
        PyErr_Format(PyExc_TypeError, "data must be a bytes-like object or an array of samples, not %.200s",
                     Py_TYPE(data)->tp_name);
        goto exit;
    }
    if (PyObject_GetBuffer(data, &v, PyBUF_C_CONTIGUOUS | PyBUF_FORMAT) < 0) {
        if (PyErr_ExceptionMatches(PyExc_BufferError)) {
            PyErr_Clear();
            PyErr_SetString(PyExc_ValueError, "data must be a C-contiguous buffer");
        }
        goto exit;
    }
    if ((kind = input_kind(&v)) < 0) {
        goto exit;
    }
    if (kind == PYMA_WAV_IN_RAW) {
        if (planar || v.len % fb != 0) {
            PyErr_Format(PyExc_ValueError, "data has %zd bytes, not a whole number of %u-byte frames (%u channels of "
                         "%d-byte samples)%s", v.len, (unsigned)fb, (unsigned)ch, self->fmt->width,
                         planar ? "; raw bytes are interleaved frames" : "");
            goto exit;
        }
        frames = (ma_uint64)v.len / fb;
    }
    else if (planar) {
        if (v.ndim != 2 || v.shape[0] != (Py_ssize_t)ch) {
            PyErr_Format(PyExc_ValueError, "planar data must be a 2-D (channels, frames) array with %u channels",
                         (unsigned)ch);
            goto exit;
        }
        frames = (ma_uint64)v.shape[1];
    }
    else {
        if (v.ndim < 1 || v.ndim > 2 || (v.ndim == 2 && v.shape[1] != (Py_ssize_t)ch) ||
            (ma_uint64)(v.len / v.itemsize) % ch != 0) {
            PyErr_Format(PyExc_ValueError, "data must be 1-D interleaved samples (a multiple of %u) or a 2-D "
                         "(frames, %u) array", (unsigned)ch, (unsigned)ch);
            goto exit;
        }
        frames = (ma_uint64)(v.len / v.itemsize) / ch;
    }
    total = frames;
    nbytes = frames * fb;
    if (!self->layout.room &&
        self->header_bytes - 8 + self->data_bytes + nbytes + ((self->data_bytes + nbytes) & 1) > PYMA_RIFF_LIMIT) {
        PyErr_SetString(PyExc_ValueError, "the WAV file would pass 4 GiB, and it was opened without room for the "
                                          "RF64 header");
        goto exit;
    }
    if (frames == 0) {
        result = Py_NewRef(Py_None);
        goto exit;
    }
    if (self->sink == SINK_MEMORY) {
        if (mem_reserve(self, self->header_bytes + self->data_bytes + nbytes + 1) < 0) {
            goto exit;
        }
        Py_BEGIN_ALLOW_THREADS
        pyma_wav_convert(self->mem + self->header_bytes + self->data_bytes, out, v.buf, kind, ch, planar, total, 0,
                         frames);
        Py_END_ALLOW_THREADS
        self->data_bytes += nbytes;
        self->mem_len = (size_t)(self->header_bytes + self->data_bytes);
        result = Py_NewRef(Py_None);
        goto exit;
    }
    per_block = WAV_BLOCK_BYTES / fb > 0 ? WAV_BLOCK_BYTES / fb : 1;
    if (self->sink == SINK_FILE) {
        if (kind != PYMA_WAV_IN_RAW) {
            scratch = (unsigned char *)PyMem_RawMalloc((size_t)((frames < per_block ? frames : per_block) * fb));
            if (scratch == NULL) {
                PyErr_NoMemory();
                goto exit;
            }
        }
        Py_BEGIN_ALLOW_THREADS
        /* Touches the held view, our FILE and scratch buffer. */
        errno = 0;
        if (self->reposition && WAV_SEEK(self->file, self->header_bytes + self->data_bytes) != 0) {
            failed = 1;
        }
        while (!failed && done < frames) {
            const void *p;
            step = frames - done < per_block ? frames - done : per_block;
            if (scratch != NULL) {
                pyma_wav_convert(scratch, out, v.buf, kind, ch, planar, total, done, step);
                p = scratch;
            }
            else {
                p = (const char *)v.buf + done * fb;
            }
            if (fwrite(p, 1, (size_t)(step * fb), self->file) != (size_t)(step * fb)) {
                failed = 1;
                break;
            }
            done += step;
        }
        err = errno;
        Py_END_ALLOW_THREADS
        self->data_bytes += done * fb; /* the whole blocks the FILE took */
        self->reposition = failed;
        if (failed) {
            raise_file_error(self, err, "write");
            goto exit;
        }
        result = Py_NewRef(Py_None);
        goto exit;
    }
    /* SINK_PYTHON: each block converted into a new bytes object without the GIL, then written. */
    if (self->reposition) {
        if (py_seek(self, self->header_bytes + self->data_bytes) < 0) {
            goto exit;
        }
        self->reposition = 0;
    }
    while (done < frames) {
        step = frames - done < per_block ? frames - done : per_block;
        block = PyBytes_FromStringAndSize(NULL, (Py_ssize_t)(step * fb));
        if (block == NULL) {
            goto exit;
        }
        Py_BEGIN_ALLOW_THREADS
        pyma_wav_convert(PyBytes_AS_STRING(block), out, v.buf, kind, ch, planar, total, done, step);
        Py_END_ALLOW_THREADS
        if (py_write_all(self, block) < 0) {
            self->reposition = 1; /* part of the block may be in the file: the next write goes over it */
            goto exit;
        }
        Py_CLEAR(block);
        done += step;
        self->data_bytes += step * fb;
    }
    result = Py_NewRef(Py_None);
exit:
    Py_XDECREF(block);
    if (scratch != NULL) {
        PyMem_RawFree(scratch);
    }
    if (v.obj != NULL) {
        PyBuffer_Release(&v);
    }
    self->busy = 0;
    return result;
}

static PyObject *
writer_flush(WavWriterObject *self, PyObject *Py_UNUSED(ignored))
{
    int r;
    if (writer_enter(self, "flush", 1) < 0) {
        return NULL;
    }
    r = writer_patch(self, NULL, 0);
    self->busy = 0;
    return r < 0 ? NULL : Py_NewRef(Py_None);
}

/* Finishes the file: last patch with `trailer`, FILE closed.  Marks it closed in every case.
 * Returns the bytes for memory, None otherwise; NULL with the first error. GIL held. */
static PyObject *
writer_finish(WavWriterObject *self, const unsigned char *trailer, size_t trailer_len)
{
    int failed = 0, err = 0, patched;
    PyObject *result = NULL;

    patched = writer_patch(self, trailer, trailer_len);
    self->closed = 1;
    if (self->sink == SINK_FILE) {
        FILE *file = self->file;
        self->file = NULL;
        Py_BEGIN_ALLOW_THREADS
        errno = 0;
        failed = fclose(file) != 0;
        err = errno;
        Py_END_ALLOW_THREADS
        if (failed && patched == 0) {
            raise_file_error(self, err, "close");
            return NULL;
        }
    }
    if (patched < 0) {
        return NULL;
    }
    if (self->sink == SINK_MEMORY) {
        result = PyBytes_FromStringAndSize(self->mem, (Py_ssize_t)self->mem_len);
        PyMem_RawFree(self->mem);
        self->mem = NULL;
        self->mem_len = self->mem_cap = 0;
        return result;
    }
    return Py_NewRef(Py_None);
}

static PyObject *
writer_close(WavWriterObject *self, PyObject *args, PyObject *kwargs)
{
    static char *kwlist[] = {"trailer", NULL};
    PyObject *trailer_obj = Py_None, *result;
    Py_buffer t = {0};
    unsigned char *copy = NULL;
    size_t len = 0;

    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "|O:close", kwlist, &trailer_obj)) {
        return NULL;
    }
    if (self->closed) {
        return Py_NewRef(Py_None); /* a second close() does nothing, as for Python's files */
    }
    if (trailer_obj != Py_None) {
        if (pyma_get_read_buffer(trailer_obj, &t, "trailer") < 0) {
            return NULL;
        }
        len = (size_t)t.len + (size_t)(t.len & 1); /* chunks are word-aligned */
        copy = (unsigned char *)PyMem_Malloc(len > 0 ? len : 1);
        if (copy == NULL) {
            PyBuffer_Release(&t);
            return PyErr_NoMemory();
        }
        memcpy(copy, t.buf, (size_t)t.len);
        if (t.len & 1) {
            copy[t.len] = 0;
        }
        PyBuffer_Release(&t);
    }
    if (writer_enter(self, "close", 0) < 0) {
        PyMem_Free(copy);
        return NULL;
    }
    result = writer_finish(self, copy, len);
    PyMem_Free(copy);
    self->busy = 0;
    return result;
}

/* A writer dropped without close(): finished as close() would (errors reported as unraisable). */
static void
writer_finalize(PyObject *op)
{
    WavWriterObject *self = (WavWriterObject *)op;
    PyObject *exc, *r;

    if (self->closed || self->busy) {
        return;
    }
    exc = pyma_err_take();
    self->busy = 1;
    r = writer_finish(self, NULL, 0);
    self->busy = 0;
    if (r == NULL) {
        PyErr_WriteUnraisable(op);
    }
    Py_XDECREF(r);
    if (exc != NULL) {
        pyma_err_give(exc);
    }
}

static int
writer_traverse(WavWriterObject *self, visitproc visit, void *arg)
{
    Py_VISIT(Py_TYPE(self));
    Py_VISIT(self->target);
    return 0;
}

static int
writer_clear(WavWriterObject *self)
{
    Py_CLEAR(self->target);
    return 0;
}

static void
writer_dealloc(WavWriterObject *self)
{
    PyTypeObject *tp = Py_TYPE(self);

    if (PyObject_CallFinalizerFromDealloc((PyObject *)self) < 0) {
        return; /* resurrected */
    }
    PyObject_GC_UnTrack(self);
    if (self->file != NULL) {
        fclose(self->file); /* the finalizer did not finish it (busy: never, as the GIL is held) */
        self->file = NULL;
    }
    PyMem_RawFree(self->mem);
    self->mem = NULL;
    writer_clear(self);
    tp->tp_free((PyObject *)self);
    Py_DECREF(tp);
}

static PyObject *
writer_get_frames(WavWriterObject *self, void *Py_UNUSED(closure))
{
    return PyLong_FromUnsignedLongLong(self->data_bytes / self->layout.block);
}

static PyObject *
writer_get_closed(WavWriterObject *self, void *Py_UNUSED(closure))
{
    return PyBool_FromLong(self->closed);
}

static PyObject *
writer_get_rf64(WavWriterObject *self, void *Py_UNUSED(closure))
{
    return PyBool_FromLong(self->rf64);
}

static PyObject *
writer_get_info(WavWriterObject *self, void *closure)
{
    switch ((int)(Py_intptr_t)closure) {
    case 0: return PyLong_FromLong((long)self->fmt->format);
    case 1: return PyLong_FromLong(self->layout.channels);
    case 2: return PyLong_FromUnsignedLong(self->layout.rate);
    case 3: return PyLong_FromLong(self->layout.block);
    case 4: return PyLong_FromSize_t(self->header_bytes);
    case 5: return PyLong_FromUnsignedLongLong(self->data_bytes);
    default: return Py_NewRef(self->target);
    }
}

static PyGetSetDef writer_getset[] = {
    {"frames", (getter)writer_get_frames, NULL, "Frames written so far.", NULL},
    {"closed", (getter)writer_get_closed, NULL, "True once close() was called.", NULL},
    {"rf64", (getter)writer_get_rf64, NULL, "The header last written is RF64 (the file passed 4 GiB).", NULL},
    {"sample_format", (getter)writer_get_info, NULL, "The file's sample format (a SampleFormat value).", (void *)0},
    {"nchannels", (getter)writer_get_info, NULL, "Channels per frame.", (void *)1},
    {"sample_rate", (getter)writer_get_info, NULL, "Frames per second.", (void *)2},
    {"frame_bytes", (getter)writer_get_info, NULL, "Bytes per frame in the file.", (void *)3},
    {"header_bytes", (getter)writer_get_info, NULL, "Bytes before the first frame.", (void *)4},
    {"data_bytes", (getter)writer_get_info, NULL, "Bytes of frames written so far.", (void *)5},
    {"target", (getter)writer_get_info, NULL, "The path or file object given (None: memory).", (void *)6},
    {NULL, NULL, NULL, NULL, NULL},
};

static PyMethodDef writer_methods[] = {
    {"write", (PyCFunction)(void (*)(void))writer_write, METH_VARARGS | METH_KEYWORDS,
     "write($self, /, data, planar=False)\n--\n\nAppends frames: bytes-like data of unsigned bytes are frames in the file's "
     "own format; int8/int16/int32/float32/float64 items are converted (pedalboard's scaling), 1-D interleaved or "
     "2-D (frames, channels), or (channels, frames) with planar=True."},
    {"flush", (PyCFunction)writer_flush, METH_NOARGS,
     "flush($self, /)\n--\n\nPatches the header for everything written so far and flushes the target."},
    {"close", (PyCFunction)(void (*)(void))writer_close, METH_VARARGS | METH_KEYWORDS,
     "close($self, /, trailer=None)\n--\n\nFinishes the file (`trailer`: whole chunks to append after the data); returns "
     "the file's bytes for a memory writer, else None.  A second close() does nothing."},
    {NULL, NULL, 0, NULL},
};

static PyType_Slot writer_slots[] = {
    {Py_tp_doc, "_WavWriter(target, sample_format, nchannels, sample_rate, tag=0, rf64_room=True)\n--\n\n"
                "The incremental WAV writer: to a path, a seekable binary file object, or memory (None)."},
    {Py_tp_new, writer_new},
    {Py_tp_dealloc, writer_dealloc},
    {Py_tp_finalize, writer_finalize},
    {Py_tp_traverse, writer_traverse},
    {Py_tp_clear, writer_clear},
    {Py_tp_methods, writer_methods},
    {Py_tp_getset, writer_getset},
    {0, NULL},
};

PyType_Spec pyma_wavwriter_spec = {
    .name = "miniaudio._miniaudio._WavWriter",
    .basicsize = sizeof(WavWriterObject),
    .flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC,
    .slots = writer_slots,
};
