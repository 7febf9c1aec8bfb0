/* tags.c: title, artist, album, date, genre, track number and comment from an audio file's tags.
 *
 * Vorbis comments (the FLAC VORBIS_COMMENT block; the Ogg Vorbis comment packet, followed across
 * pages here because stb_vorbis skips it, patch 0006) and RIFF INFO (WAV) are parsed here, ID3v1
 * and ID3v2 (MP3) in tags_id3.c.  Nothing here touches the decoders: a tag that cannot be parsed
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
typedef off_t tags_off;
#define tags_fseek fseeko
#define tags_ftell ftello
#endif

static ma_uint32
le32(const unsigned char *p)
{
    return (ma_uint32)p[0] | (ma_uint32)p[1] << 8 | (ma_uint32)p[2] << 16 | (ma_uint32)p[3] << 24;
}

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
        if (tags_fseek(t->file, (tags_off)offset, SEEK_SET) == 0) {
            *got = fread(dst, 1, n, t->file);
        }
        if (*got < n && ferror(t->file)) {
            t->stop = 1;
            return -1;
        }
        return 0;
    }
    if (fileobj_read(t, offset, dst, n, got) < 0) {
        t->stop = 1;
        return -1;
    }
    return 0;
}

/* Reads exactly n bytes at offset: 1, or 0 when the input is shorter or failed. */
static int
read_exact(pyma_tags *t, ma_uint64 offset, unsigned char *dst, size_t n)
{
    size_t got;
    return pyma_tags_read(t, offset, dst, n, &got) == 0 && got == n;
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

/* ---- Vorbis comments, in a FLAC block or across the pages of an Ogg packet ------------------ */

/* The bytes of one FLAC metadata block or one Ogg packet, read in order (or skipped) without
 * holding them: a comment longer than the field cap (a cover picture) is walked past, not read. */
typedef struct {
    pyma_tags *t;
    ma_uint64 pos;      /* the input offset of the next byte */
    ma_uint64 run;      /* bytes at pos that belong to the block or packet before a page boundary */
    int ogg;            /* 0: a FLAC block (one run); 1: an Ogg packet (runs on successive pages) */
    int packet_ends;    /* Ogg: the current run is the packet's last */
    ma_uint32 serial;   /* Ogg: the logical stream followed (the first page's) */
    unsigned char lacing[255];
    int nseg, seg;      /* Ogg: the current page's segment table and the next segment */
    ma_uint64 next_page; /* Ogg: the input offset of the page after the current one */
    int pages;          /* Ogg: page headers read (at most PYMA_TAG_WALK_MAX) */
} packet_reader;

/* Loads the Ogg page header at `at`: 1, or 0 when there is no valid page there. */
static int
ogg_page(packet_reader *s, ma_uint64 at, int *flags, ma_uint32 *serial)
{
    unsigned char h[27];
    ma_uint64 body = 0;
    int i;

    if (++s->pages > PYMA_TAG_WALK_MAX || !read_exact(s->t, at, h, 27) || memcmp(h, "OggS", 4) != 0 || h[4] != 0) {
        return 0;
    }
    s->nseg = h[26];
    if (!read_exact(s->t, at + 27, s->lacing, (size_t)s->nseg)) {
        return 0;
    }
    for (i = 0; i < s->nseg; i++) {
        body += s->lacing[i];
    }
    *flags = h[5];
    *serial = le32(h + 14);
    s->seg = 0;
    s->pos = at + 27 + (ma_uint64)s->nseg;
    s->next_page = s->pos + body;
    return 1;
}

/* Takes the segments of the current page from s->seg up to the end of a packet or of the page. */
static void
ogg_run(packet_reader *s)
{
    s->run = 0;
    s->packet_ends = 0;
    while (s->seg < s->nseg) {
        int v = s->lacing[s->seg++];
        s->run += (ma_uint64)v;
        if (v < 255) {
            s->packet_ends = 1;
            break;
        }
    }
}

/* Moves to the next page of our stream that holds segments: 1, or 0 at the end of what can be
 * read.  continued: the page must continue a packet (else the packet is cut: 0). */
static int
ogg_next_page(packet_reader *s, int continued)
{
    for (;;) {
        int flags;
        ma_uint32 serial;
        if (!ogg_page(s, s->next_page, &flags, &serial)) {
            return 0;
        }
        if (serial != s->serial) {
            continue; /* another logical stream's page */
        }
        if (continued && !(flags & 1)) {
            return 0;
        }
        if (s->nseg > 0) {
            return 1;
        }
    }
}

/* More bytes of the packet: 1, or 0 at its end. */
static int
packet_refill(packet_reader *s)
{
    if (!s->ogg || s->packet_ends || s->t->stop) {
        return 0;
    }
    if (!ogg_next_page(s, 1)) {
        return 0;
    }
    ogg_run(s);
    return 1;
}

/* Reads n bytes of the packet into dst (dst NULL: skips them): 1, or 0 when it ends first. */
static int
packet_read(packet_reader *s, unsigned char *dst, ma_uint64 n)
{
    while (n > 0) {
        ma_uint64 take;
        while (s->run == 0) {
            if (!packet_refill(s)) {
                return 0;
            }
        }
        take = n < s->run ? n : s->run;
        if (dst != NULL) {
            if (!read_exact(s->t, s->pos, dst, (size_t)take)) {
                return 0;
            }
            dst += take;
        }
        s->pos += take;
        s->run -= take;
        n -= take;
    }
    return 1;
}

/* Ogg: skips the rest of the current packet and starts the next one: 1, or 0 when there is none. */
static int
ogg_next_packet(packet_reader *s)
{
    while (packet_read(s, NULL, s->run) && packet_refill(s)) {
    }
    if (s->t->stop) {
        return 0;
    }
    if (s->seg >= s->nseg && !ogg_next_page(s, 0)) {
        return 0;
    }
    ogg_run(s);
    return 1;
}

static const struct {
    const char *key;
    pyma_tag_field field;
} vorbis_keys[] = {
    {"TITLE", PYMA_TAG_TITLE},       {"ARTIST", PYMA_TAG_ARTIST}, {"ALBUM", PYMA_TAG_ALBUM},
    {"DATE", PYMA_TAG_DATE},         {"GENRE", PYMA_TAG_GENRE},   {"TRACKNUMBER", PYMA_TAG_TRACK},
    {"COMMENT", PYMA_TAG_COMMENT},   {"DESCRIPTION", PYMA_TAG_COMMENT},
};

/* Parses a Vorbis comment list (vendor string, count, "KEY=value" strings) from the packet. */
static void
parse_vorbis_comments(packet_reader *s)
{
    unsigned char b[4], *buf = NULL;
    ma_uint32 count, i;
    size_t k;

    if (!packet_read(s, b, 4) || !packet_read(s, NULL, le32(b)) || !packet_read(s, b, 4)) {
        return;
    }
    count = le32(b);
    for (i = 0; i < count && i < PYMA_TAG_WALK_MAX; i++) {
        ma_uint32 len;
        const unsigned char *eq;
        if (!packet_read(s, b, 4)) {
            break;
        }
        len = le32(b);
        if (len > PYMA_TAG_FIELD_MAX + 16) { /* too long to keep (a picture): walked past */
            if (!packet_read(s, NULL, len)) {
                break;
            }
            continue;
        }
        if (buf == NULL && (buf = malloc(PYMA_TAG_FIELD_MAX + 16)) == NULL) {
            s->t->nomem = s->t->stop = 1;
            break;
        }
        if (!packet_read(s, buf, len)) {
            break;
        }
        eq = memchr(buf, '=', len);
        if (eq == NULL) {
            continue;
        }
        for (k = 0; k < sizeof(vorbis_keys) / sizeof(vorbis_keys[0]); k++) {
            size_t keylen = strlen(vorbis_keys[k].key);
            if ((size_t)(eq - buf) == keylen && PyOS_strnicmp((const char *)buf, vorbis_keys[k].key, keylen) == 0) {
                pyma_tags_set_text(s->t, vorbis_keys[k].field, eq + 1, len - keylen - 1, PYMA_TEXT_UTF8);
                break;
            }
        }
    }
    free(buf);
}

/* ---- containers ----------------------------------------------------------------------------- */

/* FLAC: "fLaC" (after an ID3v2 tag, which FLAC files may start with), then metadata blocks; the
 * first VORBIS_COMMENT block (type 4) holds the comments. */
static void
parse_flac(pyma_tags *t)
{
    unsigned char h[10];
    ma_uint64 offset = 0;
    int n;

    if (read_exact(t, 0, h, 10) && memcmp(h, "ID3", 3) == 0) {
        if ((h[6] | h[7] | h[8] | h[9]) & 0x80) {
            return;
        }
        offset = 10 + ((ma_uint64)h[6] << 21 | (ma_uint64)h[7] << 14 | (ma_uint64)h[8] << 7 | h[9]) +
                 ((h[3] == 4 && (h[5] & 0x10)) ? 10 : 0);
    }
    if (!read_exact(t, offset, h, 4) || memcmp(h, "fLaC", 4) != 0) {
        return;
    }
    offset += 4;
    for (n = 0; n < PYMA_TAG_WALK_MAX; n++) {
        ma_uint64 len;
        if (!read_exact(t, offset, h, 4) || (h[0] & 0x7F) == 127) {
            return;
        }
        len = (ma_uint64)h[1] << 16 | (ma_uint64)h[2] << 8 | h[3];
        if ((h[0] & 0x7F) == 4) {
            packet_reader s;
            memset(&s, 0, sizeof(s));
            s.t = t;
            s.pos = offset + 4;
            s.run = len;
            parse_vorbis_comments(&s);
            return;
        }
        if (h[0] & 0x80) {
            return; /* the last metadata block */
        }
        offset += 4 + len;
    }
}

/* Ogg Vorbis: the first page's stream; its first packet is the identification header, its
 * second "\x03vorbis" and the comments, on as many pages as it takes. */
static void
parse_ogg(pyma_tags *t)
{
    packet_reader s;
    unsigned char id[7];
    int flags;

    memset(&s, 0, sizeof(s));
    s.t = t;
    s.ogg = 1;
    if (!ogg_page(&s, 0, &flags, &s.serial)) {
        return;
    }
    ogg_run(&s);
    if (!packet_read(&s, id, 7) || memcmp(id, "\x01vorbis", 7) != 0 || !ogg_next_packet(&s) ||
        !packet_read(&s, id, 7) || memcmp(id, "\x03vorbis", 7) != 0) {
        return;
    }
    parse_vorbis_comments(&s);
}

static const struct {
    char id[5];
    pyma_tag_field field;
} riff_keys[] = {
    {"INAM", PYMA_TAG_TITLE}, {"IART", PYMA_TAG_ARTIST}, {"IPRD", PYMA_TAG_ALBUM},   {"ICRD", PYMA_TAG_DATE},
    {"IGNR", PYMA_TAG_GENRE}, {"ITRK", PYMA_TAG_TRACK},  {"IPRT", PYMA_TAG_TRACK},   {"ICMT", PYMA_TAG_COMMENT},
};

/* The sub-chunks of a LIST/INFO chunk whose body (after "INFO") is len bytes at offset. */
static void
parse_info_list(pyma_tags *t, ma_uint64 offset, ma_uint64 len)
{
    unsigned char *buf;
    size_t n = len < PYMA_TAG_SCAN_MAX ? (size_t)len : PYMA_TAG_SCAN_MAX, p = 0, got, k;

    if (n < 8) {
        return;
    }
    if ((buf = malloc(n)) == NULL) {
        t->nomem = t->stop = 1;
        return;
    }
    if (pyma_tags_read(t, offset, buf, n, &got) == 0) {
        while (got - p >= 8) {
            ma_uint32 size = le32(buf + p + 4);
            if (size > got - p - 8) {
                break; /* cut by the chunk's end, the input's end or the scan cap */
            }
            for (k = 0; k < sizeof(riff_keys) / sizeof(riff_keys[0]); k++) {
                if (memcmp(buf + p, riff_keys[k].id, 4) == 0) {
                    pyma_tags_set_text(t, riff_keys[k].field, buf + p + 8, size, PYMA_TEXT_UTF8_OR_LATIN1);
                    break;
                }
            }
            p += 8 + (size_t)size;
            if ((size & 1) && p < got) {
                p++; /* the pad byte after an odd size */
            }
        }
    }
    free(buf);
}

/* WAV (RIFF, RF64 and BW64 with their ds64 sizes): the chunks after "WAVE", to every LIST/INFO. */
static void
parse_riff(pyma_tags *t)
{
    unsigned char h[16];
    ma_uint64 offset = 12, data64 = 0;
    int n, is64;

    if (!read_exact(t, 0, h, 12) || memcmp(h + 8, "WAVE", 4) != 0) {
        return;
    }
    is64 = memcmp(h, "RF64", 4) == 0 || memcmp(h, "BW64", 4) == 0;
    if (!is64 && memcmp(h, "RIFF", 4) != 0) {
        return;
    }
    for (n = 0; n < PYMA_TAG_WALK_MAX && t->size >= 8 && offset <= t->size - 8; n++) {
        ma_uint64 len;
        if (!read_exact(t, offset, h, 8)) {
            return;
        }
        len = le32(h + 4);
        if (is64 && memcmp(h, "ds64", 4) == 0 && len >= 16) {
            unsigned char d[16];
            if (read_exact(t, offset + 8, d, 16)) {
                data64 = (ma_uint64)le32(d + 8) | (ma_uint64)le32(d + 12) << 32;
            }
        }
        else if (memcmp(h, "data", 4) == 0 && len == 0xFFFFFFFF && is64) {
            len = data64;
        }
        else if (memcmp(h, "LIST", 4) == 0 && len >= 4 && read_exact(t, offset + 8, h + 8, 4) &&
                 memcmp(h + 8, "INFO", 4) == 0) {
            parse_info_list(t, offset + 12, len - 4);
        }
        if (len > t->size) {
            return; /* past the input's end: no chunk after it can be read */
        }
        offset += 8 + len + (len & 1);
    }
}

static void
parse(pyma_tags *t, ma_encoding_format encoding)
{
    ma_uint64 skip;
    switch (encoding) {
    case ma_encoding_format_wav: parse_riff(t); break;
    case ma_encoding_format_flac: parse_flac(t); break;
    case ma_encoding_format_vorbis: parse_ogg(t); break;
    case ma_encoding_format_mp3:
        pyma_tags_id3v2(t, 0, &skip);
        pyma_tags_id3v1(t); /* fills the fields the ID3v2 tag did not have */
        break;
    default: break;
    }
}

/* ---- the Python entry ----------------------------------------------------------------------- */

static const char *const field_names[PYMA_TAG_COUNT] = {"title", "artist", "album", "date", "genre",
                                                        "tracknumber", "comment"};

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
        parse(&t, (ma_encoding_format)encoding);
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
            parse(&t, (ma_encoding_format)encoding);
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
    dict = PyDict_New();
    if (dict == NULL) {
        goto exit;
    }
    for (k = 0; k < PYMA_TAG_COUNT; k++) {
        PyObject *value;
        if (t.value[k] == NULL) {
            continue;
        }
        value = PyUnicode_DecodeUTF8((const char *)t.value[k], (Py_ssize_t)t.len[k], "replace");
        if (value == NULL || PyDict_SetItemString(dict, field_names[k], value) < 0) {
            Py_XDECREF(value);
            goto exit;
        }
        Py_DECREF(value);
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
