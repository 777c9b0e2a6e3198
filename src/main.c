/* mitsu: an all-port honeypot.  This file only dispatches subcommands. */
#include <stdio.h>
#include <string.h>

#include "cmd/cmd.h"

struct subcommand {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *summary;
};

static const struct subcommand subcommands[] = {
	{"run", cmd_run, "sensor + analyzer + store in one process (embedded defaults)"},
	{"sensor", cmd_sensor, "answer every port, capture every flow, write one pcap per flow"},
	{"analyze", cmd_analyze, "reassemble pcaps into one JSON record per flow"},
	{"query", cmd_query, "query the record store in the pipe language"},
	{"sql", cmd_sql, "run read-only SQL against the record store"},
	{"web", cmd_web, "the dashboard and JSON API over the record store"},
	{"token", cmd_token, "mint and manage honeytokens (bait credentials, URLs, keys, files)"},
	{"cloudtrail", cmd_cloudtrail, "alert on CloudTrail events made with an aws honeytoken"},
};

static void usage(FILE *f)
{
	fprintf(f, "usage: mitsu <command> [options]\n\ncommands:\n");
	for (size_t i = 0; i < sizeof(subcommands) / sizeof(subcommands[0]); i++)
		fprintf(f, "  %-11s %s\n", subcommands[i].name, subcommands[i].summary);
	fprintf(f, "\n'mitsu <command> --help' explains each command.\n");
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") || !strcmp(argv[1], "help")) {
		usage(stdout);
		return 0;
	}
	if (!strcmp(argv[1], "--version")) {
		printf("mitsu 0.1\n");
		return 0;
	}
	for (size_t i = 0; i < sizeof(subcommands) / sizeof(subcommands[0]); i++)
		if (!strcmp(argv[1], subcommands[i].name))
			return subcommands[i].fn(argc - 1, argv + 1);
	fprintf(stderr, "mitsu: unknown command '%s'\n", argv[1]);
	usage(stderr);
	return 2;
}
