#ifndef SYNDICATE_CPOSTGRES_SHIM_H
#define SYNDICATE_CPOSTGRES_SHIM_H
// libpq, the PostgreSQL C client (Debian's libpq-dev): the PostgreSQL ledger store talks to
// the server through its synchronous calls, from the dispatch loop's blocking threads.
#include <libpq-fe.h>
#endif
