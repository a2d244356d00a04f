/* cmd_vocab.c - `ilonet vocab`: the vocabulary in force, for people and
 * scripts. */
#include <string.h>

#include "cmds.h"
#include "crypto/error.h"

static const char vocab_usage[] =
    "usage: ilonet [-C DIR] vocab [--regime 377-2004|2019-1240] [--countries]\n"
    "         [--json]\n\n"
    "Prints the vocabulary in force: the regime of this home's network\n"
    "(the seed's, 377-2004, when there is no home), or --regime's. It lists\n"
    "the record kinds with their fields (type, required, allowed values,\n"
    "the field giving the event date), the value sets with their labels\n"
    "(categories, units, reliability and accuracy grades with their\n"
    "legend, roles, audiences, ...), the reporting rules and the\n"
    "personal-data rule. --countries adds the ISO 3166-1 country table\n"
    "(always in --json), and the member table. docs/VOCAB.md describes the\n"
    "format.\n";

static const char *
vocab__event_name(enum vocab_event e)
{
    switch (e) {
    case VE_AT: return "at";
    case VE_SPAN: return "span";
    case VE_START: return "start";
    case VE_END: return "end";
    default: return NULL;
    }
}

static const char *
vocab__rule_name(enum vocab_rule_type t)
{
    return t == VR_PAIR ? "pair" : t == VR_NEEDS ? "needs" : "order";
}

/* ", name": a JSON key after the first. */
static void
vocab__key(int *first, const char *k)
{
    if (!*first)
        putchar(',');
    *first = 0;
    cmd_json_str(stdout, k);
    putchar(':');
}

static void
vocab__json_str(int *first, const char *k, const char *v)
{
    vocab__key(first, k);
    if (v)
        cmd_json_str(stdout, v);
    else
        fputs("null", stdout);
}

static void
vocab__json_uint(int *first, const char *k, unsigned long v)
{
    vocab__key(first, k);
    printf("%lu", v);
}

static void
vocab__json_bool(int *first, const char *k, int v)
{
    vocab__key(first, k);
    fputs(v ? "true" : "false", stdout);
}

static void
vocab__json_set(const struct vocab_set *s)
{
    int f = 1;

    putchar('{');
    vocab__json_str(&f, "name", s->vs_name);
    vocab__json_str(&f, "label", s->vs_label);
    vocab__json_str(&f, "help", s->vs_help);
    vocab__key(&f, "values");
    putchar('[');
    for (size_t i = 0; i < s->vs_n; i++) {
        const struct vocab_value *v = &s->vs_values[i];
        int g = 1;

        if (i)
            putchar(',');
        putchar('{');
        vocab__json_str(&g, "code", v->vv_code);
        vocab__json_str(&g, "label", v->vv_label);
        vocab__json_str(&g, "help", v->vv_help);
        vocab__json_uint(&g, "since", v->vv_since);
        if (strcmp(s->vs_name, "roles") == 0)
            vocab__json_bool(&g, "member_state", v->vv_member_state);
        if (strcmp(s->vs_name, "audiences") == 0)
            vocab__json_str(&g, "roles", v->vv_roles);
        putchar('}');
    }
    fputs("]}", stdout);
}

static void
vocab__json_field(const struct vocab_field *fd)
{
    int f = 1;

    putchar('{');
    vocab__json_str(&f, "name", fd->vf_name);
    vocab__json_str(&f, "type", vocab_type_name(fd->vf_type));
    vocab__json_str(&f, "label", fd->vf_label);
    vocab__json_str(&f, "help", fd->vf_help);
    vocab__json_bool(&f, "required", fd->vf_flags & VF_REQUIRED);
    vocab__json_bool(&f, "fixed", fd->vf_flags & VF_FIXED);
    vocab__json_bool(&f, "internal", fd->vf_flags & VF_INTERNAL);
    vocab__json_str(&f, "values",
                    fd->vf_values ? fd->vf_values->vs_name : NULL);
    vocab__json_str(&f, "suggest",
                    fd->vf_suggest             ? fd->vf_suggest->vs_name
                    : fd->vf_suggest_countries ? "countries"
                                               : NULL);
    vocab__json_uint(&f, "max", fd->vf_max);
    vocab__json_str(&f, "event", vocab__event_name(fd->vf_event));
    vocab__json_uint(&f, "since", fd->vf_since);
    putchar('}');
}

static void
vocab__json(const struct vocab *v)
{
    const struct vocab_report *r = vocab_report(v);
    const struct vocab_privacy *p = vocab_privacy(v);
    const struct vocab_kind *ks;
    const struct vocab_set *ss;
    const struct vocab_country *cs;
    const struct vocab_member *ms;
    size_t nk, ns, nc, nm;
    int f = 1, g;

    putchar('{');
    vocab__json_str(&f, "regime", vocab_regime(v));
    vocab__json_uint(&f, "version", vocab_version(v));
    vocab__json_str(&f, "title", vocab_title(v));
    vocab__key(&f, "report");
    g = 1;
    putchar('{');
    vocab__json_str(&g, "period", r->vp_period);
    vocab__json_str(&g, "drafter", r->vp_drafter);
    vocab__json_str(&g, "template", r->vp_template);
    vocab__json_str(&g, "audience", r->vp_audience);
    putchar('}');
    vocab__key(&f, "personal_data");
    g = 1;
    putchar('{');
    vocab__json_uint(&g, "max_days", p->vy_max_days);
    vocab__key(&g, "detect");
    printf("[%s%s%s%s%s]",
           p->vy_detect & VOCAB_PII_DOB ? "\"date-of-birth\"" : "",
           (p->vy_detect & VOCAB_PII_DOB) &&
                   (p->vy_detect & (VOCAB_PII_DOCNUM | VOCAB_PII_MRZ))
               ? ","
               : "",
           p->vy_detect & VOCAB_PII_DOCNUM ? "\"document-number\"" : "",
           (p->vy_detect & VOCAB_PII_DOCNUM) && (p->vy_detect & VOCAB_PII_MRZ)
               ? ","
               : "",
           p->vy_detect & VOCAB_PII_MRZ ? "\"mrz\"" : "");
    putchar('}');
    vocab__key(&f, "kinds");
    putchar('[');
    ks = vocab_kinds(v, &nk);
    for (size_t i = 0; i < nk; i++) {
        const struct vocab_kind *k = &ks[i];

        if (i)
            putchar(',');
        g = 1;
        putchar('{');
        vocab__json_str(&g, "name", k->vk_name);
        vocab__json_uint(&g, "code", k->vk_code);
        vocab__json_str(&g, "label", k->vk_label);
        vocab__json_str(&g, "help", k->vk_help);
        vocab__json_str(&g, "plural", k->vk_plural);
        vocab__json_bool(&g, "record", k->vk_is_record);
        vocab__json_uint(&g, "since", k->vk_since);
        vocab__key(&g, "audiences");
        putchar('[');
        for (size_t a = 0; a < k->vk_naudiences; a++) {
            if (a)
                putchar(',');
            cmd_json_str(stdout, k->vk_audiences[a]);
        }
        putchar(']');
        vocab__key(&g, "fields");
        putchar('[');
        for (size_t j = 0; j < k->vk_nfields; j++) {
            if (j)
                putchar(',');
            vocab__json_field(&k->vk_fields[j]);
        }
        putchar(']');
        vocab__key(&g, "rules");
        putchar('[');
        for (size_t j = 0; j < k->vk_nrules; j++)
            printf("%s[\"%s\",\"%s\",\"%s\"]", j ? "," : "",
                   vocab__rule_name(k->vk_rules[j].vr_type),
                   k->vk_rules[j].vr_a->vf_name, k->vk_rules[j].vr_b->vf_name);
        fputs("]}", stdout);
    }
    putchar(']');
    vocab__key(&f, "sets");
    putchar('[');
    ss = vocab_sets(v, &ns);
    for (size_t i = 0; i < ns; i++) {
        if (i)
            putchar(',');
        vocab__json_set(&ss[i]);
    }
    putchar(']');
    vocab__key(&f, "countries");
    putchar('[');
    cs = vocab_countries(v, &nc);
    for (size_t i = 0; i < nc; i++) {
        g = 1;
        printf("%s{", i ? "," : "");
        vocab__json_str(&g, "a2", cs[i].vc_a2);
        vocab__json_str(&g, "a3", cs[i].vc_a3);
        vocab__json_str(&g, "name", cs[i].vc_name);
        putchar('}');
    }
    putchar(']');
    vocab__key(&f, "members");
    putchar('[');
    ms = vocab_members(v, &nm);
    for (size_t i = 0; i < nm; i++) {
        g = 1;
        printf("%s{", i ? "," : "");
        vocab__json_str(&g, "code", ms[i].vm_code);
        vocab__json_str(&g, "type", ms[i].vm_type);
        vocab__json_str(&g, "country", ms[i].vm_country);
        vocab__json_str(&g, "name", ms[i].vm_name);
        putchar('}');
    }
    fputs("]}\n", stdout);
}

static void
vocab__text(const struct vocab *v, int countries)
{
    const struct vocab_report *r = vocab_report(v);
    const struct vocab_privacy *p = vocab_privacy(v);
    const struct vocab_kind *ks;
    const struct vocab_set *ss;
    size_t nk, ns;

    printf("regime %s, vocabulary version %u\n%s\n", vocab_regime(v),
           vocab_version(v), vocab_title(v));
    printf("report: per %s, drafted by the %s, template %s, from the %s "
           "audience\n",
           r->vp_period, r->vp_drafter, r->vp_template, r->vp_audience);
    printf("personal data: --personal-data --purpose TEXT --retain-until "
           "YYYY-MM-DD, at most %u days ahead; hidden on every node after "
           "that day\n",
           p->vy_max_days);
    ks = vocab_kinds(v, &nk);
    printf("\nrecord kinds (fields: * required, = fixed once written, "
           "@ event date)\n");
    for (size_t i = 0; i < nk; i++) {
        const struct vocab_kind *k = &ks[i];

        if (!k->vk_is_record)
            continue;
        printf("  %s (%s): %s\n", k->vk_name, k->vk_plural, k->vk_label);
        for (size_t j = 0; j < k->vk_nfields; j++) {
            const struct vocab_field *f = &k->vk_fields[j];

            if (f->vf_flags & VF_INTERNAL)
                continue;
            printf("    --%-14s %-9s %s%s%s %s", f->vf_name,
                   vocab_type_name(f->vf_type),
                   f->vf_flags & VF_REQUIRED ? "*" : " ",
                   f->vf_flags & VF_FIXED ? "=" : " ", f->vf_event ? "@" : " ",
                   f->vf_label);
            if (f->vf_values)
                printf(" [%s]", f->vf_values->vs_name);
            if (f->vf_since > 1)
                printf(" (since v%u)", f->vf_since);
            putchar('\n');
        }
    }
    ss = vocab_sets(v, &ns);
    printf("\nvalue sets\n");
    for (size_t i = 0; i < ns; i++) {
        printf("  %s: %s\n", ss[i].vs_name, ss[i].vs_label);
        if (ss[i].vs_help[0])
            printf("    %s\n", ss[i].vs_help);
        for (size_t j = 0; j < ss[i].vs_n; j++) {
            const struct vocab_value *val = &ss[i].vs_values[j];

            printf("    %-24s %s", val->vv_code, val->vv_label);
            if (val->vv_since > 1)
                printf(" (since v%u)", val->vv_since);
            putchar('\n');
            /* the grades' legend: what each letter or digit means */
            if (val->vv_help[0] && (strcmp(ss[i].vs_name, "reliability") == 0 ||
                                    strcmp(ss[i].vs_name, "accuracy") == 0))
                printf("    %-24s   %s\n", "", val->vv_help);
        }
    }
    if (countries) {
        const struct vocab_country *cs;
        const struct vocab_member *ms;
        size_t nc, nm;

        cs = vocab_countries(v, &nc);
        printf("\ncountries (ISO 3166-1; stored as alpha-2)\n");
        for (size_t i = 0; i < nc; i++)
            printf("  %s %s %s%s\n", cs[i].vc_a2, cs[i].vc_a3, cs[i].vc_name,
                   cs[i].vc_user_assigned ? " (user-assigned)" : "");
        ms = vocab_members(v, &nm);
        printf("\nmembers\n");
        for (size_t i = 0; i < nm; i++)
            printf("  %-8s %-13s %s\n", ms[i].vm_code, ms[i].vm_type,
                   ms[i].vm_name);
    } else {
        size_t nc;

        vocab_countries(v, &nc);
        printf("\ncountries: %zu ISO 3166-1 codes, alpha-2 or alpha-3 "
               "(--countries lists them)\n",
               nc);
    }
}

int
cmd_vocab(struct cmd_env *env, int argc, char **argv)
{
    struct cmd_opts o;
    const char *regime;
    struct vocab *v = NULL;
    int rc, countries;

    if (cmd_wants_help(argc, argv, vocab_usage))
        return 0;
    cmd_opts_init(&o, argc, argv);
    regime = cmd_opt(&o, "--regime");
    countries = cmd_flag(&o, "--countries");
    if ((rc = cmd_opts_done(&o, "vocab")) != 0)
        return rc;
    rc = regime ? cmd_regime_vocab("vocab", regime, &v)
                : cmd_home_vocab(env, "vocab", &v);
    if (rc != 0)
        return rc;
    if (env->json)
        vocab__json(v);
    else
        vocab__text(v, countries);
    vocab_free(v);
    return 0;
}
