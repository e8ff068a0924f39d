/*
 * console.h -- one lock for what is written to stderr while a run's
 * threads go: the progress line (drawn by the engine's ticker thread
 * through the job's callback) and the notes other threads print, so that
 * a note first clears the line and a redraw never lands inside a note.
 */
#ifndef LADLE_CONSOLE_H
#define LADLE_CONSOLE_H

/* Any thread; not recursive. Hold it only while writing a line. */
void ladle_console_lock(void);
void ladle_console_unlock(void);

#endif
