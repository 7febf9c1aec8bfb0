/* devvolume.c: a playback or duplex device's master volume and its click-free pause/resume.
 *
 * Our own gain stage rather than miniaudio's master volume (ma_device_set_master_volume): miniaudio
 * applies that to the *input* of a duplex device (ma_device__handle_data_callback scales the
 * captured frames before the callback and leaves the output alone), and its u8 scaling moves the
 * silence level (128 * factor).  So miniaudio's factor stays 1 and the audio thread scales what a
 * period produced here, in the device's own sample format (before miniaudio converts it to the
 * backend's), for every kind of run: pushed, pulled, Python generator or callback.
 *
 * Threads: pause()/resume() and the volume setter store one atomic word each (fade_ctl,
 * volume_bits), from any thread, with the GIL; the audio thread reads them once per period and
 * owns the fade level (fade_pos / fade_den), so it never waits and never allocates.
 *
 * The fade: a fade of F frames has levels p / (F + 1).  Fading out, the source's next frames get
 * F/(F+1), ..., 1/(F+1) and then no frame is pulled any more (silence, the source untouched);
 * fading in, the source's next frames get 1/(F+1), ..., F/(F+1) and then full level.  A request
 * that reverses a fade under way continues from the level reached.
 */
#include "_miniaudio.h"

#include <math.h>
#include <string.h>

#define FADE_LEN_MASK 0xFFFFFFFFu
#define FADE_PAUSED ((ma_uint64)1 << 32)
#define FADE_SEQ_SHIFT 33

static float
volume_load(DeviceObject *self)
{
    int bits = pyma_aload(&self->volume_bits);
    float v;

    memcpy(&v, &bits, sizeof v);
    return v;
}

static void
volume_store(DeviceObject *self, float v)
{
    int bits;

    memcpy(&bits, &v, sizeof bits);
    pyma_astore(&self->volume_bits, bits);
}

void
pyma_gain_init(DeviceObject *self)
{
    self->volume = 1.0;
    volume_store(self, 1.0f);
}

void
pyma_gain_start(DeviceObject *self)
{
    ma_uint64 ctl = pyma_aload64(&self->fade_ctl) & ~FADE_PAUSED;

    pyma_astore64(&self->fade_ctl, ctl);
    self->fade_seen = ctl >> FADE_SEQ_SHIFT;
    self->fade_den = (ctl & FADE_LEN_MASK) + 1;
    self->fade_pos = self->fade_den;
}

/* Multiplies `frames` frames at p by g (0 <= g <= 1), truncating toward zero like miniaudio's
 * ma_apply_volume_factor_*; u8 around its silence level 128. */
static void
scale_frames(const DeviceObject *self, void *p, ma_uint32 frames, float g)
{
    size_t i, n = (size_t)frames * self->play_channels;

    switch (self->play_fmt->format) {
    case ma_format_f32: {
        float *s = (float *)p;
        for (i = 0; i < n; i++) {
            s[i] = s[i] * g;
        }
        break;
    }
    case ma_format_s16: {
        ma_int16 *s = (ma_int16 *)p;
        for (i = 0; i < n; i++) {
            s[i] = (ma_int16)(s[i] * g);
        }
        break;
    }
    case ma_format_s32: {
        ma_int32 *s = (ma_int32 *)p;
        for (i = 0; i < n; i++) {
            s[i] = (ma_int32)((double)s[i] * g); /* a float would round the sample to 24 bits */
        }
        break;
    }
    case ma_format_s24: {
        ma_uint8 *s = (ma_uint8 *)p;
        for (i = 0; i < n; i++, s += 3) {
            ma_int32 v = (ma_int32)(((ma_uint32)s[0] << 8) | ((ma_uint32)s[1] << 16) | ((ma_uint32)s[2] << 24));
            v = (ma_int32)((double)(v >> 8) * g);
            s[0] = (ma_uint8)(v & 0xFF);
            s[1] = (ma_uint8)((v >> 8) & 0xFF);
            s[2] = (ma_uint8)((v >> 16) & 0xFF);
        }
        break;
    }
    case ma_format_u8: {
        ma_uint8 *s = (ma_uint8 *)p;
        for (i = 0; i < n; i++) {
            s[i] = (ma_uint8)(128 + (int)((float)((int)s[i] - 128) * g));
        }
        break;
    }
    default:
        break;
    }
}

/* The level p/den times the volume, as the audio thread applies it (the tests compute the same). */
static float
level(ma_uint64 pos, ma_uint64 den, float vol)
{
    return (float)((double)pos / (double)den * (double)vol);
}

int
pyma_gain_serve(DeviceObject *self, void *out, const void *in, ma_uint32 frames, pyma_step_fn step)
{
    ma_uint64 ctl = pyma_aload64(&self->fade_ctl), den;
    float vol = volume_load(self);
    char *o = (char *)out;
    ma_uint32 n, i;
    int padded = 0;

    if ((ctl >> FADE_SEQ_SHIFT) != self->fade_seen) {
        /* A new pause()/resume(): its fade length applies from here, from the level reached. */
        self->fade_seen = ctl >> FADE_SEQ_SHIFT;
        den = (ctl & FADE_LEN_MASK) + 1;
        if (den != self->fade_den) {
            self->fade_pos = (self->fade_pos * den + self->fade_den / 2) / self->fade_den;
            self->fade_den = den;
        }
    }
    den = self->fade_den;
    if (ctl & FADE_PAUSED) {
        if (self->fade_pos == 0) {
            /* Paused: the source is not pulled; not a padded period. */
            ma_silence_pcm_frames(out, frames, self->play_fmt->format, self->play_channels);
            return 0;
        }
        /* Fading out: pull only the frames of the fade, so the source stops at its last one. */
        n = self->fade_pos - 1 < frames ? (ma_uint32)(self->fade_pos - 1) : frames;
        if (n > 0) {
            padded = step(self, out, in, n);
        }
        for (i = 0; i < n; i++) {
            self->fade_pos--;
            scale_frames(self, o + (size_t)i * self->play_frame_bytes, 1, level(self->fade_pos, den, vol));
        }
        if (self->fade_pos == 1) {
            self->fade_pos = 0;
        }
        if (n < frames) {
            ma_silence_pcm_frames(o + (size_t)n * self->play_frame_bytes, frames - n, self->play_fmt->format,
                                  self->play_channels);
        }
        return padded;
    }
    padded = step(self, out, in, frames);
    for (i = 0; i < frames && self->fade_pos < den; i++) {
        /* Fading in. */
        self->fade_pos++;
        scale_frames(self, o + (size_t)i * self->play_frame_bytes, 1, level(self->fade_pos, den, vol));
    }
    if (vol != 1.0f && i < frames) {
        scale_frames(self, o + (size_t)i * self->play_frame_bytes, frames - i, vol);
    }
    return padded;
}

/* ---- the Python side (GIL held) ------------------------------------------------------------ */

const char pyma_device_set_volume_doc[] =
    "_set_volume($self, volume, /)\n--\n\nSet the master volume (a float 0..1, checked by the caller too).";

PyObject *
pyma_device_set_volume(DeviceObject *self, PyObject *arg)
{
    double v = PyFloat_AsDouble(arg);

    if (v == -1.0 && PyErr_Occurred()) {
        return NULL;
    }
    if (!(v >= 0.0 && v <= 1.0)) {
        PyErr_Format(PyExc_ValueError, "volume must be 0.0 to 1.0, not %R", arg);
        return NULL;
    }
    if (pyma_device_check_open(self) < 0) {
        return NULL;
    }
    self->volume = v;
    volume_store(self, (float)v);
    Py_RETURN_NONE;
}

PyObject *
pyma_device_get_volume(DeviceObject *self, void *Py_UNUSED(closure))
{
    return PyFloat_FromDouble(self->volume);
}

const char pyma_device_pause_doc[] =
    "_pause($self, paused, fade_frames, /)\n--\n\n"
    "Ask the audio thread to fade out and pause (paused true) or to fade in and resume, over fade_frames\n"
    "frames.  Returns False when no run is going (nothing changed).";

PyObject *
pyma_device_pause(DeviceObject *self, PyObject *args)
{
    int paused;
    unsigned long long frames;
    ma_uint64 ctl, seq;

    if (!PyArg_ParseTuple(args, "pK:_pause", &paused, &frames)) {
        return NULL;
    }
    if (frames > 0x7FFFFFFFu) {
        PyErr_Format(PyExc_ValueError, "the fade is too long: %llu frames", frames);
        return NULL;
    }
    if (pyma_device_check_open(self) < 0) {
        return NULL;
    }
    if (pyma_aload(&self->state) != PYMA_RUN_RUNNING) {
        Py_RETURN_FALSE;
    }
    /* One word, so the audio thread never sees a new state with an old length.  The request
     * number tells it that the length may have changed. */
    ctl = pyma_aload64(&self->fade_ctl);
    seq = (ctl >> FADE_SEQ_SHIFT) + 1;
    pyma_astore64(&self->fade_ctl, (seq << FADE_SEQ_SHIFT) | (paused ? FADE_PAUSED : 0) | (ma_uint64)frames);
    Py_RETURN_TRUE;
}

PyObject *
pyma_device_get_paused(DeviceObject *self, void *Py_UNUSED(closure))
{
    return PyBool_FromLong(self->device_ready && pyma_aload(&self->state) == PYMA_RUN_RUNNING &&
                           (pyma_aload64(&self->fade_ctl) & FADE_PAUSED) != 0);
}
