/* ma_impl.c: compiles the fetched miniaudio implementation, with stb_vorbis in the same
 * translation unit as miniaudio documents, plus the few helpers that need its internals.
 *
 * This is the only file built without -Werror (the fetched code is not ours).  The decoder
 * vtables are static in miniaudio.h, so identifying which decoder took a file has to live here.
 */
/* Before any system header: glibc's fopencookie(), for the info-only Ogg Vorbis decoder's FILE
 * (patch 0049). */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#define STB_VORBIS_HEADER_ONLY
#include "stb_vorbis.c"

#define MINIAUDIO_IMPLEMENTATION
#include "miniaudio.h"

#undef STB_VORBIS_HEADER_ONLY
#include "stb_vorbis.c"

#include "_miniaudio.h"

#ifdef __GLIBC__
#include <stdio_ext.h>
#endif

/* The sample format 1.71 reports for a WAV file: float tags are FLOAT32, PCM by its width;
 * compressed encodings (ADPCM, A-law, mu-law) report what they decode to, 16-bit. */
static ma_format
wav_file_format(const ma_dr_wav *wav)
{
    switch (wav->translatedFormatTag) {
    case MA_DR_WAVE_FORMAT_IEEE_FLOAT:
        return ma_format_f32;
    case MA_DR_WAVE_FORMAT_PCM:
        switch (wav->bitsPerSample) {
        case 8: return ma_format_u8;
        case 16: return ma_format_s16;
        case 24: return ma_format_s24;
        case 32: return ma_format_s32;
        default: return ma_format_unknown;
        }
    default:
        return ma_format_s16;
    }
}

/* FLAC: by the width of the samples, as 1.71 (bitsPerSample rounded up to whole bytes). */
static ma_format
flac_file_format(const ma_dr_flac *flac)
{
    switch ((flac->bitsPerSample + 7) / 8) {
    case 1: return ma_format_u8;
    case 2: return ma_format_s16;
    case 3: return ma_format_s24;
    default: return ma_format_s32;
    }
}

ma_result
pyma_decoder_describe(ma_decoder *decoder, pyma_source_desc *desc)
{
    const ma_decoding_backend_vtable *vt = decoder->pBackendVTable;

    desc->sub_format = -1;
    desc->length_is_cheap = 1;
    desc->decodable = 1;
    if (vt == &g_ma_decoding_backend_vtable_wav) {
        ma_wav *wav = (ma_wav *)decoder->pBackend;
        desc->encoding = ma_encoding_format_wav;
        desc->file_format = wav_file_format(&wav->dr);
        desc->channels = wav->dr.channels;
        desc->sample_rate = wav->dr.sampleRate;
        desc->sub_format = wav->dr.translatedFormatTag;
        /* dr_wav opens any RIFF/WAVE file but reads nothing from codecs it does not know. */
        switch (wav->dr.translatedFormatTag) {
        case MA_DR_WAVE_FORMAT_PCM:
        case MA_DR_WAVE_FORMAT_IEEE_FLOAT:
        case MA_DR_WAVE_FORMAT_ALAW:
        case MA_DR_WAVE_FORMAT_MULAW:
        case MA_DR_WAVE_FORMAT_ADPCM:
        case MA_DR_WAVE_FORMAT_DVI_ADPCM:
            break;
        default:
            desc->decodable = 0;
        }
    }
    else if (vt == &g_ma_decoding_backend_vtable_flac) {
        ma_flac *flac = (ma_flac *)decoder->pBackend;
        desc->encoding = ma_encoding_format_flac;
        desc->file_format = flac_file_format(flac->dr);
        desc->channels = flac->dr->channels;
        desc->sample_rate = flac->dr->sampleRate;
    }
    else if (vt == &g_ma_decoding_backend_vtable_mp3) {
        ma_mp3 *mp3 = (ma_mp3 *)decoder->pBackend;
        desc->encoding = ma_encoding_format_mp3;
        desc->file_format = ma_format_s16; /* as 1.71 reports it */
        desc->channels = mp3->dr.channels;
        desc->sample_rate = mp3->dr.sampleRate;
        /* Without a Xing/LAME/VBRI header the length takes a scan of the whole file. */
        desc->length_is_cheap = mp3->dr.totalPCMFrameCount != MA_UINT64_MAX;
    }
    else if (vt == &g_ma_decoding_backend_vtable_stbvorbis) {
        ma_stbvorbis *vorbis = (ma_stbvorbis *)decoder->pBackend;
        desc->encoding = ma_encoding_format_vorbis;
        desc->file_format = ma_format_s16; /* as 1.71 reports it */
        desc->channels = vorbis->channels;
        desc->sample_rate = vorbis->sampleRate;
        desc->length_is_cheap = !vorbis->usingPushMode;
    }
    else {
        return MA_NO_BACKEND;
    }
    return MA_SUCCESS;
}

void
pyma_decoder_unlock_stdio(ma_decoder *decoder)
{
#ifdef __GLIBC__
    /* stb_vorbis reads its file one byte at a time with getc(), and glibc locks the FILE on every
     * call once the process has a second thread (numpy's BLAS threads are enough): 10% of the
     * decode time.  Our decoders are only ever used by one thread at a time, so the locking
     * can go. */
    if (decoder->pBackendVTable == &g_ma_decoding_backend_vtable_stbvorbis) {
        ma_stbvorbis *vorbis = (ma_stbvorbis *)decoder->pBackend;
        if (!vorbis->usingPushMode && vorbis->stb != NULL && vorbis->stb->f != NULL) {
            __fsetlocking(vorbis->stb->f, FSETLOCKING_BYCALLER);
        }
    }
#else
    (void)decoder;
#endif
}

/* ---- Seeks in a resampled stream --------------------------------------------------------------
 *
 * miniaudio's ma_decoder_seek_to_pcm_frame maps an output frame F to the input frame
 * ma_calculate_frame_count_after_resampling(in, out, F), a frame COUNT that adds one for the
 * resampler's latency when the output side divides evenly (22050 -> 44100: output frame 1000 went to
 * input frame 501, not 500), then restarts the resampler there: the audio after the seek started
 * two output frames late, a stream read to its end after a seek ended short of its length, and
 * over a pipe (which cannot seek, so skipped by decoding and discarding through the resampler) the
 * same script gave other frames than from bytes, paths and file objects.
 *
 * Here every input kind does the same: the linear resampler steps through input time in units of
 * in/out, which repeats every out/g output frames (g = gcd of the rates) at in/g input frames.  The
 * backend is put at the last such point K0 <= F (input frame I0 = K0 * in / out) by seeking or, over
 * a pipe, by reading and discarding input frames; the converter restarts there on the same time
 * grid as a straight read, and the F - K0 (< out/g) output frames up to F are decoded and dropped.
 * So the frames after a seek to F depend only on F, whatever the input, and a stream read to its
 * end after seek(F) gives the straight read's frame count minus F.  (The samples right after the
 * restart are not bit-equal to a straight read's: the resampler's low-pass filter starts empty.) */
static ma_uint64
gcd64(ma_uint64 a, ma_uint64 b)
{
    while (b != 0) {
        ma_uint64 t = a % b;
        a = b;
        b = t;
    }
    return a;
}

/* The output frames of the linear resampler over `frames` input frames: output frame k stands at
 * input time k * in / out and is made while that is before the input's end, so there are
 * ceil(frames * out / in) (checked against decode() over thousands of lengths and rate pairs in
 * tests/test_length_consistency.py).  Split so that no product passes 64 bits: q * out saturates
 * and (frames % in) * out < 2**64 for 32-bit rates. */
static ma_uint64
resampled_count(ma_uint64 frames, ma_uint32 rate_in, ma_uint32 rate_out)
{
    ma_uint64 q = frames / rate_in, rem = frames % rate_in;
    ma_uint64 head = q > MA_UINT64_MAX / rate_out ? MA_UINT64_MAX : q * rate_out;
    ma_uint64 tail = (rem * rate_out + rate_in - 1) / rate_in;

    return head > MA_UINT64_MAX - tail ? MA_UINT64_MAX : head + tail;
}

ma_result
pyma_decoder_get_length(ma_decoder *decoder, ma_uint64 *length)
{
    ma_uint32 rate_in = 0;
    ma_uint64 native = 0;
    ma_result r;

    *length = 0;
    if (decoder->pBackend == NULL ||
        ma_data_source_get_data_format(decoder->pBackend, NULL, NULL, &rate_in, NULL, 0) != MA_SUCCESS ||
        rate_in == 0 || decoder->outputSampleRate == 0 || rate_in == decoder->outputSampleRate) {
        return ma_decoder_get_length_in_pcm_frames(decoder, length);
    }
    r = ma_data_source_get_length_in_pcm_frames(decoder->pBackend, &native);
    if (r != MA_SUCCESS) {
        return r;
    }
    *length = resampled_count(native, rate_in, decoder->outputSampleRate);
    return MA_SUCCESS;
}

/* 1 if the decoder resamples; then in0 and out0 are the grid point at or before output frame `frame`. */
static int
resample_grid(ma_decoder *decoder, ma_uint64 frame, ma_uint64 *in0, ma_uint64 *out0)
{
    ma_uint32 rate_in = 0;
    ma_uint64 g, in_step, out_step;

    if (!decoder->converter.hasResampler ||
        ma_data_source_get_data_format(decoder->pBackend, NULL, NULL, &rate_in, NULL, 0) != MA_SUCCESS ||
        rate_in == 0 || decoder->outputSampleRate == 0 || rate_in == decoder->outputSampleRate) {
        return 0;
    }
    g = gcd64(rate_in, decoder->outputSampleRate);
    in_step = rate_in / g;
    out_step = decoder->outputSampleRate / g;
    *in0 = (frame / out_step) * in_step; /* <= frame * in / out: stream_seek.c bounds that product */
    *out0 = (frame / out_step) * out_step;
    return 1;
}

/* Decodes and drops `count` output frames through the converter; *dropped says how many there were. */
static ma_result
drop_output(ma_decoder *decoder, ma_uint64 count, ma_uint64 *dropped)
{
    ma_uint8 scratch[8192];
    ma_uint32 frame_bytes = ma_get_bytes_per_frame(decoder->outputFormat, decoder->outputChannels);
    ma_uint64 chunk = frame_bytes > 0 ? sizeof(scratch) / frame_bytes : 0, got;
    ma_result r = MA_SUCCESS;

    *dropped = 0;
    if (chunk == 0) {
        return MA_INVALID_ARGS;
    }
    while (*dropped < count) {
        got = 0;
        r = ma_decoder_read_pcm_frames(decoder, scratch, count - *dropped < chunk ? count - *dropped : chunk, &got);
        *dropped += got;
        if (r != MA_SUCCESS || got == 0) {
            break;
        }
    }
    return r == MA_AT_END ? MA_SUCCESS : r;
}

/* The backend is at input frame in0 (a grid point): restart the converter and drop up to `frame`. */
static ma_result
restart_at_grid(ma_decoder *decoder, ma_uint64 out0, ma_uint64 frame, ma_uint64 *landed)
{
    ma_uint64 dropped = 0;
    ma_result r;

    ma_data_converter_reset(&decoder->converter);
    decoder->readPointerInPCMFrames = out0;
    r = drop_output(decoder, frame - out0, &dropped);
    *landed = out0 + dropped;
    return r;
}

/* Seeks a resampled decoder to output frame `frame` through the grid point (in0, out0) at or before
 * it.  *landed < frame says for certain where the input ended; *landed == frame, that the stream
 * stands there or that where it ends is not known.
 *
 * When nothing decodes after the grid point, the input ends there or before it, and the
 * backend's cursor is no guide (dr_wav's is the header's count, decoded or not).  If that point
 * is at or past the stated end (or the length is 0, which may mean "unknown"), the seek starts again
 * from the grid point at or before the stated end and decodes up to `frame`, so the stream stands
 * where its input really ends, as a read to the end and a pipe's skip have it (seek_frame=1000 on
 * a stream of 180 frames stood at 1000 with no length).  A grid point that is the target itself
 * decodes nothing by itself: past a stated end one frame is decoded to find out, then the seek is
 * redone; with a length of 0 it stays not known. */
static ma_result
seek_resampled(ma_decoder *decoder, ma_uint32 rate_in, ma_uint64 frame, ma_uint64 in0, ma_uint64 out0,
               ma_uint64 *landed)
{
    ma_uint64 in1, out1, length = 0, end, probed = 0;
    ma_result r;

    r = ma_data_source_seek_to_pcm_frame(decoder->pBackend, in0);
    if (r != MA_SUCCESS) {
        return r;
    }
    r = restart_at_grid(decoder, out0, frame, landed);
    if (r != MA_SUCCESS || *landed != out0 || out0 == 0) {
        return r; /* at the target, or the input ended after frames that decoded (or at 0) */
    }
    if (ma_data_source_get_length_in_pcm_frames(decoder->pBackend, &length) != MA_SUCCESS ||
        ((end = resampled_count(length, rate_in, decoder->outputSampleRate)) > out0 && length > 0) ||
        !resample_grid(decoder, end, &in1, &out1)) {
        /* within the stated length, or no length: not known.  (At the stated end itself, with
         * nothing after it, the input ends there: a seek one frame past the end of a 22050 Hz Ogg
         * Vorbis streamed at 44100 Hz landed "at" the target, past a length that is a claim.) */
        *landed = frame;
        return r;
    }
    if (out0 == frame) {
        if (length == 0) {
            /* Unknown length: not probed, since redoing the seek is not bit-exact for every
             * backend (Ogg Vorbis over a file object seeks from where it stands). */
            *landed = frame;
            return r;
        }
        r = drop_output(decoder, 1, &probed);
        if (r != MA_SUCCESS || probed == 1) {
            /* Audio there (past a stated end that understates): the seek again, as it was. */
            r = r != MA_SUCCESS ? r : ma_data_source_seek_to_pcm_frame(decoder->pBackend, in0);
            return r != MA_SUCCESS ? r : restart_at_grid(decoder, out0, frame, landed);
        }
    }
    r = ma_data_source_seek_to_pcm_frame(decoder->pBackend, in1);
    if (r != MA_SUCCESS) {
        return r;
    }
    r = restart_at_grid(decoder, out1, frame, landed);
    if (r == MA_SUCCESS && *landed == frame) {
        /* The input goes on to the target (a header that understates): restart at the target's own
         * grid point after all, so the samples are the ones every other input gets there (the
         * resampler's filter starts empty at a restart). */
        r = ma_data_source_seek_to_pcm_frame(decoder->pBackend, in0);
        return r != MA_SUCCESS ? r : restart_at_grid(decoder, out0, frame, landed);
    }
    if (r == MA_SUCCESS && *landed == out1 && out1 > 0 && out1 != end) {
        *landed = frame; /* nothing after a grid point before the stated end: not known */
    }
    return r;
}

ma_result
pyma_decoder_seek(ma_decoder *decoder, ma_uint64 frame, ma_uint64 *landed)
{
    ma_uint64 in0, out0;
    ma_uint32 rate_in = 0;

    *landed = frame;
    if (resample_grid(decoder, frame, &in0, &out0) &&
        ma_data_source_get_data_format(decoder->pBackend, NULL, NULL, &rate_in, NULL, 0) == MA_SUCCESS) {
        ma_uint64 now = decoder->readPointerInPCMFrames, cursor = 0, dropped = 0;
        ma_result r;
        if (frame >= now && ma_data_source_get_cursor_in_pcm_frames(decoder->pBackend, &cursor) == MA_SUCCESS &&
            cursor > in0) {
            /* A forward seek whose grid point the input has already been read past decodes on to
             * the target, as a pipe's must (pyma_decoder_skip_resampled cannot restart there), so
             * that every input gives the same frames after it.  (Restarting here gave the
             * resampler's warm-up at the grid point where a pipe gave decode()'s samples: a 45 Hz
             * WAV streamed at 8000 Hz, seek(1770) from 1768, found by the seek fuzz target.) */
            r = drop_output(decoder, frame - now, &dropped);
            *landed = now + dropped;
            return r;
        }
        return seek_resampled(decoder, rate_in, frame, in0, out0, landed);
    }
    return ma_decoder_seek_to_pcm_frame(decoder, frame);
}

ma_result
pyma_decoder_skip_resampled(ma_decoder *decoder, ma_uint64 frame, ma_uint64 *landed)
{
    ma_uint64 in0, out0, cursor = 0, got = 0, in_rate_frames;
    ma_uint8 scratch[8192];
    ma_uint32 rate_in = 0;
    ma_format fmt;
    ma_uint32 nch = 0, frame_bytes;
    ma_result r = MA_SUCCESS;

    if (!resample_grid(decoder, frame, &in0, &out0) ||
        ma_data_source_get_cursor_in_pcm_frames(decoder->pBackend, &cursor) != MA_SUCCESS || cursor > in0 ||
        ma_data_source_get_data_format(decoder->pBackend, &fmt, &nch, &rate_in, NULL, 0) != MA_SUCCESS) {
        return MA_NOT_IMPLEMENTED; /* no resampler, or the input was read past the grid point */
    }
    frame_bytes = ma_get_bytes_per_frame(fmt, nch);
    in_rate_frames = frame_bytes > 0 ? sizeof(scratch) / frame_bytes : 0;
    if (in_rate_frames == 0) {
        return MA_NOT_IMPLEMENTED;
    }
    while (cursor < in0) {
        got = 0;
        r = ma_data_source_read_pcm_frames(decoder->pBackend, scratch,
                                           in0 - cursor < in_rate_frames ? in0 - cursor : in_rate_frames, &got);
        cursor += got;
        if (r != MA_SUCCESS || got == 0) {
            break;
        }
    }
    if (cursor < in0) {
        /* The input ended first: the stream is at its end, the output frames of that many input
         * frames (what a seekable input's seek there and a read to the end give). */
        ma_data_converter_reset(&decoder->converter);
        *landed = resampled_count(cursor, rate_in, decoder->outputSampleRate);
        decoder->readPointerInPCMFrames = *landed;
        return r == MA_AT_END ? MA_SUCCESS : r;
    }
    return restart_at_grid(decoder, out0, frame, landed);
}

/* ---- WAV PCM read fast: decode()'s, decode_file()'s and streams' fast paths -----------------
 *
 * Both paths give the very bytes ma_decoder_read_pcm_frames gives; only the way there differs.
 *
 * Widened in place.  dr_wav converts integer PCM to a wider output (s16 -> f32, s24 -> s32,
 * u8 -> s16, ...) by reading 4 KiB at a time into a stack buffer and converting each sample from
 * there: for a path that is one read() system call per 4 KiB.  Here the raw samples of a block of
 * up to WAV_BLOCK_BYTES are read with ONE ma_dr_wav_read_pcm_frames call straight into the tail of
 * that block's own output region, and converted in place, front to back, by dr_wav's own public
 * converters (ma_dr_wav_s16_to_f32, ...), the very functions its read path calls, so every sample
 * is bit-identical.  The converters are handed only ranges that do not overlap (they vectorize
 * under that condition): while the gap between the unconverted input and the output front is
 * wide, a run that fits in the gap goes at once; the last few samples go through a small stack
 * copy.  Reading through ma_dr_wav_read_pcm_frames keeps everything dr_wav does per container
 * (RIFF, RIFX, RF64, W64, AIFF byte order, AIFF signed 8-bit, the data chunk's size, truncated
 * files), and the loop stops where dr_wav's own loop stops (a read that gives 0 frames).
 *
 * Large reads of a file on two threads (parread.c).  A read of at least PARALLEL_MIN_BYTES of a
 * WAV file's samples (a path: dr_wav reads it through a FILE) in a little-endian container (RIFF,
 * RF64, W64), whose output is either the file's bytes as they are (a file read to its own sample
 * format: dr_wav's raw reads) or widened as above, is cut into pieces of PARALLEL_PIECE_BYTES of
 * output that the calling thread and one helper take in turn.  Each piece is read with pread() at
 * its own offset into its own place in the output (and widened there, block by block, by the same
 * converters): every byte lands where the one-thread read puts it.  Afterwards dr_wav's cursor and
 * bytes remaining and the FILE's position move past what was read, as ma_dr_wav_read_raw moves
 * them.  A piece that comes up short (the file shrank under us, a read error) ends the fast part
 * at that frame; the usual path reads on from there and does what it always does.
 *
 * Used only when the decoder passes the backend's frames through unchanged (no channel, rate or
 * format conversion) and no data-source range or loop is set. */

#define WAV_BLOCK_BYTES ((size_t)256 << 10) /* raw bytes per read: the block stays in the L2 cache */
#define WAV_BOUNCE_BYTES 1024               /* the stack copy for the last samples of a block */
/* Reads of less than this many raw bytes stay on the calling thread: a thread costs tens of
 * microseconds to start, 8 MiB of samples about 1.5 ms to read. */
#define PARALLEL_MIN_BYTES ((ma_uint64)8 << 20)
/* Output bytes per piece: two huge pages (pcmbuf.c asks for them), so the threads rarely fault
 * the same one. */
#define PARALLEL_PIECE_BYTES ((ma_uint64)4 << 20)

/* The dr_wav reader of a decoder that passes a plain WAV backend's frames through unchanged, or
 * NULL; *format is the backend's output format, *file the FILE dr_wav reads (a path) or NULL. */
static ma_dr_wav *
plain_wav(ma_decoder *decoder, ma_format *format, FILE **file)
{
    ma_wav *wav;
    ma_data_source_base *base;

    *file = NULL;
    if (decoder->pBackendVTable != &g_ma_decoding_backend_vtable_wav || !decoder->converter.isPassthrough ||
        decoder->pBackend == NULL) {
        return NULL;
    }
    wav = (ma_wav *)decoder->pBackend;
    base = &wav->ds;
    if (base->rangeEndInFrames != ~(ma_uint64)0 || base->rangeBegInFrames != 0 || base->pNext != NULL ||
        base->pCurrent != (ma_data_source *)wav || ma_data_source_is_looping(base)) {
        return NULL; /* never set by us; ma_data_source_read_pcm_frames would honour them */
    }
    *format = wav->format;
    if (wav->dr.onRead == ma_dr_wav__on_read_stdio) {
        *file = (FILE *)wav->dr.pUserData; /* a path: ma_wav_init_file opened it with ma_dr_wav_init_file */
    }
    return &wav->dr;
}

typedef void (*wav_widen_fn)(void *out, const ma_uint8 *in, size_t samples);

/* dr_wav's converters, as its __pcm_to_<format> dispatch picks them by input width. */
static void widen_u8_s16(void *o, const ma_uint8 *i, size_t n) { ma_dr_wav_u8_to_s16((ma_int16 *)o, i, n); }
static void widen_u8_s32(void *o, const ma_uint8 *i, size_t n) { ma_dr_wav_u8_to_s32((ma_int32 *)o, i, n); }
static void widen_s16_s32(void *o, const ma_uint8 *i, size_t n) { ma_dr_wav_s16_to_s32((ma_int32 *)o, (const ma_int16 *)i, n); }
static void widen_s24_s32(void *o, const ma_uint8 *i, size_t n) { ma_dr_wav_s24_to_s32((ma_int32 *)o, i, n); }
static void widen_u8_f32(void *o, const ma_uint8 *i, size_t n) { ma_dr_wav_u8_to_f32((float *)o, i, n); }
static void widen_s16_f32(void *o, const ma_uint8 *i, size_t n) { ma_dr_wav_s16_to_f32((float *)o, (const ma_int16 *)i, n); }
static void widen_s24_f32(void *o, const ma_uint8 *i, size_t n) { ma_dr_wav_s24_to_f32((float *)o, i, n); }
static void widen_s32_f32(void *o, const ma_uint8 *i, size_t n) { ma_dr_wav_s32_to_f32((float *)o, (const ma_int32 *)i, n); }

/* How dr_wav produces `format` from this file: 1 with *widen NULL when its read is the file's bytes
 * as they are (ma_wav_read_pcm_frames' raw reads), 1 with *widen set when it widens plain integer
 * PCM through its converting loops, 0 otherwise (compressed codecs, floats of other widths,
 * narrowing).  *in_width / *out_width are the bytes per sample. */
static int
wav_read_kind(const ma_dr_wav *dr, ma_format format, wav_widen_fn *widen, ma_uint32 *in_width, ma_uint32 *out_width)
{
    ma_uint32 bits = dr->bitsPerSample;

    *widen = NULL;
    if (dr->channels == 0 || (bits & 7) != 0 || bits < 8 || bits > 32 ||
        ma_dr_wav_get_bytes_per_pcm_frame((ma_dr_wav *)dr) != dr->channels * (bits / 8)) {
        return 0;
    }
    *in_width = bits / 8;
    *out_width = ma_get_bytes_per_sample(format);
    if (dr->translatedFormatTag == MA_DR_WAVE_FORMAT_IEEE_FLOAT) {
        return format == ma_format_f32 && bits == 32; /* a float file read as floats */
    }
    if (dr->translatedFormatTag != MA_DR_WAVE_FORMAT_PCM) {
        return 0;
    }
    switch (format) {
    case ma_format_u8: return bits == 8;
    case ma_format_s24: return bits == 24;
    case ma_format_s16:
        if (bits == 16) {
            return 1;
        }
        *widen = bits == 8 ? widen_u8_s16 : NULL; /* 24/32 narrow */
        break;
    case ma_format_s32:
        if (bits == 32) {
            return 1;
        }
        *widen = bits == 8 ? widen_u8_s32 : bits == 16 ? widen_s16_s32 : widen_s24_s32;
        break;
    case ma_format_f32:
        *widen = bits == 8 ? widen_u8_f32 : bits == 16 ? widen_s16_f32 : bits == 24 ? widen_s24_f32 : widen_s32_f32;
        break;
    default:
        break;
    }
    return *widen != NULL;
}

/* Converts `samples` samples whose raw bytes start `gap` bytes after `out` (gap >= samples *
 * (out_width - in_width)), front to back, into out.  Every converter call gets an output range that
 * ends before its input begins. */
static void
widen_in_place(wav_widen_fn widen, char *out, size_t gap, size_t samples, ma_uint32 in_width, ma_uint32 out_width)
{
    ma_uint8 bounce[WAV_BOUNCE_BYTES];
    size_t run;

    while (samples > 0) {
        run = gap / out_width; /* outputs that end before the first unconverted input byte */
        if (run >= 64) {
            if (run > samples) {
                run = samples;
            }
            widen(out, (const ma_uint8 *)out + gap, run);
        }
        else {
            run = sizeof(bounce) / in_width < samples ? sizeof(bounce) / in_width : samples;
            memcpy(bounce, out + gap, run * in_width);
            widen(out, bounce, run);
        }
        out += run * out_width;
        gap -= run * (out_width - in_width);
        samples -= run;
    }
}

#ifdef PYMA_HAVE_PARALLEL_READ

/* One read on two threads: output frames [0, frames) from file offset `offset`. */
typedef struct {
    int fd;
    ma_uint64 offset;
    char *out;
    ma_uint32 in_frame, out_frame, in_width, out_width, channels;
    wav_widen_fn widen;
} wav_par_read;

/* A piece (pyma_piece_fn): frames [first, first + count) into place; returns how many of them are
 * complete from `first` on (count unless the file came up short). */
static ma_uint64
wav_read_piece(void *ctx, ma_uint64 first, ma_uint64 count)
{
    const wav_par_read *job = (const wav_par_read *)ctx;
    ma_uint64 done = 0, want, block, got;
    char *front;
    size_t gap;

    if (job->widen == NULL) {
        got = pyma_pread(job->fd, job->out + first * job->out_frame, (size_t)(count * job->in_frame),
                         job->offset + first * job->in_frame);
        return got / job->in_frame;
    }
    block = WAV_BLOCK_BYTES / job->in_frame > 0 ? WAV_BLOCK_BYTES / job->in_frame : 1;
    while (done < count) {
        want = count - done < block ? count - done : block;
        front = job->out + (first + done) * job->out_frame;
        gap = (size_t)(want * (job->out_frame - job->in_frame)); /* the raw frames go to the block's end */
        got = pyma_pread(job->fd, front + gap, (size_t)(want * job->in_frame),
                         job->offset + (first + done) * job->in_frame) / job->in_frame;
        widen_in_place(job->widen, front, gap, (size_t)(got * job->channels), job->in_width, job->out_width);
        done += got;
        if (got < want) {
            break;
        }
    }
    return done;
}

/* The read on two threads where it applies: returns the frames read into out (0 when it does not
 * apply or read nothing; then nothing moved). */
static ma_uint64
wav_read_parallel(ma_dr_wav *dr, FILE *file, void *out, ma_uint64 frames, wav_widen_fn widen, ma_uint32 in_width,
                  ma_uint32 out_width)
{
    wav_par_read job;
    ma_uint64 in_frame = (ma_uint64)in_width * dr->channels, left, got;
    off_t at;

    if (file == NULL || (dr->container != ma_dr_wav_container_riff && dr->container != ma_dr_wav_container_rf64 &&
                         dr->container != ma_dr_wav_container_w64)) {
        return 0;
    }
    /* as ma_dr_wav_read_pcm_frames_le and ma_dr_wav_read_raw bound a read */
    left = dr->totalPCMFrameCount > dr->readCursorInPCMFrames ? dr->totalPCMFrameCount - dr->readCursorInPCMFrames
                                                              : 0;
    if (left > dr->bytesRemaining / in_frame) {
        left = dr->bytesRemaining / in_frame;
    }
    if (frames > left) {
        frames = left;
    }
    if (frames * in_frame < PARALLEL_MIN_BYTES) { /* (no overflow: frames * in_frame <= bytesRemaining) */
        return 0;
    }
    at = ftello(file); /* where dr_wav's next read starts */
    if (at < 0) {
        return 0;
    }
    job.fd = fileno(file);
    job.offset = (ma_uint64)at;
    job.out = (char *)out;
    job.channels = dr->channels;
    job.in_width = in_width;
    job.out_width = out_width;
    job.in_frame = (ma_uint32)in_frame;
    job.out_frame = out_width * dr->channels;
    job.widen = widen;
    got = pyma_read_pieces(frames, PARALLEL_PIECE_BYTES / job.out_frame, wav_read_piece, &job);
    if (got == 0 || fseeko(file, at + (off_t)(got * in_frame), SEEK_SET) != 0) {
        return 0; /* nothing moved: the usual path reads these frames */
    }
    dr->readCursorInPCMFrames += got;
    dr->bytesRemaining -= got * in_frame;
    return got;
}

#endif /* PYMA_HAVE_PARALLEL_READ */

ma_result
pyma_decoder_read(ma_decoder *decoder, void *out, ma_uint64 frames, ma_uint64 *got)
{
    ma_uint32 in_width = 0, out_width = 0, channels;
    ma_format format = ma_format_unknown;
    FILE *file = NULL;
    ma_dr_wav *dr = frames >= 64 ? plain_wav(decoder, &format, &file) : NULL;
    wav_widen_fn widen = NULL;
    ma_uint64 done = 0, block, want, step, out_frame, in_frame;
    size_t gap;
    char *front;

    if (dr == NULL || !wav_read_kind(dr, format, &widen, &in_width, &out_width)) {
        return ma_decoder_read_pcm_frames(decoder, out, frames, got);
    }
#ifdef PYMA_HAVE_PARALLEL_READ
    done = wav_read_parallel(dr, file, out, frames, widen, in_width, out_width);
#else
    (void)file;
#endif
    if (widen == NULL) {
        /* the file's bytes as they are: (the rest) as dr_wav reads it */
        if (done == 0) {
            return ma_decoder_read_pcm_frames(decoder, out, frames, got);
        }
        decoder->readPointerInPCMFrames += done; /* the parallel part, as ma_decoder_read_pcm_frames counts */
        step = 0;
        if (done < frames) {
            (void)ma_decoder_read_pcm_frames(decoder, (char *)out + done * out_width * dr->channels, frames - done,
                                             &step);
        }
        *got = done + step;
        return MA_SUCCESS;
    }
    channels = dr->channels;
    out_frame = (ma_uint64)out_width * channels;
    in_frame = (ma_uint64)in_width * channels;
    block = WAV_BLOCK_BYTES / in_frame > 0 ? WAV_BLOCK_BYTES / in_frame : 1;
    while (done < frames) {
        want = frames - done < block ? frames - done : block;
        front = (char *)out + done * out_frame;
        gap = (size_t)(want * (out_frame - in_frame)); /* the raw frames go to the end of this block's output */
        step = ma_dr_wav_read_pcm_frames(dr, want, front + gap);
        if (step == 0) {
            break; /* where dr_wav's own loop stops */
        }
        widen_in_place(widen, front, gap, (size_t)(step * channels), in_width, out_width);
        done += step;
    }
    decoder->readPointerInPCMFrames += done; /* as ma_decoder_read_pcm_frames keeps it */
    *got = done;
    return done == 0 ? MA_AT_END : MA_SUCCESS;
}
