/* test_parallel.c: ladder_parallel_for (core/parallel.c) calls fn once for every index, on
 * several threads, and returns only when all calls are done. */
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fixture.h"
#include "ladder.h"

typedef struct counts {
    int n;
    int *calls; /* per index, incremented atomically */
    int done;   /* calls finished, atomically */
} counts;

static void count(void *opaque, int i)
{
    counts *c = opaque;

    __atomic_fetch_add(&c->calls[i], 1, __ATOMIC_RELAXED);
    __atomic_fetch_add(&c->done, 1, __ATOMIC_RELEASE);
}

static void run(counts *c, int n)
{
    c->n = n;
    c->calls = calloc(n > 0 ? (size_t)n : 1, sizeof *c->calls);
    c->done = 0;
    assert_non_null(c->calls);
    ladder_parallel_for(n, count, c);
}

static void release(counts *c)
{
    free(c->calls);
}

static void assert_each_once(const counts *c)
{
    for (int i = 0; i < c->n; i++)
        if (c->calls[i] != 1)
            fail_msg("index %d of %d called %d times", i, c->n, c->calls[i]);
    /* every call returned before parallel_for did */
    assert_int_equal(__atomic_load_n(&c->done, __ATOMIC_ACQUIRE), c->n);
}

static void test_every_index_once(void **state)
{
    static const int sizes[] = {1, 2, 3, 7, 8, 9, 64, 1000, 10007};

    (void)state;
    for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; k++) {
        counts c;
        run(&c, sizes[k]);
        assert_each_once(&c);
        release(&c);
    }
}

static void test_none(void **state)
{
    counts c;

    (void)state;
    run(&c, 0);
    assert_int_equal(c.done, 0);
    release(&c);
}

/* With more than one core the calls overlap: the first two wait (up to 5 s) for each other,
 * which one thread alone could never see. */
typedef struct meet {
    int arrived, met;
} meet;

static void wait_for_other(void *opaque, int i)
{
    meet *m = opaque;
    struct timespec start, now;

    if (i >= 2)
        return;
    __atomic_fetch_add(&m->arrived, 1, __ATOMIC_SEQ_CST);
    clock_gettime(CLOCK_MONOTONIC, &start);
    do {
        if (__atomic_load_n(&m->arrived, __ATOMIC_SEQ_CST) >= 2) {
            __atomic_fetch_add(&m->met, 1, __ATOMIC_SEQ_CST);
            return;
        }
        sched_yield();
        clock_gettime(CLOCK_MONOTONIC, &now);
    } while (now.tv_sec - start.tv_sec < 5);
}

static void test_calls_overlap(void **state)
{
    meet m = {0};

    (void)state;
    if (ladder_cpu_count() < 2)
        skip();
    ladder_parallel_for(100, wait_for_other, &m);
    assert_int_equal(m.arrived, 2);
    assert_int_equal(m.met, 2);
}

static void test_cpu_count(void **state)
{
    (void)state;
    assert_true(ladder_cpu_count() >= 1);
}

#include "test_parallel_tests.h"
