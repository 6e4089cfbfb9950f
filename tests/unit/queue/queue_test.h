/* queue_test.h: what the queue's unit tests share: Redis replies made from RESP text by
 * hiredis's own reader, as a connection would hand them over (no Redis needed). */
#ifndef LADDER_QUEUE_TEST_H
#define LADDER_QUEUE_TEST_H

#include <stdio.h>
#include <string.h>

#include "fixture.h"
#include "queue_internal.h"

/* The reply hiredis reads from resp (len bytes); free with freeReplyObject. */
static inline redisReply *reply_of(const char *resp, size_t len)
{
    redisReader *rd = redisReaderCreate();
    void *reply = NULL;

    assert_non_null(rd);
    assert_int_equal(redisReaderFeed(rd, resp, len), REDIS_OK);
    assert_int_equal(redisReaderGetReply(rd, &reply), REDIS_OK);
    assert_non_null(reply);
    redisReaderFree(rd);
    return reply;
}

#endif
