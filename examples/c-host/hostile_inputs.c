/* Hostile and careless calls into Lensmith's C API: each must return its error status with
 * a message, never crash, leak or touch memory it was not given. Run under valgrind in CI.
 *
 *   hostile-inputs SIGNED.effect KEY.pub OTHER_KEY.pub UNSIGNED.effect PLUGIN.effect
 *
 * SIGNED.effect is signed by KEY; UNSIGNED.effect is packed without a signature;
 * PLUGIN.effect carries a native plugin library. Prints one line per check and exits 0 only
 * when every check holds. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lensmith.h"

static int failures = 0;

/* Checks that `got` is `want` and that the message is not empty. */
static void expect(const char *what, LensmithStatus got, LensmithStatus want) {
    const char *message = lensmith_last_error();
    int ok = got == want && (want == LENSMITH_OK || (message && message[0]));
    printf("%s %s: status %d (want %d)%s%s\n", ok ? "ok  " : "FAIL", what, (int)got, (int)want,
           want == LENSMITH_OK ? "" : ": ", want == LENSMITH_OK ? "" : message);
    failures += !ok;
}

static uint8_t *read_file(const char *path, size_t *length) {
    FILE *file = fopen(path, "rb");
    if (!file) {
        perror(path);
        exit(2);
    }
    fseek(file, 0, SEEK_END);
    long size = ftell(file);
    fseek(file, 0, SEEK_SET);
    uint8_t *bytes = malloc((size_t)size + 1);
    if (!bytes || fread(bytes, 1, (size_t)size, file) != (size_t)size) {
        fprintf(stderr, "%s: cannot read\n", path);
        exit(2);
    }
    fclose(file);
    *length = (size_t)size;
    return bytes;
}

static char *read_key(const char *path) {
    size_t length;
    char *text = (char *)read_file(path, &length);
    text[length] = '\0';
    text[strcspn(text, "\r\n")] = '\0';
    return text;
}

/* A 64x48 RGBA image over `pixels` (64 * 48 * 4 bytes). */
static LensmithImage rgba_image(uint8_t *pixels) {
    LensmithImage image = {
        .format = LENSMITH_FORMAT_RGBA8888,
        .width = 64,
        .height = 48,
        .planes = {pixels, NULL},
        .strides = {64 * 4, 0},
        .plane_sizes = {64 * 48 * 4, 0},
    };
    return image;
}

static LensmithRuntime *create(const char *const *keys, size_t key_count, uint32_t plugins) {
    LensmithConfig config;
    lensmith_config_init(&config);
    config.trusted_keys = keys;
    config.trusted_key_count = key_count;
    config.allow_plugin_libraries = plugins;
    LensmithRuntime *runtime = NULL;
    expect("create a runtime", lensmith_runtime_create(&config, &runtime), LENSMITH_OK);
    return runtime;
}

int main(int argc, char **argv) {
    if (argc != 6) {
        fprintf(stderr, "usage: hostile-inputs SIGNED.effect KEY.pub OTHER_KEY.pub "
                        "UNSIGNED.effect PLUGIN.effect\n");
        return 2;
    }
    size_t signed_length, unsigned_length;
    uint8_t *signed_bundle = read_file(argv[1], &signed_length);
    char *key = read_key(argv[2]), *other_key = read_key(argv[3]);
    uint8_t *unsigned_bundle = read_file(argv[4], &unsigned_length);
    const char *trusted[] = {key};
    const char *untrusted[] = {other_key};
    uint8_t *pixels = calloc(64 * 48 * 4, 1);
    LensmithImage image = rgba_image(pixels);

    /* Null pointers everywhere. */
    LensmithRuntime *runtime = NULL;
    expect("create with a null config", lensmith_runtime_create(NULL, &runtime),
           LENSMITH_ERROR_INVALID_ARGUMENT);
    expect("create with a null out", lensmith_runtime_create(NULL, NULL),
           LENSMITH_ERROR_INVALID_ARGUMENT);
    expect("config_init on null", lensmith_config_init(NULL), LENSMITH_ERROR_INVALID_ARGUMENT);
    expect("load into a null runtime", lensmith_load_bundle_file(NULL, argv[1]),
           LENSMITH_ERROR_INVALID_ARGUMENT);
    expect("process on a null runtime", lensmith_process_frame(NULL, &image, 0.0),
           LENSMITH_ERROR_INVALID_ARGUMENT);
    lensmith_runtime_destroy(NULL);

    /* Configs of sizes no header gave, one with a newer field set, and bad keys. */
    LensmithConfig config;
    lensmith_config_init(&config);
    config.struct_size = 8;
    expect("a config smaller than any release's", lensmith_runtime_create(&config, &runtime),
           LENSMITH_ERROR_INVALID_ARGUMENT);
    config.struct_size = 0xFFFFFFF0u;
    expect("a config of a garbage size", lensmith_runtime_create(&config, &runtime),
           LENSMITH_ERROR_INVALID_ARGUMENT);
    expect("config_init with a size no header gave", lensmith_config_init_sized(&config, 3),
           LENSMITH_ERROR_INVALID_ARGUMENT);
    struct {
        LensmithConfig config;
        uint64_t newer_field;
    } newer;
    lensmith_config_init_sized(&newer.config, sizeof newer);
    newer.newer_field = 7;
    expect("a newer config with a field this library lacks set",
           lensmith_runtime_create(&newer.config, &runtime), LENSMITH_ERROR_INVALID_ARGUMENT);
    lensmith_config_init(&config);
    const char *garbage_keys[] = {"lensmith-public-key-v1 not-hex"};
    config.trusted_keys = garbage_keys;
    config.trusted_key_count = 1;
    expect("a malformed trusted key", lensmith_runtime_create(&config, &runtime),
           LENSMITH_ERROR_INVALID_ARGUMENT);
    config.trusted_keys = NULL;
    expect("a key count without keys", lensmith_runtime_create(&config, &runtime),
           LENSMITH_ERROR_INVALID_ARGUMENT);

    runtime = create(trusted, 1, 1);
    expect("process before any bundle", lensmith_process_frame(runtime, &image, 0.0),
           LENSMITH_ERROR_NO_EFFECT);
    expect("load a null path", lensmith_load_bundle_file(runtime, NULL),
           LENSMITH_ERROR_INVALID_ARGUMENT);
    expect("load a missing file", lensmith_load_bundle_file(runtime, "/nonexistent/x.effect"),
           LENSMITH_ERROR_NOT_FOUND);
    expect("load null bytes", lensmith_load_bundle_memory(runtime, NULL, 10, NULL),
           LENSMITH_ERROR_INVALID_ARGUMENT);
    expect("load an empty buffer", lensmith_load_bundle_memory(runtime, signed_bundle, 0, NULL),
           LENSMITH_ERROR_BUNDLE);
    expect("load a truncated bundle",
           lensmith_load_bundle_memory(runtime, signed_bundle, signed_length / 2, "cut.effect"),
           LENSMITH_ERROR_BUNDLE);
    uint8_t noise[4096];
    for (size_t i = 0; i < sizeof noise; i++)
        noise[i] = (uint8_t)(i * 2654435761u >> 13);
    expect("load random bytes", lensmith_load_bundle_memory(runtime, noise, sizeof noise, NULL),
           LENSMITH_ERROR_BUNDLE);
    /* One byte changed in the middle of a member: the checksums catch it. */
    uint8_t *damaged = malloc(signed_length);
    memcpy(damaged, signed_bundle, signed_length);
    damaged[signed_length / 3] ^= 0x5a;
    expect("load a damaged bundle",
           lensmith_load_bundle_memory(runtime, damaged, signed_length, NULL),
           LENSMITH_ERROR_BUNDLE);
    free(damaged);
    expect("load an unsigned bundle when keys are required",
           lensmith_load_bundle_memory(runtime, unsigned_bundle, unsigned_length, NULL),
           LENSMITH_ERROR_SIGNATURE);

    /* The good bundle loads; then bad frames. */
    expect("load the signed bundle",
           lensmith_load_bundle_memory(runtime, signed_bundle, signed_length, "good.effect"),
           LENSMITH_OK);
    expect("process a null frame", lensmith_process_frame(runtime, NULL, 0.0),
           LENSMITH_ERROR_INVALID_ARGUMENT);
    LensmithImage bad = image;
    bad.strides[0] = 64 * 4 - 1;
    expect("a stride shorter than a row", lensmith_process_frame(runtime, &bad, 0.0),
           LENSMITH_ERROR_INVALID_ARGUMENT);
    bad = image;
    bad.strides[0] = 64 * 4 * 2;
    expect("a stride that runs past the buffer", lensmith_process_frame(runtime, &bad, 0.0),
           LENSMITH_ERROR_INVALID_ARGUMENT);
    bad = image;
    bad.planes[0] = NULL;
    expect("a null plane", lensmith_process_frame(runtime, &bad, 0.0),
           LENSMITH_ERROR_INVALID_ARGUMENT);
    bad = image;
    bad.format = 77;
    expect("an unknown format", lensmith_process_frame(runtime, &bad, 0.0),
           LENSMITH_ERROR_INVALID_ARGUMENT);
    bad = image;
    bad.rotation_degrees = 45;
    expect("a rotation of 45 degrees", lensmith_process_frame(runtime, &bad, 0.0),
           LENSMITH_ERROR_INVALID_ARGUMENT);
    bad = image;
    bad.width = 0;
    expect("a width of 0", lensmith_process_frame(runtime, &bad, 0.0),
           LENSMITH_ERROR_INVALID_ARGUMENT);
    bad = image;
    bad.format = LENSMITH_FORMAT_NV21;
    expect("NV21 without its VU plane", lensmith_process_frame(runtime, &bad, 0.0),
           LENSMITH_ERROR_INVALID_ARGUMENT);
    bad = image;
    bad.plane_sizes[0] = (size_t)-1;
    expect("a plane larger than memory", lensmith_process_frame(runtime, &bad, 0.0),
           LENSMITH_ERROR_INVALID_ARGUMENT);
    expect("a frame without a face", lensmith_process_frame(runtime, &image, 0.0), LENSMITH_OK);
    expect("a timestamp that goes back", lensmith_process_frame(runtime, &image, -1.0),
           LENSMITH_ERROR_INVALID_ARGUMENT);
    uint8_t small[32 * 48 * 4];
    LensmithImage other = image;
    other.planes[0] = small;
    other.width = 32;
    other.strides[0] = 32 * 4;
    other.plane_sizes[0] = sizeof small;
    expect("an output of another size", lensmith_process_frame_into(runtime, &image, &other, 1.0),
           LENSMITH_ERROR_INVALID_ARGUMENT);
    expect("a null output", lensmith_process_frame_into(runtime, &image, NULL, 1.0),
           LENSMITH_ERROR_INVALID_ARGUMENT);

    /* Parameters and results. */
    expect("a parameter of a missing layer", lensmith_set_parameter(runtime, "nope", "opacity", 1),
           LENSMITH_ERROR_INVALID_ARGUMENT);
    expect("a null parameter name", lensmith_set_parameter(runtime, "paint", NULL, 1),
           LENSMITH_ERROR_INVALID_ARGUMENT);
    expect("a parameter name that is not UTF-8",
           lensmith_set_parameter(runtime, "paint", "\xff\xfe", 1), LENSMITH_ERROR_INVALID_ARGUMENT);
    LensmithFace face;
    expect("face 0 of a frame without faces", lensmith_get_face(runtime, 0, &face),
           LENSMITH_ERROR_INVALID_ARGUMENT);
    LensmithTriggerEvent event;
    expect("event 99", lensmith_get_event(runtime, 99, &event), LENSMITH_ERROR_INVALID_ARGUMENT);
    expect("a face of a size no header gave", lensmith_get_face_sized(runtime, 0, &face, 1),
           LENSMITH_ERROR_INVALID_ARGUMENT);
    expect("a null face", lensmith_get_face(runtime, 0, NULL), LENSMITH_ERROR_INVALID_ARGUMENT);
    LensmithFrameStats stats;
    expect("figures of a size no header gave",
           lensmith_get_frame_stats_sized(runtime, &stats, (size_t)-1),
           LENSMITH_ERROR_INVALID_ARGUMENT);
    expect("a null face count", lensmith_get_face_count(runtime, NULL),
           LENSMITH_ERROR_INVALID_ARGUMENT);
    expect("register a null plugin entry", lensmith_register_static_plugin("plugins/x", NULL),
           LENSMITH_ERROR_INVALID_ARGUMENT);
    expect("register under a key that escapes the bundle",
           lensmith_register_static_plugin("../evil", (LensmithPluginEntry)lensmith_version),
           LENSMITH_ERROR_PLUGIN);
    lensmith_runtime_destroy(runtime);

    /* Signed by a key the runtime does not trust. */
    runtime = create(untrusted, 1, 1);
    expect("a bundle signed by an untrusted key",
           lensmith_load_bundle_memory(runtime, signed_bundle, signed_length, NULL),
           LENSMITH_ERROR_SIGNATURE);
    lensmith_runtime_destroy(runtime);

    /* Plugin code where loading code is not allowed (as on iOS). */
    runtime = create(NULL, 0, 0);
    expect("a plugin bundle where plugin code may not load",
           lensmith_load_bundle_file(runtime, argv[5]), LENSMITH_ERROR_PLUGIN);
    lensmith_runtime_destroy(runtime);

    free(signed_bundle);
    free(unsigned_bundle);
    free(key);
    free(other_key);
    free(pixels);
    printf("%s: %d check(s) failed\n", failures ? "FAILED" : "passed", failures);
    return failures ? 1 : 0;
}
