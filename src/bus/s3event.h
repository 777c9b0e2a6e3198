/* Bus events in the shape of AWS S3 event notifications, so one analyzer
 * reads our bus and AWS's S3 -> SNS/SQS messages alike.
 *
 * Encoded: {"Records":[{"eventVersion":"2.1","eventSource":"aws:s3",
 * "awsRegion","eventTime","eventName":"ObjectCreated:Put","userIdentity":
 * {"principalId":"mitsu:<sensor>"},"s3":{"bucket":{"name"},"object":{"key",
 * "size","eTag","sequencer"}},"mitsu":{"sensor","flowEnd","uri"}}]}.
 * AWS consumers ignore the extra "mitsu" member; the key is URL-encoded as
 * AWS does it (space as '+', '/' kept).
 *
 * Decoded: a raw S3 event, the same as the Message string of an SNS
 * notification, as the Body of an SQS message (SQS of SNS included), as
 * Lambda's SQS and SNS events (Records[].body, Records[].Sns.Message) and
 * an SQS ReceiveMessage response (Messages[].Body).  Only ObjectCreated:*
 * records become events; s3:TestEvent and others are skipped. */
#ifndef MITSU_S3EVENT_H
#define MITSU_S3EVENT_H
#include <stddef.h>

#include "bus/bus.h"
#include "core/buf.h"

#define S3EVENT_MAX_DOC (4u << 20) /* bytes per document */

int s3event_encode(const struct bus_event *ev, struct buf *out);

/* Called for each object-created record; a non-zero return stops decoding
 * and is returned. */
typedef int (*s3event_fn)(void *user, const struct bus_event *ev);

/* Decodes the first JSON document of s[0..len); *used (may be NULL) gets
 * its length with trailing white space, for streams of documents.  Returns
 * the number of events delivered, -EINVAL for a malformed document or one
 * that is not an S3 event in any known envelope, -E2BIG if too large or
 * deep, -ENODATA for white space only, or fn's non-zero return. */
int s3event_decode(const char *s, size_t len, size_t *used, s3event_fn fn, void *user);

/* Object keys in S3 notifications: space as '+', [A-Za-z0-9/_.*-] kept,
 * every other byte as %XX.  0 or -ENOSPC. */
int s3event_key_encode(const char *key, char *out, size_t outlen);
/* The reverse; -EINVAL for a bad escape or %00. */
int s3event_key_decode(const char *in, size_t len, char *out, size_t outlen);

/* "2026-01-02T03:04:05.678Z" <-> seconds since the epoch. */
void s3event_time_format(double t, char *out, size_t outlen);
int s3event_time_parse(const char *s, double *out);

#endif
