#ifndef SYNDICATE_CVIPS_H
#define SYNDICATE_CVIPS_H
#include <stddef.h>

// The few libvips calls the review cards make, each a plain function: libvips' operations
// take their options as NULL-terminated variadic lists, which Swift cannot call, and
// VIPS_INIT is a macro. This header names no glib or libvips header, so that Swift sees
// only these declarations (libvips' own headers need glib's include folders, which
// pkg-config would bring with a `-pthread` that SwiftPM refuses with a warning).
// Each int-returning function returns 0 on success, else -1 with the reason in
// syn_vips_error().

typedef struct _VipsImage VipsImage;

/// Starts libvips once for the process, with its operation cache off and `threads` workers.
int syn_vips_start(int threads);
/// The first line of libvips' last error, into `buffer`; the error is then cleared.
void syn_vips_error(char *buffer, size_t size);

void syn_vips_unref(VipsImage *image);
void syn_vips_free(void *memory);
int syn_vips_width(VipsImage *image);
int syn_vips_height(VipsImage *image);
int syn_vips_bands(VipsImage *image);
int syn_vips_has_alpha(VipsImage *image);

/// Loads `path` shrunk (on load where the format allows) to fit inside width × height,
/// enlarged when smaller, turned upright by its EXIF orientation, never cropped.
int syn_vips_thumbnail_fit(const char *path, VipsImage **out, int width, int height);
/// The image rendered into memory: a file loaded for sequential reading can then be read
/// more than once (as the card's background and foreground, and by each JPEG quality tried).
int syn_vips_copy_memory(VipsImage *in, VipsImage **out);
/// An alpha channel flattened onto black.
int syn_vips_flatten(VipsImage *in, VipsImage **out);
int syn_vips_srgb(VipsImage *in, VipsImage **out);
int syn_vips_cast_uchar(VipsImage *in, VipsImage **out);
int syn_vips_gaussblur(VipsImage *in, VipsImage **out, double sigma);
/// out = in × a + b on every band, as 8-bit.
int syn_vips_linear(VipsImage *in, VipsImage **out, double a, double b);
int syn_vips_resize(VipsImage *in, VipsImage **out, double hscale, double vscale);
/// The width × height area of `in` whose top left corner is (x, y).
int syn_vips_extract(VipsImage *in, VipsImage **out, int x, int y, int width, int height);
/// `first` with `second` to its right (horizontal) or below it, aligned on their top or left edges.
int syn_vips_join(VipsImage *first, VipsImage *second, VipsImage **out, int horizontal);
/// A baseline JPEG without metadata; the buffer is freed with syn_vips_free.
int syn_vips_jpegsave_buffer(VipsImage *in, void **buffer, size_t *length, int quality);
/// Reads a whole image.
VipsImage *syn_vips_open(const char *path);
/// Writes an image, its format chosen by the extension.
int syn_vips_save(VipsImage *in, const char *path);
/// Writes a JPEG that says, in its EXIF orientation tag (1-8), how it must be turned (tests).
int syn_vips_save_oriented_jpeg(VipsImage *in, const char *path, int orientation);
/// A width × height image of one colour (tests and benchmarks).
int syn_vips_solid(VipsImage **out, int width, int height, double red, double green, double blue);
/// Gaussian noise in three bands (tests: an image that compresses badly).
int syn_vips_noise(VipsImage **out, int width, int height);
/// The bands of one pixel; the vector is freed with syn_vips_free.
int syn_vips_getpoint(VipsImage *in, double **vector, int *count, int x, int y);
#endif
