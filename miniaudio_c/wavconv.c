/* wavconv.c: samples in a Python type converted to a WAV file's sample format, by the rules
 * pedalboard.io's AudioFile writes with (measured against pedalboard 0.9, not copied from it).
 *
 * Every input sample is first taken to 32-bit full scale, then cut down to the file's width:
 *   - integers are left-aligned: int8 << 24, int16 << 16, int32 as it is;
 *   - floats (float64 is first rounded to float32) become round(x * 2147483647), ties to even,
 *     with x <= -1 giving INT32_MIN, x >= 1 INT32_MAX and NaN 0 (out-of-range values clip);
 *   - a 32-bit value v is stored in an integer file as v >> (32 - bits) (an arithmetic shift:
 *     it rounds down, so 0.5 in 16 bits is 16384 and -0.5 is -16384), 8-bit files adding 128
 *     (WAV's 8-bit samples are unsigned);
 *   - a float file (bit_depth 32) stores floats as they are (no clipping, as pedalboard and
 *     soundfile) and integers as v / 2**31 (int16 s: s / 32768 exactly).
 * Output is little-endian, as WAV stores it.  No Python API anywhere in this file: it runs with
 * the GIL released over views the caller holds.
 */
#include "_miniaudio.h"

#include <float.h>
#include <string.h>

/* Samples per block: gathered into 32-bit values (ints or floats), then stored. */
#define CONV_BLOCK 1024

/* pedalboard's float -> 32-bit full scale: round(x * (2**31 - 1)), ties to even (1.5 * 2**52
 * added to the double leaves the rounded integer in the low bits of its mantissa: exact for any
 * |value| < 2**51), clipped at +-1, NaN 0. */
static inline ma_int32
float_to_s32(float x)
{
    double d;
    ma_uint64 bits;

    if (!(x > -1.0f)) {
        return x <= -1.0f ? (ma_int32)0x80000000u : 0; /* -1 and below, or NaN */
    }
    if (x >= 1.0f) {
        return 0x7FFFFFFF;
    }
    d = (double)x * 2147483647.0 + 6755399441055744.0;
    memcpy(&bits, &d, 8);
    return (ma_int32)(ma_uint32)bits;
}

static inline float
double_to_float(double x)
{
    return x > FLT_MAX ? (float)INFINITY : x < -FLT_MAX ? -(float)INFINITY : (float)x;
}

/* float32 samples to a float file on a little-endian machine: the bytes as they are, interleaved
 * from planar data a block of frames at a time (each channel's run read in order). */
static void
f32_to_f32(unsigned char *o, const float *src, ma_uint32 channels, int planar, ma_uint64 total, ma_uint64 first,
           ma_uint64 frames)
{
    ma_uint64 f, step, k;
    ma_uint32 c;
    size_t frame = (size_t)channels * 4;

    if (!planar) {
        memcpy(o, src + first * channels, (size_t)frames * frame);
        return;
    }
    for (f = 0; f < frames; f += step) {
        step = frames - f < CONV_BLOCK ? frames - f : CONV_BLOCK;
        if (channels == 2) {
            const float *l = src + first + f, *r = src + total + first + f;
            unsigned char *d = o + (size_t)f * 8;
            for (k = 0; k < step; k++) {
                memcpy(d + 8 * k, l + k, 4);
                memcpy(d + 8 * k + 4, r + k, 4);
            }
            continue;
        }
        for (c = 0; c < channels; c++) {
            const float *p = src + (ma_uint64)c * total + first + f;
            unsigned char *d = o + (size_t)f * frame + (size_t)c * 4;
            for (k = 0; k < step; k++) {
                memcpy(d + k * frame, p + k, 4);
            }
        }
    }
}

/* One sample of (frame f, channel c): planar data holds channel c's `total` samples together. */
#define AT(T, f, c) (((const T *)src)[planar ? (ma_uint64)(c) * total + (f) : (f) * (ma_uint64)channels + (c)])

void
pyma_wav_convert(void *dst, ma_format out, const void *src, int kind, ma_uint32 channels, int planar,
                 ma_uint64 total, ma_uint64 first, ma_uint64 frames)
{
    unsigned char *o = (unsigned char *)dst;
    ma_uint64 per_block = CONV_BLOCK / channels, f, end, step;
    ma_uint32 c;
    size_t n, k;
    int as_float; /* the block holds floats (float input) rather than 32-bit integers */
    union {
        float f[CONV_BLOCK];
        ma_int32 i[CONV_BLOCK];
    } tmp;

    if (kind == PYMA_WAV_IN_RAW) { /* bytes of the file's own format, interleaved */
        size_t frame = (size_t)channels * (size_t)pyma_format_info_get(out)->width;
        memcpy(o, (const unsigned char *)src + first * frame, (size_t)frames * frame);
        return;
    }
    if (kind == PYMA_WAV_IN_F32 && out == ma_format_f32 && PY_LITTLE_ENDIAN) {
        f32_to_f32(o, (const float *)src, channels, planar, total, first, frames);
        return;
    }
    if (per_block == 0) {
        per_block = 1; /* never: channels <= MA_MAX_CHANNELS */
    }
    as_float = kind == PYMA_WAV_IN_F32 || kind == PYMA_WAV_IN_F64;
    for (f = first, end = first + frames; f < end; f += step) {
        step = end - f < per_block ? end - f : per_block;
        n = 0;
        /* gather */
        switch (kind) {
        case PYMA_WAV_IN_S8:
            for (k = 0; k < step; k++) {
                for (c = 0; c < channels; c++) {
                    tmp.i[n++] = (ma_int32)((ma_uint32)(ma_int32)AT(ma_int8, f + k, c) << 24);
                }
            }
            break;
        case PYMA_WAV_IN_S16:
            for (k = 0; k < step; k++) {
                for (c = 0; c < channels; c++) {
                    tmp.i[n++] = (ma_int32)((ma_uint32)(ma_int32)AT(ma_int16, f + k, c) << 16);
                }
            }
            break;
        case PYMA_WAV_IN_S32:
            for (k = 0; k < step; k++) {
                for (c = 0; c < channels; c++) {
                    tmp.i[n++] = AT(ma_int32, f + k, c);
                }
            }
            break;
        case PYMA_WAV_IN_F32:
            for (k = 0; k < step; k++) {
                for (c = 0; c < channels; c++) {
                    tmp.f[n++] = AT(float, f + k, c);
                }
            }
            break;
        case PYMA_WAV_IN_F64:
            for (k = 0; k < step; k++) {
                for (c = 0; c < channels; c++) {
                    tmp.f[n++] = double_to_float(AT(double, f + k, c));
                }
            }
            break;
        default:
            return; /* not a kind (RAW was copied above) */
        }
        /* store */
        if (out == ma_format_f32) {
            for (k = 0; k < n; k++) {
                float x = as_float ? tmp.f[k] : (float)tmp.i[k] * (1.0f / 2147483648.0f);
                ma_uint32 b;
                memcpy(&b, &x, 4);
                o[0] = (unsigned char)b;
                o[1] = (unsigned char)(b >> 8);
                o[2] = (unsigned char)(b >> 16);
                o[3] = (unsigned char)(b >> 24);
                o += 4;
            }
            continue;
        }
        if (as_float) {
            for (k = 0; k < n; k++) {
                tmp.i[k] = float_to_s32(tmp.f[k]);
            }
        }
        switch (out) {
        case ma_format_u8:
            for (k = 0; k < n; k++) {
                *o++ = (unsigned char)((tmp.i[k] >> 24) + 128);
            }
            break;
        case ma_format_s16:
            for (k = 0; k < n; k++) {
                ma_int32 v = tmp.i[k] >> 16;
                o[0] = (unsigned char)v;
                o[1] = (unsigned char)(v >> 8);
                o += 2;
            }
            break;
        case ma_format_s24:
            for (k = 0; k < n; k++) {
                ma_int32 v = tmp.i[k] >> 8;
                o[0] = (unsigned char)v;
                o[1] = (unsigned char)(v >> 8);
                o[2] = (unsigned char)(v >> 16);
                o += 3;
            }
            break;
        default: /* s32 */
            for (k = 0; k < n; k++) {
                ma_uint32 v = (ma_uint32)tmp.i[k];
                o[0] = (unsigned char)v;
                o[1] = (unsigned char)(v >> 8);
                o[2] = (unsigned char)(v >> 16);
                o[3] = (unsigned char)(v >> 24);
                o += 4;
            }
            break;
        }
    }
}
