/* Finds the sensor id of a pcap: the "sensor-id" file of the store it lies
 * in (searched in the pcap's folder and up to 8 parents). */
#ifndef MITSU_SENSOR_ID_H
#define MITSU_SENSOR_ID_H
#include <stddef.h>

int sensor_id_find(const char *pcap_path, char *out, size_t outlen);

#endif
