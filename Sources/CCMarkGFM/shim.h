#ifndef SYNDICATE_CCMARKGFM_SHIM_H
#define SYNDICATE_CCMARKGFM_SHIM_H
// cmark-gfm's core and the header that registers its GitHub extensions (tables,
// strikethrough, autolinks, tagfilter), both from Debian's libcmark-gfm-dev and
// libcmark-gfm-extensions-dev.
#include <cmark-gfm.h>
#include <cmark-gfm-core-extensions.h>
#endif
