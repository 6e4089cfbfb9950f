/* ts.c: ts-continuity-counters. A variant's TS segments are read as one stream of 188-byte packets:
 * per PID the continuity counter goes up by one on every packet that carries payload, across
 * segment boundaries too, and stays put on packets without payload (ISO/IEC 13818-1 2.4.3.3).
 * Allowed besides: a PID's first packet, a packet flagged discontinuity_indicator, and one
 * duplicate (same counter, same payload) in a row. Null packets (PID 0x1FFF) carry no counter. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "val_internal.h"

#define TS_PACKET 188
#define MAX_PIDS  8192 /* every PID a 13-bit field can name: no stream goes unread */

typedef struct pid_state {
    int pid, last_cc, duplicated;
    uint8_t packet[TS_PACKET];
} pid_state;

typedef struct val_ts_state {
    int n;
    pid_state pids[MAX_PIDS];
} cc_state;

static pid_state *find_pid(cc_state *s, int pid)
{
    for (int i = 0; i < s->n; i++)
        if (s->pids[i].pid == pid)
            return &s->pids[i];
    s->pids[s->n] = (pid_state){.pid = pid, .last_cc = -1};
    return &s->pids[s->n++];
}

/* Where the payload starts (TS_PACKET when there is none). */
static int payload_offset(const uint8_t *p)
{
    int afc = p[3] >> 4 & 3, off = 4;

    if (afc & 2)
        off += 1 + p[4];
    return (afc & 1) && off < TS_PACKET ? off : TS_PACKET;
}

/* One packet; returns 0, or -1 on a counter error with *expected set. */
static int next_packet(cc_state *s, const uint8_t *p, int *pid_out, int *expected)
{
    int pid = (p[1] & 0x1f) << 8 | p[2], cc = p[3] & 0xf, afc = p[3] >> 4 & 3;
    int has_payload = afc & 1, discontinuity = (afc & 2) && p[4] > 0 && (p[5] & 0x80);
    int off = payload_offset(p), ok = 1;
    pid_state *st;

    *pid_out = pid;
    if (pid == 0x1fff || !(st = find_pid(s, pid)))
        return 0;
    *expected = has_payload ? (st->last_cc + 1) & 0xf : st->last_cc;
    if (st->last_cc >= 0 && !discontinuity && cc != *expected) {
        int duplicate = has_payload && cc == st->last_cc && !st->duplicated &&
                        payload_offset(st->packet) == off &&
                        memcmp(st->packet + off, p + off, TS_PACKET - off) == 0;
        ok = duplicate;
        st->duplicated = duplicate;
    } else {
        st->duplicated = 0;
    }
    st->last_cc = cc;
    memcpy(st->packet, p, TS_PACKET);
    return ok ? 0 : -1;
}

/* Checks one segment file, reporting its first counter error; the state carries on. */
static void check_segment(val_report *r, const char *uri, const char *name, const char *path,
                          cc_state *s)
{
    FILE *f = fopen(path, "rb");
    uint8_t p[TS_PACKET];
    long index = 0, bad = -1;
    int pid = 0, expected = 0, bad_pid = 0, bad_cc = 0, bad_expected = 0, lost = 0;

    if (!f) { /* segment-exists says so; the next segment starts afresh */
        s->n = 0;
        return;
    }
    for (; fread(p, 1, TS_PACKET, f) == TS_PACKET; index++) {
        if ((lost = p[0] != 0x47))
            break;
        if (next_packet(s, p, &pid, &expected) < 0 && bad < 0) {
            bad = index;
            bad_pid = pid;
            bad_cc = p[3] & 0xf;
            bad_expected = expected;
        }
    }
    fclose(f);
    if (lost)
        val_fail(r, uri, "ts-continuity-counters", "%s: packet %ld has no sync byte", name, index);
    else
        CHECK(r, bad < 0, uri, "ts-continuity-counters",
              "%s: packet %ld (PID 0x%x) has continuity counter %d, expected %d", name, bad,
              bad_pid, bad_cc, bad_expected);
}

val_ts_state *val_ts_state_new(void)
{
    return calloc(1, sizeof(val_ts_state));
}

void val_ts_state_free(val_ts_state *s)
{
    free(s);
}

void val_ts_segment(val_report *r, const char *uri, const char *name, const char *path,
                    val_ts_state *s)
{
    size_t len = strlen(name);

    if (len >= 3 && strcmp(name + len - 3, ".ts") == 0)
        check_segment(r, uri, name, path, s);
}

void val_ts_continuity(val_report *r, const char *show, const char *uri, const val_playlist *pl)
{
    char dir[2048], path[4096];
    val_ts_state *s = val_ts_state_new();

    if (!s) {
        val_fail(r, uri, "ts-continuity-counters", "out of memory");
        return;
    }
    val_dir_of(dir, sizeof dir, show, uri);
    for (int i = 0; i < pl->n; i++) {
        val_join(path, sizeof path, dir, pl->uris[i]);
        val_ts_segment(r, uri, pl->uris[i], path, s);
    }
    val_ts_state_free(s);
}
