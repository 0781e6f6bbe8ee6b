#ifndef SYNDICATE_CMARK_LOADER_H
#define SYNDICATE_CMARK_LOADER_H
// cmark-gfm, loaded when first used rather than when the program starts: most runs of
// syndicate (a cron `post`) render no Markdown, and loading the library and its
// dependencies at start-up cost every run its share of a few milliseconds. The types and
// constants are cmark-gfm's own; each function is `syn_` + its cmark-gfm name.
#include <stddef.h>
#include <cmark-gfm.h>
#include <cmark-gfm-extension_api.h>

/// NULL once cmark-gfm and its extensions are loaded; else why they could not be.
const char *syn_cmark_load(void);

void syn_cmark_gfm_core_extensions_ensure_registered(void);
cmark_syntax_extension *syn_cmark_find_syntax_extension(const char *name);
cmark_parser *syn_cmark_parser_new(int options);
void syn_cmark_parser_free(cmark_parser *parser);
int syn_cmark_parser_attach_syntax_extension(cmark_parser *parser, cmark_syntax_extension *extension);
void syn_cmark_parser_feed(cmark_parser *parser, const char *buffer, size_t len);
cmark_node *syn_cmark_parser_finish(cmark_parser *parser);
cmark_llist *syn_cmark_parser_get_syntax_extensions(cmark_parser *parser);
char *syn_cmark_render_html(cmark_node *root, int options, cmark_llist *extensions);
void syn_cmark_node_free(cmark_node *node);
cmark_node *syn_cmark_node_next(cmark_node *node);
cmark_node *syn_cmark_node_first_child(cmark_node *node);
cmark_node_type syn_cmark_node_get_type(cmark_node *node);
const char *syn_cmark_node_get_literal(cmark_node *node);
const char *syn_cmark_node_get_url(cmark_node *node);
int syn_cmark_node_set_url(cmark_node *node, const char *url);
cmark_iter *syn_cmark_iter_new(cmark_node *root);
void syn_cmark_iter_free(cmark_iter *iter);
cmark_event_type syn_cmark_iter_next(cmark_iter *iter);
cmark_node *syn_cmark_iter_get_node(cmark_iter *iter);
#endif
