/* parread.c: one large read of a file shared by the calling thread and one helper thread.
 *
 * Reading a large file into fresh memory costs mostly the kernel's time: clearing each new page of
 * the output on first touch and copying from the page cache (about 1 ms per 5 MB on one core here).
 * Two threads do that side by side.  The work is cut into pieces (units the caller chooses: frames
 * for a WAV file's samples, ma_impl.c) that both threads take in turn from a shared counter, so
 * that neither waits for the other for more than the piece in hand, even when the helper gets no
 * CPU at all.  The helper thread is started for the read and joined before it returns; it takes no
 * signals.  Where it cannot be started, the calling thread takes every piece.  POSIX only (pread,
 * pthreads); elsewhere pyma_read_pieces does not exist and callers read the usual way.
 * No Python API anywhere in this file: it runs with the GIL released.
 */
#include "_miniaudio.h"

#ifdef PYMA_HAVE_PARALLEL_READ

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <sys/types.h>
#include <unistd.h>

size_t
pyma_pread(int fd, void *dst, size_t bytes, ma_uint64 offset)
{
    size_t done = 0;
    ssize_t got;

    while (done < bytes) {
        got = pread(fd, (char *)dst + done, bytes - done, (off_t)(offset + done));
        if (got < 0 && errno == EINTR) {
            continue;
        }
        if (got <= 0) {
            break;
        }
        done += (size_t)got;
    }
    return done;
}

typedef struct {
    ma_uint64 total, piece;
    pyma_piece_fn fn;
    void *ctx;
    ma_uint64 next_piece; /* taken with __atomic_fetch_add by both threads */
} pieces;

/* Takes pieces until none is left (or one came up short); returns the first unit this thread
 * found incomplete, or total. */
static ma_uint64
take_pieces(pieces *job)
{
    ma_uint64 index, first, count, got, short_at = job->total;

    for (;;) {
        index = __atomic_fetch_add(&job->next_piece, 1, __ATOMIC_RELAXED);
        if (index >= (job->total + job->piece - 1) / job->piece) {
            return short_at;
        }
        first = index * job->piece;
        if (first >= short_at) {
            return short_at;
        }
        count = job->total - first < job->piece ? job->total - first : job->piece;
        got = job->fn(job->ctx, first, count);
        if (got < count) {
            short_at = first + got;
        }
    }
}

typedef struct {
    pieces *job;
    ma_uint64 short_at;
} helper_state;

static void *
helper_main(void *arg)
{
    helper_state *helper = (helper_state *)arg;

    helper->short_at = take_pieces(helper->job);
    return NULL;
}

ma_uint64
pyma_read_pieces(ma_uint64 total, ma_uint64 piece, pyma_piece_fn fn, void *ctx)
{
    pieces job;
    helper_state helper;
    pthread_t thread;
    sigset_t all, old;
    ma_uint64 mine;
    int started;

    job.total = total;
    job.piece = piece > 0 ? piece : 1;
    job.fn = fn;
    job.ctx = ctx;
    job.next_piece = 0;
    helper.job = &job;
    helper.short_at = total;
    /* The helper inherits the signal mask it is created with: all blocked, so that the process's
     * signals go to the threads that were there before (Python's handlers only note them). */
    sigfillset(&all);
    started = pthread_sigmask(SIG_BLOCK, &all, &old) == 0;
    if (started) {
        started = pthread_create(&thread, NULL, helper_main, &helper) == 0;
        (void)pthread_sigmask(SIG_SETMASK, &old, NULL);
    }
    mine = take_pieces(&job);
    if (started) {
        pthread_join(thread, NULL); /* (the join makes the helper's writes visible here) */
    }
    return mine < helper.short_at ? mine : helper.short_at;
}

#else

typedef int pyma_parread_unused; /* (ISO C: a file must declare something) */

#endif /* PYMA_HAVE_PARALLEL_READ */
