/* source_wavmp3.c: MP3 data inside a WAV container (format tag 0x0055, WAVE_FORMAT_MPEGLAYER3, as
 * ffmpeg's `-c:a libmp3lame -f wav` and old Windows tools write it), for every entry point that
 * opens a decoder (decode, decode_file, get_file_info, the streams, AudioFile): pyma_source_open
 * asks here first.
 *
 * dr_wav refuses the codec, and when wBitsPerSample is 0 (as ffmpeg writes it) dr_mp3 "succeeded"
 * by scanning the RIFF file for sync words: chunk bytes could be taken for audio, and the LAME
 * header at the start of the data was not where dr_mp3 looks for it, so its gapless trim was lost
 * (46080 frames for 44100).  Here a bounded walk of the RIFF chunks finds the data chunk and the
 * MP3 decoder reads it alone, through a window (offset and length) on the source: frame counts,
 * seeks, info and samples are those of the bare MP3 data.
 *
 * The walk reads at most 64 chunk headers and 40 bytes of the fmt chunk, whatever the sizes say:
 * a size that runs past the input ends the walk, 0xFFFFFFFF (a writer that could not seek back)
 * or a data size past the input's end means "to the end of the input", odd sizes skip their pad
 * byte.  Nothing is allocated.  Runs with the GIL released: a path is read through a FILE of our
 * own, memory directly, a Python source through its decoder callbacks (which take the GIL).
 */
#include "_miniaudio.h"

#include <errno.h>
#include <string.h>

#if defined(_WIN32)
#define WIN_SEEK(f, off) _fseeki64((f), (__int64)(off), SEEK_SET)
#else
#define WIN_SEEK(f, off) fseeko((f), (off_t)(off), SEEK_SET)
#endif

#define WAVE_FORMAT_MPEGLAYER3 0x0055
#define WAVE_FORMAT_EXTENSIBLE 0xFFFE
#define MAX_CHUNKS 64
#define SIZE_UNKNOWN MA_UINT64_MAX
/* A Python source that cannot seek is walked only this far: its bytes are kept for rewinding while
 * the decoder opens (source.c's replay, up to 4 MiB), and skipping a chunk means reading it. */
#define UNSEEKABLE_WALK_MAX ((ma_uint64)1 << 20)

/* The KSDATAFORMAT GUID's bytes after its first two (which hold the format tag). */
static const unsigned char guid_tail[14] = {0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80,
                                            0x00, 0x00, 0xAA, 0x00, 0x38, 0x9B, 0x71};

static ma_uint32
le32(const unsigned char *p)
{
    return (ma_uint32)p[0] | ((ma_uint32)p[1] << 8) | ((ma_uint32)p[2] << 16) | ((ma_uint32)p[3] << 24);
}

static unsigned int
le16(const unsigned char *p)
{
    return (unsigned int)p[0] | ((unsigned int)p[1] << 8);
}

/* What the walk reads through. */
typedef struct {
    pyma_source *src;
    FILE *file;           /* a path */
    const unsigned char *mem;
    ma_uint64 mem_len;    /* memory */
    ma_uint64 file_pos;   /* where the file is (a new one is at 0): a read there needs no seek */
    int failed;           /* a read failed (errno in err for a file) */
    int err;
} reader;

/* Up to n bytes at `offset` into buf; the count read (short at the end, 0 on failure). */
static size_t
read_at(reader *r, ma_uint64 offset, unsigned char *buf, size_t n)
{
    size_t got = 0;

    if (r->mem != NULL) {
        if (offset >= r->mem_len) {
            return 0;
        }
        got = r->mem_len - offset < n ? (size_t)(r->mem_len - offset) : n;
        memcpy(buf, r->mem + offset, got);
        return got;
    }
    if (r->file != NULL) {
        if (offset != r->file_pos && WIN_SEEK(r->file, offset) != 0) {
            r->file_pos = SIZE_UNKNOWN;
            return 0; /* past what the system can seek to: the walk ends */
        }
        got = fread(buf, 1, n, r->file);
        r->file_pos = got == n ? offset + got : SIZE_UNKNOWN; /* short: at the end, or an error */
        if (got < n && ferror(r->file)) {
            r->failed = 1;
            r->err = errno != 0 ? errno : EIO;
        }
        return got;
    }
    if (offset > (ma_uint64)INT64_MAX ||
        pyma_pysource_seek(&r->src->decoder, (ma_int64)offset, ma_seek_origin_start) != MA_SUCCESS) {
        r->failed = r->src->callback_error != NULL;
        return 0;
    }
    if (pyma_pysource_read(&r->src->decoder, buf, n, &got) != MA_SUCCESS) {
        r->failed = r->src->callback_error != NULL;
        return 0;
    }
    return got;
}

/* The walk: 1 with [*start, *end) the data chunk of an MP3 WAV, 0 not one, -2 MP3 without data. */
static int
walk(reader *r, ma_uint64 size, ma_uint64 *start, ma_uint64 *end)
{
    unsigned char head[40];
    ma_uint64 offset = 12;
    int i, mp3 = 0;
    size_t got;

    if (read_at(r, 0, head, 12) < 12 || (memcmp(head, "RIFF", 4) != 0 && memcmp(head, "RF64", 4) != 0) ||
        memcmp(head + 8, "WAVE", 4) != 0) {
        return 0;
    }
    for (i = 0; i < MAX_CHUNKS && !r->failed; i++) {
        ma_uint32 csize;
        if ((size != SIZE_UNKNOWN && offset + 8 > size) ||
            (r->src->pysource != NULL && r->src->seekable != 1 && offset > UNSEEKABLE_WALK_MAX)) {
            break;
        }
        if (read_at(r, offset, head, 8) < 8) {
            break;
        }
        csize = le32(head + 4);
        if (memcmp(head, "fmt ", 4) == 0) {
            unsigned int tag;
            got = read_at(r, offset + 8, head, csize < sizeof(head) ? csize : sizeof(head));
            if (got < 2) {
                return 0;
            }
            tag = le16(head);
            if (tag == WAVE_FORMAT_EXTENSIBLE) {
                /* cbSize 22: validBits, channelMask, then the SubFormat GUID at byte 24 */
                if (got < 40 || memcmp(head + 26, guid_tail, sizeof(guid_tail)) != 0) {
                    return 0;
                }
                tag = le16(head + 24);
            }
            if (tag != WAVE_FORMAT_MPEGLAYER3) {
                return 0;
            }
            mp3 = 1;
        }
        else if (memcmp(head, "data", 4) == 0) {
            if (!mp3) {
                return 0; /* data before fmt: dr_wav's business */
            }
            *start = offset + 8;
            if (size != SIZE_UNKNOWN) {
                ma_uint64 avail = size > *start ? size - *start : 0;
                *end = *start + (csize == 0xFFFFFFFFu || csize > avail ? avail : csize);
            }
            else {
                *end = csize == 0xFFFFFFFFu ? SIZE_UNKNOWN : *start + csize;
            }
            return 1;
        }
        offset += 8 + (ma_uint64)csize + (csize & 1);
    }
    return r->failed ? -1 : (mp3 ? -2 : 0);
}

int
pyma_source_find_wav_mp3(pyma_source *src, const char *path, int *err)
{
    reader r;
    ma_uint64 size = SIZE_UNKNOWN, start = 0, end = 0;
    int found;

    *err = 0;
    if (src->encoding != ma_encoding_format_unknown && src->encoding != ma_encoding_format_wav &&
        src->encoding != ma_encoding_format_mp3) {
        return 0;
    }
    memset(&r, 0, sizeof(r));
    r.src = src;
    if (path != NULL) {
        r.file = fopen(path, "rb");
        if (r.file == NULL) {
            return 0; /* the decoder's own open reports it */
        }
        size = src->input_size;
    }
    else if (src->pysource == NULL) {
        r.mem = src->view.buf;
        r.mem_len = size = (ma_uint64)src->view.len;
        if (r.mem_len < 12 || (memcmp(r.mem, "RIFF", 4) != 0 && memcmp(r.mem, "RF64", 4) != 0)) {
            return 0;
        }
    }
    else {
        src->decoder.pUserData = src; /* what the callbacks find their source by */
    }
    found = walk(&r, size, &start, &end);
    if (r.failed) {
        found = -1;
        *err = r.err;
    }
    if (found == 1) {
        src->windowed = 1;
        src->win_start = start;
        src->win_end = end;
        src->win_file = r.file;
        return 1;
    }
    if (r.file != NULL && found == 0 && src->keep_probe && src->probe_file == NULL) {
        src->probe_file = r.file; /* for the tags (get_info); closed by pyma_source_release */
    }
    else if (r.file != NULL) {
        fclose(r.file);
    }
    else if (src->pysource != NULL && found == 0 &&
             pyma_pysource_seek(&src->decoder, 0, ma_seek_origin_start) != MA_SUCCESS) {
        found = -1; /* the decoder would have needed the same rewind */
    }
    return found;
}

/* ---- the window: the decoder's callbacks over [win_start, win_end) of a path or Python source */

static ma_result
window_read(ma_decoder *decoder, void *out, size_t size, size_t *bytes_read)
{
    pyma_source *src = decoder->pUserData;
    size_t got = 0;
    ma_result r = MA_SUCCESS;

    *bytes_read = 0;
    if (src->pos >= src->win_end) {
        return MA_AT_END;
    }
    if (src->win_end - src->pos < size) {
        size = (size_t)(src->win_end - src->pos);
    }
    if (src->win_file != NULL) {
        got = fread(out, 1, size, src->win_file);
        src->pos += got;
        if (got == 0) {
            r = ferror(src->win_file) ? MA_IO_ERROR : MA_AT_END;
        }
    }
    else {
        r = pyma_pysource_read(decoder, out, size, &got); /* moves src->pos */
    }
    *bytes_read = got;
    return r;
}

static ma_result
window_seek(ma_decoder *decoder, ma_int64 offset, ma_seek_origin origin)
{
    pyma_source *src = decoder->pUserData;
    ma_uint64 base;
    ma_int64 where;

    if (origin == ma_seek_origin_end && src->win_end == SIZE_UNKNOWN) {
        /* to the end of a Python source of unknown size: it says where that is */
        ma_result r = pyma_pysource_seek(decoder, offset, origin);
        if (r == MA_SUCCESS && src->pos < src->win_start) {
            r = pyma_pysource_seek(decoder, (ma_int64)src->win_start, ma_seek_origin_start);
            return r == MA_SUCCESS ? MA_BAD_SEEK : r;
        }
        return r;
    }
    base = origin == ma_seek_origin_start ? src->win_start : origin == ma_seek_origin_end ? src->win_end : src->pos;
    if (base > (ma_uint64)INT64_MAX || (offset > 0 && offset > INT64_MAX - (ma_int64)base)) {
        return MA_BAD_SEEK;
    }
    where = (ma_int64)base + offset;
    if (where < (ma_int64)src->win_start) {
        return MA_BAD_SEEK; /* before the data */
    }
    if (src->win_file != NULL) {
        if (WIN_SEEK(src->win_file, where) != 0) {
            return MA_BAD_SEEK;
        }
        src->pos = (ma_uint64)where;
        return MA_SUCCESS;
    }
    return pyma_pysource_seek(decoder, where, ma_seek_origin_start);
}

static ma_result
window_tell(ma_decoder *decoder, ma_int64 *cursor)
{
    pyma_source *src = decoder->pUserData;

    if (src->pos < src->win_start || src->pos - src->win_start > (ma_uint64)INT64_MAX) {
        return MA_INVALID_OPERATION;
    }
    *cursor = (ma_int64)(src->pos - src->win_start);
    return MA_SUCCESS;
}

ma_result
pyma_source_open_window(pyma_source *src, const ma_decoder_config *config)
{
    ma_decoder_config mp3 = *config;
    ma_result r;

    mp3.encodingFormat = ma_encoding_format_mp3;
    if (src->win_file == NULL && src->pysource == NULL) {
        ma_uint64 len = src->win_end - src->win_start; /* within the view (the walk clamped it) */
        return ma_decoder_init_memory((const char *)src->view.buf + src->win_start, (size_t)len, &mp3,
                                      &src->decoder);
    }
    src->decoder.pUserData = src;
    if (src->pysource != NULL && src->win_end != SIZE_UNKNOWN && src->seekable == 1 && src->has_tell &&
        pyma_pysource_seek(&src->decoder, 0, ma_seek_origin_end) == MA_SUCCESS && src->pos < src->win_end) {
        /* a data size past the end of a file object: the window ends where the file does (dr_mp3
         * looks for ID3v1/APE tags from the end) */
        src->win_end = src->pos > src->win_start ? src->pos : src->win_start;
    }
    r = window_seek(&src->decoder, 0, ma_seek_origin_start);
    if (r != MA_SUCCESS) {
        return r == MA_BAD_SEEK ? MA_IO_ERROR : r;
    }
    return ma_decoder_init_with_tell(window_read, window_seek, window_tell, src, &mp3, &src->decoder);
}
