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

ma_result
pyma_decoder_seek(ma_decoder *decoder, ma_uint64 frame)
{
    /* dr_mp3 counts its position including the encoder delay (LAME header), and its brute-force
     * forward seek subtracts that position from the target: seeking forward from anywhere but
     * the start lands `delay` frames early.  Rewinding first makes every seek start from 0,
     * where the arithmetic is right. */
    if (decoder->pBackendVTable == &g_ma_decoding_backend_vtable_mp3 && frame > 0) {
        ma_mp3 *mp3 = (ma_mp3 *)decoder->pBackend;
        if (mp3->dr.delayInPCMFrames > 0 && mp3->dr.currentPCMFrame > 0 && mp3->dr.pSeekPoints == NULL) {
            ma_uint64 was = 0;
            ma_result r;
            ma_decoder_get_cursor_in_pcm_frames(decoder, &was);
            r = ma_decoder_seek_to_pcm_frame(decoder, 0);
            if (r != MA_SUCCESS) {
                return r;
            }
            r = ma_decoder_seek_to_pcm_frame(decoder, frame);
            if (r != MA_SUCCESS && was > 0) {
                /* Past the end: dr_mp3 went back to where this seek started it (0, patch 0038);
                 * from there the frame we left is reached right, so a failed seek moves nothing. */
                ma_decoder_seek_to_pcm_frame(decoder, was);
            }
            return r;
        }
    }
    return ma_decoder_seek_to_pcm_frame(decoder, frame);
}

/* dr_wav write callback on a FILE*; no Python API. */
static size_t
wav_write_to_file(void *user, const void *data, size_t size)
{
    return fwrite(data, 1, size, (FILE *)user);
}

ma_result
pyma_wav_write(FILE *file, const pyma_format_info *format, ma_uint32 channels, ma_uint32 sample_rate,
               const void *data, ma_uint64 frames)
{
    ma_dr_wav wav;
    ma_dr_wav_data_format wavfmt;
    ma_uint64 written;
    ma_uint64 bytes = frames * channels * (ma_uint64)format->width;

    wavfmt.container = bytes > 0xFFFFFF00u ? ma_dr_wav_container_rf64 : ma_dr_wav_container_riff;
    wavfmt.format = format->format == ma_format_f32 ? MA_DR_WAVE_FORMAT_IEEE_FLOAT : MA_DR_WAVE_FORMAT_PCM;
    wavfmt.channels = channels;
    wavfmt.sampleRate = sample_rate;
    wavfmt.bitsPerSample = (ma_uint32)format->width * 8;
    if (!ma_dr_wav_init_write_sequential_pcm_frames(&wav, &wavfmt, frames, wav_write_to_file, file, NULL)) {
        return MA_IO_ERROR;
    }
    written = ma_dr_wav_write_pcm_frames(&wav, frames, data);
    ma_dr_wav_uninit(&wav); /* writes the padding byte, if any */
    return written == frames ? MA_SUCCESS : MA_IO_ERROR;
}
