/*
 * In-process fake connectors for cycle tests: an ATS (jobs with stages, applications moving
 * between stages, notes) and an interview platform (interviews, participants, completions).
 * Both keep a change log with a sequence number; their cursors are {"seq":N}. Writes are
 * idempotent by key, as the ABI requires, and counted, so tests can see duplicates.
 *
 * The ATS keeps each application's position (the last stage it was moved to), which
 * move_record checks against hs_move.from as the ABI says (HS_E_CONFLICT elsewhere); the
 * interview side emits an interview's life (invited, started, completed with answers and a
 * score, expired, declined) and re-invites an expired or declined participant as a new one.
 *
 * Ownership: one world per test process, in shared memory so that a child a test forks and
 * kills at a crash point leaves its writes for the parent to see (fake_reset() maps and
 * clears it). Single-threaded.
 */
#ifndef FAKE_WORLD_H
#define FAKE_WORLD_H

#include <hiresync/connector.h>

#define FAKE_MAX 256
#define FAKE_PAD 64

typedef struct fake_event {
    int seq;
    uint32_t kind;        /* hs_change_kind (or one this host does not know) */
    char record[32];      /* application id / participant key */
    char job[32];         /* job id / interview key */
    char stage_id[32];
    char stage_name[64];
    char status_id[32];
    char changed_at[32];
    char person_id[32];
    char first[32];
    char last[32];
    char email[64];
    char link[128];
    char score[16];       /* completion: overall score, "" for none */
    int n_answers;        /* completion: answers "Q<i>" with links and scores */
} fake_event;

typedef struct fake_write {
    char key[256];
    char target[64];      /* interview key or application id */
    char remote_id[HS_REMOTE_ID_MIN];
    char title[128];
    char body[8192];
    char link[128];
    char email[64];
    char outcome[32];     /* note: hs_note.outcome, "" for none */
    int final;            /* note: hs_note.final */
    int withheld;         /* note: the outcome was left out (not in hs_note.outcome_from) */
    char previous[32];    /* invitation: hs_invitation.previous_id */
    int expired;          /* invitation: the participant expired or declined */
} fake_write;

/* An application's position in the fake ATS. */
typedef struct fake_position {
    char app[32];
    char job[32];
    char stage_id[32];
    char stage_name[64];
    char status_id[32];
} fake_position;

typedef struct fake_world {
    /* ATS */
    fake_event ats_log[FAKE_MAX];
    int n_ats;
    fake_write notes[FAKE_MAX];
    int n_notes;
    int note_calls;
    /* interviews */
    fake_event iv_log[FAKE_MAX];
    int n_iv;
    fake_write invitations[FAKE_MAX];
    int n_invitations;
    int invite_calls;
    int n_interviews;
    char interviews[4][32];
    /* faults */
    hs_status fail_invite_status;    /* returned by the next invite call when non-zero */
    int fail_invite_http;
    hs_status fail_note_status;
    hs_status fail_read_status;      /* ATS read fails after emitting fail_read_after records */
    int fail_read_after;
    int seq;
    int overlap;                     /* reads start this many sequence numbers early */
    int empty_cursor;                /* the ATS emits "" as its final barrier */
    int clock_s;                     /* seconds added to the fake time base per event */
    /* The ATS's changes read reports its progress after each barrier (hs_emitter.progress):
     * pages_done = barriers so far, pages_total = progress_total as it is (even when wrong);
     * 0: no reports; -1: reports with the total unknown. */
    int64_t progress_total;
    /* struct_size of the change and person records emitted, 0: sizeof. Smaller: an older
     * writer's record; larger (up to FAKE_PAD more): a newer minor's, padded with junk. */
    uint32_t change_size;
    uint32_t person_size;
    uint32_t job_size;               /* struct_size of the ATS's jobs, 0: sizeof */
    uint32_t answer_size;            /* element size (and struct_size) of answers, 0: sizeof */
    /* ATS positions and moves */
    fake_position positions[FAKE_MAX];
    int n_positions;
    fake_write moves[FAKE_MAX];      /* created moves: key, target = app, title = to stage */
    int n_moves;
    int move_calls;
    hs_status fail_move_status;      /* returned by the next move call when non-zero */
    int ats_discover_calls;          /* the ATS's discover_jobs calls */
} fake_world;

extern fake_world *fake_shared;
#define fake (*fake_shared)
extern const hs_connector fake_ats_connector;
extern const hs_connector fake_ats_nomove_connector; /* the same ATS without move_record */
extern const hs_connector fake_iv_connector;

void fake_reset(void);
/* Moves application app (job, person) into a stage; status may be NULL. */
void fake_move(const char *app, const char *job, const char *person, const char *email,
               const char *stage_id, const char *stage_name, const char *status_id);
/* Marks the participant as completed. */
void fake_complete(const char *participant);
/* Completed with n answers (each with a link; scores when score is non-NULL) and score. */
void fake_complete_with(const char *participant, int n_answers, const char *score);
/* An event of the interview's life (HS_CHANGE_INVITED, _STARTED, _EXPIRED, _DECLINED);
 * expired and declined mark the participant so a re-invitation creates a new one. */
void fake_life(const char *participant, uint32_t kind);
/* Where the application is now (NULL when the ATS never saw it). */
const fake_position *fake_position_of(const char *app);
/* Moves made (count of creates) for an application. */
int fake_moves_for(const char *app);
/* Adds a participant the host did not invite and completes it. */
void fake_foreign_completion(const char *interview, const char *participant);
/* Invitations created for an email (count of creates, not calls). */
int fake_invites_for(const char *email);
/* Notes on an application whose key starts with prefix. */
int fake_notes_for(const char *app, const char *key_prefix);

#endif /* FAKE_WORLD_H */
