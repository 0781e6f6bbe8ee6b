#ifndef SYNDICATE_CXMLWRITER_H
#define SYNDICATE_CXMLWRITER_H
// libxml2's xmlTextWriter, loaded when first used rather than when the program starts:
// most runs of syndicate (a cron `post`) write no XML, and libxml2 brings ICU with it,
// which cost every run a few milliseconds of loading. Declared here rather than through
// libxml2's headers, which pull in ICU's (they clash with Foundation's on a clean build).
// Each function is `syn_` + its libxml2 name; strings are UTF-8 (`xmlChar` is a byte).

/// An `xmlTextWriter`.
typedef struct syn_xml_text_writer syn_xml_text_writer;

/// NULL once libxml2 is loaded; else why it could not be.
const char *syn_xml_load(void);

syn_xml_text_writer *syn_xmlNewTextWriterFilename(const char *uri, int compression);
void syn_xmlFreeTextWriter(syn_xml_text_writer *writer);
int syn_xmlTextWriterSetIndent(syn_xml_text_writer *writer, int indent);
int syn_xmlTextWriterSetIndentString(syn_xml_text_writer *writer, const char *string);
int syn_xmlTextWriterStartDocument(syn_xml_text_writer *writer, const char *version, const char *encoding, const char *standalone);
int syn_xmlTextWriterEndDocument(syn_xml_text_writer *writer);
int syn_xmlTextWriterFlush(syn_xml_text_writer *writer);
int syn_xmlTextWriterStartElement(syn_xml_text_writer *writer, const char *name);
int syn_xmlTextWriterEndElement(syn_xml_text_writer *writer);
int syn_xmlTextWriterWriteAttribute(syn_xml_text_writer *writer, const char *name, const char *content);
int syn_xmlTextWriterWriteString(syn_xml_text_writer *writer, const char *content);
int syn_xmlTextWriterWriteCDATA(syn_xml_text_writer *writer, const char *content);
#endif
