/* wavwrite.c: writing PCM samples to a WAV file with dr_wav's writer.
 *
 * The format tag follows the samples: FLOAT32 is written as IEEE float (tag 3), every integer
 * format as PCM (tag 1), so that every file reads back exactly (1.71 labelled float data as
 * integer PCM).  A tag the caller asks for (1.71's sound.sub_format) is written only where it
 * agrees with the samples (pyma_wav_write).  At most num_frames frames are written (1.71 wrote
 * sound.num_frames).  We open the file ourselves so that a failure is a proper OSError with errno
 * and filename; the file is written with the GIL released and removed again if writing fails.
 */
#include "_miniaudio.h"

#include <errno.h>
#include <stdio.h>

const char pyma_wav_write_file_doc[] =
    "wav_write_file($module, /, filename, samples, nchannels, sample_rate, sample_format, num_frames=-1,\n"
    "               format_tag=0)\n--\n\n"
    "Write the interleaved PCM `samples` (any bytes-like object) to a WAV file: the first `num_frames`\n"
    "frames (-1 or more than there are: all), tagged `format_tag` where it agrees with the samples.";

PyObject *
pyma_wav_write_file(PyObject *module, PyObject *args, PyObject *kwargs)
{
    static char *kwlist[] = {"filename", "samples", "nchannels", "sample_rate", "sample_format", "num_frames",
                             "format_tag", NULL};
    pyma_state *st = pyma_get_state(module);
    PyObject *name, *path = NULL, *data, *channels_obj, *rate_obj, *format_obj, *result = NULL;
    long channels, rate, format, tag = 0;
    long long num_frames = -1;
    Py_buffer in = {0};
    const pyma_format_info *fmt;
    ma_uint64 frames, whole;
    FILE *file = NULL;
    int open_errno = 0, write_failed = 0;

    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "OOOOO|Ll:wav_write_file", kwlist, &name, &data, &channels_obj,
                                     &rate_obj, &format_obj, &num_frames, &tag) ||
        pyma_arg(channels_obj, PYMA_ARG_CHANNELS, 0, "nchannels", &channels) < 0 ||
        pyma_arg(rate_obj, PYMA_ARG_SAMPLE_RATE, 0, "sample_rate", &rate) < 0 ||
        pyma_arg(format_obj, PYMA_ARG_FORMAT, 0, "sample_format", &format) < 0) {
        return NULL;
    }
    if (!pyma_path_converter(name, &path)) {
        return NULL;
    }
    if (pyma_get_read_buffer(data, &in, "samples") < 0) {
        goto exit;
    }
    fmt = pyma_format_info_get((ma_format)format);
    whole = (ma_uint64)in.len / (ma_uint64)(fmt->width * channels);
    if (num_frames >= 0 && (ma_uint64)num_frames < whole) {
        frames = (ma_uint64)num_frames; /* a trimmed sound: what follows its frames is not written */
    }
    else if (in.len % (fmt->width * channels) != 0) {
        PyErr_Format(PyExc_ValueError, "samples length %zd bytes is not a whole number of frames (%ld channels of %d bytes)",
                     in.len, channels, fmt->width);
        goto exit;
    }
    else {
        frames = whole;
    }

    Py_BEGIN_ALLOW_THREADS
    /* Touches the path bytes and the input view (both held), the file and the writer (ours). */
    file = fopen(PyBytes_AS_STRING(path), "wb");
    if (file == NULL) {
        open_errno = errno;
    }
    else {
        errno = 0;
        write_failed = pyma_wav_write(file, fmt, tag, (ma_uint32)channels, (ma_uint32)rate, in.buf,
                                      frames) != MA_SUCCESS ||
                       ferror(file);
        if (fclose(file) != 0) {
            write_failed = 1;
        }
        if (write_failed) {
            open_errno = errno;
            remove(PyBytes_AS_STRING(path)); /* leave no truncated file behind */
        }
    }
    Py_END_ALLOW_THREADS

    if (file == NULL || (write_failed && open_errno != 0)) {
        errno = open_errno;
        PyErr_SetFromErrnoWithFilenameObject(PyExc_OSError, name);
        goto exit;
    }
    if (write_failed) {
        pyma_raise(st, MA_IO_ERROR, PYMA_ERR_MINIAUDIO, "cannot write WAV file %R", name);
        goto exit;
    }
    result = Py_NewRef(Py_None);
exit:
    Py_XDECREF(path);
    if (in.obj != NULL) {
        PyBuffer_Release(&in);
    }
    return result;
}
