/*
 * api_status.c -- ladle_status_name: a status's constant name, for hosts'
 * logs and tests.
 */
#include "ladle/ladle.h"

const char *ladle_status_name(ladle_status status)
{
    switch (status) {
    case LADLE_OK: return "LADLE_OK";
    case LADLE_E_USAGE: return "LADLE_E_USAGE";
    case LADLE_E_INPUT: return "LADLE_E_INPUT";
    case LADLE_E_OUTPUT: return "LADLE_E_OUTPUT";
    case LADLE_E_INTERNAL: return "LADLE_E_INTERNAL";
    case LADLE_E_INTERRUPTED: return "LADLE_E_INTERRUPTED";
    }
    return "LADLE_E_UNKNOWN";
}
