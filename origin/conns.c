/* conns.c: the origin's view of its connections: how many are open (the /metrics gauge and the
 * 503 threshold), how many requests are in flight (what a graceful shutdown waits for), and the
 * header deadline that defeats slowloris.
 *
 * Why a deadline of our own: libmicrohttpd's connection timeout restarts on every byte
 * received, so a client trickling one byte a second holds a connection forever. Here each
 * connection must deliver a complete request head within `header_deadline` seconds of opening
 * or of its previous response; a watchdog thread shuts down the socket of any that does not.
 * shutdown(2), not close(2): libmicrohttpd still owns the descriptor, sees end-of-file and
 * closes the connection itself. The registry lock is held across that call and across the
 * closed-notification, which libmicrohttpd sends before closing the descriptor, so the watchdog
 * never touches a descriptor number that has been reused. */
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "origin_internal.h"

static void *watchdog_main(void *arg)
{
    org_conns *cs = arg;
    double period = cs->header_deadline / 4;

    if (period < 0.05)
        period = 0.05;
    if (period > 1)
        period = 1;
    pthread_mutex_lock(&cs->lock);
    while (!cs->stop) {
        double wake_at = ladder_now() + period; /* the condition waits on CLOCK_MONOTONIC */
        struct timespec until = {.tv_sec = (time_t)wake_at};
        until.tv_nsec = (long)((wake_at - (double)until.tv_sec) * 1e9);
        pthread_cond_timedwait(&cs->wake, &cs->lock, &until);
        double now = ladder_now();
        for (org_conn *c = cs->head; c; c = c->next)
            if (!c->in_request && !c->cut && now - c->idle_since > cs->header_deadline) {
                shutdown(c->fd, SHUT_RDWR);
                c->cut = 1;
            }
    }
    pthread_mutex_unlock(&cs->lock);
    return NULL;
}

int org_conns_init(org_conns *cs, double header_deadline, ladder_error *err)
{
    pthread_condattr_t attr;

    memset(cs, 0, sizeof *cs);
    atomic_init(&cs->open, 0);
    atomic_init(&cs->in_flight, 0);
    cs->header_deadline = header_deadline;
    pthread_mutex_init(&cs->lock, NULL);
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(&cs->wake, &attr);
    pthread_condattr_destroy(&attr);
    if (pthread_create(&cs->watchdog, NULL, watchdog_main, cs) != 0) {
        pthread_cond_destroy(&cs->wake);
        pthread_mutex_destroy(&cs->lock);
        return ladder_error_set(err, LADDER_ENOMEM, "cannot start the connection watchdog");
    }
    cs->running = 1;
    return 0;
}

void org_conns_fini(org_conns *cs)
{
    if (!cs->running)
        return;
    pthread_mutex_lock(&cs->lock);
    cs->stop = 1;
    pthread_cond_signal(&cs->wake);
    pthread_mutex_unlock(&cs->lock);
    pthread_join(cs->watchdog, NULL);
    cs->running = 0;
    while (cs->head) { /* none once the daemon has stopped; kept leak-proof regardless */
        org_conn *c = cs->head;
        cs->head = c->next;
        free(c);
    }
    pthread_cond_destroy(&cs->wake);
    pthread_mutex_destroy(&cs->lock);
}

static void conn_started(org_conns *cs, struct MHD_Connection *connection, void **socket_context)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(connection, MHD_CONNECTION_INFO_CONNECTION_FD);
    org_conn *c = ci ? calloc(1, sizeof *c) : NULL;

    *socket_context = c;
    if (!c)
        return; /* counted, but without a deadline: better than refusing it */
    c->fd = ci->connect_fd;
    c->idle_since = ladder_now();
    pthread_mutex_lock(&cs->lock);
    c->next = cs->head;
    if (cs->head)
        cs->head->prev = c;
    cs->head = c;
    pthread_mutex_unlock(&cs->lock);
}

static void conn_closed(org_conns *cs, org_conn *c)
{
    if (!c)
        return;
    pthread_mutex_lock(&cs->lock);
    if (c->prev)
        c->prev->next = c->next;
    else
        cs->head = c->next;
    if (c->next)
        c->next->prev = c->prev;
    pthread_mutex_unlock(&cs->lock);
    free(c);
}

void org_conns_notify(void *cls, struct MHD_Connection *connection, void **socket_context,
                      enum MHD_ConnectionNotificationCode code)
{
    org_conns *cs = cls;

    if (code == MHD_CONNECTION_NOTIFY_STARTED) {
        atomic_fetch_add(&cs->open, 1);
        conn_started(cs, connection, socket_context);
    } else if (code == MHD_CONNECTION_NOTIFY_CLOSED) {
        conn_closed(cs, *socket_context);
        *socket_context = NULL;
        atomic_fetch_sub(&cs->open, 1);
    }
}

void org_conns_request_begin(org_conns *cs, org_conn *c)
{
    atomic_fetch_add(&cs->in_flight, 1);
    if (!c)
        return;
    pthread_mutex_lock(&cs->lock);
    c->in_request = 1;
    pthread_mutex_unlock(&cs->lock);
}

void org_conns_request_end(org_conns *cs, org_conn *c)
{
    if (c) {
        pthread_mutex_lock(&cs->lock);
        c->in_request = 0;
        c->idle_since = ladder_now();
        pthread_mutex_unlock(&cs->lock);
    }
    atomic_fetch_sub(&cs->in_flight, 1);
}
