#!/bin/sh
# exec channel target for tests/net/test_alerts.sh: appends the alert JSON
# (stdin) and the environment mitsu set to the file named by $1.
{
	cat
	echo "env kind=$MITSU_ALERT_KIND src=$MITSU_ALERT_SRC"
} >>"$1"
