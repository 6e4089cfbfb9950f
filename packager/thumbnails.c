/* thumbnails.c: trick-play thumbnails (docs/packager.md, "Thumbnails"). The IDRs of one HLS
 * rung, one per thumbnail interval, are decoded as the packager receives them, scaled to each
 * tile width (libswscale) into a sprite sheet of 5x5 tiles, and a sheet is written as a JPEG
 * (libavcodec's MJPEG encoder) as soon as it is full, so the cost is spread over the ingest.
 * At the end: the last, partly filled sheet, a WebVTT thumbnails track per width and an image
 * media playlist per width (EXT-X-IMAGES-ONLY, EXT-X-TILES), which the master playlist names
 * with EXT-X-IMAGE-STREAM-INF.
 *
 * Only the chosen rung's packet calls touch the thumbnailer (one stream's calls come in order,
 * never at once), begin and finish run alone; its lock still guards it, so a caller that hands
 * one stream's packets from several threads stays safe. It is taken with no other lock held. */
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <libavcodec/avcodec.h>
#include <libswscale/swscale.h>

#include "pkg_internal.h"

static const int tile_widths[PKG_THUMB_SIZES] = {160, 320};

/* The tiles of one width, and the sheet being filled. */
typedef struct thumb_size {
    pkg_thumbs *t;  /* its entry in pkg_thumbnailer.pub */
    AVFrame *sheet; /* YUVJ420P, sheet_width x sheet_height */
    struct SwsContext *sws;
    int filled; /* tiles drawn on the current sheet */
} thumb_size;

struct pkg_thumbnailer {
    pthread_mutex_t lock;
    int stream; /* the plan stream whose IDRs are decoded */
    double interval;
    AVCodecContext *dec;
    AVFrame *pic;
    AVPacket *pkt;
    int next_tile; /* the first tile without a picture */
    thumb_size size[PKG_THUMB_SIZES];
    pkg_thumbs pub[PKG_THUMB_SIZES]; /* what pkg_thumbnails hands out */
    int n_sizes;
};

/* The rung the thumbnails come from: the smallest HLS rung at least 320 px wide (no tile is
 * upscaled, and its IDRs are the cheapest to decode), else the widest. -1 without HLS rungs. */
static int thumbs_stream(const pkg_packager *p)
{
    int best = -1, widest = -1;

    for (int i = 0; i < p->n_hls; i++) {
        const ladder_stream *v = &p->plan.streams[p->hls[i].stream];
        if (v->width >= tile_widths[PKG_THUMB_SIZES - 1] &&
            (best < 0 ||
             v->width * v->height < p->plan.streams[best].width * p->plan.streams[best].height))
            best = v->index;
        if (widest < 0 || v->width > p->plan.streams[widest].width)
            widest = v->index;
    }
    return best >= 0 ? best : widest;
}

/* Black in full-range YUV: what the tiles of a sheet show until a picture is drawn there. */
static void clear_sheet(AVFrame *f)
{
    for (int y = 0; y < f->height; y++)
        memset(f->data[0] + y * f->linesize[0], 0, f->width);
    for (int y = 0; y < f->height / 2; y++) {
        memset(f->data[1] + y * f->linesize[1], 128, f->width / 2);
        memset(f->data[2] + y * f->linesize[2], 128, f->width / 2);
    }
}

static int open_size(thumb_size *s, int width, const ladder_stream *v, double interval)
{
    pkg_thumbs *t = s->t;

    t->width = width;
    /* the video's aspect (its pixels are square), rounded to an even height for 4:2:0 */
    t->height = 2 * (int)lround((double)width * v->height / v->width / 2);
    if (t->height < 2)
        t->height = 2;
    t->columns = PKG_THUMB_COLUMNS;
    t->rows = PKG_THUMB_ROWS;
    t->sheet_width = t->columns * t->width;
    t->sheet_height = t->rows * t->height;
    t->interval = interval;
    snprintf(t->dir, sizeof t->dir, PKG_THUMBS_DIR "/%d", width);
    snprintf(t->vtt, sizeof t->vtt, PKG_THUMBS_DIR "/%d.vtt", width);
    snprintf(t->playlist, sizeof t->playlist, PKG_THUMBS_DIR "/%d/index.m3u8", width);
    if (!(s->sheet = av_frame_alloc()))
        return AVERROR(ENOMEM);
    s->sheet->format = AV_PIX_FMT_YUVJ420P; /* full range, as JPEG viewers expect */
    s->sheet->width = t->sheet_width;
    s->sheet->height = t->sheet_height;
    int ret = av_frame_get_buffer(s->sheet, 0);
    if (ret >= 0)
        clear_sheet(s->sheet);
    return ret;
}

int thumbs_begin(pkg_packager *p, ladder_error *err)
{
    pkg_thumbnailer *th;
    const ladder_stream *v;
    char dir[PATH_MAX];
    int stream = thumbs_stream(p), ret = 0;
    double gop = p->params.gop_seconds > 0 ? p->params.gop_seconds : 2;

    if (p->params.thumbnails_off || stream < 0)
        return 0;
    v = &p->plan.streams[stream];
    if (!(th = p->thumbs = av_mallocz(sizeof *th)))
        return ladder_error_set(err, LADDER_ENOMEM, "out of memory");
    pthread_mutex_init(&th->lock, NULL);
    th->stream = stream;
    /* one tile every 2 s, or every IDR when they are further apart: the smallest multiple of
     * the GOP that is at least 2 s, so every tile is an IDR */
    th->interval = gop * ceil(2.0 / gop - 1e-9);
    for (int i = 0; i < PKG_THUMB_SIZES; i++) {
        th->size[i].t = &th->pub[i];
        if ((ret = open_size(&th->size[th->n_sizes++], tile_widths[i], v, th->interval)) < 0)
            return media_error_from_av(err, ret, "starting the thumbnails");
        snprintf(dir, sizeof dir, "%s/%s", p->out_dir, th->pub[i].dir);
        if ((ret = ladder_mkdir_p(dir, err)) < 0)
            return ret;
    }
    th->pic = av_frame_alloc();
    th->pkt = av_packet_alloc();
    th->dec = avcodec_alloc_context3(avcodec_find_decoder(AV_CODEC_ID_H264));
    if (!th->pic || !th->pkt || !th->dec)
        ret = AVERROR(ENOMEM);
    if (ret >= 0) {
        th->dec->thread_count = 1; /* one picture at a time: threads would only add delay */
        ret = avcodec_open2(th->dec, NULL, NULL);
    }
    return ret < 0 ? media_error_from_av(err, ret, "starting the thumbnails") : 0;
}

/* Writes size s's current sheet as sheet<index>.jpg (the quantiser a notch coarser than
 * poster.jpg's: tiles are small and many); its JPEG's bytes in *bytes. */
static int write_sheet(pkg_packager *p, thumb_size *s, int index, int64_t *bytes)
{
    char path[PATH_MAX];

    snprintf(path, sizeof path, "%s/%s/sheet%05d.jpg", p->out_dir, s->t->dir, index);
    return pkg_write_jpeg(s->sheet, 5, path, bytes);
}

/* The sheet of size s is complete (or the show ended): written, and its bitrate counted over
 * the seconds its tiles cover. */
static int flush_sheet(pkg_packager *p, thumb_size *s, double covered)
{
    int64_t bytes = 0;
    int ret = write_sheet(p, s, s->t->sheets, &bytes);

    if (ret < 0)
        return ret;
    s->t->sheets++;
    if (covered > 0 && bytes * 8 / covered > s->t->peak_bps)
        s->t->peak_bps = bytes * 8 / covered;
    s->filled = 0;
    clear_sheet(s->sheet);
    return 0;
}

/* Draws th->pic as tile `tile` of every size, writing a sheet that becomes full. */
static int draw_tile(pkg_packager *p, int tile)
{
    pkg_thumbnailer *th = p->thumbs;
    const AVFrame *pic = th->pic;
    int ret = 0;

    for (int i = 0; ret >= 0 && i < th->n_sizes; i++) {
        thumb_size *s = &th->size[i];
        const pkg_thumbs *t = s->t;
        int per_sheet = t->columns * t->rows, in = tile % per_sheet;
        int x = in % t->columns * t->width, y = in / t->columns * t->height;
        AVFrame *f = s->sheet;
        uint8_t *dst[4] = {f->data[0] + y * f->linesize[0] + x,
                           f->data[1] + y / 2 * f->linesize[1] + x / 2,
                           f->data[2] + y / 2 * f->linesize[2] + x / 2, NULL};
        s->sws = sws_getCachedContext(s->sws, pic->width, pic->height, pic->format, t->width,
                                      t->height, AV_PIX_FMT_YUVJ420P,
                                      SWS_AREA | SWS_BITEXACT | SWS_ACCURATE_RND, NULL, NULL, NULL);
        if (!s->sws)
            return AVERROR(EINVAL);
        ret = sws_scale(s->sws, (const uint8_t *const *)pic->data, pic->linesize, 0, pic->height,
                        dst, f->linesize);
        if (ret >= 0 && ++s->filled == per_sheet)
            ret = flush_sheet(p, s, per_sheet * t->interval);
    }
    return ret < 0 ? ret : 0;
}

/* Decodes one IDR alone: sent, drained, and the decoder reset for the next. */
static int decode_idr(pkg_thumbnailer *th, const ladder_packet *pkt)
{
    int ret;

    th->pkt->data = (uint8_t *)pkt->data; /* not refcounted: the decoder copies it */
    th->pkt->size = pkt->size;
    th->pkt->pts = pkt->pts;
    th->pkt->dts = pkt->dts;
    th->pkt->flags = AV_PKT_FLAG_KEY;
    ret = avcodec_send_packet(th->dec, th->pkt);
    th->pkt->data = NULL;
    th->pkt->size = 0;
    if (ret >= 0)
        ret = avcodec_send_packet(th->dec, NULL);
    av_frame_unref(th->pic);
    if (ret >= 0)
        ret = avcodec_receive_frame(th->dec, th->pic);
    avcodec_flush_buffers(th->dec);
    return ret;
}

/* Under th->lock. Tile i wants the IDR at i * interval: the first IDR at or after it (within
 * half a frame) fills it and any tile it skipped past; IDRs in between (an ad break's) are
 * left out. */
static int thumb_packet(pkg_packager *p, const ladder_packet *pkt)
{
    pkg_thumbnailer *th = p->thumbs;
    const ladder_stream *v = &p->plan.streams[th->stream];
    double half_frame = v->fps_num > 0 ? 0.5 * v->fps_den / v->fps_num : 0.02;
    double t = (double)pkt->pts / LADDER_VIDEO_TIMEBASE;
    int slot = (int)floor((t + half_frame) / th->interval), ret;

    if (slot < th->next_tile)
        return 0;
    ret = decode_idr(th, pkt);
    for (int k = th->next_tile; ret >= 0 && k <= slot; k++)
        ret = draw_tile(p, k);
    th->next_tile = slot + 1;
    return ret;
}

int thumbs_video_packet(pkg_packager *p, const ladder_packet *pkt, ladder_error *err)
{
    pkg_thumbnailer *th = p->thumbs;
    int ret;

    if (!th || pkt->stream != th->stream || !pkt->keyframe || pkt->pts < 0)
        return 0;
    pthread_mutex_lock(&th->lock);
    ret = thumb_packet(p, pkt);
    pthread_mutex_unlock(&th->lock);
    return ret < 0 ? media_error_from_av(err, ret, "making thumbnails") : 0;
}

/* WebVTT timestamps: hh:mm:ss.mmm. */
static void vtt_time(ladder_text *t, double s)
{
    long long ms = llround(s * 1000);
    ladder_text_printf(t, "%02lld:%02lld:%02lld.%03lld", ms / 3600000, ms / 60000 % 60,
                       ms / 1000 % 60, ms % 1000);
}

/* The end of tile i: the next tile's start, the last one's the show's end. */
static double tile_end(const pkg_thumbs *t, int i)
{
    return i + 1 < t->tiles ? (i + 1) * t->interval : fmax(t->duration, i * t->interval);
}

/* thumbnails/<w>.vtt: one cue per tile, 0 to the show's end without gaps; each payload the
 * sheet (relative to the .vtt) and the tile's rectangle (W3C Media Fragments' xywh). */
static int write_vtt(const pkg_packager *p, const pkg_thumbs *t, ladder_error *err)
{
    ladder_text txt = {0};
    char path[PATH_MAX];
    int per_sheet = t->columns * t->rows;

    ladder_text_printf(&txt, "WEBVTT\n");
    for (int i = 0; i < t->tiles; i++) {
        int in = i % per_sheet;
        ladder_text_printf(&txt, "\n");
        vtt_time(&txt, i * t->interval);
        ladder_text_printf(&txt, " --> ");
        vtt_time(&txt, tile_end(t, i));
        ladder_text_printf(&txt, "\n%d/sheet%05d.jpg#xywh=%d,%d,%d,%d\n", t->width, i / per_sheet,
                           in % t->columns * t->width, in / t->columns * t->height, t->width,
                           t->height);
    }
    snprintf(path, sizeof path, "%s/%s", p->out_dir, t->vtt);
    return pkg_save_text(&txt, path, err);
}

/* thumbnails/<w>/index.m3u8, an image media playlist as Roku reads it (docs/packager.md): one
 * EXTINF per sheet, lasting the seconds its tiles cover, each with its EXT-X-TILES. */
static int write_image_playlist(const pkg_packager *p, const pkg_thumbs *t, ladder_error *err)
{
    ladder_text txt = {0};
    char path[PATH_MAX];
    int per_sheet = t->columns * t->rows;
    double sheet_seconds = per_sheet * t->interval;

    ladder_text_printf(&txt,
                       "#EXTM3U\n#EXT-X-VERSION:7\n#EXT-X-TARGETDURATION:%d\n"
                       "#EXT-X-MEDIA-SEQUENCE:0\n#EXT-X-PLAYLIST-TYPE:VOD\n#EXT-X-IMAGES-ONLY\n",
                       (int)ceil(sheet_seconds));
    for (int k = 0; k < t->sheets; k++) {
        int last =
            k * per_sheet + per_sheet < t->tiles ? k * per_sheet + per_sheet - 1 : t->tiles - 1;
        ladder_text_printf(&txt, "#EXTINF:%.3f,\n", tile_end(t, last) - k * sheet_seconds);
        ladder_text_printf(&txt, "#EXT-X-TILES:RESOLUTION=%dx%d,LAYOUT=%dx%d,DURATION=%g\n",
                           t->width, t->height, t->columns, t->rows, t->interval);
        ladder_text_printf(&txt, "sheet%05d.jpg\n", k);
    }
    ladder_text_printf(&txt, "#EXT-X-ENDLIST\n");
    snprintf(path, sizeof path, "%s/%s", p->out_dir, t->playlist);
    return pkg_save_text(&txt, path, err);
}

int thumbs_finish(pkg_packager *p, ladder_error *err)
{
    pkg_thumbnailer *th = p->thumbs;
    int ret = 0;

    if (!th)
        return 0;
    for (int i = 0; ret >= 0 && i < th->n_sizes; i++) {
        thumb_size *s = &th->size[i];
        s->t->tiles = th->next_tile;
        s->t->duration = p->duration;
        if (s->filled > 0) /* the last sheet covers from its first tile to the show's end */
            ret = flush_sheet(
                p, s, p->duration - s->t->sheets * s->t->columns * s->t->rows * th->interval);
        if (ret < 0)
            return media_error_from_av(err, ret, "writing the thumbnails");
        if (s->t->tiles > 0 && (ret = write_vtt(p, s->t, err)) >= 0)
            ret = write_image_playlist(p, s->t, err);
    }
    return ret;
}

const pkg_thumbs *pkg_thumbnails(const pkg_packager *p, int *n)
{
    *n = p->thumbs && p->thumbs->next_tile > 0 ? p->thumbs->n_sizes : 0;
    return *n ? p->thumbs->pub : NULL;
}

void thumbs_master_lines(ladder_text *t, const pkg_thumbs *th, int n, const char *prefix)
{
    for (int i = 0; i < n; i++)
        ladder_text_printf(t,
                           "#EXT-X-IMAGE-STREAM-INF:BANDWIDTH=%lld,RESOLUTION=%dx%d,"
                           "CODECS=\"jpeg\",URI=\"%s%s\"\n",
                           (long long)ceil(th[i].peak_bps), th[i].width, th[i].height, prefix,
                           th[i].playlist);
}

void thumbs_free(pkg_packager *p)
{
    pkg_thumbnailer *th = p->thumbs;

    if (!th)
        return;
    for (int i = 0; i < th->n_sizes; i++) {
        av_frame_free(&th->size[i].sheet);
        sws_freeContext(th->size[i].sws);
    }
    avcodec_free_context(&th->dec);
    av_frame_free(&th->pic);
    av_packet_free(&th->pkt);
    pthread_mutex_destroy(&th->lock);
    av_freep(&p->thumbs);
}
