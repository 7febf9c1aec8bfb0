/* dsp_kinds.c: the kinds of processor (filters, delay, gain, pan, fade) over miniaudio's own
 * components, and the one table that names their parameters.
 *
 * Everything here but pyma_dsp_validate runs without the Python API: pyma_dsp_new allocates (GIL
 * held by the caller, or not), pyma_dsp_apply / pyma_dsp_reset / pyma_dsp_process never allocate
 * and never wait, so the audio thread can call them.  Samples are float32, interleaved, processed
 * in place; every kind is chunk-invariant (the same frames come out whatever the block sizes).
 */
#include "_miniaudio.h"

#include <math.h>

#define PYMA_PI_D 3.14159265358979323846264 /* miniaudio's MA_PI_D (private to its implementation) */
#define SCRATCH_FRAMES 256 /* frames of the copy kept for components that cannot work in place */
#define PAN_RAMP_FRAMES 256 /* a pan change moves there linearly over this many frames (no click) */

static const pyma_dsp_kind_info kinds[PYMA_DSP_KIND_COUNT] = {
    [PYMA_DSP_BIQUAD] = {"Biquad", 6, {"b0", "b1", "b2", "a0", "a1", "a2"}, 0x3F, 0},
    [PYMA_DSP_LPF] = {"LowPass", 2, {"cutoff", "order"}, 0x1, 1},
    [PYMA_DSP_HPF] = {"HighPass", 2, {"cutoff", "order"}, 0x1, 1},
    [PYMA_DSP_BPF] = {"BandPass", 2, {"cutoff", "order"}, 0x1, 1},
    [PYMA_DSP_NOTCH] = {"Notch", 2, {"frequency", "q"}, 0x3, 1},
    [PYMA_DSP_PEAK] = {"PeakingEQ", 3, {"frequency", "gain_db", "q"}, 0x7, 1},
    [PYMA_DSP_LOSHELF] = {"LowShelf", 3, {"frequency", "gain_db", "slope"}, 0x7, 1},
    [PYMA_DSP_HISHELF] = {"HighShelf", 3, {"frequency", "gain_db", "slope"}, 0x7, 1},
    [PYMA_DSP_DELAY] = {"Delay", 4, {"seconds", "decay", "wet", "dry"}, 0xE, 1},
    [PYMA_DSP_GAIN] = {"Gain", 2, {"db", "smoothing"}, 0x1, 1},
    [PYMA_DSP_PAN] = {"Pan", 2, {"pan", "mode"}, 0x3, 0},
    [PYMA_DSP_FADE] = {"Fade", 3, {"start", "end", "seconds"}, 0x7, 1},
};

const pyma_dsp_kind_info *
pyma_dsp_kind(int kind)
{
    return (kind >= 0 && kind < PYMA_DSP_KIND_COUNT) ? &kinds[kind] : NULL;
}

/* What a kind keeps: its miniaudio component(s) and the parameters last applied. */
struct pyma_dsp {
    int kind;
    ma_uint32 channels, rate;
    double applied[PYMA_DSP_MAX_PARAMS];
    float *scratch; /* SCRATCH_FRAMES frames (delay, gain), or NULL */
    float pan_now, pan_step; /* Pan: the pan of the last frame, and its step per frame while */
    ma_uint32 pan_left;      /* pan_left > 0 frames of a ramp to applied[0] remain */
    union {
        ma_biquad bq;
        ma_lpf lpf;
        ma_bpf bpf;
        ma_notch2 notch;
        ma_peak2 peak;
        ma_loshelf2 loshelf;
        ma_hishelf2 hishelf;
        ma_delay delay;
        ma_gainer gainer;
        ma_panner panner;
        ma_fader fader;
        /* HighPass: even orders are ma_hpf; odd orders are a first-order biquad (see hpf_first)
         * followed by order/2 ma_hpf2 sections with ma_hpf's own Butterworth Qs. */
        struct {
            ma_hpf even;
            ma_biquad first;
            ma_hpf2 sec[MA_MAX_FILTER_ORDER / 2];
            ma_uint32 nsec;
        } hpf;
    } u;
};

/* ---- validation (GIL held) --------------------------------------------------------------- */

/* Raises ValueError "<Kind>: <name> must be <rule>, not <v>".  Returns -1. */
static int
bad(const char *kind, const char *name, double v, const char *rule)
{
    /* whole numbers (an order, a mode) show as ints */
    PyObject *value = (v == floor(v) && fabs(v) < 1e15) ? PyLong_FromDouble(v) : PyFloat_FromDouble(v);
    if (value != NULL) {
        PyErr_Format(PyExc_ValueError, "%s: %s must be %s, not %R", kind, name, rule, value);
        Py_DECREF(value);
    }
    return -1;
}

/* The delay/fade/smoothing length in frames of `seconds` at `rate`. */
static double
frames_of(double seconds, ma_uint32 rate)
{
    return floor(seconds * (double)rate + 0.5);
}

int
pyma_dsp_validate(int kind, const double *p, ma_uint32 rate, ma_uint32 channels)
{
    const pyma_dsp_kind_info *k = &kinds[kind];
    double nyquist = rate / 2.0;

    for (int i = 0; i < k->nparams; i++) {
        if (!isfinite(p[i])) {
            PyObject *v = PyFloat_FromDouble(p[i]);
            if (v != NULL) {
                PyErr_Format(PyExc_ValueError, "%s: %s must be a finite number, not %R", k->name, k->params[i], v);
                Py_DECREF(v);
            }
            return -1;
        }
    }
    switch (kind) {
    case PYMA_DSP_BIQUAD:
        if (p[3] == 0) {
            return bad(k->name, "a0", p[3], "non-zero (the coefficients are divided by it)");
        }
        break;
    case PYMA_DSP_LPF:
    case PYMA_DSP_HPF:
    case PYMA_DSP_BPF:
        if (kind == PYMA_DSP_BPF) {
            if (p[1] != floor(p[1]) || p[1] < 2 || p[1] > MA_MAX_FILTER_ORDER || ((long)p[1] & 1)) {
                return bad(k->name, "order", p[1], "an even integer from 2 to 8 (miniaudio's band-pass is "
                                                   "a cascade of second-order sections)");
            }
        } else if (p[1] != floor(p[1]) || p[1] < 1 || p[1] > MA_MAX_FILTER_ORDER) {
            return bad(k->name, "order", p[1], "an integer from 1 to 8");
        }
        /* fall through: the cutoff */
        MA_FALLTHROUGH;
    case PYMA_DSP_NOTCH:
    case PYMA_DSP_PEAK:
    case PYMA_DSP_LOSHELF:
    case PYMA_DSP_HISHELF:
        if (p[0] <= 0) {
            return bad(k->name, k->params[0], p[0], "above 0 Hz");
        }
        if (rate != 0 && p[0] >= nyquist) {
            PyObject *v = PyFloat_FromDouble(p[0]);
            if (v != NULL) {
                PyErr_Format(PyExc_ValueError,
                             "%s: %s must be below the Nyquist frequency (%d Hz at sample_rate=%u), not %R",
                             k->name, k->params[0], (int)nyquist, (unsigned)rate, v);
                Py_DECREF(v);
            }
            return -1;
        }
        if (kind == PYMA_DSP_NOTCH && p[1] <= 0) {
            return bad(k->name, "q", p[1], "above 0");
        }
        if (kind == PYMA_DSP_PEAK && p[2] <= 0) {
            return bad(k->name, "q", p[2], "above 0");
        }
        if (kind == PYMA_DSP_PEAK || kind == PYMA_DSP_LOSHELF || kind == PYMA_DSP_HISHELF) {
            if (fabs(p[1]) > 200) {
                return bad(k->name, "gain_db", p[1], "within -200..200 dB");
            }
        }
        if (kind == PYMA_DSP_LOSHELF || kind == PYMA_DSP_HISHELF) {
            double A = pow(10, p[1] / 40);
            if (p[2] <= 0) {
                return bad(k->name, "slope", p[2], "above 0");
            }
            if ((A + 1 / A) * (1 / p[2] - 1) + 2 < 0) {
                return bad(k->name, "slope", p[2], "at most the steepest slope this gain_db allows (1 is the steepest "
                                                   "that is monotonic)");
            }
        }
        break;
    case PYMA_DSP_DELAY:
        if (p[0] <= 0 || p[0] > 3600) {
            return bad(k->name, "seconds", p[0], "above 0 and at most 3600");
        }
        if (rate != 0) {
            double n = frames_of(p[0], rate);
            if (n < 1) {
                return bad(k->name, "seconds", p[0], "at least one frame long at this sample_rate");
            }
            if (channels != 0 && n * channels > (double)0x7FFFFFFF / sizeof(float)) {
                return bad(k->name, "seconds", p[0], "short enough for a delay line below 2 GiB");
            }
        }
        if (p[1] < 0 || p[1] > 1) {
            return bad(k->name, "decay", p[1], "within 0..1");
        }
        break;
    case PYMA_DSP_GAIN:
        if (fabs(p[0]) > 200) {
            return bad(k->name, "db", p[0], "within -200..200 dB");
        }
        if (p[1] < 0 || p[1] > 60) {
            return bad(k->name, "smoothing", p[1], "within 0..60 seconds");
        }
        break;
    case PYMA_DSP_PAN:
        if (p[0] < -1 || p[0] > 1) {
            return bad(k->name, "pan", p[0], "within -1..1");
        }
        if (p[1] != 0 && p[1] != 1) {
            return bad(k->name, "mode", p[1], "0 (balance) or 1 (pan)");
        }
        if (channels != 0 && channels != 2) {
            PyErr_Format(PyExc_ValueError, "Pan: nchannels must be 2 (miniaudio's panner is stereo only), not %u",
                         (unsigned)channels);
            return -1;
        }
        break;
    case PYMA_DSP_FADE:
        if (p[0] < 0 || p[0] > 1000 || p[1] < 0 || p[1] > 1000) {
            return bad(k->name, p[0] < 0 || p[0] > 1000 ? "start" : "end", p[0] < 0 || p[0] > 1000 ? p[0] : p[1],
                       "a volume within 0..1000 (1 is unchanged)");
        }
        if (p[2] < 0 || (rate != 0 && frames_of(p[2], rate) > 0xFFFFFFFFu) || p[2] > 86400) {
            return bad(k->name, "seconds", p[2], "within 0..86400 (and 2**32 frames)");
        }
        break;
    }
    return 0;
}

/* ---- applying parameters (no Python API, no allocation) ---------------------------------- */

/* The first-order high-pass section (miniaudio's ma_hpf1 is not one: its f32 path computes
 * y = a*x - (1-a)*y[n-1], whose gain at DC is a/(2-a), about -2.3 dB at 1 kHz/44.1 kHz, so an odd-order
 * ma_hpf passes DC).  The mirror of ma_lpf1: the pole at a = exp(-2 pi fc / fs), a zero at DC and
 * unit gain at Nyquist: H(z) = (1+a)/2 * (1 - z^-1) / (1 - a z^-1). */
static ma_biquad_config
hpf_first(ma_uint32 channels, ma_uint32 rate, double cutoff)
{
    double a = exp(-2 * PYMA_PI_D * cutoff / rate);
    return ma_biquad_config_init(ma_format_f32, channels, (1 + a) / 2, -(1 + a) / 2, 0, 1, -a, 0);
}

/* The Q of second-order section i of an order-`order` Butterworth cascade, as ma_hpf/ma_lpf compute it. */
static double
section_q(ma_uint32 order, ma_uint32 i)
{
    double a = (order & 1) ? (1 + i) * (PYMA_PI_D / order) : (1 + i * 2) * (PYMA_PI_D / (order * 2));
    return 1 / (2 * sin(PYMA_PI_D * 0.5 - a)); /* ma_cosd(a), exactly as miniaudio computes it */
}

static void
apply(pyma_dsp *d, const double *p, int first)
{
    ma_uint32 ch = d->channels, sr = d->rate;
    int changed = first;
    for (int i = 0; i < kinds[d->kind].nparams; i++) {
        changed |= (d->applied[i] != p[i]);
    }
    if (!changed) {
        return;
    }
    /* reinit keeps the filters' state (the delay registers): the change is click-free. */
    switch (d->kind) {
    case PYMA_DSP_BIQUAD: {
        ma_biquad_config c = ma_biquad_config_init(ma_format_f32, ch, p[0], p[1], p[2], p[3], p[4], p[5]);
        ma_biquad_reinit(&c, &d->u.bq);
        break;
    }
    case PYMA_DSP_LPF: {
        ma_lpf_config c = ma_lpf_config_init(ma_format_f32, ch, sr, p[0], (ma_uint32)p[1]);
        ma_lpf_reinit(&c, &d->u.lpf);
        break;
    }
    case PYMA_DSP_HPF: {
        ma_uint32 order = (ma_uint32)p[1];
        if ((order & 1) == 0) {
            ma_hpf_config c = ma_hpf_config_init(ma_format_f32, ch, sr, p[0], order);
            ma_hpf_reinit(&c, &d->u.hpf.even);
        } else {
            ma_biquad_config c = hpf_first(ch, sr, p[0]);
            ma_biquad_reinit(&c, &d->u.hpf.first);
            for (ma_uint32 i = 0; i < d->u.hpf.nsec; i++) {
                ma_hpf2_config c2 = ma_hpf2_config_init(ma_format_f32, ch, sr, p[0], section_q(order, i));
                ma_hpf2_reinit(&c2, &d->u.hpf.sec[i]);
            }
        }
        break;
    }
    case PYMA_DSP_BPF: {
        ma_bpf_config c = ma_bpf_config_init(ma_format_f32, ch, sr, p[0], (ma_uint32)p[1]);
        ma_bpf_reinit(&c, &d->u.bpf);
        break;
    }
    case PYMA_DSP_NOTCH: {
        ma_notch2_config c = ma_notch2_config_init(ma_format_f32, ch, sr, p[1], p[0]);
        ma_notch2_reinit(&c, &d->u.notch);
        break;
    }
    case PYMA_DSP_PEAK: {
        ma_peak2_config c = ma_peak2_config_init(ma_format_f32, ch, sr, p[1], p[2], p[0]);
        ma_peak2_reinit(&c, &d->u.peak);
        break;
    }
    case PYMA_DSP_LOSHELF: {
        ma_loshelf2_config c = ma_loshelf2_config_init(ma_format_f32, ch, sr, p[1], p[2], p[0]);
        ma_loshelf2_reinit(&c, &d->u.loshelf);
        break;
    }
    case PYMA_DSP_HISHELF: {
        ma_hishelf2_config c = ma_hishelf2_config_init(ma_format_f32, ch, sr, p[1], p[2], p[0]);
        ma_hishelf2_reinit(&c, &d->u.hishelf);
        break;
    }
    case PYMA_DSP_DELAY: /* seconds is fixed: it sized the delay line */
        ma_delay_set_decay(&d->u.delay, (float)p[1]);
        ma_delay_set_wet(&d->u.delay, (float)p[2]);
        ma_delay_set_dry(&d->u.delay, (float)p[3]);
        break;
    case PYMA_DSP_GAIN: /* smoothed by ma_gainer over `smoothing` (fixed) from the gain reached */
        if (first || d->applied[0] != p[0]) {
            ma_gainer_set_gain(&d->u.gainer, (float)pow(10.0, p[0] / 20.0));
        }
        break;
    case PYMA_DSP_PAN: /* a new pan is reached by a ramp from where the pan stands (run_pan) */
        if (first) {
            d->pan_now = (float)p[0];
            d->pan_left = 0;
            ma_panner_set_pan(&d->u.panner, d->pan_now);
        }
        else if (d->applied[0] != p[0]) {
            d->pan_left = PAN_RAMP_FRAMES;
            d->pan_step = ((float)p[0] - d->pan_now) / (float)PAN_RAMP_FRAMES;
        }
        ma_panner_set_mode(&d->u.panner, p[1] != 0 ? ma_pan_mode_pan : ma_pan_mode_balance);
        break;
    case PYMA_DSP_FADE: /* a new fade, from the next frame */
        ma_fader_set_fade(&d->u.fader, (float)p[0], (float)p[1], (ma_uint64)frames_of(p[2], sr));
        break;
    }
    memcpy(d->applied, p, sizeof(d->applied));
}

void
pyma_dsp_apply(pyma_dsp *d, const double *params)
{
    apply(d, params, 0);
}

/* ---- life ---------------------------------------------------------------------------------- */

pyma_dsp *
pyma_dsp_new(int kind, const double *p, ma_uint32 ch, ma_uint32 sr, ma_result *result)
{
    pyma_dsp *d = calloc(1, sizeof(*d));
    ma_result r = MA_SUCCESS;
    if (d == NULL) {
        *result = MA_OUT_OF_MEMORY;
        return NULL;
    }
    d->kind = kind;
    d->channels = ch;
    d->rate = sr;
    switch (kind) {
    case PYMA_DSP_BIQUAD: {
        ma_biquad_config c = ma_biquad_config_init(ma_format_f32, ch, p[0], p[1], p[2], p[3], p[4], p[5]);
        r = ma_biquad_init(&c, NULL, &d->u.bq);
        break;
    }
    case PYMA_DSP_LPF: {
        ma_lpf_config c = ma_lpf_config_init(ma_format_f32, ch, sr, p[0], (ma_uint32)p[1]);
        r = ma_lpf_init(&c, NULL, &d->u.lpf);
        break;
    }
    case PYMA_DSP_HPF: {
        ma_uint32 order = (ma_uint32)p[1];
        if ((order & 1) == 0) {
            ma_hpf_config c = ma_hpf_config_init(ma_format_f32, ch, sr, p[0], order);
            r = ma_hpf_init(&c, NULL, &d->u.hpf.even);
        } else {
            ma_biquad_config c = hpf_first(ch, sr, p[0]);
            r = ma_biquad_init(&c, NULL, &d->u.hpf.first);
            for (ma_uint32 i = 0; r == MA_SUCCESS && i < order / 2; i++) {
                ma_hpf2_config c2 = ma_hpf2_config_init(ma_format_f32, ch, sr, p[0], section_q(order, i));
                r = ma_hpf2_init(&c2, NULL, &d->u.hpf.sec[i]);
                if (r == MA_SUCCESS) {
                    d->u.hpf.nsec = i + 1;
                }
            }
        }
        break;
    }
    case PYMA_DSP_BPF: {
        ma_bpf_config c = ma_bpf_config_init(ma_format_f32, ch, sr, p[0], (ma_uint32)p[1]);
        r = ma_bpf_init(&c, NULL, &d->u.bpf);
        break;
    }
    case PYMA_DSP_NOTCH: {
        ma_notch2_config c = ma_notch2_config_init(ma_format_f32, ch, sr, p[1], p[0]);
        r = ma_notch2_init(&c, NULL, &d->u.notch);
        break;
    }
    case PYMA_DSP_PEAK: {
        ma_peak2_config c = ma_peak2_config_init(ma_format_f32, ch, sr, p[1], p[2], p[0]);
        r = ma_peak2_init(&c, NULL, &d->u.peak);
        break;
    }
    case PYMA_DSP_LOSHELF: {
        ma_loshelf2_config c = ma_loshelf2_config_init(ma_format_f32, ch, sr, p[1], p[2], p[0]);
        r = ma_loshelf2_init(&c, NULL, &d->u.loshelf);
        break;
    }
    case PYMA_DSP_HISHELF: {
        ma_hishelf2_config c = ma_hishelf2_config_init(ma_format_f32, ch, sr, p[1], p[2], p[0]);
        r = ma_hishelf2_init(&c, NULL, &d->u.hishelf);
        break;
    }
    case PYMA_DSP_DELAY: {
        /* miniaudio's defaults: wet = dry = 1; decay == 0 delays the start (a plain delay line),
         * decay > 0 is an echo (the input is heard at once, then every `seconds`). */
        ma_delay_config c = ma_delay_config_init(ch, sr, (ma_uint32)frames_of(p[0], sr), (float)p[1]);
        r = ma_delay_init(&c, NULL, &d->u.delay);
        break;
    }
    case PYMA_DSP_GAIN: {
        double n = frames_of(p[1], sr);
        ma_gainer_config c = ma_gainer_config_init(ch, n < 1 ? 1 : (ma_uint32)n);
        r = ma_gainer_init(&c, NULL, &d->u.gainer);
        break;
    }
    case PYMA_DSP_PAN: {
        ma_panner_config c = ma_panner_config_init(ma_format_f32, ch);
        r = ma_panner_init(&c, &d->u.panner);
        break;
    }
    case PYMA_DSP_FADE: {
        ma_fader_config c = ma_fader_config_init(ma_format_f32, ch, sr);
        r = ma_fader_init(&c, &d->u.fader);
        break;
    }
    }
    if (r == MA_SUCCESS && (kind == PYMA_DSP_DELAY || kind == PYMA_DSP_GAIN)) {
        d->scratch = malloc((size_t)SCRATCH_FRAMES * ch * sizeof(float));
        if (d->scratch == NULL) {
            r = MA_OUT_OF_MEMORY;
        }
    }
    if (r != MA_SUCCESS) {
        pyma_dsp_free(d);
        *result = r;
        return NULL;
    }
    apply(d, p, 1);
    *result = MA_SUCCESS;
    return d;
}

void
pyma_dsp_free(pyma_dsp *d)
{
    if (d == NULL) {
        return;
    }
    /* The union members' uninit functions only free their heap (NULL-safe on a zeroed member). */
    switch (d->kind) {
    case PYMA_DSP_BIQUAD: ma_biquad_uninit(&d->u.bq, NULL); break;
    case PYMA_DSP_LPF: ma_lpf_uninit(&d->u.lpf, NULL); break;
    case PYMA_DSP_HPF:
        if (d->u.hpf.even._pHeap != NULL) {
            ma_hpf_uninit(&d->u.hpf.even, NULL);
        }
        if (d->u.hpf.first._pHeap != NULL) {
            ma_biquad_uninit(&d->u.hpf.first, NULL);
        }
        for (ma_uint32 i = 0; i < d->u.hpf.nsec; i++) {
            ma_hpf2_uninit(&d->u.hpf.sec[i], NULL);
        }
        break;
    case PYMA_DSP_BPF: ma_bpf_uninit(&d->u.bpf, NULL); break;
    case PYMA_DSP_NOTCH: ma_notch2_uninit(&d->u.notch, NULL); break;
    case PYMA_DSP_PEAK: ma_peak2_uninit(&d->u.peak, NULL); break;
    case PYMA_DSP_LOSHELF: ma_loshelf2_uninit(&d->u.loshelf, NULL); break;
    case PYMA_DSP_HISHELF: ma_hishelf2_uninit(&d->u.hishelf, NULL); break;
    case PYMA_DSP_DELAY: ma_delay_uninit(&d->u.delay, NULL); break;
    case PYMA_DSP_GAIN: ma_gainer_uninit(&d->u.gainer, NULL); break;
    default: break; /* panner, fader: no heap */
    }
    free(d->scratch);
    free(d);
}

/* ---- reset and processing (no Python API, no allocation) --------------------------------- */

static void
zero_biquad(ma_biquad *bq)
{
    ma_biquad_clear_cache(bq); /* every channel (patch 0054) */
}

void
pyma_dsp_reset(pyma_dsp *d)
{
    switch (d->kind) {
    case PYMA_DSP_BIQUAD: zero_biquad(&d->u.bq); break;
    case PYMA_DSP_LPF: ma_lpf_clear_cache(&d->u.lpf); break;
    case PYMA_DSP_HPF:
        if (d->u.hpf.even._pHeap != NULL) {
            for (ma_uint32 i = 0; i < d->u.hpf.even.hpf2Count; i++) {
                zero_biquad(&d->u.hpf.even.pHPF2[i].bq);
            }
        } else {
            zero_biquad(&d->u.hpf.first);
            for (ma_uint32 i = 0; i < d->u.hpf.nsec; i++) {
                zero_biquad(&d->u.hpf.sec[i].bq);
            }
        }
        break;
    case PYMA_DSP_BPF:
        for (ma_uint32 i = 0; i < d->u.bpf.bpf2Count; i++) {
            zero_biquad(&d->u.bpf.pBPF2[i].bq);
        }
        break;
    case PYMA_DSP_NOTCH: zero_biquad(&d->u.notch.bq); break;
    case PYMA_DSP_PEAK: zero_biquad(&d->u.peak.bq); break;
    case PYMA_DSP_LOSHELF: zero_biquad(&d->u.loshelf.bq); break;
    case PYMA_DSP_HISHELF: zero_biquad(&d->u.hishelf.bq); break;
    case PYMA_DSP_DELAY:
        memset(d->u.delay.pBuffer, 0, (size_t)d->u.delay.bufferSizeInFrames * d->channels * sizeof(float));
        d->u.delay.cursor = 0;
        break;
    case PYMA_DSP_GAIN: /* no ramp in progress: the gain is the target */
        for (ma_uint32 c = 0; c < d->channels; c++) {
            d->u.gainer.pOldGains[c] = d->u.gainer.pNewGains[c];
        }
        d->u.gainer.t = d->u.gainer.config.smoothTimeInFrames;
        break;
    case PYMA_DSP_PAN: /* no ramp in progress: the pan is the target */
        d->pan_now = (float)d->applied[0];
        d->pan_left = 0;
        ma_panner_set_pan(&d->u.panner, d->pan_now);
        break;
    case PYMA_DSP_FADE: apply(d, d->applied, 1); break; /* the fade starts again */
    }
}

/* Gain: ma_gainer_process_pcm_frames interpolates its whole block from where the ramp stands,
 * overshooting past the ramp's end when the block is longer than what is left of it (its frame
 * count of the ramp is t - smoothTime in unsigned arithmetic), and its running gain depends on where
 * blocks start.  So the ramp goes through it one frame at a time (each frame's gain then comes from
 * t alone: chunk-invariant and never past the target); the rest in blocks.  The gainer's arguments
 * are restrict pointers: the input is a copy in scratch. */
static void
run_gain(pyma_dsp *d, float *x, ma_uint32 n)
{
    ma_gainer *g = &d->u.gainer;
    ma_uint32 ch = d->channels;
    while (n > 0) {
        ma_uint32 block;
        if (g->t < g->config.smoothTimeInFrames) {
            block = 1;
        } else {
            block = n < SCRATCH_FRAMES ? n : SCRATCH_FRAMES;
        }
        memcpy(d->scratch, x, (size_t)block * ch * sizeof(float));
        ma_gainer_process_pcm_frames(g, x, d->scratch, block);
        x += (size_t)block * ch;
        n -= block;
    }
}

/* Pan: miniaudio's panner has no ramp, so a change would jump (a click).  During a ramp each
 * frame gets its own pan, one frame at a time (each frame's pan depends only on the frames since
 * the change: chunk-invariant); the last frame of the ramp lands on the target exactly. */
static void
run_pan(pyma_dsp *d, float *x, ma_uint32 n)
{
    while (n > 0 && d->pan_left > 0) {
        d->pan_left--;
        d->pan_now = d->pan_left == 0 ? (float)d->applied[0] : d->pan_now + d->pan_step;
        ma_panner_set_pan(&d->u.panner, d->pan_now);
        ma_panner_process_pcm_frames(&d->u.panner, x, x, 1);
        x += d->channels;
        n--;
    }
    if (n > 0) {
        ma_panner_process_pcm_frames(&d->u.panner, x, x, n);
    }
}

/* Fade: ma_fader for the frames of the ramp; after it, the end volume without ma_fader's clip to
 * [-1, 1] (which it applies only outside the ramp, so a chunk boundary would change the output). */
static void
run_fade(pyma_dsp *d, float *x, ma_uint32 n)
{
    ma_fader *f = &d->u.fader;
    size_t samples;
    if (f->volumeBeg != f->volumeEnd && f->cursorInFrames < (ma_int64)f->lengthInFrames) {
        ma_uint64 left = f->lengthInFrames - (ma_uint64)f->cursorInFrames;
        ma_uint32 ramp = left < n ? (ma_uint32)left : n;
        ma_fader_process_pcm_frames(f, x, x, ramp);
        x += (size_t)ramp * d->channels;
        n -= ramp;
    }
    if (n == 0) {
        return;
    }
    samples = (size_t)n * d->channels;
    if (f->volumeEnd != 1) {
        for (size_t i = 0; i < samples; i++) {
            x[i] *= f->volumeEnd;
        }
    }
    if (f->cursorInFrames < (ma_int64)0x4000000000000000LL) {
        f->cursorInFrames += n;
    }
}

void
pyma_dsp_process(pyma_dsp *d, float *x, ma_uint32 n)
{
    switch (d->kind) {
    case PYMA_DSP_BIQUAD: ma_biquad_process_pcm_frames(&d->u.bq, x, x, n); break;
    case PYMA_DSP_LPF: ma_lpf_process_pcm_frames(&d->u.lpf, x, x, n); break;
    case PYMA_DSP_HPF:
        if (d->u.hpf.even._pHeap != NULL) {
            ma_hpf_process_pcm_frames(&d->u.hpf.even, x, x, n);
        } else {
            ma_biquad_process_pcm_frames(&d->u.hpf.first, x, x, n);
            for (ma_uint32 i = 0; i < d->u.hpf.nsec; i++) {
                ma_hpf2_process_pcm_frames(&d->u.hpf.sec[i], x, x, n);
            }
        }
        break;
    case PYMA_DSP_BPF: ma_bpf_process_pcm_frames(&d->u.bpf, x, x, n); break;
    case PYMA_DSP_NOTCH: ma_notch2_process_pcm_frames(&d->u.notch, x, x, n); break;
    case PYMA_DSP_PEAK: ma_peak2_process_pcm_frames(&d->u.peak, x, x, n); break;
    case PYMA_DSP_LOSHELF: ma_loshelf2_process_pcm_frames(&d->u.loshelf, x, x, n); break;
    case PYMA_DSP_HISHELF: ma_hishelf2_process_pcm_frames(&d->u.hishelf, x, x, n); break;
    case PYMA_DSP_DELAY:
        /* ma_delay reads each input sample after writing its output: not in place. */
        while (n > 0) {
            ma_uint32 block = n < SCRATCH_FRAMES ? n : SCRATCH_FRAMES;
            memcpy(d->scratch, x, (size_t)block * d->channels * sizeof(float));
            ma_delay_process_pcm_frames(&d->u.delay, x, d->scratch, block);
            x += (size_t)block * d->channels;
            n -= block;
        }
        break;
    case PYMA_DSP_GAIN: run_gain(d, x, n); break;
    case PYMA_DSP_PAN: run_pan(d, x, n); break;
    case PYMA_DSP_FADE: run_fade(d, x, n); break;
    }
}
