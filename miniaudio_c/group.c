/* group.c: a group (bus) of a Mixer (mixer.c): voices and child groups mixed together, with their
 * own volume, pan and processors, before they go on to the parent group or the engine's endpoint.
 *
 * A group is miniaudio's ma_sound_group (an engine node without a data source: its input bus sums
 * what is attached to it, then its volume and panner apply; no pitch resampler and no
 * spatializer, so it adds no latency and leaves the samples as a voice's volume and pan would).
 * With processors (dsp.c: LowPass, Gain, ...) a node of ours follows it (pyma_group_node, an
 * ma_node with our own vtable) that runs them in place on the group's output, on the mix reader's
 * thread without the GIL (pyma_proc_run takes parameter changes at each block).  Every block
 * passes through the processors, also where nothing plays in the group (silence: an input bus
 * with the group attached reads whole blocks, and the node is marked for continuous processing
 * besides), so a filter's ring or an echo's tail goes on, and the group's output is the
 * processors' offline process() of its summed input.
 *
 * Lifetimes (GIL held for all of them): the processors are bound to the mixer's channels and rate
 * and attached to the group's core while it is active.  A group is released (pyma_group_release)
 * after the voices and the child groups in it, and before the engine: by close() (which releases
 * them first), or by the mixer's close, clear or dealloc (voices first, then the groups, children
 * before parents: a child is always made after its parent, so the list's reverse order is right).
 */
#include "_miniaudio.h"

#include <string.h>

/* ---- the processors node (the mix reader's side: no Python API) ------------------------------ */

static void
group_node_process(ma_node *node, const float **in, ma_uint32 *count_in, float **out, ma_uint32 *count_out)
{
    pyma_group_node *n = (pyma_group_node *)node;
    ma_uint32 frames = *count_in < *count_out ? *count_in : *count_out;
    Py_ssize_t i;

    /* Continuous processing without MA_NODE_FLAG_ALLOW_NULL_INPUT: `in` is never NULL (silence
     * when nothing plays), and as many frames come in as go out. */
    if (out[0] != in[0]) {
        memcpy(out[0], in[0], (size_t)frames * n->channels * sizeof(float));
    }
    for (i = 0; i < n->count; i++) {
        pyma_proc_run(n->procs[i], out[0], frames);
    }
    *count_in = frames;
    *count_out = frames;
}

static ma_node_vtable group_node_vtable = {
    group_node_process,
    NULL, /* onGetRequiredInputFrameCount: as many frames in as out */
    1,    /* one input bus: the ma_sound_group */
    1,    /* one output bus: to the parent */
    MA_NODE_FLAG_CONTINUOUS_PROCESSING,
};

/* ---- life (GIL held) ------------------------------------------------------------------------- */

/* Whether `g` is `top` or one of its descendants. */
static int
group_within(const MixerGroupObject *g, const MixerGroupObject *top)
{
    for (; g != NULL; g = g->parent) {
        if (g == top) {
            return 1;
        }
    }
    return 0;
}

/* Uninitialises the nodes (the processors node first: from then on no reader reaches the group),
 * detaches the processors and frees the core.  No-op once released.  The voices and child groups
 * in it are released already; the engine is alive. */
static void
group_release(MixerGroupObject *g)
{
    struct pyma_group_core *core = g->core;
    Py_ssize_t i;

    if (!g->active) {
        return;
    }
    g->active = 0;
    if (core->node_ready) {
        /* Detaches it; waits (a spin, not for the GIL) until a reader in the graph is past it. */
        ma_node_uninit(&core->node, NULL);
    }
    ma_sound_group_uninit(&core->group);
    for (i = 0; i < core->node.count; i++) {
        pyma_proc_detach(core->procs[i], core);
    }
    PyMem_RawFree(core);
    g->core = NULL;
}

void
pyma_groups_release_all(MixerObject *m)
{
    PyObject *groups = m->groups;
    Py_ssize_t i;

    if (groups == NULL) {
        return;
    }
    for (i = PyList_GET_SIZE(groups) - 1; i >= 0; i--) {
        group_release((MixerGroupObject *)PyList_GET_ITEM(groups, i));
    }
    m->groups = NULL; /* made again by the next group() */
    Py_DECREF(groups);
}

int
pyma_group_check_target(MixerObject *m, PyObject *obj, const char *name, MixerGroupObject **out)
{
    MixerGroupObject *g = (MixerGroupObject *)obj, *a;

    *out = NULL;
    if (obj == Py_None) {
        return 0;
    }
    if (!PyObject_TypeCheck(obj, m->st->group_type)) {
        PyErr_Format(PyExc_TypeError, "%s must be a MixerGroup (made by Mixer.group()) or None, not %.200s", name,
                     Py_TYPE(obj)->tp_name);
        return -1;
    }
    if (g->mixer != m) {
        PyErr_Format(PyExc_ValueError, "%s belongs to another mixer", name);
        return -1;
    }
    for (a = g; a != NULL; a = a->parent) {
        if (!a->active || a->closing) {
            PyErr_Format(PyExc_ValueError, a == g ? "%s is closed" : "%s is closed (a parent group was closed)", name);
            return -1;
        }
    }
    *out = g;
    return 0;
}

/* Checks processor `obj` (processors[n]) for the mix's channels and rate without changing it (as
 * then() checks its processors, pull_dsp.c).  -1 with an exception. */
static int
group_check_processor(pyma_state *st, PyObject *obj, Py_ssize_t n, ma_uint32 channels, ma_uint32 rate)
{
    ProcessorObject *p = (ProcessorObject *)obj;
    const pyma_dsp_kind_info *k;

    if (!pyma_proc_check(st, obj)) {
        PyErr_Format(PyExc_TypeError, "processors[%zd] must be a processor (LowPass, Gain, Delay, ...), not %.200s",
                     n, Py_TYPE(obj)->tp_name);
        return -1;
    }
    k = pyma_dsp_kind(p->kind);
    if (p->owner != NULL) {
        PyErr_Format(PyExc_ValueError, "processors[%zd]: this %s is already attached to a processed stream or "
                     "another group; a processor runs in one place at a time (close that, or make another %s)",
                     n, k->name, k->name);
        return -1;
    }
    if (pyma_aload(&p->user) != PYMA_PROC_FREE) {
        PyErr_Format(PyExc_RuntimeError, "processors[%zd]: %s.process() is running in another thread", n, k->name);
        return -1;
    }
    if (p->channels != 0 && p->channels != channels) {
        PyErr_Format(PyExc_ValueError, "processors[%zd]: this %s has nchannels=%u, the mixer has %u channels", n,
                     k->name, (unsigned)p->channels, (unsigned)channels);
        return -1;
    }
    if (p->sample_rate != 0 && p->sample_rate != rate) {
        PyErr_Format(PyExc_ValueError, "processors[%zd]: this %s has sample_rate=%u, the mixer's is %u Hz", n,
                     k->name, (unsigned)p->sample_rate, (unsigned)rate);
        return -1;
    }
    return 0;
}

PyObject *
pyma_mixer_group(MixerObject *m, PyObject *args)
{
    pyma_state *st = m->st;
    PyTypeObject *cls;
    PyObject *procs, *parent_obj;
    MixerGroupObject *g = NULL, *parent;
    struct pyma_group_core *core;
    ma_sound_group_config config;
    ma_engine *engine;
    double volume, pan;
    Py_ssize_t i, j, n;
    ma_result r;

    if (!PyArg_ParseTuple(args, "O!ddO!O:_group", &PyType_Type, &cls, &volume, &pan, &PyTuple_Type, &procs,
                          &parent_obj)) {
        return NULL;
    }
    if (!PyType_IsSubtype(cls, st->group_type)) {
        PyErr_SetString(PyExc_TypeError, "_group: cls must be a _MixerGroup subclass");
        return NULL;
    }
    if (m->mix == NULL) {
        PyErr_SetString(PyExc_ValueError, "cannot make a group: the mixer is closed");
        return NULL;
    }
    if (pyma_group_check_target(m, parent_obj, "parent", &parent) < 0) {
        return NULL;
    }
    n = PyTuple_GET_SIZE(procs);
    for (i = 0; i < n; i++) {
        if (group_check_processor(st, PyTuple_GET_ITEM(procs, i), i, m->channels, m->sample_rate) < 0) {
            return NULL;
        }
        for (j = 0; j < i; j++) {
            if (PyTuple_GET_ITEM(procs, j) == PyTuple_GET_ITEM(procs, i)) {
                PyErr_Format(PyExc_ValueError, "processors[%zd] is the same %s as processors[%zd]: a processor runs "
                             "in one place at a time (make another one)", i,
                             pyma_dsp_kind(((ProcessorObject *)PyTuple_GET_ITEM(procs, i))->kind)->name, j);
                return NULL;
            }
        }
    }
    if (m->groups == NULL && (m->groups = PyList_New(0)) == NULL) {
        return NULL;
    }
    g = (MixerGroupObject *)cls->tp_alloc(cls, 0);
    if (g == NULL) {
        return NULL;
    }
    g->mixer = (MixerObject *)Py_NewRef((PyObject *)m);
    g->parent = (MixerGroupObject *)Py_XNewRef((PyObject *)parent);
    g->processors = Py_NewRef(procs);
    g->volume = volume;
    g->pan = pan;
    core = PyMem_RawCalloc(1, sizeof(*core) + (size_t)n * sizeof(ProcessorObject *));
    if (core == NULL) {
        PyErr_NoMemory();
        goto error;
    }
    /* Bound to the mix's format and attached to this core: process(), then() and other groups
     * refuse them from here until the group is released. */
    for (i = 0; i < n; i++) {
        ProcessorObject *p = (ProcessorObject *)PyTuple_GET_ITEM(procs, i);
        if (pyma_proc_bind(p, m->channels, m->sample_rate) < 0 || pyma_proc_attach(p, core) < 0) {
            PyObject *exc = pyma_err_take();
            PyErr_Format((PyObject *)Py_TYPE(exc), "processors[%zd]: %S", i, exc);
            Py_DECREF(exc);
            goto error_core;
        }
        core->procs[i] = p;
        core->node.count = i + 1;
    }
    engine = &m->mix->engine;
    config = ma_sound_group_config_init_2(engine);
    /* No pitch resampler (a group does not resample: no frame of latency) and no spatializer. */
    config.flags = MA_SOUND_FLAG_NO_SPATIALIZATION | MA_SOUND_FLAG_NO_PITCH;
    config.pInitialAttachment = parent != NULL ? (ma_node *)&parent->core->group : NULL; /* NULL: the endpoint */
    if (n > 0) {
        ma_uint32 ch = m->channels;
        ma_node_config nc = ma_node_config_init();
        nc.vtable = &group_node_vtable;
        nc.pInputChannels = &ch;
        nc.pOutputChannels = &ch;
        core->node.channels = ch;
        core->node.procs = core->procs;
        r = ma_node_init(ma_engine_get_node_graph(engine), &nc, NULL, &core->node);
        if (r != MA_SUCCESS) {
            pyma_raise(st, r, PYMA_ERR_MINIAUDIO, "cannot make the group's processors node");
            goto error_core;
        }
        core->node_ready = 1;
        r = ma_node_attach_output_bus(&core->node, 0,
                                      parent != NULL ? (ma_node *)&parent->core->group : ma_engine_get_endpoint(engine),
                                      0);
        if (r != MA_SUCCESS) {
            pyma_raise(st, r, PYMA_ERR_MINIAUDIO, "cannot attach the group's processors node");
            goto error_node;
        }
        config.pInitialAttachment = &core->node;
    }
    r = ma_sound_group_init_ex(engine, &config, &core->group);
    if (r != MA_SUCCESS) {
        pyma_raise(st, r, PYMA_ERR_MINIAUDIO, "cannot make the group");
        goto error_node;
    }
    ma_sound_group_set_volume(&core->group, (float)volume);
    ma_sound_group_set_pan(&core->group, (float)pan);
    g->core = core;
    g->active = 1;
    if (PyList_Append(m->groups, (PyObject *)g) < 0) {
        group_release(g);
        goto error;
    }
    return (PyObject *)g;
error_node:
    if (core->node_ready) {
        ma_node_uninit(&core->node, NULL);
    }
error_core:
    for (i = 0; i < core->node.count; i++) {
        pyma_proc_detach(core->procs[i], core);
    }
    PyMem_RawFree(core);
error:
    Py_DECREF(g);
    return NULL;
}

/* ---- the _MixerGroup type ---------------------------------------------------------------------- */

static int
group_float(PyObject *obj, const char *name, double *out)
{
    *out = PyFloat_AsDouble(obj);
    if (*out == -1.0 && PyErr_Occurred()) {
        PyErr_Format(PyExc_TypeError, "%s must be a number, not %.200s", name, Py_TYPE(obj)->tp_name);
        return -1;
    }
    return 0;
}

/* _set_volume(x) / _set_pan(x): range checked by Python; kept (and ignored) once closed. */
static PyObject *
group_set(MixerGroupObject *g, PyObject *arg, int pan)
{
    double x;

    if (group_float(arg, pan ? "pan" : "volume", &x) < 0) {
        return NULL;
    }
    if (g->active) {
        if (pan) {
            ma_sound_group_set_pan(&g->core->group, (float)x);
        }
        else {
            ma_sound_group_set_volume(&g->core->group, (float)x);
        }
    }
    *(pan ? &g->pan : &g->volume) = x;
    Py_RETURN_NONE;
}

static PyObject *group_set_volume(MixerGroupObject *g, PyObject *arg) { return group_set(g, arg, 0); }
static PyObject *group_set_pan(MixerGroupObject *g, PyObject *arg) { return group_set(g, arg, 1); }

/* _close(): releases the voices in this group and in its descendants, then the descendants
 * (children first) and this group; returns the voices released (a new list).  The Python side
 * holds the mixer's reap lock, as for a reap (mixer.c: appending to a list can let other threads
 * run; `closing` keeps play() out of these groups meanwhile).  On MemoryError nothing is released. */
static PyObject *
group_close(MixerGroupObject *self, PyObject *Py_UNUSED(ignored))
{
    MixerObject *m = self->mixer;
    PyObject *done, *groups = m != NULL ? m->groups : NULL;
    Py_ssize_t i;

    if (!self->active || groups == NULL) {
        return PyList_New(0);
    }
    for (i = 0; i < PyList_GET_SIZE(groups); i++) {
        MixerGroupObject *g = (MixerGroupObject *)PyList_GET_ITEM(groups, i);
        if (group_within(g, self)) {
            g->closing = 1;
        }
    }
    done = PyList_New(0);
    for (i = 0; done != NULL && m->voices != NULL && i < PyList_GET_SIZE(m->voices); i++) {
        VoiceObject *v = (VoiceObject *)PyList_GET_ITEM(m->voices, i);
        if (v->active && !v->ending && group_within(v->group, self)) {
            v->ending = 1;
            if (PyList_Append(done, (PyObject *)v) < 0) {
                v->ending = 0;
                Py_CLEAR(done);
            }
        }
    }
    if (done == NULL) {
        /* MemoryError: undo the marks, nothing released. */
        for (i = 0; m->voices != NULL && i < PyList_GET_SIZE(m->voices); i++) {
            VoiceObject *v = (VoiceObject *)PyList_GET_ITEM(m->voices, i);
            if (group_within(v->group, self)) {
                v->ending = 0;
            }
        }
        for (i = 0; i < PyList_GET_SIZE(m->groups); i++) {
            ((MixerGroupObject *)PyList_GET_ITEM(m->groups, i))->closing = 0;
        }
        return NULL;
    }
    for (i = m->voices != NULL ? PyList_GET_SIZE(m->voices) - 1 : -1; i >= 0; i--) {
        VoiceObject *v = (VoiceObject *)PyList_GET_ITEM(m->voices, i);
        if (v->ending && group_within(v->group, self)) {
            (void)PyList_SetSlice(m->voices, i, i + 1, NULL); /* `done` holds it */
        }
    }
    for (i = 0; i < PyList_GET_SIZE(done); i++) {
        pyma_voice_release((VoiceObject *)PyList_GET_ITEM(done, i));
    }
    /* Children before parents: the reverse of the list's order. */
    groups = m->groups;
    for (i = PyList_GET_SIZE(groups) - 1; i >= 0; i--) {
        MixerGroupObject *g = (MixerGroupObject *)PyList_GET_ITEM(groups, i);
        if (group_within(g, self)) {
            group_release(g);
        }
    }
    Py_INCREF(groups);
    for (i = PyList_GET_SIZE(groups) - 1; i >= 0; i--) {
        if (i < PyList_GET_SIZE(groups) && !((MixerGroupObject *)PyList_GET_ITEM(groups, i))->active) {
            (void)PyList_SetSlice(groups, i, i + 1, NULL);
        }
    }
    Py_DECREF(groups);
    return done;
}

static PyObject *
group_get_closed(MixerGroupObject *g, void *closure)
{
    (void)closure;
    return PyBool_FromLong(!g->active);
}

static PyObject *
group_get_value(MixerGroupObject *g, void *closure)
{
    return PyFloat_FromDouble(closure == NULL ? g->volume : g->pan);
}

static PyObject *
group_get_ref(MixerGroupObject *g, void *closure)
{
    PyObject *obj = closure == NULL ? (PyObject *)g->mixer : (PyObject *)g->parent;
    return Py_NewRef(obj != NULL ? obj : Py_None);
}

static PyObject *
group_get_processors(MixerGroupObject *g, void *closure)
{
    (void)closure;
    return g->processors != NULL ? Py_NewRef(g->processors) : PyTuple_New(0);
}

/* The active voices playing straight into this group (a new list, in play order). */
static PyObject *
group_get_voices(MixerGroupObject *g, void *closure)
{
    PyObject *out = PyList_New(0), *voices;
    Py_ssize_t i;

    (void)closure;
    if (out == NULL || !g->active || g->mixer == NULL || g->mixer->voices == NULL) {
        return out;
    }
    voices = PyList_GetSlice(g->mixer->voices, 0, PY_SSIZE_T_MAX); /* a copy: appending may run other threads */
    if (voices == NULL) {
        Py_DECREF(out);
        return NULL;
    }
    for (i = 0; i < PyList_GET_SIZE(voices); i++) {
        VoiceObject *v = (VoiceObject *)PyList_GET_ITEM(voices, i);
        if (v->active && v->group == g && PyList_Append(out, (PyObject *)v) < 0) {
            Py_CLEAR(out);
            break;
        }
    }
    Py_DECREF(voices);
    return out;
}

static int
group_traverse(MixerGroupObject *g, visitproc visit, void *arg)
{
    Py_VISIT(Py_TYPE(g));
    Py_VISIT(g->mixer);
    Py_VISIT(g->parent);
    Py_VISIT(g->processors);
    return 0;
}

static int
group_clear(MixerGroupObject *g)
{
    /* An active group is held by its mixer's list, which releases it (after its voices, before the
     * engine): only a released group gets here with its references. */
    if (!g->active) {
        Py_CLEAR(g->processors);
        Py_CLEAR(g->parent);
        Py_CLEAR(g->mixer);
    }
    return 0;
}

static void
group_dealloc(MixerGroupObject *g)
{
    PyTypeObject *tp = Py_TYPE(g);

    PyObject_GC_UnTrack(g);
    group_release(g); /* not reached while active (the mixer's list holds it); kept safe */
    Py_CLEAR(g->processors);
    Py_CLEAR(g->parent);
    Py_CLEAR(g->mixer);
    tp->tp_free((PyObject *)g);
    Py_DECREF(tp);
}

static PyMethodDef group_methods[] = {
    {"_set_volume", (PyCFunction)group_set_volume, METH_O, PyDoc_STR("_set_volume($self, volume, /)\n--\n\n")},
    {"_set_pan", (PyCFunction)group_set_pan, METH_O, PyDoc_STR("_set_pan($self, pan, /)\n--\n\n")},
    {"_close", (PyCFunction)group_close, METH_NOARGS,
     PyDoc_STR("_close($self, /)\n--\n\nRelease the voices in this group and its descendants, the descendants and "
               "this group; return the voices released.")},
    {NULL, NULL, 0, NULL},
};

static PyGetSetDef group_getset[] = {
    {"closed", (getter)group_get_closed, NULL,
     PyDoc_STR("Whether the group was closed (by close(), a parent's close() or the mixer's)."), NULL},
    {"volume", (getter)group_get_value, NULL, NULL, NULL},
    {"pan", (getter)group_get_value, NULL, NULL, (void *)1},
    {"mixer", (getter)group_get_ref, NULL, PyDoc_STR("The Mixer the group belongs to."), NULL},
    {"parent", (getter)group_get_ref, NULL,
     PyDoc_STR("The group this one plays into, or None (the mixer's output)."), (void *)1},
    {"processors", (getter)group_get_processors, NULL,
     PyDoc_STR("The processors run on the group's output, in order (a tuple)."), NULL},
    {"voices", (getter)group_get_voices, NULL,
     PyDoc_STR("The voices playing straight into this group (a new list; not those of its child groups)."), NULL},
    {NULL, NULL, NULL, NULL, NULL},
};

static PyType_Slot group_slots[] = {
    {Py_tp_doc, (void *)PyDoc_STR("A group (bus) of a mixer (made by Mixer.group()).")},
    {Py_tp_dealloc, group_dealloc},
    {Py_tp_traverse, group_traverse},
    {Py_tp_clear, group_clear},
    {Py_tp_methods, group_methods},
    {Py_tp_getset, group_getset},
    {0, NULL},
};

PyType_Spec pyma_group_spec = {
    .name = "miniaudio._MixerGroup",
    .basicsize = sizeof(MixerGroupObject),
    /* Made by Mixer.group() only (tp_alloc of the package's MixerGroup). */
    .flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC | Py_TPFLAGS_BASETYPE | Py_TPFLAGS_DISALLOW_INSTANTIATION,
    .slots = group_slots,
};
