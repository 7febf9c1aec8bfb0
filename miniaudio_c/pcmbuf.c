/* pcmbuf.c: the output buffer of a whole-file decode, and handing it to an array.array.
 *
 * A decode writes into a plain PyMem buffer that it allocates once (the length is usually known)
 * and grows only when the length was not known, and the buffer then becomes the array.array that
 * is returned, without a copy.  Two costs that a zero-filled array.array had are gone that way:
 *
 * - the zero fill itself (array * n writes every byte once before the decoder writes it again);
 * - small page faults.  A decode's output is fresh memory (glibc maps blocks over 32 MiB afresh on
 *   every malloc), and the kernel's fault-and-clear of each 4 KiB page costs about as much as
 *   reading a WAV file's samples.  Where transparent huge pages are available on request
 *   (Linux, /sys/kernel/mm/transparent_hugepage/enabled "madvise" or "always"), the buffer asks
 *   for them (MADV_HUGEPAGE) before anything touches it: one fault per 2 MiB instead of 512.
 *   That changes no byte of the output and no more memory is taken (only whole 2 MiB ranges
 *   inside the buffer are advised).
 *
 * array.array has no C API to adopt a buffer.  pyma_pcm_to_array fills in the array's item
 * pointer, size and allocation itself (the layout of arrayobject has been the same from CPython
 * 3.0 to 3.14), after checking that layout on a live array every time it is used: where the check
 * fails (another Python), it copies into a new array instead.  The GIL is held throughout.
 */
#include "_miniaudio.h"

#if defined(__linux__)
#include <sys/mman.h>
#endif

/* Buffers below this are left to ordinary pages: the advice would cover no whole huge page. */
#define HUGE_ADVICE_MIN_BYTES ((size_t)4 << 20)
#define HUGE_PAGE_BYTES ((uintptr_t)2 << 20)

/* The fields of CPython's arrayobject (Modules/arraymodule.c), in its order. */
typedef struct {
    PyObject_VAR_HEAD
    char *ob_item;
    Py_ssize_t allocated;
    const void *ob_descr;
    PyObject *weakreflist;
    Py_ssize_t ob_exports;
} pyma_array_layout;

/* Asks for huge pages on the whole 2 MiB ranges of [buf, buf + bytes); a hint only. */
void
pyma_pcm_advise(char *buf, size_t bytes)
{
#if defined(__linux__) && defined(MADV_HUGEPAGE)
    uintptr_t start = ((uintptr_t)buf + HUGE_PAGE_BYTES - 1) & ~(HUGE_PAGE_BYTES - 1);
    uintptr_t end = ((uintptr_t)buf + bytes) & ~(HUGE_PAGE_BYTES - 1);

    if (bytes >= HUGE_ADVICE_MIN_BYTES && end > start) {
        (void)madvise((void *)start, (size_t)(end - start), MADV_HUGEPAGE);
    }
#else
    (void)buf;
    (void)bytes;
#endif
}

char *
pyma_pcm_alloc(size_t bytes)
{
    char *buf = PyMem_Malloc(bytes > 0 ? bytes : 1);

    if (buf == NULL) {
        PyErr_NoMemory();
        return NULL;
    }
    pyma_pcm_advise(buf, bytes);
    return buf;
}

char *
pyma_pcm_resize(char *buf, size_t used, size_t bytes)
{
    char *grown = PyMem_Realloc(buf, bytes > 0 ? bytes : 1);

    if (grown == NULL) {
        PyErr_NoMemory();
        return NULL;
    }
    if (bytes > used) {
        /* Only the part nothing has written yet can still be advised before its first touch. */
        pyma_pcm_advise(grown + used, bytes - used);
    }
    return grown;
}

/* Whether `array` (an array.array that holds items) is laid out as pyma_array_layout says: its
 * item pointer is the one its buffer exports and its export count follows the export. */
static int
array_layout_matches(PyObject *array)
{
    pyma_array_layout *a = (pyma_array_layout *)array;
    Py_buffer view;
    int ok;

    if (PyObject_GetBuffer(array, &view, PyBUF_SIMPLE) < 0) {
        PyErr_Clear();
        return 0;
    }
    ok = view.buf == (void *)a->ob_item && a->ob_exports == 1 && a->allocated >= Py_SIZE(array) &&
         view.len == Py_SIZE(array) * view.itemsize;
    PyBuffer_Release(&view);
    return ok && a->ob_exports == 0;
}

/* Another Python's array.array: a new zero-filled array, the samples copied in. */
static PyObject *
copy_to_array(pyma_state *st, char typecode, const char *buf, Py_ssize_t items)
{
    PyObject *array = pyma_new_sample_array(st, typecode, items);
    Py_buffer view;

    if (array == NULL || items == 0) {
        return array;
    }
    if (PyObject_GetBuffer(array, &view, PyBUF_WRITABLE | PyBUF_C_CONTIGUOUS) < 0) {
        Py_DECREF(array);
        return NULL;
    }
    memcpy(view.buf, buf, (size_t)view.len);
    PyBuffer_Release(&view);
    return array;
}

PyObject *
pyma_pcm_to_array(pyma_state *st, char typecode, char *buf, Py_ssize_t items)
{
    PyObject *proto = st->zero_items[pyma_zero_item_index(typecode)], *array;
    pyma_array_layout *a;

    if (items == 0 || !array_layout_matches(proto)) {
        array = copy_to_array(st, typecode, buf, items);
        PyMem_Free(buf);
        return array;
    }
    array = PySequence_Repeat(proto, 0); /* an empty array of that typecode: no items allocated */
    if (array == NULL) {
        PyMem_Free(buf);
        return NULL;
    }
    a = (pyma_array_layout *)array;
    PyMem_Free(a->ob_item); /* NULL for an empty array; freed in case another Python allocates one */
    a->ob_item = buf;
    a->allocated = items;
    Py_SET_SIZE(array, items);
    return array;
}
