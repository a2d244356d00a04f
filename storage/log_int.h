/* log_int.h - internals shared by the log store's files. */
#ifndef ILONET_LOG_INT_H
#define ILONET_LOG_INT_H

#include <pthread.h>
#include <stddef.h>

#include "entry.h"

/*
 * Signing pipeline for local appends. A chain must be signed in order
 * (each header holds the previous entry's id, which covers its
 * signature), so signing cannot be split across cores; but it can run
 * beside the database work. A job signs es[0..n) on its own thread while
 * the caller's thread inserts entries as they become ready. Small jobs
 * are signed inline. The job owns nothing: es and kp belong to the caller
 * and must outlive log_sign_finish().
 */
#define LOG_SIGN_THREAD_MIN 32
#define LOG_SIGN_RUN 64 /* entries the inserter waits for at once */

struct log_sign_job {
    const struct key_pair *sj_kp;
    struct entry *sj_es; /* headers filled except prev; payloads set */
    size_t sj_n;
    int sj_has_prev0;
    uint8_t sj_prev0[HASH_LEN];
    /* progress, guarded by sj_mu */
    pthread_mutex_t sj_mu;
    pthread_cond_t sj_cv;
    size_t sj_done;
    int sj_err;
    int sj_stop;
    int sj_waiting;  /* the inserter sleeps on sj_cv */
    size_t sj_want;  /* ...until sj_done reaches this */
    int sj_threaded;
    pthread_t sj_th;
};

int log_sign_start(struct log_sign_job *j);
/* Waits until entry i is sealed; returns the job's error, if any. */
int log_sign_wait(struct log_sign_job *j, size_t i);
/* Stops (if still running) and joins the signer. */
void log_sign_finish(struct log_sign_job *j);

#endif
