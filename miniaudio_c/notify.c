/* notify.c: miniaudio's device notifications (started, stopped, rerouted, interruption began and
 * ended, unlocked), recorded on the device by the thread miniaudio posts them on and taken by the
 * package's event thread, which hands them to Python (src/miniaudio/_notifications.py).
 *
 * Invariants:
 * - pyma_note_record runs on a backend's thread (miniaudio's worker thread, a backend's own
 *   thread, or the thread in ma_device_start/stop with the GIL released): it never takes the GIL
 *   and never waits; only ev_mutex is held for a few stores (events.c), as for the end of a run.
 * - Several threads may record at once: each takes a ticket (atomic add on note_head) and stores
 *   one 64-bit word in slot ticket % PYMA_NOTES: (ticket + 1) in the top 13 bits, the kind in the
 *   next 3, the microseconds since note_epoch_ns in the low 48 (8.9 years).  One atomic store
 *   publishes the whole record, so the taker never sees half of one.
 * - The taker holds the GIL (one at a time): it takes tickets note_tail..note_head-1 whose word
 *   carries their own ticket; a ticket whose word is not stored yet is left for the next take (its
 *   recorder pushes the device again once it has stored it); tickets the recorders have lapped
 *   (more than PYMA_NOTES ahead) are skipped.
 */
#include "_miniaudio.h"

#define NOTE_GEN_BITS 13
#define NOTE_KIND_BITS 3
#define NOTE_TIME_BITS 48
#define NOTE_GEN_MASK ((1u << NOTE_GEN_BITS) - 1u)
#define NOTE_TIME_MASK ((((ma_uint64)1) << NOTE_TIME_BITS) - 1u)

/* Python's names of ma_device_notification_type, in its order. */
static const char *const note_kinds[] = {
    "started", "stopped", "rerouted", "interruption_began", "interruption_ended", "unlocked",
};
#define NOTE_KIND_COUNT ((int)(sizeof(note_kinds) / sizeof(note_kinds[0])))

static ma_uint64
note_word(unsigned ticket, int kind, ma_uint64 us)
{
    return ((ma_uint64)((ticket + 1u) & NOTE_GEN_MASK) << (NOTE_KIND_BITS + NOTE_TIME_BITS)) |
           ((ma_uint64)kind << NOTE_TIME_BITS) | (us & NOTE_TIME_MASK);
}

void
pyma_note_record(DeviceObject *self, int type)
{
    unsigned ticket;
    ma_uint64 now = pyma_now_ns(), us;

    if (type < 0 || type >= NOTE_KIND_COUNT) {
        return; /* a kind this package does not know yet */
    }
    us = now > self->note_epoch_ns ? (now - self->note_epoch_ns) / 1000u : 0;
    ticket = (unsigned)(pyma_aadd(&self->note_head, 1) - 1);
    pyma_astore64(&self->notes[ticket % PYMA_NOTES], note_word(ticket, type, us));
    pyma_device_push_note(self);
}

const char pyma_device_take_notes_doc[] =
    "_take_notifications($self, /)\n--\n\n"
    "Take the notifications recorded since the last take: [(age in seconds, kind), ...], oldest\n"
    "first (at most the last 64).";

PyObject *
pyma_device_take_notes(DeviceObject *self, PyObject *Py_UNUSED(ignored))
{
    PyObject *result = PyList_New(0), *item;
    unsigned head = (unsigned)pyma_aload(&self->note_head), tail = (unsigned)self->note_tail;
    ma_uint64 now = pyma_now_ns(), now_us, word, us;
    int kind;

    if (result == NULL) {
        return NULL;
    }
    now_us = now > self->note_epoch_ns ? (now - self->note_epoch_ns) / 1000u : 0;
    if (head - tail > PYMA_NOTES) {
        tail = head - PYMA_NOTES; /* the older ones were overwritten */
    }
    while (tail != head) {
        word = pyma_aload64(&self->notes[tail % PYMA_NOTES]);
        if ((unsigned)(word >> (NOTE_KIND_BITS + NOTE_TIME_BITS)) != ((tail + 1u) & NOTE_GEN_MASK)) {
            if ((unsigned)pyma_aload(&self->note_head) - tail > PYMA_NOTES) {
                tail++; /* lapped while we looked: overwritten */
                continue;
            }
            break; /* ticket taken, word not stored yet: its recorder pushes the device again */
        }
        kind = (int)((word >> NOTE_TIME_BITS) & ((1u << NOTE_KIND_BITS) - 1u));
        us = word & NOTE_TIME_MASK;
        if (kind >= NOTE_KIND_COUNT) {
            tail++;
            continue;
        }
        item = Py_BuildValue("ds", us < now_us ? (double)(now_us - us) / 1e6 : 0.0, note_kinds[kind]);
        if (item == NULL || PyList_Append(result, item) < 0) {
            Py_XDECREF(item);
            Py_DECREF(result);
            return NULL; /* the tail stays: nothing is lost */
        }
        Py_DECREF(item);
        tail++;
    }
    self->note_tail = (int)tail;
    return result;
}
