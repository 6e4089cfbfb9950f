/* test_cache.c: the origin's generic cache (origin/cache.c), without a server: hits and misses,
 * the three verdicts of a check, a put that loses a race, least-recently-used eviction, counted
 * references (a dropped entry lives until released), the unbounded mode, and many threads at
 * once. Each test follows the contract in origin_internal.h. */
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixture.h"
#include "origin_internal.h"

/* A cached value: a key, a version the checks compare, and a count of frees kept by the test. */
typedef struct item {
    char key[32];
    int version;
    atomic_int *freed; /* incremented when the cache frees the item (on any thread) */
    org_cache_entry entry;
} item;

static item *new_item(const char *key, int version, atomic_int *freed)
{
    item *it = calloc(1, sizeof *it);
    assert_non_null(it);
    snprintf(it->key, sizeof it->key, "%s", key);
    it->version = version;
    it->freed = freed;
    it->entry.key = it->key;
    return it;
}

static void free_item(org_cache_entry *e)
{
    item *it = ORG_CACHE_OWNER(e, item, entry);
    (*it->freed)++;
    free(it);
}

static item *owner(org_cache_entry *e)
{
    return e ? ORG_CACHE_OWNER(e, item, entry) : NULL;
}

/* Fresh when the versions match (arg points at the wanted version), else stale. */
static org_cache_verdict same_version(org_cache_entry *e, void *arg)
{
    return owner(e)->version == *(const int *)arg ? ORG_CACHE_FRESH : ORG_CACHE_STALE;
}

static org_cache_verdict unsure(org_cache_entry *e, void *arg)
{
    (void)e;
    (void)arg;
    return ORG_CACHE_UNSURE;
}

static org_cache *open_cache(int capacity)
{
    org_cache *c = NULL;
    ladder_error err = {0};
    assert_int_equal(org_cache_open(&c, capacity, free_item, &err), 0);
    assert_non_null(c);
    return c;
}

/* Puts key at version and releases the caller's reference: the entry stays cached. */
static item *put_released(org_cache *c, const char *key, int version, atomic_int *freed)
{
    item *it = new_item(key, version, freed);
    org_cache_entry *e = org_cache_put(c, &it->entry, same_version, &it->version);
    assert_ptr_equal(e, &it->entry);
    org_cache_release(c, e);
    return it;
}

/* What the cache hands out for key at version (NULL if nothing), the reference given back at
 * once: a look that counts as a use, and drops a stale entry. */
static item *cached(org_cache *c, const char *key, int version)
{
    org_cache_entry *e = org_cache_get(c, key, same_version, &version);
    org_cache_release(c, e);
    return owner(e);
}

static void test_miss_then_hit(void **state)
{
    atomic_int freed = 0;
    org_cache *c = open_cache(4);
    (void)state;

    assert_null(cached(c, "a", 1));
    item *a = put_released(c, "a", 1, &freed);
    assert_int_equal(org_cache_count(c), 1);
    assert_ptr_equal(cached(c, "a", 1), a);
    assert_null(cached(c, "b", 1));
    assert_int_equal(freed, 0);
    org_cache_close(c);
    assert_int_equal(freed, 1);
}

static void test_stale_is_dropped(void **state)
{
    atomic_int freed = 0;
    org_cache *c = open_cache(4);
    (void)state;

    put_released(c, "a", 1, &freed);
    assert_null(cached(c, "a", 2));
    assert_int_equal(org_cache_count(c), 0);
    assert_int_equal(freed, 1); /* nobody held it */
    org_cache_close(c);
    assert_int_equal(freed, 1);
}

static void test_unsure_is_kept(void **state)
{
    atomic_int freed = 0;
    org_cache *c = open_cache(4);
    (void)state;

    item *a = put_released(c, "a", 1, &freed);
    assert_null(org_cache_get(c, "a", unsure, NULL));
    assert_int_equal(org_cache_count(c), 1);
    assert_ptr_equal(cached(c, "a", 1), a);
    org_cache_close(c);
    assert_int_equal(freed, 1);
}

/* Two threads made the same value: the second put gets the first's entry, and its own is freed. */
static void test_put_loses_race_to_fresh_entry(void **state)
{
    atomic_int freed = 0;
    org_cache *c = open_cache(4);
    (void)state;

    item *first = new_item("a", 1, &freed), *second = new_item("a", 1, &freed);
    org_cache_entry *e1 = org_cache_put(c, &first->entry, same_version, &first->version);
    org_cache_entry *e2 = org_cache_put(c, &second->entry, same_version, &second->version);
    assert_ptr_equal(e1, &first->entry);
    assert_ptr_equal(e2, &first->entry);
    assert_int_equal(freed, 1); /* second */
    assert_int_equal(org_cache_count(c), 1);
    org_cache_release(c, e1);
    org_cache_release(c, e2);
    org_cache_close(c);
    assert_int_equal(freed, 2);
}

/* A newer version replaces the cached one; a holder of the old one keeps it until released. */
static void test_put_replaces_stale_entry_held_until_released(void **state)
{
    atomic_int freed = 0;
    int v1 = 1;
    org_cache *c = open_cache(4);
    (void)state;

    item *old = put_released(c, "a", 1, &freed);
    org_cache_entry *held = org_cache_get(c, "a", same_version, &v1);
    assert_ptr_equal(owner(held), old);
    item *fresh = put_released(c, "a", 2, &freed);
    assert_int_equal(org_cache_count(c), 1);
    assert_int_equal(freed, 0); /* still held */
    assert_string_equal(old->key, "a");
    assert_ptr_equal(cached(c, "a", 2), fresh);
    org_cache_release(c, held);
    assert_int_equal(freed, 1);
    org_cache_close(c);
    assert_int_equal(freed, 2);
}

static void test_evicts_least_recently_used(void **state)
{
    atomic_int freed = 0;
    org_cache *c = open_cache(2);
    (void)state;

    item *a = put_released(c, "a", 1, &freed);
    put_released(c, "b", 1, &freed);
    assert_ptr_equal(cached(c, "a", 1), a);     /* a is now the newer use */
    item *cc = put_released(c, "c", 1, &freed); /* evicts b */
    assert_int_equal(org_cache_count(c), 2);
    assert_int_equal(freed, 1);
    assert_null(cached(c, "b", 1));
    assert_ptr_equal(cached(c, "a", 1), a);
    assert_ptr_equal(cached(c, "c", 1), cc);
    org_cache_close(c);
    assert_int_equal(freed, 3);
}

/* An evicted entry that is held is freed by its last release, not by the eviction. */
static void test_evicted_entry_lives_while_held(void **state)
{
    atomic_int freed = 0;
    org_cache *c = open_cache(1);
    (void)state;

    item *a = new_item("a", 1, &freed);
    org_cache_entry *held = org_cache_put(c, &a->entry, same_version, &a->version);
    put_released(c, "b", 1, &freed); /* evicts a, which is held */
    assert_int_equal(org_cache_count(c), 1);
    assert_int_equal(freed, 0);
    assert_int_equal(a->version, 1);
    org_cache_release(c, held);
    assert_int_equal(freed, 1);
    org_cache_close(c);
    assert_int_equal(freed, 2);
}

/* A capacity of one keeps the newest entry. */
static void test_capacity_one_keeps_the_newest(void **state)
{
    atomic_int freed = 0;
    org_cache *c = open_cache(1);
    (void)state;

    put_released(c, "a", 1, &freed);
    item *b = put_released(c, "b", 1, &freed);
    assert_ptr_equal(cached(c, "b", 1), b);
    assert_null(cached(c, "a", 1));
    org_cache_close(c);
    assert_int_equal(freed, 2);
}

static void test_unbounded_keeps_everything(void **state)
{
    atomic_int freed = 0;
    char key[16];
    org_cache *c = open_cache(0);
    (void)state;

    for (int i = 0; i < 1000; i++) {
        snprintf(key, sizeof key, "show-%d", i);
        put_released(c, key, 1, &freed);
    }
    assert_int_equal(org_cache_count(c), 1000);
    assert_int_equal(freed, 0);
    for (int i = 0; i < 1000; i += 97) {
        snprintf(key, sizeof key, "show-%d", i);
        item *it = cached(c, key, 1);
        assert_non_null(it);
        assert_string_equal(it->key, key);
    }
    org_cache_close(c);
    assert_int_equal(freed, 1000);
}

static void test_release_and_close_accept_null(void **state)
{
    org_cache *c = open_cache(2);
    (void)state;
    org_cache_release(c, NULL);
    org_cache_close(c);
    org_cache_close(NULL);
}

/* ---- many threads: gets, puts of new versions and releases on a small cache --------------- */

#define N_THREADS 4
#define N_ROUNDS  2000

typedef struct race_arg {
    org_cache *c;
    int id;
    int made;         /* items this thread made */
    atomic_int freed; /* frees of those items, on whichever thread dropped them */
} race_arg;

static void *race_main(void *p)
{
    race_arg *a = p;
    unsigned s = (unsigned)a->id * 2654435761u + 1;
    char key[8];

    for (int i = 0; i < N_ROUNDS; i++) {
        s = s * 1103515245u + 12345u;
        int version = (int)(s >> 16) % 3;
        snprintf(key, sizeof key, "k%u", (s >> 8) % 8);
        org_cache_entry *e = org_cache_get(a->c, key, same_version, &version);
        if (!e) {
            item *it = new_item(key, version, &a->freed);
            a->made++;
            e = org_cache_put(a->c, &it->entry, same_version, &it->version);
        }
        assert_string_equal(owner(e)->key, key);
        org_cache_release(a->c, e);
    }
    return NULL;
}

static void test_many_threads(void **state)
{
    org_cache *c = open_cache(4);
    race_arg args[N_THREADS];
    pthread_t t[N_THREADS];
    int made = 0, freed = 0;
    (void)state;

    for (int i = 0; i < N_THREADS; i++) {
        args[i] = (race_arg){.c = c, .id = i};
        assert_int_equal(pthread_create(&t[i], NULL, race_main, &args[i]), 0);
    }
    for (int i = 0; i < N_THREADS; i++)
        pthread_join(t[i], NULL);
    assert_true(org_cache_count(c) <= 4);
    org_cache_close(c);
    for (int i = 0; i < N_THREADS; i++) {
        made += args[i].made;
        freed += args[i].freed;
    }
    assert_int_equal(freed, made); /* every item freed exactly once */
}

#include "test_cache_tests.h"
