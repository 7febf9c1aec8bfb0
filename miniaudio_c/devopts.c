/* devopts.c: a device's backend settings (the `options` dict of _Device._open, built by
 * miniaudio/_devopts.py from the device classes' keyword arguments and `backend_options`) and
 * loopback capture ("what you hear") on the backends that have it.
 *
 * One table row per setting: its key, its kind, where it goes (the ma_device_config or the
 * ma_context_config) and, for the general settings, the backends that honour it.  A general
 * setting on a backend that ignores it raises ValueError naming the backends it applies to.
 * Settings keyed by a backend ("pulse.server") fill that backend's own fields of the configs,
 * which no other backend reads.
 *
 * Invariants:
 * - GIL held in every function here.  Strings are copied into the pyma_devopts (the caller's
 *   stack) so that the configs point at C memory while ma_context_init / ma_device_init run with
 *   the GIL released; miniaudio copies what it keeps.
 */
#include "_miniaudio.h"

#include <stddef.h>
#include <string.h>

typedef enum { OPT_BOOL8, OPT_BOOL32, OPT_NAME, OPT_UINT32, OPT_STR, OPT_SHARE, OPT_STREAM_NAME, OPT_MAP } opt_kind;

#define IN_DEVICE 0
#define IN_CONTEXT 1
#define B(name) (1u << ma_backend_##name)
#define ALL_BACKENDS 0u

typedef struct {
    const char *key;
    opt_kind kind;
    int where;
    size_t offset;              /* into ma_device_config or ma_context_config */
    unsigned backends;          /* general settings: the backends that honour it (0: all) */
    const char *const *names;   /* OPT_NAME: the accepted names, value = index */
    int slot;                   /* OPT_STR / OPT_STREAM_NAME: text slot; OPT_MAP: 0 playback, 1 capture */
} opt_row;

static const char *const wasapi_usage[] = {"default", "games", "pro_audio", NULL};
static const char *const pulse_channel_map[] = {"aiff", "alsa", "auxiliary", "wavex", "oss", NULL};
static const char *const opensl_stream_type[] = {"default", "voice", "system", "ring", "media", "alarm",
                                                 "notification", NULL};
static const char *const opensl_preset[] = {"default", "generic", "camcorder", "voice_recognition",
                                            "voice_communication", "voice_unprocessed", NULL};
static const char *const aaudio_usage[] = {"default", "media", "voice_communication", "voice_communication_signalling",
                                           "alarm", "notification", "notification_ringtone", "notification_event",
                                           "assistance_accessibility", "assistance_navigation_guidance",
                                           "assistance_sonification", "game", "assistant", "emergency", "safety",
                                           "vehicle_status", "announcement", NULL};
static const char *const aaudio_content[] = {"default", "speech", "music", "movie", "sonification", NULL};
static const char *const aaudio_preset[] = {"default", "generic", "camcorder", "voice_recognition",
                                            "voice_communication", "unprocessed", "voice_performance", NULL};
static const char *const aaudio_capture_policy[] = {"default", "all", "system", "none", NULL};

#define DEV(field) IN_DEVICE, offsetof(ma_device_config, field)
#define CTX(field) IN_CONTEXT, offsetof(ma_context_config, field)

/* The backends whose device init reads the share mode (the others ignore it or refuse it). */
#define EXCLUSIVE_BACKENDS (B(wasapi) | B(dsound) | B(alsa) | B(coreaudio) | B(aaudio) | B(oss) | B(audio4))

static const opt_row rows[] = {
    /* general settings: the device classes' own keyword arguments */
    {"exclusive", OPT_SHARE, IN_DEVICE, 0, EXCLUSIVE_BACKENDS, NULL, 0},
    {"no_clip", OPT_BOOL8, DEV(noClip), ALL_BACKENDS, NULL, 0},
    {"no_pre_silence", OPT_BOOL8, DEV(noPreSilencedOutputBuffer), ALL_BACKENDS, NULL, 0},
    {"stream_name", OPT_STREAM_NAME, IN_DEVICE, 0, B(pulseaudio), NULL, 0},
    {"playback_channel_map", OPT_MAP, IN_DEVICE, 0, ALL_BACKENDS, NULL, 0},
    {"capture_channel_map", OPT_MAP, IN_DEVICE, 0, ALL_BACKENDS, NULL, 1},
    /* backend_options: per-backend fields of the configs */
    {"pulse.stream_name_playback", OPT_STR, DEV(pulse.pStreamNamePlayback), 0, NULL, 1},
    {"pulse.stream_name_capture", OPT_STR, DEV(pulse.pStreamNameCapture), 0, NULL, 2},
    {"pulse.channel_map", OPT_NAME, DEV(pulse.channelMap), 0, pulse_channel_map, 0},
    {"pulse.server", OPT_STR, CTX(pulse.pServerName), 0, NULL, 3},
    {"pulse.try_auto_spawn", OPT_BOOL32, CTX(pulse.tryAutoSpawn), 0, NULL, 0},
    {"wasapi.usage", OPT_NAME, DEV(wasapi.usage), 0, wasapi_usage, 0},
    {"wasapi.no_auto_convert_src", OPT_BOOL8, DEV(wasapi.noAutoConvertSRC), 0, NULL, 0},
    {"wasapi.no_default_quality_src", OPT_BOOL8, DEV(wasapi.noDefaultQualitySRC), 0, NULL, 0},
    {"wasapi.no_auto_stream_routing", OPT_BOOL8, DEV(wasapi.noAutoStreamRouting), 0, NULL, 0},
    {"wasapi.no_hardware_offloading", OPT_BOOL8, DEV(wasapi.noHardwareOffloading), 0, NULL, 0},
    {"wasapi.loopback_process_id", OPT_UINT32, DEV(wasapi.loopbackProcessID), 0, NULL, 0},
    {"wasapi.loopback_process_exclude", OPT_BOOL8, DEV(wasapi.loopbackProcessExclude), 0, NULL, 0},
    {"alsa.no_mmap", OPT_BOOL32, DEV(alsa.noMMap), 0, NULL, 0},
    {"alsa.no_auto_format", OPT_BOOL32, DEV(alsa.noAutoFormat), 0, NULL, 0},
    {"alsa.no_auto_channels", OPT_BOOL32, DEV(alsa.noAutoChannels), 0, NULL, 0},
    {"alsa.no_auto_resample", OPT_BOOL32, DEV(alsa.noAutoResample), 0, NULL, 0},
    {"alsa.verbose_device_enumeration", OPT_BOOL32, CTX(alsa.useVerboseDeviceEnumeration), 0, NULL, 0},
    {"jack.client_name", OPT_STR, CTX(jack.pClientName), 0, NULL, 4},
    {"jack.try_start_server", OPT_BOOL32, CTX(jack.tryStartServer), 0, NULL, 0},
    {"coreaudio.allow_nominal_sample_rate_change", OPT_BOOL32, DEV(coreaudio.allowNominalSampleRateChange), 0, NULL,
     0},
    {"opensl.stream_type", OPT_NAME, DEV(opensl.streamType), 0, opensl_stream_type, 0},
    {"opensl.recording_preset", OPT_NAME, DEV(opensl.recordingPreset), 0, opensl_preset, 0},
    {"opensl.enable_compatibility_workarounds", OPT_BOOL32, DEV(opensl.enableCompatibilityWorkarounds), 0, NULL, 0},
    {"aaudio.usage", OPT_NAME, DEV(aaudio.usage), 0, aaudio_usage, 0},
    {"aaudio.content_type", OPT_NAME, DEV(aaudio.contentType), 0, aaudio_content, 0},
    {"aaudio.input_preset", OPT_NAME, DEV(aaudio.inputPreset), 0, aaudio_preset, 0},
    {"aaudio.allowed_capture_policy", OPT_NAME, DEV(aaudio.allowedCapturePolicy), 0, aaudio_capture_policy, 0},
    {"aaudio.no_auto_start_after_reroute", OPT_BOOL32, DEV(aaudio.noAutoStartAfterReroute), 0, NULL, 0},
    {"aaudio.enable_compatibility_workarounds", OPT_BOOL32, DEV(aaudio.enableCompatibilityWorkarounds), 0, NULL, 0},
};

#define N_ROWS ((int)(sizeof(rows) / sizeof(rows[0])))
/* pyma_devopts (_miniaudio.h) has room for every row */
typedef char devopts_rows_fit[(sizeof(rows) / sizeof(rows[0])) <= PYMA_DEVOPT_ROWS ? 1 : -1];

/* "WASAPI, DirectSound, ALSA" for a backend mask. */
static PyObject *
backend_names(unsigned mask)
{
    PyObject *list = PyList_New(0), *sep = NULL, *joined = NULL;

    if (list == NULL) {
        return NULL;
    }
    for (int b = 0; b < ma_backend_null + 1; b++) {
        PyObject *name;
        if (!(mask & (1u << b))) {
            continue;
        }
        name = PyUnicode_FromString(ma_get_backend_name((ma_backend)b));
        if (name == NULL || PyList_Append(list, name) < 0) {
            Py_XDECREF(name);
            goto done;
        }
        Py_DECREF(name);
    }
    sep = PyUnicode_FromString(", ");
    if (sep != NULL) {
        joined = PyUnicode_Join(sep, list);
    }
done:
    Py_XDECREF(sep);
    Py_DECREF(list);
    return joined;
}

static int
unknown_key(PyObject *key)
{
    PyObject *names = PyList_New(0), *sep = NULL, *joined = NULL;

    if (names == NULL) {
        return -1;
    }
    const char *k = PyUnicode_AsUTF8(key), *k_dot;
    Py_ssize_t cut;

    if (k == NULL) {
        Py_DECREF(names);
        return -1;
    }
    k_dot = strchr(k, '.');
    cut = k_dot != NULL ? (Py_ssize_t)(k_dot - k) : -1;
    for (int i = 0; i < N_ROWS; i++) {
        PyObject *name;
        /* "pulse.foo": list the pulse settings; a general key: the general settings */
        const char *row_dot = strchr(rows[i].key, '.');
        if (cut < 0 ? row_dot != NULL
                    : row_dot == NULL || (Py_ssize_t)(row_dot - rows[i].key) != cut ||
                          strncmp(rows[i].key, k, (size_t)cut) != 0) {
            continue;
        }
        name = PyUnicode_FromString(rows[i].key);
        if (name == NULL || PyList_Append(names, name) < 0) {
            Py_XDECREF(name);
            goto done;
        }
        Py_DECREF(name);
    }
    sep = PyUnicode_FromString(", ");
    joined = sep != NULL ? PyUnicode_Join(sep, names) : NULL;
    if (joined != NULL) {
        PyErr_Format(PyExc_ValueError, "unknown %s %R; the settings are: %U",
                     cut < 0 ? "device setting" : "backend option", key, joined);
    }
done:
    Py_XDECREF(sep);
    Py_XDECREF(joined);
    Py_DECREF(names);
    return -1;
}

static int
parse_value(const opt_row *row, int index, PyObject *value, pyma_devopts *opts)
{
    switch (row->kind) {
    case OPT_BOOL8:
    case OPT_BOOL32:
    case OPT_SHARE:
        if (!PyBool_Check(value)) {
            PyErr_Format(PyExc_TypeError, "%s must be True or False, not %.200s", row->key, Py_TYPE(value)->tp_name);
            return -1;
        }
        opts->num[index] = value == Py_True;
        return 0;
    case OPT_UINT32: {
        unsigned long long v;
        if (!PyLong_Check(value) || PyBool_Check(value)) {
            PyErr_Format(PyExc_TypeError, "%s must be an int, not %.200s", row->key, Py_TYPE(value)->tp_name);
            return -1;
        }
        v = PyLong_AsUnsignedLongLong(value);
        if ((v == (unsigned long long)-1 && PyErr_Occurred()) || v > 0xFFFFFFFFull) {
            PyErr_Clear();
            PyErr_Format(PyExc_ValueError, "%s must be 0..4294967295, not %R", row->key, value);
            return -1;
        }
        opts->num[index] = (long long)v;
        return 0;
    }
    case OPT_NAME:
        if (!PyUnicode_Check(value)) {
            PyErr_Format(PyExc_TypeError, "%s must be a str, not %.200s", row->key, Py_TYPE(value)->tp_name);
            return -1;
        }
        for (int k = 0; row->names[k] != NULL; k++) {
            if (PyUnicode_CompareWithASCIIString(value, row->names[k]) == 0) {
                opts->num[index] = k;
                return 0;
            }
        }
        {
            PyObject *all = PyUnicode_FromString(row->names[0]);
            for (int k = 1; all != NULL && row->names[k] != NULL; k++) {
                PyObject *next = PyUnicode_FromFormat("%U, %s", all, row->names[k]);
                Py_SETREF(all, next);
            }
            if (all != NULL) {
                PyErr_Format(PyExc_ValueError, "%s must be one of %U, not %R", row->key, all, value);
                Py_DECREF(all);
            }
        }
        return -1;
    case OPT_STR:
    case OPT_STREAM_NAME: {
        Py_ssize_t n;
        const char *s;
        if (!PyUnicode_Check(value)) {
            PyErr_Format(PyExc_TypeError, "%s must be a str, not %.200s", row->key, Py_TYPE(value)->tp_name);
            return -1;
        }
        s = PyUnicode_AsUTF8AndSize(value, &n);
        if (s == NULL) {
            return -1;
        }
        if (n == 0 || n >= (Py_ssize_t)sizeof(opts->text[0]) || (Py_ssize_t)strlen(s) != n) {
            PyErr_Format(PyExc_ValueError, "%s must be 1 to %d bytes of UTF-8 without NUL, not %R", row->key,
                         (int)sizeof(opts->text[0]) - 1, value);
            return -1;
        }
        memcpy(opts->text[row->slot], s, (size_t)n + 1);
        return 0;
    }
    case OPT_MAP: {
        Py_ssize_t n;
        if (!PyBytes_Check(value)) {
            PyErr_Format(PyExc_TypeError, "%s: expected bytes of channel positions", row->key);
            return -1;
        }
        n = PyBytes_GET_SIZE(value);
        if (n < 1 || n > MA_MAX_CHANNELS) {
            PyErr_Format(PyExc_ValueError, "%s must have 1 to %d channels, not %zd", row->key, MA_MAX_CHANNELS, n);
            return -1;
        }
        for (Py_ssize_t k = 0; k < n; k++) {
            unsigned char c = (unsigned char)PyBytes_AS_STRING(value)[k];
            if (c >= MA_CHANNEL_POSITION_COUNT) {
                PyErr_Format(PyExc_ValueError, "%s: unknown channel position %d", row->key, (int)c);
                return -1;
            }
            opts->maps[row->slot][k] = (ma_channel)c;
        }
        opts->map_len[row->slot] = (ma_uint32)n;
        return 0;
    }
    }
    return 0;
}

int
pyma_devopts_parse(PyObject *options, pyma_devopts *opts)
{
    PyObject *key, *value;
    Py_ssize_t pos = 0;

    memset(opts, 0, sizeof(*opts));
    if (options == Py_None) {
        return 0;
    }
    if (!PyDict_Check(options)) {
        PyErr_Format(PyExc_TypeError, "options must be a dict, not %.200s", Py_TYPE(options)->tp_name);
        return -1;
    }
    while (PyDict_Next(options, &pos, &key, &value)) {
        int i;
        if (!PyUnicode_Check(key)) {
            PyErr_Format(PyExc_TypeError, "option names are str, not %.200s", Py_TYPE(key)->tp_name);
            return -1;
        }
        for (i = 0; i < N_ROWS; i++) {
            if (PyUnicode_CompareWithASCIIString(key, rows[i].key) == 0) {
                break;
            }
        }
        if (i == N_ROWS) {
            return unknown_key(key);
        }
        if (parse_value(&rows[i], i, value, opts) < 0) {
            return -1;
        }
        opts->set[i] = 1;
    }
    return 0;
}

static void
store(const opt_row *row, void *base, const pyma_devopts *opts, int index)
{
    char *field = (char *)base + row->offset;
    switch (row->kind) {
    case OPT_BOOL8:
        *(ma_bool8 *)field = (ma_bool8)opts->num[index];
        break;
    case OPT_BOOL32:
        *(ma_bool32 *)field = (ma_bool32)opts->num[index];
        break;
    case OPT_UINT32:
        *(ma_uint32 *)field = (ma_uint32)opts->num[index];
        break;
    case OPT_NAME:
        /* every named field is an enum or an int */
        *(int *)field = (int)opts->num[index];
        break;
    case OPT_STR:
        *(const char **)field = opts->text[row->slot];
        break;
    default:
        break;
    }
}

void
pyma_devopts_context(const pyma_devopts *opts, ma_context_config *config)
{
    for (int i = 0; opts != NULL && i < N_ROWS; i++) {
        if (opts->set[i] && rows[i].where == IN_CONTEXT) {
            store(&rows[i], config, opts, i);
        }
    }
}

int
pyma_devopts_check(const pyma_devopts *opts, ma_backend backend)
{
    for (int i = 0; i < N_ROWS; i++) {
        PyObject *names;
        /* a setting left at its default (False) asks nothing of the backend */
        if (!opts->set[i] || rows[i].backends == ALL_BACKENDS || (rows[i].backends & (1u << backend)) ||
            (rows[i].kind == OPT_SHARE && !opts->num[i])) {
            continue;
        }
        names = backend_names(rows[i].backends);
        if (names != NULL) {
            PyErr_Format(PyExc_ValueError, "%s applies to the backends %U only, not to %s, which the device was "
                         "opened with (choose the backend with backends=[...])", rows[i].key, names,
                         ma_get_backend_name(backend));
            Py_DECREF(names);
        }
        return -1;
    }
    return 0;
}

void
pyma_devopts_device(const pyma_devopts *opts, ma_device_config *config)
{
    for (int i = 0; i < N_ROWS; i++) {
        const opt_row *row = &rows[i];
        if (!opts->set[i] || row->where != IN_DEVICE) {
            continue;
        }
        switch (row->kind) {
        case OPT_SHARE:
            config->playback.shareMode = opts->num[i] ? ma_share_mode_exclusive : ma_share_mode_shared;
            config->capture.shareMode = config->playback.shareMode;
            break;
        case OPT_STREAM_NAME:
            config->pulse.pStreamNamePlayback = opts->text[row->slot];
            config->pulse.pStreamNameCapture = opts->text[row->slot];
            break;
        case OPT_MAP:
            if (row->slot == 0) {
                config->playback.pChannelMap = (ma_channel *)opts->maps[0];
            }
            else {
                config->capture.pChannelMap = (ma_channel *)opts->maps[1];
            }
            break;
        default:
            store(row, config, opts, i);
            break;
        }
    }
    /* a backend's own stream names win over stream_name */
    for (int i = 0; i < N_ROWS; i++) {
        if (opts->set[i] && rows[i].kind == OPT_STR && rows[i].where == IN_DEVICE) {
            store(&rows[i], config, opts, i);
        }
    }
}

int
pyma_devopts_map_check(const pyma_devopts *opts, int which, ma_uint32 channels, const char *argname)
{
    if (opts->map_len[which] != 0 && opts->map_len[which] != channels) {
        PyErr_Format(PyExc_ValueError, "%s has %u channels but the device has %u", argname,
                     (unsigned)opts->map_len[which], (unsigned)channels);
        return -1;
    }
    return 0;
}

/* ---- loopback --------------------------------------------------------------------------------- */

int
pyma_loopback_resolve(pyma_state *st, ma_context *ctx, PyThread_type_lock lock, PyObject *id_obj, int *type,
                      ma_device_id *cid, int *has_id)
{
    ma_device_id sink;
    int has_sink = 0;
    size_t n;

    if (ctx->backend == ma_backend_wasapi) {
        /* miniaudio's own loopback: the capture side names the playback device to record. */
        return pyma_resolve_device_id(st, ctx, lock, ma_device_type_playback, id_obj, "device_id", cid, has_id);
    }
    if (ctx->backend != ma_backend_pulseaudio) {
        PyErr_Format(PyExc_ValueError,
                     "loopback capture is available on the WASAPI and PulseAudio backends, not on %s, which the "
                     "device was opened with (choose one with backends=[...])",
                     ma_get_backend_name(ctx->backend));
        return -1;
    }
    /* PulseAudio: record the monitor source of the sink (its name + ".monitor"). */
    if (pyma_resolve_device_id(st, ctx, lock, ma_device_type_playback, id_obj, "device_id", &sink, &has_sink) < 0) {
        return -1;
    }
    if (!has_sink) {
        PyObject *list = pyma_list_devices(st, ctx, lock, ma_device_type_playback, 0);
        if (list == NULL) {
            return -1;
        }
        for (Py_ssize_t i = 0; i < PyList_GET_SIZE(list); i++) {
            PyObject *item = PyList_GET_ITEM(list, i);
            if (PyTuple_GET_ITEM(item, 2) == Py_True) {
                memcpy(&sink, PyBytes_AS_STRING(PyTuple_GET_ITEM(item, 1)), sizeof(sink));
                has_sink = 1;
                break;
            }
        }
        Py_DECREF(list);
    }
    memset(cid, 0, sizeof(*cid));
    *type = ma_device_type_capture;
    *has_id = 1;
    if (!has_sink) {
        /* no sink flagged as the default: let the server pick its default sink's monitor */
        strcpy(cid->pulse, "@DEFAULT_MONITOR@");
        return 0;
    }
    sink.pulse[sizeof(sink.pulse) - 1] = '\0';
    n = strlen(sink.pulse);
    if (n > 8 && strcmp(sink.pulse + n - 8, ".monitor") == 0) {
        memcpy(cid->pulse, sink.pulse, n + 1); /* a monitor source's own id: record it */
        return 0;
    }
    if (n + sizeof(".monitor") > sizeof(cid->pulse)) {
        PyErr_Format(PyExc_ValueError, "device_id: the sink name %s is too long for its monitor's name", sink.pulse);
        return -1;
    }
    memcpy(cid->pulse, sink.pulse, n);
    memcpy(cid->pulse + n, ".monitor", sizeof(".monitor"));
    return 0;
}
