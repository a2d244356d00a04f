/* app_vocab.c - the vocabulary of the network's regime, for forms (GET
 * /api/vocab). */
#include "app_int.h"

#include <stdio.h>
#include <string.h>

#include "crypto/error.h"
#include "crypto/json.h"
#include "storage/view/vocab.h"

const char *
app_regime(const struct home *h)
{
    /* the vocabulary in force, loaded from the network's regime when the
     * home was opened; the network file's own word before that */
    return h->h_vocab ? vocab_regime(h->h_vocab) : network_regime(&h->h_net);
}

int
app_vocab(struct home *h, struct vocab **out, struct app_err *err)
{
    char why[256] = "";
    int rc;

    if (!out)
        return app_fail(err, ILONET_EINVAL, "no place for the vocabulary");
    /* as home_open() loads it: the network's regime at the version this
     * binary runs (home_vocab_load) */
    if ((rc = home_vocab_load(network_regime(&h->h_net), out, why,
                              sizeof(why))) != 0)
        return app_fail(err, rc, "vocabulary %s: %s", network_regime(&h->h_net),
                        why[0] ? why : ilonet_strerror(rc));
    return 0;
}

static void
app__vocab_str(struct textbuf *b, const char *name, const char *v, int comma)
{
    if (comma)
        textbuf_puts(b, ",");
    json_str(b, name);
    textbuf_puts(b, ":");
    if (v)
        json_str(b, v);
    else
        textbuf_puts(b, "null");
}

static int
app__vocab_is_list(enum vocab_type t)
{
    return t == VT_STATES || t == VT_LIST || t == VT_COUNTRIES;
}

static void
app__vocab_field(struct textbuf *b, const struct vocab_field *f)
{
    char key[64];

    textbuf_puts(b, "{");
    app__vocab_str(b, "name", f->vf_name, 0);
    app__vocab_str(b, "label", f->vf_label, 1);
    app__vocab_str(b, "help", f->vf_help, 1);
    app__vocab_str(b, "key", app_field_key(f, key), 1);
    app__vocab_str(b, "type", vocab_type_name(f->vf_type), 1);
    textbuf_printf(b, ",\"required\":%s,\"fixed\":%s,\"list\":%s,\"max\":",
                   f->vf_flags & VF_REQUIRED ? "true" : "false",
                   f->vf_flags & VF_FIXED ? "true" : "false",
                   app__vocab_is_list(f->vf_type) ? "true" : "false");
    if (f->vf_max)
        textbuf_printf(b, "%zu", f->vf_max);
    else
        textbuf_puts(b, "null");
    app__vocab_str(b, "values", f->vf_values ? f->vf_values->vs_name : NULL, 1);
    app__vocab_str(b, "suggest",
                   f->vf_suggest             ? f->vf_suggest->vs_name
                   : f->vf_suggest_countries ? "countries"
                                             : NULL,
                   1);
    textbuf_printf(b, ",\"since\":%u}", f->vf_since);
}

static const char *
app__vocab_rule(enum vocab_rule_type t)
{
    switch (t) {
    case VR_PAIR: return "pair";
    case VR_NEEDS: return "needs";
    case VR_ORDER: return "order";
    default: return "unknown";
    }
}

void
app_vocab_json(struct textbuf *b, const struct vocab *v)
{
    const struct vocab_kind *kinds;
    const struct vocab_set *sets;
    const struct vocab_country *cs;
    const struct vocab_member *ms;
    size_t nk, ns, nc, nm;

    textbuf_puts(b, "{");
    app__vocab_str(b, "regime", vocab_regime(v), 0);
    textbuf_printf(b, ",\"version\":%u", vocab_version(v));
    app__vocab_str(b, "title", vocab_title(v), 1);
    textbuf_puts(b, ",\"kinds\":[");
    kinds = vocab_kinds(v, &nk);
    for (size_t i = 0; i < nk; i++) {
        const struct vocab_kind *k = &kinds[i];
        int nf = 0;

        textbuf_puts(b, i ? ",\n{" : "\n{");
        app__vocab_str(b, "name", k->vk_name, 0);
        app__vocab_str(b, "plural", k->vk_plural, 1);
        app__vocab_str(b, "label", k->vk_label, 1);
        app__vocab_str(b, "help", k->vk_help, 1);
        textbuf_printf(b, ",\"code\":%u,\"record\":%s,\"since\":%u",
                       (unsigned)k->vk_code, k->vk_is_record ? "true" : "false",
                       k->vk_since);
        textbuf_puts(b, ",\"audiences\":[");
        for (size_t a = 0; a < k->vk_naudiences; a++) {
            if (a)
                textbuf_puts(b, ",");
            json_str(b, k->vk_audiences[a]);
        }
        textbuf_puts(b, "]");
        app__vocab_str(b, "default_audience",
                       k->vk_naudiences ? k->vk_audiences[0] : NULL, 1);
        textbuf_puts(b, ",\"fields\":[");
        for (size_t f = 0; f < k->vk_nfields; f++) {
            const struct vocab_field *fd = &k->vk_fields[f];

            /* what a person fills in: not the program's own fields, nor
             * raw bytes and nested maps */
            if ((fd->vf_flags & VF_INTERNAL) || fd->vf_type == VT_BIN ||
                fd->vf_type == VT_MAP)
                continue;
            if (nf++)
                textbuf_puts(b, ",");
            app__vocab_field(b, fd);
        }
        textbuf_puts(b, "],\"rules\":[");
        for (size_t r = 0; r < k->vk_nrules; r++) {
            textbuf_puts(b, r ? ",{" : "{");
            app__vocab_str(b, "type", app__vocab_rule(k->vk_rules[r].vr_type),
                           0);
            app__vocab_str(b, "a", k->vk_rules[r].vr_a->vf_name, 1);
            app__vocab_str(b, "b", k->vk_rules[r].vr_b->vf_name, 1);
            textbuf_puts(b, "}");
        }
        textbuf_puts(b, "]}");
    }
    textbuf_puts(b, "],\n\"sets\":[");
    sets = vocab_sets(v, &ns);
    for (size_t i = 0; i < ns; i++) {
        textbuf_puts(b, i ? ",\n{" : "\n{");
        app__vocab_str(b, "name", sets[i].vs_name, 0);
        app__vocab_str(b, "label", sets[i].vs_label, 1);
        app__vocab_str(b, "help", sets[i].vs_help, 1);
        textbuf_puts(b, ",\"values\":[");
        for (size_t j = 0; j < sets[i].vs_n; j++) {
            const struct vocab_value *vv = &sets[i].vs_values[j];
            textbuf_puts(b, j ? ",{" : "{");
            app__vocab_str(b, "code", vv->vv_code, 0);
            app__vocab_str(b, "label", vv->vv_label, 1);
            app__vocab_str(b, "help", vv->vv_help, 1);
            textbuf_printf(b, ",\"since\":%u}", vv->vv_since);
        }
        textbuf_puts(b, "]}");
    }
    textbuf_puts(b, "],\n\"countries\":[");
    cs = vocab_countries(v, &nc);
    for (size_t i = 0; i < nc; i++) {
        textbuf_puts(b, i ? ",{" : "{");
        app__vocab_str(b, "code", cs[i].vc_a2, 0);
        app__vocab_str(b, "a3", cs[i].vc_a3, 1);
        app__vocab_str(b, "name", cs[i].vc_name, 1);
        textbuf_puts(b, "}");
    }
    textbuf_puts(b, "],\n\"members\":[");
    ms = vocab_members(v, &nm);
    for (size_t i = 0; ms && i < nm; i++) {
        textbuf_puts(b, i ? ",{" : "{");
        app__vocab_str(b, "code", ms[i].vm_code, 0);
        app__vocab_str(b, "type", ms[i].vm_type, 1);
        app__vocab_str(b, "country", ms[i].vm_country, 1);
        app__vocab_str(b, "name", ms[i].vm_name, 1);
        textbuf_puts(b, "}");
    }
    textbuf_puts(b, "]}");
}

int
app_vocab_render(struct home *h, struct textbuf *b, struct app_err *err)
{
    struct vocab *v = NULL;
    int rc;

    /* the version in force: what the writes of this home check against */
    if (h->h_vocab) {
        app_vocab_json(b, h->h_vocab);
        return 0;
    }
    if ((rc = app_vocab(h, &v, err)) != 0)
        return rc;
    app_vocab_json(b, v);
    vocab_free(v);
    return 0;
}
