/* pull_queue.c: queue streams, a pyma_pull kind (the source layer, pull.c) over miniaudio's lock-free
 * ring buffer (ma_pcm_rb): frames written in by a Python thread, read out by whichever thread pulls
 * the stream (a mixer's reader on a device's audio thread, or render()).
 *
 * This is how a mixer plays a Python generator (_mixer_feed.py): the generator runs on a Python
 * thread of ours (or in render() itself) ahead of the reader, its chunks converted to the queue's
 * format on the way in (samples_in.c), and the reader takes them without the GIL.  One writer and one
 * reader (ma_pcm_rb is single-producer, single-consumer): the writer is whoever holds the GIL and
 * calls _queue_write (the Python side keeps it to one feeder per queue), the reader the stream's
 * claimant.  Writes never wait: they put what fits and say how much, and the feeder comes back.
 *
 * A read that finds the ring empty before the input ended pads with silence and counts an
 * underflow (the generator was late: the mix goes on rather than waiting for the GIL); once the
 * input ended, the frames queued are read and then the stream ends.  A queue does not seek.
 */
#include "_miniaudio.h"

typedef struct {
    pyma_pull base;
    ma_pcm_rb rb;
    int rb_ready;
    volatile int input_ended;          /* the writer is done: the end is where the queued frames end */
    volatile ma_uint64 underflows;     /* reads padded with silence (written by the reader) */
    volatile ma_uint64 underflow_frames;
    volatile ma_uint64 read_total;     /* frames read out (silence not counted) */
} queue_pull;

/* ---- the reader's side (no Python API) ------------------------------------------------------- */

static ma_result
queue_read(pyma_pull *pull, void *out, ma_uint64 frames, ma_uint64 *got)
{
    queue_pull *q = (queue_pull *)pull;
    ma_uint32 fb = pull->frame_bytes;
    ma_uint64 done = 0;
    ma_uint32 n;
    void *p;
    int ended = pyma_aload(&q->input_ended); /* before looking at the ring: what was queued before the
                                               * end was said is all there */

    while (done < frames) {
        n = frames - done > 0x10000000 ? 0x10000000 : (ma_uint32)(frames - done);
        if (ma_pcm_rb_acquire_read(&q->rb, &n, &p) != MA_SUCCESS || n == 0) {
            break;
        }
        memcpy((char *)out + done * fb, p, (size_t)n * fb);
        ma_pcm_rb_commit_read(&q->rb, n);
        done += n;
    }
    pyma_astore64(&q->read_total, q->read_total + done);
    if (done < frames && !ended) {
        /* The writer is late: silence, counted, and the stream goes on. */
        ma_silence_pcm_frames((char *)out + done * fb, frames - done, pull->format, pull->channels);
        pyma_astore64(&q->underflows, q->underflows + 1);
        pyma_astore64(&q->underflow_frames, q->underflow_frames + (frames - done));
        done = frames;
    }
    *got = done;
    return done == 0 ? MA_AT_END : MA_SUCCESS;
}

static ma_result
queue_seek(pyma_pull *pull, ma_uint64 frame)
{
    (void)pull;
    (void)frame;
    return MA_INVALID_OPERATION;
}

/* GIL held, no reader left (the stream's release). */
static void
queue_free(pyma_pull *pull)
{
    queue_pull *q = (queue_pull *)pull;

    if (q->rb_ready) {
        ma_pcm_rb_uninit(&q->rb);
    }
    PyMem_RawFree(q);
}

/* ---- the Python side (GIL held) --------------------------------------------------------------- */

/* The queue under `obj`, or NULL with TypeError (not a queue stream) / ValueError (closed). */
static queue_pull *
queue_of(PyObject *module, PyObject *obj)
{
    pyma_state *st = pyma_get_state(module);
    StreamObject *s;

    if (!PyObject_TypeCheck(obj, st->stream_type) || ((StreamObject *)obj)->closed) {
        if (PyObject_TypeCheck(obj, st->stream_type)) {
            PyErr_SetString(PyExc_ValueError, "the queue stream is closed");
            return NULL;
        }
        PyErr_Format(PyExc_TypeError, "expected a queue stream, not %.200s", Py_TYPE(obj)->tp_name);
        return NULL;
    }
    s = (StreamObject *)obj;
    if (s->pull == NULL || s->pull->read != queue_read) {
        PyErr_SetString(s->pull == NULL ? PyExc_ValueError : PyExc_TypeError,
                        s->pull == NULL ? "the queue stream is closed" : "expected a queue stream");
        return NULL;
    }
    return (queue_pull *)s->pull;
}

const char pyma_queue_stream_doc[] =
    "_queue_stream($module, format, nchannels, sample_rate, capacity, /)\n--\n\n"
    "A DecoderStream reading frames queued with _queue_write (a ring of `capacity` frames); `format` a\n"
    "SampleFormat member.  It pads with silence (an underflow) while the input is open and the ring\n"
    "empty, and ends once _queue_end was called and the ring is empty.";

PyObject *
pyma_queue_stream(PyObject *module, PyObject *args)
{
    pyma_state *st = pyma_get_state(module);
    PyObject *format_obj, *channels_obj, *rate_obj;
    unsigned long long capacity;
    long format, channels, rate;
    queue_pull *q;
    ma_result r;

    if (!PyArg_ParseTuple(args, "OOOK:_queue_stream", &format_obj, &channels_obj, &rate_obj, &capacity) ||
        pyma_arg(format_obj, PYMA_ARG_FORMAT, 0, "sample_format", &format) < 0 ||
        pyma_arg(channels_obj, PYMA_ARG_CHANNELS, 0, "nchannels", &channels) < 0 ||
        pyma_arg(rate_obj, PYMA_ARG_SAMPLE_RATE, 0, "sample_rate", &rate) < 0) {
        return NULL;
    }
    if (capacity < 1 || capacity > 0x7fffffffULL / ((unsigned long long)channels * 4)) {
        PyErr_Format(PyExc_ValueError, "prefetch_msec asks for a queue of %llu frames: at most %llu fit",
                     capacity, 0x7fffffffULL / ((unsigned long long)channels * 4));
        return NULL;
    }
    q = PyMem_RawCalloc(1, sizeof(*q));
    if (q == NULL) {
        return PyErr_NoMemory();
    }
    q->base.format = (ma_format)format;
    q->base.channels = (ma_uint32)channels;
    q->base.sample_rate = (ma_uint32)rate;
    q->base.infinite = 1; /* no length: it ends when the writer says so */
    q->base.read = queue_read;
    q->base.seek = queue_seek;
    q->base.free = queue_free;
    r = ma_pcm_rb_init((ma_format)format, (ma_uint32)channels, (ma_uint32)capacity, NULL, NULL, &q->rb);
    if (r != MA_SUCCESS) {
        PyMem_RawFree(q);
        (void)pyma_raise(st, r, PYMA_ERR_MINIAUDIO, "cannot make a queue of %llu frames", capacity);
        return NULL;
    }
    q->rb_ready = 1;
    return pyma_stream_over_pull(st->stream_type, &q->base, format_obj, 1024, PYMA_CHUNK_ARRAY, NULL);
}

const char pyma_queue_write_doc[] =
    "_queue_write($module, stream, data, first, /)\n--\n\n"
    "Queue the frames of `data` (any samples write() takes) from frame `first` on, as many as fit;\n"
    "returns (frames queued, frames in data).  Never waits.";

PyObject *
pyma_queue_write(PyObject *module, PyObject *args)
{
    PyObject *stream, *data;
    unsigned long long first;
    pyma_samples_in in;
    ma_uint64 put = 0, total;
    ma_uint32 n;
    void *p;
    queue_pull *q;

    if (!PyArg_ParseTuple(args, "OOK:_queue_write", &stream, &data, &first) || (q = queue_of(module, stream)) == NULL) {
        return NULL;
    }
    if (pyma_aload(&q->input_ended)) {
        PyErr_SetString(PyExc_RuntimeError, "the queue's input has ended");
        return NULL;
    }
    if (pyma_samples_in_open(&in, data, pyma_format_info_get(q->base.format), q->base.channels,
                             "the generator's chunk") < 0) {
        return NULL;
    }
    total = in.frames;
    while (first + put < total) {
        n = total - first - put > 0x10000000 ? 0x10000000 : (ma_uint32)(total - first - put);
        if (ma_pcm_rb_acquire_write(&q->rb, &n, &p) != MA_SUCCESS || n == 0) {
            break;
        }
        pyma_samples_in_copy(&in, first + put, n, p);
        ma_pcm_rb_commit_write(&q->rb, n);
        put += n;
    }
    pyma_samples_in_release(&in);
    return Py_BuildValue("(KK)", (unsigned long long)put, (unsigned long long)total);
}

const char pyma_queue_info_doc[] =
    "_queue_info($module, stream, end=False, /)\n--\n\n"
    "(room, queued, underflows, underflow_frames, frames read) of a queue stream; end=True first marks\n"
    "its input ended (the stream ends once what is queued is read).";

PyObject *
pyma_queue_info(PyObject *module, PyObject *args)
{
    PyObject *stream;
    int end = 0;
    queue_pull *q;

    if (!PyArg_ParseTuple(args, "O|p:_queue_info", &stream, &end) || (q = queue_of(module, stream)) == NULL) {
        return NULL;
    }
    if (end) {
        pyma_astore(&q->input_ended, 1);
    }
    return Py_BuildValue("(kkKKK)", (unsigned long)ma_pcm_rb_available_write(&q->rb),
                         (unsigned long)ma_pcm_rb_available_read(&q->rb),
                         (unsigned long long)pyma_aload64(&q->underflows),
                         (unsigned long long)pyma_aload64(&q->underflow_frames),
                         (unsigned long long)pyma_aload64(&q->read_total));
}
