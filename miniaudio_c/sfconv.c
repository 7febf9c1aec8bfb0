/* sfconv.c: _sf_to_pcm(data, sample_format), floats to a WAV file's integer samples by
 * libsndfile's rules (private: miniaudio.write(), which converts as soundfile.write() does).
 *
 * A float x becomes the 32-bit value rint(x * 2**31) (ties to even, as numpy.rint), clipped to
 * int32, NaN 0; that value is shifted down (arithmetic: it rounds towards minus infinity) to the
 * file's width: >> 16 for 16-bit, >> 8 for 24-bit (3 little-endian bytes), >> 24 plus 128 for
 * 8-bit (unsigned).  One pass in C with the GIL released, where numpy needed eight (and eight
 * arrays); _sf.py keeps the numpy version of the same rules for other inputs.
 */
#include "_miniaudio.h"

static inline ma_int32
sf_s32(double x)
{
    double d = x * 2147483648.0;

    if (d != d) {
        return 0;
    }
    if (d >= 2147483647.0) {
        return 0x7FFFFFFF;
    }
    if (d <= -2147483648.0) {
        return (ma_int32)0x80000000u;
    }
    /* rint, ties to even, without a libm call: adding 1.5 * 2**52 leaves the rounded integer
     * (exact for |d| < 2**51), subtracting it gives the rounded double. */
    d = (d + 6755399441055744.0) - 6755399441055744.0;
    return (ma_int32)d;
}

#define SF_LOOP(TIN)                                                                        \
    do {                                                                                    \
        const TIN *s = (const TIN *)src;                                                    \
        for (i = 0; i < n; i++) {                                                           \
            ma_int32 v = sf_s32((double)s[i]);                                              \
            switch (fmt) {                                                                  \
            case ma_format_u8: o[i] = (unsigned char)((v >> 24) + 128); break;              \
            case ma_format_s16: ((ma_int16 *)o)[i] = (ma_int16)(v >> 16); break;            \
            case ma_format_s24:                                                             \
                o[3 * i] = (unsigned char)(v >> 8);                                         \
                o[3 * i + 1] = (unsigned char)(v >> 16);                                    \
                o[3 * i + 2] = (unsigned char)(v >> 24);                                    \
                break;                                                                      \
            default: ((ma_int32 *)o)[i] = v; break;                                         \
            }                                                                               \
        }                                                                                   \
    } while (0)

/* n samples of src (doubles if is_double, else floats) into o as `fmt`.  No Python API. */
static void
sf_convert(const void *src, int is_double, unsigned char *o, ma_format fmt, size_t n)
{
    size_t i;

    if (is_double) {
        SF_LOOP(double);
    }
    else {
        SF_LOOP(float);
    }
}

const char pyma_sf_to_pcm_doc[] =
    "_sf_to_pcm(data, sample_format, /)\n--\n\n"
    "Private (miniaudio.write()): the C-contiguous float64 or float32 buffer `data` as little-endian samples of\n"
    "the integer SampleFormat `sample_format` (u8, s16, s24, s32), converted as libsndfile converts; bytes.";

PyObject *
pyma_sf_to_pcm(PyObject *module, PyObject *args)
{
    PyObject *data, *fmt_obj, *result;
    Py_buffer view;
    long fmt;
    int is_double, width;
    const char *code;
    size_t n;

    (void)module;
    if (!PyArg_ParseTuple(args, "OO:_sf_to_pcm", &data, &fmt_obj)) {
        return NULL;
    }
    fmt = PyLong_AsLong(fmt_obj);
    if (fmt == -1 && PyErr_Occurred()) {
        return NULL;
    }
    width = fmt == ma_format_u8 ? 1 : fmt == ma_format_s16 ? 2 : fmt == ma_format_s24 ? 3 : fmt == ma_format_s32 ? 4 : 0;
    if (width == 0) {
        PyErr_Format(PyExc_ValueError, "_sf_to_pcm() makes u8, s16, s24 or s32 samples, not format %ld", fmt);
        return NULL;
    }
    if (PyObject_GetBuffer(data, &view, PyBUF_C_CONTIGUOUS | PyBUF_FORMAT) < 0) {
        return NULL;
    }
    code = view.format != NULL ? view.format : "B";
    while (*code == '<' || *code == '=' || *code == '@') {
        code++;
    }
    is_double = code[0] == 'd' && view.itemsize == 8;
    if (!(is_double || (code[0] == 'f' && view.itemsize == 4)) || code[1] != '\0') {
        PyErr_SetString(PyExc_TypeError, "_sf_to_pcm() converts float64 or float32 data");
        PyBuffer_Release(&view);
        return NULL;
    }
    n = (size_t)(view.len / view.itemsize);
    result = PyBytes_FromStringAndSize(NULL, (Py_ssize_t)(n * (size_t)width));
    if (result != NULL) {
        unsigned char *o = (unsigned char *)PyBytes_AS_STRING(result);
        Py_BEGIN_ALLOW_THREADS
        /* Touches the caller's buffer (an export held) and the new bytes (not shared yet). */
        sf_convert(view.buf, is_double, o, (ma_format)fmt, n);
        Py_END_ALLOW_THREADS
    }
    PyBuffer_Release(&view);
    return result;
}
