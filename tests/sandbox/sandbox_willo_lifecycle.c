/* Willo participants' lifecycle: the invitation deadline (applied lazily on the sandbox clock,
 * so that tests move the clock with POST /clock instead of waiting) and the admin's moves of a
 * participant: start, complete (with optional scores), expire, decline. */
#include "sandbox.h"

#include <stdio.h>
#include <string.h>

void hs_sb_participant_refresh(hs_sb_participant *p)
{
    if ((p->status != HS_SB_PT_INVITED && p->status != HS_SB_PT_STARTED) || !p->expires_ms ||
        hs_sb_now_ms() < p->expires_ms)
        return;
    p->status = HS_SB_PT_EXPIRED;
    p->expired_ms = p->expires_ms;
    if (p->updated_ms < p->expires_ms)
        p->updated_ms = p->expires_ms;
}

void hs_sb_participants_refresh(void)
{
    for (size_t i = 0; i < hs_sb_w.n_pt; i++)
        hs_sb_participant_refresh(&hs_sb_w.pt[i]);
}

static void fail(hs_sb_resp *resp, int status, const char *msg)
{
    hs_sb_reply_error(resp, status, "error", msg);
}

/* A score: a JSON string of at most 15 characters, or null (""). 0 or -1. */
static int score_of(json_object *v, char out[16])
{
    out[0] = '\0';
    if (!v || json_object_is_type(v, json_type_null))
        return 0;
    if (!json_object_is_type(v, json_type_string) || json_object_get_string_len(v) > 15)
        return -1;
    snprintf(out, 16, "%s", json_object_get_string(v));
    return 0;
}

/* {"score":"8.5","scores":["4","5",null]}; an empty body completes without scores. */
static int read_scores(const hs_sb_req *r, char score[16], char scores[3][16])
{
    memset(scores, 0, 3 * 16);
    score[0] = '\0';
    if (r->body_len == 0)
        return 0;
    json_object *in = json_tokener_parse(r->body), *v = NULL, *arr = NULL;
    int bad = !json_object_is_type(in, json_type_object);
    if (!bad && json_object_object_get_ex(in, "score", &v))
        bad = score_of(v, score);
    if (!bad && json_object_object_get_ex(in, "scores", &arr) &&
        !json_object_is_type(arr, json_type_null)) {
        bad = !json_object_is_type(arr, json_type_array) || json_object_array_length(arr) > 3;
        for (size_t i = 0; !bad && i < json_object_array_length(arr); i++)
            bad = score_of(json_object_array_get_idx(arr, i), scores[i]);
    }
    json_object_put(in);
    return bad ? -1 : 0;
}

/* 0, or -1 with resp filled. */
static int complete(const hs_sb_req *r, hs_sb_resp *resp, hs_sb_participant *p)
{
    char score[16], scores[3][16];
    if (read_scores(r, score, scores) != 0) {
        fail(resp, 400, "the body must be {\"score\":\"..\",\"scores\":[\"..\",null,..]}: "
                        "strings of at most 15 characters or null, at most 3 scores");
        return -1;
    }
    memcpy(p->score, score, sizeof p->score);
    memcpy(p->scores, scores, sizeof p->scores);
    hs_sb_participant_complete(p);
    return 0;
}

void hs_sb_willo_admin_participant(const hs_sb_req *r, hs_sb_resp *resp,
                                   hs_sb_participant *p, const char *action)
{
    static const char *const names[] = { "invited", "started", "completed", "expired",
                                         "declined" };
    hs_sb_participant_refresh(p);
    int open = p->status == HS_SB_PT_INVITED || p->status == HS_SB_PT_STARTED;
    if (strcmp(r->method, "POST") != 0 ||
        (strcmp(action, "complete") && strcmp(action, "start") && strcmp(action, "expire") &&
         strcmp(action, "decline"))) {
        fail(resp, 404, "unknown admin route");
        return;
    }
    if (!open && (strcmp(action, "complete") != 0 || p->status != HS_SB_PT_COMPLETED)) {
        char msg[96];
        snprintf(msg, sizeof msg, "the participant is %s already", names[p->status]);
        fail(resp, 409, msg);
        return;
    }
    if (strcmp(action, "complete") == 0) {
        if (complete(r, resp, p) != 0)
            return;
    } else if (strcmp(action, "start") == 0) {
        p->status = HS_SB_PT_STARTED;
        p->updated_ms = hs_sb_stamp_ms();
        if (!p->started_ms)
            p->started_ms = p->updated_ms;
    } else if (strcmp(action, "expire") == 0) {
        p->status = HS_SB_PT_EXPIRED;
        p->expired_ms = p->updated_ms = hs_sb_stamp_ms();
    } else {
        p->status = HS_SB_PT_DECLINED;
        p->declined_ms = p->updated_ms = hs_sb_stamp_ms();
    }
    hs_sb_reply_json(resp, 200, hs_sb_participant_json(p));
}
