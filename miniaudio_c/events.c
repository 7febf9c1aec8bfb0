/* events.c: the device event queue.  Audio threads push devices whose run ended by itself
 * (pyma_device_push_event, no GIL) or that recorded notifications (pyma_device_push_note, notify.c);
 * the package's event thread (src/miniaudio/_events.py) pops them in pyma_next_events, delivers
 * the notifications, stops the devices, raises their errors and runs on_finished.
 *
 * Invariants:
 * - st->ev_head is an intrusive list of borrowed device pointers guarded by st->ev_mutex, which is
 *   never held by a thread waiting for the GIL (so taking it with the GIL held cannot deadlock).
 * - A device is unlinked (pyma_events_forget) before it can be deallocated: with the GIL held, a
 *   queued device is alive.
 * - st->ev_sem is a lock used as a binary semaphore: held while nothing is pending.
 */
#include "_miniaudio.h"

int
pyma_events_init(pyma_state *st)
{
    st->ev_mutex = PyThread_allocate_lock();
    st->ev_sem = PyThread_allocate_lock();
    st->ev_deferred = PyList_New(0);
    if (st->ev_mutex == NULL || st->ev_sem == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    if (st->ev_deferred == NULL) {
        return -1;
    }
    PyThread_acquire_lock(st->ev_sem, WAIT_LOCK); /* held = nothing pending */
    return 0;
}

void
pyma_events_free(pyma_state *st)
{
    Py_CLEAR(st->ev_deferred);
    if (st->ev_mutex != NULL) {
        PyThread_free_lock(st->ev_mutex);
        st->ev_mutex = NULL;
    }
    if (st->ev_sem != NULL) {
        /* The event thread (a daemon) may still be blocked on it at interpreter exit: then leave
         * it allocated rather than free a lock another thread waits on. */
        if (st->ev_waiting == 0) {
            PyThread_free_lock(st->ev_sem);
        }
        st->ev_sem = NULL;
    }
}

/* Wakes the event thread; caller holds ev_mutex. */
static void
events_signal(pyma_state *st)
{
    if (!st->ev_signalled) {
        st->ev_signalled = 1;
        PyThread_release_lock(st->ev_sem);
    }
}

void
pyma_device_push_event(DeviceObject *self)
{
    pyma_state *st = self->st;

    PyThread_acquire_lock(st->ev_mutex, WAIT_LOCK);
    if (!self->closing) {
        self->ev_run = 1;
        if (!self->queued) {
            self->queued = 1;
            self->next_queued = st->ev_head;
            st->ev_head = self;
            events_signal(st);
        }
    }
    PyThread_release_lock(st->ev_mutex);
}

void
pyma_device_push_note(DeviceObject *self)
{
    pyma_state *st = self->st;

    if (st == NULL || st->ev_mutex == NULL) {
        return;
    }
    PyThread_acquire_lock(st->ev_mutex, WAIT_LOCK);
    if (!self->closing) {
        self->ev_notes = 1;
        if (!self->queued) {
            self->queued = 1;
            self->next_queued = st->ev_head;
            st->ev_head = self;
            events_signal(st);
        }
    }
    PyThread_release_lock(st->ev_mutex);
}

/* ---- sources with news for Python (chain.c's playlists): (owner, -2) items --------------------- */

void
pyma_events_push_source(pyma_state *st, pyma_source_event *ev)
{
    if (st->ev_mutex == NULL) {
        return; /* module teardown */
    }
    PyThread_acquire_lock(st->ev_mutex, WAIT_LOCK);
    if (!ev->queued) {
        ev->queued = 1;
        ev->next = st->ev_sources;
        st->ev_sources = ev;
        events_signal(st);
    }
    PyThread_release_lock(st->ev_mutex);
}

void
pyma_events_forget_source(pyma_state *st, pyma_source_event *ev)
{
    pyma_source_event **link;

    if (st->ev_mutex == NULL) {
        return;
    }
    PyThread_acquire_lock(st->ev_mutex, WAIT_LOCK);
    if (ev->queued) {
        for (link = &st->ev_sources; *link != NULL; link = &(*link)->next) {
            if (*link == ev) {
                *link = ev->next;
                break;
            }
        }
        ev->queued = 0;
        ev->next = NULL;
    }
    PyThread_release_lock(st->ev_mutex);
}

/* Pops the queued sources into `result` as (owner, -2), before the devices: a playlist's member
 * ends reach Python before the end of the run they were part of.  ev_mutex held, GIL held. */
static int
events_pop_sources(pyma_state *st, PyObject *result)
{
    pyma_source_event *ev;
    PyObject *item;

    while ((ev = st->ev_sources) != NULL) {
        st->ev_sources = ev->next;
        ev->queued = 0;
        ev->next = NULL;
        item = Py_BuildValue("Oi", ev->owner, -2);
        if (item == NULL || PyList_Append(result, item) < 0) {
            Py_XDECREF(item);
            return -1;
        }
        Py_DECREF(item);
    }
    return 0;
}

/* Marks the device closing and takes it off the queue; GIL held (ev_mutex is never held by a
 * thread waiting for the GIL, so taking it here cannot deadlock). */
void
pyma_events_forget(DeviceObject *self)
{
    pyma_state *st = self->st;
    DeviceObject **link;

    PyThread_acquire_lock(st->ev_mutex, WAIT_LOCK);
    pyma_astore(&self->closing, 1);
    if (self->queued) {
        for (link = &st->ev_head; *link != NULL; link = &(*link)->next_queued) {
            if (*link == self) {
                *link = self->next_queued;
                break;
            }
        }
        self->queued = 0;
        self->next_queued = NULL;
    }
    self->ev_run = 0;
    self->ev_notes = 0;
    PyThread_release_lock(st->ev_mutex);
}

/* Appends (dev, run) to `result`; -1 with an exception.  GIL held. */
static int
events_append(PyObject *result, DeviceObject *dev, long run)
{
    PyObject *item = run < 0 ? Py_BuildValue("Ol", (PyObject *)dev, run)
                             : Py_BuildValue("Ok", (PyObject *)dev, (unsigned long)run);
    int rc;

    if (item == NULL) {
        return -1;
    }
    rc = PyList_Append(result, item);
    Py_DECREF(item);
    return rc;
}

const char pyma_next_events_doc[] =
    "_next_events($module, /)\n--\n\n"
    "Blocks until devices need the event thread; returns [(device, run), ...] (run -1: close it;\n"
    "run -2: a playlist whose members ended: call its _deliver_ends(); run -3: a device with\n"
    "notifications: call its _deliver_notifications()).";

PyObject *
pyma_next_events(PyObject *module, PyObject *Py_UNUSED(ignored))
{
    pyma_state *st = pyma_get_state(module);
    PyObject *result = NULL, *item;
    DeviceObject *dev;
    Py_ssize_t i;

    for (;;) {
        st->ev_waiting++;
        Py_BEGIN_ALLOW_THREADS
        PyThread_acquire_lock(st->ev_sem, WAIT_LOCK);
        Py_END_ALLOW_THREADS
        st->ev_waiting--;
        result = PyList_New(0);
        if (result == NULL) {
            return NULL;
        }
        /* With the GIL held no queued device can be deallocated (its finalizer unlinks it under
         * ev_mutex first), so the borrowed pointers are safe to take references to. */
        PyThread_acquire_lock(st->ev_mutex, WAIT_LOCK);
        st->ev_signalled = 0;
        if (events_pop_sources(st, result) < 0) {
            PyThread_release_lock(st->ev_mutex);
            Py_DECREF(result);
            return NULL;
        }
        while ((dev = st->ev_head) != NULL) {
            /* Notifications first: a lost device's "stopped" reaches Python before its end of run. */
            if ((dev->ev_notes && events_append(result, dev, -3) < 0) ||
                (dev->ev_run && events_append(result, dev, (long)dev->run) < 0)) {
                PyThread_release_lock(st->ev_mutex);
                Py_DECREF(result);
                return NULL; /* the device stays queued */
            }
            st->ev_head = dev->next_queued;
            dev->queued = 0;
            dev->ev_run = 0;
            dev->ev_notes = 0;
            dev->next_queued = NULL;
        }
        PyThread_release_lock(st->ev_mutex);
        for (i = 0; i < PyList_GET_SIZE(st->ev_deferred); i++) {
            item = Py_BuildValue("Oi", PyList_GET_ITEM(st->ev_deferred, i), -1);
            if (item == NULL || PyList_Append(result, item) < 0) {
                Py_XDECREF(item);
                Py_DECREF(result);
                return NULL;
            }
            Py_DECREF(item);
        }
        if (PyList_SetSlice(st->ev_deferred, 0, PY_SSIZE_T_MAX, NULL) < 0) {
            Py_DECREF(result);
            return NULL;
        }
        if (PyList_GET_SIZE(result) > 0) {
            return result;
        }
        Py_DECREF(result);
    }
}

/* A device finalized on its own audio thread: resurrected into ev_deferred for the event thread
 * to close.  GIL held. */
void
pyma_events_defer_close(DeviceObject *self)
{
    pyma_state *st = self->st;

    if (st->ev_deferred == NULL || PyList_Append(st->ev_deferred, (PyObject *)self) < 0) {
        PyErr_Clear();
        return;
    }
    PyThread_acquire_lock(st->ev_mutex, WAIT_LOCK);
    events_signal(st);
    PyThread_release_lock(st->ev_mutex);
}
