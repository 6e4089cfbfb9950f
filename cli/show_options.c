/* show_options.c: the options `ladder ingest` and `ladder package` share (the show's id, title,
 * library, profile, captions and ad breaks), in one table, and their checks before any work starts:
 * a bad caption file or profile costs one line, not an hour of encoding. */
#include <stdio.h>
#include <string.h>

#include "cli.h"

int cli_show_options(cli_option *opts, cli_show_opts *o)
{
    const cli_option shared[] = {
        {"id", CLI_OPT_STRING, &o->id, "show id: a-z, 0-9, '-' and '_' (required)"},
        {"title", CLI_OPT_STRING, &o->title, "show title (default: the id)"},
        {"profile", CLI_OPT_STRING, &o->profile,
         "ladder profile XML, the one the transcode used (default: built-in pbs16)"},
        {"library", CLI_OPT_STRING, &o->library, "show library folder (default: ./library)"},
        {"captions", CLI_OPT_LIST, &o->captions,
         "FILE[:LANG[:NAME[:sdh]]]: a WebVTT, SRT or SCC track (repeat per language)"},
        {"cc", CLI_OPT_STRING, &o->cc,
         "LANG[:NAME]: how the source's CEA-608 captions are labelled (default en:CC1)"},
        {"ad-breaks", CLI_OPT_STRING, &o->ad_breaks,
         "TIME[/DURATION],...: ad breaks, in seconds or HH:MM:SS.mmm from the first picture, "
         "each planned DURATION s long (default 30); 0 is a pre-roll"},
        {"quiet", CLI_OPT_FLAG, &o->quiet, "no progress bar, only warnings and errors"},
    };
    int n = (int)(sizeof shared / sizeof shared[0]);
    _Static_assert(sizeof shared / sizeof shared[0] == CLI_SHOW_OPTIONS,
                   "CLI_SHOW_OPTIONS is the size callers give opts");

    o->library = PUBLISH_DEFAULT_LIBRARY;
    memcpy(opts, shared, sizeof shared);
    return n;
}

int cli_show_setup(cli_show *s, const cli_show_opts *o, ladder_error *err)
{
    int ret;

    memset(s, 0, sizeof *s);
    publish_params_default(&s->params);
    ret = cli_parse_cc(o->cc, s->cc_language, s->cc_name, err);
    if (ret >= 0 && o->ad_breaks)
        ret = ladder_breaks_parse(o->ad_breaks, s->breaks, LADDER_MAX_BREAKS, &s->n_breaks, err);
    if (ret >= 0)
        ret = cli_read_captions(&o->captions, &s->captions, err);
    if (ret >= 0)
        ret = o->profile ? prof_load(o->profile, &s->ladder, err)
                         : prof_load_default(&s->ladder, err);
    s->n_captions = ret >= 0 ? o->captions.n : 0;
    s->params.library = o->library;
    s->params.id = o->id;
    s->params.title = o->title;
    s->params.ladder = &s->ladder;
    s->params.captions = s->captions;
    s->params.n_captions = s->n_captions;
    s->params.cc_language = s->cc_language;
    s->params.cc_name = s->cc_name;
    s->params.breaks = s->breaks;
    s->params.n_breaks = ret >= 0 ? s->n_breaks : 0;
    s->params.logger = *cli_logger();
    return ret;
}

void cli_show_free(cli_show *s)
{
    cli_free_captions(s->captions, s->n_captions);
    s->captions = NULL;
}
