/* Names of alert kinds, as stored in the alerts table and sent to channels. */
#include "alert/alert.h"

const char *alert_kind_name(enum alert_kind k)
{
	switch (k) {
	case ALERT_TOKEN:
		return "token";
	case ALERT_CONTACT:
		return "contact";
	case ALERT_TAG:
		return "tag";
	case ALERT_CLOUDTRAIL:
		return "cloudtrail";
	}
	return "unknown";
}
