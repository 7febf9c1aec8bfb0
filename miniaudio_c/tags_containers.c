/* tags_containers.c: where the tags are in each container: the Vorbis comments of a FLAC
 * VORBIS_COMMENT block and of an Ogg Vorbis comment packet (followed across pages: stb_vorbis skips
 * it, patches 0006 and 0058), the RIFF INFO list of a WAV file, and for MP3 the ID3 tags
 * (tags_id3.c).  The bounds are those of _miniaudio.h (PYMA_TAG_*); tags.c reads the input and
 * stores the fields.  No Python calls except through pyma_tags_read for a Python file object.
 */
#include "_miniaudio.h"

#include <string.h>

static ma_uint32
le32(const unsigned char *p)
{
    return (ma_uint32)p[0] | (ma_uint32)p[1] << 8 | (ma_uint32)p[2] << 16 | (ma_uint32)p[3] << 24;
}

/* Reads exactly n bytes at offset: 1, or 0 when the input is shorter or failed. */
static int
read_exact(pyma_tags *t, ma_uint64 offset, unsigned char *dst, size_t n)
{
    size_t got;
    return pyma_tags_read(t, offset, dst, n, &got) == 0 && got == n;
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

void
pyma_tags_parse(pyma_tags *t, ma_encoding_format encoding)
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
