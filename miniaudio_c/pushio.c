/* pushio.c: a device's push I/O, write() and read(), through miniaudio's lock-free ring buffers.
 *
 * A push run (device start() without a generator, or the first write()/read()) has the audio thread
 * play from play_rb and record into cap_rb (pyma_push_step), without the GIL and without waiting.
 * write() converts what it is given to the device's format straight into play_rb; read() copies
 * from cap_rb.  Each ring has one writer and one reader (ma_pcm_rb is single-producer,
 * single-consumer): the Python side is one write() and one read() at a time per device (`writing`,
 * `reading`; a second thread's call is refused), the other side the audio thread.
 *
 * Waiting: a write() that finds the ring full (a read() that finds it empty) sets play_waiting
 * (cap_waiting) and blocks on the held lock play_wake (cap_wake) with the GIL released; the audio
 * thread releases the lock after its period if the flag was set (a compare-and-swap, so one release
 * per wait).  The wait is interruptible (Ctrl-C raises KeyboardInterrupt in the main thread) and
 * capped, so a stop() or a lost device is seen within 50 ms even without a wake-up.
 *
 * Underflow: a playback period the ring could not fill although frames had been written since it
 * last ran dry (the writer was late; a ring that was never fed, or that drained after the writer
 * stopped writing, counts once).  Overflow: a period whose recorded frames did not all fit (the
 * reader was late); the frames dropped are counted too.
 *
 * This file holds the rings, the audio thread's side, drain() and the ring sizes; write() and read()
 * with their waiting are in pushio_rw.c.
 */
#include "_miniaudio.h"

#include <string.h>

/* ---- the audio thread's side ----------------------------------------------------------------- */

/* Also read()'s copy out of the capture ring (pushio_rw.c). */
ma_uint32
pyma_push_rb_read(ma_pcm_rb *rb, void *out, ma_uint32 frames, ma_uint32 frame_bytes)
{
    ma_uint32 got = 0, n;
    void *p;

    while (got < frames) {
        n = frames - got;
        if (ma_pcm_rb_acquire_read(rb, &n, &p) != MA_SUCCESS || n == 0) {
            break;
        }
        memcpy((char *)out + (size_t)got * frame_bytes, p, (size_t)n * frame_bytes);
        ma_pcm_rb_commit_read(rb, n);
        got += n;
    }
    return got;
}

static ma_uint32
rb_write(ma_pcm_rb *rb, const void *in, ma_uint32 frames, ma_uint32 frame_bytes)
{
    ma_uint32 put = 0, n;
    void *p;

    while (put < frames) {
        n = frames - put;
        if (ma_pcm_rb_acquire_write(rb, &n, &p) != MA_SUCCESS || n == 0) {
            break;
        }
        memcpy(p, (const char *)in + (size_t)put * frame_bytes, (size_t)n * frame_bytes);
        ma_pcm_rb_commit_write(rb, n);
        put += n;
    }
    return put;
}

static void
wake(volatile int *waiting, PyThread_type_lock lock)
{
    if (lock != NULL && pyma_acas(waiting, 1, 0)) {
        PyThread_release_lock(lock); /* a semaphore post (or mutex + condition); no GIL needed */
    }
}

/* Wakes a waiter only once the ring has what it waits for: one wake-up per half ring rather than
 * one per period (a writer thread that had to take the GIL back every period cost CPU). */
static void
wake_if(volatile int *waiting, PyThread_type_lock lock, ma_uint32 available, volatile int *want)
{
    if (pyma_aload(waiting) && available >= (ma_uint32)pyma_aload(want)) {
        wake(waiting, lock);
    }
}

void
pyma_push_wake_all(DeviceObject *self)
{
    wake(&self->play_waiting, self->play_wake);
    wake(&self->cap_waiting, self->cap_wake);
}

int
pyma_push_step(DeviceObject *self, void *out, const void *in, ma_uint32 frames)
{
    ma_uint32 got, put;
    int padded = 0;

    if (self->type != ma_device_type_capture && self->prime_left > 0) {
        /* The start of a run: like a sound server's prebuffering, wait (playing silence, for at
         * most one device buffer) until one device buffer is queued, so that a writer that starts
         * the device with its first small chunk is not heard with a gap after that chunk. */
        if (ma_pcm_rb_available_read(&self->play_rb) < self->prime_frames && !pyma_aload(&self->input_done)) {
            self->prime_left = self->prime_left > frames ? self->prime_left - frames : 0;
            wake_if(&self->play_waiting, self->play_wake, ma_pcm_rb_available_write(&self->play_rb), &self->play_want);
            goto capture;
        }
        self->prime_left = 0;
    }
    if (self->type != ma_device_type_capture) {
        got = pyma_push_rb_read(&self->play_rb, out, frames, self->play_frame_bytes);
        if (got < frames) {
            ma_silence_pcm_frames((char *)out + (size_t)got * self->play_frame_bytes, frames - got,
                                  self->play_fmt->format, self->play_channels);
            padded = 1;
            if (pyma_aload(&self->input_done)) {
                pyma_data_ended(self); /* drain(): everything written has been played */
            }
            else if (pyma_acas(&self->play_fed, 1, 0)) {
                pyma_astore64(&self->n_underflows, self->n_underflows + 1);
            }
        }
        wake_if(&self->play_waiting, self->play_wake, ma_pcm_rb_available_write(&self->play_rb), &self->play_want);
    }
capture:
    if (self->type != ma_device_type_playback) {
        put = rb_write(&self->cap_rb, in, frames, self->cap_frame_bytes);
        if (put < frames) {
            pyma_astore64(&self->n_overflows, self->n_overflows + 1);
            pyma_astore64(&self->n_dropped, self->n_dropped + (frames - put));
        }
        wake_if(&self->cap_waiting, self->cap_wake, ma_pcm_rb_available_read(&self->cap_rb), &self->cap_want);
    }
    return padded;
}

/* ---- the rings' life (GIL held) ------------------------------------------------------------- */

void
pyma_push_free(DeviceObject *self, int free_locks)
{
    if (self->rings_ready) {
        ma_pcm_rb_uninit(&self->play_rb);
        ma_pcm_rb_uninit(&self->cap_rb);
        self->rings_ready = 0;
    }
    if (free_locks) {
        if (self->play_wake != NULL) {
            PyThread_free_lock(self->play_wake);
            self->play_wake = NULL;
        }
        if (self->cap_wake != NULL) {
            PyThread_free_lock(self->cap_wake);
            self->cap_wake = NULL;
        }
    }
}

static ma_uint32
wanted_ring_frames(DeviceObject *self)
{
    ma_uint32 period = self->type == ma_device_type_capture ? self->device.capture.internalPeriodSizeInFrames
                                                            : self->device.playback.internalPeriodSizeInFrames;
    ma_uint64 frames;

    if (self->ring_frames > 0) {
        return self->ring_frames;
    }
    if (self->device.playback.internalSampleRate > 0 && self->type != ma_device_type_capture) {
        period = (ma_uint32)((ma_uint64)period * self->sample_rate / self->device.playback.internalSampleRate);
    }
    frames = (ma_uint64)period * 4;
    if (frames < self->sample_rate / 10) {
        frames = self->sample_rate / 10;
    }
    return (ma_uint32)(frames > 0 ? frames : 1);
}

static PyThread_type_lock
new_held_lock(void)
{
    PyThread_type_lock lock = PyThread_allocate_lock();
    if (lock != NULL) {
        PyThread_acquire_lock(lock, NOWAIT_LOCK);
    }
    return lock;
}

int
pyma_push_prepare(DeviceObject *self)
{
    ma_uint32 want = wanted_ring_frames(self);
    ma_result r;

    if (self->play_wake == NULL && (self->play_wake = new_held_lock()) == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    if (self->cap_wake == NULL && (self->cap_wake = new_held_lock()) == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    if (self->rings_ready && self->rb_frames != want) {
        pyma_push_free(self, 0);
    }
    if (!self->rings_ready) {
        /* Only the sides the device has get a real ring; the other is a one-frame placeholder. */
        r = ma_pcm_rb_init(self->play_fmt->format, self->play_channels,
                           self->type != ma_device_type_capture ? want : 1, NULL, NULL, &self->play_rb);
        if (r == MA_SUCCESS) {
            r = ma_pcm_rb_init(self->cap_fmt->format, self->cap_channels,
                               self->type != ma_device_type_playback ? want : 1, NULL, NULL, &self->cap_rb);
            if (r != MA_SUCCESS) {
                ma_pcm_rb_uninit(&self->play_rb);
            }
        }
        if (r != MA_SUCCESS) {
            PyErr_NoMemory();
            return -1;
        }
        self->rb_frames = want;
        self->rings_ready = 1;
    }
    if (self->type != ma_device_type_capture) {
        ma_uint64 buffer = (ma_uint64)self->device.playback.internalPeriodSizeInFrames * self->device.playback.internalPeriods;
        if (self->device.playback.internalSampleRate > 0) {
            buffer = buffer * self->sample_rate / self->device.playback.internalSampleRate;
        }
        self->prime_frames = (ma_uint32)(buffer < self->rb_frames ? buffer : self->rb_frames);
    }
    return 0;
}

void
pyma_push_reset(DeviceObject *self)
{
    if (self->rings_ready) {
        ma_pcm_rb_reset(&self->play_rb);
        ma_pcm_rb_reset(&self->cap_rb);
    }
    pyma_astore(&self->play_fed, 0);
}

int
pyma_push_running(DeviceObject *self)
{
    return self->device_ready && self->push && pyma_aload(&self->state) == PYMA_RUN_RUNNING;
}

/* ---- drain(), the available counts, the ring size ------------------------------------------- */

const char pyma_device_push_drain_doc[] =
    "_push_drain($self, /)\n--\n\n"
    "End the push run once everything written has played (then one buffer of silence, as at the end\n"
    "of a stream).  Returns False when no push run is going.";

PyObject *
pyma_device_push_drain(DeviceObject *self, PyObject *Py_UNUSED(ignored))
{
    if (pyma_device_check_open(self) < 0) {
        return NULL;
    }
    if (!pyma_push_running(self)) {
        Py_RETURN_FALSE;
    }
    pyma_astore(&self->input_done, 1);
    Py_RETURN_TRUE;
}

const char pyma_device_push_available_doc[] =
    "_push_available($self, for_write, /)\n--\n\n"
    "Frames write() can queue now without waiting (for_write), or read() can return now.";

PyObject *
pyma_device_push_available(DeviceObject *self, PyObject *arg)
{
    int for_write = PyObject_IsTrue(arg);

    if (for_write < 0 || pyma_device_check_open(self) < 0) {
        return NULL;
    }
    if (for_write ? self->type == ma_device_type_capture : self->type == ma_device_type_playback) {
        return PyLong_FromLong(0);
    }
    if (!self->rings_ready) {
        return PyLong_FromUnsignedLong(for_write ? wanted_ring_frames(self) : 0);
    }
    return PyLong_FromUnsignedLong(for_write ? ma_pcm_rb_available_write(&self->play_rb)
                                             : ma_pcm_rb_available_read(&self->cap_rb));
}

const char pyma_device_set_ring_doc[] =
    "_set_ring($self, frames, /)\n--\n\n"
    "The rings' size in frames for the next push run (0: four periods, at least 100 ms).  Returns the\n"
    "size that run will have.";

PyObject *
pyma_device_set_ring(DeviceObject *self, PyObject *arg)
{
    long frames = PyLong_AsLong(arg);

    if (frames == -1 && PyErr_Occurred()) {
        return NULL;
    }
    if (pyma_device_check_open(self) < 0) {
        return NULL;
    }
    if (frames < 0 || frames > 0x10000000L) {
        PyErr_Format(PyExc_ValueError, "the ring size must be 0 to %ld frames, not %ld", 0x10000000L, frames);
        return NULL;
    }
    if (pyma_push_running(self)) {
        PyErr_SetString(PyExc_RuntimeError, "the ring size cannot change while write()/read() run: stop() first");
        return NULL;
    }
    self->ring_frames = (ma_uint32)frames;
    return PyLong_FromUnsignedLong(wanted_ring_frames(self));
}
