/* mixer.c: the Mixer, many sounds at once on miniaudio's own engine (ma_engine, ma_sound, the node
 * graph), and the pull kind that reads its mix.
 *
 * The engine is initialised without a device (noDevice): the mix is read by pyma_mix_pull, a kind
 * of the source layer (pull.c) whose read is ma_engine_read_pcm_frames.  The mixer's DecoderStream
 * over that pull is what a PlaybackDevice plays (device.start(stream): the audio thread pulls it
 * without the GIL, converting to the device's format as for any stream) and what render() reads.
 * The engine lives in the pull, owned by that stream; the mixer releases every voice before it
 * drops the stream, so the engine outlives its sounds.
 *
 * Ends: a sound's end callback (on the reader's thread) sets `ended`; a voice's stop time passing
 * shows as the engine's time reaching `next_check`.  After each read the reader queues the mixer
 * for the event thread (pyma_events_push_source), which calls Mixer._deliver_ends(): the voices
 * that are over are released there, with the GIL, never on the reader's thread.  The event's owner
 * is the mixer, borrowed: the mixer clears `notify` and waits out a reader between its check and
 * its push (`in_read`) before it forgets the event and goes.
 */
#include "_miniaudio.h"
#include "structmember.h"

#define MIX_NONE (~(ma_uint64)0)
#define MIX_CHUNK_FRAMES 1024
#define MIX_BLOCK_FRAMES 256 /* below MA_DEFAULT_NODE_CACHE_CAP_IN_FRAMES_PER_BUS (480) */

/* ---- the pull kind (reader's side: no Python API) -------------------------------------------- */

static ma_result
mix_read(pyma_pull *pull, void *out, ma_uint64 frames, ma_uint64 *got)
{
    pyma_mix_pull *mx = (pyma_mix_pull *)pull;
    ma_uint32 channels = pull->channels;
    ma_uint64 done = 0, step, n;
    ma_result r = MA_SUCCESS;

    while (done < frames) {
        /* In blocks no larger than a node's cache (miniaudio's node graph places a sound that
         * starts or stops inside a larger read at the wrong frame, or skips it). */
        n = frames - done < MIX_BLOCK_FRAMES ? frames - done : MIX_BLOCK_FRAMES;
        step = 0;
        r = ma_engine_read_pcm_frames(&mx->engine, (float *)out + done * channels, n, &step);
        if (step < n) {
            /* A graph with no sound attached reads nothing and its clock stands still: the mix is
             * silence there, and the clock moves with the frames given, as for any other read. */
            ma_silence_pcm_frames((float *)out + (done + step) * channels, n - step, ma_format_f32, channels);
            ma_engine_set_time_in_pcm_frames(&mx->engine, ma_engine_get_time_in_pcm_frames(&mx->engine) + (n - step));
        }
        done += n;
    }
    *got = frames;
    r = r == MA_AT_END ? MA_SUCCESS : r;
    pyma_astore(&mx->in_read, 1);
    if (pyma_aload(&mx->notify) &&
        (pyma_axchg(&mx->ended, 0) || ma_engine_get_time_in_pcm_frames(&mx->engine) >= pyma_aload64(&mx->next_check))) {
        pyma_events_push_source(mx->st, &mx->ev);
    }
    pyma_astore(&mx->in_read, 0);
    return r;
}

/* The mix has no frame to go back to: its clock only moves forward. */
static ma_result
mix_seek(pyma_pull *pull, ma_uint64 frame)
{
    (void)pull;
    (void)frame;
    return MA_INVALID_OPERATION;
}

/* GIL held (the stream's release): no sound is left in the engine (the mixer released its voices). */
static void
mix_free(pyma_pull *pull)
{
    pyma_mix_pull *mx = (pyma_mix_pull *)pull;

    if (mx->engine_ready) {
        ma_engine_uninit(&mx->engine);
    }
    PyMem_RawFree(mx);
}

/* ---- the _Mixer type ------------------------------------------------------------------------- */

static void mixer_dealloc(MixerObject *self);

/* Our module's state, through the class chain (Mixer subclasses _Mixer). */
static pyma_state *
mixer_module_state(PyTypeObject *tp)
{
    while (tp != NULL && tp->tp_dealloc != (destructor)mixer_dealloc) {
        tp = tp->tp_base;
    }
    return tp == NULL ? NULL : (pyma_state *)PyType_GetModuleState(tp);
}

/* _Mixer(nchannels, sample_rate, format): channels and rate checked by the caller (Python). */
static PyObject *
mixer_new(PyTypeObject *type, PyObject *args, PyObject *kwargs)
{
    static char *kwlist[] = {"nchannels", "sample_rate", "format", NULL};
    pyma_state *st = mixer_module_state(type);
    MixerObject *self = NULL;
    pyma_mix_pull *mx;
    PyObject *format_obj;
    ma_engine_config config;
    unsigned int channels, rate;
    ma_result r;

    if (st == NULL || !PyArg_ParseTupleAndKeywords(args, kwargs, "IIO:_Mixer", kwlist, &channels, &rate,
                                                   &format_obj)) {
        return NULL;
    }
    if (channels < 1 || channels > MA_MAX_CHANNELS || rate < 1 || rate > PYMA_MAX_SAMPLE_RATE) {
        PyErr_Format(PyExc_ValueError, "nchannels must be 1..%d and sample_rate 1..%d, not %u and %u",
                     MA_MAX_CHANNELS, PYMA_MAX_SAMPLE_RATE, channels, rate);
        return NULL;
    }
    self = (MixerObject *)type->tp_alloc(type, 0);
    if (self == NULL) {
        return NULL;
    }
    self->st = st;
    self->channels = channels;
    self->sample_rate = rate;
    self->volume = 1.0;
    self->voices = PyList_New(0);
    mx = PyMem_RawCalloc(1, sizeof(*mx));
    if (self->voices == NULL || mx == NULL) {
        PyMem_RawFree(mx);
        PyErr_NoMemory();
        goto error;
    }
    mx->st = st;
    mx->next_check = MIX_NONE;
    mx->base.format = ma_format_f32;
    mx->base.channels = channels;
    mx->base.sample_rate = rate;
    mx->base.infinite = 1;
    mx->base.read = mix_read;
    mx->base.seek = mix_seek;
    mx->base.free = mix_free;
    config = ma_engine_config_init();
    config.noDevice = MA_TRUE; /* our device bridge pulls the mix: every device guarantee holds */
    config.channels = channels;
    config.sampleRate = rate;
    config.listenerCount = 1;
    r = ma_engine_init(&config, &mx->engine);
    if (r != MA_SUCCESS) {
        PyMem_RawFree(mx);
        pyma_raise(st, r, PYMA_ERR_MINIAUDIO, "cannot initialise the mixer's engine");
        goto error;
    }
    mx->engine_ready = 1;
    self->stream = pyma_stream_over_pull(st->stream_type, &mx->base, format_obj, MIX_CHUNK_FRAMES, PYMA_CHUNK_ARRAY,
                                         NULL); /* owns mx from here, frees it on failure */
    if (self->stream == NULL) {
        goto error;
    }
    self->mix = mx;
    mx->ev.owner = (PyObject *)self;
    pyma_astore(&mx->notify, 1);
    return (PyObject *)self;
error:
    Py_DECREF(self);
    return NULL;
}

/* Stops the reader from queueing this mixer and takes it off the event queue (the event's owner
 * is borrowed).  GIL held. */
static void
mixer_forget_events(MixerObject *self)
{
    if (self->mix == NULL) {
        return;
    }
    pyma_astore(&self->mix->notify, 0);
    while (pyma_aload(&self->mix->in_read)) {
        /* a reader between its check and its push: a few instructions, never a wait for the GIL */
    }
    pyma_events_forget_source(self->st, &self->mix->ev);
}

/* Releases every active voice, then every group; returns the voices as a new list (or NULL with MemoryError, all released
 * anyway).  GIL held. */
static PyObject *
mixer_release_all(MixerObject *self)
{
    PyObject *voices = self->voices;
    Py_ssize_t i;

    if (voices == NULL) {
        return PyList_New(0);
    }
    self->voices = PyList_New(0);
    for (i = 0; i < PyList_GET_SIZE(voices); i++) {
        pyma_voice_release((VoiceObject *)PyList_GET_ITEM(voices, i));
    }
    pyma_groups_release_all(self); /* after their voices, before the engine (group.c) */
    if (self->mix != NULL) {
        pyma_astore64(&self->mix->next_check, MIX_NONE);
    }
    if (self->voices == NULL) {
        Py_DECREF(voices);
        return NULL;
    }
    return voices;
}

static int
mixer_check_open(MixerObject *self, const char *what)
{
    if (self->mix == NULL) {
        PyErr_Format(PyExc_ValueError, "cannot %s: the mixer is closed", what);
        return -1;
    }
    return 0;
}

/* _play(cls, source, volume, pan, pitch, loop, fade_in, start_at, stop_at, group=None): a new voice
 * of `cls` (a _Voice subclass), started, into `group` (a group of this mixer) or the endpoint.
 * Numbers checked by the caller; start_at/stop_at -1: none. */
static PyObject *
mixer_play(MixerObject *self, PyObject *args)
{
    PyTypeObject *cls;
    PyObject *stream;
    double volume, pan, pitch;
    int loop;
    unsigned long long fade_in;
    long long start_at, stop_at;
    PyObject *group_obj = Py_None;
    MixerGroupObject *group;
    VoiceObject *v;

    if (!PyArg_ParseTuple(args, "O!OdddpKLL|O:_play", &PyType_Type, &cls, &stream, &volume, &pan, &pitch, &loop,
                          &fade_in, &start_at, &stop_at, &group_obj)) {
        return NULL;
    }
    if (!PyType_IsSubtype(cls, self->st->voice_type)) {
        PyErr_SetString(PyExc_TypeError, "_play: cls must be a _Voice subclass");
        return NULL;
    }
    if (mixer_check_open(self, "play") < 0 || pyma_group_check_target(self, group_obj, "group", &group) < 0) {
        return NULL;
    }
    if (self->voices == NULL) { /* lost to a MemoryError in mixer_release_all() */
        return PyErr_NoMemory();
    }
    v = (VoiceObject *)cls->tp_alloc(cls, 0);
    if (v == NULL) {
        return NULL;
    }
    if (PyList_Append(self->voices, (PyObject *)v) < 0) {
        Py_DECREF(v);
        return NULL;
    }
    if (pyma_voice_begin(v, self, stream, volume, pan, pitch, loop, (ma_uint64)fade_in, start_at, stop_at, group) < 0) {
        PyObject *exc = pyma_err_take();
        for (Py_ssize_t i = PyList_GET_SIZE(self->voices) - 1; i >= 0; i--) {
            if (PyList_GET_ITEM(self->voices, i) == (PyObject *)v) {
                (void)PyList_SetSlice(self->voices, i, i + 1, NULL);
                break;
            }
        }
        pyma_err_give(exc);
        Py_DECREF(v);
        return NULL;
    }
    if (v->stop_time < pyma_aload64(&self->mix->next_check)) {
        pyma_astore64(&self->mix->next_check, v->stop_time);
    }
    return (PyObject *)v;
}

/* _reap(): releases the voices that are over; returns them (a new list, in play order).  Appending
 * to a list can run the garbage collector, and so other threads: the voices stay in the mixer's
 * list (marked `ending`) until all are found, a re-entered reap finds nothing (`reaping`), and a
 * play() meanwhile appends to the same list.  Reaps from different threads are serialised by the
 * Python side (Mixer._reap_lock), so that a reap returns only once every voice over is released. */
static PyObject *
mixer_reap(MixerObject *self, PyObject *Py_UNUSED(ignored))
{
    PyObject *done;
    ma_uint64 next = MIX_NONE;
    Py_ssize_t i;

    if (self->mix == NULL || self->voices == NULL || self->reaping) {
        return PyList_New(0);
    }
    done = PyList_New(0);
    if (done == NULL) {
        return NULL;
    }
    self->reaping = 1;
    for (i = 0; i < PyList_GET_SIZE(self->voices); i++) {
        VoiceObject *v = (VoiceObject *)PyList_GET_ITEM(self->voices, i);
        if (!v->ending && pyma_voice_done(v)) {
            v->ending = 1;
            if (PyList_Append(done, (PyObject *)v) < 0) {
                v->ending = 0;
                break; /* MemoryError: the others are found by a later reap */
            }
        }
    }
    for (i = PyList_GET_SIZE(self->voices) - 1; i >= 0; i--) {
        VoiceObject *v = (VoiceObject *)PyList_GET_ITEM(self->voices, i);
        if (v->ending) {
            (void)PyList_SetSlice(self->voices, i, i + 1, NULL); /* `done` holds it: no deallocation here */
        }
        else if (v->stop_time < next) {
            next = v->stop_time;
        }
    }
    pyma_astore64(&self->mix->next_check, next);
    self->reaping = 0;
    for (i = 0; i < PyList_GET_SIZE(done); i++) {
        pyma_voice_release((VoiceObject *)PyList_GET_ITEM(done, i));
    }
    if (PyErr_Occurred()) {
        Py_DECREF(done);
        return NULL;
    }
    return done;
}

/* _close(): releases every voice (returned as a list) and closes the mix stream.  The caller has
 * stopped a device playing it; a stream still claimed raises RuntimeError. */
static PyObject *
mixer_close(MixerObject *self, PyObject *Py_UNUSED(ignored))
{
    PyObject *voices;

    if (self->stream != NULL && ((StreamObject *)self->stream)->claimed) {
        PyErr_SetString(PyExc_RuntimeError, "the mixer's stream is still played by a device: stop it first");
        return NULL;
    }
    if (self->stream != NULL && ((StreamObject *)self->stream)->busy) {
        /* Another thread reads the mix with the GIL released (render()): the engine must outlive it. */
        PyErr_SetString(PyExc_RuntimeError, "cannot close the mixer while another thread renders it");
        return NULL;
    }
    voices = mixer_release_all(self);
    mixer_forget_events(self);
    self->mix = NULL;
    if (self->stream != NULL) {
        pyma_stream_release((StreamObject *)self->stream);
    }
    return voices;
}

/* _notify(): queues the mixer for the event thread (on_finished calls found by a reap elsewhere). */
static PyObject *
mixer_notify(MixerObject *self, PyObject *Py_UNUSED(ignored))
{
    if (self->mix != NULL && pyma_aload(&self->mix->notify)) {
        pyma_events_push_source(self->st, &self->mix->ev);
    }
    Py_RETURN_NONE;
}

static PyObject *
mixer_set_volume(MixerObject *self, PyObject *arg)
{
    double x = PyFloat_AsDouble(arg);

    if (x == -1.0 && PyErr_Occurred()) {
        return NULL;
    }
    if (mixer_check_open(self, "set the volume") < 0) {
        return NULL;
    }
    ma_engine_set_volume(&self->mix->engine, (float)x);
    self->volume = x;
    Py_RETURN_NONE;
}

static PyObject *
mixer_get_time(MixerObject *self, void *closure)
{
    (void)closure;
    if (self->mix == NULL) {
        return PyLong_FromLong(0);
    }
    return PyLong_FromUnsignedLongLong(ma_engine_get_time_in_pcm_frames(&self->mix->engine));
}

static PyObject *
mixer_get_stream(MixerObject *self, void *closure)
{
    (void)closure;
    return Py_NewRef(self->stream != NULL ? self->stream : Py_None);
}

static PyObject *
mixer_get_closed(MixerObject *self, void *closure)
{
    (void)closure;
    return PyBool_FromLong(self->mix == NULL);
}

static PyObject *
mixer_get_int(MixerObject *self, void *closure)
{
    return PyLong_FromUnsignedLong(closure == NULL ? self->channels : self->sample_rate);
}

static PyObject *
mixer_get_volume(MixerObject *self, void *closure)
{
    (void)closure;
    return PyFloat_FromDouble(self->volume);
}

static PyObject *
mixer_get_voices(MixerObject *self, void *closure)
{
    (void)closure;
    return self->voices != NULL ? PyList_GetSlice(self->voices, 0, PY_SSIZE_T_MAX) : PyList_New(0);
}

static PyObject *
mixer_get_groups(MixerObject *self, void *closure)
{
    (void)closure;
    return self->groups != NULL ? PyList_GetSlice(self->groups, 0, PY_SSIZE_T_MAX) : PyList_New(0);
}

static int
mixer_traverse(MixerObject *self, visitproc visit, void *arg)
{
    Py_VISIT(Py_TYPE(self));
    /* Not self->stream: it owns the engine, which must outlive every voice and group.  Left out,
     * the collector counts the mixer's reference as one from outside, so it never clears the stream
     * (freeing the engine) before the mixer has released its voices; the stream holds nothing that
     * leads back to the mixer (the event's owner is borrowed), so no cycle is missed. */
    Py_VISIT(self->voices);
    Py_VISIT(self->groups);
    return 0;
}

/* Releases the voices before anything goes (their sounds live in the engine the stream owns). */
static int
mixer_clear(MixerObject *self)
{
    PyObject *voices = mixer_release_all(self);

    if (voices == NULL) {
        PyErr_Clear();
    }
    Py_XDECREF(voices);
    return 0;
}

static void
mixer_dealloc(MixerObject *self)
{
    PyTypeObject *tp = Py_TYPE(self);
    PyObject *voices;

    PyObject_GC_UnTrack(self);
    if (self->weakreflist != NULL) {
        PyObject_ClearWeakRefs((PyObject *)self);
    }
    voices = mixer_release_all(self);
    if (voices == NULL) {
        PyErr_Clear();
    }
    Py_XDECREF(voices);
    mixer_forget_events(self);
    self->mix = NULL;
    Py_CLEAR(self->voices);
    Py_CLEAR(self->groups);
    Py_CLEAR(self->stream); /* a device may still hold it: the engine then lives on, empty, until it lets go */
    tp->tp_free((PyObject *)self);
    Py_DECREF(tp);
}

static PyMethodDef mixer_methods[] = {
    {"_play", (PyCFunction)mixer_play, METH_VARARGS,
     PyDoc_STR("_play($self, cls, source, volume, pan, pitch, loop, fade_in, start_at, stop_at, group=None, /)\n--\n\n"
               "A new voice of `cls`, started (start_at/stop_at -1: none).")},
    {"_reap", (PyCFunction)mixer_reap, METH_NOARGS,
     PyDoc_STR("_reap($self, /)\n--\n\nRelease the voices that are over; return them.")},
    {"_close", (PyCFunction)mixer_close, METH_NOARGS,
     PyDoc_STR("_close($self, /)\n--\n\nRelease every voice (returned) and close the mix stream.")},
    {"_notify", (PyCFunction)mixer_notify, METH_NOARGS,
     PyDoc_STR("_notify($self, /)\n--\n\nQueue the mixer for the event thread (_deliver_ends).")},
    {"_set_volume", (PyCFunction)mixer_set_volume, METH_O, PyDoc_STR("_set_volume($self, volume, /)\n--\n\n")},
    {"_group", (PyCFunction)pyma_mixer_group, METH_VARARGS,
     PyDoc_STR("_group($self, cls, volume, pan, processors, parent, /)\n--\n\nA new group of `cls` (group.c).")},
    {NULL, NULL, 0, NULL},
};

static PyGetSetDef mixer_getset[] = {
    {"time", (getter)mixer_get_time, NULL,
     PyDoc_STR("The mixer's clock: frames mixed since it was made (the engine's time)."), NULL},
    {"_stream", (getter)mixer_get_stream, NULL, NULL, NULL},
    {"closed", (getter)mixer_get_closed, NULL, PyDoc_STR("Whether close() was called."), NULL},
    {"nchannels", (getter)mixer_get_int, NULL, PyDoc_STR("The channel count of the mix."), NULL},
    {"sample_rate", (getter)mixer_get_int, NULL, PyDoc_STR("The sample rate of the mix in Hz."), (void *)1},
    {"_volume", (getter)mixer_get_volume, NULL, NULL, NULL},
    {"voices", (getter)mixer_get_voices, NULL, PyDoc_STR("The voices playing or scheduled (a new list)."), NULL},
    {"groups", (getter)mixer_get_groups, NULL, PyDoc_STR("The groups not closed (a new list, in the order made)."),
     NULL},
    {NULL, NULL, NULL, NULL, NULL},
};

static PyMemberDef mixer_members[] = {
    {"__weaklistoffset__", T_PYSSIZET, offsetof(MixerObject, weakreflist), READONLY, NULL},
    {NULL, 0, 0, 0, NULL},
};

static PyType_Slot mixer_slots[] = {
    {Py_tp_doc, (void *)PyDoc_STR("_Mixer(nchannels, sample_rate, format)\n--\n\nminiaudio's engine, read by a "
                                  "stream.")},
    {Py_tp_new, mixer_new},
    {Py_tp_dealloc, mixer_dealloc},
    {Py_tp_traverse, mixer_traverse},
    {Py_tp_clear, mixer_clear},
    {Py_tp_methods, mixer_methods},
    {Py_tp_getset, mixer_getset},
    {Py_tp_members, mixer_members},
    {0, NULL},
};

PyType_Spec pyma_mixer_spec = {
    .name = "miniaudio._Mixer",
    .basicsize = sizeof(MixerObject),
    .flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC | Py_TPFLAGS_BASETYPE,
    .slots = mixer_slots,
};
