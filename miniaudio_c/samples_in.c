/* samples_in.c: frames handed in by Python (a device's write(), later file writers), in any numeric
 * type, converted to a sample format.
 *
 * bytes, bytearray and memoryviews of bytes are raw frames already in the target format (as a
 * playback generator's chunks are).  Anything else that exports a buffer is read by its item type:
 * floats (float16/32/64) are full scale at +-1.0, signed integers at their own full scale, unsigned
 * integers are offset binary (uint8 is miniaudio's u8).  1-D data is interleaved samples; 2-D is
 * (frames, channels).  Conversion to integers clips (miniaudio's ma_pcm_convert with our patches:
 * NaN gives 0).  A non-contiguous array (a transposed or strided numpy view) is copied once.
 */
#include "_miniaudio.h"

#include <float.h>
#include <math.h>
#include <string.h>

/* The kinds of items we read. */
enum {
    IN_RAW, /* bytes of the target format */
    IN_U8, IN_S8, IN_S16, IN_U16, IN_S32, IN_U32, IN_S64, IN_U64, IN_F16, IN_F32, IN_F64,
};

/* The item kind of a buffer format `f` with items of `size` bytes; -1 if it is not a real number
 * type we read (complex, bool, object, structs, the other byte order). */
static int
item_kind(const char *f, Py_ssize_t size)
{
    char c;

    if (f == NULL) {
        return size == 1 ? IN_U8 : -1;
    }
    if (*f == '@' || *f == '=' || (*f == '<' && PY_LITTLE_ENDIAN) || ((*f == '>' || *f == '!') && !PY_LITTLE_ENDIAN)) {
        f++;
    }
    c = f[0];
    if (c == '\0' || f[1] != '\0') {
        return -1;
    }
    switch (c) {
    case 'B': return size == 1 ? IN_U8 : -1;
    case 'b': return size == 1 ? IN_S8 : -1;
    case 'e': return size == 2 ? IN_F16 : -1;
    case 'f': return size == 4 ? IN_F32 : -1;
    case 'd': return size == 8 ? IN_F64 : -1;
    case 'h': case 'i': case 'l': case 'q': case 'n':
        return size == 2 ? IN_S16 : size == 4 ? IN_S32 : size == 8 ? IN_S64 : -1;
    case 'H': case 'I': case 'L': case 'Q': case 'N':
        return size == 2 ? IN_U16 : size == 4 ? IN_U32 : size == 8 ? IN_U64 : -1;
    default:
        return -1;
    }
}

static const char *
what_items(const char *f)
{
    const char *c = f;
    if (c != NULL && (*c == '@' || *c == '=' || *c == '<' || *c == '>' || *c == '!')) {
        c++;
    }
    if (c == NULL) {
        return "unknown";
    }
    if (c[0] == 'Z') {
        return "complex numbers";
    }
    if (c[0] == 'O') {
        return "Python objects";
    }
    if (c[0] == '?') {
        return "booleans";
    }
    if (f[0] == '>' || f[0] == '!' || (f[0] == '<' && !PY_LITTLE_ENDIAN)) {
        return "numbers of the other byte order";
    }
    return NULL;
}

int
pyma_samples_in_open(pyma_samples_in *in, PyObject *obj, const pyma_format_info *fmt, ma_uint32 channels,
                     const char *argname)
{
    Py_buffer *v = &in->view;
    const char *items;
    ma_uint64 n;

    memset(in, 0, sizeof(*in));
    in->fmt = fmt;
    in->channels = channels;
    if (!PyObject_CheckBuffer(obj) || PyUnicode_Check(obj)) {
        PyErr_Format(PyExc_TypeError,
                     "%s must be bytes, bytearray, memoryview, array.array or a numpy array of numbers, not %.200s",
                     argname, Py_TYPE(obj)->tp_name);
        return -1;
    }
    if (PyObject_GetBuffer(obj, v, PyBUF_RECORDS_RO) < 0) {
        return -1;
    }
    in->held = 1;
    if (PyBytes_Check(obj) || PyByteArray_Check(obj) ||
        (PyMemoryView_Check(obj) && v->itemsize == 1 && item_kind(v->format, 1) >= 0)) {
        in->kind = IN_RAW;
        in->item_bytes = (ma_uint32)fmt->width;
        if (v->len % ((Py_ssize_t)fmt->width * channels) != 0) {
            PyErr_Format(PyExc_ValueError,
                         "%s has %zd bytes, not a whole number of %u-byte frames (%u channels of %s samples): raw "
                         "bytes must hold whole frames in the device's format",
                         argname, v->len, (unsigned)(fmt->width * channels), (unsigned)channels,
                         ma_get_format_name(fmt->format));
            goto fail;
        }
    }
    else {
        in->kind = item_kind(v->format, v->itemsize);
        if (in->kind < 0) {
            items = what_items(v->format);
            PyErr_Format(PyExc_TypeError, "%s holds %s (buffer format '%s'): give real numbers (integers or floats)",
                         argname, items != NULL ? items : "items of an unsupported type", v->format ? v->format : "B");
            goto fail;
        }
        in->item_bytes = (ma_uint32)v->itemsize;
        if (v->ndim > 2 || v->ndim == 0) {
            PyErr_Format(PyExc_ValueError, "%s must be 1-D (interleaved samples) or 2-D (frames, channels), not %d-D",
                         argname, v->ndim);
            goto fail;
        }
        if (v->ndim == 2 && v->shape[1] != (Py_ssize_t)channels) {
            PyErr_Format(PyExc_ValueError, "%s is a (%zd, %zd) array but the device has %u channel%s%s", argname,
                         v->shape[0], v->shape[1], (unsigned)channels, channels == 1 ? "" : "s",
                         v->shape[0] == (Py_ssize_t)channels ? ": give (frames, channels), e.g. data.T" : "");
            goto fail;
        }
        if ((v->len / v->itemsize) % channels != 0) {
            PyErr_Format(PyExc_ValueError, "%s has %zd samples, not a whole number of %u-channel frames", argname,
                         v->len / v->itemsize, (unsigned)channels);
            goto fail;
        }
    }
    if (PyBuffer_IsContiguous(v, 'C')) {
        in->data = (const char *)v->buf;
    }
    else {
        in->copy = (char *)PyMem_Malloc(v->len > 0 ? (size_t)v->len : 1);
        if (in->copy == NULL) {
            PyErr_NoMemory();
            goto fail;
        }
        if (PyBuffer_ToContiguous(in->copy, v, v->len, 'C') < 0) {
            goto fail;
        }
        in->data = in->copy;
    }
    n = (ma_uint64)v->len / ((ma_uint64)in->item_bytes * channels);
    in->frames = n;
    return 0;
fail:
    pyma_samples_in_release(in);
    return -1;
}

void
pyma_samples_in_release(pyma_samples_in *in)
{
    if (in->copy != NULL) {
        PyMem_Free(in->copy);
        in->copy = NULL;
    }
    if (in->held) {
        PyBuffer_Release(&in->view);
        in->held = 0;
    }
}

/* IEEE half to float, exact (subnormals, infinities and NaN included). */
static float
half_to_float(ma_uint16 h)
{
    ma_uint32 sign = (ma_uint32)(h & 0x8000) << 16, exp = (h >> 10) & 0x1f, man = h & 0x3ff, bits;
    float f;

    if (exp == 0) {
        f = (float)man / 16777216.0f; /* man * 2^-24 */
        return sign ? -f : f;
    }
    if (exp == 31) {
        bits = sign | 0x7f800000u | (man << 13);
    }
    else {
        bits = sign | ((exp + 112) << 23) | (man << 13);
    }
    memcpy(&f, &bits, 4);
    return f;
}

void
pyma_samples_in_copy(const pyma_samples_in *in, ma_uint64 first, ma_uint64 frames, void *dst)
{
    const char *src = in->data + first * in->item_bytes * in->channels;
    ma_uint64 samples = frames * in->channels, done = 0, k, step;
    ma_format out = in->fmt->format;
    union {
        float f[256];
        ma_int32 i[256];
    } tmp;

    switch (in->kind) {
    case IN_RAW:
        memcpy(dst, src, (size_t)(samples * in->item_bytes));
        return;
    case IN_U8:
        ma_pcm_convert(dst, out, src, ma_format_u8, samples, ma_dither_mode_none);
        return;
    case IN_S16:
        ma_pcm_convert(dst, out, src, ma_format_s16, samples, ma_dither_mode_none);
        return;
    case IN_S32:
        ma_pcm_convert(dst, out, src, ma_format_s32, samples, ma_dither_mode_none);
        return;
    case IN_F32:
        ma_pcm_convert(dst, out, src, ma_format_f32, samples, ma_dither_mode_none);
        return;
    default:
        break;
    }
    /* The other kinds go through 256-sample blocks: integers as s32 (exact to 32 bits), floats as f32. */
    while (done < samples) {
        step = samples - done < 256 ? samples - done : 256;
        int as_float = in->kind == IN_F16 || in->kind == IN_F64;
        for (k = 0; k < step; k++) {
            const char *p = src + (done + k) * in->item_bytes;
            switch (in->kind) {
            case IN_S8: { ma_int8 x; memcpy(&x, p, 1); tmp.i[k] = (ma_int32)((ma_uint32)(ma_int32)x << 24); break; }
            case IN_U16: { ma_uint16 x; memcpy(&x, p, 2); tmp.i[k] = (ma_int32)(((ma_uint32)x << 16) ^ 0x80000000u); break; }
            case IN_U32: { ma_uint32 x; memcpy(&x, p, 4); tmp.i[k] = (ma_int32)(x ^ 0x80000000u); break; }
            case IN_S64: { ma_int64 x; memcpy(&x, p, 8); tmp.i[k] = (ma_int32)(x >> 32); break; }
            case IN_U64: { ma_uint64 x; memcpy(&x, p, 8); tmp.i[k] = (ma_int32)((ma_uint32)(x >> 32) ^ 0x80000000u); break; }
            case IN_F16: { ma_uint16 x; memcpy(&x, p, 2); tmp.f[k] = half_to_float(x); break; }
            case IN_F64: { double x; memcpy(&x, p, 8); tmp.f[k] = x > FLT_MAX ? INFINITY : x < -FLT_MAX ? -INFINITY : (float)x; break; }
            default: tmp.i[k] = 0; break;
            }
        }
        ma_pcm_convert((char *)dst + done * in->fmt->width, out, as_float ? (void *)tmp.f : (void *)tmp.i,
                       as_float ? ma_format_f32 : ma_format_s32, step, ma_dither_mode_none);
        done += step;
    }
}

const char pyma_samples_to_format_doc[] =
    "_samples_to_format(data, format, nchannels, /)\n--\n\n"
    "The frames of `data` as write() would queue them for a device of `format` and `nchannels`: bytes\n"
    "in that format.  (Used by tests and by the file writers.)";

PyObject *
pyma_samples_to_format(PyObject *module, PyObject *args)
{
    PyObject *data, *fmt_obj, *out;
    long fmt, channels;
    pyma_samples_in in;
    const pyma_format_info *info;

    (void)module;
    if (!PyArg_ParseTuple(args, "OOl:_samples_to_format", &data, &fmt_obj, &channels)) {
        return NULL;
    }
    if (pyma_arg(fmt_obj, PYMA_ARG_FORMAT, 0, "format", &fmt) < 0) {
        return NULL;
    }
    info = pyma_format_info_get((ma_format)fmt);
    if (info == NULL || channels < 1 || channels > MA_MAX_CHANNELS) {
        PyErr_SetString(PyExc_ValueError, "_samples_to_format: bad format or channel count");
        return NULL;
    }
    if (pyma_samples_in_open(&in, data, info, (ma_uint32)channels, "data") < 0) {
        return NULL;
    }
    out = PyBytes_FromStringAndSize(NULL, (Py_ssize_t)(in.frames * (ma_uint64)info->width * (ma_uint64)channels));
    if (out != NULL) {
        pyma_samples_in_copy(&in, 0, in.frames, PyBytes_AS_STRING(out));
    }
    pyma_samples_in_release(&in);
    return out;
}
