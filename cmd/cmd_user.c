/* cmd_user.c - placeholder */
#include "cmds.h"
int cmd_user(struct cmd_env *env, int argc, char **argv){(void)env;(void)argc;(void)argv;return 2;}
