/* convert.c: sample format conversion and full frame conversion (format, channels, rate).
 *
 * Both take any C-contiguous buffer, check that it holds a whole number of samples/frames,
 * allocate the bytearray result once at its final size and fill it with the GIL released
 * (touching only the held input view and the output bytearray, which nobody else has yet).
 */
#include "_miniaudio.h"

/* A new bytearray of `size` bytes, uninitialised (GIL held), or NULL. */
static PyObject *
new_bytearray(ma_uint64 size)
{
    if (size > (ma_uint64)PY_SSIZE_T_MAX) {
        return PyErr_NoMemory();
    }
    return PyByteArray_FromStringAndSize(NULL, (Py_ssize_t)size);
}

const char pyma_convert_sample_format_doc[] =
    "convert_sample_format($module, /, from_fmt, sourcedata, to_fmt, dither=0)\n--\n\n"
    "Convert raw PCM samples in from_fmt to to_fmt; returns a bytearray.";

PyObject *
pyma_convert_sample_format(PyObject *module, PyObject *args, PyObject *kwargs)
{
    static char *kwlist[] = {"from_fmt", "sourcedata", "to_fmt", "dither", NULL};
    PyObject *data, *from_obj, *to_obj, *dither_obj = NULL, *result = NULL;
    long from_fmt, to_fmt, dither = 0;
    Py_buffer in = {0};
    const pyma_format_info *src, *dst;
    ma_uint64 samples;

    (void)module;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "OOO|O:convert_sample_format", kwlist, &from_obj, &data, &to_obj,
                                     &dither_obj) ||
        pyma_arg(from_obj, PYMA_ARG_FORMAT, 0, "from_fmt", &from_fmt) < 0 ||
        pyma_arg(to_obj, PYMA_ARG_FORMAT, 0, "to_fmt", &to_fmt) < 0 ||
        pyma_arg(dither_obj, PYMA_ARG_DITHER, 0, "dither", &dither) < 0) {
        return NULL;
    }
    if (pyma_get_read_buffer(data, &in, "sourcedata") < 0) {
        return NULL;
    }
    src = pyma_format_info_get((ma_format)from_fmt);
    dst = pyma_format_info_get((ma_format)to_fmt);
    if (in.len % src->width != 0) {
        PyErr_Format(PyExc_ValueError, "sourcedata length %zd is not a whole number of %d-byte %s samples", in.len,
                     src->width, ma_get_format_name(src->format));
        goto exit;
    }
    samples = (ma_uint64)in.len / (ma_uint64)src->width;
    result = new_bytearray(samples * (ma_uint64)dst->width);
    if (result == NULL) {
        goto exit;
    }
    if (samples > 0) {
        char *out = PyByteArray_AS_STRING(result);
        Py_BEGIN_ALLOW_THREADS
        ma_pcm_convert(out, dst->format, in.buf, src->format, samples, (ma_dither_mode)dither);
        Py_END_ALLOW_THREADS
    }
exit:
    PyBuffer_Release(&in);
    return result;
}

const char pyma_convert_frames_doc[] =
    "convert_frames($module, /, from_fmt, from_numchannels, from_samplerate, sourcedata, to_fmt,\n"
    "               to_numchannels, to_samplerate, dither=0, channel_mix=0, resampler_order=4)\n--\n\n"
    "Convert PCM frames to another sample format, channel count and sample rate; returns a bytearray.";

PyObject *
pyma_convert_frames(PyObject *module, PyObject *args, PyObject *kwargs)
{
    static char *kwlist[] = {"from_fmt",      "from_numchannels", "from_samplerate", "sourcedata",
                             "to_fmt",        "to_numchannels",   "to_samplerate",   "dither",
                             "channel_mix", "resampler_order", NULL};
    pyma_state *st = pyma_get_state(module);
    PyObject *data, *result = NULL;
    PyObject *from_fmt_obj, *from_ch_obj, *from_rate_obj, *to_fmt_obj, *to_ch_obj, *to_rate_obj;
    PyObject *dither_obj = NULL, *mix_obj = NULL, *lpf_obj = NULL;
    long from_fmt, from_ch, from_rate, to_fmt, to_ch, to_rate, dither = 0, mix = 0, lpf = 4;
    Py_buffer in = {0};
    const pyma_format_info *src, *dst;
    ma_data_converter_config config;
    ma_data_converter converter;
    ma_uint64 in_frames, out_frames = 0, in_done, out_done;
    ma_result r;

    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "OOOOOOO|OOO:convert_frames", kwlist, &from_fmt_obj, &from_ch_obj,
                                     &from_rate_obj, &data, &to_fmt_obj, &to_ch_obj, &to_rate_obj, &dither_obj,
                                     &mix_obj, &lpf_obj) ||
        pyma_arg(from_fmt_obj, PYMA_ARG_FORMAT, 0, "from_fmt", &from_fmt) < 0 ||
        pyma_arg(from_ch_obj, PYMA_ARG_CHANNELS, 0, "from_numchannels", &from_ch) < 0 ||
        pyma_arg(from_rate_obj, PYMA_ARG_SAMPLE_RATE, 0, "from_samplerate", &from_rate) < 0 ||
        pyma_arg(to_fmt_obj, PYMA_ARG_FORMAT, 0, "to_fmt", &to_fmt) < 0 ||
        pyma_arg(to_ch_obj, PYMA_ARG_CHANNELS, 0, "to_numchannels", &to_ch) < 0 ||
        pyma_arg(to_rate_obj, PYMA_ARG_SAMPLE_RATE, 0, "to_samplerate", &to_rate) < 0 ||
        pyma_arg(dither_obj, PYMA_ARG_DITHER, 0, "dither", &dither) < 0 ||
        pyma_arg(mix_obj, PYMA_ARG_CHANNEL_MIX, 0, "channel_mix", &mix) < 0 ||
        pyma_arg(lpf_obj, PYMA_ARG_LPF_ORDER, 0, "resampler_order", &lpf) < 0) {
        return NULL;
    }
    if (pyma_get_read_buffer(data, &in, "sourcedata") < 0) {
        return NULL;
    }
    src = pyma_format_info_get((ma_format)from_fmt);
    dst = pyma_format_info_get((ma_format)to_fmt);
    if (in.len % (src->width * from_ch) != 0) {
        PyErr_Format(PyExc_ValueError, "sourcedata length %zd is not a whole number of frames (%ld channels of %d bytes)",
                     in.len, from_ch, src->width);
        goto exit;
    }
    in_frames = (ma_uint64)in.len / (ma_uint64)(src->width * from_ch);

    config = ma_data_converter_config_init(src->format, dst->format, (ma_uint32)from_ch, (ma_uint32)to_ch,
                                           (ma_uint32)from_rate, (ma_uint32)to_rate);
    config.ditherMode = (ma_dither_mode)dither;
    config.channelMixMode = (ma_channel_mix_mode)mix;
    config.resampling.linear.lpfOrder = (ma_uint32)lpf;
    r = ma_data_converter_init(&config, NULL, &converter);
    if (pyma_check(st, r, PYMA_ERR_MINIAUDIO, "cannot set up the conversion") < 0) {
        goto exit;
    }
    if (in_frames > 0) {
        r = ma_data_converter_get_expected_output_frame_count(&converter, in_frames, &out_frames);
        if (r != MA_SUCCESS) {
            /* ceil(in_frames * to_rate / from_rate); cannot overflow: rates <= 384000. */
            out_frames = (in_frames * (ma_uint64)to_rate + (ma_uint64)from_rate - 1) / (ma_uint64)from_rate;
        }
    }
    if (out_frames > (ma_uint64)PY_SSIZE_T_MAX / (ma_uint64)(dst->width * to_ch)) {
        PyErr_NoMemory();
        goto uninit;
    }
    result = new_bytearray(out_frames * (ma_uint64)(dst->width * to_ch));
    if (result == NULL) {
        goto uninit;
    }
    in_done = in_frames;
    out_done = out_frames;
    if (in_frames > 0 && out_frames > 0) {
        char *out = PyByteArray_AS_STRING(result);
        Py_BEGIN_ALLOW_THREADS
        r = ma_data_converter_process_pcm_frames(&converter, in.buf, &in_done, out, &out_done);
        Py_END_ALLOW_THREADS
        if (pyma_check(st, r, PYMA_ERR_MINIAUDIO, "conversion failed") < 0) {
            Py_CLEAR(result);
            goto uninit;
        }
        if (out_done < out_frames &&
            PyByteArray_Resize(result, (Py_ssize_t)(out_done * (ma_uint64)(dst->width * to_ch))) < 0) {
            Py_CLEAR(result);
        }
    }
uninit:
    ma_data_converter_uninit(&converter, NULL);
exit:
    PyBuffer_Release(&in);
    return result;
}
