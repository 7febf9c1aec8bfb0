/* voice.c: a Voice, one sound of a Mixer (mixer.c): an ma_sound of miniaudio's engine over a data
 * source of ours that pulls a claimed DecoderStream.
 *
 * The data source (pyma_voice_ds, miniaudio's data source vtable) reads with pyma_stream_pull: the
 * reader (a device's audio thread, or render() with the GIL released) needs no GIL and allocates
 * nothing, so any stream a device can pull can be a voice (files, memory, raw PCM, generators,
 * chains).  A stream that is not float32 is converted to it here (devconvert.c); miniaudio's
 * engine node maps its channels to the mixer's, resamples it (sample rate and pitch), and runs its
 * fader and panner.  Settings (volume, pan, pitch, seek, stop and
 * start times) go through miniaudio's setters, which store atomics that the reader applies.  A
 * voice is released (pyma_voice_release: sound uninitialised, stream unclaimed) with the GIL held,
 * on a Python thread: never by the reader.
 */
#include "_miniaudio.h"

#include <math.h>

#define VOICE_NONE (~(ma_uint64)0)

/* ---- the data source over a claimed stream (the reader's side: no Python API) --------------- */

/* The voice's source failed (a read, or the seek back of a loop): the voice ends there and the mix
 * reader wakes the event thread to release it (a looping sound whose seek fails never reaches its
 * end, so its end callback would not come).  The reader's thread. */
static void
voice_ds_fail(pyma_voice_ds *d, ma_result r)
{
    ma_sound *sound = &((struct pyma_voice_core *)d)->sound;

    pyma_astore(&d->failed, (int)r);
    if (sound->pEndCallbackUserData != NULL) {
        pyma_astore(&((pyma_mix_pull *)sound->pEndCallbackUserData)->ended, 1);
    }
}

static ma_result
voice_ds_read(ma_data_source *ds, void *out, ma_uint64 frames, ma_uint64 *read)
{
    pyma_voice_ds *d = (pyma_voice_ds *)ds;
    ma_uint64 got = 0;
    ma_result r;

    *read = 0;
    d->read_end = 1;
    if (pyma_aload(&d->failed)) {
        return MA_AT_END;
    }
    if (d->conv != NULL) {
        r = pyma_devconv_pull(d->conv, d->stream, out, frames, &got);
    }
    else {
        r = pyma_stream_pull(d->stream, out, frames, &got);
    }
    if (r != MA_SUCCESS && r != MA_AT_END) {
        /* A decode error: the voice ends here (a sound whose source reads an error would stay silent
         * and never end); the error is kept for Python (Voice.error). */
        voice_ds_fail(d, r);
    }
    pyma_astore64(&d->cursor, d->cursor + got);
    if (got < frames && !d->padded && !pyma_aload(&d->failed) && !ma_data_source_is_looping(ds)) {
        /* One frame of silence after the last: the engine's pitch resampler (linear, always on)
         * gives its input one frame late, so this frame is what brings the last real one out. */
        ma_silence_pcm_frames((float *)out + got * d->channels, 1, ma_format_f32, d->channels);
        got++;
        d->padded = 1;
    }
    pyma_astore64(&d->delivered, d->delivered + got);
    *read = got;
    d->read_end = got == 0;
    return got == 0 ? MA_AT_END : MA_SUCCESS;
}

/* The engine seeks a looping voice back to its start, and applies Voice.seek(), on the reader's
 * thread: the stream's pull moves as the stream's own seek() moves it. */
static ma_result
voice_ds_seek(ma_data_source *ds, ma_uint64 frame)
{
    pyma_voice_ds *d = (pyma_voice_ds *)ds;
    StreamObject *s = (StreamObject *)d->stream;
    ma_uint64 landed = 0;
    ma_result r = pyma_pull_seek(s->pull, frame, &landed);
    int loop_wrap = d->read_end; /* miniaudio's looping read seeks right after our MA_AT_END */

    d->read_end = 0;
    if (r != MA_SUCCESS && loop_wrap) {
        voice_ds_fail(d, r); /* cannot go back to the start: the loop ends with the error */
    }
    if (r == MA_SUCCESS && !loop_wrap) {
        /* Voice.seek(), applied by the reader before it processes the sound: the frames the
         * sound read ahead into its processing cache, and the pitch resampler's history, are from
         * before the seek (miniaudio keeps them: up to a block of stale frames would play).  The
         * sought frame then plays as a voice started at once does (the next frame but one). */
        ma_sound *sound = &((struct pyma_voice_core *)d)->sound;
        sound->processingCacheFramesRemaining = 0;
        ma_resampler_reset(&sound->engineNode.resampler);
        d->heard_from = landed;
        pyma_astore64(&d->delivered, 0);
    }
    if (r == MA_SUCCESS) {
        pyma_astore64(&s->position, landed);
        pyma_astore64(&s->pull->loops_done, 0);
        s->pull_ended = 0;
        pyma_astore64(&d->cursor, landed);
        d->padded = 0;
        if (d->conv != NULL) {
            pyma_devconv_reset(d->conv);
        }
    }
    return r;
}

static ma_result
voice_ds_format(ma_data_source *ds, ma_format *format, ma_uint32 *channels, ma_uint32 *rate, ma_channel *map,
                size_t map_cap)
{
    pyma_voice_ds *d = (pyma_voice_ds *)ds;

    *format = d->format;
    *channels = d->channels;
    *rate = d->sample_rate;
    if (map != NULL && map_cap > 0) {
        ma_channel_map_init_standard(ma_standard_channel_map_default, map, map_cap, d->channels);
    }
    return MA_SUCCESS;
}

static ma_result
voice_ds_cursor(ma_data_source *ds, ma_uint64 *cursor)
{
    *cursor = pyma_aload64(&((pyma_voice_ds *)ds)->cursor);
    return MA_SUCCESS;
}

static ma_result
voice_ds_length(ma_data_source *ds, ma_uint64 *length)
{
    pyma_voice_ds *d = (pyma_voice_ds *)ds;

    *length = 0;
    if (!d->length_known) {
        return MA_NOT_IMPLEMENTED;
    }
    *length = d->length;
    return MA_SUCCESS;
}

static ma_data_source_vtable voice_ds_vtable = {
    voice_ds_read, voice_ds_seek, voice_ds_format, voice_ds_cursor, voice_ds_length, NULL, 0,
};

/* The sound reached its end (miniaudio calls this on the reader's thread, in the processing step
 * after the last frames): the mix reader wakes the event thread after its read (mixer.c). */
static void
voice_on_end(void *user, ma_sound *sound)
{
    (void)sound;
    pyma_astore(&((pyma_mix_pull *)user)->ended, 1);
}

/* ---- life ------------------------------------------------------------------------------------ */

int
pyma_voice_begin(VoiceObject *v, MixerObject *m, PyObject *stream, double volume, double pan, double pitch, int loop,
                 ma_uint64 fade_in, long long start_at, long long stop_at, MixerGroupObject *group)
{
    pyma_state *st = m->st;
    StreamObject *s = (StreamObject *)stream;
    struct pyma_voice_core *core;
    pyma_stream_info info;
    ma_result r;

    if (!PyObject_TypeCheck(stream, st->stream_type)) {
        PyErr_Format(PyExc_TypeError, "source must be one of the package's streams (stream_file(), stream_memory(), "
                     "Waveform, chain(), ...) or a Python generator, not %.200s", Py_TYPE(stream)->tp_name);
        return -1;
    }
    if (s->claimed) {
        PyErr_SetString(PyExc_RuntimeError, "source is already playing (in a mixer, on a device or in a chain): "
                                            "give another stream, or stop the one playing it");
        return -1;
    }
    if (pyma_stream_claim(stream, &info) < 0) {
        return -1;
    }
    if (!info.pullable) {
        PyErr_SetString(PyExc_ValueError, "source reads a Python file object (stream_any()): the mixer pulls its "
                                          "sources without the GIL; open it with stream_file() or stream_memory()");
        return -1;
    }
    if (info.format == ma_format_unknown) {
        pyma_stream_unclaim(stream);
        PyErr_SetString(PyExc_ValueError, "source is raw PCM of an unknown 4-byte sample format: give "
                                          "stream_raw_pcm_memory() its sample_format");
        return -1;
    }
    core = PyMem_RawCalloc(1, sizeof(*core));
    if (core == NULL) {
        pyma_stream_unclaim(stream);
        PyErr_NoMemory();
        return -1;
    }
    {
        ma_data_source_config config = ma_data_source_config_init();
        config.vtable = &voice_ds_vtable;
        r = ma_data_source_init(&config, &core->ds.base);
    }
    core->ds.stream = stream;
    core->ds.format = ma_format_f32;
    core->ds.channels = info.channels;
    core->ds.sample_rate = info.sample_rate != 0 ? info.sample_rate : m->sample_rate; /* raw PCM: the mixer's */
    core->ds.cursor = pyma_aload64(&s->position);
    core->ds.heard_from = core->ds.cursor;
    core->ds.length_known = s->length_known && !s->pull->infinite;
    core->ds.length = s->length;
    /* Integer sources are converted to float32 here (devconvert.c, as a device converts a stream):
     * miniaudio 0.11.25's engine drops frames of a data source that is not float32. */
    if (r == MA_SUCCESS && info.format != ma_format_f32 &&
        pyma_devconv_new(&core->ds.conv, info.format, info.channels, core->ds.sample_rate, ma_format_f32,
                         info.channels, core->ds.sample_rate) < 0) {
        ma_data_source_uninit(&core->ds.base);
        PyMem_RawFree(core);
        pyma_stream_unclaim(stream);
        return -1;
    }
    if (r == MA_SUCCESS) {
        /* No spatialization: the sound's channels are mapped to the mixer's (mono duplicated) and
         * panned with the panner's balance law; the node attaches to the group's input (group.c)
         * or the engine's endpoint. */
        r = ma_sound_init_from_data_source(&m->mix->engine, &core->ds, MA_SOUND_FLAG_NO_SPATIALIZATION,
                                           group != NULL ? &group->core->group : NULL, &core->sound);
        if (r != MA_SUCCESS) {
            ma_data_source_uninit(&core->ds.base);
        }
    }
    if (r != MA_SUCCESS) {
        pyma_devconv_free(core->ds.conv);
        PyMem_RawFree(core);
        pyma_stream_unclaim(stream);
        return pyma_raise(st, r, PYMA_ERR_MINIAUDIO, "cannot make a sound of the source");
    }
    ma_sound_set_volume(&core->sound, (float)volume);
    ma_sound_set_pan(&core->sound, (float)pan);
    ma_sound_set_pitch(&core->sound, (float)pitch);
    ma_sound_set_looping(&core->sound, loop ? MA_TRUE : MA_FALSE);
    ma_sound_set_end_callback(&core->sound, voice_on_end, m->mix);
    if (fade_in > 0) {
        /* The ramp begins with the sound's first processed frame, wherever in a read it starts. */
        ma_sound_set_fade_in_pcm_frames(&core->sound, 0.0f, 1.0f, fade_in);
    }
    /* The pitch resampler's frame of latency (see voice_ds_read): the sound starts one frame early,
     * so that the source's first frame is mixed at start_at exactly.  A start_at not ahead of the
     * mixer's time plays at once: its first frame comes with the next frame but one. */
    if (start_at >= 1 &&
        (ma_uint64)start_at - 1 >= ma_engine_get_time_in_pcm_frames(&m->mix->engine)) {
        ma_sound_set_start_time_in_pcm_frames(&core->sound, (ma_uint64)start_at - 1);
    }
    v->stop_time = VOICE_NONE;
    if (stop_at >= 0) {
        ma_sound_set_stop_time_in_pcm_frames(&core->sound, (ma_uint64)stop_at);
        v->stop_time = (ma_uint64)stop_at;
    }
    v->core = core;
    v->stream = Py_NewRef(stream);
    v->mixer = (MixerObject *)Py_NewRef((PyObject *)m);
    v->group = (MixerGroupObject *)Py_XNewRef((PyObject *)group);
    v->volume = volume;
    v->pan = pan;
    v->pitch = pitch;
    v->active = 1;
    ma_sound_start(&core->sound); /* from here the reader may mix it */
    return 0;
}

/* The source frame the voice has reached in the mix: the next one to be mixed.  The data source's
 * cursor runs ahead of it by the frames the sound read into its processing cache and not yet
 * processed, and by the pitch resampler's frame of latency (its first output is silence).  GIL
 * held; the reader may run: its cache count and `delivered` are read apart, which can show a block
 * ahead for the few instructions between the data source's read and the engine's cache update. */
static ma_uint64
voice_heard(struct pyma_voice_core *core)
{
    pyma_voice_ds *d = &core->ds;
    ma_uint64 target = pyma_aload64((volatile ma_uint64 *)&core->sound.seekTarget);
    ma_uint64 delivered, cached, pos;

    if (target != VOICE_NONE) {
        return target; /* Voice.seek(), not applied by the reader yet */
    }
    delivered = pyma_aload64(&d->delivered);
    cached = core->sound.processingCacheFramesRemaining;
    if (delivered <= cached) {
        return d->heard_from; /* nothing processed yet since the start or the seek */
    }
    pos = d->heard_from + (delivered - cached) - 1;
    if (d->length_known && d->length > 0 && pos >= d->length) {
        /* A looping voice: the passes after the first start at frame 0; without looping only the
         * frame of padding after the end gets here. */
        pos = ma_sound_is_looping(&core->sound) ? (pos - d->length) % d->length : d->length;
    }
    return pos;
}

int
pyma_voice_done(VoiceObject *v)
{
    struct pyma_voice_core *core = v->core;

    if (!v->active) {
        return 1;
    }
    if (ma_sound_at_end(&core->sound) || pyma_aload(&core->ds.failed)) {
        return 1;
    }
    return v->stop_time != VOICE_NONE &&
           ma_engine_get_time_in_pcm_frames(ma_sound_get_engine(&core->sound)) >= v->stop_time;
}

void
pyma_voice_release(VoiceObject *v)
{
    struct pyma_voice_core *core = v->core;

    if (!v->active) {
        return;
    }
    v->active = 0;
    /* Detaches the node; waits (a spin, not for the GIL) until a reader in the graph is past it. */
    ma_sound_uninit(&core->sound);
    v->final_position = voice_heard(core); /* no reader any more; the counts are kept */
    v->error = pyma_aload(&core->ds.failed);
    ma_data_source_uninit(&core->ds.base);
    pyma_devconv_free(core->ds.conv);
    PyMem_RawFree(core);
    v->core = NULL;
    pyma_stream_unclaim(v->stream); /* no reader pulls it any more */
    Py_CLEAR(v->stream);
}

/* ---- the _Voice type ------------------------------------------------------------------------- */

/* 0 when the voice plays; -1 with ValueError naming `what` once it has finished. */
static int
voice_check_active(VoiceObject *v, const char *what)
{
    if (!v->active) {
        PyErr_Format(PyExc_ValueError, "cannot %s a voice that has finished", what);
        return -1;
    }
    return 0;
}

/* A float from a number argument (Python checked its range).  -1 with TypeError. */
static int
voice_float(PyObject *obj, const char *name, double *out)
{
    *out = PyFloat_AsDouble(obj);
    if (*out == -1.0 && PyErr_Occurred()) {
        PyErr_Format(PyExc_TypeError, "%s must be a number, not %.200s", name, Py_TYPE(obj)->tp_name);
        return -1;
    }
    return 0;
}

static PyObject *
voice_set(VoiceObject *v, PyObject *arg, int which)
{
    static const char *const names[] = {"volume", "pan", "pitch"};
    double x;

    if (voice_float(arg, names[which], &x) < 0) {
        return NULL;
    }
    if (v->active) {
        switch (which) {
        case 0:
            ma_sound_set_volume(&v->core->sound, (float)x);
            break;
        case 1:
            ma_sound_set_pan(&v->core->sound, (float)x);
            break;
        default:
            ma_sound_set_pitch(&v->core->sound, (float)x);
            break;
        }
    }
    *(which == 0 ? &v->volume : which == 1 ? &v->pan : &v->pitch) = x;
    Py_RETURN_NONE;
}

static PyObject *voice_set_volume(VoiceObject *v, PyObject *arg) { return voice_set(v, arg, 0); }
static PyObject *voice_set_pan(VoiceObject *v, PyObject *arg) { return voice_set(v, arg, 1); }
static PyObject *voice_set_pitch(VoiceObject *v, PyObject *arg) { return voice_set(v, arg, 2); }

/* _stop(at, fade): stops at engine frame `at` (-1: now), fading out over the `fade` frames before. */
static PyObject *
voice_stop(VoiceObject *v, PyObject *args)
{
    long long at, fade;
    ma_uint64 now, when;

    if (!PyArg_ParseTuple(args, "LL:_stop", &at, &fade)) {
        return NULL;
    }
    if (!v->active) {
        Py_RETURN_NONE; /* finished already: stop() is a no-op */
    }
    now = ma_engine_get_time_in_pcm_frames(ma_sound_get_engine(&v->core->sound));
    when = at < 0 ? now + (ma_uint64)(fade > 0 ? fade : 0) : (ma_uint64)at;
    if (when < now) {
        when = now;
    }
    if (fade > 0) {
        ma_sound_set_stop_time_with_fade_in_pcm_frames(&v->core->sound, when, (ma_uint64)fade);
    }
    else {
        ma_sound_set_stop_time_in_pcm_frames(&v->core->sound, when);
    }
    v->stop_time = when;
    Py_RETURN_NONE;
}

static PyObject *
voice_pause(VoiceObject *v, PyObject *arg)
{
    int pause = PyObject_IsTrue(arg);

    if (pause < 0 || voice_check_active(v, pause ? "pause" : "resume") < 0) {
        return NULL;
    }
    if (pause) {
        ma_sound_stop(&v->core->sound);
    }
    else if (ma_sound_at_end(&v->core->sound)) {
        /* Its source ended (the reap that releases it is on its way): ma_sound_start() would seek
         * it back to frame 0 on this thread, under the reader, and play it again. */
    }
    else {
        ma_sound_start(&v->core->sound);
    }
    v->paused = pause;
    Py_RETURN_NONE;
}

static PyObject *
voice_seek(VoiceObject *v, PyObject *arg)
{
    unsigned long long frame = PyLong_AsUnsignedLongLong(arg);

    if (frame == (unsigned long long)-1 && PyErr_Occurred()) {
        return NULL;
    }
    if (voice_check_active(v, "seek") < 0) {
        return NULL;
    }
    /* Applied by the reader before its next read of this sound (a pending seek target). */
    ma_sound_seek_to_pcm_frame(&v->core->sound, (ma_uint64)frame); /* position reads the target meanwhile */
    Py_RETURN_NONE;
}

static PyObject *
voice_get_position(VoiceObject *v, void *closure)
{
    (void)closure;
    if (!v->active) {
        return PyLong_FromUnsignedLongLong(v->final_position);
    }
    return PyLong_FromUnsignedLongLong(voice_heard(v->core));
}

static PyObject *
voice_get_finished(VoiceObject *v, void *closure)
{
    (void)closure;
    return PyBool_FromLong(!v->active);
}

static PyObject *
voice_get_value(VoiceObject *v, void *closure)
{
    intptr_t which = (intptr_t)closure;
    return PyFloat_FromDouble(which == 0 ? v->volume : which == 1 ? v->pan : v->pitch);
}

static PyObject *
voice_get_paused(VoiceObject *v, void *closure)
{
    (void)closure;
    return PyBool_FromLong(v->paused);
}

/* The ma_result that ended the voice (its source failed to decode), 0 if none. */
static PyObject *
voice_get_error(VoiceObject *v, void *closure)
{
    (void)closure;
    return PyLong_FromLong(v->active ? pyma_aload(&v->core->ds.failed) : v->error);
}

static PyObject *
voice_get_mixer(VoiceObject *v, void *closure)
{
    (void)closure;
    return Py_NewRef(v->mixer != NULL ? (PyObject *)v->mixer : Py_None);
}

static PyObject *
voice_get_group(VoiceObject *v, void *closure)
{
    (void)closure;
    return Py_NewRef(v->group != NULL ? (PyObject *)v->group : Py_None);
}

static int
voice_traverse(VoiceObject *v, visitproc visit, void *arg)
{
    Py_VISIT(Py_TYPE(v));
    Py_VISIT(v->mixer);
    Py_VISIT(v->group);
    Py_VISIT(v->stream);
    return 0;
}

static int
voice_clear(VoiceObject *v)
{
    /* An active voice is held by its mixer's list, which releases it (mixer.c) before the engine
     * goes: only a finished voice gets here with its references. */
    if (!v->active) {
        Py_CLEAR(v->stream);
        Py_CLEAR(v->group);
        Py_CLEAR(v->mixer);
    }
    return 0;
}

static void
voice_dealloc(VoiceObject *v)
{
    PyTypeObject *tp = Py_TYPE(v);

    PyObject_GC_UnTrack(v);
    pyma_voice_release(v); /* not reached while active (the mixer's list holds it); kept safe */
    Py_CLEAR(v->stream);
    Py_CLEAR(v->group);
    Py_CLEAR(v->mixer);
    tp->tp_free((PyObject *)v);
    Py_DECREF(tp);
}

static PyMethodDef voice_methods[] = {
    {"_set_volume", (PyCFunction)voice_set_volume, METH_O, PyDoc_STR("_set_volume($self, volume, /)\n--\n\n")},
    {"_set_pan", (PyCFunction)voice_set_pan, METH_O, PyDoc_STR("_set_pan($self, pan, /)\n--\n\n")},
    {"_set_pitch", (PyCFunction)voice_set_pitch, METH_O, PyDoc_STR("_set_pitch($self, pitch, /)\n--\n\n")},
    {"_stop", (PyCFunction)voice_stop, METH_VARARGS,
     PyDoc_STR("_stop($self, at, fade, /)\n--\n\nStop at engine frame `at` (-1: now + fade), fading out over "
               "`fade` frames.")},
    {"_pause", (PyCFunction)voice_pause, METH_O, PyDoc_STR("_pause($self, paused, /)\n--\n\n")},
    {"_seek", (PyCFunction)voice_seek, METH_O, PyDoc_STR("_seek($self, frame, /)\n--\n\n")},
    {NULL, NULL, 0, NULL},
};

static PyGetSetDef voice_getset[] = {
    {"position", (getter)voice_get_position, NULL,
     PyDoc_STR("The source frame the voice mixes next (the read-ahead of the engine not counted)."), NULL},
    {"finished", (getter)voice_get_finished, NULL,
     PyDoc_STR("True once the voice has ended and its resources are released."), NULL},
    {"volume", (getter)voice_get_value, NULL, NULL, (void *)0},
    {"pan", (getter)voice_get_value, NULL, NULL, (void *)1},
    {"pitch", (getter)voice_get_value, NULL, NULL, (void *)2},
    {"paused", (getter)voice_get_paused, NULL, PyDoc_STR("Whether pause() holds it."), NULL},
    {"_error", (getter)voice_get_error, NULL, NULL, NULL},
    {"mixer", (getter)voice_get_mixer, NULL, PyDoc_STR("The Mixer the voice plays in."), NULL},
    {"group", (getter)voice_get_group, NULL, PyDoc_STR("The MixerGroup the voice plays into, or None."), NULL},
    {NULL, NULL, NULL, NULL, NULL},
};

static PyType_Slot voice_slots[] = {
    {Py_tp_doc, (void *)PyDoc_STR("A sound playing in a mixer (made by Mixer.play()).")},
    {Py_tp_dealloc, voice_dealloc},
    {Py_tp_traverse, voice_traverse},
    {Py_tp_clear, voice_clear},
    {Py_tp_methods, voice_methods},
    {Py_tp_getset, voice_getset},
    {0, NULL},
};

PyType_Spec pyma_voice_spec = {
    .name = "miniaudio._Voice",
    .basicsize = sizeof(VoiceObject),
    /* Made by Mixer.play() only (tp_alloc of the package's Voice). */
    .flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC | Py_TPFLAGS_BASETYPE | Py_TPFLAGS_DISALLOW_INSTANTIATION,
    .slots = voice_slots,
};
