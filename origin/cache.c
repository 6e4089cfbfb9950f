/* cache.c: the origin's one cache: string key -> reference-counted entry, thread-safe, for the
 * open files of files.c and the parsed show.json of showinfo.c.
 *
 * The cache knows nothing of what it holds. The entry is embedded in its owner's value, whose
 * key it borrows; whether an entry is still good is the caller's to say, through a check
 * callback that runs under the cache's lock (so it may read and update fields of its own kept
 * under that lock). Making a value happens outside the lock, so two threads may make the same
 * one: org_cache_put keeps the first that is still good and frees the other.
 *
 * Entries are counted references: one dropped (stale, replaced or evicted) is unlinked at once
 * and freed when its last holder releases it. Frees happen after the lock is let go, as they may
 * close files or destroy responses. With a capacity, the cache holds at most that many entries
 * and evicts the least recently used (every reference handed out counts as a use); without one
 * it is bounded by what its owner puts in. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "origin_internal.h"

#define UNBOUNDED_BUCKETS 256

struct org_cache {
    pthread_mutex_t lock;
    int capacity, count; /* capacity 0: unbounded */
    org_cache_free_fn free_fn;
    size_t mask; /* buckets - 1, buckets a power of two */
    org_cache_entry **buckets;
    org_cache_entry *lru_head, *lru_tail; /* head: most recently used */
};

static size_t hash_key(const char *s)
{
    uint64_t h = 1469598103934665603ull; /* FNV-1a */
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ull;
    return (size_t)h;
}

int org_cache_open(org_cache **out, int capacity, org_cache_free_fn free_fn, ladder_error *err)
{
    org_cache *c = calloc(1, sizeof *c);
    size_t n = 16;

    *out = NULL;
    if (capacity < 0)
        capacity = 0;
    if (capacity == 0)
        n = UNBOUNDED_BUCKETS;
    while (n < (size_t)capacity * 2)
        n *= 2;
    if (!c || !(c->buckets = calloc(n, sizeof *c->buckets))) {
        free(c);
        return ladder_error_set(err, LADDER_ENOMEM, "out of memory");
    }
    pthread_mutex_init(&c->lock, NULL);
    c->capacity = capacity;
    c->free_fn = free_fn;
    c->mask = n - 1;
    *out = c;
    return 0;
}

static org_cache_entry **bucket_of(org_cache *c, const char *key)
{
    return &c->buckets[hash_key(key) & c->mask];
}

static org_cache_entry *find(org_cache *c, const char *key)
{
    org_cache_entry *e = *bucket_of(c, key);
    while (e && strcmp(e->key, key) != 0)
        e = e->hnext;
    return e;
}

static void lru_remove(org_cache *c, org_cache_entry *e)
{
    if (e->lru_prev)
        e->lru_prev->lru_next = e->lru_next;
    else
        c->lru_head = e->lru_next;
    if (e->lru_next)
        e->lru_next->lru_prev = e->lru_prev;
    else
        c->lru_tail = e->lru_prev;
    e->lru_prev = e->lru_next = NULL;
}

static void lru_push(org_cache *c, org_cache_entry *e)
{
    e->lru_next = c->lru_head;
    if (c->lru_head)
        c->lru_head->lru_prev = e;
    c->lru_head = e;
    if (!c->lru_tail)
        c->lru_tail = e;
}

/* Hands out a reference to a linked entry: a use, for the eviction order. Under the lock. */
static org_cache_entry *take(org_cache *c, org_cache_entry *e)
{
    e->refs++;
    lru_remove(c, e);
    lru_push(c, e);
    return e;
}

/* Takes e out of the cache; when nobody holds it, it goes on *dead, to be freed once the lock
 * is let go. Under the lock. */
static void unlink_entry(org_cache *c, org_cache_entry *e, org_cache_entry **dead)
{
    org_cache_entry **pp = bucket_of(c, e->key);
    while (*pp != e)
        pp = &(*pp)->hnext;
    *pp = e->hnext;
    lru_remove(c, e);
    e->linked = 0;
    c->count--;
    e->hnext = NULL;
    if (e->refs == 0) {
        e->hnext = *dead;
        *dead = e;
    }
}

static void free_dead(org_cache *c, org_cache_entry *dead)
{
    while (dead) {
        org_cache_entry *next = dead->hnext;
        c->free_fn(dead);
        dead = next;
    }
}

org_cache_entry *org_cache_get(org_cache *c, const char *key, org_cache_check_fn check, void *arg)
{
    org_cache_entry *e, *dead = NULL;

    pthread_mutex_lock(&c->lock);
    e = find(c, key);
    if (e) {
        org_cache_verdict v = check(e, arg);
        if (v == ORG_CACHE_FRESH) {
            take(c, e);
        } else {
            if (v == ORG_CACHE_STALE)
                unlink_entry(c, e, &dead);
            e = NULL;
        }
    }
    pthread_mutex_unlock(&c->lock);
    free_dead(c, dead);
    return e;
}

org_cache_entry *org_cache_put(org_cache *c, org_cache_entry *made, org_cache_check_fn check,
                               void *arg)
{
    org_cache_entry *e, *dead = NULL;

    pthread_mutex_lock(&c->lock);
    e = find(c, made->key);
    if (e && check(e, arg) == ORG_CACHE_FRESH) { /* another thread was first */
        take(c, e);
        made->hnext = dead;
        dead = made;
    } else {
        if (e)
            unlink_entry(c, e, &dead);
        e = made;
        org_cache_entry **head = bucket_of(c, e->key);
        e->hnext = *head;
        *head = e;
        e->refs = 1;
        e->linked = 1;
        lru_push(c, e);
        c->count++;
        while (c->capacity > 0 && c->count > c->capacity && c->lru_tail != e)
            unlink_entry(c, c->lru_tail, &dead);
    }
    pthread_mutex_unlock(&c->lock);
    free_dead(c, dead);
    return e;
}

void org_cache_release(org_cache *c, org_cache_entry *e)
{
    int last;

    if (!e)
        return;
    pthread_mutex_lock(&c->lock);
    last = --e->refs == 0 && !e->linked;
    pthread_mutex_unlock(&c->lock);
    if (last)
        c->free_fn(e);
}

int org_cache_count(org_cache *c)
{
    pthread_mutex_lock(&c->lock);
    int n = c->count;
    pthread_mutex_unlock(&c->lock);
    return n;
}

void org_cache_close(org_cache *c)
{
    org_cache_entry *dead = NULL;

    if (!c)
        return;
    while (c->lru_head)
        unlink_entry(c, c->lru_head, &dead);
    free_dead(c, dead);
    pthread_mutex_destroy(&c->lock);
    free(c->buckets);
    free(c);
}
