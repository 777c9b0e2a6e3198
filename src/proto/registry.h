/* Declarations of every dissector in registry.c's table. */
#ifndef MITSU_PROTO_REGISTRY_H
#define MITSU_PROTO_REGISTRY_H
#include "proto/proto.h"

/* @group-a */
/* @group-b */
/* @group-c */

#endif
