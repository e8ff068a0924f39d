/*
 * console.c -- the stderr lock (console.h).
 */
#include "engine/console.h"

#include <pthread.h>

static pthread_mutex_t console = PTHREAD_MUTEX_INITIALIZER;

void ladle_console_lock(void)
{
    pthread_mutex_lock(&console);
}

void ladle_console_unlock(void)
{
    pthread_mutex_unlock(&console);
}
