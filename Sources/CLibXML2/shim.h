#ifndef SYNDICATE_CLIBXML2_SHIM_H
#define SYNDICATE_CLIBXML2_SHIM_H
// Debian's libxml2 pulls in ICU headers that clash with Foundation's private ICU on a clean
// build ('UErrorCode' has different definitions). Syndicate needs no ICU from libxml2.
#include <libxml/xmlversion.h>
#undef LIBXML_ICU_ENABLED
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/HTMLparser.h>
#include <libxml/xmlwriter.h>
#include <libxml/xmlsave.h>
#include <libxml/relaxng.h>
#include <libxml/xpath.h>
#include <libxml/xpathInternals.h>
// Feed sources: the streaming reader for RSS and Atom.
#include <libxml/xmlreader.h>

// xmlFree is a mutable global function pointer, which Swift 6 refuses to touch.
static inline void syn_xml_free(void *pointer) { xmlFree(pointer); }

// libxml2 prints every error itself, several lines each (a full disk gave ~30 lines of
// "I/O error" and "xmlTextWriter…"): silenced, since each call's result is checked and the
// build reports a failed feed once, in its own words.
static void syn_xml_ignore_error(void *context, const char *format, ...) {
    (void)context;
    (void)format;
}

// The handler is per thread: the default for threads yet to use libxml2, and the caller's.
static inline void syn_xml_silence_errors(void) {
    xmlThrDefSetGenericErrorFunc(NULL, syn_xml_ignore_error);
    xmlSetGenericErrorFunc(NULL, syn_xml_ignore_error);
}
#endif
