/* cmd_observe.c - `ilonet observe`: record an observation (Art. 2(2)). */
#include "cmd_record.h"
#include "cmds.h"

static const char observe_usage[] =
    "usage: ilonet [-C DIR] observe --category C --summary TEXT\n"
    "         [--detail TEXT] [--nationality LIST] [--figure N --unit U]\n"
    "         [--period FROM..TO] [--level operational|strategic]\n"
    "         [--reliability A-F] [--place TEXT] [--source TEXT]\n"
    "         [--audience net|ms|DE+FR] [--on-behalf-of STATE]\n"
    "         [--personal-data --purpose TEXT --retain-until YYYY-MM-DD]\n\n"
    "Records an observation. C is one of: flows routes modus-operandi\n"
    "criminal-organisations incidents document-fraud assistance return\n"
    "(377-2004; a 2019-1240 network adds legislation protection\n"
    "legal-migration capacity-building and needs --period; `ilonet vocab`\n"
    "lists the fields, values and grades of this home's regime).\n"
    "Text that looks like personal data (a date of birth, a passport\n"
    "number) is refused unless the record is marked with --personal-data,\n"
    "a purpose and the last day it is kept (every node hides it after).\n"
    "LIST is comma-separated (SY,AF); N a whole number (0 is a figure, an\n"
    "absent --figure means not available); dates are YYYY-MM-DD and a\n"
    "period is FROM..TO or one date. --on-behalf-of writes for another state\n"
    "under a grant it gave this node's state (found automatically). Works\n"
    "with or without a running node; prints the new entry id.\n";

int
cmd_observe(struct cmd_env *env, int argc, char **argv)
{
    return rec_create(env, "observe", KIND_OBSERVATION, observe_usage, argc,
                      argv);
}
