/*
** api.h: JSON API handlers, one group per file, wired up in routes.c.
** Each handler validates its input, calls the domain layer and replies.
*/
#ifndef KNIT_API_H
#define KNIT_API_H

#include "../http/http.h"

/* system.c */
void api_index(req *r);
void api_healthz(req *r);
void api_metrics(req *r);

/* session.c: sessions, tokens, users */
void api_login(req *r);
void api_logout(req *r);
void api_whoami(req *r);
void api_token_create(req *r);
void api_token_list(req *r);
void api_token_revoke(req *r);
void api_user_list(req *r);
void api_user_create(req *r);
void api_user_update(req *r);

/* audit.c */
void api_audit_list(req *r);

/* records.c: persons, cases, contacts */
void api_person_create(req *r);
void api_person_get(req *r);
void api_person_update(req *r);
void api_person_list(req *r);
void api_person_delete(req *r);
void api_case_create(req *r);
void api_case_get(req *r);
void api_case_update(req *r);
void api_case_list(req *r);
void api_case_delete(req *r);
void api_contact_create(req *r);
void api_contact_get(req *r);
void api_contact_update(req *r);
void api_contact_list(req *r);
void api_contact_delete(req *r);

/* match.c */
void api_person_match(req *r);

/* Paging arguments: ?after=CURSOR&limit=N (1..1000, default 100).  On bad
** input replies 400 and returns non-zero. */
int api_paging(req *r, int64_t *after, int *limit);

#endif
