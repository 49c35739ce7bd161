/*
** routes.c: the route table.  One line per route: method, path pattern,
** capabilities required (NULL: public; "": any logged-in user), handler,
** and the line of help that docs/api.md is checked against.
*/
#include "api.h"

const route route_table[] = {
    {"GET", "/", NULL, api_index, "this list of routes"},
    {"GET", "/healthz", NULL, api_healthz, "liveness and database check"},
    {"GET", "/metrics", NULL, api_metrics, "Prometheus metrics"},
    {"POST", "/api/v1/session", NULL, api_login, "log in; sets the session cookie"},
    {"GET", "/api/v1/session", "", api_whoami, "who is logged in"},
    {"DELETE", "/api/v1/session", "", api_logout, "log out"},
    {"POST", "/api/v1/tokens", "", api_token_create, "create an API token for yourself"},
    {"GET", "/api/v1/tokens", "", api_token_list, "list your API tokens (all, for admins)"},
    {"DELETE", "/api/v1/tokens/{id}", "", api_token_revoke, "revoke an API token"},
    {"GET", "/api/v1/users", "a", api_user_list, "list users"},
    {"POST", "/api/v1/users", "a", api_user_create, "add a user"},
    {"PATCH", "/api/v1/users/{name}", "a", api_user_update, "change role, password or disabled"},
    {"GET", "/api/v1/audit", "u", api_audit_list, "read the audit log"},
    {"POST", "/api/v1/persons", "P", api_person_create, "create a person"},
    {"GET", "/api/v1/persons", "p", api_person_list, "list persons"},
    {"POST", "/api/v1/persons/match", "p", api_person_match,
     "rank known persons like this one, with evidence (audited)"},
    {"GET", "/api/v1/persons/{id}", "p", api_person_get, "read a person (audited)"},
    {"PATCH", "/api/v1/persons/{id}", "P", api_person_update, "update a person"},
    {"DELETE", "/api/v1/persons/{id}", "a", api_person_delete, "soft-delete a person"},
    {"POST", "/api/v1/cases", "K", api_case_create, "open a case"},
    {"GET", "/api/v1/cases", "k", api_case_list, "list cases"},
    {"GET", "/api/v1/cases/{id}", "k", api_case_get, "read a case"},
    {"PATCH", "/api/v1/cases/{id}", "K", api_case_update, "update a case"},
    {"DELETE", "/api/v1/cases/{id}", "a", api_case_delete, "soft-delete a case"},
    {"POST", "/api/v1/contacts", "C", api_contact_create, "record a contact"},
    {"GET", "/api/v1/contacts", "c", api_contact_list, "list contacts"},
    {"GET", "/api/v1/contacts/{id}", "c", api_contact_get, "read a contact"},
    {"PATCH", "/api/v1/contacts/{id}", "C", api_contact_update, "update a contact"},
    {"DELETE", "/api/v1/contacts/{id}", "a", api_contact_delete, "soft-delete a contact"},
    {NULL, NULL, NULL, NULL, NULL},
};

int route_count(void) {
    return (int)(sizeof route_table / sizeof route_table[0]) - 1;
}
