/* pushio_rw.c: write() and read() of a device's push I/O: the calls that copy into the play ring
 * and out of the capture ring, and wait (GIL released, interruptible, at most 50 ms at a time) for
 * the audio thread when the ring is full or empty.  The rings, the audio thread's side and their
 * sizes are in pushio.c, whose header states the waiting protocol and the one-writer, one-reader
 * rule that `writing` and `reading` keep.
 */
#include "_miniaudio.h"

/* Longest single wait between looks at the device's state (microseconds). */
#define WAIT_SLICE_US 50000

/* ---- waiting (GIL held on entry and exit) ----------------------------------------------------- */

/* Blocks until the audio thread's next wake-up or `us` microseconds, with the GIL released; the
 * caller has set *waiting = 1 after looking at the ring.  0, or -1 with the exception of a signal
 * handler (KeyboardInterrupt). */
static int
wait_for_audio(volatile int *waiting, PyThread_type_lock lock, long long us)
{
    PyLockStatus got;

    Py_BEGIN_ALLOW_THREADS
    got = PyThread_acquire_lock_timed(lock, (PY_TIMEOUT_T)us, 1);
    if (got != PY_LOCK_ACQUIRED && !pyma_acas(waiting, 1, 0)) {
        /* The audio thread released the lock after all: take that release back. */
        PyThread_acquire_lock(lock, WAIT_LOCK);
    }
    Py_END_ALLOW_THREADS
    return PyErr_CheckSignals();
}

/* Withdraws a wait that was set up but not needed. */
static void
cancel_wait(volatile int *waiting, PyThread_type_lock lock)
{
    if (!pyma_acas(waiting, 1, 0)) {
        Py_BEGIN_ALLOW_THREADS
        PyThread_acquire_lock(lock, WAIT_LOCK);
        Py_END_ALLOW_THREADS
    }
}

/* The timeout argument: -1 for None, else seconds >= 0.  -1 with an exception (then *ok = 0). */
static double
timeout_arg(PyObject *obj, int *ok)
{
    double t;

    *ok = 1;
    if (obj == Py_None) {
        return -1.0;
    }
    if (PyBool_Check(obj) || !(PyFloat_Check(obj) || PyLong_Check(obj))) {
        PyErr_Format(PyExc_TypeError, "timeout must be a number of seconds or None, not %.200s", Py_TYPE(obj)->tp_name);
        *ok = 0;
        return 0;
    }
    t = PyFloat_AsDouble(obj);
    if (t == -1.0 && PyErr_Occurred()) {
        *ok = 0;
        return 0;
    }
    if (!(t >= 0.0) || t > 1e9) {
        PyErr_Format(PyExc_ValueError, "timeout must be 0 to 1e9 seconds or None, not %R", obj);
        *ok = 0;
        return 0;
    }
    return t;
}

/* Why a write()/read() returned (the Python side turns these into its exceptions). */
enum { PUSH_DONE = 0, PUSH_TIMEOUT = 1, PUSH_STOPPED = 2 };

/* The checks write() and read() share.  -1 with an exception. */
static int
push_usable(DeviceObject *self, const char *what, int for_playback)
{
    if (pyma_device_check_open(self) < 0) {
        return -1;
    }
    if (pyma_device_on_audio_thread(self)) {
        PyErr_Format(PyExc_RuntimeError, "%s() called from the device's own callback would wait for itself", what);
        return -1;
    }
    if (for_playback ? self->type == ma_device_type_capture : self->type == ma_device_type_playback) {
        PyErr_Format(PyExc_TypeError, "%s() needs a device that %s: this %.100s %s (use %s())", what,
                     for_playback ? "plays" : "records", Py_TYPE(self)->tp_name,
                     for_playback ? "only records" : "only plays", for_playback ? "read" : "write");
        return -1;
    }
    if (self->generator != NULL && pyma_aload(&self->state) == PYMA_RUN_RUNNING) {
        PyErr_Format(PyExc_RuntimeError,
                     "%s() cannot be used while a generator or stream plays on this device: stop() it first "
                     "(start() without a generator gives a device for write() and read())",
                     what);
        return -1;
    }
    if (for_playback ? self->writing : self->reading) {
        PyErr_Format(PyExc_RuntimeError, "%s() is already running on this device in another thread", what);
        return -1;
    }
    return 0;
}

/* Starts a push run through the Python start() (`start`: its bound method), which serialises with
 * stop(), close() and the event thread.  -1 with an exception. */
static int
start_push(PyObject *start)
{
    PyObject *r = PyObject_CallNoArgs(start);
    if (r == NULL) {
        return -1;
    }
    Py_DECREF(r);
    return 0;
}

/* One wait of a write() (for_write) or read() for `want` frames of room (of recordings) in its ring:
 * returns at the audio thread's wake-up, after a slice of WAIT_SLICE_US, before the deadline (timeout
 * >= 0), or at once when the ring has them already or the run stopped.  PUSH_DONE to look again,
 * PUSH_TIMEOUT when the deadline has passed, -1 with the exception of a signal handler. */
static int
wait_ring(DeviceObject *self, int for_write, ma_uint32 want, double timeout, ma_uint64 deadline)
{
    volatile int *waiting = for_write ? &self->play_waiting : &self->cap_waiting;
    PyThread_type_lock lock = for_write ? self->play_wake : self->cap_wake;
    long long slice = WAIT_SLICE_US;
    ma_uint64 now;
    ma_uint32 have;

    if (timeout >= 0) {
        now = pyma_now_ns();
        if (now >= deadline) {
            return PUSH_TIMEOUT;
        }
        if ((long long)((deadline - now) / 1000) + 1 < slice) {
            slice = (long long)((deadline - now) / 1000) + 1;
        }
    }
    if (want < 1) {
        want = 1;
    }
    pyma_astore(for_write ? &self->play_want : &self->cap_want, (int)want);
    pyma_astore(waiting, 1);
    have = for_write ? ma_pcm_rb_available_write(&self->play_rb) : ma_pcm_rb_available_read(&self->cap_rb);
    if (have >= want || !pyma_push_running(self)) {
        cancel_wait(waiting, lock);
        return PUSH_DONE;
    }
    return wait_for_audio(waiting, lock, slice) < 0 ? -1 : PUSH_DONE;
}

/* ---- write() ---------------------------------------------------------------------------------- */

const char pyma_device_push_write_doc[] =
    "_push_write($self, data, timeout, start, pad_to=0, run=0, /)\n--\n\n"
    "Queue `data` for playing; `start` starts a push run when the device is not running.  Returns\n"
    "(frames written, status 0 done / 1 timeout / 2 stopped, underflowed since the last write).\n"
    "The prefetch feeder (_prefetch.py) passes start=None (never start: status 2 when not running),\n"
    "pad_to (a chunk of a generator asked for pad_to frames: more is refused, fewer are followed by\n"
    "silence) and run (status 2 once that run is over, before anything is queued into another).";

PyObject *
pyma_device_push_write(DeviceObject *self, PyObject *args)
{
    PyObject *data, *timeout_obj, *start;
    pyma_samples_in in;
    ma_uint64 done = 0, deadline = 0, total;
    unsigned long pad_to = 0, run = 0;
    ma_uint32 n;
    void *p;
    double timeout;
    int ok, status = PUSH_DONE, was_running, started = 0;
    int r;

    if (!PyArg_ParseTuple(args, "OOO|kk:_push_write", &data, &timeout_obj, &start, &pad_to, &run)) {
        return NULL;
    }
    timeout = timeout_arg(timeout_obj, &ok);
    if (!ok || push_usable(self, "write", 1) < 0) {
        return NULL;
    }
    if (start == Py_None && (!pyma_push_running(self) || (run != 0 && self->run != run))) {
        return Py_BuildValue("(KiO)", 0ULL, PUSH_STOPPED, Py_False); /* the feeder's run is over */
    }
    if (pyma_aload(&self->input_done) && pyma_push_running(self)) {
        PyErr_SetString(PyExc_RuntimeError, "write() while drain() waits for the end of the run");
        return NULL;
    }
    if (pyma_samples_in_open(&in, data, self->play_fmt, self->play_channels,
                             pad_to > 0 ? "the playback generator's chunk" : "data") < 0) {
        return NULL;
    }
    total = in.frames;
    if (pad_to > 0) {
        if (in.frames > pad_to) {
            pyma_samples_in_release(&in);
            pyma_raise(self->st, MA_INVALID_ARGS, PYMA_ERR_MINIAUDIO,
                       "number of frames from callback exceeds maximum: the generator yielded %llu frames where %lu "
                       "were asked for",
                       (unsigned long long)in.frames, pad_to);
            return NULL;
        }
        total = pad_to;
    }
    was_running = pyma_push_running(self);
    if (!was_running && pyma_push_prepare(self) < 0) {
        pyma_samples_in_release(&in);
        return NULL;
    }
    self->writing = 1;
    if (timeout >= 0) {
        deadline = pyma_now_ns() + (ma_uint64)(timeout * 1e9);
    }
    for (;;) {
        int running = pyma_push_running(self);
        if (!running && (started || was_running || start == Py_None)) {
            status = PUSH_STOPPED; /* stop(), close(), or the device was lost meanwhile */
            break;
        }
        if (running && run == 0) {
            run = self->run; /* the run this call queues into: a stop() and start() meanwhile end the call */
        }
        if (!self->rings_ready || (run != 0 && self->run != run)) {
            status = PUSH_STOPPED;
            break;
        }
        while (done < total) {
            n = total - done > 0x40000000u ? 0x40000000u : (ma_uint32)(total - done);
            if (done < in.frames && n > in.frames - done) {
                n = (ma_uint32)(in.frames - done); /* the data, then the padding */
            }
            if (ma_pcm_rb_acquire_write(&self->play_rb, &n, &p) != MA_SUCCESS || n == 0) {
                break;
            }
            if (done < in.frames) {
                pyma_samples_in_copy(&in, done, n, p);
            }
            else {
                ma_silence_pcm_frames(p, n, self->play_fmt->format, self->play_channels);
            }
            ma_pcm_rb_commit_write(&self->play_rb, n);
            done += n;
            pyma_astore(&self->play_fed, 1);
        }
        if (!running) {
            if (start_push(start) < 0) {
                goto fail;
            }
            started = 1;
            continue;
        }
        if (done == total) {
            break;
        }
        /* Wait for half the ring: the audio thread then wakes us once per half ring, not once per
         * period; the ring stays at least half full meanwhile. */
        r = wait_ring(self, 1, self->rb_frames / 2, timeout, deadline);
        if (r < 0) {
            goto fail;
        }
        if (r == PUSH_TIMEOUT) {
            status = PUSH_TIMEOUT;
            break;
        }
    }
    self->writing = 0;
    if (done > in.frames) {
        done = in.frames; /* the padding is not counted */
    }
    pyma_samples_in_release(&in);
    {
        ma_uint64 under = pyma_aload64(&self->n_underflows);
        int underflowed = under != self->underflows_told;
        self->underflows_told = under;
        return Py_BuildValue("(KiO)", (unsigned long long)done, status, underflowed ? Py_True : Py_False);
    }
fail:
    self->writing = 0;
    pyma_samples_in_release(&in);
    return NULL;
}

/* ---- read() ----------------------------------------------------------------------------------- */

const char pyma_device_push_read_doc[] =
    "_push_read($self, out, frames, timeout, start, run=0, /)\n--\n\n"
    "Fill the first `frames` frames of the writable buffer `out` with recorded frames; `start`\n"
    "starts a push run when the device is not running.  Returns (frames read, status 0 done /\n"
    "1 timeout / 2 stopped, overflowed since the last read).  The prefetch feeder passes start=None\n"
    "(never start) and its run (status 2 once that run is over).";

PyObject *
pyma_device_push_read(DeviceObject *self, PyObject *args)
{
    PyObject *out, *timeout_obj, *start;
    Py_buffer view;
    Py_ssize_t frames;
    ma_uint64 done = 0, deadline = 0;
    unsigned long run = 0;
    double timeout;
    int ok, status = PUSH_DONE, was_running, started = 0;
    int r;

    if (!PyArg_ParseTuple(args, "OnOO|k:_push_read", &out, &frames, &timeout_obj, &start, &run)) {
        return NULL;
    }
    timeout = timeout_arg(timeout_obj, &ok);
    if (!ok || push_usable(self, "read", 0) < 0) {
        return NULL;
    }
    if (start == Py_None && (!pyma_push_running(self) || (run != 0 && self->run != run))) {
        return Py_BuildValue("(KiO)", 0ULL, PUSH_STOPPED, Py_False); /* the feeder's run is over */
    }
    if (PyObject_GetBuffer(out, &view, PyBUF_WRITABLE | PyBUF_C_CONTIGUOUS) < 0) {
        return NULL;
    }
    if (frames < 0 || (ma_uint64)view.len < (ma_uint64)frames * self->cap_frame_bytes) {
        PyBuffer_Release(&view);
        PyErr_Format(PyExc_ValueError, "out holds %zd bytes, fewer than %zd frames of %u bytes", view.len, frames,
                     (unsigned)self->cap_frame_bytes);
        return NULL;
    }
    was_running = pyma_push_running(self);
    if (!was_running && pyma_push_prepare(self) < 0) {
        PyBuffer_Release(&view);
        return NULL;
    }
    self->reading = 1;
    if (timeout >= 0) {
        deadline = pyma_now_ns() + (ma_uint64)(timeout * 1e9);
    }
    while (done < (ma_uint64)frames) {
        int running = pyma_push_running(self);
        if (!running && (started || was_running || start == Py_None)) {
            status = PUSH_STOPPED;
            break;
        }
        if (running && run == 0) {
            run = self->run; /* as in write(): frames of two runs are never joined */
        }
        if (!self->rings_ready || (run != 0 && self->run != run)) {
            status = PUSH_STOPPED;
            break;
        }
        if (!running) {
            if (start_push(start) < 0) {
                goto fail;
            }
            started = 1;
            continue;
        }
        done += pyma_push_rb_read(&self->cap_rb, (char *)view.buf + done * self->cap_frame_bytes,
                        (ma_uint32)((ma_uint64)frames - done > 0x40000000u ? 0x40000000u : (ma_uint64)frames - done),
                        self->cap_frame_bytes);
        if (done == (ma_uint64)frames) {
            break;
        }
        /* Wait for what is still to read, or half the ring (so that the ring is emptied in time). */
        r = wait_ring(self, 0, (ma_uint64)frames - done < self->rb_frames / 2 ? (ma_uint32)((ma_uint64)frames - done)
                                                                               : self->rb_frames / 2,
                      timeout, deadline);
        if (r < 0) {
            goto fail;
        }
        if (r == PUSH_TIMEOUT) {
            status = PUSH_TIMEOUT;
            break;
        }
    }
    self->reading = 0;
    PyBuffer_Release(&view);
    {
        ma_uint64 over = pyma_aload64(&self->n_overflows);
        int overflowed = over != self->overflows_told;
        self->overflows_told = over;
        return Py_BuildValue("(KiO)", (unsigned long long)done, status, overflowed ? Py_True : Py_False);
    }
fail:
    self->reading = 0;
    PyBuffer_Release(&view);
    return NULL;
}

