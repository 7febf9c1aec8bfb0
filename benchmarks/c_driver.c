/*
 * c_driver.c -- "speed limit" reference for benchmarks/bench_decode.py.
 *
 * Decodes one audio file N times with the plain miniaudio C API and prints
 * per-decode wall-clock times.  It is built at benchmark time from the same
 * fetched miniaudio.h / stb_vorbis.c the Python package is built from, with
 * the same feature macros, so its timings are what the decoders themselves
 * cost with no Python in the way.
 *
 * Two ways of decoding are timed, interleaved:
 *   loop        ma_decoder_init_file, ma_decoder_get_length_in_pcm_frames,
 *               one malloc of exactly that size, ma_decoder_read_pcm_frames
 *               until the end, ma_decoder_uninit.  (If the length is unknown
 *               the buffer grows by doubling.)
 *   decode_file ma_decode_file (what miniaudio 1.71 calls), then ma_free.
 * Every decode allocates and frees its own output buffer, as decode_file()
 * in Python must (so page-fault cost of fresh memory is included).
 *
 * Usage:
 *   c_driver FILE FORMAT CHANNELS RATE N [MODE [DUMPFILE]]
 *     FORMAT   u8 | s16 | s24 | s32 | f32
 *     CHANNELS output channels (use the file's own to avoid channel mixing)
 *     RATE     output sample rate (use the file's own to avoid resampling)
 *     N        number of decodes per mode
 *     MODE     loop | decode_file | both   (default: both)
 *     DUMPFILE if given, the raw output of one extra (untimed) loop decode is
 *              written there, for checking other implementations against it.
 *
 * Output (one line per mode, machine readable):
 *   <mode> frames=<n> bytes=<n> best_ms=<x> median_ms=<x> times_ms=<t1>,<t2>,...
 */
#define MA_NO_ENCODING
#define MA_NO_GENERATION
#define MA_NO_RESOURCE_MANAGER
#define MA_NO_NODE_GRAPH
#define MA_NO_ENGINE

#define STB_VORBIS_HEADER_ONLY
#include "stb_vorbis.c"
#define MINIAUDIO_IMPLEMENTATION
#include "miniaudio.h"
#undef STB_VORBIS_HEADER_ONLY
#include "stb_vorbis.c"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Decode with an ma_decoder read loop into one buffer.  Returns 0 on success. */
static int decode_loop(const char *path, const ma_decoder_config *cfg,
                       void **out, ma_uint64 *out_frames)
{
    ma_decoder dec;
    ma_uint64 total = 0, cap = 0, got = 0;
    ma_uint32 bpf;
    unsigned char *buf = NULL;

    if (ma_decoder_init_file(path, cfg, &dec) != MA_SUCCESS)
        return 1;
    bpf = ma_get_bytes_per_frame(dec.outputFormat, dec.outputChannels);
    if (ma_decoder_get_length_in_pcm_frames(&dec, &cap) != MA_SUCCESS)
        cap = 0;
    /* +1 frame so that a correct length is confirmed by a read returning 0
       without having to grow. */
    if (cap == 0)
        cap = 4096;
    else
        cap += 1;
    buf = (unsigned char *)malloc((size_t)(cap * bpf));
    if (buf == NULL) {
        ma_decoder_uninit(&dec);
        return 1;
    }
    for (;;) {
        ma_result r;
        if (total == cap) {
            unsigned char *nb;
            cap *= 2;
            nb = (unsigned char *)realloc(buf, (size_t)(cap * bpf));
            if (nb == NULL) {
                free(buf);
                ma_decoder_uninit(&dec);
                return 1;
            }
            buf = nb;
        }
        got = 0;
        r = ma_decoder_read_pcm_frames(&dec, buf + total * bpf, cap - total, &got);
        total += got;
        if (r != MA_SUCCESS || got == 0)
            break;
    }
    ma_decoder_uninit(&dec);
    *out = buf;
    *out_frames = total;
    return 0;
}

static void report(const char *mode, double *t, int n, ma_uint64 frames, ma_uint32 bpf)
{
    double *s = (double *)malloc(sizeof(double) * (size_t)n);
    int i;
    double median;
    memcpy(s, t, sizeof(double) * (size_t)n);
    qsort(s, (size_t)n, sizeof(double), cmp_double);
    median = (n % 2) ? s[n / 2] : 0.5 * (s[n / 2 - 1] + s[n / 2]);
    printf("%s frames=%llu bytes=%llu best_ms=%.4f median_ms=%.4f times_ms=",
           mode, (unsigned long long)frames, (unsigned long long)(frames * bpf),
           s[0], median);
    for (i = 0; i < n; i++)
        printf(i ? ",%.4f" : "%.4f", t[i]);
    printf("\n");
    free(s);
}

static int parse_format(const char *s, ma_format *f)
{
    if (!strcmp(s, "u8")) *f = ma_format_u8;
    else if (!strcmp(s, "s16")) *f = ma_format_s16;
    else if (!strcmp(s, "s24")) *f = ma_format_s24;
    else if (!strcmp(s, "s32")) *f = ma_format_s32;
    else if (!strcmp(s, "f32")) *f = ma_format_f32;
    else return 1;
    return 0;
}

int main(int argc, char **argv)
{
    const char *path, *mode = "both", *dump = NULL;
    ma_format fmt;
    ma_uint32 channels, rate, bpf;
    ma_decoder_config cfg;
    int n, i, do_loop, do_df;
    double *t_loop, *t_df;
    ma_uint64 frames_loop = 0, frames_df = 0;

    if (argc < 6 || parse_format(argv[2], &fmt)) {
        fprintf(stderr, "usage: %s FILE u8|s16|s24|s32|f32 CHANNELS RATE N "
                        "[loop|decode_file|both [DUMPFILE]]\n", argv[0]);
        return 2;
    }
    path = argv[1];
    channels = (ma_uint32)atoi(argv[3]);
    rate = (ma_uint32)atoi(argv[4]);
    n = atoi(argv[5]);
    if (argc > 6) mode = argv[6];
    if (argc > 7) dump = argv[7];
    if (n < 1) n = 1;
    do_loop = !strcmp(mode, "loop") || !strcmp(mode, "both");
    do_df = !strcmp(mode, "decode_file") || !strcmp(mode, "both");
    if (!do_loop && !do_df) {
        fprintf(stderr, "bad mode %s\n", mode);
        return 2;
    }

    cfg = ma_decoder_config_init(fmt, channels, rate);
    cfg.ditherMode = ma_dither_mode_none;
    bpf = ma_get_bytes_per_frame(fmt, channels);

    t_loop = (double *)calloc((size_t)n, sizeof(double));
    t_df = (double *)calloc((size_t)n, sizeof(double));

    for (i = 0; i < n; i++) {
        /* Alternate which mode goes first so neither always gets the warm
           cache / turbo advantage. */
        int k;
        for (k = 0; k < 2; k++) {
            int which = (i + k) % 2; /* 0 = loop, 1 = decode_file */
            void *buf = NULL;
            ma_uint64 frames = 0;
            double t0, t1;
            if (which == 0 && do_loop) {
                t0 = now_ms();
                if (decode_loop(path, &cfg, &buf, &frames)) {
                    fprintf(stderr, "decode failed: %s\n", path);
                    return 1;
                }
                free(buf);
                t1 = now_ms();
                t_loop[i] = t1 - t0;
                frames_loop = frames;
            } else if (which == 1 && do_df) {
                t0 = now_ms();
                if (ma_decode_file(path, &cfg, &frames, &buf) != MA_SUCCESS) {
                    fprintf(stderr, "ma_decode_file failed: %s\n", path);
                    return 1;
                }
                ma_free(buf, NULL);
                t1 = now_ms();
                t_df[i] = t1 - t0;
                frames_df = frames;
            }
        }
    }
    if (do_loop) report("loop", t_loop, n, frames_loop, bpf);
    if (do_df) report("decode_file", t_df, n, frames_df, bpf);

    if (dump != NULL) {
        void *buf = NULL;
        ma_uint64 frames = 0;
        FILE *f;
        if (decode_loop(path, &cfg, &buf, &frames)) {
            fprintf(stderr, "decode failed: %s\n", path);
            return 1;
        }
        f = fopen(dump, "wb");
        if (f == NULL || fwrite(buf, bpf, (size_t)frames, f) != (size_t)frames) {
            fprintf(stderr, "cannot write %s\n", dump);
            return 1;
        }
        fclose(f);
        free(buf);
    }
    free(t_loop);
    free(t_df);
    return 0;
}
