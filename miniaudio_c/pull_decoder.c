/* pull_decoder.c: the decoder kind of the source layer (pull.c), behind stream_file(), stream_memory(),
 * stream_any() and the per-format stream functions.
 *
 * It reads and seeks an ma_decoder opened by the stream (stream_open.c pyma_stream) over a pyma_source
 * that the stream owns: the source holds the Python objects (the name, the buffer, a Python source
 * and the exception it raised), which the stream traverses, releases and names in its errors.  The
 * decoder's own fixes live in ma_impl.c: the read fast path (pyma_decoder_read), the exact and
 * resampled seeks and dr_mp3's delay (pyma_decoder_seek, pyma_decoder_skip_resampled).  Looping is
 * pull.c's.  Everything here runs without the Python API, with or without the GIL (a Python
 * source's callbacks take it themselves).
 */
#include "_miniaudio.h"

typedef struct {
    pyma_pull base;
    pyma_source *src; /* the stream's (see above) */
    /* A resampling decoder's place before a seek (decoder_seek), put back when the seek fails:
     * the backend's cursor, the converter (its struct, and in `saved` its heap: the resampler's
     * last input frames and filter state), the decoder's input cache (after the heap in `saved`)
     * and its output frame counter.  `saved` is NULL when the decoder does not resample. */
    unsigned char *saved;
    size_t heap_bytes, cache_bytes;
    ma_data_converter converter;
    ma_uint64 backend_cursor, cache_consumed, cache_remaining, read_pointer;
} decoder_pull;

static ma_result
decoder_read(pyma_pull *pull, void *out, ma_uint64 frames, ma_uint64 *got)
{
    return pyma_decoder_read(&((decoder_pull *)pull)->src->decoder, out, frames, got);
}

/* Saves a resampling decoder's place (see decoder_pull); 0 when it cannot. */
static int
decoder_save(decoder_pull *d)
{
    ma_decoder *dec = &d->src->decoder;

    if (d->saved == NULL || ma_data_source_get_cursor_in_pcm_frames(dec->pBackend, &d->backend_cursor) != MA_SUCCESS) {
        return 0;
    }
    d->converter = dec->converter;
    memcpy(d->saved, dec->converter._pHeap, d->heap_bytes);
    if (d->cache_bytes > 0) {
        memcpy(d->saved + d->heap_bytes, dec->pInputCache, d->cache_bytes);
    }
    d->cache_consumed = dec->inputCacheConsumed;
    d->cache_remaining = dec->inputCacheRemaining;
    d->read_pointer = dec->readPointerInPCMFrames;
    return 1;
}

/* Puts back the place decoder_save saved: the backend back at its frame (a decoder's seek to where
 * its reads stood is exact), then the converter and the cache as they were, so the next samples are
 * the ones a read from there would have given.  0 when the backend did not get back there, or the
 * source raised (the stream raises that). */
static int
decoder_restore(decoder_pull *d)
{
    ma_decoder *dec = &d->src->decoder;
    ma_uint64 at = 0;

    if (ma_data_source_seek_to_pcm_frame(dec->pBackend, d->backend_cursor) != MA_SUCCESS ||
        ma_data_source_get_cursor_in_pcm_frames(dec->pBackend, &at) != MA_SUCCESS || at != d->backend_cursor ||
        d->src->callback_error != NULL) {
        return 0;
    }
    dec->converter = d->converter;
    memcpy(dec->converter._pHeap, d->saved, d->heap_bytes);
    if (d->cache_bytes > 0) {
        memcpy(dec->pInputCache, d->saved + d->heap_bytes, d->cache_bytes);
    }
    dec->inputCacheConsumed = d->cache_consumed;
    dec->inputCacheRemaining = d->cache_remaining;
    dec->readPointerInPCMFrames = d->read_pointer;
    return 1;
}

/* pull->landed below `frame` when a resampled input ended first (pyma_decoder_seek).  A resampling
 * decoder whose seek fails (past the end of a stream of unknown length, found only by going there),
 * or whose input ends first in seek() (pull->within), is put back where it was with its
 * resampler's state, and says so (pull->kept_place): the stream's usual way back, a seek, restarts
 * the resampler, and the samples after it were not the ones a read on from there gives (the seek
 * fuzz target: a file object against bytes, whose known length refuses such a seek before
 * moving).  A loop's wrap saves nothing: on the audio thread too, and a wrap that fails ends the
 * stream. */
static ma_result
decoder_seek(pyma_pull *pull, ma_uint64 frame)
{
    decoder_pull *d = (decoder_pull *)pull;
    int saved = !pull->wrapping && decoder_save(d); /* a loop's wrap that fails ends the stream */
    ma_result r = pyma_decoder_seek(&d->src->decoder, frame, &pull->landed);
    int refused = r != MA_SUCCESS || (pull->within && pull->landed < frame);

    if (refused && saved && d->src->callback_error == NULL && decoder_restore(d)) {
        pull->kept_place = 1;
    }
    return r;
}

/* The backend's cursor where it counts our frames: not through a resampler (it counts input
 * frames).  dr_mp3's counts output frames too (patch 0073: it used to count the encoder delay). */
static int
decoder_cursor(pyma_pull *pull, ma_uint64 *frame)
{
    pyma_source *src = ((decoder_pull *)pull)->src;
    ma_uint64 cursor;

    if (src->desc.sample_rate != src->decoder.outputSampleRate ||
        ma_data_source_get_cursor_in_pcm_frames(src->decoder.pBackend, &cursor) != MA_SUCCESS) {
        return 0;
    }
    *frame = cursor;
    return 1;
}

/* Frames decoded and discarded per step of a skip. */
#define DECODER_SKIP_CHUNK 4096

/* Forward from pull->at to `frame` over a source that cannot seek.  A resampled stream reads and
 * discards input frames and restarts its resampler where a seekable input's seek does (ma_impl.c),
 * so the frames that follow are the same from every input; otherwise it decodes and discards output
 * frames: the decoders' own seeks jump around in the file, which such a source does not allow. */
static ma_result
decoder_skip(pyma_pull *pull, ma_uint64 frame, ma_uint64 *landed)
{
    pyma_source *src = ((decoder_pull *)pull)->src;
    ma_uint64 now = pull->at, count = frame - now, skipped = 0, got;
    ma_result r = pyma_decoder_skip_resampled(&src->decoder, frame, landed);
    void *scratch;

    if (r != MA_NOT_IMPLEMENTED) {
        return r;
    }
    *landed = now;
    scratch = PyMem_RawMalloc((size_t)DECODER_SKIP_CHUNK * pull->frame_bytes);
    if (scratch == NULL) {
        return MA_OUT_OF_MEMORY;
    }
    r = MA_SUCCESS;
    while (skipped < count) {
        got = 0;
        r = ma_decoder_read_pcm_frames(&src->decoder, scratch,
                                       count - skipped < DECODER_SKIP_CHUNK ? count - skipped : DECODER_SKIP_CHUNK, &got);
        skipped += got;
        if (r != MA_SUCCESS || got == 0 || src->callback_error != NULL) {
            break;
        }
    }
    PyMem_RawFree(scratch);
    *landed = now + skipped;
    return r == MA_AT_END ? MA_SUCCESS : r;
}

/* GIL held.  The source is the stream's: only the kind's struct goes. */
static void
decoder_free(pyma_pull *pull)
{
    PyMem_Free(((decoder_pull *)pull)->saved);
    PyMem_Free(pull);
}

pyma_pull *
pyma_pull_decoder_new(pyma_source *src, ma_uint32 frame_bytes)
{
    decoder_pull *d = PyMem_Calloc(1, sizeof(*d));

    if (d == NULL) {
        PyErr_NoMemory();
        return NULL;
    }
    d->src = src;
    if (src->decoder.converter.hasResampler &&
        (src->decoder.converter._pHeap == NULL || src->decoder.converter._heapSizeInBytes > 0)) {
        d->heap_bytes = src->decoder.converter._heapSizeInBytes; /* (patch 0079) */
        if (src->decoder.pInputCache != NULL) {
            d->cache_bytes = (size_t)src->decoder.inputCacheCap *
                             ma_get_bytes_per_frame(src->decoder.converter.formatIn, src->decoder.converter.channelsIn);
        }
        d->saved = PyMem_Malloc(d->heap_bytes + d->cache_bytes + 1);
        if (d->saved == NULL) {
            PyMem_Free(d);
            PyErr_NoMemory();
            return NULL;
        }
    }
    d->base.ds = &src->decoder;
    d->base.format = src->decoder.outputFormat;
    d->base.channels = src->decoder.outputChannels;
    d->base.sample_rate = src->decoder.outputSampleRate;
    d->base.frame_bytes = frame_bytes;
    d->base.failed = &src->callback_error;
    d->base.seek_decode_errors = 1;
    /* A FLAC STREAMINFO total, an MP3 Xing/Info count and an Ogg Vorbis last page position can
     * understate the frames the reads give (dr_wav stops its reads at the WAV family's counts). */
    d->base.length_claim = src->desc.encoding == ma_encoding_format_flac || src->desc.encoding == ma_encoding_format_mp3 ||
                           src->desc.encoding == ma_encoding_format_vorbis;
    d->base.read = decoder_read;
    d->base.seek = decoder_seek;
    d->base.cursor = decoder_cursor;
    d->base.skip = decoder_skip;
    d->base.free = decoder_free;
    return &d->base;
}
