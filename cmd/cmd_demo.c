/* cmd_demo.c - `ilonet demo`: a whole ILO network on one machine, ending in the report. */
#include "cmds.h"

int
cmd_demo(struct cmd_env *env, int argc, char **argv)
{
    (void)env;
    (void)argc;
    (void)argv;
    return cmd_fail("demo", "not yet");
}
