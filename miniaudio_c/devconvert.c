/* devconvert.c: a device plays a stream whose format, channels or rate differ from its own by
 * converting on the audio thread with miniaudio's data converter.
 *
 * chain.c uses it too, one per member of another format than the chain's.
 * devrun.c makes the converter at start() (GIL held: the converter allocates there, never on the
 * audio thread) and frees it after the device has stopped; callback.c pulls through it.  The
 * stream's frames are pulled into a buffer of PYMA_DEVCONV_FRAMES input frames, which the
 * converter consumes as it produces the period.
 */
#include "_miniaudio.h"

#define PYMA_DEVCONV_FRAMES 1024

struct pyma_devconv {
    ma_data_converter conv;
    char *buf;             /* PYMA_DEVCONV_FRAMES input frames */
    ma_uint64 off, len;    /* the unconsumed input frames: buf[off, off + len) */
    ma_uint32 in_frame_bytes, out_frame_bytes;
    int ended;             /* the stream gave its last frames */
};

int
pyma_devconv_new(pyma_devconv **out, ma_format in_format, ma_uint32 in_channels, ma_uint32 in_rate,
                 ma_format out_format, ma_uint32 out_channels, ma_uint32 out_rate)
{
    pyma_devconv *c;
    ma_data_converter_config config;
    ma_result r;

    *out = NULL;
    c = PyMem_RawCalloc(1, sizeof(*c));
    if (c == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    c->in_frame_bytes = ma_get_bytes_per_frame(in_format, in_channels);
    c->out_frame_bytes = ma_get_bytes_per_frame(out_format, out_channels);
    c->buf = PyMem_RawMalloc((size_t)PYMA_DEVCONV_FRAMES * c->in_frame_bytes);
    if (c->buf == NULL) {
        PyMem_RawFree(c);
        PyErr_NoMemory();
        return -1;
    }
    config = ma_data_converter_config_init(in_format, out_format, in_channels, out_channels, in_rate, out_rate);
    /* The decoder's low-pass order (the converter's default is 1): a stream converted here gives the
     * frames it gives when opened at this rate (a chain's member equals that member decoded alone). */
    config.resampling.linear.lpfOrder = ma_decoder_config_init_default().resampling.linear.lpfOrder;
    r = ma_data_converter_init(&config, NULL, &c->conv);
    if (r != MA_SUCCESS) {
        PyMem_RawFree(c->buf);
        PyMem_RawFree(c);
        PyErr_Format(PyExc_ValueError, "cannot convert %s, %u channels, %u Hz to %s, %u channels, %u Hz (%s)",
                     ma_get_format_name(in_format), (unsigned)in_channels, (unsigned)in_rate,
                     ma_get_format_name(out_format), (unsigned)out_channels, (unsigned)out_rate, ma_result_description(r));
        return -1;
    }
    *out = c;
    return 0;
}

void
pyma_devconv_free(pyma_devconv *c)
{
    if (c != NULL) {
        ma_data_converter_uninit(&c->conv, NULL);
        PyMem_RawFree(c->buf);
        PyMem_RawFree(c);
    }
}

void
pyma_devconv_reset(pyma_devconv *c)
{
    ma_data_converter_reset(&c->conv);
    c->off = c->len = 0;
    c->ended = 0;
}

ma_result
pyma_devconv_pull(pyma_devconv *c, PyObject *stream, void *out, ma_uint64 frames, ma_uint64 *got)
{
    ma_uint64 in, produced;
    ma_result r = MA_SUCCESS;

    *got = 0;
    while (*got < frames) {
        if (c->len == 0 && !c->ended) {
            c->off = 0;
            r = pyma_stream_pull(stream, c->buf, PYMA_DEVCONV_FRAMES, &c->len);
            if (c->len < PYMA_DEVCONV_FRAMES) {
                c->ended = 1; /* pyma_stream_pull fills the buffer unless the stream ends */
            }
            if (r != MA_SUCCESS && r != MA_AT_END) {
                break;
            }
            r = MA_SUCCESS;
        }
        in = c->len;
        produced = frames - *got;
        ma_data_converter_process_pcm_frames(&c->conv, c->buf + c->off * c->in_frame_bytes, &in,
                                             (char *)out + *got * c->out_frame_bytes, &produced);
        c->off += in;
        c->len -= in;
        *got += produced;
        if (in == 0 && produced == 0 && (c->ended || c->len > 0)) {
            break; /* the end (the resampler keeps its last fraction of a frame), or no progress */
        }
    }
    return r;
}
