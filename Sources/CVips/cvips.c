#include "cvips.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <vips/vips.h>

static void syn_vips_quiet(const gchar *domain, GLogLevelFlags level, const gchar *message, gpointer data) {
    (void) domain; (void) level; (void) message; (void) data;
}

int syn_vips_start(int threads) {
    if (VIPS_INIT("syndicate")) return -1;
    // libvips logs a line per damaged tile of a broken image; the failure itself comes back
    // as an error, which the build reports once, naming the review.
    g_log_set_handler("VIPS", G_LOG_LEVEL_WARNING, syn_vips_quiet, NULL);
    // A build renders each image once: a cache would only keep every poster in memory.
    vips_cache_set_max(0);
    vips_cache_set_max_mem(0);
    // libvips' own VIPS_CONCURRENCY, when set, says otherwise.
    if (!getenv("VIPS_CONCURRENCY")) vips_concurrency_set(threads);
    return 0;
}

void syn_vips_error(char *buffer, size_t size) {
    const char *text = vips_error_buffer();
    size_t length = strcspn(text, "\n");
    if (length >= size) length = size - 1;
    memcpy(buffer, text, length);
    buffer[length] = 0;
    vips_error_clear();
}

void syn_vips_unref(VipsImage *image) { if (image) g_object_unref(image); }
void syn_vips_free(void *memory) { g_free(memory); }
int syn_vips_width(VipsImage *image) { return vips_image_get_width(image); }
int syn_vips_height(VipsImage *image) { return vips_image_get_height(image); }
int syn_vips_bands(VipsImage *image) { return vips_image_get_bands(image); }
int syn_vips_has_alpha(VipsImage *image) { return vips_image_hasalpha(image); }

int syn_vips_thumbnail_fit(const char *path, VipsImage **out, int width, int height) {
    // vips_thumbnail leaves a factor of two for its final resize, so a 2000×3000 poster fitted
    // into 1080×1350 (a factor of 2.2) would be decoded whole, then reduced with lanczos3:
    // most of a card's CPU. A JPEG is decoded here at the largest power-of-two reduction (2,
    // 4, 8) that still leaves it at least as large as the card in either orientation (EXIF
    // may turn it), turned upright, then resized with a linear kernel (the reduction left is
    // under 2: lanczos3 and bicubic cost more CPU for no difference the card's JPEG keeps).
    const char *loader = vips_foreign_find_load(path);
    if (!loader || strcmp(loader, "VipsForeignLoadJpegFile") != 0)
        return vips_thumbnail(path, out, width, "height", height, "size", VIPS_SIZE_BOTH, NULL);
    VipsImage *header = vips_image_new_from_file(path, NULL);
    if (!header) return -1;
    double w = vips_image_get_width(header), h = vips_image_get_height(header);
    g_object_unref(header);
    double need = fmin(fmax(w / width, h / height), fmax(h / width, w / height));
    int shrink = need >= 8 ? 8 : need >= 4 ? 4 : need >= 2 ? 2 : 1;
    VipsImage *in = vips_image_new_from_file(path, "shrink", shrink, "access", VIPS_ACCESS_SEQUENTIAL, NULL);
    if (!in) return -1;
    VipsImage *upright = NULL;
    int result = vips_autorot(in, &upright, NULL);
    g_object_unref(in);
    if (result) return result;
    // Rounded to the nearest pixel, a side at most width or height stays within it.
    double scale = fmin((double) width / vips_image_get_width(upright), (double) height / vips_image_get_height(upright));
    result = vips_resize(upright, out, scale, "kernel", VIPS_KERNEL_LINEAR, NULL);
    g_object_unref(upright);
    return result;
}

int syn_vips_copy_memory(VipsImage *in, VipsImage **out) {
    VipsImage *copy = vips_image_copy_memory(in);
    if (!copy) return -1;
    *out = copy;
    return 0;
}
int syn_vips_flatten(VipsImage *in, VipsImage **out) { return vips_flatten(in, out, NULL); }
int syn_vips_srgb(VipsImage *in, VipsImage **out) { return vips_colourspace(in, out, VIPS_INTERPRETATION_sRGB, NULL); }
int syn_vips_cast_uchar(VipsImage *in, VipsImage **out) { return vips_cast_uchar(in, out, NULL); }
int syn_vips_gaussblur(VipsImage *in, VipsImage **out, double sigma) { return vips_gaussblur(in, out, sigma, NULL); }
int syn_vips_linear(VipsImage *in, VipsImage **out, double a, double b) { return vips_linear1(in, out, a, b, "uchar", TRUE, NULL); }
int syn_vips_resize(VipsImage *in, VipsImage **out, double hscale, double vscale) {
    // Linear: what is resized here is the background, a blur, where sharper kernels are
    // wasted CPU.
    return vips_resize(in, out, hscale, "vscale", vscale, "kernel", VIPS_KERNEL_LINEAR, NULL);
}
int syn_vips_extract(VipsImage *in, VipsImage **out, int x, int y, int width, int height) { return vips_extract_area(in, out, x, y, width, height, NULL); }
int syn_vips_join(VipsImage *first, VipsImage *second, VipsImage **out, int horizontal) {
    return vips_join(first, second, out, horizontal ? VIPS_DIRECTION_HORIZONTAL : VIPS_DIRECTION_VERTICAL, NULL);
}

int syn_vips_jpegsave_buffer(VipsImage *in, void **buffer, size_t *length, int quality) {
    // Without optimize_coding: its second pass over the image was an eighth of a card's CPU
    // (8 ms) for a file 3 % smaller.
    return vips_jpegsave_buffer(in, buffer, length, "Q", quality, "strip", TRUE, NULL);
}

VipsImage *syn_vips_open(const char *path) { return vips_image_new_from_file(path, NULL); }
int syn_vips_save(VipsImage *in, const char *path) { return vips_image_write_to_file(in, path, NULL); }

int syn_vips_save_oriented_jpeg(VipsImage *in, const char *path, int orientation) {
    VipsImage *copy = NULL;
    if (vips_copy(in, &copy, NULL)) return -1;
    vips_image_set_int(copy, "orientation", orientation);
    int result = vips_jpegsave(copy, path, NULL);
    g_object_unref(copy);
    return result;
}

int syn_vips_solid(VipsImage **out, int width, int height, double red, double green, double blue) {
    VipsImage *black = NULL;
    if (vips_black(&black, width, height, "bands", 3, NULL)) return -1;
    double a[3] = {1, 1, 1}, b[3] = {red, green, blue};
    VipsImage *coloured = NULL;
    int result = vips_linear(black, &coloured, a, b, 3, "uchar", TRUE, NULL);
    g_object_unref(black);
    if (result) return result;
    result = vips_copy(coloured, out, "interpretation", VIPS_INTERPRETATION_sRGB, NULL);
    g_object_unref(coloured);
    return result;
}

int syn_vips_noise(VipsImage **out, int width, int height) {
    VipsImage *bands[3] = {NULL, NULL, NULL}, *joined = NULL;
    int result = -1;
    for (int i = 0; i < 3; i++) if (vips_gaussnoise(&bands[i], width, height, "sigma", 60.0, NULL)) goto done;
    if (vips_bandjoin(bands, &joined, 3, NULL)) goto done;
    result = vips_cast_uchar(joined, out, NULL);
done:
    for (int i = 0; i < 3; i++) if (bands[i]) g_object_unref(bands[i]);
    if (joined) g_object_unref(joined);
    return result;
}

int syn_vips_getpoint(VipsImage *in, double **vector, int *count, int x, int y) { return vips_getpoint(in, vector, count, x, y, NULL); }
