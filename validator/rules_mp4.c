/* rules_mp4.c: the progressive MP4 fallbacks. The top-level boxes (moov before mdat, no moof)
 * are read directly, the tracks through libavformat's mov demuxer, which reports the video
 * sample entry's fourcc as the codec tag and hands over the avcC record and the
 * AudioSpecificConfig as extradata. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>

#include <libavformat/avformat.h>

#include "val_internal.h"

/* Top-level boxes of an MP4: moov must precede mdat, and there must be no moof. */
static void check_boxes(val_report *r, const char *path, const char *rel)
{
    unsigned char h[16];
    long long pos = 0, moov = -1, mdat = -1, moof = -1;
    FILE *f = fopen(path, "rb");

    CHECK(r, f != NULL, rel, "mp4-readable", "cannot read the file");
    while (f && fseek(f, pos, SEEK_SET) == 0 && fread(h, 1, 8, f) == 8) {
        unsigned long long size = (unsigned long long)h[0] << 24 | h[1] << 16 | h[2] << 8 | h[3];
        if (size == 1 && fread(h + 8, 1, 8, f) == 8) {
            size = 0;
            for (int i = 8; i < 16; i++)
                size = size << 8 | h[i];
        }
        if (!memcmp(h + 4, "moov", 4))
            moov = pos;
        if (!memcmp(h + 4, "mdat", 4))
            mdat = pos;
        if (!memcmp(h + 4, "moof", 4))
            moof = pos;
        if (size < 8)
            break;
        pos += (long long)size;
    }
    if (f)
        fclose(f);
    CHECK(r, moov >= 0 && mdat >= 0 && moov < mdat, rel, "mp4-faststart",
          "moov does not come before mdat");
    CHECK(r, moof < 0, rel, "mp4-not-fragmented", "the file is fragmented (has moof)");
}

/* mp4-profile-level: the SPS in avcC against the rung named like the file. */
static void check_profile_level(val_report *r, const char *rel, const char *name,
                                const AVCodecParameters *v, const prof_ladder *ladder)
{
    const prof_rung *rung = prof_find_rung(ladder, name);
    uint8_t sps[3];
    int have = v && val_h264_sps(v->extradata, v->extradata_size, sps);

    CHECK(r, rung && rung->use == PROF_USE_MP4, rel, "mp4-profile-level",
          "no MP4 rung named '%s' in profile %s", name, ladder->name);
    if (!rung)
        return;
    CHECK(r, have && sps[0] == ladder_h264_profile_idc(rung->h264_profile), rel,
          "mp4-profile-level", "H.264 profile_idc %d, the rung says %s", have ? sps[0] : -1,
          rung->h264_profile);
    CHECK(r, have && sps[2] <= rung->level_idc, rel, "mp4-profile-level",
          "H.264 level_idc %d is above the rung's %d", have ? sps[2] : -1, rung->level_idc);
}

/* The tracks: avc1 sample entry, AAC-LC stereo audio (when there is audio), the rung's
 * profile and level. */
static void check_tracks(val_report *r, const char *path, const char *rel, const char *name,
                         const prof_ladder *ladder)
{
    AVFormatContext *ic = NULL;
    const AVCodecParameters *v = NULL, *a = NULL;
    int aot = 0, channels = 0;

    if (avformat_open_input(&ic, path, NULL, NULL) < 0)
        return; /* mp4-readable or mp4-faststart says why */
    for (unsigned i = 0; i < ic->nb_streams; i++) {
        const AVCodecParameters *par = ic->streams[i]->codecpar;
        if (par->codec_type == AVMEDIA_TYPE_VIDEO && !v)
            v = par;
        if (par->codec_type == AVMEDIA_TYPE_AUDIO && !a)
            a = par;
    }
    CHECK(r, v && v->codec_tag == MKTAG('a', 'v', 'c', '1'), rel, "mp4-avc1-sample-entry",
          "the video sample entry is '%s', not avc1", v ? av_fourcc2str(v->codec_tag) : "none");
    if (a)
        CHECK(r,
              a->codec_id == AV_CODEC_ID_AAC && val_aac_config(a, NULL, 0, &aot, &channels) &&
                  aot == 2 && channels == 2,
              rel, "mp4-aac-lc", "audio is %s, object type %d, %d channel(s), not stereo AAC-LC",
              avcodec_get_name(a->codec_id), aot, channels);
    if (ladder)
        check_profile_level(r, rel, name, v, ladder);
    avformat_close_input(&ic);
}

static int by_name(const void *a, const void *b)
{
    return strcmp((const char *)a, (const char *)b);
}

void val_mp4s(val_report *r, const char *show, const prof_ladder *ladder)
{
    char dir[2048], names[64][256], rel[512], path[2048];
    int n = 0;
    DIR *d;
    struct dirent *e;

    val_join(dir, sizeof dir, show, "mp4");
    d = opendir(dir);
    while (d && (e = readdir(d)) != NULL && n < 64) {
        size_t len = strlen(e->d_name);
        if (len > 4 && strcmp(e->d_name + len - 4, ".mp4") == 0)
            snprintf(names[n++], sizeof names[0], "%s", e->d_name);
    }
    if (d)
        closedir(d);
    qsort(names, n, sizeof names[0], by_name);
    for (int i = 0; i < n; i++) {
        val_join(rel, sizeof rel, "mp4", names[i]);
        val_join(path, sizeof path, show, rel);
        check_boxes(r, path, rel);
        names[i][strlen(names[i]) - 4] = '\0'; /* the rung's name */
        check_tracks(r, path, rel, names[i], ladder);
    }
}
