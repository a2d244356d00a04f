/* cmds.h - every subcommand's entry point (one file each under cmd/). */
#ifndef ILONET_CMDS_H
#define ILONET_CMDS_H

#include "cmd.h"

int cmd_testnet(struct cmd_env *env, int argc, char **argv);
int cmd_network(struct cmd_env *env, int argc, char **argv);
int cmd_state(struct cmd_env *env, int argc, char **argv);
int cmd_init(struct cmd_env *env, int argc, char **argv);
int cmd_cert(struct cmd_env *env, int argc, char **argv);
int cmd_id(struct cmd_env *env, int argc, char **argv);
int cmd_peer(struct cmd_env *env, int argc, char **argv);
int cmd_observe(struct cmd_env *env, int argc, char **argv);
int cmd_log(struct cmd_env *env, int argc, char **argv);
int cmd_export(struct cmd_env *env, int argc, char **argv);
int cmd_import(struct cmd_env *env, int argc, char **argv);
int cmd_verify(struct cmd_env *env, int argc, char **argv);
int cmd_status(struct cmd_env *env, int argc, char **argv);
int cmd_node(struct cmd_env *env, int argc, char **argv);
int cmd_sync(struct cmd_env *env, int argc, char **argv);
int cmd_restore(struct cmd_env *env, int argc, char **argv);
int cmd_backup(struct cmd_env *env, int argc, char **argv);
int cmd_amend(struct cmd_env *env, int argc, char **argv);
int cmd_retract(struct cmd_env *env, int argc, char **argv);
int cmd_erase(struct cmd_env *env, int argc, char **argv);
int cmd_meeting(struct cmd_env *env, int argc, char **argv);
int cmd_training(struct cmd_env *env, int argc, char **argv);
int cmd_carrier(struct cmd_env *env, int argc, char **argv);
int cmd_contact(struct cmd_env *env, int argc, char **argv);
int cmd_posting(struct cmd_env *env, int argc, char **argv);
int cmd_chair(struct cmd_env *env, int argc, char **argv);
int cmd_vocab(struct cmd_env *env, int argc, char **argv);
int cmd_task(struct cmd_env *env, int argc, char **argv);
int cmd_grant(struct cmd_env *env, int argc, char **argv);
int cmd_list(struct cmd_env *env, int argc, char **argv);
int cmd_show(struct cmd_env *env, int argc, char **argv);
int cmd_query(struct cmd_env *env, int argc, char **argv);
int cmd_report(struct cmd_env *env, int argc, char **argv);
int cmd_demo(struct cmd_env *env, int argc, char **argv);
int cmd_search(struct cmd_env *env, int argc, char **argv);
int cmd_user(struct cmd_env *env, int argc, char **argv);
int cmd_attach(struct cmd_env *env, int argc, char **argv);
int cmd_blob(struct cmd_env *env, int argc, char **argv);

#endif
