/* log_sign.c - signs an append batch on a second thread, beside the inserts. */
#include "log_int.h"

#include <string.h>

#include "crypto/error.h"

static int
log__sign_one(struct log_sign_job *j, size_t i)
{
    struct entry *e = &j->sj_es[i];

    if (i == 0) {
        e->e_h.h_has_prev = j->sj_has_prev0;
        memcpy(e->e_h.h_prev, j->sj_prev0, HASH_LEN);
    } else {
        e->e_h.h_has_prev = 1;
        memcpy(e->e_h.h_prev, j->sj_es[i - 1].e_id, HASH_LEN);
    }
    return entry_seal(e, j->sj_kp);
}

static void *
log__signer(void *arg)
{
    struct log_sign_job *j = arg;

    for (size_t i = 0; i < j->sj_n; i++) {
        int rc = log__sign_one(j, i);

        pthread_mutex_lock(&j->sj_mu);
        if (rc != 0)
            j->sj_err = rc;
        else
            j->sj_done = i + 1;
        int stop = j->sj_stop || rc != 0;
        /* Wake the inserter only when it waits, and only once a run of
         * entries is ready: a wake-up per entry costs more than a
         * signature. */
        if (j->sj_waiting &&
            (j->sj_done >= j->sj_want || stop || j->sj_done == j->sj_n))
            pthread_cond_signal(&j->sj_cv);
        pthread_mutex_unlock(&j->sj_mu);
        if (stop)
            break;
    }
    return NULL;
}

int
log_sign_start(struct log_sign_job *j)
{
    j->sj_done = 0;
    j->sj_err = 0;
    j->sj_stop = 0;
    j->sj_threaded = 0;
    if (j->sj_n < LOG_SIGN_THREAD_MIN) {
        for (size_t i = 0; i < j->sj_n; i++) {
            int rc = log__sign_one(j, i);
            if (rc != 0)
                return rc;
            j->sj_done = i + 1;
        }
        return 0;
    }
    if (pthread_mutex_init(&j->sj_mu, NULL) != 0)
        return ILONET_ENOMEM;
    if (pthread_cond_init(&j->sj_cv, NULL) != 0) {
        pthread_mutex_destroy(&j->sj_mu);
        return ILONET_ENOMEM;
    }
    if (pthread_create(&j->sj_th, NULL, log__signer, j) != 0) {
        pthread_cond_destroy(&j->sj_cv);
        pthread_mutex_destroy(&j->sj_mu);
        /* no thread to be had: sign inline */
        for (size_t i = 0; i < j->sj_n; i++) {
            int rc = log__sign_one(j, i);
            if (rc != 0)
                return rc;
            j->sj_done = i + 1;
        }
        return 0;
    }
    j->sj_threaded = 1;
    return 0;
}

int
log_sign_wait(struct log_sign_job *j, size_t i)
{
    int rc;

    if (!j->sj_threaded)
        return i < j->sj_done ? 0 : ILONET_EINVAL;
    pthread_mutex_lock(&j->sj_mu);
    if (j->sj_done <= i) {
        j->sj_want = i + LOG_SIGN_RUN < j->sj_n ? i + LOG_SIGN_RUN : j->sj_n;
        j->sj_waiting = 1;
        while (j->sj_done < j->sj_want && !j->sj_err)
            pthread_cond_wait(&j->sj_cv, &j->sj_mu);
        j->sj_waiting = 0;
    }
    rc = j->sj_done > i ? 0 : j->sj_err;
    pthread_mutex_unlock(&j->sj_mu);
    return rc;
}

void
log_sign_finish(struct log_sign_job *j)
{
    if (!j->sj_threaded)
        return;
    pthread_mutex_lock(&j->sj_mu);
    j->sj_stop = 1;
    pthread_mutex_unlock(&j->sj_mu);
    pthread_join(j->sj_th, NULL);
    pthread_cond_destroy(&j->sj_cv);
    pthread_mutex_destroy(&j->sj_mu);
    j->sj_threaded = 0;
}
