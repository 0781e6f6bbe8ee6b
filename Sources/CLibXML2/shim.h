#ifndef SYNDICATE_CLIBXML2_SHIM_H
#define SYNDICATE_CLIBXML2_SHIM_H
// Debian's libxml2 pulls in ICU headers that clash with Foundation's private ICU on a clean
// build ('UErrorCode' has different definitions). Syndicate needs no ICU from libxml2.
#include <libxml/xmlversion.h>
#undef LIBXML_ICU_ENABLED
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlwriter.h>
#include <libxml/xmlsave.h>
#include <libxml/relaxng.h>
#include <libxml/xpath.h>
#include <libxml/xpathInternals.h>

// xmlFree is a mutable global function pointer, which Swift 6 refuses to touch.
static inline void syn_xml_free(void *pointer) { xmlFree(pointer); }
#endif
