/* error.h — how every chipfit function reports failure.
 *
 * A function returns an int status (0, or a negative CF_E* code) or a pointer
 * (NULL on failure) and takes a `cf_error *err` as its last argument. The error
 * receives a message naming the file, layer or field at fault. It is left
 * untouched on success, and the first error set wins: later calls of
 * cf_error_set on an error that already holds one keep the first message, so
 * the root cause is what the user reads. Libraries never print; app/ shows
 * err->msg and chooses the exit code. */
#ifndef CF_ERROR_H
#define CF_ERROR_H

#include <stddef.h>

enum {
    CF_OK = 0,
    CF_ENOMEM = -1,       /* allocation failed */
    CF_EIO = -2,          /* file missing, unreadable, short read, write failed */
    CF_EFORMAT = -3,      /* bytes are not what they claim to be (not protobuf, truncated) */
    CF_EINVAL = -4,       /* a caller's argument or a user's option is wrong */
    CF_EUNSUPPORTED = -5, /* valid input chipfit does not handle (op, element type) */
    CF_ECHECK = -6,       /* the model breaks the ONNX spec (checker, cycle, dangling name) */
    CF_ENOTFOUND = -7,    /* a named thing (tensor, layer, file in the model) is absent */
    CF_EINTERNAL = -8,    /* a bug in chipfit or a library threw something unexpected */
    CF_ECANCELED = -9,    /* the user stopped the work (Esc in the TUI, a progress callback) */
};

#define CF_ERROR_MSG_MAX 1024

typedef struct cf_error {
    int code;                     /* 0 while no error has been set */
    char msg[CF_ERROR_MSG_MAX];
} cf_error;

#define CF_ERROR_INIT {0, {0}}

void cf_error_clear(cf_error *err);

/* Sets the error (unless one is already set, or err is NULL) and returns code,
 * so a caller can write `return cf_error_set(err, CF_EIO, "...", ...);`. */
int cf_error_set(cf_error *err, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Puts "what: " before the message already held, to add context on the way up
 * ("loading model.onnx: tensor w: ..."). No effect when err holds no error. */
void cf_error_prefix(cf_error *err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

const char *cf_error_code_name(int code);

#endif
