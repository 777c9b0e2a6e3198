/* Subcommands.  Only src/cmd/ may exit; each returns the process status. */
#ifndef MITSU_CMD_H
#define MITSU_CMD_H

int cmd_sensor(int argc, char **argv);
int cmd_analyze(int argc, char **argv);
int cmd_run(int argc, char **argv);
int cmd_query(int argc, char **argv);
int cmd_sql(int argc, char **argv);
int cmd_web(int argc, char **argv);
int cmd_token(int argc, char **argv);
int cmd_cloudtrail(int argc, char **argv);

#endif
