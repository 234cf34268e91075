/* Structs of other releases' headers against this library: a config laid out as the first
 * release declared it, a config and a face from a newer header, and the symbols that
 * programs built against the headers before sized structs call. Every struct sits in front
 * of canary bytes that the library must leave alone.
 *
 *   old-layouts BUNDLE.effect CLIP.y4m
 *
 * Plays the clip's frames until a face is found, then reads it every way. Prints one line
 * per check and exits 0 only when every check holds. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lensmith.h"
#include "y4m.h"

#define CANARY 0xC5
#define CANARY_BYTES 32

static int failures = 0;

static void check(const char *what, int ok) {
    printf("%s %s\n", ok ? "ok  " : "FAIL", what);
    failures += !ok;
}

static void check_status(const char *what, LensmithStatus status) {
    printf("%s %s: status %d%s%s\n", status == LENSMITH_OK ? "ok  " : "FAIL", what, (int)status,
           status == LENSMITH_OK ? "" : ": ", status == LENSMITH_OK ? "" : lensmith_last_error());
    failures += status != LENSMITH_OK;
}

static int untouched(const unsigned char *canary) {
    for (size_t i = 0; i < CANARY_BYTES; i++)
        if (canary[i] != CANARY)
            return 0;
    return 1;
}

/* LensmithConfig as the first release's lensmith.h declared it. */
typedef struct FirstReleaseConfig {
    uint32_t struct_size;
    const char *cache_dir;
    const char *onnxruntime_library;
    const char *face_detector_model;
    const char *face_landmark_model;
    const char *face_geometry;
    uint32_t threads;
    uint32_t max_faces;
    const char *const *trusted_keys;
    size_t trusted_key_count;
    uint32_t allow_plugin_libraries;
} FirstReleaseConfig;

/* LensmithConfig and LensmithFace as a newer lensmith.h might declare them: a field more. */
typedef struct NewerConfig {
    LensmithConfig config;
    uint64_t later_field;
} NewerConfig;

typedef struct NewerFace {
    LensmithFace face;
    uint64_t later_field;
} NewerFace;

#if defined(__ELF__)
/* LensmithFace as the headers before sized structs declared it, and the symbols their
 * programs call (this header defines inline functions of these names instead). */
typedef struct UnsizedFace {
    uint32_t id;
    float score;
    float bounds[4];
    const float *landmarks;
    uint32_t landmark_count;
    uint32_t has_pose;
    float yaw, pitch, roll;
    uint32_t has_expressions;
    float expressions[16];
    const uint8_t *triggers_on;
    uint32_t trigger_count;
} UnsizedFace;

LensmithStatus unsized_config_init(LensmithConfig *config) __asm__("lensmith_config_init");
LensmithStatus unsized_get_face(LensmithRuntime *runtime, uint32_t index, UnsizedFace *out)
    __asm__("lensmith_get_face");
#endif

/* Plays the clip until a face is tracked; returns 0 when none is. */
static int play_until_a_face(LensmithRuntime *runtime, const char *clip) {
    Y4mVideo video;
    if (!y4m_open(&video, clip))
        return 0;
    size_t luma = (size_t)video.width * video.height;
    size_t chroma_width = (video.width + 1) / 2, chroma_height = (video.height + 1) / 2;
    uint8_t *planes = malloc(y4m_frame_bytes(&video));
    uint8_t *vu = malloc(2 * chroma_width * chroma_height);
    uint32_t faces = 0;
    for (unsigned frame = 0; planes && vu && faces == 0; frame++) {
        if (y4m_read_frame(&video, planes) != 1)
            break;
        const uint8_t *u = planes + luma, *v = u + chroma_width * chroma_height;
        for (size_t i = 0; i < chroma_width * chroma_height; i++) {
            vu[2 * i] = v[i];
            vu[2 * i + 1] = u[i];
        }
        LensmithImage image = {
            .format = LENSMITH_FORMAT_NV21,
            .width = video.width,
            .height = video.height,
            .planes = {planes, vu},
            .strides = {video.width, 2 * chroma_width},
            .plane_sizes = {luma, 2 * chroma_width * chroma_height},
        };
        if (lensmith_process_frame(runtime, &image, frame / 30.0) != LENSMITH_OK) {
            fprintf(stderr, "frame %u: %s\n", frame, lensmith_last_error());
            break;
        }
        lensmith_get_face_count(runtime, &faces);
    }
    free(planes);
    free(vu);
    y4m_close(&video);
    return faces > 0;
}

int main(int argc, char **argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: old-layouts BUNDLE.effect CLIP.y4m\n");
        return 2;
    }

    /* The first release's config: filled as far as it goes, the later fields defaulted. */
    struct {
        FirstReleaseConfig config;
        unsigned char canary[CANARY_BYTES];
    } first;
    memset(&first, CANARY, sizeof first);
    check_status("init a first-release config",
                 lensmith_config_init_sized((LensmithConfig *)&first.config, sizeof first.config));
    check("init wrote nothing past the first-release config", untouched(first.canary));
    check("its struct_size is its own size", first.config.struct_size == sizeof first.config);
    check("its defaults", first.config.cache_dir == NULL && first.config.trusted_keys == NULL &&
                              first.config.threads == 0);
    first.config.max_faces = 2;
    LensmithRuntime *runtime = NULL;
    check_status("create from a first-release config",
                 lensmith_runtime_create((const LensmithConfig *)&first.config, &runtime));
    if (!runtime)
        return 1;

    /* A newer header's config: its field unknown here is accepted zero, refused set. */
    struct {
        NewerConfig config;
        unsigned char canary[CANARY_BYTES];
    } newer;
    memset(&newer, CANARY, sizeof newer);
    check_status("init a newer config",
                 lensmith_config_init_sized(&newer.config.config, sizeof newer.config));
    check("init zeroed the newer field and nothing past it",
          newer.config.later_field == 0 && untouched(newer.canary));
    LensmithRuntime *other = NULL;
    check_status("create from a newer config with its newer field zero",
                 lensmith_runtime_create(&newer.config.config, &other));
    lensmith_runtime_destroy(other);
    newer.config.later_field = 1;
    LensmithStatus refused = lensmith_runtime_create(&newer.config.config, &other);
    check("a newer config with its newer field set is refused, naming its size",
          refused == LENSMITH_ERROR_INVALID_ARGUMENT && other == NULL &&
              strstr(lensmith_last_error(), "config.struct_size is") != NULL);
    printf("     (%s)\n", lensmith_last_error());

    check_status("load the bundle", lensmith_load_bundle_file(runtime, argv[1]));
    check("a face is tracked", play_until_a_face(runtime, argv[2]));

    /* This header's face, written exactly to its size. */
    struct {
        LensmithFace face;
        unsigned char canary[CANARY_BYTES];
    } face;
    memset(&face, CANARY, sizeof face);
    check_status("read the face", lensmith_get_face(runtime, 0, &face.face));
    check("nothing written past the face", untouched(face.canary));
    check("the face has its scores", face.face.expressions != NULL &&
                                         face.face.expression_count >= LENSMITH_EXPRESSION_COUNT &&
                                         face.face.landmark_count == 468);
    printf("     (face %u, smile %.3f)\n", face.face.id,
           face.face.expressions[LENSMITH_EXPRESSION_SMILE]);

    /* A newer header's face: the field this library lacks comes back zero. */
    struct {
        NewerFace face;
        unsigned char canary[CANARY_BYTES];
    } newer_face;
    memset(&newer_face, CANARY, sizeof newer_face);
    check_status("read a newer face",
                 lensmith_get_face_sized(runtime, 0, &newer_face.face.face,
                                         sizeof newer_face.face));
    check("its newer field zeroed, nothing past it written",
          newer_face.face.later_field == 0 && untouched(newer_face.canary));
    check("the same face", newer_face.face.face.id == face.face.id);

    /* A size no header gave is refused and nothing is written. */
    memset(&face, CANARY, sizeof face);
    check("a face smaller than any layout is refused",
          lensmith_get_face_sized(runtime, 0, &face.face, 8) == LENSMITH_ERROR_INVALID_ARGUMENT &&
              untouched((const unsigned char *)&face));

    struct {
        LensmithFrameStats stats;
        unsigned char canary[CANARY_BYTES];
    } stats;
    memset(&stats, CANARY, sizeof stats);
    check_status("read the frame's figures", lensmith_get_frame_stats(runtime, &stats.stats));
    check("nothing written past the figures", untouched(stats.canary) && stats.stats.faces >= 1);

#if defined(__ELF__)
    /* Programs built against the headers before sized structs. */
    struct {
        LensmithConfig config;
        unsigned char canary[CANARY_BYTES];
    } unsized_config;
    memset(&unsized_config, CANARY, sizeof unsized_config);
    check_status("the unsized lensmith_config_init symbol",
                 unsized_config_init(&unsized_config.config));
    check("it filled the config of the last unsized header and nothing past it",
          unsized_config.config.struct_size == sizeof(LensmithConfig) &&
              untouched(unsized_config.canary));
    struct {
        UnsizedFace face;
        unsigned char canary[CANARY_BYTES];
    } unsized_face;
    memset(&unsized_face, CANARY, sizeof unsized_face);
    check_status("the unsized lensmith_get_face symbol",
                 unsized_get_face(runtime, 0, &unsized_face.face));
    check("it wrote the old face and nothing past it",
          untouched(unsized_face.canary) && unsized_face.face.id == newer_face.face.face.id &&
              unsized_face.face.expressions[LENSMITH_EXPRESSION_SMILE] ==
                  newer_face.face.face.expressions[LENSMITH_EXPRESSION_SMILE] &&
              unsized_face.face.trigger_count == newer_face.face.face.trigger_count);
#endif

    lensmith_runtime_destroy(runtime);
    printf("%s\n", failures ? "FAILED" : "all checks hold");
    return failures ? 1 : 0;
}
