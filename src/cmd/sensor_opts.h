/* Options shared by `mitsu sensor` and `mitsu run`, on the command line and
 * in the config file (same names, "name value" per line). */
#ifndef MITSU_SENSOR_OPTS_H
#define MITSU_SENSOR_OPTS_H
#include <getopt.h>
#include <stddef.h>
#include <stdio.h>

#include "sensor/sensor.h"

extern const struct option sensor_long_options[];
extern const char sensor_short_options[];
extern const char sensor_options_help[];
/* Where alert options go (set by `mitsu run` before sensor_cmd_start; NULL:
 * checked, then ignored with a warning). */
struct alert_hub_cfg;
extern struct alert_hub_cfg *sensor_alert_cfg;
/* Called on SIGHUP with the alert options read again (NULL: none). */
extern void (*sensor_alert_reload)(const struct alert_hub_cfg *cfg);

/* Applies one option by its getopt value; writes a one-line error. */
int sensor_apply_option(struct sensor_cfg *cfg, int opt, const char *arg, char *err,
			size_t errlen);
/* Reads a config file of "name value" lines. */
int sensor_read_config(struct sensor_cfg *cfg, const char *path, char *err, size_t errlen);
/* defaults, then --config file, then the command line; ignores options
 * not in the sensor table (unknown ones are the caller's). */
int sensor_parse_args(struct sensor_cfg *cfg, int argc, char **argv, const char **config,
		      const char **log, int *verbose, char *err, size_t errlen);

/* SIGHUP: reopen the log; defaults + config file + command line again. */
void sensor_reload_from_args(struct sensor *s, int argc, char **argv);

/* Both commands start alike: defaults, --config, the command line, the log
 * and the signal handlers.  Returns -1 to go on, else the exit status
 * (0 after --help, 2 for bad usage, 1 if the log cannot be opened). */
int sensor_cmd_start(const char *cmd, int argc, char **argv, struct sensor_cfg *cfg,
		     void (*usage)(FILE *f));
/* Runs s until SIGTERM/SIGINT or the end of the input, reloading on SIGHUP,
 * then writes everything and closes s.  Returns the exit status. */
int sensor_cmd_run(struct sensor *s, int argc, char **argv);
/* The same, calling before_close(arg) once the loop has ended and before s
 * is closed (mitsu run detaches the dashboard from the counters there). */
int sensor_cmd_run_hook(struct sensor *s, int argc, char **argv, void (*before_close)(void *),
			void *arg);

#endif
