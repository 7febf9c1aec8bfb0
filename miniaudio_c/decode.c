/* decode.c: whole-file decoding and file information, one table-free path for every format.
 *
 * Every per-format function of the public API (wav_read_s16, flac_read_file_f32, decode_file,
 * get_file_info, ...) ends up here with a source (a path or a buffer), an encoding (or 0 to detect
 * it from the content) and an output format.  Decoding writes straight into one buffer that then
 * becomes the array.array returned (pcmbuf.c): no zero fill, no intermediate copy of the PCM data.
 * The GIL is released around every decoder call; while released, only the decoder, the held input
 * view and that buffer are touched.
 * The output never exceeds a bound (max_output_bytes, by default relative to the input's size):
 * refused up front when the declared length already exceeds it, and enforced while growing.
 */
#include "_miniaudio.h"


/* Never pre-allocate more output frames than this many per input byte (plus a floor) on the
 * word of a header alone: a 1 KB file claiming hours of audio must not reserve gigabytes.
 * Real files that decode to more than this simply grow the array. */
#define FRAMES_PER_INPUT_BYTE_BOUND 16
#define MIN_CAPACITY_FRAMES 65536
/* How far a resampled length (pyma_decoder_get_length, the resampler's exact count) may be from
 * the frames the resampler really gives: kept as a guard against a backend whose count is off. */
#define RESAMPLED_LENGTH_SLACK 16

/* The default bound on the output of one decode (max_output_bytes=None): the larger of 64 MiB and
 * 4096 output bytes per input byte.  Real files stay far below the ratio (16-bit stereo at 44.1 kHz
 * is 1411 kbit/s: 4096 times that is a 0.35 kbit/s input), while a resampling ratio (a file that
 * claims 1 Hz) or a codec's own amplification (FLAC constant subframes, Vorbis silence) would turn
 * kilobytes into gigabytes.  Documented in docs/decoding.rst and OutputTooLargeError's docstring. */
#define DEFAULT_OUTPUT_FLOOR ((ma_uint64)64 << 20)
#define DEFAULT_OUTPUT_PER_INPUT_BYTE 4096

/* a * b, saturating at MA_UINT64_MAX. */
static ma_uint64
mul_sat(ma_uint64 a, ma_uint64 b)
{
    return (b != 0 && a > MA_UINT64_MAX / b) ? MA_UINT64_MAX : a * b;
}

/* Reads max_output_bytes (GIL held): omitted or None -> *out = 0 (the default bound); an int >= 1
 * -> that many bytes (ints past 2**64 saturate: "no bound").  -1 with TypeError/ValueError. */
static int
output_bound_arg(PyObject *obj, ma_uint64 *out)
{
    PyObject *number;
    long long value;
    int overflow = 0;

    *out = 0;
    if (obj == NULL || obj == Py_None) {
        return 0;
    }
    if (PyBool_Check(obj) || !PyIndex_Check(obj)) {
        PyErr_Format(PyExc_TypeError, "max_output_bytes must be an int (a number of bytes) or None, not %.200s",
                     Py_TYPE(obj)->tp_name);
        return -1;
    }
    number = PyNumber_Index(obj);
    if (number == NULL) {
        return -1;
    }
    value = PyLong_AsLongLongAndOverflow(number, &overflow);
    Py_DECREF(number);
    if (value == -1 && PyErr_Occurred()) {
        return -1;
    }
    if (overflow < 0 || (overflow == 0 && value <= 0)) {
        PyErr_Format(PyExc_ValueError, "max_output_bytes must be at least 1 (or None for the default bound), not %R",
                     obj);
        return -1;
    }
    *out = overflow > 0 ? MA_UINT64_MAX : (ma_uint64)value;
    return 0;
}

static ma_decoder_config
native_config(ma_encoding_format encoding)
{
    ma_decoder_config config = ma_decoder_config_init(ma_format_unknown, 0, 0);
    config.encodingFormat = encoding;
    return config;
}

const char pyma_get_info_doc[] =
    "get_info($module, source, /, from_file, encoding, info_only=True, tags=False)\n--\n\n"
    "Open `source` (a filename if from_file, else a bytes-like object) with the decoder for\n"
    "`encoding` (0 = detect from the content) and return (encoding, nchannels, sample_rate,\n"
    "sample_format, num_frames, sub_format), sub_format being the WAV format tag or None.\n"
    "info_only=False opens the full decoder (the answers are the same; tests compare them).\n"
    "tags=True adds the tags dict as a 7th item (read as read_tags() reads them, {} when they\n"
    "cannot be read), through the file the decoder's MP3-in-WAV search already opened.";

PyObject *
pyma_get_info(PyObject *module, PyObject *args, PyObject *kwargs)
{
    static char *kwlist[] = {"", "from_file", "encoding", "info_only", "tags", NULL};
    pyma_state *st = pyma_get_state(module);
    PyObject *obj, *encoding_obj, *result = NULL, *tags = NULL;
    int from_file, info_only = 1, want_tags = 0;
    long encoding;
    pyma_source src;
    ma_decoder_config config;
    ma_uint64 frames = 0;
    ma_result r;

    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "OpO|pp:get_info", kwlist, &obj, &from_file, &encoding_obj,
                                     &info_only, &want_tags) ||
        pyma_arg(encoding_obj, PYMA_ARG_ENCODING, 1, "file_format", &encoding) < 0) {
        return NULL;
    }
    if (pyma_source_take(&src, obj, from_file, (ma_encoding_format)encoding) < 0) {
        return NULL;
    }
    src.keep_probe = want_tags;
    config = native_config(src.encoding);
    /* Only the format and the length are asked: stb_vorbis then builds no decoding tables and
     * counts the frames without decoding audio, with the same answers and errors (patches 0047,
     * 0048).  The decoder is closed below and never reads frames for the user. */
    config.infoOnly = info_only ? MA_TRUE : MA_FALSE;
    if (pyma_source_open(st, &src, &config) < 0) {
        goto exit;
    }
    Py_BEGIN_ALLOW_THREADS
    /* For an MP3 without a Xing/LAME header this decodes the whole file (as 1.71 does). */
    r = ma_decoder_get_length_in_pcm_frames(&src.decoder, &frames);
    Py_END_ALLOW_THREADS
    if (r != MA_SUCCESS && r != MA_NOT_IMPLEMENTED) {
        pyma_raise(st, r, PYMA_ERR_DECODE, "cannot determine the length of %s", src.path ? "the file" : "the data");
        goto exit;
    }
    if (want_tags) {
        tags = pyma_tags_of_source(&src, src.desc.encoding);
        if (tags == NULL) {
            goto exit;
        }
    }
    if (src.desc.sub_format >= 0) {
        result = Py_BuildValue(tags ? "iIIiKiO" : "iIIiKi", (int)src.desc.encoding, src.desc.channels,
                               src.desc.sample_rate, (int)src.desc.file_format, (unsigned long long)frames,
                               src.desc.sub_format, tags);
    }
    else {
        result = Py_BuildValue(tags ? "iIIiKOO" : "iIIiKO", (int)src.desc.encoding, src.desc.channels,
                               src.desc.sample_rate, (int)src.desc.file_format, (unsigned long long)frames,
                               Py_None, tags);
    }
exit:
    Py_XDECREF(tags);
    pyma_source_release(&src);
    return result;
}

/* ---- decoding into an array.array ---------------------------------------------------------- */

int
pyma_zero_item_index(char typecode)
{
    switch (typecode) {
    case 'B': return 0;
    case 'h': return 1;
    case 'i': return 2;
    default: return 3; /* 'f' */
    }
}

PyObject *
pyma_new_sample_array(pyma_state *st, char typecode, Py_ssize_t items)
{
    /* array * n allocates once and fills by doubling memcpy. */
    return PySequence_Repeat(st->zero_items[pyma_zero_item_index(typecode)], items);
}

/* Reads frames into out[done..capacity) until it is full or the decoder ends.  No Python API:
 * called with the GIL released.  Sets *at_end when the decoder has no more frames.  When `out`
 * fills up exactly, one more frame is read into `spare` (frame_bytes long) to tell whether the
 * decoder has ended, so that an exact length estimate never makes the array grow; *spare_used
 * says whether that frame holds data the caller must keep. */
static ma_result
read_frames(ma_decoder *decoder, char *out, ma_uint64 frame_bytes, ma_uint64 capacity, ma_uint64 *done, int *at_end,
            void *spare, int *spare_used)
{
    ma_uint64 got;
    ma_result r;

    *spare_used = 0;
    while (*done < capacity) {
        got = 0;
        r = pyma_decoder_read(decoder, out + *done * frame_bytes, capacity - *done, &got);
        *done += got;
        if (r == MA_AT_END || (r == MA_SUCCESS && got == 0)) {
            *at_end = 1;
            return MA_SUCCESS;
        }
        if (r != MA_SUCCESS) {
            return r;
        }
    }
    got = 0;
    r = pyma_decoder_read(decoder, spare, 1, &got);
    if (r == MA_AT_END || (r == MA_SUCCESS && got == 0)) {
        *at_end = 1;
        return MA_SUCCESS;
    }
    *spare_used = got == 1;
    return r;
}

int
pyma_raise_none_decodable(pyma_state *st, const pyma_source *src, ma_uint64 announced)
{
    if (src->path != NULL) {
        return pyma_raise(st, MA_INVALID_DATA, PYMA_ERR_DECODE, "cannot decode file %R: it is truncated or corrupt "
                          "(%llu frames announced, none decodable)", src->name, (unsigned long long)announced);
    }
    return pyma_raise(st, MA_INVALID_DATA, PYMA_ERR_DECODE, "cannot decode the data: it is truncated or corrupt "
                      "(%llu frames announced, none decodable)", (unsigned long long)announced);
}

/* How many output frames to allocate up front: the decoder's length when it is cheap to know,
 * bounded by what the input size makes plausible.  *declared is set to that length (output frames)
 * when known, and *plausible to 1 when it is within the bound: only then is it trusted to refuse
 * the decode up front (a header claiming 0xFFFFFFFF bytes must not refuse a small file).  No
 * Python API (GIL released). */
static ma_uint64
initial_capacity(pyma_source *src, ma_uint64 *declared, int *plausible)
{
    ma_uint64 length = 0, bound;
    ma_uint32 in_rate = src->desc.sample_rate, out_rate = src->decoder.outputSampleRate;

    bound = src->input_size * FRAMES_PER_INPUT_BYTE_BOUND + MIN_CAPACITY_FRAMES;
    if (in_rate != 0 && out_rate > in_rate) {
        bound = bound / in_rate * out_rate + MIN_CAPACITY_FRAMES;
    }
    if (!src->desc.length_is_cheap || pyma_decoder_get_length(&src->decoder, &length) != MA_SUCCESS ||
        length == 0) {
        return MIN_CAPACITY_FRAMES < bound ? MIN_CAPACITY_FRAMES : bound;
    }
    *declared = length;
    *plausible = length <= bound;
    if (in_rate != out_rate) {
        length += RESAMPLED_LENGTH_SLACK; /* a guard: pyma_decoder_get_length is the resampler's count */
    }
    return length < bound ? length : bound;
}

const char pyma_decode_doc[] =
    "decode($module, source, /, from_file, encoding, output_format, nchannels, sample_rate,\n"
    "       dither=0, channel_mix=0, resampler_order=4, max_output_bytes=None)\n--\n\n"
    "Decode all of `source` (a filename if from_file, else a bytes-like object) with the decoder\n"
    "for `encoding` (0 = detect).  output_format, nchannels and sample_rate may be 0 for the\n"
    "file's own.  OutputTooLargeError if the samples would exceed max_output_bytes (None: the\n"
    "larger of 64 MiB and 4096 x the input's size).\n"
    "Returns (samples: array.array, nchannels, sample_rate, sample_format).";

PyObject *
pyma_decode(PyObject *module, PyObject *args, PyObject *kwargs)
{
    static char *kwlist[] = {"",       "from_file", "encoding",    "output_format",   "nchannels",
                             "sample_rate", "dither", "channel_mix", "resampler_order", "max_output_bytes", NULL};
    pyma_state *st = pyma_get_state(module);
    PyObject *obj, *array = NULL, *result = NULL;
    char *buf = NULL, *grown;
    PyObject *encoding_obj, *format_obj, *channels_obj, *rate_obj, *dither_obj = NULL, *mix_obj = NULL, *lpf_obj = NULL;
    PyObject *bound_obj = NULL;
    int from_file;
    long encoding, format, channels, rate, dither = 0, mix = 0, lpf = 4;
    pyma_source src;
    ma_decoder_config config;
    const pyma_format_info *fmt;
    ma_uint64 capacity = 0, done = 0, declared = 0, frame_bytes, limit, limit_frames, slack;
    char spare[MA_MAX_CHANNELS * 4]; /* one frame of the widest format */
    int at_end = 0, spare_used = 0, plausible = 0;
    ma_result r = MA_SUCCESS;

    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "OpOOOO|OOOO:decode", kwlist, &obj, &from_file, &encoding_obj,
                                     &format_obj, &channels_obj, &rate_obj, &dither_obj, &mix_obj, &lpf_obj,
                                     &bound_obj) ||
        pyma_arg(encoding_obj, PYMA_ARG_ENCODING, 1, "file_format", &encoding) < 0 ||
        pyma_arg(format_obj, PYMA_ARG_FORMAT, 1, "output_format", &format) < 0 ||
        pyma_arg(channels_obj, PYMA_ARG_CHANNELS, 1, "nchannels", &channels) < 0 ||
        pyma_arg(rate_obj, PYMA_ARG_SAMPLE_RATE, 1, "sample_rate", &rate) < 0 ||
        pyma_arg(dither_obj, PYMA_ARG_DITHER, 0, "dither", &dither) < 0 ||
        pyma_arg(mix_obj, PYMA_ARG_CHANNEL_MIX, 0, "channel_mix", &mix) < 0 ||
        pyma_arg(lpf_obj, PYMA_ARG_LPF_ORDER, 0, "resampler_order", &lpf) < 0 ||
        output_bound_arg(bound_obj, &limit) < 0) {
        return NULL;
    }
    if (format != 0 && pyma_format_info_get((ma_format)format)->typecode == '\0') {
        PyErr_SetString(PyExc_ValueError, "output_format SIGNED24 cannot be held in an array.array; decode to "
                                          "SIGNED32 or FLOAT32, or convert afterwards with convert_sample_format");
        return NULL;
    }
    if (pyma_source_take(&src, obj, from_file, (ma_encoding_format)encoding) < 0) {
        return NULL;
    }
    config = ma_decoder_config_init((ma_format)format, (ma_uint32)channels, (ma_uint32)rate);
    config.encodingFormat = src.encoding;
    config.ditherMode = (ma_dither_mode)dither;
    config.channelMixMode = (ma_channel_mix_mode)mix;
    config.resampling.linear.lpfOrder = (ma_uint32)lpf;
    if (pyma_source_open(st, &src, &config) < 0) {
        goto exit;
    }
    if (!src.desc.decodable) {
        pyma_raise(st, MA_FORMAT_NOT_SUPPORTED, PYMA_ERR_DECODE, "cannot decode %s: WAV codec 0x%04x is not supported",
                   src.path != NULL ? "the file" : "the data", (unsigned int)src.desc.sub_format);
        goto exit;
    }
    if (format == 0) {
        /* The file's own format: each decoder picks its own "native" output (FLAC, MP3 and Vorbis
         * would give f32), so reopen with the format the file actually holds. */
        format = src.desc.file_format;
        fmt = pyma_format_info_get((ma_format)format);
        if (fmt == NULL || fmt->typecode == '\0') {
            pyma_raise(st, MA_FORMAT_NOT_SUPPORTED, PYMA_ERR_MINIAUDIO,
                       "file has sample format %s that must be converted (use convert_to_16bit=True or "
                       "decode_file with an output_format)",
                       ma_get_format_name((ma_format)format));
            goto exit;
        }
        if (src.decoder.outputFormat != (ma_format)format) {
            config.format = (ma_format)format;
            config.encodingFormat = src.desc.encoding;
            Py_BEGIN_ALLOW_THREADS
            ma_decoder_uninit(&src.decoder);
            Py_END_ALLOW_THREADS
            src.decoder_ready = 0;
            if (pyma_source_open(st, &src, &config) < 0) {
                goto exit;
            }
        }
    }
    fmt = pyma_format_info_get(src.decoder.outputFormat);
    frame_bytes = (ma_uint64)fmt->width * src.decoder.outputChannels;

    Py_BEGIN_ALLOW_THREADS
    capacity = initial_capacity(&src, &declared, &plausible); /* may read the file's header/tail, no Python API */
    Py_END_ALLOW_THREADS
    if (limit == 0) {
        limit = mul_sat(src.input_size, DEFAULT_OUTPUT_PER_INPUT_BYTE);
        limit = limit > DEFAULT_OUTPUT_FLOOR ? limit : DEFAULT_OUTPUT_FLOOR;
    }
    limit_frames = limit / frame_bytes;
    slack = src.desc.sample_rate != src.decoder.outputSampleRate ? RESAMPLED_LENGTH_SLACK : 0;
    if (plausible && declared > slack && declared - slack > limit_frames) {
        /* The declared length alone is over the bound (by more than a resampled estimate can be
         * wrong, so that an output exactly at the bound is never refused): refuse before
         * allocating or decoding.  Within the slack, the growing loop below decides. */
        pyma_raise_output_too_large(st, src.path != NULL ? src.name : NULL, mul_sat(declared, frame_bytes), declared,
                                    src.input_size, limit);
        goto exit;
    }
    if (capacity > limit_frames) {
        capacity = limit_frames;
    }
    if (capacity > (ma_uint64)(PY_SSIZE_T_MAX / frame_bytes)) {
        PyErr_NoMemory();
        goto exit;
    }
    /* One buffer of the expected length, written by the decoder only (pcmbuf.c), grown by
     * realloc when the estimate was short, trimmed at the end and handed to the array. */
    buf = pyma_pcm_alloc((size_t)(capacity * frame_bytes));
    if (buf == NULL) {
        goto exit;
    }
    for (;;) {
        if (spare_used) { /* the frame read past the end of the buffer before it grew */
            memcpy(buf + done * frame_bytes, spare, frame_bytes);
            done += 1;
        }
        Py_BEGIN_ALLOW_THREADS
        /* Touches the decoder (ours), the input view (held) and buf (ours). */
        r = read_frames(&src.decoder, buf, frame_bytes, capacity, &done, &at_end, spare, &spare_used);
        Py_END_ALLOW_THREADS
        if (r != MA_SUCCESS) {
            if (src.path != NULL) {
                pyma_raise(st, r, PYMA_ERR_DECODE, "error while decoding file %R", src.name);
            }
            else {
                pyma_raise(st, r, PYMA_ERR_DECODE, "error while decoding data");
            }
            goto exit;
        }
        if (at_end) {
            break;
        }
        if (capacity >= limit_frames) {
            /* Full at the bound and the spare frame holds one more: whatever the header said (or
             * did not say), the output is over the bound.  The partial buffer is dropped at exit. */
            pyma_raise_output_too_large(st, src.path != NULL ? src.name : NULL, mul_sat(capacity + 1, frame_bytes), 0,
                                        src.input_size, limit);
            goto exit;
        }
        /* The estimate was short: grow by half (at least MIN_CAPACITY_FRAMES, at most up to the
         * bound) and go on. */
        ma_uint64 more = capacity / 2 > MIN_CAPACITY_FRAMES ? capacity / 2 : MIN_CAPACITY_FRAMES;
        if (more > limit_frames - capacity) {
            more = limit_frames - capacity;
        }
        if (capacity + more > (ma_uint64)(PY_SSIZE_T_MAX / frame_bytes)) {
            PyErr_NoMemory();
            goto exit;
        }
        grown = pyma_pcm_resize(buf, (size_t)(done * frame_bytes), (size_t)((capacity + more) * frame_bytes));
        if (grown == NULL) {
            goto exit;
        }
        buf = grown;
        capacity += more;
    }
    if (done == 0 && declared > 0 && src.desc.encoding != ma_encoding_format_mp3) {
        /* The header promised audio but not one frame decodes: truncated or corrupt, not silence.
         * (An MP3's Xing/Info count is a hint that a pipe cannot check: such an MP3 is empty from
         * every input, streams included.) */
        pyma_raise_none_decodable(st, &src, declared);
        goto exit;
    }
    if (done < capacity) {
        grown = pyma_pcm_resize(buf, (size_t)(done * frame_bytes), (size_t)(done * frame_bytes));
        if (grown == NULL) {
            goto exit;
        }
        buf = grown;
    }
    array = pyma_pcm_to_array(st, fmt->typecode, buf, (Py_ssize_t)(done * src.decoder.outputChannels));
    buf = NULL; /* the array's now, or freed */
    if (array == NULL) {
        goto exit;
    }
    result = Py_BuildValue("OIIi", array, src.decoder.outputChannels, src.decoder.outputSampleRate,
                           (int)src.decoder.outputFormat);
exit:
    Py_XDECREF(array);
    PyMem_Free(buf);
    pyma_source_release(&src);
    return result;
}
