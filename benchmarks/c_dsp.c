/* c_dsp.c: the C reference of bench_dsp.py, miniaudio's DSP called straight from C.
 *
 * Reads interleaved float32 frames from a raw file and times, over that whole buffer:
 *   lpf4  ma_lpf (order 4) over a fresh copy of the input (malloc + memcpy + filter + free); also
 *         lpf4-blocks (in 1024-frame blocks) and lpf4-io (from the input into a new buffer)
 *   peak  ma_peak2 the same ways (peak, peak-blocks, peak-io)
 *   conv  ma_data_converter f32 -> f32, same channels, RATE -> 2 x RATE (linear resampler, its
 *         low-pass of order 4, no dither: miniaudio.Converter's defaults), into a malloc'ed
 *         buffer of the expected size, then freed
 * The filters and converter are initialised outside the timed part, as the Python side makes its
 * processors outside it.  Compiled by bench_dsp.py against the same patched miniaudio.h and with
 * the same macros as the package.
 *
 * usage: c_dsp FILE CHANNELS RATE REPEATS CUTOFF PEAK_FREQ PEAK_GAIN_DB PEAK_Q [lpf|peak|conv|all]
 * prints, per op: "<op> frames=<n> out_frames=<n> times_ms=<t1>,<t2>,..."
 */
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
#ifdef __linux__
#include <sys/mman.h>
#endif

static double
now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* A big buffer as numpy makes one (and the package's decoders' pcmbuf.c): 2 MiB aligned and, on
 * Linux, advised to use transparent huge pages, so that a fresh 21 MB buffer costs the same page
 * faults here as in Python. */
static void *
big_alloc(size_t size)
{
    size_t align = (size_t)2 << 20;
    void *p = aligned_alloc(align, (size + align - 1) / align * align);
#if defined(__linux__) && defined(MADV_HUGEPAGE)
    if (p != NULL) {
        madvise(p, (size + align - 1) / align * align, MADV_HUGEPAGE);
    }
#endif
    return p;
}

static void
print_times(const char *op, ma_uint64 frames, ma_uint64 out_frames, const double *t, int n)
{
    int i;
    printf("%s frames=%llu out_frames=%llu times_ms=", op, (unsigned long long)frames,
           (unsigned long long)out_frames);
    for (i = 0; i < n; i++) {
        printf(i ? ",%.4f" : "%.4f", t[i] * 1e3);
    }
    printf("\n");
    fflush(stdout);
}

int
main(int argc, char **argv)
{
    FILE *f;
    long size;
    float *in;
    ma_uint32 ch, rate;
    ma_uint64 frames;
    int repeats, i, kind, mode;
    double cutoff, peak_freq, peak_gain, peak_q, *t;
    const char *only;
    volatile float sink = 0;

    if (argc != 9 && argc != 10) {
        fprintf(stderr, "usage: c_dsp FILE CHANNELS RATE REPEATS CUTOFF PEAK_FREQ PEAK_GAIN_DB PEAK_Q "
                        "[lpf|peak|conv|all]\n");
        return 2;
    }
    only = argc == 10 ? argv[9] : "all";
    ch = (ma_uint32)atoi(argv[2]);
    rate = (ma_uint32)atoi(argv[3]);
    repeats = atoi(argv[4]);
    cutoff = atof(argv[5]);
    peak_freq = atof(argv[6]);
    peak_gain = atof(argv[7]);
    peak_q = atof(argv[8]);
    f = fopen(argv[1], "rb");
    if (f == NULL) {
        perror(argv[1]);
        return 1;
    }
    fseek(f, 0, SEEK_END);
    size = ftell(f);
    fseek(f, 0, SEEK_SET);
    in = malloc((size_t)size);
    if (in == NULL || fread(in, 1, (size_t)size, f) != (size_t)size) {
        fprintf(stderr, "cannot read %s\n", argv[1]);
        return 1;
    }
    fclose(f);
    frames = (ma_uint64)size / (sizeof(float) * ch);
    t = calloc((size_t)repeats, sizeof(double));

    /* The filters, three ways each: "whole" in place over the whole copy (miniaudio's in-place
     * path runs each section over all frames in turn), "blocks" in place in blocks of 1024 frames
     * (what the package does: every section's pass stays in the cache) and "io" from the input
     * into a new buffer (miniaudio's copying path, all sections per frame). */
    for (kind = 0; kind < 2; kind++) {
        if (strcmp(only, "all") != 0 && strcmp(only, kind == 0 ? "lpf" : "peak") != 0) {
            continue;
        }
        for (mode = 0; mode < 3; mode++) {
            static const char *names[2][3] = {{"lpf4", "lpf4-blocks", "lpf4-io"},
                                              {"peak", "peak-blocks", "peak-io"}};
            for (i = 0; i < repeats; i++) {
                ma_lpf lpf;
                ma_peak2 peak;
                float *work;
                double t0;
                ma_uint64 done, step;
                if (kind == 0) {
                    ma_lpf_config c = ma_lpf_config_init(ma_format_f32, ch, rate, cutoff, 4);
                    if (ma_lpf_init(&c, NULL, &lpf) != MA_SUCCESS) {
                        return 1;
                    }
                } else {
                    ma_peak2_config c = ma_peak2_config_init(ma_format_f32, ch, rate, peak_gain, peak_q, peak_freq);
                    if (ma_peak2_init(&c, NULL, &peak) != MA_SUCCESS) {
                        return 1;
                    }
                }
                t0 = now();
                work = big_alloc((size_t)size);
                if (mode == 2) {
                    if (kind == 0) {
                        ma_lpf_process_pcm_frames(&lpf, work, in, frames);
                    } else {
                        ma_peak2_process_pcm_frames(&peak, work, in, frames);
                    }
                } else {
                    memcpy(work, in, (size_t)size);
                    step = mode == 0 ? frames : 1024;
                    for (done = 0; done < frames; done += step) {
                        ma_uint64 n = frames - done < step ? frames - done : step;
                        float *p = work + done * ch;
                        if (kind == 0) {
                            ma_lpf_process_pcm_frames(&lpf, p, p, n);
                        } else {
                            ma_peak2_process_pcm_frames(&peak, p, p, n);
                        }
                    }
                }
                sink += work[frames * ch / 2];
                free(work);
                t[i] = now() - t0;
                if (kind == 0) {
                    ma_lpf_uninit(&lpf, NULL);
                } else {
                    ma_peak2_uninit(&peak, NULL);
                }
            }
            print_times(names[kind][mode], frames, frames, t, repeats);
        }
    }

    /* conv: 2x */
    if (strcmp(only, "all") == 0 || strcmp(only, "conv") == 0) {
        ma_uint64 out_frames = 0;
        for (i = 0; i < repeats; i++) {
            ma_data_converter dc;
            ma_data_converter_config c = ma_data_converter_config_init(ma_format_f32, ma_format_f32, ch, ch,
                                                                       rate, rate * 2);
            ma_uint64 n_in = frames, n_out, cap = 0;
            float *out;
            double t0;
            c.ditherMode = ma_dither_mode_none;
            c.channelMixMode = ma_channel_mix_mode_rectangular;
            c.resampling.linear.lpfOrder = 4;
            if (ma_data_converter_init(&c, NULL, &dc) != MA_SUCCESS) {
                return 1;
            }
            t0 = now();
            ma_data_converter_get_expected_output_frame_count(&dc, frames, &cap);
            out = big_alloc((size_t)(cap * ch * sizeof(float)));
            n_out = cap;
            ma_data_converter_process_pcm_frames(&dc, in, &n_in, out, &n_out);
            sink += out[n_out * ch / 2];
            free(out);
            t[i] = now() - t0;
            out_frames = n_out;
            ma_data_converter_uninit(&dc, NULL);
        }
        print_times("conv", frames, out_frames, t, repeats);
    }
    free(t);
    free(in);
    return sink == 12345.0f ? 3 : 0;
}
