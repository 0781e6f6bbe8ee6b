#include "CMarkLoader.h"
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>

// Each function: which library has it, its result, name, parameters and arguments; those
// without a result apart, since C forbids `return` of a void call.
#define SYN_CMARK_VOID_FUNCTIONS(X) \
    X(extensions, void, cmark_gfm_core_extensions_ensure_registered, (void), ()) \
    X(core, void, cmark_parser_free, (cmark_parser *parser), (parser)) \
    X(core, void, cmark_parser_feed, (cmark_parser *parser, const char *buffer, size_t len), (parser, buffer, len)) \
    X(core, void, cmark_node_free, (cmark_node *node), (node)) \
    X(core, void, cmark_iter_free, (cmark_iter *iter), (iter))

#define SYN_CMARK_VALUE_FUNCTIONS(X) \
    X(core, cmark_syntax_extension *, cmark_find_syntax_extension, (const char *name), (name)) \
    X(core, cmark_parser *, cmark_parser_new, (int options), (options)) \
    X(core, int, cmark_parser_attach_syntax_extension, (cmark_parser *parser, cmark_syntax_extension *extension), (parser, extension)) \
    X(core, cmark_node *, cmark_parser_finish, (cmark_parser *parser), (parser)) \
    X(core, cmark_llist *, cmark_parser_get_syntax_extensions, (cmark_parser *parser), (parser)) \
    X(core, char *, cmark_render_html, (cmark_node *root, int options, cmark_llist *extensions), (root, options, extensions)) \
    X(core, cmark_node *, cmark_node_next, (cmark_node *node), (node)) \
    X(core, cmark_node *, cmark_node_first_child, (cmark_node *node), (node)) \
    X(core, cmark_node_type, cmark_node_get_type, (cmark_node *node), (node)) \
    X(core, const char *, cmark_node_get_literal, (cmark_node *node), (node)) \
    X(core, const char *, cmark_node_get_url, (cmark_node *node), (node)) \
    X(core, int, cmark_node_set_url, (cmark_node *node, const char *url), (node, url)) \
    X(core, cmark_iter *, cmark_iter_new, (cmark_node *root), (root)) \
    X(core, cmark_event_type, cmark_iter_next, (cmark_iter *iter), (iter)) \
    X(core, cmark_node *, cmark_iter_get_node, (cmark_iter *iter), (iter))

#define SYN_POINTER(library, result, name, parameters, arguments) static result (*pointer_##name) parameters;
SYN_CMARK_VOID_FUNCTIONS(SYN_POINTER)
SYN_CMARK_VALUE_FUNCTIONS(SYN_POINTER)

static pthread_once_t once = PTHREAD_ONCE_INIT;
static const char *failure;
static char message[512];

// The versioned name first (what the runtime package installs), then the -dev link.
static void *open_library(const char *versioned, const char *plain) {
    void *library = dlopen(versioned, RTLD_NOW | RTLD_LOCAL);
    if (!library) library = dlopen(plain, RTLD_NOW | RTLD_LOCAL);
    if (!library && !failure) {
        snprintf(message, sizeof message, "cannot load %s (install libcmark-gfm-dev): %s", versioned, dlerror());
        failure = message;
    }
    return library;
}

static void load(void) {
    void *core = open_library("libcmark-gfm.so.0.29.0.gfm.6", "libcmark-gfm.so");
    void *extensions = open_library("libcmark-gfm-extensions.so.0.29.0.gfm.6", "libcmark-gfm-extensions.so");
    if (failure) return;
#define SYN_RESOLVE(library, result, name, parameters, arguments) \
    *(void **)&pointer_##name = dlsym(library, #name); \
    if (!pointer_##name && !failure) { \
        snprintf(message, sizeof message, "cmark-gfm has no %s: %s", #name, dlerror()); \
        failure = message; \
    }
    SYN_CMARK_VOID_FUNCTIONS(SYN_RESOLVE)
    SYN_CMARK_VALUE_FUNCTIONS(SYN_RESOLVE)
}

const char *syn_cmark_load(void) {
    pthread_once(&once, load);
    return failure;
}

// Callers load first (syn_cmark_load) and stop if that failed.
#define SYN_FORWARD_VOID(library, result, name, parameters, arguments) \
    void syn_##name parameters { pointer_##name arguments; }
#define SYN_FORWARD_VALUE(library, result, name, parameters, arguments) \
    result syn_##name parameters { return pointer_##name arguments; }
SYN_CMARK_VOID_FUNCTIONS(SYN_FORWARD_VOID)
SYN_CMARK_VALUE_FUNCTIONS(SYN_FORWARD_VALUE)
