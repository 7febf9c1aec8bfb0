/* ogginfo.c: the information of a plain Ogg Vorbis file from its first pages and its last page,
 * without setting up a decoder.
 *
 * get_file_info() on an Ogg Vorbis file used to open stb_vorbis (which decodes the codebooks of
 * the setup header), scan the last 64 KiB a byte at a time for the last page, seek there and
 * decode the last page to count what decodes: about half a millisecond, for three numbers that
 * the file states.  The identification header (first page) holds the channels and the rate; the
 * granule position of the last page is the length.
 *
 * The answer must be the one the decoder gives (patch 0035: the length is what decodes), so this
 * path answers only for a plain file and says "not applicable" (0) for anything else, which then
 * takes the decoder's way: more than one logical stream (multiplexed or chained), headers that do
 * not end their page, a last page that is cut, lacks the end-of-stream flag, has no granule
 * position (-1), fails its CRC, or a granule that the pages before it make implausible.  It
 * follows the page search of stb_vorbis_stream_length_in_samples (from 64 KiB before the end, or
 * from the first audio page, to the first end-of-stream page).  No Python API, no I/O: the caller
 * passes the bytes (GIL released or held).
 */
#include "_miniaudio.h"

#define OGG_HEADER_BYTES 27
#define LAST_PAGE_WINDOW 65536 /* as stb_vorbis: the last page starts within 64 KiB of the end */

static ma_uint32
le32(const unsigned char *p)
{
    return (ma_uint32)p[0] | ((ma_uint32)p[1] << 8) | ((ma_uint32)p[2] << 16) | ((ma_uint32)p[3] << 24);
}

/* A page header at b[at..n): 1 and its total length (header, lacing, body) when the capture
 * pattern, version and lengths fit in the data; 0 otherwise. */
static int
page_at(const unsigned char *b, size_t n, size_t at, size_t *length)
{
    size_t segments, body = 0, i;

    if (at > n || n - at < OGG_HEADER_BYTES || memcmp(b + at, "OggS", 4) != 0 || b[at + 4] != 0) {
        return 0;
    }
    segments = b[at + 26];
    if (n - at - OGG_HEADER_BYTES < segments) {
        return 0;
    }
    for (i = 0; i < segments; i++) {
        body += b[at + OGG_HEADER_BYTES + i];
    }
    if (n - at - OGG_HEADER_BYTES - segments < body) {
        return 0;
    }
    *length = OGG_HEADER_BYTES + segments + body;
    return 1;
}

/* The page's CRC (Ogg: polynomial 0x04c11db7, not reflected, initial 0, the CRC field as 0)
 * matches its CRC field.  `table` is crc_table()'s. */
static int
page_crc_ok(const unsigned char *page, size_t length, const ma_uint32 *table)
{
    ma_uint32 crc = 0;
    size_t i;

    for (i = 0; i < length; i++) {
        unsigned char byte = (i >= 22 && i < 26) ? 0 : page[i];
        crc = (crc << 8) ^ table[((crc >> 24) ^ byte) & 0xff];
    }
    return crc == le32(page + 22);
}

static void
crc_table(ma_uint32 *table)
{
    ma_uint32 i, r;
    int k;

    for (i = 0; i < 256; i++) {
        r = i << 24;
        for (k = 0; k < 8; k++) {
            r = (r & 0x80000000u) ? (r << 1) ^ 0x04c11db7u : r << 1;
        }
        table[i] = r;
    }
}

/* The granule position of a page as stb_vorbis takes it: 0 when absent (-1) or past 32 bits. */
static ma_uint32
page_granule(const unsigned char *page)
{
    ma_uint32 lo = le32(page + 6), hi = le32(page + 10);
    return (hi != 0 || lo == 0xffffffffu) ? 0 : lo;
}

/* How many packets end on the page (lacing values below 255). */
static unsigned int
packets_ending(const unsigned char *page)
{
    unsigned int segments = page[26], i, count = 0;

    for (i = 0; i < segments; i++) {
        count += page[OGG_HEADER_BYTES + i] < 255;
    }
    return count;
}

int
pyma_ogg_vorbis_info(const unsigned char *head, size_t head_len, const unsigned char *tail, size_t tail_len,
                     ma_uint64 size, pyma_ogg_info *info)
{
    ma_uint32 table[256], serial, granule, prev_granule;
    size_t at, length, prev_at = 0, prev_len = 0, last_at = 0, last_len = 0, header_end = 0, window;
    ma_uint64 search_from, tail_start;
    const unsigned char *id;
    unsigned int packets = 0, i, blocksize1;
    int found_prev = 0, found_last = 0;

    /* The first page: the beginning of a stream, alone holding the 30-byte identification header. */
    if (size > 0x7fffffffu || !page_at(head, head_len, 0, &length) || (head[5] & 0x06) != 0x02 ||
        head[26] != 1 || head[OGG_HEADER_BYTES] != 30) {
        return 0;
    }
    serial = le32(head + 14);
    id = head + OGG_HEADER_BYTES + 1;
    if (memcmp(id, "\x01vorbis", 7) != 0 || le32(id + 7) != 0 || id[11] == 0 || id[11] > 8 || le32(id + 12) == 0 ||
        (id[28] & 0x0f) < 6 || (id[28] >> 4) > 13 || (id[28] & 0x0f) > (id[28] >> 4) || (id[29] & 1) == 0) {
        return 0;
    }
    info->channels = id[11];
    info->sample_rate = le32(id + 12);
    blocksize1 = 1u << (id[28] >> 4);

    /* The comment and setup headers: pages of the same stream, no second beginning-of-stream
     * (a multiplexed file), the setup header (third packet) ending its page. */
    at = length;
    while (header_end == 0) {
        if (!page_at(head, head_len, at, &length) || (head[at + 5] & 0x02) != 0 || le32(head + at + 14) != serial) {
            return 0;
        }
        for (i = 0; i < head[at + 26]; i++) {
            if (head[at + OGG_HEADER_BYTES + i] < 255 && ++packets == 2 && i + 1 != head[at + 26]) {
                return 0; /* audio shares the setup header's page */
            }
        }
        if (packets > 2) {
            return 0;
        }
        at += length;
        if (packets == 2) {
            header_end = at;
        }
    }

    /* stb_vorbis looks for the last page from 64 KiB before the end, or from the first audio page. */
    search_from = (size >= LAST_PAGE_WINDOW && size - LAST_PAGE_WINDOW >= header_end) ? size - LAST_PAGE_WINDOW
                                                                                         : header_end;
    tail_start = size - tail_len;
    if (search_from < tail_start || search_from >= size) {
        return 0;
    }
    window = (size_t)(size - search_from);
    tail += search_from - tail_start;

    /* The first page that starts in the window, then page after page with no gap, up to the
     * first end-of-stream page, which must end the file. */
    for (at = 0; at + OGG_HEADER_BYTES <= window; at++) {
        if (tail[at] == 'O' && page_at(tail, window, at, &length)) {
            break;
        }
    }
    while (at < window) {
        if (!page_at(tail, window, at, &length) || le32(tail + at + 14) != serial || (tail[at + 5] & 0x02) != 0) {
            return 0;
        }
        if (tail[at + 5] & 0x04) {
            last_at = at;
            last_len = length;
            found_last = 1;
            break;
        }
        prev_at = at;
        prev_len = length;
        found_prev = 1;
        at += length;
    }
    if (!found_last || !found_prev || last_at + last_len != window) {
        return 0;
    }
    crc_table(table);
    if (!page_crc_ok(tail + last_at, last_len, table) || !page_crc_ok(tail + prev_at, prev_len, table)) {
        return 0;
    }
    granule = page_granule(tail + last_at);
    prev_granule = page_granule(tail + prev_at);
    /* Each packet ending on the last page gives at most half a long block of samples. */
    if (granule < 2 || prev_granule == 0 || granule <= prev_granule ||
        granule - prev_granule > packets_ending(tail + last_at) * (blocksize1 / 2)) {
        return 0;
    }
    info->frames = granule;
    return 1;
}
