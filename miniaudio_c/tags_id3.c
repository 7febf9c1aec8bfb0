/* tags_id3.c: ID3v2 (2.2, 2.3, 2.4) and ID3v1 tags, the tags of MP3 files (tags.c has the rest).
 *
 * ID3v2: the 10-byte header at the start (its syncsafe size checked: a byte with the top bit set
 * means no tag), at most PYMA_TAG_SCAN_MAX bytes of the tag read into one buffer, unsynchronisation
 * undone (the whole tag in 2.2/2.3, per frame in 2.4), the extended header skipped, then frames
 * walked while each one's size fits in what is left (padding or a cut frame ends the walk).
 * Compressed and encrypted frames are skipped.  Text is Latin-1, UTF-16 with a byte order mark,
 * UTF-16BE or UTF-8 (the frame's first byte); the first of several values is kept.
 * ID3v1: the 128 bytes at the end ("TAG"), fixed-width fields, v1.1's track number; the text is
 * taken as UTF-8 when it is valid UTF-8 (as ffmpeg writes it), else as Latin-1.
 * Parsing never fails: what cannot be parsed is left out.  No Python calls here except through
 * pyma_tags_read for a Python file object.
 */
#include "_miniaudio.h"

#include <string.h>

/* ID3v1 genres 0..79 and Winamp's extensions to 147. */
static const char *const genres[] = {
    "Blues", "Classic Rock", "Country", "Dance", "Disco", "Funk", "Grunge", "Hip-Hop", "Jazz", "Metal",
    "New Age", "Oldies", "Other", "Pop", "R&B", "Rap", "Reggae", "Rock", "Techno", "Industrial",
    "Alternative", "Ska", "Death Metal", "Pranks", "Soundtrack", "Euro-Techno", "Ambient", "Trip-Hop", "Vocal",
    "Jazz+Funk", "Fusion", "Trance", "Classical", "Instrumental", "Acid", "House", "Game", "Sound Clip", "Gospel",
    "Noise", "AlternRock", "Bass", "Soul", "Punk", "Space", "Meditative", "Instrumental Pop", "Instrumental Rock",
    "Ethnic", "Gothic", "Darkwave", "Techno-Industrial", "Electronic", "Pop-Folk", "Eurodance", "Dream",
    "Southern Rock", "Comedy", "Cult", "Gangsta", "Top 40", "Christian Rap", "Pop/Funk", "Jungle",
    "Native American", "Cabaret", "New Wave", "Psychadelic", "Rave", "Showtunes", "Trailer", "Lo-Fi", "Tribal",
    "Acid Punk", "Acid Jazz", "Polka", "Retro", "Musical", "Rock & Roll", "Hard Rock",
    /* Winamp */
    "Folk", "Folk-Rock", "National Folk", "Swing", "Fast Fusion", "Bebob", "Latin", "Revival", "Celtic",
    "Bluegrass", "Avantgarde", "Gothic Rock", "Progressive Rock", "Psychedelic Rock", "Symphonic Rock",
    "Slow Rock", "Big Band", "Chorus", "Easy Listening", "Acoustic", "Humour", "Speech", "Chanson", "Opera",
    "Chamber Music", "Sonata", "Symphony", "Booty Bass", "Primus", "Porn Groove", "Satire", "Slow Jam", "Club",
    "Tango", "Samba", "Folklore", "Ballad", "Power Ballad", "Rhythmic Soul", "Freestyle", "Duet", "Punk Rock",
    "Drum Solo", "A capella", "Euro-House", "Dance Hall", "Goa", "Drum & Bass", "Club-House", "Hardcore",
    "Terror", "Indie", "BritPop", "Afro-Punk", "Polsk Punk", "Beat", "Christian Gangsta", "Heavy Metal",
    "Black Metal", "Crossover", "Contemporary Christian", "Christian Rock", "Merengue", "Salsa",
    "Thrash Metal", "Anime", "JPop", "SynthPop",
};

const char *
pyma_id3_genre(unsigned n)
{
    return n < sizeof(genres) / sizeof(genres[0]) ? genres[n] : NULL;
}

static ma_uint32
be32(const unsigned char *p)
{
    return (ma_uint32)p[0] << 24 | (ma_uint32)p[1] << 16 | (ma_uint32)p[2] << 8 | p[3];
}

/* A 28-bit syncsafe integer; (ma_uint32)-1 when a byte has its top bit set. */
static ma_uint32
syncsafe(const unsigned char *p)
{
    if ((p[0] | p[1] | p[2] | p[3]) & 0x80) {
        return (ma_uint32)-1;
    }
    return (ma_uint32)p[0] << 21 | (ma_uint32)p[1] << 14 | (ma_uint32)p[2] << 7 | p[3];
}

/* Undoes unsynchronisation in place (drops the 0x00 after each 0xFF); the new length. */
static size_t
unsync(unsigned char *p, size_t n)
{
    size_t i, o = 0;
    for (i = 0; i < n; i++) {
        p[o++] = p[i];
        if (p[i] == 0xFF && i + 1 < n && p[i + 1] == 0x00) {
            i++;
        }
    }
    return o;
}

/* The genre as stored: "(17)", "17" and "(17)Rock" are ID3v1 references; a name stays. */
static void
fix_genre(pyma_tags *t)
{
    unsigned char *v = t->value[PYMA_TAG_GENRE];
    size_t len = t->len[PYMA_TAG_GENRE], i = 0, digits;
    unsigned n = 0;
    const char *name;

    if (v == NULL) {
        return;
    }
    if (len >= 4 && v[0] == '(' && v[3] == ')' && (memcmp(v, "(RX)", 4) == 0 || memcmp(v, "(CR)", 4) == 0)) {
        name = v[1] == 'R' ? "Remix" : "Cover";
        if (len > 4) {
            memmove(v, v + 4, len - 4);
            t->len[PYMA_TAG_GENRE] = len - 4;
            return;
        }
        memcpy(v, name, 5); /* the buffer holds PYMA_TAG_FIELD_MAX + 4 bytes */
        t->len[PYMA_TAG_GENRE] = 5;
        return;
    }
    i = v[0] == '(' ? 1 : 0;
    for (digits = 0; i + digits < len && digits < 4 && v[i + digits] >= '0' && v[i + digits] <= '9'; digits++) {
        n = n * 10 + (unsigned)(v[i + digits] - '0');
    }
    if (digits == 0) {
        return;
    }
    if (i == 1) {
        if (i + digits >= len || v[i + digits] != ')') {
            return;
        }
        if (i + digits + 1 < len) { /* "(17)Rock": the text after the reference */
            memmove(v, v + i + digits + 1, len - (i + digits + 1));
            t->len[PYMA_TAG_GENRE] = len - (i + digits + 1);
            return;
        }
    }
    else if (digits != len) {
        return; /* a name that starts with digits */
    }
    name = pyma_id3_genre(n);
    if (name != NULL) {
        t->len[PYMA_TAG_GENRE] = strlen(name);
        memcpy(v, name, t->len[PYMA_TAG_GENRE]);
    }
}

/* Where the text after a terminated string ends: the offset just past its terminator in p[0..n)
 * for `enc`, or n + 1 when there is none. */
static size_t
past_terminator(const unsigned char *p, size_t n, int enc)
{
    size_t i;
    if (enc == PYMA_TEXT_UTF16_BOM || enc == PYMA_TEXT_UTF16BE) {
        for (i = 0; i + 1 < n; i += 2) {
            if (p[i] == 0 && p[i + 1] == 0) {
                return i + 2;
            }
        }
        return n + 1;
    }
    for (i = 0; i < n; i++) {
        if (p[i] == 0) {
            return i + 1;
        }
    }
    return n + 1;
}

/* Whether the 7 characters at p (then the terminator) are "comment" in any case. */
static int
desc_is_comment(const unsigned char *p, int wide, int big_endian)
{
    static const char word[] = "comment";
    int i;
    for (i = 0; i < 7; i++) {
        unsigned c = !wide ? p[i] : big_endian ? (unsigned)(p[2 * i] << 8 | p[2 * i + 1])
                                               : (unsigned)(p[2 * i + 1] << 8 | p[2 * i]);
        if (c >= 'A' && c <= 'Z') {
            c += 'a' - 'A';
        }
        if (c != (unsigned char)word[i]) {
            return 0;
        }
    }
    return 1;
}

typedef struct {
    const char *id; /* 2.3 / 2.4 frame id */
    const char *id22;
    pyma_tag_field field;
} frame_row;

static const frame_row frames[] = {
    {"TIT2", "TT2", PYMA_TAG_TITLE}, {"TPE1", "TP1", PYMA_TAG_ARTIST}, {"TALB", "TAL", PYMA_TAG_ALBUM},
    {"TDRC", "TDR", PYMA_TAG_DATE},  {"TYER", "TYE", PYMA_TAG_DATE},   {"TCON", "TCO", PYMA_TAG_GENRE},
    {"TRCK", "TRK", PYMA_TAG_TRACK},
};

typedef struct {
    const unsigned char *comment; /* a COMM frame's text with a description (used if none without) */
    size_t comment_len;
    int comment_enc;
    const unsigned char *tdat; /* 2.3's TDAT ("DDMM"), joined to a TYER year */
    size_t tdat_len;
    int date_from_tyer;
} frame_state;

static void
frame(pyma_tags *t, const unsigned char *id, int v22, const unsigned char *d, size_t n, frame_state *fs)
{
    size_t k, idlen = v22 ? 3 : 4;
    int enc;

    if (n < 1 || d[0] > 3) {
        return;
    }
    enc = d[0];
    if (memcmp(id, v22 ? "COM" : "COMM", idlen) == 0) {
        size_t text;
        if (n < 4) {
            return;
        }
        text = past_terminator(d + 4, n - 4, enc);
        if (text > n - 4) {
            return;
        }
        if (text == 1 || (text == 2 && enc != 0 && enc != 3) ||
            (text == 4 && (enc == 1 || enc == 2) && (d[4] == 0xFF || d[4] == 0xFE))) {
            pyma_tags_set_text(t, PYMA_TAG_COMMENT, d + 4 + text, n - 4 - text, (pyma_text_encoding)enc);
        }
        else if (fs->comment == NULL && memcmp(d + 4, "iTun", 4 < n - 4 ? 4 : n - 4) != 0 &&
                 !(n - 4 >= 10 && memcmp(d + 6, "i\0T\0u\0n\0", 8) == 0)) {
            fs->comment = d + 4 + text; /* a described comment (not iTunes' own data) */
            fs->comment_len = n - 4 - text;
            fs->comment_enc = enc;
        }
        return;
    }
    if (memcmp(id, v22 ? "TXX" : "TXXX", idlen) == 0) {
        /* user text: ffmpeg writes a comment as TXXX "comment" */
        size_t text = past_terminator(d + 1, n - 1, enc), skip = 0;
        int wide = enc == 1 || enc == 2, big_endian = enc == 2;
        if (text > n - 1) {
            return;
        }
        if (wide && text >= 4 && ((d[1] == 0xFF && d[2] == 0xFE) || (d[1] == 0xFE && d[2] == 0xFF))) {
            skip = 2; /* the description's byte order mark */
            big_endian = d[1] == 0xFE;
        }
        if (text - skip == (wide ? 16 : 8) && desc_is_comment(d + 1 + skip, wide, big_endian)) {
            pyma_tags_set_text(t, PYMA_TAG_COMMENT, d + 1 + text, n - 1 - text, (pyma_text_encoding)enc);
        }
        return;
    }
    if (!v22 && memcmp(id, "TDAT", 4) == 0) {
        fs->tdat = d + 1;
        fs->tdat_len = n - 1;
        return;
    }
    for (k = 0; k < sizeof(frames) / sizeof(frames[0]); k++) {
        if (memcmp(id, v22 ? frames[k].id22 : frames[k].id, idlen) == 0) {
            int was_set = t->value[frames[k].field] != NULL;
            pyma_tags_set_text(t, frames[k].field, d + 1, n - 1, (pyma_text_encoding)enc);
            if (!was_set && t->value[frames[k].field] != NULL && memcmp(id, "TY", 2) == 0) {
                fs->date_from_tyer = 1;
            }
            return;
        }
    }
}

/* "YYYY" (TYER) and "DDMM" (TDAT) -> "YYYY-MM-DD", as ffmpeg splits a date for ID3v2.3. */
static void
join_date(pyma_tags *t, const frame_state *fs)
{
    unsigned char *v = t->value[PYMA_TAG_DATE];
    size_t i;
    if (!fs->date_from_tyer || v == NULL || t->len[PYMA_TAG_DATE] != 4 || fs->tdat == NULL || fs->tdat_len < 4 ||
        (fs->tdat_len > 4 && fs->tdat[4] != 0)) {
        return;
    }
    for (i = 0; i < 4; i++) {
        if (fs->tdat[i] < '0' || fs->tdat[i] > '9' || v[i] < '0' || v[i] > '9') {
            return;
        }
    }
    v[4] = '-';
    v[5] = fs->tdat[2];
    v[6] = fs->tdat[3];
    v[7] = '-';
    v[8] = fs->tdat[0];
    v[9] = fs->tdat[1];
    t->len[PYMA_TAG_DATE] = 10; /* the buffer holds PYMA_TAG_FIELD_MAX + 4 bytes */
}

void
pyma_tags_id3v2(pyma_tags *t, ma_uint64 offset, ma_uint64 *tag_size)
{
    unsigned char h[10], *body = NULL;
    ma_uint32 size;
    size_t n, got, pos = 0;
    int major, flags, hdr;
    frame_state fs;

    *tag_size = 0;
    memset(&fs, 0, sizeof(fs));
    if (pyma_tags_read(t, offset, h, 10, &got) < 0 || got < 10 || memcmp(h, "ID3", 3) != 0) {
        return;
    }
    major = h[3];
    flags = h[5];
    size = syncsafe(h + 6);
    if (major < 2 || major > 4 || h[4] == 0xFF || size == (ma_uint32)-1) {
        return;
    }
    *tag_size = 10 + (ma_uint64)size + ((major == 4 && (flags & 0x10)) ? 10 : 0);
    if (major == 2 && (flags & 0x40)) {
        return; /* 2.2's compression: no scheme was ever defined */
    }
    n = size < PYMA_TAG_SCAN_MAX ? size : PYMA_TAG_SCAN_MAX;
    if (n == 0) {
        return;
    }
    body = malloc(n);
    if (body == NULL) {
        t->nomem = t->stop = 1;
        return;
    }
    if (pyma_tags_read(t, offset + 10, body, n, &got) < 0) {
        goto exit;
    }
    n = got;
    if (major < 4 && (flags & 0x80)) {
        n = unsync(body, n); /* 2.2 and 2.3 unsynchronise the whole tag, the extended header too */
    }
    if (major >= 3 && (flags & 0x40)) {
        ma_uint32 ext;
        if (n < 4) {
            goto exit;
        }
        /* 2.3: the size after the size field; 2.4: syncsafe, the whole extended header */
        ext = major == 3 ? be32(body) : syncsafe(body);
        if (major == 3 && ext <= n - 4) {
            pos = 4 + ext;
        }
        else if (major == 4 && ext >= 6 && ext <= n) {
            pos = ext;
        }
        else {
            goto exit;
        }
    }
    hdr = major == 2 ? 6 : 10;
    while (!t->stop && n - pos >= (size_t)hdr && body[pos] != 0) {
        const unsigned char *id = body + pos;
        unsigned char *d = body + pos + hdr;
        size_t len, fsize;
        int fflags = major == 2 ? 0 : body[pos + 9];
        if (major == 2) {
            fsize = (size_t)body[pos + 3] << 16 | (size_t)body[pos + 4] << 8 | body[pos + 5];
        }
        else if (major == 3) {
            fsize = be32(body + pos + 4);
        }
        else {
            ma_uint32 s = syncsafe(body + pos + 4);
            fsize = s == (ma_uint32)-1 ? be32(body + pos + 4) : s; /* some writers ignore 2.4's rule */
        }
        if (fsize > n - pos - (size_t)hdr) {
            break; /* cut by the tag's end or the scan cap */
        }
        pos += (size_t)hdr + fsize;
        len = fsize;
        if (major == 3) {
            if (fflags & 0xC0) {
                continue; /* compressed or encrypted */
            }
            if (fflags & 0x20) { /* a grouping identity byte */
                if (len < 1) {
                    continue;
                }
                d++;
                len--;
            }
        }
        else if (major == 4) {
            if (fflags & 0x0C) {
                continue; /* compressed or encrypted */
            }
            if (fflags & 0x40) {
                if (len < 1) {
                    continue;
                }
                d++;
                len--;
            }
            if (fflags & 0x01) { /* a data length indicator */
                if (len < 4) {
                    continue;
                }
                d += 4;
                len -= 4;
            }
            if ((fflags & 0x02) || (flags & 0x80)) {
                len = unsync(d, len); /* in place: the frame's own bytes, behind pos already */
            }
        }
        frame(t, id, major == 2, d, len, &fs);
    }
    if (fs.comment != NULL) {
        pyma_tags_set_text(t, PYMA_TAG_COMMENT, fs.comment, fs.comment_len, (pyma_text_encoding)fs.comment_enc);
    }
    join_date(t, &fs);
    fix_genre(t);
exit:
    free(body);
}

/* The length of an ID3v1 field: up to its first NUL, trailing spaces dropped. */
static size_t
v1_len(const unsigned char *p, size_t n)
{
    const unsigned char *nul = memchr(p, 0, n);
    if (nul != NULL) {
        n = (size_t)(nul - p);
    }
    while (n > 0 && p[n - 1] == ' ') {
        n--;
    }
    return n;
}

/* An ID3v1 field of `width` bytes: a full one may end inside a UTF-8 character (cut by ffmpeg). */
static void
v1_field(pyma_tags *t, pyma_tag_field field, const unsigned char *p, size_t width)
{
    size_t n = v1_len(p, width);
    pyma_tags_set_text(t, field, p, n, n == width ? PYMA_TEXT_UTF8_CUT_OR_LATIN1 : PYMA_TEXT_UTF8_OR_LATIN1);
}

void
pyma_tags_id3v1(pyma_tags *t)
{
    unsigned char b[128];
    size_t comment_len = 30, got;
    const char *genre;

    if (t->size < 128 || pyma_tags_read(t, t->size - 128, b, 128, &got) < 0 || got != 128 || memcmp(b, "TAG", 3) != 0) {
        return;
    }
    v1_field(t, PYMA_TAG_TITLE, b + 3, 30);
    v1_field(t, PYMA_TAG_ARTIST, b + 33, 30);
    v1_field(t, PYMA_TAG_ALBUM, b + 63, 30);
    v1_field(t, PYMA_TAG_DATE, b + 93, 4);
    if (b[125] == 0 && b[126] != 0) { /* ID3v1.1: the track number in the comment's last byte */
        char track[4];
        int len = snprintf(track, sizeof(track), "%u", (unsigned)b[126]);
        pyma_tags_set_text(t, PYMA_TAG_TRACK, (const unsigned char *)track, (size_t)len, PYMA_TEXT_LATIN1);
        comment_len = 28;
    }
    v1_field(t, PYMA_TAG_COMMENT, b + 97, comment_len);
    genre = pyma_id3_genre(b[127]);
    if (genre != NULL) {
        pyma_tags_set_text(t, PYMA_TAG_GENRE, (const unsigned char *)genre, strlen(genre), PYMA_TEXT_LATIN1);
    }
}
