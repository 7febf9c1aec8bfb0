/* stream_into.c: DecoderStream._read_into(), frames decoded straight into a caller's array (private:
 * AudioFile.read() and miniaudio.read() use it).
 *
 * AudioFile.read() wants (channels, frames) float32 scaled as pedalboard scales (16-bit by
 * float32(1/32767), ...) and miniaudio.read() wants (frames, channels) float64 scaled as soundfile
 * scales (16-bit by 1/32768), or the decoder's own samples as they are.  Done in numpy, that is a
 * decode into a fresh chunk, then a scale-and-transpose pass into a second fresh array, plus the
 * Python calls around them: the per-call cost that made 4096-frame reads twice as slow as
 * pedalboard's.  Here the stream decodes a block at a time into a small buffer (in the cache) and
 * converts it into the caller's array with the GIL released; when the array's type and layout are
 * the decoder's own, the decoder writes into the array directly.
 *
 * The arithmetic is numpy's for the same step, so the results are bit-identical to the numpy path
 * it replaces: an integer sample is cast to the output float type and multiplied by the scale in
 * that type (numpy.multiply(int16, float32, dtype=float32)); an 8-bit (unsigned) sample has 128
 * subtracted in the output type first.  No FMA: a single multiply (and a subtract before it) has
 * nothing to contract.
 *
 * The stream's bookkeeping (position, the end, "announced frames but none decodable", a Python
 * source that raised) is stream_read's own (pyma_stream_advanced / pyma_stream_ended, stream_io.c).
 */
#include "_miniaudio.h"

/* Frames decoded per block when converting: 4096 stereo float32 frames are 32 KiB. */
#define INTO_BLOCK 4096

enum { INTO_F32, INTO_F64, INTO_SAME };

/* One conversion loop: `in` holds n interleaved frames of `ch` TIN samples; they go to frames
 * [at, at + n) of `out`, planar (ch rows of `total`) or interleaved.  EXPR reads the sample `x`. */
#define INTO_LOOP(TIN, TOUT, EXPR)                                                        \
    do {                                                                                  \
        const TIN *src = (const TIN *)in;                                                 \
        TOUT *dst = (TOUT *)out;                                                          \
        if (planar && ch == 2) {                                                          \
            /* Stereo, the common case, in one pass the compiler vectorizes. */            \
            TOUT *restrict d0 = dst + at, *restrict d1 = dst + total + at;                \
            const TIN *restrict s = src;                                                  \
            for (i = 0; i < n; i++) {                                                     \
                TIN x = s[2 * i];                                                         \
                TIN y = s[2 * i + 1];                                                     \
                d0[i] = (EXPR);                                                           \
                x = y;                                                                    \
                d1[i] = (EXPR);                                                           \
            }                                                                             \
        }                                                                                 \
        else if (planar) {                                                                \
            for (c = 0; c < ch; c++) {                                                    \
                TOUT *d = dst + (size_t)c * total + at;                                   \
                const TIN *s = src + c;                                                   \
                for (i = 0; i < n; i++) {                                                 \
                    TIN x = s[i * ch];                                                    \
                    d[i] = (EXPR);                                                        \
                }                                                                         \
            }                                                                             \
        }                                                                                 \
        else {                                                                            \
            TOUT *d = dst + at * ch;                                                      \
            for (i = 0; i < n * ch; i++) {                                                \
                TIN x = src[i];                                                           \
                d[i] = (EXPR);                                                            \
            }                                                                             \
        }                                                                                 \
    } while (0)

/* The same loop with and without the scale (the branch is outside the loop). */
#define INTO_FLOAT(TIN, TOUT, SCALE, BIAS)                                                \
    do {                                                                                  \
        if (scaled) {                                                                     \
            INTO_LOOP(TIN, TOUT, ((TOUT)x - (TOUT)(BIAS)) * (SCALE));                     \
        }                                                                                 \
        else {                                                                            \
            INTO_LOOP(TIN, TOUT, (TOUT)x - (TOUT)(BIAS));                                 \
        }                                                                                 \
    } while (0)

/* Converts n decoded frames (`in`, format `fmt`) into `out` at frame `at`.  No Python API. */
static void
into_convert(ma_format fmt, int kind, int scaled, float scale_f, double scale_d, const void *in, void *out,
             size_t ch, size_t n, int planar, size_t total, size_t at)
{
    size_t c, i;

    switch (kind * 8 + (int)fmt) {
    case INTO_F32 * 8 + ma_format_u8:  INTO_FLOAT(ma_uint8, float, scale_f, 128); break;
    case INTO_F32 * 8 + ma_format_s16: INTO_FLOAT(ma_int16, float, scale_f, 0); break;
    case INTO_F32 * 8 + ma_format_s32: INTO_FLOAT(ma_int32, float, scale_f, 0); break;
    case INTO_F32 * 8 + ma_format_f32:
        if (scaled) {
            INTO_LOOP(float, float, x * scale_f);
        }
        else {
            INTO_LOOP(float, float, x);
        }
        break;
    case INTO_F64 * 8 + ma_format_u8:  INTO_FLOAT(ma_uint8, double, scale_d, 128); break;
    case INTO_F64 * 8 + ma_format_s16: INTO_FLOAT(ma_int16, double, scale_d, 0); break;
    case INTO_F64 * 8 + ma_format_s32: INTO_FLOAT(ma_int32, double, scale_d, 0); break;
    case INTO_F64 * 8 + ma_format_f32:
        if (scaled) {
            INTO_LOOP(float, double, (double)x * scale_d);
        }
        else {
            INTO_LOOP(float, double, (double)x);
        }
        break;
    case INTO_SAME * 8 + ma_format_u8:  INTO_LOOP(ma_uint8, ma_uint8, x); break;
    case INTO_SAME * 8 + ma_format_s16: INTO_LOOP(ma_int16, ma_int16, x); break;
    case INTO_SAME * 8 + ma_format_s32: INTO_LOOP(ma_int32, ma_int32, x); break;
    case INTO_SAME * 8 + ma_format_f32: INTO_LOOP(float, float, x); break;
    default: break; /* not reached: the caller checked the pair */
    }
}

/* The output kind of a buffer's item format for a stream of `fmt`: INTO_F32, INTO_F64, INTO_SAME,
 * or -1. */
static int
into_kind(const char *format, Py_ssize_t itemsize, ma_format fmt)
{
    char code;

    if (format == NULL) {
        format = "B";
    }
    while (*format == '<' || *format == '=' || *format == '@') {
        format++; /* native and little-endian are the same here (WAV's machines) */
    }
    code = format[0];
    if (code == '\0' || format[1] != '\0') {
        return -1;
    }
    if (fmt == ma_format_f32 && code == 'f' && itemsize == 4) {
        return INTO_SAME; /* float32 as it is: unscaled, the decoder writes it directly */
    }
    if (code == 'f' && itemsize == 4) {
        return INTO_F32;
    }
    if (code == 'd' && itemsize == 8) {
        return INTO_F64;
    }
    if ((fmt == ma_format_u8 && code == 'B') || (fmt == ma_format_s16 && code == 'h' && itemsize == 2) ||
        (fmt == ma_format_s32 && (code == 'i' || code == 'l') && itemsize == 4)) {
        return INTO_SAME;
    }
    return -1;
}

/* Decodes up to `frames` frames into out (frames [at, at + frames) of it) through the pull from
 * pull->at.  Runs without the GIL (touches the pull, its input and the caller's buffer, all held).
 * *oom is set when the block buffer cannot be allocated (nothing is read then). */
static ma_result
into_fill(StreamObject *self, int kind, int planar, int scaled, double scale, char *out, size_t total, size_t at,
          ma_uint64 frames, ma_uint64 *got, int *oom)
{
    ma_format fmt = self->fmt->format;
    ma_uint64 done = 0, step, want;
    ma_result r = MA_SUCCESS;
    char *block;

    *got = 0;
    if (kind == INTO_SAME && scaled) {
        kind = INTO_F32; /* float32 scaled: converted */
    }
    if (kind == INTO_SAME && !planar) {
        /* The array is the decoder's own layout: it decodes there. */
        return pyma_pull_read(self->pull, out + at * self->frame_bytes, frames, got);
    }
    block = PyMem_RawMalloc((size_t)((frames < INTO_BLOCK ? frames : INTO_BLOCK) * self->frame_bytes));
    if (block == NULL) {
        *oom = 1;
        return MA_OUT_OF_MEMORY;
    }
    while (done < frames) {
        want = frames - done < INTO_BLOCK ? frames - done : INTO_BLOCK;
        r = pyma_pull_read(self->pull, block, want, &step);
        into_convert(fmt, kind, scaled, (float)scale, scale, block, out, self->channels, (size_t)step, planar, total,
                     at + (size_t)done);
        done += step;
        if (step < want || r != MA_SUCCESS) {
            break; /* the end, or an error (pull.c reads until the frames are there or it ends) */
        }
    }
    PyMem_RawFree(block);
    *got = done;
    return r;
}

const char pyma_stream_read_into_doc[] =
             "_read_into($self, out, planar, offset, frames, scale, /)\n--\n\n"
             "Private (AudioFile.read(), miniaudio.read()): decode up to `frames` frames into the C-contiguous\n"
             "2-D array `out` from frame `offset`, (channels, total) if `planar` else (total, channels); float32\n"
             "or float64 (integers cast, 8-bit less 128, times `scale` unless it is None), or the stream's own\n"
             "sample type (scale None).  Returns the frames decoded, 0 at the end (no StopIteration).";

PyObject *
pyma_stream_read_into(StreamObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    pyma_state *st = PyType_GetModuleState(Py_TYPE(self));
    Py_buffer view;
    Py_ssize_t offset, frames, total;
    double scale = 1.0;
    int planar, kind, scaled, oom = 0;
    ma_uint64 got = 0;
    ma_result r;

    if (nargs != 5) {
        PyErr_Format(PyExc_TypeError, "_read_into() takes 5 arguments (%zd given)", nargs);
        return NULL;
    }
    planar = PyObject_IsTrue(args[1]);
    offset = PyLong_AsSsize_t(args[2]);
    if (planar < 0 || (offset == -1 && PyErr_Occurred())) {
        return NULL;
    }
    frames = PyLong_AsSsize_t(args[3]);
    if (frames == -1 && PyErr_Occurred()) {
        return NULL;
    }
    scaled = args[4] != Py_None;
    if (scaled) {
        scale = PyFloat_AsDouble(args[4]);
        if (scale == -1.0 && PyErr_Occurred()) {
            return NULL;
        }
    }
    if (pyma_stream_usable(self, 0) < 0) {
        return NULL;
    }
    if (self->pull->chunk != NULL || self->fmt == NULL || self->fmt->format == ma_format_s24) {
        PyErr_SetString(PyExc_TypeError, "_read_into() reads decoder streams of u8, s16, s32 or f32 samples");
        return NULL;
    }
    if (PyObject_GetBuffer(args[0], &view, PyBUF_CONTIG | PyBUF_FORMAT) < 0) {
        return NULL;
    }
    kind = into_kind(view.format, view.itemsize, self->fmt->format);
    total = view.ndim == 2 ? view.shape[planar ? 1 : 0] : 0;
    if (view.ndim != 2 || view.shape[planar ? 0 : 1] != (Py_ssize_t)self->channels || kind < 0 ||
        (kind == INTO_SAME && scaled && self->fmt->format != ma_format_f32)) {
        PyErr_Format(PyExc_ValueError, "_read_into() wants a 2-D float32/float64 (or the stream's own type, unscaled) "
                     "array of %u channels (%s)", (unsigned int)self->channels, planar ? "planar" : "interleaved");
        PyBuffer_Release(&view);
        return NULL;
    }
    if (offset < 0 || frames < 0 || offset > total || frames > total - offset) {
        PyErr_Format(PyExc_ValueError, "_read_into(): frames [%zd, %zd + %zd) are not inside the array's %zd",
                     offset, offset, frames, total);
        PyBuffer_Release(&view);
        return NULL;
    }
    if (frames == 0) {
        PyBuffer_Release(&view);
        return PyLong_FromLong(0);
    }
    pyma_stream_set_busy(self);
    self->pull->at = self->position; /* the pull reads from there (and moves it: pyma_stream_advanced) */
    Py_BEGIN_ALLOW_THREADS
    r = into_fill(self, kind, planar, scaled, scale, (char *)view.buf, (size_t)total, (size_t)offset,
                  (ma_uint64)frames, &got, &oom);
    Py_END_ALLOW_THREADS
    self->busy = 0;
    PyBuffer_Release(&view);
    if (oom) {
        return PyErr_NoMemory();
    }
    if (self->src.callback_error != NULL) {
        /* The Python source raised: the stream ends, as a generator would, and says why. */
        PyObject *exc;
        pyma_raise_callback_error(st, &self->src, "error in read callback");
        exc = pyma_err_take();
        pyma_stream_release(self);
        pyma_err_give(exc);
        return NULL;
    }
    if (r != MA_SUCCESS && r != MA_AT_END) {
        if (self->src.path != NULL) {
            pyma_raise(st, r, PYMA_ERR_DECODE, "error while decoding file %R", self->src.name);
        }
        else {
            pyma_raise(st, r, PYMA_ERR_DECODE, "error while decoding the stream");
        }
        return NULL;
    }
    pyma_stream_advanced(self, got);
    if (got == 0) {
        pyma_stream_ended(self);
        if (self->fresh && self->announced > 0) {
            self->fresh = 0;
            pyma_raise_none_decodable(st, &self->src, self->announced);
            return NULL;
        }
    }
    return PyLong_FromUnsignedLongLong(got);
}
