#include "CXMLWriter.h"
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>

// Each function: its result, name, parameters and arguments (those without a result apart,
// since C forbids `return` of a void call).
#define SYN_XML_VOID_FUNCTIONS(X) \
    X(void, xmlFreeTextWriter, (syn_xml_text_writer *writer), (writer))

#define SYN_XML_VALUE_FUNCTIONS(X) \
    X(syn_xml_text_writer *, xmlNewTextWriterFilename, (const char *uri, int compression), (uri, compression)) \
    X(int, xmlTextWriterSetIndent, (syn_xml_text_writer *writer, int indent), (writer, indent)) \
    X(int, xmlTextWriterSetIndentString, (syn_xml_text_writer *writer, const char *string), (writer, string)) \
    X(int, xmlTextWriterStartDocument, (syn_xml_text_writer *writer, const char *version, const char *encoding, const char *standalone), \
      (writer, version, encoding, standalone)) \
    X(int, xmlTextWriterEndDocument, (syn_xml_text_writer *writer), (writer)) \
    X(int, xmlTextWriterFlush, (syn_xml_text_writer *writer), (writer)) \
    X(int, xmlTextWriterStartElement, (syn_xml_text_writer *writer, const char *name), (writer, name)) \
    X(int, xmlTextWriterEndElement, (syn_xml_text_writer *writer), (writer)) \
    X(int, xmlTextWriterWriteAttribute, (syn_xml_text_writer *writer, const char *name, const char *content), (writer, name, content)) \
    X(int, xmlTextWriterWriteString, (syn_xml_text_writer *writer, const char *content), (writer, content)) \
    X(int, xmlTextWriterWriteCDATA, (syn_xml_text_writer *writer, const char *content), (writer, content))

#define SYN_POINTER(result, name, parameters, arguments) static result (*pointer_##name) parameters;
SYN_XML_VOID_FUNCTIONS(SYN_POINTER)
SYN_XML_VALUE_FUNCTIONS(SYN_POINTER)

static pthread_once_t once = PTHREAD_ONCE_INIT;
static const char *failure;
static char message[512];

// libxml2 prints every error itself, several lines each (a full disk gave ~30 lines of
// "I/O error" and "xmlTextWriter…"): silenced, since each call's result is checked and the
// build reports a failed feed once, in its own words.
static void silent(void *context, const char *format, ...) {
    (void)context;
    (void)format;
}

static void load(void) {
    // The versioned name first (what the runtime package installs), then the -dev link.
    void *library = dlopen("libxml2.so.2", RTLD_NOW | RTLD_LOCAL);
    if (!library) library = dlopen("libxml2.so", RTLD_NOW | RTLD_LOCAL);
    if (!library) {
        snprintf(message, sizeof message, "cannot load libxml2.so.2 (install libxml2-dev): %s", dlerror());
        failure = message;
        return;
    }
#define SYN_RESOLVE(result, name, parameters, arguments) \
    *(void **)&pointer_##name = dlsym(library, #name); \
    if (!pointer_##name && !failure) { \
        snprintf(message, sizeof message, "libxml2 has no %s: %s", #name, dlerror()); \
        failure = message; \
    }
    SYN_XML_VOID_FUNCTIONS(SYN_RESOLVE)
    SYN_XML_VALUE_FUNCTIONS(SYN_RESOLVE)
    // The handler is per thread: the default for threads yet to use libxml2, and this one's.
    typedef void (*generic_handler)(void *, const char *, ...);
    void (*set_default)(void *, generic_handler) = (void (*)(void *, generic_handler))dlsym(library, "xmlThrDefSetGenericErrorFunc");
    void (*set_current)(void *, generic_handler) = (void (*)(void *, generic_handler))dlsym(library, "xmlSetGenericErrorFunc");
    if (set_default) set_default(NULL, silent);
    if (set_current) set_current(NULL, silent);
}

const char *syn_xml_load(void) {
    pthread_once(&once, load);
    return failure;
}

// Callers load first (syn_xml_load) and stop if that failed.
#define SYN_FORWARD_VOID(result, name, parameters, arguments) \
    void syn_##name parameters { pointer_##name arguments; }
#define SYN_FORWARD_VALUE(result, name, parameters, arguments) \
    result syn_##name parameters { return pointer_##name arguments; }
SYN_XML_VOID_FUNCTIONS(SYN_FORWARD_VOID)
SYN_XML_VALUE_FUNCTIONS(SYN_FORWARD_VALUE)
