/* tags.c: title, artist, album, date, genre, track number and comment from an audio file's tags:
 * the input, the fields and the Python entry (read_tags).
 *
 * Vorbis comments (the FLAC VORBIS_COMMENT block; the Ogg Vorbis comment packet, followed across
 * pages because stb_vorbis skips it, patches 0006 and 0058) and RIFF INFO (WAV) are parsed in
 * tags_containers.c, ID3v1 and ID3v2 (MP3) in tags_id3.c.  Nothing here touches the decoders: a tag that cannot be parsed
 * gives fewer fields, never an error, and never stops the audio from decoding.
 *
 * Every parser is bounded (the caps are in _miniaudio.h, PYMA_TAG_*): no length read from the file
 * is trusted, each is checked against what is left of its chunk, block, packet and input; at most
 * PYMA_TAG_SCAN_MAX bytes of one tag are read into memory, at most PYMA_TAG_FIELD_MAX bytes kept
 * per field, and at most PYMA_TAG_WALK_MAX headers (chunks, blocks, pages, comments) walked.
 *
 * The input is a held buffer, a file opened here or a Python file object.  The GIL is released
 * while parsing the first two (only C memory we own and the held view are touched); a Python file
 * object is read with the GIL held.
 */
#include "_miniaudio.h"

#include <errno.h>
#include <string.h>

#if defined(_WIN32)
typedef __int64 tags_off;
#define tags_fseek _fseeki64
#define tags_ftell _ftelli64
#else
#include <sys/types.h>
#include <unistd.h>
typedef off_t tags_off;
#define tags_fseek fseeko
#define tags_ftell ftello
#endif

/* ---- the input ------------------------------------------------------------------------------ */

static int
fileobj_read(pyma_tags *t, ma_uint64 offset, unsigned char *dst, size_t n, size_t *got)
{
    PyObject *r = PyObject_CallMethod(t->fileobj, "seek", "K", (unsigned long long)offset);
    Py_buffer view;

    if (r == NULL) {
        return -1;
    }
    Py_DECREF(r);
    while (*got < n) { /* a raw file object may give fewer bytes than asked: ask again */
        size_t take;
        r = PyObject_CallMethod(t->fileobj, "read", "n", (Py_ssize_t)(n - *got));
        if (r == NULL) {
            return -1;
        }
        if (PyObject_GetBuffer(r, &view, PyBUF_SIMPLE) < 0) {
            Py_DECREF(r);
            PyErr_Format(PyExc_TypeError, "read() must return bytes, not %.200s", Py_TYPE(r)->tp_name);
            return -1;
        }
        take = (size_t)view.len < n - *got ? (size_t)view.len : n - *got; /* never more than asked */
        memcpy(dst + *got, view.buf, take);
        *got += take;
        PyBuffer_Release(&view);
        Py_DECREF(r);
        if (take == 0) {
            break;
        }
    }
    return 0;
}

#if !defined(_WIN32)
/* n bytes at `offset` of the file by pread (short only at the end); -1 on an error. */
static int
pread_full(int fd, ma_uint64 offset, unsigned char *dst, size_t n, size_t *got)
{
    *got = 0;
    while (*got < n) {
        ssize_t k = pread(fd, dst + *got, n - *got, (off_t)(offset + *got));
        if (k < 0 && errno == EINTR) {
            continue;
        }
        if (k < 0) {
            return -1;
        }
        if (k == 0) {
            break;
        }
        *got += (size_t)k;
    }
    return 0;
}

/* A file's bytes through one block of cache: the parsers read many small pieces (headers, then
 * fields) near each other, at the start and at the end of the file.  A block that would run past
 * the end is read as the file's last block, which holds ID3v1 and APE footers at once.  pread
 * leaves the FILE's own position and buffer alone; each miss is one system call. */
static int
file_read(pyma_tags *t, ma_uint64 offset, unsigned char *dst, size_t n, size_t *got)
{
    int fd = fileno(t->file);
    ma_uint64 start;

    if (t->blk_len > 0 && offset >= t->blk_off && offset - t->blk_off + n <= t->blk_len) {
        memcpy(dst, t->blk + (offset - t->blk_off), n);
        *got = n;
        return 0;
    }
    if (n >= sizeof(t->blk)) {
        return pread_full(fd, offset, dst, n, got);
    }
    start = offset;
    if (t->size - start < sizeof(t->blk)) {
        start = t->size > sizeof(t->blk) ? t->size - sizeof(t->blk) : 0;
    }
    t->blk_len = 0;
    if (pread_full(fd, start, t->blk, (size_t)Py_MIN((ma_uint64)sizeof(t->blk), t->size - start), &t->blk_len) < 0) {
        t->blk_len = 0;
        return -1;
    }
    t->blk_off = start;
    if (offset - start < t->blk_len) {
        *got = (size_t)Py_MIN((ma_uint64)n, t->blk_len - (offset - start));
        memcpy(dst, t->blk + (offset - start), *got);
    }
    return 0;
}
#endif

int
pyma_tags_read(pyma_tags *t, ma_uint64 offset, unsigned char *dst, size_t n, size_t *got)
{
    *got = 0;
    if (t->stop) {
        return -1;
    }
    if (offset >= t->size) {
        return 0;
    }
    if ((ma_uint64)n > t->size - offset) {
        n = (size_t)(t->size - offset);
    }
    if (t->mem != NULL) {
        memcpy(dst, t->mem + offset, n);
        *got = n;
        return 0;
    }
    if (t->file != NULL) {
#if !defined(_WIN32)
        if (file_read(t, offset, dst, n, got) < 0) {
            t->stop = 1;
            return -1;
        }
#else
        if (tags_fseek(t->file, (tags_off)offset, SEEK_SET) == 0) {
            *got = fread(dst, 1, n, t->file);
        }
        if (*got < n && ferror(t->file)) {
            t->stop = 1;
            return -1;
        }
#endif
        return 0;
    }
    if (fileobj_read(t, offset, dst, n, got) < 0) {
        t->stop = 1;
        return -1;
    }
    return 0;
}

/* ---- text: every field is stored as UTF-8 ----------------------------------------------------- */

static size_t
put_utf8(unsigned char *o, ma_uint32 cp)
{
    if (cp < 0x80) {
        o[0] = (unsigned char)cp;
        return 1;
    }
    if (cp < 0x800) {
        o[0] = (unsigned char)(0xC0 | (cp >> 6));
        o[1] = (unsigned char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        o[0] = (unsigned char)(0xE0 | (cp >> 12));
        o[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
        o[2] = (unsigned char)(0x80 | (cp & 0x3F));
        return 3;
    }
    o[0] = (unsigned char)(0xF0 | (cp >> 18));
    o[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3F));
    o[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
    o[3] = (unsigned char)(0x80 | (cp & 0x3F));
    return 4;
}

/* The length of the valid UTF-8 text at the start of p[0..n): n when all of it is valid; a
 * sequence cut by the end counts as invalid (the caller may drop it). */
static size_t
utf8_valid_prefix(const unsigned char *p, size_t n)
{
    size_t i = 0;
    while (i < n) {
        unsigned char c = p[i];
        size_t len, k;
        unsigned char lo = 0x80, hi = 0xBF;
        if (c < 0x80) {
            i++;
            continue;
        }
        if (c >= 0xC2 && c <= 0xDF) {
            len = 2;
        }
        else if (c >= 0xE0 && c <= 0xEF) {
            len = 3;
            lo = c == 0xE0 ? 0xA0 : 0x80; /* no overlong forms */
            hi = c == 0xED ? 0x9F : 0xBF; /* no surrogates */
        }
        else if (c >= 0xF0 && c <= 0xF4) {
            len = 4;
            lo = c == 0xF0 ? 0x90 : 0x80;
            hi = c == 0xF4 ? 0x8F : 0xBF; /* nothing past U+10FFFF */
        }
        else {
            return i;
        }
        if (len > n - i) {
            return i;
        }
        if (p[i + 1] < lo || p[i + 1] > hi) {
            return i;
        }
        for (k = 2; k < len; k++) {
            if ((p[i + k] & 0xC0) != 0x80) {
                return i;
            }
        }
        i += len;
    }
    return n;
}

/* Whether p[0..n) is the start of one UTF-8 sequence cut by the end. */
static int
cut_utf8(const unsigned char *p, size_t n)
{
    size_t need = p[0] >= 0xF0 && p[0] <= 0xF4 ? 4 : p[0] >= 0xE0 && p[0] <= 0xEF ? 3 : p[0] >= 0xC2 && p[0] <= 0xDF ? 2 : 0;
    size_t k;
    if (need == 0 || n >= need) {
        return 0;
    }
    for (k = 1; k < n; k++) {
        if ((p[k] & 0xC0) != 0x80) {
            return 0;
        }
    }
    return 1;
}

/* Converts n bytes of text to UTF-8 in out (room for PYMA_TAG_FIELD_MAX + 4 bytes); the length,
 * or (size_t)-1 when the text is longer than the cap. */
static size_t
to_utf8(const unsigned char *p, size_t n, pyma_text_encoding enc, unsigned char *out)
{
    size_t i, o = 0;
    int big_endian = enc == PYMA_TEXT_UTF16BE;

    if (enc == PYMA_TEXT_UTF8_OR_LATIN1 || enc == PYMA_TEXT_UTF8_CUT_OR_LATIN1) {
        size_t valid = utf8_valid_prefix(p, n);
        if (enc == PYMA_TEXT_UTF8_CUT_OR_LATIN1 && valid < n && cut_utf8(p + valid, n - valid)) {
            n = valid; /* a fixed-width field (ID3v1) cut the last character: drop it */
        }
        enc = valid == n ? PYMA_TEXT_UTF8 : PYMA_TEXT_LATIN1;
    }
    if (enc == PYMA_TEXT_UTF8) {
        /* as it is: invalid bytes of a Vorbis comment become U+FFFD when it is decoded */
        if (n > PYMA_TAG_FIELD_MAX) {
            return (size_t)-1;
        }
        memcpy(out, p, n);
        return n;
    }
    if (enc == PYMA_TEXT_LATIN1) {
        for (i = 0; i < n; i++) {
            if (o > PYMA_TAG_FIELD_MAX) {
                return (size_t)-1;
            }
            o += put_utf8(out + o, p[i]);
        }
        return o > PYMA_TAG_FIELD_MAX ? (size_t)-1 : o;
    }
    /* UTF-16: a byte order mark decides (ID3v2 encoding 1 needs one; without: little-endian) */
    i = 0;
    if (n >= 2 && ((p[0] == 0xFF && p[1] == 0xFE) || (p[0] == 0xFE && p[1] == 0xFF))) {
        big_endian = p[0] == 0xFE;
        i = 2;
    }
    for (; i + 1 < n; i += 2) {
        ma_uint32 u = big_endian ? (ma_uint32)(p[i] << 8 | p[i + 1]) : (ma_uint32)(p[i + 1] << 8 | p[i]);
        if (u >= 0xD800 && u <= 0xDBFF && i + 3 < n) {
            ma_uint32 v = big_endian ? (ma_uint32)(p[i + 2] << 8 | p[i + 3]) : (ma_uint32)(p[i + 3] << 8 | p[i + 2]);
            if (v >= 0xDC00 && v <= 0xDFFF) {
                u = 0x10000 + ((u - 0xD800) << 10) + (v - 0xDC00);
                i += 2;
            }
        }
        if (u >= 0xD800 && u <= 0xDFFF) {
            u = 0xFFFD; /* an unpaired surrogate */
        }
        if (u == 0xFEFF && o == 0) {
            continue; /* a second byte order mark */
        }
        if (o > PYMA_TAG_FIELD_MAX) {
            return (size_t)-1;
        }
        o += put_utf8(out + o, u);
    }
    return o > PYMA_TAG_FIELD_MAX ? (size_t)-1 : o;
}

int
pyma_tags_set_text(pyma_tags *t, pyma_tag_field field, const unsigned char *p, size_t n, pyma_text_encoding enc)
{
    unsigned char *out;
    size_t len, i;

    if (t->value[field] != NULL || n == 0) {
        return 0;
    }
    if (enc == PYMA_TEXT_UTF16_BOM || enc == PYMA_TEXT_UTF16BE) {
        for (i = 0; i + 1 < n; i += 2) { /* up to a two-byte NUL at an even offset */
            if (p[i] == 0 && p[i + 1] == 0) {
                break;
            }
        }
        n = i;
    }
    else {
        const unsigned char *nul = memchr(p, 0, n);
        if (nul != NULL) {
            n = (size_t)(nul - p);
        }
    }
    if (n == 0 || n / 2 > PYMA_TAG_FIELD_MAX) { /* every encoding gives at least a byte per 2 */
        return 0;
    }
    out = malloc(PYMA_TAG_FIELD_MAX + 4);
    if (out == NULL) {
        t->nomem = t->stop = 1;
        return -1;
    }
    len = to_utf8(p, n, enc, out);
    if (len == (size_t)-1 || len == 0) {
        free(out);
        return 0;
    }
    t->value[field] = out;
    t->len[field] = len;
    return 0;
}

/* ---- the Python entry ----------------------------------------------------------------------- */

static const char *const field_names[PYMA_TAG_COUNT] = {"title", "artist", "album", "date", "genre",
                                                        "tracknumber", "comment"};

/* The fields found, as a new {name: str} dict (NULL with an exception set). */
static PyObject *
tags_dict(const pyma_tags *t)
{
    PyObject *dict = PyDict_New();
    int k;

    if (dict == NULL) {
        return NULL;
    }
    for (k = 0; k < PYMA_TAG_COUNT; k++) {
        PyObject *value;
        if (t->value[k] == NULL) {
            continue;
        }
        value = PyUnicode_DecodeUTF8((const char *)t->value[k], (Py_ssize_t)t->len[k], "replace");
        if (value == NULL || PyDict_SetItemString(dict, field_names[k], value) < 0) {
            Py_XDECREF(value);
            Py_DECREF(dict);
            return NULL;
        }
        Py_DECREF(value);
    }
    return dict;
}

PyObject *
pyma_tags_of_source(pyma_source *src, ma_encoding_format encoding)
{
    pyma_tags t;
    PyObject *dict;
    int k, opened = 0;

    memset(&t, 0, sizeof(t));
    if (src->pysource != NULL) {
        return PyDict_New(); /* never asked: get_info's Python sources read their tags in Python */
    }
    Py_BEGIN_ALLOW_THREADS
    /* Touches the held view or a FILE of the source's (ours), and t. */
    if (src->path == NULL) {
        t.mem = src->view.buf;
        t.size = (ma_uint64)src->view.len;
    }
    else {
        t.file = src->probe_file;
        if (t.file == NULL) {
            t.file = fopen(PyBytes_AS_STRING(src->path), "rb");
            opened = t.file != NULL;
        }
        if (t.file != NULL && src->input_size > 0 && !src->windowed) {
            t.size = src->input_size; /* stat() gave it when the source opened (a window's is less) */
        }
        else if (t.file != NULL && tags_fseek(t.file, 0, SEEK_END) == 0) {
            tags_off size = tags_ftell(t.file);
            t.size = size > 0 ? (ma_uint64)size : 0;
        }
    }
    if (t.mem != NULL || t.file != NULL) {
        pyma_tags_parse(&t, encoding);
    }
    if (opened) {
        fclose(t.file);
    }
    Py_END_ALLOW_THREADS
    /* As _info_tags: what cannot be read (an I/O error, no memory) gives no tags, not an error. */
    dict = t.stop ? PyDict_New() : tags_dict(&t);
    for (k = 0; k < PYMA_TAG_COUNT; k++) {
        free(t.value[k]);
    }
    return dict;
}

const char pyma_read_tags_doc[] =
    "read_tags($module, source, /, kind, encoding, check=False, check_source=None, seek_origins=None)\n--\n\n"
    "The tags of `source` (kind 0: a bytes-like object, 1: a filename, 2: a Python file object with\n"
    "seek(offset) and read(n), read from its start) as (encoding, {field: str}) for the format\n"
    "`encoding`.  check: first open the decoder on the source (on check_source, a source object with\n"
    "seek_origins, for kind 2) as get_info does, raising what it raises and taking its encoding.";

PyObject *
pyma_read_tags(PyObject *module, PyObject *args, PyObject *kwargs)
{
    static char *kwlist[] = {"", "kind", "encoding", "check", "check_source", "seek_origins", NULL};
    pyma_state *st = pyma_get_state(module);
    PyObject *obj, *encoding_obj, *check_source = Py_None, *seek_origins = Py_None;
    PyObject *path = NULL, *dict = NULL, *result = NULL;
    Py_buffer view = {0};
    pyma_tags t;
    int kind, check = 0, open_errno = 0, k;
    long encoding;

    memset(&t, 0, sizeof(t));
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "OiO|pOO:read_tags", kwlist, &obj, &kind, &encoding_obj, &check,
                                     &check_source, &seek_origins) ||
        pyma_arg(encoding_obj, PYMA_ARG_ENCODING, 1, "file_format", &encoding) < 0) {
        return NULL;
    }
    if (kind < PYMA_SOURCE_MEMORY || kind > PYMA_SOURCE_PYTHON) {
        PyErr_Format(PyExc_ValueError, "kind must be 0, 1 or 2, not %d", kind);
        return NULL;
    }
    if (check) {
        /* the same decoder and the same errors as get_info(): what decodes has tags, what does not
         * raises; the decoder is closed again before the tags are read */
        pyma_source src;
        ma_decoder_config config = ma_decoder_config_init(ma_format_unknown, 0, 0);
        int failed;
        if (kind == PYMA_SOURCE_PYTHON && (!PyTuple_Check(seek_origins) || PyTuple_GET_SIZE(seek_origins) != 3)) {
            PyErr_SetString(PyExc_TypeError, "a Python source needs seek_origins, a tuple (START, CURRENT, END)");
            return NULL;
        }
        config.encodingFormat = (ma_encoding_format)encoding;
        config.infoOnly = MA_TRUE;
        if (pyma_source_take(&src, kind == PYMA_SOURCE_PYTHON ? check_source : obj, (pyma_source_kind)kind,
                             (ma_encoding_format)encoding) < 0) {
            return NULL;
        }
        if (kind == PYMA_SOURCE_PYTHON) {
            src.seek_origins = Py_NewRef(seek_origins);
        }
        failed = pyma_source_open(st, &src, &config) < 0;
        encoding = (long)src.desc.encoding;
        pyma_source_release(&src);
        if (failed) {
            return NULL;
        }
    }

    if (kind == PYMA_SOURCE_PYTHON) {
        PyObject *end = PyObject_CallMethod(obj, "seek", "ii", 0, 2);
        unsigned long long size;
        if (end == NULL) {
            goto input_error;
        }
        size = PyLong_Check(end) ? PyLong_AsUnsignedLongLong(end) : 0;
        Py_DECREF(end);
        if (size == (unsigned long long)-1 && PyErr_Occurred()) {
            PyErr_Clear(); /* a negative or odd answer: no tags rather than an error */
            size = 0;
        }
        t.fileobj = obj;
        t.size = size;
        pyma_tags_parse(&t, (ma_encoding_format)encoding);
        if (t.stop && PyErr_Occurred()) {
            goto input_error;
        }
    }
    else {
        if (kind == PYMA_SOURCE_FILE) {
            if (!pyma_path_converter(obj, &path)) {
                return NULL;
            }
        }
        else if (pyma_get_read_buffer(obj, &view, "data") < 0) {
            return NULL;
        }
        else {
            t.mem = view.buf;
            t.size = (ma_uint64)view.len;
        }
        Py_BEGIN_ALLOW_THREADS
        /* Touches the path bytes or the held view, the file opened here and t (all ours). */
        if (path != NULL) {
            t.file = fopen(PyBytes_AS_STRING(path), "rb");
            if (t.file == NULL) {
                open_errno = errno;
            }
            else if (tags_fseek(t.file, 0, SEEK_END) == 0) {
                tags_off size = tags_ftell(t.file);
                t.size = size > 0 ? (ma_uint64)size : 0;
            }
        }
        if (open_errno == 0) {
            pyma_tags_parse(&t, (ma_encoding_format)encoding);
        }
        if (t.file != NULL) {
            fclose(t.file);
        }
        Py_END_ALLOW_THREADS
        if (open_errno != 0) {
            errno = open_errno;
            PyErr_SetFromErrnoWithFilenameObject(PyExc_OSError, obj);
            goto exit;
        }
        if (t.stop && !t.nomem) {
            errno = EIO;
            PyErr_SetFromErrnoWithFilenameObject(PyExc_OSError, obj);
            goto exit;
        }
    }
    if (t.nomem) {
        PyErr_NoMemory();
        goto exit;
    }
    dict = tags_dict(&t);
    if (dict == NULL) {
        goto exit;
    }
    result = Py_BuildValue("(lO)", encoding, dict);
    goto exit;

input_error:
    {
        /* the file object's exception, as DecodeError with it as __cause__ (as stream_any does) */
        pyma_source carrier;
        memset(&carrier, 0, sizeof(carrier));
        carrier.callback_error = pyma_err_take();
        pyma_raise_callback_error(st, &carrier, "cannot read the tags");
    }
exit:
    for (k = 0; k < PYMA_TAG_COUNT; k++) {
        free(t.value[k]);
    }
    Py_XDECREF(dict);
    Py_XDECREF(path);
    if (view.obj != NULL) {
        PyBuffer_Release(&view);
    }
    return result;
}
