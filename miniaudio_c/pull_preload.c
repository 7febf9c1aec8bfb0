/* pull_preload.c: the preloaded kind of the source layer (pull.c), behind PreloadedSound.stream().
 *
 * A PreloadedSound (_preload.py) decodes its source once to float32 and keeps the samples in one
 * Python object (an array.array('f') that nothing else can reach or resize).  Each stream of it is
 * this kind: miniaudio's ma_audio_buffer_ref over that SAME memory (no copy, no decoding), with a
 * buffer export of the owner held until the stream is released, so the samples live as long as
 * any stream (a playing voice's included) or the PreloadedSound itself.  Reading is a memcpy from
 * the shared, never written memory: any number of streams read it at once, on any threads, without
 * the GIL.
 */
#include "_miniaudio.h"

typedef struct {
    pyma_pull base;
    ma_audio_buffer_ref ref; /* the frames: base.ds (reads, seeks within the length, the length) */
    Py_buffer view;          /* the owner's samples, exported until free (keeps the owner alive) */
} preload_pull;

/* Any frame: past the end lands at the end (ma_audio_buffer_ref refuses it), as a decoder's seek
 * does, so a Voice.seek() past the end ends the voice.  No Python API. */
static ma_result
preload_seek(pyma_pull *pull, ma_uint64 frame)
{
    preload_pull *p = (preload_pull *)pull;

    if (frame > p->ref.sizeInFrames) {
        frame = p->ref.sizeInFrames;
        pull->landed = frame;
    }
    return ma_audio_buffer_ref_seek_to_pcm_frame(&p->ref, frame);
}

static int
preload_traverse(pyma_pull *pull, visitproc visit, void *arg)
{
    Py_VISIT(((preload_pull *)pull)->view.obj);
    return 0;
}

/* GIL held (pyma_stream_release, or a failed construction); releasing the export may free the
 * samples (the last stream of a PreloadedSound that is gone). */
static void
preload_free(pyma_pull *pull)
{
    preload_pull *p = (preload_pull *)pull;

    ma_audio_buffer_ref_uninit(&p->ref);
    if (p->view.obj != NULL) {
        PyBuffer_Release(&p->view);
    }
    PyMem_Free(p);
}

const char pyma_preload_stream_doc[] =
    "_preload_stream($module, samples, nchannels, sample_rate, format_obj, frames_to_read, chunk_type, wrap,\n"
    "                loop, loop_start, loop_end, /)\n--\n\n"
    "A DecoderStream over `samples` (interleaved float32 frames, any C-contiguous buffer, not copied and\n"
    "held until the stream is released).  loop: 0 none, -1 forever, N passes of [loop_start, loop_end)\n"
    "(loop_end -1: the end); the Python caller checks the range.";

PyObject *
pyma_preload_stream(PyObject *module, PyObject *args)
{
    pyma_state *st = pyma_get_state(module);
    PyObject *samples, *format_obj, *wrap;
    unsigned int nchannels, sample_rate;
    Py_ssize_t frames_to_read;
    int chunk_type;
    long long loop, loop_start, loop_end;
    preload_pull *p;
    ma_uint64 frames;
    StreamObject *self;

    (void)st;
    if (!PyArg_ParseTuple(args, "OIIOniOLLL:_preload_stream", &samples, &nchannels, &sample_rate, &format_obj,
                          &frames_to_read, &chunk_type, &wrap, &loop, &loop_start, &loop_end)) {
        return NULL;
    }
    if (nchannels < 1 || nchannels > MA_MAX_CHANNELS || sample_rate < 1 || loop < -1 || loop_start < 0 ||
        loop_end < -1) {
        PyErr_SetString(PyExc_ValueError, "_preload_stream: bad arguments");
        return NULL;
    }
    p = PyMem_Calloc(1, sizeof(*p));
    if (p == NULL) {
        return PyErr_NoMemory();
    }
    if (pyma_get_read_buffer(samples, &p->view, "samples") < 0) {
        PyMem_Free(p);
        return NULL;
    }
    if (p->view.len == 0 || p->view.len % ((Py_ssize_t)sizeof(float) * nchannels) != 0) {
        PyBuffer_Release(&p->view);
        PyMem_Free(p);
        PyErr_SetString(PyExc_ValueError, "_preload_stream: samples must be whole float32 frames, at least one");
        return NULL;
    }
    frames = (ma_uint64)p->view.len / (sizeof(float) * nchannels);
    /* A reference to the memory, not a copy: ma_audio_buffer_ref reads it with memcpy and seeks
     * within sizeInFrames; it never writes it. */
    if (ma_audio_buffer_ref_init(ma_format_f32, nchannels, p->view.buf, frames, &p->ref) != MA_SUCCESS) {
        PyBuffer_Release(&p->view);
        PyMem_Free(p);
        PyErr_SetString(PyExc_SystemError, "_preload_stream: ma_audio_buffer_ref_init failed");
        return NULL;
    }
    p->ref.sampleRate = sample_rate;
    p->base.ds = &p->ref;
    p->base.format = ma_format_f32;
    p->base.channels = nchannels;
    p->base.sample_rate = sample_rate;
    p->base.loop_passes = loop;
    p->base.loop_start = (ma_uint64)loop_start;
    p->base.loop_end = loop_end < 0 ? 0 : (ma_uint64)loop_end;
    p->base.seek = preload_seek;
    p->base.traverse = preload_traverse;
    p->base.free = preload_free;
    /* Takes the pull over (frees it on failure); the length comes from the buffer reference. */
    self = (StreamObject *)pyma_stream_over_pull(st->stream_type, &p->base, format_obj, frames_to_read, chunk_type,
                                                 wrap);
    return (PyObject *)self;
}

const char pyma_stream_endless_doc[] =
    "_stream_endless($module, stream, /)\n--\n\n"
    "Whether `stream` (a DecoderStream) never ends by itself: it loops forever, or it is a generator\n"
    "(Waveform, PulseWave, Noise).  False for a closed stream.  A chain or a processed stream over an\n"
    "endless one, or a mixer's stream, is not seen here (PreloadedSound bounds its read instead).";

PyObject *
pyma_stream_endless(PyObject *module, PyObject *arg)
{
    pyma_state *st = pyma_get_state(module);
    pyma_pull *pull;

    if (!PyObject_TypeCheck(arg, st->stream_type)) {
        PyErr_Format(PyExc_TypeError, "_stream_endless() takes a DecoderStream, not %.200s", Py_TYPE(arg)->tp_name);
        return NULL;
    }
    pull = ((StreamObject *)arg)->pull;
    /* `infinite` with a data source of its own: the generators (chains, processed streams and the
     * mixer set `infinite` with no data source: their reads are their own hooks). */
    return PyBool_FromLong(pull != NULL && (pull->loop_passes < 0 || (pull->infinite && pull->ds != NULL)));
}
