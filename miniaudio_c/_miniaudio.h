/* _miniaudio.h: the one private header of the miniaudio._miniaudio extension.
 *
 * Holds the module state, the tables shared between files and every cross-file prototype
 * (prefixed pyma_), each with its contract: who owns what, whether the GIL must be held, and
 * what it returns on error.  Everything not declared here is static to its file.
 * The miniaudio implementation itself is compiled once, in ma_impl.c.
 */
#ifndef PYMA_MINIAUDIO_H
#define PYMA_MINIAUDIO_H

#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdio.h>

#include "miniaudio.h"

/* PyErr_GetRaisedException is 3.12+; the Fetch/Restore pair does the same before. */
#if PY_VERSION_HEX >= 0x030C0000
#define pyma_err_take PyErr_GetRaisedException
#define pyma_err_give PyErr_SetRaisedException
#else
static inline PyObject *
pyma_err_take(void)
{
    PyObject *type, *value, *tb;
    PyErr_Fetch(&type, &value, &tb);
    PyErr_NormalizeException(&type, &value, &tb);
    if (tb != NULL && value != NULL) {
        PyException_SetTraceback(value, tb);
    }
    Py_XDECREF(type);
    Py_XDECREF(tb);
    return value;
}
static inline void
pyma_err_give(PyObject *exc)
{
    PyErr_Restore(Py_NewRef((PyObject *)Py_TYPE(exc)), exc, PyException_GetTraceback(exc));
}
#endif

/* ---- module state (module.c) ------------------------------------------------------------- */

typedef struct {
    PyObject *MiniaudioError; /* miniaudio.MiniaudioError */
    PyObject *DecodeError;    /* miniaudio.DecodeError(MiniaudioError) */
    PyObject *OutputTooLargeError; /* miniaudio.OutputTooLargeError(DecodeError) */
    PyObject *array_type;     /* array.array, for sample arrays */
    PyObject *zero_items[4];  /* one-item zero array.array per typecode 'B', 'h', 'i', 'f', repeated
                               * to make sample arrays (cheaper than calling array.array each time) */
    PyTypeObject *stream_type; /* DecoderStream (stream.c) */
    PyTypeObject *device_type;  /* _Device, the base of the Python device classes (device.c) */
    PyTypeObject *context_type; /* _Context, the device enumerator behind Devices (context.c) */
    PyTypeObject *playlist_type; /* Playlist, the DecoderStream of chain() and Playlist() (chain.c) */
    PyTypeObject *period_buffer_type; /* _PeriodBuffer, the memory behind a callback's arrays (pycallback.c) */
    PyTypeObject *runner_type;        /* _CallbackRunner, what start(callback=...) runs (pycallback.c) */
    PyTypeObject *callback_time_type; /* CallbackTime, a callback's `time` argument (pycallback.c) */
    PyTypeObject *processor_type;     /* Processor, the base of the DSP processors (dsp.c) */
    PyTypeObject *voice_type;         /* _Voice, a sound playing in a mixer (voice.c) */
    PyTypeObject *group_type;         /* _MixerGroup, a bus of a mixer (group.c) */
    PyTypeObject *converter_type;     /* _Converter, the streaming converter (converter.c) */

    /* The device event queue (events.c): audio threads push devices whose run ended by itself;
     * the package's event thread pops them in pyma_next_events.  ev_head is an intrusive list of
     * borrowed pointers, guarded by ev_mutex (never held while waiting for the GIL).  ev_sem is a
     * lock used as a binary semaphore: held while nothing is pending, released by the pusher that
     * finds ev_signalled 0.  ev_deferred (GIL) owns devices whose last reference was dropped on
     * their own audio thread: the event thread closes them. */
    PyThread_type_lock ev_mutex;
    PyThread_type_lock ev_sem;
    int ev_signalled;
    int ev_waiting; /* (GIL) threads blocked on ev_sem: it is not freed under them at exit */
    struct DeviceObject *ev_head;
    PyObject *ev_deferred;
    struct pyma_source_event *ev_sources; /* sources with news for Python (a playlist member ended):
                                           * an intrusive list guarded by ev_mutex, like ev_head */
} pyma_state;

/* The state of our module; m must be the module (e.g. the `self` of a module function). */
static inline pyma_state *
pyma_get_state(PyObject *m)
{
    return (pyma_state *)PyModule_GetState(m);
}

/* ---- atomics for state shared with audio threads ------------------------------------------ */

#if defined(_MSC_VER)
#include <intrin.h>
static inline int pyma_aload(volatile int *p) { return _InterlockedOr((volatile long *)p, 0); }
static inline void pyma_astore(volatile int *p, int v) { _InterlockedExchange((volatile long *)p, v); }
static inline int pyma_axchg(volatile int *p, int v) { return _InterlockedExchange((volatile long *)p, v); }
static inline int pyma_aadd(volatile int *p, int v) { return _InterlockedExchangeAdd((volatile long *)p, v) + v; }
static inline int pyma_acas(volatile int *p, int expected, int desired)
{
    return _InterlockedCompareExchange((volatile long *)p, desired, expected) == expected;
}
static inline ma_uint64 pyma_aload64(volatile ma_uint64 *p) { return (ma_uint64)_InterlockedOr64((volatile __int64 *)p, 0); }
static inline void pyma_astore64(volatile ma_uint64 *p, ma_uint64 v) { _InterlockedExchange64((volatile __int64 *)p, (__int64)v); }
static inline void *pyma_aloadp(void *volatile *p) { return _InterlockedCompareExchangePointer(p, NULL, NULL); }
static inline void pyma_astorep(void *volatile *p, void *v) { _InterlockedExchangePointer(p, v); }
#else
/* Sequentially consistent: the device code relies on "store state, then read in_callback" (and the
 * mirror image in the callback) seeing each other. */
static inline int pyma_aload(volatile int *p) { return __atomic_load_n(p, __ATOMIC_SEQ_CST); }
static inline void pyma_astore(volatile int *p, int v) { __atomic_store_n(p, v, __ATOMIC_SEQ_CST); }
static inline int pyma_axchg(volatile int *p, int v) { return __atomic_exchange_n(p, v, __ATOMIC_SEQ_CST); }
static inline int pyma_aadd(volatile int *p, int v) { return __atomic_add_fetch(p, v, __ATOMIC_SEQ_CST); }
static inline int pyma_acas(volatile int *p, int expected, int desired)
{
    return __atomic_compare_exchange_n(p, &expected, desired, 0, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
}
static inline ma_uint64 pyma_aload64(volatile ma_uint64 *p) { return __atomic_load_n(p, __ATOMIC_RELAXED); }
static inline void pyma_astore64(volatile ma_uint64 *p, ma_uint64 v) { __atomic_store_n(p, v, __ATOMIC_RELAXED); }
/* Pointers published to an audio thread (chain.c's member array): a store makes everything written
 * before it visible to the thread that loads the new pointer. */
static inline void *pyma_aloadp(void *volatile *p) { return __atomic_load_n(p, __ATOMIC_SEQ_CST); }
static inline void pyma_astorep(void *volatile *p, void *v) { __atomic_store_n(p, v, __ATOMIC_SEQ_CST); }
#endif

/* ---- errors (errors.c) ------------------------------------------------------------------- */

/* Which exception class a failing ma_result maps to when it is not an OS or memory error. */
typedef enum { PYMA_ERR_MINIAUDIO, PYMA_ERR_DECODE } pyma_errkind;

/* Raises the exception for result `r` (GIL held): OS-level results become OSError subclasses,
 * MA_OUT_OF_MEMORY MemoryError, everything else MiniaudioError or DecodeError (per `kind`) with
 * the message "<what> (<MA_NAME>: <description>)" and attributes result / result_name; their args
 * are (message, r), 1.71's shape.  `what` is a printf-style format.  Always returns -1. */
int pyma_raise(pyma_state *st, ma_result r, pyma_errkind kind, const char *what, ...);

/* pyma_check: 0 when r is MA_SUCCESS, else pyma_raise(...) and -1. */
#define pyma_check(st, r, kind, ...) ((r) == MA_SUCCESS ? 0 : pyma_raise((st), (r), (kind), __VA_ARGS__))

/* Raises OutputTooLargeError (GIL held): decoding `input_bytes` of input (the file `name`, or
 * data when name is NULL) would give more than `limit` bytes of output.  declared_frames != 0: the
 * refusal comes before decoding, `output_bytes` being projected from that declared length;
 * declared_frames == 0: decoding reached `output_bytes`.  Always returns -1. */
int pyma_raise_output_too_large(pyma_state *st, PyObject *name, ma_uint64 output_bytes, ma_uint64 declared_frames,
                                ma_uint64 input_bytes, ma_uint64 limit);

/* Gives the exception class `cls` (MiniaudioError) a __str__ that shows only the message of
 * (message, code) args.  GIL held; 0 or -1 with an exception set. */
int pyma_install_error_str(PyObject *cls);

/* "MA_INVALID_FILE" for MA_INVALID_FILE; "MA_ERROR" for codes it does not know.  Static string. */
const char *pyma_result_name(ma_result r);

/* ---- formats and argument converters (formats.c) ----------------------------------------- */

/* Limits we accept for user-supplied values. */
#define PYMA_MAX_SAMPLE_RATE 384000 /* miniaudio's highest standard rate (ma_standard_sample_rate_384000) */
#define PYMA_MAX_LPF_ORDER MA_MAX_FILTER_ORDER

/* The facts about one sample format, from the one table in formats.c (which Python sees as
 * _miniaudio.SAMPLE_FORMATS). */
typedef struct {
    ma_format format;
    int width;              /* bytes per sample */
    char typecode;          /* array.array typecode; '\0' when array.array has none (SIGNED24) */
    const char *dtype;      /* numpy dtype name; NULL when numpy has none (SIGNED24) */
    const char *item_codes; /* struct codes of buffer items (of `width` bytes) a device accepts as
                             * samples of this format, besides raw bytes ('B', 'b', 'c'), which it
                             * always accepts; "" for none */
} pyma_format_info;

/* The table row of a valid format 1..5 (u8, s16, s24, s32, f32); NULL otherwise. */
const pyma_format_info *pyma_format_info_get(ma_format format);

/* _miniaudio.SAMPLE_FORMATS: a new read-only mapping {format value: (width, typecode or None, numpy dtype name
 * or None, buffer item codes)} built from the table.  GIL held; NULL with an exception set. */
PyObject *pyma_sample_formats_object(void);

/* Argument kinds checked by pyma_arg. */
typedef enum {
    PYMA_ARG_FORMAT,      /* ma_format u8, s16, s24, s32, f32 (0 = the file's own when allowed) */
    PYMA_ARG_CHANNELS,    /* 1..MA_MAX_CHANNELS (0 = the file's own when allowed) */
    PYMA_ARG_SAMPLE_RATE, /* 1..PYMA_MAX_SAMPLE_RATE (0 = the file's own when allowed) */
    PYMA_ARG_DITHER,      /* ma_dither_mode */
    PYMA_ARG_CHANNEL_MIX, /* ma_channel_mix_mode */
    PYMA_ARG_LPF_ORDER,   /* 0..MA_MAX_FILTER_ORDER */
    PYMA_ARG_ENCODING,    /* ma_encoding_format, 0 = detect */
    PYMA_ARG_BACKEND,     /* ma_backend (0 = WASAPI is a valid backend: pass allow_zero) */
} pyma_argkind;

/* Converts `obj` (an int, or one of our enum members) to a long in *out and checks it for `kind`
 * (0 is accepted only when allow_zero).  obj == NULL (an omitted optional argument) leaves *out
 * as it is.  On failure raises TypeError/ValueError "<argname> must be ..., not ..." and returns
 * -1; GIL held. */
int pyma_arg(PyObject *obj, pyma_argkind kind, int allow_zero, const char *argname, long *out);

/* O& converter for filenames: str, bytes or os.PathLike -> a new bytes reference in *out
 * (file system encoding, no embedded NUL).  Supports cleanup (Py_CLEANUP_SUPPORTED). */
int pyma_path_converter(PyObject *obj, void *out);

/* Gets a read-only C-contiguous view of `obj` into *view (GIL held).  On failure raises a
 * TypeError naming `argname` and returns -1; on success the caller must PyBuffer_Release(view). */
int pyma_get_read_buffer(PyObject *obj, Py_buffer *view, const char *argname);

/* ---- decoding (decode.c) and conversion (convert.c), wav writing (wavwrite.c) ------------- */

/* Module-level functions; see the docstrings in each file. */
PyObject *pyma_get_info(PyObject *module, PyObject *args, PyObject *kwargs);
PyObject *pyma_decode(PyObject *module, PyObject *args, PyObject *kwargs);
PyObject *pyma_convert_frames(PyObject *module, PyObject *args, PyObject *kwargs);
PyObject *pyma_convert_sample_format(PyObject *module, PyObject *args, PyObject *kwargs);

extern const char pyma_get_info_doc[];
extern const char pyma_decode_doc[];
extern const char pyma_convert_frames_doc[];
extern const char pyma_convert_sample_format_doc[];

/* ---- WAV writing: the one writer (wavwrite.c) and its sample conversion (wavconv.c) -------- */

/* _WavWriter: the incremental WAV writer of wav_write_file, AudioFile's write mode, encode() and
 * the command line's record/convert, to a path, a Python file object or memory.  Its header
 * header builder (wavheader.c) also gives WavFileReadStream's header (_wav_header). */
extern PyType_Spec pyma_wavwriter_spec;
PyObject *pyma_wav_header(PyObject *module, PyObject *args, PyObject *kwargs);
extern const char pyma_wav_header_doc[];

/* The RIFF/WAVE header (wavheader.c).  PYMA_WAV_ROOM: the JUNK / ds64 payload reserved for RF64. */
#define PYMA_WAV_ROOM 28
#define PYMA_RIFF_LIMIT 0xFFFFFFFFu
typedef struct {
    ma_uint16 tag, channels, bits, block;
    ma_uint32 rate;
    int room; /* a JUNK chunk reserved for ds64 */
    int fact; /* non-PCM: an 18-byte fmt chunk and a fact chunk */
} pyma_wav_layout;
/* The header's size in bytes for layout `l`.  No Python API. */
size_t pyma_wav_header_size(const pyma_wav_layout *l);
/* Writes the header for `data` bytes of frames then `tail` bytes into `out` (pyma_wav_header_size
 * bytes); RF64 when the RIFF size passes 32 bits (the caller checked there is room).  Returns
 * whether it is RF64.  No Python API. */
int pyma_wav_build_header(unsigned char *out, const pyma_wav_layout *l, ma_uint64 data, ma_uint64 tail);
/* Checks the format arguments (sample_format, nchannels, sample_rate; tag 6/7 for A-law/mu-law
 * 8-bit codes) and fills *l and *info_out (GIL held; -1 with ValueError/TypeError). */
int pyma_wav_layout_from_args(pyma_wav_layout *l, PyObject *fmt_obj, PyObject *ch_obj, PyObject *rate_obj,
                              long tag, int room, const pyma_format_info **info_out);

/* The kinds of samples pyma_wav_convert reads (native byte order). */
enum { PYMA_WAV_IN_RAW = 0, PYMA_WAV_IN_S8, PYMA_WAV_IN_S16, PYMA_WAV_IN_S32, PYMA_WAV_IN_F32, PYMA_WAV_IN_F64 };

/* Converts frames [first, first + frames) of `src` (`kind` samples, `channels` per frame;
 * planar: (channels, total) with each channel's samples together, else interleaved) to `out`
 * (u8, s16, s24, s32 or f32), little-endian, into `dst`, by the scaling pedalboard.io writes with
 * (wavconv.c says which).  RAW is bytes of `out`, interleaved.  No Python API. */
void pyma_wav_convert(void *dst, ma_format out, const void *src, int kind, ma_uint32 channels, int planar,
                      ma_uint64 total, ma_uint64 first, ma_uint64 frames);

/* ---- tags: title, artist, ... from Vorbis comments, ID3 and RIFF INFO (tags.c, tags_id3.c,
 *      tags_containers.c) ------------------------------------------------------------------- */

/* The bounds of the tag parsers (docs/decoding.rst, "Tags", repeats them).  A field's value is at
 * most PYMA_TAG_FIELD_MAX bytes of UTF-8 (a longer one is left out, never truncated); at most
 * PYMA_TAG_SCAN_MAX bytes of one tag (an ID3v2 tag, a RIFF LIST chunk) are read into memory (the
 * fields after that are not seen); at most PYMA_TAG_WALK_MAX chunk, metadata block or Ogg page
 * headers are walked.  Memory: one scan buffer plus PYMA_TAG_COUNT fields, about 1.5 MiB at most. */
#define PYMA_TAG_FIELD_MAX 65536
#define PYMA_TAG_SCAN_MAX (1 << 20)
#define PYMA_TAG_WALK_MAX 4096

typedef enum {
    PYMA_TAG_TITLE, PYMA_TAG_ARTIST, PYMA_TAG_ALBUM, PYMA_TAG_DATE, PYMA_TAG_GENRE, PYMA_TAG_TRACK,
    PYMA_TAG_COMMENT, PYMA_TAG_COUNT
} pyma_tag_field;

/* How a field's bytes are encoded; the first four are ID3v2's encoding bytes 0..3. */
typedef enum {
    PYMA_TEXT_LATIN1, PYMA_TEXT_UTF16_BOM, PYMA_TEXT_UTF16BE, PYMA_TEXT_UTF8,
    PYMA_TEXT_UTF8_OR_LATIN1, /* UTF-8 when it is valid UTF-8, else Latin-1 (RIFF INFO) */
    PYMA_TEXT_UTF8_CUT_OR_LATIN1, /* the same for a full fixed-width field (ID3v1), which may end
                                   * in the first bytes of a UTF-8 character: they are dropped */
} pyma_text_encoding;

/* One tag read: the input (exactly one of mem, file, fileobj) and the fields found.  Used by one
 * thread; the GIL is released while parsing except for a Python file object (fileobj). */
typedef struct {
    const unsigned char *mem; /* a held buffer of `size` bytes */
    FILE *file;               /* a file opened by tags.c */
    PyObject *fileobj;        /* a Python file object: seek(offset) and read(n), GIL held */
    ma_uint64 size;           /* the input's size in bytes */
    unsigned char blk[4096];  /* file (POSIX): the last block read with pread, at blk_off */
    ma_uint64 blk_off;
    size_t blk_len;
    int stop;                 /* the input failed or memory ran out: parse nothing more */
    int nomem;                /* memory ran out (MemoryError, GIL held later) */
    unsigned char *value[PYMA_TAG_COUNT]; /* UTF-8 (malloc), or NULL */
    size_t len[PYMA_TAG_COUNT];
} pyma_tags;

/* Reads up to n bytes at `offset` into dst; how many in *got (fewer only at the input's end).
 * 0, or -1 when the input failed (t->stop is set; a Python file object's exception stays set). */
int pyma_tags_read(pyma_tags *t, ma_uint64 offset, unsigned char *dst, size_t n, size_t *got);

/* Stores `field` from n bytes of text in `enc` (up to the first NUL for the one-byte encodings),
 * converted to UTF-8, unless the field is already set or the text is empty or over the cap.
 * 0, or -1 when memory ran out (t->nomem and t->stop set).  Any thread; no Python calls. */
int pyma_tags_set_text(pyma_tags *t, pyma_tag_field field, const unsigned char *p, size_t n,
                       pyma_text_encoding enc);

/* Parses the tags of the input as `encoding` (WAV, FLAC, MP3 or Vorbis; anything else: none) into
 * t (tags_containers.c).  Never fails: t->stop tells why it stopped early.  GIL held only for a
 * Python file object. */
void pyma_tags_parse(pyma_tags *t, ma_encoding_format encoding);

/* The ID3v1 genre name of number n (NULL past the table).  Any thread. */
const char *pyma_id3_genre(unsigned n);

/* Parses an ID3v2 tag at `offset` if there is one; *tag_size is its whole size (header, body,
 * footer; 0 when there is none), to skip it.  Bounded by PYMA_TAG_SCAN_MAX (tags_id3.c). */
void pyma_tags_id3v2(pyma_tags *t, ma_uint64 offset, ma_uint64 *tag_size);

/* Parses the ID3v1 tag in the last 128 bytes if there is one (fields not already set). */
void pyma_tags_id3v1(pyma_tags *t);

PyObject *pyma_read_tags(PyObject *module, PyObject *args, PyObject *kwargs);
extern const char pyma_read_tags_doc[];

/* ---- decoder sources, shared by whole-file decoding and streams (decode.c) ---------------- */

/* What a freshly initialised decoder says about its source, in the terms of the 1.71 API. */
typedef struct {
    ma_encoding_format encoding; /* which built-in decoder took the data */
    ma_format file_format;       /* the file's own sample format (1.71 rules, e.g. s24 for 24-bit) */
    ma_uint32 channels;          /* the file's own channel count */
    ma_uint32 sample_rate;       /* the file's own sample rate */
    int sub_format;              /* WAV format tag (1 PCM, 3 float, ...), -1 for other formats */
    int length_is_cheap;         /* 1 when the length is known without decoding the whole file */
    int decodable;               /* 0 when the decoder opened it but cannot decode its codec (WAV tags) */
} pyma_source_desc;


typedef enum { PYMA_SOURCE_MEMORY = 0, PYMA_SOURCE_FILE = 1, PYMA_SOURCE_PYTHON = 2 } pyma_source_kind;

/* A decoder on a path, a buffer or a Python object, and what is needed to report errors. */
typedef struct {
    PyObject *name;     /* the filename as the user gave it (owned), or NULL */
    PyObject *path;     /* the file-system-encoded path (bytes, owned), or NULL */
    Py_buffer view;     /* the input data of a memory source; view.obj == NULL when not taken */
    PyObject *pysource; /* a Python source with read(n) and seek(offset, origin) (owned), or NULL */
    PyObject *seek_origins;   /* (START, CURRENT, END) SeekOrigin members passed to seek() (owned) */
    PyObject *callback_error; /* the first exception the Python source raised (owned), or NULL */
    /* A Python source that cannot seek: the bytes read while the decoder opens are kept (`replay`,
     * PyMem_Raw, bytes [0, replay_len) of the source) so that format detection can rewind. */
    char *replay;
    size_t replay_len, replay_cap;
    int recording;            /* still opening: bytes read from the source are appended to replay */
    int seekable;             /* -1 not known yet, 0 the source's seek() returned False, 1 True */
    int has_tell;             /* the Python source has tell(): seeks from its end are allowed */
    ma_uint64 pos;            /* where the decoder reads, in bytes from the source's start */
    ma_uint64 live;           /* how many bytes were read from the source itself */
    ma_uint64 input_size;
    ma_encoding_format encoding;
    ma_decoder decoder;
    int decoder_ready;
    pyma_source_desc desc;
    /* MP3 data in a WAV container (source_wavmp3.c): the MP3 decoder reads bytes [win_start,
     * win_end) of the input, the data chunk, through a window (win_end MA_UINT64_MAX: to the end
     * of a Python source whose size is not known).  win_file: a path's FILE (ours, closed by
     * pyma_source_release), read with the GIL released.  windowed: 0 no window, 1 found (input_size
     * still the whole input's), 2 opened (input_size the window's). */
    int windowed;
    ma_uint64 win_start, win_end;
    FILE *win_file;
    /* keep_probe (set before pyma_source_open): a path's FILE that the MP3-in-WAV search opened
     * and found none in is kept in probe_file (ours, closed by pyma_source_release) for the tags
     * (get_info), instead of a second open. */
    int keep_probe;
    FILE *probe_file;
} pyma_source;

/* The tags of an opened source (its held buffer, its kept probe_file, or its path opened again;
 * not a Python source) as `encoding`: a new dict, {} when they cannot be read (as read_tags()
 * would refuse them), NULL only when building the dict fails.  GIL held; released while parsing. */
PyObject *pyma_tags_of_source(pyma_source *src, ma_encoding_format encoding);

/* Takes the input from `obj` (a filename, a bytes-like object whose buffer is held until
 * pyma_source_release, or a Python source object) into a zeroed *src; GIL held.  For a Python
 * source the caller then sets src->seek_origins.  -1 with an exception set. */
int pyma_source_take(pyma_source *src, PyObject *obj, pyma_source_kind kind, ma_encoding_format encoding);

/* Opens src->decoder with `config` (GIL held on entry and exit; released inside).  Raises
 * FileNotFoundError / IsADirectoryError / PermissionError for paths, DecodeError for data no
 * decoder accepts.  Returns -1 with an exception set. */
int pyma_source_open(pyma_state *st, pyma_source *src, const ma_decoder_config *config);

/* Whether a Python source can seek: asks it once (seek(0, CURRENT)) if opening the decoder did
 * not find out.  1 or 0; -1 with the source's exception kept on src (pyma_raise_callback_error
 * raises it).  GIL held. */
int pyma_source_can_seek(pyma_source *src);

/* Raises DecodeError("<what>: <original>") with the kept callback exception as __cause__, and
 * forgets it; an exception that is not an Exception (KeyboardInterrupt, SystemExit, ...) is raised
 * unchanged instead.  GIL held.  Returns -1. */
int pyma_raise_callback_error(pyma_state *st, pyma_source *src, const char *what);

/* Uninitialises the decoder (GIL released inside) and drops the path, name and buffer; GIL held.
 * Safe to call twice. */
void pyma_source_release(pyma_source *src);

/* A new array.array of `items` zero items of `typecode` (GIL held), or NULL. */
PyObject *pyma_new_sample_array(pyma_state *st, char typecode, Py_ssize_t items);

/* The index of a typecode ('B', 'h', 'i', 'f') in pyma_state.zero_items. */
int pyma_zero_item_index(char typecode);

/* ---- the output buffer of a whole-file decode (pcmbuf.c) ----------------------------------- */

/* A PyMem buffer of `bytes` (GIL held), asked to use huge pages where the system offers them.
 * NULL with MemoryError set. */
char *pyma_pcm_alloc(size_t bytes);

/* Asks for huge pages on the whole 2 MiB ranges of a large buffer nothing has touched yet (any
 * allocator's, e.g. a new bytearray's); a hint only, no byte changes.  Any thread. */
void pyma_pcm_advise(char *buf, size_t bytes);

/* Resizes a pyma_pcm_alloc buffer whose first `used` bytes are written (GIL held).  NULL with
 * MemoryError set; the old buffer is then still the caller's. */
char *pyma_pcm_resize(char *buf, size_t used, size_t bytes);

/* An array.array of `typecode` holding the `items` items of `buf`, which it takes over in every
 * case (freed on error).  GIL held.  NULL with an exception set. */
PyObject *pyma_pcm_to_array(pyma_state *st, char typecode, char *buf, Py_ssize_t items);

/* Raises DecodeError "cannot decode file '...' / the data: it is truncated or corrupt (N frames
 * announced, none decodable)" for a source whose header announced `announced` frames (> 0) of which
 * none decoded (decode() and a stream's first read say the same).  GIL held.  Returns -1. */
int pyma_raise_none_decodable(pyma_state *st, const pyma_source *src, ma_uint64 announced);

/* The decoder callbacks over a Python source (source.c): pUserData is the pyma_source.  They
 * take the GIL around each call into the source (the caller may hold it or not). */
ma_result pyma_pysource_read(ma_decoder *decoder, void *out, size_t size, size_t *bytes_read);
ma_result pyma_pysource_seek(ma_decoder *decoder, ma_int64 offset, ma_seek_origin origin);
ma_result pyma_pysource_tell(ma_decoder *decoder, ma_int64 *cursor);

/* ---- MP3 data in a WAV container (source_wavmp3.c) ----------------------------------------- */

/* Before the decoder opens (GIL released; a Python source's callbacks take it): when the input is
 * a RIFF/WAVE whose fmt chunk says MPEG layer 3 (tag 0x0055, or WAVE_FORMAT_EXTENSIBLE with the
 * MP3 subformat), found by a walk of at most 64 chunks, sets the window on its data chunk
 * (src->windowed, win_start, win_end; a path's FILE kept in win_file) and returns 1.  0 when it is
 * not (a Python source is put back at byte 0); -1 when reading failed (*err an errno for a path,
 * or the Python source's exception kept in callback_error); -2 when the fmt chunk says MP3 but
 * no data chunk follows.  Only for encoding unknown, WAV or MP3.  `path` for a path, else NULL. */
int pyma_source_find_wav_mp3(pyma_source *src, const char *path, int *err);

/* Opens src->decoder as MP3 over the window (config's encoding replaced).  GIL released. */
ma_result pyma_source_open_window(pyma_source *src, const ma_decoder_config *config);

/* ---- helpers that need the miniaudio implementation's internals (ma_impl.c) -------------- */

/* Fills *desc from an initialised decoder.  No Python API: may be called without the GIL.
 * Returns MA_SUCCESS, or MA_NO_BACKEND if the decoder is not one of the four built-in ones. */
ma_result pyma_decoder_describe(ma_decoder *decoder, pyma_source_desc *desc);

/* Turns off stdio's per-call locking on the FILE a file-backed decoder reads through (glibc;
 * a no-op elsewhere).  Only valid because a decoder is never used by two threads at once.
 * No Python API. */
void pyma_decoder_unlock_stdio(ma_decoder *decoder);

/* ma_decoder_read_pcm_frames with the same frames and result, faster where it can be (ma_impl.c):
 * integer PCM WAV widened to s16/s32/f32 without conversion by the decoder is read in large blocks
 * straight into `out` and converted there by dr_wav's own converters; a large read of a WAV file
 * runs on two threads (the caller's and a helper joined before return).  No Python API. */
ma_result pyma_decoder_read(ma_decoder *decoder, void *out, ma_uint64 frames, ma_uint64 *got);

#if !defined(_WIN32)
#define PYMA_HAVE_PARALLEL_READ 1
/* One piece of a read shared by two threads (parread.c): units [first, first + count) into place;
 * returns how many of them, from first on, are complete.  Runs on either thread: no Python API,
 * and only memory that no other piece touches. */
typedef ma_uint64 (*pyma_piece_fn)(void *ctx, ma_uint64 first, ma_uint64 count);
/* Runs fn over units [0, total) in pieces of `piece` units, on the calling thread and one helper
 * thread (joined before return; the caller alone where it cannot be started).  Returns the first
 * unit not complete (total when every piece was).  No Python API. */
ma_uint64 pyma_read_pieces(ma_uint64 total, ma_uint64 piece, pyma_piece_fn fn, void *ctx);
/* pread() of `bytes` at `offset` into dst, EINTR retried; returns the bytes read (fewer at the end
 * of the file or on an error).  No Python API. */
size_t pyma_pread(int fd, void *dst, size_t bytes, ma_uint64 offset);
#endif

/* ma_decoder_get_length_in_pcm_frames with a resampled length that is the frame count the
 * resampler delivers: ceil(input frames x out rate / in rate).  miniaudio's estimate is one off
 * (one short of a fraction, one over an exact division).  No Python API. */
ma_result pyma_decoder_get_length(ma_decoder *decoder, ma_uint64 *length);

/* ma_decoder_seek_to_pcm_frame, working around dr_mp3's forward seek that lands early by the
 * encoder delay.  *landed is the output frame reached: a resampled decoder's input may end before
 * `frame` (then *landed < frame, the stream's end); otherwise `frame` (the caller checks the
 * backend's cursor).  No Python API. */
ma_result pyma_decoder_seek(ma_decoder *decoder, ma_uint64 frame, ma_uint64 *landed);

/* A resampled decoder over an input that cannot seek: moves to output frame `frame` as
 * pyma_decoder_seek moves a seekable one (the same frames follow), reading and discarding input
 * frames; MA_NOT_IMPLEMENTED when there is no resampler or the input was already read past the
 * point (then decode and discard output frames).  *landed is the output frame reached.  No Python
 * API (the source's callbacks take the GIL). */
ma_result pyma_decoder_skip_resampled(ma_decoder *decoder, ma_uint64 frame, ma_uint64 *landed);


/* ---- frames handed in by Python in any numeric type (samples_in.c) ------------------------ */

/* What a write() was given: a held buffer view and how to read it as frames of `fmt`. */
typedef struct {
    Py_buffer view;
    int held;                  /* view is held (release with pyma_samples_in_release) */
    int kind;                  /* the item kind (samples_in.c) */
    ma_uint32 item_bytes;      /* bytes per item (per sample, or the target width for raw bytes) */
    const char *data;          /* C-contiguous items: view.buf, or `copy` */
    char *copy;                /* PyMem copy of a non-contiguous view, or NULL */
    ma_uint64 frames;
    const pyma_format_info *fmt;
    ma_uint32 channels;
} pyma_samples_in;

/* Takes `obj` as frames for `fmt` x `channels`: bytes/bytearray/memoryview of bytes are raw frames
 * of `fmt`; other buffers are read by item type (floats full scale at 1.0, integers at their own
 * full scale), 1-D interleaved or 2-D (frames, channels).  GIL held; -1 with TypeError/ValueError
 * naming `argname` (nothing held then). */
int pyma_samples_in_open(pyma_samples_in *in, PyObject *obj, const pyma_format_info *fmt, ma_uint32 channels,
                         const char *argname);
/* Converts frames [first, first + frames) to `fmt` into `dst`.  No Python API (the view is held). */
void pyma_samples_in_copy(const pyma_samples_in *in, ma_uint64 first, ma_uint64 frames, void *dst);
/* Releases the view and the copy (idempotent).  GIL held. */
void pyma_samples_in_release(pyma_samples_in *in);
/* _miniaudio._samples_to_format(data, format, nchannels): what write() queues, as bytes. */
PyObject *pyma_samples_to_format(PyObject *module, PyObject *args);
extern const char pyma_samples_to_format_doc[];

/* ---- queue streams: frames written in by Python, read without the GIL (pull_queue.c) ------- */
PyObject *pyma_queue_stream(PyObject *module, PyObject *args);
PyObject *pyma_queue_write(PyObject *module, PyObject *args);
PyObject *pyma_queue_info(PyObject *module, PyObject *args);
extern const char pyma_queue_stream_doc[], pyma_queue_write_doc[], pyma_queue_info_doc[];

/* ---- DecoderStream: the type (stream.c, stream_open.c), reads (stream_io.c), seek() (stream_seek.c) */

/* What chunks are returned as. */
enum { PYMA_CHUNK_ARRAY = 0, PYMA_CHUNK_BYTES = 1 };

/* ---- the source layer (pull.c) ----------------------------------------------------------------
 *
 * A pyma_pull is something that yields PCM frames in one format, pulled without the GIL by a
 * stream's next()/send()/seek() or by a device's audio thread.  Every DecoderStream reads through
 * one: a decoder over a file, memory or a Python source (pull_decoder.c, with our read fast path,
 * exact seeks and dr_mp3 fixes), raw PCM (pull_raw.c), the generators (gen.c) and chains (chain.c).
 * Most kinds are a miniaudio data source (`ds`: its waveforms, noise, audio buffers, decoders and
 * ring buffers all implement that vtable) plus hooks of their own.  Each kind is one C file that
 * allocates a struct beginning with a pyma_pull and fills it in.  pull.c adds what every kind gets:
 * filling short reads, the frame counter `at` and looping.  The stream over it (StreamObject) keeps
 * the position, the claim by a device and the Python face. */
typedef struct pyma_pull pyma_pull;
struct pyma_pull {
    ma_data_source *ds;        /* the frames (owned by the kind's struct), or NULL when `read` and
                                * `seek` are given */
    ma_format format;          /* ma_format_unknown for raw PCM of an unknown 4-byte format */
    ma_uint32 channels, sample_rate; /* sample_rate 0: unknown (raw PCM) */
    ma_uint32 frame_bytes;     /* set by the kind, or by pyma_stream_over_pull from format/channels */
    int infinite;              /* never ends: length None, seeks need no bound and land where asked
                                * (chain.c sets it too: its length is set by its constructor) */
    int seek_decode_errors;    /* every failed seek is a DecodeError (the decoder kind); for other kinds
                                * MA_INVALID_OPERATION from `seek` says they seek only to frame 0 (noise,
                                * chains), which seek() raises as ValueError */
    int length_claim;          /* the length at open is a claim that reads may run past (a FLAC
                                * STREAMINFO total, an MP3 Xing count, an Ogg Vorbis last page
                                * position): seek() past it asks the kind */
    int length_exact;          /* the stream's length is final from the start (raw PCM, which counts
                                * a partial last frame that only next() gives): a device's pull that
                                * ends short does not end the stream, reaching the length does */
    /* Where the kind records a failure of its input that its results may not show (the Python
     * exception of a stream_any source: &src->callback_error), or NULL.  Reads, skips and loops stop
     * when *failed is set; the stream raises it.  Read without the GIL by the reading thread, as
     * the source's callbacks (on that thread) write it. */
    PyObject *const *failed;

    /* Looping (pull.c pyma_pull_read; set once before the first read, any kind that can seek):
     * at loop_end (0: the kind's own end) the kind seeks to loop_start and reading goes on within
     * the same read.  loop_passes: 0 no loop, -1 forever, N passes of the range in all. */
    long long loop_passes;
    ma_uint64 loop_start, loop_end;
    /* The kind's frame: the stream sets it from its position before a read, pyma_pull_read moves
     * it (back to loop_start at a wrap) and the stream's position is taken from it after. */
    ma_uint64 at;
    /* Wraps since opening or the last seek() (written by a claiming audio thread: atomic). */
    volatile ma_uint64 loops_done;
    ma_uint64 landed;          /* where the kind's last seek landed (see `seek`) */
    int kept_place;            /* the kind's last seek failed and left it exactly where it was, its
                                * state included (a resampling decoder): no seek back needed */
    int wrapping;              /* the kind's seek is a loop's wrap (pull.c): a failed wrap ends the
                                * stream, so the kind need not keep its place for it */
    int within;                /* the kind's seek is the stream's seek() (pyma_pull_seek_within): one
                                * whose input ends first is refused, so the kind keeps its place for
                                * it as for a failed one */

    /* Applies parameter changes made from Python since the last read (atomics; may be NULL).
     * No Python API: runs on whichever thread reads, the audio thread included. */
    void (*before_read)(pyma_pull *pull);
    /* Reads up to `frames` frames from `at` (which pull.c moves after); NULL:
     * ma_data_source_read_pcm_frames on `ds`.  May read short mid-stream.  No Python API. */
    ma_result (*read)(pyma_pull *pull, void *out, ma_uint64 frames, ma_uint64 *got);
    /* Seeks to `frame`; NULL: ma_data_source_seek_to_pcm_frame.  A kind that can land short of it
     * (a resampled decoder whose input ended first) lowers pull->landed, which pull.c sets to `frame`
     * before the call.  No Python API. */
    ma_result (*seek)(pyma_pull *pull, ma_uint64 frame);
    /* After a successful seek that landed at `frame`: where the kind's input really stands, when
     * it can tell (1, *frame set) or 0 (a decoder's backend cursor: dr_flac clamps to its header's
     * total, dr_wav stops at the data's end).  May be NULL.  No Python API. */
    int (*cursor)(pyma_pull *pull, ma_uint64 *frame);
    /* Moves forward from `at` to `frame` without seeking the input (a Python source that cannot
     * seek): decoding and discarding; *landed is where it got (the end when that came first).
     * May be NULL (MA_NOT_IMPLEMENTED).  No Python API. */
    ma_result (*skip)(pyma_pull *pull, ma_uint64 frame, ma_uint64 *landed);
    /* next()/send(n)'s chunk made by the kind itself, GIL held: up to `frames` frames from `at`
     * (which it moves), or NULL with StopIteration at the end or another exception.  NULL for
     * kinds whose chunks the stream decodes into array/bytes (all but raw PCM: 1.71's memoryview
     * slices). */
    PyObject *(*chunk)(pyma_pull *pull, Py_ssize_t frames);
    /* Visits the Python objects the kind owns (tp_traverse; GIL held).  May be NULL. */
    int (*traverse)(pyma_pull *pull, visitproc visit, void *arg);
    /* Releases the kind's struct (this pointer included).  Called with the GIL held, never on the
     * audio thread (pyma_stream_release, or a failed construction): it may use the Python API
     * (chain.c unclaims and releases its member streams). */
    void (*free)(pyma_pull *pull);
};

/* Whether the kind's input failed (see `failed`). */
static inline int
pyma_pull_failed(const pyma_pull *pull)
{
    return pull->failed != NULL && *pull->failed != NULL;
}

/* One read of the kind (it may be short mid-stream).  No Python API. */
static inline ma_result
pyma_pull_read_once(pyma_pull *pull, void *out, ma_uint64 frames, ma_uint64 *got)
{
    return pull->read != NULL ? pull->read(pull, out, frames, got)
                              : ma_data_source_read_pcm_frames(pull->ds, out, frames, got);
}

/* pyma_pull_read of a looping pull (pull.c). */
ma_result pyma_pull_read_looping(pyma_pull *pull, void *out, ma_uint64 frames, ma_uint64 *got);

/* Reads up to `frames` frames from pull->at (*got; short only at the end), filling the kind's short
 * reads (miniaudio's data sources; dr_wav at every block of IMA ADPCM with a bad block align) until
 * the end, an error or a failed input, and looping as the pull says; pull->at moves.  Inline: it is
 * on every chunk's and every period's path.  No Python API. */
static inline ma_result
pyma_pull_read(pyma_pull *pull, void *out, ma_uint64 frames, ma_uint64 *got)
{
    ma_uint64 step;
    ma_result r = MA_SUCCESS;

    *got = 0;
    if (pull->before_read != NULL) {
        pull->before_read(pull);
    }
    if (pull->loop_passes != 0) {
        return pyma_pull_read_looping(pull, out, frames, got);
    }
    while (*got < frames) {
        step = 0;
        r = pyma_pull_read_once(pull, (char *)out + *got * pull->frame_bytes, frames - *got, &step);
        *got += step;
        pull->at += step;
        if (r != MA_SUCCESS || step == 0 || pyma_pull_failed(pull)) {
            break;
        }
    }
    return r == MA_AT_END ? (*got > 0 ? MA_SUCCESS : MA_AT_END) : r;
}
/* Seeks to `frame`: *landed is where the kind stands after (its cursor when it has one).  Moves
 * neither `at` nor `loops_done` (the stream does).  No Python API. */
ma_result pyma_pull_seek(pyma_pull *pull, ma_uint64 frame, ma_uint64 *landed);
/* pyma_pull_seek for seek(), where a frame past the end moves nothing: where the kind's input
 * ends before `frame` (*landed is that end, below `frame`) it gives MA_AT_END, the kind put back
 * where it was when it can keep its place (pull->kept_place; else the caller seeks back).  No
 * Python API. */
ma_result pyma_pull_seek_within(pyma_pull *pull, ma_uint64 frame, ma_uint64 *landed);
/* Forward from pull->at to `frame` without seeking the input (pull->skip): *landed is where it got,
 * at least pull->at.  No Python API. */
ma_result pyma_pull_skip(pyma_pull *pull, ma_uint64 frame, ma_uint64 *landed);

/* The decoder kind (pull_decoder.c) over `src` (opened; owned by the stream, which outlives the
 * kind): its reads are pyma_decoder_read, its seeks pyma_decoder_seek with the backend's cursor,
 * its skips the resampled skip or decoding and discarding.  frame_bytes of the decoder's output.
 * GIL held; NULL with MemoryError. */
pyma_pull *pyma_pull_decoder_new(pyma_source *src, ma_uint32 frame_bytes);

typedef struct {
    PyObject_HEAD
    pyma_source src;    /* the decoder kind's input (zeroed for other kinds; errors name its file) */
    const pyma_format_info *fmt; /* NULL for raw PCM of an unknown 4-byte format */
    ma_uint64 frame_bytes;
    Py_ssize_t frames_to_read;
    int chunk_type;
    PyObject *wrap;     /* optional callable applied to every chunk (e.g. a numpy view), or NULL */
    PyObject *format_obj; /* the output format as the caller gave it (a SampleFormat member) */
    pyma_pull *pull;      /* the source (owned; freed by pyma_stream_release): NULL once closed */
    ma_uint32 channels, sample_rate; /* of the chunks (sample_rate 0: unknown, raw PCM) */
    ma_uint64 length;   /* frames at the output rate, when length_known */
    int length_known;   /* 0: `length` is None (not said, implausible, or exceeded before the end) */
    int position_real;  /* position is where decoded frames are (not a seek target past a possible end) */
    int position_assumed; /* position_real only because seek() (or seek_frame=) went within a length no
                           * frame has confirmed (a header's); cleared when frames come */
    int ever_delivered; /* the stream has delivered a frame since it was opened */
    ma_uint64 announced; /* the frames the header announced at opening (0: none said), plausible or not */
    int fresh;          /* opened at frame 0 and neither read from nor sought since: the first read is
                         * where "announced frames, none decodable" shows (see stream_read_busy, stream_io.c) */
    volatile int pull_ended; /* the claiming audio thread read the end (read by unclaim, after the stop) */
    volatile int pull_got;   /* the claiming audio thread got frames (likewise) */
    volatile ma_uint64 position; /* output frames from the start (our count: dr_mp3's cursor includes its
                                  * delay); written by a claiming audio thread, so read atomically */
    int busy;           /* a method is running that may release the GIL or call Python (GIL held to change) */
    int opening;        /* still being built: busy, and every method refuses it */
    unsigned long busy_thread; /* the thread that set busy */
    int claimed;        /* a device's audio thread pulls from it (GIL-free) */
    int closed;         /* the decoder is released */
    int finished;       /* StopIteration was raised (seek() can rewind it) */
    ma_uint64 loops_done; /* the pull's loops_done when it was released (loops_done of a closed stream) */
    PyObject *weakreflist;
} StreamObject;

/* The module functions that build a stream over a decoder (stream_open.c) or raw PCM (pull_raw.c); see
 * their docstrings. */
PyObject *pyma_stream(PyObject *module, PyObject *args, PyObject *kwargs);
extern const char pyma_stream_doc[];
PyObject *pyma_stream_raw(PyObject *module, PyObject *args, PyObject *kwargs);
extern const char pyma_stream_raw_doc[];
extern PyType_Spec pyma_stream_spec;
/* chain() (chain.c): a DecoderStream over its member streams back to back, gapless; Playlist, its
 * type, a DecoderStream that can be appended to while it plays. */
PyObject *pyma_chain(PyObject *module, PyObject *args, PyObject *kwargs);
extern const char pyma_chain_doc[];
extern PyType_Spec pyma_playlist_spec;
/* _preload_stream() (pull_preload.c): a DecoderStream over a PreloadedSound's float32 samples,
 * shared (a buffer export held by the stream), not copied. */
PyObject *pyma_preload_stream(PyObject *module, PyObject *args);
extern const char pyma_preload_stream_doc[];
/* _stream_endless(stream) (pull_preload.c): whether a stream loops forever or is a generator. */
PyObject *pyma_stream_endless(PyObject *module, PyObject *arg);
extern const char pyma_stream_endless_doc[];

/* The signal generators (gen.c): subtypes of DecoderStream. */
extern PyType_Spec pyma_waveform_spec, pyma_pulsewave_spec, pyma_noise_spec;

/* The re-entry guard (stream.c; GIL held): 0 when `self` may be used now; else -1 with
 * RuntimeError (a device claims it, or it is busy: opening, re-entered, another thread),
 * StopIteration (for_iteration, and closed or finished) or ValueError (closed). */
int pyma_stream_usable(StreamObject *self, int for_iteration);

/* A new, open, GC-tracked stream of `type` (DecoderStream or a subtype) over `pull`, which it
 * takes over (freed on failure too).  chunk_type/wrap/format_obj as for pyma_stream.  GIL held;
 * NULL with an exception (pull.c). */
PyObject *pyma_stream_over_pull(PyTypeObject *type, pyma_pull *pull, PyObject *format_obj, Py_ssize_t frames_to_read,
                                int chunk_type, PyObject *wrap);

/* Marks the stream busy for the calling thread (stream.c); GIL held, pyma_stream_usable() just
 * passed.  The caller clears self->busy when done. */
void pyma_stream_set_busy(StreamObject *self);

/* Frees the pull (the raw kind's buffer with it), releases the decoder's source and marks the stream
 * closed (stream.c);
 * GIL held, not busy.  Safe to re-enter and to call twice. */
void pyma_stream_release(StreamObject *self);

/* tp_iternext, send(value) and the am_send slot (stream_io.c; GIL held, released while decoding):
 * a new chunk, or NULL with StopIteration at the end or another exception set.  am_send returns
 * PYGEN_RETURN at the end instead, with no exception. */
PyObject *pyma_stream_iternext(StreamObject *self);
PyObject *pyma_stream_send(StreamObject *self, PyObject *value);
PySendResult pyma_stream_am_send(StreamObject *self, PyObject *arg, PyObject **presult);

/* _sf_to_pcm(data, sample_format) (sfconv.c; GIL held, released while converting): floats as integer
 * samples by libsndfile's rules, for miniaudio.write(); bytes, or NULL with an exception set. */
PyObject *pyma_sf_to_pcm(PyObject *module, PyObject *args);
extern const char pyma_sf_to_pcm_doc[];

/* The stream's bookkeeping after a read (stream_io.c; GIL held): `frames` more frames were given
 * (position, a length they run past); the stream ended at its position (its length is now known). */
void pyma_stream_advanced(StreamObject *self, ma_uint64 frames);
void pyma_stream_ended(StreamObject *self);

/* _read_into(out, planar, offset, frames, scale) (stream_into.c; GIL held, released while decoding):
 * frames decoded straight into a caller's array, converted and scaled (AudioFile.read(),
 * miniaudio.read()).  The frames read as an int, or NULL with an exception set. */
PyObject *pyma_stream_read_into(StreamObject *self, PyObject *const *args, Py_ssize_t nargs);
extern const char pyma_stream_read_into_doc[];

/* seek(frame) (stream_seek.c; GIL held, released around the decoder): the new position as an int,
 * or NULL with an exception set. */
PyObject *pyma_stream_seek(StreamObject *self, PyObject *arg);

/* The open's seek_frame (stream_seek.c; GIL held, busy, released around the decoder): moves a
 * freshly opened decoder stream to `frame` as seek() would, forward by decoding and discarding over
 * a Python source that cannot seek.  *landed is where it stands after (below `frame` when the
 * frames end first); the source's callback error, if any, is left in self->src for the caller. */
ma_result pyma_stream_open_at(StreamObject *self, ma_uint64 frame, ma_uint64 *landed);

/* ---- streams pulled by an audio thread without the GIL (stream_io.c) ---------------------- */

/* What a device needs to know about a stream it may pull from. */
typedef struct {
    int pullable;          /* 1: any pull kind but a decoder over a Python source: pull without the GIL; 0: a Python
                            * source (its read callbacks need the GIL): drive it with send() */
    ma_format format;      /* output sample format; ma_format_unknown for raw PCM of width 4 */
    int width;             /* bytes per sample */
    ma_uint32 channels;
    ma_uint32 sample_rate; /* 0 when unknown (raw PCM) */
} pyma_stream_info;

/* Describes `stream` (a DecoderStream) for a device; GIL held.  When info->pullable, the stream
 * is also claimed: it is marked busy (Python callers get RuntimeError) until pyma_stream_unclaim.
 * -1 with an exception set if the stream is closed, finished or in use. */
int pyma_stream_claim(PyObject *stream, pyma_stream_info *info);

/* Reads up to `frames` frames into `out` (*got set; short only at the end).  No Python API: the
 * caller is an audio thread without the GIL that has claimed the stream.  Returns MA_SUCCESS,
 * MA_AT_END, or the decoder's error. */
ma_result pyma_stream_pull(PyObject *stream, void *out, ma_uint64 frames, ma_uint64 *got);

/* Ends a claim (GIL held; no audio thread pulls any more). */
void pyma_stream_unclaim(PyObject *stream);
/* A stage's release of the source it claimed and holds (GIL held): ends the claim (or only clears
 * the flag when the garbage collector released the stream first) and drops the reference. */
void pyma_stream_give_back(PyObject *source);

/* ---- a device's format converter for a stream of another format (devconvert.c) ----------- */

typedef struct pyma_devconv pyma_devconv;
/* Makes a converter (GIL held: it allocates); -1 with MemoryError or ValueError. */
int pyma_devconv_new(pyma_devconv **out, ma_format in_format, ma_uint32 in_channels, ma_uint32 in_rate,
                     ma_format out_format, ma_uint32 out_channels, ma_uint32 out_rate);
/* Frees it (no audio thread uses it any more; NULL is a no-op). */
void pyma_devconv_free(pyma_devconv *conv);
/* Forgets buffered input and the converter's state, for a stream sought back (chain.c).  No
 * Python API; whoever pulls through it is the caller. */
void pyma_devconv_reset(pyma_devconv *conv);
/* pyma_stream_pull through the converter: up to `frames` output frames (short only at the
 * stream's end).  No Python API (a device's audio thread, or a chain's reader). */
ma_result pyma_devconv_pull(pyma_devconv *conv, PyObject *stream, void *out, ma_uint64 frames, ma_uint64 *got);

/* ---- devices (device.c, devrun.c, devattrs.c) and the audio-thread bridge (callback.c) ---- */

/* Run states of a device (DeviceObject.state, atomic). */
enum {
    PYMA_RUN_IDLE = 0,    /* never started, or stopped/closed */
    PYMA_RUN_RUNNING = 1, /* the callback drives the generator or stream */
    PYMA_RUN_ENDED = 2,   /* the generator/stream finished; waiting for the event thread to stop it */
    PYMA_RUN_ERROR = 3,   /* the generator raised, a chunk was invalid, a decode failed or the device
                           * was lost; waiting for the event thread */
};

/* Notifications a device keeps between two takes (a power of two). */
#define PYMA_NOTES 64

typedef struct DeviceObject {
    PyObject_HEAD
    pyma_state *st;          /* our module's state: outlives the object (it holds its type) */
    ma_context context;
    ma_device device;
    int context_ready;
    int device_ready;
    int closed;
    ma_device_type type;
    const pyma_format_info *play_fmt, *cap_fmt;
    ma_uint32 play_channels, cap_channels, sample_rate;
    ma_uint32 play_frame_bytes, cap_frame_bytes;
    char *app_name;          /* PyMem_RawMalloc'd copy: the context keeps pointing at it */
    PyThread_type_lock op_lock; /* serialises ma_device_start/stop/uninit; taken with the GIL released */

    /* Touched with the GIL only (the callback takes it before looking). */
    PyObject *generator;     /* the running generator (owned), or NULL */
    PyObject *stream;        /* the claimed DecoderStream pulled in C (owned), or NULL */
    pyma_devconv *conv;      /* converts that stream's frames to the device's format, or NULL */
    PyObject *callback_error;
    int error_pending;       /* callback_error not yet raised by stop()/close()/wait() */
    unsigned long run;       /* incremented by every start() */
    PyObject *data_callback; /* a replaced `_data_callback` (owned), or NULL: data_callback.c */
    PyObject *method_callback; /* a subclass's own `_data_callback` for this run (owned), or NULL */
    void *cb_out;            /* audio thread, GIL held: the period being served through */
    const void *cb_in;       /* data_callback while cb_active */
    ma_uint32 cb_frames;
    int cb_active, cb_padded;

    /* Shared with the audio thread (atomics). */
    volatile int state;      /* PYMA_RUN_* */
    volatile int in_callback;
    volatile int closing;    /* set under st->ev_mutex by close(): no more event pushes */
    volatile int lost;       /* the backend stopped the device by itself */
    ma_result native_result; /* written by the audio thread before state becomes ERROR */
    unsigned long audio_thread; /* ident of the thread that ran the last callback */
    ma_uint64 drain_left;    /* audio thread only: frames of silence still to play after the generator
                              * ended, so that what it gave is heard to the end before the run ends */
    int draining;            /* audio thread only (reset by start() before the run begins) */
    int async_backend;       /* the backend calls back on threads of its own (JACK, Core Audio, ...):
                              * set by _open(), read-only afterwards */
    PyThreadState *tstate;   /* audio thread only: its Python thread state.  On miniaudio's own worker
                              * thread (synchronous backends) it is kept from callback to callback of a
                              * run and retired on that thread when the run ends: by the callback, or
                              * by the "stopped" notification.  On an asynchronous backend it lives for
                              * one callback only (callback.c) */
    unsigned long tstate_thread; /* audio thread only: ident of the thread tstate belongs to */
    volatile int tstate_held; /* tstate != NULL, readable by the thread that stops the device */

    /* Push I/O (pushio.c): rings between write()/read() and the audio thread, which pulls from
     * play_rb and records into cap_rb during a push run (`push`, set with the device stopped). */
    int push;
    ma_pcm_rb play_rb, cap_rb;
    int rings_ready;         /* (GIL) the rings are allocated: rb_frames each */
    ma_uint32 rb_frames;
    ma_uint32 ring_frames;   /* (GIL) the size asked for (0: four periods, at least 100 ms) */
    PyThread_type_lock play_wake, cap_wake; /* held; the audio thread releases one to wake a waiter */
    volatile int play_waiting, cap_waiting;
    volatile int play_want, cap_want; /* frames free (recorded) a waiter needs before a wake-up is worth it */
    int writing, reading;    /* (GIL) a write()/read() is under way (another thread's is refused) */
    volatile int play_fed;   /* frames were written since the play ring last ran dry */
    volatile int input_done; /* drain(): the run ends once the play ring is empty */
    ma_uint32 prime_frames;  /* frames a push run waits for before it plays (one device buffer) */
    ma_uint64 prime_left;    /* audio thread (set before a start): silence it may still play waiting */
    volatile ma_uint64 n_underflows, n_overflows, n_dropped; /* written by the audio thread */
    ma_uint64 underflows_told, overflows_told; /* (GIL) counts reported by the last write()/read() */

    /* Master volume and pause/resume with a fade (devvolume.c).  Written by any thread with the
     * GIL (atomics); the audio thread reads them at the start of each period. */
    volatile int volume_bits;  /* the volume as float bits (0..1; 1.0f when opened) */
    double volume;             /* (GIL) the volume as set, read back by the `volume` attribute */
    volatile ma_uint64 fade_ctl; /* (request number << 33) | (paused << 32) | fade length in frames */
    ma_uint64 fade_seen;       /* audio thread: the request number last acted on */
    ma_uint64 fade_pos, fade_den; /* audio thread: the fade level is fade_pos / fade_den (den = length + 1) */

    /* Statistics, written by the audio thread only. */
    volatile ma_uint64 n_callbacks, n_frames, n_late, n_padded, max_ns, total_ns;

    /* miniaudio's notifications (notify.c): a ring the backend's threads write without a lock or
     * the GIL (one 64-bit word per notification: ticket, kind, time), taken with the GIL. */
    volatile int note_head;  /* tickets handed out (atomic) */
    int note_tail;           /* (GIL) the next ticket to take */
    ma_uint64 note_epoch_ns; /* pyma_now_ns() when opened: the words hold microseconds since */
    volatile ma_uint64 notes[PYMA_NOTES];

    /* Event queue link (guarded by st->ev_mutex). */
    int queued;
    int ev_run;              /* queued because the run ended: the event thread gets (device, run) */
    int ev_notes;            /* queued because notifications came: it gets (device, -3) first */
    struct DeviceObject *next_queued;
} DeviceObject;

extern PyType_Spec pyma_device_spec;

/* 0 when the device is open; else -1 with MiniaudioError "the device is closed" / "... is not
 * open" (device.c).  GIL held. */
int pyma_device_check_open(DeviceObject *self);

/* 0 unless called on the device's own audio thread; there -1 with RuntimeError naming `what`
 * (stop/close/start would wait for themselves) (device.c).  GIL held. */
int pyma_device_not_on_audio_thread(DeviceObject *self, const char *what);
/* _close(): stops (collecting the run's error) and releases the device and its context;
 * idempotent (device.c).  GIL held, not on the audio thread.  A new reference to None. */
PyObject *pyma_device_close(DeviceObject *self, PyObject *Py_UNUSED(ignored));

/* Stops the audio: no callback touches Python or the stream afterwards; drops the generator and
 * unclaims the stream (devrun.c).  GIL held, not on the audio thread. */
void pyma_device_halt(DeviceObject *self);
/* Turns a failure the audio thread could only record (native_result, lost) into the device's
 * callback_error (owned by the device, marked pending) and reports it to the unraisable hook; no
 * exception left set (devrun.c).  GIL held, the run over. */
void pyma_device_collect_error(DeviceObject *self);
/* The methods _start, _halt, _close_at_exit and _end_run (devrun.c; see their docstrings). */
PyObject *pyma_device_start(DeviceObject *self, PyObject *args);
PyObject *pyma_device_halt_meth(DeviceObject *self, PyObject *Py_UNUSED(ignored));
PyObject *pyma_device_close_at_exit(DeviceObject *self, PyObject *arg);
PyObject *pyma_device_end_run(DeviceObject *self, PyObject *arg);
extern const char pyma_device_start_doc[], pyma_device_halt_meth_doc[], pyma_device_close_at_exit_doc[],
    pyma_device_end_run_doc[];

/* The attributes of _Device (devattrs.c; GIL held): its getset table and _take_error(), which
 * returns a new reference to the pending callback_error (then marked raised) or None. */
extern PyGetSetDef pyma_device_getset[];
PyObject *pyma_device_take_error(DeviceObject *self, PyObject *Py_UNUSED(ignored));
extern const char pyma_device_take_error_doc[];

/* ---- contexts and device enumeration (context.c) ------------------------------------------ */

/* _Context, the enumerator behind miniaudio.Devices. */
extern PyType_Spec pyma_context_spec;

/* Initialises `ctx` for `backends` (None or a sequence of Backend values), thread priority and
 * application name (app_name kept alive by the caller until ma_context_uninit; may be NULL).
 * *null_listed (may be NULL) is set to 1 when the NULL backend was in the list.  GIL held,
 * released inside; -1 with ValueError/TypeError for bad arguments, MiniaudioError when no backend
 * is available (nothing to uninit then). */
int pyma_context_open(pyma_state *st, ma_context *ctx, PyObject *backends, int thread_prio, const char *app_name,
                      int *null_listed);
/* The same with a device's context settings (devopts.c) applied; opts may be NULL. */
int pyma_context_open_opts(pyma_state *st, ma_context *ctx, PyObject *backends, int thread_prio,
                           const char *app_name, int *null_listed, const void *opts);

/* A new list of (name, raw_id bytes, is_default, formats) for the playback or capture devices of
 * `ctx`; formats is a list of (format, sample_rate, channels) when `detailed`, else empty.  `lock`
 * (owned by the caller) serialises users of the context and is taken with the GIL released.  GIL
 * held; NULL with an exception set. */
PyObject *pyma_list_devices(pyma_state *st, ma_context *ctx, PyThread_type_lock lock, ma_device_type type,
                            int detailed);

/* Resolves a device_id argument `obj` for a device of `type` on `ctx` (lock as for
 * pyma_list_devices): None (the default device: *has_id = 0), a (backend name, raw bytes) tuple
 * of ctx's backend, raw id bytes, or a device name looked up among ctx's devices by the package's
 * one name matcher, miniaudio._devices._device_by_name (*has_id = 1 and *id filled).  GIL held;
 * -1 with TypeError/ValueError naming `argname` (an unknown name lists the candidates, an
 * ambiguous one the matches). */
int pyma_resolve_device_id(pyma_state *st, ma_context *ctx, PyThread_type_lock lock, ma_device_type type, PyObject *obj,
                           const char *argname, ma_device_id *id, int *has_id);

/* ---- backend settings and loopback (devopts.c) --------------------------------------------- */

/* The parsed `options` of _Device._open (keys and kinds in devopts.c's table); lives on the
 * caller's stack until ma_device_init has returned: the configs point into it. */
#define PYMA_DEVOPT_ROWS 40
typedef struct {
    unsigned char set[PYMA_DEVOPT_ROWS];
    long long num[PYMA_DEVOPT_ROWS];
    char text[5][256];                  /* string settings, one slot each */
    ma_channel maps[2][MA_MAX_CHANNELS]; /* playback, capture channel maps */
    ma_uint32 map_len[2];
} pyma_devopts;

/* Fills `opts` from None or a dict {key: value}; TypeError/ValueError naming the key (an unknown
 * key lists the known ones).  GIL held. */
int pyma_devopts_parse(PyObject *options, pyma_devopts *opts);
/* Stores the context settings of `opts` (may be NULL) into `config`. */
void pyma_devopts_context(const pyma_devopts *opts, ma_context_config *config);
/* -1 with ValueError when a general setting does not apply to `backend` (naming those it applies to). */
int pyma_devopts_check(const pyma_devopts *opts, ma_backend backend);
/* Stores the device settings of `opts` into `config` (pointers into `opts`). */
void pyma_devopts_device(const pyma_devopts *opts, ma_device_config *config);
/* -1 with ValueError when channel map `which` (0 playback, 1 capture) is set and its length is not `channels`. */
int pyma_devopts_map_check(const pyma_devopts *opts, int which, ma_uint32 channels, const char *argname);
/* Loopback capture: on WASAPI resolves `id_obj` among the playback devices into *cid (type stays
 * loopback); on PulseAudio sets *type to capture and *cid to the monitor source of the sink named
 * by `id_obj` (None: the default sink); other backends: ValueError naming those with loopback.
 * GIL held (released inside for enumeration). */
int pyma_loopback_resolve(pyma_state *st, ma_context *ctx, PyThread_type_lock lock, PyObject *id_obj, int *type,
                          ma_device_id *cid, int *has_id);

/* ---- the device event queue (events.c) ---------------------------------------------------- */

/* The module function behind the event thread: blocks (GIL released) until devices need
 * attention and returns a list of (device, run) tuples; run -1 means "close this device". */
PyObject *pyma_next_events(PyObject *module, PyObject *Py_UNUSED(ignored));
extern const char pyma_next_events_doc[];

/* Allocates the event queue primitives in the module state (GIL held); -1 with MemoryError. */
int pyma_events_init(pyma_state *st);
/* Frees them (module teardown; no device is open any more). */
void pyma_events_free(pyma_state *st);

/* Called by an audio thread (no GIL) when a run ends by itself: queues the device for the event
 * thread unless it is closing. */
void pyma_device_push_event(DeviceObject *self);

/* Called by a backend's thread (no GIL) when a notification was recorded: queues the device for
 * the event thread, which calls its _deliver_notifications() (run -3), unless it is closing. */
void pyma_device_push_note(DeviceObject *self);

/* notify.c: records miniaudio's notification `type` (ma_device_notification_type) in the device's
 * ring and tells the event thread.  Any thread, no GIL, no lock but ev_mutex's few stores. */
void pyma_note_record(DeviceObject *self, int type);
/* _take_notifications(): [(age in seconds, kind str), ...] oldest first, taken off the ring.  GIL. */
PyObject *pyma_device_take_notes(DeviceObject *self, PyObject *Py_UNUSED(ignored));
extern const char pyma_device_take_notes_doc[];

/* A source with news for Python that the event thread hands to it as (owner, -2): the event loop
 * calls owner._deliver_ends() (chain.c: a playlist's members ended on an audio thread).  `owner`
 * is borrowed: the source unlinks itself (pyma_events_forget_source) before its owner can go. */
typedef struct pyma_source_event {
    PyObject *owner;
    int queued;                       /* guarded by st->ev_mutex */
    struct pyma_source_event *next;   /* likewise */
} pyma_source_event;

/* Queues `ev` for the event thread and wakes it (no-op when queued already).  Any thread, no GIL
 * needed (an audio thread: ev_mutex is held for a few stores). */
void pyma_events_push_source(pyma_state *st, pyma_source_event *ev);

/* Takes `ev` off the queue.  GIL held. */
void pyma_events_forget_source(pyma_state *st, pyma_source_event *ev);

/* Marks the device closing (no more pushes) and takes it off the queue.  GIL held (ev_mutex is
 * never held by a thread waiting for the GIL, so this cannot deadlock). */
void pyma_events_forget(DeviceObject *self);

/* A device finalized on its own audio thread: the deferred list (st->ev_deferred, GIL) takes a
 * reference to it (resurrecting it) and the event thread closes it; on failure the error is
 * cleared and the device is left unclosed.  GIL held. */
void pyma_events_defer_close(DeviceObject *self);

/* The data and notification callbacks given to ma_device_init (callback.c).  Audio thread. */
void pyma_data_callback(ma_device *device, void *output, const void *input, ma_uint32 frames);
void pyma_notification_callback(const ma_device_notification *notification);

/* Sends the generator one period (frame count or recorded frames) and copies what it yields
 * into `out`; *padded set when the period was short.  Audio thread, GIL held.  0, or -1 with an
 * exception set (the generator raised, or yielded a bad chunk). */
int pyma_generator_step(DeviceObject *self, PyObject *gen, void *out, const void *in, ma_uint32 frames,
                        int *padded);

/* Copies a playback chunk (what a generator yielded) into `out`, padding the period with silence
 * (*padded set when short).  Audio thread, GIL held.  0, or -1 with TypeError/ValueError set. */
int pyma_copy_chunk(DeviceObject *self, PyObject *chunk, void *out, ma_uint32 frames, int *padded);
/* Ends the run at once (RUNNING -> ENDED: the event thread stops the device and calls
 * on_finished).  Any thread, no GIL needed. */
void pyma_end_run_now(DeviceObject *self);

/* ---- callbacks in sounddevice's style, numpy-input generators (pycallback.c) -------------- */

/* Creates the _PeriodBuffer, _CallbackRunner and CallbackTime types (module init).  -1 with an
 * exception. */
int pyma_pycallback_init(PyObject *module, pyma_state *st);
/* Whether `obj` (may be NULL) is a _CallbackRunner.  GIL held. */
int pyma_pycallback_check(pyma_state *st, PyObject *obj);
/* The runner's callback or generator (borrowed), for error reports. */
PyObject *pyma_pycallback_target(PyObject *runner);
/* What `callback_generator` shows for a runner: the wrapped generator, or None for a callback
 * (borrowed). */
PyObject *pyma_pycallback_generator(PyObject *runner);
/* One period of a runner's run: calls the callback (or sends the generator an array) and fills
 * `out`; *padded set when the period was padded with silence.  Audio thread, GIL held.  0 (also
 * for CallbackStop/CallbackAbort, which end the run), or -1 with the exception set. */
int pyma_pycallback_step(DeviceObject *dev, PyObject *runner, void *out, const void *in, ma_uint32 frames,
                         int *padded);

/* `_data_callback` (data_callback.c): 1.71's per-period method, which programs replace per
 * instance to watch the callbacks.  The getter, setter and default method of _Device. */
PyObject *pyma_device_get_data_callback(DeviceObject *self, void *closure);
int pyma_device_set_data_callback(DeviceObject *self, PyObject *value, void *closure);
PyObject *pyma_device_default_data_callback(DeviceObject *self, PyObject *const *args, Py_ssize_t nargs);
extern const char pyma_device_default_data_callback_doc[];

/* ---- push I/O: write()/read() through ring buffers (pushio.c, pushio_rw.c) --------------- */

/* One period of a push run: plays from play_rb (silence where it ran dry), records into cap_rb
 * (dropping what does not fit), wakes a waiting write()/read().  Audio thread, no GIL, no waits.
 * Returns 1 when the playback period was padded. */
int pyma_push_step(DeviceObject *self, void *out, const void *in, ma_uint32 frames);
/* Allocates the rings (and wake locks) if needed, for a push run about to start; empties the
 * capture ring.  GIL held, no push run running.  -1 with MemoryError. */
int pyma_push_prepare(DeviceObject *self);
/* Empties both rings (stop(): what was written but not played is dropped).  GIL held, the device
 * stopped. */
void pyma_push_reset(DeviceObject *self);
/* Wakes any write()/read() waiting (they look at the state again).  Any thread. */
void pyma_push_wake_all(DeviceObject *self);
/* Frees the rings and (free_locks) the wake locks.  GIL held, no audio thread. */
void pyma_push_free(DeviceObject *self, int free_locks);
/* Copies up to `frames` frames of `frame_bytes` bytes out of `rb` into `out`; returns the frames
 * copied (fewer when the ring runs dry).  The ring's one reader (audio thread or read()), no waits. */
ma_uint32 pyma_push_rb_read(ma_pcm_rb *rb, void *out, ma_uint32 frames, ma_uint32 frame_bytes);
/* 1 while a push run is going (the device open, started for write()/read(), RUNNING).  GIL held. */
int pyma_push_running(DeviceObject *self);
/* The methods behind write(), read() (pushio_rw.c), drain(), write_available, read_available and
 * the ring size (pushio.c). */
PyObject *pyma_device_push_write(DeviceObject *self, PyObject *args);
PyObject *pyma_device_push_read(DeviceObject *self, PyObject *args);
PyObject *pyma_device_push_drain(DeviceObject *self, PyObject *Py_UNUSED(ignored));
PyObject *pyma_device_push_available(DeviceObject *self, PyObject *arg);
PyObject *pyma_device_set_ring(DeviceObject *self, PyObject *arg);
extern const char pyma_device_push_write_doc[], pyma_device_push_read_doc[], pyma_device_push_drain_doc[],
    pyma_device_push_available_doc[], pyma_device_set_ring_doc[];
/* _feed_end(run, exc, obj): the prefetch feeder's end of a generator (prefetch.c).  GIL held. */
PyObject *pyma_device_feed_end(DeviceObject *self, PyObject *args);
extern const char pyma_device_feed_end_doc[];

/* ---- master volume, pause and resume (devvolume.c) ----------------------------------------- */

/* One period of the device's own step (push, pulled stream or Python), `frames` frames; returns
 * 1 if the step had to pad it with silence.  Audio thread. */
typedef int (*pyma_step_fn)(DeviceObject *self, void *out, const void *in, ma_uint32 frames);
/* Serves one playback (or duplex) period through `step`, applying the volume and the pause fade:
 * paused, it does not call `step` at all (silence, the source untouched); fading out, it calls it
 * for the frames of the fade only.  Returns what `step` returned (0 for a paused period).  Audio
 * thread, no GIL, no allocation, no waiting. */
int pyma_gain_serve(DeviceObject *self, void *out, const void *in, ma_uint32 frames, pyma_step_fn step);
/* Sets volume 1.0 (a newly opened device).  GIL held. */
void pyma_gain_init(DeviceObject *self);
/* A run begins unpaused at full level.  GIL held, no callback running (the device is stopped). */
void pyma_gain_start(DeviceObject *self);
/* _set_volume, _pause and the getters `_volume` and `_paused` (devvolume.c; GIL held). */
PyObject *pyma_device_set_volume(DeviceObject *self, PyObject *arg);
PyObject *pyma_device_pause(DeviceObject *self, PyObject *args);
PyObject *pyma_device_get_volume(DeviceObject *self, void *closure);
PyObject *pyma_device_get_paused(DeviceObject *self, void *closure);
extern const char pyma_device_set_volume_doc[], pyma_device_pause_doc[];

/* The end of the frames of a run (callback.c): capture ends now, playback after one buffer of
 * silence.  Audio thread. */
void pyma_data_ended(DeviceObject *self);
/* Monotonic nanoseconds (callback.c).  Any thread. */
ma_uint64 pyma_now_ns(void);

/* 1 when the current thread is running this device's callback (so stop/close would deadlock). */
int pyma_device_on_audio_thread(DeviceObject *self);

/* ---- chains and playlists (chain.c, playlist.c) ------------------------------------------ */

/* The chain behind a Playlist (chain.c; see its header comment for the lock-free publication). */
typedef struct {
    PyObject *stream;    /* owned, claimed by the chain */
    pyma_devconv *conv;  /* its converter, or NULL when it is in the chain's format */
} pyma_chain_member;

typedef struct pyma_pyma_chain_slots {
    struct pyma_pyma_chain_slots *older; /* the array this one replaced (kept until the chain is freed), or NULL */
    int cap;
    pyma_chain_member m[];
} pyma_chain_slots;

/* Member ends a reader may count before on_source_end is told of them: a looping chain of tiny
 * members can end members faster than Python is called; the oldest untold ends are then skipped. */
#define PYMA_CHAIN_ENDS 256

typedef struct {
    pyma_pull base;
    pyma_state *st;
    StreamObject *owner;          /* the stream over this pull (borrowed: it owns the pull) */
    pyma_chain_slots *volatile slots;  /* pyma_aloadp/pyma_astorep; written by the appending thread (GIL) */
    volatile int n;               /* members published: slots->m[0, n) are complete */
    volatile int current;         /* written by the reader: the member being read (n: all read), which
                                   * is also how many members have ended */
    volatile int input_open;      /* more members may come (Playlist before close_input()) */
    volatile ma_uint64 ends_total; /* written by the reader: members ended, over all passes and seeks */
    volatile int end_index[PYMA_CHAIN_ENDS]; /* reader: the member index of end number k at [k % size] */
    volatile ma_uint64 delivered; /* ends told to on_source_end (or skipped while it was None) */
    volatile int delivering;      /* a thread is running on_source_end calls (GIL) */
    volatile int notify;          /* on_end is set: a claimed reader wakes the event thread */
    PyObject *on_end;             /* on_source_end (owned), or NULL; GIL */
    pyma_source_event ev;         /* the event-queue link (events.c) */
    ma_uint64 total;              /* GIL: the sum of the members' lengths, when total_known */
    int total_known;
} pyma_chain_pull;

/* Appends `count` streams as members, all or none ("<label> <first_number + i>" in messages); GIL
 * held, not released; -1 with an exception. */
int pyma_chain_add(pyma_state *st, pyma_chain_pull *c, const char *label, Py_ssize_t first_number, PyObject *const *items,
                   Py_ssize_t count);
/* No more members: a chain of known members read from its start gets its length.  GIL held. */
void pyma_chain_close_input(pyma_chain_pull *c);
/* Sets on_source_end (callable, or None/NULL); starts the event thread.  GIL held; -1 with TypeError. */
int pyma_chain_set_on_end(pyma_chain_pull *c, PyObject *fn);
/* A new Playlist over `items` (claimed), input open or closed.  GIL held; NULL with an exception. */
PyObject *pyma_chain_build(pyma_state *st, const char *label, PyObject *const *items, Py_ssize_t count, long format,
                           long channels, long rate, Py_ssize_t frames_to_read, int chunk_type, PyObject *wrap,
                           PyObject *format_obj, PyObject *on_end, int input_open);

/* ---- processed streams: stream.then(*processors) (pull_dsp.c) ----------------------------- */

/* then(*processors), a method of DecoderStream: a new DecoderStream over a pull that reads `self`
 * (claimed until the new stream is released) and runs the processors (bound to its channels and
 * rate, attached to the pull) in place.  GIL held; NULL with TypeError/ValueError naming the
 * argument position, or RuntimeError for a stream in use. */
PyObject *pyma_stream_then(StreamObject *self, PyObject *const *args, Py_ssize_t nargs);
extern const char pyma_stream_then_doc[];
/* The source stream of a processed stream's pull (borrowed), or NULL for any other kind (chain.c
 * looks through processed streams for a playlist that would hold itself).  GIL held. */
PyObject *pyma_pull_dsp_source(pyma_pull *pull);

/* ---- the streaming converter (converter.c) ------------------------------------------------
 *
 * Format, channels and sample rate with state kept between chunks: miniaudio's ma_data_converter
 * configured as convert_frames() configures it, so that chunks fed one by one give its frames.
 * The struct is plain C so that a live stage (the audio thread) can run it: pyma_converter_run
 * takes no GIL and allocates nothing.  Rate changes come from any thread through rate_request
 * (one atomic word) and are applied by the runner at the start of its next run. */
typedef struct {
    ma_data_converter dc;
    int ready;                        /* dc is initialised (uninit it) */
    int can_change_rate;              /* dc has a resampler: rate requests are honoured */
    const pyma_format_info *in_fmt, *out_fmt;
    ma_uint32 in_channels, out_channels;
    ma_uint32 in_frame_bytes, out_frame_bytes;
    ma_uint32 in_rate, out_rate;      /* the runner's rates (the last request applied) */
    volatile ma_uint64 rate_request;  /* (in << 32 | out) asked last; 0: none (pyma_aload64/astore64) */
    ma_uint64 rate_applied;           /* the runner's: the request it applied last */
} pyma_converter;

/* Initialises *c (zeroed here) for in_* -> out_* with convert_frames' settings; dynamic_rate
 * allows rate changes even when the rates are equal (that runs the resampler, which delays by a
 * frame).  Allocates: GIL held, not on the audio thread.  MA_SUCCESS or miniaudio's error. */
ma_result pyma_converter_init(pyma_converter *c, ma_format in_format, ma_uint32 in_channels, ma_uint32 in_rate,
                              ma_format out_format, ma_uint32 out_channels, ma_uint32 out_rate,
                              ma_dither_mode dither, ma_channel_mix_mode mix, ma_uint32 lpf_order, int dynamic_rate);
/* Frees what init allocated (idempotent); no runner may be using it.  GIL held. */
void pyma_converter_uninit(pyma_converter *c);
/* Converts up to *in_frames frames from `in` into up to *out_frames frames at `out`; both set to
 * what was consumed / made.  Makes every output frame its input allows while room is left (so a
 * run with room to spare has consumed all its input).  Applies a pending rate request first.  No
 * GIL, no allocation, no waits: callable on the audio thread by the converter's one runner.
 * Returns MA_SUCCESS or miniaudio's error (a refused rate: nothing converted). */
ma_result pyma_converter_run(pyma_converter *c, const void *in, ma_uint64 *in_frames, void *out,
                             ma_uint64 *out_frames);
/* Asks for new rates (each 1..PYMA_MAX_SAMPLE_RATE, checked by the caller), taken by the runner's
 * next run.  Any thread, no GIL needed; the last request wins. */
void pyma_converter_request_rate(pyma_converter *c, ma_uint32 in_rate, ma_uint32 out_rate);
/* Applies a pending rate request now (the runner only).  No GIL, no allocation. */
ma_result pyma_converter_apply_rate(pyma_converter *c);
/* Output frames the next `in_frames` input frames give, from the resampler's state (the runner). */
ma_uint64 pyma_converter_expected_output(pyma_converter *c, ma_uint64 in_frames);
/* miniaudio._Converter, the Python face (miniaudio.Converter wraps it). */
extern PyType_Spec pyma_converter_spec;

/* The live stage's side of a _Converter (GIL held for all four).  pyma_converter_unwrap: a new
 * reference to the _Converter `obj` is or wraps (miniaudio.Converter's `_c`), or NULL with no
 * exception when it is neither.  pyma_converter_get: its C state (borrowed; lives as long as the
 * object).  pyma_converter_attachable: 0, or -1 with ValueError (attached elsewhere) or
 * RuntimeError (process() runs in another thread) naming then()'s argument n.
 * pyma_converter_attach: restarts it (as reset()) and hands it to `owner` (an identity): from then
 * on only set_rate()/set_ratio() and plain attributes work from Python, the owner's reader runs it.
 * pyma_converter_detach: gives it back, restarted (no-op unless `owner` holds it; no reader runs
 * it any more). */
PyObject *pyma_converter_unwrap(pyma_state *st, PyObject *obj);
pyma_converter *pyma_converter_get(PyObject *obj);
int pyma_converter_attachable(PyObject *obj, Py_ssize_t n);
void pyma_converter_attach(PyObject *obj, void *owner);
void pyma_converter_detach(PyObject *obj, void *owner);

/* ---- converted streams: a Converter among then()'s stages (pull_conv.c) ------------------- */

/* then() when some of `args` are converters: the stages in order, each run of processors one
 * processed stream (pull_dsp.c), each converter one converted stream over the stage before;
 * every argument is checked first (processors against the channels and rate of their place).
 * GIL held; NULL with TypeError/ValueError naming the argument position, or RuntimeError. */
PyObject *pyma_then_staged(pyma_state *st, StreamObject *self, PyObject *const *args, Py_ssize_t nargs);
/* The source stream of a converted stream's pull (borrowed), or NULL for any other kind. */
PyObject *pyma_pull_conv_source(pyma_pull *pull);

/* Shared by pull_dsp.c and pull_conv.c (GIL held): the checks then() makes of its source stream
 * and of processor argument n at the given channels and rate (-1 with an exception); the frames
 * a pull of `s` gives (*known 0: unknown); "then() argument n: " put before the current
 * exception's message; and the processed stream over `self` for processors args[0, count)
 * (checked), whose argument numbers start at first + 1. */
int pyma_then_check_source(StreamObject *s);
int pyma_then_check_processor(pyma_state *st, PyObject *obj, Py_ssize_t n, ma_uint32 channels, ma_uint32 rate);
ma_uint64 pyma_then_source_length(StreamObject *s, int *known);
void pyma_then_prefix_error(Py_ssize_t n);
PyObject *pyma_then_processors(pyma_state *st, StreamObject *self, PyObject *const *args, Py_ssize_t count,
                               Py_ssize_t first);

/* ---- processors: filters, delay, gain, pan, fade (dsp.c: the type; dsp_kinds.c: the kinds) ----
 *
 * A Processor is one of miniaudio's components (ma_biquad, ma_lpf, ma_hpf, ma_bpf, ma_notch2,
 * ma_peak2, ma_loshelf2, ma_hishelf2, ma_delay, ma_gainer, ma_panner, ma_fader) over float32
 * interleaved frames, processed in place, with its state kept between blocks: any split of the
 * same frames into blocks gives the same output, bit for bit.
 *
 * Parameter changes: a setter (any Python thread, GIL held) stores the new values in `pending`
 * under `lock` (a ma_spinlock held only for a copy of PYMA_DSP_MAX_PARAMS doubles) and bumps
 * `pending_seq`; whoever processes (process(), or an audio thread through pyma_proc_run) copies them
 * out at the start of its next block and applies them with miniaudio's *_reinit functions, which
 * keep the filters' state (no click; gain changes ramp through ma_gainer).  reset() bumps
 * `reset_seq` the same way.  So the processing side never waits on a Python thread.
 *
 * Who processes: `user` (atomic) is 0 when free, PYMA_PROC_BUSY while a process() call runs (a
 * second one from another thread is refused with RuntimeError), PYMA_PROC_ATTACHED while a live
 * stage owns it (process() is refused).
 *
 * The interface for a live stage (a pull kind that runs processors on the audio thread):
 *   pyma_proc_check(st, obj)                   is obj a Processor?  (GIL)
 *   pyma_proc_bind(p, channels, sample_rate)   fix its format, allocating its component; or check
 *                                              that the format it has matches (ValueError naming
 *                                              nchannels / sample_rate).  (GIL)
 *   pyma_proc_attach(p, owner)                 claim it for `owner` (the stage; a borrowed
 *                                              pointer used as an identity): ValueError if another
 *                                              owner has it, RuntimeError while process() runs;
 *                                              attaching to the same owner again is a no-op.  (GIL)
 *   pyma_proc_run(p, frames, n)                on the audio thread, without the GIL: applies
 *                                              pending parameters and resets, processes n frames
 *                                              of p's channels in place.  No allocation, no
 *                                              Python API, no wait beyond the spinlock's copy.
 *                                              p must be bound and attached to the caller.
 *   pyma_proc_detach(p, owner)                 release it (no-op if `owner` does not hold it).
 *                                              (GIL, and the audio thread no longer runs it)
 *   pyma_proc_channels(p), pyma_proc_sample_rate(p)   0 while unknown.  (any thread)
 * The stage keeps a strong reference to each attached processor until it detaches it.
 */
#define PYMA_DSP_MAX_PARAMS 6
enum {
    PYMA_DSP_BIQUAD, PYMA_DSP_LPF, PYMA_DSP_HPF, PYMA_DSP_BPF, PYMA_DSP_NOTCH, PYMA_DSP_PEAK,
    PYMA_DSP_LOSHELF, PYMA_DSP_HISHELF, PYMA_DSP_DELAY, PYMA_DSP_GAIN, PYMA_DSP_PAN, PYMA_DSP_FADE,
    PYMA_DSP_KIND_COUNT
};

/* One row of the kind table (dsp_kinds.c). */
typedef struct {
    const char *name;                          /* the public class name, for messages */
    int nparams;
    const char *params[PYMA_DSP_MAX_PARAMS];   /* parameter names, in the constructor's order */
    unsigned settable;                         /* bit i: params[i] may change after construction */
    int needs_rate;                            /* needs a sample rate before it can process */
} pyma_dsp_kind_info;

/* The row of `kind`, or NULL for an unknown kind. */
const pyma_dsp_kind_info *pyma_dsp_kind(int kind);

/* A kind's miniaudio component(s) and what it last applied (dsp_kinds.c). */
typedef struct pyma_dsp pyma_dsp;

/* Checks `params` for `kind` (rate, channels: 0 when not known yet).  GIL held; -1 with ValueError
 * "<Kind>: <param> must be ..., not <value>". */
int pyma_dsp_validate(int kind, const double *params, ma_uint32 rate, ma_uint32 channels);
/* A new component for valid params (malloc), or NULL with *result set.  No Python API. */
pyma_dsp *pyma_dsp_new(int kind, const double *params, ma_uint32 channels, ma_uint32 rate, ma_result *result);
/* Frees it (NULL is fine).  No Python API. */
void pyma_dsp_free(pyma_dsp *d);
/* Applies new (valid) params, keeping the state; clears the state.  No Python API, no allocation. */
void pyma_dsp_apply(pyma_dsp *d, const double *params);
void pyma_dsp_reset(pyma_dsp *d);
/* Processes n frames of float32 in place.  No Python API, no allocation. */
void pyma_dsp_process(pyma_dsp *d, float *frames, ma_uint32 n);

enum { PYMA_PROC_FREE = 0, PYMA_PROC_BUSY = 1, PYMA_PROC_ATTACHED = 2 };

typedef struct ProcessorObject {
    PyObject_HEAD
    int kind;
    ma_uint32 channels, sample_rate; /* asked for or bound (GIL); 0: not known yet */
    ma_format raw_format;            /* what raw bytes hold: f32 (default) or s16 */
    double params[PYMA_DSP_MAX_PARAMS]; /* the values set last (GIL) */
    pyma_dsp *dsp;                   /* NULL until bound (GIL writes; then fixed until dealloc) */
    volatile ma_spinlock lock;       /* guards pending and pending_seq's bump */
    double pending[PYMA_DSP_MAX_PARAMS];
    volatile int pending_seq, reset_seq; /* bumped by setters / reset() */
    int applied_seq, reset_applied;  /* the processing side's copies */
    volatile int user;               /* PYMA_PROC_FREE, _BUSY or _ATTACHED (atomic) */
    void *owner;                     /* the live stage holding it (GIL), or NULL */
} ProcessorObject;

extern PyType_Spec pyma_processor_spec;

int pyma_proc_check(pyma_state *st, PyObject *obj);
int pyma_proc_bind(ProcessorObject *p, ma_uint32 channels, ma_uint32 sample_rate);
int pyma_proc_attach(ProcessorObject *p, void *owner);
void pyma_proc_detach(ProcessorObject *p, void *owner);
void pyma_proc_run(ProcessorObject *p, float *frames, ma_uint32 n);
/* Integer (u8, s16, s24, s32) samples to float32 and back, the one conversion process() and
 * processed streams share (pull_dsp.c): full scale at 1.0; back rounded to nearest, clipped,
 * NaN -> 0.  f32 and other formats: nothing is written.  No Python API. */
void pyma_pcm_to_f32(ma_format format, const void *src, float *dst, size_t n);
void pyma_pcm_from_f32(ma_format format, const float *src, void *dst, size_t n);
ma_uint32 pyma_proc_channels(const ProcessorObject *p);
ma_uint32 pyma_proc_sample_rate(const ProcessorObject *p);


/* ---- the mixer: miniaudio's engine driven by our streams (mixer.c, voice.c) -----------------
 *
 * A Mixer owns an ma_engine initialised without a device (noDevice): the mix is read by a pull kind
 * (pyma_mix_pull, mixer.c) whose read is ma_engine_read_pcm_frames, so a PlaybackDevice pulls it
 * without the GIL like any stream, and render() reads it with the GIL released.  The engine lives
 * in that pull, which the mixer's DecoderStream owns: it outlives every sound, because the mixer
 * releases its voices before it drops the stream.
 *
 * A Voice is one ma_sound over a data source of ours (voice.c) whose reads pull a claimed
 * DecoderStream with pyma_stream_pull (no GIL, no allocation).  miniaudio's node graph lets a
 * thread attach and detach sounds while another reads the graph (ma_sound_uninit waits for a read
 * in progress with a spin, never for the GIL), so play() and the release of a voice run with the
 * GIL held while the audio thread mixes.  A voice is active (in the mixer's `voices` list, its
 * sound initialised, its stream claimed) until it is released: when it ended (the data source's
 * end, or its stop time reached), by the next reap on a Python thread (the event thread, woken by
 * the reader, or any mixer call), never on the audio thread. */

typedef struct pyma_mix_pull {
    pyma_pull base;
    pyma_state *st;
    ma_engine engine;
    int engine_ready;
    pyma_source_event ev;          /* owner: the MixerObject (borrowed; see `notify`) */
    volatile int notify;           /* 1 while the mixer lives: readers may queue it for the event thread */
    volatile int in_read;          /* a reader is between its notify check and its push */
    volatile int ended;            /* set by a sound's end callback (the reader's thread) */
    volatile ma_uint64 next_check; /* the earliest stop time of an active voice (~0: none), GIL writes */
} pyma_mix_pull;

typedef struct MixerObject {
    PyObject_HEAD
    pyma_state *st;
    PyObject *stream;     /* the DecoderStream over the mix pull (owned), NULL once closed */
    pyma_mix_pull *mix;   /* stream's pull (borrowed), NULL once closed */
    PyObject *voices;     /* list of the active voices (owned) */
    PyObject *groups;     /* list of the active groups (owned; a parent before its children), or NULL */
    ma_uint32 channels, sample_rate;
    double volume;
    int reaping;          /* a _reap() is running (it may let other threads run: see mixer.c) */
    PyObject *weakreflist;
} MixerObject;

/* A voice's data source over a claimed stream (voice.c). */
typedef struct {
    ma_data_source_base base;
    PyObject *stream;            /* borrowed from the VoiceObject, which owns and claims it */
    pyma_devconv *conv;          /* to float32 for a stream of another format (owned), or NULL */
    ma_format format;            /* what the engine reads: float32 */
    ma_uint32 channels, sample_rate;
    volatile ma_uint64 cursor;   /* source frames handed to the engine since the last seek */
    ma_uint64 length;            /* the stream's length (when length_known) */
    int length_known;
    volatile int failed;         /* the stream's read failed: its ma_result (the voice ended) */
    int padded;                  /* the reader added the frame of silence after the end (voice.c) */
    int read_end;                /* the last read gave MA_AT_END: a seek that follows is a loop's */
    ma_uint64 heard_from;        /* the source frame Voice.position counts from (the start, a seek) */
    volatile ma_uint64 delivered; /* frames handed to the engine since `heard_from` (with the padding) */
} pyma_voice_ds;

/* A group (bus) of a mixer (group.c): an ma_sound_group that voices and child groups attach to,
 * then, when it has processors, a node of ours (pyma_group_node, miniaudio's ma_node vtable) that
 * runs them on the group's output, attached to the parent group or the engine's endpoint:
 *     voices, child groups -> ma_sound_group (volume, pan) -> [processors node] -> parent
 * The node runs on the mix reader's thread without the GIL (pyma_proc_run).  A group is active
 * (in the mixer's `groups` list, its nodes initialised, its processors attached to its core) until
 * released, with the GIL, after the voices and child groups in it and before the engine. */
typedef struct {
    ma_node_base base;          /* first: the graph calls the vtable with this address */
    ma_uint32 channels;
    Py_ssize_t count;
    ProcessorObject **procs;    /* the core's array (the processors attached to the core) */
} pyma_group_node;

struct pyma_group_core {
    ma_sound_group group;
    pyma_group_node node;       /* initialised only when the group has processors (`node_ready`) */
    int node_ready;
    ProcessorObject *procs[];   /* borrowed from the group's `processors` tuple */
};

typedef struct MixerGroupObject {
    PyObject_HEAD
    MixerObject *mixer;                 /* owned */
    struct MixerGroupObject *parent;    /* owned, or NULL: the group goes to the engine's endpoint */
    PyObject *processors;               /* a tuple (owned); attached to `core` while active */
    struct pyma_group_core *core;       /* PyMem_Raw (the graph points into it); NULL once released */
    int active;
    int closing;                        /* close() is releasing it: play() refuses it */
    double volume, pan;
} MixerGroupObject;

typedef struct VoiceObject {
    PyObject_HEAD
    MixerObject *mixer;     /* owned */
    MixerGroupObject *group; /* owned, or NULL: the voice goes to the engine's endpoint */
    PyObject *stream;       /* owned and claimed while active, NULL after */
    struct pyma_voice_core *core; /* the data source and the ma_sound (PyMem_Raw: the graph points into it) */
    int active;             /* the sound is initialised and in the mixer's list */
    int ending;             /* a reap found it over and is releasing it */
    int paused;
    double volume, pan, pitch;
    ma_uint64 stop_time;    /* engine frame at which it stops (~0: none) */
    ma_uint64 final_position; /* the cursor when it was released */
    int error;              /* the stream's read error that ended it (ma_result), 0 if none */
} VoiceObject;

struct pyma_voice_core {
    pyma_voice_ds ds;
    ma_sound sound;
};

extern PyType_Spec pyma_mixer_spec, pyma_voice_spec;

/* Starts `v` (made by the mixer, zeroed past its head) over `stream` in `m`'s engine: claims the
 * stream, makes the data source and the sound, applies the settings and starts it (at
 * start_at, an engine frame, when >= 0; fade_in frames).  GIL held; -1 with an exception (nothing
 * claimed or allocated then). */
int pyma_voice_begin(VoiceObject *v, MixerObject *m, PyObject *stream, double volume, double pan, double pitch,
                     int loop, ma_uint64 fade_in, long long start_at, long long stop_at, MixerGroupObject *group);
/* Whether an active voice is over (its source ended, failed, or its stop time passed).  GIL held. */
int pyma_voice_done(VoiceObject *v);
/* Uninitialises the sound, unclaims and drops the stream, keeps the final position; no-op for an
 * inactive voice.  Does not touch the mixer's list.  GIL held, not on the audio thread; the engine
 * must be alive. */
void pyma_voice_release(VoiceObject *v);

extern PyType_Spec pyma_group_spec;

/* Mixer._group(cls, volume, pan, processors, parent): a new active group of `cls` (a _MixerGroup
 * subclass) in `m`.  GIL held; NULL with an exception (nothing attached or allocated then). */
PyObject *pyma_mixer_group(MixerObject *m, PyObject *args);
/* 0 if `obj` is None (*out NULL) or an active group of `m` that a voice or a child group can go
 * into (*out, borrowed); -1 with ValueError or TypeError naming the argument `name`.  GIL held. */
int pyma_group_check_target(MixerObject *m, PyObject *obj, const char *name, MixerGroupObject **out);
/* Releases every group of `m` (children before parents) and empties its list.  GIL held; the
 * voices are released already and the engine is alive. */
void pyma_groups_release_all(MixerObject *m);

#endif /* PYMA_MINIAUDIO_H */
