/* http.c: the HTTP rules the origin applies to request headers, as pure functions: dates
 * (RFC 9110 5.6.7), If-None-Match (13.1.2), Accept-Encoding (12.5.3) and Range (14.2). They
 * never depend on the process locale, and malformed input means "header absent", never an
 * error: a cache or player with a quirky header still gets the file. */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "origin_internal.h"

static const char days[7][4] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
static const char months[12][4] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                   "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

void org_http_date(time_t t, char out[ORG_HTTP_DATE_LEN])
{
    struct tm tm;
    gmtime_r(&t, &tm);
    /* The modulos only tell the compiler each field's width; gmtime's ranges fit already. */
    snprintf(out, ORG_HTTP_DATE_LEN, "%s, %02u %s %04u %02u:%02u:%02u GMT", days[tm.tm_wday],
             (unsigned)tm.tm_mday % 100u, months[tm.tm_mon], (unsigned)(tm.tm_year + 1900) % 10000u,
             (unsigned)tm.tm_hour % 100u, (unsigned)tm.tm_min % 100u, (unsigned)tm.tm_sec % 100u);
}

static int month_index(const char *name)
{
    for (int i = 0; i < 12; i++)
        if (strcmp(name, months[i]) == 0)
            return i;
    return -1;
}

int org_http_parse_date(const char *s, time_t *t)
{
    struct tm tm = {0};
    char mon[4] = "";
    int day, year, h, m, sec, end = 0;

    if (sscanf(s, "%*3s, %2d %3s %4d %2d:%2d:%2d GMT%n", &day, mon, &year, &h, &m, &sec, &end) ==
            6 &&
        end) {
        /* IMF-fixdate: Sun, 06 Nov 1994 08:49:37 GMT */
    } else if (sscanf(s, "%*[A-Za-z], %2d-%3s-%2d %2d:%2d:%2d GMT%n", &day, mon, &year, &h, &m,
                      &sec, &end) == 6 &&
               end) {
        year += year < 70 ? 2000 : 1900; /* RFC 850: Sunday, 06-Nov-94 08:49:37 GMT */
    } else if (sscanf(s, "%*3s %3s %d %2d:%2d:%2d %4d%n", mon, &day, &h, &m, &sec, &year, &end) ==
                   6 &&
               end) {
        /* asctime: Sun Nov  6 08:49:37 1994 */
    } else {
        return -1;
    }
    tm.tm_mon = month_index(mon);
    /* %d takes a sign, so "-1:49:37" scans: the lower bounds matter as much as the upper. */
    if (tm.tm_mon < 0 || day < 1 || day > 31 || h < 0 || h > 23 || m < 0 || m > 59 || sec < 0 ||
        sec > 60 || year < 1970)
        return -1;
    tm.tm_mday = day;
    tm.tm_year = year - 1900;
    tm.tm_hour = h;
    tm.tm_min = m;
    tm.tm_sec = sec;
    *t = timegm(&tm);
    return *t == (time_t)-1 ? -1 : 0;
}

static const char *skip_list_space(const char *p)
{
    while (*p == ' ' || *p == '\t' || *p == ',')
        p++;
    return p;
}

int org_http_none_match(const char *header, const char *etag)
{
    size_t etag_len = strlen(etag);
    const char *p = skip_list_space(header);

    if (*p == '*')
        return 1;
    while (*p) {
        /* Weak comparison: W/"x" matches "x" (RFC 9110 13.1.2 asks for it here). */
        if (strncmp(p, "W/", 2) == 0)
            p += 2;
        if (*p != '"')
            return 0; /* malformed: treat as no match, the full response is always safe */
        const char *close = strchr(p + 1, '"');
        if (!close)
            return 0;
        if ((size_t)(close - p + 1) == etag_len && strncmp(p, etag, etag_len) == 0)
            return 1;
        p = skip_list_space(close + 1);
    }
    return 0;
}

/* A qvalue ("0", "0.5", "1.000"): 1 if above zero. */
static int q_positive(const char *q, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (q[i] >= '1' && q[i] <= '9')
            return 1;
    return 0;
}

/* Whether one Accept-Encoding member [start, end) names `coding`, and its q > 0. */
static int member_is(const char *start, const char *end, const char *coding, int *positive)
{
    size_t n = strlen(coding);
    const char *semi, *q;

    if ((size_t)(end - start) < n || strncasecmp(start, coding, n) != 0)
        return 0;
    semi = start + n;
    while (semi < end && (*semi == ' ' || *semi == '\t'))
        semi++;
    if (semi < end && *semi != ';')
        return 0; /* a longer name that starts the same */
    *positive = 1;
    for (q = semi; q + 1 < end; q++)
        if ((q[0] == 'q' || q[0] == 'Q') && q[1] == '=') {
            *positive = q_positive(q + 2, (size_t)(end - q - 2));
            break;
        }
    return 1;
}

/* Steps through a comma-separated header list: the next member is [*start, *end), leading
 * blanks skipped. 0 when the list is done. */
static int next_member(const char **list, const char **start, const char **end)
{
    const char *p = *list;

    if (!p || !*p)
        return 0;
    *end = strchr(p, ',');
    if (!*end)
        *end = p + strlen(p);
    while (p < *end && (*p == ' ' || *p == '\t'))
        p++;
    *start = p;
    *list = **end ? *end + 1 : *end;
    return 1;
}

int org_http_accepts_gzip(const char *accept_encoding)
{
    int gzip = -1, star = -1, positive; /* -1: not listed */
    const char *p = accept_encoding, *start, *end;

    while (next_member(&p, &start, &end)) {
        if (member_is(start, end, "gzip", &positive) || member_is(start, end, "x-gzip", &positive))
            gzip = positive;
        else if (member_is(start, end, "*", &positive))
            star = positive;
    }
    return gzip >= 0 ? gzip : star > 0;
}

void org_http_etag_of(const char *body, size_t len, char out[24])
{
    unsigned long long h = 1469598103934665603ull; /* FNV-1a 64 */
    for (size_t i = 0; i < len; i++)
        h = (h ^ (unsigned char)body[i]) * 1099511628211ull;
    snprintf(out, 24, "\"%016llx\"", h);
}

int org_http_accepts_type(const char *accept, const char *type)
{
    const char *p = accept, *start, *end;
    int positive;

    while (next_member(&p, &start, &end))
        if (member_is(start, end, type, &positive))
            return positive;
    return 0;
}

/* Parses a decimal byte position; 0 or -1 (no digits, or overflow). */
static int parse_pos(const char **p, uint64_t *v)
{
    const char *s = *p;
    uint64_t x = 0;

    if (*s < '0' || *s > '9')
        return -1;
    for (; *s >= '0' && *s <= '9'; s++) {
        if (x > (UINT64_MAX - 9) / 10)
            return -1;
        x = x * 10 + (uint64_t)(*s - '0');
    }
    *p = s;
    *v = x;
    return 0;
}

org_range_result org_http_range(const char *header, uint64_t size, uint64_t *first, uint64_t *len)
{
    const char *p = header;
    uint64_t a = 0, b = 0;
    int has_first, has_last;

    while (*p == ' ')
        p++;
    if (strncasecmp(p, "bytes", 5) != 0)
        return ORG_RANGE_NONE;
    p += 5;
    while (*p == ' ')
        p++;
    if (*p++ != '=')
        return ORG_RANGE_NONE;
    while (*p == ' ')
        p++;
    /* One range only. Players and CDNs ask for one; a multipart/byteranges answer would be
     * code for no client, and RFC 9110 lets us send the whole file instead. */
    if (strchr(p, ','))
        return ORG_RANGE_NONE;
    has_first = parse_pos(&p, &a) == 0;
    if (*p++ != '-')
        return ORG_RANGE_NONE;
    has_last = parse_pos(&p, &b) == 0;
    while (*p == ' ')
        p++;
    if (*p != '\0' || (!has_first && !has_last) || (has_first && has_last && b < a))
        return ORG_RANGE_NONE;
    if (!has_first) { /* suffix: the last b bytes */
        if (b == 0 || size == 0)
            return ORG_RANGE_UNSATISFIABLE;
        *len = b < size ? b : size;
        *first = size - *len;
        return ORG_RANGE_OK;
    }
    if (a >= size)
        return ORG_RANGE_UNSATISFIABLE;
    if (!has_last || b >= size)
        b = size - 1;
    *first = a;
    *len = b - a + 1;
    return ORG_RANGE_OK;
}
